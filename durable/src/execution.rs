//! The state of one invocation, shared by every context and operation: the recorded operations,
//! whether the execution still replays, what does live work, and the fatal slot that user code
//! cannot swallow.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use lambda_sdk::types::{GetDurableExecutionStateRequest, OperationType};

use crate::backend::{BackendError, BackendErrorKind, DurableBackend};
use crate::checkpoint::Writer;
use crate::envelope::Envelope;
use crate::error::ErrorObject;
use crate::logger::{LogShared, LogSink};
use crate::plugin::Plugin;
use crate::record::{Record, Records};
use crate::serdes::AnySerdes;
use tokio::sync::Notify;

/// How many operations a state page may hold (what AWS's SDKs ask for).
pub(crate) const PAGE_SIZE: i32 = 1000;

/// What the options of `run_with_options` leave to every invocation.
pub(crate) struct Settings {
    pub default_serdes: Option<Arc<dyn AnySerdes>>,
    pub batching_window: Duration,
    pub sink: Arc<dyn LogSink>,
    pub replay_logging: bool,
    /// The most state pages an invocation reads.
    pub max_state_pages: usize,
    /// Instrumentation, called in this order.
    pub plugins: Vec<Arc<dyn Plugin>>,
}

/// Why the invocation must stop, whatever user code does.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Fatal {
    /// The execution fails with this error (non-determinism, a final checkpoint failure, an
    /// unknown status).
    Failed(ErrorObject),
    /// The invocation ends with an error, so that Lambda invokes it again (a stale token, a
    /// failure worth retrying).
    Retry(String),
    /// The service answered a checkpoint without a token: nothing more can be written, and the
    /// invocation ends as PENDING (or as it ended, if the execution's outcome was recorded).
    Stopped,
}

impl Fatal {
    pub fn from_backend(error: &BackendError) -> Fatal {
        match error.kind() {
            BackendErrorKind::Terminal => {
                Fatal::Failed(ErrorObject::new("CheckpointError", error.message()))
            }
            _ => Fatal::Retry(error.message().to_string()),
        }
    }
}

/// One invocation's shared state.
pub(crate) struct Execution {
    pub arn: String,
    /// The envelope's checkpoint token, with which the state pages are read (nothing is
    /// checkpointed before they all are).
    state_token: String,
    pub backend: Arc<dyn DurableBackend>,
    pub settings: Arc<Settings>,
    pub lambda: Arc<lambda_runtime::Context>,
    pub log: Arc<LogShared>,
    records: Mutex<Records>,
    /// Every state page has been read into `records`.
    loaded: AtomicBool,
    /// Wakes the operations waiting for the state pages.
    load_done: Notify,
    /// The operations the service changed while the execution was suspended.
    updated: HashSet<String>,
    /// The operations that had ended before this invocation and whose end an earlier
    /// invocation saw: plugins are not told of them again (filled as state is read, only when
    /// there are plugins).
    seen_ended: Mutex<HashSet<String>>,
    /// The operations whose end plugins were told of in this invocation.
    reported: Mutex<HashSet<String>>,
    replaying: Arc<AtomicBool>,
    /// Operations doing live work: a body running, an update awaiting its acknowledgement.
    running: AtomicUsize,
    fatal: Mutex<Option<Fatal>>,
    pub writer: Writer,
}

impl Execution {
    /// The invocation of `envelope`, with the envelope's page of the state; the marker of the
    /// pages that follow, if any, is returned for [`Execution::load_pages`].
    pub fn new(
        envelope: Envelope,
        backend: Arc<dyn DurableBackend>,
        settings: Arc<Settings>,
        lambda: Arc<lambda_runtime::Context>,
    ) -> (Arc<Execution>, Option<String>) {
        let Envelope {
            arn,
            token,
            operations: first_page,
            next_marker,
            updated,
        } = envelope;
        let more_pages = next_marker.is_some();
        let updated: HashSet<String> = updated.into_iter().collect();
        // More pages hold more operations: the execution replays.
        let replaying = more_pages
            || first_page
                .iter()
                .any(|r| r.op_type != OperationType::Execution);
        let replaying = Arc::new(AtomicBool::new(replaying));
        let log = Arc::new(LogShared {
            sink: Arc::clone(&settings.sink),
            arn: arn.clone(),
            request_id: lambda.request_id.clone(),
            replaying: Arc::clone(&replaying),
            during_replay: settings.replay_logging,
        });
        let exec = Arc::new(Execution {
            arn,
            backend,
            state_token: token.clone(),
            writer: Writer::new(token, settings.batching_window),
            settings,
            lambda,
            log,
            records: Mutex::new(crate::record::records(first_page.len())),
            loaded: AtomicBool::new(!more_pages),
            load_done: Notify::new(),
            updated,
            seen_ended: Mutex::new(HashSet::new()),
            reported: Mutex::new(HashSet::new()),
            replaying,
            running: AtomicUsize::new(0),
            fatal: Mutex::new(None),
        });
        exec.add_loaded(first_page);
        (exec, next_marker)
    }

