//! What an app definition needs in one import: `use cirrus_aws::prelude::*;`.
//!
//! It brings in the core prelude (`App`, `Stack`, `StackProps`, `Expr`, `Arn`, `fns`, ...)
//! and every trait of the constructs anonymously (`as _`), so that accessors and grants
//! (`bucket.name()`, `repo.grant_pull(&role)`, `project.arn()`) work on owned and imported
//! resources alike without naming a trait, and two traits of the same name (the `IRepository`
//! of CodeCommit and of ECR) never clash. Construct types themselves are imported from their
//! modules (`cirrus_aws::s3::Bucket`), where their names say which service they belong to.

pub use cirrus_core::prelude::*;

#[cfg(feature = "athena")]
pub use crate::athena::IWorkGroup as _;
#[cfg(feature = "certificatemanager")]
pub use crate::certificatemanager::ICertificate as _;
#[cfg(feature = "cloudfront")]
pub use crate::cloudfront::IDistribution as _;
#[cfg(feature = "codebuild")]
pub use crate::codebuild::IProject as _;
#[cfg(feature = "codecommit")]
pub use crate::codecommit::IRepository as _;
#[cfg(feature = "codeconnections")]
pub use crate::codeconnections::IConnection as _;
#[cfg(feature = "codepipeline")]
pub use crate::codepipeline::IPipeline as _;
#[cfg(feature = "ec2")]
pub use crate::ec2::{ISecurityGroup as _, IVpc as _};
#[cfg(feature = "ecr")]
pub use crate::ecr::IRepository as _;
#[cfg(feature = "eks")]
pub use crate::eks::ICluster as _;
#[cfg(feature = "elbv2")]
pub use crate::elbv2::{IListener as _, ILoadBalancer as _, ITargetGroup as _};
#[cfg(feature = "emr")]
pub use crate::emr::ICluster as _;
#[cfg(feature = "events")]
pub use crate::events::IRule as _;
#[cfg(feature = "firehose")]
pub use crate::firehose::IDeliveryStream as _;
#[cfg(feature = "iam")]
pub use crate::iam::{Grantable as _, IManagedPolicy as _};
#[cfg(feature = "kms")]
pub use crate::kms::IKey as _;
#[cfg(feature = "route53")]
pub use crate::route53::IHostedZone as _;
#[cfg(feature = "s3")]
pub use crate::s3::IBucket as _;
#[cfg(feature = "secretsmanager")]
pub use crate::secretsmanager::ISecret as _;
#[cfg(feature = "ssm")]
pub use crate::ssm::IParameter as _;
#[cfg(feature = "wafv2")]
pub use crate::wafv2::IWebAcl as _;

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every public trait of the crate is in the prelude, so that no accessor or grant needs a
    /// trait import in app code.
    #[test]
    fn every_public_trait_is_in_the_prelude() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let prelude = std::fs::read_to_string(src.join("prelude.rs")).unwrap();
        let mut missing = Vec::new();
        let mut dirs = vec![src];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for line in text.lines() {
                    let Some(rest) = line.strip_prefix("pub trait ") else {
                        continue;
                    };
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    let module = path
                        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                        .unwrap()
                        .components()
                        .nth(1)
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let module = module.trim_end_matches(".rs");
                    let listed = prelude.lines().any(|l| {
                        l.starts_with(&format!("pub use crate::{module}::"))
                            && l.contains(&format!("{name} as _"))
                    });
                    if !listed {
                        missing.push(format!("{module}::{name} ({})", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "public traits missing from the prelude (add them `as _`): {missing:?}"
        );
    }
}
