//! What the network sources share: a request with a deadline, error excerpts of response
//! bodies, and the JSON credentials documents (which hold secrets, so parse errors never quote
//! them).

use std::time::Duration;

use bytes::Bytes;
use serde::Deserialize;

use super::{Credentials, CredentialsError, parse_expiry};
use crate::http::HttpClient;

/// How many times a 5xx or 429 answer is tried in all, and the pause after the first one.
pub(super) const ATTEMPTS: u32 = 3;
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

/// Why a request got no answer.
pub(super) enum SendError {
    /// The request could not be built (such as an invalid URI).
    Build(String),
    /// The transport failed or the deadline passed.
    Transport(String),
}

impl SendError {
    pub(super) fn into_message(self) -> String {
        match self {
            SendError::Build(m) | SendError::Transport(m) => m,
        }
    }
}

/// Sends a request built by `build`, giving up after `timeout` per attempt, and tries again
/// (up to [`ATTEMPTS`] times) when the answer is a 5xx or a 429.
pub(super) async fn send(
    http: &HttpClient,
    timeout: Duration,
    build: impl Fn() -> Result<http::Request<Bytes>, http::Error>,
) -> Result<http::Response<Bytes>, SendError> {
    let mut backoff = FIRST_BACKOFF;
    let mut attempt = 1;
    loop {
        let request = build().map_err(|e| SendError::Build(e.to_string()))?;
        let response = match tokio::time::timeout(timeout, http.send(request)).await {
            Ok(Ok(response)) => response,
            Ok(Err(e)) => return Err(SendError::Transport(e.to_string())),
            Err(_) => {
                return Err(SendError::Transport(format!(
                    "no answer within {timeout:?}"
                )));
            }
        };
        let status = response.status();
        let retryable = status.is_server_error() || status == http::StatusCode::TOO_MANY_REQUESTS;
        if !retryable || attempt >= ATTEMPTS {
            return Ok(response);
        }
        tracing::debug!(%status, attempt, "credentials endpoint failed; trying again");
        tokio::time::sleep(backoff).await;
        backoff *= 2;
        attempt += 1;
    }
}

/// `HTTP <status>` plus the start of the body, for messages about failed requests. Only used
/// for error answers, which hold no credentials.
pub(super) fn describe_failure(response: &http::Response<Bytes>) -> String {
    const MAX: usize = 256;
    let status = response.status();
    let text = String::from_utf8_lossy(response.body());
    let text: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.is_empty() {
        return format!("HTTP {status}");
    }
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("HTTP {status}: {}…", &text[..cut]),
        None => format!("HTTP {status}: {text}"),
    }
}

/// The members of the credentials documents of containers, IMDS and `credential_process`.
#[derive(Deserialize)]
struct Document {
    #[serde(rename = "Version")]
    version: Option<serde_json::Value>,
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
    #[serde(rename = "AccessKeyId")]
    access_key_id: Option<String>,
    #[serde(rename = "SecretAccessKey")]
    secret_access_key: Option<String>,
    #[serde(rename = "Token", alias = "SessionToken")]
    token: Option<String>,
    #[serde(rename = "Expiration")]
    expiration: Option<String>,
}

/// Which document format to expect.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    /// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`, with an optional `Code`
    /// that must be `Success` (IMDS, containers).
    Endpoint,
    /// `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}`.
    Process,
}

