//! Combinators over durable operations: [`all`](DurableContext::all),
//! [`all_settled`](DurableContext::all_settled), [`any`](DurableContext::any) and
//! [`race`](DurableContext::race). Each runs the operations it is given concurrently inside one
//! child context (CONTEXT / `RunInChildContext`) that records the combined outcome, so replay
//! returns that outcome without running the operations again: which one finished first in the
//! invocation that decided is what every later invocation sees.
//!
//! The operations are created (their ids taken) where the caller creates them, in the caller's
//! context; the combinator only runs them and records what came of it.

use std::future::IntoFuture;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ChildBuilder;
use super::batch::{BatchItem, BatchResult, CompletionReason};
use crate::backend::BoxFuture;
use crate::context::DurableContext;
use crate::error::{BoxError, DurableError, ErrorObject, TypedError};
use crate::join::JoinSet;

type Operation<'a, T> = BoxFuture<'a, Result<T, DurableError>>;

/// A combinator, from [`DurableContext::all`], [`all_settled`](DurableContext::all_settled),
/// [`any`](DurableContext::any) or [`race`](DurableContext::race). Await it to run it.
pub struct CombinatorBuilder<'a, O> {
    inner: ChildBuilder<'a, O>,
}

impl<O> std::fmt::Debug for CombinatorBuilder<'_, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CombinatorBuilder").finish_non_exhaustive()
    }
}

impl<'a, O: Serialize + DeserializeOwned + Send + 'a> CombinatorBuilder<'a, O> {
    /// Names the combinator's context (shown in the execution's history).
    pub fn name(self, name: impl Into<String>) -> Self {
        CombinatorBuilder {
            inner: self.inner.name(name),
        }
    }
}

impl<'a, O: Serialize + DeserializeOwned + Send + 'a> IntoFuture for CombinatorBuilder<'a, O> {
    type Output = Result<O, DurableError>;
    type IntoFuture = BoxFuture<'a, Result<O, DurableError>>;

    fn into_future(self) -> Self::IntoFuture {
        self.inner.into_future()
    }
}

fn operations<'a, T, F>(operations: impl IntoIterator<Item = F>) -> Vec<Operation<'a, T>>
where
    F: IntoFuture<Output = Result<T, DurableError>>,
    F::IntoFuture: Send + 'a,
{
    operations
        .into_iter()
        .map(|op| Box::pin(op.into_future()) as Operation<'a, T>)
        .collect()
}

fn started<'a, T>(
    operations: Vec<Operation<'a, T>>,
) -> JoinSet<'a, usize, Result<T, DurableError>> {
    let mut set = JoinSet::new();
    for (index, op) in operations.into_iter().enumerate() {
        set.push(index, op);
    }
    set
}

impl DurableContext {
    /// Every operation's value, in the order given; the first failure fails the combinator
    /// (and stops the operations still running).
    ///
    /// ```no_run
    /// # async fn f(ctx: lambda_sdk_durable::DurableContext) -> Result<(), lambda_sdk_durable::BoxError> {
    /// let prices: Vec<f64> = ctx
    ///     .all([
    ///         ctx.step(|_| async { Ok(12.5) }).name("carrier-a"),
    ///         ctx.step(|_| async { Ok(11.0) }).name("carrier-b"),
    ///     ])
    ///     .name("quotes")
    ///     .await?;
    /// # let _ = prices; Ok(()) }
    /// ```
    pub fn all<'a, T, F>(&self, ops: impl IntoIterator<Item = F>) -> CombinatorBuilder<'a, Vec<T>>
    where
        F: IntoFuture<Output = Result<T, DurableError>>,
        F::IntoFuture: Send + 'a,
        T: Serialize + DeserializeOwned + Send + 'a,
    {
        let ops = operations(ops);
        self.combinator("all", move |_| async move {
            let count = ops.len();
            let mut values: Vec<Option<T>> = (0..count).map(|_| None).collect();
            let mut set = started(ops);
            while let Some((index, outcome)) = set.next().await {
                let value = outcome.map_err(|e| Box::new(e) as BoxError)?;
                if let Some(slot) = values.get_mut(index) {
                    *slot = Some(value);
                }
            }
            Ok(values.into_iter().flatten().collect())
        })
    }

