//! An in-memory durable-execution service that follows the service's rules: one execution,
//! checkpoint tokens that each call consumes, state pages, and the record of every operation
//! type as the service keeps it. Faults can be injected per call.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use lambda_sdk::primitives::DateTime;
use lambda_sdk::types::{
    CallbackDetails, ChainedInvokeDetails, CheckpointDurableExecutionRequest,
    CheckpointDurableExecutionResponse, CheckpointUpdatedExecutionState, ContextDetails,
    ErrorObject as WireError, ExecutionDetails, GetDurableExecutionStateRequest,
    GetDurableExecutionStateResponse, Operation, OperationAction, OperationStatus, OperationType,
    OperationUpdate, StepDetails, WaitDetails,
};
use serde_json::{Value, json};

use crate::backend::{BackendError, BackendErrorKind, BoxFuture, DurableBackend};
use crate::execution::lock;

/// A fault injected into one call of the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The call fails with this kind of error and message (nothing is recorded).
    Error(BackendErrorKind, String),
    /// The checkpoint is recorded, but the response carries no token.
    NoToken,
}

/// A chained invoke the execution started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvokeRequest {
    /// The operation's id.
    pub operation_id: String,
    /// The function.
    pub function_name: String,
    /// The payload it is invoked with.
    pub payload: Option<String>,
    /// The tenant, if one was given.
    pub tenant_id: Option<String>,
}

/// The in-memory service (see the module docs).
#[derive(Debug)]
pub struct MemoryService {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    arn: String,
    token: String,
    tokens_issued: u64,
    operations: Vec<Operation>,
    index: HashMap<String, usize>,
    page_size: usize,
    checkpoints: Vec<Vec<OperationUpdate>>,
    state_calls: usize,
    checkpoint_faults: HashMap<usize, Fault>,
    state_faults: HashMap<usize, Fault>,
    callbacks_issued: u64,
    outcome: Option<(OperationAction, Option<String>, Option<WireError>)>,
    /// What changed since the last invocation (its `UpdatedOperationIds`).
    updated: Vec<String>,
    /// Each operation's JSON (envelope and API forms) as of the operation it was made from, by
    /// position: an operation that has not changed is not serialized again.
    json: Vec<Option<CachedJson>>,
}

#[derive(Debug)]
struct CachedJson {
    of: Operation,
    envelope: String,
    api: String,
}

impl MemoryService {
    /// A service holding one execution, started with `input` (a JSON document).
    pub fn new(arn: impl Into<String>, input: Option<String>, page_size: usize) -> MemoryService {
        let arn = arn.into();
        let id = arn.rsplit('/').next().unwrap_or("execution").to_string();
        let execution = Operation {
            id: id.clone(),
            name: Some("test-execution".into()),
            r#type: OperationType::Execution,
            status: OperationStatus::Started,
            start_timestamp: now(),
            execution_details: Some(ExecutionDetails {
                input_payload: input,
            }),
            ..Default::default()
        };
        MemoryService {
            state: Mutex::new(State {
                arn,
                token: "token-0".into(),
                tokens_issued: 0,
                operations: vec![execution],
                index: HashMap::from([(id, 0)]),
                page_size: page_size.max(1),
                checkpoints: Vec::new(),
                state_calls: 0,
                checkpoint_faults: HashMap::new(),
                state_faults: HashMap::new(),
                updated: Vec::new(),
                json: Vec::new(),
                callbacks_issued: 0,
                outcome: None,
            }),
        }
    }

    /// Makes checkpoint call `call` (from 1) fail or answer without a token.
    pub fn fault_checkpoint(&self, call: usize, fault: Fault) {
        lock(&self.state).checkpoint_faults.insert(call, fault);
    }

    /// Makes state-page call `call` (from 1) fail.
    pub fn fault_state_page(&self, call: usize, fault: Fault) {
        lock(&self.state).state_faults.insert(call, fault);
    }

    /// The invocation envelope Lambda would send now: the first page of operations, with
    /// timestamps in epoch milliseconds as the service's invocations carry them.
    pub fn envelope(&self) -> Value {
        serde_json::from_str(&self.envelope_json()).unwrap_or(Value::Null)
    }

