//! [`DateTime`], a UTC instant with nanosecond precision, and its Smithy
//! timestamp formats.

mod civil;
mod decimal;
#[cfg(test)]
mod tests;
mod text;

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, Deserialize, Deserializer, Unexpected, Visitor};
use serde::ser::{self, Serialize, Serializer};

const NANOS_PER_SEC: u32 = 1_000_000_000;

/// An instant in time, in UTC, with nanosecond precision: the Smithy
/// `timestamp` type.
///
/// It is stored as whole seconds since the Unix epoch (1970-01-01T00:00:00Z)
/// plus a nanosecond part that is always in `0..1_000_000_000` and always
/// *added*, so `-1.5` seconds is `secs() == -2`, `subsec_nanos() == 500_000_000`.
/// The ordering, equality and hash follow the instant. [`Default`] is the epoch.
///
/// The range is all of `i64` seconds. The text formats cover the years
/// 0000–9999 (see [`DateTime::fmt`] for instants outside them).
///
/// Serde: the [`Serialize`] / [`Deserialize`] impls use the restJson1 default
/// format for body members, `epoch-seconds` as a JSON number (`1515531081`
/// or `1515531081.123`); the conversion to and from numbers goes through
/// decimal text, so `1.123` stays exactly `1` s + `123_000_000` ns.
///
/// # Examples
///
/// ```
/// use lambda_sdk_runtime::{DateTime, DateTimeFormat};
///
/// let t = DateTime::from_str("1985-04-12T23:20:50.52Z", DateTimeFormat::DateTime)?;
/// assert_eq!(t.secs(), 482_196_050);
/// assert_eq!(t.subsec_nanos(), 520_000_000);
/// assert_eq!(t.fmt(DateTimeFormat::HttpDate), "Fri, 12 Apr 1985 23:20:50.520 GMT");
/// assert_eq!(t.fmt(DateTimeFormat::EpochSeconds), "482196050.52");
/// assert_eq!(t.to_string(), "1985-04-12T23:20:50.52Z");
///
/// // Before the epoch the nanoseconds still count forwards.
/// let t = DateTime::from_fractional_secs(-1.5).unwrap();
/// assert_eq!((t.secs(), t.subsec_nanos()), (-2, 500_000_000));
///
/// // As a JSON body member: a number of seconds.
/// let t = DateTime::from_secs_and_nanos(1, 123_000_000);
/// assert_eq!(serde_json::to_string(&t)?, "1.123");
/// assert_eq!(serde_json::from_str::<DateTime>("1.123")?, t);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DateTime {
    // Field order matters: the derived `Ord` compares seconds first.
    seconds: i64,
    subsec_nanos: u32,
}

impl DateTime {
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Self = Self::from_secs(0);

    /// The earliest representable instant: `i64::MIN` seconds.
    pub const MIN: Self = Self::from_secs(i64::MIN);

    /// The latest representable instant: `i64::MAX` seconds and 999 999 999 ns.
    pub const MAX: Self = Self {
        seconds: i64::MAX,
        subsec_nanos: NANOS_PER_SEC - 1,
    };

    /// The instant `secs` whole seconds after (or, if negative, before) the epoch.
    ///
    /// ```
    /// # use lambda_sdk_runtime::DateTime;
    /// assert_eq!(DateTime::from_secs(-1).to_string(), "1969-12-31T23:59:59Z");
    /// ```
    pub const fn from_secs(secs: i64) -> Self {
        Self {
            seconds: secs,
            subsec_nanos: 0,
        }
    }

    /// The instant `secs + nanos / 1e9` seconds after the epoch.
    ///
    /// `nanos` of one second or more carry into the seconds. Never panics: if
    /// that carry overflows `i64`, the result saturates to [`DateTime::MAX`].
    ///
    /// ```
    /// # use lambda_sdk_runtime::DateTime;
    /// let t = DateTime::from_secs_and_nanos(1, 2_500_000_000);
    /// assert_eq!((t.secs(), t.subsec_nanos()), (3, 500_000_000));
    /// assert_eq!(DateTime::from_secs_and_nanos(i64::MAX, 1_000_000_000), DateTime::MAX);
    /// ```
    pub const fn from_secs_and_nanos(secs: i64, nanos: u32) -> Self {
        let carry = (nanos / NANOS_PER_SEC) as i64;
        match secs.checked_add(carry) {
            Some(seconds) => Self {
                seconds,
                subsec_nanos: nanos % NANOS_PER_SEC,
            },
            None => Self::MAX,
        }
    }

