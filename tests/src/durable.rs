//! A durable function written against the SDK, for end-to-end tests and the `replay` example.
//!
//! [`start`] (or [`start_or_skip`] in tests) wires a [`FunctionServer`] to an [`Emulator`] and
//! hands every invocation to an async handler together with a [`Client`] pointed at the
//! emulator. Inside the handler, [`Durable`] keeps the invocation's checkpoint token and always
//! threads the newest one: [`Durable::replay`] pages the execution state with
//! `get_durable_execution_state_pages`, [`Durable::checkpoint`] records operation updates and
//! adopts the token each checkpoint returns.
//!
//! A handler returns `Ok(answer)` (see [`succeeded`], [`failed`], [`pending`]) or `Err(reason)`;
//! an error is recorded in [`Harness::handler_errors`] and answered as a failed invocation, so
//! tests can assert that the function saw no SDK errors.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use lambda_sdk::types::{
    CallbackOptions, CheckpointDurableExecutionRequest, CheckpointDurableExecutionResponse,
    ErrorObject, ExecutionStatus, GetDurableExecutionRequest, GetDurableExecutionResponse,
    GetDurableExecutionStateRequest, Operation, OperationAction, OperationType, OperationUpdate,
    WaitOptions,
};
use lambda_sdk::{Client, Config, Credentials};
use serde_json::{Value, json};

use crate::emulator::{Emulator, StartError, emulator_or_skip};
use crate::function_server::{FunctionServer, Invocation};

/// A [`Client`] for the emulator at `endpoint` (`http://127.0.0.1:PORT`), with fixed dummy
/// credentials and no proxy (`Config::builder()` reads no proxy variables).
pub fn client(endpoint: &str) -> Client {
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None))
        .endpoint_url(endpoint)
        .build()
        .expect("a valid client configuration");
    Client::new(config)
}

/// Locks a mutex, ignoring poisoning (a panicking handler must not hide the records).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A function server and an emulator that invokes it, plus an SDK client for the emulator.
///
/// Dropping it stops the function server, then the emulator.
pub struct Harness {
    /// The function server playing the Lambda function.
    pub server: FunctionServer,
    /// The running emulator.
    pub emulator: Emulator,
    /// An SDK client pointed at the emulator (the handler gets a clone of it).
    pub client: Client,
    errors: Arc<Mutex<Vec<String>>>,
}

impl Harness {
    /// Every `Err` a handler returned (SDK errors, unexpected state), plus the function
    /// server's own failures. Tests assert this is empty.
    pub fn handler_errors(&self) -> Vec<String> {
        let mut errors = lock(&self.errors).clone();
        errors.extend(self.server.failures());
        errors
    }

    /// Starts an execution of `function_name` through the emulator's start route and returns
    /// its ARN.
    pub async fn start_execution(
        &self,
        function_name: &str,
        execution_name: &str,
        input: &Value,
    ) -> Result<String, String> {
        self.emulator
            .start_execution(function_name, execution_name, &input.to_string())
            .await
    }

    /// Polls `GetDurableExecution` (through the SDK) until the execution is no longer
    /// `RUNNING`; see [`wait_for_execution`].
    pub async fn wait_for_execution(
        &self,
        arn: &str,
        timeout: Duration,
    ) -> Result<GetDurableExecutionResponse, String> {
        wait_for_execution(&self.client, arn, timeout)
            .await
            .map_err(|e| {
                format!(
                    "{e}; handler errors: {:?}; runner log: {}",
                    self.handler_errors(),
                    self.emulator.log_path().display()
                )
            })
    }
}

/// Starts a function server whose invocations go to `handler`, then an emulator that invokes
/// it. `handler` gets a [`Client`] for the emulator and the invocation.
///
/// Blocking while the emulator starts (the first start in a checkout provisions its venv):
/// call it from a multi-threaded tokio runtime.
pub async fn start<F, Fut>(handler: F) -> Result<Harness, StartError>
where
    F: Fn(Client, Invocation) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, String>> + Send + 'static,
{
    start_with(handler, |endpoint| {
        tokio::task::block_in_place(|| Emulator::start(endpoint)).map(Some)
    })
    .await
    .map(|harness| harness.expect("Emulator::start never skips"))
}

