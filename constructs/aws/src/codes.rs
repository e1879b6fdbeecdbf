//! The registry of `cirrus-aws`'s diagnostic codes, one module per area (`codes::s3`,
//! `codes::iam`, ...). Ids are `<AREA>-NNN` and never change once published; a retired id is
//! never given to another check. `docs/diagnostics.md` lists every code of every crate.
//!
//! The registry is compiled whatever the cargo features, so every code is documented and
//! checked even when its construct is not compiled.
//!
//! Apps and tests match a diagnostic by its code
//! (`cirrus_core::assertions::Annotations::has_error_code`), and acknowledge one with
//! `cirrus_core::Node::acknowledge`. The errors marked acknowledgeable are secure defaults a
//! deliberate design may opt out of, with a reason a reviewer reads in `tree.json`.

/// Athena workgroups.
pub mod athena {
    cirrus_core::codes! {
        WORKGROUP_NAME_INVALID = error("ATHENA-001", "a workgroup name is not 1 to 128 letters, digits, '.', '_' or '-'");
        WORKGROUP_NAME_RESERVED = error("ATHENA-002", "the workgroup name primary, which every account already has");
        RESULTS_PREFIX_INVALID = error("ATHENA-003", "a results prefix does not end with '/' or starts with one");
        CUTOFF_TOO_SMALL = error("ATHENA-004", "a per-query scan limit below Athena's 10 MB");
    }
}

/// ACM certificates.
pub mod acm {
    cirrus_core::codes! {
        NOT_IN_US_EAST_1 = error("ACM-001", "a CloudFront viewer certificate is not in us-east-1");
        REGION_MISMATCH = error("ACM-002", "a load balancer uses a certificate of another region");
        NAME_DUPLICATE = error("ACM-003", "a certificate lists a name twice");
        NAME_INVALID = error("ACM-004", "a certificate name is not a valid domain name");
        TOO_MANY_NAMES = error("ACM-005", "a certificate has more than ACM's 100 names");
        ARN_INVALID = error("ACM-006", "an imported certificate ARN is malformed");
        NAME_OUTSIDE_ZONE = error("ACM-007", "a name is validated in a hosted zone that does not hold it");
        ZONE_UNUSED = error("ACM-008", "a validation zone names a name the certificate does not cover");
        ZONE_MISSING = error("ACM-009", "a certificate name has no validation zone");
    }
}

/// CloudFront distributions.
pub mod cloudfront {
    cirrus_core::codes! {
        PATH_PATTERN_INVALID = error("CLOUDFRONT-001", "a behavior's path pattern is empty, too long or the default's");
        PATH_PATTERN_DUPLICATE = error("CLOUDFRONT-002", "two behaviors have the same path pattern");
        COMMENT_TOO_LONG = error("CLOUDFRONT-003", "a distribution comment is longer than 128 characters");
        DEFAULT_ROOT_OBJECT_INVALID = error("CLOUDFRONT-004", "the default root object is not an object key");
        ERROR_STATUS_UNSUPPORTED = error("CLOUDFRONT-005", "an error response for, or answering with, a status CloudFront cannot customise");
        ERROR_RESPONSE_DUPLICATE = error("CLOUDFRONT-006", "two error responses for one status");
        ERROR_RESPONSE_INCOMPLETE = error("CLOUDFRONT-007", "an error response with a response code or a page, not both");
        ERROR_PAGE_PATH_INVALID = error("CLOUDFRONT-008", "an error page path that does not start with '/'");
        DOMAIN_WITHOUT_NAMES = error("CLOUDFRONT-009", "a custom domain without names");
        ALIAS_INVALID = error("CLOUDFRONT-010", "an alias is not a valid domain name");
        VIEWER_TLS_OUTDATED = error("CLOUDFRONT-011", "the viewer TLS policy accepts TLS versions before 1.2", acknowledgeable);
        LOG_BUCKET_WITHOUT_ACLS = error("CLOUDFRONT-012", "standard logs go to a bucket whose ACLs are disabled");
        LOG_BUCKET_KMS = error("CLOUDFRONT-013", "standard logs go to a bucket encrypted with KMS");
        WEB_ACL_REGIONAL = error("CLOUDFRONT-014", "a distribution is given a regional web ACL");
        ORIGIN_TIMEOUT_OUT_OF_RANGE = error("CLOUDFRONT-015", "an origin read timeout outside 1 to 120 seconds");
        ORIGIN_PATH_INVALID = error("CLOUDFRONT-016", "an origin path does not start with '/' or ends with one");
        ORIGIN_DOMAIN_INVALID = error("CLOUDFRONT-017", "an origin domain is not a valid domain name");
        S3_ORIGIN_IN_OTHER_STACK = error("CLOUDFRONT-018", "an S3 origin's bucket is in another stack than the distribution");
        S3_ORIGIN_UNREADABLE = error("CLOUDFRONT-019", "an S3 origin is encrypted with a key CloudFront cannot be allowed to use");
        FUNCTION_CODE_INVALID = error("CLOUDFRONT-020", "a CloudFront Function whose code is empty or larger than 10 KB");
        FUNCTION_EVENT_TWICE = error("CLOUDFRONT-021", "a behaviour with two functions for the same event");
        KEY_VALUE_STORE_COMMENT_TOO_LONG = error("CLOUDFRONT-022", "a key-value store whose comment is longer than 128 characters");
    }
}

