//! Interned patterns and their derivatives.
//!
//! Patterns live in an arena and are hash-consed: structurally equal patterns have the same
//! [`PId`], so memo tables can be keyed by ids. Constructors normalise as they build
//! (`notAllowed` absorbs in group/interleave/after and vanishes from choices, `empty` is the unit
//! of group and interleave, choices and interleaves are flattened and sorted, choices are
//! deduplicated, afters with one continuation are merged), and cache per pattern whether it is
//! nullable and whether it has data, attribute or element leaves at its front.
//!
//! Derivatives follow James Clark's algorithm with jing's split of the start tag: start-tag-open
//! per name key (memoised), attribute per name key (memoised as a list of value pattern /
//! residual pairs, the value being checked outside the memo), end of attributes, mixed text and
//! end tag (memoised per pattern), and the text derivative with data (computed per value).

use std::sync::Arc;

use teikit_relaxng::datatype::{is_xml_space, Datatype, NamespaceContext};
use teikit_relaxng::{NameClass, Pattern, Schema};

use crate::fx::{FxHashMap, FxHashSet};
use crate::names::{NameKey, NameTable};

/// A pattern id.
pub(crate) type PId = u32;

/// `empty`.
pub(crate) const EMPTY: PId = 0;
/// `notAllowed`.
pub(crate) const NOT_ALLOWED: PId = 1;
/// `text`.
pub(crate) const TEXT: PId = 2;

const NONE: PId = u32::MAX;

/// One interned pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Node {
    Empty,
    NotAllowed,
    Text,
    /// Sorted, deduplicated, at least two items, none of them a choice.
    Choice(Box<[PId]>),
    Group(PId, PId),
    /// Sorted, at least two items, none of them an interleave.
    Interleave(Box<[PId]>),
    OneOrMore(PId),
    List(PId),
    /// Index into [`Store::datatypes`].
    Data(u32),
    /// Datatype index and the excepted pattern.
    DataExcept(u32, PId),
    /// Index into [`Store::values`].
    Value(u32),
    /// Name class index and value pattern.
    Attribute(u32, PId),
    /// Index of the element's define in the schema.
    Element(u32),
    /// Content of an open element, then what follows its end tag.
    After(PId, PId),
}

const NULLABLE: u8 = 1;
const DATA: u8 = 2;
const ATTR: u8 = 4;
const ELEM: u8 = 8;
const TEXTF: u8 = 16;

/// Ways to match one attribute: (value pattern, residual) pairs.
pub(crate) type Alts = Arc<[(PId, PId)]>;

/// A `value` leaf.
pub(crate) struct ValueLeaf {
    pub(crate) datatype: u32,
    pub(crate) value: String,
    pub(crate) ns: Vec<(String, String)>,
}

/// The compiled, read-only part of a grammar.
pub(crate) struct Compiled {
    pub(crate) schema: std::sync::Arc<Schema>,
    pub(crate) names: NameTable,
}

/// The arena and memo tables.
pub(crate) struct Store {
    nodes: Vec<Node>,
    flags: Vec<u8>,
    intern: FxHashMap<Node, PId>,
    end_attrs: Vec<PId>,
    end_tag: Vec<PId>,
    mixed: Vec<PId>,
    sto: FxHashMap<(PId, NameKey), PId>,
    att: FxHashMap<(PId, NameKey), Alts>,
    find: FxHashMap<NameKey, PId>,
    elements: Vec<PId>,
    pub(crate) datatypes: Vec<Arc<Datatype>>,
    datatype_index: FxHashMap<usize, u32>,
    pub(crate) values: Vec<ValueLeaf>,
    pub(crate) classes: Vec<NameClass>,
    class_index: FxHashMap<NameClass, u32>,
    /// The start pattern.
    pub(crate) start: PId,
}

impl Store {
    /// An empty store for `cx` with its start pattern compiled (element contents are compiled
    /// when first needed).
    pub(crate) fn new(cx: &Compiled) -> Store {
        let mut s = Store {
            nodes: Vec::new(),
            flags: Vec::new(),
            intern: FxHashMap::default(),
            end_attrs: Vec::new(),
            end_tag: Vec::new(),
            mixed: Vec::new(),
            sto: FxHashMap::default(),
            att: FxHashMap::default(),
            find: FxHashMap::default(),
            elements: vec![NONE; cx.schema.defines.len()],
            datatypes: Vec::new(),
            datatype_index: FxHashMap::default(),
            values: Vec::new(),
            classes: Vec::new(),
            class_index: FxHashMap::default(),
            start: NOT_ALLOWED,
        };
        assert_eq!(s.intern_node(Node::Empty), EMPTY);
        assert_eq!(s.intern_node(Node::NotAllowed), NOT_ALLOWED);
        assert_eq!(s.intern_node(Node::Text), TEXT);
        s.start = s.compile(&cx.schema.start);
        s
    }

    // ----- access -----

    #[inline]
    pub(crate) fn node(&self, p: PId) -> &Node {
        &self.nodes[p as usize]
    }

    #[inline]
    pub(crate) fn nullable(&self, p: PId) -> bool {
        self.flags[p as usize] & NULLABLE != 0
    }

    /// Does `p` have data, value or list leaves at its front (text matters for it)?
    #[inline]
    pub(crate) fn has_data(&self, p: PId) -> bool {
        self.flags[p as usize] & DATA != 0
    }

    #[inline]
    fn has_attr(&self, p: PId) -> bool {
        self.flags[p as usize] & ATTR != 0
    }

    #[inline]
    fn has_elem(&self, p: PId) -> bool {
        self.flags[p as usize] & ELEM != 0
    }

    #[inline]
    fn has_text(&self, p: PId) -> bool {
        self.flags[p as usize] & TEXTF != 0
    }

    /// Number of interned patterns.
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    // ----- interning -----

