//! Every generated type round-trips through its JSON form (issue #6, Fuzzing: property tests).
//!
//! The JSON values are generated from the model's IR (`lambda_sdk_codegen::lower` of
//! `model/lambda.json`), never written per type: a structure gets a random subset of its optional
//! members (the required ones are present), strings are arbitrary Unicode (empty, quotes,
//! backslashes, control characters, non-BMP), enums get known and unknown values, integers span
//! their whole range, timestamps are `epoch-seconds` numbers with at most millisecond precision,
//! blobs are base64, lists and maps may carry `null` entries, unions have exactly one member, and
//! nesting is bounded. Unknown JSON fields are sprinkled in too.
//!
//! Each sample is an *input* JSON value and the *canonical* JSON the type must write back. For
//! every generated type `T` with serde impls (shared structures, errors, enums, unions, and each
//! operation's `{Op}Request` / `{Op}Response`, whose serde form keys every member, HTTP-bound or
//! not, by its wire name) the test checks:
//!
//! 1. `serde_json::from_value::<T>(input)` succeeds, and reading the input's text with
//!    `serde_json::from_str` gives the same `T` (the SDK reads responses from bytes);
//! 2. `serde_json::to_value(&t)` equals the canonical JSON;
//! 3. reading that JSON back gives a `T` equal to the first.
//!
//! The canonical form differs from the input exactly where the JSON form legitimately loses
//! nothing the type keeps:
//! - unknown JSON fields are dropped;
//! - an optional member sent as `null` is omitted (it reads as `None`);
//! - `null` entries of dense (non-`@sparse`) lists and maps are dropped;
//! - a required member that is absent (or `null`) is written as its `@default` if it has one,
//!   else as its zero value (`""`, `0`, `false`, `[]`, `{}`, epoch 0, an enum's empty `Unknown`, a
//!   structure's own zero form) — Smithy's client error correction;
//! - an optional member with a `@default`, in a structure that is not an operation input, that is
//!   absent is written as the default (it reads as `Some(default)`); in an operation input it
//!   stays absent;
//! - a whole-second timestamp sent as a float (`5.0`) is written as an integer (`5`);
//! - unpadded base64 is written padded.
//!
//! Not generated: an explicit `null` for an optional member with a `@default` outside operation
//! inputs. It reads as `None` (while absence reads as `Some(default)`), and `None` is written as
//! the default, so `T → JSON → T` would turn `None` into `Some(default)`; the wire value is the
//! same either way.
//!
//! An unknown enum value survives as `Unknown` (checked on the enum types themselves); an
//! unknown union member reads as `Unknown`, which refuses to serialize (it cannot be sent), so
//! unknown union members are only generated for the union types themselves.
//!
//! The list of types in [`entries`] is a macro over the generated types;
//! `the_round_trip_list_is_every_generated_type` compares it with the IR, so a new generated type
//! without a round-trip check fails the test. Cases per type: 64 (`PROPTEST_CASES` overrides).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::sync::OnceLock;

use lambda_sdk::types::*;
use lambda_sdk_codegen::ir::{
    self, DefaultValue, EnumValue, Enumeration, NamedKind, Role, Structure, TimestampFormat, Type,
    TypeDef, Union,
};
use lambda_sdk_tests::base64;
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, ValueTree};
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Nesting deeper than this many structures/lists/maps/unions gets no optional nested members and
/// empty collections.
const MAX_DEPTH: u32 = 5;

/// Property cases per type.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

// ---------------------------------------------------------------------------------------------
// The IR of model/lambda.json
// ---------------------------------------------------------------------------------------------

/// The lowered model.
struct Model {
    krate: ir::Crate,
}

