//! teikit's own read-only document tree, built by the well-formedness scanner in the same
//! pass that checks the text.
//!
//! The node model is roxmltree's, on purpose, so that readers written against one read the
//! other the same way: a root node whose children are the prolog's and epilog's comments and
//! processing instructions (those inside the DOCTYPE's internal subset too) and the root
//! element; elements with their attributes (namespace
//! declarations are not attributes) and children; text nodes holding the text as the XML
//! specification gives it to an application (line ends normalised, references replaced,
//! adjacent text and CDATA sections merged into one node whose range is that of its first
//! piece); comments and processing instructions. Ranges are byte offsets into the text.
//!
//! What differs is how it is stored: one vector of fixed-size nodes linked by `u32` indices,
//! one of attributes, one of namespace declarations, and one string arena for the texts and
//! values that are not slices of the input as they stand (those with references, carriage
//! returns or merged pieces). Reading a document costs one pass over its text instead of the
//! scanner's pass followed by roxmltree's.
//!
//! A document that declares entities is read by roxmltree after the scanner has checked it
//! (entity expansion is roxmltree's there) and converted ([`Document::from_roxmltree`]); the
//! test suite checks that both ways give the same tree.

use std::fmt;
use std::ops::Range;

/// `u32::MAX`: no node / no string.
const NONE: u32 = u32::MAX;
/// The flag in [`Str::len`] saying the string is in the arena, not the input.
const OWNED: u32 = 1 << 31;

pub use crate::lex::XML_NS;

/// A string of the document: a slice of the input text, or of the arena when
/// `len & OWNED`. `len == NONE` is "no string".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Str {
    at: u32,
    len: u32,
}

impl Str {
    pub(crate) const NONE: Str = Str { at: 0, len: NONE };

    pub(crate) fn input(range: Range<usize>) -> Str {
        Str {
            at: range.start as u32,
            len: (range.end - range.start) as u32,
        }
    }

    fn is_none(self) -> bool {
        self.len == NONE
    }

    pub(crate) fn is_owned(self) -> bool {
        !self.is_none() && self.len & OWNED != 0
    }
}

/// What kind of node a [`Node`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeType {
    /// The document node, parent of the root element.
    Root,
    /// An element.
    Element,
    /// Character data (text, references and CDATA sections, merged).
    Text,
    /// A comment.
    Comment,
    /// A processing instruction.
    PI,
}

#[derive(Clone, Debug)]
pub(crate) struct NodeData {
    parent: u32,
    next_sibling: u32,
    first_child: u32,
    last_child: u32,
    start: u32,
    end: u32,
    kind: NodeType,
    /// Element: local name; text and comment: the text; PI: the target.
    a: Str,
    /// Element: namespace URI; PI: the value.
    b: Str,
    /// Element: its attributes, `attrs[attr_start..attr_end]`.
    attr_start: u32,
    attr_end: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct AttrData {
    start: u32,
    qname_len: u32,
    value_start: u32,
    value_end: u32,
    ns: Str,
    local: Str,
    value: Str,
}

/// A namespace declaration of an element.
#[derive(Clone, Debug)]
pub(crate) struct NsDecl {
    node: u32,
    /// `Str::NONE` for the default namespace.
    prefix: Str,
    uri: Str,
}

/// A parsed, well-formed document (see the [module](self) documentation).
pub struct Document<'input> {
    text: &'input str,
    nodes: Vec<NodeData>,
    attrs: Vec<AttrData>,
    ns_decls: Vec<NsDecl>,
    arena: String,
}

impl fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Document({} nodes)", self.nodes.len())
    }
}

/// A node's position in its document, usable as a map key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    /// The index of the node in document order (the root is 0).
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

impl<'input> Document<'input> {
    /// Reads `text` with the default [`Limits`](crate::Limits): [`crate::read`] without
    /// storage for rewritten entity literals.
    #[allow(clippy::result_large_err)]
    pub fn parse(text: &'input str) -> Result<Document<'input>, teikit_diagnostics::Diagnostic> {
        crate::read(text, &crate::Limits::default())
    }

    /// The text the document was read from; every range indexes it.
    pub fn input_text(&self) -> &'input str {
        self.text
    }

    /// The document node.
    pub fn root(&self) -> Node<'_, 'input> {
        Node { doc: self, id: 0 }
    }

