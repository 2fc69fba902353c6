//! Shared plumbing for the `#[serde(with = "…")]` modules in
//! [`timestamp`](super::timestamp) and [`float`](super::float): a [`Codec`]
//! says how to write and read one value, and [`codec_modules!`] builds the
//! `serialize` / `deserialize` functions for the value itself and for
//! `Option`, `Vec` and `Option<Vec>` of it.

use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A way of writing and reading one `Value`, other than its own serde impls.
pub(crate) trait Codec {
    type Value;

    fn serialize<S: Serializer>(value: &Self::Value, serializer: S) -> Result<S::Ok, S::Error>;

    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self::Value, D::Error>;
}

struct Ser<'a, C: Codec>(&'a C::Value);

impl<C: Codec> Serialize for Ser<'_, C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        C::serialize(self.0, serializer)
    }
}

struct SerList<'a, C: Codec>(&'a [C::Value]);

impl<C: Codec> Serialize for SerList<'_, C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(Ser::<C>))
    }
}

struct De<C: Codec>(C::Value, PhantomData<C>);

impl<'de, C: Codec> Deserialize<'de> for De<C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        C::deserialize(deserializer).map(|value| De(value, PhantomData))
    }
}

pub(crate) fn serialize_option<C: Codec, S: Serializer>(
    value: &Option<C::Value>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.serialize_some(&Ser::<C>(value)),
        None => serializer.serialize_none(),
    }
}

pub(crate) fn deserialize_option<'de, C: Codec, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<C::Value>, D::Error> {
    Ok(Option::<De<C>>::deserialize(deserializer)?.map(|de| de.0))
}

pub(crate) fn deserialize_null_as_default<'de, C, D>(deserializer: D) -> Result<C::Value, D::Error>
where
    C: Codec,
    C::Value: Default,
    D: Deserializer<'de>,
{
    deserialize_option::<C, D>(deserializer).map(Option::unwrap_or_default)
}

pub(crate) fn serialize_list<C: Codec, S: Serializer>(
    values: &[C::Value],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    SerList::<C>(values).serialize(serializer)
}

pub(crate) fn deserialize_list<'de, C: Codec, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<C::Value>, D::Error> {
    let values = Vec::<De<C>>::deserialize(deserializer)?;
    Ok(values.into_iter().map(|de| de.0).collect())
}

pub(crate) fn serialize_option_list<C: Codec, S: Serializer>(
    values: &Option<Vec<C::Value>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match values {
        Some(values) => serializer.serialize_some(&SerList::<C>(values)),
        None => serializer.serialize_none(),
    }
}

pub(crate) fn deserialize_option_list<'de, C: Codec, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<C::Value>>, D::Error> {
    let values = Option::<Vec<De<C>>>::deserialize(deserializer)?;
    Ok(values.map(|values| values.into_iter().map(|de| de.0).collect()))
}

