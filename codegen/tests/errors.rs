//! Bad input fails with an [`Error`] that names the shape; good real-world input succeeds, all
//! of it, and deterministically.

use std::path::{Path, PathBuf};

use lambda_sdk_codegen::lower::lower;
use lambda_sdk_codegen::{Error, Files, Model, Options, generate};
use serde_json::{Value, json};

/// A minimal restJson1 service with one operation `ex#Op` whose input is `ex#OpInput`, plus
/// `extra` shapes; `input_members` are the input's members.
fn model(input_members: Value, extra: Value) -> String {
    let mut shapes = json!({
        "ex#Svc": {
            "type": "service",
            "version": "1",
            "operations": [{"target": "ex#Op"}],
            "traits": {"aws.protocols#restJson1": {}, "aws.auth#sigv4": {"name": "ex"}}
        },
        "ex#Op": {
            "type": "operation",
            "input": {"target": "ex#OpInput"},
            "traits": {"smithy.api#http": {"method": "POST", "uri": "/op"}}
        },
        "ex#OpInput": {"type": "structure", "members": input_members}
    });
    for (id, shape) in extra.as_object().unwrap() {
        shapes[id] = shape.clone();
    }
    json!({"smithy": "2.0", "shapes": shapes}).to_string()
}

/// Reads and lowers `json`, which must fail; returns the error. Every check of the model is
/// made by then: the emitters that follow cannot fail.
fn fails(json: &str) -> Error {
    let model = match Model::from_json(json) {
        Ok(model) => model,
        Err(e) => return e,
    };
    match lower(&model, &Options::default()) {
        Ok(krate) => panic!(
            "lowering should fail, but produced {} operations",
            krate.operations.len()
        ),
        Err(e) => e,
    }
}

/// Asserts the error is about `shape` (by `shape_id()`) and that Display names it too.
fn assert_names(err: &Error, shape: &str, message_part: &str) {
    assert_eq!(err.shape_id(), Some(shape), "wrong shape in: {err}");
    let text = err.to_string();
    assert!(text.starts_with(&format!("{shape}: ")), "{text}");
    assert!(
        text.contains(message_part),
        "{text:?} lacks {message_part:?}"
    );
}

#[test]
fn unsupported_smithy_trait_on_a_member() {
    let json = model(
        json!({"Name": {"target": "smithy.api#String", "traits": {"smithy.api#httpFancy": {}}}}),
        json!({}),
    );
    let err = fails(&json);
    assert_names(
        &err,
        "ex#OpInput$Name",
        "trait `smithy.api#httpFancy` is not supported",
    );
}

#[test]
fn unsupported_trait_on_a_nested_shape() {
    let json = model(
        json!({"Inner": {"target": "ex#Inner"}}),
        json!({"ex#Inner": {"type": "structure", "members": {}, "traits": {"aws.protocols#awsQueryError": {}}}}),
    );
    assert_names(
        &fails(&json),
        "ex#Inner",
        "trait `aws.protocols#awsQueryError` is not supported",
    );
}

#[test]
fn big_integer_member() {
    let json = model(
        json!({"Huge": {"target": "smithy.api#BigInteger"}}),
        json!({}),
    );
    let err = fails(&json);
    assert_names(&err, "smithy.api#BigInteger", "BigInteger is not supported");
    assert!(err.to_string().contains("ex#OpInput$Huge"), "{err}");
}

#[test]
fn big_decimal_member() {
    let json = model(
        json!({"Exact": {"target": "ex#Money"}}),
        json!({"ex#Money": {"type": "bigDecimal"}}),
    );
    let err = fails(&json);
    assert_names(&err, "ex#Money", "BigDecimal is not supported");
    assert!(err.to_string().contains("ex#OpInput$Exact"), "{err}");
}

