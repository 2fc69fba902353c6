//! lambda-sdk's minimal program: one GetDurableExecutionState call.
//!
//! `ours ARN CHECKPOINT_TOKEN`, configured by `Client::from_env` (`AWS_ENDPOINT_URL`,
//! `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, …).

#![forbid(unsafe_code)]

use std::process::ExitCode;

use lambda_sdk::types::GetDurableExecutionStateRequest;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(arn), Some(token)) = (args.next(), args.next()) else {
        eprintln!("usage: ours ARN CHECKPOINT_TOKEN");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ours: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let client = lambda_sdk::Client::from_env().map_err(|e| e.to_string())?;
        client
            .get_durable_execution_state(GetDurableExecutionStateRequest {
                durable_execution_arn: arn,
                checkpoint_token: token,
                ..Default::default()
            })
            .await
            .map_err(|e| e.to_string())
    });
    match result {
        Ok(page) => {
            let next = page.next_marker.as_deref().unwrap_or("-");
            println!("operations: {}, next marker: {next}", page.operations.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ours: GetDurableExecutionState failed: {e}");
            ExitCode::FAILURE
        }
    }
}
