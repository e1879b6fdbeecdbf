//! What CloudFormation may do when an infrastructure pipeline deploys a stack: the
//! permissions of the pipeline's `DeployRole`.
//!
//! CloudFormation acts with this role, so the role decides what a template pushed to the
//! infrastructure repository can create. It is granted the actions CloudFormation's resource
//! handlers call for the resources of the deployed stacks (the `handlers` of the resource
//! schemas, which the app's tests check against cfn-lint's copy), limited to those resources:
//!
//! - IAM roles under the app's path (`role/yelp-search/*`) only, and only the AWS managed
//!   policies the stacks attach; service-linked roles only for the services that need them.
//! - Buckets whose generated names start with the stack's name, repositories, projects,
//!   pipelines, log groups, parameters and image repositories by their exact names, rules
//!   whose generated names start with the stack's name, the one EKS cluster by name.
//! - Nothing it may delete holds data: buckets, repositories, image repositories, log groups,
//!   keys and the file system are all retained by CloudFormation, so deleting them is not
//!   granted at all.
//!
//! What cannot be narrowed: EC2 networking (VPC, subnets, routes, gateways, security groups,
//! launch templates) in the account and region, and KMS key creation (`kms:CreateKey` has no
//! resource). A role under the app's path can be given any inline policy, so whoever can push
//! to an infrastructure repository can act as any role the stacks create: treat push access to
//! those repositories like administrative access. The policies are customer managed policies
//! of their own (IAM allows a role 10 KB of inline policies in total).
//!
//! Left out although the handler schemas list them, because these stacks use none of the
//! features they serve: IAM user and group policies and permissions boundaries, instance
//! profiles (EKS Auto Mode), CodeStar connections (GitHub sources), CodeCommit's initial
//! commit, S3 object access, replication, tables and metadata tables, CloudFront connection
//! groups, VPC origins and staging distributions, CloudWatch Logs deliveries (flow logs to
//! S3), EFS replication, EC2 VPN gateways, IPv6 and IPAM.

use cirrus_aws::iam::{
    ManagedPolicy, ManagedPolicyProps, PolicyCondition, PolicyDocument, PolicyStatement, Role,
};
use cirrus_aws::prelude::*;

use super::config::IAM_PATH;

/// The resources of the deployed stacks that the deployment role manages, recorded by the
/// stacks as they create them.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The deployed stacks' names: buckets and rules get generated names that start with
    /// them.
    pub stacks: Vec<String>,
    /// CodeCommit repository names.
    pub repositories: Vec<String>,
    /// CodeBuild project names.
    pub projects: Vec<String>,
    /// CodePipeline pipeline names.
    pub pipelines: Vec<String>,
    /// Log group names.
    pub log_groups: Vec<String>,
    /// Parameter Store parameter names (starting with `/`).
    pub parameters: Vec<String>,
    /// ECR repository names.
    pub image_repositories: Vec<String>,
    /// AWS managed policies attached to roles, by name (`AmazonEKSClusterPolicy`).
    pub managed_policies: Vec<String>,
    /// Whether a stack has a CloudFront distribution and its WAF web ACL.
    pub edge: bool,
    /// The EKS cluster a stack creates, by name, with its VPC and file system.
    pub cluster: Option<String>,
    /// Whether a stack has buckets.
    pub buckets: bool,
    /// Whether a stack has KMS keys.
    pub keys: bool,
}

/// `arn:<partition>:<service>:<region>:<account>:<resource>` of the stack.
fn arn(service: &str, resource: &str) -> Expr<String> {
    Arn::new(service, resource).into()
}

/// A statement allowing `actions` on `resources`.
fn allow<S: AsRef<str>>(
    actions: impl IntoIterator<Item = S>,
    resources: impl IntoIterator<Item = Expr<String>>,
) -> PolicyStatement {
    PolicyStatement::allow()
        .actions(actions)
        .resources(resources)
}

