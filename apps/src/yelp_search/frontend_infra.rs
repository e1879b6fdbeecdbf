//! `FrontendInfra`: where the React app lives and how it is released. Delivered by `Delivery`
//! from its committed template.
//!
//! 000: "S3 bucket which stores the front end static files", "Cloudfront distribution to serve
//! the front end static files from the S3 bucket", "The Codecommit repo to store the app source
//! files", "Code build project which will build the static files from the React source app",
//! and "the Codepileine which is the release pipeline": Source, Build, and a Deploy stage that
//! "uses S3 provider for the deployment".
//!
//! Where this departs from the post:
//! - The post enables static website hosting on the bucket and opens it to the internet; here
//!   the bucket stays private and only the distribution reads it, through origin access
//!   control (the bucket policy names the distribution).
//! - The distribution answers on its `*.cloudfront.net` name with CloudFront's default
//!   certificate, as in the post ("I havent used a custom domain"), so its minimum TLS version
//!   cannot be set (checkov CKV_AWS_174 is skipped for it, with that reason). It redirects
//!   HTTP to HTTPS, sends security headers, keeps access logs and sits behind a WAF web ACL of
//!   AWS managed rules.
//! - The API's URL is a Parameter Store parameter read by the build, instead of an edit of
//!   the app's `.env` file.

use cirrus_aws::cloudfront::{
    Behavior, Distribution, DistributionProps, ErrorResponse, Origin, PriceClass,
};
use cirrus_aws::codebuild::{
    BuildArtifacts, BuildEnv, BuildSpec, EnvVar, InlineBuildSpec, InstallPhase, Phase, Phases,
    Project, ProjectProps,
};
use cirrus_aws::codecommit::{Repository, RepositoryProps};
use cirrus_aws::codepipeline::{
    Action, Artifact, CodeBuildActionProps, Pipeline, PipelineProps, S3DeployMode, S3DeployProps,
    Stage,
};
use cirrus_aws::logs::{LogEncryption, LogGroupProps};
use cirrus_aws::prelude::*;
use cirrus_aws::s3::{Bucket, BucketProps};
use cirrus_aws::ssm::{StringParameter, StringParameterProps};

use super::config::{APP, BRANCH, LOG_RETENTION, api_url};
use super::{artifact_store, log_group_name};

/// The name of the parameter holding the API's URL.
pub const API_URL_PARAMETER: &str = "/yelp-search/frontend/api-url";

/// How long browsers and CloudFront keep the deployed files: a deploy shows within five
/// minutes without an invalidation (which no pipeline action can do without a Lambda).
const CACHE_CONTROL: &str = "public, max-age=300";

/// Fills the `FrontendInfra` stack.
pub fn define(stack: Stack<'_>) {
    let (key, artifacts) = artifact_store(stack);

    // Private: only the distribution reads it (origin access control), never the internet.
    let site = Bucket::new(stack, "Site", BucketProps::default());
    let cdn = Distribution::new(
        stack,
        "Cdn",
        Behavior::new(Origin::S3(site)),
        DistributionProps::default()
            .default_root_object("index.html")
            // The React router runs in the browser: unknown paths get the app.
            .error_responses(ErrorResponse::single_page_app("/index.html"))
            .price_class(PriceClass::PriceClass100)
            .comment(format!("{APP}: the React app")),
    );

    let app_repo_name = format!("{APP}-frontend");
    let repo_props =
        RepositoryProps::default().description("the React app of the search front end");
    let app_repo = Repository::new(stack, "AppRepo", &app_repo_name, repo_props);
    let api_url = StringParameter::new(
        stack,
        "ApiUrl",
        api_url(),
        StringParameterProps::default()
            .parameter_name(API_URL_PARAMETER)
            .description("the URL of the search API, baked into the React build")
            .allowed_pattern("^https://.+"),
    );
    let build_name = format!("{APP}-frontend-build");
    let build_logs = log_group_name("frontend-build");
    let build = Project::new(
        stack,
        "Build",
        ProjectProps::default()
            .project_name(build_name)
            .description("builds the static site from the React app")
            .build_spec(BuildSpec::inline(react_build(&api_url)))
            .logs(
                LogGroupProps::default()
                    .log_group_name(build_logs)
                    .retention(LOG_RETENTION)
                    .encryption(LogEncryption::Key(key)),
            )
            .encryption_key(key)
            .timeout_minutes(20),
    );

    let (src, built) = (Artifact::new("Src"), Artifact::new("Site"));
    let pipeline_name = format!("{APP}-frontend");
    let deploy = S3DeployProps::default()
        .mode(S3DeployMode::Extract { prefix: None })
        .cache_control(CACHE_CONTROL);
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps::default()
            .pipeline_name(pipeline_name)
            .stages([
                Stage::new(
                    "Source",
                    [Action::codecommit_source(&app_repo, BRANCH, &src)],
                ),
                Stage::new(
                    "Build",
                    [Action::codebuild(
                        &build,
                        &src,
                        CodeBuildActionProps::output(&built),
                    )],
                ),
                Stage::new("Deploy", [Action::s3_deploy(&site, &built, deploy)]),
            ])
            .artifact_bucket(artifacts),
    );

    stack
        .add_output("CdnDomainName", cdn.domain_name())
        .description("open https://<this name> to use the app");
    stack.add_output("SiteBucketName", site.name());
    stack
        .add_output("AppRepoCloneUrlHttp", app_repo.clone_url_http())
        .description("push the React app here to build and deploy it");
}

/// The React app's build, written here rather than kept as a `buildspec.yml` in its
/// repository as the post does, so that it is reviewed with the infrastructure: 000's "Code build project which will build the static files from
/// the React source app", with `npm install` and `npm run build`, and `build/` as the
/// artifact the pipeline copies into the site bucket.
///
/// The API's URL comes from `api_url` (Parameter Store) as `REACT_APP_API_URL`, which
/// create-react-app bakes into the bundle: it replaces 000's edit of the app's `.env` file.
fn react_build(api_url: &StringParameter<'_>) -> InlineBuildSpec {
    let api = ("REACT_APP_API_URL".to_owned(), EnvVar::parameter(api_url));
    InlineBuildSpec::default()
        .env(BuildEnv::default().shell("bash").variables([api]))
        .phases(
            Phases::default()
                .install(InstallPhase::default().runtime_versions([("nodejs".into(), "20".into())]))
                .pre_build(Phase::commands([
                    // A lock file pins the dependencies; without one, resolve them as the post does.
                    "if [ -f package-lock.json ]; then npm ci; else npm install; fi",
                ]))
                .build(Phase::commands(["npm run build"])),
        )
        .artifacts(
            BuildArtifacts::default()
                .files(["**/*"])
                .base_directory("build"),
        )
}
