//! `cargo xtask bench`: teikit against its peers (jing, teixml, xmllint), side by side, in one
//! run on this machine, written to BENCHMARKS.md; `cargo xtask bench --micro`: the divan
//! micro-benchmarks of the hot paths, written into their own section of the same file.
//!
//! Every measurement runs each command several times, the commands of a table taking turns
//! (round by round, so that a burst of load on the shared machine falls on every tool alike, not
//! on whichever ran then), and keeps the median wall time (measured
//! here with `Instant`) and the median peak resident set size and CPU time (from
//! `/usr/bin/time`, which counts the command and every descendant it waited for, so jing's JVM
//! behind its shell wrapper counts). Commands run under coreutils `timeout`. A tool that fails,
//! times out or disagrees with jing is recorded in the status column; nothing aborts the bench
//! except a teikit binary that cannot be built at all.
//!
//! teikit always runs with `TEIKIT_CACHE_DIR` set to a folder of the bench's own: empty before
//! every run for the cold-cache measurements, warmed with `teikit schema compile` for the
//! others, never the user's cache. Features that a teikit build lacks (`schema compile`,
//! `--no-cache`, `--stream`) are detected by asking the binary and reported as not available.
//!
//! Nothing here asserts anything about timing: the numbers are reported, the targets of issue
//! #9 are marked met or not met, and teikit's figures are compared with the previous report's
//! (regressions over 10% need a note in `xtask/bench-notes.md`).

mod harness;
mod measure;
mod micro;
mod report;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use harness::{first_meaningful_line, Harness};
use measure::{Ctx, Features};
use report::{read_trimmed, Machine, Previous, Report};

const USAGE: &str = "usage: cargo xtask bench [--quick] [--runs N] [--no-1gb] [--out FILE]
       cargo xtask bench --micro [--out FILE]

  --quick     fewer runs (3) and no generated large documents, for trying the bench out
  --runs N    runs per measurement (default 5; the 200 MB document at most 3, the 1 GB one
              at most 1: each of its runs takes minutes)
  --no-1gb    skip the 1 GB document (the 200 MB one still runs)
  --micro     only run the divan micro-benchmarks (`cargo bench` in teikit-xml, teikit-xsd,
              teikit-validate, teikit-rnc) and replace their section of the report
  --out FILE  where to write the report (default: BENCHMARKS.md at the repository root); the
              report found there is the previous one that this run is compared with";

/// Where explanations for measurements that got slower are kept.
const NOTES: &str = "xtask/bench-notes.md";

#[derive(Debug)]
struct Options {
    runs: usize,
    quick: bool,
    gigabyte: bool,
    micro: bool,
    out: PathBuf,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut opts = Options {
        runs: 5,
        quick: false,
        gigabyte: true,
        micro: false,
        out: crate::project_root().join("BENCHMARKS.md"),
    };
    let mut runs = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => opts.quick = true,
            "--no-1gb" => opts.gigabyte = false,
            "--micro" => opts.micro = true,
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
    let previous_text = fs::read_to_string(&opts.out).ok();
    if opts.micro {
        let section = micro::run(&now_utc(), &read_trimmed("/proc/loadavg"))?;
        let text = match &previous_text {
            Some(old) => micro::splice(old, &section),
            None => format!("# Benchmarks\n\n{section}"),
        };
        fs::write(&opts.out, text).with_context(|| format!("writing {}", opts.out.display()))?;
        eprintln!(
            "bench: wrote the micro-benchmarks into {}",
            opts.out.display()
        );
        return Ok(());
    }

    let shared = crate::shared_dir()?;
    let started = now_utc();
    let load_start = read_trimmed("/proc/loadavg");

    let build = source_state();
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

    let features = Features::detect(&teikit, &tei_all, harness.scratch.path());
    eprintln!(
        "bench: teikit features: schema compile {}, --no-cache {}, --stream {}",
        match &features.compile {
            Ok(()) => "works".to_string(),
            Err(why) => format!("not available ({why})"),
        },
        if features.no_cache { "yes" } else { "no" },
        if features.stream { "yes" } else { "no" },
    );
    let ctx = |runs: usize, timeout: Duration| Ctx {
        h: &harness,
        t: &tools,
        features: &features,
        runs,
        timeout,
        warm_cache: harness.scratch.path().join("cache-warm"),
        cold_cache: harness.scratch.path().join("cache-cold"),
    };
    let c = ctx(opts.runs, measure::TIMEOUT);
    eprintln!("bench: {} runs per measurement", opts.runs);