    /// [`MemoryService::envelope`] as JSON text (without building a `Value`).
    pub fn envelope_json(&self) -> String {
        let mut s = lock(&self.state);
        // Each invocation gets a fresh token.
        s.issue_token();
        let count = s.operations.len().min(s.page_size);
        let mut page = String::from("[");
        for index in 0..count {
            if index > 0 {
                page.push(',');
            }
            page.push_str(&s.cached_json(index).envelope);
        }
        page.push(']');
        let next = if s.operations.len() > s.page_size {
            s.page_size.to_string()
        } else {
            String::new()
        };
        let updated = std::mem::take(&mut s.updated);
        format!(
            "{{\"DurableExecutionArn\":{},\"CheckpointToken\":{},\"InitialExecutionState\":{{\"Operations\":{page},\"NextMarker\":{}}},\"UpdatedOperationIds\":{}}}",
            json!(s.arn),
            json!(s.token),
            json!(next),
            json!(updated)
        )
    }

    /// A `GetDurableExecutionState` answer as JSON text (the operations as the API carries
    /// them), with the same rules and faults as the `DurableBackend` call.
    ///
    /// # Errors
    /// As the `DurableBackend` call.
    pub fn state_page_json(
        &self,
        request: GetDurableExecutionStateRequest,
    ) -> Result<String, BackendError> {
        let mut s = lock(&self.state);
        let (start, end) = s.page_bounds(&request)?;
        let mut body = String::from("{\"Operations\":[");
        for index in start..end {
            if index > start {
                body.push(',');
            }
            body.push_str(&s.cached_json(index).api);
        }
        body.push(']');
        if end < s.operations.len() {
            body.push_str(&format!(",\"NextMarker\":\"{end}\""));
        }
        body.push('}');
        Ok(body)
    }

    /// The operations, in the order they were created.
    pub fn operations(&self) -> Vec<Operation> {
        lock(&self.state).operations.clone()
    }

    /// The updates of each checkpoint call recorded so far.
    pub fn checkpoints(&self) -> Vec<Vec<OperationUpdate>> {
        lock(&self.state).checkpoints.clone()
    }

    /// GetDurableExecutionState calls so far.
    pub fn state_calls(&self) -> usize {
        lock(&self.state).state_calls
    }

    /// The result or error an EXECUTION update recorded (for outcomes too large to return).
    pub fn recorded_outcome(&self) -> Option<(OperationAction, Option<String>, Option<WireError>)> {
        lock(&self.state).outcome.clone()
    }

    /// Between invocations, time passes: waits end and retry delays are over (callbacks and
    /// chained invokes stay as they are). Returns whether anything changed.
    pub fn fire_timers(&self) -> bool {
        self.advance(&mut |_| None)
    }

    /// Between invocations, time passes: waits end and retry delays are over. Callbacks and
    /// chained invokes are answered by `resolve`. Returns whether anything changed.
    pub(crate) fn advance(
        &self,
        resolve: &mut dyn FnMut(&Operation) -> Option<Resolution>,
    ) -> bool {
        let mut changed = Vec::new();
        let mut asks = Vec::new();
        {
            let mut s = lock(&self.state);
            for (index, op) in s.operations.iter_mut().enumerate() {
                match (&op.r#type, &op.status) {
                    (OperationType::Wait, OperationStatus::Started) => {
                        Resolution::Succeeded(None).apply(op);
                        changed.push(op.id.clone());
                    }
                    (OperationType::Step, OperationStatus::Pending) => {
                        Resolution::Ready.apply(op);
                        changed.push(op.id.clone());
                    }
                    (
                        OperationType::Callback | OperationType::ChainedInvoke,
                        OperationStatus::Started,
                    ) => asks.push((index, op.clone())),
                    _ => {}
                }
            }
        }
        // The test's closures run without the lock: they may look at the service.
        let answers: Vec<(usize, Resolution)> = asks
            .into_iter()
            .filter_map(|(index, op)| resolve(&op).map(|r| (index, r)))
            .collect();
        let mut s = lock(&self.state);
        for (index, resolution) in answers {
            if let Some(op) = s.operations.get_mut(index) {
                resolution.apply(op);
                changed.push(op.id.clone());
            }
        }
        let any = !changed.is_empty();
        s.updated.extend(changed);
        any
    }

