//! `teikit convert`: transcriptions → TEI P5.
//!
//! Destinations: `-o FILE` (one input); `-O DIR` writes `DIR/<relative path>.xml` (the path
//! relative to the folder an input was found in, or its file name; `stdin.xml` for `-`);
//! without either, teikit.toml's `[convert] out-dir`, else one input (or stdin) goes to
//! standard output and several inputs are written beside themselves as `NAME.xml`. Files are
//! written atomically (temporary file `.teikit-*.tmp` in the same folder, fsync, rename; each
//! output folder is synced once at the end), an input is never overwritten, and one failing
//! input does not stop the batch. `--check` converts and reports but writes nothing.
//! Diagnostics go to standard output, or to standard error when the TEI itself goes to
//! standard output.
//!
//! Metadata: `--manifest` (or `[convert] manifest`) gives an entry per file name; a sidecar
//! `NAME.meta.toml` or `NAME.meta.json` beside `NAME.txt` replaces it (both sidecars present
//! is an error for that input). Authority files come from `--authority` (else `[convert]
//! authority`); the command line always wins over teikit.toml.
//!
//! Interruption (SIGINT, SIGTERM, SIGHUP): no new conversion starts, the ones under way finish
//! (their file is complete or never renamed into place), the `--report` lists what was done
//! with `"interrupted": true`, and the exit status is 130. A second signal exits at once.

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use teikit_diagnostics::{Diagnostic, FileReport, Severity};

use crate::args::ConvertArgs;
use crate::codes;
use crate::config;
use crate::inputs::{self, Input};
use crate::output::{OutputConfig, Printer, Stream};
use crate::{write_result, Failure, Status};

/// Where one input's TEI goes.
#[derive(Clone, Debug)]
enum Dest {
    Stdout,
    File(PathBuf),
    /// `--check`: the TEI is dropped.
    Discard,
}

/// The settled configuration of one `convert` run.
struct Config {
    jobs: Vec<(Input, Dest)>,
    options: teikit_convert::Options,
    /// Metadata by input file name, from `--manifest` or `[convert] manifest`.
    /// The manifest as shown (its path) and its entries.
    manifest: Option<(String, teikit_convert::Manifest)>,
    output: OutputConfig,
    threads: Option<usize>,
    /// `--report FILE.json`.
    report: Option<PathBuf>,
    interrupt: Interrupt,
    started: Instant,
}

/// What became of one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Converted,
    Failed,
    /// The batch was interrupted before this input was started.
    NotStarted,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Converted => "converted",
            State::Failed => "failed",
            State::NotStarted => "not-started",
        }
    }
}

struct Outcome {
    /// The input as reported.
    path: String,
    state: State,
    /// The input's report first, then one for an incorrect sidecar.
    reports: Vec<FileReport>,
    /// TEI for standard output (written in input order by the main thread).
    stdout: Option<String>,
    /// The file written.
    written: Option<PathBuf>,
    /// Where the metadata came from: a sidecar's path or the manifest's.
    metadata: Option<String>,
    fatal: bool,
    /// Errors, warnings and infos over `reports` (kept once the reports are printed).
    counts: [usize; 3],
}

impl Outcome {
    fn new(path: String, reports: Vec<FileReport>) -> Outcome {
        let state = if reports.iter().all(|r| r.valid) {
            State::Converted
        } else {
            State::Failed
        };
        Outcome {
            path,
            state,
            reports,
            stdout: None,
            written: None,
            metadata: None,
            fatal: false,
            counts: [0; 3],
        }
    }

    /// Counts the diagnostics of the reports, before they are handed to the printer.
    fn settle(&mut self) {
        let of = |s| self.reports.iter().map(|r| r.count(s)).sum();
        self.counts = [
            of(Severity::Error),
            of(Severity::Warning),
            of(Severity::Info),
        ];
    }

    fn count(&self, severity: Severity) -> usize {
        match severity {
            Severity::Error => self.counts[0],
            Severity::Warning => self.counts[1],
            _ => self.counts[2],
        }
    }
}

