//! The reference interpreter of endpoint rules.
//!
//! - Every case of the official Lambda model's `smithy.rules#endpointTests`, run against its
//!   `smithy.rules#endpointRuleSet` (`../../shared/models/lambda.smithy.json`).
//! - Unit tests of the functions and rule-set features that are easy to get wrong.
//!
//! The shared model lives outside the repository. When it is missing the test that needs it
//! says why and passes, except under `CI=true`, where it fails.

#![forbid(unsafe_code)]

use std::collections::BTreeMap;

use endpoint_rules_oracle::{ParamType, ParamValue, Params, RuleSet};
use lambda_sdk_runtime::endpoint_rules::{RulesError, RulesErrorKind};
use serde_json::{Value, json};

/// Reads `../../../shared/models/<name>` (relative to this crate). `None`, after saying why,
/// when it is absent; a panic instead under `CI=true`.
fn shared_json(name: &str) -> Option<Value> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/models")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display())),
        ),
        Err(e) => {
            let why = format!("cannot read {}: {e}", path.display());
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{why} (required when CI=true)");
            }
            eprintln!("skipping: {why}");
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared model files
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Lambda's endpoint tests
// ---------------------------------------------------------------------------------------------

/// The service shape's traits in a Smithy JSON AST model.
fn service_traits(model: &Value) -> &Value {
    let shapes = model["shapes"]
        .as_object()
        .expect("the model has no `shapes` object");
    let services: Vec<&Value> = shapes
        .values()
        .filter(|shape| shape["type"] == "service")
        .collect();
    assert_eq!(services.len(), 1, "expected exactly one service shape");
    &services[0]["traits"]
}

#[test]
fn lambda_model_endpoint_tests_all_pass() {
    let Some(model) = shared_json("lambda.smithy.json") else {
        return;
    };
    let traits = service_traits(&model);
    let rules = RuleSet::from_value(&traits["smithy.rules#endpointRuleSet"])
        .unwrap_or_else(|e| panic!("Lambda's rule set does not parse: {e}"));
    let cases = traits["smithy.rules#endpointTests"]["testCases"]
        .as_array()
        .expect("no smithy.rules#endpointTests testCases");

    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        if let Err(why) = run_endpoint_test(&rules, case) {
            let doc = case["documentation"].as_str().unwrap_or("(undocumented)");
            failures.push(format!("  case {i} \"{doc}\": {why}"));
        }
    }
    eprintln!(
        "Lambda endpoint tests: {}/{} passed",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} Lambda endpoint test cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(
        cases.len(),
        71,
        "the Lambda model's endpoint test count changed"
    );
}

/// One `endpointTests` case: its `params` must resolve to its `expect`ed endpoint (URL, and
/// headers and properties when given) or error message.
fn run_endpoint_test(rules: &RuleSet, case: &Value) -> Result<(), String> {
    let params = match case.get("params") {
        Some(params) => Params::from_json(params).map_err(|e| format!("bad params: {e}"))?,
        None => Params::new(),
    };
    let expect = &case["expect"];
    let result = rules.resolve(&params);
    if let Some(expected) = expect.get("error") {
        let expected = expected.as_str().ok_or("expect.error is not a string")?;
        return match result {
            Ok(endpoint) => Err(format!(
                "expected the error {expected:?}, resolved {:?}",
                endpoint.url()
            )),
            Err(e) if e.kind() == RulesErrorKind::Rule && e.to_string() == expected => Ok(()),
            Err(e) => Err(format!(
                "expected the error {expected:?}, got {:?} error {:?}",
                e.kind(),
                e.to_string()
            )),
        };
    }
    let expected = expect
        .get("endpoint")
        .ok_or("expect has neither `error` nor `endpoint`")?;
    let endpoint = result.map_err(|e| format!("expected an endpoint, got the error {e:?}"))?;
    let url = expected["url"]
        .as_str()
        .ok_or("expect.endpoint.url is missing")?;
    if endpoint.url() != url {
        return Err(format!(
            "expected the URL {url:?}, got {:?}",
            endpoint.url()
        ));
    }
    if let Some(headers) = expected.get("headers") {
        let headers: BTreeMap<String, Vec<String>> = serde_json::from_value(headers.clone())
            .map_err(|e| format!("expect.endpoint.headers: {e}"))?;
        if *endpoint.headers() != headers {
            return Err(format!(
                "expected the headers {headers:?}, got {:?}",
                endpoint.headers()
            ));
        }
    }
    if let Some(properties) = expected.get("properties")
        && endpoint.properties() != properties
    {
        return Err(format!(
            "expected the properties {properties}, got {}",
            endpoint.properties()
        ));
    }
    Ok(())
}

