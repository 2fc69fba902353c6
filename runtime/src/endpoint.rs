//! Where requests go. This is the one place that decides it: the model's endpoint rules
//! (`smithy.rules#endpointRuleSet`, compiled by `cargo xtask codegen` into a [`Resolver`] that
//! uses [`crate::endpoint_rules::functions`] and the partition data of [`crate::partitions`]),
//! given the region, FIPS and dual-stack settings and any custom endpoint (explicit, then
//! `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`).

use http::Uri;

use crate::endpoint_rules::RulesError;
use crate::settings::ConfigError;

/// The values a rule set's parameters can be bound to (their `builtIn`s): what the
/// configuration says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EndpointParams<'a> {
    /// `AWS::Region`.
    pub region: Option<&'a str>,
    /// `AWS::UseFIPS`.
    pub use_fips: bool,
    /// `AWS::UseDualStack`.
    pub use_dual_stack: bool,
    /// `SDK::Endpoint`: the custom endpoint, if one is set.
    pub endpoint: Option<&'a str>,
}

impl<'a> EndpointParams<'a> {
    /// Parameters with this region, FIPS and dual-stack off, and no custom endpoint.
    pub fn new(region: Option<&'a str>) -> Self {
        EndpointParams {
            region,
            use_fips: false,
            use_dual_stack: false,
            endpoint: None,
        }
    }

    /// These parameters with `AWS::UseFIPS` set to `use_fips`.
    pub fn with_fips(mut self, use_fips: bool) -> Self {
        self.use_fips = use_fips;
        self
    }

    /// These parameters with `AWS::UseDualStack` set to `use_dual_stack`.
    pub fn with_dual_stack(mut self, use_dual_stack: bool) -> Self {
        self.use_dual_stack = use_dual_stack;
        self
    }

    /// These parameters with `SDK::Endpoint` set to `endpoint`.
    pub fn with_endpoint(mut self, endpoint: Option<&'a str>) -> Self {
        self.endpoint = endpoint;
        self
    }
}

/// A service's endpoint rules, compiled: the URL for the parameters, or why there is none.
pub type Resolver = fn(&EndpointParams<'_>) -> Result<String, RulesError>;

/// A resolved endpoint: scheme, authority and an optional base path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    scheme: String,
    authority: String,
    base_path: String,
}

impl Endpoint {
    /// `https` or `http`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Host and port, as the `Host` header carries them.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The endpoint with `prefix` prepended to its host (`@endpoint(hostPrefix)`).
    pub fn with_host_prefix(&self, prefix: &str) -> Endpoint {
        Endpoint {
            authority: format!("{prefix}{}", self.authority),
            ..self.clone()
        }
    }

    /// The full URL of a request path (already percent-encoded) and query.
    pub fn url(&self, path: &str, query: &str) -> String {
        let mut url = format!(
            "{}://{}{}{}",
            self.scheme, self.authority, self.base_path, path
        );
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        url
    }
}

/// Checks an endpoint URL: `http` or `https`, with a host, no query.
pub(crate) fn validate(url: &str, what: &str) -> Result<Endpoint, ConfigError> {
    let shown = crate::http::mask_userinfo(url);
    let uri: Uri = url
        .parse()
        .map_err(|e| ConfigError::new(format!("{what} {shown:?} is not a valid URL: {e}")))?;
    let scheme = match uri.scheme_str() {
        Some("https") => "https",
        Some("http") => "http",
        Some(other) => {
            return Err(ConfigError::new(format!(
                "{what} {shown:?} has the scheme `{other}`; use https (or http for a local server)"
            )));
        }
        None => {
            return Err(ConfigError::new(format!(
                "{what} {shown:?} has no scheme; write it as https://host"
            )));
        }
    };
    let authority = uri
        .authority()
        .map(|a| a.as_str().to_string())
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ConfigError::new(format!("{what} {shown:?} has no host")))?;
    if authority.contains('@') {
        return Err(ConfigError::new(format!(
            "{what} {} has a user name or password, which an endpoint cannot carry",
            crate::http::mask_userinfo(url)
        )));
    }
    if uri.query().is_some() {
        return Err(ConfigError::new(format!(
            "{what} {shown:?} must not have a query string"
        )));
    }
    Ok(Endpoint {
        scheme: scheme.into(),
        authority,
        base_path: uri.path().trim_end_matches('/').to_string(),
    })
}

