//! Footprint of the minimal programs: crates, clean release build, stripped size, and one
//! process making the call (wall time, peak RSS).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::measure::median;

/// The minimal programs, in the order they are built.
pub const PROGRAMS: [(&str, crate::contestants::Who); 3] = [
    ("floor", crate::contestants::Who::Floor),
    ("ours", crate::contestants::Who::Ours),
    ("official", crate::contestants::Who::Official),
];

/// Unique packages in `cargo tree -e normal -p PACKAGE` (the program itself included).
pub fn crate_count(bench: &Path, package: &str) -> Result<BTreeSet<String>, String> {
    crate_count_with(bench, package, &[])
}

/// [`crate_count`] with more arguments for `cargo tree` (features).
fn crate_count_with(
    bench: &Path,
    package: &str,
    extra: &[&str],
) -> Result<BTreeSet<String>, String> {
    let out = Command::new("cargo")
        .current_dir(bench)
        .args(["tree", "--locked", "-e", "normal", "-p", package])
        .args(extra)
        .args(["--prefix", "none", "--format", "{p}"])
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo tree -p {package} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim_end_matches(" (*)").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect())
}

/// A clean release build in a fresh target directory.
#[derive(Debug, Clone)]
pub struct CleanBuild {
    pub wall: Duration,
    /// `Compiling …` lines: every crate compiled, build scripts' and proc macros' included.
    pub units: usize,
    pub binary: PathBuf,
    pub size: u64,
}

pub fn clean_build(bench: &Path, package: &str) -> Result<CleanBuild, String> {
    let dir = bench.join("target/footprint").join(package);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    }
    let started = Instant::now();
    let out = Command::new("cargo")
        .current_dir(bench)
        .env("CARGO_TARGET_DIR", &dir)
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTFLAGS")
        .args(["build", "--release", "--locked", "-p", package])
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("cargo build -p {package} failed:\n{stderr}"));
    }
    let units = stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("Compiling "))
        .count();
    let binary = dir.join("release").join(package);
    let size = std::fs::metadata(&binary)
        .map_err(|e| format!("no binary at {}: {e}", binary.display()))?
        .len();
    Ok(CleanBuild {
        wall,
        units,
        binary,
        size,
    })
}

/// `ours` built with lambda-sdk's default features (every runtime part on) in a copy of its
/// clean-build directory: its crates and stripped size. The clean-build directory itself is left
/// as it was, so the one-process runs use the minimal program.
pub fn ours_with_default_features(bench: &Path) -> Result<(usize, u64), String> {
    const FEATURES: &str = "lambda-sdk/default";
    let crates = crate_count_with(bench, "ours", &["--features", FEATURES])?;
    let dir = bench.join("target/footprint/ours-default-features");
    let out = Command::new("cargo")
        .current_dir(bench)
        .env("CARGO_TARGET_DIR", &dir)
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTFLAGS")
        .args([
            "build",
            "--release",
            "--locked",
            "--quiet",
            "-p",
            "ours",
            "--features",
            FEATURES,
        ])
        .output()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo build -p ours --features {FEATURES} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let binary = dir.join("release/ours");
    let size = std::fs::metadata(&binary)
        .map_err(|e| format!("no binary at {}: {e}", binary.display()))?
        .len();
    Ok((crates.len(), size))
}

/// Builds `package` alone (its own feature resolution) in the shared target directory and
/// returns the binary; used when the clean builds are skipped.
pub fn build_alone(bench: &Path, package: &str) -> Result<PathBuf, String> {
    let status = Command::new("cargo")
        .current_dir(bench)
        .args(["build", "--release", "--locked", "--quiet", "-p", package])
        .status()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build -p {package} failed"));
    }
    Ok(bench.join("target/release").join(package))
}

/// One process run: wall time (spawn to exit) and, under `/usr/bin/time`, peak RSS.
#[derive(Debug, Clone, Default)]
pub struct ProcessRuns {
    pub wall: Vec<Duration>,
    pub rss_kb: Vec<u64>,
}

impl ProcessRuns {
    pub fn median_wall(&self) -> Duration {
        median(&self.wall)
    }

    pub fn median_rss_kb(&self) -> u64 {
        let mut v = self.rss_kb.clone();
        v.sort_unstable();
        v.get(v.len().saturating_sub(1) / 2).copied().unwrap_or(0)
    }
}

