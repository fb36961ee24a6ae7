//! The `generated` conformance suite (issues #7 and #8): 10,000 transcriptions generated from
//! the shapes of the seed and the samples ([`corpus`]) are converted by the release `teikit`
//! binary in one parallel batch (`teikit convert -O out/ in/`, with its progress bar when
//! standard error is a terminal), then every output is
//!
//! - valid against tei_all 4.12 and against `schemas/teikit-archive.rng` according to jing
//!   (many files per jing invocation, errors mapped back to the file they name);
//! - given the same verdict by `teikit validate --schema …` for both schemas (parity);
//! - turned back into the input by `teikit_convert::to_text`, after the documented
//!   normalisation (`teikit_convert::normalize`).
//!
//! Cases: `generated/<NNNNN-kind>` per document (the first reason it fails), plus
//! `summary/coverage` (the corpus uses every shape in [`corpus::FEATURES`]) and
//! `summary/batch` (the batch wrote one output per input and exited as its report says).
//! The totals, the wall times and the throughput are printed.
//!
//! `TEIKIT_GENERATED_COUNT=N` runs a smaller corpus (the first N documents of the same
//! sequence) while working on the converter; `TEIKIT_GENERATED_KEEP=1` keeps the files and
//! prints the folder (10,000 inputs and outputs are about 100 MB, so they are not kept by
//! default, not even when a case fails).

mod corpus;

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use super::SuiteResult;

