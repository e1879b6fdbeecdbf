//! The difference between a deployed template and a synthesized one: per resource Add /
//! Modify / Remove with the properties that change, which changes replace the resource
//! (from the resource-type registry, the generated spec data), and which removed resources are
//! kept in the account ("orphaned") because their `DeletionPolicy` retains them.
//!
//! `diff` prints it; `deploy` prints it before it deploys and derives the approval rules
//! from it (`approval`).

use cirrus_cfn::registry::{self, Replacement};
use serde_json::{Map, Value as J};

/// What happens to an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// It is new.
    Add,
    /// It changes.
    Modify,
    /// It goes away.
    Remove,
}

impl Action {
    fn marker(self) -> &'static str {
        match self {
            Action::Add => "[+]",
            Action::Modify => "[~]",
            Action::Remove => "[-]",
        }
    }
}

/// Whether a change replaces the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Replaces {
    /// Updated in place.
    No,
    /// Replaced for some changes; CloudFormation decides at deploy time.
    Maybe,
    /// Replaced.
    Yes,
}

/// One changed property (or resource attribute such as `DeletionPolicy`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PropertyChange {
    /// The top-level property name, or the attribute name.
    pub(crate) name: String,
    /// The deployed value.
    pub(crate) old: Option<J>,
    /// The synthesized value.
    pub(crate) new: Option<J>,
    /// Whether this change replaces the resource.
    pub(crate) replaces: Replaces,
}

/// One changed resource.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ResourceChange {
    /// The logical id.
    pub(crate) logical_id: String,
    /// The resource type (the new one when it changes).
    pub(crate) resource_type: String,
    /// Add, Modify or Remove.
    pub(crate) action: Action,
    /// The changed properties and attributes (Modify only).
    pub(crate) properties: Vec<PropertyChange>,
    /// Whether the resource is replaced (Modify only).
    pub(crate) replaces: Replaces,
    /// For Remove: the resource stays in the account. For a replacement: the old resource
    /// stays (`UpdateReplacePolicy: Retain`).
    pub(crate) orphaned: bool,
    /// The old definition (Modify, Remove).
    pub(crate) old: Option<J>,
    /// The new definition (Add, Modify).
    pub(crate) new: Option<J>,
}

/// A change outside `Resources`: an output, a parameter, a condition, a mapping, the
/// description.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OtherChange {
    /// The template section.
    pub(crate) section: String,
    /// The key in the section (empty for scalar sections such as `Description`).
    pub(crate) key: String,
    /// Add, Modify or Remove.
    pub(crate) action: Action,
    /// The deployed value.
    pub(crate) old: Option<J>,
    /// The synthesized value.
    pub(crate) new: Option<J>,
}

/// The difference between two templates.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TemplateDiff {
    /// Changed resources: in the new template's order, then the removed ones.
    pub(crate) resources: Vec<ResourceChange>,
    /// Other changes, by section.
    pub(crate) others: Vec<OtherChange>,
}

/// Resource attributes compared besides `Properties`; none of them replaces the resource.
const ATTRIBUTES: &[&str] = &[
    "Condition",
    "CreationPolicy",
    "DeletionPolicy",
    "DependsOn",
    "Metadata",
    "UpdatePolicy",
    "UpdateReplacePolicy",
];

/// Sections compared key by key besides `Resources`.
const KEYED_SECTIONS: &[&str] = &["Parameters", "Conditions", "Mappings", "Rules", "Outputs"];

fn section<'t>(template: Option<&'t J>, name: &str) -> Option<&'t Map<String, J>> {
    template?.get(name)?.as_object()
}

fn is_retained(resource: &J, attribute: &str) -> bool {
    matches!(
        resource.get(attribute).and_then(J::as_str),
        Some("Retain" | "RetainExceptOnCreate")
    )
}

