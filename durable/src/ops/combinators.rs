//! Combinators over durable operations: [`all`](DurableContext::all),
//! [`all_settled`](DurableContext::all_settled), [`any`](DurableContext::any) and
//! [`race`](DurableContext::race). Each runs the operations it is given concurrently and records
//! the combined outcome as one CONTEXT (`RunInChildContext`), so replay returns that outcome
//! without running the operations again: which one finished first in the invocation that decided
//! is what every later invocation sees.
//!
//! An outcome over 256 KiB is not stored (`ReplayChildren`); replay rebuilds it from the
//! operations' own records. For `any` and `race` the record then keeps the winner's position, and
//! replay reads that operation alone, so the rebuilt outcome is the recorded one and the operations
//! that lost are never run again.
//!
//! The operations are created (their ids taken) where the caller creates them, in the caller's
//! context; the combinator only runs them and records what came of it.

use std::future::IntoFuture;
use std::sync::Arc;

use lambda_sdk::types::{OperationAction, OperationStatus, OperationType};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::batch::{BatchItem, BatchResult, CompletionReason};
use super::queue_start;
use crate::backend::BoxFuture;
use crate::context::{DurableContext, Minted};
use crate::error::{BoxError, DurableError, ErrorKind, ErrorObject, TypedError};
use crate::execution::Fatal;
use crate::join::JoinSet;
use crate::serdes::{OwnSerdes, choose};

type Operation<'a, T> = BoxFuture<'a, Result<T, DurableError>>;

/// What a combinator decided: its value, and for `any` and `race` which operation won.
type Decided<O> = Result<(O, Option<usize>), BoxError>;

/// Runs the operations (all of them, or with `Some(winner)` only that one, to rebuild an outcome
/// recorded with `ReplayChildren`) and decides.
type Decide<'a, T, O> =
    Box<dyn FnOnce(Vec<Operation<'a, T>>, Option<usize>) -> BoxFuture<'a, Decided<O>> + Send + 'a>;

/// Runs the combinator, given its name.
type Run<'a, O> =
    Box<dyn FnOnce(Option<String>) -> BoxFuture<'a, Result<O, DurableError>> + Send + 'a>;

/// A combinator, from [`DurableContext::all`], [`all_settled`](DurableContext::all_settled),
/// [`any`](DurableContext::any) or [`race`](DurableContext::race). Await it to run it.
pub struct CombinatorBuilder<'a, O> {
    run: Run<'a, O>,
    name: Option<String>,
}

impl<O> std::fmt::Debug for CombinatorBuilder<'_, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CombinatorBuilder")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<'a, O: Serialize + DeserializeOwned + Send + 'a> CombinatorBuilder<'a, O> {
    /// Names the combinator's context (shown in the execution's history).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

impl<'a, O: Serialize + DeserializeOwned + Send + 'a> IntoFuture for CombinatorBuilder<'a, O> {
    type Output = Result<O, DurableError>;
    type IntoFuture = BoxFuture<'a, Result<O, DurableError>>;

