//! One job per size probe. Each takes its input at run time (so nothing is folded away) and
//! returns text to print. The `ours`/alternative pairs do the same job, so the difference of
//! their stripped sizes is what a switch would change in a program that does that job.

use aws_smithy_types::date_time::Format;
use lambda_sdk_runtime::{Blob, DateTime, DateTimeFormat};

/// The baseline of the standalone probes: the input, unchanged.
pub fn identity(input: &str) -> String {
    input.to_owned()
}

/// The baseline of the base64 probes: the input read as a JSON string (both base64 jobs read
/// their input from JSON, as a blob member in a restJson1 body is read).
pub fn json_string(input: &str) -> String {
    serde_json::from_str::<String>(input).unwrap_or_else(|e| e.to_string())
}

/// Parses a timestamp in whichever text format it is (date-time, then http-date, then
/// epoch-seconds) and formats it in all three, with our `DateTime`.
pub fn date_time_ours(input: &str) -> String {
    let parsed = DateTime::from_str(input, DateTimeFormat::DateTime)
        .or_else(|_| DateTime::from_str(input, DateTimeFormat::HttpDate))
        .or_else(|_| DateTime::from_str(input, DateTimeFormat::EpochSeconds));
    match parsed {
        Ok(t) => format!(
            "{} | {} | {}",
            t.fmt(DateTimeFormat::DateTime),
            t.fmt(DateTimeFormat::HttpDate),
            t.fmt(DateTimeFormat::EpochSeconds)
        ),
        Err(e) => e.to_string(),
    }
}

/// The same job with `aws_smithy_types::DateTime` (date-time parsed as smithy-rs clients
/// parse responses, `Format::DateTimeWithOffset`).
pub fn date_time_smithy(input: &str) -> String {
    let parsed = aws_smithy_types::DateTime::from_str(input, Format::DateTimeWithOffset)
        .or_else(|_| aws_smithy_types::DateTime::from_str(input, Format::HttpDate))
        .or_else(|_| aws_smithy_types::DateTime::from_str(input, Format::EpochSeconds));
    let fmt = |t: &aws_smithy_types::DateTime, f| t.fmt(f).unwrap_or_else(|e| e.to_string());
    match parsed {
        Ok(t) => format!(
            "{} | {} | {}",
            fmt(&t, Format::DateTime),
            fmt(&t, Format::HttpDate),
            fmt(&t, Format::EpochSeconds)
        ),
        Err(e) => e.to_string(),
    }
}

/// Reads a JSON string as a blob (base64-decoded) and writes it back as base64, with ours:
/// `Blob`'s `Deserialize` and `__private::rest_json::fmt_blob` (what generated code calls),
/// the runtime's paths to its private base64 module.
pub fn base64_ours(input: &str) -> String {
    match serde_json::from_str::<Blob>(input) {
        Ok(blob) => lambda_sdk_runtime::__private::rest_json::fmt_blob(&blob),
        Err(e) => e.to_string(),
    }
}

/// The same job with `base64-simd`'s `STANDARD` (what `aws_smithy_types::base64` calls).
pub fn base64_simd(input: &str) -> String {
    let decoded = serde_json::from_str::<&str>(input)
        .map_err(|e| e.to_string())
        .and_then(|text| {
            base64_simd::STANDARD
                .decode_to_vec(text)
                .map_err(|e| e.to_string())
        });
    match decoded {
        Ok(bytes) => base64_simd::STANDARD.encode_to_string(bytes),
        Err(e) => e,
    }
}

/// An idempotency token and a jitter value (in millionths), with ours.
pub fn random_ours(input: &str) -> String {
    let token = lambda_sdk_runtime::config::idempotency_token();
    let jitter = (crate::random::ours_jitter() * 1e6) as u64;
    format!("{input} {token} {jitter}")
}

/// The same with `getrandom` alone.
pub fn random_getrandom(input: &str) -> String {
    let token = crate::random::getrandom_token();
    let jitter = (crate::random::getrandom_jitter() * 1e6) as u64;
    format!("{input} {token} {jitter}")
}

/// Runs `job` on the first argument (or on each line of standard input) and prints the result.
pub fn probe_main(job: fn(&str) -> String) {
    match std::env::args().nth(1) {
        Some(input) => println!("{}", job(&input)),
        None => {
            for line in std::io::stdin().lines().map_while(Result::ok) {
                println!("{}", job(&line));
            }
        }
    }
}
