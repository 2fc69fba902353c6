//! The HTTP transport: hyper 1, hyper-util's pooled client and hyper-rustls (ring, webpki
//! roots plus `AWS_CA_BUNDLE`), with `HTTPS_PROXY`/`NO_PROXY` honoured through CONNECT tunnels
//! (with the `proxy` cargo feature, on by default). Sockets acknowledge what they read at once
//! (`connect`), so a server that sends a response in two writes is not held back 40 ms.
//!
//! Requests and responses are fully buffered [`Bytes`]: every restJson1 operation of this SDK
//! has a bounded body, and a response larger than the configured limit is refused while it is
//! read, without buffering it.

mod body;
mod connect;
#[cfg(any(
    feature = "container-credentials",
    feature = "imds",
    feature = "sts",
    feature = "sso"
))]
pub(crate) mod fetch;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
#[cfg(feature = "proxy")]
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioExecutor;

pub use body::ByteStream;
use connect::Transport;

/// Settings of the HTTP transport.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// How long establishing a TCP connection may take.
    pub connect_timeout: Duration,
    /// Extra PEM certificates to trust besides the webpki roots (`AWS_CA_BUNDLE`).
    pub ca_bundle: Option<PathBuf>,
    /// The proxy to use, if any. Needs the `proxy` cargo feature (on by default).
    #[cfg(feature = "proxy")]
    pub proxy: Option<ProxySettings>,
    /// The largest response body accepted, in bytes.
    pub max_response_bytes: usize,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            connect_timeout: Duration::from_secs(3),
            ca_bundle: None,
            #[cfg(feature = "proxy")]
            proxy: None,
            max_response_bytes: 64 * 1024 * 1024,
            pool_idle_timeout: Duration::from_secs(20),
        }
    }
}

/// Proxy settings, as curl and the AWS SDKs read them from `HTTPS_PROXY`, `HTTP_PROXY`,
/// `ALL_PROXY` and `NO_PROXY` (or their lowercase forms). Requests go through CONNECT tunnels.
/// `Debug` masks any user name and password in the proxy URLs.
///
/// Needs the `proxy` cargo feature (on by default).
#[cfg(feature = "proxy")]
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    /// Proxy for `https://` destinations.
    pub https: Option<String>,
    /// Proxy for `http://` destinations.
    pub http: Option<String>,
    /// Comma-separated hosts, domains and networks that bypass the proxy.
    pub no_proxy: Option<String>,
}

#[cfg(feature = "proxy")]
impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxySettings")
            .field("https", &self.https.as_deref().map(mask_userinfo))
            .field("http", &self.http.as_deref().map(mask_userinfo))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// A URL with any `user:password@` replaced by `***@`, for logs.
pub(crate) fn mask_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let prefix = if scheme.is_empty() {
                String::new()
            } else {
                format!("{scheme}://")
            };
            format!("{prefix}***@{}", &rest[at + 1..])
        }
        None => url.to_string(),
    }
}

#[cfg(feature = "proxy")]
impl ProxySettings {
    /// Reads the proxy variables from `env`; `None` when no proxy is set.
    pub fn from_env(env: &crate::env::Env) -> Option<ProxySettings> {
        let var = |upper: &str| {
            env.get(upper)
                .or_else(|| env.get(&upper.to_ascii_lowercase()))
        };
        let all = var("ALL_PROXY");
        let settings = ProxySettings {
            https: var("HTTPS_PROXY").or_else(|| all.clone()),
            http: var("HTTP_PROXY").or(all),
            no_proxy: var("NO_PROXY"),
        };
        (settings.https.is_some() || settings.http.is_some()).then_some(settings)
    }

    fn matcher(&self) -> Matcher {
        Matcher::builder()
            .https(self.https.clone().unwrap_or_default())
            .http(self.http.clone().unwrap_or_default())
            .no(self.no_proxy.clone().unwrap_or_default())
            .build()
    }
}

/// The proxy variables [`ProxySettings::from_env`] reads, uppercase and lowercase.
#[cfg(not(feature = "proxy"))]
pub(crate) const PROXY_VARIABLES: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "HTTP_PROXY",
    "http_proxy",
];

