//! RESULTS.md.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::contestants::{Scenario, Who};
use crate::footprint::CodegenTiming;
use crate::measure::{Samples, fmt_duration, median};
use crate::{PerCall, Results};

fn command_line(program: &str, args: &[&str], dir: &Path) -> String {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "?".into())
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn machine() -> Vec<(String, String)> {
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("?".into(), |(_, v)| v.trim().to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = read("/proc/meminfo")
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or("?".into(), |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0));
    let kernel = read("/proc/sys/kernel/osrelease").trim().to_string();
    let load = read("/proc/loadavg")
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    vec![
        ("CPU".into(), cpu),
        ("cores available".into(), cores.to_string()),
        ("memory".into(), mem),
        ("kernel".into(), kernel),
        (
            "load average when the report was written (1, 5, 15 min)".into(),
            load,
        ),
    ]
}

/// Versions of the crates that matter, as resolved in bench/Cargo.lock.
fn locked_versions(bench: &Path) -> Vec<(String, String)> {
    const WANTED: &[&str] = &[
        "lambda-sdk",
        "lambda-sdk-runtime",
        "aws-sdk-lambda",
        "aws-config",
        "aws-smithy-runtime",
        "aws-smithy-runtime-api",
        "aws-smithy-http-client",
        "aws-smithy-json",
        "aws-sigv4",
        "hyper",
        "hyper-util",
        "hyper-rustls",
        "rustls",
        "ring",
        "aws-lc-rs",
        "serde",
        "serde_json",
        "tokio",
    ];
    let lock = std::fs::read_to_string(bench.join("Cargo.lock")).unwrap_or_default();
    let mut found: Vec<(String, String)> = Vec::new();
    let mut name: Option<String> = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let Some(v) = line.strip_prefix("version = ")
            && let Some(n) = name.take()
            && WANTED.contains(&n.as_str())
        {
            let v = v.trim_matches('"').to_string();
            match found.iter_mut().find(|(f, _)| *f == n) {
                Some((_, existing)) => {
                    existing.push_str(", ");
                    existing.push_str(&v);
                }
                None => found.push((n, v)),
            }
        }
    }
    found.sort_by_key(|(n, _)| WANTED.iter().position(|w| w == n));
    found
}

fn bytes(n: u64) -> String {
    format!("{:.2} MB ({n} B)", n as f64 / 1e6)
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { f64::NAN } else { a / b }
}

fn verdict(met: bool) -> &'static str {
    if met { "**met**" } else { "**missed**" }
}

struct Target {
    what: String,
    figure: String,
    ratio: f64,
    wanted: &'static str,
    met: bool,
}

fn row(results: &Results, scenario: Scenario, who: Who) -> Option<&PerCall> {
    results
        .percall
        .iter()
        .find(|p| p.scenario == scenario && p.who == who)
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn targets(results: &Results) -> Vec<Target> {
    let mut t = Vec::new();
    let crates = |w: Who| {
        results
            .crates
            .iter()
            .find(|(x, _)| *x == w)
            .map(|(_, n)| *n as f64)
    };
    if let (Some(o), Some(f)) = (crates(Who::Ours), crates(Who::Floor)) {
        let r = ratio(o, f);
        t.push(Target {
            what: "crates vs floor".into(),
            figure: format!("{o} vs {f}"),
            ratio: r,
            wanted: "≤ 1.10",
            met: r <= 1.10,
        });
    }
    let build = |w: Who| {
        results
            .builds
            .iter()
            .find(|(x, _)| *x == w)
            .map(|(_, b)| b.clone())
    };
    if let (Some(o), Some(f)) = (build(Who::Ours), build(Who::Floor)) {
        let r = ratio(secs(o.wall), secs(f.wall));
        t.push(Target {
            what: "clean release build vs floor".into(),
            figure: format!("{:.1} s vs {:.1} s", secs(o.wall), secs(f.wall)),
            ratio: r,
            wanted: "≤ 1.25",
            met: r <= 1.25,
        });
        let r = ratio(o.size as f64, f.size as f64);
        t.push(Target {
            what: "stripped binary vs floor".into(),
            figure: format!("{} B vs {} B", o.size, f.size),
            ratio: r,
            wanted: "≤ 1.15",
            met: r <= 1.15,
        });
    }
    for scenario in Scenario::ALL {
        let (Some(o), Some(a), Some(f)) = (
            row(results, scenario, Who::Ours),
            row(results, scenario, Who::Official),
            row(results, scenario, Who::Floor),
        ) else {
            continue;
        };
        t.push(latency(scenario, o, f, "floor", 1.25, "≤ 1.25"));
        let r = ratio(f.concurrent.per_second(), o.concurrent.per_second());
        t.push(Target {
            what: format!(
                "per-call cost vs floor, 64 callers (floor calls/s ÷ ours): {}",
                scenario.name()
            ),
            figure: format!(
                "{:.0} vs {:.0} calls/s",
                o.concurrent.per_second(),
                f.concurrent.per_second()
            ),
            ratio: r,
            wanted: "≤ 1.25",
            met: r <= 1.25,
        });
        t.push(latency(
            scenario,
            o,
            a,
            "aws-sdk-lambda",
            0.5,
            "≤ 0.50 (2× faster)",
        ));
        let r = ratio(o.concurrent.per_second(), a.concurrent.per_second());
        t.push(Target {
            what: format!(
                "throughput vs aws-sdk-lambda, 64 callers: {}",
                scenario.name()
            ),
            figure: format!(
                "{:.0} vs {:.0} calls/s",
                o.concurrent.per_second(),
                a.concurrent.per_second()
            ),
            ratio: r,
            wanted: "≥ 2.00",
            met: r >= 2.0,
        });
    }
    let deser = |k: &str| {
        results
            .deser
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, s)| s.median())
    };
    if let (Some(o), Some(a)) = (deser("ours"), deser("official")) {
        let r = ratio(secs(o), secs(a));
        t.push(Target {
            what: "deserialization vs aws-sdk-lambda (1,000 operations, replay client, median)"
                .into(),
            figure: format!("{} vs {}", fmt_duration(o), fmt_duration(a)),
            ratio: r,
            wanted: "≤ 0.50 (2× faster)",
            met: r <= 0.5,
        });
    }
    t
}

