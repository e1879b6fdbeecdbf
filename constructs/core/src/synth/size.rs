//! The size of a template as minified JSON, counted without serializing it.
//!
//! CloudFormation's quotas (and the runner's upload) are on the minified template. Counting
//! through `serde_json::to_writer` formats every number and escapes every string only to
//! count the bytes; at thousands of resources that was a few percent of synthesis. This walk
//! adds up the lengths serde_json would write, byte for byte (a test compares the two).

use serde_json::Value as J;

/// Bytes of `serde_json::to_vec(value)`.
pub(crate) fn minified(value: &J) -> usize {
    match value {
        J::Null => 4,
        J::Bool(true) => 4,
        J::Bool(false) => 5,
        J::Number(n) => number(n),
        J::String(s) => string(s),
        J::Array(items) => {
            2 + items.len().saturating_sub(1) + items.iter().map(minified).sum::<usize>()
        }
        J::Object(map) => {
            2 + map.len().saturating_sub(1)
                + map
                    .iter()
                    .map(|(k, v)| string(k) + 1 + minified(v))
                    .sum::<usize>()
        }
    }
}

/// An integer's digits and sign; any other number as serde_json formats it (rare in
/// templates).
fn number(n: &serde_json::Number) -> usize {
    if let Some(i) = n.as_u64() {
        digits(i)
    } else if let Some(i) = n.as_i64() {
        1 + digits(i.unsigned_abs())
    } else {
        n.to_string().len()
    }
}

fn digits(mut i: u64) -> usize {
    let mut count = 1;
    while i >= 10 {
        i /= 10;
        count += 1;
    }
    count
}

/// A string with its quotes and serde_json's escapes: `\"`, `\\`, the short escapes of
/// backspace, tab, newline, form feed and carriage return, `\u00XX` for the other control
/// characters; everything else (DEL and non-ASCII too) as it is.
fn string(s: &str) -> usize {
    let extra: usize = s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | 0x08 | 0x09 | 0x0a | 0x0c | 0x0d => 1,
            0x00..=0x1f => 5,
            _ => 0,
        })
        .sum();
    2 + s.len() + extra
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn counts_what_serde_json_writes() {
        let control: String = (0u8..0x20).map(char::from).collect();
        let values = [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(9),
            json!(10),
            json!(-1),
            json!(-1234567890),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.5),
            json!(-0.001),
            json!(1e300),
            json!(""),
            json!("plain"),
            json!("quote \" backslash \\ slash / del \u{7f} é 日本 🎉"),
            json!(control),
            json!([]),
            json!({}),
            json!([1, "two", [3], {"four": 4}]),
            json!({"Resources": {"A\nB": {"Type": "AWS::S3::Bucket", "Properties": {"X": [true, null, {"Ref": "Y"}]}}}}),
        ];
        for value in values {
            assert_eq!(
                super::minified(&value),
                serde_json::to_vec(&value).unwrap().len(),
                "{value}"
            );
        }
    }
}