/// Without the `proxy` feature: an error when a proxy variable is set, since requests would
/// otherwise bypass a proxy the network may require, unless `NO_PROXY` is `*` (no proxy for
/// any host, so there is nothing to bypass).
#[cfg(not(feature = "proxy"))]
pub(crate) fn refuse_proxy_variables(
    env: &crate::env::Env,
) -> Result<(), crate::settings::ConfigError> {
    let no_proxy = env.get("NO_PROXY").or_else(|| env.get("no_proxy"));
    if no_proxy.is_some_and(|list| list.split(',').any(|host| host.trim() == "*")) {
        return Ok(());
    }
    match PROXY_VARIABLES.iter().find(|var| env.get(var).is_some()) {
        Some(var) => Err(crate::settings::ConfigError::new(format!(
            "the environment variable {var} is set, but this build cannot send requests \
             through a proxy (lambda-sdk's `proxy` cargo feature is off), so they would bypass \
             it: enable the `proxy` feature, or unset {var} (NO_PROXY=* also says that no \
             proxy is wanted)"
        ))),
        None => Ok(()),
    }
}

/// Why the transport could not be set up.
#[derive(Debug)]
pub struct HttpSetupError {
    message: String,
}

impl fmt::Display for HttpSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HttpSetupError {}

/// A request that failed in transport: no response was read.
#[derive(Debug)]
pub struct HttpError {
    kind: HttpErrorKind,
    source: Box<dyn std::error::Error + Send + Sync>,
}

/// What kind of transport failure an [`HttpError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpErrorKind {
    /// Connecting (TCP, proxy tunnel or TLS) failed; the request was not sent.
    Connect,
    /// The connection failed while sending the request or reading the response.
    Io,
    /// The response body was larger than the configured limit.
    ResponseTooLarge,
}

impl HttpError {
    /// A transport failure of this kind, for [`HttpConnector`] implementations.
    pub fn new(
        kind: HttpErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        HttpError {
            kind,
            source: source.into(),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> HttpErrorKind {
        self.kind
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            HttpErrorKind::Connect => {
                write!(f, "could not connect: {}", source_chain(&*self.source))
            }
            HttpErrorKind::Io => write!(f, "connection failed: {}", source_chain(&*self.source)),
            HttpErrorKind::ResponseTooLarge => write!(f, "{}", self.source),
        }
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// An error and its sources, joined with `: `, so the root cause is visible in one line.
pub(crate) fn source_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut next = err.source();
    while let Some(e) = next {
        let text = e.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = e.source();
    }
    out
}

/// Facts about a successful response: its request id and status. Two values always compare
/// equal, so comparing responses compares what the service returned.
#[derive(Clone, Debug, Default)]
pub struct ResponseMetadata {
    request_id: Option<String>,
    status: u16,
}

impl ResponseMetadata {
    /// Metadata of a response with this status and request id (for connectors and mocks).
    pub fn new(status: u16, request_id: Option<String>) -> Self {
        ResponseMetadata { request_id, status }
    }

    /// The `x-amzn-RequestId` of the response.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }
}

impl PartialEq for ResponseMetadata {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// What sends requests: the built-in [`HttpClient`], or a replacement (a test double, another
/// transport). It receives a complete, signed request and returns the whole response.
pub trait HttpConnector: Send + Sync + fmt::Debug {
    /// Sends the request and reads the whole response.
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> crate::future::BoxFuture<'_, Result<http::Response<Bytes>, HttpError>>;

    /// Sends the request and returns as soon as the response head arrives, with a body that is
    /// read as it comes (for event streams). The default reads the whole body first.
    fn send_streaming(
        &self,
        request: http::Request<Bytes>,
    ) -> crate::future::BoxFuture<'_, Result<http::Response<ByteStream>, HttpError>> {
        let sent = self.send(request);
        Box::pin(async move { Ok(sent.await?.map(ByteStream::from_bytes)) })
    }
}

impl HttpConnector for HttpClient {
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> crate::future::BoxFuture<'_, Result<http::Response<Bytes>, HttpError>> {
        Box::pin(HttpClient::send(self, request))
    }

    fn send_streaming(
        &self,
        request: http::Request<Bytes>,
    ) -> crate::future::BoxFuture<'_, Result<http::Response<ByteStream>, HttpError>> {
        Box::pin(async move {
            let response = self
                .client
                .request(request.map(Full::new))
                .await
                .map_err(request_failed)?;
            Ok(response.map(ByteStream::new))
        })
    }
}

/// A pooled HTTP client. Cloning is cheap: clones share the connection pool.
#[derive(Clone)]
pub struct HttpClient {
    client: Client<HttpsConnector<Transport>, Full<Bytes>>,
    max_response_bytes: usize,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// Builds a client. Reads `ca_bundle` from disk if set.
    ///
    /// # Errors
    /// When the CA bundle cannot be read or holds no usable certificate.
    pub fn new(settings: &HttpSettings) -> Result<Self, HttpSetupError> {
        let tls = tls_config(settings.ca_bundle.as_deref())?;
        Ok(Self::with_tls(settings, tls))
    }

