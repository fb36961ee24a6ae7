//! Micro-benchmarks of the compact-syntax parser: the built-in teikit-archive schema (as
//! shipped in `schemas/`) and a generated grammar of many defines, so the cost per byte of
//! real and of bulk input can be compared.
//!
//! `cargo bench -p teikit-rnc` (divan); `cargo xtask bench --micro` runs every crate's benches.

use std::fmt::Write as _;

use divan::counter::BytesCount;
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

/// The repository's own compact-syntax schema: annotations, datatypes, choices, interleaves.
const ARCHIVE_RNC: &str = include_str!("../../../schemas/teikit-archive.rnc");

/// A grammar of `defines` named patterns, each an element with attributes, datatypes,
/// a documentation comment, an annotation and references to earlier defines.
fn generated_grammar(defines: usize) -> String {
    let mut g = String::from(
        "default namespace = \"http://example.org/ns\"\n\
         namespace a = \"http://relaxng.org/ns/compatibility/annotations/1.0\"\n\
         datatypes xsd = \"http://www.w3.org/2001/XMLSchema-datatypes\"\n\n\
         start = e0\n",
    );
    for i in 0..defines {
        let _ = write!(
            g,
            "\n## Element number {i}, with a documentation comment.\n\
             e{i} =\n  [ a:defaultValue = \"x{i}\" ]\n  element item{i} {{\n    \
             attribute id {{ xsd:ID }},\n    attribute n {{ xsd:nonNegativeInteger }}?,\n    \
             attribute when {{ xsd:date | xsd:gYear }}?,\n    \
             attribute type {{ \"a\" | \"b\" | token \"c{i}\" }}?,\n    \
             ((text & e{prev}*)\n    | (e{prev}, (e{prev} | empty)+)\n    \
             | list {{ xsd:token {{ pattern = \"[a-z]+{i}\" }}+ }})\n  }}\n",
            prev = i.saturating_sub(1)
        );
    }
    g
}

fn bench_parse(bencher: Bencher, text: &str) {
    if let Err(errors) = teikit_rnc::parse(text) {
        panic!(
            "the benchmark grammar does not parse: {}",
            errors.first().map_or("", |e| e.message.as_str())
        );
    }
    bencher
        .counter(BytesCount::of_str(text))
        .bench(|| teikit_rnc::parse(black_box(text)).map(|e| e.children.len()));
}

#[divan::bench]
fn teikit_archive(bencher: Bencher) {
    bench_parse(bencher, ARCHIVE_RNC);
}

#[divan::bench(args = [100, 1000])]
fn generated(bencher: Bencher, defines: usize) {
    bench_parse(bencher, &generated_grammar(defines));
}
