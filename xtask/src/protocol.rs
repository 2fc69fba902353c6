//! `cargo xtask protocol-tests`: generates a client for the Smithy restJson1 protocol-test
//! service with our codegen and runtime, generates one Rust test per client case, runs them
//! and prints `protocol tests: N passed, M failed, K skipped`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use lambda_sdk_codegen::protocol_tests::{TestOptions, generate_tests};
use lambda_sdk_codegen::{Model, Options, generate};

/// Cases that may be skipped, with the reason, one per line: `request:ID reason`.
const SKIP_FILE: &str = "xtask/protocol-tests.skip";
/// The suite allows at most this many skips.
const MAX_SKIPS: usize = 8;

pub fn run() -> Result<(), String> {
    let root = crate::root();
    let model_path = root.join("../shared/protocol-tests/aws-protocol-tests-restJson1.json");
    if !model_path.exists() {
        let message = format!(
            "{} is absent: the protocol tests need ../shared",
            model_path.display()
        );
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            return Err(format!("CI=true and {message}"));
        }
        println!("protocol tests: skipped ({message})");
        return Ok(());
    }
    let skip = read_skips(&root.join(SKIP_FILE))?;
    let json = fs::read_to_string(&model_path)
        .map_err(|e| format!("cannot read {}: {e}", model_path.display()))?;
    let model = Model::from_json(&json).map_err(|e| format!("{}: {e}", model_path.display()))?;
    let dir = root.join("target/protocol-tests/crate");
    let options = Options {
        crate_name: "restjson-protocol-tests".into(),
        runtime: crate::local_runtime(&dir)?,
        source_name: "aws-protocol-tests-restJson1.json".into(),
        manifest_extra: crate::dev_dependencies(&dir, &["macros", "rt"])?,
        manifest_extra_source: "xtask/src/protocol.rs".into(),
        ..Options::default()
    };
    let crate_files =
        generate(&model, &options).map_err(|e| format!("generating the client: {e}"))?;
    let (test_files, summary) =
        generate_tests(&model, &options, &TestOptions { skip: skip.clone() })
            .map_err(|e| format!("generating the tests: {e}"))?;
    if !summary.unknown_skips.is_empty() {
        return Err(format!(
            "{SKIP_FILE} names cases the suite does not have: {:?}",
            summary.unknown_skips
        ));
    }
    if skip.len() > MAX_SKIPS {
        return Err(format!(
            "{SKIP_FILE} skips {} cases; at most {MAX_SKIPS} are allowed",
            skip.len()
        ));
    }

    lambda_sdk_codegen::cli::write(&dir, &crate_files)?;
    // Test files: write what changed, drop what the suite no longer has.
    let tests_dir = dir.join("tests/protocol");
    if let Ok(entries) = fs::read_dir(&tests_dir) {
        for entry in entries.flatten() {
            let rel = PathBuf::from("tests/protocol").join(entry.file_name());
            if !test_files.contains_key(&rel) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    for (path, text) in &test_files {
        write_file(&dir.join(path), text)?;
    }
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("copying Cargo.lock: {e}"))?;

    println!(
        "protocol tests: {} request and {} response cases for clients, {} marked skipped; building and running…",
        summary.requests, summary.responses, summary.skipped
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "test",
            "--offline",
            "--test",
            "protocol",
            "--",
            "--test-threads",
            "4",
        ])
        .current_dir(&dir)
        .env(
            "CARGO_TARGET_DIR",
            root.join("target/protocol-tests/target"),
        )
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let Some((passed, failed, ignored)) = parse_result(&stdout) else {
        return Err(format!(
            "the protocol tests did not run:\n{stderr}\n{stdout}"
        ));
    };
    let failures: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("test ") && l.ends_with("FAILED"))
        .collect();
    if !failures.is_empty() {
        println!("{stdout}");
    }
    println!("protocol tests: {passed} passed, {failed} failed, {ignored} skipped");
    if failed > 0 || !output.status.success() {
        return Err(format!(
            "{failed} protocol test(s) failed:\n{}",
            failures.join("\n")
        ));
    }
    if passed + ignored != summary.requests + summary.responses {
        return Err(format!(
            "{} cases were generated but {} ran",
            summary.requests + summary.responses,
            passed + ignored
        ));
    }
    Ok(())
}

fn write_file(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `request:ID reason…` per line; `#` starts a comment.
fn read_skips(path: &PathBuf) -> Result<BTreeMap<String, String>, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut skips = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (id, reason) = line.split_once(char::is_whitespace).ok_or_else(|| {
            format!(
                "{} line {}: a skip needs a reason after the case id",
                path.display(),
                n + 1
            )
        })?;
        if !(id.starts_with("request:") || id.starts_with("response:")) {
            return Err(format!(
                "{} line {}: `{id}` must start with request: or response:",
                path.display(),
                n + 1
            ));
        }
        skips.insert(id.to_string(), reason.trim().to_string());
    }
    Ok(skips)
}

/// `test result: ok. 5 passed; 1 failed; 2 ignored; …`
fn parse_result(stdout: &str) -> Option<(usize, usize, usize)> {
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("test result:"))?;
    let number = |label: &str| -> Option<usize> {
        let end = line.find(label)?;
        line[..end].trim_end().rsplit(' ').next()?.parse().ok()
    };
    Some((number(" passed")?, number(" failed")?, number(" ignored")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_libtest_summary() {
        let out = "running 3 tests\ntest a ... ok\n\ntest result: FAILED. 240 passed; 1 failed; 2 ignored; 0 measured; 0 filtered out; finished in 1.2s\n";
        assert_eq!(parse_result(out), Some((240, 1, 2)));
        assert_eq!(parse_result("nothing"), None);
    }
}
