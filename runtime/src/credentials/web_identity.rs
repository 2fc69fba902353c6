//! Web identity federation: a role's credentials from AWS STS `AssumeRoleWithWebIdentity`,
//! with a token read from a file (EKS IAM roles for service accounts, and other OIDC
//! providers).

use std::sync::Arc;
use std::time::SystemTime;

use super::sts::{Sts, StsRegion, sts_region};
use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials};
use crate::endpoint::ForCredentials;
use crate::env::Env;
use crate::http::HttpClient;
use crate::region::Region;

/// Credentials for the role `AWS_ROLE_ARN`, from AWS STS `AssumeRoleWithWebIdentity` with the
/// token in the file `AWS_WEB_IDENTITY_TOKEN_FILE`, as an EKS pod with an IAM role for its
/// service account (IRSA) has them. The session is named `AWS_ROLE_SESSION_NAME`, or
/// `lambda-sdk-<milliseconds since 1970>`.
///
/// The token file is read at each call (the cluster rotates it). STS is called in the region
/// given with [`with_region`](Self::with_region), else `AWS_REGION` or `AWS_DEFAULT_REGION`, at
/// `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL` or the regional endpoint.
///
/// No token file is a [`NotConfigured`](super::CredentialsErrorKind::NotConfigured) error (as
/// in AWS's SDKs, `AWS_ROLE_ARN` alone does not ask for web identity); a token file without
/// `AWS_ROLE_ARN`, an unreadable or empty token file, or no region, an
/// [`InvalidConfiguration`](super::CredentialsErrorKind::InvalidConfiguration) error; a
/// refusal by STS or no answer, a [`ProviderFailed`](super::CredentialsErrorKind::ProviderFailed)
/// error with STS's code and message. The token is never in a message.
///
/// Needs the `sts` cargo feature (on by default).
///
/// ```
/// use lambda_sdk_runtime::credentials::{CredentialsErrorKind, ProvideCredentials, WebIdentityProvider};
/// use lambda_sdk_runtime::env::Env;
/// use lambda_sdk_runtime::http::{HttpClient, HttpSettings};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let http = HttpClient::new(&HttpSettings::default()).unwrap();
/// let env = Env::from_vars([("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token")]);
/// let err = WebIdentityProvider::new(env, http).provide_credentials().await.unwrap_err();
/// assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
/// assert!(err.to_string().contains("AWS_ROLE_ARN is not"), "{err}");
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct WebIdentityProvider {
    env: Env,
    http: HttpClient,
    region: Option<StsRegion>,
    endpoints: Option<Arc<ForCredentials>>,
}

impl WebIdentityProvider {
    /// A provider reading `env` at each call and calling STS through `http`. Does no I/O.
    pub fn new(env: Env, http: HttpClient) -> Self {
        WebIdentityProvider {
            env,
            http,
            region: None,
            endpoints: None,
        }
    }

    /// Where STS is, as `Config::from_env` read it (configured endpoints, FIPS, dual-stack).
    pub(crate) fn with_endpoints(mut self, endpoints: Arc<ForCredentials>) -> Self {
        self.endpoints = Some(endpoints);
        self
    }

    /// Calls STS through `http` instead of the client given to [`new`](Self::new).
    pub fn with_http_client(mut self, http: HttpClient) -> Self {
        self.http = http;
        self
    }

    /// Calls STS in `region` (otherwise `AWS_REGION` or `AWS_DEFAULT_REGION`).
    pub fn with_region(self, region: impl Into<String>) -> Self {
        self.with_sts_region(StsRegion::Given(Region::Set(region.into())))
    }

    /// Calls STS in the configuration's region, which may come from instance metadata.
    pub(crate) fn with_sts_region(mut self, region: StsRegion) -> Self {
        self.region = Some(region);
        self
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let env = &self.env;
        let (file, role) = match (
            env.get("AWS_WEB_IDENTITY_TOKEN_FILE"),
            env.get("AWS_ROLE_ARN"),
        ) {
            (Some(file), Some(role)) => (file, role),
            (None, None) => {
                return Err(CredentialsError::not_configured(
                    "web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not set)",
                ));
            }
            // As in AWS's SDKs: a role without a token file is not web identity (programs set
            // AWS_ROLE_ARN for their own purposes); the chain goes on.
            (None, Some(_)) => {
                return Err(CredentialsError::not_configured(
                    "web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set)",
                ));
            }
            (Some(_), None) => {
                return Err(CredentialsError::invalid_configuration(
                    "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: web identity \
                     federation needs both (the role to assume, and the token file)",
                ));
            }
        };
        let session = env
            .get("AWS_ROLE_SESSION_NAME")
            .unwrap_or_else(default_session_name);
        let region = sts_region(
            self.region.as_ref(),
            env,
            None,
            &format!("web identity federation for {role}"),
        )
        .await?;
        assume_with_token_file(
            env,
            self.endpoints.as_deref(),
            &self.http,
            region.as_deref(),
            TokenFile {
                path: &file,
                named_by: "AWS_WEB_IDENTITY_TOKEN_FILE",
            },
            &role,
            &session,
        )
        .await
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

/// A web identity token file and the setting that names it (for messages).
pub(crate) struct TokenFile<'a> {
    pub(crate) path: &'a str,
    pub(crate) named_by: &'a str,
}

/// `AssumeRoleWithWebIdentity` for `role` with the token in `file`.
pub(crate) async fn assume_with_token_file(
    env: &Env,
    endpoints: Option<&ForCredentials>,
    http: &HttpClient,
    region: Option<&str>,
    file: TokenFile<'_>,
    role: &str,
    session: &str,
) -> Result<Credentials, CredentialsError> {
    let TokenFile { path, named_by } = file;
    let token = std::fs::read_to_string(path).map_err(|e| {
        CredentialsError::invalid_configuration(format!(
            "cannot read the web identity token file {path} ({named_by})"
        ))
        .with_source(e)
    })?;
    let token = token.trim();
    if token.is_empty() {
        return Err(CredentialsError::invalid_configuration(format!(
            "the web identity token file {path} ({named_by}) is empty"
        )));
    }
    let region = region.ok_or_else(|| {
        CredentialsError::invalid_configuration(format!(
            "web identity federation for {role} calls AWS STS, which needs a region: set \
             AWS_REGION, or `region` in the profile"
        ))
    })?;
    Sts::new(env, endpoints, http.clone(), region)?
        .assume_role_with_web_identity(role, session, token)
        .await
}

/// `lambda-sdk-<milliseconds since 1970>`, the session name when none is set.
pub(crate) fn default_session_name() -> String {
    let millis = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!("lambda-sdk-{millis}")
}
