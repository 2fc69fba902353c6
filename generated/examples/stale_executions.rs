//! A Lambda function, run on a schedule, that finds the durable executions of another function
//! still RUNNING after a deadline, and stops them when asked to.
//!
//! Event: `{"function_name": "orders", "older_than_minutes": 60, "stop": true}`; it answers with
//! a report: `{"function_found": true, "stale": ["arn…"], "stopped": 1, "already_finished": 0}`.
//!
//! What it shows:
//! - `Client::from_env()`, made once, outside the handler: region and credentials come from the
//!   environment Lambda gives the function;
//! - pagination one item at a time (`…_pages(request).items()`), however many pages there are;
//! - errors handled by kind: a missing function is an answer, not a failure; an execution that
//!   finished meanwhile is counted, not an error; throttling and other transient failures end the
//!   invocation with an error, so that the next scheduled run (or Lambda's retry) tries again;
//! - tests of the handler on the crate's mock (`cargo test --example stale_executions`).
//!
//! Build it for Lambda as a `bootstrap` binary (`cargo build --release --example
//! stale_executions`, renamed to `bootstrap`, runtime `provided.al2023`); its role needs
//! `lambda:ListDurableExecutionsByFunction` and `lambda:StopDurableExecution`.

use std::time::{Duration, SystemTime};

use lambda_runtime::{LambdaEvent, service_fn};
use lambda_sdk::types::{
    ErrorObject, ExecutionStatus, ListDurableExecutionsByFunctionError,
    ListDurableExecutionsByFunctionRequest, StopDurableExecutionError, StopDurableExecutionRequest,
};
use lambda_sdk::{Client, Error};
use serde::{Deserialize, Serialize};

/// What the schedule sends.
#[derive(Debug, Deserialize)]
struct Sweep {
    /// The durable function whose executions to look at (name or ARN).
    function_name: String,
    /// Executions started longer ago than this, and still running, are stale.
    older_than_minutes: u64,
    /// Stop the stale executions (otherwise only report them).
    #[serde(default)]
    stop: bool,
}

/// What the function answers.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
struct Report {
    /// `false` when the function does not exist (a configuration problem, not worth retrying).
    function_found: bool,
    /// The stale executions' ARNs.
    stale: Vec<String>,
    /// How many of them this run stopped.
    stopped: usize,
    /// How many finished by themselves before they could be stopped.
    already_finished: usize,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let client = Client::from_env()?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Sweep>| {
        let client = client.clone();
        async move { sweep(&client, event.payload, SystemTime::now()).await }
    }))
    .await
}

/// Finds (and stops) the stale executions.
///
/// # Errors
/// A failure worth retrying later: throttling, a service or network failure, a timeout, or a
/// request the service refused (the message says which parameter).
async fn sweep(
    client: &Client,
    sweep: Sweep,
    now: SystemTime,
) -> Result<Report, lambda_runtime::Error> {
    let deadline = now - Duration::from_secs(sweep.older_than_minutes.saturating_mul(60));
    let mut report = Report {
        function_found: true,
        ..Report::default()
    };
    let mut executions = client
        .list_durable_executions_by_function_pages(ListDurableExecutionsByFunctionRequest {
            function_name: sweep.function_name.clone(),
            statuses: Some(vec![ExecutionStatus::Running]),
            started_before: Some(deadline.into()),
            max_items: Some(100),
            ..Default::default()
        })
        .items();
    while let Some(execution) = executions.next().await {
        match execution {
            Ok(execution) => report.stale.push(execution.durable_execution_arn),
            Err(err) => match err.as_service_error() {
                Some(ListDurableExecutionsByFunctionError::ResourceNotFoundException(_)) => {
                    return Ok(Report::default());
                }
                Some(ListDurableExecutionsByFunctionError::TooManyRequestsException(e)) => {
                    return Err(
                        format!("throttled while listing ({e}); the next run tries again").into(),
                    );
                }
                _ => return Err(describe(&err).into()),
            },
        }
    }
    if !sweep.stop {
        return Ok(report);
    }
    for arn in &report.stale {
        let stopped = client
            .stop_durable_execution(StopDurableExecutionRequest {
                durable_execution_arn: arn.clone(),
                error: Some(ErrorObject {
                    error_type: Some("StaleExecution".into()),
                    error_message: Some(format!(
                        "still running {} minutes after it started",
                        sweep.older_than_minutes
                    )),
                    ..Default::default()
                }),
            })
            .await;
        match stopped {
            Ok(_) => report.stopped += 1,
            Err(err) => match err.as_service_error() {
                // It finished (or was stopped) since it was listed.
                Some(
                    StopDurableExecutionError::ResourceNotFoundException(_)
                    | StopDurableExecutionError::InvalidParameterValueException(_),
                ) => report.already_finished += 1,
                _ => return Err(describe(&err).into()),
            },
        }
    }
    Ok(report)
}

/// One line for the function's log and error: what failed, and whether waiting helps.
fn describe<E: lambda_sdk::error::OperationError>(err: &Error<E>) -> String {
    let when = if err.is_retryable() {
        "transient; the next run tries again"
    } else {
        "needs a fix"
    };
    match err.request_id() {
        Some(id) => format!("{err} ({when}; request id {id})"),
        None => format!("{err} ({when})"),
    }
}

