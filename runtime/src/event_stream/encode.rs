//! Writing messages (for tests and servers that play the part of AWS).

use super::*;

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
