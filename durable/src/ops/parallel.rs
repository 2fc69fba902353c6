//! `ctx.parallel(branches)`: several blocks of code run concurrently, recorded as one batch
//! (CONTEXT / `Parallel`, a branch per `ParallelBranch` child context). See [`super::batch`]
//! for how branches run, count and replay.

use std::future::{Future, IntoFuture};
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::batch::{
    Batch, BatchKind, BatchOptions, BatchResult, CompletionConfig, ItemBody, Nesting,
};
use crate::backend::BoxFuture;
use crate::context::{DurableContext, Minted};
use crate::error::{BoxError, DurableError};
use crate::serdes::Serdes;

/// One branch of a [`parallel`](DurableContext::parallel): a block of code with an optional
/// name, run in a child context of its own.
///
/// Branches of one parallel return one type; branches that return different things can return
/// a `serde_json::Value` or an enum.
pub struct Branch<'a, T> {
    name: Option<String>,
    body: ItemBody<'a, T>,
}

impl<T> std::fmt::Debug for Branch<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Branch")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<'a, T> Branch<'a, T> {
    /// A branch running `body` in its child context.
    pub fn new<F, Fut>(body: F) -> Self
    where
        F: FnOnce(DurableContext) -> Fut + Send + 'a,
        Fut: Future<Output = Result<T, BoxError>> + Send + 'a,
    {
        Branch {
            name: None,
            body: Box::new(move |child| Box::pin(body(child))),
        }
    }

    /// A branch whose child context has this name (shown in the execution's history; with
    /// [`Nesting::Flat`] a branch has no context of its own, and no name).
    pub fn named<F, Fut>(name: impl Into<String>, body: F) -> Self
    where
        F: FnOnce(DurableContext) -> Fut + Send + 'a,
        Fut: Future<Output = Result<T, BoxError>> + Send + 'a,
    {
        Branch {
            name: Some(name.into()),
            ..Branch::new(body)
        }
    }
}

/// A parallel, from [`DurableContext::parallel`]. Await it to run it.
pub struct ParallelBuilder<'a, T> {
    ctx: DurableContext,
    minted: Minted,
    branches: Vec<Branch<'a, T>>,
    options: BatchOptions<T>,
}

impl<T> std::fmt::Debug for ParallelBuilder<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParallelBuilder")
            .field("name", &self.options.name)
            .field("branches", &self.branches)
            .field("max_concurrency", &self.options.max_concurrency)
            .field("completion", &self.options.completion)
            .field("nesting", &self.options.nesting)
            .finish_non_exhaustive()
    }
}

impl DurableContext {
    /// Runs the branches concurrently, each in a child context of its own, and returns every
    /// outcome in branch order as a [`BatchResult`].
    ///
    /// By default every branch starts at once and the first failure completes the batch; set
    /// [`max_concurrency`](ParallelBuilder::max_concurrency) and
    /// [`completion`](ParallelBuilder::completion) to change that. A branch that fails does
    /// not make the parallel fail: the result records it.
    ///
    /// ```no_run
    /// # async fn f(ctx: lambda_sdk_durable::DurableContext) -> Result<(), lambda_sdk_durable::BoxError> {
    /// use lambda_sdk_durable::Branch;
    ///
    /// let quotes = ctx
    ///     .parallel([
    ///         Branch::named("carrier-a", |child| async move {
    ///             Ok(child.step(|_| async { Ok(12.5) }).await?)
    ///         }),
    ///         Branch::named("carrier-b", |child| async move {
    ///             Ok(child.step(|_| async { Ok(11.0) }).await?)
    ///         }),
    ///     ])
    ///     .name("quotes")
    ///     .await?;
    /// let cheapest = quotes.results().into_iter().copied().fold(f64::MAX, f64::min);
    /// # let _ = cheapest; Ok(()) }
    /// ```
    pub fn parallel<'a, T>(
        &self,
        branches: impl IntoIterator<Item = Branch<'a, T>>,
    ) -> ParallelBuilder<'a, T>
    where
        T: Serialize + DeserializeOwned + Send + 'a,
    {
        ParallelBuilder {
            ctx: self.clone(),
            minted: self.mint(),
            branches: branches.into_iter().collect(),
            options: BatchOptions::default(),
        }
    }
}

impl<'a, T: Serialize + DeserializeOwned + Send + 'a> ParallelBuilder<'a, T> {
    /// Names the parallel (shown in the execution's history).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.options.name = Some(name.into());
        self
    }

    /// Runs at most this many branches at a time (at least 1; default: all at once). Branches
    /// start in order.
    pub fn max_concurrency(mut self, max: usize) -> Self {
        self.options.max_concurrency = Some(max);
        self
    }

    /// When the parallel completes before every branch ran (default: at the first failure).
    pub fn completion(mut self, config: CompletionConfig) -> Self {
        self.options.completion = config;
        self
    }

    /// Whether each branch gets a CONTEXT record of its own (default) or runs flat.
    pub fn nesting(mut self, nesting: Nesting) -> Self {
        self.options.nesting = nesting;
        self
    }

    /// How each branch's result is checkpointed (JSON, or the execution's default, unless set).
    pub fn item_serdes(mut self, serdes: impl Serdes<T> + 'static) -> Self {
        self.options.item_serdes = Some(Arc::new(serdes));
        self
    }

    /// How the whole [`BatchResult`] is checkpointed (JSON, or the execution's default, unless
    /// set).
    pub fn serdes(mut self, serdes: impl Serdes<BatchResult<T>> + 'static) -> Self {
        self.options.serdes = Some(Arc::new(serdes));
        self
    }
}

impl<'a, T: Serialize + DeserializeOwned + Send + 'a> IntoFuture for ParallelBuilder<'a, T> {
    type Output = Result<BatchResult<T>, DurableError>;
    type IntoFuture = BoxFuture<'a, Result<BatchResult<T>, DurableError>>;

    fn into_future(self) -> Self::IntoFuture {
        let batch = Batch {
            ctx: self.ctx,
            minted: self.minted,
            kind: BatchKind::Parallel,
            items: self
                .branches
                .into_iter()
                .map(|branch| (branch.name, branch.body))
                .collect(),
            options: self.options,
        };
        Box::pin(batch.run())
    }
}
