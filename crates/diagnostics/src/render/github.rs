//! `--format github`: GitHub Actions workflow commands, one per diagnostic:
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.
//!
//! Escaping follows the Actions runner: in the message `%`, `\r` and `\n` become `%25`, `%0D`
//! and `%0A`; in property values `:` and `,` also become `%3A` and `%2C`. `endColumn` is the
//! column just after the span, as in SARIF.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{detail_lines, FileView};
use crate::Severity;

pub(crate) fn file(view: &FileView<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in &view.diagnostics {
        let diag = d.diag;
        let command = match diag.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = format!("file={}", escape_property(view.path()));
        if let Some(region) = d.region {
            if let (Some(start), Some(end)) = (region.start, region.end) {
                let _ = write!(
                    props,
                    ",line={},col={},endLine={},endColumn={}",
                    start.line, start.column, end.line, end.column
                );
            }
        }
        let _ = write!(props, ",title={}", escape_property(&diag.code));
        let mut message = diag.message.to_string();
        for line in detail_lines(diag) {
            message.push('\n');
            message.push_str(&line);
        }
        if let Some(url) = &diag.url {
            message.push('\n');
            message.push_str(url);
        }
        writeln!(out, "::{command} {props}::{}", escape_data(&message))?;
    }
    Ok(())
}

/// Escapes a command's message.
fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{render, Diagnostic, FileReport, Format, RenderOptions, Span};

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\r\nb:c,d"), "50%25 a%0D%0Ab:c,d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn commands() {
        let src = "<a>\n<bé/>x\n</a>";
        let report = FileReport::new(
            "dir,x/a:b.xml",
            Some(src.as_bytes().into()),
            vec![
                Diagnostic::error("rng/element-not-allowed", "element <bé> is not allowed")
                    .with_label(Span::new(4, 6), "")
                    .with_help("remove it"),
                Diagnostic::warning("tei/x", "100% sure"),
            ],
        );
        let mut out = Vec::new();
        render(
            Format::Github,
            &[report],
            &RenderOptions::default(),
            &mut out,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::warning file=dir%2Cx/a%3Ab.xml,title=tei/x::100%25 sure\n\
             ::error file=dir%2Cx/a%3Ab.xml,line=2,col=1,endLine=2,endColumn=6,\
             title=rng/element-not-allowed::element <bé> is not allowed%0Aremove it\n"
        );
    }
}