/// CodeBuild projects and buildspecs.
pub mod codebuild {
    cirrus_core::codes! {
        PROJECT_ARN_INVALID = error("CODEBUILD-001", "an imported project ARN is malformed");
        PROJECT_NAME_INVALID = error("CODEBUILD-002", "a project name breaks CodeBuild's rules");
        TIMEOUT_OUT_OF_RANGE = error("CODEBUILD-003", "a build or queue timeout outside CodeBuild's range");
        ENV_VAR_DUPLICATE = error("CODEBUILD-004", "an environment variable is set twice");
        CACHE_PATHS_WITHOUT_CACHE = error("CODEBUILD-005", "the buildspec lists cache paths but the project keeps no custom cache");
        ARTIFACTS_WITHOUT_DESTINATION = warning("CODEBUILD-006", "the buildspec declares artifacts the project has nowhere to put");
        BUILDSPEC_WITHOUT_SOURCE = error("CODEBUILD-007", "the buildspec is read from a source the project does not have");
        BUILDSPEC_PATH_EMPTY = error("CODEBUILD-008", "the buildspec path is empty");
        CACHE_WITHOUT_MODES = error("CODEBUILD-009", "a local cache without modes");
        DOCKER_CACHE_NOT_PRIVILEGED = error("CODEBUILD-010", "a Docker layer cache without privileged mode");
        CACHE_PREFIX_INVALID = error("CODEBUILD-011", "an S3 cache prefix that is empty or starts with '/'");
        VPC_SUBNETS_MISSING = error("CODEBUILD-012", "the VPC has no subnets of the kind the project is placed in");
        PUBLIC_SUBNETS = error("CODEBUILD-013", "a project in public subnets, where builds cannot reach the internet");
        ENV_VAR_NAME_INVALID = error("CODEBUILD-014", "an environment variable name CodeBuild refuses");
        ENV_VAR_PLAINTEXT_SECRET = error("CODEBUILD-015", "an environment variable looks like a secret in plain text", acknowledgeable);
        ENV_VAR_JSON_KEY_INVALID = error("CODEBUILD-016", "a Secrets Manager variable's JSON key is empty or holds ':'");
        BUILDSPEC_INVALID = error("CODEBUILD-017", "an inline buildspec CodeBuild would refuse (no commands, empty commands or artifacts)");
    }
}

/// CodeCommit repositories.
pub mod codecommit {
    cirrus_core::codes! {
        REPOSITORY_NAME_INVALID = error("CODECOMMIT-001", "a repository name breaks CodeCommit's rules");
        DESCRIPTION_TOO_LONG = error("CODECOMMIT-002", "a repository description is longer than 1000 characters");
    }
}

/// Connections to repository providers.
pub mod codeconnections {
    cirrus_core::codes! {
        CONNECTION_NAME_INVALID = error("CODECONNECTIONS-001", "a connection name that is not 1 to 32 characters");
        CONNECTION_ARN_INVALID = error("CODECONNECTIONS-002", "an imported connection's ARN is not a connection ARN");
    }
}

