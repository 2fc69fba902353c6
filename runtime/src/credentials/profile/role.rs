//! Profiles that assume a role: `role_arn` with `source_profile`, `credential_source` or
//! `web_identity_token_file`, through AWS STS. A chain of roles (a source profile that
//! assumes a role itself) is followed to its base credentials, then each role is assumed in
//! turn, the innermost first.

use super::super::sts::{RoleOptions, Sts, sts_region};
use super::super::web_identity::{TokenFile, assume_with_token_file, default_session_name};
use super::super::{Credentials, CredentialsError, EnvironmentProvider, ProvideCredentials};
use super::{ProfileProvider, resolve_base};
use crate::profile::{Profile, ProfileSet};

/// The shortest and longest `duration_seconds` STS accepts.
const DURATION: std::ops::RangeInclusive<u32> = 900..=43_200;

/// One role of the chain, and the profile that names it.
struct Role {
    arn: String,
    options: RoleOptions,
}

/// Where the innermost credentials come from.
enum Base<'p> {
    /// A profile's own credentials (static keys or `credential_process`).
    Profile(&'p Profile, String),
    /// `credential_source = Environment`.
    Environment,
    /// `credential_source = Ec2InstanceMetadata`.
    Imds,
    /// `credential_source = EcsContainer`.
    Container,
    /// `web_identity_token_file` (with the role of the same profile).
    WebIdentity {
        file: String,
        role: String,
        session: String,
        located: String,
    },
}

/// Credentials of `profile` (the selected one of `profiles`), which sets `role_arn`.
pub(super) async fn assume(
    provider: &ProfileProvider,
    profiles: &ProfileSet,
    profile: &Profile,
    located: &str,
) -> Result<Credentials, CredentialsError> {
    let files = profiles.describe_files();
    let mut roles = Vec::new();
    let mut visited = vec![profile.name().to_string()];
    let mut current = profile;
    let mut here = located.to_string();
    let base = loop {
        // A source profile with keys of its own ends the chain (as in AWS's SDKs).
        if visited.len() > 1
            && current.get("aws_access_key_id").is_some()
            && current.get("aws_secret_access_key").is_some()
        {
            break Base::Profile(current, here);
        }
        let Some(arn) = current.get("role_arn") else {
            break Base::Profile(current, here);
        };
        if current.get("mfa_serial").is_some() {
            return Err(CredentialsError::unsupported(format!(
                "{here} sets `mfa_serial`: assuming its role needs a code from an MFA device, \
                 which a program cannot ask for; get session credentials first (for example \
                 `aws sts get-session-token --serial-number .. --token-code ..`) and put them \
                 in the environment or a profile"
            )));
        }
        let options = role_options(current, &here)?;
        let next = (
            current.get("web_identity_token_file"),
            current.get("source_profile"),
            current.get("credential_source"),
        );
        match next {
            (Some(file), None, None) => {
                break Base::WebIdentity {
                    file: file.to_string(),
                    role: arn.to_string(),
                    session: options.session_name,
                    located: here,
                };
            }
            (None, Some(source), None) => {
                roles.push(Role {
                    arn: arn.to_string(),
                    options,
                });
                if source == current.name() {
                    // A profile that is its own source: its keys, then its role.
                    if current.get("aws_access_key_id").is_none() {
                        return Err(CredentialsError::invalid_configuration(format!(
                            "{here} is its own `source_profile` but has no \
                             `aws_access_key_id`/`aws_secret_access_key` to assume the role with"
                        )));
                    }
                    break Base::Profile(current, here);
                }
                if visited.iter().any(|v| v == source) {
                    visited.push(source.to_string());
                    return Err(CredentialsError::invalid_configuration(format!(
                        "the `source_profile` settings in {files} form a loop: {}",
                        visited.join(" -> ")
                    )));
                }
                let Some(next) = profiles.get(source) else {
                    return Err(CredentialsError::invalid_configuration(format!(
                        "{here} names `source_profile = {source}`, which does not exist in {files}"
                    )));
                };
                visited.push(source.to_string());
                here = format!("profile `{source}` in {files}");
                current = next;
            }
            (None, None, Some(source)) => {
                roles.push(Role {
                    arn: arn.to_string(),
                    options,
                });
                break match source {
                    "Environment" => Base::Environment,
                    "Ec2InstanceMetadata" => Base::Imds,
                    "EcsContainer" => Base::Container,
                    other => {
                        return Err(CredentialsError::invalid_configuration(format!(
                            "{here} sets `credential_source = {other}`; it must be \
                             Environment, Ec2InstanceMetadata or EcsContainer"
                        )));
                    }
                };
            }
            (None, None, None) => {
                return Err(CredentialsError::invalid_configuration(format!(
                    "{here} sets `role_arn` but none of `source_profile`, `credential_source` \
                     and `web_identity_token_file`, so there are no credentials to assume the \
                     role with"
                )));
            }
            _ => {
                return Err(CredentialsError::invalid_configuration(format!(
                    "{here} sets more than one of `source_profile`, `credential_source` and \
                     `web_identity_token_file`; set exactly one"
                )));
            }
        }
    };

    let env = &provider.env;
    let http = provider.http.as_ref().ok_or_else(|| {
        CredentialsError::invalid_configuration(format!(
            "{located} assumes a role through AWS STS, but this ProfileProvider has no HTTP \
             client: build it with `with_http_client`"
        ))
    })?;
    let region = async || {
        sts_region(
            provider.region.as_ref(),
            env,
            profile.get("region"),
            located,
        )
        .await
    };
    let mut credentials = match base {
        // A source profile without credentials is an error here, not "try the next source".
        Base::Profile(source, where_) => resolve_base(provider, profiles, source, &where_)
            .await
            .map_err(|e| e.in_context(located))?,
        Base::Environment => EnvironmentProvider::new(env.clone())
            .provide_credentials()
            .await
            .map_err(|e| in_source(e, "credential_source = Environment", located))?,
        Base::Imds => imds(provider, http, located).await?,
        Base::Container => container(provider, http, located).await?,
        Base::WebIdentity {
            file,
            role,
            session,
            located,
        } => assume_with_token_file(
            env,
            provider.endpoints.as_deref(),
            http,
            region().await?.as_deref(),
            TokenFile {
                path: &file,
                named_by: &format!("`web_identity_token_file` of {located}"),
            },
            &role,
            &session,
        )
        .await
        .map_err(|e| e.in_context(&located))?,
    };
    if roles.is_empty() {
        return Ok(credentials);
    }
    let region = region().await?.ok_or_else(|| {
        CredentialsError::invalid_configuration(format!(
            "{located} assumes a role through AWS STS, which needs a region: set AWS_REGION, \
             or `region` in the profile"
        ))
    })?;
    let sts = Sts::new(env, provider.endpoints.as_deref(), http.clone(), &region)?;
    for role in roles.iter().rev() {
        credentials = sts
            .assume_role(&credentials, &role.arn, &role.options)
            .await
            .map_err(|e| e.in_context(located))?;
    }
    Ok(credentials)
}