// The mock needs the `testing` feature: this crate's dev-dependency on itself turns it on.
#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use lambda_sdk::testing::{ListDurableExecutionsByFunction, Mock, StopDurableExecution};
    use lambda_sdk::types::{
        Execution, ListDurableExecutionsByFunctionResponse, ResourceNotFoundException,
        StopDurableExecutionResponse, TooManyRequestsException,
    };

    fn execution(arn: &str) -> Execution {
        Execution {
            durable_execution_arn: arn.into(),
            status: ExecutionStatus::Running,
            ..Default::default()
        }
    }

    fn page(arns: &[&str], next: Option<&str>) -> ListDurableExecutionsByFunctionResponse {
        ListDurableExecutionsByFunctionResponse {
            durable_executions: Some(arns.iter().map(|arn| execution(arn)).collect()),
            next_marker: next.map(String::from),
            ..Default::default()
        }
    }

    fn event(stop: bool) -> Sweep {
        Sweep {
            function_name: "orders".into(),
            older_than_minutes: 60,
            stop,
        }
    }

    const NOW: u64 = 1_800_000_000;

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(NOW)
    }

    #[tokio::test]
    async fn stops_the_stale_executions_of_every_page() {
        let mock = Mock::new();
        mock.on::<ListDurableExecutionsByFunction>()
            .then_output(|_| page(&["arn:1", "arn:2"], Some("page-2")))
            .then_output(|_| page(&["arn:3"], None));
        mock.on::<StopDurableExecution>()
            .match_requests(|r| r.durable_execution_arn == "arn:2")
            .then_error(|_| {
                StopDurableExecutionError::ResourceNotFoundException(
                    ResourceNotFoundException::default(),
                )
            });
        mock.on::<StopDurableExecution>()
            .then_output(|_| StopDurableExecutionResponse::default())
            .repeatedly();

        let report = sweep(&Client::from_mock(&mock), event(true), now())
            .await
            .unwrap();

        assert_eq!(
            report,
            Report {
                function_found: true,
                stale: vec!["arn:1".into(), "arn:2".into(), "arn:3".into()],
                stopped: 2,
                already_finished: 1,
            }
        );
        // Two list requests: the second carries the first page's marker; both ask for running
        // executions started before the deadline.
        let lists = mock.requests::<ListDurableExecutionsByFunction>();
        assert_eq!(lists.len(), 2);
        assert_eq!(lists[0].marker, None);
        assert_eq!(lists[1].marker.as_deref(), Some("page-2"));
        for list in &lists {
            assert_eq!(list.statuses, Some(vec![ExecutionStatus::Running]));
            assert_eq!(
                list.started_before.map(|t| t.secs()),
                Some(NOW as i64 - 3600)
            );
        }
        let stops: Vec<String> = mock
            .requests::<StopDurableExecution>()
            .into_iter()
            .map(|r| r.durable_execution_arn)
            .collect();
        assert_eq!(stops, ["arn:1", "arn:2", "arn:3"]);
        assert!(mock.verify().is_ok(), "{:?}", mock.verify());
    }

    #[tokio::test]
    async fn only_reports_unless_asked_to_stop() {
        let mock = Mock::new();
        mock.on::<ListDurableExecutionsByFunction>()
            .then_output(|_| page(&["arn:1"], None));
        let report = sweep(&Client::from_mock(&mock), event(false), now())
            .await
            .unwrap();
        assert_eq!(report.stale, ["arn:1"]);
        assert_eq!(mock.calls(), ["ListDurableExecutionsByFunction"]);
    }

    #[tokio::test]
    async fn a_missing_function_is_an_answer() {
        let mock = Mock::new();
        mock.on::<ListDurableExecutionsByFunction>()
            .then_error(|_| {
                ListDurableExecutionsByFunctionError::ResourceNotFoundException(
                    ResourceNotFoundException {
                        message: Some("Function not found: orders".into()),
                        ..Default::default()
                    },
                )
            });
        let report = sweep(&Client::from_mock(&mock), event(true), now())
            .await
            .unwrap();
        assert_eq!(report, Report::default());
        assert!(mock.requests::<StopDurableExecution>().is_empty());
    }

    #[tokio::test]
    async fn throttling_ends_the_invocation_with_an_error() {
        let mock = Mock::new();
        mock.on::<ListDurableExecutionsByFunction>()
            .then_output(|_| page(&["arn:1"], Some("page-2")))
            .then_error(|_| {
                ListDurableExecutionsByFunctionError::TooManyRequestsException(
                    TooManyRequestsException {
                        message: Some("Rate exceeded".into()),
                        ..Default::default()
                    },
                )
            });
        let err = sweep(&Client::from_mock(&mock), event(true), now())
            .await
            .unwrap_err();
        assert!(
            err.to_string().starts_with("throttled while listing"),
            "{err}"
        );
        // Nothing is stopped from a partial list.
        assert!(mock.requests::<StopDurableExecution>().is_empty());
    }
}
