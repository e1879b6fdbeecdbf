//! `Template`: one synthesized stack's template, and assertions about its sections.

use indexmap::IndexMap;
use serde_json::{Value as J, json};

use super::AssertionError;
use super::matcher::{Match, Mismatch};
use crate::stack::Stack;
use crate::synth::Synthesized;

/// The most candidates a failure message shows in full.
const SHOWN_CANDIDATES: usize = 3;

/// The most mismatches a failure message lists per candidate.
const SHOWN_MISMATCHES: usize = 10;

/// One stack's template, to assert on in tests, as the AWS CDK's `Template` class does.
///
/// The panicking methods are for tests: each failure names what the template does have, and when
/// nothing matches, the closest candidates with the path of every difference. Each has a `try_`
/// twin that returns the failure as an [`AssertionError`] instead.
///
/// ```
/// use cirrus_core::assertions::{Match, Template};
/// use cirrus_core::prelude::*;
/// use serde_json::json;
///
/// let app = App::new("demo");
/// let stack = app.stack("Storage", StackProps::default());
/// stack.add(
///     "Logs",
///     RawResource::new(
///         "AWS::S3::Bucket",
///         json!({ "VersioningConfiguration": { "Status": "Enabled" }, "Tags": [] }),
///     ),
/// );
///
/// let template = Template::from_stack(&stack);
/// template.resource_count_is("AWS::S3::Bucket", 1);
/// template.has_resource_properties(
///     "AWS::S3::Bucket",
///     json!({ "VersioningConfiguration": { "Status": "Enabled" }, "BucketName": Match::absent() }),
/// );
/// let failure = template
///     .try_has_resource_properties(
///         "AWS::S3::Bucket",
///         json!({ "VersioningConfiguration": { "Status": "Suspended" } }),
///     )
///     .unwrap_err();
/// assert!(failure.to_string().contains(
///     r#"/Properties/VersioningConfiguration/Status: expected "Suspended", found "Enabled""#
/// ));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    json: J,
    /// Logical id to construct path, when the template comes from an app.
    paths: IndexMap<String, String>,
}

/// What a template section is called in messages.
struct Section {
    key: &'static str,
    noun: &'static str,
}

const OUTPUTS: Section = Section {
    key: "Outputs",
    noun: "output",
};
const PARAMETERS: Section = Section {
    key: "Parameters",
    noun: "parameter",
};
const CONDITIONS: Section = Section {
    key: "Conditions",
    noun: "condition",
};
const MAPPINGS: Section = Section {
    key: "Mappings",
    noun: "mapping",
};

/// How a resource is compared with a pattern: whole, or its `Properties` only.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Whole,
    Properties,
}

/// One entry that did not match, and why.
struct Miss<'t> {
    id: &'t str,
    mismatches: Vec<Mismatch>,
}

impl Template {
    /// Synthesizes the app of `stack` and takes that stack's template.
    ///
    /// Panics, listing every diagnostic, when the app does not synthesize: a test of a template
    /// cannot go on without one. Use [`crate::assertions::Annotations`] to test the errors.
    #[track_caller]
    pub fn from_stack(stack: &Stack<'_>) -> Template {
        match Template::try_from_stack(stack) {
            Ok(template) => template,
            Err(e) => panic!("{e}"),
        }
    }

    /// Like [`Template::from_stack`], returning the failure instead of panicking.
    pub fn try_from_stack(stack: &Stack<'_>) -> Result<Template, AssertionError> {
        let app = stack.node().app();
        let out = app.synth().map_err(|e| {
            let listed: Vec<String> = e
                .diagnostics
                .iter()
                .map(|d| format!("  {}", d.to_string().replace('\n', "\n  ")))
                .collect();
            AssertionError::new(format!(
                "app {} does not synthesize, so stack {} has no template: {} error(s)\n{}",
                app.name(),
                stack.id(),
                e.diagnostics.errors().count(),
                listed.join("\n")
            ))
        })?;
        Template::try_from_synthesized(&out, &stack.id())
    }

    /// The template of the stack with artifact id or stack name `stack` in a synthesized app.
    ///
    /// Panics when there is no such stack, naming the stacks there are.
    #[track_caller]
    pub fn from_synthesized(synthesized: &Synthesized, stack: &str) -> Template {
        match Template::try_from_synthesized(synthesized, stack) {
            Ok(template) => template,
            Err(e) => panic!("{e}"),
        }
    }

    /// Like [`Template::from_synthesized`], returning the failure instead of panicking.
    pub fn try_from_synthesized(
        synthesized: &Synthesized,
        stack: &str,
    ) -> Result<Template, AssertionError> {
        let artifact = synthesized.stack(stack).ok_or_else(|| {
            let ids: Vec<&str> = synthesized.stacks.iter().map(|s| s.id.as_str()).collect();
            AssertionError::new(format!(
                "app {} has no stack {stack}; its stacks are: {}",
                synthesized.app,
                ids.join(", ")
            ))
        })?;
        Ok(Template {
            json: artifact.template.value().clone(),
            paths: artifact.logical_ids.clone(),
        })
    }

