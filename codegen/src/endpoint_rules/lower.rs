//! The rule set's JSON lowered to the typed tree: parameters, scopes and rules.

use serde_json::{Map, Value};

use super::prune::prune_list;
use super::*;
use crate::Error;
use crate::naming;

/// A name in scope during lowering.
pub(super) struct Binding {
    pub(super) name: String,
    pub(super) var: String,
    pub(super) ty: Ty,
}

pub(super) struct Lowering<'a> {
    pub(super) service: &'a str,
    pub(super) scope: Vec<Binding>,
    pub(super) names: std::collections::BTreeSet<(String, String)>,
}

/// Lowers the rule set of the service `service` (for error messages).
pub fn lower(service: &str, rule_set: &Value) -> Result<Rules, Error> {
    let mut lowering = Lowering {
        service,
        scope: Vec::new(),
        names: std::collections::BTreeSet::new(),
    };
    lowering.rule_set(rule_set)
}

pub(super) fn kind(json: &Value) -> &'static str {
    match json {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A rule set name: letters, digits and underscores, starting with a letter.
pub(super) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The Rust variable for a rule set name: snake_case, never a keyword or `params` (the
/// function's argument).
pub(super) fn var_name(name: &str) -> String {
    let snake = naming::snake_bare(name);
    if snake == "params" || naming::is_keyword(&snake) {
        format!("{snake}_")
    } else {
        snake
    }
}

impl Lowering<'_> {
    pub(super) fn error(&self, location: &str, message: impl std::fmt::Display) -> Error {
        Error::shape(
            self.service,
            format!("smithy.rules#endpointRuleSet: {location}: {message}"),
        )
    }

    pub(super) fn rule_set(&mut self, json: &Value) -> Result<Rules, Error> {
        let obj = json.as_object().ok_or_else(|| {
            self.error(
                "(root)",
                format!("expected an object, found {}", kind(json)),
            )
        })?;
        let version = match obj.get("version") {
            Some(Value::String(v)) if v == "1" || v.starts_with("1.") => v.clone(),
            Some(Value::String(v)) => {
                return Err(self.error(
                    "version",
                    format!("unsupported rule set version `{v}` (this generator implements 1.x)"),
                ));
            }
            _ => return Err(self.error("version", "missing, or not a string")),
        };
        let params_json = match obj.get("parameters") {
            Some(Value::Object(params)) => params,
            _ => return Err(self.error("parameters", "missing, or not an object")),
        };
        let mut params = Vec::new();
        for (name, definition) in params_json {
            let param = self.parameter(name, definition)?;
            self.bind(name, &param.var, param.ty, "parameters")?;
            params.push(param);
        }
        let rules = self.rules(obj.get("rules"), "rules")?;
        // What is never reached, binds nothing read later and cannot fail or err goes; then
        // only the parameters something still reads become variables.
        let (rules, free) = prune_list(rules);
        let params = params
            .into_iter()
            .filter_map(|mut p| {
                p.used = free.contains(&p.var);
                (p.used || p.required).then_some(p)
            })
            .collect();
        Ok(Rules {
            version,
            params,
            rules,
            names: std::mem::take(&mut self.names).into_iter().collect(),
        })
    }

    pub(super) fn parameter(&self, name: &str, definition: &Value) -> Result<Param, Error> {
        let location = format!("parameters.{name}");
        if !is_identifier(name) {
            return Err(self.error(&location, "not a valid parameter name"));
        }
        let def = definition
            .as_object()
            .ok_or_else(|| self.error(&location, "expected an object"))?;
        let base = match def.get("type").and_then(Value::as_str) {
            Some(t) if t.eq_ignore_ascii_case("string") => Base::Str,
            Some(t) if t.eq_ignore_ascii_case("boolean") => Base::Bool,
            Some(t) if t.eq_ignore_ascii_case("stringArray") => Base::StrArray,
            other => {
                return Err(self.error(
                    &location,
                    format!("unsupported parameter type {other:?} (expected string, boolean or stringArray)"),
                ));
            }
        };
        let required = def
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let default = match def.get("default") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if base == Base::Str => Some(Literal::Str(s.clone())),
            Some(Value::Bool(b)) if base == Base::Bool => Some(Literal::Bool(*b)),
            Some(Value::Array(items)) if base == Base::StrArray => Some(Literal::StrArray(
                items
                    .iter()
                    .map(|item| item.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        self.error(&location, "a stringArray default must hold strings")
                    })?,
            )),
            Some(other) => {
                return Err(self.error(
                    &location,
                    format!("the default is {}, not {}", kind(other), base.name()),
                ));
            }
        };
        let source = match def.get("builtIn").and_then(Value::as_str) {
            None => Source::Unbound,
            Some(built_in) => {
                let (b, expected) = match built_in {
                    "AWS::Region" => (BuiltIn::Region, Base::Str),
                    "AWS::UseFIPS" => (BuiltIn::UseFips, Base::Bool),
                    "AWS::UseDualStack" => (BuiltIn::UseDualStack, Base::Bool),
                    "SDK::Endpoint" => (BuiltIn::Endpoint, Base::Str),
                    other => {
                        return Err(self.error(
                            &location,
                            format!(
                                "the built-in `{other}` has no lambda-sdk setting (supported: AWS::Region, AWS::UseFIPS, AWS::UseDualStack, SDK::Endpoint)"
                            ),
                        ));
                    }
                };
                if base != expected {
                    return Err(self.error(
                        &location,
                        format!(
                            "the built-in `{built_in}` is {}, not {}",
                            expected.name(),
                            base.name()
                        ),
                    ));
                }
                Source::BuiltIn(b)
            }
        };
        // Booleans from the configuration are always set.
        let always_set = matches!(
            source,
            Source::BuiltIn(BuiltIn::UseFips | BuiltIn::UseDualStack)
        );
        if required && default.is_none() && source == Source::Unbound {
            return Err(self.error(
                &location,
                "required, without a default, and bound to no built-in: no lambda-sdk setting can give it a value, so no endpoint could ever resolve",
            ));
        }
        Ok(Param {
            name: name.to_string(),
            var: var_name(name),
            ty: Ty {
                base,
                optional: !(always_set || default.is_some() || required),
            },
            source,
            required: required && default.is_none() && !always_set,
            default,
            used: false,
        })
    }

    /// Adds a name to the scope, refusing a second name with the same Rust variable.
    pub(super) fn bind(
        &mut self,
        name: &str,
        var: &str,
        ty: Ty,
        location: &str,
    ) -> Result<(), Error> {
        if let Some(clash) = self.scope.iter().find(|b| b.var == var && b.name != name) {
            return Err(self.error(
                location,
                format!(
                    "`{name}` and `{}` would both be the Rust variable `{var}`",
                    clash.name
                ),
            ));
        }
        self.names.insert((name.to_string(), var.to_string()));
        self.scope.push(Binding {
            name: name.to_string(),
            var: var.to_string(),
            ty,
        });
        Ok(())
    }

    pub(super) fn lookup(&self, name: &str, location: &str) -> Result<(String, Ty), Error> {
        let binding = self
            .scope
            .iter()
            .rev()
            .find(|b| b.name == name)
            .ok_or_else(|| {
                self.error(
                    location,
                    format!(
                        "`{name}` is neither a parameter nor a variable assigned earlier in scope"
                    ),
                )
            })?;

        Ok((binding.var.clone(), binding.ty))
    }

    pub(super) fn rules(
        &mut self,
        json: Option<&Value>,
        location: &str,
    ) -> Result<Vec<Rule>, Error> {
        let items = match json {
            Some(Value::Array(items)) if !items.is_empty() => items,
            Some(Value::Array(_)) => {
                return Err(self.error(location, "a rule list must hold at least one rule"));
            }
            _ => return Err(self.error(location, "missing, or not an array of rules")),
        };
        let mut rules = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let mark = self.scope.len();
            let rule = self.rule(item, &format!("{location}[{i}]"));
            self.scope.truncate(mark);
            rules.push(rule?);
        }
        Ok(rules)
    }

    pub(super) fn rule(&mut self, json: &Value, location: &str) -> Result<Rule, Error> {
        let obj = json.as_object().ok_or_else(|| {
            self.error(
                location,
                format!("a rule must be an object, found {}", kind(json)),
            )
        })?;
        let conditions_json: &[Value] = match obj.get("conditions") {
            None => &[],
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(self.error(
                    &format!("{location}.conditions"),
                    format!("expected an array, found {}", kind(other)),
                ));
            }
        };
        let mut conditions = Vec::with_capacity(conditions_json.len());
        for (i, item) in conditions_json.iter().enumerate() {
            conditions.push(self.condition(item, &format!("{location}.conditions[{i}]"))?);
        }
        let body = match obj.get("type").and_then(Value::as_str) {
            Some("endpoint") => {
                let spec = obj
                    .get("endpoint")
                    .and_then(Value::as_object)
                    .ok_or_else(|| {
                        self.error(location, "an endpoint rule needs an `endpoint` object")
                    })?;
                Body::Endpoint(self.endpoint(spec, &format!("{location}.endpoint"))?)
            }
            Some("error") => {
                let message = obj
                    .get("error")
                    .ok_or_else(|| self.error(location, "an error rule needs `error`"))?;
                Body::Error(self.string(
                    message,
                    &format!("{location}.error"),
                    "the error message",
                )?)
            }
            Some("tree") => Body::Tree(self.rules(obj.get("rules"), &format!("{location}.rules"))?),
            other => {
                return Err(self.error(
                    location,
                    format!("unknown rule type {other:?} (expected endpoint, error or tree)"),
                ));
            }
        };

        Ok(Rule {
            location: location.to_string(),
            conditions,
            body,
        })
    }

    /// A condition, with the binding it makes.
    pub(super) fn condition(&mut self, json: &Value, location: &str) -> Result<Condition, Error> {
        let obj = json
            .as_object()
            .filter(|o| o.contains_key("fn"))
            .ok_or_else(|| self.error(location, "a condition must be a function object (`fn`)"))?;
        let assign = match obj.get("assign") {
            None => None,
            Some(Value::String(name)) if is_identifier(name) => Some(name.clone()),
            Some(other) => {
                return Err(self.error(
                    &format!("{location}.assign"),
                    format!("{other} is not a valid variable name"),
                ));
            }
        };
        if let Some(name) = &assign
            && self.scope.iter().any(|b| &b.name == name)
        {
            return Err(self.error(
                &format!("{location}.assign"),
                format!("`{name}` is already a parameter or variable in scope"),
            ));
        }
        // `isSet` of a reference with no `assign` narrows the reference: the rest of the rule
        // sees it set.
        if assign.is_none()
            && obj.get("fn").and_then(Value::as_str) == Some("isSet")
            && let Some([Value::Object(arg)]) =
                obj.get("argv").and_then(Value::as_array).map(Vec::as_slice)
            && let Some(Value::String(name)) = arg.get("ref")
        {
            let (var, ty) = self.lookup(name, location)?;
            if ty.optional {
                let value = Expr {
                    kind: ExprKind::Var(var.clone()),
                    ty,
                };
                let narrowed = Ty::set(ty.base);
                self.scope.push(Binding {
                    name: name.clone(),
                    var: var.clone(),
                    ty: narrowed,
                });
                return Ok(Condition {
                    value,
                    bind: Some(var),
                    narrowing: true,
                });
            }
        }
        let value = self.call(obj, location)?;
        let bind = match assign {
            None => None,
            Some(name) => {
                let var = var_name(&name);
                // Bound only when the condition holds: set, and `true` for a boolean.
                let ty = Ty::set(value.ty.base);
                self.bind(&name, &var, ty, &format!("{location}.assign"))?;
                Some(var)
            }
        };
        Ok(Condition {
            value,
            bind,
            narrowing: false,
        })
    }

    pub(super) fn endpoint(
        &self,
        spec: &Map<String, Value>,
        location: &str,
    ) -> Result<Expr, Error> {
        for key in ["headers", "properties"] {
            match spec.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::Object(map)) if map.is_empty() => {}
                Some(_) => {
                    return Err(self.error(
                        &format!("{location}.{key}"),
                        format!("endpoint {key} are not supported by lambda-sdk: it would sign and send requests without them"),
                    ));
                }
            }
        }
        if let Some(key) = spec
            .keys()
            .find(|k| !matches!(k.as_str(), "url" | "headers" | "properties"))
        {
            return Err(self.error(location, format!("unknown endpoint member `{key}`")));
        }
        let url = spec
            .get("url")
            .ok_or_else(|| self.error(location, "missing `url`"))?;
        self.string(url, &format!("{location}.url"), "the endpoint URL")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A rule set in the shape of Lambda's, in miniature.
    fn rule_set(rules: Value) -> Value {
        json!({
            "version": "1.0",
            "parameters": {
                "Region": {"type": "string", "builtIn": "AWS::Region", "required": false},
                "UseFIPS": {"type": "boolean", "builtIn": "AWS::UseFIPS", "required": true, "default": false},
                "Endpoint": {"type": "string", "builtIn": "SDK::Endpoint", "required": false}
            },
            "rules": rules
        })
    }

    #[test]
    fn parameters_get_types_sources_and_variables() {
        let rules = lower(
            "example#Svc",
            &rule_set(json!([
                {"type": "endpoint", "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}],
                 "endpoint": {"url": "https://svc.{Region}.example.com"}},
                {"type": "error", "conditions": [], "error": "Missing Region"}
            ])),
        )
        .unwrap();
        assert_eq!(rules.version, "1.0");
        let params: Vec<_> = rules
            .params
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.var.as_str(),
                    p.ty.optional,
                    p.source.clone(),
                    p.used,
                )
            })
            .collect();
        // Only the parameters the rules read are kept.
        assert_eq!(
            params,
            [(
                "Region",
                "region",
                true,
                Source::BuiltIn(BuiltIn::Region),
                true
            )]
        );
        assert_eq!(rules.rules.len(), 2);
        assert_eq!(rules.rules[1].location, "rules[1]");
        assert!(matches!(rules.rules[1].body, Body::Error(_)));
    }

    #[test]
    fn what_cannot_be_compiled_is_an_error_naming_its_location() {
        let error = |rules: Value| {
            lower("example#Svc", &rule_set(rules))
                .unwrap_err()
                .to_string()
        };
        let unknown_fn = error(json!([
            {"type": "endpoint", "conditions": [{"fn": "aws.teleport", "argv": []}],
             "endpoint": {"url": "https://x"}}
        ]));
        assert!(
            unknown_fn.contains("example#Svc") && unknown_fn.contains("rules[0].conditions[0]"),
            "{unknown_fn}"
        );
        let unknown_ref = error(json!([
            {"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{Nowhere}"}}
        ]));
        assert!(unknown_ref.contains("Nowhere"), "{unknown_ref}");
        let headers = error(json!([
            {"type": "endpoint", "conditions": [],
             "endpoint": {"url": "https://x", "headers": {"x-a": ["b"]}}}
        ]));
        assert!(headers.contains("rules[0]"), "{headers}");
    }
}
