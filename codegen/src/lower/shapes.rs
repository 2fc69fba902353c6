//! Structures, enums, unions and member types, with their traits: documentation, JSON names, timestamp formats, defaults, errors and sensitivity.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::operation::{MemberFacts, binding_of};
use super::{Lowerer, Named};
use crate::ir::{self, DefaultValue, NamedKind, TimestampFormat, Type};
use crate::smithy::{Shape, ShapeId, ShapeType, Traits, UNIT};
use crate::{Error, docs, naming};

impl<'m> Lowerer<'m> {
    pub(super) fn shared_types(&self) -> Result<Vec<ir::TypeDef>, Error> {
        let mut types = Vec::new();
        for (id, named) in &self.named {
            let shape = self.shape(id)?;
            let def = match named.kind {
                NamedKind::Structure => {
                    let role = match error_info(id, &shape.traits)? {
                        Some(info) => ir::Role::Error(info),
                        None => ir::Role::Nested,
                    };
                    ir::TypeDef::Structure(self.structure(
                        id,
                        shape,
                        named.rust_name.clone(),
                        role,
                    )?)
                }
                NamedKind::Enum | NamedKind::IntEnum => {
                    ir::TypeDef::Enum(self.enumeration(id, shape, named)?)
                }
                NamedKind::Union => ir::TypeDef::Union(self.union(id, shape, named)?),
            };
            types.push(def);
        }
        types.sort_by(|a, b| a.rust_name().cmp(b.rust_name()));
        Ok(types)
    }

    pub(super) fn structure(
        &self,
        id: &ShapeId,
        shape: &Shape,
        rust_name: String,
        mut role: ir::Role,
    ) -> Result<ir::Structure, Error> {
        let mut members = Vec::new();
        let mut fields = BTreeMap::new();
        let mut methods: BTreeMap<String, String> =
            [("build".to_string(), "(the builder)".to_string())].into();
        for (member_name, member) in &shape.members {
            let member_id = id.member(member_name);
            let target_id = ShapeId::new(&member.target);
            let target = self.shape(&target_id)?;
            let ty = self.value_type(&member_id, &target_id)?;
            let field = naming::field_name(member_name);
            if let Some(other) = fields.insert(naming::snake_bare(member_name), member_name.clone())
            {
                return Err(Error::shape(
                    &member_id,
                    format!("its field name `{field}` is already used by member `{other}`"),
                ));
            }
            let t = &member.traits;
            let timestamp_format = self.timestamp_format(&member_id, t, &target_id)?;
            check_timestamp_format(&member_id, &ty, timestamp_format)?;
            let facts = MemberFacts {
                ty: &ty,
                timestamp_format,
                media_type: target.shape_type == ShapeType::String
                    && target.traits.contains_key("smithy.api#mediaType"),
            };
            let binding = binding_of(&member_id, t, target, &facts)?;
            // @clientOptional: a client treats the member as optional and fills no default.
            let client_optional = t.contains_key("smithy.api#clientOptional");
            let required = t.contains_key("smithy.api#required") && !client_optional;
            let default = if client_optional {
                None
            } else {
                self.default_value(&member_id, t, &target_id, target, &ty)?
            };
            let default_fn = naming::default_fn(&field);
            let serialize_or_default_fn = naming::serialize_or_default_fn(&field);
            let setter = naming::setter_name(member_name);
            let option_setter = naming::option_setter_name(member_name);
            for method in [&setter, &option_setter] {
                let bare = method.trim_start_matches("r#").to_string();
                if let Some(other) = methods.insert(bare.clone(), member_name.clone()) {
                    return Err(Error::shape(
                        &member_id,
                        format!("its builder method `{bare}` is already used by member `{other}`"),
                    ));
                }
            }
            let boxed = matches!(target.shape_type, ShapeType::Structure | ShapeType::Union)
                && self.reaches(&target_id, id);
            members.push(ir::Member {
                name: member_name.clone(),
                json_name: json_name(t, member_name),
                setter,
                option_setter,
                docs: doc_of(t)
                    .or_else(|| doc_of(&target.traits).filter(|_| !is_prelude(&target_id)))
                    .unwrap_or_else(|| docs::fallback("member", member_name)),
                sensitive: self.is_sensitive(t, &target_id),
                idempotency_token: t.contains_key("smithy.api#idempotencyToken"),
                timestamp_format,
                deprecated: t.contains_key("smithy.api#deprecated"),
                event_stream: target.shape_type == ShapeType::Union
                    && target.has_trait("smithy.api#streaming"),
                event_binding: if t.contains_key("smithy.api#eventPayload") {
                    Some(ir::EventBinding::Payload)
                } else if t.contains_key("smithy.api#eventHeader") {
                    Some(ir::EventBinding::Header)
                } else {
                    None
                },
                field,
                default_fn,
                serialize_or_default_fn,
                ty,
                required,
                default,
                binding,
                boxed,
            });
        }
        if let ir::Role::Error(info) = &mut role {
            info.message = members
                .iter()
                .find(|m| m.name.eq_ignore_ascii_case("message") && m.ty == Type::String)
                .map(|m| ir::MessageField {
                    field: m.field.clone(),
                    required: m.required,
                });
        }
        let metadata_field = (role == ir::Role::Output).then(|| {
            let taken: Vec<&str> = members.iter().map(|m| m.field.as_str()).collect();
            naming::metadata_field(&taken)
        });
        Ok(ir::Structure {
            features: Vec::new(),
            shape_id: id.to_string(),
            metadata_field,
            builder_name: naming::builder_name(&rust_name),
            module: naming::module_name(&rust_name),
            docs: doc_of(&shape.traits).unwrap_or_else(|| docs::fallback("structure", id.name())),
            sensitive: shape.has_trait("smithy.api#sensitive"),
            deprecated: shape.has_trait("smithy.api#deprecated"),
            rust_name,
            members,
            role,
        })
    }

