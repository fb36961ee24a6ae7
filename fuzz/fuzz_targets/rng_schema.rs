//! RELAX NG XML-syntax schema loading: the bytes are a schema (`load_source`), which is read,
//! simplified and checked; a schema that loads is compiled and validates a small document.
//!
//! Invariants: every error points into the text of the file it names, on character
//! boundaries; a failed load reports at least one error; a loaded schema compiles and its
//! validation diagnostics point into the document.
//!
//! The schema's path is in a folder that does not exist, so relative `href`s find nothing;
//! an absolute `href` to a local file is read, as for any trusted schema.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

const DOC: &str = "<doc xmlns='urn:x' id='a'><p>text</p><p ref='a'/></doc>";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    load(Path::new("/nonexistent-teikit-fuzz/schema.rng"), text);
});

/// Loads `text` as the schema at `path`: checks the errors, or compiles the schema and
/// validates a small document with it.
fn load(path: &Path, text: &str) {
    let options = teikit_relaxng::LoadOptions::default();
    match teikit_relaxng::load_source(path, text, &options) {
        Err(e) => teikit_fuzz::assert_schema_errors(&e),
        Ok(schema) => {
            teikit_fuzz::validate_bytes(&teikit_validate::Grammar::new(schema), DOC.as_bytes())
        }
    }
}
