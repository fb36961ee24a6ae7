//! TEI written by `convert` → the transcription (`teikit text`).
//!
//! The body is walked in document order. Container elements (`div`, `opener`, `closer`,
//! `address`, `list`, `floatingText`, `body`, `postscript`) only structure; every other element
//! child of a container is a *leaf*, one block of the transcription. Leaves are separated by
//! the document's default separator (a blank line, or a line break when `segmentation/@n` is
//! `line`), by `@rend="blank-N"` (N blank lines), or by a preceding `<space quantity="n"/>`
//! (same line, n spaces). Inside a leaf the text is copied, `lb`/`pb` become line breaks and
//! editorial elements get their brackets back.

use roxmltree::{Document, Node, ParsingOptions};
use teikit_diagnostics::{Diagnostic, Span};

const TEI_NS: &str = "http://www.tei-c.org/ns/1.0";

const CONTAINERS: &[&str] = &[
    "body",
    "div",
    "opener",
    "closer",
    "address",
    "list",
    "floatingText",
    "postscript",
    "front",
    "back",
    "group",
];

/// Turns TEI written by [`crate::convert`] back into the transcription.
pub fn to_text(tei: &str) -> Result<String, Vec<Diagnostic>> {
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: u32::MAX,
        entity_resolver: None,
    };
    // Parsing and the walk below recurse; refuse absurdly deep documents first.
    if let Some(at) = too_deep(tei) {
        return Err(vec![Diagnostic::error(
            "convert/too-deep",
            format!("elements are nested more than {MAX_DEPTH} deep"),
        )
        .with_label(Span::new(at, 1), "this start tag")
        .with_help(
            "`teikit text` reads files written by `teikit convert`, which nest a few levels",
        )]);
    }
    let doc = Document::parse_with_options(tei, opts).map_err(|e| {
        let pos = e.pos();
        vec![Diagnostic::error(
            "convert/not-xml",
            format!("the input is not well-formed XML: {e}"),
        )
        .with_context(format!("line {}, column {}", pos.row, pos.col))]
    })?;
    // The walk below recurses; refuse absurdly deep documents instead of exhausting the stack.
    let root = doc.root_element();
    let body = root.descendants().find(|n| {
        n.has_tag_name((TEI_NS, "body")) && n.ancestors().any(|a| a.has_tag_name((TEI_NS, "text")))
    });
    let Some(body) = body else {
        let span = root.range();
        return Err(vec![Diagnostic::error(
            "convert/not-teikit-tei",
            "no TEI <text><body> found: this file was not written by `teikit convert`",
        )
        .with_label(span, "root element")]);
    };
    let line_mode = root
        .descendants()
        .find(|n| n.has_tag_name((TEI_NS, "segmentation")))
        .and_then(|n| attr(n, "n"))
        == Some("line");
    let mut w = Walker {
        out: String::new(),
        leaves: 0,
        pending_spaces: None,
        default_blank: usize::from(!line_mode),
    };
    w.container(body);
    if !w.out.is_empty() {
        w.out.push('\n');
    }
    Ok(w.out)
}

/// The offset of the first start tag nested deeper than [`MAX_DEPTH`], by a linear scan that
/// skips comments, processing instructions, CDATA sections and quoted attribute values.
fn too_deep(xml: &str) -> Option<usize> {
    let b = xml.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(p) = xml[i..].find('<') {
        let at = i + p;
        let rest = &xml[at..];
        let skip_to = |end: &str| rest.find(end).map_or(b.len(), |e| at + e + end.len());
        if rest.starts_with("<!--") {
            i = skip_to("-->");
        } else if rest.starts_with("<![CDATA[") {
            i = skip_to("]]>");
        } else if rest.starts_with("<?") {
            i = skip_to("?>");
        } else if rest.starts_with("<!") {
            i = skip_to(">");
        } else if rest.starts_with("</") {
            depth = depth.saturating_sub(1);
            i = skip_to(">");
        } else {
            // A start tag: find its `>` outside quotes.
            let mut j = at + 1;
            let mut quote = None;
            while j < b.len() {
                match (quote, b[j]) {
                    (None, b'"' | b'\'') => quote = Some(b[j]),
                    (Some(q), c) if c == q => quote = None,
                    (None, b'>') => break,
                    _ => {}
                }
                j += 1;
            }
            if j > 0 && j < b.len() && b[j - 1] != b'/' {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(at);
                }
            }
            i = (j + 1).min(b.len());
        }
        if i >= b.len() {
            break;
        }
    }
    None
}

struct Walker {
    out: String,
    leaves: usize,
    pending_spaces: Option<usize>,
    default_blank: usize,
}

/// The value of `n`'s attribute `name` in no namespace (roxmltree's `attribute` with a plain
/// name would also match a namespaced attribute of that local name).
fn attr<'a>(n: Node<'a, '_>, name: &str) -> Option<&'a str> {
    n.attributes()
        .find(|a| a.namespace().is_none() && a.name() == name)
        .map(|a| a.value())
}

fn rend_has(n: Node, token: &str) -> bool {
    attr(n, "rend").is_some_and(|r| r.split_whitespace().any(|t| t == token))
}

/// Largest run of blank lines or spaces reproduced from one attribute (a hostile file could
/// otherwise ask for terabytes).
const MAX_RUN: usize = 1_000_000;

