//! `Config::from_env` and `Config::builder_from_env`: the configuration AWS's SDKs read from
//! the environment and the shared files, and the profile settings this SDK refuses.

use std::path::PathBuf;
use std::sync::Arc;
#[cfg(any(
    feature = "container-credentials",
    feature = "imds",
    feature = "sts",
    feature = "sso"
))]
use std::time::Duration;

use super::{Config, ConfigBuilder, ConfigError};
use crate::credentials::DefaultChain;
use crate::env::Env;
#[cfg(feature = "proxy")]
use crate::http::ProxySettings;
#[cfg(any(
    feature = "container-credentials",
    feature = "imds",
    feature = "sts",
    feature = "sso"
))]
use crate::http::{HttpClient, HttpSettings};
#[cfg(feature = "profile")]
use crate::profile::{Profile, ProfileSet};
use crate::retry::RetryConfig;
use crate::settings::flag;

impl Config {
    /// Reads the configuration from the environment, the way AWS's SDKs do, without any I/O
    /// beyond reading the shared config files:
    /// - region: `AWS_REGION`, `AWS_DEFAULT_REGION`, then `region` of the profile
    ///   (`AWS_PROFILE`, default `default`) in `~/.aws/config` (`AWS_CONFIG_FILE`; with the
    ///   `profile` cargo feature, on by default), else the EC2 instance's region from instance
    ///   metadata (with the `imds` feature, on by default, unless `AWS_EC2_METADATA_DISABLED`
    ///   is true), fetched at the first request (see [`Config::resolve_region`]);
    /// - credentials, resolved lazily at the first request and refreshed before they expire:
    ///   environment variables, the shared files (static keys, IAM Identity Center,
    ///   `credential_process`, roles through STS), web identity (EKS IRSA), container
    ///   credentials, then EC2 instance metadata (IMDSv2), each but the first with its cargo
    ///   feature (see [`DefaultChain`]);
    /// - endpoint: `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then the profile's
    ///   `services` section and `endpoint_url` (none of them with
    ///   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or `ignore_configured_endpoint_urls` true);
    /// - FIPS and dual-stack: `AWS_USE_FIPS_ENDPOINT` / `use_fips_endpoint`,
    ///   `AWS_USE_DUALSTACK_ENDPOINT` / `use_dualstack_endpoint`;
    /// - retries: `AWS_MAX_ATTEMPTS`, else `max_attempts` of the profile; `AWS_RETRY_MODE`,
    ///   else `retry_mode` of the profile, which must be `standard` (`adaptive` is refused);
    /// - `AWS_CA_BUNDLE` (or the profile's `ca_bundle`), and `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/
    ///   `NO_PROXY` (with the `proxy` cargo feature, on by default).
    ///
    /// # Errors
    /// When no region is configured and instance metadata cannot be asked (the message lists
    /// where the SDK looked), or a setting has an invalid value. Without the `proxy` feature,
    /// when a proxy variable is set (unless `NO_PROXY` is `*`): requests would otherwise bypass
    /// a proxy the network may require.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_env_with(Env::real())
    }

    /// [`Config::from_env`] with an explicit environment (for tests and embedding).
    ///
    /// # Errors
    /// As [`Config::from_env`].
    pub fn from_env_with(env: Env) -> Result<Config, ConfigError> {
        Config::builder_from_env_with(env)?.build()
    }

    /// A builder holding everything [`Config::from_env`] reads, so code can override some of
    /// it (an endpoint, timeouts) before building:
    ///
    /// ```no_run
    /// use lambda_sdk_runtime::config::Config;
    ///
    /// let config = Config::builder_from_env()?.endpoint_url("http://127.0.0.1:5055").build()?;
    /// # Ok::<(), lambda_sdk_runtime::config::ConfigError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Config::from_env`].
    pub fn builder_from_env() -> Result<ConfigBuilder, ConfigError> {
        Config::builder_from_env_with(Env::real())
    }

    /// [`Config::builder_from_env`] with an explicit environment.
    ///
    /// # Errors
    /// As [`Config::from_env`].
    pub fn builder_from_env_with(env: Env) -> Result<ConfigBuilder, ConfigError> {
        let mut builder = Config::builder();
        let region = env
            .get("AWS_REGION")
            .or_else(|| env.get("AWS_DEFAULT_REGION"));
        #[cfg(feature = "profile")]
        let profiles = ProfileSet::load(&env);
        #[cfg(feature = "profile")]
        let region = region.or_else(|| {
            profiles
                .as_ref()
                .ok()
                .and_then(|p| p.selected())
                .and_then(|p| p.get("region"))
                .map(String::from)
        });
        // Where a region was looked for, for the error when there is none.
        let looked_in = || -> String {
            #[cfg(feature = "profile")]
            let looked_in = match &profiles {
                Ok(p) => format!(
                    "AWS_REGION, AWS_DEFAULT_REGION and the `region` of profile `{}` in {}",
                    p.profile_name(),
                    p.config_file().map_or_else(
                        || "the shared config file".to_string(),
                        |f| f.display().to_string()
                    )
                ),
                Err(e) => format!(
                    "AWS_REGION, AWS_DEFAULT_REGION and the shared config file, which could not \
                     be read ({e})"
                ),
            };
            #[cfg(not(feature = "profile"))]
            let looked_in = "AWS_REGION and AWS_DEFAULT_REGION (not in the shared config file: \
                             this build leaves out lambda-sdk's `profile` cargo feature)"
                .to_string();
            looked_in
        };
        #[cfg(not(feature = "imds"))]
        let Some(region) = region else {
            return Err(no_region(
                &looked_in(),
                "EC2 instance metadata was not asked: this build leaves out lambda-sdk's `imds` \
                 cargo feature",
            ));
        };
        #[cfg(not(feature = "imds"))]
        {
            builder = builder.region(region);
        }
        #[cfg(feature = "imds")]
        if let Some(region) = &region {
            builder = builder.region(region.clone());
        } else if crate::imds::disabled(&env) {
            return Err(no_region(
                &looked_in(),
                "EC2 instance metadata was not asked: AWS_EC2_METADATA_DISABLED is true",
            ));
        }
        // A setting from the environment, else from the selected profile, with where it came
        // from (for error messages).
        let setting = |var: &str, key: &str| -> Option<(String, String)> {
            if let Some(value) = env.get(var) {
                return Some((value, var.to_string()));
            }
            #[cfg(feature = "profile")]
            if let Ok(profiles) = &profiles
                && let Some(value) = profiles.selected().and_then(|p| p.get(key))
            {
                return Some((
                    value.to_string(),
                    format!("`{key}` of profile `{}`", profiles.profile_name()),
                ));
            }
            #[cfg(not(feature = "profile"))]
            let _ = key;
            None
        };
        if let Some((mode, from)) = setting("AWS_RETRY_MODE", "retry_mode")
            && !mode.trim().eq_ignore_ascii_case("standard")
        {
            return Err(ConfigError::new(format!(
                "{from} is {mode:?}; it must be \"standard\" (retries with jitter, Retry-After \
                 and a retry quota): \"adaptive\" (client-side rate limiting) is not \
                 implemented by lambda-sdk"
            )));
        }
        if let Some((attempts, from)) = setting("AWS_MAX_ATTEMPTS", "max_attempts") {
            let n: u32 = attempts
                .trim()
                .parse()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    ConfigError::new(format!(
                        "{from} is {attempts:?}, not a whole number of at least 1"
                    ))
                })?;
            builder = builder.retry_config(RetryConfig::standard().with_max_attempts(n));
        }
        let ca_bundle = setting("AWS_CA_BUNDLE", "ca_bundle").map(|(path, _)| PathBuf::from(path));
        if let Some(bundle) = &ca_bundle {
            builder = builder.ca_bundle(bundle.clone());
        }
        // Credential sources on the network (container, instance metadata) are local
        // endpoints: never through a proxy, and quick to give up.
        // Read the bundle once: the client `build` makes reuses this TLS configuration
        // unless the bundle is changed on the builder meanwhile.
        let tls = crate::http::tls_config(ca_bundle.as_deref())
            .map_err(|e| ConfigError::new(e.to_string()))?;
        #[cfg(any(
            feature = "container-credentials",
            feature = "imds",
            feature = "sts",
            feature = "sso"
        ))]
        let credentials_http = HttpClient::with_tls(
            &HttpSettings {
                connect_timeout: Duration::from_secs(1),
                ca_bundle: ca_bundle.clone(),
                #[cfg(feature = "proxy")]
                proxy: None,
                max_response_bytes: 1024 * 1024,
                ..HttpSettings::default()
            },
            tls.clone(),
        );
        // STS and IAM Identity Center are on the internet: through the proxy, if any, with the
        // usual connect timeout.
        #[cfg(any(feature = "sts", feature = "sso"))]
        let remote_http = HttpClient::with_tls(
            &HttpSettings {
                ca_bundle: ca_bundle.clone(),
                #[cfg(feature = "proxy")]
                proxy: ProxySettings::from_env(&env),
                max_response_bytes: 1024 * 1024,
                ..HttpSettings::default()
            },
            tls.clone(),
        );
        builder.prepared_tls = Some((ca_bundle, tls));
        #[cfg(feature = "imds")]
        let imds = {
            if let Some(mode) = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") {
                endpoint_mode(&mode, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")?;
            }
            #[cfg(feature = "profile")]
            let (endpoint, ipv6) = imds_profile_settings(profiles.as_ref().ok())?;
            #[cfg(not(feature = "profile"))]
            let (endpoint, ipv6) = (None, false);
            crate::imds::Imds::new(env.clone(), credentials_http.clone())
                .with_profile_settings(endpoint, ipv6)
        };
        for (var, key, set) in [
            (
                "AWS_USE_FIPS_ENDPOINT",
                "use_fips_endpoint",
                ConfigBuilder::use_fips as fn(ConfigBuilder, bool) -> ConfigBuilder,
            ),
            (
                "AWS_USE_DUALSTACK_ENDPOINT",
                "use_dualstack_endpoint",
                ConfigBuilder::use_dual_stack,
            ),
        ] {
            if let Some((value, from)) = setting(var, key) {
                builder = set(builder, flag(&value, &from)?);
            }
        }
        #[cfg(feature = "profile")]
        if let Ok(profiles) = &profiles
            && let Some(profile) = profiles.selected()
        {
            refuse_unread_settings(profile, profiles)?;
        }
        #[cfg(feature = "proxy")]
        if let Some(proxy) = ProxySettings::from_env(&env) {
            builder = builder.proxy(proxy);
        }
        #[cfg(not(feature = "proxy"))]
        crate::http::refuse_proxy_variables(&env)?;
        for var in ["AWS_ENDPOINT_URL"] {
            if let Some(url) = env.get(var) {
                crate::endpoint::validate(&url, var)?;
            }
        }
        #[cfg(feature = "profile")]
        {
            builder.configured_endpoints =
                crate::endpoint::configured(&env, profiles.as_ref().ok())?;
        }
        #[cfg(not(feature = "profile"))]
        if let Some(value) = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
            builder.configured_endpoints.ignore =
                flag(&value, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?;
        }
        builder.env = Some(env.clone());
        // Nothing sets a region: the first request asks instance metadata (unless the
        // builder is given one).
        #[cfg(feature = "imds")]
        if region.is_none() {
            builder.imds_region = Some(Arc::new(crate::region::ImdsRegion::new(
                imds.clone(),
                looked_in(),
            )));
        }
        #[cfg(any(
            feature = "container-credentials",
            feature = "imds",
            feature = "sts",
            feature = "sso"
        ))]
        let chain = DefaultChain::new(env, credentials_http);
        #[cfg(not(any(
            feature = "container-credentials",
            feature = "imds",
            feature = "sts",
            feature = "sso"
        )))]
        let chain = DefaultChain::without_network(env);
        // STS calls use the region of the built configuration, whatever sets it.
        #[cfg(feature = "sts")]
        let chain = {
            let slot = Arc::new(std::sync::OnceLock::new());
            builder.sts_region = Some(slot.clone());
            chain.with_sts_region(crate::credentials::sts::StsRegion::OfConfig(slot))
        };
        #[cfg(feature = "imds")]
        let chain = chain.with_imds(imds);
        #[cfg(any(feature = "sts", feature = "sso"))]
        let chain = chain
            .with_remote_http_client(remote_http)
            .with_endpoints(Arc::new(crate::endpoint::ForCredentials {
                configured: builder.configured_endpoints.clone(),
                use_fips: builder.use_fips,
                use_dual_stack: builder.use_dual_stack,
            }));
        builder.credentials = Some(Arc::new(chain));
        Ok(builder)
    }
}

