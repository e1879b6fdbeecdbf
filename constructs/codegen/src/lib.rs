//! The generator of `cirrus-cfn`, the L1 resource types.
//!
//! Two steps, so that generation runs offline and its input is reviewable:
//! - `extract` downloads the pinned `@aws-cdk/aws-service-spec` npm package and writes the
//!   supported services' data to `constructs/spec/` ([`extract`]).
//! - `generate` reads only `constructs/spec/`, applies the [`fixups`], and writes
//!   `constructs/cfn/` plus the cfn-lint sample ([`generate`]).
//!
//! - `permissions` reads the CloudFormation handler schemas and the IAM definitions the test
//!   tooling installs and writes `constructs/spec/permissions.json`, the data deployment roles
//!   are derived from ([`permissions`]).
//! - `tables` reads botocore's data and writes the lists of values the L2 checks against
//!   (`constructs/spec/ec2-instance-types.json`, `constructs/spec/regions.json`), which
//!   `generate` turns into Rust tables ([`tables`]).
//!
//! See `README.md` for how to regenerate and how to bump the spec version.

pub mod docs;
pub mod emit;
mod error;
pub mod extract;
pub mod fixups;
pub mod generate;
pub mod model;
pub mod naming;
pub mod permissions;
pub mod registry;
pub mod sample_hints;
pub mod samples;
pub mod services;
pub mod spec;
pub mod tables;

pub use error::Error;
