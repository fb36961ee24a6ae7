//! Times loading a schema from source, writing its entry, and loading it from the entry:
//! `cargo run --release -p teikit-schema-cache --example load_timing -- SCHEMA [RUNS]`.

use std::time::Instant;

use teikit_relaxng::LoadOptions;
use teikit_schema_cache::{Cache, Outcome, Source};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(schema) = args.next() else {
        eprintln!("usage: load_timing SCHEMA [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(10);
    let dir = tempfile::tempdir().expect("temporary folder");
    let cache = Cache::new(dir.path(), "load_timing");
    let source = Source::File(schema.as_ref());
    let options = LoadOptions::default();
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;

    let t = Instant::now();
    let cold = cache.rebuild(&source, &options);
    println!("cold load + write entry: {:.1} ms", ms(t));
    if let Err(e) = &cold.schema {
        eprintln!("schema errors: {}", e.errors.len());
        std::process::exit(1);
    }
    let size = std::fs::metadata(&cold.entry).map_or(0, |m| m.len());
    println!("entry: {} bytes", size);
    let mut warm = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let loaded = cache.load(&source, &options);
        warm.push(ms(t));
        assert_eq!(loaded.outcome, Outcome::Hit);
    }
    warm.sort_by(f64::total_cmp);
    println!(
        "warm load: median {:.2} ms (min {:.2}, max {:.2}) over {runs} runs",
        warm[warm.len() / 2],
        warm[0],
        warm[warm.len() - 1]
    );
}
