//! Higher-level constructs (L2) with secure defaults: private, encrypted, TLS-only, and grants
//! that add least-privilege statements scoped to resource ARNs.
//!
//! One cargo feature per module (`s3`, `iam`, `eks`, ...), each enabling the L1 services and the
//! other modules it uses; none by default, `full` for all of them.

// A crate-internal helper that another module uses is dead when only some modules are enabled;
// with `full` (how the crate's own tests and clippy build it) dead code is still an error.
#![cfg_attr(not(feature = "full"), allow(dead_code, unused_imports))]

#[cfg(feature = "athena")]
pub mod athena;
#[cfg(feature = "certificatemanager")]
pub mod certificatemanager;
#[cfg(feature = "cloudfront")]
pub mod cloudfront;
#[cfg(feature = "codebuild")]
pub mod codebuild;
#[cfg(feature = "codecommit")]
pub mod codecommit;
#[cfg(feature = "codeconnections")]
pub mod codeconnections;
#[cfg(feature = "codepipeline")]
pub mod codepipeline;
pub mod codes;
#[cfg(feature = "ec2")]
pub mod ec2;
#[cfg(feature = "ecr")]
pub mod ecr;
#[cfg(feature = "efs")]
pub mod efs;
#[cfg(feature = "eks")]
pub mod eks;
#[cfg(feature = "elbv2")]
pub mod elbv2;
#[cfg(feature = "emr")]
pub mod emr;
#[cfg(feature = "events")]
pub mod events;
mod exemptions;
#[cfg(feature = "firehose")]
pub mod firehose;
#[cfg(feature = "iam")]
pub mod iam;
mod imports;
mod instance_types;
mod keyed;
#[cfg(feature = "kms")]
pub mod kms;
#[cfg(feature = "logs")]
pub mod logs;
pub mod prelude;
#[cfg(feature = "redshift")]
pub mod redshift;
#[cfg(feature = "route53")]
pub mod route53;
#[cfg(feature = "s3")]
pub mod s3;
#[cfg(feature = "secretsmanager")]
pub mod secretsmanager;
#[cfg(feature = "ssm")]
pub mod ssm;
#[cfg(feature = "wafv2")]
pub mod wafv2;
