//! Callbacks: `ctx.create_callback()` (CALLBACK / `Callback`) gives an id that an external
//! system completes with `SendDurableExecutionCallbackSuccess` / `…Failure`; awaiting its result
//! suspends the invocation until then. `ctx.wait_for_callback(submitter)` (CONTEXT /
//! `WaitForCallback`) creates the callback, hands its id to a submitter step, and waits.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use lambda_sdk::types::{CallbackOptions, OperationAction, OperationStatus, OperationType};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Begun, record};
use crate::backend::BoxFuture;
use crate::context::{DurableContext, Minted, StepContext};
use crate::error::{BoxError, DurableError, ErrorKind, ErrorObject, OperationRef};
use crate::execution::{Execution, Fatal};
use crate::retry::{RetryDecision, RetryStrategy, RetryStrategyConfig};
use crate::serdes::{OwnSerdes, Serdes, choose};

/// A callback being created, from [`DurableContext::create_callback`]. Await it to create it.
pub struct CallbackBuilder<T> {
    ctx: DurableContext,
    minted: Minted,
    name: Option<String>,
    timeout: Option<Duration>,
    heartbeat: Option<Duration>,
    serdes: OwnSerdes<T>,
}

impl<T> std::fmt::Debug for CallbackBuilder<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackBuilder")
            .field("name", &self.name)
            .field("timeout", &self.timeout)
            .field("heartbeat", &self.heartbeat)
            .finish_non_exhaustive()
    }
}

impl DurableContext {
    /// Creates a callback: its [`id`](Callback::id) goes to the system that will complete it, and
    /// [`result`](Callback::result) waits for the result (the invocation suspends until then).
    /// The creation is checkpointed at once: the service assigns the id.
    ///
    /// ```no_run
    /// # async fn f(ctx: lambda_sdk_durable::DurableContext) -> Result<(), lambda_sdk_durable::BoxError> {
    /// use std::time::Duration;
    /// let approval = ctx
    ///     .create_callback::<bool>()
    ///     .name("approval")
    ///     .timeout(Duration::from_secs(24 * 3600))
    ///     .await?;
    /// println!("ask a human to complete callback {}", approval.id());
    /// let approved = approval.result().await?;
    /// # Ok(()) }
    /// ```
    pub fn create_callback<T>(&self) -> CallbackBuilder<T>
    where
        T: Serialize + DeserializeOwned + Send + 'static,
    {
        CallbackBuilder {
            ctx: self.clone(),
            minted: self.mint(),
            name: None,
            timeout: None,
            heartbeat: None,
            serdes: None,
        }
    }

    /// Creates a callback, runs `submitter` as a step with the callback's id (to send it where
    /// it will be completed), then waits for the result. Recorded as one CONTEXT
    /// (`WaitForCallback`) holding the callback and the submitter step.
    ///
    /// ```no_run
    /// # async fn f(ctx: lambda_sdk_durable::DurableContext) -> Result<(), lambda_sdk_durable::BoxError> {
    /// let decision: String = ctx
    ///     .wait_for_callback(|_, callback_id| async move {
    ///         // e.g. put `callback_id` on a queue that a human works through
    ///         println!("approve with callback {callback_id}");
    ///         Ok(())
    ///     })
    ///     .name("approval")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_for_callback<'a, T, F, Fut>(&self, submitter: F) -> WaitForCallbackBuilder<'a, T>
    where
        F: FnOnce(StepContext, String) -> Fut + Send + 'a,
        Fut: Future<Output = Result<(), BoxError>> + Send + 'a,
        T: Serialize + DeserializeOwned + Send + 'static,
    {
        WaitForCallbackBuilder {
            ctx: self.clone(),
            minted: self.mint(),
            submitter: Box::new(move |cx, id| Box::pin(submitter(cx, id))),
            name: None,
            timeout: None,
            heartbeat: None,
            retry: None,
            serdes: None,
        }
    }
}