    /// The root element.
    pub fn root_element(&self) -> Node<'_, 'input> {
        self.root()
            .children()
            .find(Node::is_element)
            .expect("a well-formed document has a root element")
    }

    /// Every node in document order, the document node first.
    pub fn descendants(&self) -> Descendants<'_, 'input> {
        self.root().descendants()
    }

    /// The node with this id.
    pub fn get_node(&self, id: NodeId) -> Option<Node<'_, 'input>> {
        (id.get() < self.nodes.len()).then_some(Node {
            doc: self,
            id: id.0,
        })
    }

    fn str(&self, s: Str) -> &str {
        let (from, len) = if s.len & OWNED != 0 {
            (self.arena.as_str(), s.len & !OWNED)
        } else {
            (self.text, s.len)
        };
        &from[s.at as usize..(s.at + len) as usize]
    }

    /// [`Document::str`], `None` for `Str::NONE`.
    fn opt_str(&self, s: Str) -> Option<&str> {
        (!s.is_none()).then(|| self.str(s))
    }

    /// The namespace declarations of node `id`, in document order.
    fn decls_of(&self, id: u32) -> &[NsDecl] {
        let from = self.ns_decls.partition_point(|d| d.node < id);
        let len = self.ns_decls[from..].partition_point(|d| d.node == id);
        &self.ns_decls[from..from + len]
    }

    /// Converts a tree roxmltree built from the same text.
    pub fn from_roxmltree(doc: &roxmltree::Document<'input>) -> Document<'input> {
        let text = doc.input_text();
        let mut b = Builder::new(text, 0);
        // Our id of each roxmltree node (by its id), filled in document order, so a node's
        // parent is always there before it.
        let mut ids = vec![0u32; doc.descendants().count()];
        for node in doc.descendants().skip(1) {
            let parent = node.parent().map_or(0, |p| ids[p.id().get() as usize]);
            let r = node.range();
            let id = match node.node_type() {
                roxmltree::NodeType::Element => {
                    let tag = node.tag_name();
                    let local = b.own_or_input(text, tag.name());
                    let ns = tag.namespace().map_or(Str::NONE, |u| b.own(u));
                    let id = b.push_node(parent, NodeType::Element, r.start, r.end, local, ns);
                    let attr_start = b.attrs_len();
                    for a in node.attributes() {
                        let qr = a.range_qname();
                        let ns = a.namespace().map_or(Str::NONE, |u| b.own(u));
                        let local = b.own_or_input(text, a.name());
                        let value = b.own_or_input(text, a.value());
                        b.push_attr(qr.start, qr.len(), a.range_value(), ns, local, value);
                    }
                    let attr_end = b.attrs_len();
                    b.node_mut(id).set_attrs(attr_start, attr_end);
                    // roxmltree lists an element's own bindings, then those of its parent's
                    // list it does not rebind: the own ones are the shortest head of the list
                    // after which that holds.
                    let list: Vec<_> = node.namespaces().map(|n| (n.name(), n.uri())).collect();
                    let parent: Vec<_> = node
                        .parent_element()
                        .map(|p| p.namespaces().map(|n| (n.name(), n.uri())).collect())
                        .unwrap_or_default();
                    let own = (0..=list.len())
                        .find(|&k| {
                            let head = &list[..k];
                            let kept = parent.iter().filter(|p| !head.iter().any(|h| h.0 == p.0));
                            list[k..].iter().eq(kept)
                        })
                        .unwrap_or(list.len());
                    for (name, uri) in &list[..own] {
                        let prefix = name.map_or(Str::NONE, |p| b.own(p));
                        let uri = b.own(uri);
                        b.push_ns_decl(id, prefix, uri);
                    }
                    id
                }
                roxmltree::NodeType::Text | roxmltree::NodeType::Comment => {
                    let kind = if node.is_text() {
                        NodeType::Text
                    } else {
                        NodeType::Comment
                    };
                    let t = b.own_or_input(text, node.text().unwrap_or(""));
                    b.push_node(parent, kind, r.start, r.end, t, Str::NONE)
                }
                roxmltree::NodeType::PI => {
                    let pi = node.pi().expect("a PI node");
                    let target = b.own_or_input(text, pi.target);
                    let value = pi.value.map_or(Str::NONE, |v| b.own_or_input(text, v));
                    b.push_node(parent, NodeType::PI, r.start, r.end, target, value)
                }
                roxmltree::NodeType::Root => unreachable!("the root is nobody's child"),
            };
            ids[node.id().get() as usize] = id;
        }
        b.finish()
    }
}

/// A node of a [`Document`]: a cheap copyable handle.
#[derive(Clone, Copy)]
pub struct Node<'a, 'input> {
    doc: &'a Document<'input>,
    id: u32,
}

impl PartialEq for Node<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && std::ptr::eq(self.doc, other.doc)
    }
}

