//! Stage 3: IR to files. One module per kind of item; this one plans the files.
//!
//! Emitters read names from the IR and never invent them. They emit fully qualified paths
//! (`::std::option::Option`) so that no model shape name can shadow a Rust one.

mod deserialize;
mod endpoint;
mod enumeration;
mod manifest;
mod modules;
mod operation;
mod readme;
mod serialize;
mod structure;
mod ty;
mod union;

use std::path::PathBuf;

use proc_macro2::TokenStream;

use crate::ir::{self, TypeDef};
use crate::render::{header, render};
use crate::{Error, Files, Options};

/// Emits every file of the crate. The emitters cannot fail: lowering checked every trait and
/// binding. Rendering can, only on an internal error (tokens that are not a Rust file).
pub fn emit(krate: &ir::Crate, options: &Options) -> Result<Files, Error> {
    let header = header(&options.source_name);
    let mut files = Files::new();
    let mut add = |path: String, tokens: TokenStream| -> Result<(), Error> {
        let text = render(&path, &header, tokens)?;
        files.insert(PathBuf::from(path), text);
        Ok(())
    };
    add("src/lib.rs".into(), modules::lib_rs(krate))?;
    add("src/client.rs".into(), modules::client_rs(krate, options))?;
    if let Some(rules) = &krate.service.endpoint_rules {
        add(
            "src/endpoint_resolver.rs".into(),
            endpoint::endpoint_resolver_rs(rules),
        )?;
    }
    add("src/config.rs".into(), modules::config_rs())?;
    add("src/error.rs".into(), modules::error_rs())?;
    add("src/paginators.rs".into(), modules::paginators_rs(krate))?;
    add("src/primitives.rs".into(), modules::primitives_rs())?;
    add("src/testing.rs".into(), modules::testing_rs(krate))?;
    add("src/types/mod.rs".into(), modules::types_mod(krate))?;
    add("src/operation/mod.rs".into(), modules::operation_mod(krate))?;
    for def in &krate.types {
        let tokens = match def {
            TypeDef::Structure(s) => structure::structure_file(s),
            TypeDef::Enum(e) => enumeration::enum_file(e),
            TypeDef::Union(u) => union::union_file(u),
        };
        add(format!("src/types/{}.rs", def.module()), tokens)?;
    }
    for op in &krate.operations {
        let (module, request, response) = structure::operation_files(op);
        add(format!("src/operation/{}/mod.rs", op.module), module)?;
        add(format!("src/operation/{}/request.rs", op.module), request)?;
        add(format!("src/operation/{}/response.rs", op.module), response)?;
        add(
            format!("src/operation/{}/error.rs", op.module),
            operation::error_file(op),
        )?;
        add(
            format!("src/operation/{}/call.rs", op.module),
            operation::call_file(op),
        )?;
    }
    files.insert(
        PathBuf::from("Cargo.toml"),
        manifest::cargo_toml(krate, options),
    );
    files.insert(PathBuf::from("README.md"), readme::readme(krate, options));
    Ok(files)
}

/// Every decided name, one line each, sorted: the naming snapshot's content.
pub fn naming_table(krate: &ir::Crate) -> Vec<String> {
    let mut lines = Vec::new();
    let structure = |s: &ir::Structure, lines: &mut Vec<String>| {
        lines.push(format!("{} -> {}", s.shape_id, s.rust_name));
        for m in &s.members {
            lines.push(format!(
                "{}${} -> {}.{} ({})",
                s.shape_id, m.name, s.rust_name, m.field, m.json_name
            ));
            if m.default.is_some() {
                lines.push(format!(
                    "{}${} default -> {}::{} / {}",
                    s.shape_id, m.name, s.rust_name, m.default_fn, m.serialize_or_default_fn
                ));
            }
        }
    };
    for op in &krate.operations {
        lines.push(format!(
            "{} -> {}::{} / {} / {}",
            op.shape_id, op.module, op.method, op.input.rust_name, op.output.rust_name
        ));
        lines.push(format!("{} mock -> testing::{}", op.shape_id, op.mock_name));
        if let Some(p) = &op.paginated {
            lines.push(format!(
                "{} pages -> {} / paginators::{} / paginators::{}",
                op.shape_id, p.method, p.paginator_name, p.pages_name
            ));
        }
        structure(&op.input, &mut lines);
        structure(&op.output, &mut lines);
    }
    if let Some(rules) = &krate.service.endpoint_rules {
        for (name, var) in &rules.names {
            lines.push(format!(
                "{} endpoint rules `{name}` -> {var}",
                krate.service.shape_id
            ));
        }
    }
    for def in &krate.types {
        match def {
            TypeDef::Structure(s) => structure(s, &mut lines),
            TypeDef::Enum(e) => {
                lines.push(format!("{} -> {}", e.shape_id, e.rust_name));
                for v in &e.variants {
                    lines.push(format!(
                        "{} {:?} -> {}::{}",
                        e.shape_id, v.value, e.rust_name, v.ident
                    ));
                }
            }
            TypeDef::Union(u) => {
                lines.push(format!("{} -> {}", u.shape_id, u.rust_name));
                for v in &u.variants {
                    lines.push(format!(
                        "{}${} -> {}::{}",
                        u.shape_id, v.name, u.rust_name, v.ident
                    ));
                }
            }
        }
    }
    lines.sort();
    lines.dedup();
    lines
}

/// `#[doc = "..."]` attributes for a documentation string.
fn doc_attrs(docs: &str) -> TokenStream {
    let lines = docs.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote::quote! { #( #[doc = #lines] )* }
}

/// An identifier from an IR name, raw (`r#type`) where the IR made it raw.
fn ident(name: &str) -> proc_macro2::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => proc_macro2::Ident::new(name, proc_macro2::Span::call_site()),
    }
}

/// A path such as `::lambda_sdk_runtime::__private::float::f64::serialize` as tokens.
fn absolute_path(path: &str) -> TokenStream {
    let segments = path.split("::").filter(|s| !s.is_empty()).map(ident);
    quote::quote!(#(::#segments)*)
}

/// `#[cfg(any(feature = …))]` for an item only these operations' features need; nothing when
/// every operation needs it.
fn cfg_features(krate: &ir::Crate, features: &[String]) -> TokenStream {
    let mut features: Vec<&String> = features.iter().collect();
    features.sort();
    features.dedup();
    if features.len() >= krate.operations.len() {
        return quote::quote!();
    }
    match features.as_slice() {
        [one] => quote::quote!(#[cfg(feature = #one)]),
        many => quote::quote!(#[cfg(any(#(feature = #many),*))]),
    }
}

/// The `#[cfg]` of a shared type.
fn type_cfg(krate: &ir::Crate, def: &ir::TypeDef) -> TokenStream {
    match def.features() {
        [] => quote::quote!(),
        features => cfg_features(krate, features),
    }
}

/// The `#[cfg]` of an operation's items.
fn op_cfg(krate: &ir::Crate, op: &ir::Operation) -> TokenStream {
    cfg_features(krate, std::slice::from_ref(&op.feature))
}

/// The runtime crate's path in generated code.
fn rt() -> TokenStream {
    quote::quote!(::lambda_sdk_runtime)
}

/// The `#[serde(crate = ...)]` attribute every derive needs, since the generated crate reaches
/// serde only through the runtime.
fn serde_crate() -> TokenStream {
    quote::quote!(#[serde(crate = "::lambda_sdk_runtime::__private::serde")])
}

const REDACTED: &str = "*** Sensitive Data Redacted ***";
