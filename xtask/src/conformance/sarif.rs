//! The `sarif` conformance suite: the machine-readable printers against their contracts.
//!
//! * `sarif/<name>`: the batch rendered with `--format sarif` must validate against the SARIF
//!   2.1.0 JSON schema in `schemas/sarif/` (checked by the `jsonschema` crate, offline: the
//!   schema's references are all local), every result's `ruleIndex` must name a rule with its
//!   `ruleId`, the rules must be exactly the codes that occur, and every region must agree with
//!   lines and columns computed here independently from the source text.
//! * `json/<name>`: the batch rendered with `--format json` must have exactly the fields of the
//!   CLI contract (design/cli.md), with their types, the same independently computed
//!   positions, and a summary that adds up.
//!
//! The batches are built here: synthetic reports covering the awkward cases (no span, no
//! source, invalid UTF-8, multi-byte characters, odd paths) and real documents from
//! `corpora/tei-publisher-samples` with diagnostics placed on their start tags.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use serde_json::Value;
use teikit_diagnostics::{render, Diagnostic, FileReport, Format, RenderOptions, Severity, Span};

use super::SuiteResult;

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    let schema_path = shared.join("schemas/sarif/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_slice(
        &std::fs::read(&schema_path)
            .with_context(|| format!("reading {}", schema_path.display()))?,
    )?;
    let validator = jsonschema::JSONSchema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .compile(&schema)
        .map_err(|e| anyhow::anyhow!("compiling the SARIF schema: {e}"))?;
    let mut result = SuiteResult::new();
    result.record(
        "sarif/validator-rejects-invalid",
        validator_rejects_invalid(&validator),
    );
    for (name, reports) in batches(shared)? {
        result.record(format!("sarif/{name}"), check_sarif(&validator, &reports));
        result.record(format!("json/{name}"), check_json(&reports));
    }
    Ok(result)
}

/// Every batch, by name.
fn batches(shared: &Path) -> anyhow::Result<Vec<(String, Vec<FileReport>)>> {
    let mut out = vec![
        ("empty".to_string(), vec![]),
        (
            "clean".to_string(),
            vec![
                FileReport::new("a.xml", Some(bytes("<TEI/>\n")), vec![]),
                FileReport::new("b.txt", Some(bytes("text\n")), vec![]).with_output("b.xml"),
            ],
        ),
        ("kinds".to_string(), kinds()),
        ("paths".to_string(), paths()),
    ];
    let dir = shared.join("corpora/tei-publisher-samples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    for path in files {
        let src = std::fs::read(&path)?;
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let rel = format!("corpora/tei-publisher-samples/{name}.xml");
        out.push((
            format!("corpus-{name}"),
            vec![on_start_tags(&rel, src.into())],
        ));
    }
    Ok(out)
}

fn bytes(s: &str) -> Arc<[u8]> {
    s.as_bytes().into()
}

/// One report of each kind a printer can get wrong.
fn kinds() -> Vec<FileReport> {
    let letter = "<TEI>\n  <p>Élise — <persname>Jürgen</persname> 𝄞</p>\r\n</TEI>";
    let at = letter.find("<persname>").unwrap_or(0);
    vec![
        FileReport::new(
            "letter.xml",
            Some(bytes(letter)),
            vec![
                Diagnostic::error(
                    "rng/element-not-allowed",
                    "element <persname> is not allowed here",
                )
                .with_label(Span::new(at, 10), "here")
                .with_secondary(Span::new(8, 3), "inside this")
                .with_expected(vec!["persName".into(), "text".into()])
                .with_help("did you mean <persName>?")
                .with_url("https://tei-c.org/release/doc/tei-p5-doc/en/html/ref-persName.html")
                .with_context("/TEI/p"),
                Diagnostic::warning("tei/no-header", "the document has no <teiHeader>"),
                Diagnostic::new(Severity::Info, "x/note", "a remark, with a relative url")
                    .with_label(Span::new(letter.len(), 0), "")
                    .with_url("docs/x.html"),
                Diagnostic::error("x/past-end", "a span past the end is clamped")
                    .with_label(Span::new(letter.len() + 10, 5), ""),
            ],
        )
        .with_schema("tei_all"),
        FileReport::new(
            "latin1.xml",
            Some(b"<p>caf\xe9\n & cr\xe8me \xe2\x82</p>"[..].into()),
            vec![
                Diagnostic::error("xml/invalid-utf8", "not UTF-8").with_label(Span::new(6, 1), ""),
                Diagnostic::error("xml/bare-ampersand", "bare &").with_label(Span::new(9, 1), ""),
                Diagnostic::error("x/mid", "inside a truncated sequence")
                    .with_label(Span::new(18, 1), ""),
            ],
        ),
        FileReport {
            source: None,
            ..FileReport::new(
                "unreadable.xml",
                None,
                vec![
                    Diagnostic::error("io/unreadable", "permission denied"),
                    Diagnostic::error("x/span-without-source", "a span but no bytes")
                        .with_label(Span::new(5, 2), ""),
                ],
            )
        },
        FileReport {
            valid: false,
            ..FileReport::new("fatal.xml", Some(bytes("")), vec![])
        },
    ]
}

