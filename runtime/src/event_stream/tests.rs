use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => panic!("bad hex digit {:?}", b as char),
        })
        .collect();
    assert_eq!(digits.len() % 2, 0, "odd number of hex digits");
    digits.chunks(2).map(|p| p[0] << 4 | p[1]).collect()
}

/// Decodes a stream pushed as the given chunks, requiring a clean end.
fn decode_chunks<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<Message>, EventStreamError> {
    let mut decoder = MessageDecoder::new();
    let mut messages = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        while let Some(message) = decoder.next_message()? {
            messages.push(message);
        }
    }
    decoder.finish()?;
    Ok(messages)
}

/// Decodes exactly one message.
fn decode_one(bytes: &[u8]) -> Result<Message, EventStreamError> {
    let mut messages = decode_chunks([bytes])?;
    assert_eq!(messages.len(), 1, "expected one message");
    Ok(messages.remove(0))
}

/// The first error from decoding `bytes` pushed in one chunk.
fn decode_err(bytes: &[u8]) -> String {
    match decode_chunks([bytes]) {
        Ok(messages) => panic!("expected an error, decoded {messages:?}"),
        Err(err) => err.to_string(),
    }
}

/// A message with a raw header block and correct lengths and CRCs, so
/// malformed headers can be tested behind valid checksums.
fn raw_message(header_block: &[u8], payload: &[u8]) -> Vec<u8> {
    let total = (MIN_MESSAGE_LEN + header_block.len() + payload.len()) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(&total.to_be_bytes());
    out.extend_from_slice(&(header_block.len() as u32).to_be_bytes());
    out.extend_from_slice(&crc32(&out).to_be_bytes());
    out.extend_from_slice(header_block);
    out.extend_from_slice(payload);
    out.extend_from_slice(&crc32(&out).to_be_bytes());
    out
}

/// A prelude with a correct CRC and arbitrary lengths.
fn prelude(total_len: u32, headers_len: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&total_len.to_be_bytes());
    out.extend_from_slice(&headers_len.to_be_bytes());
    out.extend_from_slice(&crc32(&out).to_be_bytes());
    out
}

fn event(event_type: &str, payload: &[u8]) -> Result<Message, EventStreamError> {
    Ok(Message::new(
        vec![
            Header::new(":message-type", "event")?,
            Header::new(":event-type", event_type)?,
            Header::new(":content-type", "application/octet-stream")?,
        ],
        payload.to_vec(),
    ))
}

// --- CRC-32 ----------------------------------------------------------------

#[test]
fn crc32_check_values() {
    // The CRC-32/ISO-HDLC check value from the CRC catalogue.
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
    assert_eq!(crc32(b"a"), 0xE8B7_BE43);
    // python3 -c "import zlib; print(hex(zlib.crc32(b'The quick brown fox jumps over the lazy dog')))"
    assert_eq!(
        crc32(b"The quick brown fox jumps over the lazy dog"),
        0x414F_A339
    );
    assert_eq!(crc32(&[0u8; 32]), 0x190A_55AD);
    assert_eq!(crc32(&[0xFFu8; 32]), 0xFF6C_AB0B);
}

#[test]
fn crc32_is_incremental() {
    let data = b"The quick brown fox jumps over the lazy dog";
    for split in 0..=data.len() {
        let (a, b) = data.split_at(split);
        assert_eq!(crc32_update(crc32(a), b), crc32(data), "split at {split}");
    }
}

// --- AWS test vectors --------------------------------------------------------
//
// The encoded messages below are the `encoded/positive` vectors published
// with awslabs/aws-c-event-stream (also used by the other AWS SDKs). Their
// CRCs were checked independently with Python's zlib, e.g. for
// `payload_one_str_header`:
//
// python3 -c "import zlib; m=bytes.fromhex('0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1'); print(hex(zlib.crc32(m[:8])), hex(zlib.crc32(m[:-4])))"
//
// which prints `0x7fd8396 0x8d9c08b1`, the prelude and message CRCs in the
// message. The same check on the others gives 0x5c248eb / 0x7d98c8ff
// (empty_message), 0xfd528c5a / 0xc3653936 (payload_no_headers) and
// 0x41c424b8 / 0x36f480a0 (int32_header).

