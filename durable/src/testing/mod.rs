//! Testing durable handlers in process (cargo feature `testing`): [`TestRunner`] drives a
//! handler through as many invocations as it needs against a [`MemoryService`] that follows
//! the service's rules. Between invocations, waits end and retry delays are over at once;
//! callbacks and chained invokes are answered by closures the test gives. Every invocation goes
//! through the same code as in production ([`DurableHandler`]).

mod service;

pub use service::{Fault, InvokeRequest, MemoryService};

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use lambda_sdk::types::{Operation, OperationAction, OperationType, OperationUpdate};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::backend::BackendErrorKind;
use crate::context::DurableContext;
use crate::error::{BoxError, ErrorObject};
use crate::{DurableHandler, RunOptions};
use service::Resolution;

/// The ARN of the execution a [`TestRunner`] runs.
pub const TEST_EXECUTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:test-function:$LATEST/durable-execution/test-execution/0e0e0e0e";

/// How a test run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The execution succeeded.
    Succeeded,
    /// The execution failed.
    Failed,
    /// The execution waits on something the test did not answer (a callback, an invoke), or
    /// the runner reached its limit of invocations.
    Pending,
}

/// How the test completes a callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallbackAnswer {
    /// `SendDurableExecutionCallbackSuccess` with this result payload.
    Success(Option<String>),
    /// `SendDurableExecutionCallbackFailure` with this error.
    Failure(ErrorObject),
    /// The callback's timeout passes.
    TimedOut,
    /// The callback's heartbeat timeout passes.
    HeartbeatTimedOut,
}

impl CallbackAnswer {
    /// A success whose payload is `value` as JSON.
    pub fn json(value: impl Serialize) -> CallbackAnswer {
        CallbackAnswer::Success(serde_json::to_string(&value).ok())
    }
}

/// A callback waiting for its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackRequest {
    /// The callback's id.
    pub callback_id: String,
    /// The callback's name, if it has one.
    pub name: Option<String>,
    /// How many times the runner has asked about this callback before.
    pub asked: u32,
}

type InvokeAnswer = Box<dyn FnMut(Option<&str>) -> Result<Option<String>, ErrorObject> + Send>;
type CallbackAnswerer = Box<dyn FnMut(&CallbackRequest) -> Option<CallbackAnswer> + Send>;

/// Drives a handler through its invocations (see the module docs).
pub struct TestRunner<F, E, O> {
    handler: F,
    input: Option<String>,
    options: RunOptions,
    page_size: usize,
    max_invocations: usize,
    invokes: HashMap<String, InvokeAnswer>,
    callbacks: Option<CallbackAnswerer>,
    checkpoint_faults: Vec<(usize, Fault)>,
    state_faults: Vec<(usize, Fault)>,
    _types: std::marker::PhantomData<fn(E) -> O>,
}

