//! Document validation for teikit: the RELAX NG derivative matcher (after James Clark's
//! algorithm and jing's design) and the checks that run on a parsed document.
//!
//! ```
//! use teikit_relaxng::{Define, NameClass, Pattern, QName, Schema};
//!
//! // start = element doc { text }
//! let schema = Schema {
//!     start: Pattern::Ref(0),
//!     defines: vec![Define {
//!         name: "doc".into(),
//!         name_class: NameClass::Name(QName::new("", "doc")),
//!         content: Pattern::Text,
//!         loc: Default::default(),
//!     }],
//!     files: Vec::new(),
//!     id_types: Vec::new(),
//!     deferred: None,
//! };
//! let grammar = teikit_validate::Grammar::new(schema);
//! let doc = teikit_xml::Document::parse("<doc>hello</doc>").unwrap();
//! assert!(grammar.validate(&doc).is_empty());
//! let doc = teikit_xml::Document::parse("<doc><b/></doc>").unwrap();
//! assert_eq!(grammar.validate(&doc)[0].code, "rng/element-not-allowed");
//! ```
#![warn(missing_docs)]

mod fx;
mod ids;
mod matcher;
mod names;
#[cfg(test)]
mod oracle;
mod split;
mod store;
pub mod stream;
#[cfg(test)]
mod testutil;

use std::sync::Arc;

use crossbeam_utils::sync::{ShardedLock, ShardedLockReadGuard, ShardedLockWriteGuard};

use teikit_diagnostics::{CodeDoc, Diagnostic, Severity, Span};
use teikit_relaxng::datatype::NamespaceContext;
use teikit_relaxng::IdType;

pub use crate::matcher::{Matcher, Name};
use crate::names::NameTable;
use crate::store::{Compiled, Store};
pub use crate::stream::{validate_reader, StreamOptions, StreamOutcome, StreamReport};

/// Every diagnostic code this crate emits.
pub static CODES: &[CodeDoc] = &[
    CodeDoc {
        code: "rng/element-not-allowed",
        severity: Severity::Error,
        summary: "an element occurs where the schema does not allow it (misspelled, miscased, \
                  misplaced, or before something required: \"not allowed yet\"); the label is the \
                  name in its start tag, `help` suggests a close expected name, `url` links the \
                  TEI reference page of the element (or of the suggestion)",
        example: "<p><persname>Anna</persname></p>  →  did you mean <persName>?",
        fix: "use the suggested or one of the expected elements (names are case-sensitive), \
              move the element where it is allowed, or add what must come first",
    },
    CodeDoc {
        code: "rng/attribute-not-allowed",
        severity: Severity::Error,
        summary: "an attribute the element does not take; the label is the attribute name, \
                  `help` suggests a close attribute name the element takes",
        example: "<p nn=\"1\">  →  did you mean @n?",
        fix: "correct the name (see `help`), remove the attribute, or use one of the expected \
              attributes",
    },
    CodeDoc {
        code: "rng/missing-attribute",
        severity: Severity::Error,
        summary: "a required attribute is missing; the label is the element name",
        example: "<date>16 September 1950</date> where @when is required",
        fix: "add the attribute named in the message to the start tag",
    },
    CodeDoc {
        code: "rng/text-not-allowed",
        severity: Severity::Error,
        summary: "text where the element allows only elements (or nothing); the label is the \
                  text without surrounding whitespace",
        example: "<listPerson>Anna</listPerson>",
        fix: "wrap the text in one of the expected elements (see `help`), or remove it",
    },
    CodeDoc {
        code: "rng/incomplete-content",
        severity: Severity::Error,
        summary: "an element ends before its required content; the label is the end tag and \
                  the message names the missing required element(s)",
        example: "<titleStmt></titleStmt>  →  element <titleStmt> is incomplete: missing \
                  required <title>",
        fix: "add the missing element named in the message before the end tag",
    },
    CodeDoc {
        code: "rng/invalid-attribute-value",
        severity: Severity::Error,
        summary: "an attribute value that its datatype or value list does not accept; the \
                  label is the value, the message gives the datatype's reason, `help` the \
                  closest listed value or a swapped day/month",
        example: "<date when=\"1950-16-09\"/>  →  month 16 is out of range; did you mean \
                  1950-09-16?",
        fix: "write a value of the expected type or one of the listed values (see `help`)",
    },
    CodeDoc {
        code: "rng/invalid-data",
        severity: Severity::Error,
        summary: "element content that its datatype or value list does not accept; the label \
                  is the text (or the element name when it is empty)",
        example: "<num>twelve</num> where the content must be an integer",
        fix: "write a value of the expected type or one of the listed values",
    },
    CodeDoc {
        code: "rng/duplicate-id",
        severity: Severity::Error,
        summary: "an ID value used twice in one document; the label is the second value, a \
                  secondary label the first",
        example: "<p xml:id=\"a\"/><p xml:id=\"a\"/>",
        fix: "make every ID unique (the secondary label shows the first use)",
    },
    CodeDoc {
        code: "rng/dangling-idref",
        severity: Severity::Error,
        summary: "an IDREF that names no ID in the document; `help` suggests a close existing ID",
        example: "<ptr target=\"intor\"/> with an IDREF-typed @target and xml:id=\"intro\" \
                  elsewhere  →  did you mean \"intro\"?",
        fix: "correct the reference or add the element with that ID",
    },
];

