//! HTTPS end to end: a tokio-rustls + hyper server on 127.0.0.1 with a certificate signed by a
//! test CA (`tests/fixtures/tls`), called through [`Handle::call`].
//!
//! - With the CA in the bundle (`ca_bundle`, or `AWS_CA_BUNDLE` + `AWS_ENDPOINT_URL` read by
//!   `Config::from_env_with`), the call succeeds and the server sees a SigV4-signed request
//!   whose signature verifies.
//! - Without it, the call fails with `Error::Transport` naming the certificate problem, and the
//!   server sees no request.
//! - A CA bundle that is missing or holds no certificate is a `ConfigError` naming the path and
//!   `AWS_CA_BUNDLE`.

#![forbid(unsafe_code)]

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use lambda_sdk_runtime::__private::rest_json::{self, PreparedRequest, RequestBuilder};
use lambda_sdk_runtime::__private::{Handle, HttpResponse};
use lambda_sdk_runtime::config::Config;
use lambda_sdk_runtime::credentials::Credentials;
use lambda_sdk_runtime::env::Env;
use lambda_sdk_runtime::error::{Error, Unhandled};
use lambda_sdk_runtime::http::HttpErrorKind;
use lambda_sdk_runtime::retry::RetryConfig;
use lambda_sdk_runtime::sign::{SigningScope, sign_request};
use lambda_sdk_runtime::{DateTime, DateTimeFormat};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;

mod common;
use common::{SPEC, TempDir};

const ACCESS_KEY: &str = "AKIDHTTPSTEST";
const SECRET_KEY: &str = "https-test-secret/KEY+value";
const SESSION_TOKEN: &str = "https-test-session-token/xyz=";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path_and_query: String,
    headers: http::HeaderMap,
    body: Bytes,
}

/// An HTTPS server answering every request with `{"Answer":42}` and recording it.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    handshakes_failed: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start() -> Server {
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(fixture("server.pem"))
                .expect("server.pem")
                .collect::<Result<_, _>>()
                .expect("server.pem is PEM");
        let key = PrivateKeyDer::from_pem_file(fixture("server.key")).expect("server.key");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("certificate and key match");
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handshakes_failed = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn({
            let seen = seen.clone();
            let handshakes_failed = handshakes_failed.clone();
            async move {
                loop {
                    let Ok((tcp, _)) = listener.accept().await else {
                        return;
                    };
                    let acceptor = acceptor.clone();
                    let seen = seen.clone();
                    let handshakes_failed = handshakes_failed.clone();
                    tokio::spawn(async move {
                        let Ok(tls) = acceptor.accept(tcp).await else {
                            handshakes_failed.fetch_add(1, Ordering::SeqCst);
                            return;
                        };
                        let service =
                            service_fn(move |req: http::Request<hyper::body::Incoming>| {
                                let seen = seen.clone();
                                async move {
                                    let (parts, body) = req.into_parts();
                                    let body = body.collect().await.map(|b| b.to_bytes());
                                    seen.lock().unwrap().push(Seen {
                                        method: parts.method.to_string(),
                                        path_and_query: parts
                                            .uri
                                            .path_and_query()
                                            .map(|p| p.to_string())
                                            .unwrap_or_default(),
                                        headers: parts.headers,
                                        body: body.unwrap_or_default(),
                                    });
                                    let response = http::Response::builder()
                                        .status(200)
                                        .header("content-type", "application/json")
                                        .header("x-amzn-RequestId", "https-req-1")
                                        .body(Full::new(Bytes::from_static(b"{\"Answer\":42}")))
                                        .unwrap();
                                    Ok::<_, Infallible>(response)
                                }
                            });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(tls), service)
                            .await;
                    });
                }
            }
        });
        Server {
            port,
            seen,
            handshakes_failed,
            task,
        }
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A tiny operation: `POST /2025-12-01/things/{Name}/do?Mode=fast` with a JSON body.
fn request() -> PreparedRequest {
    let mut builder = RequestBuilder::new("POST");
    builder.literal("2025-12-01");
    builder.literal("things");
    builder.label("Name", "a:b/c d", false).expect("label");
    builder.literal("do");
    builder.query("Mode", "fast+slow");
    builder
        .json_body(&serde_json::json!({"Input": "hello"}))
        .expect("body");
    builder.finish()
}

#[derive(Debug, PartialEq, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Output {
    answer: u32,
}

fn parse(response: &HttpResponse) -> Result<Output, Error<Unhandled>> {
    let status = response.status().as_u16();
    if !response.status().is_success() {
        let meta = rest_json::error_metadata(status, response.headers(), response.body());
        return Err(Error::service(Unhandled::new(meta.clone()), meta));
    }
    rest_json::parse_json(status, response.headers(), response.body()).map_err(Error::Response)
}

