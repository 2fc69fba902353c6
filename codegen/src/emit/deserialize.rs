//! An operation's response deserializer: the output from a success (its body and the members
//! bound to headers or the status), the modeled error shape a failure's code names, or the
//! unhandled error; and the header bindings an error shape reads.

use proc_macro2::TokenStream;
use quote::quote;

use super::serialize::format_tokens;
use super::ty::{named_type, number_type, rust_type};
use super::{ident, rt};
use crate::ir::{Binding, Operation, PayloadKind, Scalar, Structure, TimestampFormat};

/// An expression reading one header bound to a scalar: `Option<T>`, or an early return with
/// the response error naming the member and header.
fn read_header(name: &str, header: &str, scalar: &Scalar) -> TokenStream {
    let rt = rt();
    match scalar {
        Scalar::String { media_type: true } => {
            quote!(#rt::__private::rest_json::header_base64_str(status, headers, #name, #header)?)
        }
        Scalar::String { media_type: false } => {
            quote!(#rt::__private::rest_json::header_str(status, headers, #name, #header)?.map(::std::string::String::from))
        }
        Scalar::Bool => {
            quote!(#rt::__private::rest_json::header_parse::<bool>(status, headers, #name, #header)?)
        }
        Scalar::Number(number) => {
            let t = number_type(*number);
            quote!(#rt::__private::rest_json::header_parse::<#t>(status, headers, #name, #header)?)
        }
        Scalar::Timestamp(format) => {
            let format = format_tokens(*format);
            quote!(#rt::__private::rest_json::header_timestamp(status, headers, #name, #header, #format)?)
        }
        Scalar::Blob => {
            quote!(#rt::__private::rest_json::header_blob(status, headers, #name, #header)?)
        }
        Scalar::Enum(rust_name) => {
            let t = named_type(rust_name);
            quote!(#rt::__private::rest_json::header_str(status, headers, #name, #header)?.map(<#t as ::std::convert::From<&str>>::from))
        }
        Scalar::IntEnum(rust_name) => {
            let t = named_type(rust_name);
            quote!(#rt::__private::rest_json::header_parse::<i32>(status, headers, #name, #header)?.map(<#t as ::std::convert::From<i32>>::from))
        }
    }
}

/// An expression reading a header bound to a list of scalars: its comma-separated items, each
/// parsed.
fn read_header_list(name: &str, header: &str, scalar: &Scalar) -> TokenStream {
    let rt = rt();
    // HTTP dates hold a comma; other timestamp formats split like any list.
    let timestamps = *scalar == Scalar::Timestamp(TimestampFormat::HttpDate);
    let each = match scalar {
        Scalar::String { .. } => quote!(::std::result::Result::Ok(item)),
        Scalar::Blob => quote!(#rt::__private::rest_json::parse_blob(&item)),
        Scalar::Enum(rust_name) => {
            let t = named_type(rust_name);
            quote!(::std::result::Result::Ok(<#t as ::std::convert::From<::std::string::String>>::from(item)))
        }
        Scalar::Timestamp(format) => {
            let format = format_tokens(*format);
            quote!(#rt::DateTime::from_str(&item, #format).map_err(|e| e.to_string()))
        }
        Scalar::IntEnum(rust_name) => {
            let t = named_type(rust_name);
            quote!(item.parse::<i32>().map(<#t as ::std::convert::From<i32>>::from).map_err(|e| ::std::string::ToString::to_string(&e)))
        }
        Scalar::Bool => {
            quote!(
                item.parse::<bool>()
                    .map_err(|e| ::std::string::ToString::to_string(&e))
            )
        }
        Scalar::Number(number) => {
            let t = number_type(*number);
            quote!(item.parse::<#t>().map_err(|e| ::std::string::ToString::to_string(&e)))
        }
    };
    quote! {
        match #rt::__private::rest_json::header_list(status, headers, #name, #header, #timestamps)? {
            ::std::option::Option::None => ::std::option::Option::None,
            ::std::option::Option::Some(items) => ::std::option::Option::Some(
                items
                    .into_iter()
                    .map(|item| #each)
                    .collect::<::std::result::Result<::std::vec::Vec<_>, ::std::string::String>>()
                    .map_err(|e| #rt::__private::rest_json::header_error(status, headers, #name, #header, &e))?,
            ),
        }
    }
}

/// Statements that set header-, status- and prefix-bound members of `target` from `response`.
pub(super) fn read_bindings(s: &Structure, target: TokenStream) -> Vec<TokenStream> {
    let rt = rt();
    let mut steps = Vec::new();
    for m in &s.members {
        let field = ident(&m.field);
        let name = &m.name;
        let value = match &m.binding {
            Binding::Header {
                name: header,
                value,
                list: false,
            } => read_header(name, header, value),
            Binding::Header {
                name: header,
                value,
                list: true,
            } => read_header_list(name, header, value),
            Binding::PrefixHeaders(prefix) => {
                quote!(#rt::__private::rest_json::prefix_headers(status, headers, #name, #prefix)?)
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
    steps
}

pub(super) fn deserializer(op: &Operation) -> TokenStream {
    let rt = rt();
    let output = &op.output;
    let response = ident(&output.rust_name);
    let error = ident(&op.error_name);
    let payload = output.members.iter().find_map(|m| match &m.binding {
        Binding::Payload { kind, .. } => Some((m, *kind)),
        _ => None,
    });
    let has_body = output.members.iter().any(|m| m.binding == Binding::Body);
    let bindings = read_bindings(output, quote!(output));
    let output_mut = if bindings.is_empty() {
        quote!()
    } else {
        quote!(mut)
    };
    let stream_member = payload.map(|(m, _)| m).filter(|m| m.event_stream);
    let init = if stream_member.is_some() {
        // Read by `deserialize_stream`; a buffered success response cannot carry the stream.
        quote! {
            let _ = (status, headers, body);
            ::std::result::Result::Err(#rt::__private::rest_json::response_error(response, "an event stream response is read as a stream"))
        }
    } else if let Some((m, kind)) = payload {
        let field = ident(&m.field);
        let read = match kind {
            PayloadKind::Blob => quote!((!body.is_empty()).then(|| #rt::Blob::from(body.to_vec()))),
            PayloadKind::String => quote! {
                if body.is_empty() { ::std::option::Option::None } else {
                    ::std::option::Option::Some(::std::string::String::from_utf8(body.to_vec()).map_err(|_| #rt::__private::rest_json::response_error(response, "the payload is not UTF-8 text"))?)
                }
            },
            PayloadKind::Enum => {
                let t = rust_type(&m.ty);
                quote! {
                    if body.is_empty() { ::std::option::Option::None } else {
                        ::std::option::Option::Some(<#t as ::std::convert::From<&str>>::from(::std::str::from_utf8(body).map_err(|_| #rt::__private::rest_json::response_error(response, "the payload is not UTF-8 text"))?))
                    }
                }
            }
            PayloadKind::Structure | PayloadKind::Union | PayloadKind::Document => quote! {
                if body.iter().all(u8::is_ascii_whitespace) { ::std::option::Option::None } else {
                    ::std::option::Option::Some(#rt::__private::rest_json::parse_json(status, headers, body).map_err(crate::Error::Response)?)
                }
            },
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
        quote!(let #output_mut output: crate::types::#response = #rt::__private::rest_json::parse_json(status, headers, body).map_err(crate::Error::Response)?;)
    } else {
        quote!(let #output_mut output = crate::types::#response::default();)
    };
    let mut arms = Vec::new();
    for e in &op.errors {
        let variant = ident(&e.rust_name);
        let ty = ident(&e.rust_name);
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
                        head: #rt::__private::ResponseHead,
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
    quote! {
        /// Reads the response: the output on success, the typed error otherwise.
        #[allow(clippy::field_reassign_with_default)]
        fn deserialize(
            response: &#rt::__private::HttpResponse,
        ) -> ::std::result::Result<crate::types::#response, crate::Error<crate::types::#error>> {
            if !response.status().is_success() {
                let meta = #rt::__private::rest_json::error_metadata_of(response);
                #error_value
                return ::std::result::Result::Err(crate::Error::service(error, meta));
            }
            #reads
            #init
            #success_tail
        }

        #stream_fn
    }
}
