//! One invocation, start to end: read the envelope and the state, run the handler until it
//! returns, suspends or must stop, flush the checkpoints, and answer with the output envelope.
//! Production (`run`) and the testing runner go through [`Invoker::invoke`] alike.

use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Wake, Waker};

use lambda_sdk::types::{OperationAction, OperationType, OperationUpdate};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::backend::{BoxFuture, DurableBackend};
use crate::branch::BranchState;
use crate::context::DurableContext;
use crate::envelope::{self, RESPONSE_LIMIT};
use crate::error::{BoxError, ErrorObject, short_type_name};
use crate::execution::{Execution, Fatal, Settings, lock};
use crate::ops::panic_message;
use crate::plugin::{self, InvocationEnd, InvocationStart, InvocationStatus};

/// How the handler's run ended.
enum Outcome<O> {
    /// It returned.
    Done(Result<O, BoxError>),
    /// Nothing can run until the service invokes the function again.
    Suspended,
    /// Something stopped the invocation (see the fatal slot).
    Stopped,
    /// It panicked, with this message.
    Panicked(String),
}

/// Polls the handler until it returns, the invocation can only wait for the service
/// (suspension: the handler's branch is parked and no operation does live work, see
/// [`crate::branch`]), or something stopped it. Dropping the handler's future then drops every
/// operation in it.
async fn drive<O>(
    exec: &Arc<Execution>,
    loader: &mut Option<BoxFuture<'_, ()>>,
    handler: impl Future<Output = Result<O, BoxError>>,
) -> Outcome<O> {
    let mut handler = std::pin::pin!(handler);
    let root = BranchState::default();
    let wake = Arc::new(WakeFlag::default());
    let waker = Waker::from(Arc::clone(&wake));
    std::future::poll_fn(|cx| {
        wake.set_task(cx.waker());
        let mut handler_cx = Context::from_waker(&waker);
        // The state pages still being read, alongside the handler.
        if let Some(pages) = loader.as_mut()
            && pages.as_mut().poll(&mut handler_cx).is_ready()
        {
            *loader = None;
        }
        let polled = root.poll(|| {
            std::panic::catch_unwind(AssertUnwindSafe(|| handler.as_mut().poll(&mut handler_cx)))
        });
        match polled {
            Ok(Poll::Ready(result)) => Poll::Ready(Outcome::Done(result)),
            Err(payload) => Poll::Ready(Outcome::Panicked(panic_message(payload.as_ref()))),
            Ok(Poll::Pending) if exec.fatal().is_some() => Poll::Ready(Outcome::Stopped),
            // Woken while it was being polled: something can still run.
            Ok(Poll::Pending) if wake.take() => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Ok(Poll::Pending) if root.is_parked() && exec.nothing_running() && loader.is_none() => {
                Poll::Ready(Outcome::Suspended)
            }
            Ok(Poll::Pending) => Poll::Pending,
        }
    })
    .await
}

/// The handler's waker: wakes the invocation's task and remembers that it did.
#[derive(Default)]
struct WakeFlag {
    woken: AtomicBool,
    task: Mutex<Option<Waker>>,
}

impl WakeFlag {
    fn set_task(&self, waker: &Waker) {
        let mut task = lock(&self.task);
        if !task.as_ref().is_some_and(|t| t.will_wake(waker)) {
            *task = Some(waker.clone());
        }
        self.woken.store(false, Ordering::SeqCst);
    }

    fn take(&self) -> bool {
        self.woken.swap(false, Ordering::SeqCst)
    }
}

impl Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        let task = lock(&self.task).clone();
        if let Some(task) = task {
            task.wake();
        }
    }
}

/// Where the backend comes from: given, or `lambda_sdk::Client::from_env()` at the first
/// invocation.
pub(crate) enum BackendSource {
    Given(Arc<dyn DurableBackend>),
    FromEnv(OnceLock<Arc<dyn DurableBackend>>),
}

/// A handler with its settings: answers invocations.
pub(crate) struct Invoker<F, E, O> {
    pub handler: F,
    pub settings: Arc<Settings>,
    pub backend: BackendSource,
    pub _types: PhantomData<fn(E) -> O>,
}

