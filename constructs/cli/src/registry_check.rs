//! Escape hatches checked like typed code: every resource of every synthesized template,
//! whatever wrote it (an L1 or L2 construct, a `RawResource`, a property override, a JSON
//! patch), is checked against the registry `cirrus-cfn` generates from the CloudFormation
//! resource specification: a known type, known property names, the required properties.
//!
//! It runs on the templates rather than in `cirrus-core` because the registry lives in
//! `cirrus-cfn`, which depends on the core; the templates are also where overrides and patches
//! have landed. A type the registry does not hold (a service the library does not generate yet,
//! a third-party or newer type) is allowed only when the resource says so, with why, in its
//! metadata (`ResourceRef::outside_registry(why)`), which reviewers see in the template.

use cirrus_cfn::registry;
use cirrus_core::{Diagnostic, OUTSIDE_REGISTRY, StackArtifact, Synthesized, codes};
use serde_json::Value as J;

/// The problems of every template of `app`.
pub(crate) fn check(app: &Synthesized) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stack in &app.stacks {
        if let Some(resources) = stack.template.get("Resources").and_then(J::as_object) {
            for (logical_id, resource) in resources {
                check_resource(stack, logical_id, resource, &mut out);
            }
        }
    }
    out
}

fn check_resource(
    stack: &StackArtifact,
    logical_id: &str,
    resource: &J,
    out: &mut Vec<Diagnostic>,
) {
    let path = stack
        .path_of(logical_id)
        .map_or_else(|| format!("{}/{logical_id}", stack.id), str::to_owned);
    let type_name = resource.get("Type").and_then(J::as_str).unwrap_or_default();
    let Some(info) = registry::lookup(type_name) else {
        let declared = resource
            .pointer(&format!("/Metadata/{OUTSIDE_REGISTRY}"))
            .and_then(J::as_str)
            .is_some_and(|why| !why.trim().is_empty());
        if declared {
            return;
        }
        let service = service_of(type_name);
        let known: Vec<&str> = registry::all()
            .iter()
            .map(|t| t.type_name)
            .filter(|t| service_of(t) == service)
            .collect();
        let diagnostic = if known.is_empty() {
            Diagnostic::error(
                codes::REGISTRY_TYPE_UNKNOWN,
                path,
                format!("{type_name} is outside the registry of resource types this library checks against"),
            )
            .with_hint(
                "if the type is right (a service without typed resources here, a newer or third-party type), say so with the resource's outside_registry(\"<why>\")",
            )
        } else {
            let closest = closest(type_name, known.iter().copied());
            Diagnostic::error(
                codes::REGISTRY_TYPE_UNKNOWN,
                path,
                format!("{type_name} is not a resource type of {service}"),
            )
            .with_hint(format!("did you mean {closest}?"))
        };
        out.push(diagnostic);
        return;
    };
    let Some(properties) = resource.get("Properties").and_then(J::as_object) else {
        // No properties, or an intrinsic in their place (`Fn::If`): only the required ones can
        // be missing.
        if resource.get("Properties").is_none() {
            missing(info, &serde_json::Map::new(), &path, out);
        }
        return;
    };
    for name in properties.keys() {
        if info.property(name).is_none() {
            let closest = closest(name, info.properties.iter().map(|p| p.name));
            out.push(
                Diagnostic::error(
                    codes::REGISTRY_PROPERTY_UNKNOWN,
                    path.clone(),
                    format!("{type_name} has no property {name}"),
                )
                .with_hint(format!("did you mean {closest}?")),
            );
        }
    }
    missing(info, properties, &path, out);
}

/// Reports each required property of `info` that `properties` lacks.
fn missing(
    info: &registry::ResourceInfo,
    properties: &serde_json::Map<String, J>,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    for required in info.properties.iter().filter(|p| p.required) {
        if !properties.contains_key(required.name) {
            out.push(
                Diagnostic::error(
                    codes::REGISTRY_PROPERTY_MISSING,
                    path,
                    format!("{} needs the property {}", info.type_name, required.name),
                )
                .with_hint("set it (CloudFormation refuses the resource without it)"),
            );
        }
    }
}

/// `AWS::S3` of `AWS::S3::Bucket`.
fn service_of(type_name: &str) -> &str {
    type_name
        .rsplit_once("::")
        .map_or(type_name, |(service, _)| service)
}

/// The candidate nearest to `word` by edit distance, case ignored.
fn closest<'c>(word: &str, candidates: impl Iterator<Item = &'c str>) -> &'c str {
    candidates
        .min_by_key(|c| distance(&word.to_ascii_lowercase(), &c.to_ascii_lowercase()))
        .unwrap_or_default()
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use cirrus_core::{App, RawResource, StackProps, value};

    fn problems(build: impl FnOnce(cirrus_core::Stack<'_>)) -> Vec<(String, String, String)> {
        let app = App::new("t");
        let stack = app.stack("S", StackProps::default());
        build(stack);
        let synth = app
            .synth()
            .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        check(&synth)
            .into_iter()
            .map(|d| {
                (
                    d.code.id().to_owned(),
                    d.path.clone(),
                    format!("{} / {}", d.message, d.hint.unwrap_or_default()),
                )
            })
            .collect()
    }

    #[test]
    fn typos_in_types_and_properties_and_missing_ones_are_found() {
        let found = problems(|s| {
            s.add("Topic", RawResource::new("AWS::SNS::Topics", value!({})));
            s.add(
                "Queue",
                RawResource::new("AWS::SQS::Queue", value!({"VisiblityTimeout": 30})),
            );
            s.add(
                "Rule",
                RawResource::new("AWS::EC2::SecurityGroupIngress", value!({})),
            );
        });
        assert_eq!(found.len(), 3, "{found:#?}");
        assert_eq!(found[0].0, "CORE-074");
        assert_eq!(found[0].1, "S/Topic");
        assert!(
            found[0].2.contains("did you mean AWS::SNS::Topic?"),
            "{found:?}"
        );
        assert_eq!(found[1].0, "CORE-075");
        assert!(
            found[1].2.contains("did you mean VisibilityTimeout?"),
            "{found:?}"
        );
        assert_eq!(found[2].0, "CORE-076");
        assert!(
            found[2].2.contains("needs the property IpProtocol"),
            "{found:?}"
        );
    }

    #[test]
    fn a_type_outside_the_registry_needs_a_reason() {
        let found = problems(|s| {
            s.add("Fs", RawResource::new("AWS::EFS::FileSystem", value!({})));
        });
        assert_eq!(found.len(), 1);
        assert!(found[0].2.contains("outside the registry"), "{found:?}");
        let found = problems(|s| {
            let fs = s.add("Fs", RawResource::new("AWS::EFS::FileSystem", value!({})));
            fs.outside_registry("EFS has no typed resources here yet");
        });
        assert_eq!(found, []);
    }

    #[test]
    fn correct_resources_pass() {
        let found = problems(|s| {
            s.add(
                "Topic",
                RawResource::new("AWS::SNS::Topic", value!({"TopicName": "t"})),
            );
            s.add(
                "Rule",
                RawResource::new(
                    "AWS::EC2::SecurityGroupIngress",
                    value!({"IpProtocol": "tcp", "GroupId": "sg-0123", "CidrIp": "10.0.0.0/8"}),
                ),
            );
        });
        assert_eq!(found, []);
    }
}
