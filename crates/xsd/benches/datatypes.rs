//! Micro-benchmarks of datatype checks, which run for every attribute value and data text
//! node: dates, names, pattern facets and decimals, each over a batch of lexical values (valid
//! and invalid) so that one iteration is a realistic mix.
//!
//! `cargo bench -p teikit-xsd` (divan); `cargo xtask bench --micro` runs every crate's benches.

use divan::counter::ItemsCount;
use divan::{black_box, Bencher};
use teikit_xsd::{Datatype, XsdRegex};

fn main() {
    divan::main();
}

fn no_qnames(_: &str) -> Option<String> {
    None
}

fn datatype(name: &str, params: &[(&str, &str)]) -> Datatype {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    match Datatype::new(name, &params) {
        Ok(dt) => dt,
        Err(e) => panic!("{name}: {}", e.message()),
    }
}

/// `count` values from `make`, indexed so that they vary (a cache keyed by value would not
/// help, as it would not on real documents).
fn values(count: usize, make: impl Fn(usize) -> String) -> Vec<String> {
    (0..count).map(make).collect()
}

/// Checks every value; returns how many were valid so the work cannot be optimised away.
fn check_all(bencher: Bencher, dt: &Datatype, values: &[String]) {
    let valid = values
        .iter()
        .filter(|v| dt.check(v, &no_qnames).is_ok())
        .count();
    // Every batch mixes valid and invalid values: all-valid or all-invalid means a broken input.
    assert!(
        valid > 0 && valid < values.len(),
        "{}: {valid} of {} values valid",
        dt.name(),
        values.len()
    );
    bencher.counter(ItemsCount::new(values.len())).bench(|| {
        black_box(values)
            .iter()
            .filter(|v| dt.check(v, &no_qnames).is_ok())
            .count()
    });
}

const BATCH: usize = 1000;

#[divan::bench]
fn date(bencher: Bencher) {
    let dt = datatype("date", &[]);
    // Every 10th value is 30 February or 31 April: lexically fine, not a date.
    let vs = values(BATCH, |i| match i % 10 {
        0 => format!("{:04}-02-30", 1800 + i % 200),
        5 => format!("{:04}-04-31Z", 1800 + i % 200),
        _ => format!("{:04}-{:02}-{:02}", 1800 + i % 200, i % 12 + 1, i % 28 + 1),
    });
    check_all(bencher, &dt, &vs);
}

#[divan::bench]
fn date_time(bencher: Bencher) {
    let dt = datatype("dateTime", &[]);
    let vs = values(BATCH, |i| match i % 10 {
        0 => format!("1950-01-{:02}T25:00:00", i % 28 + 1),
        _ => format!(
            "1950-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0{}:00",
            i % 12 + 1,
            i % 28 + 1,
            i % 24,
            i % 60,
            (i * 7) % 60,
            i % 1000,
            i % 10
        ),
    });
    check_all(bencher, &dt, &vs);
}

#[divan::bench]
fn ncname(bencher: Bencher) {
    let dt = datatype("NCName", &[]);
    let vs = values(BATCH, |i| match i % 10 {
        0 => format!("{i}starts-with-a-digit"),
        1 => format!("has:colon{i}"),
        _ => format!("person-{i}_Ünïcödé.{}", i % 7),
    });
    check_all(bencher, &dt, &vs);
}

/// A `pattern` facet as TEI writes them (teidata.versionNumber-like), on a token.
#[divan::bench]
fn pattern_facet(bencher: Bencher) {
    let dt = datatype(
        "token",
        &[("pattern", r"\d+[a-z]*\d*(\.\d+[a-z]*\d*){0,3}")],
    );
    let vs = values(BATCH, |i| match i % 10 {
        0 => format!("v{i}"),
        _ => format!("{}.{}b{}.{}", i % 9, i % 13, i % 4, i),
    });
    check_all(bencher, &dt, &vs);
}

/// A Unicode-class pattern (teidata.word-like): the class tables are the cost.
#[divan::bench]
fn pattern_facet_unicode_classes(bencher: Bencher) {
    let dt = datatype("string", &[("pattern", r"[^\p{C}\p{Z}]+")]);
    let vs = values(BATCH, |i| match i % 10 {
        0 => format!("two words{i}"),
        _ => format!("Wort{i}—ἀρχή"),
    });
    check_all(bencher, &dt, &vs);
}

#[divan::bench]
fn decimal_with_facets(bencher: Bencher) {
    let dt = datatype(
        "decimal",
        &[
            ("totalDigits", "8"),
            ("fractionDigits", "3"),
            ("minInclusive", "-1000"),
            ("maxExclusive", "100000"),
        ],
    );
    let vs = values(BATCH, |i| match i % 10 {
        0 => format!("{i}.12345"),
        1 => format!("-{}000", i + 2),
        _ => format!(
            "{}{}.{:03}",
            if i % 3 == 0 { "+" } else { "" },
            i * 37,
            i % 1000
        ),
    });
    check_all(bencher, &dt, &vs);
}

/// Translating and compiling an XSD regular expression (once per datatype per schema load).
#[divan::bench(args = [r"\d+[a-z]*\d*(\.\d+[a-z]*\d*){0,3}", r"[^\p{C}\p{Z}]+", r"[\i-[:]][\c-[:]]*"])]
fn regex_compile(pattern: &str) -> bool {
    XsdRegex::new(black_box(pattern)).is_ok()
}
