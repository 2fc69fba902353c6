//! Operations and their HTTP bindings: method, URI pattern, labels, query, headers, payload and host prefix.

use serde_json::Value;

use super::Lowerer;
use super::shapes::doc_of;
use crate::ir::{self, Binding, NamedKind, TimestampFormat, Type};
use crate::smithy::{Shape, ShapeId, Traits, UNIT};
use crate::{Error, docs, naming};

impl<'m> Lowerer<'m> {
    pub(super) fn operation(&self, id: &ShapeId) -> Result<ir::Operation, Error> {
        let shape = self.shape(id)?;
        let name = id.name().to_string();
        let input = self.io_structure(id, shape.input.as_ref().map(|r| r.target.as_str()), true)?;
        let output =
            self.io_structure(id, shape.output.as_ref().map(|r| r.target.as_str()), false)?;
        let http = http_binding(id, &shape.traits, &input)?;
        if let Some(m) = input.members.iter().find(|m| m.event_stream) {
            return Err(Error::shape(
                format!("{}${}", input.shape_id, m.name),
                "event streams in requests are not supported (no Lambda operation sends one)",
            ));
        }
        let feature = naming::operation_feature(&name);
        if crate::features::reserved(&feature) {
            return Err(Error::shape(
                id,
                format!(
                    "the operation's cargo feature would be `{feature}`, which is already a \
                     feature of the generated crate; rename the operation in the model or leave \
                     it out with --operations"
                ),
            ));
        }

        let mut errors = Vec::new();
        for err in shape.errors.iter().chain(&self.service.errors) {
            let err_id = ShapeId::new(&err.target);
            let named = self
                .named
                .get(&err_id)
                .ok_or_else(|| Error::shape(id, format!("error `{err_id}` is not a structure")))?;
            let err_shape = self.shape(&err_id)?;
            if !err_shape.has_trait("smithy.api#error") {
                return Err(Error::shape(
                    &err_id,
                    "is listed as an error but lacks the @error trait",
                ));
            }
            let docs = doc_of(&err_shape.traits)
                .unwrap_or_else(|| docs::fallback("structure", err_id.name()));
            errors.push(ir::ErrorRef {
                code: err_id.name().to_string(),
                is_method: naming::is_variant_method(&named.rust_name),
                rust_name: named.rust_name.clone(),
                summary: docs.lines().next().unwrap_or("").to_string(),
            });
        }
        errors.sort();
        errors.dedup();

        let paginated = self.pagination(id, shape, &input, &output)?;
        let host_prefix = host_prefix(id, &shape.traits, &input)?;
        Ok(ir::Operation {
            shape_id: id.to_string(),
            module: naming::operation_module(&name),
            method: naming::operation_method(&name),
            feature,
            docs: doc_of(&shape.traits).unwrap_or_else(|| docs::fallback("operation", &name)),
            error_name: naming::operation_error_name(&name),
            mock_name: naming::mock_operation_name(&name),
            readonly: shape.has_trait("smithy.api#readonly"),
            idempotent: shape.has_trait("smithy.api#idempotent"),
            deprecated: shape.has_trait("smithy.api#deprecated"),
            name,
            http,
            input,
            output,
            errors,
            paginated,
            host_prefix,
            checksum_required: shape.has_trait("smithy.api#httpChecksumRequired"),
        })
    }

    pub(super) fn io_structure(
        &self,
        op: &ShapeId,
        target: Option<&str>,
        input: bool,
    ) -> Result<ir::Structure, Error> {
        let rust_name = if input {
            naming::request_name(op.name())
        } else {
            naming::response_name(op.name())
        };
        let target = ShapeId::new(target.unwrap_or(UNIT));
        let shape = self.shape(&target)?;
        let role = if input {
            ir::Role::Input
        } else {
            ir::Role::Output
        };
        let what = if input { "input" } else { "output" };
        let mut s = self.structure(&target, shape, rust_name, role)?;
        if target.as_str() == UNIT || doc_of(&shape.traits).is_none() {
            s.docs = format!("The {what} of the `{}` operation.", op.name());
        }
        s.module = naming::operation_module(op.name());
        Ok(s)
    }
}