/// A schema compiled for validation: interned patterns and a derivative memo that is shared
/// by every document validated with it (across threads).
pub struct Grammar {
    cx: Compiled,
    store: ShardedLock<Store>,
    /// ID-typed attributes: element name key → index into `id_attrs` (`u32::MAX`: none).
    /// Every name of the ID table has its own key, so keys identify them exactly.
    id_elements: Vec<u32>,
    id_attrs: Vec<Vec<(u32, IdType)>>,
}

impl Grammar {
    /// Compiles a loaded schema. Only the start pattern is compiled now; element contents and
    /// derivatives are compiled when a document first needs them.
    pub fn new(schema: teikit_relaxng::Schema) -> Grammar {
        Grammar::shared(Arc::new(schema))
    }

    /// [`Grammar::new`] for a schema something else reads too (the CLI encodes it into the
    /// compiled-schema cache on another thread while this one compiles and validates).
    pub fn shared(schema: Arc<teikit_relaxng::Schema>) -> Grammar {
        let names = NameTable::build(&schema);
        let mut id_elements = vec![u32::MAX; names.len()];
        let mut id_attrs: Vec<Vec<(u32, IdType)>> = Vec::new();
        for (e, a, t) in &schema.id_types {
            if *t == IdType::Null {
                continue;
            }
            let ek = names.key(&e.ns, &e.local) as usize;
            if id_elements[ek] == u32::MAX {
                id_elements[ek] = id_attrs.len() as u32;
                id_attrs.push(Vec::new());
            }
            id_attrs[id_elements[ek] as usize].push((names.key(&a.ns, &a.local), *t));
        }
        let cx = Compiled { schema, names };
        let store = Store::new(&cx);
        Grammar {
            cx,
            store: ShardedLock::new(store),
            id_elements,
            id_attrs,
        }
    }

    /// The schema this grammar was compiled from.
    pub fn schema(&self) -> &teikit_relaxng::Schema {
        &self.cx.schema
    }

    /// Number of patterns interned so far (grows as documents exercise the schema).
    pub fn pattern_count(&self) -> usize {
        self.read().len()
    }

