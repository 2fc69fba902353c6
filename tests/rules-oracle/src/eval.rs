//! Evaluation of a parsed rule set against parameter values.

use std::collections::BTreeMap;

use super::parse::{
    Call, Condition, EndpointSpec, Expr, Func, PathSeg, Property, Rule, RuleKind, Template,
    TemplatePart,
};
use super::value::Value;
use super::{Endpoint, RulesError};
use lambda_sdk_runtime::endpoint_rules::functions;

/// Names bound during evaluation: set parameters, then assigned variables (innermost last).
pub(crate) struct Scope<'r> {
    vars: Vec<(&'r str, Value)>,
}

impl<'r> Scope<'r> {
    /// A scope holding the given (set) parameters.
    pub(crate) fn new(vars: Vec<(&'r str, Value)>) -> Scope<'r> {
        Scope { vars }
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }
}

/// Evaluates `rules` in order: the first whose conditions hold decides. `Ok(None)` when none
/// does.
pub(crate) fn rules<'r>(
    rules: &'r [Rule],
    scope: &mut Scope<'r>,
) -> Result<Option<Endpoint>, RulesError> {
    for rule in rules {
        let mark = scope.vars.len();
        let outcome = self::rule(rule, scope);
        scope.vars.truncate(mark);
        if let Some(endpoint) = outcome? {
            return Ok(Some(endpoint));
        }
    }
    Ok(None)
}

/// One rule: `Ok(None)` when a condition fails, else its endpoint, its error, or the outcome
/// of its sub-rules (a tree whose sub-rules all fail is an error: tree rules are terminal).
fn rule<'r>(rule: &'r Rule, scope: &mut Scope<'r>) -> Result<Option<Endpoint>, RulesError> {
    for condition in &rule.conditions {
        if !self::condition(condition, scope)? {
            return Ok(None);
        }
    }
    match &rule.kind {
        RuleKind::Endpoint(spec) => endpoint(spec, scope).map(Some),
        RuleKind::Error(message) => {
            let message = string(message, scope, "the error message")?;
            Err(crate::from_rule(message))
        }
        RuleKind::Tree(sub_rules) => match rules(sub_rules, scope)? {
            Some(endpoint) => Ok(Some(endpoint)),
            None => Err(crate::no_match(format!(
                "no rule matched inside the tree rule at {} although its conditions held",
                rule.location
            ))),
        },
    }
}

/// A condition holds when its function's result is set and is not `false`; the result is
/// then bound to the condition's `assign` name, if any.
fn condition<'r>(condition: &'r Condition, scope: &mut Scope<'r>) -> Result<bool, RulesError> {
    let value = call(&condition.call, scope)?;
    let holds = !matches!(value, None | Some(Value::Bool(false)));
    if holds && let (Some(name), Some(value)) = (&condition.assign, value) {
        scope.vars.push((name.as_str(), value));
    }
    Ok(holds)
}

fn endpoint(spec: &EndpointSpec, scope: &Scope<'_>) -> Result<Endpoint, RulesError> {
    let url = string(&spec.url, scope, "the endpoint URL")?;
    let mut headers = BTreeMap::new();
    for (name, values) in &spec.headers {
        let values = values
            .iter()
            .map(|value| string(value, scope, "a header value"))
            .collect::<Result<Vec<_>, _>>()?;
        headers.insert(name.clone(), values);
    }
    let properties = serde_json::Value::Object(
        spec.properties
            .iter()
            .map(|(key, value)| Ok((key.clone(), property(value, scope)?)))
            .collect::<Result<_, RulesError>>()?,
    );
    Ok(Endpoint {
        url,
        headers,
        properties,
    })
}

