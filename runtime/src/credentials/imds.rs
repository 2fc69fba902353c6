//! Credentials of the EC2 instance profile, from the instance metadata service (IMDSv2).

use std::time::Duration;

use super::document::{Format, parse_credentials};
use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials};
use crate::env::Env;
use crate::http::HttpClient;
use crate::http::fetch;
use crate::imds::Imds;

const CREDENTIALS_PATH: &str = "/latest/meta-data/iam/security-credentials/";

/// Credentials of the EC2 instance profile, from the instance metadata service, with the
/// session-oriented IMDSv2 protocol:
///
/// 1. `PUT /latest/api/token` with `x-aws-ec2-metadata-token-ttl-seconds: 21600`;
/// 2. `GET /latest/meta-data/iam/security-credentials/` (the role name), then
/// 3. `GET /latest/meta-data/iam/security-credentials/<role>` (the credentials), both with
///    `x-aws-ec2-metadata-token`.
///
/// The endpoint is `http://169.254.169.254`, or `http://[fd00:ec2::254]` when
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` is `IPv6`, or `AWS_EC2_METADATA_SERVICE_ENDPOINT`.
/// `AWS_EC2_METADATA_DISABLED=true` turns the provider off (a
/// [`NotConfigured`](super::CredentialsErrorKind::NotConfigured) error), as does an instance
/// without an IAM role. Each request has a short deadline (1 s by default,
/// [`with_timeout`](Self::with_timeout)) so that a machine that is not on EC2 fails fast;
/// that failure is a [`ProviderFailed`](super::CredentialsErrorKind::ProviderFailed) error.
/// The IMDSv1 fallback is not implemented.
///
/// ```
/// use lambda_sdk_runtime::credentials::{CredentialsErrorKind, ImdsProvider, ProvideCredentials};
/// use lambda_sdk_runtime::env::Env;
/// use lambda_sdk_runtime::http::{HttpClient, HttpSettings};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let http = HttpClient::new(&HttpSettings::default()).unwrap();
/// let env = Env::from_vars([("AWS_EC2_METADATA_DISABLED", "true")]);
/// let err = ImdsProvider::new(env, http).provide_credentials().await.unwrap_err();
/// assert_eq!(err.kind(), CredentialsErrorKind::NotConfigured);
/// assert_eq!(
///     err.to_string(),
///     "no AWS credentials found; looked in: EC2 instance metadata \
///      (disabled by AWS_EC2_METADATA_DISABLED)"
/// );
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct ImdsProvider {
    imds: Imds,
}

impl ImdsProvider {
    /// A provider reading its settings from `env` at each call and fetching through `http`.
    pub fn new(env: Env, http: HttpClient) -> Self {
        ImdsProvider {
            imds: Imds::new(env, http),
        }
    }

    /// How long each of the three requests may take in all (default 1 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.imds = self.imds.with_timeout(timeout);
        self
    }

    /// This provider asking the instance metadata service `imds` describes.
    pub(crate) fn with_client(mut self, imds: Imds) -> Self {
        self.imds = imds;
        self
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let imds = &self.imds;
        if imds.disabled() {
            return Err(CredentialsError::not_configured(
                "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)",
            ));
        }
        let endpoint = imds.endpoint();
        let failed = |detail: String| {
            CredentialsError::provider_failed(format!(
                "EC2 instance metadata at {endpoint} ({detail})"
            ))
        };
        let token = imds.token(&endpoint).await.map_err(failed)?;

        let response = imds
            .get(&endpoint, CREDENTIALS_PATH, &token)
            .await
            .map_err(|e| failed(format!("role request failed: {e}")))?;
        if response.status() == http::StatusCode::NOT_FOUND {
            return Err(CredentialsError::not_configured(format!(
                "EC2 instance metadata at {endpoint} (the instance has no IAM role)"
            )));
        }
        if !response.status().is_success() {
            return Err(failed(format!(
                "role request refused: {}",
                fetch::describe_failure(&response)
            )));
        }
        let roles = String::from_utf8_lossy(response.body()).into_owned();
        let Some(role) = roles.lines().map(str::trim).find(|l| !l.is_empty()) else {
            return Err(CredentialsError::not_configured(format!(
                "EC2 instance metadata at {endpoint} (the instance has no IAM role)"
            )));
        };

        let response = imds
            .get(&endpoint, &format!("{CREDENTIALS_PATH}{role}"), &token)
            .await
            .map_err(|e| failed(format!("credentials request for role `{role}` failed: {e}")))?;
        if !response.status().is_success() {
            return Err(failed(format!(
                "credentials request for role `{role}` refused: {}",
                fetch::describe_failure(&response)
            )));
        }
        parse_credentials(
            response.body(),
            Format::Endpoint,
            &format!("the EC2 instance metadata credentials of role `{role}` at {endpoint}"),
        )
    }
}

