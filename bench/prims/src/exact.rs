//! `prims exact`: the same inputs through ours and through the alternative, every difference
//! listed. The cases are those of the runtime's own tests
//! (runtime/src/primitives/date_time/tests.rs, runtime/src/base64.rs), the timestamps of the
//! Smithy restJson1 protocol tests, and the edge cases of issue point "hand-written
//! primitives".

use std::collections::HashSet;

use aws_smithy_types::date_time::Format;
use lambda_sdk_runtime::{Blob, DateTime, DateTimeFormat};

/// Which format a text case is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum F {
    DateTime,
    HttpDate,
    Epoch,
}

impl F {
    fn ours(self) -> DateTimeFormat {
        match self {
            F::DateTime => DateTimeFormat::DateTime,
            F::HttpDate => DateTimeFormat::HttpDate,
            F::Epoch => DateTimeFormat::EpochSeconds,
        }
    }
    /// Parsing as smithy-rs clients parse responses (date-time with offsets allowed).
    fn smithy_parse(self) -> Format {
        match self {
            F::DateTime => Format::DateTimeWithOffset,
            F::HttpDate => Format::HttpDate,
            F::Epoch => Format::EpochSeconds,
        }
    }
    fn smithy_fmt(self) -> Format {
        match self {
            F::DateTime => Format::DateTime,
            F::HttpDate => Format::HttpDate,
            F::Epoch => Format::EpochSeconds,
        }
    }
    fn name(self) -> &'static str {
        match self {
            F::DateTime => "date-time",
            F::HttpDate => "http-date",
            F::Epoch => "epoch-seconds",
        }
    }
}

