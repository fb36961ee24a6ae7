//! The RELAX NG compact syntax (<https://relaxng.org/compact-20021121.html>), parsed into the
//! element tree of the equivalent XML syntax, with byte spans into the `.rnc` text, so that
//! one loader (`teikit-relaxng`) serves both syntaxes. Annotations are kept as foreign
//! elements and attributes (TEI's embedded Schematron survives).
//!
//! ```
//! let tree = teikit_rnc::parse("default namespace = \"urn:x\"\nstart = element doc { text }").unwrap();
//! assert_eq!(tree.local, "grammar");
//! let start = tree.elements().next().unwrap();
//! assert_eq!(start.local, "start");
//! let element = start.elements().next().unwrap();
//! let name = element.elements().next().unwrap();
//! assert_eq!((name.local.as_str(), name.attr("ns"), name.text().as_str()), ("name", Some("urn:x"), "doc"));
//! ```
//!
//! The translation follows the spec's appendix A: names become `name`/`nsName`/`anyName`
//! child elements with an `ns` attribute (absent when the namespace is inherited), datatypes
//! get explicit `datatypeLibrary` and `type` attributes, `##` comments become
//! `a:documentation` elements. See `DESIGN.md` for the details and limits.
#![warn(missing_docs)]

mod chars;
mod lex;
mod parser;
mod xml;

use std::ops::Range;

/// The RELAX NG structure namespace.
pub const RNG_NS: &str = "http://relaxng.org/ns/structure/1.0";
/// The namespace of `a:documentation` (RELAX NG DTD compatibility annotations).
pub const ANNOTATIONS_NS: &str = "http://relaxng.org/ns/compatibility/annotations/1.0";
/// The namespace bound to the `xml` prefix.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The XML Schema datatypes library, predeclared as the `xsd` datatypes prefix.
pub const XSD_DATATYPES: &str = "http://www.w3.org/2001/XMLSchema-datatypes";
/// Patterns, name classes, `div`s and annotations nested deeper than this are an error, so
/// that the parser, and every consumer recursing on the tree, has bounded depth (the tree
/// is at most a few times this deep: `(p)*` is one level of nesting but two elements).
pub const MAX_DEPTH: usize = 100;
/// Parsing stops after this many errors.
pub const MAX_ERRORS: usize = 30;

/// An element of the XML-syntax tree equivalent to a compact schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    /// Namespace URI (`RNG_NS` for RELAX NG elements, others for annotations).
    pub ns: String,
    /// Local name (`element`, `choice`, `ref`, …).
    pub local: String,
    /// Attributes (`name`, `ns`, `datatypeLibrary`, `combine`, `href`, annotation attributes).
    pub attributes: Vec<Attribute>,
    /// Children in order.
    pub children: Vec<Node>,
    /// Namespace bindings (prefix, URI) declared on this element, as `xmlns` attributes would
    /// be, and in scope for all its descendants. [`parse`] puts every `namespace` declaration
    /// of the schema on the root element (other elements have none); `""` is the default
    /// namespace declared by `default namespace`. Prefixes bound to `inherit` or to the empty
    /// URI are left out, as the spec's translation does. Used to resolve QNames in `value`s
    /// (e.g. `xsd:QName "p:x"`) as the XML syntax would.
    pub ns_context: Vec<(String, String)>,
    /// Bytes of the `.rnc` text this element was made from (for a `name`: its name token;
    /// for the implicit `grammar` of a schema made of definitions: an empty span where the
    /// definitions start, after the declarations).
    pub span: Range<usize>,
}

/// An attribute of an [`Element`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// Namespace URI (`""` for RELAX NG's own attributes).
    pub ns: String,
    /// Local name.
    pub local: String,
    /// Value.
    pub value: String,
    /// Bytes in the `.rnc` text.
    pub span: Range<usize>,
}

/// A child of an [`Element`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// An element.
    Element(Element),
    /// Text (the content of `name`, `value`, `param`, or annotation text).
    Text(String, Range<usize>),
}

/// A syntax error in a compact schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Lower-case message.
    pub message: String,
    /// Where.
    pub span: Range<usize>,
    /// Secondary places that explain the error, each with a short label (e.g. where the
    /// construct that was not closed started, or the earlier declaration of a duplicate).
    pub notes: Vec<(Range<usize>, String)>,
}

impl ParseError {
    pub(crate) fn new(message: impl Into<String>, span: Range<usize>) -> ParseError {
        ParseError {
            message: message.into(),
            span,
            notes: Vec::new(),
        }
    }

    pub(crate) fn with_note(mut self, span: Range<usize>, label: impl Into<String>) -> ParseError {
        self.notes.push((span, label.into()));
        self
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (bytes {}..{})",
            self.message, self.span.start, self.span.end
        )
    }
}

impl std::error::Error for ParseError {}

impl Element {
    /// The value of the attribute with no namespace named `local`.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.ns.is_empty() && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// Child elements in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(..) => None,
        })
    }

    /// The concatenated text children.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t, _) = n {
                s.push_str(t);
            }
        }
        s
    }

    /// Whether this is the RELAX NG element `local`.
    pub fn is_rng(&self, local: &str) -> bool {
        self.ns == RNG_NS && self.local == local
    }
}

/// Parses a compact-syntax schema into the XML-syntax tree (a `grammar` or a pattern element).
///
/// On failure, returns the errors found (at most [`MAX_ERRORS`]), in text order for
/// lexical errors, then syntax and declaration errors. Never panics; recursion is bounded by
/// [`MAX_DEPTH`]; time is linear in the text size.
pub fn parse(text: &str) -> Result<Element, Vec<ParseError>> {
    if text.len() >= u32::MAX as usize {
        return Err(vec![ParseError::new(
            "the schema is too large (4 GiB or more)",
            0..0,
        )]);
    }
    let mut errors = Vec::new();
    let chs = lex::decode(text, &mut errors);
    let tokens = lex::tokenize(&chs, text.len(), &mut errors);
    drop(chs);
    if !errors.is_empty() {
        return Err(errors);
    }
    parser::parse_tokens(tokens, text.len())
}
