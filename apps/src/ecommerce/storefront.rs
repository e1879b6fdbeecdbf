//! One region's storefront: `EcommerceProduction` in the primary region and `EcommerceDr` in the
//! second, built by the same function from a [`RegionSpec`].
//!
//! 003's production environment (Figure 3): "AWS EKS container service is used to host the
//! whole system", worker nodes in managed node groups spread over the zones by "region specific
//! auto scaling groups", databases on volumes that Portworx replicates across zones, credentials
//! in Kubernetes Secrets. In front of the nodes the request path of Figure 1 ends in "load
//! balancing ... the traffic is routed btw zones in which cross-zone load balancing feature is
//! adopted": an application load balancer, reached by CloudFront through the origin name
//! Route 53 resolves to this region's load balancer.
//!
//! Nothing here refers to the other region. What the two regions share is known by name:
//! the hosted zone (a constant), the origin name, the Cloud Snap buckets
//! (`ecommerce-cloudsnap-<account>-<region>`) and their key alias, the image repository (ECR
//! replicates it under the same name).

use cirrus_aws::certificatemanager::{
    Certificate, CertificateProps, CertificateValidation, ICertificate,
};
use cirrus_aws::ec2::{
    FlowLogProps, GatewayEndpointService, ISecurityGroup, Peer, Port, Vpc, VpcProps,
};
use cirrus_aws::ecr::{IRepository, Repository, RepositoryProps};
use cirrus_aws::eks::{
    AccessPolicy, AccessScope, AddonProps, Cluster, ClusterProps, EndpointAccess, ICluster,
    Nodegroup, NodegroupProps, Taint, TaintEffect, addons,
};
use cirrus_aws::elbv2::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, HealthCheck, ListenerAction,
    ListenerProps, ListenerProtocol, Scheme, TargetGroup, TargetGroupProps,
};
use cirrus_aws::iam::{ManagedPolicyArn, PolicyStatement, Principal, Role, RoleProps};
use cirrus_aws::kms::{IKey, Key, KeyProps};
use cirrus_aws::logs::{LogGroup, LogGroupProps};
use cirrus_aws::prelude::*;
use cirrus_aws::route53::{
    AliasTarget, FailoverRole, HostedZone, RecordSet, RecordSetProps, RecordTarget, Routing,
};
use cirrus_aws::s3::{Bucket, BucketEncryption, BucketProps, IBucket, LifecycleRule};
use cirrus_aws::secretsmanager::{ISecret, Secret, SecretProps};
use cirrus_cfn::cloudwatch::CfnAlarm;
use cirrus_cfn::cloudwatch::alarm::{Dimension, Metric, MetricDataQuery, MetricStat};
use cirrus_cfn::ec2::CfnSecurityGroupIngress;
use cirrus_cfn::ecr::{CfnReplicationConfiguration, CfnRepositoryCreationTemplate};
use cirrus_cfn::route53::CfnHealthCheck;
use cirrus_cfn::route53::health_check::{
    AlarmIdentifier, HealthCheckConfig, HealthCheckConfigInsufficientDataHealthStatus,
    HealthCheckConfigType,
};
use cirrus_cfn::{ecr, s3};

use super::config::{
    ADMIN_CIDRS, APP, APP_INSTANCE_TYPE, BLUE_WEIGHT, CLOUDSNAP_KEY_ALIAS, DR_REGION, GREEN_WEIGHT,
    HEALTH_CHECK_PATH, HOSTED_ZONE_ID, HOSTED_ZONE_NAME, IMAGE_REPOSITORY, KUBERNETES_VERSION,
    LOG_RETENTION, NodeCount, ORIGIN_NAME, ORIGIN_ROUTING, OriginRouting, PORTWORX_SERVICE_ACCOUNT,
    ROLE_PATH, RegionSpec, SHOP_NAMESPACE, STORAGE_INSTANCE_TYPE, STOREFRONT_PORT,
    cloudsnap_bucket_name,
};
use super::storage::{STORAGE_ROLE, STORAGE_TAINT};
use super::support::{operator_role, pod_role, put_roles_under_app_path, service_role, stack};

