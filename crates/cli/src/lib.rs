//! `teikit`'s command line as a library (`teikit_cli`), so that other binaries can run it: the
//! `teikit` binary of this crate, the repository root's package (which pre-commit installs with
//! `cargo install --path .`) and `cargo xtask dist` (completions and man pages from
//! [`command`]).
//!
//! Parses arguments with clap, resolves them into each command's settled configuration, runs
//! the command and maps the outcome to the exit status of the CLI contract: 0 clean, 1 invalid documents / failed conversions / incorrect schema,
//! 2 usage errors, unreadable inputs, unloadable schemas and internal errors.
//!
//! Only this crate prints; the libraries return values and diagnostics.

mod args;
mod catalog;
mod codes;
mod commands;
mod config;
mod inputs;
mod output;
mod schemas;

use std::io;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

/// The outcome of a command, as an exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// 0: everything valid / clean.
    Success,
    /// 1: something invalid, failed or incorrect.
    Failure,
    /// 2: usage error, unreadable input, unloadable schema, internal error.
    Error,
    /// 130 (128 + SIGINT): a batch stopped by SIGINT/SIGTERM after finishing what was under
    /// way.
    Interrupted,
}

impl Status {
    fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Failure => 1,
            Status::Error => 2,
            Status::Interrupted => 130,
        }
    }
}

/// A command that could not run: exit status 2 with a one-line reason.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    /// Usage errors add a hint to `--help`.
    pub usage: bool,
    /// Standard output was closed by the reader: stop quietly with status 0.
    pub closed_output: bool,
}

impl Failure {
    pub fn error(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            usage: false,
            closed_output: false,
        }
    }

    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            usage: true,
            closed_output: false,
        }
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure {
            closed_output: e.kind() == io::ErrorKind::BrokenPipe,
            ..Failure::error(format!("cannot write output: {}", inputs::io_reason(&e)))
        }
    }
}

/// Maps an I/O error while writing output: a closed pipe (`teikit … | head`) is success.
pub fn write_result<T>(r: io::Result<T>) -> Result<Option<T>, Failure> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Runs `teikit` with the process's arguments: what the binary's `main` does.
pub fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap's own output: help and version go to stdout with status 0, usage errors
            // to stderr with status 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = commands::run(cli.command);
    // A compiled-schema cache entry may still be being written on another thread.
    schemas::finish_writes();
    match result {
        Ok(status) => ExitCode::from(status.code()),
        Err(f) if f.closed_output => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("teikit: error: {}", f.message);
            if f.usage {
                eprintln!("For more information, try '--help'.");
            }
            ExitCode::from(Status::Error.code())
        }
    }
}

/// The command line's clap definition (all subcommands and flags), for generated shell
/// completions and man pages.
pub fn command() -> clap::Command {
    args::Cli::command()
}
