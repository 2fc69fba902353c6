//! The endpoint rules' library functions that compute something: the string and URL helpers
//! of the Smithy standard library and the AWS extensions, typed. The resolvers that
//! `cargo xtask codegen` compiles from a rule set call these (`isSet`, `not`, the equalities,
//! `coalesce`, `ite` and `getAttr` compile to plain Rust), and so does the reference
//! interpreter of the workspace's dev-only `endpoint-rules-oracle` crate.
//!
//! ```
//! use lambda_sdk_runtime::endpoint_rules::functions::{parse_url, partition, uri_encode};
//!
//! assert_eq!(partition("cn-north-1").dns_suffix, "amazonaws.com.cn");
//! let url = parse_url("https://localhost:8443/base").unwrap();
//! assert_eq!((url.authority.as_str(), url.normalized_path.as_str()), ("localhost:8443", "/base/"));
//! assert_eq!(uri_encode("a b/c"), "a%20b%2Fc");
//! ```

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::partitions::{self, PartitionOutputs};

/// The result of `parseURL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// `scheme`: `http` or `https`, in lower case.
    pub scheme: String,
    /// `authority`: host and port as written (user information dropped).
    pub authority: String,
    /// `path`: the path as written, empty when there is none.
    pub path: String,
    /// `normalizedPath`: the path with a `/` at both ends (`/` for an empty path).
    pub normalized_path: String,
    /// `isIp`: whether the host is an IPv4 or (bracketed) IPv6 address.
    pub is_ip: bool,
}

/// The result of `aws.parseArn`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arn {
    /// `partition`, e.g. `aws`.
    pub partition: String,
    /// `service`, e.g. `lambda`.
    pub service: String,
    /// `region`, possibly empty.
    pub region: String,
    /// `accountId`, possibly empty.
    pub account_id: String,
    /// `resourceId`: the resource cut at every `:` and `/`.
    pub resource_id: Vec<String>,
}

/// `getAttr` with an index on an array: the element at `index`, counted from the end when
/// negative. `None` when out of range.
pub fn index(items: &[String], index: i64) -> Option<String> {
    items.get(position(items.len(), index)?).cloned()
}

/// Where `index` points in a list of `len` items (from the end when negative), if anywhere.
pub fn position(len: usize, index: i64) -> Option<usize> {
    if index >= 0 {
        usize::try_from(index).ok()
    } else {
        let back = usize::try_from(index.unsigned_abs()).ok()?;
        len.checked_sub(back)
    }
}

/// `parseURL`: an `http`/`https` URL with a host, an optional port and an optional path.
/// `None` for anything else, including URLs with a query or a fragment.
///
/// The authority is the host and port as written (an explicit port, even the default one,
/// is kept; user information is dropped). `path` is the path as written (empty when there is
/// none); `normalizedPath` is the path with a `/` at both ends (`/` for an empty path).
pub fn parse_url(url: &str) -> Option<Url> {
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
    Some(Url {
        scheme,
        authority: authority.to_string(),
        path: path.to_string(),
        normalized_path,
        is_ip,
    })
}

/// `substring`: the ASCII characters `[start, stop)`, counted from the end when `reverse`.
/// `None` for non-ASCII input, an empty or inverted range, or a string too short.
pub fn substring(input: &str, start: i64, stop: i64, reverse: bool) -> Option<String> {
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
pub fn uri_encode(input: &str) -> String {
    crate::percent::encode(input, crate::percent::unreserved)
}

/// `isValidHostLabel`: one RFC 1123 label (1 to 63 letters, digits and hyphens, starting
/// with a letter or digit), or with `allow_sub_domains` several joined by single dots.
pub fn is_valid_host_label(value: &str, allow_sub_domains: bool) -> bool {
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
///
/// # Errors
/// For an empty delimiter or a negative limit, saying which.
pub fn split(value: &str, delimiter: &str, limit: i64) -> Result<Vec<String>, String> {
    if delimiter.is_empty() {
        return Err("the delimiter must not be empty".to_string());
    }
    Ok(match usize::try_from(limit) {
        Err(_) => return Err(format!("the limit must not be negative, found {limit}")),
        Ok(0) => value.split(delimiter).map(str::to_string).collect(),
        Ok(n) => value.splitn(n, delimiter).map(str::to_string).collect(),
    })
}

/// `aws.partition`: [`partitions::outputs_for`] (a region of no known partition gets the `aws`
/// partition's outputs, so this never fails).
pub fn partition(region: &str) -> PartitionOutputs {
    partitions::outputs_for(region)
}

/// `aws.parseArn`: `arn:partition:service:region:account:resource`. Partition, service and
/// resource must not be empty; region and account may.
pub fn parse_arn(arn: &str) -> Option<Arn> {
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
    Some(Arn {
        partition: partition.to_string(),
        service: service.to_string(),
        region: region.to_string(),
        account_id: account_id.to_string(),
        resource_id: resource.split([':', '/']).map(str::to_string).collect(),
    })
}

/// `aws.isVirtualHostableS3Bucket`: whether a bucket name can be the first label(s) of a
/// virtual-hosted S3 endpoint: 3 to 63 lower-case letters, digits and hyphens (and dots when
/// `allow_sub_domains`), starting and ending with a letter or digit, with no `..`, `.-` or
/// `-.`, and not shaped like an IPv4 address.
pub fn is_virtual_hostable_s3_bucket(bucket: &str, allow_sub_domains: bool) -> bool {
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
