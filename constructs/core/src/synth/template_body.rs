//! A stack's template as synthesis keeps it: the text of `<stack>.template.json`.
//!
//! A template held as a JSON value takes about four times the memory of its text (a map with a
//! hash table for every object, a 32-byte value for every string); an app of thousands of
//! resources held its templates as values beside its construct tree, and that was the peak of
//! synthesis. Synthesis now writes each stack's template out as soon as it is complete and
//! keeps the text, which is also exactly what the runner writes and compares; the value is
//! parsed from the text the first time it is read (the deploy runner, `--format yaml`,
//! tests), once.

use std::ops::Deref;
use std::sync::OnceLock;

use serde::{Serialize, Serializer};
use serde_json::Value as J;

use super::pretty;

/// The template of a stack: the text written to `<stack>.template.json` (pretty JSON, two
/// spaces, a final newline), and the JSON value it holds, parsed on first use.
///
/// It reads as the value (`Deref<Target = serde_json::Value>`, like a lazily initialized
/// cell): `stack.template["Resources"]`, `stack.template.get("Outputs")`.
#[derive(Clone)]
pub struct TemplateBody {
    text: String,
    value: OnceLock<J>,
}

impl TemplateBody {
    /// The body of `value`, written as synthesis writes a template.
    pub fn from_value(value: J) -> TemplateBody {
        let text = pretty::text(&value);
        TemplateBody {
            text,
            value: OnceLock::from(value),
        }
    }

    /// The body whose text is `text` and whose value is `value` (what `text` parses to): the
    /// assembly read back from its files.
    pub(crate) fn parsed(text: String, value: J) -> TemplateBody {
        TemplateBody {
            text,
            value: OnceLock::from(value),
        }
    }

    /// The body of a text synthesis wrote from a value it has dropped since.
    pub(crate) fn written(text: String) -> TemplateBody {
        TemplateBody {
            text,
            value: OnceLock::new(),
        }
    }

    /// The file's text: pretty JSON with a final newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The template as a JSON value, parsed from the text on the first call.
    pub fn value(&self) -> &J {
        // The text is serde_json's own output, or a file that parsed when it was read (see
        // the constructors), so parsing it again cannot fail.
        self.value
            .get_or_init(|| serde_json::from_str(&self.text).unwrap_or(J::Null))
    }
}

impl Deref for TemplateBody {
    type Target = J;

    fn deref(&self) -> &J {
        self.value()
    }
}

impl PartialEq for TemplateBody {
    fn eq(&self, other: &TemplateBody) -> bool {
        self.text == other.text
    }
}

impl PartialEq<J> for TemplateBody {
    fn eq(&self, other: &J) -> bool {
        self.value() == other
    }
}

impl std::fmt::Debug for TemplateBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.value(), f)
    }
}

impl Serialize for TemplateBody {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

impl From<J> for TemplateBody {
    fn from(value: J) -> TemplateBody {
        TemplateBody::from_value(value)
    }
}

/// Writes a template whose last section, `Outputs`, is known only once every stack is
/// rendered (automatic exports): the sections before it are written as soon as the stack is
/// rendered, and their values dropped.
#[derive(Debug)]
pub(crate) struct PartialBody {
    /// The pretty text of the template without its `Outputs`: the whole text when there are
    /// none.
    text: String,
    /// The minified size of the template without its `Outputs`.
    size: usize,
}

impl PartialBody {
    /// `head`: the template without `Outputs`.
    pub(crate) fn new(head: &impl Serialize) -> PartialBody {
        let (text, size) = pretty::text_and_size(head);
        PartialBody { text, size }
    }

    /// The whole text, with `outputs` as the last section when there are any, and the minified
    /// size of the whole.
    pub(crate) fn finish(self, outputs: &serde_json::Map<String, J>) -> (TemplateBody, usize) {
        if outputs.is_empty() {
            return (TemplateBody::written(self.text), self.size);
        }
        // `{` and the sections, without the closing "\n}\n" (or "}\n" of an empty object).
        let open = self
            .text
            .strip_suffix("\n}\n")
            .or_else(|| self.text.strip_suffix("}\n"))
            .unwrap_or(&self.text);
        let separator = if open == "{" { "\n" } else { ",\n" };
        // One level down, as a section of the template.
        let (nested, outputs_size) = pretty::nested_text_and_size(outputs, 1);
        let key = "  \"Outputs\": ";
        let close = "\n}\n";
        let mut text = String::with_capacity(
            open.len() + separator.len() + key.len() + nested.len() + close.len(),
        );
        for part in [open, separator, key, &nested, close] {
            text.push_str(part);
        }
        // Minified, the entry adds `"Outputs":`, after a comma unless the head is empty, and
        // the outputs' own size.
        let size = self.size + usize::from(open != "{") + "\"Outputs\":".len() + outputs_size;
        (TemplateBody::written(text), size)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_template_finished_with_its_outputs_is_the_text_of_the_whole() {
        let whole = json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "a\nb", "Value": ""}]}}},
            "Outputs": {"O": {"Value": {"Ref": "B"}, "Export": {"Name": "x"}}, "E": {"Value": []}}
        });
        let mut head = whole.clone();
        let outputs = head
            .as_object_mut()
            .and_then(|t| t.shift_remove("Outputs"))
            .and_then(|o| o.as_object().cloned())
            .unwrap_or_default();
        let (body, size) = PartialBody::new(&head).finish(&outputs);
        assert_eq!(body.text(), TemplateBody::from_value(whole.clone()).text());
        assert_eq!(body, whole);
        assert_eq!(size, serde_json::to_vec(&whole).unwrap().len());

        let without = PartialBody::new(&head).finish(&serde_json::Map::new()).0;
        assert_eq!(without.text(), TemplateBody::from_value(head).text());

        let empty = json!({});
        let only_outputs = json!({"Outputs": outputs.clone()});
        let body = PartialBody::new(&empty).finish(&outputs).0;
        assert_eq!(body.text(), TemplateBody::from_value(only_outputs).text());
        let body = PartialBody::new(&empty).finish(&serde_json::Map::new()).0;
        assert_eq!(body.text(), TemplateBody::from_value(empty).text());
    }

    #[test]
    fn the_value_is_parsed_from_the_text_once() {
        let body = TemplateBody::written("{\n  \"A\": 1\n}\n".to_owned());
        assert_eq!(body["A"], 1);
        assert!(std::ptr::eq(body.value(), body.value()));
    }
}
