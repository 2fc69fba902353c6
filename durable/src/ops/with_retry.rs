//! `ctx.with_retry(body)`: a block of operations retried as a whole. The block runs in a child
//! context (CONTEXT / `RunInChildContext`) holding one child context per attempt
//! (`attempt-1`, `attempt-2`, …, each a fresh namespace, so an attempt's operations never
//! collide with the previous attempt's) and a durable wait (`backoff-1`, …) between attempts.
//!
//! Every decision is in the history, so it survives suspension: a failed attempt followed by a
//! recorded backoff wait was retried, and replay goes on to the next attempt without asking the
//! retry strategy again. The strategy is only asked about a failure no invocation has decided
//! on yet: it gets the error the attempt's code returned, as a step's strategy does (or, if the
//! invocation that ran the attempt ended before deciding, the recorded failure, whose
//! [`ErrorObject`](crate::ErrorObject) keeps the type name and message).

use std::future::{Future, IntoFuture};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::backend::BoxFuture;
use crate::context::{DurableContext, Minted};
use crate::error::{BoxError, DurableError};
use crate::retry::{RetryDecision, RetryStrategy, RetryStrategyConfig};
use crate::serdes::{OwnSerdes, Serdes};

type Body<'a, T> =
    Box<dyn FnMut(DurableContext, u32) -> BoxFuture<'a, Result<T, BoxError>> + Send + 'a>;

/// A retried block, from [`DurableContext::with_retry`]. Await it to run it.
pub struct WithRetryBuilder<'a, T> {
    ctx: DurableContext,
    minted: Minted,
    body: Body<'a, T>,
    name: Option<String>,
    retry: Option<RetryStrategy>,
    serdes: OwnSerdes<T>,
}

impl<T> std::fmt::Debug for WithRetryBuilder<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WithRetryBuilder")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl DurableContext {
    /// Runs `body` (given its own child context and the attempt number, from 1) and, when it
    /// fails, runs it again from the start under the retry strategy (by default that of steps:
    /// 6 attempts, exponential backoff). Unlike a step's retry, the block may hold any durable
    /// operations: each attempt is a child context of its own, and the backoff between
    /// attempts is a durable wait, so the invocation suspends instead of sleeping.
    ///
    /// ```no_run
    /// # async fn f(ctx: lambda_sdk_durable::DurableContext) -> Result<(), lambda_sdk_durable::BoxError> {
    /// use lambda_sdk_durable::RetryStrategyConfig;
    ///
    /// let booking: String = ctx
    ///     .with_retry(|attempt_ctx, attempt| async move {
    ///         let hold: String = attempt_ctx
    ///             .step(move |_| async move { Ok(format!("hold-{attempt}")) })
    ///             .name("hold")
    ///             .await?;
    ///         Ok(attempt_ctx.step(|_| async move { Ok(format!("{hold}-confirmed")) }).await?)
    ///     })
    ///     .name("book")
    ///     .retry_strategy_config(RetryStrategyConfig::default().max_attempts(3))
    ///     .await?;
    /// # let _ = booking; Ok(()) }
    /// ```
    pub fn with_retry<'a, T, F, Fut>(&self, mut body: F) -> WithRetryBuilder<'a, T>
    where
        F: FnMut(DurableContext, u32) -> Fut + Send + 'a,
        Fut: Future<Output = Result<T, BoxError>> + Send + 'a,
        T: Serialize + DeserializeOwned + Send + 'a,
    {
        WithRetryBuilder {
            ctx: self.clone(),
            minted: self.mint(),
            body: Box::new(move |child, attempt| Box::pin(body(child, attempt))),
            name: None,
            retry: None,
            serdes: None,
        }
    }
}

impl<'a, T: Serialize + DeserializeOwned + Send + 'a> WithRetryBuilder<'a, T> {
    /// Names the block (shown in the execution's history, and in its attempts' and waits'
    /// names).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Decides, from an attempt's error and number, whether to try again and after how long.
    pub fn retry_strategy(
        mut self,
        strategy: impl Fn(&BoxError, u32) -> RetryDecision + Send + Sync + 'static,
    ) -> Self {
        self.retry = Some(Arc::new(strategy));
        self
    }

    /// The retry strategy, as a [`RetryStrategyConfig`].
    pub fn retry_strategy_config(mut self, config: RetryStrategyConfig) -> Self {
        self.retry = Some(config.into_strategy());
        self
    }

    /// How the result is checkpointed (JSON, or the execution's default, unless set).
    pub fn serdes(mut self, serdes: impl Serdes<T> + 'static) -> Self {
        self.serdes = Some(Arc::new(serdes));
        self
    }
}

impl<'a, T: Serialize + DeserializeOwned + Send + 'a> IntoFuture for WithRetryBuilder<'a, T> {
    type Output = Result<T, DurableError>;
    type IntoFuture = BoxFuture<'a, Result<T, DurableError>>;

    fn into_future(self) -> Self::IntoFuture {
        let WithRetryBuilder {
            ctx,
            minted,
            mut body,
            name,
            retry,
            serdes,
        } = self;
        let strategy = retry.unwrap_or_else(|| RetryStrategyConfig::default().into_strategy());
        let outer_name = name.clone();
        let label = move |what: &str, attempt: u32| match &name {
            Some(name) => format!("{name}-{what}-{attempt}"),
            None => format!("{what}-{attempt}"),
        };
        let attempt_serdes = serdes.clone();
        let block = move |scope: DurableContext| async move {
            let mut attempt = 1;
            loop {
                let run = &mut body;
                let outcome = scope
                    .child_context(
                        scope.mint(),
                        move |child| run(child, attempt),
                        "RunInChildContext",
                        "with_retry attempt",
                    )
                    .name(label("attempt", attempt))
                    .serdes_arc(attempt_serdes.clone())
                    .await;
                // The strategy gets the error the attempt's code failed with (or, when the
                // failure is replayed from its record, the recorded failure).
                let error: BoxError = match outcome {
                    Ok(value) => return Ok(value),
                    Err(error) => error.into_live_source().unwrap_or_else(|e| Box::new(e)),
                };
                let backoff = scope.wait(Duration::ZERO).name(label("backoff", attempt));
                let recorded = match backoff.is_recorded().await {
                    Ok(recorded) => recorded,
                    Err(fatal) => return scope.exec().halt(fatal).await,
                };
                if !recorded {
                    match strategy(&error, attempt) {
                        RetryDecision::Retry { delay } => backoff.duration(delay).await?,
                        RetryDecision::Stop => return Err(error),
                    }
                } else {
                    backoff.await?;
                }
                attempt += 1;
            }
        };
        let mut outer = ctx
            .child_context(minted, block, "RunInChildContext", "with_retry")
            .serdes_arc(serdes);
        if let Some(name) = outer_name {
            outer = outer.name(name);
        }
        outer.into_future()
    }
}
