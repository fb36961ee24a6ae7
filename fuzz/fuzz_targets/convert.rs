//! The converter on arbitrary bytes.
//!
//! Invariants: every diagnostic points into the input (on character boundaries when it is
//! UTF-8); a conversion that produces TEI produces well-formed XML that teikit-xml reads,
//! that is valid against the built-in teikit-archive schema, and whose `to_text` is the
//! input's documented normal form (`normalize`): the round trip is lossless.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use teikit_convert::{convert, normalize, to_text, Options};
use teikit_validate::Grammar;

static ARCHIVE: OnceLock<Grammar> = OnceLock::new();
const ARCHIVE_RNG: &str = include_str!("../../schemas/teikit-archive.rng");

fuzz_target!(|data: &[u8]| {
    let grammar = ARCHIVE.get_or_init(|| {
        teikit_fuzz::load_schema(
            std::path::Path::new("<built-in>/teikit-archive.rng"),
            Some(ARCHIVE_RNG),
        )
    });
    let out = convert(data, &Options::default());
    for d in &out.diagnostics {
        teikit_fuzz::assert_diagnostic_bytes(d, data);
    }
    let Some(tei) = out.tei else {
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.severity == teikit_diagnostics::Severity::Error),
            "no TEI and no error"
        );
        return;
    };
    let input = std::str::from_utf8(data).expect("TEI from input that is not UTF-8");
    let doc = match teikit_xml::read(&tei, &teikit_xml::Limits::default()) {
        Ok(doc) => doc,
        Err(d) => panic!(
            "the TEI is not well-formed: {} {}\n{tei}",
            d.code, d.message
        ),
    };
    let findings = grammar.validate(&doc);
    if let Some(d) = findings.first() {
        panic!(
            "the TEI is invalid against teikit-archive: {} {} at {:?}\n{tei}",
            d.code,
            d.message,
            d.primary_span()
        );
    }
    match to_text(&tei) {
        Ok(text) => assert_eq!(text, normalize(input), "the round trip is lossy"),
        Err(ds) => panic!("to_text refuses convert's TEI: {:?}", ds[0].message),
    }
});
