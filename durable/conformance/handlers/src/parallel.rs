//! The parallel suite (8-x).

use std::time::Duration;

use lambda_sdk_durable::{
    BatchResult, BoxError, Branch, CompletionConfig, DurableContext, Nesting,
};
use serde_json::{Value, json};

use crate::serdes::Wrapped;

/// A branch that returns `value` directly.
pub fn value<'a>(value: Value) -> Branch<'a, Value> {
    Branch::new(move |_| async move { Ok(value) })
}

/// A branch that fails with `message`.
pub fn failing<'a>(message: &'static str) -> Branch<'a, Value> {
    Branch::new(move |_| async move { Err::<Value, BoxError>(message.into()) })
}

/// A branch that runs one step returning `value`.
pub fn step<'a>(value: &'static str) -> Branch<'a, Value> {
    Branch::new(move |child| async move {
        Ok(child.step(move |_| async move { Ok(json!(value)) }).await?)
    })
}

/// The projection the requirements return, with the fields each asks for.
pub fn projection<T>(batch: &BatchResult<T>, fields: &[&str]) -> Value {
    let mut out = serde_json::Map::new();
    for field in fields {
        let value = match *field {
            "completionReason" => json!(batch.completion_reason().as_str()),
            "status" => json!(batch.status().as_str()),
            "successCount" => json!(batch.success_count()),
            "failureCount" => json!(batch.failure_count()),
            "totalCount" => json!(batch.total_count()),
            _ => Value::Null,
        };
        out.insert(field.to_string(), value);
    }
    Value::Object(out)
}

pub const FULL: &[&str] = &[
    "completionReason",
    "status",
    "successCount",
    "failureCount",
    "totalCount",
];
pub const COUNTS: &[&str] = &[
    "completionReason",
    "successCount",
    "failureCount",
    "totalCount",
];

