//! The wait_for_condition suite (6-x).

use std::time::Duration;

use lambda_sdk_durable::{BoxError, DurableContext, Jitter, WaitStrategy};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::serdes::Encoded;

/// Checks every second until `done`.
fn every_second<S>(done: impl Fn(&S) -> bool + Send + Sync + 'static) -> WaitStrategy<S> {
    WaitStrategy::until(done)
        .initial_delay(Duration::from_secs(1))
        .backoff_rate(1.0)
        .jitter(Jitter::None)
}

async fn count_to(ctx: &DurableContext, from: i64, to: i64) -> Result<i64, BoxError> {
    Ok(ctx
        .wait_for_condition(|n: i64, _| async move { Ok(n + 1) }, from)
        .wait_strategy(every_second(move |n: &i64| *n >= to))
        .await?)
}

#[derive(Serialize, Deserialize)]
struct Job {
    status: String,
    attempts: u32,
}

pub async fn case(case: String, input: Value, ctx: DurableContext) -> Result<Value, BoxError> {
    let target = input.as_i64().unwrap_or(0);
    match case.as_str() {
        "6-1" => Ok(json!(count_to(&ctx, 0, target).await?)),
        "6-2" => Ok(json!(
            ctx.wait_for_condition(|n: i64, _| async move { Ok(n) }, 5)
                .wait_strategy(every_second(|n: &i64| *n >= 5))
                .await?
        )),
        "6-3" => Ok(json!(
            ctx.wait_for_condition(|n: i64, _| async move { Ok(n + 1) }, 0)
                .wait_strategy(every_second(move |n: &i64| *n >= target))
                .name("poll-status")
                .await?
        )),
        "6-4" => Ok(json!(count_to(&ctx, 5, target).await?)),
        "6-5" => Ok(json!(
            ctx.wait_for_condition(|n: i64, _| async move { Ok(n + 1) }, 0)
                .wait_strategy(
                    WaitStrategy::until(move |n: &i64| *n >= target)
                        .initial_delay(Duration::from_secs(2))
                        .backoff_rate(1.0)
                        .jitter(Jitter::None),
                )
                .await?
        )),
        "6-6" => Ok(json!(
            ctx.wait_for_condition(|n: i64, _| async move { Ok(n + 1) }, 0)
                .wait_strategy(every_second(|_: &i64| false).max_attempts(3))
                .await?
        )),
        "6-7" => Ok(json!(
            ctx.wait_for_condition(
                |_: i64, _| async { Err::<i64, _>("the check failed".into()) },
                0
            )
            .wait_strategy(every_second(|_: &i64| true))
            .await?
        )),
        "6-8" => {
            let checked = ctx
                .wait_for_condition(
                    |_: i64, _| async { Err::<i64, _>("the check failed".into()) },
                    0,
                )
                .wait_strategy(every_second(|_: &i64| true))
                .await;
            Ok(match checked {
                Ok(n) => json!(n),
                Err(_) => json!("recovered"),
            })
        }
        "6-9" => {
            let job = ctx
                .wait_for_condition(
                    |job: Job, _| async move {
                        let attempts = job.attempts + 1;
                        let status = if attempts >= 2 { "DONE" } else { "PENDING" };
                        Ok(Job {
                            status: status.to_string(),
                            attempts,
                        })
                    },
                    Job {
                        status: "PENDING".into(),
                        attempts: 0,
                    },
                )
                .wait_strategy(every_second(|job: &Job| job.status == "DONE"))
                .await?;
            Ok(serde_json::to_value(job)?)
        }
        "6-10" => Ok(ctx
            .wait_for_condition(|_: Value, _| async { Ok(Value::Null) }, Value::Null)
            .wait_strategy(every_second(|_: &Value| true))
            .await?),
        "6-11" => Ok(json!(
            ctx.wait_for_condition(
                |s: String, _| async move { Ok(format!("{s}x")) },
                String::new()
            )
            .wait_strategy(every_second(|s: &String| s.len() >= 2))
            .serdes(Encoded)
            .await?
        )),
        "6-12" => {
            let n = count_to(&ctx, 0, target).await?;
            Ok(json!(ctx.step(|_| async move { Ok(n * 10) }).await?))
        }
        "6-13" => {
            let first = count_to(&ctx, 0, 2).await?;
            Ok(json!(count_to(&ctx, first, 4).await?))
        }
        other => Err(format!("no wait_for_condition handler for {other}").into()),
    }
}
