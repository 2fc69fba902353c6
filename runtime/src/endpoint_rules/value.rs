//! Values the rules engine computes with.

use std::collections::BTreeMap;

/// A value during evaluation. "Unset" is `Option::None` around it, never a variant.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// An integer (only literals produce these: `substring` indexes, `split` limits).
    Int(i64),
    /// An array, e.g. a `stringArray` parameter or `aws.parseArn`'s `resourceId`.
    Array(Vec<Value>),
    /// A record, e.g. the results of `parseURL`, `aws.partition` and `aws.parseArn`.
    Record(BTreeMap<String, Value>),
}

impl Value {
    /// The type's name, for error messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Array(_) => "an array",
            Value::Record(_) => "a record",
        }
    }

    /// A record from `(key, value)` pairs.
    pub(crate) fn record<const N: usize>(fields: [(&str, Value); N]) -> Value {
        Value::Record(
            fields
                .into_iter()
                .map(|(key, value)| (key.to_string(), value))
                .collect(),
        )
    }
}
