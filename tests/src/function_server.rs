//! The "Lambda function" that the local emulator invokes in end-to-end tests.
//!
//! The emulator (`dex-local-runner`, see [`crate::emulator`]) runs a function the way Lambda does:
//! a SigV4-signed `POST {lambda-endpoint}/2015-03-31/functions/{FunctionName}/invocations` whose
//! JSON body carries `DurableExecutionArn`, `CheckpointToken` and `InitialExecutionState`. The
//! function answers 200 with `{"Status":"SUCCEEDED"|"FAILED"|"PENDING", "Result":…, "Error":…}`.
//!
//! [`FunctionServer`] serves that route on `127.0.0.1:<free port>`, hands every invocation to a
//! user-supplied async handler, replies with the handler's JSON, and records every invocation
//! for assertions. It stops when dropped.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// Largest invocation body accepted (Lambda's synchronous payload limit is 6 MiB).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// One invocation of the function, as the emulator sent it.
#[derive(Clone, Debug)]
pub struct Invocation {
    /// `{FunctionName}` from the request path, percent-decoded.
    pub function_name: String,
    /// `DurableExecutionArn` from the body (the emulator's ARNs look like `<uuid>/<uuid>`).
    pub durable_execution_arn: String,
    /// `CheckpointToken` from the body: the token for this invocation's first checkpoint or
    /// state read.
    pub checkpoint_token: String,
    /// `InitialExecutionState` from the body: `{"Operations":[…],"NextMarker":"…"}`. Its
    /// timestamps are epoch **milliseconds** (integers), unlike the API's float epoch seconds.
    pub initial_execution_state: Value,
    /// `UpdatedOperationIds` from the body (an emulator extension; empty when absent).
    pub updated_operation_ids: Vec<String>,
    /// The request headers (`Authorization`, `X-Amz-Invocation-Type`, …).
    pub headers: HeaderMap,
    /// The whole JSON body.
    pub body: Value,
}

impl Invocation {
    /// Parses an invocation from its path's function name, headers and raw JSON body.
    pub fn parse(function_name: String, headers: HeaderMap, raw: &[u8]) -> Result<Self, String> {
        let body: Value =
            serde_json::from_slice(raw).map_err(|e| format!("invocation body is not JSON: {e}"))?;
        let text = |key: &str| -> Result<String, String> {
            body.get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("invocation body lacks string `{key}`: {body}"))
        };
        let durable_execution_arn = text("DurableExecutionArn")?;
        let checkpoint_token = text("CheckpointToken")?;
        let initial_execution_state = body
            .get("InitialExecutionState")
            .cloned()
            .unwrap_or(Value::Null);
        let updated_operation_ids = body
            .get("UpdatedOperationIds")
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            function_name,
            durable_execution_arn,
            checkpoint_token,
            initial_execution_state,
            updated_operation_ids,
            headers,
            body,
        })
    }

    /// The operations of `InitialExecutionState` (empty when absent).
    pub fn operations(&self) -> &[Value] {
        self.initial_execution_state
            .get("Operations")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// `InputPayload` of the EXECUTION operation, if present.
    pub fn input_payload(&self) -> Option<&str> {
        self.operations()
            .iter()
            .find(|op| op.get("Type").and_then(Value::as_str) == Some("EXECUTION"))
            .and_then(|op| op.pointer("/ExecutionDetails/InputPayload"))
            .and_then(Value::as_str)
    }
}

/// A boxed, `Send` future of the handler's answer.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Value> + Send + 'static>>;

/// A type-erased, shareable invocation handler. It returns the function's answer, for example
/// `{"Status":"SUCCEEDED","Result":"\"done\""}`, which is sent back with status 200.
pub type Handler = Arc<dyn Fn(Invocation) -> HandlerFuture + Send + Sync + 'static>;

#[derive(Default)]
struct Records {
    invocations: Vec<Invocation>,
    failures: Vec<String>,
}

/// Locks a mutex, ignoring poisoning (a panicking handler must not hide the records).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// An HTTP server on `127.0.0.1:<free port>` that plays a Lambda function for the emulator.
///
/// Dropping it aborts the accept loop and every open connection.
pub struct FunctionServer {
    addr: SocketAddr,
    records: Arc<Mutex<Records>>,
    accept_loop: JoinHandle<()>,
}

impl FunctionServer {
    /// Binds `127.0.0.1:0` and serves invocations with `handler`. Must be called inside a tokio
    /// runtime; the server runs on that runtime until dropped.
    pub async fn start<F, Fut>(handler: F) -> std::io::Result<Self>
    where
        F: Fn(Invocation) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Value> + Send + 'static,
    {
        Self::start_with(Arc::new(move |invocation| {
            Box::pin(handler(invocation)) as HandlerFuture
        }))
        .await
    }

    /// Like [`FunctionServer::start`], with an already type-erased (shareable) handler.
    pub async fn start_with(handler: Handler) -> std::io::Result<Self> {
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let records = Arc::new(Mutex::new(Records::default()));
        let accept_loop = tokio::spawn(accept_loop(listener, handler, Arc::clone(&records)));
        Ok(Self {
            addr,
            records,
            accept_loop,
        })
    }

