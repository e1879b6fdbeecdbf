//! `WebAcl`: a WAFv2 web ACL of AWS managed rule groups and an optional rate limit, and
//! `ImportedWebAcl`: how distributions and load balancers take one, existing or of this app.

use cirrus_cfn::wafv2::{CfnWebAcl, CfnWebAclAssociation, web_acl};
use cirrus_core::id::strip_non_alphanumeric;
use cirrus_core::{Construct, Expr, List, Node, ObjectBuilder, ResourceRef};

use crate::codes;

/// The region every CloudFront web ACL is created in.
pub const CLOUDFRONT_WEB_ACL_REGION: &str = "us-east-1";

/// What a web ACL protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebAclScope {
    /// CloudFront distributions. The ACL must be created in us-east-1.
    CloudFront,
    /// Regional resources: load balancers, API Gateway stages, AppSync, Cognito.
    Regional,
}

/// What a web ACL offers to the distributions and load balancers it protects: implemented by
/// [`WebAcl`] and by [`ImportedWebAcl`] (an existing ACL, [`WebAcl::from_arn`]).
pub trait IWebAcl<'a>: Construct<'a> {
    /// The ACL's ARN.
    fn arn(&self) -> Expr<String>;

    /// What the ACL protects, when it is known at synthesis (always for an ACL of this app;
    /// from a literal ARN for an imported one).
    fn web_acl_scope(&self) -> Option<WebAclScope>;

    /// The ACL as a value that can be stored in props; messages about it name this
    /// construct's path.
    fn to_ref(&self) -> ImportedWebAcl<'a> {
        ImportedWebAcl {
            node: self.node(),
            arn: self.arn(),
            scope: self.web_acl_scope(),
        }
    }
}

/// A web ACL as the resources it protects see it: an existing one ([`WebAcl::from_arn`]), or
/// one of this app ([`IWebAcl::to_ref`], or `From<WebAcl>`). Distributions
/// ([`Firewall::WebAcl`](crate::cloudfront::Firewall::WebAcl)) and load balancers
/// ([`ApplicationLoadBalancerProps::web_acl`](crate::elbv2::ApplicationLoadBalancerProps))
/// take it, and check its scope; messages name the ACL by its construct path.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedWebAcl<'a> {
    node: Node<'a>,
    arn: Expr<String>,
    scope: Option<WebAclScope>,
}

impl<'a> Construct<'a> for ImportedWebAcl<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> IWebAcl<'a> for ImportedWebAcl<'a> {
    fn arn(&self) -> Expr<String> {
        self.arn.clone()
    }

    fn web_acl_scope(&self) -> Option<WebAclScope> {
        self.scope
    }

    fn to_ref(&self) -> ImportedWebAcl<'a> {
        self.clone()
    }
}

impl<'a> From<WebAcl<'a>> for ImportedWebAcl<'a> {
    fn from(acl: WebAcl<'a>) -> ImportedWebAcl<'a> {
        acl.to_ref()
    }
}

impl<'a> From<&WebAcl<'a>> for ImportedWebAcl<'a> {
    fn from(acl: &WebAcl<'a>) -> ImportedWebAcl<'a> {
        acl.to_ref()
    }
}

impl ImportedWebAcl<'_> {
    /// How messages name the ACL: its construct path.
    pub(crate) fn label(&self) -> String {
        self.node.path()
    }

    /// Protects a regional resource (a load balancer, an API Gateway stage) by its ARN. The
    /// association is created under `owner` (the protected construct), as `id`.
    pub fn associate<'o>(&self, owner: Node<'o>, id: &str, resource_arn: Expr<String>) {
        if self.scope == Some(WebAclScope::CloudFront) {
            owner.error_with_hint(codes::waf::CLOUDFRONT_ACL_ON_REGIONAL_RESOURCE,
                format!(
                    "web ACL {} protects CloudFront distributions; it cannot be associated with a regional resource",
                    self.label()
                ),
                "create a web ACL with WebAclScope::Regional in the resource's region",
            );
        }
        owner.add(
            id,
            CfnWebAclAssociation::new(resource_arn, self.arn.clone()),
        );
    }
}

