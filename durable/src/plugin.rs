//! Instrumentation plugins: hooks the runtime calls at the start and end of each invocation,
//! operation and step attempt, for tracing, metrics or audit logs. Register them with
//! [`RunOptions::plugin`](crate::RunOptions::plugin); they are called in registration order.
//!
//! A plugin cannot change an execution: a hook that returns an error or panics is logged (a
//! `WARN` record naming the plugin and the hook) and the execution goes on as if it had
//! succeeded.
//!
//! What the hooks do not see: an invocation whose envelope, state or input cannot be read ends
//! before `on_invocation_start` (it has no execution to report on); an operation stopped before
//! it ended (a map item after the batch completed, a `race` loser) gets a start and no end; and
//! an operation the service ended is reported once, in the first invocation that sees it.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use lambda_sdk::types::{OperationStatus, OperationType};

use crate::error::{BoxError, ErrorObject};
use crate::execution::Execution;
use crate::logger::Logger;
use crate::ops::panic_message;

/// Hooks into the runtime's lifecycle. Every method has a default that does nothing; implement
/// the ones you need.
///
/// Hooks run synchronously on the task that runs the handler: keep them quick, and hand slow
/// work (an export over the network) to a task of your own.
///
/// ```
/// use lambda_sdk_durable::{BoxError, Plugin, RunOptions};
/// use lambda_sdk_durable::plugin::{InvocationEnd, OperationEnd};
///
/// /// Prints how every operation and invocation ended.
/// struct Audit;
///
/// impl Plugin for Audit {
///     fn on_operation_end(&self, info: &OperationEnd) -> Result<(), BoxError> {
///         println!("{} {} ended {}", info.operation.operation_type.as_str(),
///             info.operation.operation_id, info.status.as_str());
///         Ok(())
///     }
///     fn on_invocation_end(&self, info: &InvocationEnd) -> Result<(), BoxError> {
///         println!("invocation ended {}", info.status.as_str());
///         Ok(())
///     }
/// }
///
/// let options = RunOptions::new().plugin(Audit);
/// # let _ = options;
/// ```
pub trait Plugin: Send + Sync {
    /// The plugin's name in the log record of a failing hook (default: its type name).
    fn name(&self) -> &str {
        std::any::type_name::<Self>()
    }

    /// An invocation starts, before the handler runs.
    ///
    /// # Errors
    /// Any error is logged and ignored.
    fn on_invocation_start(&self, info: &InvocationStart) -> Result<(), BoxError> {
        let _ = info;
        Ok(())
    }

    /// An invocation ends, after every checkpoint of it is written and before it answers.
    ///
    /// # Errors
    /// Any error is logged and ignored.
    fn on_invocation_end(&self, info: &InvocationEnd) -> Result<(), BoxError> {
        let _ = info;
        Ok(())
    }

    /// An operation does live work in this invocation: it starts, or continues from an earlier
    /// invocation where it did not end. Not called for an operation replayed from its ended
    /// record.
    ///
    /// # Errors
    /// Any error is logged and ignored.
    fn on_operation_start(&self, info: &OperationInfo) -> Result<(), BoxError> {
        let _ = info;
        Ok(())
    }

    /// An operation ended: this invocation recorded its outcome (after the service acknowledged
    /// it, before the operation returns to the handler), or the service ended it between
    /// invocations (a wait elapsed, a callback arrived, an invoked function finished) and this
    /// is the first invocation that sees it.
    ///
    /// # Errors
    /// Any error is logged and ignored.
    fn on_operation_end(&self, info: &OperationEnd) -> Result<(), BoxError> {
        let _ = info;
        Ok(())
    }

    /// A step's (or `wait_for_condition` check's) body is about to run an attempt.
    ///
    /// # Errors
    /// Any error is logged and ignored.
    fn on_attempt_start(&self, info: &Attempt) -> Result<(), BoxError> {
        let _ = info;
        Ok(())
    }

    /// A step's (or `wait_for_condition` check's) body ended an attempt.
    ///
    /// # Errors
    /// Any error is logged and ignored.
    fn on_attempt_end(&self, info: &AttemptEnd) -> Result<(), BoxError> {
        let _ = info;
        Ok(())
    }
}

