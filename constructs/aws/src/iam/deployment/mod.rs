//! Deployment roles derived from what they deploy.
//!
//! A role CloudFormation deploys stacks with (a pipeline's `DeployRole`) decides what a
//! template pushed to the pipeline can create. Written by hand, such a role is either broad
//! (the AWS CDK's bootstrap roles are administrators) or a long list that drifts from the
//! stacks. Here it is computed at synthesis from the resources of the stacks it deploys:
//! each resource type's handler permissions (the CloudFormation registry schemas), limited
//! to the resources the stacks create by their names, paths and stack-name prefixes, and to
//! the account and region ([`derive`] has the rules). What the handlers list and the role is
//! not given is written in the first policy's `Metadata` (`cirrus:notGranted`), with why.
//!
//! The statements go into customer managed policies of the role's stack (as many as IAM's
//! size limit of 6,144 characters per policy needs, at most ten: IAM's default quota of
//! managed policies per role), so that the role's inline policy keeps its room for grants.
//!
//! What this cannot know: resources the templates name only at deploy time (a name from a
//! parameter matches `*`), and the actions CloudFormation calls outside resource handlers.
//! A role under a path the stacks use may be given any policy by whoever can change the
//! templates, so push access to a pipeline's source is administrative access to what the
//! pipeline deploys, as with any deployment pipeline.

mod data;
mod derive;
mod naming;

use cirrus_core::prelude::*;
use cirrus_core::{NodeKey, ResourceView, Stack, Value};

use super::{ManagedPolicy, ManagedPolicyProps, PolicyDocument, PolicyStatement, Role};
use crate::codes;
use crate::keyed::Keyed;
use derive::{DeployedResources, Statement};

/// IAM's limit on a managed policy's size, in characters without whitespace.
const POLICY_SIZE: usize = 6_144;
/// IAM's default quota of managed policies attached to one role.
const POLICIES_PER_ROLE: usize = 10;

