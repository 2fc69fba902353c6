//! Endpoint resolvers compiled by the generator, checked against the runtime's reference
//! interpreter (`endpoint_rules_oracle::RuleSet`, the workspace's dev-only crate)
//! reading the same rule set:
//!
//! - `model/lambda.json`'s (`generated/src/endpoint_resolver.rs`), run the way users run it,
//!   through `lambda_sdk::Client` (the URL a request goes to, or the error that refused it), for
//!   every region of every partition, unlisted regions matching each partition's pattern,
//!   regions of no partition, × FIPS × dual-stack × custom endpoints;
//! - the rule sets of `data/endpoint_rule_sets.json` (each exercising one thing the compiler
//!   must get right) and of the generator's `endpoint_rules` fixture, compiled by `build.rs`:
//!   the same URL, or an error of the same kind with the same message, for every combination
//!   of unset, valid and invalid regions and endpoints × FIPS × dual-stack. `cargo clippy
//!   --workspace --all-targets -D warnings` lints their generated code too.
//!
//! The official model's 71 endpoint test cases run against the compiled resolver of the whole
//! Lambda crate in `cargo xtask whole-lambda`.

#![forbid(unsafe_code)]

use endpoint_rules_oracle::{Params, RuleSet};
use lambda_sdk::types::GetDurableExecutionRequest;
use lambda_sdk::{Client, Config, Credentials};
use lambda_sdk_runtime::endpoint::EndpointParams;
use lambda_sdk_runtime::endpoint_rules::RulesErrorKind;
use lambda_sdk_runtime::partitions::PARTITIONS;
use protocol_test_support::Capture;
use serde_json::Value;

/// The rule set of `model/lambda.json`, read by the interpreter.
fn interpreter() -> RuleSet {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../model/lambda.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let model: Value = serde_json::from_str(&text).unwrap();
    let service = model["shapes"]
        .as_object()
        .unwrap()
        .values()
        .find(|shape| shape["type"] == "service")
        .expect("a service shape");
    RuleSet::from_value(&service["traits"]["smithy.rules#endpointRuleSet"])
        .unwrap_or_else(|e| panic!("the interpreter refuses the rule set: {e}"))
}

/// What the interpreter resolves: the URL, or the error message.
fn interpreted(rules: &RuleSet, params: &EndpointParams<'_>) -> Result<String, String> {
    let mut values = Params::new()
        .with_bool("UseFIPS", params.use_fips)
        .with_bool("UseDualStack", params.use_dual_stack);
    if let Some(region) = params.region {
        values.insert("Region", region);
    }
    if let Some(endpoint) = params.endpoint {
        values.insert("Endpoint", endpoint);
    }
    rules
        .resolve(&values)
        .map(|endpoint| endpoint.url().to_string())
        .map_err(|e| e.to_string())
}

/// What the compiled resolver makes the client do: the URL of the request it sends, or the
/// error that refuses it. `None` when the configuration itself is refused (an invalid region).
async fn compiled(params: &EndpointParams<'_>) -> Option<Result<String, String>> {
    let capture = Capture::new();
    let mut builder = Config::builder()
        .region(params.region.unwrap_or_default())
        .use_fips(params.use_fips)
        .use_dual_stack(params.use_dual_stack)
        .credentials(Credentials::new("AKID", "SECRET", None))
        .http_connector(capture.clone());
    if let Some(endpoint) = params.endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    let config = builder.build().ok()?;
    let request = GetDurableExecutionRequest {
        durable_execution_arn:
            "arn:aws:lambda:us-east-1:123456789012:function:f:1/durable-execution/e/1".into(),
        include_execution_data: None,
    };
    Some(
        match Client::new(config).get_durable_execution(request).await {
            Err(e) if e.to_string().contains("endpoint") => Err(e.to_string()),
            _ => Ok(capture.single_request().uri().to_string()),
        },
    )
}

fn regions() -> Vec<String> {
    let mut regions: Vec<String> = PARTITIONS
        .iter()
        .flat_map(|p| p.regions.iter().map(|r| r.id.to_string()))
        .collect();
    for partition in PARTITIONS {
        for prefix in partition.region_prefixes {
            regions.push(format!("{prefix}-unlisted-9"));
        }
    }
    regions.extend(
        [
            "aws-global",
            "local",
            "xx-nowhere-1",
            "us-east-1-fips",
            "Us-East-1",
        ]
        .map(String::from),
    );
    regions
}

