//! restJson1 building blocks the generated operations call: path labels, query strings,
//! headers and JSON bodies on the way out; status, headers, bodies and error codes on the way
//! back.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ConstructionError, ErrorMetadata, ResponseError};
use crate::{DateTime, DateTimeFormat};

/// A serialized request, before endpoint, signing and transport.
#[derive(Clone, Debug, Default)]
pub struct PreparedRequest {
    pub(crate) method: &'static str,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) host_prefix: String,
}

impl PreparedRequest {
    /// Text prepended to the endpoint's host (`@endpoint(hostPrefix)`), usually empty.
    pub fn host_prefix(&self) -> &str {
        &self.host_prefix
    }

    /// The HTTP method.
    pub fn method(&self) -> &str {
        self.method
    }

    /// The percent-encoded path, starting with `/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The percent-encoded query string, without `?` (empty when there is none).
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The operation's own headers (bindings and content type).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }
}

/// Builds a [`PreparedRequest`] from an operation's bindings.
#[derive(Debug)]
pub struct RequestBuilder {
    request: PreparedRequest,
    /// Query keys set by the URI pattern and `@httpQuery` members, which `@httpQueryParams`
    /// entries must not repeat.
    bound_query_keys: Vec<String>,
    /// Headers set by `@httpHeader` members, which `@httpPrefixHeaders` entries must not repeat.
    bound_headers: Vec<HeaderName>,
}

/// Characters sent as they are in labels and query strings (RFC 3986 unreserved).
/// One path segment, percent-encoded; `.` and `..` become `%2E` and `%2E%2E`.
fn encode_segment(segment: &str) -> String {
    match segment {
        "." => "%2E".into(),
        ".." => "%2E%2E".into(),
        other => percent_encode(other, false),
    }
}

/// Percent-encodes every byte that is not unreserved (and `/` when `keep_slash`).
pub fn percent_encode(value: &str, keep_slash: bool) -> String {
    if keep_slash {
        crate::percent::encode(value, |b| crate::percent::unreserved(b) || b == b'/')
    } else {
        crate::percent::encode(value, crate::percent::unreserved)
    }
}

impl RequestBuilder {
    /// Starts a request with this method.
    pub fn new(method: &'static str) -> Self {
        RequestBuilder {
            request: PreparedRequest {
                method,
                ..PreparedRequest::default()
            },
            bound_query_keys: Vec::new(),
            bound_headers: Vec::new(),
        }
    }

    /// Appends a literal path segment from the URI pattern.
    pub fn literal(&mut self, segment: &str) -> &mut Self {
        self.request.path.push('/');
        self.request.path.push_str(segment);
        self
    }

    /// Appends a label's value as one percent-encoded segment (or several, for a greedy
    /// label). An empty value is refused: it would change which resource the path names.
    ///
    /// # Errors
    /// When the value is empty (or, for a greedy label, has an empty segment).
    pub fn label(
        &mut self,
        member: &str,
        value: &str,
        greedy: bool,
    ) -> Result<&mut Self, ConstructionError> {
        if value.is_empty() {
            return Err(ConstructionError::invalid_member(
                member,
                "is empty, but it is bound to the request path and must have a value",
            ));
        }
        if greedy && value.trim_start_matches('/').split('/').any(str::is_empty) {
            return Err(ConstructionError::invalid_member(
                member,
                "has an empty path segment, which signing would normalise away",
            ));
        }
        self.request.path.push('/');
        let value = if greedy {
            value.strip_prefix('/').unwrap_or(value)
        } else {
            value
        };
        // Each segment is percent-encoded; a segment that is `.` or `..` has its dots encoded
        // too, so neither the server nor the signer treats it as a relative path step.
        let segments: Vec<String> = if greedy {
            value.split('/').map(encode_segment).collect()
        } else {
            vec![encode_segment(value)]
        };
        self.request.path.push_str(&segments.join("/"));
        Ok(self)
    }

    /// Appends literal text to the host prefix.
    pub fn host_literal(&mut self, text: &str) -> &mut Self {
        self.request.host_prefix.push_str(text);
        self
    }

