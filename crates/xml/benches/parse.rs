//! Micro-benchmarks of the reading hot path: decoding bytes and checking well-formedness while
//! building the tree, on a generated TEI document of about 1 MB.
//!
//! `cargo bench -p teikit-xml` (divan); `cargo xtask bench --micro` runs every crate's benches.

#[path = "support/tei.rs"]
mod tei;

use divan::counter::BytesCount;
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

/// About 1 MB: large enough that per-document set-up is noise, small enough to stay in cache.
const DOC_BYTES: usize = 1 << 20;

fn document() -> String {
    tei::tei_document(DOC_BYTES).0
}

/// `teikit_xml::parse`: our well-formedness scan, then roxmltree's tree.
#[divan::bench]
fn parse_1mb_tei(bencher: Bencher) {
    let doc = document();
    let limits = teikit_xml::Limits::default();
    // A bench of the error path would measure an early exit.
    if let Err(e) = teikit_xml::parse(&doc, &limits) {
        panic!("the generated document is not well-formed: {}", e.message);
    }
    bencher.counter(BytesCount::of_str(&doc)).bench(|| {
        teikit_xml::parse(black_box(&doc), &limits)
            .ok()
            .map(|d| d.descendants().count())
    });
}

/// roxmltree alone, the floor `parse` builds on: the difference is the cost of our own scan.
#[divan::bench]
fn roxmltree_only_1mb_tei(bencher: Bencher) {
    let doc = document();
    bencher.counter(BytesCount::of_str(&doc)).bench(|| {
        roxmltree::Document::parse(black_box(&doc))
            .ok()
            .map(|d| d.descendants().count())
    });
}

/// `teikit_xml::decode` of UTF-8 input (BOM sniffing and UTF-8 validation).
#[divan::bench]
fn decode_utf8_1mb(bencher: Bencher) {
    let doc = document();
    bencher.counter(BytesCount::of_str(&doc)).bench(|| {
        teikit_xml::decode(black_box(doc.as_bytes()))
            .ok()
            .map(|t| t.len())
    });
}

/// UTF-16 input is transcoded first; the document is encoded once, outside the timing.
#[divan::bench]
fn decode_utf16_1mb(bencher: Bencher) {
    let doc = document().replacen("encoding=\"UTF-8\"", "encoding=\"UTF-16\"", 1);
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(doc.encode_utf16().flat_map(u16::to_le_bytes));
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench(|| teikit_xml::decode(black_box(&bytes)).ok().map(|t| t.len()));
}
