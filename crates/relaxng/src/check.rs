//! Section 7 restrictions on the simplified grammar (prohibited paths, string sequences,
//! attribute and interleave restrictions) and the DTD-compatibility ID/IDREF check.

use ahash::{AHashMap as HashMap, AHashSet as HashSet};

use teikit_diagnostics::Diagnostic;

use crate::ir::{IdType, Loc, NameClass, QName};
use crate::load::code;
use crate::pattern::{Sk, Sp};
use crate::simplify::Simplified;
use crate::IdCompat;

/// Collected errors, capped so a badly broken schema cannot flood the output.
struct Errors {
    list: Vec<(u32, Diagnostic)>,
}

const MAX_ERRORS: usize = 100;

impl Errors {
    /// An error at `loc`, with `other` (the earlier occurrence) as a secondary label when it is
    /// in the same file.
    fn push_pair(&mut self, loc: Loc, other: Loc, code: &str, message: String) {
        if self.list.len() < MAX_ERRORS {
            let mut d = Diagnostic::error(code, message).with_label(loc.span, "");
            if other.file == loc.file && other != loc {
                d = d.with_secondary(other.span, "first occurrence");
            }
            self.list.push((loc.file, d));
        }
    }

    /// An error at `loc`, with a secondary label at `other` saying `what` when it is in the
    /// same file.
    fn push_with(&mut self, loc: Loc, other: Option<Loc>, what: &str, code: &str, message: String) {
        if self.list.len() < MAX_ERRORS {
            let mut d = Diagnostic::error(code, message).with_label(loc.span, "");
            if let Some(o) = other.filter(|o| o.file == loc.file && *o != loc) {
                d = d.with_secondary(o.span, what);
            }
            self.list.push((loc.file, d));
        }
    }

    fn push(&mut self, loc: Loc, code: &str, message: String) {
        if self.list.len() < MAX_ERRORS {
            let d = Diagnostic::error(code, message).with_label(loc.span, "");
            self.list.push((loc.file, d));
        }
    }
}

/// ID-typed (element, attribute) pairs.
pub(crate) type IdTypes = Vec<(QName, QName, IdType)>;

/// Errors with the index of the file they point into.
pub(crate) type FileErrors = Vec<(u32, Diagnostic)>;

/// Checks every restriction; returns the ID types on success.
pub(crate) fn check(s: &Simplified, id_compat: IdCompat) -> Result<IdTypes, FileErrors> {
    // 7.3/7.4, the costliest, run on a second thread while 7.1, 7.2 and the ID table are
    // checked here; the errors are then put in the order a single thread would give, and
    // capped the same way, so the outcome does not depend on the threads.
    let (mut errs, pair_errs, ids) = std::thread::scope(|scope| {
        let all_pairs = || {
            let mut e = Errors { list: Vec::new() };
            let mut scratch = PairScratch::default();
            for d in s.reachable() {
                pairs(&d.content, s, &mut e, &mut scratch);
            }
            e
        };
        // The checks recurse as deep as the schema nests: the loader's stack size.
        let pairs_thread = std::thread::Builder::new()
            .name("teikit-relaxng-check".into())
            .stack_size(crate::LOAD_STACK)
            .spawn_scoped(scope, all_pairs);
        let mut errs = Errors { list: Vec::new() };
        // 7.1
        paths(&s.start, Flags::start(), &mut errs);
        for d in s.reachable() {
            paths(&d.content, Flags::default(), &mut errs);
        }
        // 7.2
        for d in s.reachable() {
            content_type(&d.content, &mut errs);
        }
        // The ID table is used only when every check above passes; computing it now, before
        // 7.3/7.4 are known to pass, keeps both threads busy.
        let ids = errs.list.is_empty().then(|| {
            let mut id_errs = Errors { list: Vec::new() };
            let ids = id_types(s, &mut id_errs);
            (ids, id_errs)
        });
        let pair_errs = match pairs_thread {
            Ok(h) => h
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: check here.
            Err(_) => all_pairs(),
        };
        (errs, pair_errs, ids)
    });
    errs.list.extend(pair_errs.list);
    errs.list.truncate(MAX_ERRORS);
    match ids {
        // No ID table means 7.1 or 7.2 failed, so `errs` is not empty either.
        Some((ids, id_errs)) if errs.list.is_empty() => {
            if id_errs.list.is_empty() {
                Ok(ids)
            } else {
                match id_compat {
                    IdCompat::Error => Err(id_errs.list),
                    IdCompat::Ignore => Ok(Vec::new()),
                }
            }
        }
        _ => Err(errs.list),
    }
}

