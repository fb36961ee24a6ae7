//! The `convert` conformance suite: converts the seed transcriptions (`shared/seeds/*.txt`) and
//! the repository's `samples/*.txt`, checks the round trip (`to_text`), validates every output
//! with jing against tei_all, and checks the seed's structure against what the expert
//! reference encoding contains (counted in our output with roxmltree).

use std::path::{Path, PathBuf};
use std::process::Command;

use teikit_convert::{convert, normalize, to_text, Options};

use super::SuiteResult;

const TEI: &str = "http://www.tei-c.org/ns/1.0";

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    let jing = which_jing()?;
    let schema = shared.join("schemas/tei/p5-4.12.0/tei_all.rng");
    let archive = crate::project_root().join("schemas/teikit-archive.rng");
    if !schema.is_file() {
        anyhow::bail!("tei_all.rng is missing at {}", schema.display());
    }
    let tmp = tempfile::tempdir()?;
    let mut result = SuiteResult::new();
    let mut inputs: Vec<(String, PathBuf)> = Vec::new();
    for (prefix, dir) in [
        ("seed", shared.join("seeds")),
        ("sample", crate::project_root().join("samples")),
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        for f in files {
            let stem = f
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if prefix == "seed" {
                inputs.push((format!("{prefix}/{stem}#lines"), f.clone()));
            }
            inputs.push((format!("{prefix}/{stem}"), f));
        }
    }
    if inputs.is_empty() {
        anyhow::bail!("no transcriptions found in seeds/ or samples/");
    }
    for (name, path) in &inputs {
        let mut input = std::fs::read(path)?;
        if name.ends_with("#lines") {
            // The single-newline variant of a seed (blank lines removed), as some archives
            // publish the same material.
            let text = String::from_utf8_lossy(&input).replace("\r\n", "\n");
            input = text.replace("\n\n", "\n").into_bytes();
        }
        let opts = Options {
            file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            ..Options::default()
        };
        let out = convert(&input, &opts);
        let Some(tei) = out.tei else {
            let why = out
                .diagnostics
                .first()
                .map(|d| format!("{}: {}", d.code, d.message))
                .unwrap_or_default();
            result.record(format!("{name}/converts"), Err(why));
            continue;
        };
        result.record(format!("{name}/converts"), Ok(()));
        if name.starts_with("seed/") {
            // Real documents: no date of theirs is flagged as implausible.
            let flagged: Vec<String> = out
                .diagnostics
                .iter()
                .filter(|d| d.code == "convert/implausible-date")
                .map(|d| d.message.to_string())
                .collect();
            result.record(
                format!("{name}/no-implausible-dates"),
                if flagged.is_empty() {
                    Ok(())
                } else {
                    Err(flagged.join("; "))
                },
            );
        }
        let text = String::from_utf8_lossy(&input);
        result.record(format!("{name}/round-trip"), round_trip(&tei, &text));
        let out_path = tmp
            .path()
            .join(format!("{}.xml", name.replace(['/', '#'], "-")));
        std::fs::write(&out_path, &tei)?;
        result.record(
            format!("{name}/jing-tei_all"),
            validate(&jing, &schema, &out_path),
        );
        // The built-in schema covers exactly what the converter writes (issue #8).
        result.record(
            format!("{name}/jing-teikit-archive"),
            validate(&jing, &archive, &out_path),
        );
        if name.starts_with("seed/") && !name.ends_with("#lines") {
            match roxmltree::Document::parse(&tei) {
                Ok(doc) => {
                    for (check, outcome) in seed_checks(&doc) {
                        result.record(format!("{name}/structure/{check}"), outcome);
                    }
                }
                Err(e) => result.record(
                    format!("{name}/structure"),
                    Err(format!("not well-formed: {e}")),
                ),
            }
        }
        if name.starts_with("seed/") && !name.ends_with("#lines") {
            ner_against_reference(shared, path, &tei, &mut result)?;
        }
        if let Some((_, expected)) = SAMPLE_ENTITIES
            .iter()
            .find(|(s, _)| name == &format!("sample/{s}"))
        {
            let got = entities(&tei).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            let want: Vec<(String, String)> = expected
                .iter()
                .map(|(k, t)| (k.to_string(), t.to_string()))
                .collect();
            let (p, r, report) = precision_recall(&got, &want);
            println!("convert {name}: entities precision {p:.3} recall {r:.3}{report}");
            result.record(
                format!("{name}/ner/recall"),
                threshold("recall", r, 0.75, &report),
            );
            result.record(
                format!("{name}/ner/precision"),
                threshold("precision", p, 0.75, &report),
            );
        }
    }
    Ok(result)
}

