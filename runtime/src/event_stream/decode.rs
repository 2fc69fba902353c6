//! Reading messages from the bytes of a body, in chunks of any size.

use super::*;

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
