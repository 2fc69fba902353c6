//! A client of the EC2 instance metadata service (IMDSv2): where it is, whether it is turned
//! off, and its session-token and metadata requests. The instance profile's credentials
//! ([`crate::credentials::ImdsProvider`]) and the region lookup ([`crate::region`]) share it.

use std::time::Duration;

use bytes::Bytes;

use crate::env::Env;
use crate::http::{HttpClient, fetch};

const DEFAULT_ENDPOINT: &str = "http://169.254.169.254";
const DEFAULT_ENDPOINT_IPV6: &str = "http://[fd00:ec2::254]";
pub(crate) const TOKEN_TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
pub(crate) const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
const REGION_PATH: &str = "/latest/meta-data/placement/region";

/// Whether `env` turns instance metadata off (`AWS_EC2_METADATA_DISABLED` is `true`).
pub(crate) fn disabled(env: &Env) -> bool {
    env.get("AWS_EC2_METADATA_DISABLED")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// A client of the instance metadata service: where it is, whether it is turned off, and its
/// two kinds of request. The credentials provider and the region lookup share it.
#[derive(Clone, Debug)]
pub(crate) struct Imds {
    env: Env,
    http: HttpClient,
    timeout: Duration,
    /// The profile's `ec2_metadata_service_endpoint`, used when the environment sets no
    /// endpoint.
    profile_endpoint: Option<String>,
    /// The profile's `ec2_metadata_service_endpoint_mode` is `IPv6`, used when neither the
    /// environment nor the profile sets an endpoint and the environment sets no mode.
    profile_ipv6: bool,
}

impl Imds {
    /// A client reading its settings from `env` at each call and fetching through `http`.
    pub(crate) fn new(env: Env, http: HttpClient) -> Self {
        Imds {
            env,
            http,
            timeout: Duration::from_secs(1),
            profile_endpoint: None,
            profile_ipv6: false,
        }
    }

    /// This client with another deadline per request (1 s by default).
    pub(crate) fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// This client with a profile's `ec2_metadata_service_endpoint` and whether its
    /// `ec2_metadata_service_endpoint_mode` is `IPv6`.
    pub(crate) fn with_profile_settings(mut self, endpoint: Option<String>, ipv6: bool) -> Self {
        self.profile_endpoint = endpoint;
        self.profile_ipv6 = ipv6;
        self
    }

    /// Whether `AWS_EC2_METADATA_DISABLED` is `true`.
    pub(crate) fn disabled(&self) -> bool {
        disabled(&self.env)
    }

    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, the profile's endpoint, then the default endpoint
    /// of the mode (`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`, then the profile's).
    pub(crate) fn endpoint(&self) -> String {
        if let Some(endpoint) = self
            .env
            .get("AWS_EC2_METADATA_SERVICE_ENDPOINT")
            .or_else(|| self.profile_endpoint.clone())
        {
            return endpoint.trim_end_matches('/').to_owned();
        }
        let ipv6 = match self.env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") {
            Some(mode) => mode.trim().eq_ignore_ascii_case("ipv6"),
            None => self.profile_ipv6,
        };
        if ipv6 {
            DEFAULT_ENDPOINT_IPV6.to_owned()
        } else {
            DEFAULT_ENDPOINT.to_owned()
        }
    }

    /// The region of the instance (`/latest/meta-data/placement/region`). The error says
    /// which request failed and how, and names the endpoint.
    pub(crate) async fn region(&self) -> Result<String, String> {
        let endpoint = self.endpoint();
        let failed = |detail: String| format!("EC2 instance metadata at {endpoint} ({detail})");
        let token = self.token(&endpoint).await.map_err(failed)?;
        let response = self
            .get(&endpoint, REGION_PATH, &token)
            .await
            .map_err(|e| failed(format!("region request failed: {e}")))?;
        if !response.status().is_success() {
            return Err(failed(format!(
                "region request refused: {}",
                fetch::describe_failure(&response)
            )));
        }
        let region = String::from_utf8_lossy(response.body()).trim().to_owned();
        if !crate::settings::is_region_name(&region) {
            return Err(failed(format!(
                "the answer {:?} is not a region name",
                fetch::excerpt(&region)
            )));
        }
        Ok(region)
    }

    /// A session token (`PUT /latest/api/token`), marked sensitive.
    pub(crate) async fn token(&self, endpoint: &str) -> Result<http::HeaderValue, String> {
        let response = self
            .request(
                http::Method::PUT,
                &format!("{endpoint}/latest/api/token"),
                None,
            )
            .await
            .map_err(|e| format!("token request failed: {e}"))?;
        if !response.status().is_success() {
            return Err(format!(
                "token request refused: {}",
                fetch::describe_failure(&response)
            ));
        }
        let token = String::from_utf8_lossy(response.body()).trim().to_owned();
        let mut token = http::HeaderValue::from_str(&token)
            .map_err(|_| "token request: the token is not a valid header".to_owned())?;
        token.set_sensitive(true);
        Ok(token)
    }

    /// `GET` of a metadata path with the session token.
    pub(crate) async fn get(
        &self,
        endpoint: &str,
        path: &str,
        token: &http::HeaderValue,
    ) -> Result<http::Response<Bytes>, String> {
        self.request(http::Method::GET, &format!("{endpoint}{path}"), Some(token))
            .await
    }

    /// One IMDS request: the token request when `token` is `None`, else a metadata `GET`.
    async fn request(
        &self,
        method: http::Method,
        uri: &str,
        token: Option<&http::HeaderValue>,
    ) -> Result<http::Response<Bytes>, String> {
        fetch::send(&self.http, self.timeout, || {
            let builder = http::Request::builder().method(method.clone()).uri(uri);
            let builder = match token {
                None => builder.header(TOKEN_TTL_HEADER, "21600"),
                Some(token) => builder.header(TOKEN_HEADER, token.clone()),
            };
            builder.body(Bytes::new())
        })
        .await
        .map_err(fetch::SendError::into_message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::test_util::{TestServer, http_client};

    const IMDS_TOKEN: &str = "IMDSTOKEN-AQAEAKlq";

    #[tokio::test]
    async fn region_is_fetched_with_a_token_and_checked() {
        let server = TestServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
            ("PUT", "/latest/api/token") => (200, IMDS_TOKEN.to_owned()),
            (_, REGION_PATH) if req.header(TOKEN_HEADER) == Some(IMDS_TOKEN) => {
                (200, "<html>not a region</html>".to_owned())
            }
            _ => (401, String::new()),
        })
        .await;
        let env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url())]);
        let err = Imds::new(env, http_client()).region().await.unwrap_err();
        assert_eq!(
            err,
            format!(
                "EC2 instance metadata at {} (the answer \"<html>not a region</html>\" is not \
                 a region name)",
                server.url()
            )
        );
    }

    #[test]
    fn endpoint_selection() {
        let endpoint = |vars: &[(&str, &str)], profile: Option<&str>, ipv6: bool| {
            Imds::new(Env::from_vars(vars.iter().copied()), http_client())
                .with_profile_settings(profile.map(String::from), ipv6)
                .endpoint()
        };
        const MODE: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";
        const ENDPOINT: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
        assert_eq!(endpoint(&[], None, false), "http://169.254.169.254");
        assert_eq!(
            endpoint(&[(MODE, "IPv6")], None, false),
            "http://[fd00:ec2::254]"
        );
        // The profile's mode, unless the environment sets one.
        assert_eq!(endpoint(&[], None, true), "http://[fd00:ec2::254]");
        assert_eq!(
            endpoint(&[(MODE, "IPv4")], None, true),
            "http://169.254.169.254"
        );
        // An endpoint wins over any mode; the environment's over the profile's.
        assert_eq!(
            endpoint(&[(MODE, "IPv6")], Some("http://p/"), true),
            "http://p"
        );
        assert_eq!(
            endpoint(&[(ENDPOINT, "http://e")], Some("http://p"), false),
            "http://e"
        );
    }
}
