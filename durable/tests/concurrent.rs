//! The concurrent primitives through the testing runner: map and parallel (records, completion
//! rules at their boundaries, concurrency limits, nesting, serdes, large results, a batch that
//! suspended halfway), the combinators, with_retry, and plugins.

use std::future::IntoFuture;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lambda_sdk::types::{Operation, OperationStatus, OperationType};
use lambda_sdk_durable::plugin::{
    Attempt, AttemptEnd, InvocationEnd, InvocationStart, OperationEnd, OperationInfo,
};
use lambda_sdk_durable::testing::{Status, TestRunner};
use lambda_sdk_durable::{
    BatchItem, BatchResult, BoxError, Branch, CompletionConfig, CompletionReason, DurableContext,
    ErrorKind, ErrorObject, Nesting, Plugin, RetryDecision, RetryStrategyConfig, RunOptions,
    Serdes, SerdesContext,
};
use serde_json::{Value, json};

fn children_of<'a>(ops: &'a [Operation], parent: &str) -> Vec<&'a Operation> {
    ops.iter()
        .filter(|o| o.parent_id.as_deref() == Some(parent))
        .collect()
}

/// `{reason, status, ok, failed, total}` of a batch.
fn summary<T>(batch: &BatchResult<T>) -> Value {
    json!({
        "reason": batch.completion_reason().as_str(),
        "status": batch.status().as_str(),
        "ok": batch.success_count(),
        "failed": batch.failure_count(),
        "total": batch.total_count(),
    })
}

/// A parallel of branches that succeed (`true`) or fail (`false`), one at a time.
async fn sequential_batch(outcomes: Vec<bool>, config: CompletionConfig) -> (Value, usize) {
    let started = Arc::new(AtomicUsize::new(0));
    let counter = started.clone();
    let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
        let outcomes = outcomes.clone();
        let config = config.clone();
        let counter = counter.clone();
        async move {
            let branches = outcomes.into_iter().enumerate().map(|(i, ok)| {
                let counter = counter.clone();
                Branch::new(move |_child| async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    if ok {
                        Ok(i)
                    } else {
                        Err::<usize, BoxError>(format!("branch {i} failed").into())
                    }
                })
            });
            let batch = ctx
                .parallel(branches)
                .max_concurrency(1)
                .completion(config)
                .await?;
            Ok::<_, BoxError>(summary(&batch))
        }
    })
    .run()
    .await;
    assert_eq!(result.status(), Status::Succeeded, "{:?}", result.error());
    (result.output().unwrap(), started.load(Ordering::SeqCst))
}

#[tokio::test]
async fn completion_rules_at_their_boundaries() {
    let s = |reason: &str, status: &str, ok: usize, failed: usize| json!({"reason": reason, "status": status, "ok": ok, "failed": failed, "total": ok + failed});
    // By default the first failure completes the batch; the rest never start.
    assert_eq!(
        sequential_batch(vec![true, false, true], CompletionConfig::new()).await,
        (s("FAILURE_TOLERANCE_EXCEEDED", "FAILED", 1, 1), 2)
    );
    // A tolerated count is exceeded by the failure after it, not at it.
    let one = CompletionConfig::new().tolerated_failure_count(1);
    assert_eq!(
        sequential_batch(vec![true, false, true], one.clone()).await,
        (s("ALL_COMPLETED", "FAILED", 2, 1), 3)
    );
    assert_eq!(
        sequential_batch(vec![false, false, true], one).await,
        (s("FAILURE_TOLERANCE_EXCEEDED", "FAILED", 0, 2), 2)
    );
    // 1 of 4 is exactly 25 %: tolerated. 2 of 4 is not.
    let pct = CompletionConfig::new().tolerated_failure_percentage(25.0);
    assert_eq!(
        sequential_batch(vec![false, true, true, true], pct.clone()).await,
        (s("ALL_COMPLETED", "FAILED", 3, 1), 4)
    );
    assert_eq!(
        sequential_batch(vec![false, false, true, true], pct).await,
        (s("FAILURE_TOLERANCE_EXCEEDED", "FAILED", 0, 2), 2)
    );
    // A minimum alone tolerates failures and stops once reached.
    assert_eq!(
        sequential_batch(
            vec![true, true, true, true],
            CompletionConfig::new().min_successful(2)
        )
        .await,
        (s("MIN_SUCCESSFUL_REACHED", "SUCCEEDED", 2, 0), 2)
    );
    assert_eq!(
        sequential_batch(
            vec![true, false, true],
            CompletionConfig::new().min_successful(3)
        )
        .await,
        (s("ALL_COMPLETED", "FAILED", 2, 1), 3)
    );
    assert_eq!(
        sequential_batch(vec![], CompletionConfig::new()).await,
        (s("ALL_COMPLETED", "SUCCEEDED", 0, 0), 0)
    );
}

