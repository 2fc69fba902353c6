//! The error a builder's `build()` returns.

use std::fmt;

/// A builder was asked to build a value it cannot build, such as a structure with a required
/// member left unset. The message names the member by its wire name and the type it belongs to.
///
/// ```
/// use lambda_sdk_runtime::BuildError;
///
/// let err = BuildError::missing_member("GetDurableExecutionStateRequest", "CheckpointToken");
/// assert_eq!(err.member(), "CheckpointToken");
/// assert_eq!(
///     err.to_string(),
///     "missing required member `CheckpointToken` of `GetDurableExecutionStateRequest`"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    type_name: &'static str,
    member: &'static str,
}

impl BuildError {
    /// A required member of `type_name` (named by its wire name, `member`) was not set.
    pub const fn missing_member(type_name: &'static str, member: &'static str) -> Self {
        BuildError { type_name, member }
    }

    /// The type the builder builds.
    pub const fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The member at fault, by its wire name.
    pub const fn member(&self) -> &'static str {
        self.member
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "missing required member `{}` of `{}`",
            self.member, self.type_name
        )
    }
}

impl std::error::Error for BuildError {}