/// The CloudFront origin-facing managed prefix list (`com.amazonaws.global.cloudfront.origin-facing`)
/// of each region the app runs in: only CloudFront reaches the load balancers. Verify with
/// `aws ec2 describe-managed-prefix-lists --region <region>` when adding a region.
const CLOUDFRONT_PREFIX_LISTS: [(&str, &str); 2] =
    [("us-east-1", "pl-3b927c52"), ("us-west-2", "pl-82a045eb")];

/// What the other stacks of the region use from a storefront stack.
#[derive(Debug, Clone, Copy)]
pub struct Storefront<'a> {
    /// The stack.
    pub stack: Stack<'a>,
    /// The VPC the analytics VPC peers with.
    pub vpc: Vpc<'a>,
    /// Container Insights' `application` log group: the pods' logs.
    pub application_logs: LogGroup<'a>,
    /// Container Insights' `dataplane` log group: kubelet, container runtime, kube-proxy.
    pub dataplane_logs: LogGroup<'a>,
}

/// Adds the storefront stack of `spec`'s region.
pub fn storefront<'a>(app: &'a App, spec: &RegionSpec) -> Storefront<'a> {
    let what = if spec.primary {
        "production"
    } else {
        "disaster-recovery copy"
    };
    let stack = stack(
        app,
        spec.stack,
        spec.region,
        Some(spec.name),
        &format!(
            "storefront {what} in {}: VPC, EKS cluster and node groups, load balancer, Cloud Snap bucket",
            spec.region
        ),
    );
    let cluster_name = format!("{APP}-{}", spec.name);

    // "region specific auto scaling groups is used to spread the resources across multiple
    // AZs": three zones, a NAT gateway in each so that a zone's outage cuts no other zone off.
    let vpc = Vpc::new(
        stack,
        "Vpc",
        VpcProps {
            cidr: spec.cidr.into(),
            az_count: 3,
            eks_subnet_tags: true,
            flow_logs: Some(FlowLogProps {
                destination: cirrus_aws::ec2::FlowLogDestination::CloudWatchLogs(LogGroupProps {
                    retention: Some(LOG_RETENTION),
                    ..Default::default()
                }),
                role_path: Some(ROLE_PATH.into()),
                ..Default::default()
            }),
            // Image layers (ECR serves them from S3) and Cloud Snap uploads skip the NAT gateways.
            gateway_endpoints: vec![GatewayEndpointService::S3],
            ..Default::default()
        },
    );

    let cluster = cluster(stack, &vpc, &cluster_name);
    let (application_logs, dataplane_logs) = observability(stack, &cluster, &cluster_name);
    node_groups(stack, &cluster, spec);
    autoscaler(stack, &cluster);

    let (blue, green, alb) = load_balancer(stack, &vpc, &cluster, spec);
    let load_balancer_controller = pod_role(
        stack,
        "LoadBalancerControllerRole",
        "the AWS Load Balancer Controller: binds the storefront's pods to the blue and green target groups",
    );

    let snapshots = cloud_snap(stack, spec);
    portworx(stack, &cluster, &snapshots);

    let images = if spec.primary {
        Some(image_repository(stack))
    } else {
        replicated_repository_template(stack);
        None
    };
    // The DR region's copy of the repository is made by replication, under the same name.
    let image_uri = images.as_ref().map_or_else(
        || {
            fns::sub(
                &format!("${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{IMAGE_REPOSITORY}"),
                [],
            )
        },
        |images| images.uri(),
    );
    let database_secret = database_secret(stack, &cluster, spec);
    super::workloads::workloads(
        &cluster,
        spec,
        &cluster_name,
        super::workloads::Targets {
            vpc_id: vpc.id(),
            blue: blue.arn(),
            green: green.arn(),
            images: image_uri,
            database_secret,
            cloudsnap_bucket: snapshots.name(),
            controller_role: load_balancer_controller,
        },
    );

    // People: 003's developer "uses programmatic access to cloud by AWS CLI" and kubectl "to
    // deploy the containerized application code to the cluster".
    let admin = operator_role(
        stack,
        "AdminRole",
        &format!("administers the EKS cluster {cluster_name}"),
    );
    cluster.grant_access(
        "Admin",
        admin.arn(),
        AccessPolicy::ClusterAdmin,
        AccessScope::Cluster,
    );
    cluster.grant_describe(&admin);
    let developer = operator_role(
        stack,
        "DeveloperRole",
        &format!(
            "deploys the storefront to namespace {SHOP_NAMESPACE} of the EKS cluster {cluster_name}"
        ),
    );
    cluster.grant_access(
        "Developer",
        developer.arn(),
        AccessPolicy::Edit,
        AccessScope::Namespaces(vec![SHOP_NAMESPACE.into()]),
    );
    cluster.grant_describe(&developer);
    if let Some(images) = &images {
        images.grant_pull_push(&developer);
    }

    put_roles_under_app_path(stack.node(), &[]);

    let output = |id: &str, value: Expr<String>, description: &str| {
        stack.add_output(id, value).description(description);
    };
    output(
        "ClusterName",
        cluster.name(),
        "aws eks update-kubeconfig --name <this>",
    );
    output(
        "VpcId",
        vpc.id(),
        "the AWS Load Balancer Controller's --aws-vpc-id (pods cannot read it from the instance metadata)",
    );
    output(
        "BlueTargetGroupArn",
        blue.arn(),
        "the blue TargetGroupBinding's targetGroupARN",
    );
    output(
        "GreenTargetGroupArn",
        green.arn(),
        "the green TargetGroupBinding's targetGroupARN",
    );
    output(
        "LoadBalancerDnsName",
        alb.dns_name(),
        &format!("what {ORIGIN_NAME} points to in this region"),
    );
    output(
        "CloudSnapBucketName",
        snapshots.name(),
        "the bucket Cloud Snap pushes the databases' snapshots to",
    );
    output(
        "AdminRoleArn",
        admin.arn(),
        "assume it to administer the cluster",
    );
    output(
        "DeveloperRoleArn",
        developer.arn(),
        "assume it to deploy the storefront",
    );
    if let Some(images) = images {
        output(
            "ImageRepositoryUri",
            images.uri(),
            "docker push target of the storefront's images",
        );
    }

    Storefront {
        stack,
        vpc,
        application_logs,
        dataplane_logs,
    }
}

