//! IAM Identity Center (SSO) profiles: the access token `aws sso login` left in
//! `~/.aws/sso/cache/`, refreshed through SSO OIDC when it is about to expire (sessions of
//! `[sso-session]` sections only), exchanged for role credentials by the portal's
//! `GetRoleCredentials`.
//!
//! - The cache file is `<sha1 hex of the sso-session name>.json`, or of the start URL for a
//!   legacy profile (`sso_start_url` in the profile itself, without `sso_session`).
//! - OIDC `CreateToken`: `POST {oidc}/token` with `{clientId, clientSecret, grantType:
//!   "refresh_token", refreshToken}`; the new token is written back to the cache file.
//! - `GetRoleCredentials`: `GET {portal}/federation/credentials?account_id=..&role_name=..`
//!   with the header `x-amz-sso_bearer_token`; the expiration is in epoch milliseconds.
//! - Endpoints: `AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL_SSO_OIDC`, then `AWS_ENDPOINT_URL`,
//!   then `https://portal.sso.{sso_region}.{suffix}` / `https://oidc.{sso_region}.{suffix}`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::super::{Credentials, CredentialsError, parse_expiry};
use super::ProfileProvider;
use crate::env::Env;
use crate::http::HttpClient;
use crate::http::fetch::{self, describe_failure};
use crate::profile::{Profile, ProfileSet};

/// A token this close to its expiry is refreshed first (when it can be).
const REFRESH_WITHIN: Duration = Duration::from_secs(5 * 60);
/// How long one SSO or OIDC request may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What the SSO calls use: the environment, where the endpoints are, the HTTP client; and,
/// for their messages, the profile (`profile \`x\` in FILES`) and how to sign in again.
#[derive(Clone, Copy)]
struct Calls<'a> {
    env: &'a Env,
    endpoints: Option<&'a crate::endpoint::ForCredentials>,
    http: &'a HttpClient,
    located: &'a str,
    login: &'a str,
}

/// Where a profile's SSO settings point.
struct Settings<'p> {
    start_url: &'p str,
    region: &'p str,
    account_id: &'p str,
    role_name: &'p str,
    /// The `sso_session` name; `None` for a legacy profile, whose token cannot be refreshed.
    session: Option<&'p str>,
}

/// Credentials of `profile`, which sets `sso_session` or `sso_start_url`.
pub(super) async fn credentials(
    provider: &ProfileProvider,
    profiles: &ProfileSet,
    profile: &Profile,
    located: &str,
) -> Result<Credentials, CredentialsError> {
    let settings = settings(profiles, profile, located)?;
    let login = format!("run `aws sso login --profile {}`", profile.name());
    let env = &provider.env;
    let http = provider.http.as_ref().ok_or_else(|| {
        CredentialsError::invalid_configuration(format!(
            "{located} uses IAM Identity Center (SSO), but this ProfileProvider has no HTTP \
             client: build it with `with_http_client`"
        ))
    })?;
    let cache = cache_file(env, settings.session.unwrap_or(settings.start_url)).ok_or_else(|| {
        CredentialsError::invalid_configuration(format!(
            "{located} uses IAM Identity Center (SSO), but the home directory (HOME) is unknown, \
             so the token cache of `aws sso login` cannot be found"
        ))
    })?;
    let calls = Calls {
        env,
        endpoints: provider.endpoints.as_deref(),
        http,
        located,
        login: &login,
    };
    let token = access_token(calls, &settings, &cache).await?;
    role_credentials(calls, &settings, &token)
        .await
        .map_err(|e| e.redacted(&token))
}