impl Model {
    fn lambda() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| {
            let path = lambda_sdk_tests::repo_root().join("model/lambda.json");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            Model::from_json(&text)
        })
    }

    fn from_json(text: &str) -> Model {
        let model = lambda_sdk_codegen::Model::from_json(text).expect("the model parses");
        let krate =
            lambda_sdk_codegen::lower::lower(&model, &lambda_sdk_codegen::Options::default())
                .expect("the model lowers");
        Model { krate }
    }

    /// Every structure with a Rust type: the shared ones and each operation's request and
    /// response.
    fn structures(&self) -> impl Iterator<Item = &Structure> {
        let shared = self.krate.types.iter().filter_map(|t| match t {
            TypeDef::Structure(s) => Some(s),
            _ => None,
        });
        let ops = self
            .krate
            .operations
            .iter()
            .flat_map(|op| [&op.input, &op.output]);
        shared.chain(ops)
    }

    fn structure(&self, name: &str) -> &Structure {
        self.structures()
            .find(|s| s.rust_name == name)
            .unwrap_or_else(|| panic!("no structure `{name}` in the IR"))
    }

    fn enumeration(&self, name: &str) -> &Enumeration {
        self.krate
            .types
            .iter()
            .find_map(|t| match t {
                TypeDef::Enum(e) if e.rust_name == name => Some(e),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no enum `{name}` in the IR"))
    }

    fn union(&self, name: &str) -> &Union {
        self.krate
            .types
            .iter()
            .find_map(|t| match t {
                TypeDef::Union(u) if u.rust_name == name => Some(u),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no union `{name}` in the IR"))
    }

    /// Every Rust type with a JSON form, by name, with its kind.
    fn json_types(&self) -> BTreeMap<String, Kind> {
        let mut all = BTreeMap::new();
        for s in self.structures() {
            all.insert(s.rust_name.clone(), Kind::Structure);
        }
        for t in &self.krate.types {
            match t {
                TypeDef::Structure(_) => {}
                TypeDef::Enum(e) => {
                    let kind = if e.int { Kind::IntEnum } else { Kind::Enum };
                    all.insert(e.rust_name.clone(), kind);
                }
                TypeDef::Union(u) => {
                    // An event stream has no JSON form: its members are read from event messages.
                    if !u.event_stream {
                        all.insert(u.rust_name.clone(), Kind::Union);
                    }
                }
            }
        }
        all
    }
}

// ---------------------------------------------------------------------------------------------
// Samples: an input JSON value and the canonical JSON it must come back as
// ---------------------------------------------------------------------------------------------

/// One generated JSON value and what the type must write back.
#[derive(Clone, Debug)]
struct Sample {
    /// What `T` is read from.
    input: Value,
    /// What `T` must serialize to; `None` when it must refuse to (an unknown union member).
    canonical: Option<Value>,
}

impl Sample {
    fn same(value: Value) -> Sample {
        Sample {
            input: value.clone(),
            canonical: Some(value),
        }
    }

    fn new(input: Value, canonical: Value) -> Sample {
        Sample {
            input,
            canonical: Some(canonical),
        }
    }
}

/// How one structure member appears in a sample.
#[derive(Clone, Debug)]
enum Slot {
    /// Not in the input.
    Absent,
    /// `null` in the input.
    Null,
    /// A value.
    Present(Sample),
}

/// Builds strategies from the IR.
struct Gen<'m> {
    model: &'m Model,
}

impl<'m> Gen<'m> {
    /// A named type's samples, at nesting `depth`. `unknown_union` allows an unknown member at
    /// the top of a union (only the union's own test can take it: nothing can serialize it).
    fn named(
        &self,
        name: &str,
        kind: NamedKind,
        depth: u32,
        unknown_union: bool,
    ) -> BoxedStrategy<Sample> {
        match kind {
            NamedKind::Structure => self.structure(self.model.structure(name), depth),
            NamedKind::Enum => string_enum(self.model.enumeration(name)),
            NamedKind::IntEnum => int_enum(self.model.enumeration(name)),
            NamedKind::Union => self.union(self.model.union(name), depth, unknown_union),
        }
    }

    /// A structure: every required member present (now and then absent or `null`, which reads
    /// as its default or zero value), each optional member absent, `null` or present, plus a few
    /// unknown fields.
    fn structure(&self, s: &Structure, depth: u32) -> BoxedStrategy<Sample> {
        assert!(
            depth <= MAX_DEPTH + 8,
            "`{}`: required members nest without end",
            s.rust_name
        );
        let mut members: Vec<BoxedStrategy<(String, Slot, Option<Value>)>> = Vec::new();
        for m in s.members.iter().filter(|m| !m.event_stream) {
            let key = m.json_name.clone();
            let deep = depth >= MAX_DEPTH && is_nested(&m.ty);
            // A required union that is absent reads as `Unknown`, which cannot be written back:
            // it is always present.
            let required_union = m.required
                && matches!(
                    m.ty,
                    Type::Named {
                        kind: NamedKind::Union,
                        ..
                    }
                );
            // What an absent (or, for required members, null) member is written back as.
            let fallback = if required_union {
                None
            } else if m.required {
                Some(match &m.default {
                    Some(d) => self.default_json(&m.ty, d, m.timestamp_format),
                    None => self.zero_json(&m.ty, m.timestamp_format, depth + 1),
                })
            } else {
                match (&m.default, &s.role) {
                    (Some(d), role) if *role != Role::Input => {
                        Some(self.default_json(&m.ty, d, m.timestamp_format))
                    }
                    _ => None,
                }
            };
            // Built only when used: a recursive shape's strategy would never end otherwise.
            let value = || self.value(&m.ty, m.timestamp_format, depth + 1, true);
            let fb = fallback.clone();
            let key2 = key.clone();
            let slot: BoxedStrategy<Slot> = if required_union {
                value().prop_map(Slot::Present).boxed()
            } else if m.required {
                prop_oneof![
                    1 => Just(Slot::Absent),
                    1 => Just(Slot::Null),
                    10 => value().prop_map(Slot::Present),
                ]
                .boxed()
            } else if deep {
                Just(Slot::Absent).boxed()
            } else if fallback.is_some() {
                // `null` for an optional member with a default reads as `None`, and `None` is
                // written as the default, which reads back as `Some(default)`: not a round trip
                // (see the module docs), so only absent and present values are generated.
                prop_oneof![
                    1 => Just(Slot::Absent),
                    3 => value().prop_map(Slot::Present),
                ]
                .boxed()
            } else {
                prop_oneof![
                    2 => Just(Slot::Absent),
                    1 => Just(Slot::Null),
                    4 => value().prop_map(Slot::Present),
                ]
                .boxed()
            };
            let optional_document = !m.required && m.ty == Type::Document;
            members.push(
                slot.prop_map(move |slot| {
                    let canonical = match &slot {
                        Slot::Absent | Slot::Null => fb.clone(),
                        // An optional document that is `null` is `None`.
                        Slot::Present(v) if optional_document && v.input.is_null() => None,
                        Slot::Present(v) => v.canonical.clone(),
                    };
                    (key2.clone(), slot, canonical)
                })
                .boxed(),
            );
        }
        let known: BTreeSet<String> = s.members.iter().map(|m| m.json_name.clone()).collect();
        let unknown = proptest::collection::vec((field_name(), unknown_json()), 0..3).prop_map(
            move |fields| {
                fields
                    .into_iter()
                    .filter(|(k, _)| !known.contains(k))
                    .collect::<Vec<_>>()
            },
        );
        (members, unknown)
            .prop_map(|(members, unknown)| {
                let mut input = Map::new();
                let mut canonical = Map::new();
                for (key, value) in unknown {
                    input.insert(key, value);
                }
                for (key, slot, out) in members {
                    match slot {
                        Slot::Absent => {}
                        Slot::Null => {
                            input.insert(key.clone(), Value::Null);
                        }
                        Slot::Present(v) => {
                            input.insert(key.clone(), v.input);
                        }
                    }
                    if let Some(out) = out {
                        canonical.insert(key, out);
                    }
                }
                Sample::new(Value::Object(input), Value::Object(canonical))
            })
            .boxed()
    }

    /// A union: exactly one member (or, when allowed, one the model does not know).
    fn union(&self, u: &Union, depth: u32, unknown: bool) -> BoxedStrategy<Sample> {
        let mut variants: Vec<BoxedStrategy<Sample>> = Vec::new();
        for v in &u.variants {
            let key = v.json_name.clone();
            let value = match &v.ty {
                // Lowering refuses a `@timestampFormat` on a union member.
                Some(ty) => self.value(ty, None, depth + 1, false),
                // A unit member is an empty object.
                None => Just(Sample::same(Value::Object(Map::new()))).boxed(),
            };
            variants.push(
                value
                    .prop_map(move |v| {
                        let wrap =
                            |value: Value| Value::Object(Map::from_iter([(key.clone(), value)]));
                        Sample {
                            input: wrap(v.input),
                            canonical: v.canonical.map(wrap),
                        }
                    })
                    .boxed(),
            );
        }
        if unknown || variants.is_empty() {
            let known: BTreeSet<String> = u.variants.iter().map(|v| v.json_name.clone()).collect();
            variants.push(
                (field_name(), unknown_json())
                    .prop_filter("a member the model does not know", move |(k, _)| {
                        !known.contains(k)
                    })
                    .prop_map(|(k, v)| Sample {
                        input: Value::Object(Map::from_iter([(k, v)])),
                        canonical: None,
                    })
                    .boxed(),
            );
        }
        proptest::strategy::Union::new(variants).boxed()
    }

    /// A value of `ty`. `member_level` is true for a structure member's own value, where dense
    /// lists and maps skip `null` entries.
    fn value(
        &self,
        ty: &Type,
        format: Option<TimestampFormat>,
        depth: u32,
        member_level: bool,
    ) -> BoxedStrategy<Sample> {
        match ty {
            Type::String => string()
                .prop_map(|s| Sample::same(Value::String(s)))
                .boxed(),
            Type::Bool => any::<bool>()
                .prop_map(|b| Sample::same(Value::Bool(b)))
                .boxed(),
            Type::Byte => integer(i64::from(i8::MIN), i64::from(i8::MAX)),
            Type::Short => integer(i64::from(i16::MIN), i64::from(i16::MAX)),
            Type::Integer => integer(i64::from(i32::MIN), i64::from(i32::MAX)),
            Type::Long => integer(i64::MIN, i64::MAX),
            Type::Float => float(true),
            Type::Double => float(false),
            Type::Blob => blob(),
            Type::Timestamp => timestamp(format),
            Type::Document => document(),
            Type::Named { rust_name, kind } => self.named(rust_name, *kind, depth, false),
            Type::List { .. } if depth > MAX_DEPTH => {
                Just(Sample::same(Value::Array(Vec::new()))).boxed()
            }
            Type::Map { .. } if depth > MAX_DEPTH => {
                Just(Sample::same(Value::Object(Map::new()))).boxed()
            }
            Type::List { element, sparse } => {
                let element = self.value(element, format, depth + 1, false);
                // Nulls in a dense list are skipped only where the member's serde attributes say
                // so: the member's own list, of elements without a custom codec.
                let null_ok = *sparse || member_level && codec_free(ty, format);
                let sparse = *sparse;
                let item = if null_ok {
                    prop_oneof![1 => Just(None), 5 => element.prop_map(Some)].boxed()
                } else {
                    element.prop_map(Some).boxed()
                };
                proptest::collection::vec(item, 0..=4)
                    .prop_map(move |items| {
                        let input = items
                            .iter()
                            .map(|i| i.as_ref().map_or(Value::Null, |s| s.input.clone()))
                            .collect();
                        let canonical = items
                            .into_iter()
                            .filter_map(|i| match i {
                                Some(s) => s.canonical,
                                None if sparse => Some(Value::Null),
                                None => None,
                            })
                            .collect();
                        Sample::new(Value::Array(input), Value::Array(canonical))
                    })
                    .boxed()
            }
            Type::Map { value, sparse } => {
                let element = self.value(value, format, depth + 1, false);
                let null_ok = *sparse || member_level && codec_free(ty, format);
                let sparse = *sparse;
                let item = if null_ok {
                    prop_oneof![1 => Just(None), 5 => element.prop_map(Some)].boxed()
                } else {
                    element.prop_map(Some).boxed()
                };
                proptest::collection::btree_map(string(), item, 0..=4)
                    .prop_map(move |entries| {
                        let mut input = Map::new();
                        let mut canonical = Map::new();
                        for (k, v) in entries {
                            input.insert(
                                k.clone(),
                                v.as_ref().map_or(Value::Null, |s| s.input.clone()),
                            );
                            match v {
                                Some(s) => {
                                    if let Some(c) = s.canonical {
                                        canonical.insert(k, c);
                                    }
                                }
                                None if sparse => {
                                    canonical.insert(k, Value::Null);
                                }
                                None => {}
                            }
                        }
                        Sample::new(Value::Object(input), Value::Object(canonical))
                    })
                    .boxed()
            }
        }
    }

    /// The JSON a member's `@default` is written as.
    fn default_json(&self, ty: &Type, d: &DefaultValue, format: Option<TimestampFormat>) -> Value {
        match d {
            DefaultValue::Bool(b) => Value::Bool(*b),
            DefaultValue::Integer(i) => Value::from(*i),
            DefaultValue::Float(f) => match ty {
                Type::Float => Value::from(f64::from(*f as f32)),
                _ => Value::from(*f),
            },
            DefaultValue::String(s) => Value::String(s.clone()),
            DefaultValue::EnumVariant(ident) => {
                let Type::Named { rust_name, .. } = ty else {
                    panic!("enum default on {ty:?}")
                };
                let e = self.model.enumeration(rust_name);
                let variant = e
                    .variants
                    .iter()
                    .find(|v| &v.ident == ident)
                    .unwrap_or_else(|| panic!("no variant {ident} in {rust_name}"));
                match &variant.value {
                    EnumValue::String(s) => Value::String(s.clone()),
                    EnumValue::Int(i) => Value::from(*i),
                }
            }
            DefaultValue::IntEnumValue(i) => Value::from(*i),
            DefaultValue::Blob(bytes) => Value::String(base64(bytes)),
            DefaultValue::Timestamp(secs, nanos) => {
                assert_eq!(
                    nanos % 1_000_000,
                    0,
                    "a default timestamp finer than milliseconds"
                );
                timestamp_json(
                    i128::from(*secs) * 1000 + i128::from(nanos / 1_000_000),
                    format,
                )
            }
            DefaultValue::EmptyList => Value::Array(Vec::new()),
            DefaultValue::EmptyMap => Value::Object(Map::new()),
            DefaultValue::Document(v) => v.clone(),
        }
    }

    /// The JSON of a type's zero value, which a required member the service omits reads as.
    fn zero_json(&self, ty: &Type, format: Option<TimestampFormat>, depth: u32) -> Value {
        match ty {
            Type::String | Type::Blob => Value::String(String::new()),
            Type::Bool => Value::Bool(false),
            Type::Byte | Type::Short | Type::Integer | Type::Long => Value::from(0),
            Type::Float | Type::Double => Value::from(0.0),
            Type::Timestamp => timestamp_json(0, format),
            Type::Document => Value::Null,
            Type::List { .. } => Value::Array(Vec::new()),
            Type::Map { .. } => Value::Object(Map::new()),
            Type::Named { rust_name, kind } => match kind {
                NamedKind::Enum => Value::String(String::new()),
                NamedKind::IntEnum => Value::from(0),
                NamedKind::Union => panic!("a union has no zero value that can be written"),
                NamedKind::Structure => {
                    assert!(
                        depth <= MAX_DEPTH + 8,
                        "`{rust_name}`: required members nest without end"
                    );
                    let s = self.model.structure(rust_name);
                    let mut out = Map::new();
                    for m in s.members.iter().filter(|m| !m.event_stream) {
                        let value = match (&m.default, m.required, &s.role) {
                            (Some(d), true, _) => {
                                Some(self.default_json(&m.ty, d, m.timestamp_format))
                            }
                            (None, true, _) => {
                                Some(self.zero_json(&m.ty, m.timestamp_format, depth + 1))
                            }
                            (Some(d), false, role) if *role != Role::Input => {
                                Some(self.default_json(&m.ty, d, m.timestamp_format))
                            }
                            _ => None,
                        };
                        if let Some(value) = value {
                            out.insert(m.json_name.clone(), value);
                        }
                    }
                    Value::Object(out)
                }
            },
        }
    }
}

/// Whether a value of `ty` nests (so deep members of it are left out).
fn is_nested(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Named {
            kind: NamedKind::Structure | NamedKind::Union,
            ..
        } | Type::List { .. }
            | Type::Map { .. }
            | Type::Document
    )
}

/// Whether a collection member is read without a custom codec (floats and formatted timestamps
/// have one), so the runtime's dense-collection reader skips its `null` entries.
fn codec_free(ty: &Type, format: Option<TimestampFormat>) -> bool {
    let element = match ty {
        Type::List { element, .. } => element,
        Type::Map { value, .. } => value,
        _ => return true,
    };
    let formatted = matches!(
        format,
        Some(TimestampFormat::DateTime | TimestampFormat::HttpDate)
    );
    match **element {
        Type::Float | Type::Double => false,
        Type::Timestamp => !formatted,
        _ => true,
    }
}

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

/// Characters that JSON escapes or that tend to break text handling.
const AWKWARD: &[char] = &[
    '"',
    '\\',
    '/',
    '\n',
    '\r',
    '\t',
    '\u{0}',
    '\u{1f}',
    '\u{7f}',
    '\u{80}',
    '\u{2028}',
    '\u{2029}',
    '\u{feff}',
    '\u{fffd}',
    'é',
    'ß',
    '中',
    '😀',
    '\u{10ffff}',
    ' ',
    '<',
    '&',
    '\'',
];

/// Any Unicode text: empty, arbitrary characters, or the awkward ones.
fn string() -> BoxedStrategy<String> {
    prop_oneof![
        1 => Just(String::new()),
        3 => proptest::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
        2 => proptest::collection::vec(proptest::sample::select(AWKWARD), 1..8).prop_map(String::from_iter),
        2 => "[A-Za-z0-9:/_-]{1,16}",
    ]
    .boxed()
}

/// An integer in `min..=max`, with the bounds and small values favoured.
fn integer(min: i64, max: i64) -> BoxedStrategy<Sample> {
    prop_oneof![
        1 => proptest::sample::select(vec![min, max, 0, -1, 1]),
        4 => min..=max,
    ]
    .prop_map(|i| Sample::same(Value::from(i)))
    .boxed()
}

/// A finite float (NaN is left out: `NaN != NaN`, so no type holding one equals itself), or an
/// infinity, which travels as a string.
fn float(single: bool) -> BoxedStrategy<Sample> {
    let finite = if single {
        any::<f32>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(f64::from)
            .boxed()
    } else {
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .boxed()
    };
    prop_oneof![
        6 => finite.prop_map(|f| Sample::same(Value::from(f))),
        1 => Just(Sample::same(Value::from("Infinity"))),
        1 => Just(Sample::same(Value::from("-Infinity"))),
    ]
    .boxed()
}

/// Bytes as base64; now and then sent unpadded (read, and written back padded).
fn blob() -> BoxedStrategy<Sample> {
    (proptest::collection::vec(any::<u8>(), 0..24), any::<bool>())
        .prop_map(|(bytes, unpadded)| {
            let padded = base64(&bytes);
            let input = if unpadded {
                padded.trim_end_matches('=').to_string()
            } else {
                padded.clone()
            };
            Sample::new(Value::String(input), Value::String(padded))
        })
        .boxed()
}

/// Milliseconds since the epoch between 0001-01-01 and 9999-12-31.
const MIN_MILLIS: i128 = -62_135_596_800_000;
const MAX_MILLIS: i128 = 253_402_300_799_999;

/// A timestamp with at most millisecond precision, in the member's wire format.
fn timestamp(format: Option<TimestampFormat>) -> BoxedStrategy<Sample> {
    let millis = prop_oneof![
        1 => proptest::sample::select(vec![0i128, -1, 1, 999, 1000, -1000, MIN_MILLIS, MAX_MILLIS]),
        1 => (MIN_MILLIS / 1000..=MAX_MILLIS / 1000).prop_map(|s| s * 1000),
        4 => MIN_MILLIS..=MAX_MILLIS,
    ];
    (millis, any::<bool>())
        .prop_map(move |(ms, as_float)| {
            let canonical = timestamp_json(ms, format);
            // A whole second sent as a float (`5.0`) is written back as an integer.
            let input = match (&canonical, format) {
                (Value::Number(n), None | Some(TimestampFormat::EpochSeconds))
                    if as_float && n.is_i64() =>
                {
                    Value::from(n.as_i64().unwrap_or_default() as f64)
                }
                _ => canonical.clone(),
            };
            Sample::new(input, canonical)
        })
        .boxed()
}

/// The canonical JSON of a timestamp (`ms` milliseconds since the epoch) in `format`;
/// restJson1 bodies default to `epoch-seconds`.
fn timestamp_json(ms: i128, format: Option<TimestampFormat>) -> Value {
    let secs = ms.div_euclid(1000) as i64;
    let milli = ms.rem_euclid(1000) as u32;
    match format {
        None | Some(TimestampFormat::EpochSeconds) => {
            if milli == 0 {
                return Value::from(secs);
            }
            // The exact decimal, e.g. `-1.5` for -1500 ms, as the nearest f64.
            let sign = if ms < 0 { "-" } else { "" };
            let abs = ms.unsigned_abs();
            let text = format!("{sign}{}.{:03}", abs / 1000, abs % 1000);
            Value::from(text.parse::<f64>().unwrap_or(f64::NAN))
        }
        Some(TimestampFormat::DateTime) => {
            let (y, mo, d, h, mi, s, _) = civil(secs);
            let fraction = if milli == 0 {
                String::new()
            } else {
                format!(".{milli:03}").trim_end_matches('0').to_string()
            };
            Value::String(format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{fraction}Z"
            ))
        }
        Some(TimestampFormat::HttpDate) => {
            // IMF-fixdate has no fraction; the runtime writes milliseconds, when there are
            // some, as three more digits after the seconds.
            let (y, mo, d, h, mi, s, wd) = civil(secs);
            const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let fraction = if milli == 0 {
                String::new()
            } else {
                format!(".{milli:03}")
            };
            Value::String(format!(
                "{}, {d:02} {} {y:04} {h:02}:{mi:02}:{s:02}{fraction} GMT",
                DAYS[wd],
                MONTHS[mo as usize - 1]
            ))
        }
    }
}

