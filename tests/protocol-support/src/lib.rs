//! Support for the Smithy protocol compliance tests that `cargo xtask protocol-tests`
//! generates: a connector that captures requests and answers with a canned response, a
//! configuration that uses it, and the comparisons each case needs. Hand-written and compiled
//! with the workspace; the generated tests only call it.
#![forbid(unsafe_code)]

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use lambda_sdk_runtime::config::Config;
use lambda_sdk_runtime::credentials::{BoxFuture, Credentials};
use lambda_sdk_runtime::http::{HttpConnector, HttpError};
use serde_json::Value;

/// Records every request and answers each with the same canned response.
#[derive(Clone, Debug)]
pub struct Capture {
    state: Arc<State>,
}

#[derive(Debug)]
struct State {
    requests: Mutex<Vec<http::Request<Bytes>>>,
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Capture {
    /// A capture that answers `200` with an empty JSON object.
    pub fn new() -> Capture {
        Capture::responding(200, &[], "{}")
    }

    /// A capture that answers with this status, headers and body.
    pub fn responding(status: u16, headers: &[(&str, &str)], body: &str) -> Capture {
        Capture {
            state: Arc::new(State {
                requests: Mutex::new(Vec::new()),
                status,
                headers: headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                body: Bytes::copy_from_slice(body.as_bytes()),
            }),
        }
    }

    /// The one request sent; panics unless exactly one was.
    pub fn single_request(&self) -> http::Request<Bytes> {
        let mut requests = self
            .state
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request, got {}",
            requests.len()
        );
        requests.remove(0)
    }
}

impl Default for Capture {
    fn default() -> Self {
        Capture::new()
    }
}

impl HttpConnector for Capture {
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, HttpError>> {
        self.state
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(request);
        let mut response = http::Response::builder().status(self.state.status);
        for (name, value) in &self.state.headers {
            response = response.header(name.as_str(), value.as_str());
        }
        let response = response.body(self.state.body.clone());
        Box::pin(async move {
            response.map_err(|e| HttpError::new(lambda_sdk_runtime::http::HttpErrorKind::Io, e))
        })
    }
}

/// A configuration whose endpoint is `https://{host}` and whose requests go to `capture`, with
/// retries off so that each case sends exactly one request, and the fixed idempotency token
/// the suite expects.
pub fn config(host: &str, capture: &Capture) -> Config {
    Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new("AKIDEXAMPLE", "SECRET", None))
        .endpoint_url(format!("https://{host}"))
        .retry_config(lambda_sdk_runtime::retry::RetryConfig::disabled())
        // The suite expects this token wherever the client fills an idempotency token.
        .idempotency_token_provider(|| "00000000-0000-4000-8000-000000000000".to_string())
        .http_connector(capture.clone())
        .build()
        .unwrap_or_else(|e| panic!("test configuration: {e}"))
}

/// What a request case expects.
#[derive(Debug)]
pub struct ExpectedRequest<'a> {
    /// The method.
    pub method: &'a str,
    /// The path (percent-encoded), without the query.
    pub uri: &'a str,
    /// The endpoint host the case configures.
    pub host: &'a str,
    /// The host the request must go to, when the case says.
    pub resolved_host: Option<&'a str>,
    /// `key=value` pairs (percent-encoded) that must be in the query.
    pub query_params: &'a [&'a str],
    /// Keys that must not be in the query.
    pub forbid_query_params: &'a [&'a str],
    /// Keys that must be in the query.
    pub require_query_params: &'a [&'a str],
    /// Headers that must be present with these values.
    pub headers: &'a [(&'a str, &'a str)],
    /// Headers that must be absent.
    pub forbid_headers: &'a [&'a str],
    /// Headers that must be present.
    pub require_headers: &'a [&'a str],
    /// The expected body.
    pub body: Option<&'a str>,
    /// How to compare the body: JSON media types compare as JSON, anything else as bytes.
    pub body_media_type: Option<&'a str>,
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_pairs(query: &str) -> Vec<(String, Option<String>)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (percent_decode(k), Some(percent_decode(v))),
            None => (percent_decode(pair), None),
        })
        .collect()
}

