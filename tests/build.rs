//! Compiles endpoint rule sets with the generator, for `tests/endpoints.rs` to compare with the
//! runtime's reference interpreter: every rule set of `data/endpoint_rule_sets.json` and the
//! rule set of the generator's `endpoint_rules` fixture. Writes
//! `$OUT_DIR/endpoint_rule_sets.rs`: a module per rule set holding its JSON (`RULES`) and its
//! compiled resolver (`resolve`, exactly as `src/endpoint_resolver.rs` of a generated crate),
//! and `ALL`, the list of them.

#![forbid(unsafe_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use lambda_sdk_codegen::{Model, Options, generate};
use serde_json::{Value, json};

fn main() {
    if let Err(e) = run() {
        eprintln!("tests/build.rs: {e}");
        std::process::exit(1);
    }
}

fn read_json(path: &Path) -> Result<Value, String> {
    println!("cargo::rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

/// A minimal restJson1 service with one operation and this rule set.
fn model_with(rules: &Value) -> Value {
    json!({
        "smithy": "2.0",
        "shapes": {
            "ex#Svc": {
                "type": "service",
                "version": "1",
                "operations": [{"target": "ex#Op"}],
                "traits": {
                    "aws.protocols#restJson1": {},
                    "aws.auth#sigv4": {"name": "ex"},
                    "smithy.rules#endpointRuleSet": rules
                }
            },
            "ex#Op": {
                "type": "operation",
                "traits": {"smithy.api#http": {"method": "GET", "uri": "/op"}}
            }
        }
    })
}

/// The compiled resolver of `model`, without the file's header and inner doc comments (which
/// `include!` cannot take).
fn resolver_of(name: &str, model: &Value) -> Result<String, String> {
    let model = Model::from_json(&model.to_string()).map_err(|e| format!("{name}: {e}"))?;
    let files = generate(&model, &Options::default()).map_err(|e| format!("{name}: {e}"))?;
    let code = files
        .get(&PathBuf::from("src/endpoint_resolver.rs"))
        .ok_or_else(|| format!("{name}: no src/endpoint_resolver.rs was generated"))?;
    Ok(code
        .lines()
        .filter(|line| !line.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n"))
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").map_err(|e| format!("CARGO_MANIFEST_DIR: {e}"))?,
    );
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?);
    let sets = read_json(&manifest.join("data/endpoint_rule_sets.json"))?;
    let sets = sets
        .as_object()
        .ok_or("data/endpoint_rule_sets.json must be an object of rule sets")?;
    let mut cases: Vec<(String, Value, Value)> = Vec::new();
    for (name, set) in sets {
        let rules = set
            .get("rules")
            .ok_or_else(|| format!("rule set {name} has no `rules`"))?;
        cases.push((name.clone(), rules.clone(), model_with(rules)));
    }
    let fixture = read_json(&manifest.join("../codegen/tests/fixtures/endpoint_rules.json"))?;
    let fixture_rules = fixture["shapes"]
        .as_object()
        .and_then(|shapes| shapes.values().find(|s| s["type"] == "service"))
        .map(|service| service["traits"]["smithy.rules#endpointRuleSet"].clone())
        .filter(|rules| !rules.is_null())
        .ok_or("the endpoint_rules fixture has no service with a rule set")?;
    cases.push(("codegen_fixture".into(), fixture_rules, fixture));

    let mut out = String::new();
    let mut all = String::new();
    for (name, rules, model) in &cases {
        let code = resolver_of(name, model)?;
        let rules = rules.to_string();
        let _ = writeln!(
            out,
            "pub mod {name} {{\n    pub const RULES: &str = {rules:?};\n{code}\n}}\n"
        );
        let _ = writeln!(all, "    ({name:?}, {name}::RULES, {name}::resolve),");
    }
    let _ = writeln!(
        out,
        "/// Every rule set: name, JSON, compiled resolver.\npub const ALL: &[(&str, &str, ::lambda_sdk_runtime::endpoint::Resolver)] = &[\n{all}];"
    );
    let path = out_dir.join("endpoint_rule_sets.rs");
    std::fs::write(&path, out).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
