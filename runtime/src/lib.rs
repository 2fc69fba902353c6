//! Hand-written runtime for the generated Lambda SDK.
//!
//! The generated crate is produced from a Smithy model (restJson1 protocol)
//! and depends on this crate alone. This crate knows nothing about Lambda:
//! it holds the protocol-level building blocks any restJson1 client needs.
//!
//! - [`primitives`]: [`DateTime`] (Smithy `timestamp`, with the
//!   `date-time`, `http-date` and `epoch-seconds` formats of
//!   [`DateTimeFormat`]) and [`Blob`] (Smithy `blob`, base64 in JSON).
//! - `__private` (hidden): re-exports of `serde` / `serde_json` and the
//!   `#[serde(with = "…")]` helpers used by generated code. Not a stable API.
//!
//! ```
//! use lambda_sdk_runtime::{Blob, DateTime, DateTimeFormat};
//!
//! let modified = DateTime::from_str("2019-12-16T23:48:18Z", DateTimeFormat::DateTime)?;
//! assert_eq!(modified.secs(), 1_576_540_098);
//! assert_eq!(modified.fmt(DateTimeFormat::HttpDate), "Mon, 16 Dec 2019 23:48:18 GMT");
//!
//! let zip = Blob::new(vec![0x50, 0x4b, 0x03, 0x04]);
//! assert_eq!(zip.len(), 4);
//! # Ok::<(), lambda_sdk_runtime::DateTimeParseError>(())
//! ```

#![forbid(unsafe_code)]

mod base64;
mod build_error;
pub mod client;
pub mod config;
pub mod credentials;
pub mod endpoint;
pub mod endpoint_rules;
pub mod env;
pub mod error;
pub mod event_stream;
pub mod http;
mod json_path;
mod md5;
pub mod partitions;
pub mod primitives;
pub mod profile;
pub mod rest_json;
pub mod retry;
pub mod sign;
pub mod stream;

pub use build_error::BuildError;
pub use primitives::{Blob, DateTime, DateTimeFormat, DateTimeParseError};

/// A Smithy `document`: any JSON value.
pub type Document = serde_json::Value;

#[doc(hidden)]
pub mod __private;
