//! What the runtime logs: one event per attempt with the operation, attempt number, status,
//! request id and latency, and never a secret.
//!
//! A `tracing-subscriber` fmt subscriber (at DEBUG, and at TRACE) writes into a buffer while a
//! few calls go through `Handle::call` against a local plain-HTTP server: one success, one 503
//! then 200 (a retry), one service error and one transport error. The credentials' secret key and
//! session token and a `@sensitive`-looking request payload are distinctive strings that must
//! appear nowhere in the log, nor in the `Debug`/`Display` of the config, the credentials or
//! any error.
//!
//! At TRACE level too: aws-sigv4 logs the canonical request (session token included) at TRACE,
//! so the runtime signs with tracing muted; `trace_log_never_holds_a_secret` guards that.

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use lambda_sdk_runtime::__private::rest_json::{self, PreparedRequest, RequestBuilder};
use lambda_sdk_runtime::__private::{Handle, HttpResponse};
use lambda_sdk_runtime::config::Config;
use lambda_sdk_runtime::credentials::Credentials;
use lambda_sdk_runtime::error::{Error, Unhandled};
use lambda_sdk_runtime::retry::RetryConfig;
use tokio::net::TcpListener;

mod common;
use common::SPEC;

const ACCESS_KEY: &str = "AKIDTRACINGTEST";
const SECRET_KEY: &str = "TRACING-SECRET-KEY-d41d8cd98f00b204e9800998ecf8427e";
const SESSION_TOKEN: &str = "TRACING-SESSION-TOKEN-5eb63bbbe01eeed093cb22bb8f5acdc3";
const PAYLOAD: &str = "@sensitive-PAYLOAD-c3499c2729730a7f807efb8676a92dcb";

/// Every distinctive secret, and a prefix of each (to catch partial leaks).
const FORBIDDEN: [&str; 6] = [
    SECRET_KEY,
    SESSION_TOKEN,
    PAYLOAD,
    "TRACING-SECRET-KEY",
    "TRACING-SESSION-TOKEN",
    "@sensitive",
];

/// The shared in-memory log.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for Buffer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A plain-HTTP server. `/ok` answers 200; `/flaky` 503 the first time, then 200; `/bad` a
/// 400 service error. Each response has its own request id.
async fn start_server() -> (u16, Arc<Mutex<HashMap<String, usize>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let counter = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let counter = counter.clone();
                    async move {
                        let path = req.uri().path().to_owned();
                        let _ = req.into_body().collect().await;
                        let n = {
                            let mut hits = counter.lock().unwrap();
                            let n = hits.entry(path.clone()).or_default();
                            *n += 1;
                            *n
                        };
                        let (status, request_id, error_type, body): (u16, String, _, &str) =
                            match (path.as_str(), n) {
                                ("/ok", _) => (200, "req-ok".into(), None, r#"{"Value":1}"#),
                                ("/flaky", 1) => (
                                    503,
                                    "req-flaky-1".into(),
                                    Some("ServiceUnavailableException"),
                                    r#"{"message":"try again"}"#,
                                ),
                                ("/flaky", n) => {
                                    (200, format!("req-flaky-{n}"), None, r#"{"Value":2}"#)
                                }
                                _ => (
                                    400,
                                    "req-bad".into(),
                                    Some("InvalidParameterValueException"),
                                    r#"{"message":"the value is wrong"}"#,
                                ),
                            };
                        let mut response = http::Response::builder()
                            .status(status)
                            .header("content-type", "application/json")
                            .header("x-amzn-RequestId", request_id);
                        if let Some(code) = error_type {
                            response = response.header("x-amzn-ErrorType", code);
                        }
                        Ok::<_, Infallible>(
                            response
                                .body(Full::new(Bytes::from_static(body.as_bytes())))
                                .unwrap(),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), service)
                    .await;
            });
        }
    });
    (port, hits)
}

fn request(path: &str) -> PreparedRequest {
    let mut builder = RequestBuilder::new("POST");
    builder.literal(path);
    builder
        .header("ClientContext", "X-Test-Header", "visible-header-value")
        .unwrap();
    builder
        .json_body(&serde_json::json!({ "Payload": PAYLOAD }))
        .unwrap();
    builder.finish()
}

