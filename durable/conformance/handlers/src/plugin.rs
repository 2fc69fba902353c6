//! The plugin suite (10-x): plugins that print one JSON record per hook to stdout, each with
//! the execution's ARN, so that the suite's log checks find them.

use std::time::Duration;

use lambda_sdk::types::OperationType;
use lambda_sdk_durable::plugin::{
    Attempt, AttemptEnd, InvocationEnd, InvocationStart, OperationEnd, OperationInfo,
};
use lambda_sdk_durable::{BoxError, DurableContext, Plugin, RetryStrategyConfig, RunOptions};
use serde_json::{Value, json};

/// Prints its records; `faulty` makes every hook fail after printing.
pub struct Conformance {
    pub label: &'static str,
    pub faulty: bool,
}

impl Conformance {
    fn emit(&self, arn: &str, mut record: Value) -> Result<(), BoxError> {
        record["plugin"] = json!(self.label);
        record["durableExecutionArn"] = json!(arn);
        println!("{record}");
        if self.faulty {
            return Err(format!("{} fails on purpose", self.label).into());
        }
        Ok(())
    }
}

fn is_step(info: &OperationInfo) -> bool {
    info.operation_type == OperationType::Step
}

impl Plugin for Conformance {
    fn on_invocation_start(&self, info: &InvocationStart) -> Result<(), BoxError> {
        self.emit(
            &info.durable_execution_arn,
            json!({"hook": "invocation-start", "first": info.is_first_invocation}),
        )
    }

    fn on_invocation_end(&self, info: &InvocationEnd) -> Result<(), BoxError> {
        self.emit(
            &info.durable_execution_arn,
            json!({"hook": "invocation-end", "status": info.status.as_str()}),
        )
    }

    fn on_operation_start(&self, info: &OperationInfo) -> Result<(), BoxError> {
        if !is_step(info) {
            return Ok(());
        }
        self.emit(
            &info.durable_execution_arn,
            json!({"hook": "operation-start", "op": info.operation_id}),
        )
    }

    fn on_operation_end(&self, info: &OperationEnd) -> Result<(), BoxError> {
        let op = &info.operation;
        if !is_step(op) {
            return Ok(());
        }
        self.emit(
            &op.durable_execution_arn,
            json!({"hook": "operation-end", "op": op.operation_id, "status": info.status.as_str()}),
        )
    }

    fn on_attempt_start(&self, info: &Attempt) -> Result<(), BoxError> {
        let op = &info.operation;
        if !is_step(op) {
            return Ok(());
        }
        self.emit(
            &op.durable_execution_arn,
            json!({"hook": "attempt-start", "n": info.attempt, "op": op.operation_id}),
        )
    }

    fn on_attempt_end(&self, info: &AttemptEnd) -> Result<(), BoxError> {
        let op = &info.operation;
        if !is_step(op) {
            return Ok(());
        }
        self.emit(
            &op.durable_execution_arn,
            json!({
                "hook": "attempt-end",
                "n": info.attempt,
                "outcome": info.outcome.as_str(),
                "op": op.operation_id,
            }),
        )
    }
}

/// The options of requirement `case`: its plugins.
pub fn options(case: &str) -> RunOptions {
    let plugin = |label, faulty| Conformance { label, faulty };
    match case {
        "10-4" => RunOptions::new().plugin(plugin("CONFPLUGIN-FAULTY", true)),
        "10-5" => RunOptions::new()
            .plugin(plugin("CONFPLUGIN-A", false))
            .plugin(plugin("CONFPLUGIN-B", false)),
        _ => RunOptions::new().plugin(plugin("CONFPLUGIN", false)),
    }
}

pub async fn case(case: String, input: Value, ctx: DurableContext) -> Result<Value, BoxError> {
    match case.as_str() {
        "10-1" | "10-2" | "10-4" | "10-5" => {
            let name = input.as_str().unwrap_or_default().to_string();
            let greeting: String = ctx
                .step(|cx| async move {
                    cx.logger()
                        .info(format!("Greeting step running for: {name}"));
                    Ok(format!("Hello, {name}!"))
                })
                .await?;
            Ok(json!(greeting))
        }
        "10-3" => {
            let result: String = ctx
                .step(|cx| async move {
                    if cx.attempt() == 1 {
                        return Err("unreliable: the first attempt fails".into());
                    }
                    Ok("Operation succeeded".to_string())
                })
                .retry_strategy_config(crate::step::every_second(3))
                .await?;
            Ok(json!(result))
        }
        "10-6" => {
            ctx.wait(Duration::from_secs(2)).await?;
            Ok(Value::Null)
        }
        "10-7" => {
            let never: String = ctx
                .step(|_| async { Err::<String, BoxError>("the step always fails".into()) })
                .retry_strategy_config(RetryStrategyConfig::none())
                .await?;
            Ok(json!(never))
        }
        other => Err(format!("no plugin handler for {other:?}").into()),
    }
}