impl<F, E, Fut, O> TestRunner<F, E, O>
where
    F: Fn(E, DurableContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, BoxError>> + Send + 'static,
    E: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
{
    /// A runner for `handler`, with input `null`.
    pub fn new(handler: F) -> Self {
        TestRunner {
            handler,
            input: None,
            options: RunOptions::default(),
            page_size: 1000,
            max_invocations: 100,
            invokes: HashMap::new(),
            callbacks: None,
            checkpoint_faults: Vec::new(),
            state_faults: Vec::new(),
            _types: std::marker::PhantomData,
        }
    }

    /// The execution's input, as JSON.
    pub fn input(mut self, input: impl Serialize) -> Self {
        self.input = serde_json::to_string(&input).ok();
        self
    }

    /// The execution's input, exactly as given (not necessarily JSON).
    pub fn raw_input(mut self, input: impl Into<String>) -> Self {
        self.input = Some(input.into());
        self
    }

    /// Options for the handler (its backend is the runner's service, whatever is set here).
    pub fn options(mut self, options: RunOptions) -> Self {
        self.options = options;
        self
    }

    /// Operations per state page (and in the envelope), to exercise paging. Default 1,000.
    pub fn page_size(mut self, size: usize) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// The most invocations before the run ends as [`Status::Pending`]. Default 100.
    pub fn max_invocations(mut self, invocations: usize) -> Self {
        self.max_invocations = invocations.max(1);
        self
    }

    /// Answers chained invokes of `function` (as the code names it): the payload in, the
    /// result payload or an error out.
    pub fn on_invoke(
        mut self,
        function: impl Into<String>,
        answer: impl FnMut(Option<&str>) -> Result<Option<String>, ErrorObject> + Send + 'static,
    ) -> Self {
        self.invokes.insert(function.into(), Box::new(answer));
        self
    }

    /// Answers callbacks between invocations; `None` leaves one waiting.
    pub fn on_callback(
        mut self,
        answer: impl FnMut(&CallbackRequest) -> Option<CallbackAnswer> + Send + 'static,
    ) -> Self {
        self.callbacks = Some(Box::new(answer));
        self
    }

    /// Injects a fault into checkpoint call `call` (counted from 1 over the whole run).
    pub fn fault_checkpoint(mut self, call: usize, fault: Fault) -> Self {
        self.checkpoint_faults.push((call, fault));
        self
    }

    /// Injects a fault into state-page call `call` (counted from 1 over the whole run).
    pub fn fault_state_page(mut self, call: usize, fault: Fault) -> Self {
        self.state_faults.push((call, fault));
        self
    }

    /// Runs the execution to its end (or until it waits on something unanswered).
    pub async fn run(self) -> TestResult {
        let service = Arc::new(MemoryService::new(
            TEST_EXECUTION_ARN,
            self.input,
            self.page_size,
        ));
        for (call, fault) in self.checkpoint_faults {
            service.fault_checkpoint(call, fault);
        }
        for (call, fault) in self.state_faults {
            service.fault_state_page(call, fault);
        }
        let handler = DurableHandler::new(self.handler, self.options.backend(Arc::clone(&service)));
        let mut invokes = self.invokes;
        let mut callbacks = self.callbacks;
        let mut asked: HashMap<String, u32> = HashMap::new();
        let mut outputs = Vec::new();
        let mut outcome = (Status::Pending, None, None);
        for n in 1..=self.max_invocations {
            let mut lambda = lambda_runtime::Context::default();
            lambda.request_id = format!("test-invocation-{n}");
            let event = service.envelope();
            let output = handler
                .invoke(lambda_runtime::LambdaEvent::new(event, lambda))
                .await
                .map_err(|e| e.to_string());
            outputs.push(output.clone());
            let Ok(output) = output else {
                // An invocation error: Lambda invokes the function again.
                continue;
            };
            match output.get("Status").and_then(Value::as_str) {
                Some("SUCCEEDED") => {
                    let result = match output.get("Result").and_then(Value::as_str) {
                        Some("") | None => {
                            service.recorded_outcome().and_then(|(action, payload, _)| {
                                (action == OperationAction::Succeed)
                                    .then_some(payload)
                                    .flatten()
                            })
                        }
                        Some(result) => Some(result.to_string()),
                    };
                    outcome = (Status::Succeeded, result, None);
                    break;
                }
                Some("FAILED") => {
                    let error = match output.get("Error") {
                        Some(error) => crate::envelope::error_from_json(error),
                        None => service
                            .recorded_outcome()
                            .and_then(|(_, _, error)| error)
                            .map(|e| ErrorObject::from_wire(&e))
                            .unwrap_or_default(),
                    };
                    outcome = (Status::Failed, None, Some(error));
                    break;
                }
                _ => {}
            }
            let mut resolve = |op: &Operation| -> Option<Resolution> {
                match op.r#type {
                    OperationType::ChainedInvoke => {
                        let request = service
                            .invoke_requests()
                            .into_iter()
                            .find(|r| r.operation_id == op.id)?;
                        let answer = match invokes.get_mut(&request.function_name) {
                            Some(answer) => answer(request.payload.as_deref()),
                            None => Err(ErrorObject::new(
                                "ResourceNotFoundException",
                                format!(
                                    "the test registered no function {:?}",
                                    request.function_name
                                ),
                            )),
                        };
                        Some(match answer {
                            Ok(result) => Resolution::Succeeded(result),
                            Err(error) => Resolution::Failed(error.to_wire()),
                        })
                    }
                    OperationType::Callback => {
                        let callbacks = callbacks.as_mut()?;
                        let callback_id = op.callback_details.as_ref()?.callback_id.clone()?;
                        let count = asked.entry(callback_id.clone()).or_insert(0);
                        let request = CallbackRequest {
                            callback_id,
                            name: op.name.clone(),
                            asked: *count,
                        };
                        *count += 1;
                        Some(match callbacks(&request)? {
                            CallbackAnswer::Success(result) => Resolution::Succeeded(result),
                            CallbackAnswer::Failure(error) => Resolution::Failed(error.to_wire()),
                            CallbackAnswer::TimedOut => Resolution::TimedOut(
                                ErrorObject::new("Callback.Timeout", "the callback timed out")
                                    .to_wire(),
                            ),
                            CallbackAnswer::HeartbeatTimedOut => Resolution::TimedOut(
                                ErrorObject::new(
                                    "Callback.Heartbeat",
                                    "no heartbeat arrived in time",
                                )
                                .to_wire(),
                            ),
                        })
                    }
                    _ => None,
                }
            };
            if !service.advance(&mut resolve) {
                // PENDING with nothing the runner can move forward.
                break;
            }
        }
        TestResult {
            status: outcome.0,
            result: outcome.1,
            error: outcome.2,
            outputs,
            service,
        }
    }
}