fn property(property: &Property, scope: &Scope<'_>) -> Result<serde_json::Value, RulesError> {
    Ok(match property {
        Property::Str(template) => serde_json::Value::String(self::template(template, scope)?),
        Property::Bool(b) => serde_json::Value::Bool(*b),
        Property::Number(n) => serde_json::Value::Number(n.clone()),
        Property::Array(items) => serde_json::Value::Array(
            items
                .iter()
                .map(|item| self::property(item, scope))
                .collect::<Result<_, _>>()?,
        ),
        Property::Object(fields) => serde_json::Value::Object(
            fields
                .iter()
                .map(|(key, value)| Ok((key.clone(), self::property(value, scope)?)))
                .collect::<Result<_, RulesError>>()?,
        ),
    })
}

/// An expression that must produce a string.
fn string(expr: &Expr, scope: &Scope<'_>, what: &str) -> Result<String, RulesError> {
    match self::expr(expr, scope)? {
        Some(Value::Str(s)) => Ok(s),
        Some(other) => Err(crate::evaluation(format!(
            "{what} evaluated to {}, not a string",
            other.type_name()
        ))),
        None => Err(crate::evaluation(format!(
            "{what} evaluated to an unset value"
        ))),
    }
}

fn template(template: &Template, scope: &Scope<'_>) -> Result<String, RulesError> {
    let mut out = String::new();
    for part in &template.parts {
        match part {
            TemplatePart::Literal(text) => out.push_str(text),
            TemplatePart::Var { name, path, source } => {
                let base = scope.get(name).ok_or_else(|| {
                    crate::evaluation(format!(
                        "{}: template placeholder `{source}`: `{name}` is not set",
                        template.location
                    ))
                })?;
                let value = if path.is_empty() {
                    Some(base.clone())
                } else {
                    get_attr(base, path)
                };
                match value {
                    Some(Value::Str(s)) => out.push_str(&s),
                    Some(other) => {
                        return Err(crate::evaluation(format!(
                            "{}: template placeholder `{source}` is {}, not a string",
                            template.location,
                            other.type_name()
                        )));
                    }
                    None => {
                        return Err(crate::evaluation(format!(
                            "{}: template placeholder `{source}` has no value",
                            template.location
                        )));
                    }
                }
            }
        }
    }
    Ok(out)
}

fn expr(expr: &Expr, scope: &Scope<'_>) -> Result<Option<Value>, RulesError> {
    Ok(match expr {
        Expr::Bool(b) => Some(Value::Bool(*b)),
        Expr::Int(i) => Some(Value::Int(*i)),
        Expr::Template(t) => Some(Value::Str(template(t, scope)?)),
        Expr::Ref(name) => scope.get(name).cloned(),
        Expr::Call(c) => call(c, scope)?,
        Expr::Array(items) => {
            let mut values = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match self::expr(item, scope)? {
                    Some(value) => values.push(value),
                    None => {
                        return Err(crate::evaluation(format!(
                            "element {i} of an array literal is not set"
                        )));
                    }
                }
            }
            Some(Value::Array(values))
        }
    })
}

/// The `i`-th argument expression of `call` (arity was checked when parsing).
fn arg(call: &Call, i: usize) -> Result<&Expr, RulesError> {
    call.args.get(i).ok_or_else(|| {
        crate::evaluation(format!(
            "{}: `{}` is missing argument {}",
            call.location,
            call.func.name(),
            i + 1
        ))
    })
}

/// The value of the `i`-th argument, which must be set.
fn set_arg(call: &Call, i: usize, scope: &Scope<'_>) -> Result<Value, RulesError> {
    expr(arg(call, i)?, scope)?.ok_or_else(|| {
        crate::evaluation(format!(
            "{}: argument {} of `{}` is not set (check it with `isSet` or assign it in an earlier condition)",
            call.location,
            i + 1,
            call.func.name()
        ))
    })
}

fn wrong_type(call: &Call, i: usize, expected: &str, found: &Value) -> RulesError {
    crate::evaluation(format!(
        "{}: `{}` expects {expected} as argument {}, found {}",
        call.location,
        call.func.name(),
        i + 1,
        found.type_name()
    ))
}

