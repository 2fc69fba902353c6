//! A reference interpreter of Smithy endpoint rule sets (`smithy.rules#endpointRuleSet`): a rule
//! set parsed from JSON into a checked tree, then evaluated against parameter values. It is the
//! test oracle that the resolvers `cargo xtask codegen` compiles are checked against (the
//! workspace's `tests/tests/endpoints.rs`), and a dev-only crate: generated crates never need it.
//!
//! Parsing rejects unknown rule types and functions, wrong arities, literal arguments of the
//! wrong type, references to names that are not in scope, and malformed templates, so a rule
//! set that parses can only fail at resolution for reasons that depend on the parameters. The
//! functions are the runtime's ([`lambda_sdk_runtime::endpoint_rules::functions`]), the same the
//! compiled resolvers call.
//!
//! The interpreter's semantics, which the compiled resolvers share (the workspace's
//! `tests/tests/endpoints.rs` compares them answer for answer): parameters not given take
//! their defaults and a required one still unset is an error; the rules are tried in order and
//! the first whose conditions all hold yields an endpoint (an `endpoint` rule), an error
//! carrying the rule's message (an `error` rule), or the outcome of its sub-rules (a `tree`
//! rule, which is terminal: when none of its sub-rules matches, resolution fails). A condition
//! holds when its function's result is set and is not `false`; functions that return an
//! optional value (`parseURL`, `substring`, `getAttr` with an index, `aws.parseArn`, …) fail
//! the condition when they return nothing.
//!
//! The interpreter, given Lambda's rule set in miniature:
//!
//! ```
//! use endpoint_rules_oracle::{Params, RuleSet};
//!
//! let rules = RuleSet::from_json(r#"{
//!     "version": "1.0",
//!     "parameters": {
//!         "Region": {"type": "string", "builtIn": "AWS::Region", "required": false},
//!         "UseFIPS": {"type": "boolean", "required": true, "default": false}
//!     },
//!     "rules": [
//!         {
//!             "type": "endpoint",
//!             "conditions": [
//!                 {"fn": "isSet", "argv": [{"ref": "Region"}]},
//!                 {"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "PartitionResult"},
//!                 {"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, false]}
//!             ],
//!             "endpoint": {"url": "https://lambda.{Region}.{PartitionResult#dnsSuffix}"}
//!         },
//!         {"type": "error", "conditions": [], "error": "Invalid Configuration: Missing Region"}
//!     ]
//! }"#)?;
//!
//! let endpoint = rules.resolve(&Params::new().with_str("Region", "cn-north-1"))?;
//! assert_eq!(endpoint.url(), "https://lambda.cn-north-1.amazonaws.com.cn");
//!
//! let error = rules.resolve(&Params::new()).unwrap_err();
//! assert_eq!(error.to_string(), "Invalid Configuration: Missing Region");
//! # Ok::<(), lambda_sdk_runtime::endpoint_rules::RulesError>(())
//! ```
#![forbid(unsafe_code)]

mod eval;
mod parse;
mod value;

use std::collections::BTreeMap;

use lambda_sdk_runtime::endpoint_rules::{RulesError, RulesErrorKind};
use value::Value;

/// A parsed, checked endpoint rule set.
#[derive(Clone, Debug)]
pub struct RuleSet {
    version: String,
    parameters: Vec<Parameter>,
    rules: Vec<parse::Rule>,
}

