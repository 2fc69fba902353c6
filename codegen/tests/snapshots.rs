//! One insta snapshot per fixture model in `tests/fixtures/*.json`: the whole generated crate
//! as one text, files in path order, each introduced by a `===== path =====` line.
//!
//! A fixture whose output is known to be wrong is parked as `*.json.pending` (outside the glob)
//! until the generator is fixed, rather than accepting a wrong snapshot.
//!
//! Review a change with `cargo insta review`, or `INSTA_UPDATE=always cargo test -p
//! lambda-sdk-codegen --test snapshots` and `git diff` on `tests/snapshots/`.

use std::fmt::Write as _;
use std::path::Path;

use lambda_sdk_codegen::{Files, MARKER, Model, Options, RuntimeDependency, generate};

/// The options every fixture is generated with: the fixture's name in the crate name and the
/// `@generated` header, and the runtime as a workspace dependency (the mode the real crate uses;
/// `tests/compile.rs` covers the standalone `Path` mode).
fn options(name: &str) -> Options {
    Options {
        crate_name: format!("fixture-{}", name.replace('_', "-")),
        crate_version: "0.1.0".into(),
        service: None,
        operations: None,
        runtime: RuntimeDependency::Workspace,
        source_name: format!("codegen/tests/fixtures/{name}.json"),
        manifest_extra: String::new(),
        manifest_extra_source: String::new(),
    }
}

/// The whole crate as one text.
fn render(files: &Files) -> String {
    let mut out = String::new();
    for (path, text) in files {
        // Paths use `/` on every platform, so snapshots do not depend on the host.
        let path = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        writeln!(out, "===== {path} =====").unwrap();
        out.push_str(text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

fn fixture_name(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .expect("fixture file name is UTF-8")
        .to_string()
}

#[test]
fn fixture_snapshots() {
    insta::glob!("fixtures/*.json", |path| {
        let name = fixture_name(path);
        let json = std::fs::read_to_string(path).unwrap();
        let model = Model::from_json(&json)
            .unwrap_or_else(|e| panic!("fixture {name} does not parse: {e}"));
        let files = generate(&model, &options(&name))
            .unwrap_or_else(|e| panic!("fixture {name} does not generate: {e}"));
        insta::assert_snapshot!(render(&files));
    });
}

/// Every fixture is a complete service, and every generated Rust file carries the header.
#[test]
fn fixtures_generate_a_crate_with_headers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        count += 1;
        let name = fixture_name(&path);
        let model = Model::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let files = generate(&model, &options(&name)).unwrap();
        for required in [
            "Cargo.toml",
            "README.md",
            "src/lib.rs",
            "src/types/mod.rs",
            "src/operation/mod.rs",
        ] {
            assert!(
                files.contains_key(Path::new(required)),
                "{name}: no {required}"
            );
        }
        for (path, text) in &files {
            let comment = match path.extension().and_then(|e| e.to_str()) {
                Some("rs") => "// ",
                Some("toml") => "# ",
                Some("md") => "<!-- ",
                _ => panic!("{name}: unexpected file {}", path.display()),
            };
            assert!(
                text.starts_with(&format!("{comment}{MARKER} from ")),
                "{name}: {} lacks the @generated header",
                path.display()
            );
        }
    }
    assert!(count >= 12, "expected at least 12 fixtures, found {count}");
}
