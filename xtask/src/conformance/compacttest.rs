//! The `compacttest` conformance suite (being written).

use std::path::Path;

use super::SuiteResult;

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    let _ = shared;
    anyhow::bail!("the compacttest suite is not written yet")
}
