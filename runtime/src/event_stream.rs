//! The `application/vnd.amazon.eventstream` encoding: the binary framing AWS
//! uses for streaming responses such as Lambda's `InvokeWithResponseStream`.
//!
//! A stream is a sequence of messages. Each message is laid out as follows
//! (all integers big-endian):
//!
//! | bytes        | field                                                   |
//! |--------------|---------------------------------------------------------|
//! | 4            | total length of the message, this field and CRC included |
//! | 4            | length of the header block                              |
//! | 4            | prelude CRC: CRC-32 of the previous 8 bytes             |
//! | headers len  | headers                                                 |
//! | rest         | payload                                                 |
//! | 4            | message CRC: CRC-32 of every byte before it             |
//!
//! The CRC is CRC-32/ISO-HDLC (the zlib / IEEE 802.3 one). A header is a name
//! length (`u8`), the UTF-8 name, a value type (`u8`) and the value; see
//! [`HeaderValue`] for the ten value types.
//!
//! - [`MessageDecoder`] turns the bytes of a response body, in chunks of any
//!   size, into [`Message`]s, checking both CRCs and every length.
//! - [`Message::frame`] reads the AWS message-type headers (`:message-type`,
//!   `:event-type`, `:exception-type`, `:error-code`, `:error-message`) and
//!   returns a [`Frame`].
//! - [`encode_message`] writes a message, for tests and test servers that
//!   play the part of AWS.
//!
//! ```
//! use lambda_sdk_runtime::event_stream::{
//!     EventStreamError, Frame, Header, MessageDecoder, encode_message,
//! };
//!
//! let headers = [
//!     Header::new(":message-type", "event")?,
//!     Header::new(":event-type", "PayloadChunk")?,
//!     Header::new(":content-type", "application/octet-stream")?,
//! ];
//! let wire = encode_message(&headers, b"hello");
//!
//! // The bytes may arrive in arbitrary pieces.
//! let mut decoder = MessageDecoder::new();
//! decoder.push(&wire[..7]);
//! assert!(decoder.next_message()?.is_none());
//! decoder.push(&wire[7..]);
//! let message = decoder.next_message()?.expect("a whole message was pushed");
//! assert_eq!(
//!     message.frame()?,
//!     Frame::Event { event_type: "PayloadChunk", payload: b"hello" }
//! );
//! assert!(decoder.next_message()?.is_none());
//! decoder.finish()?; // nothing left over
//! # Ok::<(), EventStreamError>(())
//! ```

use std::fmt;

use bytes::{BufMut, Bytes, BytesMut};

use crate::DateTime;

mod decode;
#[cfg(test)]
mod tests;

pub use self::decode::*;

/// Prelude: total length, headers length, prelude CRC.
const PRELUDE_LEN: usize = 12;
/// The trailing message CRC.
const CRC_LEN: usize = 4;
/// A message with no headers and an empty payload.
const MIN_MESSAGE_LEN: usize = PRELUDE_LEN + CRC_LEN;
/// Header names are prefixed by a `u8` length.
const MAX_HEADER_NAME_LEN: usize = u8::MAX as usize;
/// Byte-array and string header values are prefixed by a `u16` length.
const MAX_HEADER_VALUE_LEN: usize = u16::MAX as usize;

/// The default limit on a message's total length: 16 MiB, the maximum AWS
/// itself allows for an event-stream message.
pub const DEFAULT_MAX_MESSAGE_LEN: u32 = 16 * 1024 * 1024;

// ---------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------

/// The value of a message [`Header`]; the variant is the value type on the
/// wire.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HeaderValue {
    /// Types 0 (`true`) and 1 (`false`); no value bytes.
    Bool(bool),
    /// Type 2: a signed byte.
    Byte(i8),
    /// Type 3: a big-endian `i16`.
    Short(i16),
    /// Type 4: a big-endian `i32`.
    Int(i32),
    /// Type 5: a big-endian `i64`.
    Long(i64),
    /// Type 6: a `u16` length, then that many bytes (at most 65 535).
    Bytes(Bytes),
    /// Type 7: a `u16` length, then that many bytes of UTF-8 (at most 65 535).
    String(String),
    /// Type 8: a big-endian `i64` of milliseconds since the Unix epoch.
    ///
    /// Encoding drops anything finer than a millisecond.
    Timestamp(DateTime),
    /// Type 9: 16 bytes.
    Uuid([u8; 16]),
}

