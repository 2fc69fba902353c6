//! Stage 2: the Rust-ready intermediate representation.
//!
//! Every Rust name (type, module, field, setter, variant, method) is decided while lowering
//! the model into these types, by [`crate::naming`], and never again. Emitters read names from
//! here; they never call heck and never look at raw Smithy traits.

use serde_json::Value;

/// Everything one generated crate contains.
#[derive(Clone, Debug)]
pub struct Crate {
    /// The service the crate talks to.
    pub service: Service,
    /// The operations, sorted by Smithy name.
    pub operations: Vec<Operation>,
    /// Shared shapes (structures, errors, enums, unions), sorted by Rust name.
    pub types: Vec<TypeDef>,
}

/// The service shape's facts.
#[derive(Clone, Debug)]
pub struct Service {
    /// Absolute shape id.
    pub shape_id: String,
    /// `aws.api#service` `sdkId`, else the shape name.
    pub sdk_id: String,
    /// The API version.
    pub version: String,
    /// The SigV4 signing name (`aws.auth#sigv4`); lowering refuses a service without one.
    pub signing_name: String,
    /// `aws.api#service` `endpointPrefix`, if present.
    pub endpoint_prefix: Option<String>,
    /// Rustdoc text.
    pub docs: String,
    /// The model's `smithy.rules#endpointRuleSet`, lowered for compilation.
    pub endpoint_rules: Option<crate::endpoint_rules::Rules>,
}

/// One operation, with its own request, response and error types.
#[derive(Clone, Debug)]
pub struct Operation {
    /// Absolute shape id.
    pub shape_id: String,
    /// The Smithy name, e.g. `GetDurableExecutionState`.
    pub name: String,
    /// Module (and file) name under `operation/`.
    pub module: String,
    /// Client method name.
    pub method: String,
    /// The cargo feature that enables the operation, e.g. `get-durable-execution-state`.
    pub feature: String,
    /// Rustdoc text.
    pub docs: String,
    /// HTTP binding.
    pub http: Http,
    /// `{Op}Request`.
    pub input: Structure,
    /// `{Op}Response`.
    pub output: Structure,
    /// The operation's modeled errors (operation errors, then service errors), sorted.
    pub errors: Vec<ErrorRef>,
    /// `{Op}Error`.
    pub error_name: String,
    /// The operation's marker type in the generated `testing` module.
    pub mock_name: String,
    /// `@readonly`.
    pub readonly: bool,
    /// `@idempotent`.
    pub idempotent: bool,
    /// `@paginated`, merged with the service's defaults.
    pub paginated: Option<Paginated>,
    /// `@deprecated`.
    pub deprecated: bool,
    /// `@endpoint(hostPrefix: …)`, split into literal text and `@hostLabel` member fields.
    pub host_prefix: Vec<HostPrefixPart>,
    /// `@httpChecksumRequired`: send `Content-MD5`.
    pub checksum_required: bool,
}

/// A piece of an operation's host prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostPrefixPart {
    /// Literal text, e.g. `foo.`.
    Literal(String),
    /// The value of a `@hostLabel` input member: (model name, Rust field).
    Label(String, String),
}

/// An error an operation can return.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ErrorRef {
    /// The error shape's Smithy name: the wire error code.
    pub code: String,
    /// The error structure's Rust name (in `types`), also the variant name.
    pub rust_name: String,
    /// The `{Op}Error` method that tests for this variant, e.g. `is_service_exception`.
    pub is_method: String,
    /// The first line of the error structure's documentation (the variant's doc).
    pub summary: String,
}

/// `@http`.
#[derive(Clone, Debug)]
pub struct Http {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path pattern, split into segments.
    pub path: Vec<PathSegment>,
    /// Literal query parameters from the URI pattern (`?find=LayerVersion`).
    pub query_literals: Vec<(String, String)>,
    /// Success status code.
    pub code: u16,
}

/// One `/`-separated segment of a URI pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSegment {
    /// Literal text.
    Literal(String),
    /// `{Label}` or `{Label+}`: the @required input member bound to it.
    Label {
        /// Member name in the model.
        member: String,
        /// The member's Rust field.
        field: String,
        /// The member's value.
        value: Scalar,
        /// `+`: may contain `/`.
        greedy: bool,
    },
}

/// Pagination facts, names already resolved to Rust field paths.
#[derive(Clone, Debug)]
pub struct Paginated {
    /// Input field carrying the token (an optional string member).
    pub input_token: String,
    /// Output field path to the next token.
    pub output_token: Vec<PathStep>,
    /// Output field path to the items.
    pub items: Vec<PathStep>,
    /// Input field for the page size.
    pub page_size: Option<String>,
    /// The element type of the items list, when `items` names a list.
    pub item_type: Option<ItemType>,
    /// The paginator type's name.
    pub paginator_name: String,
    /// The name of the type that implements the runtime's `Pages` for the operation.
    pub pages_name: String,
    /// The client method that returns the paginator.
    pub method: String,
}

