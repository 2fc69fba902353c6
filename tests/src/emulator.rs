//! The local durable-execution emulator (`dex-local-runner`) for end-to-end tests.
//!
//! [`Emulator::start`] provisions a Python venv with the pinned emulator
//! (`tests/python-requirements.txt`) under `<repo>/target/e2e-venv`, once, and starts the runner on
//! `127.0.0.1:<free port>` with `--skip-time`, pointed at a "Lambda endpoint" (usually a
//! [`crate::function_server::FunctionServer`]). The returned [`Emulator`] is a guard: dropping it
//! kills the runner and waits for it. If the test process dies without unwinding, the runner
//! exits too: it watches its stdin, a pipe that only this process holds.
//!
//! Tests call [`emulator_or_skip`], which turns "Python or the venv is unavailable" into a printed
//! skip, except under `CI=true`, where it panics: CI must run the end-to-end tests.
//!
//! The raw HTTP helpers ([`http_request`], [`Emulator::start_execution`], …) speak the emulator's
//! dialect: it answers HTTP/1.0 without Content-Length (the body ends at close) and reads request
//! bodies by Content-Length only, so the helpers always send one.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

/// Writes a line straight to the process's stderr. Unlike `eprintln!`, this is not captured by
/// the test harness, so skip reasons and provisioning progress show without `--nocapture`.
macro_rules! notice {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// The oldest Python the pinned emulator supports (`Requires-Python: >=3.11`).
const MIN_PYTHON: (u32, u32) = (3, 11);
/// Upper bound for `python -m venv`.
const VENV_TIMEOUT: Duration = Duration::from_secs(120);
/// Upper bound for `pip install -r tests/python-requirements.txt`.
const PIP_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a test waits for another process that is provisioning the venv.
const LOCK_WAIT: Duration = Duration::from_secs(15 * 60);
/// A lock file older than this is stale whoever holds it (covers PID reuse).
const LOCK_MAX_AGE: Duration = Duration::from_secs(20 * 60);
/// Upper bound for the runner to answer `GET /health` after it is spawned.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts at starting the runner (a fresh port each time) when its port was taken meanwhile.
const START_ATTEMPTS: usize = 5;
/// Upper bound for one raw HTTP exchange with the emulator.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// `--invocation-timeout` passed to the runner: one invocation of the test function may take
/// this long (the runner's default is 900 s).
pub const INVOCATION_TIMEOUT_SECS: u64 = 120;
/// Set this environment variable (to anything) to keep the runner's log after a passing test;
/// by default it is kept only when the test panics.
pub const KEEP_LOGS_VAR: &str = "LAMBDA_SDK_E2E_KEEP_LOGS";
/// The account the runner-only start route is given (any 12 digits work).
pub const ACCOUNT_ID: &str = "123456789012";
/// Path prefix of the durable-execution API.
pub const API_PREFIX: &str = "/2025-12-01";

/// Why [`Emulator::start`] did not produce an emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    /// The environment cannot host the emulator: no Python >= 3.11, or the venv could not be
    /// provisioned (for example without network). Tests may skip, except under `CI=true`.
    Unavailable(String),
    /// The emulator was provisioned but did not start or become healthy: always a failure.
    Failed(String),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Unavailable(reason) => write!(f, "emulator unavailable: {reason}"),
            StartError::Failed(reason) => write!(f, "emulator failed to start: {reason}"),
        }
    }
}

impl std::error::Error for StartError {}

/// True when running under CI (`CI=true`), where unavailable prerequisites are failures.
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Starts an emulator invoking functions at `lambda_endpoint`, or returns `None` after printing
/// why the test is skipped.
///
/// Under `CI=true` an unavailable emulator panics instead of skipping; a provisioned emulator
/// that fails to start panics everywhere. Blocking: call it from a multi-threaded runtime (the
/// first call in a fresh checkout provisions the venv, which needs network and takes seconds).
pub fn emulator_or_skip(lambda_endpoint: &str) -> Option<Emulator> {
    match Emulator::start(lambda_endpoint) {
        Ok(emulator) => Some(emulator),
        Err(StartError::Unavailable(reason)) if !is_ci() => {
            notice!("skipping: the durable-execution emulator is unavailable: {reason}");
            None
        }
        Err(StartError::Unavailable(reason)) => panic!(
            "CI=true but the durable-execution emulator is unavailable (CI must run the \
             end-to-end tests): {reason}"
        ),
        Err(e @ StartError::Failed(_)) => panic!("{e}"),
    }
}

