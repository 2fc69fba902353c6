//! String and int enums: known variants plus `Unknown`, which keeps values the model does not
//! know so they round-trip.

use proc_macro2::TokenStream;
use quote::quote;

use super::{REDACTED, doc_attrs, ident, rt, serde_crate};
use crate::ir::{EnumValue, Enumeration};

/// The file of an enum in `types/`.
pub fn enum_file(e: &Enumeration) -> TokenStream {
    let module_doc = format!(" The `{}` enumeration.", e.rust_name);
    let body = if e.int { int_enum(e) } else { string_enum(e) };
    let _ = serde_crate;
    quote! {
        #![doc = #module_doc]
        #body
    }
}

fn debug(e: &Enumeration) -> (TokenStream, TokenStream) {
    let name = ident(&e.rust_name);
    if e.sensitive {
        (
            quote!(),
            quote! {
                impl ::std::fmt::Debug for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#REDACTED)
                    }
                }
            },
        )
    } else {
        (quote!(::std::fmt::Debug,), quote!())
    }
}

fn variant_attrs(e: &Enumeration) -> Vec<TokenStream> {
    e.variants
        .iter()
        .map(|v| {
            let docs = doc_attrs(&v.docs);
            let id = ident(&v.ident);
            let deprecated = v.deprecated.then(|| quote!(#[deprecated]));
            quote!(#docs #deprecated #id)
        })
        .collect()
}

fn string_enum(e: &Enumeration) -> TokenStream {
    let name = ident(&e.rust_name);
    let docs = doc_attrs(&e.docs);
    let rt = rt();
    let (derive_debug, debug_impl) = debug(e);
    let variants = variant_attrs(e);
    let idents: Vec<_> = e.variants.iter().map(|v| ident(&v.ident)).collect();
    let values: Vec<String> = e
        .variants
        .iter()
        .map(|v| match &v.value {
            EnumValue::String(s) => s.clone(),
            EnumValue::Int(i) => i.to_string(),
        })
        .collect();
    let unknown_doc = format!(
        " A value this version of the SDK does not know; it is kept as sent, so it round-trips. \
         The default `{}` is `Unknown` with an empty string: the zero value used when a response omits a required member.",
        e.rust_name
    );
    let allow_deprecated = e
        .variants
        .iter()
        .any(|v| v.deprecated)
        .then(|| quote!(#[allow(deprecated)]));
    quote! {
        #docs
        #[non_exhaustive]
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash, #derive_debug)]
        pub enum #name {
            #(#variants,)*
            #[doc = #unknown_doc]
            Unknown(::std::string::String),
        }

        #allow_deprecated
        impl #name {
            /// Every value the model knows, as sent on the wire.
            pub const VALUES: &'static [&'static str] = &[#(#values),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #values,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }
        }

        #allow_deprecated
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#values => Self::#idents,)*
                    other => Self::Unknown(::std::string::String::from(other)),
                }
            }
        }

        #allow_deprecated
        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    #(#values => Self::#idents,)*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::default::Default for #name {
            fn default() -> Self {
                Self::Unknown(::std::string::String::new())
            }
        }

        impl #rt::__private::serde::Serialize for #name {
            fn serialize<S: #rt::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> #rt::__private::serde::Deserialize<'de> for #name {
            fn deserialize<D: #rt::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <::std::string::String as #rt::__private::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }

        #debug_impl
    }
}

fn int_enum(e: &Enumeration) -> TokenStream {
    let name = ident(&e.rust_name);
    let docs = doc_attrs(&e.docs);
    let rt = rt();
    let (derive_debug, debug_impl) = debug(e);
    let variants = variant_attrs(e);
    let idents: Vec<_> = e.variants.iter().map(|v| ident(&v.ident)).collect();
    let values: Vec<i32> = e
        .variants
        .iter()
        .map(|v| match &v.value {
            EnumValue::Int(i) => *i,
            EnumValue::String(_) => 0,
        })
        .collect();
    let allow_deprecated = e
        .variants
        .iter()
        .any(|v| v.deprecated)
        .then(|| quote!(#[allow(deprecated)]));
    quote! {
        #docs
        #[non_exhaustive]
        #[derive(::std::clone::Clone, ::std::marker::Copy, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash, #derive_debug)]
        pub enum #name {
            #(#variants,)*
            /// A value this version of the SDK does not know; it is kept as sent, so it round-trips.
            Unknown(i32),
        }

        #allow_deprecated
        impl #name {
            /// Every value the model knows, as sent on the wire.
            pub const VALUES: &'static [i32] = &[#(#values),*];

            /// The value as sent on the wire.
            pub fn as_i32(&self) -> i32 {
                match self {
                    #(Self::#idents => #values,)*
                    Self::Unknown(value) => *value,
                }
            }
        }

        #allow_deprecated
        impl ::std::convert::From<i32> for #name {
            fn from(value: i32) -> Self {
                match value {
                    #(#values => Self::#idents,)*
                    other => Self::Unknown(other),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::num::ParseIntError;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                value.parse::<i32>().map(Self::from)
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.as_i32(), f)
            }
        }

        impl ::std::default::Default for #name {
            fn default() -> Self {
                Self::from(0)
            }
        }

        impl #rt::__private::serde::Serialize for #name {
            fn serialize<S: #rt::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_i32(self.as_i32())
            }
        }

        impl<'de> #rt::__private::serde::Deserialize<'de> for #name {
            fn deserialize<D: #rt::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <i32 as #rt::__private::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }

        #debug_impl
    }
}
