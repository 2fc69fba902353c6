//! Fact check of `model/lambda.json`, our Smithy JSON AST of Lambda's durable-execution API.
//!
//! The model is compared, shape by shape and member by member, with AWS's two published models in
//! `../shared/models/`:
//!
//! * `lambda.smithy.json`, the official Smithy model (9 durable operations), and
//! * `botocore-lambda-service-2.json` (+ `botocore-lambda-paginators-1.json`), botocore's newer model
//!   (12 durable operations, new members, enum values and errors).
//!
//! Every wire/validation fact must agree with AWS (botocore wins where it is newer), nothing may be
//! invented, and every documentation string must be present and written in our own words.
//! All mismatches are collected and reported together.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use lambda_sdk_tests::{repo_root, shared_file};
use serde_json::{Map, Value};

/// Namespace of every Lambda shape id.
const NS: &str = "com.amazonaws.lambda#";
/// Shape id of the service, the same as in the official model.
const SERVICE: &str = "com.amazonaws.lambda#AWSGirApiService";
/// The durable-execution operations our service binds (botocore 1.44.8 has all 12).
const DURABLE_OPERATIONS: [&str; 12] = [
    "CheckpointDurableExecution",
    "DeleteDurableExecution",
    "GetDurableExecution",
    "GetDurableExecutionHistory",
    "GetDurableExecutionState",
    "ListDurableExecutionsByFunction",
    "PauseDurableExecution",
    "ResumeDurableExecution",
    "SendDurableExecutionCallbackFailure",
    "SendDurableExecutionCallbackHeartbeat",
    "SendDurableExecutionCallbackSuccess",
    "StopDurableExecution",
];
/// The documentation trait; its text must be ours.
const DOC: &str = "smithy.api#documentation";
/// Traits that state wire or validation facts. Apart from documentation, only these may appear
/// on non-service shapes and members, and each must agree with AWS's models.
const FACT_TRAITS: [&str; 27] = [
    "smithy.api#http",
    "smithy.api#httpLabel",
    "smithy.api#httpQuery",
    "smithy.api#httpHeader",
    "smithy.api#httpPrefixHeaders",
    "smithy.api#httpPayload",
    "smithy.api#httpResponseCode",
    "smithy.api#jsonName",
    "smithy.api#timestampFormat",
    "smithy.api#required",
    "smithy.api#default",
    "smithy.api#idempotencyToken",
    "smithy.api#sensitive",
    "smithy.api#readonly",
    "smithy.api#idempotent",
    "smithy.api#paginated",
    "smithy.api#error",
    "smithy.api#httpError",
    "smithy.api#length",
    "smithy.api#range",
    "smithy.api#pattern",
    "smithy.api#enumValue",
    "smithy.api#input",
    "smithy.api#output",
    "smithy.api#retryable",
    "smithy.api#deprecated",
    "smithy.api#streaming",
];
/// Service traits copied verbatim from the official service shape.
const SERVICE_TRAITS_COPIED: [&str; 7] = [
    "aws.api#service",
    "aws.auth#sigv4",
    "aws.protocols#restJson1",
    "smithy.api#paginated",
    "smithy.api#title",
    "smithy.rules#endpointRuleSet",
    "smithy.rules#endpointTests",
];
/// Service traits that must be present (`smithy.api#title` is optional).
const SERVICE_TRAITS_REQUIRED: [&str; 6] = [
    "aws.api#service",
    "aws.auth#sigv4",
    "aws.protocols#restJson1",
    "smithy.api#paginated",
    "smithy.rules#endpointRuleSet",
    "smithy.rules#endpointTests",
];

// ---------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------

/// AWS's models, parsed both as `serde_json::Value` (for facts) and in document order (for
/// member order), plus our model's text.
struct Sources {
    official: Value,
    official_ordered: Json,
    botocore: Value,
    botocore_ordered: Json,
    paginators: Value,
    ours_text: String,
}

/// Loads the shared models once per test binary; `None` when `../shared` is absent (the test
/// then skips with a printed reason, or panics under `CI=true`, see `shared_file`).
fn sources() -> Option<&'static Sources> {
    static SOURCES: OnceLock<Option<Sources>> = OnceLock::new();
    SOURCES.get_or_init(load_sources).as_ref()
}

fn load_sources() -> Option<Sources> {
    let official_path = shared_file("models/lambda.smithy.json")?;
    let botocore_path = shared_file("models/botocore-lambda-service-2.json")?;
    let paginators_path = shared_file("models/botocore-lambda-paginators-1.json")?;
    let official_text = read_text(&official_path);
    let botocore_text = read_text(&botocore_path);
    Some(Sources {
        official: parse_value(&official_text, &official_path),
        official_ordered: parse_ordered(&official_text, &official_path),
        botocore: parse_value(&botocore_text, &botocore_path),
        botocore_ordered: parse_ordered(&botocore_text, &botocore_path),
        paginators: parse_value(&read_text(&paginators_path), &paginators_path),
        ours_text: read_text(&repo_root().join("model").join("lambda.json")),
    })
}

fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn parse_value(text: &str, path: &Path) -> Value {
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

fn parse_ordered(text: &str, path: &Path) -> Json {
    Json::parse(text).unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

/// Collects every mismatch as "shape[$member]: fact: detail".
#[derive(Default)]
struct Report {
    problems: Vec<String>,
}

impl Report {
    fn shape(&mut self, shape: &str, fact: &str, detail: impl std::fmt::Display) {
        self.problems
            .push(format!("{}: {fact}: {detail}", short(shape)));
    }

    fn member(&mut self, shape: &str, member: &str, fact: &str, detail: impl std::fmt::Display) {
        self.problems
            .push(format!("{}${member}: {fact}: {detail}", short(shape)));
    }
}

/// `com.amazonaws.lambda#Foo` -> `Foo` (other namespaces are kept whole).
fn short(id: &str) -> &str {
    id.strip_prefix(NS).unwrap_or(id)
}

fn lambda_id(name: &str) -> String {
    format!("{NS}{name}")
}

// ---------------------------------------------------------------------------------------------
// Smithy JSON AST helpers
// ---------------------------------------------------------------------------------------------

fn shapes_of(model: &Value) -> Option<&Map<String, Value>> {
    model.get("shapes").and_then(Value::as_object)
}

fn traits_of(node: &Value) -> Option<&Map<String, Value>> {
    node.get("traits").and_then(Value::as_object)
}

fn trait_value<'a>(node: &'a Value, id: &str) -> Option<&'a Value> {
    traits_of(node).and_then(|t| t.get(id))
}

fn has_trait(node: &Value, id: &str) -> bool {
    trait_value(node, id).is_some()
}

/// The fact traits of a shape or member (see [`FACT_TRAITS`]).
fn fact_traits(node: &Value) -> BTreeMap<String, Value> {
    traits_of(node)
        .map(|t| {
            t.iter()
                .filter(|(k, _)| FACT_TRAITS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn shape_type(shape: &Value) -> &str {
    shape.get("type").and_then(Value::as_str).unwrap_or("")
}

fn target_of(node: &Value) -> &str {
    node.get("target").and_then(Value::as_str).unwrap_or("")
}

/// Named members of a structure/union/enum, plus `member`/`key`/`value` of lists and maps.
fn members_of(shape: &Value) -> Vec<(&str, &Value)> {
    let mut out: Vec<(&str, &Value)> = shape
        .get("members")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default();
    for key in ["member", "key", "value"] {
        if let Some(node) = shape.get(key) {
            out.push((key, node));
        }
    }
    out
}

fn member_of<'a>(shape: &'a Value, name: &str) -> Option<&'a Value> {
    members_of(shape)
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// Wire values of an enum shape (`smithy.api#enumValue`, defaulting to the member name).
fn enum_values(shape: &Value) -> BTreeSet<String> {
    members_of(shape)
        .into_iter()
        .map(|(name, m)| {
            trait_value(m, "smithy.api#enumValue")
                .and_then(Value::as_str)
                .unwrap_or(name)
                .to_string()
        })
        .collect()
}

fn operation_errors(op: &Value) -> BTreeSet<String> {
    op.get("errors")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|e| target_of(e).to_string()).collect())
        .unwrap_or_default()
}

/// Shape ids a shape refers to (operation input/output/errors, member targets).
fn smithy_references(shape: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["input", "output"] {
        if let Some(node) = shape.get(key) {
            out.push(target_of(node).to_string());
        }
    }
    out.extend(operation_errors(shape));
    out.extend(
        members_of(shape)
            .into_iter()
            .map(|(_, m)| target_of(m).to_string()),
    );
    out
}

/// Every Lambda shape reachable from `roots` (prelude shapes such as `smithy.api#Unit` excluded).
fn smithy_closure(shapes: &Map<String, Value>, roots: &[String]) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = roots.to_vec();
    while let Some(id) = stack.pop() {
        if !id.starts_with(NS) || !seen.insert(id.clone()) {
            continue;
        }
        if let Some(shape) = shapes.get(&id) {
            stack.extend(smithy_references(shape));
        }
    }
    seen
}

