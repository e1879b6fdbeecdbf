//! Principals: who a statement of a trust or resource policy is about.

use cirrus_core::{Expr, Value, fns};
use indexmap::IndexMap;

/// An IAM principal.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// An AWS service, such as `codebuild.amazonaws.com` (or a regional one,
    /// `logs.${AWS::Region}.amazonaws.com`).
    Service(Expr<String>),
    /// An IAM identity by ARN (a role, a user).
    Arn(Expr<String>),
    /// An account (`arn:<partition>:iam::<account>:root`): any identity of that account whose
    /// own policies allow it.
    Account(Expr<String>),
    /// A federated identity provider (OIDC, SAML), by ARN.
    Federated(Expr<String>),
    /// Anyone (`"*"`). Only safe with conditions that narrow it, such as `aws:SourceArn`.
    Anyone,
}

impl Principal {
    /// An AWS service principal. `${AWS::Region}` and the other pseudo parameters may appear
    /// in the name.
    pub fn service(name: &str) -> Principal {
        if name.contains("${") {
            Principal::Service(fns::sub(name, []))
        } else {
            Principal::Service(name.into())
        }
    }

    /// The account the stack deploys to.
    pub fn this_account() -> Principal {
        Principal::Account(cirrus_core::pseudo::account_id())
    }

    fn key(&self) -> &'static str {
        match self {
            Principal::Service(_) => "Service",
            Principal::Arn(_) | Principal::Account(_) => "AWS",
            Principal::Federated(_) => "Federated",
            Principal::Anyone => "*",
        }
    }

    fn value(&self) -> Value {
        match self {
            Principal::Service(name) | Principal::Arn(name) | Principal::Federated(name) => {
                Value::from(name.clone())
            }
            Principal::Account(account) => Value::from(fns::sub(
                "arn:${AWS::Partition}:iam::${Account}:root",
                [("Account", account.clone())],
            )),
            Principal::Anyone => Value::String("*".into()),
        }
    }
}

/// Renders principals the way IAM reads them: `"*"` for anyone, otherwise an object by kind,
/// a single value as a scalar and several as a list.
pub(crate) fn render(principals: &[Principal]) -> Value {
    if principals.contains(&Principal::Anyone) {
        return Value::String("*".into());
    }
    let mut by_kind: IndexMap<String, Vec<Value>> = IndexMap::new();
    for principal in principals {
        let values = by_kind.entry(principal.key().to_owned()).or_default();
        let value = principal.value();
        if !values.contains(&value) {
            values.push(value);
        }
    }
    by_kind.sort_keys();
    Value::Object(
        by_kind
            .into_iter()
            .map(|(kind, mut values)| {
                let value = if values.len() == 1 {
                    values.remove(0)
                } else {
                    Value::Array(values)
                };
                (kind, value)
            })
            .collect(),
    )
}
