//! `Delivery`: the app's repository and the one pipeline that delivers the app from a push.
//!
//! 000 deploys two pipeline stacks by hand, each reading CloudFormation templates pushed to a
//! CodeCommit repository of its own ("Repo for the Cloudformation template which defines the
//! actual infrastructure", a "Checkout Stage" and a "Deploy Stage"). Here the whole project,
//! app code and the `synth-out/yelp-search/` it commits, lives in one git repository, and one
//! delivery pipeline takes every push to [`BRANCH`]: it verifies that the committed templates
//! are what the code produces (`synth --check`), updates itself, waits for a person when a
//! change widens access, and deploys `FrontendInfra` and `EksCluster`, then `BackendInfra`,
//! each through a change set, with a deployment role derived from what those stacks contain.
//!
//! The cluster's own objects (the namespace, the shared storage, the jobs' service account) and
//! the load balancer controller go on the cluster through CodePipeline's EKS deploy action, one
//! action per step in the pipeline's view, as the component pipelines apply theirs.
//!
//! The repository is on GitHub through a CodeConnections connection, or in CodeCommit
//! ([`config::SOURCE`]); the component pipelines read the synthesized Kubernetes objects from
//! the same repository.

use cirrus_aws::codecommit::{Repository, RepositoryProps};
use cirrus_aws::codeconnections::{Connection, ConnectionProps};
use cirrus_aws::codepipeline::{
    DeliveryPipeline, DeliveryProps, DeliverySource, KubernetesDelivery, SynthStep,
};
use cirrus_aws::logs::LogGroupProps;
use cirrus_aws::prelude::*;

use super::config::{self, APP, AppSource, BRANCH, LOG_RETENTION};
use super::log_group_name;

/// The app's repository in `stack`: a connection to it (pending until its handshake), or a
/// CodeCommit repository. The component pipelines read it too ([`DeliverySource::action`]).
pub fn source(stack: Stack<'_>) -> DeliverySource<'_> {
    match config::SOURCE {
        AppSource::Connection {
            provider,
            repository,
        } => {
            let props = ConnectionProps::default().connection_name(APP);
            let connection = Connection::new(stack, "Connection", provider, props);
            stack
                .add_output("ConnectionArn", connection.arn())
                .description("complete this connection's handshake once in the console (Developer Tools > Connections)");
            DeliverySource::connection(&connection, repository, BRANCH)
        }
        AppSource::CodeCommit { repository } => {
            let props = RepositoryProps::default().description(format!(
                "{APP}: the app, and the synth-out/{APP}/ it commits"
            ));
            let repository = Repository::new(stack, "AppRepo", repository, props);
            stack
                .add_output("AppRepoCloneUrlHttp", repository.clone_url_http())
                .description("push the project here to deliver it");
            DeliverySource::codecommit(&repository, BRANCH)
        }
    }
}

/// The delivery pipeline of the app, from `source`. Called last: its waves come from every
/// stack of the app and their references.
pub fn pipeline<'a>(stack: Stack<'a>, source: DeliverySource<'a>) {
    // Reviewers read synth-out/ in pull requests: what they read is what deploys.
    let logs = LogGroupProps::default()
        .log_group_name(log_group_name("delivery"))
        .retention(LOG_RETENTION);
    let props = DeliveryProps::default()
        .synth(SynthStep::Committed)
        .kubernetes(KubernetesDelivery::EksDeployAction)
        .build_logs(logs);
    let delivery = DeliveryPipeline::new(stack, "Delivery", source, props);
    stack.add_output("PipelineName", delivery.pipeline().name());
}
