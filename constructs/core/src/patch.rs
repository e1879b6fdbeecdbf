//! RFC 6902 JSON Patch on a rendered resource: the escape hatch for anything the typed model
//! lacks. Paths are RFC 6901 JSON pointers (`/Properties/Tags/0/Value`; `~1` is `/`, `~0` is `~`).

use crate::value::Value;

/// One JSON-patch operation.
#[derive(Debug, Clone, PartialEq)]
pub enum PatchOp {
    /// Adds `value` at `path` (replacing an object member, inserting into an array; `-` appends).
    Add {
        /// Where.
        path: String,
        /// What.
        value: Value,
    },
    /// Removes the value at `path`, which must exist.
    Remove {
        /// Where.
        path: String,
    },
    /// Replaces the value at `path`, which must exist.
    Replace {
        /// Where.
        path: String,
        /// The new value.
        value: Value,
    },
    /// Moves the value at `from` to `path`.
    Move {
        /// Taken from here.
        from: String,
        /// Put here.
        path: String,
    },
    /// Copies the value at `from` to `path`.
    Copy {
        /// Read from here.
        from: String,
        /// Put here.
        path: String,
    },
    /// Fails the patch unless the value at `path` equals `value`.
    Test {
        /// Where.
        path: String,
        /// The expected value.
        value: Value,
    },
    /// Not part of RFC 6902: `add` that first creates missing parent objects.
    Set {
        /// Where.
        path: String,
        /// What.
        value: Value,
    },
}

/// Why a patch operation could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatchError {
    /// The pointer is not RFC 6901 syntax.
    #[error("\"{0}\" is not a JSON pointer: it must be empty or start with '/'")]
    InvalidPointer(String),
    /// Nothing at the pointer (or its parent).
    #[error("nothing at \"{0}\"")]
    NotFound(String),
    /// An array index that is not a number or is out of range.
    #[error("\"{0}\" is not a valid array index at \"{1}\"")]
    BadIndex(String, String),
    /// The pointer goes through a string, number or intrinsic function.
    #[error("cannot go below \"{0}\": it is {1}")]
    NotAContainer(String, &'static str),
    /// A `test` operation failed.
    #[error("test failed: the value at \"{0}\" differs")]
    TestFailed(String),
    /// A `move` into its own descendant.
    #[error("cannot move \"{0}\" into itself")]
    MoveIntoSelf(String),
    /// A JSON patch document that is not well formed.
    #[error("invalid patch operation: {0}")]
    Malformed(String),
}

impl PatchOp {
    /// Reads an RFC 6902 patch document: a JSON array of operation objects.
    pub fn parse_document(doc: &serde_json::Value) -> Result<Vec<PatchOp>, PatchError> {
        let ops = doc
            .as_array()
            .ok_or_else(|| PatchError::Malformed("a patch document is a JSON array".into()))?;
        ops.iter().map(PatchOp::parse).collect()
    }

    fn parse(op: &serde_json::Value) -> Result<PatchOp, PatchError> {
        let field = |name: &str| -> Result<String, PatchError> {
            op.get(name)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| PatchError::Malformed(format!("missing string field \"{name}\"")))
        };
        let value = || -> Result<Value, PatchError> {
            op.get("value")
                .cloned()
                .map(Value::from)
                .ok_or_else(|| PatchError::Malformed("missing field \"value\"".into()))
        };
        let path = field("path")?;
        Ok(match field("op")?.as_str() {
            "add" => PatchOp::Add {
                path,
                value: value()?,
            },
            "remove" => PatchOp::Remove { path },
            "replace" => PatchOp::Replace {
                path,
                value: value()?,
            },
            "move" => PatchOp::Move {
                from: field("from")?,
                path,
            },
            "copy" => PatchOp::Copy {
                from: field("from")?,
                path,
            },
            "test" => PatchOp::Test {
                path,
                value: value()?,
            },
            other => return Err(PatchError::Malformed(format!("unknown op \"{other}\""))),
        })
    }

    /// Applies the operation to `doc`.
    pub fn apply(&self, doc: &mut Value) -> Result<(), PatchError> {
        match self {
            PatchOp::Add { path, value } => add(doc, path, value.clone(), false),
            PatchOp::Set { path, value } => add(doc, path, value.clone(), true),
            PatchOp::Remove { path } => remove(doc, path).map(drop),
            PatchOp::Replace { path, value } => {
                *get_mut(doc, path, &pointer(path)?)? = value.clone();
                Ok(())
            }
            PatchOp::Move { from, path } => {
                if path.starts_with(&format!("{from}/")) {
                    return Err(PatchError::MoveIntoSelf(from.clone()));
                }
                let value = remove(doc, from)?;
                add(doc, path, value, false)
            }
            PatchOp::Copy { from, path } => {
                let value = get_mut(doc, from, &pointer(from)?)?.clone();
                add(doc, path, value, false)
            }
            PatchOp::Test { path, value } => {
                if get_mut(doc, path, &pointer(path)?)? == value {
                    Ok(())
                } else {
                    Err(PatchError::TestFailed(path.clone()))
                }
            }
        }
    }
}

/// The reference tokens of a JSON pointer.
fn pointer(path: &str) -> Result<Vec<String>, PatchError> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| PatchError::InvalidPointer(path.to_owned()))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn index(token: &str, len: usize, path: &str) -> Result<usize, PatchError> {
    let bad = || PatchError::BadIndex(token.to_owned(), path.to_owned());
    if token.is_empty() || (token.len() > 1 && token.starts_with('0')) {
        return Err(bad());
    }
    let i: usize = token.parse().map_err(|_| bad())?;
    if i < len { Ok(i) } else { Err(bad()) }
}