/// How many transcriptions the suite generates.
const COUNT: usize = 10_000;
/// The corpus seed: change it to explore other documents, keep it fixed in the repository.
const SEED: u64 = 0x6e6e_7261_7465_0010;
/// Files per jing invocation (file names relative to the output folder: about 100 KB of
/// command line, far below ARG_MAX).
const JING_BATCH: usize = 5000;
const COUNT_ENV: &str = "TEIKIT_GENERATED_COUNT";
const KEEP_ENV: &str = "TEIKIT_GENERATED_KEEP";

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    let started = Instant::now();
    let root = crate::project_root();
    let tei_all = shared.join("schemas/tei/p5-4.12.0/tei_all.rng");
    let archive = root.join("schemas/teikit-archive.rng");
    for p in [&tei_all, &archive] {
        if !p.is_file() {
            bail!("missing {}", p.display());
        }
    }
    let jing = find_jing()?;
    let count = match std::env::var(COUNT_ENV) {
        Ok(n) => n
            .parse::<usize>()
            .with_context(|| format!("{COUNT_ENV}={n} is not a number"))?,
        Err(_) => COUNT,
    };
    let teikit = crate::bench::build_teikit()?;
    let build_secs = started.elapsed().as_secs_f64();

    // 1. Generate.
    let t = Instant::now();
    let fragments = corpus::Fragments::read(&[&root.join("samples"), &shared.join("seeds")])?;
    let dir = tempfile::Builder::new()
        .prefix("teikit-generated-")
        .tempdir()?;
    let in_dir = dir.path().join("in");
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&in_dir)?;
    let docs = generate_all(count, &fragments, &in_dir)?;
    let input_bytes: usize = docs.iter().map(|d| d.bytes.len()).sum();
    let gen_secs = t.elapsed().as_secs_f64();

    let mut result = SuiteResult::new();
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &docs {
        for f in &d.features {
            *used.entry(f).or_default() += 1;
        }
    }
    let unused: Vec<&str> = corpus::FEATURES
        .iter()
        .copied()
        .filter(|f| !used.contains_key(f))
        .collect();
    result.record(
        "summary/coverage",
        if unused.is_empty() || count < COUNT {
            Ok(())
        } else {
            Err(format!("the corpus never uses {}", unused.join(", ")))
        },
    );

    // 2. Convert in one batch with the release CLI.
    println!(
        "generated: {count} transcriptions ({:.1} MB) in {}",
        input_bytes as f64 / 1e6,
        in_dir.display()
    );
    let t = Instant::now();
    let batch = convert_batch(&teikit, &in_dir, &out_dir, count)?;
    let convert_secs = t.elapsed().as_secs_f64();
    let outputs: Vec<PathBuf> = docs
        .iter()
        .map(|d| out_dir.join(format!("{}.xml", d.name)))
        .filter(|p| p.is_file())
        .collect();
    let missing: Vec<&str> = docs
        .iter()
        .filter(|d| !out_dir.join(format!("{}.xml", d.name)).is_file())
        .map(|d| d.name.as_str())
        .collect();
    result.record("summary/batch", batch_consistent(&batch, &missing, count));

    // 3. Validate: jing and teikit, both schemas.
    let t = Instant::now();
    let schemas = [
        ("tei_all", tei_all.as_path()),
        ("teikit-archive", archive.as_path()),
    ];
    let verdicts = validate_all(&jing, &teikit, &schemas, &outputs)?;
    let validate_secs = t.elapsed().as_secs_f64();

    // 4. Round trip, in process.
    let t = Instant::now();
    let round_trips = round_trip_all(&docs, &out_dir);
    let round_trip_secs = t.elapsed().as_secs_f64();

    // 5. One case per document: its first failure.
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    for (doc, trip) in docs.iter().zip(&round_trips) {
        let mut reasons: Vec<(&str, String)> = Vec::new();
        if let Some(why) = batch.failures.get(&doc.name) {
            reasons.push(("convert", why.clone()));
        } else if missing.contains(&doc.name.as_str()) {
            reasons.push(("convert", "no output written".into()));
        } else {
            for v in &verdicts {
                let jing_says = v.jing.get(&doc.name);
                let teikit_says = v.teikit.get(&doc.name);
                if let Some(why) = jing_says {
                    reasons.push((v.jing_label, format!("jing {}: {why}", v.schema)));
                }
                match (jing_says, teikit_says) {
                    (None, Some(Verdict::Invalid(why))) => reasons.push((
                        v.parity_label,
                        format!("parity {}: jing valid, teikit invalid: {why}", v.schema),
                    )),
                    (Some(_), Some(Verdict::Valid)) => reasons.push((
                        v.parity_label,
                        format!("parity {}: jing invalid, teikit valid", v.schema),
                    )),
                    (_, None) => reasons.push((
                        v.parity_label,
                        format!("parity {}: teikit did not report the file", v.schema),
                    )),
                    _ => {}
                }
            }
            if let Err(why) = trip {
                reasons.push(("round-trip", why.clone()));
            }
        }
        for (label, _) in &reasons {
            *tally.entry(label).or_default() += 1;
        }
        result.record(
            format!("generated/{}", doc.name),
            match reasons.into_iter().next() {
                None => Ok(()),
                Some((_, why)) => Err(why),
            },
        );
    }

    let total = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds()
        .map(|c| format!(" ({c:.0} s of CPU with every child process)"))
        .unwrap_or_default();
    let ok = result
        .passed
        .iter()
        .filter(|n| n.starts_with("generated/"))
        .count();
    println!(
        "generated: {ok} of {count} documents pass; failures by check: {}",
        if tally.is_empty() {
            "none".to_string()
        } else {
            tally
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    println!(
        "generated: convert {convert_secs:.1} s ({:.0} files/s, {:.1} MB/s); build {build_secs:.1} s, \
         generate {gen_secs:.1} s, validate {validate_secs:.1} s (jing + teikit, 2 schemas), \
         round trip {round_trip_secs:.1} s; total {total:.1} s{cpu}",
        count as f64 / convert_secs.max(1e-9),
        input_bytes as f64 / 1e6 / convert_secs.max(1e-9),
    );
    for v in &verdicts {
        println!(
            "generated: {}: jing {:.1} s, {} invalid; teikit {:.1} s, {} invalid",
            v.schema,
            v.jing_secs,
            v.jing.len(),
            v.teikit_secs,
            v.teikit
                .values()
                .filter(|x| matches!(x, Verdict::Invalid(_)))
                .count()
        );
    }
    if std::env::var_os(KEEP_ENV).is_some() {
        let kept = dir.keep();
        println!("generated: inputs and outputs kept in {}", kept.display());
    } else if !result.failed.is_empty() {
        println!("generated: set {KEEP_ENV}=1 to keep the inputs and outputs of the failing cases");
    }
    Ok(result)
}

/// Generates the corpus on every core and writes `in/NNNNN-kind.txt`.
fn generate_all(
    count: usize,
    fragments: &corpus::Fragments,
    in_dir: &Path,
) -> anyhow::Result<Vec<corpus::Generated>> {
    let workers = threads();
    let chunks: Vec<anyhow::Result<Vec<corpus::Generated>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                s.spawn(move || {
                    let mut docs = Vec::new();
                    for i in (w..count).step_by(workers) {
                        let g = corpus::generate(i, SEED, fragments);
                        let path = in_dir.join(format!("{}.txt", g.name));
                        std::fs::write(&path, &g.bytes)
                            .with_context(|| format!("writing {}", path.display()))?;
                        docs.push(g);
                    }
                    Ok(docs)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("generator thread"))
            .collect()
    });
    let mut docs = Vec::with_capacity(count);
    for c in chunks {
        docs.extend(c?);
    }
    docs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(docs)
}

