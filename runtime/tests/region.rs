//! The region from EC2 instance metadata when nothing else sets one, as a program on an EC2
//! instance without `AWS_REGION` has it: `Config::from_env_with` stays synchronous, and the
//! first request fetches the region (IMDSv2: a token, then `placement/region`), signs with it,
//! resolves the endpoint with it, and keeps it. A local stand-in plays the instance metadata
//! service, STS and the service, and records what it was sent.
#![cfg(feature = "imds")]

mod common;

use lambda_sdk_runtime::__private::rest_json::RequestBuilder;
use lambda_sdk_runtime::__private::{Handle, HttpResponse, ServiceSpec};
use lambda_sdk_runtime::config::Config;
use lambda_sdk_runtime::endpoint::EndpointParams;
use lambda_sdk_runtime::endpoint_rules::{RulesError, RulesErrorKind};
use lambda_sdk_runtime::env::Env;
use lambda_sdk_runtime::error::{Error, Unhandled};

use common::{Received, SPEC, StandIn, TempDir};

const IMDS_TOKEN: &str = "imds-session-TOKEN";
const REGION: &str = "ap-northeast-3";
const REGION_PATH: &str = "/latest/meta-data/placement/region";
const ROLE_PATH: &str = "/latest/meta-data/iam/security-credentials/";

/// Instance metadata (IMDSv2, region `ap-northeast-3`, instance role `box-role`), STS
/// (`AssumeRole` gives `ASIA-ROLE`) and the service (`{}`). The first `refusals` region
/// requests get a 404.
async fn stand_in(refusals: usize) -> StandIn {
    StandIn::start(move |request, all| {
        let path = request.path.as_str();
        if request.method == "PUT" && path == "/latest/api/token" {
            return match request.header("x-aws-ec2-metadata-token-ttl-seconds") {
                Some(_) => (200, IMDS_TOKEN.to_owned()),
                None => (400, String::new()),
            };
        }
        let metadata = path.starts_with("/latest/meta-data/");
        if metadata && request.header("x-aws-ec2-metadata-token") != Some(IMDS_TOKEN) {
            return (401, String::new());
        }
        match path {
            REGION_PATH => {
                let asked = all.iter().filter(|r| r.path == REGION_PATH).count();
                if asked <= refusals {
                    (404, "Not Found".to_owned())
                } else {
                    (200, format!("{REGION}\n"))
                }
            }
            ROLE_PATH => (200, "box-role\n".to_owned()),
            p if p == format!("{ROLE_PATH}box-role") => (
                200,
                "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIA-BOX\",\"SecretAccessKey\":\"s\",\
                 \"Token\":\"t\",\"Expiration\":\"2099-01-01T00:00:00Z\"}"
                    .to_owned(),
            ),
            _ if request.body.contains("Action=AssumeRole") => (
                200,
                "<AssumeRoleResponse><AssumeRoleResult><Credentials>\
                 <AccessKeyId>ASIA-ROLE</AccessKeyId><SecretAccessKey>s</SecretAccessKey>\
                 <SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>\
                 </Credentials></AssumeRoleResult></AssumeRoleResponse>"
                    .to_owned(),
            ),
            _ => (200, "{}".to_owned()),
        }
    })
    .await
}

/// A user's environment on an instance: HOME in `dir`, no region, instance metadata at the
/// stand-in, the stand-in as the service and as STS, and `vars`.
fn env(dir: &TempDir, stand_in: &StandIn, vars: &[(&str, &str)]) -> Env {
    let mut all: Vec<(String, String)> = vec![
        ("HOME".into(), dir.home()),
        ("AWS_ENDPOINT_URL".into(), stand_in.url.clone()),
        ("AWS_ENDPOINT_URL_STS".into(), stand_in.url.clone()),
        ("AWS_MAX_ATTEMPTS".into(), "1".into()),
    ];
    all.extend(vars.iter().map(|(k, v)| ((*k).into(), (*v).into())));
    Env::from_vars(all)
}

