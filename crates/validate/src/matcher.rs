//! The event-level matcher: feeds start tags, attributes, text and end tags through the
//! derivatives, reports what fails with byte spans, and recovers the way jing does.
//!
//! The state is one pattern. When a start tag opens an element unambiguously (the derivative
//! is a single `after(content, continuation)`), the continuation goes on a stack and the state
//! becomes the bare content, so memo entries are shared between every occurrence of the same
//! content wherever it is nested; otherwise the state keeps the afters and the end tag resolves
//! them.

use teikit_diagnostics::{Diagnostic, Span};
use teikit_relaxng::datatype::{is_xml_space, NamespaceContext};
use teikit_relaxng::{IdType, NameClass, QName};

use std::sync::Arc;

use crate::fx::{hash_pair, FxHashMap, FxHashSet};
use crate::ids::IdTable;
use crate::names::{NameKey, NsCache};
use crate::store::{Node, PId, Store, TextArg, ValueCx, NOT_ALLOWED};
use crate::Grammar;

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const TEI_NS: &str = "http://www.tei-c.org/ns/1.0";
/// At most this many items in `expected`; more are summed up as a last `and N more` item.
pub(crate) const EXPECTED_SHOWN: usize = 8;

/// A memoised derivative of grammar `$g`: looked up under the read lock (released at once),
/// computed under the write lock on a miss.
macro_rules! memo {
    ($g:expr, $hit:ident($($a:expr),*), $miss:ident($($b:expr),*)) => {{
        let hit = $g.read().$hit($($a),*);
        match hit {
            Some(r) => r,
            None => $g.write().$miss($($b),*),
        }
    }};
}

/// Binds `$vc` to the [`ValueCx`] of namespace context `$ns` and the matcher's unparsed
/// entities.
macro_rules! value_cx {
    ($self:ident, $ns:expr, $vc:ident) => {
        let ents = $self.entities.clone();
        let is_entity = |e: &str| ents.as_ref().is_some_and(|set| set.contains(e));
        let $vc = ValueCx {
            ns: $ns,
            entities: ents
                .is_some()
                .then_some(&is_entity as &dyn Fn(&str) -> bool),
        };
    };
}

/// The TEI Guidelines reference page of an element.
fn tei_url(local: &str) -> String {
    // Built by hand: this runs for most diagnostics, and `format!` costs more than the copy.
    const BASE: &str = "https://tei-c.org/release/doc/tei-p5-doc/en/html/ref-";
    let mut url = String::with_capacity(BASE.len() + local.len() + 5);
    url.push_str(BASE);
    url.push_str(local);
    url.push_str(".html");
    url
}

/// An expanded name as it occurs in a document.
#[derive(Clone, Copy, Debug)]
pub struct Name<'a> {
    /// Namespace URI (`""` for none).
    pub ns: &'a str,
    /// Local name.
    pub local: &'a str,
    /// The name as written (`tei:p`, `xml:id`), for messages.
    pub qname: &'a str,
}

#[derive(Clone, Copy)]
enum Kind {
    /// The content was split off: on the end tag the state must be nullable, then becomes this.
    Cont(PId),
    /// The state still holds the afters.
    Nested,
}

struct Frame {
    kind: Kind,
    path_len: usize,
    had_child: bool,
    counts: Vec<(u64, u32)>,
    qname: String,
    name_span: Span,
    id_elem: u32,
    /// The element is in the TEI namespace (diagnostics link to its reference page).
    tei: bool,
}

#[derive(Default)]
struct PendingText {
    present: bool,
    non_ws: bool,
    span: Span,
    buf: String,
    /// Span of the first non-whitespace character to the last one (for labels).
    trimmed: Option<Span>,
}

/// Validates one document from events. Create with [`Grammar::matcher`], feed events in
/// document order, then call [`Matcher::finish`].
///
/// Namespace contexts: `start_tag_open` takes the context of the *parent* (pending text is
/// checked against it), `attribute` and `end_tag` the context of the element itself.
pub struct Matcher<'g> {
    g: &'g Grammar,
    state: PId,
    frames: Vec<Frame>,
    depth: usize,
    path: String,
    root_counts: Vec<(u64, u32)>,
    text: PendingText,
    diags: Vec<Diagnostic>,
    /// Keep only the earliest this many diagnostics (see [`Matcher::limit_diagnostics`]).
    max_diags: Option<usize>,
    ids: IdTable,
    idrefs: Vec<(String, Span, String)>,
    /// An error was reported: a `notAllowed` state from now on is its consequence.
    had_error: bool,
    /// A `notAllowed` state was met while `had_error` was still false. For a subtree
    /// validated on its own ([`Matcher::start_subtree`]), whose `had_error` starts false by
    /// assumption, this says the result depended on that assumption.
    assumed_no_error: bool,
    /// The document's unparsed entities, when known (`ENTITY`/`ENTITIES` values must name one).
    entities: Option<Arc<FxHashSet<String>>>,
    ns_cache: NsCache,
    /// Attributes have a cache of their own: they are mostly in no namespace while their
    /// elements are in one, and sharing one entry would make every lookup miss.
    attr_ns_cache: NsCache,
    /// Verdicts on attribute values already checked in this document.
    values: ValueMemo,
    /// Per state and attribute name: what to say when the state does not allow it.
    attr_advice: FxHashMap<PId, FxHashMap<Box<str>, AttrAdvice>>,
    /// The last attribute-not-allowed diagnostic, without its context, to copy when the same
    /// attribute is refused on the same element in the same state again: a document repeats
    /// one mistake on every element of a kind (`<lb break="no"/>`, thousands of times).
    last_attr_error: Option<AttrError>,
}

/// See [`Matcher::last_attr_error`]: what the diagnostic depends on, and the diagnostic.
struct AttrError {
    before: PId,
    attribute: Box<str>,
    element: Box<str>,
    tei: bool,
    diagnostic: Diagnostic,
    suggestion: Option<String>,
}

/// Counts one more sibling named `id` in `counts`: its 1-based index among its siblings of
/// that name.
pub(crate) fn sibling_index(counts: &mut Vec<(u64, u32)>, id: u64) -> u32 {
    match counts.iter_mut().find(|(k, _)| *k == id) {
        Some((_, n)) => {
            *n += 1;
            *n
        }
        None => {
            counts.push((id, 1));
            1
        }
    }
}

/// Appends an element's step to a tree path: `/qname`, then `[index]` from the second
/// sibling of that name on.
pub(crate) fn push_step(path: &mut String, qname: &str, index: u32) {
    path.push('/');
    path.push_str(qname);
    if index > 1 {
        // Without the formatting machinery: this runs for most elements.
        path.push('[');
        teikit_diagnostics::push_decimal(path, index as usize);
        path.push(']');
    }
}

/// What validating one element on its own produced ([`Matcher::start_subtree`], then its
/// attributes, content and end tag, then [`Matcher::take_subtree`]), for
/// [`Matcher::open_element`] to take in place of validating the element itself.
pub(crate) struct Subtree {
    /// The content pattern the element was validated against.
    content: PId,
    diags: Vec<Diagnostic>,
    ids: IdTable,
    idrefs: Vec<(String, Span, String)>,
    had_error: bool,
    assumed_no_error: bool,
}

/// Verdicts of [`Store::value_match`] per (value pattern, value), for value patterns whose
/// verdict cannot depend on where the value occurs (no QName, NOTATION or ENTITY type).
/// Documents repeat a few values of each attribute (`@rendition="#i"`, `@type="main"`)
/// thousands of times, and a value checked against a list or a choice of many values costs a
/// comparison per value and token. Bounded: values longer than [`ValueMemo::MAX_VALUE`] bytes
/// are not kept, nor anything past [`ValueMemo::MAX_ENTRIES`] verdicts.
#[derive(Default)]
struct ValueMemo {
    /// Per value pattern: `None` when its verdicts may depend on the document, else the
    /// verdicts so far.
    by_pattern: FxHashMap<PId, Option<FxHashMap<Box<str>, bool>>>,
    entries: usize,
}

impl ValueMemo {
    const MAX_VALUE: usize = 256;
    const MAX_ENTRIES: usize = 1 << 14;

    /// `s.value_match(v, value, vc)`, remembered.
    fn value_match(&mut self, s: &Store, v: PId, value: &str, vc: &ValueCx<'_>) -> bool {
        if value.len() > Self::MAX_VALUE {
            return s.value_match(v, value, vc);
        }
        let verdicts = self
            .by_pattern
            .entry(v)
            .or_insert_with(|| (!s.value_depends_on_document(v)).then(FxHashMap::default));
        let Some(verdicts) = verdicts else {
            return s.value_match(v, value, vc);
        };
        if let Some(&ok) = verdicts.get(value) {
            return ok;
        }
        let ok = s.value_match(v, value, vc);
        if self.entries < Self::MAX_ENTRIES {
            verdicts.insert(value.into(), ok);
            self.entries += 1;
        }
        ok
    }
}

