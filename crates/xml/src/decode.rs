//! Bytes → text: UTF-8 (the default), UTF-16 with or without a byte-order mark, and
//! ISO-8859-1 when the XML declaration names it.
//!
//! Spans of every diagnostic teikit produces index into the *decoded* text. For UTF-8 input
//! (the overwhelming case, returned as [`Cow::Borrowed`]) that text is the file's bytes, so
//! offsets are file offsets. For transcoded input ([`Cow::Owned`]) offsets are into the
//! UTF-8 text; callers that print positions should index that text, not the file.

use std::borrow::Cow;

use teikit_diagnostics::{Diagnostic, Span};

/// Decodes a document's bytes to text; see the module documentation for the rules.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, Diagnostic> {
    match bytes {
        [0xFF, 0xFE, ..] => return utf16(bytes, 2, u16::from_le_bytes).map(Cow::Owned),
        [0xFE, 0xFF, ..] => return utf16(bytes, 2, u16::from_be_bytes).map(Cow::Owned),
        // `<?` in UTF-16 without a byte-order mark (XML 1.0 appendix F).
        [0x3C, 0x00, 0x3F, 0x00, ..] => return utf16(bytes, 0, u16::from_le_bytes).map(Cow::Owned),
        [0x00, 0x3C, 0x00, 0x3F, ..] => return utf16(bytes, 0, u16::from_be_bytes).map(Cow::Owned),
        _ => {}
    }
    let has_bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    if !has_bom {
        if let Some((name, span)) = declared_encoding(bytes) {
            let lower = name.to_ascii_lowercase();
            match lower.as_str() {
                "utf-8" | "utf8" | "us-ascii" | "ascii" => {}
                "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "latin1" | "latin-1" | "l1" => {
                    return Ok(latin1(bytes));
                }
                _ if bytes.is_ascii() => {}
                _ => {
                    return Err(Diagnostic::error(
                        "xml/unsupported-encoding",
                        format!("unsupported encoding {name:?}"),
                    )
                    .with_label(span, "declared here")
                    .with_help(
                        "teikit reads UTF-8, UTF-16 and ISO-8859-1; re-save the file as UTF-8 \
                         and change the declaration to encoding=\"UTF-8\"",
                    ));
                }
            }
        }
    }
    // simdutf8 checks valid text several times as fast as the standard library (a 3 MB
    // document with many non-ASCII letters: 1.5 ms → 0.2 ms); only a failure is read again
    // by the standard library, for where it fails.
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(e) => {
            let at = e.valid_up_to();
            let len = e.error_len().unwrap_or(bytes.len() - at);
            let shown: Vec<String> = bytes[at..at + len]
                .iter()
                .map(|b| format!("0x{b:02X}"))
                .collect();
            Err(Diagnostic::error(
                "xml/invalid-utf8",
                format!(
                    "invalid UTF-8: byte {} cannot start or continue a character",
                    shown.join(" ")
                ),
            )
            .with_label(Span::new(at, len), "not UTF-8")
            .with_help(
                "the file is probably in another encoding (ISO-8859-1 or Windows-1252?): \
                 re-save it as UTF-8, or declare <?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
            ))
        }
    }
}

/// [`decode`] of bytes the caller no longer needs: UTF-8 text keeps their buffer instead of
/// being copied (a schema of a megabyte is read on every run that checks a cached entry).
/// A failure gives the bytes back with its diagnostic.
pub fn decode_owned(bytes: Vec<u8>) -> Result<String, (Diagnostic, Vec<u8>)> {
    match decode(&bytes) {
        Ok(Cow::Owned(text)) => Ok(text),
        // Borrowed: the bytes are valid UTF-8, so this takes the buffer as it is.
        Ok(Cow::Borrowed(_)) => Ok(String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())),
        Err(d) => Err((d, bytes)),
    }
}

/// UTF-16 code units from `skip` on; spans in errors are into `bytes`.
fn utf16(bytes: &[u8], skip: usize, unit: fn([u8; 2]) -> u16) -> Result<String, Diagnostic> {
    let body = &bytes[skip..];
    let units = body.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut out = String::with_capacity(body.len());
    for (i, r) in char::decode_utf16(units).enumerate() {
        match r {
            Ok(c) => out.push(c),
            Err(_) => {
                return Err(Diagnostic::error(
                    "xml/invalid-utf16",
                    "invalid UTF-16: unpaired surrogate",
                )
                .with_label(Span::new(skip + 2 * i, 2), "unpaired surrogate"));
            }
        }
    }
    if body.len() % 2 == 1 {
        return Err(
            Diagnostic::error("xml/invalid-utf16", "invalid UTF-16: odd number of bytes")
                .with_label(Span::new(bytes.len() - 1, 1), "stray last byte"),
        );
    }
    Ok(out)
}

fn latin1(bytes: &[u8]) -> Cow<'_, str> {
    if bytes.is_ascii() {
        // ASCII is valid UTF-8; the check above makes this infallible.
        return match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => Cow::Owned(bytes.iter().map(|&b| b as char).collect()),
        };
    }
    Cow::Owned(bytes.iter().map(|&b| b as char).collect())
}

