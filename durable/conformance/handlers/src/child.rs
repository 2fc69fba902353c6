//! The child-context suite (3-x).

use std::time::Duration;

use lambda_sdk_durable::{BoxError, DurableContext, Jitter, RetryStrategyConfig};
use serde_json::Value;

use crate::serdes::UpperRaw;

fn once_a_second(attempts: u32) -> RetryStrategyConfig {
    RetryStrategyConfig::default()
        .max_attempts(attempts)
        .initial_delay(Duration::from_secs(1))
        .backoff_rate(1.0)
        .jitter(Jitter::None)
}

pub async fn basic(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .run_in_child_context(
            |child| async move { Ok(child.step(|_| async move { Ok(input) }).await?) },
        )
        .await?)
}

pub async fn named(input: Value, ctx: DurableContext) -> Result<String, BoxError> {
    let name = input["name"].as_str().unwrap_or_default().to_string();
    let value = input["value"].as_str().unwrap_or_default().to_string();
    Ok(ctx
        .run_in_child_context(
            |child| async move { Ok(child.step(|_| async move { Ok(value) }).await?) },
        )
        .name(name)
        .await?)
}

pub async fn sequential(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .run_in_child_context(|child| async move {
            let first: String = child.step(|_| async move { Ok(input) }).await?;
            Ok(child.step(|_| async move { Ok(first) }).await?)
        })
        .name("sequential")
        .await?)
}

pub async fn fails(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .run_in_child_context(|child| async move {
            Ok(child
                .step(|_| async { Err::<String, _>("the inner step fails".into()) })
                .retry_strategy_config(RetryStrategyConfig::none())
                .await?)
        })
        .name("failing-child")
        .await?)
}

pub async fn caught(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    let inner = ctx
        .run_in_child_context(|child| async move {
            Ok(child
                .step(|_| async { Err::<String, _>("the inner step fails".into()) })
                .retry_strategy_config(RetryStrategyConfig::none())
                .await?)
        })
        .await;
    if inner.is_ok() {
        return Err("the child context should have failed".into());
    }
    Ok(ctx.step(|_| async move { Ok(input) }).await?)
}

pub async fn nested(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .run_in_child_context(|outer| async move {
            let value: String = outer.step(|_| async move { Ok(input) }).await?;
            Ok(outer
                .run_in_child_context(|inner| async move {
                    Ok(inner.step(|_| async move { Ok(value) }).await?)
                })
                .name("inner")
                .await?)
        })
        .name("outer")
        .await?)
}

pub async fn step_retry(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .run_in_child_context(|child| async move {
            Ok(child
                .step(|cx| async move {
                    if cx.attempt() == 1 {
                        return Err("first attempt fails".into());
                    }
                    Ok(input)
                })
                .retry_strategy_config(once_a_second(3))
                .await?)
        })
        .name("retrying-child")
        .await?)
}

pub async fn step_retries_exhausted(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .run_in_child_context(|child| async move {
            Ok(child
                .step(|cx| async move {
                    Err::<String, _>(format!("attempt {} fails", cx.attempt()).into())
                })
                .retry_strategy_config(once_a_second(2))
                .await?)
        })
        .name("exhausted-child")
        .await?)
}

pub async fn replay_cached(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    let value: String = ctx
        .run_in_child_context(
            |child| async move { Ok(child.step(|_| async move { Ok(input) }).await?) },
        )
        .await?;
    ctx.wait(Duration::from_secs(1)).await?;
    Ok(value)
}

pub async fn step_and_wait(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .run_in_child_context(|child| async move {
            let value: String = child.step(|_| async move { Ok(input) }).await?;
            child.wait(Duration::from_secs(1)).await?;
            Ok(value)
        })
        .name("step-and-wait")
        .await?)
}

/// 3-11: the child's result (over 256 KiB) is too large to record, so replay rebuilds it from
/// the children; the body logs the input each time it runs.
pub async fn large_result(input: String, ctx: DurableContext) -> Result<usize, BoxError> {
    let large: String = ctx
        .run_in_child_context(|child| async move {
            child
                .logger()
                .info(format!("building the large result for {input}"));
            let unit: String = child.step(|_| async { Ok("abcdefgh".to_string()) }).await?;
            Ok(unit.repeat(40 * 1024))
        })
        .name("large")
        .await?;
    ctx.wait(Duration::from_secs(1)).await?;
    Ok(large.len())
}

/// 3-12: the process crashes during the child's step on the first invocation (the marker file
/// makes it crash once per execution).
pub async fn interrupted(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    let marker = std::env::temp_dir().join(format!(
        "lambda-sdk-durable-3-12-{}",
        ctx.execution_arn().replace(['/', ':'], "_")
    ));
    Ok(ctx
        .run_in_child_context(|child| async move {
            Ok(child
                .step(|_| async move {
                    if !marker.exists() {
                        let _ = std::fs::write(&marker, b"crashed once");
                        std::process::exit(1);
                    }
                    Ok(input)
                })
                .await?)
        })
        .await?)
}

pub async fn wait_inside(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    let value: String = ctx
        .run_in_child_context(|child| async move {
            child.wait(Duration::from_secs(1)).await?;
            Ok(input)
        })
        .name("waiting-child")
        .await?;
    Ok(ctx.step(|_| async move { Ok(value) }).await?)
}

pub async fn custom_serdes(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .run_in_child_context(
            |child| async move { Ok(child.step(|_| async move { Ok(input) }).await?) },
        )
        .name("upper")
        .serdes(UpperRaw)
        .await?)
}

pub async fn error_in_body(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .run_in_child_context(|_| async {
            Err::<String, _>("the child body fails directly".into())
        })
        .name("throwing-child")
        .await?)
}

pub async fn null(_: Value, ctx: DurableContext) -> Result<Value, BoxError> {
    Ok(ctx
        .run_in_child_context(|_| async { Ok(Value::Null) })
        .name("null-child")
        .await?)
}

/// 3-17: the body only logs; once it has succeeded, replay does not run it again.
pub async fn logger_only(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    let value: String = ctx
        .run_in_child_context(|child| async move {
            child
                .logger()
                .info(format!("logging {input} from the child"));
            Ok(input)
        })
        .name("logging-child")
        .await?;
    ctx.wait(Duration::from_secs(1)).await?;
    Ok(value)
}

pub async fn inside_and_after(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    let value: String = ctx
        .run_in_child_context(|child| async move {
            let value: String = child.step(|_| async move { Ok(input) }).await?;
            child.wait(Duration::from_secs(1)).await?;
            Ok(value)
        })
        .name("first-half")
        .await?;
    let value: String = ctx.step(|_| async move { Ok(value) }).await?;
    ctx.wait(Duration::from_secs(1)).await?;
    Ok(value)
}
