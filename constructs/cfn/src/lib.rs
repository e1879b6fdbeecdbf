//! CloudFormation resource types (L1): one struct per resource type, typed properties, typed
//! `Fn::GetAtt` accessors.
//!
//! These few types are written by hand, in the shape the generator (`constructs/codegen`) will
//! produce for every type of the supported services; they are replaced by generated code.

pub mod iam;
pub mod registry;
pub mod s3;
