//! The two calls a running durable function makes, behind a public trait: a state page and a
//! checkpoint. [`lambda_sdk::Client`] implements it; a test double or another transport can too.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use lambda_sdk::error::OperationError;
use lambda_sdk::types::{
    CheckpointDurableExecutionRequest, CheckpointDurableExecutionResponse,
    GetDurableExecutionStateRequest, GetDurableExecutionStateResponse,
};

use crate::error::BoxError;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where a durable function reads its state and records its progress.
///
/// ```no_run
/// use lambda_sdk_durable::{DurableBackend, RunOptions};
///
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// // lambda-sdk's client is a backend; any other type implementing the trait works the same.
/// let client = lambda_sdk::Client::from_env()?;
/// let options = RunOptions::new().backend(client);
/// # Ok(()) }
/// ```
pub trait DurableBackend: Send + Sync + 'static {
    /// `GetDurableExecutionState`: one page of the execution's operations.
    fn get_durable_execution_state(
        &self,
        request: GetDurableExecutionStateRequest,
    ) -> BoxFuture<'_, Result<GetDurableExecutionStateResponse, BackendError>>;

    /// `CheckpointDurableExecution`: records updates and returns the next checkpoint token.
    fn checkpoint_durable_execution(
        &self,
        request: CheckpointDurableExecutionRequest,
    ) -> BoxFuture<'_, Result<CheckpointDurableExecutionResponse, BackendError>>;
}

impl DurableBackend for lambda_sdk::Client {
    fn get_durable_execution_state(
        &self,
        request: GetDurableExecutionStateRequest,
    ) -> BoxFuture<'_, Result<GetDurableExecutionStateResponse, BackendError>> {
        Box::pin(async move {
            lambda_sdk::Client::get_durable_execution_state(self, request)
                .await
                .map_err(|e| BackendError::from_sdk("GetDurableExecutionState", e))
        })
    }

    fn checkpoint_durable_execution(
        &self,
        request: CheckpointDurableExecutionRequest,
    ) -> BoxFuture<'_, Result<CheckpointDurableExecutionResponse, BackendError>> {
        Box::pin(async move {
            lambda_sdk::Client::checkpoint_durable_execution(self, request)
                .await
                .map_err(|e| BackendError::from_sdk("CheckpointDurableExecution", e))
        })
    }
}

impl<B: DurableBackend + ?Sized> DurableBackend for std::sync::Arc<B> {
    fn get_durable_execution_state(
        &self,
        request: GetDurableExecutionStateRequest,
    ) -> BoxFuture<'_, Result<GetDurableExecutionStateResponse, BackendError>> {
        (**self).get_durable_execution_state(request)
    }

    fn checkpoint_durable_execution(
        &self,
        request: CheckpointDurableExecutionRequest,
    ) -> BoxFuture<'_, Result<CheckpointDurableExecutionResponse, BackendError>> {
        (**self).checkpoint_durable_execution(request)
    }
}

/// What a failed call means for the invocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BackendErrorKind {
    /// Worth retrying: throttling, a server or network failure, a timeout, or anything not
    /// known to be final. The invocation ends with an error and Lambda invokes it again.
    Retryable,
    /// The checkpoint token is stale (`Invalid checkpoint token`): the invocation ends with an
    /// error and the next one gets a fresh token.
    StaleToken,
    /// Final: a KMS key problem or a request the service refuses. The execution fails.
    Terminal,
}

/// A failed call of a [`DurableBackend`].
#[derive(Debug)]
pub struct BackendError {
    kind: BackendErrorKind,
    message: String,
    source: Option<BoxError>,
}

impl BackendError {
    /// A failure worth retrying (the invocation ends with an error; Lambda invokes it again).
    pub fn retryable(message: impl Into<String>) -> Self {
        BackendError::new(BackendErrorKind::Retryable, message)
    }

    /// A final failure (the execution fails).
    pub fn terminal(message: impl Into<String>) -> Self {
        BackendError::new(BackendErrorKind::Terminal, message)
    }

