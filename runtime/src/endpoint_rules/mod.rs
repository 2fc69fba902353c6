//! Smithy endpoint rules (`smithy.rules#endpointRuleSet`) at run time.
//!
//! `cargo xtask codegen` compiles a model's rule set into a Rust function in the generated
//! crate: the rules become nested conditions over typed values, checked when the crate is
//! generated. At run time that function needs only this module's [`functions`] (the Smithy
//! standard library's `parseURL`, `substring`, `uriEncode`, `isValidHostLabel`, `split`, and
//! the AWS extensions `aws.partition`, backed by [`crate::partitions`], `aws.parseArn` and
//! `aws.isVirtualHostableS3Bucket`) and [`RulesError`].
//!
//! With the `rules-interpreter` feature (off by default) this module also holds a reference
//! interpreter: `RuleSet` parses and checks a rule set from its JSON and resolves endpoints
//! from it. The test suite checks the compiled resolvers against it; it also serves a rule set
//! known only at run time.
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
//! # #[cfg(feature = "rules-interpreter")] {
//! use lambda_sdk_runtime::endpoint_rules::{Params, RuleSet};
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
//! # }
//! # Ok::<(), lambda_sdk_runtime::endpoint_rules::RulesError>(())
//! ```

pub mod functions;
#[cfg(feature = "rules-interpreter")]
mod interpreter;

use std::fmt;

#[cfg(feature = "rules-interpreter")]
pub use interpreter::{Endpoint, ParamType, ParamValue, Parameter, Params, RuleSet};

/// Why a rule set could not be parsed or could not resolve an endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesError {
    kind: RulesErrorKind,
    message: String,
}

/// The kind of a [`RulesError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RulesErrorKind {
    /// The rule set is malformed or uses something this engine does not implement.
    InvalidRuleSet,
    /// A parameter value is missing, undeclared or of the wrong type.
    InvalidParams,
    /// An `error` rule matched; the message is the rule's, exactly.
    Rule,
    /// No rule matched (the rule list, or the sub-rules of a tree rule whose conditions held,
    /// ran out).
    NoMatch,
    /// Evaluation met a value of the wrong type, or an unset value where one is needed.
    Evaluation,
}

impl RulesError {
    /// The kind of error.
    pub fn kind(&self) -> RulesErrorKind {
        self.kind
    }

    /// The message (what `Display` prints).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// An error of `kind` with exactly this `message`: for resolvers compiled from a rule set,
    /// and for any other code that resolves endpoints the same way.
    pub fn new(kind: RulesErrorKind, message: impl Into<String>) -> RulesError {
        RulesError {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RulesError {}
