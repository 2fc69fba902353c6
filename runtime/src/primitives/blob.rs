//! [`Blob`], the Smithy `blob` type.

use std::fmt;
use std::ops::Deref;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

use crate::base64;

/// Binary data: the Smithy `blob` type, an owned `Vec<u8>`.
///
/// In JSON bodies (restJson1) a blob is a base64 string (standard alphabet,
/// with `=` padding); that is what the [`Serialize`] / [`Deserialize`] impls
/// read and write. Deserialization also accepts unpadded base64 but rejects
/// whitespace and characters outside the standard alphabet, naming the
/// offending character and its index.
///
/// [`Debug`](fmt::Debug) shows the length and the first 32 bytes as an
/// escaped byte string, so large payloads do not flood logs:
/// `Blob(5 bytes: b"hello")`, `Blob(1000 bytes: b"..."...)`.
///
/// # Examples
///
/// ```
/// use lambda_sdk_runtime::Blob;
///
/// let blob = Blob::new("hello");
/// assert_eq!(blob.as_bytes(), b"hello");
/// assert_eq!(blob.len(), 5); // through `Deref<Target = [u8]>`
/// assert_eq!(format!("{blob:?}"), r#"Blob(5 bytes: b"hello")"#);
///
/// assert_eq!(serde_json::to_string(&blob)?, r#""aGVsbG8=""#);
/// assert_eq!(serde_json::from_str::<Blob>(r#""aGVsbG8""#)?, blob);
/// assert!(serde_json::from_str::<Blob>(r#""aGVs bG8=""#).is_err());
///
/// let bytes: Vec<u8> = blob.into_inner();
/// assert_eq!(bytes, b"hello");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Blob {
    inner: Vec<u8>,
}

impl Blob {
    /// Creates a blob from anything convertible to bytes (`Vec<u8>`,
    /// `&[u8]`, `String`, `&str`, …).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            inner: bytes.into(),
        }
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.inner
    }

    /// Takes the bytes out of the blob.
    pub fn into_inner(self) -> Vec<u8> {
        self.inner
    }
}

impl Deref for Blob {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.inner
    }
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        &self.inner
    }
}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Self {
        Self { inner: bytes }
    }
}

impl From<&[u8]> for Blob {
    fn from(bytes: &[u8]) -> Self {
        Self::new(bytes)
    }
}

impl From<&str> for Blob {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for Blob {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

impl From<Blob> for Vec<u8> {
    fn from(blob: Blob) -> Self {
        blob.inner
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 32;
        let shown = &self.inner[..self.inner.len().min(SHOWN)];
        let more = if self.inner.len() > SHOWN { "..." } else { "" };
        let unit = if self.inner.len() == 1 {
            "byte"
        } else {
            "bytes"
        };
        write!(
            f,
            "Blob({} {unit}: b\"{}\"{more})",
            self.inner.len(),
            shown.escape_ascii()
        )
    }
}

/// Writes a padded standard base64 string.
impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::encode(&self.inner))
    }
}

/// Reads a standard base64 string (padding optional); raw bytes are also
/// accepted from formats that have them.
impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(BlobVisitor)
    }
}

struct BlobVisitor;

impl Visitor<'_> for BlobVisitor {
    type Value = Blob;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a base64-encoded string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Blob, E> {
        base64::decode(v).map(Blob::from).map_err(E::custom)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Blob, E> {
        Ok(Blob::from(v))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Blob, E> {
        Ok(Blob::from(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        let from_vec = Blob::from(vec![1u8, 2, 3]);
        let from_slice = Blob::from(&[1u8, 2, 3][..]);
        assert_eq!(from_vec, from_slice);
        assert_eq!(Blob::from("ab"), Blob::from(String::from("ab")));
        assert_eq!(Blob::new(*b"ab"), Blob::from("ab"));
        assert_eq!(Vec::from(from_vec.clone()), vec![1, 2, 3]);
        assert_eq!(from_vec.as_ref(), &[1, 2, 3]);
        assert_eq!(&*from_vec, &[1, 2, 3]);
        assert_eq!(from_vec.first(), Some(&1));
        assert!(Blob::default().is_empty());
    }

    #[test]
    fn debug() {
        assert_eq!(format!("{:?}", Blob::default()), r#"Blob(0 bytes: b"")"#);
        assert_eq!(
            format!("{:?}", Blob::new([0u8])),
            r#"Blob(1 byte: b"\x00")"#
        );
        assert_eq!(
            format!("{:?}", Blob::new("a\"\n\u{ff}")),
            r#"Blob(5 bytes: b"a\"\n\xc3\xbf")"#
        );
        let long = Blob::new(vec![b'x'; 1000]);
        assert_eq!(
            format!("{long:?}"),
            format!("Blob(1000 bytes: b\"{}\"...)", "x".repeat(32))
        );
    }

    #[test]
    fn serde_json_base64() {
        let blob = Blob::new("foobar");
        assert_eq!(serde_json::to_string(&blob).unwrap(), r#""Zm9vYmFy""#);
        assert_eq!(serde_json::from_str::<Blob>(r#""Zm9vYmFy""#).unwrap(), blob);
        assert_eq!(
            serde_json::from_str::<Blob>(r#""Zm9vYg""#).unwrap(),
            Blob::new("foob")
        );
        assert_eq!(
            serde_json::from_str::<Blob>(r#""""#).unwrap(),
            Blob::default()
        );
        let e = serde_json::from_str::<Blob>(r#""Zm9v!mFy""#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid base64 character '!' at index 4 at line 1 column 10"
        );
        let e = serde_json::from_str::<Blob>("[1, 2]").unwrap_err();
        assert!(
            e.to_string().contains("expected a base64-encoded string"),
            "{e}"
        );
        let all: Vec<u8> = (0..=255).collect();
        let json = serde_json::to_string(&Blob::new(all.clone())).unwrap();
        assert_eq!(
            serde_json::from_str::<Blob>(&json).unwrap().into_inner(),
            all
        );
    }
}