/// Paths a URI or a JSON string must carry faithfully.
fn paths() -> Vec<FileReport> {
    [
        "with space/a b.xml",
        "ünïcödé/ä.xml",
        "/absolute/path.xml",
        "C:\\windows\\path.xml",
        "-",
        "odd%25,chars:#?.xml",
        "quote\"and\\backslash.xml",
    ]
    .into_iter()
    .map(|p| {
        FileReport::new(
            p,
            Some(bytes("<a>\n<b/>\n</a>\n")),
            vec![Diagnostic::error("x/e", "e").with_label(Span::new(4, 4), "")],
        )
    })
    .collect()
}

/// A real document with about 200 diagnostics on its start tags, of every severity.
fn on_start_tags(path: &str, src: Arc<[u8]>) -> FileReport {
    let tags: Vec<usize> = src
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] == b'<' && w[1].is_ascii_alphabetic())
        .map(|(i, _)| i)
        .collect();
    let step = (tags.len() / 200).max(1);
    let mut diagnostics = Vec::new();
    let mut previous = None;
    for (k, &at) in tags.iter().step_by(step).enumerate() {
        let len = src[at + 1..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.')))
            .unwrap_or(0)
            + 1;
        let severity = [Severity::Error, Severity::Warning, Severity::Info][k % 3];
        let code = [
            "rng/element-not-allowed",
            "tei/dangling-ref",
            "rng/attribute-value",
        ][k % 3];
        let mut d = Diagnostic::new(severity, code, format!("finding {k}"))
            .with_label(Span::new(at, len), "this tag");
        if let Some(p) = previous {
            d = d.with_secondary(Span::new(p, 1), "previous finding");
        }
        if k % 5 == 0 {
            d = d
                .with_help("a help text with \"quotes\" and <angle brackets>")
                .with_expected(vec!["p".into(), "text".into()])
                .with_url("https://example.org/teikit/docs");
        }
        previous = Some(at);
        diagnostics.push(d);
    }
    FileReport::new(path, Some(src), diagnostics).with_schema("tei_all")
}

fn rendered(format: Format, reports: &[FileReport]) -> Result<Value, String> {
    let mut out = Vec::new();
    render(format, reports, &RenderOptions::default(), &mut out)
        .map_err(|e| format!("rendering failed: {e}"))?;
    serde_json::from_slice(&out).map_err(|e| format!("not JSON: {e}"))
}

/// 1-based line and character column of `offset`, computed from scratch; `None` where the
/// source is not UTF-8 up to there (the printers' convention for bad bytes is checked by unit
/// tests, not here).
fn position(src: &[u8], offset: usize) -> Option<(u64, u64)> {
    let offset = offset.min(src.len());
    let before = std::str::from_utf8(&src[..offset]).ok()?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    Some((line as u64, column as u64))
}

/// The diagnostics of `report` in the order printers use.
fn sorted(report: &FileReport) -> Vec<&Diagnostic> {
    let mut ds: Vec<&Diagnostic> = report.diagnostics.iter().collect();
    ds.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    ds
}

