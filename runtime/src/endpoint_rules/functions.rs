//! The library functions that compute something: string and URL helpers of the Smithy
//! standard library and the AWS extensions. (`isSet`, `not`, the equalities, `coalesce`,
//! `ite` and `getAttr` are plain enough to live in the evaluator.)

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::parse::PathSeg;
use super::value::Value;
use crate::partitions;

/// `getAttr`: follows `path` through records (keys) and arrays (indexes; negative ones
/// count from the end). `None` when a key or index is missing or the value has the wrong
/// shape for the step.
pub(crate) fn get_attr(value: &Value, path: &[PathSeg]) -> Option<Value> {
    let mut current = value;
    for segment in path {
        current = match (segment, current) {
            (PathSeg::Key(key), Value::Record(fields)) => fields.get(key)?,
            (PathSeg::Index(index), Value::Array(items)) => {
                let position = if *index >= 0 {
                    usize::try_from(*index).ok()?
                } else {
                    let back = usize::try_from(index.unsigned_abs()).ok()?;
                    items.len().checked_sub(back)?
                };
                items.get(position)?
            }
            _ => return None,
        };
    }
    Some(current.clone())
}

/// `parseURL`: an `http`/`https` URL with a host, an optional port and an optional path,
/// as a record of `scheme`, `authority`, `path`, `normalizedPath` and `isIp`. `None` for
/// anything else, including URLs with a query or a fragment.
///
/// The authority is the host and port as written (an explicit port, even the default one,
/// is kept; user information is dropped). `path` is the path as written (empty when there is
/// none); `normalizedPath` is the path with a `/` at both ends (`/` for an empty path).
pub(crate) fn parse_url(url: &str) -> Option<Value> {
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#')
    {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    // User information (`user@`) is not part of the authority the rules see.
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (literal, after) = bracketed.split_once(']')?;
        literal.parse::<Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (authority.get(..literal.len() + 2)?, port)
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        port.parse::<u16>().ok()?;
    }
    let is_ip = host.starts_with('[') || host.parse::<Ipv4Addr>().is_ok();
    let mut normalized_path = String::with_capacity(path.len() + 2);
    if !path.starts_with('/') {
        normalized_path.push('/');
    }
    normalized_path.push_str(path);
    if !normalized_path.ends_with('/') {
        normalized_path.push('/');
    }
    Some(Value::record([
        ("scheme", Value::Str(scheme)),
        ("authority", Value::Str(authority.to_string())),
        ("path", Value::Str(path.to_string())),
        ("normalizedPath", Value::Str(normalized_path)),
        ("isIp", Value::Bool(is_ip)),
    ]))
}

/// `substring`: the ASCII characters `[start, stop)`, counted from the end when `reverse`.
/// `None` for non-ASCII input, an empty or inverted range, or a string too short.
pub(crate) fn substring(input: &str, start: i64, stop: i64, reverse: bool) -> Option<String> {
    if !input.is_ascii() {
        return None;
    }
    let start = usize::try_from(start).ok()?;
    let stop = usize::try_from(stop).ok()?;
    let len = input.len();
    if start >= stop || stop > len {
        return None;
    }
    let (from, to) = if reverse {
        (len - stop, len - start)
    } else {
        (start, stop)
    };
    input.get(from..to).map(str::to_string)
}

/// `uriEncode`: RFC 3986 percent-encoding of everything but the unreserved characters
/// (`A-Z a-z 0-9 - _ . ~`), with upper-case hex digits, byte by byte of the UTF-8 form.
pub(crate) fn uri_encode(input: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(input.len());
    for byte in input.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// `isValidHostLabel`: one RFC 1123 label (1 to 63 letters, digits and hyphens, starting
/// with a letter or digit), or with `allow_sub_domains` several joined by single dots.
pub(crate) fn is_valid_host_label(value: &str, allow_sub_domains: bool) -> bool {
    if allow_sub_domains {
        value.split('.').all(is_host_label)
    } else {
        is_host_label(value)
    }
}

fn is_host_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// `split`: `value` cut at each `delimiter`; `limit` 0 cuts everywhere, `n > 0` yields at
/// most `n` pieces. Errors for an empty delimiter or a negative limit.
pub(crate) fn split(value: &str, delimiter: &str, limit: i64) -> Result<Value, String> {
    if delimiter.is_empty() {
        return Err("the delimiter must not be empty".to_string());
    }
    let pieces: Vec<Value> = match usize::try_from(limit) {
        Err(_) => return Err(format!("the limit must not be negative, found {limit}")),
        Ok(0) => value
            .split(delimiter)
            .map(|s| Value::Str(s.to_string()))
            .collect(),
        Ok(n) => value
            .splitn(n, delimiter)
            .map(|s| Value::Str(s.to_string()))
            .collect(),
    };
    Ok(Value::Array(pieces))
}

/// `aws.partition`: the record of [`partitions::outputs_for`].
pub(crate) fn aws_partition(region: &str) -> Value {
    let outputs = partitions::outputs_for(region);
    Value::record([
        ("name", Value::Str(outputs.name.to_string())),
        ("dnsSuffix", Value::Str(outputs.dns_suffix.to_string())),
        (
            "dualStackDnsSuffix",
            Value::Str(outputs.dual_stack_dns_suffix.to_string()),
        ),
        (
            "implicitGlobalRegion",
            Value::Str(outputs.implicit_global_region.to_string()),
        ),
        ("supportsFIPS", Value::Bool(outputs.supports_fips)),
        (
            "supportsDualStack",
            Value::Bool(outputs.supports_dual_stack),
        ),
    ])
}

/// `aws.parseArn`: `arn:partition:service:region:account:resource` as a record of
/// `partition`, `service`, `region`, `accountId` and `resourceId` (the resource cut at every
/// `:` and `/`). Partition, service and resource must not be empty; region and account may.
pub(crate) fn aws_parse_arn(arn: &str) -> Option<Value> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account_id = parts.next()?;
    let resource = parts.next()?;
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    let resource_id = resource
        .split([':', '/'])
        .map(|piece| Value::Str(piece.to_string()))
        .collect();
    let mut fields = BTreeMap::new();
    fields.insert("partition".to_string(), Value::Str(partition.to_string()));
    fields.insert("service".to_string(), Value::Str(service.to_string()));
    fields.insert("region".to_string(), Value::Str(region.to_string()));
    fields.insert("accountId".to_string(), Value::Str(account_id.to_string()));
    fields.insert("resourceId".to_string(), Value::Array(resource_id));
    Some(Value::Record(fields))
}

/// `aws.isVirtualHostableS3Bucket`: whether a bucket name can be the first label(s) of a
/// virtual-hosted S3 endpoint: 3 to 63 lower-case letters, digits and hyphens (and dots when
/// `allow_sub_domains`), starting and ending with a letter or digit, with no `..`, `.-` or
/// `-.`, and not shaped like an IPv4 address.
pub(crate) fn aws_is_virtual_hostable_s3_bucket(bucket: &str, allow_sub_domains: bool) -> bool {
    let bytes = bucket.as_bytes();
    let edge_ok = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&bytes.len())
        && edge_ok(bytes.first())
        && edge_ok(bytes.last())
        && bytes.iter().all(|b| {
            b.is_ascii_lowercase()
                || b.is_ascii_digit()
                || *b == b'-'
                || (allow_sub_domains && *b == b'.')
        })
        && !bucket.contains("..")
        && !bucket.contains(".-")
        && !bucket.contains("-.")
        && !looks_like_ipv4(bucket)
}

/// Four dot-separated runs of digits, whatever their values (`999.999.999.999` too).
fn looks_like_ipv4(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}