fn step<'v>(
    value: &'v mut Value,
    token: &str,
    path: &str,
    create: bool,
) -> Result<&'v mut Value, PatchError> {
    match value {
        Value::Object(map) => {
            if create && !map.contains_key(token) {
                map.insert(token.to_owned(), Value::object());
            }
            map.get_mut(token)
                .ok_or_else(|| PatchError::NotFound(path.to_owned()))
        }
        Value::Array(items) => {
            let i = index(token, items.len(), path)?;
            Ok(&mut items[i])
        }
        other => Err(PatchError::NotAContainer(path.to_owned(), other.kind())),
    }
}

fn get_mut<'v>(
    doc: &'v mut Value,
    path: &str,
    tokens: &[String],
) -> Result<&'v mut Value, PatchError> {
    let mut cur = doc;
    for token in tokens {
        cur = step(cur, token, path, false)?;
    }
    Ok(cur)
}

fn add(doc: &mut Value, path: &str, value: Value, create_parents: bool) -> Result<(), PatchError> {
    let tokens = pointer(path)?;
    let Some((last, parents)) = tokens.split_last() else {
        *doc = value;
        return Ok(());
    };
    let mut parent = doc;
    for token in parents {
        parent = step(parent, token, path, create_parents)?;
    }
    match parent {
        Value::Object(map) => {
            map.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(items) => {
            if last == "-" {
                items.push(value);
            } else {
                let i = index(last, items.len() + 1, path)?;
                items.insert(i, value);
            }
            Ok(())
        }
        other => Err(PatchError::NotAContainer(path.to_owned(), other.kind())),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, PatchError> {
    let tokens = pointer(path)?;
    let Some((last, parents)) = tokens.split_last() else {
        return Ok(std::mem::take(doc));
    };
    let parent = get_mut(doc, path, parents)?;
    match parent {
        Value::Object(map) => map
            .shift_remove(last)
            .ok_or_else(|| PatchError::NotFound(path.to_owned())),
        Value::Array(items) => {
            let i = index(last, items.len(), path)?;
            Ok(items.remove(i))
        }
        other => Err(PatchError::NotAContainer(path.to_owned(), other.kind())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(doc: serde_json::Value, ops: serde_json::Value) -> Result<Value, PatchError> {
        let mut doc = Value::from(doc);
        for op in PatchOp::parse_document(&ops)? {
            op.apply(&mut doc)?;
        }
        Ok(doc)
    }

    #[test]
    fn rfc_examples() {
        assert_eq!(
            run(
                json!({"foo": "bar"}),
                json!([{"op": "add", "path": "/baz", "value": "qux"}])
            )
            .unwrap(),
            Value::from(json!({"foo": "bar", "baz": "qux"}))
        );
        assert_eq!(
            run(
                json!({"foo": ["bar", "baz"]}),
                json!([{"op": "add", "path": "/foo/1", "value": "qux"}])
            )
            .unwrap(),
            Value::from(json!({"foo": ["bar", "qux", "baz"]}))
        );
        assert_eq!(
            run(
                json!({"foo": ["bar"]}),
                json!([{"op": "add", "path": "/foo/-", "value": "x"}])
            )
            .unwrap(),
            Value::from(json!({"foo": ["bar", "x"]}))
        );
        assert_eq!(
            run(
                json!({"baz": "qux", "foo": "bar"}),
                json!([{"op": "remove", "path": "/baz"}])
            )
            .unwrap(),
            Value::from(json!({"foo": "bar"}))
        );
        assert_eq!(
            run(
                json!({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}}),
                json!([{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}])
            )
            .unwrap(),
            Value::from(json!({"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}))
        );
        assert_eq!(
            run(
                json!({"a/b": 1, "m~n": 2}),
                json!([{"op": "replace", "path": "/a~1b", "value": 3},
                                                    {"op": "copy", "from": "/m~0n", "path": "/c"}])
            )
            .unwrap(),
            Value::from(json!({"a/b": 3, "m~n": 2, "c": 2}))
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            run(
                json!({"a": 1}),
                json!([{"op": "add", "path": "/x/y", "value": 1}])
            ),
            Err(PatchError::NotFound("/x/y".into()))
        );
        assert_eq!(
            run(json!({"a": 1}), json!([{"op": "remove", "path": "/b"}])),
            Err(PatchError::NotFound("/b".into()))
        );
        assert_eq!(
            run(
                json!({"a": [1]}),
                json!([{"op": "replace", "path": "/a/01", "value": 2}])
            ),
            Err(PatchError::BadIndex("01".into(), "/a/01".into()))
        );
        assert_eq!(
            run(
                json!({"a": 1}),
                json!([{"op": "test", "path": "/a", "value": 2}])
            ),
            Err(PatchError::TestFailed("/a".into()))
        );
        assert_eq!(
            run(
                json!({"a": "s"}),
                json!([{"op": "add", "path": "/a/b", "value": 2}])
            ),
            Err(PatchError::NotAContainer("/a/b".into(), "a string"))
        );
        assert!(matches!(
            run(json!({}), json!([{"op": "add", "path": "a", "value": 2}])),
            Err(PatchError::InvalidPointer(_))
        ));
        assert!(matches!(
            run(json!({}), json!([{"op": "frobnicate", "path": "/a"}])),
            Err(PatchError::Malformed(_))
        ));
    }

    #[test]
    fn set_creates_parents() {
        let mut doc = Value::from(json!({"Properties": {}}));
        PatchOp::Set {
            path: "/Properties/A/B".into(),
            value: Value::from("x"),
        }
        .apply(&mut doc)
        .unwrap();
        assert_eq!(doc, Value::from(json!({"Properties": {"A": {"B": "x"}}})));
    }
}
