//! RELAX NG compact syntax: `teikit_rnc::parse` on arbitrary text, then the whole loader on
//! the same text as a `.rnc` schema.
//!
//! Invariants: errors are at most `MAX_ERRORS`, non-empty, and their spans and notes lie in
//! the text on character boundaries; the spans of every element, attribute and text node of a
//! parsed tree do too; the loader reports a compact-syntax error exactly when the parser does.
#![no_main]

use std::ops::Range;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use teikit_rnc::{Element, Node};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = teikit_rnc::parse(text);
    match &parsed {
        Ok(root) => walk(root, text),
        Err(errors) => {
            assert!(!errors.is_empty(), "failure without an error");
            assert!(
                errors.len() <= teikit_rnc::MAX_ERRORS,
                "{} errors",
                errors.len()
            );
            for e in errors {
                assert!(!e.message.is_empty());
                range_in(&e.span, text, "error");
                for (r, _) in &e.notes {
                    range_in(r, text, "note");
                }
            }
        }
    }
    let options = teikit_relaxng::LoadOptions::default();
    let loaded = teikit_relaxng::load_source(
        Path::new("/nonexistent-teikit-fuzz/schema.rnc"),
        text,
        &options,
    );
    match loaded {
        Err(e) => {
            teikit_fuzz::assert_schema_errors(&e);
            // Syntax errors of the top file are the parser's: the loader reports them when
            // and only when the parser fails.
            let top_syntax = e.errors.iter().any(|(f, d)| {
                d.code == "rng/schema-compact-syntax" && f.path.ends_with("schema.rnc")
            });
            assert_eq!(top_syntax, parsed.is_err(), "loader and parser disagree");
        }
        Ok(schema) => {
            assert!(parsed.is_ok(), "loaded a schema the parser refuses");
            let grammar = teikit_validate::Grammar::new(schema);
            teikit_fuzz::validate_bytes(&grammar, b"<doc xmlns='urn:x'><p>t</p></doc>");
        }
    }
});

fn range_in(r: &Range<usize>, text: &str, what: &str) {
    assert!(r.start <= r.end && r.end <= text.len(), "{what} span {r:?}");
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{what} span {r:?} not on character boundaries"
    );
}

fn walk(e: &Element, text: &str) {
    // An explicit stack: the tree is as deep as the schema's nesting (bounded by MAX_DEPTH).
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        range_in(&e.span, text, "element");
        for a in &e.attributes {
            range_in(&a.span, text, "attribute");
        }
        for c in &e.children {
            match c {
                Node::Element(c) => stack.push(c),
                Node::Text(_, r) => range_in(r, text, "text"),
            }
        }
    }
}
