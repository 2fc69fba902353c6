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
        _ => own_crate(args.check, args.operations.clone()),
    };
    println!("{}", cli::run(&args)?);
    Ok(())
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