    fn intern_node(&mut self, n: Node) -> PId {
        if let Some(&id) = self.intern.get(&n) {
            return id;
        }
        let f = |p: PId| self.flags[p as usize];
        let front = DATA | ATTR | ELEM | TEXTF;
        let flags = match &n {
            Node::Empty => NULLABLE,
            Node::NotAllowed => 0,
            Node::Text => NULLABLE | TEXTF,
            Node::Choice(ps) => {
                let mut fl = ps.iter().fold(0, |a, &p| a | (f(p) & front));
                if ps.iter().any(|&p| f(p) & NULLABLE != 0) {
                    fl |= NULLABLE;
                }
                fl
            }
            Node::Interleave(ps) => {
                let mut fl = ps.iter().fold(0, |a, &p| a | (f(p) & front));
                if ps.iter().all(|&p| f(p) & NULLABLE != 0) {
                    fl |= NULLABLE;
                }
                fl
            }
            Node::Group(a, b) => {
                // Attributes anywhere in a group are at its front (they are unordered); an
                // element, text or data of `b` is at the front only when `a` is nullable, but
                // the flags only prune, so over-approximating is safe.
                (f(*a) | f(*b)) & front | (f(*a) & f(*b) & NULLABLE)
            }
            Node::OneOrMore(a) => f(*a),
            Node::List(_) | Node::Data(_) | Node::DataExcept(..) | Node::Value(_) => DATA,
            Node::Attribute(..) => ATTR,
            Node::Element(_) => ELEM,
            Node::After(a, _) => f(*a) & front,
        };
        let id = self.nodes.len() as PId;
        self.nodes.push(n.clone());
        self.flags.push(flags);
        self.end_attrs.push(NONE);
        self.end_tag.push(NONE);
        self.mixed.push(NONE);
        self.intern.insert(n, id);
        id
    }

    pub(crate) fn choice(&mut self, items: &[PId]) -> PId {
        let mut v: Vec<PId> = Vec::with_capacity(items.len());
        for &p in items {
            match self.node(p) {
                Node::NotAllowed => {}
                Node::Choice(ps) => v.extend_from_slice(ps),
                _ => v.push(p),
            }
        }
        v.sort_unstable();
        v.dedup();
        // after(a, k) | after(b, k) = after(a | b, k)
        let afters = v
            .iter()
            .filter(|&&p| matches!(self.node(p), Node::After(..)))
            .count();
        if afters > 1 {
            let mut by_k: Vec<(PId, PId)> = Vec::new();
            let mut rest = Vec::new();
            for &p in &v {
                match *self.node(p) {
                    Node::After(a, k) => by_k.push((k, a)),
                    _ => rest.push(p),
                }
            }
            by_k.sort_unstable();
            if by_k.windows(2).any(|w| w[0].0 == w[1].0) {
                let mut i = 0;
                while i < by_k.len() {
                    let k = by_k[i].0;
                    let mut j = i;
                    let mut firsts = Vec::new();
                    while j < by_k.len() && by_k[j].0 == k {
                        firsts.push(by_k[j].1);
                        j += 1;
                    }
                    let a = self.choice(&firsts);
                    let merged = self.after(a, k);
                    rest.push(merged);
                    i = j;
                }
                return self.choice(&rest);
            }
        }
        match v.len() {
            0 => NOT_ALLOWED,
            1 => v[0],
            _ => self.intern_node(Node::Choice(v.into_boxed_slice())),
        }
    }

    pub(crate) fn choice2(&mut self, a: PId, b: PId) -> PId {
        if a == b || b == NOT_ALLOWED {
            return a;
        }
        if a == NOT_ALLOWED {
            return b;
        }
        self.choice(&[a, b])
    }

    pub(crate) fn group(&mut self, a: PId, b: PId) -> PId {
        if a == NOT_ALLOWED || b == NOT_ALLOWED {
            NOT_ALLOWED
        } else if a == EMPTY {
            b
        } else if b == EMPTY {
            a
        } else {
            self.intern_node(Node::Group(a, b))
        }
    }

    pub(crate) fn interleave(&mut self, items: &[PId]) -> PId {
        let mut v: Vec<PId> = Vec::with_capacity(items.len());
        for &p in items {
            match self.node(p) {
                Node::NotAllowed => return NOT_ALLOWED,
                Node::Empty => {}
                Node::Interleave(ps) => v.extend_from_slice(ps),
                _ => v.push(p),
            }
        }
        v.sort_unstable();
        match v.len() {
            0 => EMPTY,
            1 => v[0],
            _ => self.intern_node(Node::Interleave(v.into_boxed_slice())),
        }
    }

    fn one_or_more(&mut self, a: PId) -> PId {
        match self.node(a) {
            Node::NotAllowed | Node::Empty | Node::OneOrMore(_) => a,
            _ => self.intern_node(Node::OneOrMore(a)),
        }
    }

    pub(crate) fn after(&mut self, a: PId, b: PId) -> PId {
        if a == NOT_ALLOWED || b == NOT_ALLOWED {
            NOT_ALLOWED
        } else {
            self.intern_node(Node::After(a, b))
        }
    }

    // ----- compiling the schema -----

    fn datatype(&mut self, dt: &Arc<Datatype>) -> u32 {
        let key = Arc::as_ptr(dt) as usize;
        if let Some(&i) = self.datatype_index.get(&key) {
            return i;
        }
        let i = self.datatypes.len() as u32;
        self.datatypes.push(dt.clone());
        self.datatype_index.insert(key, i);
        i
    }

    fn class(&mut self, nc: &NameClass) -> u32 {
        if let Some(&i) = self.class_index.get(nc) {
            return i;
        }
        let i = self.classes.len() as u32;
        self.classes.push(nc.clone());
        self.class_index.insert(nc.clone(), i);
        i
    }

