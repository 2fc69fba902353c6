//! The `durable` target: one invocation of a durable handler (lambda-sdk-durable) on an
//! envelope, state pages and checkpoint answers that the input describes.
//!
//! The states start from real ones: for each handler, the operations a complete run recorded
//! against the in-memory service of lambda-sdk-durable's `testing` feature (computed once).
//! The input keeps a prefix of them (an execution part-way through), mutates them (statuses,
//! types, names, subtypes, payloads, attempts, errors; removes and duplicates), splits them
//! into the envelope's page and further state pages (with repeated and empty-page markers),
//! may corrupt the envelope, and scripts the answer to each checkpoint call (success, a stale
//! token, a failure worth retrying, a final failure, no token).
//!
//! The contract checked for every input, beyond "no panic, no hang": the invocation answers
//! with an output envelope whose `Status` is `SUCCEEDED`, `FAILED` or `PENDING` (`FAILED`
//! with an error, unless the error was recorded), or with an invocation error that says
//! something.
//!
//! Input layout (a byte past the end reads as 0):
//!
//! | bytes | field |
//! |---|---|
//! | 1 | handler: the byte modulo [`HANDLERS`] |
//! | 1 | envelope corruption: the byte modulo 9 (0 none; see [`corrupt`]) |
//! | 1 | operations dropped from the end of the recorded ones: the byte modulo their count + 1 |
//! | 1 | mutations: the byte modulo 16, then 3 bytes each (operation, field, value) |
//! | 1 | page sizes: bits 0–2 + 1 for state pages, bits 3–5 for the envelope's page |
//! | 1 per page | marker of the page after it: 0–5 the next page, 6 the same marker again, 7 an empty page first |
//! | 1 per call | checkpoint answer: 0–3 success, 4 stale token, 5 retryable failure, 6 final failure, 7 no token |

use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use lambda_sdk::types::{
    CheckpointDurableExecutionRequest, CheckpointDurableExecutionResponse,
    CheckpointUpdatedExecutionState, ErrorObject, GetDurableExecutionStateRequest,
    GetDurableExecutionStateResponse, Operation, OperationStatus, OperationType, StepDetails,
};
use lambda_sdk_durable::lambda_runtime::{Context, LambdaEvent};
use lambda_sdk_durable::testing::TestRunner;
use lambda_sdk_durable::{
    BackendError, BackendErrorKind, BoxError, BoxFuture, Branch, CompletionConfig, DurableBackend,
    DurableContext, DurableHandler, RetryStrategyConfig, RunOptions, WaitStrategy,
};
use serde_json::{Value, json};

/// How many handlers there are.
pub const HANDLERS: usize = 2;

const ARN: &str =
    "arn:aws:lambda:us-east-1:123456789012:function:fuzz:$LATEST/durable-execution/run/fuzz-run";

/// How an invocation ended.
#[derive(Debug)]
pub enum Outcome {
    /// The output envelope.
    Answer(Value),
    /// An invocation error (Lambda invokes again).
    InvocationError(String),
}

type HandlerFuture = BoxFuture<'static, Result<Value, BoxError>>;

