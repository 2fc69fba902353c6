//! Rule set JSON to a typed tree, checked once: rule types, function names and arities,
//! literal argument types, references and template variables in scope, parameter defaults.

use serde_json::{Map, Value as Json};

use super::{ParamType, ParamValue, Parameter, RulesError};

/// A static type, as far as it is known before evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Str,
    Bool,
    Int,
    Array,
    Record,
    /// Not known statically (`getAttr` results, `coalesce` of unknowns).
    Any,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::Bool => "a boolean",
            Ty::Int => "an integer",
            Ty::Array => "an array",
            Ty::Record => "a record",
            Ty::Any => "any value",
        }
    }

    /// Whether a value of type `actual` may stand where `self` is expected.
    fn accepts(self, actual: Ty) -> bool {
        self == Ty::Any || actual == Ty::Any || self == actual
    }

    /// The common type of two alternatives (`ite` branches, `coalesce` arguments).
    fn join(self, other: Ty) -> Option<Ty> {
        match (self, other) {
            (Ty::Any, t) | (t, Ty::Any) => Some(t),
            (a, b) if a == b => Some(a),
            _ => None,
        }
    }
}

impl ParamType {
    fn ty(self) -> Ty {
        match self {
            ParamType::String => Ty::Str,
            ParamType::Boolean => Ty::Bool,
            ParamType::StringArray => Ty::Array,
        }
    }
}

/// A rule: conditions, then an endpoint, an error or nested rules.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub(crate) conditions: Vec<Condition>,
    pub(crate) kind: RuleKind,
    /// Where the rule is in the rule set, e.g. `rules[1].rules[0]`.
    pub(crate) location: String,
}

/// What a rule yields once its conditions hold.
#[derive(Clone, Debug)]
pub(crate) enum RuleKind {
    Endpoint(EndpointSpec),
    Error(Expr),
    Tree(Vec<Rule>),
}

/// The `endpoint` object of an endpoint rule.
#[derive(Clone, Debug)]
pub(crate) struct EndpointSpec {
    pub(crate) url: Expr,
    pub(crate) headers: Vec<(String, Vec<Expr>)>,
    pub(crate) properties: Vec<(String, Property)>,
}

/// A value in an endpoint's `properties`: literals whose strings are templates.
#[derive(Clone, Debug)]
pub(crate) enum Property {
    Str(Template),
    Bool(bool),
    Number(serde_json::Number),
    Array(Vec<Property>),
    Object(Vec<(String, Property)>),
}

/// A condition: a function call whose result must be set and not `false`, optionally
/// assigned to a name for the rest of the rule.
#[derive(Clone, Debug)]
pub(crate) struct Condition {
    pub(crate) call: Call,
    pub(crate) assign: Option<String>,
}

/// An expression: an `argv` element, an endpoint URL, a header value or an error message.
#[derive(Clone, Debug)]
pub(crate) enum Expr {
    Bool(bool),
    Int(i64),
    Template(Template),
    Ref(String),
    Call(Box<Call>),
    Array(Vec<Expr>),
}

/// A function call (`{"fn": …, "argv": […]}`).
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) func: Func,
    pub(crate) args: Vec<Expr>,
    /// Where the call is, for error messages.
    pub(crate) location: String,
}

/// The functions this engine knows: the Smithy standard library and the AWS extensions.
#[derive(Clone, Debug)]
pub(crate) enum Func {
    BooleanEquals,
    Coalesce,
    /// `getAttr`, with its path parsed; its one argument is the target.
    GetAttr(Vec<PathSeg>),
    IsSet,
    IsValidHostLabel,
    Ite,
    Not,
    ParseUrl,
    Split,
    StringEquals,
    Substring,
    UriEncode,
    AwsPartition,
    AwsParseArn,
    AwsIsVirtualHostableS3Bucket,
}

/// Every function name, for the "unknown function" message.
const FUNCTION_NAMES: &[&str] = &[
    "aws.isVirtualHostableS3Bucket",
    "aws.parseArn",
    "aws.partition",
    "booleanEquals",
    "coalesce",
    "getAttr",
    "isSet",
    "isValidHostLabel",
    "ite",
    "not",
    "parseURL",
    "split",
    "stringEquals",
    "substring",
    "uriEncode",
];

