//! CodeConnections: connections to GitHub, GitLab and Bitbucket, which a pipeline's
//! [`Action::connection_source`](crate::codepipeline::Action::connection_source) reads from.
//!
//! CloudFormation creates a connection in the `PENDING` state: someone with access to the
//! provider's account completes the handshake once, in the console ("Update pending
//! connection"); until then, a pipeline that uses it fails at its source. A connection made
//! that way elsewhere is imported by ARN ([`Connection::from_arn`]).

mod connection;

pub(crate) use connection::USE_ACTIONS;

pub use connection::{
    Connection, ConnectionProps, ConnectionProvider, IConnection, ImportedConnection,
};
