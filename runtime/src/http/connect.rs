//! The TCP layer under TLS: connects directly, or through a CONNECT tunnel when the proxy
//! settings say so (the `proxy` feature), and hands hyper a [`AckingStream`].
//!
//! Why the stream acknowledges at once: a server that writes a response's head and body in two
//! `send` calls with Nagle's algorithm on (Python's `http.server`, which the local
//! durable-execution emulator and its proxies are built on, does both) holds the body back
//! until the head is acknowledged. On a reused connection Linux delays that acknowledgement by
//! up to 40 ms, so every such response took 40 ms more than it had to (measured: 44 ms per
//! request/response against such a server, 0.1 ms with the acknowledgement sent at once).
//! Setting `TCP_QUICKACK` after each read sends any pending acknowledgement immediately.

use std::future::Future;
use std::io;
use std::pin::Pin;
#[cfg(feature = "proxy")]
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
#[cfg(feature = "proxy")]
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection};
#[cfg(feature = "proxy")]
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Connects over TCP, directly or (with the `proxy` feature) through a CONNECT tunnel.
#[derive(Clone)]
pub(crate) struct Transport {
    http: TcpConnector,
    #[cfg(feature = "proxy")]
    matcher: Option<Arc<Matcher>>,
}

impl Transport {
    /// Direct connections made by `http`.
    #[cfg(not(feature = "proxy"))]
    pub(crate) fn new(http: TcpConnector) -> Self {
        Transport { http }
    }

    /// Connections made by `http`, through the proxy `matcher` picks for a destination.
    #[cfg(feature = "proxy")]
    pub(crate) fn new(http: TcpConnector, matcher: Option<Matcher>) -> Self {
        Transport {
            http,
            matcher: matcher.map(Arc::new),
        }
    }
}

impl tower_service::Service<http::Uri> for Transport {
    type Response = TokioIo<AckingStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        #[cfg(feature = "proxy")]
        let intercept = self.matcher.as_ref().and_then(|m| m.intercept(&dst));
        let mut http = self.http.clone();
        Box::pin(async move {
            #[cfg(feature = "proxy")]
            if let Some(proxy) = intercept {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                let io = tunnel.call(dst).await.map_err(|e| -> BoxError {
                    format!("through the proxy {}: {e}", proxy.uri()).into()
                })?;
                return Ok(AckingStream::wrap(io));
            }
            let io = http.call(dst).await?;
            Ok(AckingStream::wrap(io))
        })
    }
}

/// A TCP stream that acknowledges received data at once (`TCP_QUICKACK` after each read, on
/// Linux and Android; elsewhere a plain stream). See the module documentation for why.
#[derive(Debug)]
pub(crate) struct AckingStream {
    tcp: TcpStream,
}

impl AckingStream {
    fn wrap(io: TokioIo<TcpStream>) -> TokioIo<AckingStream> {
        TokioIo::new(AckingStream {
            tcp: io.into_inner(),
        })
    }

    /// Sends any delayed acknowledgement now. A refusal only costs the delay it would have
    /// saved, so it is ignored.
    fn acknowledge(&self) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let _ = socket2::SockRef::from(&self.tcp).set_tcp_quickack(true);
    }
}

impl AsyncRead for AckingStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.tcp).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.acknowledge();
        }
        polled
    }
}

impl AsyncWrite for AckingStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

impl Connection for AckingStream {
    fn connected(&self) -> Connected {
        self.tcp.connected()
    }
}

#[cfg(all(test, any(target_os = "linux", target_os = "android")))]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// After a read, the socket is out of delayed-acknowledgement mode, so the peer's next
    /// segment is not held back. A plain read on the same connection is the control: it
    /// leaves delayed acknowledgements on (unless the kernel's 40 ms delayed-ack timer fired
    /// in between, which switches them off too; then the round is tried again).
    #[tokio::test]
    async fn a_read_acknowledges_at_once() -> Result<(), Box<dyn std::error::Error>> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let mut client = TcpStream::connect(listener.local_addr()?).await?;
        let (mut server, _) = listener.accept().await?;
        let delaying = |tcp: &TcpStream| -> io::Result<bool> {
            Ok(!socket2::SockRef::from(tcp).tcp_quickack()?)
        };
        let mut buf = [0u8; 16];
        let mut controlled = false;
        for _ in 0..5 {
            socket2::SockRef::from(&client).set_tcp_quickack(false)?;
            server.write_all(b"head").await?;
            let n = client.read(&mut buf).await?;
            assert_eq!(&buf[..n], b"head");
            if delaying(&client)? {
                controlled = true;
                break;
            }
        }
        assert!(controlled, "a plain read never left delayed acks on");

        let mut stream = AckingStream { tcp: client };
        socket2::SockRef::from(&stream.tcp).set_tcp_quickack(false)?;
        server.write_all(b"body").await?;
        let n = stream.read(&mut buf).await?;
        assert_eq!(&buf[..n], b"body");
        assert!(!delaying(&stream.tcp)?, "the read left delayed acks on");

        // Writes pass through, vectored or not.
        stream.write_all(b"request").await?;
        let n = server.read(&mut buf).await?;
        assert_eq!(&buf[..n], b"request");
        assert_eq!(stream.is_write_vectored(), stream.tcp.is_write_vectored());
        Ok(())
    }
}
