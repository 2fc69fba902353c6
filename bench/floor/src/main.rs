//! The floor's minimal program: one GetDurableExecutionState call.
//!
//! `floor ARN CHECKPOINT_TOKEN`, configured by `AWS_ENDPOINT_URL`, `AWS_REGION`,
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`).

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(arn), Some(token)) = (args.next(), args.next()) else {
        eprintln!("usage: floor ARN CHECKPOINT_TOKEN");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("floor: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let client = floor::Floor::new(floor::Settings::from_env()?)?;
        client.get_state(&arn, &token, None).await
    });
    match result {
        Ok(page) => {
            let operations = page["Operations"].as_array().map_or(0, Vec::len);
            let next = page["NextMarker"].as_str().unwrap_or("-");
            println!("operations: {operations}, next marker: {next}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("floor: GetDurableExecutionState failed: {e}");
            ExitCode::FAILURE
        }
    }
}
