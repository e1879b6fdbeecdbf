//! Keys: `'static`, `Copy` names of a node or a resource of one app, for the state a
//! higher-level construct keeps ([`Node::with_state`]) about what it created. Handles borrow the
//! app and cannot be stored in state; keys can, and turn back into handles with the app.
//!
//! Keys replace looking a child up again by its construct id (`find_child("DefaultPolicy")`),
//! which breaks silently when an id changes and cannot tell a resource of the wrong type.

use std::fmt;
use std::marker::PhantomData;

use crate::app::App;
use crate::construct::Node;
use crate::resource::{Resource, ResourceRef};
use crate::tree::ElementRef;

/// The key of a node: see [`Node::key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeKey(pub(crate) ElementRef);

impl NodeKey {
    /// The node's handle, or `None` when `app` is not the app the key was made in.
    pub fn node<'a>(&self, app: &'a App) -> Option<Node<'a>> {
        (app.tree().app_id == self.0.app).then(|| Node::new(app, self.0.node))
    }
}

/// The key of a resource of type `R`: see [`ResourceRef::key`].
pub struct ResourceKey<R> {
    pub(crate) element: ElementRef,
    pub(crate) _type: PhantomData<fn() -> R>,
}

impl<R> Clone for ResourceKey<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for ResourceKey<R> {}

impl<R> PartialEq for ResourceKey<R> {
    fn eq(&self, other: &Self) -> bool {
        self.element == other.element
    }
}

impl<R> Eq for ResourceKey<R> {}

impl<R> fmt::Debug for ResourceKey<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResourceKey({:?})", self.element)
    }
}

impl<R> ResourceKey<R> {
    /// The key of the resource's node.
    pub fn node_key(&self) -> NodeKey {
        NodeKey(self.element)
    }
}

impl<R: Resource> ResourceKey<R> {
    /// The resource's handle, or `None` when `app` is not the app the key was made in.
    pub fn get<'a>(&self, app: &'a App) -> Option<ResourceRef<'a, R>> {
        NodeKey(self.element)
            .node(app)
            .and_then(ResourceRef::from_node)
    }
}
