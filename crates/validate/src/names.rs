//! Expanded names as small integer keys.
//!
//! Every name a schema mentions gets its own key. A document name the schema never mentions
//! behaves exactly like any other unmentioned name of the same namespace (name classes can only
//! tell names apart by namespace, by listed names and by `anyName`), so all of them share one
//! key per namespace, and names in a namespace the schema never mentions share one more key.
//! The key space is therefore finite and fixed by the schema: derivative memo tables cannot
//! grow with the vocabulary of the documents.

use teikit_relaxng::{NameClass, Pattern, QName, Schema};

use crate::fx::FxHashMap;

/// A name key (see the module documentation).
pub(crate) type NameKey = u32;

/// A namespace URI no document can use (XML forbids U+0000), standing for "any namespace the
/// schema does not mention".
const UNKNOWN_NS: &str = "\u{0}";

#[derive(Default)]
struct NsEntry {
    /// Key for local names the schema does not mention in this namespace.
    other: NameKey,
    locals: FxHashMap<String, NameKey>,
}

/// The keys of one schema.
pub(crate) struct NameTable {
    by_ns: FxHashMap<String, NsEntry>,
    unknown: NameKey,
    /// A representative expanded name per key (the name itself, or one with an empty local
    /// name, which no schema can mention, for the "other" keys).
    reps: Vec<QName>,
}

impl NameTable {
    /// Collects every name and namespace that `schema`'s name classes mention.
    pub(crate) fn build(schema: &Schema) -> NameTable {
        let mut t = NameTable {
            by_ns: FxHashMap::default(),
            unknown: 0,
            reps: vec![QName::new(UNKNOWN_NS, "")],
        };
        let mut stack: Vec<&Pattern> = vec![&schema.start];
        for d in &schema.defines {
            t.add_class(&d.name_class);
            stack.push(&d.content);
        }
        while let Some(p) = stack.pop() {
            match p {
                Pattern::Choice(ps) | Pattern::Group(ps) | Pattern::Interleave(ps) => {
                    stack.extend(ps.iter())
                }
                Pattern::OneOrMore(p) | Pattern::List(p) => stack.push(p),
                Pattern::Attribute { name, content, .. } => {
                    t.add_class(name);
                    stack.push(content);
                }
                _ => {}
            }
        }
        // Names of the ID table too, so that lookups by key stay exact.
        for (e, a, _) in &schema.id_types {
            t.add_name(e);
            t.add_name(a);
        }
        t
    }

    fn add_ns(&mut self, ns: &str) -> &mut NsEntry {
        if !self.by_ns.contains_key(ns) {
            let other = self.reps.len() as NameKey;
            self.reps.push(QName::new(ns, ""));
            self.by_ns.insert(
                ns.to_string(),
                NsEntry {
                    other,
                    locals: FxHashMap::default(),
                },
            );
        }
        self.by_ns.get_mut(ns).expect("just inserted")
    }

    fn add_name(&mut self, q: &QName) {
        self.add_ns(&q.ns);
        let next = self.reps.len() as NameKey;
        let entry = self.by_ns.get_mut(q.ns.as_str()).expect("namespace added");
        if entry.locals.contains_key(q.local.as_str()) {
            return;
        }
        entry.locals.insert(q.local.clone(), next);
        self.reps.push(q.clone());
    }

    fn add_class(&mut self, nc: &NameClass) {
        match nc {
            NameClass::Name(q) => self.add_name(q),
            NameClass::AnyName(e) => {
                if let Some(e) = e {
                    self.add_class(e);
                }
            }
            NameClass::NsName(ns, e) => {
                self.add_ns(ns);
                if let Some(e) = e {
                    self.add_class(e);
                }
            }
            NameClass::Choice(a, b) => {
                self.add_class(a);
                self.add_class(b);
            }
        }
    }

    /// The key of a document name.
    #[inline]
    pub(crate) fn key(&self, ns: &str, local: &str) -> NameKey {
        match self.by_ns.get(ns) {
            Some(e) => e.locals.get(local).copied().unwrap_or(e.other),
            None => self.unknown,
        }
    }

    /// Does `nc` contain the names of `key`?
    pub(crate) fn contains(&self, nc: &NameClass, key: NameKey) -> bool {
        nc.contains(&self.reps[key as usize])
    }

    /// Number of keys.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.reps.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_with(ncs: Vec<NameClass>) -> Schema {
        Schema {
            start: Pattern::Empty,
            defines: ncs
                .into_iter()
                .map(|nc| teikit_relaxng::Define {
                    name: "d".into(),
                    name_class: nc,
                    content: Pattern::Empty,
                    loc: Default::default(),
                })
                .collect(),
            files: Vec::new(),
            id_types: Vec::new(),
        }
    }

    #[test]
    fn unmentioned_names_share_a_key_per_namespace() {
        let s = schema_with(vec![
            NameClass::Name(QName::new("urn:a", "x")),
            NameClass::NsName(
                "urn:b".into(),
                Some(Box::new(NameClass::Name(QName::new("urn:b", "no")))),
            ),
        ]);
        let t = NameTable::build(&s);
        assert_eq!(t.len(), 5);
        let x = t.key("urn:a", "x");
        assert_ne!(x, t.key("urn:a", "y"));
        assert_eq!(t.key("urn:a", "y"), t.key("urn:a", "z"));
        assert_eq!(t.key("urn:c", "y"), t.key("urn:d", "x"));
        let nsb = &s.defines[1].name_class;
        assert!(t.contains(nsb, t.key("urn:b", "yes")));
        assert!(!t.contains(nsb, t.key("urn:b", "no")));
        assert!(!t.contains(nsb, t.key("urn:a", "x")));
        assert!(t.contains(&s.defines[0].name_class, x));
        assert!(!t.contains(&s.defines[0].name_class, t.key("urn:a", "q")));
    }
}