/// The operation's paginated trait merged over the service defaults, as Smithy defines it.
fn effective_paginated(service: Option<&Value>, op: &Value) -> Option<Map<String, Value>> {
    let own = trait_value(op, "smithy.api#paginated")?.as_object()?;
    let mut merged = service
        .and_then(|s| trait_value(s, "smithy.api#paginated"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (k, v) in own {
        merged.insert(k.clone(), v.clone());
    }
    Some(merged)
}

/// Lower and upper bound of a `length`/`range` trait value.
fn bounds(value: Option<&Value>) -> (Option<f64>, Option<f64>) {
    let get = |k: &str| value.and_then(|v| v.get(k)).and_then(Value::as_f64);
    (get("min"), get("max"))
}

/// Bounds that apply to a member: member-level and target-level constraints both hold.
fn effective_bounds(
    member: &Value,
    target: Option<&Value>,
    key: &str,
) -> (Option<f64>, Option<f64>) {
    let (mmin, mmax) = bounds(trait_value(member, key));
    let (tmin, tmax) = bounds(target.and_then(|t| trait_value(t, key)));
    let tighter = |a: Option<f64>, b: Option<f64>, pick: fn(f64, f64) -> f64| match (a, b) {
        (Some(x), Some(y)) => Some(pick(x, y)),
        (x, y) => x.or(y),
    };
    (tighter(mmin, tmin, f64::max), tighter(mmax, tmax, f64::min))
}

/// The constraint trait used for botocore's `min`/`max` on a shape of this Smithy type.
fn constraint_key(smithy_type: &str) -> &'static str {
    match smithy_type {
        "string" | "blob" | "list" | "map" | "enum" => "smithy.api#length",
        _ => "smithy.api#range",
    }
}

/// A pattern without Smithy's `^`/`$` anchors (botocore strips them).
fn unanchored(pattern: &str) -> &str {
    let p = pattern.strip_prefix('^').unwrap_or(pattern);
    match p.strip_suffix('$') {
        Some(rest) if !rest.ends_with('\\') => rest,
        _ => p,
    }
}

/// Documentation normalised for comparison: tags removed, whitespace collapsed, lower case.
fn normalize_doc(doc: &str) -> String {
    let mut text = String::with_capacity(doc.len());
    let mut in_tag = false;
    for c in doc.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

// ---------------------------------------------------------------------------------------------
// botocore helpers
// ---------------------------------------------------------------------------------------------

fn botocore_shape<'a>(botocore: &'a Value, name: &str) -> Option<&'a Value> {
    botocore.get("shapes").and_then(|s| s.get(name))
}

fn botocore_operation<'a>(botocore: &'a Value, name: &str) -> Option<&'a Value> {
    botocore.get("operations").and_then(|s| s.get(name))
}

fn str_field<'a>(node: &'a Value, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Value::as_str)
}

fn flag(node: &Value, key: &str) -> bool {
    node.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// botocore's members of a structure, in any order.
fn botocore_members(shape: &Value) -> Vec<(&str, &Value)> {
    shape
        .get("members")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default()
}

fn botocore_required(shape: &Value) -> BTreeSet<&str> {
    shape
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn botocore_errors(op: &Value) -> BTreeSet<String> {
    op.get("errors")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|e| str_field(e, "shape"))
                .map(lambda_id)
                .collect()
        })
        .unwrap_or_default()
}

/// The Smithy type a botocore shape corresponds to (`string` + `enum` is a Smithy `enum`).
fn botocore_smithy_type(shape: &Value) -> &str {
    let t = str_field(shape, "type").unwrap_or("");
    if t == "string" && shape.get("enum").is_some() {
        "enum"
    } else {
        t
    }
}

/// botocore turns member-level constraints into synthetic shapes named
/// `{Structure}{Member}{Type}` (e.g. `WaitOptionsWaitSecondsInteger`); Smithy keeps the real target.
fn is_synthetic(botocore: &Value, structure: &str, member: &str, target: &str) -> bool {
    let Some(shape) = botocore_shape(botocore, target) else {
        return false;
    };
    let t = str_field(shape, "type").unwrap_or("");
    let mut type_name = t.to_string();
    if let Some(first) = type_name.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    target == format!("{structure}{member}{type_name}")
}

/// Shape names referenced by a botocore shape, each with the (structure, member) it comes from.
fn botocore_references(shape: &Value) -> Vec<(String, &str)> {
    let mut out: Vec<(String, &str)> = botocore_members(shape)
        .into_iter()
        .filter_map(|(m, node)| Some((m.to_string(), str_field(node, "shape")?)))
        .collect();
    for key in ["member", "key", "value"] {
        if let Some(target) = shape.get(key).and_then(|n| str_field(n, "shape")) {
            out.push((key.to_string(), target));
        }
    }
    out
}

/// botocore shapes reachable from the durable operations, split into real shapes and the
/// synthetic member-constraint shapes.
struct BotocoreClosure {
    real: BTreeSet<String>,
    synthetic: BTreeSet<String>,
}

fn botocore_closure(botocore: &Value) -> BotocoreClosure {
    let mut stack: Vec<String> = Vec::new();
    for op in DURABLE_OPERATIONS {
        let Some(op) = botocore_operation(botocore, op) else {
            continue;
        };
        for key in ["input", "output"] {
            if let Some(name) = op.get(key).and_then(|n| str_field(n, "shape")) {
                stack.push(name.to_string());
            }
        }
        stack.extend(botocore_errors(op).iter().map(|e| short(e).to_string()));
    }
    let mut closure = BotocoreClosure {
        real: BTreeSet::new(),
        synthetic: BTreeSet::new(),
    };
    while let Some(name) = stack.pop() {
        if !closure.real.insert(name.clone()) {
            continue;
        }
        let Some(shape) = botocore_shape(botocore, &name) else {
            continue;
        };
        for (member, target) in botocore_references(shape) {
            if is_synthetic(botocore, &name, &member, target) {
                closure.synthetic.insert(target.to_string());
            } else {
                stack.push(target.to_string());
            }
        }
    }
    closure
}

/// botocore's HTTP binding of a member, as the Smithy trait it corresponds to.
fn botocore_binding(
    structure: &Value,
    name: &str,
    member: &Value,
) -> Option<(&'static str, Value)> {
    let location_name = || {
        Value::String(
            str_field(member, "locationName")
                .unwrap_or(name)
                .to_string(),
        )
    };
    match str_field(member, "location") {
        Some("uri") => Some(("smithy.api#httpLabel", Value::Object(Map::new()))),
        Some("querystring") => Some(("smithy.api#httpQuery", location_name())),
        Some("header") => Some(("smithy.api#httpHeader", location_name())),
        Some("headers") => Some(("smithy.api#httpPrefixHeaders", location_name())),
        Some("statusCode") => Some(("smithy.api#httpResponseCode", Value::Object(Map::new()))),
        Some(_) => None,
        None if str_field(structure, "payload") == Some(name) => {
            Some(("smithy.api#httpPayload", Value::Object(Map::new())))
        }
        None => None,
    }
}

const BINDING_TRAITS: [&str; 6] = [
    "smithy.api#httpLabel",
    "smithy.api#httpQuery",
    "smithy.api#httpHeader",
    "smithy.api#httpPrefixHeaders",
    "smithy.api#httpResponseCode",
    "smithy.api#httpPayload",
];

fn empty() -> Value {
    Value::Object(Map::new())
}

fn min_max(shape: &Value) -> Option<Value> {
    let mut c = Map::new();
    for k in ["min", "max"] {
        if let Some(v) = shape.get(k) {
            c.insert(k.to_string(), v.clone());
        }
    }
    (!c.is_empty()).then_some(Value::Object(c))
}