    /// Appends a `@hostLabel` member's value to the host prefix. It must be a valid host name
    /// label: letters, digits and `-`, not starting with `-` (dots separate labels).
    ///
    /// # Errors
    /// When the value is empty or not a valid host label.
    pub fn host_label(
        &mut self,
        member: &str,
        value: &str,
    ) -> Result<&mut Self, ConstructionError> {
        let valid = !value.is_empty()
            && value.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !valid {
            return Err(ConstructionError::invalid_member(
                member,
                format!("is {value:?}, which is not a valid host name label"),
            ));
        }
        self.request.host_prefix.push_str(value);
        Ok(self)
    }

    /// Adds a literal query parameter from the URI pattern (`?find=LayerVersion`).
    pub fn query_literal(&mut self, key: &str, value: &str) -> &mut Self {
        self.bound_query_keys.push(key.to_string());
        self.push_query(key, if value.is_empty() { None } else { Some(value) });
        self
    }

    /// Adds a query parameter.
    pub fn query(&mut self, key: &str, value: &str) -> &mut Self {
        self.bound_query_keys.push(key.to_string());
        self.push_query(key, Some(value));
        self
    }

    /// Adds a parameter from an `@httpQueryParams` map, unless an `@httpQuery` member already
    /// set that key (which takes precedence).
    pub fn query_param(&mut self, key: &str, value: &str) -> &mut Self {
        if !self.bound_query_keys.iter().any(|k| k == key) {
            self.push_query(key, Some(value));
        }
        self
    }

    /// Adds a required query parameter; an empty value is refused.
    ///
    /// # Errors
    /// When the value is empty.
    pub fn required_query(
        &mut self,
        member: &str,
        key: &str,
        value: &str,
    ) -> Result<&mut Self, ConstructionError> {
        if value.is_empty() {
            return Err(ConstructionError::invalid_member(
                member,
                "is empty, but it is a required query parameter and must have a value",
            ));
        }
        Ok(self.query(key, value))
    }

    fn push_query(&mut self, key: &str, value: Option<&str>) {
        let q = &mut self.request.query;
        if !q.is_empty() {
            q.push('&');
        }
        q.push_str(&percent_encode(key, false));
        if let Some(value) = value {
            q.push('=');
            q.push_str(&percent_encode(value, false));
        }
    }

    /// Sets a header.
    ///
    /// # Errors
    /// When the value has characters a header cannot carry (control characters).
    pub fn header(
        &mut self,
        member: &str,
        name: &str,
        value: &str,
    ) -> Result<&mut Self, ConstructionError> {
        let value = HeaderValue::from_str(value).map_err(|_| {
            ConstructionError::invalid_member(
                member,
                format!("cannot be sent in the `{name}` header: it has control characters"),
            )
        })?;
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            ConstructionError::invalid_member(
                member,
                format!("is bound to `{name}`, which is not a valid header name"),
            )
        })?;
        self.request.headers.remove(&name);
        self.request.headers.insert(name.clone(), value);
        self.bound_headers.push(name);
        Ok(self)
    }

    /// Sets a header from an `@httpPrefixHeaders` map, unless an `@httpHeader` member sets the
    /// same header (which takes precedence).
    ///
    /// # Errors
    /// As [`RequestBuilder::header`].
    pub fn prefix_header(
        &mut self,
        member: &str,
        name: &str,
        value: &str,
    ) -> Result<&mut Self, ConstructionError> {
        if self
            .bound_headers
            .iter()
            .any(|h| h.as_str().eq_ignore_ascii_case(name))
        {
            return Ok(self);
        }
        self.header(member, name, value)?;
        self.bound_headers.pop();
        Ok(self)
    }

    /// Computes `Content-MD5` over the body (`@httpChecksumRequired`); call after the body.
    pub fn content_md5(&mut self) -> &mut Self {
        let digest = crate::md5::digest(&self.request.body);
        if let Ok(value) = HeaderValue::from_str(&crate::base64::encode(&digest)) {
            self.request.headers.insert("content-md5", value);
        }
        self
    }

    /// Sets a JSON body (with `Content-Type: application/json`).
    ///
    /// # Errors
    /// When the value cannot be serialized (a NaN in a list of floats, an unknown union).
    pub fn json_body<T: Serialize + ?Sized>(
        &mut self,
        body: &T,
    ) -> Result<&mut Self, ConstructionError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            ConstructionError::other(format!("the request body cannot be serialized: {e}"))
        })?;
        self.request.body = Bytes::from(bytes);
        self.content_type("application/json");
        Ok(self)
    }

    /// Sets a raw body with its content type.
    pub fn raw_body(&mut self, body: impl Into<Bytes>, content_type: &'static str) -> &mut Self {
        self.request.body = body.into();
        self.content_type(content_type);
        self
    }

    /// Sets the body's content type unless a header member set it already.
    fn content_type(&mut self, value: &'static str) {
        self.request
            .headers
            .entry(http::header::CONTENT_TYPE)
            .or_insert(HeaderValue::from_static(value));
    }

    /// Finishes the request.
    pub fn finish(mut self) -> PreparedRequest {
        if self.request.path.is_empty() {
            self.request.path.push('/');
        }
        self.request
    }
}

