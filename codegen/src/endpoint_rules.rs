//! A service's `smithy.rules#endpointRuleSet`, lowered to a typed tree the emitter turns into
//! a Rust function (`src/endpoint_resolver.rs` of the generated crate).
//!
//! Everything that can be decided before run time is decided here: every reference is in scope
//! and has a static type, every function exists and gets arguments of its types, every
//! `getAttr` path names an attribute that exists, and every Rust variable name is chosen. What
//! this generator does not support (a built-in parameter lambda-sdk has no setting for, endpoint
//! headers or properties, an unknown function) is an error naming the rule's location in the
//! rule set, so a model that would resolve endpoints wrongly never generates.
//!
//! The semantics are those of the runtime's reference interpreter
//! (`lambda_sdk_runtime::endpoint_rules::RuleSet`): rules are tried in order, a condition holds
//! when its value is set and not `false`, a tree rule whose sub-rules all fail is an error.
//! What the interpreter can only find out at run time (an unset value passed where one is
//! needed, a bad `split`) stays a run-time error with the interpreter's message, also in a
//! condition whose value nothing reads. `tests/tests/endpoints.rs` holds the compiled
//! resolvers of 30 rule sets to the interpreter's answers, URL for URL and message for message.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::Error;
use crate::naming;

/// The static type of a value, before optionality.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    /// `String` (`&'static str` for partition attributes).
    Str,
    /// `bool`.
    Bool,
    /// `i64`: only literals (`substring` bounds, `split` limits).
    Int,
    /// `Vec<String>`: `stringArray` parameters, `split`, an ARN's `resourceId`.
    StrArray,
    /// `aws.partition`'s record (`PartitionOutputs`, `Copy`).
    Partition,
    /// `parseURL`'s record.
    Url,
    /// `aws.parseArn`'s record.
    Arn,
}

impl Base {
    fn name(self) -> &'static str {
        match self {
            Base::Str => "a string",
            Base::Bool => "a boolean",
            Base::Int => "an integer",
            Base::StrArray => "a string array",
            Base::Partition => "a partition record",
            Base::Url => "a URL record",
            Base::Arn => "an ARN record",
        }
    }

    /// Whether the Rust type is `Copy` (read without `.clone()`).
    pub fn is_copy(self) -> bool {
        matches!(self, Base::Bool | Base::Int | Base::Partition)
    }

    /// The attributes of a record type: (rule name, Rust field, type, `&'static str` field).
    fn attributes(self) -> &'static [(&'static str, &'static str, Base, bool)] {
        match self {
            Base::Partition => &[
                ("name", "name", Base::Str, true),
                ("dnsSuffix", "dns_suffix", Base::Str, true),
                (
                    "dualStackDnsSuffix",
                    "dual_stack_dns_suffix",
                    Base::Str,
                    true,
                ),
                (
                    "implicitGlobalRegion",
                    "implicit_global_region",
                    Base::Str,
                    true,
                ),
                ("supportsFIPS", "supports_fips", Base::Bool, false),
                (
                    "supportsDualStack",
                    "supports_dual_stack",
                    Base::Bool,
                    false,
                ),
            ],
            Base::Url => &[
                ("scheme", "scheme", Base::Str, false),
                ("authority", "authority", Base::Str, false),
                ("path", "path", Base::Str, false),
                ("normalizedPath", "normalized_path", Base::Str, false),
                ("isIp", "is_ip", Base::Bool, false),
            ],
            Base::Arn => &[
                ("partition", "partition", Base::Str, false),
                ("service", "service", Base::Str, false),
                ("region", "region", Base::Str, false),
                ("accountId", "account_id", Base::Str, false),
                ("resourceId", "resource_id", Base::StrArray, false),
            ],
            _ => &[],
        }
    }
}

/// A static type: a base type, possibly unset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ty {
    /// The type of the value when set.
    pub base: Base,
    /// Whether the value may be unset (`Option` in Rust).
    pub optional: bool,
}

impl Ty {
    fn set(base: Base) -> Ty {
        Ty {
            base,
            optional: false,
        }
    }

    fn name(self) -> String {
        if self.optional {
            format!("{} that may be unset", self.base.name())
        } else {
            self.base.name().to_string()
        }
    }
}

