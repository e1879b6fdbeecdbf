//! The ARNs of the resources a stack deploys, as IAM resource patterns.
//!
//! A resource's ARN needs its name, which the template either fixes (`BucketName`) or leaves
//! to CloudFormation. CloudFormation's generated names of the types in [`NAMINGS`] marked
//! `stack_prefix` start with the stack's name (`<stack>-<logical id>-<random>`, lower case
//! for buckets and image repositories), so those resources are matched by that prefix;
//! other generated names and ids (`vpc-0abc...`, key ids) are unknown until deployed and
//! become `*`, with the account and region still fixed.
//!
//! Patterns are `Fn::Sub` templates: `${AWS::Partition}`, `${AWS::Region}` and
//! `${AWS::AccountId}` stay for CloudFormation to fill.

use cirrus_core::{Intrinsic, ResourceView, Value};

/// How the resources of one CloudFormation type are named in IAM.
pub(crate) struct Naming {
    /// The CloudFormation type.
    pub(crate) cfn: &'static str,
    /// The IAM service prefix and resource type its ARN has.
    pub(crate) service: &'static str,
    pub(crate) iam_type: &'static str,
    /// The property that fixes its name, and the ARN format's variable it fills.
    pub(crate) name: Option<(&'static str, &'static str)>,
    /// Whether CloudFormation's generated names start with the stack's name (`Some(true)`:
    /// lower case).
    pub(crate) stack_prefix: Option<bool>,
}

const fn naming(
    cfn: &'static str,
    service: &'static str,
    iam_type: &'static str,
    name: Option<(&'static str, &'static str)>,
    stack_prefix: Option<bool>,
) -> Naming {
    Naming {
        cfn,
        service,
        iam_type,
        name,
        stack_prefix,
    }
}

/// The types whose names the library reads. Any other type is matched by its IAM resource
/// type of the same name (`AWS::EC2::RouteTable` is `ec2` `route-table`) with every part
/// of its ARN but the account and region unknown.
pub(crate) const NAMINGS: &[Naming] = &[
    naming(
        "AWS::S3::Bucket",
        "s3",
        "bucket",
        Some(("BucketName", "BucketName")),
        Some(true),
    ),
    naming(
        "AWS::IAM::Role",
        "iam",
        "role",
        Some(("RoleName", "RoleNameWithPath")),
        Some(false),
    ),
    naming(
        "AWS::IAM::ManagedPolicy",
        "iam",
        "policy",
        Some(("ManagedPolicyName", "PolicyNameWithPath")),
        Some(false),
    ),
    naming(
        "AWS::Logs::LogGroup",
        "logs",
        "log-group",
        Some(("LogGroupName", "LogGroupName")),
        Some(false),
    ),
    naming(
        "AWS::CodeCommit::Repository",
        "codecommit",
        "repository",
        Some(("RepositoryName", "RepositoryName")),
        None,
    ),
    naming(
        "AWS::ECR::Repository",
        "ecr",
        "repository",
        Some(("RepositoryName", "RepositoryName")),
        Some(true),
    ),
    naming(
        "AWS::CodeBuild::Project",
        "codebuild",
        "project",
        Some(("Name", "ProjectName")),
        None,
    ),
    naming(
        "AWS::CodePipeline::Pipeline",
        "codepipeline",
        "pipeline",
        Some(("Name", "PipelineName")),
        Some(false),
    ),
    naming(
        "AWS::Events::Rule",
        "events",
        "rule-on-default-event-bus",
        Some(("Name", "RuleName")),
        Some(false),
    ),
    naming(
        "AWS::SSM::Parameter",
        "ssm",
        "parameter",
        Some(("Name", "ParameterNameWithoutLeadingSlash")),
        None,
    ),
    naming(
        "AWS::EKS::Cluster",
        "eks",
        "cluster",
        Some(("Name", "ClusterName")),
        None,
    ),
    naming(
        "AWS::SNS::Topic",
        "sns",
        "topic",
        Some(("TopicName", "TopicName")),
        Some(false),
    ),
    naming(
        "AWS::SQS::Queue",
        "sqs",
        "queue",
        Some(("QueueName", "QueueName")),
        Some(false),
    ),
    naming(
        "AWS::WAFv2::WebACL",
        "wafv2",
        "webacl",
        Some(("Name", "Name")),
        None,
    ),
    naming("AWS::EC2::EIP", "ec2", "elastic-ip", None, None),
    naming("AWS::EC2::FlowLog", "ec2", "vpc-flow-log", None, None),
    naming("AWS::EC2::NatGateway", "ec2", "natgateway", None, None),
    naming(
        "AWS::EFS::FileSystem",
        "elasticfilesystem",
        "file-system",
        None,
        None,
    ),
    // Application load balancers: IAM names the type after the kind (`loadbalancer/app/`).
    // Generated names do not start with the stack's name, so without a `Name` any application
    // load balancer of the account and region matches.
    naming(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "elasticloadbalancing",
        "loadbalancer/app/",
        Some(("Name", "LoadBalancerName")),
        None,
    ),
    naming(
        "AWS::ElasticLoadBalancingV2::Listener",
        "elasticloadbalancing",
        "listener/app",
        None,
        None,
    ),
];

