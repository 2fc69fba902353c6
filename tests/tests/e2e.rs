//! End-to-end tests of the SDK against the real local durable-execution emulator.
//!
//! Each test starts its own emulator and a function server that plays the durable function
//! (see `lambda_sdk_tests::durable`). The function makes every durable API call through
//! `lambda_sdk::Client`: it replays its state page by page, checkpoints operations and threads
//! the newest checkpoint token. The tests drive and inspect executions through the SDK too;
//! only starting an execution uses the emulator's own route.
//!
//! They skip with a printed reason when Python or the emulator's venv is unavailable, except
//! under `CI=true`, where they fail. Every wait is bounded.
#![forbid(unsafe_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use lambda_sdk::Error;
use lambda_sdk::primitives::{Blob, DateTime};
use lambda_sdk::types::{
    Event, EventType, ExecutionStatus, GetDurableExecutionHistoryRequest,
    GetDurableExecutionRequest, GetDurableExecutionStateRequest,
    ListDurableExecutionsByFunctionRequest, Operation, OperationStatus, OperationType,
    SendDurableExecutionCallbackFailureRequest, SendDurableExecutionCallbackHeartbeatRequest,
    SendDurableExecutionCallbackSuccessRequest, StopDurableExecutionRequest,
};
use lambda_sdk::{Client, types::CheckpointDurableExecutionRequest};
use lambda_sdk_tests::durable::{
    self, Durable, callback, error_object, eventually, failed, pending, step, succeed_execution,
    succeeded,
};
use lambda_sdk_tests::function_server::Invocation;
use serde_json::{Value, json};

/// Upper bound for every wait on an execution or on the function.
const TIMEOUT: Duration = Duration::from_secs(60);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A function name unique to this test process and `test`.
fn function_name(test: &str) -> String {
    format!("e2e-{test}-{}", std::process::id())
}