/// (year, month, day, hour, minute, second, weekday with 0 = Thursday) of a Unix time.
fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32, usize) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days_from_civil, inverted.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    let wd = days.rem_euclid(7) as usize;
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
        wd,
    )
}

/// Any JSON document, nested a little.
fn document() -> BoxedStrategy<Sample> {
    small_json().prop_map(Sample::same).boxed()
}

/// Arbitrary JSON: scalars, arrays and objects, at most three levels deep.
fn small_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(string(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A JSON object key that may or may not be a member's name.
fn field_name() -> BoxedStrategy<String> {
    prop_oneof![
        proptest::sample::select(vec!["Unknown", "Extra", "Type", "message", "Payload", "x"]),
        proptest::sample::select(vec!["New", "Future", "Z", "_"]),
    ]
    .prop_flat_map(|prefix| (Just(prefix), 0u32..100).prop_map(|(p, n)| format!("{p}{n}")))
    .boxed()
}

/// The value of an unknown field: a scalar, or a small array or object of scalars.
fn unknown_json() -> BoxedStrategy<Value> {
    let scalar = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        string().prop_map(Value::String),
    ];
    prop_oneof![
        3 => scalar.clone(),
        1 => proptest::collection::vec(scalar.clone(), 0..3).prop_map(Value::Array),
        1 => proptest::collection::btree_map(field_name(), scalar, 0..3)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
    ]
    .boxed()
}

/// A string enum's value: a known one, or one the model does not know.
fn string_enum(e: &Enumeration) -> BoxedStrategy<Sample> {
    let known: Vec<String> = e
        .variants
        .iter()
        .map(|v| match &v.value {
            EnumValue::String(s) => s.clone(),
            EnumValue::Int(i) => i.to_string(),
        })
        .collect();
    let unknown_of = known.clone();
    let unknown = string().prop_filter("a value the model does not know", move |s| {
        !unknown_of.contains(s)
    });
    if known.is_empty() {
        return unknown.prop_map(|s| Sample::same(Value::String(s))).boxed();
    }
    prop_oneof![
        3 => proptest::sample::select(known),
        1 => unknown,
    ]
    .prop_map(|s| Sample::same(Value::String(s)))
    .boxed()
}

/// An int enum's value: a known one, or any other `i32`.
fn int_enum(e: &Enumeration) -> BoxedStrategy<Sample> {
    let known: Vec<i32> = e
        .variants
        .iter()
        .filter_map(|v| match v.value {
            EnumValue::Int(i) => Some(i),
            EnumValue::String(_) => None,
        })
        .collect();
    let unknown_of = known.clone();
    let unknown = any::<i32>().prop_filter("a value the model does not know", move |i| {
        !unknown_of.contains(i)
    });
    if known.is_empty() {
        return unknown.prop_map(|i| Sample::same(Value::from(i))).boxed();
    }
    prop_oneof![3 => proptest::sample::select(known), 1 => unknown]
        .prop_map(|i| Sample::same(Value::from(i)))
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

/// What kind of type a round-trip entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Structure,
    Enum,
    IntEnum,
    Union,
}

impl Kind {
    fn named(self) -> NamedKind {
        match self {
            Kind::Structure => NamedKind::Structure,
            Kind::Enum => NamedKind::Enum,
            Kind::IntEnum => NamedKind::IntEnum,
            Kind::Union => NamedKind::Union,
        }
    }
}

/// Type-specific extra checks, given the value read and the sample.
type Extra<T> = fn(&T, &Sample) -> Result<(), TestCaseError>;

/// Runs an entry's property with this many cases; `Err` says why it failed.
type Runner = Box<dyn Fn(&Model, u32) -> Result<(), String>>;

/// One generated type under test.
struct Entry {
    name: &'static str,
    kind: Kind,
    run: Runner,
}

impl Entry {
    fn new<T>(kind: Kind, extra: Extra<T>) -> Entry
    where
        T: Serialize + DeserializeOwned + PartialEq + Debug + 'static,
    {
        let name = std::any::type_name::<T>()
            .rsplit("::")
            .next()
            .unwrap_or_default();
        Entry {
            name,
            kind,
            run: Box::new(move |model, cases| {
                let strategy = Gen { model }.named(name, kind.named(), 0, kind == Kind::Union);
                let mut runner = TestRunner::new(Config {
                    cases,
                    failure_persistence: None,
                    ..Config::default()
                });
                runner
                    .run(&strategy, |sample| {
                        let value = round_trip::<T>(&sample)?;
                        extra(&value, &sample)
                    })
                    .map_err(|e| match e {
                        TestError::Fail(reason, sample) => format!(
                            "{reason}\n  input:     {}\n  canonical: {}",
                            sample.input,
                            sample
                                .canonical
                                .map_or("(refuses to serialize)".to_string(), |c| c.to_string())
                        ),
                        TestError::Abort(reason) => format!("aborted: {reason}"),
                    })
            }),
        }
    }
}

/// JSON → `T` (from a value and from text), `T` → JSON (the canonical form), JSON → `T` again.
fn round_trip<T>(sample: &Sample) -> Result<T, TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let value: T = serde_json::from_value(sample.input.clone())
        .map_err(|e| TestCaseError::fail(format!("JSON → T failed: {e}")))?;
    let text = sample.input.to_string();
    let from_text: T = serde_json::from_str(&text)
        .map_err(|e| TestCaseError::fail(format!("JSON text → T failed: {e}")))?;
    prop_assert_eq!(
        &from_text,
        &value,
        "reading the JSON text differs from reading the value"
    );
    let Some(canonical) = &sample.canonical else {
        prop_assert!(
            serde_json::to_value(&value).is_err(),
            "an unknown union member must refuse to serialize"
        );
        return Ok(value);
    };
    let written = serde_json::to_value(&value)
        .map_err(|e| TestCaseError::fail(format!("T → JSON failed: {e}")))?;
    prop_assert_eq!(&written, canonical, "T → JSON is not the canonical form");
    let again: T = serde_json::from_value(written)
        .map_err(|e| TestCaseError::fail(format!("canonical JSON → T failed: {e}")))?;
    prop_assert_eq!(&again, &value, "T → JSON → T changed the value");
    Ok(value)
}