/// The SSO settings of `profile`, from its `[sso-session]` section or (legacy) itself.
fn settings<'p>(
    profiles: &'p ProfileSet,
    profile: &'p Profile,
    located: &str,
) -> Result<Settings<'p>, CredentialsError> {
    let need = |from: &'p Profile, key: &str, place: &str| {
        from.get(key).ok_or_else(|| {
            CredentialsError::invalid_configuration(format!(
                "{place} does not set `{key}`, which IAM Identity Center (SSO) needs"
            ))
        })
    };
    let account_id = need(profile, "sso_account_id", located)?;
    let role_name = need(profile, "sso_role_name", located)?;
    let Some(session_name) = profile.get("sso_session") else {
        return Ok(Settings {
            start_url: need(profile, "sso_start_url", located)?,
            region: need(profile, "sso_region", located)?,
            account_id,
            role_name,
            session: None,
        });
    };
    let files = profiles.describe_files();
    let session = profiles.sso_session(session_name).ok_or_else(|| {
        CredentialsError::invalid_configuration(format!(
            "{located} names `sso_session = {session_name}`, but there is no \
             `[sso-session {session_name}]` section in {files}"
        ))
    })?;
    let place = format!("the `[sso-session {session_name}]` section in {files}");
    let start_url = need(session, "sso_start_url", &place)?;
    let region = need(session, "sso_region", &place)?;
    // A profile may repeat the session's settings, but not contradict them.
    for (key, value) in [("sso_start_url", start_url), ("sso_region", region)] {
        if let Some(own) = profile.get(key)
            && own != value
        {
            return Err(CredentialsError::invalid_configuration(format!(
                "{located} sets `{key} = {own}`, but its sso-session `{session_name}` says \
                 `{value}`"
            )));
        }
    }
    Ok(Settings {
        start_url,
        region,
        account_id,
        role_name,
        session: Some(session_name),
    })
}

/// `~/.aws/sso/cache/<sha1 hex of key>.json`.
fn cache_file(env: &Env, key: &str) -> Option<PathBuf> {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, key.as_bytes());
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    Some(
        env.home_dir()?
            .join(".aws")
            .join("sso")
            .join("cache")
            .join(format!("{hex}.json")),
    )
}

/// The cached token, refreshed first when it expires within [`REFRESH_WITHIN`] and can be.
async fn access_token(
    calls: Calls<'_>,
    settings: &Settings<'_>,
    cache: &Path,
) -> Result<String, CredentialsError> {
    let Calls { located, login, .. } = calls;
    let expired = |why: &str| {
        CredentialsError::invalid_configuration(format!(
            "{located}: {why}; {login} to sign in again"
        ))
    };
    let text = match std::fs::read_to_string(cache) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(expired(&format!(
                "no IAM Identity Center (SSO) login found ({} does not exist)",
                cache.display()
            )));
        }
        Err(e) => {
            return Err(CredentialsError::invalid_configuration(format!(
                "{located}: cannot read the SSO token cache {}",
                cache.display()
            ))
            .with_source(e));
        }
    };
    let mut document: Map<String, Value> = serde_json::from_str(&text).map_err(|_| {
        expired(&format!(
            "the SSO token cache {} is not a JSON object",
            cache.display()
        ))
    })?;
    let field = |doc: &Map<String, Value>, key: &str| {
        doc.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (Some(token), Some(expires_at)) = (
        field(&document, "accessToken"),
        field(&document, "expiresAt"),
    ) else {
        return Err(expired(&format!(
            "the SSO token cache {} has no `accessToken` or `expiresAt`",
            cache.display()
        )));
    };
    let what = format!("the SSO token cache {}", cache.display());
    // Old versions of the AWS CLI wrote `...T04:05:45UTC`.
    let expires_text = match expires_at.strip_suffix("UTC") {
        Some(stem) => format!("{stem}Z"),
        None => expires_at.clone(),
    };
    let expires = parse_expiry(&expires_text, &what).map_err(|_| {
        expired(&format!(
            "the SSO token cache {} has an `expiresAt` that is not a date-time",
            cache.display()
        ))
    })?;
    let now = SystemTime::now();
    if expires > now + REFRESH_WITHIN {
        return Ok(token);
    }
    // Refresh, when the session's registration allows it.
    let registration_valid = field(&document, "registrationExpiresAt")
        .and_then(|at| parse_expiry(&at, &what).ok())
        .is_none_or(|at| at > now);
    let refresh = match (
        settings.session,
        field(&document, "clientId"),
        field(&document, "clientSecret"),
        field(&document, "refreshToken"),
    ) {
        (Some(_), Some(id), Some(secret), Some(refresh)) if registration_valid => {
            Some((id, secret, refresh))
        }
        _ => None,
    };
    let Some((client_id, client_secret, refresh_token)) = refresh else {
        return if expires > now {
            Ok(token)
        } else {
            Err(expired("the IAM Identity Center (SSO) session has expired"))
        };
    };
    // An answer that quotes what was sent (an echoing proxy) must not print it.
    let refreshed = create_token(
        calls,
        settings.region,
        &client_id,
        &client_secret,
        &refresh_token,
    )
    .await
    .map_err(|e| {
        e.redacted(&refresh_token)
            .redacted(&client_secret)
            .redacted(&token)
    });
    match refreshed {
        Ok(fresh) => {
            let Some(expires) = now.checked_add(Duration::from_secs(fresh.expires_in)) else {
                return Err(expired(
                    "the IAM Identity Center (SSO) session could not be refreshed (SSO OIDC \
                     answered with an expiry out of range)",
                ));
            };
            let expires_at = crate::DateTime::from(expires).to_string();
            document.insert(
                "accessToken".into(),
                Value::from(fresh.access_token.clone()),
            );
            document.insert("expiresAt".into(), Value::from(expires_at));
            if let Some(refresh) = fresh.refresh_token {
                document.insert("refreshToken".into(), Value::from(refresh));
            }
            if let Err(e) = write_cache(cache, &document) {
                tracing::warn!(
                    cache = %cache.display(),
                    error = %e,
                    "could not save the refreshed SSO token"
                );
            }
            Ok(fresh.access_token)
        }
        // A token that still works is used, whatever the refresh said.
        Err(_) if expires > now => Ok(token),
        Err(e) => Err(expired(&format!(
            "the IAM Identity Center (SSO) session has expired and could not be refreshed ({})",
            e.message()
        ))),
    }
}

