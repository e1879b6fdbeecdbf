//! CloudFormation's per-stack quotas, checked at synth time with a count of what is over.

use std::collections::BTreeMap;

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

/// What the quotas are checked against, counted from a stack's rendered sections (synthesis
/// keeps a template as text once it is written).
#[derive(Debug, Default)]
pub(crate) struct Counts {
    resources: usize,
    /// Resources by type, most first, counted only when there are too many.
    by_type: Vec<(String, usize)>,
    parameters: usize,
    mappings: usize,
}

impl Counts {
    /// The number of resources.
    pub(crate) fn resources(&self) -> usize {
        self.resources
    }

    /// The counts of a stack's sections as synthesis renders them.
    pub(crate) fn of_sections(sections: &crate::synth::render::Sections) -> Counts {
        let resources = sections.resources.len();
        let mut by_type = Vec::new();
        if resources > MAX_RESOURCES {
            let mut counted: BTreeMap<&str, usize> = BTreeMap::new();
            for resource in sections.resources.values() {
                let t = resource
                    .as_object()
                    .and_then(|r| r.get("Type"))
                    .and_then(crate::value::Value::as_str)
                    .unwrap_or("?");
                *counted.entry(t).or_default() += 1;
            }
            by_type = counted
                .into_iter()
                .map(|(t, n)| (t.to_owned(), n))
                .collect();
            by_type.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        Counts {
            resources,
            by_type,
            parameters: sections.parameters.len(),
            mappings: sections.mappings.len(),
        }
    }
}

/// Checks one stack's template: `counts` of its sections, its number of `outputs` and its
/// `size`, the minified JSON size, which is what the runner uploads.
pub(crate) fn check(
    path: &str,
    counts: &Counts,
    outputs: usize,
    size: usize,
    diags: &mut Diagnostics,
) {
    if counts.resources > MAX_RESOURCES {
        let listed: Vec<String> = counts
            .by_type
            .iter()
            .map(|(t, n)| format!("{n} {t}"))
            .collect();
        diags.push(
            Diagnostic::error(
                codes::TOO_MANY_RESOURCES,
                path,
                format!(
                    "the stack has {} resources, more than CloudFormation's {MAX_RESOURCES}: {}",
                    counts.resources,
                    listed.join(", ")
                ),
            )
            .with_hint(
                "split it into several stacks; references between them are exported automatically",
            ),
        );
    }
    for (name, count, max) in [
        ("parameters", counts.parameters, MAX_PARAMETERS),
        ("outputs", outputs, MAX_OUTPUTS),
        ("mappings", counts.mappings, MAX_MAPPINGS),
    ] {
        if count > max {
            diags.push(
                Diagnostic::error(
                    codes::TOO_MANY_ELEMENTS,
                    path,
                    format!("the stack has {count} {name}, more than CloudFormation's {max}"),
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