/// Checks a captured request against a case.
pub fn assert_request(request: &http::Request<Bytes>, expected: &ExpectedRequest<'_>) {
    assert_eq!(request.method().as_str(), expected.method, "method");
    let uri = request.uri();
    assert_eq!(uri.path(), expected.uri, "path");
    if let Some(host) = expected.resolved_host {
        assert_eq!(uri.host(), Some(host), "resolved host");
    }
    let actual = query_pairs(uri.query().unwrap_or(""));
    let mut remaining = actual.clone();
    for pair in expected.query_params {
        let wanted = match pair.split_once('=') {
            Some((k, v)) => (percent_decode(k), Some(percent_decode(v))),
            None => (percent_decode(pair), None),
        };
        let found = remaining.iter().position(|p| {
            p.0 == wanted.0
                && (p.1 == wanted.1 || (wanted.1.is_none() && p.1.as_deref() == Some("")))
        });
        match found {
            Some(i) => {
                remaining.remove(i);
            }
            None => panic!(
                "query parameter {pair:?} missing; the query was {:?}",
                uri.query()
            ),
        }
    }
    for key in expected.forbid_query_params {
        assert!(
            actual.iter().all(|(k, _)| k != key),
            "query parameter {key:?} must be absent: {:?}",
            uri.query()
        );
    }
    for key in expected.require_query_params {
        assert!(
            actual.iter().any(|(k, _)| k == key),
            "query parameter {key:?} must be present: {:?}",
            uri.query()
        );
    }
    let headers = request.headers();
    for (name, value) in expected.headers {
        let values: Vec<&str> = headers
            .get_all(*name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        assert!(
            !values.is_empty(),
            "header {name:?} missing; headers were {headers:?}"
        );
        assert_eq!(values.join(", "), *value, "header {name:?}");
    }
    for name in expected.forbid_headers {
        assert!(
            headers.get(*name).is_none(),
            "header {name:?} must be absent: {headers:?}"
        );
    }
    for name in expected.require_headers {
        assert!(
            headers.get(*name).is_some(),
            "header {name:?} must be present: {headers:?}"
        );
    }
    if let Some(body) = expected.body {
        assert_body(request.body(), body, expected.body_media_type);
    }
}

fn assert_body(actual: &[u8], expected: &str, media_type: Option<&str>) {
    let json = media_type.is_some_and(|m| m.contains("json"));
    if json && !expected.is_empty() {
        let expected: Value = serde_json::from_str(expected)
            .unwrap_or_else(|e| panic!("the case's body is not JSON: {e}"));
        let actual: Value = serde_json::from_slice(actual).unwrap_or_else(|e| {
            panic!(
                "the body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(actual)
            )
        });
        assert_eq!(actual, expected, "JSON body");
    } else {
        assert_eq!(String::from_utf8_lossy(actual), expected, "body (as text)");
    }
}

/// Compares two values by their JSON form (for values holding NaN, which is not equal to itself).
pub fn assert_same_json<T: lambda_sdk_runtime::__private::serde::Serialize + Debug>(
    actual: &T,
    expected: &T,
) {
    let a =
        serde_json::to_value(actual).unwrap_or_else(|e| panic!("cannot serialize {actual:?}: {e}"));
    let e = serde_json::to_value(expected)
        .unwrap_or_else(|e| panic!("cannot serialize {expected:?}: {e}"));
    assert_eq!(a, e);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_comparison_decodes_and_counts() {
        let request = http::Request::builder()
            .method("GET")
            .uri("https://example.com/path?a=1&a=1&b=x%20y&flag")
            .body(Bytes::new())
            .unwrap();
        assert_request(
            &request,
            &ExpectedRequest {
                method: "GET",
                uri: "/path",
                host: "example.com",
                resolved_host: Some("example.com"),
                query_params: &["a=1", "a=1", "b=x%20y", "flag"],
                forbid_query_params: &["c"],
                require_query_params: &["b"],
                headers: &[],
                forbid_headers: &[],
                require_headers: &[],
                body: Some(""),
                body_media_type: None,
            },
        );
    }

    #[test]
    #[should_panic(expected = "query parameter")]
    fn a_missing_repeat_fails() {
        let request = http::Request::builder()
            .uri("https://example.com/p?a=1")
            .body(Bytes::new())
            .unwrap();
        assert_request(
            &request,
            &ExpectedRequest {
                method: "GET",
                uri: "/p",
                host: "example.com",
                resolved_host: None,
                query_params: &["a=1", "a=1"],
                forbid_query_params: &[],
                require_query_params: &[],
                headers: &[],
                forbid_headers: &[],
                require_headers: &[],
                body: None,
                body_media_type: None,
            },
        );
    }

    #[test]
    fn json_bodies_compare_as_json() {
        assert_body(
            br#"{"b":1, "a":[true]}"#,
            "{\"a\": [true], \"b\": 1}",
            Some("application/json"),
        );
    }
}