/// CodePipeline pipelines.
pub mod codepipeline {
    cirrus_core::codes! {
        PIPELINE_NAME_INVALID = error("CODEPIPELINE-001", "a pipeline name breaks CodePipeline's rules");
        TOO_FEW_STAGES = error("CODEPIPELINE-002", "a pipeline with fewer than two stages");
        ARTIFACT_BUCKET_UNENCRYPTED = error("CODEPIPELINE-003", "the artifact bucket is not encrypted with a customer managed key");
        IMPORTED_PROJECT_ROLE_UNKNOWN = warning("CODEPIPELINE-004", "an imported project's role is unknown, so it is not granted the artifacts");
        STAGE_ID_INVALID = error("CODEPIPELINE-005", "a stage name gives no usable or unique construct id");
        ACTION_ID_INVALID = error("CODEPIPELINE-006", "an action name gives no usable or unique construct id");
        ACTION_PLAINTEXT_SECRET = error("CODEPIPELINE-007", "a CodeBuild action's environment variable looks like a secret in plain text", acknowledgeable);
        ARTIFACT_NAME_INVALID = error("CODEPIPELINE-008", "an artifact name CodePipeline refuses");
        ARTIFACT_PRODUCED_TWICE = error("CODEPIPELINE-009", "two actions produce the same artifact");
        NAMESPACE_INVALID = error("CODEPIPELINE-010", "a variables namespace CodePipeline refuses");
        NAMESPACE_PUBLISHED_TWICE = error("CODEPIPELINE-011", "two actions publish the same variables namespace");
        STAGE_NAME_INVALID = error("CODEPIPELINE-012", "a stage name CodePipeline refuses");
        STAGE_NAME_DUPLICATE = error("CODEPIPELINE-013", "two stages with the same name");
        STAGE_ACTION_COUNT = error("CODEPIPELINE-014", "a stage without actions, or with more than 50");
        ACTION_NAME_INVALID = error("CODEPIPELINE-015", "an action name CodePipeline refuses");
        ACTION_NAME_DUPLICATE = error("CODEPIPELINE-016", "two actions of a stage with the same name");
        RUN_ORDER_OUT_OF_RANGE = error("CODEPIPELINE-017", "a run order outside 1 to 999");
        SOURCE_ACTION_PLACEMENT = error("CODEPIPELINE-018", "a source action outside the first stage, or another action in it");
        INPUT_WITHOUT_PRODUCER = error("CODEPIPELINE-019", "an action reads an artifact no action produces");
        INPUT_BEFORE_PRODUCER = error("CODEPIPELINE-020", "an action reads an artifact before the action that produces it runs");
        NAMESPACE_UNKNOWN = error("CODEPIPELINE-021", "a variable reference to a namespace no earlier action publishes");
        ACTION_SETTING_INVALID = error("CODEPIPELINE-022", "an action's branch, image tag or object key empty, or an approval timeout out of range");
        PROJECT_SOURCE_NOT_PIPELINE = error("CODEPIPELINE-023", "a CodeBuild action's project does not take its source from the pipeline");
        CODEBUILD_ACTION_ARTIFACT_LIMIT = error("CODEPIPELINE-024", "a CodeBuild action with more than 5 inputs or outputs");
        DEPLOY_STACK_NAME_INVALID = error("CODEPIPELINE-025", "a deploy action's stack name is not a CloudFormation stack name");
        TEMPLATE_PATH_INVALID = error("CODEPIPELINE-026", "a deploy action's template path is not a file in the artifact");
        DEPLOY_ACROSS_ENVIRONMENTS = error("CODEPIPELINE-027", "a deploy action to another account or region");
        REPOSITORY_ID_INVALID = error("CODEPIPELINE-028", "a connection source's repository is not owner/name, or its branch or trigger filters are empty");
        VARIABLE_NOT_PUBLISHED = error("CODEPIPELINE-029", "a pipeline variable asked of an action that does not publish it");
        SOURCE_BUCKET_UNFIT = error("CODEPIPELINE-030", "an S3 source's bucket does not send events to EventBridge or is not versioned, or its object key is empty");
        CHANGE_SET_WITHOUT_CREATE = error("CODEPIPELINE-031", "a change set executed without an earlier action of the stage creating it");
        COMMANDS_INVALID = error("CODEPIPELINE-032", "a Commands action's commands, inputs or output variables CodePipeline refuses");
        ACTION_CONFIGURATION_MISSING = error("CODEPIPELINE-033", "a custom action lacks a setting its provider requires, or its type is malformed");
        EKS_DEPLOY_INVALID = error("CODEPIPELINE-034", "an EKS deploy action's manifests, chart, namespace or network settings CodePipeline refuses");
        SOURCE_WITHOUT_TRIGGER = warning("CODEPIPELINE-035", "a source action that nothing starts the pipeline for");
        APPROVAL_GATES_NOTHING = warning("CODEPIPELINE-036", "a manual approval that no action follows");
        CLONE_REF_NOT_CODEBUILD = error("CODEPIPELINE-037", "a connection source's clone reference read by an action other than CodeBuild");
        INVALIDATION_PATHS_INVALID = error("CODEPIPELINE-038", "a CloudFront invalidation without paths, with more than 3,000, or with a malformed path");
        EKS_ENVIRONMENT_INVALID = error("CODEPIPELINE-039", "an EKS deploy action whose environment misses a variable its manifest needs, or has a misnamed or repeated one");
        STAGE_CONDITION_INVALID = error("CODEPIPELINE-040", "a stage entered on a value that is not a variable an earlier stage publishes");
        DELIVERY_STACK_PLACEMENT = error("CODEPIPELINE-041", "a stack of the app that a delivery pipeline leaves out, places twice, or delivers before a stack it depends on");
        DELIVERY_ENVIRONMENT_INVALID = error("CODEPIPELINE-042", "a delivery environment without stacks, with a name CodePipeline refuses, or with a stack in another account or region than the pipeline's");
        DELIVERY_STEP_DIRECT = error("CODEPIPELINE-043", "a Kubernetes step of a delivered stack whose cluster has no in-VPC deployer");
        IMPORTED_RESOURCE_ELSEWHERE = error("CODEPIPELINE-044", "an action on an imported project or bucket of another region or account than the pipeline's");
        DELIVERY_STEP_UNSUPPORTED = error("CODEPIPELINE-045", "a Kubernetes step that a delivery pipeline's EKS deploy actions cannot apply as the in-VPC deployer would (a Job to wait for, a kind to wait for, a release that creates its namespace, objects in several namespaces)");
    }
}

/// VPCs, subnets, security groups, flow logs, peering.
pub mod ec2 {
    cirrus_core::codes! {
        FLOW_LOG_ROLE_PATH_UNUSED = error("EC2-001", "a role path for flow logs to S3, which use no role");
        FLOW_LOG_PREFIX_INVALID = error("EC2-002", "a flow log prefix S3 delivery refuses");
        SG_DESCRIPTION_INVALID = error("EC2-003", "a security group description is not 1 to 255 characters");
        SG_ADMIN_PORTS_OPEN = error("EC2-004", "ingress from anywhere to SSH (22) or RDP (3389)", acknowledgeable);
        PEER_INVALID = error("EC2-005", "a security group peer's CIDR block is malformed");
        SG_RULE_WITHOUT_DESCRIPTION = error("EC2-006", "a security group rule without a description");
        VPC_CIDR_INVALID = error("EC2-007", "a VPC's CIDR block is malformed or of a size VPCs cannot have");
        SUBNETS_DO_NOT_FIT = error("EC2-008", "subnet blocks outside the VPC's block, overlapping, or without room");
        GATEWAY_ENDPOINT_WITHOUT_ROUTES = error("EC2-009", "a gateway endpoint in a VPC without private or isolated subnets");
        AZ_COUNT_OUT_OF_RANGE = error("EC2-010", "a VPC's availability zone count outside 1 to 6");
        NO_SUBNET_GROUPS = error("EC2-011", "a VPC without subnet groups");
        SUBNET_GROUP_NAME_INVALID = error("EC2-012", "a subnet group name that is not letters and digits starting with a letter");
        SUBNET_GROUP_DUPLICATE = error("EC2-013", "two subnet groups with the same name");
        PUBLIC_IP_ON_PRIVATE_SUBNETS = error("EC2-014", "public IP addresses on launch in a subnet group that is not public");
        NAT_MORE_THAN_ZONES = error("EC2-015", "more NAT gateways than availability zones");
        NAT_WITHOUT_EGRESS_GROUP = error("EC2-016", "NAT gateways without a private subnet group with egress");
        EGRESS_WITHOUT_NAT = error("EC2-017", "a private subnet group with egress but no NAT gateway");
        NAT_WITHOUT_PUBLIC_SUBNET = error("EC2-018", "NAT gateways in a VPC without public subnets");
        PEERING_WITH_ITSELF = error("EC2-019", "a VPC peered with itself");
        PEERING_ROUTES_WITHOUT_SUBNETS = error("EC2-020", "peering routes for subnet kinds the VPC does not have");
        PEERING_BLOCKS_OVERLAP = error("EC2-021", "the CIDR blocks of peered VPCs overlap");
        SG_TEXT_CHARACTERS = error("EC2-022", "a security group or rule description with a character EC2 refuses");
        SG_TOO_MANY_RULES = error("EC2-023", "a security group with more rules in one direction and address family than the default quota (60)");
    }
}

