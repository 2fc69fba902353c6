//! `cargo xtask whole-lambda`: AWS's whole Lambda model through our generator.
//! 1. All 85 operations generate a standalone crate that passes clippy `-D warnings` and
//!    rustdoc without warnings.
//! 2. A crate with just `Invoke` and `InvokeWithResponseStream` (plus two durable operations) from
//!    the same model is generated, and `tests/whole-lambda/invoke.rs` calls them against a local
//!    server.

use std::fs;
use std::path::Path;
use std::process::Command;

use lambda_sdk_codegen::Options;
use lambda_sdk_codegen::cli;

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
    let target = root.join("target/whole-lambda");
    let lock = root.join("Cargo.lock");

    walkthrough(&root, &model, &target)?;

    // Every operation, as `--model M --out DIR --runtime-path runtime` generates them.
    let dir = target.join("full");
    let summary = cli::run(&cli::Args {
        model: model.clone(),
        out: dir.clone(),
        check: false,
        operations: None,
        crate_name: Some("lambda-sdk-full".into()),
        runtime: cli::RuntimeChoice::Path(root.join("runtime")),
        source_name: None,
    })?;
    copy(&lock, &dir.join("Cargo.lock"))?;
    println!("whole-lambda: every operation: {summary}");
    let full = Options {
        crate_name: "lambda-sdk-full".into(),
        runtime: crate::local_runtime(&dir)?,
        source_name: "lambda.smithy.json".into(),
        ..Options::default()
    };
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

    let dir = target.join("invoke");
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
        runtime: crate::local_runtime(&dir)?,
        manifest_extra: crate::dev_dependencies(&dir, &["macros", "rt", "net", "io-util"])?,
        manifest_extra_source: "xtask/src/whole.rs".into(),
        ..full
    };
    let files = cli::generate_from(&model, &invoke)?;
    cli::write(&dir, &files)?;
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
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
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

/// The README's "Generating a crate for a model of your own" steps, followed as written in a
/// project of the user's own (`target/whole-lambda/walkthrough`): the operations list, the
/// `lambda-sdk-codegen` command (run with the binary built from `codegen/`), the dependency lines
/// and `src/main.rs` are the README's blocks. The generated crate must hold no path; the program
/// must build. The runtime is not on crates.io yet, so the project's `[patch.crates-io]` stands
/// in for it, the one line the README does not give.
fn walkthrough(root: &Path, model: &Path, target: &Path) -> Result<(), String> {
    let readme = fs::read_to_string(root.join("README.md"))
        .map_err(|e| format!("cannot read README.md: {e}"))?;
    let project = target.join("walkthrough");
    let write = |path: &str, text: &str| -> Result<(), String> {
        let full = project.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("creating {}: {e}", parent.display()))?;
        }
        if fs::read_to_string(&full).ok().as_deref() != Some(text) {
            fs::write(&full, text).map_err(|e| format!("writing {}: {e}", full.display()))?;
        }
        Ok(())
    };
    copy(model, &project.join("my-lambda/lambda.json"))?;
    write(
        "my-lambda/lambda.operations",
        &readme_block(&readme, "my-lambda/lambda.operations")?,
    )?;
    let runtime = cli::relative_path(&project, &root.join("runtime"))?;
    write(
        "Cargo.toml",
        &format!(
            "[package]\nname = \"my-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n{}\n\
             # Not in the README: lambda-sdk-runtime is not on crates.io yet.\n\
             [patch.crates-io]\nlambda-sdk-runtime = {{ path = {runtime:?} }}\n",
            readme_block(&readme, "Cargo.toml")?
        ),
    )?;
    write("src/main.rs", &readme_block(&readme, "src/main.rs")?)?;
    copy(&root.join("Cargo.lock"), &project.join("Cargo.lock"))?;

    let commands = readme_block(&readme, "generate")?;
    let mut ran = 0;
    for line in commands.lines().filter(|l| !l.trim().is_empty()) {
        let mut words = line.split_whitespace();
        if words.next() != Some("lambda-sdk-codegen") {
            return Err(format!(
                "README.md's walkthrough command is not a lambda-sdk-codegen call: {line:?}"
            ));
        }
        let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        command
            .args([
                "run",
                "--quiet",
                "--offline",
                "-p",
                "lambda-sdk-codegen",
                "--manifest-path",
            ])
            .arg(root.join("Cargo.toml"))
            .arg("--")
            .args(words)
            .current_dir(&project);
        let status = command
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!("the README's command `{line}` failed ({status})"));
        }
        ran += 1;
    }
    if ran == 0 {
        return Err("README.md's walkthrough has no lambda-sdk-codegen command".into());
    }
    let manifest = fs::read_to_string(project.join("my-lambda/sdk/Cargo.toml"))
        .map_err(|e| format!("the walkthrough generated no crate: {e}"))?;
    if let Some(line) = manifest
        .lines()
        .find(|l| l.contains("path =") || l.contains("path="))
    {
        return Err(format!(
            "the walkthrough's crate names a path, so it builds only here: {line}"
        ));
    }
    cargo(&project, target, &["build", "--offline"], &[])?;
    println!("whole-lambda: the README walkthrough builds as written");
    Ok(())
}

/// The fenced block that follows `<!-- walkthrough: NAME -->` in the README, unindented.
fn readme_block(readme: &str, name: &str) -> Result<String, String> {
    let marker = format!("<!-- walkthrough: {name} -->");
    let after = readme
        .split_once(&marker)
        .map(|(_, after)| after)
        .ok_or_else(|| format!("README.md has no `{marker}`"))?;
    let mut lines = after.lines().skip_while(|l| l.trim().is_empty());
    let fence = lines
        .next()
        .filter(|l| l.trim_start().starts_with("```"))
        .ok_or_else(|| format!("README.md: no code block after `{marker}`"))?;
    let indent = fence.len() - fence.trim_start().len();
    let mut block = String::new();
    for line in lines {
        if line.trim_start().starts_with("```") {
            return Ok(block);
        }
        block.push_str(line.get(indent..).unwrap_or(line.trim_start()));
        block.push('\n');
    }
    Err(format!(
        "README.md: the block after `{marker}` is not closed"
    ))
}