impl Func {
    /// The function's name in rule sets.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Func::BooleanEquals => "booleanEquals",
            Func::Coalesce => "coalesce",
            Func::GetAttr(_) => "getAttr",
            Func::IsSet => "isSet",
            Func::IsValidHostLabel => "isValidHostLabel",
            Func::Ite => "ite",
            Func::Not => "not",
            Func::ParseUrl => "parseURL",
            Func::Split => "split",
            Func::StringEquals => "stringEquals",
            Func::Substring => "substring",
            Func::UriEncode => "uriEncode",
            Func::AwsPartition => "aws.partition",
            Func::AwsParseArn => "aws.parseArn",
            Func::AwsIsVirtualHostableS3Bucket => "aws.isVirtualHostableS3Bucket",
        }
    }

    /// The function named `name`, other than `getAttr` (parsed on its own).
    fn by_name(name: &str) -> Option<Func> {
        Some(match name {
            "booleanEquals" => Func::BooleanEquals,
            "coalesce" => Func::Coalesce,
            "isSet" => Func::IsSet,
            "isValidHostLabel" => Func::IsValidHostLabel,
            "ite" => Func::Ite,
            "not" => Func::Not,
            "parseURL" => Func::ParseUrl,
            "split" => Func::Split,
            "stringEquals" => Func::StringEquals,
            "substring" => Func::Substring,
            "uriEncode" => Func::UriEncode,
            "aws.partition" => Func::AwsPartition,
            "aws.parseArn" => Func::AwsParseArn,
            "aws.isVirtualHostableS3Bucket" => Func::AwsIsVirtualHostableS3Bucket,
            _ => return None,
        })
    }

    /// Parameter types and result type of the fixed-arity functions.
    fn signature(&self) -> Option<(&'static [Ty], Ty)> {
        Some(match self {
            Func::BooleanEquals => (&[Ty::Bool, Ty::Bool], Ty::Bool),
            Func::StringEquals => (&[Ty::Str, Ty::Str], Ty::Bool),
            Func::IsSet => (&[Ty::Any], Ty::Bool),
            Func::Not => (&[Ty::Bool], Ty::Bool),
            Func::IsValidHostLabel => (&[Ty::Str, Ty::Bool], Ty::Bool),
            Func::ParseUrl => (&[Ty::Str], Ty::Record),
            Func::Substring => (&[Ty::Str, Ty::Int, Ty::Int, Ty::Bool], Ty::Str),
            Func::UriEncode => (&[Ty::Str], Ty::Str),
            Func::Split => (&[Ty::Str, Ty::Str, Ty::Int], Ty::Array),
            Func::AwsPartition => (&[Ty::Str], Ty::Record),
            Func::AwsParseArn => (&[Ty::Str], Ty::Record),
            Func::AwsIsVirtualHostableS3Bucket => (&[Ty::Str, Ty::Bool], Ty::Bool),
            Func::Coalesce | Func::Ite | Func::GetAttr(_) => return None,
        })
    }
}

/// A string with `{Name}` / `{Name#path}` placeholders; `{{` and `}}` stand for braces.
#[derive(Clone, Debug)]
pub(crate) struct Template {
    pub(crate) parts: Vec<TemplatePart>,
    /// Where the template is, for error messages.
    pub(crate) location: String,
}

/// A piece of a [`Template`].
#[derive(Clone, Debug)]
pub(crate) enum TemplatePart {
    Literal(String),
    Var {
        name: String,
        path: Vec<PathSeg>,
        /// The placeholder as written, e.g. `{PartitionResult#dnsSuffix}`.
        source: String,
    },
}

/// A step of a `getAttr` path: a record key or an array index (negative counts from the end).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PathSeg {
    Key(String),
    Index(i64),
}

/// Names in scope while parsing: parameters first, then assigned variables.
type Scope = Vec<(String, Ty)>;

fn invalid(location: &str, message: impl std::fmt::Display) -> RulesError {
    if location.is_empty() {
        crate::invalid_rule_set(message.to_string())
    } else {
        crate::invalid_rule_set(format!("{location}: {message}"))
    }
}

