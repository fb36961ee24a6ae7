//! Validates documents against a schema and prints timings: a development tool for
//! profiling the matcher (`cargo run --release -p teikit-validate --example validate --
//! SCHEMA.rng DOC.xml...`). The command line (`teikit validate`) is the user-facing tool.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // STREAM=1: through `teikit_validate::stream` instead of a tree.
    let Some((schema_path, docs)) = args.split_first() else {
        eprintln!("usage: validate SCHEMA DOC...");
        std::process::exit(2);
    };
    let t0 = Instant::now();
    let schema = match teikit_relaxng::load(schema_path.as_ref(), &Default::default()) {
        Ok(s) => s,
        Err(e) => {
            for (f, d) in &e.errors {
                eprintln!("{}: {} [{}]", f.path.display(), d.message, d.code);
            }
            std::process::exit(2);
        }
    };
    let t1 = Instant::now();
    let grammar = teikit_validate::Grammar::new(schema);
    let t2 = Instant::now();
    eprintln!(
        "load {:?}, compile {:?}",
        t1.duration_since(t0),
        t2.duration_since(t1)
    );
    if let Some(jobs) = std::env::var("JOBS")
        .ok()
        .and_then(|j| j.parse::<usize>().ok())
    {
        batch(&grammar, docs, jobs);
        return;
    }
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    for _ in 0..repeat {
        for path in docs {
            if std::env::var_os("STREAM").is_some() {
                stream(&grammar, path);
                continue;
            }
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    continue;
                }
            };
            let t = Instant::now();
            let doc = match teikit_xml::Document::parse(&text) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("{path}: not well-formed: {}", e.message);
                    continue;
                }
            };
            let tp = t.elapsed();
            let t = Instant::now();
            let diags = grammar.validate(&doc);
            let tv = t.elapsed();
            println!(
                "{path}: {} diagnostics, parse {tp:?}, validate {tv:?}, {} patterns",
                diags.len(),
                grammar.pattern_count()
            );
            if std::env::var_os("QUIET").is_none() {
                let idx = teikit_diagnostics::LineIndex::new(text.as_bytes());
                for d in diags.iter().take(20) {
                    let (l, c) = d
                        .primary_span()
                        .map(|s| idx.line_col(text.as_bytes(), s.offset))
                        .unwrap_or((0, 0));
                    println!(
                        "  {l}:{c}: {} [{}] {} expected={:?}",
                        d.message,
                        d.code,
                        d.context.as_deref().unwrap_or(""),
                        d.expected
                    );
                }
            }
        }
    }
}

/// Validates every document on `jobs` threads sharing one grammar; prints the wall time.
fn batch(grammar: &teikit_validate::Grammar, docs: &[String], jobs: usize) {
    let texts: Vec<(String, String)> = docs
        .iter()
        .filter_map(|p| Some((p.clone(), std::fs::read_to_string(p).ok()?)))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let invalid = std::sync::atomic::AtomicUsize::new(0);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((_, text)) = texts.get(i) else { break };
                if let Ok(doc) = teikit_xml::Document::parse(text) {
                    if !grammar.validate(&doc).is_empty() {
                        invalid.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    println!(
        "{} documents on {jobs} threads: {:?}, {} with diagnostics, {} patterns",
        texts.len(),
        t.elapsed(),
        invalid.load(std::sync::atomic::Ordering::Relaxed),
        grammar.pattern_count()
    );
}

/// Streams one document and prints what the stream measured.
fn stream(grammar: &teikit_validate::Grammar, path: &str) {
    let file = match std::fs::File::open(path) {
        Ok(f) => std::io::BufReader::with_capacity(1 << 16, f),
        Err(e) => {
            eprintln!("{path}: {e}");
            return;
        }
    };
    let t = Instant::now();
    let options = teikit_validate::StreamOptions::default();
    match teikit_validate::validate_reader(grammar, file, &options) {
        Ok(teikit_validate::StreamOutcome::Checked(r)) => println!(
            "{path}: {} diagnostics, streamed {} bytes in {:?}, depth {}, largest token {} bytes, {} patterns",
            r.diagnostics.len(),
            r.bytes,
            t.elapsed(),
            r.max_depth,
            r.largest_token,
            grammar.pattern_count()
        ),
        Ok(teikit_validate::StreamOutcome::Fallback(f)) => println!("{path}: not streamed: {f}"),
        Err(e) => eprintln!("{path}: {e}"),
    }
}
