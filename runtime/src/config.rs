//! Client configuration: region, credentials, endpoint, retries, timeouts and HTTP settings.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::{CachingProvider, ProvideCredentials};
use crate::env::Env;
#[cfg(feature = "proxy")]
use crate::http::ProxySettings;
use crate::http::{HttpClient, HttpConnector, HttpSettings};
pub use crate::random::idempotency_token;
use crate::region::Region;
use crate::retry::RetryConfig;
pub use crate::settings::ConfigError;
use crate::settings::is_region_name;

mod from_env;

/// Timeouts. `None` disables one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeoutConfig {
    connect: Duration,
    attempt: Option<Duration>,
    operation: Option<Duration>,
}

impl Default for TimeoutConfig {
    /// Connect 3.1 s, attempt 30 s, operation (all attempts and waits) 90 s.
    fn default() -> Self {
        TimeoutConfig {
            connect: Duration::from_millis(3100),
            attempt: Some(Duration::from_secs(30)),
            operation: Some(Duration::from_secs(90)),
        }
    }
}

impl TimeoutConfig {
    /// Sets how long a TCP connect (and proxy tunnel) may take.
    pub fn with_connect(mut self, timeout: Duration) -> Self {
        self.connect = timeout;
        self
    }

    /// Sets how long one attempt (connect, send, read the whole response) may take.
    pub fn with_attempt(mut self, timeout: Option<Duration>) -> Self {
        self.attempt = timeout;
        self
    }

    /// Sets how long the whole operation, every retry and backoff included, may take.
    pub fn with_operation(mut self, timeout: Option<Duration>) -> Self {
        self.operation = timeout;
        self
    }

    /// The connect timeout.
    pub fn connect(&self) -> Duration {
        self.connect
    }

    /// The per-attempt timeout.
    pub fn attempt(&self) -> Option<Duration> {
        self.attempt
    }

    /// The per-operation timeout.
    pub fn operation(&self) -> Option<Duration> {
        self.operation
    }
}

/// Everything a client needs. Cheap to clone; `Debug` never shows secrets.
///
/// ```
/// use lambda_sdk_runtime::config::Config;
/// use lambda_sdk_runtime::credentials::Credentials;
///
/// let config = Config::builder()
///     .region("us-east-1")
///     .credentials(Credentials::new("AKID", "SECRET", Some("SESSION".to_string())))
///     .endpoint_url("http://127.0.0.1:5055")
///     .build()?;
/// assert_eq!(config.region(), Some("us-east-1"));
/// let debug = format!("{config:?}");
/// assert!(!debug.contains("SECRET") && !debug.contains("SESSION"));
/// # Ok::<(), lambda_sdk_runtime::config::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) region: Region,
    pub(crate) credentials: Arc<CachingProvider>,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) env: Option<Env>,
    /// Endpoint URLs of the shared config file (`builder_from_env` reads them).
    pub(crate) configured_endpoints: crate::endpoint::Configured,
    pub(crate) retry: RetryConfig,
    pub(crate) timeouts: TimeoutConfig,
    pub(crate) http: Arc<dyn HttpConnector>,
    pub(crate) http_settings: HttpSettings,
    pub(crate) idempotency_tokens: Option<TokenProvider>,
    pub(crate) use_fips: bool,
    pub(crate) use_dual_stack: bool,
    /// Answers every call instead of sending it.
    #[cfg(feature = "testing")]
    pub(crate) mock: Option<crate::testing::Mock>,
}

/// Makes idempotency tokens; the default makes random UUIDs.
pub type TokenProvider = Arc<dyn Fn() -> String + Send + Sync>;

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field(
                "region",
                &self
                    .region
                    .known()
                    .unwrap_or("(from EC2 instance metadata, not fetched yet)"),
            )
            .field("credentials", &self.credentials)
            .field(
                "endpoint_url",
                &self.endpoint_url.as_deref().map(crate::http::mask_userinfo),
            )
            .field("use_fips", &self.use_fips)
            .field("use_dual_stack", &self.use_dual_stack)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("http", &self.http_settings)
            .finish()
    }
}

impl Config {
    /// Starts a builder with no region and no credentials; both are required.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// A configuration whose clients send nothing: `mock` answers every call (region
    /// `us-east-1`, fixed test credentials). Generated crates call it from `Client::from_mock`;
    /// to mock a client built from a configuration of your own, use [`ConfigBuilder::mock`].
    ///
    /// Needs the `testing` cargo feature.
    #[cfg(feature = "testing")]
    pub fn mocked(mock: &crate::testing::Mock) -> Config {
        let credentials: Arc<dyn ProvideCredentials> = Arc::new(
            crate::credentials::Credentials::new("mock-access-key", "mock-secret-key", None),
        );
        Config {
            region: Region::Set("us-east-1".into()),
            credentials: Arc::new(CachingProvider::new(credentials)),
            endpoint_url: None,
            env: None,
            configured_endpoints: crate::endpoint::Configured::default(),
            retry: RetryConfig::default(),
            timeouts: TimeoutConfig::default(),
            http: Arc::new(crate::testing::NoNetwork),
            http_settings: HttpSettings::default(),
            idempotency_tokens: None,
            use_fips: false,
            use_dual_stack: false,
            mock: Some(mock.clone()),
        }
    }

