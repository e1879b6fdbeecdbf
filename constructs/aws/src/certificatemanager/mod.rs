//! Certificate Manager (ACM): public certificates validated through DNS.

mod certificate;

pub use certificate::{
    CLOUDFRONT_CERTIFICATE_REGION, Certificate, CertificateProps, CertificateValidation,
    ICertificate, ImportedCertificate, KeyAlgorithm,
};