/// No extra check.
fn nothing<T>(_: &T, _: &Sample) -> Result<(), TestCaseError> {
    Ok(())
}

/// The generated types with a JSON form, by kind. String enums must keep an unknown value as
/// `Unknown` (and only an unknown one); so must int enums; a union read from an unknown member is
/// `Unknown`.
macro_rules! entries {
    (
        structures: [$($s:ident),* $(,)?],
        enums: [$($e:ident),* $(,)?],
        int_enums: [$($i:ident),* $(,)?],
        unions: [$($u:ident),* $(,)?] $(,)?
    ) => {
        vec![
            $(Entry::new::<$s>(Kind::Structure, nothing::<$s>),)*
            $(Entry::new::<$e>(Kind::Enum, |value: &$e, sample| {
                let wire = sample.input.as_str().unwrap_or_default();
                prop_assert_eq!(
                    matches!(value, $e::Unknown(_)),
                    !$e::VALUES.contains(&wire),
                    "{:?} is Unknown exactly when the model does not know it", wire
                );
                prop_assert_eq!(value.as_str(), wire);
                Ok(())
            }),)*
            $(Entry::new::<$i>(Kind::IntEnum, |value: &$i, sample| {
                let wire = sample.input.as_i64().unwrap_or_default();
                prop_assert_eq!(
                    matches!(value, $i::Unknown(_)),
                    !$i::VALUES.iter().any(|v| i64::from(*v) == wire),
                    "{} is Unknown exactly when the model does not know it", wire
                );
                Ok(())
            }),)*
            $(Entry::new::<$u>(Kind::Union, |value: &$u, sample| {
                prop_assert_eq!(matches!(value, $u::Unknown), sample.canonical.is_none());
                Ok(())
            }),)*
        ]
    };
}

