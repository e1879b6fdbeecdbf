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
