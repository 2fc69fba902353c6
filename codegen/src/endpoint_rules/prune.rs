//! Pruning: rules after one that always applies, bindings nothing reads and conditions that
//! can neither fail nor err are dropped.

use std::collections::BTreeSet;

use super::*;

/// Drops the rules after one that always applies, and in each rule the bindings nothing reads
/// and then the conditions that can neither fail nor err. Returns what is left and the
/// variables it reads from outside (the parameters, at the top).
pub(super) fn prune_list(rules: Vec<Rule>) -> (Vec<Rule>, BTreeSet<String>) {
    let mut kept = Vec::with_capacity(rules.len());
    let mut free = BTreeSet::new();
    for rule in rules {
        let always = rule.always_applies();
        let (rule, reads) = prune_rule(rule);
        free.extend(reads);
        kept.push(rule);
        if always {
            break;
        }
    }
    (kept, free)
}

pub(super) fn prune_rule(rule: Rule) -> (Rule, BTreeSet<String>) {
    let mut needed = BTreeSet::new();
    let body = match rule.body {
        Body::Tree(rules) => {
            let (rules, free) = prune_list(rules);
            needed = free;
            Body::Tree(rules)
        }
        Body::Endpoint(url) => {
            url.reads(&mut needed);
            Body::Endpoint(url)
        }
        Body::Error(message) => {
            message.reads(&mut needed);
            Body::Error(message)
        }
    };
    let mut conditions = Vec::with_capacity(rule.conditions.len());
    for mut condition in rule.conditions.into_iter().rev() {
        // A binding nothing later in the rule reads binds nothing.
        if let Some(var) = &condition.bind
            && !needed.remove(var)
        {
            condition.bind = None;
        }
        if condition.bind.is_none() && !condition.can_fail() && !condition.value.may_err() {
            continue;
        }
        condition.value.reads(&mut needed);
        conditions.push(condition);
    }
    conditions.reverse();
    let rule = Rule {
        location: rule.location,
        conditions,
        body,
    };
    (rule, needed)
}

impl Expr {
    /// Adds the variables the expression reads.
    pub(super) fn reads(&self, out: &mut BTreeSet<String>) {
        match &self.kind {
            ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Str(_) => {}
            ExprKind::Var(var) => {
                out.insert(var.clone());
            }
            ExprKind::Template(parts) => {
                for part in parts {
                    if let Part::Value(value) = part {
                        value.reads(out);
                    }
                }
            }
            ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => base.reads(out),
            ExprKind::Unwrap { inner, .. } | ExprKind::IsSet(inner) | ExprKind::Not(inner) => {
                inner.reads(out)
            }
            ExprKind::BoolEquals(a, b) | ExprKind::StrEquals(a, b) => {
                a.reads(out);
                b.reads(out);
            }
            ExprKind::Ite(a, b, c) => {
                a.reads(out);
                b.reads(out);
                c.reads(out);
            }
            ExprKind::Coalesce(args)
            | ExprKind::Call { args, .. }
            | ExprKind::Split { args, .. } => {
                for arg in args {
                    arg.reads(out);
                }
            }
        }
    }

    /// Whether evaluating it can end resolution with an error (an unset value where one is
    /// needed, a bad `split`).
    pub fn may_err(&self) -> bool {
        match &self.kind {
            ExprKind::Unwrap { .. } | ExprKind::Split { .. } => true,
            ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Str(_) | ExprKind::Var(_) => false,
            ExprKind::Template(parts) => parts
                .iter()
                .any(|p| matches!(p, Part::Value(v) if v.may_err())),
            ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => base.may_err(),
            ExprKind::IsSet(inner) | ExprKind::Not(inner) => inner.may_err(),
            ExprKind::BoolEquals(a, b) | ExprKind::StrEquals(a, b) => a.may_err() || b.may_err(),
            ExprKind::Ite(a, b, c) => a.may_err() || b.may_err() || c.may_err(),
            ExprKind::Coalesce(args) | ExprKind::Call { args, .. } => {
                args.iter().any(Expr::may_err)
            }
        }
    }
}

/// `expr`, set: unchanged when it always is, else unwrapped with a run-time error.
pub(super) fn unwrap(expr: Expr, message: String) -> Expr {
    if !expr.ty.optional {
        return expr;
    }
    let ty = Ty::set(expr.ty.base);
    Expr {
        kind: ExprKind::Unwrap {
            inner: Box::new(expr),
            message: format!("endpoint resolution failed: {message}"),
        },
        ty,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// Lowers `rules` under one string parameter `Region` (pruning is part of lowering).
    fn lowered(rules: serde_json::Value) -> super::Rules {
        super::lower(
            "example#Svc",
            &json!({
                "version": "1.0",
                "parameters": {"Region": {"type": "string", "builtIn": "AWS::Region", "required": false}},
                "rules": rules
            }),
        )
        .unwrap()
    }

    #[test]
    fn rules_after_one_that_always_applies_are_dropped() {
        let rules = lowered(json!([
            {"type": "error", "conditions": [], "error": "first"},
            {"type": "error", "conditions": [], "error": "never tried"}
        ]));
        assert_eq!(rules.rules.len(), 1);
        assert!(rules.rules[0].always_applies());
    }

    #[test]
    fn a_binding_nothing_reads_goes_and_so_does_a_parameter_nobody_reads() {
        let rules = lowered(json!([
            {"type": "endpoint",
             "conditions": [
                {"fn": "isSet", "argv": [{"ref": "Region"}]},
                {"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "Unread"}
             ],
             "endpoint": {"url": "https://svc.{Region}.example.com"}},
            {"type": "error", "conditions": [], "error": "Missing Region"}
        ]));
        // `aws.partition` of a set region always answers, and nothing reads what it binds:
        // it goes; the `isSet` check, which can fail, stays.
        assert_eq!(rules.rules[0].conditions.len(), 1);
        assert_eq!(rules.params.len(), 1);
        // Rules that read no parameter leave none to pass.
        let unread = lowered(json!([
            {"type": "error", "conditions": [], "error": "always"}
        ]));
        assert!(unread.params.is_empty());
    }
}
