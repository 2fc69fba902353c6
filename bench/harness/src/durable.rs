//! `harness durable`: lambda-sdk-durable against aws-durable-execution-sdk 0.1.0 (AWS's Rust
//! preview), side by side in one run, on the same work: footprint (the preview README's first
//! example, only the import changed), cold start, a 100-step function, a replay of 1,000
//! steps, and a 100-item map. Both runtimes run as real function processes on `lambda_runtime`,
//! built in release mode, against the same fast local service (`tests/durable-service`: the
//! durable-execution API and an emulated Lambda Runtime API in one loopback server). Writes
//! `DURABLE_RESULTS.md` and `durable-chart.svg`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use durable_service::{DurableService, Execution, Invoked, Stats};

use crate::footprint::{build_alone, clean_build, crate_count};
use crate::measure::median;

/// The two runtimes: the footprint program, the scenario binary, the name in the report.
pub const RUNTIMES: [Runtime; 2] = [
    Runtime {
        name: "lambda-sdk-durable",
        hello: "hello-ours",
        scenarios: "durable-ours",
    },
    Runtime {
        name: "aws-durable-execution-sdk 0.1.0",
        hello: "hello-preview",
        scenarios: "durable-preview",
    },
];

#[derive(Clone, Copy, Debug)]
pub struct Runtime {
    pub name: &'static str,
    pub hello: &'static str,
    pub scenarios: &'static str,
}

/// How many times each measurement is repeated.
#[derive(Clone, Copy, Debug)]
struct Repeats {
    cold: usize,
    warm: usize,
    replay: usize,
}

/// What one runtime measured.
#[derive(Clone, Debug, Default)]
pub struct Measured {
    pub crates: Option<usize>,
    pub build: Option<Duration>,
    pub size: Option<u64>,
    pub cold_start: Duration,
    pub steps100: Scenario,
    pub replay: Scenario,
    pub map100: Scenario,
}

/// One scenario's invocations: median wall time and what one invocation sent.
#[derive(Clone, Debug, Default)]
pub struct Scenario {
    pub wall: Duration,
    pub stats: Stats,
    pub runs: usize,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let bench = crate::bench_dir();
    let out = match args.iter().position(|a| a == "--out") {
        Some(i) => PathBuf::from(args.get(i + 1).ok_or("--out needs a path")?),
        None => bench.join("DURABLE_RESULTS.md"),
    };
    // Checked (and its folder made) before anything is measured, so that a bad --out fails in
    // a second, not after the run.
    if out.is_dir() {
        return Err(format!("--out {} is a folder, not a file", out.display()));
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {} for --out: {e}", dir.display()))?;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let repeats = if quick {
        Repeats {
            cold: 5,
            warm: 5,
            replay: 3,
        }
    } else {
        Repeats {
            cold: 21,
            warm: 30,
            replay: 15,
        }
    };
    let mut measured = [Measured::default(), Measured::default()];
    if !args.iter().any(|a| a == "--skip-footprint") {
        for (runtime, m) in RUNTIMES.iter().zip(measured.iter_mut()) {
            eprintln!("== footprint: {} ({})", runtime.name, runtime.hello);
            m.crates = Some(crate_count(&bench, runtime.hello)?.len());
            let build = clean_build(&bench, runtime.hello)?;
            m.build = Some(build.wall);
            m.size = Some(build.size);
        }
    }
    let mut binaries = Vec::new();
    for runtime in RUNTIMES {
        eprintln!("== building {} (release)", runtime.scenarios);
        binaries.push(build_alone(&bench, runtime.scenarios)?);
    }
    service_runtime()?.block_on(async {
        // One service per runtime (each function process takes the invocations of its own),
        // and the runtimes' measurements interleaved, so that the machine's slow spells fall on
        // both alike.
        let mut services = Vec::new();
        for _ in RUNTIMES {
            services.push(
                DurableService::start()
                    .await
                    .map_err(|e| format!("cannot start the durable service: {e}"))?,
            );
        }
        let logs = bench.join("target/durable-bench");
        std::fs::create_dir_all(&logs)
            .map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
        let functions: Vec<Function<'_>> = RUNTIMES
            .iter()
            .zip(&binaries)
            .zip(&services)
            .map(|((runtime, binary), service)| Function {
                binary,
                service,
                logs: &logs,
                runtime,
            })
            .collect();
        eprintln!("== cold start");
        let cold = cold_start(&functions, repeats.cold).await?;
        eprintln!("== 100 steps");
        let steps100 = warm(&functions, "steps100", repeats.warm, Shape::OneInvocation).await?;
        eprintln!("== replay of 1,000 steps");
        let replay = warm(
            &functions,
            "replay",
            repeats.replay,
            Shape::SecondInvocation,
        )
        .await?;
        eprintln!("== map of 100 items");
        let map100 = warm(&functions, "map100", repeats.warm, Shape::OneInvocation).await?;
        for (i, m) in measured.iter_mut().enumerate() {
            m.cold_start = cold[i];
            m.steps100 = steps100[i].clone();
            m.replay = replay[i].clone();
            m.map100 = map100[i].clone();
        }
        Ok::<(), String>(())
    })?;
    let report = crate::durable_report::markdown(&measured, quick);
    std::fs::write(&out, report).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let chart = out.with_file_name("durable-chart.svg");
    std::fs::write(&chart, crate::durable_report::chart(&measured))
        .map_err(|e| format!("cannot write {}: {e}", chart.display()))?;
    eprintln!("wrote {} and {}", out.display(), chart.display());
    Ok(())
}

