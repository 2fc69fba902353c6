//! Compiles every fixture's generated crate, with its `testing` and `stream` features: clippy with `-D warnings`, rustdoc with `-D warnings`, and the doctests (there should be none: docs must not turn into code).
//!
//! Layout, under the workspace's target directory (`$CARGO_TARGET_DIR`, else the directory
//! holding this test binary's `CACHEDIR.TAG`, else `<repo>/target`):
//!
//! ```text
//! codegen-fixtures/
//!   Cargo.toml        a workspace of its own, whose members are the fixture crates
//!   Cargo.lock        copied from the repository, so dependency versions match
//!   <fixture>/        one crate per fixture, named `fixture-<fixture>`
//!   target/           the fixtures' CARGO_TARGET_DIR, kept between runs (incremental)
//! ```
//!
//! The crates are generated with `RuntimeDependency::Path` (the runtime by relative path). That
//! mode gives a crate no `[workspace]` table, so all the fixtures join one workspace here and
//! share one lock file and one build of the runtime. Files are only
//! rewritten when their content changes, so a re-run recompiles only what changed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use lambda_sdk_codegen::{Model, Options, RuntimeDependency, generate};

/// One cargo command run in the fixture workspace: what it checks, its arguments, and an
/// environment variable it needs.
type Step = (
    &'static str,
    &'static [&'static str],
    Option<(&'static str, &'static str)>,
);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ has a parent")
        .to_path_buf()
}

/// The workspace's target directory.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.is_absolute() {
            dir
        } else {
            repo_root().join(dir)
        };
    }
    // The test binary lives in `<target>/[<triple>/]<profile>/deps/`; cargo marks `<target>`
    // with a CACHEDIR.TAG.
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1) {
            if dir.join("CACHEDIR.TAG").is_file() {
                return dir.to_path_buf();
            }
        }
    }
    repo_root().join("target")
}

/// Writes `contents` to `path` unless it already holds exactly that, creating parents.
fn write_if_changed(path: &Path, contents: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Deletes files under `dir` that are not in `keep` (stale output of an older generator).
fn remove_stale(dir: &Path, keep: &BTreeSet<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            remove_stale(&path, keep);
            if std::fs::read_dir(&path).unwrap().next().is_none() {
                std::fs::remove_dir(&path).unwrap();
            }
        } else if !keep.contains(&path) {
            std::fs::remove_file(&path).unwrap();
        }
    }
}

/// The fixtures: `(name, JSON)`, sorted by name.
fn fixtures() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        out.push((name, std::fs::read_to_string(&path).unwrap()));
    }
    out.sort();
    out
}

#[test]
fn fixtures_compile_with_clippy() {
    let root = target_dir().join("codegen-fixtures");
    let runtime = repo_root().join("runtime");
    let runtime = runtime.canonicalize().unwrap_or(runtime);
    let fixtures = fixtures();
    assert!(!fixtures.is_empty(), "no fixtures found");

    let mut members = Vec::new();
    let mut keep_dirs = BTreeSet::from([root.join("target")]);
    for (name, json) in &fixtures {
        let dir = root.join(name);
        let options = Options {
            crate_name: format!("fixture-{}", name.replace('_', "-")),
            runtime: RuntimeDependency::Path {
                path: lambda_sdk_codegen::cli::relative_path(&dir, &runtime).unwrap(),
                version: lambda_sdk_codegen::RUNTIME_VERSION.into(),
            },
            source_name: format!("codegen/tests/fixtures/{name}.json"),
            ..Options::default()
        };
        let model = Model::from_json(json).unwrap_or_else(|e| panic!("{name}: {e}"));
        let files = generate(&model, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut keep = BTreeSet::new();
        for (path, text) in &files {
            let full = dir.join(path);
            if path == Path::new("Cargo.toml") {
                // A standalone crate joins the workspace around it: here, the fixtures'.
                assert!(
                    !text.contains("[workspace]"),
                    "{name}: a standalone crate has no [workspace] table"
                );
            }
            write_if_changed(&full, text);
            keep.insert(full);
        }
        remove_stale(&dir, &keep);
        members.push(format!("    {:?},\n", name));
        keep_dirs.insert(dir);
    }
    // Fixtures that were removed or parked as `.json.pending`.
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && !keep_dirs.contains(&path) {
            std::fs::remove_dir_all(&path).unwrap();
        }
    }
    let manifest = format!(
        "# Written by codegen/tests/compile.rs: every fixture crate, in one workspace.\n\
         [workspace]\nresolver = \"3\"\nmembers = [\n{}]\n",
        members.concat()
    );
    write_if_changed(&root.join("Cargo.toml"), &manifest);
    let lock = std::fs::read_to_string(repo_root().join("Cargo.lock")).unwrap();
    write_if_changed(&root.join("Cargo.lock"), &lock);

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // One cargo at a time, in order: clippy on every target, then rustdoc (broken intra-doc
    // links, bad HTML), then the doctests (documentation must never turn into code).
    let steps: [Step; 3] = [
        (
            "clippy",
            &[
                "clippy",
                "--offline",
                "--keep-going",
                "--workspace",
                "--all-targets",
                "--features",
                "testing,stream",
                "--",
                "-D",
                "warnings",
            ],
            None,
        ),
        (
            "rustdoc",
            &[
                "doc",
                "--offline",
                "--keep-going",
                "--no-deps",
                "--workspace",
                "--features",
                "testing,stream",
            ],
            Some(("RUSTDOCFLAGS", "-D warnings")),
        ),
        (
            "doctests",
            &[
                "test",
                "--offline",
                "--doc",
                "--workspace",
                "--no-fail-fast",
            ],
            None,
        ),
    ];
    for (what, args, env) in steps {
        let started = Instant::now();
        let mut command = Command::new(&cargo);
        command
            .args(args)
            .current_dir(&root)
            .env("CARGO_TARGET_DIR", root.join("target"))
            .env_remove("RUSTFLAGS")
            .env_remove("RUSTDOCFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTDOCFLAGS");
        if let Some((key, value)) = env {
            command.env(key, value);
        }
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("cannot run {cargo}: {e}"));
        eprintln!(
            "{what} on {} fixture crates in {}: {:.1}s",
            fixtures.len(),
            root.display(),
            started.elapsed().as_secs_f64()
        );
        assert!(
            output.status.success(),
            "{what} failed on the generated fixture crates ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
    }
}