#[test]
fn smithy_1_enum_trait() {
    let json = model(
        json!({"Color": {"target": "ex#Color"}}),
        json!({"ex#Color": {"type": "string", "traits": {"smithy.api#enum": [{"value": "red"}, {"value": "blue"}]}}}),
    );
    // The trait allowlist rejects it first, so the message is the generic one (the lowering's
    // "convert it to a Smithy 2.0 `enum` shape" hint is never reached).
    assert_names(&fails(&json), "ex#Color", "`smithy.api#enum`");
}

#[test]
fn member_targeting_an_undefined_shape() {
    let json = model(json!({"Ghost": {"target": "ex#Missing"}}), json!({}));
    let err = fails(&json);
    // The error names the missing shape; the message says it is not defined.
    assert_names(&err, "ex#Missing", "not defined");
}

#[test]
fn uri_label_without_a_member() {
    let mut json: Value = serde_json::from_str(&model(json!({}), json!({}))).unwrap();
    json["shapes"]["ex#Op"]["traits"]["smithy.api#http"]["uri"] = json!("/things/{Name}");
    let err = fails(&json.to_string());
    assert_names(
        &err,
        "ex#Op",
        "URI label `{Name}` has no input member with @httpLabel",
    );
}

#[test]
fn optional_label_member() {
    let mut json: Value = serde_json::from_str(&model(
        json!({"Name": {"target": "smithy.api#String", "traits": {"smithy.api#httpLabel": {}}}}),
        json!({}),
    ))
    .unwrap();
    json["shapes"]["ex#Op"]["traits"]["smithy.api#http"]["uri"] = json!("/things/{Name}");
    assert_names(
        &fails(&json.to_string()),
        "ex#OpInput$Name",
        "a path label must be @required",
    );
}

#[test]
fn label_member_without_a_uri_label() {
    let json = model(
        json!({"Name": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}, "smithy.api#httpLabel": {}}}}),
        json!({}),
    );
    assert_names(
        &fails(&json),
        "ex#Op",
        "input member `Name` has @httpLabel but the URI has no such label",
    );
}

