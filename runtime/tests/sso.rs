//! IAM Identity Center (SSO) profiles, driven as a user has them after `aws sso login`:
//! `~/.aws/config` with an `[sso-session]` (or a legacy profile), the token cache in
//! `~/.aws/sso/cache/`, and a request to the service. A local stand-in plays the SSO portal
//! (`GetRoleCredentials`), SSO OIDC (`CreateToken`) and the service, whose signature shows
//! which credentials the SDK ended up with.
#![cfg(feature = "sso")]

mod common;

use lambda_sdk_runtime::credentials::CredentialsErrorKind;
use lambda_sdk_runtime::env::Env;
use lambda_sdk_runtime::error::{Error, Unhandled};

use common::{Received, StandIn, TempDir, call, credentials_error};

/// `sha1("corp")` and `sha1("https://legacy.awsapps.com/start")` in hex: the cache file names
/// (computed with Python's hashlib).
const CORP_CACHE: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";
const LEGACY_CACHE: &str = "79e435d7a515078e81c9dffc35f38d5687ebd3a7.json";

const CONFIG: &str = "\
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = eu-west-1

[profile revoked]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Revoked
region = eu-west-1

[profile via-role]
role_arn = arn:aws:iam::444455556666:role/deploy
source_profile = dev
region = eu-west-1

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 999988887777
sso_role_name = ReadOnly
region = us-east-1

[profile incomplete]
sso_session = corp
sso_account_id = 111122223333
region = eu-west-1

[profile lost]
sso_session = nowhere
sso_account_id = 1
sso_role_name = R
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
";

/// The SSO portal, SSO OIDC, STS and the service, as [`answer`] says.
async fn stand_in() -> StandIn {
    StandIn::start(|request, _| answer(request)).await
}

fn at(stand_in: &StandIn, path: &str) -> Vec<Received> {
    stand_in
        .received()
        .into_iter()
        .filter(|r| r.path == path)
        .collect()
}

/// The key the last service call was signed with.
fn service_signer(stand_in: &StandIn) -> Option<String> {
    stand_in
        .received()
        .into_iter()
        .rfind(|r| r.path == "/" && r.method == "GET")
        .and_then(|r| r.signed_by())
}