    /// The instant `millis` milliseconds after (or before) the epoch.
    ///
    /// ```
    /// # use lambda_sdk_runtime::DateTime;
    /// let t = DateTime::from_millis(-1);
    /// assert_eq!((t.secs(), t.subsec_nanos()), (-1, 999_000_000));
    /// ```
    pub const fn from_millis(millis: i64) -> Self {
        Self {
            seconds: millis.div_euclid(1000),
            // 0..1000, lossless.
            subsec_nanos: millis.rem_euclid(1000) as u32 * 1_000_000,
        }
    }

    /// Converts a floating-point number of seconds since the epoch, exactly.
    ///
    /// The value is taken as the shortest decimal that round-trips to the
    /// same `f64` (what `format!("{secs}")` prints), and that decimal is
    /// converted digit by digit, so `1.123` becomes exactly `1` s and
    /// `123_000_000` ns (the `f64` itself is slightly below 1.123). Digits
    /// beyond nanoseconds are dropped, rounding towards negative infinity.
    ///
    /// Returns `None` for NaN, infinities and values whose decimal is outside
    /// the `i64` range of seconds (this includes `-2^63` itself, whose shortest
    /// decimal is `-9223372036854776000`).
    ///
    /// ```
    /// # use lambda_sdk_runtime::DateTime;
    /// let t = DateTime::from_fractional_secs(1515531081.1234).unwrap();
    /// assert_eq!((t.secs(), t.subsec_nanos()), (1_515_531_081, 123_400_000));
    /// assert_eq!(DateTime::from_fractional_secs(f64::NAN), None);
    /// assert_eq!(DateTime::from_fractional_secs(1e300), None);
    /// ```
    pub fn from_fractional_secs(secs: f64) -> Option<Self> {
        if !secs.is_finite() {
            return None;
        }
        // Fast path, exact: a value whose shortest decimal form has at most three fraction
        // digits (every millisecond timestamp AWS sends) is the double nearest to
        // `millis / 1000`, and below 2^53 milliseconds both are exact.
        if secs.abs() < 1e12 {
            let millis = (secs * 1000.0).round();
            if millis / 1000.0 == secs {
                let millis = millis as i64;
                return Some(Self {
                    seconds: millis.div_euclid(1000),
                    subsec_nanos: millis.rem_euclid(1000) as u32 * 1_000_000,
                });
            }
        }
        // `Display` for f64 prints the shortest round-trip digits and never
        // uses an exponent.
        let (seconds, subsec_nanos) = decimal::parse(&secs.to_string()).ok()?;
        Some(Self {
            seconds,
            subsec_nanos,
        })
    }

    /// The current time, from [`SystemTime::now`].
    pub fn now() -> Self {
        SystemTime::now().into()
    }