/// The member's HTTP binding, checked against its type: a label, query parameter or header
/// holds a [`ir::Scalar`] (a query parameter or header also a list of them), a payload one of
/// the [`ir::PayloadKind`]s.
pub(super) fn binding_of(
    member_id: &str,
    t: &Traits,
    target: &Shape,
    member: &MemberFacts<'_>,
) -> Result<Binding, Error> {
    let mut found = Vec::new();
    if t.contains_key("smithy.api#httpLabel") {
        found.push(Binding::Label(scalar(
            member_id,
            member,
            TimestampFormat::DateTime,
            "a path label",
        )?));
    }
    if let Some(v) = t.get("smithy.api#httpQuery") {
        let key = v
            .as_str()
            .ok_or_else(|| Error::shape(member_id, "@httpQuery needs a string"))?;
        let (value, list) = scalar_or_list(
            member_id,
            member,
            TimestampFormat::DateTime,
            "a query parameter",
        )?;
        found.push(Binding::Query {
            key: key.to_string(),
            value,
            list,
        });
    }
    if t.contains_key("smithy.api#httpQueryParams") {
        let lists = match member.ty {
            Type::Map {
                value,
                sparse: false,
            } => match &**value {
                Type::String => false,
                Type::List {
                    element,
                    sparse: false,
                } if **element == Type::String => true,
                _ => {
                    return Err(Error::shape(
                        member_id,
                        "@httpQueryParams needs a map of strings or of string lists (not @sparse)",
                    ));
                }
            },
            _ => {
                return Err(Error::shape(
                    member_id,
                    "@httpQueryParams needs a map (not @sparse)",
                ));
            }
        };
        found.push(Binding::QueryParams { lists });
    }
    if let Some(v) = t.get("smithy.api#httpHeader") {
        let name = v
            .as_str()
            .ok_or_else(|| Error::shape(member_id, "@httpHeader needs a string"))?;
        let (value, list) =
            scalar_or_list(member_id, member, TimestampFormat::HttpDate, "a header")?;
        found.push(Binding::Header {
            name: name.to_string(),
            value,
            list,
        });
    }
    if let Some(v) = t.get("smithy.api#httpPrefixHeaders") {
        let prefix = v
            .as_str()
            .ok_or_else(|| Error::shape(member_id, "@httpPrefixHeaders needs a string"))?;
        if !matches!(member.ty, Type::Map { value, sparse: false } if **value == Type::String) {
            return Err(Error::shape(
                member_id,
                "@httpPrefixHeaders needs a map of strings (not @sparse)",
            ));
        }
        found.push(Binding::PrefixHeaders(prefix.to_string()));
    }
    if t.contains_key("smithy.api#httpPayload") {
        let kind = match member.ty {
            Type::Blob => ir::PayloadKind::Blob,
            Type::String => ir::PayloadKind::String,
            Type::Document => ir::PayloadKind::Document,
            Type::Named {
                kind: NamedKind::Enum,
                ..
            } => ir::PayloadKind::Enum,
            Type::Named {
                kind: NamedKind::Structure,
                ..
            } => ir::PayloadKind::Structure,
            Type::Named {
                kind: NamedKind::Union,
                ..
            } => ir::PayloadKind::Union,
            _ => {
                return Err(Error::shape(
                    member_id,
                    "this type cannot be an @httpPayload",
                ));
            }
        };
        found.push(Binding::Payload {
            kind,
            media_type: target
                .traits
                .get("smithy.api#mediaType")
                .and_then(Value::as_str)
                .map(String::from),
        });
    }
    if t.contains_key("smithy.api#httpResponseCode") {
        found.push(Binding::ResponseCode);
    }
    match found.len() {
        0 => Ok(Binding::Body),
        1 => Ok(found.remove(0)),
        _ => Err(Error::shape(
            member_id,
            "has more than one HTTP binding trait",
        )),
    }
}

/// What [`binding_of`] needs to know of a member besides its traits.
pub(super) struct MemberFacts<'a> {
    /// The lowered value type.
    pub ty: &'a Type,
    /// `@timestampFormat` on the member or its target.
    pub timestamp_format: Option<TimestampFormat>,
    /// The target string has a `@mediaType`.
    pub media_type: bool,
}

/// The member as one scalar, or as a list of them.
fn scalar_or_list(
    member_id: &str,
    member: &MemberFacts<'_>,
    default_format: TimestampFormat,
    place: &str,
) -> Result<(ir::Scalar, bool), Error> {
    match member.ty {
        Type::List { sparse: true, .. } => Err(Error::shape(
            member_id,
            format!("a @sparse list cannot be bound to {place}"),
        )),
        Type::List { element, .. } => {
            let item = MemberFacts {
                ty: element,
                media_type: false,
                ..*member
            };
            Ok((scalar(member_id, &item, default_format, place)?, true))
        }
        _ => Ok((scalar(member_id, member, default_format, place)?, false)),
    }
}

/// The member's type as a [`ir::Scalar`], or an error naming the member and the place.
fn scalar(
    member_id: &str,
    member: &MemberFacts<'_>,
    default_format: TimestampFormat,
    place: &str,
) -> Result<ir::Scalar, Error> {
    use ir::{Number, Scalar};
    Ok(match member.ty {
        Type::String => Scalar::String {
            media_type: member.media_type,
        },
        Type::Bool => Scalar::Bool,
        Type::Byte => Scalar::Number(Number::Byte),
        Type::Short => Scalar::Number(Number::Short),
        Type::Integer => Scalar::Number(Number::Integer),
        Type::Long => Scalar::Number(Number::Long),
        Type::Float => Scalar::Number(Number::Float),
        Type::Double => Scalar::Number(Number::Double),
        Type::Timestamp => Scalar::Timestamp(member.timestamp_format.unwrap_or(default_format)),
        Type::Blob => Scalar::Blob,
        Type::Named {
            rust_name,
            kind: NamedKind::Enum,
        } => Scalar::Enum(rust_name.clone()),
        Type::Named {
            rust_name,
            kind: NamedKind::IntEnum,
        } => Scalar::IntEnum(rust_name.clone()),
        _ => {
            return Err(Error::shape(
                member_id,
                format!(
                    "only strings, numbers, booleans, timestamps, blobs and enums (or, in a query \
                     parameter or header, lists of them) can be bound to {place}"
                ),
            ));
        }
    })
}

