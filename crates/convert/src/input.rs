//! Stage 0: decide whether the bytes are a text transcription at all.
//!
//! Binary input (a NUL byte), invalid UTF-8 and characters XML 1.0 cannot carry are errors:
//! no TEI is produced for them, because no lossless encoding exists.

use teikit_diagnostics::{Diagnostic, Severity, Span};

/// The input as text, and the offset where the transcription starts (after a byte-order mark).
pub(crate) struct Decoded<'a> {
    pub text: &'a str,
    pub start: usize,
}

/// Checks and decodes the input; errors are returned as diagnostics with byte spans.
pub(crate) fn decode<'a>(input: &'a [u8], diags: &mut Vec<Diagnostic>) -> Result<Decoded<'a>, ()> {
    if let Some(pos) = input.iter().position(|&b| b == 0) {
        diags.push(
            Diagnostic::error("convert/binary-input", "the input contains a NUL byte")
                .with_label(Span::new(pos, 1), "NUL byte here")
                .with_help("convert expects a plain-text transcription (UTF-8)"),
        );
        return Err(());
    }
    let text = match std::str::from_utf8(input) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            let len = e.error_len().unwrap_or(input.len() - at);
            diags.push(
                Diagnostic::error("convert/invalid-utf8", "the input is not valid UTF-8")
                    .with_label(Span::new(at, len), "invalid byte sequence")
                    .with_help("re-save the transcription as UTF-8"),
            );
            return Err(());
        }
    };
    // End of the current line's content (after trimming), recomputed once per line.
    let mut content_end = 0;
    let mut line_start = usize::MAX;
    for (i, c) in text.char_indices() {
        if line_start == usize::MAX {
            line_start = i;
            let rest = &text[i..];
            let line = &rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())];
            content_end = i + line.trim_end().len();
        }
        if c == '\n' || c == '\r' {
            line_start = usize::MAX;
        }
        // A vertical tab or form feed at the end of a line is trailing white space, which the
        // conversion drops; anywhere else it would have to reach the XML, which cannot hold it.
        let bad = matches!(c, '\u{0}'..='\u{8}' | '\u{e}'..='\u{1f}')
            || matches!(c, '\u{b}' | '\u{c}') && i < content_end
            || c == '\u{fffe}'
            || c == '\u{ffff}';
        if bad {
            diags.push(
                Diagnostic::error(
                    "convert/control-character",
                    format!(
                        "the input contains the control character U+{:04X}, which XML cannot carry",
                        c as u32
                    ),
                )
                .with_label(Span::new(i, c.len_utf8()), "this character")
                .with_help("remove the character; it is probably a remnant of a binary format"),
            );
            return Err(());
        }
    }
    let start = if text.starts_with('\u{feff}') {
        diags.push(
            Diagnostic::new(
                Severity::Info,
                "convert/byte-order-mark",
                "the byte-order mark at the start is dropped",
            )
            .with_label(Span::new(0, 3), "byte-order mark"),
        );
        3
    } else {
        0
    };
    Ok(Decoded { text, start })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &[u8]) -> Result<usize, String> {
        let mut d = Vec::new();
        match decode(input, &mut d) {
            Ok(x) => Ok(x.start),
            Err(()) => Err(d[0].code.to_string()),
        }
    }

    #[test]
    fn classifies_inputs() {
        assert_eq!(check(b"abc"), Ok(0));
        assert_eq!(check("\u{feff}abc".as_bytes()), Ok(3));
        assert_eq!(check(b"a\0b"), Err("convert/binary-input".into()));
        assert_eq!(check(b"a\xffb"), Err("convert/invalid-utf8".into()));
        assert_eq!(check(b"a\x07b"), Err("convert/control-character".into()));
        assert_eq!(check(b"a\tb\r\n"), Ok(0));
        assert_eq!(check(b"page one\x0c\npage two"), Ok(0));
        assert_eq!(check(b"a\x0cb"), Err("convert/control-character".into()));
    }
}