/// The fact traits a shape that only botocore has must carry in Smithy form.
fn expected_traits_from_botocore(
    botocore: &Value,
    name: &str,
    io_of_new_operation: Option<&str>,
) -> BTreeMap<String, Value> {
    let mut t = BTreeMap::new();
    if let Some(op) = botocore_operation(botocore, name) {
        if let Some(http) = op.get("http") {
            let mut h = Map::new();
            h.insert(
                "method".into(),
                http.get("method").cloned().unwrap_or(Value::Null),
            );
            h.insert(
                "uri".into(),
                http.get("requestUri").cloned().unwrap_or(Value::Null),
            );
            if let Some(code) = http.get("responseCode") {
                h.insert("code".into(), code.clone());
            }
            t.insert("smithy.api#http".into(), Value::Object(h));
        }
        for (key, id) in [
            ("idempotent", "smithy.api#idempotent"),
            ("readonly", "smithy.api#readonly"),
            ("deprecated", "smithy.api#deprecated"),
        ] {
            if flag(op, key) {
                t.insert(id.into(), empty());
            }
        }
        return t;
    }
    let Some(shape) = botocore_shape(botocore, name) else {
        return t;
    };
    let smithy_type = botocore_smithy_type(shape);
    if smithy_type != "enum"
        && let Some(c) = min_max(shape)
    {
        t.insert(constraint_key(smithy_type).into(), c);
    }
    if let Some(p) = shape.get("pattern") {
        t.insert("smithy.api#pattern".into(), p.clone());
    }
    for (key, id) in [
        ("sensitive", "smithy.api#sensitive"),
        ("deprecated", "smithy.api#deprecated"),
    ] {
        if flag(shape, key) {
            t.insert(id.into(), empty());
        }
    }
    if let Some(f) = shape.get("timestampFormat").and_then(Value::as_str) {
        t.insert(
            "smithy.api#timestampFormat".into(),
            Value::String(smithy_timestamp_format(f)),
        );
    }
    if flag(shape, "exception") {
        let kind = if flag(shape, "fault") {
            "server"
        } else {
            "client"
        };
        t.insert("smithy.api#error".into(), Value::String(kind.into()));
        if let Some(code) = shape.get("error").and_then(|e| e.get("httpStatusCode")) {
            t.insert("smithy.api#httpError".into(), code.clone());
        }
    }
    if let Some(io) = io_of_new_operation {
        t.insert(io.into(), empty());
    }
    t
}

fn smithy_timestamp_format(botocore_format: &str) -> String {
    match botocore_format {
        "iso8601" => "date-time",
        "rfc822" => "http-date",
        "unixTimestamp" => "epoch-seconds",
        other => other,
    }
    .to_string()
}

/// The fact traits a member that only botocore has must carry in Smithy form.
fn expected_member_traits_from_botocore(
    botocore: &Value,
    structure_name: &str,
    structure: &Value,
    name: &str,
    member: &Value,
) -> BTreeMap<String, Value> {
    let mut t = BTreeMap::new();
    if botocore_required(structure).contains(name) {
        t.insert("smithy.api#required".into(), empty());
    }
    if let Some((id, v)) = botocore_binding(structure, name, member) {
        t.insert(id.into(), v);
    } else if let Some(json_name) = str_field(member, "locationName").filter(|n| *n != name) {
        t.insert(
            "smithy.api#jsonName".into(),
            Value::String(json_name.into()),
        );
    }
    if flag(member, "idempotencyToken") {
        t.insert("smithy.api#idempotencyToken".into(), empty());
    }
    if flag(member, "deprecated") {
        t.insert("smithy.api#deprecated".into(), empty());
    }
    if let Some(f) = str_field(member, "timestampFormat") {
        t.insert(
            "smithy.api#timestampFormat".into(),
            Value::String(smithy_timestamp_format(f)),
        );
    }
    let target = str_field(member, "shape").unwrap_or("");
    if is_synthetic(botocore, structure_name, name, target)
        && let Some(synthetic) = botocore_shape(botocore, target)
        && let Some(c) = min_max(synthetic)
    {
        t.insert(constraint_key(botocore_smithy_type(synthetic)).into(), c);
    }
    t
}

// ---------------------------------------------------------------------------------------------
// The checker
// ---------------------------------------------------------------------------------------------

/// Checks every fact of `ours` (a parsed Smithy JSON AST) against AWS's models and returns all
/// mismatches. An empty result means the model is correct.
fn check_model(ours: &Value, src: &Sources) -> Vec<String> {
    let mut report = Report::default();
    if ours.get("smithy").and_then(Value::as_str) != Some("2.0") {
        report.shape("(file)", "smithy version", "must be \"2.0\"");
    }
    let Some(our_shapes) = shapes_of(ours) else {
        report.shape("(file)", "shapes", "missing `shapes` object");
        return report.problems;
    };
    let Some(official_shapes) = shapes_of(&src.official) else {
        report.shape("(official model)", "shapes", "missing `shapes` object");
        return report.problems;
    };
    let ctx = Context {
        ours: our_shapes,
        official: official_shapes,
        botocore: &src.botocore,
        paginators: &src.paginators,
        closure: botocore_closure(&src.botocore),
    };
    check_service(&ctx, &mut report);
    check_official_facts(&ctx, &mut report);
    check_botocore_facts(&ctx, &mut report);
    check_nothing_extra(&ctx, &mut report);
    check_documentation(&ctx, &mut report);
    let mut seen = BTreeSet::new();
    report.problems.retain(|p| seen.insert(p.clone()));
    report.problems
}

/// Everything the individual checks look at.
struct Context<'a> {
    ours: &'a Map<String, Value>,
    official: &'a Map<String, Value>,
    botocore: &'a Value,
    paginators: &'a Value,
    closure: BotocoreClosure,
}

impl Context<'_> {
    fn our_shape(&self, id: &str) -> Option<&Value> {
        self.ours.get(id)
    }

    /// The official shapes reachable from the official model's durable operations.
    fn official_closure(&self) -> BTreeSet<String> {
        let roots: Vec<String> = DURABLE_OPERATIONS
            .iter()
            .map(|op| lambda_id(op))
            .filter(|id| self.official.contains_key(id))
            .collect();
        smithy_closure(self.official, &roots)
    }

    /// Operations that only botocore has (their input/output get `smithy.api#input`/`output`).
    fn new_operation_io(&self, name: &str) -> Option<&'static str> {
        for op in DURABLE_OPERATIONS {
            if self.official.contains_key(&lambda_id(op)) {
                continue;
            }
            let Some(bop) = botocore_operation(self.botocore, op) else {
                continue;
            };
            if bop.get("input").and_then(|n| str_field(n, "shape")) == Some(name) {
                return Some("smithy.api#input");
            }
            if bop.get("output").and_then(|n| str_field(n, "shape")) == Some(name) {
                return Some("smithy.api#output");
            }
        }
        None
    }
}

// ----- service --------------------------------------------------------------------------------

fn check_service(ctx: &Context, r: &mut Report) {
    let Some(ours) = ctx.our_shape(SERVICE) else {
        r.shape(SERVICE, "service", "missing");
        return;
    };
    let Some(official) = ctx.official.get(SERVICE) else {
        r.shape(SERVICE, "service", "missing from the official model");
        return;
    };
    if shape_type(ours) != "service" {
        r.shape(
            SERVICE,
            "type",
            format!("{:?}, expected \"service\"", shape_type(ours)),
        );
    }
    if ours.get("version") != official.get("version") {
        r.shape(
            SERVICE,
            "version",
            format!(
                "{:?} vs official {:?}",
                ours.get("version"),
                official.get("version")
            ),
        );
    }
    if let Some(api_version) = ctx.botocore.pointer("/metadata/apiVersion")
        && ours.get("version") != Some(api_version)
    {
        r.shape(
            SERVICE,
            "version",
            format!("differs from botocore apiVersion {api_version}"),
        );
    }
    for key in ["resources", "errors", "rename"] {
        if ours.get(key).is_some() {
            r.shape(
                SERVICE,
                key,
                "must be absent: operations are bound directly",
            );
        }
    }
    let bound: BTreeSet<String> = ours
        .get("operations")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|o| target_of(o).to_string()).collect())
        .unwrap_or_default();
    let expected: BTreeSet<String> = DURABLE_OPERATIONS.iter().map(|o| lambda_id(o)).collect();
    for missing in expected.difference(&bound) {
        r.shape(
            SERVICE,
            "operations",
            format!("{} is not bound", short(missing)),
        );
    }
    for extra in bound.difference(&expected) {
        r.shape(
            SERVICE,
            "operations",
            format!("{} is not a durable operation", short(extra)),
        );
    }
    check_service_traits(ctx, ours, official, r);
}

