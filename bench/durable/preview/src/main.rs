//! The benchmark's durable functions on aws-durable-execution-sdk 0.1.0 (`SCENARIO` picks one),
//! the same as those of `durable-ours`.

use std::time::Duration;

use aws_durable_execution_sdk as durable;
use serde_json::Value;

/// The README's first example: a step, a two-second wait, a step.
async fn hello(_: Value, ctx: durable::DurableContext) -> Result<String, durable::BoxError> {
    let name = ctx
        .step(|_| async { Ok("world".to_owned()) })
        .name("fetch-name")
        .await?;
    ctx.wait(Duration::from_secs(2)).name("cooldown").await?;
    Ok(ctx
        .step(move |_| async move { Ok(format!("hello, {name}")) })
        .name("format")
        .await?)
}

/// `count` steps, each returning its index.
async fn steps(ctx: &durable::DurableContext, count: u64) -> Result<u64, durable::BoxError> {
    let mut sum = 0;
    for i in 0..count {
        sum += ctx.step(move |_| async move { Ok(i) }).await?;
    }
    Ok(sum)
}

async fn steps100(_: Value, ctx: durable::DurableContext) -> Result<u64, durable::BoxError> {
    steps(&ctx, 100).await
}

/// 1,000 steps, a wait, one more step: the second invocation replays the 1,000.
async fn replay(_: Value, ctx: durable::DurableContext) -> Result<u64, durable::BoxError> {
    let sum = steps(&ctx, 1000).await?;
    ctx.wait(Duration::from_secs(1)).await?;
    Ok(sum + ctx.step(|_| async { Ok(1u64) }).await?)
}

/// A map over 100 items, 10 at a time, each item one step.
async fn map100(_: Value, ctx: durable::DurableContext) -> Result<usize, durable::BoxError> {
    let results = ctx
        .map(0..100u64, |item, n, _| async move {
            Ok(item.step(move |_| async move { Ok(n * 2) }).await?)
        })
        .max_concurrency(10)
        .await?;
    Ok(results.len())
}

/// For profiling the replay (not measured): 1,000 steps, then a wait per invocation, forever:
/// every invocation after the first replays the 1,000 steps and the waits before its own.
async fn replay_loop(_: Value, ctx: durable::DurableContext) -> Result<u64, durable::BoxError> {
    let sum = steps(&ctx, 1000).await?;
    loop {
        ctx.wait(Duration::from_secs(1)).await?;
        if sum == 0 {
            return Ok(sum);
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    match std::env::var("SCENARIO").unwrap_or_default().as_str() {
        "hello" => durable::run(hello).await,
        "steps100" => durable::run(steps100).await,
        "replay" => durable::run(replay).await,
        "map100" => durable::run(map100).await,
        "replay-loop" => durable::run(replay_loop).await,
        other => Err(format!("unknown SCENARIO {other:?}").into()),
    }
}
