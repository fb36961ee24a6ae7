//! The `parity` conformance suite: teikit's validation verdicts against jing's on real TEI
//! (and one large non-TEI schema), jing being the oracle.
//!
//! Each job pairs one schema with documents: the DTA letters and prints with the DTA
//! base-format schemas their `xml-model` names; the Bodleian records with msdesc; every TEI
//! document (CoPaDocs, DTA, Bodleian, TEI Publisher samples, pandoc's TEI output, the seed
//! reference) with tei_all 4.12, tei_all 3.1.0 (XML and compact syntax, which also checks the
//! compact parser), tei_all 2.7.0 (compact) and the Japanese-annotated tei_all 4.1.0
//! (compact); the TEI Publisher samples with the TEI Publisher Lite schema one of them
//! names; the ODF instances with the ODF 1.3 schema (rejected by both under the default ID
//! rules, so also run with ID checking off, jing's `-i`); and the TEI Publisher samples plus
//! the seed reference with the 3.1.0 tei_lite and tei_bare, the TEI Lite 4.5.0a pair and
//! tei_all 2.7.0 (XML syntax). The narrower TEI customizations (tei_tite, tei_drama, …) are
//! not run on everything: every document is invalid against them, so they tell little.
//! Corpus documents are the `.xml`/`.tei` files listed in each corpus's `MANIFEST.tsv`
//! (outside its schema folder, but for msdesc's two templates, which msdesc also checks).
//!
//! One case per (schema, document): `parity/<corpus>/<path>@<schema>`. It passes when both
//! validators give the same verdict (valid, or invalid); a document that is not well-formed
//! is invalid for both. Where both find a document invalid, whether the first error is on the
//! same line is only reported (jing locates an element error at the end of its start tag,
//! teikit at the whole tag, so "same line" means jing's line lies within teikit's first error
//! span). Per-schema timings are printed; nothing is asserted on them.
//!
//! jing (`/usr/bin/jing`, or `$JING`) runs once per schema over all its documents; it stops
//! at the first document that is not well-formed, so it is restarted after such a document.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use teikit_diagnostics::{Diagnostic, LineIndex, Severity};
use teikit_relaxng::{IdCompat, LoadOptions};

use super::SuiteResult;

/// One document of a job.
#[derive(Clone)]
struct Doc {
    /// `<corpus>/<path>`, the case name without its schema part.
    label: String,
    /// Absolute path, as given to jing and as jing prints it back.
    path: PathBuf,
}

/// One schema and the documents validated with it.
struct Job {
    /// Short schema name used in case names (`tei_all-4.12.rng`).
    tag: &'static str,
    schema: PathBuf,
    docs: Vec<Doc>,
    /// Load without ID-type checking (jing's `-i`, [`IdCompat::Ignore`]).
    ignore_ids: bool,
}

/// An error located on lines `lo..=hi` (1-based; jing gives one line, teikit the lines of
/// the error's span; 0 when unknown).
#[derive(Clone, Debug)]
struct Located {
    lo: usize,
    hi: usize,
    message: String,
}

impl Located {
    fn covers(&self, line: usize) -> bool {
        (self.lo..=self.hi).contains(&line)
    }
}

/// What one validator said about one document: its errors in document order (none: valid).
#[derive(Clone, Debug, Default)]
struct Verdict {
    errors: Vec<Located>,
}

impl Verdict {
    fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    fn invalid(lo: usize, hi: usize, message: String) -> Verdict {
        Verdict {
            errors: vec![Located { lo, hi, message }],
        }
    }

    fn describe(&self) -> String {
        match self.errors.first() {
            None => "valid".into(),
            Some(Located { lo, hi, message }) => {
                let lines = if lo == hi {
                    format!("line {lo}")
                } else {
                    format!("lines {lo}-{hi}")
                };
                format!(
                    "invalid ({} error(s)), first error {lines}: {message}",
                    self.errors.len()
                )
            }
        }
    }
}

/// A validator's verdicts for a whole job: per document, or the schema was rejected.
enum Outcome {
    Docs(Vec<Verdict>),
    SchemaRejected(String),
}

