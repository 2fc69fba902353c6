//! aws-sdk-lambda's minimal program: one GetDurableExecutionState call.
//!
//! `official ARN CHECKPOINT_TOKEN`, configured by `aws_config::load_defaults`
//! (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, …).

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(arn), Some(token)) = (args.next(), args.next()) else {
        eprintln!("usage: official ARN CHECKPOINT_TOKEN");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("official: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let client = aws_sdk_lambda::Client::new(&config);
        client
            .get_durable_execution_state()
            .durable_execution_arn(arn)
            .checkpoint_token(token)
            .send()
            .await
            .map_err(|e| aws_sdk_lambda::error::DisplayErrorContext(e).to_string())
    });
    match result {
        Ok(page) => {
            let next = page.next_marker().unwrap_or("-");
            println!(
                "operations: {}, next marker: {next}",
                page.operations().len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("official: GetDurableExecutionState failed: {e}");
            ExitCode::FAILURE
        }
    }
}
