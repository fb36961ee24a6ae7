//! Safe XML reading for teikit: decoding, well-formedness and namespace checks with byte
//! spans, and hard limits.
//!
//! Reading a document is two calls: [`decode`] turns bytes into text (UTF-8, UTF-16, or
//! ISO-8859-1 when declared), and [`read`] checks well-formedness and namespaces and builds
//! teikit's own [`Document`] in the same pass ([`parse`] builds a [`roxmltree::Document`]
//! after the check instead, for code written against roxmltree). Every failure is one [`Diagnostic`] with a stable code (see
//! [`CODES`]), a message, the byte span where the problem is, a second span where that helps
//! (the start tag of an unclosed element, the first of two duplicate attributes) and a help
//! text. [`parse_with_storage`] also reads the rare documents whose entity values build markup
//! from character references, which roxmltree cannot read directly. [`xml_model`] lists the
//! `<?xml-model?>` schema associations of a parsed document.
//!
//! ```
//! use teikit_xml::{parse, Limits};
//!
//! let err = parse("<TEI>\n  <p>text\n</TEI>\n", &Limits::default()).unwrap_err();
//! assert_eq!(err.code, "xml/unclosed-tag");
//! assert_eq!(err.primary_span().unwrap().offset, 8); // the `<p` that is never closed
//!
//! let doc = parse("<TEI xmlns='http://www.tei-c.org/ns/1.0'/>", &Limits::default()).unwrap();
//! assert_eq!(doc.root_element().tag_name().name(), "TEI");
//! ```
//!
//! Safety: no external entity or DTD is ever read (a reference to one is the error
//! `xml/external-entity`); internal entity expansion, element nesting depth and the number of
//! nodes are bounded by [`Limits`].
#![warn(missing_docs)]
// The error of a failed read is one Diagnostic, by design (one per document, not hot).
#![allow(clippy::result_large_err)]

mod codes;
mod decode;
pub mod lex;
mod model;
mod scan;
pub mod tree;
pub mod uri;

pub use crate::codes::CODES;
pub use crate::decode::{decode, decode_owned};
pub use crate::model::{xml_model, XmlModel};
pub use crate::tree::Document;

use teikit_diagnostics::{Diagnostic, Span};

/// Limits on what a document may make the reader do. The defaults are safe for untrusted
/// input on an 8 MiB stack (the CLI runs its workers with that much).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Maximum element nesting depth.
    pub max_depth: usize,
    /// Maximum number of nodes (elements, text runs, comments, processing instructions).
    pub max_nodes: u32,
    /// Maximum nesting of entity references inside entity replacement text.
    pub max_entity_depth: usize,
    /// Maximum number of entity references expanded in one document.
    pub max_entity_expansions: usize,
    /// Maximum total bytes of entity replacement text expanded in one document.
    pub max_entity_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 1024,
            max_nodes: 50_000_000,
            max_entity_depth: 10,
            max_entity_expansions: 100_000,
            max_entity_bytes: 10 * 1024 * 1024,
        }
    }
}

/// Checks `text` for well-formedness (XML 1.0 and Namespaces in XML 1.0) and builds its tree,
/// or returns the first error. Spans index into `text`.
///
/// An internal entity whose value builds markup from character references
/// (`<!ENTITY e "<&#x61;/>">`) is the error `xml/unsupported-entity` here; [`parse_with_storage`]
/// reads such documents.
pub fn parse<'a>(text: &'a str, limits: &Limits) -> Result<roxmltree::Document<'a>, Diagnostic> {
    let (checked, tree) = check_and_build(text, limits, false);
    checked?;
    tree.unwrap_or_else(|| build(text, text, limits))
}

/// [`parse`], but documents whose entity values build markup from character references are
/// read too: for the tree builder, such a literal is replaced in `storage` by its replacement
/// text, padded to the same length, so every span still indexes `text` (and the tree's
/// [`input_text`](roxmltree::Document::input_text) differs from `text` only inside those
/// literals).
pub fn parse_with_storage<'a>(
    text: &'a str,
    limits: &Limits,
    storage: &'a mut String,
) -> Result<roxmltree::Document<'a>, Diagnostic> {
    let (checked, tree) = check_and_build(text, limits, true);
    let rewrites = checked?;
    if rewrites.is_empty() {
        return tree.unwrap_or_else(|| build(text, text, limits));
    }
    storage.clear();
    storage.push_str(text);
    for (span, new) in &rewrites {
        storage.replace_range(span.offset..span.end(), new);
    }
    let stored: &'a String = storage;
    build(stored, text, limits)
}

/// Checks `text` and builds teikit's own [`Document`] in the same pass, or returns the first
/// error as [`parse`] does (a text that declares no entity is read even where `parse` needs
/// [`parse_with_storage`]'s storage: this builder does not read the DTD's declarations).
/// Texts that declare entities are built by roxmltree after the check and converted, so
/// entity expansion has one implementation.
///
/// ```
/// let doc = teikit_xml::read("<a xmlns='urn:x' n='1'>x &amp; y</a>", &Default::default()).unwrap();
/// let root = doc.root_element();
/// assert_eq!(root.tag_name().namespace(), Some("urn:x"));
/// assert_eq!(root.attribute("", "n"), Some("1"));
/// assert_eq!(root.text(), Some("x & y"));
/// ```
pub fn read<'a>(text: &'a str, limits: &Limits) -> Result<Document<'a>, Diagnostic> {
    too_large(text.len())?;
    match scan::check_and_build(text, limits)? {
        Some(doc) => Ok(doc),
        None => parse(text, limits).map(|d| Document::from_roxmltree(&d)),
    }
}