impl Eq for Node<'_, '_> {}

impl fmt::Debug for Node<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.node_type() {
            NodeType::Element => write!(f, "Element({:?}, {:?})", self.tag_name(), self.range()),
            t => write!(f, "{t:?}({:?})", self.range()),
        }
    }
}

/// An element's or attribute's name: namespace URI and local name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpandedName<'a> {
    ns: Option<&'a str>,
    local: &'a str,
}

impl<'a> ExpandedName<'a> {
    /// The namespace URI, if the name is in one. An unprefixed element name under
    /// `xmlns=""` has `Some("")`, as in roxmltree.
    pub fn namespace(&self) -> Option<&'a str> {
        self.ns
    }

    /// The local name.
    pub fn name(&self) -> &'a str {
        self.local
    }
}

/// A processing instruction's target and value (`None` when there is no text after the
/// target).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PI<'a> {
    /// The target.
    pub target: &'a str,
    /// The text after the target and the white space that follows it.
    pub value: Option<&'a str>,
}

impl<'a, 'input: 'a> Node<'a, 'input> {
    fn data(&self) -> &'a NodeData {
        &self.doc.nodes[self.id as usize]
    }

    fn node(&self, id: u32) -> Option<Node<'a, 'input>> {
        (id != NONE).then_some(Node { doc: self.doc, id })
    }

    /// The node's id.
    pub fn id(&self) -> NodeId {
        NodeId(self.id)
    }

    /// The document the node belongs to.
    pub fn document(&self) -> &'a Document<'input> {
        self.doc
    }

    /// What kind of node this is.
    pub fn node_type(&self) -> NodeType {
        self.data().kind
    }

    /// Is it the document node?
    pub fn is_root(&self) -> bool {
        self.node_type() == NodeType::Root
    }

    /// Is it an element?
    pub fn is_element(&self) -> bool {
        self.node_type() == NodeType::Element
    }

    /// Is it a text node?
    pub fn is_text(&self) -> bool {
        self.node_type() == NodeType::Text
    }

    /// Is it a comment?
    pub fn is_comment(&self) -> bool {
        self.node_type() == NodeType::Comment
    }

    /// Is it a processing instruction?
    pub fn is_pi(&self) -> bool {
        self.node_type() == NodeType::PI
    }

    /// The node's bytes in the input: an element from its `<` to the end of its end tag (or
    /// `/>`), a text node its first piece.
    pub fn range(&self) -> Range<usize> {
        let d = self.data();
        d.start as usize..d.end as usize
    }

    /// An element's name (an empty name for other nodes).
    pub fn tag_name(&self) -> ExpandedName<'a> {
        let d = self.data();
        if d.kind != NodeType::Element {
            return ExpandedName {
                ns: None,
                local: "",
            };
        }
        ExpandedName {
            ns: self.doc.opt_str(d.b),
            local: self.doc.str(d.a),
        }
    }

    /// Is this an element with this local name in this namespace (`""`: none)?
    pub fn has_tag_name(&self, ns: &str, local: &str) -> bool {
        let t = self.tag_name();
        self.is_element() && t.local == local && t.ns.unwrap_or("") == ns
    }

    /// An element's attributes in document order (namespace declarations excluded).
    pub fn attributes(&self) -> Attributes<'a, 'input> {
        let d = self.data();
        let range = if d.kind == NodeType::Element {
            d.attr_start..d.attr_end
        } else {
            0..0
        };
        Attributes {
            doc: self.doc,
            range,
        }
    }

    /// The value of the attribute with this namespace (`""`: none) and local name.
    pub fn attribute(&self, ns: &str, local: &str) -> Option<&'a str> {
        self.attributes()
            .find(|a| a.name() == local && a.namespace().unwrap_or("") == ns)
            .map(|a| a.value())
    }

    /// A text node's or comment's text; for an element, the text of its first child if that
    /// is a text node.
    pub fn text(&self) -> Option<&'a str> {
        let d = self.data();
        match d.kind {
            NodeType::Text | NodeType::Comment => Some(self.doc.str(d.a)),
            NodeType::Element => self
                .first_child()
                .filter(Node::is_text)
                .map(|c| self.doc.str(c.data().a)),
            _ => None,
        }
    }

    /// A processing instruction's target and value.
    pub fn pi(&self) -> Option<PI<'a>> {
        let d = self.data();
        (d.kind == NodeType::PI).then(|| PI {
            target: self.doc.str(d.a),
            value: self.doc.opt_str(d.b),
        })
    }

    /// The parent node (`None` for the document node).
    pub fn parent(&self) -> Option<Node<'a, 'input>> {
        self.node(self.data().parent)
    }

    /// The nearest ancestor that is an element.
    pub fn parent_element(&self) -> Option<Node<'a, 'input>> {
        self.parent().filter(Node::is_element)
    }

    /// The first child.
    pub fn first_child(&self) -> Option<Node<'a, 'input>> {
        self.node(self.data().first_child)
    }

    /// The last child.
    pub fn last_child(&self) -> Option<Node<'a, 'input>> {
        self.node(self.data().last_child)
    }

    /// The next sibling.
    pub fn next_sibling(&self) -> Option<Node<'a, 'input>> {
        self.node(self.data().next_sibling)
    }

    /// The first child that is an element.
    pub fn first_element_child(&self) -> Option<Node<'a, 'input>> {
        self.children().find(Node::is_element)
    }

    /// The next sibling that is an element.
    pub fn next_sibling_element(&self) -> Option<Node<'a, 'input>> {
        std::iter::successors(self.next_sibling(), Node::next_sibling).find(Node::is_element)
    }

    /// Has it any child?
    pub fn has_children(&self) -> bool {
        self.data().first_child != NONE
    }

    /// The children in document order.
    pub fn children(&self) -> Children<'a, 'input> {
        Children {
            next: self.first_child(),
        }
    }

    /// This node and all its descendants in document order.
    pub fn descendants(&self) -> Descendants<'a, 'input> {
        // Nodes are stored in document order and a subtree is contiguous: it ends where the
        // next node after it (the next sibling of it or of an ancestor) begins.
        let mut end = self.doc.nodes.len() as u32;
        let mut cur = Some(*self);
        while let Some(c) = cur {
            if let Some(s) = c.next_sibling() {
                end = s.id;
                break;
            }
            cur = c.parent();
        }
        Descendants {
            doc: self.doc,
            range: self.id..end,
        }
    }

    /// The ancestors, from this node's parent up to the document node.
    pub fn ancestors(&self) -> impl Iterator<Item = Node<'a, 'input>> {
        std::iter::successors(self.parent(), Node::parent)
    }

    /// The namespace bindings in scope at an element: its own declarations in document
    /// order, then those in scope at its parent that it does not rebind (roxmltree's order);
    /// `xml` only when declared. Nothing for other nodes.
    pub fn namespaces(&self) -> Namespaces<'a, 'input> {
        let at = self.is_element().then_some(*self);
        Namespaces {
            from: *self,
            at,
            decls: at.map_or(&[], |n| self.doc.decls_of(n.id)),
        }
    }

    /// Does this element declare any namespace binding? When it does not, the bindings in
    /// scope are its parent's.
    pub fn has_namespace_declarations(&self) -> bool {
        !self.doc.decls_of(self.id).is_empty()
    }

    /// Does this element declare `prefix` (`None`: the default namespace)?
    fn declares(&self, prefix: Option<&str>) -> bool {
        self.doc
            .decls_of(self.id)
            .iter()
            .any(|d| self.doc.opt_str(d.prefix) == prefix)
    }

    /// The namespace URI `prefix` (`None`: the default namespace) is bound to at this
    /// element, `xml` excepted unless declared; `None` for other nodes.
    pub fn lookup_namespace_uri(&self, prefix: Option<&str>) -> Option<&'a str> {
        if !self.is_element() {
            return None;
        }
        std::iter::successors(Some(*self), Node::parent_element).find_map(|n| {
            let doc = self.doc;
            let d = doc
                .decls_of(n.id)
                .iter()
                .find(|d| doc.opt_str(d.prefix) == prefix)?;
            Some(doc.str(d.uri))
        })
    }
}

