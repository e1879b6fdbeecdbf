//! `EcommerceAnalytics`: the analytics VPC of 003's Figure 2, "connected to the VPC in Figure 1,
//! ... prepared for BI Analysts and IT Managers who need this authority to collect metrics for the
//! insights or get an operational visibility".
//!
//! The flow 003 describes, resource by resource:
//! - "AWS Cloudwatch collects monitoring and operational data in the form of logs, metrics, and
//!   events": subscription filters on production's Container Insights log groups, a CloudWatch
//!   metric stream, an EventBridge rule;
//! - "AWS Kinesis Firehose ... used to reliable load streaming data into stores": one delivery
//!   stream for each of the three;
//! - "the data is pushed to AWS S3 because it is archived in Cloudwatch for 2 weeks": the
//!   `Archive` bucket, partitioned by day;
//! - "processed in parallel across Hadoop distributed cluster of virtual servers on AWS EMR":
//!   a long-running EMR cluster in the VPC's private subnets, writing to `Curated`;
//! - "the processed data is put into AWS Redshift": the warehouse loads `Curated` with `COPY`;
//! - "AWS S3 + AWS Athena can be considered as an alternative to the Redshift where Athena works
//!   directly on top of S3": an Athena workgroup over the Glue tables a crawler keeps of the
//!   archive (EMR's Hive and Spark use the same catalog).
//!
//! The DR region's logs and metrics stay in its own CloudWatch for two weeks: sending them here
//! would need a CloudWatch Logs destination and a metric stream in that region, out of scope
//! while the DR copy is a standby.
//!
//! QuickSight ("to easily create and publish interactive ML-powered BI dashboards") needs an
//! account-wide subscription made in the console; its dashboards read Athena and Redshift.

use cirrus_aws::athena::{WorkGroup, WorkGroupProps};
use cirrus_aws::ec2::{
    FlowLogDestination, FlowLogProps, GatewayEndpointService, NatGateways, Peer, SubnetGroup, Vpc,
    VpcPeering, VpcPeeringProps, VpcProps,
};
use cirrus_aws::emr::{
    self, Application, Configuration, InstanceGroup, Instances, MANAGED_POLICY_TAG, ManagedScaling,
};
use cirrus_aws::events::{EventPattern, Rule, RuleProps, Trigger};
use cirrus_aws::firehose::{Compression, DeliveryStream, DeliveryStreamProps, IDeliveryStream};
use cirrus_aws::iam::{Grantable, ManagedPolicyArn, PolicyStatement};
use cirrus_aws::kms::{IKey, Key, KeyProps};
use cirrus_aws::logs::{LogGroup, LogGroupProps, SubscriptionFilter, SubscriptionFilterProps};
use cirrus_aws::redshift;
use cirrus_aws::s3::{Bucket, BucketEncryption, BucketProps, IBucket, LifecycleRule, StorageClass};
use cirrus_cfn::cloudwatch::{CfnMetricStream, metric_stream::MetricStreamFilter};
use cirrus_cfn::events::rule as event_rule;
use cirrus_cfn::glue::{
    CfnCrawler, CfnDatabase, CfnSecurityConfiguration, crawler, database, security_configuration,
};
use cirrus_core::prelude::*;

use super::config::{
    ANALYTICS_CIDR, APP, ATHENA_BYTES_CUTOFF, ATHENA_WORKGROUP, EMR_INSTANCE_TYPE, EMR_RELEASE,
    EMR_SCALING, GLUE_DATABASE, LOG_RETENTION, PRIMARY_REGION, REDSHIFT_ADMIN_USER,
    REDSHIFT_DATABASE, REDSHIFT_NODE_TYPE, REDSHIFT_NODES, ROLE_PATH,
};
use super::storefront::Storefront;
use super::support::{operator_role, put_roles_under_app_path, service_role, stack};

