//! Support for generated code. Not a stable API: items here may change in
//! any release without notice.
//!
//! Generated code depends only on this crate, so the serde crates are
//! re-exported for its derives:
//!
//! ```
//! use lambda_sdk_runtime::DateTime;
//!
//! #[derive(::lambda_sdk_runtime::__private::serde::Serialize,
//!          ::lambda_sdk_runtime::__private::serde::Deserialize, Debug, PartialEq)]
//! #[serde(crate = "::lambda_sdk_runtime::__private::serde")]
//! struct Example {
//!     #[serde(default, deserialize_with = "::lambda_sdk_runtime::__private::null_as_default")]
//!     count: i32,
//!     #[serde(with = "::lambda_sdk_runtime::__private::timestamp::date_time")]
//!     at: DateTime,
//!     #[serde(
//!         default,
//!         skip_serializing_if = "Option::is_none",
//!         with = "::lambda_sdk_runtime::__private::float::f64::option"
//!     )]
//!     ratio: Option<f64>,
//! }
//!
//! let json = r#"{"count":null,"at":"2019-12-16T23:48:18Z","ratio":"NaN"}"#;
//! let value: Example = lambda_sdk_runtime::__private::serde_json::from_str(json)?;
//! assert_eq!(value.count, 0);
//! assert_eq!(value.at, DateTime::from_secs(1_576_540_098));
//! assert!(value.ratio.is_some_and(f64::is_nan));
//! # Ok::<(), lambda_sdk_runtime::__private::serde_json::Error>(())
//! ```

mod codec;
pub mod dense;
pub mod float;
pub mod timestamp;
pub mod union;

pub use serde;
pub use serde_json;

pub use crate::client::{Handle, HttpResponse, ResponseHead, ServiceSpec};
pub use crate::error::ErrorParts;

/// The restJson1 protocol: path labels, query strings, headers, payloads and JSON bodies out;
/// status, headers, bodies and error codes back. Generated serializers and deserializers call
/// it; it is not a stable API.
pub mod rest_json {
    pub use crate::rest_json::*;
}

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// `skip_serializing_if` for a field holding `&Option<T>` (generated request bodies).
pub fn is_none<T>(value: &&Option<T>) -> bool {
    value.is_none()
}

/// Deserializes a `T`, turning an explicit `null` into `T::default()`.
///
/// Smithy client error correction for required members: use with
/// `#[serde(default, deserialize_with = "…::null_as_default")]` so that both
/// a missing member and a `null` yield the default value.
///
/// # Errors
///
/// Whatever `T`'s own deserialization reports for non-null input.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// What a required structure member reads as when the service omits it: the structure read
/// from an empty JSON object, so the `@default`s of its own members apply (exactly as they do
/// when the service sends `{}`); `T::default()` if even that fails.
///
/// Use with `#[serde(default = "…::empty_structure", deserialize_with =
/// "…::null_as_empty_structure")]`.
pub fn empty_structure<T: DeserializeOwned + Default>() -> T {
    // From bytes, like every response body: no extra copy of `T`'s deserialization code.
    serde_json::from_slice(b"{}").unwrap_or_default()
}

/// Deserializes a structure, turning an explicit `null` into [`empty_structure`].
///
/// # Errors
///
/// Whatever `T`'s own deserialization reports for non-null input.
pub fn null_as_empty_structure<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    Option::<T>::deserialize(deserializer).map(|value| value.unwrap_or_else(empty_structure))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Required {
        #[serde(default, deserialize_with = "null_as_default")]
        name: String,
        #[serde(default, deserialize_with = "null_as_default")]
        items: Vec<i32>,
        #[serde(default, deserialize_with = "null_as_default")]
        flag: bool,
    }

    #[test]
    fn null_and_missing_become_default() {
        let empty = Required {
            name: String::new(),
            items: Vec::new(),
            flag: false,
        };
        let parsed: Required = serde_json::from_str(r#"{"name":null,"items":null}"#).unwrap();
        assert_eq!(parsed, empty);
        let parsed: Required = serde_json::from_str("{}").unwrap();
        assert_eq!(parsed, empty);
        let parsed: Required =
            serde_json::from_str(r#"{"name":"a","items":[1],"flag":true}"#).unwrap();
        assert_eq!(
            parsed,
            Required {
                name: "a".into(),
                items: vec![1],
                flag: true
            }
        );
        assert!(serde_json::from_str::<Required>(r#"{"name":1}"#).is_err());
    }

    #[derive(serde::Deserialize, Debug, Default, PartialEq)]
    struct Inner {
        #[serde(default = "one")]
        attempt: Option<i32>,
    }

    fn one() -> Option<i32> {
        Some(1)
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Outer {
        #[serde(
            default = "empty_structure",
            deserialize_with = "null_as_empty_structure"
        )]
        inner: Inner,
    }

    #[test]
    fn a_missing_or_null_required_structure_reads_as_an_empty_one() {
        // Not `Inner::default()` (whose `attempt` is `None`): what `{}` reads as.
        let read_from_empty: Inner = serde_json::from_str("{}").unwrap();
        assert_eq!(read_from_empty, Inner { attempt: Some(1) });
        for json in ["{}", r#"{"inner":null}"#, r#"{"inner":{}}"#] {
            let outer: Outer = serde_json::from_str(json).unwrap();
            assert_eq!(outer.inner, read_from_empty, "{json}");
        }
        let outer: Outer = serde_json::from_str(r#"{"inner":{"attempt":5}}"#).unwrap();
        assert_eq!(outer.inner.attempt, Some(5));
        assert!(serde_json::from_str::<Outer>(r#"{"inner":1}"#).is_err());
    }
}
