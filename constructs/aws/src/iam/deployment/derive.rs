//! From the resources of the deployed stacks to the statements of the deployment role.
//!
//! For each resource and each handler phase CloudFormation runs for it (create, read,
//! update, and delete unless the resource is retained), each action the handler lists is
//! allowed on:
//! 1. nothing but `*` when IAM knows no resource for it (`ec2:DescribeVpcs`,
//!    `kms:CreateKey`), unless it manages permissions (`logs:PutResourcePolicy`), which is
//!    then not granted;
//! 2. the resource itself, when the action acts on resources of its type
//!    (`s3:PutBucketVersioning` on the bucket, by name or by the stack-name prefix of its
//!    generated name);
//! 3. the deployed resources of the action's resource types otherwise (`iam:PassRole` on the
//!    roles the stacks create, `s3:PutBucketPolicy` of a bucket policy on their buckets);
//! 4. for the types the stacks deploy none of: an action of the resource's own service, in
//!    the account and region (reads anywhere), with the resource's name where the ARN has it
//!    (a bucket's objects: `<bucket>/*`); a listing of another service anywhere; a type
//!    another service's action cannot go without (`ec2:RunInstances` of a node group needs
//!    `instance/*` and `image/*`), in the account and region, when the stacks use that
//!    service. Identity (IAM) and permissions-management actions, and other services' reads
//!    and changes otherwise, are not granted: CloudFormation may change only what the stacks
//!    own, and what a feature of a service the stacks do not use would need (S3 metadata
//!    tables from the bucket's handler, an initial commit read from S3 from a repository's)
//!    stays out. An action that cannot go without a type it is not granted is not granted at
//!    all.
//!
//! Two IAM actions take more care: `iam:CreateServiceLinkedRole` acts on the service-linked
//! role path only, and attaching managed policies to roles is limited (condition
//! `iam:PolicyARN`) to the policies the deployed roles name. `kms:CreateGrant` is allowed only
//! for grants AWS services make on the stacks' behalf (`kms:GrantIsForAWSResource`).

use std::collections::{BTreeMap, BTreeSet};

use cirrus_core::{DeletionPolicy, ResourceView, Value};

use super::data::{Permissions, permissions};
use super::naming::{fill, iam_type_of, literal, own_pattern, own_pattern_and_name};

/// The resources of one deployed stack.
pub(crate) struct DeployedResources {
    /// The CloudFormation stack name.
    pub(crate) stack_name: String,
    pub(crate) resources: Vec<ResourceView>,
}

/// A condition of a derived statement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Condition {
    pub(crate) operator: &'static str,
    pub(crate) key: &'static str,
    pub(crate) values: Vec<String>,
}

/// A derived statement: actions on resource patterns (`Fn::Sub` templates or `*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Statement {
    pub(crate) actions: Vec<String>,
    pub(crate) resources: Vec<String>,
    pub(crate) condition: Option<Condition>,
}

/// What the deployment role may do, and what the handlers list that it may not, with why.
#[derive(Debug, Default)]
pub(crate) struct Derived {
    pub(crate) statements: Vec<Statement>,
    /// Action -> reason, for actions the handlers list that are not granted.
    pub(crate) not_granted: BTreeMap<String, String>,
    /// Resource types with no handler data.
    pub(crate) unknown_types: BTreeSet<String>,
}

const SERVICE_LINKED_ROLES: &str =
    "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/*";