/// Sequential median latency of ours against `other` (named `vs`): met at `limit` or below.
fn latency(
    scenario: Scenario,
    ours: &PerCall,
    other: &PerCall,
    vs: &str,
    limit: f64,
    wanted: &'static str,
) -> Target {
    let (o, x) = (ours.sequential.median(), other.sequential.median());
    let r = ratio(secs(o), secs(x));
    Target {
        what: format!(
            "per-call latency vs {vs}, sequential median: {}",
            scenario.name()
        ),
        figure: format!("{} vs {}", fmt_duration(o), fmt_duration(x)),
        ratio: r,
        wanted,
        met: r <= limit,
    }
}

fn percall_table(out: &mut String, results: &Results, scenario: Scenario) {
    let _ = writeln!(out, "\n### {}\n", scenario.name());
    let _ = writeln!(
        out,
        "| contestant | sequential median | sequential p99 | sequential calls/s | 64 callers median | 64 callers p99 | 64 callers calls/s | calls timed (seq / 64) |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for who in Who::ALL {
        if let Some(p) = row(results, scenario, who) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.0} | {} | {} | {:.0} | {} / {} |",
                who.name(),
                fmt_duration(p.sequential.median()),
                fmt_duration(p.sequential.p99()),
                p.sequential.per_second(),
                fmt_duration(p.concurrent.median()),
                fmt_duration(p.concurrent.p99()),
                p.concurrent.per_second(),
                p.sequential.calls(),
                p.concurrent.calls(),
            );
        }
    }
    // lambda-sdk against each, then the floor against aws-sdk-lambda: what any client on
    // these crates could gain over it.
    for (mine, other) in [
        (Who::Ours, Who::Official),
        (Who::Ours, Who::Floor),
        (Who::Floor, Who::Official),
    ] {
        if let (Some(o), Some(x)) = (row(results, scenario, mine), row(results, scenario, other)) {
            let l = |a: &Samples, b: &Samples, f: fn(&Samples) -> Duration| {
                ratio(secs(f(a)), secs(f(b)))
            };
            let _ = writeln!(
                out,
                "| *{} / {}* | {:.2}× | {:.2}× | {:.2}× | {:.2}× | {:.2}× | {:.2}× | |",
                mine.name(),
                other.name(),
                l(&o.sequential, &x.sequential, Samples::median),
                l(&o.sequential, &x.sequential, Samples::p99),
                ratio(o.sequential.per_second(), x.sequential.per_second()),
                l(&o.concurrent, &x.concurrent, Samples::median),
                l(&o.concurrent, &x.concurrent, Samples::p99),
                ratio(o.concurrent.per_second(), x.concurrent.per_second()),
            );
        }
    }
}