/// Grants `role` what deploying the resources of `scope` needs, in managed policies of
/// `stack`.
pub fn grant<'a>(stack: Stack<'a>, role: Role<'a>, scope: &Scope) {
    let policies: [(&str, &str, Vec<PolicyStatement>); 4] = [
        (
            "DeployIdentityPolicy",
            "IAM roles, KMS keys and log groups",
            identity(scope),
        ),
        (
            "DeployDeliveryPolicy",
            "buckets, repositories, build projects, pipelines, rules and parameters",
            delivery(scope),
        ),
        (
            "DeployEdgePolicy",
            "the CloudFront distribution and its web ACL",
            edge(scope),
        ),
        (
            "DeployClusterPolicy",
            "the EKS cluster, its VPC and its file system",
            cluster(scope),
        ),
    ];
    for (id, what, statements) in policies {
        if statements.is_empty() {
            continue;
        }
        ManagedPolicy::new(
            stack,
            id,
            PolicyDocument::of(statements),
            ManagedPolicyProps {
                description: Some(format!(
                    "lets CloudFormation deploy {what} of {}",
                    scope.stacks.join(" and ")
                )),
                path: Some(IAM_PATH.into()),
                roles: vec![role],
                ..Default::default()
            },
        );
    }
}

/// IAM roles under the app's path, keys, log groups.
fn identity(scope: &Scope) -> Vec<PolicyStatement> {
    let roles: Expr<String> = Arn::new("iam", format!("role{IAM_PATH}*")).global().into();
    let mut out = vec![allow(
        [
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:GetRole",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:UpdateAssumeRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies",
            "iam:GetRolePolicy",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:PassRole",
        ],
        [roles.clone()],
    )];
    if !scope.managed_policies.is_empty() {
        let mut attach = allow(["iam:AttachRolePolicy", "iam:DetachRolePolicy"], [roles]);
        attach.conditions.push(PolicyCondition {
            operator: "ArnEquals".into(),
            key: "iam:PolicyARN".into(),
            values: scope
                .managed_policies
                .iter()
                .map(|name| {
                    Arn::new("iam", format!("policy/{name}"))
                        .global()
                        .aws_managed()
                        .into()
                })
                .collect(),
        });
        out.push(attach);
    }
    if scope.cluster.is_some() {
        let service_roles: Expr<String> =
            Arn::new("iam", "role/aws-service-role/*").global().into();
        let mut linked = allow(["iam:CreateServiceLinkedRole"], [service_roles.clone()]);
        linked.conditions.push(PolicyCondition {
            operator: "StringEquals".into(),
            key: "iam:AWSServiceName".into(),
            values: vec![
                "eks.amazonaws.com".into(),
                "eks-nodegroup.amazonaws.com".into(),
                "elasticfilesystem.amazonaws.com".into(),
            ],
        });
        out.push(linked);
        out.push(allow(["iam:GetRole"], [service_roles]));
    }
    if scope.keys {
        // CreateKey takes no resource; the key policy comes with it.
        out.push(allow(["kms:CreateKey"], ["*".into()]));
        let keys = arn("kms", "key/*");
        out.push(allow(
            [
                "kms:DescribeKey",
                "kms:GetKeyPolicy",
                "kms:PutKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:EnableKeyRotation",
                "kms:EnableKey",
                "kms:UpdateKeyDescription",
                "kms:ListResourceTags",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:RetireGrant",
            ],
            [keys.clone()],
        ));
        // Services that encrypt with a key on the stack's behalf (EKS secrets, EFS, ECR)
        // hold a grant created through CloudFormation.
        out.push(
            allow(
                ["kms:CreateGrant", "kms:GenerateDataKeyWithoutPlaintext"],
                [keys],
            )
            .condition("Bool", "kms:GrantIsForAWSResource", "true"),
        );
    }
    if !scope.log_groups.is_empty() {
        let groups: Vec<Expr<String>> = scope
            .log_groups
            .iter()
            .map(|name| arn("logs", &format!("log-group:{name}*")))
            .collect();
        out.push(allow(
            [
                "logs:CreateLogGroup",
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
                "logs:AssociateKmsKey",
                "logs:DisassociateKmsKey",
                "logs:TagResource",
                "logs:UntagResource",
                "logs:TagLogGroup",
                "logs:UntagLogGroup",
                "logs:ListTagsForResource",
                "logs:ListTagsLogGroup",
                "logs:GetDataProtectionPolicy",
                "logs:PutLogGroupDeletionProtection",
            ],
            groups,
        ));
        out.push(allow(
            [
                "logs:DescribeLogGroups",
                "logs:DescribeIndexPolicies",
                "logs:DescribeResourcePolicies",
            ],
            [arn("logs", "log-group:*")],
        ));
    }
    out
}