/// The storefront's database password (003: "Kubernetes Secrets is the mechanism to store,
/// distribute ... protect the secret information"), generated by Secrets Manager in this region;
/// the External Secrets Operator, whose role (Pod Identity) may read this one secret, keeps the
/// Kubernetes Secret equal to it, so the value is in no file. Returns the secret's name.
fn database_secret(stack: Stack<'_>, cluster: &Cluster<'_>, spec: &RegionSpec) -> String {
    let name = format!("{APP}/{}/storefront-db", spec.name);
    let secret = Secret::new(
        stack,
        "StorefrontDbSecret",
        SecretProps::default()
            .secret_name(name.clone())
            .description("the storefront database's password, generated; read by the External Secrets Operator"),
    );
    let reader = pod_role(
        stack,
        "ExternalSecretsRole",
        "the External Secrets Operator: reads the storefront database's password",
    );
    secret.grant_read(&reader);
    let (namespace, account) = crate::external_secrets::OPERATOR;
    cluster.add_pod_identity(namespace, account, reader.arn());
    name
}

/// The EKS cluster: 003, "EKS Cluster is created in which master nodes serves the role of Control
/// Plane ... AWS provisions K8s master nodes in the background". Its secrets are encrypted with
/// a key of their own (003: "Kubernetes Secrets is the mechanism to store, distribute ... protect
/// the secret information").
fn cluster<'a>(stack: Stack<'a>, vpc: &Vpc<'a>, name: &str) -> Cluster<'a> {
    Cluster::new(
        stack,
        "Cluster",
        vpc,
        ClusterProps {
            cluster_name: Some(name.to_owned()),
            version: KUBERNETES_VERSION,
            endpoint_access: EndpointAccess::PublicAndPrivate(
                ADMIN_CIDRS.iter().map(|c| (*c).to_owned()).collect(),
            ),
            log_retention: LOG_RETENTION,
            // The databases' volumes belong to the cluster (Portworx): deleting it must be a
            // decision, taken by turning this off first.
            deletion_protection: true,
            ..Default::default()
        },
    )
}

