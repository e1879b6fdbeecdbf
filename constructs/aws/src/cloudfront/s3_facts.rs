//! What the edge constructs need to know of a bucket they deliver to or read from, read from
//! its L1 (so that overrides made through `l1()` count too).

use cirrus_cfn::s3::bucket;

use crate::s3::{Bucket, IBucket};

/// How a bucket encrypts objects at rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sse {
    /// SSE-S3 (`AES256`), or nothing configured (S3 then applies SSE-S3).
    S3Managed,
    /// SSE-KMS (or DSSE-KMS) with the AWS managed key `aws/s3`.
    AwsManagedKms,
    /// SSE-KMS with a customer managed key.
    CustomerKms,
}

pub(crate) fn sse(bucket: &Bucket<'_>) -> Sse {
    if bucket.encryption_key().is_some() {
        return Sse::CustomerKms;
    }
    let algorithm = bucket.l1().props().and_then(|p| {
        let encryption = p.bucket_encryption?.as_literal()?.clone();
        let rules = encryption
            .server_side_encryption_configuration
            .as_literal()?
            .clone();
        let default = rules
            .first()?
            .as_literal()?
            .server_side_encryption_by_default
            .clone()?;
        let default = default.as_literal()?.clone();
        let customer_key = default.kms_master_key_id.is_some();
        Some((default.sse_algorithm.as_literal()?.clone(), customer_key))
    });
    match algorithm {
        None | Some((bucket::ServerSideEncryptionByDefaultSseAlgorithm::Aes256, _)) => {
            Sse::S3Managed
        }
        Some((_, true)) => Sse::CustomerKms,
        Some((_, false)) => Sse::AwsManagedKms,
    }
}

/// True when the bucket keeps ACLs enabled (object ownership other than "bucket owner
/// enforced"), which CloudFront's standard logs need.
pub(crate) fn acls_enabled(bucket: &Bucket<'_>) -> bool {
    let ownership = bucket.l1().props().and_then(|p| {
        let controls = p.ownership_controls?.as_literal()?.clone();
        let rules = controls.rules.as_literal()?.clone();
        let rule = rules.first()?.as_literal()?.clone();
        rule.object_ownership?.as_literal().cloned()
    });
    matches!(
        ownership,
        Some(
            bucket::OwnershipControlsRuleObjectOwnership::BucketOwnerPreferred
                | bucket::OwnershipControlsRuleObjectOwnership::ObjectWriter
        )
    )
}
