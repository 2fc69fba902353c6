//! Expressions: literals, references, string templates, `getAttr` paths and function calls,
//! each with its static type.

use serde_json::{Map, Value};

use super::lower::{Lowering, is_identifier, kind};
use super::prune::unwrap;
use super::*;
use crate::Error;

impl Lowering<'_> {
    /// An expression that must be a set string (`what`: the endpoint URL, the error message).
    pub(super) fn string(&self, json: &Value, location: &str, what: &str) -> Result<Expr, Error> {
        let expr = self.expr(json, location)?;
        if expr.ty.base != Base::Str {
            return Err(self.error(
                location,
                format!("expected a string, found {}", expr.ty.name()),
            ));
        }
        Ok(unwrap(expr, format!("{what} evaluated to an unset value")))
    }

    pub(super) fn expr(&self, json: &Value, location: &str) -> Result<Expr, Error> {
        Ok(match json {
            Value::String(s) => self.template(s, location)?,
            Value::Bool(b) => Expr {
                kind: ExprKind::Bool(*b),
                ty: Ty::set(Base::Bool),
            },
            Value::Number(n) => match n.as_i64() {
                Some(i) => Expr {
                    kind: ExprKind::Int(i),
                    ty: Ty::set(Base::Int),
                },
                None => return Err(self.error(location, format!("`{n}` is not an integer"))),
            },
            Value::Object(obj) => {
                if let Some(reference) = obj.get("ref") {
                    let Value::String(name) = reference else {
                        return Err(self.error(location, "`ref` must be a string"));
                    };
                    let (var, ty) = self.lookup(name, location)?;
                    Expr {
                        kind: ExprKind::Var(var),
                        ty,
                    }
                } else if obj.contains_key("fn") {
                    self.call(obj, location)?
                } else {
                    return Err(self.error(
                        location,
                        "expected a reference (`ref`) or a function call (`fn`) object",
                    ));
                }
            }
            other => {
                return Err(self.error(
                    location,
                    format!("{} is not a supported expression", kind(other)),
                ));
            }
        })
    }

    pub(super) fn template(&self, s: &str, location: &str) -> Result<Expr, Error> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = s;
        while let Some(at) = rest.find(['{', '}']) {
            text.push_str(&rest[..at]);
            let tail = &rest[at..];
            if let Some(after) = tail.strip_prefix("{{") {
                text.push('{');
                rest = after;
            } else if let Some(after) = tail.strip_prefix("}}") {
                text.push('}');
                rest = after;
            } else if let Some(after) = tail.strip_prefix('{') {
                let close = after.find('}').ok_or_else(|| {
                    self.error(
                        location,
                        format!("template {s:?}: unclosed `{{` (write `{{{{` for a literal brace)"),
                    )
                })?;
                let inner = &after[..close];
                let (name, path) = match inner.split_once('#') {
                    Some((name, path)) => (name, Some(path)),
                    None => (inner, None),
                };
                if !is_identifier(name) {
                    return Err(self.error(
                        location,
                        format!("template {s:?}: `{{{inner}}}` does not start with a parameter or variable name"),
                    ));
                }
                let (var, ty) = self.lookup(name, location)?;
                let base = Expr {
                    kind: ExprKind::Var(var),
                    ty,
                };
                let source = format!("{{{inner}}}");
                let base = unwrap(
                    base,
                    format!("{location}: template placeholder `{source}`: `{name}` is not set"),
                );
                let value = match path {
                    None => base,
                    Some(path) => {
                        let value = self.get_attr(base, path, location)?;
                        unwrap(
                            value,
                            format!("{location}: template placeholder `{source}` has no value"),
                        )
                    }
                };
                if value.ty.base != Base::Str {
                    return Err(self.error(
                        location,
                        format!(
                            "template placeholder `{source}` is {}, not a string",
                            value.ty.base.name()
                        ),
                    ));
                }
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Value(value));
                rest = &after[close + 1..];
            } else {
                return Err(self.error(
                    location,
                    format!("template {s:?}: unmatched `}}` (write `}}}}` for a literal brace)"),
                ));
            }
        }
        text.push_str(rest);
        let kind = if parts.is_empty() {
            ExprKind::Str(text)
        } else {
            if !text.is_empty() {
                parts.push(Part::Text(text));
            }
            ExprKind::Template(parts)
        };
        Ok(Expr {
            kind,
            ty: Ty::set(Base::Str),
        })
    }

    /// `getAttr(base, path)`: keys into records, `[i]` into string arrays.
    pub(super) fn get_attr(&self, base: Expr, path: &str, location: &str) -> Result<Expr, Error> {
        let mut current = unwrap(
            base,
            format!(
                "{location}: argument 1 of `getAttr` is not set (check it with `isSet` or assign it in an earlier condition)"
            ),
        );
        if path.is_empty() {
            return Err(self.error(location, "empty `getAttr` path"));
        }
        for part in path.split('.') {
            let (key, mut indexes) = match part.find('[') {
                Some(open) => (&part[..open], &part[open..]),
                None => (part, ""),
            };
            if !key.is_empty() {
                if current.ty.optional {
                    return Err(self.error(
                        location,
                        format!("path `{path}`: `{key}` follows a value that may be unset"),
                    ));
                }
                let attributes = current.ty.base.attributes();
                let Some((_, field, ty, static_str)) = attributes.iter().find(|a| a.0 == key)
                else {
                    let known: Vec<&str> = attributes.iter().map(|a| a.0).collect();
                    return Err(self.error(
                        location,
                        if known.is_empty() {
                            format!(
                                "path `{path}`: {} has no attributes",
                                current.ty.base.name()
                            )
                        } else {
                            format!(
                                "path `{path}`: {} has no attribute `{key}` (it has: {})",
                                current.ty.base.name(),
                                known.join(", ")
                            )
                        },
                    ));
                };
                current = Expr {
                    kind: ExprKind::Field {
                        base: Box::new(current),
                        field,
                        static_str: *static_str,
                    },
                    ty: Ty::set(*ty),
                };
            } else if indexes.is_empty() {
                return Err(self.error(location, format!("path `{path}` has an empty key")));
            }
            while !indexes.is_empty() {
                let (inner, after) = indexes
                    .strip_prefix('[')
                    .and_then(|s| s.split_once(']'))
                    .ok_or_else(|| {
                        self.error(location, format!("path `{path}`: expected `[index]`"))
                    })?;
                let index: i64 = inner.parse().map_err(|_| {
                    self.error(
                        location,
                        format!("path `{path}`: `{inner}` is not an integer index"),
                    )
                })?;
                if current.ty != Ty::set(Base::StrArray) {
                    return Err(self.error(
                        location,
                        format!(
                            "path `{path}`: `[{index}]` indexes {}, not a string array",
                            current.ty.name()
                        ),
                    ));
                }
                current = Expr {
                    kind: ExprKind::Index {
                        base: Box::new(current),
                        index,
                    },
                    ty: Ty {
                        base: Base::Str,
                        optional: true,
                    },
                };
                indexes = after;
            }
        }
        Ok(current)
    }

    pub(super) fn call(&self, obj: &Map<String, Value>, location: &str) -> Result<Expr, Error> {
        let name = obj
            .get("fn")
            .and_then(Value::as_str)
            .ok_or_else(|| self.error(location, "`fn` must be a string"))?;
        let argv: &[Value] = obj
            .get("argv")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .ok_or_else(|| self.error(location, format!("`{name}` is missing its `argv` array")))?;
        let arity = |n: usize| -> Result<(), Error> {
            if argv.len() == n {
                Ok(())
            } else {
                Err(self.error(
                    location,
                    format!("`{name}` takes {n} argument(s), found {}", argv.len()),
                ))
            }
        };
        if name == "getAttr" {
            arity(2)?;
            let Value::String(path) = &argv[1] else {
                return Err(self.error(location, "the `getAttr` path must be a string literal"));
            };
            let target = self.expr(&argv[0], &format!("{location}.argv[0]"))?;
            return self.get_attr(target, path, location);
        }
        let mut args = Vec::with_capacity(argv.len());
        for (i, arg) in argv.iter().enumerate() {
            args.push(self.expr(arg, &format!("{location}.argv[{i}]"))?);
        }
        // Arguments of a fixed type, each of which must be set at run time.
        let typed = |args: Vec<Expr>, types: &[Base]| -> Result<Vec<Expr>, Error> {
            if args.len() != types.len() {
                return Err(self.error(
                    location,
                    format!(
                        "`{name}` takes {} argument(s), found {}",
                        types.len(),
                        args.len()
                    ),
                ));
            }
            args.into_iter()
                .zip(types)
                .enumerate()
                .map(|(i, (arg, expected))| {
                    if arg.ty.base != *expected {
                        return Err(self.error(
                            &format!("{location}.argv[{i}]"),
                            format!("`{name}` expects {} here, found {}", expected.name(), arg.ty.name()),
                        ));
                    }
                    Ok(unwrap(
                        arg,
                        format!(
                            "{location}: argument {} of `{name}` is not set (check it with `isSet` or assign it in an earlier condition)",
                            i + 1
                        ),
                    ))
                })
                .collect()
        };
        let boxed = |mut args: Vec<Expr>| -> (Box<Expr>, Box<Expr>) {
            let b = args.pop().map(Box::new);
            let a = args.pop().map(Box::new);
            match (a, b) {
                (Some(a), Some(b)) => (a, b),
                _ => unreachable!("arity checked"),
            }
        };
        let library = |function: &'static str, result: Ty, args: Vec<Expr>| Expr {
            kind: ExprKind::Call { function, args },
            ty: result,
        };
        let set = Ty::set;
        let maybe = |base| Ty {
            base,
            optional: true,
        };
        Ok(match name {
            "isSet" => {
                arity(1)?;
                let arg = args.remove(0);
                if arg.ty.optional || arg.may_err() {
                    Expr {
                        kind: ExprKind::IsSet(Box::new(arg)),
                        ty: set(Base::Bool),
                    }
                } else {
                    Expr {
                        kind: ExprKind::Bool(true),
                        ty: set(Base::Bool),
                    }
                }
            }
            "not" => {
                let mut args = typed(args, &[Base::Bool])?;
                Expr {
                    kind: ExprKind::Not(Box::new(args.remove(0))),
                    ty: set(Base::Bool),
                }
            }
            "booleanEquals" => {
                let (a, b) = boxed(typed(args, &[Base::Bool, Base::Bool])?);
                Expr {
                    kind: ExprKind::BoolEquals(a, b),
                    ty: set(Base::Bool),
                }
            }
            "stringEquals" => {
                let (a, b) = boxed(typed(args, &[Base::Str, Base::Str])?);
                Expr {
                    kind: ExprKind::StrEquals(a, b),
                    ty: set(Base::Bool),
                }
            }
            "coalesce" => {
                if args.len() < 2 {
                    return Err(self.error(
                        location,
                        format!(
                            "`coalesce` takes at least 2 arguments, found {}",
                            args.len()
                        ),
                    ));
                }
                let base = args[0].ty.base;
                if let Some((i, odd)) = args.iter().enumerate().find(|(_, a)| a.ty.base != base) {
                    return Err(self.error(
                        &format!("{location}.argv[{i}]"),
                        format!(
                            "`coalesce` arguments must share one type: {} and {}",
                            base.name(),
                            odd.ty.base.name()
                        ),
                    ));
                }
                // Arguments after the first that is always set are never reached.
                if let Some(first_set) = args.iter().position(|a| !a.ty.optional) {
                    args.truncate(first_set + 1);
                }
                let optional = args.iter().all(|a| a.ty.optional);
                if args.len() == 1 {
                    args.remove(0)
                } else {
                    Expr {
                        kind: ExprKind::Coalesce(args),
                        ty: Ty { base, optional },
                    }
                }
            }
            "ite" => {
                arity(3)?;
                let when_false = args.pop();
                let when_true = args.pop();
                let condition = typed(args, &[Base::Bool])?.pop();
                let (Some(condition), Some(when_true), Some(when_false)) =
                    (condition, when_true, when_false)
                else {
                    unreachable!("arity checked")
                };
                if when_true.ty.base != when_false.ty.base {
                    return Err(self.error(
                        location,
                        format!(
                            "the `ite` branches must share one type, found {} and {}",
                            when_true.ty.name(),
                            when_false.ty.name()
                        ),
                    ));
                }
                let ty = Ty {
                    base: when_true.ty.base,
                    optional: when_true.ty.optional || when_false.ty.optional,
                };
                Expr {
                    kind: ExprKind::Ite(
                        Box::new(condition),
                        Box::new(when_true),
                        Box::new(when_false),
                    ),
                    ty,
                }
            }
            "parseURL" => library("parse_url", maybe(Base::Url), typed(args, &[Base::Str])?),
            "substring" => library(
                "substring",
                maybe(Base::Str),
                typed(args, &[Base::Str, Base::Int, Base::Int, Base::Bool])?,
            ),
            "uriEncode" => library("uri_encode", set(Base::Str), typed(args, &[Base::Str])?),
            "isValidHostLabel" => library(
                "is_valid_host_label",
                set(Base::Bool),
                typed(args, &[Base::Str, Base::Bool])?,
            ),
            "split" => Expr {
                kind: ExprKind::Split {
                    args: typed(args, &[Base::Str, Base::Str, Base::Int])?,
                    location: location.to_string(),
                },
                ty: set(Base::StrArray),
            },
            "aws.partition" => library(
                "partition",
                set(Base::Partition),
                typed(args, &[Base::Str])?,
            ),
            "aws.parseArn" => library("parse_arn", maybe(Base::Arn), typed(args, &[Base::Str])?),
            "aws.isVirtualHostableS3Bucket" => library(
                "is_virtual_hostable_s3_bucket",
                set(Base::Bool),
                typed(args, &[Base::Str, Base::Bool])?,
            ),
            other => {
                return Err(self.error(
                    location,
                    format!(
                        "unknown function `{other}` (supported: booleanEquals, coalesce, getAttr, isSet, isValidHostLabel, ite, not, parseURL, split, stringEquals, substring, uriEncode, aws.partition, aws.parseArn, aws.isVirtualHostableS3Bucket)"
                    ),
                ));
            }
        })
    }
}