    /// The region requests are signed for and sent to. `None` while a region that comes from
    /// EC2 instance metadata (because nothing else set one) has not been fetched yet: the first
    /// request, or [`resolve_region`](Self::resolve_region), fetches it.
    pub fn region(&self) -> Option<&str> {
        self.region.known()
    }

    /// The region requests are signed for and sent to, fetching it from EC2 instance metadata
    /// when that is where it comes from and it has not been fetched yet.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use lambda_sdk_runtime::config::Config;
    /// use lambda_sdk_runtime::env::Env;
    ///
    /// let config = Config::from_env_with(Env::from_vars([("AWS_REGION", "eu-north-1")]))?;
    /// assert_eq!(config.resolve_region().await?, "eu-north-1");
    /// # Ok::<(), lambda_sdk_runtime::config::ConfigError>(())
    /// # }).unwrap();
    /// ```
    ///
    /// # Errors
    /// When the region comes from instance metadata and the instance metadata service does
    /// not answer with one; a later call tries again.
    pub async fn resolve_region(&self) -> Result<&str, ConfigError> {
        self.region.resolve().await
    }

    /// Whether FIPS endpoints are used.
    pub fn use_fips(&self) -> bool {
        self.use_fips
    }

    /// Whether dual-stack endpoints are used.
    pub fn use_dual_stack(&self) -> bool {
        self.use_dual_stack
    }

    /// The endpoint set explicitly with [`ConfigBuilder::endpoint_url`].
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    /// Retry settings.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.retry
    }

    /// Timeout settings.
    pub fn timeout_config(&self) -> &TimeoutConfig {
        &self.timeouts
    }

    /// The credentials provider (cached).
    pub fn credentials_provider(&self) -> Arc<dyn ProvideCredentials> {
        self.credentials.clone()
    }

    /// The largest response body accepted.
    pub fn max_response_bytes(&self) -> usize {
        self.http_settings.max_response_bytes
    }

    /// The environment this configuration was read from, if any.
    pub(crate) fn env(&self) -> Option<&Env> {
        self.env.as_ref()
    }

    /// The endpoint a service's requests go to in `region`, by this configuration's endpoint
    /// settings and the service's compiled endpoint rules (`resolver`, which a generated
    /// crate's `ServiceSpec` carries): what a client made from it would call.
    ///
    /// # Errors
    /// When a custom endpoint is not a valid URL, the rules refuse the settings, or no endpoint
    /// can be found.
    pub fn resolve_endpoint(
        &self,
        region: &str,
        sdk_id: &str,
        resolver: Option<crate::endpoint::Resolver>,
    ) -> Result<crate::endpoint::Endpoint, ConfigError> {
        let settings = crate::endpoint::Settings {
            endpoint_url: self.endpoint_url.as_deref(),
            configured: &self.configured_endpoints,
            env: self.env(),
            use_fips: self.use_fips,
            use_dual_stack: self.use_dual_stack,
        };
        crate::endpoint::resolve(settings, region, sdk_id, resolver)
    }
}