#[test]
fn lambda_rule_set_parameters_and_built_ins() {
    let Some(model) = shared_json("lambda.smithy.json") else {
        return;
    };
    let rules = RuleSet::from_value(&service_traits(&model)["smithy.rules#endpointRuleSet"])
        .expect("Lambda's rule set parses");
    let region = rules
        .parameter_for_built_in("AWS::Region")
        .expect("AWS::Region");
    assert_eq!(region.name(), "Region");
    assert_eq!(region.param_type(), ParamType::String);
    assert!(!region.is_required());
    let fips = rules
        .parameter_for_built_in("AWS::UseFIPS")
        .expect("AWS::UseFIPS");
    assert_eq!(fips.name(), "UseFIPS");
    assert_eq!(fips.default(), Some(&ParamValue::Bool(false)));
    assert!(fips.is_required());
    assert_eq!(
        rules
            .parameter_for_built_in("SDK::Endpoint")
            .map(|p| p.name()),
        Some("Endpoint")
    );
    // Region lists and patterns both reach the rule set through `aws.partition`.
    let resolve = |region: &str| {
        rules
            .resolve(&Params::new().with_str("Region", region))
            .map(|e| e.url().to_string())
    };
    assert_eq!(
        resolve("us-gov-west-1").as_deref(),
        Ok("https://lambda.us-gov-west-1.amazonaws.com")
    );
    assert_eq!(
        resolve("eusc-de-east-1").as_deref(),
        Ok("https://lambda.eusc-de-east-1.amazonaws.eu")
    );
    assert_eq!(
        resolve("us-isof-south-1").as_deref(),
        Ok("https://lambda.us-isof-south-1.csp.hci.ic.gov")
    );
}

// ---------------------------------------------------------------------------------------------
// Engine unit tests
// ---------------------------------------------------------------------------------------------

/// The parameters most tests use: `Input` (string) and `Flag` (boolean, default false).
fn standard_params() -> Value {
    json!({
        "Input": {"type": "string", "required": false, "documentation": "input"},
        "Flag": {"type": "boolean", "required": true, "default": false, "documentation": "flag"}
    })
}

fn rule_set(parameters: Value, rules: Value) -> RuleSet {
    let json = json!({"version": "1.0", "parameters": parameters, "rules": rules});
    RuleSet::from_value(&json).unwrap_or_else(|e| panic!("rule set does not parse: {e}"))
}

fn parse_error(parameters: Value, rules: Value) -> RulesError {
    let json = json!({"version": "1.0", "parameters": parameters, "rules": rules});
    match RuleSet::from_value(&json) {
        Ok(_) => panic!("expected a parse error for {json}"),
        Err(e) => {
            assert_eq!(e.kind(), RulesErrorKind::InvalidRuleSet, "{e}");
            e
        }
    }
}

/// Runs `condition` (which should `assign` to `out`) on `Input = input`: the rendering of
/// `url` when it holds, `None` when it does not.
fn eval(condition: Value, url: &str, input: &str) -> Option<String> {
    let rules = rule_set(
        standard_params(),
        json!([
            {"type": "endpoint", "conditions": [condition], "endpoint": {"url": url}},
            {"type": "error", "conditions": [], "error": "condition failed"}
        ]),
    );
    match rules.resolve(&Params::new().with_str("Input", input)) {
        Ok(endpoint) => Some(endpoint.url().to_string()),
        Err(e) if e.to_string() == "condition failed" => None,
        Err(e) => panic!("unexpected error for {input:?}: {e}"),
    }
}

/// `parseURL(input)` as `kind|scheme|authority|path|normalizedPath`, kind `ip` or `name`.
fn parse_url(input: &str) -> Option<String> {
    let parse = json!({"fn": "parseURL", "argv": [{"ref": "Input"}], "assign": "u"});
    let is_ip = json!({"fn": "booleanEquals", "argv": [
        {"fn": "getAttr", "argv": [{"ref": "u"}, "isIp"]}, true]});
    let parts = "{u#scheme}|{u#authority}|{u#path}|{u#normalizedPath}";
    let rules = rule_set(
        standard_params(),
        json!([
            {"type": "endpoint", "conditions": [parse, is_ip], "endpoint": {"url": format!("ip|{parts}")}},
            {"type": "endpoint", "conditions": [parse], "endpoint": {"url": format!("name|{parts}")}},
            {"type": "error", "conditions": [], "error": "invalid"}
        ]),
    );
    match rules.resolve(&Params::new().with_str("Input", input)) {
        Ok(endpoint) => Some(endpoint.url().to_string()),
        Err(e) if e.to_string() == "invalid" => None,
        Err(e) => panic!("unexpected error for {input:?}: {e}"),
    }
}

