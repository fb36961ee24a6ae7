//! The source map: merged offset → (file, offset in that file).

use teikit_diagnostics::Span;

/// How a run of merged text relates to its origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Copied byte for byte: offsets map linearly.
    Copy,
    /// Generated (an escape, a fix-up attribute): every offset maps to the origin span.
    Generated(Option<&'static str>),
}

#[derive(Clone, Copy, Debug)]
struct Segment {
    merged: usize,
    len: usize,
    file: usize,
    origin: usize,
    origin_len: usize,
    kind: Kind,
}

/// Where a span of the merged text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file's index in [`Expanded::files`](crate::Expanded::files).
    pub file: usize,
    /// The span in that file's text.
    pub span: Span,
    /// Set when the merged text there was added by XInclude processing; says what it is.
    pub note: Option<&'static str>,
}

/// Maps offsets of the merged text back to the files it was built from.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    segments: Vec<Segment>,
    len: usize,
}

impl SourceMap {
    /// The map of a text of `len` bytes that is file 0 unchanged.
    pub fn identity(len: usize) -> SourceMap {
        SourceMap {
            segments: vec![Segment {
                merged: 0,
                len,
                file: 0,
                origin: 0,
                origin_len: len,
                kind: Kind::Copy,
            }],
            len,
        }
    }

    /// Whether this is the identity map of file 0.
    pub fn is_identity(&self) -> bool {
        self.segments.len() == 1
            && self.segments[0].kind == Kind::Copy
            && self.segments[0].file == 0
    }

    pub(crate) fn new() -> SourceMap {
        SourceMap::default()
    }

    pub(crate) fn push_copy(&mut self, file: usize, origin: usize, len: usize) {
        if len == 0 {
            return;
        }
        if let Some(last) = self.segments.last_mut() {
            if last.kind == Kind::Copy && last.file == file && last.origin + last.len == origin {
                last.len += len;
                last.origin_len += len;
                self.len += len;
                return;
            }
        }
        self.segments.push(Segment {
            merged: self.len,
            len,
            file,
            origin,
            origin_len: len,
            kind: Kind::Copy,
        });
        self.len += len;
    }

    pub(crate) fn push_generated(
        &mut self,
        len: usize,
        file: usize,
        span: Span,
        note: Option<&'static str>,
    ) {
        if len == 0 {
            return;
        }
        self.segments.push(Segment {
            merged: self.len,
            len,
            file,
            origin: span.offset,
            origin_len: span.len,
            kind: Kind::Generated(note),
        });
        self.len += len;
    }

    fn segment(&self, offset: usize) -> Option<&Segment> {
        let i = self.segments.partition_point(|s| s.merged <= offset);
        // At the very end of the text, the last segment.
        self.segments.get(i.checked_sub(1)?)
    }

    /// The file and offset in it that merged offset `offset` comes from. Offsets inside
    /// generated text map to the start of what it was generated from (the `xi:include`
    /// element for fix-up attributes, the escaped character for escapes).
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        match self.segment(offset) {
            None => (0, offset),
            Some(s) => match s.kind {
                Kind::Copy => (s.file, s.origin + (offset - s.merged).min(s.origin_len)),
                Kind::Generated(_) => (s.file, s.origin),
            },
        }
    }

    /// Where a span of the merged text comes from. A span that runs past the end of the run
    /// its start is in is cut at that run's end.
    pub fn locate_span(&self, span: Span) -> Origin {
        let Some(s) = self.segment(span.offset) else {
            return Origin {
                file: 0,
                span,
                note: None,
            };
        };
        match s.kind {
            Kind::Copy => {
                let start = s.origin + (span.offset - s.merged).min(s.origin_len);
                let end = s.origin + (span.end() - s.merged).min(s.origin_len);
                Origin {
                    file: s.file,
                    span: Span::new(start, end - start),
                    note: None,
                }
            }
            Kind::Generated(note) => Origin {
                file: s.file,
                span: Span::new(s.origin, s.origin_len),
                note,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_merge_and_generated_runs_map_to_their_origin() {
        let mut m = SourceMap::new();
        m.push_copy(0, 0, 10);
        m.push_copy(0, 10, 5);
        m.push_generated(3, 0, Span::new(20, 7), Some("added"));
        m.push_copy(1, 100, 4);
        assert_eq!(m.segments.len(), 3);
        assert_eq!(m.locate(12), (0, 12));
        assert_eq!(m.locate(16), (0, 20));
        assert_eq!(m.locate(19), (1, 101));
        assert_eq!(m.locate(22), (1, 104));
        let o = m.locate_span(Span::new(14, 3));
        assert_eq!((o.file, o.span), (0, Span::new(14, 1)));
        let o = m.locate_span(Span::new(15, 1));
        assert_eq!(
            (o.file, o.span, o.note),
            (0, Span::new(20, 7), Some("added"))
        );
    }
}