    /// A template given as JSON, for templates that do not come from an app.
    pub fn from_json(template: J) -> Template {
        Template {
            json: template,
            paths: IndexMap::new(),
        }
    }

    /// The whole template, for inspections the assertions do not cover.
    pub fn to_json(&self) -> &J {
        &self.json
    }

    /// Asserts that the template has exactly `count` resources of `cfn_type`.
    #[track_caller]
    pub fn resource_count_is(&self, cfn_type: &str, count: usize) {
        if let Err(e) = self.try_resource_count_is(cfn_type, count) {
            panic!("{e}");
        }
    }

    /// Like [`Template::resource_count_is`], returning the failure instead of panicking.
    pub fn try_resource_count_is(
        &self,
        cfn_type: &str,
        count: usize,
    ) -> Result<(), AssertionError> {
        let found = self.of_type(cfn_type);
        if found.len() == count {
            return Ok(());
        }
        let ids: Vec<&str> = found.iter().map(|(id, _)| *id).collect();
        Err(AssertionError::new(format!(
            "expected {count} resource(s) of type {cfn_type}, found {}{}",
            found.len(),
            if ids.is_empty() {
                String::new()
            } else {
                format!(": {}", ids.join(", "))
            }
        )))
    }

    /// Asserts that exactly `count` resources of `cfn_type` have properties matching `props`.
    #[track_caller]
    pub fn resource_properties_count_is(
        &self,
        cfn_type: &str,
        props: impl Into<Match>,
        count: usize,
    ) {
        if let Err(e) = self.try_resource_properties_count_is(cfn_type, props, count) {
            panic!("{e}");
        }
    }

    /// Like [`Template::resource_properties_count_is`], returning the failure instead of
    /// panicking.
    pub fn try_resource_properties_count_is(
        &self,
        cfn_type: &str,
        props: impl Into<Match>,
        count: usize,
    ) -> Result<(), AssertionError> {
        let pattern = props.into();
        let (matched, _) = self.search(cfn_type, &pattern, Part::Properties);
        if matched.len() == count {
            return Ok(());
        }
        Err(AssertionError::new(format!(
            "expected {count} resource(s) of type {cfn_type} with properties {}, found {}{}",
            pattern.describe(),
            matched.len(),
            if matched.is_empty() {
                String::new()
            } else {
                format!(": {}", matched.join(", "))
            }
        )))
    }

    /// Asserts that some resource of `cfn_type` has properties matching `props`: plain JSON
    /// matches object-like at every depth (the resource may have more properties), or use a
    /// [`Match`].
    #[track_caller]
    pub fn has_resource_properties(&self, cfn_type: &str, props: impl Into<Match>) {
        if let Err(e) = self.try_has_resource_properties(cfn_type, props) {
            panic!("{e}");
        }
    }

    /// Like [`Template::has_resource_properties`], returning the failure instead of panicking.
    pub fn try_has_resource_properties(
        &self,
        cfn_type: &str,
        props: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        self.has_resource_part(cfn_type, &props.into(), Part::Properties)
    }

    /// Asserts that some resource of `cfn_type` matches `resource` as a whole (`Properties`,
    /// `DependsOn`, `DeletionPolicy`, `Condition`, ...).
    #[track_caller]
    pub fn has_resource(&self, cfn_type: &str, resource: impl Into<Match>) {
        if let Err(e) = self.try_has_resource(cfn_type, resource) {
            panic!("{e}");
        }
    }

    /// Like [`Template::has_resource`], returning the failure instead of panicking.
    pub fn try_has_resource(
        &self,
        cfn_type: &str,
        resource: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        self.has_resource_part(cfn_type, &resource.into(), Part::Whole)
    }

    /// Asserts that there is at least one resource of `cfn_type` and that the properties of
    /// every one match `props`.
    #[track_caller]
    pub fn all_resources_properties(&self, cfn_type: &str, props: impl Into<Match>) {
        if let Err(e) = self.try_all_resources_properties(cfn_type, props) {
            panic!("{e}");
        }
    }

    /// Like [`Template::all_resources_properties`], returning the failure instead of panicking.
    pub fn try_all_resources_properties(
        &self,
        cfn_type: &str,
        props: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        self.all_resources_part(cfn_type, &props.into(), Part::Properties)
    }

    /// Asserts that there is at least one resource of `cfn_type` and that every one matches
    /// `resource` as a whole.
    #[track_caller]
    pub fn all_resources(&self, cfn_type: &str, resource: impl Into<Match>) {
        if let Err(e) = self.try_all_resources(cfn_type, resource) {
            panic!("{e}");
        }
    }

