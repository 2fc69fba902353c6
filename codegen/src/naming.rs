//! Every Rust name the generator uses is made here, and only here.
//!
//! The rules: types and variants are UpperCamelCase, fields, methods and modules snake_case,
//! both by heck. Rust keywords become raw identifiers (`r#type`), except the ones that cannot
//! be raw (`self`, `super`, `crate`, `Self`), which gain a suffix. AWS acronyms that heck would
//! split oddly (`IPv6` → `i_pv6`) are fixed before heck sees them.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords in every edition up to 2024, plus reserved words.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that `r#` cannot escape.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Whether `word` is a Rust keyword or reserved word.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// Acronyms that heck splits at the wrong place, rewritten to a single capitalised word.
/// Applied only at word starts, so `IPv6Address` → `Ipv6Address` → `ipv6_address`.
const ACRONYMS: &[(&str, &str)] = &[
    ("IPv4", "Ipv4"),
    ("IPv6", "Ipv6"),
    ("GiB", "Gib"),
    ("MiB", "Mib"),
    ("VCpu", "Vcpu"),
];

fn fix_acronyms(name: &str) -> String {
    let mut out = name.to_string();
    for (from, to) in ACRONYMS {
        out = out.replace(from, to);
    }
    out
}

/// The Rust type name for a shape name: `KMSAccessDeniedException` → `KmsAccessDeniedException`.
pub fn type_name(shape_name: &str) -> String {
    let name = fix_acronyms(shape_name).to_upper_camel_case();
    if name == "Self" {
        "SelfValue".into()
    } else if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Shape{name}")
    } else {
        name
    }
}

/// A snake_case name, escaped if it is a keyword: `r#type`, or `self_` where `r#` cannot work.
pub fn snake_ident(name: &str) -> String {
    let snake = fix_acronyms(name).to_snake_case();
    escape(snake)
}

/// The snake_case form without keyword escaping, for building compound names (`set_type`).
pub fn snake_bare(name: &str) -> String {
    fix_acronyms(name).to_snake_case()
}

fn escape(snake: String) -> String {
    if snake.is_empty() || snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{snake}")
    } else if NOT_RAW.contains(&snake.as_str()) {
        format!("{snake}_")
    } else if is_keyword(&snake) {
        format!("r#{snake}")
    } else {
        snake
    }
}

/// A module (and file) name: snake_case, with a `_` suffix instead of `r#` for keywords, so the
/// file name and the module name are the same text.
pub fn module_name(rust_type_name: &str) -> String {
    let snake = rust_type_name.to_snake_case();
    if is_keyword(&snake) || NOT_RAW.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    }
}

/// A field name for a structure member.
pub fn field_name(member: &str) -> String {
    snake_ident(member)
}

/// The builder's chaining method for a member. `build` is taken by the builder itself, and
/// `default` would shadow `Default::default` on the builder.
pub fn setter_name(member: &str) -> String {
    let ident = snake_ident(member);
    if ident == "build" || ident == "default" {
        format!("{ident}_value")
    } else {
        ident
    }
}

/// The builder's `Option`-taking method for a member.
pub fn option_setter_name(member: &str) -> String {
    format!("set_{}", snake_bare(member))
}

/// A variant name for an enum or union member. `Unknown` is reserved for values the model
/// does not know.
pub fn variant_name(member: &str) -> String {
    let name = type_name(member);
    if name == "Unknown" {
        "UnknownValue".into()
    } else {
        name
    }
}

/// The `{Op}Request` type name.
pub fn request_name(operation: &str) -> String {
    format!("{}Request", type_name(operation))
}

/// The `{Op}Response` type name.
pub fn response_name(operation: &str) -> String {
    format!("{}Response", type_name(operation))
}

/// The `{Op}Error` type name.
pub fn operation_error_name(operation: &str) -> String {
    format!("{}Error", type_name(operation))
}

/// A builder's type name.
pub fn builder_name(rust_type_name: &str) -> String {
    format!("{rust_type_name}Builder")
}

/// Client methods that generated operation methods must not take.
const CLIENT_RESERVED: &[&str] = &["new", "from_env", "config", "clone", "with_config"];

