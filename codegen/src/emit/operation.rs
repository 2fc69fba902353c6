//! Operations: the `{Op}Error` enum, the client method and, for `@paginated` operations, the
//! paginator; the request serializer and the response deserializer are in `serialize` and
//! `deserialize`. All behaviour lives in the runtime; this code only binds model members to
//! runtime calls.

use proc_macro2::TokenStream;
use quote::quote;

use super::deserialize::deserializer;
use super::serialize::serializer;
use super::{doc_attrs, ident, rt};
use crate::ir::Operation;

/// `operation/<op>/error.rs`.
pub fn error_file(op: &Operation) -> TokenStream {
    let rt = rt();
    let name = ident(&op.error_name);
    let module_doc = format!(" Errors of the `{}` operation.", op.name);
    let doc = format!(
        " An error of the `{}` operation: one of the errors the model lists for it, or an unhandled one.",
        op.name
    );
    let mut variants = Vec::new();
    let mut inner = Vec::new();
    let mut source = Vec::new();
    let mut is_fns = Vec::new();
    for e in &op.errors {
        let variant = ident(&e.rust_name);
        let ty = ident(&e.rust_name);
        let vdoc = format!(" `{}`: {}", e.code, e.summary);
        variants.push(quote!(#[doc = #vdoc] #variant(crate::types::#ty)));
        inner.push(quote!(Self::#variant(e) => e.parts(),));
        source.push(quote!(Self::#variant(e) => ::std::option::Option::Some(e),));
        let is_fn = ident(&e.is_method);
        let is_doc = format!(" Whether this is a `{}`.", e.code);
        is_fns.push(quote! {
            #[doc = #is_doc]
            pub fn #is_fn(&self) -> bool {
                ::std::matches!(self, Self::#variant(_))
            }
        });
    }
    quote! {
        #![doc = #module_doc]

        #[doc = #doc]
        #[non_exhaustive]
        #[derive(::std::fmt::Debug)]
        pub enum #name {
            #(#variants,)*
            /// An error the model does not list for this operation; it keeps the code and message the service sent.
            Unhandled(#rt::error::Unhandled),
        }

        impl #name {
            #(#is_fns)*

            /// Whether this error is not one the model lists for the operation.
            pub fn is_unhandled(&self) -> bool {
                ::std::matches!(self, Self::Unhandled(_))
            }

            /// The code, message and model facts of the case.
            fn parts(&self) -> #rt::__private::ErrorParts<'_> {
                match self {
                    #(#inner)*
                    Self::Unhandled(e) => e.parts(),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.parts(), f)
            }
        }

        impl ::std::error::Error for #name {
            fn source(&self) -> ::std::option::Option<&(dyn ::std::error::Error + 'static)> {
                match self {
                    #(#source)*
                    Self::Unhandled(e) => ::std::option::Option::Some(e),
                }
            }
        }

        impl #rt::error::OperationError for #name {
            fn code(&self) -> &str {
                self.parts().code
            }

            fn message(&self) -> ::std::option::Option<&str> {
                self.parts().message
            }

            fn modeled(&self) -> ::std::option::Option<#rt::error::ModeledError> {
                self.parts().modeled
            }
        }
    }
}

/// `operation/<op>/call.rs`: the client method, serializer, deserializer and paginator.
pub fn call_file(op: &Operation) -> TokenStream {
    let module_doc = format!(" How the `{}` operation travels over HTTP.", op.name);
    let method = ident(&op.method);
    let request = ident(&op.input.rust_name);
    let response = ident(&op.output.rust_name);
    let error = ident(&op.error_name);
    let op_name = &op.name;
    let docs = doc_attrs(&op.docs);
    let errors_doc = doc_attrs(&format!(
        "# Errors\n\nEvery [`Error`](crate::Error) case; service errors are a [`{}`](crate::types::{}).",
        op.error_name, op.error_name
    ));
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let token = op.input.members.iter().find(|m| m.idempotency_token).map(|m| {
        let field = ident(&m.field);
        if m.required {
            quote! {
                let mut request = request;
                if request.#field.is_empty() {
                    request.#field = self.handle().idempotency_token();
                }
            }
        } else {
            quote! {
                let mut request = request;
                if request.#field.is_none() {
                    request.#field = ::std::option::Option::Some(self.handle().idempotency_token());
                }
            }
        }
    });
    let metadata = op.output.metadata_field.as_ref().map(|f| {
        let field = ident(f);
        quote!(response.#field = metadata;)
    });
    let serialize = serializer(op);
    let deserialize = deserializer(op);
    let call = if op.output.members.iter().any(|m| m.event_stream) {
        quote!(self.handle().call_streaming(#op_name, &request, prepared, deserialize, deserialize_stream))
    } else {
        quote!(self.handle().call(#op_name, &request, prepared, deserialize))
    };
    let paginator = paginator(op);
    quote! {
        #![doc = #module_doc]

        impl crate::Client {
            #docs
            #[doc = ""]
            #errors_doc
            #deprecated
            pub async fn #method(
                &self,
                request: crate::types::#request,
            ) -> ::std::result::Result<crate::types::#response, crate::Error<crate::types::#error>> {
                #token
                let prepared = serialize(&request).map_err(crate::Error::Construction)?;
                let (mut response, metadata) = #call.await?;
                #metadata
                ::std::result::Result::Ok(response)
            }
        }

        #serialize
        #deserialize
        #paginator
    }
}

fn paginator(op: &Operation) -> TokenStream {
    let rt = rt();
    let Some(p) = &op.paginated else {
        return quote!();
    };
    let name = ident(&p.paginator_name);
    let pages = ident(&p.pages_name);
    let method = ident(&p.method);
    let op_method = ident(&op.method);
    let request = ident(&op.input.rust_name);
    let response = ident(&op.output.rust_name);
    let error = ident(&op.error_name);
    let input_token = ident(&p.input_token);
    // The next token: a reference along the path, cloned at the end.
    let next = path_expr(&p.output_token, quote!(output), true);
    let items = p.item_type.as_ref().map(|item| {
        let ty = super::ty::rust_type(&item.ty);
        let ty = if item.optional {
            quote!(::std::option::Option<#ty>)
        } else {
            ty
        };
        let take = path_expr(&p.items, quote!(output), false);
        quote! {
            impl #rt::paginate::PagesWithItems for #pages {
                type Item = #ty;
                fn items(output: crate::types::#response) -> ::std::vec::Vec<#ty> {
                    #take
                }
            }
        }
    });
    let doc = format!(
        " Pages through `{}`: each `next` call sends one request with the previous page's token. \
         It stops after the last page, after an error, and when the service repeats a token.",
        op.name
    );
    let pages_doc = format!(
        " How `{}` pages: its token members{}; the type parameter of [`{}`].",
        op.name,
        if p.item_type.is_some() {
            " and items"
        } else {
            ""
        },
        p.paginator_name
    );
    let method_doc = format!(
        " Returns a paginator over the pages of [`{}`](Self::{}){}.",
        op.method,
        op.method,
        if p.item_type.is_some() {
            "; its `items()` goes through the items of every page"
        } else {
            ""
        }
    );
    quote! {
        impl crate::Client {
            #[doc = #method_doc]
            pub fn #method(&self, request: crate::types::#request) -> #name {
                #rt::paginate::Paginator::new(::std::clone::Clone::clone(self), request)
            }
        }

        #[doc = #doc]
        pub type #name = #rt::paginate::Paginator<#pages>;

        #[doc = #pages_doc]
        #[derive(::std::fmt::Debug)]
        pub struct #pages;

        impl #rt::paginate::Pages for #pages {
            type Client = crate::Client;
            type Input = crate::types::#request;
            type Output = crate::types::#response;
            type Error = crate::types::#error;

            fn fetch(
                client: &crate::Client,
                input: crate::types::#request,
            ) -> #rt::paginate::PageFuture<crate::types::#response, crate::types::#error> {
                let client = ::std::clone::Clone::clone(client);
                ::std::boxed::Box::pin(async move { client.#op_method(input).await })
            }
            fn token(input: &crate::types::#request) -> ::std::option::Option<&str> {
                input.#input_token.as_deref()
            }
            fn set_token(input: &mut crate::types::#request, token: ::std::string::String) {
                input.#input_token = ::std::option::Option::Some(token);
            }
            fn next_token(output: &crate::types::#response) -> ::std::option::Option<::std::string::String> {
                #next
            }
        }

        #items
    }
}

/// The value at the end of a member path through `root`, where each step may be optional:
/// by reference and cloned into an `Option` when `borrow` (the next token), else moved out and
/// defaulted when a step is unset (the items).
fn path_expr(steps: &[crate::ir::PathStep], root: TokenStream, borrow: bool) -> TokenStream {
    let mut expr = root;
    let mut optional_so_far = false;
    for step in steps {
        let field = ident(&step.field);
        expr = match (optional_so_far, step.optional, borrow) {
            (false, false, _) => quote!(#expr.#field),
            (false, true, true) => {
                optional_so_far = true;
                quote!(#expr.#field.as_ref())
            }
            (false, true, false) => {
                optional_so_far = true;
                quote!(#expr.#field)
            }
            (true, false, true) => quote!(#expr.map(|v| &v.#field)),
            (true, false, false) => quote!(#expr.map(|v| v.#field)),
            (true, true, true) => quote!(#expr.and_then(|v| v.#field.as_ref())),
            (true, true, false) => quote!(#expr.and_then(|v| v.#field)),
        };
    }
    match (optional_so_far, borrow) {
        (true, true) => quote!(#expr.cloned()),
        (false, true) => quote!(::std::option::Option::Some(::std::clone::Clone::clone(&#expr))),
        (true, false) => quote!(#expr.unwrap_or_default()),
        (false, false) => expr,
    }
}
