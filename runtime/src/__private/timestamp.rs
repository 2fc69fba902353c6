//! `#[serde(with = "…")]` modules for timestamp members with an explicit
//! `@timestampFormat` trait (members without one use [`DateTime`]'s own
//! serde impls: restJson1 body timestamps default to `epoch-seconds`).
//!
//! Each of [`date_time`], [`http_date`] and [`epoch_seconds`] has
//! `serialize` / `deserialize` for a [`DateTime`], `null_as_default` for
//! required members, and submodules `option` (`Option<DateTime>`), `list`
//! (`Vec<DateTime>`) and `option_list` (`Option<Vec<DateTime>>`), e.g.
//! `lambda_sdk_runtime::__private::timestamp::date_time::option`.
//!
//! ```
//! use lambda_sdk_runtime::DateTime;
//! use lambda_sdk_runtime::__private::serde_json;
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Example {
//!     #[serde(with = "lambda_sdk_runtime::__private::timestamp::http_date")]
//!     modified: DateTime,
//!     #[serde(
//!         default,
//!         skip_serializing_if = "Option::is_none",
//!         with = "lambda_sdk_runtime::__private::timestamp::date_time::option"
//!     )]
//!     expires: Option<DateTime>,
//! }
//!
//! let value = Example { modified: DateTime::from_secs(1_398_796_238), expires: None };
//! let json = serde_json::to_string(&value)?;
//! assert_eq!(json, r#"{"modified":"Tue, 29 Apr 2014 18:30:38 GMT"}"#);
//! assert_eq!(serde_json::from_str::<Example>(&json)?, value);
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;

use super::codec::{Codec, codec_modules};
use crate::{DateTime, DateTimeFormat};

/// RFC 3339 strings, e.g. `"1985-04-12T23:20:50.52Z"`.
pub mod date_time {
    super::codec_modules!(
        crate::__private::timestamp::DateTimeCodec,
        crate::DateTime,
        "as an RFC 3339 `date-time` string such as `\"1985-04-12T23:20:50.52Z\"`"
    );
}

/// IMF-fixdate strings, e.g. `"Tue, 29 Apr 2014 18:30:38 GMT"`.
pub mod http_date {
    super::codec_modules!(
        crate::__private::timestamp::HttpDateCodec,
        crate::DateTime,
        "as an `http-date` (IMF-fixdate) string such as `\"Tue, 29 Apr 2014 18:30:38 GMT\"`"
    );
}

/// JSON numbers of seconds since the epoch, e.g. `1515531081.123`; the same
/// form as [`DateTime`]'s own serde impls.
pub mod epoch_seconds {
    super::codec_modules!(
        crate::__private::timestamp::EpochSecondsCodec,
        crate::DateTime,
        "as an `epoch-seconds` number such as `1515531081.123`"
    );
}

/// A [`DateTime`] as a string in a text format.
fn serialize_text<S: Serializer>(
    value: &DateTime,
    format: DateTimeFormat,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.fmt(format))
}

struct TextVisitor(DateTimeFormat);

impl Visitor<'_> for TextVisitor {
    type Value = DateTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} timestamp string", self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<DateTime, E> {
        DateTime::from_str(v, self.0).map_err(E::custom)
    }
}

pub(crate) enum DateTimeCodec {}

impl Codec for DateTimeCodec {
    type Value = DateTime;

    fn serialize<S: Serializer>(value: &DateTime, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_text(value, DateTimeFormat::DateTime, serializer)
    }

    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime, D::Error> {
        deserializer.deserialize_str(TextVisitor(DateTimeFormat::DateTime))
    }
}

pub(crate) enum HttpDateCodec {}

impl Codec for HttpDateCodec {
    type Value = DateTime;

    fn serialize<S: Serializer>(value: &DateTime, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_text(value, DateTimeFormat::HttpDate, serializer)
    }

    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime, D::Error> {
        deserializer.deserialize_str(TextVisitor(DateTimeFormat::HttpDate))
    }
}

pub(crate) enum EpochSecondsCodec {}

impl Codec for EpochSecondsCodec {
    type Value = DateTime;

