//! Typed IAM policy documents.
//!
//! Statements are built with a small builder, merged when they only differ in actions or only
//! in resources (so grants stay compact), and checked for the mistakes IAM would only report at
//! deploy time, or never: a statement without actions, an identity policy with a principal, a
//! resource policy without one, every action on every resource.

use cirrus_core::{ErrorCode, Expr, ToValue, Value};
use indexmap::IndexMap;

use crate::codes;
use crate::iam::principal::{self, Principal};

/// Allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Effect {
    /// `Allow`.
    #[default]
    Allow,
    /// `Deny`.
    Deny,
}

/// A condition of a statement: `{"<operator>": {"<key>": <values>}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyCondition {
    /// The condition operator, such as `StringEquals`, `ArnLike`, `Bool`.
    pub operator: String,
    /// The condition key, such as `aws:SourceArn`.
    pub key: String,
    /// The values; several mean "any of".
    pub values: Vec<Expr<String>>,
}

impl PolicyCondition {
    /// A condition with one value.
    pub fn new(operator: &str, key: &str, value: impl Into<Expr<String>>) -> PolicyCondition {
        PolicyCondition {
            operator: operator.to_owned(),
            key: key.to_owned(),
            values: vec![value.into()],
        }
    }
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyStatement {
    /// Statement id. Default: none.
    pub sid: Option<String>,
    /// Allow or deny. Default: allow.
    pub effect: Effect,
    /// Who the statement is about (trust and resource policies only). Default: none.
    pub principals: Vec<Principal>,
    /// The actions (`s3:GetObject`). Default: none; a statement needs actions or not-actions.
    pub actions: Vec<String>,
    /// Every action but these. Default: none.
    pub not_actions: Vec<String>,
    /// The resources, by ARN (identity policies need them). Default: none.
    pub resources: Vec<Expr<String>>,
    /// Every resource but these. Default: none.
    pub not_resources: Vec<Expr<String>>,
    /// Conditions, all of which must hold. Default: none.
    pub conditions: Vec<PolicyCondition>,
}

impl PolicyStatement {
    /// An empty `Allow` statement.
    pub fn allow() -> PolicyStatement {
        PolicyStatement::default()
    }

    /// An empty `Deny` statement.
    pub fn deny() -> PolicyStatement {
        PolicyStatement {
            effect: Effect::Deny,
            ..Default::default()
        }
    }

    /// Sets the statement id.
    #[must_use]
    pub fn sid(mut self, sid: &str) -> Self {
        self.sid = Some(sid.to_owned());
        self
    }

    /// Adds actions.
    #[must_use]
    pub fn actions<S: AsRef<str>>(mut self, actions: impl IntoIterator<Item = S>) -> Self {
        for action in actions {
            push_unique(&mut self.actions, action.as_ref().to_owned());
        }
        self
    }

    /// Adds resources.
    #[must_use]
    pub fn resources<E: Into<Expr<String>>>(
        mut self,
        resources: impl IntoIterator<Item = E>,
    ) -> Self {
        for resource in resources {
            push_unique(&mut self.resources, resource.into());
        }
        self
    }

    /// Adds a principal.
    #[must_use]
    pub fn principal(mut self, principal: Principal) -> Self {
        push_unique(&mut self.principals, principal);
        self
    }

    /// Adds a condition.
    #[must_use]
    pub fn condition(mut self, operator: &str, key: &str, value: impl Into<Expr<String>>) -> Self {
        self.conditions
            .push(PolicyCondition::new(operator, key, value));
        self
    }

    /// True when everything but the actions and resources is the same, so the two statements
    /// can be combined.
    fn same_frame(&self, other: &PolicyStatement) -> bool {
        self.sid.is_none()
            && other.sid.is_none()
            && self.effect == other.effect
            && self.principals == other.principals
            && self.conditions == other.conditions
            && self.not_actions.is_empty()
            && other.not_actions.is_empty()
            && self.not_resources.is_empty()
            && other.not_resources.is_empty()
    }

    /// True when this statement already allows (or denies) everything `other` does.
    fn covers(&self, other: &PolicyStatement) -> bool {
        self.same_frame(other)
            && other.actions.iter().all(|a| self.actions.contains(a))
            && other.resources.iter().all(|r| self.resources.contains(r))
    }

