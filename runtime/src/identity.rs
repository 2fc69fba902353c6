//! Who is calling: [`Credentials`], the [`ProvideCredentials`] trait of their sources, and
//! [`CredentialsError`]. The sources themselves are in [`crate::credentials`], which
//! re-exports these; signing ([`crate::sign`]) and errors ([`crate::error`]) need only these.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use crate::DateTime;
use crate::future::BoxFuture;

/// What `Debug` prints instead of a secret.
const REDACTED: &str = "*** redacted ***";

/// AWS credentials: an access key id, a secret access key, an optional session token (for
/// temporary credentials) and an optional expiry.
///
/// `Debug` shows the access key id and the expiry; the secret and the token are printed as
/// `*** redacted ***`.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use lambda_sdk_runtime::credentials::Credentials;
///
/// let expiry = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI", Some("token".to_owned()))
///     .with_expiry(expiry);
/// assert_eq!(credentials.access_key_id(), "AKIDEXAMPLE");
/// assert_eq!(credentials.secret_access_key(), "wJalrXUtnFEMI");
/// assert_eq!(credentials.session_token(), Some("token"));
/// assert_eq!(credentials.expiry(), Some(expiry));
/// assert_eq!(
///     format!("{credentials:?}"),
///     "Credentials { access_key_id: \"AKIDEXAMPLE\", secret_access_key: \"*** redacted ***\", \
///      session_token: Some(\"*** redacted ***\"), expiry: Some(2023-11-14T22:13:20Z) }"
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiry: Option<SystemTime>,
}

impl Credentials {
    /// Credentials that do not expire (unless [`with_expiry`](Credentials::with_expiry) says so).
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
            expiry: None,
        }
    }

    /// These credentials, expiring at `expiry`.
    pub fn with_expiry(mut self, expiry: SystemTime) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// The access key id (`AKIA…` or `ASIA…`).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// When the credentials expire; `None` when they do not.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Expiry(Option<SystemTime>);
        impl fmt::Debug for Expiry {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.0 {
                    Some(time) => write!(f, "Some({})", DateTime::from(time)),
                    None => f.write_str("None"),
                }
            }
        }
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &REDACTED)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| REDACTED),
            )
            .field("expiry", &Expiry(self.expiry))
            .finish()
    }
}

/// A source of AWS credentials.
///
/// Implement it to use credentials from a source this crate does not implement. Return a
/// [`CredentialsErrorKind::NotConfigured`] error when the source is simply absent (so a chain
/// may try the next one), and another kind when it is configured but fails.
///
/// ```
/// use lambda_sdk_runtime::credentials::{
///     BoxFuture, Credentials, CredentialsError, ProvideCredentials,
/// };
///
/// #[derive(Debug)]
/// struct FromVault;
///
/// impl ProvideCredentials for FromVault {
///     fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
///         Box::pin(async {
///             // ... ask the vault ...
///             Ok(Credentials::new("AKIDEXAMPLE", "secret", None))
///         })
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let credentials = FromVault.provide_credentials().await?;
/// assert_eq!(credentials.access_key_id(), "AKIDEXAMPLE");
///
/// // Static credentials are a provider too.
/// let fixed = Credentials::new("AKID", "secret", None);
/// assert_eq!(fixed.provide_credentials().await?, fixed);
/// # Ok::<(), CredentialsError>(())
/// # }).unwrap();
/// ```
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Returns credentials, or why there are none.
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>>;
}

/// Static credentials: always returns a clone of itself.
impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        (**self).provide_credentials()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Box<T> {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        (**self).provide_credentials()
    }
}

/// What kind of failure a [`CredentialsError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialsErrorKind {
    /// The source is not configured here (its variables or files are absent): a chain moves
    /// on to the next source.
    NotConfigured,
    /// The source is configured, but wrongly (a key without a secret, a bad URI, a malformed
    /// profile file, an unknown profile).
    InvalidConfiguration,
    /// The configuration asks for a source this crate does not implement (`login_session`, a
    /// role that needs an MFA code, …): implement [`ProvideCredentials`] for it. Or it asks for
    /// a source this build leaves out (a cargo feature such as `profile`, `sts` or `sso`
    /// turned off): the message names the setting and the feature.
    Unsupported,
    /// The source is configured but failed (a process that exited with an error, an
    /// unreachable or failing endpoint, an unexpected response).
    ProviderFailed,
}

