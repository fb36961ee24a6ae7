//! The loader's own element tree: RELAX NG elements only (foreign elements and attributes
//! dropped, spec 4.1), each with its byte span, file index, in-scope namespaces and base
//! directory. Built from a teikit-xml tree (XML syntax) or from `teikit_rnc::Element` (compact
//! syntax), so the rest of the loader is syntax-independent.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use teikit_diagnostics::Span;

use crate::ir::Loc;

/// The RELAX NG structure namespace.
pub(crate) const RNG_NS: &str = "http://relaxng.org/ns/structure/1.0";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// The local names of RELAX NG elements (section 3): an element or attribute with one of
/// these names refers to the static string instead of a copy.
const ELEMENT_NAMES: &[&str] = &[
    "ref",
    "value",
    "optional",
    "choice",
    "zeroOrMore",
    "empty",
    "data",
    "define",
    "element",
    "oneOrMore",
    "attribute",
    "param",
    "group",
    "list",
    "text",
    "name",
    "interleave",
    "start",
    "except",
    "grammar",
    "div",
    "include",
    "externalRef",
    "parentRef",
    "notAllowed",
    "mixed",
    "anyName",
    "nsName",
];

/// The attributes RELAX NG defines (section 3).
const ATTRIBUTE_NAMES: &[&str] = &["name", "type", "ns", "datatypeLibrary", "combine", "href"];

/// A name, borrowed from `known` when it is one of them (no allocation for the usual names).
fn intern(name: &str, known: &[&'static str]) -> Cow<'static, str> {
    match known.iter().find(|k| **k == name) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(name.to_string()),
    }
}

/// Is the text content of an element with this local name used (the others may only have
/// whitespace, and only where their first non-blank text is counts)?
fn keeps_text(local: &str) -> bool {
    matches!(local, "value" | "param" | "name")
}

/// An attribute without a namespace (the only kind RELAX NG itself defines).
#[derive(Clone, Debug)]
pub(crate) struct XAttr {
    pub name: Cow<'static, str>,
    pub value: String,
    pub span: Span,
}

/// A RELAX NG element of a schema file.
#[derive(Clone, Debug)]
pub(crate) struct XElem {
    pub local: Cow<'static, str>,
    pub attrs: Vec<XAttr>,
    pub children: Vec<XElem>,
    /// Concatenated text children (whitespace included) of `value`, `param` and `name`, the
    /// only elements whose text is used (empty for the others), and the span of the first
    /// non-blank text child, if any.
    pub text: String,
    pub text_span: Option<Span>,
    /// A foreign (non-RELAX NG) child element was dropped here (not allowed in
    /// `value`/`param`/`name`).
    pub foreign_child: Option<Span>,
    /// An attribute in the RELAX NG namespace or another disallowed attribute.
    pub bad_attr: Option<(String, Span)>,
    pub loc: Loc,
    /// In-scope namespace bindings (prefix, URI); `""` is the default namespace.
    pub ns_ctx: Rc<Vec<(String, String)>>,
    /// Directory against which relative `href`s resolve (from the file path and `xml:base`).
    pub base: Rc<PathBuf>,
}

impl XElem {
    pub fn attr(&self, name: &str) -> Option<&XAttr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// The element's own span in its file, as a `Loc`.
    pub fn loc(&self) -> Loc {
        self.loc
    }

    /// A `Loc` for an attribute of this element, or the element itself.
    pub fn attr_loc(&self, name: &str) -> Loc {
        match self.attr(name) {
            Some(a) => Loc {
                file: self.loc.file,
                span: a.span,
            },
            None => self.loc,
        }
    }

    /// Resolves a namespace prefix in this element's context.
    pub fn resolve_prefix(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        self.ns_ctx
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.as_str())
    }
}

/// The top element of a file: either a RELAX NG element, or the name of the foreign element
/// found there.
pub(crate) enum Top {
    Rng(XElem),
    Foreign { name: String, span: Span },
}

/// Builds the tree from a parsed XML document.
pub(crate) fn from_xml(doc: &teikit_xml::Document<'_>, file: u32, path: &Path) -> Top {
    let root = doc.root_element();
    let base = Rc::new(path.parent().map(Path::to_path_buf).unwrap_or_default());
    if root.tag_name().namespace() != Some(RNG_NS) {
        return Top::Foreign {
            name: root.tag_name().name().to_string(),
            span: start_tag_span(&root),
        };
    }
    Top::Rng(convert_xml(root, file, &base, &Rc::new(Vec::new())))
}

fn start_tag_span(node: &teikit_xml::tree::Node<'_, '_>) -> Span {
    // `<` and the qualified name as written.
    let r = node.range();
    let text = node.document().input_text();
    let tag = text.get(r.start..r.end).unwrap_or("");
    let len = tag
        .char_indices()
        .skip(1)
        .find(|&(_, c)| is_ws(c) || c == '>' || c == '/')
        .map_or(tag.len(), |(i, _)| i);
    Span::new(r.start, len)
}

