//! The resolve pass: turns a [`Value`] into template JSON.
//!
//! References become logical ids within a stack and `Fn::ImportValue` of an automatic export
//! across stacks; every reference is recorded as a dependency edge (resource to resource within
//! a stack, stack to stack across stacks) for the cycle checks and the deploy order.

use indexmap::IndexMap;
use serde_json::{Value as J, json};

use crate::artifact::has_token;
use crate::codes;
use crate::diagnostics::{Diagnostic, Diagnostics, ErrorCode};
use crate::id::{path_hash, strip_non_alphanumeric};
use crate::intrinsic::{CondExpr, Intrinsic, Pseudo, RuleExpr};
use crate::stack::Env;
use crate::synth::layout::Layout;
use crate::tree::{ElementRef, NodeId, NodeKind, Tree};
use crate::value::Value;

/// Where a value sits in the template: decides which references are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// Resource properties and attributes.
    Resource,
    /// An output's value, export name or condition.
    Output,
    /// The body of a template condition.
    Condition,
    /// A rule's condition or assertion.
    Rule,
    /// A mapping value.
    Mapping,
}

/// The element being rendered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site {
    pub(crate) stack: NodeId,
    pub(crate) element: NodeId,
    pub(crate) place: Place,
}

/// An output created because another stack refers to a value of this one.
#[derive(Debug, Clone)]
pub(crate) struct Export {
    pub(crate) name: String,
    pub(crate) value: J,
}

/// A stack depends on another because `from` (in the consumer) uses `to` (in the producer), or
/// because of an explicit dependency between them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StackEdge {
    pub(crate) consumer: NodeId,
    pub(crate) producer: NodeId,
    pub(crate) from: NodeId,
    pub(crate) to: NodeId,
}

/// Separator of list items in an export: exports hold strings only, so list values cross
/// stacks joined and are split again on the other side.
const LIST_SEPARATOR: &str = "||";

pub(crate) struct Resolver<'t> {
    tree: &'t Tree,
    layout: &'t Layout,
    /// Automatic exports, by producer stack, then by output logical id.
    pub(crate) exports: IndexMap<NodeId, IndexMap<String, Export>>,
    /// Values that artifacts read at deploy time, by producer stack, then by output id.
    pub(crate) deploy_values: IndexMap<NodeId, IndexMap<String, J>>,
    pub(crate) stack_edges: Vec<StackEdge>,
    /// Resource-to-resource references within a stack.
    pub(crate) resource_edges: Vec<(NodeId, NodeId)>,
    pub(crate) diags: Diagnostics,
    /// What looks like a credential in the rendered properties and outputs.
    pub(crate) secrets: Vec<crate::secrets::Finding>,
}