// ----- 7.1 prohibited paths ----------------------------------------------------------------

#[derive(Clone, Copy, Default)]
struct Flags {
    attribute: bool,
    one_or_more: bool,
    one_or_more_group: bool,
    list: bool,
    except: bool,
    start: bool,
}

impl Flags {
    fn start() -> Flags {
        Flags {
            start: true,
            ..Flags::default()
        }
    }
}

fn prohibited(p: &Sp, f: Flags) -> Option<(&'static str, &'static str)> {
    let name = p.kind_name();
    let hit = |list: &[&str]| list.contains(&name);
    if f.attribute && hit(&["ref", "attribute"]) {
        return Some(("7.1.1", "attribute"));
    }
    if f.one_or_more_group && name == "attribute" {
        return Some(("7.1.2", "oneOrMore//group or oneOrMore//interleave"));
    }
    if f.list && hit(&["list", "ref", "attribute", "text", "interleave"]) {
        return Some(("7.1.3", "list"));
    }
    if f.except
        && hit(&[
            "attribute",
            "ref",
            "text",
            "list",
            "group",
            "interleave",
            "oneOrMore",
            "empty",
        ])
    {
        return Some(("7.1.4", "data/except"));
    }
    if f.start
        && hit(&[
            "attribute",
            "data",
            "value",
            "text",
            "list",
            "group",
            "interleave",
            "oneOrMore",
            "empty",
        ])
    {
        return Some(("7.1.5", "start"));
    }
    None
}

fn paths(p: &Sp, f: Flags, errs: &mut Errors) {
    if let Some((section, inside)) = prohibited(p, f) {
        let what = if matches!(p.kind, Sk::Ref(_)) {
            "an element".to_string()
        } else {
            format!("<{}>", p.kind_name())
        };
        errs.push(
            p.loc,
            code::RESTRICTION,
            format!(
                "section {section}: {what} is not allowed inside {inside} (after simplification)"
            ),
        );
        return;
    }
    match &p.kind {
        Sk::Choice(v) => v.iter().for_each(|q| paths(q, f, errs)),
        Sk::Group(v) | Sk::Interleave(v) => {
            let g = Flags {
                one_or_more_group: f.one_or_more_group || f.one_or_more,
                ..f
            };
            v.iter().for_each(|q| paths(q, g, errs));
        }
        Sk::OneOrMore(q) => paths(
            q,
            Flags {
                one_or_more: true,
                ..f
            },
            errs,
        ),
        Sk::List(q) => paths(q, Flags { list: true, ..f }, errs),
        Sk::Attribute(nc, q) => {
            if !f.one_or_more && is_infinite(nc) {
                errs.push(
                    p.loc,
                    code::ATTRIBUTE,
                    "section 7.3: an attribute with an anyName or nsName name class must be inside oneOrMore (or zeroOrMore)".into(),
                );
            }
            paths(
                q,
                Flags {
                    attribute: true,
                    ..f
                },
                errs,
            )
        }
        Sk::Data {
            except: Some(q), ..
        } => paths(q, Flags { except: true, ..f }, errs),
        _ => {}
    }
}

fn is_infinite(nc: &NameClass) -> bool {
    match nc {
        NameClass::Name(_) => false,
        NameClass::AnyName(_) | NameClass::NsName(..) => true,
        NameClass::Choice(a, b) => is_infinite(a) || is_infinite(b),
    }
}

// ----- 7.2 string sequences ------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Ct {
    Empty,
    Complex,
    Simple,
}

fn groupable(a: Ct, b: Ct) -> bool {
    a == Ct::Empty || b == Ct::Empty || (a == Ct::Complex && b == Ct::Complex)
}

