//! The `responses` target: one call of one operation through the real generated client,
//! answered by a canned connector with the response the input describes
//! ([`response_input`](crate::response_input)).
//!
//! The client is built once: region `us-east-1`, static credentials, an explicit endpoint
//! (never contacted: the connector answers), one attempt (so no retry and no backoff sleep),
//! fixed idempotency tokens. The calls run on one current-thread tokio runtime, also built
//! once. Each operation's request is fixed and valid; only the response varies.
//!
//! The contract checked for every input, beyond "no panic, no hang":
//! - exactly one request is sent;
//! - a 2xx status gives `Ok` (with that status in its metadata) or [`Error::Response`] (the
//!   body does not match the model);
//! - any other status gives [`Error::Service`] (modeled or unhandled, with that status) or
//!   [`Error::Response`] (a modeled error with an unreadable header member);
//! - never `Construction`, `Transport` or `Timeout`: the request is valid and the answer is
//!   immediate.
//!
//! The outcome is also formatted (`Display`, `Debug`, the error's source chain) and its
//! accessors called, since a service-controlled string reaches all of them.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use bytes::Bytes;
use lambda_sdk::config::{BoxFuture, HttpConnector, RetryConfig};
use lambda_sdk::error::{HttpError, HttpErrorKind, OperationError};
use lambda_sdk::primitives::Blob;
use lambda_sdk::types::{
    CheckpointDurableExecutionRequest, DeleteDurableExecutionRequest, ErrorObject, ExecutionStatus,
    GetDurableExecutionHistoryRequest, GetDurableExecutionRequest, GetDurableExecutionStateRequest,
    ListDurableExecutionsByFunctionRequest, OperationAction, OperationType, OperationUpdate,
    PauseDurableExecutionRequest, ResumeDurableExecutionRequest,
    SendDurableExecutionCallbackFailureRequest, SendDurableExecutionCallbackHeartbeatRequest,
    SendDurableExecutionCallbackSuccessRequest, StopDurableExecutionRequest,
};
use lambda_sdk::{Client, Config, Credentials, Error};

use crate::response_input::{self, OPERATIONS};

const ARN: &str =
    "arn:aws:lambda:us-east-1:123456789012:function:my-fn:$LATEST/durable-execution/run-1/a1b2";
const CHECKPOINT_TOKEN: &str = "AbC+/d==";
const CALLBACK_ID: &str = "Zm9v+YmFy/YQ==";

/// Runs one input: decodes it, answers the call with it, checks the outcome and returns it.
///
/// # Panics
/// When the SDK panics, or breaks the contract in the module documentation: that is a
/// finding.
pub fn run(data: &[u8]) -> Outcome {
    let input = response_input::decode(data);
    let harness = HARNESS.get_or_init(Harness::new);
    harness.slot.put(input.to_response());
    let outcome = harness
        .runtime
        .block_on(call(&harness.client, input.operation));
    let sends = harness.slot.take_sends();
    assert_eq!(
        sends, 1,
        "{}: one attempt must send one request",
        OPERATIONS[input.operation]
    );
    outcome.check(input.status);
    outcome
}

/// What a call ended with, reduced to what the contract speaks about.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `Ok`, with the status of its response metadata.
    Ok {
        /// `response_metadata.status()`.
        status: u16,
    },
    /// [`Error::Service`], with its status.
    Service {
        /// The error's HTTP status.
        status: u16,
    },
    /// [`Error::Response`], with its status.
    Response {
        /// The error's HTTP status.
        status: u16,
    },
    /// Any other error: never expected here.
    Other(String),
}

impl Outcome {
    /// Checks the contract for a response with this status.
    ///
    /// # Panics
    /// When the outcome breaks it.
    pub fn check(&self, sent: u16) {
        let success = (200..300).contains(&sent);
        match *self {
            Outcome::Ok { status } => {
                assert!(success, "HTTP {sent} gave Ok");
                assert_eq!(status, sent, "the metadata's status");
            }
            Outcome::Service { status } => {
                assert!(!success, "HTTP {sent} gave a service error");
                assert_eq!(status, sent, "the service error's status");
            }
            Outcome::Response { status } => assert_eq!(status, sent, "the parse error's status"),
            Outcome::Other(ref e) => panic!("HTTP {sent} gave an unexpected error: {e}"),
        }
    }
}

/// The response the connector gives next, and how many requests it received.
#[derive(Debug, Default)]
struct Slot {
    response: Mutex<Option<http::Response<Bytes>>>,
    sends: AtomicUsize,
}

impl Slot {
    fn put(&self, response: http::Response<Bytes>) {
        *self.response.lock().unwrap_or_else(PoisonError::into_inner) = Some(response);
        self.sends.store(0, Ordering::SeqCst);
    }

