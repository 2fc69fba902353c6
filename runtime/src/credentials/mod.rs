//! AWS credentials and the sources they come from.
//!
//! - [`Credentials`]: an access key id, a secret access key, an optional session token and an
//!   optional expiry. `Debug` never prints the secret or the token.
//! - [`ProvideCredentials`]: a source of credentials. Implement it to plug in a source this
//!   crate does not have (a vault, a custom broker, …).
//! - The sources of the standard chain, each usable alone: `EnvironmentProvider`,
//!   `ProfileProvider` (static keys and `credential_process`; cargo features `profile` and
//!   `credential-process`), `ContainerProvider` (ECS, EKS Pod Identity; feature
//!   `container-credentials`) and `ImdsProvider` (EC2 instance metadata, IMDSv2; feature
//!   `imds`). All features are on by default; see the crate documentation.
//! - `WebIdentityProvider` (feature `sts`): a role through AWS STS with a web identity token
//!   (EKS IRSA); the same feature lets `ProfileProvider` assume the roles profiles name.
//! - [`DefaultChain`]: environment, profile, web identity, container, instance metadata, in
//!   that order (those compiled in).
//! - [`CachingProvider`]: caches what another source returns and refreshes it before it expires.
//!
//! ```no_run
//! use std::sync::Arc;
//! use lambda_sdk_runtime::credentials::{CachingProvider, DefaultChain, ProvideCredentials};
//! use lambda_sdk_runtime::env::Env;
//! use lambda_sdk_runtime::http::{HttpClient, HttpSettings};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let http = HttpClient::new(&HttpSettings::default())?;
//! let provider = CachingProvider::new(Arc::new(DefaultChain::new(Env::real(), http)));
//! let credentials = provider.provide_credentials().await?;
//! println!("using access key {}", credentials.access_key_id());
//! # Ok(())
//! # }
//! ```

mod cache;
mod chain;
#[cfg(feature = "container-credentials")]
mod container;
#[cfg(any(
    feature = "container-credentials",
    feature = "imds",
    feature = "credential-process"
))]
mod document;
mod environment;
#[cfg(feature = "imds")]
pub(crate) mod imds;
#[cfg(feature = "credential-process")]
mod process;
#[cfg(feature = "profile")]
mod profile;
#[cfg(feature = "sts")]
pub(crate) mod sts;
#[cfg(test)]
// Some helpers serve only the tests of the optional sources.
#[cfg_attr(
    not(all(
        feature = "profile",
        feature = "container-credentials",
        feature = "imds"
    )),
    allow(dead_code)
)]
pub(crate) mod test_util;
#[cfg(feature = "sts")]
mod web_identity;

pub use cache::CachingProvider;
pub use chain::DefaultChain;
#[cfg(feature = "container-credentials")]
pub use container::ContainerProvider;
pub use environment::EnvironmentProvider;
#[cfg(feature = "imds")]
pub use imds::ImdsProvider;
#[cfg(feature = "profile")]
pub use profile::ProfileProvider;
#[cfg(feature = "sts")]
pub use web_identity::WebIdentityProvider;

pub use crate::future::BoxFuture;
pub use crate::identity::{
    Credentials, CredentialsError, CredentialsErrorKind, ProvideCredentials,
};

/// Parses an RFC 3339 expiry from a credentials response.
#[cfg(any(
    feature = "container-credentials",
    feature = "imds",
    feature = "credential-process",
    feature = "sts",
    feature = "sso"
))]
fn parse_expiry(text: &str, what: &str) -> Result<std::time::SystemTime, CredentialsError> {
    crate::DateTime::from_str(text, crate::DateTimeFormat::DateTime)
        .map(std::time::SystemTime::from)
        .map_err(|e| {
            CredentialsError::provider_failed(format!("{what} has an invalid `Expiration`"))
                .with_source(e)
        })
}

#[cfg(all(
    test,
    any(
        feature = "container-credentials",
        feature = "imds",
        feature = "credential-process"
    )
))]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn expiry_parsing() {
        let t = parse_expiry("2020-01-01T00:00:00Z", "x").unwrap();
        assert_eq!(t, UNIX_EPOCH + Duration::from_secs(1_577_836_800));
        let err = parse_expiry("tomorrow", "the response").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the response has an invalid `Expiration`"),
            "{err}"
        );
    }
}