/// The environment the programs read: endpoint, region and keys, and an empty home (no
/// `~/.aws` files), as in a Lambda function.
fn program_command(
    program: &Path,
    endpoint: &str,
    home: &Path,
    arn: &str,
    with_time: bool,
) -> Command {
    let mut command = if with_time {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "%M"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    command
        .args([arn, bench_server::CHECKPOINT_TOKEN])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", crate::contestants::REGION)
        .env("AWS_ACCESS_KEY_ID", crate::contestants::ACCESS_KEY_ID)
        .env(
            "AWS_SECRET_ACCESS_KEY",
            crate::contestants::SECRET_ACCESS_KEY,
        )
        .env("AWS_SESSION_TOKEN", crate::contestants::SESSION_TOKEN)
        .stdin(Stdio::null());
    command
}

/// Runs each program `runs` times (interleaved), timing each run, then `runs` more times under
/// `/usr/bin/time -f %M` for the peak RSS. Checks each run printed `operations: {expected}`.
pub fn process_runs(
    programs: &[(String, PathBuf)],
    endpoint: &str,
    home: &Path,
    arn: &str,
    expected: usize,
    runs: usize,
) -> Result<Vec<ProcessRuns>, String> {
    std::fs::create_dir_all(home).map_err(|e| format!("cannot create {}: {e}", home.display()))?;
    let mut results = vec![ProcessRuns::default(); programs.len()];
    let want = format!("operations: {expected},");
    let run = |program: &Path, name: &str, with_time: bool| -> Result<(Duration, String), String> {
        let started = Instant::now();
        let out = program_command(program, endpoint, home, arn, with_time)
            .output()
            .map_err(|e| format!("cannot run {name}: {e}"))?;
        let wall = started.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        if !out.status.success() || !stdout.starts_with(&want) {
            return Err(format!("{name} failed ({}): {stdout}{stderr}", out.status));
        }
        Ok((wall, stderr))
    };
    // One untimed run each, so every binary is in the page cache.
    for (name, program) in programs {
        run(program, name, false)?;
    }
    for _ in 0..runs {
        for (i, (name, program)) in programs.iter().enumerate() {
            results[i].wall.push(run(program, name, false)?.0);
        }
    }
    for _ in 0..runs {
        for (i, (name, program)) in programs.iter().enumerate() {
            let (_, stderr) = run(program, name, true)?;
            let kb = stderr
                .lines()
                .last()
                .and_then(|l| l.trim().parse::<u64>().ok())
                .ok_or_else(|| format!("no peak RSS from /usr/bin/time for {name}: {stderr}"))?;
            results[i].rss_kb.push(kb);
        }
    }
    Ok(results)
}

/// `cargo xtask codegen --model M --out DIR` timings: the xtask binary (dev profile, as the
/// `cargo xtask` alias builds it) run `runs` times per model, each into an emptied directory.
#[derive(Debug, Clone)]
pub struct CodegenTiming {
    pub label: String,
    pub model: PathBuf,
    pub times: Vec<Duration>,
    pub files: usize,
}

pub fn codegen_timings(
    root: &Path,
    bench: &Path,
    runs: usize,
) -> Result<Vec<CodegenTiming>, String> {
    let target = bench.join("target/xtask");
    let status = Command::new("cargo")
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target)
        .args(["build", "--locked", "--quiet", "-p", "xtask"])
        .status()
        .map_err(|e| format!("cannot build xtask: {e}"))?;
    if !status.success() {
        return Err("building xtask failed".into());
    }
    let xtask = target.join("debug/xtask");
    let mut models = vec![(
        "our model (model/lambda.json)".to_string(),
        root.join("model/lambda.json"),
    )];
    let official = root.join("../shared/models/lambda.smithy.json");
    if official.exists() {
        models.push((
            "AWS's full Lambda model (../shared/models/lambda.smithy.json, 85 operations)"
                .to_string(),
            official,
        ));
    }
    let mut timings = Vec::new();
    for (label, model) in models {
        let out = bench.join("target/codegen-out");
        let mut times = Vec::new();
        let mut files = 0;
        for i in 0..=runs {
            if out.exists() {
                std::fs::remove_dir_all(&out)
                    .map_err(|e| format!("cannot remove {}: {e}", out.display()))?;
            }
            let started = Instant::now();
            let result = Command::new(&xtask)
                .current_dir(root)
                .arg("codegen")
                .arg("--model")
                .arg(&model)
                .arg("--out")
                .arg(&out)
                .output()
                .map_err(|e| format!("cannot run xtask: {e}"))?;
            let took = started.elapsed();
            if !result.status.success() {
                return Err(format!(
                    "xtask codegen --model {} failed: {}",
                    model.display(),
                    String::from_utf8_lossy(&result.stderr)
                ));
            }
            // The first run only warms the page cache.
            if i > 0 {
                times.push(took);
            }
            files = count_files(&out);
        }
        timings.push(CodegenTiming {
            label,
            model,
            times,
            files,
        });
    }
    Ok(timings)
}

fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| {
            let path = e.path();
            if path.is_dir() { count_files(&path) } else { 1 }
        })
        .sum()
}
