//! `Config::from_env_with` and `Config::builder()`: region sources and their order, retry
//! attempts, required settings, endpoint validation and precedence, secrets kept out of
//! `Debug`, and credentials resolved lazily.
//!
//! Every environment here is an `Env::from_vars` with `HOME` in a fresh temporary directory, so
//! no real `~/.aws` file is read and nothing outside the test is contacted.

#![forbid(unsafe_code)]

use lambda_sdk_runtime::__private::rest_json::RequestBuilder;
use lambda_sdk_runtime::__private::{Handle, HttpResponse};
use lambda_sdk_runtime::config::{Config, ConfigError};
use lambda_sdk_runtime::credentials::Credentials;
use lambda_sdk_runtime::endpoint::{Endpoint, EndpointParams};
use lambda_sdk_runtime::endpoint_rules::functions::partition;
use lambda_sdk_runtime::endpoint_rules::{RulesError, RulesErrorKind};
use lambda_sdk_runtime::env::Env;
use lambda_sdk_runtime::error::{Error, Unhandled};

mod common;
use common::{SPEC, TempDir};

const SECRET_KEY: &str = "cfg-env-SECRET/key+value=0123456789";
const SESSION_TOKEN: &str = "cfg-env-SESSION-token/abc+def==";

/// An environment with `HOME` in `dir`, IMDS off, and `vars`.
fn env(dir: &TempDir, vars: &[(&str, &str)]) -> Env {
    let mut all = vec![
        ("HOME".to_owned(), dir.home()),
        ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
    ];
    all.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    Env::from_vars(all)
}

const KEYS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "AKIDCONFIGENV"),
    ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
];

fn from_env(dir: &TempDir, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let mut all = KEYS.to_vec();
    all.extend_from_slice(vars);
    Config::from_env_with(env(dir, &all))
}

const PROFILE_CONFIG: &str = "\
[default]
region = ap-southeast-2

[profile dev]
region = eu-central-1
";

