//! WAFv2: web ACLs for CloudFront distributions and regional resources (load balancers).

mod web_acl;

pub use web_acl::{
    CLOUDFRONT_WEB_ACL_REGION, DefaultAction, ManagedRuleGroup, RateLimit, WebAcl, WebAclProps,
    WebAclScope,
};
