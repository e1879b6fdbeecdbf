//! `BuildSpec`: what a build runs, typed and rendered as YAML into the template, or read from
//! the source.

use cirrus_core::{Expr, fns};
use serde_json::{Map, Value as J, json};

use crate::codebuild::env_var::{EnvVar, Problem, check_variable_name};
use crate::codes;

/// Where the build's commands come from.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildSpec {
    /// Written here and rendered as YAML into the template: the commands are reviewed with the
    /// infrastructure, and secrets referenced in `env` are granted to the project.
    Inline(Box<InlineBuildSpec>),
    /// A file in the source (`buildspec.yml`): the build is changed with a commit. Secrets it
    /// references are not known here: grant them to the project yourself.
    FromSource(String),
}

impl Default for BuildSpec {
    /// `buildspec.yml` at the root of the source.
    fn default() -> Self {
        BuildSpec::FromSource("buildspec.yml".into())
    }
}

impl BuildSpec {
    /// `spec`, rendered into the template.
    pub fn inline(spec: InlineBuildSpec) -> BuildSpec {
        BuildSpec::Inline(Box::new(spec))
    }

    /// The buildspec file at `path` in the source.
    pub fn from_source_file(path: &str) -> BuildSpec {
        BuildSpec::FromSource(path.to_owned())
    }
}

/// A buildspec (version 0.2).
#[derive(Debug, Clone, PartialEq, Default, cirrus_derive::Setters)]
pub struct InlineBuildSpec {
    /// The shell and the environment of the commands. Default: `sh`, no variables.
    pub env: BuildEnv,
    /// The commands. Default: none; at least one phase needs commands.
    pub phases: Phases,
    /// What the build leaves for later stages. Default: nothing.
    pub artifacts: Option<BuildArtifacts>,
    /// Paths kept between builds; the project needs a cache (`Cache::Local` with the custom
    /// mode, or `Cache::S3`). Default: none.
    pub cache_paths: Vec<String>,
}

/// The `env` section.
#[derive(Debug, Clone, PartialEq, Default, cirrus_derive::Setters)]
pub struct BuildEnv {
    /// The shell the commands run in (`bash`). Default: `sh` on Linux images.
    pub shell: Option<String>,
    /// Variables, in order: plain values go to `variables`, parameters to `parameter-store`,
    /// secrets to `secrets-manager`. Default: none.
    pub variables: Vec<(String, EnvVar)>,
    /// Variables whose final values are exported to later pipeline actions (through the
    /// action's variables namespace). Default: none.
    pub exported_variables: Vec<String>,
    /// Let `git` use the build's credentials for CodeCommit. Default: `false`.
    pub git_credential_helper: bool,
}

/// What happens when a phase's commands fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// Stop the build (CodeBuild's default).
    Abort,
    /// Go on with the next phase.
    Continue,
}

/// The `install` phase: the only one that selects runtime versions.
#[derive(Debug, Clone, PartialEq, Default, cirrus_derive::Setters)]
pub struct InstallPhase {
    /// Runtimes of the image to select (`nodejs` → `20`). Default: none.
    pub runtime_versions: Vec<(String, String)>,
    /// The commands. Default: none.
    pub commands: Vec<String>,
    /// Commands that run even when `commands` fail. Default: none.
    pub finally: Vec<String>,
    /// What a failure does. Default: abort.
    pub on_failure: Option<OnFailure>,
}

/// One of the `pre_build`, `build` and `post_build` phases.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Phase {
    /// The commands. Default: none.
    pub commands: Vec<String>,
    /// Commands that run even when `commands` fail. Default: none.
    pub finally: Vec<String>,
    /// What a failure does. Default: abort.
    pub on_failure: Option<OnFailure>,
}

