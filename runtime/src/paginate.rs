//! Paginators: one request per page, each carrying the previous page's token.
//!
//! A generated crate describes each `@paginated` operation once, with a type that implements
//! [`Pages`] (and [`PagesWithItems`] when the model names the list member that holds the
//! items). [`Paginator`] and [`ItemPaginator`] do the rest: they stop after the last page,
//! after an error, and when the service repeats a token (which would otherwise loop forever).
//! With the `stream` cargo feature both also implement `futures_core::Stream`.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::{Error, OperationError};

/// The future of one page request.
pub type PageFuture<O, E> = Pin<Box<dyn Future<Output = Result<O, Error<E>>> + Send>>;

/// What polling a paginator gives: the next page or item, an error, or the end.
type Next<T, E> = Poll<Option<Result<T, Error<E>>>>;

/// The paging facts of one operation. Generated crates implement it; users name the paginator
/// types that use it (`{Op}Paginator`).
pub trait Pages: 'static {
    /// The client that sends the requests.
    type Client: Clone + Send + Sync + Unpin + 'static;
    /// The operation's request.
    type Input: Clone + Send + Sync + Unpin + 'static;
    /// The operation's response: one page.
    type Output: Send + 'static;
    /// The operation's error.
    type Error: OperationError;

    /// Sends one request.
    fn fetch(client: &Self::Client, input: Self::Input) -> PageFuture<Self::Output, Self::Error>;
    /// The token a request carries (`None` for the first page).
    fn token(input: &Self::Input) -> Option<&str>;
    /// Sets the token of the next request.
    fn set_token(input: &mut Self::Input, token: String);
    /// The next page's token, from a response.
    fn next_token(output: &Self::Output) -> Option<String>;
}

/// An operation whose pages hold a list of items (the `items` of its `@paginated` trait).
pub trait PagesWithItems: Pages {
    /// One item.
    type Item: Send + Unpin + 'static;
    /// Takes a page's items out of it.
    fn items(output: Self::Output) -> Vec<Self::Item>;
}

/// The pagination rule every paginator follows: the token to request the next page with, or
/// `None` when the pages are over: no token, an empty one, or the token just sent again.
pub(crate) fn next_page_token(sent: Option<&str>, next: Option<String>) -> Option<String> {
    next.filter(|token| !token.is_empty() && sent != Some(token.as_str()))
}

/// Pages through an operation: each [`next`](Paginator::next) sends one request with the
/// previous page's token. It stops after the last page, after an error, and when the service
/// repeats a token.
pub struct Paginator<S: Pages> {
    client: S::Client,
    input: S::Input,
    in_flight: Option<PageFuture<S::Output, S::Error>>,
    done: bool,
}

impl<S: Pages> fmt::Debug for Paginator<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("token", &S::token(&self.input))
            .field("in_flight", &self.in_flight.is_some())
            .field("done", &self.done)
            .finish()
    }
}

impl<S: Pages> Paginator<S> {
    /// A paginator that starts with `input` (its token, if set, is the first page's).
    pub fn new(client: S::Client, input: S::Input) -> Self {
        Paginator {
            client,
            input,
            in_flight: None,
            done: false,
        }
    }

    /// Fetches the next page; `None` once the pages are over.
    pub async fn next(&mut self) -> Option<Result<S::Output, Error<S::Error>>> {
        std::future::poll_fn(|cx| self.poll_page(cx)).await
    }

    /// Fetches every remaining page.
    ///
    /// # Errors
    /// The first page's error; the pages before it are dropped.
    pub async fn try_collect(mut self) -> Result<Vec<S::Output>, Error<S::Error>> {
        let mut pages = Vec::new();
        while let Some(page) = self.next().await {
            pages.push(page?);
        }
        Ok(pages)
    }