/// Counts SIGINT/SIGTERM/SIGHUP received: the first asks the batch to stop starting
/// conversions, the second exits at once.
#[derive(Clone, Default)]
struct Interrupt(Arc<AtomicUsize>);

impl Interrupt {
    fn install() -> Interrupt {
        let interrupt = Interrupt::default();
        let count = interrupt.0.clone();
        // Installing fails only when a handler already exists (never: one run per process);
        // the default action (terminate) then remains.
        let _ = ctrlc::set_handler(move || {
            if count.fetch_add(1, Ordering::SeqCst) == 0 {
                eprintln!(
                    "\nteikit: interrupted: finishing the conversions under way, starting no new one (interrupt again to stop at once)"
                );
            } else {
                eprintln!("teikit: interrupted again: stopping now; temporary .teikit-*.tmp files may remain");
                std::process::exit(i32::from(Status::Interrupted.code()));
            }
        });
        interrupt
    }

    fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst) > 0
    }
}

pub fn run(args: ConvertArgs) -> Result<Status, Failure> {
    let started = Instant::now();
    let interrupt = Interrupt::install();
    let errors_out = OutputConfig::resolve(&args.output, Stream::Stderr);
    let section = match config::discover() {
        Ok(c) => c.map(|c| c.convert).unwrap_or_default(),
        Err(report) => {
            super::schema::print_reports_stderr(vec![*report], &errors_out);
            return Err(Failure::error(format!(
                "{} is incorrect: nothing was converted",
                config::FILE_NAME
            )));
        }
    };
    let inputs = inputs::expand(&args.inputs, &["txt"])?;
    let jobs = if args.check {
        inputs.into_iter().map(|i| (i, Dest::Discard)).collect()
    } else {
        let out_dir = match (&args.output_file, &args.out_dir) {
            (None, None) => section.out_dir.as_deref(),
            (_, dir) => dir.as_deref(),
        };
        destinations(inputs, args.output_file.as_deref(), out_dir)?
    };
    refuse_overwrites(&jobs, args.report.as_deref())?;
    let to_stdout = jobs.iter().any(|(_, d)| matches!(d, Dest::Stdout));
    let stream = if to_stdout {
        Stream::Stderr
    } else {
        Stream::Stdout
    };
    let mut options = teikit_convert::Options::default();
    if let Some(lang) = args.original_lang.or(section.original_lang) {
        options.original_lang = lang;
    }
    let authority_files = if args.authority.is_empty() {
        section.authority
    } else {
        args.authority
    };
    options.authority = load_authorities(&authority_files, &errors_out)?;
    let manifest = match args.manifest.or(section.manifest) {
        Some(path) => Some((
            path.display().to_string(),
            load_manifest(&path, &jobs, &errors_out)?,
        )),
        None => None,
    };
    if let Some(path) = args.profile.or(section.profile) {
        let shown = path.display().to_string();
        let (bytes, text) = read_text(&path, "profile")?;
        match teikit_convert::parse_profile(&text) {
            Ok(profile) => options.profile = Some(profile),
            Err(diags) => {
                let report = FileReport::new(shown.clone(), Some(bytes.into()), diags);
                super::schema::print_reports_stderr(vec![report], &errors_out);
                return Err(Failure::error(format!(
                    "incorrect profile {shown}: nothing was converted"
                )));
            }
        }
    }
    let writes_files = jobs.iter().any(|(_, d)| matches!(d, Dest::File(_)));
    let config = Config {
        jobs,
        options,
        manifest,
        output: OutputConfig::resolve(&args.output, stream),
        threads: args
            .jobs
            .or_else(|| writes_files.then(default_file_threads)),
        report: args.report,
        interrupt,
        started,
    };
    execute(&config)
}

/// Threads for a batch that writes files: conversion is CPU-bound but each output is
/// synced to disk before its rename, which waits on the device, so more threads than CPUs
/// keep the CPUs busy (measured on 1,000 samples with 2 CPUs: 16 threads 3.4 s, 2 threads
/// 4.2 s, median of 5).
fn default_file_threads() -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cpus * 8).min(64)
}