/// Derives the statements for deploying `stacks`.
pub(crate) fn derive(stacks: &[DeployedResources]) -> Derived {
    let data = permissions();
    let mut out = Derived::default();
    // The patterns of every deployed resource, by IAM service and resource type.
    let mut deployed: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    // Hosted zones the stacks write records into (record sets, certificates validated by DNS)
    // without owning them: their record changes are what the stacks contain.
    for stack in stacks {
        for resource in &stack.resources {
            for zone in referenced_zones(resource) {
                deployed
                    .entry(("route53".to_owned(), "hostedzone".to_owned()))
                    .or_default()
                    .insert(format!(
                        "arn:${{AWS::Partition}}:route53:::hostedzone/{zone}"
                    ));
            }
        }
    }
    // Managed policies the deployed roles attach, and the policies the stacks create.
    let mut attached: BTreeSet<String> = BTreeSet::new();
    for stack in stacks {
        for resource in &stack.resources {
            if let Some((service, iam_type, naming)) = iam_type_of(&resource.cfn_type, &data.arns)
                && let Some(format) = data.arns.get(&service).and_then(|m| m.get(&iam_type))
            {
                let pattern = own_pattern(resource, naming, format, &stack.stack_name);
                if resource.cfn_type == "AWS::IAM::ManagedPolicy" {
                    attached.insert(pattern.clone());
                }
                deployed
                    .entry((service, iam_type))
                    .or_default()
                    .insert(pattern);
            }
            if resource.cfn_type == "AWS::IAM::Role" {
                let arns = resource
                    .properties
                    .as_object()
                    .and_then(|p| p.get("ManagedPolicyArns"));
                // A policy named only at deploy time (a parameter, an import) is not
                // attachable: a wildcard here would let a template attach any policy,
                // AdministratorAccess included. Policies the stacks create are attachable by
                // their own patterns, collected above.
                if let Some(Value::Array(list)) = arns {
                    attached.extend(
                        list.iter()
                            .filter_map(|arn| literal(arn, &stack.stack_name)),
                    );
                }
            }
        }
    }

    // Action -> (resource patterns, condition).
    let mut grants: BTreeMap<String, (BTreeSet<String>, Option<Condition>)> = BTreeMap::new();
    // What one resource adds depends only on its type, its own pattern and whether it is
    // retained: resources alike (the many policies and rules of a stack) are derived once.
    let mut derived_alike: BTreeSet<String> = BTreeSet::new();
    for stack in stacks {
        for resource in &stack.resources {
            let Some(phases) = data.types.get(&resource.cfn_type).filter(|p| !p.is_empty()) else {
                out.unknown_types.insert(resource.cfn_type.clone());
                continue;
            };
            let own = iam_type_of(&resource.cfn_type, &data.arns).and_then(
                |(service, iam_type, naming)| {
                    let format = data.arns.get(&service)?.get(&iam_type)?;
                    let (pattern, name) =
                        own_pattern_and_name(resource, naming, format, &stack.stack_name);
                    Some(Own {
                        service,
                        iam_type,
                        pattern,
                        name,
                    })
                },
            );
            let retained = resource.deletion_policy == Some(DeletionPolicy::Retain);
            let alike = format!(
                "{}|{retained}|{:?}",
                resource.cfn_type,
                own.as_ref()
                    .map(|o| (&o.service, &o.iam_type, &o.pattern, &o.name))
            );
            if !derived_alike.insert(alike) {
                continue;
            }
            for (phase, actions) in phases {
                if phase == "delete" && retained {
                    continue;
                }
                for action in actions {
                    grant(
                        data,
                        action,
                        own.as_ref(),
                        &deployed,
                        &attached,
                        &mut grants,
                        &mut out.not_granted,
                    );
                }
            }
        }
    }
    for action in grants.keys() {
        out.not_granted.remove(action);
    }

    // One statement per set of resources and condition.
    let mut grouped: BTreeMap<(Vec<String>, Option<Condition>), Vec<String>> = BTreeMap::new();
    for (action, (resources, condition)) in grants {
        grouped
            .entry((resources.into_iter().collect(), condition))
            .or_default()
            .push(action);
    }
    out.statements = grouped
        .into_iter()
        .map(|((resources, condition), actions)| Statement {
            actions,
            resources,
            condition,
        })
        .collect();
    // `*` first, so that it lands in the first policy.
    out.statements.sort_by(|a, b| {
        (a.resources != ["*"], &a.actions, &a.resources).cmp(&(
            b.resources != ["*"],
            &b.actions,
            &b.resources,
        ))
    });
    out
}