impl ProvideCredentials for ImdsProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind;
    use crate::credentials::test_util::{
        SECRET, TOKEN, TestServer, closed_url, credentials_json, http_client,
    };

    use crate::imds::{TOKEN_HEADER, TOKEN_TTL_HEADER};

    const IMDS_TOKEN: &str = "IMDSTOKEN-AQAEAKlq";

    /// An IMDSv2 server: the token for a PUT with a TTL, role and credentials only with it.
    async fn imds(role: &'static str) -> TestServer {
        TestServer::start(move |req| {
            if req.method == http::Method::PUT && req.path == "/latest/api/token" {
                return match req.header(TOKEN_TTL_HEADER) {
                    Some("21600") => (200, IMDS_TOKEN.to_owned()),
                    _ => (400, String::new()),
                };
            }
            if req.header(TOKEN_HEADER) != Some(IMDS_TOKEN) {
                return (401, String::new());
            }
            match req.path.strip_prefix(CREDENTIALS_PATH) {
                Some("") if role.is_empty() => (404, String::new()),
                Some("") => (200, format!("{role}\n")),
                Some(r) if r == role => (200, credentials_json("IMDSKEY", "2030-01-01T00:00:00Z")),
                _ => (404, String::new()),
            }
        })
        .await
    }

    fn provider(endpoint: &str) -> ImdsProvider {
        let env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint)]);
        ImdsProvider::new(env, http_client())
    }

    #[tokio::test]
    async fn imdsv2_flow() {
        let server = imds("my-role").await;
        let c = provider(&format!("{}/", server.url()))
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(c.access_key_id(), "IMDSKEY");
        assert_eq!(c.secret_access_key(), SECRET);
        assert_eq!(c.session_token(), Some(TOKEN));
        assert!(c.expiry().is_some());

        let requests = server.requests();
        let summary: Vec<_> = requests
            .iter()
            .map(|r| (r.method.as_str(), r.path.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("PUT", "/latest/api/token"),
                ("GET", "/latest/meta-data/iam/security-credentials/"),
                ("GET", "/latest/meta-data/iam/security-credentials/my-role"),
            ]
        );
        assert_eq!(requests[0].header(TOKEN_TTL_HEADER), Some("21600"));
        assert_eq!(requests[0].header(TOKEN_HEADER), None);
        for r in &requests[1..] {
            assert_eq!(r.header(TOKEN_HEADER), Some(IMDS_TOKEN));
        }
    }

    #[tokio::test]
    async fn no_role_is_not_configured() {
        let server = imds("").await;
        let err = provider(&server.url())
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::NotConfigured);
        assert!(
            err.message().ends_with("(the instance has no IAM role)"),
            "{err}"
        );
        assert_eq!(server.requests().len(), 2);
    }

    #[tokio::test]
    async fn disabled_makes_no_request() {
        let server = imds("my-role").await;
        for value in ["true", "TRUE"] {
            let env = Env::from_vars([
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url().as_str()),
                ("AWS_EC2_METADATA_DISABLED", value),
            ]);
            let err = ImdsProvider::new(env, http_client())
                .provide_credentials()
                .await
                .unwrap_err();
            assert_eq!(err.kind(), CredentialsErrorKind::NotConfigured);
        }
        assert!(server.requests().is_empty());
        // Any other value leaves it on.
        let env = Env::from_vars([
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url().as_str()),
            ("AWS_EC2_METADATA_DISABLED", "false"),
        ]);
        assert!(
            ImdsProvider::new(env, http_client())
                .provide_credentials()
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn refused_token_and_unreachable_endpoint() {
        let server = TestServer::start(|_| (403, "Forbidden".to_owned())).await;
        let err = provider(&server.url())
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
        assert_eq!(
            err.to_string(),
            format!(
                "EC2 instance metadata at {} (token request refused: HTTP 403 Forbidden: Forbidden)",
                server.url()
            )
        );
        assert_eq!(server.requests().len(), 1);

        let url = closed_url();
        let start = std::time::Instant::now();
        let err = provider(&url).provide_credentials().await.unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(5));
        assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
        assert!(
            err.to_string().starts_with(&format!(
                "EC2 instance metadata at {url} (token request failed: "
            )),
            "{err}"
        );
    }

    #[tokio::test]
    async fn slow_endpoint_times_out() {
        // A listener that accepts but never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hold = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                open.push(stream);
            }
        });
        let err = provider(&url)
            .with_timeout(Duration::from_millis(200))
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("no answer within 200ms"), "{err}");
        hold.abort();
    }

    #[test]
    fn debug_has_no_secrets() {
        let env = Env::from_vars([
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", TOKEN),
        ]);
        let text = format!("{:?}", ImdsProvider::new(env, http_client()));
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
    }
}