/// A compiled rule set.
#[derive(Clone, Debug)]
pub struct Rules {
    /// The rule set's `version`.
    pub version: String,
    /// The parameters the rules read, in declaration order.
    pub params: Vec<Param>,
    /// The rules, in order.
    pub rules: Vec<Rule>,
    /// Every parameter and assigned name with its Rust variable, sorted (for the naming table).
    pub names: Vec<(String, String)>,
}

/// Where a parameter's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A built-in the configuration sets.
    BuiltIn(BuiltIn),
    /// Nothing sets it: its default, or unset.
    Unbound,
}

/// The built-ins lambda-sdk's configuration provides (`EndpointParams` in the runtime).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltIn {
    /// `AWS::Region`: `Option<&str>`.
    Region,
    /// `AWS::UseFIPS`: `bool`.
    UseFips,
    /// `AWS::UseDualStack`: `bool`.
    UseDualStack,
    /// `SDK::Endpoint`: `Option<&str>`.
    Endpoint,
}

/// A parameter default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Literal {
    /// A string default.
    Str(String),
    /// A boolean default.
    Bool(bool),
    /// A string array default.
    StrArray(Vec<String>),
}

/// A parameter the rules read.
#[derive(Clone, Debug)]
pub struct Param {
    /// The rule set's name, e.g. `UseFIPS`.
    pub name: String,
    /// The Rust variable, e.g. `use_fips`.
    pub var: String,
    /// Its type once defaults apply: unset-able only without a default.
    pub ty: Ty,
    /// Where its value comes from.
    pub source: Source,
    /// The default, if any.
    pub default: Option<Literal>,
    /// Whether resolution fails when it is unset.
    pub required: bool,
    /// Whether a rule reads it (a required one nobody reads is only checked).
    pub used: bool,
}

/// A rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Where it is in the rule set, e.g. `rules[1].rules[0]`.
    pub location: String,
    /// Its conditions, in order (conditions that always hold and bind nothing are dropped).
    pub conditions: Vec<Condition>,
    /// What it yields when they hold.
    pub body: Body,
}

impl Rule {
    /// Whether the rule's conditions always hold, so that later rules are never tried.
    pub fn always_applies(&self) -> bool {
        self.conditions.iter().all(|c| !c.can_fail())
    }
}

/// What a rule yields.
#[derive(Clone, Debug)]
pub enum Body {
    /// An endpoint URL (a string expression).
    Endpoint(Expr),
    /// An error with this message (a string expression).
    Error(Expr),
    /// Sub-rules, which must yield something.
    Tree(Vec<Rule>),
}

/// A condition: a value that must be set and not `false`, optionally bound to a variable for
/// the rest of the rule.
#[derive(Clone, Debug)]
pub struct Condition {
    /// The value tested.
    pub value: Expr,
    /// The variable it is bound to (the set value, for an optional one), if anything reads it.
    pub bind: Option<String>,
    /// `isSet` of a reference: holds when the value is set, whatever it is (an optional
    /// boolean set to `false` too), and the reference is set for the rest of the rule.
    pub narrowing: bool,
}

impl Condition {
    /// Whether the condition can fail: the value may be unset or is a boolean.
    pub fn can_fail(&self) -> bool {
        self.value.ty.optional
            || (self.value.ty.base == Base::Bool
                && !matches!(self.value.kind, ExprKind::Bool(true)))
    }
}

/// A typed expression.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its type.
    pub ty: Ty,
}

/// A template piece.
#[derive(Clone, Debug)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// A set string value.
    Value(Expr),
}

