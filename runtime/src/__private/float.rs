//! `#[serde(with = "…")]` modules for `double` (`f64`) and `float` (`f32`)
//! members following the restJson1 rule for non-finite values: finite values
//! are JSON numbers, while NaN and the infinities are the JSON strings
//! `"NaN"`, `"Infinity"` and `"-Infinity"`. Deserialization accepts numbers
//! and exactly those three strings.
//!
//! [`f64`](mod@f64) and [`f32`](mod@f32) each have `serialize`,
//! `deserialize`, `null_as_default` and submodules `option`, `list` and
//! `option_list`, e.g. `lambda_sdk_runtime::__private::float::f64::option`.
//!
//! ```
//! use lambda_sdk_runtime::__private::serde_json;
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug)]
//! struct Example {
//!     #[serde(with = "lambda_sdk_runtime::__private::float::f64")]
//!     value: f64,
//!     #[serde(with = "lambda_sdk_runtime::__private::float::f32::list")]
//!     values: Vec<f32>,
//! }
//!
//! let value = Example { value: f64::NEG_INFINITY, values: vec![1.5, f32::NAN] };
//! let json = serde_json::to_string(&value)?;
//! assert_eq!(json, r#"{"value":"-Infinity","values":[1.5,"NaN"]}"#);
//! let back: Example = serde_json::from_str(&json)?;
//! assert_eq!(back.value, f64::NEG_INFINITY);
//! assert!(back.values[1].is_nan());
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;

use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::ser::Serializer;

use super::codec::{Codec, codec_modules};

/// `f64` (Smithy `double`) values.
pub mod f64 {
    super::codec_modules!(
        crate::__private::float::F64Codec,
        ::core::primitive::f64,
        "as a JSON number, or as \"NaN\", \"Infinity\" or \"-Infinity\""
    );
}

/// `f32` (Smithy `float`) values.
pub mod f32 {
    super::codec_modules!(
        crate::__private::float::F32Codec,
        ::core::primitive::f32,
        "as a JSON number, or as \"NaN\", \"Infinity\" or \"-Infinity\""
    );
}

/// The string for a non-finite value, or `None` for a finite one.
fn non_finite_name(value: ::core::primitive::f64) -> Option<&'static str> {
    if value.is_nan() {
        Some("NaN")
    } else if value == ::core::primitive::f64::INFINITY {
        Some("Infinity")
    } else if value == ::core::primitive::f64::NEG_INFINITY {
        Some("-Infinity")
    } else {
        None
    }
}

struct FloatVisitor;

impl Visitor<'_> for FloatVisitor {
    type Value = ::core::primitive::f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a number or one of the strings "NaN", "Infinity", "-Infinity""#)
    }

    fn visit_f64<E: de::Error>(self, v: ::core::primitive::f64) -> Result<Self::Value, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v as ::core::primitive::f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v as ::core::primitive::f64)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match v {
            "NaN" => Ok(::core::primitive::f64::NAN),
            "Infinity" => Ok(::core::primitive::f64::INFINITY),
            "-Infinity" => Ok(::core::primitive::f64::NEG_INFINITY),
            _ => Err(E::invalid_value(Unexpected::Str(v), &self)),
        }
    }
}

pub(crate) enum F64Codec {}

impl Codec for F64Codec {
    type Value = ::core::primitive::f64;

    fn serialize<S: Serializer>(
        value: &::core::primitive::f64,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match non_finite_name(*value) {
            Some(name) => serializer.serialize_str(name),
            None => serializer.serialize_f64(*value),
        }
    }

    fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<::core::primitive::f64, D::Error> {
        deserializer.deserialize_any(FloatVisitor)
    }
}

pub(crate) enum F32Codec {}

impl Codec for F32Codec {
    type Value = ::core::primitive::f32;