/// An AWS managed (or marketplace) rule group.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedRuleGroup {
    /// The vendor (`AWS` for AWS managed rules).
    pub vendor: String,
    /// The group's name (`AWSManagedRulesCommonRuleSet`).
    pub name: String,
    /// A pinned version. Default: none: the vendor's default version, updated by AWS.
    pub version: Option<String>,
    /// Only count what the group matches, without blocking: for trying a group out.
    /// Default: `false`.
    pub count_only: bool,
    /// Rules of the group that only count instead of acting (false positives of your
    /// application). Default: none.
    pub count_rules: Vec<String>,
}

impl ManagedRuleGroup {
    /// An AWS managed rule group by name, blocking.
    pub fn aws(name: &str) -> ManagedRuleGroup {
        ManagedRuleGroup {
            vendor: "AWS".into(),
            name: name.into(),
            version: None,
            count_only: false,
            count_rules: Vec::new(),
        }
    }

    /// `AWSManagedRulesCommonRuleSet`: the OWASP top-ten style core rules (700 WCU).
    pub fn common_rule_set() -> ManagedRuleGroup {
        ManagedRuleGroup::aws("AWSManagedRulesCommonRuleSet")
    }

    /// `AWSManagedRulesKnownBadInputsRuleSet`: request patterns known to be malicious, such as
    /// Log4j exploits (200 WCU). checkov's CKV_AWS_192 requires it, blocking.
    pub fn known_bad_inputs() -> ManagedRuleGroup {
        ManagedRuleGroup::aws("AWSManagedRulesKnownBadInputsRuleSet")
    }

    /// `AWSManagedRulesAmazonIpReputationList`: sources Amazon threat intelligence flags
    /// (25 WCU).
    pub fn ip_reputation_list() -> ManagedRuleGroup {
        ManagedRuleGroup::aws("AWSManagedRulesAmazonIpReputationList")
    }

    /// `AWSManagedRulesSQLiRuleSet`: SQL injection (200 WCU).
    pub fn sql_injection() -> ManagedRuleGroup {
        ManagedRuleGroup::aws("AWSManagedRulesSQLiRuleSet")
    }
}

/// A rate-based rule: blocks a client IP address that sends more than `limit` requests in the
/// evaluation window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per window and IP address, 10 to 2,000,000,000.
    pub limit: u32,
    /// The window in seconds: 60, 120, 300 or 600.
    pub window_secs: u32,
}

impl RateLimit {
    /// `limit` requests per IP address in 5 minutes.
    pub fn per_five_minutes(limit: u32) -> RateLimit {
        RateLimit {
            limit,
            window_secs: 300,
        }
    }
}

/// What happens to a request no rule acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DefaultAction {
    /// Allow it.
    #[default]
    Allow,
    /// Block it (an allow-list ACL).
    Block,
}

/// Options of a web ACL.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct WebAclProps {
    /// The ACL's name (1 to 128 letters, digits, `-` and `_`). Default: generated by
    /// CloudFormation.
    pub name: Option<String>,
    /// A description. Default: none.
    pub description: Option<String>,
    /// What happens to requests no rule acted on. Default: allow.
    pub default_action: DefaultAction,
    /// The managed rule groups, evaluated in this order. Default: the common rule set, known
    /// bad inputs (checkov CKV_AWS_192) and the Amazon IP reputation list: 925 of the 1,500
    /// WCU an ACL holds without extra charge.
    pub managed_rule_groups: Vec<ManagedRuleGroup>,
    /// A per-IP rate limit, evaluated after the managed groups. Default: none.
    pub rate_limit: Option<RateLimit>,
    /// The CloudWatch metric name of the ACL (rules get their own). Default: derived from the
    /// construct path.
    pub metric_name: Option<String>,
}

impl Default for WebAclProps {
    fn default() -> Self {
        WebAclProps {
            name: None,
            description: None,
            default_action: DefaultAction::Allow,
            managed_rule_groups: vec![
                ManagedRuleGroup::common_rule_set(),
                ManagedRuleGroup::known_bad_inputs(),
                ManagedRuleGroup::ip_reputation_list(),
            ],
            rate_limit: None,
            metric_name: None,
        }
    }
}

/// A WAFv2 web ACL. CloudWatch metrics and sampled requests are on for the ACL and for every
/// rule, so that what the rules block can be seen.
#[derive(Debug, Clone, Copy)]
pub struct WebAcl<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnWebAcl>,
    scope: WebAclScope,
}