pub async fn case(case: String, ctx: DurableContext) -> Result<Value, BoxError> {
    let tolerate = |n| CompletionConfig::new().tolerated_failure_count(n);
    let percent = |p| CompletionConfig::new().tolerated_failure_percentage(p);
    let results = |batch: BatchResult<Value>| Ok(json!(batch.try_into_results()?));
    match case.as_str() {
        "8-1" => results(
            ctx.parallel([step("task-1"), step("task-2")])
                .name("parallel")
                .max_concurrency(1)
                .await?,
        ),
        "8-2" => results(
            ctx.parallel([value(json!("alpha")), value(json!("beta"))])
                .max_concurrency(1)
                .await?,
        ),
        "8-3" => results(
            ctx.parallel([
                Branch::named("first", |_| async { Ok(json!("one")) }),
                Branch::named("second", |_| async { Ok(json!("two")) }),
            ])
            .name("named")
            .max_concurrency(1)
            .await?,
        ),
        "8-4" => results(
            ctx.parallel([
                value(json!("hello")),
                value(json!(42)),
                value(json!({"k": "v"})),
            ])
            .name("hetero")
            .max_concurrency(1)
            .await?,
        ),
        "8-5" => results(ctx.parallel(Vec::new()).name("empty").await?),
        "8-6" => {
            let batch = ctx
                .parallel([
                    value(json!("ok")),
                    failing("branch 1 fails"),
                    value(json!("never")),
                ])
                .name("failfast")
                .max_concurrency(1)
                .completion(tolerate(0))
                .await?;
            Ok(projection(&batch, FULL))
        }
        "8-7" => {
            let batch = ctx
                .parallel([failing("branch 0 fails"), value(json!("never"))])
                .name("throwing")
                .max_concurrency(1)
                .completion(tolerate(0))
                .await?;
            batch.throw_if_error()?;
            Ok(Value::Null)
        }
        "8-8" => {
            let batch = ctx
                .parallel((0..4).map(|i| value(json!(format!("b{i}")))))
                .name("min-successful")
                .max_concurrency(1)
                .completion(CompletionConfig::new().min_successful(2))
                .await?;
            Ok(projection(
                &batch,
                &["completionReason", "successCount", "totalCount"],
            ))
        }
        "8-9" => {
            let batch = ctx
                .parallel([
                    value(json!("a")),
                    failing("branch 1 fails"),
                    value(json!("c")),
                ])
                .name("tolerated")
                .max_concurrency(1)
                .completion(tolerate(1))
                .await?;
            Ok(projection(&batch, FULL))
        }
        "8-10" => {
            let batch = ctx
                .parallel([failing("first"), failing("second"), value(json!("never"))])
                .name("tolerated-exceeded")
                .max_concurrency(1)
                .completion(tolerate(1))
                .await?;
            Ok(projection(&batch, COUNTS))
        }
        "8-11" => results(
            ctx.parallel([value(json!("r0")), value(json!("r1")), value(json!("r2"))])
                .name("concurrent")
                .max_concurrency(2)
                .await?,
        ),
        "8-12" => results(
            ctx.parallel([step("fa"), step("fb")])
                .name("flat")
                .max_concurrency(1)
                .nesting(Nesting::Flat)
                .await?,
        ),
        "8-13" => {
            let batch = ctx
                .parallel([
                    failing("first"),
                    failing("second"),
                    value(json!("c")),
                    value(json!("d")),
                ])
                .name("tolerated-pct")
                .max_concurrency(1)
                .completion(percent(25.0))
                .await?;
            Ok(projection(&batch, COUNTS))
        }
        "8-14" => results(
            ctx.parallel([
                step("b0"),
                Branch::new(|child| async move {
                    child.wait(Duration::from_secs(2)).await?;
                    Ok(json!("b1"))
                }),
            ])
            .name("replay")
            .max_concurrency(1)
            .await?,
        ),
        "8-15" => results(
            ctx.parallel([value(json!("x")), value(json!("y"))])
                .name("serde")
                .max_concurrency(1)
                .item_serdes(Wrapped)
                .await?,
        ),
        "8-16" => {
            let batch = ctx
                .parallel([failing("a"), failing("b"), failing("c")])
                .name("all-fail")
                .max_concurrency(1)
                .completion(tolerate(3))
                .await?;
            Ok(projection(&batch, FULL))
        }
        "8-17" => {
            let batch = ctx
                .parallel([value(json!("a")), failing("b"), value(json!("c"))])
                .name("min-not-reached")
                .max_concurrency(1)
                .completion(CompletionConfig::new().min_successful(3))
                .await?;
            Ok(projection(&batch, FULL))
        }
        "8-18" => {
            let batch = ctx
                .parallel([
                    failing("a"),
                    failing("b"),
                    value(json!("c")),
                    value(json!("d")),
                ])
                .name("combined")
                .max_concurrency(1)
                .completion(
                    CompletionConfig::new()
                        .min_successful(3)
                        .tolerated_failure_count(1),
                )
                .await?;
            Ok(projection(&batch, COUNTS))
        }
        "8-19" => results(
            ctx.parallel([value(json!(1)), value(json!(2))])
                .name("bad-concurrency")
                .max_concurrency(0)
                .await?,
        ),
        "8-20" => {
            let batch = ctx
                .parallel([value(json!("a")), failing("b"), value(json!("c"))])
                .name("accessors")
                .max_concurrency(1)
                .completion(tolerate(1))
                .await?;
            Ok(json!({
                "hasFailure": batch.has_failure(),
                "successCount": batch.succeeded().count(),
                "failureCount": batch.failed().count(),
                "errorCount": batch.errors().len(),
            }))
        }
        "8-21" => results(
            ctx.parallel([Branch::new(|child| async move {
                let inner = child
                    .parallel([step("i1"), step("i2")])
                    .name("inner")
                    .max_concurrency(1)
                    .await?;
                Ok(json!(inner.try_into_results()?))
            })])
            .name("outer")
            .max_concurrency(1)
            .await?,
        ),
        "8-22" => {
            let batch = ctx
                .parallel([
                    failing("a"),
                    value(json!("b")),
                    value(json!("c")),
                    value(json!("d")),
                ])
                .name("pct-boundary")
                .max_concurrency(1)
                .completion(percent(25.0))
                .await?;
            Ok(projection(&batch, FULL))
        }
        other => Err(format!("no parallel handler for {other:?}").into()),
    }
}