impl TemplateDiff {
    /// Compares the deployed template (`None`: not deployed) with the synthesized one.
    pub(crate) fn compute(old: Option<&J>, new: &J) -> TemplateDiff {
        let empty = Map::new();
        let old_res = section(old, "Resources").unwrap_or(&empty);
        let new_res = section(Some(new), "Resources").unwrap_or(&empty);
        let mut resources = Vec::new();
        for (id, new_def) in new_res {
            let new_type = new_def.get("Type").and_then(J::as_str).unwrap_or_default();
            match old_res.get(id) {
                None => resources.push(ResourceChange {
                    logical_id: id.clone(),
                    resource_type: new_type.to_owned(),
                    action: Action::Add,
                    properties: Vec::new(),
                    replaces: Replaces::No,
                    orphaned: false,
                    old: None,
                    new: Some(new_def.clone()),
                }),
                Some(old_def) if old_def != new_def => {
                    resources.push(modified(id, old_def, new_def, new_type));
                }
                Some(_) => {}
            }
        }
        for (id, old_def) in old_res {
            if !new_res.contains_key(id) {
                resources.push(ResourceChange {
                    logical_id: id.clone(),
                    resource_type: old_def
                        .get("Type")
                        .and_then(J::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    action: Action::Remove,
                    properties: Vec::new(),
                    replaces: Replaces::No,
                    orphaned: is_retained(old_def, "DeletionPolicy"),
                    old: Some(old_def.clone()),
                    new: None,
                });
            }
        }
        let mut others = Vec::new();
        for name in KEYED_SECTIONS {
            let old_s = section(old, name).unwrap_or(&empty);
            let new_s = section(Some(new), name).unwrap_or(&empty);
            for (key, value) in new_s {
                match old_s.get(key) {
                    None => others.push(other(name, key, Action::Add, None, Some(value))),
                    Some(o) if o != value => {
                        others.push(other(name, key, Action::Modify, Some(o), Some(value)));
                    }
                    Some(_) => {}
                }
            }
            for (key, value) in old_s {
                if !new_s.contains_key(key) {
                    others.push(other(name, key, Action::Remove, Some(value), None));
                }
            }
        }
        for name in ["Description", "Transform", "AWSTemplateFormatVersion"] {
            let o = old.and_then(|t| t.get(name));
            let n = new.get(name);
            // An empty template (nothing deployed) has no format version to compare.
            if o != n && !(old.is_none() && name == "AWSTemplateFormatVersion") {
                let action = match (o, n) {
                    (None, _) => Action::Add,
                    (_, None) => Action::Remove,
                    _ => Action::Modify,
                };
                others.push(other(name, "", action, o, n));
            }
        }
        TemplateDiff { resources, others }
    }

    /// Whether the templates are the same.
    pub(crate) fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.others.is_empty()
    }

    /// Counts of added, modified and removed resources.
    pub(crate) fn counts(&self) -> (usize, usize, usize) {
        let count = |a| self.resources.iter().filter(|r| r.action == a).count();
        (
            count(Action::Add),
            count(Action::Modify),
            count(Action::Remove),
        )
    }

    /// The diff as text, one line per change; `path_of` gives a logical id's construct path.
    pub(crate) fn render(&self, path_of: &dyn Fn(&str) -> Option<String>) -> String {
        let mut out = String::new();
        if !self.resources.is_empty() {
            out.push_str("Resources\n");
        }
        for r in &self.resources {
            let name = match path_of(&r.logical_id) {
                Some(path) => format!("{path} ({})", r.logical_id),
                None => r.logical_id.clone(),
            };
            let mut line = format!("{} {} {name}", r.action.marker(), r.resource_type);
            match (r.action, r.replaces) {
                (Action::Modify, Replaces::Yes) => line.push_str(" requires replacement"),
                (Action::Modify, Replaces::Maybe) => line.push_str(" may require replacement"),
                _ => {}
            }
            if r.orphaned {
                line.push_str(match r.action {
                    Action::Remove => " will be orphaned (DeletionPolicy Retain)",
                    _ => ", the old resource will be orphaned (UpdateReplacePolicy Retain)",
                });
            }
            out.push_str(&line);
            out.push('\n');
            for p in &r.properties {
                let note = match p.replaces {
                    Replaces::Yes => " (requires replacement)",
                    Replaces::Maybe => " (may require replacement)",
                    Replaces::No => "",
                };
                out.push_str(&render_value_change(
                    &format!(" └─ {} {}{note}", marker_of(&p.old, &p.new), p.name),
                    p.old.as_ref(),
                    p.new.as_ref(),
                ));
            }
        }
        let mut current = "";
        for o in &self.others {
            if o.section != current {
                out.push_str(&o.section);
                out.push('\n');
                current = &o.section;
            }
            let head = if o.key.is_empty() {
                o.action.marker().to_owned()
            } else {
                format!("{} {}", o.action.marker(), o.key)
            };
            out.push_str(&render_value_change(&head, o.old.as_ref(), o.new.as_ref()));
        }
        out
    }
}

