//! The endpoint rules engine and the partition facts.
//!
//! - Every case of the official Lambda model's `smithy.rules#endpointTests`, run against its
//!   `smithy.rules#endpointRuleSet` (`../../shared/models/lambda.smithy.json`).
//! - `partitions.rs` compared fact by fact with botocore's `partitions.json`
//!   (`../../shared/models/partitions.json`), so drift is caught.
//! - Unit tests of the functions and rule-set features that are easy to get wrong.
//!
//! The two shared files live outside the repository. When one is missing the test that needs
//! it says why and passes, except under `CI=true`, where it fails.

#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use lambda_sdk_runtime::endpoint_rules::{
    ParamType, ParamValue, Params, RuleSet, RulesError, RulesErrorKind,
};
use lambda_sdk_runtime::partitions::{
    self, NO_OVERRIDES, Overrides, PARTITIONS, PARTITIONS_VERSION, Partition, outputs_for,
    partition_for,
};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Shared model files
// ---------------------------------------------------------------------------------------------

/// Reads `../../shared/models/<name>` (relative to the runtime crate). `None`, after saying
/// why, when it is absent; a panic instead under `CI=true`.
fn shared_json(name: &str) -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/models")
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
// partitions.rs against partitions.json
// ---------------------------------------------------------------------------------------------

/// The region prefixes a `partitions.json` region regex accepts. Every regex there has the
/// shape `^BODY\-\w+\-\d+$`, where BODY is literal characters, `\-` escapes and `(a|b|…)`
/// groups of such literals; anything else is an error, so a new shape fails the test.
fn regex_prefixes(regex: &str) -> Result<Vec<String>, String> {
    let body = regex
        .strip_prefix('^')
        .and_then(|r| r.strip_suffix(r"\-\w+\-\d+$"))
        .ok_or_else(|| format!(r"`{regex}` is not of the form ^PREFIX\-\w+\-\d+$"))?;
    let literal = |text: &str| -> Result<String, String> {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('-') => out.push('-'),
                    other => return Err(format!("`{regex}`: unexpected escape \\{other:?}")),
                },
                c if c.is_ascii_alphanumeric() => out.push(c),
                c => return Err(format!("`{regex}`: unexpected character `{c}`")),
            }
        }
        Ok(out)
    };
    let mut prefixes = vec![String::new()];
    let mut rest = body;
    while !rest.is_empty() {
        if let Some(group) = rest.strip_prefix('(') {
            let (inner, after) = group
                .split_once(')')
                .ok_or_else(|| format!("`{regex}`: unclosed group"))?;
            let alternatives = inner
                .split('|')
                .map(literal)
                .collect::<Result<Vec<_>, _>>()?;
            prefixes = prefixes
                .iter()
                .flat_map(|p| alternatives.iter().map(move |a| format!("{p}{a}")))
                .collect();
            rest = after;
        } else {
            let end = rest.find('(').unwrap_or(rest.len());
            let text = literal(&rest[..end])?;
            prefixes.iter_mut().for_each(|p| p.push_str(&text));
            rest = &rest[end..];
        }
    }
    Ok(prefixes)
}

const OUTPUT_KEYS: [&str; 6] = [
    "dnsSuffix",
    "dualStackDnsSuffix",
    "implicitGlobalRegion",
    "name",
    "supportsDualStack",
    "supportsFIPS",
];

/// Overrides as the JSON members `partitions.json` would write for them.
fn overrides_json(overrides: &Overrides) -> Value {
    let mut map = serde_json::Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            map.insert(key.to_string(), value);
        }
    };
    put("name", overrides.name.map(Value::from));
    put("dnsSuffix", overrides.dns_suffix.map(Value::from));
    put(
        "dualStackDnsSuffix",
        overrides.dual_stack_dns_suffix.map(Value::from),
    );
    put(
        "implicitGlobalRegion",
        overrides.implicit_global_region.map(Value::from),
    );
    put("supportsFIPS", overrides.supports_fips.map(Value::from));
    put(
        "supportsDualStack",
        overrides.supports_dual_stack.map(Value::from),
    );
    Value::Object(map)
}