/// Parse cases: (format, input, where it comes from).
const PARSE_CASES: &[(F, &str, &str)] = &[
    // runtime tests: formats_date_time (round trips)
    (F::DateTime, "1970-01-01T00:00:00Z", "tests"),
    (F::DateTime, "1985-04-12T23:20:50.52Z", "tests, protocol"),
    (F::DateTime, "2019-12-16T23:48:18Z", "tests, protocol"),
    (F::DateTime, "2000-02-29T00:00:00Z", "tests"),
    (
        F::DateTime,
        "1969-12-31T23:59:59.999Z",
        "tests: before 1970",
    ),
    (
        F::DateTime,
        "1969-12-31T23:59:59.999999999Z",
        "tests: 9 digits",
    ),
    (F::DateTime, "1970-01-01T00:00:00.000000001Z", "tests: 1 ns"),
    (F::DateTime, "1970-01-01T00:00:00.0000001Z", "tests: 100 ns"),
    (F::DateTime, "0001-01-01T00:00:00Z", "tests: year 1"),
    (F::DateTime, "0000-01-01T00:00:00Z", "tests: year 0"),
    (F::DateTime, "9999-12-31T23:59:59Z", "tests: year 9999"),
    (F::DateTime, "2024-02-29T00:00:00Z", "tests"),
    (F::DateTime, "1900-01-01T00:00:00Z", "tests: before 1970"),
    // runtime tests: parses_date_time_variants
    (
        F::DateTime,
        "1985-04-12t23:20:50.52z",
        "tests: lowercase t/z",
    ),
    (F::DateTime, "1985-04-12T23:20:50.52z", "lowercase z"),
    (F::DateTime, "1985-04-12t23:20:50.52Z", "lowercase t"),
    (
        F::DateTime,
        "1985-04-12T23:20:50.520000000000000Z",
        "tests: 15 fraction digits",
    ),
    (F::DateTime, "1985-04-13T01:20:50.52+02:00", "tests: offset"),
    (F::DateTime, "1985-04-12T22:20:50.52-01:00", "tests: offset"),
    (F::DateTime, "1985-04-12T23:20:50.52+00:00", "tests: offset"),
    (F::DateTime, "1985-04-12T23:20:50.52-00:00", "tests: -00:00"),
    (F::DateTime, "1996-12-19T16:39:57-08:00", "tests, protocol"),
    (
        F::DateTime,
        "1970-01-01T00:00:00.1234567899Z",
        "tests: 10 digits (truncated)",
    ),
    (
        F::DateTime,
        "1970-01-01T00:00:00.9999999999Z",
        "10 digits, all 9s",
    ),
    (
        F::DateTime,
        "1969-12-31T23:59:59.1234567891Z",
        "10 digits before 1970",
    ),
    (
        F::DateTime,
        "0000-03-01T00:00:00+23:59",
        "tests: year 0 offset",
    ),
    (
        F::DateTime,
        "0001-01-01T00:00:00+00:01",
        "offset into year 0",
    ),
    (
        F::DateTime,
        "9999-12-31T23:59:59-00:01",
        "offset into year 10000",
    ),
    // protocol tests (responses with offsets, and the malformed-request set)
    (
        F::DateTime,
        "2019-12-17T00:48:18+01:00",
        "protocol: positive offset",
    ),
    (
        F::DateTime,
        "2019-12-16T22:48:18-01:00",
        "protocol: negative offset",
    ),
    (F::DateTime, "2000-01-02T20:34:56.123Z", "protocol"),
    (F::DateTime, "2014-04-29T18:30:38Z", "protocol"),
    (F::DateTime, "1970-01-01T00:00:01Z", "protocol"),
    (F::DateTime, "1996-12-19T16Z", "protocol: malformed"),
    (F::DateTime, "1996-12-19T163957", "protocol: malformed"),
    (F::DateTime, "1996-12-19T1639", "protocol: malformed"),
    (F::DateTime, "1996-12-19T16", "protocol: malformed"),
    (F::DateTime, "1996-12-19T16:39Z", "protocol: malformed"),
    (
        F::DateTime,
        "1996-12-19T16:39:57+00Z",
        "protocol: malformed",
    ),
    (F::DateTime, "1996-12-19T16:39:57+00", "protocol: malformed"),
    (F::DateTime, "1996-12-19T16:39:57", "protocol: malformed"),
    (F::DateTime, "1996-12-19T16:39", "protocol: malformed"),
    (
        F::DateTime,
        "2011-12-03T10:15:30+01:00[Europe/Paris]",
        "protocol: malformed",
    ),
    // runtime tests: rejects_bad_date_times
    (F::DateTime, "", "tests: reject"),
    (F::DateTime, "85-04-12T23:20:50Z", "tests: reject"),
    (F::DateTime, "1985-4-12T23:20:50Z", "tests: reject"),
    (F::DateTime, "1985-13-12T23:20:50Z", "tests: reject"),
    (F::DateTime, "1985-00-12T23:20:50Z", "tests: reject"),
    (F::DateTime, "1985-04-31T23:20:50Z", "tests: reject"),
    (F::DateTime, "1985-04-00T23:20:50Z", "tests: reject"),
    (F::DateTime, "2001-02-29T00:00:00Z", "tests: reject"),
    (F::DateTime, "1900-02-29T00:00:00Z", "tests: reject"),
    (F::DateTime, "1985-04-12 23:20:50Z", "tests: reject (space)"),
    (F::DateTime, "1985-04-12T24:00:00Z", "tests: reject"),
    (F::DateTime, "1985-04-12T23:60:00Z", "tests: reject"),
    (
        F::DateTime,
        "1985-04-12T23:59:60Z",
        "tests: reject (leap second)",
    ),
    (
        F::DateTime,
        "1990-12-31T23:59:60Z",
        "leap second on a real leap-second date",
    ),
    (F::DateTime, "1985-04-12T23:59:61Z", "tests: reject"),
    (F::DateTime, "1985-04-12T23:20:50", "tests: reject"),
    (F::DateTime, "1985-04-12T23:20:50.Z", "tests: reject"),
    (F::DateTime, "1985-04-12T23:20:50Z ", "tests: reject"),
    (F::DateTime, "1985-04-12T23:20:50ZZ", "tests: reject"),
    (F::DateTime, "1985-04-12T23:20:50+0100", "tests: reject"),
    (F::DateTime, "1985-04-12T23:20:50+24:00", "tests: reject"),
    (F::DateTime, "1985-04-12T23:20:50+01:60", "tests: reject"),
    (F::DateTime, "1985-04-12T23:20:50UTC", "tests: reject"),
    (
        F::DateTime,
        "１985-04-12T23:20:50Z",
        "tests: reject (non-ASCII)",
    ),
    (
        F::DateTime,
        "Tue, 29 Apr 2014 18:30:38 GMT",
        "tests: reject",
    ),
    // large years and others
    (
        F::DateTime,
        "+10000-01-01T00:00:00Z",
        "year 10000 (ours formats it)",
    ),
    (
        F::DateTime,
        "-0001-12-31T23:59:59Z",
        "year -1 (ours formats it)",
    ),
    (F::DateTime, "10000-01-01T00:00:00Z", "5-digit year"),
    (F::DateTime, " 1985-04-12T23:20:50Z", "leading space"),
    // runtime tests: http_dates
    (
        F::HttpDate,
        "Tue, 29 Apr 2014 18:30:38 GMT",
        "tests, protocol",
    ),
    (F::HttpDate, "Tue, 29 Apr 2014 18:30:38.123 GMT", "tests"),
    (F::HttpDate, "Tue, 29 Apr 2014 18:30:38.100 GMT", "tests"),
    (F::HttpDate, "Thu, 01 Jan 1970 00:00:00 GMT", "tests"),
    (F::HttpDate, "Wed, 31 Dec 1969 23:59:59.999 GMT", "tests"),
    (F::HttpDate, "Tue, 29 Feb 2000 00:00:00 GMT", "tests"),
    (F::HttpDate, "Sun, 06 Nov 1994 08:49:37 GMT", "tests"),
    (F::HttpDate, "Fri, 31 Dec 9999 23:59:59 GMT", "tests"),
    (F::HttpDate, "Mon, 01 Jan 0001 00:00:00 GMT", "tests"),
    (F::HttpDate, "Mon, 16 Dec 2019 23:48:18 GMT", "protocol"),
    (
        F::HttpDate,
        "Tue, 29 Apr 2014 18:30:38.123456789 GMT",
        "tests: 9 fraction digits",
    ),
    (
        F::HttpDate,
        "Tue, 29 Apr 2014 18:30:38.5 GMT",
        "tests: 1 digit",
    ),
    (
        F::HttpDate,
        "Tue, 29 Apr 2014 18:30:38.1234 GMT",
        "4 fraction digits",
    ),
    (
        F::HttpDate,
        "tue, 29 APR 2014 18:30:38 gmt",
        "tests: case-insensitive names",
    ),
    (
        F::HttpDate,
        "Tue, 29 apr 2014 18:30:38 GMT",
        "lowercase month",
    ),
    (
        F::HttpDate,
        "Mon, 29 Apr 2014 18:30:38 GMT",
        "tests: wrong day name (accepted)",
    ),
    (
        F::HttpDate,
        "Xyz, 29 Apr 2014 18:30:38 GMT",
        "not a day name",
    ),
    (
        F::HttpDate,
        "123, 29 Apr 2014 18:30:38 GMT",
        "digits as day name",
    ),
    (
        F::HttpDate,
        "Tue; 29 Apr 2014 18:30:38 GMT",
        "';' after day name",
    ),
    (
        F::HttpDate,
        " Tue, 29 Apr 2014 18:30:38 GMT",
        "leading space",
    ),
    (
        F::HttpDate,
        "Tue, 29 Apr 2014 18:30:38 GMT ",
        "trailing space",
    ),
    (
        F::HttpDate,
        "Tue, 29 Apr 2014 18:30:38 GMT\n",
        "trailing newline",
    ),
    (
        F::HttpDate,
        "Tue, 29 Apr 2014 18:30:38. GMT",
        "empty fraction",
    ),
    (
        F::HttpDate,
        "Tue, 29 Apr 2014 18:30:38.+12 GMT",
        "signed fraction",
    ),
    (F::HttpDate, "Tue, 29 Apr +014 18:30:38 GMT", "signed year"),
    (F::HttpDate, "Tue, +9 Apr 2014 18:30:38 GMT", "signed day"),
    (F::HttpDate, "Tue, 29 Apr 2014 +8:30:38 GMT", "signed hour"),
    (F::HttpDate, "Thu, 01 Jan 0000 00:00:00 GMT", "year 0"),
    // runtime tests: rejects_bad_http_dates
    (F::HttpDate, "", "tests: reject"),
    (
        F::HttpDate,
        "Tues, 29 Apr 2014 18:30:38 GMT",
        "tests: reject",
    ),
    (F::HttpDate, "Tue,29 Apr 2014 18:30:38 GMT", "tests: reject"),
    (F::HttpDate, "Tue, 9 Apr 2014 18:30:38 GMT", "tests: reject"),
    (
        F::HttpDate,
        "Tue, 29 April 2014 18:30:38 GMT",
        "tests: reject",
    ),
    (
        F::HttpDate,
        "Tue, 29 Foo 2014 18:30:38 GMT",
        "tests: reject",
    ),
    (
        F::HttpDate,
        "Tue, 29 Feb 2014 18:30:38 GMT",
        "tests: reject",
    ),
    (F::HttpDate, "Tue, 29 Apr 14 18:30:38 GMT", "tests: reject"),
    (
        F::HttpDate,
        "Tue, 29 Apr 2014 18:30:38 UTC",
        "tests: reject",
    ),
    (F::HttpDate, "Tue, 29 Apr 2014 18:30:38", "tests: reject"),
    (
        F::HttpDate,
        "Tue, 29 Apr 2014 18:30:38 GMT+1",
        "tests: reject",
    ),
    (
        F::HttpDate,
        "Tue, 29 Apr 2014 25:30:38 GMT",
        "tests: reject",
    ),
    (
        F::HttpDate,
        "Tue, 29 Apr 2014 23:59:60 GMT",
        "tests: reject (leap second)",
    ),
    (
        F::HttpDate,
        "Tuesday, 29-Apr-14 18:30:38 GMT",
        "tests: reject (RFC 850)",
    ),
    (
        F::HttpDate,
        "Tue Apr 29 18:30:38 2014",
        "tests: reject (asctime)",
    ),
    (F::HttpDate, "2014-04-29T18:30:38Z", "tests: reject"),
    // runtime tests: epoch_seconds_text, and more
    (F::Epoch, "0", "tests"),
    (F::Epoch, "1.123", "tests"),
    (F::Epoch, "1515531081.1234", "tests"),
    (F::Epoch, "1515531081", "tests"),
    (F::Epoch, "-1.5", "tests"),
    (F::Epoch, "-1", "tests"),
    (F::Epoch, "9223372036854775807.999999999", "tests: MAX"),
    (F::Epoch, "-9223372036854775808", "tests: MIN"),
    (F::Epoch, "1.5e9", "tests: exponent"),
    (F::Epoch, "1.1e2", "exponent"),
    (F::Epoch, "1E3", "exponent, capital E"),
    (F::Epoch, "15e-1", "negative exponent"),
    (F::Epoch, "1515531081.000", "tests"),
    (F::Epoch, "-0.5", "negative, below one second"),
    (F::Epoch, "-0", "negative zero"),
    (F::Epoch, "-0.0", "negative zero"),
    (F::Epoch, "+1", "plus sign"),
    (F::Epoch, "0001", "leading zeros"),
    (F::Epoch, "1.0000000001", "10 fraction digits"),
    (F::Epoch, "-1.0000000001", "10 fraction digits, negative"),
    (F::Epoch, "1576540098.52", "protocol-like"),
    (F::Epoch, "12:00", "tests: reject"),
    (F::Epoch, "99999999999999999999", "tests: reject (range)"),
    (F::Epoch, "", "tests: reject"),
    (F::Epoch, " 1", "tests: reject"),
    (F::Epoch, "1 ", "tests: reject"),
    (F::Epoch, "1.", "tests: reject"),
    (F::Epoch, ".1", "tests: reject"),
    (F::Epoch, "abc", "tests: reject"),
    (F::Epoch, "NaN", "tests: reject"),
    (F::Epoch, "Infinity", "tests: reject"),
    (F::Epoch, "1,5", "tests: reject"),
    (F::Epoch, "0x1F", "tests: reject"),
    (F::Epoch, "1.-5", "signed fraction"),
    (F::Epoch, "1.5.5", "two points"),
];

