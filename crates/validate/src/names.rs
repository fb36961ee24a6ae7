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

struct NsEntry {
    uri: String,
    /// Key for local names the schema does not mention in this namespace.
    other: NameKey,
    locals: FxHashMap<String, NameKey>,
}

/// Remembers the last namespace looked up: documents repeat the same few namespaces, so
/// comparing with the previous one usually spares hashing the URI.
#[derive(Default)]
pub(crate) struct NsCache {
    /// Index into `NameTable::entries` plus one (`0`: nothing cached).
    entry: u32,
}

/// The keys of one schema.
pub(crate) struct NameTable {
    by_ns: FxHashMap<String, u32>,
    entries: Vec<NsEntry>,
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
            entries: Vec::new(),
            unknown: 0,
            reps: vec![QName::new(UNKNOWN_NS, "")],
        };
        let mut stack: Vec<&Pattern> = vec![&schema.start];
        for d in &schema.defines {
            t.add_class(&d.name_class);
            if schema.deferred.is_none() {
                stack.push(&d.content);
            }
        }
        // Deferred contents are not walked: their attribute names are listed up front.
        for nc in schema.deferred.iter().flat_map(|d| d.attribute_names()) {
            t.add_class(nc);
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
        let i = match self.by_ns.get(ns) {
            Some(&i) => i,
            None => {
                let other = self.reps.len() as NameKey;
                self.reps.push(QName::new(ns, ""));
                let i = self.entries.len() as u32;
                self.entries.push(NsEntry {
                    uri: ns.to_string(),
                    other,
                    locals: FxHashMap::default(),
                });
                self.by_ns.insert(ns.to_string(), i);
                i
            }
        };
        &mut self.entries[i as usize]
    }

    fn add_name(&mut self, q: &QName) {
        self.add_ns(&q.ns);
        let next = self.reps.len() as NameKey;
        let i = self.by_ns[q.ns.as_str()];
        let entry = &mut self.entries[i as usize];
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
            Some(&i) => self.local_key(i, local),
            None => self.unknown,
        }
    }

    #[inline]
    fn local_key(&self, entry: u32, local: &str) -> NameKey {
        let e = &self.entries[entry as usize];
        e.locals.get(local).copied().unwrap_or(e.other)
    }

    /// [`NameTable::key`] with a one-entry namespace cache.
    #[inline]
    pub(crate) fn key_cached(&self, cache: &mut NsCache, ns: &str, local: &str) -> NameKey {
        if let Some(e) = cache.entry.checked_sub(1) {
            if self.entries[e as usize].uri == ns {
                return self.local_key(e, local);
            }
        }
        match self.by_ns.get(ns) {
            Some(&i) => {
                cache.entry = i + 1;
                self.local_key(i, local)
            }
            None => self.unknown,
        }
    }

    /// Is `key` one of the keys shared by names the schema does not mention (of a namespace
    /// it mentions, or of any other)?
    pub(crate) fn is_unknown(&self, key: NameKey) -> bool {
        self.reps
            .get(key as usize)
            .is_none_or(|rep| rep.local.is_empty())
    }

    /// Does `nc` contain the names of `key`?
    pub(crate) fn contains(&self, nc: &NameClass, key: NameKey) -> bool {
        nc.contains(&self.reps[key as usize])
    }

    /// Number of keys.
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
            deferred: None,
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
        let mut cache = NsCache::default();
        for (ns, local) in [
            ("urn:a", "x"),
            ("urn:a", "y"),
            ("urn:b", "no"),
            ("urn:zz", "x"),
            ("urn:a", "x"),
        ] {
            assert_eq!(
                t.key_cached(&mut cache, ns, local),
                t.key(ns, local),
                "{ns} {local}"
            );
        }
        assert!(t.contains(&s.defines[0].name_class, x));
        assert!(!t.contains(&s.defines[0].name_class, t.key("urn:a", "q")));
    }
}
