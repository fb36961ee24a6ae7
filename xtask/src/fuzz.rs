//! `cargo xtask fuzz`: runs the cargo-fuzz targets in `fuzz/` for a bounded time each, seeded
//! at run time from `../shared` and `samples/`, and fails if any target finds a crash, a hang
//! (`-timeout`) or an out-of-memory input (`-rss_limit_mb`), printing the reproducer's path.
//!
//! cargo-fuzz needs nightly-only compiler flags; the only toolchain here is stable, so the
//! task sets `RUSTC_BOOTSTRAP=1` for the fuzz build (nowhere else). The `fuzz/` workspace is
//! excluded from the main one so those flags never reach it.
//!
//! Seeds are never committed: each run copies them into a temporary corpus folder per target
//! (or into `--corpus DIR/<target>`, kept between runs), together with what the library
//! extracts from the RELAX NG test suites (the schemas and instances of spectest.xml, the
//! compact schemas of compacttest.xml, the values of xsdtest.xml) and converter outputs.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};

const USAGE: &str =
    "usage: cargo xtask fuzz [--seconds N] [--target T]... [--sanitizer S] [--corpus DIR]

  --seconds N     run each target for N seconds (default 30)
  --target T      only this target (repeatable; default: all)
  --sanitizer S   address (default) or none
  --corpus DIR    keep the working corpus in DIR/<target> (default: a temporary folder)
  --timeout S     libFuzzer's per-input -timeout (default 10); it counts wall time, so a
                  niced run on a busy machine needs more
  --no-build      run the binaries of the last build as they are (a long pass that other
                  changes to the crates must not rebuild halfway)
  --list          list the targets and exit";

/// The targets, each with its dictionary and its kinds of seed.
const TARGETS: &[(&str, &str, &[Seed])] = &[
    ("xml_read", "xml.dict", &[Seed::Xml, Seed::Rng, Seed::Tei]),
    ("validate_tei_all", "xml.dict", &[Seed::Xml, Seed::Tei]),
    ("validate_small", "xml.dict", &[Seed::Xml, Seed::Tei]),
    ("rng_schema", "rng.dict", &[Seed::Rng]),
    ("rnc_parse", "rnc.dict", &[Seed::Rnc]),
    ("xsd_datatype", "xsd.dict", &[Seed::Xsd]),
    ("convert", "transcription.dict", &[Seed::Transcription]),
    ("text", "xml.dict", &[Seed::Tei]),
];

/// Seed files larger than this are left out: they slow every mutation down and libFuzzer
/// sizes its inputs by the largest seed.
const MAX_SEED: u64 = 64 * 1024;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Seed {
    /// XML documents: the corpora and the instances of the RELAX NG suites.
    Xml,
    /// XML-syntax schemas (`.rng`, spectest.xml's schemas).
    Rng,
    /// Compact-syntax schemas (`.rnc`, compacttest.xml's schemas).
    Rnc,
    /// xsdtest.xml's values in the `xsd_datatype` layout.
    Xsd,
    /// Transcriptions (`samples/`, `seeds/`).
    Transcription,
    /// TEI written by the converter from the transcriptions.
    Tei,
}

struct Options {
    seconds: u64,
    targets: Vec<String>,
    sanitizer: String,
    corpus: Option<PathBuf>,
    build: bool,
    timeout: u64,
}