/// A namespace binding: its prefix (`None` for the default namespace) and URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Namespace<'a> {
    name: Option<&'a str>,
    uri: &'a str,
}

impl<'a> Namespace<'a> {
    /// The prefix, `None` for the default namespace.
    pub fn name(&self) -> Option<&'a str> {
        self.name
    }

    /// The URI (empty for `xmlns=""`).
    pub fn uri(&self) -> &'a str {
        self.uri
    }
}

/// The namespace bindings in scope at an element (see [`Node::namespaces`]).
pub struct Namespaces<'a, 'input> {
    /// The element asked about.
    from: Node<'a, 'input>,
    /// The element whose declarations are being read, and those still to read.
    at: Option<Node<'a, 'input>>,
    decls: &'a [NsDecl],
}

impl<'a, 'input: 'a> Iterator for Namespaces<'a, 'input> {
    type Item = Namespace<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let doc = self.from.doc;
        loop {
            let at = self.at?;
            let Some((d, rest)) = self.decls.split_first() else {
                self.at = at.parent_element();
                self.decls = self.at.map_or(&[], |n| doc.decls_of(n.id));
                continue;
            };
            self.decls = rest;
            let name = doc.opt_str(d.prefix);
            // Hidden when an element between the one asked about and this one binds the
            // prefix again.
            let shadowed = std::iter::successors(Some(self.from), Node::parent_element)
                .take_while(|n| n.id != at.id)
                .any(|n| n.declares(name));
            if !shadowed {
                return Some(Namespace {
                    name,
                    uri: doc.str(d.uri),
                });
            }
        }
    }
}