    let mut sections = vec![
        measure::schema_load(&c, &tei_all),
        measure::single(&c, &tei_all, &seed),
        measure::corpus(
            &c,
            "DTA soldiers' letters (170 manuscripts) vs basisformat_ms.rng",
            &dta.join("schemas/basisformat_ms.rng"),
            &xml_files(&dta.join("soldatenbriefe"))?,
        ),
        measure::corpus(
            &c,
            "DTA prints (Euler 1.1 MB + Kant 3.3 MB) vs basisformat.rng",
            &dta.join("schemas/basisformat.rng"),
            &xml_files(&dta.join("dta-prints"))?,
        ),
    ];
    let mut sizes = Vec::new();
    if !opts.quick {
        sizes.push((200u64 << 20, opts.runs.min(3)));
        if opts.gigabyte {
            sizes.push((1u64 << 30, 1));
        }
    }
    for (size, runs) in sizes {
        // A busy machine must not turn a slow run into a timeout: one more second per MB.
        let timeout = measure::TIMEOUT + Duration::from_secs(size >> 20);
        sections.push(measure::large(&ctx(runs, timeout), &tei_all, size)?);
    }
    sections.push(measure::convert(
        &c,
        &crate::project_root().join("samples"),
    )?);

    let notes = fs::read_to_string(crate::project_root().join(NOTES))
        .map(|t| report::parse_notes(&t))
        .unwrap_or_default();
    let report = Report {
        started,
        finished: now_utc(),
        load_start,
        load_end: read_trimmed("/proc/loadavg"),
        args: args.join(" "),
        build,
        machine: Machine::read(),
        tools: &tools,
        time_available: harness.time.is_some(),
        sections,
        previous: previous_text.as_deref().and_then(Previous::parse),
        notes,
        micro: previous_text.as_deref().and_then(micro::extract),
    };
    let text = report.render();
    fs::write(&opts.out, &text).with_context(|| format!("writing {}", opts.out.display()))?;
    eprintln!("bench: wrote {}", opts.out.display());
    for t in report.targets() {
        let met = match t.met {
            Some(true) => "met",
            Some(false) => "NOT MET",
            None => "not measured",
        };
        eprintln!("bench: target: {} — {met}: {}", t.what, t.measured);
    }
    for r in report.unexplained_regressions() {
        eprintln!("bench: REGRESSION without a note in {NOTES}: {r}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Tools

/// A command-line tool that can be measured: how to call it and which version it is.
pub struct Tool {
    pub name: &'static str,
    pub program: PathBuf,
    pub version: String,
}

pub struct Tools {
    pub teikit: Tool,
    pub jing: Option<Tool>,
    pub teixml: Option<Tool>,
    pub xmllint: Option<Tool>,
    /// Why a peer is missing, for the report.
    pub missing: Vec<String>,
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

/// Builds `teikit` in release mode into the target folder of this xtask (`CARGO_TARGET_DIR`)
/// and returns the binary's path (also used by the `generated` conformance suite).
pub(crate) fn build_teikit() -> Result<PathBuf> {
    let root = crate::project_root();
    eprintln!("xtask: cargo build --release -p teikit");
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

/// The commit the binary is built from, and whether the working tree differed from it in the
/// sources that go into teikit (other engineers' work in progress on a shared tree).
fn source_state() -> String {
    let root = crate::project_root();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(&root)
            .stdin(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let Some(commit) = git(&["log", "-1", "--format=%h %s"]) else {
        return "a tree that is not a git checkout".to_string();
    };
    let (hash, subject) = commit.split_once(' ').unwrap_or((&commit, ""));
    let dirty = git(&[
        "status",
        "--porcelain",
        "--",
        "crates",
        "Cargo.toml",
        "Cargo.lock",
    ])
    .is_some_and(|s| !s.is_empty());
    format!(
        "commit `{hash}` ({}){}",
        subject
            .chars()
            .take(80)
            .collect::<String>()
            .replace('`', "'"),
        if dirty {
            " plus uncommitted changes in crates/ (the working tree is shared with engineers at work)"
        } else {
            ""
        }
    )
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
    fn options_parse() {
        let o = parse_args(&["--quick".into()]).unwrap();
        assert_eq!(o.runs, 3);
        assert!(o.quick && o.gigabyte && !o.micro);
        let o = parse_args(&["--runs".into(), "7".into(), "--no-1gb".into()]).unwrap();
        assert_eq!(o.runs, 7);
        assert!(!o.gigabyte);
        assert!(parse_args(&["--micro".into()]).unwrap().micro);
        assert!(parse_args(&["--runs".into(), "0".into()]).is_err());
        assert!(parse_args(&["--bogus".into()]).is_err());
    }
}