fn op_summary(op: &Operation) -> String {
    format!("{}:{}:{}", op.id, op.r#type.as_str(), op.status.as_str())
}

// ---------------------------------------------------------------------------------------------
// a. replay + checkpoint
// ---------------------------------------------------------------------------------------------

/// Steps checkpointed by the first invocation, one checkpoint each.
const SEEDED_STEPS: i64 = 3;
/// Steps in all; the re-invocation checkpoints the rest.
const ALL_STEPS: i64 = 5;
/// `MaxItems` of every replay page: small, so the replay takes several pages.
const PAGE_ITEMS: i32 = 2;

/// Waits until the history shows `count` completed invocations of the execution, so that
/// completing a callback re-invokes the function instead of racing the invocation in flight.
async fn invocations_completed(client: &Client, arn: &str, count: usize) {
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        let history = client
            .get_durable_execution_history(GetDurableExecutionHistoryRequest {
                durable_execution_arn: arn.to_string(),
                ..Default::default()
            })
            .await
            .expect("history");
        let done = history
            .events
            .iter()
            .filter(|e| e.event_type == Some(EventType::InvocationCompleted))
            .count();
        if done >= count {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{arn}: {done} of {count} invocations completed within {TIMEOUT:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// What one invocation of the replaying function saw.
#[derive(Debug, Clone)]
struct ReplayView {
    pages: usize,
    operations: Vec<String>,
    token: String,
}

/// The result of step `i` for an execution whose input has `factor`.
fn step_result(factor: i64, i: i64) -> String {
    json!({ "value": factor * i }).to_string()
}

async fn replaying_function(
    client: Client,
    invocation: Invocation,
    views: Arc<Mutex<Vec<ReplayView>>>,
    resume_id: Arc<Mutex<Option<String>>>,
) -> Result<Value, String> {
    let mut durable = Durable::new(client, &invocation);
    let replay = durable.replay(PAGE_ITEMS).await?;
    lock(&views).push(ReplayView {
        pages: replay.pages,
        operations: replay.operations.iter().map(op_summary).collect(),
        token: invocation.checkpoint_token.clone(),
    });

    // The input, as replayed through the SDK, matches the invocation's.
    let input = replay.input().ok_or("the replay has no input payload")?;
    if Some(input) != invocation.input_payload() {
        return Err(format!(
            "replayed input {input:?} != invocation input {:?}",
            invocation.input_payload()
        ));
    }
    let input: Value = serde_json::from_str(input).map_err(|e| format!("input: {e}"))?;
    let factor = input["factor"].as_i64().ok_or("input lacks `factor`")?;
    let execution_id = replay
        .execution()
        .ok_or("no EXECUTION operation")?
        .id
        .clone();

    let Some(resumed) = replay.get("resume-1") else {
        // First invocation: only the execution exists. Seed steps, one checkpoint each.
        if replay.operations.len() != 1 {
            return Err(format!("first invocation replayed {:?}", replay.operations));
        }
        for i in 1..=SEEDED_STEPS {
            let id = format!("step-{i}");
            let result = step_result(factor, i);
            let response = durable
                .checkpoint(step(&id, &format!("multiply-{i}"), &result))
                .await?;
            let changed = response.new_execution_state.operations.unwrap_or_default();
            let op = changed
                .iter()
                .find(|op| op.id == id)
                .ok_or_else(|| format!("checkpoint of {id} did not return it: {changed:?}"))?;
            let recorded = op.step_details.as_ref().and_then(|d| d.result.as_deref());
            if op.status != OperationStatus::Succeeded || recorded != Some(result.as_str()) {
                return Err(format!("checkpoint of {id} returned {op:?}"));
            }
        }
        // Park on a callback; the test completes it once this invocation has ended, so the
        // emulator invokes us again. (A WAIT would fire at once under --skip-time, racing the
        // end of this invocation.)
        let response = durable
            .checkpoint(vec![callback("resume-1", "resume", 300, 0)])
            .await?;
        let changed = response.new_execution_state.operations.unwrap_or_default();
        let id = changed
            .iter()
            .find(|op| op.id == "resume-1")
            .and_then(|op| op.callback_details.as_ref())
            .and_then(|d| d.callback_id.clone())
            .ok_or_else(|| format!("no callback id in {changed:?}"))?;
        *lock(&resume_id) = Some(id);
        return Ok(pending());
    };

    // Re-invocation: everything seeded is replayed.
    if resumed.status != OperationStatus::Succeeded {
        return Err(format!("the callback was replayed as {resumed:?}"));
    }
    let mut sum = 0;
    for i in 1..=SEEDED_STEPS {
        let id = format!("step-{i}");
        let op = replay
            .get(&id)
            .ok_or_else(|| format!("{id} was not replayed"))?;
        let result = op.step_details.as_ref().and_then(|d| d.result.as_deref());
        if op.status != OperationStatus::Succeeded
            || result != Some(step_result(factor, i).as_str())
        {
            return Err(format!("{id} was replayed as {op:?}"));
        }
        sum += factor * i;
    }
    // The remaining steps: one alone, the last together with the execution's completion
    // (an EXECUTION update must come last).
    durable
        .checkpoint(step("step-4", "multiply-4", &step_result(factor, 4)))
        .await?;
    sum += factor * 4;
    sum += factor * ALL_STEPS;
    let result = json!({ "sum": sum, "steps": ALL_STEPS }).to_string();
    let mut last = step("step-5", "multiply-5", &step_result(factor, ALL_STEPS));
    last.push(succeed_execution(&execution_id, &result));
    durable.checkpoint(last).await?;
    Ok(succeeded(&result))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_replays_its_state_in_pages_and_checkpoints_to_success() {
    let views = Arc::new(Mutex::new(Vec::new()));
    let resume_id = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&views);
    let parked = Arc::clone(&resume_id);
    let Some(harness) = durable::start_or_skip(move |client, invocation| {
        replaying_function(client, invocation, Arc::clone(&seen), Arc::clone(&parked))
    })
    .await
    else {
        return;
    };
    let function = function_name("replay");
    let input = json!({ "factor": 7 });
    let arn = harness
        .start_execution(&function, "replay-1", &input)
        .await
        .expect("start the execution");
    let id = eventually("the resume callback id", TIMEOUT, || {
        lock(&resume_id).clone()
    })
    .await
    .expect("the first invocation parks on a callback");
    invocations_completed(&harness.client, &arn, 1).await;
    harness
        .client
        .send_durable_execution_callback_success(SendDurableExecutionCallbackSuccessRequest {
            callback_id: id,
            result: Some(Blob::from(&b"go"[..])),
        })
        .await
        .expect("complete the resume callback");
    let execution = harness
        .wait_for_execution(&arn, TIMEOUT)
        .await
        .expect("the execution ends");

    assert_eq!(harness.handler_errors(), Vec::<String>::new());
    assert_eq!(
        execution.status,
        ExecutionStatus::Succeeded,
        "{execution:?}"
    );
    let expected = json!({ "sum": 7 * (1 + 2 + 3 + 4 + 5), "steps": ALL_STEPS }).to_string();
    assert_eq!(execution.result.as_deref(), Some(expected.as_str()));
    assert_eq!(execution.error, None);
    assert_eq!(execution.durable_execution_arn, arn);
    assert_eq!(execution.durable_execution_name, "replay-1");
    assert_eq!(
        execution.input_payload.as_deref(),
        Some(input.to_string().as_str())
    );
    assert!(
        execution.function_arn.contains(&function),
        "{}",
        execution.function_arn
    );
    let end = execution.end_timestamp.expect("an end timestamp");
    assert!(
        execution.start_timestamp.secs() > 1_600_000_000,
        "{execution:?}"
    );
    assert!(end >= execution.start_timestamp, "{execution:?}");

    let views = lock(&views).clone();
    assert_eq!(views.len(), 2, "two invocations: {views:#?}");
    let (first, second) = (&views[0], &views[1]);
    assert_ne!(
        first.token, second.token,
        "each invocation has its own token"
    );
    assert_eq!(first.pages, 1, "{first:?}");
    assert_eq!(first.operations.len(), 1, "{first:?}");
    assert!(
        first.operations[0].ends_with(":EXECUTION:STARTED"),
        "{first:?}"
    );
    // EXECUTION, three steps and the callback, two per page.
    assert_eq!(second.pages, 3, "{second:?}");
    assert_eq!(
        second.operations[1..],
        [
            "step-1:STEP:SUCCEEDED",
            "step-2:STEP:SUCCEEDED",
            "step-3:STEP:SUCCEEDED",
            "resume-1:CALLBACK:SUCCEEDED",
        ],
        "{second:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// b. callbacks completed from outside
// ---------------------------------------------------------------------------------------------

/// What the callback function recorded, per execution ARN.
#[derive(Default, Debug)]
struct Callbacks {
    /// The callback id from the checkpoint response that started the callback.
    ids: HashMap<String, String>,
    /// The callback operation as the re-invoked function replayed it.
    completed: HashMap<String, Operation>,
    /// Pages of each replay, per ARN, in invocation order.
    pages: HashMap<String, Vec<usize>>,
}

/// Starts a callback and waits for it; once it completes, finishes with its outcome: success
/// through an EXECUTION checkpoint, failure through the invocation answer.
async fn callback_function(
    client: Client,
    invocation: Invocation,
    seen: Arc<Mutex<Callbacks>>,
) -> Result<Value, String> {
    let arn = invocation.durable_execution_arn.clone();
    let mut durable = Durable::new(client, &invocation);
    let replay = durable.replay(1).await?;
    lock(&seen)
        .pages
        .entry(arn.clone())
        .or_default()
        .push(replay.pages);
    let Some(op) = replay.get("cb-1") else {
        let response = durable
            .checkpoint(vec![callback("cb-1", "approval", 300, 120)])
            .await?;
        let changed = response.new_execution_state.operations.unwrap_or_default();
        let op = changed
            .iter()
            .find(|op| op.id == "cb-1")
            .ok_or_else(|| format!("the callback's checkpoint did not return it: {changed:?}"))?;
        if op.r#type != OperationType::Callback || op.status != OperationStatus::Started {
            return Err(format!("the callback started as {op:?}"));
        }
        let id = op
            .callback_details
            .as_ref()
            .and_then(|d| d.callback_id.clone())
            .ok_or_else(|| format!("no callback id in {op:?}"))?;
        lock(&seen).ids.insert(arn, id);
        return Ok(pending());
    };
    lock(&seen).completed.insert(arn, op.clone());
    let details = op.callback_details.clone().unwrap_or_default();
    match op.status {
        OperationStatus::Succeeded => {
            let received = details.result.unwrap_or_default();
            let result = json!({ "approved": received }).to_string();
            let execution_id = replay.execution().ok_or("no EXECUTION")?.id.clone();
            durable
                .checkpoint(vec![succeed_execution(&execution_id, &result)])
                .await?;
            Ok(succeeded(&result))
        }
        OperationStatus::Failed => {
            let error = details.error.unwrap_or_default();
            Ok(failed(
                error.error_type.as_deref().unwrap_or("NoType"),
                &format!(
                    "callback failed: {}",
                    error.error_message.as_deref().unwrap_or("no message")
                ),
            ))
        }
        _ => Err(format!("re-invoked with the callback {op:?}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_completed_through_the_sdk_resume_the_function() {
    let seen = Arc::new(Mutex::new(Callbacks::default()));
    let records = Arc::clone(&seen);
    let Some(harness) = durable::start_or_skip(move |client, invocation| {
        callback_function(client, invocation, Arc::clone(&records))
    })
    .await
    else {
        return;
    };
    let client = &harness.client;
    let function = function_name("callback");
    let ok_arn = harness
        .start_execution(&function, "callback-ok", &json!({}))
        .await
        .expect("start the succeeding execution");
    let fail_arn = harness
        .start_execution(&function, "callback-fail", &json!({}))
        .await
        .expect("start the failing execution");
    let callback_id = |arn: &str| {
        let seen = Arc::clone(&seen);
        let arn = arn.to_owned();
        async move {
            eventually("the callback id", TIMEOUT, || {
                lock(&seen).ids.get(&arn).cloned()
            })
            .await
        }
    };
    let ok_id = callback_id(&ok_arn)
        .await
        .expect("the first callback starts");
    let fail_id = callback_id(&fail_arn)
        .await
        .expect("the second callback starts");
    assert_ne!(ok_id, fail_id);
    // Complete the callbacks only after the invocations that started them have ended.
    invocations_completed(client, &ok_arn, 1).await;
    invocations_completed(client, &fail_arn, 1).await;

    client
        .send_durable_execution_callback_heartbeat(SendDurableExecutionCallbackHeartbeatRequest {
            callback_id: ok_id.clone(),
        })
        .await
        .expect("heartbeat");
    let result_text = r#"{"reviewer":"Zoë","ok":true}"#;
    client
        .send_durable_execution_callback_success(SendDurableExecutionCallbackSuccessRequest {
            callback_id: ok_id.clone(),
            result: Some(Blob::new(result_text.as_bytes())),
        })
        .await
        .expect("callback success");
    client
        .send_durable_execution_callback_failure(SendDurableExecutionCallbackFailureRequest {
            callback_id: fail_id.clone(),
            error: Some(error_object("ReviewRejected", "the reviewer said no")),
        })
        .await
        .expect("callback failure");

    let ok = harness
        .wait_for_execution(&ok_arn, TIMEOUT)
        .await
        .expect("the succeeding execution ends");
    let failed_execution = harness
        .wait_for_execution(&fail_arn, TIMEOUT)
        .await
        .expect("the failing execution ends");
    assert_eq!(harness.handler_errors(), Vec::<String>::new());

    assert_eq!(ok.status, ExecutionStatus::Succeeded, "{ok:?}");
    let expected = json!({ "approved": result_text }).to_string();
    assert_eq!(ok.result.as_deref(), Some(expected.as_str()));
    assert_eq!(
        failed_execution.status,
        ExecutionStatus::Failed,
        "{failed_execution:?}"
    );
    let error = failed_execution.error.clone().expect("an execution error");
    assert_eq!(error.error_type.as_deref(), Some("ReviewRejected"));
    assert_eq!(
        error.error_message.as_deref(),
        Some("callback failed: the reviewer said no")
    );
    assert_eq!(failed_execution.result, None);

    // The re-invoked function replayed the completed callbacks.
    let seen = std::mem::take(&mut *lock(&seen));
    let ok_op = &seen.completed[&ok_arn];
    assert_eq!(ok_op.status, OperationStatus::Succeeded);
    assert_eq!(ok_op.name.as_deref(), Some("approval"));
    assert!(
        ok_op
            .end_timestamp
            .is_some_and(|end| end >= ok_op.start_timestamp)
    );
    let ok_details = ok_op.callback_details.as_ref().expect("callback details");
    assert_eq!(ok_details.callback_id.as_deref(), Some(ok_id.as_str()));
    assert_eq!(ok_details.result.as_deref(), Some(result_text));
    let fail_op = &seen.completed[&fail_arn];
    assert_eq!(fail_op.status, OperationStatus::Failed);
    let fail_error = fail_op
        .callback_details
        .as_ref()
        .and_then(|d| d.error.clone())
        .expect("the callback's error");
    assert_eq!(fail_error.error_type.as_deref(), Some("ReviewRejected"));
    assert_eq!(
        fail_error.error_message.as_deref(),
        Some("the reviewer said no")
    );
    // EXECUTION + callback, one per page.
    assert_eq!(seen.pages[&ok_arn], [1, 2]);
    assert_eq!(seen.pages[&fail_arn], [1, 2]);

    // The history agrees on the callback id and the delivered result.
    let history = client
        .get_durable_execution_history(GetDurableExecutionHistoryRequest {
            durable_execution_arn: ok_arn.clone(),
            include_execution_data: Some(true),
            ..Default::default()
        })
        .await
        .expect("history");
    let started = event_of(&history.events, &EventType::CallbackStarted);
    let started = started
        .callback_started_details
        .as_ref()
        .expect("CallbackStarted details");
    // (The emulator leaves out the event's Timeout and HeartbeatTimeout.)
    assert_eq!(started.callback_id, ok_id);
    let delivered = event_of(&history.events, &EventType::CallbackSucceeded)
        .callback_succeeded_details
        .as_ref()
        .expect("CallbackSucceeded details");
    assert_eq!(delivered.result.payload.as_deref(), Some(result_text));

    // A completed callback cannot be completed again.
    let again = client
        .send_durable_execution_callback_success(SendDurableExecutionCallbackSuccessRequest {
            callback_id: ok_id,
            result: None,
        })
        .await
        .expect_err("a completed callback is refused");
    assert!(
        matches!(&again, Error::Service(s) if (400..500).contains(&s.status())),
        "{again:?}"
    );
}

fn event_of<'a>(events: &'a [Event], event_type: &EventType) -> &'a Event {
    events
        .iter()
        .find(|event| event.event_type.as_ref() == Some(event_type))
        .unwrap_or_else(|| panic!("no {event_type} event in {events:#?}"))
}

// ---------------------------------------------------------------------------------------------
// c. stop
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_execution_is_stopped() {
    let parked = Arc::new(Mutex::new(BTreeSet::new()));
    let records = Arc::clone(&parked);
    let Some(harness) = durable::start_or_skip(move |client, invocation| {
        let parked = Arc::clone(&records);
        async move {
            let mut durable = Durable::new(client, &invocation);
            let replay = durable.replay(10).await?;
            if replay.get("cb-1").is_some() {
                return Err("re-invoked while parked on the callback".to_owned());
            }
            durable
                .checkpoint(vec![callback("cb-1", "never-answered", 300, 0)])
                .await?;
            lock(&parked).insert(invocation.durable_execution_arn);
            Ok(pending())
        }
    })
    .await
    else {
        return;
    };
    let client = &harness.client;
    let arn = harness
        .start_execution(&function_name("stop"), "stop-1", &json!({}))
        .await
        .expect("start the execution");
    eventually("the callback starts", TIMEOUT, || {
        lock(&parked).contains(&arn).then_some(())
    })
    .await
    .expect("the function parks on its callback");

    let before = client
        .get_durable_execution(GetDurableExecutionRequest {
            durable_execution_arn: arn.clone(),
            include_execution_data: None,
        })
        .await
        .expect("GetDurableExecution");
    assert_eq!(before.status, ExecutionStatus::Running, "{before:?}");
    assert_eq!(before.end_timestamp, None);

    let stopped = client
        .stop_durable_execution(StopDurableExecutionRequest {
            durable_execution_arn: arn.clone(),
            error: Some(error_object("OperatorStop", "stopped by the e2e test")),
        })
        .await
        .expect("StopDurableExecution");
    assert!(
        stopped.stop_timestamp >= before.start_timestamp,
        "{stopped:?} {before:?}"
    );

    let after = harness
        .wait_for_execution(&arn, TIMEOUT)
        .await
        .expect("the execution ends");
    assert_eq!(after.status, ExecutionStatus::Stopped, "{after:?}");
    let end = after.end_timestamp.expect("an end timestamp");
    assert!(end >= after.start_timestamp, "{after:?}");
    assert_eq!(after.result, None);

    let history = client
        .get_durable_execution_history(GetDurableExecutionHistoryRequest {
            durable_execution_arn: arn.clone(),
            ..Default::default()
        })
        .await
        .expect("history");
    let types = event_types(&history.events);
    assert_eq!(
        types.first(),
        Some(&EventType::ExecutionStarted),
        "{types:?}"
    );
    assert!(types.contains(&EventType::CallbackStarted), "{types:?}");
    assert_eq!(
        types.last(),
        Some(&EventType::ExecutionStopped),
        "{types:?}"
    );
    assert_eq!(harness.handler_errors(), Vec::<String>::new());
    assert_eq!(harness.server.invocations().len(), 1);
}

fn event_types(events: &[Event]) -> Vec<EventType> {
    events
        .iter()
        .map(|event| event.event_type.clone().expect("every event has a type"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// d. history
// ---------------------------------------------------------------------------------------------

/// Checkpoints two steps and succeeds with `"done"` through the invocation answer.
async fn two_steps(client: Client, invocation: Invocation) -> Result<Value, String> {
    let mut durable = Durable::new(client, &invocation);
    let replay = durable.replay(10).await?;
    if replay.operations.len() != 1 {
        return Err(format!("unexpected replay {:?}", replay.operations));
    }
    durable.checkpoint(step("s1", "first", "\"one\"")).await?;
    durable.checkpoint(step("s2", "second", "\"two\"")).await?;
    Ok(succeeded("\"done\""))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_of_a_finished_execution_pages_through_typed_events() {
    let Some(harness) = durable::start_or_skip(two_steps).await else {
        return;
    };
    let client = &harness.client;
    let input = json!({ "history": true });
    let arn = harness
        .start_execution(&function_name("history"), "history-1", &input)
        .await
        .expect("start the execution");
    let execution = harness
        .wait_for_execution(&arn, TIMEOUT)
        .await
        .expect("the execution ends");
    assert_eq!(harness.handler_errors(), Vec::<String>::new());
    assert_eq!(
        execution.status,
        ExecutionStatus::Succeeded,
        "{execution:?}"
    );
    assert_eq!(execution.result.as_deref(), Some("\"done\""));

    let request = GetDurableExecutionHistoryRequest {
        durable_execution_arn: arn.clone(),
        include_execution_data: Some(true),
        ..Default::default()
    };
    let history = client
        .get_durable_execution_history(request.clone())
        .await
        .expect("history");
    assert_eq!(history.next_marker.as_deref().unwrap_or(""), "");
    let events = &history.events;
    let types = event_types(events);
    assert_subsequence(
        &types,
        &[
            EventType::ExecutionStarted,
            EventType::StepStarted,
            EventType::StepSucceeded,
            EventType::StepStarted,
            EventType::StepSucceeded,
            EventType::ExecutionSucceeded,
        ],
    );
    assert_eq!(types.first(), Some(&EventType::ExecutionStarted));
    assert_eq!(types.last(), Some(&EventType::ExecutionSucceeded));

    // Event ids count from 1; every timestamp parsed and lies within the execution.
    let ids: Vec<i32> = events.iter().map(|e| e.event_id.expect("an id")).collect();
    assert_eq!(ids, (1..=ids.len() as i32).collect::<Vec<_>>());
    let start = execution.start_timestamp;
    let end = execution.end_timestamp.expect("an end timestamp");
    let slack = |t: DateTime, secs: i64| DateTime::from_secs(t.secs() + secs);
    for event in events {
        let at = event.event_timestamp.expect("an event timestamp");
        assert!(
            at >= slack(start, -1) && at <= slack(end, 1),
            "{at} outside [{start}, {end}]: {event:?}"
        );
    }

    // Details, with execution data included.
    let started = event_of(events, &EventType::ExecutionStarted)
        .execution_started_details
        .as_ref()
        .expect("ExecutionStarted details");
    assert_eq!(
        started.input.payload.as_deref(),
        Some(input.to_string().as_str())
    );
    assert_eq!(started.execution_timeout, 60);
    let step_results: Vec<(Option<&str>, Option<&str>)> = events
        .iter()
        .filter(|e| e.event_type == Some(EventType::StepSucceeded))
        .map(|e| {
            let details = e.step_succeeded_details.as_ref().expect("details");
            (e.id.as_deref(), details.result.payload.as_deref())
        })
        .collect();
    assert_eq!(
        step_results,
        [(Some("s1"), Some("\"one\"")), (Some("s2"), Some("\"two\""))]
    );
    let succeeded = event_of(events, &EventType::ExecutionSucceeded)
        .execution_succeeded_details
        .as_ref()
        .expect("ExecutionSucceeded details");
    assert_eq!(succeeded.result.payload.as_deref(), Some("\"done\""));

    // The paginator, two events per page, yields the same events.
    let mut pages = client.get_durable_execution_history_pages(GetDurableExecutionHistoryRequest {
        max_items: Some(2),
        ..request.clone()
    });
    let mut paged = Vec::new();
    let mut page_count = 0;
    while let Some(page) = pages.next().await {
        let page = page.expect("a history page");
        assert!(page.events.len() <= 2, "{page:?}");
        page_count += 1;
        paged.extend(page.events);
    }
    assert_eq!(page_count, events.len().div_ceil(2), "{paged:#?}");
    assert_eq!(&paged, events);

    // Newest first.
    let reversed = client
        .get_durable_execution_history(GetDurableExecutionHistoryRequest {
            reverse_order: Some(true),
            ..request
        })
        .await
        .expect("reversed history");
    let mut reversed_ids: Vec<i32> = reversed
        .events
        .iter()
        .map(|e| e.event_id.expect("an id"))
        .collect();
    reversed_ids.reverse();
    assert_eq!(reversed_ids, ids);
}

/// Asserts that `expected` occurs in `actual` in order (other events may come between).
fn assert_subsequence(actual: &[EventType], expected: &[EventType]) {
    let mut rest = actual.iter();
    for wanted in expected {
        assert!(
            rest.any(|found| found == wanted),
            "{expected:?} is not a subsequence of {actual:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// e. list by function
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executions_are_listed_by_function() {
    let parked = Arc::new(Mutex::new(BTreeSet::new()));
    let records = Arc::clone(&parked);
    let Some(harness) = durable::start_or_skip(move |client, invocation| {
        let parked = Arc::clone(&records);
        async move {
            let mut durable = Durable::new(client, &invocation);
            let replay = durable.replay(10).await?;
            let input: Value = serde_json::from_str(replay.input().unwrap_or("{}"))
                .map_err(|e| format!("input: {e}"))?;
            if input["park"] != true {
                return Ok(succeeded("\"listed\""));
            }
            durable
                .checkpoint(vec![callback("cb-1", "parked", 300, 0)])
                .await?;
            lock(&parked).insert(invocation.durable_execution_arn);
            Ok(pending())
        }
    })
    .await
    else {
        return;
    };
    let client = &harness.client;
    let function = function_name("list");
    let other_function = function_name("list-other");

    let mut expected = BTreeMap::new();
    for (name, park) in [("list-1", false), ("list-2", false), ("list-3", true)] {
        let arn = harness
            .start_execution(&function, name, &json!({ "park": park }))
            .await
            .expect("start an execution");
        expected.insert(arn, (name, park));
    }
    let other = harness
        .start_execution(&other_function, "other-1", &json!({}))
        .await
        .expect("start the other function's execution");
    for (arn, (_, park)) in &expected {
        if *park {
            eventually("the execution parks", TIMEOUT, || {
                lock(&parked).contains(arn).then_some(())
            })
            .await
            .expect("parked");
        } else {
            harness
                .wait_for_execution(arn, TIMEOUT)
                .await
                .expect("the execution ends");
        }
    }
    harness
        .wait_for_execution(&other, TIMEOUT)
        .await
        .expect("the other execution ends");
    assert_eq!(harness.handler_errors(), Vec::<String>::new());

    let request = ListDurableExecutionsByFunctionRequest {
        function_name: function.clone(),
        ..Default::default()
    };
    let listed = client
        .list_durable_executions_by_function(request.clone())
        .await
        .expect("ListDurableExecutionsByFunction");
    let executions = listed.durable_executions.unwrap_or_default();
    assert_eq!(listed.next_marker.as_deref().unwrap_or(""), "");
    let by_arn: BTreeMap<&str, _> = executions
        .iter()
        .map(|e| (e.durable_execution_arn.as_str(), e))
        .collect();
    assert_eq!(
        by_arn.keys().copied().collect::<Vec<_>>(),
        expected.keys().map(String::as_str).collect::<Vec<_>>(),
        "{executions:#?}"
    );
    for (arn, (name, park)) in &expected {
        let execution = by_arn[arn.as_str()];
        assert_eq!(execution.durable_execution_name, *name);
        assert!(execution.function_arn.contains(&function), "{execution:?}");
        assert!(execution.start_timestamp.secs() > 1_600_000_000);
        if *park {
            assert_eq!(execution.status, ExecutionStatus::Running, "{execution:?}");
            assert_eq!(execution.end_timestamp, None);
        } else {
            assert_eq!(
                execution.status,
                ExecutionStatus::Succeeded,
                "{execution:?}"
            );
            let end = execution.end_timestamp.expect("an end timestamp");
            assert!(end >= execution.start_timestamp);
        }
    }

    // One execution per page through the paginator: the same executions.
    let mut pages =
        client.list_durable_executions_by_function_pages(ListDurableExecutionsByFunctionRequest {
            max_items: Some(1),
            ..request
        });
    let mut paged = Vec::new();
    let mut page_count = 0;
    while let Some(page) = pages.next().await {
        let page = page.expect("a page");
        let page = page.durable_executions.unwrap_or_default();
        assert!(page.len() <= 1, "{page:?}");
        page_count += 1;
        paged.extend(page.into_iter().map(|e| e.durable_execution_arn));
    }
    assert!(page_count >= expected.len(), "{page_count} pages");
    paged.sort();
    assert_eq!(paged, expected.keys().cloned().collect::<Vec<_>>());
}

// ---------------------------------------------------------------------------------------------
// f. errors from the emulator
// ---------------------------------------------------------------------------------------------

/// A service error's HTTP status and message, as the function saw it.
#[derive(Debug, Clone, PartialEq)]
struct Refusal {
    status: u16,
    message: Option<String>,
    code: Option<String>,
}

fn refusal<E>(error: &Error<E>) -> Result<Refusal, String>
where
    E: lambda_sdk::error::OperationError,
{
    match error {
        Error::Service(service) => Ok(Refusal {
            status: service.status(),
            message: error.message(),
            code: error.code().map(str::to_owned),
        }),
        other => Err(format!("expected a service error, got {other:?}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_refuses_stale_tokens_and_unknown_executions() {
    let refusals = Arc::new(Mutex::new(Vec::new()));
    let records = Arc::clone(&refusals);
    let Some(harness) = durable::start_or_skip(move |client, invocation| {
        let records = Arc::clone(&records);
        async move {
            let mut durable = Durable::new(client.clone(), &invocation);
            let spent = durable.token().to_owned();
            durable.checkpoint(step("s1", "first", "1")).await?;
            // The invocation's token is now spent: a checkpoint and a state read with it fail.
            let stale_checkpoint = client
                .checkpoint_durable_execution(CheckpointDurableExecutionRequest {
                    durable_execution_arn: invocation.durable_execution_arn.clone(),
                    checkpoint_token: spent.clone(),
                    updates: Some(step("s2", "second", "2")),
                    client_token: None,
                })
                .await
                .err()
                .ok_or("a checkpoint with a spent token succeeded")?;
            let stale_state = client
                .get_durable_execution_state(GetDurableExecutionStateRequest {
                    durable_execution_arn: invocation.durable_execution_arn.clone(),
                    checkpoint_token: spent,
                    marker: None,
                    max_items: None,
                })
                .await
                .err()
                .ok_or("a state read with a spent token succeeded")?;
            lock(&records).push(refusal(&stale_checkpoint)?);
            lock(&records).push(refusal(&stale_state)?);
            // The newest token still works.
            let replay = durable.replay(10).await?;
            if replay.get("s1").is_none() || replay.get("s2").is_some() {
                return Err(format!("unexpected replay {:?}", replay.operations));
            }
            durable.checkpoint(step("s2", "second", "2")).await?;
            Ok(succeeded("\"refused\""))
        }
    })
    .await
    else {
        return;
    };
    let client = &harness.client;
    let arn = harness
        .start_execution(&function_name("errors"), "errors-1", &json!({}))
        .await
        .expect("start the execution");
    let execution = harness
        .wait_for_execution(&arn, TIMEOUT)
        .await
        .expect("the execution ends");
    assert_eq!(harness.handler_errors(), Vec::<String>::new());
    assert_eq!(
        execution.status,
        ExecutionStatus::Succeeded,
        "{execution:?}"
    );

    let refusals = lock(&refusals).clone();
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    for refused in &refusals {
        assert_eq!(refused.status, 400, "{refused:?}");
        let message = refused.message.as_deref().unwrap_or_default();
        assert!(
            message.to_ascii_lowercase().contains("token"),
            "{refused:?}"
        );
        // No error type header or `__type`: the SDK cannot name the error.
        assert_eq!(refused.code.as_deref(), Some("Unknown"), "{refused:?}");
    }

    // An execution that does not exist: 404 from every operation that names one.
    let missing = format!("{arn}-missing");
    let get = client
        .get_durable_execution(GetDurableExecutionRequest {
            durable_execution_arn: missing.clone(),
            include_execution_data: None,
        })
        .await
        .expect_err("an unknown execution");
    let history = client
        .get_durable_execution_history(GetDurableExecutionHistoryRequest {
            durable_execution_arn: missing.clone(),
            ..Default::default()
        })
        .await
        .expect_err("the history of an unknown execution");
    let stop = client
        .stop_durable_execution(StopDurableExecutionRequest {
            durable_execution_arn: missing,
            error: None,
        })
        .await
        .expect_err("stopping an unknown execution");
    for refused in [
        refusal(&get).expect("a service error"),
        refusal(&history).expect("a service error"),
        refusal(&stop).expect("a service error"),
    ] {
        assert_eq!(refused.status, 404, "{refused:?}");
        assert!(
            refused
                .message
                .as_deref()
                .is_some_and(|m| m.contains("does not exist")),
            "{refused:?}"
        );
    }
    assert!(get.to_string().contains("404"), "{get}");
}