fn check_sarif(validator: &jsonschema::JSONSchema, reports: &[FileReport]) -> Result<(), String> {
    let log = rendered(Format::Sarif, reports)?;
    if let Err(errors) = validator.validate(&log) {
        let errors: Vec<String> = errors
            .take(3)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        return Err(format!("not valid SARIF: {}", errors.join("; ")));
    }
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .ok_or("no rules")?;
    let mut codes: Vec<&str> = reports
        .iter()
        .flat_map(|r| r.diagnostics.iter().map(|d| d.code.as_str()))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let mut rule_ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    rule_ids.sort_unstable();
    if rule_ids != codes {
        return Err(format!("rules {rule_ids:?}, codes {codes:?}"));
    }
    let results = run["results"].as_array().ok_or("no results")?;
    let expected: Vec<(usize, &Diagnostic)> = reports
        .iter()
        .enumerate()
        .flat_map(|(i, r)| sorted(r).into_iter().map(move |d| (i, d)))
        .collect();
    if results.len() != expected.len() {
        return Err(format!(
            "{} results for {} diagnostics",
            results.len(),
            expected.len()
        ));
    }
    for (result, (file, d)) in results.iter().zip(expected) {
        let rule = &rules[result["ruleIndex"].as_u64().ok_or("no ruleIndex")? as usize];
        if rule["id"] != result["ruleId"] || result["ruleId"] != d.code.as_str() {
            return Err(format!(
                "result {result} does not match its rule or {}",
                d.code
            ));
        }
        let physical = &result["locations"][0]["physicalLocation"];
        if physical["artifactLocation"]["index"] != file {
            return Err(format!("result {result} points at the wrong artifact"));
        }
        check_position(
            &reports[file],
            d,
            &physical["region"],
            "startLine",
            "startColumn",
        )?;
    }
    Ok(())
}