/// Builds a [`Config`].
#[derive(Default)]
pub struct ConfigBuilder {
    region: Option<String>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    endpoint_url: Option<String>,
    env: Option<Env>,
    configured_endpoints: crate::endpoint::Configured,
    retry: Option<RetryConfig>,
    timeouts: Option<TimeoutConfig>,
    max_response_bytes: Option<usize>,
    ca_bundle: Option<PathBuf>,
    #[cfg(feature = "proxy")]
    proxy: Option<ProxySettings>,
    connector: Option<Arc<dyn HttpConnector>>,
    idempotency_tokens: Option<TokenProvider>,
    use_fips: bool,
    use_dual_stack: bool,
    /// A TLS configuration already made for this CA bundle (by `builder_from_env`).
    prepared_tls: Option<(Option<PathBuf>, rustls::ClientConfig)>,
    /// The region from instance metadata, when `builder_from_env` found none set.
    #[cfg(feature = "imds")]
    imds_region: Option<Arc<crate::region::ImdsRegion>>,
    /// Where the chain of `builder_from_env` reads the region of its STS calls; `build` fills it.
    #[cfg(feature = "sts")]
    sts_region: Option<Arc<std::sync::OnceLock<Region>>>,
    #[cfg(feature = "testing")]
    mock: Option<crate::testing::Mock>,
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("region", &self.region)
            .field("region_from_instance_metadata", &{
                #[cfg(feature = "imds")]
                let pending = self.region.is_none() && self.imds_region.is_some();
                #[cfg(not(feature = "imds"))]
                let pending = false;
                pending
            })
            .field("credentials", &self.credentials)
            .field(
                "endpoint_url",
                &self.endpoint_url.as_deref().map(crate::http::mask_userinfo),
            )
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// Sets the region. [`Config::builder`] needs one; after [`Config::builder_from_env`] it
    /// replaces the region read from the environment (or fetched from instance metadata), for
    /// the requests and for the STS calls of roles and web identity alike.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets the credentials: fixed [`Credentials`](crate::credentials::Credentials) or any
    /// [`ProvideCredentials`] source (required).
    pub fn credentials(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// Sets a shared credentials source.
    pub fn credentials_provider(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// Sends every request to this endpoint (`https://…`, or `http://…` for a local server).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Sets retry behaviour.
    pub fn retry_config(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Sets timeouts.
    pub fn timeout_config(mut self, timeouts: TimeoutConfig) -> Self {
        self.timeouts = Some(timeouts);
        self
    }

    /// Refuses responses larger than this many bytes (default 64 MiB).
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// Trusts the PEM certificates in this file besides the webpki roots.
    pub fn ca_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_bundle = Some(path.into());
        self
    }

    /// Sends requests through this connector instead of the built-in hyper client (for tests
    /// with canned responses, or another transport). The HTTP settings then do not apply.
    pub fn http_connector(mut self, connector: impl HttpConnector + 'static) -> Self {
        self.connector = Some(Arc::new(connector));
        self
    }

    /// Sends requests to the FIPS endpoints (`AWS_USE_FIPS_ENDPOINT`).
    pub fn use_fips(mut self, enabled: bool) -> Self {
        self.use_fips = enabled;
        self
    }

    /// Sends requests to the dual-stack (IPv4 and IPv6) endpoints (`AWS_USE_DUALSTACK_ENDPOINT`).
    pub fn use_dual_stack(mut self, enabled: bool) -> Self {
        self.use_dual_stack = enabled;
        self
    }

    /// Makes the idempotency tokens that fill unset `@idempotencyToken` members (default:
    /// [`idempotency_token`], random UUIDs). For tests that need fixed tokens.
    pub fn idempotency_token_provider(
        mut self,
        provider: impl Fn() -> String + Send + Sync + 'static,
    ) -> Self {
        self.idempotency_tokens = Some(Arc::new(provider));
        self
    }

    /// Answers every call from `mock` instead of sending it (see [`crate::testing`]). The
    /// other settings still apply where a mocked call uses them (the idempotency tokens).
    ///
    /// Needs the `testing` cargo feature.
    #[cfg(feature = "testing")]
    pub fn mock(mut self, mock: crate::testing::Mock) -> Self {
        self.mock = Some(mock);
        self
    }

    /// `true` reads the proxy from this process's `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`;
    /// `false` (the builder's default) uses none.
    ///
    /// Needs the `proxy` cargo feature (on by default).
    #[cfg(feature = "proxy")]
    pub fn proxy_from_env(mut self, enabled: bool) -> Self {
        self.proxy = if enabled {
            ProxySettings::from_env(&Env::real())
        } else {
            None
        };
        self
    }

    /// Sends requests through a proxy (CONNECT tunnels). [`Config::from_env`] reads it from
    /// `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`; a builder uses none unless told.
    ///
    /// Needs the `proxy` cargo feature (on by default).
    #[cfg(feature = "proxy")]
    pub fn proxy(mut self, proxy: ProxySettings) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Builds the configuration.
    ///
    /// # Errors
    /// When the region or credentials are missing, the endpoint is not an `http(s)` URL, or
    /// the CA bundle cannot be read.
    pub fn build(self) -> Result<Config, ConfigError> {
        let region = match self.region.filter(|r| !r.trim().is_empty()) {
            Some(region) if is_region_name(&region) => Region::Set(region),
            Some(region) => {
                return Err(ConfigError::new(format!(
                    "region {region:?} is not a valid region name"
                )));
            }
            None => {
                #[cfg(feature = "imds")]
                let from_imds = self.imds_region.map(Region::FromImds);
                #[cfg(not(feature = "imds"))]
                let from_imds = None;
                from_imds.ok_or_else(|| {
                    ConfigError::new(
                        "no region: set it with Config::builder().region(\"us-east-1\"), or use \
                         Config::from_env()",
                    )
                })?
            }
        };
        #[cfg(feature = "sts")]
        if let Some(slot) = &self.sts_region {
            let _ = slot.set(region.clone());
        }
        let credentials = self.credentials.ok_or_else(|| {
            ConfigError::new(
                "no credentials: set them with Config::builder().credentials(..) (fixed credentials or your own \
                 ProvideCredentials source), or use Config::from_env()",
            )
        })?;
        if let Some(url) = &self.endpoint_url {
            crate::endpoint::validate(url, "the endpoint URL")?;
        }
        let timeouts = self.timeouts.unwrap_or_default();
        let http_settings = HttpSettings {
            connect_timeout: timeouts.connect,
            ca_bundle: self.ca_bundle,
            #[cfg(feature = "proxy")]
            proxy: self.proxy,
            max_response_bytes: self
                .max_response_bytes
                .unwrap_or(HttpSettings::default().max_response_bytes),
            ..HttpSettings::default()
        };
        let http: Arc<dyn HttpConnector> = match (self.connector, self.prepared_tls) {
            (Some(connector), _) => connector,
            (None, Some((bundle, tls))) if bundle == http_settings.ca_bundle => {
                Arc::new(HttpClient::with_tls(&http_settings, tls))
            }
            (None, _) => Arc::new(
                HttpClient::new(&http_settings).map_err(|e| ConfigError::new(e.to_string()))?,
            ),
        };
        let credentials = Arc::new(CachingProvider::new(credentials));
        Ok(Config {
            region,
            credentials,
            endpoint_url: self.endpoint_url,
            env: self.env,
            configured_endpoints: self.configured_endpoints,
            retry: self.retry.unwrap_or_default(),
            timeouts,
            http,
            http_settings,
            idempotency_tokens: self.idempotency_tokens,
            use_fips: self.use_fips,
            use_dual_stack: self.use_dual_stack,
            #[cfg(feature = "testing")]
            mock: self.mock,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed environment with a region, keys and HOME in a directory that does not exist.
    fn env(vars: &[(&str, &str)]) -> Env {
        let mut all = vec![
            ("HOME", "/nonexistent/lambda-sdk-runtime-test"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "SECRET"),
        ];
        all.extend_from_slice(vars);
        Env::from_vars(all)
    }

    #[test]
    fn from_env_reads_region_from_the_environment() {
        let config = Config::from_env_with(env(&[])).unwrap();
        assert_eq!(config.region(), Some("eu-west-1"));
    }

    /// Without the `profile` feature, the "no region" error does not claim to have looked in a
    /// profile, and says why it did not.
    #[cfg(not(feature = "profile"))]
    #[test]
    fn no_region_without_profiles_says_the_files_were_not_read() {
        let env = Env::from_vars([
            ("AWS_PROFILE", "dev"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]);
        let err = Config::from_env_with(env).unwrap_err();
        #[cfg(feature = "imds")]
        let imds = "AWS_EC2_METADATA_DISABLED is true";
        #[cfg(not(feature = "imds"))]
        let imds = "this build leaves out lambda-sdk's `imds` cargo feature";
        assert_eq!(
            err.to_string(),
            format!(
                "no AWS region configured; looked in AWS_REGION and AWS_DEFAULT_REGION (not in \
                 the shared config file: this build leaves out lambda-sdk's `profile` cargo \
                 feature); EC2 instance metadata was not asked: {imds}. Set AWS_REGION, or \
                 build the config with Config::builder().region(..)"
            )
        );
    }

    /// Without the `proxy` feature, a proxy variable is an error naming it and the feature,
    /// unless NO_PROXY says that no host goes through a proxy.
    #[cfg(not(feature = "proxy"))]
    #[test]
    fn proxy_variables_without_the_proxy_feature() {
        for var in crate::http::PROXY_VARIABLES {
            let err = Config::from_env_with(env(&[(var, "http://proxy:3128")])).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "the environment variable {var} is set, but this build cannot send requests \
                     through a proxy (lambda-sdk's `proxy` cargo feature is off), so they would \
                     bypass it: enable the `proxy` feature, or unset {var} (NO_PROXY=* also says \
                     that no proxy is wanted)"
                )
            );
            for no_proxy in [("NO_PROXY", "*"), ("no_proxy", "localhost, *")] {
                let env = env(&[(var, "http://proxy:3128"), no_proxy]);
                assert!(Config::from_env_with(env).is_ok(), "{var} {no_proxy:?}");
            }
        }
        let env = env(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("NO_PROXY", "localhost"),
        ]);
        assert!(Config::from_env_with(env).is_err());
    }
}