impl<F, E, Fut, O> Invoker<F, E, O>
where
    F: Fn(E, DurableContext) -> Fut,
    Fut: Future<Output = Result<O, BoxError>>,
    E: DeserializeOwned,
    O: Serialize,
{
    fn backend(&self) -> Result<Arc<dyn DurableBackend>, lambda_runtime::Error> {
        match &self.backend {
            BackendSource::Given(backend) => Ok(Arc::clone(backend)),
            BackendSource::FromEnv(cell) => {
                if let Some(backend) = cell.get() {
                    return Ok(Arc::clone(backend));
                }
                let client = lambda_sdk::Client::from_env().map_err(|e| {
                    format!("cannot configure the Lambda client from the environment: {e}")
                })?;
                Ok(Arc::clone(cell.get_or_init(|| Arc::new(client))))
            }
        }
    }

    /// Answers one invocation: the output envelope, or an error when Lambda should invoke the
    /// function again (a checkpoint failure worth retrying, a stale token).
    pub async fn invoke(
        &self,
        event: Value,
        lambda: lambda_runtime::Context,
    ) -> Result<Value, lambda_runtime::Error> {
        let envelope = match envelope::parse(&event) {
            Ok(envelope) => envelope,
            Err(message) => {
                return Ok(envelope::failed(Some(&ErrorObject::new(
                    "InvalidEnvelopeError",
                    message,
                ))));
            }
        };
        let backend = self.backend()?;
        let (exec, next_marker) = Execution::new(
            envelope,
            backend,
            Arc::clone(&self.settings),
            Arc::new(lambda),
        );
        // The state pages after the envelope's are read while replay goes on over the records
        // already there (an operation without a record waits for them all).
        let mut loader: Option<BoxFuture<'_, ()>> = next_marker.map(|marker| {
            Box::pin(exec.load_pages(marker, self.settings.max_state_pages)) as BoxFuture<'_, ()>
        });
        // The handler needs its input: if the EXECUTION operation is on a later page, all the
        // pages first.
        if exec.execution_input().is_none()
            && let Some(loader) = loader.take()
        {
            loader.await;
        }
        if let Some(fatal) = exec.fatal() {
            return answer_fatal(fatal);
        }
        let input = exec.execution_input().flatten();
        let event: E = match read_input(input.as_deref()) {
            Ok(event) => event,
            Err(message) => {
                return Ok(envelope::failed(Some(&ErrorObject::new(
                    "InvalidInputError",
                    format!(
                        "{message}: the execution's input does not match the handler's event \
                         type `{}`",
                        std::any::type_name::<E>()
                    ),
                ))));
            }
        };
        if !self.settings.plugins.is_empty() {
            let info = InvocationStart {
                durable_execution_arn: exec.arn.clone(),
                request_id: exec.lambda.request_id.clone(),
                is_first_invocation: !exec.is_replaying(),
            };
            plugin::dispatch(&exec, "on_invocation_start", |p| {
                p.on_invocation_start(&info)
            });
        }
        let outcome = drive(
            &exec,
            &mut loader,
            (self.handler)(event, DurableContext::root(Arc::clone(&exec))),
        )
        .await;
        // What is left of the state is read before answering (its errors end the invocation).
        if let Some(loader) = loader.take()
            && exec.fatal().is_none()
        {
            loader.await;
        }
        let mut too_large_error = None;
        let answer = answer(&exec, outcome, &mut too_large_error).await;
        if !self.settings.plugins.is_empty() {
            let (status, error) = invocation_status(&answer, too_large_error);
            let info = InvocationEnd {
                durable_execution_arn: exec.arn.clone(),
                request_id: exec.lambda.request_id.clone(),
                status,
                error,
            };
            plugin::dispatch(&exec, "on_invocation_end", |p| p.on_invocation_end(&info));
        }
        answer
    }
}