fn check_service_traits(ctx: &Context, ours: &Value, official: &Value, r: &mut Report) {
    for id in SERVICE_TRAITS_REQUIRED {
        if !has_trait(ours, id) {
            r.shape(SERVICE, id, "missing");
        }
    }
    for id in SERVICE_TRAITS_COPIED {
        if let Some(value) = trait_value(ours, id)
            && trait_value(official, id) != Some(value)
        {
            r.shape(SERVICE, id, "differs from the official service shape");
        }
    }
    for id in traits_of(ours).into_iter().flat_map(|t| t.keys()) {
        if id != DOC && !SERVICE_TRAITS_COPIED.contains(&id.as_str()) {
            r.shape(
                SERVICE,
                id,
                "trait not allowed on our service (IAM/metadata traits are left out)",
            );
        }
    }
    let signing = ctx.botocore.pointer("/metadata/signingName");
    if signing.is_some()
        && trait_value(ours, "aws.auth#sigv4").and_then(|s| s.get("name")) != signing
    {
        r.shape(
            SERVICE,
            "aws.auth#sigv4",
            "name differs from botocore signingName",
        );
    }
    let sdk_id = ctx.botocore.pointer("/metadata/serviceId");
    if sdk_id.is_some()
        && trait_value(ours, "aws.api#service").and_then(|s| s.get("sdkId")) != sdk_id
    {
        r.shape(
            SERVICE,
            "aws.api#service",
            "sdkId differs from botocore serviceId",
        );
    }
}

// ----- official model ---------------------------------------------------------------------------

fn check_official_facts(ctx: &Context, r: &mut Report) {
    let mut ids = ctx.official_closure();
    ids.extend(
        ctx.ours
            .keys()
            .filter(|id| *id != SERVICE && ctx.official.contains_key(*id))
            .cloned(),
    );
    for id in ids {
        let Some(official) = ctx.official.get(&id) else {
            continue;
        };
        match ctx.our_shape(&id) {
            None => r.shape(&id, "shape", "missing (the official model has it)"),
            Some(ours) => compare_with_official(ctx, &id, ours, official, r),
        }
    }
}

fn compare_with_official(ctx: &Context, id: &str, ours: &Value, official: &Value, r: &mut Report) {
    if shape_type(ours) != shape_type(official) {
        r.shape(
            id,
            "type",
            format!(
                "{:?} vs official {:?}",
                shape_type(ours),
                shape_type(official)
            ),
        );
    }
    compare_shape_traits_with_official(ctx, id, ours, official, r);
    if shape_type(official) == "operation" {
        compare_operation_with_official(ctx, id, ours, official, r);
    }
    for (name, official_member) in members_of(official) {
        let Some(our_member) = member_of(ours, name) else {
            if shape_type(official) == "enum" {
                let value = trait_value(official_member, "smithy.api#enumValue")
                    .and_then(Value::as_str)
                    .unwrap_or(name);
                r.member(
                    id,
                    name,
                    "enum value",
                    format!("{value:?} missing (official has it)"),
                );
            } else {
                r.member(id, name, "member", "missing (official has it)");
            }
            continue;
        };
        if target_of(our_member) != target_of(official_member) {
            r.member(
                id,
                name,
                "target",
                format!(
                    "{} vs official {}",
                    target_of(our_member),
                    target_of(official_member)
                ),
            );
        }
        compare_trait_maps(
            id,
            Some(name),
            &fact_traits(our_member),
            &fact_traits(official_member),
            "official",
            r,
        );
    }
}

/// Shape-level facts must equal the official ones, except constraints botocore has since changed.
fn compare_shape_traits_with_official(
    ctx: &Context,
    id: &str,
    ours: &Value,
    official: &Value,
    r: &mut Report,
) {
    let mine = fact_traits(ours);
    let theirs = fact_traits(official);
    let newer = botocore_shape(ctx.botocore, short(id));
    let keys: BTreeSet<&String> = mine.keys().chain(theirs.keys()).collect();
    for key in keys {
        let (a, b) = (mine.get(key), theirs.get(key));
        if a == b {
            continue;
        }
        let botocore_states_ours = matches!(key.as_str(), "smithy.api#length" | "smithy.api#range")
            && newer.and_then(min_max).as_ref() == a;
        if !botocore_states_ours {
            r.shape(id, key, format!("{} vs official {}", show(a), show(b)));
        }
    }
}

fn compare_operation_with_official(
    ctx: &Context,
    id: &str,
    ours: &Value,
    official: &Value,
    r: &mut Report,
) {
    for key in ["input", "output"] {
        let (a, b) = (
            ours.get(key).map(target_of),
            official.get(key).map(target_of),
        );
        if a != b {
            r.shape(id, key, format!("{a:?} vs official {b:?}"));
        }
    }
    let our_errors = operation_errors(ours);
    for missing in operation_errors(official).difference(&our_errors) {
        r.shape(
            id,
            "errors",
            format!("{} missing (official lists it)", short(missing)),
        );
    }
    let a = effective_paginated(ctx.our_shape(SERVICE), ours);
    let b = effective_paginated(ctx.official.get(SERVICE), official);
    if a != b {
        r.shape(
            id,
            "paginated (merged with service defaults)",
            format!("{a:?} vs official {b:?}"),
        );
    }
}

fn compare_trait_maps(
    id: &str,
    member: Option<&str>,
    ours: &BTreeMap<String, Value>,
    theirs: &BTreeMap<String, Value>,
    source: &str,
    r: &mut Report,
) {
    let keys: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    for key in keys {
        let (a, b) = (ours.get(key), theirs.get(key));
        if a != b {
            let detail = format!("{} vs {source} {}", show(a), show(b));
            match member {
                Some(m) => r.member(id, m, key, detail),
                None => r.shape(id, key, detail),
            }
        }
    }
}

fn show_bound(v: Option<f64>) -> String {
    v.map_or_else(|| "absent".to_string(), |n| n.to_string())
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "absent".to_string(), Value::to_string)
}

// ----- botocore model ---------------------------------------------------------------------------

fn check_botocore_facts(ctx: &Context, r: &mut Report) {
    for op in DURABLE_OPERATIONS {
        let id = lambda_id(op);
        let Some(bop) = botocore_operation(ctx.botocore, op) else {
            r.shape(&id, "botocore", "botocore has no such operation");
            continue;
        };
        match ctx.our_shape(&id) {
            None => r.shape(&id, "operation", "missing (botocore has it)"),
            Some(ours) => compare_operation_with_botocore(ctx, &id, ours, bop, r),
        }
    }
    for name in &ctx.closure.real {
        let id = lambda_id(name);
        let Some(bshape) = botocore_shape(ctx.botocore, name) else {
            continue;
        };
        match ctx.our_shape(&id) {
            None => r.shape(&id, "shape", "missing (botocore has it)"),
            Some(ours) => compare_shape_with_botocore(ctx, &id, ours, bshape, r),
        }
    }
}

fn compare_operation_with_botocore(
    ctx: &Context,
    id: &str,
    ours: &Value,
    bop: &Value,
    r: &mut Report,
) {
    let http = trait_value(ours, "smithy.api#http");
    let field = |k: &str| http.and_then(|h| h.get(k)).cloned();
    let bhttp = bop.get("http");
    let bfield = |k: &str| bhttp.and_then(|h| h.get(k)).cloned();
    if field("method") != bfield("method") {
        r.shape(
            id,
            "http method",
            format!(
                "{} vs botocore {}",
                show(field("method").as_ref()),
                show(bfield("method").as_ref())
            ),
        );
    }
    if field("uri") != bfield("requestUri") {
        r.shape(
            id,
            "http uri",
            format!(
                "{} vs botocore {}",
                show(field("uri").as_ref()),
                show(bfield("requestUri").as_ref())
            ),
        );
    }
    let code = field("code").and_then(|c| c.as_u64()).unwrap_or(200);
    let bcode = bfield("responseCode")
        .and_then(|c| c.as_u64())
        .unwrap_or(200);
    if code != bcode {
        r.shape(
            id,
            "http code",
            format!("{code} vs botocore responseCode {bcode}"),
        );
    }
    for (key, trait_id) in [
        ("idempotent", "smithy.api#idempotent"),
        ("readonly", "smithy.api#readonly"),
    ] {
        if flag(bop, key) != has_trait(ours, trait_id) {
            r.shape(
                id,
                trait_id,
                format!(
                    "present={} vs botocore {key}={}",
                    has_trait(ours, trait_id),
                    flag(bop, key)
                ),
            );
        }
    }
    for key in ["input", "output"] {
        let a = ours.get(key).map(|n| short(target_of(n)).to_string());
        let b = bop
            .get(key)
            .and_then(|n| str_field(n, "shape"))
            .map(str::to_string);
        if a != b {
            r.shape(id, key, format!("{a:?} vs botocore {b:?}"));
        }
    }
    let our_errors = operation_errors(ours);
    for missing in botocore_errors(bop).difference(&our_errors) {
        r.shape(
            id,
            "errors",
            format!("{} missing (botocore lists it)", short(missing)),
        );
    }
    compare_pagination_with_botocore(ctx, id, ours, r);
}

