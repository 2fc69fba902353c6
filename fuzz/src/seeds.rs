//! The seed corpus, in readable form. `cargo run --example make-seeds` (from `fuzz/`) writes it
//! into `seeds/responses/` and `seeds/event_stream/`, one file per seed, replacing what is
//! there.
//!
//! The `responses` seeds are, for every operation, the success body the wire tests
//! (`tests/tests/wire.rs`) answer it with; then the error responses of the wire and fault
//! tests (modeled errors by header, by `__type` and by `code`, an unknown error, bodies that
//! do not match the model, HTML from a proxy); then one response per modeled error code, in
//! the form Lambda sends (`x-amzn-ErrorType`, a JSON body with `Type` and `message`).

use lambda_sdk_runtime::event_stream::{Header, HeaderValue, encode_message};

use crate::response_input::{self, OPERATIONS};

const ARN: &str =
    "arn:aws:lambda:us-east-1:123456789012:function:my-fn:$LATEST/durable-execution/run-1/a1b2";
const JSON: (&str, &str) = ("content-type", "application/json");

/// One seed: a file name (without directory) and its bytes.
#[derive(Clone, Debug)]
pub struct Seed {
    /// The file name.
    pub name: String,
    /// The input.
    pub data: Vec<u8>,
}

fn response(name: &str, op: &str, status: u16, headers: &[(&str, &str)], body: &str) -> Seed {
    Seed {
        name: name.to_string(),
        data: response_input::encode(op, status, headers, body.as_bytes()),
    }
}