/// A running `dex-local-runner`; dropping it kills the process and waits for it.
pub struct Emulator {
    child: Child,
    port: u16,
    log_path: PathBuf,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("pid", &self.child.id())
            .field("port", &self.port)
            .field("log_path", &self.log_path)
            .finish()
    }
}

impl Emulator {
    /// Provisions the venv if needed (serialized across threads and processes), then starts
    /// `dex-local-runner start-server --host 127.0.0.1 --port <free> --lambda-endpoint
    /// <lambda_endpoint> --skip-time` and waits (at most 30 s) until `GET /health` answers.
    ///
    /// The runner's stdout and stderr go to `<repo>/target/e2e-logs/emulator-*.log`
    /// ([`Emulator::log_path`]); a panicking test prints its path and tail when the guard drops,
    /// a passing one deletes it unless [`KEEP_LOGS_VAR`] is set. Blocking.
    pub fn start(lambda_endpoint: &str) -> Result<Emulator, StartError> {
        let venv = provision_venv().map_err(StartError::Unavailable)?;
        let python = venv_python(&venv);
        let logs = target_dir().join("e2e-logs");
        fs::create_dir_all(&logs)
            .map_err(|e| StartError::Failed(format!("cannot create {}: {e}", logs.display())))?;
        let mut last_error = String::new();
        for attempt in 1..=START_ATTEMPTS {
            let port = free_port()
                .map_err(|e| StartError::Failed(format!("cannot find a free port: {e}")))?;
            let log_path = logs.join(format!(
                "emulator-{}-{port}-{attempt}.log",
                std::process::id()
            ));
            match spawn_runner(&python, port, lambda_endpoint, &log_path) {
                Ok(emulator) => return Ok(emulator),
                Err(Spawn::PortTaken(reason)) => last_error = reason,
                Err(Spawn::Failed(reason)) => return Err(StartError::Failed(reason)),
            }
        }
        Err(StartError::Failed(format!(
            "{START_ATTEMPTS} attempts lost the port race; last: {last_error}"
        )))
    }

    /// The emulator's base URL, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The emulator's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The file holding the runner's stdout and stderr.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last `lines` lines of the runner's log.
    pub fn log_tail(&self, lines: usize) -> String {
        log_tail(&self.log_path, lines)
    }

    /// One raw HTTP/1.1 exchange with the emulator (see [`http_request`]).
    pub async fn request(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&str>,
    ) -> Result<RawResponse, String> {
        http_request(&self.endpoint(), method, path_and_query, body).await
    }

    /// Starts an execution through the runner-only `POST /start-durable-execution` route, with
    /// qualifier `$LATEST`, a 60 s execution timeout and `input_json` as the input payload.
    /// Returns the `ExecutionArn` (the emulator's are `<uuid>/<uuid>`).
    pub async fn start_execution(
        &self,
        function_name: &str,
        execution_name: &str,
        input_json: &str,
    ) -> Result<String, String> {
        self.start_execution_with(&json!({
            "AccountId": ACCOUNT_ID,
            "FunctionName": function_name,
            "FunctionQualifier": "$LATEST",
            "ExecutionName": execution_name,
            "ExecutionTimeoutSeconds": 60,
            "ExecutionRetentionPeriodDays": 1,
            "Input": input_json,
        }))
        .await
    }

