//! The loader's pattern tree: like [`crate::ir::Pattern`] but with a [`Loc`] on every node,
//! so that restriction errors (section 7) can point at the offending pattern. `Ref` indexes
//! the loader's define slots before simplification and the output defines after it.

use std::sync::Arc;

use crate::datatype::Datatype;
use crate::ir::{Loc, NameClass};

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
        ns_ctx: Vec<(String, String)>,
    },
    Ref(u32),
}

impl Pat {
    pub fn new(kind: K, loc: Loc) -> Pat {
        Pat { kind, loc }
    }

    pub fn is_not_allowed(&self) -> bool {
        matches!(self.kind, K::NotAllowed)
    }

    /// The element name of the pattern kind, as the spec's paths use it.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            K::Empty => "empty",
            K::NotAllowed => "notAllowed",
            K::Text => "text",
            K::Choice(_) => "choice",
            K::Group(_) => "group",
            K::Interleave(_) => "interleave",
            K::OneOrMore(_) => "oneOrMore",
            K::List(_) => "list",
            K::Element(..) => "element",
            K::Attribute(..) => "attribute",
            K::Data { .. } => "data",
            K::Value { .. } => "value",
            K::Ref(_) => "ref",
        }
    }
}

/// Builds a group, applying 4.20 (notAllowed absorbs) and 4.21 (empty is the unit).
pub(crate) fn group(items: Vec<Pat>, loc: Loc) -> Pat {
    seq(items, loc, true)
}

/// Builds an interleave with the same simplifications as [`group`].
pub(crate) fn interleave(items: Vec<Pat>, loc: Loc) -> Pat {
    seq(items, loc, false)
}

fn seq(items: Vec<Pat>, loc: Loc, is_group: bool) -> Pat {
    let mut out = Vec::with_capacity(items.len());
    for p in items {
        match p.kind {
            K::NotAllowed => return Pat::new(K::NotAllowed, loc),
            K::Empty => {}
            K::Group(v) if is_group => out.extend(v),
            K::Interleave(v) if !is_group => out.extend(v),
            kind => out.push(Pat::new(kind, p.loc)),
        }
    }
    match out.len() {
        0 => Pat::new(K::Empty, loc),
        1 => out.pop().unwrap_or_else(|| Pat::new(K::Empty, loc)),
        _ => Pat::new(
            if is_group {
                K::Group(out)
            } else {
                K::Interleave(out)
            },
            loc,
        ),
    }
}

/// Builds a choice: notAllowed alternatives dropped, at most one `empty` kept.
pub(crate) fn choice(items: Vec<Pat>, loc: Loc) -> Pat {
    let mut out: Vec<Pat> = Vec::with_capacity(items.len());
    let mut empty: Option<Pat> = None;
    for p in items {
        match p.kind {
            K::NotAllowed => {}
            K::Empty => {
                if empty.is_none() {
                    empty = Some(p);
                }
            }
            K::Choice(v) => {
                for q in v {
                    if matches!(q.kind, K::Empty) {
                        if empty.is_none() {
                            empty = Some(q);
                        }
                    } else {
                        out.push(q);
                    }
                }
            }
            kind => out.push(Pat::new(kind, p.loc)),
        }
    }
    if let Some(e) = empty {
        out.insert(0, e);
    }
    match out.len() {
        0 => Pat::new(K::NotAllowed, loc),
        1 => out.pop().unwrap_or_else(|| Pat::new(K::NotAllowed, loc)),
        _ => Pat::new(K::Choice(out), loc),
    }
}

/// `oneOrMore`, with notAllowed and empty absorbing.
pub(crate) fn one_or_more(p: Pat, loc: Loc) -> Pat {
    match p.kind {
        K::NotAllowed => Pat::new(K::NotAllowed, loc),
        K::Empty => Pat::new(K::Empty, loc),
        _ => Pat::new(K::OneOrMore(Box::new(p)), loc),
    }
}

/// `list`, with notAllowed absorbing.
pub(crate) fn list(p: Pat, loc: Loc) -> Pat {
    if p.is_not_allowed() {
        Pat::new(K::NotAllowed, loc)
    } else {
        Pat::new(K::List(Box::new(p)), loc)
    }
}

/// `attribute`, with notAllowed content absorbing.
pub(crate) fn attribute(nc: NameClass, p: Pat, loc: Loc) -> Pat {
    if p.is_not_allowed() {
        Pat::new(K::NotAllowed, loc)
    } else {
        Pat::new(K::Attribute(nc, Box::new(p)), loc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(kind: K) -> Pat {
        Pat::new(kind, Loc::default())
    }

    #[test]
    fn not_allowed_and_empty_simplify() {
        let l = Loc::default();
        assert!(matches!(
            group(vec![p(K::Text), p(K::NotAllowed)], l).kind,
            K::NotAllowed
        ));
        assert!(matches!(
            group(vec![p(K::Text), p(K::Empty)], l).kind,
            K::Text
        ));
        assert!(matches!(
            group(vec![p(K::Empty), p(K::Empty)], l).kind,
            K::Empty
        ));
        assert!(matches!(
            choice(vec![p(K::NotAllowed), p(K::NotAllowed)], l).kind,
            K::NotAllowed
        ));
        assert!(matches!(
            choice(vec![p(K::NotAllowed), p(K::Text)], l).kind,
            K::Text
        ));
        let c = choice(vec![p(K::Text), p(K::Empty), p(K::Empty)], l);
        match c.kind {
            K::Choice(v) => {
                assert_eq!(v.len(), 2);
                assert!(matches!(v[0].kind, K::Empty));
            }
            _ => panic!("expected a choice"),
        }
        assert!(matches!(one_or_more(p(K::Empty), l).kind, K::Empty));
        assert!(matches!(list(p(K::NotAllowed), l).kind, K::NotAllowed));
        let g = group(vec![group(vec![p(K::Text), p(K::Text)], l), p(K::Text)], l);
        assert!(matches!(g.kind, K::Group(ref v) if v.len() == 3));
    }
}
