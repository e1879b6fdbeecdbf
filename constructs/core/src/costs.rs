//! Resources billed whether they are used or not (a KMS key, a NAT gateway, a WAF web ACL, an
//! EKS control plane), recorded by the constructs that create them so that `synth` can say what
//! an app costs standing still, why each is there and how to turn it off. Not written to the
//! cloud assembly: it is what the construct library knows about AWS pricing models, not part of
//! what is deployed.

/// A resource with a standing cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandingCost {
    /// What it is, and how it is billed (`a KMS key, billed monthly`).
    pub what: String,
    /// Why the construct created it.
    pub why: String,
    /// The prop or call that does without it.
    pub turn_off: String,
}

/// A standing cost of a synthesized app, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandingCostEntry {
    /// The artifact id of the stack.
    pub stack: String,
    /// The construct path of the resource.
    pub path: String,
    /// The cost.
    pub cost: StandingCost,
}