impl<'a> Construct<'a> for WebAcl<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> WebAcl<'a> {
    /// A web ACL for resources of `scope`. A CloudFront ACL in a stack whose region is set to
    /// anything but us-east-1 is an error: WAF only accepts CloudFront ACLs there.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        acl_scope: WebAclScope,
        props: WebAclProps,
    ) -> WebAcl<'a> {
        let node = scope.node().add_child(id);
        node.set_standing_cost(
            "a WAF web ACL, billed monthly per ACL and rule, and per request",
            "filters requests with AWS managed rules before they reach the app",
            "DistributionProps::firewall(Firewall::Disabled) for a distribution's (fails checkov's CKV_AWS_68), or remove the ACL",
        );
        if acl_scope == WebAclScope::CloudFront
            && let Some(region) = node.stack().env().region
            && region != CLOUDFRONT_WEB_ACL_REGION
        {
            node.error_with_hint(codes::waf::CLOUDFRONT_ACL_NOT_IN_US_EAST_1,
                format!(
                    "a CloudFront web ACL must be created in us-east-1, but stack {} is in {region}",
                    node.stack().stack_name()
                ),
                "create the web ACL (and the distribution that uses it) in a stack whose env region is us-east-1",
            );
        }
        if let Some(name) = &props.name {
            check_name(node, "web ACL name", name);
        }
        if props
            .description
            .as_ref()
            .is_some_and(|d| d.is_empty() || d.len() > 256)
        {
            node.error(
                codes::waf::DESCRIPTION_INVALID,
                "a web ACL description is 1 to 256 characters long",
            );
        }
        let metric = props.metric_name.clone().unwrap_or_else(|| {
            let path = node.path();
            let mut m = strip_non_alphanumeric(path.split_once('/').map_or(&path, |p| p.1));
            m.truncate(128);
            m
        });
        check_name(node, "metric name", &metric);
        let mut rules: List<web_acl::Rule> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for group in &props.managed_rule_groups {
            if seen.contains(&group.name.as_str()) {
                node.error(
                    codes::waf::RULE_GROUP_DUPLICATE,
                    format!("the managed rule group {} is listed twice", group.name),
                );
            }
            seen.push(&group.name);
            rules.push(managed_rule(node, group, rules.len()).into());
        }
        if let Some(rate) = props.rate_limit {
            if !(10..=2_000_000_000).contains(&rate.limit) {
                node.error(
                    codes::waf::RATE_LIMIT_INVALID,
                    format!(
                        "rate limit {} is outside WAF's 10 to 2,000,000,000 requests",
                        rate.limit
                    ),
                );
            }
            if ![60, 120, 300, 600].contains(&rate.window_secs) {
                node.error_with_hint(
                    codes::waf::RATE_LIMIT_INVALID,
                    format!("rate limit window of {} seconds", rate.window_secs),
                    "WAF evaluates rates over 60, 120, 300 or 600 seconds",
                );
            }
            let statement = web_acl::RateBasedStatement {
                evaluation_window_sec: Some(i64::from(rate.window_secs).into()),
                ..web_acl::RateBasedStatement::new(
                    web_acl::RateBasedStatementAggregateKeyType::Ip,
                    i64::from(rate.limit),
                )
            };
            rules.push(
                web_acl::Rule {
                    action: Some(
                        web_acl::RuleAction {
                            block: Some(web_acl::BlockAction::default().into()),
                            ..Default::default()
                        }
                        .into(),
                    ),
                    ..web_acl::Rule::new(
                        "RateLimit",
                        rules.len() as i64,
                        web_acl::Statement {
                            rate_based_statement: Some(Box::new(statement.into())),
                            ..Default::default()
                        },
                        visibility("RateLimit"),
                    )
                }
                .into(),
            );
        }
        let default_action = match props.default_action {
            DefaultAction::Allow => web_acl::DefaultAction {
                allow: Some(web_acl::AllowAction::default().into()),
                ..Default::default()
            },
            DefaultAction::Block => web_acl::DefaultAction {
                block: Some(web_acl::BlockAction::default().into()),
                ..Default::default()
            },
        };
        let cfn_scope = match acl_scope {
            WebAclScope::CloudFront => web_acl::WebAclScope::Cloudfront,
            WebAclScope::Regional => web_acl::WebAclScope::Regional,
        };
        let resource = node.add(
            "Resource",
            CfnWebAcl {
                name: props.name.map(Into::into),
                description: props.description.map(Into::into),
                rules: Some(rules.into()),
                ..CfnWebAcl::new(default_action, cfn_scope, visibility(&metric))
            },
        );
        WebAcl {
            node,
            resource,
            scope: acl_scope,
        }
    }

    /// The ACL's ARN (what CloudFront's `WebACLId` and associations take).
    pub fn arn(&self) -> Expr<String> {
        self.resource.attrs().arn()
    }

    /// The ACL's id.
    pub fn id(&self) -> Expr<String> {
        self.resource.attrs().id()
    }

    /// What the ACL protects.
    pub fn scope(&self) -> WebAclScope {
        self.scope
    }

    /// Protects a regional resource (a load balancer, an API Gateway stage) by its ARN. The
    /// association is created under `owner` (the protected construct), as `id`.
    pub fn associate(&self, owner: Node<'a>, id: &str, resource_arn: Expr<String>) {
        self.to_ref().associate(owner, id, resource_arn);
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnWebAcl> {
        self.resource
    }

    /// An existing web ACL, by ARN: `arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>`
    /// for CloudFront, `arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>` for
    /// load balancers. The scope is read from a literal ARN and checked by what the ACL is
    /// given to; an ARN that is an expression (a parameter, an import) is taken as it is. A
    /// literal that is not a web ACL's ARN is reported here, at the import's path.
    pub fn from_arn(
        scope: impl Construct<'a>,
        id: &str,
        arn: impl Into<Expr<String>>,
    ) -> ImportedWebAcl<'a> {
        let node = scope.node().add_child(id);
        let arn = arn.into();
        let acl_scope = arn.as_literal().and_then(|literal| {
            if literal.starts_with("arn:") && literal.contains(":global/webacl/") {
                Some(WebAclScope::CloudFront)
            } else if literal.starts_with("arn:") && literal.contains(":regional/webacl/") {
                Some(WebAclScope::Regional)
            } else {
                node.error_with_hint(codes::waf::WEB_ACL_ARN_INVALID,
                    format!("\"{literal}\" is not the ARN of a WAFv2 web ACL"),
                    "web ACL ARNs read arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id> (CloudFront) or arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>",
                );
                None
            }
        });
        ImportedWebAcl {
            node,
            arn,
            scope: acl_scope,
        }
    }
}