/// The content type, or `None` after reporting why there is none.
fn content_type(p: &Sp, errs: &mut Errors) -> Option<Ct> {
    match &p.kind {
        Sk::Value { .. } | Sk::Data { .. } | Sk::List(_) => Some(Ct::Simple),
        Sk::Text | Sk::Ref(_) => Some(Ct::Complex),
        Sk::Empty | Sk::NotAllowed => Some(Ct::Empty),
        Sk::Attribute(_, q) => content_type(q, errs).map(|_| Ct::Empty),
        Sk::Choice(v) => {
            let mut ct = Some(Ct::Empty);
            for q in v.iter() {
                let c = content_type(q, errs);
                ct = match (ct, c) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            ct
        }
        Sk::Group(v) | Sk::Interleave(v) => {
            let mut cts = Vec::with_capacity(v.len());
            for q in v.iter() {
                cts.push(content_type(q, errs)?);
            }
            let mut acc = Ct::Empty;
            for (q, c) in v.iter().zip(cts) {
                if !groupable(acc, c) {
                    errs.push(
                        q.loc,
                        code::STRING_SEQUENCE,
                        format!(
                            "section 7.2: this {} cannot be grouped with the {} content before it: data, value and list must be alternatives to elements and text, not in sequence with them",
                            describe(q), if acc == Ct::Simple { "data" } else { "element or text" }
                        ),
                    );
                    return None;
                }
                acc = acc.max(c);
            }
            Some(acc)
        }
        Sk::OneOrMore(q) => {
            let c = content_type(q, errs)?;
            if !groupable(c, c) {
                errs.push(
                    p.loc,
                    code::STRING_SEQUENCE,
                    "section 7.2: data, value or list cannot be repeated by oneOrMore/zeroOrMore outside a list".into(),
                );
                return None;
            }
            Some(c)
        }
    }
}

fn describe(p: &Sp) -> String {
    match p.kind {
        Sk::Ref(_) => "element".into(),
        _ => format!("<{}>", p.kind_name()),
    }
}

// ----- 7.3 duplicate attributes, 7.4 interleave ----------------------------------------------

/// Patterns "occurring in" `p` (7.3): through choice, group, interleave and oneOrMore.
fn occurring<'a>(p: &'a Sp, out: &mut Vec<&'a Sp>) {
    match &p.kind {
        Sk::Choice(v) | Sk::Group(v) | Sk::Interleave(v) => {
            for q in v.iter() {
                occurring(q, out);
            }
        }
        Sk::OneOrMore(q) => occurring(q, out),
        _ => out.push(p),
    }
}

/// A set of names for fast overlap tests.
#[derive(Default)]
struct NcSet<'a> {
    names: HashMap<&'a QName, Loc>,
    others: Vec<(&'a NameClass, Loc)>,
}

/// A name in two sets, and where each set has it.
struct Clash {
    name: String,
    first: Loc,
    second: Loc,
}

impl<'a> NcSet<'a> {
    fn add(&mut self, nc: &'a NameClass, loc: Loc) {
        match nc {
            NameClass::Name(q) => {
                self.names.entry(q).or_insert(loc);
            }
            NameClass::Choice(a, b) => {
                self.add(a, loc);
                self.add(b, loc);
            }
            other => self.others.push((other, loc)),
        }
    }

    /// Moves `later`'s names here, keeping the first place of each (`later` is left empty,
    /// with its capacity, for the next branch).
    fn merge(&mut self, later: &mut NcSet<'a>) {
        for (q, l) in later.names.drain() {
            self.names.entry(q).or_insert(l);
        }
        self.others.append(&mut later.others);
    }

    fn clear(&mut self) {
        self.names.clear();
        self.others.clear();
    }

