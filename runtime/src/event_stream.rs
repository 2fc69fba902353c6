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

#[cfg(test)]
mod tests;

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

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

/// An incremental decoder: push the bytes of a stream as they arrive and take
/// out each message once it is complete.
///
/// Chunks may split messages at any byte and may hold several messages. Each
/// message's prelude is checked as soon as its 12 bytes are in: a bad CRC or
/// an impossible or too large total length is reported before any of the
/// message body is buffered.
///
/// Errors are final: the stream cannot be resynchronised, so once
/// [`next_message`](Self::next_message) fails, it and
/// [`finish`](Self::finish) return the same error and further pushes are
/// ignored.
#[derive(Debug)]
pub struct MessageDecoder {
    buf: BytesMut,
    max_message_len: u32,
    error: Option<EventStreamError>,
}

impl Default for MessageDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl MessageDecoder {
    /// A decoder accepting messages of up to [`DEFAULT_MAX_MESSAGE_LEN`]
    /// bytes.
    pub fn new() -> Self {
        Self {
            buf: BytesMut::new(),
            max_message_len: DEFAULT_MAX_MESSAGE_LEN,
            error: None,
        }
    }

    /// Sets the largest total message length accepted, in bytes; a prelude
    /// announcing a longer message is an error.
    pub fn with_max_message_len(mut self, max: u32) -> Self {
        self.max_message_len = max;
        self
    }

    /// The largest total message length accepted, in bytes.
    pub fn max_message_len(&self) -> u32 {
        self.max_message_len
    }

    /// Appends the next bytes of the stream.
    ///
    /// Ignored once decoding has failed.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.error.is_none() {
            self.buf.extend_from_slice(chunk);
        }
    }

    /// How many pushed bytes have not yet been returned as messages.
    pub fn buffered_len(&self) -> usize {
        self.buf.len()
    }

    /// The next complete message, or `None` if more bytes are needed.
    ///
    /// Call it until it returns `None` after every [`push`](Self::push):
    /// one chunk may complete several messages.
    ///
    /// # Errors
    ///
    /// If the prelude or message CRC does not match; if the total length is
    /// under 16, over [`max_message_len`](Self::max_message_len), or leaves
    /// no room for the announced headers length; if a header is truncated,
    /// has an unknown value type, or a name or string value that is not
    /// UTF-8. The error is then returned by every later call.
    pub fn next_message(&mut self) -> Result<Option<Message>, EventStreamError> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        let result = self.decode_next();
        if let Err(err) = &result {
            self.error = Some(err.clone());
            self.buf = BytesMut::new();
        }
        result
    }

    /// Checks that the stream ended between messages.
    ///
    /// Call it at the end of the stream, after
    /// [`next_message`](Self::next_message) has returned `None`.
    ///
    /// # Errors
    ///
    /// If decoding failed earlier (the same error), or if bytes remain that
    /// [`next_message`](Self::next_message) has not returned: a truncated
    /// message, or a complete one not yet taken out.
    pub fn finish(&self) -> Result<(), EventStreamError> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        let expected = match self.buf.first_chunk::<PRELUDE_LEN>() {
            Some(prelude) => Some(Prelude::parse(prelude, self.max_message_len)?.total_len),
            None => None,
        };
        Err(ErrorKind::Incomplete {
            buffered: self.buf.len(),
            expected,
        }
        .into())
    }

    fn decode_next(&mut self) -> Result<Option<Message>, EventStreamError> {
        let Some(prelude) = self.buf.first_chunk::<PRELUDE_LEN>() else {
            return Ok(None);
        };
        let prelude = Prelude::parse(prelude, self.max_message_len)?;
        let total = prelude.total_len as usize;
        if self.buf.len() < total {
            // Bounded by `max_message_len`: make room for the rest at once.
            self.buf.reserve(total - self.buf.len());
            return Ok(None);
        }
        let raw = self.buf.split_to(total).freeze();
        decode_message(raw, &prelude).map(Some)
    }
}

/// A prelude whose CRC and lengths have been checked.
struct Prelude {
    /// At least [`MIN_MESSAGE_LEN`] and at most the decoder's limit.
    total_len: u32,
    /// At most `total_len - MIN_MESSAGE_LEN`.
    headers_len: u32,
}

