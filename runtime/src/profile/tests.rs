//! Unit tests of [`super`].

use super::*;
use crate::credentials::test_util::TempDir;

fn parse(config: &str, credentials: &str, name: &str) -> ProfileSet {
    ProfileSet::parse(config, credentials, name).unwrap()
}

fn parse_err(config: &str) -> ProfileError {
    ProfileSet::parse(config, "", "default").unwrap_err()
}

#[test]
fn sso_session_and_services_sections_are_kept_apart() {
    let config = "\
[profile dev]
sso_session = corp
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[services local]
lambda =
  endpoint_url = http://127.0.0.1:5055
[sso-session corp]
sso_registration_scopes = sso:account:access
";
    let profiles = parse(config, "", "dev");
    let session = profiles.sso_session("corp").unwrap();
    assert_eq!(session.get("sso_region"), Some("eu-west-1"));
    assert_eq!(
        session.get("sso_registration_scopes"),
        Some("sso:account:access")
    );
    let services = profiles.services("local").unwrap();
    assert_eq!(
        services.sub_property("lambda", "endpoint_url"),
        Some("http://127.0.0.1:5055")
    );
    assert!(profiles.get("corp").is_none() && profiles.get("local").is_none());
    assert!(profiles.sso_session("dev").is_none());
    assert_eq!(profiles.profile_names().collect::<Vec<_>>(), ["dev"]);
}

#[test]
fn sections_properties_and_comments() {
    let config = "\
# a comment
; another
[default]
region = eu-west-1 # inline
output=json;not-a-comment
empty =
url = https://example.com/#frag ;comment
  ; indented comment
[profile dev]   # comment after the header
region = us-east-1
[profile  spaced ]
region = ap-south-1
";
    let set = parse(config, "", "default");
    let default = set.selected().unwrap();
    assert_eq!(default.get("region"), Some("eu-west-1"));
    assert_eq!(default.get("output"), Some("json;not-a-comment"));
    assert_eq!(default.get("empty"), None);
    assert_eq!(default.get("url"), Some("https://example.com/#frag"));
    assert_eq!(set.get("dev").unwrap().get("region"), Some("us-east-1"));
    assert_eq!(set.get("spaced").unwrap().get("region"), Some("ap-south-1"));
    assert_eq!(
        set.profile_names().collect::<Vec<_>>(),
        ["default", "dev", "spaced"]
    );
}

#[test]
fn keys_are_case_insensitive_names_are_not() {
    let set = parse("[profile Dev]\nRegion = x\n", "", "dev");
    assert!(set.selected().is_none());
    let dev = set.get("Dev").unwrap();
    assert_eq!(dev.get("region"), Some("x"));
    assert_eq!(dev.get("REGION"), Some("x"));
    assert_eq!(dev.keys().collect::<Vec<_>>(), ["region"]);
}

#[test]
fn continuation_and_sub_properties() {
    let config = "\
[default]
s3 =
    max_concurrent_requests = 20 ; comment
\tmax_queue_size=1000
note = first
  second
after = 1
";
    let set = parse(config, "", "default");
    let p = set.selected().unwrap();
    assert_eq!(p.sub_property("s3", "max_concurrent_requests"), Some("20"));
    assert_eq!(p.sub_property("S3", "max_queue_size"), Some("1000"));
    assert_eq!(p.sub_property("s3", "missing"), None);
    assert_eq!(
        p.get("s3"),
        Some("max_concurrent_requests = 20\nmax_queue_size=1000")
    );
    assert_eq!(p.get("note"), Some("first\nsecond"));
    assert_eq!(p.sub_property("note", "second"), None);
    assert_eq!(p.get("after"), Some("1"));
}

#[test]
fn config_and_credentials_prefixes() {
    let config = "[dev]\nregion = ignored\n[sso-session s]\nsso_region = x\n\
                      [profile ok]\nregion = r\n[profile bad name!]\nregion = r\n";
    let credentials = "[profile dev]\naws_access_key_id = ignored\n[ok]\nkey = v\n";
    let set = parse(config, credentials, "ok");
    assert_eq!(set.profile_names().collect::<Vec<_>>(), ["ok"]);
    let ok = set.selected().unwrap();
    assert_eq!(ok.get("region"), Some("r"));
    assert_eq!(ok.get("key"), Some("v"));
}

#[test]
fn profile_default_beats_default_in_config() {
    let set = parse(
        "[default]\nregion = a\nonly_plain = 1\n[profile default]\nregion = b\n",
        "",
        "default",
    );
    let p = set.selected().unwrap();
    assert_eq!(p.get("region"), Some("b"));
    assert_eq!(p.get("only_plain"), None);
    // Without `[profile default]`, `[default]` counts.
    let set = parse("[default]\nregion = a\n", "", "default");
    assert_eq!(set.selected().unwrap().get("region"), Some("a"));
}

#[test]
fn credentials_file_wins_per_key_and_sections_merge() {
    let config = "[default]\nregion = a\naws_access_key_id = FROM_CONFIG\n[default]\nregion = c\n";
    let credentials = "[default]\naws_access_key_id = FROM_CREDENTIALS\n";
    let set = parse(config, credentials, "default");
    let p = set.selected().unwrap();
    assert_eq!(p.get("region"), Some("c"));
    assert_eq!(p.get("aws_access_key_id"), Some("FROM_CREDENTIALS"));
}

