//! [`Env`], a read-only view of the process environment that tests can replace.
//!
//! Everything in this crate that reads an environment variable (credentials, profile file
//! locations, endpoints) reads it through an [`Env`], so tests pass a fixed set of variables
//! instead of mutating the real environment (which is `unsafe` in Rust 2024).

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// A read-only view of environment variables: either the real process environment, read
/// lazily at each [`get`](Env::get), or a fixed set of variables for tests.
///
/// An empty value counts as unset. `Debug` prints only which kind of environment this is,
/// never the values (they may hold secrets).
///
/// ```
/// use lambda_sdk_runtime::env::Env;
///
/// let env = Env::from_vars([("AWS_REGION", "eu-west-1"), ("AWS_PROFILE", "")]);
/// assert_eq!(env.get("AWS_REGION").as_deref(), Some("eu-west-1"));
/// assert_eq!(env.get("AWS_PROFILE"), None); // empty counts as unset
/// assert_eq!(env.get("HOME"), None); // a fixed set does not fall back to the real one
/// assert_eq!(format!("{env:?}"), r#"Env { mode: "fixed" }"#);
///
/// let real = Env::real();
/// let _path = real.get("PATH"); // read now, from the process environment
/// ```
#[derive(Clone)]
pub struct Env {
    vars: Option<Arc<HashMap<String, String>>>,
}

impl Env {
    /// The real process environment, read at each [`get`](Env::get) through
    /// [`std::env::var_os`]. A value that is not valid Unicode counts as unset.
    pub fn real() -> Self {
        Env { vars: None }
    }

    /// A fixed set of variables (for tests). Nothing is read from the process environment.
    /// When a name appears twice, the last value wins.
    pub fn from_vars<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        let vars = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Env {
            vars: Some(Arc::new(vars)),
        }
    }

    /// Whether this is the real process environment (see [`Env::real`]).
    pub fn is_real(&self) -> bool {
        self.vars.is_none()
    }

    /// The value of the variable `name`, or `None` when it is unset or empty.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = match &self.vars {
            None => std::env::var_os(name)?.into_string().ok()?,
            Some(vars) => vars.get(name)?.clone(),
        };
        (!value.is_empty()).then_some(value)
    }

    /// The user's home directory: `HOME`, then `USERPROFILE`, then `HOMEDRIVE` + `HOMEPATH`
    /// (the order the AWS SDKs use). `None` when none of them is set.
    ///
    /// ```
    /// use lambda_sdk_runtime::env::Env;
    /// use std::path::PathBuf;
    ///
    /// let env = Env::from_vars([("USERPROFILE", r"C:\Users\me")]);
    /// assert_eq!(env.home_dir(), Some(PathBuf::from(r"C:\Users\me")));
    /// ```
    pub fn home_dir(&self) -> Option<PathBuf> {
        if let Some(home) = self.get("HOME").or_else(|| self.get("USERPROFILE")) {
            return Some(PathBuf::from(home));
        }
        let drive = self.get("HOMEDRIVE")?;
        let path = self.get("HOMEPATH")?;
        Some(PathBuf::from(format!("{drive}{path}")))
    }

    /// `path` with a leading `~` (alone, or followed by `/` or `\`) replaced by the home
    /// directory. Other paths, and `~` paths when the home directory is unknown, are returned
    /// unchanged.
    #[cfg(feature = "profile")]
    pub(crate) fn expand_home(&self, path: &str) -> PathBuf {
        let rest = if path == "~" {
            Some("")
        } else {
            path.strip_prefix("~/").or_else(|| path.strip_prefix("~\\"))
        };
        match (rest, self.home_dir()) {
            (Some(""), Some(home)) => home,
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(path),
        }
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = if self.is_real() { "real" } else { "fixed" };
        f.debug_struct("Env").field("mode", &mode).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_vars_and_empty_values() {
        let env = Env::from_vars([("A", "1"), ("B", ""), ("A", "2")]);
        assert_eq!(env.get("A").as_deref(), Some("2"));
        assert_eq!(env.get("B"), None);
        assert_eq!(env.get("C"), None);
        assert!(!env.is_real());
        assert!(Env::real().is_real());
    }

    #[test]
    fn home_dir_order() {
        let env = Env::from_vars([("HOME", "/h"), ("USERPROFILE", "/u")]);
        assert_eq!(env.home_dir(), Some(PathBuf::from("/h")));
        let env = Env::from_vars([("HOME", ""), ("USERPROFILE", "/u")]);
        assert_eq!(env.home_dir(), Some(PathBuf::from("/u")));
        let env = Env::from_vars([("HOMEDRIVE", "C:"), ("HOMEPATH", "\\Users\\me")]);
        assert_eq!(env.home_dir(), Some(PathBuf::from("C:\\Users\\me")));
        assert_eq!(Env::from_vars([("X", "y")]).home_dir(), None);
    }

    #[cfg(feature = "profile")]
    #[test]
    fn expand_home() {
        let env = Env::from_vars([("HOME", "/home/me")]);
        assert_eq!(env.expand_home("~"), PathBuf::from("/home/me"));
        assert_eq!(
            env.expand_home("~/.aws/config"),
            PathBuf::from("/home/me/.aws/config")
        );
        assert_eq!(env.expand_home("/etc/aws"), PathBuf::from("/etc/aws"));
        assert_eq!(env.expand_home("~other/x"), PathBuf::from("~other/x"));
        let homeless = Env::from_vars([("X", "y")]);
        assert_eq!(homeless.expand_home("~/x"), PathBuf::from("~/x"));
    }

    #[test]
    fn debug_has_no_values() {
        let env = Env::from_vars([("AWS_SECRET_ACCESS_KEY", "very-secret")]);
        let text = format!("{env:?}");
        assert!(!text.contains("very-secret"), "{text}");
        assert!(!text.contains("AWS_SECRET_ACCESS_KEY"), "{text}");
        assert_eq!(format!("{:?}", Env::real()), r#"Env { mode: "real" }"#);
    }
}
