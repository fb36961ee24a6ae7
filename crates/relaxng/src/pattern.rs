//! The pattern trees between the syntax and the IR, both like [`crate::ir::Pattern`] but
//! with a [`Loc`] on every node, so that restriction errors (section 7) can point at the
//! offending pattern: the loader's tree [`Pat`] (`Ref` indexes the loader's define slots),
//! and the simplified grammar's shared form [`Sp`] (`Ref` indexes the output defines).

use std::sync::Arc;

use crate::datatype::Datatype;
use crate::ir::{Loc, NameClass};

/// A pattern as the loader reads it (full syntax desugared, refs to slots).
#[derive(Clone, Debug)]
pub(crate) struct Pat {
    pub kind: K,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub(crate) enum K {
    Empty,
    NotAllowed,
    Text,
    Choice(Vec<Pat>),
    Group(Vec<Pat>),
    Interleave(Vec<Pat>),
    OneOrMore(Box<Pat>),
    List(Box<Pat>),
    Element(NameClass, Box<Pat>),
    Attribute(NameClass, Box<Pat>),
    Data {
        dt: Arc<Datatype>,
        except: Option<Box<Pat>>,
    },
    Value {
        dt: Arc<Datatype>,
        value: String,
        ns_ctx: crate::ir::NsContext,
    },
    Ref(u32),
}

impl Pat {
    pub fn new(kind: K, loc: Loc) -> Pat {
        Pat { kind, loc }
    }
}

/// Builds a group of loader patterns, applying 4.20 (notAllowed absorbs) and 4.21 (empty is
/// the unit), and flattening nested groups.
pub(crate) fn group(items: Vec<Pat>, loc: Loc) -> Pat {
    let mut out = Vec::with_capacity(items.len());
    for p in items {
        match p.kind {
            K::NotAllowed => return Pat::new(K::NotAllowed, loc),
            K::Empty => {}
            K::Group(v) => out.extend(v),
            kind => out.push(Pat::new(kind, p.loc)),
        }
    }
    match out.len() {
        0 => Pat::new(K::Empty, loc),
        1 => out.pop().unwrap_or_else(|| Pat::new(K::Empty, loc)),
        _ => Pat::new(K::Group(out), loc),
    }
}

/// A pattern of the simplified grammar: like [`Pat`] without `element` (each element is a
/// define by then, referenced by `Ref`), and with every child behind an `Arc`, so that a
/// clone costs a few reference counts. A define inlined at many references is then one tree
/// shared by all of them (TEI's attribute classes are inlined into hundreds of elements),
/// and the passes after simplification read the grammar as that DAG.
#[derive(Clone, Debug)]
pub(crate) struct Sp {
    pub kind: Sk,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub(crate) enum Sk {
    Empty,
    NotAllowed,
    Text,
    Choice(Arc<[Sp]>),
    Group(Arc<[Sp]>),
    Interleave(Arc<[Sp]>),
    OneOrMore(Arc<Sp>),
    List(Arc<Sp>),
    Attribute(Arc<NameClass>, Arc<Sp>),
    Data {
        dt: Arc<Datatype>,
        except: Option<Arc<Sp>>,
    },
    Value(Arc<ValuePat>),
    /// An output define (index into `Simplified::defines`).
    Ref(u32),
}

/// The payload of a `value` pattern.
#[derive(Debug)]
pub(crate) struct ValuePat {
    pub dt: Arc<Datatype>,
    pub value: String,
    pub ns_ctx: crate::ir::NsContext,
}

impl Sp {
    pub fn new(kind: Sk, loc: Loc) -> Sp {
        Sp { kind, loc }
    }

    pub fn is_not_allowed(&self) -> bool {
        matches!(self.kind, Sk::NotAllowed)
    }

    /// The element name of the pattern kind, as the spec's paths use it.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            Sk::Empty => "empty",
            Sk::NotAllowed => "notAllowed",
            Sk::Text => "text",
            Sk::Choice(_) => "choice",
            Sk::Group(_) => "group",
            Sk::Interleave(_) => "interleave",
            Sk::OneOrMore(_) => "oneOrMore",
            Sk::List(_) => "list",
            Sk::Attribute(..) => "attribute",
            Sk::Data { .. } => "data",
            Sk::Value(_) => "value",
            Sk::Ref(_) => "ref",
        }
    }
}

/// Builds a group, applying 4.20 (notAllowed absorbs) and 4.21 (empty is the unit); nested
/// groups are flattened (their children are shared, not copied).
pub(crate) fn s_group(items: Vec<Sp>, loc: Loc) -> Sp {
    seq(items, loc, true)
}

/// Builds an interleave with the same simplifications as [`s_group`].
pub(crate) fn s_interleave(items: Vec<Sp>, loc: Loc) -> Sp {
    seq(items, loc, false)
}

fn seq(items: Vec<Sp>, loc: Loc, is_group: bool) -> Sp {
    let mut out = Vec::with_capacity(items.len());
    for p in items {
        match &p.kind {
            Sk::NotAllowed => return Sp::new(Sk::NotAllowed, loc),
            Sk::Empty => {}
            Sk::Group(v) if is_group => out.extend(v.iter().cloned()),
            Sk::Interleave(v) if !is_group => out.extend(v.iter().cloned()),
            _ => out.push(p),
        }
    }
    match out.len() {
        0 => Sp::new(Sk::Empty, loc),
        1 => out.pop().unwrap_or_else(|| Sp::new(Sk::Empty, loc)),
        _ => Sp::new(
            if is_group {
                Sk::Group(out.into())
            } else {
                Sk::Interleave(out.into())
            },
            loc,
        ),
    }
}

