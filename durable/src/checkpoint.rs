//! The one ordered writer of checkpoints.
//!
//! Operations queue updates in the order they happen. An update that someone waits for (an
//! outcome, an at-most-once start, a callback's creation) asks for a flush; one that nobody waits
//! for (an at-least-once step's start) rides along with the next flush, so a successful step
//! costs one `CheckpointDurableExecution` call. A flush runs on a task of its own, so that
//! dropping the handler (suspension) never cuts a call in half; it sends batches of at most 250
//! updates and 750 KiB, each with the token the previous response returned, until the queue is
//! empty. After a failure nothing else is written.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use lambda_sdk::types::{
    CheckpointDurableExecutionRequest, GetDurableExecutionStateRequest, OperationAction,
    OperationType, OperationUpdate,
};
use tokio::sync::{Notify, oneshot};

use crate::execution::{Execution, Fatal, PAGE_SIZE, lock};
use crate::record::Record;

/// The most updates in one call.
pub(crate) const MAX_BATCH_UPDATES: usize = 250;
/// The most bytes of updates (as JSON) in one call.
pub(crate) const MAX_BATCH_BYTES: usize = 750 * 1024;

/// The writer's state, inside [`Execution`].
pub(crate) struct Writer {
    state: std::sync::Mutex<WriterState>,
    idle: Notify,
    window: Duration,
}

struct WriterState {
    token: String,
    queue: VecDeque<Queued>,
    /// An update in the queue is waited for: send everything.
    flush_wanted: bool,
    /// A flush task is running.
    in_flight: bool,
    /// Nothing more will be written (a failure, or a response without a token).
    stopped: bool,
}

struct Queued {
    update: OperationUpdate,
    size: usize,
    ack: Option<oneshot::Sender<bool>>,
}

impl Writer {
    pub fn new(token: String, window: Duration) -> Writer {
        Writer {
            state: std::sync::Mutex::new(WriterState {
                token,
                queue: VecDeque::new(),
                flush_wanted: false,
                in_flight: false,
                stopped: false,
            }),
            idle: Notify::new(),
            window,
        }
    }
}

/// The writer stopped before the update was recorded; the reason is in the fatal slot.
#[derive(Debug)]
pub(crate) struct NotRecorded;

impl Execution {
    /// Queues an update nobody waits for: it travels with the next flush. `Err` when the
    /// writer has stopped (nothing more can be written in this invocation).
    pub fn queue(self: &Arc<Self>, update: OperationUpdate) -> Result<(), NotRecorded> {
        if lock(&self.writer.state).stopped {
            return Err(NotRecorded);
        }
        let _ = self.enqueue(update, false);
        Ok(())
    }

    /// Queues an update and waits until the service has recorded it.
    pub async fn checkpoint(self: &Arc<Self>, update: OperationUpdate) -> Result<(), NotRecorded> {
        match self.enqueue(update, true) {
            Some(ack) => match ack.await {
                Ok(true) => Ok(()),
                _ => Err(NotRecorded),
            },
            None => Err(NotRecorded),
        }
    }