fn credentials() -> Credentials {
    Credentials::new(ACCESS_KEY, SECRET_KEY, Some(SESSION_TOKEN.to_owned()))
}

/// Checks that `seen` carries a valid SigV4 signature: signs it again from what the server
/// received (its signed headers, its body, the time in `x-amz-date`) and compares.
fn assert_signed(seen: &Seen, base_url: &str) {
    let header = |name: &str| {
        seen.headers
            .get(name)
            .unwrap_or_else(|| panic!("no `{name}` header in {:?}", seen.headers))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let authorization = header("authorization");
    let amz_date = header("x-amz-date");
    assert_eq!(header("x-amz-security-token"), SESSION_TOKEN);
    let day = &amz_date[..8];
    let prefix =
        format!("AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{day}/us-east-1/lambda/aws4_request, ");
    assert!(authorization.starts_with(&prefix), "{authorization}");
    let signed_headers = authorization
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .expect("SignedHeaders")
        .to_owned();
    let names: Vec<&str> = signed_headers.split(';').collect();
    for required in ["host", "x-amz-date", "x-amz-security-token", "content-type"] {
        assert!(
            names.contains(&required),
            "{required} not signed: {names:?}"
        );
    }
    // Re-sign what arrived, with the time the client used.
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &amz_date[0..4],
        &amz_date[4..6],
        &amz_date[6..8],
        &amz_date[9..11],
        &amz_date[11..13],
        &amz_date[13..15]
    );
    let time: SystemTime = DateTime::from_str(&rfc3339, DateTimeFormat::DateTime)
        .unwrap()
        .into();
    let to_sign: Vec<(String, String)> = names
        .iter()
        .filter(|n| !matches!(**n, "x-amz-date" | "x-amz-security-token"))
        .map(|n| ((*n).to_owned(), header(n)))
        .collect();
    let url = format!("{base_url}{}", seen.path_and_query);
    let again = sign_request(
        &seen.method,
        &url,
        to_sign.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        &seen.body,
        &credentials(),
        SigningScope {
            region: "us-east-1",
            service: "lambda",
            time,
        },
    )
    .expect("re-sign");
    let again_auth = again
        .iter()
        .find(|(n, _)| *n == "authorization")
        .map(|(_, v)| v.as_str());
    assert_eq!(
        again_auth,
        Some(authorization.as_str()),
        "the signature verifies"
    );
}