impl Phase {
    /// A phase that runs `commands`.
    pub fn commands<S: Into<String>>(commands: impl IntoIterator<Item = S>) -> Phase {
        Phase {
            commands: commands.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }
}

/// The phases, in the order they run.
#[derive(Debug, Clone, PartialEq, Default, cirrus_derive::Setters)]
pub struct Phases {
    /// Installing tools. Default: none.
    pub install: Option<InstallPhase>,
    /// Before the build (logins, dependency installs). Default: none.
    pub pre_build: Option<Phase>,
    /// The build. Default: none.
    pub build: Option<Phase>,
    /// After the build (pushes, packaging). Default: none.
    pub post_build: Option<Phase>,
}

/// The `artifacts` section.
#[derive(Debug, Clone, PartialEq, Default, cirrus_derive::Setters)]
pub struct BuildArtifacts {
    /// Glob patterns of the files (`**/*`). Default: none; at least one is needed.
    pub files: Vec<String>,
    /// The directory the patterns are relative to, which is left out of the artifact
    /// (`build`). Default: the source root.
    pub base_directory: Option<String>,
    /// Flatten the files into the artifact's root. Default: `false`.
    pub discard_paths: bool,
    /// The artifact's name. Default: CodeBuild's.
    pub name: Option<String>,
}

impl InlineBuildSpec {
    /// What CodeBuild would refuse, or what would surprise, in the buildspec.
    pub(crate) fn problems(&self) -> Vec<Problem> {
        let mut out: Vec<Problem> = Vec::new();
        let mut problems: Vec<Problem> = Vec::new();
        let mut say = |code, message: String| out.push(Problem::plain(code, message));
        let phases = &self.phases;
        let install_commands = phases
            .install
            .as_ref()
            .map_or(0, |p| p.commands.len() + p.runtime_versions.len());
        let other_commands: usize = [&phases.pre_build, &phases.build, &phases.post_build]
            .into_iter()
            .flatten()
            .map(|p| p.commands.len())
            .sum();
        if install_commands + other_commands == 0 {
            say(
                codes::codebuild::BUILDSPEC_INVALID,
                "the inline buildspec runs no commands".to_owned(),
            );
        }
        let mut names: Vec<&str> = Vec::new();
        for (name, value) in &self.env.variables {
            if names.contains(&name.as_str()) {
                say(
                    codes::codebuild::ENV_VAR_DUPLICATE,
                    format!("the buildspec sets {name} twice"),
                );
            }
            names.push(name);
            problems.extend(value.problems(name));
        }
        for name in &self.env.exported_variables {
            if let Err(p) = check_variable_name(name) {
                say(
                    codes::codebuild::ENV_VAR_NAME_INVALID,
                    format!("buildspec exported-variables: {p}"),
                );
            }
        }
        if let Some(install) = &phases.install {
            for (runtime, version) in &install.runtime_versions {
                if runtime.is_empty() || version.is_empty() {
                    say(
                        codes::codebuild::BUILDSPEC_INVALID,
                        "a runtime version needs a runtime and a version".to_owned(),
                    );
                }
            }
        }
        for (phase, commands) in [
            (
                "install",
                phases.install.as_ref().map(|p| (&p.commands, &p.finally)),
            ),
            (
                "pre_build",
                phases.pre_build.as_ref().map(|p| (&p.commands, &p.finally)),
            ),
            (
                "build",
                phases.build.as_ref().map(|p| (&p.commands, &p.finally)),
            ),
            (
                "post_build",
                phases
                    .post_build
                    .as_ref()
                    .map(|p| (&p.commands, &p.finally)),
            ),
        ] {
            if let Some((commands, finally)) = commands {
                if commands.is_empty() && !finally.is_empty() {
                    say(
                        codes::codebuild::BUILDSPEC_INVALID,
                        format!("the {phase} phase has finally commands but no commands"),
                    );
                }
                if commands.iter().chain(finally).any(|c| c.trim().is_empty()) {
                    say(
                        codes::codebuild::BUILDSPEC_INVALID,
                        format!("the {phase} phase has an empty command"),
                    );
                }
            }
        }
        if let Some(artifacts) = &self.artifacts
            && artifacts.files.is_empty()
        {
            say(
                codes::codebuild::BUILDSPEC_INVALID,
                "the buildspec's artifacts list no files".to_owned(),
            );
        }
        out.extend(problems);
        out
    }

    /// The environment variables that come from secrets and parameters, whose reading the
    /// project's role must be granted.
    pub(crate) fn variables(&self) -> &[(String, EnvVar)] {
        &self.env.variables
    }