/// `role_session_name`, `external_id` and `duration_seconds` of a role profile.
fn role_options(profile: &Profile, here: &str) -> Result<RoleOptions, CredentialsError> {
    let duration_seconds = match profile.get("duration_seconds") {
        None => None,
        Some(text) => Some(
            text.trim()
                .parse::<u32>()
                .ok()
                .filter(|d| DURATION.contains(d))
                .ok_or_else(|| {
                    CredentialsError::invalid_configuration(format!(
                        "{here} sets `duration_seconds = {text}`; it must be a whole number of \
                         seconds from {} to {}",
                        DURATION.start(),
                        DURATION.end()
                    ))
                })?,
        ),
    };
    Ok(RoleOptions {
        session_name: profile
            .get("role_session_name")
            .map_or_else(default_session_name, str::to_string),
        external_id: profile.get("external_id").map(str::to_string),
        duration_seconds,
    })
}

/// An error of a `credential_source`, saying which profile asked for it.
fn in_source(e: CredentialsError, source: &str, located: &str) -> CredentialsError {
    e.in_context(&format!(
        "{located} assumes its role with `{source}`, which failed"
    ))
}

#[cfg(feature = "imds")]
async fn imds(
    provider: &ProfileProvider,
    http: &crate::http::HttpClient,
    located: &str,
) -> Result<Credentials, CredentialsError> {
    let mut source = super::super::ImdsProvider::new(provider.env.clone(), http.clone());
    if let Some(imds) = &provider.imds {
        source = source.with_client(imds.clone());
    }
    source
        .provide_credentials()
        .await
        .map_err(|e| in_source(e, "credential_source = Ec2InstanceMetadata", located))
}

#[cfg(not(feature = "imds"))]
async fn imds(
    _: &ProfileProvider,
    _: &crate::http::HttpClient,
    located: &str,
) -> Result<Credentials, CredentialsError> {
    Err(CredentialsError::unsupported(format!(
        "{located} sets `credential_source = Ec2InstanceMetadata`, but this build leaves \
         instance metadata out: enable lambda-sdk's `imds` cargo feature"
    )))
}

#[cfg(feature = "container-credentials")]
async fn container(
    provider: &ProfileProvider,
    http: &crate::http::HttpClient,
    located: &str,
) -> Result<Credentials, CredentialsError> {
    super::super::ContainerProvider::new(provider.env.clone(), http.clone())
        .provide_credentials()
        .await
        .map_err(|e| in_source(e, "credential_source = EcsContainer", located))
}

#[cfg(not(feature = "container-credentials"))]
async fn container(
    _: &ProfileProvider,
    _: &crate::http::HttpClient,
    located: &str,
) -> Result<Credentials, CredentialsError> {
    Err(CredentialsError::unsupported(format!(
        "{located} sets `credential_source = EcsContainer`, but this build leaves container \
         credentials out: enable lambda-sdk's `container-credentials` cargo feature"
    )))
}
