//! Whether an invocation can still make progress, when code runs concurrently.
//!
//! A *branch* is code that runs sequentially: the handler, an item of a map or parallel, an
//! operand of a combinator. A branch is parked when the await it stopped at is a durable wait on
//! the service (a timer, a callback, a chained invoke, a retry delay): nothing in this invocation
//! will wake it. The invocation suspends only when the handler's branch is parked, which for a
//! branch running a map or parallel means every one of its running branches is parked. A branch
//! stopped at anything else (a step body's I/O, a sleep, a channel, a checkpoint acknowledgement)
//! can still go on, and the invocation waits for it.
//!
//! While a branch is polled it is the thread's current branch; the await it stops at marks it.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    static CURRENT: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// Whether one branch is parked, as of its last poll.
#[derive(Clone, Debug, Default)]
pub(crate) struct BranchState(Arc<AtomicBool>);

impl BranchState {
    pub fn is_parked(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Polls the branch: where `poll` stops decides whether it is parked.
    pub fn poll<R>(&self, poll: impl FnOnce() -> R) -> R {
        self.0.store(false, Ordering::SeqCst);
        let previous = CURRENT.with(|c| c.replace(Some(Arc::clone(&self.0))));
        let _restore = Restore(previous);
        poll()
    }
}

/// Puts the enclosing branch back as the current one, even when the poll panics.
struct Restore(Option<Arc<AtomicBool>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// The branch being polled stops here, parked or not.
pub(crate) fn set_parked(parked: bool) {
    CURRENT.with(|c| {
        if let Some(flag) = c.borrow().as_ref() {
            flag.store(parked, Ordering::SeqCst);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_innermost_branch_is_marked_and_the_outer_one_restored() {
        let outer = BranchState::default();
        let inner = BranchState::default();
        outer.poll(|| {
            inner.poll(|| set_parked(true));
            assert!(inner.is_parked());
            assert!(!outer.is_parked());
            set_parked(true);
        });
        assert!(outer.is_parked());
        // A new poll starts unparked; outside any branch, marking does nothing.
        outer.poll(|| {});
        assert!(!outer.is_parked());
        set_parked(true);
        let caught = std::panic::catch_unwind(|| inner.poll(|| panic!("in the branch")));
        assert!(caught.is_err());
        set_parked(true);
        assert!(!outer.is_parked());
    }
}
