//! Serde support for generated unions.
//!
//! A restJson1 union is a JSON object with exactly one member set. Members whose value is
//! `null` do not count (a server may send them), and neither does a `__type` key.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

/// Reads a union object and returns its one set member's key and value.
///
/// # Errors
/// When the input is not an object, or when no member or more than one member is set.
pub fn single_member<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<(String, Value), D::Error> {
    let object = Map::<String, Value>::deserialize(deserializer)?;
    let mut set = object
        .into_iter()
        .filter(|(key, value)| !value.is_null() && key != "__type");
    match (set.next(), set.next()) {
        (Some(member), None) => Ok(member),
        (None, _) => Err(D::Error::custom(
            "a union must have exactly one member set, found none",
        )),
        (Some((first, _)), Some((second, _))) => Err(D::Error::custom(format!(
            "a union must have exactly one member set, found `{first}` and `{second}`"
        ))),
    }
}

/// Converts a union member's JSON value to its type, with the caller's error type.
///
/// # Errors
/// When the value does not have the member's shape.
pub fn from_value<T: DeserializeOwned, E: serde::de::Error>(value: Value) -> Result<T, E> {
    serde_json::from_value(value).map_err(E::custom)
}

/// The error for serializing a union's `Unknown` variant, which has no wire form.
pub fn unknown_variant<E: serde::ser::Error>() -> E {
    E::custom("cannot serialize the `Unknown` variant of a union: it holds no value to send")
}

/// The value of a unit union member: an empty JSON object.
#[derive(Clone, Copy, Debug, Default)]
pub struct Empty {}

impl Serialize for Empty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_map(Some(0))?.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<(String, Value), serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(json);
        single_member(&mut de)
    }

    #[test]
    fn exactly_one_member() {
        assert_eq!(
            read(r#"{"a": 1}"#).unwrap(),
            ("a".to_string(), Value::from(1))
        );
        assert_eq!(
            read(r#"{"a": null, "__type": "x", "b": "v"}"#).unwrap().0,
            "b"
        );
        let none = read(r#"{"a": null}"#).unwrap_err().to_string();
        assert!(none.contains("found none"), "{none}");
        let two = read(r#"{"a": 1, "b": 2}"#).unwrap_err().to_string();
        assert!(two.contains("`a` and `b`"), "{two}");
        assert!(read("[1]").is_err());
        let err: serde_json::Error = unknown_variant();
        assert!(err.to_string().contains("Unknown"));
        assert_eq!(serde_json::to_string(&Empty {}).unwrap(), "{}");
        let n: Result<i32, serde_json::Error> = from_value(Value::from("x"));
        assert!(n.is_err());
    }
}