/// The handlers: every primitive, sequential (0) and concurrent (1).
fn handler(n: usize) -> impl Fn(Value, DurableContext) -> HandlerFuture + Send + Sync + 'static {
    move |_: Value, ctx: DurableContext| -> HandlerFuture {
        Box::pin(async move {
            if n.is_multiple_of(HANDLERS) {
                let a: u32 = ctx.step(|_| async { Ok(1) }).name("a").await?;
                ctx.wait(Duration::from_secs(1)).await?;
                let b: u32 = ctx
                    .run_in_child_context(|child| async move {
                        let x: u32 = child.step(|_| async { Ok(2) }).await?;
                        let y: u32 = child.step(|_| async { Ok(3) }).await?;
                        Ok(x + y)
                    })
                    .name("child")
                    .await?;
                let c: u32 = ctx
                    .step(|cx| async move {
                        if cx.attempt() == 1 {
                            Err::<u32, BoxError>("first attempt".into())
                        } else {
                            Ok(4)
                        }
                    })
                    .retry_strategy_config(
                        RetryStrategyConfig::default()
                            .max_attempts(2)
                            .initial_delay(Duration::from_secs(1)),
                    )
                    .await?;
                let d: u32 = ctx
                    .wait_for_condition(|state: u32, _| async move { Ok(state + 1) }, 0u32)
                    .wait_strategy(WaitStrategy::until(|s: &u32| *s >= 2).max_attempts(3))
                    .await?;
                Ok(json!(a + b + c + d))
            } else {
                let mapped = ctx
                    .map(0..3u32, |child, i, _| async move {
                        Ok(child.step(move |_| async move { Ok(i) }).await?)
                    })
                    .max_concurrency(2)
                    .completion(CompletionConfig::all_completed())
                    .await?;
                let branches = ctx
                    .parallel([
                        Branch::new(|child| async move {
                            Ok(child.step(|_| async { Ok(10u32) }).await?)
                        }),
                        Branch::new(|child| async move {
                            child.wait(Duration::from_secs(1)).await?;
                            Ok(20u32)
                        }),
                    ])
                    .await?;
                let all: Vec<u32> = ctx
                    .all([
                        ctx.step(|_| async { Ok(5u32) }),
                        ctx.step(|_| async { Ok(6u32) }),
                    ])
                    .await?;
                let retried: u32 = ctx
                    .with_retry(|child, attempt| async move {
                        let v: u32 = child.step(move |_| async move { Ok(attempt) }).await?;
                        if v < 2 {
                            return Err::<u32, BoxError>("again".into());
                        }
                        Ok(v)
                    })
                    .retry_strategy_config(
                        RetryStrategyConfig::default()
                            .max_attempts(3)
                            .initial_delay(Duration::from_secs(1)),
                    )
                    .await?;
                Ok(json!([
                    mapped.success_count(),
                    branches.results(),
                    all,
                    retried
                ]))
            }
        })
    }
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    /// For each handler, the operations a complete run recorded.
    bases: Vec<Vec<Operation>>,
}

static HARNESS: OnceLock<Harness> = OnceLock::new();

impl Harness {
    fn new() -> Harness {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let bases = (0..HANDLERS)
            .map(|n| {
                let result = runtime.block_on(TestRunner::new(handler(n)).run());
                result.operations()
            })
            .collect();
        Harness { runtime, bases }
    }
}

/// Reads the input a byte at a time; past the end, zeros.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
}

/// The `n`th of the model's values, or past them a value no SDK knows yet.
fn wire_value(values: &[&'static str], unknown: &'static str, n: u8) -> &'static str {
    values
        .get(usize::from(n) % (values.len() + 1))
        .copied()
        .unwrap_or(unknown)
}
const PAYLOADS: [&str; 6] = ["1", "\"x\"", "{", "null", "", "[1,2]"];

/// Applies one mutation to the operations.
fn mutate(ops: &mut Vec<Operation>, index: u8, field: u8, value: u8) {
    if ops.is_empty() {
        return;
    }
    let i = usize::from(index) % ops.len();
    match field % 10 {
        0 => ops[i].status = wire_value(OperationStatus::VALUES, "WEIRD_NEW_STATUS", value).into(),
        1 => ops[i].r#type = wire_value(OperationType::VALUES, "NEW_TYPE", value).into(),
        2 => {
            ops[i].name = match value % 3 {
                0 => None,
                1 => Some("renamed".into()),
                _ => Some(String::new()),
            }
        }
        3 => {
            ops[i].sub_type = match value % 3 {
                0 => None,
                1 => Some("Map".into()),
                _ => Some("Step".into()),
            }
        }
        4 => {
            let payload = PAYLOADS[usize::from(value) % PAYLOADS.len()].to_string();
            let details = ops[i].step_details.get_or_insert_with(StepDetails::default);
            details.result = Some(payload.clone());
            if let Some(context) = ops[i].context_details.as_mut() {
                context.result = Some(payload);
            }
        }
        5 => {
            let details = ops[i].step_details.get_or_insert_with(StepDetails::default);
            details.attempt = Some(i32::from(value) - 8);
        }
        6 => {
            if let Some(context) = ops[i].context_details.as_mut() {
                context.replay_children = Some(value.is_multiple_of(2));
            }
        }
        7 => {
            ops.remove(i);
        }
        8 => {
            let copy = ops[i].clone();
            ops.insert(usize::from(value) % (ops.len() + 1), copy);
        }
        _ => {
            let error = value.is_multiple_of(2).then(|| ErrorObject {
                error_type: Some("Boom".into()),
                error_message: Some("\u{1F4A5} broke".into()),
                error_data: None,
                stack_trace: Some(vec![String::new()]),
            });
            let details = ops[i].step_details.get_or_insert_with(StepDetails::default);
            details.error = error;
        }
    }
}

