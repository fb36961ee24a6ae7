//! The [`Diagnostic`] type and its parts.

use std::fmt;
use std::sync::Arc;

use crate::Text;

/// How serious a diagnostic is.
///
/// The order is by seriousness: `Error < Warning < Info`, so sorting puts errors first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The document is invalid or the conversion failed.
    Error,
    /// Something is probably wrong but the result is usable.
    Warning,
    /// A remark that needs no action.
    Info,
}

impl Severity {
    /// The lower-case name used by every output format (`error`, `warning`, `info`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A byte range in one source: `offset` is the first byte, `len` the number of bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes (may be 0 for a point).
    pub len: usize,
}

impl Span {
    /// A span of `len` bytes starting at `offset`.
    pub const fn new(offset: usize, len: usize) -> Span {
        Span { offset, len }
    }

    /// The span covering `start..end` (byte offsets, `end` exclusive).
    pub fn from_range(range: std::ops::Range<usize>) -> Span {
        Span {
            offset: range.start,
            len: range.end.saturating_sub(range.start),
        }
    }

    /// The byte offset one past the end.
    pub fn end(&self) -> usize {
        self.offset + self.len
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Span {
        Span::from_range(r)
    }
}

/// A labelled span: the place a diagnostic points at, with an optional short message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say at that place (may be empty).
    pub message: Option<Text>,
    /// The primary label is the one whose position is reported as line/column.
    pub primary: bool,
}

impl Label {
    /// This label as miette's, placed at `span` (its own span, or one clamped to a source).
    pub(crate) fn miette(&self, span: miette::SourceSpan) -> miette::LabeledSpan {
        let message = self.message.as_deref().map(str::to_string);
        if self.primary {
            miette::LabeledSpan::new_primary_with_span(message, span)
        } else {
            miette::LabeledSpan::new_with_span(message, span)
        }
    }
}

/// One finding about one source, as data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, `area/name` (`xml/unclosed-tag`, `rng/element-not-allowed`, `convert/unclosed-bracket`).
    pub code: Text,
    /// How serious.
    pub severity: Severity,
    /// A terse, lower-case, one-line message.
    pub message: Text,
    /// Labelled spans; the first primary one (or the first one) locates the diagnostic.
    pub labels: Vec<Label>,
    /// What the user can do about it.
    pub help: Option<Text>,
    /// A documentation page (TEI Guidelines reference page, teikit code docs).
    pub url: Option<Text>,
    /// What would have been accepted instead (element names, `text`, end tag), most likely first.
    /// Shared: the thousands of copies of one repeated error hold one list.
    pub expected: Arc<[Text]>,
    /// Where in the document tree, e.g. `/TEI/text/body/div[2]/p[3]`.
    pub context: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with no labels.
    pub fn new(severity: Severity, code: impl Into<Text>, message: impl Into<Text>) -> Diagnostic {
        Diagnostic {
            code: code.into(),
            severity,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            url: None,
            expected: Arc::default(),
            context: None,
        }
    }

    /// An error.
    pub fn error(code: impl Into<Text>, message: impl Into<Text>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    /// A warning.
    pub fn warning(code: impl Into<Text>, message: impl Into<Text>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    /// Adds a label; the first label added is primary.
    pub fn with_label(mut self, span: impl Into<Span>, message: impl Into<Text>) -> Diagnostic {
        let message = message.into();
        let primary = self.labels.is_empty();
        self.labels.push(Label {
            span: span.into(),
            message: if message.is_empty() {
                None
            } else {
                Some(message)
            },
            primary,
        });
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: impl Into<Span>, message: impl Into<Text>) -> Diagnostic {
        let message = message.into();
        self.labels.push(Label {
            span: span.into(),
            message: if message.is_empty() {
                None
            } else {
                Some(message)
            },
            primary: false,
        });
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<Text>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets the documentation URL.
    pub fn with_url(mut self, url: impl Into<Text>) -> Diagnostic {
        self.url = Some(url.into());
        self
    }

    /// Sets the expected items.
    pub fn with_expected(mut self, expected: Vec<String>) -> Diagnostic {
        self.expected = expected.into_iter().map(Text::from).collect();
        self
    }

    /// Sets the tree context.
    pub fn with_context(mut self, context: impl Into<String>) -> Diagnostic {
        self.context = Some(context.into());
        self
    }

    /// The span that locates this diagnostic: the first primary label, else the first label.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or_else(|| self.labels.first())
            .map(|l| l.span)
    }

    /// The order every printer lists diagnostics in: by the offset of the primary span
    /// (diagnostics without a span first), then severity (errors first), code and message.
    pub fn sort_key(&self) -> (Option<usize>, Severity, &str, &str) {
        (
            self.primary_span().map(|s| s.offset),
            self.severity,
            &self.code,
            &self.message,
        )
    }

    /// Is this an error?
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display + 'a>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().map(|l| {
            l.miette(miette::SourceSpan::new(l.span.offset.into(), l.span.len))
        })))
    }
}

/// Documentation of one diagnostic code, kept in a registry beside the code that emits it.
///
/// Every crate that emits diagnostics exports `pub static CODES: &[CodeDoc]`; the CLI merges
/// them and `cargo xtask codegen` writes `docs/diagnostics.md` from them.
#[derive(Clone, Copy, Debug)]
pub struct CodeDoc {
    /// The stable code.
    pub code: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One line: what it means.
    pub summary: &'static str,
    /// A small input that triggers it.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_key_orders_by_offset_then_severity_then_code() {
        let mut ds = [
            Diagnostic::warning("b/x", "w").with_label(Span::new(5, 1), ""),
            Diagnostic::error("b/y", "e2").with_label(Span::new(5, 1), ""),
            Diagnostic::error("a/z", "e1").with_label(Span::new(5, 1), ""),
            Diagnostic::error("c/q", "first").with_label(Span::new(1, 1), ""),
            Diagnostic::warning("d/none", "no span"),
        ];
        ds.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let codes: Vec<&str> = ds.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["d/none", "c/q", "a/z", "b/y", "b/x"]);
    }
}
