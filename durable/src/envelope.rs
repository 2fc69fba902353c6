//! The invocation envelope Lambda hands a durable function, and the output it answers with.
//!
//! The envelope is not the API's output shape: its timestamps may be epoch milliseconds, epoch
//! seconds or ISO-8601 strings, `UpdatedOperationIds` may be absent, and the service keeps
//! adding members. It is therefore read leniently, from a JSON value, into what replay needs:
//! unknown members are ignored, timestamps are not read at all (replay decides by status), and
//! `UpdatedOperationIds`, which only tells plugins which operations the service ended since the
//! last invocation, is read when it is a list of strings and otherwise ignored.
//! What is missing or of the wrong type is an error that names the member.
//!
//! [`DurableEvent`] keeps the event as the text Lambda sent. It is read in one pass, straight into
//! the records; only when that pass fails (a member missing or mistyped, a duplicate member) is
//! the text read again as a JSON value, by the lenient reader, which then says what is wrong or
//! accepts what the first pass was too strict for. Both passes give the same envelope.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::ErrorObject;
use crate::record::Record;

/// The largest response Lambda returns (6 MiB), less a margin for the envelope around the result,
/// as the other SDKs reckon it.
pub(crate) const RESPONSE_LIMIT: usize = 6 * 1024 * 1024 - 50;

/// What an invocation was given.
#[derive(Debug, PartialEq)]
pub(crate) struct Envelope {
    pub arn: String,
    pub token: String,
    pub operations: Vec<Record>,
    /// The marker of the next state page; `None` when the envelope held every operation.
    pub next_marker: Option<String>,
    /// `UpdatedOperationIds`: what the service changed while the execution was suspended.
    pub updated: Vec<String>,
}

/// The invocation event of a durable function, as `lambda_runtime` hands it to
/// [`DurableHandler`](crate::DurableHandler): the JSON text Lambda sent, read only once the
/// handler has it, so that a 1,000-operation envelope is parsed once, straight into what replay
/// needs. Any JSON deserializes into it; an event that is not a durable-execution envelope is
/// answered with a FAILED execution naming what is wrong, not refused by `lambda_runtime`.
///
/// ```
/// use lambda_sdk_durable::DurableEvent;
///
/// // As lambda_runtime reads it from the Runtime API:
/// let event: DurableEvent = serde_json::from_str(r#"{"DurableExecutionArn":"arn:…"}"#)?;
/// // Or made from a value, in a test of a layer around DurableHandler:
/// let event = DurableEvent::from(serde_json::json!({"CheckpointToken": "t"}));
/// # let _ = event;
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct DurableEvent(EventForm);

#[derive(Clone, Debug)]
enum EventForm {
    Text(Box<RawValue>),
    Value(Value),
}

impl<'de> Deserialize<'de> for DurableEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(|raw| DurableEvent(EventForm::Text(raw)))
    }
}

impl From<Value> for DurableEvent {
    fn from(value: Value) -> Self {
        DurableEvent(EventForm::Value(value))
    }
}

impl DurableEvent {
    /// Reads the envelope. The error message names the member at fault.
    pub(crate) fn envelope(&self) -> Result<Envelope, String> {
        match &self.0 {
            EventForm::Value(value) => parse(value),
            EventForm::Text(raw) => match parse_fast(raw.get()) {
                Some(envelope) => Ok(envelope),
                None => match serde_json::from_str::<Value>(raw.get()) {
                    Ok(value) => parse(&value),
                    Err(e) => Err(format!("the invocation event is not JSON: {e}")),
                },
            },
        }
    }
}