/// The type of one item of a paginated list.
#[derive(Clone, Debug)]
pub struct ItemType {
    /// The list's element type.
    pub ty: Type,
    /// The list is `@sparse`: each item is an `Option`.
    pub optional: bool,
}

/// One field along a path through nested output structures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathStep {
    /// The Rust field name.
    pub field: String,
    /// The field is an `Option`.
    pub optional: bool,
}

/// A shared shape that becomes a Rust type in `types`.
#[derive(Clone, Debug)]
pub enum TypeDef {
    /// A structure (including errors).
    Structure(Structure),
    /// A string or int enum.
    Enum(Enumeration),
    /// A tagged union.
    Union(Union),
}

impl TypeDef {
    /// The Rust type name.
    pub fn rust_name(&self) -> &str {
        match self {
            TypeDef::Structure(s) => &s.rust_name,
            TypeDef::Enum(e) => &e.rust_name,
            TypeDef::Union(u) => &u.rust_name,
        }
    }

    /// The module (file) name under `types/`.
    pub fn module(&self) -> &str {
        match self {
            TypeDef::Structure(s) => &s.module,
            TypeDef::Enum(e) => &e.module,
            TypeDef::Union(u) => &u.module,
        }
    }

    /// The cargo features of the operations that use the type, sorted.
    pub fn features(&self) -> &[String] {
        match self {
            TypeDef::Structure(s) => &s.features,
            TypeDef::Enum(e) => &e.features,
            TypeDef::Union(u) => &u.features,
        }
    }

    /// Sets [`features`](Self::features).
    pub(crate) fn set_features(&mut self, features: Vec<String>) {
        match self {
            TypeDef::Structure(s) => s.features = features,
            TypeDef::Enum(e) => e.features = features,
            TypeDef::Union(u) => u.features = features,
        }
    }
}

/// What a structure is for; it decides the defaulting rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// An operation's `{Op}Request`: unset members are never sent.
    Input,
    /// An operation's `{Op}Response`.
    Output,
    /// A structure nested in others: unset members with a `@default` are sent with it.
    Nested,
    /// A modeled error.
    Error(ErrorInfo),
}

/// `@error` and `@httpError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorInfo {
    /// The wire error code: the shape's name, e.g. `ResourceNotFoundException`.
    pub code: String,
    /// `true` for `@error("server")`.
    pub server_fault: bool,
    /// `@httpError`.
    pub http_status: Option<u16>,
    /// `@retryable`.
    pub retryable: bool,
    /// `@retryable(throttling: true)`.
    pub throttling: bool,
    /// The member holding the error message (a `message` or `Message` string member), if any.
    pub message: Option<MessageField>,
}

/// The member of an error structure that holds its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageField {
    /// The Rust field.
    pub field: String,
    /// `@required`: a `String`, not an `Option<String>`.
    pub required: bool,
}

/// A structure.
#[derive(Clone, Debug)]
pub struct Structure {
    /// The shape id it came from (`smithy.api#Unit` for empty inputs and outputs).
    pub shape_id: String,
    /// Rust type name.
    pub rust_name: String,
    /// Its builder's type name.
    pub builder_name: String,
    /// Module (file) name.
    pub module: String,
    /// Rustdoc text.
    pub docs: String,
    /// Members in model order.
    pub members: Vec<Member>,
    /// What the structure is for.
    pub role: Role,
    /// `@sensitive` on the shape: Debug redacts every field.
    pub sensitive: bool,
    /// `@deprecated`.
    pub deprecated: bool,
    /// For operation responses: the field that carries the response's request id and status.
    pub metadata_field: Option<String>,
    /// For a shared type: the cargo features of the operations that use it, sorted (empty for
    /// an operation's own request and response).
    pub features: Vec<String>,
}