/// The children of a node.
pub struct Children<'a, 'input> {
    next: Option<Node<'a, 'input>>,
}

impl<'a, 'input: 'a> Iterator for Children<'a, 'input> {
    type Item = Node<'a, 'input>;

    fn next(&mut self) -> Option<Self::Item> {
        let n = self.next?;
        self.next = n.next_sibling();
        Some(n)
    }
}

/// A node and its descendants in document order.
pub struct Descendants<'a, 'input> {
    doc: &'a Document<'input>,
    range: Range<u32>,
}

impl<'a, 'input: 'a> Iterator for Descendants<'a, 'input> {
    type Item = Node<'a, 'input>;

    fn next(&mut self) -> Option<Self::Item> {
        let id = self.range.next()?;
        Some(Node { doc: self.doc, id })
    }
}

/// An element's attributes.
pub struct Attributes<'a, 'input> {
    doc: &'a Document<'input>,
    range: Range<u32>,
}

impl<'a, 'input: 'a> Iterator for Attributes<'a, 'input> {
    type Item = Attribute<'a, 'input>;

    fn next(&mut self) -> Option<Self::Item> {
        let i = self.range.next()?;
        Some(Attribute {
            doc: self.doc,
            data: &self.doc.attrs[i as usize],
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
}

impl ExactSizeIterator for Attributes<'_, '_> {}

/// An attribute of an element.
#[derive(Clone, Copy)]
pub struct Attribute<'a, 'input> {
    doc: &'a Document<'input>,
    data: &'a AttrData,
}

impl fmt::Debug for Attribute<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Attribute({:?} {:?} = {:?})",
            self.namespace(),
            self.name(),
            self.value()
        )
    }
}

impl<'a, 'input: 'a> Attribute<'a, 'input> {
    /// The namespace URI (`None` for an unprefixed attribute).
    pub fn namespace(&self) -> Option<&'a str> {
        self.doc.opt_str(self.data.ns)
    }

    /// The local name.
    pub fn name(&self) -> &'a str {
        self.doc.str(self.data.local)
    }

    /// The normalised value (references replaced, white space characters as spaces).
    pub fn value(&self) -> &'a str {
        self.doc.str(self.data.value)
    }

    /// From the name to the closing quote, inclusive.
    pub fn range(&self) -> Range<usize> {
        self.data.start as usize..self.data.value_end as usize + 1
    }

    /// The qualified name as written.
    pub fn range_qname(&self) -> Range<usize> {
        let s = self.data.start as usize;
        s..s + self.data.qname_len as usize
    }

    /// The value as written, without its quotes.
    pub fn range_value(&self) -> Range<usize> {
        self.data.value_start as usize..self.data.value_end as usize
    }
}