/// The client method for an operation: `GetDurableExecutionState` → `get_durable_execution_state`.
pub fn operation_method(operation: &str) -> String {
    let ident = snake_ident(operation);
    if CLIENT_RESERVED.contains(&ident.as_str()) {
        format!("{ident}_operation")
    } else {
        ident
    }
}

/// The `{Op}Error` method testing for a variant: `ServiceException` → `is_service_exception`.
pub fn is_variant_method(variant: &str) -> String {
    format!("is_{}", snake_bare(variant))
}

/// The paginator type of a paginated operation.
pub fn paginator_name(operation: &str) -> String {
    format!("{}Paginator", type_name(operation))
}

/// The type that describes how an operation pages (the paginator's type parameter).
pub fn pages_name(operation: &str) -> String {
    format!("{}Pages", type_name(operation))
}

/// The names the generated `testing` module re-exports from the runtime; a marker type must
/// not take one of them.
pub const TESTING_REEXPORTS: [&str; 5] = [
    "Mock",
    "MockError",
    "MockOperation",
    "Rule",
    "MOCK_REQUEST_ID",
];

/// The marker type of an operation in the generated `testing` module: the operation's type
/// name, or with `Operation` appended when that is a name the module re-exports.
pub fn mock_operation_name(operation: &str) -> String {
    let name = type_name(operation);
    if TESTING_REEXPORTS.contains(&name.as_str()) {
        format!("{name}Operation")
    } else {
        name
    }
}

/// The client method returning an operation's paginator.
pub fn paginator_method(operation: &str) -> String {
    format!("{}_pages", snake_bare(operation))
}

/// The field of an operation response that carries the response metadata, avoiding the
/// model's own member names.
pub fn metadata_field(taken: &[&str]) -> String {
    [
        "response_metadata",
        "sdk_response_metadata",
        "lambda_sdk_response_metadata",
    ]
    .into_iter()
    .find(|name| !taken.contains(name))
    .unwrap_or("lambda_sdk_response_metadata_")
    .to_string()
}

/// The cargo feature of an operation: `GetDurableExecutionState` → `get-durable-execution-state`.
pub fn operation_feature(operation: &str) -> String {
    heck::ToKebabCase::to_kebab_case(fix_acronyms(operation).as_str())
}

/// The module of an operation under `operation/`.
pub fn operation_module(operation: &str) -> String {
    module_name(&type_name(operation))
}

/// The private function that gives a member's `@default` (`default_<field>`).
pub fn default_fn(field: &str) -> String {
    format!("default_{}", field.trim_start_matches("r#"))
}

/// The private function that serializes a member, or its default when unset
/// (`serialize_<field>_or_default`).
pub fn serialize_or_default_fn(field: &str) -> String {
    format!("serialize_{}_or_default", field.trim_start_matches("r#"))
}

/// The Rust static of an AWS partition in the runtime's `partitions.rs`: its id in
/// SCREAMING_SNAKE_CASE (`aws-iso-b` → `AWS_ISO_B`).
pub fn partition_static(id: &str) -> String {
    id.to_ascii_uppercase().replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_names() {
        assert_eq!(
            type_name("KMSAccessDeniedException"),
            "KmsAccessDeniedException"
        );
        assert_eq!(type_name("Self"), "SelfValue");
        assert_eq!(field_name("KMSKeyArn"), "kms_key_arn");
        assert_eq!(field_name("XAmznTraceId"), "x_amzn_trace_id");
        assert_eq!(
            field_name("IPv6AllowedForDualStack"),
            "ipv6_allowed_for_dual_stack"
        );
        assert_eq!(field_name("Type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(setter_name("Build"), "build_value");
        assert_eq!(option_setter_name("Type"), "set_type");
        assert_eq!(variant_name("TIMED_OUT"), "TimedOut");
        assert_eq!(variant_name("CHAINED_INVOKE"), "ChainedInvoke");
        assert_eq!(variant_name("UNKNOWN"), "UnknownValue");
        assert_eq!(module_name("Type"), "type_");
        assert_eq!(
            operation_method("GetDurableExecutionState"),
            "get_durable_execution_state"
        );
        assert_eq!(
            request_name("GetDurableExecutionState"),
            "GetDurableExecutionStateRequest"
        );
    }
}
