//! The error of every operation: six cases kept apart, so a caller can tell a request the SDK
//! refused from a network failure, a timeout, a response it could not read, an error the
//! service returned, and missing credentials.

use std::fmt;
use std::time::Duration;

use crate::http::{HttpError, source_chain};
use crate::identity::CredentialsError;

/// What the generated `{Op}Error` enums tell the runtime about themselves.
pub trait OperationError: std::error::Error + Send + Sync + 'static {
    /// The error code, e.g. `ResourceNotFoundException`.
    fn code(&self) -> &str;
    /// The service's message, if it sent one.
    fn message(&self) -> Option<&str>;
    /// Retry facts from the model when the error is modeled, `None` when it is not.
    fn modeled(&self) -> Option<ModeledError>;
}

/// What the model says about one error shape, for retry decisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModeledError {
    /// The HTTP status of the error (`@httpError`, else 500 for a server fault and 400 for a
    /// client one).
    pub status: u16,
    /// `@error("server")`.
    pub server_fault: bool,
    /// `@retryable`.
    pub retryable: bool,
    /// `@retryable(throttling: true)`.
    pub throttling: bool,
}

/// Facts every service error carries, whatever its type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorMetadata {
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) status: u16,
}

impl ErrorMetadata {
    /// Builds metadata (used by generated code and tests).
    pub fn new(
        status: u16,
        code: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
    ) -> Self {
        ErrorMetadata {
            code,
            message,
            request_id,
            status,
        }
    }

    /// The error code, with any namespace (`aws.x#`) and `:`-suffix removed.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The service's message.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The `x-amzn-RequestId` of the response.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }
}

/// An error the model does not list for the operation. It carries what the service sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unhandled {
    meta: ErrorMetadata,
}

impl Unhandled {
    /// Wraps the metadata of an unmodeled error.
    pub fn new(meta: ErrorMetadata) -> Self {
        Unhandled { meta }
    }

    /// The error code, or `"Unknown"` when the response had none.
    pub fn code(&self) -> &str {
        self.meta.code().unwrap_or("Unknown")
    }

    /// The service's message.
    pub fn message(&self) -> Option<&str> {
        self.meta.message()
    }

    /// All metadata.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

impl Unhandled {
    /// Its code and message, for the error enum of an operation.
    pub fn parts(&self) -> ErrorParts<'_> {
        ErrorParts {
            code: self.code(),
            message: self.message(),
            modeled: None,
            unhandled_status: Some(self.meta.status),
        }
    }
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.parts(), f)
    }
}

impl std::error::Error for Unhandled {}

/// The request was refused before anything was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstructionError {
    member: Option<String>,
    reason: String,
}

impl ConstructionError {
    /// A member's value cannot be sent (e.g. an empty required path label).
    pub fn invalid_member(member: impl Into<String>, reason: impl Into<String>) -> Self {
        ConstructionError {
            member: Some(member.into()),
            reason: reason.into(),
        }
    }

    /// Something other than one member is wrong (credentials, configuration, …).
    pub fn other(reason: impl Into<String>) -> Self {
        ConstructionError {
            member: None,
            reason: reason.into(),
        }
    }

    /// The member at fault, by its model name.
    pub fn member(&self) -> Option<&str> {
        self.member.as_deref()
    }
}

impl fmt::Display for ConstructionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.member {
            Some(m) => write!(f, "request not sent: member `{m}` {}", self.reason),
            None => write!(f, "request not sent: {}", self.reason),
        }
    }
}

impl std::error::Error for ConstructionError {}

/// Which timeout fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// One attempt took longer than the attempt timeout.
    Attempt,
    /// All attempts together took longer than the operation timeout.
    Operation,
}

/// A timeout fired before a response arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeoutError {
    pub(crate) kind: TimeoutKind,
    pub(crate) after: Duration,
    pub(crate) attempts: u32,
}

impl TimeoutError {
    /// Which timeout fired.
    pub fn kind(&self) -> TimeoutKind {
        self.kind
    }

    /// The configured limit that was reached.
    pub fn after(&self) -> Duration {
        self.after
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TimeoutKind::Attempt => write!(
                f,
                "timed out: no response within the attempt timeout of {:?} (after {} attempt(s))",
                self.after, self.attempts
            ),
            TimeoutKind::Operation => write!(
                f,
                "timed out: the operation timeout of {:?} elapsed (after {} attempt(s))",
                self.after, self.attempts
            ),
        }
    }
}

