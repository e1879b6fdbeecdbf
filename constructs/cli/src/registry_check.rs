//! Escape hatches checked like typed code: every resource of every synthesized template,
//! whatever wrote it (an L1 or L2 construct, a `RawResource`, a property override, a JSON
//! patch), is checked against the registry `cirrus-cfn` generates from the CloudFormation
//! resource specification: a known type, known property names, the required properties, and
//! every literal value against the shape the spec gives it, down through nested property types
//! (a list where a list belongs, the properties a property type has and requires, a number
//! where a number belongs) and against the values the spec allows (a log group's retention
//! days, an enum's `Other` variant). An intrinsic function stands for a value known only at
//! deploy time, so it passes; both branches of an `Fn::If` are checked.
//!
//! It runs on the templates rather than in `cirrus-core` because the registry lives in
//! `cirrus-cfn`, which depends on the core; the templates are also where overrides and patches
//! have landed. A type the registry does not hold (a service the library does not generate yet,
//! a third-party or newer type) is allowed only when the resource says so, with why, in its
//! metadata (`ResourceRef::outside_registry(why)`), which reviewers see in the template. The
//! same declaration on a resource of a known type turns the registry's checks off for it: the
//! way through for a property or value newer than the spec.

use cirrus_cfn::registry::{self, Shape, StructInfo};
use cirrus_core::{Diagnostic, Intrinsic, OUTSIDE_REGISTRY, StackResources, Value, codes, suggest};
use indexmap::IndexMap;

/// The problems of one stack's resources. The runner adds it to every app it synthesizes
/// ([`App::add_resource_check`](cirrus_core::App::add_resource_check)), so that it reads the
/// resources while synthesis holds them as values (references not resolved yet: a
/// [`Value::Fn`] passes, as its `Ref` or `Fn::GetAtt` would).
pub(crate) fn check(stack: &StackResources<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (logical_id, resource) in stack.resources() {
        check_resource(stack, logical_id, resource, &mut out);
    }
    out
}