    /// Like [`Template::all_resources`], returning the failure instead of panicking.
    pub fn try_all_resources(
        &self,
        cfn_type: &str,
        resource: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        self.all_resources_part(cfn_type, &resource.into(), Part::Whole)
    }

    /// The resources of `cfn_type` that match `resource` as a whole, as (logical id, resource),
    /// in template order. `Match::any_value()` finds every resource of the type. Borrowed from
    /// the template: keep the template in a variable while using them.
    pub fn find_resources(&self, cfn_type: &str, resource: impl Into<Match>) -> Vec<(&str, &J)> {
        let pattern = resource.into();
        self.of_type(cfn_type)
            .into_iter()
            .filter(|(_, r)| pattern.test(r).is_empty())
            .collect()
    }

    /// Asserts that the output `id` (or some output, for `"*"`) matches `output`, an object
    /// with `Value` and optionally `Description`, `Export`, `Condition`.
    #[track_caller]
    pub fn has_output(&self, id: &str, output: impl Into<Match>) {
        if let Err(e) = self.try_has_output(id, output) {
            panic!("{e}");
        }
    }

    /// Like [`Template::has_output`], returning the failure instead of panicking.
    pub fn try_has_output(&self, id: &str, output: impl Into<Match>) -> Result<(), AssertionError> {
        self.has_entry(&OUTPUTS, id, &output.into())
    }

    /// The outputs named `id` (every output, for `"*"`) that match `output`, as (id, output).
    pub fn find_outputs(&self, id: &str, output: impl Into<Match>) -> Vec<(&str, &J)> {
        self.find_entries(&OUTPUTS, id, &output.into())
    }

    /// Asserts that the template exports a value under the literal name `name`, and that the
    /// exported value matches `value`.
    #[track_caller]
    pub fn has_export(&self, name: &str, value: impl Into<Match>) {
        if let Err(e) = self.try_has_export(name, value) {
            panic!("{e}");
        }
    }

    /// Like [`Template::has_export`], returning the failure instead of panicking.
    pub fn try_has_export(
        &self,
        name: &str,
        value: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        let exports = self.exports();
        let Some((_, exported)) = exports.iter().find(|(n, _)| n == name) else {
            let names: Vec<&str> = exports.iter().map(|(n, _)| n.as_str()).collect();
            return Err(AssertionError::new(format!(
                "template exports nothing named {name}; {}",
                listing("its exports are", &names)
            )));
        };
        let pattern = value.into();
        let mismatches = pattern.test_at(Some(exported), "/Value");
        if mismatches.is_empty() {
            return Ok(());
        }
        Err(AssertionError::new(format!(
            "the export {name} does not have the expected value {}:\n{}",
            pattern.describe(),
            list_mismatches(&mismatches, "  ")
        )))
    }

    /// Every export, as (export name, exported value), in template order. A name that is not a
    /// literal string is given as compact JSON.
    pub fn exports(&self) -> Vec<(String, J)> {
        self.entries(&OUTPUTS)
            .into_iter()
            .filter_map(|(_, output)| {
                let name = output.get("Export")?.get("Name")?;
                let name = name
                    .as_str()
                    .map_or_else(|| name.to_string(), str::to_owned);
                Some((name, output.get("Value").cloned().unwrap_or(J::Null)))
            })
            .collect()
    }

    /// Asserts that the parameter `id` (or some parameter, for `"*"`) matches `parameter`.
    #[track_caller]
    pub fn has_parameter(&self, id: &str, parameter: impl Into<Match>) {
        if let Err(e) = self.try_has_parameter(id, parameter) {
            panic!("{e}");
        }
    }

    /// Like [`Template::has_parameter`], returning the failure instead of panicking.
    pub fn try_has_parameter(
        &self,
        id: &str,
        parameter: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        self.has_entry(&PARAMETERS, id, &parameter.into())
    }

    /// The parameters named `id` (every parameter, for `"*"`) that match `parameter`.
    pub fn find_parameters(&self, id: &str, parameter: impl Into<Match>) -> Vec<(&str, &J)> {
        self.find_entries(&PARAMETERS, id, &parameter.into())
    }

    /// Asserts that the condition `id` (or some condition, for `"*"`) matches `condition`.
    #[track_caller]
    pub fn has_condition(&self, id: &str, condition: impl Into<Match>) {
        if let Err(e) = self.try_has_condition(id, condition) {
            panic!("{e}");
        }
    }

    /// Like [`Template::has_condition`], returning the failure instead of panicking.
    pub fn try_has_condition(
        &self,
        id: &str,
        condition: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        self.has_entry(&CONDITIONS, id, &condition.into())
    }

