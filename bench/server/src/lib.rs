//! A fast local HTTP/1.1 server for the benchmark: plain http on loopback, answering canned
//! Lambda durable-execution bodies by route.
//!
//! | request | answer |
//! |---|---|
//! | `GET /2025-12-01/durable-executions/{arn}/state` with the [`ARN_EMPTY`] execution | the empty page |
//! | the same with the [`ARN_BIG`] execution | the 1,000-operation page (about 1 MB) |
//! | `POST /2025-12-01/durable-executions/{arn}/checkpoint` | the checkpoint response |
//! | anything else | 404 `ResourceNotFoundException` |
//!
//! [`Server::start`] runs it on its own thread and current-thread tokio runtime, so it does not
//! share a runtime with the clients it serves.

#![forbid(unsafe_code)]

pub mod data;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use data::{ARN_BIG, ARN_EMPTY, CHECKPOINT_TOKEN, NEXT_CHECKPOINT_TOKEN, REQUEST_ID};

/// The canned bodies, built once.
#[derive(Debug, Clone)]
pub struct Bodies {
    /// `{"Operations":[]}`.
    pub empty_page: Bytes,
    /// The 1,000-operation page.
    pub big_page: Bytes,
    /// The checkpoint response.
    pub checkpoint: Bytes,
}

impl Bodies {
    /// Generates the bodies (deterministic).
    pub fn generate() -> Self {
        Bodies {
            empty_page: data::empty_page().into(),
            big_page: data::big_page().into(),
            checkpoint: data::checkpoint_response().into(),
        }
    }
}

/// What the server has seen, to check that clients made exactly the calls expected.
#[derive(Debug, Default)]
pub struct Stats {
    /// Requests answered.
    pub requests: AtomicU64,
    /// Requests with a SigV4 `Authorization` header.
    pub signed: AtomicU64,
    /// Requests answered 404.
    pub not_found: AtomicU64,
    /// Request body bytes received.
    pub bytes_in: AtomicU64,
}

/// A running server; dropping it stops it.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stats: Arc<Stats>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts the server on `127.0.0.1:port` (0 picks a free port) on its own thread.
    ///
    /// # Errors
    /// When the runtime cannot be built or the port cannot be bound.
    pub fn start(port: u16, bodies: Bodies) -> std::io::Result<Server> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = runtime.block_on(TcpListener::bind(("127.0.0.1", port)))?;
        let addr = listener.local_addr()?;
        let stats = Arc::new(Stats::default());
        let (stop, stopped) = oneshot::channel();
        let thread_stats = stats.clone();
        let thread = std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || {
                runtime.block_on(serve(listener, Arc::new(bodies), thread_stats, stopped));
            })?;
        Ok(Server {
            addr,
            stats,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What it has seen so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Blocks until the server stops (it never does on its own).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: TcpListener,
    bodies: Arc<Bodies>,
    stats: Arc<Stats>,
    mut stopped: oneshot::Receiver<()>,
) {
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        let _ = stream.set_nodelay(true);
        let bodies = bodies.clone();
        let stats = stats.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| answer(req, bodies.clone(), stats.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    request: Request<Incoming>,
    bodies: Arc<Bodies>,
    stats: Arc<Stats>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    stats.requests.fetch_add(1, Ordering::Relaxed);
    if request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256 Credential="))
    {
        stats.signed.fetch_add(1, Ordering::Relaxed);
    }
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    // Read the whole request body, as a real service would.
    let received = match request.into_body().collect().await {
        Ok(body) => body.to_bytes().len(),
        Err(_) => 0,
    };
    stats.bytes_in.fetch_add(received as u64, Ordering::Relaxed);
    let body = route(&method, &path, &bodies);
    let response = match body {
        Some(body) => Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "application/json")
            .header("x-amzn-requestid", REQUEST_ID)
            .body(Full::new(body)),
        None => {
            stats.not_found.fetch_add(1, Ordering::Relaxed);
            Response::builder()
                .status(StatusCode::NOT_FOUND)
                .header("content-type", "application/json")
                .header("x-amzn-requestid", REQUEST_ID)
                .header("x-amzn-errortype", "ResourceNotFoundException")
                .body(Full::new(Bytes::from_static(
                    br#"{"Type":"User","Message":"no such route in the benchmark server"}"#,
                )))
        }
    };
    Ok(response.unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}

fn route(method: &http::Method, path: &str, bodies: &Bodies) -> Option<Bytes> {
    let rest = path.strip_prefix("/2025-12-01/durable-executions/")?;
    let (arn, action) = rest.rsplit_once('/')?;
    if arn.is_empty() || arn.contains('/') {
        return None;
    }
    match (method.as_str(), action) {
        ("GET", "state") if arn.contains("%2Fbig%2F") => Some(bodies.big_page.clone()),
        ("GET", "state") if arn.contains("%2Fempty%2F") => Some(bodies.empty_page.clone()),
        ("POST", "checkpoint") => Some(bodies.checkpoint.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_deterministic_and_about_the_right_size() {
        let a = Bodies::generate();
        let b = Bodies::generate();
        assert_eq!(a.big_page, b.big_page);
        assert_eq!(a.checkpoint, b.checkpoint);
        let len = a.big_page.len();
        assert!((900_000..1_150_000).contains(&len), "{len}");
        let page: serde_json::Value = serde_json::from_slice(&a.big_page).unwrap();
        assert_eq!(page["Operations"].as_array().map(Vec::len), Some(1000));
    }

    #[test]
    fn routes() {
        let bodies = Bodies::generate();
        let get = http::Method::GET;
        let enc = |arn: &str| {
            arn.replace(':', "%3A")
                .replace('/', "%2F")
                .replace('$', "%24")
        };
        let big = format!("/2025-12-01/durable-executions/{}/state", enc(ARN_BIG));
        let empty = format!("/2025-12-01/durable-executions/{}/state", enc(ARN_EMPTY));
        assert_eq!(route(&get, &big, &bodies), Some(bodies.big_page.clone()));
        assert_eq!(
            route(&get, &empty, &bodies),
            Some(bodies.empty_page.clone())
        );
        assert_eq!(route(&get, "/nope", &bodies), None);
    }
}
