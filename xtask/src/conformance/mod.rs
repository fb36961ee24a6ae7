//! Conformance suites. Each suite returns the cases it ran; a case that fails must be listed
//! in `xtask/expected-failures/<suite>.txt`, and a listed case that passes is an error too, so
//! the list can only shrink.

mod archive;
mod compacttest;
mod convert;
mod generated;
mod libxml2;
pub(crate) mod mutations;
mod newcomer;
mod parity;
mod precommit;
mod regextest;
mod rules;
mod sarif;
mod spectest;
mod wellformed;
mod xinclude;
mod xsdtest;

use std::collections::BTreeSet;
use std::path::Path;

/// The outcome of one suite.
pub struct SuiteResult {
    /// Names of cases that passed.
    pub passed: Vec<String>,
    /// Names of cases that failed, with a short reason.
    pub failed: Vec<(String, String)>,
}

#[allow(dead_code)] // used as suites are written
impl SuiteResult {
    pub fn new() -> SuiteResult {
        SuiteResult {
            passed: Vec::new(),
            failed: Vec::new(),
        }
    }

    /// Records a case.
    pub fn record(&mut self, name: impl Into<String>, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => self.passed.push(name.into()),
            Err(why) => self.failed.push((name.into(), why)),
        }
    }
}

type SuiteFn = fn(&Path) -> anyhow::Result<SuiteResult>;

/// Every suite, in the order they run.
const SUITES: &[(&str, SuiteFn)] = &[
    ("wellformed", wellformed::run),
    ("sarif", sarif::run),
    ("spectest", spectest::run),
    ("libxml2", libxml2::run),
    ("xsdtest", xsdtest::run),
    ("regextest", regextest::run),
    ("compacttest", compacttest::run),
    ("convert", convert::run),
    ("archive", archive::run),
    ("generated", generated::run),
    ("parity", parity::run),
    ("xinclude", xinclude::run),
    ("mutations", mutations::run),
    ("rules", rules::run),
    ("precommit", precommit::run),
    ("newcomer", newcomer::run),
];

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let shared = crate::shared_dir()?;
    let verbose = args.iter().any(|a| a == "-v" || a == "--verbose");
    let wanted: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .map(String::as_str)
        .collect();
    for w in &wanted {
        if !SUITES.iter().any(|(n, _)| n == w) {
            anyhow::bail!(
                "unknown suite {w:?}; suites: {}",
                SUITES
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let mut total_passed = 0;
    let mut total_failed = 0;
    let mut problems = Vec::new();
    for (name, suite) in SUITES {
        if !wanted.is_empty() && !wanted.contains(name) {
            continue;
        }
        let result = suite(&shared).map_err(|e| e.context(format!("suite {name}")))?;
        let expected = expected_failures(name)?;
        let failed: BTreeSet<&str> = result.failed.iter().map(|(n, _)| n.as_str()).collect();
        let mut unexpected = 0;
        for (case, why) in &result.failed {
            if !expected.contains(case.as_str()) {
                unexpected += 1;
                problems.push(format!("{name}: {case} failed unexpectedly: {why}"));
            } else if verbose {
                println!("  {name}: {case} failed (expected): {why}");
            }
        }
        for case in &expected {
            if !failed.contains(case.as_str()) {
                problems.push(format!(
                    "{name}: {case} is listed in xtask/expected-failures/{name}.txt but did not fail; remove it"
                ));
            }
        }
        println!(
            "{name}: {} passed, {} failed ({} expected, {} unexpected)",
            result.passed.len(),
            result.failed.len(),
            result.failed.len() - unexpected,
            unexpected
        );
        total_passed += result.passed.len();
        total_failed += result.failed.len();
    }
    precommit::cleanup();
    for p in &problems {
        println!("  {p}");
    }
    println!("conformance: {total_passed} passed, {total_failed} failed");
    if !problems.is_empty() {
        anyhow::bail!("{} conformance problem(s)", problems.len());
    }
    Ok(())
}

fn expected_failures(suite: &str) -> anyhow::Result<BTreeSet<String>> {
    let path = crate::project_root()
        .join("xtask/expected-failures")
        .join(format!("{suite}.txt"));
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(e.into()),
    }
}