const KEYS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "AKIDREGION"),
    ("AWS_SECRET_ACCESS_KEY", "secret"),
];

/// The environment of a program on an instance with keys in the environment and no region,
/// whose instance metadata is at `imds_url`, plus `vars`.
fn keys_env(dir: &TempDir, stand_in: &StandIn, imds_url: &str, vars: &[(&str, &str)]) -> Env {
    let mut all = KEYS.to_vec();
    all.push(("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds_url));
    all.extend_from_slice(vars);
    env(dir, stand_in, &all)
}

/// One call of `spec`'s service through `handle`.
async fn call_with(handle: &Handle) -> Result<(), Error<Unhandled>> {
    let parse = |_: &HttpResponse| -> Result<(), Error<Unhandled>> { Ok(()) };
    handle
        .call("Op", &(), RequestBuilder::new("GET").finish(), parse)
        .await
        .map(|_| ())
}

/// What each request was: `token`, `region`, `role`, `credentials`, `sts` or `service`.
fn kinds(received: &[Received]) -> Vec<&'static str> {
    received
        .iter()
        .map(|r| match r.path.as_str() {
            "/latest/api/token" => "token",
            REGION_PATH => "region",
            ROLE_PATH => "role",
            p if p.starts_with(ROLE_PATH) => "credentials",
            _ if r.body.contains("Action=") => "sts",
            _ => "service",
        })
        .collect()
}

#[tokio::test]
async fn the_first_request_fetches_the_region_once_and_signs_with_it() {
    let dir = TempDir::new("imds-region");
    let imds = stand_in(0).await;
    let config = Config::from_env_with(keys_env(&dir, &imds, &imds.url, &[])).unwrap();
    // Synchronous, and nothing asked yet.
    assert_eq!(config.region(), None);
    assert!(imds.received().is_empty());
    assert!(format!("{config:?}").contains("from EC2 instance metadata"));

    let handle = Handle::new(config, &SPEC);
    call_with(&handle).await.unwrap();
    call_with(&handle).await.unwrap();
    let received = imds.received();
    assert_eq!(kinds(&received), ["token", "region", "service", "service"]);
    for service in &received[2..] {
        assert_eq!(
            service.scope().unwrap().split_once('/').unwrap().1,
            format!("{REGION}/lambda/aws4_request")
        );
    }
    assert_eq!(handle.config().region(), Some(REGION));
    assert_eq!(handle.config().resolve_region().await.unwrap(), REGION);
    assert_eq!(imds.received().len(), 4);
}

/// Endpoint rules that put the region in the path of the custom endpoint:
/// `<endpoint>/<region>`.
fn at_stand_in(params: &EndpointParams<'_>) -> Result<String, RulesError> {
    match (params.endpoint, params.region) {
        (Some(endpoint), Some(region)) => Ok(format!("{endpoint}/{region}")),
        _ => Err(RulesError::new(
            RulesErrorKind::Rule,
            "Invalid Configuration: Missing Region or Endpoint",
        )),
    }
}

static RULES_SPEC: ServiceSpec = ServiceSpec {
    sdk_id: "Region Test",
    signing_name: "lambda",
    endpoint_prefix: "lambda",
    sdk_user_agent: "lambda-sdk-tests/0.0.0",
    endpoint_resolver: Some(at_stand_in),
};

#[tokio::test]
async fn the_endpoint_rules_get_the_region_from_instance_metadata() {
    let dir = TempDir::new("imds-rules");
    let imds = stand_in(0).await;
    let config = Config::from_env_with(keys_env(&dir, &imds, &imds.url, &[])).unwrap();
    let handle = Handle::new(config, &RULES_SPEC);
    call_with(&handle).await.unwrap();
    let received = imds.received();
    assert_eq!(kinds(&received), ["token", "region", "service"]);
    assert_eq!(received[2].path, format!("/{REGION}/"));
}

#[tokio::test]
async fn a_failed_fetch_fails_the_request_and_the_next_one_tries_again() {
    let dir = TempDir::new("imds-refused");
    let imds = stand_in(1).await;
    let handle = Handle::new(
        Config::from_env_with(keys_env(&dir, &imds, &imds.url, &[])).unwrap(),
        &SPEC,
    );
    let err = call_with(&handle).await.unwrap_err();
    let Error::Construction(err) = &err else {
        panic!("not a construction error: {err:?}");
    };
    let text = err.to_string();
    #[cfg(feature = "profile")]
    let looked_in =
        "looked in AWS_REGION, AWS_DEFAULT_REGION and the `region` of profile `default`";
    #[cfg(not(feature = "profile"))]
    let looked_in = "looked in AWS_REGION and AWS_DEFAULT_REGION";
    for says in [
        &format!("no AWS region configured; {looked_in}"),
        &format!(
            ", then asked EC2 instance metadata at {} (region request refused: HTTP 404 Not \
             Found: Not Found). Set AWS_REGION",
            imds.url
        ),
    ] {
        assert!(text.contains(says), "{text:?} should say {says:?}");
    }
    assert_eq!(handle.config().region(), None);
    call_with(&handle).await.unwrap();
    assert_eq!(
        kinds(&imds.received()),
        ["token", "region", "token", "region", "service"]
    );

    // Nothing listening: the request fails, naming the token request.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let handle = Handle::new(
        Config::from_env_with(keys_env(&dir, &imds, &closed, &[])).unwrap(),
        &SPEC,
    );
    let text = call_with(&handle).await.unwrap_err().to_string();
    assert!(
        text.contains(&format!(
            "asked EC2 instance metadata at {closed} (token request failed: "
        )),
        "{text}"
    );
}

