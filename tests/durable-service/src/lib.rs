//! A fast local durable-execution service, for the fault tests and the benchmark of durable
//! runtimes (lambda-sdk-durable and AWS's preview alike).
//!
//! One loopback HTTP server plays two parts:
//!
//! - **Lambda's durable-execution API**: `GetDurableExecutionState` and
//!   `CheckpointDurableExecution` on their restJson1 routes, over the in-memory service of
//!   `lambda_sdk_durable::testing` (real checkpoint tokens that each call consumes, state pages,
//!   the record of every operation type), with `ClientToken` deduplication as the service does,
//!   scripted HTTP faults (error statuses with `Retry-After`, a response cut mid-body, a stall),
//!   and counters of calls and bytes. Point a client at [`DurableService::endpoint`]
//!   (`AWS_ENDPOINT_URL`).
//! - **The Lambda Runtime API** (`/2018-06-01/runtime/...`): a function process started with
//!   `AWS_LAMBDA_RUNTIME_API` set to [`DurableService::runtime_api`] takes its invocations from
//!   here, and [`DurableService::invoke`] hands it one execution's envelope and waits for the
//!   answer.
//!
//! Between invocations, [`Execution::fire_timers`] lets time pass: waits end and retry delays
//! are over at once.
//!
//! [`proxy`] puts the same HTTP faults in front of another service (the local emulator): the
//! `fault-proxy` binary runs a function process with its durable-execution endpoint pointed at
//! a proxy that forwards to the emulator and faults the calls its script names.

#![forbid(unsafe_code)]

mod api;
pub mod proxy;
mod runtime_api;
mod server;

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use lambda_sdk_durable::testing::MemoryService;
use serde_json::Value;
use tokio::task::JoinHandle;

pub use runtime_api::Answer;

/// An HTTP fault scripted for one request of the durable-execution API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpFault {
    /// No fault: the request is served (to script faults for later requests).
    Pass,
    /// An error response: the status, the error code (`x-amzn-ErrorType`), a message, and a
    /// `Retry-After` header if given. Nothing is recorded.
    Status {
        /// The HTTP status.
        status: u16,
        /// The error code.
        code: String,
        /// The message.
        message: String,
        /// The `Retry-After` header's value.
        retry_after: Option<String>,
    },
    /// The request is served (a checkpoint is recorded), but the response stops halfway
    /// through its body and the connection is cut.
    CutMidBody,
    /// The server holds the request this long without answering or recording anything, then
    /// closes the connection.
    Stall(Duration),
    /// A 200 response with this JSON body instead of the service's (nothing is recorded).
    Body(Value),
    /// The request is served normally, this much later (a slow service).
    Delay(Duration),
}

impl HttpFault {
    /// A `status` error with `code` and no `Retry-After`.
    pub fn status(status: u16, code: &str) -> HttpFault {
        HttpFault::Status {
            status,
            code: code.to_string(),
            message: format!("injected {status} {code}"),
            retry_after: None,
        }
    }
}

/// What an execution's clients sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// `CheckpointDurableExecution` requests (faulted ones included).
    pub checkpoint_calls: u64,
    /// Bytes of those requests: request line, headers and body.
    pub checkpoint_bytes: u64,
    /// `GetDurableExecutionState` requests.
    pub state_calls: u64,
}

impl Stats {
    /// What was sent between `earlier` and `self`.
    pub fn since(self, earlier: Stats) -> Stats {
        Stats {
            checkpoint_calls: self.checkpoint_calls - earlier.checkpoint_calls,
            checkpoint_bytes: self.checkpoint_bytes - earlier.checkpoint_bytes,
            state_calls: self.state_calls - earlier.state_calls,
        }
    }
}

/// One durable execution held by the service.
#[derive(Debug)]
pub struct Execution {
    arn: String,
    memory: MemoryService,
    inner: Mutex<ExecutionState>,
}

#[derive(Debug, Default)]
struct ExecutionState {
    stats: Stats,
    checkpoint_faults: VecDeque<HttpFault>,
    state_faults: VecDeque<HttpFault>,
    /// The last recorded checkpoint: its `ClientToken`, the token it was sent with, and the
    /// response, for a retry of the same call.
    last_checkpoint: Option<(String, String, Vec<u8>)>,
}

impl Execution {
    /// The execution's ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The in-memory service holding its operations (for assertions and service-level
    /// faults: a stale token, a response without a token).
    pub fn memory(&self) -> &MemoryService {
        &self.memory
    }

    /// The envelope of the next invocation (a fresh token each time).
    pub fn envelope(&self) -> Value {
        self.memory.envelope()
    }

    /// Lets time pass: waits end and retry delays are over. Returns whether anything changed.
    pub fn fire_timers(&self) -> bool {
        self.memory.fire_timers()
    }

    /// Scripts faults for the next checkpoint requests, in order.
    pub fn fault_checkpoints(&self, faults: impl IntoIterator<Item = HttpFault>) {
        lock(&self.inner).checkpoint_faults.extend(faults);
    }

