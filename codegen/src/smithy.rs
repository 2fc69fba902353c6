//! Stage 1: a faithful, typed view of the Smithy 2.0 JSON AST.
//!
//! Nothing here decides a Rust name. Parsing resolves the model-level indirections that
//! every later stage would otherwise repeat: `apply` statements are merged into their
//! targets, mixins are flattened into the shapes that use them, and the prelude shapes
//! (`smithy.api#String`, `smithy.api#Unit`, …) are always present.

use std::collections::BTreeMap;
use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use crate::Error;

/// An absolute shape id such as `com.amazonaws.lambda#Operation` (never a member id).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShapeId(String);

impl ShapeId {
    /// Wraps an absolute shape id.
    pub fn new(id: impl Into<String>) -> Self {
        ShapeId(id.into())
    }

    /// The whole id, `namespace#Name`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `#`.
    pub fn name(&self) -> &str {
        self.0
            .rsplit_once('#')
            .map_or(self.0.as_str(), |(_, name)| name)
    }

    /// The part before `#`.
    pub fn namespace(&self) -> &str {
        self.0.split_once('#').map_or("", |(ns, _)| ns)
    }

    /// The id of one of this shape's members, for error messages.
    pub fn member(&self, member: &str) -> String {
        format!("{}${member}", self.0)
    }
}

impl fmt::Display for ShapeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kind of a shape, as the JSON AST's `type` property names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub enum ShapeType {
    Blob,
    Boolean,
    String,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Timestamp,
    Document,
    Enum,
    IntEnum,
    List,
    Set,
    Map,
    Structure,
    Union,
    Operation,
    Resource,
    Service,
    Apply,
}

/// A reference to another shape: `{"target": "ns#Name"}`.
#[derive(Clone, Debug, Deserialize)]
pub struct Reference {
    /// The referenced shape.
    pub target: String,
}

/// A trait map: trait shape id → trait value, sorted.
pub type Traits = BTreeMap<String, Value>;

/// A member of a structure, union, enum, list or map.
#[derive(Clone, Debug, Deserialize)]
pub struct Member {
    /// The shape the member targets.
    pub target: String,
    /// Traits applied to the member itself.
    #[serde(default)]
    pub traits: Traits,
}

/// One shape of the model, with every property the JSON AST defines.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Shape {
    #[serde(rename = "type")]
    pub shape_type: ShapeType,
    #[serde(default)]
    pub traits: Traits,
    /// Members of structures, unions, enums and intEnums, in model order.
    #[serde(default)]
    pub members: IndexMap<String, Member>,
    pub member: Option<Member>,
    pub key: Option<Member>,
    pub value: Option<Member>,
    #[serde(default)]
    pub mixins: Vec<Reference>,
    // operation
    pub input: Option<Reference>,
    pub output: Option<Reference>,
    #[serde(default)]
    pub errors: Vec<Reference>,
    // service and resource
    pub version: Option<String>,
    #[serde(default)]
    pub operations: Vec<Reference>,
    #[serde(default)]
    pub resources: Vec<Reference>,
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    // resource lifecycle bindings
    pub create: Option<Reference>,
    pub put: Option<Reference>,
    pub read: Option<Reference>,
    pub update: Option<Reference>,
    pub delete: Option<Reference>,
    pub list: Option<Reference>,
    #[serde(default)]
    pub collection_operations: Vec<Reference>,
}

impl Shape {
    fn simple(shape_type: ShapeType) -> Self {
        Shape {
            shape_type,
            traits: Traits::new(),
            members: IndexMap::new(),
            member: None,
            key: None,
            value: None,
            mixins: Vec::new(),
            input: None,
            output: None,
            errors: Vec::new(),
            version: None,
            operations: Vec::new(),
            resources: Vec::new(),
            rename: BTreeMap::new(),
            create: None,
            put: None,
            read: None,
            update: None,
            delete: None,
            list: None,
            collection_operations: Vec::new(),
        }
    }

    /// Whether the shape carries the trait `id`.
    pub fn has_trait(&self, id: &str) -> bool {
        self.traits.contains_key(id)
    }

    /// Every operation bound to this resource, directly or through lifecycle properties,
    /// in a fixed order.
    pub fn resource_operations(&self) -> impl Iterator<Item = &Reference> {
        [
            &self.create,
            &self.put,
            &self.read,
            &self.update,
            &self.delete,
            &self.list,
        ]
        .into_iter()
        .flatten()
        .chain(&self.operations)
        .chain(&self.collection_operations)
    }
}

#[derive(Deserialize)]
struct RawModel {
    smithy: String,
    #[serde(default)]
    shapes: IndexMap<String, Shape>,
}

/// A parsed Smithy model: every shape by id, with `apply` merged, mixins flattened and the
/// prelude added.
#[derive(Clone, Debug)]
pub struct Model {
    shapes: BTreeMap<ShapeId, Shape>,
}

