//! Reading a setting: [`ConfigError`], the error of one that is missing or wrong, and the
//! checks that settings from the environment, the profile and the builder share.

use std::fmt;

/// Why a configuration could not be built. The message says what is missing or wrong and
/// where the SDK looked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Whether `name` can be a region: letters, digits and hyphens.
pub(crate) fn is_region_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A true-or-false setting (any case); `from` names it in the error.
pub(crate) fn flag(value: &str, from: &str) -> Result<bool, ConfigError> {
    match value.trim() {
        v if v.eq_ignore_ascii_case("true") => Ok(true),
        v if v.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ConfigError::new(format!(
            "{from} is {value:?}; it must be true or false"
        ))),
    }
}
