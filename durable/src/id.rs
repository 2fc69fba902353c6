//! Operation ids: minted at the call site from a per-context counter, positional within the
//! parent (`3`, then `3-1`, `3-2` inside the child context at position 3), and hashed: the wire
//! id is the SHA-256 of the positional path in hex, 64 characters, the API's limit.

use std::sync::atomic::{AtomicU32, Ordering};

use sha2::{Digest, Sha256};

/// The ids of one context's operations.
#[derive(Debug)]
pub(crate) struct IdMinter {
    /// The context's positional path (`""` at the root).
    prefix: String,
    counter: AtomicU32,
}

impl IdMinter {
    pub fn root() -> IdMinter {
        IdMinter::with_prefix(String::new())
    }

    pub fn with_prefix(prefix: String) -> IdMinter {
        IdMinter {
            prefix,
            counter: AtomicU32::new(0),
        }
    }

    /// The next operation's positional path and wire id.
    pub fn next(&self) -> (String, String) {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let path = if self.prefix.is_empty() {
            n.to_string()
        } else {
            format!("{}-{n}", self.prefix)
        };
        let id = hash(&path);
        (path, id)
    }
}

/// The wire id of a positional path.
pub(crate) fn hash(path: &str) -> String {
    let digest = Sha256::digest(path.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_positional_prefixed_and_64_hex_characters() {
        let root = IdMinter::root();
        let (p1, id1) = root.next();
        let (p2, _) = root.next();
        assert_eq!((p1.as_str(), p2.as_str()), ("1", "2"));
        assert_eq!(
            id1,
            "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b"
        );
        let child = IdMinter::with_prefix(p2);
        assert_eq!(child.next().0, "2-1");
        let (deep, id) = IdMinter::with_prefix("2-1-7-3".repeat(30)).next();
        assert!(deep.len() > 64);
        assert_eq!(id.len(), 64);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