    /// The buildspec as YAML text. Values that CloudFormation resolves (a secret's ARN, a
    /// parameter's generated name) make it an `Fn::Sub`, with every other `${` escaped.
    pub(crate) fn render(&self) -> Expr<String> {
        let mut holes = Holes::default();
        let document = self.to_json(&mut holes);
        let mut options = serde_saphyr::SerializerOptions::default();
        // Long commands stay on one line: folding them would make the template harder to read.
        options.folded_wrap_chars = 1000;
        let yaml = serde_saphyr::to_string_with_options(&document, options).unwrap_or_default();
        holes.fill(&yaml)
    }

    fn to_json(&self, holes: &mut Holes) -> J {
        let mut doc = Map::new();
        doc.insert("version".into(), json!(0.2));
        let env = self.env_json(holes);
        if !env.is_empty() {
            doc.insert("env".into(), J::Object(env));
        }
        let mut phases = Map::new();
        if let Some(install) = &self.phases.install {
            let mut phase = Map::new();
            if !install.runtime_versions.is_empty() {
                phase.insert(
                    "runtime-versions".into(),
                    J::Object(
                        install
                            .runtime_versions
                            .iter()
                            .map(|(k, v)| (k.clone(), J::String(v.clone())))
                            .collect(),
                    ),
                );
            }
            phase_json(
                &mut phase,
                &install.commands,
                &install.finally,
                install.on_failure,
            );
            phases.insert("install".into(), J::Object(phase));
        }
        for (name, phase) in [
            ("pre_build", &self.phases.pre_build),
            ("build", &self.phases.build),
            ("post_build", &self.phases.post_build),
        ] {
            if let Some(p) = phase {
                let mut out = Map::new();
                phase_json(&mut out, &p.commands, &p.finally, p.on_failure);
                phases.insert(name.into(), J::Object(out));
            }
        }
        doc.insert("phases".into(), J::Object(phases));
        if let Some(artifacts) = &self.artifacts {
            let mut out = Map::new();
            out.insert("files".into(), json!(artifacts.files));
            if let Some(dir) = &artifacts.base_directory {
                out.insert("base-directory".into(), json!(dir));
            }
            if artifacts.discard_paths {
                out.insert("discard-paths".into(), json!("yes"));
            }
            if let Some(name) = &artifacts.name {
                out.insert("name".into(), json!(name));
            }
            doc.insert("artifacts".into(), J::Object(out));
        }
        if !self.cache_paths.is_empty() {
            doc.insert("cache".into(), json!({ "paths": self.cache_paths }));
        }
        J::Object(doc)
    }

    fn env_json(&self, holes: &mut Holes) -> Map<String, J> {
        let mut env = Map::new();
        if let Some(shell) = &self.env.shell {
            env.insert("shell".into(), json!(shell));
        }
        let mut sections: [(&str, Map<String, J>); 3] = [
            ("variables", Map::new()),
            ("parameter-store", Map::new()),
            ("secrets-manager", Map::new()),
        ];
        for (name, value) in &self.env.variables {
            let section = match value {
                EnvVar::Plain(_) | EnvVar::NotSecret(_) => 0,
                EnvVar::ParameterStore(_) => 1,
                EnvVar::SecretsManager { .. } => 2,
            };
            let (base, suffix) = value.parts();
            sections[section]
                .1
                .insert(name.clone(), holes.text(base, &suffix));
        }
        for (key, section) in sections {
            if !section.is_empty() {
                env.insert(key.into(), J::Object(section));
            }
        }
        if !self.env.exported_variables.is_empty() {
            env.insert(
                "exported-variables".into(),
                json!(self.env.exported_variables),
            );
        }
        if self.env.git_credential_helper {
            env.insert("git-credential-helper".into(), json!("yes"));
        }
        env
    }
}

fn phase_json(
    out: &mut Map<String, J>,
    commands: &[String],
    finally: &[String],
    on_failure: Option<OnFailure>,
) {
    if let Some(mode) = on_failure {
        out.insert(
            "on-failure".into(),
            json!(match mode {
                OnFailure::Abort => "ABORT",
                OnFailure::Continue => "CONTINUE",
            }),
        );
    }
    if !commands.is_empty() {
        out.insert("commands".into(), json!(commands));
    }
    if !finally.is_empty() {
        out.insert("finally".into(), json!(finally));
    }
}

/// Values CloudFormation resolves, held out of the YAML while it is written: each stands in
/// the text as a marker that YAML must quote (it starts with `{`), so that the resolved value
/// (an ARN, a name) lands inside quotes.
#[derive(Debug, Default)]
struct Holes {
    values: Vec<Expr<String>>,
}

const MARK_OPEN: &str = "{{cirrus-hole-";
const MARK_CLOSE: &str = "}}";

impl Holes {
    /// The JSON text of `value` followed by `suffix`: the literal, or a marker.
    fn text(&mut self, value: Expr<String>, suffix: &str) -> J {
        if let Some(text) = value.as_literal() {
            return J::String(format!("{text}{suffix}"));
        }
        self.values.push(value);
        J::String(format!(
            "{MARK_OPEN}{}{MARK_CLOSE}{suffix}",
            self.values.len() - 1
        ))
    }

