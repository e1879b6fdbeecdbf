//! `FlowLog`: a record of the IP traffic of a VPC, in CloudWatch Logs or S3.
//!
//! [`Vpc`](crate::ec2::Vpc) creates one by default; the AWS CDK's `Vpc` keeps no flow logs
//! unless asked, which leaves nothing to investigate an incident with.

use cirrus_cfn::ec2::{CfnFlowLog, flow_log};
use cirrus_core::{Construct, Expr, Node, ResourceRef, fns, pseudo};

use crate::codes;
use crate::ec2::IVpc;
use crate::iam::{PolicyCondition, PolicyStatement, Principal, Role, RoleProps};
use crate::logs::{LogGroup, LogGroupProps};
use crate::s3::{Bucket, IBucket};

/// Which traffic is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlowLogTraffic {
    /// Accepted and rejected traffic.
    #[default]
    All,
    /// Accepted traffic only.
    Accept,
    /// Rejected traffic only: cheaper, and enough to spot probing and misconfigured rules.
    Reject,
}

/// Where flow log records go.
#[derive(Debug, Clone)]
pub enum FlowLogDestination<'a> {
    /// To a new log group below the flow log (`LogGroup`), written by a new role (`Role`) that
    /// only `vpc-flow-logs.amazonaws.com` of this account may assume and that may only write
    /// to that group. The log group's own defaults apply unless set here: encrypted with the
    /// stack's logs key, kept one year, retained when the stack is deleted.
    CloudWatchLogs(LogGroupProps<'a>),
    /// To this bucket under `prefix` (no leading or trailing `/`; empty for the bucket's
    /// root), as Apache Parquet files in Hive-compatible, hourly partitions, ready for Athena.
    /// The bucket policy is extended to let the log delivery service of this account write
    /// there (and the bucket's key policy, when it has a customer managed key).
    S3 {
        /// The bucket receiving the records.
        bucket: Bucket<'a>,
        /// The key prefix of the records, such as `flow-logs`.
        prefix: &'a str,
    },
}

impl Default for FlowLogDestination<'_> {
    fn default() -> Self {
        FlowLogDestination::CloudWatchLogs(LogGroupProps::default())
    }
}

/// Options of a flow log.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct FlowLogProps<'a> {
    /// Where the records go. Default: a new, encrypted CloudWatch Logs log group.
    pub destination: FlowLogDestination<'a>,
    /// Which traffic is recorded. Default: all.
    pub traffic: FlowLogTraffic,
    /// The path of the delivery role (CloudWatch Logs destination only), such as `/app/`.
    /// Default: the stack's
    /// ([`default_role_path`](crate::iam::default_role_path)), else `/`.
    pub role_path: Option<String>,
}

/// A flow log of a whole VPC.
#[derive(Debug, Clone, Copy)]
pub struct FlowLog<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnFlowLog>,
}

impl<'a> Construct<'a> for FlowLog<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> FlowLog<'a> {
    /// A flow log of `vpc` (one defined in the app or imported).
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        vpc: &impl IVpc<'a>,
        props: FlowLogProps<'a>,
    ) -> FlowLog<'a> {
        let node = scope.node().add_child(id);
        let traffic = match props.traffic {
            FlowLogTraffic::All => flow_log::FlowLogTrafficType::All,
            FlowLogTraffic::Accept => flow_log::FlowLogTrafficType::Accept,
            FlowLogTraffic::Reject => flow_log::FlowLogTrafficType::Reject,
        };
        let mut cfn = CfnFlowLog::new(vpc.id(), flow_log::FlowLogResourceType::Vpc);
        cfn.traffic_type = Some(traffic.into());
        // Nothing in the flow log refers to what lets the service write (the role's policy, the
        // bucket policy), so it is ordered after them explicitly.
        let mut after: Vec<Node<'a>> = Vec::new();
        match props.destination {
            FlowLogDestination::CloudWatchLogs(group_props) => {
                let group = LogGroup::new(node, "LogGroup", group_props);
                let role = delivery_role(node, props.role_path);
                role.add_to_policy(
                    PolicyStatement::allow()
                        .actions([
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                            "logs:DescribeLogStreams",
                        ])
                        // The `Arn` attribute ends in `:*`, which covers the log streams.
                        .resources([group.arn()]),
                );
                after.extend(role.default_policy().map(|p| p.node()));
                cfn.log_destination_type =
                    Some(flow_log::FlowLogLogDestinationType::CloudWatchLogs.into());
                cfn.log_group_name = Some(group.name());
                cfn.deliver_logs_permission_arn = Some(role.arn());
            }
            FlowLogDestination::S3 { bucket, prefix } => {
                if let Some(path) = &props.role_path {
                    node.error_with_hint(codes::ec2::FLOW_LOG_ROLE_PATH_UNUSED,
                        format!("role_path \"{path}\" is set, but flow logs to S3 use no role"),
                        "remove role_path: the log delivery service writes to the bucket under its bucket policy",
                    );
                }
                if let Err(problem) = check_prefix(prefix) {
                    node.error_with_hint(codes::ec2::FLOW_LOG_PREFIX_INVALID,
                        problem,
                        "give a prefix such as \"flow-logs\" or \"vpc/production\", or \"\" for the bucket's root",
                    );
                }
                allow_log_delivery(bucket, prefix);
                after.extend(bucket.policy().map(|p| p.node()));
                cfn.log_destination_type = Some(flow_log::FlowLogLogDestinationType::S3.into());
                cfn.log_destination = Some(if prefix.is_empty() {
                    bucket.arn()
                } else {
                    fns::sub(&format!("${{Arn}}/{prefix}/"), [("Arn", bucket.arn())])
                });
                cfn.destination_options = Some(
                    flow_log::DestinationOptions::new(
                        flow_log::DestinationOptionsFileFormat::Parquet,
                        true,
                        true,
                    )
                    .into(),
                );
            }
        }
        let resource = node.add("Resource", cfn);
        for target in after {
            resource.add_dependency(&target);
        }
        FlowLog { node, resource }
    }

    /// The flow log's id.
    pub fn id(&self) -> Expr<String> {
        self.resource.ref_()
    }

    /// The L1 resource (for the record format or the aggregation interval, for example).
    pub fn l1(&self) -> ResourceRef<'a, CfnFlowLog> {
        self.resource
    }
}

