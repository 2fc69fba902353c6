//! The generated crate's `Cargo.toml` (TOML text, not Rust).

use crate::features::{OFF_BY_DEFAULT, RUNTIME_FEATURES, RUNTIME_FEATURES_COMMENT};
use crate::ir;
use crate::{Options, RuntimeDependency};

/// Renders `Cargo.toml`. Lowering has refused an operation whose feature would be one of the
/// crate's own ([`crate::features::reserved`]).
pub fn cargo_toml(krate: &ir::Crate, options: &Options) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# {} from {}. Do not edit: changes are overwritten.\n",
        crate::render::MARKER,
        options.source_name
    ));
    out.push_str("[package]\n");
    out.push_str(&format!("name = {}\n", toml_str(&options.crate_name)));
    out.push_str(&format!("version = {}\n", toml_str(&options.crate_version)));
    out.push_str("edition = \"2024\"\n");
    out.push_str("rust-version = \"1.88\"\n");
    out.push_str(&format!(
        "description = {}\n",
        toml_str(&format!(
            "Rust SDK for {} (API version {}), generated from its Smithy model.",
            krate.service.sdk_id, krate.service.version
        ))
    ));
    out.push_str("license = \"Apache-2.0\"\n");
    out.push_str("readme = \"README.md\"\n");
    out.push_str(&format!(
        "keywords = [{}]\n",
        keywords(&krate.service.sdk_id).join(", ")
    ));
    out.push_str(
        "categories = [\"api-bindings\", \"web-programming::http-client\", \"asynchronous\"]\n",
    );
    match &options.runtime {
        // This repository's own crate is published from it.
        RuntimeDependency::Workspace => {
            out.push_str("repository.workspace = true\nhomepage.workspace = true\n\n");
        }
        // A crate generated for someone else's model is theirs to publish, under a name of
        // their choosing: not by accident as this one.
        RuntimeDependency::Version(_) | RuntimeDependency::Path { .. } => {
            out.push_str("publish = false\n\n");
        }
    }
    out.push_str("[features]\n");
    out.push_str(
        "# Every operation is a feature, all on by default: with default-features = false and a\n",
    );
    out.push_str(
        "# list of operations, only those operations and the types they use are compiled.\n",
    );
    out.push_str(
        "# The runtime's optional parts (below) are on by default too; list those you need.\n",
    );
    let features: Vec<String> = krate
        .operations
        .iter()
        .map(|op| op.feature.as_str())
        .chain(RUNTIME_FEATURES.iter().map(|f| f.name))
        .map(toml_str)
        .collect();
    out.push_str(&format!("default = [{}]\n", features.join(", ")));
    for op in &krate.operations {
        out.push_str(&format!("{} = []\n", op.feature));
    }
    for feature in OFF_BY_DEFAULT {
        out.push_str(&format!("# {}\n", feature.comment));
        out.push_str(&format!(
            "{} = [\"lambda-sdk-runtime/{}\"]\n",
            feature.name, feature.name
        ));
    }
    for line in RUNTIME_FEATURES_COMMENT {
        out.push_str(&format!("# {line}\n"));
    }
    for feature in RUNTIME_FEATURES {
        out.push_str(&format!("# {}: {}\n", feature.name, feature.about));
    }
    for feature in RUNTIME_FEATURES {
        let enables: Vec<String> = feature
            .implies
            .iter()
            .map(|f| f.to_string())
            .chain([format!("lambda-sdk-runtime/{}", feature.name)])
            .map(|f| toml_str(&f))
            .collect();
        out.push_str(&format!("{} = [{}]\n", feature.name, enables.join(", ")));
    }
    out.push('\n');
    out.push_str("[dependencies]\n");
    out.push_str(
        "# The runtime's optional parts are on only through the features above, not its defaults.\n",
    );
    match &options.runtime {
        RuntimeDependency::Workspace => {
            out.push_str("lambda-sdk-runtime = { workspace = true, default-features = false }\n");
        }
        RuntimeDependency::Version(version) => {
            out.push_str(&format!(
                "lambda-sdk-runtime = {{ version = {}, default-features = false }}\n",
                toml_str(version)
            ));
        }
        RuntimeDependency::Path { path, version } => {
            out.push_str(&format!(
                "lambda-sdk-runtime = {{ version = {}, path = {}, default-features = false }}\n",
                toml_str(version),
                toml_str(path)
            ));
        }
    }
    if !options.manifest_extra.trim().is_empty() {
        out.push('\n');
        out.push_str(&format!(
            "# From {}, the manifest additions beside the model.\n",
            options.manifest_extra_source
        ));
        out.push_str(options.manifest_extra.trim_end());
        out.push('\n');
    }
    out.push('\n');
    match &options.runtime {
        RuntimeDependency::Workspace => out.push_str("[lints]\nworkspace = true\n"),
        RuntimeDependency::Version(_) | RuntimeDependency::Path { .. } => {
            // No `[workspace]` table: inside a workspace of the user's (as a path dependency in
            // its folder) the crate becomes one of its members.
            out.push_str("[lints.rust]\nunsafe_code = \"forbid\"\nmissing_docs = \"warn\"\n");
        }
    }
    out
}

/// The crate's keywords: the service's, then general ones (crates.io allows five).
fn keywords(sdk_id: &str) -> Vec<String> {
    let service: String = sdk_id
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let mut words = vec![service];
    for word in ["aws", "sdk", "smithy", "serverless"] {
        if words.len() < 5 && !words.iter().any(|w| w == word) {
            words.push(word.to_string());
        }
    }
    words
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| toml_str(w))
        .collect()
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
