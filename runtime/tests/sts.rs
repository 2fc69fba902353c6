//! Roles through AWS STS, driven as a user has them: nothing but environment variables and
//! profile files, `Config::from_env_with`, and a request to the service. A local stand-in
//! answers STS's `AssumeRoleWithWebIdentity` and `AssumeRole` (Query protocol: form in, XML
//! out), records what it was sent, and serves the service call, whose signature shows which
//! credentials the SDK ended up with.
// Roles in profiles, with container credentials as one source: the default features.
#![cfg(all(
    feature = "sts",
    feature = "profile",
    feature = "container-credentials"
))]

mod common;

use std::collections::BTreeMap;

use lambda_sdk_runtime::credentials::CredentialsErrorKind;
use lambda_sdk_runtime::env::Env;

use common::{Received, StandIn, TempDir, call, credentials_error};

const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.web-identity-TOKEN.sig";
const BASE_SECRET: &str = "base/SECRET+key";

/// One request the stand-in received, its form parsed.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    form: BTreeMap<String, String>,
    /// The access key id of the `Authorization` header, if the request was signed.
    signed_by: Option<String>,
    /// The signature's scope: `date/region/service/aws4_request`.
    scope: Option<String>,
}

impl Seen {
    fn of(request: &Received) -> Seen {
        Seen {
            path: request.path.clone(),
            form: parse_form(&request.body),
            signed_by: request.signed_by(),
            scope: request.scope(),
        }
    }
}

/// STS, the container endpoint and the service, as [`answer`] says.
async fn stand_in() -> StandIn {
    StandIn::start(|request, all| {
        let seen = Seen::of(request);
        let tries = all
            .iter()
            .filter(|r| parse_form(&r.body).get("RoleArn") == seen.form.get("RoleArn"))
            .count();
        answer(&seen, tries)
    })
    .await
}

fn seen(stand_in: &StandIn) -> Vec<Seen> {
    stand_in.received().iter().map(Seen::of).collect()
}

/// The STS calls, in order.
fn sts_calls(stand_in: &StandIn) -> Vec<Seen> {
    seen(stand_in)
        .into_iter()
        .filter(|s| s.form.contains_key("Action"))
        .collect()
}

fn parse_form(body: &str) -> BTreeMap<String, String> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// STS's answers: a role whose name starts with `denied` is refused, `throttled` always
/// throttled and `throttled-once` on its first try; any other gets
/// credentials whose key id names the role (`ASIA-<role name>`), and the container endpoint
/// (`/container`) gives `ASIA-CONTAINER`. Anything else is the service call: `{}`.
fn answer(seen: &Seen, tries: usize) -> (u16, String) {
    let role = seen
        .form
        .get("RoleArn")
        .and_then(|arn| arn.rsplit('/').next())
        .unwrap_or("")
        .to_string();
    match seen.form.get("Action").map(String::as_str) {
        // Throttled (as STS throttles: HTTP 400) on the first try, or every time.
        Some(_) if (role.starts_with("throttled-once") && tries == 1) || role == "throttled" => (
            400,
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>\
             <Message>Rate exceeded</Message></Error></ErrorResponse>"
                .to_string(),
        ),
        Some(action) if role.starts_with("denied") => (
            403,
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>\
                 <Message>not authorized to perform {action} on {role}</Message></Error>\
                 <RequestId>r-1</RequestId></ErrorResponse>"
            ),
        ),
        Some(action) => (
            200,
            format!(
                "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                 <{action}Result><Credentials><AccessKeyId>ASIA-{role}</AccessKeyId>\
                 <SecretAccessKey>secret-of-{role}</SecretAccessKey>\
                 <SessionToken>token-of-{role}</SessionToken>\
                 <Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></{action}Result>\
                 </{action}Response>"
            ),
        ),
        None if seen.path == "/container" => (
            200,
            "{\"AccessKeyId\":\"ASIA-CONTAINER\",\"SecretAccessKey\":\"s\",\"Token\":\"t\",\
             \"Expiration\":\"2099-01-01T00:00:00Z\"}"
                .to_string(),
        ),
        None => (200, "{}".to_string()),
    }
}