/// A member of a structure.
#[derive(Clone, Debug)]
pub struct Member {
    /// The member name in the model.
    pub name: String,
    /// The key in JSON bodies (`@jsonName`, else the member name).
    pub json_name: String,
    /// Rust field name (may be a raw identifier such as `r#type`).
    pub field: String,
    /// Builder method taking the value (may be a raw identifier).
    pub setter: String,
    /// Builder method taking an `Option` (`set_…`).
    pub option_setter: String,
    /// Rustdoc text.
    pub docs: String,
    /// The value type (without the `Option` of optional members).
    pub ty: Type,
    /// `@required`: a plain field, not an `Option`.
    pub required: bool,
    /// `@default`, when not cancelled by `null`.
    pub default: Option<DefaultValue>,
    /// The private function giving the `@default` (for serde and builders), when there is one.
    pub default_fn: String,
    /// The private function serializing the member, or its default when unset.
    pub serialize_or_default_fn: String,
    /// Where the member travels in an HTTP message.
    pub binding: Binding,
    /// `@sensitive` on the member or its target: Debug redacts it.
    pub sensitive: bool,
    /// `@idempotencyToken`.
    pub idempotency_token: bool,
    /// The value is boxed because the shape is recursive.
    pub boxed: bool,
    /// `@timestampFormat` on the member or its target (timestamps and collections of them).
    pub timestamp_format: Option<TimestampFormat>,
    /// `@deprecated`.
    pub deprecated: bool,
    /// The member targets a `@streaming` union: an event stream, read as it arrives.
    pub event_stream: bool,
    /// In an event structure: `@eventPayload` or `@eventHeader`.
    pub event_binding: Option<EventBinding>,
}

/// Where a member of an event structure travels in an event-stream message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventBinding {
    /// `@eventPayload`: the message payload.
    Payload,
    /// `@eventHeader`: a message header named like the member.
    Header,
}

/// Where a member is bound in an HTTP request or response.
///
/// Lowering checks each binding against the member's type, so every binding here can be
/// written and read: an emitter never meets a type it cannot bind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    /// A key in the JSON document body.
    Body,
    /// `@httpLabel`.
    Label(Scalar),
    /// `@httpQuery("key")`.
    Query {
        /// The query key.
        key: String,
        /// The value, or each item of a list.
        value: Scalar,
        /// The member is a list: one parameter per item.
        list: bool,
    },
    /// `@httpQueryParams`, on a map of strings (`lists: false`) or of string lists.
    QueryParams {
        /// The map's values are lists of strings.
        lists: bool,
    },
    /// `@httpHeader("name")`.
    Header {
        /// The header name.
        name: String,
        /// The value, or each item of a list.
        value: Scalar,
        /// The member is a list: one comma-separated header.
        list: bool,
    },
    /// `@httpPrefixHeaders("prefix")`.
    PrefixHeaders(String),
    /// `@httpPayload`, with its `@mediaType`.
    Payload {
        /// What the payload is.
        kind: PayloadKind,
        /// `@mediaType` of the target.
        media_type: Option<String>,
    },
    /// `@httpResponseCode`.
    ResponseCode,
}

/// A value that travels as text in a path label, query parameter or header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scalar {
    /// A string; in a header, base64-encoded when it has a `@mediaType`.
    String {
        /// The target string has a `@mediaType`.
        media_type: bool,
    },
    /// `bool`.
    Bool,
    /// A number type.
    Number(Number),
    /// A timestamp, in the member's `@timestampFormat` or else the binding's default
    /// (`date-time` in labels and queries, `http-date` in headers).
    Timestamp(TimestampFormat),
    /// Bytes, base64-encoded.
    Blob,
    /// A string enum, by its Rust name.
    Enum(String),
    /// An int enum, by its Rust name.
    IntEnum(String),
}

/// The number types a [`Scalar`] can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Number {
    /// `i8`.
    Byte,
    /// `i16`.
    Short,
    /// `i32`.
    Integer,
    /// `i64`.
    Long,
    /// `f32`.
    Float,
    /// `f64`.
    Double,
}

/// What an `@httpPayload` member is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadKind {
    /// Bytes, sent as they are.
    Blob,
    /// Text.
    String,
    /// A string enum's value as text.
    Enum,
    /// A structure as a JSON document.
    Structure,
    /// A union as a JSON document, or an event stream (`Member::event_stream`).
    Union,
    /// A document as JSON.
    Document,
}

/// A Smithy `@timestampFormat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampFormat {
    /// `date-time` (RFC 3339).
    DateTime,
    /// `http-date` (IMF-fixdate).
    HttpDate,
    /// `epoch-seconds`.
    EpochSeconds,
}

/// A value type.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i8`.
    Byte,
    /// `i16`.
    Short,
    /// `i32`.
    Integer,
    /// `i64`.
    Long,
    /// `f32`.
    Float,
    /// `f64`.
    Double,
    /// The runtime's bytes type.
    Blob,
    /// The runtime's date-time type.
    Timestamp,
    /// `serde_json::Value`.
    Document,
    /// A shared shape in `types`.
    Named {
        /// Its Rust name.
        rust_name: String,
        /// What kind of type it is.
        kind: NamedKind,
    },
    /// `Vec<T>` (`Vec<Option<T>>` when sparse).
    List {
        /// Element type.
        element: Box<Type>,
        /// `@sparse`.
        sparse: bool,
    },
    /// `HashMap<String, T>` (`HashMap<String, Option<T>>` when sparse).
    Map {
        /// Value type.
        value: Box<Type>,
        /// `@sparse`.
        sparse: bool,
    },
}