#[test]
fn parse_url_components() {
    let cases = [
        ("https://example.com", Some("name|https|example.com||/")),
        ("https://example.com/", Some("name|https|example.com|/|/")),
        (
            "http://example.com:80/foo/bar",
            Some("name|http|example.com:80|/foo/bar|/foo/bar/"),
        ),
        (
            "https://example.com:8443/a/b/",
            Some("name|https|example.com:8443|/a/b/|/a/b/"),
        ),
        (
            "HTTPS://Example.com/x",
            Some("name|https|Example.com|/x|/x/"),
        ),
        (
            "https://user:secret@example.com/p",
            Some("name|https|example.com|/p|/p/"),
        ),
        ("http://99_ab-.com", Some("name|http|99_ab-.com||/")),
        (
            "https://999.999.abc.blah",
            Some("name|https|999.999.abc.blah||/"),
        ),
        // IPv4 and IPv6 hosts.
        ("https://127.0.0.1", Some("ip|https|127.0.0.1||/")),
        (
            "http://192.168.1.1:1234/foo/",
            Some("ip|http|192.168.1.1:1234|/foo/|/foo/"),
        ),
        ("https://[fe80::1]", Some("ip|https|[fe80::1]||/")),
        (
            "https://[2001:db8:85a3:8d3:1319:8a2e:370:7348]:443",
            Some("ip|https|[2001:db8:85a3:8d3:1319:8a2e:370:7348]:443||/"),
        ),
        (
            "https://999.999.999.999",
            Some("name|https|999.999.999.999||/"),
        ),
        // Rejected.
        ("https://example.com:8443?foo=bar&faz=baz", None),
        ("https://example.com/path?query1=foo", None),
        ("https://example.com/#frag", None),
        ("acbd://example.com", None),
        ("example.com", None),
        ("http://abc.com:a/foo", None),
        ("http://abc.com:/foo", None),
        ("http://abc.com:70000", None),
        ("https://", None),
        ("https:///path", None),
        ("https://[not-an-ip]/", None),
        ("https://[::1", None),
        ("https://exa mple.com", None),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_url(input).as_deref(), expected, "parseURL({input:?})");
    }
}

fn host_label(input: &str, allow_sub_domains: bool, function: &str) -> bool {
    eval(
        json!({"fn": function, "argv": [{"ref": "Input"}, allow_sub_domains]}),
        "yes",
        input,
    )
    .is_some()
}

#[test]
fn is_valid_host_label() {
    let cases = [
        ("us-east-1", false, true),
        ("3aws4", false, true),
        ("a", false, true),
        (&"a".repeat(63), false, true),
        (&"a".repeat(64), false, false),
        ("part1.part2", false, false),
        ("part1.part2", true, true),
        ("part1 part2", true, false),
        ("", false, false),
        ("", true, false),
        ("part1.", true, false),
        (".part1", true, false),
        ("part1..part2", true, false),
        ("part1.-part2", true, false),
        ("-abc", false, false),
        ("ab_c", false, false),
        ("a\u{e9}", false, false),
    ];
    for (input, allow, expected) in cases {
        assert_eq!(
            host_label(input, allow, "isValidHostLabel"),
            expected,
            "isValidHostLabel({input:?}, {allow})"
        );
    }
}

#[test]
fn is_virtual_hostable_s3_bucket() {
    let cases = [
        ("ab", false, false),
        ("abc", false, true),
        (&"a".repeat(63), false, true),
        (&"a".repeat(64), false, false),
        ("-abc", false, false),
        ("abc-", false, false),
        (".abc", true, false),
        ("abc.", true, false),
        ("a-b-c", false, true),
        ("a.b-c", false, false),
        ("a.b-c", true, true),
        ("a..b", true, false),
        ("a-.b", true, false),
        ("a.-b", true, false),
        ("192.168.1.1", true, false),
        ("999.999.999.999", true, false),
        ("192.168.1.word", true, true),
        ("123", true, true),
        ("abc_def", true, false),
        ("abcDef", true, false),
        ("abc#def", true, false),
    ];
    for (input, allow, expected) in cases {
        assert_eq!(
            host_label(input, allow, "aws.isVirtualHostableS3Bucket"),
            expected,
            "aws.isVirtualHostableS3Bucket({input:?}, {allow})"
        );
    }
}

fn substring(input: &str, start: i64, stop: i64, reverse: bool) -> Option<String> {
    eval(
        json!({"fn": "substring", "argv": [{"ref": "Input"}, start, stop, reverse], "assign": "out"}),
        "{out}",
        input,
    )
}

