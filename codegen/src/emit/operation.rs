//! Operations: the `{Op}Error` enum, the client method, the request serializer, the response
//! deserializer and, for `@paginated` operations, the paginator. All behaviour lives in the
//! runtime; this code only binds model members to runtime calls.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::ty::{rust_type, with_module};
use super::{doc_attrs, ident, rt, serde_crate};
use crate::Error;
use crate::ir::{
    Binding, ErrorInfo, Member, NamedKind, Operation, PathSegment, Structure, TimestampFormat, Type,
};

/// Modeled errors by Rust name, with their structures.
pub type ErrorShapes<'a> = BTreeMap<&'a str, (&'a Structure, &'a ErrorInfo)>;

/// `operation/<op>/error.rs`.
pub fn error_file(op: &Operation, errors: &ErrorShapes<'_>) -> Result<TokenStream, Error> {
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
        let (shape, _) = errors.get(e.rust_name.as_str()).ok_or_else(|| {
            Error::shape(&op.shape_id, format!("error `{}` has no structure", e.code))
        })?;
        let variant = ident(&e.rust_name);
        let ty = ident(&shape.rust_name);
        let first_line = shape.docs.lines().next().unwrap_or("").to_string();
        let vdoc = format!(" `{}`: {first_line}", e.code);
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
    Ok(quote! {
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
    })
}

