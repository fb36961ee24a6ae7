//! Per-file results handed to the printers.

use std::sync::Arc;

use crate::Diagnostic;

/// The diagnostics of one input file, with the bytes their spans point into.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// The path as the user gave it (or as found in a folder walk), `-` for standard input.
    pub path: String,
    /// The file's bytes, when they could be read; spans of `diagnostics` index into them.
    pub source: Option<Arc<[u8]>>,
    /// The schema used, by name or path (validation only).
    pub schema: Option<String>,
    /// Valid / converted cleanly (no error-severity diagnostic and nothing fatal).
    pub valid: bool,
    /// The file written (conversion only).
    pub output: Option<String>,
    /// What was found, sorted by offset.
    pub diagnostics: Vec<Diagnostic>,
}

/// The output formats of `--format` (see the CLI contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// miette's graphical report.
    Human,
    /// One `path:line:column: severity: message [code]` line per diagnostic.
    Short,
    /// One JSON document (version 1).
    Json,
    /// GitHub Actions workflow commands.
    Github,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
}
