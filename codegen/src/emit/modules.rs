//! The crate root and the module files that tie the per-shape files together.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir::{self, TypeDef};

/// `src/lib.rs`.
pub fn lib_rs(krate: &ir::Crate) -> TokenStream {
    let service = &krate.service;
    let intro = format!(
        " Rust SDK for {} (API version {}), generated from its Smithy model by `cargo xtask codegen`.",
        service.sdk_id, service.version
    );
    let service_docs = service.docs.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    let ops = krate.operations.iter().map(|op| {
        format!(
            " - `{}`: [`types::{}`] → [`types::{}`]",
            op.name, op.input.rust_name, op.output.rust_name
        )
    });
    quote! {
        #![doc = #intro]
        #![doc = ""]
        #(#![doc = #service_docs])*
        #![doc = ""]
        #![doc = " Operations:"]
        #![doc = ""]
        #(#![doc = #ops])*
        #![forbid(unsafe_code)]
        // Deprecated shapes stay usable; users still see the warning where they use them.
        #![allow(deprecated)]

        #[rustfmt::skip]
        mod operation;
        #[rustfmt::skip]
        pub mod types;

        #[rustfmt::skip]
        pub mod primitives;

        pub use ::lambda_sdk_runtime::BuildError;
    }
}

/// `src/primitives.rs`: the runtime's value types, re-exported.
pub fn primitives_rs() -> TokenStream {
    quote! {
        //! Value types shared by every service: timestamps, binary data and documents.

        pub use ::lambda_sdk_runtime::{Blob, DateTime, DateTimeFormat, DateTimeParseError, Document};
    }
}

/// `src/types/mod.rs`: one private module per shape, everything re-exported.
pub fn types_mod(krate: &ir::Crate) -> TokenStream {
    let mods = krate.types.iter().map(|def| ident(def.module()));
    let uses = krate.types.iter().map(|def| {
        let module = ident(def.module());
        let name = ident(def.rust_name());
        quote!(pub use self::#module::#name;)
    });
    let op_uses = krate.operations.iter().map(|op| {
        let module = ident(&op.module);
        let input = ident(&op.input.rust_name);
        let output = ident(&op.output.rust_name);
        quote!(pub use crate::operation::#module::{#input, #output};)
    });
    let builder_uses = krate.types.iter().filter_map(|def| match def {
        TypeDef::Structure(s) => {
            let module = ident(&s.module);
            let builder = ident(&s.builder_name);
            Some(quote!(pub use super::#module::#builder;))
        }
        _ => None,
    });
    let op_builder_uses = krate.operations.iter().map(|op| {
        let module = ident(&op.module);
        let input = ident(&op.input.builder_name);
        let output = ident(&op.output.builder_name);
        quote!(pub use crate::operation::#module::{#input, #output};)
    });
    quote! {
        //! Every type of the API: operation requests and responses, structures, enums, unions
        //! and errors. Builders are in [`builders`].

        #(mod #mods;)*

        #(#uses)*
        #(#op_uses)*

        /// Builders for every structure, request and response.
        pub mod builders {
            #(#builder_uses)*
            #(#op_builder_uses)*
        }
    }
}

/// `src/operation/mod.rs`.
pub fn operation_mod(krate: &ir::Crate) -> TokenStream {
    let mods = krate.operations.iter().map(|op| ident(&op.module));
    quote! {
        //! One module per operation, holding its request and response types.

        #(pub mod #mods;)*
    }
}