/// The seeds of the `responses` target.
pub fn responses() -> Vec<Seed> {
    let state_200 = r#"{"Operations":[{"Id":"op-1","Type":"STEP","Status":"SUCCEEDED","SubType":"Step","Name":"fetch ünïcode","StartTimestamp":1795620264.489,"EndTimestamp":1795620265,"StepDetails":{"Attempt":2,"Result":"{\"ok\":true}"},"SomethingNew":[1,2,3]},{"Id":"op-2","Type":"TELEPORT","Status":"WARPING","StartTimestamp":0}],"NextMarker":"m2"}"#;
    let execution_200 = format!(
        r#"{{"DurableExecutionArn":"{ARN}","DurableExecutionName":"run","FunctionArn":"arn:f","StartTimestamp":1700000000.123,"Status":"PAUSED"}}"#
    );
    let mut seeds = vec![
        // One success per operation, as the wire tests answer it.
        response(
            "ok-checkpoint",
            "CheckpointDurableExecution",
            200,
            &[JSON],
            r#"{"CheckpointToken":"next","NewExecutionState":{"Operations":[]}}"#,
        ),
        response(
            "ok-delete",
            "DeleteDurableExecution",
            202,
            &[JSON],
            r#"{"DeletionRequestTimestamp":1700000002.5}"#,
        ),
        response(
            "ok-get",
            "GetDurableExecution",
            200,
            &[JSON],
            &execution_200,
        ),
        response(
            "ok-history",
            "GetDurableExecutionHistory",
            200,
            &[JSON],
            r#"{"Events":[{"EventType":"ExecutionPaused","EventId":3,"EventTimestamp":1.5},{"EventType":"StepStarted"}]}"#,
        ),
        response(
            "ok-state",
            "GetDurableExecutionState",
            200,
            &[JSON, ("x-amzn-RequestId", "req-123")],
            state_200,
        ),
        response(
            "ok-list",
            "ListDurableExecutionsByFunction",
            200,
            &[JSON],
            r#"{"DurableExecutions":[]}"#,
        ),
        response("ok-pause", "PauseDurableExecution", 202, &[], ""),
        response("ok-resume", "ResumeDurableExecution", 202, &[], ""),
        response(
            "ok-callback-failure",
            "SendDurableExecutionCallbackFailure",
            200,
            &[JSON],
            "{}",
        ),
        response(
            "ok-callback-heartbeat",
            "SendDurableExecutionCallbackHeartbeat",
            200,
            &[JSON],
            "{}",
        ),
        response(
            "ok-callback-success",
            "SendDurableExecutionCallbackSuccess",
            200,
            &[JSON],
            "{}",
        ),
        response(
            "ok-stop",
            "StopDurableExecution",
            200,
            &[JSON],
            r#"{"StopTimestamp":1700000001}"#,
        ),
        // Error responses of the wire and fault tests.
        response(
            "err-invalid-parameter-by-header",
            "GetDurableExecutionState",
            400,
            &[
                JSON,
                (
                    "x-amzn-ErrorType",
                    "InvalidParameterValueException:http://internal.amazon.com/coral/x/",
                ),
                ("x-amzn-RequestId", "req-err"),
            ],
            r#"{"Type":"User","message":"bad token"}"#,
        ),
        response(
            "err-throttle-by-type-with-retry-after",
            "GetDurableExecutionState",
            429,
            &[JSON, ("Retry-After", "0")],
            r#"{"__type":"com.amazonaws.lambda#TooManyRequestsException","message":"slow down","Reason":"CallerRateLimitExceeded"}"#,
        ),
        response(
            "err-kms-by-code",
            "GetDurableExecutionState",
            502,
            &[JSON],
            r#"{"code":"KMSAccessDeniedException","Message":"no key"}"#,
        ),
        response(
            "err-unknown-teapot",
            "GetDurableExecutionState",
            418,
            &[JSON],
            r#"{"__type":"TeapotException","message":"short and stout"}"#,
        ),
        response(
            "err-service-exception",
            "CheckpointDurableExecution",
            500,
            &[JSON],
            r#"{"__type":"ServiceException","Message":"boom"}"#,
        ),
        response(
            "err-503-busy",
            "CheckpointDurableExecution",
            503,
            &[JSON],
            r#"{"message":"busy"}"#,
        ),
        response(
            "err-throttle-unexpected-body",
            "GetDurableExecutionState",
            429,
            &[JSON, ("x-amzn-ErrorType", "TooManyRequestsException")],
            r#"{"message":"Rate exceeded","Reason":42}"#,
        ),
        response(
            "err-invalid-parameter-numeric-message",
            "GetDurableExecutionState",
            400,
            &[JSON, ("x-amzn-ErrorType", "InvalidParameterValueException")],
            r#"{"message":5}"#,
        ),
        response(
            "err-throttle-http-date-retry-after",
            "CheckpointDurableExecution",
            429,
            &[JSON, ("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")],
            r#"{"__type":"TooManyRequestsException","message":"slow down"}"#,
        ),
        response(
            "err-502-html",
            "GetDurableExecutionState",
            502,
            &[("content-type", "text/html")],
            "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>",
        ),
        response(
            "err-504-text",
            "GetDurableExecutionState",
            504,
            &[("content-type", "text/plain")],
            "upstream timed out",
        ),
        response("err-503-empty", "GetDurableExecutionState", 503, &[], ""),
        // Success statuses with bodies that do not match the model (parse errors), or that are
        // read leniently (the last duplicate key wins; a null required member is its zero value).
        response(
            "bad-truncated-json",
            "GetDurableExecutionState",
            200,
            &[JSON],
            r#"{"Operations": ["#,
        ),
        response(
            "bad-html-200",
            "GetDurableExecutionState",
            200,
            &[JSON],
            "<html>Bad gateway</html>",
        ),
        response(
            "bad-wrong-type",
            "GetDurableExecutionState",
            200,
            &[JSON],
            r#"{"Operations": 5}"#,
        ),
        response(
            "ok-duplicate-keys",
            "GetDurableExecutionState",
            200,
            &[JSON],
            r#"{"Operations":[],"NextMarker":"a","NextMarker":"b"}"#,
        ),
        response(
            "ok-null-required-members",
            "GetDurableExecutionState",
            200,
            &[JSON],
            r#"{"Operations":[{},{"Id":null,"Type":null,"Status":null}]}"#,
        ),
        response(
            "bad-out-of-range-attempt",
            "GetDurableExecutionState",
            200,
            &[JSON],
            r#"{"Operations":[{"Id":"a","Type":"STEP","Status":"STARTED","StepDetails":{"Attempt":4294967296}}]}"#,
        ),
        response(
            "bad-nested-arrays",
            "GetDurableExecutionState",
            200,
            &[JSON],
            &format!("{}{}", "[".repeat(200), "]".repeat(200)),
        ),
    ];
    // One response per modeled error, to an operation that lists it, as Lambda sends it.
    for (code, status, op) in [
        (
            "InvalidParameterValueException",
            400,
            "DeleteDurableExecution",
        ),
        ("ResourceConflictException", 409, "DeleteDurableExecution"),
        ("ResourceNotFoundException", 404, "GetDurableExecution"),
        ("ServiceException", 500, "GetDurableExecutionHistory"),
        (
            "TooManyRequestsException",
            429,
            "ListDurableExecutionsByFunction",
        ),
        ("KMSAccessDeniedException", 502, "PauseDurableExecution"),
        ("KMSDisabledException", 502, "ResumeDurableExecution"),
        (
            "KMSInvalidStateException",
            502,
            "SendDurableExecutionCallbackFailure",
        ),
        ("KMSNotFoundException", 502, "StopDurableExecution"),
        (
            "CallbackTimeoutException",
            400,
            "SendDurableExecutionCallbackHeartbeat",
        ),
        (
            "CallbackTimeoutException",
            400,
            "SendDurableExecutionCallbackSuccess",
        ),
    ] {
        let mut headers = vec![
            JSON,
            ("x-amzn-ErrorType", code),
            ("x-amzn-RequestId", "8f0e3c9a-1b2d-4e5f-9a8b-7c6d5e4f3a2b"),
        ];
        if code == "TooManyRequestsException" {
            headers.push(("Retry-After", "2"));
        }
        let body = format!(r#"{{"Type":"User","message":"{code} from {op}"}}"#);
        response(&format!("modeled-{op}-{code}"), op, status, &headers, &body).push_to(&mut seeds);
    }
    // Each operation once with a modeled error by `__type` only (no header).
    for op in OPERATIONS {
        response(
            &format!("modeled-by-type-{op}"),
            op,
            400,
            &[JSON],
            r#"{"__type":"InvalidParameterValueException","message":"bad"}"#,
        )
        .push_to(&mut seeds);
    }
    seeds
}

impl Seed {
    fn push_to(self, seeds: &mut Vec<Seed>) {
        seeds.push(self);
    }
}

fn header(name: &str, value: impl Into<HeaderValue>) -> Header {
    Header::new(name, value).unwrap_or_else(|e| panic!("seed header {name}: {e}"))
}

fn stream(name: &str, control: u8, messages: &[(&[Header], &[u8])]) -> Seed {
    let mut data = vec![control];
    for (headers, payload) in messages {
        data.extend_from_slice(&encode_message(headers, payload));
    }
    Seed {
        name: name.to_string(),
        data,
    }
}

/// The seeds of the `event_stream` target: Lambda's `InvokeWithResponseStream` events, an
/// exception, an error, every header value type, and several messages per stream.
pub fn event_streams() -> Vec<Seed> {
    let chunk = [
        header(":message-type", "event"),
        header(":event-type", "PayloadChunk"),
        header(":content-type", "application/octet-stream"),
    ];
    let complete = [
        header(":message-type", "event"),
        header(":event-type", "InvokeComplete"),
        header(":content-type", "application/json"),
    ];
    let exception = [
        header(":message-type", "exception"),
        header(":exception-type", "ServiceException"),
        header(":content-type", "application/json"),
    ];
    let error = [
        header(":message-type", "error"),
        header(":error-code", "InternalFailure"),
        header(":error-message", "try again"),
    ];
    let every_type = [
        header("true", true),
        header("false", false),
        header("byte", -7i8),
        header("short", 300i16),
        header("int", -70000i32),
        header("long", 1i64 << 40),
        header("bytes", vec![0u8, 1, 255]),
        header("string", "ünïcode"),
        header(
            "timestamp",
            lambda_sdk_runtime::DateTime::from_millis(1_700_000_000_123),
        ),
        header("uuid", [7u8; 16]),
    ];
    let complete_body: &[u8] = br#"{"ErrorCode":null,"LogResult":"","ExecutedVersion":"$LATEST"}"#;
    vec![
        stream("empty-message", 0x3f, &[(&[], b"")]),
        stream(
            "invoke-stream-whole",
            0x3f,
            &[
                (&chunk, b"hello "),
                (&chunk, b"world"),
                (&complete, complete_body),
            ],
        ),
        stream(
            "invoke-stream-bytewise",
            0x00,
            &[(&chunk, b"hi"), (&complete, complete_body)],
        ),
        stream(
            "invoke-stream-small-limit",
            0x85,
            &[(&chunk, b"x"), (&complete, b"{}")],
        ),
        stream("exception", 0x0f, &[(&exception, br#"{"message":"boom"}"#)]),
        stream("error", 0x3f, &[(&error, b"")]),
        stream("every-header-type", 0x10, &[(&every_type, b"payload")]),
        // The same with CRC repair on (bit 6): mutations of these reach the header decoder.
        stream(
            "repair-invoke-stream",
            0x7f,
            &[(&chunk, b"hello"), (&complete, complete_body)],
        ),
        stream(
            "repair-exception-and-error",
            0x4f,
            &[(&exception, br#"{"message":"boom"}"#), (&error, b"")],
        ),
        stream(
            "repair-every-header-type",
            0x50,
            &[(&every_type, b"payload")],
        ),
    ]
}

/// Seeds of the `durable` target (its input layout is in [`crate::durable`]): each handler's
/// whole recorded state and part of it, every envelope corruption, every checkpoint answer, a
/// repeated marker and an empty page with a marker, and a few mutations.
pub fn durables() -> Vec<Seed> {
    let seed = |name: &str, data: Vec<u8>| Seed {
        name: name.to_string(),
        data,
    };
    // handler, corruption, operations dropped from the end, mutations, page sizes (state
    // pages 3, envelope page 2).
    let base = |handler: u8, dropped: u8| vec![handler, 0, dropped, 0, 0b010_010];
    let mut seeds = vec![
        seed("sequential-whole", base(0, 0)),
        seed("sequential-part", base(0, 4)),
        seed("sequential-start", base(0, 250)),
        seed("concurrent-whole", base(1, 0)),
        seed("concurrent-part", base(1, 12)),
    ];
    for kind in 1..=8u8 {
        let mut data = base(0, 0);
        data[1] = kind;
        seeds.push(seed(&format!("corrupt-envelope-{kind}"), data));
    }
    for (answer, name) in [
        (4u8, "stale"),
        (5, "retryable"),
        (6, "final"),
        (7, "no-token"),
    ] {
        let mut data = base(0, 3);
        // Three pages' markers, then the first checkpoint's answer.
        data.extend([0, 0, 0, answer]);
        seeds.push(seed(&format!("checkpoint-{name}"), data));
    }
    let mut repeated = base(0, 0);
    repeated.push(6);
    seeds.push(seed("marker-repeated", repeated));
    let mut detour = base(1, 0);
    detour.extend([0, 7]);
    seeds.push(seed("marker-empty-page", detour));
    // Mutations: operation, field, value (a status, a type, a payload, a removal).
    let mut mutated = base(0, 0);
    mutated[3] = 4;
    mutated.extend([1, 0, 8, 2, 1, 3, 3, 4, 2, 5, 7, 0]);
    seeds.push(seed("mutated", mutated));
    seeds
}