fn assert_request_shape(seen: &Seen, port: u16) {
    assert_eq!(seen.method, "POST");
    assert_eq!(
        seen.path_and_query,
        "/2025-12-01/things/a%3Ab%2Fc%20d/do?Mode=fast%2Bslow"
    );
    assert_eq!(
        seen.headers.get("host").unwrap(),
        &format!("127.0.0.1:{port}")
    );
    assert_eq!(
        seen.headers.get("content-type").unwrap(),
        "application/json"
    );
    assert_eq!(&seen.body[..], br#"{"Input":"hello"}"#);
}

#[tokio::test]
async fn https_with_the_fixture_ca_succeeds_and_is_signed() {
    let server = Server::start().await;
    let config = Config::builder()
        .region("us-east-1")
        .credentials(credentials())
        .endpoint_url(server.url())
        .ca_bundle(fixture("ca.pem"))
        .retry_config(RetryConfig::disabled())
        .build()
        .expect("config");
    let handle = Handle::new(config, &SPEC);
    let (output, meta) = handle
        .call("DoThing", &(), request(), parse)
        .await
        .unwrap_or_else(|e| panic!("{e} / {e:?}"));
    assert_eq!(output, Output { answer: 42 });
    assert_eq!(meta.status(), 200);
    assert_eq!(meta.request_id(), Some("https-req-1"));
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_request_shape(&seen[0], server.port);
    assert_signed(&seen[0], &server.url());
    assert_eq!(server.handshakes_failed.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn https_without_the_ca_fails_with_a_certificate_error() {
    let server = Server::start().await;
    let config = Config::builder()
        .region("us-east-1")
        .credentials(credentials())
        .endpoint_url(server.url())
        .retry_config(RetryConfig::disabled())
        .build()
        .expect("config");
    let handle = Handle::new(config, &SPEC);
    let err = handle
        .call("DoThing", &(), request(), parse)
        .await
        .expect_err("an unknown CA must be refused");
    let Error::Transport(transport) = &err else {
        panic!("expected Error::Transport, got {err:?}");
    };
    assert_eq!(transport.kind(), HttpErrorKind::Connect);
    let text = err.to_string();
    assert!(
        text.contains("invalid peer certificate") && text.contains("UnknownIssuer"),
        "{text}"
    );
    assert!(!text.contains(SECRET_KEY) && !text.contains(SESSION_TOKEN));
    assert!(server.seen().is_empty(), "{:?}", server.seen());
    // The server saw the handshake fail (give its task a moment to notice).
    for _ in 0..100 {
        if server.handshakes_failed.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(server.handshakes_failed.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn https_with_ca_bundle_and_endpoint_from_the_environment() {
    let server = Server::start().await;
    let ca = fixture("ca.pem");
    let url = server.url();
    let env = Env::from_vars([
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN),
        ("AWS_CA_BUNDLE", ca.to_str().unwrap()),
        ("AWS_ENDPOINT_URL", url.as_str()),
        ("AWS_MAX_ATTEMPTS", "1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let config = Config::from_env_with(env).expect("config from env");
    assert_eq!(
        config.endpoint_url(),
        None,
        "the endpoint comes from the env"
    );
    let handle = Handle::new(config, &SPEC);
    let (output, _) = handle
        .call("DoThing", &(), request(), parse)
        .await
        .unwrap_or_else(|e| panic!("{e} / {e:?}"));
    assert_eq!(output, Output { answer: 42 });
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_request_shape(&seen[0], server.port);
    assert_signed(&seen[0], &url);
}

/// `AWS_CA_BUNDLE` is read once, by `builder_from_env`: the client `build` makes reuses it (the
/// bundle is gone by then here), unless the builder is given another bundle.
#[tokio::test]
async fn the_ca_bundle_from_the_environment_is_read_once() {
    let server = Server::start().await;
    let dir = TempDir::new("read-once");
    let bundle = dir.path().join("bundle.pem");
    std::fs::copy(fixture("ca.pem"), &bundle).unwrap();
    let url = server.url();
    let env = Env::from_vars([
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ("AWS_CA_BUNDLE", bundle.to_str().unwrap()),
        ("AWS_ENDPOINT_URL", url.as_str()),
        ("AWS_MAX_ATTEMPTS", "1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let builder = Config::builder_from_env_with(env.clone()).expect("builder from env");
    std::fs::remove_file(&bundle).unwrap();
    let config = builder.build().expect("the bundle already read is reused");
    let handle = Handle::new(config, &SPEC);
    let (output, _) = handle
        .call("DoThing", &(), request(), parse)
        .await
        .unwrap_or_else(|e| panic!("{e} / {e:?}"));
    assert_eq!(output, Output { answer: 42 });

    // Another bundle set on the builder is read when building.
    std::fs::copy(fixture("ca.pem"), &bundle).unwrap();
    let err = Config::builder_from_env_with(env.clone())
        .expect("builder from env")
        .ca_bundle(dir.path().join("missing.pem"))
        .build()
        .expect_err("a bundle set later is read, and this one is missing");
    assert!(err.to_string().contains("missing.pem"), "{err}");
    // And a missing bundle in the environment is an error at once.
    std::fs::remove_file(&bundle).unwrap();
    assert!(Config::builder_from_env_with(env).is_err());
}

#[test]
fn unusable_ca_bundles_are_clear_config_errors() {
    let dir = TempDir::new("bundle");
    let missing = dir.path().join("does-not-exist.pem");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let no_pem = dir.path().join("no-pem.pem");
    std::fs::write(&no_pem, "this is not a certificate\n").unwrap();
    let key_only = dir.path().join("key-only.pem");
    std::fs::copy(fixture("server.key"), &key_only).unwrap();
    let broken = dir.path().join("broken.pem");
    std::fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();

    let cases = [
        (&missing, "cannot read the CA bundle"),
        (&empty, "holds no certificate"),
        (&no_pem, "holds no certificate"),
        (&key_only, "holds no certificate"),
        (&broken, "is not valid PEM"),
    ];
    for (path, problem) in cases {
        let shown = path.display().to_string();
        let from_builder = Config::builder()
            .region("us-east-1")
            .credentials(credentials())
            .ca_bundle(path.clone())
            .build()
            .expect_err("an unusable CA bundle is refused")
            .to_string();
        let from_env = Config::from_env_with(Env::from_vars([
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
            ("AWS_CA_BUNDLE", shown.as_str()),
            ("HOME", dir.home().as_str()),
        ]))
        .expect_err("an unusable AWS_CA_BUNDLE is refused")
        .to_string();
        for text in [&from_builder, &from_env] {
            assert!(text.contains(&shown), "{text} should name {shown}");
            assert!(text.contains("AWS_CA_BUNDLE"), "{text}");
            assert!(text.contains(problem), "{text} should say {problem:?}");
            assert!(!text.contains(SECRET_KEY), "{text}");
        }
    }
}