#[test]
fn partitions_match_partitions_json() {
    let Some(json) = shared_json("partitions.json") else {
        return;
    };
    let mut drift: Vec<String> = Vec::new();
    if json["version"] != PARTITIONS_VERSION {
        drift.push(format!(
            "version: partitions.json has {}, partitions.rs {PARTITIONS_VERSION}",
            json["version"]
        ));
    }
    let entries = json["partitions"].as_array().expect("`partitions` array");
    let json_ids: Vec<&str> = entries.iter().filter_map(|p| p["id"].as_str()).collect();
    let our_ids: Vec<&str> = PARTITIONS.iter().map(|p| p.id).collect();
    if json_ids != our_ids {
        drift.push(format!(
            "partition ids (in order): partitions.json {json_ids:?}, partitions.rs {our_ids:?}"
        ));
    }
    for entry in entries {
        let id = entry["id"].as_str().unwrap_or("?");
        let Some(ours) = PARTITIONS.iter().find(|p| p.id == id) else {
            drift.push(format!("partition `{id}` is missing from partitions.rs"));
            continue;
        };
        compare_partition(entry, ours, &mut drift);
    }
    assert!(
        drift.is_empty(),
        "partitions.rs differs from partitions.json:\n  {}",
        drift.join("\n  ")
    );
}

fn compare_partition(entry: &Value, ours: &Partition, drift: &mut Vec<String>) {
    let id = ours.id;
    // Outputs.
    let outputs = &entry["outputs"];
    let o = &ours.outputs;
    let expected = [
        ("dnsSuffix", json!(o.dns_suffix)),
        ("dualStackDnsSuffix", json!(o.dual_stack_dns_suffix)),
        ("implicitGlobalRegion", json!(o.implicit_global_region)),
        ("name", json!(o.name)),
        ("supportsDualStack", json!(o.supports_dual_stack)),
        ("supportsFIPS", json!(o.supports_fips)),
    ];
    for (key, value) in expected {
        if outputs[key] != value {
            drift.push(format!(
                "{id}.outputs.{key}: partitions.json {}, partitions.rs {value}",
                outputs[key]
            ));
        }
    }
    for key in outputs.as_object().map(|o| o.keys()).into_iter().flatten() {
        if !OUTPUT_KEYS.contains(&key.as_str()) {
            drift.push(format!("{id}.outputs: new key `{key}` in partitions.json"));
        }
    }
    // Region pattern.
    let regex = entry["regionRegex"].as_str().unwrap_or("");
    match regex_prefixes(regex) {
        Ok(prefixes) => {
            if prefixes != ours.region_prefixes {
                drift.push(format!(
                    "{id}.regionRegex `{regex}` accepts the prefixes {prefixes:?}, partitions.rs has {:?}",
                    ours.region_prefixes
                ));
            }
        }
        Err(e) => drift.push(format!("{id}.regionRegex: {e}")),
    }
    // Regions, their descriptions and overrides.
    let regions = entry["regions"].as_object().cloned().unwrap_or_default();
    for (name, region) in &regions {
        let at = format!("{id}.regions.{name}");
        let Some(our_region) = ours.region(name) else {
            drift.push(format!("{at}: missing from partitions.rs"));
            continue;
        };
        if region["description"].as_str() != our_region.description {
            drift.push(format!(
                "{at}.description: partitions.json {}, partitions.rs {:?}",
                region["description"], our_region.description
            ));
        }
        // Everything but the description overrides the partition's outputs.
        let mut overrides = region.as_object().cloned().unwrap_or_default();
        overrides.remove("description");
        let overrides = Value::Object(overrides);
        let ours = overrides_json(&our_region.overrides);
        if overrides != ours {
            drift.push(format!(
                "{at}: overrides in partitions.json {overrides}, partitions.rs {ours}"
            ));
        }
    }
    for our_region in ours.regions {
        if !regions.contains_key(our_region.id) {
            drift.push(format!(
                "{id}.regions.{}: in partitions.rs but not partitions.json",
                our_region.id
            ));
        }
    }
}