    /// Folds `other` into this statement when only the actions, or only the resources, differ.
    fn merge(&mut self, other: &PolicyStatement) -> bool {
        if !self.same_frame(other) {
            return false;
        }
        if self.resources == other.resources {
            for action in &other.actions {
                push_unique(&mut self.actions, action.clone());
            }
            true
        } else if same_set(&self.actions, &other.actions) {
            for resource in &other.resources {
                push_unique(&mut self.resources, resource.clone());
            }
            true
        } else {
            false
        }
    }

    /// What is wrong with the statement in a policy of `kind`: each problem's code (from
    /// `crate::codes::iam`) and its words for a diagnostic.
    pub fn problems(&self, kind: PolicyKind) -> Vec<(ErrorCode, String)> {
        let mut out = Vec::new();
        if self.actions.is_empty() && self.not_actions.is_empty() {
            out.push((
                codes::iam::STATEMENT_WITHOUT_ACTIONS,
                "a policy statement needs at least one action".to_owned(),
            ));
        }
        if !self.actions.is_empty() && !self.not_actions.is_empty() {
            out.push((
                codes::iam::STATEMENT_WITHOUT_ACTIONS,
                "a policy statement cannot have both actions and not-actions".to_owned(),
            ));
        }
        for action in self.actions.iter().chain(&self.not_actions) {
            let valid = action == "*"
                || action.split_once(':').is_some_and(|(service, name)| {
                    !service.is_empty()
                        && service
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-')
                        && !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '*' || c == '?')
                });
            if !valid {
                out.push((
                    codes::iam::ACTION_MALFORMED,
                    format!(
                        "\"{action}\" is not an IAM action; actions read \"service:Action\", such as \"s3:GetObject\""
                    ),
                ));
            }
        }
        match kind {
            PolicyKind::Identity => {
                if !self.principals.is_empty() {
                    out.push((
                        codes::iam::PRINCIPAL_IN_IDENTITY_POLICY,
                        "an identity policy cannot name principals; it applies to the identity it is attached to".to_owned(),
                    ));
                }
                if self.resources.is_empty() && self.not_resources.is_empty() {
                    out.push((
                        codes::iam::STATEMENT_WITHOUT_RESOURCES,
                        "a statement of an identity policy needs resources".to_owned(),
                    ));
                }
                let all_actions = self.actions.iter().any(|a| a == "*");
                let all_resources = self
                    .resources
                    .iter()
                    .any(|r| r.as_literal().is_some_and(|r| r == "*"));
                if self.effect == Effect::Allow && all_actions && all_resources {
                    out.push((
                        codes::iam::ADMIN_STATEMENT,
                        "the statement allows every action on every resource".to_owned(),
                    ));
                }
            }
            PolicyKind::Resource | PolicyKind::Trust => {
                if self.principals.is_empty() {
                    out.push((
                        codes::iam::STATEMENT_WITHOUT_PRINCIPAL,
                        "a statement of a resource or trust policy needs a principal".to_owned(),
                    ));
                }
            }
        }
        out
    }
}

fn push_unique<T: PartialEq>(items: &mut Vec<T>, item: T) {
    if !items.contains(&item) {
        items.push(item);
    }
}

fn same_set<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// What a policy document is attached to, which decides what its statements need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Attached to a role, user or group: statements name resources, never principals.
    Identity,
    /// Attached to a resource (bucket policy, key policy): statements name principals.
    Resource,
    /// A role's trust policy: who may assume it.
    Trust,
}

/// An IAM policy document (`Version` 2012-10-17).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyDocument {
    statements: Vec<PolicyStatement>,
}

impl PolicyDocument {
    /// An empty document.
    pub fn new() -> PolicyDocument {
        PolicyDocument::default()
    }

    /// A document of these statements, merged where possible.
    pub fn of(statements: impl IntoIterator<Item = PolicyStatement>) -> PolicyDocument {
        let mut doc = PolicyDocument::new();
        for statement in statements {
            doc.add(statement);
        }
        doc
    }