/// Add-ons, and Container Insights: "AWS Cloudwatch collects monitoring and operational data in
/// the form of logs, metrics, and events in near real-time" (003). The CloudWatch observability
/// add-on ships the nodes' and pods' logs and metrics; its log groups are created here first,
/// so that their retention (003: "archived in Cloudwatch for 2 weeks") and encryption are ours.
fn observability<'a>(
    stack: Stack<'a>,
    cluster: &Cluster<'a>,
    cluster_name: &str,
) -> (LogGroup<'a>, LogGroup<'a>) {
    cluster.add_core_addons();
    cluster.add_addon(addons::METRICS_SERVER, AddonProps::default());

    let insights = stack.add_child("ContainerInsights");
    let groups: Vec<LogGroup<'a>> = ["application", "dataplane", "host", "performance"]
        .into_iter()
        .map(|kind| {
            let mut id = kind.to_owned();
            id[..1].make_ascii_uppercase();
            LogGroup::new(
                insights,
                &id,
                LogGroupProps {
                    log_group_name: Some(
                        format!("/aws/containerinsights/{cluster_name}/{kind}").into(),
                    ),
                    retention: Some(LOG_RETENTION),
                    ..Default::default()
                },
            )
        })
        .collect();

    let agent = pod_role(
        stack,
        "CloudWatchAgentRole",
        "the CloudWatch agent and Fluent Bit of the amazon-cloudwatch-observability add-on",
    );
    agent.add_managed_policy(&ManagedPolicyArn::aws("CloudWatchAgentServerPolicy"));
    let addon = cluster.add_addon(
        "amazon-cloudwatch-observability",
        AddonProps {
            pod_identity: vec![("cloudwatch-agent".into(), agent.arn())],
            ..Default::default()
        },
    );
    for group in &groups {
        addon.add_dependency(group);
    }
    (groups[0], groups[1])
}

/// The worker nodes: 003's "NODEGROUP", one group for the storefront and one for the databases'
/// storage (the separation 003 describes: "the separation of concerns between the processing and
/// the storage is fulfilled by Kubernetes and Portworx"). Each group is one auto scaling group
/// across the three zones' private subnets.
fn node_groups<'a>(stack: Stack<'a>, cluster: &Cluster<'a>, spec: &RegionSpec) {
    let node_role = Role::new(
        stack,
        "NodeRole",
        Principal::service("ec2.amazonaws.com"),
        RoleProps {
            description: Some("the EKS worker nodes".into()),
            path: Some(ROLE_PATH.into()),
            ..Default::default()
        },
    );
    let group = |id: &str, instance_type: &str, count: NodeCount, role: &str, taints| {
        Nodegroup::new(
            stack,
            id,
            cluster,
            NodegroupProps {
                instance_types: vec![instance_type.to_owned()],
                min_size: count.min,
                desired_size: count.desired,
                max_size: count.max,
                labels: [(STORAGE_ROLE.0.to_owned(), role.to_owned())]
                    .into_iter()
                    .collect(),
                taints,
                disk_size_gib: Some(50),
                role: Some(node_role),
                ..Default::default()
            },
        );
    };
    group(
        "AppNodes",
        APP_INSTANCE_TYPE,
        spec.app_nodes,
        "app",
        Vec::new(),
    );
    // Portworx keeps each volume's replicas on nodes in other zones ("assume it is set to 3 ...
    // portworx ensures 3 copies of the volume"); only the databases tolerate the taint.
    let (key, value) = STORAGE_TAINT;
    group(
        "StorageNodes",
        STORAGE_INSTANCE_TYPE,
        spec.storage_nodes,
        STORAGE_ROLE.1,
        vec![Taint::new(key, value, TaintEffect::NoSchedule)],
    );
}

/// The cluster autoscaler's role: it grows and shrinks the node groups between their limits
/// ("To assure the cluster does not run out of compute resources").
fn autoscaler<'a>(stack: Stack<'a>, cluster: &Cluster<'a>) {
    let role = pod_role(
        stack,
        "AutoscalerRole",
        "cluster-autoscaler in kube-system: resizes the node groups",
    );
    cluster.add_cluster_autoscaler(&role);
}