fn json_kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Parameter and variable names: a letter, then letters, digits or `_`.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A parsed rule set: version, parameters, rules.
pub(crate) struct Parsed {
    pub(crate) version: String,
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) rules: Vec<Rule>,
}

/// Parses and checks a whole rule set.
pub(crate) fn rule_set(json: &Json) -> Result<Parsed, RulesError> {
    let obj = json
        .as_object()
        .ok_or_else(|| invalid("", format!("expected an object, found {}", json_kind(json))))?;
    let version = match obj.get("version") {
        Some(Json::String(v)) => v.clone(),
        Some(other) => {
            return Err(invalid(
                "version",
                format!("expected a string, found {}", json_kind(other)),
            ));
        }
        None => return Err(invalid("", "missing `version`")),
    };
    if !(version == "1" || version.starts_with("1.")) {
        return Err(invalid(
            "version",
            format!("unsupported rule set version `{version}` (this engine implements 1.x)"),
        ));
    }
    let params_json = match obj.get("parameters") {
        Some(Json::Object(params)) => params,
        Some(other) => {
            return Err(invalid(
                "parameters",
                format!("expected an object, found {}", json_kind(other)),
            ));
        }
        None => return Err(invalid("", "missing `parameters`")),
    };
    let mut parameters: Vec<Parameter> = Vec::with_capacity(params_json.len());
    for (name, definition) in params_json {
        let parameter = parameter(name, definition)?;
        if let Some(clash) = parameters
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
        {
            return Err(invalid(
                &format!("parameters.{name}"),
                format!(
                    "parameter names must be unique ignoring case; `{}` is already declared",
                    clash.name
                ),
            ));
        }
        parameters.push(parameter);
    }
    let mut scope: Scope = parameters
        .iter()
        .map(|p| (p.name.clone(), p.param_type.ty()))
        .collect();
    let rules = rules(obj.get("rules"), "rules", &mut scope)?;
    Ok(Parsed {
        version,
        parameters,
        rules,
    })
}

fn parameter(name: &str, definition: &Json) -> Result<Parameter, RulesError> {
    let location = format!("parameters.{name}");
    if !is_identifier(name) {
        return Err(invalid(
            &location,
            "a parameter name must be a letter followed by letters, digits or `_`",
        ));
    }
    let obj = definition.as_object().ok_or_else(|| {
        invalid(
            &location,
            format!("expected an object, found {}", json_kind(definition)),
        )
    })?;
    let type_name = optional_str(obj, "type", &location)?
        .ok_or_else(|| invalid(&location, "missing `type`"))?;
    // Older rule sets spell the types `String` and `Boolean`.
    let param_type = match type_name.to_ascii_lowercase().as_str() {
        "string" => ParamType::String,
        "boolean" => ParamType::Boolean,
        "stringarray" => ParamType::StringArray,
        _ => {
            return Err(invalid(
                &location,
                format!(
                    "unknown parameter type `{type_name}` (expected `string`, `boolean` or `stringArray`)"
                ),
            ));
        }
    };
    let required = match obj.get("required") {
        None => false,
        Some(Json::Bool(b)) => *b,
        Some(other) => {
            return Err(invalid(
                &format!("{location}.required"),
                format!("expected a boolean, found {}", json_kind(other)),
            ));
        }
    };
    let default = match obj.get("default") {
        None | Some(Json::Null) => None,
        Some(value) => Some(
            ParamValue::from_json(value)
                .filter(|v| v.param_type() == param_type)
                .ok_or_else(|| {
                    invalid(
                        &format!("{location}.default"),
                        format!(
                            "the default must be {} like the parameter, found {}",
                            param_type.article_name(),
                            json_kind(value)
                        ),
                    )
                })?,
        ),
    };
    Ok(Parameter {
        name: name.to_string(),
        param_type,
        built_in: optional_str(obj, "builtIn", &location)?.map(str::to_string),
        required,
        default,
        documentation: optional_str(obj, "documentation", &location)?.map(str::to_string),
        deprecated: obj.get("deprecated").is_some_and(|d| !d.is_null()),
    })
}

fn optional_str<'j>(
    obj: &'j Map<String, Json>,
    key: &str,
    location: &str,
) -> Result<Option<&'j str>, RulesError> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(other) => Err(invalid(
            &format!("{location}.{key}"),
            format!("expected a string, found {}", json_kind(other)),
        )),
    }
}

