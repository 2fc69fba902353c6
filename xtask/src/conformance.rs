//! `cargo xtask conformance [--suite S,..] [--only ID,..]`: AWS's durable-execution conformance
//! suite against lambda-sdk-durable, locally. Builds the one handler binary
//! (`durable/conformance/handlers`) into `target/conformance/bootstrap/bootstrap`, where the
//! templates' `CodeUri` points; provisions the pinned Python venv (the emulator and the suite);
//! runs `../shared/conformance/local_conformance.py --shim wire` per suite with the suite's own
//! requirements; prints each suite's counts and `conformance: N passed, M failed`. Reports and
//! histories stay under `target/conformance/<suite>/`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

/// The suites with a template in `durable/conformance/`, in the order they run.
pub const SUITES: [&str; 7] = [
    "step",
    "wait",
    "child",
    "callback",
    "invoke",
    "wait_for_condition",
    "wait_for_callback",
];

/// Requirements that cannot pass against the local emulator, and why. Any other failure fails
/// the run.
pub const CANNOT_PASS: [(&str, &str); 3] = [
    (
        "1-17",
        "the emulator records no InvocationCompleted event for a crashed invocation (D1)",
    ),
    (
        "1-18",
        "the emulator records no InvocationCompleted event for a crashed invocation (D1)",
    ),
    (
        "3-12",
        "the emulator records no InvocationCompleted event for a crashed invocation (D1), and \
         a step's start is recorded with its outcome here",
    ),
];

/// Parsed `conformance` arguments.
#[derive(Debug, Default)]
pub struct ConformanceArgs {
    /// Only these suites.
    pub suites: Option<Vec<String>>,
    /// Only these requirement ids.
    pub only: Option<Vec<String>>,
}

/// One suite's outcome.
struct SuiteReport {
    suite: String,
    passed: Vec<String>,
    /// Requirement id and its first errors.
    failed: Vec<(String, String)>,
    seconds: f64,
    checkpoint_calls_1_3: Option<u64>,
}

pub fn run(args: &ConformanceArgs) -> Result<(), String> {
    let root = crate::root();
    let script = root.join("../shared/conformance/local_conformance.py");
    if !script.exists() {
        let message = format!(
            "{} is absent: the conformance run needs ../shared",
            script.display()
        );
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            return Err(format!("CI=true and {message}"));
        }
        println!("conformance: skipped ({message})");
        return Ok(());
    }
    let suites: Vec<String> = match &args.suites {
        Some(suites) => suites.clone(),
        None => SUITES.iter().map(|s| s.to_string()).collect(),
    };
    for suite in &suites {
        if !root.join(template(suite)).exists() {
            return Err(format!(
                "no template for suite {suite:?} ({} does not exist); the suites are {}",
                template(suite),
                SUITES.join(", ")
            ));
        }
    }

    let started = Instant::now();
    let venv = provision(&root)?;
    let provisioned = started.elapsed();
    let started = Instant::now();
    build_handlers(&root)?;
    let built = started.elapsed();

    let started = Instant::now();
    let mut reports = Vec::new();
    for suite in &suites {
        reports.push(run_suite(
            &root,
            &script,
            &venv,
            suite,
            args.only.as_deref(),
        )?);
    }
    let ran = started.elapsed();

    let passed: usize = reports.iter().map(|r| r.passed.len()).sum();
    let failed: usize = reports.iter().map(|r| r.failed.len()).sum();
    for report in &reports {
        let mut line = format!(
            "conformance {}: {} passed, {} failed ({:.0} s)",
            report.suite,
            report.passed.len(),
            report.failed.len(),
            report.seconds
        );
        if !report.failed.is_empty() {
            let ids: Vec<&str> = report.failed.iter().map(|(id, _)| id.as_str()).collect();
            line.push_str(&format!(": {}", ids.join(", ")));
        }
        println!("{line}");
    }
    if let Some(calls) = reports.iter().find_map(|r| r.checkpoint_calls_1_3) {
        println!(
            "conformance: requirement 1-3 (two sequential steps) made {calls} CheckpointDurableExecution calls"
        );
    }
    println!(
        "conformance: venv ready in {:.1} s, handlers built in {:.1} s, requirements ran in {:.1} s",
        provisioned.as_secs_f64(),
        built.as_secs_f64(),
        ran.as_secs_f64()
    );
    println!("conformance: {passed} passed, {failed} failed");

    let unexpected: Vec<String> = reports
        .iter()
        .flat_map(|r| &r.failed)
        .filter(|(id, _)| !CANNOT_PASS.iter().any(|(known, _)| known == id))
        .map(|(id, errors)| format!("{id}: {errors}"))
        .collect();
    for (id, why) in CANNOT_PASS {
        if reports
            .iter()
            .any(|r| r.failed.iter().any(|(f, _)| f == id))
        {
            println!("conformance: {id} cannot pass here: {why}");
        }
    }
    if unexpected.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} requirement(s) failed that should pass:\n  {}",
            unexpected.len(),
            unexpected.join("\n  ")
        ))
    }
}