const EMPTY_MESSAGE: &str = "00000010 00000000 05c248eb 7d98c8ff";
const PAYLOAD_NO_HEADERS: &str = "0000001d 00000000 fd528c5a 7b27666f6f273a27626172277d c3653936";
const INT32_HEADER: &str = "0000002d 00000010 41c424b8 \
     0a 6576656e742d74797065 04 0000a00c \
     7b27666f6f273a27626172277d 36f480a0";
const PAYLOAD_ONE_STR_HEADER: &str = "0000003d 00000020 07fd8396 \
     0c 636f6e74656e742d74797065 07 0010 6170706c69636174696f6e2f6a736f6e \
     7b27666f6f273a27626172277d 8d9c08b1";

#[test]
fn aws_vector_empty_message() -> TestResult {
    let expected = Message::default();
    assert_eq!(encode_message(&[], b"").as_ref(), hex(EMPTY_MESSAGE));
    assert_eq!(decode_one(&hex(EMPTY_MESSAGE))?, expected);
    Ok(())
}

#[test]
fn aws_vector_payload_no_headers() -> TestResult {
    let payload = b"{'foo':'bar'}";
    assert_eq!(
        encode_message(&[], payload).as_ref(),
        hex(PAYLOAD_NO_HEADERS)
    );
    let message = decode_one(&hex(PAYLOAD_NO_HEADERS))?;
    assert!(message.headers().is_empty());
    assert_eq!(message.payload().as_ref(), payload);
    Ok(())
}

#[test]
fn aws_vector_int32_header() -> TestResult {
    let headers = [Header::new("event-type", 0x0000_A00C_i32)?];
    let payload = b"{'foo':'bar'}";
    assert_eq!(
        encode_message(&headers, payload).as_ref(),
        hex(INT32_HEADER)
    );
    let message = decode_one(&hex(INT32_HEADER))?;
    assert_eq!(message.header("event-type"), Some(&HeaderValue::Int(40972)));
    assert_eq!(message, Message::new(headers.to_vec(), &payload[..]));
    Ok(())
}

#[test]
fn aws_vector_payload_one_str_header() -> TestResult {
    let headers = [Header::new("content-type", "application/json")?];
    let payload = b"{'foo':'bar'}";
    assert_eq!(
        encode_message(&headers, payload).as_ref(),
        hex(PAYLOAD_ONE_STR_HEADER)
    );
    let message = decode_one(&hex(PAYLOAD_ONE_STR_HEADER))?;
    assert_eq!(
        message.header("content-type").and_then(HeaderValue::as_str),
        Some("application/json")
    );
    assert_eq!(message, Message::new(headers.to_vec(), &payload[..]));
    Ok(())
}

// --- Round trips -------------------------------------------------------------

fn all_header_types() -> Result<Vec<Header>, EventStreamError> {
    Ok(vec![
        Header::new("true", true)?,
        Header::new("false", false)?,
        Header::new("byte", -2_i8)?,
        Header::new("short", -300_i16)?,
        Header::new("int", 70_000_i32)?,
        Header::new("long", -5_000_000_000_i64)?,
        Header::new("bytes", vec![0x00, 0x01, 0xFF])?,
        Header::new("str", "héllo")?,
        Header::new("ts", DateTime::from_millis(1_700_000_000_123))?,
        Header::new("uuid", core::array::from_fn::<u8, 16, _>(|i| i as u8))?,
    ])
}

