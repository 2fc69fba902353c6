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
    // cleanly on their own, with none of the runtime's optional parts (lambda-sdk passes its
    // features through to a runtime without default features).
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
    // The runtime's optional parts (profile files, credential_process, container and IMDS
    // credentials, proxies) compile cleanly when left out, alone or with some of the others,
    // and the messages that name a compiled-out source are tested with them off. A few seconds
    // each once the dependencies are built (hyper-util once more, without client-proxy).
    let runtime_runs = RUNTIME_FEATURE_SETS
        .iter()
        .map(|features| {
            (
                ["clippy", "--all-targets"],
                *features,
                &["--", "-D", "warnings"][..],
            )
        })
        .chain(
            RUNTIME_FEATURE_SETS_TESTED
                .iter()
                .map(|features| (["test", "--lib"], *features, &[][..])),
        );
    for ([command, targets], features, rest) in runtime_runs {
        let mut args = vec![
            command,
            "-p",
            "lambda-sdk-runtime",
            targets,
            "--no-default-features",
        ];
        if !features.is_empty() {
            args.extend(["--features", features]);
        }
        args.extend(rest);
        step(&format!("cargo {}", args.join(" ")), || cargo(&root, &args))?;
    }
    // Rustdoc of the hand-written and generated crates: broken intra-doc links, bad HTML and
    // the like are errors; the runtime once more with its reference interpreter.
    for args in DOC_RUNS {
        step(
            &format!("RUSTDOCFLAGS='-D warnings' cargo {}", args.join(" ")),
            || cargo_with(&root, args, &[("RUSTDOCFLAGS", "-D warnings")]),
        )?;
    }
    step("cargo test --workspace", || {
        cargo(&root, &["test", "--workspace"])
    })?;
    // Every member packages (each path dependency carries a version), and the published
    // crates build from their packaged form, each against the others' packages.
    step("cargo package --workspace --no-verify", || {
        cargo(
            &root,
            &["package", "--workspace", "--no-verify", "--allow-dirty"],
        )
    })?;
    // In a target folder of its own for each run: cargo verifies the packages against a
    // local registry under the target folder, and extracts each crate of it into
    // `$CARGO_HOME/registry/src/<hash of that path>/` once, reusing the extracted sources of an
    // earlier run at the same path even when the packages changed (seen: a fresh clone at the
    // path of an earlier one compiled lambda-sdk-durable against the earlier runtime).
    let verify_dir = root.join("target/package-verify");
    let _ = std::fs::remove_dir_all(&verify_dir);
    let run_dir = verify_dir.join(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
            .to_string(),
    );
    let run_dir = run_dir.to_string_lossy().into_owned();
    step(
        "cargo package -p lambda-sdk-runtime -p lambda-sdk -p lambda-sdk-codegen -p lambda-sdk-durable",
        || {
            cargo(
                &root,
                &[
                    "package",
                    "--allow-dirty",
                    "--target-dir",
                    &run_dir,
                    "-p",
                    "lambda-sdk-runtime",
                    "-p",
                    "lambda-sdk",
                    "-p",
                    "lambda-sdk-codegen",
                    "-p",
                    "lambda-sdk-durable",
                ],
            )
        },
    )?;
    step("cargo xtask protocol-tests", crate::protocol::run)?;
    step("cargo xtask whole-lambda", crate::whole::run)?;
    step("cargo xtask conformance", || {
        crate::conformance::run(&crate::conformance::ConformanceArgs::default())
    })?;
    step("cargo xtask fuzz-smoke", fuzz_smoke)?;
    println!("xtask test: all checks passed in {:.0?}", started.elapsed());
    Ok(())
}

/// The runtime's feature sets checked with clippy besides the default: none of the optional
/// parts; the profile without `credential_process` and IMDS without containers, with the mock;
/// and `credential_process` without the network sources, with the proxy and streams.
const RUNTIME_FEATURE_SETS: [&str; 5] = [
    "",
    "profile,imds,testing",
    "credential-process,proxy,stream,sts",
    "sso,container-credentials",
    "sts",
];

/// The feature sets whose unit tests run besides the default: the ones with tests that only
/// exist when a part is left out (`#[cfg(not(feature = ...))]`).
const RUNTIME_FEATURE_SETS_TESTED: [&str; 3] = ["", "profile,imds", "sts"];

/// The `cargo doc` runs of the test command: the mock, the streams and the durable testing
/// runner documented too.
const DOC_RUNS: [&[&str]; 3] = [
    &[
        "doc",
        "--no-deps",
        "-p",
        "lambda-sdk-runtime",
        "-p",
        "lambda-sdk",
        "-p",
        "lambda-sdk-codegen",
        "-p",
        "lambda-sdk-durable",
        "--features",
        "lambda-sdk/testing,lambda-sdk/stream",
    ],
    &[
        "doc",
        "--no-deps",
        "-p",
        "lambda-sdk-runtime",
        "--features",
        "testing,stream",
    ],
    &[
        "doc",
        "--no-deps",
        "-p",
        "lambda-sdk-durable",
        "--features",
        "testing",
    ],
];

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
    cargo_with(root, args, &[])
}

/// `cargo` with these environment variables set.
fn cargo_with(root: &std::path::Path, args: &[&str], vars: &[(&str, &str)]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(args)
        .envs(vars.iter().copied())
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("exit status {status}"))
    }
}

/// The fuzz targets of `fuzz/` and how long the smoke runs each, in seconds.
const FUZZ_TARGETS: [(&str, u32); 3] = [("responses", 10), ("event_stream", 5), ("durable", 10)];

