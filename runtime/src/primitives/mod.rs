//! The Smithy simple types that have no exact Rust standard-library
//! counterpart: [`DateTime`] for `timestamp` and [`Blob`] for `blob`.

mod blob;
mod date_time;

pub use blob::Blob;
pub use date_time::{DateTime, DateTimeFormat, DateTimeParseError};

pub(crate) use date_time::{deserialize_epoch_seconds, serialize_epoch_seconds};
