//! The two kinds of build, written here rather than kept as `buildspec.yml` files in the
//! repositories as the post does: the parts tied to the infrastructure (image repository,
//! cluster, namespace, bucket) are then reviewed with it, and the guarantee that no credential
//! appears in a buildspec is checked by the app's tests. Values come from the projects'
//! environment variables, set in the stacks; nothing secret exists to be written anywhere.

use cirrus_aws::codebuild::{
    BuildArtifacts, BuildEnv, EnvVar, InlineBuildSpec, InstallPhase, Phase, Phases,
};
use cirrus_aws::ssm::StringParameter;

/// The React app's build: 000's "Code build project which will build the static files from
/// the React source app", with `npm install` and `npm run build`, and `build/` as the
/// artifact the pipeline copies into the site bucket.
///
/// The API's URL comes from `api_url` (Parameter Store) as `REACT_APP_API_URL`, which
/// create-react-app bakes into the bundle: it replaces 000's edit of the app's `.env` file.
pub fn frontend(api_url: &StringParameter<'_>) -> InlineBuildSpec {
    InlineBuildSpec {
        env: BuildEnv {
            shell: Some("bash".into()),
            variables: vec![("REACT_APP_API_URL".into(), EnvVar::parameter(api_url))],
            ..Default::default()
        },
        phases: Phases {
            install: Some(InstallPhase {
                runtime_versions: vec![("nodejs".into(), "20".into())],
                ..Default::default()
            }),
            pre_build: Some(Phase::commands([
                // A lock file pins the dependencies; without one, resolve them as the post does.
                "if [ -f package-lock.json ]; then npm ci; else npm install; fi",
            ])),
            build: Some(Phase::commands(["npm run build"])),
            post_build: None,
        },
        artifacts: Some(BuildArtifacts {
            files: vec!["**/*".into()],
            base_directory: Some("build".into()),
            ..Default::default()
        }),
        cache_paths: Vec::new(),
    }
}

/// A component's image build: 000's "Build a Docker Image from the code" and push, to ECR
/// rather than the post's GitLab registry. CodeBuild's role logs in to ECR for the build's
/// duration, so no registry credential exists at all.
///
/// The project's `IMAGE_REPO_URI` names the repository; the pipeline's `IMAGE_TAG` is the
/// commit id, shortened to 12 characters. Tags are immutable, so a commit built before (a
/// re-run of the pipeline) is not pushed again. The tag is exported: the deploy stage reads it
/// as `#{Build.IMAGE_TAG}`.
pub fn docker_build() -> InlineBuildSpec {
    InlineBuildSpec {
        env: BuildEnv {
            shell: Some("bash".into()),
            exported_variables: vec!["IMAGE_TAG".into()],
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