/// Expands, inside a `pub mod`, to the `with` functions for `$codec` (a
/// [`Codec`] with `Value = $value`) and its `option`, `list` and
/// `option_list` submodules. `$what` names the encoding in the docs.
macro_rules! codec_modules {
    ($codec:ty, $value:ty, $what:literal) => {
        #[doc = concat!("Serializes the value ", $what, ".")]
        ///
        /// # Errors
        ///
        /// Whatever the serializer reports.
        pub fn serialize<S: $crate::__private::serde::Serializer>(
            value: &$value,
            serializer: S,
        ) -> ::core::result::Result<S::Ok, S::Error> {
            <$codec as $crate::__private::codec::Codec>::serialize(value, serializer)
        }

        /// [`serialize`] for a field that holds a reference (generated request bodies).
        ///
        /// # Errors
        ///
        /// Whatever the serializer reports.
        pub fn serialize_ref<S: $crate::__private::serde::Serializer>(
            value: &&$value,
            serializer: S,
        ) -> ::core::result::Result<S::Ok, S::Error> {
            serialize(value, serializer)
        }

        #[doc = concat!("Deserializes the value ", $what, ".")]
        ///
        /// # Errors
        ///
        /// When the input is not in that form.
        pub fn deserialize<'de, D: $crate::__private::serde::Deserializer<'de>>(
            deserializer: D,
        ) -> ::core::result::Result<$value, D::Error> {
            <$codec as $crate::__private::codec::Codec>::deserialize(deserializer)
        }

        #[doc = concat!("Like [`deserialize`], but `null` becomes the default value ",
            "(client error correction for required members; use as ",
            "`#[serde(default, serialize_with = \"…::serialize\", ",
            "deserialize_with = \"…::null_as_default\")]`).")]
        ///
        /// # Errors
        ///
        /// When the input is neither `null` nor in the expected form.
        pub fn null_as_default<'de, D: $crate::__private::serde::Deserializer<'de>>(
            deserializer: D,
        ) -> ::core::result::Result<$value, D::Error> {
            $crate::__private::codec::deserialize_null_as_default::<$codec, D>(deserializer)
        }

        #[doc = concat!("`Option` of the value ", $what, "; `None` is `null`. ",
            "Use with `#[serde(default, skip_serializing_if = \"Option::is_none\", with = \"…\")]`.")]
        pub mod option {
            #[doc = concat!("Serializes `Some` ", $what, " and `None` as `null`.")]
            ///
            /// # Errors
            ///
            /// Whatever the serializer reports.
            pub fn serialize<S: $crate::__private::serde::Serializer>(
                value: &::core::option::Option<$value>,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::codec::serialize_option::<$codec, S>(value, serializer)
            }

            /// [`serialize`] for a field that holds a reference (generated request bodies).
            ///
            /// # Errors
            ///
            /// Whatever the serializer reports.
            pub fn serialize_ref<S: $crate::__private::serde::Serializer>(
                value: &&::core::option::Option<$value>,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serialize(value, serializer)
            }

            #[doc = concat!("Deserializes `null` as `None`, otherwise the value ", $what, ".")]
            ///
            /// # Errors
            ///
            /// When the input is neither `null` nor in the expected form.
            pub fn deserialize<'de, D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<::core::option::Option<$value>, D::Error> {
                $crate::__private::codec::deserialize_option::<$codec, D>(deserializer)
            }
        }

        #[doc = concat!("A list (`Vec`) of values, each ", $what, ".")]
        pub mod list {
            #[doc = concat!("Serializes a sequence of values, each ", $what, ".")]
            ///
            /// # Errors
            ///
            /// Whatever the serializer reports.
            pub fn serialize<S: $crate::__private::serde::Serializer>(
                values: &[$value],
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::codec::serialize_list::<$codec, S>(values, serializer)
            }

            /// [`serialize`] for a field that holds a reference (generated request bodies).
            ///
            /// # Errors
            ///
            /// Whatever the serializer reports.
            pub fn serialize_ref<S: $crate::__private::serde::Serializer>(
                values: &&::std::vec::Vec<$value>,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serialize(values, serializer)
            }

            #[doc = concat!("Deserializes a sequence of values, each ", $what, ".")]
            ///
            /// # Errors
            ///
            /// When the input is not a sequence or an element is not in the expected form.
            pub fn deserialize<'de, D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<::std::vec::Vec<$value>, D::Error> {
                $crate::__private::codec::deserialize_list::<$codec, D>(deserializer)
            }
        }

        #[doc = concat!("An optional list (`Option<Vec>`) of values, each ", $what, "; `None` is `null`.")]
        pub mod option_list {
            #[doc = concat!("Serializes `Some` list of values, each ", $what, ", and `None` as `null`.")]
            ///
            /// # Errors
            ///
            /// Whatever the serializer reports.
            pub fn serialize<S: $crate::__private::serde::Serializer>(
                values: &::core::option::Option<::std::vec::Vec<$value>>,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::codec::serialize_option_list::<$codec, S>(values, serializer)
            }

            /// [`serialize`] for a field that holds a reference (generated request bodies).
            ///
            /// # Errors
            ///
            /// Whatever the serializer reports.
            pub fn serialize_ref<S: $crate::__private::serde::Serializer>(
                values: &&::core::option::Option<::std::vec::Vec<$value>>,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serialize(values, serializer)
            }

            #[doc = concat!("Deserializes `null` as `None`, otherwise a list of values, each ", $what, ".")]
            ///
            /// # Errors
            ///
            /// When the input is neither `null` nor a sequence of values in the expected form.
            pub fn deserialize<'de, D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<
                ::core::option::Option<::std::vec::Vec<$value>>,
                D::Error,
            > {
                $crate::__private::codec::deserialize_option_list::<$codec, D>(deserializer)
            }
        }
    };
}

pub(crate) use codec_modules;