impl RuleSet {
    /// Parses a rule set from its JSON text (the value of the `smithy.rules#endpointRuleSet`
    /// trait).
    pub fn from_json(json: &str) -> Result<RuleSet, RulesError> {
        let value: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| invalid_rule_set(format!("the rule set is not valid JSON: {e}")))?;
        RuleSet::from_value(&value)
    }

    /// Parses a rule set from already-parsed JSON.
    pub fn from_value(value: &serde_json::Value) -> Result<RuleSet, RulesError> {
        let parsed = parse::rule_set(value)?;
        Ok(RuleSet {
            version: parsed.version,
            parameters: parsed.parameters,
            rules: parsed.rules,
        })
    }

    /// The rule set's `version`, e.g. `1.0`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The declared parameters.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// The parameter named `name`, if declared.
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }

    /// The parameter bound to the built-in value `built_in` (e.g. `AWS::Region`,
    /// `AWS::UseFIPS`, `SDK::Endpoint`), if any.
    pub fn parameter_for_built_in(&self, built_in: &str) -> Option<&Parameter> {
        self.parameters
            .iter()
            .find(|p| p.built_in.as_deref() == Some(built_in))
    }

    /// Resolves the endpoint for `params`.
    ///
    /// Parameters not given take their defaults; a required parameter still unset, a
    /// parameter the rule set does not declare, or a value of the wrong type is an error of
    /// kind [`RulesErrorKind::InvalidParams`](super::RulesErrorKind::InvalidParams). An `error` rule that matches yields an error of
    /// kind [`RulesErrorKind::Rule`](super::RulesErrorKind::Rule) whose `Display` is exactly the rule's message.
    pub fn resolve(&self, params: &Params) -> Result<Endpoint, RulesError> {
        for (name, value) in &params.values {
            let Some(parameter) = self.parameter(name) else {
                let declared: Vec<&str> = self.parameters.iter().map(|p| p.name()).collect();
                return Err(invalid_params(format!(
                    "unknown endpoint parameter `{name}` (the rule set declares: {})",
                    declared.join(", ")
                )));
            };
            if value.param_type() != parameter.param_type {
                return Err(invalid_params(format!(
                    "endpoint parameter `{name}` must be {}, found {}",
                    parameter.param_type.article_name(),
                    value.param_type().article_name()
                )));
            }
        }
        let mut vars = Vec::with_capacity(self.parameters.len());
        for parameter in &self.parameters {
            let value = params
                .values
                .get(&parameter.name)
                .or(parameter.default.as_ref());
            match value {
                Some(value) => vars.push((parameter.name.as_str(), value.to_value())),
                None if parameter.required => {
                    return Err(invalid_params(format!(
                        "missing required endpoint parameter `{}`",
                        parameter.name
                    )));
                }
                None => {}
            }
        }
        let mut scope = eval::Scope::new(vars);
        match eval::rules(&self.rules, &mut scope)? {
            Some(endpoint) => Ok(endpoint),
            None => Err(no_match(
                "no endpoint rule matched the parameters (the rule set has no fallback rule)"
                    .to_string(),
            )),
        }
    }
}

/// A parameter declared by a rule set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parameter {
    name: String,
    param_type: ParamType,
    built_in: Option<String>,
    required: bool,
    default: Option<ParamValue>,
    documentation: Option<String>,
    deprecated: bool,
}

impl Parameter {
    /// The parameter's name, e.g. `Region`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The parameter's type.
    pub fn param_type(&self) -> ParamType {
        self.param_type
    }

    /// The built-in value the parameter is bound to, e.g. `AWS::Region`.
    pub fn built_in(&self) -> Option<&str> {
        self.built_in.as_deref()
    }

    /// Whether the parameter must be set (possibly by its default) to resolve.
    pub fn is_required(&self) -> bool {
        self.required
    }

    /// The value used when the parameter is not given.
    pub fn default(&self) -> Option<&ParamValue> {
        self.default.as_ref()
    }

    /// The parameter's documentation.
    pub fn documentation(&self) -> Option<&str> {
        self.documentation.as_deref()
    }

    /// Whether the rule set marks the parameter deprecated.
    pub fn is_deprecated(&self) -> bool {
        self.deprecated
    }
}

/// The type of a rule set parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamType {
    /// `string`.
    String,
    /// `boolean`.
    Boolean,
    /// `stringArray`: a list of strings.
    StringArray,
}

impl ParamType {
    fn article_name(self) -> &'static str {
        match self {
            ParamType::String => "a string",
            ParamType::Boolean => "a boolean",
            ParamType::StringArray => "a string array",
        }
    }
}

/// A parameter value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamValue {
    /// For `string` parameters.
    String(String),
    /// For `boolean` parameters.
    Bool(bool),
    /// For `stringArray` parameters.
    StringArray(Vec<String>),
}

impl ParamValue {
    /// The parameter type this value fits.
    pub fn param_type(&self) -> ParamType {
        match self {
            ParamValue::String(_) => ParamType::String,
            ParamValue::Bool(_) => ParamType::Boolean,
            ParamValue::StringArray(_) => ParamType::StringArray,
        }
    }

    /// A JSON string, boolean or array of strings as a value; `None` for anything else.
    pub fn from_json(json: &serde_json::Value) -> Option<ParamValue> {
        match json {
            serde_json::Value::String(s) => Some(ParamValue::String(s.clone())),
            serde_json::Value::Bool(b) => Some(ParamValue::Bool(*b)),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|item| item.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .map(ParamValue::StringArray),
            _ => None,
        }
    }

    fn to_value(&self) -> Value {
        match self {
            ParamValue::String(s) => Value::Str(s.clone()),
            ParamValue::Bool(b) => Value::Bool(*b),
            ParamValue::StringArray(items) => {
                Value::Array(items.iter().map(|s| Value::Str(s.clone())).collect())
            }
        }
    }
}

impl From<&str> for ParamValue {
    fn from(value: &str) -> ParamValue {
        ParamValue::String(value.to_string())
    }
}

