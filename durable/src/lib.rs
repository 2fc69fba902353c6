#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod backend;
mod branch;
mod checkpoint;
mod context;
mod driver;
mod envelope;
mod error;
mod execution;
mod id;
mod join;
mod logger;
mod ops;
pub mod plugin;
mod record;
mod retry;
mod serdes;
#[cfg(feature = "testing")]
pub mod testing;

use std::future::Future;
use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use lambda_runtime::{LambdaEvent, Service};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use backend::{BackendError, BackendErrorKind, BoxFuture, DurableBackend};
pub use context::{DurableContext, StepContext};
pub use error::{
    BoxError, DurableError, ErrorKind, ErrorObject, OperationRef, TypedError, find_cause,
};
pub use logger::{Level, LogRecord, LogSink, Logger, StdoutSink};
pub use ops::{
    BatchItem, BatchResult, BatchStatus, Branch, CompletionConfig, CompletionReason, Nesting,
};
pub use plugin::Plugin;
pub use retry::{
    Jitter, RetryDecision, RetryStrategy, RetryStrategyConfig, WaitDecision, WaitStrategy,
};
pub use serdes::{AnySerdes, JsonSerdes, Serdes, SerdesContext};

/// The builders the operation methods return; await one to run its operation.
pub mod builders {
    pub use crate::ops::{
        Callback, CallbackBuilder, ChildBuilder, CombinatorBuilder, InvokeBuilder, MapBuilder,
        ParallelBuilder, StepBuilder, StepSemantics, WaitBuilder, WaitForCallbackBuilder,
        WaitForConditionBuilder, WithRetryBuilder,
    };
}
pub use ops::{Callback, StepSemantics};

/// The re-exported `lambda_runtime` crate, whose `Context` a [`DurableContext`] gives.
pub use lambda_runtime;

use driver::{BackendSource, Invoker};
use execution::Settings;

/// The most state pages an invocation reads by default (1,000 operations each).
pub const DEFAULT_MAX_STATE_PAGES: usize = 10_000;

/// Options of [`run_with_options`] and [`DurableHandler::new`].
pub struct RunOptions {
    backend: Option<Arc<dyn DurableBackend>>,
    batching_window: Duration,
    serdes: Option<Arc<dyn AnySerdes>>,
    sink: Option<Arc<dyn LogSink>>,
    replay_logging: bool,
    max_state_pages: usize,
    plugins: Vec<Arc<dyn Plugin>>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("backend", &self.backend.as_ref().map(|_| "custom"))
            .field("batching_window", &self.batching_window)
            .field("serdes", &self.serdes.as_ref().map(|_| "custom"))
            .field("logger", &self.sink.as_ref().map(|_| "custom"))
            .field("replay_logging", &self.replay_logging)
            .field("max_state_pages", &self.max_state_pages)
            .field(
                "plugins",
                &self.plugins.iter().map(|p| p.name()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            backend: None,
            batching_window: Duration::ZERO,
            serdes: None,
            sink: None,
            replay_logging: false,
            max_state_pages: DEFAULT_MAX_STATE_PAGES,
            plugins: Vec::new(),
        }
    }
}

impl RunOptions {
    /// The defaults: `lambda_sdk::Client::from_env()`, no batching window, JSON, the stdout
    /// logger, no logging during replay.
    pub fn new() -> Self {
        RunOptions::default()
    }

    /// Reads state and writes checkpoints through this backend (for example a
    /// `lambda_sdk::Client` configured by hand) instead of `lambda_sdk::Client::from_env()`.
    pub fn backend(mut self, backend: impl DurableBackend) -> Self {
        self.backend = Some(Arc::new(backend));
        self
    }

    /// Waits this long before each checkpoint call, so that updates of concurrent operations
    /// share calls (default: none; a step's start already travels with its outcome).
    pub fn batching_window(mut self, window: Duration) -> Self {
        self.batching_window = window;
        self
    }

    /// The serdes of every operation that does not set its own (default: JSON).
    pub fn serdes(mut self, serdes: impl AnySerdes + 'static) -> Self {
        self.serdes = Some(Arc::new(serdes));
        self
    }

    /// Where the contexts' loggers write (default: [`StdoutSink::from_env`]).
    pub fn logger(mut self, sink: impl LogSink + 'static) -> Self {
        self.sink = Some(Arc::new(sink));
        self
    }