/// The `encoding` pseudo-attribute of a leading XML declaration, with its span.
fn declared_encoding(bytes: &[u8]) -> Option<(&str, Span)> {
    if !bytes.starts_with(b"<?xml") {
        return None;
    }
    let end = bytes.windows(2).take(512).position(|w| w == b"?>")?;
    let decl = &bytes[..end];
    let key = decl.windows(8).position(|w| w == b"encoding")?;
    let mut i = key + 8;
    while i < decl.len() && matches!(decl[i], b' ' | b'\t' | b'\r' | b'\n' | b'=') {
        i += 1;
    }
    let quote = *decl.get(i)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let start = i + 1;
    let len = decl[start..].iter().position(|&b| b == quote)?;
    let name = std::str::from_utf8(&decl[start..start + len]).ok()?;
    Some((name, Span::new(start, len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `decode_owned` gives what `decode` gives, and UTF-8 keeps the caller's buffer.
    #[test]
    fn decode_owned_agrees_with_decode_and_keeps_utf8_buffers() {
        let utf8 = "<a>é</a>".as_bytes().to_vec();
        let at = utf8.as_ptr();
        let text = decode_owned(utf8).unwrap();
        assert_eq!(text, "<a>é</a>");
        assert_eq!(text.as_ptr(), at);
        let latin1 = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>\xe9</a>".to_vec();
        assert_eq!(
            decode_owned(latin1.clone()).unwrap(),
            decode(&latin1).unwrap()
        );
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("<a/>".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode_owned(utf16).unwrap(), "<a/>");
        let bad = b"<a>\xff</a>".to_vec();
        assert_eq!(
            decode_owned(bad.clone()).unwrap_err().0.code,
            decode(&bad).unwrap_err().code
        );
    }

    #[test]
    fn utf8_is_borrowed() {
        let d = decode("<a>é</a>".as_bytes()).unwrap();
        assert!(matches!(d, Cow::Borrowed(_)));
    }

    #[test]
    fn invalid_utf8_points_at_the_byte() {
        let e = decode(b"<a>\n ok \xFF</a>").unwrap_err();
        assert_eq!(e.code, "xml/invalid-utf8");
        assert_eq!(e.primary_span(), Some(Span::new(8, 1)));
        assert!(e.message.contains("0xFF"), "{}", e.message);
    }

    #[test]
    fn truncated_sequence_at_end() {
        let e = decode(b"<a/>\xC3").unwrap_err();
        assert_eq!(e.primary_span(), Some(Span::new(4, 1)));
    }

    #[test]
    fn utf16_le_and_be_with_bom() {
        let text = "<a>é</a>";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in text.encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
        }
        assert_eq!(decode(&le).unwrap(), text);
        assert_eq!(decode(&be).unwrap(), text);
    }

    #[test]
    fn utf16_without_bom() {
        let text = "<?xml version='1.0'?><a/>";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&le).unwrap(), text);
    }

    #[test]
    fn utf16_unpaired_surrogate() {
        let bytes = [0xFF, 0xFE, b'<', 0, 0x00, 0xD8, b'a', 0];
        let e = decode(&bytes).unwrap_err();
        assert_eq!(e.code, "xml/invalid-utf16");
        assert_eq!(e.primary_span(), Some(Span::new(4, 2)));
    }

    /// Found by fuzzing: `<` NUL `?` NUL is UTF-16 (appendix F) even when the bytes also
    /// read as UTF-8; the span is on the code unit (here it ends inside the UTF-8 reading's
    /// U+06C7, which does not matter: the file is not read as UTF-8).
    #[test]
    fn utf16_without_bom_that_is_also_utf8() {
        let bytes = [b'<', 0, b'?', 0, b'"', 0xDB, 0x87, 0];
        assert!(std::str::from_utf8(&bytes).is_ok());
        let e = decode(&bytes).unwrap_err();
        assert_eq!(e.code, "xml/invalid-utf16");
        assert_eq!(e.primary_span(), Some(Span::new(4, 2)));
    }

    /// Found by fuzzing (the harness, not the reader, was wrong): an odd-length UTF-16 file
    /// ends with a stray byte, reported alone at the end, with or without a byte-order mark.
    #[test]
    fn utf16_odd_length_points_at_the_stray_last_byte() {
        for bytes in [
            &[0xFE, 0xFF, 0, b'<', 0, b'a', b'x'][..],
            &[b'<', 0, b'?', 0, b'x'],
        ] {
            let e = decode(bytes).unwrap_err();
            assert_eq!(e.code, "xml/invalid-utf16");
            assert_eq!(e.primary_span(), Some(Span::new(bytes.len() - 1, 1)));
        }
    }

    #[test]
    fn latin1_declared() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE9</a>";
        assert_eq!(
            decode(bytes).unwrap(),
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>é</a>"
        );
    }

    #[test]
    fn unsupported_encoding_points_at_name() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\x80</a>";
        let e = decode(bytes).unwrap_err();
        assert_eq!(e.code, "xml/unsupported-encoding");
        assert_eq!(e.primary_span(), Some(Span::new(30, 12)));
    }

    #[test]
    fn unsupported_encoding_but_ascii_is_fine() {
        assert!(decode(b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a/>").is_ok());
    }
}
