//! The Lambda Runtime API, as a function process sees it: `GET .../invocation/next` hands out
//! the next invocation (waiting for one), `POST .../invocation/{id}/response` and `.../error`
//! answer it, `POST .../init/error` reports a start-up failure.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::{Notify, oneshot};

use crate::lock;
use crate::server::{Received, Reply, respond};

/// How a function answered an invocation.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// The response document (`{"Status": ...}` for a durable function).
    Response(Value),
    /// An invocation error (the body the function posted), which makes Lambda invoke again.
    Error(String),
}

/// Invocations waiting for the function, and callers waiting for answers.
#[derive(Default)]
pub(crate) struct Queue {
    pending: Mutex<VecDeque<(String, String)>>,
    arrived: Notify,
    answers: Mutex<HashMap<String, oneshot::Sender<Answer>>>,
    failures: Mutex<Vec<String>>,
    next_id: AtomicU64,
}

impl Queue {
    /// Queues an invocation with `event` (JSON text) and waits for its answer.
    pub async fn invoke(&self, event: String, timeout: Duration) -> Result<Answer, String> {
        let id = format!(
            "00000000-0000-4000-8000-{:012x}",
            self.next_id.fetch_add(1, Ordering::Relaxed) + 1
        );
        let (tx, rx) = oneshot::channel();
        lock(&self.answers).insert(id.clone(), tx);
        lock(&self.pending).push_back((id.clone(), event));
        self.arrived.notify_one();
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(_)) => Err(format!("invocation {id}: the answer channel closed")),
            Err(_) => {
                lock(&self.answers).remove(&id);
                lock(&self.pending).retain(|(pending, _)| *pending != id);
                let failures = self.failures();
                Err(format!(
                    "invocation {id}: no answer within {timeout:?} (is a function process \
                     polling the Runtime API?){}",
                    if failures.is_empty() {
                        String::new()
                    } else {
                        format!("; failures: {failures:?}")
                    }
                ))
            }
        }
    }

    pub fn failure(&self, message: String) {
        lock(&self.failures).push(message);
    }

    pub fn failures(&self) -> Vec<String> {
        lock(&self.failures).clone()
    }

    async fn next(&self) -> (String, String) {
        loop {
            let arrived = self.arrived.notified();
            if let Some(next) = lock(&self.pending).pop_front() {
                return next;
            }
            arrived.await;
        }
    }

    fn answer(&self, id: &str, answer: Answer) -> bool {
        match lock(&self.answers).remove(id) {
            Some(tx) => tx.send(answer).is_ok(),
            None => false,
        }
    }
}

pub(crate) async fn route(shared: &crate::Shared, request: Received) -> Reply {
    let queue = &shared.runtime;
    let rest = &request.path["/2018-06-01/runtime/".len()..];
    match (&request.method, rest) {
        (&Method::GET, "invocation/next") => {
            let (id, event) = queue.next().await;
            let deadline = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64)
                + 300_000;
            let deadline = deadline.to_string();
            respond(
                StatusCode::OK,
                &[
                    ("content-type", "application/json"),
                    ("lambda-runtime-aws-request-id", &id),
                    ("lambda-runtime-deadline-ms", &deadline),
                    (
                        "lambda-runtime-invoked-function-arn",
                        "arn:aws:lambda:us-east-1:123456789012:function:durable-service",
                    ),
                    (
                        "lambda-runtime-trace-id",
                        "Root=1-00000000-000000000000000000000000;Sampled=0",
                    ),
                ],
                event.into_bytes(),
            )
        }
        (&Method::POST, "init/error") => {
            queue.failure(format!(
                "the function failed to start: {}",
                String::from_utf8_lossy(&request.body)
            ));
            respond(StatusCode::ACCEPTED, &[], b"{}".to_vec())
        }
        (&Method::POST, path) if path.starts_with("invocation/") => {
            let tail = &path["invocation/".len()..];
            let answer = match tail.rsplit_once('/') {
                Some((id, "response")) => Some((
                    id,
                    match serde_json::from_slice(&request.body) {
                        Ok(value) => Answer::Response(value),
                        Err(e) => Answer::Error(format!(
                            "the response is not JSON ({e}): {}",
                            String::from_utf8_lossy(&request.body)
                        )),
                    },
                )),
                Some((id, "error")) => Some((
                    id,
                    Answer::Error(String::from_utf8_lossy(&request.body).into_owned()),
                )),
                _ => None,
            };
            match answer {
                Some((id, answer)) => {
                    if !queue.answer(id, answer) {
                        queue.failure(format!("an answer for unknown invocation {id}"));
                    }
                    respond(StatusCode::ACCEPTED, &[], b"{}".to_vec())
                }
                None => {
                    queue.failure(format!("no route for POST {}", request.path));
                    respond(StatusCode::NOT_FOUND, &[], b"{}".to_vec())
                }
            }
        }
        _ => {
            queue.failure(format!("no route for {} {}", request.method, request.path));
            respond(StatusCode::NOT_FOUND, &[], b"{}".to_vec())
        }
    }
}