// ----- building --------------------------------------------------------------------------

/// Appends nodes in document order; used by the scanner and by
/// [`Document::from_roxmltree`].
pub(crate) struct Builder<'input> {
    pub(crate) doc: Document<'input>,
}

impl<'input> Builder<'input> {
    /// A builder for `text`, with room for about `nodes` nodes.
    pub(crate) fn new(text: &'input str, nodes: usize) -> Builder<'input> {
        let mut nodes_v = Vec::with_capacity(nodes + 1);
        nodes_v.push(NodeData {
            parent: NONE,
            next_sibling: NONE,
            first_child: NONE,
            last_child: NONE,
            start: 0,
            end: text.len() as u32,
            kind: NodeType::Root,
            a: Str::NONE,
            b: Str::NONE,
            attr_start: 0,
            attr_end: 0,
        });
        Builder {
            doc: Document {
                text,
                nodes: nodes_v,
                attrs: Vec::new(),
                ns_decls: Vec::new(),
                arena: String::new(),
            },
        }
    }

    /// The text being built.
    pub(crate) fn text(&self) -> &'input str {
        self.doc.text
    }

    pub(crate) fn finish(self) -> Document<'input> {
        self.doc
    }

    /// Copies `s` into the arena.
    pub(crate) fn own(&mut self, s: &str) -> Str {
        let at = self.doc.arena.len() as u32;
        self.doc.arena.push_str(s);
        Str {
            at,
            len: s.len() as u32 | OWNED,
        }
    }

    /// `s` as a slice of `text` when it is one, else a copy in the arena.
    fn own_or_input(&mut self, text: &str, s: &str) -> Str {
        let base = text.as_ptr() as usize;
        let p = s.as_ptr() as usize;
        if p >= base && p + s.len() <= base + text.len() {
            Str::input(p - base..p - base + s.len())
        } else {
            self.own(s)
        }
    }

    /// The arena's string `s` with `more` appended; `s` must be the arena's last string.
    pub(crate) fn extend_owned(&mut self, s: Str, more: &str) -> Str {
        debug_assert!(s.len & OWNED != 0);
        debug_assert_eq!((s.at + (s.len & !OWNED)) as usize, self.doc.arena.len());
        self.doc.arena.push_str(more);
        Str {
            at: s.at,
            len: s.len + more.len() as u32,
        }
    }

    /// The arena, to write an owned string at its end (then taken by [`Builder::owned_from`]).
    pub(crate) fn arena_mut(&mut self) -> &mut String {
        &mut self.doc.arena
    }

    /// The string the arena holds from `at` on.
    pub(crate) fn owned_from(&self, at: usize) -> Str {
        Str {
            at: at as u32,
            len: (self.doc.arena.len() - at) as u32 | OWNED,
        }
    }

    pub(crate) fn str(&self, s: Str) -> &str {
        self.doc.str(s)
    }

    /// Appends a node as the last child of `parent`; returns its id.
    pub(crate) fn push_node(
        &mut self,
        parent: u32,
        kind: NodeType,
        start: usize,
        end: usize,
        a: Str,
        b: Str,
    ) -> u32 {
        let id = self.doc.nodes.len() as u32;
        let p = &mut self.doc.nodes[parent as usize];
        let prev = p.last_child;
        p.last_child = id;
        if prev == NONE {
            p.first_child = id;
        } else {
            self.doc.nodes[prev as usize].next_sibling = id;
        }
        self.doc.nodes.push(NodeData {
            parent,
            next_sibling: NONE,
            first_child: NONE,
            last_child: NONE,
            start: start as u32,
            end: end as u32,
            kind,
            a,
            b,
            attr_start: 0,
            attr_end: 0,
        });
        id
    }

    pub(crate) fn node_mut(&mut self, id: u32) -> &mut NodeData {
        &mut self.doc.nodes[id as usize]
    }

    pub(crate) fn attrs_len(&self) -> u32 {
        self.doc.attrs.len() as u32
    }

    pub(crate) fn push_attr(
        &mut self,
        start: usize,
        qname_len: usize,
        value: Range<usize>,
        ns: Str,
        local: Str,
        normalized: Str,
    ) {
        self.doc.attrs.push(AttrData {
            start: start as u32,
            qname_len: qname_len as u32,
            value_start: value.start as u32,
            value_end: value.end as u32,
            ns,
            local,
            value: normalized,
        });
    }

    pub(crate) fn push_ns_decl(&mut self, node: u32, prefix: Str, uri: Str) {
        self.doc.ns_decls.push(NsDecl { node, prefix, uri });
    }
}

