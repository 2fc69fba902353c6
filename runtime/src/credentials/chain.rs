//! The default credentials chain: environment, profile, web identity, container, instance
//! metadata.

#[cfg(feature = "container-credentials")]
use super::ContainerProvider;
#[cfg(feature = "imds")]
use super::ImdsProvider;
#[cfg(feature = "profile")]
use super::ProfileProvider;
#[cfg(feature = "sts")]
use super::WebIdentityProvider;
use super::{
    BoxFuture, Credentials, CredentialsError, CredentialsErrorKind, EnvironmentProvider,
    ProvideCredentials,
};
use crate::env::Env;
use crate::http::HttpClient;

/// The standard sources, tried in order at each call:
///
/// 1. [`EnvironmentProvider`]: the variables `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
///    `AWS_SESSION_TOKEN`;
/// 2. `ProfileProvider`: the selected profile of `~/.aws/credentials` and `~/.aws/config`
///    (read at the call, so a broken file only matters when the environment has no
///    credentials), roles included;
/// 3. `WebIdentityProvider`: `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN` (EKS IRSA);
/// 4. `ContainerProvider`: ECS and EKS Pod Identity;
/// 5. `ImdsProvider`: the EC2 instance profile.
///
/// The first source that yields credentials wins. A source that is not configured is skipped;
/// a configured source that fails (a key without a secret, an unreachable container endpoint,
/// a failing `credential_process`) stops the chain with its error. The instance metadata
/// service is the exception: failing to reach it means "not on EC2", and the chain then
/// returns a [`NotConfigured`](CredentialsErrorKind::NotConfigured) error listing where it
/// looked.
///
/// Sources 2 to 5 need the cargo features `profile`, `sts`, `container-credentials` and
/// `imds` (all on by default; roles in profiles need `sts` too). A source that is compiled out is listed in the "no AWS credentials
/// found" error with the feature that enables it, and where the chain would have asked it,
/// a variable that asks for it stops the chain with an
/// [`Unsupported`](CredentialsErrorKind::Unsupported) error naming the variable and the
/// feature, rather than going on to a later source (which may hold other credentials, such
/// as the EC2 instance's instead of an ECS task's):
/// - without `profile`: `AWS_PROFILE`, `AWS_CONFIG_FILE` or `AWS_SHARED_CREDENTIALS_FILE`;
/// - without `sts`: `AWS_WEB_IDENTITY_TOKEN_FILE` or `AWS_ROLE_ARN`;
/// - without `container-credentials`: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or
///   `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
///
/// Construction is cheap and does no I/O. The chain does not cache: wrap it in a
/// [`CachingProvider`](super::CachingProvider).
///
/// ```
/// use lambda_sdk_runtime::credentials::{DefaultChain, ProvideCredentials};
/// use lambda_sdk_runtime::env::Env;
/// use lambda_sdk_runtime::http::{HttpClient, HttpSettings};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let http = HttpClient::new(&HttpSettings::default()).unwrap();
/// let env = Env::from_vars([
///     ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
///     ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"),
///     ("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2Vj"),
/// ]);
/// let credentials = DefaultChain::new(env, http).provide_credentials().await?;
/// assert_eq!(credentials.access_key_id(), "AKIDEXAMPLE");
/// # Ok::<(), lambda_sdk_runtime::credentials::CredentialsError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct DefaultChain {
    /// Read for the sources this build leaves out.
    #[cfg(any(
        not(feature = "profile"),
        not(feature = "container-credentials"),
        not(feature = "imds"),
        not(feature = "sts")
    ))]
    env: Env,
    environment: EnvironmentProvider,
    #[cfg(feature = "profile")]
    profile: ProfileProvider,
    #[cfg(feature = "container-credentials")]
    container: ContainerProvider,
    #[cfg(feature = "imds")]
    imds: ImdsProvider,
    #[cfg(feature = "sts")]
    web_identity: WebIdentityProvider,
}

/// A source of the chain that this build leaves out: how the "no credentials" error names it,
/// the cargo feature that enables it, and the variables that ask for it.
#[cfg(any(
    not(feature = "profile"),
    not(feature = "container-credentials"),
    not(feature = "imds"),
    not(feature = "sts")
))]
struct LeftOut {
    name: &'static str,
    feature: &'static str,
    asked_for_by: &'static [&'static str],
}

