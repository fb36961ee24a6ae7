//! One module per command.

mod check;
mod convert;
mod schema;
mod text;
mod validate;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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

/// How many consecutive items [`ordered_parallel`] may start in an order of its own.
const REORDER_WINDOW: usize = 64;

/// Batches longer than this start in input order: weighing every item (a `stat` per file)
/// would delay the first result of an archive's million files, and in a long batch the last
/// big file is a small part of the whole.
const REORDER_MAX: usize = 4096;

/// Where [`ordered_parallel`]'s `work` sends its one result: as soon as it has it, before
/// it frees what it used (a document's tree takes a millisecond to free), so that the
/// result can be printed meanwhile.
pub struct Emit<'a, R> {
    index: usize,
    tx: &'a std::sync::mpsc::Sender<(usize, R)>,
    /// Set when the receiver is gone (output closed): no further item is started.
    stop: &'a AtomicBool,
}

/// Proof that a result was sent: only [`Emit::send`] makes one, and `work` must return one.
pub struct Sent(());

impl<R> Emit<'_, R> {
    /// Sends the item's result.
    pub fn send(self, result: R) -> Sent {
        // The receiver stops early only when output is closed.
        if self.tx.send((self.index, result)).is_err() {
            self.stop.store(true, Ordering::Relaxed);
        }
        Sent(())
    }
}

/// Runs `work` on every item with `jobs` threads (8 MiB stacks, for deep documents), and
/// hands the results to `sink` in input order as soon as each is ready.
///
/// With `weight` (a file's size, say), the heaviest items of each run of
/// [`REORDER_WINDOW`] are started first: a big file started last would hold up the end of
/// the batch while the other threads have nothing left to do (and one started first can
/// share its own work with a thread that finishes early). The window bounds how many
/// results wait for their turn to be printed; batches of more than [`REORDER_MAX`] items
/// are not reordered.
pub fn ordered_parallel<T, R, W, S>(
    items: &[T],
    jobs: Option<usize>,
    weight: Option<&(dyn Fn(&T) -> u64 + Sync)>,
    work: W,
    mut sink: S,
) -> Result<(), Failure>
where
    T: Sync,
    R: Send,
    W: Fn(&T, Emit<'_, R>) -> Sent + Sync,
    S: FnMut(R) -> Result<bool, Failure>,
{
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
    let mut order: Vec<usize> = (0..items.len()).collect();
    if let Some(weight) = weight.filter(|_| items.len() <= REORDER_MAX) {
        // Weighing may cost a system call (a file's size): once per item.
        let weights: Vec<u64> = items.iter().map(weight).collect();
        for window in order.chunks_mut(REORDER_WINDOW) {
            window.sort_by_key(|&i| std::cmp::Reverse(weights[i]));
        }
    }
    let (tx, rx) = std::sync::mpsc::channel::<(usize, R)>();
    // Each worker takes the next item in order when it is free, so items finish about in
    // order and the results waiting for an earlier one to be printed stay few (splitting the
    // list between threads up front would hold half a batch's results in memory).
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (work, order, next, stop) = (&work, &order, &next, &stop);
        scope.spawn(move || {
            // One loop per worker thread (a broadcast job is never stolen, so a thread
            // waiting inside one document's work cannot start the next documents within it).
            pool.broadcast(|_| {
                let tx = tx.clone();
                while !stop.load(Ordering::Relaxed) {
                    let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    let emit = Emit {
                        index: i,
                        tx: &tx,
                        stop,
                    };
                    let Sent(()) = work(&items[i], emit);
                }
            });
            drop(tx);
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    /// Runs items weighed by their value on one thread: the order they started in, and the
    /// results in the order the sink got them.
    fn run_weighed(items: &[u64]) -> (Vec<u64>, Vec<u64>) {
        let started = Mutex::new(Vec::new());
        let mut results = Vec::new();
        let weight = |w: &u64| *w;
        super::ordered_parallel(
            items,
            Some(1),
            Some(&weight),
            |w, emit| {
                started.lock().unwrap().push(*w);
                emit.send(*w)
            },
            |r| {
                results.push(r);
                Ok(true)
            },
        )
        .unwrap();
        (started.into_inner().unwrap(), results)
    }

    #[test]
    fn heavy_items_start_first_and_results_come_in_input_order() {
        let items: Vec<u64> = (0..150).map(|i| (i * 37) % 11).collect();
        let (started, results) = run_weighed(&items);
        assert_eq!(results, items);
        // One thread: each window of items starts heaviest first.
        for (window, input) in started
            .chunks(super::REORDER_WINDOW)
            .zip(items.chunks(super::REORDER_WINDOW))
        {
            let mut sorted = input.to_vec();
            sorted.sort_by(|a, b| b.cmp(a));
            assert_eq!(window, &sorted[..]);
        }
    }

    #[test]
    fn a_long_batch_starts_in_input_order() {
        let items: Vec<u64> = (0..super::REORDER_MAX as u64 + 1).map(|i| i % 7).collect();
        let (started, results) = run_weighed(&items);
        assert_eq!(started, items);
        assert_eq!(results, items);
    }

    #[test]
    fn no_item_starts_once_the_output_is_closed() {
        let items: Vec<u64> = (0..200).collect();
        let started = Mutex::new(0);
        super::ordered_parallel(
            &items,
            Some(1),
            None,
            |_, emit| {
                *started.lock().unwrap() += 1;
                // A document takes a while: the receiver is gone before the next one is done.
                std::thread::sleep(std::time::Duration::from_millis(2));
                emit.send(())
            },
            // The output closes after the first result.
            |()| Ok(false),
        )
        .unwrap();
        let started = started.into_inner().unwrap();
        assert!(started < 10, "{started} items started");
    }
}