    /// A failure of this kind.
    pub fn new(kind: BackendErrorKind, message: impl Into<String>) -> Self {
        BackendError {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// The same failure, keeping the error it came from.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Classifies a service error by its status, code and message, as AWS's durable SDKs do: a
    /// message starting `Invalid checkpoint token` (in any case) is a stale token; KMS errors and
    /// other 4xx are final; throttling, 5xx and the rest are worth retrying.
    pub fn classify(status: u16, code: Option<&str>, message: Option<&str>) -> BackendErrorKind {
        if message.is_some_and(is_stale_token_message) {
            return BackendErrorKind::StaleToken;
        }
        let code = code.unwrap_or("");
        if code.starts_with("KMS") {
            return BackendErrorKind::Terminal;
        }
        if status == 429 || code == "TooManyRequestsException" || code.starts_with("Throttl") {
            return BackendErrorKind::Retryable;
        }
        if (400..500).contains(&status) {
            return BackendErrorKind::Terminal;
        }
        BackendErrorKind::Retryable
    }

    /// From a lambda-sdk error: service errors by [`classify`](Self::classify); a request the SDK
    /// refused to send, and missing or misconfigured credentials, are final; transport failures, timeouts and unreadable responses are
    /// worth retrying (the client has already retried what it retries).
    pub fn from_sdk<E: OperationError>(operation: &str, error: lambda_sdk::Error<E>) -> Self {
        let kind = match &error {
            lambda_sdk::Error::Service(service) => {
                BackendError::classify(service.status(), error.code(), error.message().as_deref())
            }
            lambda_sdk::Error::Construction(_) => BackendErrorKind::Terminal,
            // Missing or misconfigured credentials stay so; a source that failed may answer.
            lambda_sdk::Error::Credentials(_) if !error.is_retryable() => {
                BackendErrorKind::Terminal
            }
            _ => BackendErrorKind::Retryable,
        };
        BackendError {
            kind,
            message: format!("{operation}: {error}"),
            source: Some(Box::new(error)),
        }
    }

    /// What the failure means for the invocation.
    pub fn kind(&self) -> BackendErrorKind {
        self.kind
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// `Invalid checkpoint token…`, in any case and after leading whitespace: the service and the
/// local emulator send it lowercase, some sources quote it capitalised.
fn is_stale_token_message(message: &str) -> bool {
    const PREFIX: &str = "invalid checkpoint token";
    message
        .trim_start()
        .get(..PREFIX.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(PREFIX))
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BackendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BackendErrorKind::*;

    #[test]
    fn classification() {
        let cases = [
            (
                400,
                Some("InvalidParameterValueException"),
                Some("Invalid checkpoint token"),
                StaleToken,
            ),
            (
                400,
                None,
                Some("invalid checkpoint token: expired"),
                StaleToken,
            ),
            (400, None, Some("INVALID CHECKPOINT TOKEN"), StaleToken),
            (
                400,
                Some("InvalidParameterValueException"),
                Some("Invalid Checkpoint Token"),
                StaleToken,
            ),
            (
                400,
                Some("InvalidParameterValueException"),
                Some("Payload too large"),
                Terminal,
            ),
            (502, Some("KMSAccessDeniedException"), None, Terminal),
            (
                502,
                Some("KMSNotFoundException"),
                Some("key gone"),
                Terminal,
            ),
            (429, Some("TooManyRequestsException"), None, Retryable),
            (400, Some("ThrottlingException"), None, Retryable),
            (500, Some("ServiceException"), None, Retryable),
            (503, None, None, Retryable),
            (404, Some("ResourceNotFoundException"), None, Terminal),
            (0, None, None, Retryable),
        ];
        for (status, code, message, expected) in cases {
            assert_eq!(
                BackendError::classify(status, code, message),
                expected,
                "{status} {code:?} {message:?}"
            );
        }
    }
}