/// The CloudWatch namespaces streamed to the archive: the load balancer, Container Insights and
/// the EKS control plane.
const STREAMED_NAMESPACES: [&str; 3] = ["AWS/ApplicationELB", "ContainerInsights", "AWS/EKS"];

/// The archive's top-level prefixes, one per kind of data (and per delivery stream).
const DATA_KINDS: [&str; 3] = ["logs", "metrics", "events"];

/// Adds the analytics stack, peered with `production`'s VPC and subscribed to its logs.
pub fn analytics<'a>(app: &'a App, production: &Storefront<'a>) -> Stack<'a> {
    let stack = stack(
        app,
        "EcommerceAnalytics",
        PRIMARY_REGION,
        None,
        "analytics VPC peered with production: CloudWatch to Firehose to S3, EMR, Redshift, Athena",
    );

    // Two zones and one NAT gateway: batch analytics can wait out a zone's outage. EMR's
    // managed policy acts only on subnets that carry its tag.
    let (tag_key, tag_value) = MANAGED_POLICY_TAG;
    let vpc = Vpc::new(
        stack,
        "Vpc",
        VpcProps {
            cidr: ANALYTICS_CIDR.into(),
            az_count: 2,
            subnet_groups: vec![
                SubnetGroup::public("Public"),
                SubnetGroup::private_with_egress("Private").tag(tag_key, tag_value),
            ],
            nat_gateways: NatGateways::Count(1),
            flow_logs: Some(FlowLogProps {
                destination: FlowLogDestination::CloudWatchLogs(LogGroupProps {
                    retention: Some(LOG_RETENTION),
                    ..Default::default()
                }),
                role_path: Some(ROLE_PATH.into()),
                ..Default::default()
            }),
            // Redshift's enhanced VPC routing and EMR reach S3 without the NAT gateway.
            gateway_endpoints: vec![GatewayEndpointService::S3],
            eks_subnet_tags: false,
        },
    );
    // "connected to the VPC in Figure 1": routes both ways between the private subnets. What may
    // cross is up to the security groups; none admits the other VPC yet.
    VpcPeering::new(
        stack,
        "Peering",
        &vpc,
        &production.vpc,
        VpcPeeringProps::default(),
    );

    let key = Key::new(
        stack,
        "Key",
        KeyProps {
            description: Some(
                "encrypts the analytics data: archive, curated data, query results, warehouse"
                    .into(),
            ),
            ..Default::default()
        },
    );
    let buckets = Buckets::new(stack, key);

    let streams = streams(stack, &buckets.archive);
    // Production's application and data-plane logs, as they arrive.
    let subscription = SubscriptionFilter::new(
        stack,
        "ApplicationLogsSubscription",
        production.application_logs.name(),
        &streams.logs,
        SubscriptionFilterProps::default(),
    );
    SubscriptionFilter::new(
        stack,
        "DataplaneLogsSubscription",
        production.dataplane_logs.name(),
        &streams.logs,
        SubscriptionFilterProps {
            role: Some(subscription.role()),
            ..Default::default()
        },
    );
    metric_stream(stack, &streams.metrics);
    events_rule(stack, &streams.events);

    let hadoop = hadoop(stack, &vpc, key, &buckets);
    let warehouse = warehouse(stack, &vpc, key, &buckets.curated);
    let crawler = catalog(stack, key, &buckets.archive);
    let workgroup = WorkGroup::new(
        stack,
        "Workgroup",
        ATHENA_WORKGROUP,
        &buckets.results,
        WorkGroupProps {
            description: Some("BI analysts and IT managers querying the archive".into()),
            bytes_scanned_cutoff_per_query: Some(ATHENA_BYTES_CUTOFF),
            ..Default::default()
        },
    );

    // The people Figure 2 is for: query the archive with Athena, read the curated data.
    let analyst = operator_role(
        stack,
        "AnalystRole",
        "BI analysts and IT managers: Athena queries over the archive and the curated data",
    );
    workgroup.grant_query(&analyst);
    buckets.archive.grant_read(&analyst);
    buckets.curated.grant_read(&analyst);
    grant_catalog(&analyst, false);

    // EMR's roles keep the root path: EMR is given them by name (the service role and the
    // instance profile), and nothing in its documentation promises that it resolves paths.
    put_roles_under_app_path(stack.node(), &[hadoop.node()]);

    let output = |id: &str, value: Expr<String>, description: &str| {
        stack.add_output(id, value).description(description);
    };
    output(
        "ArchiveBucketName",
        buckets.archive.name(),
        "logs/, metrics/ and events/ from CloudWatch, by day",
    );
    output(
        "CuratedBucketName",
        buckets.curated.name(),
        "what the EMR jobs write and Redshift loads",
    );
    output(
        "EmrClusterId",
        hadoop.id(),
        "aws emr add-steps --cluster-id <this>",
    );
    output(
        "WarehouseEndpoint",
        warehouse.endpoint_address(),
        "the Redshift endpoint, reachable from the analytics VPC",
    );
    output(
        "WarehouseAdminSecretArn",
        warehouse.master_password_secret_arn(),
        "the Secrets Manager secret with the admin password Redshift generated",
    );
    output(
        "CrawlerName",
        crawler,
        "aws glue start-crawler --name <this>",
    );
    output("AnalystRoleArn", analyst.arn(), "assume it to query");
    stack
}

