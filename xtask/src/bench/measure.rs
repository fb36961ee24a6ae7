//! The measurements: each one runs the tools on the same input, taking turns, and returns a
//! [`Section`] of the report.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use super::harness::{first_meaningful_line, verdict, Cmd, Harness, Job, Measurement, Verdict};
use super::Tools;

/// The benchmarks' TEI generator (`tei_document`, the in-memory form, is for the divan benches).
#[allow(dead_code)]
#[path = "../../../crates/xml/benches/support/tei.rs"]
mod tei;

/// How long one command may run before it is killed and recorded as a timeout.
pub const TIMEOUT: Duration = Duration::from_secs(600);
/// xmllint's RELAX NG validator is far slower on tei_all; it gets less rope.
const XMLLINT_TIMEOUT: Duration = Duration::from_secs(180);
/// Number of transcriptions generated for the convert throughput measurement.
const CONVERT_FILES: usize = 1000;

/// What a section measures, for the summary's targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    SchemaLoad,
    Single,
    Dta,
    Large { bytes: u64 },
    Convert,
}

/// One tool's line in a section's table.
pub struct Row {
    pub tool: String,
    pub command: String,
    pub m: Measurement,
    pub status: String,
}

/// One measurement: a title, what was measured, a table of rows and notes.
pub struct Section {
    pub kind: Kind,
    pub title: String,
    pub about: String,
    pub rows: Vec<Row>,
    /// Unit for a derived throughput column: (label, work units) → units per second.
    pub throughput: Option<(&'static str, f64)>,
    pub notes: Vec<String>,
}

impl Section {
    fn new(kind: Kind, title: impl Into<String>, about: impl Into<String>) -> Section {
        Section {
            kind,
            title: title.into(),
            about: about.into(),
            rows: Vec::new(),
            throughput: None,
            notes: Vec::new(),
        }
    }

    pub fn find(&self, tool: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.tool == tool)
    }
}

/// Tool names of teikit's rows in the single-document measurement.
pub const TEIKIT_COLD: &str = "teikit (cold cache)";
pub const TEIKIT_WARM: &str = "teikit (warm cache)";

/// What this teikit binary can do about compiled schemas and streaming, found by asking it.
pub struct Features {
    /// `teikit schema compile` works (`Err`: why not).
    pub compile: Result<(), String>,
    /// `teikit validate --no-cache` exists.
    pub no_cache: bool,
    /// `teikit validate --stream` exists.
    pub stream: bool,
}

impl Features {
    /// Asks the binary: `validate --help` for flags, and a real `schema compile` of `schema`
    /// into an empty cache folder (a compile that exits 0 but writes nothing does not count).
    pub fn detect(teikit: &Path, schema: &Path, scratch: &Path) -> Features {
        let help = Cmd::new(
            teikit,
            vec!["validate".into(), "--help".into()],
            Duration::from_secs(30),
        )
        .run_once()
        .1;
        let dir = scratch.join("cache-probe");
        let _ = fs::remove_dir_all(&dir);
        let _ = fs::create_dir_all(&dir);
        let (ok, out) = compile_cmd(teikit, schema, &dir).run_once();
        let wrote = fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some());
        let compile = match (ok, wrote) {
            (true, true) => Ok(()),
            (true, false) => Err(
                "`teikit schema compile` exited 0 but wrote no cache entry into \
                                  TEIKIT_CACHE_DIR"
                    .to_string(),
            ),
            (false, _) => Err(format!(
                "`teikit schema compile` failed: {}",
                first_meaningful_line(&out).unwrap_or_default()
            )),
        };
        let _ = fs::remove_dir_all(&dir);
        Features {
            compile,
            no_cache: help.contains("--no-cache"),
            stream: help.contains("--stream"),
        }
    }
}

fn compile_cmd(teikit: &Path, schema: &Path, cache: &Path) -> Cmd {
    Cmd::new(
        teikit,
        os(&[&"schema", &"compile", &schema]),
        Duration::from_secs(300),
    )
    .env("TEIKIT_CACHE_DIR", cache)
}

