//! `prims speed`: ns/op of ours against the alternative, with `Instant` loops and
//! `black_box`. Each run is calibrated to about `target` of wall time; ours and the
//! alternative run alternately, run after run, so that a burst of load from other processes
//! hits both. The median and the minimum over the runs are printed.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_smithy_types::date_time::Format;
use lambda_sdk_runtime::{Blob, DateTime, DateTimeFormat};

/// How long and how often.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Wall time of one run.
    pub target: Duration,
    /// Runs per contestant (odd, for the median).
    pub runs: usize,
    /// Only the cases whose title contains this.
    pub filter: Option<String>,
}

struct Contestant<'a> {
    name: &'a str,
    run: Box<dyn FnMut(u64) + 'a>,
    iters: u64,
    samples: Vec<f64>,
}

fn contestant<'a, T>(name: &'a str, mut f: impl FnMut() -> T + 'a) -> Contestant<'a> {
    Contestant {
        name,
        run: Box::new(move |iters| {
            for _ in 0..iters {
                black_box(f());
            }
        }),
        iters: 0,
        samples: Vec::new(),
    }
}

fn calibrate(c: &mut Contestant<'_>, target: Duration) {
    let mut iters = 1u64;
    loop {
        let start = Instant::now();
        (c.run)(iters);
        let elapsed = start.elapsed();
        if elapsed >= target / 10 || iters >= 1 << 40 {
            let per_op = elapsed.as_secs_f64() / iters as f64;
            c.iters = ((target.as_secs_f64() / per_op) as u64).max(1);
            return;
        }
        iters *= 4;
    }
}

fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn min(samples: &[f64]) -> f64 {
    samples.iter().copied().fold(f64::INFINITY, f64::min)
}

/// Runs the contestants of one case alternately and prints a row per contestant.
fn case(settings: &Settings, title: &str, mut contestants: Vec<Contestant<'_>>) {
    if settings
        .filter
        .as_deref()
        .is_some_and(|f| !title.contains(f))
    {
        return;
    }
    for c in &mut contestants {
        calibrate(c, settings.target);
    }
    for _ in 0..settings.runs {
        for c in &mut contestants {
            let start = Instant::now();
            (c.run)(c.iters);
            let ns = start.elapsed().as_secs_f64() * 1e9 / c.iters as f64;
            c.samples.push(ns);
        }
    }
    let first = median(&contestants[0].samples);
    for c in &contestants {
        let med = median(&c.samples);
        let spread = (c.samples.iter().copied().fold(0.0, f64::max) - min(&c.samples)) / med;
        println!(
            "| {title} | {} | {} | {} | {:.0} % | {:.2}x |",
            c.name,
            fmt_ns(med),
            fmt_ns(min(&c.samples)),
            spread * 100.0,
            med / first
        );
    }
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 100.0 {
        format!("{ns:.0}")
    } else {
        format!("{ns:.1}")
    }
}

/// `count` pseudo-random byte strings of `len` bytes (xorshift), so that neither the data nor
/// the branches of a table-free decoder repeat in a pattern the branch predictor can learn.
fn payloads(len: usize, count: usize) -> Vec<Vec<u8>> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| (0..len).map(|_| next() as u8).collect())
        .collect()
}

/// Cycles through `inputs`, one per call.
fn cycle<'a, T>(inputs: &'a [T]) -> impl FnMut() -> &'a T + 'a {
    let mut i = 0;
    move || {
        i = (i + 1) % inputs.len();
        &inputs[i]
    }
}