    /// Whole seconds since the epoch, rounded towards negative infinity.
    pub const fn secs(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds past [`secs`](Self::secs), in `0..1_000_000_000`.
    pub const fn subsec_nanos(&self) -> u32 {
        self.subsec_nanos
    }

    /// Milliseconds since the epoch, rounded towards negative infinity and
    /// saturating at the bounds of `i64`.
    ///
    /// ```
    /// # use lambda_sdk_runtime::DateTime;
    /// assert_eq!(DateTime::from_secs_and_nanos(1, 999_999_999).to_millis(), 1999);
    /// assert_eq!(DateTime::from_secs_and_nanos(-1, 999_999_999).to_millis(), -1);
    /// ```
    pub fn to_millis(&self) -> i64 {
        let millis = i128::from(self.seconds) * 1000 + i128::from(self.subsec_nanos / 1_000_000);
        i64::try_from(millis).unwrap_or(if millis < 0 { i64::MIN } else { i64::MAX })
    }

    /// Formats the instant in one of the Smithy timestamp formats.
    ///
    /// - `date-time` ([`DateTimeFormat::DateTime`]): RFC 3339 in UTC with `Z`, e.g.
    ///   `2019-12-16T23:48:18Z` or `1985-04-12T23:20:50.52Z`; the fraction
    ///   appears only when non-zero, without trailing zeros.
    /// - `http-date` ([`DateTimeFormat::HttpDate`]): IMF-fixdate, e.g.
    ///   `Tue, 29 Apr 2014 18:30:38 GMT`; when the millisecond part is
    ///   non-zero it is added as exactly three digits
    ///   (`Tue, 29 Apr 2014 18:30:38.123 GMT`), and anything finer than a
    ///   millisecond is dropped.
    /// - `epoch-seconds` ([`DateTimeFormat::EpochSeconds`]): an exact decimal
    ///   number of seconds, e.g. `1515531081`, `1515531081.123`, `-1.5`; no
    ///   exponent and no trailing zeros.
    ///
    /// Years outside 0000–9999 (only reachable from far-off [`secs`](Self::secs))
    /// are written in the ISO 8601 expanded form (`+10000-01-01T00:00:00Z`,
    /// `-0001-…`), which is not valid RFC 3339 and is not accepted by
    /// [`DateTime::from_str`].
    ///
    /// ```
    /// use lambda_sdk_runtime::{DateTime, DateTimeFormat};
    ///
    /// let t = DateTime::from_secs(1_398_796_238);
    /// assert_eq!(t.fmt(DateTimeFormat::DateTime), "2014-04-29T18:30:38Z");
    /// assert_eq!(t.fmt(DateTimeFormat::HttpDate), "Tue, 29 Apr 2014 18:30:38 GMT");
    /// assert_eq!(t.fmt(DateTimeFormat::EpochSeconds), "1398796238");
    /// ```
    pub fn fmt(&self, format: DateTimeFormat) -> String {
        match format {
            DateTimeFormat::DateTime => self.to_string(),
            DateTimeFormat::HttpDate => {
                let mut out = String::with_capacity(33);
                // Writing to a `String` cannot fail.
                let _ = text::write_http_date(self, &mut out);
                out
            }
            DateTimeFormat::EpochSeconds => decimal::format(self.seconds, self.subsec_nanos),
        }
    }

    /// Parses a timestamp in one of the Smithy timestamp formats.
    ///
    /// - `date-time` ([`DateTimeFormat::DateTime`]): RFC 3339,
    ///   `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. `t` and `z` may be
    ///   lowercase; a numeric offset is applied to get UTC. The fraction may
    ///   have any number of digits; digits beyond nanoseconds are truncated.
    ///   Leap seconds (second `60`) are rejected.
    /// - `http-date` ([`DateTimeFormat::HttpDate`]): IMF-fixdate,
    ///   `Tue, 29 Apr 2014 18:30:38[.fraction] GMT`. Day and month names are
    ///   matched case-insensitively; the day name must be a real one but is
    ///   not checked against the date. The obsolete RFC 850 and asctime
    ///   forms are not accepted.
    /// - `epoch-seconds` ([`DateTimeFormat::EpochSeconds`]): a decimal number
    ///   of seconds such as `1515531081`, `1515531081.123`, `-1.5`, optionally
    ///   with an exponent (`1.5e9`), converted exactly from the digits. Digits
    ///   beyond nanoseconds are dropped, rounding towards negative infinity.
    ///
    /// Surrounding whitespace is not accepted in any format.
    ///
    /// # Errors
    ///
    /// A [`DateTimeParseError`] saying which input was rejected, for which
    /// format, and why.
    ///
    /// ```
    /// use lambda_sdk_runtime::{DateTime, DateTimeFormat};
    ///
    /// let a = DateTime::from_str("2014-04-29T20:30:38+02:00", DateTimeFormat::DateTime)?;
    /// let b = DateTime::from_str("Tue, 29 Apr 2014 18:30:38 GMT", DateTimeFormat::HttpDate)?;
    /// let c = DateTime::from_str("1398796238", DateTimeFormat::EpochSeconds)?;
    /// assert!(a == b && b == c);
    ///
    /// let err = DateTime::from_str("2014-02-30T00:00:00Z", DateTimeFormat::DateTime).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"invalid date-time timestamp "2014-02-30T00:00:00Z": day 30 is out of range for 2014-02 (01-28)"#
    /// );
    /// # Ok::<(), lambda_sdk_runtime::DateTimeParseError>(())
    /// ```
    pub fn from_str(input: &str, format: DateTimeFormat) -> Result<Self, DateTimeParseError> {
        let parsed = match format {
            DateTimeFormat::DateTime => text::parse_date_time(input),
            DateTimeFormat::HttpDate => text::parse_http_date(input),
            DateTimeFormat::EpochSeconds => {
                decimal::parse(input).map(|(seconds, subsec_nanos)| Self {
                    seconds,
                    subsec_nanos,
                })
            }
        };
        parsed.map_err(|reason| DateTimeParseError::new(format, input, reason))
    }
}

/// Formats as RFC 3339, like [`DateTime::fmt`] with [`DateTimeFormat::DateTime`].
impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        text::write_date_time(self, f)
    }
}