/// A runtime's scenario binary, run against the service.
struct Function<'a> {
    binary: &'a Path,
    service: &'a DurableService,
    logs: &'a Path,
    runtime: &'a Runtime,
}

/// A process that is killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Function<'_> {
    /// Starts the function process for `scenario`, polling the service's Runtime API.
    fn spawn(&self, scenario: &str) -> Result<Process, String> {
        self.spawn_command(&mut Command::new(self.binary), scenario)
    }

    /// Starts `command` (the binary, or a wrapper around it) as the function process.
    fn spawn_command(&self, command: &mut Command, scenario: &str) -> Result<Process, String> {
        let log_name = format!("{}-{scenario}.log", self.runtime.scenarios);
        let log = std::fs::File::create(self.logs.join(&log_name))
            .map_err(|e| format!("cannot create {log_name}: {e}"))?;
        let err = log
            .try_clone()
            .map_err(|e| format!("cannot share {log_name}: {e}"))?;
        let home = self.logs.join("home");
        let _ = std::fs::create_dir_all(&home);
        let child = command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("SCENARIO", scenario)
            .env("AWS_LAMBDA_RUNTIME_API", self.service.runtime_api())
            .env("AWS_ENDPOINT_URL", self.service.endpoint())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "AKIDBENCHMARK")
            .env("AWS_SECRET_ACCESS_KEY", "benchmark-secret")
            .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.binary.display()))?;
        Ok(Process(child))
    }

    /// One invocation of `execution`, which must end with `expected`.
    async fn invoke(&self, execution: &Execution, expected: &str) -> Result<Invoked, String> {
        let invoked = self
            .service
            .invoke(execution, Duration::from_secs(120))
            .await
            .map_err(|e| format!("{}: {e}", self.runtime.name))?;
        if invoked.status() != expected {
            return Err(format!(
                "{}: an invocation answered {:?}, expected {expected}",
                self.runtime.name, invoked.answer
            ));
        }
        Ok(invoked)
    }
}

/// Process start to the first invocation's answer (the README example: a step, then a wait),
/// for each runtime: the median over `repeats` fresh processes, taken in turns.
async fn cold_start(functions: &[Function<'_>], repeats: usize) -> Result<Vec<Duration>, String> {
    let mut samples = vec![Vec::with_capacity(repeats); functions.len()];
    for _ in 0..repeats {
        for (function, samples) in functions.iter().zip(samples.iter_mut()) {
            let execution = function.service.start_execution("hello", "{}", 1000);
            let started = Instant::now();
            let process = function.spawn("hello")?;
            function.invoke(&execution, "PENDING").await?;
            samples.push(started.elapsed());
            drop(process);
        }
    }
    Ok(samples.iter().map(|s| median(s)).collect())
}

/// Which invocation of an execution is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// The execution ends in its first invocation.
    OneInvocation,
    /// The first invocation records and suspends; the second, which replays it, is measured.
    SecondInvocation,
}