    /// Adds a statement, folding it into an existing one when only the actions or only the
    /// resources differ. Adding the same statement twice changes nothing.
    pub fn add(&mut self, statement: PolicyStatement) {
        self.add_changed(statement);
    }

    /// [`PolicyDocument::add`], telling whether the document changed: a construct that keeps
    /// the document rendered into its L1 need not render it again when it did not.
    pub(crate) fn add_changed(&mut self, statement: PolicyStatement) -> bool {
        if self
            .statements
            .iter()
            .any(|s| *s == statement || s.covers(&statement))
        {
            return false;
        }
        for existing in &mut self.statements {
            if existing.merge(&statement) {
                return true;
            }
        }
        // One at a time: most documents hold one or two statements, and a vector's first
        // growth makes room for four (704 bytes of a bucket's or role's policy, most of it
        // unused, at every construct).
        self.statements.reserve_exact(1);
        self.statements.push(statement);
        true
    }

    /// The statements.
    pub fn statements(&self) -> &[PolicyStatement] {
        &self.statements
    }

    /// True when there are no statements.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// What is wrong with the document as a policy of `kind`, each problem with its code.
    pub fn problems(&self, kind: PolicyKind) -> Vec<(ErrorCode, String)> {
        let mut out: Vec<(ErrorCode, String)> = self
            .statements
            .iter()
            .flat_map(|s| s.problems(kind))
            .collect();
        if self.statements.is_empty() {
            out.push((
                codes::iam::DOCUMENT_EMPTY,
                "a policy document needs at least one statement".to_owned(),
            ));
        }
        out
    }
}

/// A list as IAM writes it: a single item as a scalar.
fn scalar_or_list(items: Vec<Value>) -> Value {
    match <[Value; 1]>::try_from(items) {
        Ok([one]) => one,
        Err(items) => Value::Array(items),
    }
}

impl ToValue for PolicyStatement {
    // Fields are inserted as built values: `ObjectBuilder::field` would render each of them a
    // second time, and grants render their policy on every change.
    fn to_value(&self) -> Value {
        let strings = |items: &[String]| {
            scalar_or_list(items.iter().map(|a| Value::String(a.clone())).collect())
        };
        let exprs =
            |items: &[Expr<String>]| scalar_or_list(items.iter().map(ToValue::to_value).collect());
        // Sized for its fields: a map grown by inserting reserves room for as many entries as
        // its hash table holds (seven for four fields), and every role and bucket policy of
        // an app keeps its rendered statements.
        let fields = 1
            + usize::from(self.sid.is_some())
            + [
                self.principals.is_empty(),
                self.actions.is_empty(),
                self.not_actions.is_empty(),
                self.resources.is_empty(),
                self.not_resources.is_empty(),
                self.conditions.is_empty(),
            ]
            .into_iter()
            .filter(|empty| !empty)
            .count();
        let mut out: IndexMap<String, Value> = IndexMap::with_capacity(fields);
        if let Some(sid) = &self.sid {
            out.insert("Sid".to_owned(), Value::String(sid.clone()));
        }
        out.insert(
            "Effect".to_owned(),
            Value::from(match self.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            }),
        );
        if !self.principals.is_empty() {
            out.insert("Principal".to_owned(), principal::render(&self.principals));
        }
        if !self.actions.is_empty() {
            out.insert("Action".to_owned(), strings(&self.actions));
        }
        if !self.not_actions.is_empty() {
            out.insert("NotAction".to_owned(), strings(&self.not_actions));
        }
        if !self.resources.is_empty() {
            out.insert("Resource".to_owned(), exprs(&self.resources));
        }
        if !self.not_resources.is_empty() {
            out.insert("NotResource".to_owned(), exprs(&self.not_resources));
        }
        if !self.conditions.is_empty() {
            let mut by_operator: IndexMap<String, Value> = IndexMap::new();
            for c in &self.conditions {
                let values = scalar_or_list(c.values.iter().map(ToValue::to_value).collect());
                if let Value::Object(keys) = by_operator
                    .entry(c.operator.clone())
                    .or_insert_with(Value::object)
                {
                    keys.insert(c.key.clone(), values);
                }
            }
            out.insert("Condition".to_owned(), Value::Object(by_operator));
        }
        Value::Object(out)
    }
}