/// Corrupts the envelope (`kind` 1–8; 0 leaves it alone).
fn corrupt(envelope: &mut Value, kind: u8) {
    match kind % 9 {
        1 => {
            if let Some(object) = envelope.as_object_mut() {
                object.remove("DurableExecutionArn");
            }
        }
        2 => envelope["CheckpointToken"] = json!(42),
        3 => envelope["InitialExecutionState"]["Operations"] = json!({"not": "a list"}),
        4 => envelope["InitialExecutionState"]["NextMarker"] = json!(7),
        5 => *envelope = json!(["not", "an", "object"]),
        6 => {
            if let Some(first) = envelope["InitialExecutionState"]["Operations"].get_mut(0) {
                first["Id"] = Value::Null;
            }
        }
        7 => {
            if let Some(first) = envelope["InitialExecutionState"]["Operations"].get_mut(0) {
                first["StartTimestamp"] = json!("yesterday");
            }
        }
        8 => envelope["UpdatedOperationIds"] = json!([1, null, "x"]),
        _ => {}
    }
}

/// A page of the state, as the backend answers it.
#[derive(Clone, Debug)]
struct Page {
    operations: Vec<Operation>,
    next_marker: Option<String>,
}

/// A backend answering from the input: state pages by marker, checkpoints by script.
struct Backend {
    pages: Vec<(String, Page)>,
    script: Mutex<Vec<u8>>,
    calls: Mutex<u32>,
}

impl DurableBackend for Backend {
    fn get_durable_execution_state(
        &self,
        request: GetDurableExecutionStateRequest,
    ) -> BoxFuture<'_, Result<GetDurableExecutionStateResponse, BackendError>> {
        let marker = request.marker.unwrap_or_default();
        let answer = match self.pages.iter().find(|(m, _)| *m == marker) {
            Some((_, page)) => Ok(GetDurableExecutionStateResponse {
                operations: page.operations.clone(),
                next_marker: page.next_marker.clone(),
                ..Default::default()
            }),
            None => Err(BackendError::terminal(format!(
                "InvalidParameterValueException: no page {marker:?}"
            ))),
        };
        Box::pin(std::future::ready(answer))
    }

    fn checkpoint_durable_execution(
        &self,
        request: CheckpointDurableExecutionRequest,
    ) -> BoxFuture<'_, Result<CheckpointDurableExecutionResponse, BackendError>> {
        let byte = {
            let mut script = self.script.lock().unwrap_or_else(PoisonError::into_inner);
            if script.is_empty() {
                0
            } else {
                script.remove(0)
            }
        };
        let n = {
            let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
            *calls += 1;
            *calls
        };
        let answer = match byte % 8 {
            4 => Err(BackendError::new(
                BackendErrorKind::StaleToken,
                "InvalidParameterValueException: Invalid checkpoint token",
            )),
            5 => Err(BackendError::retryable("ServiceException: try again")),
            6 => Err(BackendError::terminal("KMSAccessDeniedException: no key")),
            kind => Ok(CheckpointDurableExecutionResponse {
                checkpoint_token: (kind != 7).then(|| format!("token-{n}")),
                new_execution_state: CheckpointUpdatedExecutionState {
                    // Each update's operation as started, so the engine merges records too.
                    operations: Some(
                        request
                            .updates
                            .unwrap_or_default()
                            .into_iter()
                            .map(|u| Operation {
                                id: u.id,
                                parent_id: u.parent_id,
                                name: u.name,
                                r#type: u.r#type,
                                sub_type: u.sub_type,
                                status: OperationStatus::Started,
                                ..Default::default()
                            })
                            .collect(),
                    ),
                    next_marker: None,
                },
                ..Default::default()
            }),
        };
        Box::pin(std::future::ready(answer))
    }
}

