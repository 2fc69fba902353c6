//! Messages, and the frames the AWS message-type headers make of them.

use super::*;

/// One decoded event-stream message: headers and a payload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    pub(super) headers: Vec<Header>,
    pub(super) payload: Bytes,
}

impl Message {
    /// Creates a message.
    pub fn new(headers: Vec<Header>, payload: impl Into<Bytes>) -> Self {
        Self {
            headers,
            payload: payload.into(),
        }
    }

    /// All headers, in wire order.
    pub fn headers(&self) -> &[Header] {
        &self.headers
    }

    /// The value of the first header called `name` (compared exactly).
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| &h.value)
    }

    /// The payload.
    pub fn payload(&self) -> &Bytes {
        &self.payload
    }

    /// Takes the payload out of the message.
    pub fn into_payload(self) -> Bytes {
        self.payload
    }

    /// Encodes the message; see [`try_encode_message`].
    ///
    /// # Errors
    ///
    /// If the message would be longer than `u32::MAX` bytes.
    pub fn encode(&self) -> Result<Bytes, EventStreamError> {
        try_encode_message(&self.headers, &self.payload)
    }

    /// Interprets the AWS message-type headers.
    ///
    /// - `:message-type` `event`: `:event-type` names the event (the member
    ///   of the event-stream union); the payload is the event.
    /// - `:message-type` `exception`: `:exception-type` names the modeled
    ///   error; the payload is the error's body.
    /// - `:message-type` `error`: an unmodeled error with `:error-code` and
    ///   `:error-message` (the message is empty when that header is absent).
    ///
    /// Other headers, such as `:content-type`, are left to
    /// [`header`](Self::header).
    ///
    /// ```
    /// use lambda_sdk_runtime::event_stream::{Frame, Header, Message};
    ///
    /// let message = Message::new(
    ///     vec![
    ///         Header::new(":message-type", "error")?,
    ///         Header::new(":error-code", "ServiceException")?,
    ///         Header::new(":error-message", "try again")?,
    ///     ],
    ///     "",
    /// );
    /// assert_eq!(
    ///     message.frame()?,
    ///     Frame::Error { code: "ServiceException", message: "try again" }
    /// );
    /// # Ok::<(), lambda_sdk_runtime::event_stream::EventStreamError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// If `:message-type` is missing, not a string or not one of the three
    /// above, or a header the message type requires is missing or not a
    /// string.
    pub fn frame(&self) -> Result<Frame<'_>, EventStreamError> {
        let message_type = self.string_header(":message-type", None)?;
        match message_type {
            "event" => Ok(Frame::Event {
                event_type: self.string_header(":event-type", Some("event"))?,
                payload: &self.payload,
            }),
            "exception" => Ok(Frame::Exception {
                exception_type: self.string_header(":exception-type", Some("exception"))?,
                payload: &self.payload,
            }),
            "error" => Ok(Frame::Error {
                code: self.string_header(":error-code", Some("error"))?,
                message: match self.header(":error-message") {
                    None => "",
                    Some(_) => self.string_header(":error-message", Some("error"))?,
                },
            }),
            other => Err(ErrorKind::UnknownMessageType(other.to_owned()).into()),
        }
    }

    /// A required string header; `message_type` is for the error message.
    fn string_header(
        &self,
        name: &'static str,
        message_type: Option<&'static str>,
    ) -> Result<&str, EventStreamError> {
        match self.header(name) {
            None => Err(ErrorKind::MissingHeader { name, message_type }.into()),
            Some(HeaderValue::String(s)) => Ok(s),
            Some(other) => Err(ErrorKind::NotAString {
                name,
                value_type: other.type_name(),
            }
            .into()),
        }
    }
}

/// A [`Message`] read as one of the three AWS message types; see
/// [`Message::frame`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// `:message-type` `event`.
    Event {
        /// `:event-type`: which member of the event-stream union this is,
        /// e.g. `PayloadChunk` or `InvokeComplete` for Lambda.
        event_type: &'a str,
        /// The event's payload.
        payload: &'a [u8],
    },
    /// `:message-type` `exception`: a modeled error.
    Exception {
        /// `:exception-type`: the error's shape name.
        exception_type: &'a str,
        /// The error's serialized body.
        payload: &'a [u8],
    },
    /// `:message-type` `error`: an unmodeled error.
    Error {
        /// `:error-code`.
        code: &'a str,
        /// `:error-message`, or `""` when absent.
        message: &'a str,
    },
}