/// The analytics buckets, all encrypted with the stack's key and logged to its access-log
/// bucket.
struct Buckets<'a> {
    /// Everything CloudWatch produced, as delivered: the raw data.
    archive: Bucket<'a>,
    /// What the EMR jobs make of it: the input of the warehouse.
    curated: Bucket<'a>,
    /// Athena's query results.
    results: Bucket<'a>,
}

impl<'a> Buckets<'a> {
    fn new(stack: Stack<'a>, key: Key<'a>) -> Buckets<'a> {
        let bucket = |id: &str, rule: LifecycleRule| {
            Bucket::new(
                stack,
                id,
                BucketProps {
                    encryption: BucketEncryption::Kms(key),
                    lifecycle_rules: vec![rule],
                    ..Default::default()
                },
            )
        };
        Buckets {
            // Raw data is read in the first weeks, then rarely: Glacier Instant Retrieval keeps
            // it readable by Athena and EMR at a fraction of the price.
            archive: bucket(
                "Archive",
                LifecycleRule {
                    id: Some("ArchiveAfter90Days".into()),
                    transitions: vec![(StorageClass::GlacierInstantRetrieval, 90)],
                    noncurrent_version_expiration_days: Some(30),
                    abort_incomplete_upload_days: Some(7),
                    ..Default::default()
                },
            ),
            curated: bucket(
                "Curated",
                LifecycleRule {
                    id: Some("ExpireReplacedObjects".into()),
                    noncurrent_version_expiration_days: Some(30),
                    abort_incomplete_upload_days: Some(7),
                    ..Default::default()
                },
            ),
            results: bucket(
                "QueryResults",
                LifecycleRule {
                    id: Some("ExpireResults".into()),
                    expiration_days: Some(30),
                    noncurrent_version_expiration_days: Some(1),
                    abort_incomplete_upload_days: Some(1),
                    ..Default::default()
                },
            ),
        }
    }
}

/// The three delivery streams into the archive.
struct Streams<'a> {
    logs: DeliveryStream<'a>,
    metrics: DeliveryStream<'a>,
    events: DeliveryStream<'a>,
}