/// Running totals printed at the end.
#[derive(Default)]
struct Totals {
    pairs: usize,
    agree: usize,
    both_invalid: usize,
    same_line: usize,
    /// Errors jing / teikit reported in documents both find invalid, and how many of jing's
    /// lie on the lines of some teikit error (error recovery differs, so this is information).
    jing_errors: usize,
    teikit_errors: usize,
    jing_errors_matched: usize,
}

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    let verbose = std::env::args().any(|a| a == "-v" || a == "--verbose");
    let jing = jing_path()?;
    let jobs = jobs(shared)?;
    let mut result = SuiteResult::new();
    let mut totals = Totals::default();
    let mut job_lines = Vec::new();
    for job in &jobs {
        let (teikit, load_time, validate_time) = run_teikit(job);
        let started = Instant::now();
        let jing_outcome = run_jing(&jing, job)?;
        let jing_time = started.elapsed();
        let agreed_before = totals.agree;
        compare(
            job,
            &teikit,
            &jing_outcome,
            verbose,
            &mut totals,
            &mut result,
        );
        job_lines.push(format!(
            "  {:<31} {:>3} docs, agree {:>3} | valid: teikit {:>7}, jing {:>7} | teikit load {:>8}, validate {:>8} | jing {:>8}",
            job.tag,
            job.docs.len(),
            totals.agree - agreed_before,
            count_valid(&teikit),
            count_valid(&jing_outcome),
            ms(load_time),
            ms(validate_time),
            ms(jing_time)
        ));
    }
    println!(
        "parity: {} pairs, {} verdicts agree, {} disagree; of {} documents both find invalid, \
         the first error is on the same line in {}",
        totals.pairs,
        totals.agree,
        totals.pairs - totals.agree,
        totals.both_invalid,
        totals.same_line
    );
    println!(
        "parity: in those documents jing reports {} errors and teikit {}; {} of jing's are on \
         the lines of a teikit error",
        totals.jing_errors, totals.teikit_errors, totals.jing_errors_matched
    );
    println!(
        "parity: per schema (teikit: schema load + compile, then validation on 2 threads; \
         jing: wall time incl. JVM start)"
    );
    for l in job_lines {
        println!("{l}");
    }
    Ok(result)
}

/// `valid/total`, or `rejected` when the schema was.
fn count_valid(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Docs(v) => format!("{}/{}", v.iter().filter(|v| v.is_valid()).count(), v.len()),
        Outcome::SchemaRejected(_) => "rejected".into(),
    }
}

