//! Printers: one module per `--format`, behind [`Renderer`] and [`render`].
//!
//! Every printer sees a file through a [`FileView`]: the report's diagnostics in
//! [`Diagnostic::sort_key`] order, each with its primary span resolved to lines and columns by
//! the one [`LineIndex`] built for that file.

mod github;
mod human;
mod json;
mod junit;
mod sarif;
mod short;

use std::io::{self, Write};

use crate::{CodeDoc, Diagnostic, FileReport, Format, LineIndex, Span, Summary};

/// How to render.
///
/// Build it with struct-update syntax so that new fields keep their defaults:
/// `RenderOptions { color: true, ..RenderOptions::default() }`.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// Colour the `human` format with ANSI escapes (the other formats never use colour).
    pub color: bool,
    /// Width the `human` format wraps to; `None` for 80 columns.
    pub width: Option<usize>,
    /// The teikit version, written in SARIF's `tool.driver.version`.
    pub tool_version: String,
    /// Documentation of the codes that may occur (the `CODES` registries of the crates, merged),
    /// used for SARIF rule descriptions. Codes not listed get a rule described by their name.
    pub codes: Vec<CodeDoc>,
    /// End the `human` format with a summary line (`2 files: 1 valid, 1 invalid; …`).
    pub summary: bool,
}

impl Default for RenderOptions {
    fn default() -> RenderOptions {
        RenderOptions {
            color: false,
            width: None,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            codes: Vec::new(),
            summary: true,
        }
    }
}

/// Renders `reports` in `format` to `out` and returns their [`Summary`].
///
/// The same as pushing each report into a [`Renderer`] and finishing it.
pub fn render(
    format: Format,
    reports: &[FileReport],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let mut renderer = Renderer::new(format, options);
    for report in reports {
        renderer.push(report, out)?;
    }
    renderer.finish(out)
}

/// Renders the part of the output that belongs to one file: its diagnostics for `human`,
/// `short` and `github` (no summary), and a complete one-file document for `json`, `sarif` and
/// `junit`. Batch callers should prefer a [`Renderer`], which writes one document for them all.
pub fn render_file(
    format: Format,
    report: &FileReport,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let options = RenderOptions {
        summary: false,
        ..options.clone()
    };
    render(format, std::slice::from_ref(report), &options, out).map(|_| ())
}

/// Renders a batch file by file: [`push`](Renderer::push) each report as soon as it is ready,
/// then [`finish`](Renderer::finish).
///
/// `human`, `short` and `github` write each file's diagnostics during `push`; `json` writes its
/// document incrementally (the opening on the first push, the summary at the end); `sarif` and
/// `junit` keep what they need (not the sources) and write everything in `finish`, because
/// their documents start with counts and rule tables.
///
/// ```
/// use teikit_diagnostics::{Diagnostic, FileReport, Format, RenderOptions, Renderer, Span};
///
/// let report = FileReport::new(
///     "a.xml",
///     Some(b"<a>\n<b/>\n".to_vec().into()),
///     vec![Diagnostic::error("rng/element-not-allowed", "element <b> is not allowed here")
///         .with_label(Span::new(4, 4), "")],
/// );
/// let options = RenderOptions::default();
/// let mut out = Vec::new();
/// let mut renderer = Renderer::new(Format::Short, &options);
/// renderer.push(&report, &mut out).unwrap();
/// let summary = renderer.finish(&mut out).unwrap();
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "a.xml:2:1: error: element <b> is not allowed here [rng/element-not-allowed]\n"
/// );
/// assert_eq!(summary.invalid, 1);
/// ```
pub struct Renderer<'o> {
    options: &'o RenderOptions,
    summary: Summary,
    state: State,
}

enum State {
    Human,
    Short,
    Github,
    Json(json::Json),
    Sarif(sarif::Sarif),
    Junit(junit::Junit),
}

impl<'o> Renderer<'o> {
    /// A renderer of `format`.
    pub fn new(format: Format, options: &'o RenderOptions) -> Renderer<'o> {
        let state = match format {
            Format::Human => State::Human,
            Format::Short => State::Short,
            Format::Github => State::Github,
            Format::Json => State::Json(json::Json::default()),
            Format::Sarif => State::Sarif(sarif::Sarif::default()),
            Format::Junit => State::Junit(junit::Junit::default()),
        };
        Renderer {
            options,
            summary: Summary::default(),
            state,
        }
    }

    /// Adds one file's report (writing its part now for the streaming formats).
    pub fn push(&mut self, report: &FileReport, out: &mut dyn Write) -> io::Result<()> {
        self.summary.add(report);
        let view = FileView::new(report);
        match &mut self.state {
            State::Human => human::file(&view, self.options, out),
            State::Short => short::file(&view, out),
            State::Github => github::file(&view, out),
            State::Json(json) => json.file(&view, out),
            State::Sarif(sarif) => {
                sarif.file(&view);
                Ok(())
            }
            State::Junit(junit) => {
                junit.file(&view);
                Ok(())
            }
        }
    }

    /// The counts so far.
    pub fn summary(&self) -> Summary {
        self.summary
    }

    /// Writes whatever ends the output and returns the counts.
    pub fn finish(self, out: &mut dyn Write) -> io::Result<Summary> {
        let summary = self.summary;
        match self.state {
            State::Human => {
                if self.options.summary && summary.files > 0 {
                    writeln!(out, "{summary}")?;
                }
            }
            State::Short | State::Github => {}
            State::Json(json) => json.finish(&summary, out)?,
            State::Sarif(sarif) => sarif.finish(self.options, out)?,
            State::Junit(junit) => junit.finish(out)?,
        }
        out.flush()?;
        Ok(summary)
    }
}

/// A 1-based line and 1-based column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Position {
    pub line: usize,
    pub column: usize,
}

