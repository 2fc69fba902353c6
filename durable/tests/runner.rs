//! Every primitive through the testing runner: what it records, how many calls it costs, how it
//! replays from every point, and what each failure class does to the invocation.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use lambda_sdk::types::{OperationAction, OperationStatus, OperationType};
use lambda_sdk_durable::testing::{CallbackAnswer, Fault, Status, TestRunner, stale_token};
use lambda_sdk_durable::{
    BackendErrorKind, BoxError, DurableContext, DurableError, ErrorKind, ErrorObject,
    RetryDecision, RetryStrategyConfig, StepSemantics, TypedError, WaitStrategy, find_cause,
};
use serde_json::{Value, json};

fn no_retry() -> RetryStrategyConfig {
    RetryStrategyConfig::none()
}

fn actions(result: &lambda_sdk_durable::testing::TestResult) -> Vec<Vec<String>> {
    result
        .checkpoints()
        .iter()
        .map(|call| {
            call.iter()
                .map(|u| format!("{} {}", u.r#type.as_str(), u.action.as_str()))
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn a_successful_step_costs_one_checkpoint_call() {
    let result = TestRunner::new(|name: String, ctx: DurableContext| async move {
        let a: String = ctx
            .step(|_| async move { Ok(format!("hello {name}")) })
            .name("greet")
            .await?;
        let b: usize = ctx.step(|_| async { Ok(2) }).await?;
        Ok::<_, BoxError>(format!("{a} {b}"))
    })
    .input("world")
    .run()
    .await;
    assert_eq!(result.status(), Status::Succeeded);
    assert_eq!(result.output::<String>().unwrap(), "hello world 2");
    assert_eq!(result.invocations(), 1);
    assert_eq!(
        actions(&result),
        [
            ["STEP START", "STEP SUCCEED"],
            ["STEP START", "STEP SUCCEED"]
        ]
    );
    let greet = result.operation("greet").unwrap();
    assert_eq!(greet.sub_type.as_deref(), Some("Step"));
    assert_eq!(
        greet.step_details.unwrap().result.as_deref(),
        Some("\"hello world\"")
    );
}

#[tokio::test]
async fn replay_returns_recorded_results_without_running_bodies_again() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
        let counter = counter.clone();
        async move {
            let v: u32 = ctx
                .step(move |_| async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    Ok(7)
                })
                .await?;
            ctx.wait(Duration::from_secs(10)).name("pause").await?;
            ctx.wait(Duration::from_secs(10)).await?;
            Ok::<_, BoxError>(v * 2)
        }
    })
    .run()
    .await;
    assert_eq!(result.output::<u32>().unwrap(), 14);
    assert_eq!(result.invocations(), 3);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let wait = result.operation("pause").unwrap();
    assert_eq!(wait.status, OperationStatus::Succeeded);
}

#[tokio::test]
async fn a_retry_is_checkpointed_and_suspends_then_the_next_attempt_runs() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let v: u32 = ctx
            .step(|cx| async move {
                if cx.attempt() < 3 {
                    return Err(format!("attempt {} failed", cx.attempt()).into());
                }
                Ok(cx.attempt())
            })
            .retry_strategy(|_, attempt| {
                assert!(attempt < 3);
                RetryDecision::retry(Duration::from_millis(1500))
            })
            .await?;
        Ok::<_, BoxError>(v)
    })
    .run()
    .await;
    assert_eq!(result.output::<u32>().unwrap(), 3);
    assert_eq!(result.invocations(), 3);
    assert_eq!(
        actions(&result),
        [
            ["STEP START", "STEP RETRY"],
            ["STEP START", "STEP RETRY"],
            ["STEP START", "STEP SUCCEED"]
        ]
    );
    let retry = &result.checkpoints()[0][1];
    assert_eq!(
        retry
            .step_options
            .as_ref()
            .unwrap()
            .next_attempt_delay_seconds,
        Some(2)
    );
    assert_eq!(
        retry.error.as_ref().unwrap().error_message.as_deref(),
        Some("attempt 1 failed")
    );
    let step = &result.operations()[1];
    assert_eq!(step.step_details.as_ref().unwrap().attempt, Some(3));
}