    /// The chained invokes started so far.
    pub fn invoke_requests(&self) -> Vec<InvokeRequest> {
        lock(&self.state)
            .checkpoints
            .iter()
            .flatten()
            .filter(|u| {
                u.r#type == OperationType::ChainedInvoke && u.action == OperationAction::Start
            })
            .map(|u| InvokeRequest {
                operation_id: u.id.clone(),
                function_name: u
                    .chained_invoke_options
                    .as_ref()
                    .map(|o| o.function_name.clone())
                    .unwrap_or_default(),
                payload: u.payload.clone(),
                tenant_id: u
                    .chained_invoke_options
                    .as_ref()
                    .and_then(|o| o.tenant_id.clone()),
            })
            .collect()
    }
}

/// How a callback or chained invoke ends, or a retry becomes due.
#[derive(Clone, Debug)]
pub(crate) enum Resolution {
    Succeeded(Option<String>),
    Failed(WireError),
    TimedOut(WireError),
    Ready,
}

impl Resolution {
    fn apply(self, op: &mut Operation) {
        let (status, result, error) = match self {
            Resolution::Ready => {
                op.status = OperationStatus::Ready;
                return;
            }
            Resolution::Succeeded(result) => (OperationStatus::Succeeded, result, None),
            Resolution::Failed(error) => (OperationStatus::Failed, None, Some(error)),
            Resolution::TimedOut(error) => (OperationStatus::TimedOut, None, Some(error)),
        };
        op.status = status;
        op.end_timestamp = Some(now());
        match op.r#type {
            OperationType::Callback => {
                let details = op.callback_details.get_or_insert_with(Default::default);
                details.result = result;
                details.error = error;
            }
            OperationType::ChainedInvoke => {
                op.chained_invoke_details = Some(ChainedInvokeDetails { result, error });
            }
            _ => {}
        }
    }
}

