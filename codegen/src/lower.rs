//! Lowers a [`Model`] into the [`ir::Crate`]: walks the service's operations and the shapes
//! they reach, checks every trait, resolves bindings and defaults, and names everything once.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::ir::{self, Binding, DefaultValue, NamedKind, TimestampFormat, Type};
use crate::smithy::{Model, Shape, ShapeId, ShapeType, Traits, UNIT};
use crate::{Error, Options, docs, naming, traits};

/// Lowers the model's service into the IR.
pub fn lower(model: &Model, options: &Options) -> Result<ir::Crate, Error> {
    let (service_id, service) = find_service(model, options)?;
    traits::check(service_id.as_str(), service)?;
    let mut lowerer = Lowerer::new(model, service_id.clone(), service);

    let mut operation_ids = BTreeSet::new();
    collect_operations(
        model,
        service_id.as_str(),
        service,
        &mut operation_ids,
        &mut Vec::new(),
    )?;
    let operation_ids = select_operations(model, operation_ids, options)?;

    lowerer.name_shared_shapes(&operation_ids)?;
    let mut operations = Vec::new();
    for id in &operation_ids {
        operations.push(lowerer.operation(id)?);
    }
    operations.sort_by(|a, b| a.name.cmp(&b.name));
    let types = lowerer.shared_types()?;
    let mut type_features: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for op in &operations {
        for id in lowerer.reachable(&ShapeId::new(&op.shape_id))? {
            if let Some(named) = lowerer.named.get(&id) {
                type_features
                    .entry(named.rust_name.clone())
                    .or_default()
                    .push(op.feature.clone());
            }
        }
    }
    Ok(ir::Crate {
        service: lowerer.service()?,
        operations,
        types,
        type_features,
    })
}