/// The prelude's simple shapes, which models reference without defining.
const PRELUDE: &[(&str, ShapeType)] = &[
    ("Blob", ShapeType::Blob),
    ("Boolean", ShapeType::Boolean),
    ("String", ShapeType::String),
    ("Byte", ShapeType::Byte),
    ("Short", ShapeType::Short),
    ("Integer", ShapeType::Integer),
    ("Long", ShapeType::Long),
    ("Float", ShapeType::Float),
    ("Double", ShapeType::Double),
    ("BigInteger", ShapeType::BigInteger),
    ("BigDecimal", ShapeType::BigDecimal),
    ("Timestamp", ShapeType::Timestamp),
    ("Document", ShapeType::Document),
    ("PrimitiveBoolean", ShapeType::Boolean),
    ("PrimitiveByte", ShapeType::Byte),
    ("PrimitiveShort", ShapeType::Short),
    ("PrimitiveInteger", ShapeType::Integer),
    ("PrimitiveLong", ShapeType::Long),
    ("PrimitiveFloat", ShapeType::Float),
    ("PrimitiveDouble", ShapeType::Double),
];

/// The prelude's unit shape, used for empty inputs, outputs and enum members.
pub const UNIT: &str = "smithy.api#Unit";

impl Model {
    /// Parses a Smithy 2.0 JSON AST document.
    pub fn from_json(json: &str) -> Result<Model, Error> {
        let raw: RawModel = serde_json::from_str(json)
            .map_err(|e| Error::model(format!("not a Smithy JSON AST: {e}")))?;
        if !raw.smithy.starts_with("2.") && !raw.smithy.starts_with("1.") {
            return Err(Error::model(format!(
                "unsupported Smithy IDL version {:?} (expected 1.x or 2.x)",
                raw.smithy
            )));
        }
        let mut shapes = BTreeMap::new();
        let mut applies = Vec::new();
        for (id, shape) in raw.shapes {
            if !id.contains('#') {
                return Err(Error::shape(&id, "shape id is not absolute (no `#`)"));
            }
            if shape.shape_type == ShapeType::Apply {
                applies.push((id, shape.traits));
            } else {
                shapes.insert(ShapeId::new(id), shape);
            }
        }
        for (name, shape_type) in PRELUDE {
            shapes
                .entry(ShapeId::new(format!("smithy.api#{name}")))
                .or_insert_with(|| Shape::simple(*shape_type));
        }
        let mut unit = Shape::simple(ShapeType::Structure);
        unit.traits.insert(
            "smithy.api#unitType".into(),
            Value::Object(Default::default()),
        );
        shapes.entry(ShapeId::new(UNIT)).or_insert(unit);

        let mut model = Model { shapes };
        // An `apply` to a member that a mixin contributes can only land after flattening;
        // everything else lands first, so that mixins propagate applied traits.
        let mut deferred = Vec::new();
        for (target, traits) in applies {
            if model.apply(&target, traits.clone()).is_err() {
                deferred.push((target, traits));
            }
        }
        model.flatten_mixins()?;
        for (target, traits) in deferred {
            model.apply(&target, traits)?;
        }
        Ok(model)
    }

    /// Looks a shape up by id.
    pub fn shape(&self, id: &ShapeId) -> Option<&Shape> {
        self.shapes.get(id)
    }

    /// Looks a shape up by id, or fails naming `referrer`.
    pub fn expect_shape(&self, id: &str, referrer: &str) -> Result<(ShapeId, &Shape), Error> {
        let id = ShapeId::new(id);
        match self.shapes.get(&id) {
            Some(shape) => Ok((id, shape)),
            None => Err(Error::shape(
                referrer,
                format!("refers to `{id}`, which the model does not define"),
            )),
        }
    }

    /// Every shape, sorted by id.
    pub fn shapes(&self) -> impl Iterator<Item = (&ShapeId, &Shape)> {
        self.shapes.iter()
    }

    /// The model's service shapes, sorted by id.
    pub fn services(&self) -> impl Iterator<Item = (&ShapeId, &Shape)> {
        self.shapes
            .iter()
            .filter(|(_, s)| s.shape_type == ShapeType::Service)
    }

    fn apply(&mut self, target: &str, traits: Traits) -> Result<(), Error> {
        let (shape_id, member) = match target.split_once('$') {
            Some((shape, member)) => (shape, Some(member)),
            None => (target, None),
        };
        let shape = self
            .shapes
            .get_mut(&ShapeId::new(shape_id))
            .ok_or_else(|| Error::shape(target, "`apply` targets a shape the model lacks"))?;
        let slot = match member {
            None => &mut shape.traits,
            Some(m) => {
                let member = match m {
                    "member" if shape.member.is_some() => shape.member.as_mut(),
                    "key" if shape.key.is_some() => shape.key.as_mut(),
                    "value" if shape.value.is_some() => shape.value.as_mut(),
                    _ => shape.members.get_mut(m),
                };
                &mut member
                    .ok_or_else(|| {
                        Error::shape(target, "`apply` targets a member the model lacks")
                    })?
                    .traits
            }
        };
        slot.extend(traits);
        Ok(())
    }

