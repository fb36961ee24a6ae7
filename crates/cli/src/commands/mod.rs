//! One module per command.

mod check;
mod convert;
mod schema;
mod text;
mod validate;

use crate::args::{Command, SchemaCommand};
use crate::{Failure, Status};

pub use schema::first_error_line;

/// Runs a parsed command.
pub fn run(command: Command) -> Result<Status, Failure> {
    match command {
        Command::Validate(args) => {
            if args.options.no_cache {
                crate::schemas::disable_cache();
            }
            validate::run(args)
        }
        Command::Convert(args) => convert::run(args),
        Command::Text(args) => text::run(args),
        Command::Schema(SchemaCommand::Check(args)) => schema::check(args),
        Command::Schema(SchemaCommand::List) => schema::list(),
        Command::Schema(SchemaCommand::Fetch(args)) => schema::fetch(args),
        Command::Schema(SchemaCommand::Compile(args)) => schema::compile(args),
        Command::Check(args) => {
            if args.options.no_cache {
                crate::schemas::disable_cache();
            }
            check::run(args)
        }
    }
}

/// Runs `work` on every item with `jobs` threads (8 MiB stacks, for deep documents), and
/// hands the results to `sink` in input order as soon as each is ready.
pub fn ordered_parallel<T, R, W, S>(
    items: &[T],
    jobs: Option<usize>,
    work: W,
    mut sink: S,
) -> Result<(), Failure>
where
    T: Sync,
    R: Send,
    W: Fn(&T) -> R + Sync,
    S: FnMut(R) -> Result<bool, Failure>,
{
    use rayon::prelude::*;
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(8 * 1024 * 1024);
    if let Some(n) = jobs {
        if n == 0 {
            return Err(Failure::usage("--jobs must be at least 1"));
        }
        builder = builder.num_threads(n);
    }
    let pool = builder
        .build()
        .map_err(|e| Failure::error(format!("cannot start worker threads: {e}")))?;
    let (tx, rx) = std::sync::mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        let work = &work;
        scope.spawn(move || {
            pool.install(|| {
                items
                    .par_iter()
                    .enumerate()
                    .for_each_with(tx, |tx, (i, item)| {
                        // The receiver stops early only when output is closed.
                        let _ = tx.send((i, work(item)));
                    });
            });
        });
        let mut pending = std::collections::BTreeMap::new();
        let mut next = 0;
        for (i, r) in rx {
            pending.insert(i, r);
            while let Some(r) = pending.remove(&next) {
                next += 1;
                if !sink(r)? {
                    return Ok(());
                }
            }
        }
        Ok(())
    })
}