    /// A matcher for one document, to drive from any event source (a tree, a streaming
    /// parser).
    pub fn matcher(&self) -> Matcher<'_> {
        Matcher::new(self)
    }

    /// Validates a parsed document; spans in the diagnostics are byte offsets into the
    /// document's text. The document is valid iff no diagnostic is an error.
    ///
    /// A big document is validated by two threads of rayon's current pool when it has two
    /// (see the `split` module); the diagnostics are the same.
    pub fn validate(&self, doc: &teikit_xml::Document<'_>) -> Vec<Diagnostic> {
        self.validate_sized(doc, &split::Sizes::DEFAULT).0
    }

    /// [`Grammar::validate`] with the given split sizes; also returns how many elements were
    /// taken from the thread going backwards.
    fn validate_sized(
        &self,
        doc: &teikit_xml::Document<'_>,
        sizes: &split::Sizes,
    ) -> (Vec<Diagnostic>, usize) {
        let text = doc.input_text();
        let mut m = self.matcher();
        let prolog_end = doc.root_element().range().start;
        let entities = unparsed_entities(&text[..prolog_end]);
        let taken = match split::Plan::new(doc, sizes) {
            // Tests: everything the backward walk does is there before the forward one starts.
            Some(plan) if sizes.always => {
                m.set_unparsed_entities(entities.clone());
                plan.run_backwards(self, text, entities);
                self.walk(&mut m, text, doc.root(), &mut |node| plan.take(node))
            }
            // A big document with a worker thread to spare: another thread validates
            // elements on their own, from the end of the document backwards, while this one
            // goes forwards and takes what the other has done when it gets there.
            Some(plan) => {
                m.set_unparsed_entities(entities.clone());
                rayon::join(
                    || self.walk(&mut m, text, doc.root(), &mut |node| plan.take(node)),
                    || plan.run_backwards(self, text, entities),
                )
                .0
            }
            None => {
                m.set_unparsed_entities(entities);
                self.walk(&mut m, text, doc.root(), &mut |_| None)
            }
        };
        (m.finish(), taken)
    }

    /// Feeds the descendants of `top` to `m` in document order. For each element, `done`
    /// may give the element validated on its own, which `m` takes in place of the element
    /// when it is what validating it here would give (see [`Matcher::open_element`]).
    /// Returns how many elements it took so.
    fn walk<'a, 'i>(
        &self,
        m: &mut Matcher<'_>,
        text: &str,
        top: teikit_xml::tree::Node<'a, 'i>,
        done: &mut dyn FnMut(teikit_xml::tree::Node<'a, 'i>) -> Option<matcher::Subtree>,
    ) -> usize {
        let mut took = 0;
        // Iterative walk: open a node, descend to its first child, close it when it has no
        // further sibling to move on to.
        let mut next = top.first_child();
        while let Some(node) = next {
            let mut taken = false;
            if node.is_element() {
                taken = self.open_start(m, text, node, done(node));
                took += usize::from(taken);
                if !taken {
                    open_rest(m, text, node);
                    if let Some(c) = node.first_child() {
                        next = Some(c);
                        continue;
                    }
                }
            } else if node.is_text() {
                m.text(node.text().unwrap_or(""), Span::from_range(node.range()));
            }
            // Close finished elements and move to the next sibling up the tree.
            let mut cur = node;
            loop {
                if cur.is_element() && !(taken && cur == node) {
                    close(m, text, cur);
                }
                if let Some(s) = cur.next_sibling() {
                    next = Some(s);
                    break;
                }
                match cur.parent() {
                    Some(p) if p != top => cur = p,
                    _ => {
                        next = None;
                        break;
                    }
                }
            }
        }
        took
    }

    /// The start tag's name: `m.open_element`. Returns whether `m` took `sub` in place of the
    /// whole element.
    fn open_start(
        &self,
        m: &mut Matcher<'_>,
        text: &str,
        node: teikit_xml::tree::Node<'_, '_>,
        sub: Option<matcher::Subtree>,
    ) -> bool {
        let (name, name_span) = element_name(text, node);
        let parent = node.parent().unwrap_or(node);
        m.open_element(name, name_span, &NodeNs(parent), sub)
    }

    /// The content of the element(s) named `key` anywhere in the schema, as recovery reads an
    /// unexpected element and the split validates an element on its own (`notAllowed` when
    /// no definition names it).
    fn named_content(&self, key: names::NameKey) -> store::PId {
        let found = self.read().find_memo(key);
        found.unwrap_or_else(|| self.write().find_element(&self.cx, key))
    }

    fn read(&self) -> ShardedLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> ShardedLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Index of the element's ID-typed attribute list, or `u32::MAX`.
    fn id_element(&self, key: u32) -> u32 {
        self.id_elements
            .get(key as usize)
            .copied()
            .unwrap_or(u32::MAX)
    }

    fn id_attribute(&self, elem: u32, key: u32) -> Option<IdType> {
        self.id_attrs
            .get(elem as usize)?
            .iter()
            .find(|(k, _)| *k == key)
            .map(|t| t.1)
    }
}