#[tokio::test]
async fn disabled_instance_metadata_is_not_asked() {
    let dir = TempDir::new("imds-disabled");
    let imds = stand_in(0).await;
    let disabled = [("AWS_EC2_METADATA_DISABLED", "TRUE")];
    let err = Config::from_env_with(keys_env(&dir, &imds, &imds.url, &disabled)).unwrap_err();
    assert!(
        err.to_string()
            .contains("; EC2 instance metadata was not asked: AWS_EC2_METADATA_DISABLED is true."),
        "{err}"
    );
    assert!(imds.received().is_empty());
}

/// The profile's `ec2_metadata_service_endpoint` serves the region and the instance role's
/// credentials, and a role assumed with `credential_source = Ec2InstanceMetadata` calls STS in
/// the instance's region.
#[cfg(all(feature = "profile", feature = "sts"))]
#[tokio::test]
async fn the_profile_endpoint_serves_region_credentials_and_roles() {
    let dir = TempDir::new("imds-profile");
    let imds = stand_in(0).await;
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    dir.write(
        ".aws/config",
        &format!(
            "[default]\nec2_metadata_service_endpoint = {url}\n\
             [profile role]\nec2_metadata_service_endpoint = {url}\n\
             role_arn = arn:aws:iam::1:role/r\ncredential_source = Ec2InstanceMetadata\n",
            url = imds.url
        ),
    );
    common::call(env(&dir, &imds, &[])).await.unwrap();
    let received = imds.received();
    assert_eq!(
        kinds(&received),
        ["token", "region", "token", "role", "credentials", "service"]
    );
    assert_eq!(received[5].signed_by().as_deref(), Some("ASIA-BOX"));

    common::call(env(&dir, &imds, &[("AWS_PROFILE", "role")]))
        .await
        .unwrap();
    let received = &imds.received()[6..];
    assert_eq!(
        kinds(received),
        [
            "token",
            "region",
            "token",
            "role",
            "credentials",
            "sts",
            "service"
        ]
    );
    let sts = &received[5];
    assert_eq!(sts.signed_by().as_deref(), Some("ASIA-BOX"));
    assert_eq!(
        sts.scope().unwrap().split_once('/').unwrap().1,
        format!("{REGION}/sts/aws4_request")
    );
    assert_eq!(received[6].signed_by().as_deref(), Some("ASIA-ROLE"));
}

