#![doc = include_str!("../README.md")]
//!
//! The stages, each in its own module: [`smithy`] parses the JSON AST into typed structs (apply,
//! mixins and prelude resolved); [`lower`] builds the [`ir`], deciding every Rust name once
//! through [`naming`]; `emit` turns the IR into token streams with `quote!`, formatted by
//! prettyplease. [`generate`] reads no files and writes none; [`cli`] does the I/O around it.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

pub mod cli;
mod docs;
mod emit;
pub mod endpoint_rules;
mod error;
mod features;
pub mod ir;
pub mod lower;
pub mod naming;
pub mod partitions;
pub mod protocol_tests;
mod render;
pub mod smithy;
mod traits;

pub use error::Error;
pub use smithy::Model;

/// The generated files: path relative to the crate root → contents. Sorted, so iteration order
/// (and therefore everything derived from it) is deterministic.
pub type Files = BTreeMap<PathBuf, String>;

/// How the generated crate depends on the runtime crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuntimeDependency {
    /// A member of this repository's workspace: `lambda-sdk-runtime.workspace = true`.
    Workspace,
    /// A standalone crate (with no `[workspace]` table, so that it joins the user's workspace)
    /// using the runtime from crates.io at this version requirement.
    Version(String),
    /// A standalone crate using the runtime at `path` (relative to the crate's folder), with
    /// `version` for when it is published.
    Path {
        /// The runtime crate's folder, relative to the generated crate's.
        path: String,
        /// The version requirement.
        version: String,
    },
}

/// The version of `lambda-sdk-runtime` this generator writes code for, and that a standalone
/// crate depends on by default.
pub const RUNTIME_VERSION: &str = "0.1.0";

/// The marker at the top of every generated file.
pub use render::MARKER;

/// What to generate and how to name it.
#[derive(Clone, Debug)]
pub struct Options {
    /// The package name of the generated crate.
    pub crate_name: String,
    /// The package version of the generated crate.
    pub crate_version: String,
    /// The service shape to generate; required only when the model has several.
    pub service: Option<String>,
    /// Operations to include, by Smithy name; `None` means all of the service's operations.
    pub operations: Option<BTreeSet<String>>,
    /// How the crate reaches the runtime.
    pub runtime: RuntimeDependency,
    /// The model's name as the `@generated` header shows it, e.g. `model/lambda.json`.
    pub source_name: String,
    /// TOML appended to the generated `Cargo.toml` as it is (dev-dependencies and examples of
    /// the crate), from a file beside the model; empty for none.
    pub manifest_extra: String,
    /// The name of the file `manifest_extra` came from, for the manifest's comment.
    pub manifest_extra_source: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            crate_name: "lambda-sdk".into(),
            crate_version: "0.1.0".into(),
            service: None,
            operations: None,
            runtime: RuntimeDependency::Workspace,
            source_name: "model/lambda.json".into(),
            manifest_extra: String::new(),
            manifest_extra_source: String::new(),
        }
    }
}

/// Generates the complete crate (including its `Cargo.toml`) for the model's service.
pub fn generate(model: &Model, options: &Options) -> Result<Files, Error> {
    let krate = lower::lower(model, options)?;
    emit::emit(&krate, options)
}

/// Lowers the model and lists every name decision: `shape id -> Rust name` for shapes and
/// `member id -> field (wire name)` for members. The naming snapshot test is built from this.
pub fn naming_table(model: &Model, options: &Options) -> Result<Vec<String>, Error> {
    let krate = lower::lower(model, options)?;
    Ok(emit::naming_table(&krate))
}