/// The element's name as a [`Name`], and the span of the name in its start tag.
fn element_name<'a>(text: &'a str, node: teikit_xml::tree::Node<'a, '_>) -> (Name<'a>, Span) {
    let tag = node.tag_name();
    let start = node.range().start;
    let qlen = name_len(&text[start + 1..]);
    let name = Name {
        ns: tag.namespace().unwrap_or(""),
        local: tag.name(),
        qname: &text[start + 1..start + 1 + qlen],
    };
    (name, Span::new(start + 1, qlen))
}

/// The rest of an element's start tag: its attributes and the closing `>`.
fn open_rest(m: &mut Matcher<'_>, text: &str, node: teikit_xml::tree::Node<'_, '_>) {
    let ctx = NodeNs(node);
    // Where the last attribute's value ends: the start tag's `>` is a few bytes on.
    let mut after = None;
    for a in node.attributes() {
        let qr = a.range_qname();
        after = Some(a.range_value().end);
        m.attribute(
            Name {
                ns: a.namespace().unwrap_or(""),
                local: a.name(),
                qname: &text[qr.clone()],
            },
            a.value(),
            &ctx,
            Span::from_range(qr),
            Span::from_range(a.range_value()),
        );
    }
    let start = node.range().start;
    let end = start_tag_end_after(text, start, after).min(node.range().end);
    m.start_tag_close(Span::from_range(start..end));
}

/// [`start_tag_end`] of the start tag at `start`, given where its last attribute's value
/// ends (`None`: it has none): from there only the closing quote, spaces and `>` or `/>` are
/// left, unless a namespace declaration follows (the tree does not list those as
/// attributes) and the tag is read on from there.
fn start_tag_end_after(text: &str, start: usize, value_end: Option<usize>) -> usize {
    let b = text.as_bytes();
    let from = match value_end {
        Some(e) if matches!(b.get(e), Some(b'"' | b'\'')) => e + 1,
        Some(_) => return start_tag_end(text, start),
        None if b.get(start) == Some(&b'<') => start + 1 + name_len(&text[start + 1..]),
        None => return start_tag_end(text, start),
    };
    let mut i = from;
    while b
        .get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
    {
        i += 1;
    }
    match (b.get(i), b.get(i + 1)) {
        (Some(b'>'), _) => i + 1,
        (Some(b'/'), Some(b'>')) => i + 2,
        _ => start_tag_end(text, i),
    }
}

fn close(m: &mut Matcher<'_>, text: &str, node: teikit_xml::tree::Node<'_, '_>) {
    let range = node.range();
    let raw = &text[range.clone()];
    let span = if raw.ends_with("/>") {
        // An empty element is its start tag.
        let end = if raw.starts_with('<') {
            range.end
        } else {
            start_tag_end(text, range.start).min(range.end)
        };
        Span::from_range(range.start..end)
    } else {
        // The end tag is the element's last markup, so its `<` is the last one (found from
        // the end in a few steps, where a substring search would first build a searcher).
        let last = raw.bytes().rposition(|b| b == b'<');
        match last
            .filter(|&i| raw[i..].starts_with("</"))
            .or_else(|| raw.rfind("</"))
        {
            Some(i) => Span::from_range(range.start + i..range.end),
            None => Span::from_range(range),
        }
    };
    m.end_tag(span, &NodeNs(node));
}

/// The in-scope namespaces of a tree node.
struct NodeNs<'a, 'input>(teikit_xml::tree::Node<'a, 'input>);

impl NamespaceContext for NodeNs<'_, '_> {
    fn resolve(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some("http://www.w3.org/XML/1998/namespace");
        }
        self.0.lookup_namespace_uri(if prefix.is_empty() {
            None
        } else {
            Some(prefix)
        })
    }
}

