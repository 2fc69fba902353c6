//! Errors: user code's are [`BoxError`]s; the runtime's own are one [`DurableError`] whose
//! [`ErrorKind`] says which primitive failed and how. What travels on the wire is an
//! [`ErrorObject`] (type, message, data, stack trace), and a failure replayed from one displays
//! like the live failure did.

use std::error::Error;
use std::fmt;

/// The error type of handlers and step bodies: any error, boxed.
pub type BoxError = Box<dyn Error + Send + Sync>;

/// The wire form of a failure, as the service records it (`ErrorObject`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorObject {
    /// `ErrorType`: the error's type name (`Error` when Rust cannot tell; see [`TypedError`]).
    pub error_type: String,
    /// `ErrorMessage`: the error's `Display`.
    pub message: String,
    /// `ErrorData`, if any.
    pub data: Option<String>,
    /// `StackTrace`: here, the `Display` of each error in the `source()` chain.
    pub stack_trace: Vec<String>,
}

impl ErrorObject {
    /// The wire form of any error: a [`DurableError`] gives the failure it carries (so an
    /// error keeps its original type and message as it travels up through contexts), a
    /// [`TypedError`] its type name, anything else the type name `Error`.
    pub fn from_error(error: &(dyn Error + 'static)) -> ErrorObject {
        if let Some(durable) = error.downcast_ref::<DurableError>() {
            return durable.inner.cause.clone();
        }
        let (error_type, error) = match error.downcast_ref::<TypedError>() {
            Some(typed) => (
                typed.type_name.clone(),
                &*typed.inner as &(dyn Error + 'static),
            ),
            None => ("Error".to_string(), error),
        };
        let mut stack_trace = Vec::new();
        let mut source = error.source();
        while let Some(cause) = source {
            stack_trace.push(cause.to_string());
            source = cause.source();
        }
        ErrorObject {
            error_type,
            message: error.to_string(),
            data: None,
            stack_trace,
        }
    }

    /// An error object with a type and a message.
    pub fn new(error_type: impl Into<String>, message: impl Into<String>) -> ErrorObject {
        ErrorObject {
            error_type: error_type.into(),
            message: message.into(),
            data: None,
            stack_trace: Vec::new(),
        }
    }

    pub(crate) fn to_wire(&self) -> lambda_sdk::types::ErrorObject {
        lambda_sdk::types::ErrorObject {
            error_type: Some(self.error_type.clone()),
            error_message: Some(self.message.clone()),
            error_data: self.data.clone(),
            stack_trace: (!self.stack_trace.is_empty()).then(|| self.stack_trace.clone()),
        }
    }

    pub(crate) fn from_wire(wire: &lambda_sdk::types::ErrorObject) -> ErrorObject {
        ErrorObject {
            error_type: wire.error_type.clone().unwrap_or_default(),
            message: wire.error_message.clone().unwrap_or_default(),
            data: wire.error_data.clone(),
            stack_trace: wire.stack_trace.clone().unwrap_or_default(),
        }
    }

    /// The envelope's `Error` member: `{ErrorType, ErrorMessage, ErrorData?, StackTrace?}`.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        object.insert("ErrorType".into(), self.error_type.clone().into());
        object.insert("ErrorMessage".into(), self.message.clone().into());
        if let Some(data) = &self.data {
            object.insert("ErrorData".into(), data.clone().into());
        }
        if !self.stack_trace.is_empty() {
            object.insert("StackTrace".into(), self.stack_trace.clone().into());
        }
        serde_json::Value::Object(object)
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.error_type.is_empty(), self.message.is_empty()) {
            (_, false) => f.write_str(&self.message),
            (false, true) => f.write_str(&self.error_type),
            (true, true) => f.write_str("unknown error"),
        }
    }
}

/// An error with the type name the service should record for it: Rust erases the type of a
/// [`BoxError`], so without this the recorded `ErrorType` is `Error`.
///
/// ```
/// use lambda_sdk_durable::{BoxError, TypedError};
///
/// #[derive(Debug)]
/// struct CardDeclined;
/// impl std::fmt::Display for CardDeclined {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("card declined")
///     }
/// }
/// impl std::error::Error for CardDeclined {}
///
/// let error: BoxError = TypedError::new(CardDeclined).into();
/// let wire = lambda_sdk_durable::ErrorObject::from_error(&*error);
/// assert_eq!((wire.error_type.as_str(), wire.message.as_str()), ("CardDeclined", "card declined"));
/// assert!(lambda_sdk_durable::find_cause::<CardDeclined>(&*error).is_some());
/// ```
#[derive(Debug)]
pub struct TypedError {
    type_name: String,
    inner: BoxError,
}