#[test]
fn regex_prefix_expansion() {
    assert_eq!(
        regex_prefixes(r"^(us|eu|ap)\-\w+\-\d+$"),
        Ok(vec!["us".into(), "eu".into(), "ap".into()])
    );
    assert_eq!(regex_prefixes(r"^cn\-\w+\-\d+$"), Ok(vec!["cn".into()]));
    assert_eq!(
        regex_prefixes(r"^us\-iso\-\w+\-\d+$"),
        Ok(vec!["us-iso".into()])
    );
    assert_eq!(
        regex_prefixes(r"^eusc\-(de|fr)\-\w+\-\d+$"),
        Ok(vec!["eusc-de".into(), "eusc-fr".into()])
    );
    assert!(regex_prefixes(r"^us\-\w+$").is_err());
    assert!(regex_prefixes(r"^u.s\-\w+\-\d+$").is_err());
}

#[test]
fn partition_for_prefers_listed_regions_then_patterns_then_aws() {
    // Listed explicitly, although no pattern matches.
    assert_eq!(partition_for("aws-global").id, "aws");
    assert_eq!(partition_for("aws-cn-global").id, "aws-cn");
    assert_eq!(partition_for("aws-us-gov-global").id, "aws-us-gov");
    assert_eq!(partition_for("aws-iso-b-global").id, "aws-iso-b");
    // Not listed: the first partition whose pattern matches.
    assert_eq!(partition_for("us-west-9").id, "aws");
    assert_eq!(partition_for("cn-south-7").id, "aws-cn");
    assert_eq!(partition_for("us-gov-central-3").id, "aws-us-gov");
    assert_eq!(partition_for("us-iso-north-2").id, "aws-iso");
    assert_eq!(partition_for("us-isob-south-4").id, "aws-iso-b");
    assert_eq!(partition_for("eu-isoe-north-2").id, "aws-iso-e");
    assert_eq!(partition_for("us-isof-west-5").id, "aws-iso-f");
    assert_eq!(partition_for("eusc-de-west-2").id, "aws-eusc");
    assert_eq!(partition_for("us-a_b-12").id, "aws");
    // `\w+` has no hyphen: `us-gov-…` is not an `aws` region by pattern.
    assert!(!partitions::AWS.matches_region_pattern("us-gov-west-1"));
    assert!(partitions::AWS_US_GOV.matches_region_pattern("us-gov-west-1"));
    assert!(!partitions::AWS.matches_region_pattern("us-east-"));
    assert!(!partitions::AWS.matches_region_pattern("us-east-1a"));
    assert!(!partitions::AWS.matches_region_pattern("us--1"));
    assert!(!partitions::AWS_EUSC.matches_region_pattern("eusc-fr-east-1"));
    // Neither: the `aws` partition.
    for region in [
        "",
        "local",
        "mars-east-1",
        "us-east",
        "US-EAST-1",
        "cn-north-1-x",
    ] {
        assert_eq!(partition_for(region).id, "aws", "{region:?}");
    }
    assert_eq!(outputs_for("mars-east-1").dns_suffix, "amazonaws.com");
    assert_eq!(
        outputs_for("cn-north-1").dual_stack_dns_suffix,
        "api.amazonwebservices.com.cn"
    );
    assert_eq!(
        outputs_for("us-isob-east-1").implicit_global_region,
        "us-isob-east-1"
    );
    // The canonical regex form of a prefix list.
    assert_eq!(
        partitions::AWS_ISO.region_regex(),
        r"^(us\-iso)\-\w+\-\d+$".to_string()
    );
}

#[test]
fn overrides_replace_only_what_they_name() {
    let base = partitions::AWS.outputs;
    let overrides = Overrides {
        dns_suffix: Some("example.internal"),
        supports_fips: Some(false),
        ..NO_OVERRIDES
    };
    let applied = overrides.apply(base);
    assert_eq!(applied.dns_suffix, "example.internal");
    assert!(!applied.supports_fips);
    assert_eq!(applied.name, base.name);
    assert_eq!(applied.dual_stack_dns_suffix, base.dual_stack_dns_suffix);
    assert_eq!(NO_OVERRIDES.apply(base), base);
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
