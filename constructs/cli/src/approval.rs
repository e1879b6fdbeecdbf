//! Which changes widen access, and when a deployment needs someone's approval.
//!
//! Widening is read from the template difference, the way the AWS CDK does it: IAM policy
//! statements that allow more (a new `Allow`, a removed `Deny`), managed policies attached,
//! trust policies that let more principals in, resource policies, Lambda permissions, and
//! security-group rules added. Narrowing changes need no approval.

use serde_json::Value as J;

use crate::template_diff::{Action, ResourceChange, TemplateDiff};

/// `--require-approval` (defined with the command line, which the runner parses without this
/// module).
pub(crate) use crate::args::RequireApproval;

/// One change that widens access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Widening {
    /// The resource's logical id.
    pub(crate) logical_id: String,
    /// The resource type.
    pub(crate) resource_type: String,
    /// What it allows now, in one line.
    pub(crate) what: String,
}

/// Policy documents by resource type: the properties holding one (or a list of
/// `{PolicyDocument}` for inline policies).
const POLICY_PROPERTIES: &[(&str, &str)] = &[
    ("AWS::IAM::Policy", "PolicyDocument"),
    ("AWS::IAM::ManagedPolicy", "PolicyDocument"),
    ("AWS::IAM::Role", "AssumeRolePolicyDocument"),
    ("AWS::IAM::Role", "Policies"),
    ("AWS::IAM::User", "Policies"),
    ("AWS::IAM::Group", "Policies"),
    ("AWS::IAM::RolePolicy", "PolicyDocument"),
    ("AWS::IAM::UserPolicy", "PolicyDocument"),
    ("AWS::IAM::GroupPolicy", "PolicyDocument"),
    ("AWS::S3::BucketPolicy", "PolicyDocument"),
    ("AWS::SQS::QueuePolicy", "PolicyDocument"),
    ("AWS::SNS::TopicPolicy", "PolicyDocument"),
    ("AWS::KMS::Key", "KeyPolicy"),
    ("AWS::ECR::Repository", "RepositoryPolicyText"),
    ("AWS::Logs::ResourcePolicy", "PolicyDocument"),
];

/// The changes of a stack that widen access.
pub(crate) fn widenings(diff: &TemplateDiff) -> Vec<Widening> {
    let mut out = Vec::new();
    for r in &diff.resources {
        if r.action == Action::Remove {
            continue;
        }
        let props = |def: &Option<J>| def.as_ref().and_then(|d| d.get("Properties")).cloned();
        let (old, new) = (props(&r.old), props(&r.new));
        let mut push = |what: String| {
            out.push(Widening {
                logical_id: r.logical_id.clone(),
                resource_type: r.resource_type.clone(),
                what,
            })
        };
        for (ty, prop) in POLICY_PROPERTIES {
            if r.resource_type != *ty {
                continue;
            }
            let old_s = statements(old.as_ref().and_then(|p| p.get(*prop)));
            let new_s = statements(new.as_ref().and_then(|p| p.get(*prop)));
            for s in &new_s {
                if is_effect(s, "Allow") && !old_s.contains(s) {
                    push(format!("allows {}", describe_statement(s)));
                }
            }
            for s in &old_s {
                if is_effect(s, "Deny") && !new_s.contains(s) {
                    push(format!("no longer denies {}", describe_statement(s)));
                }
            }
        }
        if matches!(
            r.resource_type.as_str(),
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group"
        ) {
            let arns = |p: &Option<J>| -> Vec<J> {
                list(p.as_ref().and_then(|p| p.get("ManagedPolicyArns")))
            };
            let old_arns = arns(&old);
            for arn in arns(&new) {
                if !old_arns.contains(&arn) {
                    push(format!("attaches managed policy {}", short(&arn)));
                }
            }
        }
        if r.resource_type == "AWS::IAM::ManagedPolicy" {
            for key in ["Roles", "Users", "Groups"] {
                let old_l = list(old.as_ref().and_then(|p| p.get(key)));
                for who in list(new.as_ref().and_then(|p| p.get(key))) {
                    if !old_l.contains(&who) {
                        push(format!("is attached to {}", short(&who)));
                    }
                }
            }
        }
        if r.resource_type == "AWS::Lambda::Permission" && r.action == Action::Add {
            let p = new.as_ref();
            push(format!(
                "lets {} call {}",
                p.and_then(|p| p.get("Principal"))
                    .map(short)
                    .unwrap_or_default(),
                p.and_then(|p| p.get("FunctionName"))
                    .map(short)
                    .unwrap_or_default()
            ));
        }
        security_group_rules(r, &old, &new, &mut push);
    }
    out
}