    fn compile(&mut self, p: &Pattern) -> PId {
        match p {
            Pattern::Empty => EMPTY,
            Pattern::NotAllowed => NOT_ALLOWED,
            Pattern::Text => TEXT,
            Pattern::Choice(ps) => {
                let v: Vec<PId> = ps.iter().map(|p| self.compile(p)).collect();
                self.choice(&v)
            }
            Pattern::Group(ps) => {
                let v: Vec<PId> = ps.iter().map(|p| self.compile(p)).collect();
                v.into_iter()
                    .rev()
                    .reduce(|acc, p| self.group(p, acc))
                    .unwrap_or(EMPTY)
            }
            Pattern::Interleave(ps) => {
                let v: Vec<PId> = ps.iter().map(|p| self.compile(p)).collect();
                self.interleave(&v)
            }
            Pattern::OneOrMore(p) => {
                let c = self.compile(p);
                self.one_or_more(c)
            }
            Pattern::List(p) => {
                let c = self.compile(p);
                if c == NOT_ALLOWED {
                    NOT_ALLOWED
                } else {
                    self.intern_node(Node::List(c))
                }
            }
            Pattern::Data {
                datatype, except, ..
            } => {
                let d = self.datatype(datatype);
                match except {
                    None => self.intern_node(Node::Data(d)),
                    Some(e) => {
                        let e = self.compile(e);
                        if e == NOT_ALLOWED {
                            self.intern_node(Node::Data(d))
                        } else {
                            self.intern_node(Node::DataExcept(d, e))
                        }
                    }
                }
            }
            Pattern::Value {
                datatype,
                value,
                ns_context,
                ..
            } => {
                let d = self.datatype(datatype);
                let i = self.values.len() as u32;
                // Only a QName or NOTATION value reads the bindings in scope where it was
                // written (every TEI value carries a copy of them).
                let ns = if datatype.is_context_dependent() {
                    ns_context.to_vec()
                } else {
                    Vec::new()
                };
                self.values.push(ValueLeaf {
                    datatype: d,
                    value: value.clone(),
                    ns,
                });
                self.intern_node(Node::Value(i))
            }
            Pattern::Attribute { name, content, .. } => {
                let nc = self.class(name);
                let c = self.compile(content);
                if c == NOT_ALLOWED {
                    NOT_ALLOWED
                } else {
                    self.intern_node(Node::Attribute(nc, c))
                }
            }
            Pattern::Ref(d) => self.intern_node(Node::Element(*d)),
        }
    }

    /// The content pattern of element define `d`, compiled on first use.
    pub(crate) fn element_content(&mut self, cx: &Compiled, d: u32) -> PId {
        let c = self.elements[d as usize];
        if c != NONE {
            return c;
        }
        let c = if (d as usize) < cx.schema.defines.len() {
            self.compile(&cx.schema.content(d as usize))
        } else {
            NOT_ALLOWED
        };
        self.elements[d as usize] = c;
        c
    }

    // ----- derivatives -----

    /// `applyAfter f p`: applies `f` to the continuation of every after in `p`.
    fn apply_after(&mut self, p: PId, f: &dyn Fn(&mut Store, PId) -> PId) -> PId {
        match self.node(p).clone() {
            Node::After(a, b) => {
                let b2 = f(self, b);
                self.after(a, b2)
            }
            Node::Choice(ps) => {
                let v: Vec<PId> = ps.iter().map(|&q| self.apply_after(q, f)).collect();
                self.choice(&v)
            }
            _ => NOT_ALLOWED,
        }
    }

    /// Looks up a memoised start-tag-open derivative.
    #[inline]
    pub(crate) fn sto_memo(&self, p: PId, key: NameKey) -> Option<PId> {
        if !self.has_elem(p) {
            return Some(NOT_ALLOWED);
        }
        self.sto.get(&(p, key)).copied()
    }

    /// Start-tag-open derivative: a choice of `after(content, continuation)`.
    pub(crate) fn sto(&mut self, cx: &Compiled, p: PId, key: NameKey) -> PId {
        if let Some(r) = self.sto_memo(p, key) {
            return r;
        }
        let r = match self.node(p).clone() {
            Node::Element(d) => {
                let named = cx
                    .schema
                    .defines
                    .get(d as usize)
                    .is_some_and(|def| cx.names.contains(&def.name_class, key));
                if named {
                    let c = self.element_content(cx, d);
                    self.after(c, EMPTY)
                } else {
                    NOT_ALLOWED
                }
            }
            Node::Choice(ps) => {
                let v: Vec<PId> = ps.iter().map(|&q| self.sto(cx, q, key)).collect();
                self.choice(&v)
            }
            Node::Group(a, b) => {
                let da = self.sto(cx, a, key);
                let x = self.apply_after(da, &|s, r| s.group(r, b));
                if self.nullable(a) {
                    let db = self.sto(cx, b, key);
                    self.choice2(x, db)
                } else {
                    x
                }
            }
            Node::Interleave(ps) => {
                let mut v = Vec::new();
                for i in 0..ps.len() {
                    let di = self.sto(cx, ps[i], key);
                    if di == NOT_ALLOWED {
                        continue;
                    }
                    let ps2 = ps.clone();
                    v.push(self.apply_after(di, &move |s, r| {
                        let mut items = ps2.to_vec();
                        items[i] = r;
                        s.interleave(&items)
                    }));
                }
                self.choice(&v)
            }
            Node::OneOrMore(a) => {
                let da = self.sto(cx, a, key);
                self.apply_after(da, &|s, r| {
                    let more = s.choice2(p, EMPTY);
                    s.group(r, more)
                })
            }
            Node::After(a, b) => {
                let da = self.sto(cx, a, key);
                self.apply_after(da, &|s, r| s.after(r, b))
            }
            _ => NOT_ALLOWED,
        };
        self.sto.insert((p, key), r);
        r
    }

    /// Looks up memoised attribute alternatives.
    #[inline]
    pub(crate) fn att_memo(&self, p: PId, key: NameKey) -> Option<Alts> {
        self.att.get(&(p, key)).cloned()
    }

    /// The ways attribute `key` can be matched in `p`: pairs of (value pattern, residual),
    /// one per distinct value pattern.
    pub(crate) fn att(&mut self, cx: &Compiled, p: PId, key: NameKey) -> Alts {
        if let Some(r) = self.att_memo(p, key) {
            return r;
        }
        let mut alts = Vec::new();
        self.att_alts(cx, p, key, &mut alts);
        alts.sort_unstable();
        let mut merged: Vec<(PId, PId)> = Vec::with_capacity(alts.len());
        for (v, r) in alts {
            match merged.last_mut() {
                Some((lv, lr)) if *lv == v => *lr = self.choice2(*lr, r),
                _ => merged.push((v, r)),
            }
        }
        merged.retain(|&(_, r)| r != NOT_ALLOWED);
        let r: Alts = merged.into();
        self.att.insert((p, key), r.clone());
        r
    }

