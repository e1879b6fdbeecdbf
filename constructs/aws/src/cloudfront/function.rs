//! `Function`: a CloudFront Function, the JavaScript that runs at the edge on viewer requests
//! and responses (rewriting `/guide/` to `/guide/index.html` for a site behind origin access
//! control, adding headers), attached to a distribution's behaviours with
//! [`Behavior::function`](crate::cloudfront::Behavior::function).
//!
//! A [`KeyValueStore`] gives a function data it reads at the edge (redirect tables, flags),
//! changed without redeploying the function.
//!
//! Limits checked at synthesis ("Quotas on CloudFront Functions", Amazon CloudFront Developer
//! Guide): the code is at most 10 KB; the name (generated from the stack and the construct
//! path) at most 64 characters of letters, digits, `-` and `_`.

use cirrus_cfn::cloudfront::{CfnFunction, CfnKeyValueStore, function, key_value_store};
use cirrus_core::id::path_hash;
use cirrus_core::{Construct, Expr, Node, ResourceRef};

use crate::codes;

/// The largest function code CloudFront accepts, in bytes.
const MAX_CODE: usize = 10 * 1024;

/// The code of a CloudFront Function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionCode {
    /// JavaScript for the `cloudfront-js-2.0` runtime, defining `handler(event)`; from a file
    /// with `include_str!("viewer-request.js")`.
    Inline(String),
    /// Rewrites a request for a directory (`/guide/`, or `/guide` without an extension) to its
    /// `index.html`, as a static site behind origin access control needs: S3's REST endpoint
    /// serves no index documents.
    DirectoryIndex,
}

impl FunctionCode {
    fn source(&self) -> String {
        match self {
            FunctionCode::Inline(code) => code.clone(),
            FunctionCode::DirectoryIndex => [
                "function handler(event) {",
                "  var request = event.request;",
                "  var uri = request.uri;",
                "  if (uri.endsWith('/')) {",
                "    request.uri = uri + 'index.html';",
                "  } else if (uri.lastIndexOf('.') < uri.lastIndexOf('/')) {",
                "    request.uri = uri + '/index.html';",
                "  }",
                "  return request;",
                "}",
                "",
            ]
            .join("\n"),
        }
    }
}

/// Options of a CloudFront Function.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct FunctionProps<'a> {
    /// What the function does. Default: the construct path.
    pub comment: Option<String>,
    /// The key-value store the code reads (`cf.kvs()`), at most one per function: redirects
    /// or feature flags changed without redeploying the function. Default: none.
    pub key_value_store: Option<KeyValueStore<'a>>,
}

/// A CloudFront KeyValueStore: keys and values a CloudFront Function reads at the edge,
/// changed through its API without a new version of the function.
#[derive(Debug, Clone, Copy)]
pub struct KeyValueStore<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnKeyValueStore>,
}

impl<'a> Construct<'a> for KeyValueStore<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

/// Options of a key-value store.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct KeyValueStoreProps {
    /// What the store holds. Default: none.
    pub comment: Option<String>,
    /// The S3 object (its ARN) holding the initial keys and values, as CloudFront's import
    /// format (`{"data": [{"key": .., "value": ..}]}`). Default: an empty store.
    pub import_from: Option<Expr<String>>,
}

impl<'a> KeyValueStore<'a> {
    /// A store named after the stack and its path.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        props: KeyValueStoreProps,
    ) -> KeyValueStore<'a> {
        let node = scope.node().add_child(id);
        if props
            .comment
            .as_ref()
            .is_some_and(|c| c.chars().count() > 128)
        {
            node.error(
                codes::cloudfront::KEY_VALUE_STORE_COMMENT_TOO_LONG,
                "the key-value store's comment is longer than 128 characters, CloudFront's limit",
            );
        }
        let resource = node.add(
            "Resource",
            CfnKeyValueStore {
                comment: props.comment.map(Into::into),
                import_source: props
                    .import_from
                    .map(|arn| key_value_store::ImportSource::new(arn, "S3").into()),
                ..CfnKeyValueStore::new(generated_name(node))
            },
        );
        KeyValueStore { node, resource }
    }

    /// The store's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.resource.attrs().arn()
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnKeyValueStore> {
        self.resource
    }
}

/// A CloudFront Function, published to its `LIVE` stage.
#[derive(Debug, Clone, Copy)]
pub struct Function<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnFunction>,
}

impl<'a> Construct<'a> for Function<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

/// When a function runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionEvent {
    /// Before CloudFront looks in its cache (`viewer-request`): rewrites, redirects.
    ViewerRequest,
    /// Before the response goes to the viewer (`viewer-response`): headers.
    ViewerResponse,
}

impl FunctionEvent {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FunctionEvent::ViewerRequest => "viewer-request",
            FunctionEvent::ViewerResponse => "viewer-response",
        }
    }
}

impl<'a> Function<'a> {
    /// A function running `code`, named after the stack and its path.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        code: FunctionCode,
        props: FunctionProps<'a>,
    ) -> Function<'a> {
        let node = scope.node().add_child(id);
        let source = code.source();
        if source.len() > MAX_CODE {
            node.error(
                codes::cloudfront::FUNCTION_CODE_INVALID,
                format!(
                    "the function's code is {} bytes; CloudFront Functions take at most {MAX_CODE}",
                    source.len()
                ),
            );
        }
        if source.trim().is_empty() {
            node.error(
                codes::cloudfront::FUNCTION_CODE_INVALID,
                "the function's code is empty; it must define handler(event)",
            );
        }
        let name = generated_name(node);
        let comment = props.comment.unwrap_or_else(|| node.path());
        let comment: String = comment.chars().take(128).collect();
        let resource = node.add(
            "Resource",
            CfnFunction {
                auto_publish: Some(true.into()),
                ..CfnFunction::new(
                    source,
                    function::FunctionConfig {
                        key_value_store_associations: props.key_value_store.map(|store| {
                            let association: Expr<function::KeyValueStoreAssociation> =
                                function::KeyValueStoreAssociation::new(store.arn()).into();
                            vec![association].into()
                        }),
                        ..function::FunctionConfig::new(comment, "cloudfront-js-2.0")
                    },
                    name,
                )
            },
        );
        Function { node, resource }
    }

    /// The function's ARN, for a behaviour's function association.
    pub fn arn(&self) -> Expr<String> {
        self.resource.attrs().function_arn()
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnFunction> {
        self.resource
    }
}

/// `<stack>-<path>-<hash>`: unique in the account (function and store names are account-wide),
/// at most 64 characters of letters, digits, `-` and `_`.
fn generated_name(node: Node<'_>) -> String {
    let stack = node.stack().stack_name();
    let path = node.path();
    let hash = path_hash(&[stack.as_str(), path.as_str()]);
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    // The path starts with the stack's id, which the stack's name already stands for.
    let below = path.split_once('/').map_or(path.as_str(), |(_, rest)| rest);
    let mut head = format!("{}-{}", clean(&stack), clean(below));
    head.truncate(64 - hash.len() - 1);
    format!("{head}-{hash}")
}
