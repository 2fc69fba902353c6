//! Credentials from the container credentials endpoint (ECS tasks, EKS Pod Identity).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use bytes::Bytes;

use super::document::{Format, parse_credentials};
use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials};
use crate::env::Env;
use crate::http::HttpClient;
use crate::http::fetch::{self, SendError};

const RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
const TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
/// The ECS credentials endpoint that relative URIs are relative to.
const ECS_HOST: &str = "http://169.254.170.2";

/// Credentials from the container credentials endpoint, as ECS tasks and EKS Pod Identity
/// provide it.
///
/// - The endpoint is `http://169.254.170.2` + `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, or else
///   `AWS_CONTAINER_CREDENTIALS_FULL_URI`. Neither set: a
///   [`NotConfigured`](super::CredentialsErrorKind::NotConfigured) error.
/// - A full URI must be `https`, or `http` to a loopback address (`localhost`, `127.0.0.0/8`,
///   `::1`) or to the ECS and EKS endpoints `169.254.170.2`, `169.254.170.23` and
///   `fd00:ec2::23`, as the AWS SDKs require; anything else is an
///   [`InvalidConfiguration`](super::CredentialsErrorKind::InvalidConfiguration) error naming
///   the URI.
/// - The `Authorization` header is the contents of the file named by
///   `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read again at each call, as the token rotates),
///   or else `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
/// - The answer is JSON: `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`.
///
/// Each attempt has a deadline (2 s by default, [`with_timeout`](Self::with_timeout)); a 5xx
/// or 429 answer is tried up to three times. An unreachable or failing endpoint is a
/// [`ProviderFailed`](super::CredentialsErrorKind::ProviderFailed) error.
///
/// ```
/// use lambda_sdk_runtime::credentials::{ContainerProvider, ProvideCredentials};
/// use lambda_sdk_runtime::env::Env;
/// use lambda_sdk_runtime::http::{HttpClient, HttpSettings};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let http = HttpClient::new(&HttpSettings::default()).unwrap();
/// let env = Env::from_vars([("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds")]);
/// let err = ContainerProvider::new(env, http).provide_credentials().await.unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "AWS_CONTAINER_CREDENTIALS_FULL_URI is `http://example.com/creds`, but a container \
///      credentials URI must use https, or http to a loopback address, 169.254.170.2, \
///      169.254.170.23 or fd00:ec2::23"
/// );
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct ContainerProvider {
    env: Env,
    http: HttpClient,
    timeout: Duration,
}

impl ContainerProvider {
    /// A provider reading its settings from `env` at each call and fetching through `http`.
    pub fn new(env: Env, http: HttpClient) -> Self {
        ContainerProvider {
            env,
            http,
            timeout: Duration::from_secs(2),
        }
    }

    /// How long each request may take in all (default 2 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The endpoint, as text, and the variable it came from.
    fn endpoint(&self) -> Result<(String, &'static str), CredentialsError> {
        if let Some(relative) = self.env.get(RELATIVE_URI) {
            let slash = if relative.starts_with('/') { "" } else { "/" };
            let uri = format!("{ECS_HOST}{slash}{relative}");
            return match uri.parse::<http::Uri>() {
                Ok(_) => Ok((uri, RELATIVE_URI)),
                Err(e) => Err(CredentialsError::invalid_configuration(format!(
                    "{RELATIVE_URI} is `{relative}`, which does not make a valid URI"
                ))
                .with_source(e)),
            };
        }
        let Some(full) = self.env.get(FULL_URI) else {
            return Err(CredentialsError::not_configured(format!(
                "container credentials ({FULL_URI} and {RELATIVE_URI} not set)"
            )));
        };
        let uri = full.parse::<http::Uri>().map_err(|e| {
            CredentialsError::invalid_configuration(format!(
                "{FULL_URI} is `{full}`, which is not a valid URI"
            ))
            .with_source(e)
        })?;
        if !is_allowed_full_uri(&uri) {
            return Err(CredentialsError::invalid_configuration(format!(
                "{FULL_URI} is `{full}`, but a container credentials URI must use https, or \
                 http to a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23"
            )));
        }
        Ok((full, FULL_URI))
    }