/// Reads the authority files; an incorrect one is printed with its diagnostics and stops the
/// run (exit 2) before any conversion.
fn load_authorities(
    files: &[PathBuf],
    output: &OutputConfig,
) -> Result<Vec<teikit_convert::Authority>, Failure> {
    let mut all = Vec::new();
    let mut bad = Vec::new();
    for file in files {
        let shown = file.display().to_string();
        let (bytes, text) = read_text(file, "authority file")?;
        match teikit_convert::load_authority(&text, &shown) {
            Ok(entries) => all.extend(entries),
            Err(diags) => bad.push(FileReport::new(shown, Some(bytes.into()), diags)),
        }
    }
    if bad.is_empty() {
        return Ok(all);
    }
    let names: Vec<String> = bad.iter().map(|r| r.path.clone()).collect();
    super::schema::print_reports_stderr(bad, output);
    Err(Failure::error(format!(
        "incorrect authority file {}: nothing was converted",
        names.join(", ")
    )))
}

/// Reads a manifest (CSV, TSV or JSON by its extension). An incorrect one is printed with
/// its diagnostics and stops the run (exit 2); entries that name no input are a warning.
fn load_manifest(
    path: &Path,
    jobs: &[(Input, Dest)],
    output: &OutputConfig,
) -> Result<teikit_convert::Manifest, Failure> {
    let shown = path.display().to_string();
    let format = teikit_convert::ManifestFormat::from_path(&shown).ok_or_else(|| {
        Failure::usage(format!(
            "manifest {shown}: name it .csv, .tsv or .json so its format is known"
        ))
    })?;
    let (bytes, text) = read_text(path, "manifest")?;
    let manifest = match teikit_convert::parse_manifest(&text, format) {
        Ok(m) => m,
        Err(diags) => {
            let report = FileReport::new(shown.clone(), Some(bytes.into()), diags);
            super::schema::print_reports_stderr(vec![report], output);
            return Err(Failure::error(format!(
                "incorrect manifest {shown}: nothing was converted"
            )));
        }
    };
    let keys: HashSet<String> = jobs.iter().flat_map(|(i, _)| manifest_keys(i)).collect();
    let unmatched: Vec<&str> = manifest
        .iter()
        .map(|(name, _)| name)
        .filter(|name| !keys.contains(*name))
        .collect();
    if !unmatched.is_empty() {
        let shown_names: Vec<&str> = unmatched.iter().copied().take(5).collect();
        let more = unmatched.len() - shown_names.len();
        let d = Diagnostic::warning(
            codes::MANIFEST_UNMATCHED,
            format!(
                "{} manifest entr{} name{} no input: {}{}",
                unmatched.len(),
                if unmatched.len() == 1 { "y" } else { "ies" },
                if unmatched.len() == 1 { "s" } else { "" },
                shown_names.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
        )
        .with_help("a row's file is matched against each input's path below the folder given, then its file name");
        let report = FileReport::new(shown, Some(bytes.into()), vec![d]);
        super::schema::print_reports_stderr(vec![report], output);
    }
    Ok(manifest)
}

/// The names a manifest row may use for an input: its path below the folder it was found in
/// (with `/`), and its file name.
fn manifest_keys(input: &Input) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(rel) = input.relative() {
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        keys.push(parts.join("/"));
    }
    if let Input::File { path, .. } = input {
        if let Some(name) = path.file_name() {
            keys.push(name.to_string_lossy().into_owned());
        }
    }
    keys
}

/// A configuration file's bytes and text; unreadable or non-UTF-8 is exit 2.
fn read_text(path: &Path, what: &str) -> Result<(Vec<u8>, String), Failure> {
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::error(format!(
            "cannot read {what} {}: {}",
            path.display(),
            inputs::io_reason(&e)
        ))
    })?;
    let text = String::from_utf8(bytes.clone())
        .map_err(|_| Failure::error(format!("{what} {} is not UTF-8 text", path.display())))?;
    Ok((bytes, text))
}

