//! The `testing` feature of lambda-sdk, through the generated crate: `Client::from_mock`, rules
//! per operation (in order, by matcher, repeated), typed errors and results, the requests
//! recorded, `verify`; and the paginators (pages, items, streams) driven by the mock.

use std::future::Future;
use std::pin::Pin;

use lambda_sdk::config::{HttpError, HttpErrorKind};
use lambda_sdk::testing::{
    CheckpointDurableExecution, GetDurableExecution, GetDurableExecutionHistory,
    GetDurableExecutionState, MOCK_REQUEST_ID, Mock,
};
use lambda_sdk::types::{
    CheckpointDurableExecutionError, CheckpointDurableExecutionRequest,
    CheckpointDurableExecutionResponse, Event, EventType, GetDurableExecutionHistoryRequest,
    GetDurableExecutionHistoryResponse, GetDurableExecutionRequest, GetDurableExecutionResponse,
    GetDurableExecutionStateError, GetDurableExecutionStateRequest,
    GetDurableExecutionStateResponse, InvalidParameterValueException, Operation,
    TooManyRequestsException,
};
use lambda_sdk::{Client, Config, Error};

fn state_request(marker: Option<&str>) -> GetDurableExecutionStateRequest {
    GetDurableExecutionStateRequest {
        durable_execution_arn: "arn:exec".into(),
        checkpoint_token: "token-1".into(),
        marker: marker.map(String::from),
        ..Default::default()
    }
}

fn state_page(ids: &[&str], next: Option<&str>) -> GetDurableExecutionStateResponse {
    GetDurableExecutionStateResponse {
        operations: ids
            .iter()
            .map(|id| Operation {
                id: (*id).into(),
                ..Default::default()
            })
            .collect(),
        next_marker: next.map(String::from),
        ..Default::default()
    }
}

fn ids(operations: &[Operation]) -> Vec<&str> {
    operations.iter().map(|o| o.id.as_str()).collect()
}

#[tokio::test]
async fn typed_outputs_and_errors_in_order_with_the_requests_recorded() {
    let mock = Mock::new();
    let rule = mock
        .on::<CheckpointDurableExecution>()
        .then_output(|request| CheckpointDurableExecutionResponse {
            checkpoint_token: Some(format!("after-{}", request.checkpoint_token)),
            ..Default::default()
        })
        .then_error(|_| {
            CheckpointDurableExecutionError::InvalidParameterValueException(
                InvalidParameterValueException {
                    message: Some("Invalid checkpoint token".into()),
                    ..Default::default()
                },
            )
        });
    let client = Client::from_mock(&mock);
    let checkpoint = |token: &str| {
        client.checkpoint_durable_execution(CheckpointDurableExecutionRequest {
            durable_execution_arn: "arn:exec".into(),
            checkpoint_token: token.into(),
            ..Default::default()
        })
    };

    let ok = checkpoint("t1").await.unwrap();
    assert_eq!(ok.checkpoint_token.as_deref(), Some("after-t1"));
    assert_eq!(ok.response_metadata.request_id(), Some(MOCK_REQUEST_ID));

    let err = checkpoint("t2").await.unwrap_err();
    let Error::Service(service) = &err else {
        panic!("{err:?}")
    };
    // The error's modeled status, code and message, as a real one would carry them.
    assert_eq!(service.status(), 400);
    assert_eq!(err.code(), Some("InvalidParameterValueException"));
    assert_eq!(err.message().as_deref(), Some("Invalid checkpoint token"));
    assert!(!err.is_retryable());
    assert_eq!(rule.num_calls(), 2);

    // The requests, typed, in order; the SDK filled the idempotency token of each as usual.
    let sent = mock.requests::<CheckpointDurableExecution>();
    assert_eq!(
        sent.iter()
            .map(|r| r.checkpoint_token.as_str())
            .collect::<Vec<_>>(),
        ["t1", "t2"]
    );
    assert!(sent.iter().all(|r| r.client_token.is_some()));
    assert_ne!(sent[0].client_token, sent[1].client_token);
    assert!(mock.verify().is_ok());

    // Used up: the next call is refused, naming the operation.
    let err = checkpoint("t3").await.unwrap_err();
    assert!(matches!(err, Error::Construction(_)), "{err:?}");
    assert!(
        err.to_string().contains("CheckpointDurableExecution"),
        "{err}"
    );
    let problems = mock.verify().unwrap_err();
    assert_eq!(problems.problems().len(), 1, "{problems}");
    assert!(problems.problems()[0].starts_with("no rule answered CheckpointDurableExecution"));
}