impl<'g> Matcher<'g> {
    pub(crate) fn new(g: &'g Grammar) -> Matcher<'g> {
        let start = g.read().start;
        Matcher {
            g,
            state: start,
            frames: Vec::new(),
            depth: 0,
            path: String::new(),
            root_counts: Vec::new(),
            text: PendingText::default(),
            diags: Vec::new(),
            max_diags: None,
            ids: IdTable::default(),
            idrefs: Vec::new(),
            had_error: false,
            assumed_no_error: false,
            entities: None,
            ns_cache: NsCache::default(),
            attr_ns_cache: NsCache::default(),
            values: ValueMemo::default(),
            attr_advice: FxHashMap::default(),
            last_attr_error: None,
        }
    }

    /// Declares the unparsed entities of the document's DTD (`<!ENTITY n SYSTEM "…" NDATA x>`).
    /// Until this is called, `ENTITY`/`ENTITIES` values are only checked to be names.
    pub fn set_unparsed_entities(&mut self, names: impl IntoIterator<Item = String>) {
        self.entities = Some(Arc::new(names.into_iter().collect()));
    }

    /// Keeps only the earliest `n` diagnostics (by offset): what `finish` returns is then the
    /// first `n` of what it would return without the limit, and memory for diagnostics stays
    /// bounded however many errors a document has.
    pub fn limit_diagnostics(&mut self, n: usize) {
        self.max_diags = Some(n);
    }

    /// A start tag opens; `span` is the element name in it; `ns` resolves prefixes in the
    /// parent (for text before this tag).
    pub fn start_tag_open(&mut self, name: Name<'_>, span: Span, ns: &dyn NamespaceContext) {
        self.open_element(name, span, ns, None);
    }

    /// [`Matcher::start_tag_open`]; given `sub`, the same element validated on its own, it
    /// takes that result in place of the whole element (start tag, content and end tag) when
    /// it is what validating the element here would give, and returns `true`: the caller
    /// then feeds nothing of the element. That holds when the element's content starts from
    /// the pattern `sub` started from, the result did not assume that no error had been
    /// reported before it, and no ID it declares was declared before it.
    pub(crate) fn open_element(
        &mut self,
        name: Name<'_>,
        span: Span,
        ns: &dyn NamespaceContext,
        sub: Option<Subtree>,
    ) -> bool {
        value_cx!(self, ns, vc);
        self.flush_text(false, &vc);
        let g = self.g;
        let key =
            g.cx.names
                .key_cached(&mut self.ns_cache, name.ns, name.local);
        let path_len = self.enter(name, key);
        let before = self.state;
        let kind = if before == NOT_ALLOWED && self.had_error {
            Kind::Cont(NOT_ALLOWED)
        } else {
            if before == NOT_ALLOWED {
                self.assumed_no_error = true;
            }
            let r = memo!(g, sto_memo(before, key), sto(&g.cx, before, key));
            // A misspelled name is read as the name suggested for it, when that one fits here:
            // its content is then checked against the right definition and the parent does
            // not report it missing.
            let (r, failed) = if r == NOT_ALLOWED {
                match self.element_not_allowed(name, span, before, key) {
                    (None, missing) if !missing.is_empty() => {
                        // "not allowed yet": go on as if the missing required element were
                        // there, so that it is not reported again at the end tag.
                        let mut found = NOT_ALLOWED;
                        for m in missing {
                            let km = g.cx.names.key(name.ns, &m);
                            let r1 = g.write().sto(&g.cx, before, km);
                            if r1 == NOT_ALLOWED {
                                continue;
                            }
                            let k = g.write().end_tag(r1, true);
                            let r2 = g.write().sto(&g.cx, k, key);
                            if r2 != NOT_ALLOWED {
                                found = r2;
                                break;
                            }
                        }
                        (found, true)
                    }
                    (Some(s), _) => {
                        let k2 = g.cx.names.key(name.ns, &s);
                        let r2 = memo!(g, sto_memo(before, k2), sto(&g.cx, before, k2));
                        (r2, true)
                    }
                    (None, _) => (NOT_ALLOWED, true),
                }
            } else {
                (r, false)
            };
            if r == NOT_ALLOWED && failed {
                let found = g.named_content(key);
                self.state = found;
                Kind::Cont(before)
            } else {
                let s = g.read();
                match *s.node(r) {
                    Node::After(c, k) => {
                        self.state = c;
                        Kind::Cont(k)
                    }
                    _ => {
                        self.state = r;
                        Kind::Nested
                    }
                }
            }
        };
        if let (Some(sub), Kind::Cont(k)) = (sub, kind) {
            if self.state == sub.content && self.adopt(sub) {
                self.state = k;
                self.path.truncate(path_len);
                return true;
            }
        }
        self.push_frame(kind, path_len, span, key, name);
        false
    }

    /// Takes the result of validating an element on its own (see [`Matcher::open_element`]):
    /// `false`, leaving everything as it was, when it assumed no earlier error and there was
    /// one, or when it declares an ID declared before it (the duplicate would be reported
    /// here, and "first used" would point elsewhere).
    fn adopt(&mut self, sub: Subtree) -> bool {
        if sub.assumed_no_error && self.had_error {
            return false;
        }
        if sub.ids.iter().any(|(id, _)| self.ids.get(id).is_some()) {
            return false;
        }
        for (id, span) in sub.ids.iter() {
            self.ids.insert(id, span);
        }
        self.idrefs.extend(sub.idrefs);
        self.had_error |= sub.had_error;
        for d in sub.diags {
            self.keep(d);
        }
        true
    }

    /// Starts validating one element on its own, apart from the rest of its document: as if
    /// its start tag had just opened with `content` as the state, at `parent_path` in the
    /// tree, after `preceding` siblings of the same name. Feed its attributes, content and end
    /// tag as usual, then call [`Matcher::take_subtree`]. The matcher's memos carry over from
    /// one element to the next; what belongs to one element does not.
    pub(crate) fn start_subtree(
        &mut self,
        parent_path: &str,
        preceding: u32,
        name: Name<'_>,
        span: Span,
        content: PId,
    ) {
        self.depth = 0;
        self.path.clear();
        self.path.push_str(parent_path);
        let key = self
            .g
            .cx
            .names
            .key_cached(&mut self.ns_cache, name.ns, name.local);
        self.root_counts.clear();
        if preceding > 0 {
            self.root_counts
                .push((self.sibling_id(name, key), preceding));
        }
        self.text.present = false;
        self.diags.clear();
        self.ids = IdTable::default();
        self.idrefs.clear();
        self.had_error = false;
        self.assumed_no_error = false;
        let path_len = self.enter(name, key);
        self.state = content;
        // The continuation is the parent's business: nothing follows the end tag here.
        self.push_frame(Kind::Cont(NOT_ALLOWED), path_len, span, key, name);
    }

    /// What the element started by [`Matcher::start_subtree`] produced, once its end tag is in.
    pub(crate) fn take_subtree(&mut self, content: PId) -> Subtree {
        debug_assert_eq!(self.depth, 0, "the element's end tag is in");
        Subtree {
            content,
            diags: std::mem::take(&mut self.diags),
            ids: std::mem::take(&mut self.ids),
            idrefs: std::mem::take(&mut self.idrefs),
            had_error: self.had_error,
            assumed_no_error: self.assumed_no_error,
        }
    }

    /// The path bookkeeping of a start tag: counts the element among its siblings and appends
    /// its step to the path. Returns the path's length before.
    fn enter(&mut self, name: Name<'_>, key: NameKey) -> usize {
        let h = self.sibling_id(name, key);
        let counts = match self.depth {
            0 => &mut self.root_counts,
            d => {
                let f = &mut self.frames[d - 1];
                f.had_child = true;
                &mut f.counts
            }
        };
        let index = sibling_index(counts, h);
        let path_len = self.path.len();
        push_step(&mut self.path, name.qname, index);
        path_len
    }

    /// What tells an element's name from its siblings' for the `[index]` of paths: its key,
    /// or for a name the schema does not know (all share one key) a hash of the name.
    fn sibling_id(&self, name: Name<'_>, key: NameKey) -> u64 {
        if self.g.cx.names.is_unknown(key) {
            hash_pair(name.ns, name.local) | 1 << 63
        } else {
            u64::from(key)
        }
    }

    /// Opens the element's frame (the state is already its content's).
    fn push_frame(
        &mut self,
        kind: Kind,
        path_len: usize,
        span: Span,
        key: NameKey,
        name: Name<'_>,
    ) {
        let id_elem = self.g.id_element(key);
        if self.frames.len() == self.depth {
            self.frames.push(Frame {
                kind,
                path_len,
                had_child: false,
                counts: Vec::new(),
                qname: String::new(),
                name_span: span,
                id_elem,
                tei: name.ns == TEI_NS,
            });
        } else {
            let f = &mut self.frames[self.depth];
            f.kind = kind;
            f.path_len = path_len;
            f.had_child = false;
            f.counts.clear();
            f.name_span = span;
            f.id_elem = id_elem;
            f.tei = name.ns == TEI_NS;
        }
        let f = &mut self.frames[self.depth];
        f.qname.clear();
        f.qname.push_str(name.qname);
        self.depth += 1;
    }

    /// An attribute of the open start tag; `ns` resolves prefixes on the element.
    pub fn attribute(
        &mut self,
        name: Name<'_>,
        value: &str,
        ns: &dyn NamespaceContext,
        name_span: Span,
        value_span: Span,
    ) {
        let g = self.g;
        value_cx!(self, ns, vc);

        let key =
            g.cx.names
                .key_cached(&mut self.attr_ns_cache, name.ns, name.local);
        if let Some(f) = self.depth.checked_sub(1).map(|d| &self.frames[d]) {
            if f.id_elem != u32::MAX {
                if let Some(t) = g.id_attribute(f.id_elem, key) {
                    self.record_id(t, value, value_span);
                }
            }
        }
        let before = self.state;
        if before == NOT_ALLOWED {
            return;
        }
        let alts = memo!(g, att_memo(before, key), att(&g.cx, before, key));
        let alts = if alts.is_empty() {
            // Read a misspelled attribute as the suggested one when that one fits here.
            let Some(s) = self.attribute_not_allowed(name, name_span, before) else {
                return;
            };
            let (ns, local) = match s.strip_prefix("xml:") {
                Some(l) => (XML_NS, l),
                None => ("", s.as_str()),
            };
            let k2 = g.cx.names.key(ns, local);
            let alts = memo!(g, att_memo(before, k2), att(&g.cx, before, k2));
            if alts.is_empty() {
                return;
            }
            alts
        } else {
            alts
        };
        // Usually exactly one alternative matches: no allocation then.
        let (first, count) = {
            let s = g.read();
            let mut first = NOT_ALLOWED;
            let mut count = 0;
            for &(v, r) in alts.iter() {
                if self.values.value_match(&s, v, value, &vc) {
                    if count == 0 {
                        first = r;
                    }
                    count += 1;
                }
            }
            (first, count)
        };
        self.state = match count {
            1 => first,
            0 => {
                self.invalid_attribute_value(name, value, value_span, &alts, &vc);
                let rests: Vec<PId> = alts.iter().map(|&(_, r)| r).collect();
                g.write().choice(&rests)
            }
            _ => {
                let matched: Vec<PId> = {
                    let s = g.read();
                    alts.iter()
                        .filter(|(v, _)| self.values.value_match(&s, *v, value, &vc))
                        .map(|&(_, r)| r)
                        .collect()
                };
                g.write().choice(&matched)
            }
        };
    }

    /// The start tag is complete (`>` or `/>`); `span` is the whole start tag.
    pub fn start_tag_close(&mut self, span: Span) {
        let _ = span;
        let g = self.g;
        let before = self.state;
        if before == NOT_ALLOWED || self.depth == 0 {
            return;
        }
        let r = memo!(g, end_attrs_memo(before), end_attrs(before, false));
        if r == NOT_ALLOWED {
            self.missing_attribute(before);
            self.state = g.write().end_attrs(before, true);
        } else {
            self.state = r;
        }
    }

    /// Character data (text, CDATA, resolved references) inside the current element; runs
    /// separated only by comments or processing instructions may be given one by one.
    pub fn text(&mut self, text: &str, span: Span) {
        let t = &mut self.text;
        if !t.present {
            t.present = true;
            t.non_ws = false;
            t.buf.clear();
            t.span = span;
            t.trimmed = None;
        } else {
            t.span = Span::from_range(t.span.offset..span.end());
        }
        t.buf.push_str(text);
        if !text.chars().all(is_xml_space) {
            t.non_ws = true;
            // Where the non-whitespace begins and ends, when the span covers exactly the text.
            let lead = text.len() - text.trim_start_matches(is_xml_space).len();
            let trail = text.len() - text.trim_end_matches(is_xml_space).len();
            let s = if span.len == text.len() {
                Span::from_range(span.offset + lead..span.end() - trail)
            } else {
                span
            };
            t.trimmed = Some(match t.trimmed {
                Some(prev) => Span::from_range(prev.offset..s.end()),
                None => s,
            });
        }
    }

    /// The end tag of the current element (`span` is the end tag, or the start tag of an empty
    /// element); `ns` resolves prefixes on the element.
    pub fn end_tag(&mut self, span: Span, ns: &dyn NamespaceContext) {
        if self.depth == 0 {
            return;
        }
        value_cx!(self, ns, vc);
        self.flush_text(true, &vc);
        let g = self.g;
        let kind = self.frames[self.depth - 1].kind;
        let before = self.state;
        match kind {
            Kind::Cont(k) => {
                if before != NOT_ALLOWED && !g.read().nullable(before) {
                    self.incomplete(span, before, false);
                }
                self.state = k;
            }
            Kind::Nested => {
                if before == NOT_ALLOWED {
                    // Stays silent; an error was reported already.
                } else {
                    let r = memo!(g, end_tag_memo(before), end_tag(before, false));
                    if r == NOT_ALLOWED {
                        self.incomplete(span, before, true);
                        self.state = g.write().end_tag(before, true);
                    } else {
                        self.state = r;
                    }
                }
            }
        }
        self.depth -= 1;
        let path_len = self.frames[self.depth].path_len;
        self.path.truncate(path_len);
    }

    /// Ends the document: checks IDREFs and returns every diagnostic, sorted by offset.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        let refs = std::mem::take(&mut self.idrefs);
        for (r, span, context) in refs {
            if self.ids.get(&r).is_none() {
                let close = self
                    .ids
                    .iter()
                    .filter_map(|(id, at)| closeness(&r, id).map(|c| (c, at.offset, id)))
                    .min();
                let help = match close {
                    Some((_, _, id)) => format!("did you mean \"{id}\"?"),
                    None => "correct the reference, or give the element it means this ID".into(),
                };
                self.keep(
                    Diagnostic::error(
                        "rng/dangling-idref",
                        format!("IDREF \"{r}\" does not refer to any ID in this document"),
                    )
                    .with_label(span, "no element has this ID")
                    .with_help(help)
                    .with_context(context),
                );
            }
        }
        let mut d = self.diags;
        d.sort_by_key(|d| d.primary_span().map_or(0, |s| s.offset));
        if let Some(n) = self.max_diags {
            d.truncate(n);
        }
        d
    }