    /// A name in both sets (`self` is the earlier one).
    fn overlap(&self, later: &NcSet<'_>) -> Option<Clash> {
        let clash = |q: &QName, first: Loc, second: Loc| Clash {
            name: show(q),
            first,
            second,
        };
        // The clash nearest the start of the file (then the least name, for names declared
        // at one place), so that messages do not depend on the hash maps' order.
        fn key<'q>((q, _, l2): &(&'q QName, Loc, Loc)) -> (u32, usize, &'q QName) {
            (l2.file, l2.span.offset, q)
        }
        let best = if self.names.len() <= later.names.len() {
            self.names
                .iter()
                .filter_map(|(q, l)| later.names.get(*q).map(|l2| (*q, *l, *l2)))
                .min_by_key(key)
        } else {
            later
                .names
                .iter()
                .filter_map(|(q, l2)| self.names.get(*q).map(|l| (*q, *l, *l2)))
                .min_by_key(key)
        };
        if let Some((q, l, l2)) = best {
            return Some(clash(q, l, l2));
        }
        for (nc, l) in &self.others {
            if let Some((q, l2)) = later.names.iter().find(|(q, _)| nc.contains(q)) {
                return Some(clash(q, *l, *l2));
            }
            for (nc2, l2) in &later.others {
                if let Some(q) = nc_overlap(nc, nc2) {
                    return Some(clash(&q, *l, *l2));
                }
            }
        }
        for (nc2, l2) in &later.others {
            if let Some((q, l)) = self.names.iter().find(|(q, _)| nc2.contains(q)) {
                return Some(clash(q, *l, *l2));
            }
        }
        None
    }
}

const NO_NS: &str = "\u{0}";

fn show(q: &QName) -> String {
    if q.local.is_empty() && q.ns == NO_NS {
        "any name".into()
    } else if q.local.is_empty() {
        format!("any name in namespace \"{}\"", q.ns)
    } else if q.ns.is_empty() {
        q.local.clone()
    } else {
        format!("{{{}}}{}", q.ns, q.local)
    }
}

fn representatives(nc: &NameClass, out: &mut Vec<QName>) {
    match nc {
        NameClass::Name(q) => out.push(q.clone()),
        NameClass::AnyName(e) => {
            out.push(QName::new(NO_NS, ""));
            if let Some(e) = e {
                representatives(e, out);
            }
        }
        NameClass::NsName(ns, e) => {
            out.push(QName::new(ns.clone(), ""));
            if let Some(e) = e {
                representatives(e, out);
            }
        }
        NameClass::Choice(a, b) => {
            representatives(a, out);
            representatives(b, out);
        }
    }
}

/// A name (possibly a stand-in for "any other name") in both classes.
pub(crate) fn nc_overlap(a: &NameClass, b: &NameClass) -> Option<QName> {
    let mut reps = Vec::new();
    representatives(a, &mut reps);
    representatives(b, &mut reps);
    reps.into_iter().find(|q| a.contains(q) && b.contains(q))
}

/// Sets and lists [`pairs`] reuses from one group to the next instead of allocating them for
/// each branch (TEI's elements have groups of dozens of attributes).
#[derive(Default)]
struct PairScratch<'a> {
    /// The union of the branches so far, attributes and elements.
    attrs: NcSet<'a>,
    elems: NcSet<'a>,
    /// The current branch's.
    a: NcSet<'a>,
    e: NcSet<'a>,
    occ: Vec<&'a Sp>,
}