#[test]
fn substring_forward_and_reverse() {
    assert_eq!(substring("abcdefg", 0, 4, false).as_deref(), Some("abcd"));
    assert_eq!(substring("abcd", 0, 4, false).as_deref(), Some("abcd"));
    assert_eq!(substring("abc", 0, 4, false), None);
    assert_eq!(substring("", 0, 4, false), None);
    assert_eq!(substring("defg", 1, 3, false).as_deref(), Some("ef"));
    // Reverse counts from the end: [len - stop, len - start).
    assert_eq!(substring("abcdefg", 0, 4, true).as_deref(), Some("defg"));
    assert_eq!(substring("abcdefg", 1, 3, true).as_deref(), Some("ef"));
    assert_eq!(substring("defg", 0, 4, true).as_deref(), Some("defg"));
    assert_eq!(substring("abc", 0, 4, true), None);
    // Empty or inverted ranges, and non-ASCII input, give nothing.
    assert_eq!(substring("abcdef", 2, 2, false), None);
    assert_eq!(substring("abcdef", 3, 1, false), None);
    assert_eq!(substring("\u{fdfd}", 0, 1, false), None);
    assert_eq!(substring("abcdef\u{80}", 0, 4, false), None);
    assert_eq!(substring("abcdef\u{1f431}", 0, 4, true), None);
    assert_eq!(
        substring("\u{7f}abcdef", 0, 4, false).as_deref(),
        Some("\u{7f}abc")
    );
}

#[test]
fn uri_encode() {
    let encode = |input: &str| {
        eval(
            json!({"fn": "uriEncode", "argv": [{"ref": "Input"}], "assign": "out"}),
            "{out}",
            input,
        )
        .unwrap()
    };
    assert_eq!(encode("abcdefg"), "abcdefg");
    assert_eq!(encode("abc:defg"), "abc%3Adefg");
    assert_eq!(encode(""), "");
    assert_eq!(
        encode("0123456789.underscore_dash-Tilda~ABC"),
        "0123456789.underscore_dash-Tilda~ABC"
    );
    assert_eq!(
        encode("/:,?#[]{}|@! $&'()*+;=%<>\"^`\\"),
        "%2F%3A%2C%3F%23%5B%5D%7B%7D%7C%40%21%20%24%26%27%28%29%2A%2B%3B%3D%25%3C%3E%22%5E%60%5C"
    );
    assert_eq!(encode("\u{1f639}"), "%F0%9F%98%B9");
    assert_eq!(encode("caf\u{e9}"), "caf%C3%A9");
}

/// `aws.parseArn(input)` as `partition|service|region|accountId|first|last|count-ish`.
fn parse_arn(input: &str) -> Option<String> {
    eval(
        json!({"fn": "aws.parseArn", "argv": [{"ref": "Input"}], "assign": "arn"}),
        "{arn#partition}|{arn#service}|{arn#region}|{arn#accountId}|{arn#resourceId[0]}|{arn#resourceId[-1]}",
        input,
    )
}

#[test]
fn aws_parse_arn() {
    let cases = [
        (
            "arn:aws:sns:us-west-2:012345678910:example-sns-topic-name",
            Some("aws|sns|us-west-2|012345678910|example-sns-topic-name|example-sns-topic-name"),
        ),
        (
            "arn:aws:ec2:us-east-1:012345678910:vpc/vpc-0e9801d129EXAMPLE",
            Some("aws|ec2|us-east-1|012345678910|vpc|vpc-0e9801d129EXAMPLE"),
        ),
        (
            "arn:aws:iam::012345678910:user/johndoe",
            Some("aws|iam||012345678910|user|johndoe"),
        ),
        (
            "arn:aws:s3:::bucket_name",
            Some("aws|s3|||bucket_name|bucket_name"),
        ),
        (
            "arn:aws:s3:us-east-1:123456789012:resource-id/resource-1:resource-2",
            Some("aws|s3|us-east-1|123456789012|resource-id|resource-2"),
        ),
        (
            "arn:aws:s3:us-east-2:012345678:outpost:",
            Some("aws|s3|us-east-2|012345678|outpost|"),
        ),
        (
            "arn:aws:s3:us-east-1:abcd:res",
            Some("aws|s3|us-east-1|abcd|res|res"),
        ),
        // Not ARNs.
        ("11111111-2222-3333-4444-555555555555", None),
        ("arn:aws:s3:us-west-2:123456789012:", None),
        ("arn:aws::us-west-2:123456789012:resource-id", None),
        ("arn::s3:us-west-2:123456789012:resource-id", None),
        ("arn:aws:s3:us-west-2", None),
        ("nra:aws:s3:us-west-2:123456789012:x", None),
    ];
    for (input, expected) in cases {
        assert_eq!(
            parse_arn(input).as_deref(),
            expected,
            "aws.parseArn({input:?})"
        );
    }
}