    // ----- text -----

    fn flush_text(&mut self, before_end: bool, ns: &ValueCx<'_>) {
        let whole = before_end && self.depth > 0 && !self.frames[self.depth - 1].had_child;
        if !self.text.present && !whole {
            return;
        }
        let present = std::mem::replace(&mut self.text.present, false);
        if self.depth == 0 {
            return;
        }
        let non_ws = present && self.text.non_ws;
        let before = self.state;
        if before == NOT_ALLOWED {
            return;
        }
        let g = self.g;
        let has_data = g.read().has_data(before);
        if !has_data {
            if !non_ws {
                return;
            }
            let r = memo!(g, mixed_memo(before), mixed(before));
            if r == NOT_ALLOWED {
                self.text_not_allowed(before);
            } else {
                self.state = r;
            }
            return;
        }
        let value: &str = if present { &self.text.buf } else { "" };
        let r = {
            let mut s = g.write();
            let d = s.text_deriv(before, &TextArg::Value(value, ns));
            if !non_ws && whole {
                s.choice2(before, d)
            } else if !non_ws {
                before
            } else {
                d
            }
        };
        let failed = if whole {
            match self.frames[self.depth - 1].kind {
                Kind::Cont(_) => !g.read().nullable(r),
                Kind::Nested => g.write().end_tag(r, false) == NOT_ALLOWED,
            }
        } else {
            r == NOT_ALLOWED
        };
        if failed {
            let value = value.to_string();
            self.invalid_data(before, &value, present, ns);
            self.state = g.write().text_deriv(before, &TextArg::Lenient);
        } else {
            self.state = r;
        }
    }

    // ----- IDs -----

    fn record_id(&mut self, t: IdType, value: &str, span: Span) {
        match t {
            IdType::Id => {
                let v = value.trim_matches(is_xml_space);
                if v.is_empty() {
                    return;
                }
                if let Some(first) = self.ids.get(v) {
                    self.keep(
                        Diagnostic::error("rng/duplicate-id", format!("duplicate ID \"{v}\""))
                            .with_label(span, "this ID is already used")
                            .with_secondary(first, "first used here")
                            .with_help("ID values must be unique within a document")
                            .with_context(self.path.clone()),
                    );
                } else {
                    self.ids.insert(v, span);
                }
            }
            IdType::Idref | IdType::Idrefs => {
                for tok in value.split(is_xml_space).filter(|t| !t.is_empty()) {
                    self.idrefs.push((tok.to_string(), span, self.path.clone()));
                    if t == IdType::Idref {
                        break;
                    }
                }
            }
            IdType::Null => {}
        }
    }

    // ----- errors -----

    /// Records a diagnostic; with a limit, only the earliest `n` (by offset) are kept, so a
    /// document with millions of errors holds at most `2n` at a time.
    fn keep(&mut self, d: Diagnostic) {
        self.diags.push(d);
        if let Some(n) = self.max_diags {
            if self.diags.len() >= 2 * n.max(1) {
                self.diags
                    .sort_by_key(|d| d.primary_span().map_or(0, |s| s.offset));
                self.diags.truncate(n);
            }
        }
    }

    fn context(&self) -> String {
        if self.path.is_empty() {
            "/".to_string()
        } else {
            self.path.clone()
        }
    }

    fn push(&mut self, d: Diagnostic) {
        self.had_error = true;
        let ctx = self.context();
        self.keep(d.with_context(ctx));
    }

    fn current_qname(&self) -> &str {
        match self.depth {
            0 => "",
            d => &self.frames[d - 1].qname,
        }
    }

    /// The current element's TEI reference page, when it is a TEI element.
    fn current_url(&self) -> Option<String> {
        let f = &self.frames[self.depth.checked_sub(1)?];
        f.tei.then(|| {
            let local = f.qname.rsplit(':').next().unwrap_or(&f.qname);
            tei_url(local)
        })
    }

