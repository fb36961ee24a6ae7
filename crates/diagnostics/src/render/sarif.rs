//! `--format sarif`: SARIF 2.1.0, one run.
//!
//! `tool.driver` is `teikit` with its version and one rule per code that occurs (in order of
//! first occurrence), described from [`RenderOptions::codes`]. Each input file is an artifact;
//! each diagnostic a result with `ruleId`/`ruleIndex`, `level` (`error`, `warning`, `note`),
//! the message, and a physical location whose region carries 1-based lines, 1-based columns
//! counted in Unicode code points (`columnKind: unicodeCodePoints`, end column exclusive), and
//! the byte offset and length. Secondary labels become `relatedLocations`; help, expected
//! items, URL and tree context go in the result's property bag.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{FileView, Region, RenderOptions};
use crate::{Diagnostic, Severity, Text as Shared};

/// The schema URI written in `$schema`.
const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

// The parts of SARIF written, as structs so that fields come out in the usual order.

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    column_kind: &'static str,
    artifacts: &'a [Artifact],
    results: &'a [SarifResult],
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    short_description: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Artifact {
    location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    length: Option<usize>,
    roles: [&'static str; 1],
}

#[derive(Serialize, Clone)]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: Shared,
    rule_index: usize,
    level: &'static str,
    message: OwnedText,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Properties::is_empty")]
    properties: Properties,
}

#[derive(Serialize)]
struct OwnedText {
    text: Shared,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<OwnedText>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<SarifRegion>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    #[serde(skip_serializing_if = "Option::is_none")]
    start_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
    byte_offset: usize,
    byte_length: usize,
}

/// The result's property bag: what SARIF has no field for.
#[derive(Serialize, Default)]
struct Properties {
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Shared>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    expected: Vec<Shared>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<Shared>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<String>,
}

impl Properties {
    fn is_empty(&self) -> bool {
        self.help.is_none()
            && self.expected.is_empty()
            && self.url.is_none()
            && self.context.is_none()
    }
}

/// A code seen in the run.
struct SeenRule {
    code: Shared,
    severity: Severity,
    /// The first absolute URL of a diagnostic with this code.
    url: Option<String>,
}

/// What a run collects before it can be written.
#[derive(Default)]
pub(crate) struct Sarif {
    /// Codes in order of first occurrence.
    rules: Vec<SeenRule>,
    rule_index: HashMap<Shared, usize>,
    artifacts: Vec<Artifact>,
    results: Vec<SarifResult>,
}

impl Sarif {
    pub(crate) fn file(&mut self, view: &FileView<'_>) {
        let artifact = ArtifactLocation {
            uri: path_to_uri(view.path()),
            index: Some(self.artifacts.len()),
        };
        self.artifacts.push(Artifact {
            location: ArtifactLocation {
                index: None,
                ..artifact.clone()
            },
            length: view.report.source.as_ref().map(|s| s.len()),
            roles: ["analysisTarget"],
        });
        let location =
            |id: Option<usize>, region: Option<Region>, message: &Option<Shared>| Location {
                id,
                physical_location: PhysicalLocation {
                    artifact_location: artifact.clone(),
                    region: region.map(region_json),
                },
                message: message.clone().map(|text| OwnedText { text }),
            };
        for d in &view.diagnostics {
            let diag = d.diag;
            let rule_index = self.rule(diag);
            let primary_span = diag.primary_span();
            let mut primary_message = &None;
            let mut primary_seen = false;
            let mut related = Vec::new();
            for label in &diag.labels {
                if !primary_seen && Some(label.span) == primary_span {
                    primary_seen = true;
                    primary_message = &label.message;
                    continue;
                }
                let region = view.region(label.span);
                related.push(location(Some(related.len()), Some(region), &label.message));
            }
            self.results.push(SarifResult {
                rule_id: diag.code.clone(),
                rule_index,
                level: level(diag.severity),
                message: OwnedText {
                    text: diag.message.clone(),
                },
                locations: [location(None, d.region, primary_message)],
                related_locations: related,
                properties: Properties {
                    help: diag.help.clone(),
                    expected: diag.expected.to_vec(),
                    url: diag.url.clone(),
                    context: diag.context.clone(),
                },
            });
        }
    }

    /// The index of `diag`'s rule, added on first sight.
    fn rule(&mut self, diag: &Diagnostic) -> usize {
        let url = diag.url.as_deref().filter(|u| is_absolute_uri(u));
        if let Some(&i) = self.rule_index.get(&diag.code) {
            let rule = &mut self.rules[i];
            if rule.url.is_none() {
                rule.url = url.map(String::from);
            }
            return i;
        }
        let i = self.rules.len();
        self.rules.push(SeenRule {
            code: diag.code.clone(),
            severity: diag.severity,
            url: url.map(String::from),
        });
        self.rule_index.insert(diag.code.clone(), i);
        i
    }