    /// Builds a client with a TLS configuration made earlier by [`tls_config`] (the CA bundle
    /// in `settings` is not read again).
    pub(crate) fn with_tls(settings: &HttpSettings, tls: rustls::ClientConfig) -> Self {
        let mut http = TcpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(settings.connect_timeout));
        http.set_nodelay(true);
        #[cfg(feature = "proxy")]
        let transport = Transport::new(http, settings.proxy.as_ref().map(|p| p.matcher()));
        #[cfg(not(feature = "proxy"))]
        let transport = Transport::new(http);
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http();
        #[cfg(feature = "http2")]
        let connector = builder.enable_all_versions().wrap_connector(transport);
        #[cfg(not(feature = "http2"))]
        let connector = builder.enable_http1().wrap_connector(transport);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .build(connector);
        HttpClient {
            client,
            max_response_bytes: settings.max_response_bytes,
        }
    }

    /// Sends a request and reads the whole response.
    ///
    /// # Errors
    /// On any transport failure, or when the response body exceeds the size limit (checked
    /// against `Content-Length` first, then while reading).
    pub async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, HttpError> {
        let request = request.map(Full::new);
        let response = self.client.request(request).await.map_err(request_failed)?;
        let limit = self.max_response_bytes;
        let declared = response
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let Some(len) = declared
            && len > limit as u64
        {
            return Err(too_large(limit, Some(len)));
        }
        let (parts, body) = response.into_parts();
        let bytes = Limited::new(body, limit)
            .collect()
            .await
            .map_err(|e| {
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    too_large(limit, None)
                } else {
                    HttpError {
                        kind: HttpErrorKind::Io,
                        source: e,
                    }
                }
            })?
            .to_bytes();
        Ok(http::Response::from_parts(parts, bytes))
    }
}

/// A failed exchange: connecting (nothing was sent) or later.
fn request_failed(e: hyper_util::client::legacy::Error) -> HttpError {
    let kind = if e.is_connect() {
        HttpErrorKind::Connect
    } else {
        HttpErrorKind::Io
    };
    HttpError {
        kind,
        source: Box::new(e),
    }
}

fn too_large(limit: usize, declared: Option<u64>) -> HttpError {
    let message = match declared {
        Some(len) => {
            format!("the response body ({len} bytes) is larger than the limit of {limit} bytes")
        }
        None => format!("the response body is larger than the limit of {limit} bytes"),
    };
    HttpError {
        kind: HttpErrorKind::ResponseTooLarge,
        source: message.into(),
    }
}

/// The TLS configuration: webpki's roots plus the certificates of `ca_bundle`.
pub(crate) fn tls_config(ca_bundle: Option<&Path>) -> Result<rustls::ClientConfig, HttpSetupError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_bundle {
        use rustls_pki_types::pem::PemObject;
        let setup = |m: String| HttpSetupError { message: m };
        let certs = rustls_pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| {
                setup(format!(
                    "cannot read the CA bundle {} (AWS_CA_BUNDLE): {e}",
                    path.display()
                ))
            })?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                setup(format!(
                    "the CA bundle {} (AWS_CA_BUNDLE) is not valid PEM: {e}",
                    path.display()
                ))
            })?;
        if certs.is_empty() {
            return Err(setup(format!(
                "the CA bundle {} (AWS_CA_BUNDLE) holds no certificate",
                path.display()
            )));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| {
                setup(format!(
                    "the CA bundle {} (AWS_CA_BUNDLE) has an unusable certificate: {e}",
                    path.display()
                ))
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| HttpSetupError {
            message: format!("TLS setup failed: {e}"),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

#[cfg(test)]
mod mask_tests {
    use super::*;

    #[test]
    fn userinfo_is_masked() {
        assert_eq!(
            mask_userinfo("http://alice:s3cret@proxy:3128"),
            "http://***@proxy:3128"
        );
        assert_eq!(mask_userinfo("proxy:3128"), "proxy:3128");
    }

    #[cfg(feature = "proxy")]
    #[test]
    fn proxy_settings_debug_masks_userinfo() {
        let settings = ProxySettings {
            https: Some("http://alice:s3cret@proxy:3128/path@x".into()),
            ..ProxySettings::default()
        };
        let debug = format!("{settings:?}");
        assert!(
            !debug.contains("s3cret") && !debug.contains("alice"),
            "{debug}"
        );
    }
}
