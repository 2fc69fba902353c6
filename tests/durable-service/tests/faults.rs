//! lambda-sdk-durable under faults, against the fast local service over HTTP with a real
//! `lambda_sdk::Client`. Each case states the outcome the function must reach, and that nothing
//! is lost: a step whose outcome was checkpointed is replayed, never run again.
//!
//! The handler runs in process (`DurableHandler::invoke`); the test plays Lambda: it hands each
//! invocation the service's envelope, and invokes again after PENDING or an invocation error.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use durable_service::{DurableService, Execution, HttpFault};
use lambda_sdk::config::{RetryConfig, TimeoutConfig};
use lambda_sdk::types::OperationAction;
use lambda_sdk_durable::testing::Fault;
use lambda_sdk_durable::{
    BoxError, DurableContext, DurableHandler, RetryStrategyConfig, RunOptions, StepSemantics,
};
use serde_json::{Value, json};

type HandlerFuture<O> = Pin<Box<dyn Future<Output = Result<O, BoxError>> + Send>>;
type Handler<O> = Box<dyn Fn(Value, DurableContext) -> HandlerFuture<O> + Send + Sync>;

/// A client of the service: `attempts` attempts per call, 10–50 ms backoff, `attempt_timeout`.
fn client(
    service: &DurableService,
    attempts: u32,
    attempt_timeout: Duration,
) -> lambda_sdk::Client {
    let config = lambda_sdk::Config::builder()
        .region("us-east-1")
        .credentials(lambda_sdk::Credentials::new("AKIDTEST", "secret", None))
        .endpoint_url(service.endpoint())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(10))
                .with_max_backoff(Duration::from_millis(50)),
        )
        .timeout_config(TimeoutConfig::default().with_attempt(Some(attempt_timeout)))
        .build()
        .expect("a valid client configuration");
    lambda_sdk::Client::new(config)
}

/// The handler on a client with 3 attempts and a 5 s attempt timeout.
fn durable<O: serde::Serialize + Send + 'static>(
    service: &DurableService,
    handler: Handler<O>,
) -> DurableHandler<Handler<O>, Value, O> {
    DurableHandler::new(
        handler,
        RunOptions::new().backend(client(service, 3, Duration::from_secs(5))),
    )
}

/// What Lambda got from each invocation: the response document, or the invocation error.
type Outputs = Vec<Result<Value, String>>;

async fn invoke_once<O: serde::Serialize + Send + 'static>(
    handler: &DurableHandler<Handler<O>, Value, O>,
    event: Value,
    n: usize,
) -> Result<Value, String> {
    let mut lambda = lambda_runtime::Context::default();
    lambda.request_id = format!("invocation-{n}");
    handler
        .invoke(lambda_runtime::LambdaEvent::new(event, lambda))
        .await
        .map_err(|e| e.to_string())
}

/// Plays Lambda for `execution` until it ends: at most `max` invocations.
async fn drive<O: serde::Serialize + Send + 'static>(
    handler: &DurableHandler<Handler<O>, Value, O>,
    execution: &Execution,
    max: usize,
) -> Outputs {
    let mut outputs = Vec::new();
    for n in 1..=max {
        let output = invoke_once(handler, execution.envelope(), n).await;
        let ended = matches!(status(&output).as_str(), "SUCCEEDED" | "FAILED");
        outputs.push(output);
        if ended {
            break;
        }
        execution.fire_timers();
    }
    outputs
}

fn status(output: &Result<Value, String>) -> String {
    match output {
        Ok(value) => value["Status"].as_str().unwrap_or("?").to_string(),
        Err(_) => "ERROR".to_string(),
    }
}

fn statuses(outputs: &Outputs) -> Vec<String> {
    outputs.iter().map(status).collect()
}

/// Three named steps, each counting its runs, then a one-second wait, then the sum.
fn three_steps(runs: Arc<AtomicUsize>) -> Handler<u32> {
    Box::new(move |_: Value, ctx: DurableContext| {
        let runs = runs.clone();
        Box::pin(async move {
            let mut sum = 0;
            for i in 1..=3u32 {
                let runs = runs.clone();
                sum += ctx
                    .step(move |_| async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        Ok(i)
                    })
                    .name(format!("step-{i}"))
                    .await?;
            }
            ctx.wait(Duration::from_secs(1)).name("pause").await?;
            Ok(sum)
        })
    })
}

fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

#[tokio::test]
async fn a_5xx_storm_shorter_than_the_retries_is_absorbed_by_the_client() {
    let service = DurableService::start().await.unwrap();
    let execution = service.start_execution("storm", "null", 1000);
    // A load balancer's 503 and 502 (no modeled error code).
    execution.fault_checkpoints([
        HttpFault::status(503, "ServiceUnavailable"),
        HttpFault::status(502, "BadGateway"),
    ]);
    let runs = counter();
    let handler = durable(&service, three_steps(runs.clone()));
    let outputs = drive(&handler, &execution, 5).await;
    assert_eq!(statuses(&outputs), ["PENDING", "SUCCEEDED"]);
    assert_eq!(outputs[1].as_ref().unwrap()["Result"], "6");
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    // Two failed attempts, then one call per step and one for the wait.
    assert_eq!(execution.stats().checkpoint_calls, 2 + 4);
}

#[tokio::test]
async fn a_5xx_storm_longer_than_the_retries_ends_the_invocation_and_the_next_one_goes_on() {
    let service = DurableService::start().await.unwrap();
    let execution = service.start_execution("storm", "null", 1000);
    // Step 1's call goes through; every attempt of step 2's fails.
    execution.fault_checkpoints([
        HttpFault::Pass,
        HttpFault::status(500, "ServiceException"),
        HttpFault::status(502, "BadGateway"),
        HttpFault::status(503, "ServiceUnavailable"),
    ]);
    let runs = counter();
    let handler = durable(&service, three_steps(runs.clone()));
    let outputs = drive(&handler, &execution, 5).await;
    assert_eq!(
        statuses(&outputs),
        ["ERROR", "PENDING", "SUCCEEDED"],
        "{outputs:?}"
    );
    assert!(
        outputs[0]
            .as_ref()
            .unwrap_err()
            .contains("CheckpointDurableExecution"),
        "{outputs:?}"
    );
    // Step 1 was checkpointed and replayed; step 2's outcome was lost with the invocation
    // that could not record it, so it ran again.
    assert_eq!(runs.load(Ordering::SeqCst), 4);
    assert_eq!(outputs[2].as_ref().unwrap()["Result"], "6");
}

