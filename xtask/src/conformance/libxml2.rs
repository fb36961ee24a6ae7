//! The `libxml2` conformance suite: libxml2's RELAX NG regression tests
//! (`rng-tests/libxml2/test/relaxng/`), used as a second oracle.
//!
//! Layout: a schema `S.rng` has instances `S_N.xml`, and `result/relaxng/S_N.err` holds what
//! libxml2 printed for that pair. Its last line says which of three outcomes it was:
//! `… S_N.xml validates` (the document is valid), `… S_N.xml fails to validate` (invalid), or
//! `Relax-NG schema … S.rng failed to compile` (the schema is incorrect or unreadable). Each
//! pair with a result file is one case, `libxml2/S_N`; schemas without instances or result
//! files are not cases (libxml2 does not say what they should do). The older copy of the
//! spec suite in `OASIS/` is not run here (the `spectest` suite runs jing's current one).

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use teikit_diagnostics::Severity;

use super::SuiteResult;

enum Expect {
    Valid,
    Invalid,
    SchemaRejected,
}

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    let root = shared.join("rng-tests/libxml2");
    let tests = root.join("test/relaxng");
    let results = root.join("result/relaxng");
    let mut result = SuiteResult::new();
    let mut entries: Vec<String> = std::fs::read_dir(&results)
        .with_context(|| format!("reading {}", results.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".err"))
        .collect();
    entries.sort();
    let mut grammars: HashMap<String, Option<teikit_validate::Grammar>> = HashMap::new();
    for err_name in entries {
        let stem = err_name.trim_end_matches(".err");
        let name = format!("libxml2/{stem}");
        let Some((schema_stem, _)) = stem.rsplit_once('_') else {
            continue;
        };
        let expected_text = std::fs::read_to_string(results.join(&err_name))?;
        let expect = if expected_text.contains("failed to compile") {
            Expect::SchemaRejected
        } else if expected_text.contains("fails to validate") {
            Expect::Invalid
        } else if expected_text.contains("validates") {
            Expect::Valid
        } else {
            result.record(
                name,
                Err(format!("cannot tell the expected outcome from {err_name}")),
            );
            continue;
        };
        let schema_path = tests.join(format!("{schema_stem}.rng"));
        if let Expect::SchemaRejected = expect {
            let outcome = match teikit_relaxng::load(&schema_path, &Default::default()) {
                Ok(_) => Err("incorrect schema accepted".to_string()),
                Err(e) if e.errors.is_empty() => Err("rejected without a diagnostic".into()),
                Err(_) => Ok(()),
            };
            result.record(name, outcome);
            continue;
        }
        let grammar = grammars.entry(schema_stem.to_string()).or_insert_with(|| {
            teikit_relaxng::load(&schema_path, &Default::default())
                .ok()
                .map(teikit_validate::Grammar::new)
        });
        let Some(grammar) = grammar else {
            result.record(name, Err(format!("schema {schema_stem}.rng was rejected")));
            continue;
        };
        let doc_path = tests.join(format!("{stem}.xml"));
        let bytes = match std::fs::read(&doc_path) {
            Ok(t) => t,
            Err(e) => {
                result.record(
                    name,
                    Err(format!("cannot read {}: {e}", doc_path.display())),
                );
                continue;
            }
        };
        let text = match teikit_xml::decode(&bytes) {
            Ok(t) => t,
            Err(d) => {
                result.record(name, Err(format!("cannot decode instance: {}", d.message)));
                continue;
            }
        };
        let doc = match teikit_xml::read(&text, &Default::default()) {
            Ok(d) => d,
            Err(e) => {
                result.record(name, Err(format!("instance does not parse: {}", e.message)));
                continue;
            }
        };
        let diags = grammar.validate(&doc);
        let first_error = diags.iter().find(|d| d.severity == Severity::Error);
        let outcome = match (&expect, first_error) {
            (Expect::Valid, None) | (Expect::Invalid, Some(_)) => Ok(()),
            (Expect::Valid, Some(d)) => Err(format!(
                "valid document rejected: {}: {}",
                d.code, d.message
            )),
            _ => Err("invalid document accepted".into()),
        };
        result.record(name, outcome);
    }
    Ok(result)
}
