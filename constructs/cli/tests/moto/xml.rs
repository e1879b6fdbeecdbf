//! A reader of the XML that EC2's query API answers with, for the moto tests: elements and
//! their text; attributes are skipped, and no entity is known but the five XML predefines.
//! Enough for an EC2 answer, which is all it reads; not a general XML parser. (The AWS SDK's
//! EC2 client would read the same answers, but it is the largest crate of the SDK, about a
//! gigabyte of build output and minutes of compiling, for three read-backs.)

/// An element: its name (without a namespace prefix, which EC2's answers do not use), its
/// text, and its child elements in order.
#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The document's root element. Panics, naming what it found, on text that is not
    /// well-formed XML of this shape (a test's failure).
    pub fn parse(xml: &str) -> Element {
        let mut open = vec![Element::default()];
        let mut rest = xml;
        while let Some(start) = rest.find('<') {
            let text = &rest[..start];
            if let Some(top) = open.last_mut() {
                top.text.push_str(&unescape(text));
            }
            let end = start
                + rest[start..]
                    .find('>')
                    .unwrap_or_else(|| panic!("a tag that does not end in {xml:?}"));
            let tag = &rest[start + 1..end];
            rest = &rest[end + 1..];
            if tag.starts_with('?') || tag.starts_with('!') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                let closed = open.pop().filter(|e| e.name == name.trim());
                let (Some(closed), Some(parent)) = (closed, open.last_mut()) else {
                    panic!("</{name}> closes no open element in {xml:?}");
                };
                parent.children.push(closed);
                continue;
            }
            let empty = tag.ends_with('/');
            let name = tag.trim_end_matches('/').split_whitespace().next();
            let element = Element {
                name: name.unwrap_or_default().to_owned(),
                ..Element::default()
            };
            match open.last_mut() {
                Some(parent) if empty => parent.children.push(element),
                _ => open.push(element),
            }
        }
        let document = open.pop().filter(|_| open.is_empty());
        document
            .and_then(|mut d| d.children.pop())
            .unwrap_or_else(|| panic!("no root element, or one left open, in {xml:?}"))
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The child elements named `name` of the first child named `set` (EC2's lists:
    /// `<vpcSet><item>...</item></vpcSet>`); none when there is no such child.
    pub fn items<'a>(&'a self, set: &str) -> impl Iterator<Item = &'a Element> {
        self.child(set)
            .into_iter()
            .flat_map(|s| s.children.iter().filter(|c| c.name == "item"))
    }

    /// The text of the first child element named `name`.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}
