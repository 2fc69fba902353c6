//! The floor: the least work any client built on these crates can do for a Lambda
//! durable-execution call. It builds the request by hand, signs it with aws-sigv4, sends it
//! with hyper-util's pooled client over a hyper-rustls connector (`https_or_http`), reads the
//! whole body and parses it into a `serde_json::Value`. No SDK, no retries, no timeouts, no
//! serde derive, no typed errors.

#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::SystemTime;

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// Where and as whom to call.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `http(s)://host[:port]`, without a trailing slash.
    pub endpoint: String,
    /// The region, e.g. `us-east-1`.
    pub region: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token, if any.
    pub session_token: Option<String>,
}

impl Settings {
    /// From `AWS_ENDPOINT_URL` (else `https://lambda.{region}.amazonaws.com`), `AWS_REGION`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
    ///
    /// # Errors
    /// When the region or the keys are not set.
    pub fn from_env() -> Result<Settings, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let need = |name: &str| var(name).ok_or_else(|| format!("{name} is not set"));
        let region = need("AWS_REGION")?;
        let endpoint = var("AWS_ENDPOINT_URL")
            .unwrap_or_else(|| format!("https://lambda.{region}.amazonaws.com"))
            .trim_end_matches('/')
            .to_string();
        Ok(Settings {
            endpoint,
            region,
            access_key_id: need("AWS_ACCESS_KEY_ID")?,
            secret_access_key: need("AWS_SECRET_ACCESS_KEY")?,
            session_token: var("AWS_SESSION_TOKEN"),
        })
    }
}

/// A client: one connection pool, static credentials.
#[derive(Clone, Debug)]
pub struct Floor {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    endpoint: Arc<str>,
    host: Arc<str>,
    region: Arc<str>,
    identity: Identity,
}

impl Floor {
    /// Builds the client.
    ///
    /// # Errors
    /// When the endpoint has no host or TLS cannot be set up.
    pub fn new(settings: Settings) -> Result<Floor, String> {
        let host = settings
            .endpoint
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(&settings.endpoint)
            .split('/')
            .next()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("the endpoint {:?} has no host", settings.endpoint))?
            .to_string();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(provider)
            .map_err(|e| format!("TLS setup failed: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build(connector);
        let identity = aws_credential_types::Credentials::new(
            settings.access_key_id,
            settings.secret_access_key,
            settings.session_token,
            None,
            "floor",
        )
        .into();
        Ok(Floor {
            client,
            endpoint: settings.endpoint.into(),
            host: host.into(),
            region: settings.region.into(),
            identity,
        })
    }

    /// `GetDurableExecutionState`: one page of the execution's state.
    ///
    /// # Errors
    /// On any failure, with its reason.
    pub async fn get_state(
        &self,
        arn: &str,
        checkpoint_token: &str,
        marker: Option<&str>,
    ) -> Result<Value, String> {
        let mut path = format!(
            "/2025-12-01/durable-executions/{}/state?CheckpointToken={}",
            encode(arn),
            encode(checkpoint_token)
        );
        if let Some(marker) = marker {
            path.push_str("&Marker=");
            path.push_str(&encode(marker));
        }
        self.send("GET", &path, Bytes::new()).await
    }

    /// `CheckpointDurableExecution` with these `Updates` (a JSON array).
    ///
    /// # Errors
    /// On any failure, with its reason.
    pub async fn checkpoint(
        &self,
        arn: &str,
        checkpoint_token: &str,
        updates: &Value,
    ) -> Result<Value, String> {
        let path = format!("/2025-12-01/durable-executions/{}/checkpoint", encode(arn));
        // {"CheckpointToken":…,"Updates":…}, written from borrowed parts (no copy of the updates).
        let mut body = Vec::with_capacity(64 * 1024);
        body.extend_from_slice(b"{\"CheckpointToken\":");
        serde_json::to_writer(&mut body, checkpoint_token)
            .map_err(|e| format!("cannot serialize the request: {e}"))?;
        body.extend_from_slice(b",\"Updates\":");
        serde_json::to_writer(&mut body, updates)
            .map_err(|e| format!("cannot serialize the request: {e}"))?;
        body.push(b'}');
        self.send("POST", &path, body.into()).await
    }

    async fn send(&self, method: &str, path_and_query: &str, body: Bytes) -> Result<Value, String> {
        let uri = format!("{}{}", self.endpoint, path_and_query);
        let mut headers: Vec<(&str, &str)> = vec![("host", &self.host)];
        if method == "POST" {
            headers.push(("content-type", "application/json"));
        }
        let signature = self.sign(method, &uri, &headers, &body)?;
        let mut request = http::Request::builder().method(method).uri(&uri);
        for (name, value) in headers
            .iter()
            .copied()
            .chain(signature.iter().map(|(n, v)| (*n, v.as_str())))
        {
            request = request.header(name, value);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| format!("cannot build the request: {e}"))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reading the response failed: {e}"))?
            .to_bytes();
        if !status.is_success() {
            return Err(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
            ));
        }
        serde_json::from_slice(&bytes).map_err(|e| format!("the response is not JSON: {e}"))
    }

    fn sign(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Vec<(&'static str, String)>, String> {
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Double;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Enabled;
        settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
        settings.session_token_mode = SessionTokenMode::Include;
        settings.signature_location = SignatureLocation::Headers;
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region(&self.region)
            .name("lambda")
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|e| format!("cannot sign: {e}"))?
            .into();
        let signable = SignableRequest::new(
            method,
            uri,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| format!("cannot sign: {e}"))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| format!("cannot sign: {e}"))?
            .into_parts();
        let (headers, _) = instructions.into_parts();
        Ok(headers
            .into_iter()
            .map(|h| (h.name(), h.value().to_string()))
            .collect())
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len() * 3 / 2);
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_arns_into_one_segment() {
        assert_eq!(
            super::encode("arn:aws:lambda:f:$LATEST/x y+="),
            "arn%3Aaws%3Alambda%3Af%3A%24LATEST%2Fx%20y%2B%3D"
        );
    }
}
