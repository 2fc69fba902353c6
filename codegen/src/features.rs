//! The generated crate's own cargo features besides its operations: those off by default, and
//! the runtime's optional parts it passes through. This is the one list; the manifest, crate
//! docs and README are made from it, and tests check the runtime's manifest, docs and README
//! and xtask's feature sets against it.

/// Whether an operation's feature named `name` would clash with one of the crate's own
/// (`default`, one off by default, or a runtime feature), such as an operation named `Proxy`.
pub fn reserved(name: &str) -> bool {
    name == "default"
        || OFF_BY_DEFAULT.iter().any(|f| f.name == name)
        || RUNTIME_FEATURES.iter().any(|f| f.name == name)
}

/// A cargo feature of the generated crate that is off by default and turns on the runtime's
/// feature of the same name.
pub struct OffByDefault {
    /// The feature's name, the same in both crates.
    pub name: &'static str,
    /// What it does, one line (the manifest comment and the crate docs).
    pub comment: &'static str,
}

/// The generated crate's features that are off by default.
pub const OFF_BY_DEFAULT: [OffByDefault; 3] = [
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
pub struct RuntimeFeature {
    /// The feature's name, the same in both crates.
    pub name: &'static str,
    /// Other features of the generated crate it turns on.
    pub implies: &'static [&'static str],
    /// What it compiles in, one line (the manifest comment, the crate docs and README).
    pub about: &'static str,
}

/// The runtime's optional parts (`runtime/Cargo.toml`), passed through and on by default. An
/// operation whose feature has one of these names is refused by the generator.
pub const RUNTIME_FEATURES: [RuntimeFeature; 7] = [
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
pub const RUNTIME_FEATURES_COMMENT: [&str; 4] = [
    "The runtime's optional parts, on by default. A program that reads its credentials from",
    "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (as on AWS Lambda) needs",
    "none of them. Left out, a source is named in the \"no credentials found\" error with its",
    "feature, and a variable that asks for it (AWS_PROFILE, HTTPS_PROXY, ...) is an error.",
];

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
