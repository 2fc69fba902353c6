//! The benchmark harness of issue 7: lambda-sdk against aws-sdk-lambda and against the floor.
//!
//! ```text
//! harness run [--out PATH] [--skip-footprint] [--skip-process] [--skip-codegen] [--skip-percall] [--quick]
//! harness percall SCENARIO WHO [--secs S] [--concurrent]   (one measurement, for profilers)
//! harness deser WHO [--secs S]                              (one measurement, for profilers)
//! ```
//! SCENARIO is `empty`, `big` or `checkpoint`; WHO is `ours`, `official`, `floor` (and, for
//! `deser`, `ours-serde`: lambda-sdk's types straight from serde_json, no client).

#![forbid(unsafe_code)]

mod contestants;
mod durable;
mod durable_report;
mod footprint;
mod measure;
mod replay;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bench_server::{Bodies, Server};
use bytes::Bytes;
use contestants::{Client, Scenario, Who};
use measure::Samples;

/// How long and how often to measure.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub rounds: usize,
    pub seq_time: Duration,
    pub seq_min_calls: usize,
    pub conc_time: Duration,
    pub callers: usize,
    pub deser_time: Duration,
    pub process_runs: usize,
    pub codegen_runs: usize,
}

impl Plan {
    fn full() -> Self {
        Plan {
            rounds: 3,
            seq_time: Duration::from_millis(1500),
            seq_min_calls: 100,
            conc_time: Duration::from_millis(1500),
            callers: 64,
            deser_time: Duration::from_millis(1500),
            process_runs: 15,
            codegen_runs: 5,
        }
    }

    fn quick() -> Self {
        Plan {
            rounds: 1,
            seq_time: Duration::from_millis(300),
            seq_min_calls: 20,
            conc_time: Duration::from_millis(300),
            callers: 64,
            deser_time: Duration::from_millis(300),
            process_runs: 10,
            codegen_runs: 3,
        }
    }
}

const SEQ_WARMUP: usize = 20;
const CONC_WARMUP: usize = 2;

fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("percall") => percall_one(&args[1..]),
        Some("deser") => deser_one(&args[1..]),
        Some("durable") => durable::run(&args[1..]),
        Some("durable-profile") => durable::profile(&args[1..]),
        _ => Err(
            "usage: harness durable [--out PATH] [--skip-footprint] [--quick]\n       harness durable-profile BINARY SCENARIO N [--wrap CMD..]\n       harness run [--out PATH] [--skip-footprint] [--skip-process] [--skip-codegen] [--skip-percall] [--quick]\n       harness percall empty|big|checkpoint ours|official|floor [--secs S] [--concurrent]\n       harness deser ours|official|floor|ours-serde [--secs S]"
                .to_string(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("harness: {e}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))
}

fn secs_flag(args: &[String], default: f64) -> Result<Duration, String> {
    match args.iter().position(|a| a == "--secs") {
        None => Ok(Duration::from_secs_f64(default)),
        Some(i) => args
            .get(i + 1)
            .and_then(|s| s.parse::<f64>().ok())
            .map(Duration::from_secs_f64)
            .ok_or_else(|| "--secs needs a number".to_string()),
    }
}

/// `harness percall SCENARIO WHO`: one measurement, printed (for perf and callgrind).
fn percall_one(args: &[String]) -> Result<(), String> {
    let scenario = args
        .first()
        .and_then(|s| Scenario::parse(s))
        .ok_or("percall: SCENARIO is empty, big or checkpoint")?;
    let who = args
        .get(1)
        .and_then(|s| Who::parse(s))
        .ok_or("percall: WHO is ours, official or floor")?;
    let secs = secs_flag(args, 5.0)?;
    let concurrent = args.iter().any(|a| a == "--concurrent");
    let server = Server::start(0, Bodies::generate()).map_err(|e| e.to_string())?;
    let rt = runtime()?;
    let samples = rt.block_on(async {
        let client = Client::new(
            who,
            &server.url(),
            &bench_server::data::checkpoint_updates(),
        )
        .await?;
        if concurrent {
            measure::concurrent(
                move || {
                    let c = client.clone();
                    async move { c.call(scenario).await }
                },
                64,
                CONC_WARMUP,
                secs,
            )
            .await
        } else {
            measure::sequential(|| client.call(scenario), SEQ_WARMUP, 10, secs, usize::MAX).await
        }
    })?;
    print_samples(&format!("{} / {}", scenario.name(), who.name()), &samples);
    Ok(())
}

/// `harness deser WHO`: one deserialization measurement, printed.
fn deser_one(args: &[String]) -> Result<(), String> {
    let who = args.first().map(String::as_str).ok_or("deser: WHO")?;
    let secs = secs_flag(args, 5.0)?;
    let body: Bytes = bench_server::data::big_page().into();
    let rt = runtime()?;
    let samples = rt.block_on(deser(who, body, secs))?;
    print_samples(&format!("deserialize 1,000 operations / {who}"), &samples);
    Ok(())
}

fn print_samples(label: &str, s: &Samples) {
    println!(
        "{label}: {} calls, median {}, p99 {}, {:.0} calls/s",
        s.calls(),
        measure::fmt_duration(s.median()),
        measure::fmt_duration(s.p99()),
        s.per_second()
    );
}

/// The 1,000-operation page from bytes to a typed response (or a `Value` for the floor).
async fn deser(who: &str, body: Bytes, time: Duration) -> Result<Samples, String> {
    match who {
        "ours" | "official" => {
            let who = Who::parse(who).ok_or("deser: unknown contestant")?;
            let client = Client::replay(who, body)?;
            counted(time, 1000, || client.get_state(bench_server::ARN_BIG)).await
        }
        "floor" => {
            counted(time, 1000, || async {
                let v: serde_json::Value =
                    serde_json::from_slice(&body).map_err(|e| e.to_string())?;
                Ok(v["Operations"].as_array().map_or(0, Vec::len))
            })
            .await
        }
        "ours-serde" => {
            counted(time, 1000, || async {
                let v: lambda_sdk::types::GetDurableExecutionStateResponse =
                    serde_json::from_slice(&body).map_err(|e| e.to_string())?;
                Ok(v.operations.len())
            })
            .await
        }
        "ours-clone-checkpoint" => {
            let request = contestants::ours_checkpoint(&bench_server::data::checkpoint_updates());
            counted(time, 100, || async {
                Ok(request.clone().updates.as_ref().map_or(0, Vec::len))
            })
            .await
        }
        other => Err(format!("deser: unknown contestant {other}")),
    }
}

/// Times `call` sequentially (at least 20 calls and `time`), each of which must count
/// `expected` items.
async fn counted<F, Fut>(time: Duration, expected: usize, call: F) -> Result<Samples, String>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<usize, String>>,
{
    measure::sequential(
        || {
            let counting = call();
            async move {
                match counting.await? {
                    n if n == expected => Ok(()),
                    n => Err(format!("{n} items, expected {expected}")),
                }
            }
        },
        SEQ_WARMUP,
        20,
        time,
        usize::MAX,
    )
    .await
}

/// Per-call results of one scenario and contestant.
#[derive(Debug, Clone)]
pub struct PerCall {
    pub scenario: Scenario,
    pub who: Who,
    pub sequential: Samples,
    pub concurrent: Samples,
}

/// Everything measured by `harness run`.
#[derive(Debug, Default)]
pub struct Results {
    pub plan: Option<Plan>,
    pub quick: bool,
    pub page_bytes: usize,
    pub checkpoint_request_bytes: usize,
    pub checkpoint_response_bytes: usize,
    pub percall: Vec<PerCall>,
    pub deser: Vec<(String, Samples)>,
    pub crates: Vec<(Who, usize)>,
    pub builds: Vec<(Who, footprint::CleanBuild)>,
    /// `ours` with lambda-sdk's default features: crates and stripped size.
    pub ours_full: Option<(usize, u64)>,
    pub process: Vec<(String, Vec<(Who, footprint::ProcessRuns)>)>,
    pub codegen: Vec<footprint::CodegenTiming>,
    pub requests_expected: u64,
    pub requests_seen: u64,
    pub requests_signed: u64,
    pub notes: Vec<String>,
    pub run_time: Duration,
    pub load_at_start: String,
}

fn run(args: &[String]) -> Result<(), String> {
    let bench = bench_dir();
    let root = bench
        .parent()
        .map(Path::to_path_buf)
        .ok_or("the bench directory has no parent")?;
    let mut out = bench.join("RESULTS.md");
    let mut skip_footprint = false;
    let mut skip_process = false;
    let mut skip_codegen = false;
    let mut skip_percall = false;
    let mut quick = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--out" => out = PathBuf::from(it.next().ok_or("--out needs a path")?),
            "--skip-footprint" => skip_footprint = true,
            "--skip-process" => skip_process = true,
            "--skip-codegen" => skip_codegen = true,
            "--skip-percall" => skip_percall = true,
            "--quick" => quick = true,
            other => return Err(format!("unknown option {other}")),
        }
    }
    let plan = if quick { Plan::quick() } else { Plan::full() };
    let started = std::time::Instant::now();
    let mut results = Results {
        plan: Some(plan),
        quick,
        load_at_start: std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        ..Results::default()
    };

    // Footprint first, while nothing else of ours runs: crates, then the clean builds one
    // after another.
    eprintln!("== crates (cargo tree -e normal)");
    for (package, who) in footprint::PROGRAMS {
        let crates = footprint::crate_count(&bench, package)?;
        eprintln!("   {package}: {}", crates.len());
        results.crates.push((who, crates.len()));
    }
    let mut binaries: Vec<(String, PathBuf)> = Vec::new();
    if !skip_footprint {
        let status = std::process::Command::new("cargo")
            .current_dir(&bench)
            .args(["fetch", "--locked"])
            .status()
            .map_err(|e| format!("cannot run cargo fetch: {e}"))?;
        if !status.success() {
            return Err("cargo fetch failed".into());
        }
        for (package, who) in footprint::PROGRAMS {
            eprintln!("== clean release build of {package} (fresh target dir)");
            let build = footprint::clean_build(&bench, package)?;
            eprintln!(
                "   {:.1} s, {} units, {} bytes stripped",
                build.wall.as_secs_f64(),
                build.units,
                build.size
            );
            binaries.push((package.to_string(), build.binary.clone()));
            results.builds.push((who, build));
        }
        eprintln!("== ours with lambda-sdk's default features (incremental, in its own directory)");
        let full = footprint::ours_with_default_features(&bench)?;
        eprintln!("   {} crates, {} bytes stripped", full.0, full.1);
        results.ours_full = Some(full);
    }

    let bodies = Bodies::generate();
    results.page_bytes = bodies.big_page.len();
    results.checkpoint_response_bytes = bodies.checkpoint.len();
    let updates = bench_server::data::checkpoint_updates();
    results.checkpoint_request_bytes = serde_json::to_vec(&serde_json::json!({
        "CheckpointToken": bench_server::CHECKPOINT_TOKEN,
        "Updates": bench_server::data::updates_json(&updates),
    }))
    .map_or(0, |v| v.len());
    let server =
        Server::start(0, bodies.clone()).map_err(|e| format!("cannot start the server: {e}"))?;

    if !skip_process {
        if binaries.is_empty() {
            for (package, _) in footprint::PROGRAMS {
                eprintln!("== release build of {package} (alone)");
                binaries.push((
                    package.to_string(),
                    footprint::build_alone(&bench, package)?,
                ));
            }
        }
        let home = bench.join("target/empty-home");
        for (label, arn, expected) in [
            ("empty page", bench_server::ARN_EMPTY, 0),
            ("1,000-operation page", bench_server::ARN_BIG, 1000),
        ] {
            eprintln!(
                "== one process, one call ({label}), {} runs each",
                plan.process_runs
            );
            let before = server.stats().requests.load(Ordering::Relaxed);
            let runs = footprint::process_runs(
                &binaries,
                &server.url(),
                &home,
                arn,
                expected,
                plan.process_runs,
            )?;
            let seen = server.stats().requests.load(Ordering::Relaxed) - before;
            let made = (binaries.len() * (1 + 2 * plan.process_runs)) as u64;
            if seen != made {
                results.notes.push(format!(
                    "process runs ({label}): the server saw {seen} requests for {made} runs"
                ));
            }
            let rows = footprint::PROGRAMS
                .iter()
                .map(|(_, who)| *who)
                .zip(runs)
                .collect();
            results.process.push((label.to_string(), rows));
        }
    }

    if !skip_percall {
        let rt = runtime()?;
        rt.block_on(percall_all(&server, &updates, plan, &mut results))?;
        eprintln!("== deserialization (replay clients, no network)");
        let body = bodies.big_page.clone();
        let mut deser_rows: Vec<(String, Samples)> = Vec::new();
        let kinds = [
            "ours",
            "official",
            "floor",
            "ours-serde",
            "ours-clone-checkpoint",
        ];
        for round in 0..plan.rounds {
            for (k, kind) in kinds.iter().enumerate() {
                let s = rt.block_on(deser(kind, body.clone(), plan.deser_time))?;
                if round == 0 {
                    deser_rows.push((kind.to_string(), s));
                } else {
                    deser_rows[k].1.merge(s);
                }
            }
        }
        for (kind, s) in &deser_rows {
            print_samples(&format!("   deser {kind}"), s);
        }
        results.deser = deser_rows;
    }
    results.requests_seen = server.stats().requests.load(Ordering::Relaxed);
    results.requests_signed = server.stats().signed.load(Ordering::Relaxed);
    drop(server);

    if !skip_codegen {
        eprintln!("== codegen timings");
        results.codegen = footprint::codegen_timings(&root, &bench, plan.codegen_runs)?;
        for c in &results.codegen {
            eprintln!(
                "   {}: median {}",
                c.label,
                measure::fmt_duration(measure::median(&c.times))
            );
        }
    }

    results.run_time = started.elapsed();
    let text = report::render(&results, &bench, &root);
    std::fs::write(&out, text).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

async fn percall_all(
    server: &Server,
    updates: &[bench_server::data::UpdateSpec],
    plan: Plan,
    results: &mut Results,
) -> Result<(), String> {
    let mut clients = Vec::new();
    for who in Who::ALL {
        clients.push((who, Client::new(who, &server.url(), updates).await?));
    }
    let requests = || server.stats().requests.load(Ordering::Relaxed);
    let mut expected = requests();
    for scenario in Scenario::ALL {
        eprintln!("== per call: {}", scenario.name());
        let mut rows: Vec<PerCall> = Who::ALL
            .iter()
            .map(|&who| PerCall {
                scenario,
                who,
                sequential: Samples::default(),
                concurrent: Samples::default(),
            })
            .collect();
        for round in 0..plan.rounds {
            // Rotate the order every round so no contestant always goes first.
            for k in 0..clients.len() {
                let i = (k + round) % clients.len();
                let client = clients[i].1.clone();
                let s = measure::sequential(
                    || client.call(scenario),
                    SEQ_WARMUP,
                    plan.seq_min_calls,
                    plan.seq_time,
                    usize::MAX,
                )
                .await?;
                expected += (SEQ_WARMUP + s.calls()) as u64;
                rows[i].sequential.merge(s);
            }
            for k in 0..clients.len() {
                let i = (k + round) % clients.len();
                let client = clients[i].1.clone();
                let s = measure::concurrent(
                    move || {
                        let c = client.clone();
                        async move { c.call(scenario).await }
                    },
                    plan.callers,
                    CONC_WARMUP,
                    plan.conc_time,
                )
                .await?;
                expected += (plan.callers * CONC_WARMUP + s.calls()) as u64;
                rows[i].concurrent.merge(s);
            }
        }
        for row in &rows {
            print_samples(
                &format!("   {} sequential", row.who.name()),
                &row.sequential,
            );
            print_samples(
                &format!("   {} 64 callers", row.who.name()),
                &row.concurrent,
            );
        }
        results.percall.extend(rows);
    }
    let seen = requests();
    results.requests_expected = expected;
    if seen != expected {
        results.notes.push(format!(
            "per-call: the server saw {seen} requests where the harness made {expected} calls (retries?)"
        ));
    }
    Ok(())
}
