//! The contexts user code gets: [`DurableContext`] (the handler's and each child's) and
//! [`StepContext`] (a step body's).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::execution::Execution;
use crate::id::IdMinter;
use crate::logger::Logger;

/// The handle through which a durable handler runs durable operations. Cheap to clone (an
/// `Arc`), `Send` and `Sync`.
///
/// Each operation method returns a builder; awaiting the builder runs the operation. Operation
/// ids are minted when the method is called, in call order, so the code that creates operations
/// must create the same ones in the same order on every invocation (see the crate docs on
/// determinism).
#[derive(Clone)]
pub struct DurableContext {
    scope: Arc<Scope>,
}

struct Scope {
    exec: Arc<Execution>,
    /// The id of the CONTEXT operation this scope runs in (`None` for the handler's).
    parent_id: Option<String>,
    ids: IdMinter,
    /// How many maps, parallels and combinators of this scope are running their branches.
    busy: AtomicUsize,
}

impl fmt::Debug for DurableContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DurableContext")
            .field("durable_execution_arn", &self.scope.exec.arn)
            .field("parent_id", &self.scope.parent_id)
            .finish_non_exhaustive()
    }
}

impl DurableContext {
    pub(crate) fn root(exec: Arc<Execution>) -> DurableContext {
        DurableContext {
            scope: Arc::new(Scope {
                exec,
                parent_id: None,
                ids: IdMinter::root(),
                busy: AtomicUsize::new(0),
            }),
        }
    }

    /// The context of a child operation with this positional path and id.
    pub(crate) fn child(&self, path: String, id: String) -> DurableContext {
        DurableContext {
            scope: Arc::new(Scope {
                exec: Arc::clone(&self.scope.exec),
                parent_id: Some(id),
                ids: IdMinter::with_prefix(path),
                busy: AtomicUsize::new(0),
            }),
        }
    }

    /// A virtual context at `minted`'s position: its operations get ids under that position but
    /// are recorded in this context (same parent), with no record of their own.
    pub(crate) fn virtual_child(&self, minted: Minted) -> DurableContext {
        DurableContext {
            scope: Arc::new(Scope {
                exec: Arc::clone(&self.scope.exec),
                parent_id: self.scope.parent_id.clone(),
                ids: IdMinter::with_prefix(minted.path),
                busy: AtomicUsize::new(0),
            }),
        }
    }

    pub(crate) fn exec(&self) -> &Arc<Execution> {
        &self.scope.exec
    }

    pub(crate) fn parent_id(&self) -> Option<&str> {
        self.scope.parent_id.as_deref()
    }

    /// The next operation's positional path and id: minted when the operation method is
    /// called, so ids follow the order of the calls.
    pub(crate) fn mint(&self) -> Minted {
        let (path, id) = self.scope.ids.next();
        Minted {
            path,
            id,
            while_busy: self.scope.busy.load(Ordering::SeqCst) > 0,
        }
    }

    /// Runs `work` (a map's, parallel's or combinator's branches) with this context marked
    /// busy: an operation created on it meanwhile comes from inside a branch, where the order
    /// of creation depends on which branch gets there first, and [`DurableContext::begin`]
    /// refuses it.
    pub(crate) async fn while_busy<F: std::future::Future>(&self, work: F) -> F::Output {
        self.scope.busy.fetch_add(1, Ordering::SeqCst);
        let _busy = Busy(Arc::clone(&self.scope));
        work.await
    }

    /// The durable execution's ARN.
    pub fn execution_arn(&self) -> &str {
        &self.scope.exec.arn
    }

    /// The Lambda invocation's context: request id, deadline, function ARN.
    pub fn lambda_context(&self) -> &lambda_runtime::Context {
        &self.scope.exec.lambda
    }

    /// Whether the execution is replaying what earlier invocations did (it becomes live at the
    /// first operation no earlier invocation finished).
    pub fn is_replaying(&self) -> bool {
        self.scope.exec.is_replaying()
    }

    /// The replay-aware logger of this context.
    pub fn logger(&self) -> Logger {
        Logger::new(
            Arc::clone(&self.scope.exec.log),
            self.scope.parent_id.as_deref().map(Arc::from),
            None,
        )
    }
}

/// An operation's positional path and wire id.
#[derive(Clone, Debug)]
pub(crate) struct Minted {
    pub path: String,
    pub id: String,
    /// Created while its context ran branches concurrently (see
    /// [`DurableContext::while_busy`]).
    pub while_busy: bool,
}

/// Marks a scope busy until dropped.
struct Busy(Arc<Scope>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What a step body gets: its attempt number and a logger. It has no operation methods: a
/// durable operation cannot run inside a step.
#[derive(Clone, Debug)]
pub struct StepContext {
    attempt: u32,
    operation_id: Arc<str>,
    logger: Logger,
}

impl StepContext {
    pub(crate) fn new(exec: &Arc<Execution>, operation_id: &str, attempt: u32) -> StepContext {
        let operation_id: Arc<str> = Arc::from(operation_id);
        StepContext {
            attempt,
            // A body runs only when the step does live work: its logger always writes.
            logger: Logger::new(
                Arc::clone(&exec.log),
                Some(Arc::clone(&operation_id)),
                Some(attempt),
            )
            .during_replay(true),
            operation_id,
        }
    }

    /// The attempt this run of the body is, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The step's operation id.
    pub fn operation_id(&self) -> &str {
        &self.operation_id
    }

    /// The step's logger (a step body runs only when live, so it always logs).
    pub fn logger(&self) -> &Logger {
        &self.logger
    }
}
