//! A small element tree and its writer (quick-xml).
//!
//! Elements whose children are only elements (*containers*: `div`, `opener`, `list` …) are
//! indented; every other element is written exactly as built, because white space inside mixed
//! content is part of the transcription.

use std::io::Write;

use quick_xml::events::{BytesDecl, BytesEnd, BytesPI, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// A node of the output tree.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    El(El),
    Text(String),
}

/// An element.
#[derive(Clone, Debug)]
pub(crate) struct El {
    pub name: &'static str,
    pub attrs: Vec<(&'static str, String)>,
    pub children: Vec<Node>,
}

impl El {
    pub fn new(name: &'static str) -> El {
        El {
            name,
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }

    pub fn attr(mut self, k: &'static str, v: impl Into<String>) -> El {
        self.attrs.push((k, v.into()));
        self
    }

    pub fn set(&mut self, k: &'static str, v: impl Into<String>) {
        let v = v.into();
        match self.attrs.iter_mut().find(|(n, _)| *n == k) {
            Some(a) => a.1 = v,
            None => self.attrs.push((k, v)),
        }
    }

    /// Adds a token to the space-separated `@rend` list.
    pub fn rend(&mut self, token: &str) {
        match self.attrs.iter_mut().find(|(n, _)| *n == "rend") {
            Some(a) => {
                a.1.push(' ');
                a.1.push_str(token);
            }
            None => self.attrs.push(("rend", token.to_string())),
        }
    }

    pub fn child(mut self, n: impl Into<Node>) -> El {
        self.children.push(n.into());
        self
    }

    pub fn text(self, t: impl Into<String>) -> El {
        self.child(Node::Text(t.into()))
    }

    pub fn push(&mut self, n: impl Into<Node>) {
        let n = n.into();
        if let (Node::Text(t), Some(Node::Text(prev))) = (&n, self.children.last_mut()) {
            prev.push_str(t);
            return;
        }
        self.children.push(n);
    }

    pub fn extend(&mut self, ns: Vec<Node>) {
        for n in ns {
            self.push(n);
        }
    }
}

impl From<El> for Node {
    fn from(e: El) -> Node {
        Node::El(e)
    }
}

/// Elements written with indentation (their content model holds no text).
pub(crate) const CONTAINERS: &[&str] = &[
    "TEI",
    "teiHeader",
    "fileDesc",
    "titleStmt",
    "publicationStmt",
    "sourceDesc",
    "encodingDesc",
    "appInfo",
    "application",
    "editorialDecl",
    "segmentation",
    "profileDesc",
    "handNotes",
    "correspDesc",
    "correspAction",
    "particDesc",
    "listPerson",
    "listOrg",
    "listPlace",
    "settingDesc",
    "person",
    "org",
    "place",
    "msDesc",
    "msIdentifier",
    "availability",
    "respStmt",
    "text",
    "body",
    "div",
    "opener",
    "closer",
    "address",
    "list",
    "floatingText",
];

fn is_container(e: &El) -> bool {
    CONTAINERS.contains(&e.name)
        && e.children
            .iter()
            .all(|c| matches!(c, Node::El(_)) || matches!(c, Node::Text(t) if t.trim().is_empty()))
}

/// Serialises a document: XML declaration, the tei_all `xml-model` instruction, then `root`.
pub(crate) fn write_document(root: &El) -> String {
    let mut w = Writer::new(Vec::new());
    let res: std::io::Result<()> = (|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.get_mut().write_all(b"\n")?;
        w.write_event(Event::PI(BytesPI::new(
            "xml-model href=\"https://tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng\" type=\"application/xml\" schematypens=\"http://relaxng.org/ns/structure/1.0\"",
        )))?;
        w.get_mut().write_all(b"\n")?;
        write_el(&mut w, root, 0, false)?;
        w.get_mut().write_all(b"\n")?;
        Ok(())
    })();
    res.expect("writing to a Vec cannot fail");
    String::from_utf8(w.into_inner()).expect("the writer only writes UTF-8")
}

fn write_el(w: &mut Writer<Vec<u8>>, e: &El, depth: usize, raw: bool) -> std::io::Result<()> {
    // Iterative over containers would be nicer; nesting is bounded (brackets ≤ MAX_DEPTH).
    let mut start = BytesStart::new(e.name);
    for (k, v) in &e.attrs {
        start.push_attribute((*k, v.as_str()));
    }
    if e.children.is_empty() {
        return w.write_event(Event::Empty(start));
    }
    w.write_event(Event::Start(start))?;
    if !raw && is_container(e) {
        for c in &e.children {
            if let Node::El(ce) = c {
                w.get_mut().write_all(b"\n")?;
                for _ in 0..depth + 1 {
                    w.get_mut().write_all(b"  ")?;
                }
                write_el(w, ce, depth + 1, false)?;
            }
        }
        w.get_mut().write_all(b"\n")?;
        for _ in 0..depth {
            w.get_mut().write_all(b"  ")?;
        }
    } else {
        for c in &e.children {
            match c {
                Node::El(ce) => write_el(w, ce, depth + 1, true)?,
                Node::Text(t) => w.write_event(Event::Text(BytesText::from_escaped(
                    quick_xml::escape::partial_escape(t),
                )))?,
            }
        }
    }
    w.write_event(Event::End(BytesEnd::new(e.name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_containers_only() {
        let doc =
            El::new("div").child(El::new("p").text("a ").child(El::new("lb")).text("b & <c>"));
        let s = write_document(&doc);
        assert!(
            s.ends_with("<div>\n  <p>a <lb/>b &amp; &lt;c&gt;</p>\n</div>\n"),
            "{s}"
        );
    }
}