impl TypedError {
    /// Records `E`'s own name (without its module path or generics).
    pub fn new<E: Error + Send + Sync + 'static>(error: E) -> TypedError {
        TypedError {
            type_name: short_type_name::<E>(),
            inner: Box::new(error),
        }
    }

    /// Records `type_name` for any error.
    pub fn with_type(type_name: impl Into<String>, error: impl Into<BoxError>) -> TypedError {
        TypedError {
            type_name: type_name.into(),
            inner: error.into(),
        }
    }

    /// The recorded type name.
    pub fn type_name(&self) -> &str {
        &self.type_name
    }

    /// The wrapped error.
    pub fn inner(&self) -> &(dyn Error + Send + Sync + 'static) {
        &*self.inner
    }
}

impl fmt::Display for TypedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl Error for TypedError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.inner.source()
    }
}

/// The last path segment of a type's name, generics removed: `my::mod::Error<T>` → `Error`.
pub(crate) fn short_type_name<T: ?Sized>() -> String {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base).to_string()
}

/// Finds an error of type `T` in `error`: itself, what a [`TypedError`] wraps, or anything down
/// its `source()` chain. For retry strategies that retry only some errors.
pub fn find_cause<'a, T: Error + 'static>(error: &'a (dyn Error + 'static)) -> Option<&'a T> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        if let Some(typed) = e.downcast_ref::<TypedError>()
            && let Some(found) = find_cause::<T>(typed.inner())
        {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// How a durable operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A step's body failed and its retry strategy did not retry (after `attempts` attempts).
    StepFailed {
        /// Attempts made.
        attempts: u32,
    },
    /// An at-most-once step was interrupted (the invocation ended during an attempt) and its
    /// retry strategy did not retry.
    StepInterrupted {
        /// Attempts made.
        attempts: u32,
    },
    /// A wait was cancelled.
    WaitCancelled,
    /// A child context's body failed.
    ChildContextFailed,
    /// The external system completed a callback with a failure.
    CallbackFailed,
    /// A callback was not completed within its timeout.
    CallbackTimedOut,
    /// A callback got no heartbeat within its heartbeat timeout.
    CallbackHeartbeatTimedOut,
    /// The invoked function failed.
    InvokeFailed,
    /// The invoked function timed out.
    InvokeTimedOut,
    /// The invoked function's execution was stopped.
    InvokeStopped,
    /// A `wait_for_condition` check failed.
    ConditionCheckFailed,
    /// A `wait_for_condition` reached its maximum attempts without the condition being met.
    ConditionMaxAttempts {
        /// Checks made.
        attempts: u32,
    },
    /// A value could not be serialized for a checkpoint.
    Serialization,
    /// A checkpointed payload could not be deserialized.
    Deserialization,
    /// An operation was given an invalid argument (the message says which).
    InvalidArgument,
    /// A map or parallel could not record its result.
    BatchFailed,
    /// An item of a map or parallel failed (from [`BatchResult::throw_if_error`](crate::BatchResult::throw_if_error)).
    BatchItemFailed {
        /// The item's position in the input, from 0.
        index: usize,
    },
}

impl ErrorKind {
    /// The kind's name on the wire when the runtime itself reports the failure (for example a
    /// serialization failure): `StepError`, `CallbackError`, ….
    pub fn wire_type(self) -> &'static str {
        match self {
            ErrorKind::StepFailed { .. } | ErrorKind::StepInterrupted { .. } => "StepError",
            ErrorKind::WaitCancelled => "WaitError",
            ErrorKind::ChildContextFailed => "ChildContextError",
            ErrorKind::CallbackFailed
            | ErrorKind::CallbackTimedOut
            | ErrorKind::CallbackHeartbeatTimedOut => "CallbackError",
            ErrorKind::InvokeFailed | ErrorKind::InvokeTimedOut | ErrorKind::InvokeStopped => {
                "InvokeError"
            }
            ErrorKind::ConditionCheckFailed | ErrorKind::ConditionMaxAttempts { .. } => {
                "WaitForConditionError"
            }
            ErrorKind::Serialization => "SerializationError",
            ErrorKind::Deserialization => "DeserializationError",
            ErrorKind::InvalidArgument => "InvalidArgumentError",
            ErrorKind::BatchFailed | ErrorKind::BatchItemFailed { .. } => "BatchError",
        }
    }
}

