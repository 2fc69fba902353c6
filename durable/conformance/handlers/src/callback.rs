//! The callback suite (4-x): the input is the callback's name (or the names of two).

use std::time::Duration;

use lambda_sdk_durable::{BoxError, DurableContext};
use serde_json::{Value, json};

use crate::serdes::{Number, WithEpochTimestamp};

fn name_of(input: &Value, index: usize) -> String {
    match input {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .get(index)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

pub async fn case(case: String, input: Value, ctx: DurableContext) -> Result<Value, BoxError> {
    let name = name_of(&input, 0);
    match case.as_str() {
        "4-1" => {
            let callback = ctx.create_callback::<String>().name(name).await?;
            Ok(json!(callback.result().await?))
        }
        "4-2" => {
            let callback = ctx.create_callback::<String>().name("approval").await?;
            Ok(json!(callback.result().await?))
        }
        "4-3" | "4-4" | "4-5" => {
            let mut create = ctx.create_callback::<String>().name(name);
            create = match case.as_str() {
                "4-3" => create.timeout(Duration::from_secs(5)),
                "4-4" => create.heartbeat(Duration::from_secs(5)),
                _ => create.heartbeat(Duration::from_secs(10)),
            };
            let callback = create.await?;
            Ok(json!(callback.result().await?))
        }
        "4-6" => {
            let callback = ctx.create_callback::<String>().name(name).await?;
            Ok(json!(callback.result().await?))
        }
        "4-7" | "4-8" => {
            let mut create = ctx.create_callback::<String>().name(name);
            if case == "4-8" {
                create = create.timeout(Duration::from_secs(5));
            }
            let callback = create.await?;
            let _: String = ctx.step(|_| async { Ok("in between".to_string()) }).await?;
            Ok(json!(callback.result().await?))
        }
        "4-9" | "4-10" | "4-11" => {
            let mut create = ctx.create_callback::<String>().name(name);
            let wait = if case == "4-11" {
                create = create.timeout(Duration::from_secs(3));
                6
            } else {
                5
            };
            let callback = create.await?;
            ctx.wait(Duration::from_secs(wait)).await?;
            Ok(json!(callback.result().await?))
        }
        "4-12" => {
            let callback = ctx.create_callback::<String>().name(name).await?;
            let result = callback.result().await?;
            ctx.wait(Duration::from_secs(2)).await?;
            Ok(json!(result))
        }
        "4-13" | "4-14" => {
            let mut create = ctx.create_callback::<String>().name(name);
            if case == "4-14" {
                create = create.timeout(Duration::from_secs(3));
            }
            let callback = create.await?;
            let message = match callback.result().await {
                Ok(result) => result,
                Err(e) => format!("handled: {e}"),
            };
            ctx.wait(Duration::from_secs(2)).await?;
            Ok(json!(message))
        }
        "4-15" => {
            let callback = ctx
                .create_callback::<Value>()
                .name(name)
                .serdes(WithEpochTimestamp)
                .await?;
            Ok(json!({"received": callback.result().await?}))
        }
        "4-16" => {
            let callback = ctx
                .create_callback::<i64>()
                .name(name)
                .serdes(Number)
                .await?;
            let count = callback.result().await?;
            Ok(json!({"count": count, "doubled": count * 2}))
        }
        "4-17" => {
            let a = ctx
                .create_callback::<String>()
                .name(name_of(&input, 0))
                .await?;
            let a = a.result().await?;
            let b = ctx
                .create_callback::<String>()
                .name(name_of(&input, 1))
                .await?;
            let b = b.result().await?;
            Ok(json!([a, b]))
        }
        "4-18" | "4-19" => {
            let a = ctx
                .create_callback::<String>()
                .name(name_of(&input, 0))
                .await?;
            let b = ctx
                .create_callback::<String>()
                .name(name_of(&input, 1))
                .await?;
            let (a, b) = if case == "4-18" {
                let a = a.result().await?;
                (a, b.result().await?)
            } else {
                let b = b.result().await?;
                (a.result().await?, b)
            };
            Ok(json!([a, b]))
        }
        other => Err(format!("no callback handler for {other}").into()),
    }
}
