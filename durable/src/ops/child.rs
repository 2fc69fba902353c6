//! `ctx.run_in_child_context(body)`: a block of operations recorded as one (CONTEXT /
//! `RunInChildContext`). Once it has ended, replay returns its result without running the
//! block, unless the result was too large to record (over 256 KiB): then the result is not
//! stored (`ReplayChildren`), and replay runs the block again over its children's records to
//! rebuild it.

use std::future::{Future, IntoFuture};
use std::sync::Arc;

use lambda_sdk::types::{OperationAction, OperationStatus, OperationType};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{guarded, queue_start};
use crate::backend::BoxFuture;
use crate::context::{DurableContext, Minted};
use crate::error::{BoxError, DurableError, ErrorKind, ErrorObject};
use crate::execution::Fatal;
use crate::serdes::{OwnSerdes, Serdes, choose};

type Body<'a, T> =
    Box<dyn FnOnce(DurableContext) -> BoxFuture<'a, Result<T, BoxError>> + Send + 'a>;

/// A child context, from [`DurableContext::run_in_child_context`]. Await it to run it.
pub struct ChildBuilder<'a, T> {
    ctx: DurableContext,
    minted: Minted,
    body: Body<'a, T>,
    name: Option<String>,
    serdes: OwnSerdes<T>,
    sub_type: &'static str,
    what: &'static str,
}

impl<T> std::fmt::Debug for ChildBuilder<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildBuilder")
            .field("name", &self.name)
            .field("sub_type", &self.sub_type)
            .finish_non_exhaustive()
    }
}

impl DurableContext {
    /// Runs `body` with a context of its own: its operations are recorded under one CONTEXT
    /// operation, whose result (or failure) replay returns once it has ended.
    ///
    /// ```no_run
    /// # async fn f(ctx: lambda_sdk_durable::DurableContext) -> Result<(), lambda_sdk_durable::BoxError> {
    /// let total: u32 = ctx
    ///     .run_in_child_context(|child| async move {
    ///         let a: u32 = child.step(|_| async { Ok(1) }).await?;
    ///         let b: u32 = child.step(|_| async { Ok(2) }).await?;
    ///         Ok(a + b)
    ///     })
    ///     .name("sum")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn run_in_child_context<'a, T, F, Fut>(&self, body: F) -> ChildBuilder<'a, T>
    where
        F: FnOnce(DurableContext) -> Fut + Send + 'a,
        Fut: Future<Output = Result<T, BoxError>> + Send + 'a,
        T: Serialize + DeserializeOwned + Send + 'a,
    {
        self.child_context(self.mint(), body, "RunInChildContext", "child context")
    }

    pub(crate) fn child_context<'a, T, F, Fut>(
        &self,
        minted: Minted,
        body: F,
        sub_type: &'static str,
        what: &'static str,
    ) -> ChildBuilder<'a, T>
    where
        F: FnOnce(DurableContext) -> Fut + Send + 'a,
        Fut: Future<Output = Result<T, BoxError>> + Send + 'a,
        T: Serialize + DeserializeOwned + Send + 'a,
    {
        ChildBuilder {
            ctx: self.clone(),
            minted,
            body: Box::new(move |child| Box::pin(body(child))),
            name: None,
            serdes: None,
            sub_type,
            what,
        }
    }
}

impl<'a, T: Serialize + DeserializeOwned + Send + 'a> ChildBuilder<'a, T> {
    /// Names the context (shown in the execution's history).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// How the result is checkpointed (JSON, or the execution's default, unless set).
    pub fn serdes(mut self, serdes: impl Serdes<T> + 'static) -> Self {
        self.serdes = Some(Arc::new(serdes));
        self
    }

    pub(crate) fn serdes_arc(mut self, serdes: OwnSerdes<T>) -> Self {
        self.serdes = serdes;
        self
    }

    async fn run(self) -> Result<T, DurableError> {
        let exec = Arc::clone(self.ctx.exec());
        let begun = match self
            .ctx
            .begin(
                self.minted,
                OperationType::Context,
                self.sub_type,
                self.name.as_deref(),
                self.what,
            )
            .await
        {
            Ok(begun) => begun,
            Err(fatal) => return exec.halt(fatal).await,
        };
        let serdes = choose(&self.serdes, exec.settings.default_serdes.as_ref());
        let child = self.ctx.child(begun.path.clone(), begun.id().to_string());
        match &begun.record {
            None => queue_start(&exec, begun.update(OperationAction::Start)).await,
            Some(record) => match record.status {
                OperationStatus::Started => {}
                OperationStatus::Succeeded if record.replay_children => {
                    // The result was too large to record: the children's records rebuild it.
                    return match guarded(|| (self.body)(child)).await {
                        Ok(value) => Ok(value),
                        Err(e) => {
                            exec.halt(Fatal::Failed(ErrorObject::new(
                                "NonDeterministicExecutionError",
                                format!(
                                    "{} succeeded when recorded, but replaying its children \
                                     failed: {e}",
                                    begun.op
                                ),
                            )))
                            .await
                        }
                    };
                }
                OperationStatus::Succeeded => {
                    return begun.read(&serdes, record.result.as_deref(), &exec);
                }
                _ => return Err(begun.replayed(ErrorKind::ChildContextFailed, record)),
            },
        }
        match guarded(|| (self.body)(child)).await {
            Ok(value) => {
                // Over 256 KiB the value is not recorded: replay runs the body again.
                begun
                    .succeed_context(&exec, &serdes, value, ErrorKind::ChildContextFailed, |_| {
                        None
                    })
                    .await
            }
            Err(error) => {
                let cause = ErrorObject::from_error(&*error);
                begun
                    .fail(&exec, ErrorKind::ChildContextFailed, cause, Some(error))
                    .await
            }
        }
    }
}

impl<'a, T: Serialize + DeserializeOwned + Send + 'a> IntoFuture for ChildBuilder<'a, T> {
    type Output = Result<T, DurableError>;
    type IntoFuture = BoxFuture<'a, Result<T, DurableError>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}