    fn att_alts(&mut self, cx: &Compiled, p: PId, key: NameKey, out: &mut Vec<(PId, PId)>) {
        if !self.has_attr(p) {
            return;
        }
        let start = out.len();
        match self.node(p).clone() {
            Node::Attribute(nc, v) if cx.names.contains(&self.classes[nc as usize], key) => {
                out.push((v, EMPTY));
            }
            Node::Choice(ps) => {
                for &q in ps.iter() {
                    self.att_alts(cx, q, key, out);
                }
            }
            Node::Group(a, b) => {
                self.att_alts(cx, a, key, out);
                let mid = out.len();
                for item in &mut out[start..mid] {
                    item.1 = self.group(item.1, b);
                }
                self.att_alts(cx, b, key, out);
                for item in &mut out[mid..] {
                    item.1 = self.group(a, item.1);
                }
            }
            Node::Interleave(ps) => {
                for i in 0..ps.len() {
                    let from = out.len();
                    self.att_alts(cx, ps[i], key, out);
                    for item in &mut out[from..] {
                        let mut items = ps.to_vec();
                        items[i] = item.1;
                        item.1 = self.interleave(&items);
                    }
                }
            }
            Node::OneOrMore(a) => {
                self.att_alts(cx, a, key, out);
                let more = self.choice2(p, EMPTY);
                for item in &mut out[start..] {
                    item.1 = self.group(item.1, more);
                }
            }
            Node::After(a, b) => {
                self.att_alts(cx, a, key, out);
                for item in &mut out[start..] {
                    item.1 = self.after(item.1, b);
                }
            }
            _ => {}
        }
    }

    #[inline]
    pub(crate) fn end_attrs_memo(&self, p: PId) -> Option<PId> {
        if !self.has_attr(p) {
            return Some(p);
        }
        let r = self.end_attrs[p as usize];
        (r != NONE).then_some(r)
    }

    /// End-of-attributes derivative: attribute leaves become `notAllowed` (or `empty` when
    /// `lenient`, which recovers from missing attributes).
    pub(crate) fn end_attrs(&mut self, p: PId, lenient: bool) -> PId {
        if !lenient {
            if let Some(r) = self.end_attrs_memo(p) {
                return r;
            }
        } else if !self.has_attr(p) {
            return p;
        }
        let r = match self.node(p).clone() {
            Node::Attribute(..) => {
                if lenient {
                    EMPTY
                } else {
                    NOT_ALLOWED
                }
            }
            Node::Choice(ps) => {
                let v: Vec<PId> = ps.iter().map(|&q| self.end_attrs(q, lenient)).collect();
                self.choice(&v)
            }
            Node::Group(a, b) => {
                let a = self.end_attrs(a, lenient);
                let b = self.end_attrs(b, lenient);
                self.group(a, b)
            }
            Node::Interleave(ps) => {
                let v: Vec<PId> = ps.iter().map(|&q| self.end_attrs(q, lenient)).collect();
                self.interleave(&v)
            }
            Node::OneOrMore(a) => {
                let a = self.end_attrs(a, lenient);
                self.one_or_more(a)
            }
            Node::After(a, b) => {
                let a = self.end_attrs(a, lenient);
                self.after(a, b)
            }
            _ => p,
        };
        if !lenient {
            self.end_attrs[p as usize] = r;
        }
        r
    }

    #[inline]
    pub(crate) fn end_tag_memo(&self, p: PId) -> Option<PId> {
        let r = self.end_tag[p as usize];
        (r != NONE).then_some(r)
    }

    /// End-tag derivative of a state that is a choice of afters (`recover` ignores whether the
    /// content is complete).
    pub(crate) fn end_tag(&mut self, p: PId, recover: bool) -> PId {
        if !recover {
            if let Some(r) = self.end_tag_memo(p) {
                return r;
            }
        }
        let r = match self.node(p).clone() {
            Node::After(a, b) => {
                if recover || self.nullable(a) {
                    b
                } else {
                    NOT_ALLOWED
                }
            }
            Node::Choice(ps) => {
                let v: Vec<PId> = ps.iter().map(|&q| self.end_tag(q, recover)).collect();
                self.choice(&v)
            }
            _ => NOT_ALLOWED,
        };
        if !recover {
            self.end_tag[p as usize] = r;
        }
        r
    }

    #[inline]
    pub(crate) fn mixed_memo(&self, p: PId) -> Option<PId> {
        if !self.has_text(p) {
            return Some(NOT_ALLOWED);
        }
        let r = self.mixed[p as usize];
        (r != NONE).then_some(r)
    }

    /// Text derivative for text whose value does not matter (no data leaves take part).
    pub(crate) fn mixed(&mut self, p: PId) -> PId {
        if let Some(r) = self.mixed_memo(p) {
            return r;
        }
        let r = self.text_deriv(p, &TextArg::Mixed);
        self.mixed[p as usize] = r;
        r
    }