/// The schema check must be able to fail: mutations of a valid log that break the SARIF
/// schema must each be rejected.
fn validator_rejects_invalid(validator: &jsonschema::JSONSchema) -> Result<(), String> {
    let log = rendered(Format::Sarif, &kinds())?;
    if !validator.is_valid(&log) {
        return Err("the unmutated log is not valid".into());
    }
    type Mutation = fn(&mut Value);
    let mutations: [(&str, Mutation); 5] = [
        ("version 2.0.0", |l| l["version"] = "2.0.0".into()),
        ("level fatal", |l| {
            l["runs"][0]["results"][0]["level"] = "fatal".into()
        }),
        ("no driver name", |l| {
            l["runs"][0]["tool"]["driver"]
                .as_object_mut()
                .map(|d| d.remove("name"));
        }),
        ("startLine 0", |l| {
            l["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                0.into()
        }),
        ("unknown top-level field", |l| l["extra"] = true.into()),
    ];
    for (what, mutate) in mutations {
        let mut broken = log.clone();
        mutate(&mut broken);
        if validator.is_valid(&broken) {
            return Err(format!("a log with {what} passed the schema check"));
        }
    }
    Ok(())
}

/// Checks the position fields of `value` (a SARIF region or a JSON diagnostic) for `d`.
fn check_position(
    report: &FileReport,
    d: &Diagnostic,
    value: &Value,
    line_key: &str,
    column_key: &str,
) -> Result<(), String> {
    let (Some(span), Some(src)) = (d.primary_span(), report.source.as_deref()) else {
        return Ok(());
    };
    let offset = span.offset.min(src.len());
    if let Some((line, column)) = position(src, offset) {
        if value[line_key] != line || value[column_key] != column {
            return Err(format!(
                "{}: {} at offset {offset} is at {line}:{column}, rendered {value}",
                report.path, d.code
            ));
        }
    }
    Ok(())
}

/// The contract's fields: name, required.
const FILE_FIELDS: &[(&str, bool)] = &[
    ("path", true),
    ("schema", true),
    ("valid", true),
    ("diagnostics", true),
    ("output", false),
];
const DIAGNOSTIC_FIELDS: &[(&str, bool)] = &[
    ("severity", true),
    ("code", true),
    ("message", true),
    ("line", true),
    ("column", true),
    ("offset", true),
    ("length", true),
    ("expected", false),
    ("help", false),
    ("url", false),
];
const SUMMARY_FIELDS: &[(&str, bool)] = &[
    ("files", true),
    ("valid", true),
    ("invalid", true),
    ("errors", true),
    ("warnings", true),
];

fn fields(what: &str, value: &Value, allowed: &[(&str, bool)]) -> Result<(), String> {
    let object = value
        .as_object()
        .ok_or(format!("{what} is not an object"))?;
    for key in object.keys() {
        if !allowed.iter().any(|(k, _)| k == key) {
            return Err(format!(
                "{what} has a field {key:?} the contract does not name"
            ));
        }
    }
    for (key, required) in allowed {
        if *required && !object.contains_key(*key) {
            return Err(format!("{what} lacks {key:?}"));
        }
    }
    Ok(())
}

fn check_json(reports: &[FileReport]) -> Result<(), String> {
    let doc = rendered(Format::Json, reports)?;
    fields(
        "the document",
        &doc,
        &[("version", true), ("files", true), ("summary", true)],
    )?;
    if doc["version"] != 1 {
        return Err("version is not 1".into());
    }
    let files = doc["files"].as_array().ok_or("files is not an array")?;
    if files.len() != reports.len() {
        return Err(format!(
            "{} files for {} reports",
            files.len(),
            reports.len()
        ));
    }
    let (mut valid, mut errors, mut warnings) = (0, 0, 0);
    for (file, report) in files.iter().zip(reports) {
        fields("a file", file, FILE_FIELDS)?;
        if file["path"] != report.path.as_str()
            || file["valid"] != report.valid
            || file["schema"] != report.schema.as_deref().map_or(Value::Null, Value::from)
            || file.get("output").and_then(Value::as_str) != report.output.as_deref()
        {
            return Err(format!("file fields differ from the report: {file}"));
        }
        valid += usize::from(report.valid);
        let diagnostics = file["diagnostics"]
            .as_array()
            .ok_or("diagnostics not an array")?;
        if diagnostics.len() != report.diagnostics.len() {
            return Err(format!("{}: diagnostics missing", report.path));
        }
        for (value, d) in diagnostics.iter().zip(sorted(report)) {
            fields("a diagnostic", value, DIAGNOSTIC_FIELDS)?;
            let severity = value["severity"].as_str().unwrap_or("");
            if !["error", "warning", "info"].contains(&severity) || severity != d.severity.as_str()
            {
                return Err(format!("bad severity in {value}"));
            }
            errors += usize::from(severity == "error");
            warnings += usize::from(severity == "warning");
            if value["code"] != d.code.as_str() || value["message"] != d.message.as_str() {
                return Err(format!("code or message differ in {value}"));
            }
            for key in ["line", "column", "offset", "length"] {
                let v = &value[key];
                let ok = v.is_null()
                    || v.as_u64()
                        .is_some_and(|n| n >= 1 || matches!(key, "offset" | "length"));
                if !ok {
                    return Err(format!("{key} is not null or a valid integer in {value}"));
                }
            }
            if d.primary_span().is_none() != value["offset"].is_null() {
                return Err(format!("offset null iff no span, in {value}"));
            }
            if let Some(expected) = value.get("expected") {
                let list = expected.as_array().ok_or("expected is not an array")?;
                if list.is_empty() || list.iter().any(|e| !e.is_string()) {
                    return Err(format!(
                        "expected is not a non-empty list of strings: {value}"
                    ));
                }
            }
            for key in ["help", "url"] {
                if value.get(key).is_some_and(|v| !v.is_string()) {
                    return Err(format!("{key} is not a string in {value}"));
                }
            }
            check_position(report, d, value, "line", "column")?;
        }
    }
    let summary = &doc["summary"];
    fields("the summary", summary, SUMMARY_FIELDS)?;
    let want = serde_json::json!({
        "files": reports.len(), "valid": valid, "invalid": reports.len() - valid,
        "errors": errors, "warnings": warnings,
    });
    if *summary != want {
        return Err(format!("summary {summary}, counted {want}"));
    }
    Ok(())
}