fn marker_of(old: &Option<J>, new: &Option<J>) -> &'static str {
    match (old, new) {
        (None, _) => Action::Add.marker(),
        (_, None) => Action::Remove.marker(),
        _ => Action::Modify.marker(),
    }
}

fn other(
    section: &str,
    key: &str,
    action: Action,
    old: Option<&J>,
    new: Option<&J>,
) -> OtherChange {
    OtherChange {
        section: section.to_owned(),
        key: key.to_owned(),
        action,
        old: old.cloned(),
        new: new.cloned(),
    }
}

fn modified(id: &str, old_def: &J, new_def: &J, new_type: &str) -> ResourceChange {
    let old_type = old_def.get("Type").and_then(J::as_str).unwrap_or_default();
    let mut properties = Vec::new();
    let empty = Map::new();
    let old_props = old_def
        .get("Properties")
        .and_then(J::as_object)
        .unwrap_or(&empty);
    let new_props = new_def
        .get("Properties")
        .and_then(J::as_object)
        .unwrap_or(&empty);
    let info = registry::lookup(new_type);
    let replaces_of = |name: &str| match info.and_then(|i| i.property(name)) {
        Some(p) => match p.replacement {
            Replacement::Never => Replaces::No,
            Replacement::Always => Replaces::Yes,
            Replacement::Conditional => Replaces::Maybe,
        },
        // A type the registry does not know, or a property it does not list: say nothing
        // rather than guess.
        None => Replaces::No,
    };
    let mut names: Vec<&String> = new_props.keys().collect();
    names.extend(old_props.keys().filter(|k| !new_props.contains_key(*k)));
    for name in names {
        let (o, n) = (old_props.get(name), new_props.get(name));
        if o != n {
            properties.push(PropertyChange {
                name: name.clone(),
                old: o.cloned(),
                new: n.cloned(),
                replaces: replaces_of(name),
            });
        }
    }
    for attr in ATTRIBUTES {
        let (o, n) = (old_def.get(*attr), new_def.get(*attr));
        if o != n {
            properties.push(PropertyChange {
                name: (*attr).to_owned(),
                old: o.cloned(),
                new: n.cloned(),
                replaces: Replaces::No,
            });
        }
    }
    let mut replaces = properties
        .iter()
        .map(|p| p.replaces)
        .max()
        .unwrap_or(Replaces::No);
    if old_type != new_type {
        replaces = Replaces::Yes;
        properties.insert(
            0,
            PropertyChange {
                name: "Type".into(),
                old: Some(J::String(old_type.to_owned())),
                new: Some(J::String(new_type.to_owned())),
                replaces: Replaces::Yes,
            },
        );
    }
    ResourceChange {
        logical_id: id.to_owned(),
        resource_type: new_type.to_owned(),
        action: Action::Modify,
        properties,
        orphaned: replaces == Replaces::Yes && is_retained(old_def, "UpdateReplacePolicy"),
        replaces,
        old: Some(old_def.clone()),
        new: Some(new_def.clone()),
    }
}