#[test]
fn get_attr_paths() {
    let arn = "arn:aws:s3:us-east-2:012345678:outpost:op-1234:extra";
    let get = |path: &str| {
        let rules = rule_set(
            standard_params(),
            json!([
                {
                    "type": "endpoint",
                    "conditions": [
                        {"fn": "aws.parseArn", "argv": [{"ref": "Input"}], "assign": "arn"},
                        {"fn": "getAttr", "argv": [{"ref": "arn"}, path], "assign": "out"}
                    ],
                    "endpoint": {"url": "{out}"}
                },
                {"type": "error", "conditions": [], "error": "none"}
            ]),
        );
        match rules.resolve(&Params::new().with_str("Input", arn)) {
            Ok(endpoint) => Some(endpoint.url().to_string()),
            Err(e) if e.to_string() == "none" => None,
            Err(e) => panic!("getAttr(arn, {path:?}): {e}"),
        }
    };
    assert_eq!(get("service").as_deref(), Some("s3"));
    assert_eq!(get("resourceId[0]").as_deref(), Some("outpost"));
    assert_eq!(get("resourceId[1]").as_deref(), Some("op-1234"));
    assert_eq!(get("resourceId[-1]").as_deref(), Some("extra"));
    assert_eq!(get("resourceId[-3]").as_deref(), Some("outpost"));
    // Missing keys, indexes past either end, and steps into a string give nothing.
    assert_eq!(get("resourceId[3]"), None);
    assert_eq!(get("resourceId[-4]"), None);
    assert_eq!(get("nope"), None);
    assert_eq!(get("service.name"), None);
    assert_eq!(get("service[0]"), None);

    // Nested arrays: `[1][0]`, and a key then an index through a record.
    let rules = rule_set(
        standard_params(),
        json!([{
            "type": "endpoint",
            "conditions": [
                {"fn": "getAttr", "argv": [[["a", "b"], ["{Input}"]], "[1][0]"], "assign": "x"},
                {"fn": "parseURL", "argv": ["https://h/p"], "assign": "u"},
                {"fn": "getAttr", "argv": [{"ref": "u"}, "normalizedPath"], "assign": "y"}
            ],
            "endpoint": {"url": "{x}{y}"}
        }]),
    );
    let endpoint = rules
        .resolve(&Params::new().with_str("Input", "zz"))
        .unwrap();
    assert_eq!(endpoint.url(), "zz/p/");

    // Malformed paths are parse errors.
    for path in ["", "a..b", "a[x]", "a[0", "a]"] {
        let e = parse_error(
            standard_params(),
            json!([{
                "type": "endpoint",
                "conditions": [
                    {"fn": "aws.parseArn", "argv": [{"ref": "Input"}], "assign": "arn"},
                    {"fn": "getAttr", "argv": [{"ref": "arn"}, path]}
                ],
                "endpoint": {"url": "https://x"}
            }]),
        );
        assert!(e.to_string().contains("argv[1]"), "{path:?}: {e}");
    }
}

#[test]
fn templates_interpolate_variables_paths_and_escaped_braces() {
    let rules = rule_set(
        json!({"Region": {"type": "string", "required": true}}),
        json!([{
            "type": "endpoint",
            "conditions": [
                {"fn": "aws.partition", "argv": ["{Region}"], "assign": "PartitionResult"}
            ],
            "endpoint": {
                "url": "https://svc.{Region}.{PartitionResult#dnsSuffix}/{{literal}}/}}",
                "headers": {"x-region": ["{Region}", "{PartitionResult#name}-{Region}"]},
                "properties": {
                    "authSchemes": [{
                        "name": "sigv4",
                        "signingRegion": "{Region}",
                        "disableDoubleEncoding": true,
                        "weight": 1.5
                    }],
                    "note": "{{not a placeholder}}"
                }
            }
        }]),
    );
    let endpoint = rules
        .resolve(&Params::new().with_str("Region", "cn-northwest-1"))
        .unwrap();
    assert_eq!(
        endpoint.url(),
        "https://svc.cn-northwest-1.amazonaws.com.cn/{literal}/}"
    );
    assert_eq!(
        endpoint.headers()["x-region"],
        vec![
            "cn-northwest-1".to_string(),
            "aws-cn-cn-northwest-1".to_string()
        ]
    );
    assert_eq!(
        *endpoint.properties(),
        json!({
            "authSchemes": [{
                "name": "sigv4",
                "signingRegion": "cn-northwest-1",
                "disableDoubleEncoding": true,
                "weight": 1.5
            }],
            "note": "{not a placeholder}"
        })
    );

    // Malformed templates and unknown names are parse errors.
    for (url, needle) in [
        ("https://{Region", "unclosed `{`"),
        ("https://x}", "unmatched `}`"),
        (
            "https://{}",
            "does not start with a parameter or variable name",
        ),
        (
            "https://{Nope}",
            "`Nope` is neither a parameter nor a variable",
        ),
        ("https://{Region#}", "empty path"),
    ] {
        let e = parse_error(
            json!({"Region": {"type": "string", "required": true}}),
            json!([{"type": "endpoint", "conditions": [], "endpoint": {"url": url}}]),
        );
        assert!(e.to_string().contains(needle), "{url:?}: {e}");
        assert!(
            e.to_string().contains("rules[0].endpoint.url"),
            "{url:?}: {e}"
        );
    }
}