fn destinations(
    inputs: Vec<Input>,
    file: Option<&Path>,
    dir: Option<&Path>,
) -> Result<Vec<(Input, Dest)>, Failure> {
    if let Some(file) = file {
        if inputs.len() != 1 {
            return Err(Failure::usage(format!(
                "-o FILE takes exactly one input, got {}; use -O DIR for several",
                inputs.len()
            )));
        }
        return Ok(inputs
            .into_iter()
            .map(|i| (i, Dest::File(file.to_path_buf())))
            .collect());
    }
    if let Some(dir) = dir {
        return Ok(inputs
            .into_iter()
            .map(|i| {
                let rel = i
                    .relative()
                    .unwrap_or_else(|| PathBuf::from("stdin"))
                    .with_extension("xml");
                let dest = Dest::File(dir.join(rel));
                (i, dest)
            })
            .collect());
    }
    if inputs.len() == 1 {
        return Ok(inputs.into_iter().map(|i| (i, Dest::Stdout)).collect());
    }
    inputs
        .into_iter()
        .map(|i| match &i {
            Input::File { path, .. } => {
                let out = path.with_extension("xml");
                Ok((i, Dest::File(out)))
            }
            Input::Stdin(_) => Err(Failure::usage(
                "standard input among several inputs needs -O DIR to name its output",
            )),
        })
        .collect()
}

/// Refuses (exit 2, before any work) outputs that are inputs or that two inputs share, and a
/// report that would overwrite an input or an output.
fn refuse_overwrites(jobs: &[(Input, Dest)], report: Option<&Path>) -> Result<(), Failure> {
    let inputs: HashSet<PathBuf> = jobs
        .iter()
        .filter_map(|(i, _)| match i {
            Input::File { path, .. } => Some(normalize(path)),
            Input::Stdin(_) => None,
        })
        .collect();
    let mut seen = HashSet::new();
    for (input, dest) in jobs {
        let Dest::File(out) = dest else { continue };
        let n = normalize(out);
        if inputs.contains(&n) {
            return Err(Failure::usage(format!(
                "refusing to overwrite input {} with the TEI of {}",
                out.display(),
                input.display()
            )));
        }
        if !seen.insert(n) {
            return Err(Failure::usage(format!(
                "two inputs would be written to {}",
                out.display()
            )));
        }
    }
    if let Some(report) = report {
        let n = normalize(report);
        if inputs.contains(&n) || seen.contains(&n) {
            return Err(Failure::usage(format!(
                "refusing to write the report over {}, an input or output of this batch",
                report.display()
            )));
        }
    }
    Ok(())
}

/// An absolute path with `.` and `..` resolved and its longest existing prefix canonicalized
/// (symlinks), so two spellings of one file compare equal.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut lexical = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other.as_os_str()),
        }
    }
    let mut rest = Vec::new();
    let mut prefix = lexical.as_path();
    loop {
        if let Ok(real) = prefix.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (prefix.file_name(), prefix.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                prefix = parent;
            }
            _ => return lexical,
        }
    }
}

