//! `SecurityConfiguration`: how an EMR cluster encrypts its data at rest (and, when certificates
//! are given, in transit).

use cirrus_cfn::emr::CfnSecurityConfiguration;
use cirrus_core::{Construct, Expr, Node, ResourceRef, fns, value};

use crate::codes;
use crate::kms::{IKey, Key};
use crate::s3::{Bucket, IBucket};

/// Encryption of the traffic between the cluster's nodes.
#[derive(Debug, Clone, Copy, Default)]
pub enum InTransitEncryption<'a> {
    /// Off. EMR's in-transit encryption needs TLS certificates that you create and rotate (a zip
    /// of PEM files in S3, or a certificate provider class); producing them at deploy time would
    /// take a Lambda-backed custom resource, which this library does not emit. The cluster's
    /// nodes are reachable only from its own security groups and EMR's service.
    #[default]
    Disabled,
    /// TLS with the PEM certificates in the zip object `object_key` of `bucket` (see "Providing
    /// certificates for encrypting data in transit" in the EMR management guide). The
    /// cluster's instances are granted read on that object.
    PemCertificates {
        /// The bucket holding the zip.
        bucket: Bucket<'a>,
        /// The zip's key, such as `emr/certificates.zip`.
        object_key: &'a str,
    },
}

/// Options of a security configuration.
#[derive(Debug, Clone, Copy, Default, cirrus_derive::Setters)]
pub struct SecurityConfigurationProps<'a> {
    /// Encryption between nodes. Default: off (see [`InTransitEncryption::Disabled`] for why).
    pub in_transit: InTransitEncryption<'a>,
}

/// An EMR security configuration that encrypts at rest with one KMS key: EMRFS objects in S3
/// with SSE-KMS, and the instances' local disks and EBS volumes with KMS. Clusters using it grant
/// their roles the key (the [`Cluster`](crate::emr::Cluster) does this).
#[derive(Debug, Clone, Copy)]
pub struct SecurityConfiguration<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnSecurityConfiguration>,
    key: Key<'a>,
    in_transit: InTransitEncryption<'a>,
}

impl<'a> Construct<'a> for SecurityConfiguration<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> SecurityConfiguration<'a> {
    /// A security configuration encrypting with `key`.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        key: &Key<'a>,
        props: SecurityConfigurationProps<'a>,
    ) -> SecurityConfiguration<'a> {
        let key = *key;
        let node = scope.node().add_child(id);
        let at_rest = value!({
            "S3EncryptionConfiguration": {
                "EncryptionMode": "SSE-KMS",
                "AwsKmsKey": (key.arn())
            },
            "LocalDiskEncryptionConfiguration": {
                "EncryptionKeyProviderType": "AwsKms",
                "AwsKmsKey": (key.arn()),
                "EnableEbsEncryption": true
            }
        });
        let encryption = match props.in_transit {
            InTransitEncryption::Disabled => value!({
                "EnableAtRestEncryption": true,
                "EnableInTransitEncryption": false,
                "AtRestEncryptionConfiguration": (at_rest)
            }),
            InTransitEncryption::PemCertificates { bucket, object_key } => {
                if !object_key.ends_with(".zip") || object_key.starts_with('/') {
                    node.error_with_hint(codes::emr::CERTIFICATE_OBJECT_INVALID,
                        format!("certificate object \"{object_key}\" is not the key of a zip file"),
                        "EMR reads PEM certificates from a zip object, such as emr/certificates.zip",
                    );
                }
                let location = fns::sub(
                    &format!("s3://${{Bucket}}/{}", object_key.replace("${", "${!")),
                    [("Bucket", bucket.name())],
                );
                value!({
                    "EnableAtRestEncryption": true,
                    "EnableInTransitEncryption": true,
                    "AtRestEncryptionConfiguration": (at_rest),
                    "InTransitEncryptionConfiguration": {
                        "TLSCertificateConfiguration": {
                            "CertificateProviderType": "PEM",
                            "S3Object": (location)
                        }
                    }
                })
            }
        };
        let resource = node.add(
            "Resource",
            CfnSecurityConfiguration::new(value!({ "EncryptionConfiguration": (encryption) })),
        );
        SecurityConfiguration {
            node,
            resource,
            key,
            in_transit: props.in_transit,
        }
    }

    /// The configuration's name.
    pub fn name(&self) -> Expr<String> {
        self.resource.ref_()
    }

    /// The key it encrypts with.
    pub fn key(&self) -> Key<'a> {
        self.key
    }

    /// The ARN of the certificates object, when in-transit encryption is on.
    pub(crate) fn certificates_arn(&self) -> Option<Expr<String>> {
        match self.in_transit {
            InTransitEncryption::Disabled => None,
            InTransitEncryption::PemCertificates { bucket, object_key } => {
                Some(bucket.arn_for_objects(&object_key.replace("${", "${!")))
            }
        }
    }

    /// The bucket key of the certificates' bucket, when it has one.
    pub(crate) fn certificates_key(&self) -> Option<Key<'a>> {
        match self.in_transit {
            InTransitEncryption::Disabled => None,
            InTransitEncryption::PemCertificates { bucket, .. } => bucket.encryption_key(),
        }
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnSecurityConfiguration> {
        self.resource
    }
}