/// Instants before 1970 are supported. Instants beyond the range of
/// `DateTime` (more than `i64::MAX` seconds from the epoch, which only exotic
/// platforms can represent) saturate to [`DateTime::MIN`] / [`DateTime::MAX`].
impl From<SystemTime> for DateTime {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => match i64::try_from(after.as_secs()) {
                Ok(seconds) => Self {
                    seconds,
                    subsec_nanos: after.subsec_nanos(),
                },
                Err(_) => Self::MAX,
            },
            Err(before) => {
                let before = before.duration();
                match (i64::try_from(before.as_secs()), before.subsec_nanos()) {
                    (Ok(secs), 0) => Self::from_secs(-secs),
                    // -(secs + n) = -(secs + 1) + (1 - n); `-secs - 1` cannot overflow.
                    (Ok(secs), nanos) => Self {
                        seconds: -secs - 1,
                        subsec_nanos: NANOS_PER_SEC - nanos,
                    },
                    (Err(_), _) => Self::MIN,
                }
            }
        }
    }
}

/// Instants before 1970 are supported. If the platform's [`SystemTime`]
/// cannot represent the instant, the result saturates to the representable
/// whole second closest to it (on 64-bit Linux, macOS and Windows every
/// instant a `DateTime` can hold in practice fits).
impl From<DateTime> for SystemTime {
    fn from(value: DateTime) -> Self {
        if value.seconds >= 0 {
            let offset = Duration::new(value.seconds.unsigned_abs(), value.subsec_nanos);
            UNIX_EPOCH
                .checked_add(offset)
                .unwrap_or_else(|| saturating_shift(offset, |d| UNIX_EPOCH.checked_add(d)))
        } else {
            // seconds + nanos = -((|seconds| - 1) + (1 s - nanos)).
            let offset = if value.subsec_nanos == 0 {
                Duration::from_secs(value.seconds.unsigned_abs())
            } else {
                Duration::new(
                    value.seconds.unsigned_abs() - 1,
                    NANOS_PER_SEC - value.subsec_nanos,
                )
            };
            UNIX_EPOCH
                .checked_sub(offset)
                .unwrap_or_else(|| saturating_shift(offset, |d| UNIX_EPOCH.checked_sub(d)))
        }
    }
}

/// `shift` applied to the largest whole number of seconds not above `limit`
/// for which it succeeds (binary search; `shift(0)` must succeed).
fn saturating_shift(limit: Duration, shift: impl Fn(Duration) -> Option<SystemTime>) -> SystemTime {
    let (mut low, mut high) = (0, limit.as_secs());
    let mut best = UNIX_EPOCH;
    while low < high {
        let mid = low + (high - low).div_ceil(2);
        match shift(Duration::from_secs(mid)) {
            Some(time) => {
                best = time;
                low = mid;
            }
            None => high = mid - 1,
        }
    }
    best
}

/// The three values of Smithy's `@timestampFormat` trait.
///
/// ```
/// use lambda_sdk_runtime::DateTimeFormat;
///
/// assert_eq!(DateTimeFormat::HttpDate.as_str(), "http-date");
/// assert_eq!(DateTimeFormat::EpochSeconds.to_string(), "epoch-seconds");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateTimeFormat {
    /// `date-time`: RFC 3339, e.g. `1985-04-12T23:20:50.52Z`.
    DateTime,
    /// `http-date`: IMF-fixdate (RFC 9110), e.g. `Tue, 29 Apr 2014 18:30:38 GMT`.
    HttpDate,
    /// `epoch-seconds`: decimal seconds since the Unix epoch, e.g. `1515531081.123`.
    EpochSeconds,
}