/// Everything a measurement needs: the harness, the tools, what teikit can do, the runs.
pub struct Ctx<'a> {
    pub h: &'a Harness,
    pub t: &'a Tools,
    pub features: &'a Features,
    pub runs: usize,
    /// How long one command may run before it is killed and recorded as a timeout.
    pub timeout: Duration,
    /// The compiled-schema cache teikit uses outside the cold measurement, warmed with
    /// `teikit schema compile` for each schema before it is measured.
    pub warm_cache: PathBuf,
    /// Emptied before every cold run.
    pub cold_cache: PathBuf,
}

impl Ctx<'_> {
    /// `teikit ARGS` with `TEIKIT_CACHE_DIR` pointing at `cache`, so that the bench never reads
    /// or writes the user's own cache.
    fn teikit(&self, args: Vec<OsString>, cache: &Path) -> Cmd {
        Cmd::new(&self.t.teikit.program, args, self.timeout).env("TEIKIT_CACHE_DIR", cache)
    }

    /// Compiles `schema` into the warm cache when `schema compile` works; says what it did.
    fn warm_up(&self, schema: &Path) -> String {
        match &self.features.compile {
            Ok(()) => {
                let (ok, out) =
                    compile_cmd(&self.t.teikit.program, schema, &self.warm_cache).run_once();
                if ok {
                    "teikit ran with a warm compiled-schema cache (`teikit schema compile` first, \
                     untimed)."
                        .to_string()
                } else {
                    format!(
                        "teikit ran without a warm cache: `teikit schema compile` failed on this \
                         schema ({}).",
                        first_meaningful_line(&out).unwrap_or_default()
                    )
                }
            }
            Err(why) => format!("teikit ran without a compiled-schema cache ({why})."),
        }
    }

    fn measure(&self, cmd: &Cmd) -> Measurement {
        self.h.measure(cmd, self.runs, &no_op)
    }
}

fn no_op() {}

pub fn os(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    args.iter().map(|a| a.as_ref().to_os_string()).collect()
}

fn display_command(tool: &str, args: &[OsString], shorten: &[(&Path, &str)]) -> String {
    let mut s = tool.to_string();
    for a in args {
        let mut a = a.to_string_lossy().into_owned();
        for (path, short) in shorten {
            a = a.replace(&*path.to_string_lossy(), short);
        }
        s.push(' ');
        s.push_str(&a);
    }
    s
}

/// Compares a tool's verdict with jing's, which is the reference.
fn status_against_jing(v: &Verdict, jing: Option<&Verdict>) -> String {
    match (v, jing) {
        (Verdict::Failed(_), _) => v.label(),
        (_, Some(j @ (Verdict::Valid | Verdict::Invalid))) if j != v => {
            format!("{} — DIFFERS from jing ({})", v.label(), j.label())
        }
        (_, Some(Verdict::Valid | Verdict::Invalid)) => format!("{} (agrees with jing)", v.label()),
        _ => v.label(),
    }
}

/// `teikit validate --format short --schema SCHEMA DOC` plus `extra` flags.
fn teikit_validate_args(extra: &[&str], schema: &Path, doc: &Path) -> Vec<OsString> {
    let mut args = os(&[&"validate", &"--format", &"short"]);
    args.extend(extra.iter().map(OsString::from));
    args.extend(os(&[&"--schema", &schema, &doc]));
    args
}

/// `tei-rs validate` against the same schema as the others, RELAX NG only: teixml would also
/// run the Schematron rules embedded in TEI schemas, which neither teikit nor jing does.
fn teixml_validate_args(schema: &Path, docs: &[PathBuf]) -> Vec<OsString> {
    let mut args = os(&[&"validate", &"--no-schematron", &"--schema", &schema]);
    args.extend(docs.iter().map(|d| d.as_os_str().to_os_string()));
    args
}

/// The commands of one section, measured together with [`Harness::measure_interleaved`].
struct Plan<'a> {
    jobs: Vec<(String, Cmd, &'a dyn Fn())>,
}