    fn serialize<S: Serializer>(value: &DateTime, serializer: S) -> Result<S::Ok, S::Error> {
        crate::primitives::serialize_epoch_seconds(value, serializer)
    }

    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime, D::Error> {
        crate::primitives::deserialize_epoch_seconds(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use crate::DateTime;

    #[derive(Serialize, Deserialize, Debug, PartialEq, Default)]
    struct Formats {
        #[serde(with = "crate::__private::timestamp::date_time")]
        date_time: DateTime,
        #[serde(with = "crate::__private::timestamp::http_date")]
        http_date: DateTime,
        #[serde(with = "crate::__private::timestamp::epoch_seconds")]
        epoch_seconds: DateTime,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::__private::timestamp::date_time::option"
        )]
        opt: Option<DateTime>,
        #[serde(default, with = "crate::__private::timestamp::http_date::list")]
        list: Vec<DateTime>,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::__private::timestamp::epoch_seconds::option_list"
        )]
        opt_list: Option<Vec<DateTime>>,
        #[serde(
            default,
            serialize_with = "crate::__private::timestamp::date_time::serialize",
            deserialize_with = "crate::__private::timestamp::date_time::null_as_default"
        )]
        required: DateTime,
    }

    fn t(secs: i64, nanos: u32) -> DateTime {
        DateTime::from_secs_and_nanos(secs, nanos)
    }

    #[test]
    fn round_trip_all_shapes() {
        let value = Formats {
            date_time: t(482_196_050, 520_000_000),
            http_date: t(1_398_796_238, 123_000_000),
            epoch_seconds: t(1, 123_000_000),
            opt: Some(t(-1, 999_000_000)),
            list: vec![t(0, 0), t(951_782_400, 0)],
            opt_list: Some(vec![t(-2, 500_000_000), t(1_515_531_081, 0)]),
            required: t(1_576_540_098, 0),
        };
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"date_time":"1985-04-12T23:20:50.52Z","#,
                r#""http_date":"Tue, 29 Apr 2014 18:30:38.123 GMT","#,
                r#""epoch_seconds":1.123,"#,
                r#""opt":"1969-12-31T23:59:59.999Z","#,
                r#""list":["Thu, 01 Jan 1970 00:00:00 GMT","Tue, 29 Feb 2000 00:00:00 GMT"],"#,
                r#""opt_list":[-1.5,1515531081],"#,
                r#""required":"2019-12-16T23:48:18Z"}"#
            )
        );
        assert_eq!(serde_json::from_str::<Formats>(&json).unwrap(), value);
    }

    #[test]
    fn nulls_and_missing() {
        let json = concat!(
            r#"{"date_time":"1970-01-01T00:00:00Z","http_date":"Thu, 01 Jan 1970 00:00:00 GMT","#,
            r#""epoch_seconds":0,"opt":null,"opt_list":null,"required":null}"#
        );
        let value: Formats = serde_json::from_str(json).unwrap();
        assert_eq!(value, Formats::default());
        let json = r#"{"date_time":"1970-01-01T00:00:00Z","http_date":"Thu, 01 Jan 1970 00:00:00 GMT","epoch_seconds":0}"#;
        let value: Formats = serde_json::from_str(json).unwrap();
        assert_eq!(value, Formats::default());
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            concat!(
                r#"{"date_time":"1970-01-01T00:00:00Z","http_date":"Thu, 01 Jan 1970 00:00:00 GMT","#,
                r#""epoch_seconds":0,"list":[],"required":"1970-01-01T00:00:00Z"}"#
            )
        );
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct One {
        #[serde(with = "crate::__private::timestamp::date_time")]
        at: DateTime,
    }

    #[test]
    fn errors_name_the_format_and_input() {
        let e = serde_json::from_str::<One>(r#"{"at":"2019-02-29T00:00:00Z"}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid date-time timestamp \"2019-02-29T00:00:00Z\": \
             day 29 is out of range for 2019-02 (01-28) at line 1 column 28"
        );
        let e = serde_json::from_str::<One>(r#"{"at":1576540098}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid type: integer `1576540098`, expected a date-time timestamp string at line 1 column 16"
        );
        let e = serde_json::from_str::<One>(r#"{"at":null}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("expected a date-time timestamp string"),
            "{e}"
        );
    }
}
