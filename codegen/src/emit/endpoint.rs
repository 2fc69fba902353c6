//! `src/endpoint_resolver.rs`: the service's endpoint rules as one Rust function.
//!
//! Each rule becomes a labelled block: a condition that fails breaks out of it, and its body
//! returns. A tree rule's block holds its sub-rules' blocks and then returns the "no rule
//! matched" error, because tree rules are terminal. Rules after one that always applies are
//! never reached and are not emitted; the last rule that is reached is emitted as the
//! function's tail.

use proc_macro2::{Literal as TokenLiteral, TokenStream};
use quote::quote;

use super::ident;
use crate::endpoint_rules::{
    Base, Body, BuiltIn, Expr, ExprKind, Literal, Part, Rule, Rules, Source, Ty,
};

fn functions() -> TokenStream {
    quote!(::lambda_sdk_runtime::endpoint_rules::functions)
}

fn rules_error(kind: &str, message: TokenStream) -> TokenStream {
    let kind = super::ident(kind);
    quote! {
        ::lambda_sdk_runtime::endpoint_rules::RulesError::new(
            ::lambda_sdk_runtime::endpoint_rules::RulesErrorKind::#kind,
            #message,
        )
    }
}

/// The module: `pub(crate) fn resolve`, a `lambda_sdk_runtime::endpoint::Resolver`.
pub fn endpoint_resolver_rs(rules: &Rules) -> TokenStream {
    let version = format!(
        " Compiled by `cargo xtask codegen` from the model's `smithy.rules#endpointRuleSet` (version {}).",
        rules.version
    );
    let bindings = rules.params.iter().map(|p| {
        if !p.used {
            // Required, read by no rule: only checked.
            let field = match p.source {
                Source::BuiltIn(BuiltIn::Endpoint) => quote!(params.endpoint),
                _ => quote!(params.region),
            };
            let message = format!("missing required endpoint parameter `{}`", p.name);
            let error = rules_error("InvalidParams", quote!(#message));
            return quote! {
                if #field.is_none() {
                    return ::std::result::Result::Err(#error);
                }
            };
        }
        let var = ident(&p.var);
        let value = match (&p.source, &p.default) {
            (Source::BuiltIn(BuiltIn::UseFips), _) => quote!(params.use_fips),
            (Source::BuiltIn(BuiltIn::UseDualStack), _) => quote!(params.use_dual_stack),
            (Source::BuiltIn(b), default) => {
                let field = if *b == BuiltIn::Region {
                    quote!(params.region)
                } else {
                    quote!(params.endpoint)
                };
                match default {
                    Some(Literal::Str(s)) => quote!(#field.unwrap_or(#s).to_owned()),
                    _ if p.required => {
                        let message = format!("missing required endpoint parameter `{}`", p.name);
                        let error = rules_error("InvalidParams", quote!(#message));
                        quote! {
                            match #field {
                                ::std::option::Option::Some(value) => value.to_owned(),
                                ::std::option::Option::None => return ::std::result::Result::Err(#error),
                            }
                        }
                    }
                    _ => quote!(#field.map(::std::borrow::ToOwned::to_owned)),
                }
            }
            (Source::Unbound, Some(default)) => literal(default),
            (Source::Unbound, None) => quote!(::std::option::Option::None),
        };
        let ty = rust_type(p.ty);
        quote!(let #var: #ty = #value;)
    });
    let body = rule_list(&rules.rules, None, true);
    // `params` goes unread when no rule reads a built-in.
    let params_arg = if rules
        .params
        .iter()
        .any(|p| matches!(p.source, Source::BuiltIn(_)))
    {
        quote!(params)
    } else {
        quote!(_params)
    };
    let doc = [
        " The endpoint URL for `params`, or why there is none.".to_string(),
        String::new(),
        version,
    ];
    quote! {
        //! The endpoint rules, compiled.

        #(#[doc = #doc])*
        pub(crate) fn resolve(
            #params_arg: &::lambda_sdk_runtime::endpoint::EndpointParams<'_>,
        ) -> ::std::result::Result<::std::string::String, ::lambda_sdk_runtime::endpoint_rules::RulesError> {
            #(#bindings)*
            #body
        }
    }
}

fn literal(value: &Literal) -> TokenStream {
    match value {
        Literal::Str(s) => quote!(::std::string::String::from(#s)),
        Literal::Bool(b) => quote!(#b),
        Literal::StrArray(items) => {
            quote!(::std::vec![#(::std::string::String::from(#items)),*])
        }
    }
}

fn rust_type(ty: Ty) -> TokenStream {
    let base = match ty.base {
        Base::Str => quote!(::std::string::String),
        Base::Bool => quote!(bool),
        Base::Int => quote!(i64),
        Base::StrArray => quote!(::std::vec::Vec<::std::string::String>),
        Base::Partition => quote!(::lambda_sdk_runtime::partitions::PartitionOutputs),
        Base::Url => quote!(::lambda_sdk_runtime::endpoint_rules::functions::Url),
        Base::Arn => quote!(::lambda_sdk_runtime::endpoint_rules::functions::Arn),
    };
    if ty.optional {
        quote!(::std::option::Option<#base>)
    } else {
        base
    }
}

/// A rule list: the top-level one, or the sub-rules of the tree rule at `tree`. In `tail`
/// position it is the function's tail expression; otherwise every path through it returns.
fn rule_list(rules: &[Rule], tree: Option<&str>, tail: bool) -> TokenStream {
    let mut out = TokenStream::new();
    for rule in rules {
        if rule.always_applies() {
            out.extend(always(rule, tail));
            return out;
        }
        out.extend(guarded(rule));
    }
    let message = match tree {
        Some(location) => format!(
            "no rule matched inside the tree rule at {location} although its conditions held"
        ),
        None => "no endpoint rule matched the parameters (the rule set has no fallback rule)"
            .to_string(),
    };
    let error = rules_error("NoMatch", quote!(#message));
    if tail {
        out.extend(quote!(::std::result::Result::Err(#error)));
    } else {
        out.extend(quote!(return ::std::result::Result::Err(#error);));
    }
    out
}

/// A rule whose conditions can fail: a labelled block they break out of.
fn guarded(rule: &Rule) -> TokenStream {
    let label = syn_label(&rule.location);
    let conditions = rule.conditions.iter().map(|c| condition(c, &label));
    let body = body(rule, false);
    quote! {
        #label: {
            #(#conditions)*
            #body
        }
    }
}

/// A rule whose conditions always hold: its bindings and body, inline.
fn always(rule: &Rule, tail: bool) -> TokenStream {
    let label = syn_label(&rule.location);
    let conditions = rule.conditions.iter().map(|c| condition(c, &label));
    let body = body(rule, tail);
    quote! {
        #(#conditions)*
        #body
    }
}

fn body(rule: &Rule, tail: bool) -> TokenStream {
    let outcome = match &rule.body {
        Body::Endpoint(url) => {
            let url = owned(url);
            quote!(::std::result::Result::Ok(#url))
        }
        Body::Error(message) => {
            let message = owned(message);
            let error = rules_error("Rule", message);
            quote!(::std::result::Result::Err(#error))
        }
        Body::Tree(rules) => return rule_list(rules, Some(&rule.location), tail),
    };
    if tail {
        outcome
    } else {
        quote!(return #outcome;)
    }
}

/// A lifetime-style label from a rule location: `rules[1].rules[0]` → `'rules_1_rules_0`.
fn syn_label(location: &str) -> TokenStream {
    let mut name = String::new();
    for c in location.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('_') {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_');
    let lifetime = syn::Lifetime::new(&format!("'{name}"), proc_macro2::Span::call_site());
    quote!(#lifetime)
}

fn condition(c: &crate::endpoint_rules::Condition, label: &TokenStream) -> TokenStream {
    let value = &c.value;
    let bind = c.bind.as_deref().map(ident);
    if c.narrowing {
        // `isSet` of a reference: set is enough, even an optional boolean set to `false`.
        let v = place(value);
        return match bind {
            Some(var) => {
                let v = owned(value);
                quote!(let ::std::option::Option::Some(#var) = #v else { break #label; };)
            }
            None => quote!(if #v.is_none() { break #label; }),
        };
    }
    match (value.ty.optional, value.ty.base, bind) {
        (true, Base::Bool, None) => {
            let v = scrutinee(value);
            quote!(if #v != ::std::option::Option::Some(true) { break #label; })
        }
        (true, Base::Bool, Some(var)) => {
            let v = scrutinee(value);
            quote! {
                if #v != ::std::option::Option::Some(true) { break #label; }
                let #var = true;
            }
        }
        (true, _, None) => {
            let v = place(value);
            quote!(if #v.is_none() { break #label; })
        }
        (true, _, Some(var)) => {
            let v = scrutinee(value);
            quote!(let ::std::option::Option::Some(#var) = #v else { break #label; };)
        }
        (false, Base::Bool, None) => {
            let fails = test(value, false);
            quote!(if #fails { break #label; })
        }
        (false, Base::Bool, Some(var)) if matches!(value.kind, ExprKind::Bool(true)) => {
            // `isSet` of a value that is always set.
            quote!(let #var = true;)
        }
        (false, Base::Bool, Some(var)) => {
            let fails = test(value, false);
            quote! {
                if #fails { break #label; }
                let #var = true;
            }
        }
        (false, _, Some(var)) => {
            let v = owned(value);
            quote!(let #var = #v;)
        }
        (false, _, None) => {
            // Always holds and binds nothing: kept only when evaluating it can err.
            let v = owned(value);
            quote!(let _ = #v;)
        }
    }
}

/// Tokens that are `true` exactly when the boolean expression is `holds`, simplified (no
/// `== true`, no `!(a == b)`), as clippy wants.
fn test(e: &Expr, holds: bool) -> TokenStream {
    let eq = if holds { quote!(==) } else { quote!(!=) };
    match &e.kind {
        ExprKind::Bool(b) => {
            let b = *b == holds;
            quote!(#b)
        }
        ExprKind::Not(inner) => test(inner, !holds),
        ExprKind::IsSet(inner) => {
            let v = place(inner);
            if holds {
                quote!(#v.is_some())
            } else {
                quote!(#v.is_none())
            }
        }
        // `booleanEquals(x, literal)` is `x` or its negation.
        ExprKind::BoolEquals(a, b) => match (&a.kind, &b.kind) {
            (ExprKind::Bool(x), _) => test(b, *x == holds),
            (_, ExprKind::Bool(x)) => test(a, *x == holds),
            _ => {
                let (a, b) = (owned(a), owned(b));
                quote!(#a #eq #b)
            }
        },
        ExprKind::StrEquals(a, b) => match empty_comparison(a, b) {
            Some(v) if holds => quote!(#v.is_empty()),
            Some(v) => quote!(!#v.is_empty()),
            None => {
                let (a, b) = (place(a), place(b));
                quote!(#a #eq #b)
            }
        },
        _ if holds => owned(e),
        _ if is_atomic(e) => {
            let v = owned(e);
            quote!(!#v)
        }
        _ => {
            let v = owned(e);
            quote!(!(#v))
        }
    }
}

/// Whether `!` can be put before the expression without parentheses.
fn is_atomic(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Var(_) | ExprKind::Field { .. } | ExprKind::Call { .. } | ExprKind::Bool(_)
    )
}

/// For a comparison with the empty string literal, the other side (compared with `.is_empty()`,
/// as clippy wants).
fn empty_comparison(a: &Expr, b: &Expr) -> Option<TokenStream> {
    match (&a.kind, &b.kind) {
        (_, ExprKind::Str(s)) if s.is_empty() => Some(place(a)),
        (ExprKind::Str(s), _) if s.is_empty() => Some(place(b)),
        _ => None,
    }
}

/// An owned value of the expression's Rust type.
fn owned(e: &Expr) -> TokenStream {
    let f = functions();
    match &e.kind {
        ExprKind::Bool(_)
        | ExprKind::Not(_)
        | ExprKind::IsSet(_)
        | ExprKind::BoolEquals(..)
        | ExprKind::StrEquals(..) => match &e.kind {
            ExprKind::Bool(b) => quote!(#b),
            _ => test(e, true),
        },
        ExprKind::Int(i) => {
            let i = TokenLiteral::i64_suffixed(*i);
            quote!(#i)
        }
        ExprKind::Str(s) => quote!(::std::string::String::from(#s)),
        ExprKind::Template(parts) => match parts.as_slice() {
            // `"{Name#attr}"` alone is the value itself, not a `format!`.
            [Part::Value(value)] => owned(value),
            _ => place(e),
        },
        ExprKind::Var(v) => {
            let v = ident(v);
            if e.ty.base.is_copy() {
                quote!(#v)
            } else {
                quote!(#v.clone())
            }
        }
        ExprKind::Field { static_str, .. } => {
            let v = place(e);
            if e.ty.base.is_copy() {
                v
            } else if *static_str {
                quote!(#v.to_owned())
            } else {
                quote!(#v.clone())
            }
        }
        ExprKind::Index { base, index } => {
            let base = place(base);
            let index = TokenLiteral::i64_suffixed(*index);
            quote!(#f::index(&#base, #index))
        }
        ExprKind::Unwrap { inner, message } => {
            let inner = owned(inner);
            let error = rules_error("Evaluation", quote!(#message));
            quote! {
                match #inner {
                    ::std::option::Option::Some(value) => value,
                    ::std::option::Option::None => return ::std::result::Result::Err(#error),
                }
            }
        }
        ExprKind::Coalesce(args) => {
            // Folded from the end: `a.or(b)` / `a.unwrap_or(b)` when `b` is a literal or a `Copy`
            // variable, else a `match` (so `b` stays lazy and may `return` an error).
            let mut iter = args.iter().rev();
            let Some(last) = iter.next() else {
                return quote!(::std::option::Option::None);
            };
            let mut acc = owned(last);
            let mut acc_optional = last.ty.optional;
            let mut acc_cheap = is_cheap(last);
            for arg in iter {
                let a = owned(arg);
                acc = match (acc_optional, acc_cheap) {
                    (true, true) => quote!(#a.or(#acc)),
                    (false, true) => quote!(#a.unwrap_or(#acc)),
                    (true, false) => quote! {
                        match #a {
                            ::std::option::Option::Some(value) => ::std::option::Option::Some(value),
                            ::std::option::Option::None => #acc,
                        }
                    },
                    (false, false) => quote! {
                        match #a {
                            ::std::option::Option::Some(value) => value,
                            ::std::option::Option::None => #acc,
                        }
                    },
                };
                acc_optional = acc_optional && arg.ty.optional;
                acc_cheap = false;
            }
            acc
        }
        ExprKind::Ite(c, a, b) => {
            // `ite(c, true, false)` is `c`, as clippy wants.
            match (&a.kind, &b.kind) {
                (ExprKind::Bool(true), ExprKind::Bool(false)) => return test(c, true),
                (ExprKind::Bool(false), ExprKind::Bool(true)) => return test(c, false),
                _ => {}
            }
            let c = test(c, true);
            let lift = |x: &Expr| {
                let v = owned(x);
                if e.ty.optional && !x.ty.optional {
                    quote!(::std::option::Option::Some(#v))
                } else {
                    v
                }
            };
            let (a, b) = (lift(a), lift(b));
            quote!(if #c { #a } else { #b })
        }
        ExprKind::Call { function, args } => {
            let function = super::ident(function);
            let args = args.iter().map(argument);
            quote!(#f::#function(#(#args),*))
        }
        ExprKind::Split { args, location } => {
            let args = args.iter().map(argument);
            let prefix = format!("endpoint resolution failed: {location}: `split`: {{e}}");
            let error = rules_error("Evaluation", quote!(::std::format!(#prefix)));
            quote!(#f::split(#(#args),*).map_err(|e| #error)?)
        }
    }
}

/// The value of a `let … else`, in parentheses when it ends with `}` (an `if` or a `match`),
/// which Rust does not allow before `else`.
fn scrutinee(e: &Expr) -> TokenStream {
    let v = owned(e);
    match &e.kind {
        ExprKind::Ite(..) | ExprKind::Unwrap { .. } | ExprKind::Coalesce(_) => quote!((#v)),
        _ => v,
    }
}

/// Whether evaluating eagerly costs nothing (a literal or a `Copy` variable).
fn is_cheap(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Bool(_) | ExprKind::Int(_) => true,
        ExprKind::Var(_) => e.ty.base.is_copy(),
        _ => false,
    }
}

/// The expression where a value is only looked at (`==`, `format!`, `.is_none()`): variables
/// and fields without a clone.
fn place(e: &Expr) -> TokenStream {
    match &e.kind {
        ExprKind::Var(v) => {
            let v = ident(v);
            quote!(#v)
        }
        ExprKind::Str(s) => quote!(#s),
        ExprKind::Field { base, field, .. } => {
            let base = place(base);
            let field = super::ident(field);
            quote!(#base.#field)
        }
        ExprKind::Template(parts) if matches!(parts.as_slice(), [Part::Value(_)]) => owned(e),
        ExprKind::Template(parts) => {
            let mut format = String::new();
            let mut args = Vec::new();
            for part in parts {
                match part {
                    Part::Text(text) => {
                        format.push_str(&text.replace('{', "{{").replace('}', "}}"))
                    }
                    // A plain variable goes inside the braces (`{region}`), as clippy wants.
                    Part::Value(Expr {
                        kind: ExprKind::Var(var),
                        ..
                    }) if !var.starts_with("r#") => {
                        format.push('{');
                        format.push_str(var);
                        format.push('}');
                    }
                    Part::Value(value) => {
                        format.push_str("{}");
                        args.push(place(value));
                    }
                }
            }
            if args.is_empty() {
                quote!(::std::format!(#format))
            } else {
                quote!(::std::format!(#format, #(#args),*))
            }
        }
        _ => owned(e),
    }
}

/// A function argument: `&str` for strings, the value for the rest.
fn argument(e: &Expr) -> TokenStream {
    if e.ty.base != Base::Str {
        return owned(e);
    }
    match &e.kind {
        ExprKind::Str(s) => quote!(#s),
        ExprKind::Field {
            static_str: true, ..
        } => place(e),
        _ => {
            let v = place(e);
            quote!(&#v)
        }
    }
}