    /// Starts an execution with a complete `/start-durable-execution` body. Required:
    /// `AccountId`, `FunctionName`, `FunctionQualifier`, `ExecutionName`,
    /// `ExecutionTimeoutSeconds`, `ExecutionRetentionPeriodDays`; optional: `Input`,
    /// `InvocationId`, `TraceFields`, `TenantId`, and `LambdaEndpoint` (this execution's own
    /// function endpoint, overriding `--lambda-endpoint`). Returns the `ExecutionArn`.
    pub async fn start_execution_with(&self, body: &Value) -> Result<String, String> {
        let response = self
            .request(
                Method::POST,
                "/start-durable-execution",
                Some(&body.to_string()),
            )
            .await?;
        if response.status != 201 {
            return Err(format!(
                "start-durable-execution answered {}: {}",
                response.status,
                response.text()
            ));
        }
        response
            .json()?
            .get("ExecutionArn")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("no ExecutionArn in {}", response.text()))
    }

    /// `GET /2025-12-01/durable-executions/{arn}` (GetDurableExecution), as JSON.
    pub async fn get_execution(&self, arn: &str) -> Result<Value, String> {
        self.get_json(&execution_path(arn)).await
    }

    /// `GET /2025-12-01/durable-executions/{arn}/history?IncludeExecutionData=true`, as JSON.
    pub async fn history(&self, arn: &str) -> Result<Value, String> {
        self.get_json(&format!(
            "{}/history?IncludeExecutionData=true",
            execution_path(arn)
        ))
        .await
    }

    /// Polls GetDurableExecution every 100 ms until `Status` is no longer `RUNNING` and returns
    /// that answer; fails after `timeout` with the last answer and the runner's log path.
    pub async fn wait_for_execution(&self, arn: &str, timeout: Duration) -> Result<Value, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let execution = self.get_execution(arn).await?;
            if execution.get("Status").and_then(Value::as_str) != Some("RUNNING") {
                return Ok(execution);
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "execution {arn} still RUNNING after {timeout:?}: {execution}; runner log: {}",
                    self.log_path.display()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn get_json(&self, path_and_query: &str) -> Result<Value, String> {
        let response = self.request(Method::GET, path_and_query, None).await?;
        if response.status != 200 {
            return Err(format!(
                "GET {path_and_query} answered {}: {}",
                response.status,
                response.text()
            ));
        }
        response.json()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "emulator log: {}\n--- last lines ---\n{}",
                self.log_path.display(),
                self.log_tail(40)
            );
        } else if std::env::var_os(KEEP_LOGS_VAR).is_none() {
            let _ = fs::remove_file(&self.log_path);
        }
    }
}

/// `/2025-12-01/durable-executions/{arn}` with the ARN percent-encoded as one path segment.
pub fn execution_path(arn: &str) -> String {
    format!("{API_PREFIX}/durable-executions/{}", encode_segment(arn))
}

/// Percent-encodes `text` as one path segment or query value: every byte except the unreserved
/// `A-Z a-z 0-9 - . _ ~` becomes `%XX` (so `/` → `%2F`, `+` → `%2B`, `=` → `%3D`).
pub fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A raw HTTP response.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// The HTTP version the server answered with (the emulator answers HTTP/1.0).
    pub version: http::Version,
    /// The response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl RawResponse {
    /// The body as (lossy) UTF-8 text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("response body is not JSON ({e}): {}", self.text()))
    }
}

