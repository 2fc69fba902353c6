//! Exact conversion between `(seconds, nanoseconds)` and decimal text such
//! as `1515531081.123` or `-1.5`, without going through floating point.

use std::fmt::Write as _;

use super::NANOS_PER_SEC;

/// Formats `seconds + nanos / 1e9` as a plain decimal: no exponent, no
/// trailing zeros in the fraction, and no fraction at all when it is zero.
pub(super) fn format(seconds: i64, nanos: u32) -> String {
    let mut out = String::with_capacity(32);
    // For a negative instant with a fraction, `-3 s + 0.25 s` is `-2.75`.
    let (negative, whole, fraction) = if seconds < 0 && nanos > 0 {
        (true, (seconds + 1).unsigned_abs(), NANOS_PER_SEC - nanos)
    } else {
        (seconds < 0, seconds.unsigned_abs(), nanos)
    };
    if negative {
        out.push('-');
    }
    // Writing to a `String` cannot fail.
    let _ = write!(out, "{whole}");
    if fraction > 0 {
        let _ = write!(out, ".{fraction:09}");
        let trimmed = out.trim_end_matches('0').len();
        out.truncate(trimmed);
    }
    out
}

/// Parses `[+-]digits[.digits][(e|E)[+-]digits]` exactly.
///
/// Digits beyond nanosecond precision are dropped by rounding towards
/// negative infinity (the result is the latest whole nanosecond not after the
/// exact value), which for non-negative values is plain truncation.
///
/// Returns the normalized `(seconds, nanos)` or a description of the problem.
pub(super) fn parse(text: &str) -> Result<(i64, u32), String> {
    let bytes = text.as_bytes();
    let digits_at = |from: &[u8]| from.iter().take_while(|b| b.is_ascii_digit()).count();
    let error_at = |rest: &[u8], expected: &str| {
        let index = bytes.len() - rest.len();
        match text.get(index..).and_then(|s| s.chars().next()) {
            Some(found) => format!("expected {expected} at index {index}, found {found:?}"),
            None => format!("expected {expected} at index {index}, found end of input"),
        }
    };

    let (negative, rest) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, bytes),
    };
    let int_len = digits_at(rest);
    if int_len == 0 {
        return Err(error_at(rest, "a digit"));
    }
    let (int_digits, rest) = rest.split_at(int_len);
    let (frac_digits, rest) = match rest.split_first() {
        Some((b'.', after_point)) => {
            let frac_len = digits_at(after_point);
            if frac_len == 0 {
                return Err(error_at(after_point, "a digit after the decimal point"));
            }
            after_point.split_at(frac_len)
        }
        _ => (&[][..], rest),
    };
    let (exponent, rest) = match rest.split_first() {
        Some((b'e' | b'E', after_e)) => {
            let (exp_negative, after_sign) = match after_e.split_first() {
                Some((b'-', r)) => (true, r),
                Some((b'+', r)) => (false, r),
                _ => (false, after_e),
            };
            let exp_len = digits_at(after_sign);
            if exp_len == 0 {
                return Err(error_at(after_sign, "a digit in the exponent"));
            }
            let (exp_digits, rest) = after_sign.split_at(exp_len);
            let magnitude = exp_digits.iter().fold(0i64, |acc, &d| {
                acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
            });
            (if exp_negative { -magnitude } else { magnitude }, rest)
        }
        _ => (0, rest),
    };
    if !rest.is_empty() {
        return Err(error_at(rest, "a digit, '.', 'e' or the end of the number"));
    }

    // The number is 0.d0d1d2... * 10^point with d = int_digits ++ frac_digits.
    let total = int_digits.len() + frac_digits.len();
    let digit = |index: i64| -> u64 {
        let Ok(index) = usize::try_from(index) else {
            return 0;
        };
        let d = if index < int_digits.len() {
            int_digits[index]
        } else if index < total {
            frac_digits[index - int_digits.len()]
        } else {
            return 0;
        };
        u64::from(d - b'0')
    };
    let total = i64::try_from(total).map_err(|_| String::from("number is too long"))?;
    let point = i64::try_from(int_digits.len())
        .map_err(|_| String::from("number is too long"))?
        .saturating_add(exponent);

    // Whole seconds (magnitude), allowing up to 2^63 for i64::MIN.
    const LIMIT: u64 = 1 << 63;
    let out_of_range = || String::from("number of seconds is out of range");
    let mut whole: u64 = 0;
    for index in 0..point.min(total) {
        whole = whole
            .checked_mul(10)
            .and_then(|w| w.checked_add(digit(index)))
            .filter(|&w| w <= LIMIT)
            .ok_or_else(out_of_range)?;
    }
    if whole != 0 {
        // Trailing zeros implied by a positive exponent; overflows within 20 steps.
        let mut index = total;
        while index < point {
            whole = whole
                .checked_mul(10)
                .filter(|&w| w <= LIMIT)
                .ok_or_else(out_of_range)?;
            index += 1;
        }
    }

    let mut nanos: u32 = 0;
    for k in 0..9 {
        nanos = nanos * 10 + digit(point.saturating_add(k)) as u32;
    }
    let first_dropped = point.saturating_add(9).max(0);
    let dropped_nonzero = (first_dropped..total).any(|index| digit(index) != 0);

    if !negative {
        let seconds = i64::try_from(whole).map_err(|_| out_of_range())?;
        return Ok((seconds, nanos));
    }
    // -(whole + fraction), rounded down to a whole nanosecond.
    let nanos_up = nanos + u32::from(dropped_nonzero); // 0..=1e9
    let whole = i64::try_from(whole).ok();
    match (whole, nanos_up) {
        (None, 0) => Ok((i64::MIN, 0)),
        (Some(w), 0) => Ok((-w, 0)),
        // `w <= i64::MAX`, so `-w - 1 >= i64::MIN`.
        (Some(w), n) if n == NANOS_PER_SEC => Ok((-w - 1, 0)),
        (Some(w), n) => Ok((-w - 1, NANOS_PER_SEC - n)),
        (None, _) => Err(out_of_range()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(format(0, 0), "0");
        assert_eq!(format(1, 123_000_000), "1.123");
        assert_eq!(format(1_515_531_081, 123_400_000), "1515531081.1234");
        assert_eq!(format(1_515_531_081, 0), "1515531081");
        assert_eq!(format(-2, 500_000_000), "-1.5");
        assert_eq!(format(-1, 500_000_000), "-0.5");
        assert_eq!(format(-1, 999_999_999), "-0.000000001");
        assert_eq!(format(-1, 0), "-1");
        assert_eq!(format(0, 1), "0.000000001");
        assert_eq!(
            format(i64::MAX, 999_999_999),
            "9223372036854775807.999999999"
        );
        assert_eq!(format(i64::MIN, 0), "-9223372036854775808");
        assert_eq!(format(i64::MIN, 1), "-9223372036854775807.999999999");
    }

    #[test]
    fn parses_exactly() {
        assert_eq!(parse("0"), Ok((0, 0)));
        assert_eq!(parse("-0"), Ok((0, 0)));
        assert_eq!(parse("1.123"), Ok((1, 123_000_000)));
        assert_eq!(parse("+1.123"), Ok((1, 123_000_000)));
        assert_eq!(parse("1515531081.1234"), Ok((1_515_531_081, 123_400_000)));
        assert_eq!(parse("-1.5"), Ok((-2, 500_000_000)));
        assert_eq!(parse("-0.5"), Ok((-1, 500_000_000)));
        assert_eq!(parse("-1"), Ok((-1, 0)));
        assert_eq!(parse("0.000000001"), Ok((0, 1)));
        assert_eq!(parse("1.0000000019"), Ok((1, 1)));
        assert_eq!(parse("00012.50"), Ok((12, 500_000_000)));
        assert_eq!(
            parse("9223372036854775807.999999999"),
            Ok((i64::MAX, 999_999_999))
        );
        assert_eq!(parse("-9223372036854775808"), Ok((i64::MIN, 0)));
        assert_eq!(parse("-9223372036854775807.5"), Ok((i64::MIN, 500_000_000)));
        assert_eq!(parse("-9223372036854775807.9999999999"), Ok((i64::MIN, 0)));
    }

    #[test]
    fn negative_extra_digits_round_down() {
        assert_eq!(parse("-0.0000000001"), Ok((-1, 999_999_999)));
        assert_eq!(parse("-1.9999999999"), Ok((-2, 0)));
        assert_eq!(parse("-1.0000000000"), Ok((-1, 0)));
        assert_eq!(parse("0.0000000009"), Ok((0, 0)));
    }

    #[test]
    fn parses_exponents() {
        assert_eq!(parse("1.5e9"), Ok((1_500_000_000, 0)));
        assert_eq!(parse("1.515531081123E9"), Ok((1_515_531_081, 123_000_000)));
        assert_eq!(parse("15e-1"), Ok((1, 500_000_000)));
        assert_eq!(parse("1e-9"), Ok((0, 1)));
        assert_eq!(parse("1e-10"), Ok((0, 0)));
        assert_eq!(parse("-1e-10"), Ok((-1, 999_999_999)));
        assert_eq!(parse("0e999999999999999999999"), Ok((0, 0)));
        assert_eq!(parse("1e-999999999999999999999"), Ok((0, 0)));
        assert!(parse("1e19").is_err());
        assert!(parse("1e999999999999999999999").is_err());
    }

    #[test]
    fn rejects_out_of_range() {
        assert!(parse("9223372036854775808").is_err());
        assert!(parse("-9223372036854775809").is_err());
        assert!(parse("-9223372036854775808.5").is_err());
        assert!(parse("100000000000000000000000000").is_err());
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "", "-", "+", ".5", "1.", "1.e5", "1e", "1e+", "abc", "1.2.3", "1,5", " 1", "1 ",
            "0x10", "NaN", "inf", "1_000", "--1", "1e5.5", "١",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(
            parse("12a").unwrap_err(),
            "expected a digit, '.', 'e' or the end of the number at index 2, found 'a'"
        );
        assert_eq!(
            parse("").unwrap_err(),
            "expected a digit at index 0, found end of input"
        );
    }

    #[test]
    fn round_trips() {
        for (s, n) in [
            (0, 0),
            (1, 123_000_000),
            (-2, 500_000_000),
            (i64::MIN, 1),
            (i64::MAX, 999_999_999),
            (-1_234_567, 89),
        ] {
            assert_eq!(parse(&format(s, n)), Ok((s, n)));
        }
    }
}