fn execute(config: &Config) -> Result<Status, Failure> {
    let mut printer = Printer::new(&config.output, config.jobs.len(), "converted");
    let mut fatal = false;
    let mut closed = false;
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(config.jobs.len());
    super::ordered_parallel(
        &config.jobs,
        config.threads,
        None,
        |(input, dest), emit| {
            if config.interrupt.is_set() {
                let mut o = Outcome::new(input.display(), Vec::new());
                o.state = State::NotStarted;
                return emit.send(o);
            }
            emit.send(convert_one(input, dest, config))
        },
        |mut outcome| {
            fatal |= outcome.fatal;
            outcome.settle();
            // Once output is closed, outcomes are still collected: files are being written
            // and the report must list them.
            if !closed {
                if let Some(tei) = outcome.stdout.take() {
                    let mut out = std::io::stdout().lock();
                    closed |=
                        write_result(out.write_all(tei.as_bytes()).and_then(|()| out.flush()))?
                            .is_none();
                }
                for report in std::mem::take(&mut outcome.reports) {
                    if closed {
                        break;
                    }
                    closed |= write_result(printer.push(report))?.is_none();
                }
            }
            outcomes.push(outcome);
            Ok(true)
        },
    )?;
    sync_folders(&outcomes);
    let interrupted = config.interrupt.is_set();
    let totals = Totals::of(&outcomes, config.started.elapsed().as_secs_f64());
    if let Some(path) = &config.report {
        let json = report_json(&outcomes, &totals, interrupted);
        write_atomic(path, json.as_bytes()).map_err(|e| {
            Failure::error(format!(
                "cannot write the report {}: {}",
                path.display(),
                inputs::io_reason(&e)
            ))
        })?;
    }
    if !closed && write_result(printer.finish())?.is_none() {
        closed = true;
    }
    if !config.output.quiet && !config.jobs.iter().all(|(_, d)| matches!(d, Dest::Stdout)) {
        eprintln!("teikit: {}", totals.line(interrupted));
    }
    Ok(if interrupted {
        Status::Interrupted
    } else if closed {
        Status::Success
    } else if fatal {
        Status::Error
    } else if totals.failed > 0 {
        Status::Failure
    } else {
        Status::Success
    })
}

/// Counts over a batch, for the report and the summary line.
#[derive(serde::Serialize)]
struct Totals {
    inputs: usize,
    converted: usize,
    with_warnings: usize,
    failed: usize,
    not_started: usize,
    errors: usize,
    warnings: usize,
    seconds: f64,
}

impl Totals {
    fn of(outcomes: &[Outcome], seconds: f64) -> Totals {
        let of = |s| outcomes.iter().filter(|o| o.state == s).count();
        Totals {
            inputs: outcomes.len(),
            converted: of(State::Converted),
            with_warnings: outcomes
                .iter()
                .filter(|o| o.state == State::Converted && o.count(Severity::Warning) > 0)
                .count(),
            failed: of(State::Failed),
            not_started: of(State::NotStarted),
            errors: outcomes.iter().map(|o| o.count(Severity::Error)).sum(),
            warnings: outcomes.iter().map(|o| o.count(Severity::Warning)).sum(),
            seconds: (seconds * 1000.0).round() / 1000.0,
        }
    }

    /// `converted 997 (12 with warnings), failed 3, in 2.61 s`.
    fn line(&self, interrupted: bool) -> String {
        let mut line = format!(
            "converted {} ({} with warnings), failed {}",
            self.converted, self.with_warnings, self.failed
        );
        if interrupted {
            line = format!(
                "interrupted: {line}, not started {} of {}",
                self.not_started, self.inputs
            );
        }
        format!("{line}, in {:.2} s", self.seconds)
    }
}

