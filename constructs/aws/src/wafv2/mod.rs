//! WAFv2: web ACLs for CloudFront distributions and regional resources (load balancers).
//!
//! An existing web ACL is imported by ARN ([`WebAcl::from_arn`]); the resulting [`ImportedWebAcl`]
//! is what distributions and load balancers take, for an ACL of this app too
//! ([`IWebAcl::to_ref`]), and its scope (CloudFront or regional) is checked against what it
//! protects.

mod web_acl;

pub use web_acl::{
    CLOUDFRONT_WEB_ACL_REGION, DefaultAction, IWebAcl, ImportedWebAcl, ManagedRuleGroup, RateLimit,
    WebAcl, WebAclProps, WebAclScope,
};