/// Aborts a spawned task when dropped (so a timed-out request leaves nothing running).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One raw HTTP/1.1 exchange on a fresh connection: `method endpoint+path_and_query`, with
/// `body` (if any) sent as `application/json` with a Content-Length. Reads the body to its end
/// (for the emulator: until the connection closes). Bounded to 15 s.
///
/// `endpoint` is `http://HOST:PORT`; `path_and_query` must already be percent-encoded.
pub async fn http_request(
    endpoint: &str,
    method: Method,
    path_and_query: &str,
    body: Option<&str>,
) -> Result<RawResponse, String> {
    let what = format!("{method} {endpoint}{path_and_query}");
    let authority = endpoint
        .strip_prefix("http://")
        .map(|rest| rest.trim_end_matches('/'))
        .ok_or_else(|| format!("{what}: the endpoint must be http://HOST:PORT"))?
        .to_owned();
    let exchange = async {
        let stream = tokio::net::TcpStream::connect(&authority)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        let _connection = AbortOnDrop(tokio::spawn(async move {
            let _ = connection.await;
        }));
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path_and_query)
            .header(http::header::HOST, &authority);
        if body.is_some() {
            request = request.header(http::header::CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default().to_owned())))
            .map_err(|e| format!("request: {e}"))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("send: {e}"))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| format!("body: {e}"))?
            .to_bytes();
        Ok(RawResponse {
            status: parts.status.as_u16(),
            version: parts.version,
            headers: parts.headers,
            body,
        })
    };
    match tokio::time::timeout(REQUEST_TIMEOUT, exchange).await {
        Ok(result) => result.map_err(|e: String| format!("{what}: {e}")),
        Err(_) => Err(format!(
            "{what}: no complete answer within {REQUEST_TIMEOUT:?}"
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Provisioning
// ---------------------------------------------------------------------------------------------

/// `<repo>/target`: the venv, lock and logs live there whatever `CARGO_TARGET_DIR` is.
fn target_dir() -> PathBuf {
    crate::repo_root().join("target")
}

/// The venv directory, `<repo>/target/e2e-venv`.
pub fn venv_dir() -> PathBuf {
    target_dir().join("e2e-venv")
}

/// The pinned requirements, `<repo>/tests/python-requirements.txt`.
pub fn requirements_path() -> PathBuf {
    crate::repo_root()
        .join("tests")
        .join("python-requirements.txt")
}

fn venv_python(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

/// The venv, once per process: later callers reuse the first success.
static PROVISIONED: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Makes sure `<repo>/target/e2e-venv` holds the pinned emulator and returns its path.
///
/// Reuses the venv when its stamp (a hash of the requirements file plus the Python version)
/// matches; otherwise rebuilds it. Threads of one process are serialized by a mutex, processes
/// by the lock file `<repo>/target/e2e-venv.lock`. Errors mean "unavailable".
pub fn provision_venv() -> Result<PathBuf, String> {
    let mut provisioned = PROVISIONED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(venv) = provisioned.as_ref() {
        return Ok(venv.clone());
    }
    let requirements_file = requirements_path();
    let requirements = fs::read(&requirements_file)
        .map_err(|e| format!("cannot read {}: {e}", requirements_file.display()))?;
    let python = find_python()?;
    let stamp = format!(
        "requirements-fnv1a64={:016x}\npython={} {}\n",
        fnv1a64(&requirements),
        python.version,
        python.executable
    );
    let target = target_dir();
    fs::create_dir_all(&target).map_err(|e| format!("cannot create {}: {e}", target.display()))?;
    let _lock = FileLock::acquire(target.join("e2e-venv.lock"), LOCK_WAIT)?;

    let venv = venv_dir();
    let stamp_path = venv.join(".e2e-stamp");
    let fresh = fs::read_to_string(&stamp_path).is_ok_and(|found| found == stamp)
        && venv_python(&venv).exists()
        && venv.join("bin").join("dex-local-runner").exists();
    if !fresh {
        let started = Instant::now();
        let log_path = target.join("e2e-logs").join("provision.log");
        notice!(
            "provisioning the emulator venv {} with {} (log: {})",
            venv.display(),
            python.command,
            log_path.display()
        );
        if venv.exists() {
            fs::remove_dir_all(&venv)
                .map_err(|e| format!("cannot remove the stale {}: {e}", venv.display()))?;
        }
        if let Some(parent) = log_path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let log = File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let mut venv_cmd = Command::new(&python.command);
        venv_cmd.arg("-m").arg("venv").arg(&venv);
        run_logged(venv_cmd, &log, VENV_TIMEOUT, &log_path)?;
        let mut pip = Command::new(venv_python(&venv));
        pip.args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--timeout",
            "60",
            "--retries",
            "2",
            // The conformance package declares Python >= 3.14; it imports on 3.11.
            "--ignore-requires-python",
            "-r",
        ])
        .arg(&requirements_file);
        run_logged(pip, &log, PIP_TIMEOUT, &log_path)?;
        if !venv.join("bin").join("dex-local-runner").exists() {
            return Err(format!(
                "pip succeeded but {} has no bin/dex-local-runner (log: {})",
                venv.display(),
                log_path.display()
            ));
        }
        fs::write(&stamp_path, &stamp)
            .map_err(|e| format!("cannot write {}: {e}", stamp_path.display()))?;
        notice!(
            "provisioned the emulator venv in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    *provisioned = Some(venv.clone());
    Ok(venv)
}

/// A Python interpreter new enough for the emulator.
struct Python {
    command: String,
    version: String,
    executable: String,
}

fn find_python() -> Result<Python, String> {
    let mut seen = Vec::new();
    for command in ["python3", "python3.13", "python3.12", "python3.11"] {
        let output = Command::new(command)
            .args([
                "-c",
                "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)",
            ])
            .stdin(Stdio::null())
            .output();
        let Ok(output) = output else { continue };
        if !output.status.success() {
            continue;
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut lines = stdout.lines();
        let version = lines.next().unwrap_or_default().trim().to_owned();
        let executable = lines.next().unwrap_or_default().trim().to_owned();
        let mut numbers = version.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
        let major_minor = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
        if major_minor >= MIN_PYTHON {
            return Ok(Python {
                command: command.to_owned(),
                version,
                executable,
            });
        }
        seen.push(format!("{command} is {version}"));
    }
    Err(if seen.is_empty() {
        "no python3 on PATH".to_owned()
    } else {
        format!(
            "no Python >= {}.{} on PATH ({})",
            MIN_PYTHON.0,
            MIN_PYTHON.1,
            seen.join(", ")
        )
    })
}

/// Runs `command` with stdout and stderr appended to `log`, killing it after `timeout`.
fn run_logged(
    mut command: Command,
    log: &File,
    timeout: Duration,
    log_path: &Path,
) -> Result<(), String> {
    let shown = format!("{command:?}");
    let (stdout, stderr) = log
        .try_clone()
        .and_then(|out| Ok((out, log.try_clone()?)))
        .map_err(|e| format!("cannot share {}: {e}", log_path.display()))?;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                return Err(format!(
                    "{shown} failed ({status}); log {}:\n{}",
                    log_path.display(),
                    log_tail(log_path, 15)
                ));
            }
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{shown} did not finish within {timeout:?}; log: {}",
                    log_path.display()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("cannot wait for {shown}: {e}"));
            }
        }
    }
}

