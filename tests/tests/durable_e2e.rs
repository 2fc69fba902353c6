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

fn template(code_uri: &Path, environment: &[(&str, String)]) -> String {
    let mut template = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\n\
         Transform: AWS::Serverless-2016-10-31\n\
         Resources:\n  OrderWorkflow:\n    Type: AWS::Serverless::Function\n    \
         TestingMetadata:\n      TestDescription: [\"90-1\"]\n    Properties:\n      \
         Runtime: provided.al2023\n      Handler: bootstrap\n      CodeUri: {}\n      \
         LoggingConfig:\n        LogFormat: JSON\n      DurableConfig:\n        \
         RetentionPeriodInDays: 1\n        ExecutionTimeout: 120\n",
        code_uri.display()
    );
    if !environment.is_empty() {
        template.push_str("      Environment:\n        Variables:\n");
        for (name, value) in environment {
            // A single-quoted YAML scalar: a quote inside is doubled.
            let value = value.replace('\'', "''");
            template.push_str(&format!("          {name}: '{value}'\n"));
        }
    }
    template
}

/// Builds `args` in the workspace (a package's binary or example).
fn cargo_build(args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .arg("build")
        .args(args)
        .current_dir(repo_root())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cargo build {args:?} failed");
}

/// What one run of the order workflow under the conformance runner gave.
struct Run {
    /// The requirement's result in the runner's report.
    result: Value,
    /// The runner's output, for failure messages.
    console: String,
}

/// Runs the order workflow as requirement 90-1 under the conformance runner and the emulator,
/// the function process behind the fault proxy when `faults` is given (a
/// `durable_service::proxy::Script`, with its log at `fault_log`). `None` when the test is to be
/// skipped.
fn run_order_workflow(name: &str, faults: Option<(&str, &Path)>) -> Option<Run> {
    let script = shared_file("conformance/local_conformance.py")?;
    let venv = match provision_venv() {
        Ok(venv) => venv,
        Err(reason) if !is_ci() => {
            eprintln!("skipping: the emulator's venv is unavailable: {reason}");
            return None;
        }
        Err(reason) => panic!("CI=true but the emulator's venv is unavailable: {reason}"),
    };
    cargo_build(&["-p", "lambda-sdk-durable", "--example", "order_workflow"]);
    let work = repo_root().join("target/durable-e2e").join(name);
    let code = work.join("function");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&code).unwrap();
    let example = target_dir().join("debug/examples/order_workflow");
    let mut environment = Vec::new();
    match faults {
        None => {
            fs::copy(&example, code.join("bootstrap"))
                .expect("the example binary is where cargo builds it");
        }
        Some((faults, log)) => {
            cargo_build(&["-p", "durable-service", "--bin", "fault-proxy"]);
            fs::copy(&example, code.join("order_workflow")).expect("the example binary");
            fs::copy(
                target_dir().join("debug/fault-proxy"),
                code.join("fault-proxy"),
            )
            .expect("the fault-proxy binary is where cargo builds it");
            let bootstrap = code.join("bootstrap");
            fs::write(
                &bootstrap,
                "#!/bin/sh\nhere=$(dirname \"$0\")\nexec \"$here/fault-proxy\" \"$here/order_workflow\"\n",
            )
            .unwrap();
            #[cfg(unix)]
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&bootstrap, fs::Permissions::from_mode(0o755)).unwrap();
            environment.push(("DURABLE_FAULTS", faults.to_string()));
            environment.push(("DURABLE_FAULTS_LOG", log.display().to_string()));
        }
    }
    let template_path = work.join("template.yaml");
    fs::write(&template_path, template(&code, &environment)).unwrap();
    let out = work.join("out");

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
    let result = report["results"][0].clone();
    Some(Run { result, console })
}

#[test]
fn the_order_workflow_runs_end_to_end_with_one_checkpoint_call_per_step() {
    let Some(Run { result, console }) = run_order_workflow("plain", None) else {
        return;
    };
    assert_eq!(
        result["status"],
        "PASSED",
        "{}\n{console}",
        serde_json::to_string_pretty(&result).unwrap()
    );
    // Three steps, each start travelling with its success, and the wait: four calls; nothing
    // to page (the state fits in the envelope).
    assert_eq!(result["api_calls"]["checkpoint"], 4, "{result}");
    assert_eq!(result["api_calls"]["state"], 0, "{result}");
}

/// The same requirement (history, result, each step's log line exactly once), with the emulator
/// behind the fault proxy: a 503 then a 502 on the first checkpoint (within the client's three
/// attempts), a 429 with `Retry-After` on the second, and the third (the wait's) recorded by the
/// emulator but its response cut halfway. Nothing is lost and nothing runs twice: the runner's
/// validator checks the history, the result and that each step's log line appears once.
#[test]
fn the_order_workflow_reaches_the_same_end_through_a_faulty_connection_to_the_emulator() {
    let log = repo_root().join("target/durable-e2e/faults.log");
    let _ = fs::remove_file(&log);
    let faults = "checkpoint:1=503,checkpoint:2=502,checkpoint:4=429,checkpoint:6=cut";
    let Some(Run { result, console }) = run_order_workflow("faults", Some((faults, &log))) else {
        return;
    };
    let applied = fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(
        result["status"],
        "PASSED",
        "{}\nfaults applied:\n{applied}\n{console}",
        serde_json::to_string_pretty(&result).unwrap()
    );
    assert_eq!(applied.lines().count(), 4, "faults applied:\n{applied}");
    // What reached the emulator: the four checkpoints of a clean run, and the cut one (the
    // wait's) a second time, sent again by the client's retry.
    assert_eq!(result["api_calls"]["checkpoint"], 5, "{result}");
    assert_eq!(result["final_status"], "SUCCEEDED", "{result}");
}