    /// Sends everything queued and waits until the writer is idle.
    pub async fn flush_all(self: &Arc<Self>) {
        loop {
            let notified = self.writer.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut w = lock(&self.writer.state);
                if !w.in_flight && (w.queue.is_empty() || w.stopped) {
                    return;
                }
                if !w.queue.is_empty() && !w.stopped {
                    w.flush_wanted = true;
                }
                self.start_flush(&mut w);
            }
            notified.await;
        }
    }

    /// `None` when the writer has stopped.
    fn enqueue(
        self: &Arc<Self>,
        update: OperationUpdate,
        wait: bool,
    ) -> Option<oneshot::Receiver<bool>> {
        let size = serde_json::to_vec(&update).map_or(0, |b| b.len());
        // Writing something means doing what no earlier invocation did.
        self.go_live();
        let mut w = lock(&self.writer.state);
        if w.stopped {
            return None;
        }
        let (ack, receiver) = if wait {
            let (tx, rx) = oneshot::channel();
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
        w.queue.push_back(Queued { update, size, ack });
        if wait {
            w.flush_wanted = true;
            self.start_flush(&mut w);
        }
        receiver
    }

    fn start_flush(self: &Arc<Self>, w: &mut WriterState) {
        if w.in_flight || !w.flush_wanted || w.stopped {
            return;
        }
        w.in_flight = true;
        let exec = Arc::clone(self);
        tokio::spawn(async move { exec.flush_loop().await });
    }

    async fn flush_loop(self: Arc<Self>) {
        if !self.writer.window.is_zero() {
            tokio::time::sleep(self.writer.window).await;
        }
        loop {
            let (updates, acks, token) = {
                let mut w = lock(&self.writer.state);
                if w.stopped || w.queue.is_empty() {
                    w.flush_wanted = false;
                    w.in_flight = false;
                    drop(w);
                    self.writer.idle.notify_waiters();
                    return;
                }
                let (updates, acks) = take_batch(&mut w.queue);
                (updates, acks, w.token.clone())
            };
            let ends_execution = updates.iter().any(|u| u.r#type == OperationType::Execution);
            let response = self
                .backend
                .checkpoint_durable_execution(CheckpointDurableExecutionRequest {
                    durable_execution_arn: self.arn.clone(),
                    checkpoint_token: token,
                    updates: Some(updates),
                    ..Default::default()
                })
                .await;
            let response = match response {
                Ok(response) => response,
                Err(error) => {
                    self.set_fatal(Fatal::from_backend(&error));
                    self.stop_writing(acks);
                    return;
                }
            };
            let next_token = response.checkpoint_token.filter(|t| !t.is_empty());
            let state = response.new_execution_state;
            self.merge(
                state
                    .operations
                    .unwrap_or_default()
                    .into_iter()
                    .map(Record::from_operation),
            );
            let marker = state.next_marker.filter(|m| !m.is_empty());
            {
                let mut w = lock(&self.writer.state);
                if let Some(token) = &next_token {
                    w.token = token.clone();
                }
            }
            // The updates were recorded, whatever comes next.
            for ack in acks {
                let _ = ack.send(true);
            }
            let Some(token) = next_token else {
                // The service ended the execution: nothing more can be written.
                if !ends_execution {
                    self.set_fatal(Fatal::Stopped);
                }
                self.stop_writing(Vec::new());
                return;
            };
            if let Some(marker) = marker
                && let Err(fatal) = self.read_pages(&token, marker).await
            {
                self.set_fatal(fatal);
                self.stop_writing(Vec::new());
                return;
            }
        }
    }

    /// The rest of the state a checkpoint response pages to.
    async fn read_pages(&self, token: &str, marker: String) -> Result<(), Fatal> {
        let mut marker = Some(marker);
        let mut pages = 0;
        while let Some(current) = marker.take() {
            pages += 1;
            if pages > self.settings.max_state_pages {
                return Err(Fatal::Retry(format!(
                    "a checkpoint's new state has more than {} pages",
                    self.settings.max_state_pages
                )));
            }
            let page = self
                .backend
                .get_durable_execution_state(GetDurableExecutionStateRequest {
                    durable_execution_arn: self.arn.clone(),
                    checkpoint_token: token.to_string(),
                    marker: Some(current.clone()),
                    max_items: Some(PAGE_SIZE),
                })
                .await
                .map_err(|e| Fatal::from_backend(&e))?;
            self.merge(page.operations.into_iter().map(Record::from_operation));
            marker = page.next_marker.filter(|m| !m.is_empty() && *m != current);
        }
        Ok(())
    }

    /// After a failure or a response without a token: nothing more is written, and whoever
    /// waits for an update learns it was not recorded.
    fn stop_writing(&self, batch: Vec<oneshot::Sender<bool>>) {
        let queued: Vec<Queued> = {
            let mut w = lock(&self.writer.state);
            w.stopped = true;
            w.in_flight = false;
            w.flush_wanted = false;
            w.queue.drain(..).collect()
        };
        for ack in batch
            .into_iter()
            .chain(queued.into_iter().filter_map(|q| q.ack))
        {
            let _ = ack.send(false);
        }
        self.writer.idle.notify_waiters();
    }
}

/// The next batch from the front of the queue: at most [`MAX_BATCH_UPDATES`] updates and
/// [`MAX_BATCH_BYTES`] (one update alone may exceed it), and one update per operation, except
/// that a step's or context's START may travel with its outcome.
fn take_batch(queue: &mut VecDeque<Queued>) -> (Vec<OperationUpdate>, Vec<oneshot::Sender<bool>>) {
    let mut updates = Vec::new();
    let mut acks = Vec::new();
    let mut bytes = 0;
    let mut seen: HashMap<String, OperationAction> = HashMap::new();
    while let Some(next) = queue.front() {
        if updates.len() == MAX_BATCH_UPDATES
            || (!updates.is_empty() && bytes + next.size > MAX_BATCH_BYTES)
        {
            break;
        }
        if let Some(previous) = seen.get(&next.update.id) {
            let start_then_outcome = *previous == OperationAction::Start
                && next.update.action != OperationAction::Start
                && matches!(
                    next.update.r#type,
                    OperationType::Step | OperationType::Context
                );
            if !start_then_outcome {
                break;
            }
        }
        let Some(next) = queue.pop_front() else { break };
        bytes += next.size;
        seen.insert(next.update.id.clone(), next.update.action.clone());
        updates.push(next.update);
        acks.extend(next.ack);
    }
    (updates, acks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued(id: &str, action: OperationAction, ty: OperationType, size: usize) -> Queued {
        Queued {
            update: OperationUpdate {
                id: id.into(),
                action,
                r#type: ty,
                ..Default::default()
            },
            size,
            ack: None,
        }
    }

    fn ids(updates: &[OperationUpdate]) -> Vec<(String, OperationAction)> {
        updates
            .iter()
            .map(|u| (u.id.clone(), u.action.clone()))
            .collect()
    }

    #[test]
    fn a_start_travels_with_its_outcome_but_not_two_outcomes() {
        use OperationAction::*;
        let mut queue: VecDeque<Queued> = [
            queued("a", Start, OperationType::Step, 10),
            queued("a", Succeed, OperationType::Step, 10),
            queued("b", Start, OperationType::Step, 10),
            queued("b", Retry, OperationType::Step, 10),
            queued("b", Start, OperationType::Step, 10),
        ]
        .into_iter()
        .collect();
        let (first, _) = take_batch(&mut queue);
        assert_eq!(
            ids(&first),
            [
                ("a".to_string(), Start),
                ("a".to_string(), Succeed),
                ("b".to_string(), Start),
                ("b".to_string(), Retry)
            ]
        );
        let (second, _) = take_batch(&mut queue);
        assert_eq!(ids(&second), [("b".to_string(), Start)]);
        assert!(queue.is_empty());
    }

    #[test]
    fn batches_split_at_250_updates_and_750_kib() {
        let mut queue: VecDeque<Queued> = (0..600)
            .map(|i| {
                queued(
                    &i.to_string(),
                    OperationAction::Start,
                    OperationType::Wait,
                    100,
                )
            })
            .collect();
        let sizes: Vec<usize> = std::iter::from_fn(|| {
            let (batch, _) = take_batch(&mut queue);
            (!batch.is_empty()).then_some(batch.len())
        })
        .collect();
        assert_eq!(sizes, [250, 250, 100]);

        let mut queue: VecDeque<Queued> = (0..5)
            .map(|i| {
                queued(
                    &i.to_string(),
                    OperationAction::Start,
                    OperationType::Wait,
                    300 * 1024,
                )
            })
            .collect();
        let (batch, _) = take_batch(&mut queue);
        assert_eq!(batch.len(), 2);
        // One oversized update still goes, alone.
        let mut queue: VecDeque<Queued> = [queued(
            "big",
            OperationAction::Start,
            OperationType::Wait,
            2 << 20,
        )]
        .into_iter()
        .collect();
        assert_eq!(take_batch(&mut queue).0.len(), 1);
    }
}