#[tokio::test]
async fn retries_exhausted_fail_the_step_with_the_last_error() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let r: Result<u32, DurableError> = ctx
            .step(|_| async { Err(TypedError::with_type("Transient", "try later").into()) })
            .name("flaky")
            .retry_strategy_config(
                RetryStrategyConfig::default()
                    .max_attempts(3)
                    .initial_delay(Duration::from_secs(1)),
            )
            .await;
        let err = r.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StepFailed { attempts: 3 });
        Err::<(), BoxError>(err.into())
    })
    .run()
    .await;
    assert_eq!(result.status(), Status::Failed);
    assert_eq!(result.invocations(), 3);
    let error = result.error().unwrap();
    assert_eq!(
        (error.error_type.as_str(), error.message.as_str()),
        ("Transient", "try later")
    );
    let last = result.checkpoints().last().unwrap().clone();
    assert_eq!(last[1].action, OperationAction::Fail);
}

#[tokio::test]
async fn a_failed_step_replays_as_the_same_error() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
        let log = log.clone();
        async move {
            let err = ctx
                .step(|_| async { Err::<u32, _>("card declined".into()) })
                .name("charge")
                .retry_strategy_config(no_retry())
                .await
                .unwrap_err();
            log.lock().unwrap().push(err.to_string());
            ctx.wait(Duration::from_secs(1)).await?;
            Ok::<_, BoxError>("handled")
        }
    })
    .run()
    .await;
    assert_eq!(result.output::<String>().unwrap(), "handled");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0], "step `charge` failed: card declined");
}

#[tokio::test]
async fn a_panicking_step_body_is_a_failed_attempt_and_a_panicking_handler_fails_the_execution() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let v: u32 = ctx
            .step(|cx| async move {
                if cx.attempt() == 1 {
                    panic!("boom in the body");
                }
                Ok(5)
            })
            .retry_strategy(|e, _| {
                assert!(e.to_string().contains("boom in the body"), "{e}");
                RetryDecision::retry(Duration::from_secs(1))
            })
            .await?;
        Ok::<_, BoxError>(v)
    })
    .run()
    .await;
    assert_eq!(result.output::<u32>().unwrap(), 5);

    // A panic in the closure itself, before it makes its future, is a failed attempt too.
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let v: u32 = ctx
            .step(|cx| {
                if cx.attempt() == 1 {
                    panic!("boom before the future");
                }
                std::future::ready(Ok(6))
            })
            .retry_strategy(|e, _| {
                assert!(e.to_string().contains("boom before the future"), "{e}");
                RetryDecision::retry(Duration::from_secs(1))
            })
            .await?;
        Ok::<_, BoxError>(v)
    })
    .run()
    .await;
    assert_eq!(result.output::<u32>().unwrap(), 6);

    let result = TestRunner::new(|_: Value, _ctx: DurableContext| async move {
        if true {
            panic!("the handler gave up");
        }
        Ok::<u32, BoxError>(1)
    })
    .run()
    .await;
    assert_eq!(result.status(), Status::Failed);
    let error = result.error().unwrap();
    assert_eq!(error.error_type, "Panic");
    assert!(error.message.contains("the handler gave up"), "{error:?}");
    assert_eq!(result.invocations(), 1);
}

/// An at-most-once step writes its start before the body; an invocation that ends during the
/// attempt leaves it STARTED, and the next one counts the attempt as interrupted.
#[tokio::test]
async fn at_most_once_attempts_interrupted_go_to_the_retry_strategy() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
        let counter = counter.clone();
        async move {
            let v: String = ctx
                .step(move |cx| async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    Ok(format!("attempt {}", cx.attempt()))
                })
                .semantics(StepSemantics::AtMostOncePerRetry)
                .retry_strategy(|e, attempt| {
                    let interrupted = e
                        .downcast_ref::<DurableError>()
                        .is_some_and(|d| d.kind() == ErrorKind::StepInterrupted { attempts: 1 });
                    assert!(interrupted && attempt == 1, "{e}");
                    RetryDecision::retry(Duration::from_secs(1))
                })
                .await?;
            Ok::<_, BoxError>(v)
        }
    })
    // The call carrying the outcome of attempt 1 fails: the invocation ends in error.
    .fault_checkpoint(
        2,
        Fault::Error(BackendErrorKind::Retryable, "ServiceException".into()),
    )
    .run()
    .await;
    assert_eq!(result.output::<String>().unwrap(), "attempt 2");
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    assert!(result.outputs()[0].is_err());
    assert_eq!(
        actions(&result),
        [
            vec!["STEP START"],
            vec![],
            vec!["STEP RETRY"],
            vec!["STEP START"],
            vec!["STEP SUCCEED"]
        ]
    );
}

