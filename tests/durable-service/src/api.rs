//! The durable-execution API's two routes, over the execution's in-memory service:
//! `GET /2025-12-01/durable-executions/{arn}/state` and
//! `POST /2025-12-01/durable-executions/{arn}/checkpoint`. Errors are restJson1 errors
//! (`x-amzn-ErrorType` and a JSON body with `message`).

use http::{Method, StatusCode};
use lambda_sdk::types::{CheckpointDurableExecutionRequest, GetDurableExecutionStateRequest};
use lambda_sdk_durable::{BackendError, BackendErrorKind, DurableBackend};

use crate::server::{Received, Reply, percent_decode, query_param, respond, respond_cut};
use crate::{Execution, HttpFault, Shared, lock};

pub(crate) async fn route(shared: &Shared, request: Received) -> Reply {
    let rest = &request.path["/2025-12-01/durable-executions/".len()..];
    let (label, action) = match rest.rsplit_once('/') {
        Some((label, action)) => (label, action),
        None => (rest, ""),
    };
    let arn = percent_decode(label);
    let Some(execution) = shared.execution(&arn) else {
        shared.runtime.failure(format!(
            "{} {}: no execution {arn:?}",
            request.method, request.path
        ));
        return error(
            404,
            "ResourceNotFoundException",
            "no such durable execution",
            None,
        );
    };
    match (&request.method, action) {
        (&Method::GET, "state") => state(&execution, &request).await,
        (&Method::POST, "checkpoint") => checkpoint(&execution, &request).await,
        _ => {
            shared
                .runtime
                .failure(format!("no route for {} {}", request.method, request.path));
            error(404, "UnknownOperationException", "no such operation", None)
        }
    }
}

async fn state(execution: &Execution, request: &Received) -> Reply {
    let fault = {
        let mut inner = lock(&execution.inner);
        inner.stats.state_calls += 1;
        inner.state_faults.pop_front()
    };
    if let Some(reply) = fault_before(fault.as_ref()).await {
        return reply;
    }
    let page = GetDurableExecutionStateRequest {
        durable_execution_arn: execution.arn.clone(),
        checkpoint_token: query_param(&request.query, "CheckpointToken").unwrap_or_default(),
        marker: query_param(&request.query, "Marker"),
        max_items: query_param(&request.query, "MaxItems").and_then(|n| n.parse().ok()),
    };
    match execution.memory.state_page_json(page) {
        Ok(body) if fault == Some(HttpFault::CutMidBody) => {
            respond_cut(StatusCode::OK, body.into_bytes())
        }
        Ok(body) => respond(
            StatusCode::OK,
            &[("content-type", "application/json")],
            body.into_bytes(),
        ),
        Err(e) => backend_error(&e),
    }
}

async fn checkpoint(execution: &Execution, request: &Received) -> Reply {
    let fault = {
        let mut inner = lock(&execution.inner);
        inner.stats.checkpoint_calls += 1;
        inner.stats.checkpoint_bytes += request.head_bytes + request.body.len() as u64;
        inner.checkpoint_faults.pop_front()
    };
    if let Some(reply) = fault_before(fault.as_ref()).await {
        return reply;
    }
    let mut call: CheckpointDurableExecutionRequest = match serde_json::from_slice(&request.body) {
        Ok(call) => call,
        Err(e) => {
            return error(
                400,
                "InvalidParameterValueException",
                &format!("the body is not a CheckpointDurableExecution request: {e}"),
                None,
            );
        }
    };
    call.durable_execution_arn = execution.arn.clone();
    // A retry of the call just recorded (same ClientToken, same token) gets the same answer.
    let client_token = call.client_token.clone().unwrap_or_default();
    if !client_token.is_empty() {
        let inner = lock(&execution.inner);
        if let Some((last_client, last_token, body)) = &inner.last_checkpoint
            && *last_client == client_token
            && *last_token == call.checkpoint_token
        {
            return respond(
                StatusCode::OK,
                &[("content-type", "application/json")],
                body.clone(),
            );
        }
    }
    let sent_with = call.checkpoint_token.clone();
    match execution.memory.checkpoint_durable_execution(call).await {
        Ok(response) => {
            let body = serde_json::to_vec(&response).unwrap_or_default();
            lock(&execution.inner).last_checkpoint = Some((client_token, sent_with, body.clone()));
            if fault == Some(HttpFault::CutMidBody) {
                respond_cut(StatusCode::OK, body)
            } else {
                respond(
                    StatusCode::OK,
                    &[("content-type", "application/json")],
                    body,
                )
            }
        }
        Err(e) => backend_error(&e),
    }
}

/// A fault that answers before the request is served; `None` to serve it.
async fn fault_before(fault: Option<&HttpFault>) -> Option<Reply> {
    match fault? {
        HttpFault::Status {
            status,
            code,
            message,
            retry_after,
        } => Some(error(*status, code, message, retry_after.as_deref())),
        HttpFault::Stall(duration) => {
            tokio::time::sleep(*duration).await;
            Some(Reply::Drop)
        }
        HttpFault::Body(body) => Some(respond(
            StatusCode::OK,
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )),
        HttpFault::Delay(duration) => {
            tokio::time::sleep(*duration).await;
            None
        }
        HttpFault::CutMidBody | HttpFault::Pass => None,
    }
}

/// The restJson1 error of an in-memory service error: a stale token is the service's
/// `InvalidParameterValueException: Invalid checkpoint token`, a failure worth retrying a 500,
/// and anything else a 400 with the code the message starts with.
fn backend_error(e: &BackendError) -> Reply {
    let message = e.message();
    match e.kind() {
        BackendErrorKind::StaleToken => error(
            400,
            "InvalidParameterValueException",
            "Invalid checkpoint token",
            None,
        ),
        BackendErrorKind::Retryable => error(500, "ServiceException", message, None),
        _ => {
            let (code, text) = match message.split_once(": ") {
                Some((code, text)) if code.ends_with("Exception") => (code, text),
                _ => ("InvalidParameterValueException", message),
            };
            let status = if code == "ResourceNotFoundException" {
                404
            } else {
                400
            };
            error(status, code, text, None)
        }
    }
}

pub(crate) fn error(status: u16, code: &str, message: &str, retry_after: Option<&str>) -> Reply {
    let body = serde_json::json!({ "Type": "User", "message": message }).to_string();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = vec![
        ("content-type", "application/json"),
        ("x-amzn-errortype", code),
    ];
    if let Some(retry_after) = retry_after {
        headers.push(("retry-after", retry_after));
    }
    respond(status, &headers, body.into_bytes())
}