#[tokio::test]
async fn matchers_pick_the_rule_and_operations_are_kept_apart() {
    let mock = Mock::new();
    mock.on::<GetDurableExecution>()
        .match_requests(|r| r.durable_execution_arn.ends_with("/throttled"))
        .then_error(|_| {
            lambda_sdk::types::GetDurableExecutionError::TooManyRequestsException(
                TooManyRequestsException::default(),
            )
        })
        .repeatedly();
    mock.on::<GetDurableExecution>()
        .then_output(|r| GetDurableExecutionResponse {
            durable_execution_name: r.durable_execution_arn.clone(),
            ..Default::default()
        })
        .repeatedly();
    let client = Client::from_mock(&mock);
    let get = |arn: &str| {
        client.get_durable_execution(GetDurableExecutionRequest {
            durable_execution_arn: arn.into(),
            ..Default::default()
        })
    };
    assert_eq!(get("a").await.unwrap().durable_execution_name, "a");
    let throttled = get("x/throttled").await.unwrap_err();
    assert!(throttled.is_retryable());
    let Error::Service(service) = &throttled else {
        panic!("{throttled:?}")
    };
    assert_eq!(service.status(), 429);
    assert_eq!(get("b").await.unwrap().durable_execution_name, "b");
    assert_eq!(mock.calls(), ["GetDurableExecution"; 3]);
    // Another operation has no rule: refused, and its request still recorded.
    let err = client
        .get_durable_execution_state(state_request(None))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Construction(_)), "{err:?}");
    assert_eq!(mock.requests::<GetDurableExecutionState>().len(), 1);
}

#[tokio::test]
async fn a_request_the_sdk_refuses_never_reaches_the_mock() {
    let mock = Mock::new();
    mock.on::<GetDurableExecution>()
        .then_output(|_| GetDurableExecutionResponse::default());
    let client = Client::from_mock(&mock);
    // An empty required label is refused by the serializer, as in production.
    let err = client
        .get_durable_execution(GetDurableExecutionRequest::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Construction(_)), "{err:?}");
    assert!(mock.calls().is_empty());
}

