//! `cargo xtask codegen`: runs the generator on this repository's model into `generated/`, or on
//! any model into any folder (the same as the `lambda-sdk-codegen` binary).

use std::collections::BTreeSet;
use std::path::PathBuf;

use lambda_sdk_codegen::cli::{self, Args, RuntimeChoice};

/// Parsed `codegen` arguments.
#[derive(Debug, Default)]
pub struct CodegenArgs {
    /// Compare instead of writing.
    pub check: bool,
    /// A model other than `model/lambda.json`.
    pub model: Option<PathBuf>,
    /// Where to write a standalone crate.
    pub out: Option<PathBuf>,
    /// Only these operations.
    pub operations: Option<BTreeSet<String>>,
    /// Depend on the runtime at this path too (standalone crates only).
    pub runtime_path: Option<PathBuf>,
}

/// The arguments of this repository's own crate: `model/lambda.json` into `generated/`, a
/// member of the workspace.
pub fn own_crate(check: bool, operations: Option<BTreeSet<String>>) -> Args {
    let root = crate::root();
    Args {
        model: root.join("model/lambda.json"),
        out: root.join("generated"),
        check,
        operations,
        crate_name: None,
        runtime: RuntimeChoice::Workspace,
        source_name: Some("model/lambda.json".into()),
    }
}

pub fn run(args: &CodegenArgs) -> Result<(), String> {
    let args = match (&args.model, &args.out) {
        (Some(model), Some(out)) => Args {
            model: model.clone(),
            out: out.clone(),
            check: args.check,
            operations: args.operations.clone(),
            crate_name: None,
            runtime: match &args.runtime_path {
                Some(path) => RuntimeChoice::Path(path.clone()),
                None => RuntimeChoice::Version,
            },
            source_name: None,
        },
        _ if args.runtime_path.is_some() => {
            return Err(
                "--runtime-path is for a standalone crate (--model PATH --out DIR); generated/ \
                 is a member of this workspace"
                    .into(),
            );
        }
        _ => {
            let own = own_crate(args.check, args.operations.clone());
            println!("{}", cli::run(&own)?);
            println!("{}", partitions(args.check)?);
            return Ok(());
        }
    };
    println!("{}", cli::run(&args)?);
    Ok(())
}

/// Where the runtime's partition data comes from, as the generated file's header names it.
const PARTITIONS_SOURCE: &str = "../shared/models/partitions.json";
/// The runtime's generated partition data.
const PARTITIONS_FILE: &str = "runtime/src/partitions.rs";

/// `runtime/src/partitions.rs` from botocore's `partitions.json` in `../shared`: written, or
/// with `check` compared (never written). Skipped, saying why, when `../shared` is absent;
/// an error instead under `CI=true`. Returns a one-line summary.
pub fn partitions(check: bool) -> Result<String, String> {
    let root = crate::root();
    let source = root.join(PARTITIONS_SOURCE);
    let target = root.join(PARTITIONS_FILE);
    let json = match std::fs::read_to_string(&source) {
        Ok(json) => json,
        Err(e) => {
            let why = format!("{} cannot be read ({e})", source.display());
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                return Err(format!("CI=true and {why}"));
            }
            return Ok(format!("{PARTITIONS_FILE}: skipped: {why}"));
        }
    };
    let text = lambda_sdk_codegen::partitions::partitions_rs(&json, PARTITIONS_SOURCE)
        .map_err(|e| e.to_string())?;
    let current = std::fs::read_to_string(&target).ok();
    if current.as_deref() == Some(text.as_str()) {
        return Ok(format!("{PARTITIONS_FILE}: up to date"));
    }
    if check {
        return Err(format!(
            "{PARTITIONS_FILE} is not what {PARTITIONS_SOURCE} gives: run `cargo xtask codegen`"
        ));
    }
    if let Some(current) = &current
        && !current.contains(lambda_sdk_codegen::MARKER)
    {
        return Err(format!(
            "{PARTITIONS_FILE} has no `{}` header: it is not overwritten",
            lambda_sdk_codegen::MARKER
        ));
    }
    std::fs::write(&target, text).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    Ok(format!(
        "{PARTITIONS_FILE}: written from {PARTITIONS_SOURCE}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_sdk_codegen::Options;

    fn own_files() -> lambda_sdk_codegen::Files {
        let root = crate::root();
        let args = own_crate(false, None);
        let (manifest_extra, manifest_extra_source) = cli::manifest_extra(&args.model).unwrap();
        let options = Options {
            manifest_extra,
            manifest_extra_source,
            ..Options::default()
        };
        cli::generate_from(&root.join("model/lambda.json"), &options).unwrap()
    }

    /// The checked-in `generated/` must be exactly what the generator makes from the model.
    #[test]
    fn generated_is_fresh() {
        let out = crate::root().join("generated");
        let files = own_files();
        let changes = cli::diff(&out, &files).unwrap();
        assert!(
            changes.is_empty(),
            "{}",
            cli::describe_stale(&out, &files, &changes)
        );
    }

    /// The runtime's partition data is what the generator makes from `../shared` (skipped,
    /// saying why, when `../shared` is absent; a failure under `CI=true`).
    #[test]
    fn partitions_are_fresh() {
        let summary = partitions(true).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            summary.ends_with("up to date") || summary.contains("skipped"),
            "{summary}"
        );
    }

    /// Files stay small enough to read: none over 1,500 lines.
    #[test]
    fn generated_files_are_small() {
        for (path, text) in &own_files() {
            let lines = text.lines().count();
            assert!(lines <= 1500, "{} has {lines} lines", path.display());
        }
    }

    #[test]
    fn two_runs_give_identical_bytes() {
        let a = own_files();
        let b = own_files();
        assert_eq!(a, b);
        for (path, text) in &a {
            if path.extension().is_some_and(|e| e == "rs") {
                assert!(
                    text.starts_with("// @generated"),
                    "{} lacks the header",
                    path.display()
                );
            }
        }
    }

    /// The version a standalone crate depends on is the runtime's own.
    #[test]
    fn runtime_version_matches_the_runtime_crate() {
        let manifest = std::fs::read_to_string(crate::root().join("runtime/Cargo.toml")).unwrap();
        let version = manifest
            .lines()
            .find_map(|l| l.strip_prefix("version = "))
            .unwrap()
            .trim_matches('"');
        assert_eq!(version, lambda_sdk_codegen::RUNTIME_VERSION);
    }
}
