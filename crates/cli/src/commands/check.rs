//! `teikit check`: what a pre-commit hook runs. `validate` with teikit.toml (found in the
//! working directory or its nearest parent) and without `--schema`; the paths default to the
//! working directory.

use std::path::PathBuf;

use crate::args::CheckArgs;
use crate::{Failure, Status};

pub fn run(args: CheckArgs) -> Result<Status, Failure> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    super::validate::run_with(&paths, None, args.options)
}