impl NodeData {
    pub(crate) fn set_end(&mut self, end: usize) {
        self.end = end as u32;
    }

    pub(crate) fn set_attrs(&mut self, start: u32, end: u32) {
        self.attr_start = start;
        self.attr_end = end;
    }

    pub(crate) fn text_str(&self) -> Option<Str> {
        (self.kind == NodeType::Text).then_some(self.a)
    }

    pub(crate) fn set_text_str(&mut self, s: Str) {
        self.a = s;
    }
}

/// Reads `text` both ways, with the scanner building the tree and with roxmltree's tree
/// converted, and describes the first difference. For tests and the conformance harness; the
/// text must be well-formed. A text that declares entities is not built by the scanner, so
/// there is nothing to compare.
#[doc(hidden)]
pub fn compare_builders(text: &str) -> Result<(), String> {
    let limits = crate::Limits::default();
    let built = crate::scan::check_and_build(text, &limits).map_err(|d| d.message.to_string())?;
    let Some(ours) = built else {
        return Ok(());
    };
    let mut storage = String::new();
    let rox = crate::parse_with_storage(text, &limits, &mut storage)
        .map_err(|d| d.message.to_string())?;
    let theirs = Document::from_roxmltree(&rox);
    same(&ours, &theirs)
}

/// Describes the first difference between two trees of one text.
#[doc(hidden)]
pub fn same(a: &Document<'_>, b: &Document<'_>) -> Result<(), String> {
    let count = if a.nodes.len() == b.nodes.len() {
        String::new()
    } else {
        format!(" ({} nodes vs {})", a.nodes.len(), b.nodes.len())
    };
    same_nodes(a, b).map_err(|e| e + &count)?;
    if count.is_empty() {
        Ok(())
    } else {
        Err(count)
    }
}

fn same_nodes(a: &Document<'_>, b: &Document<'_>) -> Result<(), String> {
    let mut prefixes: Vec<Option<&str>> = vec![None, Some("xml")];
    for (x, y) in a.descendants().zip(b.descendants()) {
        let at = || format!("node {} at {:?}", x.id, x.range());
        let fail = |what: &str, l: &dyn fmt::Debug, r: &dyn fmt::Debug| {
            Err(format!("{}: {what} {l:?} vs {r:?}", at()))
        };
        if x.node_type() != y.node_type() {
            return fail("type", &x.node_type(), &y.node_type());
        }
        if x.range() != y.range() {
            return fail("range", &x.range(), &y.range());
        }
        if x.parent().map(|p| p.id) != y.parent().map(|p| p.id) {
            return fail("parent", &x.parent(), &y.parent());
        }
        if x.next_sibling().map(|p| p.id) != y.next_sibling().map(|p| p.id) {
            return fail("next sibling", &x.next_sibling(), &y.next_sibling());
        }
        if x.tag_name() != y.tag_name() {
            return fail("name", &x.tag_name(), &y.tag_name());
        }
        if x.text() != y.text() {
            return fail("text", &x.text(), &y.text());
        }
        if x.pi() != y.pi() {
            return fail("pi", &x.pi(), &y.pi());
        }
        let (xa, ya) = (attribute_facts(x), attribute_facts(y));
        if xa != ya {
            return fail("attributes", &xa, &ya);
        }
        if x.is_element() {
            // Every prefix used so far is looked up on every element.
            let text = a.input_text();
            let tag = &text[x.range().start + 1..];
            let qname = &tag[..tag
                .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
                .unwrap_or(tag.len())];
            let attr_qnames = x.attributes().map(|at| &text[at.range_qname()]);
            for q in std::iter::once(qname).chain(attr_qnames) {
                if let Some((p, _)) = q.split_once(':') {
                    if !prefixes.contains(&Some(p)) {
                        prefixes.push(Some(p));
                    }
                }
            }
            let (xn, yn): (Vec<_>, Vec<_>) = (x.namespaces().collect(), y.namespaces().collect());
            if xn != yn {
                return fail("namespaces in scope", &xn, &yn);
            }
            for p in &prefixes {
                let (l, r) = (x.lookup_namespace_uri(*p), y.lookup_namespace_uri(*p));
                if l != r {
                    return fail(&format!("namespace of prefix {p:?}"), &l, &r);
                }
            }
        }
    }
    Ok(())
}