/// What a [`TestRunner`] run did.
#[derive(Debug)]
pub struct TestResult {
    status: Status,
    result: Option<String>,
    error: Option<ErrorObject>,
    outputs: Vec<Result<Value, String>>,
    service: Arc<MemoryService>,
}

impl TestResult {
    /// How the run ended.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The execution's result, deserialized.
    ///
    /// # Errors
    /// When the execution did not succeed, or its result does not deserialize as `T`.
    pub fn output<T: DeserializeOwned>(&self) -> Result<T, BoxError> {
        match (&self.status, &self.result) {
            (Status::Succeeded, result) => {
                Ok(serde_json::from_str(result.as_deref().unwrap_or("null"))?)
            }
            (status, _) => {
                Err(format!("the execution did not succeed: {status:?} {:?}", self.error).into())
            }
        }
    }

    /// The execution's result as recorded (JSON), if it succeeded.
    pub fn raw_output(&self) -> Option<&str> {
        self.result.as_deref()
    }

    /// The execution's error, if it failed.
    pub fn error(&self) -> Option<&ErrorObject> {
        self.error.as_ref()
    }

    /// How many invocations the run took.
    pub fn invocations(&self) -> usize {
        self.outputs.len()
    }

    /// Each invocation's output envelope, or the error it ended with.
    pub fn outputs(&self) -> &[Result<Value, String>] {
        &self.outputs
    }

    /// How many `CheckpointDurableExecution` calls the handler made.
    pub fn checkpoint_calls(&self) -> usize {
        self.service.checkpoints().len()
    }

    /// The updates of each checkpoint call.
    pub fn checkpoints(&self) -> Vec<Vec<OperationUpdate>> {
        self.service.checkpoints()
    }

    /// How many `GetDurableExecutionState` calls the handler made.
    pub fn state_calls(&self) -> usize {
        self.service.state_calls()
    }

    /// The recorded operations (the EXECUTION operation first), in the order they were created.
    pub fn operations(&self) -> Vec<Operation> {
        self.service.operations()
    }

    /// The recorded operation named `name`.
    pub fn operation(&self, name: &str) -> Option<Operation> {
        self.operations()
            .into_iter()
            .find(|o| o.name.as_deref() == Some(name))
    }

    /// The chained invokes the execution started.
    pub fn invoke_requests(&self) -> Vec<InvokeRequest> {
        self.service.invoke_requests()
    }
}

/// A [`Fault`] that fails a call with a stale token (`Invalid checkpoint token`).
pub fn stale_token() -> Fault {
    Fault::Error(
        BackendErrorKind::StaleToken,
        "InvalidParameterValueException: Invalid checkpoint token".into(),
    )
}