    /// The base URL to pass as the emulator's `--lambda-endpoint`: `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every invocation received so far, in arrival order (recorded before the handler runs).
    pub fn invocations(&self) -> Vec<Invocation> {
        lock(&self.records).invocations.clone()
    }

    /// Requests that could not be served: unparsable bodies, unknown routes and handler panics.
    /// Tests should assert this is empty; the emulator answers such failures by retrying the
    /// invocation every 5 s, so they otherwise only show up as a timeout.
    pub fn failures(&self) -> Vec<String> {
        lock(&self.records).failures.clone()
    }
}

impl Drop for FunctionServer {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every connection task.
        self.accept_loop.abort();
    }
}

async fn accept_loop(listener: TcpListener, handler: Handler, records: Arc<Mutex<Records>>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else {
                    // Out of file descriptors or similar: back off instead of spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                let handler = Arc::clone(&handler);
                let records = Arc::clone(&records);
                connections.spawn(async move {
                    let service = service_fn(move |request| {
                        serve(request, Arc::clone(&handler), Arc::clone(&records))
                    });
                    // HTTP/1.0 and HTTP/1.1, Content-Length or chunked bodies: hyper handles all.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            // Reap finished connections so the set does not grow without bound.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// `{FunctionName}` of `/2015-03-31/functions/{FunctionName}/invocations`, percent-decoded.
fn function_name_from_path(path: &str) -> Option<String> {
    let name = path
        .strip_prefix("/2015-03-31/functions/")?
        .strip_suffix("/invocations")?;
    if name.is_empty() || name.contains('/') {
        return None;
    }
    percent_decode(name)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn json_response(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

fn error_response(
    records: &Mutex<Records>,
    status: StatusCode,
    kind: &str,
    message: String,
) -> Response<Full<Bytes>> {
    eprintln!("function server: {kind}: {message}");
    lock(records).failures.push(format!("{kind}: {message}"));
    json_response(status, &json!({ "Type": kind, "Message": message }))
}

async fn serve(
    request: Request<Incoming>,
    handler: Handler,
    records: Arc<Mutex<Records>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let function_name = match function_name_from_path(parts.uri.path()) {
        Some(name) if parts.method == Method::POST => name,
        _ => {
            return Ok(error_response(
                &records,
                StatusCode::NOT_FOUND,
                "ResourceNotFoundException",
                format!("no such route: {} {}", parts.method, parts.uri),
            ));
        }
    };
    let raw = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            return Ok(error_response(
                &records,
                StatusCode::BAD_REQUEST,
                "InvalidRequestContentException",
                format!("could not read the invocation body: {e}"),
            ));
        }
    };
    let invocation = match Invocation::parse(function_name, parts.headers, &raw) {
        Ok(invocation) => invocation,
        Err(message) => {
            return Ok(error_response(
                &records,
                StatusCode::BAD_REQUEST,
                "InvalidRequestContentException",
                message,
            ));
        }
    };
    lock(&records).invocations.push(invocation.clone());
    // A task of its own, so a panicking handler becomes a 500 and a recorded failure.
    match tokio::spawn(handler(invocation)).await {
        Ok(answer) => Ok(json_response(StatusCode::OK, &answer)),
        Err(e) => Ok(error_response(
            &records,
            StatusCode::INTERNAL_SERVER_ERROR,
            "ServiceException",
            format!("the invocation handler failed: {e}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_come_from_the_invoke_path() {
        assert_eq!(
            function_name_from_path("/2015-03-31/functions/my-fn/invocations").as_deref(),
            Some("my-fn")
        );
        assert_eq!(
            function_name_from_path("/2015-03-31/functions/f%3A%24LATEST/invocations").as_deref(),
            Some("f:$LATEST")
        );
        assert_eq!(
            function_name_from_path("/2015-03-31/functions//invocations"),
            None
        );
        assert_eq!(function_name_from_path("/health"), None);
        assert_eq!(
            function_name_from_path("/2015-03-31/functions/a%2/invocations"),
            None
        );
    }

    #[test]
    fn invocations_parse_the_emulator_body() {
        let raw = br#"{"DurableExecutionArn":"a/b","CheckpointToken":"dG9r",
            "InitialExecutionState":{"Operations":[{"Id":"b","Type":"EXECUTION","Status":"STARTED",
            "StartTimestamp":1795620264489,"ExecutionDetails":{"InputPayload":"{\"a\":1}"}}],
            "NextMarker":""},"UpdatedOperationIds":["w1"]}"#;
        let invocation = Invocation::parse("f".into(), HeaderMap::new(), raw).expect("parses");
        assert_eq!(invocation.durable_execution_arn, "a/b");
        assert_eq!(invocation.checkpoint_token, "dG9r");
        assert_eq!(invocation.operations().len(), 1);
        assert_eq!(invocation.input_payload(), Some(r#"{"a":1}"#));
        assert_eq!(invocation.updated_operation_ids, ["w1"]);
        assert!(Invocation::parse("f".into(), HeaderMap::new(), b"{}").is_err());
    }
}
