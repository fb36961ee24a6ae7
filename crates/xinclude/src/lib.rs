//! XInclude 1.0 for teikit, by textual splicing with a source map.
//!
//! The validator takes one document text, and every diagnostic carries byte spans into it. So
//! [`expand`] builds that text: each `xi:include` element is replaced by the text of what it
//! includes (an element of another file, with the namespace declarations and `xml:base` /
//! `xml:lang` fix-up attributes it needs, or the escaped text of a `parse="text"` resource),
//! and a [`SourceMap`] records where every byte of the merged text came from. Diagnostics
//! found in the merged text are moved back into the file they belong to with
//! [`Expanded::remap`].
//!
//! ```
//! use std::path::Path;
//! use teikit_xinclude::{expand, Options};
//!
//! // The common case: no XInclude namespace in the document, nothing to do.
//! let text = "<TEI xmlns='http://www.tei-c.org/ns/1.0'/>";
//! let e = expand(Path::new("a.xml"), text, &Options::default());
//! assert!(e.is_identity());
//! assert_eq!(e.text, text);
//! assert_eq!(e.map.locate(5), (0, 5));
//! ```
//!
//! Files are read from the local file system only: an `http:` or `https:` href is the error
//! `xinclude/remote`, and included files are read with `teikit_xml` (no DTD or external
//! entity is ever fetched). Loops, nesting depth, the number of includes and the merged size
//! are bounded ([`Options`]).
#![warn(missing_docs)]

mod codes;
mod expand;
mod map;

use std::path::{Path, PathBuf};

pub use crate::codes::CODES;
pub use crate::map::{Origin, SourceMap};
use teikit_diagnostics::{Diagnostic, LineIndex, Span};

/// The XInclude namespace.
pub const XINCLUDE_NS: &str = "http://www.w3.org/2001/XInclude";

/// Limits of XInclude processing.
#[derive(Clone, Debug)]
pub struct Options {
    /// Maximum nesting of includes (an included file including another is depth 2).
    pub max_depth: usize,
    /// Maximum number of `xi:include` elements processed for one document.
    pub max_includes: usize,
    /// Maximum size in bytes of the merged document.
    pub max_total_bytes: usize,
    /// Whether `xml:id` attributes are IDs for XPointer (shorthand pointers and
    /// `element(id/…)`), as the xml:id Recommendation says. Xerces (so jing and other Java
    /// tools) only knows IDs declared in a DTD, so with `false` such pointers match nothing,
    /// as there. Default `true`.
    pub xml_id_pointers: bool,
    /// Limits for reading each included XML file.
    pub limits: teikit_xml::Limits,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            max_depth: 50,
            max_includes: 100_000,
            max_total_bytes: 256 * 1024 * 1024,
            xml_id_pointers: true,
            limits: teikit_xml::Limits::default(),
        }
    }
}

/// One file that contributed to the merged document.
#[derive(Clone, Debug)]
pub struct IncludedFile {
    /// The path as given (index 0) or as resolved from the `href`.
    pub path: PathBuf,
    /// The decoded text; spans of diagnostics of this file index it.
    pub text: String,
    /// Where the file was first included: the including file's index and the `xi:include`
    /// start tag's span in it (`None` for the main document).
    pub included_at: Option<(usize, Span)>,
}

/// The result of [`expand`].
#[derive(Clone, Debug)]
pub struct Expanded {
    /// The merged document, to be parsed and validated.
    pub text: String,
    /// The files read; index 0 is the main document.
    pub files: Vec<IncludedFile>,
    /// Where each byte of `text` came from.
    pub map: SourceMap,
    /// Problems of XInclude processing (and well-formedness errors of included files), each
    /// with the index of the file its spans index.
    pub diagnostics: Vec<(usize, Diagnostic)>,
}

impl Expanded {
    /// Whether nothing was included: `text` is the input and the map the identity.
    pub fn is_identity(&self) -> bool {
        self.files.len() == 1 && self.map.is_identity()
    }

