//! CloudFormation's per-stack quotas, checked at synth time with a count of what is over.

use std::collections::BTreeMap;

use serde_json::Value as J;

use crate::codes;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// Resources per stack.
pub const MAX_RESOURCES: usize = 500;
/// Parameters per stack.
pub const MAX_PARAMETERS: usize = 200;
/// Outputs per stack.
pub const MAX_OUTPUTS: usize = 200;
/// Mappings per stack.
pub const MAX_MAPPINGS: usize = 200;
/// Template size when deployed from S3, in bytes.
pub const MAX_TEMPLATE_BYTES: usize = 1_048_576;
/// Template size when passed in the API call itself, in bytes; larger templates must be
/// uploaded to S3 first (the runner does this).
pub const MAX_INLINE_TEMPLATE_BYTES: usize = 51_200;

/// Checks one stack's template. `size` is the minified JSON size, which is what the runner
/// uploads.
pub(crate) fn check(path: &str, template: &J, size: usize, diags: &mut Diagnostics) {
    let section = |name: &str| template.get(name).and_then(J::as_object);
    if let Some(resources) = section("Resources")
        && resources.len() > MAX_RESOURCES
    {
        let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
        for resource in resources.values() {
            let t = resource.get("Type").and_then(J::as_str).unwrap_or("?");
            *by_type.entry(t).or_default() += 1;
        }
        let mut counts: Vec<(&str, usize)> = by_type.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let listed: Vec<String> = counts.iter().map(|(t, n)| format!("{n} {t}")).collect();
        diags.push(
            Diagnostic::error(
                codes::TOO_MANY_RESOURCES,
                path,
                format!(
                    "the stack has {} resources, more than CloudFormation's {MAX_RESOURCES}: {}",
                    resources.len(),
                    listed.join(", ")
                ),
            )
            .with_hint(
                "split it into several stacks; references between them are exported automatically",
            ),
        );
    }
    for (name, max) in [
        ("Parameters", MAX_PARAMETERS),
        ("Outputs", MAX_OUTPUTS),
        ("Mappings", MAX_MAPPINGS),
    ] {
        if let Some(items) = section(name)
            && items.len() > max
        {
            diags.push(
                Diagnostic::error(
                    codes::TOO_MANY_ELEMENTS,
                    path,
                    format!(
                        "the stack has {} {}, more than CloudFormation's {max}",
                        items.len(),
                        name.to_lowercase()
                    ),
                )
                .with_hint("split it into several stacks"),
            );
        }
    }
    if size > MAX_TEMPLATE_BYTES {
        diags.push(
            Diagnostic::error(
                codes::TEMPLATE_TOO_LARGE,
                path,
                format!(
                    "the template is {size} bytes, more than CloudFormation's {MAX_TEMPLATE_BYTES}"
                ),
            )
            .with_hint("split it into several stacks"),
        );
    } else if size > MAX_INLINE_TEMPLATE_BYTES {
        diags.push(Diagnostic::warning(codes::TEMPLATE_NEEDS_S3,
            path,
            format!(
                "the template is {size} bytes, more than {MAX_INLINE_TEMPLATE_BYTES}: it must be deployed through S3 (the deploy runner uploads it to the bootstrap bucket)"
            ),
        ));
    }
}