/// The expressions, as the emitter needs them.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A boolean literal.
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// A string without placeholders.
    Str(String),
    /// A string with placeholders (each a set string).
    Template(Vec<Part>),
    /// A parameter or variable, by Rust name.
    Var(String),
    /// A record attribute: the Rust field and whether it is a `&'static str`.
    Field {
        /// The (set) record.
        base: Box<Expr>,
        /// The Rust field name.
        field: &'static str,
        /// Whether the field is a `&'static str` rather than a `String`.
        static_str: bool,
    },
    /// An element of a string array (unset when out of range).
    Index {
        /// The (set) array.
        base: Box<Expr>,
        /// The index, from the end when negative.
        index: i64,
    },
    /// The value of an optional expression, or a run-time evaluation error with `message`.
    Unwrap {
        /// The optional value.
        inner: Box<Expr>,
        /// The error message (the interpreter's, with location).
        message: String,
    },
    /// `isSet` of an optional value.
    IsSet(Box<Expr>),
    /// `not`.
    Not(Box<Expr>),
    /// `booleanEquals`.
    BoolEquals(Box<Expr>, Box<Expr>),
    /// `stringEquals`.
    StrEquals(Box<Expr>, Box<Expr>),
    /// `coalesce`: the first set value.
    Coalesce(Vec<Expr>),
    /// `ite`.
    Ite(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A library function of `lambda_sdk_runtime::endpoint_rules::functions` (arguments are set).
    Call {
        /// The Rust function name, e.g. `parse_url`.
        function: &'static str,
        /// Its arguments.
        args: Vec<Expr>,
    },
    /// `split`, whose bad delimiter or limit is a run-time error.
    Split {
        /// Value, delimiter, limit.
        args: Vec<Expr>,
        /// For the error message.
        location: String,
    },
}

/// A name in scope during lowering.
struct Binding {
    name: String,
    var: String,
    ty: Ty,
}

struct Lowering<'a> {
    service: &'a str,
    scope: Vec<Binding>,
    names: std::collections::BTreeSet<(String, String)>,
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

