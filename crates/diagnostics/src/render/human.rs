//! `--format human`: miette's graphical report, one per diagnostic, with a snippet of the file.
//!
//! miette reads snippets through [`miette::SourceCode`]; its implementation for byte slices
//! scans the source from the start for every label, which is quadratic over a file with many
//! diagnostics. [`IndexedSource`] answers the same questions from the file's [`LineIndex`].
//! Bytes that are not UTF-8, and control characters, are shown as `?` (one byte for one byte,
//! so every offset and column stays the same).

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{detail_lines, FileView, RenderOptions};
use crate::{Diagnostic, LineIndex};

pub(crate) fn file(
    view: &FileView<'_>,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if view.diagnostics.is_empty() {
        return Ok(());
    }
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width.unwrap_or(80))
        .with_links(false);
    let source = match (view.report.source.as_deref(), &view.index) {
        (Some(src), Some(index)) => Some(IndexedSource {
            name: view.path(),
            bytes: printable(src),
            index,
        }),
        _ => None,
    };
    let mut text = String::new();
    for d in &view.diagnostics {
        let report = HumanDiagnostic::new(d.diag, view.path(), source.as_ref());
        text.clear();
        handler
            .render_report(&mut text, &report)
            .map_err(|_| io::Error::other("formatting a diagnostic failed"))?;
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            out.write_all(b"\n")?;
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// `src` with invalid UTF-8 and control characters (other than tab, line feed and the carriage
/// return of a CRLF) replaced by `?`, byte for byte; borrowed when there is nothing to replace.
fn printable(src: &[u8]) -> Cow<'_, [u8]> {
    let bad = |i: usize| {
        let b = src[i];
        match b {
            b'\t' | b'\n' => false,
            b'\r' => src.get(i + 1) != Some(&b'\n'),
            _ => b < 0x20 || b == 0x7f,
        }
    };
    if std::str::from_utf8(src).is_ok() && !(0..src.len()).any(bad) {
        return Cow::Borrowed(src);
    }
    let mut out = Vec::with_capacity(src.len());
    for chunk in src.utf8_chunks() {
        for &b in chunk.valid().as_bytes() {
            out.push(if bad(out.len()) { b'?' } else { b });
        }
        out.extend(std::iter::repeat_n(b'?', chunk.invalid().len()));
    }
    Cow::Owned(out)
}

/// `text` with control characters other than line breaks and tabs shown as `?`, so that no
/// message can send escape sequences to a terminal.
fn no_escapes(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\n' | '\t') {
                '?'
            } else {
                c
            }
        })
        .collect()
}

/// One file's bytes with its line index, as miette's source.
struct IndexedSource<'a> {
    name: &'a str,
    bytes: Cow<'a, [u8]>,
    index: &'a LineIndex,
}

impl SourceCode for IndexedSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let src: &[u8] = &self.bytes;
        let offset = span.offset().min(src.len());
        let end = (span.offset() + span.len()).min(src.len()).max(offset);
        // 1-based lines of the span's first and last byte.
        let first = self.index.line(offset);
        let last = if end > offset {
            self.index.line(end - 1)
        } else {
            first
        };
        let from_line = first.saturating_sub(context_lines_before).max(1);
        let to_line = (last + context_lines_after).min(self.index.line_count());
        // With no context before, miette expects the contents to start at the span itself.
        let mut start = if context_lines_before == 0 {
            offset
        } else {
            self.index.line_start(from_line).unwrap_or(0)
        };
        // Up to and including the line break of the last line.
        let mut stop = self
            .index
            .line_start(to_line + 1)
            .unwrap_or(src.len())
            .max(start);
        // Long lines are cut around the span, so that each snippet costs a bounded amount.
        if offset - start > WINDOW {
            start = next_boundary(src, offset - WINDOW);
        }
        stop = stop
            .min(end.saturating_add(WINDOW))
            .min(start + MAX_SNIPPET);
        stop = next_boundary(src, stop.max(start));
        let (line, column) = self.index.line_col(src, start);
        let line_count = if stop > start {
            self.index.line(stop - 1) - line + 1
        } else {
            1
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            &src[start..stop],
            SourceSpan::new(start.into(), stop - start),
            line - 1,
            column - 1,
            line_count,
        )))
    }
}

/// Bytes of a long line shown before and after a span.
const WINDOW: usize = 120;
/// The most bytes of source one snippet shows.
const MAX_SNIPPET: usize = 4096;
/// Labels longer than this are shown cut to this length.
const MAX_LABEL: usize = 512;

