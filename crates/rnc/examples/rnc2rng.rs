//! Prints the XML syntax of a compact schema: `cargo run -p teikit-rnc --example rnc2rng -- FILE`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: rnc2rng FILE.rnc");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let t = std::time::Instant::now();
    let result = teikit_rnc::parse(&text);
    let elapsed = t.elapsed();
    match result {
        Ok(tree) => {
            if std::env::args().nth(2).as_deref() != Some("--quiet") {
                print!("{}", tree.to_xml());
            }
            eprintln!("parsed in {elapsed:?}");
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for e in errors {
                let line = text[..e.span.start.min(text.len())].matches('\n').count() + 1;
                eprintln!("{path}:{line}: {}", e.message);
                for (span, label) in &e.notes {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    eprintln!("  {path}:{line}: {label}");
                }
            }
            ExitCode::FAILURE
        }
    }
}
