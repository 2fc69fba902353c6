use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;

fn dt(secs: i64, nanos: u32) -> DateTime {
    DateTime::from_secs_and_nanos(secs, nanos)
}

fn parse(input: &str, format: DateTimeFormat) -> DateTime {
    DateTime::from_str(input, format).unwrap_or_else(|e| panic!("{e}"))
}

fn rfc3339(input: &str) -> DateTime {
    parse(input, DateTimeFormat::DateTime)
}

fn http(input: &str) -> DateTime {
    parse(input, DateTimeFormat::HttpDate)
}

fn err(input: &str, format: DateTimeFormat) -> String {
    match DateTime::from_str(input, format) {
        Ok(value) => panic!("{input:?} parsed as {value:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn constructors_and_accessors() {
    assert_eq!(DateTime::default(), DateTime::UNIX_EPOCH);
    assert_eq!(dt(5, 7).secs(), 5);
    assert_eq!(dt(5, 7).subsec_nanos(), 7);
    assert_eq!(dt(0, 1_000_000_000), DateTime::from_secs(1));
    assert_eq!(dt(-1, 4_294_967_295), dt(3, 294_967_295));
    assert_eq!(dt(i64::MAX, 999_999_999), DateTime::MAX);
    assert_eq!(dt(i64::MAX - 1, 2_000_000_000), DateTime::MAX);
    assert_eq!(DateTime::from_millis(1_500), dt(1, 500_000_000));
    assert_eq!(DateTime::from_millis(-1_500), dt(-2, 500_000_000));
    assert_eq!(DateTime::from_millis(i64::MIN).to_millis(), i64::MIN);
    assert_eq!(DateTime::from_millis(i64::MAX).to_millis(), i64::MAX);
    assert_eq!(dt(-2, 500_000_000).to_millis(), -1_500);
    assert_eq!(dt(-1, 1).to_millis(), -1_000);
    assert_eq!(DateTime::MAX.to_millis(), i64::MAX);
    assert_eq!(DateTime::MIN.to_millis(), i64::MIN);
}

#[test]
fn ordering_follows_the_instant() {
    let mut values = vec![
        dt(1, 0),
        dt(-1, 999_999_999),
        dt(-2, 0),
        dt(0, 1),
        dt(-1, 0),
    ];
    values.sort();
    assert_eq!(
        values,
        [
            dt(-2, 0),
            dt(-1, 0),
            dt(-1, 999_999_999),
            dt(0, 1),
            dt(1, 0)
        ]
    );
}

#[test]
fn fractional_secs_are_exact() {
    let cases = [
        (1.123, (1, 123_000_000)),
        (1_515_531_081.123_4, (1_515_531_081, 123_400_000)),
        (-1.5, (-2, 500_000_000)),
        (-0.001, (-1, 999_000_000)),
        (0.0, (0, 0)),
        (-0.0, (0, 0)),
        (1e-9, (0, 1)),
        (1e-10, (0, 0)),
        (1e18, (1_000_000_000_000_000_000, 0)),
        (-9.2e18, (-9_200_000_000_000_000_000, 0)),
        (253_402_300_799.999, (253_402_300_799, 999_000_000)),
    ];
    for (input, (secs, nanos)) in cases {
        let value = DateTime::from_fractional_secs(input).unwrap_or_else(|| panic!("{input}"));
        assert_eq!(
            (value.secs(), value.subsec_nanos()),
            (secs, nanos),
            "{input}"
        );
    }
    // -2^63 is exactly i64::MIN, but its shortest decimal, -9223372036854776000,
    // is below it.
    let min = i64::MIN as f64;
    for bad in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e19,
        -1e19,
        f64::MAX,
        min,
    ] {
        assert_eq!(DateTime::from_fractional_secs(bad), None, "{bad}");
    }
}

#[test]
fn system_time_round_trips() {
    let cases = [
        (UNIX_EPOCH, dt(0, 0)),
        (UNIX_EPOCH + Duration::new(1, 5), dt(1, 5)),
        (UNIX_EPOCH - Duration::new(1, 0), dt(-1, 0)),
        (UNIX_EPOCH - Duration::new(0, 1), dt(-1, 999_999_999)),
        (
            UNIX_EPOCH - Duration::new(1, 500_000_000),
            dt(-2, 500_000_000),
        ),
        (
            UNIX_EPOCH - Duration::from_secs(2_208_988_800),
            rfc3339("1900-01-01T00:00:00Z"),
        ),
    ];
    for (system, date_time) in cases {
        assert_eq!(DateTime::from(system), date_time);
        assert_eq!(SystemTime::from(date_time), system);
    }
    let now = SystemTime::now();
    assert_eq!(SystemTime::from(DateTime::from(now)), now);
    let now = DateTime::now();
    assert!(now > rfc3339("2020-01-01T00:00:00Z"));
}

#[test]
fn system_time_saturation_search() {
    let limit = Duration::from_secs(1_000);
    let shift = |d: Duration| (d.as_secs() <= 777).then(|| UNIX_EPOCH + d);
    assert_eq!(
        saturating_shift(limit, shift),
        UNIX_EPOCH + Duration::from_secs(777)
    );
    let never = |d: Duration| (d.is_zero()).then_some(UNIX_EPOCH);
    assert_eq!(saturating_shift(limit, never), UNIX_EPOCH);
    assert_eq!(
        saturating_shift(Duration::MAX, shift),
        UNIX_EPOCH + Duration::from_secs(777)
    );
}

#[test]
fn formats_date_time() {
    let cases = [
        (dt(0, 0), "1970-01-01T00:00:00Z"),
        (dt(482_196_050, 520_000_000), "1985-04-12T23:20:50.52Z"),
        (dt(1_576_540_098, 0), "2019-12-16T23:48:18Z"),
        (dt(951_782_400, 0), "2000-02-29T00:00:00Z"),
        (dt(-1, 999_000_000), "1969-12-31T23:59:59.999Z"),
        (dt(-1, 999_999_999), "1969-12-31T23:59:59.999999999Z"),
        (dt(0, 1), "1970-01-01T00:00:00.000000001Z"),
        (dt(0, 100), "1970-01-01T00:00:00.0000001Z"),
        (dt(-62_135_596_800, 0), "0001-01-01T00:00:00Z"),
        (dt(-62_167_219_200, 0), "0000-01-01T00:00:00Z"),
        (dt(253_402_300_799, 0), "9999-12-31T23:59:59Z"),
        (dt(253_402_300_800, 0), "+10000-01-01T00:00:00Z"),
        (dt(-62_167_219_201, 0), "-0001-12-31T23:59:59Z"),
        (dt(1_709_164_800, 0), "2024-02-29T00:00:00Z"),
    ];
    for (value, text) in cases {
        assert_eq!(value.fmt(DateTimeFormat::DateTime), text);
        assert_eq!(value.to_string(), text);
        if !text.starts_with(['+', '-']) {
            assert_eq!(rfc3339(text), value, "{text}");
        }
    }
    // Extremes format without panicking.
    assert_eq!(
        DateTime::MAX.to_string(),
        "+292277026596-12-04T15:30:07.999999999Z"
    );
    assert_eq!(DateTime::MIN.to_string(), "-292277022657-01-27T08:29:52Z");
}

#[test]
fn parses_date_time_variants() {
    let base = dt(482_196_050, 520_000_000);
    assert_eq!(rfc3339("1985-04-12t23:20:50.52z"), base);
    assert_eq!(rfc3339("1985-04-12T23:20:50.520000000000000Z"), base);
    assert_eq!(rfc3339("1985-04-13T01:20:50.52+02:00"), base);
    assert_eq!(rfc3339("1985-04-12T22:20:50.52-01:00"), base);
    assert_eq!(rfc3339("1985-04-12T23:20:50.52+00:00"), base);
    assert_eq!(rfc3339("1985-04-12T23:20:50.52-00:00"), base);
    assert_eq!(
        rfc3339("1996-12-19T16:39:57-08:00"),
        rfc3339("1996-12-20T00:39:57Z")
    );
    assert_eq!(
        rfc3339("1970-01-01T00:00:00.1234567899Z"),
        dt(0, 123_456_789)
    );
    assert_eq!(rfc3339("1969-12-31T23:59:59.999Z"), dt(-1, 999_000_000));
    assert_eq!(
        rfc3339("0000-03-01T00:00:00+23:59"),
        dt(rfc3339("0000-03-01T00:00:00Z").secs() - 86_340, 0)
    );
}

#[test]
fn rejects_bad_date_times() {
    use DateTimeFormat::DateTime as F;
    let cases = [
        ("", "expected a 4-digit year at index 0, found end of input"),
        (
            "85-04-12T23:20:50Z",
            "expected a 4-digit year at index 2, found '-'",
        ),
        (
            "1985-4-12T23:20:50Z",
            "expected a 2-digit month at index 6, found '-'",
        ),
        ("1985-13-12T23:20:50Z", "month 13 is out of range (01-12)"),
        ("1985-00-12T23:20:50Z", "month 00 is out of range (01-12)"),
        (
            "1985-04-31T23:20:50Z",
            "day 31 is out of range for 1985-04 (01-30)",
        ),
        (
            "1985-04-00T23:20:50Z",
            "day 00 is out of range for 1985-04 (01-30)",
        ),
        (
            "2001-02-29T00:00:00Z",
            "day 29 is out of range for 2001-02 (01-28)",
        ),
        (
            "1900-02-29T00:00:00Z",
            "day 29 is out of range for 1900-02 (01-28)",
        ),
        (
            "1985-04-12 23:20:50Z",
            "expected 'T' at index 10, found ' '",
        ),
        ("1985-04-12T24:00:00Z", "hour 24 is out of range (00-23)"),
        ("1985-04-12T23:60:00Z", "minute 60 is out of range (00-59)"),
        (
            "1985-04-12T23:59:60Z",
            "leap seconds (second 60) are not supported",
        ),
        ("1985-04-12T23:59:61Z", "second 61 is out of range (00-59)"),
        (
            "1985-04-12T23:20:50",
            "expected 'Z' or a UTC offset like '+01:00' at index 19, found end of input",
        ),
        (
            "1985-04-12T23:20:50.Z",
            "expected a digit after the decimal point at index 20, found 'Z'",
        ),
        (
            "1985-04-12T23:20:50Z ",
            "expected end of input at index 20, found ' '",
        ),
        (
            "1985-04-12T23:20:50ZZ",
            "expected end of input at index 20, found 'Z'",
        ),
        (
            "1985-04-12T23:20:50+0100",
            "expected ':' in the UTC offset at index 22, found '0'",
        ),
        (
            "1985-04-12T23:20:50+24:00",
            "UTC offset 24:00 is out of range",
        ),
        (
            "1985-04-12T23:20:50+01:60",
            "UTC offset 01:60 is out of range",
        ),
        (
            "1985-04-12T23:20:50UTC",
            "expected 'Z' or a UTC offset like '+01:00' at index 19, found 'U'",
        ),
        (
            "１985-04-12T23:20:50Z",
            "expected a 4-digit year at index 0, found '１'",
        ),
        (
            "Tue, 29 Apr 2014 18:30:38 GMT",
            "expected a 4-digit year at index 0, found 'T'",
        ),
    ];
    for (input, reason) in cases {
        assert_eq!(
            err(input, F),
            format!("invalid date-time timestamp {input:?}: {reason}")
        );
    }
}

#[test]
fn http_dates() {
    use DateTimeFormat::HttpDate as F;
    let cases = [
        (dt(1_398_796_238, 0), "Tue, 29 Apr 2014 18:30:38 GMT"),
        (
            dt(1_398_796_238, 123_456_789),
            "Tue, 29 Apr 2014 18:30:38.123 GMT",
        ),
        (
            dt(1_398_796_238, 100_000_000),
            "Tue, 29 Apr 2014 18:30:38.100 GMT",
        ),
        (dt(0, 0), "Thu, 01 Jan 1970 00:00:00 GMT"),
        (dt(-1, 999_000_000), "Wed, 31 Dec 1969 23:59:59.999 GMT"),
        (dt(951_782_400, 0), "Tue, 29 Feb 2000 00:00:00 GMT"),
        (dt(784_111_777, 0), "Sun, 06 Nov 1994 08:49:37 GMT"),
        (dt(253_402_300_799, 0), "Fri, 31 Dec 9999 23:59:59 GMT"),
        (dt(-62_135_596_800, 0), "Mon, 01 Jan 0001 00:00:00 GMT"),
    ];
    for (value, text) in cases {
        assert_eq!(value.fmt(F), text);
        let truncated = dt(value.secs(), value.subsec_nanos() / 1_000_000 * 1_000_000);
        assert_eq!(http(text), truncated, "{text}");
    }
    // Sub-millisecond nanos are not written.
    assert_eq!(dt(0, 999_999).fmt(F), "Thu, 01 Jan 1970 00:00:00 GMT");
    // Any number of fraction digits is read.
    assert_eq!(
        http("Tue, 29 Apr 2014 18:30:38.123456789 GMT"),
        dt(1_398_796_238, 123_456_789)
    );
    assert_eq!(
        http("Tue, 29 Apr 2014 18:30:38.5 GMT"),
        dt(1_398_796_238, 500_000_000)
    );
    // Names are case-insensitive, and the day name is not checked.
    assert_eq!(http("tue, 29 APR 2014 18:30:38 gmt"), dt(1_398_796_238, 0));
    assert_eq!(http("Mon, 29 Apr 2014 18:30:38 GMT"), dt(1_398_796_238, 0));
}

#[test]
fn rejects_bad_http_dates() {
    use DateTimeFormat::HttpDate as F;
    let cases = [
        (
            "",
            "expected a day name (Mon-Sun) at index 0, found end of input",
        ),
        (
            "Tues, 29 Apr 2014 18:30:38 GMT",
            "expected ',' at index 3, found 's'",
        ),
        (
            "Tue,29 Apr 2014 18:30:38 GMT",
            "expected ' ' at index 4, found '2'",
        ),
        (
            "Tue, 9 Apr 2014 18:30:38 GMT",
            "expected a 2-digit day at index 6, found ' '",
        ),
        (
            "Tue, 29 April 2014 18:30:38 GMT",
            "expected ' ' at index 11, found 'i'",
        ),
        (
            "Tue, 29 Foo 2014 18:30:38 GMT",
            "expected a month name (Jan-Dec) at index 8, found 'F'",
        ),
        (
            "Tue, 29 Feb 2014 18:30:38 GMT",
            "day 29 is out of range for 2014-02 (01-28)",
        ),
        (
            "Tue, 29 Apr 14 18:30:38 GMT",
            "expected a 4-digit year at index 14, found ' '",
        ),
        (
            "Tue, 29 Apr 2014 18:30:38 UTC",
            "expected 'GMT' at index 26, found 'U'",
        ),
        (
            "Tue, 29 Apr 2014 18:30:38",
            "expected ' ' at index 25, found end of input",
        ),
        (
            "Tue, 29 Apr 2014 18:30:38 GMT+1",
            "expected end of input at index 29, found '+'",
        ),
        (
            "Tue, 29 Apr 2014 25:30:38 GMT",
            "hour 25 is out of range (00-23)",
        ),
        (
            "Tue, 29 Apr 2014 23:59:60 GMT",
            "leap seconds (second 60) are not supported",
        ),
        (
            "Tuesday, 29-Apr-14 18:30:38 GMT",
            "expected ',' at index 3, found 's'",
        ),
        (
            "Tue Apr 29 18:30:38 2014",
            "expected ',' at index 3, found ' '",
        ),
        (
            "2014-04-29T18:30:38Z",
            "expected a day name (Mon-Sun) at index 0, found '2'",
        ),
    ];
    for (input, reason) in cases {
        assert_eq!(
            err(input, F),
            format!("invalid http-date timestamp {input:?}: {reason}")
        );
    }
}

#[test]
fn epoch_seconds_text() {
    use DateTimeFormat::EpochSeconds as F;
    let cases = [
        (dt(0, 0), "0"),
        (dt(1, 123_000_000), "1.123"),
        (dt(1_515_531_081, 123_400_000), "1515531081.1234"),
        (dt(1_515_531_081, 0), "1515531081"),
        (dt(-2, 500_000_000), "-1.5"),
        (dt(-1, 0), "-1"),
        (DateTime::MAX, "9223372036854775807.999999999"),
        (DateTime::MIN, "-9223372036854775808"),
    ];
    for (value, text) in cases {
        assert_eq!(value.fmt(F), text);
        assert_eq!(parse(text, F), value);
    }
    assert_eq!(parse("1.5e9", F), dt(1_500_000_000, 0));
    assert_eq!(parse("1515531081.000", F), dt(1_515_531_081, 0));
    assert_eq!(
        err("12:00", F),
        "invalid epoch-seconds timestamp \"12:00\": \
         expected a digit, '.', 'e' or the end of the number at index 2, found ':'"
    );
    assert_eq!(
        err("99999999999999999999", F),
        "invalid epoch-seconds timestamp \"99999999999999999999\": number of seconds is out of range"
    );
    for bad in [
        "", " 1", "1 ", "1.", ".1", "abc", "NaN", "Infinity", "1,5", "0x1F",
    ] {
        assert!(DateTime::from_str(bad, F).is_err(), "{bad:?}");
    }
}

#[test]
fn parse_error_accessors_and_truncation() {
    let long = "x".repeat(100);
    let e = DateTime::from_str(&long, DateTimeFormat::DateTime).unwrap_err();
    assert_eq!(e.format(), DateTimeFormat::DateTime);
    assert_eq!(e.input(), format!("{}…", "x".repeat(64)));
    assert_eq!(e.reason(), "expected a 4-digit year at index 0, found 'x'");
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(
        boxed
            .to_string()
            .starts_with("invalid date-time timestamp \"xxxx")
    );
}

#[test]
fn text_round_trips_every_few_days_over_ten_millennia() {
    let first = rfc3339("0000-01-01T00:00:00Z").secs();
    let last = rfc3339("9999-12-31T23:59:59Z").secs();
    let mut secs = first;
    let mut nanos = 0u32;
    while secs <= last {
        let value = dt(secs, nanos);
        for format in [DateTimeFormat::DateTime, DateTimeFormat::EpochSeconds] {
            assert_eq!(parse(&value.fmt(format), format), value);
        }
        let millis = dt(secs, nanos / 1_000_000 * 1_000_000);
        assert_eq!(http(&value.fmt(DateTimeFormat::HttpDate)), millis);
        secs += 11 * 86_400 + 7 * 3600 + 13 * 60 + 17;
        nanos = (nanos + 123_456_789) % 1_000_000_000;
    }
}

#[test]
fn serde_json_numbers() {
    let cases = [
        (dt(1, 123_000_000), "1.123"),
        (dt(1_515_531_081, 123_400_000), "1515531081.1234"),
        (dt(1_515_531_081, 0), "1515531081"),
        (dt(-2, 500_000_000), "-1.5"),
        (dt(0, 0), "0"),
        (dt(-1, 0), "-1"),
        (dt(i64::MAX, 0), "9223372036854775807"),
        (dt(i64::MIN, 0), "-9223372036854775808"),
        (dt(1_700_000_000, 1_000_000), "1700000000.001"),
    ];
    for (value, json) in cases {
        assert_eq!(serde_json::to_string(&value).unwrap(), json);
        assert_eq!(
            serde_json::from_str::<DateTime>(json).unwrap(),
            value,
            "{json}"
        );
    }
    assert_eq!(
        serde_json::from_str::<DateTime>("1.5e9").unwrap(),
        dt(1_500_000_000, 0)
    );
    assert_eq!(serde_json::from_str::<DateTime>("1.0").unwrap(), dt(1, 0));
    assert_eq!(
        serde_json::from_str::<DateTime>("-0.001").unwrap(),
        dt(-1, 999_000_000)
    );
    assert_eq!(
        serde_json::from_str::<Vec<DateTime>>("[1, 2.5]").unwrap(),
        [dt(1, 0), dt(2, 500_000_000)]
    );
}

#[test]
fn serde_json_rejects_non_numbers() {
    let e = serde_json::from_str::<DateTime>("\"2019-12-16T23:48:18Z\"").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid type: string \"2019-12-16T23:48:18Z\", expected an epoch-seconds timestamp: \
         a number of seconds since 1970-01-01T00:00:00Z at line 1 column 22"
    );
    assert!(serde_json::from_str::<DateTime>("null").is_err());
    assert!(serde_json::from_str::<DateTime>("true").is_err());
    let e = serde_json::from_str::<DateTime>("18446744073709551615").unwrap_err();
    assert!(
        e.to_string().contains("seconds within the i64 range"),
        "{e}"
    );
    let e = serde_json::from_str::<DateTime>("1e300").unwrap_err();
    assert!(e.to_string().contains("a finite number of seconds"), "{e}");
}

#[test]
fn fractional_seconds_fast_path_agrees_with_the_exact_decimal_path() {
    let slow = |v: f64| {
        let (seconds, subsec_nanos) = super::decimal::parse(&v.to_string()).ok()?;
        Some((seconds, subsec_nanos))
    };
    let fast = |v: f64| DateTime::from_fractional_secs(v).map(|t| (t.secs(), t.subsec_nanos()));
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut checked = 0;
    for _ in 0..20_000 {
        let r = next();
        let millis = (r % 4_000_000_000_000) as i64 - 1_000_000_000_000;
        for v in [
            millis as f64 / 1000.0,
            millis as f64 / 10_000.0,
            millis as f64 / 100.0,
            f64::from_bits(r >> 2),
            (millis as f64 / 1000.0) + 1e-7,
        ] {
            assert_eq!(fast(v), slow(v), "{v:?}");
            checked += 1;
        }
    }
    for v in [
        0.0,
        -0.0,
        0.001,
        -0.001,
        1.5,
        -1.5,
        999_999_999_999.999,
        1e12,
        -1e12,
        0.1 + 0.2,
    ] {
        assert_eq!(fast(v), slow(v), "{v:?}");
    }
    assert_eq!(checked, 100_000);
}
