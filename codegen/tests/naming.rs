//! One snapshot of every name decision (`naming_table`) over the full official Lambda model,
//! `<repo>/../shared/models/lambda.smithy.json`. When the file is absent the test says why and
//! passes, except under `CI=true`, where it fails.

use std::path::{Path, PathBuf};

use lambda_sdk_codegen::{Model, Options, naming_table};

fn official_model() -> Option<String> {
    let path: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models/lambda.smithy.json");
    match std::fs::read_to_string(&path) {
        Ok(json) => Some(json),
        Err(e) => {
            let why = format!(
                "the official Lambda model {} is unreadable: {e}",
                path.display()
            );
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
            eprintln!("skipped: {why}");
            None
        }
    }
}

#[test]
fn lambda_naming_table() {
    let Some(json) = official_model() else {
        return;
    };
    let model = Model::from_json(&json).unwrap();
    let table = naming_table(&model, &Options::default()).unwrap();
    insta::assert_snapshot!(table.join("\n"));
}
