//! The text of a template: pretty JSON, two spaces, a final newline (what reviewers read in
//! pull requests), written with the template's minified size counted on the way.
//!
//! CloudFormation's quotas and the runner's upload are on the minified template. Synthesis
//! writes each template's text anyway; counting the whitespace the pretty format adds while
//! writing it gives the minified size without a second walk over the template (that walk,
//! `size::minified`, was 4% of synthesis at 16,000 resources).

use std::io;

use serde::Serialize;
use serde_json::Value as J;
use serde_json::ser::Formatter;

/// The text of `value` and the size of its minified JSON (`serde_json::to_vec`).
pub(crate) fn text_and_size(value: &impl Serialize) -> (String, usize) {
    let (mut text, size) = nested_text_and_size(value, 0);
    text.push('\n');
    (text, size)
}

/// The text of `value` as it reads `depth` levels down in a pretty document (every line after
/// the first indented by `depth` steps, no final newline), and the size of its minified JSON.
pub(crate) fn nested_text_and_size(value: &impl Serialize, depth: usize) -> (String, usize) {
    let mut out = Vec::with_capacity(4096);
    let mut whitespace = 0;
    let formatter = Pretty {
        depth,
        has_value: false,
        whitespace: &mut whitespace,
    };
    // Writing a JSON value, or a template's head (string keys), into memory cannot fail.
    let _ = value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out, formatter,
    ));
    let size = out.len() - whitespace;
    // serde_json writes UTF-8 only.
    (String::from_utf8(out).unwrap_or_default(), size)
}

/// The text of `value`.
pub(crate) fn text(value: &J) -> String {
    text_and_size(value).0
}

/// serde_json's pretty format with a two-space indent (`serde_json::to_string_pretty`), which
/// also counts the bytes of whitespace it adds: line breaks, indentation, the space after a
/// key's colon.
#[derive(Debug)]
struct Pretty<'c> {
    depth: usize,
    /// Whether the array or object being written has an element yet.
    has_value: bool,
    /// The count, which outlives the serializer that owns the formatter.
    whitespace: &'c mut usize,
}

impl Pretty<'_> {
    fn line<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        *self.whitespace += 1 + 2 * self.depth;
        Ok(())
    }

    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(w)?;
        }
        w.write_all(bracket)
    }

    fn element<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.line(w)
    }
}

impl Formatter for Pretty<'_> {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.element(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.element(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        *self.whitespace += 1;
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn writes_what_serde_json_writes_and_counts_the_minified_size() {
        let values = [
            json!(null),
            json!(7),
            json!("a b: c"),
            json!([]),
            json!({}),
            json!([[]]),
            json!([{}, [], [[], {}], 1]),
            json!({"a": [], "b": {}, "c": [1, [2, [3]]], "d": {"e": {"f": {}}}}),
            json!({"Resources": {"A\nB": {"Type": "AWS::S3::Bucket", "Properties": {"X": [true, null, {"Ref": "Y"}], "S": "  spaced  \t"}}}}),
        ];
        for value in values {
            let (text, size) = super::text_and_size(&value);
            assert_eq!(
                text,
                format!("{}\n", serde_json::to_string_pretty(&value).unwrap())
            );
            assert_eq!(size, serde_json::to_vec(&value).unwrap().len(), "{value}");
        }
    }
}