/// User + system CPU time of this process and the children it waited for (Linux
/// `/proc/self/stat`, in clock ticks of 1/100 s), so a run on a busy machine can be told
/// from a slow one.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime, stime, cutime, cstime are fields 14-17 of the whole line, 12-15 here.
    let ticks: u64 = fields
        .get(11..15)?
        .iter()
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Some(ticks as f64 / 100.0)
}

fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

// ---------------------------------------------------------------------------------------------
// the release binary and jing

fn find_jing() -> anyhow::Result<PathBuf> {
    for program in ["/usr/bin/jing", "jing"] {
        if Command::new(program).arg("-h").output().is_ok() {
            return Ok(PathBuf::from(program));
        }
    }
    bail!("the generated suite validates its outputs with jing, and it is not installed: install it (e.g. `apt-get install jing`) and run again")
}

// ---------------------------------------------------------------------------------------------
// conversion

/// What `teikit convert --format json` reported.
struct Batch {
    /// Inputs whose conversion failed, with the first error.
    failures: HashMap<String, String>,
    /// Entries in the report.
    reported: usize,
    /// The exit code.
    code: Option<i32>,
}

/// Runs `teikit convert --format json -O out in` once. Its progress bar reaches the terminal
/// (standard error is inherited); when standard error is not a terminal, a line every few
/// seconds says how far the batch is.
fn convert_batch(
    teikit: &Path,
    in_dir: &Path,
    out_dir: &Path,
    count: usize,
) -> anyhow::Result<Batch> {
    let mut child = Command::new(teikit)
        .arg("convert")
        .args(["--format", "json", "-O"])
        .arg(out_dir)
        .arg(in_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("running {}", teikit.display()))?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let done = AtomicBool::new(false);
    let start = Instant::now();
    let (json, status) = std::thread::scope(|s| {
        if !std::io::stderr().is_terminal() {
            s.spawn(|| {
                let mut last = Instant::now();
                while !done.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    if last.elapsed() >= Duration::from_secs(5) {
                        last = Instant::now();
                        let n = count_xml(out_dir);
                        let secs = start.elapsed().as_secs_f64();
                        eprintln!(
                            "generated: converted {n}/{count} ({:.0} files/s)",
                            n as f64 / secs.max(1e-9)
                        );
                    }
                }
            });
        }
        let mut json = String::new();
        let read = std::io::Read::read_to_string(&mut stdout, &mut json);
        let status = child.wait();
        done.store(true, Ordering::Relaxed);
        (read.map(|_| json), status)
    });
    let json = json.context("reading the output of teikit convert")?;
    let status = status.context("waiting for teikit convert")?;
    let report: serde_json::Value = serde_json::from_str(&json).with_context(|| {
        format!(
            "teikit convert ({status}) did not print a JSON report: {}",
            json.chars().take(300).collect::<String>()
        )
    })?;
    let files = report
        .get("files")
        .and_then(|f| f.as_array())
        .context("the JSON report has no files array")?;
    let mut failures = HashMap::new();
    for f in files {
        if f.get("valid").and_then(|v| v.as_bool()) != Some(false) {
            continue;
        }
        let path = f.get("path").and_then(|p| p.as_str()).unwrap_or_default();
        failures.insert(stem(path), first_error(f));
    }
    Ok(Batch {
        failures,
        reported: files.len(),
        code: status.code(),
    })
}

fn count_xml(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "xml"))
                .count()
        })
        .unwrap_or(0)
}