impl<'a> Role<'a> {
    /// Lets CloudFormation, acting with this role, deploy `stacks`: the permissions are
    /// derived from the stacks' resources when the app is synthesized (see the module
    /// documentation), in managed policies of this role's stack under `path`.
    pub fn grant_deploy(&self, stacks: &[Stack<'a>], path: Option<&str>) {
        let stacks: Vec<NodeKey> = stacks.iter().map(|s| s.node().key()).collect();
        let role = self.key();
        let path = path.map(str::to_owned);
        self.node().add_preparation(move |node| {
            let app = node.app();
            let Some(role) = Role::from_key(app, role) else {
                return;
            };
            let own_stack = role.node().stack().stack_name();
            let deployed: Vec<DeployedResources> = stacks
                .iter()
                .filter_map(|key| key.node(app))
                .map(|stack| {
                    let stack_name = stack.stack().stack_name();
                    let mut resources = stack.resources();
                    if stack_name == own_stack {
                        // A role that deploys its own stack (a pipeline that updates itself)
                        // updates the managed policies derived here too, which do not
                        // exist yet: stand one in for them.
                        resources.push(own_policy(role, path.as_deref()));
                    }
                    DeployedResources {
                        stack_name,
                        resources,
                    }
                })
                .collect();
            attach(role, &deployed, path.as_deref());
        });
    }
}

/// What the managed policies derived for `role` look like to the derivation: managed
/// policies of its stack, under `path`, attached to it.
fn own_policy(role: Role<'_>, path: Option<&str>) -> ResourceView {
    let mut properties = indexmap::IndexMap::new();
    if let Some(path) = path {
        properties.insert("Path".to_owned(), Value::String(path.to_owned()));
    }
    ResourceView {
        path: format!("{}/DeployPolicy", role.node().path()),
        cfn_type: "AWS::IAM::ManagedPolicy".to_owned(),
        properties: Value::Object(properties),
        deletion_policy: None,
    }
}

/// Derives the statements and attaches them to `role` in managed policies.
fn attach(role: Role<'_>, stacks: &[DeployedResources], path: Option<&str>) {
    let derived = derive::derive(stacks);
    let node = role.node();
    for cfn_type in &derived.unknown_types {
        node.error(
            codes::iam::DEPLOY_TYPE_UNKNOWN,
            format!(
                "the deployment role cannot be derived for {cfn_type}: the library has no handler permissions for it"
            ),
        );
    }
    let names: Vec<&str> = stacks.iter().map(|s| s.stack_name.as_str()).collect();
    let chunks = chunk(&derived.statements);
    if chunks.len() > POLICIES_PER_ROLE {
        node.error(
            codes::iam::DEPLOY_ROLE_TOO_LARGE,
            format!(
                "deploying {} needs {} managed policies, more than the {POLICIES_PER_ROLE} IAM attaches to a role by default",
                names.join(", "),
                chunks.len()
            ),
        );
        return;
    }
    let count = chunks.len();
    for (index, statements) in chunks.into_iter().enumerate() {
        let document = PolicyDocument::of(statements.iter().map(to_statement));
        let props = ManagedPolicyProps {
            description: Some(format!(
                "lets CloudFormation deploy {} ({} of {count}, derived from the stacks' resources)",
                names.join(" and "),
                index + 1
            )),
            path: path.map(str::to_owned),
            roles: vec![role],
            ..Default::default()
        };
        let policy =
            ManagedPolicy::new(node, &format!("DeployPolicy{}", index + 1), document, props);
        let unconstrained_write = statements
            .iter()
            .any(|s| s.resources == ["*"] && s.actions.iter().any(|a| !derive::reads(a)));
        if unconstrained_write {
            crate::exemptions::exempt(
                policy.l1(),
                "CKV_AWS_111",
                "its statement on * holds only actions that the Service Authorization Reference lists without resource types (creating a key or a distribution), which IAM grants only on *; the other statements name the stacks' resources",
            );
        }
        if index == 0 && !derived.not_granted.is_empty() {
            let listed: Vec<(String, Value)> = derived
                .not_granted
                .iter()
                .map(|(action, why)| (action.clone(), Value::String(why.clone())))
                .collect();
            policy.l1().add_metadata(
                "cirrus:notGranted",
                Value::Object(listed.into_iter().collect()),
            );
        }
    }
}

fn to_statement(statement: &Statement) -> PolicyStatement {
    let resources: Vec<Expr<String>> = statement
        .resources
        .iter()
        .map(|pattern| {
            if pattern.contains("${") {
                fns::sub(pattern, [])
            } else {
                Expr::from(pattern.clone())
            }
        })
        .collect();
    let mut out = PolicyStatement::allow()
        .actions(&statement.actions)
        .resources(resources);
    if let Some(condition) = &statement.condition {
        out.conditions.push(super::PolicyCondition {
            operator: condition.operator.to_owned(),
            key: condition.key.to_owned(),
            values: condition
                .values
                .iter()
                .map(|v| {
                    if v.contains("${") {
                        fns::sub(v, [])
                    } else {
                        Expr::from(v.clone())
                    }
                })
                .collect(),
        });
    }
    out
}

/// A statement's size as IAM counts it (JSON without whitespace), with the pseudo parameters
/// at their longest values.
fn size(statement: &Statement) -> usize {
    let resolve = |s: &String| {
        s.replace("${AWS::Partition}", "aws-iso-b")
            .replace("${AWS::Region}", "ap-southeast-5")
            .replace("${AWS::AccountId}", "123456789012")
    };
    let json = serde_json::json!({
        "Effect": "Allow",
        "Action": statement.actions,
        "Resource": statement.resources.iter().map(resolve).collect::<Vec<_>>(),
        "Condition": statement.condition.as_ref().map(|c| serde_json::json!({
            c.operator: { c.key: c.values.iter().map(resolve).collect::<Vec<_>>() }
        })),
    });
    json.to_string().len()
}

/// The statements in policies that each stay under [`POLICY_SIZE`]; a statement too large
/// on its own is split by actions.
fn chunk(statements: &[Statement]) -> Vec<Vec<Statement>> {
    // The document's own `Version` and `Statement` keys take the rest.
    let budget = POLICY_SIZE - 60;
    let mut pieces: Vec<Statement> = Vec::new();
    for statement in statements {
        if size(statement) <= budget {
            pieces.push(statement.clone());
            continue;
        }
        let mut current = Statement {
            actions: Vec::new(),
            ..statement.clone()
        };
        for action in &statement.actions {
            current.actions.push(action.clone());
            if size(&current) > budget && current.actions.len() > 1 {
                let last = current.actions.pop().unwrap_or_default();
                pieces.push(current.clone());
                current.actions = vec![last];
            }
        }
        pieces.push(current);
    }
    let mut out: Vec<Vec<Statement>> = Vec::new();
    let mut used = 0;
    for piece in pieces {
        let n = size(&piece);
        match out.last_mut() {
            Some(last) if used + n <= budget => last.push(piece),
            _ => {
                out.push(vec![piece]);
                used = 0;
            }
        }
        used += n;
    }
    out
}