    pub(super) fn enumeration(
        &self,
        id: &ShapeId,
        shape: &Shape,
        named: &Named,
    ) -> Result<ir::Enumeration, Error> {
        let int = shape.shape_type == ShapeType::IntEnum;
        let mut variants = Vec::new();
        let mut idents = BTreeMap::new();
        let mut values = BTreeSet::new();
        for (member_name, member) in &shape.members {
            let member_id = id.member(member_name);
            let t = &member.traits;
            let value = match (int, t.get("smithy.api#enumValue")) {
                (false, None) => ir::EnumValue::String(member_name.clone()),
                (false, Some(Value::String(s))) => ir::EnumValue::String(s.clone()),
                (true, Some(Value::Number(n))) => {
                    ir::EnumValue::Int(n.as_i64().and_then(|v| i32::try_from(v).ok()).ok_or_else(
                        || Error::shape(&member_id, "intEnum value does not fit in i32"),
                    )?)
                }
                (true, None) => {
                    return Err(Error::shape(&member_id, "intEnum member lacks @enumValue"));
                }
                (_, Some(other)) => {
                    return Err(Error::shape(
                        &member_id,
                        format!("@enumValue {other} has the wrong type"),
                    ));
                }
            };
            if !values.insert(format!("{value:?}")) {
                return Err(Error::shape(
                    &member_id,
                    "repeats another member's enum value",
                ));
            }
            let ident = naming::variant_name(member_name);
            if let Some(other) = idents.insert(ident.clone(), member_name.clone()) {
                return Err(Error::shape(
                    &member_id,
                    format!("its variant name `{ident}` is already used by `{other}`"),
                ));
            }
            variants.push(ir::EnumVariant {
                docs: doc_of(t).unwrap_or_else(|| match &value {
                    ir::EnumValue::String(s) => format!("The value `{s}`."),
                    ir::EnumValue::Int(i) => format!("The value `{i}`."),
                }),
                deprecated: t.contains_key("smithy.api#deprecated"),
                ident,
                value,
            });
        }
        Ok(ir::Enumeration {
            features: Vec::new(),
            shape_id: id.to_string(),
            rust_name: named.rust_name.clone(),
            module: named.module.clone(),
            docs: doc_of(&shape.traits).unwrap_or_else(|| docs::fallback("enumeration", id.name())),
            int,
            variants,
            sensitive: shape.has_trait("smithy.api#sensitive"),
        })
    }

