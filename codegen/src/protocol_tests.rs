//! Rust tests from Smithy protocol test traits (`smithy.test#httpRequestTests`,
//! `smithy.test#httpResponseTests`): one `#[tokio::test]` per client case, in one test binary
//! (`tests/protocol/main.rs` plus a module per operation).
//!
//! A request case builds the operation's input from the case's `params` and checks what the
//! client sends; a response case feeds the case's status, headers and body to the client and
//! checks the parsed output or error against `params`. The assertions themselves live in the
//! hand-written `protocol-test-support` crate; the generated tests only call it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::ir::{self, Binding, NamedKind, Operation, Structure, Type, TypeDef};
use crate::render::{header, render};
use crate::smithy::{Model, ShapeId};
use crate::{Error, Files, Options};

/// Which cases to generate and which to mark ignored.
#[derive(Clone, Debug, Default)]
pub struct TestOptions {
    /// `request:ID` or `response:ID` → the reason it is skipped.
    pub skip: BTreeMap<String, String>,
}

/// How many cases were generated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Request cases that apply to clients.
    pub requests: usize,
    /// Response cases that apply to clients.
    pub responses: usize,
    /// Of those, cases marked skipped.
    pub skipped: usize,
    /// Skip entries that match no case (a stale skip list).
    pub unknown_skips: Vec<String>,
}

/// Generates the test files (paths relative to the crate root).
pub fn generate_tests(
    model: &Model,
    options: &Options,
    tests: &TestOptions,
) -> Result<(Files, Summary), Error> {
    let krate = crate::lower::lower(model, options)?;
    let header = header(&options.source_name);
    let crate_ident = options.crate_name.replace('-', "_");
    let types: BTreeMap<&str, &TypeDef> = krate.types.iter().map(|t| (t.rust_name(), t)).collect();
    let ctx = Ctx {
        types: &types,
        krate: proc_macro2::Ident::new(&crate_ident, proc_macro2::Span::call_site()),
    };
    let mut summary = Summary::default();
    let mut used = std::collections::BTreeSet::new();
    let mut modules: BTreeMap<String, Vec<TokenStream>> = BTreeMap::new();

    for op in &krate.operations {
        let shape = shape_of(model, &op.shape_id)?;
        for case in cases(&shape.traits, "smithy.test#httpRequestTests") {
            let id = format!("request:{}", case_id(&op.shape_id, case)?);
            summary.requests += 1;
            let skip = tests.skip.get(&id);
            used.insert(id.clone());
            summary.skipped += usize::from(skip.is_some());
            let test = request_test(&ctx, op, case, skip).map_err(|e| in_case(&id, e))?;
            modules.entry(op.module.clone()).or_default().push(test);
        }
        for case in cases(&shape.traits, "smithy.test#httpResponseTests") {
            let id = format!("response:{}", case_id(&op.shape_id, case)?);
            summary.responses += 1;
            let skip = tests.skip.get(&id);
            used.insert(id.clone());
            summary.skipped += usize::from(skip.is_some());
            let test = response_test(&ctx, op, case, skip).map_err(|e| in_case(&id, e))?;
            modules.entry(op.module.clone()).or_default().push(test);
        }
    }
    // Error shapes carry response cases too: each runs through the first operation (by name)
    // that lists the error.
    for def in &krate.types {
        let TypeDef::Structure(err) = def else {
            continue;
        };
        if !matches!(err.role, ir::Role::Error(_)) {
            continue;
        }
        let shape = shape_of(model, &err.shape_id)?;
        let error_cases = cases(&shape.traits, "smithy.test#httpResponseTests");
        if error_cases.is_empty() {
            continue;
        }
        let op = krate
            .operations
            .iter()
            .find(|op| op.errors.iter().any(|e| e.rust_name == err.rust_name))
            .ok_or_else(|| {
                Error::shape(
                    &err.shape_id,
                    "has response tests but no operation returns it",
                )
            })?;
        for case in error_cases {
            let id = format!("response:{}", case_id(&err.shape_id, case)?);
            summary.responses += 1;
            let skip = tests.skip.get(&id);
            used.insert(id.clone());
            summary.skipped += usize::from(skip.is_some());
            let test = error_test(&ctx, op, err, case, skip).map_err(|e| in_case(&id, e))?;
            modules.entry(op.module.clone()).or_default().push(test);
        }
    }
    summary.unknown_skips = tests
        .skip
        .keys()
        .filter(|k| !used.contains(*k))
        .cloned()
        .collect();

    let mut files = Files::new();
    let mods: Vec<_> = modules
        .keys()
        .map(|m| proc_macro2::Ident::new(m, proc_macro2::Span::call_site()))
        .collect();
    let main = quote! {
        //! Smithy protocol compliance tests, one module per operation.
        #![allow(clippy::all, unused_imports)]
        #(mod #mods;)*
    };
    files.insert(
        PathBuf::from("tests/protocol/main.rs"),
        render("tests/protocol/main.rs", &header, main)?,
    );
    for (module, tests) in modules {
        let path = format!("tests/protocol/{module}.rs");
        let tokens = quote! {
            #![allow(clippy::all, deprecated)]
            #(#tests)*
        };
        files.insert(PathBuf::from(&path), render(&path, &header, tokens)?);
    }
    Ok((files, summary))
}