/// One Firehose stream per kind of data, each under its own prefix of the archive, partitioned
/// by day (Hive style, which the crawler turns into partition columns). Delivery errors go to
/// one log group, a log stream per delivery stream.
fn streams<'a>(stack: Stack<'a>, archive: &Bucket<'a>) -> Streams<'a> {
    let errors = LogGroup::new(
        stack,
        "FirehoseErrors",
        LogGroupProps {
            retention: Some(LOG_RETENTION),
            ..Default::default()
        },
    );
    let stream = |kind: &str, compression: Compression| {
        let mut id = format!("{kind}Stream");
        id[..1].make_ascii_uppercase();
        DeliveryStream::new(
            stack,
            &id,
            archive,
            DeliveryStreamProps {
                delivery_stream_name: Some(format!("{APP}-{kind}")),
                prefix: format!(
                    "{kind}/year=!{{timestamp:yyyy}}/month=!{{timestamp:MM}}/day=!{{timestamp:dd}}/"
                ),
                error_output_prefix: format!(
                    "errors/{kind}/!{{firehose:error-output-type}}/year=!{{timestamp:yyyy}}/month=!{{timestamp:MM}}/day=!{{timestamp:dd}}/"
                ),
                compression,
                error_log_group: Some(errors),
                ..Default::default()
            },
        )
    };
    let [logs, metrics, events] = DATA_KINDS;
    Streams {
        // CloudWatch Logs delivers subscription records gzip-compressed already.
        logs: stream(logs, Compression::Uncompressed),
        metrics: stream(metrics, Compression::Gzip),
        events: stream(events, Compression::Gzip),
    }
}

/// "metrics": a CloudWatch metric stream of the namespaces that tell how the storefront does,
/// into the metrics delivery stream.
fn metric_stream<'a>(stack: Stack<'a>, destination: &DeliveryStream<'a>) {
    let role = service_role(
        stack,
        "MetricStreamRole",
        "streams.metrics.cloudwatch.amazonaws.com",
        "lets the CloudWatch metric stream put metrics into Firehose",
    );
    destination.grant_put_records(&role);
    let stream = stack.add(
        "MetricStream",
        CfnMetricStream {
            name: Some(format!("{APP}-metrics").into()),
            include_filters: Some(
                STREAMED_NAMESPACES
                    .iter()
                    .map(|namespace| MetricStreamFilter::new(*namespace))
                    .collect::<Vec<_>>()
                    .into(),
            ),
            ..CfnMetricStream::new(destination.arn(), "json", role.arn())
        },
    );
    // The stream puts records from the start: the role's permission first.
    if let Some(policy) = role.default_policy() {
        stream.add_dependency(&policy);
    }
}

/// "events": the infrastructure's state changes (instances launched and terminated by the node
/// groups' auto scaling, spot interruptions, AWS Health notices), into the events stream.
fn events_rule<'a>(stack: Stack<'a>, destination: &DeliveryStream<'a>) {
    let rule = Rule::new(
        stack,
        "InfrastructureEvents",
        Trigger::Pattern(EventPattern {
            source: ["aws.autoscaling", "aws.ec2", "aws.health"]
                .map(String::from)
                .to_vec(),
            detail_type: [
                "EC2 Instance Launch Successful",
                "EC2 Instance Launch Unsuccessful",
                "EC2 Instance Terminate Successful",
                "EC2 Instance Terminate Unsuccessful",
                "EC2 Instance State-change Notification",
                "EC2 Spot Instance Interruption Warning",
                "AWS Health Event",
            ]
            .map(String::from)
            .to_vec(),
            ..Default::default()
        }),
        RuleProps {
            description: Some("infrastructure events into the analytics archive".into()),
            ..Default::default()
        },
    );
    // EventBridge puts into Firehose with a role: the rule construct's targets do not include
    // Firehose, so the target is set on the L1.
    let role = service_role(
        stack,
        "EventsRole",
        "events.amazonaws.com",
        "lets EventBridge put infrastructure events into Firehose",
    );
    destination.grant_put_records(&role);
    let target = event_rule::Target {
        role_arn: Some(role.arn()),
        ..event_rule::Target::new(destination.arn(), "ToArchive")
    };
    rule.l1().update(|r| r.targets = Some(vec![target].into()));
}

