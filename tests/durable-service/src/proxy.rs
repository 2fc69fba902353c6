//! A fault-injecting proxy in front of another durable-execution service (the local emulator):
//! requests are forwarded unchanged, but for the calls a script names, the proxy answers itself
//! (an error status, a stall) or forwards the call and cuts the response halfway. Used by the
//! `fault-proxy` binary, which wraps a function process so that its `AWS_ENDPOINT_URL_LAMBDA`
//! points here.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

use crate::HttpFault;
use crate::server::{Reply, ReplyBody, respond, respond_cut};

/// The largest body forwarded either way.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Which API a call belongs to, for the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Api {
    /// `CheckpointDurableExecution` (`POST .../checkpoint`).
    Checkpoint,
    /// `GetDurableExecutionState` (`GET .../state`).
    State,
}

/// Faults by API and call number (counted from 1 over the proxy's life).
#[derive(Clone, Debug, Default)]
pub struct Script {
    faults: HashMap<(Api, u64), HttpFault>,
}

impl Script {
    /// Reads `checkpoint:2=503,checkpoint:3=429,state:1=500,checkpoint:6=cut,checkpoint:7=stall`:
    /// a status is answered by the proxy with the error code Lambda or a gateway in front of it
    /// would give (`429` with `Retry-After: 1`), `cut` forwards the call and cuts the response halfway, `stall`
    /// holds the call for 30 seconds and closes the connection.
    ///
    /// # Errors
    /// A malformed item, named.
    pub fn parse(text: &str) -> Result<Script, String> {
        let mut faults = HashMap::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let bad = || {
                format!(
                    "fault `{item}`: expected <checkpoint|state>:<call from 1>=<status \
                     400-599|cut|stall>, e.g. checkpoint:2=503"
                )
            };
            let (target, fault) = item.split_once('=').ok_or_else(bad)?;
            let (api, call) = target.split_once(':').ok_or_else(bad)?;
            let api = match api {
                "checkpoint" => Api::Checkpoint,
                "state" => Api::State,
                _ => return Err(bad()),
            };
            let call: u64 = call.parse().ok().filter(|n| *n >= 1).ok_or_else(bad)?;
            let fault = match fault {
                "cut" => HttpFault::CutMidBody,
                "stall" => HttpFault::Stall(Duration::from_secs(30)),
                status => {
                    let status: u16 = status
                        .parse()
                        .ok()
                        .filter(|s| (400..600).contains(s))
                        .ok_or_else(bad)?;
                    // Lambda's own code for a 500 and a 429; a gateway's for the others (a
                    // modeled 502 is one of Lambda's KMS errors, which are not retried).
                    let code = match status {
                        429 => "TooManyRequestsException",
                        500 => "ServiceException",
                        502 => "BadGateway",
                        503 => "ServiceUnavailable",
                        504 => "GatewayTimeout",
                        _ => "InvalidParameterValueException",
                    };
                    let mut fault = HttpFault::status(status, code);
                    if let HttpFault::Status { retry_after, .. } = &mut fault
                        && status == 429
                    {
                        *retry_after = Some("1".to_string());
                    }
                    fault
                }
            };
            if faults.insert((api, call), fault).is_some() {
                return Err(format!("fault `{item}`: that call already has a fault"));
            }
        }
        Ok(Script { faults })
    }
}

struct Proxy {
    /// The upstream's addresses, tried in order.
    upstream: Vec<SocketAddr>,
    /// Its `host:port`, for the `Host` header.
    authority: String,
    script: Script,
    calls: Mutex<HashMap<Api, u64>>,
    log: Option<PathBuf>,
}

/// Starts the proxy on a loopback port, forwarding to `upstream` (an `http://host:port` URL),
/// and returns its address. It serves until the process ends.
///
/// # Errors
/// An upstream that is not `http://host:port`, or a port that cannot be bound.
pub async fn start(
    upstream: &str,
    script: Script,
    log: Option<PathBuf>,
) -> Result<SocketAddr, String> {
    let authority = upstream
        .strip_prefix("http://")
        .map(|rest| rest.trim_end_matches('/'))
        .filter(|rest| !rest.contains('/'))
        .ok_or_else(|| format!("the upstream `{upstream}` is not http://host:port"))?;
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host(authority)
        .await
        .map_err(|e| format!("cannot resolve the upstream `{authority}`: {e}"))?
        .collect();
    if addresses.is_empty() {
        return Err(format!("the upstream `{authority}` has no address"));
    }
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| format!("cannot bind the proxy: {e}"))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("the proxy has no address: {e}"))?;
    let proxy = Arc::new(Proxy {
        upstream: addresses,
        authority: authority.to_string(),
        script,
        calls: Mutex::new(HashMap::new()),
        log,
    });
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let proxy = Arc::clone(&proxy);
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| {
                    let proxy = Arc::clone(&proxy);
                    async move { proxy.serve(request).await }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(address)
}

