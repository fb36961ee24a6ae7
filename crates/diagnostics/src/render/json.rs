//! `--format json`: one JSON document, exactly the shape of the CLI contract:
//!
//! ```text
//! {"version": 1,
//!  "files": [{"path", "schema", "valid", "output"?, "diagnostics": [{"severity", "code",
//!             "message", "line", "column", "offset", "length", "expected"?, "help"?, "url"?}]}],
//!  "summary": {"files", "valid", "invalid", "errors", "warnings"}}
//! ```
//!
//! `line`/`column` are 1-based, the column counted in characters; `offset`/`length` are bytes.
//! A diagnostic without a span has `null` for all four; one whose file could not be read has
//! `null` line and column. `schema` is `null` when no schema was used (conversion); `output`
//! appears only when a file was written. The document is written incrementally, pretty-printed.

use std::io::{self, Write};

use super::FileView;
use crate::Summary;

/// The version of the document's shape.
const VERSION: u32 = 1;

/// How far the document has been written.
#[derive(Default)]
pub(crate) struct Json {
    files_written: usize,
}

impl Json {
    pub(crate) fn file(&mut self, view: &FileView<'_>, out: &mut dyn Write) -> io::Result<()> {
        if self.files_written == 0 {
            write!(out, "{{\n  \"version\": {VERSION},\n  \"files\": [\n")?;
        } else {
            out.write_all(b",\n")?;
        }
        write_file(view, out)?;
        self.files_written += 1;
        Ok(())
    }

    pub(crate) fn finish(self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        if self.files_written == 0 {
            write!(out, "{{\n  \"version\": {VERSION},\n  \"files\": [],\n")?;
        } else {
            out.write_all(b"\n  ],\n")?;
        }
        // On one line, as in the contract's example.
        let Summary {
            files,
            valid,
            invalid,
            errors,
            warnings,
        } = *summary;
        writeln!(
            out,
            "  \"summary\": {{\"files\": {files}, \"valid\": {valid}, \"invalid\": {invalid}, \
             \"errors\": {errors}, \"warnings\": {warnings}}}\n}}"
        )
    }
}

/// One file's object as [`write_file`] writes it.
#[cfg(test)]
fn file_json(view: &FileView<'_>) -> Vec<u8> {
    let mut o = Vec::new();
    write_file(view, &mut o).expect("writing to memory");
    o
}

/// Bytes gathered before they go to the output: a report of thousands of diagnostics goes
/// out through one small buffer instead of being built whole (megabytes of fresh memory).
const CHUNK: usize = 32 << 10;

/// Writes one file's object, pretty-printed as serde_json prints it (two spaces a level) and
/// indented by four spaces, without the line break after it. Written by hand: a report can
/// hold thousands of diagnostics, and going through serde and re-indenting its text cost
/// several times as much. The tests hold it to serde_json's output for the same values.
fn write_file(view: &FileView<'_>, out: &mut dyn Write) -> io::Result<()> {
    let report = view.report;
    let mut o = Vec::with_capacity(CHUNK + 1024);
    o.extend_from_slice(b"    {\n      \"path\": ");
    string(&mut o, &report.path);
    o.extend_from_slice(b",\n      \"schema\": ");
    match &report.schema {
        Some(s) => string(&mut o, s),
        None => o.extend_from_slice(b"null"),
    }
    o.extend_from_slice(if report.valid {
        b",\n      \"valid\": true"
    } else {
        b",\n      \"valid\": false"
    });
    if let Some(output) = &report.output {
        o.extend_from_slice(b",\n      \"output\": ");
        string(&mut o, output);
    }
    o.extend_from_slice(b",\n      \"diagnostics\": [");
    for (i, d) in view.diagnostics.iter().enumerate() {
        if o.len() >= CHUNK {
            out.write_all(&o)?;
            o.clear();
        }
        o.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        let start = d.region.and_then(|r| r.start);
        let diag = d.diag;
        o.extend_from_slice(b"        {\n          \"severity\": \"");
        o.extend_from_slice(diag.severity.as_str().as_bytes());
        o.extend_from_slice(b"\",\n          \"code\": ");
        string(&mut o, &diag.code);
        o.extend_from_slice(b",\n          \"message\": ");
        string(&mut o, &diag.message);
        for (key, n) in [
            (&b",\n          \"line\": "[..], start.map(|p| p.line)),
            (b",\n          \"column\": ", start.map(|p| p.column)),
            (b",\n          \"offset\": ", d.region.map(|r| r.offset)),
            (b",\n          \"length\": ", d.region.map(|r| r.len)),
        ] {
            o.extend_from_slice(key);
            match n {
                Some(n) => o.extend_from_slice(crate::decimal_bytes(n, &mut [0; 20])),
                None => o.extend_from_slice(b"null"),
            }
        }
        if !diag.expected.is_empty() {
            o.extend_from_slice(b",\n          \"expected\": [");
            for (j, e) in diag.expected.iter().enumerate() {
                o.extend_from_slice(if j == 0 {
                    b"\n            "
                } else {
                    b",\n            "
                });
                string(&mut o, e);
            }
            o.extend_from_slice(b"\n          ]");
        }
        if let Some(help) = &diag.help {
            o.extend_from_slice(b",\n          \"help\": ");
            string(&mut o, help);
        }
        if let Some(url) = &diag.url {
            o.extend_from_slice(b",\n          \"url\": ");
            string(&mut o, url);
        }
        o.extend_from_slice(b"\n        }");
    }
    if view.diagnostics.is_empty() {
        o.extend_from_slice(b"]\n    }");
    } else {
        o.extend_from_slice(b"\n      ]\n    }");
    }
    out.write_all(&o)
}