/// Every generated type with a JSON form. `the_round_trip_list_is_every_generated_type` keeps
/// this list equal to the IR's.
fn entries() -> Vec<Entry> {
    entries! {
        structures: [
            // Shared structures and errors (`types/`).
            CallbackDetails, CallbackFailedDetails, CallbackOptions, CallbackStartedDetails,
            CallbackSucceededDetails, CallbackTimedOutDetails, CallbackTimeoutException,
            ChainedInvokeDetails, ChainedInvokeFailedDetails, ChainedInvokeOptions,
            ChainedInvokeStartedDetails, ChainedInvokeStoppedDetails,
            ChainedInvokeSucceededDetails, ChainedInvokeTimedOutDetails,
            CheckpointUpdatedExecutionState, ContextDetails, ContextFailedDetails,
            ContextOptions, ContextStartedDetails, ContextSucceededDetails, DurableConfig,
            ErrorObject, Event, EventError, EventInput, EventPauseReason, EventResult,
            EventResumeReason, Execution, ExecutionDetails, ExecutionFailedDetails,
            ExecutionPausedDetails, ExecutionResumedDetails, ExecutionStartedDetails,
            ExecutionStoppedDetails, ExecutionSucceededDetails, ExecutionTimedOutDetails,
            InvalidParameterValueException, InvocationCompletedDetails,
            KmsAccessDeniedException, KmsDisabledException, KmsInvalidStateException,
            KmsNotFoundException, Operation, OperationUpdate, PauseDetails,
            ResourceConflictException, ResourceNotFoundException, RetryDetails,
            ServiceException, StepDetails, StepFailedDetails, StepOptions, StepStartedDetails,
            StepSucceededDetails, TooManyRequestsException, TraceHeader, WaitCancelledDetails,
            WaitDetails, WaitOptions, WaitStartedDetails, WaitSucceededDetails,
            // Each operation's request and response (`operation/*/`).
            CheckpointDurableExecutionRequest, CheckpointDurableExecutionResponse,
            DeleteDurableExecutionRequest, DeleteDurableExecutionResponse,
            GetDurableExecutionRequest, GetDurableExecutionResponse,
            GetDurableExecutionHistoryRequest, GetDurableExecutionHistoryResponse,
            GetDurableExecutionStateRequest, GetDurableExecutionStateResponse,
            ListDurableExecutionsByFunctionRequest, ListDurableExecutionsByFunctionResponse,
            PauseDurableExecutionRequest, PauseDurableExecutionResponse,
            ResumeDurableExecutionRequest, ResumeDurableExecutionResponse,
            SendDurableExecutionCallbackFailureRequest, SendDurableExecutionCallbackFailureResponse,
            SendDurableExecutionCallbackHeartbeatRequest,
            SendDurableExecutionCallbackHeartbeatResponse,
            SendDurableExecutionCallbackSuccessRequest, SendDurableExecutionCallbackSuccessResponse,
            StopDurableExecutionRequest, StopDurableExecutionResponse,
        ],
        enums: [
            EventType, ExecutionStatus, OperationAction, OperationStatus, OperationType,
            ThrottleReason,
        ],
        int_enums: [],
        unions: [],
    }
}