/// Formats a timestamp for a query string (RFC 3339) or a header (IMF-fixdate) unless the
/// model says otherwise.
pub fn fmt_timestamp(value: &DateTime, format: DateTimeFormat) -> String {
    value.fmt(format)
}

/// Formats an `f32` as restJson1 does outside JSON, with `f32`'s own shortest form (`4.1`,
/// not `4.099999904632568`).
pub fn fmt_f32(value: f32) -> String {
    if value.is_finite() {
        value.to_string()
    } else {
        fmt_float(f64::from(value))
    }
}

/// A string member with `@mediaType` in a header: base64 of its text.
pub fn fmt_base64_str(value: &str) -> String {
    crate::base64::encode(value.as_bytes())
}

/// Reads a `@mediaType` string header: base64-decoded text.
///
/// # Errors
/// When the header is not base64 of UTF-8 text.
pub fn header_base64_str(
    status: u16,
    headers: &HeaderMap,
    member: &str,
    name: &str,
) -> Result<Option<String>, ResponseError> {
    match header_str(status, headers, member, name)? {
        None => Ok(None),
        Some(text) => crate::base64::decode(text.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(Some)
            .ok_or_else(|| header_error(status, headers, member, name, "not base64-encoded text")),
    }
}

/// Formats a float as restJson1 does outside JSON: `NaN`, `Infinity`, `-Infinity` or a number.
pub fn fmt_float(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        value.to_string()
    }
}

/// A blob in a header or query string: base64.
pub fn fmt_blob(value: &crate::Blob) -> String {
    crate::base64::encode(value.as_bytes())
}

/// Joins list items into one header value, quoting strings that hold a comma or a quote.
pub fn join_header_values(items: &[String], quote_strings: bool) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if quote_strings && (item.contains(',') || item.contains('"')) {
            out.push('"');
            out.push_str(&item.replace('\\', "\\\\").replace('"', "\\\""));
            out.push('"');
        } else {
            out.push_str(item);
        }
    }
    out
}

/// Splits a list header into items: commas separate items, quoted items may hold commas, and
/// HTTP dates (which contain a comma) are kept whole when `timestamps` is set.
///
/// # Errors
/// When the header is not text.
pub fn header_list(
    status: u16,
    headers: &HeaderMap,
    member: &str,
    name: &str,
    timestamps: bool,
) -> Result<Option<Vec<String>>, ResponseError> {
    let mut values = Vec::new();
    let mut any = false;
    for value in headers.get_all(name) {
        any = true;
        let text = value
            .to_str()
            .map_err(|_| header_error(status, headers, member, name, "not text"))?;
        values.extend(split_header_list(text, timestamps));
    }
    Ok(any.then_some(values))
}

fn split_header_list(text: &str, timestamps: bool) -> Vec<String> {
    let mut items = Vec::new();
    if timestamps {
        // "Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT": every second comma.
        let parts: Vec<&str> = text.split(',').collect();
        for pair in parts.chunks(2) {
            items.push(pair.join(",").trim().to_string());
        }
        return items;
    }
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if current.trim().is_empty() && !quoted => {
                quoted = true;
                was_quoted = true;
                current.clear();
            }
            '"' if quoted => quoted = false,
            '\\' if quoted => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ',' if !quoted => {
                items.push(if was_quoted {
                    std::mem::take(&mut current)
                } else {
                    std::mem::take(&mut current).trim().to_string()
                });
                was_quoted = false;
            }
            c => current.push(c),
        }
    }
    items.push(if was_quoted {
        current
    } else {
        current.trim().to_string()
    });
    items
}