/// Reads credentials from a JSON document. `what` names the document in messages ("the
/// response of …"); messages never quote the document.
pub(super) fn parse_credentials(
    body: &[u8],
    format: Format,
    what: &str,
) -> Result<Credentials, CredentialsError> {
    let doc: Document = serde_json::from_slice(body).map_err(|e| {
        let problem = match e.classify() {
            serde_json::error::Category::Syntax => "is not valid JSON",
            serde_json::error::Category::Eof => "is truncated JSON",
            serde_json::error::Category::Data => "does not have the expected JSON members",
            serde_json::error::Category::Io => "could not be read",
        };
        CredentialsError::provider_failed(format!(
            "{what} {problem} (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    if format == Format::Process {
        match &doc.version {
            Some(v) if v.as_u64() == Some(1) => {}
            Some(_) => {
                return Err(CredentialsError::provider_failed(format!(
                    "{what} has an unsupported `Version` (only 1 is supported)"
                )));
            }
            None => {
                return Err(CredentialsError::provider_failed(format!(
                    "{what} has no `Version` (expected 1)"
                )));
            }
        }
    }
    if let Some(code) = &doc.code
        && code != "Success"
    {
        let detail = doc.message.as_deref().unwrap_or("no message");
        return Err(CredentialsError::provider_failed(format!(
            "{what} reports `{code}`: {detail}"
        )));
    }
    let missing =
        |member: &str| CredentialsError::provider_failed(format!("{what} has no `{member}`"));
    let key = doc
        .access_key_id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("AccessKeyId"))?;
    let secret = doc
        .secret_access_key
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("SecretAccessKey"))?;
    let mut credentials = Credentials::new(key, secret, doc.token.filter(|s| !s.is_empty()));
    if let Some(expiration) = doc.expiration.filter(|s| !s.is_empty()) {
        credentials = credentials.with_expiry(parse_expiry(&expiration, what)?);
    }
    Ok(credentials)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::test_util::{SECRET, TOKEN};
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn endpoint_document() {
        let body = crate::credentials::test_util::credentials_json("AKID", "2020-01-01T00:00:00Z");
        let c = parse_credentials(body.as_bytes(), Format::Endpoint, "the response").unwrap();
        assert_eq!(c.access_key_id(), "AKID");
        assert_eq!(c.secret_access_key(), SECRET);
        assert_eq!(c.session_token(), Some(TOKEN));
        assert_eq!(
            c.expiry(),
            Some(UNIX_EPOCH + Duration::from_secs(1_577_836_800))
        );
    }

    #[test]
    fn process_document_needs_version_1() {
        let ok = format!(r#"{{"Version":1,"AccessKeyId":"A","SecretAccessKey":"{SECRET}"}}"#);
        let c = parse_credentials(ok.as_bytes(), Format::Process, "output").unwrap();
        assert_eq!(c.session_token(), None);
        assert_eq!(c.expiry(), None);
        let v2 = format!(r#"{{"Version":2,"AccessKeyId":"A","SecretAccessKey":"{SECRET}"}}"#);
        let err = parse_credentials(v2.as_bytes(), Format::Process, "output").unwrap_err();
        assert!(err.to_string().contains("unsupported `Version`"), "{err}");
        let none = format!(r#"{{"AccessKeyId":"A","SecretAccessKey":"{SECRET}"}}"#);
        let err = parse_credentials(none.as_bytes(), Format::Process, "output").unwrap_err();
        assert!(err.to_string().contains("no `Version`"), "{err}");
    }

    #[test]
    fn errors_never_quote_the_document() {
        let cases = [
            format!(r#"{{"AccessKeyId": 5, "SecretAccessKey": "{SECRET}"}}"#),
            format!(r#"{{"AccessKeyId": "A", "SecretAccessKey": ["{SECRET}"]}}"#),
            format!(r#"{{"AccessKeyId": "A", "SecretAccessKey": "{SECRET}""#),
            SECRET.to_owned(),
            format!(r#"{{"AccessKeyId": "A", "Token": "{TOKEN}"}}"#),
            format!(r#"{{"Code": "Failure", "Token": "{TOKEN}", "SecretAccessKey": "{SECRET}"}}"#),
        ];
        for body in cases {
            let err =
                parse_credentials(body.as_bytes(), Format::Endpoint, "the response").unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
        }
    }

    #[test]
    fn failure_excerpt_is_bounded() {
        let long = "x".repeat(1000);
        let response = http::Response::builder()
            .status(500)
            .body(Bytes::from(long))
            .unwrap();
        let text = describe_failure(&response);
        assert!(
            text.starts_with("HTTP 500 Internal Server Error: xxx"),
            "{text}"
        );
        assert!(text.len() < 300, "{}", text.len());
        let empty = http::Response::builder()
            .status(404)
            .body(Bytes::new())
            .unwrap();
        assert_eq!(describe_failure(&empty), "HTTP 404 Not Found");
    }
}
