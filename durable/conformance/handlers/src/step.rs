//! The step suite (1-x).

use std::time::Duration;

use lambda_sdk_durable::{
    BoxError, DurableContext, Jitter, RetryDecision, RetryStrategyConfig, StepSemantics,
    TypedError, find_cause,
};
use serde_json::{Value, json};

use crate::serdes::UpperJson;

/// The error the retry requirements (1-15, 1-16) retry or not by type.
#[derive(Debug)]
pub struct TransientError(pub String);

impl std::fmt::Display for TransientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TransientError {}

fn transient(message: &str) -> BoxError {
    TypedError::new(TransientError(message.to_string())).into()
}

/// Retry after one second, whatever failed, up to `attempts` attempts.
pub(crate) fn every_second(attempts: u32) -> RetryStrategyConfig {
    RetryStrategyConfig::default()
        .max_attempts(attempts)
        .initial_delay(Duration::from_secs(1))
        .backoff_rate(1.0)
        .jitter(Jitter::None)
}

pub async fn basic(name: String, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .step(|_| async move { Ok(format!("Hello, {name}!")) })
        .await?)
}

pub async fn named(name: String, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .step(|_| async move { Ok(format!("Hello, {name}!")) })
        .name("custom_step_name")
        .await?)
}

pub async fn sequential(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    let first: String = ctx.step(|_| async { Ok("first".to_string()) }).await?;
    Ok(ctx
        .step(|_| async move { Ok(format!("{first}_second")) })
        .await?)
}

pub async fn complex(input: Value, ctx: DurableContext) -> Result<Value, BoxError> {
    Ok(ctx
        .step(|_| async move {
            let count = input["tags"].as_array().map_or(0, Vec::len);
            Ok(json!({"user": {"name": input["name"], "tags": input["tags"]}, "count": count}))
        })
        .await?)
}

pub async fn null(_: Value, ctx: DurableContext) -> Result<(), BoxError> {
    ctx.step(|_| async { Ok(()) }).await?;
    Ok(())
}

pub async fn custom_serdes(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .step(|_| async move { Ok(input) })
        .serdes(UpperJson)
        .await?)
}

pub async fn logger(name: String, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .step(|cx| async move {
            cx.logger()
                .info(format!("Greeting step started for: {name}"));
            let greeting = format!("Hello, {name}!");
            cx.logger()
                .info(format!("Greeting step completed with: {greeting}"));
            Ok(greeting)
        })
        .await?)
}

pub async fn then_wait(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    let value: String = ctx.step(|_| async { Ok("computed".to_string()) }).await?;
    ctx.wait(Duration::from_secs(2)).await?;
    Ok(value)
}

pub async fn replay_skips(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    let value: String = ctx
        .step(|cx| async move {
            cx.logger().info("step executed");
            Ok("cached_value".to_string())
        })
        .await?;
    ctx.wait(Duration::from_secs(1)).await?;
    Ok(value)
}

pub async fn replay_rethrows(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    let failed = ctx
        .step(|cx| async move {
            cx.logger().info("step executed");
            Err::<(), _>("permanent failure".into())
        })
        .retry_strategy_config(RetryStrategyConfig::none())
        .await;
    let message = match failed {
        Ok(()) => "no error".to_string(),
        Err(e) => e.to_string(),
    };
    ctx.wait(Duration::from_secs(1)).await?;
    Ok(message)
}

pub async fn retry_once(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .step(|cx| async move {
            if cx.attempt() == 1 {
                return Err("unreliable: first attempt fails".into());
            }
            Ok("Operation succeeded".to_string())
        })
        .retry_strategy_config(every_second(3))
        .await?)
}

pub async fn retries_exhausted(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .step(
            |cx| async move { Err::<String, _>(format!("attempt {} failed", cx.attempt()).into()) },
        )
        .retry_strategy_config(every_second(4))
        .await?)
}

pub async fn default_retry(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .step(|cx| async move {
            if cx.attempt() < 3 {
                return Err(format!("attempt {} fails", cx.attempt()).into());
            }
            Ok("third time".to_string())
        })
        .await?)
}

pub async fn custom_retry(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .step(|cx| async move {
            if cx.attempt() < 3 {
                return Err(format!("attempt {} fails", cx.attempt()).into());
            }
            Ok("third time".to_string())
        })
        .retry_strategy_config(
            RetryStrategyConfig::default()
                .max_attempts(5)
                .initial_delay(Duration::from_secs(2))
                .backoff_rate(3.0)
                .jitter(Jitter::None),
        )
        .await?)
}

pub async fn retry_transient(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .step(|cx| async move {
            if cx.attempt() == 1 {
                return Err(transient("temporarily unavailable"));
            }
            Ok("recovered".to_string())
        })
        .retry_strategy(
            |error, attempt| match find_cause::<TransientError>(&**error) {
                Some(_) if attempt < 3 => RetryDecision::retry(Duration::from_secs(1)),
                _ => RetryDecision::Stop,
            },
        )
        .await?)
}

pub async fn no_retry_transient(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .step(|_| async move { Err::<String, _>(transient("do not retry me")) })
        .retry_strategy(|error, _| match find_cause::<TransientError>(&**error) {
            Some(_) => RetryDecision::Stop,
            None => RetryDecision::retry(Duration::from_secs(1)),
        })
        .await?)
}

/// 1-17 and 1-18: the first attempt crashes the process after logging the input.
async fn crash_first_attempt(
    cx: lambda_sdk_durable::StepContext,
    input: String,
) -> Result<String, BoxError> {
    cx.logger()
        .info(format!("at-most-once step running for {input}"));
    if cx.attempt() == 1 {
        std::process::exit(1);
    }
    Ok("succeeded on second attempt".to_string())
}

pub async fn at_most_once_no_retry(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .step(|cx| crash_first_attempt(cx, input))
        .name("at_most_once_flaky_step")
        .semantics(StepSemantics::AtMostOncePerRetry)
        .retry_strategy_config(RetryStrategyConfig::none())
        .await?)
}

pub async fn at_most_once_retry(input: String, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .step(|cx| crash_first_attempt(cx, input))
        .semantics(StepSemantics::AtMostOncePerRetry)
        .retry_strategy_config(every_second(3))
        .await?)
}

pub async fn fails(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    Ok(ctx
        .step(|_| async { Err::<String, _>("this step always fails".into()) })
        .retry_strategy_config(RetryStrategyConfig::none())
        .await?)
}

pub async fn caught(_: Value, ctx: DurableContext) -> Result<String, BoxError> {
    let fallback = match ctx
        .step(|_| async { Err::<String, _>("this step fails".into()) })
        .retry_strategy_config(RetryStrategyConfig::none())
        .await
    {
        Ok(value) => value,
        Err(_) => "fallback_result".to_string(),
    };
    Ok(ctx.step(|_| async move { Ok(fallback) }).await?)
}
