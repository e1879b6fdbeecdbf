//! Remembering L2 handles in construct state.
//!
//! Handles borrow the app, so the state a construct keeps ([`Node::with_state`]) holds
//! `'static` keys instead and turns them back into handles. This replaces finding a child
//! again by its construct id, which breaks silently when an id changes.

use std::marker::PhantomData;

use cirrus_core::{App, Node, Stack};

/// An L2 handle that can be remembered in construct state.
pub(crate) trait Keyed<'a>: Sized {
    /// What is stored: node and resource keys.
    type Key: Copy + 'static;
    /// The key of this handle.
    fn key(&self) -> Self::Key;
    /// The handle again; `None` only for a key of another app.
    fn from_key(app: &'a App, key: Self::Key) -> Option<Self>;
}

/// The slot of one kind of per-stack singleton `M`, in the stack's state.
struct Slot<M, K> {
    key: Option<K>,
    _marker: PhantomData<fn() -> M>,
}

impl<M, K> Default for Slot<M, K> {
    fn default() -> Self {
        Slot {
            key: None,
            _marker: PhantomData,
        }
    }
}

/// The `T` of kind `M` that `owner` made earlier with [`singleton`], if any.
pub(crate) fn find_singleton<'a, M: 'static, T: Keyed<'a>>(owner: Node<'a>) -> Option<T> {
    owner
        .with_state(|slot: &mut Slot<M, T::Key>| slot.key)
        .and_then(|key| T::from_key(owner.app(), key))
}

/// `owner`'s one `T` of kind `M` (a pipeline's deployment role, a rule's target role), made by
/// `create` on first use and remembered in `owner`'s state, keyed by `M`.
pub(crate) fn singleton<'a, M: 'static, T: Keyed<'a>>(
    owner: Node<'a>,
    create: impl FnOnce() -> T,
) -> T {
    if let Some(existing) = find_singleton::<M, T>(owner) {
        return existing;
    }
    let made = create();
    let key = made.key();
    owner.with_state(|slot: &mut Slot<M, T::Key>| slot.key = Some(key));
    made
}

/// The stack's one `T` of kind `M` (the stack's logs key, its access-log bucket), made by
/// `create` on first use.
pub(crate) fn stack_singleton<'a, M: 'static, T: Keyed<'a>>(
    scope: Node<'a>,
    create: impl FnOnce(Stack<'a>) -> T,
) -> T {
    let stack = scope.stack();
    singleton::<M, T>(stack.node(), || create(stack))
}