#[tokio::test]
async fn throttling_with_retry_after_is_waited_out_within_the_call() {
    let service = DurableService::start().await.unwrap();
    let execution = service.start_execution("throttled", "null", 1000);
    execution.fault_checkpoints([HttpFault::Status {
        status: 429,
        code: "TooManyRequestsException".into(),
        message: "Rate exceeded".into(),
        retry_after: Some("1".into()),
    }]);
    let runs = counter();
    // A client whose backoff may grow to 2 s (the hint is capped at the maximum backoff).
    let config = lambda_sdk::Config::builder()
        .region("us-east-1")
        .credentials(lambda_sdk::Credentials::new("AKIDTEST", "secret", None))
        .endpoint_url(service.endpoint())
        .retry_config(RetryConfig::standard().with_max_backoff(Duration::from_secs(2)))
        .build()
        .unwrap();
    let handler = DurableHandler::new(
        three_steps(runs.clone()),
        RunOptions::new().backend(lambda_sdk::Client::new(config)),
    );
    let started = std::time::Instant::now();
    let first = invoke_once(&handler, execution.envelope(), 1).await;
    assert_eq!(status(&first), "PENDING");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_response_cut_mid_body_is_retried_and_the_service_recognises_the_retry() {
    let service = DurableService::start().await.unwrap();
    let execution = service.start_execution("cut", "null", 1000);
    // The first checkpoint is recorded but its answer breaks off; the retry carries the same
    // ClientToken and gets the recorded answer.
    execution.fault_checkpoints([HttpFault::CutMidBody]);
    let runs = counter();
    let handler = durable(&service, three_steps(runs.clone()));
    let outputs = drive(&handler, &execution, 5).await;
    assert_eq!(statuses(&outputs), ["PENDING", "SUCCEEDED"]);
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    assert_eq!(execution.memory().checkpoints().len(), 4);
}

#[tokio::test]
async fn a_stalled_call_times_out_and_is_retried() {
    let service = DurableService::start().await.unwrap();
    let execution = service.start_execution("stall", "null", 1000);
    execution.fault_checkpoints([HttpFault::Stall(Duration::from_secs(3))]);
    let runs = counter();
    let handler = DurableHandler::new(
        three_steps(runs.clone()),
        RunOptions::new().backend(client(&service, 3, Duration::from_millis(300))),
    );
    let started = std::time::Instant::now();
    let outputs = drive(&handler, &execution, 5).await;
    assert_eq!(statuses(&outputs), ["PENDING", "SUCCEEDED"]);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_stale_token_in_any_case_ends_the_invocation_and_the_next_one_replays() {
    for message in [
        "Invalid checkpoint token",
        "INVALID CHECKPOINT TOKEN: expired",
    ] {
        let service = DurableService::start().await.unwrap();
        let execution = service.start_execution("stale", "null", 1000);
        execution.fault_checkpoints([
            HttpFault::Pass,
            HttpFault::Status {
                status: 400,
                code: "InvalidParameterValueException".into(),
                message: message.into(),
                retry_after: None,
            },
        ]);
        let runs = counter();
        let handler = durable(&service, three_steps(runs.clone()));
        let outputs = drive(&handler, &execution, 5).await;
        assert_eq!(
            statuses(&outputs),
            ["ERROR", "PENDING", "SUCCEEDED"],
            "{message}"
        );
        // A stale token is not retried by the client: one attempt.
        assert_eq!(runs.load(Ordering::SeqCst), 4);
    }
}

#[tokio::test]
async fn a_checkpoint_answered_without_a_token_ends_the_invocation_pending() {
    let service = DurableService::start().await.unwrap();
    let execution = service.start_execution("no-token", "null", 1000);
    execution.memory().fault_checkpoint(2, Fault::NoToken);
    let runs = counter();
    let handler = durable(&service, three_steps(runs.clone()));
    let outputs = drive(&handler, &execution, 5).await;
    assert_eq!(statuses(&outputs), ["PENDING", "PENDING", "SUCCEEDED"]);
    // Step 2's outcome was recorded (the call succeeded, without a token): not run again.
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn kms_errors_and_other_4xx_fail_the_execution() {
    for (status_code, code) in [
        (502, "KMSAccessDeniedException"),
        (400, "KMSInvalidStateException"),
        (403, "AccessDeniedException"),
        (400, "ValidationException"),
    ] {
        let service = DurableService::start().await.unwrap();
        let execution = service.start_execution("kms", "null", 1000);
        execution.fault_checkpoints([HttpFault::status(status_code, code)]);
        let runs = counter();
        let handler = durable(&service, three_steps(runs.clone()));
        let outputs = drive(&handler, &execution, 5).await;
        assert_eq!(statuses(&outputs), ["FAILED"], "{code}");
        let error = &outputs[0].as_ref().unwrap()["Error"];
        assert_eq!(error["ErrorType"], "CheckpointError", "{code}");
        assert!(
            error["ErrorMessage"].as_str().unwrap().contains(code),
            "{error}"
        );
        // One attempt: these are not retried.
        assert_eq!(execution.stats().checkpoint_calls, 1, "{code}");
    }
}

/// `count` steps, then a wait, then `count` again: the second invocation replays them all from
/// state pages.
fn many_steps(count: u32, runs: Arc<AtomicUsize>) -> Handler<u32> {
    Box::new(move |_: Value, ctx: DurableContext| {
        let runs = runs.clone();
        Box::pin(async move {
            counted_steps(&ctx, count, &runs).await?;
            ctx.wait(Duration::from_secs(1)).await?;
            Ok(count)
        })
    })
}

/// `count` steps, each counting its runs in `runs`.
async fn counted_steps(
    ctx: &DurableContext,
    count: u32,
    runs: &Arc<AtomicUsize>,
) -> Result<(), BoxError> {
    for i in 0..count {
        let runs = runs.clone();
        let _: u32 = ctx
            .step(move |_| async move {
                runs.fetch_add(1, Ordering::SeqCst);
                Ok(i)
            })
            .await?;
    }
    Ok(())
}

#[tokio::test]
async fn state_over_three_pages_is_read_whole() {
    let service = DurableService::start().await.unwrap();
    let execution = service.start_execution("pages", "null", 500);
    let runs = counter();
    let handler = durable(&service, many_steps(1_199, runs.clone()));
    let outputs = drive(&handler, &execution, 5).await;
    assert_eq!(statuses(&outputs), ["PENDING", "SUCCEEDED"]);
    // 1,199 steps, the wait and the execution: 1,201 operations, the envelope's page of 500
    // and two more pages.
    assert_eq!(execution.memory().operations().len(), 1_201);
    assert_eq!(execution.stats().state_calls, 2);
    assert_eq!(runs.load(Ordering::SeqCst), 1_199);
}

#[tokio::test]
async fn a_repeated_marker_ends_the_invocation_and_an_empty_page_with_a_marker_is_followed() {
    let service = DurableService::start().await.unwrap();
    let execution = service.start_execution("markers", "null", 100);
    let runs = counter();
    let handler = durable(&service, many_steps(150, runs.clone()));
    assert_eq!(
        status(&invoke_once(&handler, execution.envelope(), 1).await),
        "PENDING"
    );
    execution.fire_timers();
    // The envelope's marker is "100". First the service sends it back as the next marker (the
    // state cannot be read: an invocation error); then, on the next invocation, an empty page
    // with another marker for the same place ("0100"), which leads on to the rest.
    execution.fault_state_pages([
        HttpFault::Body(json!({"Operations": [], "NextMarker": "100"})),
        HttpFault::Body(json!({"Operations": [], "NextMarker": "0100"})),
    ]);
    let second = invoke_once(&handler, execution.envelope(), 2).await;
    assert!(
        second.as_ref().unwrap_err().contains("marker"),
        "{second:?}"
    );
    let third = invoke_once(&handler, execution.envelope(), 3).await;
    assert_eq!(status(&third), "SUCCEEDED", "{third:?}");
    assert_eq!(runs.load(Ordering::SeqCst), 150);
}

#[tokio::test]
async fn malformed_envelopes_fail_the_execution_naming_what_is_wrong() {
    let service = DurableService::start().await.unwrap();
    let handler = durable(&service, three_steps(counter()));
    let execution = service.start_execution("envelopes", "null", 1000);
    let good = execution.envelope();
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("CheckpointToken");
    cases.push((missing, "CheckpointToken"));
    let mut mistyped = good.clone();
    mistyped["DurableExecutionArn"] = json!(7);
    cases.push((mistyped, "DurableExecutionArn"));
    let mut operations = good.clone();
    operations["InitialExecutionState"]["Operations"] = json!({"not": "a list"});
    cases.push((operations, "Operations"));
    cases.push((json!("just a string"), "envelope"));
    for (event, names) in cases {
        let output = invoke_once(&handler, event, 1).await.unwrap();
        assert_eq!(output["Status"], "FAILED", "{names}");
        assert!(
            output["Error"]["ErrorMessage"]
                .as_str()
                .unwrap()
                .contains(names),
            "{output}"
        );
    }
}

#[tokio::test]
async fn timestamps_in_seconds_or_milliseconds_and_an_arn_that_is_not_an_arn_are_fine() {
    let service = DurableService::start().await.unwrap();
    let runs = counter();
    let handler = durable(&service, three_steps(runs.clone()));
    let execution =
        service.start_execution_with_arn("0c1ddb3d-emulator-style/8b1f-not-an-arn", "null", 1000);
    let mut envelope = execution.envelope();
    // Epoch seconds (a float) instead of the milliseconds the envelope carries.
    envelope["InitialExecutionState"]["Operations"][0]["StartTimestamp"] = json!(1_764_000_000.5);
    assert_eq!(status(&invoke_once(&handler, envelope, 1).await), "PENDING");
    execution.fire_timers();
    assert_eq!(
        status(&invoke_once(&handler, execution.envelope(), 2).await),
        "SUCCEEDED"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_input_that_does_not_match_the_event_type_fails_the_execution() {
    let service = DurableService::start().await.unwrap();
    let execution = service.start_execution("input", r#"{"order": 7}"#, 1000);
    let handler = DurableHandler::new(
        |order: Vec<String>, _ctx: DurableContext| async move { Ok::<_, BoxError>(order.len()) },
        RunOptions::new().backend(client(&service, 3, Duration::from_secs(5))),
    );
    let mut lambda = lambda_runtime::Context::default();
    lambda.request_id = "invocation-1".into();
    let output = handler
        .invoke(lambda_runtime::LambdaEvent::new(
            execution.envelope(),
            lambda,
        ))
        .await
        .unwrap();
    assert_eq!(output["Status"], "FAILED");
    assert_eq!(output["Error"]["ErrorType"], "InvalidInputError");
    assert!(
        output["Error"]["ErrorMessage"]
            .as_str()
            .unwrap()
            .contains("Vec<alloc::string::String>"),
        "{output}"
    );
}

#[tokio::test]
async fn a_result_or_error_just_over_6_mb_is_checkpointed_and_returned_empty() {
    const JUST_OVER: usize = 6 * 1024 * 1024 + 1;
    let service = DurableService::start().await.unwrap();
    let execution = service.start_execution("large", "null", 1000);
    let handler = durable(
        &service,
        Box::new(|_: Value, _ctx: DurableContext| {
            Box::pin(async { Ok::<_, BoxError>("x".repeat(JUST_OVER)) })
        }),
    );
    let output = invoke_once(&handler, execution.envelope(), 1)
        .await
        .unwrap();
    assert_eq!(output, json!({"Status": "SUCCEEDED", "Result": ""}));
    let (action, payload, _) = execution.memory().recorded_outcome().unwrap();
    assert_eq!(action, OperationAction::Succeed);
    assert_eq!(payload.map(|p| p.len()), Some(JUST_OVER + 2));

    let execution = service.start_execution("large-error", "null", 1000);
    let handler = durable(
        &service,
        Box::new(|_: Value, _ctx: DurableContext| {
            Box::pin(async { Err::<(), BoxError>("e".repeat(JUST_OVER).into()) })
        }),
    );
    let output = invoke_once(&handler, execution.envelope(), 1)
        .await
        .unwrap();
    assert_eq!(output, json!({"Status": "FAILED"}));
    let (action, _, error) = execution.memory().recorded_outcome().unwrap();
    assert_eq!(action, OperationAction::Fail);
    assert_eq!(
        error.and_then(|e| e.error_message).map(|m| m.len()),
        Some(JUST_OVER)
    );
}

/// Version 1 of a function: steps `a`, `b`, then a wait. The variants change it.
fn versioned(steps: &'static [&'static str]) -> Handler<()> {
    Box::new(move |_: Value, ctx: DurableContext| {
        Box::pin(async move {
            for name in steps {
                let _: String = ctx
                    .step(move |_| async move { Ok(name.to_string()) })
                    .name(*name)
                    .await?;
            }
            ctx.wait(Duration::from_secs(1)).name("pause").await?;
            Ok(())
        })
    })
}

#[tokio::test]
async fn code_that_changed_between_invocations_fails_the_execution_on_replay() {
    for (changed, what) in [
        (&["a", "renamed"][..], "renamed"),
        (&["b"][..], "a step removed"),
        (&["new", "a", "b"][..], "a step added before"),
    ] {
        let service = DurableService::start().await.unwrap();
        let execution = service.start_execution("changed", "null", 1000);
        let v1 = durable(&service, versioned(&["a", "b"]));
        assert_eq!(
            status(&invoke_once(&v1, execution.envelope(), 1).await),
            "PENDING"
        );
        execution.fire_timers();
        let v2 = durable(&service, versioned(changed));
        let output = invoke_once(&v2, execution.envelope(), 2).await.unwrap();
        assert_eq!(output["Status"], "FAILED", "{what}");
        assert_eq!(
            output["Error"]["ErrorType"], "NonDeterministicExecutionError",
            "{what}: {output}"
        );
    }
}

/// A step whose first run never ends (the invocation is cut short under it), then succeeds.
fn crashing_step(semantics: StepSemantics, runs: Arc<AtomicUsize>) -> Handler<u32> {
    Box::new(move |_: Value, ctx: DurableContext| {
        let runs = runs.clone();
        Box::pin(async move {
            let value: u32 = ctx
                .step(move |cx| {
                    let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
                    async move {
                        if run == 1 {
                            // The process dies here.
                            std::future::pending::<()>().await;
                        }
                        Ok(cx.attempt())
                    }
                })
                .name("charge")
                .semantics(semantics)
                .retry_strategy_config(
                    RetryStrategyConfig::default()
                        .max_attempts(3)
                        .initial_delay(Duration::from_secs(1)),
                )
                .await?;
            Ok(value)
        })
    })
}

#[tokio::test]
async fn a_crash_mid_step_reruns_it_at_least_once_or_counts_it_as_a_failed_attempt_at_most_once() {
    for (semantics, expected_attempt, expected_statuses) in [
        // Nothing was recorded of the crashed attempt: it runs again as attempt 1.
        (
            StepSemantics::AtLeastOncePerRetry,
            1,
            &["CRASH", "SUCCEEDED"][..],
        ),
        // Its start was recorded: the next invocation counts it as an interrupted attempt,
        // retries after the delay, and attempt 2 succeeds.
        (
            StepSemantics::AtMostOncePerRetry,
            2,
            &["CRASH", "PENDING", "SUCCEEDED"][..],
        ),
    ] {
        let service = DurableService::start().await.unwrap();
        let execution = service.start_execution("crash", "null", 1000);
        let runs = counter();
        let handler = durable(&service, crashing_step(semantics, runs.clone()));
        let mut seen = vec![];
        // The crash: the invocation is dropped while the step body runs.
        let crashed = tokio::time::timeout(
            Duration::from_millis(300),
            invoke_once(&handler, execution.envelope(), 1),
        )
        .await;
        assert!(
            crashed.is_err(),
            "{semantics:?}: the first invocation should hang"
        );
        seen.push("CRASH".to_string());
        let outputs = drive(&handler, &execution, 5).await;
        seen.extend(statuses(&outputs));
        assert_eq!(seen, expected_statuses, "{semantics:?}");
        let last = outputs.last().unwrap().as_ref().unwrap();
        assert_eq!(
            last["Result"],
            expected_attempt.to_string(),
            "{semantics:?}"
        );
        assert_eq!(runs.load(Ordering::SeqCst), 2, "{semantics:?}");
    }
}

#[tokio::test]
async fn replay_goes_on_while_slow_pages_are_read_and_live_work_waits_for_them() {
    let service = DurableService::start().await.unwrap();
    let execution = service.start_execution("slow-pages", "null", 100);
    let runs = counter();
    let seen = runs.clone();
    // 300 steps, a wait, then a step that fails once (its retry goes live in the replaying
    // invocation), then one more new step.
    let handler = durable(
        &service,
        Box::new(move |_: Value, ctx: DurableContext| {
            let runs = seen.clone();
            Box::pin(async move {
                counted_steps(&ctx, 300, &runs).await?;
                ctx.wait(Duration::from_secs(1)).await?;
                let flaky: u32 = ctx
                    .step(|cx| async move {
                        if cx.attempt() == 1 {
                            return Err::<u32, BoxError>("not yet".into());
                        }
                        Ok(cx.attempt())
                    })
                    .retry_strategy_config(
                        RetryStrategyConfig::default()
                            .max_attempts(2)
                            .initial_delay(Duration::from_secs(1)),
                    )
                    .await?;
                let last: u32 = ctx.step(|_| async { Ok(7) }).await?;
                Ok(flaky + last)
            })
        }),
    );
    assert_eq!(
        status(&invoke_once(&handler, execution.envelope(), 1).await),
        "PENDING"
    );
    execution.fire_timers();
    // Every state page of the next invocations comes 30 ms late.
    execution.fault_state_pages((0..8).map(|_| HttpFault::Delay(Duration::from_millis(30))));
    let outputs = drive(&handler, &execution, 5).await;
    assert_eq!(statuses(&outputs), ["PENDING", "SUCCEEDED"], "{outputs:?}");
    assert_eq!(outputs[1].as_ref().unwrap()["Result"], "9");
    assert_eq!(runs.load(Ordering::SeqCst), 300);
}