    pub(super) fn union(
        &self,
        id: &ShapeId,
        shape: &Shape,
        named: &Named,
    ) -> Result<ir::Union, Error> {
        let mut variants = Vec::new();
        let mut idents = BTreeMap::new();
        for (member_name, member) in &shape.members {
            let member_id = id.member(member_name);
            let target_id = ShapeId::new(&member.target);
            let target = self.shape(&target_id)?;
            let ident = naming::variant_name(member_name);
            if let Some(other) = idents.insert(ident.clone(), member_name.clone()) {
                return Err(Error::shape(
                    &member_id,
                    format!("its variant name `{ident}` is already used by `{other}`"),
                ));
            }
            let ty = if target_id.as_str() == UNIT {
                None
            } else {
                Some(self.value_type(&member_id, &target_id)?)
            };
            if self
                .timestamp_format(&member_id, &member.traits, &target_id)?
                .is_some()
            {
                return Err(Error::shape(
                    &member_id,
                    "@timestampFormat on a union member is not supported",
                ));
            }
            let event = match &ty {
                Some(ty) if shape.has_trait("smithy.api#streaming") => {
                    Some(self.event(&member_id, &target_id, target, ty)?)
                }
                _ => None,
            };
            variants.push(ir::UnionVariant {
                name: member_name.clone(),
                json_name: json_name(&member.traits, member_name),
                docs: doc_of(&member.traits)
                    .unwrap_or_else(|| docs::fallback("variant", member_name)),
                boxed: matches!(target.shape_type, ShapeType::Structure | ShapeType::Union)
                    && target_id.as_str() != UNIT
                    && self.reaches(&target_id, id),
                sensitive: self.is_sensitive(&member.traits, &target_id),
                event,
                ident,
                ty,
            });
        }
        Ok(ir::Union {
            features: Vec::new(),
            shape_id: id.to_string(),
            rust_name: named.rust_name.clone(),
            module: named.module.clone(),
            docs: doc_of(&shape.traits).unwrap_or_else(|| docs::fallback("union", id.name())),
            variants,
            event_stream: shape.has_trait("smithy.api#streaming"),
            sensitive: shape.has_trait("smithy.api#sensitive"),
        })
    }

    /// How the event a member of an event-stream union names is read from a message: the
    /// member must target a structure, whose bound members are a blob, string, structure or
    /// union `@eventPayload` or a string `@eventHeader`.
    fn event(
        &self,
        member_id: &str,
        target_id: &ShapeId,
        target: &Shape,
        ty: &Type,
    ) -> Result<ir::Event, Error> {
        let Type::Named {
            rust_name,
            kind: NamedKind::Structure,
        } = ty
        else {
            return Err(Error::shape(member_id, "an event must be a structure"));
        };
        let s = self.structure(target_id, target, rust_name.clone(), ir::Role::Nested)?;
        let mut bound = Vec::new();
        for m in &s.members {
            let Some(binding) = &m.event_binding else {
                continue;
            };
            let source = match (binding, &m.ty) {
                (ir::EventBinding::Payload, Type::Blob) => ir::EventSource::PayloadBlob,
                (ir::EventBinding::Payload, Type::String) => ir::EventSource::PayloadString,
                (
                    ir::EventBinding::Payload,
                    Type::Named {
                        kind: NamedKind::Structure | NamedKind::Union,
                        ..
                    },
                ) => ir::EventSource::PayloadJson,
                (ir::EventBinding::Header, Type::String) => ir::EventSource::Header(m.name.clone()),
                _ => {
                    return Err(Error::shape(
                        target_id.member(&m.name),
                        "this event member type is not supported",
                    ));
                }
            };
            bound.push(ir::EventMember {
                field: m.field.clone(),
                required: m.required,
                source,
            });
        }
        Ok(ir::Event {
            json_payload: s.members.iter().any(|m| m.event_binding.is_none()),
            bound,
        })
    }

