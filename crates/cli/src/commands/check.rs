//! `teikit check`: validation configured by teikit.toml (not available yet).

use crate::args::CheckArgs;
use crate::{Failure, Status};

pub fn run(args: CheckArgs) -> Result<Status, Failure> {
    let _ = args.paths;
    Err(super::not_yet(
        "check",
        "teikit.toml support; use `teikit validate` meanwhile",
    ))
}
