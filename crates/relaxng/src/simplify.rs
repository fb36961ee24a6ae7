//! Sections 4.19–4.21: every element into its own define, non-element defines expanded
//! (with the recursion check), notAllowed/empty propagation, unreachable defines removed.
//!
//! One pass over the define graph: each define is expanded at most once and memoised, so
//! the cost is linear in the size of the output (TEI's class/macro defines are expanded once
//! and cloned where used). Element contents are expanded from a work list, so recursion
//! through an element never looks like a cycle.

use teikit_diagnostics::Diagnostic;

use crate::ir::{Loc, NameClass};
use crate::load::{code, Slot};
use crate::pattern::{self, Pat, K};

/// A define of the simplified grammar: one element.
pub(crate) struct OutDef {
    pub name: String,
    pub nc: NameClass,
    pub content: Pat,
    pub loc: Loc,
}

/// The simplified grammar.
pub(crate) struct Simplified {
    pub start: Pat,
    pub defines: Vec<OutDef>,
}

enum State {
    Unvisited,
    InProgress,
    Element(u32),
    Inline(Pat),
    /// Inlined at its only use.
    Done,
}

struct Simplifier {
    slots: Vec<Slot>,
    state: Vec<State>,
    out: Vec<OutDef>,
    work: Vec<(u32, Pat)>,
    errors: Vec<(u32, Diagnostic)>,
    /// Nesting of `expand` calls, bounded so the output stays shallow enough for the
    /// recursive walks after it (restriction checks, the validator, dropping the tree).
    depth: usize,
    /// Static reference counts per slot.
    uses: Vec<u32>,
}

/// Maximum nesting of patterns after expanding refs (real schemas stay far below).
const MAX_DEPTH: usize = 10_000;

/// Simplifies; errors are recursion errors (4.19).
pub(crate) fn simplify(start: Pat, slots: Vec<Slot>) -> Result<Simplified, Vec<(u32, Diagnostic)>> {
    let n = slots.len();
    // How often each slot is referenced: a slot used once is moved, not cloned, when it is
    // inlined (keeps long chains of single-use defines linear).
    let mut uses = vec![0u32; n];
    let mut refs = Vec::new();
    collect_refs(&start, &mut refs);
    for slot in &slots {
        if let Some(b) = &slot.body {
            collect_refs(b, &mut refs);
        }
    }
    for r in refs {
        if let Some(u) = uses.get_mut(r as usize) {
            *u = u.saturating_add(1);
        }
    }
    let mut s = Simplifier {
        slots,
        state: (0..n).map(|_| State::Unvisited).collect(),
        uses,
        out: Vec::new(),
        work: Vec::new(),
        errors: Vec::new(),
        depth: 0,
    };
    let start = s.expand(start);
    while let Some((o, content)) = s.work.pop() {
        let c = s.expand(content);
        s.out[o as usize].content = c;
    }
    if !s.errors.is_empty() {
        return Err(s.errors);
    }
    Ok(prune(start, s.out))
}

impl Simplifier {
    fn new_define(&mut self, name: String, nc: NameClass, content: Pat, loc: Loc) -> u32 {
        let o = self.out.len() as u32;
        self.out.push(OutDef {
            name,
            nc,
            content: Pat::new(K::NotAllowed, loc),
            loc,
        });
        self.work.push((o, content));
        o
    }

    fn expand(&mut self, p: Pat) -> Pat {
        if self.depth >= MAX_DEPTH {
            if self.errors.is_empty() {
                let d = Diagnostic::error(
                    code::RECURSION,
                    format!("section 4.19: expanding references nests patterns more than {MAX_DEPTH} deep (a limit of teikit)"),
                )
                .with_label(p.loc.span, "");
                self.errors.push((p.loc.file, d));
            }
            return Pat::new(K::NotAllowed, p.loc);
        }
        self.depth += 1;
        let r = self.expand_inner(p);
        self.depth -= 1;
        r
    }