/// Runs one input (see the module docs).
///
/// # Panics
/// When the runtime panics, hangs (ten seconds), or breaks the contract: that is a finding.
pub fn run(data: &[u8]) -> Outcome {
    let harness = HARNESS.get_or_init(Harness::new);
    let mut input = Reader(data);
    let n = usize::from(input.byte()) % HANDLERS;
    let corruption = input.byte();
    let base = &harness.bases[n];
    let dropped = usize::from(input.byte()) % (base.len() + 1);
    let kept = base.len() - dropped;
    // The EXECUTION operation comes first and stays (unless a mutation moves it).
    let mut ops: Vec<Operation> = base.iter().take(kept.max(1)).cloned().collect();
    for _ in 0..input.byte() % 16 {
        let (index, field, value) = (input.byte(), input.byte(), input.byte());
        mutate(&mut ops, index, field, value);
    }
    let sizes = input.byte();
    let page_size = usize::from(sizes & 0b111) + 1;
    let first_size = usize::from((sizes >> 3) & 0b111);
    let first: Vec<Operation> = ops.iter().take(first_size).cloned().collect();
    let rest: Vec<Operation> = ops.iter().skip(first_size).cloned().collect();
    let mut pages = Vec::new();
    let mut chunks: Vec<Vec<Operation>> = rest.chunks(page_size).map(<[_]>::to_vec).collect();
    let mut marker = if chunks.is_empty() {
        String::new()
    } else {
        "m0".to_string()
    };
    let envelope_marker = marker.clone();
    for i in 0..chunks.len() {
        let next = if i + 1 < chunks.len() {
            format!("m{}", i + 1)
        } else {
            String::new()
        };
        let operations = std::mem::take(&mut chunks[i]);
        match input.byte() % 8 {
            6 => pages.push((
                marker.clone(),
                Page {
                    operations: Vec::new(),
                    next_marker: Some(marker.clone()),
                },
            )),
            7 => {
                let detour = format!("{marker}-empty");
                pages.push((
                    marker.clone(),
                    Page {
                        operations: Vec::new(),
                        next_marker: Some(detour.clone()),
                    },
                ));
                marker = detour;
                pages.push((
                    marker.clone(),
                    Page {
                        operations,
                        next_marker: (!next.is_empty()).then(|| next.clone()),
                    },
                ));
            }
            _ => pages.push((
                marker.clone(),
                Page {
                    operations,
                    next_marker: (!next.is_empty()).then(|| next.clone()),
                },
            )),
        }
        marker = next;
    }
    let script: Vec<u8> = (0..64).map(|_| input.byte()).collect();
    let mut envelope = json!({
        "DurableExecutionArn": ARN,
        "CheckpointToken": "token-0",
        "InitialExecutionState": {
            "Operations": first.iter().map(|op| serde_json::to_value(op).unwrap_or(Value::Null)).collect::<Vec<_>>(),
            "NextMarker": envelope_marker,
        },
    });
    corrupt(&mut envelope, corruption);
    let backend = Backend {
        pages,
        script: Mutex::new(script),
        calls: Mutex::new(0),
    };
    let durable = DurableHandler::new(
        handler(n),
        RunOptions::new().backend(backend).max_state_pages(64),
    );
    let mut lambda = Context::default();
    lambda.request_id = "fuzz".into();
    let answer = harness.runtime.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(10),
            durable.invoke(LambdaEvent::new(envelope, lambda)),
        )
        .await
    });
    let outcome = match answer {
        Err(_) => panic!("the invocation did not end within ten seconds"),
        Ok(Ok(output)) => Outcome::Answer(output),
        Ok(Err(error)) => Outcome::InvocationError(error.to_string()),
    };
    match &outcome {
        Outcome::Answer(output) => match output.get("Status").and_then(Value::as_str) {
            Some("SUCCEEDED" | "PENDING") => {}
            Some("FAILED") => {
                if let Some(error) = output.get("Error") {
                    assert!(
                        error.get("ErrorType").and_then(Value::as_str).is_some(),
                        "a FAILED answer's error has no ErrorType: {output}"
                    );
                }
            }
            _ => panic!("an answer without a known Status: {output}"),
        },
        Outcome::InvocationError(message) => {
            assert!(!message.is_empty(), "an invocation error that says nothing");
        }
    }
    outcome
}