    /// Scripts faults for the next state-page requests, in order.
    pub fn fault_state_pages(&self, faults: impl IntoIterator<Item = HttpFault>) {
        lock(&self.inner).state_faults.extend(faults);
    }

    /// What its clients sent so far.
    pub fn stats(&self) -> Stats {
        lock(&self.inner).stats
    }
}

/// One invocation through the Runtime API, as [`DurableService::invoke`] saw it.
#[derive(Clone, Debug)]
pub struct Invoked {
    /// The function's answer.
    pub answer: Answer,
    /// From handing the invocation to the function to its answer.
    pub elapsed: Duration,
    /// What the execution's clients sent during the invocation.
    pub stats: Stats,
}

impl Invoked {
    /// The answer's `Status` (`SUCCEEDED`, `FAILED`, `PENDING`), or `ERROR` for an invocation
    /// error.
    pub fn status(&self) -> &str {
        match &self.answer {
            Answer::Response(value) => value.get("Status").and_then(Value::as_str).unwrap_or("?"),
            Answer::Error(_) => "ERROR",
        }
    }
}

/// The service (see the crate docs). It stops when dropped.
pub struct DurableService {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_loop: JoinHandle<()>,
}

struct Shared {
    executions: Mutex<HashMap<String, Arc<Execution>>>,
    runtime: runtime_api::Queue,
    next_execution: AtomicU64,
}

impl DurableService {
    /// Binds `127.0.0.1:0`; must be called inside a tokio runtime, where the server then runs.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start() -> io::Result<DurableService> {
        let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            executions: Mutex::new(HashMap::new()),
            runtime: runtime_api::Queue::default(),
            next_execution: AtomicU64::new(1),
        });
        let accept_loop = tokio::spawn(server::accept_loop(listener, Arc::clone(&shared)));
        Ok(DurableService {
            addr,
            shared,
            accept_loop,
        })
    }

    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `127.0.0.1:PORT`, for `AWS_LAMBDA_RUNTIME_API`.
    pub fn runtime_api(&self) -> String {
        self.addr.to_string()
    }

    /// A new execution of `function` started with `input` (a JSON document), whose state pages
    /// hold at most `page_size` operations.
    pub fn start_execution(&self, function: &str, input: &str, page_size: usize) -> Arc<Execution> {
        let n = self.shared.next_execution.fetch_add(1, Ordering::Relaxed);
        let arn = format!(
            "arn:aws:lambda:us-east-1:123456789012:function:{function}:$LATEST/durable-execution/run-{n}/{n:08x}-0000-4000-8000-000000000000"
        );
        self.start_execution_with_arn(&arn, input, page_size)
    }

    /// [`DurableService::start_execution`] with an ARN of the caller's choosing (the local
    /// emulator's, for one, are not ARNs).
    pub fn start_execution_with_arn(
        &self,
        arn: &str,
        input: &str,
        page_size: usize,
    ) -> Arc<Execution> {
        let arn = arn.to_string();
        let execution = Arc::new(Execution {
            memory: MemoryService::new(arn.clone(), Some(input.to_string()), page_size),
            arn: arn.clone(),
            inner: Mutex::new(ExecutionState::default()),
        });
        lock(&self.shared.executions).insert(arn, Arc::clone(&execution));
        execution
    }

    /// Hands the execution's next invocation to the function process polling the Runtime API
    /// and waits (at most `timeout`) for its answer.
    ///
    /// # Errors
    /// When no answer comes within `timeout`.
    pub async fn invoke(
        &self,
        execution: &Execution,
        timeout: Duration,
    ) -> Result<Invoked, String> {
        let before = execution.stats();
        let started = Instant::now();
        let answer = self
            .shared
            .runtime
            .invoke(execution.memory.envelope_json(), timeout)
            .await?;
        Ok(Invoked {
            answer,
            elapsed: started.elapsed(),
            stats: execution.stats().since(before),
        })
    }

    /// Invokes the execution until it ends (SUCCEEDED or FAILED), letting time pass after each
    /// invocation that did not; at most `max_invocations`.
    ///
    /// # Errors
    /// When an invocation gets no answer within `timeout`.
    pub async fn run(
        &self,
        execution: &Execution,
        max_invocations: usize,
        timeout: Duration,
    ) -> Result<Vec<Invoked>, String> {
        let mut invocations = Vec::new();
        for _ in 0..max_invocations {
            let invoked = self.invoke(execution, timeout).await?;
            let done = matches!(invoked.status(), "SUCCEEDED" | "FAILED");
            invocations.push(invoked);
            if done {
                break;
            }
            execution.fire_timers();
        }
        Ok(invocations)
    }

    /// Requests the server could not make sense of (unknown routes, unknown executions,
    /// unreadable bodies), for assertions.
    pub fn failures(&self) -> Vec<String> {
        self.shared.runtime.failures()
    }
}

impl Drop for DurableService {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

impl Shared {
    fn execution(&self, arn: &str) -> Option<Arc<Execution>> {
        lock(&self.executions).get(arn).cloned()
    }
}

/// Locks a mutex whose data stays valid even if a holder panicked.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
