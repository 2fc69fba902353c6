//! The headers every attempt carries besides the request's own, as AWS's SDKs send them:
//!
//! - `amz-sdk-invocation-id`: a random UUID, the same on every attempt of one call, so the
//!   service can tell retries of a call from new calls;
//! - `amz-sdk-request: attempt=N; max=M`: which attempt this is, of how many at most;
//! - `X-Amzn-Trace-Id`, inside AWS Lambda only (`AWS_LAMBDA_FUNCTION_NAME` set): the
//!   invocation's trace id from `_X_AMZN_TRACE_ID`, which lets Lambda detect a function that
//!   calls itself in a loop (recursion detection) and X-Ray join the call to the trace. It is
//!   read at each call, since the Lambda runtime sets it anew for each invocation.
//!
//! None of them is signed (botocore signs none of them either; see
//! `tests/fixtures/botocore-request-headers.json`), so they are added after the signature.

use http::HeaderValue;
use http::header::HeaderName;

use crate::env::Env;

/// `amz-sdk-invocation-id`.
pub(crate) const INVOCATION_ID: HeaderName = HeaderName::from_static("amz-sdk-invocation-id");
/// `amz-sdk-request`.
pub(crate) const SDK_REQUEST: HeaderName = HeaderName::from_static("amz-sdk-request");
/// `x-amzn-trace-id`.
pub(crate) const TRACE_ID: HeaderName = HeaderName::from_static("x-amzn-trace-id");

/// What one call sends on each of its attempts.
#[derive(Debug)]
pub(crate) struct CallHeaders {
    invocation_id: HeaderValue,
    trace_id: Option<HeaderValue>,
}

impl CallHeaders {
    /// A new invocation id, and the trace id `env` holds now.
    pub(crate) fn new(env: &Env) -> Self {
        CallHeaders {
            invocation_id: HeaderValue::from_str(&crate::random::idempotency_token()).unwrap_or(
                HeaderValue::from_static("00000000-0000-4000-8000-000000000000"),
            ),
            trace_id: trace_id(env),
        }
    }

    /// Adds the headers of attempt `attempt` of at most `max_attempts`.
    pub(crate) fn add_to(&self, headers: &mut http::HeaderMap, attempt: u32, max_attempts: u32) {
        if let Some(trace_id) = &self.trace_id {
            headers.insert(TRACE_ID, trace_id.clone());
        }
        headers.insert(INVOCATION_ID, self.invocation_id.clone());
        let request = format!("attempt={attempt}; max={max_attempts}");
        if let Ok(value) = HeaderValue::from_str(&request) {
            headers.insert(SDK_REQUEST, value);
        }
    }
}

/// The `X-Amzn-Trace-Id` value: `_X_AMZN_TRACE_ID` when `AWS_LAMBDA_FUNCTION_NAME` is set too
/// (and neither is empty), percent-encoded as botocore does.
fn trace_id(env: &Env) -> Option<HeaderValue> {
    env.get("AWS_LAMBDA_FUNCTION_NAME")?;
    let trace_id = env.get("_X_AMZN_TRACE_ID")?;
    HeaderValue::from_str(&encode_trace_id(&trace_id)).ok()
}

/// Percent-encodes every byte but ASCII letters and digits and `_.-~=;:+&[]{}"',` (botocore's
/// `quote(trace_id, safe='-=;:+&[]{}"\',')`), so that any value makes a valid header.
fn encode_trace_id(value: &str) -> String {
    crate::percent::encode(value, |byte| {
        byte.is_ascii_alphanumeric() || b"_.-~=;:+&[]{}\"',".contains(&byte)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lambda(trace: &str) -> Env {
        Env::from_vars([
            ("AWS_LAMBDA_FUNCTION_NAME", "fn"),
            ("_X_AMZN_TRACE_ID", trace),
        ])
    }

    fn headers(env: &Env, attempt: u32, max: u32) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        CallHeaders::new(env).add_to(&mut headers, attempt, max);
        headers
    }

    #[test]
    fn inside_lambda_the_trace_id_is_sent_as_botocore_sends_it() {
        let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        let sent = headers(&lambda(trace), 1, 3);
        assert_eq!(sent[TRACE_ID], trace);
        // What botocore 1.44.8 sent for the same value (the fixture's "encoded" case).
        let sent = headers(&lambda("Root=1 ü\t\"x\",'y'+&[]{}:<>%/?#"), 1, 3);
        assert_eq!(
            sent[TRACE_ID],
            "Root=1%20%C3%BC%09\"x\",'y'+&[]{}:%3C%3E%25%2F%3F%23"
        );
        assert_eq!(encode_trace_id("a_b.c~d-e"), "a_b.c~d-e");
    }

    #[test]
    fn outside_lambda_or_without_a_trace_id_nothing_is_sent() {
        for env in [
            Env::from_vars([("_X_AMZN_TRACE_ID", "Root=1-5759e988")]),
            Env::from_vars([("AWS_LAMBDA_FUNCTION_NAME", "fn")]),
            Env::from_vars([
                ("AWS_LAMBDA_FUNCTION_NAME", ""),
                ("_X_AMZN_TRACE_ID", "Root=1-5759e988"),
            ]),
            lambda(""),
        ] {
            assert!(headers(&env, 1, 3).get(TRACE_ID).is_none(), "{env:?}");
        }
    }

    #[test]
    fn every_attempt_says_which_it_is_under_one_invocation_id() {
        let call = CallHeaders::new(&Env::from_vars::<&str, &str>([]));
        let mut first = http::HeaderMap::new();
        call.add_to(&mut first, 1, 3);
        let mut third = http::HeaderMap::new();
        call.add_to(&mut third, 3, 3);
        assert_eq!(first[SDK_REQUEST], "attempt=1; max=3");
        assert_eq!(third[SDK_REQUEST], "attempt=3; max=3");
        assert_eq!(first[INVOCATION_ID], third[INVOCATION_ID]);
        let id = first[INVOCATION_ID]
            .to_str()
            .unwrap_or_default()
            .to_string();
        assert_eq!(id.len(), 36, "{id}");
        assert_eq!(id.as_bytes()[14], b'4', "not a v4 UUID: {id}");
        let other = headers(&Env::from_vars::<&str, &str>([]), 1, 3);
        assert_ne!(other[INVOCATION_ID], first[INVOCATION_ID]);
    }
}