/// One warm process per runtime, two executions each to warm up, then `repeats` executions
/// each, in turns: the median wall time of the measured invocation and what it sent.
async fn warm(
    functions: &[Function<'_>],
    scenario: &str,
    repeats: usize,
    shape: Shape,
) -> Result<Vec<Scenario>, String> {
    let mut processes = Vec::new();
    for function in functions {
        processes.push(function.spawn(scenario)?);
    }
    let mut walls = vec![Vec::with_capacity(repeats); functions.len()];
    let mut stats = vec![Stats::default(); functions.len()];
    for run in 0..repeats + 2 {
        for (i, function) in functions.iter().enumerate() {
            // Pages of 250 operations: the replay reads its 1,000 steps over five pages.
            let execution = function.service.start_execution(scenario, "{}", 250);
            if shape == Shape::SecondInvocation {
                function.invoke(&execution, "PENDING").await?;
                execution.fire_timers();
            }
            let invoked = function.invoke(&execution, "SUCCEEDED").await?;
            if run >= 2 {
                walls[i].push(invoked.elapsed);
                stats[i] = invoked.stats;
            }
        }
    }
    drop(processes);
    Ok(walls
        .iter()
        .zip(stats)
        .map(|(walls, stats)| Scenario {
            wall: median(walls),
            stats,
            runs: repeats,
        })
        .collect())
}

/// `harness durable-profile BINARY SCENARIO N [--wrap CMD..]`: for perf and callgrind, never
/// for the reported figures. Runs `N` executions of `SCENARIO` (replay-shaped: the measured
/// invocation is the second) against one function process started from `BINARY`, prefixed
/// with the wrapper command if given (e.g. `--wrap perf record -g -o /tmp/perf.data --`), and
/// prints the median wall time of the measured invocations.
pub fn profile(args: &[String]) -> Result<(), String> {
    let usage = "usage: harness durable-profile BINARY SCENARIO N [--wrap CMD..]";
    let binary = PathBuf::from(args.first().ok_or(usage)?);
    let scenario = args.get(1).ok_or(usage)?.clone();
    let n: usize = args.get(2).and_then(|n| n.parse().ok()).ok_or(usage)?;
    let wrap: Vec<String> = match args.iter().position(|a| a == "--wrap") {
        Some(i) => args[i + 1..].to_vec(),
        None => Vec::new(),
    };
    service_runtime()?.block_on(async {
        let service = DurableService::start()
            .await
            .map_err(|e| format!("cannot start the durable service: {e}"))?;
        let logs = crate::bench_dir().join("target/durable-bench");
        std::fs::create_dir_all(&logs)
            .map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
        let runtime = Runtime {
            name: "profiled",
            hello: "",
            scenarios: "profiled",
        };
        let function = Function {
            binary: &binary,
            service: &service,
            logs: &logs,
            runtime: &runtime,
        };
        let mut command = match wrap.split_first() {
            Some((program, rest)) => {
                let mut c = Command::new(program);
                c.args(rest).arg(&binary);
                c
            }
            None => Command::new(&binary),
        };
        let process = function.spawn_command(&mut command, &scenario)?;
        let mut walls = Vec::with_capacity(n);
        if scenario == "replay-loop" {
            // One execution that never ends: every measured invocation replays the first's
            // 1,000 steps (and the waits since), so a profile sees replay and little else.
            let execution = service.start_execution(&scenario, "{}", 250);
            function.invoke(&execution, "PENDING").await?;
            for _ in 0..n {
                execution.fire_timers();
                walls.push(function.invoke(&execution, "PENDING").await?.elapsed);
            }
        } else {
            for _ in 0..n {
                let execution = service.start_execution(&scenario, "{}", 250);
                function.invoke(&execution, "PENDING").await?;
                execution.fire_timers();
                walls.push(function.invoke(&execution, "SUCCEEDED").await?.elapsed);
            }
        }
        // Ends the wrapper (and its child) gently, and gives it a minute to finish (perf
        // writes its data then) before it is killed.
        let mut process = process;
        let _ = Command::new("kill")
            .arg("-INT")
            .arg(process.0.id().to_string())
            .status();
        let asked = Instant::now();
        while matches!(process.0.try_wait(), Ok(None)) && asked.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(100));
        }
        drop(process);
        println!("{} executions, median {:?}", n, median(&walls));
        Ok(())
    })
}

/// The harness's tokio runtime, where the services run: two workers.
fn service_runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))
}