/// A response error about one header.
pub fn header_error(
    status: u16,
    headers: &HeaderMap,
    member: &str,
    name: &str,
    problem: &str,
) -> ResponseError {
    ResponseError::new(
        status,
        request_id(headers),
        format!("header `{name}` of member `{member}`: {problem}"),
    )
}

/// A base64 blob header.
///
/// # Errors
/// When the header is not base64.
pub fn header_blob(
    status: u16,
    headers: &HeaderMap,
    member: &str,
    name: &str,
) -> Result<Option<crate::Blob>, ResponseError> {
    match header_str(status, headers, member, name)? {
        None => Ok(None),
        Some(text) => crate::base64::decode(text.trim())
            .map(|b| Some(crate::Blob::from(b)))
            .map_err(|e| header_error(status, headers, member, name, &e.to_string())),
    }
}

/// One item of a header list of blobs: base64 text.
///
/// # Errors
/// When the item is not base64; the message says why.
pub fn parse_blob(item: &str) -> Result<crate::Blob, String> {
    crate::base64::decode(item.trim())
        .map(crate::Blob::from)
        .map_err(|e| e.to_string())
}

/// Every header that starts with `prefix` (case-insensitively), keyed by the rest of its name.
///
/// # Errors
/// When such a header is not text.
pub fn prefix_headers(
    status: u16,
    headers: &HeaderMap,
    member: &str,
    prefix: &str,
) -> Result<Option<std::collections::HashMap<String, String>>, ResponseError> {
    let prefix = prefix.to_ascii_lowercase();
    let mut map = std::collections::HashMap::new();
    for (name, value) in headers {
        if let Some(rest) = name.as_str().strip_prefix(&prefix) {
            let text = value
                .to_str()
                .map_err(|_| header_error(status, headers, member, name.as_str(), "not text"))?;
            map.insert(rest.to_string(), text.to_string());
        }
    }
    Ok(Some(map))
}

/// The request id of a response: `x-amzn-RequestId`, else `x-amz-request-id`.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    ["x-amzn-requestid", "x-amz-request-id"]
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .map(String::from)
}

/// Removes a namespace (`aws.protocoltests.restjson#`) and anything after `:` from an error
/// code, as restJson1 requires.
pub fn sanitize_error_code(code: &str) -> &str {
    let code = code.split(':').next().unwrap_or(code);
    let code = code.rsplit('#').next().unwrap_or(code);
    code.trim()
}

/// The modeled error structure `T` an error response's JSON body holds; `None` when the body
/// does not match it (the caller keeps the error as an unhandled one).
pub fn read_error<T: DeserializeOwned>(response: &http::Response<Bytes>) -> Option<T> {
    parse_json(
        response.status().as_u16(),
        response.headers(),
        response.body(),
    )
    .ok()
}

/// [`error_metadata`] of a whole response.
pub fn error_metadata_of(response: &http::Response<Bytes>) -> ErrorMetadata {
    error_metadata(
        response.status().as_u16(),
        response.headers(),
        response.body(),
    )
}

/// Reads code, message and request id of an error response: the code from `x-amzn-ErrorType`,
/// else the body's `__type` or `code`; the message from `message` or `Message`.
pub fn error_metadata(status: u16, headers: &HeaderMap, body: &[u8]) -> ErrorMetadata {
    #[derive(serde::Deserialize, Default)]
    struct ErrorBody {
        #[serde(rename = "__type")]
        type_: Option<String>,
        code: Option<String>,
        #[serde(rename = "Code")]
        code_upper: Option<String>,
        message: Option<String>,
        #[serde(rename = "Message")]
        message_upper: Option<String>,
        #[serde(rename = "errorMessage")]
        error_message: Option<String>,
    }
    let parsed: ErrorBody = if body.iter().all(u8::is_ascii_whitespace) {
        ErrorBody::default()
    } else {
        serde_json::from_slice(body).unwrap_or_default()
    };
    let header_code = headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let code = header_code
        .or(parsed.type_)
        .or(parsed.code)
        .or(parsed.code_upper)
        .map(|c| sanitize_error_code(&c).to_string())
        .filter(|c| !c.is_empty());
    ErrorMetadata::new(
        status,
        code,
        parsed
            .message
            .or(parsed.message_upper)
            .or(parsed.error_message),
        request_id(headers),
    )
}