/// Under at-least-once semantics the same crash reruns the body without a second START.
#[tokio::test]
async fn at_least_once_attempts_left_unfinished_run_again() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let first: u32 = ctx.step(|_| async { Ok(1) }).name("first").await?;
        let v: u32 = ctx
            .step(|cx| async move { Ok(cx.attempt()) })
            .name("second")
            .await?;
        Ok::<_, BoxError>(first + v)
    })
    .fault_checkpoint(2, Fault::Error(BackendErrorKind::Retryable, "reset".into()))
    .run()
    .await;
    assert_eq!(result.output::<u32>().unwrap(), 2);
    assert_eq!(result.invocations(), 2);
    assert_eq!(
        actions(&result),
        [
            vec!["STEP START", "STEP SUCCEED"],
            vec![],
            vec!["STEP START", "STEP SUCCEED"]
        ]
    );
}

#[tokio::test]
async fn child_contexts_record_one_operation_and_replay_its_result() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
        let counter = counter.clone();
        async move {
            let total: u32 = ctx
                .run_in_child_context(move |child| async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    let a: u32 = child.step(|_| async { Ok(1) }).await?;
                    let b: u32 = child.step(|_| async { Ok(2) }).await?;
                    Ok(a + b)
                })
                .name("sum")
                .await?;
            ctx.wait(Duration::from_secs(1)).await?;
            Ok::<_, BoxError>(total)
        }
    })
    .run()
    .await;
    assert_eq!(result.output::<u32>().unwrap(), 3);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let ops = result.operations();
    let context = result.operation("sum").unwrap();
    assert_eq!(context.sub_type.as_deref(), Some("RunInChildContext"));
    assert_eq!(
        context.context_details.unwrap().result.as_deref(),
        Some("3")
    );
    let children: Vec<_> = ops
        .iter()
        .filter(|o| o.parent_id.as_deref() == Some(context.id.as_str()))
        .collect();
    assert_eq!(children.len(), 2);
    assert_ne!(children[0].id, children[1].id);
    // CONTEXT START rides with the first child's calls.
    assert_eq!(
        actions(&result)[0],
        ["CONTEXT START", "STEP START", "STEP SUCCEED"]
    );
}

#[tokio::test]
async fn a_child_result_over_256_kib_is_rebuilt_from_its_children_on_replay() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let big: String = ctx
            .run_in_child_context(|child| async move {
                let unit: String = child.step(|_| async { Ok("x".to_string()) }).await?;
                Ok(unit.repeat(300 * 1024))
            })
            .await?;
        ctx.wait(Duration::from_secs(1)).await?;
        Ok::<_, BoxError>(big.len())
    })
    .run()
    .await;
    assert_eq!(result.output::<usize>().unwrap(), 300 * 1024);
    let context = &result.operations()[1];
    let details = context.context_details.as_ref().unwrap();
    assert_eq!(details.replay_children, Some(true));
    assert_eq!(details.result, None);
}

#[tokio::test]
async fn a_failing_child_records_the_original_error() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let r: Result<u32, DurableError> = ctx
            .run_in_child_context(|_| async { Err(TypedError::with_type("Rejected", "no").into()) })
            .await;
        let err = r.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ChildContextFailed);
        Err::<(), BoxError>(err.into())
    })
    .run()
    .await;
    let context = &result.operations()[1];
    assert_eq!(context.status, OperationStatus::Failed);
    let error = context
        .context_details
        .as_ref()
        .unwrap()
        .error
        .as_ref()
        .unwrap();
    assert_eq!(error.error_type.as_deref(), Some("Rejected"));
    assert_eq!(result.error().unwrap().message, "no");
}