    fn poll_page(&mut self, cx: &mut Context<'_>) -> Next<S::Output, S::Error> {
        let in_flight = match &mut self.in_flight {
            Some(future) => future,
            None if self.done => return Poll::Ready(None),
            None => self
                .in_flight
                .insert(S::fetch(&self.client, self.input.clone())),
        };
        let result = match in_flight.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        self.in_flight = None;
        match &result {
            Ok(page) => match next_page_token(S::token(&self.input), S::next_token(page)) {
                Some(token) => S::set_token(&mut self.input, token),
                None => self.done = true,
            },
            Err(_) => self.done = true,
        }
        Poll::Ready(Some(result))
    }
}

impl<S: PagesWithItems> Paginator<S> {
    /// The items of every page, one at a time, fetching pages as needed.
    pub fn items(self) -> ItemPaginator<S> {
        ItemPaginator {
            pages: self,
            buffer: VecDeque::new(),
        }
    }
}

#[cfg(feature = "stream")]
impl<S: Pages> futures_core::Stream for Paginator<S> {
    type Item = Result<S::Output, Error<S::Error>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_page(cx)
    }
}

/// The items of every page of an operation, one at a time (from [`Paginator::items`]). An
/// error ends it, after the items of the pages before.
pub struct ItemPaginator<S: PagesWithItems> {
    pages: Paginator<S>,
    buffer: VecDeque<S::Item>,
}

impl<S: PagesWithItems> fmt::Debug for ItemPaginator<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemPaginator")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

impl<S: PagesWithItems> ItemPaginator<S> {
    /// The next item; `None` once the pages are over.
    pub async fn next(&mut self) -> Option<Result<S::Item, Error<S::Error>>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// Every remaining item.
    ///
    /// # Errors
    /// The first page's error; the items before it are dropped.
    pub async fn try_collect(mut self) -> Result<Vec<S::Item>, Error<S::Error>> {
        let mut items = Vec::new();
        while let Some(item) = self.next().await {
            items.push(item?);
        }
        Ok(items)
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Next<S::Item, S::Error> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match self.pages.poll_page(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => self.buffer.extend(S::items(page)),
            }
        }
    }
}