#[test]
fn the_round_trip_list_is_every_generated_type() {
    let model = Model::lambda();
    let listed: BTreeMap<String, Kind> = entries()
        .iter()
        .map(|e| (e.name.to_string(), e.kind))
        .collect();
    let expected = model.json_types();
    let missing: Vec<_> = expected
        .iter()
        .filter(|(n, k)| listed.get(*n) != Some(k))
        .collect();
    let extra: Vec<_> = listed
        .iter()
        .filter(|(n, k)| expected.get(*n) != Some(k))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "the round-trip list differs from the IR of model/lambda.json:\n  not listed (or under another kind): {missing:?}\n  listed but not in the IR: {extra:?}"
    );
    assert_eq!(entries().len(), expected.len(), "a type is listed twice");
}

#[test]
fn every_generated_type_round_trips_through_its_json_form() {
    let model = Model::lambda();
    let cases = cases();
    let entries = entries();
    let failures: Vec<String> = entries
        .iter()
        .filter_map(|e| {
            (e.run)(model, cases)
                .err()
                .map(|why| format!("{}: {why}", e.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} types do not round-trip:\n\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n\n")
    );
}

/// The generator itself, on a small model with what `model/lambda.json` lacks (unions with unit
/// members, maps, sparse lists, documents, recursion, floats, int enums, `date-time` and
/// `http-date` timestamps): every type gets samples, nesting stays bounded, a union sample has
/// exactly one member, and formatted timestamps are what the runtime writes.
#[test]
fn the_generator_covers_every_shape_kind() {
    let model = Model::from_json(SHAPES_MODEL);
    let generator = Gen { model: &model };
    let kinds = model.json_types();
    assert_eq!(kinds.values().filter(|k| **k == Kind::Union).count(), 1);
    assert_eq!(kinds.values().filter(|k| **k == Kind::IntEnum).count(), 1);
    let mut runner = TestRunner::new(Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    });
    let mut unknown_unions = 0;
    for (name, kind) in &kinds {
        let strategy = generator.named(name, kind.named(), 0, *kind == Kind::Union);
        for _ in 0..32 {
            let sample = strategy
                .new_tree(&mut runner)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .current();
            assert!(
                json_depth(&sample.input) <= 2 * MAX_DEPTH + 8,
                "{name}: {}",
                sample.input
            );
            match kind {
                Kind::Union => {
                    assert_eq!(
                        sample.input.as_object().map(Map::len),
                        Some(1),
                        "{}",
                        sample.input
                    );
                    unknown_unions += usize::from(sample.canonical.is_none());
                }
                _ => assert!(sample.canonical.is_some(), "{name}: {}", sample.input),
            }
        }
    }
    assert!(
        unknown_unions > 0,
        "the union's own samples include unknown members"
    );

    use lambda_sdk::primitives::{DateTime, DateTimeFormat};
    let formats = [
        (TimestampFormat::DateTime, DateTimeFormat::DateTime),
        (TimestampFormat::HttpDate, DateTimeFormat::HttpDate),
        (TimestampFormat::EpochSeconds, DateTimeFormat::EpochSeconds),
    ];
    let millis = (MIN_MILLIS..=MAX_MILLIS, 0i128..=86_400_000 * 800);
    for _ in 0..256 {
        let (ms, near_epoch) = millis.new_tree(&mut runner).expect("millis").current();
        for ms in [ms, near_epoch] {
            for (ours, theirs) in formats {
                let json = timestamp_json(ms, Some(ours));
                let text = match &json {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let parsed = DateTime::from_str(&text, theirs)
                    .unwrap_or_else(|e| panic!("{ms} ms as {ours:?}: {text}: {e}"));
                assert_eq!(parsed.to_millis(), ms as i64, "{text}");
                if ours != TimestampFormat::EpochSeconds {
                    assert_eq!(parsed.fmt(theirs), text, "{ms} ms as {ours:?}");
                }
            }
        }
    }
}

/// How deeply a JSON value nests.
fn json_depth(value: &Value) -> u32 {
    match value {
        Value::Array(items) => 1 + items.iter().map(json_depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(json_depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// A model with every shape kind the generator handles.
const SHAPES_MODEL: &str = r#"{"smithy": "2.0", "shapes": {
  "ex#Svc": {"type": "service", "version": "1", "operations": [{"target": "ex#Op"}],
             "traits": {"aws.protocols#restJson1": {}, "aws.auth#sigv4": {"name": "svc"}}},
  "ex#Op": {"type": "operation", "input": {"target": "ex#OpInput"}, "output": {"target": "ex#OpOutput"},
            "traits": {"smithy.api#http": {"method": "POST", "uri": "/op"}}},
  "ex#OpInput": {"type": "structure", "traits": {"smithy.api#input": {}}, "members": {
    "Node": {"target": "ex#Node"},
    "Count": {"target": "smithy.api#Integer", "traits": {"smithy.api#default": 0}}}},
  "ex#OpOutput": {"type": "structure", "traits": {"smithy.api#output": {}}, "members": {
    "Choice": {"target": "ex#Choice", "traits": {"smithy.api#required": {}}},
    "Node": {"target": "ex#Node"},
    "Tags": {"target": "ex#Tags"},
    "Holes": {"target": "ex#Holes"},
    "Doc": {"target": "smithy.api#Document"},
    "Ratio": {"target": "smithy.api#Float"},
    "Big": {"target": "smithy.api#Double"},
    "Level": {"target": "ex#Level"},
    "Data": {"target": "smithy.api#Blob"},
    "When": {"target": "smithy.api#Timestamp", "traits": {"smithy.api#timestampFormat": "date-time"}},
    "Modified": {"target": "smithy.api#Timestamp", "traits": {"smithy.api#timestampFormat": "http-date"}},
    "Size": {"target": "smithy.api#Long", "traits": {"smithy.api#default": 7}}}},
  "ex#Node": {"type": "structure", "members": {
    "Name": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}}},
    "Next": {"target": "ex#Node"},
    "Children": {"target": "ex#Nodes"}}},
  "ex#Nodes": {"type": "list", "member": {"target": "ex#Node"}},
  "ex#Choice": {"type": "union", "members": {
    "Nothing": {"target": "smithy.api#Unit"},
    "Text": {"target": "smithy.api#String"},
    "Node": {"target": "ex#Node"}}},
  "ex#Tags": {"type": "map", "key": {"target": "smithy.api#String"}, "value": {"target": "smithy.api#Integer"}},
  "ex#Holes": {"type": "list", "member": {"target": "smithy.api#String"}, "traits": {"smithy.api#sparse": {}}},
  "ex#Level": {"type": "intEnum", "members": {
    "LOW": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": 1}},
    "HIGH": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": 9}}}}
}}"#;
