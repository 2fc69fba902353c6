//! Credentials from the selected profile of the shared config files: static keys or
//! `credential_process`.

use std::sync::Arc;
#[cfg(feature = "credential-process")]
use std::time::Duration;

#[cfg(feature = "credential-process")]
use super::document::{Format, parse_credentials};
#[cfg(feature = "credential-process")]
use super::process::{self, RunError};
use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials};
use crate::env::Env;
use crate::profile::{Profile, ProfileSet};

#[cfg(feature = "sts")]
mod role;

#[cfg(feature = "sso")]
mod sso;

/// Profile keys naming a credential source this build does not have: the key, what it asks
/// for, and the cargo feature that has it (`None`: not implemented).
const UNSUPPORTED: &[(&str, &str, Option<&str>)] = &[
    #[cfg(not(feature = "sts"))]
    ("role_arn", "assume an IAM role", Some("sts")),
    #[cfg(not(feature = "sts"))]
    ("credential_source", "assume an IAM role", Some("sts")),
    #[cfg(not(feature = "sts"))]
    (
        "web_identity_token_file",
        "web identity federation",
        Some("sts"),
    ),
    #[cfg(not(feature = "sso"))]
    ("sso_session", "IAM Identity Center (SSO)", Some("sso")),
    #[cfg(not(feature = "sso"))]
    ("sso_start_url", "IAM Identity Center (SSO)", Some("sso")),
    ("login_session", "`aws login` console credentials", None),
];

/// The default time a `credential_process` may take.
#[cfg(feature = "credential-process")]
const DEFAULT_PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

/// Credentials from the selected profile (see [`ProfileSet`]) of `~/.aws/credentials` and
/// `~/.aws/config`.
///
/// In the profile, in this order:
/// 1. `role_arn` (with the `sts` cargo feature, on by default): the role, assumed through AWS
///    STS with the credentials that `source_profile`, `credential_source` or
///    `web_identity_token_file` say (chains of source profiles are followed); needs
///    [`with_http_client`](Self::with_http_client), which [`DefaultChain`](super::DefaultChain)
///    sets. Without the feature, a profile with `role_arn`, `credential_source` or
///    `web_identity_token_file` is an [`Unsupported`](super::CredentialsErrorKind::Unsupported)
///    error naming the key and the feature.
/// 2. A key naming a source this crate does not implement (`login_session`), or one this
///    build leaves out (`sso_session` and `sso_start_url` without the `sso` feature), is an
///    [`Unsupported`](super::CredentialsErrorKind::Unsupported) error naming the key and the
///    profile: implement [`ProvideCredentials`] for such sources.
/// 3. `aws_access_key_id` and `aws_secret_access_key` (and `aws_session_token`): static keys.
/// 4. `sso_session` or `sso_start_url` (with the `sso` cargo feature, on by default): IAM
///    Identity Center, from the token `aws sso login` cached (refreshed through SSO OIDC when
///    it is about to expire), exchanged for the role's credentials; a missing or expired login
///    is an error that says to run `aws sso login --profile NAME`.
/// 5. `credential_process` (with the `credential-process` cargo feature, on by default): the
///    command is run through `sh -c` (`cmd /C` on Windows) with a deadline (60 s by default,
///    `with_process_timeout`; the process is killed when it passes), and its stdout must be
///    `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}`. On
///    failure the error holds the exit status and the start of stderr, never stdout. Without
///    the feature, a profile that sets `credential_process` (and no static keys) is an
///    [`Unsupported`](super::CredentialsErrorKind::Unsupported) error naming the feature.
/// 6. Only one of `aws_access_key_id`/`aws_secret_access_key`: an
///    [`InvalidConfiguration`](super::CredentialsErrorKind::InvalidConfiguration) error.
///
/// No such profile, or a profile with none of these keys, is a
/// [`NotConfigured`](super::CredentialsErrorKind::NotConfigured) error, except when the
/// profile was named explicitly (`AWS_PROFILE`) and does not exist, which is an
/// `InvalidConfiguration` error (as in the AWS CLI). Unreadable or malformed files are an
/// `InvalidConfiguration` error too.
///
/// Needs the `profile` cargo feature (on by default).
///
/// ```
/// use lambda_sdk_runtime::credentials::{ProfileProvider, ProvideCredentials};
/// use lambda_sdk_runtime::profile::ProfileSet;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let credentials = "[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s\n";
/// let profiles = ProfileSet::parse("", credentials, "default").unwrap();
/// let provider = ProfileProvider::from_profile_set(profiles);
/// assert_eq!(provider.provide_credentials().await?.access_key_id(), "AKIDEXAMPLE");
///
/// let profiles = ProfileSet::parse("[profile ci]\nlogin_session = x\n", "", "ci").unwrap();
/// let err = ProfileProvider::from_profile_set(profiles).provide_credentials().await.unwrap_err();
/// assert!(err.to_string().starts_with(
///     "profile `ci` in <credentials> and <config> sets `login_session` (`aws login` console"
/// ));
/// # Ok::<(), lambda_sdk_runtime::credentials::CredentialsError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct ProfileProvider {
    source: Source,
    #[cfg(feature = "credential-process")]
    process_timeout: Duration,
    /// What STS and SSO calls and `credential_source` read (the endpoint variables, the
    /// region, the home directory).
    #[cfg(any(feature = "sts", feature = "sso"))]
    env: Env,
    #[cfg(any(feature = "sts", feature = "sso"))]
    http: Option<crate::http::HttpClient>,
    /// Where STS and SSO are, as `Config::from_env` read it.
    #[cfg(any(feature = "sts", feature = "sso"))]
    endpoints: Option<Arc<crate::endpoint::ForCredentials>>,
    #[cfg(feature = "sts")]
    region: Option<super::sts::StsRegion>,
    /// The instance metadata client of `credential_source = Ec2InstanceMetadata`, with the
    /// profile's endpoint settings, as `Config::from_env` read them.
    #[cfg(all(feature = "sts", feature = "imds"))]
    imds: Option<crate::imds::Imds>,
}