fn compare_pagination_with_botocore(ctx: &Context, id: &str, ours: &Value, r: &mut Report) {
    let ours = effective_paginated(ctx.our_shape(SERVICE), ours);
    let theirs = ctx
        .paginators
        .pointer(&format!("/pagination/{}", short(id)));
    let expected = theirs.map(|p| {
        let mut m = Map::new();
        for (smithy_key, botocore_key) in [
            ("inputToken", "input_token"),
            ("outputToken", "output_token"),
            ("pageSize", "limit_key"),
            ("items", "result_key"),
        ] {
            if let Some(v) = p.get(botocore_key) {
                m.insert(smithy_key.to_string(), v.clone());
            }
        }
        m
    });
    if ours != expected {
        r.shape(
            id,
            "paginated",
            format!("{ours:?} vs botocore paginator {expected:?}"),
        );
    }
}

fn compare_shape_with_botocore(
    ctx: &Context,
    id: &str,
    ours: &Value,
    bshape: &Value,
    r: &mut Report,
) {
    let btype = botocore_smithy_type(bshape);
    if shape_type(ours) != btype {
        r.shape(
            id,
            "type",
            format!("{:?} vs botocore {btype:?}", shape_type(ours)),
        );
    }
    if let Some(values) = bshape.get("enum").and_then(Value::as_array) {
        let ours_values = enum_values(ours);
        for v in values.iter().filter_map(Value::as_str) {
            if !ours_values.contains(v) {
                r.member(id, v, "enum value", "missing (botocore has it)");
            }
        }
    }
    compare_constraints_with_botocore(id, ours, bshape, r);
    if flag(bshape, "exception") {
        let code = trait_value(ours, "smithy.api#httpError");
        let bcode = bshape.get("error").and_then(|e| e.get("httpStatusCode"));
        if code != bcode {
            r.shape(
                id,
                "smithy.api#httpError",
                format!("{} vs botocore httpStatusCode {}", show(code), show(bcode)),
            );
        }
        let kind = if flag(bshape, "fault") {
            "server"
        } else {
            "client"
        };
        if trait_value(ours, "smithy.api#error").and_then(Value::as_str) != Some(kind) {
            r.shape(
                id,
                "smithy.api#error",
                format!("expected {kind:?} from botocore fault flag"),
            );
        }
    }
    for (name, bmember) in botocore_members(bshape) {
        match member_of(ours, name) {
            None => r.member(id, name, "member", "missing (botocore has it)"),
            Some(our_member) => {
                compare_member_with_botocore(ctx, id, bshape, name, our_member, bmember, r)
            }
        }
    }
    for key in ["member", "key", "value"] {
        if let Some(btarget) = bshape.get(key).and_then(|n| str_field(n, "shape")) {
            let ours_target = ours.get(key).map(target_of).map(short);
            if ours_target != Some(btarget) {
                r.member(
                    id,
                    key,
                    "target",
                    format!("{ours_target:?} vs botocore {btarget:?}"),
                );
            }
        }
    }
}

/// `min`/`max`, `pattern` and `sensitive` of a botocore shape against ours.
fn compare_constraints_with_botocore(id: &str, ours: &Value, bshape: &Value, r: &mut Report) {
    let key = constraint_key(shape_type(ours));
    let (min, max) = bounds(trait_value(ours, key));
    for (k, mine) in [("min", min), ("max", max)] {
        if let Some(b) = bshape.get(k).and_then(Value::as_f64)
            && mine != Some(b)
        {
            r.shape(
                id,
                &format!("{key} {k}"),
                format!("{} vs botocore {b}", show_bound(mine)),
            );
        }
    }
    if let Some(bp) = str_field(bshape, "pattern") {
        let mine = trait_value(ours, "smithy.api#pattern").and_then(Value::as_str);
        if mine.map(unanchored) != Some(bp) {
            r.shape(
                id,
                "smithy.api#pattern",
                format!("{mine:?} vs botocore {bp:?} (anchors aside)"),
            );
        }
    }
    if flag(bshape, "sensitive") != has_trait(ours, "smithy.api#sensitive") {
        r.shape(
            id,
            "smithy.api#sensitive",
            format!(
                "present={} vs botocore {}",
                has_trait(ours, "smithy.api#sensitive"),
                flag(bshape, "sensitive")
            ),
        );
    }
}

fn compare_member_with_botocore(
    ctx: &Context,
    id: &str,
    bshape: &Value,
    name: &str,
    ours: &Value,
    bmember: &Value,
    r: &mut Report,
) {
    let bname = short(id);
    // Binding: uri -> httpLabel, querystring -> httpQuery, header -> httpHeader, payload -> httpPayload.
    let expected = botocore_binding(bshape, name, bmember);
    for trait_id in BINDING_TRAITS {
        let mine = trait_value(ours, trait_id);
        let theirs = expected
            .as_ref()
            .filter(|(t, _)| *t == trait_id)
            .map(|(_, v)| v);
        if mine != theirs {
            r.member(
                id,
                name,
                trait_id,
                format!("{} vs botocore {}", show(mine), show(theirs)),
            );
        }
    }
    let required = botocore_required(bshape).contains(name);
    if required != has_trait(ours, "smithy.api#required") {
        r.member(
            id,
            name,
            "smithy.api#required",
            format!(
                "ours required={} vs botocore required={required}",
                !required
            ),
        );
    }
    if flag(bmember, "idempotencyToken") != has_trait(ours, "smithy.api#idempotencyToken") {
        r.member(
            id,
            name,
            "smithy.api#idempotencyToken",
            format!(
                "botocore idempotencyToken={}",
                flag(bmember, "idempotencyToken")
            ),
        );
    }
    let btarget_name = str_field(bmember, "shape").unwrap_or("");
    let Some(btarget) = botocore_shape(ctx.botocore, btarget_name) else {
        return;
    };
    let our_target = ctx.our_shape(target_of(ours));
    let synthetic = is_synthetic(ctx.botocore, bname, name, btarget_name);
    if !synthetic && short(target_of(ours)) != btarget_name {
        r.member(
            id,
            name,
            "target",
            format!("{} vs botocore {btarget_name}", short(target_of(ours))),
        );
    }
    let our_type = our_target.map_or("(missing shape)", shape_type);
    if our_type != botocore_smithy_type(btarget) {
        r.member(
            id,
            name,
            "target type",
            format!("{our_type} vs botocore {}", botocore_smithy_type(btarget)),
        );
    }
    let sensitive = has_trait(ours, "smithy.api#sensitive")
        || our_target.is_some_and(|t| has_trait(t, "smithy.api#sensitive"));
    if sensitive != flag(btarget, "sensitive") {
        r.member(
            id,
            name,
            "smithy.api#sensitive",
            format!(
                "effective={sensitive} vs botocore {}",
                flag(btarget, "sensitive")
            ),
        );
    }
    if synthetic {
        // botocore's synthetic shape carries the member-level constraint.
        let key = constraint_key(our_type);
        let (min, max) = effective_bounds(ours, our_target, key);
        for (k, mine) in [("min", min), ("max", max)] {
            if let Some(b) = btarget.get(k).and_then(Value::as_f64)
                && mine != Some(b)
            {
                r.member(
                    id,
                    name,
                    &format!("{key} {k}"),
                    format!("{} vs botocore {btarget_name} {b}", show_bound(mine)),
                );
            }
        }
    }
}

// ----- nothing invented -------------------------------------------------------------------------

fn check_nothing_extra(ctx: &Context, r: &mut Report) {
    let mut expected: BTreeSet<String> = ctx.official_closure();
    expected.extend(ctx.closure.real.iter().map(|n| lambda_id(n)));
    expected.extend(DURABLE_OPERATIONS.iter().map(|o| lambda_id(o)));
    expected.insert(SERVICE.to_string());
    for (id, shape) in ctx.ours {
        if !expected.contains(id) {
            r.shape(
                id,
                "shape",
                "neither AWS model reaches it from the durable operations",
            );
            continue;
        }
        if id == SERVICE {
            continue;
        }
        check_allowed_traits(id, None, shape, r);
        let official = ctx.official.get(id);
        let botocore = botocore_shape(ctx.botocore, short(id));
        if official.is_none() {
            let expected = expected_traits_from_botocore(
                ctx.botocore,
                short(id),
                ctx.new_operation_io(short(id)),
            );
            compare_trait_maps(
                id,
                None,
                &fact_traits(shape),
                &expected,
                "botocore-derived",
                r,
            );
        }
        if shape_type(shape) == "operation" {
            check_operation_not_invented(ctx, id, shape, official, r);
        }
        for (name, member) in members_of(shape) {
            check_allowed_traits(id, Some(name), member, r);
            if official.and_then(|o| member_of(o, name)).is_some() {
                continue; // compared exactly with the official member
            }
            check_member_not_invented(ctx, id, shape, name, member, botocore, r);
        }
    }
}

