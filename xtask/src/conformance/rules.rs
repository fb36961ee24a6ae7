//! The `rules` conformance suite: teikit-rules' reference rules for TEI documents.
//!
//! Cases:
//! - `rules/fires/<rule>/<n>`: a crafted TEI document breaks one rule; the rule must report it,
//!   with its primary span on the expected text, and nothing else may be reported.
//! - `rules/silent/<corpus>/<path>`: every corpus document that teikit's own validator accepts
//!   against one of its schemas (listed below per corpus) must get no rule diagnostics, except
//!   for the genuine findings recorded in [`FINDINGS`] with their evidence: every diagnostic
//!   of such a case must match a finding, and every finding must be seen somewhere
//!   (`rules/findings/<n>`), so a stale entry fails.
//! - `rules/silent/design/seed-reference.tei.xml`: the expert encoding of the seed is silent.
//!
//! Documents that no schema accepts are not cases (the rules may well fire on them); the
//! suite prints how many there were.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Context};
use teikit_diagnostics::{Diagnostic, Severity};

use super::SuiteResult;

const HEAD: &str = r#"<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader><text><body>"#;
const TAIL: &str = "</body></text></TEI>";

/// Crafted cases: (rule code, body, the text the primary span must cover, which occurrence of
/// it counting from 0). The body is wrapped in a minimal TEI document.
const FIRES: &[(&str, &str, &str, usize)] = &[
    (
        "tei/dangling-ref",
        r##"<listPerson><person xml:id="anna"/></listPerson><p><persName ref="#ana">Anna</persName></p>"##,
        "#ana",
        0,
    ),
    (
        "tei/dangling-ref",
        r##"<p xml:id="p1"><ptr target="#p1 #p2"/></p>"##,
        "#p2",
        0,
    ),
    (
        "tei/dangling-ref",
        r##"<sp who="#hamlet"><p>To be</p></sp>"##,
        "#hamlet",
        0,
    ),
    (
        "tei/dangling-ref",
        r##"<p corresp="wd:Q1 #nowhere https://example.org/#x">x</p>"##,
        "#nowhere",
        0,
    ),
    (
        "tei/dangling-ref",
        r##"<p><unclear resp="#editor" reason="illegible">x</unclear></p>"##,
        "#editor",
        0,
    ),
    (
        "tei/duplicate-id",
        r#"<p xml:id="dup">one</p><p xml:id="b">two</p><p xml:id="dup">three</p>"#,
        "dup",
        1,
    ),
    (
        "tei/duplicate-id",
        r#"<div xml:id="d1"><p xml:id="d1">nested</p></div>"#,
        "d1",
        1,
    ),
    (
        "tei/date-order",
        r#"<p><date from="1850-05-01" to="1850-04-30">x</date></p>"#,
        r#"to="1850-04-30""#,
        0,
    ),
    (
        "tei/date-order",
        r#"<p><date notBefore="1851" notAfter="1850-12">x</date></p>"#,
        r#"notAfter="1850-12""#,
        0,
    ),
    (
        "tei/date-order",
        r#"<p><date when="1849-12-31" notBefore="1850" notAfter="1852">x</date></p>"#,
        r#"when="1849-12-31""#,
        0,
    ),
    (
        "tei/date-order",
        r#"<p><date from-iso="1850-03-12T10:00:00Z" to-iso="1850-03-12T09:59:59Z">x</date></p>"#,
        r#"to-iso="1850-03-12T09:59:59Z""#,
        0,
    ),
    (
        "tei/hand-not-handnote",
        r##"<listPerson><person xml:id="anna"/></listPerson><p><add hand="#anna">x</add></p>"##,
        "#anna",
        0,
    ),
    (
        "tei/hand-not-handnote",
        r##"<p xml:id="h1">x<handShift new="#h1"/></p>"##,
        "#h1",
        0,
    ),
];

/// Genuine findings in schema-valid corpus documents: (case, code, text of the primary span,
/// evidence). A listed case passes only when exactly these diagnostics are reported.
const FINDINGS: &[(&str, &str, &str, &str)] = &[
    (
        "rules/silent/dta/soldatenbriefe/",
        "tei/dangling-ref",
        "#MN",
        "<unclear resp=\"#MN\">: Marko Neumann, the transcriber, is a <persName> in the \
         titleStmt's <respStmt> without an xml:id; no letter has xml:id=\"MN\"",
    ),
    (
        "rules/silent/dta/soldatenbriefe/",
        "tei/dangling-ref",
        "#CT",
        "<unclear resp=\"#CT\">: Christian Thomas is a <persName> in the titleStmt's \
         <respStmt> without an xml:id; no letter has xml:id=\"CT\"",
    ),
    (
        "rules/silent/tei-publisher-samples/graves6.xml",
        "tei/dangling-ref",
        "#RG",
        "<name ref=\"#RG\"> (Robert Graves) inside a <person>'s occupation: the file has no \
         xml:id=\"RG\" (the persons are in TEI Publisher's separate register)",
    ),
    (
        "rules/silent/tei-publisher-samples/graves6.xml",
        "tei/dangling-ref",
        "#Lyon",
        "<placeName ref=\"#Lyon\"> in a <birth>: the file has no <place xml:id=\"Lyon\">",
    ),
    (
        "rules/silent/tei-publisher-samples/CIDTC-3823-cortez.xml",
        "tei/dangling-ref",
        "#turska",
        "<change resp=\"#turska\" when=\"2025-03-11\">: no xml:id=\"turska\" in the file \
         (the editor is not listed in the header)",
    ),
];

