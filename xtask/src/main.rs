//! `cargo xtask`: the project's own tasks (conformance suites, code generation, benchmarks).
//!
//! Suites read their data from `../shared` beside the repository and fail loudly when it is
//! missing; nothing from there is ever copied into the repository.

mod bench;
mod codegen;
mod conformance;
mod dist;
mod fuzz;
mod tidy;
mod vsjing;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("conformance") => conformance::run(&args[1..]),
        Some("codegen") => codegen::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("dist") => dist::run(&args[1..]),
        Some("diagnostics-vs-jing") => vsjing::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("help") | Some("--help") | Some("-h") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(anyhow::anyhow!("unknown task {other:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  conformance [SUITE...]   run conformance suites from ../shared (all when none named; -v lists
                           expected failures)
  codegen [--check]        regenerate docs/diagnostics.md from the CODES registries
  dist [--out DIR]         shell completions and man pages from the CLI -> target/dist
  bench [--quick] [--runs N] [--no-1gb]  teikit vs jing/teixml/xmllint -> BENCHMARKS.md
  bench --micro            divan micro-benchmarks of the hot paths -> BENCHMARKS.md
  diagnostics-vs-jing [--check]  jing's and teikit's messages on mutated documents
                           -> docs/diagnostics-vs-jing.md
  fuzz [--seconds N] [--target T]  run the cargo-fuzz targets in fuzz/ (seeded from ../shared)
                           for N seconds each; fails on any crash, hang or OOM";

/// The repository root.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// `../shared` beside the repository (or `$TEIKIT_SHARED`), which must exist.
pub fn shared_dir() -> anyhow::Result<PathBuf> {
    let dir = match std::env::var_os("TEIKIT_SHARED") {
        Some(d) => PathBuf::from(d),
        None => project_root().join("../shared"),
    };
    if !dir.join("README.md").is_file() {
        anyhow::bail!(
            "the shared test data is missing: expected it at {} (set TEIKIT_SHARED to point elsewhere)",
            dir.display()
        );
    }
    Ok(dir.canonicalize()?)
}