/// The envelope in one pass over its text, or `None` when anything is amiss (then [`parse`] over
/// a JSON value says what). Accepts only what [`parse`] accepts, and reads it the same way.
fn parse_fast(text: &str) -> Option<Envelope> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Fast {
        durable_execution_arn: String,
        checkpoint_token: String,
        initial_execution_state: MapOnly<FastState>,
        #[serde(default)]
        updated_operation_ids: Option<Value>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct FastState {
        #[serde(default)]
        operations: Option<Vec<RawOperation>>,
        #[serde(default)]
        next_marker: Option<String>,
    }
    let fast: MapOnly<Fast> = serde_json::from_str(text).ok()?;
    let fast = fast.0;
    if fast.durable_execution_arn.is_empty() || fast.checkpoint_token.is_empty() {
        return None;
    }
    let state = fast.initial_execution_state.0;
    Some(Envelope {
        arn: fast.durable_execution_arn,
        token: fast.checkpoint_token,
        operations: state
            .operations
            .unwrap_or_default()
            .into_iter()
            .map(record_of)
            .collect(),
        next_marker: state.next_marker.filter(|s| !s.is_empty()),
        updated: updated_ids(fast.updated_operation_ids.as_ref()),
    })
}

/// A struct read only from a JSON object (serde's derive would also take a list of its members
/// in order, which the lenient reader refuses).
struct MapOnly<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for MapOnly<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Only<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Only<T> {
            type Value = MapOnly<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(MapOnly)
            }
        }
        deserializer.deserialize_map(Only(std::marker::PhantomData))
    }
}

/// `UpdatedOperationIds` when it is a list (its strings), or nothing.
fn updated_ids(ids: Option<&Value>) -> Vec<String> {
    match ids {
        Some(Value::Array(ids)) => ids
            .iter()
            .filter_map(|id| id.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// Reads the envelope from a JSON value. The error message names the member at fault.
pub(crate) fn parse(event: &Value) -> Result<Envelope, String> {
    let object = event.as_object().ok_or_else(|| {
        format!(
            "the invocation event is {}, not the durable-execution envelope (an object with \
             DurableExecutionArn, CheckpointToken and InitialExecutionState): is the function \
             configured with DurableConfig?",
            kind_of(event)
        )
    })?;
    let string = |name: &str| -> Result<String, String> {
        match object.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(Value::String(_)) => Err(format!("the envelope's `{name}` is empty")),
            Some(other) => Err(format!(
                "the envelope's `{name}` is {}, not a string",
                kind_of(other)
            )),
            None => Err(format!(
                "the invocation event has no `{name}`: it is not a durable-execution envelope \
                 (is the function configured with DurableConfig?)"
            )),
        }
    };
    let arn = string("DurableExecutionArn")?;
    let token = string("CheckpointToken")?;
    let state = match object.get("InitialExecutionState") {
        Some(Value::Object(state)) => state,
        Some(other) => {
            return Err(format!(
                "the envelope's `InitialExecutionState` is {}, not an object",
                kind_of(other)
            ));
        }
        None => return Err("the invocation event has no `InitialExecutionState`".to_string()),
    };
    let operations = match state.get("Operations") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                operation(item).map_err(|e| format!("`InitialExecutionState.Operations[{i}]`: {e}"))
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(format!(
                "`InitialExecutionState.Operations` is {}, not a list",
                kind_of(other)
            ));
        }
    };
    let next_marker = match state.get("NextMarker") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()).filter(|s| !s.is_empty()),
        Some(other) => {
            return Err(format!(
                "`InitialExecutionState.NextMarker` is {}, not a string",
                kind_of(other)
            ));
        }
    };
    let updated = updated_ids(object.get("UpdatedOperationIds"));
    Ok(Envelope {
        arn,
        token,
        operations,
        next_marker,
        updated,
    })
}

/// A JSON value's kind, for messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// An operation as the envelope carries it: only what replay reads.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawOperation {
    id: String,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(rename = "Type")]
    op_type: String,
    #[serde(default)]
    sub_type: Option<String>,
    status: String,
    #[serde(default)]
    execution_details: Option<RawExecutionDetails>,
    #[serde(default)]
    step_details: Option<RawDetails>,
    #[serde(default)]
    context_details: Option<RawDetails>,
    #[serde(default)]
    callback_details: Option<RawDetails>,
    #[serde(default)]
    chained_invoke_details: Option<RawDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawExecutionDetails {
    #[serde(default)]
    input_payload: Option<String>,
}