fn footprint_table(out: &mut String, results: &Results) {
    let _ = writeln!(
        out,
        "| | lambda-sdk | aws-sdk-lambda | floor | lambda-sdk / aws-sdk-lambda | lambda-sdk / floor |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    let mut line = |label: &str, f: &dyn Fn(Who) -> Option<f64>, show: &dyn Fn(f64) -> String| {
        let (o, a, fl) = (f(Who::Ours), f(Who::Official), f(Who::Floor));
        if o.is_none() && a.is_none() && fl.is_none() {
            return;
        }
        let cell = |v: Option<f64>| v.map_or("–".into(), show);
        let r = |x: Option<f64>| match (o, x) {
            (Some(o), Some(x)) => format!("{:.2}×", ratio(o, x)),
            _ => "–".into(),
        };
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {} | {} |",
            cell(o),
            cell(a),
            cell(fl),
            r(a),
            r(fl)
        );
    };
    line(
        "crates (unique packages in `cargo tree -e normal`)",
        &|w| {
            results
                .crates
                .iter()
                .find(|(x, _)| *x == w)
                .map(|(_, n)| *n as f64)
        },
        &|v| format!("{v:.0}"),
    );
    let build = |w: Who| {
        results
            .builds
            .iter()
            .find(|(x, _)| *x == w)
            .map(|(_, b)| b.clone())
    };
    line(
        "units compiled in the clean build (`Compiling` lines: + build scripts' deps)",
        &|w| build(w).map(|b| b.units as f64),
        &|v| format!("{v:.0}"),
    );
    line(
        "clean `cargo build --release` wall time",
        &|w| build(w).map(|b| secs(b.wall)),
        &|v| format!("{v:.1} s"),
    );
    line(
        "stripped binary",
        &|w| build(w).map(|b| b.size as f64),
        &|v| bytes(v as u64),
    );
    for (label, rows) in &results.process {
        let find = |w: Who| rows.iter().find(|(x, _)| *x == w).map(|(_, r)| r.clone());
        line(
            &format!("one process, one call ({label}): wall time, median"),
            &|w| find(w).map(|r| secs(r.median_wall())),
            &|v| fmt_duration(Duration::from_secs_f64(v)),
        );
        line(
            &format!("one process, one call ({label}): peak RSS, median"),
            &|w| find(w).map(|r| r.median_rss_kb() as f64),
            &|v| format!("{:.1} MB", v / 1024.0),
        );
    }
    if let Some((crates, size)) = results.ours_full {
        let size_of = |w: Who| build(w).map(|b| b.size as f64);
        let cell =
            |x: Option<f64>| x.map_or("–".into(), |x| format!("{:.2}×", ratio(size as f64, x)));
        let _ = writeln!(
            out,
            "| lambda-sdk with its default features (profile files, credential_process, container and IMDS credentials, proxies): stripped binary, {crates} crates | {} | | | {} | {} |",
            bytes(size),
            cell(size_of(Who::Official)),
            cell(size_of(Who::Floor))
        );
    }
}