/// The load balancer CloudFront fetches from, with the blue and green target groups of 003's
/// release ("marks as blue and deploys the new version ... marks it as green"), and this region's
/// record of the origin name.
fn load_balancer<'a>(
    stack: Stack<'a>,
    vpc: &Vpc<'a>,
    cluster: &Cluster<'a>,
    spec: &RegionSpec,
) -> (
    TargetGroup<'a>,
    TargetGroup<'a>,
    ApplicationLoadBalancer<'a>,
) {
    let zone = HostedZone::from_attributes(stack, "HostedZone", HOSTED_ZONE_ID, HOSTED_ZONE_NAME);
    // CloudFront checks the origin's certificate against the origin name: the load balancer
    // serves one for that name. Both regions' certificates are for the same name, and ACM asks
    // for the same validation record in every region of an account, so both stacks write the
    // same record into the zone. Check this on the first deployment of the second stack; if
    // ACM asks for another record, give the DR certificate a name of its own as its domain and
    // the origin name as an alternative name.
    let certificate = Certificate::new(
        stack,
        "OriginCert",
        ORIGIN_NAME,
        CertificateValidation::Dns(zone.clone()),
        CertificateProps::default(),
    );
    // Cross-zone load balancing is always on for application load balancers.
    let alb = ApplicationLoadBalancer::new(
        stack,
        "Alb",
        vpc,
        ApplicationLoadBalancerProps {
            scheme: Scheme::InternetFacing,
            // Only towards the pods' security group, below.
            egress_to_vpc: false,
            ..Default::default()
        },
    );
    let health_check = HealthCheck {
        path: HEALTH_CHECK_PATH.into(),
        ..Default::default()
    };
    let target_group = |id: &str| {
        TargetGroup::new(
            stack,
            id,
            vpc,
            STOREFRONT_PORT,
            TargetGroupProps {
                health_check: health_check.clone(),
                deregistration_delay_secs: Some(30),
                ..Default::default()
            },
        )
    };
    let blue = target_group("Blue");
    let green = target_group("Green");

    let prefix_lists = stack.add_mapping(
        "CloudFrontOriginFacing",
        CLOUDFRONT_PREFIX_LISTS
            .iter()
            .map(|(region, id)| (*region, [("PrefixListId", *id)])),
    );
    alb.add_listener(
        "Https",
        ListenerProtocol::https(vec![certificate.to_ref()]),
        ListenerAction::weighted([(blue, BLUE_WEIGHT), (green, GREEN_WEIGHT)]),
        ListenerProps {
            allow_from: Some(vec![Peer::PrefixList(
                prefix_lists.find(pseudo::region(), "PrefixListId"),
            )]),
            ..Default::default()
        },
    );

    // The pods have the cluster security group (managed nodes and their pods use it): the load
    // balancer may reach them on the storefront's port, and nothing else.
    let cluster_sg = cluster.cluster_security_group_id();
    alb.security_group().add_egress_rule(
        Peer::SecurityGroup(cluster_sg.clone()),
        Port::Tcp(STOREFRONT_PORT),
        "to the pods of the storefront",
    );
    stack.add(
        "AlbToPods",
        CfnSecurityGroupIngress {
            group_id: Some(cluster_sg),
            source_security_group_id: Some(alb.security_group().id()),
            from_port: Some(i64::from(STOREFRONT_PORT).into()),
            to_port: Some(i64::from(STOREFRONT_PORT).into()),
            description: Some("the load balancer to the pods of the storefront".into()),
            ..CfnSecurityGroupIngress::new("tcp")
        },
    );

    let live: Vec<&TargetGroup<'_>> = [(&blue, BLUE_WEIGHT), (&green, GREEN_WEIGHT)]
        .into_iter()
        .filter(|(_, weight)| *weight > 0)
        .map(|(group, _)| group)
        .collect();
    let live_health = live_health_check(stack, &alb, &live);
    let routing = match ORIGIN_ROUTING {
        OriginRouting::Failover => Routing::Failover {
            role: if spec.primary {
                FailoverRole::Primary
            } else {
                FailoverRole::Secondary
            },
            set_identifier: spec.region.into(),
            health_check_id: Some(live_health.clone()),
        },
        OriginRouting::Latency => Routing::Latency {
            region: spec.region.into(),
            set_identifier: spec.region.into(),
            health_check_id: Some(live_health),
        },
    };
    // The record answers only while the live colour has healthy targets: that is the failover.
    // Not the load balancer's own health (`EvaluateTargetHealth`): Route 53 counts a load
    // balancer healthy only while every target group has a healthy target, and the idle
    // colour's group (weight 0) has none between releases.
    let alias = AliasTarget {
        evaluate_target_health: false,
        ..alb.alias_target()
    };
    RecordSet::new(
        stack,
        "OriginRecord",
        &zone,
        ORIGIN_NAME,
        RecordTarget::AliasA(alias),
        RecordSetProps {
            routing,
            ..Default::default()
        },
    );
    (blue, green, alb)
}

