//! The generator's one error type: what went wrong, and at which shape.

use std::fmt;

/// A code generation failure. When it concerns a shape, it names the shape id (or member id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    shape: Option<String>,
    message: String,
}

impl Error {
    /// An error about the model as a whole.
    pub fn model(message: impl Into<String>) -> Self {
        Error {
            shape: None,
            message: message.into(),
        }
    }

    /// An error about one shape or member, named by its id.
    pub fn shape(id: impl fmt::Display, message: impl Into<String>) -> Self {
        Error {
            shape: Some(id.to_string()),
            message: message.into(),
        }
    }

    /// The shape or member id the error is about, if any.
    pub fn shape_id(&self) -> Option<&str> {
        self.shape.as_deref()
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.shape {
            Some(shape) => write!(f, "{shape}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}
