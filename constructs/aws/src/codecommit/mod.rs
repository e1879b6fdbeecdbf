//! CodeCommit: Git repositories, and the EventBridge rules that react to their branches.
//!
//! In July 2024 AWS closed CodeCommit to new customers: an account that had never used it may
//! be unable to create repositories (existing users are unaffected). Where that is the case, a
//! GitHub or GitLab repository reached through a CodeStar connection is the way to feed a
//! pipeline.

mod repository;

pub(crate) use repository::{SOURCE_ACTIONS, commit_pattern, grant as grant_repository};

pub use repository::{
    IRepository, ImportedRepository, Repository, RepositoryEncryption, RepositoryProps,
    RepositoryRef,
};