/// `s` as a JSON string, escaped as serde_json escapes it: `"`, `\\` and the control
/// characters below U+0020 (the five with a short form use it), nothing else.
fn string(o: &mut Vec<u8>, s: &str) {
    o.push(b'"');
    let bytes = s.as_bytes();
    // Most strings need no escape; this test of every byte vectorises.
    let escapes = bytes
        .iter()
        .fold(false, |any, &b| any | (b < 0x20 || b == b'"' || b == b'\\'));
    if !escapes {
        o.extend_from_slice(bytes);
        o.push(b'"');
        return;
    }
    let mut from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        o.extend_from_slice(&bytes[from..i]);
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            o.extend_from_slice(b"\\u00");
            o.push(HEX[usize::from(b >> 4)]);
            o.push(HEX[usize::from(b & 0xf)]);
        } else {
            o.extend_from_slice(short);
        }
        from = i + 1;
    }
    o.extend_from_slice(&bytes[from..]);
    o.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::{file_json, FileView};
    use crate::{render, Diagnostic, FileReport, Format, RenderOptions, Severity, Span};
    use serde::Serialize;
    use serde_json::{json, Value};

    // The shape as serde would print it: the oracle `file_json` is held to.
    #[derive(Serialize)]
    struct JsonFile<'a> {
        path: &'a str,
        schema: Option<&'a str>,
        valid: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        output: Option<&'a str>,
        diagnostics: Vec<JsonDiagnostic<'a>>,
    }

    #[derive(Serialize)]
    struct JsonDiagnostic<'a> {
        severity: Severity,
        code: &'a str,
        message: &'a str,
        line: Option<usize>,
        column: Option<usize>,
        offset: Option<usize>,
        length: Option<usize>,
        #[serde(skip_serializing_if = "<[crate::Text]>::is_empty")]
        expected: &'a [crate::Text],
        #[serde(skip_serializing_if = "Option::is_none")]
        help: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        url: Option<&'a str>,
    }

    /// serde_json's pretty text of `report`, indented as the document nests it.
    fn by_serde(report: &FileReport) -> String {
        let view = FileView::new(report);
        let file = JsonFile {
            path: &report.path,
            schema: report.schema.as_deref(),
            valid: report.valid,
            output: report.output.as_deref(),
            diagnostics: view
                .diagnostics
                .iter()
                .map(|d| {
                    let start = d.region.and_then(|r| r.start);
                    JsonDiagnostic {
                        severity: d.diag.severity,
                        code: &d.diag.code,
                        message: &d.diag.message,
                        line: start.map(|p| p.line),
                        column: start.map(|p| p.column),
                        offset: d.region.map(|r| r.offset),
                        length: d.region.map(|r| r.len),
                        expected: &d.diag.expected,
                        help: d.diag.help.as_deref(),
                        url: d.diag.url.as_deref(),
                    }
                })
                .collect(),
        };
        let text = serde_json::to_string_pretty(&file).unwrap();
        text.lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn by_hand(report: &FileReport) -> String {
        String::from_utf8(file_json(&FileView::new(report))).unwrap()
    }

    #[test]
    fn written_as_serde_writes_it() {
        // Every character class the escaping distinguishes, in every string field.
        let nasty = "q\"b\\s/ \u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f} \u{7f}\u{80}é€😀<&>";
        let src = "<TEI>\n  <a/>\n</TEI>\n";
        let full = Diagnostic::error(nasty, nasty)
            .with_label(Span::new(8, 4), "")
            .with_expected(vec![nasty.into(), "x".into()])
            .with_help(nasty)
            .with_url(nasty);
        let reports = [
            FileReport::new(nasty, Some(src.as_bytes().into()), vec![full.clone()])
                .with_schema(nasty)
                .with_output(nasty),
            FileReport::new("empty.xml", Some(src.as_bytes().into()), vec![]),
            FileReport::new("a", None, vec![]).with_schema("s"),
            FileReport::new(
                "n.xml",
                None,
                vec![Diagnostic::error("n/x", "big").with_label(Span::new(9_876_543_210, 10), "")],
            ),
            FileReport::new(
                "many.xml",
                Some(src.as_bytes().into()),
                vec![
                    Diagnostic::new(Severity::Info, "i/x", "one"),
                    full.clone(),
                    Diagnostic::warning("w/x", "two").with_label(Span::new(99, 1), ""),
                    Diagnostic::error("e/x", "three").with_expected(vec!["only".into()]),
                ],
            ),
        ];
        for r in &reports {
            assert_eq!(by_hand(r), by_serde(r));
        }
        // Every byte value below 0x80 on its own.
        for b in 0u8..0x80 {
            let s = char::from(b).to_string();
            let r = FileReport::new(s.clone(), None, vec![Diagnostic::error("c", s)]);
            assert_eq!(by_hand(&r), by_serde(&r), "byte {b:#x}");
        }
    }

    #[test]
    fn a_long_report_goes_out_in_pieces_and_reads_the_same() {
        /// Keeps what is written and counts the writes.
        struct Pieces(Vec<u8>, usize);
        impl std::io::Write for Pieces {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.extend_from_slice(b);
                self.1 += 1;
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let src = "<TEI>\n  <a/>\n</TEI>\n";
        let diags = (0..2000)
            .map(|i| {
                Diagnostic::error("e/x", format!("number {i}"))
                    .with_label(Span::new(i % 20, 1), "")
                    .with_expected(vec!["@n".into(), "@xml:id".into()])
                    .with_help("remove it")
            })
            .collect();
        let report = FileReport::new("long.xml", Some(src.as_bytes().into()), diags);
        let mut out = Pieces(Vec::new(), 0);
        super::write_file(&FileView::new(&report), &mut out).unwrap();
        assert!(out.1 > 5, "{} writes", out.1);
        assert_eq!(String::from_utf8(out.0).unwrap(), by_serde(&report));
    }

    fn render_json(reports: &[FileReport]) -> Value {
        let mut out = Vec::new();
        render(Format::Json, reports, &RenderOptions::default(), &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn empty_batch() {
        assert_eq!(
            render_json(&[]),
            json!({"version": 1, "files": [], "summary":
                {"files": 0, "valid": 0, "invalid": 0, "errors": 0, "warnings": 0}})
        );
    }

    #[test]
    fn fields() {
        let src = "<TEI>\n  <persname/>\n</TEI>\n";
        let a = FileReport::new(
            "letters/a.xml",
            Some(src.as_bytes().into()),
            vec![Diagnostic::error(
                "rng/element-not-allowed",
                "element <persname> is not allowed here",
            )
            .with_label(Span::new(8, 11), "")
            .with_expected(vec!["persName".into(), "text".into()])
            .with_help("did you mean <persName>?")
            .with_url("https://example.org/persName")],
        )
        .with_schema("tei_all");
        let b = FileReport::new("in.txt", None, vec![Diagnostic::warning("convert/x", "w")])
            .with_output("in.xml");
        assert_eq!(
            render_json(&[a, b]),
            json!({
                "version": 1,
                "files": [
                    {"path": "letters/a.xml", "schema": "tei_all", "valid": false,
                     "diagnostics": [{"severity": "error", "code": "rng/element-not-allowed",
                        "message": "element <persname> is not allowed here",
                        "line": 2, "column": 3, "offset": 8, "length": 11,
                        "expected": ["persName", "text"], "help": "did you mean <persName>?",
                        "url": "https://example.org/persName"}]},
                    {"path": "in.txt", "schema": null, "valid": true, "output": "in.xml",
                     "diagnostics": [{"severity": "warning", "code": "convert/x", "message": "w",
                        "line": null, "column": null, "offset": null, "length": null}]}
                ],
                "summary": {"files": 2, "valid": 1, "invalid": 1, "errors": 1, "warnings": 1}
            })
        );
    }
}
