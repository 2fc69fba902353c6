//! Runs a small durable function against the local emulator and prints what it replays.
//!
//! ```sh
//! cargo run --example replay
//! ```
//!
//! The emulator (`dex-local-runner`, Python >= 3.11) is provisioned on first use under
//! `target/e2e-venv`. The function, written against `lambda_sdk::Client`:
//!
//! 1. on its first invocation checkpoints a step, starts a one-second wait and answers
//!    `PENDING` (the emulator runs with `--skip-time`, so the wait ends at once);
//! 2. on its second invocation replays its state page by page, checkpoints a second step and
//!    the execution's result.
//!
//! Each invocation prints the operations it replayed; the example ends with the execution's
//! final status.
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use lambda_sdk::Client;
use lambda_sdk::types::Operation;
use lambda_sdk_tests::durable::{self, Durable, pending, step, succeed_execution, succeeded, wait};
use lambda_sdk_tests::function_server::Invocation;
use serde_json::{Value, json};

/// One durable function invocation.
async fn function(client: Client, invocation: Invocation) -> Result<Value, String> {
    let mut durable = Durable::new(client, &invocation);
    // Replay everything recorded so far, two operations per GetDurableExecutionState page.
    let replay = durable.replay(2).await?;
    println!(
        "invocation replays {} operation(s) in {} page(s):",
        replay.operations.len(),
        replay.pages
    );
    for op in &replay.operations {
        print_operation(op);
    }

    if replay.get("wait").is_none() {
        durable
            .checkpoint(step("greet", "greet", "\"hello\""))
            .await?;
        durable.checkpoint(vec![wait("wait", 1)]).await?;
        return Ok(pending());
    }
    let execution_id = &replay.execution().ok_or("no EXECUTION operation")?.id;
    let result = json!({ "greeting": "hello, world" }).to_string();
    let mut updates = step("shout", "shout", "\"HELLO\"");
    updates.push(succeed_execution(execution_id, &result));
    durable.checkpoint(updates).await?;
    Ok(succeeded(&result))
}

fn print_operation(op: &Operation) {
    let end = op
        .end_timestamp
        .map(|t| t.to_string())
        .unwrap_or_else(|| "-".to_owned());
    println!(
        "  {:<38} {:<9} {:<9} name={:<12} started={} ended={}",
        op.id,
        op.r#type.as_str(),
        op.status.as_str(),
        op.name.as_deref().unwrap_or("-"),
        op.start_timestamp,
        end,
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let harness = match durable::start(function).await {
        Ok(harness) => harness,
        Err(e) => {
            eprintln!("error: cannot run the local durable-execution emulator: {e}");
            eprintln!("(it needs python3 >= 3.11 and, on first use, network access for pip)");
            return ExitCode::FAILURE;
        }
    };
    let arn = match harness
        .start_execution("replay-example", "replay-1", &json!({ "name": "world" }))
        .await
    {
        Ok(arn) => arn,
        Err(e) => {
            eprintln!("error: cannot start the execution: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("started {arn}");
    match harness
        .wait_for_execution(&arn, Duration::from_secs(60))
        .await
    {
        Ok(execution) => {
            println!(
                "execution {}: {} result={}",
                execution.durable_execution_name,
                execution.status,
                execution.result.as_deref().unwrap_or("-")
            );
            if harness.handler_errors().is_empty() {
                ExitCode::SUCCESS
            } else {
                eprintln!("error: the function failed: {:?}", harness.handler_errors());
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