/// Hand-annotated entities of samples whose names are not in the built-in lists' focus
/// (what an expert would tag as persName/placeName/orgName/date inside `<text>`).
const SAMPLE_ENTITIES: &[(&str, &[(&str, &str)])] = &[
    (
        "cable-1951-moscow",
        &[
            ("placeName", "MOSCOW"),
            ("placeName", "Beijing"),
            ("placeName", "Manchuria"),
            ("placeName", "Otpor"),
            ("orgName", "EMBASSY OF THE USSR"),
            ("orgName", "Central People's Government"),
            ("orgName", "Soviet Government"),
            ("persName", "Cde. ROSHCHIN"),
            ("persName", "VYSHINSKY"),
            ("persName", "Cde. Stalin"),
            ("persName", "Cde. Molotov"),
            ("persName", "Cde. Bulganin"),
            ("persName", "Orlova"),
            ("date", "0915 14 March 1951"),
            ("date", "1140 14 March"),
            ("date", "11 March"),
            ("date", "14 March 1951"),
            ("date", "1200 14 March 1951"),
        ],
    ),
    (
        "conversation-1962-havana",
        &[
            ("placeName", "USSR"),
            ("placeName", "USSR"),
            ("placeName", "Cuba"),
            ("placeName", "Cuba"),
            ("persName", "Prime Minister Fidel Castro"),
            ("persName", "F. CASTRO"),
            ("persName", "Cde. Dorticós"),
            ("persName", "Castro"),
            ("persName", "Castro"),
            ("persName", "Cde. KHRUSHCHEV"),
            ("persName", "Comrade Khrushchev"),
            ("persName", "FIDEL CASTRO"),
            ("persName", "A. ALEKSEEV"),
            ("orgName", "Soviet Government"),
            ("date", "12 October 1962"),
        ],
    ),
    // Invented names, places and organisations (none in the built-in lists), date ranges and
    // titles before single names: what shape rules alone find.
    (
        "cable-1957-karsk",
        &[
            ("placeName", "KARSK"),
            ("date", "0940 14 May 1957"),
            ("date", "1215 14 May"),
            ("orgName", "MINISTRY OF FOREIGN AFFAIRS"),
            ("persName", "Cde. LEVANDER"),
            ("orgName", "Drevna Valley Producers' Association"),
            ("placeName", "Velmora"),
            ("date", "6 to 9 May 1957"),
            ("persName", "Chairman Dorn"),
            ("orgName", "Karsk Regional Committee"),
            ("persName", "Dorn"),
            ("date", "10 and 12 May"),
            ("placeName", "Upper Drevna"),
            ("placeName", "Karsk"),
            ("date", "13 May"),
            ("persName", "Aurel Vantu"),
            ("persName", "Ambassador Morrow"),
            ("date", "20 May 1957"),
            ("persName", "Cde. Dorn"),
            ("date", "20–22 May"),
            ("persName", "OSTRANDER"),
            ("date", "14 May 1957"),
        ],
    ),
    (
        "letter-1958-port-ellery",
        &[
            ("placeName", "Port Ellery"),
            ("date", "3 October 1958"),
            ("persName", "Comrade Tesk"),
            ("persName", "Prime Minister Halvard"),
            ("placeName", "Sandvik"),
            ("date", "30 September to 2 October 1958"),
            ("persName", "Halvard"),
            ("persName", "Madame Roux"),
            ("orgName", "Maritime Workers' Federation"),
            ("orgName", "Federation"),
            ("placeName", "Sandvik"),
            ("date", "15 and 20 November"),
            ("orgName", "Coastal Shipping Board"),
            ("orgName", "Board of Coastal Shipping"),
            ("persName", "Comrade Halvard"),
            ("persName", "Cde. Roux"),
            ("persName", "IVAR LUNDQVIST"),
            ("orgName", "Port Ellery Trades Council"),
        ],
    ),
    (
        "conversation-1961-sarn",
        &[
            ("persName", "Teodor Brannik"),
            ("date", "2 October 1961"),
            ("date", "29 September 1961"),
            ("persName", "Minister Brannik"),
            ("orgName", "Grain Trade Directorate"),
            ("persName", "Comrade Esko Vaara"),
            ("persName", "Brannik"),
            ("placeName", "Lower Sarn"),
            ("date", "1 and 15 December"),
            ("date", "31 September"),
            ("placeName", "Moscow"),
            ("persName", "Vaara"),
            ("placeName", "Kellvik"),
            ("date", "1 November to 30 April"),
            ("date", "15 October 1961"),
            ("persName", "P. ARKHIPOV"),
        ],
    ),
];

