//! The shapes an operation reaches, and the Rust names of the shared ones, decided once.

use std::collections::{BTreeMap, BTreeSet};

use super::{Lowerer, Named};
use crate::ir::NamedKind;
use crate::smithy::{ShapeId, ShapeType, UNIT};
use crate::{Error, naming, traits};

impl<'m> Lowerer<'m> {
    /// Walks every shape reachable from the operations and decides the shared types' names.
    pub(super) fn name_shared_shapes(&mut self, operations: &[ShapeId]) -> Result<(), Error> {
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
    pub(super) fn reachable(&self, op_id: &ShapeId) -> Result<BTreeSet<ShapeId>, Error> {
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
}