    /// Adds records read from the state (the envelope's page or a later one). A record the
    /// invocation already has (a checkpoint response's, newer) is kept.
    fn add_loaded(&self, page: Vec<Record>) {
        if !self.settings.plugins.is_empty() {
            let mut seen = lock(&self.seen_ended);
            for record in page.iter().filter(|r| r.has_ended()) {
                if !self.updated.contains(&record.id) {
                    seen.insert(record.id.clone());
                }
            }
        }
        let mut records = lock(&self.records);
        records.reserve(page.len());
        for record in page {
            records
                .entry(record.id.clone())
                .or_insert_with(|| Arc::new(record));
        }
    }

    /// Whether every state page has been read.
    pub fn is_loaded(&self) -> bool {
        self.loaded.load(Ordering::SeqCst)
    }

    /// Waits until every state page has been read; `Err` when reading failed (the reason is in
    /// the fatal slot, which ends the invocation).
    pub async fn loaded(&self) -> Result<(), Fatal> {
        loop {
            let done = self.load_done.notified();
            tokio::pin!(done);
            done.as_mut().enable();
            if self.is_loaded() {
                return Ok(());
            }
            if let Some(fatal) = self.fatal() {
                return Err(fatal);
            }
            done.await;
        }
    }

    /// Reads the state pages after the envelope's, from `marker`, into the records; replay can
    /// go on meanwhile over the records it has (an operation without one waits, see
    /// [`DurableContext::begin`](crate::DurableContext)). A failure goes to the fatal slot.
    pub async fn load_pages(&self, marker: String, max_pages: usize) {
        match self.read_state_pages(marker, max_pages).await {
            Ok(()) => self.loaded.store(true, Ordering::SeqCst),
            Err(LoadError::Failed(message)) => {
                self.set_fatal(Fatal::Failed(ErrorObject::new("StateError", message)));
            }
            Err(LoadError::Retry(message)) => self.set_fatal(Fatal::Retry(message)),
        }
        self.load_done.notify_waiters();
    }

    async fn read_state_pages(&self, first: String, max_pages: usize) -> Result<(), LoadError> {
        let mut marker = Some(first);
        let mut pages = 0;
        while let Some(current) = marker.take() {
            pages += 1;
            if pages > max_pages {
                return Err(LoadError::Failed(format!(
                    "the execution's state has more than {max_pages} pages of {PAGE_SIZE} \
                     operations; this runtime reads at most that many \
                     (RunOptions::max_state_pages)"
                )));
            }
            let page = self
                .backend
                .get_durable_execution_state(GetDurableExecutionStateRequest {
                    durable_execution_arn: self.arn.clone(),
                    checkpoint_token: self.state_token.clone(),
                    marker: Some(current.clone()),
                    max_items: Some(PAGE_SIZE),
                })
                .await
                .map_err(|e| match e.kind() {
                    BackendErrorKind::Terminal => LoadError::Failed(e.message().to_string()),
                    _ => LoadError::Retry(e.message().to_string()),
                })?;
            marker = page.next_marker.filter(|m| !m.is_empty());
            if marker.as_deref() == Some(current.as_str()) {
                return Err(LoadError::Retry(format!(
                    "GetDurableExecutionState returned the page marker it was sent ({current:?}) \
                     as the next one; the state cannot be read"
                )));
            }
            self.add_loaded(
                page.operations
                    .into_iter()
                    .map(Record::from_operation)
                    .collect(),
            );
        }
        Ok(())
    }