/// Buckets, CodeCommit, CodeBuild, CodePipeline, EventBridge, Parameter Store, ECR.
fn delivery(scope: &Scope) -> Vec<PolicyStatement> {
    let mut out = Vec::new();
    if scope.buckets {
        let buckets: Vec<Expr<String>> = scope
            .stacks
            .iter()
            .map(|stack| {
                Arn::new("s3", format!("{}-*", stack.to_lowercase()))
                    .global()
                    .no_account()
                    .into()
            })
            .collect();
        let mut actions = vec![
            "s3:CreateBucket",
            "s3:ListBucket",
            "s3:GetBucket*",
            "s3:Get*Configuration",
            "s3:ListTagsForResource",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:PutEncryptionConfiguration",
            "s3:PutBucketVersioning",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutBucketOwnershipControls",
            "s3:PutBucketLogging",
            "s3:PutLifecycleConfiguration",
            "s3:PutBucketTagging",
            "s3:TagResource",
            "s3:UntagResource",
        ];
        if scope.edge {
            // CloudFront's standard logs are delivered through the log bucket's ACL, which
            // the distribution's creator must be able to read and extend.
            actions.push("s3:PutBucketAcl");
        }
        out.push(allow(actions, buckets));
    }
    if !scope.repositories.is_empty() {
        out.push(allow(
            [
                "codecommit:CreateRepository",
                "codecommit:GetRepository",
                "codecommit:UpdateRepositoryDescription",
                "codecommit:UpdateRepositoryName",
                "codecommit:GetRepositoryTriggers",
                "codecommit:PutRepositoryTriggers",
                "codecommit:TagResource",
                "codecommit:UntagResource",
                "codecommit:ListTagsForResource",
            ],
            scope
                .repositories
                .iter()
                .map(|name| arn("codecommit", name)),
        ));
        out.push(allow(["codecommit:ListRepositories"], ["*".into()]));
    }
    if !scope.projects.is_empty() {
        out.push(allow(
            [
                "codebuild:CreateProject",
                "codebuild:UpdateProject",
                "codebuild:DeleteProject",
                "codebuild:BatchGetProjects",
            ],
            scope
                .projects
                .iter()
                .map(|name| arn("codebuild", &format!("project/{name}"))),
        ));
    }
    if !scope.pipelines.is_empty() {
        out.push(allow(
            [
                "codepipeline:CreatePipeline",
                "codepipeline:UpdatePipeline",
                "codepipeline:DeletePipeline",
                "codepipeline:GetPipeline",
                "codepipeline:GetPipelineState",
                "codepipeline:DisableStageTransition",
                "codepipeline:EnableStageTransition",
                "codepipeline:StartPipelineExecution",
                "codepipeline:TagResource",
                "codepipeline:UntagResource",
                "codepipeline:ListTagsForResource",
            ],
            scope.pipelines.iter().map(|name| arn("codepipeline", name)),
        ));
        // The rules that start the pipelines on pushes.
        out.push(allow(
            [
                "events:PutRule",
                "events:DeleteRule",
                "events:DescribeRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "events:ListTargetsByRule",
                "events:TagResource",
                "events:UntagResource",
                "events:ListTagsForResource",
            ],
            scope
                .stacks
                .iter()
                .map(|stack| arn("events", &format!("rule/{stack}-*"))),
        ));
    }
    if !scope.parameters.is_empty() {
        out.push(allow(
            [
                "ssm:PutParameter",
                "ssm:DeleteParameter",
                "ssm:GetParameters",
                "ssm:AddTagsToResource",
                "ssm:RemoveTagsFromResource",
                "ssm:ListTagsForResource",
            ],
            scope
                .parameters
                .iter()
                .map(|name| arn("ssm", &format!("parameter{name}"))),
        ));
    }
    if !scope.image_repositories.is_empty() {
        out.push(allow(
            [
                "ecr:CreateRepository",
                "ecr:DescribeRepositories",
                "ecr:PutLifecyclePolicy",
                "ecr:GetLifecyclePolicy",
                "ecr:DeleteLifecyclePolicy",
                "ecr:PutImageScanningConfiguration",
                "ecr:PutImageTagMutability",
                "ecr:GetRepositoryPolicy",
                "ecr:TagResource",
                "ecr:UntagResource",
                "ecr:ListTagsForResource",
            ],
            scope
                .image_repositories
                .iter()
                .map(|name| arn("ecr", &format!("repository/{name}"))),
        ));
    }
    out
}

