//! Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.

use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials};
use crate::env::Env;

/// Credentials from the environment variables `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
/// (for temporary credentials, as in AWS Lambda) `AWS_SESSION_TOKEN`.
///
/// Neither variable set: a [`NotConfigured`](super::CredentialsErrorKind::NotConfigured) error.
/// Only one of the two set: an
/// [`InvalidConfiguration`](super::CredentialsErrorKind::InvalidConfiguration) error naming the
/// missing one.
///
/// ```
/// use lambda_sdk_runtime::credentials::{EnvironmentProvider, ProvideCredentials};
/// use lambda_sdk_runtime::env::Env;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let env = Env::from_vars([
///     ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
///     ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"),
/// ]);
/// let credentials = EnvironmentProvider::new(env).provide_credentials().await?;
/// assert_eq!(credentials.access_key_id(), "AKIDEXAMPLE");
/// assert_eq!(credentials.session_token(), None);
///
/// let half = Env::from_vars([("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")]);
/// let err = EnvironmentProvider::new(half).provide_credentials().await.unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "the environment variable AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
/// );
/// # Ok::<(), lambda_sdk_runtime::credentials::CredentialsError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// A provider reading `env` at each call.
    pub fn new(env: Env) -> Self {
        EnvironmentProvider { env }
    }

    fn load(&self) -> Result<Credentials, CredentialsError> {
        const KEY: &str = "AWS_ACCESS_KEY_ID";
        const SECRET: &str = "AWS_SECRET_ACCESS_KEY";
        let half = |set: &str, unset: &str| {
            CredentialsError::invalid_configuration(format!(
                "the environment variable {set} is set but {unset} is not"
            ))
        };
        match (self.env.get(KEY), self.env.get(SECRET)) {
            (Some(key), Some(secret)) => Ok(Credentials::new(
                key,
                secret,
                self.env.get("AWS_SESSION_TOKEN"),
            )),
            (Some(_), None) => Err(half(KEY, SECRET)),
            (None, Some(_)) => Err(half(SECRET, KEY)),
            (None, None) => Err(CredentialsError::not_configured(format!(
                "environment variables {KEY}/{SECRET} (not set)"
            ))),
        }
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(self.load()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind;
    use crate::credentials::test_util::{SECRET, TOKEN};

    fn load(vars: &[(&str, &str)]) -> Result<Credentials, CredentialsError> {
        EnvironmentProvider::new(Env::from_vars(vars.iter().copied())).load()
    }

    #[test]
    fn key_secret_and_token() {
        let c = load(&[
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", TOKEN),
        ])
        .unwrap();
        assert_eq!(c, Credentials::new("AKID", SECRET, Some(TOKEN.into())));
        let c = load(&[
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
        ])
        .unwrap();
        assert_eq!(c.session_token(), None);
        assert_eq!(c.expiry(), None);
    }

    #[test]
    fn not_configured() {
        let err = load(&[("AWS_SESSION_TOKEN", TOKEN), ("AWS_ACCESS_KEY_ID", "")]).unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::NotConfigured);
        assert_eq!(
            err.to_string(),
            "no AWS credentials found; looked in: environment variables \
             AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (not set)"
        );
    }

    #[test]
    fn half_configured_names_the_missing_variable() {
        let err = load(&[("AWS_ACCESS_KEY_ID", "AKID")]).unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(
            err.to_string().ends_with("AWS_SECRET_ACCESS_KEY is not"),
            "{err}"
        );
        let err = load(&[("AWS_SECRET_ACCESS_KEY", SECRET)]).unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(
            err.to_string().ends_with("AWS_ACCESS_KEY_ID is not"),
            "{err}"
        );
        assert!(!err.to_string().contains(SECRET));
    }

    #[test]
    fn debug_has_no_secrets() {
        let provider = EnvironmentProvider::new(Env::from_vars([
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", TOKEN),
        ]));
        let text = format!("{provider:?}");
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
    }
}
