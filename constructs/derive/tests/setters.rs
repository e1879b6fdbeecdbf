//! What `#[derive(Setters)]` generates, field kind by field kind.

use cirrus_derive::Setters;

#[derive(Debug, Default, PartialEq, Setters)]
struct Props {
    /// An optional name. Default: none.
    name: Option<String>,
    /// A list. Default: empty.
    tags: Vec<String>,
    /// A switch. Default: off.
    enabled: bool,
    /// A plain number. Default: 0.
    size: u64,
    /// An optional number. Default: none.
    limit: Option<u32>,
    /// Shadows nothing: the setter is `default_value`.
    default: Option<String>,
    /// No setter.
    #[setters(skip)]
    skipped: u8,
}

/// Numbers are taken as they are, so that a bare literal has the field's type (`impl Into<u32>`
/// would make `30` an `i32` and refuse it).
#[test]
fn setters_wrap_options_collect_lists_and_take_numbers_as_literals() {
    let props = Props::default()
        .name("orders")
        .tags(["a", "b"])
        .enabled(true)
        .size(7)
        .limit(30)
        .default_value("x");
    assert_eq!(
        props,
        Props {
            name: Some("orders".to_owned()),
            tags: vec!["a".to_owned(), "b".to_owned()],
            enabled: true,
            size: 7,
            limit: Some(30),
            default: Some("x".to_owned()),
            skipped: 0,
        }
    );
}

#[test]
fn a_list_setter_replaces_the_list() {
    let props = Props::default().tags(["a"]).tags(["b", "c"]);
    assert_eq!(props.tags, ["b", "c"]);
}

#[test]
fn default_is_still_the_trait_function() {
    // A setter named `default` would shadow `Default::default()` here and not compile.
    let props: Props = Default::default();
    assert_eq!(props, Props::default());
    assert_eq!(props.default, None);
}