fn check_resource(
    stack: &StackResources<'_>,
    logical_id: &str,
    resource: &Value,
    out: &mut Vec<Diagnostic>,
) {
    let path = stack.path_of(logical_id).map_or_else(
        || format!("{}/{logical_id}", stack.stack_id()),
        str::to_owned,
    );
    let entry = resource.as_object();
    let field = |name: &str| entry.and_then(|e| e.get(name));
    let type_name = field("Type").and_then(Value::as_str).unwrap_or_default();
    let declared = field("Metadata")
        .and_then(Value::as_object)
        .and_then(|m| m.get(OUTSIDE_REGISTRY))
        .and_then(Value::as_str)
        .is_some_and(|why| !why.trim().is_empty());
    if declared {
        return;
    }
    let Some(info) = registry::lookup(type_name) else {
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
    let Some(properties) = field("Properties").and_then(Value::as_object) else {
        // No properties, or an intrinsic in their place (`Fn::If`): only the required ones can
        // be missing.
        if field("Properties").is_none() {
            missing(info, &IndexMap::new(), &path, out);
        }
        return;
    };
    for (name, value) in properties {
        if let Some(property) = info.property(name) {
            let mut at = Place {
                type_name,
                path: &path,
                property: name.clone(),
                out,
            };
            at.check(property.shape, value);
        } else {
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
    properties: &IndexMap<String, Value>,
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

/// Where a value is checked: the resource and the property path down to it
/// (`LoggingConfiguration.DestinationBucketName`, `Rules[0].Status`).
struct Place<'a> {
    type_name: &'a str,
    path: &'a str,
    property: String,
    out: &'a mut Vec<Diagnostic>,
}

impl Place<'_> {
    /// Checks `value` against `shape`, and what it holds against what the shape holds.
    fn check(&mut self, shape: Shape, value: &Value) {
        if let Value::Fn(function) = value {
            if let Intrinsic::If {
                then, otherwise, ..
            } = function.as_ref()
            {
                self.check(shape, then);
                self.check(shape, otherwise);
            }
            return;
        }
        if let Some((function, args)) = intrinsic(value) {
            if function == "Fn::If"
                && let Value::Array(branches) = args
                && branches.len() == 3
            {
                self.check(shape, &branches[1]);
                self.check(shape, &branches[2]);
            }
            return;
        }
        match shape {
            Shape::String | Shape::DateTime => {
                if !scalar(value) {
                    self.wrong(value, "a string");
                }
            }
            Shape::StringOf(allowed) => {
                if !scalar(value) {
                    self.wrong(value, "a string");
                } else {
                    let text = text_of(value);
                    if !allowed.contains(&text.as_str()) {
                        let closest = closest(&text, allowed.iter().copied());
                        self.not_allowed(
                            &format!("\"{text}\""),
                            &format!(
                                "did you mean \"{closest}\"? The spec allows {}",
                                list(allowed.iter().map(|v| format!("\"{v}\"")))
                            ),
                        );
                    }
                }
            }
            Shape::Integer => {
                if integer(value).is_none() {
                    self.wrong(value, "an integer");
                }
            }
            Shape::IntegerOf(allowed) => match integer(value) {
                None => self.wrong(value, "an integer"),
                Some(n) if !allowed.contains(&n) => {
                    let nearest = allowed.iter().min_by_key(|a| a.abs_diff(n)).copied();
                    let hint = format!(
                        "{}the spec allows {}",
                        nearest.map_or_else(String::new, |a| format!("did you mean {a}? ")),
                        list(allowed.iter().map(i64::to_string))
                    );
                    self.not_allowed(&n.to_string(), &hint);
                }
                Some(_) => {}
            },
            Shape::Number => {
                let parses = matches!(value, Value::Int(_) | Value::Float(_))
                    || value
                        .as_str()
                        .is_some_and(|t| t.trim().parse::<f64>().is_ok());
                if !parses {
                    self.wrong(value, "a number");
                }
            }
            Shape::Boolean => {
                let parses = matches!(value, Value::Bool(_))
                    || value.as_str().is_some_and(|t| {
                        t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false")
                    });
                if !parses {
                    self.wrong(value, "a boolean");
                }
            }
            Shape::Json => {}
            Shape::Tag => match value.as_object() {
                Some(tag) if tag.contains_key("Key") && tag.contains_key("Value") => {}
                _ => self.wrong(value, "a tag ({\"Key\": ..., \"Value\": ...})"),
            },
            Shape::List(inner) => match value {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.inside(&format!("[{i}]"), |at| at.check(*inner, item));
                    }
                }
                _ => self.wrong(value, "a list"),
            },
            Shape::Map(inner) => match value.as_object() {
                Some(entries) => {
                    for (key, item) in entries {
                        self.inside(&format!(".{key}"), |at| at.check(*inner, item));
                    }
                }
                None => self.wrong(value, "an object"),
            },
            Shape::Struct(info) => match value.as_object() {
                Some(fields) => self.check_struct(info, fields),
                None => self.wrong(value, &format!("an object ({})", info.name)),
            },
            Shape::Union(shapes) => {
                let fits = shapes.iter().any(|s| {
                    let mut scratch = Vec::new();
                    let mut at = Place {
                        type_name: self.type_name,
                        path: self.path,
                        property: self.property.clone(),
                        out: &mut scratch,
                    };
                    at.check(*s, value);
                    scratch.is_empty()
                });
                if !fits {
                    self.wrong(value, "a value of one of the shapes the spec allows here");
                }
            }
        }
    }

    fn check_struct(&mut self, info: &StructInfo, fields: &IndexMap<String, Value>) {
        for (name, value) in fields {
            match info.field(name) {
                Some(field) => self.inside(&format!(".{name}"), |at| at.check(field.shape, value)),
                None => {
                    let closest = closest(name, info.fields.iter().map(|f| f.name));
                    self.out.push(
                        Diagnostic::error(
                            codes::REGISTRY_PROPERTY_UNKNOWN,
                            self.path,
                            format!(
                                "{} of {} ({}) has no property {name}",
                                self.property, self.type_name, info.name
                            ),
                        )
                        .with_hint(format!("did you mean {closest}?")),
                    );
                }
            }
        }
        for required in info.fields.iter().filter(|f| f.required) {
            if !fields.contains_key(required.name) {
                self.out.push(
                    Diagnostic::error(
                        codes::REGISTRY_PROPERTY_MISSING,
                        self.path,
                        format!(
                            "{} of {} ({}) needs the property {}",
                            self.property, self.type_name, info.name, required.name
                        ),
                    )
                    .with_hint("set it (CloudFormation refuses the resource without it)"),
                );
            }
        }
    }

    /// Runs `f` with `step` added to the property path.
    fn inside(&mut self, step: &str, f: impl FnOnce(&mut Self)) {
        let len = self.property.len();
        self.property.push_str(step);
        f(self);
        self.property.truncate(len);
    }

    fn wrong(&mut self, value: &Value, expected: &str) {
        self.out.push(
            Diagnostic::error(
                codes::REGISTRY_VALUE_SHAPE,
                self.path,
                format!(
                    "{} of {} is {}, where {} takes {expected}",
                    self.property,
                    self.type_name,
                    described(value),
                    self.type_name
                ),
            )
            .with_hint(format!(
                "give {expected}, or an intrinsic function that resolves to one"
            )),
        );
    }

    fn not_allowed(&mut self, value: &str, hint: &str) {
        self.out.push(
            Diagnostic::error(
                codes::REGISTRY_VALUE_NOT_ALLOWED,
                self.path,
                format!(
                    "{} of {} is {value}, which is not among the values the spec allows",
                    self.property, self.type_name
                ),
            )
            .with_hint(format!(
                "{hint}; if AWS accepts the value now (it is newer than the spec), say so with the resource's outside_registry(\"<why>\")"
            )),
        );
    }
}