impl<'t> Resolver<'t> {
    pub(crate) fn new(tree: &'t Tree, layout: &'t Layout) -> Resolver<'t> {
        Resolver {
            tree,
            layout,
            exports: IndexMap::new(),
            deploy_values: IndexMap::new(),
            stack_edges: Vec::new(),
            resource_edges: Vec::new(),
            diags: Diagnostics::default(),
            secrets: Vec::new(),
        }
    }

    fn error(&mut self, site: Site, code: ErrorCode, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(
            code,
            self.tree.path(site.element),
            message,
        ));
    }

    fn error_hint(
        &mut self,
        site: Site,
        code: ErrorCode,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::error(code, self.tree.path(site.element), message).with_hint(hint));
    }

    /// Resolves a value.
    pub(crate) fn resolve(&mut self, site: Site, value: &Value) -> J {
        match value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => J::Number(n),
                None => {
                    self.error(
                        site,
                        codes::NUMBER_INVALID,
                        format!("{f} is not a number CloudFormation can hold"),
                    );
                    J::Null
                }
            },
            Value::String(s) => {
                self.no_token(site, s);
                J::String(s.clone())
            }
            Value::Array(items) => J::Array(items.iter().map(|v| self.resolve(site, v)).collect()),
            Value::Object(map) => J::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.resolve(site, v)))
                    .collect(),
            ),
            Value::Fn(f) => self.intrinsic(site, f),
        }
    }

    /// A token stands for a value in an artifact; in a template the expression itself belongs.
    pub(crate) fn no_token(&mut self, site: Site, s: &str) {
        if has_token(s) {
            self.error_hint(
                site,
                codes::TOKEN_IN_TEMPLATE,
                "a token (Node::token) is used in a template; tokens are for artifacts only",
                "give the expression (Expr) itself to the resource or output",
            );
        }
    }

    fn intrinsic(&mut self, site: Site, f: &Intrinsic) -> J {
        match f {
            Intrinsic::Ref(target) => self.reference(site, *target, None),
            Intrinsic::GetAtt {
                target,
                attribute,
                list,
            } => self.reference(site, *target, Some((attribute, *list))),
            Intrinsic::Pseudo(p) => call("Ref", J::from(p.name())),
            Intrinsic::Sub { template, vars } => self.sub(site, template, vars),
            Intrinsic::Join { delimiter, list } => {
                let list = self.resolve(site, list);
                call(
                    "Fn::Join",
                    J::Array(vec![J::from(delimiter.as_str()), list]),
                )
            }
            Intrinsic::Select { index, list } => {
                if let Value::Int(i) = index {
                    if *i < 0 {
                        self.error(
                            site,
                            codes::SELECT_OUT_OF_RANGE,
                            format!("Fn::Select index {i} is negative"),
                        );
                    } else if let Value::Array(items) = list
                        && usize::try_from(*i).is_ok_and(|i| i >= items.len())
                    {
                        self.error(
                            site,
                            codes::SELECT_OUT_OF_RANGE,
                            format!(
                                "Fn::Select index {i} is out of range for a list of {} items",
                                items.len()
                            ),
                        );
                    }
                }
                let index = self.resolve(site, index);
                let list = self.resolve(site, list);
                call("Fn::Select", J::Array(vec![index, list]))
            }
            Intrinsic::Split { delimiter, source } => {
                let source = self.resolve(site, source);
                call(
                    "Fn::Split",
                    J::Array(vec![J::from(delimiter.as_str()), source]),
                )
            }
            Intrinsic::GetAzs(region) => call("Fn::GetAZs", self.resolve(site, region)),
            Intrinsic::ImportValue(name) => call("Fn::ImportValue", self.resolve(site, name)),
            Intrinsic::If {
                condition,
                then,
                otherwise,
            } => {
                if matches!(site.place, Place::Condition | Place::Rule | Place::Mapping) {
                    self.error(
                        site,
                        codes::IF_MISPLACED,
                        "Fn::If cannot be used here; use the condition functions",
                    );
                }
                let condition = self.condition_name(site, *condition);
                let then = self.resolve(site, then);
                let otherwise = self.resolve(site, otherwise);
                call("Fn::If", J::Array(vec![condition, then, otherwise]))
            }
            Intrinsic::FindInMap {
                mapping,
                top,
                second,
            } => self.find_in_map(site, *mapping, top, second),
            Intrinsic::Base64(v) => call("Fn::Base64", self.resolve(site, v)),
            Intrinsic::ValueOf {
                parameter,
                attribute,
            } => {
                self.only_in_rules(site, "Fn::ValueOf");
                let name = self.parameter_name(site, *parameter, "Fn::ValueOf");
                json!({ "Fn::ValueOf": [name, attribute] })
            }
            Intrinsic::ValueOfAll {
                parameter_type,
                attribute,
            } => {
                self.only_in_rules(site, "Fn::ValueOfAll");
                json!({ "Fn::ValueOfAll": [parameter_type, attribute] })
            }
            Intrinsic::RefAll(parameter_type) => {
                self.only_in_rules(site, "Fn::RefAll");
                json!({ "Fn::RefAll": parameter_type })
            }
            Intrinsic::Cidr {
                ip_block,
                count,
                cidr_bits,
            } => {
                if let Value::Int(n) = count
                    && !(1..=256).contains(n)
                {
                    self.error(
                        site,
                        codes::CIDR_INVALID,
                        format!("Fn::Cidr count {n} is outside 1 to 256"),
                    );
                }
                if let Value::Int(n) = cidr_bits
                    && !(1..=128).contains(n)
                {
                    self.error(
                        site,
                        codes::CIDR_INVALID,
                        format!("Fn::Cidr bits {n} are outside 1 to 128"),
                    );
                }
                if let Value::String(block) = ip_block
                    && !block.contains('/')
                {
                    self.error(
                        site,
                        codes::CIDR_INVALID,
                        format!("Fn::Cidr block \"{block}\" is not in CIDR notation"),
                    );
                }
                json!({ "Fn::Cidr": [
                    self.resolve(site, ip_block),
                    self.resolve(site, count),
                    self.resolve(site, cidr_bits)
                ] })
            }
        }
    }

    /// Checks that `target` is an element of this app and returns its node.
    fn element(&mut self, site: Site, target: ElementRef) -> Option<NodeId> {
        if target.app != self.tree.app_id || target.node.index() >= self.tree.nodes.len() {
            self.error(
                site, codes::FOREIGN_REFERENCE,
                "reference to a construct of another app; handles are only valid in the app that made them",
            );
            return None;
        }
        Some(target.node)
    }

    /// The rule functions (`Fn::ValueOf`, `Fn::ValueOfAll`, `Fn::RefAll`) exist only in the
    /// template's Rules section; CloudFormation rejects them anywhere else.
    fn only_in_rules(&mut self, site: Site, function: &str) {
        if site.place != Place::Rule {
            self.error(
                site,
                codes::RULE_FUNCTION_MISPLACED,
                format!(
                    "{function} can be used only in rules; use the parameter's value (Ref) here"
                ),
            );
        }
    }

    /// The logical id of a parameter of the site's stack, for `Fn::ValueOf`.
    fn parameter_name(&mut self, site: Site, target: ElementRef, function: &str) -> J {
        let Some(node) = self.element(site, target) else {
            return J::Null;
        };
        if !matches!(self.tree.node(node).kind, NodeKind::Parameter(_)) {
            let described = self.tree.node(node).kind.describe();
            self.error(
                site,
                codes::RULE_FUNCTION_ARGUMENT,
                format!(
                    "{function} takes a parameter, not {described} ({})",
                    self.tree.path(node)
                ),
            );
            return J::Null;
        }
        if self.tree.stack_of(node) != Some(site.stack) {
            self.error(
                site,
                codes::RULE_FUNCTION_ARGUMENT,
                format!(
                    "{function} refers to the parameter {} of another stack; rules can only read their own stack's parameters",
                    self.tree.path(node)
                ),
            );
            return J::Null;
        }
        J::String(self.layout.lid(node).to_owned())
    }

    /// A `Ref` (`attribute` is `None`) or `Fn::GetAtt`, within the stack or across stacks.
    fn reference(
        &mut self,
        site: Site,
        target: ElementRef,
        attribute: Option<(&String, bool)>,
    ) -> J {
        let Some(node) = self.element(site, target) else {
            return J::Null;
        };
        let kind = &self.tree.node(node).kind;
        let (is_resource, is_list) = match (kind, attribute) {
            (NodeKind::Resource(_), Some((_, list))) => (true, list),
            (NodeKind::Resource(_), None) => (true, false),
            (NodeKind::Parameter(p), None) => (false, p.is_list),
            (other, _) => {
                let what = if attribute.is_some() {
                    "Fn::GetAtt"
                } else {
                    "Ref"
                };
                let described = other.describe();
                self.error(
                    site,
                    codes::REFERENCE_IMPOSSIBLE,
                    format!(
                        "{what} to {described} ({}) is not possible",
                        self.tree.path(node)
                    ),
                );
                return J::Null;
            }
        };
        if is_resource && matches!(site.place, Place::Condition | Place::Rule | Place::Mapping) {
            self.error(
                site,
                codes::REFERENCE_TO_RESOURCE,
                format!(
                    "conditions, rules and mappings cannot refer to resources ({})",
                    self.tree.path(node)
                ),
            );
            return J::Null;
        }
        let lid = self.layout.lid(node).to_owned();
        let local = match attribute {
            None => call("Ref", J::String(lid)),
            Some((name, _)) => call(
                "Fn::GetAtt",
                J::Array(vec![J::String(lid), J::from(name.as_str())]),
            ),
        };
        let Some(producer) = self.tree.stack_of(node) else {
            return J::Null;
        };
        if producer == site.stack {
            if is_resource && site.place == Place::Resource {
                self.resource_edges.push((site.element, node));
            }
            return local;
        }
        self.import(site, producer, node, local, is_list)
    }

    /// The consumer side of a reference across stacks; creates the producer's export.
    fn import(
        &mut self,
        site: Site,
        producer: NodeId,
        target: NodeId,
        local: J,
        is_list: bool,
    ) -> J {
        if site.place != Place::Resource && site.place != Place::Output {
            self.error(
                site,
                codes::REFERENCE_ACROSS_STACKS,
                format!(
                    "conditions, rules and mappings cannot refer to another stack ({})",
                    self.tree.path(target)
                ),
            );
            return J::Null;
        }
        let (consumer_env, producer_env) = (
            stack_env(self.tree, site.stack),
            stack_env(self.tree, producer),
        );
        if consumer_env != producer_env {
            self.error_hint(
                site, codes::REFERENCE_ACROSS_ENVIRONMENTS,
                format!(
                    "refers to {}, which is in another environment ({producer_env}, not {consumer_env})",
                    self.tree.path(target),
                ),
                "exports do not cross accounts or regions: pass the value as a parameter, or store it in SSM Parameter Store in the producer's region and read it there",
            );
            return J::Null;
        }
        let (output_id, value) = export_entry(&local, is_list);
        let name = format!("{}:{output_id}", stack_name(self.tree, producer));
        self.exports
            .entry(producer)
            .or_default()
            .entry(output_id)
            .or_insert_with(|| Export {
                name: name.clone(),
                value,
            });
        self.stack_edges.push(StackEdge {
            consumer: site.stack,
            producer,
            from: site.element,
            to: target,
        });
        let import = json!({ "Fn::ImportValue": name });
        if is_list {
            json!({ "Fn::Split": [LIST_SEPARATOR, import] })
        } else {
            import
        }
    }

    /// A value pinned with `Stack::export_value`: exported under the automatic name.
    pub(crate) fn pin_export(&mut self, stack: NodeId, value: &Value) {
        let site = Site {
            stack,
            element: stack,
            place: Place::Output,
        };
        let (target, is_list) = match value {
            Value::Fn(f) => match f.as_ref() {
                Intrinsic::Ref(t) => (*t, self.is_list_parameter(t)),
                Intrinsic::GetAtt { target, list, .. } => (*target, *list),
                _ => {
                    self.error(
                        site,
                        codes::EXPORT_VALUE_INVALID,
                        "export_value takes a Ref or GetAtt of a resource of this stack",
                    );
                    return;
                }
            },
            _ => {
                self.error(
                    site,
                    codes::EXPORT_VALUE_INVALID,
                    "export_value takes a Ref or GetAtt of a resource of this stack",
                );
                return;
            }
        };
        let Some(node) = self.element(site, target) else {
            return;
        };
        if self.tree.stack_of(node) != Some(stack) {
            self.error(
                site,
                codes::EXPORT_VALUE_INVALID,
                format!(
                    "export_value: {} is not in this stack",
                    self.tree.path(node)
                ),
            );
            return;
        }
        let local = self.resolve(site, value);
        let (output_id, value) = export_entry(&local, is_list);
        let name = format!("{}:{output_id}", stack_name(self.tree, stack));
        self.exports
            .entry(stack)
            .or_default()
            .entry(output_id)
            .or_insert(Export { name, value });
    }

    fn is_list_parameter(&self, target: &ElementRef) -> bool {
        target.app == self.tree.app_id
            && target.node.index() < self.tree.nodes.len()
            && matches!(&self.tree.node(target.node).kind, NodeKind::Parameter(p) if p.is_list)
    }

    /// The logical id of a condition of the site's stack.
    pub(crate) fn condition_name(&mut self, site: Site, condition: ElementRef) -> J {
        let Some(node) = self.element(site, condition) else {
            return J::Null;
        };
        if !matches!(self.tree.node(node).kind, NodeKind::Condition(_)) {
            self.error(
                site,
                codes::NOT_A_CONDITION,
                format!("{} is not a condition", self.tree.path(node)),
            );
            return J::Null;
        }
        if self.tree.stack_of(node) != Some(site.stack) {
            self.error_hint(
                site,
                codes::REFERENCE_ACROSS_STACKS,
                format!(
                    "condition {} belongs to another stack",
                    self.tree.path(node)
                ),
                "define the condition in the stack that uses it",
            );
            return J::Null;
        }
        J::String(self.layout.lid(node).to_owned())
    }

    fn find_in_map(&mut self, site: Site, mapping: ElementRef, top: &Value, second: &Value) -> J {
        let Some(node) = self.element(site, mapping) else {
            return J::Null;
        };
        let NodeKind::Mapping(data) = &self.tree.node(node).kind else {
            self.error(
                site,
                codes::NOT_A_MAPPING,
                format!("{} is not a mapping", self.tree.path(node)),
            );
            return J::Null;
        };
        if self.tree.stack_of(node) != Some(site.stack) {
            self.error_hint(
                site,
                codes::REFERENCE_ACROSS_STACKS,
                format!("mapping {} belongs to another stack", self.tree.path(node)),
                "define the mapping in the stack that uses it",
            );
            return J::Null;
        }
        if let Value::String(k1) = top {
            match data.entries.get(k1) {
                None => {
                    let message = format!("mapping {} has no key \"{k1}\"", self.tree.path(node));
                    self.error(site, codes::MAPPING_KEY_MISSING, message);
                }
                Some(inner) => {
                    if let Value::String(k2) = second
                        && !inner.contains_key(k2)
                    {
                        let message = format!(
                            "mapping {} has no key \"{k1}\".\"{k2}\"",
                            self.tree.path(node)
                        );
                        self.error(site, codes::MAPPING_KEY_MISSING, message);
                    }
                }
            }
        }
        let name = self.layout.lid(node).to_owned();
        json!({ "Fn::FindInMap": [name, self.resolve(site, top), self.resolve(site, second)] })
    }

    fn sub(&mut self, site: Site, template: &str, vars: &[(String, Value)]) -> J {
        let segments = match parse_sub(template) {
            Ok(segments) => segments,
            Err(reason) => {
                self.error(
                    site,
                    codes::SUB_MALFORMED,
                    format!("Fn::Sub template \"{template}\": {reason}"),
                );
                return J::Null;
            }
        };
        let mut problems = Vec::new();
        for (i, (name, _)) in vars.iter().enumerate() {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                problems.push(format!(
                    "variable name \"{name}\" may contain only letters, digits and '_'"
                ));
            }
            if vars[..i].iter().any(|(other, _)| other == name) {
                problems.push(format!("variable \"{name}\" is given twice"));
            }
            if !segments
                .iter()
                .any(|s| matches!(s, Segment::Var(v) if v == name))
            {
                problems.push(format!("variable \"{name}\" is not used in the template"));
            }
        }
        for segment in &segments {
            if let Segment::Var(name) = segment
                && !vars.iter().any(|(v, _)| v == name)
                && Pseudo::from_name(name).is_none()
            {
                problems.push(format!(
                    "${{{name}}} is neither a variable nor a pseudo parameter; pass its value as a variable: fns::sub(template, [(\"{name}\", value)])"
                ));
            }
        }
        if !problems.is_empty() {
            for problem in problems {
                self.error(
                    site,
                    codes::SUB_VARIABLES_INVALID,
                    format!("Fn::Sub template \"{template}\": {problem}"),
                );
            }
            return J::Null;
        }
        let resolved: Vec<(String, J)> = vars
            .iter()
            .map(|(name, value)| (name.clone(), self.resolve(site, value)))
            .collect();
        // Inline what reads better inline: literals, same-stack Refs and GetAtts.
        let mut inline: IndexMap<String, String> = resolved
            .iter()
            .filter_map(|(name, value)| inline_form(value).map(|text| (name.clone(), text)))
            .collect();
        // An inlined `${X}` must not name a variable that stays in the map: CloudFormation
        // would read it as that variable.
        loop {
            let kept: Vec<&String> = resolved
                .iter()
                .map(|(n, _)| n)
                .filter(|n| !inline.contains_key(*n))
                .collect();
            let clash = inline.iter().find_map(|(name, text)| {
                let target = text.strip_prefix("${")?.strip_suffix('}')?;
                kept.iter()
                    .any(|k| k.as_str() == target)
                    .then(|| name.clone())
            });
            match clash {
                Some(name) => {
                    inline.shift_remove(&name);
                }
                None => break,
            }
        }
        let mut out = String::new();
        for segment in &segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Var(name) => match inline.get(name) {
                    Some(text) => out.push_str(text),
                    None => {
                        out.push_str("${");
                        out.push_str(name);
                        out.push('}');
                    }
                },
            }
        }
        let kept: serde_json::Map<String, J> = resolved
            .into_iter()
            .filter(|(name, _)| !inline.contains_key(name))
            .collect();
        if !kept.is_empty() {
            call("Fn::Sub", J::Array(vec![J::String(out), J::Object(kept)]))
        } else if out.contains("${") {
            call("Fn::Sub", J::String(out))
        } else {
            J::String(out)
        }
    }

    /// Renders a condition expression.
    pub(crate) fn condition(&mut self, site: Site, expr: &CondExpr) -> J {
        match expr {
            CondExpr::Equals(a, b) => {
                json!({ "Fn::Equals": [self.resolve(site, a), self.resolve(site, b)] })
            }
            CondExpr::And(items) | CondExpr::Or(items) => {
                let name = if matches!(expr, CondExpr::And(_)) {
                    "Fn::And"
                } else {
                    "Fn::Or"
                };
                let items: Vec<J> = items.iter().map(|c| self.condition(site, c)).collect();
                self.operands(site, name, items)
            }
            CondExpr::Not(inner) => json!({ "Fn::Not": [self.condition(site, inner)] }),
            CondExpr::Condition(target) => {
                json!({ "Condition": self.condition_name(site, *target) })
            }
        }
    }

    /// `Fn::And` or `Fn::Or` of rendered operands, which CloudFormation takes 2 to 10 of.
    fn operands(&mut self, site: Site, name: &str, items: Vec<J>) -> J {
        if !(2..=10).contains(&items.len()) {
            self.error(
                site,
                codes::CONDITION_COUNT,
                format!("{name} takes 2 to 10 conditions, not {}", items.len()),
            );
        }
        json!({ name: items })
    }

    /// Renders a rule expression.
    pub(crate) fn rule(&mut self, site: Site, expr: &RuleExpr) -> J {
        let pair = |r: &mut Self, name: &str, a: &Value, b: &Value| json!({ name: [r.resolve(site, a), r.resolve(site, b)] });
        match expr {
            RuleExpr::Equals(a, b) => pair(self, "Fn::Equals", a, b),
            RuleExpr::Contains(a, b) => pair(self, "Fn::Contains", a, b),
            RuleExpr::EachMemberEquals(a, b) => pair(self, "Fn::EachMemberEquals", a, b),
            RuleExpr::EachMemberIn(a, b) => pair(self, "Fn::EachMemberIn", a, b),
            RuleExpr::And(items) | RuleExpr::Or(items) => {
                let name = if matches!(expr, RuleExpr::And(_)) {
                    "Fn::And"
                } else {
                    "Fn::Or"
                };
                let items: Vec<J> = items.iter().map(|c| self.rule(site, c)).collect();
                self.operands(site, name, items)
            }
            RuleExpr::Not(inner) => json!({ "Fn::Not": [self.rule(site, inner)] }),
        }
    }
}

