//! The operation pipeline shared by every generated operation: endpoint, credentials, SigV4,
//! transport, timeouts, retries and tracing.

use std::sync::Arc;
#[cfg(feature = "imds")]
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::HeaderValue;
use http::header::{CONTENT_LENGTH, HOST, USER_AGENT};

use crate::config::{Config, ConfigError};
use crate::endpoint::{self, Endpoint};
use crate::error::{ConstructionError, Error, OperationError, TimeoutError, TimeoutKind};
use crate::http::HttpError;
use crate::http::ResponseMetadata;
use crate::random::idempotency_token;
#[cfg(not(feature = "imds"))]
use crate::region::Region;
use crate::request_info::CallHeaders;
use crate::rest_json::{self, PreparedRequest};
use crate::retry::{self, RetryKind};
use crate::sign::{SigningScope, sign_request};
use crate::stream::ByteStream;

/// Static facts about the service a generated crate talks to.
#[derive(Debug)]
pub struct ServiceSpec {
    /// `aws.api#service` `sdkId`, e.g. `Lambda`.
    pub sdk_id: &'static str,
    /// The SigV4 signing name, e.g. `lambda`.
    pub signing_name: &'static str,
    /// The endpoint prefix, e.g. `lambda`.
    pub endpoint_prefix: &'static str,
    /// The generated crate's name and version for the `User-Agent`, e.g. `lambda-sdk/0.1.0`.
    pub sdk_user_agent: &'static str,
    /// The model's `smithy.rules#endpointRuleSet`, compiled, if it has one.
    pub endpoint_resolver: Option<endpoint::Resolver>,
}

/// The shared state of a client: configuration, resolved endpoint, connection pool.
#[derive(Clone, Debug)]
pub struct Handle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    quota: retry::Quota,
    config: Config,
    service: &'static ServiceSpec,
    /// Resolved when the region is known: when the client is made, or at the first request
    /// when the region comes from instance metadata.
    endpoint: EndpointSlot,
    user_agent: HeaderValue,
}

/// The endpoint: resolved when the client is made, or, with the `imds` feature, at the first
/// request when the region comes from instance metadata.
#[cfg(feature = "imds")]
type EndpointSlot = OnceLock<Result<Endpoint, ConfigError>>;
#[cfg(not(feature = "imds"))]
type EndpointSlot = Result<Endpoint, ConfigError>;

/// A successful response, before the generated code reads it.
pub type HttpResponse = http::Response<Bytes>;

/// The status and headers of a response whose body is read as a stream.
pub type ResponseHead = http::response::Parts;

/// Turns the head and the unread body of a successful event-stream response into the output.
type StreamParser<'a, O, E> =
    dyn Fn(http::response::Parts, ByteStream) -> Result<O, Error<E>> + Sync + 'a;

