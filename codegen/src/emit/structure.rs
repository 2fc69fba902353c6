//! Structures: the struct, its serde form, its Debug (redacting sensitive data), its builder.

use proc_macro2::TokenStream;
use quote::quote;

use super::ty::{default_expr, field_type, value_type, with_module};
use super::{REDACTED, doc_attrs, ident, rt, serde_crate};
use crate::ir::{Member, NamedKind, Operation, Role, Structure, Type};

/// The file of a shared structure in `types/`.
pub fn structure_file(s: &Structure) -> TokenStream {
    let module_doc = format!(" The `{}` structure and its builder.", s.rust_name);
    let body = structure(s);
    quote! {
        #![doc = #module_doc]
        #body
    }
}

/// The files of an operation's folder in `operation/`: `(mod.rs, request.rs, response.rs)`.
pub fn operation_files(op: &Operation) -> (TokenStream, TokenStream, TokenStream) {
    let module_doc = format!(" The `{}` operation.", op.name);
    let input_name = super::ident(&op.input.rust_name);
    let input_builder = super::ident(&op.input.builder_name);
    let output_name = super::ident(&op.output.rust_name);
    let output_builder = super::ident(&op.output.builder_name);
    let error_name = super::ident(&op.error_name);
    let paginator = op.paginated.as_ref().map(|p| {
        let name = super::ident(&p.paginator_name);
        let pages = super::ident(&p.pages_name);
        quote!(pub use self::call::{#name, #pages};)
    });
    let module = quote! {
        #![doc = #module_doc]

        mod call;
        mod error;
        mod request;
        mod response;

        pub use self::error::#error_name;
        pub use self::request::{#input_name, #input_builder};
        pub use self::response::{#output_name, #output_builder};
        #paginator
    };
    let request_doc = format!(" The request of the `{}` operation.", op.name);
    let response_doc = format!(" The response of the `{}` operation.", op.name);
    let input = structure(&op.input);
    let output = structure(&op.output);
    (
        module,
        quote! {
            #![doc = #request_doc]
            #input
        },
        quote! {
            #![doc = #response_doc]
            #output
        },
    )
}

/// A structure, its trait impls and its builder.
pub fn structure(s: &Structure) -> TokenStream {
    let name = ident(&s.rust_name);
    let docs = doc_attrs(&s.docs);
    let redacts = s.sensitive || s.members.iter().any(|m| m.sensitive);
    let derive_debug = if redacts {
        quote!()
    } else {
        quote!(::std::fmt::Debug,)
    };
    let serde_crate = serde_crate();
    let mut fields = Vec::new();
    let mut helpers = Vec::new();
    for m in &s.members {
        let (attrs, helper) = serde_attrs(s, m);
        helpers.extend(helper);
        let field = ident(&m.field);
        let ty = field_type(m);
        let docs = doc_attrs(&m.docs);
        let deprecated = m.deprecated.then(|| quote!(#[deprecated]));
        fields.push(quote! {
            #docs
            #deprecated
            #attrs
            pub #field: #ty
        });
    }
    if let Some(meta) = &s.metadata_field {
        let field = ident(meta);
        fields.push(quote! {
            /// The request id and HTTP status of the response this value came from.
            #[serde(skip)]
            pub #field: ::lambda_sdk_runtime::http::ResponseMetadata
        });
    }
    let debug = if redacts {
        debug_impl(&name, &s.rust_name, s)
    } else {
        quote!()
    };
    let custom_default = default_impl(s);
    let derive_default = if custom_default.is_some() {
        quote!()
    } else {
        quote!(::std::default::Default,)
    };
    let error_impls = match &s.role {
        Role::Error(info) => error_impls(s, info),
        _ => quote!(),
    };
    let builder = builder(s);
    let helpers = if helpers.is_empty() {
        quote!()
    } else {
        quote! {
            impl #name {
                #(#helpers)*
            }
        }
    };
    let deprecated = s.deprecated.then(|| quote!(#[deprecated]));
    let builder_name = ident(&s.builder_name);
    let builder_doc = format!(" Starts a builder for [`{}`].", s.rust_name);
    quote! {
        #docs
        #deprecated
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq, #derive_default #derive_debug
                 ::lambda_sdk_runtime::__private::serde::Serialize, ::lambda_sdk_runtime::__private::serde::Deserialize)]
        #serde_crate
        pub struct #name {
            #(#fields,)*
        }

        impl #name {
            #[doc = #builder_doc]
            pub fn builder() -> #builder_name {
                <#builder_name as ::std::default::Default>::default()
            }
        }

        #helpers
        #custom_default
        #debug
        #error_impls
        #builder
    }
}

/// `Display`, `Error`, `message()`, what the model says about the error (`parts()`) and how
/// to read it from a response, for a modeled error structure. Each operation that lists
/// the error only names it.
fn error_impls(s: &Structure, info: &crate::ir::ErrorInfo) -> TokenStream {
    let rt = super::rt();
    let name = ident(&s.rust_name);
    let code = &info.code;
    let message = match &info.message {
        Some(m) if m.required => {
            let field = ident(&m.field);
            quote!(::std::option::Option::Some(self.#field.as_str()))
        }
        Some(m) => {
            let field = ident(&m.field);
            quote!(self.#field.as_deref())
        }
        None => quote!(::std::option::Option::None),
    };
    let message_doc = format!(" The message the service sent with the `{code}` error, if any.");
    let (server_fault, retryable, throttling) =
        (info.server_fault, info.retryable, info.throttling);
    let status =
        proc_macro2::Literal::u16_unsuffixed(info.http_status.unwrap_or(if server_fault {
            500
        } else {
            400
        }));
    let bindings = super::deserialize::read_bindings(s, quote!(error));
    // A shape without header bindings is its body; one with them reads them too.
    let read = if bindings.is_empty() {
        quote!(::std::result::Result::Ok(#rt::__private::rest_json::read_error(response)))
    } else {
        quote! {
            let ::std::option::Option::Some(mut error) = #rt::__private::rest_json::read_error::<Self>(response) else {
                return ::std::result::Result::Ok(::std::option::Option::None);
            };
            let status = response.status().as_u16();
            let headers = response.headers();
            #(#bindings)*
            ::std::result::Result::Ok(::std::option::Option::Some(error))
        }
    };
    let read_doc = format!(
        " Reads a `{code}` error response: its JSON body and any members bound to headers. \
         `Ok(None)` when the body does not match the model: the caller keeps the error as an \
         unhandled one, with its code, message and retry classification."
    );
    quote! {
        impl #name {
            #[doc = #message_doc]
            pub fn message(&self) -> ::std::option::Option<&str> {
                #message
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.parts(), f)
            }
        }

        impl ::std::error::Error for #name {}

        impl #name {
            /// The code, message and model facts of the error.
            pub(crate) fn parts(&self) -> #rt::__private::ErrorParts<'_> {
                #rt::__private::ErrorParts {
                    code: #code,
                    message: self.message(),
                    modeled: ::std::option::Option::Some(#rt::error::ModeledError {
                        status: #status,
                        server_fault: #server_fault,
                        retryable: #retryable,
                        throttling: #throttling,
                    }),
                    unhandled_status: ::std::option::Option::None,
                }
            }

            #[doc = #read_doc]
            pub(crate) fn from_response(
                response: &#rt::__private::HttpResponse,
            ) -> ::std::result::Result<::std::option::Option<Self>, #rt::error::ResponseError> {
                #read
            }
        }
    }
}