/// Deepest element nesting `to_text` walks.
const MAX_DEPTH: usize = 512;

fn blank_of(n: Node) -> Option<usize> {
    attr(n, "rend")?
        .split_whitespace()
        .find_map(|t| t.strip_prefix("blank-")?.parse::<usize>().ok())
        .map(|b| b.min(MAX_RUN))
}

fn quantity_of(n: Node) -> usize {
    attr(n, "quantity")
        .and_then(|q| q.parse::<usize>().ok())
        .unwrap_or(1)
        .min(MAX_RUN)
}

fn is_tei(n: Node, name: &str) -> bool {
    n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(TEI_NS)
}

impl Walker {
    fn container(&mut self, n: Node) {
        // Iterative over the children; containers nest only a few levels.
        for c in n.children().filter(Node::is_element) {
            let name = c.tag_name().name();
            if name == "space" && c.tag_name().namespace() == Some(TEI_NS) {
                let q = quantity_of(c);
                self.pending_spaces = Some(q);
            } else if CONTAINERS.contains(&name) && c.tag_name().namespace() == Some(TEI_NS) {
                self.container(c);
            } else {
                self.leaf(c);
            }
        }
    }

    fn leaf(&mut self, n: Node) {
        if let Some(q) = self.pending_spaces.take() {
            self.out.extend(std::iter::repeat_n(' ', q));
        } else {
            let default = if self.leaves == 0 {
                0
            } else {
                self.default_blank
            };
            let blank = blank_of(n).unwrap_or(default);
            let newlines = if self.leaves == 0 { blank } else { blank + 1 };
            self.out.extend(std::iter::repeat_n('\n', newlines));
        }
        self.leaves += 1;
        if matches!(
            n.tag_name().name(),
            "p" | "head"
                | "dateline"
                | "seg"
                | "addrLine"
                | "salute"
                | "signed"
                | "item"
                | "label"
                | "ab"
                | "trailer"
                | "byline"
                | "docDate"
                | "q"
        ) {
            self.children(n);
        } else {
            self.inline(n);
        }
    }

    fn children(&mut self, n: Node) {
        for c in n.children() {
            self.inline(c);
        }
    }

    fn inline(&mut self, n: Node) {
        if n.is_text() {
            self.out.push_str(n.text().unwrap_or(""));
            return;
        }
        if !n.is_element() {
            return;
        }
        let name = n.tag_name().name();
        let double = rend_has(n, "double");
        let (open, close) = if double { ("[[", "]]") } else { ("[", "]") };
        let close = if rend_has(n, "unclosed") { "" } else { close };
        match name {
            "pb" if rend_has(n, "bracketed") => {
                self.out.push_str(open);
                self.out.push_str(attr(n, "n").unwrap_or(""));
                self.out.push_str(close);
            }
            "lb" | "pb" => {
                let default = usize::from(name == "pb");
                let blank = blank_of(n).unwrap_or(default);
                self.out.extend(std::iter::repeat_n('\n', blank + 1));
            }
            "space" => {
                let q = quantity_of(n);
                self.out.extend(std::iter::repeat_n(' ', q));
            }
            "supplied" | "ref" if name == "supplied" || attr(n, "type") == Some("noteAnchor") => {
                self.out.push_str(open);
                self.children(n);
                self.out.push_str(close);
            }
            "gap" => {
                self.out.push_str(open);
                match n.children().find(|c| is_tei(*c, "desc")) {
                    Some(d) => self.children(d),
                    None => self.out.push('…'),
                }
                self.out.push_str(close);
            }
            "stamp" => {
                self.out.push_str(open);
                self.out.push_str(attr(n, "n").unwrap_or("stamp: "));
                self.children(n);
                self.out.push_str(close);
            }
            "note" if attr(n, "type") == Some("footnote") => {
                let mut marker = format!("[{}]", attr(n, "n").unwrap_or(""));
                if !rend_has(n, "tight") {
                    marker.push(' ');
                }
                let start = self.out.len();
                self.children(n);
                // `rend="indent-K"`: the note's first K characters are the line's indentation,
                // written before the marker.
                let indent = attr(n, "rend")
                    .unwrap_or("")
                    .split_whitespace()
                    .find_map(|t| t.strip_prefix("indent-")?.parse::<usize>().ok())
                    .unwrap_or(0);
                let content = &self.out[start..];
                let at = start
                    + content
                        .char_indices()
                        .nth(indent)
                        .map_or(content.len(), |(i, _)| i);
                self.out.insert_str(at, &marker);
            }
            "note" => {
                self.out.push_str(open);
                self.children(n);
                self.out.push_str(close);
            }
            "unclear" | "sic" => {
                if rend_has(n, "bracketed") {
                    self.out.push_str(open);
                    self.children(n);
                    self.out.push('?');
                    self.out.push_str(close);
                    return;
                }
                self.children(n);
                if rend_has(n, "noted") {
                    return;
                }
                if !rend_has(n, "attached") {
                    self.out.push(' ');
                }
                let marker = attr(n, "n").unwrap_or(if name == "sic" { "sic" } else { "?" });
                self.out.push_str(open);
                self.out.push_str(marker);
                self.out.push_str(close);
            }
            "desc" => {}
            _ => self.children(n),
        }
    }
}