/// A span, clamped to the source, with its start and end positions when the source is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Region {
    pub offset: usize,
    pub len: usize,
    /// Where the span starts.
    pub start: Option<Position>,
    /// Where the span ends: the position just after its last byte.
    pub end: Option<Position>,
}

/// A diagnostic with its primary span resolved.
pub(crate) struct Located<'a> {
    pub diag: &'a Diagnostic,
    pub region: Option<Region>,
}

/// One file as the printers see it.
pub(crate) struct FileView<'a> {
    pub report: &'a FileReport,
    /// The index of `report.source`, built once.
    pub index: Option<LineIndex>,
    /// The diagnostics in [`Diagnostic::sort_key`] order.
    pub diagnostics: Vec<Located<'a>>,
}

impl<'a> FileView<'a> {
    pub fn new(report: &'a FileReport) -> FileView<'a> {
        let index = report.source.as_deref().map(LineIndex::new);
        let mut view = FileView {
            report,
            index,
            diagnostics: Vec::with_capacity(report.diagnostics.len()),
        };
        let mut sorted: Vec<&Diagnostic> = report.diagnostics.iter().collect();
        sorted.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        view.diagnostics = sorted
            .into_iter()
            .map(|diag| Located {
                diag,
                region: diag.primary_span().map(|s| view.region(s)),
            })
            .collect();
        view
    }

    pub fn path(&self) -> &'a str {
        &self.report.path
    }

    /// Resolves `span` (clamped to the source when it is known).
    pub fn region(&self, span: Span) -> Region {
        match (self.report.source.as_deref(), &self.index) {
            (Some(src), Some(index)) => {
                let offset = span.offset.min(src.len());
                let end = span.end().min(src.len()).max(offset);
                let pos = |o: usize| {
                    let (line, column) = index.line_col(src, o);
                    Position { line, column }
                };
                let start = pos(offset);
                Region {
                    offset,
                    len: end - offset,
                    start: Some(start),
                    end: Some(if end == offset { start } else { pos(end) }),
                }
            }
            _ => Region {
                offset: span.offset,
                len: span.len,
                start: None,
                end: None,
            },
        }
    }
}

/// The lines a printer adds under a message: the help, then what was expected, then where in
/// the document tree.
pub(crate) fn detail_lines(diag: &Diagnostic) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(help) = &diag.help {
        lines.push(help.to_string());
    }
    if !diag.expected.is_empty() {
        lines.push(format!("expected: {}", diag.expected.join(", ")));
    }
    if let Some(context) = &diag.context {
        lines.push(format!("in {context}"));
    }
    lines
}

/// `message` on one line: line breaks become spaces.
pub(crate) fn one_line(message: &str) -> std::borrow::Cow<'_, str> {
    if message.contains(['\n', '\r']) {
        message
            .replace("\r\n", " ")
            .replace(['\n', '\r'], " ")
            .into()
    } else {
        message.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line_index::tests::BUILDS;

    /// Every format builds exactly one line index per file that has a source, however many
    /// diagnostics and labels it has: positions are never found by rescanning.
    #[test]
    fn one_line_index_per_file() {
        let src: std::sync::Arc<[u8]> = "<a>\n <b/>\n</a>\n".repeat(50).into_bytes().into();
        let report = |path: &str| {
            let ds = (0..100)
                .map(|i| {
                    Diagnostic::error("x/y", format!("d{i}"))
                        .with_label(Span::new(i * 7, 3), "p")
                        .with_secondary(Span::new(i * 3, 2), "s")
                })
                .collect();
            FileReport::new(path, Some(src.clone()), ds)
        };
        let reports = [report("a"), report("b"), FileReport::new("c", None, vec![])];
        for format in Format::ALL {
            let before = BUILDS.with(|b| b.get());
            render(format, &reports, &RenderOptions::default(), &mut io::sink()).unwrap();
            assert_eq!(BUILDS.with(|b| b.get()) - before, 2, "{format}");
        }
    }
}
