//! Rust types of members and their serde attributes.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ident, rt};
use crate::ir::{Member, Number, TimestampFormat, Type};

/// The Rust type of a value.
pub fn rust_type(ty: &Type) -> TokenStream {
    let rt = rt();
    match ty {
        Type::String => quote!(::std::string::String),
        Type::Bool => quote!(bool),
        Type::Byte => quote!(i8),
        Type::Short => quote!(i16),
        Type::Integer => quote!(i32),
        Type::Long => quote!(i64),
        Type::Float => quote!(f32),
        Type::Double => quote!(f64),
        Type::Blob => quote!(#rt::Blob),
        Type::Timestamp => quote!(#rt::DateTime),
        Type::Document => quote!(#rt::Document),
        Type::Named { rust_name, .. } => named_type(rust_name),
        Type::List { element, sparse } => {
            let element = rust_type(element);
            if *sparse {
                quote!(::std::vec::Vec<::std::option::Option<#element>>)
            } else {
                quote!(::std::vec::Vec<#element>)
            }
        }
        Type::Map { value, sparse } => {
            let value = rust_type(value);
            if *sparse {
                quote!(::std::collections::HashMap<::std::string::String, ::std::option::Option<#value>>)
            } else {
                quote!(::std::collections::HashMap<::std::string::String, #value>)
            }
        }
    }
}

/// The type of a shared shape by its Rust name: `crate::types::Name`.
pub fn named_type(rust_name: &str) -> TokenStream {
    let name = ident(rust_name);
    quote!(crate::types::#name)
}

/// The Rust type of a number.
pub fn number_type(number: Number) -> TokenStream {
    match number {
        Number::Byte => quote!(i8),
        Number::Short => quote!(i16),
        Number::Integer => quote!(i32),
        Number::Long => quote!(i64),
        Number::Float => quote!(f32),
        Number::Double => quote!(f64),
    }
}

/// The value type of a member, boxed if recursive (without the `Option` of optional members).
/// An event stream is a receiver of its events.
pub fn value_type(member: &Member) -> TokenStream {
    let ty = rust_type(&member.ty);
    if member.event_stream {
        return quote!(::lambda_sdk_runtime::stream::EventReceiver<#ty>);
    }
    if member.boxed {
        quote!(::std::boxed::Box<#ty>)
    } else {
        ty
    }
}

/// The field type: the value type, in an `Option` unless `@required` (or an event stream, which
/// is always there, possibly empty).
pub fn field_type(member: &Member) -> TokenStream {
    let ty = value_type(member);
    if member.event_stream {
        return ty;
    }
    if member.required {
        ty
    } else {
        quote!(::std::option::Option<#ty>)
    }
}

/// The path of a runtime serde `with` module, when the member's type needs one: timestamps in a
/// non-default format, and floats (NaN and infinities travel as strings).
///
/// `optional` picks the module for `Option<T>` rather than `T`.
pub fn with_module(member: &Member, optional: bool) -> Option<String> {
    const RT: &str = "::lambda_sdk_runtime::__private";
    // The scalar inside the member's type, and whether it sits in a plain list. Lowering
    // refuses a `@timestampFormat` on anything else (a map, a sparse or nested list).
    let (scalar, list) = match &member.ty {
        Type::List {
            element,
            sparse: false,
        } => (&**element, true),
        other => (other, false),
    };
    let base = match (scalar, member.timestamp_format) {
        (Type::Timestamp, Some(TimestampFormat::DateTime)) => format!("{RT}::timestamp::date_time"),
        (Type::Timestamp, Some(TimestampFormat::HttpDate)) => format!("{RT}::timestamp::http_date"),
        (Type::Double, _) => format!("{RT}::float::f64"),
        (Type::Float, _) => format!("{RT}::float::f32"),
        _ => return None,
    };
    Some(match (optional, list) {
        (false, false) => base,
        (true, false) => format!("{base}::option"),
        (false, true) => format!("{base}::list"),
        (true, true) => format!("{base}::option_list"),
    })
}

/// A Rust expression building a default value of the member's value type.
pub fn default_expr(member: &Member, value: &crate::ir::DefaultValue) -> TokenStream {
    use crate::ir::DefaultValue as D;
    let rt = rt();
    let expr = match value {
        D::Bool(b) => quote!(#b),
        D::Integer(i) => match member.ty {
            Type::Byte => {
                let v = *i as i8;
                quote!(#v)
            }
            Type::Short => {
                let v = *i as i16;
                quote!(#v)
            }
            Type::Integer => {
                let v = *i as i32;
                quote!(#v)
            }
            _ => quote!(#i),
        },
        D::Float(f) => match member.ty {
            Type::Float => {
                let v = *f as f32;
                quote!(#v)
            }
            _ => quote!(#f),
        },
        D::String(s) => quote!(::std::string::String::from(#s)),
        D::EnumVariant(variant) => {
            let ty = rust_type(&member.ty);
            let variant = ident(variant);
            quote!(#ty::#variant)
        }
        D::IntEnumValue(v) => {
            let ty = rust_type(&member.ty);
            quote!(<#ty as ::std::convert::From<i32>>::from(#v))
        }
        D::Blob(bytes) => {
            let bytes = proc_macro2::Literal::byte_string(bytes);
            quote!(#rt::Blob::from(&#bytes[..]))
        }
        D::Timestamp(secs, nanos) => quote!(#rt::DateTime::from_secs_and_nanos(#secs, #nanos)),
        D::EmptyList => quote!(::std::vec::Vec::new()),
        D::EmptyMap => quote!(::std::collections::HashMap::new()),
        D::Document(v) => {
            let json = v.to_string();
            quote!(#rt::__private::serde_json::from_str(#json).unwrap_or_default())
        }
    };
    if member.boxed {
        quote!(::std::boxed::Box::new(#expr))
    } else {
        expr
    }
}