    /// What `p` allows next, ranked for people: names close to `got` (case, then edit
    /// distance), the end tag, required element names, text, values/datatypes, then the other
    /// names alphabetically. The second list holds the required names (sorted), the third
    /// the names close to `got`, closest first.
    fn expected(
        &self,
        p: PId,
        end_tag: Option<bool>,
        got: Option<&str>,
    ) -> (Vec<String>, Vec<String>, Vec<String>) {
        let g = self.g;
        let mut s = g.write();
        let els = s.front_elements(&g.cx, p);
        let mut required = Vec::new();
        let mut optional = Vec::new();
        for (d, req) in els {
            let Some(def) = g.cx.schema.defines.get(d as usize) else {
                continue;
            };
            for n in class_names(&def.name_class, "element") {
                if req {
                    required.push(n);
                } else {
                    optional.push(n);
                }
            }
        }
        required.sort();
        required.dedup();
        optional.sort();
        optional.dedup();
        optional.retain(|n| required.binary_search(n).is_err());
        let mut close = Vec::new();
        if let Some(got) = got {
            let mut scored: Vec<(usize, &String)> = required
                .iter()
                .chain(&optional)
                .filter_map(|n| closeness(got, n).map(|c| (c, n)))
                .collect();
            scored.sort();
            close = scored.into_iter().map(|(_, n)| n.clone()).collect();
        }
        let mut out = close.clone();
        let ends = match end_tag {
            Some(b) => b,
            None => s.end_tag(p, false) != NOT_ALLOWED,
        };
        if ends && self.depth > 0 {
            out.push(format!("</{}>", self.current_qname()));
        }
        out.extend(required.iter().filter(|n| !close.contains(n)).cloned());
        if s.allows_text(p) && s.mixed(p) != NOT_ALLOWED {
            out.push("text".to_string());
        }
        let data = s.front_data(p);
        if !data.is_empty() {
            out.extend(describe_data(&s, &data));
        }
        out.extend(optional.into_iter().filter(|n| !close.contains(n)));
        (out, required, close)
    }

    /// Reports an element that may not occur here; returns the name suggested for it (an
    /// expected element with the same name in other case or a close spelling) and, when the
    /// element is allowed later ("not allowed yet"), the required names that must come first.
    fn element_not_allowed(
        &mut self,
        name: Name<'_>,
        span: Span,
        before: PId,
        key: u32,
    ) -> (Option<String>, Vec<String>) {
        let (ends, defined, later) = {
            let g = self.g;
            let s = g.read();
            let ends = self.depth > 0 && self.end_allowed(&s, before);
            let defined =
                g.cx.schema
                    .defines
                    .iter()
                    .any(|d| g.cx.names.contains(&d.name_class, key));
            let later = s.mentions_element(&g.cx, before, key);
            (ends, defined, later)
        };
        let (expected, required, close) = self.expected(before, Some(ends), Some(name.local));
        let message = if later && !required.is_empty() {
            // jing's "not allowed yet": the content allows it, after what is required now
            let first = match required.as_slice() {
                [one] => format!("<{one}>"),
                _ => "one of the expected elements".to_string(),
            };
            format!(
                "element <{}> is not allowed yet: {first} must come first",
                name.qname
            )
        } else {
            let parent = self.current_qname();
            if parent.is_empty() {
                format!(
                    "element <{}> is not allowed as the root element",
                    name.qname
                )
            } else {
                format!("element <{}> is not allowed in <{parent}>", name.qname)
            }
        };
        let mut d = Diagnostic::error("rng/element-not-allowed", message)
            .with_label(span, "not allowed here");
        let suggestion = if later {
            None
        } else {
            did_you_mean(name.local, &close)
        };
        let tei = name.ns == TEI_NS;
        if let Some((n, case)) = &suggestion {
            d = d.with_help(if *case {
                format!("did you mean <{n}>? element names are case-sensitive")
            } else {
                format!("did you mean <{n}>?")
            });
            if tei {
                d = d.with_url(tei_url(n));
            }
        } else {
            if !defined {
                d = d.with_help(format!(
                    "the schema defines no element <{}>{}",
                    name.local,
                    if name.ns.is_empty() {
                        " without a namespace".to_string()
                    } else {
                        format!(" in namespace {}", name.ns)
                    }
                ));
            } else if !later {
                d = d.with_help(format!(
                    "<{}> is defined, but not allowed at this point; move it or use one of the expected items",
                    name.local
                ));
            } else if let [one] = required.as_slice() {
                d = d.with_help(format!("add <{one}> before <{}>", name.qname));
            } else {
                d = d.with_help(format!(
                    "add one of the expected elements before <{}>",
                    name.qname
                ));
            }
            if tei && defined {
                d = d.with_url(tei_url(name.local));
            } else if let Some(u) = self.current_url() {
                d = d.with_url(u);
            }
        }
        d = d.with_expected(cap(expected));
        self.push(d);
        let missing = if later { required } else { Vec::new() };
        (suggestion.map(|(n, _)| n), missing)
    }

    fn end_allowed(&self, s: &Store, p: PId) -> bool {
        match self.frames[self.depth - 1].kind {
            Kind::Cont(_) => s.nullable(p),
            Kind::Nested => s.end_tag_memo(p).is_none_or(|r| r != NOT_ALLOWED),
        }
    }

    /// Reports an attribute the element does not take; returns the attribute name suggested
    /// for it (as displayed: `n`, `xml:id`).
    fn attribute_not_allowed(&mut self, name: Name<'_>, span: Span, before: PId) -> Option<String> {
        let tei = self
            .depth
            .checked_sub(1)
            .is_some_and(|d| self.frames[d].tei);
        if let Some(last) = &self.last_attr_error {
            if last.before == before
                && *last.attribute == *name.qname
                && *last.element == *self.current_qname()
                && last.tei == tei
            {
                let mut d = last.diagnostic.clone();
                d.labels[0].span = span;
                let suggestion = last.suggestion.clone();
                self.push(d);
                return suggestion;
            }
        }
        let advice = self.attribute_advice(name.qname, before);
        let el = self.current_qname().to_string();
        let mut d = Diagnostic::error(
            "rng/attribute-not-allowed",
            format!("attribute @{} is not allowed on <{el}>", name.qname),
        )
        .with_label(span, "not allowed here");
        if let Some((n, case)) = &advice.suggestion {
            d = d.with_help(if *case {
                format!("did you mean @{n}? attribute names are case-sensitive")
            } else {
                format!("did you mean @{n}?")
            });
        } else if advice.no_names {
            d = d.with_help(format!("<{el}> takes no (further) attributes"));
        } else {
            d = d.with_help(format!(
                "remove it, or use one of the attributes <{el}> takes"
            ));
        }
        if let Some(u) = self.current_url() {
            d = d.with_url(u);
        }
        d = d.with_expected(advice.expected);
        let suggestion = advice.suggestion.map(|(n, _)| n);
        self.last_attr_error = Some(AttrError {
            before,
            attribute: name.qname.into(),
            element: el.into(),
            tei,
            diagnostic: d.clone(),
            suggestion: suggestion.clone(),
        });
        self.push(d);
        suggestion
    }

    /// What to say about attribute `qname` where state `before` does not allow it: the
    /// attributes `before` allows, ranked, and the one meant. It depends only on the two, and
    /// a document repeats the same mistake on every element of a kind, so it is remembered.
    fn attribute_advice(&mut self, qname: &str, before: PId) -> AttrAdvice {
        let memo = &mut self.attr_advice;
        let known = memo.get(&before).is_some_and(|m| m.contains_key(qname));
        if !known {
            let advice = compute_attribute_advice(self.g, qname, before);
            if memo.values().map(FxHashMap::len).sum::<usize>() >= ATTR_ADVICE_MAX {
                memo.clear();
            }
            memo.entry(before).or_default().insert(qname.into(), advice);
        }
        self.attr_advice[&before][qname].clone()
    }

    fn invalid_attribute_value(
        &mut self,
        name: Name<'_>,
        value: &str,
        span: Span,
        alts: &[(PId, PId)],
        ns: &ValueCx<'_>,
    ) {
        let (reason, expected, fix) = {
            let s = self.g.read();
            let leaves: Vec<PId> = alts.iter().flat_map(|&(v, _)| s.front_data(v)).collect();
            (
                why_invalid(&s, &leaves, value, ns),
                describe_data(&s, &leaves),
                suggest_value(&s, &leaves, value, ns),
            )
        };
        let el = self.current_qname().to_string();
        let mut msg = format!(
            "invalid value \"{}\" for attribute @{} on <{el}>",
            shorten(value),
            name.qname
        );
        if let Some(r) = &reason {
            msg.push_str(": ");
            msg.push_str(r);
        }
        let mut d = Diagnostic::error("rng/invalid-attribute-value", msg)
            .with_label(span, "invalid value")
            .with_expected(cap(rank_values(expected, value)));
        if let Some(f) = fix {
            d = d.with_help(f);
        }
        if let Some(u) = self.current_url() {
            d = d.with_url(u);
        }
        self.push(d);
    }

