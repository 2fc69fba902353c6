//! The crate root and the module files that tie the per-shape files together.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::{ident, op_cfg, type_cfg};
use crate::ir::{self, TypeDef};

/// `src/lib.rs`.
pub fn lib_rs(krate: &ir::Crate) -> TokenStream {
    let service = &krate.service;
    let endpoint_module = match &service.endpoint_rules {
        Some(_) => quote! {
            #[rustfmt::skip]
            mod endpoint_resolver;
        },
        None => TokenStream::new(),
    };
    let intro = format!(
        " Rust SDK for {} (API version {}), generated from its Smithy model by lambda-sdk-codegen.",
        service.sdk_id, service.version
    );
    let service_docs = service.docs.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    // Each line only with its operation's feature, so the links resolve in any subset.
    let ops = krate.operations.iter().map(|op| {
        let line = format!(
            " - `{}`: [`types::{}`] → [`types::{}`]",
            op.name, op.input.rust_name, op.output.rust_name
        );
        let feature = &op.feature;
        quote!(#![cfg_attr(feature = #feature, doc = #line)])
    });
    let runtime_features = crate::features::RUNTIME_FEATURES
        .iter()
        .map(|f| format!("   - `{}`: {}", f.name, f.about));
    let example_feature = krate
        .operations
        .first()
        .map_or_else(|| "an-operation".to_string(), |op| op.feature.clone());
    let features = [
        " Cargo features:".to_string(),
        String::new(),
        format!(
            " - one per operation (`{example_feature}`, …), all on by default: with \
             `default-features = false`, only the operations listed are compiled;"
        ),
        " - the runtime's optional parts, on by default; a program that reads its credentials from \
          the environment (as on AWS Lambda) needs none of them:"
            .to_string(),
    ]
    .into_iter()
    .chain(runtime_features)
    .chain(
        crate::features::OFF_BY_DEFAULT
            .iter()
            .map(|f| format!(" - `{}`, off by default: {}", f.name, f.comment)),
    );
    quote! {
        #![doc = #intro]
        #![doc = ""]
        #(#![doc = #service_docs])*
        #![doc = ""]
        #![doc = " Operations:"]
        #![doc = ""]
        #(#ops)*
        #![doc = ""]
        #(#![doc = #features])*
        #![forbid(unsafe_code)]
        // Deprecated shapes stay usable; users still see the warning where they use them.
        #![allow(deprecated)]

        #[rustfmt::skip]
        mod client;
        #[rustfmt::skip]
        pub mod config;
        #endpoint_module
        #[rustfmt::skip]
        pub mod error;
        #[rustfmt::skip]
        mod operation;
        #[rustfmt::skip]
        pub mod paginators;
        #[rustfmt::skip]
        pub mod primitives;
        #[rustfmt::skip]
        #[cfg(feature = "testing")]
        pub mod testing;
        #[rustfmt::skip]
        pub mod types;

        pub use self::client::Client;
        pub use ::lambda_sdk_runtime::BuildError;
        pub use ::lambda_sdk_runtime::config::Config;
        pub use ::lambda_sdk_runtime::credentials::Credentials;
        pub use ::lambda_sdk_runtime::error::Error;
    }
}

/// `src/client.rs`: the client and the service's static facts.
pub fn client_rs(krate: &ir::Crate, options: &crate::Options) -> TokenStream {
    let service = &krate.service;
    let sdk_id = &service.sdk_id;
    let signing_name = service.signing_name.as_str();
    let endpoint_prefix = service.endpoint_prefix.as_deref().unwrap_or(signing_name);
    let user_agent = format!("{}/{}", options.crate_name, options.crate_version);
    // The rule set is compiled into `src/endpoint_resolver.rs`.
    let endpoint_resolver = match &service.endpoint_rules {
        Some(_) => quote!(::std::option::Option::Some(
            crate::endpoint_resolver::resolve
        )),
        None => quote!(::std::option::Option::None),
    };
    let krate_ident = options.crate_name.replace('-', "_");
    let example_lines: Vec<String> = match krate.operations.first() {
        None => Vec::new(),
        Some(op) => [
            "```no_run".to_string(),
            format!("use {krate_ident}::{{Client, Config, Credentials}};"),
            String::new(),
            "# async fn example() -> Result<(), Box<dyn std::error::Error>> {".into(),
            "let config = Config::builder()".into(),
            "    .region(\"us-east-1\")".into(),
            "    .credentials(Credentials::new(\"AKID\", \"SECRET\", None))".into(),
            "    .build()?;".into(),
            "let client = Client::new(config);".into(),
            format!(
                "let request = {krate_ident}::types::{}::default();",
                op.input.rust_name
            ),
            format!("match client.{}(request).await {{", op.method),
            "    Ok(response) => println!(\"{response:?}\"),".into(),
            "    Err(err) => eprintln!(\"{err}\"),".into(),
            "}".into(),
            "# Ok(())".into(),
            "# }".into(),
            "```".into(),
        ]
        .into_iter()
        .map(|l| if l.is_empty() { l } else { format!(" {l}") })
        .collect(),
    };
    quote! {
        //! The client.

        static SERVICE: ::lambda_sdk_runtime::__private::ServiceSpec = ::lambda_sdk_runtime::__private::ServiceSpec {
            sdk_id: #sdk_id,
            signing_name: #signing_name,
            endpoint_prefix: #endpoint_prefix,
            sdk_user_agent: #user_agent,
            endpoint_resolver: #endpoint_resolver,
        };

        /// A client for the service: one async method per operation.
        ///
        /// It is cheap to clone (clones share the connection pool and credentials cache), `Send`
        /// and `Sync`, and runs on any tokio runtime with I/O and timers enabled, `current_thread`
        /// included.
        ///
        #(#[doc = #example_lines])*
        #[derive(::std::clone::Clone, ::std::fmt::Debug)]
        pub struct Client {
            handle: ::lambda_sdk_runtime::__private::Handle,
        }

        impl Client {
            /// Creates a client from a configuration.
            pub fn new(config: crate::Config) -> Self {
                Client {
                    handle: ::lambda_sdk_runtime::__private::Handle::new(config, &SERVICE),
                }
            }

            /// Creates a client configured from the environment; see [`Config::from_env`](crate::Config::from_env).
            ///
            /// # Errors
            /// When no region is configured and instance metadata cannot be asked for one, or a setting is invalid.
            pub fn from_env() -> ::std::result::Result<Self, crate::config::ConfigError> {
                ::std::result::Result::Ok(Client::new(crate::Config::from_env()?))
            }

            /// Creates a client that sends nothing: `mock` answers every call (see the
            /// [`testing`](crate::testing) module).
            ///
            /// Needs the `testing` cargo feature.
            #[cfg(feature = "testing")]
            pub fn from_mock(mock: &crate::testing::Mock) -> Self {
                Client::new(crate::Config::mocked(mock))
            }

            /// The client's configuration.
            pub fn config(&self) -> &crate::Config {
                self.handle.config()
            }

            // Unused when every operation feature is off.
            #[allow(dead_code)]
            pub(crate) fn handle(&self) -> &::lambda_sdk_runtime::__private::Handle {
                &self.handle
            }
        }
    }
}

/// `src/config.rs`: configuration types, re-exported from the runtime.
pub fn config_rs() -> TokenStream {
    quote! {
        //! Configuration: region, credentials, endpoint, retries and timeouts.

        pub use ::lambda_sdk_runtime::config::{Config, ConfigBuilder, ConfigError, TimeoutConfig};
        pub use ::lambda_sdk_runtime::credentials::{BoxFuture, Credentials, CredentialsError, ProvideCredentials};
        pub use ::lambda_sdk_runtime::http::{HttpConnector, HttpError, HttpErrorKind};
        /// Needs the `proxy` cargo feature (on by default).
        #[cfg(feature = "proxy")]
        pub use ::lambda_sdk_runtime::http::ProxySettings;
        pub use ::lambda_sdk_runtime::retry::RetryConfig;
    }
}

/// `src/error.rs`: error types, re-exported from the runtime.
pub fn error_rs() -> TokenStream {
    quote! {
        //! Errors: the six cases of [`Error`] and what each carries.

        pub use ::lambda_sdk_runtime::error::{
            ConstructionError, Error, ErrorMetadata, OperationError, ResponseError, ServiceError, TimeoutError,
            TimeoutKind, Unhandled,
        };
        pub use ::lambda_sdk_runtime::credentials::{CredentialsError, CredentialsErrorKind};
        pub use ::lambda_sdk_runtime::http::{HttpError, HttpErrorKind};
    }
}

/// `src/paginators.rs`: one paginator per `@paginated` operation.
pub fn paginators_rs(krate: &ir::Crate) -> TokenStream {
    let uses = krate.operations.iter().filter_map(|op| {
        let p = op.paginated.as_ref()?;
        let cfg = op_cfg(krate, op);
        let module = ident(&op.module);
        let name = ident(&p.paginator_name);
        let pages = ident(&p.pages_name);
        Some(quote!(#cfg pub use crate::operation::#module::{#name, #pages};))
    });
    quote! {
        //! Paginators for the operations that return results in pages: `next().await` gives one
        //! page at a time, `items()` one item at a time, and `try_collect()` all of them. With
        //! the `stream` cargo feature both are also `futures_core::Stream`s.

        pub use ::lambda_sdk_runtime::paginate::{ItemPaginator, Paginator};
        #(#uses)*
    }
}

/// `src/testing.rs` (cargo feature `testing`): the runtime's mock and one marker type per
/// operation, to state the operation's answers with `Mock::on`.
pub fn testing_rs(krate: &ir::Crate) -> TokenStream {
    let markers = krate.operations.iter().map(|op| {
        let cfg = op_cfg(krate, op);
        let marker = ident(&op.mock_name);
        let request = ident(&op.input.rust_name);
        let response = ident(&op.output.rust_name);
        let error = ident(&op.error_name);
        let name = &op.name;
        let doc = format!(
            " `{name}`, for [`Mock::on`]: its answers are [`{}`](crate::types::{}) and [`{}`](crate::types::{}).",
            op.output.rust_name, op.output.rust_name, op.error_name, op.error_name
        );
        quote! {
            #cfg
            #[doc = #doc]
            #[derive(::std::fmt::Debug)]
            pub struct #marker;

            #cfg
            impl MockOperation for #marker {
                const NAME: &'static str = #name;
                type Input = crate::types::#request;
                type Output = crate::types::#response;
                type Error = crate::types::#error;
            }
        }
    });
    quote! {
        //! Testing code that calls this crate without a network: a [`Mock`] states each
        //! operation's answers as typed values (in order, or chosen by the request),
        //! [`Client::from_mock`](crate::Client::from_mock) makes a client that asks it instead of
        //! sending, and afterwards the mock lists the requests made. See the runtime's
        //! [`testing`](::lambda_sdk_runtime::testing) module for the rules.

        pub use ::lambda_sdk_runtime::testing::{Mock, MockError, MockOperation, Rule, MOCK_REQUEST_ID};

        #(#markers)*
    }
}

/// `src/primitives.rs`: the runtime's value types, re-exported.
pub fn primitives_rs() -> TokenStream {
    quote! {
        //! Value types shared by every service: timestamps, binary data and documents.

        pub use ::lambda_sdk_runtime::{Blob, DateTime, DateTimeFormat, DateTimeParseError, Document};
    }
}

/// `src/types/mod.rs`: one private module per shape, everything re-exported. Each module
/// carries its type's `#[cfg]`; the re-exports are grouped by that `#[cfg]`, so that a
/// feature list is written once per group rather than once per type.
pub fn types_mod(krate: &ir::Crate) -> TokenStream {
    let mods = krate.types.iter().map(|def| {
        let cfg = type_cfg(krate, def);
        let module = ident(def.module());
        quote!(#cfg mod #module;)
    });
    // The types (and builders) of each `#[cfg]`, in the order of `krate.types` within a
    // group; groups in the order of their `#[cfg]` text, the unconditional one first.
    let mut groups: BTreeMap<String, (TokenStream, Vec<TokenStream>, Vec<TokenStream>)> =
        BTreeMap::new();
    for def in &krate.types {
        let cfg = type_cfg(krate, def);
        let group = groups
            .entry(cfg.to_string())
            .or_insert_with(|| (cfg, Vec::new(), Vec::new()));
        let module = ident(def.module());
        let name = ident(def.rust_name());
        group.1.push(quote!(#module::#name));
        if let TypeDef::Structure(s) = def {
            let builder = ident(&s.builder_name);
            group.2.push(quote!(#module::#builder));
        }
    }
    let uses = groups
        .values()
        .map(|(cfg, types, _)| quote!(#cfg pub use self::{#(#types),*};));
    let builder_uses = groups
        .values()
        .filter(|(_, _, builders)| !builders.is_empty())
        .map(|(cfg, _, builders)| quote!(#cfg pub use super::{#(#builders),*};));
    let op_uses = krate.operations.iter().map(|op| {
        let cfg = op_cfg(krate, op);
        let module = ident(&op.module);
        let input = ident(&op.input.rust_name);
        let output = ident(&op.output.rust_name);
        let error = ident(&op.error_name);
        quote!(#cfg pub use crate::operation::#module::{#error, #input, #output};)
    });
    let op_builder_uses = krate.operations.iter().map(|op| {
        let cfg = op_cfg(krate, op);
        let module = ident(&op.module);
        let input = ident(&op.input.builder_name);
        let output = ident(&op.output.builder_name);
        quote!(#cfg pub use crate::operation::#module::{#input, #output};)
    });
    quote! {
        //! Every type of the API: operation requests and responses, structures, enums, unions
        //! and errors. Builders are in [`builders`]. Each operation and the types only it uses
        //! sit behind the operation's cargo feature (all on by default).

        #(#mods)*

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
    let mods = krate.operations.iter().map(|op| {
        let cfg = op_cfg(krate, op);
        let module = ident(&op.module);
        quote!(#cfg pub mod #module;)
    });
    quote! {
        //! One module per operation, holding its request and response types.

        #(#mods)*
    }
}
