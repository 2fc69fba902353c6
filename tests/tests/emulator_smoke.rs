//! Smoke tests of the end-to-end harness against the real local emulator, with raw HTTP only
//! (no SDK): the function server plays the function, calls the emulator's `/state` and
//! `/checkpoint` routes by hand, and answers the invocation.
//!
//! They skip with a printed reason when Python or the emulator's venv is unavailable, except
//! under `CI=true`, where they fail.
#![forbid(unsafe_code)]

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use http::Method;
use lambda_sdk_tests::emulator::{
    Emulator, RawResponse, emulator_or_skip, encode_segment, execution_path, http_request,
};
use lambda_sdk_tests::function_server::{FunctionServer, Invocation};
use serde_json::{Value, json};

const EXECUTION_TIMEOUT: Duration = Duration::from_secs(30);

/// What the function saw of the emulator's answers, for assertions after the execution ends.
#[derive(Default, Debug)]
struct Observed {
    state: Option<RawResponse>,
    checkpoint: Option<RawResponse>,
    reused_token: Option<RawResponse>,
}

fn failed(message: impl Into<String>) -> Value {
    json!({
        "Status": "FAILED",
        "Error": { "ErrorType": "SmokeHarnessError", "ErrorMessage": message.into() },
    })
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Reads the state, checkpoints one step (START and SUCCEED in one call), tries the spent
/// token again, and succeeds with `"done"`.
async fn step_then_succeed(
    endpoint: &str,
    invocation: Invocation,
    observed: &Mutex<Observed>,
) -> Result<Value, String> {
    let arn_path = execution_path(&invocation.durable_execution_arn);
    let token = &invocation.checkpoint_token;

    let state = http_request(
        endpoint,
        Method::GET,
        &format!("{arn_path}/state?CheckpointToken={}", encode_segment(token)),
        None,
    )
    .await?;
    let state_ok = state.status == 200;
    lock(observed).state = Some(state.clone());
    if !state_ok {
        return Err(format!("state: {} {}", state.status, state.text()));
    }

    let checkpoint_body = json!({
        "CheckpointToken": token,
        "Updates": [
            { "Id": "step-1", "Type": "STEP", "SubType": "Step", "Name": "first",
              "Action": "START" },
            { "Id": "step-1", "Type": "STEP", "SubType": "Step", "Name": "first",
              "Action": "SUCCEED", "Payload": "42" },
        ],
    });
    let checkpoint_path = format!("{arn_path}/checkpoint");
    let checkpoint = http_request(
        endpoint,
        Method::POST,
        &checkpoint_path,
        Some(&checkpoint_body.to_string()),
    )
    .await?;
    let checkpoint_ok = checkpoint.status == 200;
    lock(observed).checkpoint = Some(checkpoint.clone());
    if !checkpoint_ok {
        return Err(format!(
            "checkpoint: {} {}",
            checkpoint.status,
            checkpoint.text()
        ));
    }

    // Each checkpoint consumes its token: the first one must now be refused.
    let reused = http_request(
        endpoint,
        Method::POST,
        &checkpoint_path,
        Some(&json!({ "CheckpointToken": token, "Updates": [] }).to_string()),
    )
    .await?;
    lock(observed).reused_token = Some(reused);

    Ok(json!({ "Status": "SUCCEEDED", "Result": "\"done\"" }))
}

/// A function server whose handler needs the emulator's endpoint, which exists only after the
/// emulator starts (and the emulator needs the server's endpoint first).
async fn server_and_emulator<F, Fut>(
    handler: F,
) -> Option<(FunctionServer, Emulator, Arc<OnceLock<String>>)>
where
    F: Fn(String, Invocation) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Value> + Send + 'static,
{
    let emulator_endpoint = Arc::new(OnceLock::<String>::new());
    let endpoint = Arc::clone(&emulator_endpoint);
    let server = FunctionServer::start(move |invocation| {
        let endpoint = endpoint.get().cloned();
        let answer = endpoint.map(|endpoint| handler(endpoint, invocation));
        async move {
            match answer {
                Some(answer) => answer.await,
                None => failed("invoked before the emulator endpoint was known"),
            }
        }
    })
    .await
    .expect("bind the function server");
    let emulator = emulator_or_skip(&server.endpoint())?;
    emulator_endpoint
        .set(emulator.endpoint())
        .expect("set the emulator endpoint once");
    Some((server, emulator, emulator_endpoint))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_raw_http_function_checkpoints_a_step_and_succeeds() {
    let observed = Arc::new(Mutex::new(Observed::default()));
    let seen = Arc::clone(&observed);
    let Some((server, emulator, _)) = server_and_emulator(move |endpoint, invocation| {
        let seen = Arc::clone(&seen);
        async move {
            step_then_succeed(&endpoint, invocation, &seen)
                .await
                .unwrap_or_else(failed)
        }
    })
    .await
    else {
        return;
    };

    let arn = emulator
        .start_execution("smoke-fn", "smoke-1", r#"{"hello":"world"}"#)
        .await
        .expect("start the execution");
    assert!(
        arn.contains('/'),
        "the emulator's ARNs are <uuid>/<uuid>: {arn}"
    );
    let execution = emulator
        .wait_for_execution(&arn, EXECUTION_TIMEOUT)
        .await
        .expect("the execution ends");

    assert_eq!(server.failures(), Vec::<String>::new());
    assert_eq!(execution["Status"], "SUCCEEDED", "{execution}");
    assert_eq!(execution["Result"], "\"done\"", "{execution}");
    assert_eq!(execution["DurableExecutionArn"], arn.as_str());
    assert_eq!(execution["DurableExecutionName"], "smoke-1");
    assert_eq!(execution["InputPayload"], r#"{"hello":"world"}"#);
    assert_eq!(
        execution["FunctionArn"],
        "arn:aws:lambda:us-west-2:123456789012:function:smoke-fn:$LATEST"
    );
    // API timestamps are float epoch seconds.
    assert!(execution["StartTimestamp"].is_f64(), "{execution}");
    assert!(execution["EndTimestamp"].is_f64(), "{execution}");

    // One invocation, as Lambda would send it.
    let invocations = server.invocations();
    assert_eq!(invocations.len(), 1, "{invocations:#?}");
    let invocation = &invocations[0];
    assert_eq!(invocation.function_name, "smoke-fn");
    assert_eq!(invocation.durable_execution_arn, arn);
    assert_eq!(invocation.input_payload(), Some(r#"{"hello":"world"}"#));
    assert_eq!(
        invocation.headers["x-amz-invocation-type"],
        "RequestResponse"
    );
    assert!(
        invocation.headers["authorization"]
            .to_str()
            .is_ok_and(|auth| auth.starts_with("AWS4-HMAC-SHA256 ")),
        "{:?}",
        invocation.headers
    );
    let execution_op = &invocation.operations()[0];
    assert_eq!(execution_op["Type"], "EXECUTION");
    assert_eq!(execution_op["Status"], "STARTED");
    assert_eq!(execution_op["Name"], "smoke-1");
    // The invocation input carries epoch milliseconds (integers), unlike the API.
    assert!(execution_op["StartTimestamp"].is_u64(), "{execution_op}");
    assert_eq!(invocation.initial_execution_state["NextMarker"], "");

    let observed = std::mem::take(&mut *lock(&observed));
    // The emulator answers HTTP/1.0 with no Content-Length.
    let state = observed
        .state
        .as_ref()
        .expect("the function read its state");
    assert_eq!(state.version, http::Version::HTTP_10);
    assert!(!state.headers.contains_key(http::header::CONTENT_LENGTH));
    let state = state.json().expect("state JSON");
    assert_eq!(state["Operations"][0]["Id"], execution_op["Id"]);
    assert!(state["Operations"][0]["StartTimestamp"].is_f64(), "{state}");
    assert_eq!(
        state.get("NextMarker"),
        None,
        "an empty NextMarker is omitted: {state}"
    );

    // The checkpoint returns a new token and only the operations it changed.
    let checkpoint = observed
        .checkpoint
        .as_ref()
        .expect("the function checkpointed")
        .json()
        .expect("checkpoint JSON");
    let next_token = checkpoint["CheckpointToken"]
        .as_str()
        .expect("a next token");
    assert_ne!(next_token, invocation.checkpoint_token);
    let operations = checkpoint["NewExecutionState"]["Operations"]
        .as_array()
        .expect("NewExecutionState.Operations");
    assert_eq!(operations.len(), 1, "{checkpoint}");
    let step = &operations[0];
    assert_eq!(step["Id"], "step-1");
    assert_eq!(step["Type"], "STEP");
    assert_eq!(step["Status"], "SUCCEEDED");
    assert_eq!(step["StepDetails"]["Result"], "42");
    assert_eq!(step["StepDetails"]["Attempt"], 1);

    // The spent token is refused, with the lowercase `message` spelling.
    let reused = observed.reused_token.as_ref().expect("the reuse attempt");
    assert_eq!(reused.status, 400, "{}", reused.text());
    let reused = reused.json().expect("error JSON");
    assert_eq!(reused["Type"], "InvalidParameterValueException");
    assert_eq!(reused["message"], "Invalid checkpoint token");

    // History: started, step started and succeeded, the invocation, succeeded.
    let history = emulator.history(&arn).await.expect("history");
    let events: Vec<&str> = history["Events"]
        .as_array()
        .expect("Events")
        .iter()
        .filter_map(|event| event["EventType"].as_str())
        .collect();
    assert_eq!(
        events,
        [
            "ExecutionStarted",
            "StepStarted",
            "StepSucceeded",
            "InvocationCompleted",
            "ExecutionSucceeded"
        ],
        "{history}"
    );

    // A raw '/' in the label is not routed; an unknown execution is a 404.
    let raw_slash = emulator
        .request(
            Method::GET,
            &format!("/2025-12-01/durable-executions/{arn}"),
            None,
        )
        .await
        .expect("raw slash request");
    assert_eq!(raw_slash.status, 500, "{}", raw_slash.text());
    let missing = emulator
        .request(Method::GET, &execution_path("no/such"), None)
        .await
        .expect("missing execution request");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.json().expect("error JSON")["Type"],
        "ResourceNotFoundException"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_wait_reinvokes_the_function() {
    let Some((server, emulator, _)) = server_and_emulator(|endpoint, invocation| async move {
        let waited = invocation
            .operations()
            .iter()
            .any(|op| op["Id"] == "wait-1" && op["Status"] == "SUCCEEDED");
        if waited {
            return json!({ "Status": "SUCCEEDED", "Result": "\"waited\"" });
        }
        let body = json!({
            "CheckpointToken": invocation.checkpoint_token,
            "Updates": [{ "Id": "wait-1", "Type": "WAIT", "SubType": "Wait", "Action": "START",
                          "WaitOptions": { "WaitSeconds": 5 } }],
        });
        let path = format!(
            "{}/checkpoint",
            execution_path(&invocation.durable_execution_arn)
        );
        match http_request(&endpoint, Method::POST, &path, Some(&body.to_string())).await {
            Ok(response) if response.status == 200 => json!({ "Status": "PENDING" }),
            Ok(response) => failed(format!(
                "checkpoint: {} {}",
                response.status,
                response.text()
            )),
            Err(e) => failed(e),
        }
    })
    .await
    else {
        return;
    };

    let arn = emulator
        .start_execution("wait-fn", "wait-1", "{}")
        .await
        .expect("start the execution");
    let execution = emulator
        .wait_for_execution(&arn, EXECUTION_TIMEOUT)
        .await
        .expect("the execution ends");
    assert_eq!(server.failures(), Vec::<String>::new());
    assert_eq!(execution["Status"], "SUCCEEDED", "{execution}");
    assert_eq!(execution["Result"], "\"waited\"");

    // --skip-time fires the 5 s wait at once, but the modeled clock still moves 5 s.
    let invocations = server.invocations();
    assert_eq!(invocations.len(), 2, "{invocations:#?}");
    let (first, second) = (&invocations[0], &invocations[1]);
    assert_ne!(first.checkpoint_token, second.checkpoint_token);
    assert!(first.updated_operation_ids.is_empty());
    assert_eq!(second.updated_operation_ids, ["wait-1"]);
    let wait = second
        .operations()
        .iter()
        .find(|op| op["Id"] == "wait-1")
        .expect("the wait is replayed");
    assert_eq!(wait["Type"], "WAIT");
    let start = wait["StartTimestamp"].as_u64().expect("ms start");
    let scheduled = wait["WaitDetails"]["ScheduledEndTimestamp"]
        .as_u64()
        .expect("ms scheduled end");
    assert_eq!(scheduled - start, 5_000, "{wait}");
    let elapsed = execution["EndTimestamp"].as_f64().expect("end")
        - execution["StartTimestamp"].as_f64().expect("start");
    assert!(
        elapsed >= 5.0,
        "modeled time includes the wait: {execution}"
    );
}
