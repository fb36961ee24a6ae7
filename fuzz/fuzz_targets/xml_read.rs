//! XML reading: `decode` then `parse` and `parse_with_storage` on arbitrary bytes.
//!
//! Invariants: every diagnostic is well-formed and points into the input on character
//! boundaries; the scanner is never looser than roxmltree (a tree-builder error surfacing as
//! `xml/not-well-formed` means the two disagree); `parse_with_storage` accepts everything
//! `parse` accepts and builds the same tree; the tree's node ranges index the input;
//! `read` gives `parse`'s verdict, and the tree the scanner builds is roxmltree's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use teikit_fuzz::{assert_diagnostic, assert_diagnostic_bytes};
use teikit_xml::Limits;

fuzz_target!(|data: &[u8]| {
    let text = match teikit_xml::decode(data) {
        Ok(t) => t,
        Err(d) => {
            assert_diagnostic_bytes(&d, data);
            return;
        }
    };
    if let std::borrow::Cow::Borrowed(t) = &text {
        assert_eq!(t.as_bytes(), data, "borrowed text is not the input");
    }
    let limits = Limits::default();
    let plain = teikit_xml::parse(&text, &limits);
    let mut storage = String::new();
    let stored = teikit_xml::parse_with_storage(&text, &limits, &mut storage);
    match (&plain, &stored) {
        (Ok(a), Ok(b)) => {
            assert_eq!(shape(a), shape(b), "parse and parse_with_storage differ");
            for n in a.descendants() {
                let r = n.range();
                assert!(r.start <= r.end && r.end <= text.len(), "node range {r:?}");
                assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            }
            let read = teikit_xml::read(&text, &limits);
            let read = read.unwrap_or_else(|d| panic!("parse accepts but read refuses: {d:?}"));
            let _ = teikit_xml::xml_model(&read);
            if let Err(e) = teikit_xml::tree::compare_builders(&text) {
                panic!("the scanner's tree differs from roxmltree's: {e}");
            }
        }
        (Ok(_), Err(d)) => panic!("parse accepts but parse_with_storage refuses: {d:?}"),
        (Err(d), other) => {
            assert_diagnostic(d, &text);
            if let Err(e) = teikit_xml::read(&text, &limits) {
                assert_diagnostic(&e, &text);
            }
            if let Err(e) = other {
                assert_diagnostic(e, &text);
            }
        }
    }
    for r in [&plain, &stored] {
        if let Err(d) = r {
            // The scanner checks everything roxmltree checks; a roxmltree error reaching the
            // user means the scanner let through a document the tree builder refused.
            assert!(
                d.code != "xml/not-well-formed",
                "the scanner accepted what roxmltree refuses: {}",
                d.message
            );
        }
    }
});

/// Element names, attributes and texts in document order.
fn shape(doc: &roxmltree::Document<'_>) -> Vec<String> {
    doc.descendants()
        .map(|n| match n.node_type() {
            roxmltree::NodeType::Element => format!(
                "<{:?}{:?}",
                n.tag_name(),
                n.attributes()
                    .map(|a| (a.namespace(), a.name(), a.value()))
                    .collect::<Vec<_>>()
            ),
            _ => format!("{:?}{:?}", n.node_type(), n.text()),
        })
        .collect()
}