#[cfg(feature = "stream")]
impl<S: PagesWithItems> futures_core::Stream for ItemPaginator<S> {
    type Item = Result<S::Item, Error<S::Error>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorMetadata, ModeledError, Unhandled};
    use std::sync::{Arc, Mutex};

    #[test]
    fn pagination_stops_on_missing_empty_or_repeated_tokens() {
        assert_eq!(next_page_token(None, Some("a".into())), Some("a".into()));
        assert_eq!(
            next_page_token(Some("a"), Some("b".into())),
            Some("b".into())
        );
        assert_eq!(next_page_token(Some("a"), Some("a".into())), None);
        assert_eq!(next_page_token(Some("a"), Some(String::new())), None);
        assert_eq!(next_page_token(Some("a"), None), None);
    }

    /// What one request answers: the page's items and next token, or an error code.
    type Scripted = Result<(Vec<u32>, Option<&'static str>), &'static str>;

    /// A fake service: the `n`th request answers the script's `n`th entry.
    #[derive(Clone, Default)]
    struct Fake {
        script: Arc<Vec<Scripted>>,
        sent: Arc<Mutex<Vec<Option<String>>>>,
    }

    #[derive(Clone, Default)]
    struct Req {
        token: Option<String>,
    }

    struct Page {
        items: Vec<u32>,
        next: Option<&'static str>,
    }

    #[derive(Debug)]
    struct Failure(Unhandled);

    impl fmt::Display for Failure {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt::Display::fmt(&self.0, f)
        }
    }

    impl std::error::Error for Failure {}

    impl OperationError for Failure {
        fn code(&self) -> &str {
            self.0.code()
        }
        fn message(&self) -> Option<&str> {
            self.0.message()
        }
        fn modeled(&self) -> Option<ModeledError> {
            None
        }
    }

    struct Spec;

    impl Pages for Spec {
        type Client = Fake;
        type Input = Req;
        type Output = Page;
        type Error = Failure;

        fn fetch(client: &Fake, input: Req) -> PageFuture<Page, Failure> {
            let client = client.clone();
            Box::pin(async move {
                let mut sent = client.sent.lock().unwrap();
                let n = sent.len();
                sent.push(input.token);
                match client.script[n] {
                    Ok((ref items, next)) => Ok(Page {
                        items: items.clone(),
                        next,
                    }),
                    Err(code) => Err(Error::service(
                        Failure(Unhandled::new(ErrorMetadata::new(
                            500,
                            Some(code.into()),
                            None,
                            None,
                        ))),
                        ErrorMetadata::new(500, Some(code.into()), None, None),
                    )),
                }
            })
        }
        fn token(input: &Req) -> Option<&str> {
            input.token.as_deref()
        }
        fn set_token(input: &mut Req, token: String) {
            input.token = Some(token);
        }
        fn next_token(output: &Page) -> Option<String> {
            output.next.map(String::from)
        }
    }

    impl PagesWithItems for Spec {
        type Item = u32;
        fn items(output: Page) -> Vec<u32> {
            output.items
        }
    }

    fn fake(script: Vec<Scripted>) -> Fake {
        Fake {
            script: Arc::new(script),
            sent: Arc::default(),
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn pages_follow_tokens_and_items_flatten_them() {
        let client = fake(vec![
            Ok((vec![1, 2], Some("a"))),
            Ok((vec![], Some("b"))),
            Ok((vec![3], None)),
        ]);
        let items = block_on(
            Paginator::<Spec>::new(client.clone(), Req::default())
                .items()
                .try_collect(),
        )
        .unwrap();
        assert_eq!(items, [1, 2, 3]);
        assert_eq!(
            *client.sent.lock().unwrap(),
            [None, Some("a".to_string()), Some("b".to_string())]
        );
    }

    #[test]
    fn a_repeated_token_ends_the_pages() {
        let client = fake(vec![Ok((vec![1], Some("a"))), Ok((vec![2], Some("a")))]);
        let pages =
            block_on(Paginator::<Spec>::new(client.clone(), Req::default()).try_collect()).unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(client.sent.lock().unwrap().len(), 2);
    }

    #[test]
    fn an_error_ends_the_items_after_the_earlier_pages() {
        let client = fake(vec![Ok((vec![1, 2], Some("a"))), Err("Boom")]);
        let mut items = Paginator::<Spec>::new(client, Req::default()).items();
        block_on(async {
            assert_eq!(items.next().await.unwrap().unwrap(), 1);
            assert_eq!(items.next().await.unwrap().unwrap(), 2);
            let err = items.next().await.unwrap().unwrap_err();
            assert_eq!(err.code(), Some("Boom"));
            assert!(items.next().await.is_none());
        });
    }

    #[cfg(feature = "stream")]
    #[test]
    fn paginators_are_streams() {
        fn next<S: futures_core::Stream + Unpin>(
            stream: &mut S,
        ) -> impl Future<Output = Option<S::Item>> + '_ {
            std::future::poll_fn(move |cx| Pin::new(&mut *stream).poll_next(cx))
        }
        let client = fake(vec![Ok((vec![1], Some("a"))), Ok((vec![2, 3], None))]);
        let mut pages = Paginator::<Spec>::new(client.clone(), Req::default());
        let mut items = Paginator::<Spec>::new(
            fake(vec![Ok((vec![1], Some("a"))), Ok((vec![2, 3], None))]),
            Req::default(),
        )
        .items();
        block_on(async {
            assert_eq!(next(&mut pages).await.unwrap().unwrap().items, [1]);
            assert_eq!(next(&mut pages).await.unwrap().unwrap().items, [2, 3]);
            assert!(next(&mut pages).await.is_none());
            let mut seen = Vec::new();
            while let Some(item) = next(&mut items).await {
                seen.push(item.unwrap());
            }
            assert_eq!(seen, [1, 2, 3]);
        });
    }
}