fn check_allowed_traits(id: &str, member: Option<&str>, node: &Value, r: &mut Report) {
    for key in traits_of(node).into_iter().flat_map(|t| t.keys()) {
        if key != DOC && !FACT_TRAITS.contains(&key.as_str()) {
            match member {
                Some(m) => r.member(
                    id,
                    m,
                    key,
                    "trait not allowed (IAM/metadata/tags are left out)",
                ),
                None => r.shape(
                    id,
                    key,
                    "trait not allowed (IAM/metadata/tags are left out)",
                ),
            }
        }
    }
}

fn check_operation_not_invented(
    ctx: &Context,
    id: &str,
    op: &Value,
    official: Option<&Value>,
    r: &mut Report,
) {
    let mut known = official.map(operation_errors).unwrap_or_default();
    if let Some(bop) = botocore_operation(ctx.botocore, short(id)) {
        known.extend(botocore_errors(bop));
    }
    for extra in operation_errors(op).difference(&known) {
        r.shape(
            id,
            "errors",
            format!("{} is listed by neither AWS model", short(extra)),
        );
    }
    if official.is_none() {
        let bop = botocore_operation(ctx.botocore, short(id));
        for key in ["input", "output"] {
            let b = bop
                .and_then(|o| o.get(key))
                .and_then(|n| str_field(n, "shape"));
            if op.get(key).map(|n| short(target_of(n))) != b {
                r.shape(id, key, format!("differs from botocore {b:?}"));
            }
        }
    }
}

fn check_member_not_invented(
    ctx: &Context,
    id: &str,
    shape: &Value,
    name: &str,
    member: &Value,
    botocore: Option<&Value>,
    r: &mut Report,
) {
    let bname = short(id);
    if shape_type(shape) == "enum" {
        let value = trait_value(member, "smithy.api#enumValue").and_then(Value::as_str);
        let known = botocore
            .and_then(|b| b.get("enum"))
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v.as_str() == value));
        if !known || value != Some(name) {
            r.member(
                id,
                name,
                "enum value",
                format!(
                    "{value:?} is in neither AWS model (or member name differs from the value)"
                ),
            );
        }
        if target_of(member) != "smithy.api#Unit" {
            r.member(id, name, "target", "enum members target smithy.api#Unit");
        }
        let expected: BTreeMap<String, Value> = value
            .map(|v| [("smithy.api#enumValue".to_string(), Value::String(v.into()))].into())
            .unwrap_or_default();
        compare_trait_maps(
            id,
            Some(name),
            &fact_traits(member),
            &expected,
            "botocore-derived",
            r,
        );
        return;
    }
    let bmember = botocore.and_then(|b| match name {
        "member" | "key" | "value" => b.get(name),
        _ => b.get("members").and_then(|m| m.get(name)),
    });
    let (Some(bshape), Some(bmember)) = (botocore, bmember) else {
        r.member(id, name, "member", "is in neither AWS model");
        return;
    };
    let expected = if matches!(name, "member" | "key" | "value") {
        BTreeMap::new()
    } else {
        expected_member_traits_from_botocore(ctx.botocore, bname, bshape, name, bmember)
    };
    compare_trait_maps(
        id,
        Some(name),
        &fact_traits(member),
        &expected,
        "botocore-derived",
        r,
    );
    let btarget = str_field(bmember, "shape").unwrap_or("");
    let synthetic = is_synthetic(ctx.botocore, bname, name, btarget);
    if !synthetic && short(target_of(member)) != btarget {
        r.member(
            id,
            name,
            "target",
            format!("{} vs botocore {btarget}", short(target_of(member))),
        );
    }
}

// ----- documentation ----------------------------------------------------------------------------

fn check_documentation(ctx: &Context, r: &mut Report) {
    for (id, shape) in ctx.ours {
        let name = short(id);
        let mut official_docs: Vec<&str> = Vec::new();
        official_docs.extend(
            ctx.official
                .get(id)
                .and_then(|s| trait_value(s, DOC))
                .and_then(Value::as_str),
        );
        official_docs
            .extend(botocore_shape(ctx.botocore, name).and_then(|s| str_field(s, "documentation")));
        official_docs.extend(
            botocore_operation(ctx.botocore, name).and_then(|s| str_field(s, "documentation")),
        );
        check_doc(id, None, shape, &official_docs, r);
        for (member_name, member) in members_of(shape) {
            let mut official_docs: Vec<&str> = Vec::new();
            official_docs.extend(
                ctx.official
                    .get(id)
                    .and_then(|s| member_of(s, member_name))
                    .and_then(|m| trait_value(m, DOC))
                    .and_then(Value::as_str),
            );
            official_docs.extend(
                botocore_shape(ctx.botocore, name)
                    .and_then(|s| s.get("members"))
                    .and_then(|m| m.get(member_name))
                    .and_then(|m| str_field(m, "documentation")),
            );
            check_doc(id, Some(member_name), member, &official_docs, r);
        }
    }
}

fn check_doc(id: &str, member: Option<&str>, node: &Value, official_docs: &[&str], r: &mut Report) {
    let mut problem = |detail: &str| match member {
        Some(m) => r.member(id, m, "documentation", detail),
        None => r.shape(id, "documentation", detail),
    };
    let Some(doc) = trait_value(node, DOC).and_then(Value::as_str) else {
        problem("missing");
        return;
    };
    if doc.trim().is_empty() {
        problem("empty");
        return;
    }
    if doc.contains(['[', ']', '<', '>']) {
        problem("contains [, ], < or > (rustdoc would read them as links or HTML)");
    }
    let ours = normalize_doc(doc);
    if official_docs.iter().any(|o| normalize_doc(o) == ours) {
        problem("copied from AWS's documentation; write it in our own words");
    }
}

// ---------------------------------------------------------------------------------------------
// File layout: formatting, shape order, member order (needs document order, so a small parser)
// ---------------------------------------------------------------------------------------------

/// A JSON value that keeps object keys in document order (serde_json's `Map` may sort them).
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    /// The number exactly as written.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn parse(text: &str) -> Result<Json, String> {
        let mut p = Parser { text, pos: 0 };
        let value = p.value()?;
        p.skip_ws();
        if p.pos != text.len() {
            return Err(format!("trailing characters at byte {}", p.pos));
        }
        Ok(value)
    }

    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The entries of the object stored under `key` in this object, for editing.
    fn entries_mut(&mut self, key: &str) -> Option<&mut Vec<(String, Json)>> {
        match self {
            Json::Object(entries) => match entries.iter_mut().find(|(k, _)| k == key) {
                Some((_, Json::Object(inner))) => Some(inner),
                _ => None,
            },
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        match self {
            Json::Object(entries) => entries.iter().map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// Pretty-prints with 4-space indentation, the layout `model/lambda.json` must have.
    fn pretty(&self, indent: usize, out: &mut String) {
        let pad = |n: usize| " ".repeat(n);
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
            Json::Array(items) if items.is_empty() => out.push_str("[]"),
            Json::Object(entries) if entries.is_empty() => out.push_str("{}"),
            Json::Array(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&pad(indent + 4));
                    item.pretty(indent + 4, out);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push(']');
            }
            Json::Object(entries) => {
                out.push_str("{\n");
                for (i, (key, value)) in entries.iter().enumerate() {
                    out.push_str(&pad(indent + 4));
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push_str(": ");
                    value.pretty(indent + 4, out);
                    out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push('}');
            }
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos += rest.len() - rest.trim_start_matches([' ', '\n', '\r', '\t']).len();
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at byte {}", c as char, self.pos))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(c) if c == b'-' || c.is_ascii_digit() => Ok(self.number()),
            _ => Err(format!("unexpected input at byte {}", self.pos)),
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(format!("bad literal at byte {}", self.pos))
        }
    }

    fn number(&mut self) -> Json {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            self.pos += 1;
        }
        Json::Number(self.text[start..self.pos].to_string())
    }

    /// Finds the closing quote, then lets serde_json decode the escapes.
    fn string(&mut self) -> Result<String, String> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        while i < bytes.len() && bytes[i] != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        if i >= bytes.len() {
            return Err(format!("unterminated string at byte {start}"));
        }
        self.pos = i + 1;
        serde_json::from_str(&self.text[start..self.pos])
            .map_err(|e| format!("bad string at byte {start}: {e}"))
    }

    fn array(&mut self) -> Result<Json, String> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(format!("expected ',' or ']' at byte {}", self.pos)),
            }
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.expect(b'{')?;
        let mut entries = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(entries));
        }
        loop {
            self.skip_ws();
            let key = self.string()?;
            self.expect(b':')?;
            entries.push((key, self.value()?));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(entries));
                }
                _ => return Err(format!("expected ',' or '}}' at byte {}", self.pos)),
            }
        }
    }
}