/// `operation/<op>/call.rs`: the client method, serializer, deserializer and paginator.
pub fn call_file(op: &Operation, errors: &ErrorShapes<'_>) -> Result<TokenStream, Error> {
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
    let serialize = serializer(op)?;
    let deserialize = deserializer(op, errors)?;
    if let Some(m) = op.input.members.iter().find(|m| m.event_stream) {
        return Err(Error::shape(
            format!("{}${}", op.input.shape_id, m.name),
            "event streams in requests are not supported (no Lambda operation sends one)",
        ));
    }
    let call = if op.output.members.iter().any(|m| m.event_stream) {
        quote!(self.handle().call_streaming(#op_name, &request, prepared, deserialize, deserialize_stream))
    } else {
        quote!(self.handle().call(#op_name, &request, prepared, deserialize))
    };
    let paginator = paginator(op);
    Ok(quote! {
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
    })
}

/// A `&str` expression for a scalar value bound to a label, query or header (borrowing a
/// temporary `String` for non-strings, which lives until the end of the statement).
fn scalar_to_string(
    member_id: &str,
    ty: &Type,
    v: TokenStream,
    format: TimestampFormat,
) -> Result<TokenStream, Error> {
    let rt = rt();
    let owned = |expr: TokenStream| quote!(::std::string::String::as_str(&#expr));
    Ok(match ty {
        Type::String => quote!(::std::string::String::as_str(#v)),
        Type::Bool | Type::Byte | Type::Short | Type::Integer | Type::Long => {
            owned(quote!(::std::string::ToString::to_string(#v)))
        }
        Type::Float => owned(quote!(#rt::rest_json::fmt_f32(*#v))),
        Type::Double => owned(quote!(#rt::rest_json::fmt_float(*#v))),
        Type::Timestamp => {
            let f = format_tokens(format);
            owned(quote!(#rt::rest_json::fmt_timestamp(#v, #f)))
        }
        Type::Blob => owned(quote!(#rt::rest_json::fmt_blob(#v))),
        Type::Named {
            kind: NamedKind::Enum,
            ..
        } => {
            let t = rust_type(ty);
            quote!(#t::as_str(#v))
        }
        Type::Named {
            kind: NamedKind::IntEnum,
            ..
        } => owned(quote!(::std::string::ToString::to_string(&#v.as_i32()))),
        _ => {
            return Err(Error::shape(
                member_id,
                "only strings, numbers, booleans, timestamps, blobs and enums can be bound to a path, query or header",
            ));
        }
    })
}

fn format_tokens(format: TimestampFormat) -> TokenStream {
    let rt = rt();
    match format {
        TimestampFormat::DateTime => quote!(#rt::DateTimeFormat::DateTime),
        TimestampFormat::HttpDate => quote!(#rt::DateTimeFormat::HttpDate),
        TimestampFormat::EpochSeconds => quote!(#rt::DateTimeFormat::EpochSeconds),
    }
}

fn serializer(op: &Operation) -> Result<TokenStream, Error> {
    let rt = rt();
    let input = &op.input;
    let request = ident(&input.rust_name);
    let method = &op.http.method;
    let member_id = |m: &Member| format!("{}${}", input.shape_id, m.name);
    let mut steps = Vec::new();
    for segment in &op.http.path {
        match segment {
            PathSegment::Literal(text) => steps.push(quote!(builder.literal(#text);)),
            PathSegment::Label { member, greedy } => {
                let m = input
                    .members
                    .iter()
                    .find(|m| &m.name == member)
                    .ok_or_else(|| {
                        Error::shape(&op.shape_id, format!("no member for label `{member}`"))
                    })?;
                let field = ident(&m.field);
                let value = scalar_to_string(
                    &member_id(m),
                    &m.ty,
                    quote!(&request.#field),
                    m.timestamp_format.unwrap_or(TimestampFormat::DateTime),
                )?;
                let name = &m.name;
                let value = if m.required {
                    value
                } else {
                    return Err(Error::shape(member_id(m), "a path label must be @required"));
                };
                steps.push(quote!(builder.label(#name, #value, #greedy)?;));
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
            Binding::Query(key) => {
                let format = m.timestamp_format.unwrap_or(TimestampFormat::DateTime);
                let push = match &m.ty {
                    Type::List { element, .. } => {
                        let item = scalar_to_string(&member_id(m), element, quote!(item), format)?;
                        quote!(for item in value { builder.query(#key, #item); })
                    }
                    ty => {
                        let v = scalar_to_string(&member_id(m), ty, quote!(value), format)?;
                        quote!(builder.query(#key, #v);)
                    }
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
            Binding::QueryParams => {
                let push = match &m.ty {
                    Type::Map { value, .. } => match &**value {
                        Type::String => quote!(builder.query_param(key, value);),
                        Type::List { element, .. } if **element == Type::String => {
                            quote!(for item in value {
                                builder.query_param(key, item);
                            })
                        }
                        _ => {
                            return Err(Error::shape(
                                member_id(m),
                                "@httpQueryParams needs a map of strings or of string lists",
                            ));
                        }
                    },
                    _ => return Err(Error::shape(member_id(m), "@httpQueryParams needs a map")),
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
            Binding::Header(header) => {
                let format = m.timestamp_format.unwrap_or(TimestampFormat::HttpDate);
                let set = match &m.ty {
                    Type::List { element, .. } => {
                        let item = scalar_to_string(&member_id(m), element, quote!(item), format)?;
                        let quote_items = **element == Type::String;
                        quote! {
                            let items: ::std::vec::Vec<::std::string::String> =
                                value.iter().map(|item| ::std::string::ToString::to_string(#item)).collect();
                            builder.header(#name, #header, &#rt::rest_json::join_header_values(&items, #quote_items))?;
                        }
                    }
                    Type::String if m.media_type.is_some() => {
                        quote!(builder.header(#name, #header, &#rt::rest_json::fmt_base64_str(value))?;)
                    }
                    ty => {
                        let v = scalar_to_string(&member_id(m), ty, quote!(value), format)?;
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
            Binding::Body | Binding::Label | Binding::Payload { .. } | Binding::ResponseCode => {}
        }
    }
    let payload = input
        .members
        .iter()
        .find(|m| matches!(m.binding, Binding::Payload { .. }));
    let body_members: Vec<&Member> = input
        .members
        .iter()
        .filter(|m| m.binding == Binding::Body)
        .collect();
    let mut body_struct = quote!();
    if let Some(m) = payload {
        let field = ident(&m.field);
        let media_type = match &m.binding {
            Binding::Payload { media_type, .. } => media_type.clone(),
            _ => None,
        };
        let value = if m.required {
            quote!(::std::option::Option::Some(&request.#field))
        } else {
            quote!(request.#field.as_ref())
        };
        match &m.ty {
            Type::Blob => {
                let ct = media_type
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".into());
                steps.push(quote! {
                    if let ::std::option::Option::Some(value) = #value {
                        builder.raw_body(value.as_bytes().to_vec(), #ct);
                    }
                });
            }
            Type::String => {
                let ct = media_type.clone().unwrap_or_else(|| "text/plain".into());
                steps.push(quote! {
                    if let ::std::option::Option::Some(value) = #value {
                        builder.raw_body(value.as_bytes().to_vec(), #ct);
                    }
                });
            }
            Type::Named {
                kind: NamedKind::Enum,
                ..
            } => {
                let ct = media_type.clone().unwrap_or_else(|| "text/plain".into());
                steps.push(quote! {
                    if let ::std::option::Option::Some(value) = #value {
                        builder.raw_body(value.as_str().as_bytes().to_vec(), #ct);
                    }
                });
            }
            Type::Named {
                kind: NamedKind::Union,
                ..
            }
            | Type::Document => {
                // An unset union or document payload sends no body.
                steps.push(quote! {
                    if let ::std::option::Option::Some(value) = #value {
                        builder.json_body(value)?;
                    }
                });
            }
            Type::Named {
                kind: NamedKind::Structure,
                ..
            } => {
                // An unset structure payload is sent as an empty JSON object.
                steps.push(quote! {
                    match #value {
                        ::std::option::Option::Some(value) => { builder.json_body(value)?; }
                        ::std::option::Option::None => { builder.json_body(&#rt::__private::union::Empty {})?; }
                    }
                });
            }
            _ => {
                return Err(Error::shape(
                    member_id(m),
                    "this type cannot be an @httpPayload",
                ));
            }
        }
    } else if !body_members.is_empty() {
        let mut fields = Vec::new();
        let mut inits = Vec::new();
        for m in &body_members {
            let field = ident(&m.field);
            let ty = super::ty::field_type(m);
            let wire = &m.json_name;
            let with =
                with_module(&member_id(m), m, !m.required)?.map(|w| format!("{w}::serialize_ref"));
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
    Ok(quote! {
        #body_struct

        /// Serializes the request by the model's HTTP bindings.
        fn serialize(request: &crate::types::#request) -> ::std::result::Result<#rt::rest_json::PreparedRequest, #rt::error::ConstructionError> {
            #unused_request
            let mut builder = #rt::rest_json::RequestBuilder::new(#method);
            #(#steps)*
            ::std::result::Result::Ok(builder.finish())
        }
    })
}

/// Statements that set header-, status- and prefix-bound members of `target` from `response`.
pub(super) fn read_bindings(s: &Structure, target: TokenStream) -> Result<Vec<TokenStream>, Error> {
    let rt = rt();
    let mut steps = Vec::new();
    for m in &s.members {
        let field = ident(&m.field);
        let name = &m.name;
        let member_id = format!("{}${}", s.shape_id, m.name);
        let value = match &m.binding {
            Binding::Header(header) => {
                let format = format_tokens(m.timestamp_format.unwrap_or(TimestampFormat::HttpDate));
                let read = |ty: &Type| -> Result<TokenStream, Error> {
                    Ok(match ty {
                        Type::String if m.media_type.is_some() => {
                            quote!(#rt::rest_json::header_base64_str(status, headers, #name, #header)?)
                        }
                        Type::String => {
                            quote!(#rt::rest_json::header_str(status, headers, #name, #header)?.map(::std::string::String::from))
                        }
                        Type::Bool
                        | Type::Byte
                        | Type::Short
                        | Type::Integer
                        | Type::Long
                        | Type::Float
                        | Type::Double => {
                            let t = rust_type(ty);
                            quote!(#rt::rest_json::header_parse::<#t>(status, headers, #name, #header)?)
                        }
                        Type::Timestamp => {
                            quote!(#rt::rest_json::header_timestamp(status, headers, #name, #header, #format)?)
                        }
                        Type::Blob => {
                            quote!(#rt::rest_json::header_blob(status, headers, #name, #header)?)
                        }
                        Type::Named {
                            kind: NamedKind::Enum,
                            ..
                        } => {
                            let t = rust_type(ty);
                            quote!(#rt::rest_json::header_str(status, headers, #name, #header)?.map(<#t as ::std::convert::From<&str>>::from))
                        }
                        Type::Named {
                            kind: NamedKind::IntEnum,
                            ..
                        } => {
                            let t = rust_type(ty);
                            quote!(#rt::rest_json::header_parse::<i32>(status, headers, #name, #header)?.map(<#t as ::std::convert::From<i32>>::from))
                        }
                        Type::List { element, .. } => {
                            // HTTP dates hold a comma; other timestamp formats split like any list.
                            let timestamps = **element == Type::Timestamp
                                && m.timestamp_format.unwrap_or(TimestampFormat::HttpDate)
                                    == TimestampFormat::HttpDate;
                            let each = match &**element {
                                Type::String => quote!(::std::result::Result::Ok(item)),
                                Type::Named {
                                    kind: NamedKind::Enum,
                                    ..
                                } => {
                                    let t = rust_type(element);
                                    quote!(::std::result::Result::Ok(<#t as ::std::convert::From<::std::string::String>>::from(item)))
                                }
                                Type::Timestamp => {
                                    quote!(#rt::DateTime::from_str(&item, #format).map_err(|e| e.to_string()))
                                }
                                Type::Named {
                                    kind: NamedKind::IntEnum,
                                    ..
                                } => {
                                    let t = rust_type(element);
                                    quote!(item.parse::<i32>().map(<#t as ::std::convert::From<i32>>::from).map_err(|e| ::std::string::ToString::to_string(&e)))
                                }
                                Type::Bool
                                | Type::Byte
                                | Type::Short
                                | Type::Integer
                                | Type::Long
                                | Type::Float
                                | Type::Double => {
                                    let t = rust_type(element);
                                    quote!(item.parse::<#t>().map_err(|e| ::std::string::ToString::to_string(&e)))
                                }
                                _ => {
                                    return Err(Error::shape(
                                        &member_id,
                                        "this list type cannot be read from a header",
                                    ));
                                }
                            };
                            quote! {
                                match #rt::rest_json::header_list(status, headers, #name, #header, #timestamps)? {
                                    ::std::option::Option::None => ::std::option::Option::None,
                                    ::std::option::Option::Some(items) => ::std::option::Option::Some(
                                        items
                                            .into_iter()
                                            .map(|item| #each)
                                            .collect::<::std::result::Result<::std::vec::Vec<_>, ::std::string::String>>()
                                            .map_err(|e| #rt::rest_json::header_error(status, headers, #name, #header, &e))?,
                                    ),
                                }
                            }
                        }
                        _ => {
                            return Err(Error::shape(
                                &member_id,
                                "this type cannot be read from a header",
                            ));
                        }
                    })
                };
                read(&m.ty)?
            }
            Binding::PrefixHeaders(prefix) => {
                quote!(#rt::rest_json::prefix_headers(status, headers, #name, #prefix)?)
            }
            Binding::ResponseCode => quote!(::std::option::Option::Some(
                ::std::convert::From::from(status)
            )),
            _ => continue,
        };
        if m.required {
            steps.push(quote!(#target.#field = (#value).unwrap_or_default();));
        } else {
            steps.push(quote!(#target.#field = #value;));
        }
    }
    Ok(steps)
}

fn deserializer(op: &Operation, errors: &ErrorShapes<'_>) -> Result<TokenStream, Error> {
    let rt = rt();
    let output = &op.output;
    let response = ident(&output.rust_name);
    let error = ident(&op.error_name);
    let payload = output
        .members
        .iter()
        .find(|m| matches!(m.binding, Binding::Payload { .. }));
    let has_body = output.members.iter().any(|m| m.binding == Binding::Body);
    let bindings = read_bindings(output, quote!(output))?;
    let output_mut = if bindings.is_empty() {
        quote!()
    } else {
        quote!(mut)
    };
    let stream_member = payload.filter(|m| m.event_stream);
    let init = if stream_member.is_some() {
        // Read by `deserialize_stream`; a buffered success response cannot carry the stream.
        quote! {
            let _ = (status, headers, body);
            ::std::result::Result::Err(#rt::client::response_error(response, "an event stream response is read as a stream"))
        }
    } else if let Some(m) = payload {
        let field = ident(&m.field);
        let read = match &m.ty {
            Type::Blob => quote!((!body.is_empty()).then(|| #rt::Blob::from(body.to_vec()))),
            Type::String => quote! {
                if body.is_empty() { ::std::option::Option::None } else {
                    ::std::option::Option::Some(::std::string::String::from_utf8(body.to_vec()).map_err(|_| #rt::client::response_error(response, "the payload is not UTF-8 text"))?)
                }
            },
            Type::Named {
                kind: NamedKind::Enum,
                ..
            } => {
                let t = rust_type(&m.ty);
                quote! {
                    if body.is_empty() { ::std::option::Option::None } else {
                        ::std::option::Option::Some(<#t as ::std::convert::From<&str>>::from(::std::str::from_utf8(body).map_err(|_| #rt::client::response_error(response, "the payload is not UTF-8 text"))?))
                    }
                }
            }
            Type::Named {
                kind: NamedKind::Structure | NamedKind::Union,
                ..
            }
            | Type::Document => quote! {
                if body.iter().all(u8::is_ascii_whitespace) { ::std::option::Option::None } else {
                    ::std::option::Option::Some(#rt::rest_json::parse_json(status, headers, body).map_err(crate::Error::Response)?)
                }
            },
            _ => {
                return Err(Error::shape(
                    format!("{}${}", output.shape_id, m.name),
                    "this type cannot be an @httpPayload",
                ));
            }
        };
        let read = if m.boxed {
            quote!((#read).map(::std::boxed::Box::new))
        } else {
            read
        };
        let assign = if m.required {
            quote!(output.#field = (#read).unwrap_or_default();)
        } else {
            quote!(output.#field = #read;)
        };
        quote! {
            let mut output = crate::types::#response::default();
            #assign
        }
    } else if has_body {
        quote!(let #output_mut output: crate::types::#response = #rt::rest_json::parse_json(status, headers, body).map_err(crate::Error::Response)?;)
    } else {
        quote!(let #output_mut output = crate::types::#response::default();)
    };
    let mut arms = Vec::new();
    for e in &op.errors {
        let (shape, _) = errors.get(e.rust_name.as_str()).ok_or_else(|| {
            Error::shape(&op.shape_id, format!("error `{}` has no structure", e.code))
        })?;
        let variant = ident(&e.rust_name);
        let ty = ident(&shape.rust_name);
        let code = &e.code;
        arms.push(quote! {
            ::std::option::Option::Some(#code) => crate::types::#ty::from_response(response)?.map(Error::#variant),
        });
    }
    let (success_tail, stream_fn) = match stream_member {
        None => (
            quote!(#(#bindings)* ::std::result::Result::Ok(output)),
            quote!(),
        ),
        Some(m) => {
            let field = ident(&m.field);
            (
                quote!(),
                quote! {
                    /// Reads a successful event-stream response: bindings from the head, events
                    /// from the body as they arrive.
                    #[allow(clippy::field_reassign_with_default)]
                    fn deserialize_stream(
                        head: #rt::client::ResponseHead,
                        body: #rt::stream::ByteStream,
                    ) -> ::std::result::Result<crate::types::#response, crate::Error<crate::types::#error>> {
                        let status = head.status.as_u16();
                        let headers = &head.headers;
                        let mut output = crate::types::#response::default();
                        #(#bindings)*
                        output.#field = #rt::stream::EventReceiver::new(body);
                        ::std::result::Result::Ok(output)
                    }
                },
            )
        }
    };
    let unhandled =
        quote!(crate::types::#error::Unhandled(#rt::error::Unhandled::new(meta.clone())));
    let error_value = if arms.is_empty() {
        quote!(let error = #unhandled;)
    } else {
        // A modeled error whose body does not match the model is still that service error:
        // it is kept as an unhandled one, with its code, message and retry classification.
        quote! {
            use crate::types::#error as Error;
            let error = match meta.code() {
                #(#arms)*
                _ => ::std::option::Option::None,
            };
            let error = error.unwrap_or_else(|| Error::Unhandled(#rt::error::Unhandled::new(meta.clone())));
        }
    };
    // The parts of the response the success path reads: each is bound only when used.
    let success_path = quote!(#init #success_tail).to_string();
    let uses = |name: &str| {
        success_path
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| word == name)
    };
    let status = uses("status").then(|| quote!(let status = response.status().as_u16();));
    let headers = uses("headers").then(|| quote!(let headers = response.headers();));
    let body = uses("body").then(|| quote!(let body: &[u8] = response.body();));
    let reads = quote!(#status #headers #body);
    Ok(quote! {
        /// Reads the response: the output on success, the typed error otherwise.
        #[allow(clippy::field_reassign_with_default)]
        fn deserialize(
            response: &#rt::client::HttpResponse,
        ) -> ::std::result::Result<crate::types::#response, crate::Error<crate::types::#error>> {
            if !response.status().is_success() {
                let meta = #rt::rest_json::error_metadata_of(response);
                #error_value
                return ::std::result::Result::Err(crate::Error::service(error, meta));
            }
            #reads
            #init
            #success_tail
        }

        #stream_fn
    })
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