/// The portal gives `ASIA-<role name>` for a token it knows; `Revoked` is a 401. OIDC swaps
/// `refresh-1` for `fresh-token`. STS (a role on top of SSO) gives `ASIA-STS`.
fn answer(seen: &Received) -> (u16, String) {
    match seen.path.as_str() {
        "/federation/credentials" => {
            let role = seen
                .query
                .split('&')
                .find_map(|p| p.strip_prefix("role_name="))
                .unwrap_or("");
            let known = matches!(
                seen.header("x-amz-sso_bearer_token"),
                Some("cached-token" | "fresh-token" | "legacy-token")
            );
            if role == "Revoked" || !known {
                return (
                    401,
                    r#"{"message":"Session token not found or invalid"}"#.to_string(),
                );
            }
            (
                200,
                format!(
                    r#"{{"roleCredentials":{{"accessKeyId":"ASIA-{role}","secretAccessKey":"s","sessionToken":"t","expiration":4102444800000}}}}"#
                ),
            )
        }
        "/token" if seen.body.contains("\"refreshToken\":\"refresh-1\"") => (
            200,
            r#"{"accessToken":"fresh-token","expiresIn":3600,"refreshToken":"refresh-2","tokenType":"Bearer"}"#
                .to_string(),
        ),
        "/token" => (400, r#"{"error":"invalid_grant"}"#.to_string()),
        "/" if seen.body.contains("Action=AssumeRole") => (
            200,
            "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA-STS\
             </AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>\
             <Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>\
             </AssumeRoleResponse>"
                .to_string(),
        ),
        _ => (200, "{}".to_string()),
    }
}

/// `~/.aws/config` and the SSO cache under the test's home; returns the cache folder.
fn setup(dir: &TempDir) -> std::path::PathBuf {
    let cache = dir.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(dir.path().join(".aws/config"), CONFIG).unwrap();
    cache
}

fn token_file(expires_at: &str, token: &str, refresh: bool) -> String {
    let refresh = if refresh {
        r#","clientId":"client-1","clientSecret":"client-secret-1","refreshToken":"refresh-1","registrationExpiresAt":"2099-01-01T00:00:00Z""#
    } else {
        ""
    };
    format!(
        r#"{{"accessToken":"{token}","expiresAt":"{expires_at}","region":"eu-west-1","startUrl":"https://corp.awsapps.com/start"{refresh}}}"#
    )
}

fn env(dir: &TempDir, stand_in: &StandIn, profile: &str) -> Env {
    Env::from_vars([
        ("HOME", dir.home()),
        ("AWS_PROFILE", profile.to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
        ("AWS_ENDPOINT_URL_SSO", stand_in.url.clone()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", stand_in.url.clone()),
        ("AWS_ENDPOINT_URL", stand_in.url.clone()),
        ("AWS_MAX_ATTEMPTS", "1".to_string()),
    ])
}

#[tokio::test]
async fn an_sso_session_profile_after_aws_sso_login() {
    let dir = TempDir::new("sso-session");
    let cache = setup(&dir);
    std::fs::write(
        cache.join(CORP_CACHE),
        token_file("2099-01-01T00:00:00Z", "cached-token", true),
    )
    .unwrap();
    let stand_in = stand_in().await;
    call(env(&dir, &stand_in, "dev")).await.unwrap();
    let portal = at(&stand_in, "/federation/credentials");
    assert_eq!(portal.len(), 1);
    assert_eq!(portal[0].method, "GET");
    assert_eq!(
        portal[0].query,
        "account_id=111122223333&role_name=Developer"
    );
    assert_eq!(
        portal[0].header("x-amz-sso_bearer_token"),
        Some("cached-token")
    );
    assert_eq!(portal[0].signed_by(), None, "the portal call is not signed");
    assert!(
        at(&stand_in, "/token").is_empty(),
        "a valid token is not refreshed"
    );
    assert_eq!(service_signer(&stand_in).as_deref(), Some("ASIA-Developer"));

    // A role whose source profile is the SSO one.
    call(env(&dir, &stand_in, "via-role")).await.unwrap();
    let sts: Vec<Received> = stand_in
        .received()
        .into_iter()
        .filter(|s| s.body.contains("Action=AssumeRole"))
        .collect();
    assert_eq!(sts.len(), 1);
    assert_eq!(sts[0].signed_by().as_deref(), Some("ASIA-Developer"));
    assert_eq!(service_signer(&stand_in).as_deref(), Some("ASIA-STS"));
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_and_written_back() {
    let dir = TempDir::new("sso-refresh");
    let cache = setup(&dir);
    let file = cache.join(CORP_CACHE);
    std::fs::write(&file, token_file("2020-01-01T00:00:00Z", "old-token", true)).unwrap();
    let stand_in = stand_in().await;
    call(env(&dir, &stand_in, "dev")).await.unwrap();
    let token = at(&stand_in, "/token");
    assert_eq!(token.len(), 1);
    let sent: serde_json::Value = serde_json::from_str(&token[0].body).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({
            "clientId": "client-1",
            "clientSecret": "client-secret-1",
            "grantType": "refresh_token",
            "refreshToken": "refresh-1",
        })
    );
    assert_eq!(
        at(&stand_in, "/federation/credentials")[0].header("x-amz-sso_bearer_token"),
        Some("fresh-token")
    );
    assert_eq!(service_signer(&stand_in).as_deref(), Some("ASIA-Developer"));
    // The cache holds the new token, its expiry an hour ahead, and the rest as it was.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["accessToken"], "fresh-token");
    assert_eq!(saved["refreshToken"], "refresh-2");
    assert_eq!(saved["clientId"], "client-1");
    assert_eq!(saved["startUrl"], "https://corp.awsapps.com/start");
    let expires = saved["expiresAt"].as_str().unwrap();
    assert!(expires > "2026-" && expires.ends_with('Z'), "{expires}");
    let leftovers: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

#[tokio::test]
async fn a_missing_expired_or_revoked_login_says_to_run_aws_sso_login() {
    let dir = TempDir::new("sso-expired");
    let cache = setup(&dir);
    let stand_in = stand_in().await;
    let check = |err: Error<Unhandled>, profile: &str, says: &str| {
        let (kind, text) = credentials_error(&err);
        assert_eq!(kind, CredentialsErrorKind::InvalidConfiguration, "{text}");
        assert!(
            text.contains(&format!("run `aws sso login --profile {profile}`")),
            "{text}"
        );
        assert!(text.contains(says), "{text}");
        for secret in ["cached-token", "old-token", "refresh-1", "client-secret-1"] {
            assert!(
                !format!("{err:?}").contains(secret),
                "{secret} leaked: {err:?}"
            );
        }
    };
    // No login at all.
    let err = call(env(&dir, &stand_in, "dev")).await.unwrap_err();
    check(err, "dev", CORP_CACHE);
    // A legacy profile's expired token cannot be refreshed.
    std::fs::write(
        cache.join(LEGACY_CACHE),
        token_file("2020-01-01T00:00:00Z", "legacy-token", false),
    )
    .unwrap();
    let err = call(env(&dir, &stand_in, "legacy")).await.unwrap_err();
    check(err, "legacy", "has expired");
    // An expired token whose refresh is refused.
    std::fs::write(
        cache.join(CORP_CACHE),
        token_file("2020-01-01T00:00:00Z", "old-token", true).replace("refresh-1", "refresh-x"),
    )
    .unwrap();
    let err = call(env(&dir, &stand_in, "dev")).await.unwrap_err();
    check(err, "dev", "could not be refreshed");
    // A token the portal no longer accepts.
    std::fs::write(
        cache.join(CORP_CACHE),
        token_file("2099-01-01T00:00:00Z", "cached-token", true),
    )
    .unwrap();
    let err = call(env(&dir, &stand_in, "revoked")).await.unwrap_err();
    check(err, "revoked", "answered 401");
    assert!(
        service_signer(&stand_in).is_none(),
        "no service call was made"
    );

    // A legacy profile with a valid token works, from the start URL's cache file.
    std::fs::write(
        cache.join(LEGACY_CACHE),
        token_file("2099-01-01T00:00:00Z", "legacy-token", false),
    )
    .unwrap();
    call(env(&dir, &stand_in, "legacy")).await.unwrap();
    assert_eq!(service_signer(&stand_in).as_deref(), Some("ASIA-ReadOnly"));
}

#[tokio::test]
async fn incomplete_sso_settings_are_named() {
    let dir = TempDir::new("sso-settings");
    setup(&dir);
    let stand_in = stand_in().await;
    for (profile, says) in [
        ("incomplete", "does not set `sso_role_name`"),
        (
            "lost",
            "names `sso_session = nowhere`, but there is no `[sso-session nowhere]` section",
        ),
    ] {
        let err = call(env(&dir, &stand_in, profile)).await.unwrap_err();
        let (kind, text) = credentials_error(&err);
        assert_eq!(kind, CredentialsErrorKind::InvalidConfiguration, "{text}");
        assert!(text.contains(says), "{profile}: {text}");
    }
    assert!(stand_in.received().is_empty());
}
