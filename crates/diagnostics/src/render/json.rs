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

use serde::Serialize;

use super::FileView;
use crate::{Severity, Summary};

/// The version of the document's shape.
const VERSION: u32 = 1;

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
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    expected: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

/// How far the document has been written.
#[derive(Default)]
pub(crate) struct Json {
    files_written: usize,
}

impl Json {
    pub(crate) fn file(&mut self, view: &FileView<'_>, out: &mut dyn Write) -> io::Result<()> {
        let report = view.report;
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
        if self.files_written == 0 {
            write!(out, "{{\n  \"version\": {VERSION},\n  \"files\": [\n")?;
        } else {
            out.write_all(b",\n")?;
        }
        write_indented(&file, 4, out)?;
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

/// Writes `value` pretty-printed, every line indented by `indent` spaces. JSON strings never
/// hold a raw line break, so indenting lines cannot change a value.
fn write_indented(value: &impl Serialize, indent: usize, out: &mut dyn Write) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    let pad = " ".repeat(indent);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        out.write_all(pad.as_bytes())?;
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::{render, Diagnostic, FileReport, Format, RenderOptions, Span};
    use serde_json::{json, Value};

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