/// What [`same`] compares of an attribute: namespace, name, value and the three ranges.
type AttributeFacts<'a> = (
    Option<&'a str>,
    &'a str,
    &'a str,
    Range<usize>,
    Range<usize>,
    Range<usize>,
);

fn attribute_facts<'a>(n: Node<'a, '_>) -> Vec<AttributeFacts<'a>> {
    n.attributes()
        .map(|a| {
            let (ns, name, value) = (a.namespace(), a.name(), a.value());
            (ns, name, value, a.range_qname(), a.range_value(), a.range())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner_and_roxmltree_build_the_same_tree() {
        let docs = [
            "<a/>",
            "<?xml version='1.0'?>\n<!-- c --><?pi  value here ?><?empty?>\n<a>x</a>\n<!--after--><?p?>",
            "<a xmlns='urn:d' xmlns:p='urn:p' p:x='1' y='2'><p:b q='&amp;&#10;\t\r\nz'/><c xmlns=''/></a>",
            "<a xmlns:xml='http://www.w3.org/XML/1998/namespace' xml:lang='de'>t</a>",
            "<a>one &lt; two<![CDATA[ <raw> ]]>three<!--x-->four<![CDATA[]]></a>",
            "<a><![CDATA[x\r\ny\rz]]>tail\r\n</a>",
            "<a>x\r\ny\rz\r</a>",
            "<a>&#13;\n&#65;\r&#x1F600;\r\n&amp;\r</a>",
            "<a>\r&#65;\r\r</a>",
            "<a b='\r\n\r&#13;&#9;x'   c = \"&quot;\" >  <b/> </a>",
            "<a xmlns:p='urn:1'><b xmlns:p='urn:2'><p:c/></b><p:d/></a>",
            "<a xmlns='urn:x'><b xmlns='urn:x'/><c xmlns='urn:&amp;'/></a>",
            "<a xmlns:p='urn:p' xmlns='urn:x'><b xmlns='urn:x'><c xmlns:p='urn:p' xmlns:q='urn:q'/></b></a>",
            "<a xmlns:p='urn:p' xmlns='urn:x'><b xmlns:p='urn:2' xmlns=''><c/></b></a>",
            "<!DOCTYPE a [<!ELEMENT a ANY>]><a>é<b>ü</b>ß</a>",
            "\u{FEFF}<a>bom</a>",
        ];
        for d in docs {
            if let Err(e) = compare_builders(d) {
                panic!("{d:?}: {e}");
            }
        }
    }

    #[test]
    fn nodes_stay_small() {
        // DESIGN.md gives the size; a node is written once per element and text run.
        assert_eq!(std::mem::size_of::<NodeData>(), 52);
        assert_eq!(std::mem::size_of::<AttrData>(), 40);
    }

    #[test]
    fn api_reads_like_roxmltree() {
        let doc = Document::parse("<a xmlns:p='urn:p'><b p:x='1'>t<c/>u</b><!--k--></a>").unwrap();
        let a = doc.root_element();
        assert!(doc.root().is_root());
        let b = a.first_element_child().unwrap();
        assert_eq!(b.tag_name().name(), "b");
        assert_eq!(b.attribute("urn:p", "x"), Some("1"));
        assert_eq!(b.attribute("", "x"), None);
        assert_eq!(b.text(), Some("t"));
        assert_eq!(b.children().count(), 3);
        assert_eq!(a.descendants().count(), 6);
        assert_eq!(b.descendants().count(), 4);
        assert_eq!(b.next_sibling().unwrap().node_type(), NodeType::Comment);
        assert_eq!(b.next_sibling_element(), None);
        assert_eq!(b.lookup_namespace_uri(Some("p")), Some("urn:p"));
        assert_eq!(b.ancestors().count(), 2);
        assert_eq!(doc.get_node(b.id()), Some(b));
    }
}