/// Format cases: (seconds, nanos).
const FORMAT_CASES: &[(i64, u32)] = &[
    (0, 0),
    (482_196_050, 520_000_000),
    (1_576_540_098, 0),
    (951_782_400, 0),
    (-1, 999_000_000),
    (-1, 999_999_999),
    (0, 1),
    (0, 100),
    (0, 999_999),
    (1_398_796_238, 123_456_789),
    (1_398_796_238, 100_000_000),
    (1_515_531_081, 123_400_000),
    (-2, 500_000_000),
    (-62_135_596_800, 0),
    (-62_167_219_200, 0),
    (253_402_300_799, 0),
    (253_402_300_799, 999_999_999),
    (253_402_300_800, 0),
    (-62_167_219_201, 0),
    (1_709_164_800, 0),
    (i64::MAX, 999_999_999),
    (i64::MIN, 0),
];

/// JSON numbers of a restJson1 body (epoch-seconds timestamps).
const JSON_NUMBERS: &[&str] = &[
    "0",
    "1.123",
    "1515531081.1234",
    "1515531081",
    "-1.5",
    "-1",
    "1700000000.001",
    "1.5e9",
    "-0.001",
    "1576540098.52",
    "1576540098.123",
    "1576540098.999",
    "253402300799.999",
    "1e-9",
    "0.1",
    "1234567890.123456789",
    "9223372036854775807",
    "-9223372036854775808",
];