#[tokio::test]
async fn map_records_a_context_per_item_and_returns_results_in_input_order() {
    let result = TestRunner::new(|items: Vec<String>, ctx: DurableContext| async move {
        let batch = ctx
            .map(items, |child, item: String, index| async move {
                Ok(child
                    .step(move |_| async move { Ok(format!("{index}:{item}")) })
                    .await?)
            })
            .name("greet")
            .item_namer(|item, index| format!("{item}-{index}"))
            .max_concurrency(1)
            .await?;
        Ok::<_, BoxError>(batch.try_into_results()?)
    })
    .input(["a", "b"])
    .run()
    .await;
    assert_eq!(result.output::<Vec<String>>().unwrap(), ["0:a", "1:b"]);
    let ops = result.operations();
    let map = result.operation("greet").unwrap();
    assert_eq!(map.r#type, OperationType::Context);
    assert_eq!(map.sub_type.as_deref(), Some("Map"));
    assert_eq!(map.status, OperationStatus::Succeeded);
    let recorded: Value =
        serde_json::from_str(map.context_details.unwrap().result.as_deref().unwrap()).unwrap();
    assert_eq!(recorded["completionReason"], "ALL_COMPLETED");
    assert_eq!(recorded["all"][1]["result"], "1:b");
    let items = children_of(&ops, &map.id);
    assert_eq!(items.len(), 2);
    for (item, name) in items.iter().zip(["a-0", "b-1"]) {
        assert_eq!(item.sub_type.as_deref(), Some("MapIteration"));
        assert_eq!(item.name.as_deref(), Some(name));
        assert_eq!(children_of(&ops, &item.id).len(), 1);
    }
}

#[tokio::test]
async fn concurrency_is_limited_and_results_do_not_depend_on_which_branch_finished_first() {
    async fn run(max: Option<usize>) -> (Vec<u64>, Vec<String>, usize) {
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (r, p) = (running.clone(), peak.clone());
        let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
            let (running, peak) = (r.clone(), p.clone());
            async move {
                // Later items finish first when they run together.
                let mut map = ctx.map(0..6u64, move |child, n, _| {
                    let (running, peak) = (running.clone(), peak.clone());
                    async move {
                        Ok(child
                            .step(move |_| async move {
                                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                                peak.fetch_max(now, Ordering::SeqCst);
                                tokio::time::sleep(Duration::from_millis(5 * (6 - n))).await;
                                running.fetch_sub(1, Ordering::SeqCst);
                                Ok(n * 10)
                            })
                            .await?)
                    }
                });
                if let Some(max) = max {
                    map = map.max_concurrency(max);
                }
                Ok::<_, BoxError>(map.await?.try_into_results()?)
            }
        })
        .run()
        .await;
        let ids = result.operations().into_iter().map(|o| o.id).collect();
        (result.output().unwrap(), ids, peak.load(Ordering::SeqCst))
    }
    let (sequential, mut sequential_ids, peak) = run(Some(1)).await;
    assert_eq!(peak, 1);
    let (limited, _, peak) = run(Some(2)).await;
    assert_eq!(peak, 2);
    let (unlimited, mut unlimited_ids, peak) = run(None).await;
    assert_eq!(peak, 6);
    assert_eq!(sequential, [0, 10, 20, 30, 40, 50]);
    assert_eq!(limited, sequential);
    assert_eq!(unlimited, sequential);
    // The same operations under the same ids, whatever order they were recorded in.
    sequential_ids.sort();
    unlimited_ids.sort();
    assert_eq!(sequential_ids, unlimited_ids);
}

#[tokio::test]
async fn a_late_failure_counts_after_the_items_before_it() {
    // Item 1 fails at once while item 0 is still running: fail-fast decides at item 1, after
    // item 0's success, exactly as it would one at a time.
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let batch = ctx
            .map([30u64, 0, 0], |child, delay, index| async move {
                Ok(child
                    .step(move |_| async move {
                        tokio::time::sleep(Duration::from_millis(delay)).await;
                        if index == 1 {
                            Err::<usize, BoxError>("item 1 fails".into())
                        } else {
                            Ok(index)
                        }
                    })
                    .retry_strategy_config(RetryStrategyConfig::none())
                    .await?)
            })
            .await?;
        Ok::<_, BoxError>(summary(&batch))
    })
    .run()
    .await;
    assert_eq!(
        result.output::<Value>().unwrap(),
        json!({"reason": "FAILURE_TOLERANCE_EXCEEDED", "status": "FAILED", "ok": 1, "failed": 1, "total": 2})
    );
}