impl std::error::Error for TimeoutError {}

/// A response arrived but could not be understood.
#[derive(Debug)]
pub struct ResponseError {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) reason: String,
}

impl ResponseError {
    /// A response that could not be parsed, and why.
    pub fn new(status: u16, request_id: Option<String>, reason: impl Into<String>) -> Self {
        ResponseError {
            status,
            request_id,
            reason: reason.into(),
        }
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        self.status
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unreadable response (HTTP {}): {}",
            self.status, self.reason
        )
    }
}

impl std::error::Error for ResponseError {}

/// The service answered with an error.
#[derive(Debug)]
pub struct ServiceError<E> {
    pub(crate) error: E,
    pub(crate) meta: ErrorMetadata,
    pub(crate) retry_after: Option<Duration>,
}

impl<E> ServiceError<E> {
    /// Wraps a typed error and the response's metadata.
    pub fn new(error: E, meta: ErrorMetadata) -> Self {
        ServiceError {
            error,
            meta,
            retry_after: None,
        }
    }

    /// The service's `Retry-After` hint, if it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The typed error.
    pub fn err(&self) -> &E {
        &self.error
    }

    /// Consumes it, returning the typed error.
    pub fn into_err(self) -> E {
        self.error
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.meta.status
    }

    /// Code, message, request id and status as the service sent them.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

/// The error of every operation.
///
/// `Display` shows the error code and the service's message; `Debug` also shows the request id.
///
/// ```
/// use lambda_sdk_runtime::error::{ConstructionError, Error, Unhandled};
///
/// let err: Error<Unhandled> = Error::Construction(ConstructionError::invalid_member(
///     "DurableExecutionArn",
///     "is empty, but it is a path label",
/// ));
/// assert_eq!(err.code(), None);
/// assert!(!err.is_retryable());
/// assert!(err.to_string().contains("DurableExecutionArn"));
/// ```
#[non_exhaustive]
pub enum Error<E> {
    /// The request was refused before it was sent; nothing reached the network.
    Construction(ConstructionError),
    /// The request could not be sent or its response not received (connection refused or
    /// reset, TLS failure, response too large).
    Transport(HttpError),
    /// A timeout fired.
    Timeout(TimeoutError),
    /// A response arrived that could not be parsed.
    Response(ResponseError),
    /// The service returned an error (boxed: it carries the typed error and its metadata).
    Service(Box<ServiceError<E>>),
    /// There were no credentials to sign the request with: the credentials source found none
    /// or failed. [`CredentialsError::kind`] says which; nothing was sent.
    Credentials(CredentialsError),
}

impl<E> Error<E> {
    /// A service error from a typed error and the response's metadata.
    pub fn service(error: E, meta: ErrorMetadata) -> Self {
        Error::Service(Box::new(ServiceError::new(error, meta)))
    }
}

impl<E: OperationError> Error<E> {
    /// The service's error code, for service errors.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Service(s) => Some(s.error.code()),
            _ => None,
        }
    }

    /// The service's message, for service errors; otherwise a description of the failure.
    pub fn message(&self) -> Option<String> {
        match self {
            Error::Service(s) => s.error.message().map(String::from),
            Error::Construction(e) => Some(e.to_string()),
            Error::Transport(e) => Some(e.to_string()),
            Error::Timeout(e) => Some(e.to_string()),
            Error::Response(e) => Some(e.to_string()),
            Error::Credentials(e) => Some(e.to_string()),
        }
    }

    /// The request id of the response, when one arrived.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service(s) => s.meta.request_id(),
            Error::Response(r) => r.request_id.as_deref(),
            _ => None,
        }
    }

    /// The typed service error, if this is one.
    pub fn as_service_error(&self) -> Option<&E> {
        match self {
            Error::Service(s) => Some(&s.error),
            _ => None,
        }
    }
}

impl<E: OperationError> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Construction(e) => e.fmt(f),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::Timeout(e) => e.fmt(f),
            Error::Response(e) => e.fmt(f),
            Error::Credentials(e) => write!(f, "no credentials to sign with: {e}"),
            Error::Service(s) => match s.error.message() {
                Some(m) => write!(f, "{}: {m} (HTTP {})", s.error.code(), s.meta.status),
                None => write!(f, "{} (HTTP {}, no message)", s.error.code(), s.meta.status),
            },
        }
    }
}