impl State {
    /// Counts a state-page call, applies its fault, checks it, and gives the positions of the
    /// operations on the page.
    fn page_bounds(
        &mut self,
        request: &GetDurableExecutionStateRequest,
    ) -> Result<(usize, usize), BackendError> {
        self.state_calls += 1;
        let call = self.state_calls;
        if let Some(fault) = self.state_faults.remove(&call) {
            return Err(match fault {
                Fault::Error(kind, message) => BackendError::new(kind, message),
                Fault::NoToken => BackendError::retryable("injected fault"),
            });
        }
        self.check_token(&request.checkpoint_token)?;
        if request.durable_execution_arn != self.arn {
            return Err(BackendError::terminal(
                "ResourceNotFoundException: no such execution",
            ));
        }
        let start: usize = match request.marker.as_deref() {
            None | Some("") => 0,
            Some(marker) => marker.parse().map_err(|_| {
                BackendError::terminal(format!(
                    "InvalidParameterValueException: bad marker {marker:?}"
                ))
            })?,
        };
        let size = request
            .max_items
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n > 0)
            .unwrap_or(1000)
            .min(self.page_size);
        let end = (start + size).min(self.operations.len());
        Ok((start.min(end), end))
    }

    /// The JSON of the operation at `index`, serialized again only if it changed.
    fn cached_json(&mut self, index: usize) -> &CachedJson {
        if self.json.len() < self.operations.len() {
            self.json.resize_with(self.operations.len(), || None);
        }
        let op = &self.operations[index];
        let fresh = self.json[index].as_ref().is_some_and(|c| c.of == *op);
        if !fresh {
            self.json[index] = Some(CachedJson {
                envelope: envelope_operation(op).to_string(),
                api: serde_json::to_string(op).unwrap_or_else(|_| "null".into()),
                of: op.clone(),
            });
        }
        self.json[index].get_or_insert_with(|| CachedJson {
            of: Operation::default(),
            envelope: "null".into(),
            api: "null".into(),
        })
    }

    fn issue_token(&mut self) {
        self.tokens_issued += 1;
        self.token = format!("token-{}", self.tokens_issued);
    }

    fn check_token(&self, token: &str) -> Result<(), BackendError> {
        if token == self.token {
            Ok(())
        } else {
            Err(BackendError::new(
                BackendErrorKind::StaleToken,
                "InvalidParameterValueException: Invalid checkpoint token",
            ))
        }
    }

    fn apply(&mut self, update: &OperationUpdate) -> Result<Operation, String> {
        if update.id.is_empty() {
            return Err("an update has no Id".into());
        }
        if update.r#type == OperationType::Execution {
            if !matches!(
                update.action,
                OperationAction::Succeed | OperationAction::Fail
            ) {
                return Err(format!(
                    "EXECUTION takes SUCCEED or FAIL, not {}",
                    update.action.as_str()
                ));
            }
            self.outcome = Some((
                update.action.clone(),
                update.payload.clone(),
                update.error.clone(),
            ));
            let index = *self
                .index
                .get(&update.id)
                .ok_or("the EXECUTION update names another execution")?;
            let op = &mut self.operations[index];
            op.status = if update.action == OperationAction::Succeed {
                OperationStatus::Succeeded
            } else {
                OperationStatus::Failed
            };
            return Ok(op.clone());
        }
        let existing = self.index.get(&update.id).copied();
        let Some(index) = existing else {
            if update.action != OperationAction::Start {
                return Err(format!(
                    "operation {} must start before {}",
                    update.id,
                    update.action.as_str()
                ));
            }
            if let Some(parent) = &update.parent_id
                && !self.index.contains_key(parent)
            {
                return Err(format!(
                    "operation {} names a parent {parent} that does not exist",
                    update.id
                ));
            }
            let mut op = Operation {
                id: update.id.clone(),
                parent_id: update.parent_id.clone(),
                name: update.name.clone(),
                r#type: update.r#type.clone(),
                sub_type: update.sub_type.clone(),
                status: OperationStatus::Started,
                start_timestamp: now(),
                ..Default::default()
            };
            match update.r#type {
                OperationType::Step => op.step_details = Some(StepDetails::default()),
                OperationType::Wait => {
                    op.wait_details = Some(WaitDetails::default());
                    if update
                        .wait_options
                        .as_ref()
                        .and_then(|w| w.wait_seconds)
                        .is_none_or(|s| s < 1)
                    {
                        return Err("a WAIT needs WaitOptions.WaitSeconds of at least 1".into());
                    }
                }
                OperationType::Callback => {
                    self.callbacks_issued += 1;
                    op.callback_details = Some(CallbackDetails {
                        callback_id: Some(format!("callback-{}", self.callbacks_issued)),
                        ..Default::default()
                    });
                }
                OperationType::ChainedInvoke => {
                    if update.chained_invoke_options.is_none() {
                        return Err("a CHAINED_INVOKE needs ChainedInvokeOptions".into());
                    }
                    op.chained_invoke_details = Some(ChainedInvokeDetails::default());
                }
                OperationType::Context => op.context_details = Some(ContextDetails::default()),
                ref other => {
                    return Err(format!(
                        "operations of type {} cannot start",
                        other.as_str()
                    ));
                }
            }
            self.index.insert(op.id.clone(), self.operations.len());
            self.operations.push(op.clone());
            return Ok(op);
        };
        let op = &mut self.operations[index];
        if op.r#type != update.r#type {
            return Err(format!(
                "operation {} is a {}, not a {}",
                update.id,
                op.r#type.as_str(),
                update.r#type.as_str()
            ));
        }
        let terminal = matches!(
            op.status,
            OperationStatus::Succeeded
                | OperationStatus::Failed
                | OperationStatus::Cancelled
                | OperationStatus::TimedOut
                | OperationStatus::Stopped
        );
        if terminal {
            return Err(format!(
                "operation {} has already ended ({})",
                update.id,
                op.status.as_str()
            ));
        }
        match (&op.r#type, &update.action) {
            (OperationType::Step, OperationAction::Start) => op.status = OperationStatus::Started,
            (OperationType::Step, OperationAction::Retry) => {
                let details = op.step_details.get_or_insert_with(Default::default);
                details.attempt = Some(details.attempt.unwrap_or(0) + 1);
                details.result = update.payload.clone();
                details.error = update.error.clone();
                if update
                    .step_options
                    .as_ref()
                    .and_then(|o| o.next_attempt_delay_seconds)
                    .is_none()
                {
                    return Err("a RETRY needs StepOptions.NextAttemptDelaySeconds".into());
                }
                op.status = OperationStatus::Pending;
            }
            (OperationType::Step, OperationAction::Succeed | OperationAction::Fail) => {
                let details = op.step_details.get_or_insert_with(Default::default);
                details.attempt = Some(details.attempt.unwrap_or(0) + 1);
                details.result = update.payload.clone();
                details.error = update.error.clone();
                op.status = ended(&update.action);
                op.end_timestamp = Some(now());
            }
            (OperationType::Context, OperationAction::Succeed | OperationAction::Fail) => {
                op.context_details = Some(ContextDetails {
                    replay_children: update
                        .context_options
                        .as_ref()
                        .and_then(|o| o.replay_children),
                    result: update.payload.clone(),
                    error: update.error.clone(),
                });
                op.status = ended(&update.action);
                op.end_timestamp = Some(now());
            }
            (OperationType::Wait, OperationAction::Cancel) => {
                op.status = OperationStatus::Cancelled;
                op.end_timestamp = Some(now());
            }
            (ty, action) => {
                return Err(format!(
                    "{} is not an action of a started {}",
                    action.as_str(),
                    ty.as_str()
                ));
            }
        }
        Ok(op.clone())
    }
}