    /// Loggers write during replay too (default: they do not).
    pub fn replay_logging(mut self, log: bool) -> Self {
        self.replay_logging = log;
        self
    }

    /// Reads at most this many state pages per invocation (default
    /// [`DEFAULT_MAX_STATE_PAGES`]); an execution with more fails.
    pub fn max_state_pages(mut self, pages: usize) -> Self {
        self.max_state_pages = pages.max(1);
        self
    }

    /// Adds an instrumentation plugin; plugins are called in the order they were added.
    pub fn plugin(mut self, plugin: impl Plugin + 'static) -> Self {
        self.plugins.push(Arc::new(plugin));
        self
    }

    fn into_parts(self) -> (Arc<Settings>, BackendSource) {
        let settings = Arc::new(Settings {
            default_serdes: self.serdes,
            batching_window: self.batching_window,
            sink: self
                .sink
                .unwrap_or_else(|| Arc::new(StdoutSink::from_env())),
            replay_logging: self.replay_logging,
            max_state_pages: self.max_state_pages,
            plugins: self.plugins,
        });
        let backend = match self.backend {
            Some(backend) => BackendSource::Given(backend),
            None => BackendSource::FromEnv(OnceLock::new()),
        };
        (settings, backend)
    }
}

/// Runs a durable handler on the Lambda Runtime API (`lambda_runtime`), with the default
/// [`RunOptions`]: the Lambda client from the environment, JSON, the stdout logger.
///
/// The handler gets the execution's input (the event it was started with) and a
/// [`DurableContext`]. Its `Ok` becomes the execution's result and its `Err` the execution's
/// failure, both inside a successful invocation: a failed execution does not count as a
/// failed Lambda invocation.
///
/// # Errors
/// When the Lambda Runtime API fails.
pub async fn run<F, E, Fut, O>(handler: F) -> Result<(), lambda_runtime::Error>
where
    F: Fn(E, DurableContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, BoxError>> + Send + 'static,
    E: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
{
    run_with_options(handler, RunOptions::default()).await
}

/// [`run`] with options.
///
/// # Errors
/// When the Lambda Runtime API fails.
pub async fn run_with_options<F, E, Fut, O>(
    handler: F,
    options: RunOptions,
) -> Result<(), lambda_runtime::Error>
where
    F: Fn(E, DurableContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, BoxError>> + Send + 'static,
    E: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
{
    lambda_runtime::run(DurableHandler::new(handler, options)).await
}

/// A durable handler as a `lambda_runtime` service: what [`run`] registers, for those who add
/// layers of their own (`lambda_runtime::run(my_layer.layer(DurableHandler::new(..)))`).
pub struct DurableHandler<F, E, O> {
    invoker: Arc<Invoker<F, E, O>>,
}

impl<F, E, O> Clone for DurableHandler<F, E, O> {
    fn clone(&self) -> Self {
        DurableHandler {
            invoker: Arc::clone(&self.invoker),
        }
    }
}

impl<F, E, O> std::fmt::Debug for DurableHandler<F, E, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DurableHandler").finish_non_exhaustive()
    }
}

impl<F, E, Fut, O> DurableHandler<F, E, O>
where
    F: Fn(E, DurableContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, BoxError>> + Send + 'static,
    E: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
{
    /// The service of `handler` with `options`.
    pub fn new(handler: F, options: RunOptions) -> Self {
        let (settings, backend) = options.into_parts();
        DurableHandler {
            invoker: Arc::new(Invoker {
                handler,
                settings,
                backend,
                _types: PhantomData,
            }),
        }
    }

    /// Answers one invocation: its output envelope, or an error when Lambda should invoke the
    /// function again.
    ///
    /// # Errors
    /// A checkpoint failure worth retrying, or a stale checkpoint token.
    pub async fn invoke(&self, event: LambdaEvent<Value>) -> Result<Value, lambda_runtime::Error> {
        self.invoker.invoke(event.payload, event.context).await
    }
}

impl<F, E, Fut, O> Service<LambdaEvent<Value>> for DurableHandler<F, E, O>
where
    F: Fn(E, DurableContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, BoxError>> + Send + 'static,
    E: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
{
    type Response = Value;
    type Error = lambda_runtime::Error;
    type Future = BoxFuture<'static, Result<Value, lambda_runtime::Error>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, event: LambdaEvent<Value>) -> Self::Future {
        let invoker = Arc::clone(&self.invoker);
        Box::pin(async move { invoker.invoke(event.payload, event.context).await })
    }
}