#[test]
fn region_from_aws_region_first() {
    let dir = TempDir::new("region");
    let config_file = dir.write("config", PROFILE_CONFIG);
    let config = from_env(
        &dir,
        &[
            ("AWS_REGION", "us-west-2"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_CONFIG_FILE", &config_file),
            ("AWS_PROFILE", "dev"),
        ],
    )
    .unwrap();
    assert_eq!(config.region(), Some("us-west-2"));
}

#[test]
fn region_from_aws_default_region_second() {
    let dir = TempDir::new("region");
    let config_file = dir.write("config", PROFILE_CONFIG);
    let config = from_env(
        &dir,
        &[
            ("AWS_REGION", ""),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_CONFIG_FILE", &config_file),
            ("AWS_PROFILE", "dev"),
        ],
    )
    .unwrap();
    assert_eq!(config.region(), Some("eu-west-1"));
}

#[cfg(feature = "profile")]
#[test]
fn region_from_the_selected_profile_last() {
    let dir = TempDir::new("region");
    let config_file = dir.write("config", PROFILE_CONFIG);
    let credentials_file = dir.write(
        "credentials",
        "[dev]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n",
    );
    let files = [
        ("AWS_CONFIG_FILE", config_file.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials_file.as_str()),
    ];

    let mut dev = files.to_vec();
    dev.push(("AWS_PROFILE", "dev"));
    assert_eq!(from_env(&dir, &dev).unwrap().region(), Some("eu-central-1"));

    // No AWS_PROFILE: the `default` profile.
    assert_eq!(
        from_env(&dir, &files).unwrap().region(),
        Some("ap-southeast-2")
    );

    // The default file location under HOME is read too.
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    dir.write(".aws/config", "[profile home]\nregion = sa-east-1\n");
    assert_eq!(
        from_env(&dir, &[("AWS_PROFILE", "home")]).unwrap().region(),
        Some("sa-east-1")
    );
}

#[cfg(feature = "profile")]
#[tokio::test]
async fn profile_credentials_come_from_the_shared_files() {
    let dir = TempDir::new("profile-creds");
    let config_file = dir.write("config", PROFILE_CONFIG);
    let credentials_file = dir.write(
        "credentials",
        "[dev]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n",
    );
    let config = Config::from_env_with(env(
        &dir,
        &[
            ("AWS_CONFIG_FILE", &config_file),
            ("AWS_SHARED_CREDENTIALS_FILE", &credentials_file),
            ("AWS_PROFILE", "dev"),
        ],
    ))
    .unwrap();
    let credentials = config
        .credentials_provider()
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDPROFILE");
    assert_eq!(credentials.secret_access_key(), "profile-secret");
}

#[cfg(feature = "profile")]
#[test]
fn missing_region_lists_where_it_looked() {
    let dir = TempDir::new("no-region");
    let config_file = dir.write("config", "[profile other]\nregion = eu-west-3\n");
    let err = from_env(
        &dir,
        &[("AWS_CONFIG_FILE", &config_file), ("AWS_PROFILE", "dev")],
    )
    .unwrap_err()
    .to_string();
    for place in [
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "profile `dev`",
        "Config::builder().region",
    ] {
        assert!(err.contains(place), "{err:?} should mention {place}");
    }
    assert!(err.starts_with("no AWS region configured"), "{err}");

    // No files at all: still names the default profile.
    let err = from_env(&dir, &[]).unwrap_err().to_string();
    assert!(err.contains("profile `default`"), "{err}");

    // A broken config file: says it could not be read, and which file.
    let broken = dir.write("broken", "this is not an ini line\n");
    let err = from_env(&dir, &[("AWS_CONFIG_FILE", &broken)])
        .unwrap_err()
        .to_string();
    assert!(err.contains("could not be read"), "{err}");
    assert!(err.contains(&broken), "{err} should name {broken}");
}

#[test]
fn max_attempts_from_the_environment() {
    let dir = TempDir::new("attempts");
    let base = [("AWS_REGION", "us-east-1")];
    let config = from_env(&dir, &base).unwrap();
    assert_eq!(config.retry_config().max_attempts(), 3, "the default");
    for (value, attempts) in [("1", 1), ("5", 5), (" 7 ", 7)] {
        let mut vars = base.to_vec();
        vars.push(("AWS_MAX_ATTEMPTS", value));
        let config = from_env(&dir, &vars).unwrap();
        assert_eq!(config.retry_config().max_attempts(), attempts, "{value:?}");
    }
    for bad in ["0", "-1", "three", "2.5", "99999999999"] {
        let mut vars = base.to_vec();
        vars.push(("AWS_MAX_ATTEMPTS", bad));
        let err = from_env(&dir, &vars).unwrap_err().to_string();
        assert!(err.contains("AWS_MAX_ATTEMPTS"), "{err}");
        assert!(
            err.contains(&format!("{bad:?}")),
            "{err} should quote {bad:?}"
        );
        assert!(err.contains("at least 1"), "{err}");
    }
}

#[cfg(feature = "profile")]
#[test]
fn retry_settings_from_the_profile_and_the_environment() {
    let dir = TempDir::new("retry-profile");
    let config_file = dir.write(
        "config",
        "[default]\nregion = us-east-1\nmax_attempts = 6\nretry_mode = Standard\n\
         [profile adaptive]\nregion = us-east-1\nretry_mode = adaptive\n\
         [profile bad]\nregion = us-east-1\nmax_attempts = none\n",
    );
    let base = [("AWS_CONFIG_FILE", config_file.as_str())];
    let config = from_env(&dir, &base).unwrap();
    assert_eq!(config.retry_config().max_attempts(), 6, "the profile's");
    let mut vars = base.to_vec();
    vars.extend([("AWS_MAX_ATTEMPTS", "2"), ("AWS_RETRY_MODE", "standard")]);
    let config = from_env(&dir, &vars).unwrap();
    assert_eq!(
        config.retry_config().max_attempts(),
        2,
        "the environment's first"
    );

    let mut vars = base.to_vec();
    vars.push(("AWS_PROFILE", "adaptive"));
    let err = from_env(&dir, &vars).unwrap_err().to_string();
    assert!(
        err.starts_with("`retry_mode` of profile `adaptive` is \"adaptive\""),
        "{err}"
    );
    assert!(err.contains("not implemented"), "{err}");
    let mut vars = base.to_vec();
    vars.push(("AWS_RETRY_MODE", "legacy"));
    let err = from_env(&dir, &vars).unwrap_err().to_string();
    assert!(err.starts_with("AWS_RETRY_MODE is \"legacy\""), "{err}");
    assert!(err.contains("must be \"standard\""), "{err}");
    let mut vars = base.to_vec();
    vars.push(("AWS_PROFILE", "bad"));
    let err = from_env(&dir, &vars).unwrap_err().to_string();
    assert_eq!(
        err,
        "`max_attempts` of profile `bad` is \"none\", not a whole number of at least 1"
    );
}

#[test]
fn builder_requires_region_and_credentials() {
    let credentials = Credentials::new("AKID", SECRET_KEY, None);
    let err = Config::builder()
        .credentials(credentials.clone())
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("no region"), "{err}");
    assert!(err.contains("Config::builder().region("), "{err}");
    assert!(err.contains("Config::from_env()"), "{err}");

    let err = Config::builder()
        .region("   ")
        .credentials(credentials.clone())
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("no region"), "{err}");

    let err = Config::builder()
        .region("us east 1")
        .credentials(credentials.clone())
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"us east 1\"") && err.contains("not a valid region"),
        "{err}"
    );

    let err = Config::builder()
        .region("us-east-1")
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("no credentials"), "{err}");
    assert!(err.contains("Config::builder().credentials("), "{err}");
    assert!(err.contains("Config::from_env()"), "{err}");

    let config = Config::builder()
        .region("us-east-1")
        .credentials(credentials)
        .build()
        .unwrap();
    assert_eq!(config.region(), Some("us-east-1"));
    assert_eq!(config.endpoint_url(), None);
}

