//! The guide's chapter "Workloads on a cluster", as code: an API image of the app's own ECR
//! repository on a cluster of the app, with a Service, an autoscaler, a service account that
//! reads a bucket through Pod Identity, and a pinned Helm chart. The YAML the guide prints is
//! compared with what synthesis writes, so the chapter cannot drift from the code.

use cirrus_aws::codebuild::{
    BuildEnv, BuildSpec, InlineBuildSpec, Phase, Phases, Project, ProjectProps,
};
use cirrus_aws::codecommit::{
    Repository as CodeRepository, RepositoryProps as CodeRepositoryProps,
};
use cirrus_aws::codepipeline::{
    Action, Artifact, CodeBuildActionProps, EksDeployProps, Pipeline, PipelineProps, Stage,
};
use cirrus_aws::ec2::{Vpc, VpcProps};
use cirrus_aws::ecr::{Repository, RepositoryProps};
use cirrus_aws::eks::k8s::workload::{self, delayed, http_probe, tcp_port};
use cirrus_aws::eks::k8s::{Object, secure};
use cirrus_aws::eks::{
    Cluster, ClusterProps, HelmChart, Nodegroup, NodegroupProps, PipelineValues,
};
use cirrus_aws::prelude::*;
use cirrus_aws::s3::{Bucket, BucketProps};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Container;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::json;

/// The API: the image is a token for the repository's URI, resolved when the app deploys.
fn api_deployment(image: String, service_account: &str) -> Deployment {
    let api = Container {
        ports: Some(vec![tcp_port(8080)]),
        readiness_probe: Some(http_probe("/ready", 8080)),
        liveness_probe: Some(delayed(http_probe("/health", 8080), 30)),
        resources: Some(secure::resources(("250m", "256Mi"), ("500m", "512Mi"))),
        ..workload::container("api", image)
    };
    let pod = workload::pod(Some(service_account), vec![api], vec![]);
    workload::deployment(meta(), workload::labels([("app", "api")]), Some(2), pod)
}

/// The API's objects are named `api` in `search`, labelled `app: api`.
fn meta() -> ObjectMeta {
    ObjectMeta {
        labels: Some(workload::labels([("app", "api")])),
        ..workload::meta("api", "search")
    }
}

fn search_app() -> cirrus_core::App {
    let app = cirrus_core::App::new("search");
    let images = app.stack("Images", cirrus_core::StackProps::default());
    let repository = Repository::new(images, "Api", RepositoryProps::default());
    let platform = app.stack("Platform", cirrus_core::StackProps::default());
    let vpc = Vpc::new(platform, "Vpc", VpcProps::default());
    let cluster = Cluster::new(platform, "Cluster", &vpc, ClusterProps::default());
    cluster.add_core_addons();
    Nodegroup::new(platform, "Nodes", &cluster, NodegroupProps::default());
    let documents = Bucket::new(platform, "Documents", BucketProps::default());

    // The namespace, a service account whose pods may read the bucket, the API, and the
    // metrics server the autoscaler reads, pinned to one chart version.
    let namespace = workload::namespace("search");
    cluster.add_manifest("Namespace", [Object::new(&namespace)]);
    let reader = cluster.add_service_account("search", "api");
    documents.grant_read(&reader);
    let image = format!("{}:1.4.2", cluster.token(repository.uri()));
    let selector = workload::labels([("app", "api")]);
    cluster.add_manifest(
        "Api",
        [
            Object::new(&api_deployment(image, &reader.name())),
            Object::new(&workload::service(meta(), selector, 8080)),
            Object::new(&workload::cpu_autoscaler(meta(), "api", (2, 10), 70)),
        ],
    );
    cluster.add_helm_chart(
        "MetricsServer",
        HelmChart::new(
            "https://kubernetes-sigs.github.io/metrics-server/",
            "metrics-server",
            "3.12.2",
        )
        .namespace("kube-system")
        .values(json!({ "replicas": 2 })),
    );
    app
}

