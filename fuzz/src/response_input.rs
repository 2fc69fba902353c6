//! How the `responses` target reads its input: an operation and a raw HTTP response.
//!
//! The layout (every input is valid: a field cut off by the end of the input reads as zero
//! bytes, and what follows it is empty):
//!
//! | bytes | field |
//! |---|---|
//! | 1 | operation: the byte modulo 12 indexes [`OPERATIONS`] |
//! | 2 | status: big-endian `u16` `v`, status `100 + v % 500` (so any of 100..=599) |
//! | 1 | header count: the byte modulo 8 (at most [`MAX_HEADERS`]) |
//! | per header: 1 | name: the byte modulo 8 indexes [`HEADER_NAMES`]; 7 means a custom name follows |
//! | per header, custom name only: 1 + n | `n` (the byte modulo 32), then `n` bytes of name |
//! | per header: 1 + n | `n`, then `n` bytes of value (any bytes, non-ASCII included) |
//! | the rest | the body |
//!
//! A header the `http` crate refuses (a name or value no HTTP/1.1 parser would let through,
//! such as one with a line feed) is left out: no transport could deliver it.
//!
//! [`encode`] writes the layout back, for the seed corpus.

use bytes::Bytes;

/// The 12 operations, in the order the first input byte selects them.
pub const OPERATIONS: [&str; 12] = [
    "CheckpointDurableExecution",
    "DeleteDurableExecution",
    "GetDurableExecution",
    "GetDurableExecutionHistory",
    "GetDurableExecutionState",
    "ListDurableExecutionsByFunction",
    "PauseDurableExecution",
    "ResumeDurableExecution",
    "SendDurableExecutionCallbackFailure",
    "SendDurableExecutionCallbackHeartbeat",
    "SendDurableExecutionCallbackSuccess",
    "StopDurableExecution",
];

/// The header names a name byte selects (modulo 8); [`CUSTOM_HEADER`] means the name follows
/// in the input. `Retry-After` is also the only header-bound response member of the model
/// (`TooManyRequestsException.retryAfterSeconds`).
pub const HEADER_NAMES: [&str; 7] = [
    "content-type",
    "content-length",
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-amzn-errortype",
    "retry-after",
    "date",
];

/// The name byte that announces a custom header name.
pub const CUSTOM_HEADER: u8 = 7;

/// At most this many headers are read.
pub const MAX_HEADERS: u8 = 8;

/// The longest custom header name, in bytes.
pub const MAX_NAME_LEN: u8 = 32;

/// One decoded input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseInput {
    /// An index into [`OPERATIONS`].
    pub operation: usize,
    /// The status, 100..=599.
    pub status: u16,
    /// The headers, in order, as raw name and value bytes; [`ResponseInput::to_response`]
    /// keeps those `http` accepts.
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Reads bytes off the front of the input; past the end it reads zeros.
struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }
}

/// Decodes an input by the layout above. Every byte string decodes.
pub fn decode(data: &[u8]) -> ResponseInput {
    let mut r = Reader { data };
    let operation = usize::from(r.byte()) % OPERATIONS.len();
    let status = 100 + u16::from_be_bytes([r.byte(), r.byte()]) % 500;
    let count = r.byte() % MAX_HEADERS;
    let mut headers = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let selector = r.byte() % 8;
        let name = match HEADER_NAMES.get(usize::from(selector)) {
            Some(name) => name.as_bytes().to_vec(),
            None => {
                let len = r.byte() % MAX_NAME_LEN;
                r.bytes(usize::from(len)).to_vec()
            }
        };
        let len = r.byte();
        let value = r.bytes(usize::from(len)).to_vec();
        headers.push((name, value));
    }
    ResponseInput {
        operation,
        status,
        headers,
        body: r.data.to_vec(),
    }
}

/// Writes an input that [`decode`]s to `operation`, `status`, `headers` and `body`.
///
/// A header whose name is one of [`HEADER_NAMES`] (compared ignoring ASCII case) is written
/// with its selector byte, any other with [`CUSTOM_HEADER`] and its name.
///
/// # Panics
/// When the operation is not one of [`OPERATIONS`], the status is outside 100..=599, there
/// are more than 7 headers, a custom name is longer than 31 bytes or a value longer than 255:
/// seeds are written by hand, so that is a mistake in [`crate::seeds`].
pub fn encode(operation: &str, status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let index = OPERATIONS
        .iter()
        .position(|op| *op == operation)
        .unwrap_or_else(|| panic!("unknown operation {operation}"));
    assert!((100..=599).contains(&status), "status {status}");
    assert!(headers.len() < usize::from(MAX_HEADERS), "too many headers");
    let mut out = vec![index as u8];
    out.extend_from_slice(&(status - 100).to_be_bytes());
    out.push(headers.len() as u8);
    for (name, value) in headers {
        match HEADER_NAMES
            .iter()
            .position(|known| known.eq_ignore_ascii_case(name))
        {
            Some(selector) => out.push(selector as u8),
            None => {
                assert!(name.len() < usize::from(MAX_NAME_LEN), "header name {name}");
                out.push(CUSTOM_HEADER);
                out.push(name.len() as u8);
                out.extend_from_slice(name.as_bytes());
            }
        }
        let len = u8::try_from(value.len()).unwrap_or_else(|_| panic!("header value {value}"));
        out.push(len);
        out.extend_from_slice(value.as_bytes());
    }
    out.extend_from_slice(body);
    out
}

impl ResponseInput {
    /// The HTTP response a server would send: the headers `http` accepts, in order, and the
    /// body.
    pub fn to_response(&self) -> http::Response<Bytes> {
        let mut response = http::Response::new(Bytes::copy_from_slice(&self.body));
        // 100..=599 is always a valid status code.
        if let Ok(status) = http::StatusCode::from_u16(self.status) {
            *response.status_mut() = status;
        }
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name),
                http::HeaderValue::from_bytes(value),
            ) {
                response.headers_mut().append(name, value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_then_decode() {
        let data = encode(
            "GetDurableExecutionState",
            429,
            &[("Retry-After", "0"), ("X-Custom", "v")],
            b"{}",
        );
        assert_eq!(
            decode(&data),
            ResponseInput {
                operation: 4,
                status: 429,
                headers: vec![
                    (b"retry-after".to_vec(), b"0".to_vec()),
                    (b"X-Custom".to_vec(), b"v".to_vec()),
                ],
                body: b"{}".to_vec(),
            }
        );
    }

    #[test]
    fn every_input_decodes() {
        assert_eq!(decode(&[]).status, 100);
        assert_eq!(decode(&[255, 255, 255, 255]).status, 100 + 65535 % 500);
        let cut = decode(&[0, 0, 100, 3, 7, 31, b'x']);
        assert_eq!(cut.headers.len(), 3);
        assert!(cut.body.is_empty());
    }
}