/// CloudFront and WAF.
fn edge(scope: &Scope) -> Vec<PolicyStatement> {
    if !scope.edge {
        return Vec::new();
    }
    let global =
        |resource: &str| -> Expr<String> { Arn::new("cloudfront", resource).global().into() };
    vec![
        allow(
            [
                "cloudfront:CreateDistribution",
                "cloudfront:GetDistribution",
                "cloudfront:GetDistributionConfig",
                "cloudfront:UpdateDistribution",
                "cloudfront:DeleteDistribution",
                "cloudfront:TagResource",
                "cloudfront:UntagResource",
                "cloudfront:ListTagsForResource",
            ],
            [global("distribution/*")],
        ),
        allow(
            [
                "cloudfront:CreateOriginAccessControl",
                "cloudfront:GetOriginAccessControl",
                "cloudfront:GetOriginAccessControlConfig",
                "cloudfront:UpdateOriginAccessControl",
                "cloudfront:DeleteOriginAccessControl",
            ],
            [global("origin-access-control/*")],
        ),
        // CloudFront web ACLs live in us-east-1, the app's region; the distribution's
        // creator must be able to read the ACL it names.
        allow(
            [
                "wafv2:CreateWebACL",
                "wafv2:GetWebACL",
                "wafv2:UpdateWebACL",
                "wafv2:DeleteWebACL",
                "wafv2:TagResource",
                "wafv2:UntagResource",
                "wafv2:ListTagsForResource",
            ],
            [
                arn("wafv2", "global/webacl/*"),
                Arn::new("wafv2", "global/managedruleset/*")
                    .in_account("*")
                    .into(),
            ],
        ),
    ]
}

