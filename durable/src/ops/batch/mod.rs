//! What `map` and `parallel` share: a batch of items run concurrently under one CONTEXT
//! (`Map` / `Parallel`), each item in a child context of its own (`MapIteration` /
//! `ParallelBranch`) or, flat, in a virtual context that records nothing itself.
//!
//! Items start in input order, at most `max_concurrency` at a time, and their outcomes count in
//! input order: the completion decision is a function of the outcomes alone, never of which item
//! finished first, so a batch replayed from its items' records decides the same way. Once it is
//! decided, items still running are dropped. The batch records a [`BatchResult`] (through the
//! operation-level serdes); one over 256 KiB is not stored (`ReplayChildren`, with a small JSON
//! summary instead) and replay rebuilds it from the items' records.
//!
//! An item that waits does not suspend the invocation while another item can still run: the
//! invocation suspends only when every running item waits on the service.

mod completion;
mod result;

pub use completion::CompletionConfig;
pub use result::{BatchItem, BatchResult, BatchStatus, CompletionReason};

use std::sync::Arc;

use lambda_sdk::types::{OperationAction, OperationStatus, OperationType};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{guarded, queue_start};
use crate::backend::BoxFuture;
use crate::context::{DurableContext, Minted};
use crate::error::{BoxError, DurableError, ErrorKind, ErrorObject, OperationRef};
use crate::execution::Fatal;
use crate::join::JoinSet;
use crate::serdes::{OwnSerdes, choose};

/// How the items of a map or parallel are recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Nesting {
    /// Each item in a child context of its own (a CONTEXT record per item, with its result):
    /// the history shows every item, and a finished item replays from its record.
    #[default]
    Nested,
    /// Items run in virtual contexts: their operations are recorded under the batch directly,
    /// with no CONTEXT record per item. Fewer operations; a batch that did not finish runs its
    /// items' code again on replay (their operations replay from their records).
    Flat,
}

/// Map or parallel: their subtypes and names in messages.
#[derive(Clone, Copy, Debug)]
pub(crate) enum BatchKind {
    Map,
    Parallel,
}

impl BatchKind {
    fn sub_type(self) -> &'static str {
        match self {
            BatchKind::Map => "Map",
            BatchKind::Parallel => "Parallel",
        }
    }

    fn item_sub_type(self) -> &'static str {
        match self {
            BatchKind::Map => "MapIteration",
            BatchKind::Parallel => "ParallelBranch",
        }
    }

    fn what(self) -> &'static str {
        match self {
            BatchKind::Map => "map",
            BatchKind::Parallel => "parallel",
        }
    }

    fn item_what(self) -> &'static str {
        match self {
            BatchKind::Map => "map iteration",
            BatchKind::Parallel => "parallel branch",
        }
    }
}

/// One item's code.
pub(crate) type ItemBody<'a, T> =
    Box<dyn FnOnce(DurableContext) -> BoxFuture<'a, Result<T, BoxError>> + Send + 'a>;

/// The knobs map and parallel share.
pub(crate) struct BatchOptions<T> {
    pub name: Option<String>,
    pub max_concurrency: Option<usize>,
    pub completion: CompletionConfig,
    pub nesting: Nesting,
    pub item_serdes: OwnSerdes<T>,
    pub serdes: OwnSerdes<BatchResult<T>>,
}

impl<T> Default for BatchOptions<T> {
    fn default() -> Self {
        BatchOptions {
            name: None,
            max_concurrency: None,
            completion: CompletionConfig::default(),
            nesting: Nesting::default(),
            item_serdes: None,
            serdes: None,
        }
    }
}

/// A batch ready to run: its id, its items (name and code), its options.
pub(crate) struct Batch<'a, T> {
    pub ctx: DurableContext,
    pub minted: Minted,
    pub kind: BatchKind,
    pub items: Vec<(Option<String>, ItemBody<'a, T>)>,
    pub options: BatchOptions<T>,
}