/// `{"Ref": ..}` or `{"Fn::...": ..}` written as JSON (a raw resource, an override): the
/// function's name and arguments.
fn intrinsic(value: &Value) -> Option<(&str, &Value)> {
    let object = value.as_object()?;
    if object.len() != 1 {
        return None;
    }
    let (key, args) = object.iter().next()?;
    (key == "Ref" || key.starts_with("Fn::")).then_some((key.as_str(), args))
}

/// A string, number or boolean: what CloudFormation takes as a string.
fn scalar(value: &Value) -> bool {
    matches!(
        value,
        Value::String(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_)
    )
}

/// The text CloudFormation makes of a scalar, as the template writes it.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(t) => t.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or_else(|| f.to_string(), |n| n.to_string())
        }
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
        other => other.kind().to_owned(),
    }
}

/// An integer, or a string of one.
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Int(i) => Some(*i),
        Value::String(t) => t.trim().parse().ok(),
        _ => None,
    }
}

/// How a value reads in a message: short, with its kind.
fn described(value: &Value) -> String {
    match value {
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        Value::String(t) if t.chars().count() <= 40 => format!("\"{t}\""),
        Value::String(_) => "a string".to_owned(),
        other => text_of(other),
    }
}

/// `a, b or c`, shortened past twelve items.
fn list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    let shown: Vec<&str> = items.iter().take(12).map(String::as_str).collect();
    let more = items.len().saturating_sub(shown.len());
    let mut text = match shown.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_owned(),
        None => String::new(),
    };
    if more > 0 {
        text.push_str(&format!(" (and {more} more)"));
    }
    text
}

/// `AWS::S3` of `AWS::S3::Bucket`.
fn service_of(type_name: &str) -> &str {
    type_name
        .rsplit_once("::")
        .map_or(type_name, |(service, _)| service)
}