    /// The `Authorization` header value, if one is configured.
    fn authorization(&self) -> Result<Option<http::HeaderValue>, CredentialsError> {
        let (token, from) = if let Some(path) = self.env.get(TOKEN_FILE) {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                CredentialsError::invalid_configuration(format!(
                    "cannot read the container authorization token file `{path}` ({TOKEN_FILE})"
                ))
                .with_source(e)
            })?;
            (text.trim().to_owned(), TOKEN_FILE)
        } else if let Some(token) = self.env.get(TOKEN) {
            (token, TOKEN)
        } else {
            return Ok(None);
        };
        let mut value = http::HeaderValue::from_str(&token).map_err(|_| {
            CredentialsError::invalid_configuration(format!(
                "the container authorization token from {from} is not a valid HTTP header value"
            ))
        })?;
        value.set_sensitive(true);
        Ok(Some(value))
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let (uri, from) = self.endpoint()?;
        let authorization = self.authorization()?;
        let what = format!("the container credentials endpoint {uri} ({from})");
        let response = fetch::send(&self.http, self.timeout, || {
            let mut request =
                http::Request::get(uri.as_str()).header(http::header::ACCEPT, "application/json");
            if let Some(value) = &authorization {
                request = request.header(http::header::AUTHORIZATION, value.clone());
            }
            request.body(Bytes::new())
        })
        .await
        .map_err(|e| {
            let problem = match &e {
                SendError::Build(_) => "could not be requested",
                SendError::Transport(_) => "did not answer",
            };
            CredentialsError::provider_failed(format!("{what} {problem}: {}", e.into_message()))
        })?;
        if !response.status().is_success() {
            return Err(CredentialsError::provider_failed(format!(
                "{what} answered {}",
                fetch::describe_failure(&response)
            )));
        }
        parse_credentials(
            response.body(),
            Format::Endpoint,
            &format!("the answer of {what}"),
        )
    }
}

/// Whether a full URI may be used: https anywhere, http only to the container hosts.
fn is_allowed_full_uri(uri: &http::Uri) -> bool {
    let Some(host) = uri.host() else {
        return false;
    };
    match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("https") => true,
        Some(s) if s.eq_ignore_ascii_case("http") => {
            if host.eq_ignore_ascii_case("localhost") {
                return true;
            }
            let host = host.trim_start_matches('[').trim_end_matches(']');
            match host.parse::<IpAddr>() {
                Ok(IpAddr::V4(ip)) => {
                    ip.is_loopback()
                        || ip == Ipv4Addr::new(169, 254, 170, 2)
                        || ip == Ipv4Addr::new(169, 254, 170, 23)
                }
                Ok(IpAddr::V6(ip)) => {
                    ip.is_loopback()
                        || ip == Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x23)
                        || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
                }
                Err(_) => false,
            }
        }
        _ => false,
    }
}