/// What OIDC `CreateToken` answers.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateTokenOutput {
    access_token: String,
    expires_in: u64,
    refresh_token: Option<String>,
}

/// SSO OIDC `CreateToken` with a refresh token.
async fn create_token(
    calls: Calls<'_>,
    region: &str,
    client_id: &str,
    client_secret: &str,
    refresh_token: &str,
) -> Result<CreateTokenOutput, CredentialsError> {
    let endpoint = endpoint(calls, "SSO OIDC", "oidc", region)?;
    let body = serde_json::json!({
        "clientId": client_id,
        "clientSecret": client_secret,
        "grantType": "refresh_token",
        "refreshToken": refresh_token,
    })
    .to_string();
    let url = format!("{endpoint}/token");
    let response = fetch::send(calls.http, TIMEOUT, || {
        http::Request::builder()
            .method("POST")
            .uri(&url)
            .header("content-type", "application/json")
            .body(Bytes::from(body.clone()))
    })
    .await
    .map_err(|e| {
        CredentialsError::provider_failed(format!(
            "SSO OIDC CreateToken at {endpoint} failed: {}",
            e.into_message()
        ))
    })?;
    if !response.status().is_success() {
        return Err(CredentialsError::provider_failed(format!(
            "SSO OIDC CreateToken at {endpoint} was refused: {}",
            describe_failure(&response)
        )));
    }
    serde_json::from_slice(response.body()).map_err(|_| {
        CredentialsError::provider_failed(format!(
            "SSO OIDC CreateToken at {endpoint} answered without a usable token"
        ))
    })
}

