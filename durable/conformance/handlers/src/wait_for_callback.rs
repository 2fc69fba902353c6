//! The wait_for_callback suite (7-x): the input is the operation's name.

use std::time::Duration;

use lambda_sdk_durable::{BoxError, DurableContext, Jitter, RetryStrategyConfig};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Serialize, Deserialize)]
struct Approval {
    status: String,
}

pub async fn case(case: String, input: Value, ctx: DurableContext) -> Result<Value, BoxError> {
    let name = input.as_str().unwrap_or_default().to_string();
    let submit = |cx: lambda_sdk_durable::StepContext, id: String| async move {
        cx.logger().info(format!("submitting callback {id}"));
        Ok(())
    };
    match case.as_str() {
        "7-1" | "7-4" => Ok(json!(
            ctx.wait_for_callback::<String, _, _>(submit)
                .name(name)
                .await?
        )),
        "7-2" => Ok(json!(
            ctx.wait_for_callback::<String, _, _>(submit)
                .name("approval")
                .await?
        )),
        "7-3" => Ok(json!(ctx.wait_for_callback::<String, _, _>(submit).await?)),
        "7-5" => Ok(json!(
            ctx.wait_for_callback::<String, _, _>(submit)
                .name(name)
                .timeout(Duration::from_secs(3))
                .await?
        )),
        "7-6" => Ok(
            match ctx
                .wait_for_callback::<String, _, _>(submit)
                .name(name)
                .await
            {
                Ok(result) => json!(result),
                Err(_) => json!("recovered"),
            },
        ),
        "7-7" => Ok(json!(
            ctx.wait_for_callback::<String, _, _>(|_, _| async {
                Err("the submitter fails".into())
            })
            .name(name)
            .submitter_retry_config(
                RetryStrategyConfig::default()
                    .max_attempts(2)
                    .initial_delay(Duration::from_secs(1))
                    .jitter(Jitter::None),
            )
            .await?
        )),
        "7-8" => Ok(json!(
            ctx.run_in_child_context(|child| async move {
                Ok(child
                    .wait_for_callback::<String, _, _>(submit)
                    .name(name)
                    .await?)
            })
            .name("wrapper")
            .await?
        )),
        "7-9" => {
            let _first: String = ctx.wait_for_callback(submit).name("first").await?;
            Ok(json!(
                ctx.wait_for_callback::<String, _, _>(submit)
                    .name("second")
                    .await?
            ))
        }
        "7-10" => {
            ctx.wait(Duration::from_secs(1)).await?;
            let _data: Value = ctx.step(|_| async { Ok(json!({"fixed": "data"})) }).await?;
            Ok(json!(
                ctx.wait_for_callback::<String, _, _>(submit)
                    .name(name)
                    .await?
            ))
        }
        "7-11" => {
            let approval: Approval = ctx.wait_for_callback(submit).name(name).await?;
            Ok(json!(approval.status))
        }
        "7-12" | "7-13" => {
            let heartbeat = if case == "7-12" { 5 } else { 10 };
            Ok(json!(
                ctx.wait_for_callback::<String, _, _>(submit)
                    .name(name)
                    .heartbeat(Duration::from_secs(heartbeat))
                    .await?
            ))
        }
        "7-14" => Ok(
            match ctx
                .wait_for_callback::<String, _, _>(submit)
                .name(name)
                .timeout(Duration::from_secs(3))
                .await
            {
                Ok(result) => json!(result),
                Err(_) => json!("timed-out-handled"),
            },
        ),
        "7-15" => Ok(ctx
            .wait_for_callback::<Value, _, _>(submit)
            .name(name)
            .await?),
        other => Err(format!("no wait_for_callback handler for {other}").into()),
    }
}
