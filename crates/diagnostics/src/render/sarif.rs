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

use serde_json::{json, Map, Value};

use super::{FileView, Region, RenderOptions};
use crate::{Diagnostic, Severity};

/// The schema URI written in `$schema`.
const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// What a run collects before it can be written.
#[derive(Default)]
pub(crate) struct Sarif {
    /// Codes in order of first occurrence, with the first diagnostic of each.
    rules: Vec<(String, Severity, Option<String>)>,
    rule_index: HashMap<String, usize>,
    artifacts: Vec<Value>,
    results: Vec<Value>,
}

impl Sarif {
    pub(crate) fn file(&mut self, view: &FileView<'_>) {
        let artifact = self.artifacts.len();
        let uri = path_to_uri(view.path());
        let mut a = json!({"location": {"uri": uri}, "roles": ["analysisTarget"]});
        if let Some(src) = &view.report.source {
            a["length"] = json!(src.len());
        }
        self.artifacts.push(a);
        let location = |region: Option<Region>| {
            let mut physical = json!({"artifactLocation": {"uri": uri, "index": artifact}});
            if let Some(r) = region {
                physical["region"] = region_json(r);
            }
            json!({ "physicalLocation": physical })
        };
        for d in &view.diagnostics {
            let diag = d.diag;
            let rule = self.rule(diag);
            let mut primary = location(d.region);
            let mut related = Vec::new();
            let primary_span = diag.primary_span();
            let mut primary_seen = false;
            for label in &diag.labels {
                let is_primary = !primary_seen && Some(label.span) == primary_span;
                if is_primary {
                    primary_seen = true;
                    if let Some(m) = &label.message {
                        primary["message"] = json!({ "text": m });
                    }
                    continue;
                }
                let mut l = location(Some(view.region(label.span)));
                l["id"] = json!(related.len());
                if let Some(m) = &label.message {
                    l["message"] = json!({ "text": m });
                }
                related.push(l);
            }
            let mut result = json!({
                "ruleId": diag.code,
                "ruleIndex": rule,
                "level": level(diag.severity),
                "message": {"text": diag.message},
                "locations": [primary],
            });
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            let mut props = Map::new();
            if let Some(help) = &diag.help {
                props.insert("help".into(), json!(help));
            }
            if !diag.expected.is_empty() {
                props.insert("expected".into(), json!(diag.expected));
            }
            if let Some(url) = &diag.url {
                props.insert("url".into(), json!(url));
            }
            if let Some(context) = &diag.context {
                props.insert("context".into(), json!(context));
            }
            if !props.is_empty() {
                result["properties"] = Value::Object(props);
            }
            self.results.push(result);
        }
    }

    /// The index of `diag`'s rule, added on first sight.
    fn rule(&mut self, diag: &Diagnostic) -> usize {
        if let Some(&i) = self.rule_index.get(&diag.code) {
            if self.rules[i].2.is_none() {
                self.rules[i].2 = diag.url.clone();
            }
            return i;
        }
        let i = self.rules.len();
        self.rules
            .push((diag.code.clone(), diag.severity, diag.url.clone()));
        self.rule_index.insert(diag.code.clone(), i);
        i
    }

    pub(crate) fn finish(self, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|(code, severity, url)| {
                let doc = options.codes.iter().find(|d| d.code == code);
                let mut rule = json!({
                    "id": code,
                    "shortDescription": {"text": doc.map_or(code.as_str(), |d| d.summary)},
                    "defaultConfiguration": {"level": level(doc.map_or(*severity, |d| d.severity))},
                });
                if let Some(doc) = doc {
                    if !doc.fix.is_empty() {
                        rule["help"] = json!({ "text": doc.fix });
                    }
                }
                if let Some(url) = url.as_deref().filter(|u| is_absolute_uri(u)) {
                    rule["helpUri"] = json!(url);
                }
                rule
            })
            .collect();
        let log = json!({
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "teikit",
                    "version": options.tool_version,
                    "rules": rules,
                }},
                "columnKind": "unicodeCodePoints",
                "artifacts": self.artifacts,
                "results": self.results,
            }],
        });
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

fn region_json(r: Region) -> Value {
    let mut region = Map::new();
    if let (Some(start), Some(end)) = (r.start, r.end) {
        region.insert("startLine".into(), json!(start.line));
        region.insert("startColumn".into(), json!(start.column));
        region.insert("endLine".into(), json!(end.line));
        region.insert("endColumn".into(), json!(end.column));
    }
    region.insert("byteOffset".into(), json!(r.offset));
    region.insert("byteLength".into(), json!(r.len));
    Value::Object(region)
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
    use crate::{render, CodeDoc, Diagnostic, FileReport, Format, Span};

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