/// The kind of a [`Type::Named`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedKind {
    /// A structure.
    Structure,
    /// A string enum.
    Enum,
    /// An int enum.
    IntEnum,
    /// A union.
    Union,
}

/// A member's `@default` value, typed.
#[derive(Clone, Debug, PartialEq)]
pub enum DefaultValue {
    /// Boolean.
    Bool(bool),
    /// Any integer type.
    Integer(i64),
    /// Any float type.
    Float(f64),
    /// A string.
    String(String),
    /// A string enum's variant, by its Rust name.
    EnumVariant(String),
    /// An int enum's value.
    IntEnumValue(i32),
    /// A base64 blob (decoded bytes).
    Blob(Vec<u8>),
    /// A timestamp in epoch seconds (`seconds`, `nanos`).
    Timestamp(i64, u32),
    /// An empty list.
    EmptyList,
    /// An empty map.
    EmptyMap,
    /// A document value.
    Document(Value),
}

/// A string or int enum.
#[derive(Clone, Debug)]
pub struct Enumeration {
    /// Absolute shape id.
    pub shape_id: String,
    /// Rust type name.
    pub rust_name: String,
    /// Module (file) name.
    pub module: String,
    /// Rustdoc text.
    pub docs: String,
    /// `intEnum`.
    pub int: bool,
    /// Known values in model order.
    pub variants: Vec<EnumVariant>,
    /// `@sensitive`.
    pub sensitive: bool,
    /// For a shared type: the cargo features of the operations that use it, sorted (empty for
    /// an operation's own request and response).
    pub features: Vec<String>,
}

/// One known enum value.
#[derive(Clone, Debug)]
pub struct EnumVariant {
    /// Rust variant name.
    pub ident: String,
    /// The wire value (a string, or an integer for int enums).
    pub value: EnumValue,
    /// Rustdoc text.
    pub docs: String,
    /// `@deprecated`.
    pub deprecated: bool,
}

/// An enum's wire value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnumValue {
    /// A string enum value.
    String(String),
    /// An int enum value.
    Int(i32),
}

/// A tagged union.
#[derive(Clone, Debug)]
pub struct Union {
    /// Absolute shape id.
    pub shape_id: String,
    /// Rust type name.
    pub rust_name: String,
    /// Module (file) name.
    pub module: String,
    /// Rustdoc text.
    pub docs: String,
    /// Known members in model order.
    pub variants: Vec<UnionVariant>,
    /// `@streaming`: an event stream.
    pub event_stream: bool,
    /// `@sensitive`.
    pub sensitive: bool,
    /// For a shared type: the cargo features of the operations that use it, sorted (empty for
    /// an operation's own request and response).
    pub features: Vec<String>,
}

/// One union member.
#[derive(Clone, Debug)]
pub struct UnionVariant {
    /// Member name in the model.
    pub name: String,
    /// The key in JSON (`@jsonName`, else the member name).
    pub json_name: String,
    /// Rust variant name.
    pub ident: String,
    /// Rustdoc text.
    pub docs: String,
    /// The value type; `None` for a `smithy.api#Unit` member.
    pub ty: Option<Type>,
    /// Boxed because the shape is recursive.
    pub boxed: bool,
    /// `@sensitive` on the member or its target.
    pub sensitive: bool,
    /// For a member of an event-stream union: how its event is read from a message.
    pub event: Option<Event>,
}

/// How one event of an event-stream union is read from a message: the event structure's
/// JSON members from the payload, then its bound members.
#[derive(Clone, Debug)]
pub struct Event {
    /// Some members are not bound, so a non-empty payload is the structure's JSON.
    pub json_payload: bool,
    /// The `@eventPayload` and `@eventHeader` members, in model order.
    pub bound: Vec<EventMember>,
}

/// A member of an event structure bound to part of the message.
#[derive(Clone, Debug)]
pub struct EventMember {
    /// The Rust field.
    pub field: String,
    /// `@required`: a plain field.
    pub required: bool,
    /// Where it is read from.
    pub source: EventSource,
}

/// The part of an event-stream message an event member is read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventSource {
    /// `@eventPayload` on a blob: the payload bytes.
    PayloadBlob,
    /// `@eventPayload` on a string: the payload as UTF-8 text.
    PayloadString,
    /// `@eventPayload` on a structure or union: the payload as JSON.
    PayloadJson,
    /// `@eventHeader` on a string: the message header named like the member.
    Header(String),
}