#[derive(Debug, PartialEq, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Output {
    value: u32,
}

fn parse(response: &HttpResponse) -> Result<Output, Error<Unhandled>> {
    let status = response.status().as_u16();
    if !response.status().is_success() {
        let meta = rest_json::error_metadata(status, response.headers(), response.body());
        return Err(Error::service(Unhandled::new(meta.clone()), meta));
    }
    rest_json::parse_json(status, response.headers(), response.body()).map_err(Error::Response)
}

fn config(endpoint: &str) -> Config {
    Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new(
            ACCESS_KEY,
            SECRET_KEY,
            Some(SESSION_TOKEN.to_owned()),
        ))
        .endpoint_url(endpoint)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(20)),
        )
        .build()
        .unwrap()
}

/// The log lines of the attempt events (`attempt succeeded` / `attempt failed`) of `operation`.
fn attempt_lines<'a>(log: &'a str, operation: &str) -> Vec<&'a str> {
    let field = format!("operation=\"{operation}\"");
    log.lines()
        .filter(|l| l.contains("attempt succeeded") || l.contains("attempt failed"))
        .filter(|l| l.contains(&field))
        .collect()
}

fn assert_attempt(line: &str, outcome: &str, attempt: u32, status: u16, request_id: &str) -> u64 {
    assert!(line.contains(outcome), "{line}");
    assert!(line.contains(&format!(" attempt={attempt}")), "{line}");
    assert!(line.contains(&format!(" status={status}")), "{line}");
    assert!(
        line.contains(&format!(" request_id=\"{request_id}\"")),
        "{line}"
    );
    let latency = line
        .split(" latency_ms=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no latency_ms in {line}"));
    latency
        .parse()
        .unwrap_or_else(|_| panic!("latency_ms {latency:?} in {line}"))
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in FORBIDDEN {
        assert!(
            !text.contains(secret),
            "{what} contains {secret:?}:\n{}",
            text.lines()
                .filter(|l| l.contains(secret))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// What a scenario left behind: the captured log and the `Debug`/`Display` texts of the
/// config, the credentials and every error.
struct Outcome {
    log: String,
    texts: Vec<(&'static str, String)>,
}

/// Runs the calls with a fmt subscriber at `level` writing into a buffer, checks their results
/// and the attempt events, and returns the log and the formatted values.
async fn scenario(level: tracing::Level) -> Outcome {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(level)
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);

    let (port, hits) = start_server().await;
    let endpoint = format!("http://127.0.0.1:{port}");
    let config = config(&endpoint);
    let handle = Handle::new(config.clone(), &SPEC);

    let (ok, ok_meta) = handle
        .call("OkOp", &(), request("ok"), parse)
        .await
        .unwrap();
    assert_eq!(ok, Output { value: 1 });
    assert_eq!(ok_meta.request_id(), Some("req-ok"));

    let (flaky, flaky_meta) = handle
        .call("FlakyOp", &(), request("flaky"), parse)
        .await
        .unwrap();
    assert_eq!(flaky, Output { value: 2 });
    assert_eq!(flaky_meta.request_id(), Some("req-flaky-2"));

    let bad = handle
        .call("BadOp", &(), request("bad"), parse)
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Some("InvalidParameterValueException"));
    assert_eq!(bad.request_id(), Some("req-bad"));

    // A transport error: nothing listens on a fresh closed port.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let unreachable = Handle::new(
        Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new(
                ACCESS_KEY,
                SECRET_KEY,
                Some(SESSION_TOKEN.to_owned()),
            ))
            .endpoint_url(format!("http://127.0.0.1:{closed}"))
            .retry_config(RetryConfig::disabled())
            .build()
            .unwrap(),
        &SPEC,
    );
    let transport = unreachable
        .call("DownOp", &(), request("ok"), parse)
        .await
        .unwrap_err();
    assert!(matches!(transport, Error::Transport(_)), "{transport:?}");

    // A construction error from the request builder, for the formatting checks.
    let construction: Error<Unhandled> = RequestBuilder::new("GET")
        .label("Name", "", false)
        .map(|_| ())
        .unwrap_err()
        .into();

    drop(guard);
    let log = buffer.text();
    assert_eq!(hits.lock().unwrap().get("/flaky"), Some(&2));

    // One event per attempt, with every field.
    let ok_lines = attempt_lines(&log, "OkOp");
    assert_eq!(ok_lines.len(), 1, "{log}");
    assert_attempt(ok_lines[0], "attempt succeeded", 1, 200, "req-ok");

    let flaky_lines = attempt_lines(&log, "FlakyOp");
    assert_eq!(flaky_lines.len(), 2, "{log}");
    assert_attempt(flaky_lines[0], "attempt failed", 1, 503, "req-flaky-1");
    assert!(
        flaky_lines[0].contains("retry=\"Transient\""),
        "{}",
        flaky_lines[0]
    );
    assert!(
        flaky_lines[0].contains("error=ServiceUnavailableException"),
        "{}",
        flaky_lines[0]
    );
    assert_attempt(flaky_lines[1], "attempt succeeded", 2, 200, "req-flaky-2");
    assert!(
        log.lines().any(|l| l.contains("retrying")
            && l.contains("operation=\"FlakyOp\"")
            && l.contains(" attempt=1")
            && l.contains(" wait_ms=")),
        "{log}"
    );

    let bad_lines = attempt_lines(&log, "BadOp");
    assert_eq!(bad_lines.len(), 1, "a 400 is not retried: {log}");
    assert_attempt(bad_lines[0], "attempt failed", 1, 400, "req-bad");
    assert!(bad_lines[0].contains("retry=\"no\""), "{}", bad_lines[0]);
    assert!(
        bad_lines[0].contains("error=InvalidParameterValueException"),
        "{}",
        bad_lines[0]
    );

    let down_lines = attempt_lines(&log, "DownOp");
    assert_eq!(down_lines.len(), 1, "{log}");
    assert_attempt(down_lines[0], "attempt failed", 1, 0, "");
    assert!(
        down_lines[0].contains("error=could not connect"),
        "{}",
        down_lines[0]
    );

    let credentials = Credentials::new(ACCESS_KEY, SECRET_KEY, Some(SESSION_TOKEN.to_owned()));
    let texts = vec![
        ("Config Debug", format!("{config:?} {config:#?}")),
        ("Handle Debug", format!("{handle:?}")),
        (
            "Credentials Debug",
            format!("{credentials:?} {credentials:#?}"),
        ),
        ("service error", format!("{bad} {bad:?} {bad:#?}")),
        ("transport error", format!("{transport} {transport:?}")),
        (
            "construction error",
            format!("{construction} {construction:?}"),
        ),
        (
            "error messages",
            format!(
                "{:?} {:?} {:?}",
                bad.message(),
                transport.message(),
                construction.message()
            ),
        ),
    ];
    assert!(texts[0].1.contains(ACCESS_KEY), "{}", texts[0].1);
    Outcome { log, texts }
}

/// The runtime logs its attempt events at DEBUG. Everything logged at DEBUG and above (by the
/// runtime, hyper-util, …) and every formatted value is free of secrets.
#[tokio::test]
async fn attempts_are_logged_and_secrets_never_are() {
    let outcome = scenario(tracing::Level::DEBUG).await;
    assert!(outcome.log.contains("lambda_sdk_runtime::client"));
    assert_no_secret("the DEBUG log", &outcome.log);
    for (what, text) in &outcome.texts {
        assert_no_secret(what, text);
    }
}

/// The same at TRACE, where dependencies log more.
#[tokio::test]
async fn trace_log_never_holds_a_secret() {
    let outcome = scenario(tracing::Level::TRACE).await;
    assert!(outcome.log.contains("TRACE"));
    assert_no_secret("the TRACE log", &outcome.log);
    for (what, text) in &outcome.texts {
        assert_no_secret(what, text);
    }
}