fn kind(json: &Value) -> &'static str {
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
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The Rust variable for a rule set name: snake_case, never a keyword or `params` (the
/// function's argument).
fn var_name(name: &str) -> String {
    let snake = naming::snake_bare(name);
    if snake == "params" || naming::is_keyword(&snake) {
        format!("{snake}_")
    } else {
        snake
    }
}

impl Lowering<'_> {
    fn error(&self, location: &str, message: impl std::fmt::Display) -> Error {
        Error::shape(
            self.service,
            format!("smithy.rules#endpointRuleSet: {location}: {message}"),
        )
    }

    fn rule_set(&mut self, json: &Value) -> Result<Rules, Error> {
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

    fn parameter(&self, name: &str, definition: &Value) -> Result<Param, Error> {
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
    fn bind(&mut self, name: &str, var: &str, ty: Ty, location: &str) -> Result<(), Error> {
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

    fn lookup(&self, name: &str, location: &str) -> Result<(String, Ty), Error> {
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

    fn rules(&mut self, json: Option<&Value>, location: &str) -> Result<Vec<Rule>, Error> {
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

    fn rule(&mut self, json: &Value, location: &str) -> Result<Rule, Error> {
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
    fn condition(&mut self, json: &Value, location: &str) -> Result<Condition, Error> {
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

    fn endpoint(&self, spec: &Map<String, Value>, location: &str) -> Result<Expr, Error> {
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

    /// An expression that must be a set string (`what`: the endpoint URL, the error message).
    fn string(&self, json: &Value, location: &str, what: &str) -> Result<Expr, Error> {
        let expr = self.expr(json, location)?;
        if expr.ty.base != Base::Str {
            return Err(self.error(
                location,
                format!("expected a string, found {}", expr.ty.name()),
            ));
        }
        Ok(unwrap(expr, format!("{what} evaluated to an unset value")))
    }

    fn expr(&self, json: &Value, location: &str) -> Result<Expr, Error> {
        Ok(match json {
            Value::String(s) => self.template(s, location)?,
            Value::Bool(b) => Expr {
                kind: ExprKind::Bool(*b),
                ty: Ty::set(Base::Bool),
            },
            Value::Number(n) => match n.as_i64() {
                Some(i) => Expr {
                    kind: ExprKind::Int(i),
                    ty: Ty::set(Base::Int),
                },
                None => return Err(self.error(location, format!("`{n}` is not an integer"))),
            },
            Value::Object(obj) => {
                if let Some(reference) = obj.get("ref") {
                    let Value::String(name) = reference else {
                        return Err(self.error(location, "`ref` must be a string"));
                    };
                    let (var, ty) = self.lookup(name, location)?;
                    Expr {
                        kind: ExprKind::Var(var),
                        ty,
                    }
                } else if obj.contains_key("fn") {
                    self.call(obj, location)?
                } else {
                    return Err(self.error(
                        location,
                        "expected a reference (`ref`) or a function call (`fn`) object",
                    ));
                }
            }
            other => {
                return Err(self.error(
                    location,
                    format!("{} is not a supported expression", kind(other)),
                ));
            }
        })
    }

    fn template(&self, s: &str, location: &str) -> Result<Expr, Error> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = s;
        while let Some(at) = rest.find(['{', '}']) {
            text.push_str(&rest[..at]);
            let tail = &rest[at..];
            if let Some(after) = tail.strip_prefix("{{") {
                text.push('{');
                rest = after;
            } else if let Some(after) = tail.strip_prefix("}}") {
                text.push('}');
                rest = after;
            } else if let Some(after) = tail.strip_prefix('{') {
                let close = after.find('}').ok_or_else(|| {
                    self.error(
                        location,
                        format!("template {s:?}: unclosed `{{` (write `{{{{` for a literal brace)"),
                    )
                })?;
                let inner = &after[..close];
                let (name, path) = match inner.split_once('#') {
                    Some((name, path)) => (name, Some(path)),
                    None => (inner, None),
                };
                if !is_identifier(name) {
                    return Err(self.error(
                        location,
                        format!("template {s:?}: `{{{inner}}}` does not start with a parameter or variable name"),
                    ));
                }
                let (var, ty) = self.lookup(name, location)?;
                let base = Expr {
                    kind: ExprKind::Var(var),
                    ty,
                };
                let source = format!("{{{inner}}}");
                let base = unwrap(
                    base,
                    format!("{location}: template placeholder `{source}`: `{name}` is not set"),
                );
                let value = match path {
                    None => base,
                    Some(path) => {
                        let value = self.get_attr(base, path, location)?;
                        unwrap(
                            value,
                            format!("{location}: template placeholder `{source}` has no value"),
                        )
                    }
                };
                if value.ty.base != Base::Str {
                    return Err(self.error(
                        location,
                        format!(
                            "template placeholder `{source}` is {}, not a string",
                            value.ty.base.name()
                        ),
                    ));
                }
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Value(value));
                rest = &after[close + 1..];
            } else {
                return Err(self.error(
                    location,
                    format!("template {s:?}: unmatched `}}` (write `}}}}` for a literal brace)"),
                ));
            }
        }
        text.push_str(rest);
        let kind = if parts.is_empty() {
            ExprKind::Str(text)
        } else {
            if !text.is_empty() {
                parts.push(Part::Text(text));
            }
            ExprKind::Template(parts)
        };
        Ok(Expr {
            kind,
            ty: Ty::set(Base::Str),
        })
    }

    /// `getAttr(base, path)`: keys into records, `[i]` into string arrays.
    fn get_attr(&self, base: Expr, path: &str, location: &str) -> Result<Expr, Error> {
        let mut current = unwrap(
            base,
            format!(
                "{location}: argument 1 of `getAttr` is not set (check it with `isSet` or assign it in an earlier condition)"
            ),
        );
        if path.is_empty() {
            return Err(self.error(location, "empty `getAttr` path"));
        }
        for part in path.split('.') {
            let (key, mut indexes) = match part.find('[') {
                Some(open) => (&part[..open], &part[open..]),
                None => (part, ""),
            };
            if !key.is_empty() {
                if current.ty.optional {
                    return Err(self.error(
                        location,
                        format!("path `{path}`: `{key}` follows a value that may be unset"),
                    ));
                }
                let attributes = current.ty.base.attributes();
                let Some((_, field, ty, static_str)) = attributes.iter().find(|a| a.0 == key)
                else {
                    let known: Vec<&str> = attributes.iter().map(|a| a.0).collect();
                    return Err(self.error(
                        location,
                        if known.is_empty() {
                            format!(
                                "path `{path}`: {} has no attributes",
                                current.ty.base.name()
                            )
                        } else {
                            format!(
                                "path `{path}`: {} has no attribute `{key}` (it has: {})",
                                current.ty.base.name(),
                                known.join(", ")
                            )
                        },
                    ));
                };
                current = Expr {
                    kind: ExprKind::Field {
                        base: Box::new(current),
                        field,
                        static_str: *static_str,
                    },
                    ty: Ty::set(*ty),
                };
            } else if indexes.is_empty() {
                return Err(self.error(location, format!("path `{path}` has an empty key")));
            }
            while !indexes.is_empty() {
                let (inner, after) = indexes
                    .strip_prefix('[')
                    .and_then(|s| s.split_once(']'))
                    .ok_or_else(|| {
                        self.error(location, format!("path `{path}`: expected `[index]`"))
                    })?;
                let index: i64 = inner.parse().map_err(|_| {
                    self.error(
                        location,
                        format!("path `{path}`: `{inner}` is not an integer index"),
                    )
                })?;
                if current.ty != Ty::set(Base::StrArray) {
                    return Err(self.error(
                        location,
                        format!(
                            "path `{path}`: `[{index}]` indexes {}, not a string array",
                            current.ty.name()
                        ),
                    ));
                }
                current = Expr {
                    kind: ExprKind::Index {
                        base: Box::new(current),
                        index,
                    },
                    ty: Ty {
                        base: Base::Str,
                        optional: true,
                    },
                };
                indexes = after;
            }
        }
        Ok(current)
    }

    fn call(&self, obj: &Map<String, Value>, location: &str) -> Result<Expr, Error> {
        let name = obj
            .get("fn")
            .and_then(Value::as_str)
            .ok_or_else(|| self.error(location, "`fn` must be a string"))?;
        let argv: &[Value] = obj
            .get("argv")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .ok_or_else(|| self.error(location, format!("`{name}` is missing its `argv` array")))?;
        let arity = |n: usize| -> Result<(), Error> {
            if argv.len() == n {
                Ok(())
            } else {
                Err(self.error(
                    location,
                    format!("`{name}` takes {n} argument(s), found {}", argv.len()),
                ))
            }
        };
        if name == "getAttr" {
            arity(2)?;
            let Value::String(path) = &argv[1] else {
                return Err(self.error(location, "the `getAttr` path must be a string literal"));
            };
            let target = self.expr(&argv[0], &format!("{location}.argv[0]"))?;
            return self.get_attr(target, path, location);
        }
        let mut args = Vec::with_capacity(argv.len());
        for (i, arg) in argv.iter().enumerate() {
            args.push(self.expr(arg, &format!("{location}.argv[{i}]"))?);
        }
        // Arguments of a fixed type, each of which must be set at run time.
        let typed = |args: Vec<Expr>, types: &[Base]| -> Result<Vec<Expr>, Error> {
            if args.len() != types.len() {
                return Err(self.error(
                    location,
                    format!(
                        "`{name}` takes {} argument(s), found {}",
                        types.len(),
                        args.len()
                    ),
                ));
            }
            args.into_iter()
                .zip(types)
                .enumerate()
                .map(|(i, (arg, expected))| {
                    if arg.ty.base != *expected {
                        return Err(self.error(
                            &format!("{location}.argv[{i}]"),
                            format!("`{name}` expects {} here, found {}", expected.name(), arg.ty.name()),
                        ));
                    }
                    Ok(unwrap(
                        arg,
                        format!(
                            "{location}: argument {} of `{name}` is not set (check it with `isSet` or assign it in an earlier condition)",
                            i + 1
                        ),
                    ))
                })
                .collect()
        };
        let boxed = |mut args: Vec<Expr>| -> (Box<Expr>, Box<Expr>) {
            let b = args.pop().map(Box::new);
            let a = args.pop().map(Box::new);
            match (a, b) {
                (Some(a), Some(b)) => (a, b),
                _ => unreachable!("arity checked"),
            }
        };
        let library = |function: &'static str, result: Ty, args: Vec<Expr>| Expr {
            kind: ExprKind::Call { function, args },
            ty: result,
        };
        let set = Ty::set;
        let maybe = |base| Ty {
            base,
            optional: true,
        };
        Ok(match name {
            "isSet" => {
                arity(1)?;
                let arg = args.remove(0);
                if arg.ty.optional || arg.may_err() {
                    Expr {
                        kind: ExprKind::IsSet(Box::new(arg)),
                        ty: set(Base::Bool),
                    }
                } else {
                    Expr {
                        kind: ExprKind::Bool(true),
                        ty: set(Base::Bool),
                    }
                }
            }
            "not" => {
                let mut args = typed(args, &[Base::Bool])?;
                Expr {
                    kind: ExprKind::Not(Box::new(args.remove(0))),
                    ty: set(Base::Bool),
                }
            }
            "booleanEquals" => {
                let (a, b) = boxed(typed(args, &[Base::Bool, Base::Bool])?);
                Expr {
                    kind: ExprKind::BoolEquals(a, b),
                    ty: set(Base::Bool),
                }
            }
            "stringEquals" => {
                let (a, b) = boxed(typed(args, &[Base::Str, Base::Str])?);
                Expr {
                    kind: ExprKind::StrEquals(a, b),
                    ty: set(Base::Bool),
                }
            }
            "coalesce" => {
                if args.len() < 2 {
                    return Err(self.error(
                        location,
                        format!(
                            "`coalesce` takes at least 2 arguments, found {}",
                            args.len()
                        ),
                    ));
                }
                let base = args[0].ty.base;
                if let Some((i, odd)) = args.iter().enumerate().find(|(_, a)| a.ty.base != base) {
                    return Err(self.error(
                        &format!("{location}.argv[{i}]"),
                        format!(
                            "`coalesce` arguments must share one type: {} and {}",
                            base.name(),
                            odd.ty.base.name()
                        ),
                    ));
                }
                // Arguments after the first that is always set are never reached.
                if let Some(first_set) = args.iter().position(|a| !a.ty.optional) {
                    args.truncate(first_set + 1);
                }
                let optional = args.iter().all(|a| a.ty.optional);
                if args.len() == 1 {
                    args.remove(0)
                } else {
                    Expr {
                        kind: ExprKind::Coalesce(args),
                        ty: Ty { base, optional },
                    }
                }
            }
            "ite" => {
                arity(3)?;
                let when_false = args.pop();
                let when_true = args.pop();
                let condition = typed(args, &[Base::Bool])?.pop();
                let (Some(condition), Some(when_true), Some(when_false)) =
                    (condition, when_true, when_false)
                else {
                    unreachable!("arity checked")
                };
                if when_true.ty.base != when_false.ty.base {
                    return Err(self.error(
                        location,
                        format!(
                            "the `ite` branches must share one type, found {} and {}",
                            when_true.ty.name(),
                            when_false.ty.name()
                        ),
                    ));
                }
                let ty = Ty {
                    base: when_true.ty.base,
                    optional: when_true.ty.optional || when_false.ty.optional,
                };
                Expr {
                    kind: ExprKind::Ite(
                        Box::new(condition),
                        Box::new(when_true),
                        Box::new(when_false),
                    ),
                    ty,
                }
            }
            "parseURL" => library("parse_url", maybe(Base::Url), typed(args, &[Base::Str])?),
            "substring" => library(
                "substring",
                maybe(Base::Str),
                typed(args, &[Base::Str, Base::Int, Base::Int, Base::Bool])?,
            ),
            "uriEncode" => library("uri_encode", set(Base::Str), typed(args, &[Base::Str])?),
            "isValidHostLabel" => library(
                "is_valid_host_label",
                set(Base::Bool),
                typed(args, &[Base::Str, Base::Bool])?,
            ),
            "split" => Expr {
                kind: ExprKind::Split {
                    args: typed(args, &[Base::Str, Base::Str, Base::Int])?,
                    location: location.to_string(),
                },
                ty: set(Base::StrArray),
            },
            "aws.partition" => library(
                "partition",
                set(Base::Partition),
                typed(args, &[Base::Str])?,
            ),
            "aws.parseArn" => library("parse_arn", maybe(Base::Arn), typed(args, &[Base::Str])?),
            "aws.isVirtualHostableS3Bucket" => library(
                "is_virtual_hostable_s3_bucket",
                set(Base::Bool),
                typed(args, &[Base::Str, Base::Bool])?,
            ),
            other => {
                return Err(self.error(
                    location,
                    format!(
                        "unknown function `{other}` (supported: booleanEquals, coalesce, getAttr, isSet, isValidHostLabel, ite, not, parseURL, split, stringEquals, substring, uriEncode, aws.partition, aws.parseArn, aws.isVirtualHostableS3Bucket)"
                    ),
                ));
            }
        })
    }
}

/// Drops the rules after one that always applies, and in each rule the bindings nothing reads
/// and then the conditions that can neither fail nor err. Returns what is left and the
/// variables it reads from outside (the parameters, at the top).
fn prune_list(rules: Vec<Rule>) -> (Vec<Rule>, BTreeSet<String>) {
    let mut kept = Vec::with_capacity(rules.len());
    let mut free = BTreeSet::new();
    for rule in rules {
        let always = rule.always_applies();
        let (rule, reads) = prune_rule(rule);
        free.extend(reads);
        kept.push(rule);
        if always {
            break;
        }
    }
    (kept, free)
}

fn prune_rule(rule: Rule) -> (Rule, BTreeSet<String>) {
    let mut needed = BTreeSet::new();
    let body = match rule.body {
        Body::Tree(rules) => {
            let (rules, free) = prune_list(rules);
            needed = free;
            Body::Tree(rules)
        }
        Body::Endpoint(url) => {
            url.reads(&mut needed);
            Body::Endpoint(url)
        }
        Body::Error(message) => {
            message.reads(&mut needed);
            Body::Error(message)
        }
    };
    let mut conditions = Vec::with_capacity(rule.conditions.len());
    for mut condition in rule.conditions.into_iter().rev() {
        // A binding nothing later in the rule reads binds nothing.
        if let Some(var) = &condition.bind
            && !needed.remove(var)
        {
            condition.bind = None;
        }
        if condition.bind.is_none() && !condition.can_fail() && !condition.value.may_err() {
            continue;
        }
        condition.value.reads(&mut needed);
        conditions.push(condition);
    }
    conditions.reverse();
    let rule = Rule {
        location: rule.location,
        conditions,
        body,
    };
    (rule, needed)
}

impl Expr {
    /// Adds the variables the expression reads.
    fn reads(&self, out: &mut BTreeSet<String>) {
        match &self.kind {
            ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Str(_) => {}
            ExprKind::Var(var) => {
                out.insert(var.clone());
            }
            ExprKind::Template(parts) => {
                for part in parts {
                    if let Part::Value(value) = part {
                        value.reads(out);
                    }
                }
            }
            ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => base.reads(out),
            ExprKind::Unwrap { inner, .. } | ExprKind::IsSet(inner) | ExprKind::Not(inner) => {
                inner.reads(out)
            }
            ExprKind::BoolEquals(a, b) | ExprKind::StrEquals(a, b) => {
                a.reads(out);
                b.reads(out);
            }
            ExprKind::Ite(a, b, c) => {
                a.reads(out);
                b.reads(out);
                c.reads(out);
            }
            ExprKind::Coalesce(args)
            | ExprKind::Call { args, .. }
            | ExprKind::Split { args, .. } => {
                for arg in args {
                    arg.reads(out);
                }
            }
        }
    }

    /// Whether evaluating it can end resolution with an error (an unset value where one is
    /// needed, a bad `split`).
    pub fn may_err(&self) -> bool {
        match &self.kind {
            ExprKind::Unwrap { .. } | ExprKind::Split { .. } => true,
            ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Str(_) | ExprKind::Var(_) => false,
            ExprKind::Template(parts) => parts
                .iter()
                .any(|p| matches!(p, Part::Value(v) if v.may_err())),
            ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => base.may_err(),
            ExprKind::IsSet(inner) | ExprKind::Not(inner) => inner.may_err(),
            ExprKind::BoolEquals(a, b) | ExprKind::StrEquals(a, b) => a.may_err() || b.may_err(),
            ExprKind::Ite(a, b, c) => a.may_err() || b.may_err() || c.may_err(),
            ExprKind::Coalesce(args) | ExprKind::Call { args, .. } => {
                args.iter().any(Expr::may_err)
            }
        }
    }
}

/// `expr`, set: unchanged when it always is, else unwrapped with a run-time error.
fn unwrap(expr: Expr, message: String) -> Expr {
    if !expr.ty.optional {
        return expr;
    }
    let ty = Ty::set(expr.ty.base);
    Expr {
        kind: ExprKind::Unwrap {
            inner: Box::new(expr),
            message: format!("endpoint resolution failed: {message}"),
        },
        ty,
    }
}