fn parse_args(args: &[String]) -> Result<Option<Options>> {
    let mut opts = Options {
        seconds: 30,
        targets: Vec::new(),
        sanitizer: "address".to_string(),
        corpus: None,
        build: true,
        timeout: 10,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .with_context(|| format!("{arg} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--seconds" => {
                let v = value()?;
                opts.seconds = v.parse().with_context(|| format!("--seconds {v:?}"))?;
                if opts.seconds == 0 {
                    bail!("--seconds must be at least 1");
                }
            }
            "--target" => {
                let t = value()?;
                if !TARGETS.iter().any(|(name, ..)| name == t) {
                    bail!("unknown target {t:?}; targets: {}", target_names());
                }
                opts.targets.push(t.clone());
            }
            "--sanitizer" => {
                let s = value()?;
                if s != "address" && s != "none" {
                    bail!("--sanitizer {s:?}: address or none");
                }
                opts.sanitizer = s.clone();
            }
            "--corpus" => opts.corpus = Some(PathBuf::from(value()?)),
            "--no-build" => opts.build = false,
            "--timeout" => {
                let v = value()?;
                opts.timeout = v.parse().with_context(|| format!("--timeout {v:?}"))?;
            }
            "--list" => {
                println!("{}", target_names().replace(", ", "\n"));
                return Ok(None);
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(None);
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    if opts.targets.is_empty() {
        opts.targets = TARGETS.iter().map(|(n, ..)| n.to_string()).collect();
    }
    Ok(Some(opts))
}

fn target_names() -> String {
    TARGETS
        .iter()
        .map(|(n, ..)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What one target's run measured.
struct Outcome {
    target: String,
    seeds: usize,
    execs: Option<u64>,
    cov: Option<u64>,
    features: Option<u64>,
    corpus: Option<u64>,
    wall: f64,
    cpu: Option<f64>,
    peak_rss_mb: Option<u64>,
    /// The reproducer(s) when it failed, or why it failed without one.
    failure: Option<String>,
}

pub fn run(args: &[String]) -> Result<()> {
    let Some(opts) = parse_args(args)? else {
        return Ok(());
    };
    let root = crate::project_root();
    let fuzz_dir = root.join("fuzz");
    let shared = crate::shared_dir()?;
    check_cargo_fuzz()?;

    if opts.build {
        eprintln!(
            "fuzz: building {} target(s) ({} sanitizer)",
            opts.targets.len(),
            opts.sanitizer
        );
        let t = Instant::now();
        // `cargo fuzz build` takes at most one target: no name builds them all in one cargo
        // invocation, which is what a run of every target wants; a selection builds each.
        let selection: Vec<Option<&String>> = if opts.targets.len() == TARGETS.len() {
            vec![None]
        } else {
            opts.targets.iter().map(Some).collect()
        };
        for target in selection {
            let mut build = cargo_fuzz(&root, "build", &opts.sanitizer);
            build.args(target);
            let status = build.status().context("running cargo fuzz build")?;
            if !status.success() {
                bail!("cargo fuzz build failed ({status})");
            }
        }
        eprintln!("fuzz: built in {:.0} s", t.elapsed().as_secs_f64());
    }
    let bin_dir = fuzz_dir.join("target").join(host_triple()?).join("release");
    for target in &opts.targets {
        if !bin_dir.join(target).is_file() {
            bail!(
                "{} is not built: run without --no-build",
                bin_dir.join(target).display()
            );
        }
    }

    let tmp = tempfile::tempdir()?;
    let corpus_root = opts
        .corpus
        .clone()
        .unwrap_or_else(|| tmp.path().join("corpus"));
    let seeds = SeedSet::collect(&root, &shared)?;
    let time_bin = Path::new("/usr/bin/time").is_file();
    let mut outcomes = Vec::new();
    for target in &opts.targets {
        let (_, dict, kinds) = TARGETS
            .iter()
            .find(|(n, ..)| n == target)
            .expect("checked in parse_args");
        let corpus = corpus_root.join(target);
        fs::create_dir_all(&corpus)?;
        let n = seeds.write(kinds, &corpus)?;
        let artifacts = fuzz_dir.join("artifacts").join(target);
        fs::create_dir_all(&artifacts)?;
        let before = artifact_files(&artifacts)?;
        eprintln!("fuzz: {target}: {n} seeds, {} s", opts.seconds);
        let times = tmp.path().join(format!("{target}.time"));
        let log = tmp.path().join(format!("{target}.log"));
        // The binary `cargo fuzz build` made, run directly (as `cargo fuzz run` would after
        // building): no rebuild halfway through a pass, and the CPU time is the target's own.
        let mut cmd = if time_bin {
            let mut c = Command::new("/usr/bin/time");
            c.arg("-f").arg("%e %U %S %M").arg("-o").arg(&times);
            c.arg(bin_dir.join(target));
            c
        } else {
            Command::new(bin_dir.join(target))
        };
        cmd.current_dir(&fuzz_dir)
            .env("TEIKIT_FUZZ_SHARED", &shared)
            .arg(&corpus)
            .arg(format!("-max_total_time={}", opts.seconds))
            .arg("-rss_limit_mb=2048")
            .arg(format!("-timeout={}", opts.timeout))
            .arg("-print_final_stats=1")
            .arg(format!(
                "-dict={}",
                fuzz_dir.join("dicts").join(dict).display()
            ))
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log)?);
        let t = Instant::now();
        let status = cmd.status().context("running cargo fuzz run")?;
        let wall = t.elapsed().as_secs_f64();
        let output = fs::read_to_string(&log).unwrap_or_default();
        let mut outcome = read_stats(target, &output, wall);
        outcome.seeds = n;
        if let Ok(t) = fs::read_to_string(&times) {
            // The last line: time's own line comes after any "Command exited" note.
            if let Some(line) = t.lines().next_back() {
                let f: Vec<&str> = line.split_whitespace().collect();
                if f.len() == 4 {
                    let u: f64 = f[1].parse().unwrap_or(0.0);
                    let s: f64 = f[2].parse().unwrap_or(0.0);
                    outcome.cpu = Some(u + s);
                    outcome.peak_rss_mb = f[3].parse::<u64>().ok().map(|kb| kb / 1024);
                }
            }
        }
        let new: Vec<PathBuf> = artifact_files(&artifacts)?
            .into_iter()
            .filter(|p| !before.contains(p))
            .collect();
        if !status.success() || !new.is_empty() {
            let mut why = String::new();
            for p in &new {
                let _ = writeln!(why, "reproducer: {}", p.display());
                if p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("timeout-"))
                {
                    // libFuzzer's timeout is wall time: say whether the input is slow by
                    // itself or only was on a busy machine.
                    let _ = writeln!(
                        why,
                        "  {}",
                        rerun(&bin_dir.join(target), p, &fuzz_dir, &shared)
                    );
                }
            }
            if new.is_empty() {
                let _ = writeln!(why, "exited with {status} and wrote no reproducer");
            }
            // The last lines of libFuzzer's report say what happened (panic message,
            // sanitizer summary, timeout or OOM).
            let tail: Vec<&str> = output.lines().rev().take(40).collect();
            let _ = writeln!(why, "log: {}", log.display());
            for l in tail.into_iter().rev() {
                let _ = writeln!(why, "  | {l}");
            }
            eprint!("{why}");
            // Keep the log: the temporary folder is removed at the end.
            let kept = artifacts.join(format!("{target}.log"));
            let _ = fs::copy(&log, &kept);
            outcome.failure =
                Some(why.replace(&log.display().to_string(), &kept.display().to_string()));
        }
        eprintln!("{}", summary_line(&outcome));
        outcomes.push(outcome);
    }

    println!("\n{}", table(&outcomes, &opts));
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.failure.is_some()).collect();
    if !failed.is_empty() {
        for o in &failed {
            println!("\n{}:\n{}", o.target, o.failure.as_deref().unwrap_or(""));
        }
        bail!(
            "{} of {} fuzz target(s) found a crash, hang or OOM: {}",
            failed.len(),
            outcomes.len(),
            failed
                .iter()
                .map(|o| o.target.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// Runs a target once on `input` and says how long it took (CPU and wall).
fn rerun(bin: &Path, input: &Path, fuzz_dir: &Path, shared: &Path) -> String {
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%U %S")
        .arg(bin)
        .arg(input)
        .current_dir(fuzz_dir)
        .env("TEIKIT_FUZZ_SHARED", shared)
        .stdout(Stdio::null())
        .output();
    let wall = t.elapsed().as_secs_f64();
    match out {
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let cpu: f64 = err
                .lines()
                .next_back()
                .unwrap_or("")
                .split_whitespace()
                .filter_map(|v| v.parse::<f64>().ok())
                .sum();
            format!(
                "run again alone: {} in {cpu:.2} CPU-s, {wall:.2} s wall",
                if o.status.success() {
                    "passes"
                } else {
                    "fails"
                }
            )
        }
        Err(e) => format!("could not run it again: {e}"),
    }
}

fn check_cargo_fuzz() -> Result<()> {
    let ok = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        bail!("cargo-fuzz is not installed: run `cargo install cargo-fuzz --locked`");
    }
    Ok(())
}

/// The host's target triple, under which `cargo fuzz build` puts its binaries.
fn host_triple() -> Result<String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .context("running rustc -vV")?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .context("rustc -vV names no host")
}

fn cargo_fuzz(root: &Path, sub: &str, sanitizer: &str) -> Command {
    let mut c = Command::new("cargo");
    c.current_dir(root).env("RUSTC_BOOTSTRAP", "1").args([
        "fuzz",
        sub,
        "--sanitizer",
        sanitizer,
        "--debug-assertions",
    ]);
    c
}

fn artifact_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir)? {
        let p = e?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if ["crash-", "timeout-", "oom-", "leak-", "slow-unit-"]
            .iter()
            .any(|k| name.starts_with(k))
        {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// Reads libFuzzer's final statistics and its last status line from its log.
fn read_stats(target: &str, log: &str, wall: f64) -> Outcome {
    let stat = |key: &str| {
        log.lines()
            .filter_map(|l| l.strip_prefix(key))
            .filter_map(|v| v.trim().parse::<u64>().ok())
            .next_back()
    };
    // "#123456 DONE   cov: 1234 ft: 5678 corp: 90/12Kb ..." or the last pulse line.
    let field = |line: &str, key: &str| -> Option<u64> {
        let rest = &line[line.find(key)? + key.len()..];
        let num: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        num.parse().ok()
    };
    let status = log
        .lines()
        .rfind(|l| l.starts_with('#') && l.contains(" cov: "));
    Outcome {
        target: target.to_string(),
        seeds: 0,
        execs: stat("stat::number_of_executed_units:"),
        cov: status.and_then(|l| field(l, " cov:")),
        features: status.and_then(|l| field(l, " ft:")),
        corpus: status.and_then(|l| field(l, " corp:")),
        wall,
        cpu: None,
        peak_rss_mb: stat("stat::peak_rss_mb:"),
        failure: None,
    }
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map_or("?".to_string(), T::to_string)
}

fn summary_line(o: &Outcome) -> String {
    format!(
        "fuzz: {}: {} execs, cov {}, ft {}, corpus {}, {:.0} s wall, {} CPU-s, peak {} MB{}",
        o.target,
        opt(&o.execs),
        opt(&o.cov),
        opt(&o.features),
        opt(&o.corpus),
        o.wall,
        o.cpu.map_or("?".to_string(), |c| format!("{c:.0}")),
        opt(&o.peak_rss_mb),
        if o.failure.is_some() { ": FAILED" } else { "" }
    )
}

fn table(outcomes: &[Outcome], opts: &Options) -> String {
    let mut s = format!(
        "fuzz: {} s per target, {} sanitizer\n\n| target | seeds | executions | exec/s (CPU) | coverage (cov / ft) | corpus | CPU-s | wall s | peak RSS MB | result |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
        opts.seconds, opts.sanitizer
    );
    for o in outcomes {
        let rate = match (o.execs, o.cpu) {
            (Some(e), Some(c)) if c > 0.0 => format!("{:.0}", e as f64 / c),
            _ => "?".to_string(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} / {} | {} | {} | {:.0} | {} | {} |",
            o.target,
            o.seeds,
            opt(&o.execs),
            rate,
            opt(&o.cov),
            opt(&o.features),
            opt(&o.corpus),
            o.cpu.map_or("?".to_string(), |c| format!("{c:.0}")),
            o.wall,
            opt(&o.peak_rss_mb),
            if o.failure.is_some() { "FAILED" } else { "ok" }
        );
    }
    s
}

/// The seed files, by kind, gathered once per run.
struct SeedSet {
    files: Vec<(Seed, String, Vec<u8>)>,
}

impl SeedSet {
    fn collect(root: &Path, shared: &Path) -> Result<SeedSet> {
        let mut set = SeedSet { files: Vec::new() };
        let mut files = Vec::new();
        walk(&shared.join("corpora"), &mut files)?;
        walk(&shared.join("rng-tests"), &mut files)?;
        walk(&shared.join("schemas"), &mut files)?;
        for path in &files {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let kind = match ext {
                "xml" | "tei" => Seed::Xml,
                "rng" => Seed::Rng,
                "rnc" => Seed::Rnc,
                _ => continue,
            };
            set.add_file(kind, path)?;
        }
        let suites = shared.join("rng-tests/jing-trang/mod");
        set.add_spectest(&suites.join("rng-validate/test/spectest.xml"))?;
        set.add_compacttest(&suites.join("rng-schema/test/compacttest.xml"))?;
        set.add_xsdtest(&suites.join("xsd-datatype/test/xsdtest.xml"))?;
        let mut texts = Vec::new();
        walk(&shared.join("seeds"), &mut texts)?;
        walk(&root.join("samples"), &mut texts)?;
        for path in texts
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        {
            set.add_file(Seed::Transcription, path)?;
            let out =
                teikit_convert::convert(&fs::read(path)?, &teikit_convert::Options::default());
            if let Some(tei) = out.tei {
                set.add(Seed::Tei, tei.into_bytes());
            }
        }
        for kind in [
            Seed::Xml,
            Seed::Rng,
            Seed::Rnc,
            Seed::Xsd,
            Seed::Transcription,
            Seed::Tei,
        ] {
            if !set.files.iter().any(|(k, ..)| *k == kind) {
                bail!(
                    "no {kind:?} seeds found under {} and samples/",
                    shared.display()
                );
            }
        }
        Ok(set)
    }

    fn add_file(&mut self, kind: Seed, path: &Path) -> Result<()> {
        if fs::metadata(path)?.len() <= MAX_SEED {
            self.add(kind, fs::read(path)?);
        }
        Ok(())
    }

    fn add(&mut self, kind: Seed, bytes: Vec<u8>) {
        if bytes.len() as u64 <= MAX_SEED {
            let name = format!("seed-{:?}-{}", kind, self.files.len()).to_lowercase();
            self.files.push((kind, name, bytes));
        }
    }

    /// Writes the seeds of `kinds` into `dir`; returns how many.
    fn write(&self, kinds: &[Seed], dir: &Path) -> Result<usize> {
        let mut n = 0;
        for (kind, name, bytes) in &self.files {
            if kinds.contains(kind) {
                fs::write(dir.join(name), bytes)?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// spectest.xml: each `correct`/`incorrect` schema and `valid`/`invalid` instance, as the
    /// exact text of its element.
    fn add_spectest(&mut self, path: &Path) -> Result<()> {
        let text = fs::read_to_string(path).with_context(|| path.display().to_string())?;
        let mut storage = String::new();
        let doc =
            teikit_xml::parse_with_storage(&text, &teikit_xml::Limits::default(), &mut storage)
                .map_err(|d| anyhow::anyhow!("{}: {}", path.display(), d.message))?;
        for n in doc.descendants().filter(|n| n.is_element()) {
            let kind = match n.tag_name().name() {
                "correct" | "incorrect" => Seed::Rng,
                "valid" | "invalid" => Seed::Xml,
                _ => continue,
            };
            if let Some(child) = n.children().find(|c| c.is_element()) {
                self.add(kind, text[child.range()].as_bytes().to_vec());
            }
        }
        Ok(())
    }

    /// compacttest.xml: the text of each `compact/correct` and `compact/incorrect`.
    fn add_compacttest(&mut self, path: &Path) -> Result<()> {
        let text = fs::read_to_string(path).with_context(|| path.display().to_string())?;
        let doc = roxmltree::Document::parse(&text).with_context(|| path.display().to_string())?;
        for n in doc.descendants().filter(|n| n.has_tag_name("compact")) {
            for c in n.children().filter(|c| c.is_element()) {
                let body: String = c.descendants().filter_map(|d| d.text()).collect();
                self.add(Seed::Rnc, body.into_bytes());
            }
        }
        Ok(())
    }

    /// xsdtest.xml: each datatype's values in the `xsd_datatype` layout (type index byte,
    /// facets, an empty line, the value).
    fn add_xsdtest(&mut self, path: &Path) -> Result<()> {
        let text = fs::read_to_string(path).with_context(|| path.display().to_string())?;
        let doc = roxmltree::Document::parse(&text).with_context(|| path.display().to_string())?;
        for dt in doc.descendants().filter(|n| n.has_tag_name("datatype")) {
            let name = dt.attribute("name").unwrap_or("");
            let Some(index) = teikit_xsd::TYPE_NAMES.iter().position(|t| *t == name) else {
                continue;
            };
            let mut facets = String::new();
            for p in dt.children().filter(|c| c.has_tag_name("param")) {
                let _ = writeln!(
                    facets,
                    "{}={}",
                    p.attribute("name").unwrap_or(""),
                    p.text().unwrap_or("")
                );
            }
            for v in dt.descendants().filter(|c| {
                c.has_tag_name("valid") || c.has_tag_name("invalid") || c.has_tag_name("value")
            }) {
                let mut seed = vec![index as u8];
                seed.extend_from_slice(facets.as_bytes());
                seed.extend_from_slice(b"\n\n");
                seed.extend_from_slice(v.text().unwrap_or("").as_bytes());
                self.add(Seed::Xsd, seed);
            }
        }
        Ok(())
    }
}

/// Every file below `dir` (none when it does not exist), in a stable order.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.is_file() {
            out.push(p);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_are_read_from_libfuzzer_output() {
        let log = "INFO: seed corpus: files: 3\n#2\tINITED cov: 10 ft: 11 corp: 3/30b exec/s: 0 rss: 30Mb\n#4096\tpulse  cov: 120 ft: 300 corp: 40/2Kb lim: 43 exec/s: 2048 rss: 40Mb\nDone 5000 runs in 3 second(s)\nstat::number_of_executed_units: 5000\nstat::peak_rss_mb:              41\n";
        let o = read_stats("t", log, 3.0);
        assert_eq!(o.execs, Some(5000));
        assert_eq!(
            (o.cov, o.features, o.corpus),
            (Some(120), Some(300), Some(40))
        );
        assert_eq!(o.peak_rss_mb, Some(41));
    }

    #[test]
    fn every_target_has_a_source_and_a_dictionary() {
        let fuzz = crate::project_root().join("fuzz");
        let manifest = fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
        for (name, dict, _) in TARGETS {
            assert!(
                fuzz.join(format!("fuzz_targets/{name}.rs")).is_file(),
                "{name}"
            );
            assert!(fuzz.join("dicts").join(dict).is_file(), "{dict}");
            assert!(
                manifest.contains(&format!("name = \"{name}\"")),
                "{name} not in fuzz/Cargo.toml"
            );
        }
    }
}