    fn into_future(self) -> Self::IntoFuture {
        (self.run)(self.name)
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

/// `race` and `any` rebuilding a recorded outcome: the winner alone.
async fn winner<T>(ops: Vec<Operation<'_, T>>, index: usize) -> Decided<T> {
    let count = ops.len();
    let Some(op) = ops.into_iter().nth(index) else {
        return Err(format!(
            "the recorded winner is operation {index}, but the combinator was given {count}"
        )
        .into());
    };
    let value = op.await.map_err(|e| Box::new(e) as BoxError)?;
    Ok((value, Some(index)))
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
        self.combinator(
            "all",
            operations(ops),
            Box::new(|ops, _| {
                Box::pin(async move {
                    let count = ops.len();
                    let mut values: Vec<Option<T>> = (0..count).map(|_| None).collect();
                    let mut set = started(ops);
                    while let Some((index, outcome)) = set.next().await {
                        let value = outcome.map_err(|e| Box::new(e) as BoxError)?;
                        if let Some(slot) = values.get_mut(index) {
                            *slot = Some(value);
                        }
                    }
                    Ok((values.into_iter().flatten().collect(), None))
                })
            }),
        )
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
        self.combinator(
            "all_settled",
            operations(ops),
            Box::new(|ops, _| {
                Box::pin(async move {
                    let mut items = Vec::with_capacity(ops.len());
                    let mut set = started(ops);
                    while let Some((index, outcome)) = set.next().await {
                        items.push(BatchItem {
                            index,
                            outcome: outcome.map_err(|e| e.error_object().clone()),
                        });
                    }
                    Ok((
                        BatchResult::new(items, CompletionReason::AllCompleted),
                        None,
                    ))
                })
            }),
        )
    }

    /// The first operation to succeed (the others are stopped); if every one fails, the
    /// combinator fails with an `AllFailedError` listing their messages.
    pub fn any<'a, T, F>(&self, ops: impl IntoIterator<Item = F>) -> CombinatorBuilder<'a, T>
    where
        F: IntoFuture<Output = Result<T, DurableError>>,
        F::IntoFuture: Send + 'a,
        T: Serialize + DeserializeOwned + Send + 'a,
    {
        self.combinator(
            "any",
            operations(ops),
            Box::new(|ops, recorded| {
                Box::pin(async move {
                    if let Some(index) = recorded {
                        return winner(ops, index).await;
                    }
                    let count = ops.len();
                    let mut errors: Vec<Option<ErrorObject>> = (0..count).map(|_| None).collect();
                    let mut set = started(ops);
                    while let Some((index, outcome)) = set.next().await {
                        match outcome {
                            Ok(value) => return Ok((value, Some(index))),
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
            }),
        )
    }

    /// The outcome of the first operation to finish, success or failure (the others are
    /// stopped).
    pub fn race<'a, T, F>(&self, ops: impl IntoIterator<Item = F>) -> CombinatorBuilder<'a, T>
    where
        F: IntoFuture<Output = Result<T, DurableError>>,
        F::IntoFuture: Send + 'a,
        T: Serialize + DeserializeOwned + Send + 'a,
    {
        self.combinator(
            "race",
            operations(ops),
            Box::new(|ops, recorded| {
                Box::pin(async move {
                    if let Some(index) = recorded {
                        return winner(ops, index).await;
                    }
                    let mut set = started(ops);
                    match set.next().await {
                        Some((index, outcome)) => outcome
                            .map(|value| (value, Some(index)))
                            .map_err(|e| Box::new(e) as BoxError),
                        None => Err(TypedError::with_type(
                            "InvalidArgumentError",
                            "race was given no operations",
                        )
                        .into()),
                    }
                })
            }),
        )
    }

    fn combinator<'a, T, O>(
        &self,
        what: &'static str,
        ops: Vec<Operation<'a, T>>,
        decide: Decide<'a, T, O>,
    ) -> CombinatorBuilder<'a, O>
    where
        T: Send + 'a,
        O: Serialize + DeserializeOwned + Send + 'a,
    {
        let ctx = self.clone();
        let minted = self.mint();
        CombinatorBuilder {
            run: Box::new(move |name| Box::pin(combine(ctx, minted, name, what, ops, decide))),
            name: None,
        }
    }
}

/// The summary a combinator records when its outcome is too large to store.
fn summary(winner: Option<usize>) -> String {
    match winner {
        Some(index) => serde_json::json!({ "winner": index }).to_string(),
        None => "{}".to_string(),
    }
}

async fn combine<'a, T, O>(
    ctx: DurableContext,
    minted: Minted,
    name: Option<String>,
    what: &'static str,
    ops: Vec<Operation<'a, T>>,
    decide: Decide<'a, T, O>,
) -> Result<O, DurableError>
where
    O: Serialize + DeserializeOwned + Send + 'a,
{
    let exec = Arc::clone(ctx.exec());
    let begun = match ctx
        .begin(
            minted,
            OperationType::Context,
            "RunInChildContext",
            name.as_deref(),
            what,
        )
        .await
    {
        Ok(begun) => begun,
        Err(fatal) => return exec.halt(fatal).await,
    };
    let own: OwnSerdes<O> = None;
    let serdes = choose(&own, exec.settings.default_serdes.as_ref());
    match &begun.record {
        None => queue_start(&exec, begun.update(OperationAction::Start)).await,
        Some(record) => match record.status {
            OperationStatus::Started => {}
            OperationStatus::Succeeded if record.replay_children => {
                // Rebuild from the operations' records: the winner alone, if there is one.
                let winner = record
                    .result
                    .as_deref()
                    .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
                    .and_then(|v| v.get("winner").and_then(serde_json::Value::as_u64))
                    .and_then(|i| usize::try_from(i).ok());
                return match decide(ops, winner).await {
                    Ok((value, _)) => Ok(value),
                    Err(e) => {
                        exec.halt(Fatal::Failed(ErrorObject::new(
                            "NonDeterministicExecutionError",
                            format!(
                                "{} succeeded when recorded, but rebuilding its outcome from \
                                 its operations failed: {e}",
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
    let (value, winner) = match ctx.while_busy(decide(ops, None)).await {
        Ok(decided) => decided,
        Err(error) => {
            let cause = ErrorObject::from_error(&*error);
            return begun
                .fail(&exec, ErrorKind::ChildContextFailed, cause, Some(error))
                .await;
        }
    };
    begun
        .succeed_context(&exec, &serdes, value, ErrorKind::ChildContextFailed, |_| {
            Some(summary(winner))
        })
        .await
}