/// Which operation an error belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationRef {
    /// The operation's id.
    pub id: String,
    /// Its name, if it was given one.
    pub name: Option<String>,
    /// What it is: `step`, `wait`, `child context`, `callback`, `invoke`, `wait_for_condition`,
    /// `wait_for_callback`, `map`, `parallel`, `map iteration`, `parallel branch`, `with_retry`,
    /// `all`, `all_settled`, `any`, `race`.
    pub what: &'static str,
}

impl fmt::Display for OperationRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{} `{name}`", self.what),
            None => write!(f, "{} {}", self.what, short_id(&self.id)),
        }
    }
}

/// The first 12 characters of an id, for messages.
pub(crate) fn short_id(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// The failure of a durable operation.
///
/// `Display` names the operation and gives the failure's message, the same whether the failure
/// happened in this invocation or is replayed from the record of an earlier one.
/// [`ErrorObject::from_error`] of it is the original failure (the body's error type and message,
/// or the external system's), so it keeps them as it travels up through contexts to the
/// execution's result.
#[derive(Debug)]
pub struct DurableError {
    inner: Box<Failure>,
}

#[derive(Debug)]
struct Failure {
    kind: ErrorKind,
    operation: Option<OperationRef>,
    cause: ErrorObject,
    source: Option<BoxError>,
}

impl DurableError {
    pub(crate) fn new(
        kind: ErrorKind,
        operation: Option<OperationRef>,
        cause: ErrorObject,
        source: Option<BoxError>,
    ) -> DurableError {
        DurableError {
            inner: Box::new(Failure {
                kind,
                operation,
                cause,
                source,
            }),
        }
    }

    /// A failure replayed from its record.
    pub(crate) fn replayed(kind: ErrorKind, operation: OperationRef, cause: ErrorObject) -> Self {
        let source: BoxError = Box::new(Recorded(cause.clone()));
        DurableError::new(kind, Some(operation), cause, Some(source))
    }

    /// A failure of the runtime itself (serialization, invalid argument), with its message.
    pub(crate) fn runtime(
        kind: ErrorKind,
        operation: Option<OperationRef>,
        message: impl Into<String>,
        source: Option<BoxError>,
    ) -> Self {
        DurableError::new(
            kind,
            operation,
            ErrorObject::new(kind.wire_type(), message),
            source,
        )
    }

    /// How it failed.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The operation that failed.
    pub fn operation(&self) -> Option<&OperationRef> {
        self.inner.operation.as_ref()
    }

    /// The failure as recorded: the body's (or external system's) error type and message.
    pub fn error_object(&self) -> &ErrorObject {
        &self.inner.cause
    }

    /// The error the operation's code failed with, when this invocation ran it; the failure
    /// itself when it was replayed from a record (or has no source).
    pub(crate) fn into_live_source(self) -> Result<BoxError, DurableError> {
        let Failure {
            kind,
            operation,
            cause,
            source,
        } = *self.inner;
        match source {
            Some(source) if !source.is::<Recorded>() => Ok(source),
            source => Err(DurableError::new(kind, operation, cause, source)),
        }
    }
}

impl fmt::Display for DurableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Failure {
            kind,
            operation,
            cause,
            ..
        } = &*self.inner;
        if let Some(op) = operation {
            write!(f, "{op} ")?;
        }
        match *kind {
            ErrorKind::StepFailed { attempts: 1 } => f.write_str("failed")?,
            ErrorKind::StepFailed { attempts } => write!(f, "failed after {attempts} attempts")?,
            ErrorKind::StepInterrupted { attempts } => {
                write!(f, "was interrupted (attempt {attempts}) and not retried")?
            }
            ErrorKind::WaitCancelled => f.write_str("was cancelled")?,
            ErrorKind::ChildContextFailed => f.write_str("failed")?,
            ErrorKind::CallbackFailed => f.write_str("was completed with a failure")?,
            ErrorKind::CallbackTimedOut => f.write_str("timed out")?,
            ErrorKind::CallbackHeartbeatTimedOut => f.write_str("missed its heartbeat")?,
            ErrorKind::InvokeFailed => f.write_str("failed")?,
            ErrorKind::InvokeTimedOut => f.write_str("timed out")?,
            ErrorKind::InvokeStopped => f.write_str("was stopped")?,
            ErrorKind::ConditionCheckFailed => f.write_str("check failed")?,
            ErrorKind::ConditionMaxAttempts { attempts } => {
                write!(f, "gave up after {attempts} checks")?
            }
            ErrorKind::Serialization => f.write_str("could not serialize its value")?,
            ErrorKind::Deserialization => f.write_str("could not deserialize its payload")?,
            ErrorKind::InvalidArgument => f.write_str("was called with an invalid argument")?,
            ErrorKind::BatchFailed => f.write_str("could not record its result")?,
            ErrorKind::BatchItemFailed { index } => write!(f, "item {index} failed")?,
        }
        if cause.error_type.is_empty()
            || cause.error_type == "Error"
            || cause.error_type == kind.wire_type()
        {
            write!(f, ": {}", cause)
        } else {
            write!(f, ": {}: {}", cause.error_type, cause)
        }
    }
}