#[test]
fn invalid_json() {
    for bad in [
        "",
        "{",
        "[]",
        r#"{"smithy": "2.0", "shapes": {"ex#A": {"type": "flute"}}}"#,
    ] {
        let err = Model::from_json(bad).unwrap_err();
        assert_eq!(err.shape_id(), None, "{err}");
        assert!(
            err.to_string().contains("not a Smithy JSON AST"),
            "{bad:?}: {err}"
        );
    }
    let err = Model::from_json(r#"{"smithy": "3.0", "shapes": {}}"#).unwrap_err();
    assert!(
        err.to_string().contains("unsupported Smithy IDL version"),
        "{err}"
    );
}

#[test]
fn rust_type_names_collide() {
    // `ex#KMSKey` and `ex#KmsKey` both become `KmsKey`.
    let json = model(
        json!({"A": {"target": "ex#KMSKey"}, "B": {"target": "ex#KmsKey"}}),
        json!({
            "ex#KMSKey": {"type": "structure", "members": {}},
            "ex#KmsKey": {"type": "structure", "members": {}}
        }),
    );
    let err = fails(&json);
    let text = err.to_string();
    assert!(
        text.contains("its Rust name `KmsKey` is already used by"),
        "{text}"
    );
    let (named, other) = match err.shape_id() {
        Some("ex#KMSKey") => ("ex#KMSKey", "ex#KmsKey"),
        Some("ex#KmsKey") => ("ex#KmsKey", "ex#KMSKey"),
        _ => panic!("the error should name one of the colliding shapes: {text}"),
    };
    assert!(text.starts_with(&format!("{named}: ")), "{text}");
    assert!(text.contains(other), "{text} should name {other} too");
}

#[test]
fn shared_type_colliding_with_an_operation_type() {
    // A shape named `OpRequest` collides with the operation's generated request type.
    let json = model(
        json!({"A": {"target": "ex#OpRequest"}}),
        json!({"ex#OpRequest": {"type": "structure", "members": {}}}),
    );
    let err = fails(&json);
    assert_eq!(err.shape_id(), Some("ex#OpRequest"), "{err}");
    assert!(
        err.to_string()
            .contains("`OpRequest` is already used by `ex#Op`"),
        "{err}"
    );
}

#[test]
fn builder_methods_collide() {
    // `Name`'s `set_name` and `SetName`'s `set_name` would be the same builder method.
    let json = model(
        json!({"Name": {"target": "smithy.api#String"}, "SetName": {"target": "smithy.api#String"}}),
        json!({}),
    );
    let err = fails(&json);
    assert!(
        err.shape_id().is_some_and(|id| id.ends_with("$SetName")),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("builder method `set_name` is already used by member `Name`"),
        "{err}"
    );
}

#[test]
fn rename_resolves_a_collision() {
    let json = model(
        json!({"A": {"target": "ex#KMSKey"}, "B": {"target": "other#KmsKey"}}),
        json!({
            "ex#KMSKey": {"type": "structure", "members": {}},
            "other#KmsKey": {"type": "structure", "members": {}}
        }),
    );
    let mut value: Value = serde_json::from_str(&json).unwrap();
    value["shapes"]["ex#Svc"]["rename"] = json!({"other#KmsKey": "OtherKmsKey"});
    let files = generate(
        &Model::from_json(&value.to_string()).unwrap(),
        &Options::default(),
    )
    .unwrap();
    assert!(files.contains_key(Path::new("src/types/kms_key.rs")));
    assert!(files.contains_key(Path::new("src/types/other_kms_key.rs")));
}

#[test]
fn operation_feature_colliding_with_a_crate_feature() {
    for (operation, feature) in [("Proxy", "proxy"), ("Http2", "http2"), ("Imds", "imds")] {
        let json = model(json!({}), json!({}))
            .replace("ex#Op\"", &format!("ex#{operation}\""))
            .replace("\"/op\"", &format!("\"/{feature}\""));
        let err = fails(&json);
        assert_names(
            &err,
            &format!("ex#{operation}"),
            &format!("cargo feature would be `{feature}`"),
        );
    }
}

#[test]
fn member_field_names_collide() {
    let json = model(
        json!({"FooBar": {"target": "smithy.api#String"}, "foo_bar": {"target": "smithy.api#String"}}),
        json!({}),
    );
    let err = fails(&json);
    assert_eq!(err.shape_id(), Some("ex#OpInput$foo_bar"), "{err}");
    assert!(
        err.to_string().contains("already used by member `FooBar`"),
        "{err}"
    );
}

#[test]
fn binding_a_type_that_cannot_travel_there() {
    let string = json!({"target": "smithy.api#String"});
    let cases = [
        (
            json!({"Inner": {"target": "ex#Inner", "traits": {"smithy.api#httpHeader": "x-inner"}}}),
            "ex#OpInput$Inner",
            "can be bound to a header",
        ),
        (
            json!({"Inner": {"target": "ex#Inner", "traits": {"smithy.api#httpQuery": "inner"}}}),
            "ex#OpInput$Inner",
            "can be bound to a query parameter",
        ),
        (
            json!({"Items": {"target": "ex#Strings", "traits": {"smithy.api#httpQueryParams": {}}}}),
            "ex#OpInput$Items",
            "@httpQueryParams needs a map",
        ),
        (
            json!({"Nested": {"target": "ex#Nested", "traits": {"smithy.api#httpQueryParams": {}}}}),
            "ex#OpInput$Nested",
            "a map of strings or of string lists",
        ),
        (
            json!({"Items": {"target": "ex#Strings", "traits": {"smithy.api#httpPrefixHeaders": "x-"}}}),
            "ex#OpInput$Items",
            "@httpPrefixHeaders needs a map of strings",
        ),
        (
            json!({"Items": {"target": "ex#Strings", "traits": {"smithy.api#httpPayload": {}}}}),
            "ex#OpInput$Items",
            "cannot be an @httpPayload",
        ),
        (
            json!({"Items": {"target": "ex#SparseStrings", "traits": {"smithy.api#httpHeader": "x-items"}}}),
            "ex#OpInput$Items",
            "a @sparse list cannot be bound to a header",
        ),
        (
            json!({"Items": {"target": "ex#SparseMap", "traits": {"smithy.api#httpPrefixHeaders": "x-"}}}),
            "ex#OpInput$Items",
            "@httpPrefixHeaders needs a map of strings (not @sparse)",
        ),
        (
            json!({"Items": {"target": "ex#SparseMap", "traits": {"smithy.api#httpQueryParams": {}}}}),
            "ex#OpInput$Items",
            "@httpQueryParams needs a map (not @sparse)",
        ),
    ];
    for (members, shape, message) in cases {
        let json = model(
            members,
            json!({
                "ex#Inner": {"type": "structure", "members": {"Name": string}},
                "ex#Strings": {"type": "list", "member": string},
                "ex#Nested": {"type": "map", "key": string, "value": {"target": "ex#Inner"}},
                "ex#SparseStrings": {"type": "list", "member": string, "traits": {"smithy.api#sparse": {}}},
                "ex#SparseMap": {"type": "map", "key": string, "value": string, "traits": {"smithy.api#sparse": {}}},
            }),
        );
        assert_names(&fails(&json), shape, message);
    }
}

#[test]
fn timestamp_format_where_it_cannot_apply() {
    let stamp = json!({"target": "smithy.api#Timestamp"});
    let format = json!({"smithy.api#timestampFormat": "date-time"});
    let json = model(
        json!({"Stamps": {"target": "ex#Stamps", "traits": format}}),
        json!({"ex#Stamps": {"type": "map", "key": {"target": "smithy.api#String"}, "value": stamp}}),
    );
    assert_names(
        &fails(&json),
        "ex#OpInput$Stamps",
        "@timestampFormat on a map or nested collection",
    );
    let json = model(
        json!({"Choice": {"target": "ex#Choice"}}),
        json!({"ex#Choice": {"type": "union", "members": {"At": {"target": "smithy.api#Timestamp", "traits": format}}}}),
    );
    assert_names(
        &fails(&json),
        "ex#Choice$At",
        "@timestampFormat on a union member",
    );
}

/// A model whose `ex#Op` returns an event stream `ex#Events` with the given members, which
/// may target `ex#Event` (a structure with `event_members`).
fn event_stream_model(stream_members: Value, event_members: Value) -> String {
    model(
        json!({}),
        json!({
            "ex#Op": {
                "type": "operation",
                "input": {"target": "ex#OpInput"},
                "output": {"target": "ex#OpOutput"},
                "traits": {"smithy.api#http": {"method": "POST", "uri": "/op"}}
            },
            "ex#OpOutput": {"type": "structure", "members": {
                "Events": {"target": "ex#Events", "traits": {"smithy.api#httpPayload": {}}}
            }},
            "ex#Events": {"type": "union", "members": stream_members, "traits": {"smithy.api#streaming": {}}},
            "ex#Event": {"type": "structure", "members": event_members},
        }),
    )
}

#[test]
fn event_stream_shapes_that_cannot_be_read() {
    let json = event_stream_model(json!({"Text": {"target": "smithy.api#String"}}), json!({}));
    assert_names(
        &fails(&json),
        "ex#Events$Text",
        "an event must be a structure",
    );
    let json = event_stream_model(
        json!({"Event": {"target": "ex#Event"}}),
        json!({"Count": {"target": "smithy.api#Integer", "traits": {"smithy.api#eventHeader": {}}}}),
    );
    assert_names(
        &fails(&json),
        "ex#Event$Count",
        "this event member type is not supported",
    );
    // The same shapes with a supported event read fine.
    let json = event_stream_model(
        json!({"Event": {"target": "ex#Event"}, "End": {"target": "smithy.api#Unit"}}),
        json!({"Name": {"target": "smithy.api#String", "traits": {"smithy.api#eventHeader": {}}}}),
    );
    let model = Model::from_json(&json).unwrap();
    generate(&model, &Options::default()).unwrap();
}

#[test]
fn event_stream_in_a_request() {
    let json = model(
        json!({"Events": {"target": "ex#Events", "traits": {"smithy.api#httpPayload": {}}}}),
        json!({
            "ex#Events": {"type": "union", "members": {"Event": {"target": "ex#Event"}}, "traits": {"smithy.api#streaming": {}}},
            "ex#Event": {"type": "structure", "members": {}},
        }),
    );
    assert_names(
        &fails(&json),
        "ex#OpInput$Events",
        "event streams in requests are not supported",
    );
}

#[test]
fn service_without_sigv4() {
    let mut json: Value = serde_json::from_str(&model(json!({}), json!({}))).unwrap();
    let traits = json["shapes"]["ex#Svc"]["traits"].as_object_mut().unwrap();
    assert!(traits.remove("aws.auth#sigv4").is_some());
    assert_names(
        &fails(&json.to_string()),
        "ex#Svc",
        "only SigV4-signed services are supported",
    );
}

fn shared(relative: &str) -> Option<String> {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(relative);
    match std::fs::read_to_string(&path) {
        Ok(json) => Some(json),
        Err(e) => {
            let why = format!("{} is unreadable: {e}", path.display());
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
            eprintln!("skipped: {why}");
            None
        }
    }
}

fn operation_files(files: &Files) -> Vec<&Path> {
    files
        .keys()
        .map(PathBuf::as_path)
        .filter(|p| p.starts_with("src/operation/") && p.ends_with("mod.rs"))
        .filter(|p| p != &Path::new("src/operation/mod.rs"))
        .collect()
}

#[test]
fn full_lambda_model_generates_every_operation() {
    let Some(json) = shared("models/lambda.smithy.json") else {
        return;
    };
    let files = generate(&Model::from_json(&json).unwrap(), &Options::default()).unwrap();
    let operations = operation_files(&files);
    assert_eq!(operations.len(), 85, "{operations:#?}");
    for op in ["invoke", "list_functions", "get_durable_execution_state"] {
        assert!(
            files.contains_key(&PathBuf::from(format!("src/operation/{op}/mod.rs"))),
            "no {op}"
        );
    }
}

#[test]
fn protocol_test_model_generates() {
    let Some(json) = shared("protocol-tests/aws-protocol-tests-restJson1.json") else {
        return;
    };
    let model = Model::from_json(&json).unwrap();
    let files = generate(&model, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let expected = model
        .services()
        .next()
        .map(|(_, service)| service.operations.len())
        .unwrap();
    assert_eq!(operation_files(&files).len(), expected);
}

#[test]
fn generation_is_deterministic() {
    let mut inputs: Vec<String> = Vec::new();
    inputs.extend(shared("models/lambda.smithy.json"));
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) == Some("json") {
            inputs.push(std::fs::read_to_string(path).unwrap());
        }
    }
    for json in &inputs {
        // Parse twice too: nothing may depend on hash-map order or addresses.
        let first = generate(&Model::from_json(json).unwrap(), &Options::default()).unwrap();
        let second = generate(&Model::from_json(json).unwrap(), &Options::default()).unwrap();
        assert!(first == second, "two generations differ");
        assert_eq!(
            lambda_sdk_codegen::naming_table(&Model::from_json(json).unwrap(), &Options::default())
                .unwrap(),
            lambda_sdk_codegen::naming_table(&Model::from_json(json).unwrap(), &Options::default())
                .unwrap()
        );
    }
}