/// Base64 decode cases: (input, what).
const BASE64_DECODE: &[(&str, &str)] = &[
    ("", "empty"),
    ("Zg==", "padded"),
    ("Zm8=", "padded"),
    ("Zm9v", "no padding needed"),
    ("Zg", "unpadded"),
    ("Zm8", "unpadded"),
    ("Zm9vYmE", "unpadded"),
    ("+/8=", "+ and /"),
    ("Zh==", "non-canonical trailing bits"),
    ("Zm9=", "non-canonical trailing bits"),
    ("Zm9v*mFy", "invalid character"),
    ("Zm9v YmFy", "space inside"),
    (" Zm9vYmFy", "leading space"),
    ("Zm9vYmFy\n", "trailing newline"),
    ("Zm9v\r\nYmFy", "CRLF inside (MIME style)"),
    ("Zm-_", "URL-safe alphabet"),
    ("Zmé=", "non-ASCII"),
    ("Zg=a", "padding then data"),
    ("Zg==Zg==", "padding in the middle"),
    ("Zg===", "three padding characters"),
    ("Zm9==", "too much padding"),
    ("Zg=", "short padding"),
    ("====", "only padding"),
    ("Z", "dangling character"),
    ("Zm9vY", "dangling character"),
    ("Z===", "dangling character, padded"),
];