/// A Route 53 health check that is healthy while each of the `live` target groups (those the
/// listener sends requests to) has at least one healthy target, read from CloudWatch: the load
/// balancer itself only admits CloudFront, so Route 53's own checkers could not reach it.
fn live_health_check<'a>(
    stack: Stack<'a>,
    alb: &ApplicationLoadBalancer<'a>,
    live: &[&TargetGroup<'a>],
) -> Expr<String> {
    let mut queries: Vec<MetricDataQuery> = live
        .iter()
        .enumerate()
        .map(|(i, group)| {
            let metric = Metric {
                namespace: Some("AWS/ApplicationELB".into()),
                metric_name: Some("HealthyHostCount".into()),
                dimensions: Some(
                    vec![
                        Dimension::new("TargetGroup", group.full_name()),
                        Dimension::new("LoadBalancer", alb.full_name()),
                    ]
                    .into(),
                ),
            };
            MetricDataQuery {
                metric_stat: Some(MetricStat::new(metric, 60, "Minimum").into()),
                return_data: Some(false.into()),
                ..MetricDataQuery::new(format!("live{i}"))
            }
        })
        .collect();
    queries.push(MetricDataQuery {
        expression: Some("MIN(METRICS())".into()),
        label: Some("healthy targets of the live target groups (the fewest)".into()),
        return_data: Some(true.into()),
        ..MetricDataQuery::new("healthy")
    });
    let alarm = stack.add(
        "LiveTargetsAlarm",
        CfnAlarm {
            alarm_description: Some(
                "the live target groups have no healthy target: Route 53 fails over".into(),
            ),
            metrics: Some(queries.into()),
            comparison_operator: Some("LessThanThreshold".into()),
            threshold: Some(1.0.into()),
            evaluation_periods: Some(2.into()),
            treat_missing_data: Some("breaching".into()),
            ..Default::default()
        },
    );
    let check = stack.add(
        "LiveTargetsHealth",
        CfnHealthCheck::new(HealthCheckConfig {
            alarm_identifier: Some(AlarmIdentifier::new(alarm.ref_(), pseudo::region()).into()),
            insufficient_data_health_status: Some(
                HealthCheckConfigInsufficientDataHealthStatus::LastKnownStatus.into(),
            ),
            ..HealthCheckConfig::new(HealthCheckConfigType::CloudwatchMetric)
        }),
    );
    check.ref_()
}

/// The Cloud Snap bucket: 003, "Portworx has a feature called Cloud Snap which enables to take
/// the snapshot of one or more individual container volumes ..., push to any storage service,
/// e.g., S3, and pull down to another environment". Production's bucket replicates every object
/// to the DR region's, where the DR cluster's Portworx restores from.
fn cloud_snap<'a>(stack: Stack<'a>, spec: &RegionSpec) -> Bucket<'a> {
    let key = Key::new(
        stack,
        "CloudSnapKey",
        KeyProps {
            description: Some("encrypts the Portworx Cloud Snap snapshots".into()),
            alias: Some(CLOUDSNAP_KEY_ALIAS.into()),
            ..Default::default()
        },
    );
    let bucket = Bucket::new(
        stack,
        "CloudSnap",
        BucketProps {
            encryption: BucketEncryption::Kms(key),
            lifecycle_rules: vec![LifecycleRule {
                id: Some("ExpireReplacedSnapshots".into()),
                noncurrent_version_expiration_days: Some(30),
                abort_incomplete_upload_days: Some(7),
                ..Default::default()
            }],
            bucket_name: Some(fns::sub(&cloudsnap_bucket_name(spec.region), [])),
            ..Default::default()
        },
    );
    if spec.primary {
        replicate_to_dr(stack, bucket, key);
    }
    bucket
}