impl Error for DurableError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn Error + 'static))
    }
}

/// A failure read back from the record of an earlier invocation: displays its message.
#[derive(Debug)]
struct Recorded(ErrorObject);

impl fmt::Display for Recorded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Error for Recorded {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Transient(&'static str);
    impl fmt::Display for Transient {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl Error for Transient {}

    #[test]
    fn error_objects_of_plain_typed_and_durable_errors() {
        let plain: BoxError = "card declined".into();
        assert_eq!(
            ErrorObject::from_error(&*plain),
            ErrorObject::new("Error", "card declined")
        );
        let typed: BoxError = TypedError::new(Transient("try later")).into();
        assert_eq!(
            ErrorObject::from_error(&*typed),
            ErrorObject::new("Transient", "try later")
        );
        let op = OperationRef {
            id: "abc".into(),
            name: Some("charge".into()),
            what: "step",
        };
        let durable: BoxError = Box::new(DurableError::new(
            ErrorKind::StepFailed { attempts: 3 },
            Some(op.clone()),
            ErrorObject::new("Transient", "try later"),
            Some(typed),
        ));
        // The original type and message travel on.
        assert_eq!(
            ErrorObject::from_error(&*durable),
            ErrorObject::new("Transient", "try later")
        );
        assert_eq!(
            durable.to_string(),
            "step `charge` failed after 3 attempts: Transient: try later"
        );
        assert!(find_cause::<Transient>(&*durable).is_some());
    }

    #[test]
    fn a_replayed_failure_displays_like_the_live_one() {
        let op = OperationRef {
            id: "abc".into(),
            name: Some("charge".into()),
            what: "step",
        };
        let cause = ErrorObject::new("Error", "card declined");
        let live = DurableError::new(
            ErrorKind::StepFailed { attempts: 1 },
            Some(op.clone()),
            cause.clone(),
            Some("card declined".into()),
        );
        let replayed = DurableError::replayed(ErrorKind::StepFailed { attempts: 1 }, op, cause);
        assert_eq!(live.to_string(), replayed.to_string());
        assert_eq!(live.to_string(), "step `charge` failed: card declined");
        assert_eq!(
            live.source().map(|s| s.to_string()),
            replayed.source().map(|s| s.to_string())
        );
    }

    #[test]
    fn the_source_chain_becomes_the_stack_trace() {
        #[derive(Debug)]
        struct Outer(Transient);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("payment failed")
            }
        }
        impl Error for Outer {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&self.0)
            }
        }
        let object = ErrorObject::from_error(&Outer(Transient("timeout")));
        assert_eq!(object.stack_trace, ["timeout"]);
        assert_eq!(
            object.to_json()["StackTrace"],
            serde_json::json!(["timeout"])
        );
    }

    #[test]
    fn short_type_names() {
        assert_eq!(short_type_name::<Transient>(), "Transient");
        assert_eq!(short_type_name::<Vec<String>>(), "Vec");
    }
}