/// The name of the per-service endpoint variable: `AWS_ENDPOINT_URL_` and the SDK id in upper
/// case with spaces and dashes as underscores (`Lambda` → `AWS_ENDPOINT_URL_LAMBDA`).
pub fn service_env_var(sdk_id: &str) -> String {
    let mut name = String::from("AWS_ENDPOINT_URL_");
    for c in sdk_id.chars() {
        name.push(if c == ' ' || c == '-' {
            '_'
        } else {
            c.to_ascii_uppercase()
        });
    }
    name
}

/// Endpoint URLs set in the shared config file, and whether configured URLs are ignored.
#[derive(Clone, Debug, Default)]
pub(crate) struct Configured {
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or the profile's
    /// `ignore_configured_endpoint_urls`: only an endpoint set in code counts.
    pub(crate) ignore: bool,
    /// Per service, from the profile's `services` section: the service key (`lambda`), the
    /// URL, and where it was set.
    #[cfg(feature = "profile")]
    pub(crate) services: Vec<(String, String, String)>,
    /// The profile's own `endpoint_url`, and where it was set.
    #[cfg(feature = "profile")]
    pub(crate) global: Option<(String, String)>,
}

/// Where a credentials source's own calls (STS, the SSO portal, SSO OIDC) go, as
/// `Config::from_env` read it: the configured endpoint URLs, FIPS and dual-stack.
#[cfg(any(feature = "sts", feature = "sso"))]
#[derive(Clone, Debug, Default)]
pub(crate) struct ForCredentials {
    pub(crate) configured: Configured,
    pub(crate) use_fips: bool,
    pub(crate) use_dual_stack: bool,
}

/// The endpoint (without a trailing `/`) of the service `sdk_id` that a credentials source
/// calls: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, then the profile's `services`
/// section and `endpoint_url` (none of them when configured endpoints are ignored), else
/// `https://{host}.{region}.{dns suffix}`, with `fips_host` under FIPS and the dual-stack
/// suffix under dual-stack when the service has them. Without `settings` (a provider used
/// alone), the environment says whether configured endpoints are ignored.
#[cfg(any(feature = "sts", feature = "sso"))]
pub(crate) fn for_credentials(
    env: &crate::env::Env,
    settings: Option<&ForCredentials>,
    sdk_id: &str,
    (host, fips_host, has_dual_stack): (&str, Option<&str>, bool),
    region: &str,
) -> Result<String, ConfigError> {
    let mut alone = Configured::default();
    let configured = match settings {
        Some(settings) => &settings.configured,
        None => {
            if let Some(value) = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
                alone.ignore =
                    crate::settings::flag(&value, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?;
            }
            &alone
        }
    };
    if let Some((url, from)) = configured_url(Some(env), configured, sdk_id) {
        validate(&url, &from)?;
        return Ok(url.trim_end_matches('/').to_string());
    }
    let outputs = &crate::partitions::partition_for(region).outputs;
    let fips = settings.is_some_and(|s| s.use_fips);
    let dual_stack = settings.is_some_and(|s| s.use_dual_stack) && has_dual_stack;
    let host = match fips_host {
        Some(fips_host) if fips => fips_host,
        _ => host,
    };
    let suffix = if dual_stack {
        outputs.dual_stack_dns_suffix
    } else {
        outputs.dns_suffix
    };
    Ok(format!("https://{host}.{region}.{suffix}"))
}