/// Profile settings that change where requests go or how they are signed, which this SDK does
/// not read, and what to do instead. Settings only the AWS CLI uses (`output`, `cli_pager`,
/// `sso_registration_scopes`, …) and settings of other services are accepted and ignored.
#[cfg(feature = "profile")]
const UNREAD_SETTINGS: [(&str, &str); 4] = [
    (
        "sigv4a_signing_region_set",
        "this SDK signs with SigV4 in the client's region",
    ),
    ("auth_scheme_preference", "this SDK signs with SigV4 only"),
    (
        "sts_regional_endpoints",
        "this SDK always calls STS at its regional endpoint (the `regional` behaviour); remove \
         the setting, or set AWS_ENDPOINT_URL_STS",
    ),
    (
        "account_id_endpoint_mode",
        "Lambda has no account-based endpoints",
    ),
];

/// An error for the first setting of `profile` in [`UNREAD_SETTINGS`] (`sts_regional_endpoints
/// = regional` and `account_id_endpoint_mode = disabled` are what this SDK does, so they pass).
#[cfg(feature = "profile")]
fn refuse_unread_settings(profile: &Profile, profiles: &ProfileSet) -> Result<(), ConfigError> {
    for (key, instead) in UNREAD_SETTINGS {
        let Some(value) = profile.get(key) else {
            continue;
        };
        let harmless = matches!(
            (key, value.trim().to_ascii_lowercase().as_str()),
            ("sts_regional_endpoints", "regional")
                | ("account_id_endpoint_mode", "disabled" | "preferred")
        );
        if !harmless {
            return Err(ConfigError::new(format!(
                "profile `{}` in {} sets `{key} = {value}`, which changes where requests go or \
                 how they are signed, and this SDK does not read it: {instead}",
                profile.name(),
                profiles.describe_files()
            )));
        }
    }
    Ok(())
}

