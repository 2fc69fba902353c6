//! [`BoxFuture`], the boxed future of the crate's object-safe async traits
//! ([`ProvideCredentials`](crate::credentials::ProvideCredentials),
//! [`HttpConnector`](crate::http::HttpConnector)).

use std::future::Future;
use std::pin::Pin;

/// A boxed, `Send` future, the return type of
/// [`ProvideCredentials::provide_credentials`](crate::credentials::ProvideCredentials::provide_credentials)
/// and [`HttpConnector`](crate::http::HttpConnector)'s methods.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
