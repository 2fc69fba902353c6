//! Retries in the AWS SDKs' "standard" mode: a bounded number of attempts, exponential backoff
//! with full jitter, and a classifier that retries throttling, transient server errors and
//! transport failures, never a request the service rejected as wrong.

use std::time::Duration;

use crate::error::{Error, ErrorMetadata, OperationError};
use crate::http::{HttpError, HttpErrorKind};
use crate::identity::CredentialsErrorKind;

/// How many times to try, and how long to wait between tries.
///
/// ```
/// use std::time::Duration;
/// use lambda_sdk_runtime::retry::RetryConfig;
///
/// let config = RetryConfig::standard().with_max_attempts(5).with_max_backoff(Duration::from_secs(5));
/// assert_eq!(config.max_attempts(), 5);
/// assert_eq!(RetryConfig::disabled().max_attempts(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    quota: u32,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig::standard()
    }
}

impl RetryConfig {
    /// Standard mode: 3 attempts, exponential backoff from 1 s with full jitter, capped at 20 s,
    /// and a retry quota of [`DEFAULT_QUOTA`] tokens.
    pub fn standard() -> Self {
        RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            quota: DEFAULT_QUOTA,
        }
    }

    /// One attempt, no retries.
    pub fn disabled() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..RetryConfig::standard()
        }
    }

    /// Sets the total number of attempts, the first included (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the base of the exponential backoff.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Caps a single wait.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets the retry quota shared by every call of a client (0 disables retries). Each retry
    /// spends [`RETRY_COST`] tokens ([`TIMEOUT_RETRY_COST`] after a timeout or connection
    /// failure); a call that succeeds returns what it spent, or one token when it needed no
    /// retry. When the quota runs dry, calls stop retrying until successes refill it, so a
    /// fleet of clients does not multiply the load on a struggling service.
    pub fn with_quota(mut self, tokens: u32) -> Self {
        self.quota = tokens;
        self
    }

    /// The retry quota's capacity.
    pub fn quota(&self) -> u32 {
        self.quota
    }

    /// The total number of attempts.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The base of the exponential backoff.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The cap of a single wait.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The wait before attempt `attempt + 1` (1-based `attempt` just failed): a random share
    /// (full jitter) of `initial * 2^(attempt-1)`, capped at the maximum. A `Retry-After` hint
    /// from the service replaces it, capped the same way.
    pub fn backoff(&self, attempt: u32, retry_after: Option<Duration>, random: f64) -> Duration {
        if let Some(hint) = retry_after {
            return hint.min(self.max_backoff);
        }
        let exp = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
        let ceiling = self
            .initial_backoff
            .saturating_mul(exp)
            .min(self.max_backoff);
        ceiling.mul_f64(random.clamp(0.0, 1.0))
    }
}

/// The standard retry quota's capacity.
pub const DEFAULT_QUOTA: u32 = 500;
/// Tokens one retry spends.
pub const RETRY_COST: u32 = 5;
/// Tokens one retry after a timeout or transport failure spends.
pub const TIMEOUT_RETRY_COST: u32 = 10;

/// The tokens of a client's retry quota.
#[derive(Debug)]
pub(crate) struct Quota {
    capacity: u32,
    tokens: std::sync::Mutex<u32>,
}

impl Quota {
    pub(crate) fn new(capacity: u32) -> Self {
        Quota {
            capacity,
            tokens: std::sync::Mutex::new(capacity),
        }
    }

    /// Takes `cost` tokens if there are that many.
    pub(crate) fn acquire(&self, cost: u32) -> bool {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if *tokens >= cost {
            *tokens -= cost;
            true
        } else {
            false
        }
    }

    /// Returns tokens after a success, up to the capacity.
    pub(crate) fn release(&self, amount: u32) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        *tokens = tokens.saturating_add(amount).min(self.capacity);
    }
}

/// Why an attempt will be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryKind {
    /// The service is throttling.
    Throttling,
    /// A transient server error.
    Transient,
    /// The connection failed or a timeout fired.
    Transport,
    /// The model marks the error `@retryable`.
    Modeled,
}

/// Error codes the AWS SDKs treat as throttling.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes the AWS SDKs treat as transient.
const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException", "InternalError"];

/// Decides whether a service error is worth retrying.
///
/// - Throttling (HTTP 429, a throttling code, `@retryable(throttling)`) is retried.
/// - A modeled error is retried when the model marks it `@retryable`, or when it is a server
///   fault with status 500, 503 or 504. A modeled 502 names a failing dependency the caller must
///   fix (Lambda's KMS errors), and a client fault names a wrong request: neither is retried.
/// - An unmodeled error is retried on a transient code or status 500, 502, 503 or 504.
pub fn classify_service<E: OperationError>(error: &E, meta: &ErrorMetadata) -> Option<RetryKind> {
    let code = error.code();
    if meta.status == 429 || THROTTLING_CODES.contains(&code) || code.starts_with("Throttling") {
        return Some(RetryKind::Throttling);
    }
    match error.modeled() {
        Some(m) if m.throttling => Some(RetryKind::Throttling),
        Some(m) if m.retryable => Some(RetryKind::Modeled),
        Some(m) if m.server_fault && matches!(meta.status, 500 | 503 | 504) => {
            Some(RetryKind::Transient)
        }
        Some(_) => None,
        None if TRANSIENT_CODES.contains(&code) || matches!(meta.status, 500 | 502 | 503 | 504) => {
            Some(RetryKind::Transient)
        }
        None => None,
    }
}

