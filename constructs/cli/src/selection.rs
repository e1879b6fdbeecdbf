//! Choosing the stacks a command acts on, and their order.

use std::collections::{BTreeMap, BTreeSet};

use cirrus_core::{StackArtifact, Synthesized};

use crate::error::CliError;

/// The chosen stacks in deploy order, keyed by CloudFormation stack name, with the chosen
/// stacks each one depends on.
#[derive(Debug, Clone)]
pub(crate) struct Chosen {
    /// In deploy order.
    pub(crate) stacks: Vec<StackArtifact>,
    /// Stack name -> the stack names (among the chosen) it depends on.
    pub(crate) depends_on: BTreeMap<String, BTreeSet<String>>,
}

impl Chosen {
    /// Stack names in deploy order.
    pub(crate) fn order(&self) -> Vec<String> {
        self.stacks.iter().map(|s| s.stack_name.clone()).collect()
    }

    /// The reverse graph: each stack waits for the chosen stacks that depend on it.
    pub(crate) fn dependents(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (stack, deps) in &self.depends_on {
            for d in deps {
                out.entry(d.clone()).or_default().insert(stack.clone());
            }
        }
        out
    }
}

/// `names` (artifact ids or stack names), or every stack with `all` (or when `names` is empty
/// and `default_all`). With `with_dependencies`, the stacks the named ones depend on are
/// chosen too.
pub(crate) fn choose(
    apps: &[Synthesized],
    names: &[String],
    all: bool,
    default_all: bool,
    with_dependencies: bool,
) -> Result<Chosen, CliError> {
    let everything: Vec<(&Synthesized, &StackArtifact)> = apps
        .iter()
        .flat_map(|app| app.stacks.iter().map(move |s| (app, s)))
        .collect();
    let mut seen_names: BTreeMap<&str, &str> = BTreeMap::new();
    for (app, s) in &everything {
        if let Some(other) = seen_names.insert(s.stack_name.as_str(), app.app.as_str()) {
            return Err(CliError::AmbiguousStack {
                name: s.stack_name.clone(),
                apps: vec![other.to_owned(), app.app.clone()],
            });
        }
    }
    let available = || {
        everything
            .iter()
            .map(|(_, s)| s.id.clone())
            .collect::<Vec<_>>()
    };
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new(); // (app, artifact id)
    if all || (names.is_empty() && default_all) {
        wanted.extend(
            everything
                .iter()
                .map(|(a, s)| (a.app.clone(), s.id.clone())),
        );
    } else if names.is_empty() {
        if everything.len() == 1 {
            wanted.extend(
                everything
                    .iter()
                    .map(|(a, s)| (a.app.clone(), s.id.clone())),
            );
        } else {
            return Err(CliError::NoStackChosen {
                available: available(),
            });
        }
    } else {
        for name in names {
            let found: Vec<&(&Synthesized, &StackArtifact)> = everything
                .iter()
                .filter(|(_, s)| s.id == *name || s.stack_name == *name)
                .collect();
            match found.as_slice() {
                [] => {
                    return Err(CliError::UnknownStack {
                        name: name.clone(),
                        available: available(),
                    });
                }
                [(a, s)] => {
                    wanted.insert((a.app.clone(), s.id.clone()));
                }
                many => {
                    return Err(CliError::AmbiguousStack {
                        name: name.clone(),
                        apps: many.iter().map(|(a, _)| a.app.clone()).collect(),
                    });
                }
            }
        }
    }
    if with_dependencies {
        let mut queue: Vec<(String, String)> = wanted.iter().cloned().collect();
        while let Some((app, id)) = queue.pop() {
            let Some(synth) = apps.iter().find(|a| a.app == app) else {
                continue;
            };
            let Some(stack) = synth.stack(&id) else {
                continue;
            };
            for dep in &stack.dependencies {
                if wanted.insert((app.clone(), dep.clone())) {
                    queue.push((app.clone(), dep.clone()));
                }
            }
        }
    }
    let mut stacks = Vec::new();
    let mut depends_on = BTreeMap::new();
    for (app, s) in &everything {
        if !wanted.contains(&(app.app.clone(), s.id.clone())) {
            continue;
        }
        let deps: BTreeSet<String> = s
            .dependencies
            .iter()
            .filter(|d| wanted.contains(&(app.app.clone(), (*d).clone())))
            .filter_map(|d| app.stack(d).map(|st| st.stack_name.clone()))
            .collect();
        depends_on.insert(s.stack_name.clone(), deps);
        stacks.push((*s).clone());
    }
    Ok(Chosen { stacks, depends_on })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cirrus_core::{App, RawResource, StackProps, value};

    /// Producer <- Consumer (a cross-stack reference), and Lone.
    fn app() -> Synthesized {
        let app = App::new("t");
        let producer = app.stack("Producer", StackProps::default());
        let consumer = app.stack("Consumer", StackProps::default());
        app.stack("Lone", StackProps::default())
            .add("Q", RawResource::new("AWS::SQS::Queue", value!({})));
        let topic = producer.add("Topic", RawResource::new("AWS::SNS::Topic", value!({})));
        consumer.add(
            "Sub",
            RawResource::new(
                "AWS::SNS::Subscription",
                value!({"TopicArn": (topic.ref_()), "Protocol": "sqs"}),
            ),
        );
        consumer.add_output("T", topic.ref_());
        app.synth().unwrap()
    }

    #[test]
    fn dependencies_come_along_unless_exclusive() {
        let apps = [app()];
        let with = choose(&apps, &["Consumer".into()], false, false, true).unwrap();
        assert_eq!(with.order(), ["Producer", "Consumer"]);
        assert_eq!(
            with.depends_on["Consumer"],
            BTreeSet::from(["Producer".to_owned()])
        );
        assert_eq!(
            with.dependents()["Producer"],
            BTreeSet::from(["Consumer".to_owned()])
        );
        let without = choose(&apps, &["Consumer".into()], false, false, false).unwrap();
        assert_eq!(without.order(), ["Consumer"]);
        assert!(without.depends_on["Consumer"].is_empty());
    }

    #[test]
    fn several_stacks_need_names_or_all() {
        let apps = [app()];
        let err = choose(&apps, &[], false, false, true).unwrap_err();
        assert_eq!(err.to_string(), "name the stacks to act on, or pass --all");
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            choose(&apps, &[], true, false, true).unwrap().stacks.len(),
            3
        );
        assert_eq!(
            choose(&apps, &[], false, true, true).unwrap().stacks.len(),
            3
        );
        let unknown = choose(&apps, &["Nope".into()], false, false, true).unwrap_err();
        assert_eq!(unknown.to_string(), "no stack named \"Nope\"");
    }
}