/// Why no credentials could be obtained: what failed, and where the SDK looked.
///
/// ```
/// use lambda_sdk_runtime::credentials::{CredentialsError, CredentialsErrorKind};
///
/// let err = CredentialsError::not_configured("the vault (VAULT_ADDR not set)");
/// assert_eq!(err.kind(), CredentialsErrorKind::NotConfigured);
/// assert_eq!(
///     err.to_string(),
///     "no AWS credentials found; looked in: the vault (VAULT_ADDR not set)"
/// );
///
/// let io = std::io::Error::other("connection reset");
/// let err = CredentialsError::provider_failed("the vault did not answer").with_source(io);
/// assert_eq!(err.to_string(), "the vault did not answer: connection reset");
/// ```
#[derive(Clone, Debug)]
pub struct CredentialsError {
    kind: CredentialsErrorKind,
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl CredentialsError {
    fn new(kind: CredentialsErrorKind, message: impl Into<String>) -> Self {
        CredentialsError {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// The source is absent. `looked_in` says where it was looked for and why nothing was
    /// there, such as `environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (not set)`;
    /// the message reads "no AWS credentials found; looked in: `looked_in`".
    pub fn not_configured(looked_in: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::NotConfigured, looked_in)
    }

    /// The source is configured wrongly; `message` says how.
    pub fn invalid_configuration(message: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::InvalidConfiguration, message)
    }

    /// The configuration asks for a source that is not implemented; `message` says which.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::Unsupported, message)
    }

    /// The source failed; `message` says how.
    pub fn provider_failed(message: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::ProviderFailed, message)
    }

    /// This error, caused by `source` (appended to the message).
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// The same error with `context` before its message (`context: message`); a
    /// `NotConfigured` error becomes `InvalidConfiguration`, since what asked for the source
    /// expected it to be there.
    #[cfg(all(feature = "sts", feature = "profile"))]
    pub(crate) fn in_context(mut self, context: &str) -> Self {
        if self.kind == CredentialsErrorKind::NotConfigured {
            self.kind = CredentialsErrorKind::InvalidConfiguration;
        }
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// The same error with every occurrence of `secret` in its message masked.
    #[cfg(any(feature = "sts", feature = "sso"))]
    pub(crate) fn redacted(mut self, secret: &str) -> Self {
        if !secret.is_empty() && self.message.contains(secret) {
            self.message = self.message.replace(secret, REDACTED);
        }
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> CredentialsErrorKind {
        self.kind
    }

    /// The message, without the "no AWS credentials found" prefix of
    /// [`NotConfigured`](CredentialsErrorKind::NotConfigured) errors and without the source.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How a chain lists this error among the places it looked.
    pub(crate) fn looked_in(&self) -> String {
        match self.kind {
            CredentialsErrorKind::NotConfigured => match &self.source {
                Some(source) => {
                    format!("{}: {}", self.message, crate::http::source_chain(&**source))
                }
                None => self.message.clone(),
            },
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == CredentialsErrorKind::NotConfigured {
            f.write_str("no AWS credentials found; looked in: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {}", crate::http::source_chain(&**source))?;
        }
        Ok(())
    }
}

impl std::error::Error for CredentialsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn debug_redacts_secret_and_token() {
        let creds = Credentials::new("AKID", "SECRETVALUE", Some("TOKENVALUE".into()));
        let text = format!("{creds:?}");
        assert!(!text.contains("SECRETVALUE"), "{text}");
        assert!(!text.contains("TOKENVALUE"), "{text}");
        assert!(text.contains("AKID"), "{text}");
        assert!(text.contains(REDACTED), "{text}");
        let text = format!("{:#?}", creds.with_expiry(UNIX_EPOCH));
        assert!(!text.contains("SECRETVALUE") && !text.contains("TOKENVALUE"));
        assert!(text.contains("1970-01-01T00:00:00Z"), "{text}");
        let no_token = Credentials::new("AKID", "SECRETVALUE", None);
        assert!(format!("{no_token:?}").contains("session_token: None"));
    }

    #[test]
    fn equality_and_accessors() {
        let a = Credentials::new("A", "S", None);
        assert_eq!(a, Credentials::new("A", "S", None));
        assert_ne!(a, Credentials::new("A", "S", Some("T".into())));
        let t = UNIX_EPOCH + Duration::from_secs(5);
        assert_ne!(a, a.clone().with_expiry(t));
        assert_eq!(a.clone().with_expiry(t).expiry(), Some(t));
        assert_eq!(a.expiry(), None);
    }

    #[tokio::test]
    async fn static_credentials_and_wrappers_provide_themselves() {
        let creds = Credentials::new("A", "S", None);
        assert_eq!(creds.provide_credentials().await.unwrap(), creds);
        let shared: Arc<dyn ProvideCredentials> = Arc::new(creds.clone());
        assert_eq!(shared.provide_credentials().await.unwrap(), creds);
        let boxed: Box<dyn ProvideCredentials> = Box::new(creds.clone());
        assert_eq!(boxed.provide_credentials().await.unwrap(), creds);
    }

    #[test]
    fn error_display_and_source() {
        use std::error::Error as _;
        let err = CredentialsError::invalid_configuration("bad").with_source("root cause");
        assert_eq!(err.to_string(), "bad: root cause");
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert_eq!(err.message(), "bad");
        assert!(err.source().is_some());
        let err = CredentialsError::not_configured("here (not set)");
        assert_eq!(err.looked_in(), "here (not set)");
        assert!(err.source().is_none());
        let err = CredentialsError::unsupported("no SSO");
        assert_eq!(err.looked_in(), "no SSO");
        assert_eq!(err.kind(), CredentialsErrorKind::Unsupported);
    }
}