/// Parses a JSON body into `T`; an empty body reads as `{}`. When a key repeats, the last
/// value wins. The error names the path of the offending member.
///
/// # Errors
/// When the body is not JSON of the expected shape.
pub fn parse_json<T: DeserializeOwned>(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, ResponseError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let first = match serde_json::from_slice(body) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    // A repeated key: JSON objects keep the last value (as serde_json's own maps do), so read
    // the document generically, which keeps the last, write it back and read that (with the
    // same deserializer as above: no second copy of `T`'s deserialization code).
    if first.to_string().starts_with("duplicate field")
        && let Ok(value) = serde_json::from_slice::<serde_json::Value>(body)
        && let Ok(normalized) = serde_json::to_vec(&value)
        && let Ok(parsed) = serde_json::from_slice::<T>(&normalized)
    {
        return Ok(parsed);
    }
    // serde quotes the value it did not expect; that value may be a `@sensitive` member's.
    let reason = without_value(&first.to_string());
    let offset = crate::json_path::offset_of(body, first.line(), first.column());
    let path = crate::json_path::path_at(body, offset);
    let reason = if path.is_empty() {
        format!("the JSON body does not match the model: {reason}")
    } else {
        format!("member `{path}` does not match the model: {reason}")
    };
    Err(ResponseError::new(status, request_id(headers), reason))
}

/// A serde error message without the value it quotes: `invalid type: string "…", expected a
/// sequence` becomes `invalid type: string, expected a sequence`. The value may be a
/// `@sensitive` member's (a payload sent as a string where the model has a list, say), and a
/// parse error is printed and logged; its member path already says where the problem is.
fn without_value(message: &str) -> String {
    let mut out = message.to_string();
    for prefix in ["invalid type: ", "invalid value: "] {
        let Some(at) = out.find(prefix) else {
            continue;
        };
        let start = at + prefix.len();
        let Some(len) = out[start..].rfind(", expected ") else {
            continue;
        };
        // `string "…"`, `integer `5``, `floating point `1.5``, `boolean `true``: keep the kind.
        let unexpected = &out[start..start + len];
        let kind = unexpected
            .find(['"', '`', '\''])
            .map_or(unexpected, |quote| unexpected[..quote].trim_end());
        out = format!("{}{kind}{}", &out[..start], &out[start + len..]);
    }
    out
}

/// A header's value as text, if present.
///
/// # Errors
/// When the header is not valid UTF-8 text.
pub fn header_str<'a>(
    status: u16,
    headers: &'a HeaderMap,
    member: &str,
    name: &str,
) -> Result<Option<&'a str>, ResponseError> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v.to_str().map(Some).map_err(|_| {
            ResponseError::new(
                status,
                request_id(headers),
                format!("header `{name}` of member `{member}` is not text"),
            )
        }),
    }
}

/// Parses a header into a value with `FromStr` (numbers, booleans, enums).
///
/// # Errors
/// When the header does not parse.
pub fn header_parse<T: std::str::FromStr>(
    status: u16,
    headers: &HeaderMap,
    member: &str,
    name: &str,
) -> Result<Option<T>, ResponseError> {
    match header_str(status, headers, member, name)? {
        None => Ok(None),
        Some(text) => text.trim().parse().map(Some).map_err(|_| {
            ResponseError::new(
                status,
                request_id(headers),
                format!("header `{name}` of member `{member}` has the value {text:?}, which does not parse"),
            )
        }),
    }
}

/// Parses a timestamp header.
///
/// # Errors
/// When the header is not a timestamp in `format`.
pub fn header_timestamp(
    status: u16,
    headers: &HeaderMap,
    member: &str,
    name: &str,
    format: DateTimeFormat,
) -> Result<Option<DateTime>, ResponseError> {
    match header_str(status, headers, member, name)? {
        None => Ok(None),
        Some(text) => DateTime::from_str(text.trim(), format)
            .map(Some)
            .map_err(|e| {
                ResponseError::new(
                    status,
                    request_id(headers),
                    format!("header `{name}` of member `{member}`: {e}"),
                )
            }),
    }
}

/// The response error a generated operation hands back when it cannot read a response:
/// the status, request id and `reason`.
pub fn response_error<E>(
    response: &http::Response<Bytes>,
    reason: impl Into<String>,
) -> crate::error::Error<E> {
    crate::error::Error::Response(ResponseError::new(
        response.status().as_u16(),
        request_id(response.headers()),
        reason,
    ))
}

#[cfg(test)]
mod tests;
