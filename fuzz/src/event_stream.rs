//! The `event_stream` target: the runtime's `application/vnd.amazon.eventstream` decoder
//! ([`MessageDecoder`]), which `EventReceiver` runs on every streamed response body (Lambda's
//! `InvokeWithResponseStream`). None of the 12 operations of this crate streams, so the
//! decoder is fuzzed directly through its public API.
//!
//! Input layout:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | control: bits 0–6 + 1 are the chunk size (1..=128 bytes); bit 7 set lowers the decoder's message limit to 1 KiB (default 16 MiB) |
//! | the rest | the stream, pushed in chunks of that size |
//!
//! After each push every complete message is taken out. The contract checked, beyond "no
//! panic, no hang":
//! - a decoded message re-encodes ([`Message::encode`]) to exactly the bytes it was decoded
//!   from (the decoder accepts nothing the encoder would write differently);
//! - an error is final: the next call and [`MessageDecoder::finish`] return the same error;
//! - [`Message::frame`] returns a frame or an error, and both format.

use lambda_sdk_runtime::event_stream::{Message, MessageDecoder};

/// The limit bit 7 of the control byte selects.
const SMALL_LIMIT: u32 = 1024;

/// Runs one input.
///
/// # Panics
/// When the decoder panics or breaks the contract in the module documentation.
pub fn run(data: &[u8]) {
    let Some((&control, stream)) = data.split_first() else {
        return;
    };
    let chunk_size = usize::from(control & 0x7f) + 1;
    let mut decoder = MessageDecoder::new();
    if control & 0x80 != 0 {
        decoder = decoder.with_max_message_len(SMALL_LIMIT);
    }
    // Bytes of `stream` pushed, and returned as messages.
    let mut pushed = 0;
    let mut taken = 0;
    for chunk in stream.chunks(chunk_size) {
        decoder.push(chunk);
        pushed += chunk.len();
        loop {
            match decoder.next_message() {
                Ok(Some(message)) => {
                    let end = pushed - decoder.buffered_len();
                    check_message(&message, &stream[taken..end]);
                    taken = end;
                }
                Ok(None) => break,
                Err(err) => {
                    std::hint::black_box(err.to_string());
                    assert_eq!(decoder.next_message(), Err(err.clone()), "errors are final");
                    assert_eq!(decoder.finish(), Err(err), "finish repeats the error");
                    return;
                }
            }
        }
    }
    match decoder.finish() {
        Ok(()) => assert_eq!(taken, stream.len(), "finish accepted leftover bytes"),
        Err(err) => {
            std::hint::black_box(err.to_string());
        }
    }
}

fn check_message(message: &Message, raw: &[u8]) {
    match message.encode() {
        Ok(encoded) => assert_eq!(
            &encoded[..],
            raw,
            "a decoded message re-encodes to its bytes: {message:?}"
        ),
        Err(err) => panic!("a decoded message does not encode: {err}"),
    }
    match message.frame() {
        Ok(frame) => {
            std::hint::black_box(format!("{frame:?}"));
        }
        Err(err) => {
            std::hint::black_box(err.to_string());
        }
    }
}