impl From<String> for ParamValue {
    fn from(value: String) -> ParamValue {
        ParamValue::String(value)
    }
}

impl From<bool> for ParamValue {
    fn from(value: bool) -> ParamValue {
        ParamValue::Bool(value)
    }
}

impl From<Vec<String>> for ParamValue {
    fn from(value: Vec<String>) -> ParamValue {
        ParamValue::StringArray(value)
    }
}

/// Parameter values by name. A parameter not given is unset (and takes its default, if the
/// rule set declares one).
///
/// ```
/// use endpoint_rules_oracle::{ParamValue, Params};
///
/// let params = Params::new()
///     .with_str("Region", "us-east-1")
///     .with_bool("UseFIPS", false);
/// assert_eq!(params.get("Region"), Some(&ParamValue::String("us-east-1".into())));
/// assert_eq!(params.get("Endpoint"), None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    values: BTreeMap<String, ParamValue>,
}

impl Params {
    /// No values.
    pub fn new() -> Params {
        Params::default()
    }

    /// These values plus the string `value` for `name`.
    pub fn with_str(self, name: impl Into<String>, value: impl Into<String>) -> Params {
        self.with(name, ParamValue::String(value.into()))
    }

    /// These values plus the boolean `value` for `name`.
    pub fn with_bool(self, name: impl Into<String>, value: bool) -> Params {
        self.with(name, ParamValue::Bool(value))
    }

    /// These values plus the string array `values` for `name`.
    pub fn with_str_array<I, S>(self, name: impl Into<String>, values: I) -> Params
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let values = values.into_iter().map(Into::into).collect();
        self.with(name, ParamValue::StringArray(values))
    }

    /// These values plus `value` for `name`.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<ParamValue>) -> Params {
        self.insert(name, value);
        self
    }

    /// Sets `name` to `value`, returning the value it replaces.
    pub fn insert(
        &mut self,
        name: impl Into<String>,
        value: impl Into<ParamValue>,
    ) -> Option<ParamValue> {
        self.values.insert(name.into(), value.into())
    }

    /// Unsets `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<ParamValue> {
        self.values.remove(name)
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.get(name)
    }

    /// The set values, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParamValue)> {
        self.values
            .iter()
            .map(|(name, value)| (name.as_str(), value))
    }

    /// Values from a JSON object of strings, booleans and string arrays (the `params` of an
    /// `endpointTests` case); `null` members are left unset.
    pub fn from_json(json: &serde_json::Value) -> Result<Params, RulesError> {
        let obj = json.as_object().ok_or_else(|| {
            invalid_params("endpoint parameters must be a JSON object".to_string())
        })?;
        let mut params = Params::new();
        for (name, value) in obj {
            if value.is_null() {
                continue;
            }
            let value = ParamValue::from_json(value).ok_or_else(|| {
                invalid_params(format!(
                    "endpoint parameter `{name}` must be a string, a boolean or an array of strings, found {value}"
                ))
            })?;
            params.insert(name.clone(), value);
        }
        Ok(params)
    }
}

/// A resolved endpoint: URL, headers to send, and properties (e.g. `authSchemes`).
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    url: String,
    headers: BTreeMap<String, Vec<String>>,
    properties: serde_json::Value,
}

impl Endpoint {
    /// The endpoint URL, e.g. `https://lambda.us-east-1.amazonaws.com`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Headers the endpoint requires, by name.
    pub fn headers(&self) -> &BTreeMap<String, Vec<String>> {
        &self.headers
    }

    /// The endpoint's properties: always a JSON object (empty when the rule gives none).
    pub fn properties(&self) -> &serde_json::Value {
        &self.properties
    }

    /// The URL, headers and properties, by value.
    pub fn into_parts(self) -> (String, BTreeMap<String, Vec<String>>, serde_json::Value) {
        (self.url, self.headers, self.properties)
    }
}

/// The interpreter's errors, each with its kind (and, for some, a prefix saying where it arose).
fn invalid_rule_set(message: String) -> RulesError {
    RulesError::new(
        RulesErrorKind::InvalidRuleSet,
        format!("invalid endpoint rule set: {message}"),
    )
}

fn invalid_params(message: String) -> RulesError {
    RulesError::new(RulesErrorKind::InvalidParams, message)
}

fn from_rule(message: String) -> RulesError {
    RulesError::new(RulesErrorKind::Rule, message)
}

fn no_match(message: String) -> RulesError {
    RulesError::new(RulesErrorKind::NoMatch, message)
}

fn evaluation(message: String) -> RulesError {
    RulesError::new(
        RulesErrorKind::Evaluation,
        format!("endpoint resolution failed: {message}"),
    )
}