/// Given to [`Plugin::on_invocation_start`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct InvocationStart {
    /// The durable execution's ARN.
    pub durable_execution_arn: String,
    /// The Lambda request id of this invocation.
    pub request_id: String,
    /// Whether this is the execution's first invocation (nothing recorded yet but the
    /// execution itself).
    pub is_first_invocation: bool,
}

/// How an invocation answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvocationStatus {
    /// The execution succeeded.
    Succeeded,
    /// The execution failed.
    Failed,
    /// The execution goes on in a later invocation (it waits on a timer, a callback, a retry).
    Pending,
    /// The invocation ended with an error so that Lambda invokes it again (a checkpoint failure
    /// worth retrying).
    Retry,
}

impl InvocationStatus {
    /// `SUCCEEDED`, `FAILED`, `PENDING` or `RETRY`.
    pub fn as_str(self) -> &'static str {
        match self {
            InvocationStatus::Succeeded => "SUCCEEDED",
            InvocationStatus::Failed => "FAILED",
            InvocationStatus::Pending => "PENDING",
            InvocationStatus::Retry => "RETRY",
        }
    }
}

/// Given to [`Plugin::on_invocation_end`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct InvocationEnd {
    /// The durable execution's ARN.
    pub durable_execution_arn: String,
    /// The Lambda request id of this invocation.
    pub request_id: String,
    /// How the invocation answered.
    pub status: InvocationStatus,
    /// The execution's error when it failed, or why the invocation must be retried.
    pub error: Option<ErrorObject>,
}

/// Which operation a hook is about.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct OperationInfo {
    /// The durable execution's ARN.
    pub durable_execution_arn: String,
    /// The operation's id, as recorded in the history.
    pub operation_id: String,
    /// The id of the context it runs in, if not the handler's.
    pub parent_id: Option<String>,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Its type.
    pub operation_type: OperationType,
    /// Its subtype (`Step`, `Wait`, `Map`, `ParallelBranch`, …).
    pub sub_type: String,
}

/// Given to [`Plugin::on_operation_end`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct OperationEnd {
    /// The operation.
    pub operation: OperationInfo,
    /// How it ended (`SUCCEEDED`, `FAILED`, `TIMED_OUT`, …).
    pub status: OperationStatus,
    /// Its failure, if it failed.
    pub error: Option<ErrorObject>,
}

/// Given to [`Plugin::on_attempt_start`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Attempt {
    /// The step.
    pub operation: OperationInfo,
    /// The attempt, from 1.
    pub attempt: u32,
}

/// How an attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttemptOutcome {
    /// The body returned a value.
    Succeeded,
    /// The body returned an error or panicked.
    Failed,
}

impl AttemptOutcome {
    /// `SUCCEEDED` or `FAILED`.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Succeeded => "SUCCEEDED",
            AttemptOutcome::Failed => "FAILED",
        }
    }
}

/// Given to [`Plugin::on_attempt_end`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AttemptEnd {
    /// The step.
    pub operation: OperationInfo,
    /// The attempt, from 1.
    pub attempt: u32,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// The body's error, if it failed.
    pub error: Option<ErrorObject>,
}

/// Calls one hook on every plugin, in order; failures and panics are logged and ignored.
pub(crate) fn dispatch(
    exec: &Execution,
    hook: &'static str,
    call: impl Fn(&dyn Plugin) -> Result<(), BoxError>,
) {
    for plugin in exec.settings.plugins.iter() {
        let plugin: &dyn Plugin = &**plugin;
        let failure = match std::panic::catch_unwind(AssertUnwindSafe(|| call(plugin))) {
            Ok(Ok(())) => continue,
            Ok(Err(error)) => format!("returned an error: {error}"),
            Err(payload) => format!("panicked: {}", panic_message(payload.as_ref())),
        };
        // Even its name may panic.
        let name = std::panic::catch_unwind(AssertUnwindSafe(|| plugin.name().to_string()))
            .unwrap_or_else(|_| "(its name() panicked)".to_string());
        Logger::new(Arc::clone(&exec.log), None, None)
            .during_replay(true)
            .warn(format_args!(
                "plugin {name} {hook} {failure} (ignored: plugins do not change the execution)"
            ));
    }
}
