//! Running a `credential_process` command: through the shell, with a deadline, output captured.

use std::io::{self, Read};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The most of stdout kept (a credentials document is well under 1 KiB).
const MAX_STDOUT: u64 = 1024 * 1024;
/// The most of stderr kept for messages.
const MAX_STDERR: u64 = 64 * 1024;
/// How long to wait for the pipes to close once the process has exited (a background
/// grandchild may keep them open).
const PIPE_GRACE: Duration = Duration::from_secs(2);

pub(super) struct Output {
    pub(super) status: ExitStatus,
    pub(super) stdout: Vec<u8>,
    pub(super) stderr: Vec<u8>,
}

pub(super) enum RunError {
    /// The shell could not be started.
    Spawn(io::Error),
    /// Waiting for the process failed.
    Wait(io::Error),
    /// The deadline passed; the process was killed.
    TimedOut,
}

/// Runs `command` through `sh -c` (`cmd /C` on Windows) with no stdin, and waits at most
/// `timeout` for it, killing it when the deadline passes. Blocking.
pub(super) fn run(command: &str, timeout: Duration) -> Result<Output, RunError> {
    let mut cmd = if cfg!(windows) {
        let mut cmd = Command::new("cmd");
        cmd.arg("/C").arg(command);
        cmd
    } else {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(command);
        cmd
    };
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(RunError::Spawn)?;
    let deadline = Instant::now() + timeout;

    // Drain both pipes on their own threads so a chatty process never blocks on a full pipe.
    let (tx, rx) = mpsc::channel::<(bool, Vec<u8>)>();
    let mut readers = 0;
    if let Some(pipe) = child.stdout.take() {
        spawn_reader(pipe, MAX_STDOUT, true, tx.clone());
        readers += 1;
    }
    if let Some(pipe) = child.stderr.take() {
        spawn_reader(pipe, MAX_STDERR, false, tx.clone());
        readers += 1;
    }
    drop(tx);

    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::Wait(e));
            }
        }
        let now = Instant::now();
        if now >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(RunError::TimedOut);
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(10)));
    };

    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let pipes_deadline = Instant::now() + PIPE_GRACE;
    for _ in 0..readers {
        let left = pipes_deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((true, bytes)) => stdout = bytes,
            Ok((false, bytes)) => stderr = bytes,
            Err(_) => break,
        }
    }
    Ok(Output {
        status,
        stdout,
        stderr,
    })
}

/// Reads `pipe` to its end on a new thread, keeping the first `limit` bytes, and sends them.
fn spawn_reader(
    pipe: impl Read + Send + 'static,
    limit: u64,
    is_stdout: bool,
    tx: mpsc::Sender<(bool, Vec<u8>)>,
) {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut limited = pipe.take(limit);
        let _ = limited.read_to_end(&mut kept);
        // Discard the rest so the process can finish writing.
        let _ = io::copy(&mut limited.into_inner(), &mut io::sink());
        let _ = tx.send((is_stdout, kept));
    });
}

/// The stderr of a failed process for a message: lossy UTF-8, trimmed, at most about 1 KiB.
pub(super) fn stderr_excerpt(stderr: &[u8]) -> String {
    const MAX: usize = 1024;
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut cut = MAX;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn captures_output_and_status() {
        let out = run("echo out; echo err >&2; exit 3", Duration::from_secs(10))
            .ok()
            .unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
    }

    #[test]
    fn large_output_does_not_block() {
        let out = run(
            "head -c 3000000 /dev/zero; head -c 200000 /dev/zero >&2",
            Duration::from_secs(20),
        )
        .ok()
        .unwrap();
        assert!(out.status.success());
        assert_eq!(out.stdout.len() as u64, MAX_STDOUT);
        assert_eq!(out.stderr.len() as u64, MAX_STDERR);
    }

    #[test]
    fn times_out_and_kills() {
        let start = Instant::now();
        let result = run("exec sleep 30", Duration::from_millis(200));
        assert!(matches!(result, Err(RunError::TimedOut)));
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn excerpt_is_bounded() {
        assert_eq!(stderr_excerpt(b"  oops \n"), "oops");
        let long = "é".repeat(2000);
        let excerpt = stderr_excerpt(long.as_bytes());
        assert!(excerpt.len() <= 1024 + '…'.len_utf8(), "{}", excerpt.len());
        assert!(excerpt.ends_with('…'));
    }
}