#[tokio::test]
async fn invalid_options_fail_before_anything_is_recorded() {
    for case in ["zero", "min"] {
        let result = TestRunner::new(move |_: Value, ctx: DurableContext| async move {
            let mut parallel = ctx
                .parallel([
                    Branch::new(|_| async { Ok(1) }),
                    Branch::new(|_| async { Ok(2) }),
                ])
                .name("bad");
            parallel = match case {
                "zero" => parallel.max_concurrency(0),
                _ => parallel.completion(CompletionConfig::new().min_successful(3)),
            };
            let error = parallel.await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidArgument);
            Err::<(), BoxError>(error.into())
        })
        .run()
        .await;
        assert_eq!(result.status(), Status::Failed);
        let error = result.error().unwrap();
        assert_eq!(error.error_type, "InvalidArgumentError");
        assert!(
            error.message.contains(if case == "zero" {
                "max_concurrency"
            } else {
                "min_successful (3)"
            }),
            "{error:?}"
        );
        assert_eq!(result.checkpoint_calls(), 0);
    }
}

#[tokio::test]
async fn a_batch_that_suspended_halfway_replays_finished_items_and_resumes_the_rest() {
    let bodies = Arc::new(AtomicUsize::new(0));
    let counter = bodies.clone();
    let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
        let counter = counter.clone();
        async move {
            let batch = ctx
                .parallel([
                    Branch::new({
                        let counter = counter.clone();
                        move |child| async move {
                            Ok(child
                                .step(move |_| async move {
                                    counter.fetch_add(1, Ordering::SeqCst);
                                    Ok("b0".to_string())
                                })
                                .await?)
                        }
                    }),
                    Branch::new(|child| async move {
                        child.wait(Duration::from_secs(2)).await?;
                        Ok("b1".to_string())
                    }),
                ])
                .max_concurrency(1)
                .await?;
            Ok::<_, BoxError>(batch.try_into_results()?)
        }
    })
    .run()
    .await;
    assert_eq!(result.output::<Vec<String>>().unwrap(), ["b0", "b1"]);
    assert_eq!(result.invocations(), 2);
    assert_eq!(result.outputs()[0], Ok(json!({"Status": "PENDING"})));
    // Branch 0's step ran once: the second invocation replayed it.
    assert_eq!(bodies.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_waiting_branch_does_not_suspend_the_invocation_while_another_can_run() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let batch = ctx
            .parallel([
                Branch::new(|child| async move {
                    child.wait(Duration::from_secs(60)).await?;
                    Ok(0)
                }),
                Branch::new(|child| async move {
                    let mut sum = 0;
                    for i in 1..=3 {
                        sum += child
                            .step(move |_| async move {
                                tokio::time::sleep(Duration::from_millis(5)).await;
                                Ok(i)
                            })
                            .await?;
                    }
                    Ok(sum)
                }),
            ])
            .completion(CompletionConfig::all_completed())
            .await?;
        Ok::<_, BoxError>(batch.try_into_results()?)
    })
    .run()
    .await;
    assert_eq!(result.output::<Vec<i32>>().unwrap(), [0, 6]);
    assert_eq!(result.invocations(), 2);
    // The first invocation ran branch 1 to its end before suspending on branch 0's wait.
    let first = result.checkpoints().len() - 2;
    let steps_first: usize = result.checkpoints()[..=first]
        .iter()
        .flatten()
        .filter(|u| u.r#type == OperationType::Step && u.action.as_str() == "SUCCEED")
        .count();
    assert_eq!(steps_first, 3);
}