impl ToValue for PolicyDocument {
    fn to_value(&self) -> Value {
        let mut out = IndexMap::with_capacity(2);
        out.insert("Version".to_owned(), Value::from("2012-10-17"));
        out.insert("Statement".to_owned(), self.statements.to_value());
        Value::Object(out)
    }
}

impl From<PolicyDocument> for Value {
    fn from(doc: PolicyDocument) -> Value {
        doc.to_value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(doc: &PolicyDocument) -> serde_json::Value {
        fn plain(v: &Value) -> serde_json::Value {
            match v {
                Value::String(s) => json!(s),
                Value::Array(items) => json!(items.iter().map(plain).collect::<Vec<_>>()),
                Value::Object(map) => serde_json::Value::Object(
                    map.iter().map(|(k, v)| (k.clone(), plain(v))).collect(),
                ),
                other => json!(format!("{other:?}")),
            }
        }
        plain(&doc.to_value())
    }

    #[test]
    fn statements_merge_by_actions_or_resources() {
        let doc = PolicyDocument::of([
            PolicyStatement::allow()
                .actions(["s3:GetObject"])
                .resources(["arn:a"]),
            PolicyStatement::allow()
                .actions(["s3:PutObject"])
                .resources(["arn:a"]),
            PolicyStatement::allow()
                .actions(["s3:GetObject", "s3:PutObject"])
                .resources(["arn:b"]),
            PolicyStatement::allow()
                .actions(["s3:GetObject"])
                .resources(["arn:a"]),
            PolicyStatement::deny()
                .actions(["s3:DeleteObject"])
                .resources(["arn:a"]),
        ]);
        assert_eq!(
            render(&doc),
            json!({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": ["arn:a", "arn:b"]},
                    {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:a"}
                ]
            })
        );
    }

    #[test]
    fn principals_and_conditions_render_as_iam_reads_them() {
        let doc = PolicyDocument::of([PolicyStatement::allow()
            .sid("AllowCloudFront")
            .principal(Principal::service("cloudfront.amazonaws.com"))
            .actions(["s3:GetObject"])
            .resources(["arn:aws:s3:::site/*"])
            .condition("StringEquals", "AWS:SourceArn", "arn:dist")]);
        assert_eq!(
            render(&doc)["Statement"][0],
            json!({
                "Sid": "AllowCloudFront",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::site/*",
                "Condition": {"StringEquals": {"AWS:SourceArn": "arn:dist"}}
            })
        );
    }

    #[test]
    fn problems_are_found() {
        let no_actions = PolicyStatement::allow().resources(["*"]);
        assert_eq!(
            no_actions.problems(PolicyKind::Identity)[0].0,
            codes::iam::STATEMENT_WITHOUT_ACTIONS
        );
        let admin = PolicyStatement::allow().actions(["*"]).resources(["*"]);
        assert!(
            admin
                .problems(PolicyKind::Identity)
                .iter()
                .any(|(code, _)| *code == codes::iam::ADMIN_STATEMENT)
        );
        let bad = PolicyStatement::allow()
            .actions(["GetObject"])
            .resources(["*"]);
        assert_eq!(
            bad.problems(PolicyKind::Identity)[0].0,
            codes::iam::ACTION_MALFORMED
        );
        let principal_in_identity = PolicyStatement::allow()
            .actions(["s3:GetObject"])
            .resources(["*"])
            .principal(Principal::Anyone);
        assert_eq!(
            principal_in_identity.problems(PolicyKind::Identity)[0].0,
            codes::iam::PRINCIPAL_IN_IDENTITY_POLICY
        );
        let no_principal = PolicyStatement::allow().actions(["sts:AssumeRole"]);
        assert_eq!(
            no_principal.problems(PolicyKind::Trust)[0].0,
            codes::iam::STATEMENT_WITHOUT_PRINCIPAL
        );
        assert_eq!(
            PolicyDocument::new().problems(PolicyKind::Identity)[0].0,
            codes::iam::DOCUMENT_EMPTY
        );
    }
}