impl<E: OperationError> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Construction(e) => f.debug_tuple("Construction").field(e).finish(),
            Error::Transport(e) => f
                .debug_struct("Transport")
                .field("kind", &e.kind())
                .field("error", &source_chain(e))
                .finish(),
            Error::Timeout(e) => f.debug_tuple("Timeout").field(e).finish(),
            Error::Credentials(e) => f.debug_tuple("Credentials").field(e).finish(),
            Error::Response(e) => f
                .debug_struct("Response")
                .field("status", &e.status)
                .field("request_id", &e.request_id)
                .field("reason", &e.reason)
                .finish(),
            Error::Service(s) => f
                .debug_struct("Service")
                .field("code", &s.error.code())
                .field("message", &s.error.message())
                .field("status", &s.meta.status)
                .field("request_id", &s.meta.request_id)
                .field("error", &s.error)
                .finish(),
        }
    }
}

impl<E: OperationError> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Construction(e) => Some(e),
            Error::Transport(e) => Some(e),
            Error::Timeout(e) => Some(e),
            Error::Response(e) => Some(e),
            Error::Credentials(e) => Some(e),
            Error::Service(s) => Some(&s.error),
        }
    }
}

impl<E> From<ConstructionError> for Error<E> {
    fn from(e: ConstructionError) -> Self {
        Error::Construction(e)
    }
}

impl<E> From<CredentialsError> for Error<E> {
    fn from(e: CredentialsError) -> Self {
        Error::Credentials(e)
    }
}

impl<E> From<ResponseError> for Error<E> {
    fn from(e: ResponseError) -> Self {
        Error::Response(e)
    }
}

impl OperationError for Unhandled {
    fn code(&self) -> &str {
        Unhandled::code(self)
    }

    fn message(&self) -> Option<&str> {
        Unhandled::message(self)
    }

    fn modeled(&self) -> Option<ModeledError> {
        None
    }
}

/// What an operation's error enum hands out for each of its cases, through one `match`: the
/// error's code, message and model facts. Its `Display` is every service error's:
/// `code: message`, or the code alone (with the HTTP status for an unhandled error).
///
/// Generated code reaches it as `__private::ErrorParts`; it is not a stable API.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorParts<'a> {
    /// The error code, e.g. `ResourceNotFoundException`.
    pub code: &'a str,
    /// The service's message, if it sent one.
    pub message: Option<&'a str>,
    /// The model's facts about the error; `None` for an unhandled one.
    pub modeled: Option<ModeledError>,
    /// The HTTP status, shown when an unhandled error has no message.
    pub unhandled_status: Option<u16>,
}

impl std::fmt::Display for ErrorParts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.message, self.unhandled_status) {
            (Some(message), _) => write!(f, "{}: {message}", self.code),
            (None, Some(status)) => write!(f, "{} (HTTP {status}, no message)", self.code),
            (None, None) => f.write_str(self.code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::CredentialsErrorKind;

    #[test]
    fn a_credentials_failure_is_its_own_case_and_only_a_failed_source_is_retryable() {
        let cases = [
            (CredentialsError::not_configured("the environment"), false),
            (
                CredentialsError::invalid_configuration("a key without a secret"),
                false,
            ),
            (CredentialsError::unsupported("`role_arn`"), false),
            (
                CredentialsError::provider_failed("the container endpoint answered 500"),
                true,
            ),
        ];
        for (credentials, retryable) in cases {
            let kind = credentials.kind();
            let err: Error<Unhandled> = credentials.into();
            assert!(
                matches!(&err, Error::Credentials(e) if e.kind() == kind),
                "{err:?}"
            );
            assert_eq!(err.is_retryable(), retryable, "{kind:?}");
            assert_eq!(err.code(), None);
            assert!(
                err.to_string().starts_with("no credentials to sign with: "),
                "{err}"
            );
            assert!(format!("{err:?}").starts_with("Credentials("), "{err:?}");
            let source = std::error::Error::source(&err).map(|s| s.to_string());
            assert_eq!(source, err.message());
        }
        assert!(matches!(
            Error::<Unhandled>::from(CredentialsError::unsupported("x")),
            Error::Credentials(e) if e.kind() == CredentialsErrorKind::Unsupported
        ));
    }
}