/// The time now, to the millisecond, as the service records timestamps.
fn now() -> DateTime {
    DateTime::from_millis(DateTime::now().to_millis())
}

fn ended(action: &OperationAction) -> OperationStatus {
    if *action == OperationAction::Succeed {
        OperationStatus::Succeeded
    } else {
        OperationStatus::Failed
    }
}

/// An operation as the invocation envelope carries it: timestamps in epoch milliseconds.
fn envelope_operation(op: &Operation) -> Value {
    let mut value = serde_json::to_value(op).unwrap_or(Value::Null);
    if let Value::Object(object) = &mut value {
        object.insert(
            "StartTimestamp".into(),
            json!(op.start_timestamp.to_millis()),
        );
        match op.end_timestamp {
            Some(end) => object.insert("EndTimestamp".into(), json!(end.to_millis())),
            None => object.remove("EndTimestamp"),
        };
    }
    value
}

impl DurableBackend for MemoryService {
    fn get_durable_execution_state(
        &self,
        request: GetDurableExecutionStateRequest,
    ) -> BoxFuture<'_, Result<GetDurableExecutionStateResponse, BackendError>> {
        let result = (|| {
            let mut s = lock(&self.state);
            let (start, end) = s.page_bounds(&request)?;
            let operations = s
                .operations
                .get(start..end)
                .map(<[Operation]>::to_vec)
                .unwrap_or_default();
            Ok(GetDurableExecutionStateResponse {
                operations,
                next_marker: (end < s.operations.len()).then(|| end.to_string()),
                ..Default::default()
            })
        })();
        Box::pin(std::future::ready(result))
    }

    fn checkpoint_durable_execution(
        &self,
        request: CheckpointDurableExecutionRequest,
    ) -> BoxFuture<'_, Result<CheckpointDurableExecutionResponse, BackendError>> {
        let result = (|| {
            let mut s = lock(&self.state);
            let call = s.checkpoints.len() + 1;
            let fault = s.checkpoint_faults.remove(&call);
            if let Some(Fault::Error(kind, message)) = &fault {
                // The failed call still counts, so faults name calls in order.
                s.checkpoints.push(Vec::new());
                return Err(BackendError::new(*kind, message.clone()));
            }
            s.check_token(&request.checkpoint_token)?;
            let updates = request.updates.unwrap_or_default();
            let mut touched: VecDeque<Operation> = VecDeque::new();
            // A call is recorded whole or not at all: what it changes is kept (the operations
            // it adds are past `len`, the ones it changes saved before their first change) and
            // put back if an update is refused. Nothing is copied whole, so a checkpoint costs
            // the same in an execution of a thousand operations as in one of ten.
            let len = s.operations.len();
            let (callbacks_issued, outcome) = (s.callbacks_issued, s.outcome.clone());
            let mut saved: Vec<(usize, Operation)> = Vec::new();
            for update in &updates {
                if let Some(&index) = s.index.get(&update.id)
                    && index < len
                    && !saved.iter().any(|(i, _)| *i == index)
                {
                    saved.push((index, s.operations[index].clone()));
                }
                match s.apply(update) {
                    Ok(op) => {
                        touched.retain(|t| t.id != op.id);
                        touched.push_back(op);
                    }
                    Err(e) => {
                        let added: Vec<Operation> = s.operations.drain(len..).collect();
                        for op in added {
                            s.index.remove(&op.id);
                        }
                        for (index, op) in saved {
                            s.operations[index] = op;
                        }
                        (s.callbacks_issued, s.outcome) = (callbacks_issued, outcome);
                        return Err(BackendError::terminal(format!(
                            "InvalidParameterValueException: {e}"
                        )));
                    }
                }
            }
            s.checkpoints.push(updates);
            // Serialized now, as a service stores what it records: reads only copy.
            let changed: Vec<usize> = touched
                .iter()
                .filter_map(|op| s.index.get(&op.id).copied())
                .collect();
            for index in changed {
                s.cached_json(index);
            }
            let token = if fault == Some(Fault::NoToken) {
                None
            } else {
                s.issue_token();
                Some(s.token.clone())
            };
            Ok(CheckpointDurableExecutionResponse {
                checkpoint_token: token,
                new_execution_state: CheckpointUpdatedExecutionState {
                    operations: Some(touched.into_iter().collect()),
                    next_marker: None,
                },
                ..Default::default()
            })
        })();
        Box::pin(std::future::ready(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_sdk::types::{StepOptions, WaitOptions};

    fn update(id: &str, r#type: OperationType, action: OperationAction) -> OperationUpdate {
        OperationUpdate {
            id: id.into(),
            r#type,
            action,
            ..Default::default()
        }
    }

    fn call(service: &MemoryService, updates: Vec<OperationUpdate>) -> Result<(), BackendError> {
        let token = lock(&service.state).token.clone();
        let request = CheckpointDurableExecutionRequest {
            durable_execution_arn: "arn:test/exec".into(),
            checkpoint_token: token,
            updates: Some(updates),
            ..Default::default()
        };
        let mut future = service.checkpoint_durable_execution(request);
        // The service answers at once.
        let waker = std::task::Waker::noop();
        match future
            .as_mut()
            .poll(&mut std::task::Context::from_waker(waker))
        {
            std::task::Poll::Ready(result) => result.map(|_| ()),
            std::task::Poll::Pending => panic!("the in-memory service answered later"),
        }
    }

    #[test]
    fn a_refused_update_leaves_the_whole_call_unrecorded() {
        let service = MemoryService::new("arn:test/exec", Some("{}".into()), 100);
        let mut wait = update("w", OperationType::Wait, OperationAction::Start);
        wait.wait_options = Some(WaitOptions {
            wait_seconds: Some(5),
        });
        call(
            &service,
            vec![
                update("a", OperationType::Step, OperationAction::Start),
                wait,
                update("cb", OperationType::Callback, OperationAction::Start),
            ],
        )
        .unwrap();
        let before = service.operations();
        let outcome = service.recorded_outcome();
        // Changes an existing step, adds a step and a callback, then is refused (a wait
        // without a duration): none of it may stay.
        let mut bad_wait = update("w2", OperationType::Wait, OperationAction::Start);
        bad_wait.wait_options = Some(WaitOptions { wait_seconds: None });
        let err = call(
            &service,
            vec![
                update("a", OperationType::Step, OperationAction::Succeed),
                update("b", OperationType::Step, OperationAction::Start),
                update("cb2", OperationType::Callback, OperationAction::Start),
                update("exec", OperationType::Execution, OperationAction::Succeed),
                bad_wait,
            ],
        )
        .unwrap_err();
        assert!(err.to_string().contains("WaitSeconds"), "{err}");
        assert_eq!(service.operations(), before);
        assert_eq!(service.recorded_outcome(), outcome);
        // An existing step changed twice in the call (its first state is the one put back), and
        // a refused update that had already changed its step's details.
        let mut retry = update("a", OperationType::Step, OperationAction::Retry);
        retry.step_options = Some(StepOptions {
            next_attempt_delay_seconds: Some(1),
        });
        let err = call(
            &service,
            vec![
                retry,
                update("a", OperationType::Step, OperationAction::Start),
                update("a", OperationType::Step, OperationAction::Retry),
            ],
        )
        .unwrap_err();
        assert!(err.to_string().contains("NextAttemptDelaySeconds"), "{err}");
        assert_eq!(service.operations(), before);
        // The ids it added are free again, and callback ids go on from where they were.
        call(
            &service,
            vec![
                update("b", OperationType::Step, OperationAction::Start),
                update("cb2", OperationType::Callback, OperationAction::Start),
            ],
        )
        .unwrap();
        let ops = service.operations();
        assert_eq!(ops.len(), before.len() + 2);
        let callback = ops.iter().find(|op| op.id == "cb2").unwrap();
        assert_eq!(
            callback
                .callback_details
                .as_ref()
                .unwrap()
                .callback_id
                .as_deref(),
            Some("callback-2")
        );
        assert_eq!(
            ops.iter().find(|op| op.id == "a").unwrap().status,
            OperationStatus::Started
        );
    }
}