/// The details members replay reads, whichever operation type they belong to.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawDetails {
    #[serde(default)]
    attempt: Option<u32>,
    #[serde(default)]
    result: Option<String>,
    #[serde(default)]
    error: Option<RawError>,
    #[serde(default)]
    callback_id: Option<String>,
    #[serde(default)]
    replay_children: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawError {
    #[serde(default)]
    error_type: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    error_data: Option<String>,
    #[serde(default)]
    stack_trace: Option<Vec<String>>,
}

fn operation(value: &Value) -> Result<Record, String> {
    RawOperation::deserialize(value)
        .map(record_of)
        .map_err(|e| e.to_string())
}

fn record_of(raw: RawOperation) -> Record {
    let mut record = Record {
        id: raw.id,
        parent_id: raw.parent_id,
        name: raw.name,
        op_type: raw.op_type.as_str().into(),
        sub_type: raw.sub_type,
        status: raw.status.as_str().into(),
        attempt: 0,
        result: None,
        error: None,
        callback_id: None,
        replay_children: false,
        input: raw.execution_details.and_then(|d| d.input_payload),
    };
    for details in [
        raw.step_details,
        raw.context_details,
        raw.callback_details,
        raw.chained_invoke_details,
    ]
    .into_iter()
    .flatten()
    {
        record.attempt = record.attempt.max(details.attempt.unwrap_or(0));
        record.result = record.result.or(details.result);
        record.error = record.error.or(details.error.map(|e| ErrorObject {
            error_type: e.error_type.unwrap_or_default(),
            message: e.error_message.unwrap_or_default(),
            data: e.error_data,
            stack_trace: e.stack_trace.unwrap_or_default(),
        }));
        record.callback_id = record.callback_id.or(details.callback_id);
        record.replay_children |= details.replay_children.unwrap_or(false);
    }
    record
}

/// `{"Status":"SUCCEEDED","Result":…}`: the result inline, or `""` when it was checkpointed
/// because it was too large to return.
pub(crate) fn succeeded(result: &str) -> Value {
    serde_json::json!({"Status": "SUCCEEDED", "Result": result})
}

/// `{"Status":"FAILED","Error":…}`, or without `Error` when it was checkpointed because it was
/// too large to return.
pub(crate) fn failed(error: Option<&ErrorObject>) -> Value {
    match error {
        Some(error) => serde_json::json!({"Status": "FAILED", "Error": error.to_json()}),
        None => serde_json::json!({"Status": "FAILED"}),
    }
}