impl<T: Serialize + DeserializeOwned + Send + 'static> CallbackBuilder<T> {
    /// Names the callback (shown in the execution's history).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Fails the callback unless it is completed within `timeout` (whole seconds).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Fails the callback when no heartbeat (`SendDurableExecutionCallbackHeartbeat`) arrives
    /// within `interval` (whole seconds).
    pub fn heartbeat(mut self, interval: Duration) -> Self {
        self.heartbeat = Some(interval);
        self
    }

    /// How the result is read (JSON, or the execution's default, unless set).
    pub fn serdes(mut self, serdes: impl Serdes<T> + 'static) -> Self {
        self.serdes = Some(Arc::new(serdes));
        self
    }

    async fn run(self) -> Result<Callback<T>, DurableError> {
        let exec = Arc::clone(self.ctx.exec());
        let begun = match self
            .ctx
            .begin(
                self.minted,
                OperationType::Callback,
                "Callback",
                self.name.as_deref(),
                "callback",
            )
            .await
        {
            Ok(begun) => begun,
            Err(fatal) => return exec.halt(fatal).await,
        };
        if begun.record.is_none() {
            let mut start = begun.update(OperationAction::Start);
            start.callback_options = Some(CallbackOptions {
                timeout_seconds: seconds(self.timeout),
                heartbeat_timeout_seconds: seconds(self.heartbeat),
            });
            let _running = exec.running();
            record(&exec, start).await;
        }
        let callback_id = exec.record(begun.id()).and_then(|r| r.callback_id.clone());
        let Some(callback_id) = callback_id else {
            return exec
                .halt(Fatal::Failed(ErrorObject::new(
                    "CallbackError",
                    format!("the service recorded {} without a callback id", begun.op),
                )))
                .await;
        };
        Ok(Callback {
            callback_id,
            begun: Arc::new(begun),
            exec,
            serdes: self.serdes,
            _value: PhantomData,
        })
    }
}

/// Whole seconds for the API (rounded up, at least one), or none.
fn seconds(duration: Option<Duration>) -> Option<i32> {
    duration.map(crate::retry::delay_seconds)
}

impl<T: Serialize + DeserializeOwned + Send + 'static> IntoFuture for CallbackBuilder<T> {
    type Output = Result<Callback<T>, DurableError>;
    type IntoFuture = BoxFuture<'static, Result<Callback<T>, DurableError>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// A created callback: its id, and its result once the external system completes it.
pub struct Callback<T> {
    callback_id: String,
    begun: Arc<Begun>,
    exec: Arc<Execution>,
    serdes: OwnSerdes<T>,
    _value: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Callback<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Callback")
            .field("id", &self.callback_id)
            .field("operation", &self.begun.op)
            .finish_non_exhaustive()
    }
}

impl<T: Serialize + DeserializeOwned + Send + 'static> Callback<T> {
    /// The id the external system completes the callback with.
    pub fn id(&self) -> &str {
        &self.callback_id
    }

    /// The callback's result; until the external system completes it, the invocation
    /// suspends. A failure reported by the external system, a timeout and a missed heartbeat
    /// are errors ([`ErrorKind::CallbackFailed`], [`ErrorKind::CallbackTimedOut`],
    /// [`ErrorKind::CallbackHeartbeatTimedOut`]).
    ///
    /// # Errors
    /// As above, or a payload that does not deserialize.
    pub async fn result(&self) -> Result<T, DurableError> {
        let Some(record) = self.exec.record(self.begun.id()) else {
            return self.exec.park().await;
        };
        let serdes = choose(&self.serdes, self.exec.settings.default_serdes.as_ref());
        if record.has_ended() {
            // Completed during this invocation (a checkpoint response brought it), or replayed.
            self.begun
                .ended(&self.exec, record.status.clone(), record.error.as_ref());
        }
        match record.status {
            OperationStatus::Succeeded => {
                self.begun
                    .read(&serdes, record.result.as_deref(), &self.exec)
            }
            OperationStatus::TimedOut => {
                let heartbeat = record
                    .error
                    .as_ref()
                    .is_some_and(|e| e.error_type.contains("Heartbeat"));
                Err(self.begun.replayed(
                    if heartbeat {
                        ErrorKind::CallbackHeartbeatTimedOut
                    } else {
                        ErrorKind::CallbackTimedOut
                    },
                    &record,
                ))
            }
            OperationStatus::Failed | OperationStatus::Cancelled | OperationStatus::Stopped => {
                Err(self.begun.replayed(ErrorKind::CallbackFailed, &record))
            }
            _ => self.exec.park().await,
        }
    }

    /// The operation.
    pub fn operation(&self) -> &OperationRef {
        &self.begun.op
    }
}