/// The `--report` document: one entry per input in input order, then the totals.
fn report_json(outcomes: &[Outcome], totals: &Totals, interrupted: bool) -> String {
    #[derive(serde::Serialize)]
    struct Report<'a> {
        version: u32,
        tool: &'static str,
        interrupted: bool,
        inputs: Vec<Entry<'a>>,
        totals: &'a Totals,
    }
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        path: &'a str,
        output: Option<String>,
        status: &'static str,
        metadata: Option<&'a str>,
        errors: usize,
        warnings: usize,
        infos: usize,
    }
    let report = Report {
        version: 1,
        tool: concat!("teikit ", env!("CARGO_PKG_VERSION")),
        interrupted,
        inputs: outcomes
            .iter()
            .map(|o| Entry {
                path: &o.path,
                output: o.written.as_ref().map(|p| p.display().to_string()),
                status: o.state.name(),
                metadata: o.metadata.as_deref(),
                errors: o.count(Severity::Error),
                warnings: o.count(Severity::Warning),
                infos: o.count(Severity::Info),
            })
            .collect(),
        totals,
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

/// Syncs each folder a file was renamed into, once per batch, so the renames themselves are
/// durable (the files' contents were synced before their rename).
fn sync_folders(outcomes: &[Outcome]) {
    let folders: BTreeSet<&Path> = outcomes
        .iter()
        .filter_map(|o| o.written.as_deref()?.parent())
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .collect();
    for folder in folders {
        if let Err(e) = std::fs::File::open(folder).and_then(|f| f.sync_all()) {
            eprintln!(
                "teikit: warning: cannot sync folder {}: {}",
                folder.display(),
                inputs::io_reason(&e)
            );
        }
    }
}

/// `NAME.meta.toml` / `NAME.meta.json` beside `NAME.txt`.
enum Sidecar {
    None,
    One { path: PathBuf, toml: bool },
    Both(PathBuf, PathBuf),
}

fn sidecar_of(input: &Path) -> Sidecar {
    let Some(stem) = input.file_stem() else {
        return Sidecar::None;
    };
    let named = |ext: &str| {
        let mut name = stem.to_os_string();
        name.push(ext);
        input.with_file_name(name)
    };
    let (toml, json) = (named(".meta.toml"), named(".meta.json"));
    match (toml.is_file(), json.is_file()) {
        (true, true) => Sidecar::Both(toml, json),
        (true, false) => Sidecar::One {
            path: toml,
            toml: true,
        },
        (false, true) => Sidecar::One {
            path: json,
            toml: false,
        },
        (false, false) => Sidecar::None,
    }
}

fn convert_one(input: &Input, dest: &Dest, config: &Config) -> Outcome {
    let path = input.display();
    let bytes = match input.read() {
        Ok(b) => b,
        Err(e) => {
            let d = Diagnostic::error(
                codes::UNREADABLE,
                format!("cannot read {path}: {}", inputs::io_reason(&e)),
            );
            let mut o = Outcome::new(path.clone(), vec![FileReport::new(path, None, vec![d])]);
            o.fatal = true;
            return o;
        }
    };
    let source: Arc<[u8]> = bytes.into();
    let mut options = config.options.clone();
    let mut metadata_from = None;
    if let Input::File { path: file, .. } = input {
        if let Some((shown, manifest)) = &config.manifest {
            if let Some(m) = manifest_keys(input).iter().find_map(|k| manifest.get(k)) {
                options.metadata = Some(m.clone());
                metadata_from = Some(shown.clone());
            }
        }
        options.file_name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        match sidecar_of(file) {
            Sidecar::None => {}
            Sidecar::Both(toml, json) => {
                let d = Diagnostic::error(
                    codes::AMBIGUOUS_SIDECAR,
                    format!(
                        "{path} has two metadata sidecars, {} and {}; not converted",
                        toml.display(),
                        json.display()
                    ),
                )
                .with_help("keep one of the two files");
                return Outcome::new(
                    path.clone(),
                    vec![FileReport::new(path, Some(source), vec![d])],
                );
            }
            Sidecar::One {
                path: sidecar,
                toml,
            } => {
                let shown = sidecar.display().to_string();
                let text = match std::fs::read(&sidecar) {
                    Ok(b) => b,
                    Err(e) => {
                        let d = Diagnostic::error(
                            codes::UNREADABLE,
                            format!("cannot read {shown}: {}", inputs::io_reason(&e)),
                        );
                        let mut o = Outcome::new(
                            path.clone(),
                            vec![FileReport::new(path, Some(source), vec![d])],
                        );
                        o.fatal = true;
                        return o;
                    }
                };
                let parsed = match std::str::from_utf8(&text) {
                    Ok(t) => teikit_convert::parse_metadata(t, toml),
                    Err(e) => Err(vec![Diagnostic::error(
                        "convert/metadata",
                        format!("metadata sidecar: not UTF-8 ({e})"),
                    )]),
                };
                match parsed {
                    Ok(m) => {
                        options.metadata = Some(m);
                        metadata_from = Some(shown);
                    }
                    Err(diags) => {
                        let d = Diagnostic::error(
                            codes::BAD_SIDECAR,
                            format!(
                                "{path} not converted: its metadata sidecar {shown} is incorrect"
                            ),
                        )
                        .with_help(format!("correct {shown} (reported below)"));
                        let mut o = Outcome::new(
                            path.clone(),
                            vec![
                                FileReport::new(path, Some(source), vec![d]),
                                FileReport::new(shown.clone(), Some(text.into()), diags),
                            ],
                        );
                        o.metadata = Some(shown);
                        return o;
                    }
                }
            }
        }
    }
    let conversion = teikit_convert::convert(&source, &options);
    let mut report = FileReport::new(path.clone(), Some(source), conversion.diagnostics);
    let Some(tei) = conversion.tei else {
        report.valid = false;
        let mut o = Outcome::new(path, vec![report]);
        o.metadata = metadata_from;
        return o;
    };
    let mut outcome = match dest {
        Dest::Discard => Outcome::new(path, vec![report]),
        Dest::Stdout => {
            let mut o = Outcome::new(path, vec![report]);
            o.stdout = Some(tei);
            o
        }
        Dest::File(out) => match write_atomic(out, tei.as_bytes()) {
            Ok(()) => {
                let mut o = Outcome::new(path, vec![report.with_output(out.display().to_string())]);
                o.written = Some(out.clone());
                o
            }
            Err(e) => {
                report.diagnostics.push(Diagnostic::error(
                    codes::UNWRITABLE,
                    format!("cannot write {}: {}", out.display(), inputs::io_reason(&e)),
                ));
                report.valid = false;
                let mut o = Outcome::new(path, vec![report]);
                o.fatal = true;
                o
            }
        },
    };
    outcome.metadata = metadata_from;
    outcome
}

/// Writes `data` to `path` through a temporary file `.teikit-*.tmp` in the same folder,
/// synced, then renamed over `path`: readers see the old file or the new one, never half of
/// one. The temporary file is removed if anything fails (and when its owner unwinds).
fn write_atomic(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".teikit-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(data)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, base: Option<&str>) -> Input {
        Input::File {
            path: PathBuf::from(path),
            base: base.map(PathBuf::from),
        }
    }

    fn dests(inputs: Vec<Input>, o: Option<&str>, dir: Option<&str>) -> Vec<String> {
        destinations(inputs, o.map(Path::new), dir.map(Path::new))
            .unwrap()
            .into_iter()
            .map(|(_, d)| match d {
                Dest::Stdout => "-".to_string(),
                Dest::File(p) => p.display().to_string(),
                Dest::Discard => "(discarded)".to_string(),
            })
            .collect()
    }

    #[test]
    fn destinations_follow_the_rules() {
        assert_eq!(dests(vec![file("a.txt", None)], None, None), ["-"]);
        assert_eq!(
            dests(vec![Input::Stdin(Vec::new())], None, Some("out")),
            ["out/stdin.xml"]
        );
        assert_eq!(
            dests(
                vec![file("in/x/a.txt", Some("in")), file("b.txt", None)],
                None,
                Some("out")
            ),
            ["out/x/a.xml", "out/b.xml"]
        );
        assert_eq!(
            dests(vec![file("a.txt", None), file("d/b.txt", None)], None, None),
            ["a.xml", "d/b.xml"]
        );
        assert!(destinations(
            vec![file("a.txt", None), Input::Stdin(Vec::new())],
            None,
            None
        )
        .is_err());
    }

    #[test]
    fn overwrites_are_refused_even_through_dot_dot() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("a.txt");
        std::fs::write(&input, "x").unwrap();
        let sneaky = dir.path().join("sub/../a.txt");
        let jobs = vec![(
            Input::File {
                path: input,
                base: None,
            },
            Dest::File(sneaky),
        )];
        assert!(refuse_overwrites(&jobs, None).is_err());
    }
}