#[test]
fn bad_endpoint_urls_are_refused_with_reasons() {
    let build = |url: &str| {
        Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new("AKID", SECRET_KEY, None))
            .endpoint_url(url)
            .build()
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let err = build("ftp://x").unwrap_err();
    assert!(
        err.contains("\"ftp://x\"") && err.contains("scheme `ftp`") && err.contains("https"),
        "{err}"
    );
    let err = build("localhost:80").unwrap_err();
    assert!(
        err.contains("\"localhost:80\"") && err.contains("no scheme"),
        "{err}"
    );
    let err = build("https://example.com/?a=b").unwrap_err();
    assert!(err.contains("query"), "{err}");
    let err = build("not a url").unwrap_err();
    assert!(err.contains("not a valid URL"), "{err}");
    build("http://127.0.0.1:5055").unwrap();
    build("https://lambda.example.com/base/").unwrap();
}

#[test]
fn bad_endpoint_from_the_environment_names_the_variable() {
    let dir = TempDir::new("bad-endpoint");
    for url in ["ftp://x", "localhost:80"] {
        // AWS_ENDPOINT_URL applies to every service: it is checked when the config is read.
        let err = from_env(
            &dir,
            &[("AWS_REGION", "us-east-1"), ("AWS_ENDPOINT_URL", url)],
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("AWS_ENDPOINT_URL"), "{err}");
        assert!(err.contains(&format!("{url:?}")), "{err}");
        // The per-service variable is checked when the service's endpoint is resolved.
        let var = "AWS_ENDPOINT_URL_LAMBDA";
        let config = from_env(&dir, &[("AWS_REGION", "us-east-1"), (var, url)]).unwrap();
        let err = config
            .resolve_endpoint(region_of(&config), "Lambda", Some(lambda_like))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(var), "{err} should name {var}");
        assert!(err.contains(&format!("{url:?}")), "{err}");
    }
}

#[tokio::test]
async fn bad_endpoint_from_the_environment_refuses_every_request() {
    let dir = TempDir::new("bad-endpoint-call");
    let config = from_env(
        &dir,
        &[
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL_LAMBDA", "ftp://x"),
        ],
    )
    .unwrap();
    let handle = Handle::new(config, &SPEC);
    let parse = |_: &HttpResponse| -> Result<(), Error<Unhandled>> { Ok(()) };
    let err = handle
        .call("Op", &(), RequestBuilder::new("GET").finish(), parse)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Construction(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("AWS_ENDPOINT_URL_LAMBDA") && text.contains("ftp"),
        "{text}"
    );
}

/// A resolver in the shape of Lambda's rules: a custom endpoint wins, else the regional one.
fn lambda_like(params: &EndpointParams<'_>) -> Result<String, RulesError> {
    if let Some(endpoint) = params.endpoint {
        return Ok(endpoint.to_string());
    }
    match params.region {
        Some(region) => Ok(format!(
            "https://lambda.{region}.{}",
            partition(region).dns_suffix
        )),
        None => Err(RulesError::new(
            RulesErrorKind::Rule,
            "Invalid Configuration: Missing Region",
        )),
    }
}