/// The error for a missing region: where the SDK looked, and `why_not_imds`.
fn no_region(looked_in: &str, why_not_imds: &str) -> ConfigError {
    ConfigError::new(format!(
        "no AWS region configured; looked in {looked_in}; {why_not_imds}. Set AWS_REGION, or \
         build the config with Config::builder().region(..)"
    ))
}

/// The selected profile's `ec2_metadata_service_endpoint`, and whether its
/// `ec2_metadata_service_endpoint_mode` is `IPv6`.
#[cfg(all(feature = "imds", feature = "profile"))]
fn imds_profile_settings(
    profiles: Option<&ProfileSet>,
) -> Result<(Option<String>, bool), ConfigError> {
    if let Some(profiles) = profiles
        && let Some(profile) = profiles.selected()
    {
        let from = |key: &str| {
            format!(
                "`{key}` of profile `{}` in {}",
                profile.name(),
                profiles.describe_files()
            )
        };
        let ipv6 = match profile.get("ec2_metadata_service_endpoint_mode") {
            None => false,
            Some(mode) => endpoint_mode(mode, &from("ec2_metadata_service_endpoint_mode"))?,
        };
        let endpoint = profile.get("ec2_metadata_service_endpoint");
        if let Some(url) = endpoint {
            crate::endpoint::validate(url, &from("ec2_metadata_service_endpoint"))?;
        }
        return Ok((endpoint.map(String::from), ipv6));
    }
    Ok((None, false))
}

/// Whether an instance metadata endpoint mode (`IPv4` or `IPv6`, any case) is IPv6; `from`
/// names the setting in the error.
#[cfg(feature = "imds")]
fn endpoint_mode(mode: &str, from: &str) -> Result<bool, ConfigError> {
    match mode.trim() {
        m if m.eq_ignore_ascii_case("ipv6") => Ok(true),
        m if m.eq_ignore_ascii_case("ipv4") => Ok(false),
        _ => Err(ConfigError::new(format!(
            "{from} is {mode:?}; it must be IPv4 or IPv6"
        ))),
    }
}
