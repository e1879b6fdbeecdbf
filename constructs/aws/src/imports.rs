//! What the `from_*` functions share: building an ARN from an imported name that may be a
//! literal or an expression.

use cirrus_core::{Expr, fns};

/// `template` (a `Fn::Sub` template naming the imported value as `${Name}`) with `name` in
/// it: inlined when `name` is a literal, so that the template reads as if written by hand, and
/// a `Fn::Sub` variable otherwise.
pub(crate) fn sub_name(template: &str, name: &Expr<String>) -> Expr<String> {
    match name.as_literal() {
        Some(literal) => fns::sub(&template.replace("${Name}", literal), []),
        None => fns::sub(template, [("Name", name.clone())]),
    }
}

/// The region and account of a literal ARN (`arn:<partition>:<service>:<region>:<account>:...`),
/// each `None` when the ARN leaves it empty (S3 buckets, IAM) or is not a literal.
pub(crate) fn arn_place(arn: &Expr<String>) -> (Option<String>, Option<String>) {
    let Some(literal) = arn.as_literal() else {
        return (None, None);
    };
    let parts: Vec<&str> = literal.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return (None, None);
    }
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    (some(parts[3]), some(parts[4]))
}