/// The `#[serde(...)]` attributes of one field, and any helper function they call.
fn serde_attrs(s: &Structure, m: &Member) -> (TokenStream, Option<TokenStream>) {
    let wire = &m.json_name;
    let with = with_module(m, !m.required);
    let value_with = with_module(m, false);
    let mut helper = None;
    if m.event_stream {
        // An event stream has no JSON form: it is read from the response as it arrives.
        return (quote!(#[serde(skip)]), None);
    }

    // Dense lists and maps skip the `null` entries a server may send.
    let dense = match (&m.ty, &with) {
        (Type::List { sparse: false, .. }, None) => {
            Some(if m.required { "list" } else { "option_list" })
        }
        (Type::Map { sparse: false, .. }, None) => {
            Some(if m.required { "map" } else { "option_map" })
        }
        _ => None,
    }
    .map(|f| format!("::lambda_sdk_runtime::__private::dense::{f}"));
    // A required structure member the service omits (or sends as `null`) reads as the structure
    // would from `{}`, so the `@default`s of its own members apply, as they do to `{}`.
    let empty_structure = m.required
        && m.default.is_none()
        && with.is_none()
        && matches!(
            m.ty,
            Type::Named {
                kind: NamedKind::Structure,
                ..
            }
        );
    let attrs = if empty_structure {
        quote!(#[serde(
            rename = #wire,
            default = "::lambda_sdk_runtime::__private::empty_structure",
            deserialize_with = "::lambda_sdk_runtime::__private::null_as_empty_structure"
        )])
    } else if m.required {
        // A required member the service omits reads as its @default, else its zero value.
        let default = match &m.default {
            Some(value) => {
                let de = required_default_fn(m);
                let ty = value_type(m);
                let expr = default_expr(m, value);
                helper = Some(quote! {
                    fn #de() -> #ty {
                        #expr
                    }
                });
                let path = format!("{}::{de}", s.rust_name);
                quote!(default = #path)
            }
            None => quote!(default),
        };
        match with {
            Some(with) => {
                let ser = format!("{with}::serialize");
                // Lists have no null correction in the runtime: `null` there is an error.
                let de = if with.ends_with("::list") {
                    format!("{with}::deserialize")
                } else {
                    format!("{with}::null_as_default")
                };
                quote!(#[serde(rename = #wire, #default, serialize_with = #ser, deserialize_with = #de)])
            }
            None => {
                let de = dense
                    .unwrap_or_else(|| "::lambda_sdk_runtime::__private::null_as_default".into());
                quote!(#[serde(rename = #wire, #default, deserialize_with = #de)])
            }
        }
    } else {
        match (&m.default, &s.role, with) {
            // Nested and output structures: an unset member with a @default travels as the
            // default, and a member the service omits reads as the default.
            (Some(value), role, with) if *role != Role::Input => {
                let ser = ident(&m.serialize_or_default_fn);
                let de = ident(&m.default_fn);
                let ser_path = format!("{}::{ser}", s.rust_name);
                let de_path = format!("{}::{de}", s.rust_name);
                let ty = value_type(m);
                let expr = default_expr(m, value);
                let rt = rt();
                let serialize = match &value_with {
                    Some(path) => super::absolute_path(&format!("{path}::serialize")),
                    None => quote!(#rt::__private::serde::Serialize::serialize),
                };
                helper = Some(quote! {
                    fn #de() -> ::std::option::Option<#ty> {
                        ::std::option::Option::Some(#expr)
                    }
                    fn #ser<S: #rt::__private::serde::Serializer>(
                        value: &::std::option::Option<#ty>,
                        serializer: S,
                    ) -> ::std::result::Result<S::Ok, S::Error> {
                        match value {
                            ::std::option::Option::Some(value) => #serialize(value, serializer),
                            ::std::option::Option::None => {
                                let default: #ty = #expr;
                                #serialize(&default, serializer)
                            }
                        }
                    }
                });
                match with {
                    Some(with) => {
                        let de_with = format!("{with}::deserialize");
                        quote!(#[serde(rename = #wire, default = #de_path, serialize_with = #ser_path, deserialize_with = #de_with)])
                    }
                    None => match &dense {
                        Some(de) => {
                            quote!(#[serde(rename = #wire, default = #de_path, serialize_with = #ser_path, deserialize_with = #de)])
                        }
                        None => {
                            quote!(#[serde(rename = #wire, default = #de_path, serialize_with = #ser_path)])
                        }
                    },
                }
            }
            (_, _, Some(with)) => {
                quote!(#[serde(rename = #wire, default, skip_serializing_if = "::std::option::Option::is_none", with = #with)])
            }
            (_, _, None) => match &dense {
                Some(de) => {
                    quote!(#[serde(rename = #wire, default, skip_serializing_if = "::std::option::Option::is_none", deserialize_with = #de)])
                }
                None => {
                    quote!(#[serde(rename = #wire, default, skip_serializing_if = "::std::option::Option::is_none")])
                }
            },
        }
    };
    (attrs, helper)
}

/// The private function giving a required member's `@default`.
fn required_default_fn(m: &Member) -> proc_macro2::Ident {
    ident(&m.default_fn)
}

/// `impl Default` for a structure whose required members have a `@default`: those start at
/// their default, everything else at its zero value.
fn default_impl(s: &Structure) -> Option<TokenStream> {
    if !s.members.iter().any(|m| m.required && m.default.is_some()) {
        return None;
    }
    let name = ident(&s.rust_name);
    let fields = s.members.iter().map(|m| {
        let field = ident(&m.field);
        if m.required && m.default.is_some() {
            let f = required_default_fn(m);
            quote!(#field: #name::#f())
        } else {
            quote!(#field: ::std::default::Default::default())
        }
    });
    let meta = s.metadata_field.as_ref().map(|f| {
        let f = ident(f);
        quote!(#f: ::std::default::Default::default(),)
    });
    Some(quote! {
        impl ::std::default::Default for #name {
            fn default() -> Self {
                #name {
                    #(#fields,)*
                    #meta
                }
            }
        }
    })
}

/// `impl Debug` for `type_ident` (the structure or its builder, which have the same fields)
/// that prints sensitive members (or every member of a sensitive shape) redacted.
fn debug_impl(type_ident: &proc_macro2::Ident, label: &str, s: &Structure) -> TokenStream {
    let entries = s.members.iter().map(|m| {
        let field = ident(&m.field);
        let name = m.field.trim_start_matches("r#");
        if s.sensitive || m.sensitive {
            quote!(.field(#name, &#REDACTED))
        } else {
            quote!(.field(#name, &self.#field))
        }
    });
    quote! {
        impl ::std::fmt::Debug for #type_ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label)
                    #(#entries)*
                    .finish_non_exhaustive()
            }
        }
    }
}

/// The builder: every member optional, setters, and `build()` that checks `@required`.
fn builder(s: &Structure) -> TokenStream {
    let name = ident(&s.rust_name);
    let builder = ident(&s.builder_name);
    let rt = rt();
    let doc = format!(
        " A builder for [`{}`]. Create it with [`{}::builder`].",
        s.rust_name, s.rust_name
    );
    let fields = s.members.iter().map(|m| {
        let field = ident(&m.field);
        let ty = value_type(m);
        quote!(#field: ::std::option::Option<#ty>)
    });
    let setters = s.members.iter().map(|m| {
        let field = ident(&m.field);
        let setter = ident(&m.setter);
        let set = ident(&m.option_setter);
        let ty = value_type(m);
        let boxed_in = if m.boxed {
            let inner = super::ty::rust_type(&m.ty);
            quote! {
                pub fn #setter(mut self, input: impl ::std::convert::Into<#inner>) -> Self {
                    self.#field = ::std::option::Option::Some(::std::boxed::Box::new(input.into()));
                    self
                }
            }
        } else {
            quote! {
                pub fn #setter(mut self, input: impl ::std::convert::Into<#ty>) -> Self {
                    self.#field = ::std::option::Option::Some(input.into());
                    self
                }
            }
        };
        let req = if m.required { "Required." } else { "Optional." };
        let set_doc = format!(
            " Sets `{}` (wire name `{}`). {req}",
            m.field.trim_start_matches("r#"),
            m.name
        );
        let opt_doc = format!(" Sets or clears `{}`.", m.field.trim_start_matches("r#"));
        let deprecated = m.deprecated.then(|| quote!(#[deprecated]));
        quote! {
            #[doc = #set_doc]
            #deprecated
            #boxed_in
            #[doc = #opt_doc]
            #deprecated
            pub fn #set(mut self, input: ::std::option::Option<#ty>) -> Self {
                self.#field = input;
                self
            }
        }
    });
    let type_name = &s.rust_name;
    let metadata_assign = s.metadata_field.as_ref().map(|f| {
        let field = ident(f);
        quote!(#field: ::std::default::Default::default(),)
    });
    let assigns = s.members.iter().map(|m| {
        let field = ident(&m.field);
        let wire = &m.name;
        if m.event_stream {
            quote!(#field: self.#field.unwrap_or_default())
        } else if m.required {
            if m.default.is_some() {
                let f = required_default_fn(m);
                quote!(#field: self.#field.unwrap_or_else(#name::#f))
            } else {
                quote!(#field: self.#field.ok_or_else(|| #rt::BuildError::missing_member(#type_name, #wire))?)
            }
        } else {
            quote!(#field: self.#field)
        }
    });
    let redacts = s.sensitive || s.members.iter().any(|m| m.sensitive);
    let debug = if redacts {
        debug_impl(&builder, &s.builder_name, s)
    } else {
        quote!()
    };
    let derive_debug = if redacts {
        quote!()
    } else {
        quote!(::std::fmt::Debug,)
    };
    let allow_deprecated = s
        .members
        .iter()
        .any(|m| m.deprecated)
        .then(|| quote!(#[allow(deprecated)]));
    let needs_result = s.members.iter().any(|m| m.required);
    let build_doc = if needs_result {
        format!(" Builds the [`{type_name}`], failing if a required member is unset.")
    } else {
        format!(" Builds the [`{type_name}`]. It has no required members, so this cannot fail.")
    };
    let _ = Type::String;
    quote! {
        #[doc = #doc]
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq, ::std::default::Default, #derive_debug)]
        pub struct #builder {
            #(#fields,)*
        }

        #allow_deprecated
        impl #builder {
            #(#setters)*

            #[doc = #build_doc]
            pub fn build(self) -> ::std::result::Result<#name, #rt::BuildError> {
                ::std::result::Result::Ok(#name {
                    #(#assigns,)*
                    #metadata_assign
                })
            }
        }

        #debug
    }
}