fn convert_xml(
    node: teikit_xml::tree::Node<'_, '_>,
    file: u32,
    parent_base: &Rc<PathBuf>,
    parent_ns: &Rc<Vec<(String, String)>>,
) -> XElem {
    // Almost every element has its parent's bindings: compare before copying any string
    // (building the list for each element of tei_all was ~100k allocations).
    let bindings = || {
        node.namespaces()
            .map(|n| (n.name().unwrap_or(""), n.uri()))
            .filter(|(p, _)| *p != "xml")
    };
    // Without declarations of its own an element has its parent's bindings (the root's
    // parent list is empty, as are its bindings then).
    let ns_ctx = if !node.has_namespace_declarations()
        || bindings().eq(parent_ns.iter().map(|(p, u)| (p.as_str(), u.as_str())))
    {
        parent_ns.clone()
    } else {
        Rc::new(
            bindings()
                .map(|(p, u)| (p.to_string(), u.to_string()))
                .collect(),
        )
    };
    let mut base = parent_base.clone();
    let mut attrs = Vec::new();
    let mut bad_attr = None;
    for a in node.attributes() {
        match a.namespace() {
            None => attrs.push(XAttr {
                name: intern(a.name(), ATTRIBUTE_NAMES),
                value: a.value().to_string(),
                span: Span::from_range(a.range_value()),
            }),
            Some(XML_NS) if a.name() == "base" => {
                base = Rc::new(resolve_base(&base, a.value()));
            }
            Some(RNG_NS) => {
                if bad_attr.is_none() {
                    bad_attr = Some((a.name().to_string(), Span::from_range(a.range())));
                }
            }
            Some(_) => {}
        }
    }
    // Sized up front: growing the vectors of a 1.1 MB schema's elements was 6% of loading it.
    let local = intern(node.tag_name().name(), ELEMENT_NAMES);
    let keep_text = keeps_text(&local);
    let mut children = Vec::with_capacity(node.children().filter(|c| c.is_element()).count());
    let mut text = String::new();
    let mut text_span = None;
    let mut foreign_child = None;
    for c in node.children() {
        if c.is_element() {
            if c.tag_name().namespace() == Some(RNG_NS) {
                children.push(convert_xml(c, file, &base, &ns_ctx));
            } else if foreign_child.is_none() {
                foreign_child = Some(start_tag_span(&c));
            }
        } else if c.is_text() {
            let t = c.text().unwrap_or("");
            if text_span.is_none() && !t.chars().all(is_ws) {
                text_span = Some(Span::from_range(c.range()));
            }
            if keep_text {
                text.push_str(t);
            }
        }
    }
    XElem {
        local,
        attrs,
        children,
        text,
        text_span,
        foreign_child,
        bad_attr,
        loc: Loc {
            file,
            span: start_tag_span(&node),
        },
        ns_ctx,
        base,
    }
}

fn resolve_base(base: &Path, value: &str) -> PathBuf {
    let v = value.strip_prefix("file://").unwrap_or(value);
    let p = Path::new(v);
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    // An xml:base names a document (or a directory when it ends with '/').
    if value.ends_with('/') {
        joined
    } else {
        joined.parent().map(Path::to_path_buf).unwrap_or(joined)
    }
}

/// XML whitespace.
pub(crate) fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Builds the tree from a compact-syntax parse.
pub(crate) fn from_rnc(root: &teikit_rnc::Element, file: u32, path: &Path) -> Top {
    let base = Rc::new(path.parent().map(Path::to_path_buf).unwrap_or_default());
    if root.ns != teikit_rnc::RNG_NS {
        return Top::Foreign {
            name: root.local.clone(),
            span: Span::from_range(root.span.clone()),
        };
    }
    Top::Rng(convert_rnc(root, file, &base, &Rc::new(Vec::new())))
}