#[test]
fn every_header_type_matches_independent_encoding() -> TestResult {
    // Built with Python alone (struct + zlib), not with this encoder:
    //
    // python3 -c "import struct,zlib; h=lambda n,t,v=b'': bytes([len(n)])+n+bytes([t])+v; hs=h(b'true',0)+h(b'false',1)+h(b'byte',2,struct.pack('>b',-2))+h(b'short',3,struct.pack('>h',-300))+h(b'int',4,struct.pack('>i',70000))+h(b'long',5,struct.pack('>q',-5000000000))+h(b'bytes',6,b'\x00\x03\x00\x01\xff')+h(b'str',7,b'\x00\x06h\xc3\xa9llo')+h(b'ts',8,struct.pack('>q',1700000000123))+h(b'uuid',9,bytes(range(16))); p=struct.pack('>II',16+len(hs)+2,len(hs)); p+=struct.pack('>I',zlib.crc32(p)); m=p+hs+b'{}'; print((m+struct.pack('>I',zlib.crc32(m))).hex())"
    let expected = hex(
        "000000810000006f34a93a820474727565000566616c736501046279746502fe0573686f727403fed4\
         03696e740400011170046c6f6e6705fffffffed5fa0e000562797465730600030001ff037374720700\
         0668c3a96c6c6f027473080000018bcfe5687b047575696409000102030405060708090a0b0c0d0e0f\
         7b7d8fa131fb",
    );
    let headers = all_header_types()?;
    assert_eq!(encode_message(&headers, b"{}").as_ref(), expected);

    let message = decode_one(&expected)?;
    assert_eq!(message, Message::new(headers, &b"{}"[..]));
    assert_eq!(message.header("true"), Some(&HeaderValue::Bool(true)));
    assert_eq!(message.header("false"), Some(&HeaderValue::Bool(false)));
    assert_eq!(message.header("byte"), Some(&HeaderValue::Byte(-2)));
    assert_eq!(message.header("short"), Some(&HeaderValue::Short(-300)));
    assert_eq!(message.header("int"), Some(&HeaderValue::Int(70_000)));
    assert_eq!(
        message.header("long"),
        Some(&HeaderValue::Long(-5_000_000_000))
    );
    assert_eq!(
        message.header("bytes"),
        Some(&HeaderValue::Bytes(Bytes::from_static(&[0, 1, 0xFF])))
    );
    assert_eq!(
        message.header("str").and_then(HeaderValue::as_str),
        Some("héllo")
    );
    let Some(HeaderValue::Timestamp(ts)) = message.header("ts") else {
        panic!("ts is not a timestamp: {:?}", message.header("ts"));
    };
    assert_eq!((ts.secs(), ts.subsec_nanos()), (1_700_000_000, 123_000_000));
    assert_eq!(message.header("missing"), None);
    Ok(())
}

#[test]
fn round_trips_extreme_values() -> TestResult {
    let cases: Vec<(Vec<Header>, Vec<u8>)> = vec![
        (vec![], vec![]),
        (vec![], vec![0xAB; 70_000]),
        (
            vec![
                Header::new("", "empty name")?,
                Header::new("n".repeat(255), i64::MIN)?,
                Header::new("max", i64::MAX)?,
                Header::new("b", i8::MIN)?,
                Header::new("s", i16::MAX)?,
                Header::new("i", i32::MIN)?,
                Header::new("empty-bytes", Vec::new())?,
                Header::new("empty-str", "")?,
                Header::new("long-str", "x".repeat(65_535))?,
                Header::new("long-bytes", vec![7; 65_535])?,
                Header::new("before-epoch", DateTime::from_millis(-1))?,
                Header::new("ts-min", DateTime::from_millis(i64::MIN))?,
                Header::new("ts-max", DateTime::from_millis(i64::MAX))?,
                Header::new("uuid", [0xFF; 16])?,
                Header::new("dup", 1_i32)?,
                Header::new("dup", 2_i32)?,
            ],
            b"payload".to_vec(),
        ),
    ];
    for (headers, payload) in cases {
        let message = Message::new(headers.clone(), payload.clone());
        let encoded = encode_message(&headers, &payload);
        assert_eq!(message.encode()?, encoded);
        assert_eq!(decode_one(&encoded)?, message);
    }
    Ok(())
}

#[test]
fn header_returns_the_first_of_duplicates() -> TestResult {
    let headers = [Header::new("dup", 1_i32)?, Header::new("dup", 2_i32)?];
    let message = decode_one(&encode_message(&headers, b""))?;
    assert_eq!(message.header("dup"), Some(&HeaderValue::Int(1)));
    assert_eq!(message.headers().len(), 2);
    Ok(())
}

#[test]
fn timestamps_encode_whole_milliseconds() -> TestResult {
    let precise = DateTime::from_secs_and_nanos(5, 123_456_789);
    let headers = [Header::new("ts", precise)?];
    let message = decode_one(&encode_message(&headers, b""))?;
    assert_eq!(
        message.header("ts"),
        Some(&HeaderValue::Timestamp(DateTime::from_millis(5_123)))
    );
    Ok(())
}