/// The candidate nearest to `word` by edit distance, case ignored (`cirrus_core::suggest`
/// compares exactly; property and type names are mistyped in case too).
fn closest<'c>(word: &str, candidates: impl Iterator<Item = &'c str>) -> &'c str {
    let word = word.to_ascii_lowercase();
    candidates
        .min_by_key(|c| suggest::distance(&word, &c.to_ascii_lowercase()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cirrus_core::{App, RawResource, StackProps, value};

    fn problems(build: impl FnOnce(cirrus_core::Stack<'_>)) -> Vec<(String, String, String)> {
        let app = App::new("t");
        let stack = app.stack("S", StackProps::default());
        build(stack);
        app.add_resource_check(check);
        let diagnostics = match app.synth() {
            Ok(synth) => synth.warnings,
            Err(e) => e.diagnostics.into_iter().collect(),
        };
        diagnostics
            .into_iter()
            // This check's diagnostics only, not synthesis's own.
            .filter(|d| {
                [
                    codes::REGISTRY_TYPE_UNKNOWN,
                    codes::REGISTRY_PROPERTY_UNKNOWN,
                    codes::REGISTRY_PROPERTY_MISSING,
                    codes::REGISTRY_VALUE_SHAPE,
                    codes::REGISTRY_VALUE_NOT_ALLOWED,
                ]
                .iter()
                .any(|c| d.code == *c)
            })
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
        // Synthesis reports them by path.
        assert_eq!(found.len(), 3, "{found:#?}");
        assert_eq!(found[0].0, "CORE-075");
        assert_eq!(found[0].1, "S/Queue");
        assert!(
            found[0].2.contains("did you mean VisibilityTimeout?"),
            "{found:?}"
        );
        assert_eq!(found[1].0, "CORE-076");
        assert!(
            found[1].2.contains("needs the property IpProtocol"),
            "{found:?}"
        );
        assert_eq!(found[2].0, "CORE-074");
        assert_eq!(found[2].1, "S/Topic");
        assert!(
            found[2].2.contains("did you mean AWS::SNS::Topic?"),
            "{found:?}"
        );
    }

    #[test]
    fn a_type_outside_the_registry_needs_a_reason() {
        let found = problems(|s| {
            s.add(
                "Table",
                RawResource::new("AWS::DynamoDB::Table", value!({})),
            );
        });
        assert_eq!(found.len(), 1);
        assert!(found[0].2.contains("outside the registry"), "{found:?}");
        let found = problems(|s| {
            let table = s.add(
                "Table",
                RawResource::new("AWS::DynamoDB::Table", value!({})),
            );
            table.outside_registry("DynamoDB has no typed resources here yet");
        });
        assert_eq!(found, []);
    }

    #[test]
    fn values_are_checked_down_through_property_types() {
        let found = problems(|s| {
            s.add(
                "Bucket",
                RawResource::new(
                    "AWS::S3::Bucket",
                    value!({
                        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kmss"}}
                        ]},
                        "VersioningConfiguration": "Enabled",
                        "LifecycleConfiguration": {"Rules": {"Status": "Enabled"}},
                        "PublicAccessBlockConfiguration": {"BlockPublicAcl": true},
                        "OwnershipControls": {}
                    }),
                ),
            );
        });
        let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            codes,
            ["CORE-079", "CORE-078", "CORE-078", "CORE-075", "CORE-076"],
            "{found:#?}"
        );
        assert!(found.iter().all(|f| f.1 == "S/Bucket"));
        assert!(
            found[0].2.starts_with("BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm of AWS::S3::Bucket is \"aws:kmss\""),
            "{found:?}"
        );
        assert!(
            found[0].2.contains("did you mean \"aws:kms\"?"),
            "{found:?}"
        );
        assert!(
            found[2].2.starts_with("LifecycleConfiguration.Rules of AWS::S3::Bucket is an object, where AWS::S3::Bucket takes a list"),
            "{found:?}"
        );
        assert!(
            found[3].2.contains("PublicAccessBlockConfiguration of AWS::S3::Bucket (PublicAccessBlockConfiguration) has no property BlockPublicAcl / did you mean BlockPublicAcls?"),
            "{found:?}"
        );
        assert!(
            found[4].2.contains(
                "OwnershipControls of AWS::S3::Bucket (OwnershipControls) needs the property Rules"
            ),
            "{found:?}"
        );
        assert!(
            found[1].2.starts_with("VersioningConfiguration of AWS::S3::Bucket is \"Enabled\", where AWS::S3::Bucket takes an object (VersioningConfiguration)"),
            "{found:?}"
        );
    }

    #[test]
    fn allowed_integers_overrides_and_conditions_are_checked() {
        let found = problems(|s| {
            let logs = s.add(
                "Logs",
                RawResource::new("AWS::Logs::LogGroup", value!({"RetentionInDays": 42})),
            );
            let other = s.add("Other", RawResource::new("AWS::Logs::LogGroup", value!({})));
            other.add_property_override("/LogGroupClass", "ARCHIVE");
            let third = s.add(
                "Third",
                RawResource::new(
                    "AWS::Logs::LogGroup",
                    value!({"RetentionInDays": {"Fn::If": ["Long", 400, 4000]}}),
                ),
            );
            let _ = (logs, third);
        });
        assert_eq!(found.len(), 3, "{found:#?}");
        assert_eq!(
            (found[0].0.as_str(), found[0].1.as_str()),
            ("CORE-079", "S/Logs")
        );
        assert!(
            found[0].2.starts_with("RetentionInDays of AWS::Logs::LogGroup is 42, which is not among the values the spec allows / did you mean 30? the spec allows 1, 3, 5"),
            "{found:?}"
        );
        assert!(found[0].2.contains("outside_registry"), "{found:?}");
        assert_eq!(
            (found[1].0.as_str(), found[1].1.as_str()),
            ("CORE-079", "S/Other")
        );
        assert!(
            found[1].2.contains("\"STANDARD\", \"INFREQUENT_ACCESS\""),
            "{found:?}"
        );
        assert_eq!(
            (found[2].0.as_str(), found[2].1.as_str()),
            ("CORE-079", "S/Third")
        );
        assert!(found[2].2.contains("is 4000"), "{found:?}");
    }

    #[test]
    fn intrinsics_coerced_scalars_and_declared_resources_pass() {
        let found = problems(|s| {
            s.add(
                "Logs",
                RawResource::new(
                    "AWS::Logs::LogGroup",
                    value!({"RetentionInDays": "365", "LogGroupName": {"Fn::Sub": "${AWS::StackName}-logs"}}),
                ),
            );
            s.add(
                "Bucket",
                RawResource::new(
                    "AWS::S3::Bucket",
                    value!({
                        "VersioningConfiguration": {"Status": {"Ref": "AWS::NoValue"}},
                        "PublicAccessBlockConfiguration": {"BlockPublicAcls": "true", "IgnorePublicAcls": true},
                        "Tags": [{"Key": "app", "Value": "t"}]
                    }),
                ),
            );
            let newer = s.add(
                "Newer",
                RawResource::new("AWS::Logs::LogGroup", value!({"RetentionInDays": 4000})),
            );
            newer.outside_registry("AWS accepts 4000 days since the spec was taken");
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