fn pairs<'a>(p: &'a Sp, s: &'a Simplified, errs: &mut Errors, scratch: &mut PairScratch<'a>) {
    match &p.kind {
        Sk::Group(v) | Sk::Interleave(v) => {
            let is_interleave = matches!(p.kind, Sk::Interleave(_));
            // Each branch is compared with the union of the branches before it (one probe
            // per name rather than one per earlier branch: TEI groups dozens of attributes).
            let PairScratch {
                attrs,
                elems,
                a,
                e,
                occ,
            } = scratch;
            attrs.clear();
            elems.clear();
            let mut text: Option<usize> = None;
            for (i, q) in v.iter().enumerate() {
                occ.clear();
                occurring(q, occ);
                a.clear();
                e.clear();
                for &o in occ.iter() {
                    match &o.kind {
                        Sk::Attribute(nc, _) => a.add(nc, o.loc),
                        Sk::Ref(d) if is_interleave => e.add(&s.defines[*d as usize].nc, o.loc),
                        Sk::Text if is_interleave => {
                            if text.is_some_and(|t| t != i) {
                                errs.push(
                                    o.loc,
                                    code::INTERLEAVE,
                                    "section 7.4: text occurs in more than one branch of this interleave".into(),
                                );
                                return;
                            }
                            text = Some(i);
                        }
                        _ => {}
                    }
                }
                if let Some(c) = attrs.overlap(a) {
                    errs.push_pair(
                        c.second,
                        c.first,
                        code::ATTRIBUTE,
                        format!("section 7.3: attribute {} may occur twice", c.name),
                    );
                    return;
                }
                if let Some(c) = elems.overlap(e) {
                    errs.push_pair(
                        c.second,
                        c.first,
                        code::INTERLEAVE,
                        format!(
                            "section 7.4: element {} occurs in more than one branch of this interleave",
                            c.name
                        ),
                    );
                    return;
                }
                attrs.merge(a);
                if is_interleave {
                    elems.merge(e);
                }
            }
            for q in v.iter() {
                pairs(q, s, errs, scratch);
            }
        }
        Sk::Choice(v) => v.iter().for_each(|q| pairs(q, s, errs, scratch)),
        Sk::OneOrMore(q) | Sk::Attribute(_, q) | Sk::List(q) => pairs(q, s, errs, scratch),
        _ => {}
    }
}

// ----- DTD compatibility: ID, IDREF, IDREFS --------------------------------------------------

struct AttrUse<'a> {
    elem: &'a NameClass,
    attr: &'a NameClass,
    id: IdType,
    loc: Loc,
}

fn id_of(p: &Sp) -> IdType {
    match &p.kind {
        Sk::Data { dt, .. } => dt.id_type(),
        Sk::Value(v) => v.dt.id_type(),
        _ => IdType::Null,
    }
}

const MISPLACED_ID: &str = "DTD compatibility section 4: an ID, IDREF or IDREFS datatype must be the whole content of an attribute";

/// Finds ID-typed data/value not directly inside an attribute. `attr` is the enclosing
/// attribute pattern, if any (a secondary label: jing reports at the attribute), and
/// `parent_is_attr` whether `p` is its whole content.
fn misplaced_ids(p: &Sp, attr: Option<Loc>, parent_is_attr: bool, errs: &mut Errors) {
    const IN_ATTR: &str = "in this attribute";
    match &p.kind {
        Sk::Data { except, .. } => {
            if !parent_is_attr && id_of(p) != IdType::Null {
                errs.push_with(p.loc, attr, IN_ATTR, code::ID, MISPLACED_ID.into());
            }
            if let Some(e) = except {
                misplaced_ids(e, attr, false, errs);
            }
        }
        Sk::Value { .. } if !parent_is_attr && id_of(p) != IdType::Null => {
            errs.push_with(p.loc, attr, IN_ATTR, code::ID, MISPLACED_ID.into());
        }
        Sk::Attribute(_, q) => misplaced_ids(q, Some(p.loc), true, errs),
        Sk::Choice(v) | Sk::Group(v) | Sk::Interleave(v) => {
            v.iter().for_each(|q| misplaced_ids(q, attr, false, errs))
        }
        Sk::OneOrMore(q) | Sk::List(q) => misplaced_ids(q, attr, false, errs),
        _ => {}
    }
}

fn attr_uses<'a>(p: &'a Sp, elem: &'a NameClass, out: &mut Vec<AttrUse<'a>>) {
    match &p.kind {
        Sk::Attribute(nc, q) => out.push(AttrUse {
            elem,
            attr: nc,
            id: id_of(q),
            loc: p.loc,
        }),
        Sk::Choice(v) | Sk::Group(v) | Sk::Interleave(v) => {
            v.iter().for_each(|q| attr_uses(q, elem, out))
        }
        Sk::OneOrMore(q) => attr_uses(q, elem, out),
        _ => {}
    }
}

fn id_name(t: IdType) -> &'static str {
    match t {
        IdType::Null => "no ID type",
        IdType::Id => "ID",
        IdType::Idref => "IDREF",
        IdType::Idrefs => "IDREFS",
    }
}

