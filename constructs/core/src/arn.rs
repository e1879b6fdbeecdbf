//! [`Arn`]: ARNs of resources the app does not create, built from their parts instead of
//! hand-written `Fn::Sub` strings.

use crate::expr::{Expr, fns};

/// One part of an ARN that can be this stack's, empty or fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// The stack's (`${AWS::Region}`, `${AWS::AccountId}`).
    Stack,
    /// Empty, as in `arn:aws:s3:::bucket` or `arn:aws:iam::123456789012:role/x`.
    Empty,
    /// A fixed value (`us-west-2`, `aws` for AWS managed policies).
    Fixed(String),
}

/// An ARN, `arn:<partition>:<service>:<region>:<account>:<resource>`, in the stack's
/// partition, region and account unless told otherwise. It renders as one `Fn::Sub`, so it
/// follows the stack wherever it is deployed (`aws`, `aws-cn`, `aws-us-gov`, ...).
///
/// `${AWS::...}` pseudo parameters may appear in the resource part; nothing else of the
/// form `${...}`.
///
/// ```
/// use cirrus_core::{Arn, Expr};
/// let logs: Expr<String> = Arn::new("logs", "log-group:/app/*").into();
/// let role: Expr<String> = Arn::new("iam", "role/app/*").global().into();
/// let bucket: Expr<String> = Arn::new("s3", "my-bucket/*").global().no_account().into();
/// let policy: Expr<String> = Arn::new("iam", "policy/ReadOnlyAccess").global().aws_managed().into();
/// assert_eq!(
///     Arn::new("iam", "role/app/*").global().template(),
///     "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/app/*"
/// );
/// # let _ = (logs, role, bucket, policy);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn {
    service: String,
    region: Part,
    account: Part,
    resource: String,
}

impl Arn {
    /// The ARN of `resource` (the part after the account: `log-group:/app/*`, `role/name`)
    /// of `service` (`logs`, `iam`), in the stack's region and account.
    pub fn new(service: &str, resource: impl Into<String>) -> Arn {
        Arn {
            service: service.to_owned(),
            region: Part::Stack,
            account: Part::Stack,
            resource: resource.into(),
        }
    }

    /// Without a region, for global services (IAM, CloudFront, Route 53, S3 buckets).
    pub fn global(mut self) -> Arn {
        self.region = Part::Empty;
        self
    }

    /// Without an account, for S3 buckets and objects.
    pub fn no_account(mut self) -> Arn {
        self.account = Part::Empty;
        self
    }

    /// Owned by AWS (account `aws`), for AWS managed IAM policies.
    pub fn aws_managed(mut self) -> Arn {
        self.account = Part::Fixed("aws".to_owned());
        self
    }

    /// In `region` instead of the stack's.
    pub fn in_region(mut self, region: &str) -> Arn {
        self.region = Part::Fixed(region.to_owned());
        self
    }

    /// In the account `account` instead of the stack's.
    pub fn in_account(mut self, account: &str) -> Arn {
        self.account = Part::Fixed(account.to_owned());
        self
    }

    /// The `Fn::Sub` template string.
    pub fn template(&self) -> String {
        let part = |p: &Part, stack: &str| match p {
            Part::Stack => stack.to_owned(),
            Part::Empty => String::new(),
            Part::Fixed(v) => v.clone(),
        };
        format!(
            "arn:${{AWS::Partition}}:{}:{}:{}:{}",
            self.service,
            part(&self.region, "${AWS::Region}"),
            part(&self.account, "${AWS::AccountId}"),
            self.resource
        )
    }
}

impl From<Arn> for Expr<String> {
    fn from(arn: Arn) -> Expr<String> {
        fns::sub(&arn.template(), [])
    }
}

impl From<&Arn> for Expr<String> {
    fn from(arn: &Arn) -> Expr<String> {
        fns::sub(&arn.template(), [])
    }
}

#[cfg(test)]
mod tests {
    use super::Arn;

    #[test]
    fn templates() {
        assert_eq!(
            Arn::new("logs", "log-group:/a/*").template(),
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/a/*"
        );
        assert_eq!(
            Arn::new("s3", "b/*").global().no_account().template(),
            "arn:${AWS::Partition}:s3:::b/*"
        );
        assert_eq!(
            Arn::new("iam", "policy/P")
                .global()
                .aws_managed()
                .template(),
            "arn:${AWS::Partition}:iam::aws:policy/P"
        );
        assert_eq!(
            Arn::new("kms", "key/*").in_region("us-west-2").template(),
            "arn:${AWS::Partition}:kms:us-west-2:${AWS::AccountId}:key/*"
        );
        assert_eq!(
            Arn::new("iam", "role/x")
                .global()
                .in_account("123456789012")
                .template(),
            "arn:${AWS::Partition}:iam::123456789012:role/x"
        );
    }
}
