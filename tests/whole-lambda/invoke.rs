//! Copied by `cargo xtask whole-lambda` into a crate generated from AWS's official Lambda model
//! with only `Invoke`, `GetDurableExecutionState` and `CheckpointDurableExecution`: calls
//! `Invoke` against a local HTTP server and checks both directions of the wire format.

use std::sync::{Arc, Mutex};

use lambda_invoke_sdk::primitives::Blob;
use lambda_invoke_sdk::types::{
    InvocationType, InvokeError, InvokeRequest, InvokeWithResponseStreamRequest, InvokeWithResponseStreamResponseEvent,
    LogType,
};
use lambda_sdk_runtime::event_stream::{Header, encode_message};
use lambda_invoke_sdk::{Client, Config, Credentials, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The head and body of the one request a connection carried.
#[derive(Clone, Debug, Default)]
struct Seen {
    head: String,
    body: Vec<u8>,
}

/// Serves one canned HTTP/1.1 response per connection and records each request.
async fn serve(response: &'static str) -> (String, Arc<Mutex<Vec<Seen>>>) {
    serve_pieces(vec![response.as_bytes().to_vec()]).await
}

/// Like `serve`, writing the response in pieces with a pause between them.
async fn serve_pieces(pieces: Vec<Vec<u8>>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head_end, length) = loop {
                let n = socket.read(&mut chunk).await.expect("read");
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map_or(0, |v| v.trim().parse::<usize>().expect("length"));
                    break (end + 4, length);
                }
            };
            while buf.len() < head_end + length {
                let n = socket.read(&mut chunk).await.expect("read body");
                buf.extend_from_slice(&chunk[..n]);
            }
            log.lock().expect("lock").push(Seen {
                head: String::from_utf8_lossy(&buf[..head_end]).into_owned(),
                body: buf[head_end..head_end + length].to_vec(),
            });
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                socket.write_all(piece).await.expect("write");
                socket.flush().await.expect("flush");
            }
        }
    });
    (endpoint, seen)
}

fn client(endpoint: &str) -> Client {
    Client::new(
        Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new("AKID", "SECRET", None))
            .endpoint_url(endpoint)
            .build()
            .expect("config"),
    )
}

#[tokio::test]
async fn invoke_sends_the_payload_and_reads_the_response() {
    let (endpoint, seen) = serve(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-amz-executed-version: 7\r\n\
         x-amz-durable-execution-arn: arn:aws:lambda:us-east-1:123456789012:function:my-fn:7/durable-execution/run-1/abc\r\n\
         x-amzn-requestid: req-1\r\ncontent-length: 11\r\n\r\n{\"ok\":true}",
    )
    .await;
    let out = client(&endpoint)
        .invoke(InvokeRequest {
            function_name: "my-fn".into(),
            qualifier: Some("prod".into()),
            invocation_type: Some(InvocationType::RequestResponse),
            log_type: Some(LogType::Tail),
            durable_execution_name: Some("run-1".into()),
            payload: Some(Blob::from(&b"{\"order\":42}"[..])),
            ..Default::default()
        })
        .await
        .expect("invoke");
    assert_eq!(out.status_code, Some(200));
    assert_eq!(out.payload.as_deref(), Some(&b"{\"ok\":true}"[..]));
    assert_eq!(out.executed_version.as_deref(), Some("7"));
    assert!(out.durable_execution_arn.as_deref().is_some_and(|a| a.ends_with("/run-1/abc")));
    assert_eq!(out.response_metadata.request_id(), Some("req-1"));

    let requests = seen.lock().expect("lock").clone();
    assert_eq!(requests.len(), 1);
    let head = requests[0].head.to_ascii_lowercase();
    assert!(head.starts_with("post /2015-03-31/functions/my-fn/invocations?qualifier=prod http/1.1"), "{head}");
    assert!(head.contains("x-amz-invocation-type: requestresponse"), "{head}");
    assert!(head.contains("x-amz-log-type: tail"), "{head}");
    assert!(head.contains("x-amz-durable-execution-name: run-1"), "{head}");
    assert!(head.contains("content-type: application/octet-stream"), "{head}");
    assert!(head.contains("authorization: aws4-hmac-sha256 credential=akid/"), "{head}");
    assert_eq!(requests[0].body, b"{\"order\":42}");
}

#[tokio::test]
async fn invoke_maps_a_modeled_error() {
    let (endpoint, _) = serve(
        "HTTP/1.1 409 Conflict\r\ncontent-type: application/json\r\n\
         x-amzn-errortype: DurableExecutionAlreadyStartedException\r\ncontent-length: 35\r\n\r\n\
         {\"Message\":\"run-1 already started\"}",
    )
    .await;
    let err = client(&endpoint)
        .invoke(InvokeRequest {
            function_name: "my-fn".into(),
            durable_execution_name: Some("run-1".into()),
            ..Default::default()
        })
        .await
        .expect_err("409");
    assert!(
        matches!(err.as_service_error(), Some(InvokeError::DurableExecutionAlreadyStartedException(_))),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("DurableExecutionAlreadyStartedException"));
    assert!(matches!(err, Error::Service(_)));
}

fn event(event_type: &str, payload: &[u8]) -> Vec<u8> {
    let headers = [
        Header::new(":message-type", "event").expect("header"),
        Header::new(":event-type", event_type).expect("header"),
        Header::new(":content-type", "application/octet-stream").expect("header"),
    ];
    encode_message(&headers, payload).to_vec()
}

#[tokio::test]
async fn invoke_with_response_stream_yields_typed_events_as_they_arrive() {
    let first = event("PayloadChunk", b"hello, ");
    let second = event("PayloadChunk", b"world");
    let done = event("InvokeComplete", br#"{"LogResult":"bG9n"}"#);
    let length = first.len() + second.len() + done.len();
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\n\
         x-amz-executed-version: 3\r\ncontent-length: {length}\r\n\r\n"
    );
    let mut piece = head.into_bytes();
    piece.extend_from_slice(&first);
    let (endpoint, seen) = serve_pieces(vec![piece, second, done]).await;
    let out = client(&endpoint)
        .invoke_with_response_stream(InvokeWithResponseStreamRequest {
            function_name: "streamer".into(),
            payload: Some(Blob::from(&b"{}"[..])),
            ..Default::default()
        })
        .await
        .expect("stream starts");
    assert_eq!(out.executed_version.as_deref(), Some("3"));
    let mut text = Vec::new();
    let mut completed = None;
    while let Some(event) = out.event_stream.recv().await.expect("event") {
        match event {
            InvokeWithResponseStreamResponseEvent::PayloadChunk(chunk) => {
                text.extend_from_slice(chunk.payload.as_deref().unwrap_or_default())
            }
            InvokeWithResponseStreamResponseEvent::InvokeComplete(complete) => completed = Some(complete),
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(text, b"hello, world");
    assert_eq!(completed.and_then(|c| c.log_result).as_deref(), Some("bG9n"));
    let head = seen.lock().expect("lock")[0].head.to_ascii_lowercase();
    assert!(head.starts_with("post /2021-11-15/functions/streamer/response-streaming-invocations"), "{head}");
}
