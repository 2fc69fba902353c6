//! The HTTP server: accepts connections, reads each request whole and routes it to the
//! durable-execution API or the Runtime API. A response body can be cut halfway (a fault).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::Shared;

/// The largest request body read (a checkpoint carries at most 750 KiB of updates; an
/// invocation answer at most 6 MiB).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// A request read whole.
pub(crate) struct Received {
    pub method: Method,
    pub path: String,
    pub query: String,
    /// Request line and headers, in bytes.
    pub head_bytes: u64,
    pub body: Bytes,
}

/// What a route answers.
pub(crate) enum Reply {
    /// A response.
    Send(Response<ReplyBody>),
    /// Close the connection without answering.
    Drop,
}

/// A response body: whole, or cut after its first half (the connection then breaks).
pub(crate) enum ReplyBody {
    Whole(Option<Bytes>),
    Cut(Option<Bytes>, bool),
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = std::io::Error;

    /// A whole body has its exact length (hyper sends `Content-Length`, as Lambda does); a cut
    /// one carries its full length in a header instead.
    fn size_hint(&self) -> SizeHint {
        match self {
            ReplyBody::Whole(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            ReplyBody::Cut(..) => SizeHint::default(),
        }
    }

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        Poll::Ready(match this {
            ReplyBody::Whole(data) => data.take().map(|d| Ok(Frame::data(d))),
            ReplyBody::Cut(data, cut) => match data.take() {
                Some(d) => Some(Ok(Frame::data(d))),
                None if !*cut => {
                    *cut = true;
                    Some(Err(std::io::Error::other("the response is cut on purpose")))
                }
                None => None,
            },
        })
    }
}

/// A response with a JSON (or any) body.
pub(crate) fn respond(status: StatusCode, headers: &[(&str, &str)], body: Vec<u8>) -> Reply {
    let mut builder = Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    match builder.body(ReplyBody::Whole(Some(Bytes::from(body)))) {
        Ok(response) => Reply::Send(response),
        Err(_) => Reply::Drop,
    }
}

/// A JSON response whose body stops halfway.
pub(crate) fn respond_cut(status: StatusCode, body: Vec<u8>) -> Reply {
    let full = body.len();
    let half = Bytes::from(body).slice(..full / 2);
    match Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("content-length", full.to_string())
        .body(ReplyBody::Cut(Some(half), false))
    {
        Ok(response) => Reply::Send(response),
        Err(_) => Reply::Drop,
    }
}

pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                connections.spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let shared = Arc::clone(&shared);
                        async move { serve(&shared, request).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Reads the request and routes it; `Err` closes the connection.
async fn serve(
    shared: &Shared,
    request: Request<Incoming>,
) -> Result<Response<ReplyBody>, std::io::Error> {
    let (parts, body) = request.into_parts();
    let head_bytes = (parts.method.as_str().len()
        + parts.uri.to_string().len()
        + parts
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>()
        + 12) as u64;
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return Err(std::io::Error::other(format!("cannot read the body: {e}"))),
    };
    let incoming = Received {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        head_bytes,
        body,
    };
    let reply = if incoming.path.starts_with("/2018-06-01/runtime/") {
        crate::runtime_api::route(shared, incoming).await
    } else if incoming.path.starts_with("/2025-12-01/durable-executions/") {
        crate::api::route(shared, incoming).await
    } else {
        shared.runtime.failure(format!(
            "no route for {} {}",
            incoming.method, incoming.path
        ));
        respond(
            StatusCode::NOT_FOUND,
            &[],
            b"{\"message\":\"no such route\"}".to_vec(),
        )
    };
    match reply {
        Reply::Send(response) => Ok(response),
        Reply::Drop => Err(std::io::Error::other(
            "the connection is dropped on purpose",
        )),
    }
}

/// Percent-decodes a path segment or query value.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One query parameter, decoded.
pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key) == name).then(|| percent_decode(value))
    })
}
