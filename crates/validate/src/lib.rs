//! Document validation for teikit: the RELAX NG derivative matcher (after James Clark's
//! algorithm and jing's design) and the checks that run on a parsed document.
#![warn(missing_docs)]

use teikit_diagnostics::Diagnostic;

/// A schema compiled for validation: interned patterns and a derivative memo that is shared
/// by every document validated with it (across threads).
pub struct Grammar {
    _schema: teikit_relaxng::Schema,
}

impl Grammar {
    /// Compiles a loaded schema.
    pub fn new(schema: teikit_relaxng::Schema) -> Grammar {
        Grammar { _schema: schema }
    }

    /// Validates a parsed document; spans in the diagnostics are byte offsets into the
    /// document's text.
    pub fn validate(&self, doc: &roxmltree::Document<'_>) -> Vec<Diagnostic> {
        let _ = doc;
        vec![Diagnostic::error(
            "internal/not-implemented",
            "validation is not implemented yet",
        )]
    }
}
