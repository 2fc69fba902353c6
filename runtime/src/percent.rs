//! Percent-encoding, byte by byte of the UTF-8 form, with upper-case hex digits: the one
//! encoder behind URI path labels and query strings, the endpoint rules' `uriEncode` and the
//! `X-Amzn-Trace-Id` header, each with its own set of bytes kept as they are.

/// Encodes every byte of `value` for which `keep` is false as `%XX`.
pub(crate) fn encode(value: &str, keep: fn(u8) -> bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if keep(byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// RFC 3986's unreserved characters: `A-Z a-z 0-9 - . _ ~`.
pub(crate) fn unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_bytes_pass_and_others_are_escaped_in_upper_case() {
        assert_eq!(encode("aZ09-._~", unreserved), "aZ09-._~");
        assert_eq!(encode("a b/ü", unreserved), "a%20b%2F%C3%BC");
        assert_eq!(encode("a/b", |b| unreserved(b) || b == b'/'), "a/b");
        assert_eq!(encode("", unreserved), "");
    }
}
