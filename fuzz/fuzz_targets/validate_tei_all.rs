//! Validation of arbitrary bytes against tei_all 4.12 (from the shared data, loaded once).
//!
//! Invariants: reading never panics; every diagnostic points into the document on character
//! boundaries; validating twice (the second time through the warm derivative memo) gives
//! the same diagnostics.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use teikit_validate::Grammar;

static GRAMMAR: OnceLock<Grammar> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let grammar = GRAMMAR.get_or_init(|| {
        let path = teikit_fuzz::shared_file("schemas/tei/p5-4.12.0/tei_all.rng");
        teikit_fuzz::load_schema(&path, None)
    });
    teikit_fuzz::validate_bytes(grammar, data);
});