/// 64-bit FNV-1a: a stable content hash for the stamp (no cryptographic strength needed).
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// An exclusive lock file, created with `create_new` and removed on drop. It holds the
/// owner's PID; a lock whose owner is gone (per `/proc`) or that is older than 20 minutes is
/// stale and is taken over.
struct FileLock {
    path: PathBuf,
}

impl FileLock {
    fn acquire(path: PathBuf, wait: Duration) -> Result<FileLock, String> {
        let deadline = Instant::now() + wait;
        let mut announced = false;
        loop {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let _ = writeln!(file, "{}", std::process::id());
                    return Ok(FileLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if let Some(stale) = stale_lock_contents(&path) {
                        // Remove only the lock we judged stale, not a fresh one that replaced it.
                        if fs::read_to_string(&path).is_ok_and(|now| now == stale) {
                            notice!("removing the stale lock {}", path.display());
                            let _ = fs::remove_file(&path);
                        }
                        continue;
                    }
                    if Instant::now() >= deadline {
                        return Err(format!(
                            "{} is still held after {wait:?} (delete it if no test is running)",
                            path.display()
                        ));
                    }
                    if !announced {
                        notice!(
                            "waiting for {} (another test is provisioning)",
                            path.display()
                        );
                        announced = true;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
            }
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// The lock's contents if the lock is stale, `None` if it is live (or vanished).
fn stale_lock_contents(path: &Path) -> Option<String> {
    let contents = fs::read_to_string(path).ok()?;
    let age = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|modified| SystemTime::now().duration_since(modified).ok())
        .unwrap_or_default();
    if age > LOCK_MAX_AGE {
        return Some(contents);
    }
    match contents.trim().parse::<u32>() {
        // The owner is gone (Linux: no /proc/<pid>).
        Ok(pid) if Path::new("/proc/self").exists() => {
            (!Path::new(&format!("/proc/{pid}")).exists()).then_some(contents)
        }
        Ok(_) => None,
        // Being written right now, or left empty by a crash: stale once it is a minute old.
        Err(_) => (age > Duration::from_secs(60)).then_some(contents),
    }
}

// ---------------------------------------------------------------------------------------------
// Starting the runner
// ---------------------------------------------------------------------------------------------

/// Runs the runner's CLI in-process and exits as soon as stdin reaches EOF, that is when the
/// test process (the only holder of the pipe's write end) exits, however it exits.
const RUNNER_BOOTSTRAP: &str = "\
import os, sys, threading
def _exit_with_parent():
    try:
        sys.stdin.buffer.read()
    finally:
        os._exit(0)
threading.Thread(target=_exit_with_parent, daemon=True).start()
from aws_durable_execution_sdk_python_testing.cli import main
sys.argv = ['dex-local-runner'] + sys.argv[1:]
sys.exit(main())
";

enum Spawn {
    PortTaken(String),
    Failed(String),
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

fn spawn_runner(
    python: &Path,
    port: u16,
    lambda_endpoint: &str,
    log_path: &Path,
) -> Result<Emulator, Spawn> {
    let failed = |what: String| Spawn::Failed(format!("{what} (log: {})", log_path.display()));
    let log = File::create(log_path).map_err(|e| failed(format!("cannot create the log: {e}")))?;
    let stderr = log
        .try_clone()
        .map_err(|e| failed(format!("cannot share the log: {e}")))?;
    let port_text = port.to_string();
    let runner_endpoint = format!("http://127.0.0.1:{port}");
    let mut command = Command::new(python);
    command
        .arg("-c")
        .arg(RUNNER_BOOTSTRAP)
        .args(["start-server", "--host", "127.0.0.1", "--port", &port_text])
        .args(["--lambda-endpoint", lambda_endpoint])
        .args(["--local-runner-endpoint", &runner_endpoint])
        .args([
            "--store-type",
            "memory",
            "--log-level",
            "INFO",
            "--skip-time",
        ])
        .args(["--invocation-timeout", &INVOCATION_TIMEOUT_SECS.to_string()])
        // Any credentials: the runner only signs its own Invoke calls with them.
        .env("AWS_ACCESS_KEY_ID", "e2e-test-access-key")
        .env("AWS_SECRET_ACCESS_KEY", "e2e-test-secret-key")
        // Nothing from the host's AWS setup may change how the runner reaches the function.
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::piped())
        .stdout(log)
        .stderr(stderr);
    let child = command
        .spawn()
        .map_err(|e| failed(format!("cannot spawn {}: {e}", python.display())))?;
    // From here on the guard owns the process: any early return kills it.
    let mut emulator = Emulator {
        child,
        port,
        log_path: log_path.to_owned(),
    };
    let deadline = Instant::now() + HEALTH_TIMEOUT;
    loop {
        if let Ok(Some(status)) = emulator.child.try_wait() {
            let tail = log_tail(log_path, 15);
            let reason = format!(
                "dex-local-runner exited ({status}) before it was healthy; log {}:\n{tail}",
                log_path.display()
            );
            return Err(if tail.contains("Address already in use") {
                Spawn::PortTaken(reason)
            } else {
                Spawn::Failed(reason)
            });
        }
        if health_ok(port) {
            // A different server may have answered on a port we lost; ours must still be up.
            std::thread::sleep(Duration::from_millis(50));
            if matches!(emulator.child.try_wait(), Ok(None)) {
                return Ok(emulator);
            }
            continue;
        }
        if Instant::now() >= deadline {
            return Err(Spawn::Failed(format!(
                "dex-local-runner was not healthy within {HEALTH_TIMEOUT:?}; log {}:\n{}",
                log_path.display(),
                log_tail(log_path, 15)
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `GET /health` answered 200 with `{"status":"healthy"}` (blocking, short timeouts).
fn health_ok(port: u16) -> bool {
    let attempt = || -> std::io::Result<bool> {
        let addr = (Ipv4Addr::LOCALHOST, port).into();
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500))?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        stream.set_write_timeout(Some(Duration::from_secs(2)))?;
        stream.write_all(
            format!("GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        let status_ok = answer
            .lines()
            .next()
            .is_some_and(|line| line.split_whitespace().nth(1) == Some("200"));
        Ok(status_ok && answer.contains("healthy"))
    };
    attempt().unwrap_or(false)
}

fn log_tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_percent_encoded_whole() {
        assert_eq!(encode_segment("a1b2/c3d4"), "a1b2%2Fc3d4");
        assert_eq!(encode_segment("eyJ+a/b=="), "eyJ%2Ba%2Fb%3D%3D");
        assert_eq!(
            encode_segment("arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/x"),
            "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af%3A%24LATEST%2Fx"
        );
        assert_eq!(encode_segment("A-Z.a_z~0"), "A-Z.a_z~0");
        assert_eq!(
            execution_path("u1/u2"),
            "/2025-12-01/durable-executions/u1%2Fu2"
        );
    }

    #[test]
    fn the_stamp_hash_is_fnv1a64() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn a_lock_of_a_dead_process_is_stale() {
        let dir = target_dir().join("tmp");
        fs::create_dir_all(&dir).expect("target/tmp");
        let path = dir.join(format!("e2e-lock-test-{}.lock", std::process::id()));
        let _ = fs::remove_file(&path);
        // PIDs are at most 2^22 on Linux, so this one never runs.
        fs::write(&path, "4294967295\n").expect("write");
        assert_eq!(stale_lock_contents(&path).as_deref(), Some("4294967295\n"));
        fs::write(&path, format!("{}\n", std::process::id())).expect("write");
        assert_eq!(stale_lock_contents(&path), None);
        let lock = FileLock::acquire(path.clone(), Duration::from_millis(300));
        assert!(lock.is_err(), "a live lock must not be taken over");
        fs::remove_file(&path).expect("remove");
        let lock = FileLock::acquire(path.clone(), Duration::from_millis(300)).expect("free");
        assert!(path.exists());
        drop(lock);
        assert!(!path.exists());
    }
}
