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

mod crc;
mod decode;
mod encode;
mod error;
mod header;
mod message;
#[cfg(test)]
mod tests;

use self::crc::*;
pub use self::decode::*;
pub use self::encode::*;
pub use self::error::*;
pub use self::header::*;
pub use self::message::*;

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