/// `@http`, with each `{Label}` of the URI resolved to the input member bound to it.
pub(super) fn http_binding(
    id: &ShapeId,
    t: &Traits,
    input: &ir::Structure,
) -> Result<ir::Http, Error> {
    let http = t
        .get("smithy.api#http")
        .ok_or_else(|| Error::shape(id, "operation lacks the @http trait (restJson1 needs it)"))?;
    let method = http
        .get("method")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::shape(id, "@http lacks `method`"))?
        .to_string();
    let uri = http
        .get("uri")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::shape(id, "@http lacks `uri`"))?;
    let code = match http.get("code") {
        None => 200,
        Some(v) => v
            .as_u64()
            .and_then(|c| u16::try_from(c).ok())
            .ok_or_else(|| Error::shape(id, format!("@http code {v} is not a status code")))?,
    };
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    if !path.starts_with('/') {
        return Err(Error::shape(
            id,
            format!("@http uri `{uri}` does not start with `/`"),
        ));
    }
    let mut segments = Vec::new();
    for seg in path[1..].split('/') {
        if let Some(label) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let (member, greedy) = match label.strip_suffix('+') {
                Some(m) => (m, true),
                None => (label, false),
            };
            segments.push(label_segment(id, input, member, greedy)?);
        } else if seg.contains('{') || seg.contains('}') {
            return Err(Error::shape(
                id,
                format!("@http uri segment `{seg}` mixes a label with text"),
            ));
        } else {
            segments.push(ir::PathSegment::Literal(seg.to_string()));
        }
    }
    for m in &input.members {
        let in_uri = segments
            .iter()
            .any(|s| matches!(s, ir::PathSegment::Label { member, .. } if *member == m.name));
        if matches!(m.binding, Binding::Label(_)) && !in_uri {
            return Err(Error::shape(
                id,
                format!(
                    "input member `{}` has @httpLabel but the URI has no such label",
                    m.name
                ),
            ));
        }
    }
    let query_literals = query
        .split('&')
        .filter(|q| !q.is_empty())
        .map(|q| {
            let (k, v) = q.split_once('=').unwrap_or((q, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    Ok(ir::Http {
        method,
        path: segments,
        query_literals,
        code,
    })
}

/// Splits `@endpoint(hostPrefix: "foo.{Label}.")` into literal and label parts.
pub(super) fn host_prefix(
    id: &ShapeId,
    t: &Traits,
    input: &ir::Structure,
) -> Result<Vec<ir::HostPrefixPart>, Error> {
    let Some(prefix) = t
        .get("smithy.api#endpoint")
        .and_then(|e| e.get("hostPrefix"))
        .and_then(Value::as_str)
    else {
        return Ok(Vec::new());
    };
    let mut parts = Vec::new();
    let mut rest = prefix;
    while let Some(start) = rest.find('{') {
        if start > 0 {
            parts.push(ir::HostPrefixPart::Literal(rest[..start].to_string()));
        }
        let end = rest[start..].find('}').ok_or_else(|| {
            Error::shape(
                id,
                format!("@endpoint hostPrefix `{prefix}` has an unclosed label"),
            )
        })?;
        let label = &rest[start + 1..start + end];
        let member = input
            .members
            .iter()
            .find(|m| m.name == label && m.ty == Type::String)
            .ok_or_else(|| {
                Error::shape(
                    id,
                    format!("@endpoint hostPrefix label `{label}` has no string input member"),
                )
            })?;
        parts.push(ir::HostPrefixPart::Label(
            member.name.clone(),
            member.field.clone(),
        ));
        rest = &rest[start + end + 1..];
    }
    if !rest.is_empty() {
        parts.push(ir::HostPrefixPart::Literal(rest.to_string()));
    }
    Ok(parts)
}

/// A `{Label}` of the URI: the input member of that name must be @required and bound to it.
fn label_segment(
    id: &ShapeId,
    input: &ir::Structure,
    label: &str,
    greedy: bool,
) -> Result<ir::PathSegment, Error> {
    let Some((m, value)) = input.members.iter().find_map(|m| match &m.binding {
        Binding::Label(value) if m.name == label => Some((m, value)),
        _ => None,
    }) else {
        return Err(Error::shape(
            id,
            format!("URI label `{{{label}}}` has no input member with @httpLabel"),
        ));
    };
    if !m.required {
        return Err(Error::shape(
            format!("{}${}", input.shape_id, m.name),
            "a path label must be @required",
        ));
    }
    Ok(ir::PathSegment::Label {
        member: m.name.clone(),
        field: m.field.clone(),
        value: value.clone(),
        greedy,
    })
}