/// `{name: value}`, the shape of every intrinsic function, as a map of one entry with `value`
/// moved in: `json!` copies what it is given (it serializes it) and leaves room for three
/// entries, and a template holds one of these for every reference.
fn call(name: &str, value: J) -> J {
    let mut map = serde_json::Map::with_capacity(1);
    map.insert(name.to_owned(), value);
    J::Object(map)
}

/// The output id and exported value for a reference `local` (`{"Ref": ..}` or
/// `{"Fn::GetAtt": ..}` as the producer writes it). The id is stable: it depends only on what
/// is exported.
fn export_entry(local: &J, is_list: bool) -> (String, J) {
    let readable = match local_reference(local) {
        Some(LocalRef::Ref(lid)) => format!("Ref{lid}"),
        Some(LocalRef::GetAtt(parts)) => {
            format!("FnGetAtt{}", strip_non_alphanumeric(&parts.join("")))
        }
        None => String::new(),
    };
    let id = output_id("ExportsOutput", &readable, local);
    let value = if is_list {
        json!({ "Fn::Join": [LIST_SEPARATOR, local] })
    } else {
        local.clone()
    };
    (id, value)
}

/// A plain reference as the producing stack writes it.
pub(crate) enum LocalRef<'j> {
    /// `{"Ref": "<logical id>"}`.
    Ref(&'j str),
    /// `{"Fn::GetAtt": ["<logical id>", "<attribute>"]}`: the two parts.
    GetAtt(Vec<&'j str>),
}

/// `local` as a plain `Ref` or `Fn::GetAtt`, if it is one.
pub(crate) fn local_reference(local: &J) -> Option<LocalRef<'_>> {
    let J::Object(map) = local else { return None };
    match (map.get("Ref"), map.get("Fn::GetAtt")) {
        (Some(J::String(lid)), _) => Some(LocalRef::Ref(lid)),
        (_, Some(J::Array(parts))) => Some(LocalRef::GetAtt(
            parts.iter().filter_map(J::as_str).collect(),
        )),
        _ => None,
    }
}

