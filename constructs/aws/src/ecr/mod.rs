//! ECR: private container image repositories.

mod lifecycle;
mod repository;

pub use lifecycle::LifecycleRule;
pub use repository::{
    IRepository, ImportedRepository, Repository, RepositoryEncryption, RepositoryProps,
    TagMutability,
};