/// The conditions that tie a service's access to this account's log deliveries.
fn source_conditions(source_arn: Expr<String>) -> [PolicyCondition; 2] {
    [
        PolicyCondition::new("StringEquals", "aws:SourceAccount", pseudo::account_id()),
        PolicyCondition::new("ArnLike", "aws:SourceArn", source_arn),
    ]
}

/// The role VPC Flow Logs assumes to write to CloudWatch Logs: only for flow logs of this
/// account (the confused-deputy conditions AWS documents).
fn delivery_role<'a>(scope: Node<'a>, path: Option<String>) -> Role<'a> {
    let flow_logs = fns::sub(
        "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*",
        [],
    );
    Role::new(
        scope,
        "Role",
        Principal::service("vpc-flow-logs.amazonaws.com"),
        RoleProps {
            description: Some("delivers VPC flow logs to their CloudWatch Logs log group".into()),
            trust_conditions: source_conditions(flow_logs).into(),
            path,
            ..Default::default()
        },
    )
}

/// Lets the log delivery service of this account write flow logs into `bucket` under `prefix`
/// (and use its key).
fn allow_log_delivery(bucket: Bucket<'_>, prefix: &str) {
    let delivery = Principal::service("delivery.logs.amazonaws.com");
    let logs = || {
        fns::sub(
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*",
            [],
        )
    };
    let objects = if prefix.is_empty() {
        "AWSLogs/*".to_owned()
    } else {
        format!("{prefix}/AWSLogs/*")
    };
    let mut write = PolicyStatement::allow()
        .principal(delivery.clone())
        .actions(["s3:PutObject"])
        .resources([bucket.arn_for_objects(&objects)])
        .condition("StringEquals", "s3:x-amz-acl", "bucket-owner-full-control");
    write.conditions.extend(source_conditions(logs()));
    bucket.add_to_resource_policy(write);
    let mut check = PolicyStatement::allow()
        .principal(delivery.clone())
        .actions(["s3:GetBucketAcl", "s3:ListBucket"])
        .resources([bucket.arn()]);
    check.conditions.extend(source_conditions(logs()));
    bucket.add_to_resource_policy(check);
    if let Some(key) = bucket.encryption_key() {
        let mut encrypt = PolicyStatement::allow()
            .principal(delivery)
            .actions([
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey",
            ])
            .resources(["*"]);
        encrypt.conditions.extend(source_conditions(logs()));
        key.add_to_resource_policy(encrypt);
    }
}

/// Checks an S3 key prefix for flow logs.
fn check_prefix(prefix: &str) -> Result<(), String> {
    if prefix.starts_with('/') || prefix.ends_with('/') || prefix.contains("//") {
        return Err(format!(
            "flow log prefix \"{prefix}\" must not start or end with '/' or contain \"//\""
        ));
    }
    if prefix.split('/').any(|part| part == "AWSLogs") {
        return Err(format!(
            "flow log prefix \"{prefix}\" uses \"AWSLogs\", which the log delivery service reserves"
        ));
    }
    if let Some(bad) = prefix
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_./".contains(*c)))
    {
        return Err(format!(
            "flow log prefix \"{prefix}\" contains {bad:?}; use letters, digits and -_./"
        ));
    }
    Ok(())
}
