//! How values become checkpoint payloads and back: JSON by default, a [`Serdes`] per operation,
//! or an execution-wide default ([`AnySerdes`], set with
//! [`RunOptions::serdes`](crate::RunOptions::serdes)).
//!
//! A payload is a string, or absent (`None`): a callback completed without a result has none.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::BoxError;

/// Where a payload belongs, for serializers that need to know (a key in an external store, say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SerdesContext {
    /// The operation's id.
    pub operation_id: String,
    /// The execution's ARN.
    pub durable_execution_arn: String,
}

/// Turns the values of one type into payloads and back. Set per operation with `.serdes(..)`.
///
/// ```
/// use lambda_sdk_durable::{BoxError, Serdes, SerdesContext};
///
/// /// Stores strings upper-cased and as they are (no JSON quotes).
/// struct Shout;
///
/// impl Serdes<String> for Shout {
///     fn serialize(&self, value: &String, _: &SerdesContext) -> Result<Option<String>, BoxError> {
///         Ok(Some(value.to_uppercase()))
///     }
///     fn deserialize(&self, payload: Option<&str>, _: &SerdesContext) -> Result<String, BoxError> {
///         Ok(payload.unwrap_or_default().to_string())
///     }
/// }
/// ```
pub trait Serdes<T>: Send + Sync {
    /// The payload of `value`.
    ///
    /// # Errors
    /// When the value cannot be represented; the operation then fails with
    /// [`ErrorKind::Serialization`](crate::ErrorKind::Serialization).
    fn serialize(&self, value: &T, cx: &SerdesContext) -> Result<Option<String>, BoxError>;

    /// The value of a payload.
    ///
    /// # Errors
    /// When the payload cannot be read; the operation then fails with
    /// [`ErrorKind::Deserialization`](crate::ErrorKind::Deserialization).
    fn deserialize(&self, payload: Option<&str>, cx: &SerdesContext) -> Result<T, BoxError>;
}

/// A serdes for every type, through `serde_json::Value`: what an execution-wide default must be,
/// since it serves operations of every type.
pub trait AnySerdes: Send + Sync {
    /// The payload of a value.
    ///
    /// # Errors
    /// When the value cannot be represented.
    fn serialize_value(
        &self,
        value: serde_json::Value,
        cx: &SerdesContext,
    ) -> Result<Option<String>, BoxError>;

    /// The value of a payload.
    ///
    /// # Errors
    /// When the payload cannot be read.
    fn deserialize_value(
        &self,
        payload: Option<&str>,
        cx: &SerdesContext,
    ) -> Result<serde_json::Value, BoxError>;
}

/// JSON, the default: `serde_json` both ways; an absent payload reads as `null`.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonSerdes;

impl<T: Serialize + DeserializeOwned> Serdes<T> for JsonSerdes {
    fn serialize(&self, value: &T, _: &SerdesContext) -> Result<Option<String>, BoxError> {
        Ok(Some(serde_json::to_string(value)?))
    }

    fn deserialize(&self, payload: Option<&str>, _: &SerdesContext) -> Result<T, BoxError> {
        Ok(serde_json::from_str(payload.unwrap_or("null"))?)
    }
}

impl AnySerdes for JsonSerdes {
    fn serialize_value(
        &self,
        value: serde_json::Value,
        _: &SerdesContext,
    ) -> Result<Option<String>, BoxError> {
        Ok(Some(serde_json::to_string(&value)?))
    }

    fn deserialize_value(
        &self,
        payload: Option<&str>,
        _: &SerdesContext,
    ) -> Result<serde_json::Value, BoxError> {
        Ok(serde_json::from_str(payload.unwrap_or("null"))?)
    }
}

impl<T, S: Serdes<T> + ?Sized> Serdes<T> for Arc<S> {
    fn serialize(&self, value: &T, cx: &SerdesContext) -> Result<Option<String>, BoxError> {
        (**self).serialize(value, cx)
    }