#[tokio::test]
async fn callbacks_are_created_at_once_and_answered_between_invocations() {
    for (answer, expected) in [
        (CallbackAnswer::json("approved"), Ok("approved".to_string())),
        (
            CallbackAnswer::Failure(ErrorObject::new("RejectedError", "not approved")),
            Err(ErrorKind::CallbackFailed),
        ),
        (CallbackAnswer::TimedOut, Err(ErrorKind::CallbackTimedOut)),
        (
            CallbackAnswer::HeartbeatTimedOut,
            Err(ErrorKind::CallbackHeartbeatTimedOut),
        ),
    ] {
        let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
            let callback = ctx
                .create_callback::<String>()
                .name("approval")
                .timeout(Duration::from_secs(60))
                .heartbeat(Duration::from_millis(9500))
                .await?;
            assert_eq!(callback.id(), "callback-1");
            let outcome = callback.result().await.map_err(|e| e.kind());
            Ok::<_, BoxError>(format!("{outcome:?}"))
        })
        .on_callback(move |request| {
            assert_eq!(request.name.as_deref(), Some("approval"));
            Some(answer.clone())
        })
        .run()
        .await;
        assert_eq!(result.output::<String>().unwrap(), format!("{expected:?}"));
        let start = &result.checkpoints()[0][0];
        let options = start.callback_options.as_ref().unwrap();
        assert_eq!(
            (options.timeout_seconds, options.heartbeat_timeout_seconds),
            (Some(60), Some(10))
        );
    }
}

#[tokio::test]
async fn an_unanswered_callback_leaves_the_execution_pending() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let a = ctx.create_callback::<u32>().name("a").await?;
        let b = ctx.create_callback::<u32>().name("b").await?;
        Ok::<_, BoxError>(a.result().await? + b.result().await?)
    })
    .on_callback(|request| (request.name.as_deref() == Some("a")).then(|| CallbackAnswer::json(1)))
    .run()
    .await;
    assert_eq!(result.status(), Status::Pending);
    assert_eq!(result.invocations(), 2);
    assert_eq!(
        result.outputs()[1].as_ref().unwrap(),
        &json!({"Status": "PENDING"})
    );
}

#[tokio::test]
async fn wait_for_callback_records_a_context_with_the_callback_and_the_submitter() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let decision: String = ctx
            .wait_for_callback(|cx, id| async move {
                cx.logger().info(format!("send {id}"));
                Ok(())
            })
            .name("approval")
            .timeout(Duration::from_secs(5))
            .await?;
        Ok::<_, BoxError>(decision)
    })
    .on_callback(|_| Some(CallbackAnswer::json("yes")))
    .run()
    .await;
    assert_eq!(result.output::<String>().unwrap(), "yes");
    let ops = result.operations();
    let context = result.operation("approval").unwrap();
    assert_eq!(context.sub_type.as_deref(), Some("WaitForCallback"));
    let kinds: Vec<(OperationType, Option<&str>)> = ops
        .iter()
        .filter(|o| o.parent_id.as_deref() == Some(context.id.as_str()))
        .map(|o| (o.r#type.clone(), o.sub_type.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        [
            (OperationType::Callback, Some("Callback")),
            (OperationType::Step, Some("Step"))
        ]
    );
    assert_eq!(
        actions(&result),
        [
            vec!["CONTEXT START", "CALLBACK START"],
            vec!["STEP START", "STEP SUCCEED"],
            vec!["CONTEXT SUCCEED"]
        ]
    );
}

#[tokio::test]
async fn chained_invokes_send_the_payload_and_return_the_result() {
    let result = TestRunner::new(|order: u32, ctx: DurableContext| async move {
        let doubled: u32 = ctx
            .invoke("doubler:live", order)
            .name("double")
            .tenant_id("t-1")
            .await?;
        let failed = ctx.invoke::<u32, _>("broken", ()).await.unwrap_err();
        assert_eq!(failed.kind(), ErrorKind::InvokeFailed);
        assert_eq!(failed.error_object().message, "it broke");
        Ok::<_, BoxError>(doubled)
    })
    .input(21)
    .on_invoke("doubler:live", |payload| {
        let n: u32 = serde_json::from_str(payload.unwrap_or("0")).unwrap();
        Ok(Some((n * 2).to_string()))
    })
    .on_invoke("broken", |_| Err(ErrorObject::new("Boom", "it broke")))
    .run()
    .await;
    assert_eq!(result.output::<u32>().unwrap(), 42);
    let requests = result.invoke_requests();
    assert_eq!(requests[0].function_name, "doubler:live");
    assert_eq!(requests[0].payload.as_deref(), Some("21"));
    assert_eq!(requests[0].tenant_id.as_deref(), Some("t-1"));
    assert_eq!(
        result.operation("double").unwrap().sub_type.as_deref(),
        Some("ChainedInvoke")
    );
}

