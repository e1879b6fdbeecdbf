//! Higher-level constructs (L2) with secure defaults: private, encrypted, TLS-only, and grants
//! that add least-privilege statements scoped to resource ARNs.

pub mod athena;
pub mod certificatemanager;
pub mod cloudfront;
pub mod codebuild;
pub mod codecommit;
pub mod codepipeline;
pub mod ec2;
pub mod ecr;
pub mod eks;
pub mod elbv2;
pub mod emr;
pub mod events;
pub mod firehose;
pub mod iam;
mod imports;
mod keyed;
pub mod kms;
pub mod logs;
pub mod prelude;
pub mod redshift;
pub mod route53;
pub mod s3;
pub mod secretsmanager;
pub mod ssm;
pub mod wafv2;
