//! Higher-level constructs (L2) with secure defaults: private, encrypted, TLS-only, and grants
//! that add least-privilege statements scoped to resource ARNs.

pub mod codebuild;
pub mod codecommit;
pub mod codepipeline;
pub mod ec2;
pub mod events;
pub mod iam;
pub mod kms;
pub mod logs;
pub mod s3;
pub mod secretsmanager;
pub mod ssm;