impl HeaderValue {
    /// The string, if this is a [`HeaderValue::String`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value type byte written on the wire.
    fn type_id(&self) -> u8 {
        match self {
            Self::Bool(true) => 0,
            Self::Bool(false) => 1,
            Self::Byte(_) => 2,
            Self::Short(_) => 3,
            Self::Int(_) => 4,
            Self::Long(_) => 5,
            Self::Bytes(_) => 6,
            Self::String(_) => 7,
            Self::Timestamp(_) => 8,
            Self::Uuid(_) => 9,
        }
    }

    /// The name of the value type, for error messages.
    fn type_name(&self) -> &'static str {
        match self {
            Self::Bool(_) => "boolean",
            Self::Byte(_) => "byte",
            Self::Short(_) => "short",
            Self::Int(_) => "integer",
            Self::Long(_) => "long",
            Self::Bytes(_) => "byte array",
            Self::String(_) => "string",
            Self::Timestamp(_) => "timestamp",
            Self::Uuid(_) => "uuid",
        }
    }

    /// The length of a variable-length value (byte array or string).
    fn variable_len(&self) -> Option<usize> {
        match self {
            Self::Bytes(b) => Some(b.len()),
            Self::String(s) => Some(s.len()),
            _ => None,
        }
    }
}

impl From<bool> for HeaderValue {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<i8> for HeaderValue {
    fn from(value: i8) -> Self {
        Self::Byte(value)
    }
}

impl From<i16> for HeaderValue {
    fn from(value: i16) -> Self {
        Self::Short(value)
    }
}

impl From<i32> for HeaderValue {
    fn from(value: i32) -> Self {
        Self::Int(value)
    }
}

impl From<i64> for HeaderValue {
    fn from(value: i64) -> Self {
        Self::Long(value)
    }
}

impl From<Bytes> for HeaderValue {
    fn from(value: Bytes) -> Self {
        Self::Bytes(value)
    }
}

impl From<Vec<u8>> for HeaderValue {
    fn from(value: Vec<u8>) -> Self {
        Self::Bytes(value.into())
    }
}

impl From<String> for HeaderValue {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl From<&str> for HeaderValue {
    fn from(value: &str) -> Self {
        Self::String(value.to_owned())
    }
}

impl From<DateTime> for HeaderValue {
    fn from(value: DateTime) -> Self {
        Self::Timestamp(value)
    }
}

impl From<[u8; 16]> for HeaderValue {
    fn from(value: [u8; 16]) -> Self {
        Self::Uuid(value)
    }
}

/// One header of a [`Message`]: a name and a typed value.
///
/// A header always fits the wire format: its name is at most 255 bytes of
/// UTF-8 and a byte-array or string value at most 65 535 bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    name: String,
    value: HeaderValue,
}

impl Header {
    /// Creates a header, checking that it can be encoded.
    ///
    /// ```
    /// use lambda_sdk_runtime::event_stream::{Header, HeaderValue};
    ///
    /// let header = Header::new(":event-type", "PayloadChunk")?;
    /// assert_eq!(header.name(), ":event-type");
    /// assert_eq!(header.value(), &HeaderValue::String("PayloadChunk".into()));
    ///
    /// let err = Header::new("x".repeat(256), true).unwrap_err();
    /// assert_eq!(err.to_string(), "header name is 256 bytes long; the limit is 255");
    /// # Ok::<(), lambda_sdk_runtime::event_stream::EventStreamError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// If the name is longer than 255 bytes, or the value is a byte array or
    /// string longer than 65 535 bytes.
    pub fn new(
        name: impl Into<String>,
        value: impl Into<HeaderValue>,
    ) -> Result<Self, EventStreamError> {
        let header = Self {
            name: name.into(),
            value: value.into(),
        };
        header.check()?;
        Ok(header)
    }

    /// The header's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The header's value.
    pub fn value(&self) -> &HeaderValue {
        &self.value
    }

    /// Takes the name and value out of the header.
    pub fn into_parts(self) -> (String, HeaderValue) {
        (self.name, self.value)
    }

