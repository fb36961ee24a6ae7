//! Sections 4.19–4.21: every element into its own define, non-element defines expanded
//! (with the recursion check), notAllowed/empty propagation, unreachable defines removed.
//!
//! One pass over the define graph: each define is expanded at most once and memoised, so
//! the cost is linear in the size of the schema. The result is a DAG of [`Sp`] nodes: a
//! define inlined at many references is the same shared tree at each (cloning an `Sp` costs
//! reference counts, not a copy). Element contents are expanded from a work list, so
//! recursion through an element never looks like a cycle.

use std::sync::Arc;

use teikit_diagnostics::Diagnostic;

use crate::ir::{Loc, NameClass};
use crate::load::{code, Slot};
use crate::pattern::{self, Pat, Sk, Sp, ValuePat, K};

/// A define of the simplified grammar: one element.
pub(crate) struct OutDef {
    pub name: String,
    pub nc: NameClass,
    pub content: Sp,
    pub loc: Loc,
}

/// The simplified grammar. `Sk::Ref` indexes `defines`, which also holds the defines that
/// turned out unreachable; `order` lists the reachable ones in output order, and `index`
/// maps a define to its output number.
pub(crate) struct Simplified {
    pub start: Sp,
    pub defines: Vec<OutDef>,
    pub order: Vec<u32>,
    pub index: Vec<u32>,
}

impl Simplified {
    /// The reachable defines, in output order.
    pub fn reachable(&self) -> impl Iterator<Item = &OutDef> {
        self.order.iter().map(|&d| &self.defines[d as usize])
    }
}

enum State {
    Unvisited,
    InProgress,
    Element(u32),
    Inline(Sp),
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
}

/// Maximum nesting of patterns after expanding refs (real schemas stay far below).
const MAX_DEPTH: usize = 10_000;

/// Simplifies; errors are recursion errors (4.19).
pub(crate) fn simplify(start: Pat, slots: Vec<Slot>) -> Result<Simplified, Vec<(u32, Diagnostic)>> {
    let n = slots.len();
    let mut s = Simplifier {
        slots,
        state: (0..n).map(|_| State::Unvisited).collect(),
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
            content: Sp::new(Sk::NotAllowed, loc),
            loc,
        });
        self.work.push((o, content));
        o
    }

    fn expand(&mut self, p: Pat) -> Sp {
        if self.depth >= MAX_DEPTH {
            if self.errors.is_empty() {
                let d = Diagnostic::error(
                    code::RECURSION,
                    format!("section 4.19: expanding references nests patterns more than {MAX_DEPTH} deep (a limit of teikit)"),
                )
                .with_label(p.loc.span, "");
                self.errors.push((p.loc.file, d));
            }
            return Sp::new(Sk::NotAllowed, p.loc);
        }
        self.depth += 1;
        let r = self.expand_inner(p);
        self.depth -= 1;
        r
    }

    fn expand_inner(&mut self, p: Pat) -> Sp {
        let loc = p.loc;
        match p.kind {
            K::Empty => Sp::new(Sk::Empty, loc),
            K::NotAllowed => Sp::new(Sk::NotAllowed, loc),
            K::Text => Sp::new(Sk::Text, loc),
            K::Value { dt, value, ns_ctx } => {
                Sp::new(Sk::Value(Arc::new(ValuePat { dt, value, ns_ctx })), loc)
            }
            K::Choice(v) => {
                let v = v.into_iter().map(|q| self.expand(q)).collect();
                pattern::s_choice(v, loc)
            }
            K::Group(v) => {
                let v = v.into_iter().map(|q| self.expand(q)).collect();
                pattern::s_group(v, loc)
            }
            K::Interleave(v) => {
                let v = v.into_iter().map(|q| self.expand(q)).collect();
                pattern::s_interleave(v, loc)
            }
            K::OneOrMore(q) => {
                let q = self.expand(*q);
                pattern::s_one_or_more(q, loc)
            }
            K::List(q) => {
                let q = self.expand(*q);
                pattern::s_list(q, loc)
            }
            K::Attribute(nc, q) => {
                let q = self.expand(*q);
                pattern::s_attribute(nc, q, loc)
            }
            K::Data { dt, except } => {
                let except = except
                    .map(|e| self.expand(*e))
                    .filter(|e| !e.is_not_allowed())
                    .map(Arc::new);
                Sp::new(Sk::Data { dt, except }, loc)
            }
            K::Element(nc, content) => {
                let name = nc_label(&nc);
                let o = self.new_define(name, nc, *content, loc);
                Sp::new(Sk::Ref(o), loc)
            }
            K::Ref(d) => self.expand_ref(d, loc),
        }
    }

    fn expand_ref(&mut self, d: u32, loc: Loc) -> Sp {
        let i = d as usize;
        match &self.state[i] {
            State::Element(o) => return Sp::new(Sk::Ref(*o), loc),
            // Shared, not copied: every use of the define is the same tree.
            State::Inline(p) => return p.clone(),
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
                return Sp::new(Sk::NotAllowed, loc);
            }
            State::Unvisited => {}
        }
        let Some(body) = self.slots[i].body.take() else {
            return Sp::new(Sk::NotAllowed, loc);
        };
        if let K::Element(nc, content) = body.kind {
            let name = if self.slots[i].name.is_empty() {
                nc_label(&nc)
            } else {
                self.slots[i].name.clone()
            };
            let o = self.new_define(name, nc, *content, body.loc);
            self.state[i] = State::Element(o);
            return Sp::new(Sk::Ref(o), loc);
        }
        self.state[i] = State::InProgress;
        let p = self.expand(body);
        self.state[i] = State::Inline(p.clone());
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

