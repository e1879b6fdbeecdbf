//! Small pieces the stacks share: the stack frame (region, description, tags), roles under the
//! app's path, and the people who operate the app.

use cirrus_aws::iam::{PolicyCondition, Principal, Role, RoleProps};
use cirrus_cfn::iam::CfnRole;
use cirrus_core::prelude::*;

use super::config::{APP, OPERATOR_PRINCIPAL_ARN, ROLE_PATH};

/// A stack of the app in `region`, tagged `app=ecommerce` (and `environment=<environment>`),
/// protected from deletion: each of them holds the shop's data or takes the shop offline.
pub fn stack<'a>(
    app: &'a App,
    id: &str,
    region: &str,
    environment: Option<&str>,
    description: &str,
) -> Stack<'a> {
    let stack = app.stack(
        id,
        StackProps {
            env: Env::region(region),
            description: Some(format!("{APP}: {description}")),
            termination_protection: true,
            ..Default::default()
        },
    );
    Tags::of(&stack).add("app", APP);
    if let Some(environment) = environment {
        Tags::of(&stack).add("environment", environment);
    }
    stack
}

/// A role under the app's path that `service` of this account may assume.
pub fn service_role<'a>(
    scope: impl Construct<'a>,
    id: &str,
    service: &str,
    description: &str,
) -> Role<'a> {
    Role::new(
        scope,
        id,
        Principal::service(service),
        RoleProps {
            description: Some(description.into()),
            path: Some(ROLE_PATH.into()),
            trust_conditions: vec![PolicyCondition::new(
                "StringEquals",
                "aws:SourceAccount",
                pseudo::account_id(),
            )],
            ..Default::default()
        },
    )
}

/// A role that pods assume through EKS Pod Identity (the association names the service
/// account).
pub fn pod_role<'a>(scope: impl Construct<'a>, id: &str, description: &str) -> Role<'a> {
    Role::new(
        scope,
        id,
        Principal::service("pods.eks.amazonaws.com"),
        RoleProps {
            description: Some(description.into()),
            path: Some(ROLE_PATH.into()),
            ..Default::default()
        },
    )
}

/// A role the app's operators assume: the configured principal, or the account (any identity
/// whose own IAM policies allow assuming it).
pub fn operator_role<'a>(scope: impl Construct<'a>, id: &str, description: &str) -> Role<'a> {
    let operators = match OPERATOR_PRINCIPAL_ARN {
        Some(arn) => Principal::Arn(arn.into()),
        None => Principal::this_account(),
    };
    Role::new(
        scope,
        id,
        operators,
        RoleProps {
            description: Some(description.into()),
            path: Some(ROLE_PATH.into()),
            ..Default::default()
        },
    )
}

/// Puts every role below `scope` that has no path yet under the app's path, except the roles
/// below the `keep` nodes. The constructs create roles of their own (the cluster's, the nodes',
/// the flow logs', Firehose's); this way a deployment role scoped to `role/ecommerce/*` covers
/// them all.
pub fn put_roles_under_app_path(scope: Node<'_>, keep: &[Node<'_>]) {
    if keep.contains(&scope) {
        return;
    }
    if let Some(role) = ResourceRef::<CfnRole>::from_node(scope)
        && role.props().is_some_and(|r| r.path.is_none())
    {
        role.update(|r| r.path = Some(ROLE_PATH.into()));
    }
    for child in scope.children() {
        put_roles_under_app_path(child, keep);
    }
}