    /// Whether any processing diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|(_, d)| d.is_error())
    }

    /// Moves a diagnostic about the merged text into the file its primary label lies in:
    /// returns that file's index and the diagnostic with spans into that file. Labels that
    /// lie in another file are dropped and described in the help text instead; a primary
    /// label on text that XInclude processing added (a fix-up attribute) gets a help note.
    pub fn remap(&self, mut d: Diagnostic) -> (usize, Diagnostic) {
        if self.is_identity() {
            return (0, d);
        }
        let primary = d.labels.iter().position(|l| l.primary).unwrap_or(0);
        let located: Vec<Origin> = d
            .labels
            .iter()
            .map(|l| self.map.locate_span(l.span))
            .collect();
        let file = located.get(primary).map_or(0, |o| o.file);
        let mut notes = Vec::new();
        let mut labels = Vec::new();
        for (mut label, origin) in d.labels.drain(..).zip(&located) {
            if origin.file == file {
                label.span = origin.span;
                labels.push(label);
            } else {
                let f = &self.files[origin.file];
                let line = LineIndex::new(f.text.as_bytes())
                    .line_col(f.text.as_bytes(), origin.span.offset)
                    .0;
                let what = label.message.as_deref().unwrap_or("see");
                notes.push(format!("{what}: {} line {line}", f.path.display()));
            }
        }
        if let Some(note) = located.get(primary).and_then(|o| o.note) {
            notes.insert(0, note.to_string());
        }
        if !labels.iter().any(|l| l.primary) {
            if let Some(first) = labels.first_mut() {
                first.primary = true;
            }
        }
        d.labels = labels;
        if !notes.is_empty() {
            let extra = notes.join("; ");
            d.help = Some(match d.help.take() {
                Some(h) => format!("{h}\n{extra}").into(),
                None => extra.into(),
            });
        }
        (file, d)
    }

    /// [`remap`](Expanded::remap)s every diagnostic and groups them by file (in file order,
    /// each group sorted by position), adding this expansion's own diagnostics.
    pub fn remap_all(&self, diagnostics: Vec<Diagnostic>) -> Vec<(usize, Vec<Diagnostic>)> {
        let mut groups: Vec<Vec<Diagnostic>> = vec![Vec::new(); self.files.len()];
        for (f, d) in &self.diagnostics {
            groups[*f].push(d.clone());
        }
        for d in diagnostics {
            let (f, d) = self.remap(d);
            groups[f].push(d);
        }
        groups
            .into_iter()
            .enumerate()
            .filter(|(_, g)| !g.is_empty())
            .map(|(f, mut g)| {
                g.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                (f, g)
            })
            .collect()
    }
}

/// Processes the XInclude elements of the document `text` read from `path` (relative hrefs
/// resolve against it). Never fails: problems are [`Expanded::diagnostics`], and an include
/// that fails contributes nothing (or its fallback). A document that is not well-formed is
/// returned unchanged (its parse reports the error). Cheap when the document does not
/// mention the XInclude namespace.
pub fn expand(path: &Path, text: &str, options: &Options) -> Expanded {
    // Every include element's name ends in `include`: two substring searches decide the
    // common case without parsing.
    if !text.contains(XINCLUDE_NS) || !text.contains("include") {
        return identity(path, text);
    }
    let Ok(doc) = teikit_xml::parse(text, &options.limits) else {
        return identity(path, text);
    };
    if !doc.descendants().any(|n| is_xi(n, "include")) {
        return identity(path, text);
    }
    expand::run(path, text, &doc, options)
}

fn identity(path: &Path, text: &str) -> Expanded {
    Expanded {
        text: text.to_string(),
        files: vec![IncludedFile {
            path: path.to_path_buf(),
            text: text.to_string(),
            included_at: None,
        }],
        map: SourceMap::identity(text.len()),
        diagnostics: Vec::new(),
    }
}

fn is_xi(n: roxmltree::Node<'_, '_>, local: &str) -> bool {
    n.is_element() && n.tag_name().namespace() == Some(XINCLUDE_NS) && n.tag_name().name() == local
}