/// `search_app` with its API applied by the component's pipeline rather than by `deploy`.
fn search_app_with_pipeline() -> cirrus_core::App {
    let app = cirrus_core::App::new("search");
    let platform = app.stack("Platform", cirrus_core::StackProps::default());
    let repository = Repository::new(platform, "Api", RepositoryProps::default());
    let vpc = Vpc::new(platform, "Vpc", VpcProps::default());
    let cluster = Cluster::new(platform, "Cluster", &vpc, ClusterProps::default());
    cluster.add_core_addons();
    Nodegroup::new(platform, "Nodes", &cluster, NodegroupProps::default());
    let namespace = workload::namespace("search");
    cluster.add_manifest("Namespace", [Object::new(&namespace)]);
    let reader = cluster.add_service_account("search", "api");

    let delivery = app.stack("Delivery", cirrus_core::StackProps::default());
    let code = CodeRepository::new(delivery, "Code", "search", CodeRepositoryProps::default());
    let app_checkout = Artifact::new("App");
    let project = Project::new(
        delivery,
        "Build",
        ProjectProps::default().build_spec(BuildSpec::inline(InlineBuildSpec {
            env: BuildEnv {
                exported_variables: vec!["IMAGE_TAG".into()],
                ..Default::default()
            },
            phases: Phases {
                build: Some(Phase::commands([
                    "IMAGE_TAG=\"${CODEBUILD_RESOLVED_SOURCE_VERSION:0:12}\"",
                ])),
                ..Default::default()
            },
            ..Default::default()
        })),
    );
    let build = Action::codebuild(&project, &app_checkout, CodeBuildActionProps::default())
        .variables_namespace("Build");

    let mut values = PipelineValues::default();
    let image = format!(
        "{}:{}",
        values.value("IMAGE_REPOSITORY", repository.uri()),
        values.variable("IMAGE_TAG"),
    );
    let api = cluster.add_pipeline_manifest(
        "Api",
        values,
        [Object::new(&api_deployment(image, &reader.name()))],
    );
    // In the component's pipeline, after the build that exports IMAGE_TAG:
    let deploy = Action::eks_deploy_manifest(
        &api,
        &app_checkout,
        EksDeployProps::default().env("IMAGE_TAG", build.variable("IMAGE_TAG")),
    );

    Pipeline::new(
        delivery,
        "Pipeline",
        PipelineProps::default().stages([
            Stage::new(
                "Source",
                [Action::codecommit_source(&code, "main", &app_checkout)],
            ),
            Stage::new("Build", [build]),
            Stage::new("Deploy", [deploy]),
        ]),
    );
    app
}

/// The guide's pipeline snippet: the API's step is the pipeline's, with the image it built.
#[test]
fn a_component_pipeline_applies_the_api_with_the_image_it_built() {
    let synth = search_app_with_pipeline()
        .synth()
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    let api = synth
        .artifacts
        .iter()
        .find(|a| a.id == "Platform-Cluster-Kubernetes-Api")
        .unwrap();
    assert_eq!(api.properties["appliedBy"], "pipeline");
    let text = String::from_utf8(api.files[0].1.clone()).unwrap();
    assert!(
        text.contains("image: $IMAGE_REPOSITORY:$IMAGE_TAG"),
        "{text}"
    );
    let delivery = synth.stacks.iter().find(|s| s.id == "Delivery").unwrap();
    let template = delivery.template.to_string();
    assert!(
        template.contains("synth-out/search/Platform-Cluster-Kubernetes-Api.yaml"),
        "{template}"
    );
    assert!(template.contains("#{Build.IMAGE_TAG}"), "{template}");
}

/// The ```yaml block of the guide that follows the line `marker`.
fn guide_block(marker: &str) -> String {
    let guide =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/guide.md")).unwrap();
    let after = guide
        .split_once(marker)
        .unwrap_or_else(|| panic!("the guide has no line {marker:?}"))
        .1;
    let start = after
        .find("```yaml\n")
        .expect("a yaml block after the marker")
        + 8;
    let end = after[start..].find("```").expect("the end of the block") + start;
    after[start..end].to_owned()
}

#[test]
fn the_guide_shows_what_synthesis_writes() {
    let synth = search_app()
        .synth()
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    let order: Vec<&str> = synth.artifacts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        order,
        [
            "Platform-Cluster-Kubernetes-Namespace",
            "Platform-Cluster-Kubernetes-search-api",
            "Platform-Cluster-Kubernetes-Api",
            "Platform-Cluster-Kubernetes-MetricsServer",
        ]
    );
    for (marker, file) in [
        (
            "<!-- Platform-Cluster-Kubernetes-Api.yaml, as synthesized from apps/tests/kubernetes.rs -->",
            "Platform-Cluster-Kubernetes-Api.yaml",
        ),
        (
            "<!-- Platform-Cluster-Kubernetes-MetricsServer.values.yaml, as synthesized from apps/tests/kubernetes.rs -->",
            "Platform-Cluster-Kubernetes-MetricsServer.values.yaml",
        ),
    ] {
        let (_, bytes) = synth
            .artifacts
            .iter()
            .flat_map(|a| &a.files)
            .find(|(name, _)| name == file)
            .unwrap();
        let written = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(
            guide_block(marker),
            written,
            "docs/guide.md shows another {file} than synthesis writes"
        );
    }
}