impl<'a> Plan<'a> {
    fn new() -> Plan<'a> {
        Plan { jobs: Vec::new() }
    }

    fn add(&mut self, tool: &str, cmd: Cmd, before: &'a dyn Fn()) {
        self.jobs.push((tool.to_string(), cmd, before));
    }

    /// Measures every command, taking turns; returns (tool, command, measurement) in the
    /// order they were added.
    fn measure(self, c: &Ctx<'_>) -> Vec<(String, Cmd, Measurement)> {
        let names: Vec<&str> = self.jobs.iter().map(|(t, _, _)| t.as_str()).collect();
        eprintln!("bench:  {} (taking turns)", names.join(", "));
        let jobs: Vec<Job<'_>> = self
            .jobs
            .iter()
            .map(|(tool, cmd, before)| Job {
                name: tool,
                cmd,
                before: *before,
            })
            .collect();
        let ms = c.h.measure_interleaved(&jobs, c.runs);
        self.jobs
            .into_iter()
            .zip(ms)
            .map(|((tool, cmd, _), m)| (tool, cmd, m))
            .collect()
    }
}

/// Schema loading alone: `teikit schema check` vs `jing SCHEMA` (no instance: jing only loads
/// and checks the schema).
pub fn schema_load(c: &Ctx<'_>, schema: &Path) -> Section {
    eprintln!("bench: schema load (tei_all 4.12)");
    let mut s = Section::new(
        Kind::SchemaLoad,
        "Schema load only: tei_all 4.12",
        "Loading, simplifying and checking tei_all.rng from source without validating a \
         document: the fixed cost of a `validate` with a cold compiled-schema cache.",
    );
    let short = [(schema, "tei_all.rng")];
    let reset = || reset_dir(&c.cold_cache);
    let mut plan = Plan::new();
    let args = os(&[&"schema", &"check", &schema]);
    plan.add("teikit", c.teikit(args, &c.cold_cache), &reset);
    if let Some(jing) = &c.t.jing {
        let cmd = Cmd::new(&jing.program, os(&[&schema]), c.timeout);
        plan.add("jing", cmd, &no_op);
    }
    for (tool, cmd, m) in plan.measure(c) {
        let status = match (verdict(&m, 1), tool.as_str()) {
            (Verdict::Valid, _) => "schema correct".to_string(),
            (other, "jing") => other.label().replace("valid", "schema correct"),
            (other, _) => other.label(),
        };
        s.rows.push(Row {
            command: display_command(
                if tool == "jing" { "jing" } else { "teikit" },
                &cmd.args,
                &short,
            ),
            tool,
            m,
            status,
        });
    }
    s
}

fn reset_dir(dir: &Path) {
    let _ = fs::remove_dir_all(dir);
    let _ = fs::create_dir_all(dir);
}

/// One TEI document against tei_all: teikit with a cold and a warm compiled-schema cache (and
/// without one, when `--no-cache` exists), and every peer.
pub fn single(c: &Ctx<'_>, schema: &Path, doc: &Path) -> Section {
    eprintln!("bench: single document");
    let mut s = Section::new(
        Kind::Single,
        "Single TEI document vs tei_all 4.12",
        format!(
            "`{}` ({} KB), the expert encoding of the seed transcription, against \
             tei_all.rng 4.12.0. **Cold cache**: `TEIKIT_CACHE_DIR` is an empty folder before \
             every run, so teikit loads the schema from source (and stores it). **Warm cache**: \
             after `teikit schema compile tei_all.rng` into the same folder for every run. The \
             peers have no cache: each run loads the schema afresh.",
            doc.file_name().unwrap_or_default().to_string_lossy(),
            fs::metadata(doc).map_or(0, |m| m.len() / 1024)
        ),
    );
    let short = [(schema, "tei_all.rng"), (doc, "seed-reference.tei.xml")];
    let reset = || reset_dir(&c.cold_cache);
    let mut plan = Plan::new();
    // jing first: its verdict is the reference for the others.
    if let Some(jing) = &c.t.jing {
        plan.add(
            "jing",
            Cmd::new(&jing.program, os(&[&schema, &doc]), c.timeout),
            &no_op,
        );
    }
    let args = teikit_validate_args(&[], schema, doc);
    plan.add(TEIKIT_COLD, c.teikit(args.clone(), &c.cold_cache), &reset);
    match &c.features.compile {
        Ok(()) => {
            s.notes.push(c.warm_up(schema));
            plan.add(TEIKIT_WARM, c.teikit(args, &c.warm_cache), &no_op);
        }
        Err(why) => s
            .notes
            .push(format!("Warm cache: **not available** — {why}.")),
    }
    if c.features.no_cache {
        let args = teikit_validate_args(&["--no-cache"], schema, doc);
        plan.add("teikit --no-cache", c.teikit(args, &c.cold_cache), &reset);
    } else {
        s.notes
            .push("`teikit validate --no-cache`: not available in this build.".to_string());
    }
    if let Some(tx) = &c.t.teixml {
        let args = teixml_validate_args(schema, &[doc.to_path_buf()]);
        plan.add("teixml", Cmd::new(&tx.program, args, c.timeout), &no_op);
    }
    let (rows, jv) = document_rows(plan.measure(c), &short);
    s.rows.extend(rows);
    if let Some(xl) = &c.t.xmllint {
        // Seconds per run: measured on its own, after the others.
        eprintln!("bench:  xmllint");
        let args = os(&[&"--noout", &"--relaxng", &schema, &doc]);
        let m = c.measure(&Cmd::new(&xl.program, args.clone(), XMLLINT_TIMEOUT));
        s.rows.push(Row {
            tool: "xmllint".into(),
            command: display_command("xmllint", &args, &short),
            status: status_against_jing(&verdict(&m, 3), jv.as_ref()),
            m,
        });
    }
    s
}

