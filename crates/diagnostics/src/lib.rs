//! The diagnostic model shared by every teikit crate, and its printers.
//!
//! A [`Diagnostic`] is plain data: a stable [`code`](Diagnostic::code), a [`Severity`],
//! a message, labelled byte [`Span`]s into one source, optional help and a documentation URL.
//! Libraries return diagnostics; only the command line prints them. Byte offsets are turned
//! into lines and columns by a [`LineIndex`] built once per source.
//!
//! ```
//! use teikit_diagnostics::{Diagnostic, Severity, Span, LineIndex};
//!
//! let src = "<a>\n  <b>\n</a>\n";
//! let d = Diagnostic::error("xml/mismatched-tag", "expected </b>, found </a>")
//!     .with_label(Span::new(10, 4), "this end tag");
//! assert_eq!(d.severity, Severity::Error);
//! let index = LineIndex::new(src.as_bytes());
//! assert_eq!(index.line_col(src.as_bytes(), 10), (3, 1));
//! ```
//!
//! The printers take [`FileReport`]s (a path, its bytes, its diagnostics) and write one of the
//! `--format`s of the CLI contract: [`render`] for a whole batch, or a [`Renderer`] fed file by
//! file as results arrive; both return the batch's [`Summary`].
//!
//! ```
//! use teikit_diagnostics::{render, Diagnostic, FileReport, Format, RenderOptions, Span};
//!
//! let report = FileReport::new(
//!     "a.xml",
//!     Some(b"<a>\n  <b>\n</a>\n".to_vec().into()),
//!     vec![Diagnostic::error("xml/mismatched-tag", "expected </b>, found </a>")
//!         .with_label(Span::new(10, 4), "this end tag")],
//! );
//! let mut out = Vec::new();
//! let summary = render(Format::Short, &[report], &RenderOptions::default(), &mut out).unwrap();
//! assert_eq!(
//!     String::from_utf8(out).unwrap(),
//!     "a.xml:3:1: error: expected </b>, found </a> [xml/mismatched-tag]\n"
//! );
//! assert!(!summary.all_valid());
//! ```
#![warn(missing_docs)]

mod diagnostic;
mod line_index;
mod render;
mod report;
mod text;

pub use crate::diagnostic::{CodeDoc, Diagnostic, Label, Severity, Span};
pub use crate::line_index::LineIndex;
pub use crate::render::{render, render_file, RenderOptions, Renderer};
pub use crate::report::{FileReport, Format, Summary, UnknownFormat};
pub use crate::text::Text;

/// `n` in decimal, written into `buf`: no allocation and none of the formatting machinery,
/// for code that writes numbers by the thousand (a report's line and column fields, the
/// `[index]` steps of element paths).
///
/// ```
/// let mut buf = [0; 20];
/// assert_eq!(teikit_diagnostics::decimal(0, &mut buf), "0");
/// assert_eq!(teikit_diagnostics::decimal(usize::MAX, &mut buf), usize::MAX.to_string());
/// ```
pub fn decimal(n: usize, buf: &mut [u8; 20]) -> &str {
    // Only ASCII digits were written, so this is never the default.
    std::str::from_utf8(decimal_bytes(n, buf)).unwrap_or_default()
}

/// [`decimal`] as bytes, for output buffers: the same digits without the UTF-8 check.
///
/// ```
/// assert_eq!(teikit_diagnostics::decimal_bytes(1907, &mut [0; 20]), b"1907");
/// ```
pub fn decimal_bytes(mut n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[at..]
}

/// Appends `n` in decimal to `out` ([`decimal`] for strings that grow by the thousand).
///
/// ```
/// let mut path = String::from("p[");
/// teikit_diagnostics::push_decimal(&mut path, 12);
/// assert_eq!(path, "p[12");
/// ```
pub fn push_decimal(out: &mut String, n: usize) {
    for &digit in decimal_bytes(n, &mut [0; 20]) {
        out.push(char::from(digit));
    }
}
