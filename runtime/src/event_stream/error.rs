//! What can be wrong with an event stream.

use super::*;

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
