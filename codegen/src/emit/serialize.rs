//! An operation's request serializer: each input member bound to its place in the HTTP request
//! (label, query, header, payload or JSON body) through the runtime's `RequestBuilder`.

use proc_macro2::TokenStream;
use quote::quote;

use super::ty::{named_type, with_module};
use super::{ident, rt, serde_crate};
use crate::ir::{
    Binding, Member, Number, Operation, PathSegment, PayloadKind, Scalar, TimestampFormat, Type,
};

/// A `&str` expression for a scalar value bound to a label, query or header (borrowing a
/// temporary `String` for non-strings, which lives until the end of the statement).
fn scalar_to_string(scalar: &Scalar, v: TokenStream) -> TokenStream {
    let rt = rt();
    let owned = |expr: TokenStream| quote!(::std::string::String::as_str(&#expr));
    match scalar {
        Scalar::String { .. } => quote!(::std::string::String::as_str(#v)),
        Scalar::Bool
        | Scalar::Number(Number::Byte | Number::Short | Number::Integer | Number::Long) => {
            owned(quote!(::std::string::ToString::to_string(#v)))
        }
        Scalar::Number(Number::Float) => owned(quote!(#rt::__private::rest_json::fmt_f32(*#v))),
        Scalar::Number(Number::Double) => owned(quote!(#rt::__private::rest_json::fmt_float(*#v))),
        Scalar::Timestamp(format) => {
            let f = format_tokens(*format);
            owned(quote!(#rt::__private::rest_json::fmt_timestamp(#v, #f)))
        }
        Scalar::Blob => owned(quote!(#rt::__private::rest_json::fmt_blob(#v))),
        Scalar::Enum(rust_name) => {
            let t = named_type(rust_name);
            quote!(#t::as_str(#v))
        }
        Scalar::IntEnum(_) => owned(quote!(::std::string::ToString::to_string(&#v.as_i32()))),
    }
}

pub(super) fn format_tokens(format: TimestampFormat) -> TokenStream {
    let rt = rt();
    match format {
        TimestampFormat::DateTime => quote!(#rt::DateTimeFormat::DateTime),
        TimestampFormat::HttpDate => quote!(#rt::DateTimeFormat::HttpDate),
        TimestampFormat::EpochSeconds => quote!(#rt::DateTimeFormat::EpochSeconds),
    }
}

pub(super) fn serializer(op: &Operation) -> TokenStream {
    let rt = rt();
    let input = &op.input;
    let request = ident(&input.rust_name);
    let method = &op.http.method;
    let mut steps = Vec::new();
    for segment in &op.http.path {
        match segment {
            PathSegment::Literal(text) => steps.push(quote!(builder.literal(#text);)),
            PathSegment::Label {
                member,
                field,
                value,
                greedy,
            } => {
                let field = ident(field);
                let value = scalar_to_string(value, quote!(&request.#field));
                steps.push(quote!(builder.label(#member, #value, #greedy)?;));
            }
        }
    }
    for part in &op.host_prefix {
        match part {
            crate::ir::HostPrefixPart::Literal(text) => {
                steps.push(quote!(builder.host_literal(#text);))
            }
            crate::ir::HostPrefixPart::Label(name, field) => {
                let field = ident(field);
                steps.push(quote!(builder.host_label(#name, &request.#field)?;));
            }
        }
    }
    for (key, value) in &op.http.query_literals {
        steps.push(quote!(builder.query_literal(#key, #value);));
    }
    for m in &input.members {
        let field = ident(&m.field);
        let name = &m.name;
        match &m.binding {
            Binding::Query { key, value, list } => {
                let push = if *list {
                    let item = scalar_to_string(value, quote!(item));
                    quote!(for item in value { builder.query(#key, #item); })
                } else {
                    let v = scalar_to_string(value, quote!(value));
                    quote!(builder.query(#key, #v);)
                };
                if m.required {
                    if m.ty == Type::String {
                        steps.push(quote!(builder.required_query(#name, #key, &request.#field)?;));
                    } else {
                        steps.push(quote!({ let value = &request.#field; #push }));
                    }
                } else {
                    steps.push(quote!(if let ::std::option::Option::Some(value) = &request.#field { #push }));
                }
            }
            Binding::QueryParams { lists } => {
                let push = if *lists {
                    quote!(for item in value {
                        builder.query_param(key, item);
                    })
                } else {
                    quote!(builder.query_param(key, value);)
                };
                let map = if m.required {
                    quote!(::std::option::Option::Some(&request.#field))
                } else {
                    quote!(request.#field.as_ref())
                };
                steps.push(quote! {
                    if let ::std::option::Option::Some(map) = #map {
                        let mut keys: ::std::vec::Vec<_> = map.keys().collect();
                        keys.sort();
                        for key in keys {
                            let value = &map[key];
                            #push
                        }
                    }
                });
            }
            Binding::Header {
                name: header,
                value,
                list,
            } => {
                let set = match (value, list) {
                    (value, true) => {
                        let item = scalar_to_string(value, quote!(item));
                        let quote_items = matches!(value, Scalar::String { .. });
                        quote! {
                            let items: ::std::vec::Vec<::std::string::String> =
                                value.iter().map(|item| ::std::string::ToString::to_string(#item)).collect();
                            builder.header(#name, #header, &#rt::__private::rest_json::join_header_values(&items, #quote_items))?;
                        }
                    }
                    (Scalar::String { media_type: true }, false) => {
                        quote!(builder.header(#name, #header, &#rt::__private::rest_json::fmt_base64_str(value))?;)
                    }
                    (value, false) => {
                        let v = scalar_to_string(value, quote!(value));
                        quote!(builder.header(#name, #header, #v)?;)
                    }
                };
                if m.required {
                    steps.push(quote!({ let value = &request.#field; #set }));
                } else {
                    steps.push(quote!(if let ::std::option::Option::Some(value) = &request.#field { #set }));
                }
            }
            Binding::PrefixHeaders(prefix) => {
                let map = if m.required {
                    quote!(::std::option::Option::Some(&request.#field))
                } else {
                    quote!(request.#field.as_ref())
                };
                steps.push(quote! {
                    if let ::std::option::Option::Some(map) = #map {
                        for (key, value) in map {
                            builder.prefix_header(#name, &::std::format!("{}{}", #prefix, key), value)?;
                        }
                    }
                });
            }
            Binding::Body | Binding::Label(_) | Binding::Payload { .. } | Binding::ResponseCode => {
            }
        }
    }
    let payload = input.members.iter().find_map(|m| match &m.binding {
        Binding::Payload {
            kind, media_type, ..
        } => Some((m, kind, media_type)),
        _ => None,
    });
    let body_members: Vec<&Member> = input
        .members
        .iter()
        .filter(|m| m.binding == Binding::Body)
        .collect();
    let mut body_struct = quote!();
    if let Some((m, kind, media_type)) = payload {
        let field = ident(&m.field);
        let value = if m.required {
            quote!(::std::option::Option::Some(&request.#field))
        } else {
            quote!(request.#field.as_ref())
        };
        match kind {
            PayloadKind::Blob => {
                let ct = media_type
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".into());
                steps.push(quote! {
                    if let ::std::option::Option::Some(value) = #value {
                        builder.raw_body(value.as_bytes().to_vec(), #ct);
                    }
                });
            }
            PayloadKind::String => {
                let ct = media_type.clone().unwrap_or_else(|| "text/plain".into());
                steps.push(quote! {
                    if let ::std::option::Option::Some(value) = #value {
                        builder.raw_body(value.as_bytes().to_vec(), #ct);
                    }
                });
            }
            PayloadKind::Enum => {
                let ct = media_type.clone().unwrap_or_else(|| "text/plain".into());
                steps.push(quote! {
                    if let ::std::option::Option::Some(value) = #value {
                        builder.raw_body(value.as_str().as_bytes().to_vec(), #ct);
                    }
                });
            }
            PayloadKind::Union | PayloadKind::Document => {
                // An unset union or document payload sends no body.
                steps.push(quote! {
                    if let ::std::option::Option::Some(value) = #value {
                        builder.json_body(value)?;
                    }
                });
            }
            PayloadKind::Structure => {
                // An unset structure payload is sent as an empty JSON object.
                steps.push(quote! {
                    match #value {
                        ::std::option::Option::Some(value) => { builder.json_body(value)?; }
                        ::std::option::Option::None => { builder.json_body(&#rt::__private::union::Empty {})?; }
                    }
                });
            }
        }
    } else if !body_members.is_empty() {
        let mut fields = Vec::new();
        let mut inits = Vec::new();
        for m in &body_members {
            let field = ident(&m.field);
            let ty = super::ty::field_type(m);
            let wire = &m.json_name;
            let with = with_module(m, !m.required).map(|w| format!("{w}::serialize_ref"));
            let attrs = match (m.required, with) {
                (true, None) => quote!(#[serde(rename = #wire)]),
                (true, Some(with)) => quote!(#[serde(rename = #wire, serialize_with = #with)]),
                (false, None) => {
                    quote!(#[serde(rename = #wire, skip_serializing_if = "::lambda_sdk_runtime::__private::is_none")])
                }
                (false, Some(with)) => {
                    quote!(#[serde(rename = #wire, skip_serializing_if = "::lambda_sdk_runtime::__private::is_none", serialize_with = #with)])
                }
            };
            fields.push(quote!(#attrs #field: &'a #ty));
            inits.push(quote!(#field: &request.#field));
        }
        let serde_crate = serde_crate();
        body_struct = quote! {
            /// The members of the request that travel in its JSON body.
            #[derive(::lambda_sdk_runtime::__private::serde::Serialize)]
            #serde_crate
            struct Body<'a> {
                #(#fields,)*
            }
        };
        steps.push(quote!(builder.json_body(&Body { #(#inits,)* })?;));
    }
    if op.checksum_required {
        steps.push(quote!(builder.content_md5();));
    }
    let uses_request = steps
        .iter()
        .any(|step| step.to_string().contains("request"));
    let unused_request = if uses_request {
        quote!()
    } else {
        quote!(let _ = request;)
    };
    quote! {
        #body_struct

        /// Serializes the request by the model's HTTP bindings.
        fn serialize(request: &crate::types::#request) -> ::std::result::Result<#rt::__private::rest_json::PreparedRequest, #rt::error::ConstructionError> {
            #unused_request
            let mut builder = #rt::__private::rest_json::RequestBuilder::new(#method);
            #(#steps)*
            ::std::result::Result::Ok(builder.finish())
        }
    }
}
