//! The invocation envelope Lambda hands a durable function, and the output it answers with.
//!
//! The envelope is not the API's output shape: its timestamps may be epoch milliseconds, epoch
//! seconds or ISO-8601 strings, `UpdatedOperationIds` may be absent, and the service keeps
//! adding members. It is therefore read leniently, from a JSON value, into what replay needs:
//! unknown members are ignored, timestamps are not read at all (replay decides by status), and
//! `UpdatedOperationIds`, which only tells plugins which operations the service ended since the
//! last invocation, is read when it is a list of strings and otherwise ignored.
//! What is missing or of the wrong type is an error that names the member.

use serde::Deserialize;
use serde_json::Value;

use crate::error::ErrorObject;
use crate::record::Record;

/// The largest response Lambda returns (6 MiB), less a margin for the envelope around the result,
/// as the other SDKs reckon it.
pub(crate) const RESPONSE_LIMIT: usize = 6 * 1024 * 1024 - 50;

/// What an invocation was given.
#[derive(Debug)]
pub(crate) struct Envelope {
    pub arn: String,
    pub token: String,
    pub operations: Vec<Record>,
    /// The marker of the next state page; `None` when the envelope held every operation.
    pub next_marker: Option<String>,
    /// `UpdatedOperationIds`: what the service changed while the execution was suspended.
    pub updated: Vec<String>,
}

/// Reads the envelope. The error message names the member at fault.
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
    let updated = match object.get("UpdatedOperationIds") {
        Some(Value::Array(ids)) => ids
            .iter()
            .filter_map(|id| id.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    };
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
    let raw: RawOperation = RawOperation::deserialize(value).map_err(|e| e.to_string())?;
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
    Ok(record)
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
        let parsed = parse(&event).unwrap();
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
            let err = parse(&event).unwrap_err();
            assert!(err.contains(expected), "{err} (expected {expected})");
        }
    }

    #[test]
    fn updated_operation_ids_present_absent_or_malformed_are_all_accepted() {
        let mut event = envelope(json!({"Operations": []}));
        assert!(parse(&event).is_ok());
        for (ids, read) in [
            (json!([]), vec![]),
            (json!(["a", "b"]), vec!["a", "b"]),
            (json!("not a list"), vec![]),
            (json!(["a", 7]), vec!["a"]),
        ] {
            event["UpdatedOperationIds"] = ids;
            assert_eq!(parse(&event).unwrap().updated, read);
        }
        event["InitialExecutionState"]["NextMarker"] = json!("m2");
        assert_eq!(parse(&event).unwrap().next_marker.as_deref(), Some("m2"));
    }
}