fn rules(json: Option<&Json>, location: &str, scope: &mut Scope) -> Result<Vec<Rule>, RulesError> {
    let items = match json {
        Some(Json::Array(items)) => items,
        Some(other) => {
            return Err(invalid(
                location,
                format!("expected an array of rules, found {}", json_kind(other)),
            ));
        }
        None => return Err(invalid(location, "missing")),
    };
    if items.is_empty() {
        return Err(invalid(location, "a rule list must hold at least one rule"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| rule(item, &format!("{location}[{i}]"), scope))
        .collect()
}

fn rule(json: &Json, location: &str, scope: &mut Scope) -> Result<Rule, RulesError> {
    let obj = json.as_object().ok_or_else(|| {
        invalid(
            location,
            format!("a rule must be an object, found {}", json_kind(json)),
        )
    })?;
    let rule_type =
        optional_str(obj, "type", location)?.ok_or_else(|| invalid(location, "missing `type`"))?;
    if !matches!(rule_type, "endpoint" | "error" | "tree") {
        return Err(invalid(
            location,
            format!("unknown rule type `{rule_type}` (expected `endpoint`, `error` or `tree`)"),
        ));
    }
    let mark = scope.len();
    let result = rule_body(obj, rule_type, location, scope);
    scope.truncate(mark);
    result
}

fn rule_body(
    obj: &Map<String, Json>,
    rule_type: &str,
    location: &str,
    scope: &mut Scope,
) -> Result<Rule, RulesError> {
    let conditions_json: &[Json] = match obj.get("conditions") {
        None => &[],
        Some(Json::Array(items)) => items,
        Some(other) => {
            return Err(invalid(
                &format!("{location}.conditions"),
                format!("expected an array, found {}", json_kind(other)),
            ));
        }
    };
    let mut conditions = Vec::with_capacity(conditions_json.len());
    for (i, item) in conditions_json.iter().enumerate() {
        conditions.push(condition(
            item,
            &format!("{location}.conditions[{i}]"),
            scope,
        )?);
    }
    let kind = match rule_type {
        "endpoint" => {
            let endpoint_location = format!("{location}.endpoint");
            match obj.get("endpoint") {
                Some(Json::Object(endpoint)) => {
                    RuleKind::Endpoint(endpoint_spec(endpoint, &endpoint_location, scope)?)
                }
                Some(other) => {
                    return Err(invalid(
                        &endpoint_location,
                        format!("expected an object, found {}", json_kind(other)),
                    ));
                }
                None => return Err(invalid(location, "an endpoint rule needs `endpoint`")),
            }
        }
        "error" => {
            let error_location = format!("{location}.error");
            let json = obj
                .get("error")
                .ok_or_else(|| invalid(location, "an error rule needs `error`"))?;
            RuleKind::Error(string_expr(json, &error_location, scope)?)
        }
        _ => RuleKind::Tree(rules(
            obj.get("rules"),
            &format!("{location}.rules"),
            scope,
        )?),
    };
    Ok(Rule {
        conditions,
        kind,
        location: location.to_string(),
    })
}

fn condition(json: &Json, location: &str, scope: &mut Scope) -> Result<Condition, RulesError> {
    let obj = json.as_object().ok_or_else(|| {
        invalid(
            location,
            format!(
                "a condition must be a function object, found {}",
                json_kind(json)
            ),
        )
    })?;
    if !obj.contains_key("fn") {
        return Err(invalid(
            location,
            "a condition must be a function object (`fn`)",
        ));
    }
    let (call, ty) = call(obj, location, scope)?;
    let assign = match optional_str(obj, "assign", location)? {
        None => None,
        Some(name) => {
            if !is_identifier(name) {
                return Err(invalid(
                    &format!("{location}.assign"),
                    format!("`{name}` is not a valid variable name"),
                ));
            }
            if scope.iter().any(|(existing, _)| existing == name) {
                return Err(invalid(
                    &format!("{location}.assign"),
                    format!("`{name}` is already a parameter or variable in scope"),
                ));
            }
            // Bound for the rest of the rule (evaluation binds it only when the condition holds).
            scope.push((name.to_string(), ty));
            Some(name.to_string())
        }
    };
    Ok(Condition { call, assign })
}

fn endpoint_spec(
    obj: &Map<String, Json>,
    location: &str,
    scope: &Scope,
) -> Result<EndpointSpec, RulesError> {
    let url_json = obj
        .get("url")
        .ok_or_else(|| invalid(location, "missing `url`"))?;
    let url = string_expr(url_json, &format!("{location}.url"), scope)?;
    let mut headers = Vec::new();
    match obj.get("headers") {
        None | Some(Json::Null) => {}
        Some(Json::Object(map)) => {
            for (name, values) in map {
                let header_location = format!("{location}.headers.{name}");
                let Json::Array(values) = values else {
                    return Err(invalid(
                        &header_location,
                        format!("expected an array of values, found {}", json_kind(values)),
                    ));
                };
                let values = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| string_expr(v, &format!("{header_location}[{i}]"), scope))
                    .collect::<Result<Vec<_>, _>>()?;
                headers.push((name.clone(), values));
            }
        }
        Some(other) => {
            return Err(invalid(
                &format!("{location}.headers"),
                format!("expected an object, found {}", json_kind(other)),
            ));
        }
    }
    let properties = match obj.get("properties") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Object(map)) => property_fields(map, &format!("{location}.properties"), scope)?,
        Some(other) => {
            return Err(invalid(
                &format!("{location}.properties"),
                format!("expected an object, found {}", json_kind(other)),
            ));
        }
    };
    Ok(EndpointSpec {
        url,
        headers,
        properties,
    })
}