/// ECR repositories.
pub mod ecr {
    cirrus_core::codes! {
        REPOSITORY_NAME_INVALID = error("ECR-001", "a repository name breaks ECR's rules");
        LIFECYCLE_INVALID = error("ECR-002", "a lifecycle rule ECR would refuse");
        EMPTY_ON_DELETE_RETAINED = error("ECR-003", "empty_on_delete on a repository that is retained");
        PUBLIC_POLICY = error("ECR-004", "the repository policy lets anyone use the repository", acknowledgeable);
    }
}

/// EFS file systems.
pub mod efs {
    cirrus_core::codes! {
        NO_MOUNT_TARGETS = error("EFS-001", "a file system whose VPC has no subnets of the chosen type, so nothing could mount it");
        THROUGHPUT_INVALID = error("EFS-002", "a provisioned throughput that is not a positive number of MiB/s");
        TRANSITION_INVALID = error("EFS-003", "a lifecycle transition after a number of days EFS does not offer");
        MAX_IO_WITH_ELASTIC = error("EFS-004", "the Max I/O performance mode with elastic throughput, which EFS refuses");
    }
}

/// EKS clusters, node groups, add-ons, access entries, pod identities.
pub mod eks {
    cirrus_core::codes! {
        ACCESS_PRINCIPAL_INVALID = error("EKS-001", "an access entry's principal is not an IAM role or user ARN");
        ACCESS_POLICY_UNKNOWN = error("EKS-002", "an access entry names an unknown EKS access policy");
        ACCESS_SCOPE_EMPTY = error("EKS-003", "a namespace access scope without namespaces");
        KUBERNETES_NAME_INVALID = error("EKS-004", "a namespace, service account, label or taint breaks Kubernetes' rules");
        POD_IDENTITY_DUPLICATE = error("EKS-005", "a service account with two pod identity associations");
        ROLE_ARN_INVALID = error("EKS-006", "a pod identity or add-on role is not an IAM role ARN");
        ADDON_NAME_INVALID = error("EKS-007", "an add-on name breaks EKS's rules");
        ADDON_CONFIGURATION_EMPTY = error("EKS-008", "an add-on's configuration values are empty");
        ADDON_DUPLICATE = error("EKS-009", "an add-on is added twice");
        ADDON_CANNOT_WAIT = warning("EKS-010", "an add-on in another stack cannot wait for a node group");
        CLUSTER_NAME_INVALID = error("EKS-011", "a cluster name breaks EKS's rules");
        KUBERNETES_VERSION_INVALID = error("EKS-012", "a Kubernetes version is not 1.NN");
        CLUSTER_SUBNETS_INSUFFICIENT = error("EKS-013", "a cluster without subnets in two availability zones");
        PUBLIC_ENDPOINT_WITHOUT_CIDRS = error("EKS-014", "a public endpoint without the CIDR blocks allowed to reach it");
        API_ACCESS_TOO_WIDE = error("EKS-015", "API access that opens the private endpoint to anywhere");
        API_ACCESS_WITHOUT_DESCRIPTION = error("EKS-016", "API access without a description");
        AUTOSCALER_NEEDS_CLUSTER_NAME = error("EKS-017", "the cluster autoscaler's permissions need a literal cluster name");
        NODEGROUP_SUBNETS_MISSING = error("EKS-018", "a node group without subnet types, or of types the VPC does not have");
        NODEGROUP_NAME_INVALID = error("EKS-019", "a node group name breaks EKS's rules");
        SCALING_INVALID = error("EKS-020", "node group sizes that do not satisfy 0 < max and min <= desired <= max");
        INSTANCE_TYPES_EMPTY = error("EKS-021", "a node group without instance types");
        INSTANCE_TYPE_UNKNOWN = error("EKS-022", "an instance type EC2 does not know");
        INSTANCE_ARCHITECTURE_MISMATCH = error("EKS-023", "an instance type of another architecture than the AMI type");
        TOO_MANY_TAINTS = error("EKS-024", "a node group with more than 50 taints");
        DISK_SIZE_OUT_OF_RANGE = error("EKS-025", "a node disk size outside 1 to 16384 GiB");
        UPDATE_LIMIT_OUT_OF_RANGE = error("EKS-026", "a node group update limit outside 1 to 100");
        HOP_LIMIT_OUT_OF_RANGE = error("EKS-027", "an instance metadata hop limit outside 1 to 64");
        ACCESS_ENTRY_PRINCIPAL_CONFLICT = error("EKS-028", "an access entry id given to two principals, or two entries for one principal");
        ACCESS_POLICY_SCOPE_CONFLICT = error("EKS-029", "an access policy associated twice with different scopes");
        TOO_MANY_ACCESS_POLICIES = error("EKS-030", "an access entry with more policies than EKS allows");
        DEPLOYER_SUBNETS_MISSING = error("EKS-031", "an in-VPC Kubernetes deployer in a VPC without private subnets with egress");
        NODES_ABOVE_DEFAULT_QUOTA = warning("EKS-032", "a node group needs more On-Demand Standard vCPUs than the EC2 quota's default");
        KUBERNETES_VERSION_UNSUPPORTED = error("EKS-033", "a Kubernetes version EKS no longer supports");
        KUBERNETES_VERSION_NEWER = error("EKS-034", "a Kubernetes version newer than EKS's release calendar as this library knows it", acknowledgeable);
        KUBERNETES_VERSION_EXTENDED_SUPPORT = warning("EKS-035", "a Kubernetes version in EKS extended support only, billed extra");
    }
}