pub fn render(results: &Results, bench: &Path, root: &Path) -> String {
    let mut out = String::new();
    let date = command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"], bench);
    let _ = writeln!(
        out,
        "# Benchmark results: lambda-sdk, aws-sdk-lambda and the floor\n"
    );
    let _ = writeln!(
        out,
        "Written by `bench/run.sh` on {date}{} (the run took {:.1} min). What is measured and how: [README.md](README.md).\n",
        if results.quick {
            " in `--quick` mode (short runs; not for conclusions)"
        } else {
            ""
        },
        results.run_time.as_secs_f64() / 60.0
    );
    let _ = writeln!(out, "## Machine\n");
    for (k, v) in machine() {
        let _ = writeln!(out, "- {k}: {v}");
    }
    if !results.load_at_start.is_empty() {
        let _ = writeln!(
            out,
            "- load average when the run started (1, 5, 15 min): {}",
            results.load_at_start
        );
    }
    let _ = writeln!(out, "\n## Versions\n");
    let _ = writeln!(out, "- {}", command_line("rustc", &["-V"], bench));
    let _ = writeln!(out, "- {}", command_line("cargo", &["-V"], bench));
    let commit = command_line("git", &["rev-parse", "--short", "HEAD"], root);
    let dirty = command_line(
        "git",
        &[
            "status",
            "--porcelain",
            "--",
            "runtime",
            "codegen",
            "generated",
        ],
        root,
    );
    let _ = writeln!(
        out,
        "- this repository at {commit}{}",
        if dirty.is_empty() || dirty == "?" {
            ""
        } else {
            " (runtime/codegen/generated modified)"
        }
    );
    let _ = writeln!(out, "- resolved in bench/Cargo.lock:");
    for (name, version) in locked_versions(bench) {
        let _ = writeln!(out, "  - {name} {version}");
    }

    let _ = writeln!(out, "\n## Targets\n");
    let _ = writeln!(
        out,
        "Ratios are lambda-sdk ÷ the other, measured in this run.\n"
    );
    let _ = writeln!(
        out,
        "| target | figures (lambda-sdk vs other) | ratio | wanted | |"
    );
    let _ = writeln!(out, "|---|---|---:|---|---|");
    let targets = targets(results);
    for t in &targets {
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} | {} | {} |",
            t.what,
            t.figure,
            t.ratio,
            t.wanted,
            verdict(t.met)
        );
    }
    let met = targets.iter().filter(|t| t.met).count();
    let _ = writeln!(out, "\n{met} of {} targets met.", targets.len());

    let _ = writeln!(out, "\n## Footprint of the minimal programs\n");
    let _ = writeln!(
        out,
        "Each program makes one GetDurableExecutionState call on a current-thread tokio runtime (`bench/ours`, `bench/official`, `bench/floor`).\n"
    );
    footprint_table(&mut out, results);
    if results.builds.is_empty() {
        let _ = writeln!(out, "\nClean builds skipped (`--skip-footprint`).");
    }

    let _ = writeln!(out, "\n## Per call, in process\n");
    let _ = writeln!(
        out,
        "Against the local hyper server (loopback, HTTP/1.1, its own thread and runtime); the clients run on one current-thread runtime. Bodies: 1,000-operation page {} B, checkpoint request {} B, checkpoint response {} B.",
        results.page_bytes, results.checkpoint_request_bytes, results.checkpoint_response_bytes
    );
    if let Some(plan) = results.plan {
        let _ = writeln!(
            out,
            "{} rounds per scenario, contestants in rotating order; per round and contestant: {} warm-up calls then ≥ {} calls and ≥ {:.1} s sequentially, then {} callers ({} warm-up calls each) for {:.1} s.",
            plan.rounds,
            crate::SEQ_WARMUP,
            plan.seq_min_calls,
            plan.seq_time.as_secs_f64(),
            plan.callers,
            crate::CONC_WARMUP,
            plan.conc_time.as_secs_f64()
        );
    }
    for scenario in Scenario::ALL {
        percall_table(&mut out, results, scenario);
    }

    let _ = writeln!(out, "\n## Deserialization\n");
    let _ = writeln!(
        out,
        "The 1,000-operation page, bytes to a typed response, **measured through each SDK's replay HTTP client** (no network: aws-sdk-lambda's deserializers are private). One call = request serialization and signing + the SDK's response pipeline + parsing; parsing dominates.\n"
    );
    let _ = writeln!(out, "| what | median | p99 | calls |");
    let _ = writeln!(out, "|---|---:|---:|---:|");
    fn label(k: &str) -> &str {
        match k {
            "ours" => "lambda-sdk, replay connector (`HttpConnector`)",
            "official" => "aws-sdk-lambda, replay `HttpClient`",
            "floor" => "floor: `serde_json::from_slice::<Value>`",
            "ours-serde" => {
                "lambda-sdk types straight from `serde_json::from_slice` (no client; for reference)"
            }
            "ours-clone-checkpoint" => {
                "cloning lambda-sdk's 100-update checkpoint request (what the per-call harness adds)"
            }
            other => other,
        }
    }
    for (k, s) in &results.deser {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            label(k),
            fmt_duration(s.median()),
            fmt_duration(s.p99()),
            s.calls()
        );
    }
    let d = |k: &str| {
        results
            .deser
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, s)| secs(s.median()))
    };
    if let (Some(o), Some(a), Some(f)) = (d("ours"), d("official"), d("floor")) {
        let _ = writeln!(
            out,
            "\nlambda-sdk / aws-sdk-lambda: {:.2}×; lambda-sdk (replay) / floor parse: {:.2}×.",
            ratio(o, a),
            ratio(o, f)
        );
    }

    let _ = writeln!(out, "\n## Codegen\n");
    if results.codegen.is_empty() {
        let _ = writeln!(out, "Skipped (`--skip-codegen`).");
    } else {
        let _ = writeln!(
            out,
            "`xtask codegen --model M --out DIR` (the xtask binary as `cargo xtask` builds it, dev profile; cargo's own start-up excluded), into an emptied directory each run.\n"
        );
        let _ = writeln!(out, "| model | files written | median | min | max | runs |");
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
        for c in &results.codegen {
            codegen_row(&mut out, c);
        }
    }

    let _ = writeln!(out, "\n## Checks\n");
    let _ = writeln!(
        out,
        "- The server answered {} requests, {} of them SigV4-signed; the per-call harness expected {} (every call checked its answer's operation count).",
        results.requests_seen, results.requests_signed, results.requests_expected
    );
    for note in &results.notes {
        let _ = writeln!(out, "- {note}");
    }
    out
}

fn codegen_row(out: &mut String, c: &CodegenTiming) {
    let min = c.times.iter().min().copied().unwrap_or_default();
    let max = c.times.iter().max().copied().unwrap_or_default();
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} |",
        c.label,
        c.files,
        fmt_duration(median(&c.times)),
        fmt_duration(min),
        fmt_duration(max),
        c.times.len()
    );
}