    /// Text derivative.
    pub(crate) fn text_deriv(&mut self, p: PId, t: &TextArg<'_>) -> PId {
        if let TextArg::Mixed = t {
            if let Some(r) = self.mixed_memo(p) {
                return r;
            }
        }
        match self.node(p).clone() {
            Node::Text => TEXT,
            Node::Choice(ps) => {
                let v: Vec<PId> = ps.iter().map(|&q| self.text_deriv(q, t)).collect();
                self.choice(&v)
            }
            Node::Group(a, b) => {
                let da = self.text_deriv(a, t);
                let x = self.group(da, b);
                if self.nullable(a) {
                    let db = self.text_deriv(b, t);
                    self.choice2(x, db)
                } else {
                    x
                }
            }
            Node::Interleave(ps) => {
                let mut v = Vec::new();
                for i in 0..ps.len() {
                    let di = self.text_deriv(ps[i], t);
                    if di != NOT_ALLOWED {
                        let mut items = ps.to_vec();
                        items[i] = di;
                        v.push(self.interleave(&items));
                    }
                }
                self.choice(&v)
            }
            Node::OneOrMore(a) => {
                let da = self.text_deriv(a, t);
                let more = self.choice2(p, EMPTY);
                self.group(da, more)
            }
            Node::After(a, b) => {
                let da = self.text_deriv(a, t);
                self.after(da, b)
            }
            Node::Data(_) | Node::DataExcept(..) | Node::Value(_) | Node::List(_) => match t {
                TextArg::Mixed => NOT_ALLOWED,
                TextArg::Lenient => EMPTY,
                TextArg::Value(s, ns) => {
                    if self.text_ok(p, s, ns) {
                        EMPTY
                    } else {
                        NOT_ALLOWED
                    }
                }
            },
            _ => NOT_ALLOWED,
        }
    }

    /// Looks up the memoised definition of an element found anywhere in the schema.
    #[inline]
    pub(crate) fn find_memo(&self, key: NameKey) -> Option<PId> {
        self.find.get(&key).copied()
    }

    /// The content of the element(s) named `key` anywhere in the schema (a choice when several
    /// defines match), for recovery; `notAllowed` when none does.
    pub(crate) fn find_element(&mut self, cx: &Compiled, key: NameKey) -> PId {
        if let Some(r) = self.find_memo(key) {
            return r;
        }
        // Only definitions that name the element explicitly: a wildcard (`anyName`,
        // `nsName`) matching it says nothing about what the author meant, and validating
        // against it produces follow-on noise; such subtrees are skipped instead.
        let mut v = Vec::new();
        for (d, def) in cx.schema.defines.iter().enumerate() {
            if names_explicitly(&def.name_class, cx, key) {
                v.push(self.element_content(cx, d as u32));
            }
        }
        let r = self.choice(&v);
        self.find.insert(key, r);
        r
    }

    // ----- values (read-only) -----

    /// `valueMatch`: does the whole value `s` match `p` (an attribute's value pattern)?
    pub(crate) fn value_match(&self, p: PId, s: &str, ns: &ValueCx<'_>) -> bool {
        (self.nullable(p) && s.chars().all(is_xml_space)) || self.text_ok(p, s, ns)
    }

    /// Can the verdict of [`Store::value_match`] on value pattern `p` depend on the document
    /// (a namespace context for QNames, unparsed entities for ENTITY)? When not, a value gets
    /// the same verdict wherever it occurs, and callers may remember it.
    pub(crate) fn value_depends_on_document(&self, p: PId) -> bool {
        let mut seen = FxHashSet::default();
        self.value_depends_rec(p, &mut seen)
    }

    fn value_depends_rec(&self, p: PId, seen: &mut FxHashSet<PId>) -> bool {
        if !seen.insert(p) {
            return false;
        }
        match self.node(p) {
            Node::Empty | Node::NotAllowed | Node::Text => false,
            Node::Choice(ps) | Node::Interleave(ps) => {
                ps.iter().any(|&q| self.value_depends_rec(q, seen))
            }
            Node::Group(a, b) => {
                self.value_depends_rec(*a, seen) || self.value_depends_rec(*b, seen)
            }
            Node::OneOrMore(a) | Node::List(a) => self.value_depends_rec(*a, seen),
            Node::Data(d) => self.datatypes[*d as usize].depends_on_document(),
            Node::DataExcept(d, e) => {
                self.datatypes[*d as usize].depends_on_document()
                    || self.value_depends_rec(*e, seen)
            }
            Node::Value(v) => {
                let dt = self.values[*v as usize].datatype;
                self.datatypes[dt as usize].depends_on_document()
            }
            // Not in a value pattern: say it may depend, so nothing is remembered.
            _ => true,
        }
    }

    /// Is `textDeriv p s` nullable?
    pub(crate) fn text_ok(&self, p: PId, s: &str, ns: &ValueCx<'_>) -> bool {
        match self.node(p) {
            Node::Text => true,
            Node::Choice(ps) => ps.iter().any(|&q| self.text_ok(q, s, ns)),
            Node::Group(a, b) => {
                (self.nullable(*b) && self.text_ok(*a, s, ns))
                    || (self.nullable(*a) && self.text_ok(*b, s, ns))
            }
            Node::Interleave(ps) => (0..ps.len()).any(|i| {
                ps.iter()
                    .enumerate()
                    .all(|(j, &q)| j == i || self.nullable(q))
                    && self.text_ok(ps[i], s, ns)
            }),
            Node::OneOrMore(a) => self.text_ok(*a, s, ns),
            Node::Data(d) => ns.check(&self.datatypes[*d as usize], s).is_ok(),
            Node::DataExcept(d, e) => {
                ns.check(&self.datatypes[*d as usize], s).is_ok() && !self.text_ok(*e, s, ns)
            }
            Node::Value(v) => {
                let leaf = &self.values[*v as usize];
                let dt = &self.datatypes[leaf.datatype as usize];
                dt.equal(&leaf.value, &Bindings(&leaf.ns), s, ns.ns)
            }
            Node::List(c) => {
                // Short lists (the usual case) keep their tokens on the stack and their
                // position sets in one word.
                let mut buf = [""; MASK_TOKENS];
                let mut n = 0;
                for t in s.split(is_xml_space).filter(|t| !t.is_empty()) {
                    if n == MASK_TOKENS {
                        return self.text_ok_long_list(*c, s, ns);
                    }
                    buf[n] = t;
                    n += 1;
                }
                self.list_ends_mask(*c, &buf[..n], 1, ns) & (1 << n) != 0
            }
            _ => false,
        }
    }