#[tokio::test]
async fn flat_items_record_their_operations_under_the_batch() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let batch = ctx
            .map(["fa", "fb"], |child, item: &str, _| async move {
                let item = item.to_string();
                Ok(child.step(move |_| async move { Ok(item) }).await?)
            })
            .name("flat")
            .nesting(Nesting::Flat)
            .max_concurrency(1)
            .await?;
        ctx.wait(Duration::from_secs(1)).await?;
        Ok::<_, BoxError>(batch.try_into_results()?)
    })
    .run()
    .await;
    assert_eq!(result.output::<Vec<String>>().unwrap(), ["fa", "fb"]);
    let ops = result.operations();
    let map = result.operation("flat").unwrap();
    let children = children_of(&ops, &map.id);
    assert_eq!(children.len(), 2);
    assert!(children.iter().all(|o| o.r#type == OperationType::Step));
    assert_ne!(children[0].id, children[1].id);
}

/// Wraps each value as `{"wrapped": v}`.
struct Wrap;

impl Serdes<String> for Wrap {
    fn serialize(&self, value: &String, _: &SerdesContext) -> Result<Option<String>, BoxError> {
        Ok(Some(json!({ "wrapped": value }).to_string()))
    }
    fn deserialize(&self, payload: Option<&str>, _: &SerdesContext) -> Result<String, BoxError> {
        let v: Value = serde_json::from_str(payload.unwrap_or("null"))?;
        v["wrapped"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| "not wrapped".into())
    }
}

/// Records a batch of strings as `OPSERDE:a,b`.
struct Joined;

impl Serdes<BatchResult<String>> for Joined {
    fn serialize(
        &self,
        value: &BatchResult<String>,
        _: &SerdesContext,
    ) -> Result<Option<String>, BoxError> {
        let values: Vec<&str> = value.results().into_iter().map(String::as_str).collect();
        Ok(Some(format!("OPSERDE:{}", values.join(","))))
    }
    fn deserialize(
        &self,
        payload: Option<&str>,
        _: &SerdesContext,
    ) -> Result<BatchResult<String>, BoxError> {
        let text = payload
            .and_then(|p| p.strip_prefix("OPSERDE:"))
            .ok_or("not an OPSERDE payload")?;
        let items = text
            .split(',')
            .enumerate()
            .map(|(i, v)| BatchItem::succeeded(i, v.to_string()))
            .collect();
        Ok(BatchResult::new(items, CompletionReason::AllCompleted))
    }
}

#[tokio::test]
async fn item_and_operation_serdes_are_what_is_recorded_and_what_replay_reads() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let batch = ctx
            .map(["x", "y"], |_, item: &str, _| {
                let item = item.to_uppercase();
                async move { Ok(item) }
            })
            .name("serdes")
            .item_serdes(Wrap)
            .serdes(Joined)
            .await?;
        // A suspension: the second invocation reads the map back through `Joined`.
        ctx.wait(Duration::from_secs(1)).await?;
        Ok::<_, BoxError>(batch.try_into_results()?)
    })
    .run()
    .await;
    assert_eq!(result.output::<Vec<String>>().unwrap(), ["X", "Y"]);
    let ops = result.operations();
    let map = result.operation("serdes").unwrap();
    assert_eq!(
        map.context_details.clone().unwrap().result.as_deref(),
        Some("OPSERDE:X,Y")
    );
    let items = children_of(&ops, &map.id);
    assert_eq!(
        items[0].context_details.clone().unwrap().result.as_deref(),
        Some(r#"{"wrapped":"X"}"#)
    );
}

#[tokio::test]
async fn a_batch_result_over_256_kib_is_rebuilt_from_its_items_on_replay() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let batch = ctx
            .map(0..4usize, |_, i, _| async move {
                Ok(i.to_string().repeat(70_000))
            })
            .name("large")
            .max_concurrency(1)
            .await?;
        ctx.wait(Duration::from_secs(1)).await?;
        let lengths: Vec<usize> = batch.results().iter().map(|s| s.len()).collect();
        Ok::<_, BoxError>((batch.success_count(), lengths))
    })
    .run()
    .await;
    assert_eq!(
        result.output::<(usize, Vec<usize>)>().unwrap(),
        (4, vec![70_000; 4])
    );
    assert_eq!(result.invocations(), 2);
    let map = result.operation("large").unwrap();
    let details = map.context_details.unwrap();
    assert_eq!(details.replay_children, Some(true));
    let summary: Value = serde_json::from_str(details.result.as_deref().unwrap()).unwrap();
    assert_eq!(summary["totalCount"], 4);
}

#[tokio::test]
async fn nested_batches_and_rethrowing_an_item_failure() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let outer = ctx
            .parallel([Branch::new(|child| async move {
                let inner = child
                    .parallel([
                        Branch::new(|c| async move {
                            Ok(c.step(|_| async { Ok("i1".to_string()) }).await?)
                        }),
                        Branch::new(|c| async move {
                            Ok(c.step(|_| async { Ok("i2".to_string()) }).await?)
                        }),
                    ])
                    .name("inner")
                    .max_concurrency(1)
                    .await?;
                Ok(inner.try_into_results()?.join(","))
            })])
            .name("outer")
            .await?;
        let failing = ctx
            .parallel([Branch::named("boom", |_| async {
                Err::<String, BoxError>("the branch broke".into())
            })])
            .name("failing")
            .await?;
        assert_eq!(outer.results(), [&"i1,i2".to_string()]);
        failing.throw_if_error()?;
        Ok::<_, BoxError>(())
    })
    .run()
    .await;
    assert_eq!(result.status(), Status::Failed);
    let error = result.error().unwrap();
    assert_eq!(error.message, "the branch broke");
    let inner = result.operation("inner").unwrap();
    let branch = result
        .operations()
        .into_iter()
        .find(|o| Some(o.id.as_str()) == inner.parent_id.as_deref())
        .unwrap();
    assert_eq!(branch.sub_type.as_deref(), Some("ParallelBranch"));
}

