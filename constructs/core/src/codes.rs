//! The registry of `cirrus-core`'s diagnostic codes: the checks of the construct tree, the
//! template sections and synthesis. Every code is `CORE-NNN`; ids never change once published
//! and a retired id is never given to another check. `docs/diagnostics.md` lists them with the
//! codes of the other crates.
//!
//! Apps and tests match a diagnostic by its code
//! ([`Annotations::has_error_code`](crate::assertions::Annotations::has_error_code)), and
//! acknowledge one with [`Node::acknowledge`](crate::Node::acknowledge).

crate::codes! {
    APP_NAME_INVALID = error("CORE-001", "the app name is not lower-case letters, digits and '-'");
    CONSTRUCT_ID_INVALID = error("CORE-002", "a construct id is empty or holds characters other than letters, digits, '-' and '_'");
    DUPLICATE_ID = error("CORE-003", "two children of one scope have the same id");
    ID_COLLISION = error("CORE-004", "two sibling ids differ only in '-' or '_' and would share a logical id");
    NOT_A_SCOPE = error("CORE-005", "a child was added below a template element, which cannot have children");
    FOREIGN_DEPENDENCY = error("CORE-006", "a dependency on a construct of another app");
    STATE_IN_USE = error("CORE-007", "a construct's state was used while it was being changed (a bug in the construct)");
    MAPPING_INVALID = error("CORE-008", "a mapping is empty, has invalid keys, too many entries or holds functions");
    EXPORT_NAME_INVALID = error("CORE-009", "an output's export name breaks CloudFormation's rules");
    PARAMETER_CONSTRAINTS = error("CORE-010", "a parameter's default contradicts its constraints, or the constraints contradict each other");
    RESOURCE_TYPE_INVALID = error("CORE-011", "a resource type name is not of the form Service::Provider::Resource");
    PROPERTIES_IN_USE = error("CORE-012", "a resource's properties were used while they were being changed");
    LOGICAL_ID_INVALID = error("CORE-013", "an overriding logical id breaks CloudFormation's rules");
    RULE_EMPTY = error("CORE-014", "a rule has no assertion");
    STACK_NAME_INVALID = error("CORE-015", "a stack name breaks CloudFormation's rules");
    ACCOUNT_INVALID = error("CORE-016", "a stack's account is not a 12-digit AWS account id");
    DESCRIPTION_TOO_LONG = error("CORE-017", "a stack or parameter description is longer than 1024 bytes");
    TAG_KEY_INVALID = error("CORE-018", "a tag key is empty, too long or holds characters tags do not allow");
    TAG_KEY_RESERVED = error("CORE-019", "a tag key uses the prefix aws:, which is reserved for AWS");
    TAG_VALUE_INVALID = error("CORE-020", "a tag value is too long or holds characters tags do not allow");
    TAGS_NOT_PROPAGATED = warning("CORE-021", "tags of enclosing scopes could not be added: the resource's tag property is an expression");
    DEPENDENCY_ON_CONTAINER = error("CORE-022", "a dependency between a construct and one that contains it");
    DEPENDENCY_WITHOUT_EFFECT = warning("CORE-023", "a dependency on a construct without resources has no effect");
    RESOURCE_CYCLE = error("CORE-024", "resources of a stack depend on each other in a cycle");
    STACK_SELF_DEPENDENCY = error("CORE-025", "a stack depends on itself");
    STACK_CYCLE = error("CORE-026", "stacks depend on each other in a cycle");
    LOGICAL_ID_EMPTY = error("CORE-027", "no logical id can be computed: every path component below the stack is Default");
    LOGICAL_ID_DUPLICATE = error("CORE-028", "two elements of a template get the same logical id");
    LOGICAL_ID_RESERVED = error("CORE-029", "a logical id is the one an automatic export needs");
    TOO_MANY_RESOURCES = error("CORE-030", "a stack has more resources than CloudFormation allows");
    TOO_MANY_ELEMENTS = error("CORE-031", "a stack has more parameters, outputs or mappings than CloudFormation allows");
    TEMPLATE_TOO_LARGE = error("CORE-032", "a template is larger than CloudFormation's 1 MB");
    TEMPLATE_NEEDS_S3 = warning("CORE-033", "a template is larger than 51,200 bytes and must be deployed through S3");
    APP_WITHOUT_STACKS = error("CORE-034", "the app has no stacks");
    STACK_WITHOUT_RESOURCES = error("CORE-035", "a stack has no resources");
    PROPERTIES_NOT_OBJECT = error("CORE-036", "a resource's properties are not a JSON object");
    SNAPSHOT_UNSUPPORTED = error("CORE-037", "the Snapshot removal policy on a resource type that does not support it");
    OVERRIDE_FAILED = error("CORE-038", "a property override (JSON patch) cannot be applied");
    NUMBER_INVALID = error("CORE-039", "a number CloudFormation cannot hold (NaN or infinite)");
    SELECT_OUT_OF_RANGE = error("CORE-040", "an Fn::Select index is negative or out of range");
    IF_MISPLACED = error("CORE-041", "Fn::If where CloudFormation does not allow it");
    CIDR_INVALID = error("CORE-042", "Fn::Cidr with a count, bits or block out of range");
    FOREIGN_REFERENCE = error("CORE-043", "a reference to a construct of another app");
    RULE_FUNCTION_MISPLACED = error("CORE-044", "a rule-only function (Fn::ValueOf, ...) used outside the Rules section");
    RULE_FUNCTION_ARGUMENT = error("CORE-045", "a rule function given something other than a parameter of its own stack");
    REFERENCE_IMPOSSIBLE = error("CORE-046", "a reference to an element that cannot be referenced this way");
    REFERENCE_TO_RESOURCE = error("CORE-047", "a condition, rule or mapping refers to a resource");
    REFERENCE_ACROSS_STACKS = error("CORE-048", "a condition, rule or mapping refers to another stack, or a condition or mapping of another stack is used");
    EXPORT_VALUE_INVALID = error("CORE-049", "Stack::export_value given something other than a Ref or GetAtt of its own resource");
    NOT_A_CONDITION = error("CORE-050", "a condition expression names something that is not a condition");
    NOT_A_MAPPING = error("CORE-051", "Fn::FindInMap names something that is not a mapping");
    MAPPING_KEY_MISSING = error("CORE-052", "Fn::FindInMap with a literal key the mapping does not have");
    SUB_MALFORMED = error("CORE-053", "an Fn::Sub template that does not parse");
    SUB_VARIABLES_INVALID = error("CORE-054", "Fn::Sub variables misnamed, given twice or unused, or a placeholder that is neither a variable nor a pseudo parameter");
    CONDITION_COUNT = error("CORE-055", "Fn::And or Fn::Or with fewer than 2 or more than 10 conditions");
    REFERENCE_ACROSS_ENVIRONMENTS = error("CORE-056", "a reference to a resource of a stack in another account or region");
    ACKNOWLEDGEMENT_WITHOUT_REASON = error("CORE-057", "an acknowledgement has an empty reason");
    NOT_ACKNOWLEDGEABLE = error("CORE-058", "an acknowledgement of a code that cannot be acknowledged");
    STALE_ACKNOWLEDGEMENT = warning("CORE-059", "an acknowledged code is not reported at or below the construct", not_acknowledgeable);
    PARAMETER_DEFAULT_REQUIRED = error("CORE-060", "an SSM parameter type without a default (the name of the SSM parameter)");
    REGION_INVALID = error("CORE-061", "a stack's region is not shaped like an AWS region name");
    ARTIFACT_KIND_MISSING = error("CORE-062", "an artifact has no kind, so the runner cannot tell how to deploy it");
    ARTIFACT_ID_CLASH = error("CORE-063", "an artifact's id is also the id of a stack or of another artifact");
    ARTIFACT_RENDER = error("CORE-064", "a file of an artifact cannot be rendered");
    ARTIFACT_CYCLE = error("CORE-065", "artifacts depend on each other in a cycle");
    TOKEN_FOREIGN = error("CORE-066", "a token, or what its value refers to, belongs to another app");
    TOKEN_SEVERAL_STACKS = error("CORE-067", "a token's value refers to resources of several stacks");
    TOKEN_IN_TEMPLATE = error("CORE-068", "a token is used in a template, where the expression itself belongs");
    DEPENDENCY_ON_ARTIFACT = error("CORE-069", "a resource or stack depends on an artifact, which deploys after the stacks");
    CREDENTIAL_PARAMETER_ECHOED = error("CORE-070", "a parameter whose name or default looks like a credential is not NoEcho", acknowledgeable);
    CREDENTIAL_PARAMETER_DEFAULT = error("CORE-071", "a parameter whose name looks like a credential has a default, which the template would hold in plain text", acknowledgeable);
    PLAIN_TEXT_CREDENTIAL = error("CORE-072", "a resource property or output holds what looks like a credential (an access key id, a private key, a webhook URL, a token)", acknowledgeable);
    SECRET_PROPERTY_LITERAL = error("CORE-073", "a property named like a password or key is given as a literal", acknowledgeable);
    REGISTRY_TYPE_UNKNOWN = error("CORE-074", "a resource type the registry does not hold, without a declared reason");
    REGISTRY_PROPERTY_UNKNOWN = error("CORE-075", "a resource property its type does not have");
    REGISTRY_PROPERTY_MISSING = error("CORE-076", "a resource without a property its type requires");
    TOO_MANY_TAGS = error("CORE-077", "a resource with more than 50 tags once its scopes' tags are added");
    REGISTRY_VALUE_SHAPE = error("CORE-078", "a property value of another shape than its type takes (a string where a list belongs, an object where a number does), at any depth");
    REGISTRY_VALUE_NOT_ALLOWED = error("CORE-079", "a property value outside the values the resource specification allows (a log group's retention days, an enum's Other variant)");
    RETAINED_NAME_FIXED = warning("CORE-080", "a resource kept on deletion (Retain) whose name the template fixes, which a failed first create leaves behind");
    REGION_UNKNOWN = error("CORE-081", "a stack's region is shaped like a region name but is in no partition of the region table", acknowledgeable);
}

#[cfg(test)]
mod tests {
    use super::ALL;

    #[test]
    fn ids_are_unique_well_formed_and_of_this_crate() {
        let problems = crate::registry_problems(ALL);
        assert!(problems.is_empty(), "{problems:#?}");
        for code in ALL {
            assert!(
                code.id().starts_with("CORE-"),
                "{} is not a CORE code",
                code.id()
            );
        }
    }
}
