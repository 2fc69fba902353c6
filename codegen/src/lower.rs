//! Lowers a [`Model`] into the [`ir::Crate`]: walks the service's operations and the shapes
//! they reach, checks every trait, resolves bindings and defaults, and names everything once.
//! One stage per module: `closure` (what each operation reaches, and the shared types' names),
//! `operation` (operations and their HTTP bindings), `shapes` (structures, enums, unions and
//! member types) and `pagination`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::ir::{self, NamedKind};
use crate::smithy::{Model, Shape, ShapeId, ShapeType};
use crate::{Error, Options, docs, traits};

mod closure;
mod operation;
mod pagination;
mod shapes;

use shapes::doc_of;

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
    let mut types = lowerer.shared_types()?;
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
    for def in &mut types {
        let mut features = type_features.remove(def.rust_name()).unwrap_or_default();
        features.sort();
        features.dedup();
        def.set_features(features);
    }
    Ok(ir::Crate {
        service: lowerer.service()?,
        operations,
        types,
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
                .map(String::from)
                .ok_or_else(|| {
                    Error::shape(
                        &self.service_id,
                        "the service has no `aws.auth#sigv4` trait with a `name`; only \
                         SigV4-signed services are supported",
                    )
                })?,
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
}
