//! `ctx.wait_for_condition(check, initial_state)`: polls until a condition holds (STEP /
//! `WaitForCondition`). Each check gets the state the previous one returned; a check that leaves
//! the condition unmet is checkpointed as a RETRY carrying the state, and the invocation
//! suspends until the wait strategy's delay is over.

use std::future::{Future, IntoFuture};
use std::sync::Arc;

use lambda_sdk::types::{OperationAction, OperationStatus, OperationType, StepOptions};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{guarded, queue_start, record};
use crate::backend::BoxFuture;
use crate::context::{DurableContext, Minted, StepContext};
use crate::error::{BoxError, DurableError, ErrorKind, ErrorObject};
use crate::retry::{WaitDecision, WaitStrategy, delay_seconds};
use crate::serdes::{OwnSerdes, Serdes, choose};

type Check<'a, S> =
    Box<dyn FnOnce(S, StepContext) -> BoxFuture<'a, Result<S, BoxError>> + Send + 'a>;
type Decide<S> = Arc<dyn Fn(&S, u32) -> WaitDecision + Send + Sync>;

/// A poll, from [`DurableContext::wait_for_condition`]. Set its
/// [`wait_strategy`](Self::wait_strategy), then await it.
pub struct WaitForConditionBuilder<'a, S> {
    ctx: DurableContext,
    minted: Minted,
    check: Check<'a, S>,
    initial_state: S,
    name: Option<String>,
    strategy: Option<(Decide<S>, u32)>,
    serdes: OwnSerdes<S>,
}

impl<S> std::fmt::Debug for WaitForConditionBuilder<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitForConditionBuilder")
            .field("name", &self.name)
            .field("max_attempts", &self.strategy.as_ref().map(|s| s.1))
            .finish_non_exhaustive()
    }
}

impl DurableContext {
    /// Polls: `check` gets the current state (first `initial_state`) and returns the next one;
    /// the [`WaitStrategy`] decides whether the condition is met (the operation returns the
    /// state) or when to check again. A failing check fails the operation (no retry).
    ///
    /// ```no_run
    /// # async fn f(ctx: lambda_sdk_durable::DurableContext) -> Result<(), lambda_sdk_durable::BoxError> {
    /// use lambda_sdk_durable::WaitStrategy;
    /// let status: String = ctx
    ///     .wait_for_condition(|_previous: String, _| async { Ok("DONE".to_string()) }, "PENDING".to_string())
    ///     .wait_strategy(WaitStrategy::until(|s: &String| s == "DONE"))
    ///     .name("job")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_for_condition<'a, S, F, Fut>(
        &self,
        check: F,
        initial_state: S,
    ) -> WaitForConditionBuilder<'a, S>
    where
        F: FnOnce(S, StepContext) -> Fut + Send + 'a,
        Fut: Future<Output = Result<S, BoxError>> + Send + 'a,
        S: Serialize + DeserializeOwned + Send + 'a,
    {
        WaitForConditionBuilder {
            ctx: self.clone(),
            minted: self.mint(),
            check: Box::new(move |state, cx| Box::pin(check(state, cx))),
            initial_state,
            name: None,
            strategy: None,
            serdes: None,
        }
    }
}