/// The batch is whole and its exit status agrees with what it reported.
fn batch_consistent(batch: &Batch, missing: &[&str], count: usize) -> Result<(), String> {
    let mut problems = Vec::new();
    if batch.reported != count {
        problems.push(format!(
            "the report names {} of {count} inputs",
            batch.reported
        ));
    }
    let unexplained: Vec<&&str> = missing
        .iter()
        .filter(|m| !batch.failures.contains_key(**m))
        .collect();
    if !unexplained.is_empty() {
        problems.push(format!(
            "{} inputs have no output and no error, e.g. {}",
            unexplained.len(),
            unexplained[0]
        ));
    }
    let want = if batch.failures.is_empty() { 0 } else { 1 };
    if batch.code != Some(want) {
        problems.push(format!(
            "exit status {:?} with {} failed conversions (want {want})",
            batch.code,
            batch.failures.len()
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The file stem of a path as a report or jing prints it: the case name.
fn stem(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The first error diagnostic of a JSON file entry, as `code: message (line L)`.
fn first_error(file: &serde_json::Value) -> String {
    let diags = file
        .get("diagnostics")
        .and_then(|d| d.as_array())
        .cloned()
        .unwrap_or_default();
    let d = diags
        .iter()
        .find(|d| d.get("severity").and_then(|s| s.as_str()) == Some("error"))
        .or(diags.first());
    match d {
        Some(d) => format!(
            "{}: {} (line {})",
            d.get("code").and_then(|c| c.as_str()).unwrap_or("?"),
            d.get("message").and_then(|c| c.as_str()).unwrap_or("?"),
            d.get("line").map(|l| l.to_string()).unwrap_or_default()
        ),
        None => "invalid, without a diagnostic".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// validation

enum Verdict {
    Valid,
    Invalid(String),
}

/// The verdicts of jing and teikit on every output for one schema.
struct Verdicts {
    schema: &'static str,
    jing_label: &'static str,
    parity_label: &'static str,
    /// Documents jing rejects, with its first message.
    jing: HashMap<String, String>,
    jing_secs: f64,
    /// teikit's verdict on every document it reported.
    teikit: HashMap<String, Verdict>,
    teikit_secs: f64,
}

/// jing for both schemas at once (two processes: jing validates on one thread), then teikit
/// for each schema (it uses every core itself).
fn validate_all(
    jing: &Path,
    teikit: &Path,
    schemas: &[(&'static str, &Path); 2],
    docs: &[PathBuf],
) -> anyhow::Result<Vec<Verdicts>> {
    let jing_runs: Vec<anyhow::Result<(HashMap<String, String>, f64)>> = std::thread::scope(|s| {
        let handles: Vec<_> = schemas
            .iter()
            .map(|(_, schema)| {
                s.spawn(move || {
                    let t = Instant::now();
                    let errors = jing_batches(jing, schema, docs)?;
                    Ok((errors, t.elapsed().as_secs_f64()))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("jing thread"))
            .collect()
    });
    let mut out = Vec::new();
    for ((name, schema), jing_run) in schemas.iter().zip(jing_runs) {
        let (jing_errors, jing_secs) = jing_run?;
        let t = Instant::now();
        let teikit_verdicts = teikit_validate(teikit, schema, docs)?;
        let (jing_label, parity_label) = match *name {
            "tei_all" => ("jing-tei_all", "parity-tei_all"),
            _ => ("jing-teikit-archive", "parity-teikit-archive"),
        };
        out.push(Verdicts {
            schema: name,
            jing_label,
            parity_label,
            jing: jing_errors,
            jing_secs,
            teikit: teikit_verdicts,
            teikit_secs: t.elapsed().as_secs_f64(),
        });
    }
    Ok(out)
}

/// Runs jing over the documents in batches; returns the first error line of every document
/// it rejects, by case name. A line naming no document (a schema error, a crash) fails the
/// whole suite: it would make every verdict meaningless.
fn jing_batches(
    jing: &Path,
    schema: &Path,
    docs: &[PathBuf],
) -> anyhow::Result<HashMap<String, String>> {
    let mut errors: HashMap<String, String> = HashMap::new();
    let Some(dir) = docs.first().and_then(|d| d.parent()) else {
        return Ok(errors);
    };
    let names: Vec<&std::ffi::OsStr> = docs.iter().filter_map(|d| d.file_name()).collect();
    for batch in names.chunks(JING_BATCH) {
        let out = Command::new(jing)
            .arg(schema)
            .args(batch)
            .current_dir(dir)
            .output()
            .with_context(|| format!("running {}", jing.display()))?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let mut other = Vec::new();
        for line in text.lines() {
            // The Debian wrapper script warns about optional jars it cannot find.
            if line.trim().is_empty() || line.starts_with("[warning]") {
                continue;
            }
            match jing_line(line) {
                Some((path, message)) => {
                    errors
                        .entry(stem(path))
                        .or_insert_with(|| message.to_string());
                }
                None => other.push(line.to_string()),
            }
        }
        if !other.is_empty() {
            bail!(
                "jing {} reported something about no document: {}",
                schema.display(),
                other.join(" | ")
            );
        }
        if !out.status.success() && errors.is_empty() {
            bail!(
                "jing {} failed ({}) without a message",
                schema.display(),
                out.status
            );
        }
    }
    Ok(errors)
}

/// `path:line:col: error: message` → (path, `line:col: message`).
fn jing_line(line: &str) -> Option<(&str, &str)> {
    let marker = line.find(".xml:")? + 4;
    let (path, rest) = line.split_at(marker);
    let rest = &rest[1..];
    let mut parts = rest.splitn(3, ':');
    let l = parts.next()?;
    let c = parts.next()?;
    if l.parse::<u32>().is_err() || c.parse::<u32>().is_err() {
        return None;
    }
    Some((path, rest))
}

/// `teikit validate --schema S --no-rules --format json` over the documents' folder: the
/// grammar verdict of every file (reference rules are not jing's business).
fn teikit_validate(
    teikit: &Path,
    schema: &Path,
    docs: &[PathBuf],
) -> anyhow::Result<HashMap<String, Verdict>> {
    let Some(dir) = docs.first().and_then(|d| d.parent()) else {
        return Ok(HashMap::new());
    };
    let out = Command::new(teikit)
        .arg("validate")
        .arg("--schema")
        .arg(schema)
        .args(["--no-rules", "--no-xinclude", "--format", "json"])
        .arg(dir)
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running {}", teikit.display()))?;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).with_context(|| {
        format!(
            "teikit validate ({}) did not print a JSON report: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout)
                .chars()
                .take(300)
                .collect::<String>()
        )
    })?;
    let files = report
        .get("files")
        .and_then(|f| f.as_array())
        .context("the JSON report has no files array")?;
    let mut verdicts = HashMap::new();
    for f in files {
        let path = f.get("path").and_then(|p| p.as_str()).unwrap_or_default();
        let verdict = if f.get("valid").and_then(|v| v.as_bool()) == Some(true) {
            Verdict::Valid
        } else {
            Verdict::Invalid(first_error(f))
        };
        verdicts.insert(stem(path), verdict);
    }
    Ok(verdicts)
}

// ---------------------------------------------------------------------------------------------
// round trip

/// `to_text(output) == normalize(input)` for every document that has an output (in
/// process, on every core).
fn round_trip_all(docs: &[corpus::Generated], out_dir: &Path) -> Vec<Result<(), String>> {
    let workers = threads();
    let chunk = docs.len().div_ceil(workers).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = docs
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|d| {
                            let path = out_dir.join(format!("{}.xml", d.name));
                            match std::fs::read_to_string(&path) {
                                Ok(tei) => round_trip(&tei, &String::from_utf8_lossy(&d.bytes)),
                                // No output: the conversion failure is the reason.
                                Err(_) => Ok(()),
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("round-trip thread"))
            .collect()
    })
}

/// The first line where `to_text` differs from the normalised input.
fn round_trip(tei: &str, input: &str) -> Result<(), String> {
    let back = teikit_convert::to_text(tei).map_err(|d| {
        format!(
            "to_text failed: {}",
            d.first().map(|d| d.message.as_str()).unwrap_or("?")
        )
    })?;
    let want = teikit_convert::normalize(input);
    if back == want {
        return Ok(());
    }
    let (mut got_lines, mut want_lines) = (back.lines(), want.lines());
    for n in 1.. {
        match (got_lines.next(), want_lines.next()) {
            (Some(g), Some(w)) if g == w => continue,
            (None, None) => break,
            (g, w) => {
                return Err(format!(
                    "round trip differs at line {n}: got {:?}, want {:?}",
                    g.unwrap_or("<end>"),
                    w.unwrap_or("<end>")
                ))
            }
        }
    }
    Err(format!(
        "round trip differs in line ends: got {} bytes, want {}",
        back.len(),
        want.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jing_lines_name_their_file() {
        assert_eq!(
            jing_line("/tmp/x/out/00042-cable.xml:12:5: error: element \"foo\" not allowed"),
            Some((
                "/tmp/x/out/00042-cable.xml",
                "12:5: error: element \"foo\" not allowed"
            ))
        );
        assert_eq!(jing_line("fatal: cannot load schema"), None);
        assert_eq!(jing_line("/tmp/a.xml:x:y: error"), None);
        assert_eq!(stem("/tmp/x/out/00042-cable.xml"), "00042-cable");
    }

    #[test]
    fn a_batch_with_failures_must_exit_1() {
        let mut failures = HashMap::new();
        failures.insert("00001-cable".to_string(), "x".to_string());
        let batch = Batch {
            failures,
            reported: 2,
            code: Some(0),
        };
        assert!(batch_consistent(&batch, &["00001-cable"], 2).is_err());
        let batch = Batch {
            code: Some(1),
            ..batch
        };
        assert!(batch_consistent(&batch, &["00001-cable"], 2).is_ok());
        assert!(batch_consistent(&batch, &["00002-letter"], 2).is_err());
    }
}
