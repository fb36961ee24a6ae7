//! `cargo xtask bench`: teikit against its peers (jing, teixml, xmllint), side by side, in one
//! run on this machine, written to BENCHMARKS.md.
//!
//! Every measurement runs each command several times and keeps the median wall time (measured
//! here with `Instant`) and the median peak resident set size (from `/usr/bin/time -f %M`, which
//! reports the largest RSS of the command and of every descendant it waited for, so jing's JVM
//! behind its shell wrapper counts). Commands run under coreutils `timeout`. A tool that fails,
//! times out or disagrees with jing is recorded in the status column; nothing aborts the bench
//! except a teikit binary that cannot be built at all.
//!
//! Nothing here asserts anything about timing: the numbers are only reported.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

const USAGE: &str = "usage: cargo xtask bench [--quick] [--runs N] [--large] [--out FILE]

  --quick     fewer runs (3) and no generated 200 MB document, for trying the bench out
  --runs N    runs per measurement (default 5; large documents use at most 3)
  --large     also generate and validate a ~1 GB document
  --out FILE  where to write the report (default: BENCHMARKS.md at the repository root)";

/// How long one command may run before it is killed and recorded as a timeout.
const TIMEOUT: Duration = Duration::from_secs(600);
/// xmllint's RELAX NG validator is far slower on tei_all; it gets less rope.
const XMLLINT_TIMEOUT: Duration = Duration::from_secs(180);
/// Number of transcriptions generated for the convert throughput measurement.
const CONVERT_FILES: usize = 1000;

struct Options {
    runs: usize,
    quick: bool,
    large: bool,
    out: PathBuf,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut opts = Options {
        runs: 5,
        quick: false,
        large: false,
        out: crate::project_root().join("BENCHMARKS.md"),
    };
    let mut runs = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => opts.quick = true,
            "--large" => opts.large = true,
            "--runs" => {
                let n = it.next().context("--runs needs a number")?;
                let n: usize = n.parse().with_context(|| format!("--runs {n:?}"))?;
                if n == 0 {
                    bail!("--runs must be at least 1");
                }
                runs = Some(n);
            }
            "--out" => opts.out = PathBuf::from(it.next().context("--out needs a file")?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown bench option {other:?}\n\n{USAGE}"),
        }
    }
    opts.runs = runs.unwrap_or(if opts.quick { 3 } else { 5 });
    Ok(opts)
}