#[test]
fn syntax_errors_name_file_and_line() {
    let err = parse_err("region = x\n");
    assert_eq!(err.line(), Some(1));
    assert!(
        err.to_string().contains("before any section header"),
        "{err}"
    );

    let err = parse_err("[default]\n\n[profile x\n");
    assert_eq!(err.line(), Some(3));
    assert_eq!(
        err.to_string(),
        "<config> line 3: a section header must end with `]`"
    );

    let err = parse_err("[default] trailing\n");
    assert!(err.to_string().contains("after the `]`"), "{err}");

    let err = parse_err("[ ]\n");
    assert!(err.to_string().contains("empty section name"), "{err}");

    let err = parse_err("[default]\n= value\n");
    assert_eq!(err.line(), Some(2));

    // An indented line with no property above it is read as an ordinary line.
    let err = parse_err("[default]\n   not a property\n");
    assert_eq!(err.line(), Some(2));
    // The offending line's text is never echoed (it may be a secret).
    let err = parse_err("[default]\naws_secret_access_key SECRETVALUE\n");
    assert!(!err.to_string().contains("SECRETVALUE"), "{err}");

    let err = ProfileSet::parse("", "[ok]\nbad line\n", "ok").unwrap_err();
    assert_eq!(err.path(), Path::new("<credentials>"));
    assert_eq!(err.line(), Some(2));
}

#[test]
fn debug_hides_values() {
    let set = parse(
        "",
        "[default]\naws_secret_access_key = SECRETVALUE\n",
        "default",
    );
    let text = format!("{set:?}");
    assert!(!text.contains("SECRETVALUE"), "{text}");
    assert!(text.contains("aws_secret_access_key"), "{text}");
}

#[test]
fn load_from_files() {
    let dir = TempDir::new();
    let config = dir.write("config", "[profile dev]\nregion = us-east-1\n");
    let credentials = dir.write("creds", "[dev]\naws_access_key_id = AKID\n");
    let env = Env::from_vars([
        ("AWS_CONFIG_FILE", config.to_str().unwrap()),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
        ("AWS_PROFILE", "dev"),
    ]);
    let set = ProfileSet::load(&env).unwrap();
    assert_eq!(set.profile_name(), "dev");
    assert!(set.profile_name_is_explicit());
    let dev = set.selected().unwrap();
    assert_eq!(dev.get("region"), Some("us-east-1"));
    assert_eq!(dev.get("aws_access_key_id"), Some("AKID"));
    assert_eq!(set.config_file(), Some(config.as_path()));
    assert_eq!(set.credentials_file(), Some(credentials.as_path()));
}

#[test]
fn load_defaults_to_home_and_missing_files_are_empty() {
    let dir = TempDir::new();
    let env = Env::from_vars([("HOME", dir.path().to_str().unwrap())]);
    let set = ProfileSet::load(&env).unwrap();
    assert_eq!(set.profile_name(), "default");
    assert!(!set.profile_name_is_explicit());
    assert!(set.selected().is_none());
    assert_eq!(
        set.config_file(),
        Some(dir.path().join(".aws/config").as_path())
    );
    assert!(!set.any_file_found());
    assert_eq!(
        set.describe_files(),
        format!(
            "{} and {}",
            dir.path().join(".aws/credentials").display(),
            dir.path().join(".aws/config").display()
        )
    );

    dir.write(".aws/config", "[default]\nregion = eu-west-1\n");
    let set = ProfileSet::load(&env).unwrap();
    assert!(set.any_file_found());
    assert_eq!(set.selected().unwrap().get("region"), Some("eu-west-1"));

    // `~` in the variables is the home directory.
    dir.write("elsewhere", "[default]\nregion = sa-east-1\n");
    let env = Env::from_vars([
        ("HOME", dir.path().to_str().unwrap()),
        ("AWS_CONFIG_FILE", "~/elsewhere"),
    ]);
    let set = ProfileSet::load(&env).unwrap();
    assert_eq!(set.selected().unwrap().get("region"), Some("sa-east-1"));

    // No home directory and no overrides: nothing to read, no error.
    let set = ProfileSet::load(&Env::from_vars([("X", "y")])).unwrap();
    assert!(set.selected().is_none());
    assert_eq!(set.config_file(), None);
    assert!(set.describe_files().contains("home directory unknown"));
}

#[test]
fn unreadable_and_non_utf8_files_are_errors() {
    let dir = TempDir::new();
    let env = Env::from_vars([("AWS_CONFIG_FILE", dir.path().to_str().unwrap())]);
    let err = ProfileSet::load(&env).unwrap_err();
    assert_eq!(err.path(), dir.path());
    assert!(err.to_string().contains("cannot read the file"), "{err}");

    let bad = dir.path().join("bad");
    std::fs::write(&bad, b"[default]\nregion = \xff\n").unwrap();
    let env = Env::from_vars([("AWS_SHARED_CREDENTIALS_FILE", bad.to_str().unwrap())]);
    let err = ProfileSet::load(&env).unwrap_err();
    assert_eq!(err.line(), Some(2));
    assert!(err.to_string().contains("not valid UTF-8"), "{err}");
    assert!(err.to_string().starts_with(bad.to_str().unwrap()), "{err}");

    let malformed = dir.write("malformed", "[default]\nregion\n");
    let env = Env::from_vars([("AWS_CONFIG_FILE", malformed.to_str().unwrap())]);
    let err = ProfileSet::load(&env).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} line 2: expected `key = value`, a `[section]` header, a comment, \
                 or an indented continuation line",
            malformed.display()
        )
    );
}

#[test]
fn crlf_and_bom() {
    let set = parse("\u{feff}[default]\r\nregion = x\r\n", "", "default");
    assert_eq!(set.selected().unwrap().get("region"), Some("x"));
}