/// [`read`], reading also the documents [`parse_with_storage`] reads with the help of
/// `storage`.
pub fn read_with_storage<'a>(
    text: &'a str,
    limits: &Limits,
    storage: &'a mut String,
) -> Result<Document<'a>, Diagnostic> {
    too_large(text.len())?;
    match scan::check_and_build(text, limits)? {
        Some(doc) => Ok(doc),
        None => parse_with_storage(text, limits, storage).map(|d| Document::from_roxmltree(&d)),
    }
}

/// The largest text [`read`] builds a tree of: offsets are 32-bit and one string of the
/// tree is at most 2 GiB.
pub const MAX_TREE_TEXT: usize = (1 << 31) - 1;

fn too_large(len: usize) -> Result<(), Diagnostic> {
    if len <= MAX_TREE_TEXT {
        return Ok(());
    }
    Err(Diagnostic::error(
        "xml/too-large",
        format!("the document is {len} bytes, more than the {MAX_TREE_TEXT} bytes a tree can hold"),
    )
    .with_label(Span::new(MAX_TREE_TEXT, 0), "the limit is reached here")
    .with_help("validate it with --stream, which holds no tree"))
}

/// Texts from this size on are checked and built on two threads.
const PARALLEL_FROM: usize = 256 * 1024;

/// Checks `text` and, for a big text that declares no entity, builds its tree at the same
/// time on a second thread. The tree is only a guess until the check passes: the caller
/// uses it only then (and only when the check asked for no rewrite). Without entity
/// declarations roxmltree's work is linear in the text and bounded by `max_nodes`, and 0.21
/// reads nesting without recursion, so building a tree of a text the check will refuse costs
/// no more than building one it accepts.
///
/// Inside a rayon pool the two halves are a `rayon::join` (a busy pool runs them one after
/// the other on this thread); elsewhere the check runs on a scoped thread of its own.
#[allow(clippy::type_complexity)]
fn check_and_build<'a>(
    text: &'a str,
    limits: &Limits,
    rewrite: bool,
) -> (
    Result<Vec<(Span, String)>, Diagnostic>,
    Option<Result<roxmltree::Document<'a>, Diagnostic>>,
) {
    if text.len() < PARALLEL_FROM || text.contains("<!ENTITY") {
        return (scan::check(text, limits, rewrite), None);
    }
    let check = || scan::check(text, limits, rewrite);
    let tree = || build(text, text, limits);
    if rayon::current_thread_index().is_some() {
        let (checked, tree) = rayon::join(check, tree);
        return (checked, Some(tree));
    }
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("teikit-xml-check".into())
            .spawn_scoped(scope, check)
        {
            Ok(handle) => {
                let tree = tree();
                match handle.join() {
                    Ok(checked) => (checked, Some(tree)),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            Err(_) => (check(), None),
        }
    })
}

/// The value of `node`'s attribute `name` in no namespace.
///
/// roxmltree's `Node::attribute` with a plain name matches that local name in any namespace
/// (`attribute("href")` finds `xlink:href` too); XML vocabularies name their own attributes
/// without a prefix, so readers of one want this instead.
///
/// ```
/// let doc = roxmltree::Document::parse(r#"<a xmlns:x="urn:x" x:href="no" href="yes"/>"#).unwrap();
/// assert_eq!(teikit_xml::unqualified_attribute(doc.root_element(), "href"), Some("yes"));
/// ```
pub fn unqualified_attribute<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes()
        .find(|a| a.namespace().is_none() && a.name() == name)
        .map(|a| a.value())
}

fn build<'a>(
    text: &'a str,
    original: &str,
    limits: &Limits,
) -> Result<roxmltree::Document<'a>, Diagnostic> {
    let options = roxmltree::ParsingOptions {
        // Safe: the scanner refused every reference to an external entity and bounded
        // internal expansion; roxmltree never reads external subsets itself.
        allow_dtd: true,
        nodes_limit: limits.max_nodes,
        // Never set: no external entity is ever read.
        entity_resolver: None,
    };
    roxmltree::Document::parse_with_options(text, options).map_err(|e| from_roxmltree(original, &e))
}

/// A roxmltree error the scanner did not predict (the two disagree): reported at its
/// position, so the user still learns where.
fn from_roxmltree(text: &str, e: &roxmltree::Error) -> Diagnostic {
    let pos = e.pos();
    let offset = offset_of(text, pos.row as usize, pos.col as usize);
    let len = text[offset..].chars().next().map_or(0, char::len_utf8);
    let message = e.to_string();
    // roxmltree appends " at ROW:COL"; the span says where.
    let message = match message.rfind(" at ") {
        Some(i) if message[i + 4..].contains(':') => message[..i].to_string(),
        _ => message,
    };
    Diagnostic::error("xml/not-well-formed", message).with_label(Span::new(offset, len), "")
}

/// Byte offset of 1-based `row` and character column `col`.
fn offset_of(text: &str, row: usize, col: usize) -> usize {
    let mut line_start = 0;
    for _ in 1..row {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    text[line_start..]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(text.len(), |(i, _)| line_start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_beyond_the_tree_limit_are_refused_with_a_reason() {
        assert!(too_large(MAX_TREE_TEXT).is_ok());
        let d = too_large(MAX_TREE_TEXT + 1).unwrap_err();
        assert_eq!(d.code, "xml/too-large");
        assert!(d.help.as_deref().unwrap_or("").contains("--stream"));
        assert_eq!(d.primary_span().unwrap().offset, MAX_TREE_TEXT);
    }
}