fn ms(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

/// Records one case per document of `job`.
fn compare(
    job: &Job,
    teikit: &Outcome,
    jing: &Outcome,
    verbose: bool,
    totals: &mut Totals,
    result: &mut SuiteResult,
) {
    for (i, doc) in job.docs.iter().enumerate() {
        let name = format!("parity/{}@{}", doc.label, job.tag);
        totals.pairs += 1;
        let outcome = match (teikit, jing) {
            (Outcome::SchemaRejected(_), Outcome::SchemaRejected(_)) => Ok(()),
            (Outcome::SchemaRejected(why), Outcome::Docs(j)) => Err(format!(
                "teikit rejected the schema ({why}); jing: {}",
                j[i].describe()
            )),
            (Outcome::Docs(t), Outcome::SchemaRejected(why)) => Err(format!(
                "jing rejected the schema ({why}); teikit: {}",
                t[i].describe()
            )),
            (Outcome::Docs(t), Outcome::Docs(j)) => {
                let (t, j) = (&t[i], &j[i]);
                if let (Some(tf), Some(jf)) = (t.errors.first(), j.errors.first()) {
                    totals.both_invalid += 1;
                    totals.jing_errors += j.errors.len();
                    totals.teikit_errors += t.errors.len();
                    totals.jing_errors_matched += j
                        .errors
                        .iter()
                        .filter(|je| t.errors.iter().any(|te| te.covers(je.lo)))
                        .count();
                    if tf.covers(jf.lo) {
                        totals.same_line += 1;
                    } else if verbose {
                        println!(
                            "  parity: {name}: first errors differ: teikit {}; jing {}",
                            t.describe(),
                            j.describe()
                        );
                    }
                }
                if t.is_valid() == j.is_valid() {
                    Ok(())
                } else {
                    Err(format!("teikit: {}; jing: {}", t.describe(), j.describe()))
                }
            }
        };
        if outcome.is_ok() {
            totals.agree += 1;
        }
        result.record(name, outcome);
    }
}

/// The jing executable: `$JING`, else `/usr/bin/jing`; it must exist.
fn jing_path() -> anyhow::Result<PathBuf> {
    let path = std::env::var_os("JING")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/jing"));
    if !path.is_file() {
        bail!(
            "the parity suite needs jing as its oracle, but {} does not exist \
             (install it with `apt-get install jing`, or set JING)",
            path.display()
        );
    }
    Ok(path)
}

// ---------------------------------------------------------------------------------------------
// The jobs
// ---------------------------------------------------------------------------------------------

fn jobs(shared: &Path) -> anyhow::Result<Vec<Job>> {
    let corpora = shared.join("corpora");
    let tei = shared.join("schemas/tei");
    let dta = corpora.join("dta");
    let soldatenbriefe = manifest_docs(&dta, "dta", |p| p.starts_with("soldatenbriefe/"))?;
    let prints = manifest_docs(&dta, "dta", |p| p.starts_with("dta-prints/"))?;
    let copadocs = manifest_docs(&dta, "dta", |p| p.starts_with("copadocs/"))?;
    let bodleian = manifest_docs(&corpora.join("bodleian-msdesc"), "bodleian-msdesc", |p| {
        p.starts_with("georgian-mss/")
    })?;
    // The schema's own templates, with empty values to fill in (so invalid: empty IDs, dates).
    let bodleian_templates =
        manifest_docs(&corpora.join("bodleian-msdesc"), "bodleian-msdesc", |p| {
            p.starts_with("schema/template")
        })?;
    let publisher = || {
        manifest_docs(
            &corpora.join("tei-publisher-samples"),
            "tei-publisher-samples",
            |_| true,
        )
    };
    let pandoc = manifest_docs(&corpora.join("pandoc-tei"), "pandoc-tei", |_| true)?;
    let seed = || -> anyhow::Result<Vec<Doc>> {
        let path = shared.join("design/seed-reference.tei.xml");
        if !path.is_file() {
            bail!("missing {}", path.display());
        }
        Ok(vec![Doc {
            label: "design/seed-reference.tei.xml".into(),
            path,
        }])
    };
    let publisher_and_seed = || -> anyhow::Result<Vec<Doc>> {
        let mut docs = publisher()?;
        docs.extend(seed()?);
        Ok(docs)
    };
    let odf_root = shared.join("rng-tests/msv-odf13/msv/src/test/resources");
    let mut odf = Vec::new();
    collect_xml(&odf_root.join("files"), &odf_root, "msv-odf13", &mut odf)?;

    // Every TEI document is also checked against tei_all 4.12: the DTA and Bodleian schemas
    // are TEI subsets whose own verdicts are mostly "invalid" (the documents are newer than
    // the schemas), while tei_all accepts most of them, which makes the verdicts informative.
    let mut tei_all_412 = copadocs;
    tei_all_412.extend(soldatenbriefe.iter().cloned());
    tei_all_412.extend(prints.iter().cloned());
    tei_all_412.extend(bodleian.iter().cloned());
    tei_all_412.extend(publisher()?);
    tei_all_412.extend(pandoc);
    tei_all_412.extend(seed()?);
    let all_tei = tei_all_412.clone();

    let jobs = vec![
        Job {
            tag: "basisformat_ms.rng",
            schema: dta.join("schemas/basisformat_ms.rng"),
            docs: soldatenbriefe,
            ignore_ids: false,
        },
        Job {
            tag: "basisformat.rng",
            schema: dta.join("schemas/basisformat.rng"),
            docs: prints,
            ignore_ids: false,
        },
        Job {
            tag: "msdesc.rng",
            schema: corpora.join("bodleian-msdesc/schema/msdesc.rng"),
            docs: bodleian.iter().cloned().chain(bodleian_templates).collect(),
            ignore_ids: false,
        },
        Job {
            tag: "tei_all-4.12.rng",
            schema: tei.join("p5-4.12.0/tei_all.rng"),
            docs: tei_all_412,
            ignore_ids: false,
        },
        Job {
            tag: "teipublisher-teilite-4.7.0.rng",
            schema: tei.join("other/teipublisher-teilite-4.7.0.rng"),
            docs: publisher()?,
            ignore_ids: false,
        },
        // The ODF schema is not compatible with DTD compatibility's ID rules, so both must
        // reject it by default; with ID checking off (`jing -i`) it is usable.
        Job {
            tag: "OpenDocument-v1.3.rng",
            schema: odf_root.join("grammar/odf1.3/OpenDocument-v1.3-schema.rng"),
            docs: odf.clone(),
            ignore_ids: false,
        },
        Job {
            tag: "OpenDocument-v1.3.rng-i",
            schema: odf_root.join("grammar/odf1.3/OpenDocument-v1.3-schema.rng"),
            docs: odf,
            ignore_ids: true,
        },
        Job {
            tag: "tei_lite-3.1.0.rng",
            schema: tei.join("p5-3.1.0/tei_lite.rng"),
            docs: publisher_and_seed()?,
            ignore_ids: false,
        },
        Job {
            tag: "tei_bare-3.1.0.rng",
            schema: tei.join("p5-3.1.0/tei_bare.rng"),
            docs: publisher_and_seed()?,
            ignore_ids: false,
        },
        Job {
            tag: "tei_all-3.1.0.rng",
            schema: tei.join("p5-3.1.0/tei_all.rng"),
            docs: all_tei.clone(),
            ignore_ids: false,
        },
        Job {
            tag: "tei_all-3.1.0.rnc",
            schema: tei.join("p5-3.1.0/tei_all.rnc"),
            docs: all_tei.clone(),
            ignore_ids: false,
        },
        Job {
            tag: "tei_lite-4.5.0a.rng",
            schema: tei.join("p5-4.5.0a-lite/tei_lite.rng"),
            docs: publisher_and_seed()?,
            ignore_ids: false,
        },
        Job {
            tag: "tei_lite-4.5.0a.rnc",
            schema: tei.join("p5-4.5.0a-lite/tei_lite.rnc"),
            docs: publisher_and_seed()?,
            ignore_ids: false,
        },
        Job {
            tag: "tei_all-2.7.0.rng",
            schema: tei.join("p5-2.7.0/tei_all.rng"),
            docs: publisher_and_seed()?,
            ignore_ids: false,
        },
        Job {
            tag: "tei_all-2.7.0.rnc",
            schema: tei.join("p5-2.7.0/tei_all.rnc"),
            docs: all_tei.clone(),
            ignore_ids: false,
        },
        Job {
            tag: "tei_all-ja-roma-4.1.0.rnc",
            schema: tei.join("other/tei_all.ja-roma-4.1.0.rnc"),
            docs: all_tei.clone(),
            ignore_ids: false,
        },
    ];
    for job in &jobs {
        if !job.schema.is_file() {
            bail!("missing schema {}", job.schema.display());
        }
        if job.docs.is_empty() {
            bail!("no documents for {}", job.schema.display());
        }
    }
    Ok(jobs)
}

/// The documents (`.xml`, `.tei`) listed in `dir/MANIFEST.tsv` whose path satisfies `keep`,
/// labelled `<corpus>/<path>`.
fn manifest_docs(
    dir: &Path,
    corpus: &str,
    keep: impl Fn(&str) -> bool,
) -> anyhow::Result<Vec<Doc>> {
    let manifest = dir.join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let mut docs = Vec::new();
    for line in text.lines().skip(1) {
        let Some(rel) = line.split('\t').next() else {
            continue;
        };
        let is_doc = rel.ends_with(".xml") || rel.ends_with(".tei");
        if !is_doc || !keep(rel) {
            continue;
        }
        let path = dir.join(rel);
        if !path.is_file() {
            bail!("{} lists {rel}, which is missing", manifest.display());
        }
        docs.push(Doc {
            label: format!("{corpus}/{rel}"),
            path,
        });
    }
    docs.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(docs)
}

/// Every `.xml` file under `dir`, labelled `<corpus>/<path relative to base>`, sorted.
fn collect_xml(dir: &Path, base: &Path, corpus: &str, out: &mut Vec<Doc>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_xml(&path, base, corpus, out)?;
        } else if path.extension().is_some_and(|e| e == "xml") {
            let rel = path.strip_prefix(base).unwrap_or(&path);
            out.push(Doc {
                label: format!("{corpus}/{}", rel.display()),
                path,
            });
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// teikit
// ---------------------------------------------------------------------------------------------

/// Loads the job's schema once and validates every document with it on two threads; returns
/// the verdicts, the load (+ compile) time and the validation wall time.
fn run_teikit(job: &Job) -> (Outcome, Duration, Duration) {
    let started = Instant::now();
    let loaded = std::panic::catch_unwind(|| {
        let options = LoadOptions {
            id_compat: if job.ignore_ids {
                IdCompat::Ignore
            } else {
                IdCompat::Error
            },
            ..LoadOptions::default()
        };
        teikit_relaxng::load(&job.schema, &options).map(teikit_validate::Grammar::new)
    });
    let load_time = started.elapsed();
    let grammar = match loaded {
        Ok(Ok(g)) => g,
        Ok(Err(e)) => {
            let why = match e.errors.first() {
                Some((file, d)) => format!("{}: {}: {}", file_name(&file.path), d.code, d.message),
                None => "no diagnostic".into(),
            };
            return (Outcome::SchemaRejected(why), load_time, Duration::ZERO);
        }
        Err(panic) => {
            let why = format!("loader panicked: {}", panic_message(&*panic));
            return (Outcome::SchemaRejected(why), load_time, Duration::ZERO);
        }
    };
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let verdicts = Mutex::new(vec![None; job.docs.len()]);
    std::thread::scope(|s| {
        for _ in 0..2 {
            std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn_scoped(s, || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(doc) = job.docs.get(i) else { break };
                    let verdict = teikit_verdict(&grammar, &doc.path);
                    verdicts.lock().unwrap()[i] = Some(verdict);
                })
                .expect("spawning a validation thread");
        }
    });
    let validate_time = started.elapsed();
    let verdicts = verdicts
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|v| v.expect("every document was validated"))
        .collect();
    (Outcome::Docs(verdicts), load_time, validate_time)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// teikit's verdict on one document: decode, parse, validate; a panic is an invalid verdict
/// whose message says so (and so shows up as a disagreement or in the verbose listing).
fn teikit_verdict(grammar: &teikit_validate::Grammar, path: &Path) -> Verdict {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Verdict::invalid(0, 0, format!("cannot read: {e}")),
    };
    // The errors, with the source their spans point into.
    let run = || -> (Vec<u8>, Vec<Diagnostic>) {
        let text = match teikit_xml::decode(&bytes) {
            Ok(t) => t,
            Err(d) => return (bytes.clone(), vec![d]),
        };
        let src = text.as_bytes().to_vec();
        match teikit_xml::read(&text, &Default::default()) {
            Ok(doc) => {
                let mut errors: Vec<Diagnostic> = grammar
                    .validate(&doc)
                    .into_iter()
                    .filter(|d| d.severity == Severity::Error)
                    .collect();
                errors.sort_by_key(|d| d.primary_span().map(|s| s.offset));
                (src, errors)
            }
            Err(d) => (src, vec![d]),
        }
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok((src, errors)) => {
            let index = LineIndex::new(&src);
            let errors = errors
                .into_iter()
                .map(|d| {
                    let (lo, hi) = match d.primary_span() {
                        Some(s) => (
                            index.line(s.offset),
                            index.line(s.end().saturating_sub(1).max(s.offset)),
                        ),
                        None => (0, 0),
                    };
                    Located {
                        lo,
                        hi,
                        message: format!("{}: {}", d.code, d.message),
                    }
                })
                .collect();
            Verdict { errors }
        }
        Err(panic) => {
            Verdict::invalid(0, 0, format!("teikit panicked: {}", panic_message(&*panic)))
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic)".into()
    }
}