/// The Hadoop cluster: Hadoop, Spark and Hive in the private subnets, scaling between the
/// configured limits, with Hive and Spark SQL on the Glue catalog (shared with Athena). Jobs
/// read the archive and write the curated bucket.
fn hadoop<'a>(
    stack: Stack<'a>,
    vpc: &Vpc<'a>,
    key: Key<'a>,
    buckets: &Buckets<'a>,
) -> emr::Cluster<'a> {
    let (minimum, maximum) = EMR_SCALING;
    let cluster = emr::Cluster::new(
        stack,
        "Hadoop",
        vpc,
        emr::ClusterProps {
            name: Some(format!("{APP}-hadoop")),
            release_label: EMR_RELEASE,
            applications: vec![Application::Hadoop, Application::Spark, Application::Hive],
            instances: Instances::Groups {
                primary: InstanceGroup::new(EMR_INSTANCE_TYPE, 1),
                core: InstanceGroup::new(EMR_INSTANCE_TYPE, 2),
                tasks: Vec::new(),
            },
            managed_scaling: Some(ManagedScaling {
                minimum,
                maximum,
                maximum_on_demand: None,
                maximum_core: None,
            }),
            encryption_key: Some(key),
            configurations: Configuration::glue_data_catalog(),
            ..Default::default()
        },
    );
    let instances = cluster.instance_role();
    buckets.archive.grant_read(&instances);
    buckets.curated.grant_read_write(&instances);
    grant_catalog(&instances, true);
    cluster
}

/// The warehouse: Redshift in the private subnets, reachable from the analytics VPC only,
/// loading the curated bucket. Its admin password is generated by Redshift and kept in Secrets
/// Manager, encrypted with the stack's key: it appears nowhere in the template.
fn warehouse<'a>(
    stack: Stack<'a>,
    vpc: &Vpc<'a>,
    key: Key<'a>,
    curated: &Bucket<'a>,
) -> redshift::Cluster<'a> {
    let warehouse = redshift::Cluster::new(
        stack,
        "Warehouse",
        vpc,
        REDSHIFT_ADMIN_USER,
        redshift::ClusterProps {
            cluster_identifier: Some(format!("{APP}-warehouse")),
            database_name: REDSHIFT_DATABASE.into(),
            node_type: REDSHIFT_NODE_TYPE,
            number_of_nodes: REDSHIFT_NODES,
            encryption_key: Some(key),
            ..Default::default()
        },
    );
    warehouse.allow_from(
        Peer::Ipv4(ANALYTICS_CIDR.into()),
        "SQL clients in the analytics VPC (BI tools, EMR jobs)",
    );
    warehouse.grant_copy_from(curated);
    warehouse
}

/// The ARN of a Glue catalog resource of this account and region (`catalog`,
/// `database/<name>`, `table/<database>/<name>`).
fn glue_arn(resource: &str) -> Expr<String> {
    fns::sub(
        &format!("arn:${{AWS::Partition}}:glue:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"),
        [],
    )
}

/// Lets `grantee` read the catalog's tables of the analytics database (and, with `write`, create
/// and change them and their partitions). Hive and Spark also look up the `default` database.
fn grant_catalog<'a>(grantee: &impl Grantable<'a>, write: bool) {
    let mut actions = vec![
        "glue:GetDatabase",
        "glue:GetDatabases",
        "glue:GetTable",
        "glue:GetTables",
        "glue:GetPartition",
        "glue:GetPartitions",
        "glue:BatchGetPartition",
    ];
    if write {
        actions.extend([
            "glue:CreateTable",
            "glue:UpdateTable",
            "glue:CreatePartition",
            "glue:BatchCreatePartition",
            "glue:UpdatePartition",
        ]);
    }
    grantee.add_to_principal_policy(PolicyStatement::allow().actions(actions).resources([
        glue_arn("catalog"),
        glue_arn("database/default"),
        glue_arn(&format!("database/{GLUE_DATABASE}")),
        glue_arn(&format!("table/{GLUE_DATABASE}/*")),
    ]));
}

