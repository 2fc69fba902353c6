//! Our SigV4 signer against botocore's reference signatures
//! (`tests/fixtures/sigv4/cases.json`, made by botocore; see the README beside it).
//!
//! Each case is signed again with [`sign_request`] from exactly botocore's inputs: the wire URL,
//! the headers before signing, the body, the credentials (the session token only where the
//! case used one), region `us-east-1`, service `lambda` and the frozen clock. Every header the
//! signer adds must equal botocore's, byte for byte.

#![forbid(unsafe_code)]

use std::time::SystemTime;

use lambda_sdk_runtime::credentials::Credentials;
use lambda_sdk_runtime::sign::{SigningScope, sign_request};
use lambda_sdk_runtime::{DateTime, DateTimeFormat};
use serde_json::Value;

const CASES: &str = include_str!("fixtures/sigv4/cases.json");

/// Standard base64 (with padding), enough for the fixture's binary body.
fn base64_decode(text: &str) -> Vec<u8> {
    fn value(c: u8) -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c:?}"),
        }
    }
    let bytes: Vec<u8> = text.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c) << (18 - 6 * i);
        }
        let produced = chunk.len() * 6 / 8;
        for i in 0..produced {
            out.push((acc >> (16 - 8 * i)) as u8);
        }
    }
    out
}

fn str_field<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {value}"))
}

fn pairs(value: &Value) -> Vec<(String, String)> {
    value
        .as_array()
        .expect("a list of [name, value] pairs")
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().expect("header name").to_owned(),
                pair[1].as_str().expect("header value").to_owned(),
            )
        })
        .collect()
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[test]
fn base64_helper_round_trips_the_fixture_body() {
    let all: Vec<u8> = (0..=255).collect();
    let fixture: Value = serde_json::from_str(CASES).unwrap();
    let binary = fixture["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["body_encoding"] == "base64")
        .expect("the fixture has a binary case");
    assert_eq!(base64_decode(str_field(binary, "body")), all);
    assert_eq!(base64_decode("Zm9vYg=="), b"foob");
    assert_eq!(base64_decode("Zm9vYmE="), b"fooba");
}

#[test]
fn signatures_match_botocore() {
    let fixture: Value = serde_json::from_str(CASES).expect("cases.json is JSON");
    assert_eq!(fixture["service"], "lambda");
    assert_eq!(fixture["region"], "us-east-1");
    let region = str_field(&fixture, "region");
    let service = str_field(&fixture, "service");
    let time: SystemTime = DateTime::from_str(
        str_field(&fixture, "signing_time_utc"),
        DateTimeFormat::DateTime,
    )
    .expect("signing_time_utc is RFC 3339")
    .into();
    let access_key = str_field(&fixture, "access_key_id");
    let secret_key = str_field(&fixture, "secret_access_key");
    let token = str_field(&fixture, "session_token");

    let cases = fixture["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 5, "the fixture has five cases");
    let mut failures = Vec::new();
    for case in cases {
        let name = str_field(case, "name");
        let body = match str_field(case, "body_encoding") {
            "none" => {
                assert!(case["body"].is_null(), "{name}: no body");
                Vec::new()
            }
            "utf8" => str_field(case, "body").as_bytes().to_vec(),
            "base64" => base64_decode(str_field(case, "body")),
            other => panic!("{name}: unknown body_encoding {other:?}"),
        };
        let credentials = Credentials::new(
            access_key,
            secret_key,
            case["uses_session_token"]
                .as_bool()
                .expect("uses_session_token")
                .then(|| token.to_owned()),
        );
        let before = pairs(&case["headers_before_signing"]);
        let expected = pairs(&case["headers_added_by_signer"]);
        let signed = sign_request(
            str_field(case, "method"),
            str_field(case, "url"),
            before.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            &body,
            &credentials,
            SigningScope {
                region,
                service,
                time,
            },
        )
        .unwrap_or_else(|e| panic!("{name}: signing failed: {e}"));
        let signed: Vec<(String, String)> =
            signed.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();

        // Exactly the headers botocore added, no more (in particular no
        // x-amz-content-sha256), no fewer.
        let mut ours: Vec<String> = signed.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
        let mut theirs: Vec<String> = expected
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        ours.sort();
        theirs.sort();
        if ours != theirs {
            failures.push(format!(
                "{name}: signer added headers {ours:?}, botocore added {theirs:?}"
            ));
        }
        assert_eq!(
            find(&expected, "x-amz-date"),
            Some(str_field(&fixture, "amz_date"))
        );
        for header in ["x-amz-date", "x-amz-security-token", "authorization"] {
            let (got, want) = (find(&signed, header), find(&expected, header));
            if got != want {
                failures.push(format!(
                    "{name}: `{header}` is {got:?}, botocore has {want:?}"
                ));
            }
        }
        assert_eq!(
            find(&expected, "authorization"),
            Some(str_field(case, "authorization")),
            "{name}: fixture is self-consistent"
        );
        assert_eq!(
            find(&expected, "x-amz-security-token").is_some(),
            credentials.session_token().is_some(),
            "{name}: the token header is there exactly when a token is used"
        );
    }
    assert!(
        failures.is_empty(),
        "signatures differ from botocore:\n{}",
        failures.join("\n")
    );
}