impl<'a, T: Serialize + DeserializeOwned + Send + 'a> Batch<'a, T> {
    pub async fn run(self) -> Result<BatchResult<T>, DurableError> {
        let Batch {
            ctx,
            minted,
            kind,
            items,
            options,
        } = self;
        let exec = Arc::clone(ctx.exec());
        // Invalid options fail before anything is recorded.
        let invalid = |message: String| {
            Err(DurableError::runtime(
                ErrorKind::InvalidArgument,
                Some(OperationRef {
                    id: minted.id.clone(),
                    name: options.name.clone(),
                    what: kind.what(),
                }),
                message,
                None,
            ))
        };
        if options.max_concurrency == Some(0) {
            return invalid(
                "max_concurrency must be at least 1 (leave it unset to run every item at once), \
                 got 0"
                    .into(),
            );
        }
        if let Err(message) = options.completion.validate(items.len()) {
            return invalid(message);
        }
        let begun = match ctx
            .begin(
                minted,
                OperationType::Context,
                kind.sub_type(),
                options.name.as_deref(),
                kind.what(),
            )
            .await
        {
            Ok(begun) => begun,
            Err(fatal) => return exec.halt(fatal).await,
        };
        let serdes = choose(&options.serdes, exec.settings.default_serdes.as_ref());
        // A result too large to record is rebuilt from the items that counted, which its
        // summary gives.
        let mut recorded_summary = None;
        match &begun.record {
            None => queue_start(&exec, begun.update(OperationAction::Start)).await,
            Some(record) => match record.status {
                OperationStatus::Started => {}
                OperationStatus::Succeeded if record.replay_children => {
                    recorded_summary = Some(
                        record
                            .result
                            .as_deref()
                            .and_then(|s| serde_json::from_str::<Value>(s).ok())
                            .unwrap_or(Value::Null),
                    );
                }
                OperationStatus::Succeeded => {
                    return begun
                        .read(&serdes, record.result.as_deref(), &exec)
                        .map(|batch| batch.with_operation(begun.op.clone()));
                }
                _ => return Err(begun.replayed(ErrorKind::BatchFailed, record)),
            },
        }
        let scope = ctx.child(begun.path.clone(), begun.id().to_string());
        let rebuild_count = recorded_summary
            .as_ref()
            .map(|s| s["totalCount"].as_u64().map_or(items.len(), |n| n as usize));
        let batch = ctx
            .while_busy(execute(&scope, kind, items, &options, rebuild_count))
            .await;
        if let Some(recorded) = recorded_summary {
            let rebuilt: Value = serde_json::from_str(&summary(&batch)).unwrap_or(Value::Null);
            if recorded != rebuilt {
                return exec
                    .halt(Fatal::Failed(ErrorObject::new(
                        "NonDeterministicExecutionError",
                        format!(
                            "{} was recorded as {recorded}, but rebuilding it from its items' \
                             records gives {rebuilt}",
                            begun.op
                        ),
                    )))
                    .await;
            }
            return Ok(batch.with_operation(begun.op.clone()));
        }
        let operation = begun.op.clone();
        begun
            .succeed_context(&exec, &serdes, batch, ErrorKind::BatchFailed, |batch| {
                Some(summary(batch))
            })
            .await
            .map(|batch| batch.with_operation(operation))
    }
}

/// Runs the items and decides the batch. To rebuild a recorded batch (`rebuild` is how many
/// items counted), only those items run, one at a time: each replays from its records, and no
/// item that was stopped when the batch completed starts again.
async fn execute<'a, T: Serialize + DeserializeOwned + Send + 'a>(
    scope: &DurableContext,
    kind: BatchKind,
    mut items: Vec<(Option<String>, ItemBody<'a, T>)>,
    options: &BatchOptions<T>,
    rebuild: Option<usize>,
) -> BatchResult<T> {
    let total = items.len();
    let limit = match rebuild {
        Some(counted) => {
            items.truncate(counted);
            1
        }
        None => options.max_concurrency.unwrap_or(usize::MAX),
    };
    let config = &options.completion;
    let mut outcomes: Vec<Option<Result<T, ErrorObject>>> = (0..total).map(|_| None).collect();
    let mut pending = items.into_iter().enumerate();
    let mut running: JoinSet<'a, usize, Result<T, ErrorObject>> = JoinSet::new();
    let (mut succeeded, mut failed, mut counted) = (0, 0, 0);
    let mut decision = config.decide(0, 0, total);
    while decision.is_none() {
        while running.len() < limit {
            let Some((index, (name, body))) = pending.next() else {
                break;
            };
            running.push(index, item(scope, kind, name, body, options));
        }
        let Some((index, outcome)) = running.next().await else {
            break;
        };
        if let Some(slot) = outcomes.get_mut(index) {
            *slot = Some(outcome);
        }
        // Count what is now contiguous from the front, deciding after each item.
        while let Some(Some(outcome)) = outcomes.get(counted) {
            if outcome.is_ok() {
                succeeded += 1;
            } else {
                failed += 1;
            }
            counted += 1;
            decision = config.decide(succeeded, failed, total);
            if decision.is_some() {
                break;
            }
        }
    }
    // Items still running are not counted: dropping them stops them.
    drop(running);
    let items = outcomes
        .into_iter()
        .take(counted)
        .enumerate()
        .filter_map(|(index, outcome)| outcome.map(|outcome| BatchItem { index, outcome }))
        .collect();
    BatchResult::new(items, decision.unwrap_or(CompletionReason::AllCompleted))
}

/// One item, nested (a child context of its own) or flat (a virtual context).
fn item<'a, T: Serialize + DeserializeOwned + Send + 'a>(
    scope: &DurableContext,
    kind: BatchKind,
    name: Option<String>,
    body: ItemBody<'a, T>,
    options: &BatchOptions<T>,
) -> BoxFuture<'a, Result<T, ErrorObject>> {
    let minted = scope.mint();
    match options.nesting {
        Nesting::Nested => {
            let mut child = scope
                .child_context(minted, body, kind.item_sub_type(), kind.item_what())
                .serdes_arc(options.item_serdes.clone());
            if let Some(name) = name {
                child = child.name(name);
            }
            Box::pin(async move { child.await.map_err(|e| e.error_object().clone()) })
        }
        Nesting::Flat => {
            let context = scope.virtual_child(minted);
            Box::pin(async move {
                guarded(|| body(context))
                    .await
                    .map_err(|e| ErrorObject::from_error(&*e))
            })
        }
    }
}

/// What a batch too large to record keeps in its history: the counts and the reason.
fn summary<T>(batch: &BatchResult<T>) -> String {
    serde_json::json!({
        "completionReason": batch.completion_reason().as_str(),
        "totalCount": batch.total_count(),
        "successCount": batch.success_count(),
        "failureCount": batch.failure_count(),
    })
    .to_string()
}
