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
//! One stage per module: `lower` (parameters, scopes and rules), `expr` (expressions and
//! their types) and `prune` (what can never matter is dropped).
//!
//! The semantics are those of the reference interpreter (`endpoint_rules_oracle::RuleSet`, the
//! workspace's dev-only `tests/rules-oracle`): rules are tried in order, a condition holds
//! when its value is set and not `false`, a tree rule whose sub-rules all fail is an error.
//! What the interpreter can only find out at run time (an unset value passed where one is
//! needed, a bad `split`) stays a run-time error with the interpreter's message, also in a
//! condition whose value nothing reads. `tests/tests/endpoints.rs` holds the compiled
//! resolvers of 30 rule sets to the interpreter's answers, URL for URL and message for message.

mod expr;
mod lower;
mod prune;

pub use lower::lower;

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