fn id_types(s: &Simplified, errs: &mut Errors) -> Vec<(QName, QName, IdType)> {
    misplaced_ids(&s.start, None, false, errs);
    for d in s.reachable() {
        misplaced_ids(&d.content, None, false, errs);
    }
    let mut uses = Vec::new();
    for d in s.reachable() {
        attr_uses(&d.content, &d.nc, &mut uses);
    }
    if !uses.iter().any(|u| u.id != IdType::Null) {
        return Vec::new();
    }
    // Index by attribute name; wildcard attribute classes apart.
    let mut by_name: HashMap<&QName, Vec<usize>> = HashMap::new();
    let mut wild: Vec<usize> = Vec::new();
    let mut names = Vec::new();
    for (i, u) in uses.iter().enumerate() {
        names.clear();
        if simple_names(u.attr, &mut names) {
            for &q in &names {
                by_name.entry(q).or_default().push(i);
            }
        } else {
            wild.push(i);
        }
    }
    let mut result: Vec<(QName, QName, IdType)> = Vec::new();
    let mut seen: HashSet<(QName, QName)> = HashSet::new();
    let mut reported: HashSet<(u32, usize)> = HashSet::new();
    for u in uses.iter().filter(|u| u.id != IdType::Null) {
        let (NameClass::Name(e), NameClass::Name(a)) = (u.elem, u.attr) else {
            errs.push(
                u.loc,
                code::ID,
                format!(
                    "DTD compatibility section 4: an attribute of type {} and its element must each have a single name",
                    id_name(u.id)
                ),
            );
            continue;
        };
        let candidates = by_name.get(a).into_iter().flatten().chain(wild.iter());
        for &j in candidates {
            let c = &uses[j];
            if c.id != u.id
                && c.elem.contains(e)
                && c.attr.contains(a)
                && reported.insert((c.loc.file, c.loc.span.offset))
            {
                let d = Diagnostic::error(
                    code::ID,
                    format!(
                        "DTD compatibility section 4: attribute {} of element {} is declared with {} here but {} elsewhere",
                        show(a),
                        show(e),
                        id_name(c.id),
                        id_name(u.id)
                    ),
                )
                .with_label(c.loc.span, "");
                // The attribute declared with the ID type, when it is in the same file.
                let d = if u.loc.file == c.loc.file && u.loc != c.loc {
                    d.with_secondary(u.loc.span, format!("declared {} here", id_name(u.id)))
                } else {
                    d
                };
                if errs.list.len() < MAX_ERRORS {
                    errs.list.push((c.loc.file, d));
                }
            }
        }
        if seen.insert((e.clone(), a.clone())) {
            result.push((e.clone(), a.clone(), u.id));
        }
    }
    result
}

/// The names of a class made only of `name`s and choices; `false` if it has wildcards.
fn simple_names<'a>(nc: &'a NameClass, out: &mut Vec<&'a QName>) -> bool {
    match nc {
        NameClass::Name(q) => {
            out.push(q);
            true
        }
        NameClass::Choice(a, b) => simple_names(a, out) && simple_names(b, out),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(l: &str) -> NameClass {
        NameClass::Name(QName::new("", l))
    }

    #[test]
    fn name_class_overlap() {
        let any = NameClass::AnyName(None);
        let any_but_a = NameClass::AnyName(Some(Box::new(name("a"))));
        let ns = NameClass::NsName("urn:x".into(), None);
        assert!(nc_overlap(&name("a"), &name("a")).is_some());
        assert!(nc_overlap(&name("a"), &name("b")).is_none());
        assert!(nc_overlap(&any, &name("b")).is_some());
        assert!(nc_overlap(&any_but_a, &name("a")).is_none());
        assert!(nc_overlap(&any_but_a, &ns).is_some());
        assert!(nc_overlap(&ns, &name("a")).is_none());
        let ns_but = NameClass::NsName(
            "urn:x".into(),
            Some(Box::new(NameClass::Name(QName::new("urn:x", "a")))),
        );
        assert!(nc_overlap(&ns_but, &NameClass::Name(QName::new("urn:x", "a"))).is_none());
        assert!(nc_overlap(&ns_but, &ns).is_some());
    }
}
