//! `ctx.step(body)`: runs a body once per attempt and records its outcome (STEP / `Step`).

use std::future::{Future, IntoFuture};
use std::sync::Arc;

use lambda_sdk::types::{OperationAction, OperationStatus, OperationType, StepOptions};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{guarded, queue_start, record};
use crate::backend::BoxFuture;
use crate::context::{DurableContext, Minted, StepContext};
use crate::error::{BoxError, DurableError, ErrorKind, ErrorObject};
use crate::retry::{RetryDecision, RetryStrategy, RetryStrategyConfig, delay_seconds};
use crate::serdes::{OwnSerdes, Serdes, choose};

/// What happens to an attempt that an invocation left unfinished (the record says STARTED, with
/// no outcome). Only the client decides this; nothing about it travels on the wire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StepSemantics {
    /// Run the body again (the default). Its start is checkpointed together with its outcome.
    #[default]
    AtLeastOncePerRetry,
    /// Count the attempt as failed ("interrupted") and let the retry strategy decide. The start
    /// is checkpointed before the body runs.
    AtMostOncePerRetry,
}

type Body<'a, T> = Box<dyn FnOnce(StepContext) -> BoxFuture<'a, Result<T, BoxError>> + Send + 'a>;

/// A step, from [`DurableContext::step`]. Await it to run it.
pub struct StepBuilder<'a, T> {
    ctx: DurableContext,
    minted: Minted,
    body: Body<'a, T>,
    name: Option<String>,
    retry: Option<RetryStrategy>,
    semantics: StepSemantics,
    serdes: OwnSerdes<T>,
}

impl<T> std::fmt::Debug for StepBuilder<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepBuilder")
            .field("name", &self.name)
            .field("semantics", &self.semantics)
            .finish_non_exhaustive()
    }
}

impl DurableContext {
    /// A step: `body` runs once per attempt (with the attempt number and a logger in its
    /// [`StepContext`]), and its result is checkpointed, so replay returns it without running
    /// the body again. A failed attempt goes to the retry strategy (by default 6 attempts, 5 s
    /// then ×2 up to 60 s, full jitter); a retry is checkpointed and the invocation suspends for
    /// the delay. A panicking body is a failed attempt.
    ///
    /// ```no_run
    /// # async fn f(ctx: lambda_sdk_durable::DurableContext) -> Result<(), lambda_sdk_durable::BoxError> {
    /// let total: u64 = ctx.step(|_| async { Ok(40 + 2) }).name("add").await?;
    /// # Ok(()) }
    /// ```
    pub fn step<'a, T, F, Fut>(&self, body: F) -> StepBuilder<'a, T>
    where
        F: FnOnce(StepContext) -> Fut + Send + 'a,
        Fut: Future<Output = Result<T, BoxError>> + Send + 'a,
        T: Serialize + DeserializeOwned + Send + 'a,
    {
        StepBuilder {
            ctx: self.clone(),
            minted: self.mint(),
            body: Box::new(move |cx| Box::pin(body(cx))),
            name: None,
            retry: None,
            semantics: StepSemantics::default(),
            serdes: None,
        }
    }
}

