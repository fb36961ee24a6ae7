//! XSD datatypes: the input is split into a datatype name, facets and a value.
//!
//! Layout: the first byte picks a built-in name from `TYPE_NAMES` (bytes ≥ 0xF0 instead take
//! the first line as the name, to exercise unknown names); then one facet a line,
//! `name=value`, up to the first empty line; the rest is the value.
//!
//! Invariants: building and checking never panic; error messages are not empty; white-space
//! normalisation is idempotent and checking a value equals checking its normal form; a value
//! that checks equals itself (`equal`), and an ordered type compares it `Equal` to itself or
//! finds it incomparable (NaN), never less or greater.
#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use teikit_xsd::{Datatype, TYPE_NAMES};

fn resolve(prefix: &str) -> Option<String> {
    match prefix {
        "" => None,
        "p" | "xsd" => Some(format!("urn:{prefix}")),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(rest) = std::str::from_utf8(rest) else {
        return;
    };
    let (name, rest) = if first < 0xF0 {
        (TYPE_NAMES[first as usize % TYPE_NAMES.len()], rest)
    } else {
        rest.split_once('\n').unwrap_or((rest, ""))
    };
    let (facet_text, value) = rest.split_once("\n\n").unwrap_or((rest, ""));
    let params: Vec<(String, String)> = facet_text
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or((l, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    let dt = match Datatype::new(name, &params) {
        Ok(dt) => dt,
        Err(e) => {
            assert!(!e.message().is_empty(), "empty error building {name}");
            return;
        }
    };
    let ws = dt.whitespace();
    let norm = ws.apply(value);
    assert_eq!(
        ws.apply(&norm),
        norm,
        "white-space normalisation is not idempotent"
    );
    let checked = dt.check(value, &resolve);
    if let Err(why) = &checked {
        assert!(!why.is_empty(), "empty reason from {name}");
    }
    assert_eq!(
        checked.is_ok(),
        dt.check(&norm, &resolve).is_ok(),
        "{name}: {value:?} and its normal form {norm:?} check differently"
    );
    if checked.is_ok() {
        assert!(
            dt.equal(value, &resolve, value, &resolve),
            "{name}: {value:?} is not equal to itself"
        );
        assert!(
            matches!(dt.compare(value, value), None | Some(Ordering::Equal)),
            "{name}: {value:?} compares unequal to itself"
        );
    }
});