impl Prelude {
    fn parse(bytes: &[u8; PRELUDE_LEN], max_message_len: u32) -> Result<Self, EventStreamError> {
        let [t0, t1, t2, t3, h0, h1, h2, h3, c0, c1, c2, c3] = *bytes;
        let expected = u32::from_be_bytes([c0, c1, c2, c3]);
        let computed = crc32(&[t0, t1, t2, t3, h0, h1, h2, h3]);
        if expected != computed {
            return Err(ErrorKind::PreludeChecksum { expected, computed }.into());
        }
        let total_len = u32::from_be_bytes([t0, t1, t2, t3]);
        let headers_len = u32::from_be_bytes([h0, h1, h2, h3]);
        if (total_len as usize) < MIN_MESSAGE_LEN {
            return Err(ErrorKind::MessageTooShort { total_len }.into());
        }
        if total_len > max_message_len {
            return Err(ErrorKind::MessageTooLong {
                total_len,
                max: max_message_len,
            }
            .into());
        }
        if headers_len as usize > total_len as usize - MIN_MESSAGE_LEN {
            return Err(ErrorKind::HeadersTooLong {
                headers_len,
                total_len,
            }
            .into());
        }
        Ok(Self {
            total_len,
            headers_len,
        })
    }
}

/// Decodes one whole message whose prelude has been checked.
fn decode_message(raw: Bytes, prelude: &Prelude) -> Result<Message, EventStreamError> {
    let Some((body, crc)) = raw.split_last_chunk::<CRC_LEN>() else {
        return Err(ErrorKind::MessageTooShort {
            total_len: prelude.total_len,
        }
        .into());
    };
    let expected = u32::from_be_bytes(*crc);
    let computed = crc32(body);
    if expected != computed {
        return Err(ErrorKind::MessageChecksum { expected, computed }.into());
    }
    // In range: `Prelude::parse` checked headers_len <= total_len - 16 and
    // `raw` is exactly total_len bytes.
    let headers_end = PRELUDE_LEN + prelude.headers_len as usize;
    let headers = decode_headers(raw.slice(PRELUDE_LEN..headers_end))?;
    let payload = raw.slice(headers_end..raw.len() - CRC_LEN);
    Ok(Message { headers, payload })
}

/// Decodes a header block.
fn decode_headers(block: Bytes) -> Result<Vec<Header>, EventStreamError> {
    let mut reader = HeaderReader { block, pos: 0 };
    let mut headers = Vec::new();
    while reader.pos < reader.block.len() {
        let start = reader.pos;
        let [name_len] = reader.array(start, "name length", None)?;
        let name = reader.take(usize::from(name_len), start, "name", None)?;
        let name = std::str::from_utf8(&name)
            .map_err(|_| ErrorKind::InvalidHeaderName { offset: start })?
            .to_owned();
        let name_ref = Some(name.as_str());
        let [type_id] = reader.array(start, "value type", name_ref)?;
        let value = match type_id {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => HeaderValue::Byte(i8::from_be_bytes(reader.array(start, "value", name_ref)?)),
            3 => HeaderValue::Short(i16::from_be_bytes(reader.array(start, "value", name_ref)?)),
            4 => HeaderValue::Int(i32::from_be_bytes(reader.array(start, "value", name_ref)?)),
            5 => HeaderValue::Long(i64::from_be_bytes(reader.array(start, "value", name_ref)?)),
            6 => HeaderValue::Bytes(reader.variable(start, name_ref)?),
            7 => {
                let raw = reader.variable(start, name_ref)?;
                match String::from_utf8(raw.to_vec()) {
                    Ok(s) => HeaderValue::String(s),
                    Err(_) => return Err(ErrorKind::InvalidHeaderString { name }.into()),
                }
            }
            8 => HeaderValue::Timestamp(DateTime::from_millis(i64::from_be_bytes(
                reader.array(start, "value", name_ref)?,
            ))),
            9 => HeaderValue::Uuid(reader.array(start, "value", name_ref)?),
            other => {
                return Err(ErrorKind::UnknownHeaderType {
                    name,
                    type_id: other,
                }
                .into());
            }
        };
        headers.push(Header { name, value });
    }
    Ok(headers)
}