pub fn run(args: &[String]) -> Result<()> {
    let opts = parse_args(args)?;
    let shared = crate::shared_dir()?;
    let started = now_utc();
    let load_start = read_trimmed("/proc/loadavg");

    let teikit = build_teikit()?;
    let harness = Harness::new()?;
    let tools = Tools::discover(&teikit);

    let tei_all = shared.join("schemas/tei/p5-4.12.0/tei_all.rng");
    let seed = shared.join("design/seed-reference.tei.xml");
    let dta = shared.join("corpora/dta");
    for p in [&tei_all, &seed, &dta] {
        if !p.exists() {
            bail!("missing bench input {}", p.display());
        }
    }

    let mut sections = Vec::new();
    eprintln!("bench: {} runs per measurement", opts.runs);

    sections.push(bench_schema_load(&harness, &tools, &tei_all, opts.runs));
    sections.push(bench_single(&harness, &tools, &tei_all, &seed, opts.runs));
    sections.push(bench_warm_cache(
        &harness, &tools, &tei_all, &seed, opts.runs,
    ));
    sections.push(bench_corpus(
        &harness,
        &tools,
        "DTA soldiers' letters (170 manuscripts) vs basisformat_ms.rng",
        &dta.join("schemas/basisformat_ms.rng"),
        &xml_files(&dta.join("soldatenbriefe"))?,
        opts.runs,
    ));
    sections.push(bench_corpus(
        &harness,
        &tools,
        "DTA prints (Euler 1.1 MB + Kant 3.3 MB) vs basisformat.rng",
        &dta.join("schemas/basisformat.rng"),
        &xml_files(&dta.join("dta-prints"))?,
        opts.runs,
    ));
    let mut sizes = Vec::new();
    if !opts.quick {
        sizes.push(200u64 << 20);
    }
    if opts.large {
        sizes.push(1u64 << 30);
    }
    for size in sizes {
        sections.push(bench_large(
            &harness,
            &tools,
            &tei_all,
            size,
            opts.runs.min(3),
        )?);
    }
    sections.push(bench_convert(
        &harness,
        &tools,
        &crate::project_root().join("samples"),
        opts.runs,
    )?);

    let report = Report {
        started,
        finished: now_utc(),
        load_start,
        load_end: read_trimmed("/proc/loadavg"),
        args: args.join(" "),
        machine: Machine::read(),
        tools: &tools,
        time_available: harness.time.is_some(),
        sections,
    };
    let text = report.render();
    fs::write(&opts.out, &text).with_context(|| format!("writing {}", opts.out.display()))?;
    eprintln!("bench: wrote {}", opts.out.display());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Tools

/// A command-line tool that can be measured: how to call it and which version it is.
struct Tool {
    name: &'static str,
    program: PathBuf,
    version: String,
}

struct Tools {
    teikit: Tool,
    jing: Option<Tool>,
    teixml: Option<Tool>,
    xmllint: Option<Tool>,
    /// Why a peer is missing, for the report.
    missing: Vec<String>,
}

impl Tools {
    fn discover(teikit: &Path) -> Tools {
        let mut missing = Vec::new();
        let teikit = Tool {
            name: "teikit",
            program: teikit.to_path_buf(),
            version: first_line(&capture(teikit, &["--version"])),
        };
        let jing = match which("jing") {
            Some(p) => {
                // `jing` without arguments prints its usage, whose first line names the version;
                // the Debian wrapper adds warnings about optional jars before it.
                let out = capture(&p, &[]);
                let version = out
                    .lines()
                    .find(|l| l.contains("Jing version"))
                    .unwrap_or("unknown version")
                    .trim()
                    .to_string();
                let java = which("java")
                    .map(|j| first_line(&capture(&j, &["-version"])))
                    .unwrap_or_default();
                Some(Tool {
                    name: "jing",
                    program: p,
                    version: if java.is_empty() {
                        version
                    } else {
                        format!("{version} ({java})")
                    },
                })
            }
            None => {
                missing.push("jing: not found on PATH (Debian package `jing`)".to_string());
                None
            }
        };
        let teixml = find_or_install_teixml(&mut missing);
        let xmllint = match which("xmllint") {
            Some(p) => Some(Tool {
                name: "xmllint",
                version: first_line(&capture(&p, &["--version"])),
                program: p,
            }),
            None => {
                missing.push("xmllint: not found (Debian package `libxml2-utils`)".to_string());
                None
            }
        };
        Tools {
            teikit,
            jing,
            teixml,
            xmllint,
            missing,
        }
    }
}

/// `tei-rs` from the `teixml` crate: on PATH, in ~/.cargo/bin, or installed with cargo.
fn find_or_install_teixml(missing: &mut Vec<String>) -> Option<Tool> {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|d| d.join("bin/tei-rs"));
    let found = which("tei-rs").or_else(|| cargo_bin.clone().filter(|p| p.is_file()));
    let program = match found {
        Some(p) => p,
        None => {
            eprintln!(
                "bench: teixml's `tei-rs` is not installed; running `cargo install teixml` \
                 (a one-time build of a few minutes)"
            );
            let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
                .args(["install", "--locked", "teixml"])
                .env_remove("CARGO_TARGET_DIR")
                .status();
            match (status, cargo_bin) {
                (Ok(s), Some(p)) if s.success() && p.is_file() => p,
                (status, _) => {
                    let why = match status {
                        Ok(s) => format!("`cargo install teixml` failed ({s})"),
                        Err(e) => format!("`cargo install teixml` could not start: {e}"),
                    };
                    eprintln!("bench: {why}; benchmarking without teixml");
                    missing.push(format!("teixml: {why}"));
                    return None;
                }
            }
        }
    };
    // tei-rs has no --version; cargo's install list names the crate version.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let version = capture(Path::new(&cargo), &["install", "--list"])
        .lines()
        .find(|l| l.starts_with("teixml "))
        .map(|l| l.trim_end_matches(':').to_string())
        .unwrap_or_else(|| "teixml (version unknown)".to_string());
    Some(Tool {
        name: "teixml",
        program,
        version,
    })
}

/// Builds `teikit` in release mode and returns the binary's path.
fn build_teikit() -> Result<PathBuf> {
    let root = crate::project_root();
    eprintln!("bench: cargo build --release -p teikit");
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--release", "-p", "teikit"])
        .current_dir(&root)
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("`cargo build --release -p teikit` failed ({status})");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|d| if d.is_absolute() { d } else { root.join(d) })
        .unwrap_or_else(|| root.join("target"));
    let bin = target.join("release/teikit");
    if !bin.is_file() {
        bail!("the build succeeded but {} does not exist", bin.display());
    }
    Ok(bin)
}

// ---------------------------------------------------------------------------------------------
// Running and timing

/// Runs commands under `/usr/bin/time` (when present) and `timeout`, with output in a scratch
/// directory.
struct Harness {
    time: Option<PathBuf>,
    scratch: tempfile::TempDir,
}

/// One run of one command.
struct Sample {
    secs: f64,
    rss_kb: Option<u64>,
    /// User + system CPU time of the command and its waited-for descendants.
    cpu_secs: Option<f64>,
    /// The exit code; `None` when killed by a signal.
    code: Option<i32>,
}

/// Several runs of one command, and where the last run's output went.
struct Measurement {
    samples: Vec<Sample>,
    stdout: PathBuf,
    stderr: PathBuf,
    timeout: Duration,
}

impl Harness {
    fn new() -> Result<Harness> {
        let mut time = Some(PathBuf::from("/usr/bin/time")).filter(|p| p.is_file());
        if time.is_none() {
            eprintln!("bench: /usr/bin/time is missing; trying `apt-get install -y time`");
            let ok = Command::new("apt-get")
                .args(["install", "-y", "-q", "time"])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            time = Some(PathBuf::from("/usr/bin/time")).filter(|p| ok && p.is_file());
            if time.is_none() {
                eprintln!("bench: no /usr/bin/time: peak RSS will be reported as n/a");
            }
        }
        Ok(Harness {
            time,
            scratch: tempfile::Builder::new().prefix("teikit-bench-").tempdir()?,
        })
    }