/// How the smoke builds the targets, to keep a cold build short (about 1m40s instead of 3m15s
/// on two cores): no sanitizer (the crates under test forbid unsafe code; the long runs of
/// fuzz/README.md use AddressSanitizer) and 16 codegen units (fuzzing about 20% slower), in
/// the default fuzz profile: optimized, debug assertions and overflow checks on. The target
/// directory is `fuzz/target/smoke`, so the smoke and a long run with other flags do not
/// rebuild each other's artifacts.
const FUZZ_BUILD_ARGS: [&str; 4] = ["--sanitizer", "none", "--codegen-units", "16"];

/// `cargo xtask fuzz-smoke`: builds the cargo-fuzz targets of `fuzz/` and runs each for a few
/// seconds from its seed corpus, in a scratch corpus directory under `fuzz/target/smoke`
/// (the seeds are never modified). Fails on a crash, leaving the input in `fuzz/artifacts/`.
/// Without cargo-fuzz it fails under `CI=true` and skips, saying why, elsewhere.
pub fn fuzz_smoke() -> Result<(), String> {
    let root = crate::root();
    let version = pinned_cargo_fuzz_version(&root);
    let installed = Command::new(cargo_path())
        .args(["fuzz", "--version"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let install = format!("cargo install cargo-fuzz --version {version} --locked");
    let Some(installed) = installed else {
        if std::env::var("CI").as_deref() == Ok("true") {
            return Err(format!(
                "cargo-fuzz is not installed (.ci/run installs it: {install})"
            ));
        }
        println!("fuzz-smoke: skipped: cargo-fuzz is not installed; `{install}` installs it");
        return Ok(());
    };
    if installed != format!("cargo-fuzz {version}") {
        println!("fuzz-smoke: note: {installed} is installed; .ci/run pins {version}");
    }
    let started = Instant::now();
    fuzz_cargo(&root, "build", &[], &[])?;
    println!(
        "fuzz-smoke: built {} targets in {:.1?}",
        FUZZ_TARGETS.len(),
        started.elapsed()
    );
    for (target, seconds) in FUZZ_TARGETS {
        let corpus = root.join("fuzz/target/smoke/corpus").join(target);
        let _ = std::fs::remove_dir_all(&corpus);
        std::fs::create_dir_all(&corpus)
            .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        let corpus = corpus.to_string_lossy().into_owned();
        let seeds = format!("fuzz/seeds/{target}");
        let max_time = format!("-max_total_time={seconds}");
        let run_started = Instant::now();
        let output = fuzz_cargo(
            &root,
            "run",
            &[target, &corpus, &seeds],
            &["--", &max_time, "-timeout=10", "-rss_limit_mb=2048"],
        )
        .map_err(|e| format!("fuzz target `{target}`: {e}"))?;
        // libFuzzer's last status line ("#N DONE cov: … corp: …") and "Done N runs in S s".
        let summary: Vec<&str> = output
            .lines()
            .filter(|l| l.starts_with("Done ") || (l.starts_with('#') && l.contains("DONE ")))
            .collect();
        println!(
            "fuzz-smoke: {target}: {} ({:.1?})",
            summary.join("; "),
            run_started.elapsed()
        );
    }
    Ok(())
}

/// The cargo-fuzz version `.ci/run` installs (its `CARGO_FUZZ_VERSION=` line).
fn pinned_cargo_fuzz_version(root: &std::path::Path) -> String {
    std::fs::read_to_string(root.join(".ci/run"))
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.trim()
                    .strip_prefix("CARGO_FUZZ_VERSION=")
                    .map(String::from)
            })
        })
        .unwrap_or_else(|| "?".into())
}

/// Runs `cargo fuzz <subcommand>` with the smoke's build flags and target directory, then
/// `args` (with `RUSTC_BOOTSTRAP=1`: the sanitizer and coverage flags are unstable) and
/// returns its output; on failure the error holds the end of that output.
fn fuzz_cargo(
    root: &std::path::Path,
    subcommand: &str,
    args: &[&str],
    after: &[&str],
) -> Result<String, String> {
    let target_dir = root.join("fuzz/target/smoke");
    let mut command = Command::new(cargo_path());
    command
        .args(["fuzz", subcommand])
        .args(FUZZ_BUILD_ARGS)
        .arg("--target-dir")
        .arg(&target_dir)
        .args(args)
        .args(after)
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(root);
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() {
        return Ok(text);
    }
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(80)..].join("\n");
    Err(format!(
        "`cargo fuzz {subcommand} {} --target-dir {} {}` failed ({}); the end of its output:\n{tail}",
        FUZZ_BUILD_ARGS.join(" "),
        target_dir.display(),
        args.join(" "),
        output.status
    ))
}

fn cargo_path() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

#[cfg(test)]
mod tests {
    use super::{RUNTIME_FEATURE_SETS, RUNTIME_FEATURE_SETS_TESTED};

    /// The feature sets name only features the runtime has (its manifest's `[features]`).
    #[test]
    fn feature_sets_name_runtime_features() {
        let manifest = std::fs::read_to_string(crate::root().join("runtime/Cargo.toml"))
            .unwrap_or_else(|e| panic!("runtime/Cargo.toml: {e}"));
        let section = manifest
            .split("[features]")
            .nth(1)
            .and_then(|rest| rest.split("\n[").next())
            .unwrap_or_default();
        let features: Vec<&str> = section
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(" = ").map(|(name, _)| name))
            .collect();
        for set in RUNTIME_FEATURE_SETS
            .iter()
            .chain(&RUNTIME_FEATURE_SETS_TESTED)
        {
            for feature in set.split(',').filter(|f| !f.is_empty()) {
                assert!(features.contains(&feature), "`{feature}` of \"{set}\"");
            }
        }
    }
}
