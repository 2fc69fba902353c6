//! The default credentials chain: environment, profile, container, instance metadata.

use super::{
    BoxFuture, ContainerProvider, Credentials, CredentialsError, CredentialsErrorKind,
    EnvironmentProvider, ImdsProvider, ProfileProvider, ProvideCredentials,
};
use crate::env::Env;
use crate::http::HttpClient;

/// The standard sources, tried in order at each call:
///
/// 1. [`EnvironmentProvider`]: the variables `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
///    `AWS_SESSION_TOKEN`;
/// 2. [`ProfileProvider`]: the selected profile of `~/.aws/credentials` and `~/.aws/config`
///    (read at the call, so a broken file only matters when the environment has no
///    credentials);
/// 3. `AWS_WEB_IDENTITY_TOKEN_FILE` or `AWS_ROLE_ARN` set: an
///    [`Unsupported`](CredentialsErrorKind::Unsupported) error (web identity federation is not
///    implemented);
/// 4. [`ContainerProvider`]: ECS and EKS Pod Identity;
/// 5. [`ImdsProvider`]: the EC2 instance profile.
///
/// The first source that yields credentials wins. A source that is not configured is skipped;
/// a configured source that fails (a key without a secret, an unreachable container endpoint,
/// a failing `credential_process`) stops the chain with its error. The instance metadata
/// service is the exception: failing to reach it means "not on EC2", and the chain then
/// returns a [`NotConfigured`](CredentialsErrorKind::NotConfigured) error listing where it
/// looked.
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
    env: Env,
    environment: EnvironmentProvider,
    profile: ProfileProvider,
    container: ContainerProvider,
    imds: ImdsProvider,
}

impl DefaultChain {
    /// The chain reading `env` and fetching through `http`. Does no I/O.
    pub fn new(env: Env, http: HttpClient) -> Self {
        DefaultChain {
            environment: EnvironmentProvider::new(env.clone()),
            profile: ProfileProvider::new(env.clone()),
            container: ContainerProvider::new(env.clone(), http.clone()),
            imds: ImdsProvider::new(env.clone(), http),
            env,
        }
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let mut looked_in = Vec::new();
        let before_web_identity: [&dyn ProvideCredentials; 2] = [&self.environment, &self.profile];
        for provider in before_web_identity {
            match provider.provide_credentials().await {
                Ok(credentials) => return Ok(credentials),
                Err(e) if e.kind() == CredentialsErrorKind::NotConfigured => {
                    looked_in.push(e.looked_in());
                }
                Err(e) => return Err(e),
            }
        }
        for var in ["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"] {
            if self.env.get(var).is_some() {
                return Err(CredentialsError::unsupported(format!(
                    "the environment variable {var} asks for web identity federation (assume a \
                     role with a web identity token), which this SDK does not implement; set \
                     AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, or pass your own \
                     source with a `ProvideCredentials` implementation"
                )));
            }
        }
        match self.container.provide_credentials().await {
            Ok(credentials) => return Ok(credentials),
            Err(e) if e.kind() == CredentialsErrorKind::NotConfigured => {
                looked_in.push(e.looked_in());
            }
            Err(e) => return Err(e),
        }
        match self.imds.provide_credentials().await {
            Ok(credentials) => return Ok(credentials),
            Err(e) => {
                tracing::debug!(error = %e, "no credentials from EC2 instance metadata");
                looked_in.push(e.looked_in());
            }
        }
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
    use crate::credentials::test_util::{
        SECRET, TOKEN, TempDir, TestServer, closed_url, credentials_json, http_client,
    };

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

    #[tokio::test]
    async fn profile_wins_over_container() {
        let dir = TempDir::new();
        write_profile(&dir, "PROFILEKEY");
        let server = TestServer::start(|_| {
            (
                200,
                credentials_json("CONTAINERKEY", "2030-01-01T00:00:00Z"),
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

    #[tokio::test]
    async fn container_wins_over_imds_and_its_failure_stops_the_chain() {
        let dir = TempDir::new();
        let imds = TestServer::start(|_| (500, String::new())).await;
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

    #[tokio::test]
    async fn imds_is_last() {
        let dir = TempDir::new();
        let imds = TestServer::start(|req| match req.path.as_str() {
            "/latest/api/token" => (200, "T".to_owned()),
            "/latest/meta-data/iam/security-credentials/" => (200, "role".to_owned()),
            _ => (200, credentials_json("IMDSKEY", "2030-01-01T00:00:00Z")),
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
    async fn web_identity_is_unsupported_unless_an_earlier_source_answers() {
        let dir = TempDir::new();
        for var in ["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"] {
            let err = chain(&dir, &[(var, "x")])
                .provide_credentials()
                .await
                .unwrap_err();
            assert_eq!(err.kind(), CredentialsErrorKind::Unsupported);
            assert!(err.to_string().contains(var), "{err}");
            assert!(err.to_string().contains("`ProvideCredentials`"), "{err}");
        }
        write_profile(&dir, "PROFILEKEY");
        let c = chain(&dir, &[("AWS_ROLE_ARN", "arn:aws:iam::1:role/r")])
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(c.access_key_id(), "PROFILEKEY");
    }

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
        let expected_start = format!(
            "no AWS credentials found; looked in: environment variables \
             AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (not set), profile `default` in {} \
             and {} (neither file exists), container credentials \
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