/// How the invocation answers, for the plugins.
fn invocation_status(
    answer: &Result<Value, lambda_runtime::Error>,
    too_large_error: Option<ErrorObject>,
) -> (InvocationStatus, Option<ErrorObject>) {
    match answer {
        Err(e) => (
            InvocationStatus::Retry,
            Some(ErrorObject::new("InvocationError", e.to_string())),
        ),
        Ok(output) => match output.get("Status").and_then(Value::as_str) {
            Some("SUCCEEDED") => (InvocationStatus::Succeeded, None),
            Some("FAILED") => (
                InvocationStatus::Failed,
                output
                    .get("Error")
                    .map(envelope::error_from_json)
                    .or(too_large_error),
            ),
            _ => (InvocationStatus::Pending, None),
        },
    }
}

/// The answer to the invocation once the handler's run ended: every outcome reached so far is
/// recorded first.
async fn answer<O: Serialize>(
    exec: &Arc<Execution>,
    outcome: Outcome<O>,
    too_large_error: &mut Option<ErrorObject>,
) -> Result<Value, lambda_runtime::Error> {
    // Every outcome reached so far is recorded before the invocation answers.
    exec.flush_all().await;
    if let Some(fatal) = exec.fatal() {
        return answer_fatal(fatal);
    }
    match outcome {
        Outcome::Suspended => Ok(envelope::pending()),
        Outcome::Stopped => Ok(envelope::pending()),
        Outcome::Panicked(message) => Ok(envelope::failed(Some(&ErrorObject::new(
            "Panic",
            format!("the handler panicked: {message}"),
        )))),
        Outcome::Done(Ok(output)) => match serde_json::to_string(&output) {
            Ok(result) if result.len() <= RESPONSE_LIMIT => Ok(envelope::succeeded(&result)),
            Ok(result) => {
                // Too large to return: record it, return it empty.
                match end_execution(exec, OperationAction::Succeed, Some(result), None).await {
                    Some(answer) => answer,
                    None => Ok(envelope::succeeded("")),
                }
            }
            Err(e) => Ok(envelope::failed(Some(&ErrorObject::new(
                "SerializationError",
                format!(
                    "the handler's result of type `{}` cannot be serialized as JSON: {e}",
                    short_type_name::<O>()
                ),
            )))),
        },
        Outcome::Done(Err(error)) => {
            let error = ErrorObject::from_error(&*error);
            let output = envelope::failed(Some(&error));
            if output.to_string().len() <= RESPONSE_LIMIT {
                return Ok(output);
            }
            // Too large to return: record it, return the status alone.
            *too_large_error = Some(error.clone());
            match end_execution(exec, OperationAction::Fail, None, Some(error)).await {
                Some(answer) => answer,
                None => Ok(envelope::failed(None)),
            }
        }
    }
}

/// The event the handler gets: the EXECUTION operation's input (absent or empty reads as
/// `null`).
fn read_input<E: DeserializeOwned>(input: Option<&str>) -> Result<E, String> {
    let input = input.filter(|i| !i.trim().is_empty()).unwrap_or("null");
    serde_json::from_str(input).map_err(|e| e.to_string())
}

/// The answer when something stopped the invocation.
fn answer_fatal(fatal: Fatal) -> Result<Value, lambda_runtime::Error> {
    match fatal {
        Fatal::Failed(error) => Ok(envelope::failed(Some(&error))),
        Fatal::Retry(message) => Err(message.into()),
        Fatal::Stopped => Ok(envelope::pending()),
    }
}

/// Records the execution's outcome with an EXECUTION update (for a result or error too large
/// to return). `Some(answer)` when it could not be recorded.
async fn end_execution(
    exec: &Arc<Execution>,
    action: OperationAction,
    payload: Option<String>,
    error: Option<ErrorObject>,
) -> Option<Result<Value, lambda_runtime::Error>> {
    let Some(id) = exec.execution_op_id() else {
        return Some(Err(
            "the execution's state has no EXECUTION operation to record its outcome on".into(),
        ));
    };
    let update = OperationUpdate {
        id,
        r#type: OperationType::Execution,
        action,
        payload,
        error: error.map(|e| e.to_wire()),
        ..Default::default()
    };
    match exec.checkpoint(update).await {
        Ok(()) => None,
        Err(_) => Some(answer_fatal(exec.fatal().unwrap_or(Fatal::Stopped))),
    }
}
