//! `--format short`: one `path:line:column: severity: message [code]` line per diagnostic, or
//! `path: severity: message [code]` for a diagnostic without a position.

use std::io::{self, Write};

use super::{one_line, FileView, Located};

pub(crate) fn file(view: &FileView<'_>, out: &mut dyn Write) -> io::Result<()> {
    // Written straight to `out` (the same text as `line`, without building it first).
    let path = view.path();
    for d in &view.diagnostics {
        let diag = d.diag;
        match d.region.and_then(|r| r.start) {
            Some(p) => write!(out, "{path}:{}:{}", p.line, p.column)?,
            None => out.write_all(path.as_bytes())?,
        }
        writeln!(
            out,
            ": {}: {} [{}]",
            diag.severity,
            one_line(&diag.message),
            diag.code
        )?;
    }
    Ok(())
}

/// The short line of one diagnostic (also used in JUnit failure bodies).
pub(crate) fn line(path: &str, d: &Located<'_>) -> String {
    let diag = d.diag;
    let place = match d.region.and_then(|r| r.start) {
        Some(p) => format!("{path}:{}:{}", p.line, p.column),
        None => path.to_string(),
    };
    format!(
        "{place}: {}: {} [{}]",
        diag.severity,
        one_line(&diag.message),
        diag.code
    )
}

#[cfg(test)]
mod tests {
    use crate::{render, Diagnostic, FileReport, Format, RenderOptions, Span};

    fn check(report: FileReport, expect: &str) {
        let mut out = Vec::new();
        render(
            Format::Short,
            &[report],
            &RenderOptions::default(),
            &mut out,
        )
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), expect);
    }

    #[test]
    fn positions_are_line_and_character_column() {
        let src = "<a>\n  <é>x</é>\n</a>\n"; // x: 6th character, 7th byte of line 2
        let at = src.find('x').unwrap();
        check(
            FileReport::new(
                "d/a.xml",
                Some(src.as_bytes().into()),
                vec![
                    Diagnostic::error("rng/text-not-allowed", "text not allowed here")
                        .with_label(Span::new(at, 1), ""),
                    Diagnostic::warning("x/whole", "whole file"),
                ],
            ),
            "d/a.xml: warning: whole file [x/whole]\n\
             d/a.xml:2:6: error: text not allowed here [rng/text-not-allowed]\n",
        );
    }

    #[test]
    fn multi_line_messages_stay_on_one_line() {
        check(
            FileReport::new(
                "a",
                None,
                vec![Diagnostic::error("x/y", "one\ntwo\r\nthree")],
            ),
            "a: error: one two three [x/y]\n",
        );
    }

    #[test]
    fn unknown_source_gives_no_position() {
        check(
            FileReport::new(
                "a",
                None,
                vec![Diagnostic::error("x/y", "m").with_label(Span::new(3, 1), "")],
            ),
            "a: error: m [x/y]\n",
        );
    }
}