impl ProvideCredentials for ContainerProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind;
    use crate::credentials::test_util::{
        SECRET, TOKEN as SESSION_TOKEN, TempDir, TestServer, closed_url, credentials_json,
        http_client,
    };

    fn provider(vars: &[(&str, &str)]) -> ContainerProvider {
        ContainerProvider::new(Env::from_vars(vars.iter().copied()), http_client())
    }

    #[test]
    fn full_uri_validation() {
        let allowed = [
            "https://example.com/creds",
            "HTTPS://example.com:8443/x",
            "http://127.0.0.1/creds",
            "http://127.1.2.3:8080/creds",
            "http://localhost:9000/",
            "http://[::1]/creds",
            "http://169.254.170.2/v2/credentials",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
        ];
        for uri in allowed {
            assert!(is_allowed_full_uri(&uri.parse().unwrap()), "{uri}");
        }
        let refused = [
            "http://example.com/creds",
            "http://169.254.169.254/latest",
            "http://10.0.0.1/",
            "http://[fd00:ec2::24]/",
            "ftp://127.0.0.1/",
            "/relative/path",
        ];
        for uri in refused {
            assert!(!is_allowed_full_uri(&uri.parse().unwrap()), "{uri}");
        }
    }

    #[tokio::test]
    async fn invalid_full_uri_names_the_uri() {
        for uri in ["http://192.168.1.10/creds", "not a uri"] {
            let err = provider(&[(FULL_URI, uri)])
                .provide_credentials()
                .await
                .unwrap_err();
            assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
            assert!(
                err.to_string()
                    .starts_with(&format!("{FULL_URI} is `{uri}`")),
                "{err}"
            );
        }
    }

    #[test]
    fn relative_uri_is_under_the_ecs_host_and_wins() {
        let p = provider(&[
            (RELATIVE_URI, "/v2/credentials/abc"),
            (FULL_URI, "http://127.0.0.1/x"),
        ]);
        let (uri, from) = p.endpoint().unwrap();
        assert_eq!(uri, "http://169.254.170.2/v2/credentials/abc");
        assert_eq!(from, RELATIVE_URI);
        let (uri, _) = provider(&[(RELATIVE_URI, "v2/x")]).endpoint().unwrap();
        assert_eq!(uri, "http://169.254.170.2/v2/x");
    }

    #[tokio::test]
    async fn not_configured() {
        let err = provider(&[]).provide_credentials().await.unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::NotConfigured);
        assert_eq!(
            err.message(),
            "container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI and \
             AWS_CONTAINER_CREDENTIALS_RELATIVE_URI not set)"
        );
    }

    #[tokio::test]
    async fn fetch_with_token() {
        let server = TestServer::start(|req| {
            if req.header("authorization") == Some("Bearer abc") {
                (
                    200,
                    credentials_json("CONTAINERKEY", "2030-01-01T00:00:00Z"),
                )
            } else {
                (401, r#"{"message":"bad token"}"#.to_owned())
            }
        })
        .await;
        let uri = format!("{}/v1/credentials", server.url());
        let c = provider(&[(FULL_URI, &uri), (TOKEN, "Bearer abc")])
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(c.access_key_id(), "CONTAINERKEY");
        assert_eq!(c.secret_access_key(), SECRET);
        assert_eq!(c.session_token(), Some(SESSION_TOKEN));
        assert!(c.expiry().is_some());
        let requests = server.requests();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].method, http::Method::GET);
        assert_eq!(requests[0].path, "/v1/credentials");

        // A wrong token: the endpoint's error, with the status.
        let err = provider(&[(FULL_URI, &uri), (TOKEN, "Bearer wrong")])
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
        assert!(
            err.to_string()
                .ends_with("answered HTTP 401 Unauthorized: {\"message\":\"bad token\"}"),
            "{err}"
        );
        assert!(!err.to_string().contains("wrong"), "{err}");
        assert_eq!(server.requests().len(), 2);
    }

    #[tokio::test]
    async fn token_file_is_read_at_each_fetch_and_beats_the_variable() {
        let server = TestServer::start(|req| {
            let key = match req.header("authorization") {
                Some("first") => "KEY1",
                Some("second") => "KEY2",
                _ => return (403, String::new()),
            };
            (200, credentials_json(key, "2030-01-01T00:00:00Z"))
        })
        .await;
        let dir = TempDir::new();
        let file = dir.write("token", "first\n");
        let uri = format!("{}/creds", server.url());
        let p = provider(&[
            (FULL_URI, uri.as_str()),
            (TOKEN_FILE, file.to_str().unwrap()),
            (TOKEN, "ignored"),
        ]);
        assert_eq!(
            p.provide_credentials().await.unwrap().access_key_id(),
            "KEY1"
        );
        dir.write("token", "second");
        assert_eq!(
            p.provide_credentials().await.unwrap().access_key_id(),
            "KEY2"
        );
        assert_eq!(server.requests().len(), 2);

        std::fs::remove_file(&file).unwrap();
        let err = p.provide_credentials().await.unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(err.to_string().contains(TOKEN_FILE), "{err}");
        assert_eq!(server.requests().len(), 2);
    }

    #[tokio::test]
    async fn server_errors_are_retried_a_bounded_number_of_times() {
        let server = TestServer::start(|_| (503, "busy".to_owned())).await;
        let uri = format!("{}/creds", server.url());
        let err = provider(&[(FULL_URI, &uri)])
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .ends_with("answered HTTP 503 Service Unavailable: busy"),
            "{err}"
        );
        assert_eq!(server.requests().len(), fetch::ATTEMPTS as usize);
    }

    #[tokio::test]
    async fn unreachable_endpoint_fails() {
        let uri = format!("{}/creds", closed_url());
        let err = provider(&[(FULL_URI, &uri)])
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
        assert!(
            err.to_string().starts_with(&format!(
                "the container credentials endpoint {uri} ({FULL_URI}) did not answer"
            )),
            "{err}"
        );
    }

    #[tokio::test]
    async fn debug_has_no_secrets() {
        let p = provider(&[(TOKEN, SESSION_TOKEN), ("AWS_SECRET_ACCESS_KEY", SECRET)]);
        let text = format!("{p:?}");
        assert!(
            !text.contains(SECRET) && !text.contains(SESSION_TOKEN),
            "{text}"
        );
    }
}