    /// Runs `program args` `runs` times; `before` runs (untimed) before each run.
    fn measure(
        &self,
        program: &Path,
        args: &[OsString],
        runs: usize,
        timeout: Duration,
        before: &dyn Fn(),
    ) -> Measurement {
        let stdout = self.scratch.path().join("stdout");
        let stderr = self.scratch.path().join("stderr");
        let rss_file = self.scratch.path().join("rss");
        let mut samples = Vec::new();
        for i in 0..runs {
            before();
            let mut cmd = match &self.time {
                Some(time) => {
                    let mut c = Command::new(time);
                    c.arg("-f").arg("%M %U %S").arg("-o").arg(&rss_file);
                    c.arg("timeout");
                    c
                }
                None => Command::new("timeout"),
            };
            cmd.args(["-k", "5"])
                .arg(timeout.as_secs().to_string())
                .arg(program)
                .args(args)
                .stdin(Stdio::null());
            let _ = fs::remove_file(&rss_file);
            let (Ok(out), Ok(err)) = (fs::File::create(&stdout), fs::File::create(&stderr)) else {
                break;
            };
            cmd.stdout(out).stderr(err);
            let t0 = Instant::now();
            let status = cmd.status();
            let secs = t0.elapsed().as_secs_f64();
            let code = match status {
                Ok(s) => s.code(),
                Err(_) => None,
            };
            // time(1) writes "Command exited with non-zero status N" before the format's line.
            let (rss_kb, cpu_secs) = fs::read_to_string(&rss_file)
                .ok()
                .and_then(|t| t.lines().last().map(parse_time_line))
                .unwrap_or((None, None));
            eprintln!(
                "bench:   run {}/{runs}: {secs:.3} s, {} KB, exit {}",
                i + 1,
                rss_kb.map_or("?".to_string(), |k: u64| k.to_string()),
                code.map_or("signal".to_string(), |c| c.to_string())
            );
            samples.push(Sample {
                secs,
                rss_kb,
                cpu_secs,
                code,
            });
            if code == Some(124) {
                break; // a timeout will time out again: do not spend the time
            }
        }
        Measurement {
            samples,
            stdout,
            stderr,
            timeout,
        }
    }
}

impl Measurement {
    fn median_secs(&self) -> Option<f64> {
        median(self.samples.iter().map(|s| s.secs).collect())
    }

    fn median_rss_kb(&self) -> Option<f64> {
        median(
            self.samples
                .iter()
                .filter_map(|s| s.rss_kb.map(|k| k as f64))
                .collect(),
        )
    }

    fn median_cpu_secs(&self) -> Option<f64> {
        median(self.samples.iter().filter_map(|s| s.cpu_secs).collect())
    }

    fn min_max_secs(&self) -> Option<(f64, f64)> {
        let mut v: Vec<f64> = self.samples.iter().map(|s| s.secs).collect();
        v.sort_by(f64::total_cmp);
        Some((*v.first()?, *v.last()?))
    }

    /// The exit code every run had, or `None` when runs disagreed or none ran.
    fn code(&self) -> Result<Option<i32>, String> {
        let first = self.samples.first().ok_or("did not run")?.code;
        if self.samples.iter().any(|s| s.code != first) {
            let codes: Vec<String> = self
                .samples
                .iter()
                .map(|s| s.code.map_or("signal".into(), |c| c.to_string()))
                .collect();
            return Err(format!(
                "exit codes differ between runs: {}",
                codes.join(", ")
            ));
        }
        Ok(first)
    }

    fn stdout_text(&self) -> String {
        fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    fn stderr_text(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

/// `%M %U %S` from time(1): peak RSS in KB, user and system seconds.
fn parse_time_line(line: &str) -> (Option<u64>, Option<f64>) {
    let mut parts = line.split_whitespace();
    let rss = parts.next().and_then(|p| p.parse().ok());
    let user: Option<f64> = parts.next().and_then(|p| p.parse().ok());
    let sys: Option<f64> = parts.next().and_then(|p| p.parse().ok());
    (rss, user.zip(sys).map(|(u, s)| u + s))
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// What a validator said about its input, from its exit code.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Verdict {
    Valid,
    Invalid,
    Failed(String),
}

impl Verdict {
    fn label(&self) -> String {
        match self {
            Verdict::Valid => "valid".to_string(),
            Verdict::Invalid => "invalid".to_string(),
            Verdict::Failed(why) => format!("FAILED: {why}"),
        }
    }
}

/// Reads a measurement's verdict: `invalid` is the tool's exit code for "some document is
/// invalid" (1 for teikit and jing, 3 for xmllint).
fn verdict(m: &Measurement, invalid: i32) -> Verdict {
    match m.code() {
        Err(why) => Verdict::Failed(why),
        Ok(Some(0)) => Verdict::Valid,
        Ok(Some(c)) if c == invalid => Verdict::Invalid,
        Ok(Some(124)) => Verdict::Failed(format!("timed out after {} s", m.timeout.as_secs())),
        Ok(Some(c)) => {
            let why = first_meaningful_line(&m.stderr_text())
                .or_else(|| first_meaningful_line(&m.stdout_text()))
                .unwrap_or_default();
            Verdict::Failed(format!("exit {c}: {why}"))
        }
        Ok(None) => Verdict::Failed("killed by a signal".to_string()),
    }
}

/// The first line of a tool's output that is not one of the Debian jing wrapper's warnings.
fn first_meaningful_line(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("[warning]"))
        .map(|l| truncate(l, 160))
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let t: String = s.chars().take(max).collect();
        format!("{t}…")
    }
}

// ---------------------------------------------------------------------------------------------
// The measurements

/// One tool's line in a section's table.
struct Row {
    tool: String,
    command: String,
    m: Measurement,
    status: String,
}

/// One measurement: a title, what was measured, a table of rows and notes.
struct Section {
    title: String,
    about: String,
    rows: Vec<Row>,
    /// Unit for a derived throughput column: (label, work units) → units per second.
    throughput: Option<(&'static str, f64)>,
    notes: Vec<String>,
}

impl Section {
    fn new(title: impl Into<String>, about: impl Into<String>) -> Section {
        Section {
            title: title.into(),
            about: about.into(),
            rows: Vec::new(),
            throughput: None,
            notes: Vec::new(),
        }
    }

