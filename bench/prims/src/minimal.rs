//! bench/ours (the minimal program: one GetDurableExecutionState call) with one extra job on
//! a third argument, so that a job's size can be measured where the rest of the runtime, and
//! whatever of `time`, `aws-smithy-types` and `getrandom` aws-sigv4 and ring link anyway, is
//! already there. `min-control` runs `jobs::identity`.

use std::process::ExitCode;

use lambda_sdk::types::GetDurableExecutionStateRequest;

/// `min-* ARN CHECKPOINT_TOKEN INPUT`: prints `job(INPUT)`, then does what bench/ours does.
pub fn main(job: fn(&str) -> String) -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(arn), Some(token), Some(input)) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: min-* ARN CHECKPOINT_TOKEN INPUT");
        return ExitCode::from(2);
    };
    println!("{}", job(&input));
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("min: cannot start the runtime: {e}");
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
            eprintln!("min: GetDurableExecutionState failed: {e}");
            ExitCode::FAILURE
        }
    }
}
