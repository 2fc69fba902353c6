//! Message headers and their ten value types.

use super::*;

/// The value of a message [`Header`]; the variant is the value type on the
/// wire.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HeaderValue {
    /// Types 0 (`true`) and 1 (`false`); no value bytes.
    Bool(bool),
    /// Type 2: a signed byte.
    Byte(i8),
    /// Type 3: a big-endian `i16`.
    Short(i16),
    /// Type 4: a big-endian `i32`.
    Int(i32),
    /// Type 5: a big-endian `i64`.
    Long(i64),
    /// Type 6: a `u16` length, then that many bytes (at most 65 535).
    Bytes(Bytes),
    /// Type 7: a `u16` length, then that many bytes of UTF-8 (at most 65 535).
    String(String),
    /// Type 8: a big-endian `i64` of milliseconds since the Unix epoch.
    ///
    /// Encoding drops anything finer than a millisecond.
    Timestamp(DateTime),
    /// Type 9: 16 bytes.
    Uuid([u8; 16]),
}

impl HeaderValue {
    /// The string, if this is a [`HeaderValue::String`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value type byte written on the wire.
    fn type_id(&self) -> u8 {
        match self {
            Self::Bool(true) => 0,
            Self::Bool(false) => 1,
            Self::Byte(_) => 2,
            Self::Short(_) => 3,
            Self::Int(_) => 4,
            Self::Long(_) => 5,
            Self::Bytes(_) => 6,
            Self::String(_) => 7,
            Self::Timestamp(_) => 8,
            Self::Uuid(_) => 9,
        }
    }

    /// The name of the value type, for error messages.
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Self::Bool(_) => "boolean",
            Self::Byte(_) => "byte",
            Self::Short(_) => "short",
            Self::Int(_) => "integer",
            Self::Long(_) => "long",
            Self::Bytes(_) => "byte array",
            Self::String(_) => "string",
            Self::Timestamp(_) => "timestamp",
            Self::Uuid(_) => "uuid",
        }
    }

    /// The length of a variable-length value (byte array or string).
    fn variable_len(&self) -> Option<usize> {
        match self {
            Self::Bytes(b) => Some(b.len()),
            Self::String(s) => Some(s.len()),
            _ => None,
        }
    }
}

impl From<bool> for HeaderValue {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<i8> for HeaderValue {
    fn from(value: i8) -> Self {
        Self::Byte(value)
    }
}

impl From<i16> for HeaderValue {
    fn from(value: i16) -> Self {
        Self::Short(value)
    }
}

impl From<i32> for HeaderValue {
    fn from(value: i32) -> Self {
        Self::Int(value)
    }
}

impl From<i64> for HeaderValue {
    fn from(value: i64) -> Self {
        Self::Long(value)
    }
}

impl From<Bytes> for HeaderValue {
    fn from(value: Bytes) -> Self {
        Self::Bytes(value)
    }
}

impl From<Vec<u8>> for HeaderValue {
    fn from(value: Vec<u8>) -> Self {
        Self::Bytes(value.into())
    }
}

impl From<String> for HeaderValue {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl From<&str> for HeaderValue {
    fn from(value: &str) -> Self {
        Self::String(value.to_owned())
    }
}

impl From<DateTime> for HeaderValue {
    fn from(value: DateTime) -> Self {
        Self::Timestamp(value)
    }
}

impl From<[u8; 16]> for HeaderValue {
    fn from(value: [u8; 16]) -> Self {
        Self::Uuid(value)
    }
}

/// One header of a [`Message`]: a name and a typed value.
///
/// A header always fits the wire format: its name is at most 255 bytes of
/// UTF-8 and a byte-array or string value at most 65 535 bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    pub(super) name: String,
    pub(super) value: HeaderValue,
}

impl Header {
    /// Creates a header, checking that it can be encoded.
    ///
    /// ```
    /// use lambda_sdk_runtime::event_stream::{Header, HeaderValue};
    ///
    /// let header = Header::new(":event-type", "PayloadChunk")?;
    /// assert_eq!(header.name(), ":event-type");
    /// assert_eq!(header.value(), &HeaderValue::String("PayloadChunk".into()));
    ///
    /// let err = Header::new("x".repeat(256), true).unwrap_err();
    /// assert_eq!(err.to_string(), "header name is 256 bytes long; the limit is 255");
    /// # Ok::<(), lambda_sdk_runtime::event_stream::EventStreamError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// If the name is longer than 255 bytes, or the value is a byte array or
    /// string longer than 65 535 bytes.
    pub fn new(
        name: impl Into<String>,
        value: impl Into<HeaderValue>,
    ) -> Result<Self, EventStreamError> {
        let header = Self {
            name: name.into(),
            value: value.into(),
        };
        header.check()?;
        Ok(header)
    }

    /// The header's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The header's value.
    pub fn value(&self) -> &HeaderValue {
        &self.value
    }

    /// Takes the name and value out of the header.
    pub fn into_parts(self) -> (String, HeaderValue) {
        (self.name, self.value)
    }

    /// Checks the lengths the wire format limits.
    fn check(&self) -> Result<(), EventStreamError> {
        if self.name.len() > MAX_HEADER_NAME_LEN {
            return Err(ErrorKind::HeaderNameTooLong {
                len: self.name.len(),
            }
            .into());
        }
        match self.value.variable_len() {
            Some(len) if len > MAX_HEADER_VALUE_LEN => Err(ErrorKind::HeaderValueTooLong {
                name: self.name.clone(),
                value_type: self.value.type_name(),
                len,
            }
            .into()),
            _ => Ok(()),
        }
    }

    /// Appends the header's wire form to `out`.
    pub(super) fn write(&self, out: &mut BytesMut) -> Result<(), EventStreamError> {
        self.check()?;
        // `check` bounded both lengths, so the conversions cannot fail; the
        // fallbacks only keep this free of panics.
        let name_len = u8::try_from(self.name.len()).map_err(|_| ErrorKind::HeaderNameTooLong {
            len: self.name.len(),
        })?;
        out.put_u8(name_len);
        out.put_slice(self.name.as_bytes());
        out.put_u8(self.value.type_id());
        match &self.value {
            HeaderValue::Bool(_) => {}
            HeaderValue::Byte(v) => out.put_i8(*v),
            HeaderValue::Short(v) => out.put_i16(*v),
            HeaderValue::Int(v) => out.put_i32(*v),
            HeaderValue::Long(v) => out.put_i64(*v),
            HeaderValue::Bytes(v) => self.write_variable(out, v)?,
            HeaderValue::String(v) => self.write_variable(out, v.as_bytes())?,
            HeaderValue::Timestamp(v) => out.put_i64(v.to_millis()),
            HeaderValue::Uuid(v) => out.put_slice(v),
        }
        Ok(())
    }

    fn write_variable(&self, out: &mut BytesMut, value: &[u8]) -> Result<(), EventStreamError> {
        let len = u16::try_from(value.len()).map_err(|_| ErrorKind::HeaderValueTooLong {
            name: self.name.clone(),
            value_type: self.value.type_name(),
            len: value.len(),
        })?;
        out.put_u16(len);
        out.put_slice(value);
        Ok(())
    }
}
