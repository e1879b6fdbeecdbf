//! Amazon Athena: workgroups that enforce where and how query results are stored.
//!
//! An existing workgroup is imported by name ([`WorkGroup::from_name`], with where its results
//! go: [`ImportedWorkGroup::with_results`]) and granted like one of this app
//! ([`IWorkGroup::grant_query`]).

mod work_group;

pub use work_group::{
    EngineVersion, IWorkGroup, ImportedWorkGroup, ResultEncryption, WorkGroup, WorkGroupProps,
};
