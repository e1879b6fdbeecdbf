//! A stack's default role path: the IAM path of every role made in the stack whose props set
//! none, so that an app that scopes its deployment roles to `role/<app>/*` says the path once
//! per stack instead of on every construct that makes a role.
//!
//! The default is read when a role is made, so it must be set before the stack's first role:
//! setting it later would leave the roles made before it on `/`, which is the kind of silent
//! half-applied setting that an app's deployment role would then refuse at deploy time. It is
//! an error instead (`IAM-018`).

use cirrus_core::{Node, Stack};

use crate::codes;

/// The stack's default, and how many roles without a path of their own the stack has made so
/// far.
#[derive(Debug, Default)]
struct StackRolePath {
    path: Option<String>,
    roles_made: usize,
}

/// Makes `path` (`/app/`) the path of every role made in `stack` from now on whose props set
/// none: [`RoleProps::path`](crate::iam::RoleProps::path) and the `role_path` of the
/// constructs that make roles (pipelines, projects, clusters, flow logs, rules). Call it right
/// after making the stack; a path set on a construct still wins.
pub fn default_role_path(stack: Stack<'_>, path: &str) {
    let node = stack.node();
    let made = node.with_state(|state: &mut StackRolePath| {
        state.path = Some(path.to_owned());
        state.roles_made
    });
    if made > 0 {
        node.error_with_hint(
            codes::iam::DEFAULT_ROLE_PATH_LATE,
            format!(
                "the default role path \"{path}\" is set after {made} role(s) of the stack were made without it"
            ),
            "call iam::default_role_path right after making the stack, before the constructs that make roles",
        );
    }
}

/// The path of a role made at `node`: `explicit` when set, else its stack's default.
pub(crate) fn resolve(node: Node<'_>, explicit: Option<String>) -> Option<String> {
    explicit.or_else(|| {
        node.stack()
            .node()
            .with_state(|state: &mut StackRolePath| state.path.clone())
    })
}

/// The path of a role made at `node` (see [`resolve`]); a role that takes the stack's default
/// is counted, so that a default set after it is reported.
pub(crate) fn for_new_role(node: Node<'_>, explicit: Option<String>) -> Option<String> {
    if explicit.is_none() {
        node.stack()
            .node()
            .with_state(|state: &mut StackRolePath| state.roles_made += 1);
    }
    resolve(node, explicit)
}