fn url_of(endpoint: &Endpoint) -> String {
    endpoint.url("/op", "")
}

#[cfg(feature = "profile")]
#[test]
fn profile_settings_are_read_refused_or_ignored() {
    let dir = TempDir::new("profile-settings");
    let config_file = dir.write(
        "config",
        "[default]\nregion = eu-west-1\nuse_fips_endpoint = true\noutput = json\ncli_pager =\n\
         sso_registration_scopes = sso:account:access\nsts_regional_endpoints = regional\n\
         s3 =\n  max_concurrent_requests = 20\n\
         [profile legacy-sts]\nregion = eu-west-1\nsts_regional_endpoints = legacy\n\
         [profile imds]\nregion = eu-west-1\nec2_metadata_service_endpoint = ftp://[fd00::1]\n\
         [profile bundle]\nregion = eu-west-1\nca_bundle = /nonexistent/bundle.pem\n\
         [profile fips-typo]\nregion = eu-west-1\nuse_dualstack_endpoint = yes\n",
    );
    let with = |profile: &str| {
        from_env(
            &dir,
            &[
                ("AWS_CONFIG_FILE", config_file.as_str()),
                ("AWS_PROFILE", profile),
            ],
        )
    };
    // Read (FIPS), accepted as what the SDK does (regional STS), ignored (CLI keys, s3).
    let config = with("default").unwrap();
    assert!(config.use_fips());
    // The environment wins over the profile.
    let config = from_env(
        &dir,
        &[
            ("AWS_CONFIG_FILE", config_file.as_str()),
            ("AWS_USE_FIPS_ENDPOINT", "false"),
        ],
    )
    .unwrap();
    assert!(!config.use_fips());
    for (profile, says) in [
        (
            "legacy-sts",
            "sets `sts_regional_endpoints = legacy`, which changes where requests go",
        ),
        ("bundle", "/nonexistent/bundle.pem"),
        (
            "fips-typo",
            "`use_dualstack_endpoint` of profile `fips-typo` is \"yes\"",
        ),
    ] {
        let err = with(profile).unwrap_err().to_string();
        assert!(err.contains(says), "{profile}: {err}");
    }
    // The instance metadata endpoint is read where instance metadata is compiled in.
    #[cfg(feature = "imds")]
    {
        let err = with("imds").unwrap_err().to_string();
        assert!(
            err.contains("`ec2_metadata_service_endpoint` of profile `imds` in "),
            "{err}"
        );
    }
    #[cfg(not(feature = "imds"))]
    assert!(with("imds").is_ok());
}