#[test]
fn error_rules_yield_their_message_exactly() {
    let rules = rule_set(
        standard_params(),
        json!([
            {
                "type": "error",
                "conditions": [{"fn": "isSet", "argv": [{"ref": "Input"}]}],
                "error": "Invalid input: `{Input}`"
            },
            {"type": "error", "conditions": [], "error": "Input is required"}
        ]),
    );
    let e = rules
        .resolve(&Params::new().with_str("Input", "x y"))
        .unwrap_err();
    assert_eq!(e.kind(), RulesErrorKind::Rule);
    assert_eq!(e.to_string(), "Invalid input: `x y`");
    let e = rules.resolve(&Params::new()).unwrap_err();
    assert_eq!(e.to_string(), "Input is required");
}

#[test]
fn unknown_functions_and_rule_types_are_parse_errors() {
    let e = parse_error(
        standard_params(),
        json!([{
            "type": "endpoint",
            "conditions": [{"fn": "aws.frobnicate", "argv": [{"ref": "Input"}]}],
            "endpoint": {"url": "https://x"}
        }]),
    );
    assert!(
        e.to_string().contains("unknown function `aws.frobnicate`"),
        "{e}"
    );
    assert!(e.to_string().contains("rules[0].conditions[0]"), "{e}");

    let e = parse_error(
        standard_params(),
        json!([{"type": "redirect", "conditions": [], "url": "https://x"}]),
    );
    assert!(
        e.to_string().contains("unknown rule type `redirect`"),
        "{e}"
    );

    // Nested deep inside a tree, in a function argument.
    let e = parse_error(
        standard_params(),
        json!([{
            "type": "tree",
            "conditions": [],
            "rules": [{
                "type": "error",
                "conditions": [{"fn": "not", "argv": [{"fn": "isNull", "argv": [{"ref": "Input"}]}]}],
                "error": "x"
            }, {"type": "error", "conditions": [], "error": "y"}]
        }]),
    );
    assert!(e.to_string().contains("unknown function `isNull`"), "{e}");
    assert!(
        e.to_string()
            .contains("rules[0].rules[0].conditions[0].argv[0]"),
        "{e}"
    );
}

#[test]
fn other_malformed_rule_sets_are_parse_errors() {
    let endpoint = |conditions: Value| json!([{"type": "endpoint", "conditions": conditions, "endpoint": {"url": "https://x"}}]);
    let cases = [
        // Arity and literal types.
        (
            endpoint(json!([{"fn": "not", "argv": [true, false]}])),
            "takes 1 argument",
        ),
        (
            endpoint(json!([{"fn": "booleanEquals", "argv": [{"ref": "Input"}, true]}])),
            "expects a boolean",
        ),
        (
            endpoint(json!([{"fn": "substring", "argv": [{"ref": "Input"}, 0, 1.5, false]}])),
            "not an integer",
        ),
        (
            endpoint(json!([{"fn": "coalesce", "argv": [{"ref": "Input"}]}])),
            "at least 2",
        ),
        (
            endpoint(json!([{"fn": "getAttr", "argv": [{"ref": "Input"}, "a"]}])),
            "needs a record or an array",
        ),
        // Scope: an assign may not shadow, and variables end with their rule.
        (
            endpoint(json!([{"fn": "parseURL", "argv": ["https://x"], "assign": "Input"}])),
            "already a parameter or variable in scope",
        ),
        (
            json!([
                {"type": "endpoint", "conditions": [{"fn": "parseURL", "argv": ["https://x"], "assign": "u"}], "endpoint": {"url": "https://x"}},
                {"type": "endpoint", "conditions": [], "endpoint": {"url": "{u#scheme}://x"}}
            ]),
            "`u` is neither a parameter nor a variable",
        ),
        // Shapes.
        (json!([]), "at least one rule"),
        (
            json!([{"type": "tree", "conditions": [], "rules": []}]),
            "at least one rule",
        ),
        (
            json!([{"type": "endpoint", "conditions": []}]),
            "needs `endpoint`",
        ),
        (
            json!([{"type": "error", "conditions": [{"ref": "Flag"}], "error": "x"}]),
            "function object",
        ),
        (
            json!([{"type": "error", "conditions": [], "error": true}]),
            "expected a string",
        ),
        (endpoint(json!([{"fn": "isSet", "argv": [null]}])), "null"),
        (
            endpoint(json!([{"fn": "isSet", "argv": [{"value": 1}]}])),
            "`ref`",
        ),
    ];
    for (rules, needle) in cases {
        let e = parse_error(standard_params(), rules.clone());
        assert!(e.to_string().contains(needle), "{rules}: {e}");
    }

    // Parameters and the document itself.
    let e = parse_error(json!({"X": {"type": "integer"}}), endpoint(json!([])));
    assert!(
        e.to_string().contains("unknown parameter type `integer`"),
        "{e}"
    );
    let e = parse_error(
        json!({"X": {"type": "boolean", "required": true, "default": "no"}}),
        endpoint(json!([])),
    );
    assert!(e.to_string().contains("parameters.X.default"), "{e}");
    let e = parse_error(
        json!({"Region": {"type": "string"}, "region": {"type": "string"}}),
        endpoint(json!([])),
    );
    assert!(e.to_string().contains("unique ignoring case"), "{e}");
    let e = RuleSet::from_json("{\"version\": \"2.0\", \"parameters\": {}, \"rules\": []}")
        .unwrap_err();
    assert!(
        e.to_string().contains("unsupported rule set version `2.0`"),
        "{e}"
    );
    let e = RuleSet::from_json("{").unwrap_err();
    assert_eq!(e.kind(), RulesErrorKind::InvalidRuleSet);
    assert!(e.to_string().contains("not valid JSON"), "{e}");
}

