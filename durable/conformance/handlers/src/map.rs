//! The map suite (9-x).

use std::time::Duration;

use lambda_sdk_durable::{BatchResult, BoxError, CompletionConfig, DurableContext, Nesting};
use serde_json::{Value, json};

use crate::parallel::{COUNTS, FULL, projection};
use crate::serdes::{OpSerde, PrefixWrapped};

/// Items that succeed (`true`, returning `"ok"`) or fail.
async fn outcomes(
    ctx: &DurableContext,
    name: &str,
    outcomes: Vec<bool>,
    config: CompletionConfig,
) -> Result<BatchResult<String>, BoxError> {
    Ok(ctx
        .map(outcomes, |_, ok, index| async move {
            if ok {
                Ok("ok".to_string())
            } else {
                Err::<String, BoxError>(format!("item {index} fails").into())
            }
        })
        .name(name)
        .max_concurrency(1)
        .completion(config)
        .await?)
}

/// `["x", "y"]` upper-cased, through the operation-level serdes.
async fn op_serde(ctx: &DurableContext) -> Result<BatchResult<String>, BoxError> {
    Ok(ctx
        .map(["x", "y"], |_, item: &str, _| {
            let upper = item.to_uppercase();
            async move { Ok(upper) }
        })
        .name("op-serde")
        .max_concurrency(1)
        .serdes(OpSerde)
        .await?)
}

pub async fn case(case: String, input: Value, ctx: DurableContext) -> Result<Value, BoxError> {
    let tolerate = |n| CompletionConfig::new().tolerated_failure_count(n);
    let numbers = || -> Vec<i64> {
        input
            .as_array()
            .map(|items| items.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default()
    };
    match case.as_str() {
        "9-1" => {
            let names: Vec<String> = serde_json::from_value(input.clone())?;
            let batch = ctx
                .map(names, |child, name: String, _| async move {
                    Ok(child
                        .step(move |_| async move { Ok(format!("Hello, {name}!")) })
                        .await?)
                })
                .name("map")
                .max_concurrency(1)
                .await?;
            Ok(json!(batch.try_into_results()?))
        }
        "9-2" => {
            let batch = ctx
                .map(numbers(), |_, n, _| async move { Ok(n * 2) })
                .max_concurrency(1)
                .await?;
            Ok(json!(batch.try_into_results()?))
        }
        "9-3" => {
            let batch = ctx
                .map(numbers(), |_, n, index| async move { Ok(n + index as i64) })
                .name("with-index")
                .max_concurrency(1)
                .await?;
            Ok(json!(batch.try_into_results()?))
        }
        "9-4" => {
            let batch = ctx
                .map(numbers(), |_, n, _| async move { Ok(n) })
                .name("empty")
                .await?;
            Ok(json!(batch.try_into_results()?))
        }
        "9-5" => Ok(projection(
            &outcomes(&ctx, "failfast", vec![true, false, true], tolerate(0)).await?,
            FULL,
        )),
        "9-6" => {
            outcomes(&ctx, "throwing", vec![false, true], tolerate(0))
                .await?
                .throw_if_error()?;
            Ok(Value::Null)
        }
        "9-7" => Ok(projection(
            &outcomes(
                &ctx,
                "min-successful",
                vec![true; 4],
                CompletionConfig::new().min_successful(2),
            )
            .await?,
            &["completionReason", "successCount", "totalCount"],
        )),
        "9-8" => Ok(projection(
            &outcomes(&ctx, "tolerated", vec![true, false, true], tolerate(1)).await?,
            FULL,
        )),
        "9-9" => Ok(projection(
            &outcomes(
                &ctx,
                "tolerated-exceeded",
                vec![false, false, true],
                tolerate(1),
            )
            .await?,
            COUNTS,
        )),
        "9-10" => Ok(projection(
            &outcomes(
                &ctx,
                "tolerated-pct",
                vec![false, false, true, true],
                CompletionConfig::new().tolerated_failure_percentage(25.0),
            )
            .await?,
            COUNTS,
        )),
        "9-11" => {
            let batch = ctx
                .map(0..3, |_, i, _| async move { Ok(format!("r{i}")) })
                .name("concurrent")
                .max_concurrency(2)
                .await?;
            Ok(json!(batch.try_into_results()?))
        }
        "9-12" => {
            let batch = ctx
                .map(["fa", "fb"], |child, item: &str, _| {
                    let item = item.to_string();
                    async move { Ok(child.step(move |_| async move { Ok(item) }).await?) }
                })
                .name("flat")
                .max_concurrency(1)
                .nesting(Nesting::Flat)
                .await?;
            Ok(json!(batch.try_into_results()?))
        }
        "9-13" => {
            let batch = ctx
                .map(numbers(), |_, n, _| async move { Ok(n * 10) })
                .name("named-items")
                .max_concurrency(1)
                .item_namer(|n, _| format!("item-{n}"))
                .await?;
            Ok(json!(batch.try_into_results()?))
        }
        "9-14" => {
            let batch = ctx
                .map(["x", "y"], |_, item: &str, _| {
                    let upper = item.to_uppercase();
                    async move { Ok(upper) }
                })
                .name("item-serde")
                .max_concurrency(1)
                .item_serdes(PrefixWrapped)
                .await?;
            Ok(json!(batch.try_into_results()?))
        }
        "9-15" => {
            let batch = ctx
                .map(0..2, |child, i, _| async move {
                    if i == 1 {
                        child.wait(Duration::from_secs(1)).await?;
                    }
                    Ok(child
                        .step(move |_| async move { Ok(format!("r{i}")) })
                        .await?)
                })
                .name("suspend")
                .max_concurrency(1)
                .await?;
            Ok(json!(batch.try_into_results()?))
        }
        "9-16" => {
            let batch = ctx
                .map(0..4, |_, i, _| async move {
                    Ok(char::from(b'a' + i).to_string().repeat(70_000))
                })
                .name("large")
                .max_concurrency(1)
                .await?;
            Ok(projection(&batch, &["successCount", "totalCount"]))
        }
        "9-17" => {
            let batch = ctx
                .map(["a", "b"], |_, item: &str, _| {
                    let upper = item.to_uppercase();
                    async move { Ok(upper) }
                })
                .name("then-wait")
                .max_concurrency(1)
                .await?;
            ctx.wait(Duration::from_secs(1)).await?;
            Ok(json!(batch.try_into_results()?))
        }
        "9-18" => {
            let batch = outcomes(&ctx, "failed-then-wait", vec![true, false], tolerate(1)).await?;
            ctx.wait(Duration::from_secs(1)).await?;
            Ok(projection(&batch, FULL))
        }
        "9-19" => Ok(json!(op_serde(&ctx).await?.try_into_results()?)),
        "9-20" => {
            let batch = op_serde(&ctx).await?;
            ctx.wait(Duration::from_secs(1)).await?;
            Ok(json!(batch.try_into_results()?))
        }
        other => Err(format!("no map handler for {other:?}").into()),
    }
}
