//! Dense (non-`@sparse`) lists and maps: a `null` element or map value that a server sends is
//! skipped, as Smithy requires of clients, instead of failing the whole response.

use std::collections::HashMap;

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
    let entries =
        Option::<HashMap<String, Option<V>>>::deserialize(deserializer)?.unwrap_or_default();
    Ok(entries
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect())
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
    let entries = Option::<HashMap<String, Option<V>>>::deserialize(deserializer)?;
    Ok(entries.map(|e| {
        e.into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect()
    }))
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
    let items = Option::<Vec<Option<V>>>::deserialize(deserializer)?.unwrap_or_default();
    Ok(items.into_iter().flatten().collect())
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
    let items = Option::<Vec<Option<V>>>::deserialize(deserializer)?;
    Ok(items.map(|i| i.into_iter().flatten().collect()))
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
    }
}