    /// The EXECUTION operation's input, if its record has been read.
    pub fn execution_input(&self) -> Option<Option<String>> {
        execution_record(&lock(&self.records), &self.arn).map(|r| r.input.clone())
    }

    /// The record of an operation, if there is one.
    pub fn record(&self, id: &str) -> Option<Arc<Record>> {
        lock(&self.records).get(id).cloned()
    }

    /// Whether there is a record of an operation.
    pub fn has_record(&self, id: &str) -> bool {
        lock(&self.records).contains_key(id)
    }

    /// Records what the service returned (later records of an id replace earlier ones).
    pub fn merge(&self, records: impl IntoIterator<Item = Record>) {
        let mut map = lock(&self.records);
        for record in records {
            map.insert(record.id.clone(), Arc::new(record));
        }
    }

    /// Whether plugins should be told that this operation ended: not if an earlier invocation
    /// saw it end, and once per invocation.
    pub fn first_report_of_end(&self, id: &str) -> bool {
        !lock(&self.seen_ended).contains(id) && lock(&self.reported).insert(id.to_string())
    }

    /// The EXECUTION operation's id: the one named by the ARN's last segment, else any.
    pub fn execution_op_id(&self) -> Option<String> {
        execution_record(&lock(&self.records), &self.arn).map(|r| r.id.clone())
    }

    /// Whether the execution still replays what earlier invocations did.
    pub fn is_replaying(&self) -> bool {
        self.replaying.load(Ordering::Relaxed)
    }

    /// The execution reached work no earlier invocation finished: from here on it is live.
    pub fn go_live(&self) {
        self.replaying.store(false, Ordering::Relaxed);
    }

    /// Stops the invocation: the first reason wins.
    pub fn set_fatal(&self, fatal: Fatal) {
        let mut slot = lock(&self.fatal);
        if slot.is_none() {
            *slot = Some(fatal);
        }
    }

    pub fn fatal(&self) -> Option<Fatal> {
        lock(&self.fatal).clone()
    }

    /// No operation does live work (a body running, an update awaiting its acknowledgement).
    pub fn nothing_running(&self) -> bool {
        self.running.load(Ordering::SeqCst) == 0
    }

    /// Marks live work until the guard is dropped.
    pub fn running(self: &Arc<Self>) -> RunningGuard {
        self.running.fetch_add(1, Ordering::SeqCst);
        RunningGuard(Arc::clone(self))
    }

    /// A future that never completes in this invocation: the operation waits on the service,
    /// and the branch that awaits it is parked (see [`crate::branch`]).
    pub fn park<T>(&self) -> Parked<T> {
        Parked {
            _value: std::marker::PhantomData,
        }
    }

    /// A future that never completes, for an operation that hit a fatal condition: the driver
    /// sees the fatal slot and ends the invocation.
    pub fn halt<T>(&self, fatal: Fatal) -> std::future::Pending<T> {
        self.set_fatal(fatal);
        std::future::pending()
    }
}

/// Locks a mutex, whose data stays valid even if a holder panicked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The EXECUTION record: the one whose id is the ARN's last segment, else the only one.
pub(crate) fn execution_record<'a>(records: &'a Records, arn: &str) -> Option<&'a Record> {
    let suffix = arn.rsplit('/').next().unwrap_or(arn);
    records
        .get(suffix)
        .map(|r| &**r)
        .filter(|r| r.op_type == OperationType::Execution)
        .or_else(|| {
            records
                .values()
                .map(|r| &**r)
                .find(|r| r.op_type == OperationType::Execution)
        })
}

/// Live work in progress (see [`Execution::running`]).
pub(crate) struct RunningGuard(Arc<Execution>);

impl Drop for RunningGuard {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// See [`Execution::park`].
pub(crate) struct Parked<T> {
    _value: std::marker::PhantomData<fn() -> T>,
}

impl<T> Future for Parked<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<T> {
        crate::branch::set_parked(true);
        Poll::Pending
    }
}

/// Why the state could not be loaded.
#[derive(Debug)]
pub(crate) enum LoadError {
    /// The execution fails with this message.
    Failed(String),
    /// The invocation ends with an error (worth retrying).
    Retry(String),
}
