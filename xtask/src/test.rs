//! `cargo xtask test`: the project's one test command.

use std::process::Command;
use std::time::Instant;

use crate::codegen::{self, CodegenArgs};

/// Runs every check in order, stopping at the first failure.
pub fn run() -> Result<(), String> {
    let root = crate::root();
    let started = Instant::now();
    step("codegen --check", || {
        codegen::run(&CodegenArgs {
            check: true,
            ..CodegenArgs::default()
        })
    })?;
    step("cargo fmt --all --check", || {
        cargo(&root, &["fmt", "--all", "--check"])
    })?;
    step(
        "cargo clippy --workspace --all-targets -- -D warnings",
        || {
            cargo(
                &root,
                &[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
            )
        },
    )?;
    // Two operations and HTTP/2: the per-operation feature gates and the http2 feature compile
    // cleanly on their own.
    let subset = "http2,get-durable-execution-state,checkpoint-durable-execution";
    step(
        &format!(
            "cargo clippy -p lambda-sdk --no-default-features --features {subset} -- -D warnings"
        ),
        || {
            cargo(
                &root,
                &[
                    "clippy",
                    "-p",
                    "lambda-sdk",
                    "--no-default-features",
                    "--features",
                    subset,
                    "--",
                    "-D",
                    "warnings",
                ],
            )
        },
    )?;
    step("cargo test --workspace", || {
        cargo(&root, &["test", "--workspace"])
    })?;
    step("cargo xtask protocol-tests", crate::protocol::run)?;
    step("cargo xtask whole-lambda", crate::whole::run)?;
    println!("xtask test: all checks passed in {:.0?}", started.elapsed());
    Ok(())
}

fn step(name: &str, f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    println!("==> {name}");
    let started = Instant::now();
    let result = f().map_err(|e| format!("{name} failed: {e}"));
    println!(
        "<== {name}: {} in {:.1?}",
        if result.is_ok() { "ok" } else { "FAILED" },
        started.elapsed()
    );
    result
}

fn cargo(root: &std::path::Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("exit status {status}"))
    }
}