    /// `yaml` with the markers replaced: the literal text when there are none, else an
    /// `Fn::Sub` whose literal `${` are escaped.
    fn fill(self, yaml: &str) -> Expr<String> {
        if self.values.is_empty() {
            return yaml.to_owned().into();
        }
        let mut template = String::new();
        let mut rest = yaml;
        while let Some(start) = rest.find(MARK_OPEN) {
            template.push_str(&rest[..start].replace("${", "${!"));
            let after = &rest[start + MARK_OPEN.len()..];
            let end = after.find(MARK_CLOSE).unwrap_or(after.len());
            template.push_str(&format!("${{Value{}}}", &after[..end]));
            rest = after.get(end + MARK_CLOSE.len()..).unwrap_or("");
        }
        template.push_str(&rest.replace("${", "${!"));
        let vars: Vec<(String, Expr<String>)> = self
            .values
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("Value{i}"), v))
            .collect();
        fns::sub(
            &template,
            vars.iter()
                .map(|(name, value)| (name.as_str(), value.clone())),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> InlineBuildSpec {
        InlineBuildSpec {
            env: BuildEnv {
                shell: Some("bash".into()),
                variables: vec![("STAGE".into(), EnvVar::plain("prod"))],
                ..Default::default()
            },
            phases: Phases {
                install: Some(InstallPhase {
                    runtime_versions: vec![("nodejs".into(), "20".into())],
                    ..Default::default()
                }),
                build: Some(Phase::commands([
                    "npm run build",
                    "echo \"${STAGE}\" > stage.txt",
                ])),
                ..Default::default()
            },
            artifacts: Some(BuildArtifacts {
                files: vec!["**/*".into()],
                base_directory: Some("build".into()),
                ..Default::default()
            }),
            cache_paths: vec![],
        }
    }

    #[test]
    fn literal_buildspecs_render_as_plain_yaml() {
        let yaml = spec().render();
        assert_eq!(
            yaml.as_literal().map(String::as_str),
            Some(
                "version: 0.2\nenv:\n  shell: bash\n  variables:\n    STAGE: prod\nphases:\n  install:\n    runtime-versions:\n      nodejs: \"20\"\n  build:\n    commands:\n    - npm run build\n    - echo \"${STAGE}\" > stage.txt\nartifacts:\n  files:\n  - \"**/*\"\n  base-directory: build\n"
            )
        );
    }

    #[test]
    fn resolved_values_become_sub_variables_and_dollars_are_escaped() {
        let mut holes = Holes::default();
        let marker = holes.text(fns::sub("${AWS::Region}", []), "");
        let yaml = format!("a: \"{}\"\nb: ${{HOME}}\n", marker.as_str().unwrap());
        let filled = holes.fill(&yaml);
        let value = cirrus_core::ToValue::to_value(&filled);
        let rendered = format!("{value:?}");
        assert!(rendered.contains("a: \\\"${Value0}\\\""), "{rendered}");
        assert!(rendered.contains("b: ${!HOME}"), "{rendered}");
    }
}