/// Replication of the production Cloud Snap bucket to the DR region's. The destination is named,
/// not referred to: exports do not cross regions. Its bucket is rebuilt from the naming rule and
/// its key is named by alias, which S3 accepts as the replica key.
fn replicate_to_dr<'a>(stack: Stack<'a>, bucket: Bucket<'a>, key: Key<'a>) {
    let destination = format!(
        "arn:${{AWS::Partition}}:s3:::{}",
        cloudsnap_bucket_name(DR_REGION)
    );
    let destination_key = fns::sub(
        &format!(
            "arn:${{AWS::Partition}}:kms:{DR_REGION}:${{AWS::AccountId}}:alias/{CLOUDSNAP_KEY_ALIAS}"
        ),
        [],
    );
    let role = service_role(
        stack,
        "CloudSnapReplicationRole",
        "s3.amazonaws.com",
        &format!("replicates the Cloud Snap snapshots to {DR_REGION}"),
    );
    role.add_to_policy(
        PolicyStatement::allow()
            .actions(["s3:GetReplicationConfiguration", "s3:ListBucket"])
            .resources([bucket.arn()]),
    );
    role.add_to_policy(
        PolicyStatement::allow()
            .actions([
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ])
            .resources([bucket.arn_for_objects("*")]),
    );
    role.add_to_policy(
        PolicyStatement::allow()
            .actions([
                "s3:ReplicateObject",
                "s3:ReplicateDelete",
                "s3:ReplicateTags",
            ])
            .resources([fns::sub(&format!("{destination}/*"), [])]),
    );
    role.add_to_policy(
        PolicyStatement::allow()
            .actions(["kms:Decrypt"])
            .resources([key.arn()])
            .condition(
                "StringEquals",
                "kms:ViaService",
                fns::sub("s3.${AWS::Region}.amazonaws.com", []),
            ),
    );
    // The DR key is known by its alias only: any key of the DR region, as long as it carries
    // the alias.
    role.add_to_policy(
        PolicyStatement::allow()
            .actions(["kms:Encrypt", "kms:GenerateDataKey"])
            .resources([fns::sub(
                &format!("arn:${{AWS::Partition}}:kms:{DR_REGION}:${{AWS::AccountId}}:key/*"),
                [],
            )])
            .condition(
                "ForAnyValue:StringEquals",
                "kms:ResourceAliases",
                format!("alias/{CLOUDSNAP_KEY_ALIAS}"),
            ),
    );
    let rule = s3::bucket::ReplicationRule {
        id: Some("ToDisasterRecovery".into()),
        priority: Some(1.into()),
        filter: Some(
            s3::bucket::ReplicationRuleFilter {
                prefix: Some("".into()),
                ..Default::default()
            }
            .into(),
        ),
        delete_marker_replication: Some(
            s3::bucket::DeleteMarkerReplication {
                status: Some(s3::bucket::DeleteMarkerReplicationStatus::Enabled.into()),
            }
            .into(),
        ),
        source_selection_criteria: Some(
            s3::bucket::SourceSelectionCriteria {
                sse_kms_encrypted_objects: Some(
                    s3::bucket::SseKmsEncryptedObjects::new(
                        s3::bucket::SseKmsEncryptedObjectsStatus::Enabled,
                    )
                    .into(),
                ),
                ..Default::default()
            }
            .into(),
        ),
        ..s3::bucket::ReplicationRule::new(
            s3::bucket::ReplicationDestination {
                encryption_configuration: Some(
                    s3::bucket::EncryptionConfiguration::new(destination_key).into(),
                ),
                ..s3::bucket::ReplicationDestination::new(fns::sub(&destination, []))
            },
            s3::bucket::ReplicationRuleStatus::Enabled,
        )
    };
    let role_arn = role.arn();
    bucket.l1().update(|b| {
        b.replication_configuration =
            Some(s3::bucket::ReplicationConfiguration::new(role_arn, vec![rule]).into());
    });
}