impl<'a> IWebAcl<'a> for WebAcl<'a> {
    fn arn(&self) -> Expr<String> {
        self.arn()
    }

    fn web_acl_scope(&self) -> Option<WebAclScope> {
        Some(self.scope)
    }
}

fn managed_rule(node: Node<'_>, group: &ManagedRuleGroup, priority: usize) -> web_acl::Rule {
    check_name(node, "managed rule group vendor", &group.vendor);
    check_name(node, "managed rule group name", &group.name);
    let empty = || ObjectBuilder::new().build();
    let overrides: List<web_acl::RuleActionOverride> = group
        .count_rules
        .iter()
        .map(|rule| {
            web_acl::RuleActionOverride::new(
                web_acl::RuleAction {
                    count: Some(web_acl::CountAction::default().into()),
                    ..Default::default()
                },
                rule.as_str(),
            )
            .into()
        })
        .collect();
    let statement = web_acl::ManagedRuleGroupStatement {
        version: group.version.clone().map(Into::into),
        rule_action_overrides: (!overrides.is_empty()).then(|| overrides.into()),
        ..web_acl::ManagedRuleGroupStatement::new(group.name.as_str(), group.vendor.as_str())
    };
    let override_action = if group.count_only {
        web_acl::OverrideAction {
            count: Some(empty()),
            none: None,
        }
    } else {
        web_acl::OverrideAction {
            count: None,
            none: Some(empty()),
        }
    };
    web_acl::Rule {
        override_action: Some(override_action.into()),
        ..web_acl::Rule::new(
            format!("{}-{}", group.vendor, group.name),
            priority as i64,
            web_acl::Statement {
                managed_rule_group_statement: Some(Box::new(statement.into())),
                ..Default::default()
            },
            visibility(&group.name),
        )
    }
}

fn visibility(metric: &str) -> web_acl::VisibilityConfig {
    web_acl::VisibilityConfig::new(true, metric, true)
}

/// WAF's names: 1 to 128 letters, digits, `-` and `_`.
fn check_name(node: Node<'_>, what: &str, name: &str) {
    if name.is_empty()
        || name.len() > 128
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        node.error(
            codes::waf::NAME_INVALID,
            format!("{what} \"{name}\" must be 1 to 128 letters, digits, '-' and '_'"),
        );
    }
}