/// A cursor over a header block that reports truncation precisely.
struct HeaderReader {
    block: Bytes,
    pos: usize,
}

impl HeaderReader {
    fn truncated(
        &self,
        start: usize,
        field: &'static str,
        name: Option<&str>,
        needed: usize,
    ) -> EventStreamError {
        ErrorKind::TruncatedHeader {
            offset: start,
            field,
            name: name.map(str::to_owned),
            needed,
            available: self.block.len() - self.pos,
        }
        .into()
    }

    /// The next `N` bytes.
    fn array<const N: usize>(
        &mut self,
        start: usize,
        field: &'static str,
        name: Option<&str>,
    ) -> Result<[u8; N], EventStreamError> {
        let chunk = self
            .block
            .get(self.pos..)
            .and_then(|rest| rest.first_chunk::<N>());
        match chunk {
            Some(chunk) => {
                let out = *chunk;
                self.pos += N;
                Ok(out)
            }
            None => Err(self.truncated(start, field, name, N)),
        }
    }

    /// The next `len` bytes, without copying.
    fn take(
        &mut self,
        len: usize,
        start: usize,
        field: &'static str,
        name: Option<&str>,
    ) -> Result<Bytes, EventStreamError> {
        let end = self.pos + len;
        if end > self.block.len() {
            return Err(self.truncated(start, field, name, len));
        }
        let out = self.block.slice(self.pos..end);
        self.pos = end;
        Ok(out)
    }

