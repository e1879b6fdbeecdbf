//! The quotas of an application load balancer that its template alone decides ("Quotas for
//! your Application Load Balancers", Elastic Load Balancing User Guide), checked at synth over
//! the complete app: the listeners and certificates the load balancer's own listeners add, the
//! target groups their default actions forward to, and the listener rules (`CfnListenerRule`,
//! which the L2 does not wrap) that any stack attaches to those listeners.
//!
//! Quotas that can be raised are warnings (the account may have raised them); quotas ELB
//! never raises, and the rules of rule priorities, are errors. Rules attached to an imported
//! listener are not counted: the listener's other rules are not in the app.

use std::collections::BTreeMap;

use cirrus_core::{Diagnostic, Node, Value};

use crate::codes;
use crate::elbv2::load_balancer::AlbState;

/// Listeners per Application Load Balancer, by default (adjustable).
const LISTENERS_PER_ALB: usize = 50;
/// Certificates per Application Load Balancer, default certificates aside, by default
/// (adjustable).
const CERTIFICATES_PER_ALB: usize = 25;
/// Target groups per Application Load Balancer (not adjustable).
const TARGET_GROUPS_PER_ALB: usize = 100;
/// Rules per Application Load Balancer, default rules aside, by default (adjustable).
const RULES_PER_ALB: usize = 100;
/// Condition values per rule (not adjustable).
const CONDITION_VALUES_PER_RULE: usize = 5;
/// Condition wildcards per rule (not adjustable).
const WILDCARDS_PER_RULE: usize = 5;
/// The priorities a rule may have: unique per listener.
const PRIORITIES: std::ops::RangeInclusive<i64> = 1..=50_000;

/// The CloudFormation type of a listener rule.
const LISTENER_RULE: &str = "AWS::ElasticLoadBalancingV2::ListenerRule";

/// A listener of the load balancer, as the validation needs it.
#[derive(Debug, Clone)]
pub(crate) struct ListenerEntry {
    /// The listener's construct path.
    pub(crate) path: String,
    /// Its ARN (`Ref` of the listener resource), as a rule's `ListenerArn` holds it.
    pub(crate) arn: Value,
    /// Its certificates beyond the default one.
    pub(crate) extra_certificates: usize,
}

fn field<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value.as_object().and_then(|map| map.get(key))
}

