//! Loads each schema given on the command line and reports the time taken, the number of
//! element definitions, or the errors: `cargo run --release --example load -- tei_all.rng`
//! (`-i` before the schemas: ignore ID/IDREF incompatibility).

use std::time::Instant;

fn main() {
    let mut options = teikit_relaxng::LoadOptions::default();
    for arg in std::env::args().skip(1) {
        if arg == "-i" {
            options.id_compat = teikit_relaxng::IdCompat::Ignore;
            continue;
        }
        let t = Instant::now();
        let result = teikit_relaxng::load(std::path::Path::new(&arg), &options);
        let elapsed = t.elapsed();
        match result {
            Ok(s) => println!(
                "{arg}: ok in {elapsed:.2?}: {} element defines ({} pattern nodes), {} ID-typed attributes",
                s.defines.len(),
                s.defines.iter().map(|d| size(&d.content)).sum::<usize>(),
                s.id_types.len()
            ),
            Err(e) => {
                println!(
                    "{arg}: {} error(s) in {elapsed:.2?} (unreadable: {})",
                    e.errors.len(),
                    e.unreadable
                );
                for (file, d) in e.errors.iter().take(10) {
                    let line = d.primary_span().map_or(0, |s| {
                        file.text[..s.offset.min(file.text.len())].matches('\n').count() + 1
                    });
                    println!("  {}:{line}: {}: {}", file.path.display(), d.code, d.message);
                }
            }
        }
    }
}

fn size(p: &teikit_relaxng::Pattern) -> usize {
    use teikit_relaxng::Pattern as P;
    1 + match p {
        P::Choice(v) | P::Group(v) | P::Interleave(v) => v.iter().map(size).sum(),
        P::OneOrMore(q) | P::List(q) => size(q),
        P::Attribute { content, .. } => size(content),
        P::Data {
            except: Some(e), ..
        } => size(e),
        _ => 0,
    }
}
