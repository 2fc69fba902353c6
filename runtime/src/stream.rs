//! Streaming responses: a typed stream of events ([`EventReceiver`]) decoded from
//! `application/vnd.amazon.eventstream` on a body read chunk by chunk ([`ByteStream`], from
//! [`crate::http`], re-exported here).

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use bytes::Bytes;

use crate::event_stream::{EventStreamError, Frame, Message, MessageDecoder};
pub use crate::http::ByteStream;
use crate::http::HttpError;

/// A type that one event-stream message decodes into: a generated event union.
pub trait DecodeEvent: Sized + Send + 'static {
    /// Decodes an `event` message; exceptions and errors are turned into [`ReceiveError`]s by
    /// the receiver before this is called.
    ///
    /// # Errors
    /// When the message does not match the model.
    fn decode(event_type: &str, message: &Message) -> Result<Self, String>;
}

/// Why the next event could not be received.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReceiveError {
    /// The connection failed mid-stream.
    Transport(HttpError),
    /// The bytes are not a valid event stream.
    Decode(EventStreamError),
    /// An event does not match the model.
    Event(String),
    /// The service sent an exception message.
    Exception {
        /// `:exception-type`.
        exception_type: String,
        /// The exception's payload (usually JSON).
        payload: Bytes,
    },
    /// The service sent an error message.
    Error {
        /// `:error-code`.
        code: String,
        /// `:error-message`.
        message: String,
    },
}

impl fmt::Display for ReceiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReceiveError::Transport(e) => write!(f, "event stream interrupted: {e}"),
            ReceiveError::Decode(e) => write!(f, "invalid event stream: {e}"),
            ReceiveError::Event(e) => write!(f, "unreadable event: {e}"),
            ReceiveError::Exception {
                exception_type,
                payload,
            } => {
                write!(f, "{exception_type}: {}", String::from_utf8_lossy(payload))
            }
            ReceiveError::Error { code, message } => write!(f, "{code}: {message}"),
        }
    }
}

impl std::error::Error for ReceiveError {}

struct State<T> {
    body: Option<ByteStream>,
    decoder: MessageDecoder,
    failed: bool,
    _event: PhantomData<fn() -> T>,
}

/// A typed stream of events from an event-stream response. Events are decoded as their bytes
/// arrive. Clones share one stream: each event goes to whichever clone asks first.
pub struct EventReceiver<T> {
    state: Arc<tokio::sync::Mutex<State<T>>>,
}

impl<T> Clone for EventReceiver<T> {
    fn clone(&self) -> Self {
        EventReceiver {
            state: self.state.clone(),
        }
    }
}

impl<T> fmt::Debug for EventReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventReceiver").finish_non_exhaustive()
    }
}

impl<T> Default for EventReceiver<T> {
    /// A receiver with no events.
    fn default() -> Self {
        EventReceiver::from_state(None)
    }
}

impl<T> PartialEq for EventReceiver<T> {
    /// Receivers are equal when they share one stream.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.state, &other.state)
    }
}

impl<T> EventReceiver<T> {
    /// A receiver decoding events from `body`.
    pub fn new(body: ByteStream) -> Self {
        EventReceiver::from_state(Some(body))
    }

    fn from_state(body: Option<ByteStream>) -> Self {
        EventReceiver {
            state: Arc::new(tokio::sync::Mutex::new(State {
                body,
                decoder: MessageDecoder::new(),
                failed: false,
                _event: PhantomData,
            })),
        }
    }
}

impl<T: DecodeEvent> EventReceiver<T> {
    /// The next event; `Ok(None)` once the stream has ended cleanly.
    ///
    /// # Errors
    /// When the connection fails, the bytes are not a valid event stream, an event does not
    /// match the model, or the service sends an exception or error message. After an error the
    /// stream is over.
    pub async fn recv(&self) -> Result<Option<T>, ReceiveError> {
        let mut state = self.state.lock().await;
        if state.failed {
            return Ok(None);
        }
        let result = next_event(&mut state).await;
        if result.is_err() {
            state.failed = true;
            state.body = None;
        }
        result
    }
}

async fn next_event<T: DecodeEvent>(state: &mut State<T>) -> Result<Option<T>, ReceiveError> {
    loop {
        if let Some(message) = state.decoder.next_message().map_err(ReceiveError::Decode)? {
            match message.frame().map_err(ReceiveError::Decode)? {
                Frame::Event { event_type, .. } => {
                    let event_type = event_type.to_string();
                    return T::decode(&event_type, &message)
                        .map(Some)
                        .map_err(ReceiveError::Event);
                }
                Frame::Exception {
                    exception_type,
                    payload,
                } => {
                    return Err(ReceiveError::Exception {
                        exception_type: exception_type.to_string(),
                        payload: Bytes::copy_from_slice(payload),
                    });
                }
                Frame::Error { code, message } => {
                    return Err(ReceiveError::Error {
                        code: code.to_string(),
                        message: message.to_string(),
                    });
                }
            }
        }
        let Some(body) = state.body.as_mut() else {
            return Ok(None);
        };
        match body.next_chunk().await {
            Some(Ok(chunk)) => state.decoder.push(&chunk),
            Some(Err(e)) => return Err(ReceiveError::Transport(e)),
            None => {
                state.body = None;
                state.decoder.finish().map_err(ReceiveError::Decode)?;
                return Ok(None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event_stream::{Header, encode_message};

    #[derive(Debug, PartialEq)]
    struct Chunk(Vec<u8>);

    impl DecodeEvent for Chunk {
        fn decode(event_type: &str, message: &Message) -> Result<Self, String> {
            match event_type {
                "PayloadChunk" => Ok(Chunk(message.payload().to_vec())),
                other => Err(format!("unexpected {other}")),
            }
        }
    }

    fn event(payload: &[u8]) -> Bytes {
        let headers = [
            Header::new(":message-type", "event").unwrap(),
            Header::new(":event-type", "PayloadChunk").unwrap(),
        ];
        encode_message(&headers, payload)
    }

    #[tokio::test]
    async fn events_decode_in_order_then_end() {
        let mut wire = event(b"a").to_vec();
        wire.extend_from_slice(&event(b"bc"));
        let rx = EventReceiver::<Chunk>::new(ByteStream::from_bytes(Bytes::from(wire)));
        assert_eq!(rx.recv().await.unwrap(), Some(Chunk(b"a".to_vec())));
        assert_eq!(
            rx.clone().recv().await.unwrap(),
            Some(Chunk(b"bc".to_vec()))
        );
        assert_eq!(rx.recv().await.unwrap(), None);
    }

    #[tokio::test]
    async fn errors_and_truncation_end_the_stream() {
        let headers = [
            Header::new(":message-type", "error").unwrap(),
            Header::new(":error-code", "Boom").unwrap(),
            Header::new(":error-message", "it broke").unwrap(),
        ];
        let rx = EventReceiver::<Chunk>::new(ByteStream::from_bytes(encode_message(&headers, b"")));
        let err = rx.recv().await.unwrap_err();
        assert_eq!(err.to_string(), "Boom: it broke");
        assert!(rx.recv().await.unwrap().is_none());

        let wire = event(b"abc");
        let rx = EventReceiver::<Chunk>::new(ByteStream::from_bytes(wire.slice(..wire.len() - 2)));
        assert!(matches!(rx.recv().await, Err(ReceiveError::Decode(_))));
        assert!(
            EventReceiver::<Chunk>::default()
                .recv()
                .await
                .unwrap()
                .is_none()
        );
    }
}