    fn serialize<S: Serializer>(
        value: &::core::primitive::f32,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match non_finite_name(::core::primitive::f64::from(*value)) {
            Some(name) => serializer.serialize_str(name),
            None => serializer.serialize_f32(*value),
        }
    }

    /// Reads an `f64` and rounds it to the nearest `f32` (overflowing to an infinity).
    fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<::core::primitive::f32, D::Error> {
        deserializer
            .deserialize_any(FloatVisitor)
            .map(|v| v as ::core::primitive::f32)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug, PartialEq, Default)]
    struct Floats {
        #[serde(with = "crate::__private::float::f64")]
        double: f64,
        #[serde(with = "crate::__private::float::f32")]
        float: f32,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::__private::float::f64::option"
        )]
        opt_double: Option<f64>,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::__private::float::f32::option"
        )]
        opt_float: Option<f32>,
        #[serde(default, with = "crate::__private::float::f64::list")]
        list: Vec<f64>,
        #[serde(default, with = "crate::__private::float::f32::option_list")]
        opt_list: Option<Vec<f32>>,
        #[serde(
            default,
            serialize_with = "crate::__private::float::f64::serialize",
            deserialize_with = "crate::__private::float::f64::null_as_default"
        )]
        required: f64,
    }

    #[test]
    fn finite_values_are_numbers() {
        let value = Floats {
            double: 1.1,
            float: 0.1,
            opt_double: Some(-2.5),
            opt_float: Some(3.0),
            list: vec![0.0, 1e300],
            opt_list: Some(vec![1.5]),
            required: 7.0,
        };
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(
            json,
            r#"{"double":1.1,"float":0.1,"opt_double":-2.5,"opt_float":3.0,"list":[0.0,1e+300],"opt_list":[1.5],"required":7.0}"#
        );
        assert_eq!(serde_json::from_str::<Floats>(&json).unwrap(), value);
    }

    #[test]
    fn non_finite_values_are_strings() {
        let value = Floats {
            double: f64::INFINITY,
            float: f32::NEG_INFINITY,
            opt_double: Some(f64::NAN),
            opt_float: Some(f32::INFINITY),
            list: vec![f64::NEG_INFINITY, 2.0],
            opt_list: Some(vec![f32::NAN]),
            required: f64::NAN,
        };
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(
            json,
            r#"{"double":"Infinity","float":"-Infinity","opt_double":"NaN","opt_float":"Infinity","list":["-Infinity",2.0],"opt_list":["NaN"],"required":"NaN"}"#
        );
        let back: Floats = serde_json::from_str(&json).unwrap();
        assert_eq!(back.double, f64::INFINITY);
        assert_eq!(back.float, f32::NEG_INFINITY);
        assert!(back.opt_double.is_some_and(f64::is_nan));
        assert_eq!(back.opt_float, Some(f32::INFINITY));
        assert_eq!(back.list[0], f64::NEG_INFINITY);
        assert!(back.opt_list.as_ref().is_some_and(|l| l[0].is_nan()));
        assert!(back.required.is_nan());
    }

    #[test]
    fn integers_nulls_and_errors() {
        let back: Floats = serde_json::from_str(
            r#"{"double":3,"float":-4,"opt_double":null,"opt_list":null,"required":null}"#,
        )
        .unwrap();
        assert_eq!(
            back,
            Floats {
                double: 3.0,
                float: -4.0,
                ..Floats::default()
            }
        );
        let e = serde_json::from_str::<Floats>(r#"{"double":"nan","float":1}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"invalid value: string "nan", expected a number or one of the strings "NaN", "Infinity", "-Infinity" at line 1 column 15"#
        );
        let e = serde_json::from_str::<Floats>(r#"{"double":true,"float":1}"#).unwrap_err();
        assert!(
            e.to_string().starts_with("invalid type: boolean `true`"),
            "{e}"
        );
        let big: Floats = serde_json::from_str(r#"{"double":1,"float":1e300}"#).unwrap();
        assert_eq!(big.float, f32::INFINITY);
    }
}