/// Names of the unparsed entities (`<!ENTITY name … NDATA notation>`) declared in the internal
/// subset of the document type declaration in `prolog` (comments, PIs, parameter entities
/// and quoted literals are skipped).
fn unparsed_entities(prolog: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(dt) = prolog.find("<!DOCTYPE") else {
        return out;
    };
    let b = prolog.as_bytes();
    let mut i = dt + 9;
    // up to the `[` that opens the internal subset, skipping quoted system/public ids
    loop {
        match b.get(i) {
            None | Some(b'>') => return out,
            Some(b'[') => break,
            Some(&q @ (b'"' | b'\'')) => {
                i = skip_quoted(b, i, q);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    i += 1;
    while i < b.len() {
        let rest = &prolog[i..];
        if rest.starts_with(']') {
            break;
        } else if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(b.len(), |e| i + e + 3);
        } else if rest.starts_with("<?") {
            i = rest.find("?>").map_or(b.len(), |e| i + e + 2);
        } else if rest.starts_with('<') {
            // a markup declaration: find its end, noting the words outside literals
            let is_entity = rest.starts_with("<!ENTITY");
            let mut words: Vec<&str> = Vec::new();
            let mut j = i + 1;
            let mut word_start = None;
            while j < b.len() && b[j] != b'>' {
                let c = b[j];
                if c == b'"' || c == b'\'' {
                    if let Some(ws) = word_start.take() {
                        words.push(&prolog[ws..j]);
                    }
                    j = skip_quoted(b, j, c);
                    continue;
                }
                if c.is_ascii_whitespace() {
                    if let Some(ws) = word_start.take() {
                        words.push(&prolog[ws..j]);
                    }
                } else if word_start.is_none() {
                    word_start = Some(j);
                }
                j += 1;
            }
            if let Some(ws) = word_start {
                words.push(&prolog[ws..j.min(b.len())]);
            }
            // words: ["!ENTITY", name, …, "NDATA", notation]
            if is_entity && words.len() >= 2 && words[1] != "%" && words.contains(&"NDATA") {
                out.push(words[1].to_string());
            }
            i = j + 1;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// Offset just past the literal quoted with `q` that starts at `i`.
fn skip_quoted(b: &[u8], i: usize, q: u8) -> usize {
    b[i + 1..]
        .iter()
        .position(|&c| c == q)
        .map_or(b.len(), |p| i + 1 + p + 1)
}

/// Length of the XML name at the start of `s`.
fn name_len(s: &str) -> usize {
    s.find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(s.len())
}

/// Offset one past the `>` that ends the start tag beginning at `start`.
fn start_tag_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut quote = 0u8;
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if quote != 0 {
            if b == quote {
                quote = 0;
            }
        } else if b == b'"' || b == b'\'' {
            quote = b;
        } else if b == b'>' {
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn grammar_is_shareable() {
        assert_send_sync::<Grammar>();
    }

    #[test]
    fn codes_are_unique_and_namespaced() {
        let mut seen = std::collections::HashSet::new();
        for c in CODES {
            assert!(c.code.starts_with("rng/"), "{}", c.code);
            assert!(seen.insert(c.code), "duplicate {}", c.code);
        }
    }

    #[test]
    fn unparsed_entity_declarations() {
        let p = r#"<?xml version="1.0"?>
<!DOCTYPE doc SYSTEM "a[b].dtd" [
  <!-- <!ENTITY no SYSTEM "x" NDATA n> -->
  <!NOTATION gif SYSTEM "image/gif">
  <!ENTITY pic SYSTEM "pic.gif" NDATA gif>
  <!ENTITY % pe "<!ENTITY fake SYSTEM 'y' NDATA gif>">
  <!ENTITY text "NDATA is just a word here">
  <!ENTITY other PUBLIC "-//x//y" 'o.png' NDATA png>
]>
"#;
        assert_eq!(unparsed_entities(p), vec!["pic", "other"]);
        assert!(unparsed_entities("<!DOCTYPE doc>").is_empty());
        assert!(unparsed_entities("").is_empty());
    }

    #[test]
    fn start_tag_scanning() {
        let t = "<a b='>' c=\"x\">x</a>";
        assert_eq!(start_tag_end(t, 0), 15);
        // From the last attribute's value, the name, or a declaration after it.
        assert_eq!(start_tag_end_after(t, 0, Some(13)), 15);
        assert_eq!(start_tag_end_after("<a  >", 0, None), 5);
        assert_eq!(start_tag_end_after("<a\n/>", 0, None), 5);
        let ns = "<a b='1' xmlns:c='>'>x</a>";
        assert_eq!(start_tag_end_after(ns, 0, Some(6)), 21);
        assert_eq!(start_tag_end_after("<a b='1' / >", 0, Some(6)), 12);
        assert_eq!(name_len("tei:p rend='x'>"), 5);
        assert_eq!(name_len("p/>"), 1);
    }
}