fn threshold(what: &str, got: f64, min: f64, report: &str) -> Result<(), String> {
    if got >= min {
        Ok(())
    } else {
        Err(format!("{what} {got:.3} < {min}{report}"))
    }
}

/// (element, normalised text) of every persName/placeName/orgName/date inside `<text>`.
fn entities(tei: &str) -> Result<Vec<(String, String)>, String> {
    let doc = roxmltree::Document::parse(tei).map_err(|e| e.to_string())?;
    let Some(text) = doc.descendants().find(|n| el(*n, "text")) else {
        return Err("no <text>".into());
    };
    Ok(text
        .descendants()
        .filter(|n| {
            n.is_element()
                && n.tag_name().namespace() == Some(TEI)
                && matches!(
                    n.tag_name().name(),
                    "persName" | "placeName" | "orgName" | "date"
                )
        })
        .map(|n| (n.tag_name().name().to_string(), norm_text(n)))
        .collect())
}

fn norm_text(n: roxmltree::Node) -> String {
    let t: String = n
        .descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Multiset precision and recall, with the differences listed.
fn precision_recall(got: &[(String, String)], want: &[(String, String)]) -> (f64, f64, String) {
    let mut pool: Vec<&(String, String)> = want.iter().collect();
    let mut extra = Vec::new();
    let mut tp = 0usize;
    for g in got {
        if let Some(i) = pool.iter().position(|w| *w == g) {
            pool.remove(i);
            tp += 1;
        } else {
            extra.push(format!("{} {:?}", g.0, g.1));
        }
    }
    let missing: Vec<String> = pool.iter().map(|w| format!("{} {:?}", w.0, w.1)).collect();
    let p = if got.is_empty() {
        1.0
    } else {
        tp as f64 / got.len() as f64
    };
    let r = if want.is_empty() {
        1.0
    } else {
        tp as f64 / want.len() as f64
    };
    let mut report = String::new();
    if !missing.is_empty() {
        report.push_str(&format!("; missing: {}", missing.join(", ")));
    }
    if !extra.is_empty() {
        report.push_str(&format!("; extra: {}", extra.join(", ")));
    }
    (p, r, report)
}

/// On a seed with an expert encoding (`shared/design/seed-reference.tei.xml`, matched by its
/// `idno type="file"`): entity precision/recall, co-reference and `@when` agreement.
fn ner_against_reference(
    shared: &Path,
    seed: &Path,
    tei: &str,
    result: &mut SuiteResult,
) -> anyhow::Result<()> {
    let ref_path = shared.join("design/seed-reference.tei.xml");
    let Ok(reference) = std::fs::read_to_string(&ref_path) else {
        return Ok(());
    };
    let rdoc = roxmltree::Document::parse(&reference)?;
    let file = seed.file_name().unwrap_or_default().to_string_lossy();
    let matches = rdoc
        .descendants()
        .any(|n| el(n, "idno") && n.attribute("type") == Some("file") && n.text() == Some(&file));
    if !matches {
        return Ok(());
    }
    let want = entities(&reference).map_err(|e| anyhow::anyhow!(e))?;
    let got = entities(tei).map_err(|e| anyhow::anyhow!(e))?;
    let (p, r, report) = precision_recall(&got, &want);
    println!("convert seed/{file}: entities precision {p:.3} recall {r:.3}{report}");
    result.record("ner/seed-recall", threshold("recall", r, 0.95, &report));
    result.record(
        "ner/seed-precision",
        threshold("precision", p, 0.9, &report),
    );
    // Co-reference: mentions that share a @ref in the reference share one in ours, and
    // mentions with different refs have different ones; @when agrees for every date.
    let ours = roxmltree::Document::parse(tei)?;
    let attrs = |doc: &roxmltree::Document, attr: &str| -> Vec<(String, String, String)> {
        let Some(text) = doc.descendants().find(|n| el(*n, "text")) else {
            return Vec::new();
        };
        text.descendants()
            .filter(|n| n.is_element() && n.attribute(attr).is_some())
            .filter(|n| {
                matches!(
                    n.tag_name().name(),
                    "persName" | "placeName" | "orgName" | "date"
                )
            })
            .map(|n| {
                (
                    n.tag_name().name().to_string(),
                    norm_text(n),
                    n.attribute(attr).unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let rrefs = attrs(&rdoc, "ref");
    let orefs = attrs(&ours, "ref");
    let mut mapping: std::collections::HashMap<String, String> = Default::default();
    let mut problems = Vec::new();
    for (name, text, rref) in &rrefs {
        let Some((_, _, oref)) = orefs.iter().find(|(n, t, _)| n == name && t == text) else {
            problems.push(format!("{name} {text:?} has no @ref"));
            continue;
        };
        match mapping.get(rref) {
            Some(prev) if prev != oref => {
                problems.push(format!("{text:?}: {oref} but {rref} was {prev}"))
            }
            _ => {
                mapping.insert(rref.clone(), oref.clone());
            }
        }
    }
    let mut targets: Vec<&String> = mapping.values().collect();
    targets.sort();
    let before = targets.len();
    targets.dedup();
    if targets.len() != before {
        problems.push("two reference persons share one of our ids".into());
    }
    result.record(
        "ner/seed-coreference",
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        },
    );
    let rwhen = attrs(&rdoc, "when");
    let owhen = attrs(&ours, "when");
    let wrong: Vec<String> = rwhen
        .iter()
        .filter(|r| !owhen.contains(r))
        .map(|(_, t, w)| format!("{t:?} when={w}"))
        .collect();
    result.record(
        "ner/seed-dates-when",
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(format!("not matched: {}", wrong.join(", ")))
        },
    );
    Ok(())
}

fn which_jing() -> anyhow::Result<PathBuf> {
    let out = Command::new("which").arg("jing").output();
    match out {
        Ok(o) if o.status.success() => {
            Ok(PathBuf::from(String::from_utf8_lossy(&o.stdout).trim().to_string()))
        }
        _ => anyhow::bail!(
            "jing is missing: the convert suite validates its outputs with jing (install it: apt-get install jing)"
        ),
    }
}

fn round_trip(tei: &str, input: &str) -> Result<(), String> {
    let back = to_text(tei).map_err(|d| format!("to_text failed: {}", d[0].message))?;
    let want = normalize(input);
    if back == want {
        return Ok(());
    }
    let at = back
        .bytes()
        .zip(want.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(back.len().min(want.len()));
    let show = |s: &str| {
        let mut a = at.saturating_sub(30);
        while !s.is_char_boundary(a) {
            a -= 1;
        }
        let mut b = (at + 30).min(s.len());
        while !s.is_char_boundary(b) {
            b += 1;
        }
        s[a..b].to_string()
    };
    Err(format!(
        "differs at byte {at}: got {:?}, want {:?}",
        show(&back),
        show(&want)
    ))
}

fn validate(jing: &Path, schema: &Path, file: &Path) -> Result<(), String> {
    let out = Command::new(jing)
        .arg(schema)
        .arg(file)
        .output()
        .map_err(|e| format!("cannot run jing: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let msg = String::from_utf8_lossy(&out.stdout);
    let first: Vec<&str> = msg
        .lines()
        .filter(|l| !l.contains("Unable to locate"))
        .take(3)
        .collect();
    Err(format!("jing: {}", first.join(" | ")))
}

fn el<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> bool {
    n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(TEI)
}

fn children<'a, 'i>(
    n: roxmltree::Node<'a, 'i>,
    name: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> + 'a
where
    'i: 'a,
{
    n.children().filter(move |c| el(*c, name))
}

fn count(doc: &roxmltree::Document, pred: impl Fn(roxmltree::Node) -> bool) -> usize {
    doc.descendants()
        .filter(|n| n.is_element() && pred(*n))
        .count()
}

fn expect(what: &str, got: usize, want: usize) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("expected {want} {what}, found {got}"))
    }
}

fn at_least(what: &str, got: usize, want: usize) -> Result<(), String> {
    if got >= want {
        Ok(())
    } else {
        Err(format!("expected at least {want} {what}, found {got}"))
    }
}

fn divs_of<'a, 'i>(doc: &'a roxmltree::Document<'i>, kind: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    doc.descendants()
        .filter(|n| el(*n, "div") && n.attribute("type") == Some(kind))
        .collect()
}

/// What the expert reference of the seed contains, checked in our output.
fn seed_checks(doc: &roxmltree::Document) -> Vec<(&'static str, Result<(), String>)> {
    let mut v: Vec<(&'static str, Result<(), String>)> = Vec::new();
    let hand_notes = count(doc, |n| el(n, "handNote"));
    let hand_add = count(doc, |n| {
        el(n, "note")
            && n.attribute("type") == Some("handwritten")
            && n.children()
                .any(|c| el(c, "add") && c.attribute("hand").is_some_and(|h| h.starts_with('#')))
    });
    v.push((
        "handwritten-note",
        expect("handwritten notes with add/@hand", hand_add, 1),
    ));
    v.push(("handnote-in-header", expect("handNote", hand_notes, 1)));
    let head_idno = count(doc, |n| {
        el(n, "head") && n.children().any(|c| el(c, "idno"))
    });
    v.push(("head-with-idno", expect("head with idno", head_idno, 1)));
    let cable = divs_of(doc, "cable");
    let opener = cable.first().and_then(|d| children(*d, "opener").next());
    v.push((
        "opener-three-datelines",
        match opener {
            Some(o) => expect(
                "datelines in the opener",
                children(o, "dateline").count(),
                3,
            ),
            None => Err("no div type=cable with an opener".into()),
        },
    ));
    v.push((
        "opener-dates-with-time",
        match opener {
            Some(o) => expect(
                "dateline dates with a time",
                o.descendants()
                    .filter(|d| {
                        el(*d, "date")
                            && d.attribute("when")
                                .is_some_and(|w| w.starts_with("1950-09-30T"))
                    })
                    .count(),
                3,
            ),
            None => Err("no opener".into()),
        },
    ));
    v.push((
        "opener-segs",
        match opener {
            Some(o) => {
                let types: Vec<&str> = children(o, "seg")
                    .filter_map(|s| s.attribute("type"))
                    .collect();
                if types == ["transmission", "priority"] {
                    Ok(())
                } else {
                    Err(format!("seg types {types:?}"))
                }
            }
            None => Err("no opener".into()),
        },
    ));
    v.push((
        "opener-address",
        match opener.and_then(|o| children(o, "address").next()) {
            Some(a) => expect("addrLines", children(a, "addrLine").count(), 3),
            None => Err("no address in the cable's opener".into()),
        },
    ));
    v.push((
        "cable-closer-signed",
        match cable.first().and_then(|d| children(*d, "closer").next()) {
            Some(c) => expect(
                "signed in the cable's closer",
                children(c, "signed").count(),
                1,
            ),
            None => Err("no closer in the cable div".into()),
        },
    ));
    let reg = divs_of(doc, "registration");
    v.push((
        "registration-stamp",
        match reg.first() {
            Some(r) => expect(
                "stamps in the registration div",
                r.descendants().filter(|n| el(*n, "stamp")).count(),
                1,
            ),
            None => Err("no registration div".into()),
        },
    ));
    v.push((
        "registration-distribution-list",
        match reg.first().and_then(|r| children(*r, "list").next()) {
            Some(l) => {
                let ns: Vec<&str> = children(l, "item")
                    .filter_map(|i| i.attribute("n"))
                    .collect();
                let want: Vec<String> = (1..=9).map(|i| i.to_string()).collect();
                if l.attribute("type") == Some("distribution") && ns == want {
                    Ok(())
                } else {
                    Err(format!(
                        "list type {:?}, item numbers {ns:?}",
                        l.attribute("type")
                    ))
                }
            }
            None => Err("no list in the registration div".into()),
        },
    ));
    let letter = divs_of(doc, "letter");
    v.push(("one-letter-div", expect("letter divs", letter.len(), 1)));
    v.push((
        "letter-opener-salute",
        match letter.first().and_then(|d| children(*d, "opener").next()) {
            Some(o) => expect(
                "salute in the letter's opener",
                children(o, "salute").count(),
                1,
            ),
            None => Err("no opener in the letter".into()),
        },
    ));
    v.push((
        "letter-closer",
        match letter.first().and_then(|d| children(*d, "closer").next()) {
            Some(c) => {
                let names: Vec<&str> = c
                    .children()
                    .filter(|n| n.is_element())
                    .map(|n| n.tag_name().name())
                    .collect();
                if names == ["salute", "signed", "dateline"] {
                    Ok(())
                } else {
                    Err(format!("closer children {names:?}"))
                }
            }
            None => Err("no closer in the letter".into()),
        },
    ));
    v.push((
        "supplied-words",
        expect("supplied", count(doc, |n| el(n, "supplied")), 3),
    ));
    v.push((
        "two-gaps",
        expect(
            "illegible gaps",
            count(doc, |n| {
                el(n, "gap") && n.attribute("reason") == Some("illegible")
            }),
            2,
        ),
    ));
    v.push((
        "transmission-div",
        expect("transmission divs", divs_of(doc, "transmission").len(), 1),
    ));
    v.push(("page-break", expect("pb", count(doc, |n| el(n, "pb")), 1)));
    v.push((
        "letter-paragraphs",
        match letter.first() {
            Some(d) => at_least("paragraphs in the letter", children(*d, "p").count(), 17),
            None => Err("no letter".into()),
        },
    ));
    v
}
