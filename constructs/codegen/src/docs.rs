//! Doc comments from the spec's Markdown: the first paragraph, made safe for rustdoc, wrapped.
//!
//! The upstream text is written for the CloudFormation user guide. Left as is, parts of it
//! would change meaning in rustdoc: an indented line becomes a doc test, `<bucket>` an HTML
//! tag, `[1]` a broken intra-doc link, a wrapped line starting with `- ` a list. This module
//! keeps the words and defuses the syntax.

/// The base of the CloudFormation template reference.
const REFERENCE_BASE: &str =
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference";

/// Longest first paragraph kept whole; longer ones are cut after a sentence.
const MAX_CHARS: usize = 480;

/// The width doc comment lines are wrapped to, counting the indentation and `/// `.
const WIDTH: usize = 100;

/// The first paragraph of `markdown`, on one line, with runs of white space collapsed. Used
/// when extracting the spec, so the committed data holds only what the docs show.
pub fn first_paragraph(markdown: &str) -> String {
    let text = markdown.replace("\r\n", "\n");
    let para = text
        .trim()
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty())
        .unwrap_or("");
    let collapsed = para.split_whitespace().collect::<Vec<_>>().join(" ");
    shorten(&collapsed)
}

/// Cuts `text` after the last sentence that ends within [`MAX_CHARS`].
fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_CHARS {
        return text.to_owned();
    }
    let limit = text
        .char_indices()
        .nth(MAX_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..limit];
    let cut = head
        .match_indices(". ")
        .map(|(i, _)| i + 1)
        .filter(|&i| balanced_backticks(&head[..i]))
        .last();
    match cut {
        Some(i) if i > MAX_CHARS / 4 => head[..i].to_owned(),
        _ => text.to_owned(),
    }
}

fn balanced_backticks(s: &str) -> bool {
    s.matches('`').count() % 2 == 0
}

/// The page of a resource type: `AWS::S3::Bucket` -> `.../aws-resource-s3-bucket.html`.
pub fn resource_url(cfn_type: &str) -> String {
    let parts: Vec<String> = cfn_type
        .split("::")
        .skip(1)
        .map(str::to_ascii_lowercase)
        .collect();
    format!("{REFERENCE_BASE}/aws-resource-{}.html", parts.join("-"))
}

/// The page of a property type: `AWS::S3::Bucket` + `BucketEncryption` ->
/// `.../aws-properties-s3-bucket-bucketencryption.html`.
pub fn property_type_url(cfn_type: &str, type_name: &str) -> String {
    let parts: Vec<String> = cfn_type
        .split("::")
        .skip(1)
        .map(str::to_ascii_lowercase)
        .collect();
    format!(
        "{REFERENCE_BASE}/aws-properties-{}-{}.html",
        parts.join("-"),
        type_name.to_ascii_lowercase()
    )
}

/// Rewrites one paragraph of Markdown so that rustdoc reads it as the prose it is: outside of
/// code spans, `<` and `>` become entities, brackets that are not a link are escaped, bare URLs
/// are wrapped in `<...>`.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_code = false;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            // A run of backticks opens or closes a code span as a whole.
            let mut j = i;
            while j < chars.len() && chars[j] == '`' {
                out.push('`');
                j += 1;
            }
            in_code = !in_code;
            i = j;
            continue;
        }
        if in_code {
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' => out.push_str("\\\\"),
            '[' => {
                if let Some(end) = link_end(&chars, i) {
                    let link: String = chars[i..end].iter().collect();
                    out.push_str(&link);
                    i = end;
                    continue;
                }
                out.push_str("\\[");
            }
            ']' => out.push_str("\\]"),
            'h' if starts_url(&chars, i) => {
                let end = url_end(&chars, i);
                let url: String = chars[i..end].iter().collect();
                out.push('<');
                out.push_str(&url);
                out.push('>');
                i = end;
                continue;
            }
            // The spec writes a space before the period after a link: `[x](url) .`.
            ' ' if matches!(chars.get(i + 1), Some('.' | ','))
                && chars.get(i + 2).is_none_or(|n| n.is_whitespace())
                && i > 0
                && matches!(chars[i - 1], ')' | '*' | '`' | '>') => {}
            _ => out.push(c),
        }
        i += 1;
    }
    if in_code {
        // An unbalanced backtick would swallow the rest of the comment.
        out.push('`');
    }
    out
}

/// The end (exclusive) of a Markdown link `[text](target)` starting at `chars[i]`, when the
/// text holds no brackets and the target no spaces.
fn link_end(chars: &[char], i: usize) -> Option<usize> {
    let close = (i + 1..chars.len()).find(|&j| chars[j] == ']' || chars[j] == '[')?;
    if chars[close] != ']' || chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = (close + 2..chars.len()).find(|&j| chars[j] == ')' || chars[j] == ' ')?;
    (chars[end] == ')').then_some(end + 1)
}