#[tokio::test]
async fn compiled_resolver_agrees_with_the_interpreter() {
    let rules = interpreter();
    let endpoints = [
        None,
        Some("https://custom.example.com"),
        Some("http://localhost:9000/base/path"),
    ];
    let regions = regions();
    let (mut urls, mut errors) = (0, 0);
    let mut refused = Vec::new();
    for region in &regions {
        for use_fips in [false, true] {
            for use_dual_stack in [false, true] {
                for endpoint in endpoints {
                    let params = EndpointParams::new(Some(region))
                        .with_fips(use_fips)
                        .with_dual_stack(use_dual_stack)
                        .with_endpoint(endpoint);
                    let expected = interpreted(&rules, &params);
                    let Some(actual) = compiled(&params).await else {
                        refused.push(region.clone());
                        continue;
                    };
                    match (&expected, &actual) {
                        (Ok(url), Ok(uri)) if uri.starts_with(url.trim_end_matches('/')) => {
                            urls += 1
                        }
                        (Err(message), Err(error)) if error.contains(message.as_str()) => {
                            errors += 1
                        }
                        _ => panic!(
                            "{params:?}: the interpreter gives {expected:?}, the compiled resolver {actual:?}"
                        ),
                    }
                }
            }
        }
    }
    // Every region above is a valid region name, so every combination was compared.
    assert!(refused.is_empty(), "configs refused for {refused:?}");
    assert_eq!(urls + errors, regions.len() * 2 * 2 * endpoints.len());
    // Both outcomes are exercised: FIPS or dual-stack with a custom endpoint is an error rule.
    assert!(urls > 300 && errors > 300, "{urls} URLs, {errors} errors");
}

/// The rule sets `build.rs` compiled.
mod rule_sets {
    include!(concat!(env!("OUT_DIR"), "/endpoint_rule_sets.rs"));
}

/// The interpreter's answer, with the parameters bound the way the configuration binds them.
fn interpret(
    rules: &RuleSet,
    params: &EndpointParams<'_>,
) -> Result<String, (RulesErrorKind, String)> {
    let mut values = Params::new();
    for parameter in rules.parameters() {
        match parameter.built_in() {
            Some("AWS::Region") => {
                if let Some(region) = params.region {
                    values.insert(parameter.name(), region);
                }
            }
            Some("SDK::Endpoint") => {
                if let Some(endpoint) = params.endpoint {
                    values.insert(parameter.name(), endpoint);
                }
            }
            Some("AWS::UseFIPS") => {
                values.insert(parameter.name(), params.use_fips);
            }
            Some("AWS::UseDualStack") => {
                values.insert(parameter.name(), params.use_dual_stack);
            }
            _ => {}
        }
    }
    rules
        .resolve(&values)
        .map(|endpoint| endpoint.url().to_string())
        .map_err(|e| (e.kind(), e.to_string()))
}

#[test]
fn compiled_rule_sets_agree_with_the_interpreter() {
    let regions = [
        None,
        Some("us-east-1"),
        Some("cn-north-1"),
        Some("us-gov-west-1"),
        Some("eu-unlisted-7"),
        Some("bad..region"),
        Some(""),
    ];
    let endpoints = [
        None,
        Some("https://x.example.com"),
        Some("https://x.example.com:8443/base/path"),
        Some("http://1.2.3.4:80/p"),
        Some("not a url"),
    ];
    let mut differences = Vec::new();
    let mut compared = 0;
    let (mut urls, mut errors) = (0, 0);
    for (name, json, resolve) in rule_sets::ALL {
        let rules = RuleSet::from_json(json)
            .unwrap_or_else(|e| panic!("{name}: the interpreter refuses the rule set: {e}"));
        for region in regions {
            for use_fips in [false, true] {
                for use_dual_stack in [false, true] {
                    for endpoint in endpoints {
                        let params = EndpointParams::new(region)
                            .with_fips(use_fips)
                            .with_dual_stack(use_dual_stack)
                            .with_endpoint(endpoint);
                        let compiled = resolve(&params).map_err(|e| (e.kind(), e.to_string()));
                        let expected = interpret(&rules, &params);
                        match &compiled {
                            Ok(_) => urls += 1,
                            Err(_) => errors += 1,
                        }
                        if compiled != expected {
                            differences.push(format!(
                                "{name} {params:?}:\n  compiled:    {compiled:?}\n  interpreter: {expected:?}"
                            ));
                        }
                        compared += 1;
                    }
                }
            }
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {compared} differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
    assert_eq!(
        compared,
        rule_sets::ALL.len() * regions.len() * 4 * endpoints.len()
    );
    assert!(urls > 1000 && errors > 1000, "{urls} URLs, {errors} errors");
}