/// Checks the text of our model: 4-space pretty printing with a trailing newline, `"smithy"`
/// first, shapes sorted by id, and members in the official order followed by botocore-only
/// members (or enum values) in botocore's order.
fn check_model_text(text: &str, src: &Sources) -> Vec<String> {
    let mut r = Report::default();
    let doc = match Json::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            r.shape("(file)", "JSON", e);
            return r.problems;
        }
    };
    let mut printed = String::new();
    doc.pretty(0, &mut printed);
    printed.push('\n');
    if printed != text {
        let line = printed
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| "the end".to_string(), |n| format!("line {}", n + 1));
        r.shape("(file)", "layout", format!("not pretty-printed with 4-space indent and a trailing newline (first difference at {line})"));
    }
    if doc.keys().first() != Some(&"smithy") {
        r.shape("(file)", "layout", "the file must start with \"smithy\"");
    }
    let Some(shapes) = doc.get("shapes") else {
        r.shape("(file)", "shapes", "missing");
        return r.problems;
    };
    let ids = shapes.keys();
    if ids.windows(2).any(|w| w[0] > w[1]) {
        r.shape("(file)", "shape order", "shapes are not sorted by shape id");
    }
    for (id, shape) in ids.iter().zip(shapes_in_order(shapes)) {
        check_member_order(id, shape, src, &mut r);
    }
    r.problems
}

fn shapes_in_order(shapes: &Json) -> Vec<&Json> {
    match shapes {
        Json::Object(entries) => entries.iter().map(|(_, v)| v).collect(),
        _ => Vec::new(),
    }
}