#[tokio::test]
async fn wait_for_condition_polls_with_the_state_until_it_holds() {
    let result = TestRunner::new(|target: u32, ctx: DurableContext| async move {
        let n: u32 = ctx
            .wait_for_condition(|n: u32, _| async move { Ok(n + 1) }, 0)
            .wait_strategy(
                WaitStrategy::until(move |n: &u32| *n >= target)
                    .initial_delay(Duration::from_secs(2))
                    .backoff_rate(1.0)
                    .jitter(lambda_sdk_durable::Jitter::None),
            )
            .name("poll")
            .await?;
        Ok::<_, BoxError>(n)
    })
    .input(3)
    .run()
    .await;
    assert_eq!(result.output::<u32>().unwrap(), 3);
    assert_eq!(result.invocations(), 3);
    let calls = result.checkpoints();
    assert_eq!(calls[0][1].action, OperationAction::Retry);
    assert_eq!(calls[0][1].payload.as_deref(), Some("1"));
    assert_eq!(
        calls[0][1]
            .step_options
            .as_ref()
            .unwrap()
            .next_attempt_delay_seconds,
        Some(2)
    );
    assert_eq!(calls[2][1].action, OperationAction::Succeed);
    assert_eq!(calls[2][1].payload.as_deref(), Some("3"));
    assert_eq!(
        result.operation("poll").unwrap().sub_type.as_deref(),
        Some("WaitForCondition")
    );
}

#[tokio::test]
async fn wait_for_condition_gives_up_after_its_attempts() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let n: u32 = ctx
            .wait_for_condition(|n: u32, _| async move { Ok(n + 1) }, 0)
            .wait_strategy(WaitStrategy::until(|_: &u32| false).max_attempts(3))
            .await?;
        Ok::<_, BoxError>(n)
    })
    .run()
    .await;
    assert_eq!(result.status(), Status::Failed);
    assert_eq!(result.invocations(), 3);
    assert!(result.error().unwrap().message.contains("after 3 checks"));
}

#[tokio::test]
async fn operation_ids_follow_the_order_of_the_calls_not_of_the_awaits() {
    async fn ids(reversed: bool) -> (String, String, Vec<String>) {
        let result = TestRunner::new(move |_: Value, ctx: DurableContext| async move {
            let first = ctx.step(|_| async { Ok(1) }).name("first");
            let second = ctx.step(|_| async { Ok(2) }).name("second");
            let (a, b) = if reversed {
                let b: i32 = second.await?;
                (first.await?, b)
            } else {
                let a: i32 = first.await?;
                (a, second.await?)
            };
            // A suspension, so the second invocation replays both from their ids.
            ctx.wait(Duration::from_secs(1)).await?;
            Ok::<_, BoxError>(a * 10 + b)
        })
        .run()
        .await;
        assert_eq!(result.status(), Status::Succeeded);
        assert_eq!(result.output::<i32>().unwrap(), 12);
        assert_eq!(result.invocations(), 2);
        let order = result
            .checkpoints()
            .iter()
            .flatten()
            .filter_map(|u| u.name.clone())
            .collect();
        (
            result.operation("first").unwrap().id,
            result.operation("second").unwrap().id,
            order,
        )
    }
    let (first, second, in_order) = ids(false).await;
    let (first_reversed, second_reversed, reversed) = ids(true).await;
    assert_eq!((first, second), (first_reversed, second_reversed));
    assert_eq!(in_order, ["first", "first", "second", "second"]);
    assert_eq!(reversed, ["second", "second", "first", "first"]);
}