/// Runs every case.
pub fn run(settings: &Settings) {
    println!(
        "runs: {} per contestant, about {} ms each; ns/op: median and minimum over the runs; \
         spread = (max - min) / median; ratio = median / first row's median",
        settings.runs,
        settings.target.as_millis()
    );
    println!();
    println!("| case | contestant | median ns/op | min ns/op | spread | ratio |");
    println!("|---|---|---:|---:|---:|---:|");

    // DateTime.
    let rfc = "2019-12-16T23:48:18.123456Z";
    case(
        settings,
        &format!("parse date-time `{rfc}`"),
        vec![
            contestant("ours", || {
                DateTime::from_str(black_box(rfc), DateTimeFormat::DateTime)
            }),
            contestant("smithy DateTimeWithOffset", || {
                aws_smithy_types::DateTime::from_str(black_box(rfc), Format::DateTimeWithOffset)
            }),
            contestant("smithy DateTime", || {
                aws_smithy_types::DateTime::from_str(black_box(rfc), Format::DateTime)
            }),
        ],
    );
    let offset = "2019-12-17T00:48:18+01:00";
    case(
        settings,
        &format!("parse date-time `{offset}`"),
        vec![
            contestant("ours", || {
                DateTime::from_str(black_box(offset), DateTimeFormat::DateTime)
            }),
            contestant("smithy DateTimeWithOffset", || {
                aws_smithy_types::DateTime::from_str(black_box(offset), Format::DateTimeWithOffset)
            }),
        ],
    );
    let ours_t = DateTime::from_secs_and_nanos(1_576_540_098, 123_456_000);
    let smithy_t = aws_smithy_types::DateTime::from_secs_and_nanos(1_576_540_098, 123_456_000);
    case(
        settings,
        "format date-time (…18.123456Z)",
        vec![
            contestant("ours", || black_box(ours_t).fmt(DateTimeFormat::DateTime)),
            contestant("smithy", || black_box(smithy_t).fmt(Format::DateTime)),
        ],
    );
    let http = "Mon, 16 Dec 2019 23:48:18 GMT";
    case(
        settings,
        &format!("parse http-date `{http}`"),
        vec![
            contestant("ours", || {
                DateTime::from_str(black_box(http), DateTimeFormat::HttpDate)
            }),
            contestant("smithy", || {
                aws_smithy_types::DateTime::from_str(black_box(http), Format::HttpDate)
            }),
        ],
    );
    case(
        settings,
        "format http-date",
        vec![
            contestant("ours", || black_box(ours_t).fmt(DateTimeFormat::HttpDate)),
            contestant("smithy", || black_box(smithy_t).fmt(Format::HttpDate)),
        ],
    );
    let epoch = "1576540098.123";
    case(
        settings,
        &format!("parse epoch-seconds `{epoch}`"),
        vec![
            contestant("ours", || {
                DateTime::from_str(black_box(epoch), DateTimeFormat::EpochSeconds)
            }),
            contestant("smithy", || {
                aws_smithy_types::DateTime::from_str(black_box(epoch), Format::EpochSeconds)
            }),
        ],
    );
    case(
        settings,
        "format epoch-seconds (…098.123456)",
        vec![
            contestant("ours", || {
                black_box(ours_t).fmt(DateTimeFormat::EpochSeconds)
            }),
            contestant("smithy", || black_box(smithy_t).fmt(Format::EpochSeconds)),
        ],
    );
    // A JSON body member: ours deserializes the number exactly (through its decimal text);
    // smithy-rs clients read it as f64 (aws-smithy-json's `expect_timestamp_or_null`) and call
    // `DateTime::from_secs_f64`.
    let number = "1576540098.123";
    case(
        settings,
        &format!("JSON number `{number}` to DateTime"),
        vec![
            contestant("ours (serde_json → DateTime)", || {
                serde_json::from_str::<DateTime>(black_box(number))
            }),
            contestant("smithy (serde_json → f64 → from_secs_f64)", || {
                serde_json::from_str::<f64>(black_box(number))
                    .map(aws_smithy_types::DateTime::from_secs_f64)
            }),
            contestant("ours from_fractional_secs(f64)", || {
                DateTime::from_fractional_secs(black_box(1_576_540_098.123))
            }),
        ],
    );

    // base64: several different inputs in turn (4 MiB in all, 64 KiB at least), each
    // contestant going through them in the same order.
    for len in [1024usize, 64 * 1024] {
        let count = ((4 << 20) / len).max(4);
        let blobs: Vec<Blob> = payloads(len, count).into_iter().map(Blob::new).collect();
        let bytes: Vec<Vec<u8>> = blobs.iter().map(|b| b.to_vec()).collect();
        let (mut next_blob, mut next_bytes) = (cycle(&blobs), cycle(&bytes));
        case(
            settings,
            &format!("base64 encode {len} B ({count} different inputs in turn)"),
            vec![
                contestant("ours (rest_json::fmt_blob)", move || {
                    lambda_sdk_runtime::__private::rest_json::fmt_blob(black_box(next_blob()))
                }),
                contestant("base64-simd STANDARD.encode_to_string", move || {
                    base64_simd::STANDARD.encode_to_string(black_box(next_bytes()))
                }),
            ],
        );
        let json: Vec<String> = blobs
            .iter()
            .map(|b| serde_json::to_string(b).expect("a blob serializes"))
            .collect();
        let (mut a, mut b, mut c) = (cycle(&json), cycle(&json), cycle(&json));
        case(
            settings,
            &format!("base64 decode {len} B from a JSON string ({count} different inputs in turn)"),
            vec![
                contestant("ours (serde_json → Blob)", move || {
                    serde_json::from_str::<Blob>(black_box(a()))
                }),
                contestant(
                    "base64-simd (serde_json → &str → decode_to_vec)",
                    move || {
                        serde_json::from_str::<&str>(black_box(b()))
                            .map(|text| base64_simd::STANDARD.decode_to_vec(text))
                    },
                ),
                contestant(
                    "serde_json → &str alone (the JSON part of both)",
                    move || serde_json::from_str::<&str>(black_box(c())).map(str::len),
                ),
            ],
        );
    }

    // Random helpers.
    case(
        settings,
        "jitter f64",
        vec![
            contestant(
                "ours (RandomState + SystemTime)",
                crate::random::ours_jitter,
            ),
            contestant("getrandom 8 bytes", crate::random::getrandom_jitter),
        ],
    );
    case(
        settings,
        "idempotency token",
        vec![
            contestant(
                "ours (config::idempotency_token)",
                lambda_sdk_runtime::config::idempotency_token,
            ),
            contestant(
                "getrandom only, no fallback",
                crate::random::getrandom_token,
            ),
            contestant("getrandom 16 bytes alone", crate::random::getrandom_16),
        ],
    );
}