    /// `text_ok` of `list { c }` for a value of more than [`MASK_TOKENS`] tokens.
    #[cold]
    fn text_ok_long_list(&self, c: PId, s: &str, ns: &ValueCx<'_>) -> bool {
        let tokens: Vec<&str> = s.split(is_xml_space).filter(|t| !t.is_empty()).collect();
        let mut starts = vec![false; tokens.len() + 1];
        starts[0] = true;
        self.list_ends(c, &tokens, &starts, ns)[tokens.len()]
    }

    /// [`Store::list_ends`] for at most [`MASK_TOKENS`] tokens, position `i` being bit `i` of
    /// a word: no allocation per step.
    fn list_ends_mask(&self, p: PId, tokens: &[&str], starts: u64, ns: &ValueCx<'_>) -> u64 {
        if starts == 0 {
            return 0;
        }
        match self.node(p) {
            Node::Empty => starts,
            Node::Choice(ps) => ps.iter().fold(0, |out, &q| {
                out | self.list_ends_mask(q, tokens, starts, ns)
            }),
            Node::Group(a, b) => {
                let mid = self.list_ends_mask(*a, tokens, starts, ns);
                self.list_ends_mask(*b, tokens, mid, ns)
            }
            // Interleave is not allowed inside a list (spec 7.1.4); treat it as a group.
            Node::Interleave(ps) => ps
                .iter()
                .fold(starts, |cur, &q| self.list_ends_mask(q, tokens, cur, ns)),
            Node::OneOrMore(a) => {
                let mut out = 0;
                let mut frontier = self.list_ends_mask(*a, tokens, starts, ns);
                while frontier & !out != 0 {
                    out |= frontier;
                    frontier = self.list_ends_mask(*a, tokens, out, ns);
                }
                out
            }
            Node::Data(_) | Node::DataExcept(..) | Node::Value(_) => {
                let mut out = 0;
                for (i, t) in tokens.iter().enumerate() {
                    if starts & (1 << i) != 0 && self.text_ok(p, t, ns) {
                        out |= 1 << (i + 1);
                    }
                }
                out
            }
            // Not allowed in a list either; text matches any run of tokens.
            Node::Text => {
                let first = starts.trailing_zeros();
                let all = if tokens.len() + 1 == 64 {
                    u64::MAX
                } else {
                    (1 << (tokens.len() + 1)) - 1
                };
                all & !((1 << first) - 1)
            }
            _ => 0,
        }
    }

    /// Positions where `p` can end, given the positions where it can start, in a token list
    /// (lists of more than [`MASK_TOKENS`] tokens; shorter ones go through `list_ends_mask`).
    fn list_ends(&self, p: PId, tokens: &[&str], starts: &[bool], ns: &ValueCx<'_>) -> Vec<bool> {
        let n = tokens.len();
        let none = || vec![false; n + 1];
        match self.node(p) {
            Node::Empty => starts.to_vec(),
            Node::Choice(ps) => {
                let mut out = none();
                for &q in ps.iter() {
                    for (o, e) in out.iter_mut().zip(self.list_ends(q, tokens, starts, ns)) {
                        *o |= e;
                    }
                }
                out
            }
            Node::Group(a, b) => {
                let mid = self.list_ends(*a, tokens, starts, ns);
                self.list_ends(*b, tokens, &mid, ns)
            }
            Node::Interleave(ps) => {
                // Interleave is not allowed inside a list (spec 7.1.4); treat it as a group.
                let mut cur = starts.to_vec();
                for &q in ps.iter() {
                    cur = self.list_ends(q, tokens, &cur, ns);
                }
                cur
            }
            Node::OneOrMore(a) => {
                let mut out = none();
                let mut frontier = self.list_ends(*a, tokens, starts, ns);
                loop {
                    let mut changed = false;
                    for (o, f) in out.iter_mut().zip(&frontier) {
                        if *f && !*o {
                            *o = true;
                            changed = true;
                        }
                    }
                    if !changed {
                        break out;
                    }
                    frontier = self.list_ends(*a, tokens, &out, ns);
                }
            }
            Node::Data(_) | Node::DataExcept(..) | Node::Value(_) => {
                let mut out = none();
                for i in 0..n {
                    if starts[i] && self.text_ok(p, tokens[i], ns) {
                        out[i + 1] = true;
                    }
                }
                out
            }
            Node::Text => {
                // Not allowed in a list either; text matches any run of tokens.
                let mut out = none();
                if let Some(first) = starts.iter().position(|&b| b) {
                    out[first..].iter_mut().for_each(|o| *o = true);
                }
                out
            }
            _ => none(),
        }
    }

    // ----- what a state allows (for messages) -----

    /// Element name classes at the front of `p` and whether each is required.
    pub(crate) fn front_elements(&self, cx: &Compiled, p: PId) -> Vec<(u32, bool)> {
        let mut out = Vec::new();
        let mut seen = FxHashSet::default();
        self.front_elements_rec(p, true, &mut seen, &mut out);
        let _ = cx;
        out
    }

    fn front_elements_rec(
        &self,
        p: PId,
        required: bool,
        seen: &mut FxHashSet<(PId, bool)>,
        out: &mut Vec<(u32, bool)>,
    ) {
        if !self.has_elem(p) || !seen.insert((p, required)) {
            return;
        }
        match self.node(p) {
            Node::Element(d) => out.push((*d, required)),
            Node::Choice(ps) => {
                let req = required && !ps.iter().any(|&q| self.nullable(q));
                for &q in ps.iter() {
                    self.front_elements_rec(q, req, seen, out);
                }
            }
            Node::Group(a, b) => {
                self.front_elements_rec(*a, required, seen, out);
                if self.nullable(*a) {
                    self.front_elements_rec(*b, required, seen, out);
                }
            }
            Node::Interleave(ps) => {
                for &q in ps.iter() {
                    self.front_elements_rec(q, required, seen, out);
                }
            }
            Node::OneOrMore(a) | Node::After(a, _) => {
                self.front_elements_rec(*a, required, seen, out)
            }
            _ => {}
        }
    }

