//! `lambda-sdk-codegen --model PATH --out DIR`: generates a Rust SDK crate from a Smithy JSON
//! model into a folder (the same generator as `cargo xtask codegen` in the lambda-sdk
//! repository). `lambda-sdk-codegen --help` lists the options.
#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = lambda_sdk_codegen::cli::Args::parse(&args)
        .and_then(|args| lambda_sdk_codegen::cli::run(&args));
    match result {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
