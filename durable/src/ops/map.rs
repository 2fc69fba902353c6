//! `ctx.map(items, f)`: `f` over every item, concurrently, recorded as one batch (CONTEXT /
//! `Map`, an item per `MapIteration` child context). See [`super::batch`] for how items run,
//! count and replay.

use std::future::{Future, IntoFuture};
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::batch::{Batch, BatchKind, BatchOptions, BatchResult, CompletionConfig, Nesting};
use crate::backend::BoxFuture;
use crate::context::{DurableContext, Minted};
use crate::error::{BoxError, DurableError};
use crate::serdes::Serdes;

type MapFn<'a, I, T> =
    Arc<dyn Fn(DurableContext, I, usize) -> BoxFuture<'a, Result<T, BoxError>> + Send + Sync + 'a>;
type Namer<'a, I> = Box<dyn Fn(&I, usize) -> String + Send + 'a>;

/// A map, from [`DurableContext::map`]. Await it to run it.
pub struct MapBuilder<'a, I, T> {
    ctx: DurableContext,
    minted: Minted,
    items: Vec<I>,
    f: MapFn<'a, I, T>,
    namer: Option<Namer<'a, I>>,
    options: BatchOptions<T>,
}

impl<I, T> std::fmt::Debug for MapBuilder<'_, I, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MapBuilder")
            .field("name", &self.options.name)
            .field("items", &self.items.len())
            .field("max_concurrency", &self.options.max_concurrency)
            .field("completion", &self.options.completion)
            .field("nesting", &self.options.nesting)
            .finish_non_exhaustive()
    }
}

impl DurableContext {
    /// Runs `f` over every item, concurrently, each item in a child context of its own (the
    /// `DurableContext` `f` gets), and returns every outcome in input order as a
    /// [`BatchResult`]. `f` also gets the item's index.
    ///
    /// By default every item starts at once and the first failure completes the batch; set
    /// [`max_concurrency`](MapBuilder::max_concurrency) and
    /// [`completion`](MapBuilder::completion) to change that. An item that fails does not make
    /// the map fail: the result records it.
    ///
    /// ```no_run
    /// # async fn f(ctx: lambda_sdk_durable::DurableContext) -> Result<(), lambda_sdk_durable::BoxError> {
    /// let orders = vec!["o-1".to_string(), "o-2".to_string()];
    /// let shipped = ctx
    ///     .map(orders, |child, order: String, _index| async move {
    ///         Ok(child.step(|_| async move { Ok(format!("shipped {order}")) }).await?)
    ///     })
    ///     .name("ship")
    ///     .max_concurrency(10)
    ///     .await?;
    /// let labels: Vec<String> = shipped.try_into_results()?;
    /// # let _ = labels; Ok(()) }
    /// ```
    pub fn map<'a, I, T, F, Fut>(
        &self,
        items: impl IntoIterator<Item = I>,
        f: F,
    ) -> MapBuilder<'a, I, T>
    where
        I: Send + 'a,
        T: Serialize + DeserializeOwned + Send + 'a,
        F: Fn(DurableContext, I, usize) -> Fut + Send + Sync + 'a,
        Fut: Future<Output = Result<T, BoxError>> + Send + 'a,
    {
        MapBuilder {
            ctx: self.clone(),
            minted: self.mint(),
            items: items.into_iter().collect(),
            f: Arc::new(move |child, item, index| Box::pin(f(child, item, index))),
            namer: None,
            options: BatchOptions::default(),
        }
    }
}

impl<'a, I: Send + 'a, T: Serialize + DeserializeOwned + Send + 'a> MapBuilder<'a, I, T> {
    /// Names the map (shown in the execution's history).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.options.name = Some(name.into());
        self
    }

    /// Runs at most this many items at a time (at least 1; default: all at once). Items start in
    /// input order.
    pub fn max_concurrency(mut self, max: usize) -> Self {
        self.options.max_concurrency = Some(max);
        self
    }

    /// When the map completes before every item ran (default: at the first failure).
    pub fn completion(mut self, config: CompletionConfig) -> Self {
        self.options.completion = config;
        self
    }

    /// Whether each item gets a CONTEXT record of its own (default) or runs flat.
    pub fn nesting(mut self, nesting: Nesting) -> Self {
        self.options.nesting = nesting;
        self
    }

    /// Names each item's child context (shown in the history) from the item and its index.
    /// With [`Nesting::Flat`] items have no context of their own, and no name.
    pub fn item_namer(mut self, namer: impl Fn(&I, usize) -> String + Send + 'a) -> Self {
        self.namer = Some(Box::new(namer));
        self
    }

    /// How each item's result is checkpointed (JSON, or the execution's default, unless set).
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

    fn into_batch(self) -> Batch<'a, T> {
        let MapBuilder {
            ctx,
            minted,
            items,
            f,
            namer,
            options,
        } = self;
        let items = items
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                let name = namer.as_ref().map(|namer| namer(&item, index));
                let f = Arc::clone(&f);
                let body: super::batch::ItemBody<'a, T> =
                    Box::new(move |child| f(child, item, index));
                (name, body)
            })
            .collect();
        Batch {
            ctx,
            minted,
            kind: BatchKind::Map,
            items,
            options,
        }
    }
}

impl<'a, I: Send + 'a, T: Serialize + DeserializeOwned + Send + 'a> IntoFuture
    for MapBuilder<'a, I, T>
{
    type Output = Result<BatchResult<T>, DurableError>;
    type IntoFuture = BoxFuture<'a, Result<BatchResult<T>, DurableError>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.into_batch().run())
    }
}