fn show_ours(r: &Result<DateTime, lambda_sdk_runtime::DateTimeParseError>) -> String {
    match r {
        Ok(t) => format!("({}, {})", t.secs(), t.subsec_nanos()),
        Err(e) => format!("error: {}", e.reason()),
    }
}

fn show_smithy(
    r: &Result<aws_smithy_types::DateTime, aws_smithy_types::date_time::DateTimeParseError>,
) -> String {
    match r {
        Ok(t) => format!("({}, {})", t.secs(), t.subsec_nanos()),
        Err(e) => format!("error: {e}"),
    }
}

fn same_instant(
    ours: &Result<DateTime, lambda_sdk_runtime::DateTimeParseError>,
    smithy: &Result<aws_smithy_types::DateTime, aws_smithy_types::date_time::DateTimeParseError>,
) -> bool {
    match (ours, smithy) {
        (Ok(a), Ok(b)) => a.secs() == b.secs() && a.subsec_nanos() == b.subsec_nanos(),
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

fn cell(text: &str) -> String {
    format!("`{}`", text.escape_debug()).replace('|', "\\|")
}

/// Prints every difference (or, with `all`, every case).
pub fn run(all: bool) {
    date_time_parse(all);
    date_time_format(all);
    date_time_sweep();
    json_numbers(all);
    base64_decode(all);
    base64_encode();
    random();
}

fn date_time_parse(all: bool) {
    println!("## DateTime: parsing (ours vs aws-smithy-types; date-time as DateTimeWithOffset)");
    println!();
    println!("| format | input | source | ours (secs, nanos) | aws-smithy-types | same |");
    println!("|---|---|---|---|---|---|");
    let mut differ = 0;
    let mut strict_rejects = Vec::new();
    for &(format, input, source) in PARSE_CASES {
        let ours = DateTime::from_str(input, format.ours());
        let smithy = aws_smithy_types::DateTime::from_str(input, format.smithy_parse());
        let same = same_instant(&ours, &smithy);
        // smithy's strict `Format::DateTime` (no offsets, and a capital `Z` last).
        let strict = if format == F::DateTime {
            let strict = aws_smithy_types::DateTime::from_str(input, Format::DateTime);
            if strict.is_ok() != smithy.is_ok() {
                strict_rejects.push(input);
                " (Format::DateTime: rejects)"
            } else {
                ""
            }
        } else {
            ""
        };
        if !same {
            differ += 1;
        }
        if all || !same {
            println!(
                "| {} | {} | {source} | {} | {}{strict} | {} |",
                format.name(),
                cell(input),
                show_ours(&ours).replace('|', "\\|"),
                show_smithy(&smithy).replace('|', "\\|"),
                if same { "yes" } else { "**no**" }
            );
        }
    }
    println!();
    println!("{differ} of {} parse cases differ.", PARSE_CASES.len());
    println!();
    println!(
        "aws-smithy-types' `Format::DateTime` (offsets forbidden) rejects, besides, these {} \
         date-time cases that `DateTimeWithOffset` (and ours) accept: {}.",
        strict_rejects.len(),
        strict_rejects
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!();
}

fn date_time_format(all: bool) {
    println!("## DateTime: formatting");
    println!();
    println!("| format | (secs, nanos) | ours | aws-smithy-types | same |");
    println!("|---|---|---|---|---|");
    let mut differ = 0;
    let mut total = 0;
    for &(secs, nanos) in FORMAT_CASES {
        for format in [F::DateTime, F::HttpDate, F::Epoch] {
            total += 1;
            let ours = DateTime::from_secs_and_nanos(secs, nanos).fmt(format.ours());
            let smithy = aws_smithy_types::DateTime::from_secs_and_nanos(secs, nanos)
                .fmt(format.smithy_fmt())
                .unwrap_or_else(|e| format!("error: {e}"));
            let same = ours == smithy;
            if !same {
                differ += 1;
            }
            if all || !same {
                println!(
                    "| {} | ({secs}, {nanos}) | {} | {} | {} |",
                    format.name(),
                    cell(&ours),
                    cell(&smithy),
                    if same { "yes" } else { "**no**" }
                );
            }
        }
    }
    println!();
    println!("{differ} of {total} format cases differ.");
    println!();
}

/// The runtime test `text_round_trips_every_few_days_over_ten_millennia`, through both.
fn date_time_sweep() {
    println!("## DateTime: the runtime's ten-millennia sweep through both");
    println!();
    let first = DateTime::from_str("0000-01-01T00:00:00Z", DateTimeFormat::DateTime)
        .expect("year 0")
        .secs();
    let last = DateTime::from_str("9999-12-31T23:59:59Z", DateTimeFormat::DateTime)
        .expect("year 9999")
        .secs();
    let mut secs = first;
    let mut nanos = 0u32;
    let mut values = 0;
    let mut format_differs = [0usize; 3];
    let mut smithy_round_trip_fails = [0usize; 3];
    let mut examples: Vec<String> = Vec::new();
    while secs <= last {
        values += 1;
        let ours = DateTime::from_secs_and_nanos(secs, nanos);
        let smithy = aws_smithy_types::DateTime::from_secs_and_nanos(secs, nanos);
        for (i, format) in [F::DateTime, F::HttpDate, F::Epoch].into_iter().enumerate() {
            let ours_text = ours.fmt(format.ours());
            let smithy_text = smithy.fmt(format.smithy_fmt());
            if smithy_text.as_deref().ok() != Some(ours_text.as_str()) {
                format_differs[i] += 1;
                if examples.len() < 12 && format_differs[i] <= 4 {
                    examples.push(format!(
                        "format {} ({secs}, {nanos}): ours {ours_text:?}, smithy {:?}",
                        format.name(),
                        smithy_text.map_err(|e| e.to_string())
                    ));
                }
            }
            // What ours writes, read back by smithy: the same instant (http-date: to the ms)?
            let expected_nanos = if format == F::HttpDate {
                nanos / 1_000_000 * 1_000_000
            } else {
                nanos
            };
            let back = aws_smithy_types::DateTime::from_str(&ours_text, format.smithy_parse());
            let ok = back
                .as_ref()
                .is_ok_and(|b| b.secs() == secs && b.subsec_nanos() == expected_nanos);
            if !ok {
                smithy_round_trip_fails[i] += 1;
            }
        }
        secs += 11 * 86_400 + 7 * 3600 + 13 * 60 + 17;
        nanos = (nanos + 123_456_789) % 1_000_000_000;
    }
    println!(
        "{values} instants from 0000-01-01 to 9999-12-31 (nanos varying), as in the runtime test."
    );
    println!();
    println!("| format | smithy's text differs from ours | smithy cannot read ours back exactly |");
    println!("|---|---:|---:|");
    for (i, format) in [F::DateTime, F::HttpDate, F::Epoch].into_iter().enumerate() {
        println!(
            "| {} | {} | {} |",
            format.name(),
            format_differs[i],
            smithy_round_trip_fails[i]
        );
    }
    println!();
    for e in &examples {
        println!("- {e}");
    }
    println!();
}

/// JSON body members: ours deserializes the number exactly; smithy-rs clients read an f64
/// and call `DateTime::from_secs_f64` (aws-smithy-json `expect_timestamp_or_null`).
fn json_numbers(all: bool) {
    println!("## DateTime: JSON numbers (epoch-seconds body members)");
    println!();
    println!("| JSON | ours (serde) | smithy-rs (f64 → from_secs_f64) | same |");
    println!("|---|---|---|---|");
    let mut differ = 0;
    for &json in JSON_NUMBERS {
        let ours = serde_json::from_str::<DateTime>(json)
            .map(|t| format!("({}, {})", t.secs(), t.subsec_nanos()))
            .unwrap_or_else(|e| format!("error: {e}"));
        let smithy = serde_json::from_str::<f64>(json)
            .map(aws_smithy_types::DateTime::from_secs_f64)
            .map(|t| format!("({}, {})", t.secs(), t.subsec_nanos()))
            .unwrap_or_else(|e| format!("error: {e}"));
        let same = ours == smithy;
        if !same {
            differ += 1;
        }
        if all || !same {
            println!(
                "| `{json}` | {ours} | {smithy} | {} |",
                if same { "yes" } else { "**no**" }
            );
        }
    }
    println!();
    // The same over many millisecond timestamps, as the durable-execution APIs return them.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut wrong = 0;
    let n = 100_000;
    let mut example = None;
    for _ in 0..n {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let millis = 1_600_000_000_000 + (state % 200_000_000_000) as i64;
        let json = format!("{}.{:03}", millis / 1000, millis % 1000);
        let smithy = aws_smithy_types::DateTime::from_secs_f64(json.parse::<f64>().unwrap_or(0.0));
        if smithy.subsec_nanos() != (millis % 1000) as u32 * 1_000_000 {
            wrong += 1;
            example.get_or_insert_with(|| {
                format!("{json} → ({}, {})", smithy.secs(), smithy.subsec_nanos())
            });
        }
        let ours = serde_json::from_str::<DateTime>(&json).expect("a number");
        assert_eq!(
            (ours.secs(), ours.subsec_nanos()),
            (millis / 1000, (millis % 1000) as u32 * 1_000_000),
            "{json}"
        );
    }
    println!(
        "{differ} of {} listed numbers differ. Of {n} random millisecond timestamps \
         (2020-2027, `SSSSSSSSSS.mmm`), ours reads all exactly; smithy-rs's f64 path gets \
         the nanoseconds wrong in {wrong} (e.g. {}).",
        JSON_NUMBERS.len(),
        example.unwrap_or_else(|| "none".into())
    );
    println!();
}

fn base64_decode(all: bool) {
    println!("## base64: decoding (ours via Blob's Deserialize vs base64-simd STANDARD)");
    println!();
    println!(
        "| input | what | ours | base64-simd STANDARD | aws_smithy_types::base64 | same | \
         base64-simd forgiving_decode (for reference) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut differ = 0;
    for &(input, what) in BASE64_DECODE {
        let json = serde_json::to_string(input).expect("a string serializes");
        let ours = serde_json::from_str::<Blob>(&json)
            .map(|b| format!("{:?}", b.as_bytes().escape_ascii().to_string()))
            .map_err(|e| e.to_string());
        let simd = base64_simd::STANDARD
            .decode_to_vec(input)
            .map(|b| format!("{:?}", b.escape_ascii().to_string()))
            .map_err(|e| e.to_string());
        let smithy = aws_smithy_types::base64::decode(input)
            .map(|b| format!("{:?}", b.escape_ascii().to_string()))
            .map_err(|e| e.to_string());
        let forgiving = base64_simd::forgiving_decode_to_vec(input.as_bytes())
            .map(|b| format!("{:?}", b.escape_ascii().to_string()))
            .map_err(|e| e.to_string());
        let same = ours.is_ok() == simd.is_ok() && (ours.is_err() || ours == simd);
        if !same {
            differ += 1;
        }
        if all || !same {
            let show = |r: &Result<String, String>| match r {
                Ok(s) => s.clone(),
                Err(e) => format!("error: {e}"),
            };
            println!(
                "| {} | {what} | {} | {} | {} | {} | {} |",
                cell(input),
                show(&ours).replace('|', "\\|"),
                show(&simd).replace('|', "\\|"),
                show(&smithy).replace('|', "\\|"),
                if same { "yes" } else { "**no**" },
                show(&forgiving).replace('|', "\\|"),
            );
        }
    }
    println!();
    println!("{differ} of {} decode cases differ.", BASE64_DECODE.len());
    println!();
}

fn base64_encode() {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut differ = 0;
    let mut cases = 0;
    let mut lengths: Vec<usize> = (0..2000).map(|_| (next() % 100) as usize).collect();
    lengths.extend([1024, 65_536, 65_537, 1 << 20]);
    for len in lengths {
        cases += 1;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let ours = lambda_sdk_runtime::__private::rest_json::fmt_blob(&Blob::new(bytes.clone()));
        let simd = base64_simd::STANDARD.encode_to_string(&bytes);
        let back = base64_simd::STANDARD.decode_to_vec(&ours);
        if ours != simd || back.as_deref().ok() != Some(&bytes[..]) {
            differ += 1;
        }
    }
    println!("## base64: encoding");
    println!();
    println!(
        "{cases} random byte strings (2,000 of 0-99 bytes, then 1 KiB, 64 KiB, 64 KiB + 1, \
         1 MiB): ours and base64-simd differ on {differ} (and base64-simd decodes every one \
         of ours)."
    );
    println!();
}

fn random() {
    println!("## Random helpers: properties");
    println!();
    let n = 100_000;
    for (name, token) in [
        (
            "ours idempotency_token",
            lambda_sdk_runtime::config::idempotency_token as fn() -> String,
        ),
        ("getrandom-only token", crate::random::getrandom_token),
    ] {
        let mut seen = HashSet::new();
        let mut malformed = 0;
        for _ in 0..n {
            let t = token();
            let b = t.as_bytes();
            let well_formed = b.len() == 36
                && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
                && b[14] == b'4'
                && matches!(b[19], b'8' | b'9' | b'a' | b'b')
                && b.iter().all(|c| c.is_ascii_hexdigit() || *c == b'-');
            if !well_formed {
                malformed += 1;
            }
            seen.insert(t);
        }
        println!(
            "- {name}: {n} tokens, {} distinct, {malformed} not a version-4 UUID",
            seen.len()
        );
    }
    for (name, jitter) in [
        ("ours jitter", crate::random::ours_jitter as fn() -> f64),
        ("getrandom jitter", crate::random::getrandom_jitter),
    ] {
        let n = 1_000_000;
        let mut buckets = [0u64; 10];
        let mut sum = 0.0;
        let mut out_of_range = 0;
        for _ in 0..n {
            let r = jitter();
            if !(0.0..1.0).contains(&r) {
                out_of_range += 1;
            }
            sum += r;
            buckets[((r * 10.0) as usize).min(9)] += 1;
        }
        let expected = n as f64 / 10.0;
        let chi2: f64 = buckets
            .iter()
            .map(|&b| (b as f64 - expected).powi(2) / expected)
            .sum();
        println!(
            "- {name}: {n} draws, mean {:.4}, {out_of_range} outside [0, 1), chi-square over \
             10 buckets {chi2:.1} (9 degrees of freedom: 21.7 is the 1 % critical value)",
            sum / n as f64
        );
    }
    println!();
}