    /// Does `p` (the current content, not the contents of its elements nor what follows the
    /// current element) mention an element that `key` names, anywhere?
    pub(crate) fn mentions_element(&self, cx: &Compiled, p: PId, key: NameKey) -> bool {
        let mut seen = FxHashSet::default();
        let mut stack = vec![p];
        while let Some(q) = stack.pop() {
            if !seen.insert(q) {
                continue;
            }
            match self.node(q) {
                Node::Element(d)
                    if cx
                        .schema
                        .defines
                        .get(*d as usize)
                        .is_some_and(|def| cx.names.contains(&def.name_class, key)) =>
                {
                    return true;
                }
                Node::Choice(ps) | Node::Interleave(ps) => stack.extend(ps.iter()),
                Node::Group(a, b) => {
                    stack.push(*a);
                    stack.push(*b);
                }
                Node::OneOrMore(a) | Node::After(a, _) => stack.push(*a),
                _ => {}
            }
        }
        false
    }

    /// Attribute leaves at the front of `p`, each with whether it is required.
    pub(crate) fn front_attributes(&self, p: PId) -> Vec<(u32, PId, bool)> {
        let mut out = Vec::new();
        let mut seen = FxHashSet::default();
        self.front_attrs_rec(p, true, &mut seen, &mut out);
        out
    }

    fn front_attrs_rec(
        &self,
        p: PId,
        required: bool,
        seen: &mut FxHashSet<(PId, bool)>,
        out: &mut Vec<(u32, PId, bool)>,
    ) {
        if !self.has_attr(p) || !seen.insert((p, required)) {
            return;
        }
        match self.node(p) {
            Node::Attribute(nc, v) => out.push((*nc, *v, required)),
            Node::Choice(ps) => {
                let req = required && !ps.iter().any(|&q| self.nullable(q) || !self.has_attr(q));
                for &q in ps.iter() {
                    self.front_attrs_rec(q, req, seen, out);
                }
            }
            Node::Group(a, b) => {
                self.front_attrs_rec(*a, required, seen, out);
                self.front_attrs_rec(*b, required, seen, out);
            }
            Node::Interleave(ps) => {
                for &q in ps.iter() {
                    self.front_attrs_rec(q, required, seen, out);
                }
            }
            Node::OneOrMore(a) | Node::After(a, _) => self.front_attrs_rec(*a, required, seen, out),
            _ => {}
        }
    }

    /// Data, value and list leaves at the front of `p`.
    pub(crate) fn front_data(&self, p: PId) -> Vec<PId> {
        let mut out = Vec::new();
        let mut seen = FxHashSet::default();
        let mut stack = vec![p];
        while let Some(q) = stack.pop() {
            if !self.has_data(q) || !seen.insert(q) {
                continue;
            }
            match self.node(q) {
                Node::Data(_) | Node::DataExcept(..) | Node::Value(_) | Node::List(_) => {
                    out.push(q)
                }
                Node::Choice(ps) | Node::Interleave(ps) => stack.extend(ps.iter().rev()),
                Node::Group(a, b) => {
                    if self.nullable(*a) {
                        stack.push(*b);
                    }
                    stack.push(*a);
                }
                Node::OneOrMore(a) | Node::After(a, _) => stack.push(*a),
                _ => {}
            }
        }
        out
    }

    /// Does `p` accept text at its front (ignoring data)?
    pub(crate) fn allows_text(&self, p: PId) -> bool {
        self.has_text(p)
    }
}

/// Does `nc` contain `key` through one of its `name` alternatives?
fn names_explicitly(nc: &NameClass, cx: &Compiled, key: NameKey) -> bool {
    match nc {
        NameClass::Name(_) => cx.names.contains(nc, key),
        NameClass::Choice(a, b) => names_explicitly(a, cx, key) || names_explicitly(b, cx, key),
        NameClass::AnyName(_) | NameClass::NsName(..) => false,
    }
}

/// The text a text derivative consumes.
pub(crate) enum TextArg<'a> {
    /// Text whose value does not matter: data leaves fail.
    Mixed,
    /// Recovery: data leaves accept anything.
    Lenient,
    /// A value, checked against data leaves, with its namespace context.
    Value(&'a str, &'a ValueCx<'a>),
}

/// Token lists of up to this many tokens are matched with position sets in a `u64`
/// (positions `0..=n`, bit `i` for position `i`).
const MASK_TOKENS: usize = 63;

/// What checking a document value needs besides the value: its namespace context and,
/// when known, the document's unparsed entities (for `ENTITY`/`ENTITIES`).
pub(crate) struct ValueCx<'a> {
    pub(crate) ns: &'a dyn NamespaceContext,
    pub(crate) entities: Option<&'a dyn Fn(&str) -> bool>,
}

impl ValueCx<'_> {
    /// Checks `s` against `dt`.
    pub(crate) fn check(&self, dt: &Datatype, s: &str) -> Result<(), String> {
        match self.entities {
            Some(e) => dt.check_with_entities(s, self.ns, e),
            None => dt.check(s, self.ns),
        }
    }
}

/// Namespace bindings written in the schema, as a [`NamespaceContext`].
pub(crate) struct Bindings<'a>(pub(crate) &'a [(String, String)]);

