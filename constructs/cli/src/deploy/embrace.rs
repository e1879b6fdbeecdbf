//! The "deadly embrace" of cross-stack references: CloudFormation refuses to update (or
//! delete) a stack when that removes an export another deployed stack still imports.
//!
//! Before anything is deployed the runner lists the exports that would disappear and the
//! stacks importing them (ListImports; the deployed templates of the app's stacks when that
//! call is not available). When every importer is deployed in the same run and its new
//! template no longer imports the value, the importer simply goes first. Otherwise the
//! runner refuses and explains the way out: `Stack::export_value` pins the export for one
//! deployment.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::Value as J;

use super::{Current, StackFailure, Target};
use crate::aws::cfn::Cfn;

/// The literal export names of a template's outputs.
pub(crate) fn exports_of(template: &J) -> BTreeSet<String> {
    template
        .get("Outputs")
        .and_then(J::as_object)
        .map(|outputs| {
            outputs
                .values()
                .filter_map(|o| o.get("Export")?.get("Name")?.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The literal export names a template imports (`Fn::ImportValue`).
pub(crate) fn imports_of(template: &J) -> BTreeSet<String> {
    fn walk(v: &J, out: &mut BTreeSet<String>) {
        match v {
            J::Object(map) => {
                if let Some(J::String(name)) = map.get("Fn::ImportValue") {
                    out.insert(name.clone());
                }
                map.values().for_each(|v| walk(v, out));
            }
            J::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(template, &mut out);
    out
}

/// The exports a deployed stack has: from its template and from DescribeStacks.
fn deployed_exports(current: &Current) -> BTreeSet<String> {
    let mut out = current
        .template
        .as_ref()
        .map(exports_of)
        .unwrap_or_default();
    if let Some(info) = &current.info {
        out.extend(info.outputs.iter().filter_map(|o| o.export_name.clone()));
    }
    out
}

/// The stacks importing `export`, by name. When ListImports is not available, the deployed
/// templates of the app's stacks (`others`: every stack of the selected apps) are read.
async fn importers(
    cfn: &Cfn,
    export: &str,
    currents: &BTreeMap<String, Current>,
    others: &BTreeMap<String, Arc<Target>>,
    notes: &mut Vec<String>,
) -> BTreeSet<String> {
    match cfn.list_imports(export).await {
        Ok(names) => names.into_iter().collect(),
        Err(e) => {
            notes.push(format!(
                "could not list the importers of export \"{export}\" ({}); checked the deployed templates of this app's stacks instead",
                e.detail
            ));
            let mut found: BTreeSet<String> = currents
                .iter()
                .filter(|(_, c)| {
                    c.template
                        .as_ref()
                        .is_some_and(|t| imports_of(t).contains(export))
                })
                .map(|(name, _)| name.clone())
                .collect();
            for (name, other) in others {
                if currents.contains_key(name) {
                    continue;
                }
                // A stack that is not deployed has no template to read.
                if let Ok(t) = other.cfn.get_template(name).await
                    && imports_of(&t).contains(export)
                {
                    found.insert(name.clone());
                }
            }
            found
        }
    }
}

fn reaches(waits_for: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let mut stack = vec![from.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(s) = stack.pop() {
        if s == to {
            return true;
        }
        if seen.insert(s.clone())
            && let Some(deps) = waits_for.get(&s)
        {
            stack.extend(deps.iter().cloned());
        }
    }
    false
}

/// Checks a deployment of `targets` (by stack name) for exports that disappear while
/// imported. Reorders `waits_for` (stack name -> stack names it starts after) where that
/// resolves it; returns notes to show, or the failures that stop the deployment.
pub(crate) async fn check_deploy(
    targets: &BTreeMap<String, Arc<Target>>,
    currents: &BTreeMap<String, Current>,
    others: &BTreeMap<String, Arc<Target>>,
    waits_for: &mut BTreeMap<String, BTreeSet<String>>,
) -> Result<Vec<String>, Vec<StackFailure>> {
    let mut notes = Vec::new();
    let mut failures = Vec::new();
    for (producer, target) in targets {
        let Some(current) = currents.get(producer) else {
            continue;
        };
        let old = deployed_exports(current);
        let new = exports_of(&target.artifact.template);
        for export in old.difference(&new) {
            for importer in importers(&target.cfn, export, currents, others, &mut notes).await {
                if &importer == producer {
                    continue;
                }
                let next = targets
                    .get(&importer)
                    .map(|t| imports_of(&t.artifact.template));
                let resolvable = match &next {
                    Some(imports) if !imports.contains(export) => {
                        // The importer goes first; it may keep its dependency on the producer
                        // only for exports the deployed producer already has.
                        let needs_new: Vec<&String> = imports
                            .iter()
                            .filter(|i| new.contains(*i) && !old.contains(*i))
                            .collect();
                        needs_new.is_empty()
                    }
                    _ => false,
                };
                if resolvable {
                    if let Some(deps) = waits_for.get_mut(&importer) {
                        deps.remove(producer);
                    }
                    if reaches(waits_for, &importer, producer) {
                        failures.push(still_imported(producer, export, &importer, true));
                        continue;
                    }
                    waits_for
                        .entry(producer.clone())
                        .or_default()
                        .insert(importer.clone());
                    notes.push(format!(
                        "stack {producer} drops export \"{export}\", which the deployed stack {importer} imports; deploying {importer} first"
                    ));
                } else {
                    failures.push(still_imported(
                        producer,
                        export,
                        &importer,
                        targets.contains_key(&importer),
                    ));
                }
            }
        }
    }
    if failures.is_empty() {
        Ok(notes)
    } else {
        Err(failures)
    }
}

fn still_imported(producer: &str, export: &str, importer: &str, selected: bool) -> StackFailure {
    let way = if selected {
        format!(
            "keep the export for one deployment with `Stack::export_value` in {producer}, deploy, then remove that call once {importer} no longer imports it"
        )
    } else {
        format!(
            "deploy {importer} too (with its new code it no longer imports the value), or keep the export for one deployment with `Stack::export_value` in {producer}"
        )
    };
    StackFailure::new(
        producer,
        format!("stack {producer}: deploying it removes export \"{export}\", which stack {importer} still imports"),
    )
    .detail("CloudFormation refuses to remove an export that a deployed stack imports (the \"deadly embrace\" of cross-stack references)")
    .hint(way)
}

/// Checks a destruction of `targets`: a stack whose export is imported by a stack that is
/// not destroyed with it cannot be deleted.
pub(crate) async fn check_destroy(
    targets: &BTreeMap<String, Arc<Target>>,
    currents: &BTreeMap<String, Current>,
    others: &BTreeMap<String, Arc<Target>>,
) -> Result<Vec<String>, Vec<StackFailure>> {
    let mut notes = Vec::new();
    let mut failures = Vec::new();
    for (producer, target) in targets {
        let Some(current) = currents.get(producer) else {
            continue;
        };
        for export in deployed_exports(current) {
            for importer in importers(&target.cfn, &export, currents, others, &mut notes).await {
                if importer != *producer && !targets.contains_key(&importer) {
                    failures.push(
                        StackFailure::new(
                            producer,
                            format!("stack {producer} exports \"{export}\", which stack {importer} imports"),
                        )
                        .detail("CloudFormation refuses to delete a stack whose export is imported")
                        .hint(format!("destroy {importer} first, or both together")),
                    );
                }
            }
        }
    }
    if failures.is_empty() {
        Ok(notes)
    } else {
        Err(failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exports_and_imports() {
        let t = json!({
            "Resources": {"S": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "VpcId": {"Fn::ImportValue": "Net:ExportsOutputRefVpc"},
                "Tags": [{"Key": "k", "Value": {"Fn::ImportValue": "Net:Other"}}]}}},
            "Outputs": {"A": {"Value": "x", "Export": {"Name": "App:A"}}, "B": {"Value": "y"}}
        });
        assert_eq!(exports_of(&t), BTreeSet::from(["App:A".to_owned()]));
        assert_eq!(
            imports_of(&t),
            BTreeSet::from(["Net:ExportsOutputRefVpc".to_owned(), "Net:Other".to_owned()])
        );
    }

    #[test]
    fn reachability() {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        g.entry("C".into()).or_default().insert("B".into());
        g.entry("B".into()).or_default().insert("A".into());
        assert!(reaches(&g, "C", "A"));
        assert!(!reaches(&g, "A", "C"));
    }
}