#[tokio::test]
async fn combinators_record_one_context_and_replay_its_outcome() {
    let bodies = Arc::new(AtomicUsize::new(0));
    let counter = bodies.clone();
    let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
        let counter = counter.clone();
        async move {
            let step = |value: u32, delay: u64| {
                let counter = counter.clone();
                ctx.step(move |_| async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                    Ok(value)
                })
            };
            let failing = |message: &'static str| {
                ctx.step(move |_| async move { Err::<u32, BoxError>(message.into()) })
                    .retry_strategy_config(RetryStrategyConfig::none())
            };
            let all = ctx.all([step(1, 20), step(2, 0)]).name("all").await?;
            let settled = ctx
                .all_settled([step(3, 0).into_future(), failing("nope").into_future()])
                .name("settled")
                .await?;
            let any = ctx.any([failing("first").into_future(), step(4, 0).into_future()]).name("any").await?;
            let raced = ctx.race([step(5, 30), step(6, 0)]).name("race").await?;
            let none = ctx
                .any([failing("a").into_future(), failing("b").into_future()])
                .name("none")
                .await
                .unwrap_err();
            ctx.wait(Duration::from_secs(1)).await?;
            Ok::<_, BoxError>(json!({
                "all": all,
                "settled": [settled.results(), settled.errors().iter().map(|e| &e.message).collect::<Vec<_>>()],
                "any": any,
                "race": raced,
                "none": ErrorObject::from_error(&none).error_type,
            }))
        }
    })
    .run()
    .await;
    assert_eq!(
        result.output::<Value>().unwrap(),
        json!({"all": [1, 2], "settled": [[3], ["nope"]], "any": 4, "race": 6, "none": "AllFailedError"})
    );
    assert_eq!(result.invocations(), 2);
    // Replay ran no step body again (the race's slower step was stopped before it ended).
    assert_eq!(bodies.load(Ordering::SeqCst), 6);
    for name in ["all", "settled", "any", "race"] {
        let op = result.operation(name).unwrap();
        assert_eq!(op.sub_type.as_deref(), Some("RunInChildContext"), "{name}");
        assert_eq!(op.status, OperationStatus::Succeeded, "{name}");
    }
    assert_eq!(
        result.operation("none").unwrap().status,
        OperationStatus::Failed
    );
}

#[tokio::test]
async fn with_retry_runs_the_block_again_after_a_durable_backoff() {
    let decisions = Arc::new(AtomicUsize::new(0));
    let counter = decisions.clone();
    let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
        let counter = counter.clone();
        async move {
            let value: String = ctx
                .with_retry(|child, attempt| async move {
                    let got: u32 = child
                        .step(move |_| async move { Ok(attempt) })
                        .name("read")
                        .await?;
                    if got < 2 {
                        return Err::<String, BoxError>(
                            format!("attempt {got} is too early").into(),
                        );
                    }
                    Ok(format!("done on attempt {got}"))
                })
                .name("book")
                .retry_strategy(move |error, attempt| {
                    counter.fetch_add(1, Ordering::SeqCst);
                    // The strategy gets the block's own error, as a step's strategy does.
                    assert_eq!(error.to_string(), "attempt 1 is too early");
                    assert!(
                        error
                            .downcast_ref::<lambda_sdk_durable::DurableError>()
                            .is_none()
                    );
                    if attempt < 3 {
                        RetryDecision::Retry {
                            delay: Duration::from_secs(5),
                        }
                    } else {
                        RetryDecision::Stop
                    }
                })
                .await?;
            Ok::<_, BoxError>(value)
        }
    })
    .run()
    .await;
    assert_eq!(result.output::<String>().unwrap(), "done on attempt 2");
    // The backoff suspended the execution once; the strategy was asked once, not again on
    // replay.
    assert_eq!(result.invocations(), 2);
    assert_eq!(decisions.load(Ordering::SeqCst), 1);
    let ops = result.operations();
    let block = result.operation("book").unwrap();
    let inside: Vec<Option<&str>> = children_of(&ops, &block.id)
        .iter()
        .map(|o| o.name.as_deref())
        .collect();
    assert_eq!(
        inside,
        [
            Some("book-attempt-1"),
            Some("book-backoff-1"),
            Some("book-attempt-2")
        ]
    );
    let failed = result.operation("book-attempt-1").unwrap();
    assert_eq!(failed.status, OperationStatus::Failed);

    // Giving up fails with the last attempt's error.
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let value: u32 = ctx
            .with_retry(|_, attempt| async move {
                Err::<u32, BoxError>(format!("attempt {attempt} failed").into())
            })
            .retry_strategy_config(
                RetryStrategyConfig::default()
                    .max_attempts(2)
                    .initial_delay(Duration::from_secs(1)),
            )
            .await?;
        Ok::<_, BoxError>(value)
    })
    .run()
    .await;
    assert_eq!(result.status(), Status::Failed);
    assert_eq!(result.error().unwrap().message, "attempt 2 failed");
}