/// Corpus documents (path relative to the corpus, decided by `keep`) and the schemas any one
/// of which may accept them.
struct Group {
    corpus: &'static str,
    keep: fn(&str) -> bool,
    schemas: Vec<PathBuf>,
}

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    let mut result = SuiteResult::new();
    fires(&mut result);

    let corpora = shared.join("corpora");
    let tei_all = shared.join("schemas/tei/p5-4.12.0/tei_all.rng");
    let dta = corpora.join("dta/schemas");
    let groups = vec![
        Group {
            corpus: "dta",
            keep: |p| p.starts_with("soldatenbriefe/"),
            schemas: vec![dta.join("basisformat_ms.rng"), tei_all.clone()],
        },
        Group {
            corpus: "dta",
            keep: |p| p.starts_with("dta-prints/"),
            schemas: vec![dta.join("basisformat.rng"), tei_all.clone()],
        },
        Group {
            corpus: "dta",
            keep: |p| p.starts_with("copadocs/"),
            schemas: vec![tei_all.clone()],
        },
        Group {
            corpus: "bodleian-msdesc",
            keep: |_| true,
            schemas: vec![
                corpora.join("bodleian-msdesc/schema/msdesc.rng"),
                tei_all.clone(),
            ],
        },
        Group {
            corpus: "tei-publisher-samples",
            keep: |_| true,
            schemas: vec![
                tei_all.clone(),
                shared.join("schemas/tei/other/teipublisher-teilite-4.7.0.rng"),
            ],
        },
        Group {
            corpus: "pandoc-tei",
            keep: |_| true,
            schemas: vec![tei_all.clone()],
        },
    ];

    // Every document with the schemas that may accept it; the seed first.
    let seed = shared.join("design/seed-reference.tei.xml");
    if !seed.is_file() {
        bail!("missing {}", seed.display());
    }
    let mut docs: Vec<(String, PathBuf, Vec<PathBuf>)> = vec![(
        "design/seed-reference.tei.xml".into(),
        seed,
        vec![tei_all.clone()],
    )];
    for g in &groups {
        for (rel, path) in manifest_docs(&corpora.join(g.corpus), g.keep)? {
            docs.push((format!("{}/{rel}", g.corpus), path, g.schemas.clone()));
        }
    }

    // Load each schema once, in order of first use.
    let mut schemas: Vec<(PathBuf, teikit_validate::Grammar)> = Vec::new();
    for (_, _, list) in &docs {
        for s in list {
            if schemas.iter().any(|(p, _)| p == s) {
                continue;
            }
            let schema = teikit_relaxng::load(s, &Default::default()).map_err(|e| {
                anyhow::anyhow!(
                    "loading {}: {}",
                    s.display(),
                    e.errors
                        .first()
                        .map(|(_, d)| d.message.clone())
                        .unwrap_or_default()
                )
            })?;
            schemas.push((s.clone(), teikit_validate::Grammar::new(schema)));
        }
    }

    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; docs.len()]);
    std::thread::scope(|s| {
        for _ in 0..2 {
            std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn_scoped(s, || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((_, path, list)) = docs.get(i) else {
                        break;
                    };
                    let grammars: Vec<&teikit_validate::Grammar> = list
                        .iter()
                        .filter_map(|p| schemas.iter().find(|(q, _)| q == p).map(|(_, g)| g))
                        .collect();
                    let outcome = examine(path, &grammars);
                    outcomes.lock().unwrap()[i] = Some(outcome);
                })
                .expect("spawning a thread");
        }
    });

    let mut invalid = 0;
    let mut invalid_with_findings = 0;
    let mut used = vec![false; FINDINGS.len()];
    for ((label, _, _), outcome) in docs.iter().zip(outcomes.into_inner().unwrap()) {
        let case = format!("rules/silent/{label}");
        match outcome.expect("every document was examined") {
            Outcome::Unreadable(why) => result.record(case, Err(why)),
            Outcome::Invalid { findings } => {
                invalid += 1;
                if findings > 0 {
                    invalid_with_findings += 1;
                }
                if label.starts_with("design/") {
                    result.record(case, Err("teikit rejects the seed reference".into()));
                }
            }
            Outcome::Valid { found } => {
                let mut unexplained = Vec::new();
                for (code, at) in &found {
                    let finding = FINDINGS
                        .iter()
                        .position(|f| case.starts_with(f.0) && f.1 == code && f.2 == at);
                    match finding {
                        Some(i) => used[i] = true,
                        None => unexplained.push(format!("{code} on {at:?}")),
                    }
                }
                unexplained.dedup();
                if unexplained.is_empty() {
                    result.record(case, Ok(()));
                } else {
                    result.record(case, Err(format!("reported: {}", unexplained.join("; "))));
                }
            }
        }
    }
    for (i, (prefix, code, at, _)) in FINDINGS.iter().enumerate() {
        let outcome = if used[i] {
            Ok(())
        } else {
            Err(format!("{code} on {at:?} was not reported under {prefix}"))
        };
        result.record(format!("rules/findings/{}", i + 1), outcome);
    }
    println!(
        "rules: {invalid} corpus document(s) valid against none of their schemas were skipped \
         ({invalid_with_findings} of them with rule diagnostics)"
    );
    Ok(result)
}