fn str_arg(call: &Call, i: usize, scope: &Scope<'_>) -> Result<String, RulesError> {
    match set_arg(call, i, scope)? {
        Value::Str(s) => Ok(s),
        other => Err(wrong_type(call, i, "a string", &other)),
    }
}

fn bool_arg(call: &Call, i: usize, scope: &Scope<'_>) -> Result<bool, RulesError> {
    match set_arg(call, i, scope)? {
        Value::Bool(b) => Ok(b),
        other => Err(wrong_type(call, i, "a boolean", &other)),
    }
}

fn int_arg(call: &Call, i: usize, scope: &Scope<'_>) -> Result<i64, RulesError> {
    match set_arg(call, i, scope)? {
        Value::Int(n) => Ok(n),
        other => Err(wrong_type(call, i, "an integer", &other)),
    }
}

fn call(call: &Call, scope: &Scope<'_>) -> Result<Option<Value>, RulesError> {
    let bool_value = |b: bool| Ok(Some(Value::Bool(b)));
    match &call.func {
        Func::IsSet => bool_value(expr(arg(call, 0)?, scope)?.is_some()),
        Func::Not => bool_value(!bool_arg(call, 0, scope)?),
        Func::BooleanEquals => bool_value(bool_arg(call, 0, scope)? == bool_arg(call, 1, scope)?),
        Func::StringEquals => bool_value(str_arg(call, 0, scope)? == str_arg(call, 1, scope)?),
        Func::Coalesce => {
            for candidate in &call.args {
                if let Some(value) = expr(candidate, scope)? {
                    return Ok(Some(value));
                }
            }
            Ok(None)
        }
        Func::Ite => {
            let branch = if bool_arg(call, 0, scope)? { 1 } else { 2 };
            expr(arg(call, branch)?, scope)
        }
        Func::GetAttr(path) => {
            let target = set_arg(call, 0, scope)?;
            Ok(get_attr(&target, path))
        }
        Func::IsValidHostLabel => bool_value(functions::is_valid_host_label(
            &str_arg(call, 0, scope)?,
            bool_arg(call, 1, scope)?,
        )),
        Func::ParseUrl => Ok(functions::parse_url(&str_arg(call, 0, scope)?).map(Value::from)),
        Func::Substring => Ok(functions::substring(
            &str_arg(call, 0, scope)?,
            int_arg(call, 1, scope)?,
            int_arg(call, 2, scope)?,
            bool_arg(call, 3, scope)?,
        )
        .map(Value::Str)),
        Func::UriEncode => Ok(Some(Value::Str(functions::uri_encode(&str_arg(
            call, 0, scope,
        )?)))),
        Func::Split => functions::split(
            &str_arg(call, 0, scope)?,
            &str_arg(call, 1, scope)?,
            int_arg(call, 2, scope)?,
        )
        .map(|pieces| Some(Value::Array(pieces.into_iter().map(Value::Str).collect())))
        .map_err(|e| crate::evaluation(format!("{}: `split`: {e}", call.location))),
        Func::AwsPartition => Ok(Some(Value::from(functions::partition(&str_arg(
            call, 0, scope,
        )?)))),
        Func::AwsParseArn => Ok(functions::parse_arn(&str_arg(call, 0, scope)?).map(Value::from)),
        Func::AwsIsVirtualHostableS3Bucket => bool_value(functions::is_virtual_hostable_s3_bucket(
            &str_arg(call, 0, scope)?,
            bool_arg(call, 1, scope)?,
        )),
    }
}

/// `getAttr`: follows `path` through records (keys) and arrays (indexes; negative ones
/// count from the end). `None` when a key or index is missing or the value has the wrong
/// shape for the step.
fn get_attr(value: &Value, path: &[PathSeg]) -> Option<Value> {
    let mut current = value;
    for segment in path {
        current = match (segment, current) {
            (PathSeg::Key(key), Value::Record(fields)) => fields.get(key)?,
            (PathSeg::Index(index), Value::Array(items)) => {
                items.get(functions::position(items.len(), *index)?)?
            }
            _ => return None,
        };
    }
    Some(current.clone())
}