#[tokio::test]
async fn renaming_a_step_between_invocations_is_non_deterministic() {
    let invocation = Arc::new(AtomicUsize::new(0));
    let counter = invocation.clone();
    let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            let name = if n == 0 { "charge" } else { "charge-v2" };
            // User code that tries to swallow the failure cannot.
            let _ = ctx.step(|_| async { Ok(1) }).name(name).await;
            ctx.wait(Duration::from_secs(1)).await?;
            Ok::<_, BoxError>(())
        }
    })
    .run()
    .await;
    assert_eq!(result.status(), Status::Failed);
    let error = result.error().unwrap();
    assert_eq!(error.error_type, "NonDeterministicExecutionError");
    assert!(
        error.message.contains("\"charge\"") && error.message.contains("\"charge-v2\""),
        "{error:?}"
    );
}

#[tokio::test]
async fn state_is_read_over_every_page_and_the_input_found_after_paging() {
    let result = TestRunner::new(|start: u32, ctx: DurableContext| async move {
        let mut total = start;
        for i in 0..5u32 {
            total += ctx.step(move |_| async move { Ok(i) }).await?;
        }
        ctx.wait(Duration::from_secs(1)).await?;
        Ok::<_, BoxError>(total)
    })
    .input(100)
    .page_size(2)
    .run()
    .await;
    assert_eq!(result.output::<u32>().unwrap(), 110);
    // 7 operations in pages of 2: the envelope holds 2, three more pages follow.
    assert_eq!(result.state_calls(), 3);
}

/// Replay runs over the records it has while the later state pages are read; whatever would
/// go live (a new operation, a retry) waits for all of them, so nothing is written before they
/// are all read (a checkpoint would consume the token the pages are read with).
#[tokio::test]
async fn replay_overlaps_the_state_pages_and_live_work_waits_for_them() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
        let counter = counter.clone();
        async move {
            // A step that fails once: its retry is on record (READY) on the first page.
            let first: u32 = ctx
                .step(move |cx| {
                    let counter = counter.clone();
                    async move {
                        counter.fetch_add(1, Ordering::SeqCst);
                        if cx.attempt() == 1 {
                            return Err::<u32, BoxError>("not yet".into());
                        }
                        Ok(1)
                    }
                })
                .retry_strategy(|_, _| RetryDecision::retry(Duration::from_secs(1)))
                .await?;
            let mut total = first;
            for i in 0..6u32 {
                total += ctx.step(move |_| async move { Ok(i) }).await?;
            }
            ctx.wait(Duration::from_secs(1)).await?;
            Ok::<_, BoxError>(total)
        }
    })
    .page_size(2)
    .run()
    .await;
    assert_eq!(result.status(), Status::Succeeded, "{:?}", result.outputs());
    assert_eq!(result.output::<u32>().unwrap(), 16);
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_state_page_that_fails_during_replay_ends_the_invocation_without_writing() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let mut total = 0;
        for i in 0..6u32 {
            total += ctx.step(move |_| async move { Ok(i) }).await?;
        }
        ctx.wait(Duration::from_secs(1)).await?;
        ctx.wait(Duration::from_secs(1)).await?;
        Ok::<_, BoxError>(total)
    })
    .page_size(2)
    // The second invocation's second page fails (worth retrying), the third's goes through.
    .fault_state_page(
        2,
        Fault::Error(BackendErrorKind::Retryable, "ServiceException: busy".into()),
    )
    .run()
    .await;
    assert_eq!(result.status(), Status::Succeeded, "{:?}", result.outputs());
    assert_eq!(result.output::<u32>().unwrap(), 15);
    let failed = result.outputs().iter().position(Result::is_err).unwrap();
    assert!(
        result.outputs()[failed]
            .as_ref()
            .unwrap_err()
            .contains("busy")
    );
    // The steps ran once each: the failed invocation replayed what it had and wrote nothing.
    assert_eq!(
        result
            .checkpoints()
            .iter()
            .flatten()
            .filter(|u| u.r#type == OperationType::Step && u.action.as_str() == "SUCCEED")
            .count(),
        6
    );
}