    fn take(&self) -> Option<http::Response<Bytes>> {
        self.sends.fetch_add(1, Ordering::SeqCst);
        self.response
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    fn take_sends(&self) -> usize {
        self.sends.swap(0, Ordering::SeqCst)
    }
}

/// Answers every request with the response in its slot; a second request of one call gets a
/// transport error (and the harness then reports the extra request).
#[derive(Debug, Clone)]
struct CannedConnector {
    slot: Arc<Slot>,
}

impl HttpConnector for CannedConnector {
    fn send(
        &self,
        _request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, HttpError>> {
        let response = self.slot.take();
        Box::pin(async move {
            response.ok_or_else(|| {
                HttpError::new(HttpErrorKind::Io, "the fuzz harness had no response ready")
            })
        })
    }
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    client: Client,
    slot: Arc<Slot>,
}

static HARNESS: OnceLock<Harness> = OnceLock::new();

impl Harness {
    fn new() -> Harness {
        let slot = Arc::new(Slot::default());
        let config = Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new(
                "AKIDFUZZ",
                "FUZZSECRETKEY",
                Some("FUZZSESSIONTOKEN".to_string()),
            ))
            .endpoint_url("https://lambda.fuzz.invalid")
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .idempotency_token_provider(|| "00000000-0000-4000-8000-000000000000".to_string())
            .http_connector(CannedConnector { slot: slot.clone() })
            .build()
            .expect("the fuzz client's configuration is valid");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread tokio runtime");
        Harness {
            runtime,
            client: Client::new(config),
            slot,
        }
    }
}

/// Calls one operation (index into [`OPERATIONS`]) with its fixed request: `Ok` gives the
/// status and the `Debug` text of the output, `Err` is summarized.
macro_rules! call_op {
    ($client:expr, $method:ident, $request:expr) => {
        summarize($client.$method($request).await.map(|out| {
            // The output's Debug reaches every parsed string and the @sensitive redaction.
            let text = format!("{out:?}");
            std::hint::black_box(text);
            let _ = std::hint::black_box(out.response_metadata.request_id());
            out.response_metadata.status()
        }))
    };
}

async fn call(client: &Client, operation: usize) -> Outcome {
    match operation {
        0 => call_op!(
            client,
            checkpoint_durable_execution,
            CheckpointDurableExecutionRequest {
                durable_execution_arn: ARN.into(),
                checkpoint_token: CHECKPOINT_TOKEN.into(),
                updates: Some(vec![OperationUpdate {
                    id: "1".into(),
                    r#type: OperationType::Step,
                    action: OperationAction::Succeed,
                    payload: Some("\"done\"".into()),
                    ..Default::default()
                }]),
                ..Default::default()
            }
        ),
        1 => call_op!(
            client,
            delete_durable_execution,
            DeleteDurableExecutionRequest {
                durable_execution_arn: ARN.into(),
            }
        ),
        2 => call_op!(
            client,
            get_durable_execution,
            GetDurableExecutionRequest {
                durable_execution_arn: ARN.into(),
                include_execution_data: Some(true),
            }
        ),
        3 => call_op!(
            client,
            get_durable_execution_history,
            GetDurableExecutionHistoryRequest {
                durable_execution_arn: ARN.into(),
                include_execution_data: Some(true),
                max_items: Some(10),
                marker: Some("m1".into()),
                reverse_order: Some(false),
            }
        ),
        4 => call_op!(
            client,
            get_durable_execution_state,
            GetDurableExecutionStateRequest {
                durable_execution_arn: ARN.into(),
                checkpoint_token: CHECKPOINT_TOKEN.into(),
                max_items: Some(100),
                ..Default::default()
            }
        ),
        5 => call_op!(
            client,
            list_durable_executions_by_function,
            ListDurableExecutionsByFunctionRequest {
                function_name: "my-fn".into(),
                statuses: Some(vec![ExecutionStatus::Running]),
                ..Default::default()
            }
        ),
        6 => call_op!(
            client,
            pause_durable_execution,
            PauseDurableExecutionRequest {
                durable_execution_arn: ARN.into(),
                reason: Some("maintenance".into()),
                ..Default::default()
            }
        ),
        7 => call_op!(
            client,
            resume_durable_execution,
            ResumeDurableExecutionRequest {
                durable_execution_arn: ARN.into(),
                ..Default::default()
            }
        ),
        8 => call_op!(
            client,
            send_durable_execution_callback_failure,
            SendDurableExecutionCallbackFailureRequest {
                callback_id: CALLBACK_ID.into(),
                error: Some(ErrorObject {
                    error_message: Some("nope".into()),
                    ..Default::default()
                }),
            }
        ),
        9 => call_op!(
            client,
            send_durable_execution_callback_heartbeat,
            SendDurableExecutionCallbackHeartbeatRequest {
                callback_id: CALLBACK_ID.into(),
            }
        ),
        10 => call_op!(
            client,
            send_durable_execution_callback_success,
            SendDurableExecutionCallbackSuccessRequest {
                callback_id: CALLBACK_ID.into(),
                result: Some(Blob::from(b"{\"ok\":true}".to_vec())),
            }
        ),
        _ => call_op!(
            client,
            stop_durable_execution,
            StopDurableExecutionRequest {
                durable_execution_arn: ARN.into(),
                error: None,
            }
        ),
    }
}

/// Reduces a result to an [`Outcome`], formatting the error and calling its accessors on the
/// way.
fn summarize<E>(result: Result<u16, Error<E>>) -> Outcome
where
    E: OperationError + fmt::Debug,
{
    let err = match result {
        Ok(status) => return Outcome::Ok { status },
        Err(err) => err,
    };
    let display = err.to_string();
    let debug = format!("{err:?}");
    let mut chain = 0usize;
    let mut source = std::error::Error::source(&err);
    while let Some(e) = source {
        chain += e.to_string().len();
        source = e.source();
    }
    std::hint::black_box((display, debug, chain));
    std::hint::black_box((
        err.code().map(str::len),
        err.message(),
        err.request_id().map(str::len),
        err.is_retryable(),
        err.as_service_error()
            .map(|e| (e.code().len(), e.modeled())),
    ));
    match &err {
        Error::Service(s) => Outcome::Service { status: s.status() },
        Error::Response(e) => Outcome::Response { status: e.status() },
        other => Outcome::Other(format!("{other:?}")),
    }
}