// ---------------------------------------------------------------------------------------------
// jing
// ---------------------------------------------------------------------------------------------

/// Runs jing over the job's documents (`-c` for a compact-syntax schema). jing stops at the
/// first fatal (well-formedness) error, so it is run again on the documents after that one.
fn run_jing(jing: &Path, job: &Job) -> anyhow::Result<Outcome> {
    let compact = job.schema.extension().is_some_and(|e| e == "rnc");
    let index: HashMap<String, usize> = job
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.path.display().to_string(), i))
        .collect();
    let mut verdicts: Vec<Verdict> = vec![Verdict::default(); job.docs.len()];
    let mut from = 0;
    while from < job.docs.len() {
        let mut cmd = Command::new(jing);
        if compact {
            cmd.arg("-c");
        }
        if job.ignore_ids {
            cmd.arg("-i");
        }
        cmd.arg(&job.schema);
        cmd.args(job.docs[from..].iter().map(|d| &d.path));
        let output = cmd
            .output()
            .with_context(|| format!("running {}", jing.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut fatal_at = None;
        let mut any_report = false;
        for line in stdout.lines() {
            let Some(report) = parse_jing_line(line) else {
                continue;
            };
            any_report = true;
            if report.kind == "warning" {
                continue;
            }
            let Some(&i) = index.get(report.path) else {
                // An error outside every document is a schema error; jing validates nothing
                // after one.
                return Ok(Outcome::SchemaRejected(format!(
                    "{}:{}: {}",
                    file_name(Path::new(report.path)),
                    report.line,
                    report.message
                )));
            };
            verdicts[i].errors.push(Located {
                lo: report.line,
                hi: report.line,
                message: report.message.to_string(),
            });
            if report.kind == "fatal" {
                fatal_at = Some(i);
                break;
            }
        }
        if !output.status.success() && !any_report {
            bail!(
                "jing failed on {} without reporting an error: {}{}",
                job.schema.display(),
                stdout,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        match fatal_at {
            Some(i) => from = i + 1,
            None => break,
        }
    }
    Ok(Outcome::Docs(verdicts))
}

/// One line of jing's output: `path:line:col: kind: message`.
struct JingReport<'a> {
    path: &'a str,
    line: usize,
    kind: &'a str,
    message: &'a str,
}

fn parse_jing_line(line: &str) -> Option<JingReport<'_>> {
    for kind in ["error", "fatal", "warning"] {
        let marker = format!(": {kind}: ");
        let Some(at) = line.find(&marker) else {
            continue;
        };
        let location = &line[..at];
        let message = &line[at + marker.len()..];
        // `path:line:col`, or a location without numbers.
        let mut parts = location.rsplitn(3, ':');
        let col = parts.next();
        let num = parts.next();
        let path = parts.next();
        let (path, line_no) = match (path, num.and_then(|n| n.parse().ok()), col) {
            (Some(p), Some(n), Some(c)) if c.parse::<usize>().is_ok() => (p, n),
            _ => (location, 0),
        };
        return Some(JingReport {
            path,
            line: line_no,
            kind,
            message,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_jing_lines() {
        let r = parse_jing_line("/a/b.xml:11:13: error: element \"date\" not allowed yet").unwrap();
        assert_eq!((r.path, r.line, r.kind), ("/a/b.xml", 11, "error"));
        assert_eq!(r.message, "element \"date\" not allowed yet");
        let r = parse_jing_line("/a/t.tei:2:2: fatal: The markup: x").unwrap();
        assert_eq!((r.path, r.line, r.kind), ("/a/t.tei", 2, "fatal"));
        assert_eq!(r.message, "The markup: x");
        let r = parse_jing_line("/a/s.rng: error: cannot read").unwrap();
        assert_eq!((r.path, r.line), ("/a/s.rng", 0));
        assert!(parse_jing_line("[warning] /usr/bin/jing: Unable to locate x").is_none());
    }
}
