//! The `regextest` conformance suite: jing-trang's XSD regular expression tests
//! (`mod/regex/test/regextest.xml`), run against `teikit_xsd::XsdRegex` alone.
//!
//! Format: `<testSuite>` of `<testCase>`s; each holds either `<incorrect>` (a pattern that
//! must be rejected) or `<correct>` (a pattern that must compile) followed by `<valid>` and
//! `<invalid>` strings that must and must not match the whole pattern.

use std::path::Path;

use anyhow::Context;
use teikit_xsd::XsdRegex;

use super::SuiteResult;

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    let path = shared.join("rng-tests/jing-trang/mod/regex/test/regextest.xml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let doc =
        roxmltree::Document::parse(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut result = SuiteResult::new();
    let cases = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("testCase"));
    for (index, case) in cases.enumerate() {
        let case_no = index + 1;
        let mut regex: Option<XsdRegex> = None;
        let mut pattern = String::new();
        let (mut valid_no, mut invalid_no) = (0, 0);
        for child in case.children().filter(|n| n.is_element()) {
            let text = child.text().unwrap_or("");
            match child.tag_name().name() {
                "correct" => {
                    pattern = text.to_string();
                    let outcome = match XsdRegex::new(text) {
                        Ok(r) => {
                            regex = Some(r);
                            Ok(())
                        }
                        Err(e) => Err(format!("rejected a correct pattern: {e}")),
                    };
                    result.record(format!("{case_no}/correct {}", show(text)), outcome);
                }
                "incorrect" => {
                    let outcome = match XsdRegex::new(text) {
                        Ok(_) => Err("accepted an incorrect pattern".to_string()),
                        Err(_) => Ok(()),
                    };
                    result.record(format!("{case_no}/incorrect {}", show(text)), outcome);
                }
                kind @ ("valid" | "invalid") => {
                    let n = if kind == "valid" {
                        valid_no += 1;
                        valid_no
                    } else {
                        invalid_no += 1;
                        invalid_no
                    };
                    let name = format!("{case_no}/{kind}{n} {}", show(text));
                    let Some(r) = &regex else {
                        result.record(
                            name,
                            Err(format!("pattern {} did not compile", show(&pattern))),
                        );
                        continue;
                    };
                    let want = kind == "valid";
                    let outcome = if r.is_match(text) == want {
                        Ok(())
                    } else if want {
                        Err(format!("{} does not match {}", show(text), show(&pattern)))
                    } else {
                        Err(format!("{} matches {}", show(text), show(&pattern)))
                    };
                    result.record(name, outcome);
                }
                _ => {}
            }
        }
    }
    Ok(result)
}

/// A case name fragment: the string with control and non-ASCII characters escaped, shortened.
fn show(s: &str) -> String {
    let escaped: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c.to_string()
            } else {
                format!("\\u{{{:X}}}", c as u32)
            }
        })
        .collect();
    let short: String = escaped.chars().take(60).collect();
    format!("{short:?}")
}