fn property_fields(
    map: &Map<String, Json>,
    location: &str,
    scope: &Scope,
) -> Result<Vec<(String, Property)>, RulesError> {
    map.iter()
        .map(|(key, value)| {
            Ok((
                key.clone(),
                property(value, &format!("{location}.{key}"), scope)?,
            ))
        })
        .collect()
}

fn property(json: &Json, location: &str, scope: &Scope) -> Result<Property, RulesError> {
    Ok(match json {
        Json::String(s) => Property::Str(template(s, location, scope)?),
        Json::Bool(b) => Property::Bool(*b),
        Json::Number(n) => Property::Number(n.clone()),
        Json::Array(items) => Property::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| property(item, &format!("{location}[{i}]"), scope))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(map) => Property::Object(property_fields(map, location, scope)?),
        Json::Null => return Err(invalid(location, "endpoint properties cannot be null")),
    })
}

/// An expression that must produce a string (URL, header value, error message).
fn string_expr(json: &Json, location: &str, scope: &Scope) -> Result<Expr, RulesError> {
    let (expr, ty) = expr(json, location, scope)?;
    if !Ty::Str.accepts(ty) {
        return Err(invalid(
            location,
            format!("expected a string, found {}", ty.name()),
        ));
    }
    Ok(expr)
}

fn expr(json: &Json, location: &str, scope: &Scope) -> Result<(Expr, Ty), RulesError> {
    Ok(match json {
        Json::String(s) => (Expr::Template(template(s, location, scope)?), Ty::Str),
        Json::Bool(b) => (Expr::Bool(*b), Ty::Bool),
        Json::Number(n) => match n.as_i64() {
            Some(i) => (Expr::Int(i), Ty::Int),
            None => return Err(invalid(location, format!("`{n}` is not an integer"))),
        },
        Json::Array(items) => (
            Expr::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| Ok(expr(item, &format!("{location}[{i}]"), scope)?.0))
                    .collect::<Result<_, RulesError>>()?,
            ),
            Ty::Array,
        ),
        Json::Object(obj) => {
            if let Some(reference) = obj.get("ref") {
                let Json::String(name) = reference else {
                    return Err(invalid(
                        location,
                        format!("`ref` must be a string, found {}", json_kind(reference)),
                    ));
                };
                let ty = lookup(scope, name, location)?;
                (Expr::Ref(name.clone()), ty)
            } else if obj.contains_key("fn") {
                let (call, ty) = call(obj, location, scope)?;
                (Expr::Call(Box::new(call)), ty)
            } else {
                return Err(invalid(
                    location,
                    "expected a reference (`ref`) or a function call (`fn`) object",
                ));
            }
        }
        Json::Null => return Err(invalid(location, "null is not a valid expression")),
    })
}

