//! `to_text` (TEI → transcription) on arbitrary XML.
//!
//! Invariants: never panics; every diagnostic points into the input on character
//! boundaries; a document it reads gives text that survives the trip back: converting that
//! text and reading it again gives the text's normal form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use teikit_convert::{convert, normalize, to_text, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    match to_text(xml) {
        Err(ds) => {
            assert!(!ds.is_empty(), "an error without a diagnostic");
            for d in &ds {
                teikit_fuzz::assert_diagnostic(d, xml);
            }
        }
        Ok(text) => {
            if let Some(tei) = convert(text.as_bytes(), &Options::default()).tei {
                let again = to_text(&tei).expect("to_text refuses convert's TEI");
                assert_eq!(again, normalize(&text), "the round trip is lossy");
            }
        }
    }
});