/// The `Error` member of an output envelope, read back (what [`ErrorObject::to_json`] wrote).
pub(crate) fn error_from_json(error: &Value) -> ErrorObject {
    let text = |name: &str| error.get(name).and_then(Value::as_str).map(String::from);
    ErrorObject {
        error_type: text("ErrorType").unwrap_or_default(),
        message: text("ErrorMessage").unwrap_or_default(),
        data: text("ErrorData"),
        stack_trace: error
            .get("StackTrace")
            .and_then(Value::as_array)
            .map(|lines| {
                lines
                    .iter()
                    .filter_map(|l| l.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// `{"Status":"PENDING"}`.
pub(crate) fn pending() -> Value {
    serde_json::json!({"Status": "PENDING"})
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_sdk::types::{OperationStatus, OperationType};
    use serde_json::json;

    fn envelope(state: Value) -> Value {
        json!({"DurableExecutionArn": "arn:x", "CheckpointToken": "t0", "InitialExecutionState": state})
    }

    /// Reads `text` as lambda_runtime hands it over (one pass over the text, the lenient reader
    /// after a failure) and with the lenient reader alone: both must give the same answer.
    fn read(text: &str) -> Result<Envelope, String> {
        let event: DurableEvent = serde_json::from_str(text).unwrap();
        let from_text = event.envelope();
        let from_value = parse(&serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(from_text, from_value, "the two readers differ on {text}");
        from_text
    }

    fn parse(event: &Value) -> Result<Envelope, String> {
        super::parse(event)
    }

    #[test]
    fn a_well_formed_envelope_is_read_in_one_pass_and_anything_else_by_the_lenient_reader() {
        let good = envelope(json!({"Operations": [
            {"Id": "exec", "Type": "EXECUTION", "Status": "STARTED",
             "ExecutionDetails": {"InputPayload": "{}"}},
            {"Id": "s1", "Type": "STEP", "Status": "SUCCEEDED", "StepDetails": {"Result": "1"}}
        ], "NextMarker": "m"}));
        assert!(parse_fast(&good.to_string()).is_some());
        assert_eq!(read(&good.to_string()).unwrap().operations.len(), 2);
        // What serde's derive takes and the lenient reader refuses: the one-pass reader must
        // refuse it too.
        for text in [
            r#"["arn", "t", {"Operations": []}]"#,
            r#"{"DurableExecutionArn":"a","CheckpointToken":"t","InitialExecutionState":[[], "m"]}"#,
            r#"{"DurableExecutionArn":"","CheckpointToken":"t","InitialExecutionState":{}}"#,
            r#"{"DurableExecutionArn":"a","CheckpointToken":"","InitialExecutionState":{}}"#,
        ] {
            assert!(parse_fast(text).is_none(), "{text}");
            assert!(read(text).is_err(), "{text}");
        }
        // A duplicate member: the one-pass reader gives up, the lenient one takes the last.
        let text = r#"{"DurableExecutionArn":"a","DurableExecutionArn":"b","CheckpointToken":"t","InitialExecutionState":{}}"#;
        assert!(parse_fast(text).is_none());
        assert_eq!(read(text).unwrap().arn, "b");
        assert!(
            read("7")
                .unwrap_err()
                .contains("the invocation event is a number")
        );
    }

    #[test]
    fn the_two_readers_agree_on_every_member_of_every_kind() {
        let base = json!({
            "DurableExecutionArn": "arn:x", "CheckpointToken": "t0", "UpdatedOperationIds": ["s1"],
            "InitialExecutionState": {"NextMarker": "m", "Operations": [
                {"Id": "exec", "Type": "EXECUTION", "Status": "STARTED",
                 "ExecutionDetails": {"InputPayload": "{}"}},
                {"Id": "s1", "ParentId": "p", "Name": "n", "Type": "STEP", "SubType": "Step",
                 "Status": "FAILED", "StepDetails": {"Attempt": 2, "Result": "1",
                 "Error": {"ErrorType": "E", "ErrorMessage": "m", "ErrorData": "d", "StackTrace": ["a"]}}},
                {"Id": "c1", "Type": "CALLBACK", "Status": "STARTED",
                 "CallbackDetails": {"CallbackId": "cb"}, "ContextDetails": {"ReplayChildren": true}}
            ]}
        });
        let kinds = [
            json!(null),
            json!(true),
            json!(0),
            json!(-1),
            json!(1.5),
            json!(5_000_000_000u64),
            json!(""),
            json!("s"),
            json!([]),
            json!(["x", 1]),
            json!({}),
            json!({"Id": "x"}),
        ];
        // Every path to a member, found by walking the base envelope.
        fn paths(value: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
            match value {
                Value::Object(map) => {
                    for (k, v) in map {
                        at.push(k.clone());
                        out.push(at.clone());
                        paths(v, at, out);
                        at.pop();
                    }
                }
                Value::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        at.push(i.to_string());
                        out.push(at.clone());
                        paths(v, at, out);
                        at.pop();
                    }
                }
                _ => {}
            }
        }
        let mut all = Vec::new();
        paths(&base, &mut Vec::new(), &mut all);
        let mut read_ok = 0;
        for path in &all {
            let pointer = format!("/{}", path.join("/"));
            for kind in kinds.iter().map(Some).chain([None]) {
                let mut event = base.clone();
                let (parent, last) = pointer.rsplit_once('/').unwrap();
                match (
                    event
                        .pointer_mut(if parent.is_empty() { "" } else { parent })
                        .unwrap(),
                    kind,
                ) {
                    (Value::Object(map), Some(kind)) => {
                        map.insert(last.to_string(), kind.clone());
                    }
                    (Value::Object(map), None) => {
                        map.remove(last);
                    }
                    (Value::Array(items), Some(kind)) => {
                        items[last.parse::<usize>().unwrap()] = kind.clone()
                    }
                    (Value::Array(items), None) => {
                        items.remove(last.parse::<usize>().unwrap());
                    }
                    _ => unreachable!(),
                }
                read_ok += usize::from(read(&event.to_string()).is_ok());
            }
        }
        // Both outcomes were reached (the readers agreed on each, in `read`).
        assert!(
            read_ok > 100 && read_ok < all.len() * (kinds.len() + 1),
            "{read_ok}"
        );
    }

    #[test]
    fn timestamps_in_any_form_and_unknown_members_are_accepted() {
        let event = envelope(json!({
            "Operations": [
                {"Id": "exec", "Type": "EXECUTION", "Status": "STARTED", "StartTimestamp": 1795620264489u64,
                 "ExecutionDetails": {"InputPayload": "{\"a\":1}"}, "Brand": "new"},
                {"Id": "s1", "Type": "STEP", "SubType": "Step", "Status": "SUCCEEDED",
                 "StartTimestamp": 1795620264.489, "EndTimestamp": "2026-11-25T10:00:00.123Z",
                 "StepDetails": {"Attempt": 2, "Result": "42", "NextAttemptTimestamp": "2026-11-25 10:00:00+00:00"}},
                {"Id": "c1", "Type": "CALLBACK", "Status": "STARTED", "CallbackDetails": {"CallbackId": "cb-1"}}
            ],
            "NextMarker": ""
        }));
        let parsed = read(&event.to_string()).unwrap();
        assert_eq!(parsed.arn, "arn:x");
        assert_eq!(parsed.next_marker, None);
        assert_eq!(parsed.operations[0].input.as_deref(), Some("{\"a\":1}"));
        assert_eq!(parsed.operations[0].op_type, OperationType::Execution);
        let step = &parsed.operations[1];
        assert_eq!(
            (step.status.clone(), step.attempt, step.result.as_deref()),
            (OperationStatus::Succeeded, 2, Some("42"))
        );
        assert_eq!(parsed.operations[2].callback_id.as_deref(), Some("cb-1"));
    }

    #[test]
    fn errors_name_the_member() {
        let cases = [
            (json!("hello"), "the invocation event is a string"),
            (json!({"CheckpointToken": "t"}), "no `DurableExecutionArn`"),
            (
                json!({"DurableExecutionArn": 5, "CheckpointToken": "t"}),
                "`DurableExecutionArn` is a number, not a string",
            ),
            (
                json!({"DurableExecutionArn": "a", "CheckpointToken": "t"}),
                "no `InitialExecutionState`",
            ),
            (
                envelope(json!({"Operations": {"Id": 1}})),
                "`InitialExecutionState.Operations` is an object, not a list",
            ),
            (
                envelope(json!({"Operations": [{"Id": "x", "Type": "STEP"}]})),
                "`InitialExecutionState.Operations[0]`: missing field `Status`",
            ),
            (
                envelope(json!({"Operations": [], "NextMarker": 7})),
                "`InitialExecutionState.NextMarker` is a number",
            ),
        ];
        for (event, expected) in cases {
            let err = read(&event.to_string()).unwrap_err();
            assert!(err.contains(expected), "{err} (expected {expected})");
        }
    }

    #[test]
    fn updated_operation_ids_present_absent_or_malformed_are_all_accepted() {
        let mut event = envelope(json!({"Operations": []}));
        assert!(parse(&event).is_ok());
        for (ids, expected) in [
            (json!([]), vec![]),
            (json!(["a", "b"]), vec!["a", "b"]),
            (json!("not a list"), vec![]),
            (json!(["a", 7]), vec!["a"]),
        ] {
            event["UpdatedOperationIds"] = ids;
            assert_eq!(read(&event.to_string()).unwrap().updated, expected);
        }
        event["InitialExecutionState"]["NextMarker"] = json!("m2");
        assert_eq!(parse(&event).unwrap().next_marker.as_deref(), Some("m2"));
    }
}