/// Kubernetes objects and Helm releases on EKS clusters: the checks at synthesis.
pub mod k8s {
    cirrus_core::codes! {
        MALFORMED_OBJECT = error("K8S-001", "a workload object that does not read as its Kubernetes type");
        UNDECLARED_NAMESPACE = error("K8S-002", "an object in a namespace that nothing of the app declares", acknowledgeable);
        DUPLICATE_OBJECT = error("K8S-003", "two objects with the same group, kind, namespace and name");
        MISSING_CRD = error("K8S-004", "an object of a custom kind whose CRD neither the app nor a chart of it installs", acknowledgeable);
        CUSTOM_KIND_SCOPE = error("K8S-005", "a custom object whose namespace does not match its CRD's scope");
        UNDECLARED_SERVICE_ACCOUNT = error("K8S-006", "a pod runs as a service account that nothing of the app declares", acknowledgeable);
        IMAGE_TAG = error("K8S-007", "an image without a tag, or tagged latest", acknowledgeable);
        RESOURCE_LIMITS = error("K8S-008", "a container without CPU and memory requests and limits", acknowledgeable);
        READINESS_PROBE = error("K8S-009", "a long-running workload's container without a readiness probe", acknowledgeable);
        PRIVILEGED = error("K8S-010", "a privileged container", acknowledgeable);
        PRIVILEGE_ESCALATION = error("K8S-011", "a container that may gain privileges (allowPrivilegeEscalation not false)", acknowledgeable);
        HOST_PATH = error("K8S-012", "a pod with a hostPath volume", acknowledgeable);
        HOST_NAMESPACES = error("K8S-013", "a pod in the host's network, PID or IPC namespace", acknowledgeable);
        RUN_AS_NON_ROOT = error("K8S-014", "a container that may run as root", acknowledgeable);
        READ_ONLY_ROOT_FILESYSTEM = error("K8S-015", "a container whose root filesystem is writable", acknowledgeable);
        LOAD_BALANCER_INTERNAL = error("K8S-016", "a LoadBalancer Service that is not internal on a cluster that requires internal load balancers", acknowledgeable);
        LOAD_BALANCER_TLS = error("K8S-017", "a LoadBalancer Service without a TLS certificate on a cluster that requires TLS", acknowledgeable);
        OBJECT_INVALID = error("K8S-018", "an object of a manifest is not a valid Kubernetes object (apiVersion, kind, name)");
        MANIFEST_EMPTY = error("K8S-019", "a manifest without objects");
        HELM_CHART_INVALID = error("K8S-020", "a Helm chart that is not pinned to an exact version from an https:// or oci:// repository, or whose release settings are invalid");
        POD_IDENTITY_AGENT_MISSING = error("K8S-021", "service accounts bound through Pod Identity on a cluster without the eks-pod-identity-agent add-on");
        PIPELINE_VALUES_INVALID = error("K8S-022", "a pipeline manifest's values that are misnamed, given twice, unused or ambiguous, or a runner token in it");
        PIPELINE_MANIFEST_UNAPPLIED = warning("K8S-023", "a pipeline manifest that no pipeline applies");
        UNREADABLE_VOLUME = error("K8S-024", "a non-root container that mounts a Secret or ConfigMap volume only root may read, without the pod's fsGroup");
    }
}