impl<'a, T: Serialize + DeserializeOwned + Send + 'a> StepBuilder<'a, T> {
    /// Names the step (shown in the execution's history).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Decides about each failed attempt: the attempt's error and number (from 1) in, a
    /// [`RetryDecision`] out.
    pub fn retry_strategy(
        mut self,
        strategy: impl Fn(&BoxError, u32) -> RetryDecision + Send + Sync + 'static,
    ) -> Self {
        self.retry = Some(Arc::new(strategy));
        self
    }

    /// Retries by a [`RetryStrategyConfig`] (exponential backoff with jitter).
    pub fn retry_strategy_config(mut self, config: RetryStrategyConfig) -> Self {
        self.retry = Some(config.into_strategy());
        self
    }

    /// What happens to an attempt an invocation left unfinished.
    pub fn semantics(mut self, semantics: StepSemantics) -> Self {
        self.semantics = semantics;
        self
    }

    /// How the result is checkpointed (JSON, or the execution's default, unless set).
    pub fn serdes(mut self, serdes: impl Serdes<T> + 'static) -> Self {
        self.serdes = Some(Arc::new(serdes));
        self
    }

    async fn run(self) -> Result<T, DurableError> {
        let exec = Arc::clone(self.ctx.exec());
        let begun = match self
            .ctx
            .begin(
                self.minted,
                OperationType::Step,
                "Step",
                self.name.as_deref(),
                "step",
            )
            .await
        {
            Ok(begun) => begun,
            Err(fatal) => return exec.halt(fatal).await,
        };
        let serdes = choose(&self.serdes, exec.settings.default_serdes.as_ref());
        let (attempt, unfinished) = match &begun.record {
            None => (1, false),
            Some(record) => match record.status {
                OperationStatus::Succeeded => {
                    return begun.read(&serdes, record.result.as_deref(), &exec);
                }
                OperationStatus::Pending => return exec.park().await,
                OperationStatus::Started => (record.attempt + 1, true),
                OperationStatus::Ready => (record.attempt + 1, false),
                _ => {
                    let attempts = record.attempt.max(1);
                    return Err(begun.replayed(ErrorKind::StepFailed { attempts }, record));
                }
            },
        };
        let _running = exec.running();
        exec.go_live();
        let interrupted = unfinished && self.semantics == StepSemantics::AtMostOncePerRetry;
        let outcome: Result<T, BoxError> = if interrupted {
            Err(Box::new(DurableError::runtime(
                ErrorKind::StepInterrupted { attempts: attempt },
                Some(begun.op.clone()),
                format!(
                    "the invocation ended while attempt {attempt} was running; under \
                     at-most-once semantics it is not run again"
                ),
                None,
            )))
        } else {
            // An unfinished attempt already has its START on record.
            if !unfinished {
                let start = begun.update(OperationAction::Start);
                match self.semantics {
                    StepSemantics::AtLeastOncePerRetry => queue_start(&exec, start).await,
                    StepSemantics::AtMostOncePerRetry => record(&exec, start).await,
                }
            }
            let cx = StepContext::new(&exec, begun.id(), attempt);
            begun.attempt_started(&exec, attempt);
            let outcome = guarded(|| (self.body)(cx)).await;
            begun.attempt_ended(&exec, attempt, &outcome);
            outcome
        };
        let error = match outcome {
            Ok(value) => {
                // The caller gets the value as replay will read it back, the first time too.
                let written = begun.write(&serdes, &value, &exec).and_then(|payload| {
                    Ok((begun.read(&serdes, payload.as_deref(), &exec)?, payload))
                });
                let (value, payload) = match written {
                    Ok(written) => written,
                    Err(e) => {
                        let mut fail = begun.update(OperationAction::Fail);
                        fail.error = Some(e.error_object().to_wire());
                        record(&exec, fail).await;
                        begun.ended(&exec, OperationStatus::Failed, Some(e.error_object()));
                        return Err(e);
                    }
                };
                let mut succeed = begun.update(OperationAction::Succeed);
                succeed.payload = payload;
                record(&exec, succeed).await;
                begun.ended(&exec, OperationStatus::Succeeded, None);
                return Ok(value);
            }
            Err(error) => error,
        };
        let strategy = self
            .retry
            .unwrap_or_else(|| RetryStrategyConfig::default().into_strategy());
        let cause = ErrorObject::from_error(&*error);
        match strategy(&error, attempt) {
            RetryDecision::Retry { delay } => {
                let mut retry = begun.update(OperationAction::Retry);
                retry.error = Some(cause.to_wire());
                retry.step_options = Some(StepOptions {
                    next_attempt_delay_seconds: Some(delay_seconds(delay)),
                });
                record(&exec, retry).await;
                drop(_running);
                exec.park().await
            }
            RetryDecision::Stop => {
                let mut fail = begun.update(OperationAction::Fail);
                fail.error = Some(cause.to_wire());
                record(&exec, fail).await;
                begun.ended(&exec, OperationStatus::Failed, Some(&cause));
                let kind = if interrupted {
                    ErrorKind::StepInterrupted { attempts: attempt }
                } else {
                    ErrorKind::StepFailed { attempts: attempt }
                };
                Err(DurableError::new(kind, Some(begun.op), cause, Some(error)))
            }
        }
    }
}

impl<'a, T: Serialize + DeserializeOwned + Send + 'a> IntoFuture for StepBuilder<'a, T> {
    type Output = Result<T, DurableError>;
    type IntoFuture = BoxFuture<'a, Result<T, DurableError>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}