fn lookup(scope: &Scope, name: &str, location: &str) -> Result<Ty, RulesError> {
    scope
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, ty)| *ty)
        .ok_or_else(|| {
            invalid(
                location,
                format!("`{name}` is neither a parameter nor a variable assigned earlier in scope"),
            )
        })
}

fn call(obj: &Map<String, Json>, location: &str, scope: &Scope) -> Result<(Call, Ty), RulesError> {
    let name = match obj.get("fn") {
        Some(Json::String(name)) => name.as_str(),
        Some(other) => {
            return Err(invalid(
                location,
                format!("`fn` must be a string, found {}", json_kind(other)),
            ));
        }
        None => return Err(invalid(location, "missing `fn`")),
    };
    let argv: &[Json] = match obj.get("argv") {
        Some(Json::Array(items)) => items,
        Some(other) => {
            return Err(invalid(
                location,
                format!(
                    "`argv` of `{name}` must be an array, found {}",
                    json_kind(other)
                ),
            ));
        }
        None => return Err(invalid(location, format!("`{name}` is missing `argv`"))),
    };
    let arg_location = |i: usize| format!("{location}.argv[{i}]");

    if name == "getAttr" {
        let [target, path] = argv else {
            return Err(arity(location, name, "2", argv.len()));
        };
        let (target, target_ty) = expr(target, &arg_location(0), scope)?;
        if !matches!(target_ty, Ty::Record | Ty::Array | Ty::Any) {
            return Err(invalid(
                &arg_location(0),
                format!(
                    "`getAttr` needs a record or an array, found {}",
                    target_ty.name()
                ),
            ));
        }
        let Json::String(path) = path else {
            return Err(invalid(
                &arg_location(1),
                format!(
                    "the `getAttr` path must be a string literal, found {}",
                    json_kind(path)
                ),
            ));
        };
        let path = parse_path(path).map_err(|e| invalid(&arg_location(1), e))?;
        let call = Call {
            func: Func::GetAttr(path),
            args: vec![target],
            location: location.to_string(),
        };
        return Ok((call, Ty::Any));
    }

    let func = Func::by_name(name).ok_or_else(|| {
        invalid(
            location,
            format!(
                "unknown function `{name}` (known: {})",
                FUNCTION_NAMES.join(", ")
            ),
        )
    })?;
    let mut args = Vec::with_capacity(argv.len());
    let mut types = Vec::with_capacity(argv.len());
    for (i, arg) in argv.iter().enumerate() {
        let (arg, ty) = expr(arg, &arg_location(i), scope)?;
        args.push(arg);
        types.push(ty);
    }
    let result = match &func {
        Func::Coalesce => {
            if types.len() < 2 {
                return Err(arity(location, name, "at least 2", types.len()));
            }
            let mut joined = Ty::Any;
            for (i, ty) in types.iter().enumerate() {
                joined = joined.join(*ty).ok_or_else(|| {
                    invalid(
                        &arg_location(i),
                        format!(
                            "`coalesce` arguments must share one type; this one is {}",
                            ty.name()
                        ),
                    )
                })?;
            }
            joined
        }
        Func::Ite => {
            let [condition, when_true, when_false] = types.as_slice() else {
                return Err(arity(location, name, "3", types.len()));
            };
            check_arg(name, &arg_location(0), Ty::Bool, *condition)?;
            when_true.join(*when_false).ok_or_else(|| {
                invalid(
                    location,
                    format!(
                        "the `ite` branches must share one type, found {} and {}",
                        when_true.name(),
                        when_false.name()
                    ),
                )
            })?
        }
        _ => {
            let Some((params, result)) = func.signature() else {
                return Err(invalid(location, format!("`{name}` has no signature")));
            };
            if params.len() != types.len() {
                return Err(arity(
                    location,
                    name,
                    &params.len().to_string(),
                    types.len(),
                ));
            }
            for (i, (expected, actual)) in params.iter().zip(&types).enumerate() {
                check_arg(name, &arg_location(i), *expected, *actual)?;
            }
            result
        }
    };
    Ok((
        Call {
            func,
            args,
            location: location.to_string(),
        },
        result,
    ))
}