/// Application load balancers, listeners, target groups.
pub mod elb {
    cirrus_core::codes! {
        LISTENER_ARN_INVALID = error("ELB-001", "an imported listener ARN is malformed");
        PORT_OUT_OF_RANGE = error("ELB-002", "a listener or target group port outside 1 to 65535");
        TLS_POLICY_OUTDATED = error("ELB-003", "an HTTPS listener's SSL policy accepts TLS versions before 1.2", acknowledgeable);
        HTTPS_WITHOUT_CERTIFICATE = error("ELB-004", "an HTTPS listener without a certificate");
        FORWARD_TARGET_COUNT = error("ELB-005", "a forward action without 1 to 5 target groups");
        FORWARD_WEIGHTS_INVALID = error("ELB-006", "forward weights all 0, or above 999");
        FORWARD_TARGET_DUPLICATE = error("ELB-007", "a target group listed twice in a forward action");
        IMPORTED_TARGET_PORTS_UNKNOWN = warning("ELB-008", "the ports of an imported target group are unknown, so no egress is opened towards it");
        FIXED_RESPONSE_INVALID = error("ELB-009", "a fixed response with an invalid status or too long a body");
        REDIRECT_INVALID = error("ELB-010", "a redirect with an invalid path or protocol");
        LOAD_BALANCER_NAME_INVALID = error("ELB-011", "a load balancer name breaks ELB's rules");
        IDLE_TIMEOUT_OUT_OF_RANGE = error("ELB-012", "an idle timeout outside 1 to 4000 seconds");
        ACCESS_LOG_PREFIX_INVALID = error("ELB-013", "an access log prefix ELB refuses");
        ACCESS_LOG_BUCKET_KMS = error("ELB-014", "access logs go to a bucket encrypted with KMS");
        ACCESS_LOGS_REGION_UNKNOWN = warning("ELB-015", "access logs of a load balancer in a stack without a region");
        INTERNET_FACING_IN_PRIVATE_SUBNETS = error("ELB-016", "an internet-facing load balancer in subnets the internet cannot reach");
        SUBNETS_INSUFFICIENT = error("ELB-017", "a load balancer without subnets in two availability zones");
        TARGET_GROUP_NAME_INVALID = error("ELB-018", "a target group name breaks ELB's rules");
        DEREGISTRATION_DELAY_OUT_OF_RANGE = error("ELB-019", "a deregistration delay outside 0 to 3600 seconds");
        SLOW_START_OUT_OF_RANGE = error("ELB-020", "a slow start outside 30 to 900 seconds");
        STICKINESS_OUT_OF_RANGE = error("ELB-021", "a stickiness duration outside 1 second to 7 days");
        TARGET_GROUP_ARN_INVALID = error("ELB-022", "an imported target group ARN is malformed");
        HEALTH_CHECK_PATH_INVALID = error("ELB-023", "a health check path that does not start with '/' or is too long");
        HEALTH_CHECK_INTERVAL_OUT_OF_RANGE = error("ELB-024", "a health check interval outside 5 to 300 seconds");
        HEALTH_CHECK_TIMEOUT_INVALID = error("ELB-025", "a health check timeout outside 2 to 120 seconds or not shorter than the interval");
        HEALTH_CHECK_THRESHOLD_OUT_OF_RANGE = error("ELB-026", "a healthy or unhealthy threshold outside 2 to 10");
        HEALTHY_CODES_INVALID = error("ELB-027", "healthy codes that are not codes, ranges or lists ELB accepts");
        TOO_MANY_LISTENERS = warning("ELB-028", "a load balancer with more listeners than the default quota (50)");
        TOO_MANY_CERTIFICATES = warning("ELB-029", "a load balancer with more certificates, default ones aside, than the default quota (25)");
        TOO_MANY_TARGET_GROUPS = error("ELB-030", "a load balancer whose listeners forward to more than 100 target groups");
        TOO_MANY_RULES = warning("ELB-031", "a load balancer with more listener rules, default ones aside, than the default quota (100)");
        RULE_CONDITIONS_OVER_QUOTA = error("ELB-032", "a listener rule with more than 5 condition values or 5 wildcards");
        RULE_PRIORITY_INVALID = error("ELB-033", "a listener rule priority outside 1 to 50000, or shared by two rules of a listener");
    }
}

/// EMR clusters and security configurations.
pub mod emr {
    cirrus_core::codes! {
        PUBLIC_SUBNETS = error("EMR-001", "an EMR cluster in public subnets");
        SUBNETS_MISSING = error("EMR-002", "the VPC has no subnets of the kind the cluster is placed in");
        LOG_PREFIX_INVALID = error("EMR-003", "a log prefix that does not end with '/' or starts with one");
        CLUSTER_ID_INVALID = error("EMR-004", "an imported cluster id is malformed");
        RELEASE_UNSUPPORTED = error("EMR-005", "a release label this library does not support");
        CLUSTER_NAME_INVALID = error("EMR-006", "a cluster name breaks EMR's rules");
        NO_APPLICATIONS = error("EMR-007", "a cluster that installs no applications");
        APPLICATION_DUPLICATE = error("EMR-008", "an application listed twice");
        INSTANCES_INVALID = error("EMR-009", "instance groups EMR would refuse");
        MANAGED_SCALING_INVALID = error("EMR-010", "managed scaling limits EMR would refuse");
        ROOT_VOLUME_OUT_OF_RANGE = error("EMR-011", "a root volume outside 15 to 100 GiB");
        CONFIGURATION_CLASSIFICATION_EMPTY = error("EMR-012", "a configuration without a classification");
        CONFIGURATION_DUPLICATE = error("EMR-013", "a configuration classification listed twice");
        CERTIFICATE_OBJECT_INVALID = error("EMR-014", "in-transit encryption certificates not in a zip object");
        INSTANCE_TYPE_UNKNOWN = error("EMR-015", "an instance type EC2 does not know");
    }
}

/// EventBridge rules.
pub mod events {
    cirrus_core::codes! {
        PATTERN_INVALID = error("EVENTS-001", "an event pattern EventBridge would refuse");
        SCHEDULE_INVALID = error("EVENTS-002", "a schedule expression EventBridge would refuse");
        SCHEDULE_ON_CUSTOM_BUS = error("EVENTS-003", "a scheduled rule on a custom event bus");
        TOO_MANY_TARGETS = error("EVENTS-004", "a rule with more than 5 targets");
        RULE_ARN_NOT_LITERAL = error("EVENTS-005", "an imported rule ARN that is not a literal");
        RULE_ARN_INVALID = error("EVENTS-006", "an imported rule ARN is malformed");
        RULE_NAME_INVALID = error("EVENTS-007", "a rule name breaks EventBridge's rules");
    }
}

/// Kinesis Data Firehose delivery streams.
pub mod firehose {
    cirrus_core::codes! {
        STREAM_ARN_INVALID = error("FIREHOSE-001", "an imported delivery stream ARN is malformed");
        STREAM_NAME_INVALID = error("FIREHOSE-002", "a delivery stream name breaks Firehose's rules");
        BUFFERING_OUT_OF_RANGE = error("FIREHOSE-003", "a buffering interval or size outside Firehose's range");
        PREFIX_INVALID = error("FIREHOSE-004", "a data or error prefix Firehose refuses");
        ERROR_PREFIX_EMPTY = error("FIREHOSE-005", "an empty error output prefix");
        ERROR_PREFIX_UNDER_DATA = error("FIREHOSE-006", "an error output prefix under the data prefix");
    }
}

