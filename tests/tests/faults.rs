//! Fault tests: broken connections, stalls, status storms, odd content types, malformed and
//! hostile JSON, and oversized responses, each against a loopback server. Every case must end in
//! the right typed error (or the right value) within the configured timeouts, with a bounded
//! number of attempts, and a retried `CheckpointDurableExecution` must carry one `ClientToken`
//! on every attempt.
#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use lambda_sdk::config::{ConfigBuilder, RetryConfig, TimeoutConfig};
use lambda_sdk::error::{HttpErrorKind, OperationError, TimeoutKind};
use lambda_sdk::primitives::DateTime;
use lambda_sdk::types::{
    CheckpointDurableExecutionError, CheckpointDurableExecutionRequest,
    CheckpointDurableExecutionResponse, ExecutionStatus, GetDurableExecutionRequest,
    GetDurableExecutionStateError, GetDurableExecutionStateRequest,
    GetDurableExecutionStateResponse, OperationStatus, OperationType,
};
use lambda_sdk::{Client, Config, Credentials, Error};
use lambda_sdk_tests::fault_server::{Fault, FaultServer, ok_json, raw_response};
use lambda_sdk_tests::wire_server::{Reply, WireServer};
use serde_json::json;

const ARN: &str =
    "arn:aws:lambda:us-east-1:123456789012:function:my-fn:$LATEST/durable-execution/run/a1b2";
const TOKEN: &str = "ct-1";
const LIMIT: usize = 1024 * 1024;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A client configuration for `endpoint` with `attempts` attempts, short backoffs, short
/// timeouts and a 1 MiB response limit.
fn config(endpoint: &str, attempts: u32) -> ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKIDEXAMPLE", "SECRETKEY", None))
        .endpoint_url(endpoint)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(ms(5))
                .with_max_backoff(ms(50)),
        )
        .timeout_config(
            TimeoutConfig::default()
                .with_connect(ms(500))
                .with_attempt(Some(Duration::from_secs(2)))
                .with_operation(Some(Duration::from_secs(6))),
        )
        .max_response_bytes(LIMIT)
}

fn client(endpoint: &str, attempts: u32) -> Client {
    Client::new(config(endpoint, attempts).build().expect("config"))
}

async fn checkpoint(
    client: &Client,
) -> Result<CheckpointDurableExecutionResponse, Error<CheckpointDurableExecutionError>> {
    client
        .checkpoint_durable_execution(CheckpointDurableExecutionRequest {
            durable_execution_arn: ARN.into(),
            checkpoint_token: TOKEN.into(),
            ..Default::default()
        })
        .await
}

async fn get_state(
    client: &Client,
) -> Result<GetDurableExecutionStateResponse, Error<GetDurableExecutionStateError>> {
    client
        .get_durable_execution_state(GetDurableExecutionStateRequest {
            durable_execution_arn: ARN.into(),
            checkpoint_token: TOKEN.into(),
            ..Default::default()
        })
        .await
}

/// `GetDurableExecutionState` against a server that always sends `200` with this body.
async fn state_from_body(
    body: impl Into<Vec<u8>>,
) -> Result<GetDurableExecutionStateResponse, Error<GetDurableExecutionStateError>> {
    let server = WireServer::always(
        Reply::status(200)
            .header("content-type", "application/json")
            .body(body),
    )
    .await;
    let result = get_state(&client(&server.endpoint(), 3)).await;
    assert_eq!(server.requests().len(), 1, "a 200 is never retried");
    result
}

fn transport_kind<E: OperationError>(err: &Error<E>) -> Option<HttpErrorKind> {
    match err {
        Error::Transport(e) => Some(e.kind()),
        _ => None,
    }
}

/// Asserts that every body carries the same, generated `ClientToken`.
fn assert_one_client_token(bodies: impl IntoIterator<Item = serde_json::Value>) {
    let tokens: Vec<serde_json::Value> = bodies
        .into_iter()
        .map(|body| body["ClientToken"].clone())
        .collect();
    assert!(
        tokens
            .first()
            .and_then(|t| t.as_str())
            .is_some_and(|t| t.len() == 36),
        "{tokens:?}"
    );
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
}

