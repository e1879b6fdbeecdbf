//! The services cirrus generates resource types for: one module and one cargo feature each.

/// A supported service, by the last part of its CloudFormation namespace (`S3` in `AWS::S3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// The namespace part, such as `ElasticLoadBalancingV2`.
    pub name: &'static str,
    /// A human-readable title for the module documentation.
    pub title: &'static str,
}

impl Service {
    /// `AWS::<name>`.
    pub fn namespace(&self) -> String {
        format!("AWS::{}", self.name)
    }

    /// The Rust module, cargo feature and spec file stem: the name in lower case.
    pub fn module(&self) -> String {
        self.name.to_ascii_lowercase()
    }

    /// The spec data file under `constructs/spec/`.
    pub fn spec_file(&self) -> String {
        format!("{}.json", self.module())
    }
}

const fn service(name: &'static str, title: &'static str) -> Service {
    Service { name, title }
}

/// Every supported service, sorted by module name.
pub const SERVICES: &[Service] = &[
    service("Athena", "Amazon Athena"),
    service("AutoScaling", "Amazon EC2 Auto Scaling"),
    service("CertificateManager", "AWS Certificate Manager"),
    service("CloudFront", "Amazon CloudFront"),
    service("CloudWatch", "Amazon CloudWatch"),
    service("CodeBuild", "AWS CodeBuild"),
    service("CodeCommit", "AWS CodeCommit"),
    service("CodeConnections", "AWS CodeConnections"),
    service("CodePipeline", "AWS CodePipeline"),
    service("EC2", "Amazon EC2"),
    service("ECR", "Amazon Elastic Container Registry"),
    service("EFS", "Amazon Elastic File System"),
    service("EKS", "Amazon Elastic Kubernetes Service"),
    service("ElasticLoadBalancingV2", "Elastic Load Balancing (v2)"),
    service("EMR", "Amazon EMR"),
    service("Events", "Amazon EventBridge"),
    service("Glue", "AWS Glue"),
    service("IAM", "AWS Identity and Access Management"),
    service("KinesisFirehose", "Amazon Data Firehose"),
    service("KMS", "AWS Key Management Service"),
    service("Lambda", "AWS Lambda"),
    service("Logs", "Amazon CloudWatch Logs"),
    service("Redshift", "Amazon Redshift"),
    service("Route53", "Amazon Route 53"),
    service("S3", "Amazon S3"),
    service("SecretsManager", "AWS Secrets Manager"),
    service("SNS", "Amazon SNS"),
    service("SQS", "Amazon SQS"),
    service("SSM", "AWS Systems Manager"),
    service("WAFv2", "AWS WAF"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_by_module_and_unique() {
        let modules: Vec<String> = SERVICES.iter().map(Service::module).collect();
        assert!(
            modules.windows(2).all(|w| w[0] < w[1]),
            "SERVICES must be sorted by module name without duplicates: {modules:?}"
        );
        assert_eq!(SERVICES.len(), 30);
    }
}