/// The minimal service with this endpoint rule set.
fn with_rules(parameters: Value, rules: Value) -> String {
    let mut json: Value = serde_json::from_str(&model(json!({}), json!({}))).unwrap();
    json["shapes"]["ex#Svc"]["traits"]["smithy.rules#endpointRuleSet"] =
        json!({"version": "1.0", "parameters": parameters, "rules": rules});
    json.to_string()
}

fn region_param() -> Value {
    json!({"Region": {"type": "string", "builtIn": "AWS::Region", "required": false}})
}

/// An endpoint rule for `https://{Region}.example.com` under `conditions`.
fn endpoint_rule(conditions: Value) -> Value {
    json!({"type": "endpoint", "conditions": conditions, "endpoint": {"url": "https://{Region}.example.com"}})
}

#[test]
fn endpoint_rules_that_cannot_be_compiled_name_the_rule() {
    let is_set = json!([{"fn": "isSet", "argv": [{"ref": "Region"}]}]);
    let cases: Vec<(Value, Value, &str)> = vec![
        (
            json!({"Bucket": {"type": "string", "builtIn": "AWS::S3::Bucket", "required": false}}),
            json!([{"type": "error", "conditions": [], "error": "x"}]),
            "parameters.Bucket: the built-in `AWS::S3::Bucket` has no lambda-sdk setting",
        ),
        (
            json!({"Tenant": {"type": "string", "required": true}}),
            json!([{"type": "error", "conditions": [], "error": "x"}]),
            "parameters.Tenant: required, without a default, and bound to no built-in",
        ),
        (
            region_param(),
            json!([{"type": "endpoint", "conditions": is_set,
                    "endpoint": {"url": "https://x", "properties": {"authSchemes": [{"name": "sigv4a"}]}}}]),
            "rules[0].endpoint.properties: endpoint properties are not supported",
        ),
        (
            region_param(),
            json!([{"type": "endpoint", "conditions": is_set,
                    "endpoint": {"url": "https://x", "headers": {"x-a": ["b"]}}}]),
            "rules[0].endpoint.headers: endpoint headers are not supported",
        ),
        (
            region_param(),
            json!([endpoint_rule(
                json!([{"fn": "aws.frobnicate", "argv": [{"ref": "Region"}]}])
            )]),
            "rules[0].conditions[0]: unknown function `aws.frobnicate`",
        ),
        (
            region_param(),
            json!([endpoint_rule(
                json!([{"fn": "booleanEquals", "argv": [{"ref": "Region"}, true]}])
            )]),
            "rules[0].conditions[0].argv[0]: `booleanEquals` expects a boolean here, found a string that may be unset",
        ),
        (
            region_param(),
            json!([endpoint_rule(
                json!([{"fn": "isSet", "argv": [{"ref": "Zone"}]}])
            )]),
            "rules[0].conditions[0]: `Zone` is neither a parameter nor a variable assigned earlier in scope",
        ),
        (
            region_param(),
            json!([endpoint_rule(json!([
                {"fn": "aws.partition", "argv": ["us-east-1"], "assign": "P"},
                {"fn": "getAttr", "argv": [{"ref": "P"}, "dnsSufix"]}
            ]))]),
            "has no attribute `dnsSufix` (it has: name, dnsSuffix,",
        ),
        (
            region_param(),
            json!([{"type": "endpoint", "conditions": is_set, "endpoint": {"url": "https://{Region"}}]),
            "rules[0].endpoint.url: template \"https://{Region\": unclosed `{`",
        ),
        (
            region_param(),
            json!([{"type": "fallback", "conditions": []}]),
            "rules[0]: unknown rule type",
        ),
        (
            json!({"Region": {"type": "string", "builtIn": "AWS::Region"}, "region": {"type": "string"}}),
            json!([{"type": "error", "conditions": [], "error": "x"}]),
            "would both be the Rust variable `region`",
        ),
    ];
    for (parameters, rules, message) in cases {
        let err = fails(&with_rules(parameters, rules));
        assert_names(&err, "ex#Svc", message);
        assert!(
            err.to_string().contains("smithy.rules#endpointRuleSet: "),
            "{err}"
        );
    }
}
