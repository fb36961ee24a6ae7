//! The IDs of one document, stored compactly: it is the only table of a streamed document
//! that grows with the document (one entry per distinct ID), so an entry costs about 40 bytes
//! (the text in one arena, 24 bytes of entry, an open-addressing slot of 4 bytes at most half
//! full) instead of a `HashMap<String, Span>`'s 100 or so.

use std::hash::Hasher;

use teikit_diagnostics::Span;

use crate::fx::FxHasher;

/// A set of IDs, each with the span of its first use.
#[derive(Default)]
pub(crate) struct IdTable {
    /// Every ID's text, one after the other.
    text: String,
    entries: Vec<Entry>,
    /// Open addressing: `0` is empty, else the index of an entry plus one. Its length is a
    /// power of two at least twice the number of entries.
    slots: Vec<u32>,
}

struct Entry {
    start: usize,
    len: u32,
    span_len: u32,
    span_offset: usize,
}

/// The slot where the search for `s` starts in a table of `size` (a power of two) slots:
/// the hash's top bits, because a multiplicative hash mixes upwards only (the low bits of
/// FxHash depend only on the first bytes: `d1`, `d2`, … would all start in a few slots).
fn home(s: &str, size: usize) -> usize {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    let bits = size.trailing_zeros();
    (h.finish() >> (64 - bits)) as usize
}

impl IdTable {
    fn id(&self, e: &Entry) -> &str {
        &self.text[e.start..e.start + e.len as usize]
    }

    fn span(e: &Entry) -> Span {
        Span::new(e.span_offset, e.span_len as usize)
    }

    /// The slot holding `id`, or the empty slot where it would go.
    fn slot(&self, id: &str) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = home(id, self.slots.len());
        loop {
            match self.slots[i] {
                0 => return i,
                n if self.id(&self.entries[n as usize - 1]) == id => return i,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// The span of the first use of `id`.
    pub(crate) fn get(&self, id: &str) -> Option<Span> {
        if self.slots.is_empty() {
            return None;
        }
        match self.slots[self.slot(id)] {
            0 => None,
            n => Some(Self::span(&self.entries[n as usize - 1])),
        }
    }

    /// Adds `id`, first used at `span`; an ID already present keeps its first span.
    pub(crate) fn insert(&mut self, id: &str, span: Span) {
        if (self.entries.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let i = self.slot(id);
        if self.slots[i] != 0 {
            return;
        }
        self.entries.push(Entry {
            start: self.text.len(),
            len: id.len() as u32,
            span_len: span.len.min(u32::MAX as usize) as u32,
            span_offset: span.offset,
        });
        self.text.push_str(id);
        self.slots[i] = self.entries.len() as u32;
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        self.slots = vec![0; size];
        let mask = size - 1;
        for (n, e) in self.entries.iter().enumerate() {
            let mut i = home(self.id(e), size);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = n as u32 + 1;
        }
    }

    /// Every ID with the span of its first use, in the order they were added.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, Span)> {
        self.entries.iter().map(|e| (self.id(e), Self::span(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_inserted_and_keeps_the_first_span() {
        let mut t = IdTable::default();
        assert_eq!(t.get("a"), None);
        for i in 0..10_000 {
            t.insert(&format!("id{i}"), Span::new(i, 3));
        }
        t.insert("id7", Span::new(99, 1));
        assert_eq!(t.get("id7"), Some(Span::new(7, 3)));
        assert_eq!(t.get("id9999"), Some(Span::new(9999, 3)));
        assert_eq!(t.get("id10000"), None);
        assert_eq!(t.get(""), None);
        assert_eq!(t.iter().count(), 10_000);
        assert!(t.slots.len() >= 20_000);
    }

    #[test]
    fn ids_that_differ_only_at_the_end_spread_over_the_table() {
        // Generated IDs share their first bytes; probing must stay short.
        let mut t = IdTable::default();
        for i in 0..100_000 {
            t.insert(&format!("d{i}"), Span::new(i, 1));
        }
        let mut probes = 0;
        for i in 0..100_000 {
            let id = format!("d{i}");
            let mut s = home(&id, t.slots.len());
            while t.id(&t.entries[t.slots[s] as usize - 1]) != id {
                s = (s + 1) & (t.slots.len() - 1);
                probes += 1;
            }
        }
        assert!(probes < 200_000, "{probes} extra probes for 100,000 IDs");
    }
}