type Submitter<'a> =
    Box<dyn FnOnce(StepContext, String) -> BoxFuture<'a, Result<(), BoxError>> + Send + 'a>;

/// A wait for a callback, from [`DurableContext::wait_for_callback`]. Await it to run it.
pub struct WaitForCallbackBuilder<'a, T> {
    ctx: DurableContext,
    minted: Minted,
    submitter: Submitter<'a>,
    name: Option<String>,
    timeout: Option<Duration>,
    heartbeat: Option<Duration>,
    retry: Option<RetryStrategy>,
    serdes: OwnSerdes<T>,
}

impl<T> std::fmt::Debug for WaitForCallbackBuilder<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitForCallbackBuilder")
            .field("name", &self.name)
            .field("timeout", &self.timeout)
            .field("heartbeat", &self.heartbeat)
            .finish_non_exhaustive()
    }
}

impl<'a, T: Serialize + DeserializeOwned + Send + 'static> WaitForCallbackBuilder<'a, T> {
    /// Names the operation (shown in the execution's history).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Fails the callback unless it is completed within `timeout` (whole seconds).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Fails the callback when no heartbeat arrives within `interval` (whole seconds).
    pub fn heartbeat(mut self, interval: Duration) -> Self {
        self.heartbeat = Some(interval);
        self
    }

    /// The submitter step's retry strategy (by default that of every step).
    pub fn submitter_retry(
        mut self,
        strategy: impl Fn(&BoxError, u32) -> RetryDecision + Send + Sync + 'static,
    ) -> Self {
        self.retry = Some(Arc::new(strategy));
        self
    }

    /// The submitter step's retry strategy, as a [`RetryStrategyConfig`].
    pub fn submitter_retry_config(mut self, config: RetryStrategyConfig) -> Self {
        self.retry = Some(config.into_strategy());
        self
    }

    /// How the result is read and checkpointed (JSON, or the execution's default, unless set).
    pub fn serdes(mut self, serdes: impl Serdes<T> + 'static) -> Self {
        self.serdes = Some(Arc::new(serdes));
        self
    }

    fn into_child(self) -> super::ChildBuilder<'a, T> {
        let WaitForCallbackBuilder {
            ctx,
            minted,
            submitter,
            name,
            timeout,
            heartbeat,
            retry,
            serdes,
        } = self;
        let callback_serdes = serdes.clone();
        let child = ctx.child_context(
            minted,
            move |child: DurableContext| async move {
                let mut create = child.create_callback::<T>();
                create.timeout = timeout;
                create.heartbeat = heartbeat;
                create.serdes = callback_serdes;
                let callback = create.await?;
                let id = callback.id().to_string();
                let mut submit = child.step(move |cx| submitter(cx, id));
                if let Some(retry) = retry {
                    submit = submit.retry_strategy(move |e, attempt| retry(e, attempt));
                }
                submit.await?;
                Ok(callback.result().await?)
            },
            "WaitForCallback",
            "wait_for_callback",
        );
        let child = child.serdes_arc(serdes);
        match name {
            Some(name) => child.name(name),
            None => child,
        }
    }
}

impl<'a, T: Serialize + DeserializeOwned + Send + 'static> IntoFuture
    for WaitForCallbackBuilder<'a, T>
{
    type Output = Result<T, DurableError>;
    type IntoFuture = BoxFuture<'a, Result<T, DurableError>>;

    fn into_future(self) -> Self::IntoFuture {
        self.into_child().into_future()
    }
}
