//! Values the rules engine computes with.

use std::collections::BTreeMap;

use lambda_sdk_runtime::endpoint_rules::functions::{Arn, Url};
use lambda_sdk_runtime::partitions::PartitionOutputs;

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

impl From<Url> for Value {
    fn from(url: Url) -> Value {
        Value::record([
            ("scheme", Value::Str(url.scheme)),
            ("authority", Value::Str(url.authority)),
            ("path", Value::Str(url.path)),
            ("normalizedPath", Value::Str(url.normalized_path)),
            ("isIp", Value::Bool(url.is_ip)),
        ])
    }
}

impl From<Arn> for Value {
    fn from(arn: Arn) -> Value {
        Value::record([
            ("partition", Value::Str(arn.partition)),
            ("service", Value::Str(arn.service)),
            ("region", Value::Str(arn.region)),
            ("accountId", Value::Str(arn.account_id)),
            (
                "resourceId",
                Value::Array(arn.resource_id.into_iter().map(Value::Str).collect()),
            ),
        ])
    }
}

impl From<PartitionOutputs> for Value {
    fn from(outputs: PartitionOutputs) -> Value {
        let text = |s: &str| Value::Str(s.to_string());
        Value::record([
            ("name", text(outputs.name)),
            ("dnsSuffix", text(outputs.dns_suffix)),
            ("dualStackDnsSuffix", text(outputs.dual_stack_dns_suffix)),
            ("implicitGlobalRegion", text(outputs.implicit_global_region)),
            ("supportsFIPS", Value::Bool(outputs.supports_fips)),
            (
                "supportsDualStack",
                Value::Bool(outputs.supports_dual_stack),
            ),
        ])
    }
}