#[derive(Clone)]
enum Outcome {
    Unreadable(String),
    Invalid {
        findings: usize,
    },
    /// The rule diagnostics: code and the text of the primary span.
    Valid {
        found: Vec<(String, String)>,
    },
}

fn examine(path: &Path, grammars: &[&teikit_validate::Grammar]) -> Outcome {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Outcome::Unreadable(format!("cannot read: {e}")),
    };
    let text = match teikit_xml::decode(&bytes) {
        Ok(t) => t,
        Err(d) => return Outcome::Unreadable(format!("{}: {}", d.code, d.message)),
    };
    let mut storage = String::new();
    let doc = match teikit_xml::read_with_storage(&text, &Default::default(), &mut storage) {
        Ok(doc) => doc,
        // Not well-formed (pandoc's template, fragments): not a case.
        Err(_) => return Outcome::Invalid { findings: 0 },
    };
    let found = teikit_rules::check(&doc);
    let valid = grammars.iter().any(|g| {
        !g.validate(&doc)
            .iter()
            .any(|d| d.severity == Severity::Error)
    });
    if !valid {
        return Outcome::Invalid {
            findings: found.len(),
        };
    }
    Outcome::Valid {
        found: found
            .iter()
            .map(|d| (d.code.to_string(), spanned(&text, d)))
            .collect(),
    }
}

fn spanned(text: &str, d: &Diagnostic) -> String {
    d.primary_span()
        .and_then(|s| text.get(s.offset..s.end()))
        .unwrap_or("")
        .to_string()
}

fn fires(result: &mut SuiteResult) {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for (code, body, at, occurrence) in FIRES {
        let n = match counts.iter_mut().find(|(c, _)| c == code) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                counts.push((code, 1));
                1
            }
        };
        let rule = code.trim_start_matches("tei/");
        let case = format!("rules/fires/{rule}/{n}");
        let text = format!("{HEAD}{body}{TAIL}");
        result.record(case, fires_one(&text, code, at, *occurrence));
    }
}

fn fires_one(text: &str, code: &str, at: &str, occurrence: usize) -> Result<(), String> {
    let doc = teikit_xml::read(text, &Default::default())
        .map_err(|d| format!("crafted document does not parse: {}", d.message))?;
    let found = teikit_rules::check(&doc);
    let start = text
        .match_indices(at)
        .nth(occurrence)
        .map(|(i, _)| i)
        .ok_or_else(|| format!("{at:?} not in the crafted document"))?;
    let want = teikit_diagnostics::Span::new(start, at.len());
    match found.as_slice() {
        [d] if d.code == code && d.primary_span() == Some(want) => Ok(()),
        _ => Err(format!(
            "expected one {code} at {want:?}, got: {}",
            found
                .iter()
                .map(|d| format!("{} {:?} {}", d.code, d.primary_span(), d.message))
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
}

/// The documents (`.xml`, `.tei`) listed in `dir/MANIFEST.tsv` outside a schema folder whose
/// path satisfies `keep`: (relative path, path).
fn manifest_docs(dir: &Path, keep: fn(&str) -> bool) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let manifest = dir.join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let mut docs = Vec::new();
    for line in text.lines().skip(1) {
        let Some(rel) = line.split('\t').next() else {
            continue;
        };
        let is_doc = rel.ends_with(".xml") || rel.ends_with(".tei");
        let in_schema_dir = rel.starts_with("schema/") || rel.starts_with("schemas/");
        if !is_doc || in_schema_dir || !keep(rel) {
            continue;
        }
        let path = dir.join(rel);
        if !path.is_file() {
            bail!("{} lists {rel}, which is missing", manifest.display());
        }
        docs.push((rel.to_string(), path));
    }
    docs.sort();
    Ok(docs)
}