    /// The conditions named `id` (every condition, for `"*"`) that match `condition`.
    pub fn find_conditions(&self, id: &str, condition: impl Into<Match>) -> Vec<(&str, &J)> {
        self.find_entries(&CONDITIONS, id, &condition.into())
    }

    /// Asserts that the mapping `id` (or some mapping, for `"*"`) matches `mapping`.
    #[track_caller]
    pub fn has_mapping(&self, id: &str, mapping: impl Into<Match>) {
        if let Err(e) = self.try_has_mapping(id, mapping) {
            panic!("{e}");
        }
    }

    /// Like [`Template::has_mapping`], returning the failure instead of panicking.
    pub fn try_has_mapping(
        &self,
        id: &str,
        mapping: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        self.has_entry(&MAPPINGS, id, &mapping.into())
    }

    /// The mappings named `id` (every mapping, for `"*"`) that match `mapping`.
    pub fn find_mappings(&self, id: &str, mapping: impl Into<Match>) -> Vec<(&str, &J)> {
        self.find_entries(&MAPPINGS, id, &mapping.into())
    }

    /// Asserts that the whole template matches `template` (object-like unless it says
    /// otherwise: `Match::exact(..)` for the exact template).
    #[track_caller]
    pub fn template_matches(&self, template: impl Into<Match>) {
        if let Err(e) = self.try_template_matches(template) {
            panic!("{e}");
        }
    }

    /// Like [`Template::template_matches`], returning the failure instead of panicking.
    pub fn try_template_matches(&self, template: impl Into<Match>) -> Result<(), AssertionError> {
        let mismatches = template.into().test(&self.json);
        if mismatches.is_empty() {
            return Ok(());
        }
        Err(AssertionError::new(format!(
            "the template does not match, with {}:\n{}",
            count(mismatches.len(), "mismatch", "mismatches"),
            list_mismatches(&mismatches, "  ")
        )))
    }

    /// The resources of `cfn_type`, in template order.
    fn of_type(&self, cfn_type: &str) -> Vec<(&str, &J)> {
        self.entries_of("Resources")
            .into_iter()
            .filter(|(_, r)| r.get("Type").and_then(J::as_str) == Some(cfn_type))
            .collect()
    }

    fn entries(&self, section: &Section) -> Vec<(&str, &J)> {
        self.entries_of(section.key)
    }

