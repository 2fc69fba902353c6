//! Smithy endpoint rules (`smithy.rules#endpointRuleSet`) at run time.
//!
//! `cargo xtask codegen` compiles a model's rule set into a Rust function in the generated
//! crate: the rules become nested conditions over typed values, checked when the crate is
//! generated. At run time that function needs only this module's [`functions`] (the Smithy
//! standard library's `parseURL`, `substring`, `uriEncode`, `isValidHostLabel`, `split`, and
//! the AWS extensions `aws.partition`, backed by [`crate::partitions`], `aws.parseArn` and
//! `aws.isVirtualHostableS3Bucket`) and [`RulesError`].
//!
//! The workspace's dev-only `endpoint-rules-oracle` crate holds a reference interpreter of rule
//! sets, read from JSON at run time; the tests check the compiled resolvers against it.

pub mod functions;

use std::fmt;

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