#[tokio::test]
async fn any_result_such_as_a_transport_error() {
    let mock = Mock::new();
    mock.on::<GetDurableExecution>().then_result(|_| {
        Err(Error::Transport(HttpError::new(
            HttpErrorKind::Connect,
            "connection refused",
        )))
    });
    let client = Client::from_mock(&mock);
    let err = client
        .get_durable_execution(GetDurableExecutionRequest {
            durable_execution_arn: "arn".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
}

/// A configuration of the caller's own (with its idempotency tokens) can carry the mock.
#[tokio::test]
async fn a_configuration_of_your_own_can_carry_the_mock() {
    let mock = Mock::new();
    mock.on::<CheckpointDurableExecution>()
        .then_output(|_| CheckpointDurableExecutionResponse::default());
    let config = Config::builder()
        .region("eu-west-1")
        .credentials(lambda_sdk::Credentials::new("AKID", "SECRET", None))
        .idempotency_token_provider(|| "fixed-token".into())
        .mock(mock.clone())
        .build()
        .unwrap();
    Client::new(config)
        .checkpoint_durable_execution(CheckpointDurableExecutionRequest {
            durable_execution_arn: "arn".into(),
            checkpoint_token: "t".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        mock.requests::<CheckpointDurableExecution>()[0]
            .client_token
            .as_deref(),
        Some("fixed-token")
    );
}

#[tokio::test]
async fn paginators_follow_markers_and_flatten_items() {
    let mock = Mock::new();
    mock.on::<GetDurableExecutionState>()
        .match_requests(|r| r.marker.is_none())
        .then_output(|_| state_page(&["1", "2"], Some("m2")));
    mock.on::<GetDurableExecutionState>()
        .match_requests(|r| r.marker.as_deref() == Some("m2"))
        .then_output(|_| state_page(&[], Some("m3")));
    mock.on::<GetDurableExecutionState>()
        .match_requests(|r| r.marker.as_deref() == Some("m3"))
        .then_output(|_| state_page(&["3"], None));
    let client = Client::from_mock(&mock);

    let items = client
        .get_durable_execution_state_pages(state_request(None))
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), ["1", "2", "3"]);
    let sent = mock.requests::<GetDurableExecutionState>();
    assert_eq!(
        sent.iter().map(|r| r.marker.as_deref()).collect::<Vec<_>>(),
        [None, Some("m2"), Some("m3")]
    );
    // The token is the same on every page; only the marker moves.
    assert!(sent.iter().all(|r| r.checkpoint_token == "token-1"));
    assert!(mock.verify().is_ok());
}

#[tokio::test]
async fn paginators_stop_on_a_repeated_marker_and_after_an_error() {
    let mock = Mock::new();
    mock.on::<GetDurableExecutionState>()
        .then_output(|_| state_page(&["1"], Some("same")))
        .then_output(|_| state_page(&["2"], Some("same")));
    let client = Client::from_mock(&mock);
    let pages = client
        .get_durable_execution_state_pages(state_request(None))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);

    let mock = Mock::new();
    mock.on::<GetDurableExecutionState>()
        .then_output(|_| state_page(&["1"], Some("m2")))
        .then_error(|_| {
            GetDurableExecutionStateError::TooManyRequestsException(
                TooManyRequestsException::default(),
            )
        });
    let client = Client::from_mock(&mock);
    let mut items = client
        .get_durable_execution_state_pages(state_request(None))
        .items();
    assert_eq!(items.next().await.unwrap().unwrap().id, "1");
    assert!(items.next().await.unwrap().is_err());
    assert!(items.next().await.is_none());
    assert_eq!(mock.calls().len(), 2);
}

/// The next item of a stream, without a futures crate.
fn next<S: futures_core::Stream + Unpin>(
    stream: &mut S,
) -> impl Future<Output = Option<S::Item>> + '_ {
    std::future::poll_fn(move |cx| Pin::new(&mut *stream).poll_next(cx))
}

#[tokio::test]
async fn paginators_are_streams_with_the_stream_feature() {
    let mock = Mock::new();
    mock.on::<GetDurableExecutionHistory>()
        .match_requests(|r| r.marker.is_none())
        .then_output(|_| GetDurableExecutionHistoryResponse {
            events: vec![Event {
                event_type: Some(EventType::ExecutionStarted),
                ..Default::default()
            }],
            next_marker: Some("m2".into()),
            ..Default::default()
        });
    mock.on::<GetDurableExecutionHistory>()
        .then_output(|_| GetDurableExecutionHistoryResponse {
            events: vec![Event {
                event_type: Some(EventType::ExecutionSucceeded),
                ..Default::default()
            }],
            ..Default::default()
        });
    let client = Client::from_mock(&mock);
    let request = GetDurableExecutionHistoryRequest {
        durable_execution_arn: "arn".into(),
        ..Default::default()
    };
    let mut events = client.get_durable_execution_history_pages(request).items();
    let mut seen = Vec::new();
    while let Some(event) = next(&mut events).await {
        seen.extend(event.unwrap().event_type);
    }
    assert_eq!(
        seen,
        [EventType::ExecutionStarted, EventType::ExecutionSucceeded]
    );
}