fn check_member_order(id: &str, shape: &Json, src: &Sources, r: &mut Report) {
    let Some(members) = shape.get("members") else {
        return;
    };
    let ours = members.keys();
    let official: Vec<&str> = src
        .official_ordered
        .get("shapes")
        .and_then(|s| s.get(id))
        .and_then(|s| s.get("members"))
        .map(Json::keys)
        .unwrap_or_default();
    let bshape = src
        .botocore_ordered
        .get("shapes")
        .and_then(|s| s.get(short(id)));
    let botocore: Vec<&str> = match bshape.and_then(|s| s.get("enum")) {
        Some(Json::Array(values)) => values
            .iter()
            .filter_map(|v| match v {
                Json::String(s) => Some(s.as_str()),
                _ => None,
            })
            .collect(),
        _ => bshape
            .and_then(|s| s.get("members"))
            .map(Json::keys)
            .unwrap_or_default(),
    };
    let mut expected: Vec<&str> = official
        .iter()
        .copied()
        .filter(|m| ours.contains(m))
        .collect();
    expected.extend(
        botocore
            .iter()
            .copied()
            .filter(|m| ours.contains(m) && !official.contains(m)),
    );
    if expected.len() == ours.len() && expected != ours {
        r.shape(
            id,
            "member order",
            format!("{ours:?}, expected {expected:?}"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

fn our_model(src: &Sources) -> Value {
    serde_json::from_str(&src.ours_text).expect("model/lambda.json must be valid JSON")
}

fn fail_with(problems: &[String]) {
    assert!(
        problems.is_empty(),
        "model/lambda.json disagrees with AWS's models in {} place(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn model_facts_match_aws_models() {
    let Some(src) = sources() else { return };
    fail_with(&check_model(&our_model(src), src));
}

#[test]
fn model_file_layout() {
    let Some(src) = sources() else { return };
    fail_with(&check_model_text(&src.ours_text, src));
}

#[test]
fn model_has_all_durable_operations_and_expected_size() {
    let Some(src) = sources() else { return };
    let ours = our_model(src);
    let shapes = shapes_of(&ours).expect("model has shapes");
    let operations = shapes
        .values()
        .filter(|s| shape_type(s) == "operation")
        .count();
    assert_eq!(
        operations,
        DURABLE_OPERATIONS.len(),
        "operation shapes in the model"
    );
    let official_shapes = shapes_of(&src.official).expect("official model has shapes");
    let official_durable = DURABLE_OPERATIONS
        .iter()
        .filter(|op| official_shapes.contains_key(&lambda_id(op)))
        .count();
    assert_eq!(
        official_durable, 9,
        "the official Smithy model has 9 durable operations"
    );
}

/// Runs the checker on a mutated copy of our model and returns its report.
fn problems_after(mutate: impl FnOnce(&mut Map<String, Value>)) -> Option<Vec<String>> {
    let src = sources()?;
    let mut model = our_model(src);
    let shapes = model
        .get_mut("shapes")
        .and_then(Value::as_object_mut)
        .expect("model has a shapes object");
    mutate(shapes);
    Some(check_model(&model, src))
}

fn shape_mut<'a>(shapes: &'a mut Map<String, Value>, name: &str) -> &'a mut Value {
    shapes
        .get_mut(&lambda_id(name))
        .unwrap_or_else(|| panic!("model has {name}"))
}

fn member_mut<'a>(shapes: &'a mut Map<String, Value>, shape: &str, member: &str) -> &'a mut Value {
    shape_mut(shapes, shape)
        .pointer_mut(&format!("/members/{member}"))
        .unwrap_or_else(|| panic!("model has {shape}${member}"))
}

fn traits_mut(node: &mut Value) -> &mut Map<String, Value> {
    node.get_mut("traits")
        .and_then(Value::as_object_mut)
        .expect("node has traits")
}

/// Asserts that some reported problem contains every one of `needles`.
fn assert_reported(problems: Option<Vec<String>>, needles: &[&str]) {
    let Some(problems) = problems else { return };
    assert!(
        problems
            .iter()
            .any(|p| needles.iter().all(|n| p.contains(n))),
        "expected a problem mentioning {needles:?}, got:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn detects_removed_enum_value() {
    let p = problems_after(|s| {
        let members = shape_mut(s, "ExecutionStatus")
            .get_mut("members")
            .and_then(Value::as_object_mut)
            .expect("enum members");
        members.remove("PAUSED");
        members.remove("RUNNING");
    });
    assert_reported(
        p.clone(),
        &["ExecutionStatus$PAUSED", "enum value", "botocore"],
    );
    assert_reported(p, &["ExecutionStatus$RUNNING", "enum value", "official"]);
}

#[test]
fn detects_invented_enum_value() {
    let p = problems_after(|s| {
        let members = shape_mut(s, "EventType")
            .get_mut("members")
            .and_then(Value::as_object_mut)
            .expect("enum members");
        members.insert(
            "ExecutionRewound".into(),
            serde_json::json!({"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "ExecutionRewound", DOC: "Made up."}}),
        );
    });
    assert_reported(p, &["EventType$ExecutionRewound", "enum value"]);
}

#[test]
fn detects_changed_http_query_name() {
    let p = problems_after(|s| {
        let m = member_mut(s, "GetDurableExecutionHistoryRequest", "MaxItems");
        traits_mut(m).insert("smithy.api#httpQuery".into(), "maxItems".into());
    });
    assert_reported(
        p.clone(),
        &[
            "GetDurableExecutionHistoryRequest$MaxItems",
            "smithy.api#httpQuery",
            "official",
        ],
    );
    assert_reported(
        p,
        &[
            "GetDurableExecutionHistoryRequest$MaxItems",
            "smithy.api#httpQuery",
            "botocore",
        ],
    );
}

#[test]
fn detects_changed_binding_of_new_member() {
    let p = problems_after(|s| {
        let m = member_mut(s, "GetDurableExecutionRequest", "IncludeExecutionData");
        traits_mut(m).remove("smithy.api#httpQuery");
    });
    assert_reported(
        p,
        &[
            "GetDurableExecutionRequest$IncludeExecutionData",
            "smithy.api#httpQuery",
        ],
    );
}

#[test]
fn detects_dropped_errors() {
    let p = problems_after(|s| {
        let errors = shape_mut(s, "GetDurableExecution")
            .get_mut("errors")
            .and_then(Value::as_array_mut)
            .expect("errors");
        errors.retain(|e| {
            let t = target_of(e);
            !t.ends_with("#KMSNotFoundException") && !t.ends_with("#ResourceNotFoundException")
        });
    });
    assert_reported(
        p.clone(),
        &[
            "GetDurableExecution",
            "errors",
            "KMSNotFoundException",
            "botocore",
        ],
    );
    assert_reported(
        p,
        &[
            "GetDurableExecution",
            "errors",
            "ResourceNotFoundException",
            "official",
        ],
    );
}

#[test]
fn detects_invented_error() {
    let p = problems_after(|s| {
        let errors = shape_mut(s, "SendDurableExecutionCallbackHeartbeat")
            .get_mut("errors")
            .and_then(Value::as_array_mut)
            .expect("errors");
        errors.push(serde_json::json!({"target": lambda_id("KMSDisabledException")}));
    });
    assert_reported(
        p,
        &[
            "SendDurableExecutionCallbackHeartbeat",
            "errors",
            "KMSDisabledException",
            "neither",
        ],
    );
}

#[test]
fn detects_changed_length_max() {
    let p = problems_after(|s| {
        traits_mut(shape_mut(s, "BinaryOperationPayload")).insert(
            "smithy.api#length".into(),
            serde_json::json!({"min": 0, "max": 262144}),
        );
        traits_mut(shape_mut(s, "CheckpointToken")).insert(
            "smithy.api#length".into(),
            serde_json::json!({"min": 1, "max": 4096}),
        );
        traits_mut(shape_mut(s, "PauseReason")).insert(
            "smithy.api#length".into(),
            serde_json::json!({"min": 0, "max": 2048}),
        );
    });
    assert_reported(
        p.clone(),
        &[
            "BinaryOperationPayload",
            "smithy.api#length max",
            "botocore 1048576",
        ],
    );
    assert_reported(
        p.clone(),
        &["CheckpointToken", "smithy.api#length", "official"],
    );
    assert_reported(
        p,
        &["PauseReason", "smithy.api#length max", "botocore 1024"],
    );
}

#[test]
fn detects_changed_member_range() {
    let p = problems_after(|s| {
        let m = member_mut(s, "WaitOptions", "WaitSeconds");
        traits_mut(m).insert(
            "smithy.api#range".into(),
            serde_json::json!({"min": 1, "max": 100}),
        );
    });
    assert_reported(
        p.clone(),
        &["WaitOptions$WaitSeconds", "smithy.api#range", "official"],
    );
    assert_reported(
        p,
        &[
            "WaitOptions$WaitSeconds",
            "smithy.api#range max",
            "WaitOptionsWaitSecondsInteger",
        ],
    );
}

#[test]
fn detects_wrong_http_of_new_operation() {
    let p = problems_after(|s| {
        let http = traits_mut(shape_mut(s, "PauseDurableExecution"))
            .get_mut("smithy.api#http")
            .and_then(Value::as_object_mut)
            .expect("http trait");
        http.insert("code".into(), 200.into());
        http.insert("method".into(), "PUT".into());
    });
    assert_reported(p.clone(), &["PauseDurableExecution", "http code", "202"]);
    assert_reported(p, &["PauseDurableExecution", "http method"]);
}

#[test]
fn detects_dropped_required_and_idempotency_token() {
    let p = problems_after(|s| {
        traits_mut(member_mut(
            s,
            "ExecutionPausedDetails",
            "ExecutionTimeoutPaused",
        ))
        .remove("smithy.api#required");
        traits_mut(member_mut(s, "PauseDurableExecutionRequest", "ClientToken"))
            .remove("smithy.api#idempotencyToken");
        traits_mut(member_mut(s, "GetDurableExecutionResponse", "Status"))
            .remove("smithy.api#required");
    });
    assert_reported(
        p.clone(),
        &[
            "ExecutionPausedDetails$ExecutionTimeoutPaused",
            "smithy.api#required",
        ],
    );
    assert_reported(
        p.clone(),
        &[
            "PauseDurableExecutionRequest$ClientToken",
            "smithy.api#idempotencyToken",
        ],
    );
    assert_reported(
        p,
        &[
            "GetDurableExecutionResponse$Status",
            "smithy.api#required",
            "official",
        ],
    );
}

#[test]
fn detects_wrong_error_status() {
    let p = problems_after(|s| {
        traits_mut(shape_mut(s, "KMSDisabledException"))
            .insert("smithy.api#httpError".into(), 500.into());
    });
    assert_reported(p, &["KMSDisabledException", "smithy.api#httpError", "502"]);
}

#[test]
fn detects_invented_shape_and_member() {
    let p = problems_after(|s| {
        s.insert(
            lambda_id("RewindReason"),
            serde_json::json!({"type": "string", "traits": {DOC: "Made up."}}),
        );
        shape_mut(s, "PauseDetails")
            .get_mut("members")
            .and_then(Value::as_object_mut)
            .expect("members")
            .insert(
                "Rewind".into(),
                serde_json::json!({"target": lambda_id("String"), "traits": {DOC: "Made up."}}),
            );
    });
    assert_reported(p.clone(), &["RewindReason", "neither AWS model"]);
    assert_reported(p, &["PauseDetails$Rewind", "neither AWS model"]);
}

#[test]
fn detects_missing_shape_and_wrong_target() {
    let p = problems_after(|s| {
        s.remove(&lambda_id("EventResumeReason"));
        member_mut(s, "Event", "EventId")["target"] = lambda_id("AttemptCount").into();
    });
    assert_reported(p.clone(), &["EventResumeReason", "missing"]);
    assert_reported(p, &["Event$EventId", "target"]);
}

#[test]
fn detects_copied_or_missing_documentation() {
    let Some(src) = sources() else { return };
    let official_doc = src
        .official
        .pointer(
            "/shapes/com.amazonaws.lambda#StopDurableExecution/traits/smithy.api#documentation",
        )
        .cloned()
        .expect("official StopDurableExecution has documentation");
    let p = problems_after(|s| {
        traits_mut(shape_mut(s, "StopDurableExecution")).insert(DOC.into(), official_doc);
        traits_mut(member_mut(s, "Execution", "Status")).remove(DOC);
        traits_mut(shape_mut(s, "TenantId")).insert(DOC.into(), "See <b>TenantId</b>.".into());
    });
    assert_reported(
        p.clone(),
        &["StopDurableExecution", "documentation", "copied"],
    );
    assert_reported(p.clone(), &["Execution$Status", "documentation", "missing"]);
    assert_reported(p, &["TenantId", "documentation", "rustdoc"]);
}

#[test]
fn detects_forbidden_and_changed_service_traits() {
    let p = problems_after(|s| {
        let service = traits_mut(s.get_mut(SERVICE).expect("service shape"));
        service.insert(
            "smithy.api#tags".into(),
            serde_json::json!(["feature:public"]),
        );
        service.insert(
            "aws.auth#sigv4".into(),
            serde_json::json!({"name": "lambda-durable"}),
        );
        s.get_mut(SERVICE)
            .and_then(|svc| svc.get_mut("operations"))
            .and_then(Value::as_array_mut)
            .expect("operations")
            .pop();
    });
    assert_reported(
        p.clone(),
        &["AWSGirApiService", "smithy.api#tags", "not allowed"],
    );
    assert_reported(p.clone(), &["AWSGirApiService", "aws.auth#sigv4"]);
    assert_reported(p, &["AWSGirApiService", "operations", "not bound"]);
}

#[test]
fn detects_layout_problems() {
    let Some(src) = sources() else { return };
    let two_space = {
        let value = our_model(src);
        serde_json::to_string_pretty(&value).expect("serializable") + "\n"
    };
    assert_reported(
        Some(check_model_text(&two_space, src)),
        &["(file)", "layout"],
    );

    let mut doc = Json::parse(&src.ours_text).expect("our model parses");
    let shapes = doc.entries_mut("shapes").expect("shapes object");
    shapes.swap(0, 1);
    let execution = shapes
        .iter_mut()
        .find(|(k, _)| *k == lambda_id("Execution"))
        .map(|(_, v)| v)
        .expect("Execution shape");
    execution
        .entries_mut("members")
        .expect("Execution members")
        .reverse();
    let mut text = String::new();
    doc.pretty(0, &mut text);
    text.push('\n');
    let problems = check_model_text(&text, src);
    assert_reported(Some(problems.clone()), &["Execution", "member order"]);
    assert_reported(Some(problems), &["shape order"]);
}