/// A resource's own IAM resource type, its pattern, and the name variable it fills.
struct Own {
    service: String,
    iam_type: String,
    pattern: String,
    name: Option<(&'static str, String)>,
}

/// Adds what `action`, called by the handler of a resource (`own`: its IAM type and
/// pattern), may act on.
fn grant(
    data: &Permissions,
    action: &str,
    own: Option<&Own>,
    deployed: &BTreeMap<(String, String), BTreeSet<String>>,
    attached: &BTreeSet<String>,
    grants: &mut BTreeMap<String, (BTreeSet<String>, Option<Condition>)>,
    not_granted: &mut BTreeMap<String, String>,
) {
    let Some(info) = data.actions.get(action) else {
        return;
    };
    let service = action.split(':').next().unwrap_or_default();
    let mut condition = None;
    let mut patterns: BTreeSet<String> = BTreeSet::new();
    let manages_permissions = info.level.contains("Permissions management");
    if info.resources.is_empty() {
        if manages_permissions {
            not_granted.entry(action.to_owned()).or_insert_with(|| {
                String::from("changes permissions and takes no resource, so it cannot be limited to the stacks' own")
            });
            return;
        }
        patterns.insert(String::from("*"));
    } else if action == "iam:CreateServiceLinkedRole" {
        patterns.insert(SERVICE_LINKED_ROLES.to_owned());
    } else {
        let same_service = own.is_some_and(|o| o.service == service);
        let name = own
            .filter(|_| same_service)
            .and_then(|o| o.name.as_ref())
            .map(|(var, value)| (*var, value.as_str()));
        let mut missing_required = Vec::new();
        // Types of the action not deployed, to fill in the account only when required or
        // when nothing closer was found: (type, pattern).
        let mut fallback: Vec<(&String, String)> = Vec::new();
        for resource_type in &info.resources {
            let key = (service.to_owned(), resource_type.clone());
            let required = info.required.contains(resource_type);
            let format = &data.arns[service][resource_type];
            let fill_pattern = || {
                if info.resources.len() <= 3 {
                    fill(format, name, info.reads())
                } else {
                    // An action on many types (`ec2:CreateTags`): one pattern for the service.
                    service_wide(format, info.reads())
                }
            };
            if let Some(o) = own.filter(|o| o.service == service && o.iam_type == *resource_type) {
                patterns.insert(o.pattern.clone());
            } else if let Some(found) = deployed.get(&key) {
                patterns.extend(found.iter().cloned());
            } else if service == "iam" || manages_permissions {
                // Identities and policies: only what the stacks create.
                if required {
                    missing_required.push(resource_type.as_str());
                }
            } else if same_service
                && name.is_some_and(|(var, _)| format.contains(&format!("${{{var}}}")))
            {
                // What belongs to the resource: a bucket's objects.
                patterns.insert(fill_pattern());
            } else if same_service
                || info.level == "List"
                || (required
                    && deployed.keys().any(|(used, _)| used == service)
                    && (has_account(format) || ACCOUNTLESS.contains(&key_ref(&key))))
            {
                fallback.push((resource_type, fill_pattern()));
            } else if required {
                missing_required.push(resource_type.as_str());
            }
        }
        // Optional types stand in for one another (an object, or an object through an access
        // point): the account-wide ones only when nothing closer was found.
        let nothing_closer = patterns.is_empty();
        for (resource_type, pattern) in fallback {
            if nothing_closer || info.required.contains(resource_type) {
                patterns.insert(pattern);
            }
        }
        if !missing_required.is_empty() {
            not_granted.entry(action.to_owned()).or_insert_with(|| {
                format!(
                    "needs {} of {service}, which the stacks do not create",
                    missing_required.join(", ")
                )
            });
            return;
        }
        if patterns.is_empty() {
            not_granted.entry(action.to_owned()).or_insert_with(|| {
                format!(
                    "acts on {} of {service}, of which the stacks create none",
                    info.resources.join(", ")
                )
            });
            return;
        }
    }
    match action {
        "iam:AttachRolePolicy" | "iam:DetachRolePolicy" => {
            if attached.is_empty() {
                not_granted
                    .entry(action.to_owned())
                    .or_insert_with(|| String::from("the deployed roles attach no managed policy"));
                return;
            }
            condition = Some(Condition {
                operator: "ArnLike",
                key: "iam:PolicyARN",
                values: attached.iter().cloned().collect(),
            });
        }
        "kms:CreateGrant" => {
            condition = Some(Condition {
                operator: "Bool",
                key: "kms:GrantIsForAWSResource",
                values: vec![String::from("true")],
            });
        }
        _ => {}
    }
    let entry = grants
        .entry(action.to_owned())
        .or_insert_with(|| (BTreeSet::new(), condition.clone()));
    entry.0.extend(patterns);
    if entry.0.contains("*") {
        entry.0.retain(|p| p == "*");
    }
}

/// Whether `action` only reads (List or Read access level).
pub(crate) fn reads(action: &str) -> bool {
    permissions()
        .actions
        .get(action)
        .is_some_and(super::data::ActionInfo::reads)
}

/// Resource types without an account in their ARN that a call of another service's handler
/// may involve: launching from an image (a node group checks its launch template with
/// `ec2:RunInstances`). Buckets and objects, which also have no account, are never granted
/// beyond the stacks' own.
const ACCOUNTLESS: &[(&str, &str)] = &[("ec2", "image")];

fn key_ref(key: &(String, String)) -> (&str, &str) {
    (key.0.as_str(), key.1.as_str())
}

/// Whether an ARN format names an account (`arn:${Partition}:ec2:${Region}:${Account}:...`).
fn has_account(format: &str) -> bool {
    format.split(':').nth(4).is_some_and(|a| !a.is_empty())
}

/// Every resource of the service of `format` in the account and region (anywhere when
/// `anywhere`): `arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:*`.
fn service_wide(format: &str, anywhere: bool) -> String {
    let head: Vec<&str> = format.splitn(6, ':').take(5).collect();
    let filled = fill(&head.join(":"), None, anywhere);
    format!("{filled}:*")
}

/// The literal ids of the hosted zones `resource` writes records into: a record set's
/// `HostedZoneId`, a certificate's `DomainValidationOptions[].HostedZoneId`.
fn referenced_zones(resource: &ResourceView) -> Vec<String> {
    let props = resource.properties.as_object();
    let literal = |v: Option<&Value>| match v {
        Some(Value::String(id)) => Some(id.trim_start_matches("/hostedzone/").to_owned()),
        _ => None,
    };
    match resource.cfn_type.as_str() {
        "AWS::Route53::RecordSet" => literal(props.and_then(|p| p.get("HostedZoneId")))
            .into_iter()
            .collect(),
        "AWS::CertificateManager::Certificate" => {
            match props.and_then(|p| p.get("DomainValidationOptions")) {
                Some(Value::Array(options)) => options
                    .iter()
                    .filter_map(|o| literal(o.as_object().and_then(|o| o.get("HostedZoneId"))))
                    .collect(),
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}
