//! The buildspec of an image build: the Dockerfile at the root of the source, built and pushed
//! to an ECR repository under a tag the pipeline gives, as every service with its own image
//! needs. No registry credential exists: the project's role logs in to ECR for the build's
//! duration (grant it the repository's `grant_push` and `grant_read`).

use crate::codebuild::{BuildEnv, InlineBuildSpec, Phase, Phases};

/// The variable of the project that names the repository: its URI
/// (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`), as `Repository::uri` gives it.
pub const IMAGE_REPO_URI: &str = "IMAGE_REPO_URI";

/// The variable that carries the image's tag: given by the pipeline's build action (the
/// commit id), cut to 12 characters by the build, and exported for later actions
/// (`build_action.variable("IMAGE_TAG")`).
pub const IMAGE_TAG: &str = "IMAGE_TAG";

impl InlineBuildSpec {
    /// Builds the Dockerfile at the root of the source into `$IMAGE_REPO_URI:$IMAGE_TAG` and
    /// pushes it, with `IMAGE_TAG` cut to its first 12 characters and exported. The project
    /// runs privileged (`BuildEnvironment::privileged`), has [`IMAGE_REPO_URI`] among its
    /// variables, and its role may push to and read the repository.
    ///
    /// ECR tags should be immutable (the default of this library's repositories), so an image
    /// whose tag exists already (a run of the pipeline again on the same commit) is neither
    /// built nor pushed again: the build says so and succeeds. `--pull` takes the base image's
    /// latest patch release at every build.
    pub fn docker_image() -> InlineBuildSpec {
        InlineBuildSpec {
            env: BuildEnv {
                shell: Some("bash".into()),
                exported_variables: vec![IMAGE_TAG.into()],
                ..Default::default()
            },
            phases: Phases {
                install: None,
                pre_build: Some(Phase::commands([
                    "aws ecr get-login-password --region \"$AWS_REGION\" | docker login --username AWS --password-stdin \"${IMAGE_REPO_URI%%/*}\"",
                    "IMAGE_TAG=\"${IMAGE_TAG:0:12}\"",
                    "if aws ecr describe-images --repository-name \"${IMAGE_REPO_URI#*/}\" --image-ids imageTag=\"$IMAGE_TAG\" >/dev/null 2>&1; then\n  echo \"image $IMAGE_TAG exists already (tags are immutable): not building it again\"\n  SKIP_BUILD=1\nfi",
                ])),
                build: Some(Phase::commands([
                    "[ -n \"${SKIP_BUILD:-}\" ] || docker build --pull -t \"$IMAGE_REPO_URI:$IMAGE_TAG\" .",
                ])),
                post_build: Some(Phase::commands([
                    "[ -n \"${SKIP_BUILD:-}\" ] || docker push \"$IMAGE_REPO_URI:$IMAGE_TAG\"",
                ])),
            },
            artifacts: None,
            cache_paths: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The commands read the two variables by the names the constants give, log in to the
    /// repository's registry (the URI up to the first '/'), and skip an existing tag.
    #[test]
    fn the_image_build_reads_its_variables_and_skips_existing_tags() {
        let spec = InlineBuildSpec::docker_image();
        assert_eq!(spec.env.exported_variables, [IMAGE_TAG]);
        let commands: Vec<&String> = [
            &spec.phases.pre_build,
            &spec.phases.build,
            &spec.phases.post_build,
        ]
        .into_iter()
        .flatten()
        .flat_map(|phase| &phase.commands)
        .collect();
        let all = commands
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(all.contains(&format!("${{{IMAGE_REPO_URI}%%/*}}")), "{all}");
        assert!(all.contains("describe-images"), "{all}");
        assert!(
            commands
                .iter()
                .filter(|c| c.contains("docker build") || c.contains("docker push"))
                .all(|c| c.starts_with("[ -n \"${SKIP_BUILD:-}\" ] ||")),
            "{all}"
        );
    }
}