/// Records every hook call as a line.
#[derive(Clone, Default)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    fail: bool,
}

impl Recorder {
    fn push(&self, line: String) -> Result<(), BoxError> {
        self.lines.lock().unwrap().push(line);
        if self.fail {
            Err("the plugin broke".into())
        } else {
            Ok(())
        }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

fn op(info: &OperationInfo) -> String {
    format!("{}:{}", info.sub_type, info.name.as_deref().unwrap_or("-"))
}

impl Plugin for Recorder {
    fn on_invocation_start(&self, info: &InvocationStart) -> Result<(), BoxError> {
        self.push(format!(
            "invocation-start first={}",
            info.is_first_invocation
        ))
    }
    fn on_invocation_end(&self, info: &InvocationEnd) -> Result<(), BoxError> {
        self.push(format!("invocation-end {}", info.status.as_str()))
    }
    fn on_operation_start(&self, info: &OperationInfo) -> Result<(), BoxError> {
        self.push(format!("operation-start {}", op(info)))
    }
    fn on_operation_end(&self, info: &OperationEnd) -> Result<(), BoxError> {
        self.push(format!(
            "operation-end {} {}",
            op(&info.operation),
            info.status.as_str()
        ))
    }
    fn on_attempt_start(&self, info: &Attempt) -> Result<(), BoxError> {
        self.push(format!(
            "attempt-start {} {}",
            op(&info.operation),
            info.attempt
        ))
    }
    fn on_attempt_end(&self, info: &AttemptEnd) -> Result<(), BoxError> {
        self.push(format!(
            "attempt-end {} {} {}",
            op(&info.operation),
            info.attempt,
            info.outcome.as_str()
        ))
    }
}

/// Panics in every hook.
struct Panicky;

impl Plugin for Panicky {
    fn on_invocation_start(&self, _: &InvocationStart) -> Result<(), BoxError> {
        panic!("the plugin panicked")
    }
    fn on_operation_start(&self, _: &OperationInfo) -> Result<(), BoxError> {
        panic!("the plugin panicked")
    }
    fn on_attempt_end(&self, _: &AttemptEnd) -> Result<(), BoxError> {
        panic!("the plugin panicked")
    }
}

#[tokio::test]
async fn plugins_see_invocations_operations_and_attempts_and_cannot_change_the_outcome() {
    let recorder = Recorder::default();
    let failing = Recorder {
        fail: true,
        ..Recorder::default()
    };
    let options = RunOptions::new()
        .plugin(Panicky)
        .plugin(failing.clone())
        .plugin(recorder.clone());
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let value: u32 = ctx
            .step(|cx| async move {
                if cx.attempt() == 1 {
                    Err::<u32, BoxError>("not yet".into())
                } else {
                    Ok(7)
                }
            })
            .name("flaky")
            .retry_strategy_config(
                RetryStrategyConfig::default()
                    .max_attempts(2)
                    .initial_delay(Duration::from_secs(1)),
            )
            .await?;
        ctx.wait(Duration::from_secs(1)).name("pause").await?;
        Ok::<_, BoxError>(value)
    })
    .options(options)
    .run()
    .await;
    assert_eq!(result.status(), Status::Succeeded);
    assert_eq!(result.output::<u32>().unwrap(), 7);
    assert_eq!(result.invocations(), 3);
    assert_eq!(
        recorder.lines(),
        [
            "invocation-start first=true",
            "operation-start Step:flaky",
            "attempt-start Step:flaky 1",
            "attempt-end Step:flaky 1 FAILED",
            "invocation-end PENDING",
            "invocation-start first=false",
            "operation-start Step:flaky",
            "attempt-start Step:flaky 2",
            "attempt-end Step:flaky 2 SUCCEEDED",
            "operation-end Step:flaky SUCCEEDED",
            "operation-start Wait:pause",
            "invocation-end PENDING",
            "invocation-start first=false",
            "operation-end Wait:pause SUCCEEDED",
            "invocation-end SUCCEEDED",
        ]
    );
    // The failing plugin was called as often as the recorder, before it.
    assert_eq!(failing.lines(), recorder.lines());
}