impl DateTimeFormat {
    /// The name Smithy's `@timestampFormat` trait uses for this format.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DateTime => "date-time",
            Self::HttpDate => "http-date",
            Self::EpochSeconds => "epoch-seconds",
        }
    }
}

/// Writes [`DateTimeFormat::as_str`].
impl fmt::Display for DateTimeFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string could not be parsed as a timestamp by [`DateTime::from_str`].
///
/// The message names the format, the input and the problem:
///
/// ```
/// use lambda_sdk_runtime::{DateTime, DateTimeFormat};
///
/// let err = DateTime::from_str("Tue, 29 Apr 2014 18:30 GMT", DateTimeFormat::HttpDate)
///     .unwrap_err();
/// assert_eq!(err.format(), DateTimeFormat::HttpDate);
/// assert_eq!(err.input(), "Tue, 29 Apr 2014 18:30 GMT");
/// assert_eq!(err.reason(), "expected ':' at index 22, found ' '");
/// assert_eq!(
///     err.to_string(),
///     r#"invalid http-date timestamp "Tue, 29 Apr 2014 18:30 GMT": expected ':' at index 22, found ' '"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTimeParseError {
    format: DateTimeFormat,
    input: String,
    reason: String,
}

impl DateTimeParseError {
    /// Inputs longer than this many characters are cut short in the error.
    const MAX_INPUT_CHARS: usize = 64;

    fn new(format: DateTimeFormat, input: &str, reason: String) -> Self {
        let input = match input.char_indices().nth(Self::MAX_INPUT_CHARS) {
            Some((cut, _)) => format!("{}…", &input[..cut]),
            None => input.to_owned(),
        };
        Self {
            format,
            input,
            reason,
        }
    }

    /// The format the input was parsed as.
    pub fn format(&self) -> DateTimeFormat {
        self.format
    }

    /// The rejected input; inputs over 64 characters are shortened, ending in `…`.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What was wrong with the input, e.g. `month 13 is out of range (01-12)`.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for DateTimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} timestamp {:?}: {}",
            self.format, self.input, self.reason
        )
    }
}

impl std::error::Error for DateTimeParseError {}

/// Writes `epoch-seconds` as a number: an integer when there is no fraction,
/// otherwise the `f64` nearest to the exact decimal (so serializers that print
/// the shortest round-trip form, like serde_json, print that decimal).
pub(crate) fn serialize_epoch_seconds<S: Serializer>(
    value: &DateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if value.subsec_nanos == 0 {
        return serializer.serialize_i64(value.seconds);
    }
    let text = decimal::format(value.seconds, value.subsec_nanos);
    let number = text.parse::<f64>().map_err(|err| {
        ser::Error::custom(format_args!(
            "cannot write timestamp {text} as a number: {err}"
        ))
    })?;
    serializer.serialize_f64(number)
}

/// Reads `epoch-seconds` from a number (integer or float, see [`DateTime::from_fractional_secs`]).
pub(crate) fn deserialize_epoch_seconds<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime, D::Error> {
    deserializer.deserialize_any(EpochSecondsVisitor)
}

struct EpochSecondsVisitor;

impl Visitor<'_> for EpochSecondsVisitor {
    type Value = DateTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an epoch-seconds timestamp: a number of seconds since 1970-01-01T00:00:00Z")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<DateTime, E> {
        Ok(DateTime::from_secs(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<DateTime, E> {
        i64::try_from(v)
            .map(DateTime::from_secs)
            .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &"seconds within the i64 range"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<DateTime, E> {
        DateTime::from_fractional_secs(v).ok_or_else(|| {
            E::invalid_value(
                Unexpected::Float(v),
                &"a finite number of seconds within the i64 range",
            )
        })
    }
}

/// Writes the `epoch-seconds` number form; see [`DateTime`].
impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_epoch_seconds(self, serializer)
    }
}

/// Reads the `epoch-seconds` number form (integer or float); strings are
/// rejected, since formatted timestamps need an explicit `@timestampFormat`.
impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_epoch_seconds(deserializer)
    }
}