fn in_case(id: &str, e: Error) -> Error {
    Error::model(format!("protocol test {id}: {e}"))
}

fn shape_of<'m>(model: &'m Model, id: &str) -> Result<&'m crate::smithy::Shape, Error> {
    model
        .shape(&ShapeId::new(id))
        .ok_or_else(|| Error::shape(id, "is in the IR but not in the model"))
}

/// The client cases of a test trait.
fn cases<'a>(traits: &'a crate::smithy::Traits, name: &str) -> Vec<&'a Value> {
    traits
        .get(name)
        .and_then(Value::as_array)
        .map(|all| {
            all.iter()
                .filter(|c| {
                    matches!(
                        c.get("appliesTo").and_then(Value::as_str),
                        None | Some("client")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn case_id(owner: &str, case: &Value) -> Result<String, Error> {
    case.get("id")
        .and_then(Value::as_str)
        .map(String::from)
        .ok_or_else(|| Error::shape(owner, "a protocol test case has no id"))
}

fn test_fn_name(prefix: &str, case: &Value) -> proc_macro2::Ident {
    let id = case.get("id").and_then(Value::as_str).unwrap_or("unnamed");
    proc_macro2::Ident::new(
        &format!("{prefix}_{}", crate::naming::snake_bare(id)),
        proc_macro2::Span::call_site(),
    )
}

fn ignore_attr(skip: Option<&String>) -> TokenStream {
    match skip {
        Some(reason) => quote!(#[ignore = #reason]),
        None => quote!(),
    }
}

fn str_list(case: &Value, key: &str) -> Vec<String> {
    case.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn header_pairs(case: &Value) -> Vec<(String, String)> {
    case.get("headers")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn request_test(
    ctx: &Ctx<'_>,
    op: &Operation,
    case: &Value,
    skip: Option<&String>,
) -> Result<TokenStream, Error> {
    let name = test_fn_name("request", case);
    let ignore = ignore_attr(skip);
    let params = case
        .get("params")
        .cloned()
        .unwrap_or(Value::Object(Default::default()));
    let input = ctx.structure_expr(&op.input, &params, &quote!(types))?;
    let method_name = proc_macro2::Ident::new(&op.method, proc_macro2::Span::call_site());
    let method = case.get("method").and_then(Value::as_str).unwrap_or("");
    let uri = case.get("uri").and_then(Value::as_str).unwrap_or("");
    let host = case
        .get("host")
        .and_then(Value::as_str)
        .unwrap_or("example.com");
    let resolved_host = match case.get("resolvedHost").and_then(Value::as_str) {
        Some(h) => quote!(::std::option::Option::Some(#h)),
        None => quote!(::std::option::Option::None),
    };
    let query = str_list(case, "queryParams");
    let forbid_query = str_list(case, "forbidQueryParams");
    let require_query = str_list(case, "requireQueryParams");
    let (header_names, header_values): (Vec<_>, Vec<_>) = header_pairs(case).into_iter().unzip();
    let forbid_headers = str_list(case, "forbidHeaders");
    let require_headers = str_list(case, "requireHeaders");
    let body = match case.get("body").and_then(Value::as_str) {
        Some(b) => quote!(::std::option::Option::Some(#b)),
        None => quote!(::std::option::Option::None),
    };
    let media_type = match case.get("bodyMediaType").and_then(Value::as_str) {
        Some(m) => quote!(::std::option::Option::Some(#m)),
        None => quote!(::std::option::Option::None),
    };
    let krate = &ctx.krate;
    Ok(quote! {
        #[tokio::test]
        #ignore
        async fn #name() {
            use #krate::types;
            let capture = ::protocol_test_support::Capture::new();
            let client = #krate::Client::new(::protocol_test_support::config(#host, &capture));
            let input = #input;
            let _ = client.#method_name(input).await;
            ::protocol_test_support::assert_request(
                &capture.single_request(),
                &::protocol_test_support::ExpectedRequest {
                    method: #method,
                    uri: #uri,
                    host: #host,
                    resolved_host: #resolved_host,
                    query_params: &[#(#query),*],
                    forbid_query_params: &[#(#forbid_query),*],
                    require_query_params: &[#(#require_query),*],
                    headers: &[#((#header_names, #header_values)),*],
                    forbid_headers: &[#(#forbid_headers),*],
                    require_headers: &[#(#require_headers),*],
                    body: #body,
                    body_media_type: #media_type,
                },
            );
        }
    })
}

/// The canned response of a response case.
fn response_setup(case: &Value) -> TokenStream {
    let code = case.get("code").and_then(Value::as_u64).unwrap_or(200) as u16;
    let (names, values): (Vec<_>, Vec<_>) = header_pairs(case).into_iter().unzip();
    let body = case.get("body").and_then(Value::as_str).unwrap_or("");
    quote! {
        let capture = ::protocol_test_support::Capture::responding(#code, &[#((#names, #values)),*], #body);
    }
}

/// An input that passes client-side checks: required string labels and query members hold a
/// placeholder; everything else is its default.
fn placeholder_input(ctx: &Ctx<'_>, op: &Operation) -> Result<TokenStream, Error> {
    let mut params = serde_json::Map::new();
    for m in &op.input.members {
        if m.required
            && m.ty == Type::String
            && matches!(m.binding, Binding::Label(_) | Binding::Query { .. })
        {
            params.insert(m.name.clone(), Value::from("placeholder"));
        }
    }
    for part in &op.host_prefix {
        if let ir::HostPrefixPart::Label(name, _) = part {
            params.insert(name.clone(), Value::from("placeholder"));
        }
    }
    ctx.structure_expr(&op.input, &Value::Object(params), &quote!(types))
}

fn response_test(
    ctx: &Ctx<'_>,
    op: &Operation,
    case: &Value,
    skip: Option<&String>,
) -> Result<TokenStream, Error> {
    let name = test_fn_name("response", case);
    let ignore = ignore_attr(skip);
    let params = case
        .get("params")
        .cloned()
        .unwrap_or(Value::Object(Default::default()));
    let expected = ctx.structure_expr(&op.output, &params, &quote!(types))?;
    let input = placeholder_input(ctx, op)?;
    let method_name = proc_macro2::Ident::new(&op.method, proc_macro2::Span::call_site());
    let setup = response_setup(case);
    let krate = &ctx.krate;
    let compare = if contains_nan(&params) {
        quote!(::protocol_test_support::assert_same_json(&actual, &expected);)
    } else {
        quote!(::std::assert_eq!(actual, expected);)
    };
    Ok(quote! {
        #[tokio::test]
        #ignore
        async fn #name() {
            use #krate::types;
            #setup
            let client = #krate::Client::new(::protocol_test_support::config("example.com", &capture));
            let actual = match client.#method_name(#input).await {
                ::std::result::Result::Ok(output) => output,
                ::std::result::Result::Err(err) => ::std::panic!("expected a response, got {err:?}"),
            };
            let expected = #expected;
            #compare
        }
    })
}

fn error_test(
    ctx: &Ctx<'_>,
    op: &Operation,
    err: &Structure,
    case: &Value,
    skip: Option<&String>,
) -> Result<TokenStream, Error> {
    let name = test_fn_name("response", case);
    let ignore = ignore_attr(skip);
    let params = case
        .get("params")
        .cloned()
        .unwrap_or(Value::Object(Default::default()));
    let expected = ctx.structure_expr(err, &params, &quote!(types))?;
    let input = placeholder_input(ctx, op)?;
    let method_name = proc_macro2::Ident::new(&op.method, proc_macro2::Span::call_site());
    let error_enum = proc_macro2::Ident::new(&op.error_name, proc_macro2::Span::call_site());
    let variant = proc_macro2::Ident::new(&err.rust_name, proc_macro2::Span::call_site());
    let setup = response_setup(case);
    let krate = &ctx.krate;
    Ok(quote! {
        #[tokio::test]
        #ignore
        async fn #name() {
            use #krate::types;
            #setup
            let client = #krate::Client::new(::protocol_test_support::config("example.com", &capture));
            let err = match client.#method_name(#input).await {
                ::std::result::Result::Ok(output) => ::std::panic!("expected an error, got {output:?}"),
                ::std::result::Result::Err(err) => err,
            };
            let expected = #expected;
            match err.as_service_error() {
                ::std::option::Option::Some(types::#error_enum::#variant(actual)) => ::std::assert_eq!(actual, &expected),
                _ => ::std::panic!("expected {}, got {err:?}", ::std::stringify!(#variant)),
            }
        }
    })
}

fn contains_nan(v: &Value) -> bool {
    match v {
        Value::String(s) => matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity"),
        Value::Array(a) => a.iter().any(contains_nan),
        Value::Object(o) => o.values().any(contains_nan),
        _ => false,
    }
}

/// Builds Rust expressions for values given as Smithy test `params` (keyed by member name).
struct Ctx<'a> {
    types: &'a BTreeMap<&'a str, &'a TypeDef>,
    krate: proc_macro2::Ident,
}

impl Ctx<'_> {
    fn structure_expr(
        &self,
        s: &Structure,
        params: &Value,
        types: &TokenStream,
    ) -> Result<TokenStream, Error> {
        let name = proc_macro2::Ident::new(&s.rust_name, proc_macro2::Span::call_site());
        let Some(object) = params.as_object() else {
            return Err(Error::shape(
                &s.shape_id,
                format!("params for a structure must be an object, not {params}"),
            ));
        };
        let mut fields = Vec::new();
        for (key, value) in object {
            let m = s.members.iter().find(|m| &m.name == key).ok_or_else(|| {
                Error::shape(
                    &s.shape_id,
                    format!("params name `{key}`, which is not a member"),
                )
            })?;
            let field = field_ident(&m.field);
            if value.is_null() && !m.required {
                fields.push(quote!(#field: ::std::option::Option::None));
                continue;
            }
            let mut expr = self.value_expr(&m.ty, value, types)?;
            if m.boxed {
                expr = quote!(::std::boxed::Box::new(#expr));
            }
            if !m.required {
                expr = quote!(::std::option::Option::Some(#expr));
            }
            fields.push(quote!(#field: #expr));
        }
        Ok(quote! {
            #types::#name {
                #(#fields,)*
                ..::std::default::Default::default()
            }
        })
    }

    /// A list element or map value: wrapped in `Option` when the collection is `@sparse`.
    fn element_expr(
        &self,
        ty: &Type,
        sparse: bool,
        value: &Value,
        types: &TokenStream,
    ) -> Result<TokenStream, Error> {
        if !sparse {
            return self.value_expr(ty, value, types);
        }
        if value.is_null() {
            return Ok(quote!(::std::option::Option::None));
        }
        let e = self.value_expr(ty, value, types)?;
        Ok(quote!(::std::option::Option::Some(#e)))
    }

    fn value_expr(
        &self,
        ty: &Type,
        value: &Value,
        types: &TokenStream,
    ) -> Result<TokenStream, Error> {
        let bad = || Error::model(format!("params value {value} does not fit {ty:?}"));
        Ok(match ty {
            Type::String => {
                let s = value.as_str().ok_or_else(bad)?;
                quote!(::std::string::String::from(#s))
            }
            Type::Bool => {
                let b = value.as_bool().ok_or_else(bad)?;
                quote!(#b)
            }
            Type::Byte => int_literal::<i8>(value).ok_or_else(bad)?,
            Type::Short => int_literal::<i16>(value).ok_or_else(bad)?,
            Type::Integer => int_literal::<i32>(value).ok_or_else(bad)?,
            Type::Long => {
                let v = value.as_i64().ok_or_else(bad)?;
                quote!(#v)
            }
            Type::Float | Type::Double => {
                let f32 = *ty == Type::Float;
                match value {
                    Value::String(s) if s == "NaN" => {
                        if f32 {
                            quote!(f32::NAN)
                        } else {
                            quote!(f64::NAN)
                        }
                    }
                    Value::String(s) if s == "Infinity" => {
                        if f32 {
                            quote!(f32::INFINITY)
                        } else {
                            quote!(f64::INFINITY)
                        }
                    }
                    Value::String(s) if s == "-Infinity" => {
                        if f32 {
                            quote!(f32::NEG_INFINITY)
                        } else {
                            quote!(f64::NEG_INFINITY)
                        }
                    }
                    Value::Number(n) => {
                        let text = n.to_string();
                        let text = if text.contains('.') || text.contains('e') {
                            text
                        } else {
                            format!("{text}.0")
                        };
                        let lit: TokenStream = format!("{text}{}", if f32 { "f32" } else { "f64" })
                            .parse()
                            .map_err(|_| bad())?;
                        lit
                    }
                    _ => return Err(bad()),
                }
            }
            Type::Blob => {
                let s = value.as_str().ok_or_else(bad)?;
                let bytes = proc_macro2::Literal::byte_string(s.as_bytes());
                quote!(::lambda_sdk_runtime::Blob::from(&#bytes[..]))
            }
            Type::Timestamp => {
                let (secs, nanos) = epoch(value).ok_or_else(bad)?;
                quote!(::lambda_sdk_runtime::DateTime::from_secs_and_nanos(#secs, #nanos))
            }
            Type::Document => {
                let json = value.to_string();
                quote!(::lambda_sdk_runtime::__private::serde_json::from_str::<::lambda_sdk_runtime::Document>(#json).expect("document"))
            }
            Type::List { element, sparse } => {
                let items = value.as_array().ok_or_else(bad)?;
                let mut exprs = Vec::new();
                for item in items {
                    exprs.push(self.element_expr(element, *sparse, item, types)?);
                }
                quote!(::std::vec::Vec::from([#(#exprs),*]))
            }
            Type::Map {
                value: value_ty,
                sparse,
            } => {
                let entries = value.as_object().ok_or_else(bad)?;
                let mut exprs = Vec::new();
                for (k, v) in entries {
                    let e = self.element_expr(value_ty, *sparse, v, types)?;
                    exprs.push(quote!((::std::string::String::from(#k), #e)));
                }
                quote!(::std::collections::HashMap::from([#(#exprs),*]))
            }
            Type::Named { rust_name, kind } => {
                let def = self
                    .types
                    .get(rust_name.as_str())
                    .ok_or_else(|| Error::model(format!("no type `{rust_name}`")))?;
                let name = proc_macro2::Ident::new(rust_name, proc_macro2::Span::call_site());
                match (kind, def) {
                    (NamedKind::Structure, TypeDef::Structure(s)) => {
                        self.structure_expr(s, value, types)?
                    }
                    (NamedKind::Enum, _) => {
                        let s = value.as_str().ok_or_else(bad)?;
                        quote!(#types::#name::from(#s))
                    }
                    (NamedKind::IntEnum, _) => {
                        let v = value
                            .as_i64()
                            .and_then(|v| i32::try_from(v).ok())
                            .ok_or_else(bad)?;
                        quote!(#types::#name::from(#v))
                    }
                    (NamedKind::Union, TypeDef::Union(u)) => {
                        let object = value.as_object().ok_or_else(bad)?;
                        let (key, v) = object.iter().next().ok_or_else(bad)?;
                        let variant = u
                            .variants
                            .iter()
                            .find(|variant| &variant.name == key)
                            .ok_or_else(|| {
                                Error::shape(
                                    &u.shape_id,
                                    format!("params name `{key}`, which is not a member"),
                                )
                            })?;
                        let vident =
                            proc_macro2::Ident::new(&variant.ident, proc_macro2::Span::call_site());
                        match &variant.ty {
                            None => quote!(#types::#name::#vident),
                            Some(t) => {
                                let mut e = self.value_expr(t, v, types)?;
                                if variant.boxed {
                                    e = quote!(::std::boxed::Box::new(#e));
                                }
                                quote!(#types::#name::#vident(#e))
                            }
                        }
                    }
                    _ => return Err(bad()),
                }
            }
        })
    }
}

/// An integer literal of type `T` (`3i32`), if the JSON number fits.
fn int_literal<T: TryFrom<i64> + quote::ToTokens>(value: &Value) -> Option<TokenStream> {
    let v = T::try_from(value.as_i64()?).ok()?;
    Some(quote!(#v))
}

fn field_ident(field: &str) -> proc_macro2::Ident {
    match field.strip_prefix("r#") {
        Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => proc_macro2::Ident::new(field, proc_macro2::Span::call_site()),
    }
}

/// Epoch seconds from a JSON number, exactly (from its decimal text).
fn epoch(value: &Value) -> Option<(i64, u32)> {
    let text = value.as_number()?.to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    if text.contains('e') || text.contains('E') {
        let f = value.as_f64()?;
        return Some((f.floor() as i64, ((f - f.floor()) * 1e9).round() as u32));
    }
    let secs: i64 = int.parse().ok()?;
    let mut digits: String = frac.chars().take(9).collect();
    while digits.len() < 9 {
        digits.push('0');
    }
    let nanos: u32 = digits.parse().ok()?;
    if text.starts_with('-') && nanos > 0 {
        Some((secs - 1, 1_000_000_000 - nanos))
    } else {
        Some((secs, nanos))
    }
}

/// One Rust test per case of the service's `smithy.rules#endpointTests`, in
/// `tests/endpoints.rs`: each builds a config from the case's parameters (region, FIPS,
/// dual-stack, custom endpoint), sends one request through a capturing connector, and checks
/// the URL it went to, or that the request was refused with the case's error.
pub fn generate_endpoint_tests(model: &Model, options: &Options) -> Result<(Files, usize), Error> {
    let krate = crate::lower::lower(model, options)?;
    let service = shape_of(model, &krate.service.shape_id)?;
    let Some(cases) = service
        .traits
        .get("smithy.rules#endpointTests")
        .and_then(|t| t.get("testCases"))
        .and_then(Value::as_array)
    else {
        return Ok((Files::new(), 0));
    };
    let rules = service.traits.get("smithy.rules#endpointRuleSet");
    let built_in = |param: &str| -> Option<String> {
        rules?
            .get("parameters")?
            .get(param)?
            .get("builtIn")?
            .as_str()
            .map(String::from)
    };
    let op = krate.operations.first().ok_or_else(|| {
        Error::shape(
            &krate.service.shape_id,
            "has endpoint tests but no operation",
        )
    })?;
    let types: BTreeMap<&str, &TypeDef> = krate.types.iter().map(|t| (t.rust_name(), t)).collect();
    let crate_ident = options.crate_name.replace('-', "_");
    let ctx = Ctx {
        types: &types,
        krate: proc_macro2::Ident::new(&crate_ident, proc_macro2::Span::call_site()),
    };
    let krate_ident = &ctx.krate;
    let input = placeholder_input(&ctx, op)?;
    let method = proc_macro2::Ident::new(&op.method, proc_macro2::Span::call_site());
    let mut tests = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let doc = case
            .get("documentation")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let name = proc_macro2::Ident::new(
            &format!("endpoint_case_{:02}", i + 1),
            proc_macro2::Span::call_site(),
        );
        let params = case
            .get("params")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut settings = Vec::new();
        let mut has_region = false;
        for (param, value) in &params {
            let setting = match (built_in(param).as_deref(), value) {
                (Some("AWS::Region"), Value::String(r)) => {
                    has_region = true;
                    quote!(.region(#r))
                }
                (Some("AWS::UseFIPS"), Value::Bool(b)) => quote!(.use_fips(#b)),
                (Some("AWS::UseDualStack"), Value::Bool(b)) => quote!(.use_dual_stack(#b)),
                (Some("SDK::Endpoint"), Value::String(u)) => quote!(.endpoint_url(#u)),
                _ => {
                    return Err(Error::shape(
                        &krate.service.shape_id,
                        format!(
                            "endpoint test {} sets `{param}`, which no config setting maps to",
                            i + 1
                        ),
                    ));
                }
            };
            settings.push(setting);
        }
        let expect = case.get("expect").cloned().unwrap_or(Value::Null);
        let check = if !has_region {
            // The SDK signs every request for a region, so a config without one is refused
            // before the rules run.
            quote! {
                let err = builder.build().expect_err("a configuration without a region is refused");
                ::std::assert!(err.to_string().contains("region"), "{err}");
            }
        } else if let Some(url) = expect
            .get("endpoint")
            .and_then(|e| e.get("url"))
            .and_then(Value::as_str)
        {
            let url = url.trim_end_matches('/').to_string();
            quote! {
                let capture = ::protocol_test_support::Capture::new();
                let config = builder.http_connector(capture.clone()).build().expect("config");
                let _ = #krate_ident::Client::new(config).#method(#input).await;
                let request = capture.single_request();
                let uri = request.uri().to_string();
                ::std::assert!(uri.starts_with(#url), "{uri} should start with {}", #url);
            }
        } else if let Some(error) = expect.get("error").and_then(Value::as_str) {
            quote! {
                let capture = ::protocol_test_support::Capture::new();
                let config = builder.http_connector(capture.clone()).build().expect("config");
                let err = #krate_ident::Client::new(config).#method(#input).await.expect_err("refused");
                ::std::assert!(err.to_string().contains(#error), "{err}");
            }
        } else {
            return Err(Error::shape(
                &krate.service.shape_id,
                format!("endpoint test {} expects nothing", i + 1),
            ));
        };
        tests.push(quote! {
            #[doc = #doc]
            #[tokio::test]
            async fn #name() {
                use #krate_ident::types;
                let builder = #krate_ident::Config::builder()
                    .credentials(#krate_ident::Credentials::new("AKID", "SECRET", ::std::option::Option::None))
                    #(#settings)*;
                #check
            }
        });
    }
    let count = tests.len();
    let tokens = quote! {
        //! The service model's `smithy.rules#endpointTests`, one test per case.
        #![allow(clippy::all, unused_imports)]
        #(#tests)*
    };
    let header = header(&options.source_name);
    let mut files = Files::new();
    files.insert(
        PathBuf::from("tests/endpoints.rs"),
        render("tests/endpoints.rs", &header, tokens)?,
    );
    Ok((files, count))
}
