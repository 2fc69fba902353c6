//! lambda-sdk-durable end to end: the example order workflow (`durable/examples/order_workflow.rs`)
//! built as a Lambda function binary, run under the emulated Lambda Runtime API of
//! `../shared/conformance` against the local durable-execution emulator, and checked by the
//! conformance suite's own validator against our requirement
//! `tests/data/durable-e2e/e2e/90-1.yaml` (history, result, logs). Then its checkpoint calls,
//! counted by the recording proxy, must be one per successful step (and one for the wait).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use lambda_sdk_tests::emulator::{is_ci, provision_venv};
use lambda_sdk_tests::{repo_root, shared_file};
use serde_json::Value;

/// The workspace's target directory.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => repo_root().join(dir),
        None => repo_root().join("target"),
    }
}

fn template(code_uri: &Path) -> String {
    format!(
        "AWSTemplateFormatVersion: '2010-09-09'\n\
         Transform: AWS::Serverless-2016-10-31\n\
         Resources:\n  OrderWorkflow:\n    Type: AWS::Serverless::Function\n    \
         TestingMetadata:\n      TestDescription: [\"90-1\"]\n    Properties:\n      \
         Runtime: provided.al2023\n      Handler: bootstrap\n      CodeUri: {}\n      \
         LoggingConfig:\n        LogFormat: JSON\n      DurableConfig:\n        \
         RetentionPeriodInDays: 1\n        ExecutionTimeout: 120\n",
        code_uri.display()
    )
}

#[test]
fn the_order_workflow_runs_end_to_end_with_one_checkpoint_call_per_step() {
    let Some(script) = shared_file("conformance/local_conformance.py") else {
        return;
    };
    let venv = match provision_venv() {
        Ok(venv) => venv,
        Err(reason) if !is_ci() => {
            eprintln!("skipping: the emulator's venv is unavailable: {reason}");
            return;
        }
        Err(reason) => panic!("CI=true but the emulator's venv is unavailable: {reason}"),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "-p",
            "lambda-sdk-durable",
            "--example",
            "order_workflow",
        ])
        .current_dir(repo_root())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the example failed");

    let work = repo_root().join("target/durable-e2e");
    let code = work.join("function");
    fs::create_dir_all(&code).unwrap();
    fs::copy(
        target_dir().join("debug/examples/order_workflow"),
        code.join("bootstrap"),
    )
    .expect("the example binary is where cargo builds it");
    let template_path = work.join("template.yaml");
    fs::write(&template_path, template(&code)).unwrap();
    let out = work.join("out");
    let _ = fs::remove_file(out.join("report.json"));

    let output = Command::new(venv.join("bin/python"))
        .arg(&script)
        .arg("--template")
        .arg(&template_path)
        .args(["--suite", "e2e", "--shim", "wire", "--workers", "1"])
        .arg("--requirements-dir")
        .arg(repo_root().join("tests/data/durable-e2e"))
        .arg("--dex-runner")
        .arg(venv.join("bin/dex-local-runner"))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("python runs");
    let console = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_str(
        &fs::read_to_string(out.join("report.json"))
            .unwrap_or_else(|e| panic!("no report ({e}):\n{console}")),
    )
    .unwrap();
    let result = &report["results"][0];
    assert_eq!(
        result["status"],
        "PASSED",
        "{}\n{console}",
        serde_json::to_string_pretty(result).unwrap()
    );
    // Three steps, each start travelling with its success, and the wait: four calls; nothing
    // to page (the state fits in the envelope).
    assert_eq!(result["api_calls"]["checkpoint"], 4, "{result}");
    assert_eq!(result["api_calls"]["state"], 0, "{result}");
}