#[test]
fn header_new_checks_lengths() {
    let err = Header::new("n".repeat(256), true).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header name is 256 bytes long; the limit is 255"
    );
    let err = Header::new("big", "x".repeat(65_536)).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"the string value of header "big" is 65536 bytes long; the limit is 65535"#
    );
    let err = Header::new("big", vec![0; 65_536]).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"the byte array value of header "big" is 65536 bytes long; the limit is 65535"#
    );
}

// --- Chunking ----------------------------------------------------------------

fn three_messages() -> Result<(Vec<Message>, Vec<u8>), EventStreamError> {
    let messages = vec![
        event("PayloadChunk", b"first chunk")?,
        Message::new(all_header_types()?, &b""[..]),
        event("InvokeComplete", br#"{"LogResult":"bG9n"}"#)?,
    ];
    let mut stream = Vec::new();
    for message in &messages {
        stream.extend_from_slice(&message.encode()?);
    }
    Ok((messages, stream))
}

#[test]
fn several_messages_in_one_chunk() -> TestResult {
    let (messages, stream) = three_messages()?;
    assert_eq!(decode_chunks([stream.as_slice()])?, messages);
    Ok(())
}

#[test]
fn split_at_every_byte_offset() -> TestResult {
    let (messages, stream) = three_messages()?;
    for split in 0..=stream.len() {
        let (a, b) = stream.split_at(split);
        assert_eq!(decode_chunks([a, b])?, messages, "split at {split}");
    }
    Ok(())
}

#[test]
fn split_at_every_pair_of_offsets() -> TestResult {
    let (messages, stream) = three_messages()?;
    for i in 0..=stream.len() {
        for j in i..=stream.len() {
            let chunks = [&stream[..i], &stream[i..j], &stream[j..]];
            assert_eq!(decode_chunks(chunks)?, messages, "split at {i} and {j}");
        }
    }
    Ok(())
}

#[test]
fn one_byte_at_a_time() -> TestResult {
    let (messages, stream) = three_messages()?;
    assert_eq!(decode_chunks(stream.chunks(1))?, messages);
    Ok(())
}

#[test]
fn messages_come_out_as_soon_as_complete() -> TestResult {
    let (messages, stream) = three_messages()?;
    let first_len = messages[0].encode()?.len();
    let mut decoder = MessageDecoder::new();
    decoder.push(&stream[..first_len - 1]);
    assert_eq!(decoder.next_message()?, None);
    assert_eq!(decoder.buffered_len(), first_len - 1);
    decoder.push(&stream[first_len - 1..first_len + 5]);
    assert_eq!(decoder.next_message()?.as_ref(), Some(&messages[0]));
    assert_eq!(decoder.next_message()?, None);
    assert_eq!(decoder.buffered_len(), 5);
    Ok(())
}

// --- Truncation ----------------------------------------------------------------

#[test]
fn truncated_stream_fails_finish() -> TestResult {
    let (messages, stream) = three_messages()?;
    let mut boundaries = vec![0];
    for message in &messages {
        boundaries.push(boundaries[boundaries.len() - 1] + message.encode()?.len());
    }
    for len in 0..=stream.len() {
        let result = decode_chunks([&stream[..len]]);
        if boundaries.contains(&len) {
            let decoded = result?;
            assert_eq!(decoded.as_slice(), &messages[..decoded.len()]);
        } else {
            let err = result.unwrap_err().to_string();
            assert!(err.starts_with("stream ended inside a message"), "{err}");
        }
    }
    Ok(())
}

#[test]
fn finish_messages() -> TestResult {
    let wire = encode_message(&[], b"{'foo':'bar'}"); // 29 bytes

    let mut decoder = MessageDecoder::new();
    decoder.finish()?;
    decoder.push(&wire[..5]);
    assert_eq!(
        decoder.finish().unwrap_err().to_string(),
        "stream ended inside a message prelude: 5 of 12 bytes received"
    );
    decoder.push(&wire[5..20]);
    assert_eq!(decoder.next_message()?, None);
    assert_eq!(
        decoder.finish().unwrap_err().to_string(),
        "stream ended inside a message: 20 of 29 bytes received"
    );
    decoder.push(&wire[20..]);
    assert_eq!(
        decoder.finish().unwrap_err().to_string(),
        "stream ended with 29 bytes not yet decoded; \
         call next_message until it returns None before finish"
    );
    assert!(decoder.next_message()?.is_some());
    decoder.finish()?;
    Ok(())
}

// --- Prelude errors ------------------------------------------------------------

#[test]
fn corrupted_prelude_crc() {
    let mut wire = hex(EMPTY_MESSAGE);
    wire[11] ^= 0x01;
    assert_eq!(
        decode_err(&wire),
        "prelude checksum mismatch: expected 0x05c248ea, computed 0x05c248eb"
    );
}

#[test]
fn corrupted_length_is_caught_by_prelude_crc() {
    let mut wire = hex(PAYLOAD_NO_HEADERS);
    wire[3] = 0x1c; // total length 29 -> 28
    let err = decode_err(&wire);
    assert!(
        err.starts_with("prelude checksum mismatch: expected 0xfd528c5a, computed 0x"),
        "{err}"
    );
}

#[test]
fn prelude_is_checked_before_the_body_arrives() {
    let mut wire = hex(PAYLOAD_NO_HEADERS);
    wire[8] ^= 0x80;
    let mut decoder = MessageDecoder::new();
    decoder.push(&wire[..11]);
    assert_eq!(decoder.next_message(), Ok(None));
    decoder.push(&wire[11..12]);
    let err = decoder.next_message().unwrap_err();
    assert!(err.to_string().starts_with("prelude checksum mismatch"));
}

#[test]
fn oversized_length_is_rejected_without_buffering() {
    // A valid prelude announcing a 4 GiB (u32::MAX byte) message.
    let mut decoder = MessageDecoder::new();
    decoder.push(&prelude(u32::MAX, 0));
    let err = decoder.next_message().unwrap_err();
    assert_eq!(
        err.to_string(),
        "message total length 4294967295 exceeds the maximum of 16777216 bytes"
    );
    // Nothing was reserved for the announced body.
    assert!(decoder.buf.capacity() < 1024, "{}", decoder.buf.capacity());
}

#[test]
fn max_message_len_is_configurable() -> TestResult {
    let wire = encode_message(&[], b"{'foo':'bar'}"); // 29 bytes
    assert_eq!(MessageDecoder::new().max_message_len(), 16 * 1024 * 1024);

    let mut decoder = MessageDecoder::new().with_max_message_len(29);
    decoder.push(&wire);
    assert!(decoder.next_message()?.is_some());

    let mut decoder = MessageDecoder::new().with_max_message_len(28);
    decoder.push(&wire[..12]);
    assert_eq!(
        decoder.next_message().unwrap_err().to_string(),
        "message total length 29 exceeds the maximum of 28 bytes"
    );
    Ok(())
}

#[test]
fn largest_default_message_is_accepted() -> TestResult {
    let payload = vec![0x5A; DEFAULT_MAX_MESSAGE_LEN as usize - MIN_MESSAGE_LEN];
    let wire = encode_message(&[], &payload);
    assert_eq!(wire.len(), DEFAULT_MAX_MESSAGE_LEN as usize);
    assert_eq!(decode_one(&wire)?.payload().len(), payload.len());

    let wire = encode_message(&[], &[payload.as_slice(), b"!"].concat());
    assert_eq!(
        decode_err(&wire),
        "message total length 16777217 exceeds the maximum of 16777216 bytes"
    );
    Ok(())
}

#[test]
fn total_length_below_minimum() {
    for total in [0, 12, 15] {
        let mut wire = prelude(total, 0);
        wire.extend_from_slice(&[0; 4]);
        assert_eq!(
            decode_err(&wire),
            format!("message total length {total} is less than the minimum of 16 bytes")
        );
    }
}

#[test]
fn headers_length_beyond_message() {
    let mut wire = prelude(20, 5);
    wire.extend_from_slice(&[0; 8]);
    assert_eq!(
        decode_err(&wire),
        "headers length 5 does not fit in a message of total length 20 \
         (at most 4 bytes are left for headers)"
    );
    assert!(decode_err(&prelude(16, u32::MAX)).starts_with("headers length 4294967295"));
}

// --- Message CRC -------------------------------------------------------------

#[test]
fn corrupted_message_crc() {
    let mut wire = hex(PAYLOAD_NO_HEADERS);
    let last = wire.len() - 1;
    wire[last] ^= 0xFF;
    assert_eq!(
        decode_err(&wire),
        "message checksum mismatch: expected 0xc36539c9, computed 0xc3653936"
    );
}

#[test]
fn corrupted_payload_or_header_byte() {
    let wire = hex(PAYLOAD_ONE_STR_HEADER);
    // Any flipped bit after the prelude is caught by the message CRC.
    for index in PRELUDE_LEN..wire.len() - CRC_LEN {
        let mut bad = wire.clone();
        bad[index] ^= 0x04;
        let err = decode_err(&bad);
        assert!(
            err.starts_with("message checksum mismatch: expected 0x8d9c08b1, computed 0x"),
            "byte {index}: {err}"
        );
    }
}

// --- Header errors -------------------------------------------------------------

#[test]
fn truncated_headers() {
    let cases: [(&[u8], &str); 6] = [
        (
            &[5, b'a', b'b'],
            "truncated header at byte 0 of the header block: its name needs 5 bytes but only 2 remain",
        ),
        (
            &[1, b'a'],
            r#"truncated header at byte 0 of the header block ("a"): its value type needs 1 bytes but only 0 remain"#,
        ),
        (
            &[1, b'a', 0, 1, b'b', 4, 0, 0],
            r#"truncated header at byte 3 of the header block ("b"): its value needs 4 bytes but only 2 remain"#,
        ),
        (
            &[1, b'a', 7, 0],
            r#"truncated header at byte 0 of the header block ("a"): its value length needs 2 bytes but only 1 remain"#,
        ),
        (
            &[1, b'a', 6, 0, 3, 1, 2],
            r#"truncated header at byte 0 of the header block ("a"): its value needs 3 bytes but only 2 remain"#,
        ),
        (
            &[1, b'a', 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            r#"truncated header at byte 0 of the header block ("a"): its value needs 16 bytes but only 15 remain"#,
        ),
    ];
    for (block, expected) in cases {
        assert_eq!(decode_err(&raw_message(block, b"payload")), expected);
    }
}

#[test]
fn every_fixed_size_type_checks_its_length() {
    for (type_id, size) in [(2u8, 1usize), (3, 2), (4, 4), (5, 8), (8, 8), (9, 16)] {
        let mut block = vec![1, b'h', type_id];
        block.extend(std::iter::repeat_n(0, size - 1));
        let err = decode_err(&raw_message(&block, b""));
        assert!(
            err.ends_with(&format!(
                "its value needs {size} bytes but only {} remain",
                size - 1
            )),
            "type {type_id}: {err}"
        );
        block.push(0);
        assert!(decode_one(&raw_message(&block, b"")).is_ok());
    }
}

#[test]
fn unknown_header_type() {
    for type_id in [10, 0x7F, 0xFF] {
        assert_eq!(
            decode_err(&raw_message(&[4, b'n', b'a', b'm', b'e', type_id], b"")),
            format!(r#"unknown value type {type_id} for header "name""#)
        );
    }
}

#[test]
fn non_utf8_header_name() {
    let block = [1, b'a', 0, 2, 0xC3, 0x28, 0];
    assert_eq!(
        decode_err(&raw_message(&block, b"")),
        "the name of the header at byte 3 of the header block is not valid UTF-8"
    );
}

#[test]
fn non_utf8_header_string() {
    let block = [1, b's', 7, 0, 2, 0xFF, 0xFE];
    assert_eq!(
        decode_err(&raw_message(&block, b"")),
        r#"the string value of header "s" is not valid UTF-8"#
    );
    // The same bytes are a fine byte array.
    let block = [1, b's', 6, 0, 2, 0xFF, 0xFE];
    assert!(decode_one(&raw_message(&block, b"")).is_ok());
}

#[test]
fn errors_are_sticky() -> TestResult {
    let mut bad = hex(EMPTY_MESSAGE);
    bad[15] ^= 1;
    let good = hex(EMPTY_MESSAGE);
    let mut decoder = MessageDecoder::new();
    decoder.push(&bad);
    let err = decoder.next_message().unwrap_err();
    decoder.push(&good);
    assert_eq!(decoder.buffered_len(), 0);
    assert_eq!(decoder.next_message(), Err(err.clone()));
    assert_eq!(decoder.finish(), Err(err));
    Ok(())
}

// --- Frames ----------------------------------------------------------------

#[test]
fn frames() -> TestResult {
    let event = decode_one(&event("PayloadChunk", b"data")?.encode()?)?;
    assert_eq!(
        event.frame()?,
        Frame::Event {
            event_type: "PayloadChunk",
            payload: b"data"
        }
    );
    assert_eq!(
        event.header(":content-type").and_then(HeaderValue::as_str),
        Some("application/octet-stream")
    );

    let exception = Message::new(
        vec![
            Header::new(":message-type", "exception")?,
            Header::new(":exception-type", "ResourceNotFoundException")?,
            Header::new(":content-type", "application/json")?,
        ],
        &br#"{"message":"no such function"}"#[..],
    );
    assert_eq!(
        decode_one(&exception.encode()?)?.frame()?,
        Frame::Exception {
            exception_type: "ResourceNotFoundException",
            payload: br#"{"message":"no such function"}"#
        }
    );

    let error = Message::new(
        vec![
            Header::new(":message-type", "error")?,
            Header::new(":error-code", "InternalFailure")?,
            Header::new(":error-message", "boom")?,
        ],
        Bytes::new(),
    );
    assert_eq!(
        decode_one(&error.encode()?)?.frame()?,
        Frame::Error {
            code: "InternalFailure",
            message: "boom"
        }
    );

    let bare_error = Message::new(
        vec![
            Header::new(":message-type", "error")?,
            Header::new(":error-code", "InternalFailure")?,
        ],
        Bytes::new(),
    );
    assert_eq!(
        bare_error.frame()?,
        Frame::Error {
            code: "InternalFailure",
            message: ""
        }
    );
    Ok(())
}

#[test]
fn frame_errors() -> TestResult {
    let frame_err = |headers: Vec<Header>| -> String {
        match Message::new(headers, Bytes::new()).frame() {
            Ok(frame) => panic!("expected an error, got {frame:?}"),
            Err(err) => err.to_string(),
        }
    };
    assert_eq!(frame_err(vec![]), "message has no :message-type header");
    assert_eq!(
        frame_err(vec![Header::new(":message-type", 1_i32)?]),
        "header :message-type is a integer, expected a string"
    );
    assert_eq!(
        frame_err(vec![Header::new(":message-type", "surprise")?]),
        r#"unknown :message-type "surprise" (expected event, exception or error)"#
    );
    assert_eq!(
        frame_err(vec![Header::new(":message-type", "event")?]),
        "event message has no :event-type header (required for :message-type event)"
    );
    assert_eq!(
        frame_err(vec![Header::new(":message-type", "exception")?]),
        "exception message has no :exception-type header (required for :message-type exception)"
    );
    assert_eq!(
        frame_err(vec![
            Header::new(":message-type", "error")?,
            Header::new(":error-message", "no code")?,
        ]),
        "error message has no :error-code header (required for :message-type error)"
    );
    assert_eq!(
        frame_err(vec![
            Header::new(":message-type", "error")?,
            Header::new(":error-code", "X")?,
            Header::new(":error-message", vec![1, 2])?,
        ]),
        "header :error-message is a byte array, expected a string"
    );
    Ok(())
}

#[test]
fn lambda_response_stream() -> TestResult {
    // What InvokeWithResponseStream sends: payload chunks, then InvokeComplete.
    let mut body = Vec::new();
    body.extend_from_slice(&event("PayloadChunk", b"Hello, ")?.encode()?);
    body.extend_from_slice(&event("PayloadChunk", b"world")?.encode()?);
    body.extend_from_slice(&event("InvokeComplete", br#"{"LogResult":""}"#)?.encode()?);

    let mut output = Vec::new();
    let mut completed = false;
    for message in decode_chunks(body.chunks(7))? {
        match message.frame()? {
            Frame::Event {
                event_type: "PayloadChunk",
                payload,
            } => output.extend_from_slice(payload),
            Frame::Event {
                event_type: "InvokeComplete",
                ..
            } => completed = true,
            other => panic!("unexpected frame {other:?}"),
        }
    }
    assert_eq!(output, b"Hello, world");
    assert!(completed);
    Ok(())
}