/// IAM roles and policies.
pub mod iam {
    cirrus_core::codes! {
        STATEMENT_WITHOUT_ACTIONS = error("IAM-001", "a policy statement without actions, or with both actions and not-actions");
        ACTION_MALFORMED = error("IAM-002", "an action that is not of the form service:Action");
        PRINCIPAL_IN_IDENTITY_POLICY = error("IAM-003", "a statement of an identity policy that names principals");
        STATEMENT_WITHOUT_RESOURCES = error("IAM-004", "a statement of an identity policy without resources");
        ADMIN_STATEMENT = error("IAM-005", "a statement that allows every action on every resource", acknowledgeable);
        STATEMENT_WITHOUT_PRINCIPAL = error("IAM-006", "a statement of a resource or trust policy without a principal");
        DOCUMENT_EMPTY = error("IAM-007", "a policy document without statements");
        POLICY_WITHOUT_ROLES = error("IAM-008", "a policy attached to no role");
        ROLE_PATH_INVALID = error("IAM-009", "a role path that does not start and end with '/'");
        MAX_SESSION_OUT_OF_RANGE = error("IAM-010", "a maximum session duration outside 1 to 12 hours");
        ROLE_ARN_INVALID = error("IAM-011", "an imported role ARN is malformed");
        ROLE_ARN_NOT_LITERAL = error("IAM-012", "an imported role ARN that is not a literal");
        DEPLOY_TYPE_UNKNOWN = error("IAM-013", "a deployed resource type whose handler permissions the library does not know");
        DEPLOY_ROLE_TOO_LARGE = error("IAM-014", "a derived deployment role that needs more managed policies than a role takes");
        INLINE_POLICIES_TOO_LARGE = error("IAM-015", "a role's inline policies together over IAM's 10,240 characters");
        TRUST_POLICY_TOO_LARGE = error("IAM-016", "a role's trust policy over IAM's default 2,048 characters", acknowledgeable);
        MANAGED_POLICY_TOO_LARGE = error("IAM-017", "a managed policy over IAM's 6,144 characters");
        DEFAULT_ROLE_PATH_LATE = error("IAM-018", "a stack's default role path set after roles of the stack were made");
    }
}

/// KMS keys.
pub mod kms {
    cirrus_core::codes! {
        PENDING_WINDOW_OUT_OF_RANGE = error("KMS-001", "a deletion window outside 7 to 30 days");
        ALIAS_INVALID = error("KMS-002", "an alias that starts with alias/ or aws");
        KEY_ARN_INVALID = error("KMS-003", "an imported key ARN is malformed");
    }
}

/// CloudWatch Logs.
pub mod logs {
    cirrus_core::codes! {
        FILTER_PATTERN_TOO_LONG = error("LOGS-001", "a subscription filter pattern longer than 1024 characters");
        FILTER_NAME_INVALID = error("LOGS-002", "a subscription filter name breaks CloudWatch Logs' rules");
    }
}

/// Redshift clusters.
pub mod redshift {
    cirrus_core::codes! {
        PUBLIC_SUBNETS = error("REDSHIFT-001", "a Redshift cluster in public subnets");
        SUBNETS_MISSING = error("REDSHIFT-002", "the VPC has no subnets of the kind the cluster is placed in");
        AUDIT_LOG_BUCKET_KMS = error("REDSHIFT-003", "audit logs go to a bucket encrypted with a customer managed key");
        AUDIT_LOG_PREFIX_INVALID = error("REDSHIFT-004", "an audit log prefix Redshift refuses");
        MASTER_USERNAME_INVALID = error("REDSHIFT-005", "a master user name breaks Redshift's rules");
        DATABASE_NAME_INVALID = error("REDSHIFT-006", "a database name breaks Redshift's rules");
        CLUSTER_IDENTIFIER_INVALID = error("REDSHIFT-007", "a cluster identifier breaks Redshift's rules");
        NODE_TYPE_UNKNOWN = error("REDSHIFT-008", "an unknown node type");
        PORT_INVALID = error("REDSHIFT-009", "a port Redshift does not listen on for the node type");
        SNAPSHOT_RETENTION_OUT_OF_RANGE = error("REDSHIFT-010", "automated snapshot retention outside 1 to 35 days");
        PARAMETER_FIXED = error("REDSHIFT-011", "a parameter set against the value the construct requires");
        TOO_MANY_PARAMETERS = error("REDSHIFT-012", "more parameters than a parameter group holds");
    }
}