fn raw_bodies(server: &FaultServer) -> impl Iterator<Item = serde_json::Value> {
    server.requests().into_iter().map(|r| r.json())
}

fn wire_bodies(server: &WireServer) -> impl Iterator<Item = serde_json::Value> {
    server.requests().into_iter().map(|r| r.json())
}

const CHECKPOINT_OK: &str = r#"{"CheckpointToken":"ct-2","NewExecutionState":{"Operations":[]}}"#;

// ---------------------------------------------------------------------------------------------
// Connections

#[tokio::test]
async fn a_refused_connection_is_a_connect_error_within_bounded_attempts() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let started = Instant::now();
    let err = checkpoint(&client(&format!("http://127.0.0.1:{port}"), 3))
        .await
        .expect_err("refused");
    assert_eq!(
        transport_kind(&err),
        Some(HttpErrorKind::Connect),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_reset_or_close_mid_headers_is_retried_with_one_client_token() {
    let server = FaultServer::start(|n| match n {
        // Half the headers, then RST.
        0 => Fault::Reset(b"HTTP/1.1 200 OK\r\nContent-Type: appli".to_vec()),
        // Half a status line, then FIN.
        1 => Fault::Close(b"HTTP/1.1 2".to_vec()),
        _ => Fault::Close(ok_json(CHECKPOINT_OK)),
    })
    .await;
    let out = checkpoint(&client(&server.endpoint(), 3))
        .await
        .expect("the third attempt succeeds");
    assert_eq!(out.checkpoint_token.as_deref(), Some("ct-2"));
    assert_eq!(server.requests().len(), 3);
    assert_one_client_token(raw_bodies(&server));
}

#[tokio::test]
async fn resets_mid_headers_on_every_attempt_end_in_an_io_error() {
    let server = FaultServer::always(Fault::Reset(b"HTTP/1.1 503 Service Unav".to_vec())).await;
    let started = Instant::now();
    let err = checkpoint(&client(&server.endpoint(), 3))
        .await
        .expect_err("every attempt is reset");
    assert_eq!(transport_kind(&err), Some(HttpErrorKind::Io), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(
        server.requests().len(),
        3,
        "max_attempts bounds the retries"
    );
    assert_eq!(server.connections(), 3);
    assert_one_client_token(raw_bodies(&server));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_close_mid_body_is_an_io_error_and_retried() {
    // Content-Length 100, 10 bytes, then FIN (and, on the second connection, RST).
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
    let mut short = head.as_bytes().to_vec();
    short.extend_from_slice(br#"{"Checkpo"#);
    short.push(b' ');
    assert_eq!(short.len() - head.len(), 10);
    let (close, reset) = (short.clone(), short);
    let server = FaultServer::start(move |n| match n {
        0 => Fault::Close(close.clone()),
        _ => Fault::Reset(reset.clone()),
    })
    .await;
    let err = checkpoint(&client(&server.endpoint(), 2))
        .await
        .expect_err("the body is cut short");
    assert_eq!(transport_kind(&err), Some(HttpErrorKind::Io), "{err:?}");
    assert_eq!(server.requests().len(), 2);
    assert_one_client_token(raw_bodies(&server));

    // And a retry after a short body succeeds.
    let short_body = {
        let mut b = head.as_bytes().to_vec();
        b.extend_from_slice(b"{}");
        b
    };
    let server = FaultServer::start(move |n| match n {
        0 => Fault::Close(short_body.clone()),
        _ => Fault::Close(ok_json(CHECKPOINT_OK)),
    })
    .await;
    let out = checkpoint(&client(&server.endpoint(), 2))
        .await
        .expect("the second attempt succeeds");
    assert_eq!(out.checkpoint_token.as_deref(), Some("ct-2"));
    assert_eq!(server.requests().len(), 2);
    assert_one_client_token(raw_bodies(&server));
}

#[tokio::test]
async fn an_unanswered_request_hits_the_attempt_timeout_on_every_attempt() {
    let server = FaultServer::always(Fault::Stall(Vec::new())).await;
    let config = config(&server.endpoint(), 2)
        .timeout_config(
            TimeoutConfig::default()
                .with_connect(ms(500))
                .with_attempt(Some(ms(300)))
                .with_operation(Some(Duration::from_secs(5))),
        )
        .build()
        .expect("config");
    let started = Instant::now();
    let err = checkpoint(&Client::new(config))
        .await
        .expect_err("never answered");
    let elapsed = started.elapsed();
    match &err {
        Error::Timeout(t) => {
            assert_eq!(t.kind(), TimeoutKind::Attempt);
            assert_eq!(t.after(), ms(300));
        }
        other => panic!("expected an attempt timeout, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(server.requests().len(), 2);
    assert_one_client_token(raw_bodies(&server));
    assert!(elapsed >= ms(600), "two attempts of 300 ms: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn a_body_that_stalls_halfway_hits_the_attempt_timeout() {
    let body = br#"{"CheckpointToken":"ct-2","NewExecutionState":{"Operations":[]}}"#;
    let mut half = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    half.extend_from_slice(&body[..body.len() / 2]);
    let server = FaultServer::always(Fault::Stall(half)).await;
    let config = config(&server.endpoint(), 2)
        .timeout_config(
            TimeoutConfig::default()
                .with_attempt(Some(ms(300)))
                .with_operation(Some(Duration::from_secs(5))),
        )
        .build()
        .expect("config");
    let started = Instant::now();
    let err = checkpoint(&Client::new(config))
        .await
        .expect_err("the body never ends");
    let elapsed = started.elapsed();
    assert!(
        matches!(&err, Error::Timeout(t) if t.kind() == TimeoutKind::Attempt),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 2);
    assert_one_client_token(raw_bodies(&server));
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn the_operation_timeout_bounds_stalled_attempts() {
    let server = FaultServer::always(Fault::Stall(Vec::new())).await;
    let config = config(&server.endpoint(), 10)
        .timeout_config(
            TimeoutConfig::default()
                .with_attempt(Some(ms(200)))
                .with_operation(Some(ms(500))),
        )
        .build()
        .expect("config");
    let started = Instant::now();
    let err = checkpoint(&Client::new(config))
        .await
        .expect_err("times out");
    let elapsed = started.elapsed();
    assert!(
        matches!(&err, Error::Timeout(t) if t.kind() == TimeoutKind::Operation),
        "{err:?}"
    );
    let seen = server.requests().len();
    assert!((2..=3).contains(&seen), "{seen} attempts in 500 ms");
    assert_one_client_token(raw_bodies(&server));
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn a_close_delimited_body_is_read_to_the_end() {
    let body = r#"{"Operations":[{"Id":"a","Type":"STEP","Status":"STARTED","StartTimestamp":1}],"NextMarker":"m"}"#;
    for status_line in ["HTTP/1.0 200 OK", "HTTP/1.1 200 OK"] {
        let reply = raw_response(
            status_line,
            &[
                ("Content-Type", "application/json"),
                ("Connection", "close"),
            ],
            body.as_bytes(),
        );
        let server = FaultServer::always(Fault::Close(reply)).await;
        let out = get_state(&client(&server.endpoint(), 1))
            .await
            .unwrap_or_else(|e| panic!("{status_line}: {e:?}"));
        assert_eq!(out.operations.len(), 1, "{status_line}");
        assert_eq!(out.operations[0].id, "a");
        assert_eq!(out.next_marker.as_deref(), Some("m"));
        assert_eq!(server.requests().len(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Status codes

#[tokio::test]
async fn server_error_storms_stop_at_max_attempts_with_the_last_status() {
    for status in [500u16, 502, 503, 504] {
        let reply = match status {
            500 => Reply::json(500, json!({"message": "boom"})),
            502 => Reply::status(502)
                .header("content-type", "text/html")
                .body("<html><body>Bad Gateway</body></html>"),
            503 => Reply::status(503),
            _ => Reply::status(504)
                .header("content-type", "text/plain")
                .body("upstream timed out"),
        };
        let server = WireServer::always(reply).await;
        let started = Instant::now();
        let err = checkpoint(&client(&server.endpoint(), 4))
            .await
            .expect_err("every attempt fails");
        match &err {
            Error::Service(s) => assert_eq!(s.status(), status),
            other => panic!("{status}: expected a service error, got {other:?}"),
        }
        assert!(
            matches!(
                err.as_service_error(),
                Some(CheckpointDurableExecutionError::Unhandled(_))
            ),
            "{status}: {err:?}"
        );
        assert!(err.is_retryable(), "{status}");
        assert_eq!(
            server.requests().len(),
            4,
            "{status}: bounded by max_attempts"
        );
        assert_one_client_token(wire_bodies(&server));
        assert!(started.elapsed() < Duration::from_secs(3), "{status}");
    }
}

#[tokio::test]
async fn throttling_with_retry_after_waits_as_told_then_succeeds() {
    let server = WireServer::start(|_, n| match n {
        0 => Reply::json(
            429,
            json!({"__type": "TooManyRequestsException", "message": "slow down"}),
        )
        .header("Retry-After", "0.2"),
        _ => Reply::json(
            200,
            json!({"CheckpointToken": "ct-2", "NewExecutionState": {}}),
        ),
    })
    .await;
    let config = config(&server.endpoint(), 3)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(ms(1))
                .with_max_backoff(Duration::from_secs(1)),
        )
        .build()
        .expect("config");
    let started = Instant::now();
    let out = checkpoint(&Client::new(config))
        .await
        .expect("the second attempt succeeds");
    let elapsed = started.elapsed();
    assert_eq!(out.checkpoint_token.as_deref(), Some("ct-2"));
    assert!(
        elapsed >= ms(200),
        "Retry-After: 0.2 was not honoured: {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(server.requests().len(), 2);
    assert_one_client_token(wire_bodies(&server));
}

#[tokio::test]
async fn throttling_without_retry_after_backs_off_then_succeeds() {
    let server = WireServer::start(|_, n| match n {
        0 | 1 => Reply::json(429, json!({"message": "Rate exceeded"})),
        _ => Reply::json(
            200,
            json!({"CheckpointToken": "ct-2", "NewExecutionState": {}}),
        ),
    })
    .await;
    let started = Instant::now();
    let out = checkpoint(&client(&server.endpoint(), 3))
        .await
        .expect("the third attempt succeeds");
    assert_eq!(out.checkpoint_token.as_deref(), Some("ct-2"));
    assert_eq!(server.requests().len(), 3);
    assert_one_client_token(wire_bodies(&server));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // A 429 that never clears ends as the throttling error after max_attempts.
    let server = WireServer::always(
        Reply::json(
            429,
            json!({"__type": "TooManyRequestsException", "message": "no"}),
        )
        .header("Retry-After", "0"),
    )
    .await;
    let err = checkpoint(&client(&server.endpoint(), 3))
        .await
        .expect_err("always throttled");
    assert!(
        matches!(
            err.as_service_error(),
            Some(CheckpointDurableExecutionError::TooManyRequestsException(_))
        ),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 3);
}

// ---------------------------------------------------------------------------------------------
// Content-Type

#[tokio::test]
async fn a_json_success_body_is_parsed_whatever_its_content_type() {
    let body = r#"{"Operations":[{"Id":"a","Type":"WAIT","Status":"READY","StartTimestamp":0}]}"#;
    for content_type in [
        Some("text/html"),
        Some("text/plain; charset=iso-8859-1"),
        Some("application/octet-stream"),
        None,
    ] {
        let mut reply = Reply::status(200).body(body);
        if let Some(ct) = content_type {
            reply = reply.header("content-type", ct);
        }
        let server = WireServer::always(reply).await;
        let out = get_state(&client(&server.endpoint(), 1))
            .await
            .unwrap_or_else(|e| panic!("{content_type:?}: {e:?}"));
        assert_eq!(out.operations[0].r#type, OperationType::Wait);
        assert_eq!(out.operations[0].status, OperationStatus::Ready);
        assert_eq!(server.requests().len(), 1);
    }
}

#[tokio::test]
async fn an_html_502_page_is_an_unhandled_service_error() {
    let server = WireServer::always(
        Reply::status(502)
            .header("content-type", "text/html; charset=utf-8")
            .header("x-amzn-RequestId", "req-502")
            .body("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"),
    )
    .await;
    let err = get_state(&client(&server.endpoint(), 2))
        .await
        .expect_err("502");
    let Error::Service(s) = &err else {
        panic!("expected a service error, got {err:?}");
    };
    assert_eq!(s.status(), 502);
    assert!(
        matches!(s.err(), GetDurableExecutionStateError::Unhandled(_)),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("Unknown"));
    assert_eq!(err.request_id(), Some("req-502"));
    assert_eq!(server.requests().len(), 2, "an unmodeled 502 is retried");
}

// ---------------------------------------------------------------------------------------------
// Malformed JSON

fn nested(depth: usize, open: &str, close: &str, inner: &str) -> String {
    let mut out = String::with_capacity(depth * (open.len() + close.len()) + inner.len());
    for _ in 0..depth {
        out.push_str(open);
    }
    out.push_str(inner);
    for _ in 0..depth {
        out.push_str(close);
    }
    out
}

#[tokio::test]
async fn malformed_json_is_a_response_error_never_a_panic() {
    let deep = 10_000;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "truncated",
            br#"{"Operations":[{"Id":"a","Type":"STEP","Status":"STA"#.to_vec(),
        ),
        ("truncated after a key", br#"{"NextMarker":"#.to_vec()),
        ("invalid", br#"{"Operations":[}"#.to_vec()),
        ("unquoted keys", b"{Operations:[]}".to_vec()),
        ("trailing garbage", br#"{"Operations":[]} }"#.to_vec()),
        ("not an object", b"[1,2,3]".to_vec()),
        ("a bare string", br#""hello""#.to_vec()),
        (
            "wrong member type",
            br#"{"Operations":{"Id":"a"}}"#.to_vec(),
        ),
        ("invalid UTF-8", b"{\"NextMarker\":\"\x80\"}".to_vec()),
        (
            "nested arrays 10,000 deep",
            format!(r#"{{"Operations":{}}}"#, nested(deep, "[", "]", "")).into_bytes(),
        ),
        (
            "nested arrays 10,000 deep inside a string member",
            format!(r#"{{"NextMarker":{}}}"#, nested(deep, "[", "]", "")).into_bytes(),
        ),
        (
            "nested objects 10,000 deep inside a structure member",
            format!(
                r#"{{"Operations":[{{"Id":"a","StepDetails":{{"Error":{}}}}}]}}"#,
                nested(deep, r#"{"ErrorData":"#, "}", r#""x""#)
            )
            .into_bytes(),
        ),
        (
            "nested arrays 10,000 deep, unterminated",
            format!(r#"{{"Operations":{}"#, "[".repeat(deep)).into_bytes(),
        ),
    ];
    for (name, bytes) in cases {
        let err = state_from_body(bytes).await.expect_err(name);
        assert!(matches!(err, Error::Response(_)), "{name}: {err:?}");
        assert!(!err.is_retryable(), "{name}");
    }
}

/// serde_json skips a member the model does not know with a loop and a heap stack of one byte
/// per level (no recursion), so deep nesting there cannot overflow the stack; the response limit
/// bounds that heap stack. Whether such a body is accepted (today) or refused as too deep, it
/// must end promptly in a value or an `Error::Response`, never in a crash.
#[tokio::test]
async fn deep_nesting_in_unknown_members_never_overflows_the_stack() {
    let cases: Vec<(&str, String)> = vec![
        (
            "objects 10,000 deep at the top",
            nested(10_000, r#"{"a":"#, "}", "1"),
        ),
        (
            "objects 10,000 deep in an unknown member of an operation",
            format!(
                r#"{{"Operations":[{{"Id":"a","Unknown":{}}}]}}"#,
                nested(10_000, r#"{"a":"#, "}", "1")
            ),
        ),
        (
            "arrays 200,000 deep in an unknown member",
            format!(
                r#"{{"Unknown":{},"NextMarker":"m"}}"#,
                nested(200_000, "[", "]", "")
            ),
        ),
    ];
    for (name, body) in cases {
        let started = Instant::now();
        match state_from_body(body).await {
            Ok(out) => assert!(out.operations.len() <= 1, "{name}: {out:?}"),
            Err(Error::Response(_)) => {}
            Err(other) => panic!("{name}: {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(2), "{name}");
    }
}

#[tokio::test]
async fn a_deeply_nested_error_body_is_still_a_service_error() {
    let body = nested(10_000, r#"{"message":"#, "}", r#""x""#);
    let server = WireServer::always(
        Reply::status(400)
            .header("content-type", "application/json")
            .body(body),
    )
    .await;
    let err = get_state(&client(&server.endpoint(), 3))
        .await
        .expect_err("400");
    match &err {
        Error::Service(s) => assert_eq!(s.status(), 400),
        other => panic!("expected a service error, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1, "a 400 is not retried");
}

// ---------------------------------------------------------------------------------------------
// Values

#[tokio::test]
async fn unknown_enum_values_are_kept() {
    let out = state_from_body(
        r#"{"Operations":[{"Id":"a","Type":"TELEPORT","Status":"WARPING","StartTimestamp":0}]}"#,
    )
    .await
    .expect("parsed");
    assert_eq!(
        out.operations[0].r#type,
        OperationType::Unknown("TELEPORT".into())
    );
    assert_eq!(
        out.operations[0].status,
        OperationStatus::Unknown("WARPING".into())
    );
    assert_eq!(out.operations[0].status.as_str(), "WARPING");

    let server = WireServer::always(Reply::json(
        200,
        json!({"DurableExecutionArn": ARN, "DurableExecutionName": "run", "FunctionArn": "f",
               "StartTimestamp": 1, "Status": "HIBERNATING"}),
    ))
    .await;
    let out = client(&server.endpoint(), 1)
        .get_durable_execution(GetDurableExecutionRequest {
            durable_execution_arn: ARN.into(),
            include_execution_data: None,
        })
        .await
        .expect("parsed");
    assert_eq!(out.status, ExecutionStatus::Unknown("HIBERNATING".into()));
}

#[tokio::test]
async fn missing_required_members_read_as_zero_values() {
    for body in ["", "{}", r#"{"Operations":null}"#] {
        let out = state_from_body(body)
            .await
            .unwrap_or_else(|e| panic!("{body:?}: {e:?}"));
        assert!(out.operations.is_empty(), "{body:?}");
        assert_eq!(out.next_marker, None);
    }
    let out = state_from_body(r#"{"Operations":[{},{"Id":null,"Type":null,"Status":null}]}"#)
        .await
        .expect("parsed");
    for op in &out.operations {
        assert_eq!(op.id, "");
        assert_eq!(op.r#type, OperationType::Unknown(String::new()));
        assert_eq!(op.status, OperationStatus::Unknown(String::new()));
        assert_eq!(op.start_timestamp, DateTime::default());
    }

    let server = WireServer::always(Reply::json(200, json!({}))).await;
    let out = checkpoint(&client(&server.endpoint(), 1))
        .await
        .expect("parsed");
    assert_eq!(out.checkpoint_token, None);
    assert_eq!(out.new_execution_state, Default::default());

    let server = WireServer::always(Reply::json(200, json!({}))).await;
    let out = client(&server.endpoint(), 1)
        .get_durable_execution(GetDurableExecutionRequest {
            durable_execution_arn: ARN.into(),
            include_execution_data: None,
        })
        .await
        .expect("parsed");
    assert_eq!(out.durable_execution_arn, "");
    assert_eq!(out.status, ExecutionStatus::Unknown(String::new()));
    assert_eq!(out.start_timestamp, DateTime::default());
}

// ---------------------------------------------------------------------------------------------
// Oversized responses

#[tokio::test]
async fn a_declared_gigabyte_is_refused_at_the_limit_without_reading_it() {
    for status in ["200 OK", "503 Service Unavailable"] {
        // Declares 1 GB, then trickles 16 bytes every 50 ms (for at most 5 s).
        let server = FaultServer::always(Fault::Stream {
            head: format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{{\"Operations\":["
            )
            .into_bytes(),
            chunk: b"{\"Id\":\"x\"},    ".to_vec(),
            count: 100,
            pause: ms(50),
        })
        .await;
        let config = config(&server.endpoint(), 3)
            .timeout_config(TimeoutConfig::default().with_attempt(Some(Duration::from_secs(5))))
            .build()
            .expect("config");
        let started = Instant::now();
        let err = checkpoint(&Client::new(config))
            .await
            .expect_err("too large");
        let elapsed = started.elapsed();
        assert_eq!(
            transport_kind(&err),
            Some(HttpErrorKind::ResponseTooLarge),
            "{status}: {err:?}"
        );
        assert!(!err.is_retryable(), "{status}");
        assert_eq!(server.requests().len(), 1, "{status}: not retried");
        assert!(
            elapsed < Duration::from_secs(1),
            "{status}: refused from the header, not after reading: {elapsed:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("1000000000") && text.contains(&LIMIT.to_string()),
            "{text}"
        );
    }
}

#[tokio::test]
async fn an_undeclared_oversized_body_is_cut_off_at_the_limit() {
    // Chunked, no Content-Length: 64 KiB chunks, up to 8 MiB in all.
    let data = vec![b' '; 64 * 1024];
    let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
    chunk.extend_from_slice(&data);
    chunk.extend_from_slice(b"\r\n");
    let server = FaultServer::always(Fault::Stream {
        head: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec(),
        chunk,
        count: 128,
        pause: ms(1),
    })
    .await;
    let config = config(&server.endpoint(), 3)
        .timeout_config(TimeoutConfig::default().with_attempt(Some(Duration::from_secs(5))))
        .build()
        .expect("config");
    let started = Instant::now();
    let err = checkpoint(&Client::new(config))
        .await
        .expect_err("too large");
    let elapsed = started.elapsed();
    assert_eq!(
        transport_kind(&err),
        Some(HttpErrorKind::ResponseTooLarge),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_eq!(server.requests().len(), 1, "not retried");
    // 16 chunks reach the limit; a second's margin is far below the 128-chunk stream.
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn an_out_of_range_number_is_a_response_error_naming_the_member() {
    for attempt in ["99999999999", "-99999999999", "2147483648"] {
        let body = format!(
            r#"{{"Operations":[{{"Id":"a","Type":"STEP","Status":"STARTED","StartTimestamp":0,"StepDetails":{{"Attempt":{attempt}}}}}]}}"#
        );
        let err = state_from_body(body).await.expect_err(attempt);
        let Error::Response(e) = &err else {
            panic!("{attempt}: expected a response error, got {err:?}");
        };
        assert!(
            e.to_string().contains("Operations[0].StepDetails.Attempt"),
            "{attempt}: {e}"
        );
    }
}

/// A repeated key: the last value wins, at the top level and inside nested members.
#[tokio::test]
async fn duplicate_keys_the_last_one_wins() {
    let out = state_from_body(r#"{"Operations":[],"NextMarker":"a","NextMarker":"b"}"#)
        .await
        .expect("a duplicate key is not an error");
    assert_eq!(out.next_marker.as_deref(), Some("b"));
    let out = state_from_body(
        r#"{"Operations":[{"Id":"first","Id":"second","Type":"STEP","Status":"STARTED","StartTimestamp":1.5}]}"#,
    )
    .await
    .expect("a duplicate nested key is not an error");
    assert_eq!(out.operations[0].id, "second");
    assert_eq!(
        out.operations[0].start_timestamp.subsec_nanos(),
        500_000_000
    );
}
