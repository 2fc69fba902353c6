//! Operations and their HTTP bindings: method, URI pattern, labels, query, headers, payload and host prefix.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Lowerer;
use super::shapes::doc_of;
use crate::ir::{self, Binding, Type};
use crate::smithy::{Shape, ShapeId, Traits, UNIT};
use crate::{Error, docs, naming};

impl<'m> Lowerer<'m> {
    pub(super) fn operation(&self, id: &ShapeId) -> Result<ir::Operation, Error> {
        let shape = self.shape(id)?;
        let name = id.name().to_string();
        let http = http_binding(id, &shape.traits)?;
        let input = self.io_structure(id, shape.input.as_ref().map(|r| r.target.as_str()), true)?;
        let output =
            self.io_structure(id, shape.output.as_ref().map(|r| r.target.as_str()), false)?;
        check_labels(id, &http, &input)?;

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
            feature: naming::operation_feature(&name),
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

pub(super) fn binding_of(member_id: &str, t: &Traits, target: &Shape) -> Result<Binding, Error> {
    let mut found = Vec::new();
    if t.contains_key("smithy.api#httpLabel") {
        found.push(Binding::Label);
    }
    if let Some(v) = t.get("smithy.api#httpQuery") {
        let name = v
            .as_str()
            .ok_or_else(|| Error::shape(member_id, "@httpQuery needs a string"))?;
        found.push(Binding::Query(name.to_string()));
    }
    if t.contains_key("smithy.api#httpQueryParams") {
        found.push(Binding::QueryParams);
    }
    if let Some(v) = t.get("smithy.api#httpHeader") {
        let name = v
            .as_str()
            .ok_or_else(|| Error::shape(member_id, "@httpHeader needs a string"))?;
        found.push(Binding::Header(name.to_string()));
    }
    if let Some(v) = t.get("smithy.api#httpPrefixHeaders") {
        let prefix = v
            .as_str()
            .ok_or_else(|| Error::shape(member_id, "@httpPrefixHeaders needs a string"))?;
        found.push(Binding::PrefixHeaders(prefix.to_string()));
    }
    if t.contains_key("smithy.api#httpPayload") {
        found.push(Binding::Payload {
            streaming: target.has_trait("smithy.api#streaming"),
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

pub(super) fn http_binding(id: &ShapeId, t: &Traits) -> Result<ir::Http, Error> {
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
            segments.push(ir::PathSegment::Label {
                member: member.to_string(),
                greedy,
            });
        } else if seg.contains('{') || seg.contains('}') {
            return Err(Error::shape(
                id,
                format!("@http uri segment `{seg}` mixes a label with text"),
            ));
        } else {
            segments.push(ir::PathSegment::Literal(seg.to_string()));
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

/// Every `{Label}` in the URI has a member with @httpLabel, and the reverse.
pub(super) fn check_labels(
    id: &ShapeId,
    http: &ir::Http,
    input: &ir::Structure,
) -> Result<(), Error> {
    let labels: BTreeSet<&str> = http
        .path
        .iter()
        .filter_map(|s| match s {
            ir::PathSegment::Label { member, .. } => Some(member.as_str()),
            ir::PathSegment::Literal(_) => None,
        })
        .collect();
    for label in &labels {
        match input.members.iter().find(|m| m.name == *label) {
            Some(m) if m.binding == Binding::Label && !m.required => {
                return Err(Error::shape(
                    format!("{}${}", input.shape_id, m.name),
                    "a path label must be @required",
                ));
            }
            Some(m) if m.binding == Binding::Label => {}
            _ => {
                return Err(Error::shape(
                    id,
                    format!("URI label `{{{label}}}` has no input member with @httpLabel"),
                ));
            }
        }
    }
    for m in &input.members {
        if m.binding == Binding::Label && !labels.contains(m.name.as_str()) {
            return Err(Error::shape(
                id,
                format!(
                    "input member `{}` has @httpLabel but the URI has no such label",
                    m.name
                ),
            ));
        }
    }
    Ok(())
}
