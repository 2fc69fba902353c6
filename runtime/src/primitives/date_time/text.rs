//! The two textual timestamp formats: RFC 3339 `date-time` and the HTTP
//! IMF-fixdate `http-date`.

use std::fmt::{self, Write};

use super::DateTime;
use super::civil::{SECONDS_PER_DAY, civil_from_days, days_from_civil, days_in_month, weekday};

const DAY_NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Calendar fields of an instant, in UTC.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    weekday: u32,
}

impl Civil {
    fn of(value: &DateTime) -> Self {
        let days = value.secs().div_euclid(SECONDS_PER_DAY);
        // 0..86_400, lossless.
        let second_of_day = value.secs().rem_euclid(SECONDS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        Self {
            year,
            month,
            day,
            hour: second_of_day / 3600,
            minute: second_of_day / 60 % 60,
            second: second_of_day % 60,
            weekday: weekday(days),
        }
    }
}

/// Four-digit years as is; years outside 0000-9999 in the ISO 8601 expanded
/// form (`+10000`, `-0001`), which RFC 3339 parsers do not accept.
fn write_year(out: &mut impl Write, year: i64) -> fmt::Result {
    if (0..=9999).contains(&year) {
        write!(out, "{year:04}")
    } else if year > 9999 {
        write!(out, "+{year}")
    } else {
        write!(out, "-{:04}", year.unsigned_abs())
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, the fraction without trailing zeros.
pub(super) fn write_date_time(value: &DateTime, out: &mut impl Write) -> fmt::Result {
    let c = Civil::of(value);
    write_year(out, c.year)?;
    write!(
        out,
        "-{:02}-{:02}T{:02}:{:02}:{:02}",
        c.month, c.day, c.hour, c.minute, c.second
    )?;
    let mut fraction = value.subsec_nanos();
    if fraction > 0 {
        let mut width = 9;
        while fraction.is_multiple_of(10) {
            fraction /= 10;
            width -= 1;
        }
        write!(out, ".{fraction:0width$}")?;
    }
    out.write_char('Z')
}

/// `Tue, 29 Apr 2014 18:30:38[.123] GMT`; the fraction (milliseconds,
/// truncated) only when the millisecond part is non-zero.
pub(super) fn write_http_date(value: &DateTime, out: &mut impl Write) -> fmt::Result {
    let c = Civil::of(value);
    let day_name = DAY_NAMES[c.weekday as usize];
    let month_name = MONTH_NAMES[(c.month - 1) as usize];
    write!(out, "{day_name}, {:02} {month_name} ", c.day)?;
    write_year(out, c.year)?;
    write!(out, " {:02}:{:02}:{:02}", c.hour, c.minute, c.second)?;
    let millis = value.subsec_nanos() / 1_000_000;
    if millis > 0 {
        write!(out, ".{millis:03}")?;
    }
    out.write_str(" GMT")
}

/// A position in the text being parsed; produces "expected …, found …" errors.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn error(&self, expected: &str) -> String {
        match self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            Some(found) => format!("expected {expected} at index {}, found {found:?}", self.pos),
            None => format!(
                "expected {expected} at index {}, found end of input",
                self.pos
            ),
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let matched = self.peek() == Some(byte);
        if matched {
            self.pos += 1;
        }
        matched
    }

    /// Consumes one of `options`, returning it.
    fn one_of(&mut self, options: &[u8], expected: &str) -> Result<u8, String> {
        match self.peek() {
            Some(byte) if options.contains(&byte) => {
                self.pos += 1;
                Ok(byte)
            }
            _ => Err(self.error(expected)),
        }
    }

    fn expect(&mut self, byte: u8, expected: &str) -> Result<(), String> {
        self.one_of(&[byte], expected).map(drop)
    }

    /// Exactly `width` ASCII digits.
    fn number(&mut self, width: usize, expected: &str) -> Result<u32, String> {
        let mut value = 0;
        for _ in 0..width {
            match self.peek() {
                Some(d @ b'0'..=b'9') => {
                    value = value * 10 + u32::from(d - b'0');
                    self.pos += 1;
                }
                _ => return Err(self.error(expected)),
            }
        }
        Ok(value)
    }

    /// One or more digits after a decimal point, as nanoseconds; digits
    /// beyond the ninth are truncated.
    fn fraction(&mut self) -> Result<u32, String> {
        let start = self.pos;
        let mut nanos = 0;
        let mut scale = 100_000_000;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            nanos += u32::from(d - b'0') * scale;
            scale /= 10;
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error("a digit after the decimal point"));
        }
        Ok(nanos)
    }

    /// One of `words` (ASCII case-insensitive), returning its index.
    fn word(&mut self, words: &[&str], expected: &str) -> Result<usize, String> {
        let rest = self.text.as_bytes().get(self.pos..).unwrap_or_default();
        for (index, word) in words.iter().enumerate() {
            if rest
                .get(..word.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(word.as_bytes()))
            {
                self.pos += word.len();
                return Ok(index);
            }
        }
        Err(self.error(expected))
    }

    fn end(&self) -> Result<(), String> {
        if self.pos == self.text.len() {
            Ok(())
        } else {
            Err(self.error("end of input"))
        }
    }
}

