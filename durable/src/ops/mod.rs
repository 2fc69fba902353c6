//! The durable operations, one module each, and what they share: minting the id, checking the
//! record against the call (determinism), building updates, running user code so that a panic is
//! an error, and reading payloads.

mod batch;
mod callback;
mod child;
mod combinators;
mod condition;
mod invoke;
mod map;
mod parallel;
mod step;
mod wait;
mod with_retry;

pub use batch::{BatchItem, BatchResult, BatchStatus, CompletionConfig, CompletionReason, Nesting};
pub use callback::{Callback, CallbackBuilder, WaitForCallbackBuilder};
pub use child::ChildBuilder;
pub use combinators::CombinatorBuilder;
pub use condition::WaitForConditionBuilder;
pub use invoke::InvokeBuilder;
pub use map::MapBuilder;
pub use parallel::{Branch, ParallelBuilder};
pub use step::{StepBuilder, StepSemantics};
pub use wait::WaitBuilder;
pub use with_retry::WithRetryBuilder;

/// Context results larger than this are not recorded: replay rebuilds them from the children.
pub(crate) const LARGE_RESULT: usize = 256 * 1024;

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use lambda_sdk::types::{
    ContextOptions, OperationAction, OperationStatus, OperationType, OperationUpdate,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::context::{DurableContext, Minted};
use crate::error::{BoxError, DurableError, ErrorKind, ErrorObject, OperationRef, short_id};
use crate::execution::{Execution, Fatal};
use crate::plugin::{self, Attempt, AttemptEnd, AttemptOutcome, OperationEnd, OperationInfo};
use crate::record::Record;
use crate::serdes::{Chosen, SerdesContext};

/// An operation that has its id, and its record if an earlier invocation left one.
pub(crate) struct Begun {
    pub path: String,
    pub op: OperationRef,
    pub record: Option<Arc<Record>>,
    pub parent_id: Option<String>,
    pub op_type: OperationType,
    pub sub_type: &'static str,
}

impl DurableContext {
    /// Mints the operation's id and checks its record, if any, against the call: a record of
    /// another type, subtype or name means the code no longer does what it did (non-determinism),
    /// and a status this runtime does not know cannot be replayed. Both stop the execution.
    pub(crate) async fn begin(
        &self,
        minted: Minted,
        op_type: OperationType,
        sub_type: &'static str,
        name: Option<&str>,
        what: &'static str,
    ) -> Result<Begun, Fatal> {
        let Minted {
            path,
            id,
            while_busy,
        } = minted;
        if while_busy {
            return Err(Fatal::Failed(ErrorObject::new(
                "ContextMisuseError",
                format!(
                    "operation {path} ({}, {what}) was created on a context while a map,                      parallel or combinator of that context was running its branches. Inside a                      branch, create operations on the branch's own context (the one the branch                      closure is given): operations created on the outer context are numbered in                      the order the branches reach them, which can differ on replay.",
                    short_id(&id)
                ),
            )));
        }
        let exec = self.exec();
        let mut record = exec.record(&id);
        // The record of an ended operation replays at once, before the rest of the state is
        // read; anything else (no record yet, or an operation that goes on live) waits for all
        // of it, so nothing is written before it is.
        if !record.as_ref().is_some_and(|r| r.has_ended()) && !exec.is_loaded() {
            exec.loaded().await?;
            record = exec.record(&id);
        }
        let op = OperationRef {
            id,
            name: name.map(String::from),
            what,
        };
        if let Some(record) = &record {
            let sub_type_differs = record.sub_type.as_deref().is_some_and(|s| s != sub_type);
            if record.op_type != op_type || sub_type_differs || record.name.as_deref() != name {
                return Err(Fatal::Failed(ErrorObject::new(
                    "NonDeterministicExecutionError",
                    format!(
                        "the code no longer does what it did when the execution was recorded: \
                         operation {path} ({}) was recorded as {}, but the code now starts {}. \
                         Code must create the same operations in the same order on every \
                         invocation.",
                        short_id(&op.id),
                        describe(
                            &record.op_type,
                            record.sub_type.as_deref(),
                            record.name.as_deref()
                        ),
                        describe(&op_type, Some(sub_type), name),
                    ),
                )));
            }
            if let OperationStatus::Unknown(status) = &record.status {
                return Err(Fatal::Failed(ErrorObject::new(
                    "UnrecognizedStatusError",
                    format!(
                        "operation {path} ({}) has the status {status:?}, which this runtime does \
                         not know; a newer version of lambda-sdk-durable may",
                        short_id(&op.id)
                    ),
                )));
            }
        }
        let begun = Begun {
            path,
            op,
            record,
            parent_id: self.parent_id().map(String::from),
            op_type,
            sub_type,
        };
        if !exec.settings.plugins.is_empty() {
            match &begun.record {
                None => begun.hook_start(exec),
                Some(record) if !record.has_ended() => begun.hook_start(exec),
                // Ended by the service while the execution was suspended: seen for the first
                // time (otherwise an earlier invocation saw it end).
                Some(record) => begun.ended(exec, record.status.clone(), record.error.as_ref()),
            }
        }
        Ok(begun)
    }
}

/// `a STEP (Step) named "charge"`.
fn describe(op_type: &OperationType, sub_type: Option<&str>, name: Option<&str>) -> String {
    let mut text = format!("a {}", op_type.as_str());
    if let Some(sub_type) = sub_type {
        text.push_str(&format!(" ({sub_type})"));
    }
    match name {
        Some(name) => text.push_str(&format!(" named {name:?}")),
        None => text.push_str(" without a name"),
    }
    text
}

impl Begun {
    pub fn id(&self) -> &str {
        &self.op.id
    }

    /// The operation, as plugins see it.
    pub fn info(&self, exec: &Execution) -> OperationInfo {
        OperationInfo {
            durable_execution_arn: exec.arn.clone(),
            operation_id: self.op.id.clone(),
            parent_id: self.parent_id.clone(),
            name: self.op.name.clone(),
            operation_type: self.op_type.clone(),
            sub_type: self.sub_type.to_string(),
        }
    }

    fn hook_start(&self, exec: &Execution) {
        let info = self.info(exec);
        plugin::dispatch(exec, "on_operation_start", |p| p.on_operation_start(&info));
    }

    /// The operation ended: tells the plugins, unless they were told already (in this
    /// invocation or an earlier one).
    pub fn ended(&self, exec: &Execution, status: OperationStatus, error: Option<&ErrorObject>) {
        if exec.settings.plugins.is_empty() || !exec.first_report_of_end(self.id()) {
            return;
        }
        let info = OperationEnd {
            operation: self.info(exec),
            status,
            error: error.cloned(),
        };
        plugin::dispatch(exec, "on_operation_end", |p| p.on_operation_end(&info));
    }

    /// Records the operation's failure, tells the plugins, and returns it as the error of
    /// `kind` (with the error the operation's code failed with, if any, as its source).
    pub async fn fail<T>(
        &self,
        exec: &Arc<Execution>,
        kind: ErrorKind,
        cause: ErrorObject,
        source: Option<BoxError>,
    ) -> Result<T, DurableError> {
        let mut fail = self.update(OperationAction::Fail);
        fail.error = Some(cause.to_wire());
        {
            let _running = exec.running();
            record(exec, fail).await;
        }
        self.ended(exec, OperationStatus::Failed, Some(&cause));
        Err(DurableError::new(
            kind,
            Some(self.op.clone()),
            cause,
            source,
        ))
    }

    /// Records a context's success and returns its value as replay will read it back. A payload
    /// over [`LARGE_RESULT`] is not recorded: the record is marked `ReplayChildren`, with the
    /// `summary` of the value (if it gives one) as its payload, and replay rebuilds the value
    /// from the children's records. A value that cannot be written or read back fails the
    /// context with an error of `kind`.
    pub async fn succeed_context<T: Serialize + DeserializeOwned>(
        &self,
        exec: &Arc<Execution>,
        serdes: &Chosen<'_, T>,
        value: T,
        kind: ErrorKind,
        summary: impl FnOnce(&T) -> Option<String>,
    ) -> Result<T, DurableError> {
        let written = self
            .write(serdes, &value, exec)
            .and_then(|payload| match payload {
                Some(p) if p.len() > LARGE_RESULT => Ok((None, value)),
                payload => {
                    let read_back = self.read(serdes, payload.as_deref(), exec)?;
                    Ok((Some(payload), read_back))
                }
            });
        let (payload, value) = match written {
            Ok(written) => written,
            Err(e) => {
                let cause = e.error_object().clone();
                return self.fail(exec, kind, cause, Some(Box::new(e))).await;
            }
        };
        let mut succeed = self.update(OperationAction::Succeed);
        match payload {
            Some(payload) => succeed.payload = payload,
            None => {
                succeed.context_options = Some(ContextOptions {
                    replay_children: Some(true),
                });
                succeed.payload = summary(&value);
            }
        }
        {
            let _running = exec.running();
            record(exec, succeed).await;
        }
        self.ended(exec, OperationStatus::Succeeded, None);
        Ok(value)
    }

    /// A step attempt starts: tells the plugins.
    pub fn attempt_started(&self, exec: &Execution, attempt: u32) {
        if exec.settings.plugins.is_empty() {
            return;
        }
        let info = Attempt {
            operation: self.info(exec),
            attempt,
        };
        plugin::dispatch(exec, "on_attempt_start", |p| p.on_attempt_start(&info));
    }

    /// A step attempt ended: tells the plugins.
    pub fn attempt_ended<T>(&self, exec: &Execution, attempt: u32, outcome: &Result<T, BoxError>) {
        if exec.settings.plugins.is_empty() {
            return;
        }
        let info = AttemptEnd {
            operation: self.info(exec),
            attempt,
            outcome: match outcome {
                Ok(_) => AttemptOutcome::Succeeded,
                Err(_) => AttemptOutcome::Failed,
            },
            error: outcome
                .as_ref()
                .err()
                .map(|e| ErrorObject::from_error(&**e)),
        };
        plugin::dispatch(exec, "on_attempt_end", |p| p.on_attempt_end(&info));
    }

    /// An update of this operation.
    pub fn update(&self, action: OperationAction) -> OperationUpdate {
        OperationUpdate {
            id: self.op.id.clone(),
            parent_id: self.parent_id.clone(),
            name: self.op.name.clone(),
            r#type: self.op_type.clone(),
            sub_type: Some(self.sub_type.to_string()),
            action,
            ..Default::default()
        }
    }

    pub fn serdes_context(&self, exec: &Execution) -> SerdesContext {
        SerdesContext {
            operation_id: self.op.id.clone(),
            durable_execution_arn: exec.arn.clone(),
        }
    }

    /// A failure replayed from the record.
    pub fn replayed(&self, kind: ErrorKind, record: &Record) -> DurableError {
        let cause = record.error.clone().unwrap_or_else(|| {
            ErrorObject::new(
                kind.wire_type(),
                format!("ended with status {}", record.status.as_str()),
            )
        });
        DurableError::replayed(kind, self.op.clone(), cause)
    }

    /// Reads a payload; a failure is a [`ErrorKind::Deserialization`] error of this operation.
    pub fn read<T: DeserializeOwned>(
        &self,
        serdes: &Chosen<'_, T>,
        payload: Option<&str>,
        exec: &Execution,
    ) -> Result<T, DurableError> {
        serdes
            .deserialize(payload, &self.serdes_context(exec))
            .map_err(|e| {
                DurableError::runtime(
                    ErrorKind::Deserialization,
                    Some(self.op.clone()),
                    format!(
                        "its payload does not read as {}: {e}",
                        std::any::type_name::<T>()
                    ),
                    Some(e),
                )
            })
    }

    /// Writes a payload; a failure is a [`ErrorKind::Serialization`] error of this operation.
    pub fn write<T: Serialize>(
        &self,
        serdes: &Chosen<'_, T>,
        value: &T,
        exec: &Execution,
    ) -> Result<Option<String>, DurableError> {
        serdes
            .serialize(value, &self.serdes_context(exec))
            .map_err(|e| {
                DurableError::runtime(
                    ErrorKind::Serialization,
                    Some(self.op.clone()),
                    format!(
                        "its value of type {} cannot be serialized: {e}",
                        std::any::type_name::<T>()
                    ),
                    Some(e),
                )
            })
    }
}

/// Runs user code: a panic, in the code that makes the future or in the future, becomes an
/// error with the panic's message.
pub(crate) async fn guarded<T, Fut>(make: impl FnOnce() -> Fut) -> Result<T, BoxError>
where
    Fut: Future<Output = Result<T, BoxError>>,
{
    let panicked = |payload: Box<dyn Any + Send>| -> BoxError {
        format!("panicked: {}", panic_message(payload.as_ref())).into()
    };
    let future = match std::panic::catch_unwind(AssertUnwindSafe(make)) {
        Ok(future) => future,
        Err(payload) => return Err(panicked(payload)),
    };
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(|cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => std::task::Poll::Ready(Err(panicked(payload))),
        }
    })
    .await
}

/// The message a panic was raised with.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// Queues an operation's start (it travels with the next call); if the writer has stopped,
/// nothing more is started in this invocation: it stops here.
pub(crate) async fn queue_start(exec: &Arc<Execution>, update: OperationUpdate) {
    if exec.queue(update).is_err() {
        exec.halt::<()>(Fatal::Stopped).await;
    }
}

/// Waits until the update is recorded; if the writer stopped, the invocation stops (the reason
/// is in the fatal slot).
pub(crate) async fn record(exec: &Arc<Execution>, update: OperationUpdate) {
    if exec.checkpoint(update).await.is_err() {
        // The writer stopped: its reason is in the fatal slot (a failure), or nothing more can
        // be written (a response without a token). Either way the invocation ends here.
        exec.halt::<()>(Fatal::Stopped).await;
    }
}
