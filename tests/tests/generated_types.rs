//! The generated crate's types behave as issue #2 and Smithy's rules require: wire names,
//! defaults, client error correction, forward compatibility, redaction and exact timestamps.

use std::time::{Duration, SystemTime};

use lambda_sdk::primitives::{Blob, DateTime};
use lambda_sdk::types::{
    CallbackOptions, CheckpointDurableExecutionRequest, ErrorObject, Event, EventType,
    ExecutionStatus, GetDurableExecutionStateRequest, GetDurableExecutionStateResponse, Operation,
    OperationAction, OperationStatus, OperationType, OperationUpdate,
};
use serde_json::{Value, json};

#[test]
fn struct_literals_with_default_are_the_api() {
    let request = GetDurableExecutionStateRequest {
        durable_execution_arn: "arn".into(),
        checkpoint_token: "token".into(),
        max_items: Some(100),
        ..Default::default()
    };
    assert_eq!(request.marker, None);
}

#[test]
fn builders_refuse_missing_required_members_by_name() {
    let err = GetDurableExecutionStateRequest::builder()
        .durable_execution_arn("arn")
        .build()
        .unwrap_err();
    assert_eq!(err.member(), "CheckpointToken");
    assert_eq!(
        err.to_string(),
        "missing required member `CheckpointToken` of `GetDurableExecutionStateRequest`"
    );
    let ok = GetDurableExecutionStateRequest::builder()
        .durable_execution_arn("arn")
        .checkpoint_token("t")
        .max_items(5)
        .build()
        .unwrap();
    assert_eq!(ok.max_items, Some(5));
}

#[test]
fn top_level_input_members_left_unset_are_not_sent() {
    // MaxItems has a @default of 0 in the model, but an unset top-level member is never sent.
    let request = GetDurableExecutionStateRequest {
        durable_execution_arn: "arn".into(),
        checkpoint_token: "t".into(),
        ..Default::default()
    };
    let value = serde_json::to_value(&request).unwrap();
    assert_eq!(
        value,
        json!({"DurableExecutionArn": "arn", "CheckpointToken": "t"})
    );
}

#[test]
fn nested_members_with_a_default_are_sent_with_it() {
    let value = serde_json::to_value(CallbackOptions::default()).unwrap();
    assert_eq!(
        value,
        json!({"TimeoutSeconds": 0, "HeartbeatTimeoutSeconds": 0})
    );
    let set = CallbackOptions {
        timeout_seconds: Some(30),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(set).unwrap(),
        json!({"TimeoutSeconds": 30, "HeartbeatTimeoutSeconds": 0})
    );
}

#[test]
fn omitted_response_members_with_a_default_read_as_the_default() {
    // Event.EventId has @default(1).
    let event: Event = serde_json::from_value(json!({"EventType": "StepStarted"})).unwrap();
    assert_eq!(event.event_id, Some(1));
    assert_eq!(event.event_type, Some(EventType::StepStarted));
}

#[test]
fn unknown_fields_are_ignored_and_missing_required_members_get_zero_values() {
    let response: GetDurableExecutionStateResponse =
        serde_json::from_value(json!({"NextMarker": "m", "SomethingNew": {"a": [1, 2]}})).unwrap();
    assert!(response.operations.is_empty());
    assert_eq!(response.next_marker.as_deref(), Some("m"));
    // Explicit nulls for required members are corrected too.
    let op: Operation = serde_json::from_value(json!({"Id": null, "Type": "STEP"})).unwrap();
    assert_eq!(op.id, "");
    assert_eq!(op.r#type, OperationType::Step);
    assert_eq!(op.status, OperationStatus::default());
    assert_eq!(op.start_timestamp, DateTime::from_secs(0));
}

#[test]
fn enums_keep_unknown_values_and_round_trip() {
    assert_eq!(OperationType::ChainedInvoke.as_str(), "CHAINED_INVOKE");
    assert_eq!(OperationStatus::TimedOut.to_string(), "TIMED_OUT");
    assert_eq!(
        "PAUSED".parse::<ExecutionStatus>(),
        Ok(ExecutionStatus::Paused)
    );
    let future: OperationType = serde_json::from_value(json!("TELEPORT")).unwrap();
    assert_eq!(future, OperationType::Unknown("TELEPORT".into()));
    assert_eq!(serde_json::to_value(&future).unwrap(), json!("TELEPORT"));
    assert!(OperationAction::VALUES.contains(&"RETRY"));
}

#[test]
fn wire_names_keywords_and_nested_types() {
    let update = OperationUpdate {
        id: "1".into(),
        r#type: OperationType::Step,
        action: OperationAction::Succeed,
        payload: Some("{\"ok\":true}".into()),
        ..Default::default()
    };
    let request = CheckpointDurableExecutionRequest {
        durable_execution_arn: "arn".into(),
        checkpoint_token: "t".into(),
        updates: Some(vec![update]),
        ..Default::default()
    };
    let value = serde_json::to_value(&request).unwrap();
    assert_eq!(
        value["Updates"][0],
        json!({"Id": "1", "Type": "STEP", "Action": "SUCCEED", "Payload": "{\"ok\":true}"})
    );
    let back: CheckpointDurableExecutionRequest = serde_json::from_value(value).unwrap();
    assert_eq!(back, request);
}

#[test]
fn debug_redacts_sensitive_members() {
    let secret = "hunter2-do-not-print";
    let error = ErrorObject {
        error_message: Some(secret.into()),
        error_type: Some(secret.into()),
        error_data: Some(secret.into()),
        stack_trace: Some(vec![secret.into()]),
    };
    let debug = format!(
        "{error:?} {:?}",
        ErrorObject::builder().error_message(secret)
    );
    assert!(!debug.contains(secret), "{debug}");
    assert!(debug.contains("*** Sensitive Data Redacted ***"), "{debug}");
    let update = OperationUpdate {
        payload: Some(secret.into()),
        error: Some(error),
        ..Default::default()
    };
    let debug = format!("{update:?}");
    assert!(!debug.contains(secret), "{debug}");
    assert!(
        debug.contains("type: Unknown(\"\")"),
        "non-sensitive members still print: {debug}"
    );
}

#[test]
fn timestamps_keep_millisecond_precision_exactly() {
    let op: Operation = serde_json::from_value(json!({"StartTimestamp": 1.123})).unwrap();
    assert_eq!(op.start_timestamp.secs(), 1);
    assert_eq!(op.start_timestamp.subsec_nanos(), 123_000_000);
    let value = serde_json::to_value(&op).unwrap();
    assert_eq!(value["StartTimestamp"].to_string(), "1.123");
    let now = SystemTime::UNIX_EPOCH + Duration::from_millis(1_764_000_000_123);
    let dt = DateTime::from(now);
    assert_eq!(SystemTime::from(dt), now);
    assert_eq!(dt.to_millis(), 1_764_000_000_123);
}

#[test]
fn blobs_are_bytes() {
    let blob = Blob::from(vec![1u8, 2, 3]);
    assert_eq!(&blob[..], &[1, 2, 3]);
    assert_eq!(serde_json::to_value(&blob).unwrap(), Value::from("AQID"));
}