    fn expand_inner(&mut self, p: Pat) -> Pat {
        let loc = p.loc;
        match p.kind {
            K::Empty | K::NotAllowed | K::Text | K::Value { .. } => p,
            K::Choice(v) => {
                let v = v.into_iter().map(|q| self.expand(q)).collect();
                pattern::choice(v, loc)
            }
            K::Group(v) => {
                let v = v.into_iter().map(|q| self.expand(q)).collect();
                pattern::group(v, loc)
            }
            K::Interleave(v) => {
                let v = v.into_iter().map(|q| self.expand(q)).collect();
                pattern::interleave(v, loc)
            }
            K::OneOrMore(q) => {
                let q = self.expand(*q);
                pattern::one_or_more(q, loc)
            }
            K::List(q) => {
                let q = self.expand(*q);
                pattern::list(q, loc)
            }
            K::Attribute(nc, q) => {
                let q = self.expand(*q);
                pattern::attribute(nc, q, loc)
            }
            K::Data { dt, except } => {
                let except = except
                    .map(|e| self.expand(*e))
                    .filter(|e| !e.is_not_allowed())
                    .map(Box::new);
                Pat::new(K::Data { dt, except }, loc)
            }
            K::Element(nc, content) => {
                let name = nc_label(&nc);
                let o = self.new_define(name, nc, *content, loc);
                Pat::new(K::Ref(o), loc)
            }
            K::Ref(d) => self.expand_ref(d, loc),
        }
    }

    fn expand_ref(&mut self, d: u32, loc: Loc) -> Pat {
        let i = d as usize;
        match &self.state[i] {
            State::Element(o) => return Pat::new(K::Ref(*o), loc),
            State::Inline(p) => return p.clone(),
            State::Done => return Pat::new(K::NotAllowed, loc),
            State::InProgress => {
                let name = self.slots[i].name.clone();
                let d = Diagnostic::error(
                    code::RECURSION,
                    format!(
                        "section 4.19: \"{name}\" refers to itself without an element in between"
                    ),
                )
                .with_label(loc.span, "this reference loops back");
                self.errors.push((loc.file, d));
                return Pat::new(K::NotAllowed, loc);
            }
            State::Unvisited => {}
        }
        let Some(body) = self.slots[i].body.take() else {
            return Pat::new(K::NotAllowed, loc);
        };
        if let K::Element(nc, content) = body.kind {
            let name = if self.slots[i].name.is_empty() {
                nc_label(&nc)
            } else {
                self.slots[i].name.clone()
            };
            let o = self.new_define(name, nc, *content, body.loc);
            self.state[i] = State::Element(o);
            return Pat::new(K::Ref(o), loc);
        }
        self.state[i] = State::InProgress;
        let p = self.expand(body);
        if self.uses[i] > 1 {
            self.state[i] = State::Inline(p.clone());
        } else {
            // Used once: nothing will ask for it again.
            self.state[i] = State::Done;
        }
        p
    }
}

/// A short name for an element's name class (define names are for messages only).
fn nc_label(nc: &NameClass) -> String {
    match nc {
        NameClass::Name(q) => q.local.clone(),
        NameClass::AnyName(_) => "anyName".into(),
        NameClass::NsName(..) => "nsName".into(),
        NameClass::Choice(a, _) => nc_label(a),
    }
}

/// Removes defines not reachable from the start (4.19/4.20) and renumbers refs.
fn prune(mut start: Pat, mut defs: Vec<OutDef>) -> Simplified {
    let mut map: Vec<Option<u32>> = vec![None; defs.len()];
    let mut order = Vec::new();
    let mut stack = Vec::new();
    collect_refs(&start, &mut stack);
    while let Some(d) = stack.pop() {
        if map[d as usize].is_some() {
            continue;
        }
        map[d as usize] = Some(order.len() as u32);
        order.push(d);
        collect_refs(&defs[d as usize].content, &mut stack);
    }
    renumber(&mut start, &map);
    let mut slots: Vec<Option<OutDef>> = defs.drain(..).map(Some).collect();
    let mut out = Vec::with_capacity(order.len());
    for d in order {
        if let Some(mut def) = slots[d as usize].take() {
            renumber(&mut def.content, &map);
            out.push(def);
        }
    }
    Simplified {
        start,
        defines: out,
    }
}

fn collect_refs(p: &Pat, out: &mut Vec<u32>) {
    match &p.kind {
        K::Ref(d) => out.push(*d),
        K::Choice(v) | K::Group(v) | K::Interleave(v) => {
            for q in v {
                collect_refs(q, out);
            }
        }
        K::OneOrMore(q) | K::List(q) | K::Attribute(_, q) | K::Element(_, q) => {
            collect_refs(q, out)
        }
        K::Data {
            except: Some(q), ..
        } => collect_refs(q, out),
        _ => {}
    }
}

fn renumber(p: &mut Pat, map: &[Option<u32>]) {
    match &mut p.kind {
        K::Ref(d) => *d = map[*d as usize].unwrap_or(*d),
        K::Choice(v) | K::Group(v) | K::Interleave(v) => {
            for q in v {
                renumber(q, map);
            }
        }
        K::OneOrMore(q) | K::List(q) | K::Attribute(_, q) | K::Element(_, q) => renumber(q, map),
        K::Data {
            except: Some(q), ..
        } => renumber(q, map),
        _ => {}
    }
}
