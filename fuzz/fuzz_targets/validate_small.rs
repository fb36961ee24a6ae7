//! Validation of arbitrary bytes against a small schema that uses most of RELAX NG: choice,
//! interleave, groups, lists, data with facets and `except`, values, ID/IDREF, name classes
//! with `except`, mixed content, attributes in a choice. Small, so the fuzzer reaches valid
//! and nearly valid documents quickly (seeds: the shared corpora and samples).
//!
//! Invariants as in `validate_tei_all`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use teikit_validate::Grammar;

static GRAMMAR: OnceLock<Grammar> = OnceLock::new();

const SCHEMA: &str = include_str!("../schemas/small.rnc");

fuzz_target!(|data: &[u8]| {
    let grammar = GRAMMAR.get_or_init(|| {
        teikit_fuzz::load_schema(std::path::Path::new("fuzz/small.rnc"), Some(SCHEMA))
    });
    teikit_fuzz::validate_bytes(grammar, data);
});