    /// Every operation's outcome, in the order given, whatever fails: a [`BatchResult`] with
    /// [`CompletionReason::AllCompleted`].
    pub fn all_settled<'a, T, F>(
        &self,
        ops: impl IntoIterator<Item = F>,
    ) -> CombinatorBuilder<'a, BatchResult<T>>
    where
        F: IntoFuture<Output = Result<T, DurableError>>,
        F::IntoFuture: Send + 'a,
        T: Serialize + DeserializeOwned + Send + 'a,
    {
        let ops = operations(ops);
        self.combinator("all_settled", move |_| async move {
            let mut items = Vec::with_capacity(ops.len());
            let mut set = started(ops);
            while let Some((index, outcome)) = set.next().await {
                items.push(BatchItem {
                    index,
                    outcome: outcome.map_err(|e| e.error_object().clone()),
                });
            }
            Ok(BatchResult::new(items, CompletionReason::AllCompleted))
        })
    }

    /// The first operation to succeed (the others are stopped); if every one fails, the
    /// combinator fails with an `AllFailedError` listing their messages.
    pub fn any<'a, T, F>(&self, ops: impl IntoIterator<Item = F>) -> CombinatorBuilder<'a, T>
    where
        F: IntoFuture<Output = Result<T, DurableError>>,
        F::IntoFuture: Send + 'a,
        T: Serialize + DeserializeOwned + Send + 'a,
    {
        let ops = operations(ops);
        self.combinator("any", move |_| async move {
            let count = ops.len();
            let mut errors: Vec<Option<ErrorObject>> = (0..count).map(|_| None).collect();
            let mut set = started(ops);
            while let Some((index, outcome)) = set.next().await {
                match outcome {
                    Ok(value) => return Ok(value),
                    Err(e) => {
                        if let Some(slot) = errors.get_mut(index) {
                            *slot = Some(e.error_object().clone());
                        }
                    }
                }
            }
            let messages: Vec<String> = errors
                .iter()
                .enumerate()
                .filter_map(|(i, e)| e.as_ref().map(|e| format!("[{i}] {e}")))
                .collect();
            let message = if count == 0 {
                "no operations were given".to_string()
            } else {
                format!(
                    "every one of the {count} operations failed: {}",
                    messages.join("; ")
                )
            };
            Err(TypedError::with_type("AllFailedError", message).into())
        })
    }

    /// The outcome of the first operation to finish, success or failure (the others are
    /// stopped).
    pub fn race<'a, T, F>(&self, ops: impl IntoIterator<Item = F>) -> CombinatorBuilder<'a, T>
    where
        F: IntoFuture<Output = Result<T, DurableError>>,
        F::IntoFuture: Send + 'a,
        T: Serialize + DeserializeOwned + Send + 'a,
    {
        let ops = operations(ops);
        self.combinator("race", move |_| async move {
            let mut set = started(ops);
            match set.next().await {
                Some((_, outcome)) => outcome.map_err(|e| Box::new(e) as BoxError),
                None => Err(TypedError::with_type(
                    "InvalidArgumentError",
                    "race was given no operations",
                )
                .into()),
            }
        })
    }

    fn combinator<'a, O, F, Fut>(&self, what: &'static str, body: F) -> CombinatorBuilder<'a, O>
    where
        F: FnOnce(DurableContext) -> Fut + Send + 'a,
        Fut: std::future::Future<Output = Result<O, BoxError>> + Send + 'a,
        O: Serialize + DeserializeOwned + Send + 'a,
    {
        CombinatorBuilder {
            inner: self.child_context(self.mint(), body, "RunInChildContext", what),
        }
    }
}