/// Route 53 zones, records, health checks.
pub mod route53 {
    cirrus_core::codes! {
        FAILURE_THRESHOLD_OUT_OF_RANGE = error("ROUTE53-001", "a health check failure threshold outside 1 to 10");
        HEALTH_CHECK_PATH_INVALID = error("ROUTE53-002", "a health check path Route 53 refuses");
        ZONE_NAME_INVALID = error("ROUTE53-003", "a hosted zone name is not a valid domain name");
        ZONE_COMMENT_TOO_LONG = error("ROUTE53-004", "a hosted zone comment longer than 256 characters");
        ZONE_ID_INVALID = error("ROUTE53-005", "an imported hosted zone id is malformed");
        RECORD_NOT_IN_ZONE = error("ROUTE53-006", "a record name outside its zone");
        RECORD_NAME_INVALID = error("ROUTE53-007", "a record name is not a valid domain name");
        ALIAS_WITH_TTL = error("ROUTE53-008", "an alias record with a TTL");
        TTL_OUT_OF_RANGE = error("ROUTE53-009", "a TTL larger than Route 53 allows");
        RECORD_VALUE_INVALID = error("ROUTE53-010", "a record value that is not of the record's type");
        CNAME_AT_APEX = error("ROUTE53-011", "a CNAME record at the zone apex");
        RECORD_WITHOUT_VALUES = error("ROUTE53-012", "a record set without values");
        SET_IDENTIFIER_INVALID = error("ROUTE53-013", "a set identifier outside 1 to 128 characters");
        FAILOVER_WITHOUT_HEALTH_CHECK = error("ROUTE53-014", "a primary failover record without a health check");
        REGION_INVALID = error("ROUTE53-015", "a latency record's region is not shaped like an AWS region name");
        GEOLOCATION_INVALID = error("ROUTE53-016", "a geolocation with unknown or contradictory codes");
        REGION_UNKNOWN = error("ROUTE53-017", "a latency record's region is shaped like a region name but is in no partition of the region table", acknowledgeable);
    }
}

/// S3 buckets.
pub mod s3 {
    cirrus_core::codes! {
        BUCKET_NAME_INVALID = error("S3-001", "a bucket name breaks S3's naming rules");
        LIFECYCLE_INVALID = error("S3-002", "a lifecycle rule S3 would refuse");
        ACCESS_LOG_BUCKET_KMS = error("S3-003", "server access logs go to a bucket encrypted with a customer managed key");
    }
}

/// Secrets Manager secrets.
pub mod secrets {
    cirrus_core::codes! {
        ROTATION_OUT_OF_RANGE = error("SECRETS-001", "rotation outside 1 to 1000 days");
        SECRET_ARN_INVALID = error("SECRETS-002", "an imported secret ARN is malformed");
        SECRET_NAME_INVALID = error("SECRETS-003", "a secret name breaks Secrets Manager's rules");
        SECRET_NAME_LOOKS_SUFFIXED = warning("SECRETS-004", "a secret name ending like the random suffix of a secret ARN");
        GENERATED_VALUE_INVALID = error("SECRETS-005", "a generated value of an invalid length or without any kind of character");
        JSON_TEMPLATE_INVALID = error("SECRETS-006", "a JSON template that is not an object, has an empty key, or already holds the generated field");
        JSON_TEMPLATE_HOLDS_SECRET = error("SECRETS-007", "a JSON template field that looks like a secret in plain text", acknowledgeable);
    }
}

/// SSM Parameter Store parameters.
pub mod ssm {
    cirrus_core::codes! {
        PARAMETER_NAME_INVALID = error("SSM-001", "a parameter name breaks Parameter Store's rules");
        PARAMETER_VALUE_INVALID = error("SSM-002", "a parameter value empty or too long for its tier");
        PLAINTEXT_SECRET = error("SSM-003", "a String parameter's value looks like a secret in plain text", acknowledgeable);
    }
}

/// WAFv2 web ACLs.
pub mod waf {
    cirrus_core::codes! {
        CLOUDFRONT_ACL_ON_REGIONAL_RESOURCE = error("WAF-001", "a CloudFront web ACL associated with a regional resource");
        CLOUDFRONT_ACL_NOT_IN_US_EAST_1 = error("WAF-002", "a CloudFront web ACL created outside us-east-1");
        DESCRIPTION_INVALID = error("WAF-003", "a web ACL description outside 1 to 256 characters");
        RULE_GROUP_DUPLICATE = error("WAF-004", "a managed rule group listed twice");
        RATE_LIMIT_INVALID = error("WAF-005", "a rate limit or window WAF refuses");
        WEB_ACL_ARN_INVALID = error("WAF-006", "an imported web ACL ARN is malformed");
        NAME_INVALID = error("WAF-007", "a web ACL or metric name breaks WAF's rules");
    }
}

/// The areas of this crate: the registry module's name and its codes with their constants'
/// names, in the order `docs/diagnostics.md` lists them.
pub const AREAS: &[(&str, &[(&str, cirrus_core::Code)])] = &[
    ("athena", athena::NAMED),
    ("acm", acm::NAMED),
    ("cloudfront", cloudfront::NAMED),
    ("codebuild", codebuild::NAMED),
    ("codecommit", codecommit::NAMED),
    ("codeconnections", codeconnections::NAMED),
    ("codepipeline", codepipeline::NAMED),
    ("ec2", ec2::NAMED),
    ("ecr", ecr::NAMED),
    ("efs", efs::NAMED),
    ("eks", eks::NAMED),
    ("elb", elb::NAMED),
    ("emr", emr::NAMED),
    ("events", events::NAMED),
    ("firehose", firehose::NAMED),
    ("iam", iam::NAMED),
    ("k8s", k8s::NAMED),
    ("kms", kms::NAMED),
    ("logs", logs::NAMED),
    ("redshift", redshift::NAMED),
    ("route53", route53::NAMED),
    ("s3", s3::NAMED),
    ("secrets", secrets::NAMED),
    ("ssm", ssm::NAMED),
    ("waf", waf::NAMED),
];

/// Every code of this crate, area by area.
pub fn all() -> Vec<cirrus_core::Code> {
    AREAS
        .iter()
        .flat_map(|(_, codes)| codes.iter().map(|(_, code)| *code))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_unique_well_formed_and_not_core() {
        let all = super::all();
        let problems = cirrus_core::registry_problems(&all);
        assert!(problems.is_empty(), "{problems:#?}");
        for code in &all {
            assert!(
                !code.id().starts_with("CORE-"),
                "{} belongs to cirrus-core",
                code.id()
            );
        }
    }
}
