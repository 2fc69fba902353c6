//! The wait suite (2-x).

use std::time::Duration;

use lambda_sdk_durable::{BoxError, DurableContext};
use serde_json::{Value, json};

pub async fn case(case: String, ctx: DurableContext) -> Result<Value, BoxError> {
    match case.as_str() {
        "2-1" => ctx.wait(Duration::from_secs(2)).await?,
        "2-2" => {
            ctx.wait(Duration::from_secs(2))
                .name("custom_wait_name")
                .await?
        }
        "2-3" => {
            ctx.wait(Duration::from_secs(2)).name("wait-1").await?;
            ctx.wait(Duration::from_secs(2)).name("wait-2").await?;
            return Ok(json!({"completedWaits": 2}));
        }
        "2-4" => ctx.wait(Duration::from_secs(60)).await?,
        _ => ctx.wait(Duration::from_secs(3600)).await?,
    }
    Ok(Value::Null)
}