#[cfg(feature = "profile")]
#[test]
fn endpoints_from_the_profile_come_after_the_environment() {
    let dir = TempDir::new("endpoint-profile");
    let config_file = dir.write(
        "config",
        "[default]\nregion = eu-west-1\nendpoint_url = http://profile.local:3000\n\
         services = local\n\
         [services local]\nlambda =\n  endpoint_url = http://lambda.profile.local:4000\n\
         other_service =\n  region = us-west-2\n\
         [profile plain]\nregion = eu-west-1\nendpoint_url = http://profile.local:3000\n\
         [profile ignoring]\nregion = eu-west-1\nendpoint_url = http://profile.local:3000\n\
         ignore_configured_endpoint_urls = true\n\
         [profile bad]\nregion = eu-west-1\nendpoint_url = ftp://x\n\
         [profile lost]\nregion = eu-west-1\nservices = nowhere\n",
    );
    let resolved = |vars: &[(&str, &str)], sdk_id: &str| {
        let mut all = vec![("AWS_CONFIG_FILE", config_file.as_str())];
        all.extend_from_slice(vars);
        let config = from_env(&dir, &all).unwrap();
        url_of(
            &config
                .resolve_endpoint(region_of(&config), sdk_id, Some(lambda_like))
                .unwrap(),
        )
    };
    // The services section for its service, the profile's endpoint_url for the others.
    assert_eq!(
        resolved(&[], "Lambda"),
        "http://lambda.profile.local:4000/op"
    );
    assert_eq!(
        resolved(&[], "Other Service"),
        "http://profile.local:3000/op"
    );
    assert_eq!(
        resolved(&[("AWS_PROFILE", "plain")], "Lambda"),
        "http://profile.local:3000/op"
    );
    // The environment comes first.
    assert_eq!(
        resolved(&[("AWS_ENDPOINT_URL", "http://env.local:1")], "Lambda"),
        "http://env.local:1/op"
    );
    assert_eq!(
        resolved(
            &[("AWS_ENDPOINT_URL_LAMBDA", "http://env.local:2")],
            "Lambda"
        ),
        "http://env.local:2/op"
    );
    // Ignoring configured endpoints, from the profile or the environment, ignores them all.
    assert_eq!(
        resolved(&[("AWS_PROFILE", "ignoring")], "Lambda"),
        "https://lambda.eu-west-1.amazonaws.com/op"
    );
    let vars = [
        ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ("AWS_ENDPOINT_URL", "http://env.local:1"),
    ];
    assert_eq!(
        resolved(&vars, "Lambda"),
        "https://lambda.eu-west-1.amazonaws.com/op"
    );
    // Wrong settings are errors that name them.
    let mut errors = Vec::new();
    for vars in [
        vec![("AWS_PROFILE", "bad")],
        vec![("AWS_PROFILE", "lost")],
        vec![("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "maybe")],
    ] {
        let mut all = vec![("AWS_CONFIG_FILE", config_file.as_str())];
        all.extend(vars);
        errors.push(from_env(&dir, &all).unwrap_err().to_string());
    }
    assert!(
        errors[0].contains("`endpoint_url` of profile `bad`"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].contains("names `services = nowhere`, but there is no `[services nowhere]`"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].starts_with("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is \"maybe\""),
        "{}",
        errors[2]
    );
}

#[test]
fn endpoint_precedence() {
    let dir = TempDir::new("endpoint");
    let resolved = |config: &Config| {
        url_of(
            &config
                .resolve_endpoint(region_of(config), "Lambda", Some(lambda_like))
                .unwrap(),
        )
    };

    // Nothing set: the regional endpoint (with the China partition's suffix in cn-).
    let config = from_env(&dir, &[("AWS_REGION", "eu-west-1")]).unwrap();
    assert_eq!(
        resolved(&config),
        "https://lambda.eu-west-1.amazonaws.com/op"
    );
    let config = from_env(&dir, &[("AWS_REGION", "cn-north-1")]).unwrap();
    assert_eq!(
        resolved(&config),
        "https://lambda.cn-north-1.amazonaws.com.cn/op"
    );

    // AWS_ENDPOINT_URL beats the default.
    let config = from_env(
        &dir,
        &[
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL", "http://global.local:1000"),
        ],
    )
    .unwrap();
    assert_eq!(resolved(&config), "http://global.local:1000/op");
    let endpoint = config
        .resolve_endpoint(region_of(&config), "Lambda", Some(lambda_like))
        .unwrap();
    assert_eq!(endpoint.scheme(), "http");
    assert_eq!(endpoint.authority(), "global.local:1000");

    // AWS_ENDPOINT_URL_LAMBDA beats AWS_ENDPOINT_URL.
    let config = from_env(
        &dir,
        &[
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL", "http://global.local:1000"),
            ("AWS_ENDPOINT_URL_LAMBDA", "https://lambda.local:2000/base/"),
        ],
    )
    .unwrap();
    assert_eq!(resolved(&config), "https://lambda.local:2000/base/op");
    // ... and only for its own service.
    assert_eq!(
        url_of(
            &config
                .resolve_endpoint(region_of(&config), "Other Service", Some(lambda_like))
                .unwrap()
        ),
        "http://global.local:1000/op"
    );

    // An explicit endpoint beats everything. `Config::builder()` has no public way to take an
    // `Env`, so a builder config reads no environment at all: its explicit endpoint is used
    // and, without one, the regional default (never AWS_ENDPOINT_URL*).
    let explicit = Config::builder()
        .region("eu-west-1")
        .credentials(Credentials::new("AKID", SECRET_KEY, None))
        .endpoint_url("http://explicit.local:3000")
        .build()
        .unwrap();
    assert_eq!(explicit.endpoint_url(), Some("http://explicit.local:3000"));
    assert_eq!(resolved(&explicit), "http://explicit.local:3000/op");
    let plain = Config::builder()
        .region("eu-west-1")
        .credentials(Credentials::new("AKID", SECRET_KEY, None))
        .build()
        .unwrap();
    assert_eq!(
        resolved(&plain),
        "https://lambda.eu-west-1.amazonaws.com/op"
    );
}

#[tokio::test]
async fn debug_never_shows_secrets() {
    let dir = TempDir::new("debug");
    let credentials = Credentials::new("AKIDDEBUG", SECRET_KEY, Some(SESSION_TOKEN.to_owned()));
    let builder = Config::builder()
        .region("us-east-1")
        .credentials(credentials.clone())
        .endpoint_url("http://127.0.0.1:9");
    let mut texts = vec![format!("{builder:?}"), format!("{builder:#?}")];
    let config = builder.build().unwrap();
    texts.push(format!("{config:?}"));
    texts.push(format!("{config:#?}"));
    texts.push(format!("{credentials:?}"));
    // After the credentials are cached, too.
    config
        .credentials_provider()
        .provide_credentials()
        .await
        .unwrap();
    texts.push(format!("{config:?}"));
    texts.push(format!("{:?}", config.credentials_provider()));

    let from_env = Config::from_env_with(env(
        &dir,
        &[
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "AKIDDEBUG"),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
            ("AWS_SESSION_TOKEN", SESSION_TOKEN),
        ],
    ))
    .unwrap();
    texts.push(format!("{from_env:?}"));
    let resolved = from_env
        .credentials_provider()
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(resolved.secret_access_key(), SECRET_KEY);
    assert_eq!(resolved.session_token(), Some(SESSION_TOKEN));
    texts.push(format!("{from_env:?}"));
    texts.push(format!("{from_env:#?}"));
    texts.push(format!("{resolved:?}"));

    for text in &texts {
        assert!(!text.contains(SECRET_KEY), "secret key in {text}");
        assert!(!text.contains(SESSION_TOKEN), "session token in {text}");
        // Not even a fragment of them.
        assert!(!text.contains("cfg-env-"), "{text}");
    }
    assert!(texts[0].contains("ConfigBuilder"), "{}", texts[0]);
    assert!(texts[2].contains("AKIDDEBUG"), "{}", texts[2]);
}

// The whole chain: each source is named in the error.
#[cfg(all(
    feature = "profile",
    feature = "container-credentials",
    feature = "imds"
))]
#[tokio::test]
async fn credentials_are_resolved_lazily() {
    let dir = TempDir::new("lazy");
    // No credentials anywhere: building still succeeds.
    let config = Config::from_env_with(env(&dir, &[("AWS_REGION", "us-east-1")]))
        .expect("no credentials is not a config error");
    let err = config
        .credentials_provider()
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        lambda_sdk_runtime::credentials::CredentialsErrorKind::NotConfigured
    );
    let text = err.to_string();
    let home_credentials = dir.path().join(".aws/credentials");
    for part in [
        "no AWS credentials found; looked in: ",
        "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (not set)",
        "profile `default`",
        home_credentials.to_str().unwrap(),
        "container credentials",
        "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)",
    ] {
        assert!(text.contains(part), "{text:?} should contain {part:?}");
    }

    // A request then fails before anything is sent, with the same explanation.
    let config = Config::from_env_with(env(
        &dir,
        &[
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ],
    ))
    .unwrap();
    let handle = Handle::new(config, &SPEC);
    let parse = |_: &HttpResponse| -> Result<(), Error<Unhandled>> { Ok(()) };
    let err = handle
        .call("Op", &(), RequestBuilder::new("GET").finish(), parse)
        .await
        .unwrap_err();
    use lambda_sdk_runtime::credentials::CredentialsErrorKind::NotConfigured;
    assert!(
        matches!(&err, Error::Credentials(e) if e.kind() == NotConfigured),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(text.starts_with("no credentials to sign with: "), "{text}");
    assert!(text.contains("looked in"), "{text}");

    // The credentials file is read at the call, not when the config was built.
    let config = Config::from_env_with(env(&dir, &[("AWS_REGION", "us-east-1")])).unwrap();
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    dir.write(
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIDLATER\naws_secret_access_key = later-secret\n",
    );
    let credentials = config
        .credentials_provider()
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDLATER");
}

/// The region of a configuration that has one set.
fn region_of(config: &Config) -> &str {
    config.region().expect("a region set in the test")
}
