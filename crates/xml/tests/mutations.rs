//! Mutated documents never panic the reader, and whatever the checker accepts the tree
//! builder accepts too (no `xml/not-well-formed` fallback): the checker is never looser than
//! roxmltree.

use teikit_xml::{parse, Limits};

const SEEDS: &[&str] = &[
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n<TEI xmlns=\"http://www.tei-c.org/ns/1.0\" xml:lang=\"de\">\n  <p n=\"1\">Grüße &amp; <hi rend='b'>ok</hi><![CDATA[<x>]]><?pi d?></p>\n</TEI>\n",
    "<!DOCTYPE a [<!ENTITY e \"<b x='1'>t&#233;</b>\"><!ENTITY f 'v'><!ELEMENT a ANY>]><a y=\"&f;\">&e;&f;&#x41;</a>",
    "<!DOCTYPE a [<!ENTITY d \"<&#xE14;&#xE35; x='&#x31;'>t</&#xE14;&#xE35;>\">]><a>&d;&d;</a>",
    "<p:a xmlns:p=\"u\" xmlns:q=\"v\" p:x=\"1\" q:x=\"2\"><q:b/><c xmlns=\"w\"/></p:a>",
    "<?xml version='1.0' standalone='no'?>\r\n<!DOCTYPE r SYSTEM \"r.dtd\" [\r\n<!-- d --><?p q?><!ATTLIST r a CDATA #IMPLIED>\r\n<!ENTITY % pe 'x'><!ENTITY x SYSTEM 'f' NDATA n>]>\r\n<r a='&lt;&#10;'>\r\n<s>t</s>\r\n</r>\r\n<!-- end -->",
];

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "<",
    ">",
    "/",
    "&",
    ";",
    "\"",
    "'",
    "=",
    " ",
    ":",
    "]]>",
    "<!--",
    "-->",
    "<?",
    "?>",
    "&#",
    "x",
    "<a>",
    "</a>",
    "<![CDATA[",
    "&e;",
    "xmlns:",
    "é",
    "\0",
    "\n",
    "<!DOCTYPE a>",
    "%",
];

fn mutate(rng: &mut Rng, seed: &str) -> String {
    let mut s: Vec<char> = seed.chars().collect();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(s.len() + 1);
        match rng.below(3) {
            0 if at < s.len() => {
                s.remove(at);
            }
            1 if at < s.len() => {
                let len = 1 + rng.below(4).min(s.len() - at - 1);
                s.drain(at..at + len);
            }
            _ => {
                let piece = PIECES[rng.below(PIECES.len())];
                for (i, c) in piece.chars().enumerate() {
                    s.insert(at + i, c);
                }
            }
        }
    }
    s.into_iter().collect()
}

#[test]
fn mutations_never_panic_and_the_checker_is_never_looser() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let limits = Limits::default();
    let mut rejected = 0;
    for round in 0..6000 {
        let seed = SEEDS[round % SEEDS.len()];
        let doc = mutate(&mut rng, seed);
        let mut storage = String::new();
        if let Err(d) = teikit_xml::parse_with_storage(&doc, &limits, &mut storage) {
            assert_ne!(
                d.code, "xml/not-well-formed",
                "with storage: {doc:?}: {}",
                d.message
            );
        }
        match parse(&doc, &limits) {
            Ok(_) => {}
            Err(d) => {
                rejected += 1;
                assert_ne!(
                    d.code, "xml/not-well-formed",
                    "checker accepted what roxmltree rejects: {doc:?}: {}",
                    d.message
                );
                let span = d.primary_span().expect("every error has a span");
                assert!(
                    span.end() <= doc.len(),
                    "{doc:?}: span {span:?} past the end"
                );
                assert!(doc.is_char_boundary(span.offset), "{doc:?}: span {span:?}");
            }
        }
    }
    assert!(
        rejected > 1000,
        "the mutations do break documents ({rejected})"
    );
}
