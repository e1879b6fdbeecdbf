//! `docs-site`: a documentation site released from its repository, the app of the guide's
//! "Your first app" chapter. A private bucket behind CloudFront (origin access control, a
//! CloudFront Function that serves `/guide/` from `/guide/index.html`), the site's own domain
//! with a DNS-validated certificate and Route 53 aliases, and a pipeline from CodeCommit through
//! a CodeBuild build (MkDocs) to the bucket, which then invalidates the distribution.
//!
//! Set [`DOMAIN`] and [`ZONE`] to yours: the hosted zone must exist in the account.

use cirrus_aws::certificatemanager::{Certificate, CertificateProps, CertificateValidation};
use cirrus_aws::cloudfront::{
    Behavior, CustomDomain, Distribution, DistributionProps, Function, FunctionCode, FunctionEvent,
    FunctionProps, Origin,
};
use cirrus_aws::codebuild::{
    BuildArtifacts, BuildSpec, InlineBuildSpec, InstallPhase, Phase, Phases, Project, ProjectProps,
};
use cirrus_aws::codecommit::{Repository, RepositoryProps};
use cirrus_aws::codepipeline::{
    Action, Artifact, CodeBuildActionProps, Pipeline, PipelineProps, S3DeployProps, Stage,
};
use cirrus_aws::prelude::*;
use cirrus_aws::route53::{HostedZone, RecordSet, RecordSetProps, RecordTarget};
use cirrus_aws::s3::{Bucket, BucketProps};

/// The site's name.
pub const DOMAIN: &str = "docs.example.com";
/// The Route 53 hosted zone of the domain: id and name.
pub const ZONE: (&str, &str) = ("Z0123456789ABCDEFGHIJ", "example.com");

/// Adds the `DocsSite` stack to `app`.
pub fn define(app: &App) {
    // CloudFront takes certificates from us-east-1 only.
    let props = StackProps::default()
        .env(Env::region("us-east-1"))
        .description("docs-site: a documentation site behind CloudFront, released from git");
    let stack = app.stack("DocsSite", props);
    Tags::of(&stack).add("app", "docs-site");

    let zone = HostedZone::from_attributes(stack, "Zone", ZONE.0, ZONE.1);
    let validation = CertificateValidation::Dns(zone.clone());
    let certificate = Certificate::new(
        stack,
        "Certificate",
        DOMAIN,
        validation,
        CertificateProps::default(),
    );
    let site = Bucket::new(stack, "Site", BucketProps::default());
    let index = Function::new(
        stack,
        "DirectoryIndex",
        FunctionCode::DirectoryIndex,
        FunctionProps::default(),
    );
    let behavior = Behavior::new(Origin::S3(site)).function(FunctionEvent::ViewerRequest, &index);
    let domain = CustomDomain::new([DOMAIN], &certificate);
    let cdn = Distribution::new(
        stack,
        "Cdn",
        behavior,
        DistributionProps::default().domain(domain),
    );
    let alias = RecordSetProps::default();
    let ipv4 = RecordTarget::AliasA(cdn.alias_target());
    RecordSet::new(stack, "Alias", &zone, DOMAIN, ipv4, alias.clone());
    let ipv6 = RecordTarget::AliasAaaa(cdn.alias_target());
    RecordSet::new(stack, "AliasIpv6", &zone, DOMAIN, ipv6, alias);

    let repo = Repository::new(stack, "Repo", "docs-site", RepositoryProps::default());
    let spec = InlineBuildSpec {
        phases: Phases {
            install: Some(InstallPhase {
                runtime_versions: vec![("python".into(), "3.12".into())],
                commands: vec!["pip install mkdocs==1.6.1".into()],
                ..Default::default()
            }),
            build: Some(Phase::commands(["mkdocs build --strict --site-dir site"])),
            ..Default::default()
        },
        artifacts: Some(BuildArtifacts {
            files: vec!["**/*".into()],
            base_directory: Some("site".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let build = Project::new(
        stack,
        "Build",
        ProjectProps::default().build_spec(BuildSpec::inline(spec)),
    );

    let (source, built) = (Artifact::new("Source"), Artifact::new("Site"));
    let stages = [
        Stage::new(
            "Source",
            [Action::codecommit_source(&repo, "main", &source)],
        ),
        Stage::new(
            "Build",
            [Action::codebuild(
                &build,
                &source,
                CodeBuildActionProps::output(&built),
            )],
        ),
        Stage::new(
            "Deploy",
            [
                Action::s3_deploy(&site, &built, S3DeployProps::default()),
                Action::cloudfront_invalidation(cdn.id(), ["/*"], &built).run_order(2),
            ],
        ),
    ];
    Pipeline::new(stack, "Pipeline", PipelineProps::default().stages(stages));

    stack.add_output("SiteUrl", format!("https://{DOMAIN}/"));
    stack.add_output("RepoCloneUrlHttp", repo.clone_url_http());
}