/// EKS, EC2 networking and launch templates, EFS.
fn cluster(scope: &Scope) -> Vec<PolicyStatement> {
    let Some(name) = &scope.cluster else {
        return Vec::new();
    };
    let ec2 = arn("ec2", "*");
    vec![
        allow(
            [
                "eks:CreateCluster",
                "eks:DescribeCluster",
                "eks:UpdateClusterConfig",
                "eks:UpdateClusterVersion",
                "eks:DeleteCluster",
                "eks:CreateNodegroup",
                "eks:DescribeNodegroup",
                "eks:UpdateNodegroupConfig",
                "eks:UpdateNodegroupVersion",
                "eks:DeleteNodegroup",
                "eks:CreateAddon",
                "eks:DescribeAddon",
                "eks:UpdateAddon",
                "eks:DeleteAddon",
                "eks:CreateAccessEntry",
                "eks:DescribeAccessEntry",
                "eks:UpdateAccessEntry",
                "eks:DeleteAccessEntry",
                "eks:AssociateAccessPolicy",
                "eks:DisassociateAccessPolicy",
                "eks:ListAssociatedAccessPolicies",
                "eks:CreatePodIdentityAssociation",
                "eks:DescribePodIdentityAssociation",
                "eks:UpdatePodIdentityAssociation",
                "eks:DeletePodIdentityAssociation",
                "eks:DescribeUpdate",
                "eks:ListUpdates",
                "eks:TagResource",
                "eks:UntagResource",
            ],
            [
                arn("eks", &format!("cluster/{name}")),
                arn("eks", &format!("nodegroup/{name}/*")),
                arn("eks", &format!("addon/{name}/*")),
                arn("eks", &format!("access-entry/{name}/*")),
                arn("eks", &format!("podidentityassociation/{name}/*")),
            ],
        ),
        allow(
            [
                "ec2:CreateVpc",
                "ec2:DeleteVpc",
                "ec2:ModifyVpcAttribute",
                "ec2:CreateSubnet",
                "ec2:DeleteSubnet",
                "ec2:ModifySubnetAttribute",
                "ec2:CreateRouteTable",
                "ec2:DeleteRouteTable",
                "ec2:AssociateRouteTable",
                "ec2:DisassociateRouteTable",
                "ec2:ReplaceRouteTableAssociation",
                "ec2:CreateRoute",
                "ec2:DeleteRoute",
                "ec2:ReplaceRoute",
                "ec2:CreateInternetGateway",
                "ec2:DeleteInternetGateway",
                "ec2:AttachInternetGateway",
                "ec2:DetachInternetGateway",
                "ec2:AllocateAddress",
                "ec2:ReleaseAddress",
                "ec2:AssociateAddress",
                "ec2:DisassociateAddress",
                "ec2:CreateNatGateway",
                "ec2:DeleteNatGateway",
                "ec2:CreateSecurityGroup",
                "ec2:DeleteSecurityGroup",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:AuthorizeSecurityGroupEgress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupEgress",
                "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
                "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
                "ec2:CreateFlowLogs",
                "ec2:DeleteFlowLogs",
                "ec2:CreateLaunchTemplate",
                "ec2:CreateLaunchTemplateVersion",
                "ec2:DeleteLaunchTemplate",
                // EFS mount targets are network interfaces created in the caller's name.
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:CreateTags",
                "ec2:DeleteTags",
            ],
            [ec2.clone()],
        ),
        // EKS checks that the nodes' launch template can start instances from its images.
        allow(
            ["ec2:RunInstances"],
            [ec2, Arn::new("ec2", "image/*").no_account().into()],
        ),
        allow(["ec2:Describe*", "autoscaling:DescribeTags"], ["*".into()]),
        allow(
            [
                "elasticfilesystem:CreateFileSystem",
                "elasticfilesystem:DescribeFileSystems",
                "elasticfilesystem:UpdateFileSystem",
                "elasticfilesystem:UpdateFileSystemProtection",
                "elasticfilesystem:PutBackupPolicy",
                "elasticfilesystem:DescribeBackupPolicy",
                "elasticfilesystem:PutFileSystemPolicy",
                "elasticfilesystem:DescribeFileSystemPolicy",
                "elasticfilesystem:DeleteFileSystemPolicy",
                "elasticfilesystem:PutLifecycleConfiguration",
                "elasticfilesystem:DescribeLifecycleConfiguration",
                "elasticfilesystem:DescribeReplicationConfigurations",
                "elasticfilesystem:CreateMountTarget",
                "elasticfilesystem:DescribeMountTargets",
                "elasticfilesystem:DescribeMountTargetSecurityGroups",
                "elasticfilesystem:ModifyMountTargetSecurityGroups",
                "elasticfilesystem:DeleteMountTarget",
                "elasticfilesystem:TagResource",
                "elasticfilesystem:UntagResource",
                "elasticfilesystem:DeleteTags",
                "elasticfilesystem:ListTagsForResource",
            ],
            [arn("elasticfilesystem", "file-system/*")],
        ),
    ]
}
