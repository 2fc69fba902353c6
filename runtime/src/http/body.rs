//! [`ByteStream`]: a response body read chunk by chunk, the streaming form of what
//! [`HttpConnector::send_streaming`](super::HttpConnector::send_streaming) returns.

use std::fmt;

use bytes::Bytes;
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;

use super::{HttpError, HttpErrorKind};

/// A response body that arrives in chunks.
pub struct ByteStream {
    body: UnsyncBoxBody<Bytes, HttpError>,
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream").finish_non_exhaustive()
    }
}

impl ByteStream {
    /// A stream over any HTTP body.
    pub fn new<B>(body: B) -> ByteStream
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        ByteStream {
            body: body
                .map_err(|e| HttpError::new(HttpErrorKind::Io, e))
                .boxed_unsync(),
        }
    }

    /// A stream that yields these bytes once.
    pub fn from_bytes(bytes: Bytes) -> ByteStream {
        ByteStream::new(http_body_util::Full::new(bytes).map_err(|never| match never {}))
    }

    /// The next chunk, `None` at the end.
    ///
    /// # Errors
    /// When the connection fails mid-body.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, HttpError>> {
        loop {
            match self.body.frame().await? {
                Ok(frame) => match frame.into_data() {
                    Ok(data) if data.is_empty() => continue,
                    Ok(data) => return Some(Ok(data)),
                    // Trailers: not part of the data.
                    Err(_) => continue,
                },
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl ByteStream {
    /// Reads the whole body, refusing one larger than `limit` bytes while reading it.
    ///
    /// # Errors
    /// When the connection fails mid-body, or the body exceeds the limit.
    pub async fn collect(mut self, limit: usize) -> Result<Bytes, HttpError> {
        let mut bytes = Vec::new();
        while let Some(chunk) = self.next_chunk().await {
            let chunk = chunk?;
            if bytes.len() + chunk.len() > limit {
                return Err(HttpError::new(
                    HttpErrorKind::ResponseTooLarge,
                    format!("the response body is larger than the limit of {limit} bytes"),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(bytes))
    }
}