/// The environment a user would have: HOME in `dir` (so `~/.aws/*` are the test's files), no
/// instance metadata, the stand-in as STS and as the service, and `vars`.
fn env(dir: &TempDir, stand_in: &StandIn, vars: &[(&str, &str)]) -> Env {
    let mut all: Vec<(String, String)> = vec![
        ("HOME".into(), dir.home()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ("AWS_ENDPOINT_URL_STS".into(), stand_in.url.clone()),
        ("AWS_ENDPOINT_URL".into(), stand_in.url.clone()),
        ("AWS_MAX_ATTEMPTS".into(), "1".into()),
    ];
    all.extend(vars.iter().map(|(k, v)| ((*k).into(), (*v).into())));
    Env::from_vars(all)
}

/// The key the service call was signed with.
fn service_signer(stand_in: &StandIn) -> Option<String> {
    stand_in
        .received()
        .iter()
        .map(Seen::of)
        .rfind(|s| !s.form.contains_key("Action") && s.path != "/container")
        .and_then(|s| s.signed_by)
}

/// Writes `~/.aws/<name>` under the test's home.
fn aws_file(dir: &TempDir, relative: &str, text: &str) {
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    dir.write(relative, text);
}

#[tokio::test]
async fn web_identity_from_the_environment_as_on_eks() {
    let dir = TempDir::new("sts-irsa");
    let token_file = dir.write("token", &format!("{TOKEN}\n"));
    let stand_in = stand_in().await;
    let vars = [
        ("AWS_REGION", "eu-west-1"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.as_str()),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pod-role"),
        ("AWS_ROLE_SESSION_NAME", "my pod"),
    ];
    call(env(&dir, &stand_in, &vars)).await.unwrap();
    let sts = sts_calls(&stand_in);
    assert_eq!(sts.len(), 1, "{sts:?}");
    let form = &sts[0].form;
    assert_eq!(form["Action"], "AssumeRoleWithWebIdentity");
    assert_eq!(form["Version"], "2011-06-15");
    assert_eq!(form["RoleArn"], "arn:aws:iam::123456789012:role/pod-role");
    assert_eq!(form["RoleSessionName"], "my pod");
    assert_eq!(form["WebIdentityToken"], TOKEN, "the token, trimmed");
    assert_eq!(
        sts[0].signed_by, None,
        "AssumeRoleWithWebIdentity is not signed"
    );
    assert_eq!(service_signer(&stand_in).as_deref(), Some("ASIA-pod-role"));

    // Without a session name, one is made up; the token file is read at each refresh.
    let vars = &vars[..3];
    call(env(&dir, &stand_in, vars)).await.unwrap();
    let session = &sts_calls(&stand_in)[1].form["RoleSessionName"];
    assert!(session.starts_with("lambda-sdk-"), "{session}");
}

#[tokio::test]
async fn web_identity_problems_are_named() {
    let dir = TempDir::new("sts-irsa-errors");
    let stand_in = stand_in().await;
    let token_file = dir.write("token", TOKEN);
    let empty = dir.write("empty", " \n");
    let missing = format!("{}/absent", dir.home());
    let role = ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r");
    let region = ("AWS_REGION", "us-east-1");
    for (vars, kind, says) in [
        (
            vec![("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.as_str()), region],
            CredentialsErrorKind::InvalidConfiguration,
            "AWS_ROLE_ARN is not",
        ),
        (
            vec![
                ("AWS_WEB_IDENTITY_TOKEN_FILE", missing.as_str()),
                role,
                region,
            ],
            CredentialsErrorKind::InvalidConfiguration,
            "cannot read the web identity token file",
        ),
        (
            vec![
                ("AWS_WEB_IDENTITY_TOKEN_FILE", empty.as_str()),
                role,
                region,
            ],
            CredentialsErrorKind::InvalidConfiguration,
            "is empty",
        ),
        (
            vec![
                ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.as_str()),
                ("AWS_ROLE_ARN", "arn:aws:iam::1:role/denied-role"),
                region,
            ],
            CredentialsErrorKind::ProviderFailed,
            "AccessDenied: not authorized to perform AssumeRoleWithWebIdentity on denied-role",
        ),
    ] {
        let err = call(env(&dir, &stand_in, &vars)).await.unwrap_err();
        let (got, text) = credentials_error(&err);
        assert_eq!(got, kind, "{text}");
        assert!(text.contains(says), "{text}");
        assert!(
            !format!("{err} {err:?}").contains(TOKEN),
            "the token leaked: {err:?}"
        );
    }
    assert!(
        service_signer(&stand_in).is_none(),
        "no service call was made"
    );
}

#[tokio::test]
async fn a_profile_with_web_identity() {
    let dir = TempDir::new("sts-profile-web");
    let token_file = dir.write("token", TOKEN);
    aws_file(
        &dir,
        ".aws/config",
        &format!(
            "[default]\nregion = ap-south-1\nrole_arn = arn:aws:iam::1:role/from-profile\n\
             web_identity_token_file = {token_file}\nrole_session_name = laptop\n"
        ),
    );
    let stand_in = stand_in().await;
    call(env(&dir, &stand_in, &[])).await.unwrap();
    let sts = sts_calls(&stand_in);
    assert_eq!(sts.len(), 1);
    assert_eq!(sts[0].form["Action"], "AssumeRoleWithWebIdentity");
    assert_eq!(sts[0].form["RoleSessionName"], "laptop");
    assert_eq!(
        service_signer(&stand_in).as_deref(),
        Some("ASIA-from-profile")
    );
}

#[tokio::test]
async fn chained_roles_are_assumed_innermost_first_each_signed_by_the_one_before() {
    let dir = TempDir::new("sts-chain");
    aws_file(
        &dir,
        ".aws/config",
        "[profile app]\nregion = us-west-2\nrole_arn = arn:aws:iam::222:role/app\nsource_profile = hop\n\
         external_id = ext-123\nduration_seconds = 1800\nrole_session_name = app-session\n\
         [profile hop]\nrole_arn = arn:aws:iam::111:role/hop\nsource_profile = base\n",
    );
    aws_file(
        &dir,
        ".aws/credentials",
        &format!("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = {BASE_SECRET}\n"),
    );
    let stand_in = stand_in().await;
    call(env(&dir, &stand_in, &[("AWS_PROFILE", "app")]))
        .await
        .unwrap();
    let sts = sts_calls(&stand_in);
    assert_eq!(sts.len(), 2, "{sts:?}");
    assert_eq!(sts[0].form["Action"], "AssumeRole");
    assert_eq!(sts[0].form["RoleArn"], "arn:aws:iam::111:role/hop");
    assert_eq!(sts[0].signed_by.as_deref(), Some("AKIDBASE"));
    assert!(
        sts[0]
            .scope
            .as_deref()
            .is_some_and(|s| s.ends_with("/us-west-2/sts/aws4_request")),
        "{:?}",
        sts[0].scope
    );
    assert!(!sts[0].form.contains_key("ExternalId"));
    assert_eq!(sts[1].form["RoleArn"], "arn:aws:iam::222:role/app");
    assert_eq!(sts[1].signed_by.as_deref(), Some("ASIA-hop"));
    assert_eq!(sts[1].form["ExternalId"], "ext-123");
    assert_eq!(sts[1].form["DurationSeconds"], "1800");
    assert_eq!(sts[1].form["RoleSessionName"], "app-session");
    assert_eq!(service_signer(&stand_in).as_deref(), Some("ASIA-app"));
}

#[tokio::test]
async fn a_profile_that_is_its_own_source_and_a_container_source() {
    let dir = TempDir::new("sts-self");
    let stand_in = stand_in().await;
    aws_file(
        &dir,
        ".aws/config",
        "[default]\nregion = us-east-1\n\
         [profile self]\nregion = us-east-1\nrole_arn = arn:aws:iam::1:role/self-role\nsource_profile = self\n\
         aws_access_key_id = AKIDSELF\naws_secret_access_key = s\n\
         [profile ecs]\nregion = us-east-1\nrole_arn = arn:aws:iam::1:role/ecs-role\ncredential_source = EcsContainer\n",
    );
    call(env(&dir, &stand_in, &[("AWS_PROFILE", "self")]))
        .await
        .unwrap();
    assert_eq!(
        sts_calls(&stand_in)[0].signed_by.as_deref(),
        Some("AKIDSELF")
    );
    assert_eq!(service_signer(&stand_in).as_deref(), Some("ASIA-self-role"));

    let full_uri = format!("{}/container", stand_in.url);
    let vars = [
        ("AWS_PROFILE", "ecs"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
    ];
    call(env(&dir, &stand_in, &vars)).await.unwrap();
    let last = sts_calls(&stand_in).pop().unwrap();
    assert_eq!(last.signed_by.as_deref(), Some("ASIA-CONTAINER"));
    assert_eq!(service_signer(&stand_in).as_deref(), Some("ASIA-ecs-role"));
}

#[tokio::test]
async fn role_profile_problems_are_named() {
    let dir = TempDir::new("sts-errors");
    aws_file(
        &dir,
        ".aws/config",
        "[default]\nregion = us-east-1\n\
         [profile loop-a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop-b\n\
         [profile loop-b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = loop-a\n\
         [profile orphan]\nrole_arn = arn:aws:iam::1:role/o\nsource_profile = nowhere\n\
         [profile mfa]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = keys\n\
         mfa_serial = arn:aws:iam::1:mfa/me\n\
         [profile long]\nrole_arn = arn:aws:iam::1:role/l\nsource_profile = keys\n\
         duration_seconds = 99999\n\
         [profile both]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = keys\n\
         credential_source = Environment\n\
         [profile neither]\nrole_arn = arn:aws:iam::1:role/x\n\
         [profile odd-source]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Laptop\n\
         [profile denied]\nrole_arn = arn:aws:iam::1:role/denied-too\nsource_profile = keys\n\
         [profile no-role]\nsource_profile = keys\n\
         [profile keys]\naws_access_key_id = AKIDKEYS\naws_secret_access_key = s\n",
    );
    let stand_in = stand_in().await;
    for (profile, kind, says) in [
        (
            "loop-a",
            CredentialsErrorKind::InvalidConfiguration,
            "form a loop: loop-a -> loop-b -> loop-a",
        ),
        (
            "orphan",
            CredentialsErrorKind::InvalidConfiguration,
            "`source_profile = nowhere`, which does not exist",
        ),
        (
            "mfa",
            CredentialsErrorKind::Unsupported,
            "sets `mfa_serial`",
        ),
        (
            "long",
            CredentialsErrorKind::InvalidConfiguration,
            "`duration_seconds = 99999`; it must be a whole number of seconds from 900 to 43200",
        ),
        (
            "both",
            CredentialsErrorKind::InvalidConfiguration,
            "more than one of",
        ),
        (
            "neither",
            CredentialsErrorKind::InvalidConfiguration,
            "none of `source_profile`",
        ),
        (
            "odd-source",
            CredentialsErrorKind::InvalidConfiguration,
            "`credential_source = Laptop`",
        ),
        (
            "denied",
            CredentialsErrorKind::ProviderFailed,
            "AccessDenied: not authorized to perform AssumeRole on denied-too",
        ),
        (
            "no-role",
            CredentialsErrorKind::InvalidConfiguration,
            "but not `role_arn`",
        ),
    ] {
        let vars = [("AWS_PROFILE", profile), ("AWS_REGION", "us-east-1")];
        let err = call(env(&dir, &stand_in, &vars)).await.unwrap_err();
        let (got, text) = credentials_error(&err);
        assert_eq!(got, kind, "{profile}: {text}");
        assert!(text.contains(says), "{profile}: {text}");
        assert!(
            text.contains(&format!("profile `{profile}`")) || profile == "loop-a",
            "{text}"
        );
    }
    // Only the denied profile reached STS.
    let sts = sts_calls(&stand_in);
    assert_eq!(sts.len(), 1, "{sts:?}");
    assert_eq!(sts[0].signed_by.as_deref(), Some("AKIDKEYS"));
}

#[tokio::test]
async fn throttling_is_tried_again_and_a_source_profile_without_credentials_is_an_error() {
    let dir = TempDir::new("sts-throttle");
    aws_file(
        &dir,
        ".aws/config",
        "[profile once]\nregion = us-east-1\nrole_arn = arn:aws:iam::1:role/throttled-once\n\
         source_profile = keys\n\
         [profile always]\nregion = us-east-1\nrole_arn = arn:aws:iam::1:role/throttled\n\
         source_profile = keys\n\
         [profile empty-source]\nregion = us-east-1\nrole_arn = arn:aws:iam::1:role/r\n\
         source_profile = empty\n\
         [profile empty]\nregion = us-east-1\n\
         [profile keys]\naws_access_key_id = AKIDKEYS\naws_secret_access_key = s\n",
    );
    let stand_in = stand_in().await;
    call(env(&dir, &stand_in, &[("AWS_PROFILE", "once")]))
        .await
        .unwrap();
    assert_eq!(
        sts_calls(&stand_in).len(),
        2,
        "one throttled try, then success"
    );
    assert_eq!(
        service_signer(&stand_in).as_deref(),
        Some("ASIA-throttled-once")
    );

    let err = call(env(&dir, &stand_in, &[("AWS_PROFILE", "always")]))
        .await
        .unwrap_err();
    let (kind, text) = credentials_error(&err);
    assert_eq!(kind, CredentialsErrorKind::ProviderFailed, "{text}");
    assert!(text.contains("Throttling: Rate exceeded"), "{text}");
    assert_eq!(sts_calls(&stand_in).len(), 5, "three tries in all");

    // The chain does not fall through to another source (here: the container) when the
    // role's source profile has no credentials.
    let full_uri = format!("{}/container", stand_in.url);
    let vars = [
        ("AWS_PROFILE", "empty-source"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
    ];
    let err = call(env(&dir, &stand_in, &vars)).await.unwrap_err();
    let (kind, text) = credentials_error(&err);
    assert_eq!(kind, CredentialsErrorKind::InvalidConfiguration, "{text}");
    assert!(text.contains("profile `empty`"), "{text}");

    // AWS_ROLE_ARN alone is not web identity: the chain goes on to the container.
    let vars = [
        ("AWS_ROLE_ARN", "arn:aws:iam::1:role/own-use"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        ("AWS_REGION", "us-east-1"),
    ];
    call(env(&dir, &stand_in, &vars)).await.unwrap();
    assert_eq!(service_signer(&stand_in).as_deref(), Some("ASIA-CONTAINER"));
}

#[tokio::test]
async fn sts_follows_the_profile_services_section() {
    let dir = TempDir::new("sts-services");
    let stand_in = stand_in().await;
    aws_file(
        &dir,
        ".aws/config",
        &format!(
            "[profile svc]\nregion = us-east-1\nrole_arn = arn:aws:iam::1:role/via-services\n\
             source_profile = keys\nservices = local\n\
             [services local]\nsts =\n  endpoint_url = {}\n\
             [profile keys]\naws_access_key_id = AKIDKEYS\naws_secret_access_key = s\n",
            stand_in.url
        ),
    );
    // Only the service's own variable: STS is found through the profile.
    let env = Env::from_vars([
        ("HOME", dir.home()),
        ("AWS_PROFILE", "svc".to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
        ("AWS_ENDPOINT_URL_LAMBDA", stand_in.url.clone()),
    ]);
    call(env).await.unwrap();
    assert_eq!(sts_calls(&stand_in).len(), 1);
    assert_eq!(
        service_signer(&stand_in).as_deref(),
        Some("ASIA-via-services")
    );
}
