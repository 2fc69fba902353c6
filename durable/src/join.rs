//! A set of futures polled together inside one task, each only when its own waker fired: how a
//! batch or a combinator runs its branches concurrently without spawning them (they borrow from
//! the handler and need not be `'static`). Dropping the set drops every future still in it.
//!
//! Each future is a branch ([`crate::branch`]): while the set waits, the branch that awaits it
//! is parked only if every future in the set is.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use crate::backend::BoxFuture;
use crate::branch::{BranchState, set_parked};
use crate::execution::lock;

/// Futures in flight, each tagged with a key the caller chooses (an item's index).
pub(crate) struct JoinSet<'a, K, O> {
    slots: Vec<Slot<'a, K, O>>,
    free: Vec<usize>,
    ready: Arc<Ready>,
    len: usize,
}

struct Slot<'a, K, O> {
    entry: Option<(K, BoxFuture<'a, O>)>,
    waker: Waker,
    wake: Arc<SlotWaker>,
    branch: BranchState,
}

/// The slots whose futures asked to be polled, and the task to wake when there are some.
#[derive(Default)]
struct Ready {
    queue: Mutex<VecDeque<usize>>,
    task: Mutex<Option<Waker>>,
}

impl Ready {
    fn push(&self, slot: usize) {
        lock(&self.queue).push_back(slot);
        let task = lock(&self.task).clone();
        if let Some(task) = task {
            task.wake();
        }
    }
}

/// The waker of one slot. A slot is in the ready queue at most once.
struct SlotWaker {
    slot: usize,
    ready: Arc<Ready>,
    queued: AtomicBool,
}

impl SlotWaker {
    fn enqueue(&self) {
        if !self.queued.swap(true, Ordering::SeqCst) {
            self.ready.push(self.slot);
        }
    }
}

impl Wake for SlotWaker {
    fn wake(self: Arc<Self>) {
        self.enqueue();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.enqueue();
    }
}

impl<'a, K, O> JoinSet<'a, K, O> {
    pub fn new() -> Self {
        JoinSet {
            slots: Vec::new(),
            free: Vec::new(),
            ready: Arc::new(Ready::default()),
            len: 0,
        }
    }

    /// How many futures are in flight.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Adds a future; it is polled at the next [`JoinSet::next`], after those added before it.
    pub fn push(&mut self, key: K, future: BoxFuture<'a, O>) {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot].entry = Some((key, future));
                slot
            }
            None => {
                let slot = self.slots.len();
                let wake = Arc::new(SlotWaker {
                    slot,
                    ready: Arc::clone(&self.ready),
                    queued: AtomicBool::new(false),
                });
                self.slots.push(Slot {
                    entry: Some((key, future)),
                    waker: Waker::from(Arc::clone(&wake)),
                    wake,
                    branch: BranchState::default(),
                });
                slot
            }
        };
        self.len += 1;
        self.slots[slot].wake.enqueue();
    }

    /// The next future to complete, with its key; `None` when the set is empty.
    pub async fn next(&mut self) -> Option<(K, O)> {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<(K, O)>> {
        if self.len == 0 {
            return Poll::Ready(None);
        }
        {
            let mut task = lock(&self.ready.task);
            if !task.as_ref().is_some_and(|t| t.will_wake(cx.waker())) {
                *task = Some(cx.waker().clone());
            }
        }
        // At most one pass over what is ready now, so a future that wakes itself at every poll
        // cannot keep this task from yielding.
        let budget = lock(&self.ready.queue).len();
        for _ in 0..budget {
            let Some(slot) = lock(&self.ready.queue).pop_front() else {
                break;
            };
            let Some(Slot {
                entry,
                waker,
                wake,
                branch,
            }) = self.slots.get_mut(slot)
            else {
                continue;
            };
            wake.queued.store(false, Ordering::SeqCst);
            // A wake of a future that completed since (its slot empty or reused) only costs a
            // poll.
            let Some((_, future)) = entry.as_mut() else {
                continue;
            };
            let mut slot_cx = Context::from_waker(waker);
            if let Poll::Ready(output) = branch.poll(|| Pin::new(future).poll(&mut slot_cx)) {
                let Some((key, _)) = entry.take() else {
                    continue;
                };
                self.free.push(slot);
                self.len -= 1;
                return Poll::Ready(Some((key, output)));
            }
        }
        let more_ready = !lock(&self.ready.queue).is_empty();
        if more_ready {
            cx.waker().wake_by_ref();
        }
        // The branch awaiting the set is parked when every future in it is, and none is ready
        // to be polled.
        set_parked(
            !more_ready
                && self
                    .slots
                    .iter()
                    .filter(|s| s.entry.is_some())
                    .all(|s| s.branch.is_parked()),
        );
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn completes_in_completion_order_with_keys_and_polls_only_what_was_woken() {
        let polls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut set: JoinSet<'_, usize, &str> = JoinSet::new();
        for (key, ms, out) in [(0, 30, "slow"), (1, 1, "fast"), (2, 10, "middle")] {
            let polls = Arc::clone(&polls);
            set.push(
                key,
                Box::pin(async move {
                    polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    out
                }),
            );
        }
        assert_eq!(set.len(), 3);
        let mut got = Vec::new();
        while let Some(done) = set.next().await {
            got.push(done);
        }
        assert_eq!(got, [(1, "fast"), (2, "middle"), (0, "slow")]);
        assert_eq!(set.len(), 0);
        // Each future ran its body once (the counter sits before the only await).
        assert_eq!(polls.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_future_that_always_wakes_itself_does_not_starve_the_others() {
        let mut set: JoinSet<'_, u8, u8> = JoinSet::new();
        set.push(
            0,
            Box::pin(async {
                loop {
                    tokio::task::yield_now().await;
                }
            }),
        );
        set.push(1, Box::pin(async { 1 }));
        assert_eq!(set.next().await, Some((1, 1)));
        // Slots are reused after completion.
        set.push(2, Box::pin(async { 2 }));
        assert_eq!(set.next().await, Some((2, 2)));
        assert_eq!(set.len(), 1);
    }
}