    /// The Rust value type of a member targeting `target`.
    pub(super) fn value_type(&self, member_id: &str, target_id: &ShapeId) -> Result<Type, Error> {
        let target = self.shape(target_id)?;
        if target.has_trait("smithy.api#enum") {
            return Err(Error::shape(
                target_id,
                "uses the Smithy 1.0 @enum trait on a string; convert it to a Smithy 2.0 `enum` shape",
            ));
        }
        Ok(match target.shape_type {
            ShapeType::String => Type::String,
            ShapeType::Boolean => Type::Bool,
            ShapeType::Byte => Type::Byte,
            ShapeType::Short => Type::Short,
            ShapeType::Integer => Type::Integer,
            ShapeType::Long => Type::Long,
            ShapeType::Float => Type::Float,
            ShapeType::Double => Type::Double,
            ShapeType::Blob => Type::Blob,
            ShapeType::Timestamp => Type::Timestamp,
            ShapeType::Document => Type::Document,
            ShapeType::BigInteger | ShapeType::BigDecimal => {
                return Err(Error::shape(
                    target_id,
                    format!(
                        "{:?} is not supported: no arbitrary-precision number type is chosen yet (member `{member_id}`)",
                        target.shape_type
                    ),
                ));
            }
            ShapeType::List | ShapeType::Set => {
                let element = target
                    .member
                    .as_ref()
                    .ok_or_else(|| Error::shape(target_id, "list has no `member`"))?;
                Type::List {
                    element: Box::new(
                        self.value_type(
                            &target_id.member("member"),
                            &ShapeId::new(&element.target),
                        )?,
                    ),
                    sparse: target.has_trait("smithy.api#sparse"),
                }
            }
            ShapeType::Map => {
                let key = target
                    .key
                    .as_ref()
                    .ok_or_else(|| Error::shape(target_id, "map has no `key`"))?;
                let key_shape = self.shape(&ShapeId::new(&key.target))?;
                if !matches!(key_shape.shape_type, ShapeType::String | ShapeType::Enum) {
                    return Err(Error::shape(
                        target_id,
                        "map keys must be strings or string enums",
                    ));
                }
                let value = target
                    .value
                    .as_ref()
                    .ok_or_else(|| Error::shape(target_id, "map has no `value`"))?;
                Type::Map {
                    value: Box::new(
                        self.value_type(&target_id.member("value"), &ShapeId::new(&value.target))?,
                    ),
                    sparse: target.has_trait("smithy.api#sparse"),
                }
            }
            ShapeType::Structure | ShapeType::Union | ShapeType::Enum | ShapeType::IntEnum => {
                let named = self.named.get(target_id).ok_or_else(|| {
                    Error::shape(
                        member_id,
                        format!("targets `{target_id}`, which cannot be a member type"),
                    )
                })?;
                Type::Named {
                    rust_name: named.rust_name.clone(),
                    kind: named.kind,
                }
            }
            ShapeType::Operation | ShapeType::Resource | ShapeType::Service | ShapeType::Apply => {
                return Err(Error::shape(
                    member_id,
                    format!(
                        "targets `{target_id}`, a {:?}, which is not a value shape",
                        target.shape_type
                    ),
                ));
            }
        })
    }

    pub(super) fn is_sensitive(&self, member_traits: &Traits, target_id: &ShapeId) -> bool {
        if member_traits.contains_key("smithy.api#sensitive") {
            return true;
        }
        let Some(target) = self.model.shape(target_id) else {
            return false;
        };
        if target.has_trait("smithy.api#sensitive") {
            return true;
        }
        // A collection of sensitive values is itself redacted as a whole.
        [&target.member, &target.value]
            .into_iter()
            .flatten()
            .any(|m| self.is_sensitive(&m.traits, &ShapeId::new(&m.target)))
    }

    /// `@timestampFormat` for a timestamp member, or for the timestamps inside a list or map.
    pub(super) fn timestamp_format(
        &self,
        member_id: &str,
        t: &Traits,
        target_id: &ShapeId,
    ) -> Result<Option<TimestampFormat>, Error> {
        if let Some(v) = t.get("smithy.api#timestampFormat") {
            return parse_timestamp_format(member_id, v).map(Some);
        }
        let Some(target) = self.model.shape(target_id) else {
            return Ok(None);
        };
        if let Some(v) = target.traits.get("smithy.api#timestampFormat") {
            return parse_timestamp_format(target_id.as_str(), v).map(Some);
        }
        match (&target.member, &target.value) {
            (Some(m), _) | (None, Some(m)) => self.timestamp_format(
                &target_id.member("member"),
                &m.traits,
                &ShapeId::new(&m.target),
            ),
            _ => Ok(None),
        }
    }