    pub(crate) fn finish(self, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        let rules = self
            .rules
            .iter()
            .map(|seen| {
                let doc = options.codes.iter().find(|d| d.code == seen.code);
                Rule {
                    id: &seen.code,
                    short_description: Text {
                        text: doc.map_or(seen.code.as_str(), |d| d.summary),
                    },
                    help: doc
                        .filter(|d| !d.fix.is_empty())
                        .map(|d| Text { text: d.fix }),
                    help_uri: seen.url.as_deref(),
                    default_configuration: Configuration {
                        level: level(doc.map_or(seen.severity, |d| d.severity)),
                    },
                }
            })
            .collect();
        let log = Log {
            schema: SCHEMA_URI,
            version: "2.1.0",
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: "teikit",
                        version: &options.tool_version,
                        rules,
                    },
                },
                column_kind: "unicodeCodePoints",
                artifacts: &self.artifacts,
                results: &self.results,
            }],
        };
        serde_json::to_writer_pretty(&mut *out, &log)?;
        out.write_all(b"\n")
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn region_json(r: Region) -> SarifRegion {
    SarifRegion {
        start_line: r.start.map(|p| p.line),
        start_column: r.start.map(|p| p.column),
        end_line: r.end.map(|p| p.line),
        end_column: r.end.map(|p| p.column),
        byte_offset: r.offset,
        byte_length: r.len,
    }
}

/// `scheme:` followed by something: good enough to tell a URL from a relative path.
fn is_absolute_uri(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, rest)) => {
            !rest.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// A file path as a URI reference: relative paths stay relative (with `/` separators),
/// absolute ones become `file://` URIs; bytes outside the unreserved set are percent-encoded.
pub(crate) fn path_to_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let (prefix, rest) = if path.starts_with('/') {
        ("file://", path.as_str())
    } else if path.len() >= 3
        && path.as_bytes()[0].is_ascii_alphabetic()
        && &path.as_bytes()[1..3] == b":/"
    {
        // A Windows drive letter keeps its colon.
        return format!("file:///{}:{}", &path[..1], encode(&path[2..]));
    } else {
        ("", path.as_str())
    };
    format!("{prefix}{}", encode(rest))
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{render, CodeDoc, FileReport, Format, Span};
    use serde_json::{json, Value};

    #[test]
    fn uris() {
        assert_eq!(path_to_uri("letters/a b.xml"), "letters/a%20b.xml");
        assert_eq!(path_to_uri("/abs/é.xml"), "file:///abs/%C3%A9.xml");
        assert_eq!(path_to_uri("C:\\x\\y.xml"), "file:///C:/x/y.xml");
        assert_eq!(path_to_uri("a:b"), "a%3Ab");
        assert!(is_absolute_uri("https://tei-c.org/x"));
        assert!(!is_absolute_uri("docs/x.html"));
    }

    #[test]
    fn rules_and_results() {
        let src = "<a>\n<b/>\n</a>";
        let report = FileReport::new(
            "a.xml",
            Some(src.as_bytes().into()),
            vec![
                Diagnostic::error("x/one", "first")
                    .with_label(Span::new(4, 4), "here")
                    .with_secondary(Span::new(0, 3), "opened here")
                    .with_url("https://example.org/one"),
                Diagnostic::error("x/one", "again").with_label(Span::new(9, 4), ""),
                Diagnostic::warning("x/two", "no span"),
            ],
        );
        let options = RenderOptions {
            codes: vec![CodeDoc {
                code: "x/one",
                severity: Severity::Error,
                summary: "one thing is wrong",
                example: "<b/>",
                fix: "remove it",
            }],
            tool_version: "9.9.9".into(),
            ..RenderOptions::default()
        };
        let mut out = Vec::new();
        render(Format::Sarif, &[report], &options, &mut out).unwrap();
        let log: Value = serde_json::from_slice(&out).unwrap();
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["version"], "9.9.9");
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0]["id"], "x/two");
        assert_eq!(rules[0]["shortDescription"]["text"], "x/two");
        assert_eq!(rules[1]["shortDescription"]["text"], "one thing is wrong");
        assert_eq!(rules[1]["helpUri"], "https://example.org/one");
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(results[1]["ruleIndex"], 1);
        assert_eq!(
            results[1]["locations"][0]["physicalLocation"]["region"],
            json!({"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 5,
                   "byteOffset": 4, "byteLength": 4})
        );
        assert_eq!(results[1]["locations"][0]["message"]["text"], "here");
        assert_eq!(
            results[1]["relatedLocations"][0]["message"]["text"],
            "opened here"
        );
        assert!(results[0]["locations"][0]["physicalLocation"]
            .get("region")
            .is_none());
        assert_eq!(results[0]["level"], "warning");
    }
}