/// Builds a choice: notAllowed alternatives dropped, at most one `empty` kept (first).
pub(crate) fn s_choice(items: Vec<Sp>, loc: Loc) -> Sp {
    let mut out: Vec<Sp> = Vec::with_capacity(items.len());
    let mut empty: Option<Sp> = None;
    for p in items {
        match &p.kind {
            Sk::NotAllowed => {}
            Sk::Empty => {
                if empty.is_none() {
                    empty = Some(p);
                }
            }
            Sk::Choice(v) => {
                for q in v.iter() {
                    if matches!(q.kind, Sk::Empty) {
                        if empty.is_none() {
                            empty = Some(q.clone());
                        }
                    } else {
                        out.push(q.clone());
                    }
                }
            }
            _ => out.push(p),
        }
    }
    if let Some(e) = empty {
        out.insert(0, e);
    }
    match out.len() {
        0 => Sp::new(Sk::NotAllowed, loc),
        1 => out.pop().unwrap_or_else(|| Sp::new(Sk::NotAllowed, loc)),
        _ => Sp::new(Sk::Choice(out.into()), loc),
    }
}

/// `oneOrMore`, with notAllowed and empty absorbing.
pub(crate) fn s_one_or_more(p: Sp, loc: Loc) -> Sp {
    match p.kind {
        Sk::NotAllowed => Sp::new(Sk::NotAllowed, loc),
        Sk::Empty => Sp::new(Sk::Empty, loc),
        _ => Sp::new(Sk::OneOrMore(Arc::new(p)), loc),
    }
}

/// `list`, with notAllowed absorbing.
pub(crate) fn s_list(p: Sp, loc: Loc) -> Sp {
    if p.is_not_allowed() {
        Sp::new(Sk::NotAllowed, loc)
    } else {
        Sp::new(Sk::List(Arc::new(p)), loc)
    }
}

/// `attribute`, with notAllowed content absorbing.
pub(crate) fn s_attribute(nc: NameClass, p: Sp, loc: Loc) -> Sp {
    if p.is_not_allowed() {
        Sp::new(Sk::NotAllowed, loc)
    } else {
        Sp::new(Sk::Attribute(Arc::new(nc), Arc::new(p)), loc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(kind: Sk) -> Sp {
        Sp::new(kind, Loc::default())
    }

    #[test]
    fn not_allowed_and_empty_simplify() {
        let l = Loc::default();
        assert!(matches!(
            s_group(vec![p(Sk::Text), p(Sk::NotAllowed)], l).kind,
            Sk::NotAllowed
        ));
        assert!(matches!(
            s_group(vec![p(Sk::Text), p(Sk::Empty)], l).kind,
            Sk::Text
        ));
        assert!(matches!(
            s_group(vec![p(Sk::Empty), p(Sk::Empty)], l).kind,
            Sk::Empty
        ));
        assert!(matches!(
            s_choice(vec![p(Sk::NotAllowed), p(Sk::NotAllowed)], l).kind,
            Sk::NotAllowed
        ));
        assert!(matches!(
            s_choice(vec![p(Sk::NotAllowed), p(Sk::Text)], l).kind,
            Sk::Text
        ));
        let c = s_choice(vec![p(Sk::Text), p(Sk::Empty), p(Sk::Empty)], l);
        match c.kind {
            Sk::Choice(v) => {
                assert_eq!(v.len(), 2);
                assert!(matches!(v[0].kind, Sk::Empty));
            }
            _ => panic!("expected a choice"),
        }
        // A nested choice's empty moves to the front, once.
        let inner = s_choice(vec![p(Sk::Text), p(Sk::Empty)], l);
        let c = s_choice(vec![p(Sk::Ref(1)), inner, p(Sk::Empty)], l);
        match c.kind {
            Sk::Choice(v) => {
                let kinds: Vec<_> = v.iter().map(Sp::kind_name).collect();
                assert_eq!(kinds, ["empty", "ref", "text"]);
            }
            _ => panic!("expected a choice"),
        }
        assert!(matches!(s_one_or_more(p(Sk::Empty), l).kind, Sk::Empty));
        assert!(matches!(s_list(p(Sk::NotAllowed), l).kind, Sk::NotAllowed));
        let g = s_group(
            vec![s_group(vec![p(Sk::Text), p(Sk::Text)], l), p(Sk::Text)],
            l,
        );
        assert!(matches!(g.kind, Sk::Group(ref v) if v.len() == 3));
        let i = s_interleave(
            vec![
                s_interleave(vec![p(Sk::Text), p(Sk::Ref(0))], l),
                p(Sk::Text),
            ],
            l,
        );
        assert!(matches!(i.kind, Sk::Interleave(ref v) if v.len() == 3));
    }

    #[test]
    fn loader_groups_flatten() {
        let l = Loc::default();
        let q = |kind: K| Pat::new(kind, l);
        let g = group(vec![group(vec![q(K::Text), q(K::Text)], l), q(K::Empty)], l);
        assert!(matches!(g.kind, K::Group(ref v) if v.len() == 2));
        assert!(matches!(
            group(vec![q(K::Text), q(K::NotAllowed)], l).kind,
            K::NotAllowed
        ));
        assert!(matches!(group(vec![], l).kind, K::Empty));
    }
}
