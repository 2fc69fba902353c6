//! The generated crate's `Cargo.toml` (TOML text, not Rust).

use crate::ir;
use crate::{Error, Options, RuntimeDependency};

/// Renders `Cargo.toml`.
///
/// # Errors
/// When an operation's feature has the name of one of the crate's own features (`default`,
/// [one that is off by default](OFF_BY_DEFAULT) or a [runtime feature](RUNTIME_FEATURES)), such
/// as an operation named `Proxy`.
pub fn cargo_toml(krate: &ir::Crate, options: &Options) -> Result<String, Error> {
    for op in &krate.operations {
        let own = ["default"]
            .into_iter()
            .chain(OFF_BY_DEFAULT.iter().map(|f| f.name))
            .chain(RUNTIME_FEATURES.iter().map(|f| f.name));
        if let Some(name) = own.into_iter().find(|name| *name == op.feature) {
            return Err(Error::shape(
                &op.shape_id,
                format!(
                    "the operation's cargo feature would be `{name}`, which is already a feature \
                     of the generated crate; rename the operation in the model or leave it out \
                     with --operations"
                ),
            ));
        }
    }
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
    Ok(out)
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

/// A cargo feature of the generated crate that is off by default and turns on the runtime's
/// feature of the same name.
pub(crate) struct OffByDefault {
    /// The feature's name, the same in both crates.
    pub(crate) name: &'static str,
    /// What it does, one line (the manifest comment and the crate docs).
    pub(crate) comment: &'static str,
}

/// The generated crate's features that are off by default.
pub(crate) const OFF_BY_DEFAULT: [OffByDefault; 3] = [
    OffByDefault {
        name: "http2",
        comment: "HTTP/2 (negotiated by ALPN over TLS); HTTP/1.1 is the default.",
    },
    OffByDefault {
        name: "stream",
        comment: "Paginators also implement `futures_core::Stream`.",
    },
    OffByDefault {
        name: "testing",
        comment: "`testing::Mock` and `Client::from_mock`: typed canned answers for tests of code that calls this crate.",
    },
];

/// A cargo feature of the runtime that the generated crate passes through, on by default.
pub(crate) struct RuntimeFeature {
    /// The feature's name, the same in both crates.
    pub(crate) name: &'static str,
    /// Other features of the generated crate it turns on.
    pub(crate) implies: &'static [&'static str],
    /// What it compiles in, one line (the manifest comment, the crate docs and README).
    pub(crate) about: &'static str,
}

/// The runtime's optional parts (`runtime/Cargo.toml`), passed through and on by default. An
/// operation whose feature has one of these names is refused by the generator.
pub(crate) const RUNTIME_FEATURES: [RuntimeFeature; 7] = [
    RuntimeFeature {
        name: "profile",
        implies: &[],
        about: "the shared config and credentials files (`~/.aws/config`, `AWS_PROFILE`): keys and region.",
    },
    RuntimeFeature {
        name: "credential-process",
        implies: &["profile"],
        about: "`credential_process` in a profile (a command that prints credentials).",
    },
    RuntimeFeature {
        name: "container-credentials",
        implies: &[],
        about: "ECS and EKS Pod Identity (`AWS_CONTAINER_CREDENTIALS_*_URI`).",
    },
    RuntimeFeature {
        name: "imds",
        implies: &[],
        about: "the EC2 instance profile and, when nothing sets one, the region, from instance metadata (IMDSv2).",
    },
    RuntimeFeature {
        name: "sts",
        implies: &[],
        about: "roles through AWS STS: web identity (EKS IRSA) and assume-role profiles (`role_arn`).",
    },
    RuntimeFeature {
        name: "sso",
        implies: &["profile"],
        about: "IAM Identity Center profiles (`sso_session`), from the token `aws sso login` caches.",
    },
    RuntimeFeature {
        name: "proxy",
        implies: &[],
        about: "`HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` and `ConfigBuilder::proxy` (CONNECT tunnels).",
    },
];

/// The manifest's comment before [`RUNTIME_FEATURES`], one line each; each feature's line
/// (`name: about`) follows.
pub(crate) const RUNTIME_FEATURES_COMMENT: [&str; 4] = [
    "The runtime's optional parts, on by default. A program that reads its credentials from",
    "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (as on AWS Lambda) needs",
    "none of them. Left out, a source is named in the \"no credentials found\" error with its",
    "feature, and a variable that asks for it (AWS_PROFILE, HTTPS_PROXY, ...) is an error.",
];

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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::{OFF_BY_DEFAULT, RUNTIME_FEATURES};

    fn read(relative: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The runtime's features are written in one list here ([`RUNTIME_FEATURES`] and
    /// [`OFF_BY_DEFAULT`], from which the generated manifest, crate docs and README are made);
    /// the runtime's own manifest, its crate docs' table and the repository README must name the
    /// same features, the same defaults and the same implications.
    #[test]
    fn the_runtime_feature_lists_agree() {
        let manifest = read("runtime/Cargo.toml");
        let section = manifest
            .split("[features]")
            .nth(1)
            .and_then(|rest| rest.split("\n[").next())
            .expect("runtime/Cargo.toml has a [features] table");
        let features: Vec<(&str, &str)> = section
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(" = "))
            .collect();
        let names: BTreeSet<&str> = features.iter().map(|(name, _)| *name).collect();
        let expected: BTreeSet<&str> = RUNTIME_FEATURES
            .iter()
            .map(|f| f.name)
            .chain(OFF_BY_DEFAULT.iter().map(|f| f.name))
            .chain(["default"])
            .collect();
        assert_eq!(names, expected, "runtime/Cargo.toml [features]");
        let default = features
            .iter()
            .find(|(name, _)| *name == "default")
            .map(|(_, list)| *list)
            .unwrap_or_default();
        for f in RUNTIME_FEATURES {
            assert!(
                default.contains(&format!("\"{}\"", f.name)),
                "`{}` is on by default",
                f.name
            );
            let enables = features
                .iter()
                .find(|(name, _)| *name == f.name)
                .map(|(_, list)| *list)
                .unwrap_or_default();
            for implied in f.implies {
                assert!(
                    enables.contains(&format!("\"{implied}\"")),
                    "runtime `{}` turns on `{implied}` too",
                    f.name
                );
            }
        }
        for f in OFF_BY_DEFAULT {
            assert!(
                !default.contains(&format!("\"{}\"", f.name)),
                "`{}` is off",
                f.name
            );
        }
        let docs = read("runtime/src/lib.rs");
        let readme = read("README.md");
        for name in RUNTIME_FEATURES
            .iter()
            .map(|f| f.name)
            .chain(OFF_BY_DEFAULT.iter().map(|f| f.name))
        {
            assert!(
                docs.contains(&format!("//! | `{name}`")),
                "runtime/src/lib.rs's feature table has a row for `{name}`"
            );
        }
        for f in RUNTIME_FEATURES {
            assert!(
                readme.contains(&format!("\n| `{}`", f.name)),
                "README.md's feature table has a row for `{}`",
                f.name
            );
        }
    }
}