fn security_group_rules(
    r: &ResourceChange,
    old: &Option<J>,
    new: &Option<J>,
    push: &mut dyn FnMut(String),
) {
    match r.resource_type.as_str() {
        "AWS::EC2::SecurityGroup" => {
            for (key, dir) in [
                ("SecurityGroupIngress", "ingress"),
                ("SecurityGroupEgress", "egress"),
            ] {
                let old_rules = list(old.as_ref().and_then(|p| p.get(key)));
                for rule in list(new.as_ref().and_then(|p| p.get(key))) {
                    if !old_rules.contains(&rule) {
                        push(format!("adds {dir} rule {}", describe_rule(&rule)));
                    }
                }
            }
        }
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
            if new != old
                && let Some(rule) = new
            {
                let dir = if r.resource_type.ends_with("Ingress") {
                    "ingress"
                } else {
                    "egress"
                };
                push(format!("adds {dir} rule {}", describe_rule(rule)));
            }
        }
        _ => {}
    }
}

fn list(v: Option<&J>) -> Vec<J> {
    match v {
        Some(J::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    }
}

/// The statements of a policy document, or of a list of inline policies.
fn statements(v: Option<&J>) -> Vec<J> {
    let Some(v) = v else { return Vec::new() };
    if let J::Array(policies) = v {
        return policies
            .iter()
            .flat_map(|p| statements(p.get("PolicyDocument")))
            .collect();
    }
    list(v.get("Statement"))
}

fn is_effect(statement: &J, effect: &str) -> bool {
    statement.get("Effect").and_then(J::as_str) == Some(effect)
}

fn short(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn join(v: Option<&J>) -> String {
    match v {
        None => "-".into(),
        Some(J::Array(items)) => items.iter().map(short).collect::<Vec<_>>().join(", "),
        Some(other) => short(other),
    }
}

fn describe_statement(s: &J) -> String {
    let principal = s
        .get("Principal")
        .map(|p| format!(" to {}", short(p)))
        .unwrap_or_default();
    format!(
        "{} on {}{principal}",
        join(s.get("Action").or_else(|| s.get("NotAction"))),
        join(s.get("Resource").or_else(|| s.get("NotResource")))
    )
}

fn describe_rule(rule: &J) -> String {
    let proto = rule
        .get("IpProtocol")
        .map(short)
        .unwrap_or_else(|| "?".into());
    let ports = match (rule.get("FromPort"), rule.get("ToPort")) {
        (Some(f), Some(t)) if f == t => format!(" port {}", short(f)),
        (Some(f), Some(t)) => format!(" ports {}-{}", short(f), short(t)),
        _ => String::new(),
    };
    let peer = [
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "DestinationSecurityGroupId",
        "SourcePrefixListId",
        "DestinationPrefixListId",
    ]
    .iter()
    .find_map(|k| rule.get(*k).map(short))
    .unwrap_or_else(|| "?".into());
    let proto = if proto == "-1" {
        "all".to_owned()
    } else {
        proto
    };
    format!("{proto}{ports} with {peer}")
}

/// Whether a stack's changes need approval under `rule`.
pub(crate) fn needs_approval(
    rule: RequireApproval,
    diff: &TemplateDiff,
    widening: &[Widening],
) -> bool {
    match rule {
        RequireApproval::Never => false,
        RequireApproval::AnyChange => !diff.is_empty(),
        RequireApproval::Broadening => !widening.is_empty(),
    }
}

/// The widening changes as lines for the terminal.
pub(crate) fn render(widening: &[Widening], path_of: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::from("IAM and security-group changes that widen access:\n");
    for w in widening {
        let name = match path_of(&w.logical_id) {
            Some(p) => format!("{p} ({})", w.logical_id),
            None => w.logical_id.clone(),
        };
        out.push_str(&format!(" + {} {name} {}\n", w.resource_type, w.what));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn widen(old: Option<J>, new: J) -> Vec<String> {
        let d = TemplateDiff::compute(old.as_ref(), &new);
        widenings(&d)
            .into_iter()
            .map(|w| format!("{}: {}", w.logical_id, w.what))
            .collect()
    }

    fn policy(statements: J) -> J {
        json!({"Resources": {"P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}}}})
    }

    #[test]
    fn new_allow_statements_widen() {
        let old = policy(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]));
        let new = policy(json!([
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::b/*"}
        ]));
        assert_eq!(
            widen(Some(old.clone()), new.clone()),
            ["P: allows s3:PutObject, s3:DeleteObject on arn:aws:s3:::b/*"]
        );
        // The reverse only narrows.
        assert!(widen(Some(new), old).is_empty());
    }

    #[test]
    fn removed_deny_widens() {
        let old = policy(json!([{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]));
        let new = policy(json!([]));
        assert_eq!(widen(Some(old), new), ["P: no longer denies s3:* on *"]);
    }

    #[test]
    fn roles_trust_inline_policies_and_managed_policies() {
        let role = |principal: &str, arns: J| {
            json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": arns}}}})
        };
        let got = widen(
            None,
            role(
                "lambda.amazonaws.com",
                json!(["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
            ),
        );
        assert_eq!(
            got,
            [
                "R: allows sts:AssumeRole on - to {\"Service\":\"lambda.amazonaws.com\"}",
                "R: attaches managed policy arn:aws:iam::aws:policy/ReadOnlyAccess"
            ]
        );
        let same = role("lambda.amazonaws.com", json!([]));
        assert!(widen(Some(same.clone()), same).is_empty());
    }

    #[test]
    fn security_group_rules_widen() {
        let sg = |rules: J| json!({"Resources": {"S": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "d", "SecurityGroupIngress": rules}}}});
        let old = sg(
            json!([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/16"}]),
        );
        let new = sg(json!([
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/16"},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}
        ]));
        assert_eq!(
            widen(Some(old.clone()), new.clone()),
            ["S: adds ingress rule tcp port 22 with 0.0.0.0/0"]
        );
        assert!(widen(Some(new), old).is_empty());
        let standalone = json!({"Resources": {"I": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": "sg-1", "IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}}}});
        assert_eq!(
            widen(None, standalone),
            ["I: adds ingress rule all with 0.0.0.0/0"]
        );
    }

    #[test]
    fn approval_rules() {
        let old = policy(json!([]));
        let new = policy(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]));
        let d = TemplateDiff::compute(Some(&old), &new);
        let w = widenings(&d);
        assert!(needs_approval(RequireApproval::Broadening, &d, &w));
        assert!(needs_approval(RequireApproval::AnyChange, &d, &w));
        assert!(!needs_approval(RequireApproval::Never, &d, &w));
        let plain = json!({"Resources": {"L": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}}});
        let d = TemplateDiff::compute(None, &plain);
        let w = widenings(&d);
        assert!(!needs_approval(RequireApproval::Broadening, &d, &w));
        assert!(needs_approval(RequireApproval::AnyChange, &d, &w));
        let same = TemplateDiff::compute(Some(&plain), &plain);
        assert!(!needs_approval(RequireApproval::AnyChange, &same, &[]));
    }
}