/// Short values on one line (`old -> new`), long ones as a line diff of their pretty JSON.
fn render_value_change(head: &str, old: Option<&J>, new: Option<&J>) -> String {
    const SHORT: usize = 60;
    let compact = |v: Option<&J>| v.map(|v| v.to_string());
    let (o, n) = (compact(old), compact(new));
    let short =
        o.as_ref().is_none_or(|s| s.len() <= SHORT) && n.as_ref().is_none_or(|s| s.len() <= SHORT);
    if short {
        return match (o, n) {
            (Some(o), Some(n)) => format!("{head}: {o} -> {n}\n"),
            (None, Some(n)) => format!("{head}: {n}\n"),
            (Some(o), None) => format!("{head}: {o}\n"),
            (None, None) => format!("{head}\n"),
        };
    }
    let pretty = |v: Option<&J>| {
        v.map(|v| serde_json::to_string_pretty(v).unwrap_or_default() + "\n")
            .unwrap_or_default()
    };
    let (o, n) = (pretty(old), pretty(new));
    let mut out = format!("{head}:\n");
    let diff = similar::TextDiff::from_lines(&o, &n);
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => "-",
            similar::ChangeTag::Insert => "+",
            similar::ChangeTag::Equal => " ",
        };
        out.push_str(&format!("     {sign} {}", change.value()));
        if change.missing_newline() {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn no_paths(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn equal_templates_have_no_difference() {
        let t = json!({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}});
        assert!(TemplateDiff::compute(Some(&t), &t).is_empty());
    }

    #[test]
    fn nothing_deployed_is_all_additions() {
        let t = json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"B": {"Type": "AWS::S3::Bucket"}},
            "Outputs": {"O": {"Value": "x"}}});
        let d = TemplateDiff::compute(None, &t);
        assert_eq!(d.counts(), (1, 0, 0));
        assert_eq!(
            d.render(&|id| (id == "B").then(|| "S/B".to_owned())),
            "Resources\n[+] AWS::S3::Bucket S/B (B)\nOutputs\n[+] O: {\"Value\":\"x\"}\n"
        );
    }

    #[test]
    fn replacement_comes_from_the_registry() {
        let old = json!({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "a", "Tags": []}}}});
        let new = json!({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b", "Tags": [{"Key": "k", "Value": "v"}]}}}});
        let d = TemplateDiff::compute(Some(&old), &new);
        assert_eq!(d.resources[0].replaces, Replaces::Yes);
        assert_eq!(
            d.render(&no_paths),
            "Resources\n[~] AWS::S3::Bucket B requires replacement\n └─ [~] BucketName (requires replacement): \"a\" -> \"b\"\n └─ [~] Tags: [] -> [{\"Key\":\"k\",\"Value\":\"v\"}]\n"
        );
        let tags_only = json!({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "a", "Tags": [{"Key": "k", "Value": "v"}]}}}});
        assert_eq!(
            TemplateDiff::compute(Some(&old), &tags_only).resources[0].replaces,
            Replaces::No
        );
    }

    #[test]
    fn retained_resources_are_orphaned() {
        let old = json!({"Resources": {
            "Kept": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
            "Gone": {"Type": "AWS::S3::Bucket"},
            "Swap": {"Type": "AWS::S3::Bucket", "UpdateReplacePolicy": "Retain", "Properties": {"BucketName": "a"}}}});
        let new = json!({"Resources": {"Swap": {"Type": "AWS::S3::Bucket", "UpdateReplacePolicy": "Retain", "Properties": {"BucketName": "b"}}}});
        let d = TemplateDiff::compute(Some(&old), &new);
        let text = d.render(&no_paths);
        assert!(
            text.contains("[-] AWS::S3::Bucket Kept will be orphaned (DeletionPolicy Retain)\n"),
            "{text}"
        );
        assert!(text.contains("[-] AWS::S3::Bucket Gone\n"), "{text}");
        assert!(text.contains("[~] AWS::S3::Bucket Swap requires replacement, the old resource will be orphaned (UpdateReplacePolicy Retain)\n"), "{text}");
    }

    #[test]
    fn type_changes_replace_and_long_values_are_line_diffs() {
        let old = json!({"Resources": {"X": {"Type": "AWS::SNS::Topic", "Properties": {"Doc": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}]}}}}});
        let new = json!({"Resources": {"X": {"Type": "AWS::SQS::Queue", "Properties": {"Doc": {"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket/*"}]}}}}});
        let d = TemplateDiff::compute(Some(&old), &new);
        let text = d.render(&no_paths);
        assert!(
            text.contains(
                " └─ [~] Type (requires replacement): \"AWS::SNS::Topic\" -> \"AWS::SQS::Queue\"\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("     -       \"Action\": \"s3:GetObject\",\n"),
            "{text}"
        );
        assert!(
            text.contains("     +       \"Action\": \"s3:PutObject\",\n"),
            "{text}"
        );
    }
}