/// Finds the defines reachable from the start (4.19/4.20) and numbers them in the order of
/// a depth-first walk (last reference first, as a stack pops them).
fn prune(start: Sp, defs: Vec<OutDef>) -> Simplified {
    let mut index = vec![u32::MAX; defs.len()];
    let mut order = Vec::new();
    let mut stack = Vec::new();
    collect_refs(&start, &mut stack);
    while let Some(d) = stack.pop() {
        if index[d as usize] != u32::MAX {
            continue;
        }
        index[d as usize] = order.len() as u32;
        order.push(d);
        collect_refs(&defs[d as usize].content, &mut stack);
    }
    Simplified {
        start,
        defines: defs,
        order,
        index,
    }
}

fn collect_refs(p: &Sp, out: &mut Vec<u32>) {
    match &p.kind {
        Sk::Ref(d) => out.push(*d),
        Sk::Choice(v) | Sk::Group(v) | Sk::Interleave(v) => {
            for q in v.iter() {
                collect_refs(q, out);
            }
        }
        Sk::OneOrMore(q) | Sk::List(q) | Sk::Attribute(_, q) => collect_refs(q, out),
        Sk::Data {
            except: Some(q), ..
        } => collect_refs(q, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Loader;
    use crate::LoadOptions;
    use std::path::Path;

    /// `text` loaded (which must succeed) and simplified.
    fn simplify_text(text: &str) -> Result<Simplified, Vec<(u32, Diagnostic)>> {
        let options = LoadOptions::default();
        let path = Path::new("mem/s.rng");
        let loaded = match Loader::new(&options, Some((path, text))).load(path) {
            Ok(l) => l,
            Err(l) => panic!("not loaded: {:?}", l.errors),
        };
        simplify(loaded.start, loaded.slots)
    }

    fn simplified(text: &str) -> Simplified {
        match simplify_text(text) {
            Ok(s) => s,
            Err(e) => panic!("not simplified: {e:?}"),
        }
    }

    #[test]
    fn an_inlined_define_is_shared_by_its_uses() {
        let s = simplified(
            r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0">
  <start><choice><ref name="a"/><ref name="b"/></choice></start>
  <define name="atts"><optional><attribute name="x"/></optional><attribute name="y"/></define>
  <define name="a"><element name="a"><ref name="atts"/></element></define>
  <define name="b"><element name="b"><ref name="atts"/></element></define>
  <define name="unused"><element name="u"><empty/></element></define>
</grammar>"#,
        );
        let contents: Vec<&Sp> = s.reachable().map(|d| &d.content).collect();
        assert_eq!(contents.len(), 2, "the unreachable define is not output");
        let (Sk::Group(x), Sk::Group(y)) = (&contents[0].kind, &contents[1].kind) else {
            panic!("expected groups: {contents:?}");
        };
        assert!(Arc::ptr_eq(x, y), "one tree for both uses");
        // Output numbering follows the walk from the start; refs keep the internal numbers.
        let names: Vec<&str> = s.reachable().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["b", "a"]);
        for (i, &d) in s.order.iter().enumerate() {
            assert_eq!(s.index[d as usize], i as u32);
        }
    }

    #[test]
    fn recursion_without_an_element_is_an_error() {
        let errs = simplify_text(
            r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0">
  <start><ref name="a"/></start>
  <define name="a"><choice><text/><ref name="a"/></choice></define>
</grammar>"#,
        )
        .err()
        .expect("recursion");
        assert_eq!(errs[0].1.code, code::RECURSION);
    }
}