#[derive(Clone, Debug)]
enum Source {
    /// Read the files named by the environment at each call.
    Env(Env),
    /// Already read.
    Loaded(Arc<ProfileSet>),
}

impl ProfileProvider {
    /// A provider that reads the files named by `env` (see [`ProfileSet::load`]) at each call,
    /// so nothing is read until credentials are needed.
    pub fn new(env: Env) -> Self {
        Self::with_source(Source::Env(env.clone()), env)
    }

    /// A provider using profiles already read (STS calls, if any, read the process
    /// environment).
    pub fn from_profile_set(profiles: ProfileSet) -> Self {
        Self::with_source(Source::Loaded(Arc::new(profiles)), Env::real())
    }

    /// Profiles from `source`; STS and SSO calls read `env`.
    fn with_source(source: Source, env: Env) -> Self {
        #[cfg(not(any(feature = "sts", feature = "sso")))]
        let _ = env;
        ProfileProvider {
            source,
            #[cfg(feature = "credential-process")]
            process_timeout: DEFAULT_PROCESS_TIMEOUT,
            #[cfg(any(feature = "sts", feature = "sso"))]
            env,
            #[cfg(any(feature = "sts", feature = "sso"))]
            http: None,
            #[cfg(any(feature = "sts", feature = "sso"))]
            endpoints: None,
            #[cfg(feature = "sts")]
            region: None,
            #[cfg(all(feature = "sts", feature = "imds"))]
            imds: None,
        }
    }