    /// A `u16` length and that many bytes.
    fn variable(&mut self, start: usize, name: Option<&str>) -> Result<Bytes, EventStreamError> {
        let len = u16::from_be_bytes(self.array(start, "value length", name)?);
        self.take(usize::from(len), start, "value", name)
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// A malformed event stream or message, or a message that cannot be encoded.
///
/// The message says what was wrong, e.g.
/// `prelude checksum mismatch: expected 0x05c248ea, computed 0x05c248eb`
/// (expected is the value in the message, computed is the CRC of its bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventStreamError {
    kind: ErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ErrorKind {
    PreludeChecksum {
        expected: u32,
        computed: u32,
    },
    MessageChecksum {
        expected: u32,
        computed: u32,
    },
    MessageTooShort {
        total_len: u32,
    },
    MessageTooLong {
        total_len: u32,
        max: u32,
    },
    HeadersTooLong {
        headers_len: u32,
        total_len: u32,
    },
    TruncatedHeader {
        offset: usize,
        field: &'static str,
        name: Option<String>,
        needed: usize,
        available: usize,
    },
    UnknownHeaderType {
        name: String,
        type_id: u8,
    },
    InvalidHeaderName {
        offset: usize,
    },
    InvalidHeaderString {
        name: String,
    },
    Incomplete {
        buffered: usize,
        expected: Option<u32>,
    },
    HeaderNameTooLong {
        len: usize,
    },
    HeaderValueTooLong {
        name: String,
        value_type: &'static str,
        len: usize,
    },
    TooLongToEncode {
        headers_len: usize,
        payload_len: usize,
    },
    MissingHeader {
        name: &'static str,
        message_type: Option<&'static str>,
    },
    NotAString {
        name: &'static str,
        value_type: &'static str,
    },
    UnknownMessageType(String),
}

impl From<ErrorKind> for EventStreamError {
    fn from(kind: ErrorKind) -> Self {
        Self { kind }
    }
}

impl fmt::Display for EventStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::PreludeChecksum { expected, computed } => write!(
                f,
                "prelude checksum mismatch: expected {expected:#010x}, computed {computed:#010x}"
            ),
            ErrorKind::MessageChecksum { expected, computed } => write!(
                f,
                "message checksum mismatch: expected {expected:#010x}, computed {computed:#010x}"
            ),
            ErrorKind::MessageTooShort { total_len } => write!(
                f,
                "message total length {total_len} is less than the minimum of {MIN_MESSAGE_LEN} bytes"
            ),
            ErrorKind::MessageTooLong { total_len, max } => write!(
                f,
                "message total length {total_len} exceeds the maximum of {max} bytes"
            ),
            ErrorKind::HeadersTooLong {
                headers_len,
                total_len,
            } => write!(
                f,
                "headers length {headers_len} does not fit in a message of total length \
                 {total_len} (at most {} bytes are left for headers)",
                (*total_len as usize).saturating_sub(MIN_MESSAGE_LEN)
            ),
            ErrorKind::TruncatedHeader {
                offset,
                field,
                name,
                needed,
                available,
            } => {
                write!(f, "truncated header at byte {offset} of the header block")?;
                if let Some(name) = name {
                    write!(f, " ({name:?})")?;
                }
                write!(
                    f,
                    ": its {field} needs {needed} bytes but only {available} remain"
                )
            }
            ErrorKind::UnknownHeaderType { name, type_id } => {
                write!(f, "unknown value type {type_id} for header {name:?}")
            }
            ErrorKind::InvalidHeaderName { offset } => write!(
                f,
                "the name of the header at byte {offset} of the header block is not valid UTF-8"
            ),
            ErrorKind::InvalidHeaderString { name } => {
                write!(f, "the string value of header {name:?} is not valid UTF-8")
            }
            ErrorKind::Incomplete {
                buffered,
                expected: None,
            } => write!(
                f,
                "stream ended inside a message prelude: {buffered} of {PRELUDE_LEN} bytes received"
            ),
            ErrorKind::Incomplete {
                buffered,
                expected: Some(total),
            } if *buffered < *total as usize => write!(
                f,
                "stream ended inside a message: {buffered} of {total} bytes received"
            ),
            ErrorKind::Incomplete { buffered, .. } => write!(
                f,
                "stream ended with {buffered} bytes not yet decoded; \
                 call next_message until it returns None before finish"
            ),
            ErrorKind::HeaderNameTooLong { len } => write!(
                f,
                "header name is {len} bytes long; the limit is {MAX_HEADER_NAME_LEN}"
            ),
            ErrorKind::HeaderValueTooLong {
                name,
                value_type,
                len,
            } => write!(
                f,
                "the {value_type} value of header {name:?} is {len} bytes long; \
                 the limit is {MAX_HEADER_VALUE_LEN}"
            ),
            ErrorKind::TooLongToEncode {
                headers_len,
                payload_len,
            } => write!(
                f,
                "message with {headers_len} bytes of headers and {payload_len} bytes of payload \
                 is too long to encode: the total length must fit in a u32"
            ),
            ErrorKind::MissingHeader {
                name,
                message_type: None,
            } => write!(f, "message has no {name} header"),
            ErrorKind::MissingHeader {
                name,
                message_type: Some(message_type),
            } => write!(
                f,
                "{message_type} message has no {name} header (required for :message-type {message_type})"
            ),
            ErrorKind::NotAString { name, value_type } => {
                write!(f, "header {name} is a {value_type}, expected a string")
            }
            ErrorKind::UnknownMessageType(message_type) => write!(
                f,
                "unknown :message-type {message_type:?} (expected event, exception or error)"
            ),
        }
    }
}

impl std::error::Error for EventStreamError {}

// ---------------------------------------------------------------------------
// CRC-32
// ---------------------------------------------------------------------------

/// The reflected CRC-32/ISO-HDLC polynomial (zlib, IEEE 802.3, PNG, gzip).
const CRC32_POLY: u32 = 0xEDB8_8320;

/// `CRC32_TABLE[b]` is the CRC register after shifting in byte `b` from zero.
const CRC32_TABLE: [u32; 256] = crc32_table();

const fn crc32_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut crc = byte as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ CRC32_POLY
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[byte] = crc;
        byte += 1;
    }
    table
}

/// CRC-32/ISO-HDLC of `data` (what `zlib.crc32` computes).
fn crc32(data: &[u8]) -> u32 {
    crc32_update(0, data)
}

/// Continues a CRC-32: `crc32_update(crc32(a), b) == crc32(a ++ b)`.
fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    let mut reg = !crc;
    for &byte in data {
        // The index is masked to 0..=255.
        reg = CRC32_TABLE[((reg ^ u32::from(byte)) & 0xFF) as usize] ^ (reg >> 8);
    }
    !reg
}