fn template(suite: &str) -> String {
    format!("durable/conformance/template_{suite}.yaml")
}

fn cargo_command() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// The Python venv with the emulator and the suite, provisioned by the tests crate's
/// provisioner (one venv for the end-to-end tests and this run).
fn provision(root: &Path) -> Result<PathBuf, String> {
    let output = cargo_command()
        .args([
            "run",
            "--quiet",
            "-p",
            "lambda-sdk-tests",
            "--bin",
            "provision-venv",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "provisioning the Python venv failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let path = stdout.lines().last().unwrap_or_default().trim();
    if path.is_empty() {
        return Err("the venv provisioner printed no path".into());
    }
    Ok(PathBuf::from(path))
}

/// Builds the handler binary and puts it where the templates' `CodeUri` points.
fn build_handlers(root: &Path) -> Result<(), String> {
    let status = cargo_command()
        .args(["build", "-p", "lambda-sdk-durable-conformance"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building the conformance handlers failed ({status})"
        ));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { root.join(t) })
        .unwrap_or_else(|| root.join("target"));
    let built = target.join("debug").join("conformance-handlers");
    let bootstrap_dir = root.join("target/conformance/bootstrap");
    fs::create_dir_all(&bootstrap_dir)
        .map_err(|e| format!("cannot create {}: {e}", bootstrap_dir.display()))?;
    let bootstrap = bootstrap_dir.join("bootstrap");
    // Replaced, not overwritten in place: a worker of an earlier run may still execute it.
    let staged = bootstrap_dir.join("bootstrap.new");
    fs::copy(&built, &staged).map_err(|e| {
        format!(
            "cannot copy {} to {}: {e}",
            built.display(),
            staged.display()
        )
    })?;
    fs::rename(&staged, &bootstrap).map_err(|e| {
        format!(
            "cannot move {} to {}: {e}",
            staged.display(),
            bootstrap.display()
        )
    })?;
    Ok(())
}

fn run_suite(
    root: &Path,
    script: &Path,
    venv: &Path,
    suite: &str,
    only: Option<&[String]>,
) -> Result<SuiteReport, String> {
    let out = root.join("target/conformance").join(suite);
    let _ = fs::remove_file(out.join("report.json"));
    let mut command = Command::new(venv.join("bin").join("python"));
    command
        .arg(script)
        .arg("--template")
        .arg(root.join(template(suite)))
        .args(["--suite", suite, "--shim", "wire", "--workers", "8"])
        .arg("--dex-runner")
        .arg(venv.join("bin").join("dex-local-runner"))
        .arg("--out")
        .arg(&out)
        .current_dir(root);
    if let Some(only) = only {
        command.args(["--only", &only.join(",")]);
    }
    println!("conformance: running suite {suite}");
    let started = Instant::now();
    // The script exits 1 when a requirement fails; the report says which.
    let status = command
        .status()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let report_path = out.join("report.json");
    let report: Value = fs::read_to_string(&report_path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .ok_or_else(|| {
            format!(
                "suite {suite}: local_conformance.py ended ({status}) without a readable {}",
                report_path.display()
            )
        })?;
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    let mut checkpoint_calls_1_3 = None;
    for result in report["results"].as_array().into_iter().flatten() {
        let id = result["id"].as_str().unwrap_or("?").to_string();
        if id == "1-3" {
            checkpoint_calls_1_3 = result["api_calls"]["checkpoint"].as_u64();
        }
        match result["status"].as_str() {
            Some("PASSED") => passed.push(id),
            other => {
                let errors: Vec<String> = result["errors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .take(2)
                    .map(|e| e.as_str().map_or_else(|| e.to_string(), String::from))
                    .collect();
                failed.push((
                    id,
                    format!("{} {}", other.unwrap_or("?"), errors.join("; ")),
                ));
            }
        }
    }
    Ok(SuiteReport {
        suite: suite.to_string(),
        passed,
        failed,
        seconds,
        checkpoint_calls_1_3,
    })
}