/// The rows of a one-document measurement: teikit's first, then the peers, each checked
/// against jing's verdict, which is returned too.
fn document_rows(
    measured: Vec<(String, Cmd, Measurement)>,
    short: &[(&Path, &str)],
) -> (Vec<Row>, Option<Verdict>) {
    let jv = measured
        .iter()
        .find(|(tool, _, _)| tool == "jing")
        .map(|(_, _, m)| verdict(m, 1));
    let mut rows = Vec::new();
    let mut peers = Vec::new();
    for (tool, cmd, m) in measured {
        let (shown, status) = match tool.as_str() {
            "jing" => ("jing", verdict(&m, 1).label()),
            "teixml" => ("tei-rs", status_against_jing(&verdict(&m, 1), jv.as_ref())),
            _ => ("teikit", status_against_jing(&verdict(&m, 1), jv.as_ref())),
        };
        let row = Row {
            command: display_command(shown, &cmd.args, short),
            tool,
            m,
            status,
        };
        if shown == "teikit" {
            rows.push(row);
        } else {
            peers.push(row);
        }
    }
    rows.extend(peers);
    (rows, jv)
}

/// A set of files in one invocation per tool.
pub fn corpus(c: &Ctx<'_>, title: &str, schema: &Path, files: &[PathBuf]) -> Section {
    eprintln!("bench: corpus: {title}");
    let bytes: u64 = files
        .iter()
        .filter_map(|f| fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let schema_name = schema.file_name().unwrap_or_default().to_string_lossy();
    let mut s = Section::new(
        Kind::Dta,
        title,
        format!(
            "{} files, {:.1} MB in all, passed as one list of paths to a single invocation of \
             each tool, against `{schema_name}`.",
            files.len(),
            bytes as f64 / 1e6
        ),
    );
    s.throughput = Some(("files/s", files.len() as f64));
    s.notes.push(c.warm_up(schema));
    let dir = files
        .first()
        .and_then(|f| f.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let files_label = format!("<{} files>", files.len());
    let schema_label = schema_name.to_string();
    let shorten = |args: &[OsString], tool: &str| {
        let mut shown: Vec<OsString> = Vec::new();
        let mut elided = false;
        for a in args {
            if Path::new(a).starts_with(&dir) && Path::new(a) != schema {
                if !elided {
                    shown.push(files_label.clone().into());
                    elided = true;
                }
            } else {
                shown.push(a.clone());
            }
        }
        display_command(tool, &shown, &[(schema, &schema_label)])
    };
    let paths = || files.iter().map(|f| f.as_os_str().to_os_string());

    let mut plan = Plan::new();
    let mut targs = os(&[&"validate", &"--format", &"json", &"--schema", &schema]);
    targs.extend(paths());
    plan.add("teikit", c.teikit(targs, &c.warm_cache), &no_op);
    if let Some(jing) = &c.t.jing {
        let mut args = os(&[&schema]);
        args.extend(paths());
        plan.add("jing", Cmd::new(&jing.program, args, c.timeout), &no_op);
    }
    if let Some(tx) = &c.t.teixml {
        let args = teixml_validate_args(schema, files);
        plan.add("teixml", Cmd::new(&tx.program, args, c.timeout), &no_op);
    }
    let measured = plan.measure(c);
    let invalid_of = |tool: &str, m: &Measurement| {
        let out = m.stdout_text();
        if tool == "teikit" {
            teikit_invalid_files(&out)
        } else {
            jing_invalid_files(&out, files)
        }
    };
    let jing_invalid = measured
        .iter()
        .find(|(tool, _, _)| tool == "jing")
        .and_then(|(tool, _, m)| invalid_of(tool, m));
    for (tool, cmd, m) in measured {
        let v = verdict(&m, 1);
        let invalid = invalid_of(&tool, &m);
        let (shown, reference) = match tool.as_str() {
            "jing" => ("jing", None),
            "teixml" => ("tei-rs", jing_invalid.as_ref()),
            _ => ("teikit", jing_invalid.as_ref()),
        };
        s.rows.push(Row {
            command: shorten(&cmd.args, shown),
            status: corpus_status(&v, invalid.as_ref(), reference, files.len()),
            tool,
            m,
        });
    }
    s
}

/// "N of M files invalid", compared with jing's list of invalid files when given.
fn corpus_status(
    v: &Verdict,
    invalid: Option<&Vec<String>>,
    jing: Option<&Vec<String>>,
    total: usize,
) -> String {
    let Some(invalid) = invalid.filter(|_| !v.failed()) else {
        return v.label();
    };
    let mut status = format!("{} of {total} files invalid", invalid.len());
    match jing {
        Some(ji) if ji == invalid => status.push_str(" (same files as jing)"),
        Some(ji) => {
            let only_here: Vec<&String> = invalid.iter().filter(|f| !ji.contains(f)).collect();
            let only_jing: Vec<&String> = ji.iter().filter(|f| !invalid.contains(f)).collect();
            let _ = write!(
                status,
                " — DIFFERS from jing: {} invalid only here{}, {} only for jing{}",
                only_here.len(),
                example(&only_here),
                only_jing.len(),
                example(&only_jing)
            );
        }
        None => {}
    }
    status
}

fn example(files: &[&String]) -> String {
    match files.first() {
        Some(f) => format!(" (e.g. {f})"),
        None => String::new(),
    }
}

/// File names reported invalid in teikit's `--format json` output.
pub fn teikit_invalid_files(json: &str) -> Option<Vec<String>> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let mut out: Vec<String> = v
        .get("files")?
        .as_array()?
        .iter()
        .filter(|f| f.get("valid").and_then(|v| v.as_bool()) == Some(false))
        .filter_map(|f| f.get("path")?.as_str().map(file_name))
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

/// File names that jing reported an error for (`PATH:LINE:COL: error: …` lines).
pub fn jing_invalid_files(out: &str, files: &[PathBuf]) -> Option<Vec<String>> {
    let mut names: Vec<String> = files
        .iter()
        .filter(|f| {
            let prefix = format!("{}:", f.display());
            out.lines().any(|l| l.starts_with(&prefix))
        })
        .map(|f| file_name(&f.to_string_lossy()))
        .collect();
    names.sort();
    Some(names)
}

fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

/// "200 MB", "1 GB".
pub fn size_label(size: u64) -> String {
    if size >= 1 << 30 {
        format!("{} GB", size >> 30)
    } else {
        format!("{} MB", size >> 20)
    }
}

/// A generated TEI document of about `size` bytes against tei_all: peak RSS is the point.
pub fn large(c: &Ctx<'_>, schema: &Path, size: u64) -> Result<Section> {
    let label = size_label(size);
    eprintln!("bench: generating a {label} TEI document");
    let dir = tempfile::Builder::new()
        .prefix("teikit-bench-large-")
        .tempdir()?;
    let doc = dir.path().join("large.tei.xml");
    let (written, divs) = generate_large_tei(&doc, size)?;
    let mut s = Section::new(
        Kind::Large { bytes: size },
        format!("Generated {label} TEI document vs tei_all 4.12"),
        format!(
            "One generated document of {:.0} MB ({divs} `<div>`s of paragraphs with names, dates, \
             highlighting, notes and line breaks), valid against tei_all. Peak memory is the \
             point: a streaming validator stays flat, a tree-building one grows with the input. \
             {} run(s) per tool.",
            written as f64 / 1e6,
            c.runs
        ),
    );
    s.throughput = Some(("MB/s", written as f64 / 1e6));
    s.notes.push(c.warm_up(schema));
    s.notes.push(if c.features.stream {
        "teikit ran with its default settings (`validate --stream` exists; the CLI chooses \
         streaming for large files by itself)."
            .to_string()
    } else {
        "`teikit validate --stream` is not available in this build: teikit builds the tree."
            .to_string()
    });
    s.notes.push(
        "xmllint is not run on generated documents: it needs 7 s for an 11 KB document against \
         tei_all and builds the whole tree in memory."
            .to_string(),
    );
    let short = [(schema, "tei_all.rng"), (doc.as_path(), "large.tei.xml")];
    let mut plan = Plan::new();
    if let Some(jing) = &c.t.jing {
        let cmd = Cmd::new(&jing.program, os(&[&schema, &doc]), c.timeout);
        plan.add("jing", cmd, &no_op);
    }
    let args = teikit_validate_args(&[], schema, &doc);
    plan.add("teikit", c.teikit(args, &c.warm_cache), &no_op);
    if let Some(tx) = &c.t.teixml {
        let args = teixml_validate_args(schema, std::slice::from_ref(&doc));
        plan.add("teixml", Cmd::new(&tx.program, args, c.timeout), &no_op);
    }
    let (rows, _) = document_rows(plan.measure(c), &short);
    s.rows.extend(rows);
    Ok(s)
}

/// Writes a TEI document of at least `size` bytes, letter by letter (the generator of the
/// micro-benchmarks, so the large documents have the same markup). Returns the bytes written
/// and the number of letters.
pub fn generate_large_tei(path: &Path, size: u64) -> Result<(u64, usize)> {
    let file = fs::File::create(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    w.write_all(tei::HEAD.as_bytes())?;
    let mut written = (tei::HEAD.len() + tei::TAIL.len()) as u64;
    let mut divs = 0usize;
    let mut div = String::new();
    while written < size {
        div.clear();
        tei::write_div(&mut div, divs);
        w.write_all(div.as_bytes())?;
        written += div.len() as u64;
        divs += 1;
    }
    w.write_all(tei::TAIL.as_bytes())?;
    w.flush()?;
    Ok((written, divs))
}

/// `teikit convert` over many transcriptions generated from samples/*.txt.
pub fn convert(c: &Ctx<'_>, samples: &Path) -> Result<Section> {
    eprintln!("bench: convert throughput");
    let mut inputs: Vec<PathBuf> = fs::read_dir(samples)
        .with_context(|| format!("reading {}", samples.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    inputs.sort();
    if inputs.is_empty() {
        bail!("no samples/*.txt to convert");
    }
    let dir = tempfile::Builder::new()
        .prefix("teikit-bench-convert-")
        .tempdir()?;
    let in_dir = dir.path().join("in");
    let out_dir = dir.path().join("out");
    fs::create_dir_all(&in_dir)?;
    let mut bytes = 0u64;
    for i in 0..CONVERT_FILES {
        let src = &inputs[i % inputs.len()];
        let text = fs::read(src)?;
        bytes += text.len() as u64;
        let stem = src.file_stem().unwrap_or_default().to_string_lossy();
        fs::write(in_dir.join(format!("{i:04}-{stem}.txt")), text)?;
    }
    let mut s = Section::new(
        Kind::Convert,
        format!("Convert throughput: {CONVERT_FILES} transcriptions"),
        format!(
            "{CONVERT_FILES} transcriptions ({:.1} MB), copies of the {} files in samples/, \
             converted by one `teikit convert -O` invocation into a fresh output folder. No peer \
             converts this input format.",
            bytes as f64 / 1e6,
            inputs.len()
        ),
    );
    let clear = || {
        let _ = fs::remove_dir_all(&out_dir);
    };
    for jobs in [None, Some(1)] {
        let mut args = os(&[&"convert", &"--format", &"json", &"-O", &out_dir]);
        if let Some(j) = jobs {
            args.push("-j".into());
            args.push(j.to_string().into());
        }
        args.push(in_dir.clone().into());
        let m =
            c.h.measure(&c.teikit(args.clone(), &c.warm_cache), c.runs, &clear);
        let v = verdict(&m, 1);
        let status = match (&v, convert_summary(&m.stdout_text())) {
            (Verdict::Failed(_), _) => v.label(),
            (_, Some((ok, failed))) => format!("{ok} converted, {failed} failed"),
            (_, None) => v.label(),
        };
        s.rows.push(Row {
            tool: match jobs {
                None => "teikit".into(),
                Some(j) => format!("teikit -j {j}"),
            },
            command: display_command(
                "teikit",
                &args,
                &[(out_dir.as_path(), "OUT"), (in_dir.as_path(), "IN")],
            ),
            m,
            status,
        });
    }
    s.throughput = Some(("files/s", CONVERT_FILES as f64));
    Ok(s)
}

/// (converted, failed) from `teikit convert --format json`.
fn convert_summary(json: &str) -> Option<(usize, usize)> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let files = v.get("files")?.as_array()?;
    let failed = files
        .iter()
        .filter(|f| f.get("valid").and_then(|v| v.as_bool()) == Some(false))
        .count();
    Some((files.len() - failed, failed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_document_is_well_formed_and_large_enough() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.xml");
        let (written, divs) = generate_large_tei(&path, 100_000).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.len() as u64, written);
        assert!(written >= 100_000);
        let doc = roxmltree::Document::parse(&text).unwrap();
        let count = doc
            .descendants()
            .filter(|n| n.has_tag_name(("http://www.tei-c.org/ns/1.0", "div")))
            .count();
        assert_eq!(count, divs);
        // xml:id values must be unique for the document to be valid.
        let mut ids: Vec<&str> = doc
            .descendants()
            .filter_map(|n| n.attribute(("http://www.w3.org/XML/1998/namespace", "id")))
            .collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
        // Every pointer resolves, so teikit's reference checks report nothing.
        for r in doc.descendants().filter_map(|n| n.attribute("ref")) {
            let target = r.strip_prefix('#').unwrap();
            assert!(ids.binary_search(&target).is_ok(), "dangling {r}");
        }
    }

    #[test]
    fn jing_output_names_invalid_files() {
        let files = vec![PathBuf::from("/c/a.xml"), PathBuf::from("/c/b.xml")];
        let out = "/c/b.xml:3:4: error: element \"x\" not allowed here\n";
        assert_eq!(
            jing_invalid_files(out, &files),
            Some(vec!["b.xml".to_string()])
        );
    }

    #[test]
    fn teikit_json_names_invalid_files() {
        let json = r#"{"version":1,"files":[{"path":"/c/a.xml","valid":true},
            {"path":"/c/b.xml","valid":false}],"summary":{}}"#;
        assert_eq!(teikit_invalid_files(json), Some(vec!["b.xml".to_string()]));
        assert_eq!(teikit_invalid_files("not json"), None);
    }

    #[test]
    fn corpus_status_compares_with_jing() {
        let a = vec!["a.xml".to_string()];
        let b = vec!["b.xml".to_string()];
        assert_eq!(
            corpus_status(&Verdict::Invalid, Some(&a), Some(&a), 2),
            "1 of 2 files invalid (same files as jing)"
        );
        assert!(corpus_status(&Verdict::Invalid, Some(&a), Some(&b), 2).contains("DIFFERS"));
        assert!(
            corpus_status(&Verdict::Failed("x".into()), Some(&a), None, 2).starts_with("FAILED")
        );
    }
}
