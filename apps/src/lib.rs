//! The app definitions of this project, one module per app. Each app is synthesized into
//! `synth-out/<app name>/`.

use cirrus_core::AppDef;

pub mod docs_site;
pub mod ecommerce;
pub mod eks_progressive;
pub mod external_secrets;
pub mod hello_bucket;
pub mod load_balancer_controller;
pub mod yelp_search;

/// Every app, in the order `synth` and `list` handle them.
pub const APPS: &[AppDef] = &[
    AppDef {
        name: "hello-bucket",
        define: hello_bucket::define,
    },
    AppDef {
        name: "docs-site",
        define: docs_site::define,
    },
    AppDef {
        name: "yelp-search",
        define: yelp_search::define,
    },
    AppDef {
        name: "eks-progressive",
        define: eks_progressive::define,
    },
    AppDef {
        name: "ecommerce",
        define: ecommerce::define,
    },
];