#[tokio::test]
async fn a_failed_execution_ends_its_invocation_failed_for_plugins() {
    let recorder = Recorder::default();
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let value: u32 = ctx
            .step(|_| async { Err::<u32, BoxError>("always".into()) })
            .retry_strategy_config(RetryStrategyConfig::none())
            .await?;
        Ok::<_, BoxError>(value)
    })
    .options(RunOptions::new().plugin(recorder.clone()))
    .run()
    .await;
    assert_eq!(result.status(), Status::Failed);
    let lines = recorder.lines();
    assert_eq!(
        lines.last().map(String::as_str),
        Some("invocation-end FAILED")
    );
    assert!(
        lines.contains(&"operation-end Step:- FAILED".to_string()),
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_branch_awaiting_something_else_than_the_service_keeps_the_invocation_going() {
    // Branch 0 waits on a callback the outside world answers only once branch 1 has notified it;
    // branch 1 first awaits a timer of its own (not a durable operation). Suspending while
    // branch 1 sleeps would leave the callback unanswered.
    let notified = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (n, answered) = (notified.clone(), notified.clone());
    let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
        let n = n.clone();
        async move {
            let callback = Arc::new(ctx.create_callback::<String>().name("approval").await?);
            let batch = ctx
                .parallel([
                    Branch::new(move |_| async move { Ok(callback.result().await?) }),
                    Branch::new(move |child| async move {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        child
                            .step(move |_| async move {
                                n.store(true, Ordering::SeqCst);
                                Ok("sent".to_string())
                            })
                            .await?;
                        Ok("notified".to_string())
                    }),
                ])
                .completion(CompletionConfig::all_completed())
                .await?;
            Ok::<_, BoxError>(batch.try_into_results()?)
        }
    })
    .on_callback(move |_| {
        answered
            .load(Ordering::SeqCst)
            .then(|| lambda_sdk_durable::testing::CallbackAnswer::json("approved"))
    })
    .run()
    .await;
    assert_eq!(result.status(), Status::Succeeded, "{:?}", result.outputs());
    assert_eq!(
        result.output::<Vec<String>>().unwrap(),
        ["approved", "notified"]
    );
    assert_eq!(result.invocations(), 2);
}

