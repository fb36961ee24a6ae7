//! Invariant checks shared by the fuzz targets: a target calls the library under test, then
//! these, so a broken invariant aborts (libFuzzer records it as a crash with its input) just
//! as a panic inside the library would.

use std::path::PathBuf;
use std::sync::Arc;

use teikit_diagnostics::{Diagnostic, Span};

/// Asserts that `span` lies within `text` and starts and ends on character boundaries, so a
/// printer can slice the text with it.
pub fn assert_span_in(span: Span, text: &str, what: &str) {
    let end = span.offset.checked_add(span.len);
    assert!(
        end.is_some_and(|e| e <= text.len()),
        "{what}: span {}+{} outside the {}-byte input",
        span.offset,
        span.len,
        text.len()
    );
    assert!(
        text.is_char_boundary(span.offset) && text.is_char_boundary(span.offset + span.len),
        "{what}: span {}+{} not on character boundaries",
        span.offset,
        span.len
    );
}

/// Asserts that a span lies within `bytes` (for diagnostics about input that is not text).
pub fn assert_span_in_bytes(span: Span, bytes: &[u8], what: &str) {
    assert!(
        span.offset
            .checked_add(span.len)
            .is_some_and(|e| e <= bytes.len()),
        "{what}: span {}+{} outside the {}-byte input",
        span.offset,
        span.len,
        bytes.len()
    );
}

/// Asserts the shape every diagnostic must have: a code `area/name`, a non-empty message,
/// at most one primary label, and every label within `text` on character boundaries.
pub fn assert_diagnostic(d: &Diagnostic, text: &str) {
    assert_shape(d);
    for l in &d.labels {
        assert_span_in(l.span, text, &d.code);
    }
}

/// [`assert_diagnostic`] for diagnostics whose spans index raw bytes: inside the input, and
/// on whole characters of the encoding the input was read in (UTF-16 code units when it
/// starts with a UTF-16 byte-order mark or `<?` in UTF-16, as XML 1.0 appendix F detects;
/// otherwise UTF-8 characters, when the bytes are UTF-8 at all).
pub fn assert_diagnostic_bytes(d: &Diagnostic, bytes: &[u8]) {
    assert_shape(d);
    for l in &d.labels {
        assert_span_in_bytes(l.span, bytes, &d.code);
    }
    if is_utf16(bytes) {
        // Such bytes may also happen to be UTF-8 (`<` NUL `?` NUL …), in which case a span
        // over one code unit can end inside a UTF-8 character: only units matter here. A
        // span starts on a unit and ends on one, or at the end of the input (a stray last
        // byte of an odd-length file).
        for l in &d.labels {
            let end = l.span.offset + l.span.len;
            assert!(
                l.span.offset % 2 == 0 && (end % 2 == 0 || end == bytes.len()),
                "{}: span {}+{} not on UTF-16 code units",
                d.code,
                l.span.offset,
                l.span.len
            );
        }
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        assert_diagnostic(d, text);
    }
}

/// Does `teikit_xml::decode` read `bytes` as UTF-16?
fn is_utf16(bytes: &[u8]) -> bool {
    matches!(
        bytes,
        [0xFF, 0xFE, ..]
            | [0xFE, 0xFF, ..]
            | [0x3C, 0x00, 0x3F, 0x00, ..]
            | [0x00, 0x3C, 0x00, 0x3F, ..]
    )
}

fn assert_shape(d: &Diagnostic) {
    let (area, name) = d
        .code
        .split_once('/')
        .unwrap_or_else(|| panic!("code {:?} is not area/name", d.code));
    assert!(
        !area.is_empty() && !name.is_empty(),
        "code {:?} is not area/name",
        d.code
    );
    assert!(!d.message.is_empty(), "{}: empty message", d.code);
    assert!(
        d.labels.iter().filter(|l| l.primary).count() <= 1,
        "{}: more than one primary label",
        d.code
    );
}

/// Asserts every error of a schema load points into the text of the file it names.
pub fn assert_schema_errors(errors: &teikit_relaxng::SchemaErrors) {
    assert!(!errors.errors.is_empty(), "a failed load reports no error");
    for (file, d) in &errors.errors {
        let file: &Arc<teikit_relaxng::SourceFile> = file;
        assert_diagnostic(d, &file.text);
    }
}

/// The shared test data: `$TEIKIT_FUZZ_SHARED`, else `../shared` beside the repository.
/// Panics (loudly, at start-up) when it is absent: a target that needs it must not fuzz
/// nothing in silence.
pub fn shared_file(rel: &str) -> PathBuf {
    let dir = match std::env::var_os("TEIKIT_FUZZ_SHARED") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    let path = dir.join(rel);
    if !path.is_file() {
        eprintln!(
            "teikit-fuzz: {} is missing; set TEIKIT_FUZZ_SHARED to the shared data folder",
            path.display()
        );
        panic!("shared data missing: {}", path.display());
    }
    path
}

/// Loads a schema for a target, panicking with every error when it does not load (a target
/// that cannot load its schema would test nothing).
pub fn load_schema(path: &std::path::Path, text: Option<&str>) -> teikit_validate::Grammar {
    let options = teikit_relaxng::LoadOptions::default();
    let loaded = match text {
        Some(t) => teikit_relaxng::load_source(path, t, &options),
        None => teikit_relaxng::load(path, &options),
    };
    match loaded {
        Ok(schema) => teikit_validate::Grammar::new(schema),
        Err(e) => {
            for (f, d) in &e.errors {
                eprintln!("{}: {}: {}", f.path.display(), d.code, d.message);
            }
            panic!("schema {} does not load", path.display());
        }
    }
}

/// Reads `data` as the CLI reads a document, validates it with `grammar` twice (the second
/// time through the warm derivative memo) and checks the diagnostics.
pub fn validate_bytes(grammar: &teikit_validate::Grammar, data: &[u8]) {
    let text = match teikit_xml::decode(data) {
        Ok(t) => t,
        Err(d) => {
            assert_diagnostic_bytes(&d, data);
            return;
        }
    };
    let mut storage = String::new();
    let doc =
        match teikit_xml::read_with_storage(&text, &teikit_xml::Limits::default(), &mut storage) {
            Ok(doc) => doc,
            Err(d) => {
                assert_diagnostic(&d, &text);
                return;
            }
        };
    let first = grammar.validate(&doc);
    for d in &first {
        assert_diagnostic(d, &text);
    }
    let second = grammar.validate(&doc);
    assert!(
        first == second,
        "validating the same document twice gave different diagnostics"
    );
}