    fn entries_of(&self, key: &str) -> Vec<(&str, &J)> {
        self.json
            .get(key)
            .and_then(J::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.as_str(), v)).collect())
            .unwrap_or_default()
    }

    /// Compares every resource of `cfn_type` with `pattern`: the ids that match, and the
    /// mismatches of those that do not.
    fn search(&self, cfn_type: &str, pattern: &Match, part: Part) -> (Vec<&str>, Vec<Miss<'_>>) {
        let mut matched = Vec::new();
        let mut missed = Vec::new();
        for (id, resource) in self.of_type(cfn_type) {
            let mismatches = match part {
                Part::Whole => pattern.test(resource),
                Part::Properties => {
                    let empty = json!({});
                    let props = match resource.get("Properties") {
                        None if !pattern.is_absent() => Some(&empty),
                        other => other,
                    };
                    pattern.test_at(props, "/Properties")
                }
            };
            if mismatches.is_empty() {
                matched.push(id);
            } else {
                missed.push(Miss { id, mismatches });
            }
        }
        (matched, missed)
    }

    fn has_resource_part(
        &self,
        cfn_type: &str,
        pattern: &Match,
        part: Part,
    ) -> Result<(), AssertionError> {
        let (matched, missed) = self.search(cfn_type, pattern, part);
        if !matched.is_empty() {
            return Ok(());
        }
        if missed.is_empty() {
            return Err(self.no_resource_of_type(cfn_type));
        }
        let what = match part {
            Part::Whole => "matches",
            Part::Properties => "has the properties",
        };
        Err(AssertionError::new(format!(
            "template has {} of type {cfn_type}, but none {what} {}\n{}",
            count(missed.len(), "resource", "resources"),
            pattern.describe(),
            self.closest(missed)
        )))
    }

    fn all_resources_part(
        &self,
        cfn_type: &str,
        pattern: &Match,
        part: Part,
    ) -> Result<(), AssertionError> {
        let (matched, missed) = self.search(cfn_type, pattern, part);
        if missed.is_empty() && !matched.is_empty() {
            return Ok(());
        }
        if missed.is_empty() {
            return Err(self.no_resource_of_type(cfn_type));
        }
        let what = match part {
            Part::Whole => "match",
            Part::Properties => "have the properties",
        };
        let total = matched.len() + missed.len();
        let mut message = format!(
            "{} of the {total} resource(s) of type {cfn_type} do not {what} {}:",
            missed.len(),
            pattern.describe()
        );
        for miss in missed.iter().take(SHOWN_CANDIDATES) {
            message.push_str(&format!(
                "\n  {}:\n{}",
                self.name(miss.id),
                list_mismatches(&miss.mismatches, "    ")
            ));
        }
        if missed.len() > SHOWN_CANDIDATES {
            message.push_str(&format!("\n  and {} more", missed.len() - SHOWN_CANDIDATES));
        }
        Err(AssertionError::new(message))
    }

    fn no_resource_of_type(&self, cfn_type: &str) -> AssertionError {
        let mut types: Vec<(&str, usize)> = Vec::new();
        for (_, resource) in self.entries_of("Resources") {
            let t = resource.get("Type").and_then(J::as_str).unwrap_or("?");
            match types.iter_mut().find(|(k, _)| *k == t) {
                Some((_, n)) => *n += 1,
                None => types.push((t, 1)),
            }
        }
        types.sort();
        let listed: Vec<String> = types.iter().map(|(t, n)| format!("{t} ({n})")).collect();
        AssertionError::new(format!(
            "template has no resource of type {cfn_type}; {}",
            listing("its resource types are", &listed)
        ))
    }

    fn has_entry(
        &self,
        section: &Section,
        id: &str,
        pattern: &Match,
    ) -> Result<(), AssertionError> {
        let entries = self.entries(section);
        let candidates: Vec<(&str, &J)> = entries
            .iter()
            .copied()
            .filter(|(k, _)| id == "*" || *k == id)
            .collect();
        if candidates.is_empty() {
            let ids: Vec<&str> = entries.iter().map(|(k, _)| *k).collect();
            let noun = section.noun;
            return Err(AssertionError::new(if id == "*" {
                format!("template has no {noun}")
            } else {
                format!(
                    "template has no {noun} {id}; {}",
                    listing(&format!("its {noun}s are"), &ids)
                )
            }));
        }
        let mut missed = Vec::new();
        for (key, entry) in candidates {
            let mismatches = pattern.test(entry);
            if mismatches.is_empty() {
                return Ok(());
            }
            missed.push(Miss {
                id: key,
                mismatches,
            });
        }
        let subject = if id == "*" {
            format!(
                "template has {}, but none matches",
                count(missed.len(), section.noun, &format!("{}s", section.noun))
            )
        } else {
            format!("{} {id} does not match", section.noun)
        };
        Err(AssertionError::new(format!(
            "{subject} {}\n{}",
            pattern.describe(),
            self.closest(missed)
        )))
    }

    fn find_entries(&self, section: &Section, id: &str, pattern: &Match) -> Vec<(&str, &J)> {
        self.entries(section)
            .into_iter()
            .filter(|(k, v)| (id == "*" || *k == id) && pattern.test(v).is_empty())
            .collect()
    }

    /// The candidates with the fewest mismatches, with their mismatches.
    fn closest(&self, mut missed: Vec<Miss<'_>>) -> String {
        missed.sort_by_key(|m| m.mismatches.len());
        let best = missed[0].mismatches.len();
        let tied: Vec<&Miss<'_>> = missed
            .iter()
            .take_while(|m| m.mismatches.len() == best)
            .collect();
        let mut out = Vec::new();
        for miss in tied.iter().take(SHOWN_CANDIDATES) {
            out.push(format!(
                "the closest is {}, with {}:\n{}",
                self.name(miss.id),
                count(best, "mismatch", "mismatches"),
                list_mismatches(&miss.mismatches, "  ")
            ));
        }
        if tied.len() > SHOWN_CANDIDATES {
            let others: Vec<String> = tied[SHOWN_CANDIDATES..]
                .iter()
                .map(|m| self.name(m.id))
                .collect();
            out.push(format!("as close: {}", others.join(", ")));
        }
        out.join("\n")
    }

    /// A logical id, with its construct path when known.
    fn name(&self, id: &str) -> String {
        match self.paths.get(id) {
            Some(path) => format!("{id} ({path})"),
            None => id.to_owned(),
        }
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn listing<T: AsRef<str>>(intro: &str, items: &[T]) -> String {
    if items.is_empty() {
        format!("{intro}: none")
    } else {
        let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
        format!("{intro}: {}", items.join(", "))
    }
}

fn list_mismatches(mismatches: &[Mismatch], indent: &str) -> String {
    let mut lines: Vec<String> = mismatches
        .iter()
        .take(SHOWN_MISMATCHES)
        .map(|m| format!("{indent}{m}"))
        .collect();
    if mismatches.len() > SHOWN_MISMATCHES {
        lines.push(format!(
            "{indent}and {} more",
            mismatches.len() - SHOWN_MISMATCHES
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::App;
    use crate::resource::RawResource;
    use crate::stack::StackProps;

    fn buckets() -> Template {
        Template::from_json(json!({
            "Resources": {
                "Logs": {
                    "Type": "AWS::S3::Bucket",
                    "Properties": {
                        "BucketName": "logs",
                        "VersioningConfiguration": { "Status": "Suspended" }
                    },
                    "DeletionPolicy": "Retain"
                },
                "Site": {
                    "Type": "AWS::S3::Bucket",
                    "Properties": {
                        "VersioningConfiguration": { "Status": "Suspended" },
                        "Tags": [{ "Key": "team", "Value": "web" }]
                    }
                },
                "Bare": { "Type": "AWS::S3::Bucket" },
                "Topic": { "Type": "AWS::SNS::Topic", "Properties": {} }
            },
            "Parameters": { "Env": { "Type": "String", "Default": "prod" } },
            "Conditions": { "IsProd": { "Fn::Equals": [{ "Ref": "Env" }, "prod"] } },
            "Mappings": { "Sizes": { "prod": { "Nodes": 3 } } },
            "Outputs": {
                "LogsArn": {
                    "Value": { "Fn::GetAtt": ["Logs", "Arn"] },
                    "Export": { "Name": "Storage:LogsArn" }
                },
                "SiteName": { "Value": { "Ref": "Site" } }
            }
        }))
    }

    fn failure(result: Result<(), AssertionError>) -> String {
        result.expect_err("the assertion should fail").to_string()
    }

    #[test]
    fn counts_resources_by_type() {
        let t = buckets();
        t.resource_count_is("AWS::S3::Bucket", 3);
        t.resource_count_is("AWS::SQS::Queue", 0);
        assert_eq!(
            failure(t.try_resource_count_is("AWS::S3::Bucket", 2)),
            "expected 2 resource(s) of type AWS::S3::Bucket, found 3: Logs, Site, Bare"
        );
        assert_eq!(
            failure(t.try_resource_count_is("AWS::SQS::Queue", 1)),
            "expected 1 resource(s) of type AWS::SQS::Queue, found 0"
        );
        t.resource_properties_count_is(
            "AWS::S3::Bucket",
            json!({ "VersioningConfiguration": { "Status": "Suspended" } }),
            2,
        );
        assert_eq!(
            failure(t.try_resource_properties_count_is(
                "AWS::S3::Bucket",
                json!({ "BucketName": Match::absent() }),
                1
            )),
            "expected 1 resource(s) of type AWS::S3::Bucket with properties \
             {\"BucketName\":Match::absent()}, found 2: Site, Bare"
        );
    }

    #[test]
    fn has_resource_properties_matches_part_of_the_properties() {
        let t = buckets();
        t.has_resource_properties("AWS::S3::Bucket", json!({ "BucketName": "logs" }));
        t.has_resource_properties(
            "AWS::S3::Bucket",
            json!({ "Tags": Match::array_with(json!([{ "Key": "team", "Value": "web" }])) }),
        );
        // A resource without properties matches as an empty object, or as absent properties.
        t.resource_properties_count_is("AWS::S3::Bucket", json!({}), 3);
        t.resource_properties_count_is("AWS::S3::Bucket", Match::absent(), 1);
        t.resource_properties_count_is(
            "AWS::S3::Bucket",
            Match::exact(json!({ "BucketName": "logs" })),
            0,
        );
    }

    #[test]
    fn a_failed_match_shows_the_closest_resource_and_where_it_differs() {
        let t = buckets();
        assert_eq!(
            failure(t.try_has_resource_properties(
                "AWS::S3::Bucket",
                json!({ "BucketName": "logs", "VersioningConfiguration": { "Status": "Enabled" } }),
            )),
            "template has 3 resources of type AWS::S3::Bucket, but none has the properties \
             {\"BucketName\":\"logs\",\"VersioningConfiguration\":{\"Status\":\"Enabled\"}}\n\
             the closest is Logs, with 1 mismatch:\n  \
             /Properties/VersioningConfiguration/Status: expected \"Enabled\", found \"Suspended\""
        );
        // Ties are all shown.
        assert_eq!(
            failure(t.try_has_resource_properties(
                "AWS::S3::Bucket",
                json!({ "VersioningConfiguration": { "Status": "Enabled" } }),
            )),
            "template has 3 resources of type AWS::S3::Bucket, but none has the properties \
             {\"VersioningConfiguration\":{\"Status\":\"Enabled\"}}\n\
             the closest is Logs, with 1 mismatch:\n  \
             /Properties/VersioningConfiguration/Status: expected \"Enabled\", found \"Suspended\"\n\
             the closest is Site, with 1 mismatch:\n  \
             /Properties/VersioningConfiguration/Status: expected \"Enabled\", found \"Suspended\"\n\
             the closest is Bare, with 1 mismatch:\n  \
             /Properties/VersioningConfiguration: expected {\"Status\":\"Enabled\"}, found nothing"
        );
        assert_eq!(
            failure(t.try_has_resource_properties("AWS::SQS::Queue", json!({}))),
            "template has no resource of type AWS::SQS::Queue; its resource types are: \
             AWS::S3::Bucket (3), AWS::SNS::Topic (1)"
        );
        assert_eq!(
            failure(Template::from_json(json!({})).try_has_resource("AWS::SQS::Queue", json!({}))),
            "template has no resource of type AWS::SQS::Queue; its resource types are: none"
        );
    }

    #[test]
    fn has_resource_and_find_resources_match_the_whole_resource() {
        let t = buckets();
        t.has_resource("AWS::S3::Bucket", json!({ "DeletionPolicy": "Retain" }));
        let retained = t.find_resources("AWS::S3::Bucket", json!({ "DeletionPolicy": "Retain" }));
        assert_eq!(retained.len(), 1);
        assert_eq!(retained[0].0, "Logs");
        assert_eq!(retained[0].1["Properties"]["BucketName"], "logs");
        let all: Vec<&str> = t
            .find_resources("AWS::S3::Bucket", Match::any_value())
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(all, ["Logs", "Site", "Bare"]);
        assert_eq!(
            failure(t.try_has_resource("AWS::SNS::Topic", json!({ "DeletionPolicy": "Retain" }))),
            "template has 1 resource of type AWS::SNS::Topic, but none matches \
             {\"DeletionPolicy\":\"Retain\"}\n\
             the closest is Topic, with 1 mismatch:\n  \
             /DeletionPolicy: expected \"Retain\", found nothing"
        );
    }

    #[test]
    fn all_resources_properties_needs_every_resource_and_at_least_one() {
        let t = buckets();
        t.all_resources_properties(
            "AWS::S3::Bucket",
            json!({ "AccessControl": Match::absent() }),
        );
        t.all_resources("AWS::S3::Bucket", json!({ "Type": "AWS::S3::Bucket" }));
        assert_eq!(
            failure(t.try_all_resources_properties(
                "AWS::S3::Bucket",
                json!({ "VersioningConfiguration": Match::any_value() })
            )),
            "1 of the 3 resource(s) of type AWS::S3::Bucket do not have the properties \
             {\"VersioningConfiguration\":Match::any_value()}:\n  \
             Bare:\n    \
             /Properties/VersioningConfiguration: expected a value, found nothing"
        );
        assert!(
            failure(t.try_all_resources_properties("AWS::SQS::Queue", json!({})))
                .starts_with("template has no resource of type AWS::SQS::Queue")
        );
    }

    #[test]
    fn outputs_exports_parameters_conditions_mappings() {
        let t = buckets();
        t.has_output(
            "LogsArn",
            json!({ "Export": { "Name": "Storage:LogsArn" } }),
        );
        t.has_output("*", json!({ "Value": { "Ref": "Site" } }));
        assert_eq!(
            t.find_outputs("*", json!({ "Export": Match::absent() }))
                .len(),
            1
        );
        assert_eq!(t.find_outputs("SiteName", json!({})).len(), 1);
        assert!(t.find_outputs("Nope", json!({})).is_empty());
        assert_eq!(
            failure(t.try_has_output("Nope", json!({}))),
            "template has no output Nope; its outputs are: LogsArn, SiteName"
        );
        assert_eq!(
            failure(t.try_has_output("*", json!({ "Value": { "Ref": "Logs" } }))),
            "template has 2 outputs, but none matches {\"Value\":{\"Ref\":\"Logs\"}}\n\
             the closest is LogsArn, with 1 mismatch:\n  \
             /Value/Ref: expected \"Logs\", found nothing\n\
             the closest is SiteName, with 1 mismatch:\n  \
             /Value/Ref: expected \"Logs\", found \"Site\""
        );
        assert_eq!(
            t.exports(),
            [(
                "Storage:LogsArn".to_owned(),
                json!({ "Fn::GetAtt": ["Logs", "Arn"] })
            )]
        );
        t.has_export("Storage:LogsArn", json!({ "Fn::GetAtt": ["Logs", "Arn"] }));
        assert_eq!(
            failure(t.try_has_export("Storage:SiteArn", Match::any_value())),
            "template exports nothing named Storage:SiteArn; its exports are: Storage:LogsArn"
        );
        assert_eq!(
            failure(t.try_has_export("Storage:LogsArn", json!({ "Ref": "Logs" }))),
            "the export Storage:LogsArn does not have the expected value {\"Ref\":\"Logs\"}:\n  \
             /Value/Ref: expected \"Logs\", found nothing"
        );
        t.has_parameter("Env", json!({ "Default": "prod" }));
        t.has_parameter("*", json!({ "Type": "String" }));
        assert_eq!(
            failure(t.try_has_parameter("Env", json!({ "Default": "dev" }))),
            "parameter Env does not match {\"Default\":\"dev\"}\n\
             the closest is Env, with 1 mismatch:\n  \
             /Default: expected \"dev\", found \"prod\""
        );
        assert_eq!(t.find_parameters("*", json!({})).len(), 1);
        t.has_condition(
            "IsProd",
            json!({ "Fn::Equals": [{ "Ref": "Env" }, "prod"] }),
        );
        assert_eq!(t.find_conditions("*", json!({})).len(), 1);
        t.has_mapping("Sizes", json!({ "prod": { "Nodes": 3 } }));
        assert_eq!(t.find_mappings("Sizes", json!({})).len(), 1);
        assert_eq!(
            failure(Template::from_json(json!({})).try_has_condition("*", json!({}))),
            "template has no condition"
        );
    }

    #[test]
    fn template_matches_compares_the_whole_template() {
        let t = buckets();
        t.template_matches(json!({ "Resources": { "Bare": { "Type": "AWS::S3::Bucket" } } }));
        assert_eq!(
            failure(t.try_template_matches(json!({ "Resources": { "Bare": Match::absent() } }))),
            "the template does not match, with 1 mismatch:\n  \
             /Resources/Bare: expected nothing, found {\"Type\":\"AWS::S3::Bucket\"}"
        );
    }

    #[test]
    fn from_stack_synthesizes_and_names_construct_paths() {
        let app = App::new("t");
        let stack = app.stack("S", StackProps::default());
        let other = app.stack("Other", StackProps::default());
        stack.add(
            "Queue",
            RawResource::new("AWS::SQS::Queue", json!({ "DelaySeconds": 5 })),
        );
        let topic = other.add("Topic", RawResource::new("AWS::SNS::Topic", json!({})));
        other.add_output("TopicArn", topic.ref_());
        let t = Template::from_stack(&stack);
        t.resource_count_is("AWS::SQS::Queue", 1);
        t.resource_count_is("AWS::SNS::Topic", 0);
        assert_eq!(
            failure(t.try_has_resource_properties("AWS::SQS::Queue", json!({ "DelaySeconds": 6 }))),
            "template has 1 resource of type AWS::SQS::Queue, but none has the properties \
             {\"DelaySeconds\":6}\n\
             the closest is Queue (S/Queue), with 1 mismatch:\n  \
             /Properties/DelaySeconds: expected 6, found 5"
        );
        let out = app.synth().unwrap();
        Template::from_synthesized(&out, "Other").has_output("TopicArn", json!({}));
        assert_eq!(
            Template::try_from_synthesized(&out, "Missing")
                .unwrap_err()
                .to_string(),
            "app t has no stack Missing; its stacks are: S, Other"
        );
        assert_eq!(
            Template::from_json(out.stack("S").unwrap().template.value().clone()).to_json(),
            t.to_json()
        );
    }

    #[test]
    fn from_stack_of_an_app_with_errors_panics_listing_them() {
        let app = App::new("t");
        let stack = app.stack("S", StackProps::default());
        stack.add("Topic", RawResource::new("AWS::SNS::Topic", json!({})));
        const FIRST: crate::ErrorCode = crate::ErrorCode::new("TEST-001", "a first problem");
        const SECOND: crate::ErrorCode = crate::ErrorCode::new("TEST-002", "a second problem");
        const WARNING: crate::WarningCode = crate::WarningCode::new("TEST-003", "a warning");
        stack
            .add_child("A")
            .error_with_hint(FIRST, "first problem", "fix it");
        stack.add_child("B").error(SECOND, "second problem");
        stack.add_child("C").warning(WARNING, "a warning");
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Template::from_stack(&stack)
        }))
        .unwrap_err();
        assert_eq!(
            panic.downcast_ref::<String>().map(String::as_str),
            Some(
                "app t does not synthesize, so stack S has no template: 2 error(s)\n  \
                 error[TEST-001]: first problem\n    --> S/A\n    hint: fix it\n  \
                 error[TEST-002]: second problem\n    --> S/B\n  \
                 warning[TEST-003]: a warning\n    --> S/C"
            )
        );
    }

    #[test]
    fn the_panicking_assertions_carry_the_same_message() {
        let t = buckets();
        let panic = std::panic::catch_unwind(|| {
            t.has_resource_properties("AWS::S3::Bucket", json!({ "BucketName": "site" }));
        })
        .unwrap_err();
        let message = panic.downcast_ref::<String>().unwrap();
        assert_eq!(
            *message,
            failure(
                t.try_has_resource_properties("AWS::S3::Bucket", json!({ "BucketName": "site" }))
            )
        );
        assert!(message.contains("/Properties/BucketName: expected \"site\", found \"logs\""));
    }
}