fn starts_url(chars: &[char], i: usize) -> bool {
    let rest: String = chars[i..chars.len().min(i + 8)].iter().collect();
    (rest.starts_with("https://") || rest.starts_with("http://"))
        && (i == 0 || !chars[i - 1].is_ascii_alphanumeric())
}

fn url_end(chars: &[char], i: usize) -> usize {
    let mut end = i;
    while end < chars.len() && !chars[end].is_whitespace() && !"<>()\"'`".contains(chars[end]) {
        end += 1;
    }
    // Trailing punctuation belongs to the sentence, not the URL.
    while end > i && ".,;:".contains(chars[end - 1]) {
        end -= 1;
    }
    end
}

/// Words that must not start a line of a doc comment: they would turn the line into a list
/// item, a heading, a quote, a table row or a code fence.
fn unsafe_at_line_start(word: &str) -> bool {
    let first = word.chars().next().unwrap_or(' ');
    if "-*+>#=|~".contains(first) || word.starts_with("```") {
        return true;
    }
    let digits = word.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && matches!(&word[digits..], "." | ")")
}

/// Wraps `text` into doc comment lines (`/// ...`) at `indent`.
pub fn wrap(text: &str, indent: &str) -> String {
    let width = WIDTH.saturating_sub(indent.len() + 4).max(40);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let fits = line.is_empty() || line.chars().count() + 1 + word.chars().count() <= width;
        if fits || unsafe_at_line_start(word) {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        } else {
            lines.push(std::mem::take(&mut line));
            line.push_str(word);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    let mut out = String::new();
    for l in lines {
        out.push_str(indent);
        out.push_str("/// ");
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// A doc comment of several paragraphs, each wrapped, separated by `///` lines.
pub fn comment(paragraphs: &[String], indent: &str) -> String {
    let mut out = String::new();
    for (n, p) in paragraphs.iter().filter(|p| !p.is_empty()).enumerate() {
        if n > 0 {
            out.push_str(indent);
            out.push_str("///\n");
        }
        out.push_str(&wrap(p, indent));
    }
    out
}

/// A doc comment line that links to the CloudFormation reference, unwrapped.
pub fn reference_link(url: &str, indent: &str) -> String {
    format!("{indent}///\n{indent}/// [CloudFormation reference]({url})\n")
}

/// Joins sentences with a space, adding a period to the first when it has no final
/// punctuation.
pub fn sentences(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            if !out.ends_with(['.', '!', '?', ':']) {
                out.push('.');
            }
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_paragraph_only() {
        let md = "Creates a bucket.\nIn one region.\n\nMore text.\n\n- a list";
        assert_eq!(first_paragraph(md), "Creates a bucket. In one region.");
        assert_eq!(first_paragraph("  \n\nSecond  one"), "Second one");
    }

    #[test]
    fn long_paragraphs_are_cut_after_a_sentence() {
        let sentence = "This sentence has exactly fifty characters in it. ";
        let text = sentence.repeat(20);
        let short = first_paragraph(&text);
        assert!(short.len() <= MAX_CHARS, "{}", short.len());
        assert!(short.ends_with("in it."));
    }

    #[test]
    fn urls() {
        assert_eq!(
            resource_url("AWS::S3::Bucket"),
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html"
        );
        assert_eq!(
            property_type_url("AWS::S3::Bucket", "BucketEncryption"),
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-s3-bucket-bucketencryption.html"
        );
    }

    #[test]
    fn sanitize_defuses_html_links_and_urls() {
        assert_eq!(
            sanitize("arn:aws:s3:::<bucket> and `<kept>`"),
            "arn:aws:s3:::&lt;bucket&gt; and `<kept>`"
        );
        assert_eq!(
            sanitize("See [Guide](https://x.example/a) or [1]."),
            "See [Guide](https://x.example/a) or \\[1\\]."
        );
        assert_eq!(
            sanitize("Go to https://x.example/a. Done"),
            "Go to <https://x.example/a>. Done"
        );
        assert_eq!(sanitize("open `code"), "open `code`");
        assert_eq!(sanitize("see [x](y) . Next"), "see [x](y). Next");
        assert_eq!(sanitize("a . b"), "a . b");
    }

    #[test]
    fn wrap_never_starts_a_line_with_markdown_syntax() {
        let text = format!("{} - not a list 1. nor this # nor that", "word ".repeat(18));
        for width_indent in ["", "    ", "        "] {
            let out = wrap(&text, width_indent);
            for line in out.lines() {
                let body = line.trim_start().trim_start_matches("/// ");
                let first = body.split(' ').next().unwrap();
                assert!(!unsafe_at_line_start(first), "{line:?}");
                assert!(line.len() <= WIDTH || !body.contains(' '), "{line:?}");
            }
        }
    }

    #[test]
    fn sentences_are_joined_with_periods() {
        assert_eq!(sentences(&["The name", "Required."]), "The name. Required.");
        assert_eq!(sentences(&["", "Required."]), "Required.");
        assert_eq!(sentences(&["Done.", "", "Next."]), "Done. Next.");
    }
}