fn convert_rnc(
    e: &teikit_rnc::Element,
    file: u32,
    base: &Rc<PathBuf>,
    parent_ns: &Rc<Vec<(String, String)>>,
) -> XElem {
    let ns_ctx = if e.ns_context.is_empty() {
        parent_ns.clone()
    } else {
        let mut v: Vec<(String, String)> = parent_ns.as_ref().clone();
        for (p, u) in &e.ns_context {
            v.retain(|(q, _)| q != p);
            v.push((p.clone(), u.clone()));
        }
        Rc::new(v)
    };
    let mut attrs = Vec::new();
    let mut bad_attr = None;
    for a in &e.attributes {
        if a.ns.is_empty() {
            attrs.push(XAttr {
                name: intern(&a.local, ATTRIBUTE_NAMES),
                value: a.value.clone(),
                span: Span::from_range(a.span.clone()),
            });
        } else if a.ns == teikit_rnc::RNG_NS && bad_attr.is_none() {
            bad_attr = Some((a.local.clone(), Span::from_range(a.span.clone())));
        }
    }
    let local = intern(&e.local, ELEMENT_NAMES);
    let keep_text = keeps_text(&local);
    let mut children = Vec::with_capacity(e.children.len());
    let mut text = String::new();
    let mut text_span = None;
    let mut foreign_child = None;
    for c in &e.children {
        match c {
            teikit_rnc::Node::Element(ce) => {
                if ce.ns == teikit_rnc::RNG_NS {
                    children.push(convert_rnc(ce, file, base, &ns_ctx));
                } else if foreign_child.is_none() {
                    foreign_child = Some(Span::from_range(ce.span.clone()));
                }
            }
            teikit_rnc::Node::Text(t, span) => {
                if text_span.is_none() && !t.chars().all(is_ws) {
                    text_span = Some(Span::from_range(span.clone()));
                }
                if keep_text {
                    text.push_str(t);
                }
            }
        }
    }
    XElem {
        local,
        attrs,
        children,
        text,
        text_span,
        foreign_child,
        bad_attr,
        loc: Loc {
            file,
            span: Span::from_range(e.span.clone()),
        },
        ns_ctx,
        base: base.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rnc_el(
        local: &str,
        attrs: &[(&str, &str)],
        children: Vec<teikit_rnc::Node>,
    ) -> teikit_rnc::Element {
        teikit_rnc::Element {
            ns: teikit_rnc::RNG_NS.into(),
            local: local.into(),
            attributes: attrs
                .iter()
                .map(|(n, v)| teikit_rnc::Attribute {
                    ns: String::new(),
                    local: (*n).into(),
                    value: (*v).into(),
                    span: 0..1,
                })
                .collect(),
            children,
            ns_context: Vec::new(),
            span: 3..9,
        }
    }

    #[test]
    fn rnc_tree_is_adapted() {
        let mut name = rnc_el(
            "name",
            &[],
            vec![teikit_rnc::Node::Text("x:a".into(), 5..8)],
        );
        name.ns_context = vec![("x".into(), "urn:x".into())];
        let foreign = teikit_rnc::Element {
            ns: "urn:ann".into(),
            local: "documentation".into(),
            attributes: vec![],
            children: vec![],
            ns_context: vec![],
            span: 1..2,
        };
        let el = rnc_el(
            "element",
            &[("ns", "urn:d")],
            vec![
                teikit_rnc::Node::Element(foreign),
                teikit_rnc::Node::Element(name),
                teikit_rnc::Node::Element(rnc_el("empty", &[], vec![])),
            ],
        );
        let Top::Rng(t) = from_rnc(&el, 2, Path::new("/d/s.rnc")) else {
            panic!("not rng");
        };
        assert_eq!(t.local, "element");
        assert_eq!(t.children.len(), 2, "foreign annotation dropped");
        assert_eq!(t.attr("ns").map(|a| a.value.as_str()), Some("urn:d"));
        assert_eq!(t.children[0].resolve_prefix("x"), Some("urn:x"));
        assert_eq!(t.children[0].text, "x:a");
        assert_eq!(t.loc.file, 2);
        assert_eq!(t.loc.span, Span::new(3, 6));
        assert_eq!(t.base.as_path(), Path::new("/d"));
        assert!(t.foreign_child.is_some());
    }

    #[test]
    fn xml_tree_drops_foreign_and_tracks_base() {
        let text = r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0" xmlns:a="urn:a" a:x="1">
  <a:doc>hi</a:doc>
  <div xml:base="sub/other.rng"><start><text/></start></div>
</grammar>"#;
        let doc = teikit_xml::Document::parse(text).unwrap();
        let Top::Rng(t) = from_xml(&doc, 0, Path::new("/s/main.rng")) else {
            panic!("not rng");
        };
        assert!(t.attrs.is_empty());
        assert_eq!(t.children.len(), 1);
        assert_eq!(t.children[0].base.as_path(), Path::new("/s/sub"));
        assert_eq!(&text[t.loc.span.offset..t.loc.span.end()], "<grammar");
    }

    #[test]
    fn xml_tree_shares_bindings_and_keeps_only_needed_text() {
        let text = r#"<element xmlns="http://relaxng.org/ns/structure/1.0" name="a">
  <value>x <!-- c --> y</value>
  <group xmlns:p="urn:p"> z <text/></group>
</element>"#;
        let doc = teikit_xml::Document::parse(text).unwrap();
        let Top::Rng(t) = from_xml(&doc, 0, Path::new("/s/main.rng")) else {
            panic!("not rng");
        };
        let (value, group) = (&t.children[0], &t.children[1]);
        assert!(
            Rc::ptr_eq(&t.ns_ctx, &value.ns_ctx),
            "same bindings, one list"
        );
        assert_eq!(group.resolve_prefix("p"), Some("urn:p"));
        assert!(Rc::ptr_eq(&group.ns_ctx, &group.children[0].ns_ctx));
        assert_eq!(value.text, "x  y");
        // Text where none is allowed is still found (for its error), but not kept.
        assert!(group.text.is_empty());
        let span = group.text_span.expect("non-blank text");
        assert_eq!(&text[span.offset..span.end()], " z ");
        assert!(t.text.is_empty() && t.text_span.is_none());
        assert!(matches!(t.local, Cow::Borrowed("element")));
    }
}