fn array(value: Option<&Value>) -> &[Value] {
    match value {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// The values of a rule's conditions and the wildcards (`*`, `?`) among them, as ELB counts
/// them: every entry of a condition's `Values` (top level or in its `...Config`), a query
/// string's key/value pair as one; wildcards only where patterns are matched (not in source IP
/// blocks or HTTP methods). Values given as expressions count as values without wildcards.
fn condition_counts(properties: &Value) -> (usize, usize) {
    let mut values = 0;
    let mut wildcards = 0;
    let count_wildcards = |text: &str| text.chars().filter(|c| matches!(c, '*' | '?')).count();
    for condition in array(field(properties, "Conditions")) {
        let kind = field(condition, "Field")
            .and_then(Value::as_str)
            .unwrap_or("");
        let patterns = !matches!(kind, "source-ip" | "http-request-method");
        let mut lists = vec![(array(field(condition, "Values")), patterns)];
        if let Some(map) = condition.as_object() {
            for (key, config) in map {
                if let Some(name) = key.strip_suffix("Config") {
                    let patterns = !matches!(name, "SourceIp" | "HttpRequestMethod");
                    lists.push((array(field(config, "Values")), patterns));
                }
            }
        }
        for (list, patterns) in lists {
            values += list.len();
            if !patterns {
                continue;
            }
            for value in list {
                wildcards += match value {
                    Value::String(text) => count_wildcards(text),
                    // A query string: `{"Key": ..., "Value": ...}`.
                    Value::Object(_) => ["Key", "Value"]
                        .iter()
                        .filter_map(|k| field(value, k).and_then(Value::as_str))
                        .map(count_wildcards)
                        .sum(),
                    _ => 0,
                };
            }
        }
    }
    (values, wildcards)
}

/// The validation registered by every application load balancer of the app.
pub(crate) fn check(node: Node<'_>) -> Vec<Diagnostic> {
    let (listeners, target_groups) = node
        .with_state(|state: &mut AlbState| (state.listeners.clone(), state.target_groups.len()));
    let path = node.path();
    let mut out = Vec::new();
    if listeners.len() > LISTENERS_PER_ALB {
        out.push(
            Diagnostic::warning(
                codes::elb::TOO_MANY_LISTENERS,
                path.clone(),
                format!(
                    "{} listeners; an application load balancer takes {LISTENERS_PER_ALB} by default",
                    listeners.len()
                ),
            )
            .with_hint("serve more ports from a second load balancer, or raise the quota \"Listeners per Application Load Balancer\" first"),
        );
    }
    let certificates: usize = listeners.iter().map(|l| l.extra_certificates).sum();
    if certificates > CERTIFICATES_PER_ALB {
        out.push(
            Diagnostic::warning(
                codes::elb::TOO_MANY_CERTIFICATES,
                path.clone(),
                format!(
                    "{certificates} certificates besides the listeners' default ones; an application load balancer takes {CERTIFICATES_PER_ALB} by default"
                ),
            )
            .with_hint("cover several names with one certificate (subject alternative names, wildcards), or raise the quota \"Certificates per Application Load Balancer\" first"),
        );
    }
    if target_groups > TARGET_GROUPS_PER_ALB {
        out.push(
            Diagnostic::error(
                codes::elb::TOO_MANY_TARGET_GROUPS,
                path.clone(),
                format!(
                    "the listeners forward to {target_groups} target groups; an application load balancer takes at most {TARGET_GROUPS_PER_ALB}"
                ),
            )
            .with_hint("spread the target groups over several load balancers; this quota cannot be raised"),
        );
    }

    // The rules attached to these listeners, wherever in the app they are.
    let mut rules = 0;
    let mut priorities: BTreeMap<(usize, i64), Vec<String>> = BTreeMap::new();
    for stack in node.app().stacks() {
        for rule in stack.node().resources() {
            if rule.cfn_type != LISTENER_RULE {
                continue;
            }
            let Some(listener) = field(&rule.properties, "ListenerArn")
                .and_then(|arn| listeners.iter().position(|l| l.arn == *arn))
            else {
                continue;
            };
            rules += 1;
            let (values, wildcards) = condition_counts(&rule.properties);
            if values > CONDITION_VALUES_PER_RULE || wildcards > WILDCARDS_PER_RULE {
                out.push(
                    Diagnostic::error(
                        codes::elb::RULE_CONDITIONS_OVER_QUOTA,
                        rule.path.clone(),
                        format!(
                            "the rule's conditions hold {values} values and {wildcards} wildcards; a rule takes at most {CONDITION_VALUES_PER_RULE} values and {WILDCARDS_PER_RULE} wildcards"
                        ),
                    )
                    .with_hint("split the rule into several rules with the same action; these quotas cannot be raised"),
                );
            }
            match field(&rule.properties, "Priority") {
                Some(Value::Int(priority)) if !PRIORITIES.contains(priority) => out.push(
                    Diagnostic::error(
                        codes::elb::RULE_PRIORITY_INVALID,
                        rule.path.clone(),
                        format!("rule priority {priority} is outside 1 to 50000"),
                    )
                    .with_hint("give the rule a priority from 1 (evaluated first) to 50000"),
                ),
                Some(Value::Int(priority)) => priorities
                    .entry((listener, *priority))
                    .or_default()
                    .push(rule.path.clone()),
                _ => {}
            }
        }
    }
    for ((listener, priority), paths) in priorities {
        if paths.len() > 1 {
            let listener = &listeners[listener].path;
            for path in &paths {
                out.push(
                    Diagnostic::error(
                        codes::elb::RULE_PRIORITY_INVALID,
                        path.clone(),
                        format!(
                            "rule priority {priority} is given to {} rules of listener {listener} ({}); each rule of a listener needs its own",
                            paths.len(),
                            paths.join(", ")
                        ),
                    )
                    .with_hint("give each rule of the listener a distinct priority"),
                );
            }
        }
    }
    if rules > RULES_PER_ALB {
        out.push(
            Diagnostic::warning(
                codes::elb::TOO_MANY_RULES,
                path,
                format!(
                    "{rules} listener rules besides the default ones; an application load balancer takes {RULES_PER_ALB} by default"
                ),
            )
            .with_hint("merge rules with the same action (up to 5 condition values each), move some to a second load balancer, or raise the quota \"Rules per Application Load Balancer\" first"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::condition_counts;
    use serde_json::json;

    fn counts(conditions: serde_json::Value) -> (usize, usize) {
        let properties = cirrus_core::Value::from(json!({ "Conditions": conditions }));
        condition_counts(&properties)
    }

    #[test]
    fn condition_values_and_wildcards_are_counted_as_elb_counts_them() {
        assert_eq!(
            counts(
                json!([{"Field": "host-header", "Values": ["*.example.com", "a?.example.com"]}])
            ),
            (2, 2)
        );
        assert_eq!(
            counts(json!([
                {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*", "/v?/*"]}},
                {"Field": "query-string", "QueryStringConfig": {"Values": [{"Key": "v*", "Value": "1"}]}},
                {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}}
            ])),
            (4, 4)
        );
        assert_eq!(counts(json!([])), (0, 0));
    }
}
