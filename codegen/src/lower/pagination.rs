//! `@paginated`: the input and output members of tokens, page size and items.

use serde_json::Value;

use super::Lowerer;
use crate::ir::{self, NamedKind, Type};
use crate::smithy::{Shape, ShapeId};
use crate::{Error, naming};

impl<'m> Lowerer<'m> {
    pub(super) fn pagination(
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
    pub(super) fn output_path(
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
