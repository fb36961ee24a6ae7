//! Validates documents against a schema and prints timings: a development tool for
//! profiling the matcher (`cargo run --release -p teikit-validate --example validate --
//! SCHEMA.rng DOC.xml...`). The command line (`teikit validate`) is the user-facing tool.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    for _ in 0..repeat {
        for path in docs {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    continue;
                }
            };
            let opts = roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            };
            let t = Instant::now();
            let doc = match roxmltree::Document::parse_with_options(&text, opts) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("{path}: not well-formed: {e}");
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
