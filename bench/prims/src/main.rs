//! `prims speed [--quick]`, `prims exact [--all]`, `prims sizes`: see README.md.

#![forbid(unsafe_code)]

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// The size probes, in the order printed, each with the baseline it is compared with.
const PROBES: &[(&str, &str)] = &[
    ("probe-base", ""),
    ("probe-json", "probe-base"),
    ("probe-dt-ours", "probe-base"),
    ("probe-dt-smithy", "probe-base"),
    ("probe-b64-ours", "probe-json"),
    ("probe-b64-simd", "probe-json"),
    ("probe-rand-ours", "probe-base"),
    ("probe-rand-getrandom", "probe-base"),
    ("min-control", ""),
    ("min-dt-ours", "min-control"),
    ("min-dt-smithy", "min-control"),
    ("min-b64-ours", "min-control"),
    ("min-b64-simd", "min-control"),
    ("min-rand-ours", "min-control"),
    ("min-rand-getrandom", "min-control"),
];

fn sizes() -> ExitCode {
    let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    else {
        eprintln!("prims: cannot find my own directory");
        return ExitCode::FAILURE;
    };
    println!("binaries in {}", dir.display());
    println!();
    println!("| binary | bytes | vs | delta |");
    println!("|---|---:|---|---:|");
    let size = |name: &str| std::fs::metadata(dir.join(name)).map(|m| m.len()).ok();
    let mut missing = false;
    for &(name, base) in PROBES {
        let Some(bytes) = size(name) else {
            println!("| {name} | (not built) | | |");
            missing = true;
            continue;
        };
        match size(base) {
            Some(base_bytes) if !base.is_empty() => println!(
                "| {name} | {bytes} | {base} | {:+} |",
                bytes as i64 - base_bytes as i64
            ),
            _ => println!("| {name} | {bytes} | | |"),
        }
    }
    if missing {
        eprintln!("prims: build the probes first: cargo build --release -p prims --bins");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    match args.first().map(String::as_str) {
        Some("speed") => {
            let quick = flag("--quick");
            let settings = prims::speed::Settings {
                target: Duration::from_millis(if quick { 10 } else { 40 }),
                runs: if quick { 5 } else { 11 },
                filter: args.iter().skip(1).find(|a| !a.starts_with("--")).cloned(),
            };
            prims::speed::run(&settings);
            ExitCode::SUCCESS
        }
        Some("exact") => {
            prims::exact::run(flag("--all"));
            ExitCode::SUCCESS
        }
        Some("sizes") => sizes(),
        _ => {
            eprintln!(
                "usage: prims speed [--quick] [CASE-FILTER] | prims exact [--all] | prims sizes"
            );
            ExitCode::from(2)
        }
    }
}