#[tokio::test]
async fn bad_input_fails_the_execution_with_a_message_naming_the_type() {
    let result =
        TestRunner::new(|n: u32, _ctx: DurableContext| async move { Ok::<_, BoxError>(n) })
            .raw_input("{\"order\": 1}")
            .run()
            .await;
    assert_eq!(result.status(), Status::Failed);
    let error = result.error().unwrap();
    assert_eq!(error.error_type, "InvalidInputError");
    assert!(error.message.contains("`u32`"), "{error:?}");
    assert_eq!(result.invocations(), 1);
}

#[tokio::test]
async fn a_stale_token_in_any_case_and_a_retryable_failure_end_the_invocation_in_error() {
    for fault in [
        stale_token(),
        Fault::Error(
            BackendErrorKind::StaleToken,
            "INVALID CHECKPOINT TOKEN".into(),
        ),
        Fault::Error(
            BackendErrorKind::Retryable,
            "503 Service Unavailable".into(),
        ),
    ] {
        let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
            let v: u32 = ctx.step(|_| async { Ok(3) }).await?;
            Ok::<_, BoxError>(v)
        })
        .fault_checkpoint(1, fault)
        .run()
        .await;
        assert_eq!(result.status(), Status::Succeeded);
        assert_eq!(result.invocations(), 2);
        assert!(result.outputs()[0].is_err());
    }
}

#[tokio::test]
async fn a_final_checkpoint_failure_fails_the_execution_and_writes_nothing_more() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let _: u32 = ctx.step(|_| async { Ok(3) }).await?;
        let _: u32 = ctx.step(|_| async { Ok(4) }).await?;
        Ok::<_, BoxError>(())
    })
    .fault_checkpoint(
        1,
        Fault::Error(
            BackendErrorKind::Terminal,
            "KMSAccessDeniedException: no key".into(),
        ),
    )
    .run()
    .await;
    assert_eq!(result.status(), Status::Failed);
    assert!(
        result
            .error()
            .unwrap()
            .message
            .contains("KMSAccessDeniedException")
    );
    assert_eq!(result.checkpoint_calls(), 1);
}

#[tokio::test]
async fn a_response_without_a_token_stops_checkpointing_and_answers_pending() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let _: u32 = ctx.step(|_| async { Ok(3) }).await?;
        let _: u32 = ctx.step(|_| async { Ok(4) }).await?;
        Ok::<_, BoxError>(())
    })
    .fault_checkpoint(1, Fault::NoToken)
    .max_invocations(1)
    .run()
    .await;
    assert_eq!(
        result.outputs()[0].as_ref().unwrap(),
        &json!({"Status": "PENDING"})
    );
    assert_eq!(result.checkpoint_calls(), 1);
}

#[tokio::test]
async fn a_result_over_the_response_limit_is_checkpointed_on_the_execution() {
    let result = TestRunner::new(|_: Value, _ctx: DurableContext| async move {
        Ok::<_, BoxError>("y".repeat(7 * 1024 * 1024))
    })
    .run()
    .await;
    assert_eq!(result.status(), Status::Succeeded);
    assert_eq!(result.outputs()[0].as_ref().unwrap()["Result"], "");
    assert_eq!(result.output::<String>().unwrap().len(), 7 * 1024 * 1024);
    let last = result.checkpoints().last().unwrap().clone();
    assert_eq!(last[0].r#type, OperationType::Execution);
    assert_eq!(last[0].action, OperationAction::Succeed);
}

#[tokio::test]
async fn retry_strategies_see_the_error_type() {
    #[derive(Debug)]
    struct Transient;
    impl std::fmt::Display for Transient {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("transient")
        }
    }
    impl std::error::Error for Transient {}
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let v: u32 = ctx
            .step(|cx| async move {
                if cx.attempt() == 1 {
                    return Err(TypedError::new(Transient).into());
                }
                if cx.attempt() == 2 {
                    return Err("permanent".into());
                }
                Ok(1)
            })
            .retry_strategy(|e, _| match find_cause::<Transient>(&**e) {
                Some(_) => RetryDecision::retry(Duration::from_secs(1)),
                None => RetryDecision::Stop,
            })
            .await?;
        Ok::<_, BoxError>(v)
    })
    .run()
    .await;
    assert_eq!(result.status(), Status::Failed);
    let first = &result.checkpoints()[0][1];
    assert_eq!(
        first.error.as_ref().unwrap().error_type.as_deref(),
        Some("Transient")
    );
    assert_eq!(result.error().unwrap().message, "permanent");
}