    /// Checks the lengths the wire format limits.
    fn check(&self) -> Result<(), EventStreamError> {
        if self.name.len() > MAX_HEADER_NAME_LEN {
            return Err(ErrorKind::HeaderNameTooLong {
                len: self.name.len(),
            }
            .into());
        }
        match self.value.variable_len() {
            Some(len) if len > MAX_HEADER_VALUE_LEN => Err(ErrorKind::HeaderValueTooLong {
                name: self.name.clone(),
                value_type: self.value.type_name(),
                len,
            }
            .into()),
            _ => Ok(()),
        }
    }

    /// Appends the header's wire form to `out`.
    fn write(&self, out: &mut BytesMut) -> Result<(), EventStreamError> {
        self.check()?;
        // `check` bounded both lengths, so the conversions cannot fail; the
        // fallbacks only keep this free of panics.
        let name_len = u8::try_from(self.name.len()).map_err(|_| ErrorKind::HeaderNameTooLong {
            len: self.name.len(),
        })?;
        out.put_u8(name_len);
        out.put_slice(self.name.as_bytes());
        out.put_u8(self.value.type_id());
        match &self.value {
            HeaderValue::Bool(_) => {}
            HeaderValue::Byte(v) => out.put_i8(*v),
            HeaderValue::Short(v) => out.put_i16(*v),
            HeaderValue::Int(v) => out.put_i32(*v),
            HeaderValue::Long(v) => out.put_i64(*v),
            HeaderValue::Bytes(v) => self.write_variable(out, v)?,
            HeaderValue::String(v) => self.write_variable(out, v.as_bytes())?,
            HeaderValue::Timestamp(v) => out.put_i64(v.to_millis()),
            HeaderValue::Uuid(v) => out.put_slice(v),
        }
        Ok(())
    }

    fn write_variable(&self, out: &mut BytesMut, value: &[u8]) -> Result<(), EventStreamError> {
        let len = u16::try_from(value.len()).map_err(|_| ErrorKind::HeaderValueTooLong {
            name: self.name.clone(),
            value_type: self.value.type_name(),
            len: value.len(),
        })?;
        out.put_u16(len);
        out.put_slice(value);
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Messages and frames
// ---------------------------------------------------------------------------

/// One decoded event-stream message: headers and a payload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    headers: Vec<Header>,
    payload: Bytes,
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

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

/// Encodes one message with correct lengths and CRCs.
///
/// Meant for tests and test servers that stand in for AWS.
///
/// ```
/// use lambda_sdk_runtime::event_stream::encode_message;
///
/// // No headers, empty payload: the smallest message.
/// assert_eq!(
///     encode_message(&[], b"").as_ref(),
///     [0, 0, 0, 16, 0, 0, 0, 0, 0x05, 0xc2, 0x48, 0xeb, 0x7d, 0x98, 0xc8, 0xff]
/// );
/// ```
///
/// # Panics
///
/// If the message would be longer than `u32::MAX` bytes, which takes a
/// payload of about 4 GiB; [`try_encode_message`] returns an error instead.
pub fn encode_message(headers: &[Header], payload: &[u8]) -> Bytes {
    match try_encode_message(headers, payload) {
        Ok(bytes) => bytes,
        Err(err) => panic!("encode_message: {err}"),
    }
}

/// Encodes one message with correct lengths and CRCs, or says why it cannot.
///
/// # Errors
///
/// If the message would be longer than `u32::MAX` bytes.
pub fn try_encode_message(headers: &[Header], payload: &[u8]) -> Result<Bytes, EventStreamError> {
    let mut block = BytesMut::new();
    for header in headers {
        header.write(&mut block)?;
    }
    let total = MIN_MESSAGE_LEN
        .checked_add(block.len())
        .and_then(|n| n.checked_add(payload.len()));
    let too_long = || ErrorKind::TooLongToEncode {
        headers_len: block.len(),
        payload_len: payload.len(),
    };
    let total = total.ok_or_else(too_long)?;
    let total_u32 = u32::try_from(total).map_err(|_| too_long())?;
    // At most `total`, so it fits too.
    let headers_u32 = u32::try_from(block.len()).map_err(|_| too_long())?;

    let mut out = BytesMut::with_capacity(total);
    out.put_u32(total_u32);
    out.put_u32(headers_u32);
    let prelude_crc = crc32(&out);
    out.put_u32(prelude_crc);
    out.put_slice(&block);
    out.put_slice(payload);
    let message_crc = crc32(&out);
    out.put_u32(message_crc);
    Ok(out.freeze())
}