impl Handle {
    /// Creates the shared state. An endpoint that cannot be resolved is reported by every
    /// request, as a refused request. When the region comes from instance metadata, the
    /// endpoint is resolved at the first request instead.
    pub fn new(config: Config, service: &'static ServiceSpec) -> Self {
        #[cfg(feature = "imds")]
        let endpoint = OnceLock::new();
        #[cfg(feature = "imds")]
        if let Some(region) = config.region.known() {
            let _ = endpoint.set(config.resolve_endpoint(
                region,
                service.sdk_id,
                service.endpoint_resolver,
            ));
        }
        #[cfg(not(feature = "imds"))]
        let endpoint = {
            let Region::Set(region) = &config.region;
            config.resolve_endpoint(region, service.sdk_id, service.endpoint_resolver)
        };
        let user_agent = format!(
            "{} lambda-sdk-runtime/{} lang/rust os/{}",
            service.sdk_user_agent,
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS
        );
        let user_agent =
            HeaderValue::from_str(&user_agent).unwrap_or(HeaderValue::from_static("lambda-sdk"));
        Handle {
            inner: Arc::new(Inner {
                quota: retry::Quota::new(config.retry.quota()),
                config,
                service,
                endpoint,
                user_agent,
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// A token for an unset `@idempotencyToken` member, from the configured provider.
    pub fn idempotency_token(&self) -> String {
        match &self.inner.config.idempotency_tokens {
            Some(provider) => provider(),
            None => idempotency_token(),
        }
    }

    /// Sends a prepared request with retries and timeouts, and reads the response with
    /// `parse`, which turns a success into `O` and an error status into [`Error::Service`].
    /// `input` is the typed request that `request` was made from: a client made with a
    /// mock (`testing::Mock`, cargo feature `testing`) answers from it instead of sending.
    ///
    /// # Errors
    /// Every [`Error`] case.
    pub async fn call<I, O, E, P>(
        &self,
        operation: &'static str,
        input: &I,
        request: PreparedRequest,
        parse: P,
    ) -> Result<(O, ResponseMetadata), Error<E>>
    where
        I: Clone + std::fmt::Debug + Send + Sync + 'static,
        O: Send + 'static,
        E: OperationError,
        P: Fn(&HttpResponse) -> Result<O, Error<E>> + Sync,
    {
        if let Some(answer) = self.mocked(operation, input) {
            return answer;
        }
        self.exchange(operation, request, &parse, None).await
    }

    /// Like [`Handle::call`] for an operation whose successful response is an event stream:
    /// it returns as soon as the response head arrives and hands the body, unread, to
    /// `parse_stream`. Error responses are read whole and go to `parse`. Retries end once a
    /// successful response head has arrived.
    ///
    /// # Errors
    /// Every [`Error`] case.
    pub async fn call_streaming<I, O, E, P, S>(
        &self,
        operation: &'static str,
        input: &I,
        request: PreparedRequest,
        parse: P,
        parse_stream: S,
    ) -> Result<(O, ResponseMetadata), Error<E>>
    where
        I: Clone + std::fmt::Debug + Send + Sync + 'static,
        O: Send + 'static,
        E: OperationError,
        P: Fn(&HttpResponse) -> Result<O, Error<E>> + Sync,
        S: Fn(ResponseHead, ByteStream) -> Result<O, Error<E>> + Sync,
    {
        if let Some(answer) = self.mocked(operation, input) {
            return answer;
        }
        self.exchange(operation, request, &parse, Some(&parse_stream))
            .await
    }

    /// The mock's answer, when the configuration has a mock.
    #[cfg(feature = "testing")]
    fn mocked<I, O, E>(
        &self,
        operation: &'static str,
        input: &I,
    ) -> Option<Result<(O, ResponseMetadata), Error<E>>>
    where
        I: Clone + std::fmt::Debug + Send + Sync + 'static,
        O: Send + 'static,
        E: OperationError,
    {
        let mock = self.inner.config.mock.as_ref()?;
        Some(mock.answer(operation, input))
    }

    /// Without the `testing` feature there is no mock.
    #[cfg(not(feature = "testing"))]
    #[inline(always)]
    fn mocked<I, O, E>(
        &self,
        _operation: &'static str,
        _input: &I,
    ) -> Option<Result<(O, ResponseMetadata), Error<E>>> {
        None
    }

    /// The endpoint of requests, resolved at the first request when the region comes from
    /// instance metadata (a failed fetch is tried again at the next request), within the
    /// operation timeout, if any.
    #[cfg(feature = "imds")]
    async fn target(&self, deadline: Option<Instant>) -> Result<&Endpoint, TargetError> {
        let refused =
            |e: &ConfigError| TargetError::Refused(ConstructionError::other(e.to_string()));
        let config = &self.inner.config;
        let region = match deadline {
            None => config.region.resolve().await,
            Some(deadline) => {
                let at = tokio::time::Instant::from_std(deadline);
                tokio::time::timeout_at(at, config.region.resolve())
                    .await
                    .map_err(|_| {
                        TargetError::TimedOut(TimeoutError {
                            kind: TimeoutKind::Operation,
                            after: config.timeouts.operation().unwrap_or_default(),
                            attempts: 0,
                        })
                    })?
            }
        }
        .map_err(|e| refused(&e))?;
        let endpoint = self.inner.endpoint.get_or_init(|| {
            config.resolve_endpoint(
                region,
                self.inner.service.sdk_id,
                self.inner.service.endpoint_resolver,
            )
        });
        endpoint.as_ref().map_err(refused)
    }

    /// The region requests are signed for: known once [`target`](Self::target) succeeded.
    fn signing_region(&self) -> &str {
        #[cfg(not(feature = "imds"))]
        let Region::Set(region) = &self.inner.config.region;
        #[cfg(feature = "imds")]
        let region = self.inner.config.region.known().unwrap_or_default();
        region
    }

    async fn exchange<O, E>(
        &self,
        operation: &'static str,
        request: PreparedRequest,
        parse: &(dyn Fn(&HttpResponse) -> Result<O, Error<E>> + Sync),
        parse_stream: Option<&StreamParser<'_, O, E>>,
    ) -> Result<(O, ResponseMetadata), Error<E>>
    where
        E: OperationError,
    {
        let config = &self.inner.config;
        let started = Instant::now();
        let deadline = config.timeouts.operation().map(|t| started + t);
        #[cfg(feature = "imds")]
        let endpoint = self.target(deadline).await.map_err(|e| match e {
            TargetError::Refused(e) => Error::Construction(e),
            TargetError::TimedOut(e) => Error::Timeout(e),
        })?;
        #[cfg(not(feature = "imds"))]
        let endpoint = self
            .inner
            .endpoint
            .as_ref()
            .map_err(|e| Error::Construction(ConstructionError::other(e.to_string())))?;
        let prefixed;
        let endpoint = if request.host_prefix().is_empty() {
            endpoint
        } else {
            prefixed = endpoint.with_host_prefix(request.host_prefix());
            &prefixed
        };
        let url = endpoint.url(request.path(), request.query());
        let max_attempts = config.retry.max_attempts();
        let real = crate::env::Env::real();
        let call_headers = CallHeaders::new(config.env().unwrap_or(&real));
        let mut attempt = 0;
        let mut spent = 0;
        loop {
            attempt += 1;
            let attempt_started = Instant::now();
            let outcome = self
                .attempt(
                    operation,
                    &request,
                    &url,
                    endpoint,
                    deadline,
                    attempt,
                    &call_headers,
                    parse,
                    parse_stream,
                )
                .await;
            let latency = attempt_started.elapsed();
            let (retry, retry_after) = match &outcome {
                Ok(_) => (None, None),
                Err(AttemptError::Done(Error::Service(s))) => {
                    (retry::classify_service(s.err(), s.meta()), s.retry_after)
                }
                Err(AttemptError::Done(_)) => (None, None),
                Err(AttemptError::Transport(e)) => (
                    retry::transport_is_retryable(e).then_some(RetryKind::Transport),
                    None,
                ),
                Err(AttemptError::AttemptTimeout(_)) => (Some(RetryKind::Transport), None),
            };
            match &outcome {
                Ok((_, meta)) => tracing::debug!(
                    operation,
                    attempt,
                    status = meta.status(),
                    request_id = meta.request_id().unwrap_or(""),
                    latency_ms = latency.as_millis() as u64,
                    "attempt succeeded"
                ),
                Err(e) => tracing::debug!(
                    operation,
                    attempt,
                    status = e.status().unwrap_or(0),
                    request_id = e.request_id().unwrap_or(""),
                    latency_ms = latency.as_millis() as u64,
                    retry = retry
                        .filter(|_| attempt < max_attempts)
                        .map(|k| format!("{k:?}"))
                        .unwrap_or_else(|| "no".into()),
                    error = %e.summary(),
                    "attempt failed"
                ),
            }
            let err = match outcome {
                Ok(done) => {
                    // A success gives back what its retries spent, or one token.
                    self.inner.quota.release(if spent > 0 { spent } else { 1 });
                    return Ok(done);
                }
                Err(e) => e,
            };
            let Some(kind) = retry else {
                return Err(err.into_error(attempt));
            };
            if attempt >= max_attempts {
                return Err(err.into_error(attempt));
            }
            let cost = if kind == RetryKind::Transport {
                retry::TIMEOUT_RETRY_COST
            } else {
                retry::RETRY_COST
            };
            if !self.inner.quota.acquire(cost) {
                tracing::debug!(operation, attempt, "retry quota exhausted: not retrying");
                return Err(err.into_error(attempt));
            }
            spent += cost;
            let wait = config
                .retry
                .backoff(attempt, retry_after, crate::random::jitter());
            if let Some(deadline) = deadline
                && Instant::now() + wait >= deadline
            {
                // The wait alone would exceed the operation timeout: report the last failure.
                return Err(err.into_error(attempt));
            }
            tracing::debug!(
                operation,
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt<O, E>(
        &self,
        operation: &'static str,
        request: &PreparedRequest,
        url: &str,
        endpoint: &Endpoint,
        deadline: Option<Instant>,
        attempt: u32,
        call_headers: &CallHeaders,
        parse: &(dyn Fn(&HttpResponse) -> Result<O, Error<E>> + Sync),
        parse_stream: Option<&StreamParser<'_, O, E>>,
    ) -> Result<(O, ResponseMetadata), AttemptError<E>>
    where
        E: OperationError,
    {
        let config = &self.inner.config;
        let limit = match (config.timeouts.attempt(), deadline) {
            (Some(t), Some(d)) => Some((
                t.min(d.saturating_duration_since(Instant::now())),
                t < d.saturating_duration_since(Instant::now()),
            )),
            (Some(t), None) => Some((t, true)),
            (None, Some(d)) => Some((d.saturating_duration_since(Instant::now()), false)),
            (None, None) => None,
        };
        let work = async {
            let credentials =
                crate::credentials::ProvideCredentials::provide_credentials(&*config.credentials)
                    .await
                    .map_err(|e| AttemptError::Done(Error::Credentials(e)))?;
            let mut http_request = self.build(operation, request, url, endpoint, &credentials)?;
            call_headers.add_to(
                http_request.headers_mut(),
                attempt,
                config.retry.max_attempts(),
            );
            let response = match parse_stream {
                None => config
                    .http
                    .send(http_request)
                    .await
                    .map_err(AttemptError::Transport)?,
                Some(parse_stream) => {
                    let response = config
                        .http
                        .send_streaming(http_request)
                        .await
                        .map_err(AttemptError::Transport)?;
                    if response.status().is_success() {
                        let (parts, body) = response.into_parts();
                        let meta = ResponseMetadata::new(
                            parts.status.as_u16(),
                            rest_json::request_id(&parts.headers),
                        );
                        return parse_stream(parts, body)
                            .map(|output| (output, meta))
                            .map_err(AttemptError::Done);
                    }
                    // An error response is read whole, like any other.
                    let (parts, body) = response.into_parts();
                    let bytes = body
                        .collect(config.http_settings.max_response_bytes)
                        .await
                        .map_err(AttemptError::Transport)?;
                    http::Response::from_parts(parts, bytes)
                }
            };
            let meta = ResponseMetadata::new(
                response.status().as_u16(),
                rest_json::request_id(response.headers()),
            );
            match parse(&response) {
                Ok(output) => Ok((output, meta)),
                Err(Error::Service(mut s)) => {
                    s.retry_after = retry_after(&response);
                    Err(AttemptError::Done(Error::Service(s)))
                }
                Err(e) => Err(AttemptError::Done(e)),
            }
        };
        match limit {
            None => work.await,
            Some((limit, is_attempt_limit)) => match tokio::time::timeout(limit, work).await {
                Ok(result) => result,
                Err(_) => Err(AttemptError::AttemptTimeout(TimeoutError {
                    kind: if is_attempt_limit {
                        TimeoutKind::Attempt
                    } else {
                        TimeoutKind::Operation
                    },
                    after: if is_attempt_limit {
                        config.timeouts.attempt().unwrap_or(limit)
                    } else {
                        config.timeouts.operation().unwrap_or(limit)
                    },
                    attempts: attempt,
                })),
            },
        }
    }

    fn build<E>(
        &self,
        operation: &'static str,
        request: &PreparedRequest,
        url: &str,
        endpoint: &Endpoint,
        credentials: &crate::credentials::Credentials,
    ) -> Result<http::Request<Bytes>, AttemptError<E>> {
        let refuse = |reason: String| {
            AttemptError::Done(Error::Construction(ConstructionError::other(reason)))
        };
        let mut builder = http::Request::builder().method(request.method()).uri(url);
        let headers = builder
            .headers_mut()
            .ok_or_else(|| refuse(format!("{operation}: the request URL {url:?} is not valid")))?;
        headers.insert(
            HOST,
            HeaderValue::from_str(endpoint.authority())
                .map_err(|_| refuse(format!("invalid host {:?}", endpoint.authority())))?,
        );
        for (name, value) in request.headers() {
            headers.append(name.clone(), value.clone());
        }
        if !request.body().is_empty() || matches!(request.method(), "POST" | "PUT" | "PATCH") {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(request.body().len()));
        }
        let signed = sign_request(
            request.method(),
            url,
            headers
                .iter()
                .filter_map(|(n, v)| v.to_str().ok().map(|v| (n.as_str(), v))),
            request.body(),
            credentials,
            SigningScope {
                region: self.signing_region(),
                service: self.inner.service.signing_name,
                time: SystemTime::now(),
            },
        )
        .map_err(refuse)?;
        for (name, value) in signed {
            let value = HeaderValue::from_str(&value)
                .map_err(|_| refuse(format!("the signature header `{name}` is not valid")))?;
            headers.insert(name, value);
        }
        headers.insert(USER_AGENT, self.inner.user_agent.clone());
        builder
            .body(request.body().clone())
            .map_err(|e| refuse(format!("{operation}: cannot build the request: {e}")))
    }
}

/// `Retry-After` in seconds (integer or fractional) or as an HTTP date.
fn retry_after(response: &HttpResponse) -> Option<Duration> {
    let value = response
        .headers()
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(3600.0)));
    }
    let at = crate::DateTime::from_str(value, crate::DateTimeFormat::HttpDate).ok()?;
    SystemTime::from(at).duration_since(SystemTime::now()).ok()
}

/// Why the endpoint of a request is not known.
#[cfg(feature = "imds")]
enum TargetError {
    /// The region or the endpoint cannot be resolved.
    Refused(ConstructionError),
    /// The region from instance metadata did not come within the operation timeout.
    TimedOut(TimeoutError),
}

enum AttemptError<E> {
    /// Final for this attempt, with no transport involvement (service error, parse error, …).
    Done(Error<E>),
    Transport(HttpError),
    AttemptTimeout(TimeoutError),
}

impl<E: OperationError> AttemptError<E> {
    fn into_error(self, attempts: u32) -> Error<E> {
        match self {
            AttemptError::Done(e) => e,
            AttemptError::Transport(e) => Error::Transport(e),
            AttemptError::AttemptTimeout(mut t) => {
                t.attempts = attempts;
                Error::Timeout(t)
            }
        }
    }

    fn status(&self) -> Option<u16> {
        match self {
            AttemptError::Done(Error::Service(s)) => Some(s.status()),
            AttemptError::Done(Error::Response(r)) => Some(r.status()),
            _ => None,
        }
    }

    fn request_id(&self) -> Option<&str> {
        match self {
            AttemptError::Done(e) => e.request_id(),
            _ => None,
        }
    }

    fn summary(&self) -> String {
        match self {
            AttemptError::Done(e) => match e {
                Error::Service(s) => s.err().code().to_string(),
                other => other.to_string(),
            },
            AttemptError::Transport(e) => e.to_string(),
            AttemptError::AttemptTimeout(t) => t.to_string(),
        }
    }
}