/// A handler that uses every primitive, counting how often each body runs.
fn every_primitive(
    runs: Arc<Vec<AtomicUsize>>,
) -> impl Fn(
    u32,
    DurableContext,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Value, BoxError>> + Send>>
+ Send
+ Sync
+ 'static {
    move |start: u32, ctx: DurableContext| {
        let runs = runs.clone();
        Box::pin(async move {
            let r = runs.clone();
            let a: u32 = ctx
                .step(move |_| async move {
                    r[0].fetch_add(1, Ordering::SeqCst);
                    Ok(start + 1)
                })
                .name("a")
                .await?;
            let r = runs.clone();
            let b: u32 = ctx
                .run_in_child_context(move |child| async move {
                    let r2 = r.clone();
                    let inner: u32 = child
                        .step(move |_| async move {
                            r2[1].fetch_add(1, Ordering::SeqCst);
                            Ok(10)
                        })
                        .await?;
                    child.wait(Duration::from_secs(5)).await?;
                    Ok(inner + a)
                })
                .name("child")
                .await?;
            let callback = ctx.create_callback::<u32>().name("cb").await?;
            let c = callback.result().await?;
            let d: u32 = ctx.invoke("double", b).await?;
            let e: u32 = ctx
                .wait_for_condition(|n: u32, _| async move { Ok(n + 1) }, 0)
                .wait_strategy(WaitStrategy::until(|n: &u32| *n >= 2))
                .await?;
            let r = runs.clone();
            let f: u32 = ctx
                .step(move |_| async move {
                    r[2].fetch_add(1, Ordering::SeqCst);
                    Ok(100)
                })
                .name("f")
                .await?;
            Ok(json!([a, b, c, d, e, f]))
        })
    }
}

async fn run_every_primitive(
    fault: Option<(usize, Fault)>,
) -> (lambda_sdk_durable::testing::TestResult, Vec<usize>) {
    let runs: Arc<Vec<AtomicUsize>> = Arc::new((0..3).map(|_| AtomicUsize::new(0)).collect());
    let mut runner = TestRunner::new(every_primitive(runs.clone()))
        .input(1)
        .on_callback(|_| Some(CallbackAnswer::json(7)))
        .on_invoke("double", |payload| {
            let n: u32 = serde_json::from_str(payload.unwrap_or("0")).unwrap_or(0);
            Ok(Some((n * 2).to_string()))
        });
    if let Some((call, fault)) = fault {
        runner = runner.fault_checkpoint(call, fault);
    }
    let result = runner.run().await;
    let counts = runs.iter().map(|r| r.load(Ordering::SeqCst)).collect();
    (result, counts)
}

/// Whatever checkpoint call fails (and ends its invocation in error), the execution reaches the
/// same result, and a body runs again only when its outcome was not recorded.
#[tokio::test]
async fn replay_from_every_point_reaches_the_same_result() {
    let (clean, counts) = run_every_primitive(None).await;
    assert_eq!(clean.status(), Status::Succeeded);
    let expected: Value = clean.output().unwrap();
    assert_eq!(expected, json!([2, 12, 7, 24, 2, 100]));
    assert_eq!(counts, [1, 1, 1]);
    let calls = clean.checkpoint_calls();
    assert!(calls >= 8, "{calls}");
    for k in 1..=calls {
        for fault in [
            Fault::Error(BackendErrorKind::Retryable, "ServiceException".into()),
            stale_token(),
        ] {
            let (result, counts) = run_every_primitive(Some((k, fault.clone()))).await;
            assert_eq!(
                result.status(),
                Status::Succeeded,
                "fault at call {k}: {fault:?}"
            );
            assert_eq!(
                result.output::<Value>().unwrap(),
                expected,
                "fault at call {k}"
            );
            assert!(
                counts.iter().all(|c| (1..=2).contains(c)),
                "fault at call {k}: bodies ran {counts:?}"
            );
            assert!(
                result.outputs().iter().any(|o| o.is_err()),
                "fault at call {k}"
            );
        }
    }
}
