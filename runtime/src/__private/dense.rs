//! Dense (non-`@sparse`) lists and maps: a `null` element or map value that a server sends is
//! skipped, as Smithy requires of clients, instead of failing the whole response.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A dense map; `null` values are dropped, and a `null` map is empty.
///
/// # Errors
/// When the input is not a map of the value type.
pub fn map<'de, D, V>(deserializer: D) -> Result<HashMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    option_map(deserializer).map(Option::unwrap_or_default)
}

/// An optional dense map; `null` values are dropped and a `null` map is `None`.
///
/// # Errors
/// When the input is not a map of the value type.
pub fn option_map<'de, D, V>(deserializer: D) -> Result<Option<HashMap<String, V>>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    deserializer.deserialize_option(Nullable(Dense::<HashMap<String, V>>(PhantomData)))
}

/// A dense list; `null` elements are dropped, and a `null` list is empty.
///
/// # Errors
/// When the input is not a list of the element type.
pub fn list<'de, D, V>(deserializer: D) -> Result<Vec<V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    option_list(deserializer).map(Option::unwrap_or_default)
}

/// An optional dense list; `null` elements are dropped and a `null` list is `None`.
///
/// # Errors
/// When the input is not a list of the element type.
pub fn option_list<'de, D, V>(deserializer: D) -> Result<Option<Vec<V>>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    deserializer.deserialize_option(Nullable(Dense::<Vec<V>>(PhantomData)))
}

/// The most elements reserved up front from a size hint, whatever the input claims.
const MAX_RESERVED: usize = 1024;

/// Reads a list or map, skipping `null` elements or values as they come (no intermediate
/// collection of `Option`s, which for large elements doubled the copying).
struct Dense<C>(PhantomData<C>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for Dense<Vec<V>> {
    type Value = Vec<V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<V>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_RESERVED));
        while let Some(item) = seq.next_element::<Option<V>>()? {
            items.extend(item);
        }
        Ok(items)
    }
}

impl<'de, V: Deserialize<'de>> Visitor<'de> for Dense<HashMap<String, V>> {
    type Value = HashMap<String, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HashMap<String, V>, A::Error> {
        let mut entries = HashMap::with_capacity(map.size_hint().unwrap_or(0).min(MAX_RESERVED));
        while let Some((key, value)) = map.next_entry::<String, Option<V>>()? {
            if let Some(value) = value {
                entries.insert(key, value);
            }
        }
        Ok(entries)
    }
}

/// `null` as `None`; a list or map is read by the inner visitor (any other value is the inner
/// visitor's type error).
struct Nullable<T>(T);

impl<'de, V: Visitor<'de>> Visitor<'de> for Nullable<V> {
    type Value = Option<V::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self.0).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Shape {
        #[serde(default, deserialize_with = "map")]
        required: HashMap<String, Vec<i32>>,
        #[serde(default, deserialize_with = "option_list")]
        optional: Option<Vec<String>>,
    }

    #[test]
    fn nulls_are_skipped() {
        let s: Shape = serde_json::from_str(
            r#"{"required": {"a": [1], "b": null}, "optional": ["x", null, "y"]}"#,
        )
        .unwrap();
        assert_eq!(s.required, HashMap::from([("a".to_string(), vec![1])]));
        assert_eq!(s.optional, Some(vec!["x".to_string(), "y".to_string()]));
        let s: Shape = serde_json::from_str(r#"{"required": null, "optional": null}"#).unwrap();
        assert!(s.required.is_empty());
        assert_eq!(s.optional, None);
        assert!(serde_json::from_str::<Shape>(r#"{"required": {"a": "x"}}"#).is_err());
        assert!(serde_json::from_str::<Shape>(r#"{"required": [1]}"#).is_err());
        assert!(serde_json::from_str::<Shape>(r#"{"optional": {"a": "x"}}"#).is_err());
        assert!(serde_json::from_str::<Shape>(r#"{"optional": "x"}"#).is_err());
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Other {
        #[serde(default, deserialize_with = "list")]
        list: Vec<Vec<u8>>,
        #[serde(default, deserialize_with = "option_map")]
        map: Option<HashMap<String, bool>>,
    }

    #[test]
    fn lists_and_optional_maps() {
        let o: Other = serde_json::from_str(
            r#"{"list": [null, [1, 2], null, []], "map": {"t": true, "n": null}}"#,
        )
        .unwrap();
        assert_eq!(o.list, vec![vec![1, 2], vec![]]);
        assert_eq!(o.map, Some(HashMap::from([("t".to_string(), true)])));
        let o: Other = serde_json::from_str(r#"{"list": null, "map": null}"#).unwrap();
        assert_eq!(
            o,
            Other {
                list: vec![],
                map: None
            }
        );
        let o: Other = serde_json::from_str("{}").unwrap();
        assert_eq!(
            o,
            Other {
                list: vec![],
                map: None
            }
        );
        let o: Other = serde_json::from_str(r#"{"list": [], "map": {}}"#).unwrap();
        assert_eq!(o.map, Some(HashMap::new()));
        let err = serde_json::from_str::<Other>(r#"{"list": [[300]]}"#).unwrap_err();
        assert!(err.to_string().contains("u8"), "{err}");
    }
}