fn check_date(year: u32, month: u32, day: u32) -> Result<(), String> {
    if !(1..=12).contains(&month) {
        return Err(format!("month {month:02} is out of range (01-12)"));
    }
    let last = days_in_month(i64::from(year), month);
    if !(1..=last).contains(&day) {
        return Err(format!(
            "day {day:02} is out of range for {year:04}-{month:02} (01-{last:02})"
        ));
    }
    Ok(())
}

/// `HH:MM:SS[.fraction]`, returning seconds of the day and nanoseconds.
fn time_of_day(c: &mut Cursor<'_>) -> Result<(i64, u32), String> {
    let hour = c.number(2, "a 2-digit hour")?;
    c.expect(b':', "':'")?;
    let minute = c.number(2, "a 2-digit minute")?;
    c.expect(b':', "':'")?;
    let second = c.number(2, "a 2-digit second")?;
    let nanos = if c.eat(b'.') { c.fraction()? } else { 0 };
    if hour > 23 {
        return Err(format!("hour {hour:02} is out of range (00-23)"));
    }
    if minute > 59 {
        return Err(format!("minute {minute:02} is out of range (00-59)"));
    }
    if second == 60 {
        return Err("leap seconds (second 60) are not supported".to_owned());
    }
    if second > 59 {
        return Err(format!("second {second:02} is out of range (00-59)"));
    }
    Ok((i64::from(hour * 3600 + minute * 60 + second), nanos))
}

fn instant(year: u32, month: u32, day: u32, second_of_day: i64, nanos: u32) -> DateTime {
    let days = days_from_civil(i64::from(year), month, day);
    DateTime::from_secs_and_nanos(days * SECONDS_PER_DAY + second_of_day, nanos)
}

/// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`,
/// `T` and `Z` in either case.
pub(super) fn parse_date_time(text: &str) -> Result<DateTime, String> {
    let mut c = Cursor::new(text);
    let year = c.number(4, "a 4-digit year")?;
    c.expect(b'-', "'-'")?;
    let month = c.number(2, "a 2-digit month")?;
    c.expect(b'-', "'-'")?;
    let day = c.number(2, "a 2-digit day")?;
    check_date(year, month, day)?;
    c.one_of(b"Tt", "'T'")?;
    let (second_of_day, nanos) = time_of_day(&mut c)?;
    let offset = match c.one_of(b"Zz+-", "'Z' or a UTC offset like '+01:00'")? {
        b'+' => utc_offset(&mut c)?,
        b'-' => -utc_offset(&mut c)?,
        _ => 0,
    };
    c.end()?;
    Ok(instant(year, month, day, second_of_day - offset, nanos))
}

/// `HH:MM` after the sign of a UTC offset, in seconds.
fn utc_offset(c: &mut Cursor<'_>) -> Result<i64, String> {
    let hours = c.number(2, "a 2-digit offset hour")?;
    c.expect(b':', "':' in the UTC offset")?;
    let minutes = c.number(2, "a 2-digit offset minute")?;
    if hours > 23 || minutes > 59 {
        return Err(format!(
            "UTC offset {hours:02}:{minutes:02} is out of range"
        ));
    }
    Ok(i64::from(hours * 3600 + minutes * 60))
}

/// IMF-fixdate: `Tue, 29 Apr 2014 18:30:38[.fraction] GMT`.
///
/// Names are matched ASCII case-insensitively; the day name must be a valid
/// one but is not checked against the date.
pub(super) fn parse_http_date(text: &str) -> Result<DateTime, String> {
    let mut c = Cursor::new(text);
    c.word(&DAY_NAMES, "a day name (Mon-Sun)")?;
    c.expect(b',', "','")?;
    c.expect(b' ', "' '")?;
    let day = c.number(2, "a 2-digit day")?;
    c.expect(b' ', "' '")?;
    let month = c.word(&MONTH_NAMES, "a month name (Jan-Dec)")? as u32 + 1;
    c.expect(b' ', "' '")?;
    let year = c.number(4, "a 4-digit year")?;
    check_date(year, month, day)?;
    c.expect(b' ', "' '")?;
    let (second_of_day, nanos) = time_of_day(&mut c)?;
    c.expect(b' ', "' '")?;
    c.word(&["GMT"], "'GMT'")?;
    c.end()?;
    Ok(instant(year, month, day, second_of_day, nanos))
}
