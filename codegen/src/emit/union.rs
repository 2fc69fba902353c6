//! Unions: one variant per member plus `Unknown` for members the model does not know.

use proc_macro2::TokenStream;
use quote::quote;

use super::ty::rust_type;
use super::{REDACTED, doc_attrs, ident, rt};
use crate::ir::{Event, EventSource, Union};

/// The file of a union in `types/`.
pub fn union_file(u: &Union) -> TokenStream {
    let name = ident(&u.rust_name);
    let docs = doc_attrs(&u.docs);
    let rt = rt();
    let module_doc = format!(" The `{}` union.", u.rust_name);
    let mut variants = Vec::new();
    let mut ser_arms = Vec::new();
    let mut de_arms = Vec::new();
    let mut debug_arms = Vec::new();
    for v in &u.variants {
        let id = ident(&v.ident);
        let vdocs = doc_attrs(&v.docs);
        let key = &v.json_name;
        let label = &v.ident;
        match &v.ty {
            Some(ty) => {
                let mut ty = rust_type(ty);
                if v.boxed {
                    ty = quote!(::std::boxed::Box<#ty>);
                }
                variants.push(quote!(#vdocs #id(#ty)));
                ser_arms.push(quote!(Self::#id(value) => map.serialize_entry(#key, value)?,));
                de_arms
                    .push(quote!(#key => #rt::__private::union::from_value(value).map(Self::#id),));
                if u.sensitive || v.sensitive {
                    debug_arms.push(
                        quote!(Self::#id(_) => f.debug_tuple(#label).field(&#REDACTED).finish(),),
                    );
                } else {
                    debug_arms.push(
                        quote!(Self::#id(value) => f.debug_tuple(#label).field(value).finish(),),
                    );
                }
            }
            None => {
                variants.push(quote!(#vdocs #id));
                ser_arms.push(quote!(Self::#id => map.serialize_entry(#key, &#rt::__private::union::Empty {})?,));
                de_arms.push(quote!(#key => ::std::result::Result::Ok(Self::#id),));
                debug_arms.push(quote!(Self::#id => f.write_str(#label),));
            }
        }
    }
    let decode_event = if u.event_stream {
        decode_event(u)
    } else {
        quote!()
    };
    // A union of unit members never reads the member's value.
    let value_binding = if u.variants.iter().any(|v| v.ty.is_some()) {
        quote!(value)
    } else {
        quote!(_value)
    };
    quote! {
        #![doc = #module_doc]

        #docs
        #[non_exhaustive]
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq)]
        pub enum #name {
            #(#variants,)*
            /// A member this version of the SDK does not know. It cannot be sent.
            Unknown,
        }

        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#debug_arms)*
                    Self::Unknown => f.write_str("Unknown"),
                }
            }
        }

        impl ::std::default::Default for #name {
            /// `Unknown`: the zero value used when a response omits a required member.
            fn default() -> Self {
                Self::Unknown
            }
        }

        impl #rt::__private::serde::Serialize for #name {
            fn serialize<S: #rt::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use #rt::__private::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(::std::option::Option::Some(1))?;
                match self {
                    #(#ser_arms)*
                    Self::Unknown => return ::std::result::Result::Err(#rt::__private::union::unknown_variant()),
                }
                map.end()
            }
        }

        impl<'de> #rt::__private::serde::Deserialize<'de> for #name {
            fn deserialize<D: #rt::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let (key, #value_binding) = #rt::__private::union::single_member(deserializer)?;
                match key.as_str() {
                    #(#de_arms)*
                    _ => ::std::result::Result::Ok(Self::Unknown),
                }
            }
        }

        #decode_event
    }
}

/// `DecodeEvent` for an event-stream union: each `event` message becomes the variant its
/// `:event-type` names; `@eventPayload` members take the payload, `@eventHeader` members the
/// headers, and other members come from a JSON payload.
fn decode_event(u: &Union) -> TokenStream {
    let rt = rt();
    let name = ident(&u.rust_name);
    let mut arms = Vec::new();
    for v in &u.variants {
        let key = &v.name;
        let variant = ident(&v.ident);
        let (
            Some(ty),
            Some(Event {
                json_payload,
                bound,
            }),
        ) = (&v.ty, &v.event)
        else {
            arms.push(quote!(#key => ::std::result::Result::Ok(Self::#variant),));
            continue;
        };
        let ty_path = rust_type(ty);
        let mut assigns = Vec::new();
        for m in bound {
            let field = ident(&m.field);
            let read = match &m.source {
                EventSource::PayloadBlob => {
                    quote!(#rt::Blob::from(message.payload().to_vec()))
                }
                EventSource::PayloadString => quote!(
                    ::std::string::String::from_utf8(message.payload().to_vec())
                        .map_err(|_| "the event payload is not UTF-8 text".to_string())?
                ),
                EventSource::PayloadJson => quote!(
                    #rt::__private::serde_json::from_slice(message.payload()).map_err(|e| e.to_string())?
                ),
                EventSource::Header(header) => {
                    let read = quote!(message.header(#header).and_then(|v| v.as_str()).map(::std::string::String::from));
                    assigns.push(if m.required {
                        quote!(value.#field = (#read).unwrap_or_default();)
                    } else {
                        quote!(value.#field = #read;)
                    });
                    continue;
                }
            };
            assigns.push(if m.required {
                quote!(value.#field = #read;)
            } else {
                quote!(value.#field = ::std::option::Option::Some(#read);)
            });
        }
        let mutable = if assigns.is_empty() {
            quote!()
        } else {
            quote!(mut)
        };
        let init = if *json_payload {
            quote! {
                let #mutable value: #ty_path = if message.payload().is_empty() {
                    ::std::default::Default::default()
                } else {
                    #rt::__private::serde_json::from_slice(message.payload()).map_err(|e| e.to_string())?
                };
            }
        } else {
            quote!(let #mutable value: #ty_path = ::std::default::Default::default();)
        };
        let wrap = if v.boxed {
            quote!(::std::boxed::Box::new(value))
        } else {
            quote!(value)
        };
        arms.push(quote! {
            #key => {
                #init
                #(#assigns)*
                ::std::result::Result::Ok(Self::#variant(#wrap))
            }
        });
    }
    quote! {
        #[allow(clippy::field_reassign_with_default)]
        impl #rt::stream::DecodeEvent for #name {
            fn decode(
                event_type: &str,
                message: &#rt::event_stream::Message,
            ) -> ::std::result::Result<Self, ::std::string::String> {
                match event_type {
                    #(#arms)*
                    _ => ::std::result::Result::Ok(Self::Unknown),
                }
            }
        }
    }
}
