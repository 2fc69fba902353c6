//! The `event_stream` target: the runtime's `application/vnd.amazon.eventstream` decoder
//! ([`MessageDecoder`]), which `EventReceiver` runs on every streamed response body (Lambda's
//! `InvokeWithResponseStream`). None of the 12 operations of this crate streams, so the
//! decoder is fuzzed directly through its public API.
//!
//! Input layout:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | control: bits 0–5, plus 1, are the chunk size (1..=64 bytes); bit 6 set repairs the CRCs first (below); bit 7 set lowers the decoder's message limit to 1 KiB (default 16 MiB) |
//! | the rest | the stream, pushed in chunks of that size |
//!
//! Both CRC-32s of a message cover the bytes the fuzzer mutates, so almost every mutation of a
//! valid message is rejected at a checksum. With bit 6 set the harness first walks the stream
//! message by message (by each prelude's total length) and writes the correct prelude and
//! message CRCs, so mutations reach the length checks and the header decoder.
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
    let chunk_size = usize::from(control & 0x3f) + 1;
    let repaired;
    let stream = if control & 0x40 != 0 {
        repaired = repair_crcs(stream);
        &repaired[..]
    } else {
        stream
    };
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

/// The stream with the prelude and message CRC of each message rewritten, as far as the
/// preludes' total lengths delimit whole messages.
pub fn repair_crcs(stream: &[u8]) -> Vec<u8> {
    let mut out = stream.to_vec();
    let mut start = 0;
    while let Some(&[t0, t1, t2, t3]) = out.get(start..start + 4) {
        let total = u32::from_be_bytes([t0, t1, t2, t3]) as usize;
        let Some(end) = start.checked_add(total).filter(|&end| end <= out.len()) else {
            break;
        };
        if total < 16 {
            break;
        }
        let prelude_crc = crc32(&out[start..start + 8]);
        out[start + 8..start + 12].copy_from_slice(&prelude_crc.to_be_bytes());
        let message_crc = crc32(&out[start..end - 4]);
        out[end - 4..end].copy_from_slice(&message_crc.to_be_bytes());
        start = end;
    }
    out
}

/// CRC-32/ISO-HDLC (zlib's), bit by bit: the event-stream checksum.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use lambda_sdk_runtime::event_stream::{Header, encode_message};

    use super::*;

    #[test]
    fn repairing_valid_crcs_changes_nothing() {
        let headers = [Header::new(":message-type", "event").expect("a header")];
        let mut wire = encode_message(&headers, b"one").to_vec();
        wire.extend_from_slice(&encode_message(&[], b"two"));
        assert_eq!(repair_crcs(&wire), wire);
        let mut broken = wire.clone();
        broken[8] ^= 1;
        broken[wire.len() - 1] ^= 1;
        assert_eq!(repair_crcs(&broken), wire);
    }
}