/// Concurrent first requests while instance metadata refuses: one fetch, whose failure answers
/// every request that waited for it.
#[tokio::test]
async fn waiting_requests_share_one_failed_fetch() {
    let dir = TempDir::new("imds-concurrent");
    let imds = stand_in(usize::MAX).await;
    let handle = Handle::new(
        Config::from_env_with(keys_env(&dir, &imds, &imds.url, &[])).unwrap(),
        &SPEC,
    );
    let (a, b, c) = tokio::join!(call_with(&handle), call_with(&handle), call_with(&handle));
    for result in [a, b, c] {
        assert!(matches!(result, Err(Error::Construction(_))), "{result:?}");
    }
    assert_eq!(kinds(&imds.received()), ["token", "region"]);
    // A later request asks again.
    assert!(call_with(&handle).await.is_err());
    assert_eq!(kinds(&imds.received()).len(), 4);
}

/// Writes `~/.aws/config` with a default profile that assumes a role with the keys of `base`,
/// and no region.
#[cfg(all(feature = "profile", feature = "sts"))]
fn role_profile(dir: &TempDir) {
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    dir.write(
        ".aws/config",
        "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n\
         [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n",
    );
}

/// A region given to the builder after `builder_from_env` is the region of the requests and of
/// the STS calls of a role, and instance metadata is never asked.
#[cfg(all(feature = "profile", feature = "sts"))]
#[tokio::test]
async fn a_builder_region_wins_for_requests_and_sts() {
    let dir = TempDir::new("imds-builder");
    let imds = stand_in(0).await;
    let vars = [("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url.as_str())];
    role_profile(&dir);
    let config = Config::builder_from_env_with(env(&dir, &imds, &vars))
        .unwrap()
        .region("eu-south-2")
        .build()
        .unwrap();
    assert_eq!(config.region(), Some("eu-south-2"));
    call_with(&Handle::new(config, &SPEC)).await.unwrap();
    let received = imds.received();
    assert_eq!(kinds(&received), ["sts", "service"]);
    for (request, service) in received.iter().zip(["sts", "lambda"]) {
        assert_eq!(
            request.scope().unwrap().split_once('/').unwrap().1,
            format!("eu-south-2/{service}/aws4_request")
        );
    }
}

/// Credentials asked for before any request fetch the region themselves for their STS call.
#[cfg(all(feature = "profile", feature = "sts"))]
#[tokio::test]
async fn credentials_before_any_request_fetch_the_region_for_sts() {
    use lambda_sdk_runtime::credentials::ProvideCredentials;
    let dir = TempDir::new("imds-sts-first");
    let imds = stand_in(0).await;
    let vars = [("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url.as_str())];
    role_profile(&dir);
    let config = Config::from_env_with(env(&dir, &imds, &vars)).unwrap();
    let credentials = config
        .credentials_provider()
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(credentials.access_key_id(), "ASIA-ROLE");
    let received = imds.received();
    assert_eq!(kinds(&received), ["token", "region", "sts"]);
    assert_eq!(
        received[2].scope().unwrap().split_once('/').unwrap().1,
        format!("{REGION}/sts/aws4_request")
    );
    assert_eq!(config.region(), Some(REGION));
}

#[cfg(feature = "profile")]
#[test]
fn a_bad_endpoint_mode_in_the_profile_is_named() {
    let dir = TempDir::new("imds-mode");
    let config = dir.write(
        "config",
        "[default]\nregion = eu-west-1\nec2_metadata_service_endpoint_mode = IPv5\n",
    );
    let mut vars = KEYS.to_vec();
    let home = dir.home();
    vars.push(("AWS_CONFIG_FILE", config.as_str()));
    vars.push(("HOME", home.as_str()));
    let err = Config::from_env_with(Env::from_vars(vars)).unwrap_err();
    assert!(
        err.to_string()
            .contains("`ec2_metadata_service_endpoint_mode` of profile `default` in ")
            && err
                .to_string()
                .contains("is \"IPv5\"; it must be IPv4 or IPv6"),
        "{err}"
    );
}