/// The logical id of an output the synthesis adds for `local`: `prefix`, the readable part,
/// and a hash of the value, so that the id depends only on what is output and stays within
/// CloudFormation's 255 characters.
pub(crate) fn output_id(prefix: &str, readable: &str, local: &J) -> String {
    let hash = path_hash(&[local.to_string()]);
    let mut id = format!("{prefix}{readable}");
    id.truncate(255 - hash.len());
    id.push_str(&hash);
    id
}

/// How a resolved `Fn::Sub` variable reads inline, if it can be inlined.
fn inline_form(value: &J) -> Option<String> {
    match value {
        J::String(s) => Some(s.replace("${", "${!")),
        J::Object(map) if map.len() == 1 => match map.iter().next() {
            Some((key, J::String(lid))) if key == "Ref" => Some(format!("${{{lid}}}")),
            Some((key, J::Array(parts))) if key == "Fn::GetAtt" => match parts.as_slice() {
                [J::String(lid), J::String(attr)] => Some(format!("${{{lid}.{attr}}}")),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

#[derive(Debug, PartialEq)]
enum Segment {
    /// Literal text, `${!..}` escapes included as written.
    Text(String),
    /// `${Name}`.
    Var(String),
}

fn parse_sub(template: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut text = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        text.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err("a \"${\" is not closed by \"}\"".into());
        };
        let name = &after[..end];
        if name.starts_with('!') {
            text.push_str("${");
            text.push_str(name);
            text.push('}');
        } else {
            if name.is_empty() {
                return Err("\"${}\" names nothing".into());
            }
            if !text.is_empty() {
                segments.push(Segment::Text(std::mem::take(&mut text)));
            }
            segments.push(Segment::Var(name.to_owned()));
        }
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        segments.push(Segment::Text(text));
    }
    Ok(segments)
}

/// The CloudFormation stack name of a stack node.
pub(crate) fn stack_name(tree: &Tree, stack: NodeId) -> String {
    let data = tree.node(stack);
    match &data.kind {
        NodeKind::Stack(s) => s
            .props
            .stack_name
            .clone()
            .unwrap_or_else(|| data.id.clone()),
        _ => data.id.clone(),
    }
}

/// The environment of a stack node.
pub(crate) fn stack_env(tree: &Tree, stack: NodeId) -> Env {
    match &tree.node(stack).kind {
        NodeKind::Stack(s) => s.props.env.clone(),
        _ => Env::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_templates_parse() {
        assert_eq!(
            parse_sub("arn:${AWS::Partition}:s3:::${Bucket}/*").unwrap(),
            vec![
                Segment::Text("arn:".into()),
                Segment::Var("AWS::Partition".into()),
                Segment::Text(":s3:::".into()),
                Segment::Var("Bucket".into()),
                Segment::Text("/*".into()),
            ]
        );
        assert_eq!(
            parse_sub("${!Literal}-${X}").unwrap(),
            vec![
                Segment::Text("${!Literal}-".into()),
                Segment::Var("X".into())
            ]
        );
        assert!(parse_sub("oops ${X").is_err());
        assert!(parse_sub("${}").is_err());
    }

    #[test]
    fn inline_forms() {
        assert_eq!(inline_form(&json!("a${b}")).as_deref(), Some("a${!b}"));
        assert_eq!(
            inline_form(&json!({"Ref": "Bucket"})).as_deref(),
            Some("${Bucket}")
        );
        assert_eq!(
            inline_form(&json!({"Fn::GetAtt": ["Bucket", "Arn"]})).as_deref(),
            Some("${Bucket.Arn}")
        );
        assert_eq!(inline_form(&json!({"Fn::ImportValue": "X"})), None);
    }

    #[test]
    fn export_ids_are_stable_and_bounded() {
        let (id, value) = export_entry(&json!({"Ref": "MyBucketF68F3FF0"}), false);
        assert!(id.starts_with("ExportsOutputRefMyBucketF68F3FF0"), "{id}");
        assert_eq!(
            id,
            export_entry(&json!({"Ref": "MyBucketF68F3FF0"}), false).0
        );
        assert_eq!(value, json!({"Ref": "MyBucketF68F3FF0"}));
        let long = "A".repeat(255);
        let (id, _) = export_entry(&json!({"Fn::GetAtt": [long, "Arn"]}), true);
        assert_eq!(id.len(), 255);
    }
}