    fn missing_attribute(&mut self, before: PId) {
        let (required, all) = {
            let s = self.g.read();
            let attrs = s.front_attributes(before);
            let mut req: Vec<String> = attrs
                .iter()
                .filter(|a| a.2)
                .flat_map(|&(nc, _, _)| class_names(&s.classes[nc as usize], "attribute"))
                .collect();
            req.sort();
            req.dedup();
            let mut all: Vec<String> = attrs
                .iter()
                .flat_map(|&(nc, _, _)| class_names(&s.classes[nc as usize], "attribute"))
                .collect();
            all.sort();
            all.dedup();
            (req, all)
        };
        let el = self.current_qname().to_string();
        let span = self.frames[self.depth - 1].name_span;
        let msg = match required.as_slice() {
            [one] => format!("element <{el}> is missing required attribute @{one}"),
            [] => format!("element <{el}> is missing a required attribute"),
            many => format!(
                "element <{el}> is missing required attributes {}",
                many.iter()
                    .map(|n| format!("@{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let help = match required.as_slice() {
            [one] => format!("add @{one}=\"…\" to the start tag"),
            [] => "add one of the expected attributes to the start tag".to_string(),
            _ => "add the attributes named above to the start tag".to_string(),
        };
        let expected = if required.is_empty() { all } else { required };
        let mut d = Diagnostic::error("rng/missing-attribute", msg)
            .with_label(span, "required attribute missing")
            .with_help(help)
            .with_expected(cap(expected.into_iter().map(|n| format!("@{n}")).collect()));
        if let Some(u) = self.current_url() {
            d = d.with_url(u);
        }
        self.push(d);
    }

    fn text_not_allowed(&mut self, before: PId) {
        let span = self.text.trimmed.unwrap_or(self.text.span);
        let el = self.current_qname().to_string();
        let (expected, _, _) = self.expected(before, None, None);
        let mut d = Diagnostic::error(
            "rng/text-not-allowed",
            format!("text is not allowed here in <{el}>"),
        )
        .with_label(span, "text not allowed")
        .with_expected(cap(expected));
        let wrap: Vec<&teikit_diagnostics::Text> =
            d.expected.iter().filter(|e| is_name(e)).take(3).collect();
        if !wrap.is_empty() {
            let names: Vec<String> = wrap.iter().map(|n| format!("<{n}>")).collect();
            d = d.with_help(format!(
                "wrap the text in {}, or remove it",
                names.join(" or ")
            ));
        } else {
            d = d.with_help(format!("<{el}> takes no text here; remove it"));
        }
        if let Some(u) = self.current_url() {
            d = d.with_url(u);
        }
        self.push(d);
    }

    fn invalid_data(&mut self, before: PId, value: &str, present: bool, ns: &ValueCx<'_>) {
        let span = if present {
            self.text.trimmed.unwrap_or(self.text.span)
        } else {
            self.frames[self.depth - 1].name_span
        };
        let el = self.current_qname().to_string();
        let (reason, leaves_expected, fix) = {
            let s = self.g.read();
            let leaves = s.front_data(before);
            (
                why_invalid(&s, &leaves, value, ns),
                describe_data(&s, &leaves),
                suggest_value(&s, &leaves, value.trim_matches(is_xml_space), ns),
            )
        };
        let mut msg = if value.trim_matches(is_xml_space).is_empty() {
            format!("element <{el}> needs a value")
        } else {
            format!("invalid value \"{}\" in <{el}>", shorten(value.trim()))
        };
        if let Some(r) = &reason {
            msg.push_str(": ");
            msg.push_str(r);
        }
        let (mut expected, _, _) = self.expected(before, None, None);
        if expected.is_empty() {
            expected = leaves_expected;
        }
        let mut d = Diagnostic::error("rng/invalid-data", msg)
            .with_label(span, "invalid value")
            .with_expected(cap(rank_values(expected, value.trim_matches(is_xml_space))));
        if let Some(f) = fix {
            d = d.with_help(f);
        }
        if let Some(u) = self.current_url() {
            d = d.with_url(u);
        }
        self.push(d);
    }

    fn incomplete(&mut self, span: Span, before: PId, nested: bool) {
        let _ = nested;
        let el = self.current_qname().to_string();
        let (expected, required, _) = self.expected(before, Some(false), None);
        const SHOWN: usize = 6;
        let msg = match required.as_slice() {
            [] => format!("element <{el}> is incomplete"),
            [one] => format!("element <{el}> is incomplete: missing required <{one}>"),
            _ => format!(
                "element <{el}> is incomplete: missing one of {}{}",
                required
                    .iter()
                    .take(SHOWN)
                    .map(|n| format!("<{n}>"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if required.len() > SHOWN { ", …" } else { "" }
            ),
        };
        let help = match required.as_slice() {
            [one] => format!("add <{one}> before </{el}>"),
            [] => format!("add the missing content before </{el}>"),
            _ => format!("add one of the elements named above before </{el}>"),
        };
        let mut d = Diagnostic::error("rng/incomplete-content", msg)
            .with_label(span, "content ends too early")
            .with_help(help)
            .with_expected(cap(expected));
        if let Some(u) = self.current_url() {
            d = d.with_url(u);
        }
        self.push(d);
    }
}

/// Is this `expected` item a plain element or attribute name (not `text`, an end tag, a value
/// or a description)?
fn is_name(e: &str) -> bool {
    !e.contains(' ') && !e.starts_with('<') && !e.starts_with('"') && e != "text"
}

/// At most [`EXPECTED_SHOWN`] items, the rest summed up as `and N more`.
/// What [`Matcher::attribute_advice`] remembers about an attribute a state does not allow.
#[derive(Clone)]
struct AttrAdvice {
    /// The allowed attribute it probably means, and whether only the case differs.
    suggestion: Option<(String, bool)>,
    /// The state allows no attribute at all.
    no_names: bool,
    /// The `expected` items: the allowed attributes, closest first.
    expected: Vec<String>,
}

/// At most this many [`AttrAdvice`]s are remembered per document (the memo starts afresh
/// when full).
const ATTR_ADVICE_MAX: usize = 1024;

fn compute_attribute_advice(g: &Grammar, qname: &str, before: PId) -> AttrAdvice {
    let names = {
        let s = g.read();
        let mut v: Vec<String> = s
            .front_attributes(before)
            .into_iter()
            .flat_map(|(nc, _, _)| class_names(&s.classes[nc as usize], "attribute"))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let suggestion = did_you_mean(qname, &names);
    let mut ranked: Vec<(usize, &String)> = names
        .iter()
        .map(|n| (closeness(qname, n).unwrap_or(usize::MAX), n))
        .collect();
    ranked.sort();
    AttrAdvice {
        suggestion,
        no_names: names.is_empty(),
        expected: cap(ranked.into_iter().map(|(_, n)| format!("@{n}")).collect()),
    }
}

fn cap(mut v: Vec<String>) -> Vec<String> {
    if v.len() > EXPECTED_SHOWN {
        let more = v.len() - (EXPECTED_SHOWN - 1);
        v.truncate(EXPECTED_SHOWN - 1);
        v.push(format!("and {more} more"));
    }
    v
}

/// Values close to `got` first (the rest keep their order).
fn rank_values(v: Vec<String>, got: &str) -> Vec<String> {
    let mut scored: Vec<(usize, usize, String)> = v
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let bare = e.trim_matches('"');
            let c = if e.starts_with('"') {
                closeness(got, bare).unwrap_or(usize::MAX)
            } else {
                usize::MAX
            };
            (c, i, e)
        })
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, _, e)| e).collect()
}

/// How close `got` is to `candidate`: 0 for the same name in other case, else 1 + the edit
/// distance when it is small for the length; `None` when they are not close.
fn closeness(got: &str, candidate: &str) -> Option<usize> {
    if got == candidate {
        return None;
    }
    let (g, c) = (got.to_lowercase(), candidate.to_lowercase());
    if g == c {
        return Some(0);
    }
    let d = edit_distance(&g, &c);
    let len = g.chars().count().max(c.chars().count());
    (d == 1 && len >= 2 || d == 2 && len >= 6).then_some(d + 1)
}

/// A suggestion for an invalid value: the closest listed value (case or spelling), or for a
/// date with day and month swapped, the swapped date when a datatype accepts it.
fn suggest_value(s: &Store, leaves: &[PId], value: &str, ns: &ValueCx<'_>) -> Option<String> {
    let values: Vec<&str> = leaves
        .iter()
        .filter_map(|&p| match *s.node(p) {
            Node::Value(v) => Some(s.values[v as usize].value.as_str()),
            _ => None,
        })
        .collect();
    let best = values
        .iter()
        .filter_map(|v| closeness(value, v).map(|c| (c, *v)))
        .min();
    if let Some((_, v)) = best {
        return Some(format!("did you mean \"{v}\"?"));
    }
    let b = value.as_bytes();
    // ASCII only: the slices below are byte offsets (a value such as `1950-01-1é` would
    // cut a character in two; found by the validate_tei_all fuzz target).
    if b.len() >= 10 && b[..10].is_ascii() && b[4] == b'-' && b[7] == b'-' {
        let swapped = format!(
            "{}-{}-{}{}",
            &value[..4],
            &value[8..10],
            &value[5..7],
            &value[10..]
        );
        let ok = leaves.iter().any(|&p| match *s.node(p) {
            Node::Data(d) | Node::DataExcept(d, _) => {
                ns.check(&s.datatypes[d as usize], &swapped).is_ok()
            }
            _ => false,
        });
        if ok && swapped != value {
            return Some(format!(
                "did you mean {swapped}? (day and month swapped; dates are YYYY-MM-DD)"
            ));
        }
    }
    None
}

/// Display names of a name class.
fn class_names(nc: &NameClass, what: &str) -> Vec<String> {
    let mut out = Vec::new();
    class_names_rec(nc, what, &mut out);
    out
}

fn class_names_rec(nc: &NameClass, what: &str, out: &mut Vec<String>) {
    match nc {
        NameClass::Name(q) => out.push(display(q)),
        NameClass::AnyName(_) => out.push(format!("any {what}")),
        NameClass::NsName(ns, _) if ns.is_empty() => {
            out.push(format!("any {what} without a namespace"))
        }
        NameClass::NsName(ns, _) => out.push(format!("any {what} in namespace {ns}")),
        NameClass::Choice(a, b) => {
            class_names_rec(a, what, out);
            class_names_rec(b, what, out);
        }
    }
}

fn display(q: &QName) -> String {
    if q.ns == XML_NS {
        format!("xml:{}", q.local)
    } else {
        q.local.clone()
    }
}

/// Values and datatypes a set of data leaves accepts, for `expected`.
fn describe_data(s: &Store, leaves: &[PId]) -> Vec<String> {
    let mut out = Vec::new();
    for &p in leaves {
        let item = match *s.node(p) {
            Node::Value(v) => format!("\"{}\"", s.values[v as usize].value),
            Node::Data(d) | Node::DataExcept(d, _) => {
                format!("a value of type {}", s.datatypes[d as usize].name())
            }
            Node::List(_) => "a list of values".to_string(),
            _ => continue,
        };
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// The datatype's reason: when one datatype was tried, its message; when several were (TEI's
/// `@when` is a choice of date, gYear, dateTime, …), the message of the one whose lexical
/// shape the value has (`as a date: month 16 is out of range`).
fn why_invalid(s: &Store, leaves: &[PId], value: &str, ns: &ValueCx<'_>) -> Option<String> {
    let datas: Vec<u32> = leaves
        .iter()
        .filter_map(|&p| match *s.node(p) {
            Node::Data(d) | Node::DataExcept(d, _) => Some(d),
            _ => None,
        })
        .collect();
    let first = *datas.first()?;
    let has_values = leaves.iter().any(|&p| matches!(s.node(p), Node::Value(_)));
    if datas.len() == 1 && !has_values {
        return Some(match ns.check(&s.datatypes[first as usize], value) {
            Err(e) => e,
            Ok(()) => "the value is excluded".to_string(),
        });
    }
    let shape = temporal_shape(value.trim_matches(is_xml_space))?;
    let d = datas
        .iter()
        .find(|&&d| s.datatypes[d as usize].name() == shape)?;
    match ns.check(&s.datatypes[*d as usize], value) {
        Err(e) => Some(format!("as a {shape}: {e}")),
        Ok(()) => None,
    }
}

/// The XSD date/time type whose lexical form `v` has, by its digits and separators only.
fn temporal_shape(v: &str) -> Option<&'static str> {
    let v = v.strip_prefix('-').unwrap_or(v);
    let shape: String = v
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    let core = shape.trim_start_matches('9');
    let year_digits = shape.len() - core.len();
    if year_digits < 4 {
        return None;
    }
    if core.is_empty() {
        Some("gYear")
    } else if core == "-99" {
        Some("gYearMonth")
    } else if core.starts_with("-99-99T") {
        Some("dateTime")
    } else if core.starts_with("-99-99") {
        Some("date")
    } else {
        None
    }
}

fn shorten(v: &str) -> String {
    const MAX: usize = 60;
    if v.chars().count() <= MAX {
        v.to_string()
    } else {
        let mut s: String = v.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

/// The expected name closest to `got` (case first, then spelling), and whether it differs
/// only in case.
fn did_you_mean(got: &str, expected: &[String]) -> Option<(String, bool)> {
    expected
        .iter()
        .filter_map(|e| closeness(got, e).map(|c| (c, e)))
        .min()
        .map(|(c, e)| (e.clone(), c == 0))
}

/// Edit distance with adjacent transpositions counted as one edit (optimal string alignment).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, x) in d.iter_mut().take(w).enumerate() {
        *x = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        for j in 1..=b.len() {
            let c = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + c);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use crate::testutil::*;
    use teikit_relaxng::IdType;

    fn doc_schema() -> teikit_relaxng::Schema {
        // doc = element doc { attribute id? , head, p+ }
        schema(el(
            "doc",
            group(vec![
                opt(att("id", text())),
                el("head", text()),
                more(el("p", inter(vec![text(), star(el("hi", text()))]))),
            ]),
        ))
    }

    /// Attribute-value verdicts are remembered per (value pattern, value) only where the
    /// value's place cannot change them: the same QName value is valid under one namespace
    /// binding and invalid without it, and a remembered token-list verdict is the same as
    /// a fresh one, in both directions.
    #[test]
    fn remembered_value_verdicts() {
        let s = || {
            schema(el(
                "a",
                more(el(
                    "b",
                    group(vec![
                        opt(att("q", data("xsd", "QName"))),
                        opt(att(
                            "r",
                            list(more(choice(vec![
                                value("", "token", "#i"),
                                value("", "token", "#b"),
                            ]))),
                        )),
                    ]),
                )),
            ))
        };
        let d = check(
            s(),
            r##"<a><b q="p:x" xmlns:p="u"/><b q="p:x"/><b q="p:x" xmlns:p="v"/></a>"##,
            &["rng/invalid-attribute-value"],
        );
        assert_eq!(d[0].context.as_deref(), Some("/a/b[2]"));
        let d = check(
            s(),
            r##"<a><b r="#i #b"/><b r="#i  #x"/><b r=" #i #b"/><b r="#i #x"/><b r="#i #b"/></a>"##,
            &["rng/invalid-attribute-value", "rng/invalid-attribute-value"],
        );
        assert_eq!(d[0].context.as_deref(), Some("/a/b[2]"));
        assert_eq!(d[1].context.as_deref(), Some("/a/b[4]"));
    }

    /// Paths count siblings by name, also names the schema does not know (which share one key).
    #[test]
    fn paths_count_unknown_names_apart() {
        let s = || schema(el("doc", star(el("p", att("n", data("xsd", "integer"))))));
        let d = run(
            s(),
            r#"<doc><p n="1"/><x/><y/><x/><p n="q"/><y n="2"><z/></y></doc>"#,
        );
        let contexts: Vec<_> = d.iter().map(|d| d.context.as_deref()).collect();
        assert_eq!(
            contexts,
            [
                Some("/doc/x"),
                Some("/doc/y"),
                Some("/doc/x[2]"),
                Some("/doc/p[2]"),
                Some("/doc/y[2]"),
            ],
            "{d:#?}"
        );
    }

    /// The advice for a misplaced attribute is remembered per state and name; a second
    /// occurrence gets the same help and `expected` as the first.
    #[test]
    fn remembered_attribute_advice() {
        let d = check(
            schema(el("a", more(el("b", opt(att("rend", text())))))),
            r#"<a><b rnd="x"/><b rnd="y"/><b brk="no"/></a>"#,
            &[
                "rng/attribute-not-allowed",
                "rng/attribute-not-allowed",
                "rng/attribute-not-allowed",
            ],
        );
        assert_eq!(d[0].help.as_deref(), Some("did you mean @rend?"));
        assert_eq!(d[1].help, d[0].help);
        assert_eq!(d[1].expected, d[0].expected);
        assert_eq!(*d[0].expected, ["@rend"]);
        assert_eq!(
            d[2].help.as_deref(),
            Some("remove it, or use one of the attributes <b> takes")
        );
    }

    #[test]
    fn closeness_counts_transpositions_and_case() {
        assert_eq!(super::edit_distance("maojr", "major"), 1);
        assert_eq!(super::edit_distance("kitten", "sitting"), 3);
        assert_eq!(super::closeness("persname", "persName"), Some(0));
        assert_eq!(super::closeness("nn", "n"), Some(2));
        assert_eq!(super::closeness("tetx", "text"), Some(2));
        assert_eq!(super::closeness("ab", "xy"), None);
        assert_eq!(super::closeness("p", "p"), None);
    }

    #[test]
    fn temporal_shapes() {
        assert_eq!(super::temporal_shape("1950-16-09"), Some("date"));
        assert_eq!(super::temporal_shape("1950-16"), Some("gYearMonth"));
        assert_eq!(super::temporal_shape("1950"), Some("gYear"));
        assert_eq!(
            super::temporal_shape("1950-01-01T10:00:00"),
            Some("dateTime")
        );
        assert_eq!(super::temporal_shape("16 Sept"), None);
    }

    #[test]
    fn expected_is_capped_with_a_count() {
        let v: Vec<String> = (0..20).map(|i| format!("e{i:02}")).collect();
        let c = super::cap(v);
        assert_eq!(c.len(), super::EXPECTED_SHOWN);
        assert_eq!(c.last().map(String::as_str), Some("and 13 more"));
        assert_eq!(super::cap(vec!["a".into()]), vec!["a".to_string()]);
    }

    #[test]
    fn misspelled_required_element_is_read_as_the_suggestion() {
        // <haed> is read as <head>: its content is checked and <head> is not missing
        let doc = "<doc><haed>x</haed><p/></doc>";
        let d = check(doc_schema(), doc, &["rng/element-not-allowed"]);
        assert_eq!(d[0].help.as_deref(), Some("did you mean <head>?"));
        assert_eq!(d[0].expected[0], "head");
    }

    #[test]
    fn valid_documents() {
        check(doc_schema(), "<doc><head>t</head><p>x</p></doc>", &[]);
        check(
            doc_schema(),
            "<doc id='a'>\n  <head/>\n  <p>x <hi>y</hi> z</p><p/>\n</doc>",
            &[],
        );
    }

    #[test]
    fn element_not_allowed_points_at_the_name_and_recovers() {
        let doc = "<doc><head/><persname>x</persname><p/></doc>";
        let d = check(doc_schema(), doc, &["rng/element-not-allowed"]);
        assert_eq!(spanned(doc, &d[0]), "persname");
        assert_eq!(d[0].message, "element <persname> is not allowed in <doc>");
        assert_eq!(*d[0].expected, vec!["p"]);
        assert_eq!(d[0].context.as_deref(), Some("/doc/persname"));
    }

    #[test]
    fn not_allowed_yet() {
        // recovery goes on as if <head> were there: it is not reported missing again
        let doc = "<doc><p/></doc>";
        let d = check(doc_schema(), doc, &["rng/element-not-allowed"]);
        assert_eq!(
            d[0].message,
            "element <p> is not allowed yet: <head> must come first"
        );
    }

    #[test]
    fn known_element_elsewhere_is_validated_inside() {
        // <hi> is misplaced but known: its content is still checked (no text allowed? it is
        // text, so a nested element is an error).
        let doc = "<doc><head/><hi><p/></hi><p/></doc>";
        check(
            doc_schema(),
            doc,
            &["rng/element-not-allowed", "rng/element-not-allowed"],
        );
    }

    #[test]
    fn incomplete_content_at_end_tag() {
        let doc = "<doc><head/></doc>";
        let d = check(doc_schema(), doc, &["rng/incomplete-content"]);
        assert_eq!(spanned(doc, &d[0]), "</doc>");
        assert_eq!(
            d[0].message,
            "element <doc> is incomplete: missing required <p>"
        );
        assert_eq!(*d[0].expected, vec!["p"]);
        let doc = "<doc/>";
        let d = check(doc_schema(), doc, &["rng/incomplete-content"]);
        assert_eq!(spanned(doc, &d[0]), "<doc/>");
    }

    #[test]
    fn context_paths_count_siblings() {
        let doc = "<doc><head/><p/><p/><p><x/></p></doc>";
        let d = check(doc_schema(), doc, &["rng/element-not-allowed"]);
        assert_eq!(d[0].context.as_deref(), Some("/doc/p[3]/x"));
    }

    #[test]
    fn text_rules() {
        // whitespace is ignored in element-only content, other text is not
        check(doc_schema(), "<doc>  <head/> \n <p/> </doc>", &[]);
        let doc = "<doc><head/>oops<p/></doc>";
        let d = check(doc_schema(), doc, &["rng/text-not-allowed"]);
        assert_eq!(spanned(doc, &d[0]), "oops");
        let doc = "<doc><head/><p/>  trailing </doc>";
        let d = check(doc_schema(), doc, &["rng/text-not-allowed"]);
        assert_eq!(spanned(doc, &d[0]), "trailing");
    }

    #[test]
    fn attributes() {
        let doc = "<doc idd='x'><head/><p/></doc>";
        let d = check(doc_schema(), doc, &["rng/attribute-not-allowed"]);
        assert_eq!(spanned(doc, &d[0]), "idd");
        assert_eq!(*d[0].expected, vec!["@id"]);
        assert_eq!(d[0].help.as_deref(), Some("did you mean @id?"));
        let s = schema(el(
            "a",
            group(vec![att("x", text()), att("y", value("", "token", "yes"))]),
        ));
        let doc = "<a y=' yes '/>";
        let d = check(s, doc, &["rng/missing-attribute"]);
        assert_eq!(spanned(doc, &d[0]), "a");
        assert_eq!(d[0].message, "element <a> is missing required attribute @x");
        let s = schema(el(
            "a",
            group(vec![att("x", text()), att("y", value("", "token", "yes"))]),
        ));
        let doc = "<a x='' y='no'/>";
        let d = check(s, doc, &["rng/invalid-attribute-value"]);
        assert_eq!(spanned(doc, &d[0]), "no");
        assert_eq!(*d[0].expected, vec!["\"yes\""]);
    }

    #[test]
    fn attribute_names_classes() {
        let s = schema(el(
            "a",
            star(T::Att(
                teikit_relaxng::NameClass::NsName("urn:x".into(), None),
                Box::new(text()),
            )),
        ));
        check(s, "<a xmlns:x='urn:x' x:one='1' x:two='2'/>", &[]);
        let s = schema(el(
            "a",
            star(T::Att(
                teikit_relaxng::NameClass::NsName("urn:x".into(), None),
                Box::new(text()),
            )),
        ));
        check(
            s,
            "<a xmlns:y='urn:y' y:one='1'/>",
            &["rng/attribute-not-allowed"],
        );
    }

    #[test]
    fn data_and_weak_match() {
        let s = || schema(el("a", data("", "string")));
        check(s(), "<a/>", &[]);
        check(s(), "<a>  </a>", &[]);
        let s = || schema(el("a", value("", "string", "")));
        check(s(), "<a/>", &[]);
        check(s(), "<a> </a>", &["rng/invalid-data"]);
        let s = || schema(el("a", value("", "token", "x")));
        check(s(), "<a> x </a>", &[]);
        check(s(), "<a>x<!-- c -->y</a>", &["rng/invalid-data"]);
        let doc = "<a>  y </a>";
        let d = check(s(), doc, &["rng/invalid-data"]);
        assert_eq!(spanned(doc, &d[0]), "y");
        check(s(), "<a/>", &["rng/invalid-data"]);
    }

    #[test]
    fn xsd_data_in_content_and_attributes() {
        let s = || {
            schema(el(
                "a",
                group(vec![
                    att("when", data("xsd", "date")),
                    data("xsd", "integer"),
                ]),
            ))
        };
        check(s(), "<a when='2020-02-29'> 12 </a>", &[]);
        let doc = "<a when='2021-02-29'>x</a>";
        let d = check(
            s(),
            doc,
            &["rng/invalid-attribute-value", "rng/invalid-data"],
        );
        assert_eq!(spanned(doc, &d[0]), "2021-02-29");
        assert!(
            d[0].message.starts_with("invalid value \"2021-02-29\""),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn entity_values_name_unparsed_entities() {
        let s = || schema(el("a", att("pic", data("xsd", "ENTITY"))));
        let dtd = "<!DOCTYPE a [<!NOTATION gif SYSTEM 'g'><!ENTITY p SYSTEM 'p.gif' NDATA gif>]>";
        check(s(), &format!("{dtd}<a pic='p'/>"), &[]);
        check(
            s(),
            &format!("{dtd}<a pic='q'/>"),
            &["rng/invalid-attribute-value"],
        );
        check(s(), "<a pic='p'/>", &["rng/invalid-attribute-value"]);
    }

    #[test]
    fn lists() {
        let s = || {
            schema(el(
                "a",
                list(group(vec![
                    value("", "token", "a"),
                    more(choice(vec![
                        value("", "token", "b"),
                        value("", "token", "c"),
                    ])),
                ])),
            ))
        };
        check(s(), "<a> a b c b </a>", &[]);
        check(s(), "<a>a</a>", &["rng/invalid-data"]);
        check(s(), "<a>a b d</a>", &["rng/invalid-data"]);
        let s = schema(el("a", att("n", list(star(data("xsd", "integer"))))));
        check(s, "<a n=''/>", &[]);
    }

    #[test]
    fn interleave_and_mixed() {
        let s = || {
            schema(el(
                "a",
                inter(vec![el("x", empty()), el("y", empty()), text()]),
            ))
        };
        check(s(), "<a>1<y/>2<x/>3</a>", &[]);
        check(s(), "<a><x/><x/><y/></a>", &["rng/element-not-allowed"]);
        let d = check(s(), "<a><x/></a>", &["rng/incomplete-content"]);
        assert_eq!(*d[0].expected, vec!["y", "text"]);
    }

    #[test]
    fn ambiguous_elements_use_afters() {
        // two definitions of <b> with different continuations
        let s = schema(el(
            "a",
            choice(vec![
                group(vec![el("b", att("x", text())), el("c", empty())]),
                group(vec![el("b", empty()), el("d", empty())]),
            ]),
        ));
        let g = crate::Grammar::new(s);
        let ok = |doc: &str| {
            let d = teikit_xml::Document::parse(doc).unwrap();
            g.validate(&d)
        };
        assert!(ok("<a><b x='1'/><c/></a>").is_empty());
        assert!(ok("<a><b/><d/></a>").is_empty());
        assert_eq!(
            ok("<a><b x='1'/><d/></a>")[0].code,
            "rng/element-not-allowed"
        );
        assert_eq!(ok("<a><b/></a>")[0].code, "rng/incomplete-content");
    }

    #[test]
    fn not_allowed_start() {
        check(schema(T::NotAllowed), "<a/>", &["rng/element-not-allowed"]);
    }

    #[test]
    fn root_not_allowed() {
        let doc = "<other><p/></other>";
        let d = check(doc_schema(), doc, &["rng/element-not-allowed"]);
        assert_eq!(*d[0].expected, vec!["doc"]);
    }

    #[test]
    fn case_hint() {
        // read as the suggested <p>: the required <p> is not reported missing as well
        let doc = "<doc><head/><P/></doc>";
        let d = check(doc_schema(), doc, &["rng/element-not-allowed"]);
        assert_eq!(
            d[0].help.as_deref(),
            Some("did you mean <p>? element names are case-sensitive")
        );
    }

    #[test]
    fn ids_and_idrefs() {
        let s = || {
            schema_ids(
                el(
                    "r",
                    more(el(
                        "e",
                        group(vec![
                            opt(att("id", data("dtd", "ID"))),
                            opt(att("ref", data("dtd", "IDREFS"))),
                        ]),
                    )),
                ),
                &[("e", "id", IdType::Id), ("e", "ref", IdType::Idrefs)],
            )
        };
        check(s(), "<r><e id='a' ref='b a'/><e id='b'/></r>", &[]);
        let doc = "<r><e id='a'/><e id=' a '/></r>";
        let d = check(s(), doc, &["rng/duplicate-id"]);
        assert_eq!(d[0].labels.len(), 2);
        assert_eq!(
            &doc[d[0].labels[1].span.offset..d[0].labels[1].span.end()],
            "a"
        );
        let doc = "<r><e ref='a zz'/><e id='a'/></r>";
        let d = check(s(), doc, &["rng/dangling-idref"]);
        assert_eq!(spanned(doc, &d[0]), "a zz");
    }

    #[test]
    fn errors_do_not_cascade() {
        // A missing attribute, a bad child, and the rest is still checked.
        let s = schema(el(
            "a",
            group(vec![
                att("x", text()),
                more(el("b", empty())),
                el("c", empty()),
            ]),
        ));
        check(
            s,
            "<a><b/><zz><b/></zz><b>t</b><c/></a>",
            &[
                "rng/missing-attribute",
                "rng/element-not-allowed",
                "rng/text-not-allowed",
            ],
        );
    }

    #[test]
    fn any_name_and_namespaces() {
        let s = || {
            schema(T::El(
                teikit_relaxng::NameClass::AnyName(Some(Box::new(n("bad")))),
                Box::new(star(T::El(
                    teikit_relaxng::NameClass::NsName("urn:t".into(), None),
                    Box::new(text()),
                ))),
            ))
        };
        check(s(), "<root xmlns:t='urn:t'><t:a>x</t:a><t:b/></root>", &[]);
        check(s(), "<bad/>", &["rng/element-not-allowed"]);
        check(s(), "<root><a/></root>", &["rng/element-not-allowed"]);
    }
}

#[cfg(test)]
mod random_tests {
    use crate::testutil::*;

    fn gen(r: &mut Rng, depth: usize, out: &mut String) {
        let name = r.pick(&["doc", "head", "p", "hi", "x", "num"]);
        out.push('<');
        out.push_str(name);
        if r.next() % 3 == 0 {
            let a = r.pick(&["id", "n", "rend"]);
            let v = r.pick(&["1", "a b", "", "x"]);
            out.push_str(&format!(" {a}='{v}'"));
        }
        if depth == 0 || r.next() % 4 == 0 {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for _ in 0..(r.next() % 4) {
            match r.next() % 3 {
                0 => out.push_str(r.pick(&[" ", "text", "12", "\n  "])),
                _ => gen(r, depth - 1, out),
            }
        }
        out.push_str(&format!("</{name}>"));
    }

    #[test]
    fn random_documents_do_not_panic_and_are_deterministic() {
        let s = || {
            schema(el(
                "doc",
                group(vec![
                    opt(att("id", data("dtd", "ID"))),
                    el("head", text()),
                    more(el(
                        "p",
                        group(vec![
                            opt(att("n", data("xsd", "integer"))),
                            inter(vec![
                                text(),
                                star(el("hi", text())),
                                star(el("num", data("xsd", "integer"))),
                            ]),
                        ]),
                    )),
                ]),
            ))
        };
        let g = crate::Grammar::new(s());
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        let mut valid = 0;
        for _ in 0..400 {
            // mostly the right skeleton, random inside
            let mut doc = String::from("<doc><head>t</head>");
            for _ in 0..=(r.next() % 3) {
                doc.push_str("<p>");
                for _ in 0..(r.next() % 3) {
                    if r.next() % 2 == 0 {
                        doc.push_str(r.pick(&["a", " ", "<hi>x</hi>", "<num> 7 </num>"]));
                    } else {
                        gen(&mut r, 2, &mut doc);
                    }
                }
                doc.push_str("</p>");
            }
            doc.push_str("</doc>");
            let d = teikit_xml::Document::parse(&doc).expect("generated XML is well-formed");
            let first = g.validate(&d);
            // a fresh grammar (cold memo) gives the same diagnostics as the warm one
            let cold = crate::Grammar::new(s()).validate(&d);
            assert_eq!(first, cold, "{doc}");
            for diag in &first {
                let sp = diag.primary_span().expect("every diagnostic has a span");
                assert!(sp.end() <= doc.len(), "{doc}: {diag:?}");
            }
            if first.is_empty() {
                valid += 1;
            }
        }
        // the generator reaches both outcomes
        assert!(valid > 0);
    }
}

#[cfg(test)]
mod oracle_tests {
    use crate::oracle::Oracle;
    use crate::testutil::*;

    const NAMES: &[&str] = &["a", "b", "c", "d", "e"];
    const ATTS: &[&str] = &["x", "y", "n"];
    const VALUES: &[&str] = &["1", " 2 ", "a b", "", "x", "-3", "1 2"];
    const TEXTS: &[&str] = &[" ", "1", "a b", "x", "\n ", " 7 "];

    fn gen(r: &mut Rng, name: &str, depth: usize, out: &mut String) {
        out.push('<');
        out.push_str(name);
        let mut used = Vec::new();
        for _ in 0..(r.next() % 3) {
            let a = r.pick(ATTS);
            if !used.contains(&a) {
                used.push(a);
                out.push_str(&format!(" {a}='{}'", r.pick(VALUES)));
            }
        }
        let n = if depth == 0 { 0 } else { r.next() % 4 };
        if n == 0 && r.next() % 2 == 0 {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for _ in 0..n {
            if r.next() % 3 == 0 {
                out.push_str(r.pick(TEXTS));
            } else {
                let c = r.pick(NAMES);
                gen(r, c, depth - 1, out);
            }
        }
        out.push_str(&format!("</{name}>"));
    }

    fn compare(make: &dyn Fn() -> teikit_relaxng::Schema, seed: u64, cases: usize) {
        let schema = make();
        let oracle = Oracle::new(&schema);
        let warm = crate::Grammar::new(make());
        let mut r = Rng(seed);
        let (mut valid, mut invalid) = (0, 0);
        for _ in 0..cases {
            let mut doc = String::new();
            gen(&mut r, "a", 3, &mut doc);
            let d = teikit_xml::Document::parse(&doc).expect("generated XML is well-formed");
            let want = oracle.valid(&d);
            let got = warm.validate(&d);
            assert_eq!(got.is_empty(), want, "{doc}: {got:#?}");
            if want {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
        assert!(valid > 0 && invalid > 0, "valid {valid}, invalid {invalid}");
    }

    #[test]
    fn sequences_and_optional_attributes() {
        compare(
            &|| {
                schema(el(
                    "a",
                    group(vec![
                        opt(att("x", data("xsd", "integer"))),
                        star(choice(vec![
                            el("b", text()),
                            el(
                                "c",
                                group(vec![opt(att("y", text())), star(el("d", empty()))]),
                            ),
                        ])),
                    ]),
                ))
            },
            0x1234_5678_9abc_def1,
            3000,
        );
    }

    #[test]
    fn ambiguous_definitions_and_interleave() {
        compare(
            &|| {
                schema(el(
                    "a",
                    inter(vec![
                        star(choice(vec![
                            group(vec![el("b", att("x", text())), el("c", empty())]),
                            group(vec![el("b", opt(el("d", empty()))), el("d", empty())]),
                        ])),
                        text(),
                        opt(att("n", list(star(data("xsd", "integer"))))),
                    ]),
                ))
            },
            0x0f0f_1e1e_2d2d_3c3c,
            3000,
        );
    }

    #[test]
    fn data_values_lists_and_weak_match() {
        compare(
            &|| {
                schema(el(
                    "a",
                    star(choice(vec![
                        el("b", data("xsd", "integer")),
                        el(
                            "c",
                            choice(vec![value("", "token", "a b"), value("", "string", "")]),
                        ),
                        el(
                            "d",
                            list(group(vec![
                                data("xsd", "integer"),
                                star(value("", "token", "2")),
                            ])),
                        ),
                        el(
                            "e",
                            group(vec![
                                att("x", choice(vec![empty(), value("", "token", "x")])),
                                opt(data("", "string")),
                            ]),
                        ),
                        more(el("b", empty())),
                    ])),
                ))
            },
            0x5555_aaaa_1357_9bdf,
            3000,
        );
    }

    #[test]
    fn repeated_attribute_groups() {
        compare(
            &|| {
                schema(el(
                    "a",
                    choice(vec![
                        group(vec![
                            att("x", text()),
                            att("y", text()),
                            more(el("b", empty())),
                        ]),
                        group(vec![
                            att("x", value("", "token", "1")),
                            star(el("c", text())),
                        ]),
                        inter(vec![att("n", text()), el("d", empty()), el("e", empty())]),
                    ]),
                ))
            },
            0x2468_ace0_1357_9bdf,
            3000,
        );
    }
}
