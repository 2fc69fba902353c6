//! Base64 encoding and decoding with the standard alphabet of RFC 4648 §4.
//!
//! Encoding always emits `=` padding. Decoding is strict about the alphabet
//! (no whitespace, no URL-safe characters) but accepts input with the
//! padding left off. Bits left over after the last full byte are ignored.

use std::fmt;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encodes `input` as padded standard base64.
pub(crate) fn encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    let sextet = |n: u32, shift: u32| char::from(ALPHABET[((n >> shift) & 0x3f) as usize]);
    let mut chunks = input.chunks_exact(3);
    for chunk in &mut chunks {
        let n = u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8 | u32::from(chunk[2]);
        out.extend([sextet(n, 18), sextet(n, 12), sextet(n, 6), sextet(n, 0)]);
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend([sextet(n, 18), sextet(n, 12), '=', '=']);
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.extend([sextet(n, 18), sextet(n, 12), sextet(n, 6), '=']);
        }
        _ => {}
    }
    out
}

/// Why a base64 string could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// A character outside the standard alphabet (index in bytes).
    InvalidCharacter { index: usize, character: char },
    /// A `=` anywhere but in the last one or two positions of an input whose
    /// length is a multiple of four.
    MisplacedPadding { index: usize },
    /// The number of base64 characters leaves a single dangling character,
    /// which cannot encode a whole byte.
    DanglingCharacter { length: usize },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCharacter { index, character } => {
                write!(f, "invalid base64 character {character:?} at index {index}")
            }
            Self::MisplacedPadding { index } => {
                write!(f, "invalid base64 padding '=' at index {index}")
            }
            Self::DanglingCharacter { length } => write!(
                f,
                "invalid base64 length: {length} characters (without padding) cannot encode whole bytes"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

fn sextet_value(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes standard base64, with or without `=` padding.
pub(crate) fn decode(input: &str) -> Result<Vec<u8>, DecodeError> {
    let bytes = input.as_bytes();
    let data_len = bytes.iter().rposition(|&b| b != b'=').map_or(0, |p| p + 1);
    let (data, padding) = bytes.split_at(data_len);

    let mut out = Vec::with_capacity(data_len / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    for (index, &byte) in data.iter().enumerate() {
        let Some(value) = sextet_value(byte) else {
            if byte == b'=' {
                return Err(DecodeError::MisplacedPadding { index });
            }
            // Every byte before `index` is ASCII, so `index` is a char boundary.
            let character = input
                .get(index..)
                .and_then(|rest| rest.chars().next())
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            return Err(DecodeError::InvalidCharacter { index, character });
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }

    if data_len % 4 == 1 {
        return Err(DecodeError::DanglingCharacter { length: data_len });
    }
    if !padding.is_empty() && (padding.len() > 2 || !bytes.len().is_multiple_of(4)) {
        return Err(DecodeError::MisplacedPadding { index: data_len });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC4648_VECTORS: [(&str, &str); 7] = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];

    #[test]
    fn rfc4648_encode() {
        for (plain, encoded) in RFC4648_VECTORS {
            assert_eq!(encode(plain.as_bytes()), encoded, "encoding {plain:?}");
        }
    }

    #[test]
    fn rfc4648_decode_padded_and_unpadded() {
        for (plain, encoded) in RFC4648_VECTORS {
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes(), "{encoded:?}");
            let unpadded = encoded.trim_end_matches('=');
            assert_eq!(decode(unpadded).unwrap(), plain.as_bytes(), "{unpadded:?}");
        }
    }

    #[test]
    fn full_alphabet() {
        let bytes: Vec<u8> = (0..=255).collect();
        let encoded = encode(&bytes);
        assert!(encoded.contains('+') && encoded.contains('/'));
        assert_eq!(decode(&encoded).unwrap(), bytes);
        assert_eq!(encode(&[0xfb, 0xff]), "+/8=");
        assert_eq!(decode("+/8=").unwrap(), [0xfb, 0xff]);
    }

    #[test]
    fn rejects_invalid_characters() {
        assert_eq!(
            decode("Zm9v*mFy"),
            Err(DecodeError::InvalidCharacter {
                index: 4,
                character: '*'
            })
        );
        assert_eq!(
            decode("Zm9v YmFy"),
            Err(DecodeError::InvalidCharacter {
                index: 4,
                character: ' '
            })
        );
        assert_eq!(
            decode("Zm-_"),
            Err(DecodeError::InvalidCharacter {
                index: 2,
                character: '-'
            })
        );
        assert_eq!(
            decode("Zmé="),
            Err(DecodeError::InvalidCharacter {
                index: 2,
                character: 'é'
            })
        );
        let message = decode("ab\ncd").unwrap_err().to_string();
        assert_eq!(message, "invalid base64 character '\\n' at index 2");
    }

    #[test]
    fn rejects_bad_padding_and_length() {
        assert_eq!(
            decode("Zg=a"),
            Err(DecodeError::MisplacedPadding { index: 2 })
        );
        assert_eq!(
            decode("Zg==Zg=="),
            Err(DecodeError::MisplacedPadding { index: 2 })
        );
        assert_eq!(
            decode("Zg==="),
            Err(DecodeError::MisplacedPadding { index: 2 })
        );
        assert_eq!(
            decode("Zm9=="),
            Err(DecodeError::MisplacedPadding { index: 3 })
        );
        assert_eq!(
            decode("Zg="),
            Err(DecodeError::MisplacedPadding { index: 2 })
        );
        assert_eq!(
            decode("===="),
            Err(DecodeError::MisplacedPadding { index: 0 })
        );
        assert_eq!(
            decode("Z"),
            Err(DecodeError::DanglingCharacter { length: 1 })
        );
        assert_eq!(
            decode("Zm9vY"),
            Err(DecodeError::DanglingCharacter { length: 5 })
        );
        assert_eq!(
            decode("Z==="),
            Err(DecodeError::DanglingCharacter { length: 1 })
        );
    }

    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn random_round_trips() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..2000 {
            let len = (rng.next() % 100) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let encoded = encode(&bytes);
            assert_eq!(encoded.len(), len.div_ceil(3) * 4);
            assert!(encoded.bytes().all(|b| ALPHABET.contains(&b) || b == b'='));
            assert_eq!(decode(&encoded).unwrap(), bytes);
            assert_eq!(decode(encoded.trim_end_matches('=')).unwrap(), bytes);
        }
    }
}
