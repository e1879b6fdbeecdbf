//! `Connection`: an `AWS::CodeConnections::Connection`.

use cirrus_cfn::codeconnections::CfnConnection;
use cirrus_core::{Construct, Expr, Node, ResourceRef};

use crate::codes;
use crate::iam::{Grantable, PolicyStatement};

/// The actions that let a principal use a connection (a pipeline's source action, a CodeBuild
/// project cloning through it). Both service prefixes are granted: connections made before
/// the service was renamed answer to `codestar-connections`, those made since to
/// `codeconnections`.
pub(crate) const USE_ACTIONS: [&str; 2] = [
    "codeconnections:UseConnection",
    "codestar-connections:UseConnection",
];

/// Where the repositories a connection reaches are hosted (the cloud services; self-managed
/// installations need a host, which is not supported here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionProvider {
    /// `github.com`.
    GitHub,
    /// `gitlab.com`.
    GitLab,
    /// `bitbucket.org`.
    Bitbucket,
}

impl ConnectionProvider {
    fn as_str(self) -> &'static str {
        match self {
            ConnectionProvider::GitHub => "GitHub",
            ConnectionProvider::GitLab => "GitLab",
            ConnectionProvider::Bitbucket => "Bitbucket",
        }
    }
}

/// Options of a connection.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct ConnectionProps {
    /// The connection's name (1 to 32 characters, unique in the account). Default: the
    /// construct id.
    pub connection_name: Option<String>,
}

/// What a connection offers to the constructs that use it: implemented by [`Connection`] and by
/// connections imported by ARN.
pub trait IConnection<'a> {
    /// The connection's ARN.
    fn arn(&self) -> Expr<String>;

    /// Lets `grantee` use the connection (`UseConnection` on this connection's ARN only).
    fn grant_use(&self, grantee: &impl Grantable<'a>) {
        grantee.add_to_principal_policy(
            PolicyStatement::allow()
                .actions(USE_ACTIONS)
                .resources([self.arn()]),
        );
    }
}

/// A connection to a repository provider, created pending: complete its handshake once in the
/// console before a pipeline uses it (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct Connection<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnConnection>,
}

impl<'a> Construct<'a> for Connection<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> IConnection<'a> for Connection<'a> {
    fn arn(&self) -> Expr<String> {
        self.resource.attrs().connection_arn()
    }
}

impl<'a> Connection<'a> {
    /// A connection to `provider`.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        provider: ConnectionProvider,
        props: ConnectionProps,
    ) -> Connection<'a> {
        let node = scope.node().add_child(id);
        let name = props.connection_name.unwrap_or_else(|| id.to_owned());
        if !(1..=32).contains(&name.chars().count()) {
            node.error_with_hint(
                codes::codeconnections::CONNECTION_NAME_INVALID,
                format!(
                    "connection name \"{name}\" is {} characters long; CodeConnections allows 1 to 32",
                    name.chars().count()
                ),
                "give a shorter connection_name",
            );
        }
        let resource = node.add(
            "Resource",
            CfnConnection {
                provider_type: Some(provider.as_str().into()),
                ..CfnConnection::new(name)
            },
        );
        Connection { node, resource }
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnConnection> {
        self.resource
    }

    /// An existing connection, by ARN (`arn:aws:codeconnections:<region>:<account>:connection/<id>`,
    /// or the older `codestar-connections`). A literal ARN is checked.
    pub fn from_arn(
        scope: impl Construct<'a>,
        id: &str,
        arn: impl Into<Expr<String>>,
    ) -> ImportedConnection<'a> {
        let node = scope.node().add_child(id);
        let arn = arn.into();
        if let Some(literal) = arn.as_literal()
            && !is_connection_arn(literal)
        {
            node.error_with_hint(
                codes::codeconnections::CONNECTION_ARN_INVALID,
                format!("\"{literal}\" is not the ARN of a connection"),
                "give arn:<partition>:codeconnections:<region>:<account>:connection/<id>",
            );
        }
        ImportedConnection { node, arn }
    }
}

/// `arn:<partition>:codeconnections|codestar-connections:<region>:<account>:connection/<id>`.
fn is_connection_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && (parts[2] == "codeconnections" || parts[2] == "codestar-connections")
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5]
            .strip_prefix("connection/")
            .is_some_and(|id| !id.is_empty())
}

/// A connection made elsewhere, known by its ARN.
#[derive(Debug, Clone)]
pub struct ImportedConnection<'a> {
    node: Node<'a>,
    arn: Expr<String>,
}

impl<'a> Construct<'a> for ImportedConnection<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> IConnection<'a> for ImportedConnection<'a> {
    fn arn(&self) -> Expr<String> {
        self.arn.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::is_connection_arn;

    #[test]
    fn connection_arns_of_both_prefixes_are_recognised() {
        assert!(is_connection_arn(
            "arn:aws:codeconnections:eu-west-1:123456789012:connection/abc-123"
        ));
        assert!(is_connection_arn(
            "arn:aws:codestar-connections:us-east-1:123456789012:connection/abc"
        ));
        assert!(!is_connection_arn(
            "arn:aws:codeconnections:eu-west-1:123456789012:host/abc"
        ));
        assert!(!is_connection_arn("arn:aws:s3:::bucket"));
    }
}
