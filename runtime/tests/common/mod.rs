//! Helpers shared by the runtime's integration tests. Each test file uses only some of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use lambda_sdk_runtime::__private::ServiceSpec;

/// A Lambda-like service without endpoint rules: the tests set the endpoint.
pub static SPEC: ServiceSpec = ServiceSpec {
    sdk_id: "Lambda",
    signing_name: "lambda",
    endpoint_prefix: "lambda",
    sdk_user_agent: "lambda-sdk-tests/0.0.0",
    endpoint_resolver: None,
};

/// A unique scratch directory, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory whose name starts with `name`.
    pub fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "lambda-sdk-rt-{name}-{}-{nanos}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `name` in the directory; returns the file's path.
    pub fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// The directory as text, for `HOME`.
    pub fn home(&self) -> String {
        self.0.to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Reads `../../shared/models/<name>` (relative to the runtime crate). `None`, after saying
/// why, when it is absent; a panic instead under `CI=true`.
pub fn shared_json(name: &str) -> Option<serde_json::Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/models")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display())),
        ),
        Err(e) => {
            let why = format!("cannot read {}: {e}", path.display());
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{why} (required when CI=true)");
            }
            eprintln!("skipping: {why}");
            None
        }
    }
}

/// A request as a [`StandIn`] received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Received {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The access key id of the SigV4 `Authorization` header, if the request was signed.
    pub fn signed_by(&self) -> Option<String> {
        let credential = self.header("authorization")?.split("Credential=").nth(1)?;
        Some(credential.split('/').next()?.to_string())
    }

    /// The signature's scope (`date/region/service/aws4_request`), if the request was signed.
    pub fn scope(&self) -> Option<String> {
        let credential = self.header("authorization")?.split("Credential=").nth(1)?;
        let credential = credential.split(',').next()?;
        Some(credential.split_once('/')?.1.to_string())
    }
}

/// The function that answers a stand-in's requests: the request, and every request received
/// so far (itself last); returns the status and the body.
type Answer = dyn Fn(&Received, &[Received]) -> (u16, String) + Send + Sync;

/// A local HTTP/1 server on 127.0.0.1 that plays AWS services (STS, the SSO portal, the
/// service itself) for the credentials tests: it records every request and answers it with a
/// function. Stops with the test's runtime.
pub struct StandIn {
    pub url: String,
    received: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

impl StandIn {
    pub async fn start(
        answer: impl Fn(&Received, &[Received]) -> (u16, String) + Send + Sync + 'static,
    ) -> StandIn {
        use http_body_util::BodyExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let answer: std::sync::Arc<Answer> = std::sync::Arc::new(answer);
        let record = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let record = record.clone();
                let answer = answer.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req: hyper::Request<_>| {
                        let record = record.clone();
                        let answer = answer.clone();
                        async move {
                            let (parts, body) = req.into_parts();
                            let body: hyper::body::Incoming = body;
                            let body = body.collect().await.unwrap().to_bytes();
                            let request = Received {
                                method: parts.method.to_string(),
                                path: parts.uri.path().to_string(),
                                query: parts.uri.query().unwrap_or("").to_string(),
                                headers: parts.headers,
                                body: String::from_utf8_lossy(&body).into_owned(),
                            };
                            let (status, body) = {
                                let mut record = record.lock().unwrap();
                                record.push(request.clone());
                                answer(&request, &record)
                            };
                            Ok::<_, std::convert::Infallible>(
                                hyper::Response::builder()
                                    .status(status)
                                    .body(http_body_util::Full::new(bytes::Bytes::from(body)))
                                    .unwrap(),
                            )
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        StandIn { url, received }
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Makes one call of [`SPEC`]'s service with the configuration `env` gives, as a user's
/// program would (`Config::from_env`).
pub async fn call(
    env: lambda_sdk_runtime::env::Env,
) -> Result<(), lambda_sdk_runtime::error::Error<lambda_sdk_runtime::error::Unhandled>> {
    use lambda_sdk_runtime::__private::{Handle, HttpResponse};
    use lambda_sdk_runtime::error::{Error, Unhandled};
    let config = lambda_sdk_runtime::config::Config::from_env_with(env)
        .unwrap_or_else(|e| panic!("config: {e}"));
    let handle = Handle::new(config, &SPEC);
    let parse = |_: &HttpResponse| -> Result<(), Error<Unhandled>> { Ok(()) };
    handle
        .call(
            "Op",
            &(),
            lambda_sdk_runtime::__private::rest_json::RequestBuilder::new("GET").finish(),
            parse,
        )
        .await
        .map(|_| ())
}

/// The kind and text of a credentials error; panics on any other error.
pub fn credentials_error(
    err: &lambda_sdk_runtime::error::Error<lambda_sdk_runtime::error::Unhandled>,
) -> (
    lambda_sdk_runtime::credentials::CredentialsErrorKind,
    String,
) {
    match err {
        lambda_sdk_runtime::error::Error::Credentials(e) => (e.kind(), e.to_string()),
        other => panic!("not a credentials error: {other:?}"),
    }
}