    fn find(&self, tool: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.tool == tool)
    }
}

fn os(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
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

fn no_op() {}

/// Schema loading alone: `teikit schema check` vs `jing SCHEMA` (no instance: jing only loads
/// and checks the schema).
fn bench_schema_load(h: &Harness, t: &Tools, schema: &Path, runs: usize) -> Section {
    eprintln!("bench: schema load (tei_all 4.12)");
    let mut s = Section::new(
        "Schema load only: tei_all 4.12",
        "Loading, simplifying and checking tei_all.rng without validating a document. This is \
         the fixed cost every `validate` invocation pays today.",
    );
    let short = [(schema, "tei_all.rng")];
    let args = os(&[&"schema", &"check", &schema]);
    let m = h.measure(&t.teikit.program, &args, runs, TIMEOUT, &no_op);
    let tv = verdict(&m, 1);
    let jv = t.jing.as_ref().map(|jing| {
        let args = os(&[&schema]);
        let m = h.measure(&jing.program, &args, runs, TIMEOUT, &no_op);
        let v = verdict(&m, 1);
        (
            Row {
                tool: "jing".into(),
                command: display_command("jing", &args, &short),
                status: v.label().replace("valid", "schema correct"),
                m,
            },
            v,
        )
    });
    let status = match (&tv, jv.as_ref().map(|(_, v)| v)) {
        (Verdict::Valid, _) => "schema correct".to_string(),
        (other, _) => other.label(),
    };
    s.rows.push(Row {
        tool: "teikit".into(),
        command: display_command("teikit", &args, &short),
        m,
        status,
    });
    if let Some((row, _)) = jv {
        s.rows.push(row);
    }
    s
}

/// One TEI document against tei_all: every tool.
fn bench_single(h: &Harness, t: &Tools, schema: &Path, doc: &Path, runs: usize) -> Section {
    eprintln!("bench: single document");
    let mut s = Section::new(
        "Single TEI document vs tei_all 4.12",
        format!(
            "`{}` ({} KB), the expert encoding of the seed transcription, against \
             tei_all.rng 4.12.0. Each run loads the schema afresh.",
            doc.file_name().unwrap_or_default().to_string_lossy(),
            fs::metadata(doc).map_or(0, |m| m.len() / 1024)
        ),
    );
    let short = [(schema, "tei_all.rng"), (doc, "seed-reference.tei.xml")];
    let jing = t.jing.as_ref().map(|jing| {
        let args = os(&[&schema, &doc]);
        let m = h.measure(&jing.program, &args, runs, TIMEOUT, &no_op);
        (display_command("jing", &args, &short), m)
    });
    let jing_verdict = jing.as_ref().map(|(_, m)| verdict(m, 1));

    let args = os(&[
        &"validate",
        &"--format",
        &"short",
        &"--schema",
        &schema,
        &doc,
    ]);
    let m = h.measure(&t.teikit.program, &args, runs, TIMEOUT, &no_op);
    let v = verdict(&m, 1);
    s.rows.push(Row {
        tool: "teikit".into(),
        command: display_command("teikit", &args, &short),
        status: status_against_jing(&v, jing_verdict.as_ref()),
        m,
    });
    if let (Some((command, m)), Some(v)) = (jing, &jing_verdict) {
        s.rows.push(Row {
            tool: "jing".into(),
            command,
            status: v.label(),
            m,
        });
    }
    if let Some(tx) = &t.teixml {
        let args = teixml_validate_args(schema, &[doc.to_path_buf()]);
        let m = h.measure(&tx.program, &args, runs, TIMEOUT, &no_op);
        let v = verdict(&m, 1);
        s.rows.push(Row {
            tool: "teixml".into(),
            command: display_command("tei-rs", &args, &short),
            status: status_against_jing(&v, jing_verdict.as_ref()),
            m,
        });
    }
    if let Some(xl) = &t.xmllint {
        let args = os(&[&"--noout", &"--relaxng", &schema, &doc]);
        let m = h.measure(&xl.program, &args, runs, XMLLINT_TIMEOUT, &no_op);
        let v = verdict(&m, 3);
        s.rows.push(Row {
            tool: "xmllint".into(),
            command: display_command("xmllint", &args, &short),
            status: status_against_jing(&v, jing_verdict.as_ref()),
            m,
        });
    }
    s
}

/// `tei-rs validate` against the same schema as the others, RELAX NG only: teixml would also
/// run the Schematron rules embedded in TEI schemas, which neither teikit nor jing does.
fn teixml_validate_args(schema: &Path, docs: &[PathBuf]) -> Vec<OsString> {
    let mut args = os(&[&"validate", &"--no-schematron", &"--schema", &schema]);
    args.extend(docs.iter().map(|d| d.as_os_str().to_os_string()));
    args
}

/// Cold vs warm compiled-schema cache, when `teikit schema compile` exists.
fn bench_warm_cache(h: &Harness, t: &Tools, schema: &Path, doc: &Path, runs: usize) -> Section {
    eprintln!("bench: compiled-schema cache");
    let mut s = Section::new(
        "teikit validate: cold vs warm compiled-schema cache",
        "The same validation as above, after `teikit schema compile tei_all.rng`.",
    );
    let compile = Command::new(&t.teikit.program)
        .args([OsString::from("schema"), "compile".into(), schema.into()])
        .stdin(Stdio::null())
        .output();
    match compile {
        Ok(out) if out.status.success() => {
            let short = [(schema, "tei_all.rng"), (doc, "seed-reference.tei.xml")];
            let args = os(&[
                &"validate",
                &"--format",
                &"short",
                &"--schema",
                &schema,
                &doc,
            ]);
            let m = h.measure(&t.teikit.program, &args, runs, TIMEOUT, &no_op);
            let v = verdict(&m, 1);
            s.rows.push(Row {
                tool: "teikit (warm)".into(),
                command: display_command("teikit", &args, &short),
                status: v.label(),
                m,
            });
        }
        Ok(out) => {
            let why = first_meaningful_line(&String::from_utf8_lossy(&out.stderr))
                .unwrap_or_else(|| format!("{}", out.status));
            s.notes.push(format!(
                "Warm cache: **not available** — `teikit schema compile` does not work yet \
                 ({why})."
            ));
        }
        Err(e) => s.notes.push(format!(
            "Warm cache: **not available** — could not run `teikit schema compile`: {e}"
        )),
    }
    s
}

/// A set of files in one invocation per tool.
fn bench_corpus(
    h: &Harness,
    t: &Tools,
    title: &str,
    schema: &Path,
    files: &[PathBuf],
    runs: usize,
) -> Section {
    eprintln!("bench: corpus: {title}");
    let bytes: u64 = files
        .iter()
        .filter_map(|f| fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let schema_name = schema.file_name().unwrap_or_default().to_string_lossy();
    let mut s = Section::new(
        title,
        format!(
            "{} files, {:.1} MB in all, passed as one list of paths to a single invocation of \
             each tool, against `{schema_name}`.",
            files.len(),
            bytes as f64 / 1e6
        ),
    );
    let dir = files
        .first()
        .and_then(|f| f.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let files_label = format!("<{} files>", files.len());
    let schema_label = schema_name.to_string();

    let mut targs = os(&[&"validate", &"--format", &"json", &"--schema", &schema]);
    targs.extend(files.iter().map(|f| f.as_os_str().to_os_string()));
    let tm = h.measure(&t.teikit.program, &targs, runs, TIMEOUT, &no_op);
    let tv = verdict(&tm, 1);
    let tcount = teikit_invalid_files(&tm.stdout_text());

    let jing = t.jing.as_ref().map(|jing| {
        let mut args = os(&[&schema]);
        args.extend(files.iter().map(|f| f.as_os_str().to_os_string()));
        let m = h.measure(&jing.program, &args, runs, TIMEOUT, &no_op);
        let v = verdict(&m, 1);
        let invalid = jing_invalid_files(&m.stdout_text(), files);
        (args, m, v, invalid)
    });

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

    let jing_invalid = jing.as_ref().and_then(|j| j.3.clone());
    let mut tstatus = match (&tv, &tcount) {
        (Verdict::Failed(_), _) => tv.label(),
        (_, Some(invalid)) => format!("{} of {} files invalid", invalid.len(), files.len()),
        (_, None) => tv.label(),
    };
    if let (Some(ti), Some(ji), false) = (&tcount, &jing_invalid, matches!(tv, Verdict::Failed(_)))
    {
        if ti == ji {
            tstatus.push_str(" (same files as jing)");
        } else {
            let only_t: Vec<&String> = ti.iter().filter(|f| !ji.contains(f)).collect();
            let only_j: Vec<&String> = ji.iter().filter(|f| !ti.contains(f)).collect();
            tstatus.push_str(&format!(
                " — DIFFERS from jing: {} invalid only for teikit{}, {} only for jing{}",
                only_t.len(),
                example(&only_t),
                only_j.len(),
                example(&only_j)
            ));
        }
    }
    s.rows.push(Row {
        tool: "teikit".into(),
        command: shorten(&targs, "teikit"),
        m: tm,
        status: tstatus,
    });
    if let Some((args, m, v, invalid)) = jing {
        let status = match (&v, invalid) {
            (Verdict::Failed(_), _) | (_, None) => v.label(),
            (_, Some(i)) => format!("{} of {} files invalid", i.len(), files.len()),
        };
        s.rows.push(Row {
            tool: "jing".into(),
            command: shorten(&args, "jing"),
            m,
            status,
        });
    }
    if let Some(tx) = &t.teixml {
        let args = teixml_validate_args(schema, files);
        let m = h.measure(&tx.program, &args, runs, TIMEOUT, &no_op);
        let v = verdict(&m, 1);
        let invalid = jing_invalid_files(&m.stdout_text(), files);
        let mut status = match (&v, &invalid) {
            (Verdict::Failed(_), _) | (_, None) => v.label(),
            (_, Some(i)) => format!("{} of {} files invalid", i.len(), files.len()),
        };
        if let (Some(xi), Some(ji), false) =
            (&invalid, &jing_invalid, matches!(v, Verdict::Failed(_)))
        {
            if xi == ji {
                status.push_str(" (same files as jing)");
            } else {
                status.push_str(" — differs from jing");
            }
        }
        s.rows.push(Row {
            tool: "teixml".into(),
            command: shorten(&args, "tei-rs"),
            m,
            status,
        });
    }
    s
}

fn example(files: &[&String]) -> String {
    match files.first() {
        Some(f) => format!(" (e.g. {f})"),
        None => String::new(),
    }
}

/// File names reported invalid in teikit's `--format json` output.
fn teikit_invalid_files(json: &str) -> Option<Vec<String>> {
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
fn jing_invalid_files(out: &str, files: &[PathBuf]) -> Option<Vec<String>> {
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

/// A generated TEI document of about `size` bytes against tei_all.
fn bench_large(h: &Harness, t: &Tools, schema: &Path, size: u64, runs: usize) -> Result<Section> {
    let label = if size >= 1 << 30 {
        format!("{} GB", size >> 30)
    } else {
        format!("{} MB", size >> 20)
    };
    eprintln!("bench: generating a {label} TEI document");
    let dir = tempfile::Builder::new()
        .prefix("teikit-bench-large-")
        .tempdir()?;
    let doc = dir.path().join("large.tei.xml");
    let (written, divs) = generate_large_tei(&doc, size)?;
    let mut s = Section::new(
        format!("Generated {label} TEI document vs tei_all 4.12"),
        format!(
            "One generated document of {:.0} MB ({divs} `<div>`s of paragraphs with names, dates, \
             highlighting, notes and line breaks), valid against tei_all. Peak memory is the \
             point: a streaming validator stays flat, a tree-building one grows with the input.",
            written as f64 / 1e6
        ),
    );
    let short = [(schema, "tei_all.rng"), (doc.as_path(), "large.tei.xml")];
    let jing = t.jing.as_ref().map(|jing| {
        eprintln!("bench:  jing");
        let args = os(&[&schema, &doc]);
        let m = h.measure(&jing.program, &args, runs, TIMEOUT, &no_op);
        (display_command("jing", &args, &short), m)
    });
    let jing_verdict = jing.as_ref().map(|(_, m)| verdict(m, 1));
    eprintln!("bench:  teikit");
    let args = os(&[
        &"validate",
        &"--format",
        &"short",
        &"--schema",
        &schema,
        &doc,
    ]);
    let m = h.measure(&t.teikit.program, &args, runs, TIMEOUT, &no_op);
    let v = verdict(&m, 1);
    s.rows.push(Row {
        tool: "teikit".into(),
        command: display_command("teikit", &args, &short),
        status: status_against_jing(&v, jing_verdict.as_ref()),
        m,
    });
    if let (Some((command, m)), Some(v)) = (jing, &jing_verdict) {
        s.rows.push(Row {
            tool: "jing".into(),
            command,
            status: v.label(),
            m,
        });
    }
    if let Some(tx) = &t.teixml {
        eprintln!("bench:  teixml");
        let args = teixml_validate_args(schema, std::slice::from_ref(&doc));
        let m = h.measure(&tx.program, &args, runs, TIMEOUT, &no_op);
        let v = verdict(&m, 1);
        s.rows.push(Row {
            tool: "teixml".into(),
            command: display_command("tei-rs", &args, &short),
            status: status_against_jing(&v, jing_verdict.as_ref()),
            m,
        });
    }
    s.throughput = Some(("MB/s", written as f64 / 1e6));
    Ok(s)
}

/// Writes a TEI document of at least `size` bytes by repeating varied, valid divisions.
/// Returns the bytes written and the number of divisions.
fn generate_large_tei(path: &Path, size: u64) -> Result<(u64, usize)> {
    let file = fs::File::create(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<TEI xmlns=\"http://www.tei-c.org/ns/1.0\" xml:lang=\"en\">\n\
<teiHeader><fileDesc><titleStmt><title>Generated benchmark document</title></titleStmt>\
<publicationStmt><p>Generated by cargo xtask bench.</p></publicationStmt>\
<sourceDesc><p>Synthetic: repeated divisions.</p></sourceDesc></fileDesc></teiHeader>\n\
<text><body>\n";
    let tail = "</body></text>\n</TEI>\n";
    w.write_all(head.as_bytes())?;
    let mut written = (head.len() + tail.len()) as u64;
    let places = [
        "Moscow",
        "Beijing",
        "Havana",
        "Budapest",
        "Pyongyang",
        "Prague",
    ];
    let people = [
        "Shtykov",
        "Zhou Enlai",
        "Castro",
        "Nagy",
        "Kim Il Sung",
        "Molotov",
    ];
    let mut divs = 0usize;
    let mut div = String::new();
    while written < size {
        div.clear();
        let i = divs;
        let place = places[i % places.len()];
        let person = people[(i / 7) % people.len()];
        let day = i % 28 + 1;
        let month = i / 28 % 12 + 1;
        let _ = write!(
            div,
            "<div type=\"letter\" n=\"{i}\" xml:id=\"d{i}\">\n\
<head>Letter {i} from <placeName>{place}</placeName></head>\n\
<opener><dateline><placeName>{place}</placeName>, <date when=\"1950-{month:02}-{day:02}\">{day} \
{month} 1950</date></dateline><salute>Dear Comrade <persName>{person}</persName>,</salute></opener>\n\
<p>The delegation arrived in <placeName>{place}</placeName> on the <date when=\"1950-{month:02}-{day:02}\">\
{day}th</date> and was received by <persName ref=\"#d{}\">{person}</persName>.<lb/>\
The talks covered <hi rend=\"italic\">trade</hi>, <hi rend=\"underline\">credit</hi> and the \
exchange of specialists<note place=\"bottom\">See the memorandum of the same day.</note>.</p>\n\
<p>Further questions <unclear reason=\"illegible\">were</unclear> deferred; <gap reason=\"illegible\" \
quantity=\"3\" unit=\"word\"/> the next meeting is planned for <date>spring</date>.<lb/>\
<choice><abbr>Cde.</abbr><expan>Comrade</expan></choice> {person} sends greetings.</p>\n\
<closer><salute>With comradely greetings,</salute><signed><persName>{person}</persName></signed></closer>\n\
</div>\n",
            // A pointer to an earlier division, so that every reference resolves.
            i.saturating_sub(1)
        );
        w.write_all(div.as_bytes())?;
        written += div.len() as u64;
        divs += 1;
    }
    w.write_all(tail.as_bytes())?;
    w.flush()?;
    Ok((written, divs))
}

/// `teikit convert` over many transcriptions generated from samples/*.txt.
fn bench_convert(h: &Harness, t: &Tools, samples: &Path, runs: usize) -> Result<Section> {
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
        let m = h.measure(&t.teikit.program, &args, runs, TIMEOUT, &clear);
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

// ---------------------------------------------------------------------------------------------
// The report

struct Machine {
    cpu: String,
    cores: usize,
    mem_total: String,
    kernel: String,
}

impl Machine {
    fn read() -> Machine {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
            .map_or("unknown".to_string(), |(_, v)| v.trim().to_string());
        let cores = cpuinfo
            .lines()
            .filter(|l| l.starts_with("processor"))
            .count();
        let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let mem_total = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or("unknown".to_string(), |kb| {
                format!("{:.1} GiB", kb / 1024.0 / 1024.0)
            });
        Machine {
            cpu,
            cores,
            mem_total,
            kernel: read_trimmed("/proc/sys/kernel/osrelease"),
        }
    }
}

struct Report<'a> {
    started: String,
    finished: String,
    load_start: String,
    load_end: String,
    args: String,
    machine: Machine,
    tools: &'a Tools,
    time_available: bool,
    sections: Vec<Section>,
}

fn fmt_secs(s: Option<f64>) -> String {
    match s {
        Some(s) if s < 10.0 => format!("{s:.3}"),
        Some(s) => format!("{s:.1}"),
        None => "n/a".to_string(),
    }
}

fn fmt_mib(kb: Option<f64>) -> String {
    kb.map_or("n/a".to_string(), |kb| format!("{:.1}", kb / 1024.0))
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "n/a".to_string(),
    }
}

/// Escapes a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

impl Report<'_> {
    fn render(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "# Benchmarks\n");
        let _ = writeln!(
            o,
            "Written by `cargo xtask bench{}{}` ({}, finished {}). Every number below comes \
             from that one run on the machine described here; re-run the task to refresh them. \
             Wall times are medians over the runs (min–max in brackets), peak RSS and CPU time \
             (user + system, all threads and child processes) are medians of `/usr/bin/time -f \
             \"%M %U %S\"`. On a busy machine CPU time is the steadier figure, as wall time \
             includes waiting for a core; jing's CPU time includes the JVM's JIT and garbage \
             collector threads, and teikit validates a batch on all cores. Ratios are teikit ÷ peer: below 1× teikit is faster or \
             smaller.\n",
            if self.args.is_empty() { "" } else { " " },
            self.args,
            self.started,
            self.finished
        );
        let _ = writeln!(o, "## Machine\n");
        let _ = writeln!(
            o,
            "- CPU: {} ({} logical cores)\n- Memory: {}\n- Linux {}\n- Load average \
             (1/5/15 min, running/total, last pid) at start: `{}`; at end: `{}`. The machine is \
             shared with other builds, so absolute times are noisy; compare tools within a \
             table, which ran back to back.\n",
            self.machine.cpu,
            self.machine.cores,
            self.machine.mem_total,
            self.machine.kernel,
            self.load_start,
            self.load_end
        );
        if !self.time_available {
            let _ = writeln!(o, "`/usr/bin/time` was not available: peak RSS is n/a.\n");
        }
        let _ = writeln!(o, "## Tools\n");
        let _ = writeln!(o, "| tool | version | binary |\n|---|---|---|");
        let t = self.tools;
        for tool in std::iter::once(&t.teikit).chain(
            [&t.jing, &t.teixml, &t.xmllint]
                .into_iter()
                .filter_map(Option::as_ref),
        ) {
            let _ = writeln!(
                o,
                "| {} | {} | `{}` |",
                tool.name,
                cell(&tool.version),
                tool.program.display()
            );
        }
        for m in &t.missing {
            let _ = writeln!(o, "\nNot benchmarked: {m}.");
        }
        let _ = writeln!(o);

        let _ = writeln!(o, "## Summary: teikit ÷ peer\n");
        let _ = writeln!(
            o,
            "| measurement | teikit wall (s) | ÷ jing | ÷ teixml | teikit CPU (s) | ÷ jing | ÷ teixml | teikit peak RSS (MiB) | ÷ jing | ÷ teixml |\n|---|---|---|---|---|---|---|---|---|---|"
        );
        for s in &self.sections {
            let Some(tk) = s.find("teikit") else { continue };
            let (tw, tc, tr) = (
                tk.m.median_secs(),
                tk.m.median_cpu_secs(),
                tk.m.median_rss_kb(),
            );
            let peer = |name: &str| {
                s.find(name).map(|r| {
                    (
                        r.m.median_secs(),
                        r.m.median_cpu_secs(),
                        r.m.median_rss_kb(),
                    )
                })
            };
            let (jw, jc, jr) = peer("jing").unwrap_or((None, None, None));
            let (xw, xc, xr) = peer("teixml").unwrap_or((None, None, None));
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                cell(&s.title),
                fmt_secs(tw),
                ratio(tw, jw),
                ratio(tw, xw),
                fmt_secs(tc),
                ratio(tc, jc),
                ratio(tc, xc),
                fmt_mib(tr),
                ratio(tr, jr),
                ratio(tr, xr)
            );
        }
        let _ = writeln!(o);

        for (n, s) in self.sections.iter().enumerate() {
            let _ = writeln!(o, "## {}. {}\n\n{}\n", n + 1, s.title, s.about);
            if !s.rows.is_empty() {
                let tp = s
                    .throughput
                    .map(|(unit, _)| format!(" {unit} |"))
                    .unwrap_or_default();
                let _ = writeln!(
                    o,
                    "| tool | median wall (s) | CPU user+sys (s) | peak RSS (MiB) |{tp} teikit ÷ this (wall) | teikit ÷ this (CPU) | teikit ÷ this (RSS) | runs | status |"
                );
                let _ = writeln!(
                    o,
                    "|---|---|---|---|{}---|---|---|---|---|",
                    if tp.is_empty() { "" } else { "---|" }
                );
                let base = s.rows.first().map(|r| {
                    (
                        r.m.median_secs(),
                        r.m.median_cpu_secs(),
                        r.m.median_rss_kb(),
                    )
                });
                for r in &s.rows {
                    let w = r.m.median_secs();
                    let rss = r.m.median_rss_kb();
                    let range =
                        r.m.min_max_secs()
                            .map(|(a, b)| format!(" ({}–{})", fmt_secs(Some(a)), fmt_secs(Some(b))))
                            .unwrap_or_default();
                    let tpv = s
                        .throughput
                        .map(|(_, units)| match w {
                            Some(w) if w > 0.0 => format!(" {:.1} |", units / w),
                            _ => " n/a |".to_string(),
                        })
                        .unwrap_or_default();
                    let cpu = r.m.median_cpu_secs();
                    let (bw, bcpu, brss) = base.unwrap_or((None, None, None));
                    let _ = writeln!(
                        o,
                        "| {} | {}{} | {} | {} |{} {} | {} | {} | {} | {} |",
                        r.tool,
                        fmt_secs(w),
                        range,
                        fmt_secs(cpu),
                        fmt_mib(rss),
                        tpv,
                        ratio(bw, w),
                        ratio(bcpu, cpu),
                        ratio(brss, rss),
                        r.m.samples.len(),
                        cell(&r.status)
                    );
                }
                let _ = writeln!(o, "\nCommands:\n");
                for r in &s.rows {
                    let _ = writeln!(o, "- {}: `{}`", r.tool, r.command);
                }
                let _ = writeln!(o);
            }
            for note in &s.notes {
                let _ = writeln!(o, "{note}\n");
            }
        }
        o
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Standard output and standard error of a quick command, concatenated (empty when it fails to
/// start).
fn capture(program: &Path, args: &[&str]) -> String {
    match Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
    {
        Ok(out) => {
            let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
            s.push_str(&String::from_utf8_lossy(&out.stderr));
            s
        }
        Err(_) => String::new(),
    }
}

fn first_line(s: &str) -> String {
    first_meaningful_line(s).unwrap_or_default()
}

fn read_trimmed(path: &str) -> String {
    fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".to_string())
}

fn now_utc() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown date".to_string())
}

/// Every `*.xml` file under `dir`, sorted.
fn xml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "xml") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_line_parses() {
        assert_eq!(parse_time_line("1234 0.50 0.25"), (Some(1234), Some(0.75)));
        assert_eq!(parse_time_line("garbage"), (None, None));
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }

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
    fn options_parse() {
        let o = parse_args(&["--quick".into()]).unwrap();
        assert_eq!(o.runs, 3);
        assert!(o.quick && !o.large);
        let o = parse_args(&["--runs".into(), "7".into(), "--large".into()]).unwrap();
        assert_eq!(o.runs, 7);
        assert!(o.large);
        assert!(parse_args(&["--runs".into(), "0".into()]).is_err());
        assert!(parse_args(&["--bogus".into()]).is_err());
    }
}