#[cfg(any(
    not(feature = "profile"),
    not(feature = "container-credentials"),
    not(feature = "imds"),
    not(feature = "sts")
))]
impl LeftOut {
    /// An error when a variable asks for this source; otherwise its entry in the list of
    /// places the chain looked.
    fn check(&self, env: &Env) -> Result<String, CredentialsError> {
        if let Some(var) = self.asked_for_by.iter().find(|v| env.get(v).is_some()) {
            return Err(CredentialsError::unsupported(format!(
                "the environment variable {var} is set, which asks for {}, but this build \
                 leaves them out: enable lambda-sdk's `{}` cargo feature, or unset {var}",
                self.name, self.feature
            )));
        }
        tracing::debug!(
            source = self.name,
            feature = self.feature,
            "credentials source not compiled in"
        );
        Ok(format!(
            "{}: not compiled in (enable lambda-sdk's `{}` feature)",
            self.name, self.feature
        ))
    }
}

#[cfg(not(feature = "profile"))]
const PROFILE_LEFT_OUT: LeftOut = LeftOut {
    name: "profile files",
    feature: "profile",
    asked_for_by: &[
        "AWS_PROFILE",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
    ],
};

/// Without the `profile` feature: an error when `~/.aws/credentials` exists, which the user
/// most likely meant to be read, rather than a silent fall through to the container's or the
/// EC2 instance's credentials. (`~/.aws/config` alone is common with only a region in it.)
#[cfg(not(feature = "profile"))]
fn shared_credentials_file_left_out(env: &Env) -> Result<(), CredentialsError> {
    let Some(home) = env.get("HOME").filter(|h| !h.is_empty()) else {
        return Ok(());
    };
    let path = std::path::Path::new(&home).join(".aws").join("credentials");
    if path.is_file() {
        return Err(CredentialsError::unsupported(format!(
            "{} exists, but this build leaves profile files out: enable lambda-sdk's `profile` \
             cargo feature, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(feature = "container-credentials"))]
const CONTAINER_LEFT_OUT: LeftOut = LeftOut {
    name: "container credentials",
    feature: "container-credentials",
    asked_for_by: &[
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ],
};

#[cfg(not(feature = "sts"))]
const STS_LEFT_OUT: LeftOut = LeftOut {
    name: "web identity",
    feature: "sts",
    asked_for_by: &["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"],
};

#[cfg(not(feature = "imds"))]
const IMDS_LEFT_OUT: LeftOut = LeftOut {
    name: "EC2 instance metadata",
    feature: "imds",
    asked_for_by: &[],
};

impl DefaultChain {
    /// The chain reading `env` and fetching through `http`. Does no I/O.
    pub fn new(env: Env, http: HttpClient) -> Self {
        #[cfg(not(any(
            feature = "container-credentials",
            feature = "imds",
            feature = "sts",
            feature = "sso"
        )))]
        let _ = http;
        DefaultChain {
            environment: EnvironmentProvider::new(env.clone()),
            #[cfg(all(feature = "profile", any(feature = "sts", feature = "sso")))]
            profile: ProfileProvider::new(env.clone()).with_http_client(http.clone()),
            #[cfg(all(feature = "profile", not(any(feature = "sts", feature = "sso"))))]
            profile: ProfileProvider::new(env.clone()),
            #[cfg(feature = "sts")]
            web_identity: WebIdentityProvider::new(env.clone(), http.clone()),
            #[cfg(feature = "container-credentials")]
            container: ContainerProvider::new(env.clone(), http.clone()),
            #[cfg(feature = "imds")]
            imds: ImdsProvider::new(env.clone(), http),
            #[cfg(any(
                not(feature = "profile"),
                not(feature = "container-credentials"),
                not(feature = "imds"),
                not(feature = "sts")
            ))]
            env,
        }
    }

    /// The chain of a build without the sources on the network (container, instance
    /// metadata, STS, SSO), which needs no HTTP client.
    #[cfg(not(any(
        feature = "container-credentials",
        feature = "imds",
        feature = "sts",
        feature = "sso"
    )))]
    pub(crate) fn without_network(env: Env) -> Self {
        DefaultChain {
            environment: EnvironmentProvider::new(env.clone()),
            #[cfg(feature = "profile")]
            profile: ProfileProvider::new(env.clone()),
            env,
        }
    }

    /// The region of the STS calls that web identity and assume-role profiles make (by
    /// default `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`).
    /// [`Config::from_env`](crate::config::Config::from_env) passes the config's region.
    pub fn with_region(self, region: impl Into<String>) -> Self {
        #[cfg(feature = "sts")]
        let this = self.with_sts_region(super::sts::StsRegion::Given(crate::region::Region::Set(
            region.into(),
        )));
        #[cfg(not(feature = "sts"))]
        let this = {
            let _ = region;
            self
        };
        this
    }

    /// The region of the STS calls: the configuration's, filled in when it is built (and
    /// which may come from instance metadata).
    #[cfg(feature = "sts")]
    pub(crate) fn with_sts_region(self, region: super::sts::StsRegion) -> Self {
        DefaultChain {
            web_identity: self.web_identity.with_sts_region(region.clone()),
            #[cfg(feature = "profile")]
            profile: self.profile.with_sts_region(region),
            ..self
        }
    }

    /// The instance metadata client of the EC2 source, with the profile's endpoint settings.
    #[cfg(feature = "imds")]
    pub(crate) fn with_imds(mut self, imds: crate::imds::Imds) -> Self {
        #[cfg(all(feature = "profile", feature = "sts"))]
        {
            self.profile = self.profile.with_imds(imds.clone());
        }
        self.imds = self.imds.with_client(imds);
        self
    }

    /// The HTTP client of the calls to AWS STS and IAM Identity Center (web identity, roles
    /// and SSO in profiles), which are on the internet, unlike the container and instance
    /// metadata endpoints: [`Config::from_env`](crate::config::Config::from_env) gives it the
    /// proxy settings and the usual connect timeout. By default they use the chain's client.
    #[cfg(any(feature = "sts", feature = "sso"))]
    pub fn with_remote_http_client(self, http: HttpClient) -> Self {
        DefaultChain {
            #[cfg(feature = "sts")]
            web_identity: self.web_identity.with_http_client(http.clone()),
            #[cfg(feature = "profile")]
            profile: self.profile.with_http_client(http),
            ..self
        }
    }

    /// Where STS and SSO are, as `Config::from_env` read it: its configured endpoints, FIPS and
    /// dual-stack apply to them too.
    #[cfg(any(feature = "sts", feature = "sso"))]
    pub(crate) fn with_endpoints(
        self,
        endpoints: std::sync::Arc<crate::endpoint::ForCredentials>,
    ) -> Self {
        DefaultChain {
            #[cfg(feature = "sts")]
            web_identity: self.web_identity.with_endpoints(endpoints.clone()),
            #[cfg(feature = "profile")]
            profile: self.profile.with_endpoints(endpoints),
            ..self
        }
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let mut looked_in = Vec::new();
        match self.environment.provide_credentials().await {
            Ok(credentials) => return Ok(credentials),
            Err(e) if e.kind() == CredentialsErrorKind::NotConfigured => {
                looked_in.push(e.looked_in());
            }
            Err(e) => return Err(e),
        }
        #[cfg(feature = "profile")]
        match self.profile.provide_credentials().await {
            Ok(credentials) => return Ok(credentials),
            Err(e) if e.kind() == CredentialsErrorKind::NotConfigured => {
                looked_in.push(e.looked_in());
            }
            Err(e) => return Err(e),
        }
        #[cfg(not(feature = "profile"))]
        {
            looked_in.push(PROFILE_LEFT_OUT.check(&self.env)?);
            shared_credentials_file_left_out(&self.env)?;
        }
        #[cfg(feature = "sts")]
        match self.web_identity.provide_credentials().await {
            Ok(credentials) => return Ok(credentials),
            Err(e) if e.kind() == CredentialsErrorKind::NotConfigured => {
                looked_in.push(e.looked_in());
            }
            Err(e) => return Err(e),
        }
        #[cfg(not(feature = "sts"))]
        looked_in.push(STS_LEFT_OUT.check(&self.env)?);
        #[cfg(feature = "container-credentials")]
        match self.container.provide_credentials().await {
            Ok(credentials) => return Ok(credentials),
            Err(e) if e.kind() == CredentialsErrorKind::NotConfigured => {
                looked_in.push(e.looked_in());
            }
            Err(e) => return Err(e),
        }
        #[cfg(not(feature = "container-credentials"))]
        looked_in.push(CONTAINER_LEFT_OUT.check(&self.env)?);
        #[cfg(feature = "imds")]
        match self.imds.provide_credentials().await {
            Ok(credentials) => return Ok(credentials),
            Err(e) => {
                tracing::debug!(error = %e, "no credentials from EC2 instance metadata");
                looked_in.push(e.looked_in());
            }
        }
        #[cfg(not(feature = "imds"))]
        looked_in.push(IMDS_LEFT_OUT.check(&self.env)?);
        Err(CredentialsError::not_configured(format!(
            "{}. Set one of these, or pass your own source with a `ProvideCredentials` \
             implementation.",
            looked_in.join(", ")
        )))
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::test_util::{SECRET, TOKEN, TempDir, closed_url, http_client};

    /// A chain over `vars`, with HOME in `dir` and IMDS pointed at a closed port, so nothing
    /// outside the test is read or contacted unless `vars` says so.
    fn chain(dir: &TempDir, vars: &[(&str, &str)]) -> DefaultChain {
        let home = dir.path().to_str().unwrap().to_owned();
        let imds = closed_url();
        let mut all = vec![
            ("HOME".to_owned(), home),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT".to_owned(), imds),
        ];
        all.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        DefaultChain::new(Env::from_vars(all), http_client())
    }

    fn write_profile(dir: &TempDir, key: &str) {
        dir.write(
            ".aws/credentials",
            &format!("[default]\naws_access_key_id = {key}\naws_secret_access_key = {SECRET}\n"),
        );
    }

    #[cfg(feature = "profile")]
    #[tokio::test]
    async fn environment_wins_over_profile_and_a_broken_profile_is_not_read() {
        let dir = TempDir::new();
        dir.write(".aws/config", "this is not a profile file\n");
        let c = chain(
            &dir,
            &[
                ("AWS_ACCESS_KEY_ID", "ENVKEY"),
                ("AWS_SECRET_ACCESS_KEY", SECRET),
            ],
        )
        .provide_credentials()
        .await
        .unwrap();
        assert_eq!(c.access_key_id(), "ENVKEY");

        // Without environment credentials, the broken file is an error.
        let err = chain(&dir, &[]).provide_credentials().await.unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(err.to_string().contains("config line 1"), "{err}");
    }

    #[cfg(all(feature = "profile", feature = "container-credentials"))]
    #[tokio::test]
    async fn profile_wins_over_container() {
        let dir = TempDir::new();
        write_profile(&dir, "PROFILEKEY");
        let server = crate::credentials::test_util::TestServer::start(|_| {
            (
                200,
                crate::credentials::test_util::credentials_json(
                    "CONTAINERKEY",
                    "2030-01-01T00:00:00Z",
                ),
            )
        })
        .await;
        let uri = format!("{}/creds", server.url());
        let c = chain(&dir, &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)])
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(c.access_key_id(), "PROFILEKEY");
        assert!(server.requests().is_empty());

        // Without the profile, the container answers.
        let empty = TempDir::new();
        let c = chain(&empty, &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)])
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(c.access_key_id(), "CONTAINERKEY");
        assert_eq!(server.requests().len(), 1);
    }

    #[cfg(feature = "container-credentials")]
    #[tokio::test]
    async fn container_wins_over_imds_and_its_failure_stops_the_chain() {
        let dir = TempDir::new();
        let imds = crate::credentials::test_util::TestServer::start(|_| (500, String::new())).await;
        let container = closed_url();
        let env = Env::from_vars([
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url().as_str()),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.as_str()),
        ]);
        let err = DefaultChain::new(env, http_client())
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
        assert!(
            err.to_string()
                .starts_with("the container credentials endpoint"),
            "{err}"
        );
        assert!(imds.requests().is_empty());
    }

    #[cfg(feature = "imds")]
    #[tokio::test]
    async fn imds_is_last() {
        let dir = TempDir::new();
        let imds =
            crate::credentials::test_util::TestServer::start(|req| match req.path.as_str() {
                "/latest/api/token" => (200, "T".to_owned()),
                "/latest/meta-data/iam/security-credentials/" => (200, "role".to_owned()),
                _ => (
                    200,
                    crate::credentials::test_util::credentials_json(
                        "IMDSKEY",
                        "2030-01-01T00:00:00Z",
                    ),
                ),
            })
            .await;
        let env = Env::from_vars([
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url().as_str()),
        ]);
        let c = DefaultChain::new(env, http_client())
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(c.access_key_id(), "IMDSKEY");
        assert_eq!(imds.requests().len(), 3);
    }

    #[tokio::test]
    async fn half_configured_environment_stops_the_chain() {
        let dir = TempDir::new();
        write_profile(&dir, "PROFILEKEY");
        let err = chain(&dir, &[("AWS_ACCESS_KEY_ID", "ENVKEY")])
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(err.to_string().contains("AWS_SECRET_ACCESS_KEY"), "{err}");
    }

    #[tokio::test]
    async fn half_a_web_identity_setup_is_an_error_unless_an_earlier_source_answers() {
        let dir = TempDir::new();
        // (AWS_ROLE_ARN alone does not ask for web identity, as in AWS's SDKs: the chain goes
        // on, see the STS tests.)
        for (var, other) in [("AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN")] {
            let err = chain(&dir, &[(var, "x")])
                .provide_credentials()
                .await
                .unwrap_err();
            #[cfg(feature = "sts")]
            {
                assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
                assert!(
                    err.to_string().contains(&format!("{other} is not")),
                    "{err}"
                );
            }
            #[cfg(not(feature = "sts"))]
            {
                let _ = other;
                assert_eq!(err.kind(), CredentialsErrorKind::Unsupported);
                assert!(err.to_string().contains(var), "{err}");
                assert!(err.to_string().contains("`sts` cargo feature"), "{err}");
            }
        }
        #[cfg(feature = "profile")]
        {
            write_profile(&dir, "PROFILEKEY");
            let c = chain(&dir, &[("AWS_ROLE_ARN", "arn:aws:iam::1:role/r")])
                .provide_credentials()
                .await
                .unwrap();
            assert_eq!(c.access_key_id(), "PROFILEKEY");
        }
    }

    #[cfg(all(
        feature = "profile",
        feature = "container-credentials",
        feature = "imds"
    ))]
    #[tokio::test]
    async fn nothing_found_lists_where_it_looked() {
        let dir = TempDir::new();
        let imds = closed_url();
        let env = Env::from_vars([
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.as_str()),
            ("AWS_SESSION_TOKEN", TOKEN),
        ]);
        let err = DefaultChain::new(env, http_client())
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::NotConfigured);
        let text = err.to_string();
        let credentials = dir.path().join(".aws/credentials");
        let config = dir.path().join(".aws/config");
        let web_identity = if cfg!(feature = "sts") {
            "web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not set)"
        } else {
            "web identity: not compiled in (enable lambda-sdk's `sts` feature)"
        };
        let expected_start = format!(
            "no AWS credentials found; looked in: environment variables \
             AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (not set), profile `default` in {} \
             and {} (neither file exists), {web_identity}, container credentials \
             (AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_CREDENTIALS_RELATIVE_URI not \
             set), EC2 instance metadata at {imds} (token request failed: ",
            credentials.display(),
            config.display()
        );
        assert!(text.starts_with(&expected_start), "{text}");
        assert!(
            text.ends_with(
                "). Set one of these, or pass your own source with a `ProvideCredentials` \
                 implementation."
            ),
            "{text}"
        );
        assert!(!text.contains(TOKEN), "{text}");

        // IMDS disabled: said so.
        let env = Env::from_vars([
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]);
        let err = DefaultChain::new(env, http_client())
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains(", EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED). Set"),
            "{err}"
        );
    }

    /// Without the `profile` feature, a variable that names a profile or a file is an error
    /// naming it and the feature (once the environment has no keys), not a silent fall
    /// through to the container or the instance's credentials.
    #[cfg(not(feature = "profile"))]
    #[tokio::test]
    async fn profile_variables_are_an_error_when_profiles_are_compiled_out() {
        let dir = TempDir::new();
        for var in [
            "AWS_PROFILE",
            "AWS_CONFIG_FILE",
            "AWS_SHARED_CREDENTIALS_FILE",
        ] {
            let err = chain(&dir, &[(var, "dev")])
                .provide_credentials()
                .await
                .unwrap_err();
            assert_eq!(err.kind(), CredentialsErrorKind::Unsupported);
            assert_eq!(
                err.to_string(),
                format!(
                    "the environment variable {var} is set, which asks for profile files, but \
                     this build leaves them out: enable lambda-sdk's `profile` cargo feature, or \
                     unset {var}"
                )
            );
            // Keys in the environment come first, as with the feature.
            let c = chain(
                &dir,
                &[
                    (var, "dev"),
                    ("AWS_ACCESS_KEY_ID", "ENVKEY"),
                    ("AWS_SECRET_ACCESS_KEY", SECRET),
                ],
            )
            .provide_credentials()
            .await
            .unwrap();
            assert_eq!(c.access_key_id(), "ENVKEY");
        }
    }

    /// Without the `profile` feature, an existing `~/.aws/credentials` is an error (once the
    /// environment has no keys), not a silent fall through to the instance's credentials.
    #[cfg(not(feature = "profile"))]
    #[tokio::test]
    async fn a_credentials_file_is_an_error_when_profiles_are_compiled_out() {
        let dir = TempDir::new();
        let no_file = chain(&dir, &[]).provide_credentials().await.unwrap_err();
        assert_ne!(
            no_file.kind(),
            CredentialsErrorKind::Unsupported,
            "{no_file}"
        );
        std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
        std::fs::write(dir.path().join(".aws/credentials"), "[default]\n").unwrap();
        let err = chain(&dir, &[]).provide_credentials().await.unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::Unsupported);
        assert!(
            err.to_string().contains(".aws/credentials exists, but this build leaves profile files out: enable lambda-sdk's `profile` cargo feature"),
            "{err}"
        );
        let with_keys = chain(
            &dir,
            &[
                ("AWS_ACCESS_KEY_ID", "ENVKEY"),
                ("AWS_SECRET_ACCESS_KEY", SECRET),
            ],
        )
        .provide_credentials()
        .await
        .unwrap();
        assert_eq!(with_keys.access_key_id(), "ENVKEY");
    }

    /// Without the `container-credentials` feature, the ECS / EKS variables are an error
    /// naming them and the feature: falling through to IMDS would pick up the EC2 instance's
    /// role instead of the task's.
    #[cfg(not(feature = "container-credentials"))]
    #[tokio::test]
    async fn container_variables_are_an_error_when_containers_are_compiled_out() {
        let dir = TempDir::new();
        for var in [
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ] {
            let err = chain(&dir, &[(var, "/v2/credentials/x")])
                .provide_credentials()
                .await
                .unwrap_err();
            assert_eq!(err.kind(), CredentialsErrorKind::Unsupported);
            assert_eq!(
                err.to_string(),
                format!(
                    "the environment variable {var} is set, which asks for container \
                     credentials, but this build leaves them out: enable lambda-sdk's \
                     `container-credentials` cargo feature, or unset {var}"
                )
            );
        }
    }

    /// Each source that is compiled out is named in the "no credentials" error with the
    /// feature that enables it.
    #[cfg(not(all(
        feature = "profile",
        feature = "container-credentials",
        feature = "imds",
        feature = "sts"
    )))]
    #[tokio::test]
    async fn nothing_found_names_the_sources_not_compiled_in() {
        let dir = TempDir::new();
        let err = chain(&dir, &[]).provide_credentials().await.unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::NotConfigured);
        let text = err.to_string();
        for (compiled, entry) in [
            (
                cfg!(feature = "profile"),
                "profile files: not compiled in (enable lambda-sdk's `profile` feature)",
            ),
            (
                cfg!(feature = "sts"),
                "web identity: not compiled in (enable lambda-sdk's `sts` feature)",
            ),
            (
                cfg!(feature = "container-credentials"),
                "container credentials: not compiled in (enable lambda-sdk's \
                 `container-credentials` feature)",
            ),
            (
                cfg!(feature = "imds"),
                "EC2 instance metadata: not compiled in (enable lambda-sdk's `imds` feature)",
            ),
        ] {
            assert_eq!(text.contains(entry), !compiled, "{entry}: {text}");
        }
        #[cfg(not(any(
            feature = "profile",
            feature = "container-credentials",
            feature = "imds",
            feature = "sts"
        )))]
        assert_eq!(
            text,
            "no AWS credentials found; looked in: environment variables \
             AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (not set), profile files: not compiled in \
             (enable lambda-sdk's `profile` feature), web identity: not compiled in (enable \
             lambda-sdk's `sts` feature), container credentials: not compiled in \
             (enable lambda-sdk's `container-credentials` feature), EC2 instance metadata: not \
             compiled in (enable lambda-sdk's `imds` feature). Set one of these, or pass your \
             own source with a `ProvideCredentials` implementation."
        );
    }

    #[test]
    fn debug_has_no_secrets() {
        let env = Env::from_vars([
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", TOKEN),
        ]);
        let text = format!("{:?}", DefaultChain::new(env, http_client()));
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
    }
}