/// Like [`start`], but through [`emulator_or_skip`]: `None` (after printing why) when the
/// emulator is unavailable, except under `CI=true`, where that panics.
pub async fn start_or_skip<F, Fut>(handler: F) -> Option<Harness>
where
    F: Fn(Client, Invocation) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, String>> + Send + 'static,
{
    start_with(handler, |endpoint| {
        Ok(tokio::task::block_in_place(|| emulator_or_skip(endpoint)))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

async fn start_with<F, Fut>(
    handler: F,
    start_emulator: impl FnOnce(&str) -> Result<Option<Emulator>, StartError>,
) -> Result<Option<Harness>, StartError>
where
    F: Fn(Client, Invocation) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, String>> + Send + 'static,
{
    // The handler needs the emulator's endpoint, which exists only once the emulator runs
    // (and the emulator needs the server's endpoint first).
    let slot = Arc::new(OnceLock::<Client>::new());
    let errors = Arc::new(Mutex::new(Vec::new()));
    let handler = Arc::new(handler);
    let server = {
        let (slot, errors) = (Arc::clone(&slot), Arc::clone(&errors));
        FunctionServer::start(move |invocation: Invocation| {
            let client = slot.get().cloned();
            let handler = Arc::clone(&handler);
            let errors = Arc::clone(&errors);
            async move {
                let arn = invocation.durable_execution_arn.clone();
                let outcome = match client {
                    Some(client) => handler(client, invocation).await,
                    None => Err("invoked before the emulator endpoint was known".to_owned()),
                };
                outcome.unwrap_or_else(|reason| {
                    let reason = format!("{arn}: {reason}");
                    eprintln!("handler error: {reason}");
                    lock(&errors).push(reason.clone());
                    failed("HandlerError", &reason)
                })
            }
        })
        .await
        .map_err(|e| StartError::Failed(format!("cannot bind the function server: {e}")))?
    };
    let Some(emulator) = start_emulator(&server.endpoint())? else {
        return Ok(None);
    };
    let client = client(&emulator.endpoint());
    slot.set(client.clone())
        .expect("the client slot is set once");
    Ok(Some(Harness {
        server,
        emulator,
        client,
        errors,
    }))
}

/// Polls `GetDurableExecution` every 100 ms until the status is no longer `RUNNING`, and
/// returns that answer; fails on an SDK error or after `timeout`.
pub async fn wait_for_execution(
    client: &Client,
    arn: &str,
    timeout: Duration,
) -> Result<GetDurableExecutionResponse, String> {
    let deadline = Instant::now() + timeout;
    loop {
        let execution = client
            .get_durable_execution(GetDurableExecutionRequest {
                durable_execution_arn: arn.to_owned(),
                include_execution_data: Some(true),
            })
            .await
            .map_err(|e| format!("GetDurableExecution {arn}: {e:?}"))?;
        if execution.status != ExecutionStatus::Running {
            return Ok(execution);
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "execution {arn} still RUNNING after {timeout:?}: {execution:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls `probe` every 50 ms until it returns `Some`, failing after `timeout`.
pub async fn eventually<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Option<T>,
) -> Result<T, String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe() {
            return Ok(value);
        }
        if Instant::now() >= deadline {
            return Err(format!("{what}: not observed within {timeout:?}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The state of one execution as a function sees it during one invocation: the ARN and the
/// newest checkpoint token.
#[derive(Debug, Clone)]
pub struct Durable {
    client: Client,
    arn: String,
    token: String,
}

/// The operations of one replay, and how many `GetDurableExecutionState` pages they took.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// Every operation, in the order the pages returned them.
    pub operations: Vec<Operation>,
    /// The number of pages fetched.
    pub pages: usize,
}

impl Replay {
    /// The operation with this id.
    pub fn get(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// The `EXECUTION` operation.
    pub fn execution(&self) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|op| op.r#type == OperationType::Execution)
    }

    /// The execution's input payload (from the `EXECUTION` operation).
    pub fn input(&self) -> Option<&str> {
        self.execution()?
            .execution_details
            .as_ref()?
            .input_payload
            .as_deref()
    }
}

impl Durable {
    /// Starts from the invocation's ARN and checkpoint token.
    pub fn new(client: Client, invocation: &Invocation) -> Self {
        Durable {
            client,
            arn: invocation.durable_execution_arn.clone(),
            token: invocation.checkpoint_token.clone(),
        }
    }

    /// The execution's ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The newest checkpoint token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Reads the whole execution state with the newest token, `max_items` operations per
    /// page, through the SDK paginator.
    pub async fn replay(&self, max_items: i32) -> Result<Replay, String> {
        let mut pages =
            self.client
                .get_durable_execution_state_pages(GetDurableExecutionStateRequest {
                    durable_execution_arn: self.arn.clone(),
                    checkpoint_token: self.token.clone(),
                    marker: None,
                    max_items: Some(max_items),
                });
        let mut replay = Replay::default();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                format!("GetDurableExecutionState page {}: {e:?}", replay.pages + 1)
            })?;
            replay.pages += 1;
            if page.operations.len() > usize::try_from(max_items).unwrap_or(usize::MAX) {
                return Err(format!(
                    "page {} holds {} operations, more than MaxItems={max_items}",
                    replay.pages,
                    page.operations.len()
                ));
            }
            replay.operations.extend(page.operations);
        }
        Ok(replay)
    }

    /// Checkpoints `updates` with the newest token and adopts the token the checkpoint
    /// returns.
    pub async fn checkpoint(
        &mut self,
        updates: Vec<OperationUpdate>,
    ) -> Result<CheckpointDurableExecutionResponse, String> {
        let response = self
            .client
            .checkpoint_durable_execution(CheckpointDurableExecutionRequest {
                durable_execution_arn: self.arn.clone(),
                checkpoint_token: self.token.clone(),
                updates: Some(updates),
                client_token: None,
            })
            .await
            .map_err(|e| format!("CheckpointDurableExecution: {e:?}"))?;
        if let Some(token) = &response.checkpoint_token {
            if *token == self.token {
                return Err(format!("checkpoint returned the spent token {token}"));
            }
            self.token.clone_from(token);
        }
        Ok(response)
    }
}

/// A step run to completion in one checkpoint: `START` then `SUCCEED` with `payload`.
pub fn step(id: &str, name: &str, payload: &str) -> Vec<OperationUpdate> {
    let base = OperationUpdate {
        id: id.to_owned(),
        name: Some(name.to_owned()),
        r#type: OperationType::Step,
        sub_type: Some("Step".to_owned()),
        action: OperationAction::Start,
        ..OperationUpdate::default()
    };
    vec![
        base.clone(),
        OperationUpdate {
            action: OperationAction::Succeed,
            payload: Some(payload.to_owned()),
            ..base
        },
    ]
}

/// Starts a wait of `seconds`.
pub fn wait(id: &str, seconds: i32) -> OperationUpdate {
    OperationUpdate {
        id: id.to_owned(),
        r#type: OperationType::Wait,
        sub_type: Some("Wait".to_owned()),
        action: OperationAction::Start,
        wait_options: Some(WaitOptions {
            wait_seconds: Some(seconds),
        }),
        ..OperationUpdate::default()
    }
}

/// Starts a callback with an overall and a heartbeat timeout (in real seconds: the emulator's
/// `--skip-time` does not shorten them).
pub fn callback(id: &str, name: &str, timeout: i32, heartbeat: i32) -> OperationUpdate {
    OperationUpdate {
        id: id.to_owned(),
        name: Some(name.to_owned()),
        r#type: OperationType::Callback,
        sub_type: Some("Callback".to_owned()),
        action: OperationAction::Start,
        callback_options: Some(CallbackOptions {
            timeout_seconds: Some(timeout),
            heartbeat_timeout_seconds: Some(heartbeat),
        }),
        ..OperationUpdate::default()
    }
}

/// Completes the execution (operation `execution_id`, the `EXECUTION` operation's id) with
/// `payload` as its result.
pub fn succeed_execution(execution_id: &str, payload: &str) -> OperationUpdate {
    OperationUpdate {
        id: execution_id.to_owned(),
        r#type: OperationType::Execution,
        action: OperationAction::Succeed,
        payload: Some(payload.to_owned()),
        ..OperationUpdate::default()
    }
}

/// Fails the execution (operation `execution_id`) with `error`.
pub fn fail_execution(execution_id: &str, error: ErrorObject) -> OperationUpdate {
    OperationUpdate {
        id: execution_id.to_owned(),
        r#type: OperationType::Execution,
        action: OperationAction::Fail,
        error: Some(error),
        ..OperationUpdate::default()
    }
}

/// An error object with a type and a message.
pub fn error_object(error_type: &str, message: &str) -> ErrorObject {
    ErrorObject {
        error_type: Some(error_type.to_owned()),
        error_message: Some(message.to_owned()),
        ..ErrorObject::default()
    }
}

/// The invocation answer of a function that finished with `result` (a JSON text).
pub fn succeeded(result: &str) -> Value {
    json!({ "Status": "SUCCEEDED", "Result": result })
}

/// The invocation answer of a function that failed.
pub fn failed(error_type: &str, message: &str) -> Value {
    json!({
        "Status": "FAILED",
        "Error": { "ErrorType": error_type, "ErrorMessage": message },
    })
}

/// The invocation answer of a function that waits for pending operations.
pub fn pending() -> Value {
    json!({ "Status": "PENDING" })
}
