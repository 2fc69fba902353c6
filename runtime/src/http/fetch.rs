//! What the network sources of credentials and settings (containers, IMDS, STS, SSO) share: a
//! request with a deadline, retried on a 5xx or 429, and error excerpts of response bodies.

use std::time::Duration;

use bytes::Bytes;

use super::HttpClient;

/// How many times a 5xx or 429 answer is tried in all, and the pause after the first one.
pub(crate) const ATTEMPTS: u32 = 3;
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

/// Why a request got no answer.
pub(crate) enum SendError {
    /// The request could not be built (such as an invalid URI).
    Build(String),
    /// The transport failed or the deadline passed.
    Transport(String),
}

impl SendError {
    pub(crate) fn into_message(self) -> String {
        match self {
            SendError::Build(m) | SendError::Transport(m) => m,
        }
    }
}

/// Sends a request built by `build`, giving up after `timeout` per attempt, and tries again
/// (up to [`ATTEMPTS`] times) when the answer is a 5xx or a 429.
pub(crate) async fn send(
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
pub(crate) fn describe_failure(response: &http::Response<Bytes>) -> String {
    let status = response.status();
    let text = excerpt(&String::from_utf8_lossy(response.body()));
    if text.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {text}")
    }
}

/// At most 256 characters of `text`, trimmed, control characters as spaces, `…` when cut: a
/// bounded, one-line quote of what a server said.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 256;
    let text: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