    /// The HTTP client for AWS STS and IAM Identity Center, which profiles that assume a role
    /// (`role_arn`) or use SSO call. Without one, such a profile is an error.
    /// [`DefaultChain`](super::DefaultChain) sets it.
    ///
    /// Needs the `sts` or the `sso` cargo feature (both on by default).
    #[cfg(any(feature = "sts", feature = "sso"))]
    pub fn with_http_client(mut self, http: crate::http::HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Where STS and SSO are, as `Config::from_env` read it (configured endpoints, FIPS,
    /// dual-stack).
    #[cfg(any(feature = "sts", feature = "sso"))]
    pub(crate) fn with_endpoints(
        mut self,
        endpoints: Arc<crate::endpoint::ForCredentials>,
    ) -> Self {
        self.endpoints = Some(endpoints);
        self
    }

    /// The region of STS calls (otherwise `AWS_REGION`, `AWS_DEFAULT_REGION`, then the
    /// selected profile's `region`).
    ///
    /// Needs the `sts` cargo feature (on by default).
    #[cfg(feature = "sts")]
    pub fn with_region(self, region: impl Into<String>) -> Self {
        self.with_sts_region(super::sts::StsRegion::Given(crate::region::Region::Set(
            region.into(),
        )))
    }

    /// The region of STS calls: the configuration's, which may come from instance metadata.
    #[cfg(feature = "sts")]
    pub(crate) fn with_sts_region(mut self, region: super::sts::StsRegion) -> Self {
        self.region = Some(region);
        self
    }

    /// The instance metadata client of `credential_source = Ec2InstanceMetadata`.
    #[cfg(all(feature = "sts", feature = "imds"))]
    pub(crate) fn with_imds(mut self, imds: crate::imds::Imds) -> Self {
        self.imds = Some(imds);
        self
    }

    /// How long a `credential_process` may run before it is killed (default 60 s).
    ///
    /// Needs the `credential-process` cargo feature (on by default).
    #[cfg(feature = "credential-process")]
    pub fn with_process_timeout(mut self, timeout: Duration) -> Self {
        self.process_timeout = timeout;
        self
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let profiles = match &self.source {
            Source::Env(env) => Arc::new(ProfileSet::load(env).map_err(|e| {
                CredentialsError::invalid_configuration("cannot read the AWS shared config files")
                    .with_source(e)
            })?),
            Source::Loaded(profiles) => profiles.clone(),
        };
        let name = profiles.profile_name();
        let files = profiles.describe_files();
        let Some(profile) = profiles.selected() else {
            let why = if profiles.any_file_found() {
                "no such profile"
            } else {
                "neither file exists"
            };
            if profiles.profile_name_is_explicit() {
                return Err(CredentialsError::invalid_configuration(format!(
                    "the profile `{name}` (AWS_PROFILE) does not exist in {files} ({why})"
                )));
            }
            return Err(CredentialsError::not_configured(format!(
                "profile `{name}` in {files} ({why})"
            )));
        };
        let located = format!("profile `{name}` in {files}");
        #[cfg(feature = "sts")]
        if profile.get("role_arn").is_some() {
            return role::assume(self, &profiles, profile, &located).await;
        }
        #[cfg(feature = "sts")]
        for key in [
            "web_identity_token_file",
            "source_profile",
            "credential_source",
        ] {
            if profile.get(key).is_some() && profile.get("aws_access_key_id").is_none() {
                return Err(CredentialsError::invalid_configuration(format!(
                    "{located} sets `{key}` but not `role_arn`: say which role to assume"
                )));
            }
        }
        resolve_base(self, &profiles, profile, &located).await
    }
}

/// Credentials from `profile` itself (static keys or `credential_process`), not through a
/// role; `located` ("profile `x` in FILES") starts every message.
async fn resolve_base(
    provider: &ProfileProvider,
    profiles: &ProfileSet,
    profile: &Profile,
    located: &str,
) -> Result<Credentials, CredentialsError> {
    if let Some((key, what, feature)) = UNSUPPORTED
        .iter()
        .find(|(key, _, _)| profile.get(key).is_some())
    {
        return Err(CredentialsError::unsupported(match feature {
            Some(feature) => format!(
                "{located} sets `{key}` ({what}), but this build leaves it out: enable \
                 lambda-sdk's `{feature}` cargo feature, or pass your own source with a \
                 `ProvideCredentials` implementation"
            ),
            None => format!(
                "{located} sets `{key}` ({what}), which this SDK does not implement; \
                 use static keys or `credential_process` in the profile, the environment \
                 variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, or pass \
                 your own source with a `ProvideCredentials` implementation"
            ),
        }));
    }
    let key = profile.get("aws_access_key_id");
    let secret = profile.get("aws_secret_access_key");
    if let (Some(key), Some(secret)) = (key, secret) {
        let token = profile
            .get("aws_session_token")
            .or_else(|| profile.get("aws_security_token"));
        return Ok(Credentials::new(key, secret, token.map(str::to_owned)));
    }
    #[cfg(feature = "sso")]
    if profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some() {
        return sso::credentials(provider, profiles, profile, located).await;
    }
    #[cfg(not(feature = "sso"))]
    let _ = profiles;
    if let Some(command) = profile.get("credential_process") {
        #[cfg(feature = "credential-process")]
        return run_credential_process(command, located, provider.process_timeout).await;
        #[cfg(not(feature = "credential-process"))]
        {
            let _ = (command, provider);
            return Err(CredentialsError::unsupported(format!(
                "{located} sets `credential_process`, but this build leaves it out: enable \
                 lambda-sdk's `credential-process` cargo feature, or use static keys in the \
                 profile or the environment variables \
                 AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN"
            )));
        }
    }
    match (key, secret) {
        (Some(_), _) => Err(CredentialsError::invalid_configuration(format!(
            "{located} sets `aws_access_key_id` but not `aws_secret_access_key`"
        ))),
        (None, Some(_)) => Err(CredentialsError::invalid_configuration(format!(
            "{located} sets `aws_secret_access_key` but not `aws_access_key_id`"
        ))),
        (None, None) => Err(CredentialsError::not_configured(format!(
            "{located} (no credentials in it)"
        ))),
    }
}

#[cfg(feature = "credential-process")]
async fn run_credential_process(
    command: &str,
    located: &str,
    timeout: Duration,
) -> Result<Credentials, CredentialsError> {
    let what = format!("the `credential_process` of {located}");
    let owned = command.to_owned();
    let result = tokio::task::spawn_blocking(move || process::run(&owned, timeout))
        .await
        .map_err(|e| {
            CredentialsError::provider_failed(format!("{what} could not be run")).with_source(e)
        })?;
    let output = match result {
        Ok(output) => output,
        Err(RunError::Spawn(e)) => {
            return Err(
                CredentialsError::provider_failed(format!("{what} could not be started"))
                    .with_source(e),
            );
        }
        Err(RunError::Wait(e)) => {
            return Err(CredentialsError::provider_failed(format!(
                "{what} could not be waited for"
            ))
            .with_source(e));
        }
        Err(RunError::TimedOut) => {
            return Err(CredentialsError::provider_failed(format!(
                "{what} did not finish within {timeout:?} and was killed"
            )));
        }
    };
    if !output.status.success() {
        let stderr = process::stderr_excerpt(&output.stderr);
        let stderr = if stderr.is_empty() {
            "(nothing on stderr)".to_owned()
        } else {
            format!("stderr: {stderr}")
        };
        return Err(CredentialsError::provider_failed(format!(
            "{what} failed with {}; {stderr}",
            output.status
        )));
    }
    parse_credentials(
        &output.stdout,
        Format::Process,
        &format!("the output of {what}"),
    )
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind;
    use crate::credentials::test_util::{SECRET, TOKEN, TempDir};

    async fn from_strs(
        config: &str,
        credentials: &str,
        name: &str,
    ) -> Result<Credentials, CredentialsError> {
        let set = ProfileSet::parse(config, credentials, name).unwrap();
        let provider = ProfileProvider::from_profile_set(set);
        #[cfg(feature = "credential-process")]
        let provider = provider.with_process_timeout(Duration::from_secs(20));
        provider.provide_credentials().await
    }

    #[tokio::test]
    async fn static_keys() {
        let credentials = format!(
            "[default]\naws_access_key_id = AKID\naws_secret_access_key = {SECRET}\n\
             aws_session_token = {TOKEN}\n"
        );
        let c = from_strs("", &credentials, "default").await.unwrap();
        assert_eq!(c, Credentials::new("AKID", SECRET, Some(TOKEN.into())));
    }

    #[tokio::test]
    async fn credentials_file_wins_over_config_file() {
        let dir = TempDir::new();
        dir.write(
            ".aws/config",
            "[profile dev]\naws_access_key_id = CONFIG_KEY\naws_secret_access_key = config\n",
        );
        dir.write(
            ".aws/credentials",
            &format!("[dev]\naws_access_key_id = CREDS_KEY\naws_secret_access_key = {SECRET}\n"),
        );
        let env = Env::from_vars([
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_PROFILE", "dev"),
        ]);
        let c = ProfileProvider::new(env)
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(c, Credentials::new("CREDS_KEY", SECRET, None));
    }

    #[tokio::test]
    async fn missing_profile() {
        let dir = TempDir::new();
        dir.write(".aws/credentials", "[other]\naws_access_key_id = A\n");
        let home = dir.path().to_str().unwrap();

        // The implicit `default` profile missing: not configured, naming the files.
        let env = Env::from_vars([("HOME", home)]);
        let err = ProfileProvider::new(env)
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::NotConfigured);
        assert_eq!(
            err.message(),
            format!(
                "profile `default` in {} and {} (no such profile)",
                dir.path().join(".aws/credentials").display(),
                dir.path().join(".aws/config").display()
            )
        );

        // A profile named by AWS_PROFILE missing: a configuration error.
        let env = Env::from_vars([("HOME", home), ("AWS_PROFILE", "prod")]);
        let err = ProfileProvider::new(env)
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(
            err.to_string()
                .starts_with("the profile `prod` (AWS_PROFILE) does not exist in "),
            "{err}"
        );
    }

    #[tokio::test]
    async fn profile_without_credentials_and_half_keys() {
        let err = from_strs("[default]\nregion = x\n", "", "default")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::NotConfigured);
        assert!(err.message().ends_with("(no credentials in it)"), "{err}");

        let err = from_strs("", "[default]\naws_access_key_id = A\n", "default")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(
            err.to_string()
                .ends_with("sets `aws_access_key_id` but not `aws_secret_access_key`"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn malformed_file_is_an_error_only_when_read() {
        let dir = TempDir::new();
        dir.write(".aws/config", "[default]\nnot a property\n");
        let env = Env::from_vars([("HOME", dir.path().to_str().unwrap())]);
        let provider = ProfileProvider::new(env);
        let err = provider.provide_credentials().await.unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(err.to_string().contains("config line 2: expected"), "{err}");
    }

    #[tokio::test]
    async fn unsupported_sources_name_key_and_profile() {
        #[cfg(not(feature = "sts"))]
        let role_keys = ["role_arn", "credential_source", "web_identity_token_file"];
        #[cfg(feature = "sts")]
        let role_keys: [&str; 0] = [];
        #[cfg(not(feature = "sso"))]
        let sso_keys = ["sso_session", "sso_start_url"];
        #[cfg(feature = "sso")]
        let sso_keys: [&str; 0] = [];
        for key in role_keys
            .into_iter()
            .chain(sso_keys)
            .chain(["login_session"])
        {
            // Even with static keys present, as the AWS CLI would use the role.
            let config = format!(
                "[profile ci]\n{key} = x\naws_access_key_id = A\naws_secret_access_key = {SECRET}\n"
            );
            let err = from_strs(&config, "", "ci").await.unwrap_err();
            assert_eq!(err.kind(), CredentialsErrorKind::Unsupported, "{key}");
            let text = err.to_string();
            assert!(
                text.starts_with(&format!(
                    "profile `ci` in <credentials> and <config> sets `{key}`"
                )),
                "{text}"
            );
            assert!(text.contains("`ProvideCredentials`"), "{text}");
            assert!(!text.contains(SECRET), "{text}");
        }
    }

    #[cfg(all(unix, feature = "credential-process"))]
    #[tokio::test]
    async fn credential_process_success() {
        let dir = TempDir::new();
        let script = dir.write(
            "creds.sh",
            &format!(
                "echo '{{\"Version\": 1, \"AccessKeyId\": \"PROCKEY\", \"SecretAccessKey\": \
                 \"{SECRET}\", \"SessionToken\": \"{TOKEN}\", \"Expiration\": \
                 \"2030-01-01T00:00:00Z\"}}'\n"
            ),
        );
        let config = format!("[default]\ncredential_process = sh {}\n", script.display());
        let c = from_strs(&config, "", "default").await.unwrap();
        assert_eq!(c.access_key_id(), "PROCKEY");
        assert_eq!(c.secret_access_key(), SECRET);
        assert_eq!(c.session_token(), Some(TOKEN));
        let expected =
            crate::DateTime::from_str("2030-01-01T00:00:00Z", crate::DateTimeFormat::DateTime)
                .unwrap();
        assert_eq!(c.expiry(), Some(expected.into()));
    }

    #[cfg(all(unix, feature = "credential-process"))]
    #[tokio::test]
    async fn credential_process_failure_shows_stderr_never_stdout() {
        let config = format!(
            "[default]\ncredential_process = echo '{SECRET}'; echo 'token expired, run login' >&2; exit 7\n"
        );
        let err = from_strs(&config, "", "default").await.unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
        let text = err.to_string();
        assert!(
            text.starts_with("the `credential_process` of profile `default`"),
            "{text}"
        );
        assert!(text.contains("exit status: 7"), "{text}");
        assert!(text.ends_with("stderr: token expired, run login"), "{text}");
        assert!(!text.contains(SECRET), "{text}");

        // Exit 0 but stdout is not a credentials document: still no stdout in the message.
        let config = format!("[default]\ncredential_process = echo 'not json {SECRET}'\n");
        let err = from_strs(&config, "", "default").await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains("is not valid JSON"), "{text}");
        assert!(!text.contains(SECRET), "{text}");
    }

    #[cfg(all(unix, feature = "credential-process"))]
    #[tokio::test]
    async fn credential_process_timeout() {
        let set = ProfileSet::parse(
            "[default]\ncredential_process = exec sleep 30\n",
            "",
            "default",
        )
        .unwrap();
        let provider =
            ProfileProvider::from_profile_set(set).with_process_timeout(Duration::from_millis(200));
        let start = std::time::Instant::now();
        let err = provider.provide_credentials().await.unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(10));
        assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
        assert!(
            err.to_string()
                .contains("did not finish within 200ms and was killed"),
            "{err}"
        );
    }

    /// Without the `credential-process` feature, a `credential_process` profile is an error
    /// that names the feature; static keys in the same profile still win, as with it.
    #[cfg(not(feature = "credential-process"))]
    #[tokio::test]
    async fn credential_process_compiled_out_names_the_feature() {
        let config = "[profile ci]\ncredential_process = echo never-run\n";
        let err = from_strs(config, "", "ci").await.unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::Unsupported);
        assert!(
            err.to_string().starts_with(
                "profile `ci` in <credentials> and <config> sets `credential_process`, but this \
                 build leaves it out: enable lambda-sdk's `credential-process` cargo feature"
            ),
            "{err}"
        );
        let config = format!(
            "[profile ci]\ncredential_process = echo never-run\naws_access_key_id = A\n\
             aws_secret_access_key = {SECRET}\n"
        );
        let c = from_strs(&config, "", "ci").await.unwrap();
        assert_eq!(c.access_key_id(), "A");
    }

    #[tokio::test]
    async fn debug_has_no_secrets() {
        let credentials = format!(
            "[default]\naws_access_key_id = AKID\naws_secret_access_key = {SECRET}\n\
             aws_session_token = {TOKEN}\n"
        );
        let set = ProfileSet::parse("", &credentials, "default").unwrap();
        let provider = ProfileProvider::from_profile_set(set);
        let text = format!("{provider:?}");
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
        let text = format!(
            "{:?}",
            ProfileProvider::new(Env::from_vars([("X", SECRET)]))
        );
        assert!(!text.contains(SECRET), "{text}");
    }
}