    fn flatten_mixins(&mut self) -> Result<(), Error> {
        let ids: Vec<ShapeId> = self
            .shapes
            .iter()
            .filter(|(_, s)| !s.mixins.is_empty())
            .map(|(id, _)| id.clone())
            .collect();
        let mut done = BTreeMap::new();
        for id in ids {
            self.flatten_one(&id, &mut done, &mut Vec::new())?;
        }
        Ok(())
    }

    fn flatten_one(
        &mut self,
        id: &ShapeId,
        done: &mut BTreeMap<ShapeId, ()>,
        stack: &mut Vec<ShapeId>,
    ) -> Result<(), Error> {
        if done.contains_key(id) {
            return Ok(());
        }
        if stack.contains(id) {
            return Err(Error::shape(id.as_str(), "mixins form a cycle"));
        }
        stack.push(id.clone());
        let mixins = self
            .shapes
            .get(id)
            .map(|s| s.mixins.clone())
            .unwrap_or_default();
        let mut members = IndexMap::new();
        let mut inherited = Traits::new();
        for mixin in &mixins {
            let mixin_id = ShapeId::new(&mixin.target);
            let mixin_shape = self.shapes.get(&mixin_id).ok_or_else(|| {
                Error::shape(id.as_str(), format!("mixin `{mixin_id}` is not defined"))
            })?;
            if !mixin_shape.has_trait("smithy.api#mixin") {
                return Err(Error::shape(
                    id.as_str(),
                    format!("uses `{mixin_id}` as a mixin, but it lacks the @mixin trait"),
                ));
            }
            self.flatten_one(&mixin_id, done, stack)?;
            let Some(mixin_shape) = self.shapes.get(&mixin_id) else {
                continue;
            };
            let local_only = mixin_local_traits(mixin_shape);
            for (name, value) in &mixin_shape.traits {
                if name != "smithy.api#mixin" && !local_only.contains(name) {
                    inherited.insert(name.clone(), value.clone());
                }
            }
            for (name, member) in &mixin_shape.members {
                members.insert(name.clone(), member.clone());
            }
        }
        let Some(shape) = self.shapes.get_mut(id) else {
            return Ok(());
        };
        for (name, member) in std::mem::take(&mut shape.members) {
            match members.get_mut(&name) {
                // A member redeclared by the shape keeps the mixin's target and gains traits.
                Some(existing) => existing.traits.extend(member.traits),
                None => {
                    members.insert(name, member);
                }
            }
        }
        shape.members = members;
        for (name, value) in inherited {
            shape.traits.entry(name).or_insert(value);
        }
        shape.mixins.clear();
        stack.pop();
        done.insert(id.clone(), ());
        Ok(())
    }
}

/// Traits listed in a mixin's `@mixin(localTraits: [...])`, which do not propagate.
fn mixin_local_traits(shape: &Shape) -> Vec<String> {
    shape
        .traits
        .get("smithy.api#mixin")
        .and_then(|v| v.get("localTraits"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_and_mixins_are_resolved() {
        let json = r#"{
          "smithy": "2.0",
          "shapes": {
            "ex#Base": {"type": "structure", "mixins": [], "traits": {"smithy.api#mixin": {}, "smithy.api#sensitive": {}},
                        "members": {"a": {"target": "smithy.api#String"}}},
            "ex#Derived": {"type": "structure", "mixins": [{"target": "ex#Base"}],
                        "members": {"b": {"target": "smithy.api#Integer"}}},
            "ex#Derived$a": {"type": "apply", "traits": {"smithy.api#required": {}}}
          }
        }"#;
        let model = Model::from_json(json).unwrap();
        let derived = model.shape(&ShapeId::new("ex#Derived")).unwrap();
        let names: Vec<_> = derived.members.keys().cloned().collect();
        assert_eq!(names, ["a", "b"]);
        assert!(derived.has_trait("smithy.api#sensitive"));
        assert!(!derived.has_trait("smithy.api#mixin"));
        assert!(
            derived.members["a"]
                .traits
                .contains_key("smithy.api#required")
        );
        assert!(model.shape(&ShapeId::new("smithy.api#Unit")).is_some());
    }

    #[test]
    fn bad_json_is_an_error_not_a_panic() {
        let err = Model::from_json("{").unwrap_err();
        assert!(err.to_string().contains("not a Smithy JSON AST"), "{err}");
        let err =
            Model::from_json(r#"{"smithy":"2.0","shapes":{"Foo":{"type":"string"}}}"#).unwrap_err();
        assert!(err.to_string().contains("Foo"), "{err}");
    }
}