impl Proxy {
    async fn serve(&self, request: Request<Incoming>) -> Result<Response<ReplyBody>, String> {
        let (parts, body) = request.into_parts();
        let body = Limited::new(body, MAX_BODY)
            .collect()
            .await
            .map_err(|e| format!("cannot read the request: {e}"))?
            .to_bytes();
        let path = parts.uri.path();
        let api = if path.ends_with("/checkpoint") {
            Some(Api::Checkpoint)
        } else if path.ends_with("/state") {
            Some(Api::State)
        } else {
            None
        };
        let fault = api.and_then(|api| {
            let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
            let n = calls.entry(api).or_insert(0);
            *n += 1;
            let fault = self.script.faults.get(&(api, *n)).cloned();
            if let Some(fault) = &fault {
                self.note(&format!("{api:?} call {n}: {fault:?}"));
            }
            fault
        });
        let reply = match fault {
            None | Some(HttpFault::Pass) => {
                let (status, headers, body) = match self.forward(parts, body).await {
                    Ok(forwarded) => forwarded,
                    Err(e) => return Ok(self.upstream_failed(&e)),
                };
                let mut response = Response::builder().status(status);
                for (name, value) in &headers {
                    response = response.header(name, value);
                }
                // The body is sent whole, with its own length (`ReplyBody`'s size).
                return response
                    .body(ReplyBody::Whole(Some(body)))
                    .map_err(|e| format!("cannot answer: {e}"));
            }
            Some(HttpFault::Status {
                status,
                code,
                message,
                retry_after,
            }) => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
                let body = serde_json::json!({"Type": "Service", "message": message});
                let mut headers = vec![
                    ("content-type", "application/json".to_string()),
                    ("x-amzn-errortype", code),
                ];
                if let Some(after) = retry_after {
                    headers.push(("retry-after", after));
                }
                let headers: Vec<(&str, &str)> =
                    headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
                respond(status, &headers, body.to_string().into_bytes())
            }
            Some(HttpFault::CutMidBody) => match self.forward(parts, body).await {
                Ok((status, _, body)) => respond_cut(status, body.to_vec()),
                Err(e) => return Ok(self.upstream_failed(&e)),
            },
            Some(HttpFault::Stall(wait)) => {
                tokio::time::sleep(wait).await;
                Reply::Drop
            }
            Some(HttpFault::Delay(wait)) => {
                tokio::time::sleep(wait).await;
                match self.forward(parts, body).await {
                    Ok((status, _, body)) => respond(
                        status,
                        &[("content-type", "application/json")],
                        body.to_vec(),
                    ),
                    Err(e) => return Ok(self.upstream_failed(&e)),
                }
            }
            Some(HttpFault::Body(value)) => respond(
                StatusCode::OK,
                &[("content-type", "application/json")],
                value.to_string().into_bytes(),
            ),
        };
        match reply {
            Reply::Send(response) => Ok(response),
            Reply::Drop => Err("the connection is dropped on purpose".to_string()),
        }
    }

    /// Sends the request upstream on a fresh connection and reads the response whole.
    async fn forward(
        &self,
        parts: http::request::Parts,
        body: Bytes,
    ) -> Result<(StatusCode, http::HeaderMap, Bytes), String> {
        let stream = TcpStream::connect(self.upstream.as_slice())
            .await
            .map_err(|e| format!("cannot reach the upstream {}: {e}", self.authority))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("upstream handshake: {e}"))?;
        tokio::spawn(connection);
        let mut request = Request::from_parts(parts, Full::new(body));
        let headers = request.headers_mut();
        // The body was read whole: it goes on with its own length (hyper sets it).
        for hop in [
            http::header::TRANSFER_ENCODING,
            http::header::CONTENT_LENGTH,
            http::header::CONNECTION,
        ] {
            headers.remove(hop);
        }
        headers.insert(
            http::header::HOST,
            http::HeaderValue::from_str(&self.authority)
                .map_err(|e| format!("upstream host header: {e}"))?,
        );
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("upstream request: {e}"))?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_BODY)
            .collect()
            .await
            .map_err(|e| format!("upstream response: {e}"))?
            .to_bytes();
        let mut headers = parts.headers;
        // Hop-by-hop, or replaced: the body is answered whole, with its own length.
        headers.remove(http::header::TRANSFER_ENCODING);
        headers.remove(http::header::CONTENT_LENGTH);
        headers.remove(http::header::CONNECTION);
        Ok((parts.status, headers, body))
    }

    /// A 502 for a call the upstream did not answer (noted, so that it is not taken for a
    /// scripted fault).
    fn upstream_failed(&self, error: &str) -> Response<ReplyBody> {
        self.note(&format!("upstream failed: {error}"));
        let body = serde_json::json!({"message": format!("fault-proxy: {error}")}).to_string();
        let mut response = Response::new(ReplyBody::Whole(Some(Bytes::from(body))));
        *response.status_mut() = StatusCode::BAD_GATEWAY;
        response
    }

    /// Appends a line to the log file (and stderr): which call was faulted, and how.
    fn note(&self, line: &str) {
        eprintln!("fault-proxy: {line}");
        if let Some(path) = &self.log
            && let Ok(mut file) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
        {
            let _ = writeln!(file, "{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_read_and_bad_items_named() {
        let script =
            Script::parse("checkpoint:2=503, state:1=429,checkpoint:5=cut,checkpoint:6=stall")
                .unwrap();
        assert_eq!(
            script.faults[&(Api::Checkpoint, 2)],
            HttpFault::status(503, "ServiceUnavailable")
        );
        assert!(matches!(
            &script.faults[&(Api::State, 1)],
            HttpFault::Status { status: 429, retry_after: Some(after), .. } if after == "1"
        ));
        assert_eq!(script.faults[&(Api::Checkpoint, 5)], HttpFault::CutMidBody);
        assert!(Script::parse("").unwrap().faults.is_empty());
        for bad in [
            "checkpoint:x=503",
            "invoke:1=503",
            "checkpoint=503",
            "checkpoint:1=slow",
            "checkpoint:0=503",
            "checkpoint:1=200",
            "checkpoint:1=1000",
            "checkpoint:1=503,checkpoint:1=cut",
        ] {
            let err = Script::parse(bad).unwrap_err();
            let item = bad.rsplit(',').next().unwrap_or(bad);
            assert!(err.contains(item), "{err}");
        }
    }
}
