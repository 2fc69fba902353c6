//! `fault-proxy PROGRAM [ARGS..]`: runs a Lambda function process behind a fault-injecting
//! proxy. The proxy forwards the durable-execution API to the endpoint in the environment's
//! `AWS_ENDPOINT_URL_LAMBDA` (the local emulator), and the function is started with that
//! variable pointing at the proxy. `DURABLE_FAULTS` holds the script
//! (`checkpoint:2=503,state:1=429,checkpoint:5=cut`; see `durable_service::proxy::Script`);
//! `DURABLE_FAULTS_LOG`, if set, is a file that gets a line per faulted call. The function
//! gets the SIGTERM or SIGINT this process gets (a host stopping its worker stops the function
//! too), and the exit status is the function's (128 + the signal when a signal ended it).

use std::os::unix::process::ExitStatusExt;
use std::process::ExitCode;

use durable_service::proxy::{self, Script};
use tokio::signal::unix::{SignalKind, signal};

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fault-proxy: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let mut args = std::env::args_os().skip(1);
    let program = args
        .next()
        .ok_or("usage: fault-proxy PROGRAM [ARGS..] (with DURABLE_FAULTS set)")?;
    let upstream = std::env::var("AWS_ENDPOINT_URL_LAMBDA")
        .map_err(|_| "AWS_ENDPOINT_URL_LAMBDA is not set: nothing to forward to".to_string())?;
    let script = Script::parse(&std::env::var("DURABLE_FAULTS").unwrap_or_default())?;
    let log = std::env::var_os("DURABLE_FAULTS_LOG").map(Into::into);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start tokio: {e}"))?;
    runtime.block_on(async {
        let address = proxy::start(&upstream, script, log).await?;
        let mut terminate =
            signal(SignalKind::terminate()).map_err(|e| format!("cannot catch SIGTERM: {e}"))?;
        let mut interrupt =
            signal(SignalKind::interrupt()).map_err(|e| format!("cannot catch SIGINT: {e}"))?;
        let mut child = tokio::process::Command::new(&program)
            .args(args)
            .env("AWS_ENDPOINT_URL_LAMBDA", format!("http://{address}"))
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", program.to_string_lossy()))?;
        let stopped_by = tokio::select! {
            status = child.wait() => {
                let status = status.map_err(|e| format!("cannot wait for the function: {e}"))?;
                return Ok(match (status.code(), status.signal()) {
                    (Some(code), _) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
                    (None, Some(signal)) => ExitCode::from(128u8.saturating_add(signal as u8)),
                    (None, None) => ExitCode::FAILURE,
                });
            }
            _ = terminate.recv() => 15u8,
            _ = interrupt.recv() => 2u8,
        };
        // The function is stopped with us (killed: it has no state of its own to save).
        let _ = child.kill().await;
        Ok(ExitCode::from(128 + stopped_by))
    })
}