fn find_service<'m>(model: &'m Model, options: &Options) -> Result<(ShapeId, &'m Shape), Error> {
    if let Some(id) = &options.service {
        let (id, shape) = model.expect_shape(id, "options.service")?;
        if shape.shape_type != ShapeType::Service {
            return Err(Error::shape(id, "is not a service shape"));
        }
        return Ok((id, shape));
    }
    let services: Vec<_> = model.services().collect();
    match services.as_slice() {
        [(id, shape)] => Ok(((*id).clone(), *shape)),
        [] => Err(Error::model("the model has no service shape")),
        many => Err(Error::model(format!(
            "the model has {} service shapes ({}); choose one with Options::service",
            many.len(),
            many.iter()
                .map(|(id, _)| id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Collects operations bound to the service directly or through (nested) resources.
fn collect_operations(
    model: &Model,
    owner: &str,
    shape: &Shape,
    out: &mut BTreeSet<ShapeId>,
    stack: &mut Vec<String>,
) -> Result<(), Error> {
    if stack.iter().any(|s| s == owner) {
        return Err(Error::shape(owner, "resources bind each other in a cycle"));
    }
    stack.push(owner.to_string());
    let direct = if shape.shape_type == ShapeType::Service {
        Box::new(shape.operations.iter()) as Box<dyn Iterator<Item = _>>
    } else {
        Box::new(shape.resource_operations())
    };
    for op in direct {
        let (id, op_shape) = model.expect_shape(&op.target, owner)?;
        if op_shape.shape_type != ShapeType::Operation {
            return Err(Error::shape(
                &id,
                format!(
                    "is bound as an operation of `{owner}` but is a {:?}",
                    op_shape.shape_type
                ),
            ));
        }
        out.insert(id);
    }
    for resource in &shape.resources {
        let (id, res) = model.expect_shape(&resource.target, owner)?;
        if res.shape_type != ShapeType::Resource {
            return Err(Error::shape(&id, "is bound as a resource but is not one"));
        }
        traits::check(id.as_str(), res)?;
        collect_operations(model, id.as_str(), res, out, stack)?;
    }
    stack.pop();
    Ok(())
}

fn select_operations(
    model: &Model,
    all: BTreeSet<ShapeId>,
    options: &Options,
) -> Result<Vec<ShapeId>, Error> {
    let Some(wanted) = &options.operations else {
        return Ok(all.into_iter().collect());
    };
    let by_name: BTreeMap<&str, &ShapeId> = all.iter().map(|id| (id.name(), id)).collect();
    let mut selected = Vec::new();
    for name in wanted {
        match by_name.get(name.as_str()) {
            Some(id) => selected.push((*id).clone()),
            None => {
                let _ = model;
                return Err(Error::model(format!(
                    "operation `{name}` is not bound to the service (known: {})",
                    by_name.keys().copied().collect::<Vec<_>>().join(", ")
                )));
            }
        }
    }
    selected.sort();
    selected.dedup();
    Ok(selected)
}

/// A shared shape's decided names.
#[derive(Clone, Debug)]
struct Named {
    rust_name: String,
    module: String,
    kind: NamedKind,
}

struct Lowerer<'m> {
    model: &'m Model,
    service_id: ShapeId,
    service: &'m Shape,
    /// Shared shapes (structures, enums, unions) reachable as member targets or errors.
    named: BTreeMap<ShapeId, Named>,
    /// For each structure/union, the shapes it reaches through members that are not lists or maps.
    direct_edges: BTreeMap<ShapeId, BTreeSet<ShapeId>>,
}

impl<'m> Lowerer<'m> {
    fn new(model: &'m Model, service_id: ShapeId, service: &'m Shape) -> Self {
        Lowerer {
            model,
            service_id,
            service,
            named: BTreeMap::new(),
            direct_edges: BTreeMap::new(),
        }
    }

    fn service(&self) -> Result<ir::Service, Error> {
        let t = &self.service.traits;
        let aws = t.get("aws.api#service");
        let sdk_id = aws
            .and_then(|v| v.get("sdkId"))
            .and_then(Value::as_str)
            .unwrap_or(self.service_id.name())
            .to_string();
        Ok(ir::Service {
            shape_id: self.service_id.to_string(),
            sdk_id,
            version: self.service.version.clone().unwrap_or_default(),
            signing_name: t
                .get("aws.auth#sigv4")
                .and_then(|v| v.get("name"))
                .and_then(Value::as_str)
                .map(String::from),
            endpoint_prefix: aws
                .and_then(|v| v.get("endpointPrefix"))
                .and_then(Value::as_str)
                .map(String::from),
            docs: doc_of(t).unwrap_or_else(|| docs::fallback("service", self.service_id.name())),
            endpoint_rules: t
                .get("smithy.rules#endpointRuleSet")
                .map(|rules| crate::endpoint_rules::lower(self.service_id.as_str(), rules))
                .transpose()?,
        })
    }

    /// The model name of a shape, after the service's `rename` map.
    fn shape_name<'a>(&'a self, id: &'a ShapeId) -> &'a str {
        self.service
            .rename
            .get(id.as_str())
            .map_or(id.name(), String::as_str)
    }

    /// Walks every shape reachable from the operations and decides the shared types' names.
    fn name_shared_shapes(&mut self, operations: &[ShapeId]) -> Result<(), Error> {
        let mut queue: Vec<ShapeId> = Vec::new();
        let mut seen: BTreeSet<ShapeId> = BTreeSet::new();
        let mut taken: BTreeMap<String, String> = BTreeMap::new();
        let mut reserve = |name: String, owner: &str| -> Result<(), Error> {
            if let Some(other) = taken.insert(name.clone(), owner.to_string()) {
                return Err(Error::shape(
                    owner,
                    format!(
                        "its Rust name `{name}` is already used by `{other}`; add a `rename` to the service"
                    ),
                ));
            }
            Ok(())
        };
        for op_id in operations {
            let op = self.shape(op_id)?;
            traits::check(op_id.as_str(), op)?;
            let name = op_id.name();
            reserve(naming::request_name(name), op_id.as_str())?;
            reserve(naming::response_name(name), op_id.as_str())?;
            reserve(naming::operation_error_name(name), op_id.as_str())?;
            for io in [&op.input, &op.output].into_iter().flatten() {
                let (io_id, io_shape) = self.model.expect_shape(&io.target, op_id.as_str())?;
                if io_id.as_str() != UNIT {
                    if io_shape.shape_type != ShapeType::Structure {
                        return Err(Error::shape(
                            &io_id,
                            "operation input and output must be structures",
                        ));
                    }
                    traits::check(io_id.as_str(), io_shape)?;
                    for (member_name, member) in &io_shape.members {
                        traits::check_member(&io_id.member(member_name), &member.traits)?;
                        queue.push(ShapeId::new(&member.target));
                    }
                }
            }
            for err in op.errors.iter().chain(&self.service.errors) {
                queue.push(ShapeId::new(&err.target));
            }
        }
        while let Some(id) = queue.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let shape = self.shape(&id)?;
            traits::check(id.as_str(), shape)?;
            let kind = match shape.shape_type {
                ShapeType::Structure if id.as_str() == UNIT => None,
                ShapeType::Structure => Some(NamedKind::Structure),
                ShapeType::Union => Some(NamedKind::Union),
                ShapeType::Enum => Some(NamedKind::Enum),
                ShapeType::IntEnum => Some(NamedKind::IntEnum),
                _ => None,
            };
            for (member_name, member) in &shape.members {
                traits::check_member(&id.member(member_name), &member.traits)?;
                if !matches!(shape.shape_type, ShapeType::Enum | ShapeType::IntEnum) {
                    queue.push(ShapeId::new(&member.target));
                }
            }
            for (label, member) in [
                ("member", &shape.member),
                ("key", &shape.key),
                ("value", &shape.value),
            ] {
                if let Some(member) = member {
                    traits::check_member(&id.member(label), &member.traits)?;
                    queue.push(ShapeId::new(&member.target));
                }
            }
            if let Some(kind) = kind {
                let rust_name = naming::type_name(self.shape_name(&id));
                reserve(rust_name.clone(), id.as_str())?;
                let module = naming::module_name(&rust_name);
                self.named.insert(
                    id.clone(),
                    Named {
                        rust_name,
                        module,
                        kind,
                    },
                );
            }
            if matches!(shape.shape_type, ShapeType::Structure | ShapeType::Union) {
                let mut edges = BTreeSet::new();
                for member in shape.members.values() {
                    let target = ShapeId::new(&member.target);
                    if let Some(t) = self.model.shape(&target)
                        && matches!(t.shape_type, ShapeType::Structure | ShapeType::Union)
                    {
                        edges.insert(target);
                    }
                }
                self.direct_edges.insert(id.clone(), edges);
            }
        }
        // Module names must be unique too (they are file names).
        let mut modules = BTreeMap::new();
        for (id, named) in &self.named {
            if let Some(other) = modules.insert(named.module.clone(), id.clone()) {
                return Err(Error::shape(
                    id,
                    format!("its module `{}` is already used by `{other}`", named.module),
                ));
            }
        }
        Ok(())
    }

    /// Every shape an operation reaches: its input's and output's members (transitively, through
    /// lists, maps, structures and unions) and its errors (with the service's).
    fn reachable(&self, op_id: &ShapeId) -> Result<BTreeSet<ShapeId>, Error> {
        let op = self.shape(op_id)?;
        let mut stack: Vec<ShapeId> = Vec::new();
        for io in [&op.input, &op.output].into_iter().flatten() {
            let io_shape = self.shape(&ShapeId::new(&io.target))?;
            stack.extend(io_shape.members.values().map(|m| ShapeId::new(&m.target)));
        }
        stack.extend(
            op.errors
                .iter()
                .chain(&self.service.errors)
                .map(|e| ShapeId::new(&e.target)),
        );
        let mut seen = BTreeSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let shape = self.shape(&id)?;
            if !matches!(shape.shape_type, ShapeType::Enum | ShapeType::IntEnum) {
                stack.extend(shape.members.values().map(|m| ShapeId::new(&m.target)));
            }
            for m in [&shape.member, &shape.key, &shape.value]
                .into_iter()
                .flatten()
            {
                stack.push(ShapeId::new(&m.target));
            }
        }
        Ok(seen)
    }

    fn shape(&self, id: &ShapeId) -> Result<&'m Shape, Error> {
        self.model
            .shape(id)
            .ok_or_else(|| Error::shape(id, "is referenced but not defined in the model"))
    }

    /// Whether `from` can reach `to` through direct (unboxed) structure and union members.
    fn reaches(&self, from: &ShapeId, to: &ShapeId) -> bool {
        let mut stack = vec![from.clone()];
        let mut seen = BTreeSet::new();
        while let Some(id) = stack.pop() {
            if &id == to {
                return true;
            }
            if !seen.insert(id.clone()) {
                continue;
            }
            if let Some(edges) = self.direct_edges.get(&id) {
                stack.extend(edges.iter().cloned());
            }
        }
        false
    }

    fn operation(&self, id: &ShapeId) -> Result<ir::Operation, Error> {
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
            errors.push(ir::ErrorRef {
                code: err_id.name().to_string(),
                is_method: naming::is_variant_method(&named.rust_name),
                rust_name: named.rust_name.clone(),
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

    fn io_structure(
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

    fn shared_types(&self) -> Result<Vec<ir::TypeDef>, Error> {
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

    fn structure(
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
            let binding = binding_of(&member_id, t, target)?;
            // @clientOptional: a client treats the member as optional and fills no default.
            let client_optional = t.contains_key("smithy.api#clientOptional");
            let required = t.contains_key("smithy.api#required") && !client_optional;
            let default = if client_optional {
                None
            } else {
                self.default_value(&member_id, t, &target_id, target, &ty)?
            };
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
                timestamp_format: self.timestamp_format(&member_id, t, &target_id)?,
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
                media_type: (target.shape_type == ShapeType::String)
                    .then(|| {
                        target
                            .traits
                            .get("smithy.api#mediaType")
                            .and_then(Value::as_str)
                            .map(String::from)
                    })
                    .flatten(),
                field,
                ty,
                required,
                default,
                binding,
                boxed,
            });
        }
        if let ir::Role::Error(info) = &mut role {
            info.message_field = members
                .iter()
                .find(|m| m.name.eq_ignore_ascii_case("message") && m.ty == Type::String)
                .map(|m| m.field.clone());
        }
        let metadata_field = (role == ir::Role::Output).then(|| {
            let taken: Vec<&str> = members.iter().map(|m| m.field.as_str()).collect();
            naming::metadata_field(&taken)
        });
        Ok(ir::Structure {
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

    fn enumeration(
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
            shape_id: id.to_string(),
            rust_name: named.rust_name.clone(),
            module: named.module.clone(),
            docs: doc_of(&shape.traits).unwrap_or_else(|| docs::fallback("enumeration", id.name())),
            int,
            variants,
            sensitive: shape.has_trait("smithy.api#sensitive"),
        })
    }

    fn union(&self, id: &ShapeId, shape: &Shape, named: &Named) -> Result<ir::Union, Error> {
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
            variants.push(ir::UnionVariant {
                name: member_name.clone(),
                json_name: json_name(&member.traits, member_name),
                docs: doc_of(&member.traits)
                    .unwrap_or_else(|| docs::fallback("variant", member_name)),
                boxed: matches!(target.shape_type, ShapeType::Structure | ShapeType::Union)
                    && target_id.as_str() != UNIT
                    && self.reaches(&target_id, id),
                sensitive: self.is_sensitive(&member.traits, &target_id),
                timestamp_format: self.timestamp_format(&member_id, &member.traits, &target_id)?,
                ident,
                ty,
            });
        }
        Ok(ir::Union {
            shape_id: id.to_string(),
            rust_name: named.rust_name.clone(),
            module: named.module.clone(),
            docs: doc_of(&shape.traits).unwrap_or_else(|| docs::fallback("union", id.name())),
            variants,
            event_stream: shape.has_trait("smithy.api#streaming"),
            sensitive: shape.has_trait("smithy.api#sensitive"),
        })
    }

    /// The Rust value type of a member targeting `target`.
    fn value_type(&self, member_id: &str, target_id: &ShapeId) -> Result<Type, Error> {
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

    fn is_sensitive(&self, member_traits: &Traits, target_id: &ShapeId) -> bool {
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
    fn timestamp_format(
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

    fn default_value(
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

    fn pagination(
        &self,
        id: &ShapeId,
        shape: &Shape,
        input: &ir::Structure,
        output: &ir::Structure,
    ) -> Result<Option<ir::Paginated>, Error> {
        let Some(own) = shape.traits.get("smithy.api#paginated") else {
            return Ok(None);
        };
        let defaults = self.service.traits.get("smithy.api#paginated");
        let get = |key: &str| -> Option<String> {
            own.get(key)
                .or_else(|| defaults.and_then(|d| d.get(key)))
                .and_then(Value::as_str)
                .map(String::from)
        };
        let input_member = |name: &str| -> Result<&ir::Member, Error> {
            input
                .members
                .iter()
                .find(|m| m.name == name)
                .ok_or_else(|| {
                    Error::shape(
                        id,
                        format!("@paginated names input member `{name}`, which does not exist"),
                    )
                })
        };
        let token_name =
            get("inputToken").ok_or_else(|| Error::shape(id, "@paginated has no inputToken"))?;
        let token = input_member(&token_name)?;
        if token.required || token.ty != Type::String {
            return Err(Error::shape(
                id,
                format!("@paginated inputToken `{token_name}` must be an optional string member"),
            ));
        }
        let page_size = get("pageSize")
            .map(|n| input_member(&n).map(|m| m.field.clone()))
            .transpose()?;
        let output_token =
            get("outputToken").ok_or_else(|| Error::shape(id, "@paginated has no outputToken"))?;
        let (items, item_type) = match get("items") {
            Some(path) => {
                let (steps, ty) = self.output_path(id, output, &path)?;
                // A list's elements are the items; a map's pages have no item iterator.
                let item = match ty {
                    Type::List { element, sparse } => Some(ir::ItemType {
                        ty: *element,
                        optional: sparse,
                    }),
                    _ => None,
                };
                (steps, item)
            }
            None => (Vec::new(), None),
        };
        Ok(Some(ir::Paginated {
            input_token: token.field.clone(),
            output_token: self.output_path(id, output, &output_token)?.0,
            items,
            item_type,
            page_size,
            paginator_name: naming::paginator_name(id.name()),
            pages_name: naming::pages_name(id.name()),
            method: naming::paginator_method(id.name()),
        }))
    }

    /// Resolves a dotted member path (`NextMarker`, `Result.NextToken`) through the output,
    /// with the type of the member it ends at.
    fn output_path(
        &self,
        id: &ShapeId,
        output: &ir::Structure,
        path: &str,
    ) -> Result<(Vec<ir::PathStep>, Type), Error> {
        let mut steps = Vec::new();
        let mut last = Type::String;
        let mut members = output.members.clone();
        let parts: Vec<&str> = path.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let m = members
                .iter()
                .find(|m| m.name == *part)
                .ok_or_else(|| {
                    Error::shape(
                        id,
                        format!("@paginated path `{path}` names `{part}`, which does not exist"),
                    )
                })?
                .clone();
            steps.push(ir::PathStep {
                field: m.field.clone(),
                optional: !m.required,
            });
            last = m.ty.clone();
            if i + 1 < parts.len() {
                let Type::Named {
                    rust_name,
                    kind: NamedKind::Structure,
                } = &m.ty
                else {
                    return Err(Error::shape(
                        id,
                        format!("@paginated path `{path}` goes through a non-structure"),
                    ));
                };
                let (nested_id, _) = self
                    .named
                    .iter()
                    .find(|(_, n)| &n.rust_name == rust_name)
                    .ok_or_else(|| {
                        Error::shape(id, format!("@paginated path `{path}` is broken"))
                    })?;
                let nested_shape = self.shape(nested_id)?;
                members = self
                    .structure(nested_id, nested_shape, rust_name.clone(), ir::Role::Nested)?
                    .members;
            }
        }
        Ok((steps, last))
    }
}

fn is_prelude(id: &ShapeId) -> bool {
    id.namespace() == "smithy.api"
}

fn doc_of(t: &Traits) -> Option<String> {
    t.get("smithy.api#documentation")
        .and_then(Value::as_str)
        .map(docs::to_rustdoc)
        .filter(|d| !d.is_empty())
}

fn json_name(t: &Traits, member: &str) -> String {
    t.get("smithy.api#jsonName")
        .and_then(Value::as_str)
        .unwrap_or(member)
        .to_string()
}

fn parse_timestamp_format(id: &str, v: &Value) -> Result<TimestampFormat, Error> {
    match v.as_str() {
        Some("date-time") => Ok(TimestampFormat::DateTime),
        Some("http-date") => Ok(TimestampFormat::HttpDate),
        Some("epoch-seconds") => Ok(TimestampFormat::EpochSeconds),
        _ => Err(Error::shape(id, format!("unknown @timestampFormat {v}"))),
    }
}

fn error_info(id: &ShapeId, t: &Traits) -> Result<Option<ir::ErrorInfo>, Error> {
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
        server_fault,
        http_status,
        retryable: retryable.is_some(),
        throttling: retryable
            .and_then(|r| r.get("throttling"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        message_field: None,
    }))
}

fn binding_of(member_id: &str, t: &Traits, target: &Shape) -> Result<Binding, Error> {
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

fn http_binding(id: &ShapeId, t: &Traits) -> Result<ir::Http, Error> {
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
fn host_prefix(
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
fn check_labels(id: &ShapeId, http: &ir::Http, input: &ir::Structure) -> Result<(), Error> {
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

/// Decodes standard base64 (for blob `@default` values).
fn base64_decode(s: &str) -> Option<Vec<u8>> {
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