/// The Glue database Athena queries and EMR's Hive uses, and the crawler that turns the archive's
/// prefixes into its tables (daily, after the night's deliveries). Glue has no construct here:
/// its generated resource types (L1). Returns the crawler's name.
fn catalog<'a>(stack: Stack<'a>, key: Key<'a>, archive: &Bucket<'a>) -> Expr<String> {
    let input = database::DatabaseInput {
        name: Some(GLUE_DATABASE.into()),
        description: Some(
            "CloudWatch logs, metrics and events of the storefront, from the archive bucket".into(),
        ),
        ..Default::default()
    };
    let database = stack.add("Catalog", CfnDatabase::new(pseudo::account_id(), input));
    // The crawler's logs and anything Glue writes are encrypted with the stack's key.
    key.allow_cloudwatch_logs();
    let key_arn = || Some(key.arn());
    let encryption = security_configuration::EncryptionConfiguration {
        s3_encryptions: Some(
            vec![security_configuration::S3Encryption {
                s3_encryption_mode: Some("SSE-KMS".into()),
                kms_key_arn: key_arn(),
            }]
            .into(),
        ),
        cloud_watch_encryption: Some(
            security_configuration::CloudWatchEncryption {
                cloud_watch_encryption_mode: Some("SSE-KMS".into()),
                kms_key_arn: key_arn(),
            }
            .into(),
        ),
        job_bookmarks_encryption: Some(
            security_configuration::JobBookmarksEncryption {
                job_bookmarks_encryption_mode: Some("CSE-KMS".into()),
                kms_key_arn: key_arn(),
            }
            .into(),
        ),
    };
    let security = stack.add(
        "GlueSecurity",
        CfnSecurityConfiguration::new(encryption, format!("{APP}-analytics")),
    );
    let role = service_role(
        stack,
        "CrawlerRole",
        "glue.amazonaws.com",
        "the Glue crawler of the archive",
    );
    role.add_managed_policy(&ManagedPolicyArn::aws("service-role/AWSGlueServiceRole"));
    archive.grant_read(&role);
    role.add_to_policy(
        PolicyStatement::allow()
            .actions(["logs:AssociateKmsKey"])
            .resources([fns::sub(
                "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws-glue/*",
                [],
            )]),
    );
    role.add_to_policy(
        PolicyStatement::allow()
            .actions(["glue:CreateTable", "glue:UpdateTable"])
            .resources([
                glue_arn("catalog"),
                glue_arn(&format!("database/{GLUE_DATABASE}")),
                glue_arn(&format!("table/{GLUE_DATABASE}/*")),
            ]),
    );
    let targets: Vec<crawler::S3Target> = DATA_KINDS
        .iter()
        .map(|kind| crawler::S3Target {
            path: Some(fns::sub(
                &format!("s3://${{Bucket}}/{kind}/"),
                [("Bucket", archive.name())],
            )),
            ..Default::default()
        })
        .collect();
    let targets = crawler::Targets {
        s3_targets: Some(targets.into()),
        ..Default::default()
    };
    let crawler = stack.add(
        "Crawler",
        CfnCrawler {
            name: Some(format!("{APP}-archive").into()),
            description: Some("tables of the archive's logs, metrics and events".into()),
            database_name: Some(database.ref_()),
            schedule: Some(
                crawler::Schedule {
                    schedule_expression: Some("cron(0 3 * * ? *)".into()),
                }
                .into(),
            ),
            crawler_security_configuration: Some(security.ref_()),
            schema_change_policy: Some(
                crawler::SchemaChangePolicy {
                    update_behavior: Some("UPDATE_IN_DATABASE".into()),
                    delete_behavior: Some("LOG".into()),
                }
                .into(),
            ),
            ..CfnCrawler::new(role.arn(), targets)
        },
    );
    // Glue checks the role when the crawler is created.
    if let Some(policy) = role.default_policy() {
        crawler.add_dependency(&policy);
    }
    crawler.ref_()
}