/// An endpoint of `sdk_id` configured outside code, and where: `AWS_ENDPOINT_URL_<SERVICE>`
/// and `AWS_ENDPOINT_URL` in `env`, then the profile's `services` section and `endpoint_url`;
/// `None` when there is none, or configured endpoints are ignored. Not validated.
fn configured_url(
    env: Option<&crate::env::Env>,
    configured: &Configured,
    sdk_id: &str,
) -> Option<(String, String)> {
    if configured.ignore {
        return None;
    }
    if let Some(env) = env {
        let service_var = service_env_var(sdk_id);
        for var in [service_var.as_str(), "AWS_ENDPOINT_URL"] {
            if let Some(url) = env.get(var) {
                return Some((url, var.to_string()));
            }
        }
    }
    #[cfg(feature = "profile")]
    {
        let key = service_key(sdk_id);
        configured
            .services
            .iter()
            .find(|(service, _, _)| *service == key)
            .map(|(_, url, from)| (url.clone(), from.clone()))
            .or_else(|| configured.global.clone())
    }
    #[cfg(not(feature = "profile"))]
    {
        let _ = sdk_id;
        None
    }
}

#[cfg(feature = "profile")]
/// The key of a service in a `[services]` section: the SDK id in lower case with spaces and
/// dashes as underscores (`Lambda` → `lambda`, `SSO OIDC` → `sso_oidc`).
pub(crate) fn service_key(sdk_id: &str) -> String {
    sdk_id
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Reads `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, and the selected profile's
/// `ignore_configured_endpoint_urls`, `endpoint_url` and `services` (its `[services NAME]`
/// section's `endpoint_url` per service). Every URL is checked here.
#[cfg(feature = "profile")]
pub(crate) fn configured(
    env: &crate::env::Env,
    profiles: Option<&crate::profile::ProfileSet>,
) -> Result<Configured, ConfigError> {
    let profile = profiles.and_then(|p| p.selected());
    use crate::settings::flag;
    let located = |p: &crate::profile::ProfileSet| {
        format!("profile `{}` in {}", p.profile_name(), p.describe_files())
    };
    let ignore = match env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
        Some(value) => flag(&value, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?,
        None => match (
            profiles,
            profile.and_then(|p| p.get("ignore_configured_endpoint_urls")),
        ) {
            (Some(set), Some(value)) => flag(
                value,
                &format!("`ignore_configured_endpoint_urls` of {}", located(set)),
            )?,
            _ => false,
        },
    };
    let mut configured = Configured {
        ignore,
        ..Configured::default()
    };
    let (Some(set), Some(profile)) = (profiles, profile) else {
        return Ok(configured);
    };
    if let Some(url) = profile.get("endpoint_url") {
        let from = format!("`endpoint_url` of {}", located(set));
        validate(url, &from)?;
        configured.global = Some((url.to_string(), from));
    }
    if let Some(name) = profile.get("services") {
        let section = set.services(name).ok_or_else(|| {
            ConfigError::new(format!(
                "{} names `services = {name}`, but there is no `[services {name}]` section in {}",
                located(set),
                set.describe_files()
            ))
        })?;
        for key in section.keys() {
            if let Some(url) = section.sub_property(key, "endpoint_url") {
                let from = format!("`{key}.endpoint_url` of `[services {name}]`");
                validate(url, &from)?;
                configured
                    .services
                    .push((key.to_string(), url.to_string(), from));
            }
        }
    }
    Ok(configured)
}

/// The endpoint settings of a configuration ([`Config`](crate::config::Config)).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings<'a> {
    /// `ConfigBuilder::endpoint_url`.
    pub(crate) endpoint_url: Option<&'a str>,
    /// The endpoint URLs the environment and profile configure.
    pub(crate) configured: &'a Configured,
    /// The environment they were read from.
    pub(crate) env: Option<&'a crate::env::Env>,
    /// Use FIPS endpoints.
    pub(crate) use_fips: bool,
    /// Use dual-stack endpoints.
    pub(crate) use_dual_stack: bool,
}

/// Resolves the endpoint for a service with the model's endpoint rules.
///
/// A custom endpoint (set on the config, or `AWS_ENDPOINT_URL_<SERVICE>`, then
/// `AWS_ENDPOINT_URL`, then the profile's `services` section, then the profile's
/// `endpoint_url`; all but the first skipped when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or
/// `ignore_configured_endpoint_urls` is true) is passed to the rules as `SDK::Endpoint`, together with `region`
/// (`AWS::Region`, the config's region once known) and the FIPS and dual-stack settings, so the rules decide, and refuse
/// combinations they do not support (a custom endpoint with FIPS, say). A service without rules
/// needs a custom endpoint.
///
/// # Errors
/// When a custom endpoint is not a valid URL, the rules refuse the settings, or no endpoint
/// can be found.
pub(crate) fn resolve(
    settings: Settings<'_>,
    region: &str,
    sdk_id: &str,
    resolver: Option<Resolver>,
) -> Result<Endpoint, ConfigError> {
    let mut custom: Option<(String, String)> = settings
        .endpoint_url
        .map(|url| (url.to_string(), "the endpoint URL".to_string()));
    if custom.is_none() {
        custom = configured_url(settings.env, settings.configured, sdk_id);
    }
    if let Some((url, source)) = &custom {
        validate(url, source)?;
    }
    let Some(resolver) = resolver else {
        return match &custom {
            Some((url, source)) => validate(url, source),
            None => Err(ConfigError::new(format!(
                "the {sdk_id} model has no endpoint rules: set an endpoint URL with Config::builder().endpoint_url(..)"
            ))),
        };
    };
    let params = EndpointParams {
        region: Some(region),
        use_fips: settings.use_fips,
        use_dual_stack: settings.use_dual_stack,
        endpoint: custom.as_ref().map(|(url, _)| url.as_str()),
    };
    let resolved = resolver(&params)
        .map_err(|e| ConfigError::new(format!("cannot resolve the {sdk_id} endpoint: {e}")))?;
    let endpoint = validate(&resolved, "the endpoint the rules resolved")?;
    // Plain http only ever reaches the wire for an endpoint the user set themselves.
    if custom.is_none() && endpoint.scheme() != "https" {
        return Err(ConfigError::new(format!(
            "the {sdk_id} endpoint rules resolved {resolved:?}, which is not https; set an endpoint URL explicitly to use plain http"
        )));
    }
    Ok(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        let e = validate("http://127.0.0.1:5055/", "x").unwrap();
        assert_eq!(e.url("/a%2Fb", "q=1"), "http://127.0.0.1:5055/a%2Fb?q=1");
        let e = validate("https://proxy.example/base/", "x").unwrap();
        assert_eq!(e.url("/op", ""), "https://proxy.example/base/op");
        assert!(
            validate("ftp://x", "x")
                .unwrap_err()
                .to_string()
                .contains("ftp")
        );
        assert!(validate("localhost:80", "x").is_err());
    }

    /// A custom endpoint wins; else plain http.
    fn insecure(params: &EndpointParams<'_>) -> Result<String, RulesError> {
        Ok(params
            .endpoint
            .unwrap_or("http://lambda.example.com")
            .to_string())
    }

    /// A custom endpoint wins; else https.
    fn secure(params: &EndpointParams<'_>) -> Result<String, RulesError> {
        Ok(params
            .endpoint
            .unwrap_or("https://lambda.example.com")
            .to_string())
    }

    fn settings<'a>(endpoint_url: Option<&'a str>, configured: &'a Configured) -> Settings<'a> {
        Settings {
            endpoint_url,
            configured,
            env: None,
            use_fips: false,
            use_dual_stack: false,
        }
    }

    #[test]
    fn plain_http_only_for_an_endpoint_the_user_set() {
        let none = Configured::default();
        let err =
            resolve(settings(None, &none), "eu-west-1", "Lambda", Some(insecure)).unwrap_err();
        assert!(err.to_string().contains("not https"), "{err}");
        let explicit = resolve(
            settings(Some("http://127.0.0.1:9"), &none),
            "eu-west-1",
            "Lambda",
            Some(insecure),
        );
        assert_eq!(explicit.unwrap().scheme(), "http");
        let secure = resolve(settings(None, &none), "eu-west-1", "Lambda", Some(secure));
        assert_eq!(secure.unwrap().scheme(), "https");
    }

    #[test]
    fn service_variables() {
        assert_eq!(service_env_var("Lambda"), "AWS_ENDPOINT_URL_LAMBDA");
        assert_eq!(
            service_env_var("Elastic Beanstalk"),
            "AWS_ENDPOINT_URL_ELASTIC_BEANSTALK"
        );
    }
}
