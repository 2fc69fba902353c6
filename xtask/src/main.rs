//! Project automation. `cargo xtask codegen [--check] [--model PATH --out DIR]` regenerates the
//! SDK crate; `cargo xtask test` runs every check the project has.
#![forbid(unsafe_code)]

mod codegen;
mod conformance;
mod protocol;
mod test;
mod whole;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  cargo xtask codegen [--check] [--model PATH --out DIR [--runtime-path DIR]] [--operations A,B,...]
      Regenerate generated/ from model/lambda.json (or a standalone crate for any model into DIR,
      which depends on lambda-sdk-runtime by version, and also by a path relative to DIR with
      --runtime-path, e.g. --runtime-path runtime for this checkout's).
      --check writes nothing and fails listing the files that differ.
  cargo xtask protocol-tests
      Generate and run the Smithy restJson1 protocol compliance tests.
  cargo xtask conformance [--suite S,..] [--only ID,..]
      Run AWS's durable-execution conformance suite against lambda-sdk-durable locally (the
      handler binary, the pinned emulator, ../shared/conformance/local_conformance.py --shim
      wire); prints per-suite counts and `conformance: N passed, M failed`.
  cargo xtask whole-lambda
      Generate AWS's whole Lambda model (85 operations; clippy and rustdoc clean) and an
      Invoke-only crate whose test calls Invoke against a local server.
  cargo xtask fuzz-smoke
      Build the cargo-fuzz targets of fuzz/ and run each for a few seconds from its seeds
      (needs cargo-fuzz; see fuzz/README.md).
  cargo xtask test
      The test command: codegen --check, rustfmt, clippy -D warnings (also with feature
      subsets), rustdoc -D warnings, cargo test --workspace, packaging, the protocol tests,
      whole-lambda, the durable conformance suite, the fuzz smoke.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => parse_codegen(&args[1..]).and_then(|opts| codegen::run(&opts)),
        Some("test") if args.len() == 1 => test::run(),
        Some("protocol-tests") if args.len() == 1 => protocol::run(),
        Some("whole-lambda") if args.len() == 1 => whole::run(),
        Some("conformance") => parse_conformance(&args[1..]).and_then(|a| conformance::run(&a)),
        Some("fuzz-smoke") if args.len() == 1 => test::fuzz_smoke(),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown or missing command\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_codegen(args: &[String]) -> Result<codegen::CodegenArgs, String> {
    let mut opts = codegen::CodegenArgs::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--check" => opts.check = true,
            "--model" => opts.model = Some(PathBuf::from(value("--model")?)),
            "--out" => opts.out = Some(PathBuf::from(value("--out")?)),
            "--runtime-path" => opts.runtime_path = Some(PathBuf::from(value("--runtime-path")?)),
            "--operations" => {
                opts.operations = Some(
                    value("--operations")?
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                )
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    if opts.model.is_some() != opts.out.is_some() {
        return Err(format!("--model and --out go together\n{USAGE}"));
    }
    Ok(opts)
}

fn parse_conformance(args: &[String]) -> Result<conformance::ConformanceArgs, String> {
    let mut parsed = conformance::ConformanceArgs::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let list = |value: Option<&String>, name: &str| -> Result<Vec<String>, String> {
            let value = value.ok_or_else(|| format!("{name} needs a value\n{USAGE}"))?;
            Ok(value
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect())
        };
        match arg.as_str() {
            "--suite" => parsed.suites = Some(list(it.next(), "--suite")?),
            "--only" => parsed.only = Some(list(it.next(), "--only")?),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(parsed)
}

/// The repository root.
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// How a crate generated under `dir` (in `target/`) depends on this checkout's runtime: by
/// version, and by the path from `dir`, as `--runtime-path runtime` writes it.
pub fn local_runtime(
    dir: &std::path::Path,
) -> Result<lambda_sdk_codegen::RuntimeDependency, String> {
    Ok(lambda_sdk_codegen::RuntimeDependency::Path {
        path: lambda_sdk_codegen::cli::relative_path(dir, &root().join("runtime"))?,
        version: lambda_sdk_codegen::RUNTIME_VERSION.to_string(),
    })
}

/// The manifest additions of the test crates generated under `dir` (in `target/`, which this
/// workspace excludes): their `[dev-dependencies]`, the protocol-test support crate (by its path
/// from `dir`) and tokio with `features`.
pub fn dev_dependencies(dir: &std::path::Path, features: &[&str]) -> Result<String, String> {
    let support =
        lambda_sdk_codegen::cli::relative_path(dir, &root().join("tests/protocol-support"))?;
    let features: Vec<String> = features.iter().map(|f| format!("{f:?}")).collect();
    Ok(format!(
        "[dev-dependencies]\nprotocol-test-support = {{ path = {support:?} }}\ntokio = {{ version = \"1\", default-features = false, features = [{}] }}\n",
        features.join(", ")
    ))
}