#[tokio::test]
async fn a_branch_woken_by_another_runs_before_the_invocation_suspends() {
    // Branch 2 sends to branch 1 and then waits on the service: branch 1, woken, must still run
    // its step in this invocation.
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let never = Arc::new(ctx.create_callback::<String>().name("never").await?);
        let (tx, rx) = tokio::sync::oneshot::channel::<i32>();
        let tx = Mutex::new(Some(tx));
        let rx = Mutex::new(Some(rx));
        let batch = ctx
            .parallel([
                Branch::new(|child| async move {
                    child.wait(Duration::from_secs(60)).await?;
                    Ok(json!(0))
                }),
                Branch::new(move |child| async move {
                    let receiver = rx.lock().unwrap().take();
                    let got = match receiver {
                        Some(receiver) => receiver.await.unwrap_or(-1),
                        None => -2,
                    };
                    // Which invocation ran the step.
                    let request = child.lambda_context().request_id.clone();
                    Ok(child
                        .step(move |_| async move { Ok(json!([got, request])) })
                        .await?)
                }),
                Branch::new(move |child| async move {
                    let v: i32 = child.step(|_| async { Ok(7) }).await?;
                    if let Some(tx) = tx.lock().unwrap().take() {
                        let _ = tx.send(v);
                    }
                    let _ = never.result().await;
                    Ok(json!(v))
                }),
            ])
            .nesting(Nesting::Flat)
            .completion(CompletionConfig::all_completed())
            .await?;
        Ok::<_, BoxError>(batch.try_into_results()?)
    })
    .run()
    .await;
    // The callback is never answered: the execution stays pending, after branch 1 ran.
    assert_eq!(result.status(), Status::Pending);
    let ops = result.operations();
    let after_channel = ops
        .iter()
        .find(|o| {
            o.step_details
                .as_ref()
                .and_then(|d| d.result.as_deref())
                .is_some_and(|r| r.contains("test-invocation"))
        })
        .and_then(|o| o.step_details.clone()?.result);
    assert_eq!(after_channel.as_deref(), Some(r#"[7,"test-invocation-1"]"#));
}

#[tokio::test]
async fn a_large_race_outcome_replays_its_winner_and_never_runs_the_losers_again() {
    let loser_runs = Arc::new(AtomicUsize::new(0));
    let counter = loser_runs.clone();
    let winners = Arc::new(Mutex::new(Vec::new()));
    let seen = winners.clone();
    let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
        let counter = counter.clone();
        let seen = seen.clone();
        async move {
            let big = "x".repeat(300 * 1024);
            let slow = ctx.run_in_child_context(move |c| async move {
                let s: String = c
                    .step(move |_| async move {
                        counter.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok("A".to_string())
                    })
                    .await?;
                Ok(s)
            });
            let fast = ctx.run_in_child_context(move |c| async move {
                let s: String = c.step(|_| async { Ok("B".to_string()) }).await?;
                Ok(format!("{s}{big}"))
            });
            let won: String = ctx.race([slow, fast]).name("race").await?;
            seen.lock().unwrap().push(won[..1].to_string());
            for _ in 0..3 {
                ctx.wait(Duration::from_secs(1)).await?;
            }
            Ok::<_, BoxError>(won[..1].to_string())
        }
    })
    .run()
    .await;
    assert_eq!(result.output::<String>().unwrap(), "B");
    assert_eq!(result.invocations(), 4);
    // Every invocation saw the same winner, rebuilt from its record.
    assert_eq!(*winners.lock().unwrap(), ["B", "B", "B", "B"]);
    let race = result.operation("race").unwrap();
    let details = race.context_details.unwrap();
    assert_eq!(details.replay_children, Some(true));
    assert_eq!(details.result.as_deref(), Some(r#"{"winner":1}"#));
    // The slow branch, stopped when the race was decided, never ran again.
    assert_eq!(loser_runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn operations_created_on_the_outer_context_inside_a_branch_fail_the_execution() {
    let result = TestRunner::new(|_: Value, ctx: DurableContext| async move {
        let outer = ctx.clone();
        let batch = ctx
            .map(vec![0u64, 1], move |child, i, _| {
                let outer = outer.clone();
                async move {
                    child.step(move |_| async move { Ok(i) }).await?;
                    let v: u64 = outer.step(move |_| async move { Ok(i * 100) }).await?;
                    Ok(v)
                }
            })
            .await?;
        Ok::<_, BoxError>(batch.try_into_results()?)
    })
    .run()
    .await;
    assert_eq!(result.status(), Status::Failed);
    let error = result.error().unwrap();
    assert_eq!(error.error_type, "ContextMisuseError");
    assert!(error.message.contains("branch's own context"), "{error:?}");
}

#[tokio::test]
async fn rebuilding_a_large_batch_runs_only_the_items_that_counted() {
    // Items 0 and 1 finish at once with large results and reach min_successful(2); items 2 and
    // 3 are still running then and are stopped. The batch's result is too large to record, so
    // later invocations rebuild it: from items 0 and 1 alone.
    let slow_runs = Arc::new(AtomicUsize::new(0));
    let counter = slow_runs.clone();
    let result = TestRunner::new(move |_: Value, ctx: DurableContext| {
        let counter = counter.clone();
        async move {
            let batch = ctx
                .map(0..4usize, move |child, i, _| {
                    let counter = counter.clone();
                    async move {
                        Ok(child
                            .step(move |_| async move {
                                if i >= 2 {
                                    counter.fetch_add(1, Ordering::SeqCst);
                                    tokio::time::sleep(Duration::from_millis(200)).await;
                                }
                                Ok(i.to_string().repeat(150_000))
                            })
                            .await?)
                    }
                })
                .name("large")
                .completion(CompletionConfig::new().min_successful(2))
                .await?;
            ctx.wait(Duration::from_secs(1)).await?;
            ctx.wait(Duration::from_secs(1)).await?;
            Ok::<_, BoxError>((
                batch.completion_reason().as_str(),
                batch.results().iter().map(|r| r.len()).collect::<Vec<_>>(),
            ))
        }
    })
    .run()
    .await;
    assert_eq!(
        result.output::<(String, Vec<usize>)>().unwrap(),
        ("MIN_SUCCESSFUL_REACHED".to_string(), vec![150_000, 150_000])
    );
    assert_eq!(result.invocations(), 3);
    let details = result.operation("large").unwrap().context_details.unwrap();
    assert_eq!(details.replay_children, Some(true));
    // Items 2 and 3 ran once each, in the first invocation, and never again.
    assert_eq!(slow_runs.load(Ordering::SeqCst), 2);
}
