//! Unit tests of [`super`].

use super::*;

#[test]
fn header_list_items_of_blobs_are_base64() {
    assert_eq!(parse_blob(" aGk= ").unwrap().as_bytes(), b"hi");
    let err = parse_blob("not base64!").unwrap_err();
    assert!(!err.is_empty(), "{err}");
}

#[test]
fn labels_are_one_segment() {
    let mut b = RequestBuilder::new("GET");
    b.literal("2025-12-01")
        .label(
            "Arn",
            "arn:aws:lambda:us-east-1:1:function:f:$LATEST/durable-execution/a b/c",
            false,
        )
        .unwrap();
    b.literal("state");
    b.required_query("CheckpointToken", "CheckpointToken", "ab+/=")
        .unwrap();
    b.query("Statuses", "RUNNING").query("Statuses", "FAILED");
    let r = b.finish();
    assert_eq!(
        r.path(),
        "/2025-12-01/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af%3A%24LATEST%2Fdurable-execution%2Fa%20b%2Fc/state"
    );
    assert_eq!(
        r.query(),
        "CheckpointToken=ab%2B%2F%3D&Statuses=RUNNING&Statuses=FAILED"
    );
}

#[test]
fn empty_required_values_are_refused_by_name() {
    let mut b = RequestBuilder::new("GET");
    let err = b.label("DurableExecutionArn", "", false).unwrap_err();
    assert_eq!(err.member(), Some("DurableExecutionArn"));
    let err = b
        .required_query("CheckpointToken", "CheckpointToken", "")
        .unwrap_err();
    assert!(err.to_string().contains("CheckpointToken"), "{err}");
    let mut g = RequestBuilder::new("GET");
    g.label("Key", "a/b c", true).unwrap();
    assert_eq!(g.finish().path(), "/a/b%20c");
    let mut g = RequestBuilder::new("GET");
    assert!(g.label("Key", "a//b", true).is_err());
    let mut d = RequestBuilder::new("GET");
    d.label("Arn", "..", false).unwrap();
    d.label("Key", "x/./..", true).unwrap();
    assert_eq!(d.finish().path(), "/%2E%2E/x/%2E/%2E%2E");
}

#[test]
fn error_codes_and_messages() {
    let mut h = HeaderMap::new();
    h.insert(
        "x-amzn-errortype",
        HeaderValue::from_static(
            "FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
        ),
    );
    h.insert("x-amzn-requestid", HeaderValue::from_static("req-1"));
    let m = error_metadata(400, &h, br#"{"message":"bad"}"#);
    assert_eq!(m.code(), Some("FooError"));
    assert_eq!(m.message(), Some("bad"));
    assert_eq!(m.request_id(), Some("req-1"));
    let m = error_metadata(
        404,
        &HeaderMap::new(),
        br#"{"__type":"aws.protocoltests.restjson#FooError","Message":"M"}"#,
    );
    assert_eq!(m.code(), Some("FooError"));
    assert_eq!(m.message(), Some("M"));
    let m = error_metadata(500, &HeaderMap::new(), b"<html>oops</html>");
    assert_eq!(m.code(), None);
    assert_eq!(m.status(), 500);
}

#[test]
fn parse_errors_never_quote_the_value() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Output {
        #[serde(rename = "Trace")]
        trace: Option<Vec<String>>,
        #[serde(rename = "Payload")]
        payload: Option<String>,
        #[serde(rename = "Count")]
        count: Option<u8>,
    }
    let parse = |body: &str| {
        parse_json::<Output>(200, &HeaderMap::new(), body.as_bytes())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        parse(r#"{"Trace":"secret \", expected x"}"#),
        "unreadable response (HTTP 200): member `Trace` does not match the model: \
             invalid type: string, expected a sequence at line 1 column 32"
    );
    let text = parse(r#"{"Payload":86753091234}"#);
    assert!(
            text.ends_with("member `Payload` does not match the model: invalid type: integer, expected a string at line 1 column 22"),
            "{text}"
        );
    let text = parse(r#"{"Count":1234}"#);
    assert!(!text.contains("1234"), "{text}");
    assert!(
        text.contains("invalid value: integer, expected u8"),
        "{text}"
    );
    let text = parse(r#"{"Payload":[true, 1.5]}"#);
    assert!(
        text.contains("invalid type: sequence, expected a string"),
        "{text}"
    );
    assert_eq!(without_value("EOF while parsing"), "EOF while parsing");
    assert_eq!(
        without_value("invalid type: floating point `1.5`, expected i32 at line 1 column 3"),
        "invalid type: floating point, expected i32 at line 1 column 3"
    );
}

#[test]
fn header_lists() {
    assert_eq!(split_header_list("a, b,c", false), ["a", "b", "c"]);
    assert_eq!(
        split_header_list("\"a, b\", \"c\\\"d\"", false),
        ["a, b", "c\"d"]
    );
    assert_eq!(
        split_header_list(
            "Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT",
            true
        ),
        [
            "Mon, 16 Dec 2019 23:48:18 GMT",
            "Tue, 17 Dec 2019 23:48:18 GMT"
        ]
    );
    assert_eq!(
        join_header_values(&["a".into(), "b,c".into()], true),
        "a, \"b,c\""
    );
}

#[test]
fn floats_outside_json() {
    assert_eq!(fmt_float(f64::NAN), "NaN");
    assert_eq!(fmt_float(f64::NEG_INFINITY), "-Infinity");
    assert_eq!(fmt_float(1.5), "1.5");
}