/// The IAM service prefix of a CloudFormation service namespace.
pub(crate) fn service_prefix(cfn_service: &str) -> String {
    match cfn_service {
        "CertificateManager" => "acm",
        "EFS" => "elasticfilesystem",
        "EMR" => "elasticmapreduce",
        "ElasticLoadBalancingV2" => "elasticloadbalancing",
        "KinesisFirehose" => "firehose",
        other => return other.to_ascii_lowercase(),
    }
    .to_owned()
}

/// `RouteTable` and `route-table` alike.
fn normalized(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The IAM service and resource type of a CloudFormation type, with its naming, if IAM has
/// a resource type for it.
pub(crate) fn iam_type_of(
    cfn_type: &str,
    arns: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
) -> Option<(String, String, Option<&'static Naming>)> {
    if let Some(n) = NAMINGS.iter().find(|n| n.cfn == cfn_type) {
        return Some((n.service.to_owned(), n.iam_type.to_owned(), Some(n)));
    }
    let mut parts = cfn_type.split("::");
    let (_, service, resource) = (parts.next()?, parts.next()?, parts.next()?);
    let prefix = service_prefix(service);
    let wanted = normalized(resource);
    let found = arns
        .get(&prefix)?
        .keys()
        .find(|k| normalized(k) == wanted)?
        .clone();
    Some((prefix, found, None))
}

/// A name as the template gives it: a string, or an `Fn::Sub` of pseudo parameters only
/// (`${AWS::StackName}` is filled in; the partition, region and account stay for
/// CloudFormation). `None` for anything else, whose value is known only when deployed.
pub(crate) fn literal(value: &Value, stack_name: &str) -> Option<String> {
    match value {
        Value::String(s) => Some(escape(s)),
        Value::Fn(f) => match f.as_ref() {
            Intrinsic::Sub { template, vars } if vars.is_empty() => {
                let filled = template.replace("${AWS::StackName}", stack_name);
                let pseudo_only = filled
                    .match_indices("${")
                    .all(|(i, _)| filled[i..].starts_with("${AWS::"));
                pseudo_only.then_some(filled)
            }
            _ => None,
        },
        _ => None,
    }
}

/// A literal name inside an `Fn::Sub` template: `${` would start a variable.
fn escape(name: &str) -> String {
    name.replace("${", "${!")
}

/// The pattern of resources of `cfn_type` named as `resource` says, given the ARN format of
/// its IAM resource type.
pub(crate) fn own_pattern(
    resource: &ResourceView,
    naming: Option<&Naming>,
    format: &str,
    stack_name: &str,
) -> String {
    let (pattern, _) = own_pattern_and_name(resource, naming, format, stack_name);
    pattern
}

/// [`own_pattern`], with the ARN variable the name fills and its value (`BucketName`,
/// `site-*`): the ARNs of what belongs to the resource (a bucket's objects) are filled with
/// it too.
pub(crate) fn own_pattern_and_name(
    resource: &ResourceView,
    naming: Option<&Naming>,
    format: &str,
    stack_name: &str,
) -> (String, Option<(&'static str, String)>) {
    let props = resource.properties.as_object();
    let prop = |name: &str| props.and_then(|p| p.get(name));
    let mut name_var = None;
    let mut name_value = String::from("*");
    if let Some(n) = naming {
        if let Some((property, var)) = n.name {
            name_var = Some(var);
            let fixed = prop(property).and_then(|v| literal(v, stack_name));
            name_value = match (fixed, n.stack_prefix) {
                (Some(name), _) => name,
                (None, Some(lower)) if prop(property).is_none() => {
                    let prefix = if lower {
                        stack_name.to_ascii_lowercase()
                    } else {
                        stack_name.to_owned()
                    };
                    format!("{prefix}-*")
                }
                _ => String::from("*"),
            };
            // IAM names carry their path; parameters and aliases drop their leading part.
            match var {
                "RoleNameWithPath" | "PolicyNameWithPath" => {
                    let path = prop("Path")
                        .and_then(|v| literal(v, stack_name))
                        .unwrap_or_else(|| String::from("/"));
                    name_value = format!("{}{name_value}", path.trim_start_matches('/'));
                }
                "ParameterNameWithoutLeadingSlash" => {
                    name_value = name_value.trim_start_matches('/').to_owned();
                }
                _ => {}
            }
        }
    }
    let pattern = fill(format, name_var.map(|v| (v, name_value.as_str())), false);
    let name = name_var.map(|v| (v, name_value));
    if naming.is_some_and(|n| n.cfn == "AWS::Logs::LogGroup") {
        // Log group actions are authorised on `log-group:<name>` and `log-group:<name>:*`.
        return (format!("{pattern}*"), name);
    }
    (pattern, name)
}

/// Fills an ARN format: the partition always, the region and account unless `anywhere`,
/// `name` if given, every other variable with `*`; an optional part (`[...]`) is dropped.
pub(crate) fn fill(format: &str, name: Option<(&str, &str)>, anywhere: bool) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(start) = rest.find(['$', '[']) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        if let Some(stripped) = tail.strip_prefix('[') {
            // `rule/[${EventBusName}/]${RuleName}`: the default bus has no such part.
            rest = stripped.find(']').map_or("", |end| &stripped[end + 1..]);
            continue;
        }
        let Some(end) = tail.find('}') else {
            out.push_str(tail);
            rest = "";
            break;
        };
        let var = &tail[2..end];
        let value = match var {
            "Partition" => "${AWS::Partition}",
            "Region" if !anywhere => "${AWS::Region}",
            "Account" if !anywhere => "${AWS::AccountId}",
            _ => match name {
                Some((wanted, value)) if wanted == var => value,
                _ => "*",
            },
        };
        out.push_str(value);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    // `*/*` at the end says no more than `*`.
    while out.ends_with("*/*") {
        out.truncate(out.len() - 2);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_fill_with_the_account_region_and_name() {
        assert_eq!(
            fill(
                "arn:${Partition}:s3:::${BucketName}",
                Some(("BucketName", "site")),
                false
            ),
            "arn:${AWS::Partition}:s3:::site"
        );
        assert_eq!(
            fill(
                "arn:${Partition}:events:${Region}:${Account}:rule/[${EventBusName}/]${RuleName}",
                None,
                false
            ),
            "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*"
        );
        assert_eq!(
            fill(
                "arn:${Partition}:wafv2:${Region}:${Account}:${Scope}/managedruleset/${Name}/${Id}",
                None,
                true
            ),
            "arn:${AWS::Partition}:wafv2:*:*:*/managedruleset/*"
        );
    }

    #[test]
    fn generated_names_start_with_the_stack_name() {
        let role = ResourceView {
            path: "S/Role".into(),
            cfn_type: "AWS::IAM::Role".into(),
            properties: Value::Object(
                [("Path".to_owned(), Value::String("/app/".into()))]
                    .into_iter()
                    .collect(),
            ),
            deletion_policy: None,
        };
        let naming = NAMINGS.iter().find(|n| n.cfn == "AWS::IAM::Role");
        assert_eq!(
            own_pattern(
                &role,
                naming,
                "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
                "Backend"
            ),
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/app/Backend-*"
        );
    }
}