    fn deserialize(&self, payload: Option<&str>, cx: &SerdesContext) -> Result<T, BoxError> {
        (**self).deserialize(payload, cx)
    }
}

/// The serdes an operation uses: its own, else the execution's default, else JSON.
pub(crate) enum Chosen<'a, T> {
    Own(&'a dyn Serdes<T>),
    Default(&'a dyn AnySerdes),
    Json,
}

impl<T> Chosen<'_, T> {
    pub fn serialize(&self, value: &T, cx: &SerdesContext) -> Result<Option<String>, BoxError>
    where
        T: Serialize,
    {
        match self {
            Chosen::Own(s) => s.serialize(value, cx),
            Chosen::Default(s) => s.serialize_value(serde_json::to_value(value)?, cx),
            Chosen::Json => Ok(Some(serde_json::to_string(value)?)),
        }
    }

    pub fn deserialize(&self, payload: Option<&str>, cx: &SerdesContext) -> Result<T, BoxError>
    where
        T: DeserializeOwned,
    {
        match self {
            Chosen::Own(s) => s.deserialize(payload, cx),
            Chosen::Default(s) => Ok(serde_json::from_value(s.deserialize_value(payload, cx)?)?),
            Chosen::Json => Ok(serde_json::from_str(payload.unwrap_or("null"))?),
        }
    }
}

/// An operation's own serdes, if `.serdes(..)` set one.
pub(crate) type OwnSerdes<T> = Option<Arc<dyn Serdes<T>>>;

/// Picks the serdes: the operation's, else the execution's default, else JSON.
pub(crate) fn choose<'a, T>(
    own: &'a OwnSerdes<T>,
    default: Option<&'a Arc<dyn AnySerdes>>,
) -> Chosen<'a, T> {
    match (own, default) {
        (Some(own), _) => Chosen::Own(&**own),
        (None, Some(default)) => Chosen::Default(&**default),
        (None, None) => Chosen::Json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> SerdesContext {
        SerdesContext {
            operation_id: "op".into(),
            durable_execution_arn: "arn".into(),
        }
    }

    #[test]
    fn json_round_trips_and_reads_absent_as_null() {
        let s = Serdes::<Vec<u32>>::serialize(&JsonSerdes, &vec![1, 2], &cx()).unwrap();
        assert_eq!(s.as_deref(), Some("[1,2]"));
        let v: Option<u32> = Serdes::deserialize(&JsonSerdes, None, &cx()).unwrap();
        assert_eq!(v, None);
        let err = Serdes::<u32>::deserialize(&JsonSerdes, Some("\"x\""), &cx()).unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
    }

    /// A default serdes of the execution wraps every value; an operation's own wins over it.
    #[test]
    fn own_then_default_then_json() {
        struct Wrapped;
        impl AnySerdes for Wrapped {
            fn serialize_value(
                &self,
                value: serde_json::Value,
                _: &SerdesContext,
            ) -> Result<Option<String>, BoxError> {
                Ok(Some(serde_json::json!({ "v": value }).to_string()))
            }
            fn deserialize_value(
                &self,
                payload: Option<&str>,
                _: &SerdesContext,
            ) -> Result<serde_json::Value, BoxError> {
                let v: serde_json::Value = serde_json::from_str(payload.unwrap_or("null"))?;
                Ok(v["v"].clone())
            }
        }
        let default: Arc<dyn AnySerdes> = Arc::new(Wrapped);
        let none: OwnSerdes<u32> = None;
        let chosen = choose(&none, Some(&default));
        let payload = chosen.serialize(&7, &cx()).unwrap();
        assert_eq!(payload.as_deref(), Some("{\"v\":7}"));
        assert_eq!(chosen.deserialize(payload.as_deref(), &cx()).unwrap(), 7);
        let own: OwnSerdes<u32> = Some(Arc::new(JsonSerdes));
        assert_eq!(
            choose(&own, Some(&default))
                .serialize(&7, &cx())
                .unwrap()
                .as_deref(),
            Some("7")
        );
    }
}