#[test]
fn parameters_defaults_required_and_types() {
    let rules = rule_set(
        json!({
            "Bucket": {"type": "string", "required": true, "documentation": "bucket"},
            "UseFIPS": {"type": "Boolean", "required": true, "default": false, "builtIn": "AWS::UseFIPS"},
            "Names": {"type": "stringArray", "required": false, "default": ["a", "b"]}
        }),
        json!([
            {
                "type": "endpoint",
                "conditions": [
                    {"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, true]},
                    {"fn": "getAttr", "argv": [{"ref": "Names"}, "[0]"], "assign": "first"}
                ],
                "endpoint": {"url": "https://{Bucket}.fips.{first}"}
            },
            {
                "type": "endpoint",
                "conditions": [{"fn": "getAttr", "argv": [{"ref": "Names"}, "[-1]"], "assign": "last"}],
                "endpoint": {"url": "https://{Bucket}.{last}"}
            }
        ]),
    );
    // Defaults apply: UseFIPS false, Names ["a", "b"].
    let endpoint = rules
        .resolve(&Params::new().with_str("Bucket", "b1"))
        .unwrap();
    assert_eq!(endpoint.url(), "https://b1.b");
    assert_eq!(*endpoint.properties(), json!({}));
    assert!(endpoint.headers().is_empty());
    let params = Params::new()
        .with_str("Bucket", "b1")
        .with_bool("UseFIPS", true)
        .with_str_array("Names", ["x", "y"]);
    assert_eq!(rules.resolve(&params).unwrap().url(), "https://b1.fips.x");

    // A missing required parameter is an error naming it.
    let e = rules
        .resolve(&Params::new().with_bool("UseFIPS", true))
        .unwrap_err();
    assert_eq!(e.kind(), RulesErrorKind::InvalidParams);
    assert!(e.to_string().contains("`Bucket`"), "{e}");
    // So is an undeclared parameter, and a value of the wrong type.
    let e = rules
        .resolve(
            &Params::new()
                .with_str("Bucket", "b")
                .with_str("Bukket", "b"),
        )
        .unwrap_err();
    assert_eq!(e.kind(), RulesErrorKind::InvalidParams);
    assert!(
        e.to_string()
            .contains("unknown endpoint parameter `Bukket`"),
        "{e}"
    );
    let e = rules
        .resolve(
            &Params::new()
                .with_str("Bucket", "b")
                .with_str("UseFIPS", "true"),
        )
        .unwrap_err();
    assert!(e.to_string().contains("`UseFIPS` must be a boolean"), "{e}");

    // Metadata.
    let fips = rules.parameter_for_built_in("AWS::UseFIPS").unwrap();
    assert_eq!(fips.name(), "UseFIPS");
    assert_eq!(fips.param_type(), ParamType::Boolean);
    assert_eq!(
        rules.parameter("Names").and_then(|p| p.default()),
        Some(&ParamValue::StringArray(vec!["a".into(), "b".into()]))
    );
    assert_eq!(
        rules.parameter("Bucket").and_then(|p| p.documentation()),
        Some("bucket")
    );
    assert_eq!(rules.version(), "1.0");
    assert_eq!(rules.parameters().len(), 3);

    // Params from JSON (the shape of endpointTests params); null means unset.
    let params =
        Params::from_json(&json!({"Bucket": "b", "UseFIPS": null, "Names": ["q"]})).unwrap();
    assert_eq!(params.get("UseFIPS"), None);
    assert_eq!(rules.resolve(&params).unwrap().url(), "https://b.q");
    assert!(Params::from_json(&json!({"Bucket": 3})).is_err());
    assert!(Params::from_json(&json!([])).is_err());
}

#[test]
fn tree_rules_are_terminal_and_no_match_is_an_error() {
    let rules = rule_set(
        standard_params(),
        json!([
            {
                "type": "tree",
                "conditions": [{"fn": "isSet", "argv": [{"ref": "Input"}]}],
                "rules": [{
                    "type": "endpoint",
                    "conditions": [{"fn": "stringEquals", "argv": [{"ref": "Input"}, "a"]}],
                    "endpoint": {"url": "https://a"}
                }]
            },
            {
                "type": "endpoint",
                "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "Flag"}, true]}],
                "endpoint": {"url": "https://flag"}
            }
        ]),
    );
    assert_eq!(
        rules
            .resolve(&Params::new().with_str("Input", "a"))
            .unwrap()
            .url(),
        "https://a"
    );
    // The tree's conditions hold, none of its rules match: no falling through to later rules.
    let e = rules
        .resolve(&Params::new().with_str("Input", "b").with_bool("Flag", true))
        .unwrap_err();
    assert_eq!(e.kind(), RulesErrorKind::NoMatch);
    assert!(e.to_string().contains("rules[0]"), "{e}");
    // The tree does not apply: later rules do.
    assert_eq!(
        rules
            .resolve(&Params::new().with_bool("Flag", true))
            .unwrap()
            .url(),
        "https://flag"
    );
    // Nothing matches at all.
    let e = rules.resolve(&Params::new()).unwrap_err();
    assert_eq!(e.kind(), RulesErrorKind::NoMatch);
}

#[test]
fn unset_values_where_a_value_is_needed_are_errors() {
    // `Input` is optional and not checked with isSet first.
    let rules = rule_set(
        standard_params(),
        json!([{
            "type": "endpoint",
            "conditions": [{"fn": "stringEquals", "argv": [{"ref": "Input"}, "a"]}],
            "endpoint": {"url": "https://a"}
        }, {"type": "error", "conditions": [], "error": "fallback"}]),
    );
    let e = rules.resolve(&Params::new()).unwrap_err();
    assert_eq!(e.kind(), RulesErrorKind::Evaluation);
    assert!(
        e.to_string()
            .contains("argument 1 of `stringEquals` is not set"),
        "{e}"
    );
}

#[test]
fn coalesce_ite_split_and_not() {
    let rules = rule_set(
        standard_params(),
        json!([{
            "type": "endpoint",
            "conditions": [
                {"fn": "coalesce", "argv": [{"ref": "Input"}, "default"], "assign": "value"},
                {"fn": "ite", "argv": [{"ref": "Flag"}, "-fips", ""], "assign": "suffix"},
                {"fn": "split", "argv": ["{value}", "--", 0], "assign": "parts"},
                {"fn": "getAttr", "argv": [{"ref": "parts"}, "[0]"], "assign": "head"},
                {"fn": "split", "argv": ["{value}", "--", 2], "assign": "two"},
                {"fn": "getAttr", "argv": [{"ref": "two"}, "[-1]"], "assign": "tail"},
                {"fn": "not", "argv": [{"fn": "stringEquals", "argv": ["{head}", "stop"]}]}
            ],
            "endpoint": {"url": "https://{head}{suffix}/{tail}"}
        }, {"type": "error", "conditions": [], "error": "stopped"}]),
    );
    let url = |params: Params| rules.resolve(&params).map(|e| e.url().to_string());
    assert_eq!(url(Params::new()).as_deref(), Ok("https://default/default"));
    assert_eq!(
        url(Params::new()
            .with_str("Input", "a--b--c")
            .with_bool("Flag", true))
        .as_deref(),
        Ok("https://a-fips/b--c")
    );
    assert_eq!(
        url(Params::new().with_str("Input", "stop--x")).map_err(|e| e.to_string()),
        Err("stopped".to_string())
    );

    // `split` edge cases through one-piece lookups.
    let split = |input: &str, limit: i64, index: i64| {
        eval(
            json!({"fn": "getAttr", "argv": [
                {"fn": "split", "argv": [{"ref": "Input"}, "--", limit]},
                format!("[{index}]")
            ], "assign": "out"}),
            "<{out}>",
            input,
        )
    };
    assert_eq!(split("", 0, 0).as_deref(), Some("<>"));
    assert_eq!(split("", 0, 1), None);
    assert_eq!(split("--", 0, 1).as_deref(), Some("<>"));
    assert_eq!(split("--b--", 0, 1).as_deref(), Some("<b>"));
    assert_eq!(split("--b--", 0, 2).as_deref(), Some("<>"));
    assert_eq!(split("--b--", 0, 3), None);
    assert_eq!(split("a--b--c", 1, 0).as_deref(), Some("<a--b--c>"));
    assert_eq!(split("abc", 0, 0).as_deref(), Some("<abc>"));
}