/// The first character boundary at or after `at` in `src` (valid UTF-8).
fn next_boundary(src: &[u8], mut at: usize) -> usize {
    while at < src.len() && (src[at] & 0xC0) == 0x80 {
        at += 1;
    }
    at.min(src.len())
}
/// A [`Diagnostic`] with its file attached, as miette wants it.
#[derive(Debug)]
struct HumanDiagnostic<'a> {
    diag: &'a Diagnostic,
    /// The message, prefixed by the path when no snippet will show the path.
    message: String,
    footer: Option<String>,
    labels: Vec<LabeledSpan>,
    source: Option<&'a IndexedSource<'a>>,
}

impl fmt::Debug for IndexedSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IndexedSource")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<'a> HumanDiagnostic<'a> {
    fn new(
        diag: &'a Diagnostic,
        path: &str,
        source: Option<&'a IndexedSource<'a>>,
    ) -> HumanDiagnostic<'a> {
        let labels: Vec<LabeledSpan> = match source {
            Some(source) => diag
                .labels
                .iter()
                .map(|l| {
                    // Clamped to the source and to character boundaries; long spans cut.
                    let src: &[u8] = &source.bytes;
                    let offset = next_boundary(src, l.span.offset);
                    let end = l.span.end().min(offset + MAX_LABEL);
                    let end = next_boundary(src, end.max(offset));
                    l.miette(SourceSpan::new(offset.into(), end - offset))
                })
                .collect(),
            None => Vec::new(),
        };
        let message = if labels.is_empty() {
            format!("{path}: {}", diag.message)
        } else {
            diag.message.to_string()
        };
        let lines = detail_lines(diag);
        HumanDiagnostic {
            diag,
            message: no_escapes(&message),
            footer: (!lines.is_empty()).then(|| no_escapes(&lines.join("\n"))),
            labels,
            source,
        }
    }
}

impl fmt::Display for HumanDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HumanDiagnostic<'_> {}

impl miette::Diagnostic for HumanDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        miette::Diagnostic::code(self.diag)
    }

    fn severity(&self) -> Option<miette::Severity> {
        miette::Diagnostic::severity(self.diag)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.footer
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'b>)
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        miette::Diagnostic::url(self.diag)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{render, FileReport, Format, Span};

    fn human(report: FileReport) -> String {
        let options = RenderOptions {
            width: Some(80),
            summary: false,
            ..RenderOptions::default()
        };
        let mut out = Vec::new();
        render(Format::Human, &[report], &options, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn printable_keeps_offsets() {
        assert!(matches!(printable(b"ok\n\txy"), Cow::Borrowed(_)));
        assert_eq!(&*printable(b"a\xffb\x1bc\xe2\x82d"), b"a?b?c??d");
        assert_eq!(&*printable(b"a\rb\r\nc"), b"a?b\r\nc");
    }

    #[test]
    fn snippet_shows_path_line_and_character_column() {
        let src = "<TEI>\n  <é/><persname/>\n</TEI>\n";
        let at = src.find("<persname").unwrap();
        let text = human(FileReport::new(
            "a.xml",
            Some(src.as_bytes().into()),
            vec![Diagnostic::error("rng/element-not-allowed", "not allowed")
                .with_label(Span::new(at, 11), "here")],
        ));
        assert!(text.contains("[a.xml:2:7]"), "{text}");
        assert!(text.contains("<persname/>"), "{text}");
        assert!(text.contains("here"), "{text}");
    }

    #[test]
    fn messages_cannot_send_escapes() {
        let text = human(FileReport::new(
            "a.xml",
            None,
            vec![Diagnostic::error("x/y", "bad \u{1b}[31m text").with_help("\u{9b}help")],
        ));
        assert!(!text.contains(['\u{1b}', '\u{9b}']), "{text:?}");
    }

    #[test]
    fn without_span_names_the_path() {
        let text = human(FileReport::new(
            "a.xml",
            Some(b"x".to_vec().into()),
            vec![Diagnostic::error("io/unreadable", "cannot read")],
        ));
        assert!(text.contains("a.xml: cannot read"), "{text}");
    }

    #[test]
    fn spans_past_the_end_or_inside_a_character_do_not_panic() {
        let src = "é\nß";
        let text = human(FileReport::new(
            "a.xml",
            Some(src.as_bytes().into()),
            vec![
                Diagnostic::error("x/a", "inside").with_label(Span::new(1, 3), "mid"),
                Diagnostic::error("x/b", "past").with_label(Span::new(99, 5), "end"),
            ],
        ));
        assert!(text.contains("inside") && text.contains("past"), "{text}");
    }
}