/// Portworx: "a distributed block storage solution that deeply integrates with Kubernetes to run
/// and manage any stateful service" (003). It creates, attaches and tags the EBS volumes its
/// storage nodes use, and pushes and pulls Cloud Snap snapshots, with a role of its own. The
/// role reaches Portworx's pods through EKS Pod Identity (the AWS SDK's container credentials):
/// use a Portworx release whose SDK reads them, and `--use-iam` for Cloud Snap credentials.
fn portworx<'a>(stack: Stack<'a>, cluster: &Cluster<'a>, snapshots: &Bucket<'a>) {
    let role = pod_role(
        stack,
        "PortworxRole",
        "Portworx: EBS volumes of the storage nodes, Cloud Snap snapshots",
    );
    let arn = |resource: &str| {
        fns::sub(
            &format!("arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"),
            [],
        )
    };
    role.add_to_policy(
        PolicyStatement::allow()
            .actions([
                "ec2:CreateVolume",
                "ec2:DeleteVolume",
                "ec2:ModifyVolume",
                "ec2:CreateTags",
                "ec2:DeleteTags",
            ])
            .resources([arn("volume/*")]),
    );
    role.add_to_policy(
        PolicyStatement::allow()
            .actions(["ec2:AttachVolume", "ec2:DetachVolume"])
            .resources([arn("volume/*"), arn("instance/*")]),
    );
    role.add_to_policy(
        PolicyStatement::allow()
            .actions([
                "ec2:DescribeInstances",
                "ec2:DescribeTags",
                "ec2:DescribeVolumeAttribute",
                "ec2:DescribeVolumeStatus",
                "ec2:DescribeVolumes",
                "ec2:DescribeVolumesModifications",
                "autoscaling:DescribeAutoScalingGroups",
            ])
            .resources(["*"]),
    );
    snapshots.grant_read_write(&role);
    let (namespace, service_account) = PORTWORX_SERVICE_ACCOUNT;
    cluster.add_pod_identity(namespace, service_account, role.arn());
}

/// The storefront's image repository, replicated by ECR to the DR region under the same name
/// (the DR cluster pulls from its own region). The replication configuration is the registry's,
/// one per account and region: share it if other apps use the account.
fn image_repository<'a>(stack: Stack<'a>) -> Repository<'a> {
    let images = Repository::new(
        stack,
        "Images",
        RepositoryProps {
            repository_name: Some(IMAGE_REPOSITORY.into()),
            lifecycle_rules: vec![
                cirrus_aws::ecr::LifecycleRule::ExpireUntaggedAfterDays(14),
                cirrus_aws::ecr::LifecycleRule::KeepLastImages(100),
            ],
            ..Default::default()
        },
    );
    stack.add(
        "ImageReplication",
        CfnReplicationConfiguration::new(
            ecr::replication_configuration::ReplicationConfiguration::new(vec![
                ecr::replication_configuration::ReplicationRule {
                    repository_filters: Some(
                        vec![ecr::replication_configuration::RepositoryFilter::new(
                            APP,
                            ecr::replication_configuration::RepositoryFilterFilterType::PrefixMatch,
                        )]
                        .into(),
                    ),
                    ..ecr::replication_configuration::ReplicationRule::new(vec![
                        ecr::replication_configuration::ReplicationDestination::new(
                            DR_REGION,
                            pseudo::account_id(),
                        ),
                    ])
                },
            ]),
        ),
    );
    images
}

/// The settings ECR gives the repositories it creates in the DR region by replication: the same
/// immutable tags and encryption as the source.
fn replicated_repository_template(stack: Stack<'_>) {
    use ecr::repository_creation_template as template;
    stack.add(
        "ReplicatedImages",
        CfnRepositoryCreationTemplate {
            description: Some("repositories ECR replicates from the production region".into()),
            image_tag_mutability: Some(
                template::RepositoryCreationTemplateImageTagMutability::Immutable.into(),
            ),
            encryption_configuration: Some(
                template::EncryptionConfiguration::new(
                    template::EncryptionConfigurationEncryptionType::Kms,
                )
                .into(),
            ),
            ..CfnRepositoryCreationTemplate::new(
                vec![template::RepositoryCreationTemplateAppliedFor::Replication],
                APP,
            )
        },
    );
}