    pub(super) fn default_value(
        &self,
        member_id: &str,
        t: &Traits,
        target_id: &ShapeId,
        target: &Shape,
        ty: &Type,
    ) -> Result<Option<DefaultValue>, Error> {
        let value = match t.get("smithy.api#default") {
            Some(Value::Null) => return Ok(None),
            Some(v) => v,
            None => match target.traits.get("smithy.api#default") {
                Some(v) if !v.is_null() => v,
                _ => return Ok(None),
            },
        };
        let bad = || {
            Error::shape(
                member_id,
                format!("@default {value} does not fit the target `{target_id}`"),
            )
        };
        Ok(Some(match (ty, value) {
            (Type::Bool, Value::Bool(b)) => DefaultValue::Bool(*b),
            (Type::Byte | Type::Short | Type::Integer | Type::Long, Value::Number(n)) => {
                DefaultValue::Integer(n.as_i64().ok_or_else(bad)?)
            }
            (Type::Float | Type::Double, Value::Number(n)) => {
                DefaultValue::Float(n.as_f64().ok_or_else(bad)?)
            }
            (Type::String, Value::String(s)) => DefaultValue::String(s.clone()),
            (Type::Blob, Value::String(s)) => DefaultValue::Blob(base64_decode(s).ok_or_else(bad)?),
            (Type::Timestamp, Value::Number(n)) => {
                let secs = n.as_f64().ok_or_else(bad)?;
                if secs.fract() != 0.0 {
                    return Err(Error::shape(
                        member_id,
                        "fractional @default timestamps are not supported",
                    ));
                }
                DefaultValue::Timestamp(n.as_i64().ok_or_else(bad)?, 0)
            }
            (Type::Document, v) => DefaultValue::Document(v.clone()),
            (Type::List { .. }, Value::Array(a)) if a.is_empty() => DefaultValue::EmptyList,
            (Type::Map { .. }, Value::Object(o)) if o.is_empty() => DefaultValue::EmptyMap,
            (
                Type::Named {
                    kind: NamedKind::Enum,
                    ..
                },
                Value::String(s),
            ) => {
                let variant = target
                    .members
                    .iter()
                    .find(|(name, m)| {
                        m.traits
                            .get("smithy.api#enumValue")
                            .and_then(Value::as_str)
                            .unwrap_or(name.as_str())
                            == s
                    })
                    .map(|(name, _)| naming::variant_name(name))
                    .ok_or_else(bad)?;
                DefaultValue::EnumVariant(variant)
            }
            (
                Type::Named {
                    kind: NamedKind::IntEnum,
                    ..
                },
                Value::Number(n),
            ) => DefaultValue::IntEnumValue(
                n.as_i64()
                    .and_then(|v| i32::try_from(v).ok())
                    .ok_or_else(bad)?,
            ),
            _ => return Err(bad()),
        }))
    }
}

pub(super) fn is_prelude(id: &ShapeId) -> bool {
    id.namespace() == "smithy.api"
}

pub(super) fn doc_of(t: &Traits) -> Option<String> {
    t.get("smithy.api#documentation")
        .and_then(Value::as_str)
        .map(docs::to_rustdoc)
        .filter(|d| !d.is_empty())
}

pub(super) fn json_name(t: &Traits, member: &str) -> String {
    t.get("smithy.api#jsonName")
        .and_then(Value::as_str)
        .unwrap_or(member)
        .to_string()
}

/// A `@timestampFormat` applies to a timestamp, or to a plain (not `@sparse`) list of them:
/// the runtime has serde helpers for those and no others.
fn check_timestamp_format(
    member_id: &str,
    ty: &Type,
    format: Option<TimestampFormat>,
) -> Result<(), Error> {
    let supported = match ty {
        Type::List {
            element,
            sparse: false,
        } => matches!(**element, Type::Timestamp | Type::Float | Type::Double),
        Type::List { .. } | Type::Map { .. } => false,
        _ => true,
    };
    if format.is_some() && !supported {
        return Err(Error::shape(
            member_id,
            "@timestampFormat on a map or nested collection of timestamps is not supported",
        ));
    }
    Ok(())
}

pub(super) fn parse_timestamp_format(id: &str, v: &Value) -> Result<TimestampFormat, Error> {
    match v.as_str() {
        Some("date-time") => Ok(TimestampFormat::DateTime),
        Some("http-date") => Ok(TimestampFormat::HttpDate),
        Some("epoch-seconds") => Ok(TimestampFormat::EpochSeconds),
        _ => Err(Error::shape(id, format!("unknown @timestampFormat {v}"))),
    }
}

pub(super) fn error_info(id: &ShapeId, t: &Traits) -> Result<Option<ir::ErrorInfo>, Error> {
    let Some(fault) = t.get("smithy.api#error") else {
        return Ok(None);
    };
    let server_fault = match fault.as_str() {
        Some("server") => true,
        Some("client") => false,
        _ => {
            return Err(Error::shape(
                id,
                format!("@error must be \"client\" or \"server\", not {fault}"),
            ));
        }
    };
    let http_status = match t.get("smithy.api#httpError") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|c| u16::try_from(c).ok())
                .ok_or_else(|| Error::shape(id, format!("@httpError {v} is not a status code")))?,
        ),
    };
    let retryable = t.get("smithy.api#retryable");
    Ok(Some(ir::ErrorInfo {
        code: id.name().to_string(),
        server_fault,
        http_status,
        retryable: retryable.is_some(),
        throttling: retryable
            .and_then(|r| r.get("throttling"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        message: None,
    }))
}

/// Decodes standard base64 (for blob `@default` values).
pub(super) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::base64_decode;

    #[test]
    fn base64_defaults() {
        assert_eq!(base64_decode("YWJj").as_deref(), Some(&b"abc"[..]));
        assert_eq!(base64_decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("!"), None);
    }
}
