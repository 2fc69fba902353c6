//! `cargo xtask whole-lambda`: AWS's whole Lambda model through our generator.
//! 1. All 85 operations generate a standalone crate that passes clippy `-D warnings` and
//!    rustdoc without warnings.
//! 2. A crate with just `Invoke` and `InvokeWithResponseStream` (plus two durable operations) from
//!    the same model is generated, and `tests/whole-lambda/invoke.rs` calls them against a local
//!    server.

use std::fs;
use std::path::Path;
use std::process::Command;

use lambda_sdk_codegen::{Options, RuntimeDependency};

pub fn run() -> Result<(), String> {
    let root = crate::root();
    let model = root.join("../shared/models/lambda.smithy.json");
    if !model.exists() {
        let message = format!("{} is absent: this check needs ../shared", model.display());
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            return Err(format!("CI=true and {message}"));
        }
        println!("whole-lambda: skipped ({message})");
        return Ok(());
    }
    let runtime =
        fs::canonicalize(root.join("runtime")).map_err(|e| format!("runtime crate: {e}"))?;
    let target = root.join("target/whole-lambda");
    let lock = root.join("Cargo.lock");

    let full = Options {
        crate_name: "lambda-sdk-full".into(),
        runtime: RuntimeDependency::Path(runtime.display().to_string()),
        source_name: "lambda.smithy.json".into(),
        ..Options::default()
    };
    let dir = target.join("full");
    let files = crate::codegen::generate_from(&model, &full)?;
    let operations = files
        .keys()
        .filter(|p| {
            p.ends_with("mod.rs") && p.starts_with("src/operation/") && p.components().count() == 4
        })
        .count();
    crate::codegen::write(&dir, &files)?;
    copy(&lock, &dir.join("Cargo.lock"))?;
    println!(
        "whole-lambda: {operations} operations generated into {}",
        dir.display()
    );
    cargo(
        &dir,
        &target,
        &[
            "clippy",
            "--offline",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    cargo(
        &dir,
        &target,
        &["doc", "--offline", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;

    let invoke = Options {
        crate_name: "lambda-invoke-sdk".into(),
        operations: Some(
            [
                "Invoke",
                "InvokeWithResponseStream",
                "GetDurableExecutionState",
                "CheckpointDurableExecution",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
        ),
        ..full
    };
    let dir = target.join("invoke");
    let mut files = crate::codegen::generate_from(&model, &invoke)?;
    let support = fs::canonicalize(root.join("tests/protocol-support"))
        .map_err(|e| format!("support crate: {e}"))?;
    if let Some(manifest) = files.get_mut(Path::new("Cargo.toml")) {
        manifest.push_str(&format!(
            "\n[dev-dependencies]\nprotocol-test-support = {{ path = {:?} }}\ntokio = {{ version = \"1\", default-features = false, features = [\"macros\", \"rt\", \"net\", \"io-util\"] }}\n",
            support.display().to_string()
        ));
    }
    crate::codegen::write(&dir, &files)?;
    fs::create_dir_all(dir.join("tests")).map_err(|e| format!("creating tests/: {e}"))?;
    // Every case of the model's smithy.rules#endpointTests, as its own test.
    let model_json =
        fs::read_to_string(&model).map_err(|e| format!("cannot read {}: {e}", model.display()))?;
    let parsed = lambda_sdk_codegen::Model::from_json(&model_json).map_err(|e| e.to_string())?;
    let (endpoint_tests, cases) =
        lambda_sdk_codegen::protocol_tests::generate_endpoint_tests(&parsed, &invoke)
            .map_err(|e| format!("generating the endpoint tests: {e}"))?;
    for (path, text) in &endpoint_tests {
        if fs::read_to_string(dir.join(path)).ok().as_deref() != Some(text.as_str()) {
            fs::write(dir.join(path), text)
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
    }
    println!("whole-lambda: {cases} endpoint test cases");
    copy(
        &root.join("tests/whole-lambda/invoke.rs"),
        &dir.join("tests/invoke.rs"),
    )?;
    copy(&lock, &dir.join("Cargo.lock"))?;
    cargo(&dir, &target, &["test", "--offline"], &[])?;
    println!("whole-lambda: ok");
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    if fs::read(from).ok() == fs::read(to).ok() {
        return Ok(());
    }
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copying {} to {}: {e}", from.display(), to.display()))
}

fn cargo(dir: &Path, target: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target.join("target"));
    for (k, v) in env {
        command.env(k, v);
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo {}` in {} failed ({status})",
            args.join(" "),
            dir.display()
        ))
    }
}
