//! A raw-TCP server for fault tests: it reads each request itself, records it, and then answers
//! with scripted bytes and a scripted way of ending the connection — half a status line, a
//! reset, a body that stops halfway, a close-delimited body — which a well-behaved HTTP server
//! library will not produce.
//!
//! Everything is bounded: the server accepts at most [`FaultServer::MAX_CONNECTIONS`]
//! connections, reads at most [`MAX_HEAD`] bytes of head and [`MAX_BODY`] bytes of body, and
//! holds no connection longer than [`HOLD_LIMIT`].

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// The most bytes of request head the server reads.
pub const MAX_HEAD: usize = 64 * 1024;
/// The most bytes of request body the server reads.
pub const MAX_BODY: usize = 1024 * 1024;
/// The longest the server keeps any one connection open.
pub const HOLD_LIMIT: Duration = Duration::from_secs(10);
/// How long the server waits for a request to arrive.
const READ_LIMIT: Duration = Duration::from_secs(3);

/// A request as the server read it off the socket.
#[derive(Clone, Debug)]
pub struct RawRequest {
    /// The request line and headers, without the blank line that ends them.
    pub head: String,
    /// The body (as long as its `Content-Length` says).
    pub body: Vec<u8>,
}

impl RawRequest {
    /// The method.
    pub fn method(&self) -> &str {
        self.request_line().split(' ').next().unwrap_or("")
    }

    /// The request target: path and query, as sent.
    pub fn target(&self) -> &str {
        self.request_line().split(' ').nth(1).unwrap_or("")
    }

    fn request_line(&self) -> &str {
        self.head.lines().next().unwrap_or("")
    }

    /// A header's value (the first one with this name, any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The body parsed as JSON (panics with the body text if it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        crate::body_json(&self.body)
    }
}

/// What the server does on one connection once it has read the request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Writes these bytes, then closes the connection normally (FIN).
    Close(Vec<u8>),
    /// Writes these bytes, then resets the connection (`SO_LINGER` 0, then close: RST).
    Reset(Vec<u8>),
    /// Writes these bytes, then neither writes nor closes until the client hangs up (or
    /// [`HOLD_LIMIT`] passes).
    Stall(Vec<u8>),
    /// Writes `head`, then `chunk` up to `count` times with `pause` before each, then closes.
    /// It stops early when the client hangs up.
    Stream {
        /// Written first.
        head: Vec<u8>,
        /// Written `count` times.
        chunk: Vec<u8>,
        /// How many chunks at most.
        count: usize,
        /// The wait before each chunk.
        pause: Duration,
    },
}

/// Builds a response exactly as given: `status_line` (e.g. `HTTP/1.1 200 OK`), these headers
/// and this body, with nothing added (no `Content-Length` unless it is among `headers`).
pub fn raw_response(status_line: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{status_line}\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A well-formed `200 OK` JSON response that closes the connection after it.
pub fn ok_json(body: &str) -> Vec<u8> {
    raw_response(
        "HTTP/1.1 200 OK",
        &[
            ("Content-Type", "application/json"),
            ("Content-Length", &body.len().to_string()),
            ("Connection", "close"),
        ],
        body.as_bytes(),
    )
}

type Script = Arc<dyn Fn(usize) -> Fault + Send + Sync>;

/// The server. It stops, and drops every connection, when dropped.
pub struct FaultServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<RawRequest>>>,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultServer {
    /// The most connections one server accepts; after that it stops listening.
    pub const MAX_CONNECTIONS: usize = 32;

    /// Starts a server that treats connection number `n` (0-based, in accept order) as
    /// `script(n)` says.
    pub async fn start<F>(script: F) -> FaultServer
    where
        F: Fn(usize) -> Fault + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let requests: Arc<Mutex<Vec<RawRequest>>> = Arc::default();
        let connections = Arc::new(AtomicUsize::new(0));
        let script: Script = Arc::new(script);
        let (seen, accepted) = (requests.clone(), connections.clone());
        let task = tokio::spawn(async move {
            // Dropping the set (when this task is aborted) aborts every connection task.
            let mut tasks = JoinSet::new();
            for index in 0..Self::MAX_CONNECTIONS {
                let Ok((stream, _)) = listener.accept().await else {
                    break;
                };
                accepted.fetch_add(1, Ordering::SeqCst);
                let (fault, seen) = (script(index), seen.clone());
                tasks.spawn(async move {
                    let _ = tokio::time::timeout(HOLD_LIMIT, serve(stream, fault, seen)).await;
                });
            }
            drop(listener);
            while tasks.join_next().await.is_some() {}
        });
        FaultServer {
            addr,
            requests,
            connections,
            task,
        }
    }

    /// Starts a server that treats every connection the same way.
    pub async fn always(fault: Fault) -> FaultServer {
        FaultServer::start(move |_| fault.clone()).await
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request read so far, in order.
    pub fn requests(&self) -> Vec<RawRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn serve(stream: TcpStream, fault: Fault, seen: Arc<Mutex<Vec<RawRequest>>>) {
    let Ok(Ok(request)) = tokio::time::timeout(READ_LIMIT, read_request(&stream)).await else {
        return;
    };
    seen.lock().unwrap_or_else(|e| e.into_inner()).push(request);
    match fault {
        Fault::Close(bytes) => {
            let _ = write_all(&stream, &bytes).await;
            // The request was read whole, so closing sends FIN, not RST.
            drop(stream);
        }
        Fault::Reset(bytes) => {
            let _ = write_all(&stream, &bytes).await;
            if stream.set_zero_linger().is_ok() {
                drop(stream);
            }
        }
        Fault::Stall(bytes) => {
            let _ = write_all(&stream, &bytes).await;
            wait_for_hangup(&stream).await;
        }
        Fault::Stream {
            head,
            chunk,
            count,
            pause,
        } => {
            if write_all(&stream, &head).await.is_err() {
                return;
            }
            for _ in 0..count {
                tokio::time::sleep(pause).await;
                if write_all(&stream, &chunk).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Reads the head (up to the blank line) and then as many body bytes as `Content-Length` says.
async fn read_request(stream: &TcpStream) -> io::Result<RawRequest> {
    let mut buf = Vec::new();
    let end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::other("request head too large"));
        }
        if read_some(stream, &mut buf).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut body = buf.split_off(end + 4);
    let request = RawRequest {
        head,
        body: Vec::new(),
    };
    let length = request
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_BODY);
    while body.len() < length {
        if read_some(stream, &mut body).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
    body.truncate(length);
    Ok(RawRequest { body, ..request })
}

/// Appends what the socket has to `buf`; 0 means the peer closed.
async fn read_some(stream: &TcpStream, buf: &mut Vec<u8>) -> io::Result<usize> {
    let mut chunk = [0u8; 8192];
    loop {
        stream.readable().await?;
        match stream.try_read(&mut chunk) {
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return Ok(n);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Returns when the peer closes (or resets) the connection; anything it sends is discarded.
async fn wait_for_hangup(stream: &TcpStream) {
    let mut sink = Vec::new();
    while let Ok(n) = read_some(stream, &mut sink).await {
        if n == 0 {
            return;
        }
        sink.clear();
    }
}