/// Writes the cache file through a temporary file beside it, so a reader never sees half.
/// It holds the access and refresh tokens and the client secret: on Unix the file is made
/// readable by its owner only, as the AWS CLI makes it.
fn write_cache(path: &Path, document: &Map<String, Value>) -> std::io::Result<()> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let text = serde_json::to_string_pretty(document).map_err(std::io::Error::other)?;
    let temp = path.with_extension(format!(
        "json.{}-{}.tmp",
        std::process::id(),
        WRITES.fetch_add(1, Ordering::Relaxed)
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&temp)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// What `GetRoleCredentials` answers.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentialsOutput {
    role_credentials: Option<RoleCredentials>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentials {
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    /// Epoch milliseconds.
    expiration: Option<i64>,
}

/// The portal's `GetRoleCredentials`.
async fn role_credentials(
    calls: Calls<'_>,
    settings: &Settings<'_>,
    token: &str,
) -> Result<Credentials, CredentialsError> {
    let Calls { located, login, .. } = calls;
    let endpoint = endpoint(calls, "SSO", "portal.sso", settings.region)?;
    let url = format!(
        "{endpoint}/federation/credentials?account_id={}&role_name={}",
        crate::percent::encode(settings.account_id, crate::percent::unreserved),
        crate::percent::encode(settings.role_name, crate::percent::unreserved),
    );
    let what = format!(
        "IAM Identity Center (SSO) GetRoleCredentials for role {} in account {} at {endpoint}",
        settings.role_name, settings.account_id
    );
    let response = fetch::send(calls.http, TIMEOUT, || {
        http::Request::builder()
            .method("GET")
            .uri(&url)
            .header("x-amz-sso_bearer_token", token)
            .body(Bytes::new())
    })
    .await
    .map_err(|e| {
        CredentialsError::provider_failed(format!("{what} failed: {}", e.into_message()))
    })?;
    match response.status().as_u16() {
        200..=299 => {}
        401 => {
            return Err(CredentialsError::invalid_configuration(format!(
                "{located}: the IAM Identity Center (SSO) session is no longer valid ({what} \
                 answered 401); {login} to sign in again"
            )));
        }
        403 => {
            return Err(CredentialsError::invalid_configuration(format!(
                "{located}: {what} answered 403: the signed-in user may not use this role in \
                 this account; check `sso_account_id` and `sso_role_name`"
            )));
        }
        _ => {
            return Err(CredentialsError::provider_failed(format!(
                "{what} was refused: {}",
                describe_failure(&response)
            )));
        }
    }
    let missing = |member: &str| {
        CredentialsError::provider_failed(format!("{what} answered without `{member}`"))
    };
    let output: RoleCredentialsOutput = serde_json::from_slice(response.body()).map_err(|_| {
        CredentialsError::provider_failed(format!("{what} answered with an unreadable document"))
    })?;
    let role = output
        .role_credentials
        .ok_or_else(|| missing("roleCredentials"))?;
    let non_empty = |v: Option<String>, member: &str| {
        v.filter(|s| !s.is_empty()).ok_or_else(|| missing(member))
    };
    let credentials = Credentials::new(
        non_empty(role.access_key_id, "accessKeyId")?,
        non_empty(role.secret_access_key, "secretAccessKey")?,
        Some(non_empty(role.session_token, "sessionToken")?),
    );
    let millis = role.expiration.ok_or_else(|| missing("expiration"))?;
    let expiry = u64::try_from(millis)
        .ok()
        .and_then(|ms| SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(ms)))
        .ok_or_else(|| missing("a valid expiration"))?;
    Ok(credentials.with_expiry(expiry))
}

/// The endpoint of `sdk_id` (`SSO` or `SSO OIDC`) as [`crate::endpoint::for_credentials`]
/// finds it, at `https://{host}.{region}.{dns suffix}` by default.
fn endpoint(
    calls: Calls<'_>,
    sdk_id: &str,
    host: &str,
    region: &str,
) -> Result<String, CredentialsError> {
    crate::endpoint::for_credentials(
        calls.env,
        calls.endpoints,
        sdk_id,
        (host, None, false),
        region,
    )
    .map_err(|e| CredentialsError::invalid_configuration(format!("SSO endpoint: {e}")))
}