impl<'a, S: Serialize + DeserializeOwned + Send + 'a> WaitForConditionBuilder<'a, S> {
    /// Names the operation (shown in the execution's history).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// When the condition holds and when to check again (required).
    pub fn wait_strategy(mut self, strategy: WaitStrategy<S>) -> Self
    where
        S: 'static,
    {
        let attempts = strategy.attempts();
        self.strategy = Some((
            Arc::new(move |state: &S, attempt| strategy.decide(state, attempt)),
            attempts,
        ));
        self
    }

    /// A wait strategy as a function of the state and the check's number (from 1), checking at
    /// most `max_attempts` times.
    pub fn wait_strategy_fn(
        mut self,
        max_attempts: u32,
        strategy: impl Fn(&S, u32) -> WaitDecision + Send + Sync + 'static,
    ) -> Self {
        self.strategy = Some((Arc::new(strategy), max_attempts.max(1)));
        self
    }

    /// How the state is checkpointed (JSON, or the execution's default, unless set).
    pub fn serdes(mut self, serdes: impl Serdes<S> + 'static) -> Self {
        self.serdes = Some(Arc::new(serdes));
        self
    }

    async fn run(self) -> Result<S, DurableError> {
        let exec = Arc::clone(self.ctx.exec());
        let begun = match self
            .ctx
            .begin(
                self.minted,
                OperationType::Step,
                "WaitForCondition",
                self.name.as_deref(),
                "wait_for_condition",
            )
            .await
        {
            Ok(begun) => begun,
            Err(fatal) => return exec.halt(fatal).await,
        };
        let Some((decide, max_attempts)) = self.strategy else {
            return Err(DurableError::runtime(
                ErrorKind::InvalidArgument,
                Some(begun.op),
                "wait_for_condition needs a wait strategy (.wait_strategy(WaitStrategy::until(..)))",
                None,
            ));
        };
        let serdes = choose(&self.serdes, exec.settings.default_serdes.as_ref());
        let (attempt, started, stored) = match &begun.record {
            None => (1, false, None),
            Some(record) => match record.status {
                OperationStatus::Succeeded => {
                    return begun.read(&serdes, record.result.as_deref(), &exec);
                }
                OperationStatus::Pending => return exec.park().await,
                OperationStatus::Started | OperationStatus::Ready => (
                    record.attempt + 1,
                    record.status == OperationStatus::Started,
                    record.result.clone(),
                ),
                _ => {
                    let max = record
                        .error
                        .as_ref()
                        .is_some_and(|e| e.error_type == MAX_ATTEMPTS_TYPE);
                    let kind = if max {
                        ErrorKind::ConditionMaxAttempts {
                            attempts: record.attempt,
                        }
                    } else {
                        ErrorKind::ConditionCheckFailed
                    };
                    return Err(begun.replayed(kind, record));
                }
            },
        };
        let _running = exec.running();
        exec.go_live();
        // The check sees the state as a checkpoint gives it back, the first time too.
        let state = match stored {
            Some(payload) => begun.read(&serdes, Some(&payload), &exec)?,
            None => {
                let payload = begun.write(&serdes, &self.initial_state, &exec)?;
                begun.read(&serdes, payload.as_deref(), &exec)?
            }
        };
        if !started {
            queue_start(&exec, begun.update(OperationAction::Start)).await;
        }
        let cx = StepContext::new(&exec, begun.id(), attempt);
        begun.attempt_started(&exec, attempt);
        let checked = guarded(|| (self.check)(state, cx)).await;
        begun.attempt_ended(&exec, attempt, &checked);
        let next = match checked {
            Ok(next) => next,
            Err(error) => {
                let cause = ErrorObject::from_error(&*error);
                let mut fail = begun.update(OperationAction::Fail);
                fail.error = Some(cause.to_wire());
                record(&exec, fail).await;
                begun.ended(&exec, OperationStatus::Failed, Some(&cause));
                return Err(DurableError::new(
                    ErrorKind::ConditionCheckFailed,
                    Some(begun.op),
                    cause,
                    Some(error),
                ));
            }
        };
        // The strategy and the caller see the state as replay will read it back.
        let written = begun
            .write(&serdes, &next, &exec)
            .and_then(|payload| Ok((begun.read(&serdes, payload.as_deref(), &exec)?, payload)));
        let (next, payload) = match written {
            Ok(written) => written,
            Err(e) => {
                let mut fail = begun.update(OperationAction::Fail);
                fail.error = Some(e.error_object().to_wire());
                record(&exec, fail).await;
                begun.ended(&exec, OperationStatus::Failed, Some(e.error_object()));
                return Err(e);
            }
        };
        match decide(&next, attempt) {
            WaitDecision::Stop => {
                let mut succeed = begun.update(OperationAction::Succeed);
                succeed.payload = payload;
                record(&exec, succeed).await;
                begun.ended(&exec, OperationStatus::Succeeded, None);
                Ok(next)
            }
            WaitDecision::Continue { .. } if attempt >= max_attempts => {
                let cause = ErrorObject::new(
                    MAX_ATTEMPTS_TYPE,
                    format!("the condition was not met after {attempt} checks"),
                );
                let mut fail = begun.update(OperationAction::Fail);
                fail.error = Some(cause.to_wire());
                record(&exec, fail).await;
                begun.ended(&exec, OperationStatus::Failed, Some(&cause));
                Err(DurableError::new(
                    ErrorKind::ConditionMaxAttempts { attempts: attempt },
                    Some(begun.op),
                    cause,
                    None,
                ))
            }
            WaitDecision::Continue { delay } => {
                let mut retry = begun.update(OperationAction::Retry);
                retry.payload = payload;
                retry.step_options = Some(StepOptions {
                    next_attempt_delay_seconds: Some(delay_seconds(delay)),
                });
                record(&exec, retry).await;
                drop(_running);
                exec.park().await
            }
        }
    }
}

/// The error type of a condition that was never met.
const MAX_ATTEMPTS_TYPE: &str = "WaitForConditionMaxAttemptsError";

impl<'a, S: Serialize + DeserializeOwned + Send + 'a> IntoFuture
    for WaitForConditionBuilder<'a, S>
{
    type Output = Result<S, DurableError>;
    type IntoFuture = BoxFuture<'a, Result<S, DurableError>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}
