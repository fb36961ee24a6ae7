//! Big documents are checked and built on two threads; what comes out must be what the
//! sequential reader gives: the checker's diagnostic, never the tree builder's.

use teikit_xml::{parse, parse_with_storage, Limits};

/// A document of about 400 KB whose body is `body` repeated, then `tail` before the end tag.
fn big(tail: &str) -> String {
    let body = "<p n=\"1\">some text &amp; more</p>\n".repeat(12_000);
    format!("<TEI xmlns=\"http://www.tei-c.org/ns/1.0\">\n{body}{tail}</TEI>\n")
}

fn check_all_ways(src: &str, expect: Result<usize, (&str, usize)>) {
    let run = || {
        let plain = parse(src, &Limits::default()).map(|d| d.descendants().count());
        let mut storage = String::new();
        let stored = parse_with_storage(src, &Limits::default(), &mut storage)
            .map(|d| d.descendants().count());
        [plain, stored]
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    for result in run().into_iter().chain(pool.install(run)) {
        match (result, expect) {
            (Ok(n), Ok(want)) => assert_eq!(n, want),
            (Err(d), Err((code, offset))) => {
                assert_eq!(
                    (d.code.as_str(), d.primary_span().unwrap().offset),
                    (code, offset)
                )
            }
            (got, want) => panic!("got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn a_big_well_formed_document_gives_its_tree() {
    let src = big("");
    assert!(src.len() > 300_000);
    // The document node, the root, 12,000 <p> with their text, and 12,001 line breaks.
    check_all_ways(&src, Ok(2 + 12_000 * 2 + 12_001));
}

#[test]
fn the_checkers_error_wins_over_the_tree_builders() {
    // roxmltree also rejects both, with its own wording and position.
    let src = big("<x:p/>");
    let at = src.find("<x:p").unwrap() + 1;
    check_all_ways(&src, Err(("xml/undeclared-prefix", at)));
    let src = big("<p>unclosed");
    let at = src.rfind("<p>").unwrap();
    check_all_ways(&src, Err(("xml/unclosed-tag", at)));
}
