//! Micro-benchmarks of the derivative validator: compiling a schema, validating a mid-size
//! document with a cold memo (derivatives computed) and with a warm one (derivatives looked
//! up), against the built-in teikit-archive schema (from `schemas/`, so nothing outside the
//! repository is needed) and, when `../shared` is there, tei_all 4.12.
//!
//! `cargo bench -p teikit-validate` (divan); `cargo xtask bench --micro` runs every crate's
//! benches.

#[path = "../../xml/benches/support/tei.rs"]
mod tei;

use std::path::{Path, PathBuf};

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use teikit_relaxng::{LoadOptions, Schema};
use teikit_validate::Grammar;

/// The built-in schema, as the CLI embeds it.
const ARCHIVE_RNG: &str = include_str!("../../../schemas/teikit-archive.rng");

/// About 256 KB of TEI: a few hundred letters, each element of the schema's body exercised
/// many times, so the warm memo covers every derivative after the first document.
const DOC_BYTES: usize = 256 << 10;

fn main() {
    let mut divan = divan::Divan::from_args();
    if tei_all_path().is_none() {
        eprintln!(
            "teikit-validate benches: tei_all.rng not found under ../shared (or $TEIKIT_SHARED); \
             skipping the tei_all benches"
        );
        divan = divan.skip_regex("tei_all");
    }
    divan.main();
}

fn archive_schema() -> Schema {
    let path = Path::new("schemas/teikit-archive.rng");
    match teikit_relaxng::load_source(path, ARCHIVE_RNG, &LoadOptions::default()) {
        Ok(schema) => schema,
        Err(e) => panic!("the built-in schema does not load: {}", first_error(&e)),
    }
}

fn first_error(e: &teikit_relaxng::SchemaErrors) -> String {
    e.errors
        .first()
        .map_or_else(String::new, |(_, d)| format!("{} {}", d.code, d.message))
}

/// tei_all 4.12 from the shared test data, when it is there.
fn tei_all_path() -> Option<PathBuf> {
    let shared = std::env::var_os("TEIKIT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    Some(shared.join("schemas/tei/p5-4.12.0/tei_all.rng")).filter(|p| p.is_file())
}

fn tei_all_schema() -> Schema {
    let path = tei_all_path().expect("skipped in main when absent");
    match teikit_relaxng::load(&path, &LoadOptions::default()) {
        Ok(schema) => schema,
        Err(e) => panic!("tei_all does not load: {}", first_error(&e)),
    }
}

/// Validates and insists on a clean result: a bench of a failing validation would measure
/// recovery, not the hot path.
fn validate_clean(grammar: &Grammar, doc: &teikit_xml::Document<'_>) -> usize {
    let diagnostics = grammar.validate(doc);
    if let Some(d) = diagnostics.first() {
        panic!(
            "the generated document is invalid: {} {}",
            d.code, d.message
        );
    }
    grammar.pattern_count()
}

fn parse(text: &str) -> teikit_xml::Document<'_> {
    match teikit_xml::read(text, &teikit_xml::Limits::default()) {
        Ok(doc) => doc,
        Err(e) => panic!("the generated document is not well-formed: {}", e.message),
    }
}

/// Loading, simplifying and checking the built-in schema, then compiling it.
#[divan::bench]
fn compile_archive_schema() -> usize {
    Grammar::new(archive_schema()).pattern_count()
}

/// A fresh grammar per iteration: every derivative is computed and interned (the first
/// document of a run).
#[divan::bench]
fn validate_cold_memo_archive(bencher: Bencher) {
    let text = tei::tei_document(DOC_BYTES).0;
    let doc = parse(&text);
    let schema = archive_schema();
    validate_clean(&Grammar::new(schema.clone()), &doc);
    bencher
        .counter(BytesCount::of_str(&text))
        .with_inputs(|| Grammar::new(schema.clone()))
        .bench_local_refs(|grammar| validate_clean(grammar, black_box(&doc)));
}

/// One grammar for every iteration, warmed by a first validation: derivatives are memo hits
/// (every later document of a batch).
#[divan::bench]
fn validate_warm_memo_archive(bencher: Bencher) {
    let text = tei::tei_document(DOC_BYTES).0;
    let doc = parse(&text);
    let grammar = Grammar::new(archive_schema());
    validate_clean(&grammar, &doc);
    bencher
        .counter(BytesCount::of_str(&text))
        .bench(|| validate_clean(&grammar, black_box(&doc)));
}

/// The generated document against tei_all 4.12 with a warm memo (skipped without ../shared).
#[divan::bench(sample_count = 20)]
fn validate_warm_memo_tei_all(bencher: Bencher) {
    let text = tei::tei_document(DOC_BYTES).0;
    let doc = parse(&text);
    let grammar = Grammar::new(tei_all_schema());
    validate_clean(&grammar, &doc);
    bencher
        .counter(BytesCount::of_str(&text))
        .bench(|| validate_clean(&grammar, black_box(&doc)));
}

/// Loading tei_all 4.12 (skipped without ../shared): the fixed cost of a cold `validate`.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn load_tei_all() -> usize {
    Grammar::new(tei_all_schema()).pattern_count()
}
