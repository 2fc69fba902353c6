//! `lambda-sdk-codegen`: a pure library that turns a Smithy 2.0 JSON AST into the source of a
//! Rust SDK crate. It reads no files and writes none; `cargo xtask codegen` does the I/O.
//!
//! Three stages, each in its own module:
//! 1. [`smithy`]: parse the JSON AST into typed structs (apply, mixins and prelude resolved);
//! 2. [`lower`] builds the [`ir`], deciding every Rust name once through [`naming`];
//! 3. `emit` turns the IR into token streams with `quote!`, formatted by prettyplease.
//!
//! ```
//! use lambda_sdk_codegen::{generate, Model, Options};
//! let json = r#"{"smithy": "2.0", "shapes": {
//!   "ex#Svc": {"type": "service", "version": "1", "operations": [{"target": "ex#Ping"}],
//!              "traits": {"aws.protocols#restJson1": {}, "aws.auth#sigv4": {"name": "svc"}}},
//!   "ex#Ping": {"type": "operation", "traits": {"smithy.api#http": {"method": "GET", "uri": "/ping"}}}
//! }}"#;
//! let files = generate(&Model::from_json(json)?, &Options::default())?;
//! assert!(files.contains_key(std::path::Path::new("src/lib.rs")));
//! # Ok::<(), lambda_sdk_codegen::Error>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

mod docs;
mod emit;
pub mod endpoint_rules;
mod error;
pub mod ir;
pub mod lower;
pub mod naming;
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
    /// A standalone crate (with its own `[workspace]` table) using the runtime at this path.
    Path(String),
}

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