impl NamespaceContext for Bindings<'_> {
    fn resolve(&self, prefix: &str) -> Option<&str> {
        self.0.resolve(prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;

    fn store_for(t: T) -> (Compiled, Store) {
        let schema = schema(t);
        let names = NameTable::build(&schema);
        let cx = Compiled {
            schema: schema.into(),
            names,
        };
        let s = Store::new(&cx);
        (cx, s)
    }

    #[test]
    fn normalisation() {
        let (_cx, mut s) = store_for(T::NotAllowed);
        assert_eq!(s.start, NOT_ALLOWED);
        let a = s.intern_node(Node::Element(0));
        let b = s.intern_node(Node::Element(1));
        assert_eq!(s.choice(&[a, NOT_ALLOWED]), a);
        let ab = s.choice(&[a, b]);
        assert_eq!(s.choice(&[b, a, a]), ab);
        assert_eq!(s.choice(&[ab, a]), ab);
        assert_eq!(s.group(EMPTY, a), a);
        assert_eq!(s.group(a, NOT_ALLOWED), NOT_ALLOWED);
        assert_eq!(s.interleave(&[a, EMPTY]), a);
        assert_eq!(s.interleave(&[a, b]), s.interleave(&[b, a]));
        assert_eq!(s.interleave(&[a, NOT_ALLOWED]), NOT_ALLOWED);
        let oa = s.one_or_more(a);
        assert_eq!(s.one_or_more(oa), oa);
        // afters with one continuation merge
        let x = s.after(a, EMPTY);
        let y = s.after(b, EMPTY);
        let xy = s.choice(&[x, y]);
        assert_eq!(*s.node(xy), Node::After(ab, EMPTY));
        assert!(s.nullable(EMPTY) && s.nullable(TEXT) && !s.nullable(a));
        let opt_a = s.choice(&[a, EMPTY]);
        assert!(s.nullable(opt_a));
        let g = s.group(opt_a, TEXT);
        assert!(s.nullable(g));
        let at = s.group(a, TEXT);
        assert!(!s.nullable(at));
    }

    #[test]
    fn derivatives_are_memoised_and_shared() {
        let (cx, mut s) = store_for(el("a", star(el("b", empty()))));
        let key = cx.names.key("", "a");
        let d1 = s.sto(&cx, s.start, key);
        let n = s.len();
        let d2 = s.sto(&cx, s.start, key);
        assert_eq!(d1, d2);
        assert_eq!(s.len(), n);
        let Node::After(content, k) = *s.node(d1) else {
            panic!("an after")
        };
        assert_eq!(k, EMPTY);
        assert!(s.nullable(content));
        let kb = cx.names.key("", "b");
        let db = s.sto(&cx, content, kb);
        let Node::After(bc, rest) = *s.node(db) else {
            panic!("an after")
        };
        assert_eq!(bc, EMPTY);
        // after one <b/>, more <b/>s may follow: the residual is the same repetition
        assert_eq!(s.sto(&cx, rest, kb), s.sto(&cx, rest, kb));
        assert!(s.nullable(rest));
        assert_eq!(s.sto(&cx, content, cx.names.key("", "zz")), NOT_ALLOWED);
    }

    /// Token lists are matched with one-word position sets up to `MASK_TOKENS` tokens and
    /// with vectors beyond: both must give the verdicts of the definition on the same lists
    /// (here `(a | b)+ c? text?`-like shapes, and `text` inside a list).
    #[test]
    fn list_positions_short_and_long() {
        let (cx, mut s) = store_for(el(
            "a",
            group(vec![
                att(
                    "l",
                    list(group(vec![
                        more(choice(vec![
                            value("", "token", "a"),
                            value("", "token", "b"),
                        ])),
                        opt(value("", "token", "c")),
                    ])),
                ),
                att("t", list(group(vec![value("", "token", "x"), text()]))),
            ]),
        ));
        s.element_content(&cx, 0);
        let no: &[(String, String)] = &[];
        let ns = ValueCx {
            ns: &Bindings(no),
            entities: None,
        };
        let lists: Vec<PId> = (0..s.len() as PId)
            .filter(|&p| matches!(s.node(p), Node::List(_)))
            .collect();
        assert_eq!(lists.len(), 2);
        // Which list is which: only the first accepts "a".
        let (l, t) = if s.value_match(lists[0], "a", &ns) {
            (lists[0], lists[1])
        } else {
            (lists[1], lists[0])
        };
        // The definition of `l`: one or more of a/b, then at most one c, nothing else.
        let expect_l = |toks: &[&str]| {
            let n = toks.len();
            let body = if toks.last() == Some(&"c") { n - 1 } else { n };
            body > 0 && toks[..body].iter().all(|t| *t == "a" || *t == "b")
        };
        let mut rng = crate::testutil::Rng(0x1234_5678_9abc_def1);
        for len in [1, 2, 5, 62, 63, 64, 65, 130] {
            for _ in 0..20 {
                let mut toks: Vec<&str> = (0..len).map(|_| rng.pick(&["a", "b"])).collect();
                match rng.next() % 4 {
                    0 => *toks.last_mut().unwrap() = "c",
                    1 => toks[(rng.next() % len as u64) as usize] = "c",
                    2 => toks[(rng.next() % len as u64) as usize] = "z",
                    _ => {}
                }
                let value = toks.join(" \n");
                assert_eq!(s.value_match(l, &value, &ns), expect_l(&toks), "{value:?}");
                // `x` then any tokens.
                let tv = format!("x {value}");
                assert!(s.value_match(t, &tv, &ns), "{tv:?}");
                assert_eq!(s.value_match(t, &value, &ns), toks[0] == "x", "{value:?}");
            }
        }
        assert!(s.value_match(t, "x", &ns));
        assert!(!s.value_match(l, "", &ns));
    }

    #[test]
    fn value_matching() {
        let (cx, mut s) = store_for(el(
            "a",
            group(vec![
                att("t", value("", "token", "x y")),
                att("s", value("", "string", "x")),
                att("l", list(more(data("xsd", "integer")))),
            ]),
        ));
        s.element_content(&cx, 0);
        let no: &[(String, String)] = &[];
        let ns = ValueCx {
            ns: &Bindings(no),
            entities: None,
        };
        let leaf = |pred: &dyn Fn(&Node) -> bool| {
            (0..s.len() as PId)
                .find(|&p| pred(s.node(p)))
                .expect("leaf")
        };
        let tok = leaf(&|n| matches!(n, Node::Value(0)));
        assert!(s.value_match(tok, "  x   y ", &ns));
        assert!(!s.value_match(tok, "xy", &ns));
        let st = leaf(&|n| matches!(n, Node::Value(1)));
        assert!(s.value_match(st, "x", &ns));
        assert!(!s.value_match(st, " x", &ns));
        let l = leaf(&|n| matches!(n, Node::List(_)));
        assert!(s.value_match(l, " 1 2\n3 ", &ns));
        assert!(!s.value_match(l, "", &ns));
        assert!(!s.value_match(l, "1 x", &ns));
    }
}