fn check_arg(name: &str, location: &str, expected: Ty, actual: Ty) -> Result<(), RulesError> {
    if expected.accepts(actual) {
        Ok(())
    } else {
        Err(invalid(
            location,
            format!(
                "`{name}` expects {} here, found {}",
                expected.name(),
                actual.name()
            ),
        ))
    }
}

fn arity(location: &str, name: &str, expected: &str, found: usize) -> RulesError {
    invalid(
        location,
        format!("`{name}` takes {expected} argument(s), found {found}"),
    )
}

/// Parses a template string, checking its variables against `scope`.
fn template(s: &str, location: &str, scope: &Scope) -> Result<Template, RulesError> {
    let parts = parse_template(s).map_err(|e| invalid(location, format!("template {s:?}: {e}")))?;
    for part in &parts {
        if let TemplatePart::Var { name, path, source } = part {
            let ty = lookup(scope, name, location)?;
            let ok = if path.is_empty() {
                Ty::Str.accepts(ty)
            } else {
                matches!(ty, Ty::Record | Ty::Array | Ty::Any)
            };
            if !ok {
                return Err(invalid(
                    location,
                    format!("template placeholder `{source}`: `{name}` is {}", ty.name()),
                ));
            }
        }
    }
    Ok(Template {
        parts,
        location: location.to_string(),
    })
}

/// Splits a template into literal text and `{Name}` / `{Name#path}` placeholders.
pub(crate) fn parse_template(s: &str) -> Result<Vec<TemplatePart>, String> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = s;
    while let Some(at) = rest.find(['{', '}']) {
        literal.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("{{") {
            literal.push('{');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            literal.push('}');
            rest = after;
        } else if let Some(after) = tail.strip_prefix('{') {
            let close = after
                .find('}')
                .ok_or_else(|| "unclosed `{` (write `{{` for a literal brace)".to_string())?;
            let inner = &after[..close];
            if inner.contains('{') {
                return Err(format!("`{{` inside the placeholder `{{{inner}}}`"));
            }
            let (name, path) = match inner.split_once('#') {
                Some((name, path)) => (name, parse_path(path)?),
                None => (inner, Vec::new()),
            };
            if !is_identifier(name) {
                return Err(format!(
                    "`{{{inner}}}` does not start with a parameter or variable name"
                ));
            }
            if !literal.is_empty() {
                parts.push(TemplatePart::Literal(std::mem::take(&mut literal)));
            }
            parts.push(TemplatePart::Var {
                name: name.to_string(),
                path,
                source: format!("{{{inner}}}"),
            });
            rest = &after[close + 1..];
        } else {
            return Err("unmatched `}` (write `}}` for a literal brace)".to_string());
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() || parts.is_empty() {
        parts.push(TemplatePart::Literal(literal));
    }
    Ok(parts)
}

/// Parses a `getAttr` path: keys separated by `.`, each optionally followed by `[index]`s.
pub(crate) fn parse_path(path: &str) -> Result<Vec<PathSeg>, String> {
    if path.is_empty() {
        return Err("empty path".to_string());
    }
    let mut segments = Vec::new();
    for part in path.split('.') {
        let (key, mut indexes) = match part.find('[') {
            Some(open) => (&part[..open], &part[open..]),
            None => (part, ""),
        };
        if key.is_empty() && indexes.is_empty() {
            return Err(format!("path `{path}` has an empty key"));
        }
        if key.contains(']') {
            return Err(format!("path `{path}`: unmatched `]`"));
        }
        if !key.is_empty() {
            segments.push(PathSeg::Key(key.to_string()));
        }
        while !indexes.is_empty() {
            let inner = indexes
                .strip_prefix('[')
                .and_then(|s| s.split_once(']'))
                .ok_or_else(|| format!("path `{path}`: expected `[index]` after `{key}`"))?;
            let index = inner
                .0
                .parse::<i64>()
                .map_err(|_| format!("path `{path}`: `{}` is not an integer index", inner.0))?;
            segments.push(PathSeg::Index(index));
            indexes = inner.1;
        }
    }
    Ok(segments)
}
