//! The chained-invoke suite (5-x). The targets are this binary too (`target-echo`,
//! `target-error`, `target-echo-tenant`); their names come from the template.

use std::time::Duration;

use lambda_sdk_durable::{BoxError, DurableContext};
use serde_json::{Value, json};

use crate::serdes::{UpperJsonValue, UpperText};

fn target(variable: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| "TargetEcho".to_string())
}

pub async fn case(case: String, input: Value, ctx: DurableContext) -> Result<Value, BoxError> {
    let echo = target("TARGET_FUNCTION_NAME");
    let failing = target("TARGET_ERROR_FUNCTION_NAME");
    match case.as_str() {
        "5-1" | "5-3" | "5-4" => Ok(ctx.invoke::<Value, _>(echo, input).await?),
        "5-2" => Ok(ctx
            .invoke::<Value, _>(echo, input["payload"].clone())
            .name(input["name"].as_str().unwrap_or_default())
            .await?),
        "5-5" => Ok(ctx.invoke::<Value, _>(failing, Value::Null).await?),
        "5-6" => match ctx.invoke::<Value, _>(failing, Value::Null).await {
            Ok(value) => Ok(value),
            Err(e) => Ok(json!(format!("fallback after: {e}"))),
        },
        "5-7" => {
            let large = "x".repeat(200 * 1024);
            let echoed: String = ctx.invoke(echo, large).await?;
            Ok(json!(echoed.len()))
        }
        "5-8" => Ok(ctx
            .invoke::<Value, _>(
                target("TARGET_TENANT_FUNCTION_NAME"),
                input["payload"].clone(),
            )
            .tenant_id(input["tenantId"].as_str().unwrap_or_default())
            .await?),
        "5-9" => {
            let value: Value = ctx.invoke(echo, json!("replayed")).await?;
            ctx.wait(Duration::from_secs(1)).await?;
            Ok(value)
        }
        "5-10" => {
            let message = match ctx.invoke::<Value, _>(failing, Value::Null).await {
                Ok(_) => "no error".to_string(),
                Err(e) => e.to_string(),
            };
            ctx.wait(Duration::from_secs(1)).await?;
            Ok(json!(message))
        }
        "5-11" => {
            let prepared: String = ctx
                .step(|_| async { Ok("from the step".to_string()) })
                .await?;
            Ok(ctx.invoke::<Value, _>(echo, prepared).await?)
        }
        "5-12" => {
            let echoed: Value = ctx.invoke(echo, json!("to the step")).await?;
            Ok(ctx.step(|_| async move { Ok(echoed) }).await?)
        }
        "5-13" => Ok(ctx
            .run_in_child_context(|child| async move {
                Ok(child.invoke::<Value, _>(echo, json!("inside")).await?)
            })
            .await?),
        "5-14" => {
            let first: Value = ctx.invoke(echo.clone(), json!("first")).await?;
            let second: Value = ctx.invoke(echo, json!("second")).await?;
            Ok(json!([first, second]))
        }
        "5-15" => Ok(ctx
            .invoke::<Value, _>(echo, input)
            .payload_serdes(UpperJsonValue)
            .await?),
        "5-16" => Ok(json!(
            ctx.invoke::<String, _>(echo, input)
                .serdes(UpperText)
                .await?
        )),
        other => Err(format!("no invoke handler for {other}").into()),
    }
}
