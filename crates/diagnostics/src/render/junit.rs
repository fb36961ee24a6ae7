//! `--format junit`: JUnit XML. One `<testsuite>` named `teikit`; one `<testcase>` per file
//! (`name` and `file` the path). An invalid file gets one `<failure>` whose `message` is its
//! first error (and how many more), whose `type` is that error's code, and whose text lists
//! every diagnostic as `short` lines with their help; a valid file with warnings lists them in
//! `<system-out>`. Text and attributes are escaped, and characters XML cannot carry are
//! replaced by U+FFFD.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{detail_lines, short, FileView};
use crate::Severity;

/// The test cases written so far.
#[derive(Default)]
pub(crate) struct Junit {
    cases: String,
    tests: usize,
    failures: usize,
}

impl Junit {
    pub(crate) fn file(&mut self, view: &FileView<'_>) {
        let path = view.path();
        self.tests += 1;
        let _ = write!(
            self.cases,
            "    <testcase name=\"{0}\" classname=\"teikit\" file=\"{0}\"",
            escape(path, true)
        );
        let mut body = String::new();
        for d in &view.diagnostics {
            body.push_str(&short::line(path, d));
            body.push('\n');
            for line in detail_lines(d.diag) {
                let _ = writeln!(body, "    {line}");
            }
        }
        if view.report.valid && body.is_empty() {
            self.cases.push_str("/>\n");
            return;
        }
        self.cases.push_str(">\n");
        if view.report.valid {
            let _ = writeln!(
                self.cases,
                "      <system-out>{}</system-out>",
                escape(&body, false)
            );
        } else {
            self.failures += 1;
            let mut errors = view
                .diagnostics
                .iter()
                .filter(|d| d.diag.severity == Severity::Error);
            let (message, kind) = match errors.next() {
                Some(first) => {
                    let more = errors.count();
                    let message = match more {
                        0 => first.diag.message.to_string(),
                        1 => format!("{} (and 1 more error)", first.diag.message),
                        n => format!("{} (and {n} more errors)", first.diag.message),
                    };
                    (message, first.diag.code.as_str())
                }
                None => ("the file is not valid".to_string(), "invalid"),
            };
            let _ = writeln!(
                self.cases,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&message, true),
                escape(kind, true),
                escape(&body, false)
            );
        }
        self.cases.push_str("    </testcase>\n");
    }

    pub(crate) fn finish(self, out: &mut dyn Write) -> io::Result<()> {
        let counts = format!(
            "tests=\"{}\" failures=\"{}\" errors=\"0\"",
            self.tests, self.failures
        );
        write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"teikit\" {counts}>\n  \
             <testsuite name=\"teikit\" {counts} skipped=\"0\">\n{}  </testsuite>\n\
             </testsuites>\n",
            self.cases
        )
    }
}

/// Escapes `s` for XML text, or for a double-quoted attribute value when `attribute` (where
/// line breaks and tabs are written as character references so they survive normalisation).
fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// XML 1.0's `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{render, Diagnostic, FileReport, Format, RenderOptions, Span};

    #[test]
    fn escaping() {
        assert_eq!(
            escape("a<b>&\"c\"\n\u{1}", true),
            "a&lt;b&gt;&amp;&quot;c&quot;&#10;\u{FFFD}"
        );
        assert_eq!(
            escape("a<b>&\"c\"\n\r", false),
            "a&lt;b&gt;&amp;\"c\"\n&#13;"
        );
    }

    #[test]
    fn counts_and_cases() {
        let reports = [
            FileReport::new("ok.xml", None, vec![]),
            FileReport::new(
                "warn.xml",
                None,
                vec![Diagnostic::warning("x/w", "careful")],
            ),
            FileReport::new(
                "bad&.xml",
                Some(b"<a><b/></a>".to_vec().into()),
                vec![
                    Diagnostic::error("x/e", "element <b> not allowed")
                        .with_label(Span::new(3, 4), ""),
                    Diagnostic::error("x/f", "second"),
                ],
            ),
        ];
        let mut out = Vec::new();
        render(Format::Junit, &reports, &RenderOptions::default(), &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(
            xml.contains("<testsuites name=\"teikit\" tests=\"3\" failures=\"1\" errors=\"0\">")
        );
        assert!(xml.contains("<testcase name=\"ok.xml\" classname=\"teikit\" file=\"ok.xml\"/>"));
        assert!(xml.contains("<system-out>warn.xml: warning: careful [x/w]\n</system-out>"));
        assert!(xml.contains(
            "<failure message=\"second (and 1 more error)\" type=\"x/f\">\
             bad&amp;.xml: error: second [x/f]\n\
             bad&amp;.xml:1:4: error: element &lt;b&gt; not allowed [x/e]\n</failure>"
        ));
    }
}