/// Whether a transport failure may succeed on a new attempt. A response larger than the limit
/// will be as large the next time.
pub fn transport_is_retryable(error: &HttpError) -> bool {
    !matches!(error.kind(), HttpErrorKind::ResponseTooLarge)
}

// Here rather than in `error`, so that errors do not depend on the retry policy that reads them.
impl<E: OperationError> Error<E> {
    /// Whether retrying the same request may succeed: throttling, transient server errors,
    /// transport failures, timeouts and a credentials source that failed (rather than one
    /// that is missing or misconfigured). The SDK already retried it as configured.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Construction(_) | Error::Response(_) => false,
            Error::Credentials(e) => e.kind() == CredentialsErrorKind::ProviderFailed,
            Error::Transport(e) => transport_is_retryable(e),
            Error::Timeout(_) => true,
            Error::Service(s) => classify_service(&s.error, &s.meta).is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ModeledError, Unhandled};

    #[derive(Debug)]
    struct Modeled(&'static str, ModeledError);
    impl std::fmt::Display for Modeled {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Modeled {}
    impl OperationError for Modeled {
        fn code(&self) -> &str {
            self.0
        }
        fn message(&self) -> Option<&str> {
            None
        }
        fn modeled(&self) -> Option<ModeledError> {
            Some(self.1)
        }
    }

    fn meta(status: u16, code: &str) -> ErrorMetadata {
        ErrorMetadata::new(status, Some(code.into()), None, None)
    }

    const SERVER: ModeledError = ModeledError {
        status: 500,
        server_fault: true,
        retryable: false,
        throttling: false,
    };
    const CLIENT: ModeledError = ModeledError {
        status: 400,
        server_fault: false,
        retryable: false,
        throttling: false,
    };

    #[test]
    fn classification() {
        let m = meta(429, "TooManyRequestsException");
        assert_eq!(
            classify_service(&Modeled("TooManyRequestsException", CLIENT), &m),
            Some(RetryKind::Throttling)
        );
        let m = meta(500, "ServiceException");
        assert_eq!(
            classify_service(&Modeled("ServiceException", SERVER), &m),
            Some(RetryKind::Transient)
        );
        let m = meta(502, "KMSAccessDeniedException");
        assert_eq!(
            classify_service(&Modeled("KMSAccessDeniedException", SERVER), &m),
            None
        );
        let m = meta(400, "InvalidParameterValueException");
        assert_eq!(
            classify_service(&Modeled("InvalidParameterValueException", CLIENT), &m),
            None
        );
        let m = meta(503, "Whatever");
        assert_eq!(
            classify_service(&Unhandled::new(m.clone()), &m),
            Some(RetryKind::Transient)
        );
        let m = meta(502, "BadGateway");
        assert_eq!(
            classify_service(&Unhandled::new(m.clone()), &m),
            Some(RetryKind::Transient)
        );
        let m = meta(400, "ThrottlingException");
        assert_eq!(
            classify_service(&Unhandled::new(m.clone()), &m),
            Some(RetryKind::Throttling)
        );
        let m = meta(400, "ValidationException");
        assert_eq!(classify_service(&Unhandled::new(m.clone()), &m), None);
        let retryable = ModeledError {
            retryable: true,
            ..CLIENT
        };
        let m = meta(409, "Conflict");
        assert_eq!(
            classify_service(&Modeled("Conflict", retryable), &m),
            Some(RetryKind::Modeled)
        );
    }

    #[test]
    fn quota_runs_dry_and_refills() {
        let quota = Quota::new(12);
        assert!(quota.acquire(RETRY_COST));
        assert!(quota.acquire(RETRY_COST));
        assert!(!quota.acquire(RETRY_COST), "2 tokens left");
        quota.release(RETRY_COST);
        assert!(!quota.acquire(TIMEOUT_RETRY_COST) && quota.acquire(RETRY_COST));
        quota.release(1000);
        assert!(
            quota.acquire(12) && !quota.acquire(1),
            "capped at the capacity"
        );
    }

    #[test]
    fn backoff_is_bounded_and_honours_retry_after() {
        let c = RetryConfig::standard()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_secs(2));
        assert_eq!(c.backoff(1, None, 1.0), Duration::from_millis(100));
        assert_eq!(c.backoff(3, None, 1.0), Duration::from_millis(400));
        assert_eq!(c.backoff(30, None, 1.0), Duration::from_secs(2));
        assert_eq!(c.backoff(3, None, 0.0), Duration::ZERO);
        assert_eq!(
            c.backoff(1, Some(Duration::from_millis(1500)), 0.3),
            Duration::from_millis(1500)
        );
        assert_eq!(
            c.backoff(1, Some(Duration::from_secs(60)), 0.3),
            Duration::from_secs(2)
        );
        for _ in 0..100 {
            let r = crate::random::jitter();
            assert!((0.0..1.0).contains(&r));
        }
    }
}
