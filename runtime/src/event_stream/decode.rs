//! Reading messages from the bytes of a body, in chunks of any size; what can be wrong with
//! an event stream; and the CRC-32 that guards each message.

use super::*;

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
    pub(super) buf: BytesMut,
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
pub(super) struct Prelude {
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
pub(super) fn decode_message(raw: Bytes, prelude: &Prelude) -> Result<Message, EventStreamError> {
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
pub(super) fn decode_headers(block: Bytes) -> Result<Vec<Header>, EventStreamError> {
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
pub(super) struct HeaderReader {
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
pub(super) enum ErrorKind {
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
pub(super) const CRC32_POLY: u32 = 0xEDB8_8320;

/// `CRC32_TABLE[b]` is the CRC register after shifting in byte `b` from zero.
pub(super) const CRC32_TABLE: [u32; 256] = crc32_table();

pub(super) const fn crc32_table() -> [u32; 256] {
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
pub(super) fn crc32(data: &[u8]) -> u32 {
    crc32_update(0, data)
}

/// Continues a CRC-32: `crc32_update(crc32(a), b) == crc32(a ++ b)`.
pub(super) fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    let mut reg = !crc;
    for &byte in data {
        // The index is masked to 0..=255.
        reg = CRC32_TABLE[((reg ^ u32::from(byte)) & 0xFF) as usize] ^ (reg >> 8);
    }
    !reg
}
