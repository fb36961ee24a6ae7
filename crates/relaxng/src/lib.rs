//! RELAX NG schemas for teikit: loading (XML syntax and, through `teikit-rnc`, compact
//! syntax), simplification (spec section 4) and restriction checking (section 7), producing
//! a [`Schema`] in simplified form that the validator in `teikit-validate` compiles.
//!
//! ```no_run
//! let schema = teikit_relaxng::load(std::path::Path::new("tei_all.rng"), &Default::default());
//! ```
#![warn(missing_docs)]

pub mod datatype;
pub mod ir;

pub use crate::ir::{Define, DefineId, IdType, Loc, NameClass, Pattern, QName, Schema, SourceFile};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use teikit_diagnostics::Diagnostic;

/// How schemas are found and read.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Local copies for remote schema URLs (`http://…/tei_all.rng` → a file), as an OASIS
    /// catalog would map them. Any other `http(s):` href is an error naming the URL.
    pub url_map: Vec<(String, PathBuf)>,
}

/// Why a schema could not be used.
#[derive(Clone, Debug)]
pub struct SchemaErrors {
    /// `true` when a file could not be read at all (exit 2), `false` when the schema was read
    /// but is incorrect (exit 1).
    pub unreadable: bool,
    /// Each diagnostic with the file it points into.
    pub errors: Vec<(Arc<SourceFile>, Diagnostic)>,
}

/// Loads, simplifies and checks the schema at `path` (`.rng`, or `.rnc` for compact syntax).
pub fn load(path: &Path, options: &LoadOptions) -> Result<Schema, SchemaErrors> {
    let _ = (path, options);
    Err(SchemaErrors {
        unreadable: true,
        errors: Vec::new(),
    })
}
