//! Stage 4b: names, places, organisations and dates in every text node of the body, and their
//! co-reference (one `person`/`place`/`org` per entity, pointed at by `@ref`).
//!
//! The pass runs on the built tree, after the structural stage: it only *splits* text nodes
//! and wraps the exact words in inline elements, so the transcription is unchanged (lossless).
//! Recognition is by shape (titles, all-capital runs, Russian patronymics and surname endings,
//! organisation head words with `of`/`the` connectors, context words such as `city of`) and by
//! the built-in gazetteer of `gazetteer.rs`; a user authority list adds names of every kind.

use std::collections::HashMap;

use crate::dates;
use crate::gazetteer::{self, COUNTRY_ADJ_STOP, ORG_HEADS, SUBUNIT_HEADS};
use crate::tree::{El, Node};
use crate::{Authority, EntityKind};

/// Elements whose text is never tagged again (already an entity, or not running text).
const SKIP: &[&str] = &[
    "persName",
    "placeName",
    "orgName",
    "name",
    "date",
    "idno",
    "label",
    "desc",
    "foreign",
    "gap",
    "space",
    "lb",
    "pb",
];

const TITLES: &[&str] = &[
    "Cde.",
    "Comrade",
    "Comrades",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Mister",
    "Marshal",
    "General",
    "Ambassador",
    "Premier",
    "Chairman",
    "Colonel",
    "Admiral",
    "Dr.",
    "Prof.",
    "Lieutenant",
    "Major",
    "Captain",
    "President",
    "Generalissimo",
    "Academician",
];

/// Titles of office and address beyond `TITLES`, several words long or rarer; like `TITLES`
/// they go inside the `persName` when a name follows (`Prime Minister Nehru`).
const MULTI_TITLES: &[&str] = &[
    "Prime Minister",
    "Deputy Prime Minister",
    "Foreign Minister",
    "Deputy Foreign Minister",
    "Minister",
    "Deputy Minister",
    "Vice Premier",
    "Vice-Premier",
    "Vice President",
    "Vice-President",
    "Secretary-General",
    "General Secretary",
    "First Secretary",
    "Secretary",
    "Senator",
    "Chancellor",
    "Governor",
    "Consul",
    "Consul General",
    "Envoy",
    "Field Marshal",
    "Lieutenant General",
    "Major General",
    "Vice Admiral",
    "Rear Admiral",
    "Commander",
    "Sir",
    "Lord",
    "Madame",
    "Mme.",
    "Monsieur",
    "Herr",
    "Frau",
    "Emperor",
    "Shah",
    "Pope",
    "Cardinal",
    "Bishop",
    "Archbishop",
];

/// Capitalised words that start sentences or clauses and are never a name after a title in
/// apposition (`the General, However, …`) nor a known single name.
const COMMON_CAPS: &[&str] = &[
    "However",
    "Moreover",
    "Therefore",
    "Furthermore",
    "Then",
    "Thus",
    "Also",
    "Now",
    "Yes",
    "No",
    "Here",
    "There",
    "Today",
    "Tomorrow",
    "Yesterday",
    "Please",
    "The",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "He",
    "She",
    "They",
    "We",
    "You",
    "His",
    "Her",
    "Our",
    "Their",
    "And",
    "But",
    "Or",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "In",
    "On",
    "At",
    "By",
    "For",
    "With",
    "From",
    "To",
    "Of",
    "As",
    "All",
    "One",
    "Two",
    "Both",
    "Each",
    "Some",
    "Many",
    "Comrade",
    "Comrades",
    "Sir",
    "Madam",
];

/// Capitalised or all-capital words that are never (part of) a person's name by themselves.
const NOT_NAMES: &[&str] = &[
    "US",
    "USA",
    "USSR",
    "UN",
    "CC",
    "CPSU",
    "TASS",
    "PRC",
    "DPRK",
    "ROK",
    "UK",
    "GDR",
    "FRG",
    "TOP",
    "SECRET",
    "URGENT",
    "COPY",
    "CABLE",
    "TELEGRAM",
    "NO",
    "NOTE",
    "THE",
    "AND",
    "OF",
    "TO",
    "FROM",
    "SIC",
    "OK",
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "MEMORANDUM",
    "LETTER",
    "REPORT",
    "DEAR",
    "RE",
    "SUBJECT",
    "EXTREMELY",
    "STRICTLY",
    "PERSONAL",
    "CONFIDENTIAL",
    "IMMEDIATE",
    "PRIORITY",
    "FLASH",
    "OUTGOING",
    "INCOMING",
    "AM",
    "PM",
    "MINISTRY",
    "FOREIGN",
    "AFFAIRS",
    "COMMITTEE",
    "CENTRAL",
    "PARTY",
    "ARMY",
    "STATE",
    "DEPARTMENT",
    "EMBASSY",
    "GENERAL",
    "STAFF",
    "SOVIET",
    "UNION",
    "WE",
    "HE",
    "SHE",
    "IT",
    "THEY",
    "A",
    "AN",
    "IN",
    "ON",
    "AT",
    "BY",
    "FOR",
    "WITH",
    "AS",
    "IS",
    "WAS",
    "BE",
    "P.S.",
];

/// Lower-case English words that start sentences and end like Russian surnames.
const SUFFIX_STOP: &[&str] = &[
    "within", "begin", "origin", "margin", "cousin", "basin", "cabin", "robin", "satin", "toxin",
    "latin", "raisin", "resin", "muslin", "vitamin", "protein", "admin", "penguin", "coffin",
    "twin", "skin", "thin", "chin", "grin", "shin", "spin", "akin", "tin", "pin", "sin", "win",
    "bin", "fin", "gin", "kin", "in", "main", "again", "certain", "captain", "contain", "remain",
    "obtain", "maintain", "explain", "domain", "brain", "train", "plain", "chain", "rain", "gain",
    "pain", "vain", "sustain", "retain", "detain", "curtain", "fountain", "mountain", "bargain",
    "villain", "join", "coin", "loin", "ruin", "sky", "husky", "whisky", "risky", "musky", "dusky",
    "pesky", "rev", "lev", "prev", "improv", "gov", "nov", "kiev",
];

/// A recognised mention in one text node.
struct Span {
    start: usize,
    end: usize,
    kind: EntityKind,
    /// The identified name (from an authority list) or the name without titles.
    key: String,
}

/// The entity lists for the header.
#[derive(Default)]
pub(crate) struct Entities {
    /// `person` entries: (xml:id, display name, URI).
    pub persons: Vec<(String, String, Option<String>)>,
    /// `place` entries.
    pub places: Vec<(String, String, Option<String>)>,
    /// `org` entries.
    pub orgs: Vec<(String, String, Option<String>)>,
}

/// What the pass needs besides the tree.
pub(crate) struct Context<'a> {
    /// Names from the user's authority file.
    pub authority: &'a [Authority],
    /// The document's own date (dateline/routing line): year, month, day.
    pub doc_date: Option<(i32, u32, u32)>,
    /// Personal titles added by a profile (`Prime Minister`, `Herr`).
    pub extra_titles: &'a [String],
}

/// A date in running text that is not given a normalised value, with the text node it is in
/// (so that the caller can find its byte span in the input) and why.
#[derive(Clone, Debug)]
pub(crate) struct DateWarning {
    /// The whole text node the date was found in.
    pub node: String,
    /// Byte range of the date in `node`.
    pub start: usize,
    /// End of the date in `node`.
    pub end: usize,
    /// Why it is implausible.
    pub why: String,
}

/// Tags names and dates in `divs` and links every mention to one entity.
pub(crate) fn annotate(divs: &mut [El], cx: &Context) -> (Entities, Vec<DateWarning>) {
    let mut years: HashMap<i32, usize> = HashMap::new();
    for d in divs.iter() {
        collect_years(d, &mut years);
    }
    let doc_year = years
        .iter()
        .max_by_key(|(y, n)| (**n, -**y))
        .map(|(y, _)| *y)
        .or(cx.doc_date.map(|d| d.0));
    let mut titles = default_titles();
    titles.extend(
        cx.extra_titles
            .iter()
            .map(|t| t.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .filter(|t| !t.is_empty()),
    );
    titles.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let mut ctx = Ctx {
        authority: cx.authority,
        doc_year,
        doc_date: cx.doc_date,
        known_surnames: Vec::new(),
        known_places: Vec::new(),
        titles,
        warnings: Vec::new(),
    };
    for d in divs.iter_mut() {
        ctx.walk(d);
    }
    // Second pass: bare surnames (and single names) already seen in a fuller mention.
    ctx.known_surnames = collect_surnames(divs, &ctx.titles);
    ctx.known_places = collect_places(divs);
    for p in locative_names(divs, &ctx.known_surnames, &ctx.titles) {
        if !ctx.known_places.contains(&p) {
            ctx.known_places.push(p);
        }
    }
    ctx.known_places.sort_by_key(|p| std::cmp::Reverse(p.len()));
    if !ctx.known_surnames.is_empty() || !ctx.known_places.is_empty() {
        for d in divs.iter_mut() {
            ctx.walk_known(d);
        }
    }
    let ents = link(divs, cx.authority, &ctx.titles);
    (ents, ctx.warnings)
}

/// `TITLES` and `MULTI_TITLES` as word sequences, longest first.
fn default_titles() -> Vec<Vec<String>> {
    let mut t: Vec<Vec<String>> = TITLES
        .iter()
        .chain(MULTI_TITLES)
        .map(|t| t.split_whitespace().map(str::to_string).collect())
        .collect();
    t.sort_by_key(|t| std::cmp::Reverse(t.len()));
    t
}

struct Ctx<'a> {
    authority: &'a [Authority],
    doc_year: Option<i32>,
    doc_date: Option<(i32, u32, u32)>,
    known_surnames: Vec<String>,
    /// Places tagged somewhere (lower-cased, longest first), to find again elsewhere.
    known_places: Vec<String>,
    /// Personal titles as word sequences, longest first.
    titles: Vec<Vec<String>>,
    warnings: Vec<DateWarning>,
}

fn collect_years(e: &El, years: &mut HashMap<i32, usize>) {
    if e.name == "date" {
        if let Some((_, w)) = e.attrs.iter().find(|(k, _)| *k == "when") {
            if let Ok(y) = w.get(..4).unwrap_or("").parse::<i32>() {
                *years.entry(y).or_default() += 1;
            }
        }
    }
    for c in &e.children {
        if let Node::El(c) = c {
            collect_years(c, years);
        }
    }
}

impl Ctx<'_> {
    fn walk(&mut self, e: &mut El) {
        if SKIP.contains(&e.name) || is_note_of(e, &["original"]) {
            return;
        }
        let old = std::mem::take(&mut e.children);
        for c in old {
            match c {
                Node::Text(t) => {
                    for n in self.tag(&t) {
                        e.children.push(n);
                    }
                }
                Node::El(mut c) => {
                    self.walk(&mut c);
                    e.children.push(Node::El(c));
                }
            }
        }
    }

    fn walk_known(&mut self, e: &mut El) {
        if SKIP.contains(&e.name) || is_note_of(e, &["identification", "original"]) {
            return;
        }
        let old = std::mem::take(&mut e.children);
        for c in old {
            match c {
                Node::Text(t) => {
                    let mut spans = known_spans(&t, &self.known_surnames);
                    for p in known_place_spans(&t, &self.known_places) {
                        if spans.iter().all(|s| p.end <= s.start || p.start >= s.end) {
                            spans.push(p);
                        }
                    }
                    e.children.extend(split(&t, spans));
                }
                Node::El(mut c) => {
                    self.walk_known(&mut c);
                    e.children.push(Node::El(c));
                }
            }
        }
    }

    fn tag(&mut self, t: &str) -> Vec<Node> {
        let mut spans: Vec<(usize, usize, El)> = Vec::new();
        let mut taken: Vec<(usize, usize)> = Vec::new();
        let free = |taken: &[(usize, usize)], s: usize, e: usize| {
            taken.iter().all(|&(a, b)| e <= a || s >= b)
        };
        // Dates first: digits never belong to names. Ranges before single dates.
        for r in dates::find_ranges(t) {
            let mut el = El::new("date");
            match self
                .implausible(t, &r.from)
                .or_else(|| self.implausible(t, &r.to))
            {
                Some(why) => self.warn(t, r.start, r.end, why),
                None => {
                    let from_year = r.from.year.or(self.doc_year);
                    // `from 1 November to 30 April`: the end is in the next year.
                    let wraps =
                        r.to.year.is_none() && (r.from.month, r.from.day) > (r.to.month, r.to.day);
                    let to_year = r.to.year.or(self.doc_year.map(|y| y + i32::from(wraps)));
                    el.set("from", dates::when(&r.from, from_year));
                    el.set("to", dates::when(&r.to, to_year));
                }
            }
            taken.push((r.start, r.end));
            spans.push((r.start, r.end, el));
        }
        for d in dates::find(t) {
            if !free(&taken, d.start, d.end) {
                continue;
            }
            let mut el = El::new("date");
            match self.implausible(t, &d) {
                Some(why) => self.warn(t, d.start, d.end, why),
                None => el.set("when", dates::when(&d, d.year.or(self.doc_year))),
            }
            taken.push((d.start, d.end));
            spans.push((d.start, d.end, el));
        }
        for (a, b) in dates::find_impossible(t) {
            if free(&taken, a, b) {
                self.warn(t, a, b, "there is no such day in the calendar".to_string());
                taken.push((a, b));
                spans.push((a, b, El::new("date")));
            }
        }
        let mut found = Vec::new();
        authority_spans(t, self.authority, &mut found);
        org_spans(t, &mut found);
        person_spans(t, &self.titles, &mut found);
        place_spans(t, &mut found);
        for s in found {
            if s.start < s.end && free(&taken, s.start, s.end) {
                taken.push((s.start, s.end));
                let mut el = El::new(s.kind.element());
                el.set("key", s.key);
                spans.push((s.start, s.end, el));
            }
        }
        // `key` stays until `link` turns it into `ref`.
        split_els(t, spans)
    }

    fn warn(&mut self, t: &str, start: usize, end: usize, why: String) {
        self.warnings.push(DateWarning {
            node: t.to_string(),
            start,
            end,
            why,
        });
    }

    /// Why a date in running text should not get a normalised value (see `plausibility`).
    fn implausible(&self, t: &str, d: &dates::Found) -> Option<String> {
        plausibility(t, d, self.doc_date, self.doc_year)
    }
}

/// The rule for dates in running text (documented in DESIGN.md). A date is implausible, and
/// kept as written without `@when`, when
/// 1. it carries a time of day (`0145 1 October 1940`: a time marks the handling of this very
///    document) and lies more than 31 days from the document's date (or, without one, its year
///    is more than one year from the document's usual year);
/// 2. it is a full day-month-year date more than 7 days *after* the document's date in a
///    sentence told in the past tense (`was`, `were`, `had`, `did`, or a verb ending in `-ed`
///    before it) with no word of the future or of a plan (`will`, `shall`, `planned`,
///    `scheduled`, `until` …).
///
/// A date before the document's date is a historical reference and never warned about (`the
/// treaty of 14 February 1950` in a 1956 memorandum), and neither is a date in the future told
/// as a plan. Calendar-impossible dates (`31 September`) are found by `dates::find_impossible`.
fn plausibility(
    t: &str,
    d: &dates::Found,
    doc_date: Option<(i32, u32, u32)>,
    doc_year: Option<i32>,
) -> Option<String> {
    let year = d.year.or(doc_year)?;
    let day = dates::day_number(year, d.month, d.day);
    if d.time.is_some() {
        match doc_date {
            Some((y, m, dd)) => {
                let diff = (day - dates::day_number(y, m, dd)).abs();
                if diff > 31 {
                    return Some(format!(
                        "a date with a time of day is {diff} days from the document's date ({y:04}-{m:02}-{dd:02})"
                    ));
                }
            }
            None => {
                if let (Some(y), Some(doc)) = (d.year, doc_year) {
                    if (y - doc).abs() > 1 {
                        return Some(format!(
                            "a date with a time of day in {y}, in a document of {doc}"
                        ));
                    }
                }
            }
        }
        return None;
    }
    let (Some(_), Some((y, m, dd))) = (d.year, doc_date) else {
        return None;
    };
    let after = day - dates::day_number(y, m, dd);
    if after > 7 && past_tense_before(t, d.start) {
        return Some(format!(
            "the text tells as past an event {after} days after the document's date ({y:04}-{m:02}-{dd:02})"
        ));
    }
    None
}

/// The clause before `at` (back to the previous sentence end) is in the past tense and speaks
/// of no plan or future.
fn past_tense_before(t: &str, at: usize) -> bool {
    let before = &t[..at];
    let from = before.rfind(['.', '!', '?', ';']).map_or(0, |i| i + 1);
    let clause = before[from..].to_lowercase();
    let ws: Vec<&str> = clause
        .split(|c: char| !c.is_alphabetic() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    const FUTURE: &[&str] = &[
        "will",
        "shall",
        "would",
        "planned",
        "plan",
        "plans",
        "scheduled",
        "expected",
        "expect",
        "intend",
        "intends",
        "intended",
        "until",
        "till",
        "before",
        "by",
        "next",
        "propose",
        "proposed",
        "proposes",
        "is",
        "are",
        "be",
    ];
    const PAST: &[&str] = &[
        "was", "were", "had", "did", "took", "met", "began", "came", "went",
    ];
    if ws.iter().any(|w| FUTURE.contains(w)) {
        return false;
    }
    ws.iter().any(|w| {
        PAST.contains(w)
            || w.len() >= 5 && w.ends_with("ed") && !matches!(*w, "united" | "need" | "indeed")
    })
}

fn is_note_of(e: &El, types: &[&str]) -> bool {
    e.name == "note"
        && e.attrs
            .iter()
            .any(|(k, v)| *k == "type" && types.contains(&v.as_str()))
}

fn split(t: &str, spans: Vec<Span>) -> Vec<Node> {
    let els = spans
        .into_iter()
        .map(|s| {
            let mut el = El::new(s.kind.element());
            el.set("key", s.key);
            (s.start, s.end, el)
        })
        .collect();
    split_els(t, els)
}

fn split_els(t: &str, mut spans: Vec<(usize, usize, El)>) -> Vec<Node> {
    if spans.is_empty() {
        return vec![Node::Text(t.to_string())];
    }
    spans.sort_by_key(|s| s.0);
    let mut out = Vec::new();
    let mut at = 0;
    for (s, e, mut el) in spans {
        if s < at || e <= s || e > t.len() {
            continue;
        }
        if s > at {
            out.push(Node::Text(t[at..s].to_string()));
        }
        el.children.push(Node::Text(t[s..e].to_string()));
        out.push(Node::El(el));
        at = e;
    }
    if at < t.len() {
        out.push(Node::Text(t[at..].to_string()));
    }
    out
}

/// Words of `t` with byte ranges (letters, digits, `-`, `'`, `’`, `.` inside titles).
fn words(t: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in t.char_indices() {
        let part = c.is_alphanumeric() || c == '-' || c == '\'' || c == '’';
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, t.len()));
    }
    // Trailing apostrophes and hyphens are not part of a word.
    out.into_iter()
        .map(|(s, e)| (s, s + t[s..e].trim_end_matches(['-', '\'', '’']).len()))
        .filter(|(s, e)| e > s)
        .collect()
}

fn is_cap(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

fn is_all_caps(w: &str) -> bool {
    w.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !w.chars().any(char::is_lowercase)
}

fn lower(w: &str) -> String {
    w.to_lowercase()
}

/// True when the text around is mostly capitals (a heading): capital runs mean nothing there.
fn mostly_caps(t: &str) -> bool {
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    let upper = t.chars().filter(|c| c.is_uppercase()).count();
    letters > 0 && upper * 10 >= letters * 7
}

fn sentence_start(t: &str, at: usize) -> bool {
    let before = t[..at].trim_end();
    before.is_empty() || before.ends_with(['.', '!', '?', ':', '"', '“'])
}

fn authority_spans(t: &str, auth: &[Authority], out: &mut Vec<Span>) {
    let tl = t.to_lowercase();
    if tl.len() != t.len() {
        return authority_spans_slow(t, auth, out);
    }
    let mut list: Vec<&Authority> = auth.iter().collect();
    list.sort_by_key(|a| std::cmp::Reverse(a.name.len()));
    for a in list {
        let nl = a.name.to_lowercase();
        if nl.is_empty() {
            continue;
        }
        let mut from = 0;
        while let Some(p) = tl[from..].find(&nl) {
            let s = from + p;
            let e = s + nl.len();
            if boundary(t, s, e) {
                out.push(Span {
                    start: s,
                    end: e,
                    kind: a.kind,
                    key: format!("auth:{}", a.id),
                });
            }
            from = e;
        }
    }
}

fn authority_spans_slow(t: &str, auth: &[Authority], out: &mut Vec<Span>) {
    for a in auth {
        let mut from = 0;
        while let Some(p) = t[from..].find(a.name.as_str()) {
            let s = from + p;
            let e = s + a.name.len();
            if boundary(t, s, e) {
                out.push(Span {
                    start: s,
                    end: e,
                    kind: a.kind,
                    key: format!("auth:{}", a.id),
                });
            }
            from = e;
        }
    }
}

fn boundary(t: &str, s: usize, e: usize) -> bool {
    t[..s]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
        && t[e..].chars().next().is_none_or(|c| !c.is_alphanumeric())
}

/// `Ministry of Foreign Affairs`, `8th Directorate of the Armed Forces General Staff`,
/// `Korean Worker's Party`: a run of capitalised words (with `of`, `the`, `for`, `and`
/// between them, an ordinal in front) that holds an organisation head word.
fn org_spans(t: &str, out: &mut Vec<Span>) {
    let ws = words(t);
    let mut i = 0;
    while i < ws.len() {
        let w = &t[ws[i].0..ws[i].1];
        let ordinal = w.starts_with(|c: char| c.is_ascii_digit())
            && ["st", "nd", "rd", "th"].iter().any(|s| w.ends_with(s));
        if !(is_cap(w) || ordinal) {
            i += 1;
            continue;
        }
        // Extend the run.
        let mut j = i + 1;
        let mut last_cap = i;
        while j < ws.len() {
            let gap = &t[ws[j - 1].1..ws[j].0];
            if !matches!(gap, " " | "'s " | "’s " | "' " | "’ ") {
                break;
            }
            let w = &t[ws[j].0..ws[j].1];
            let ord = w.starts_with(|c: char| c.is_ascii_digit())
                && ["st", "nd", "rd", "th"].iter().any(|s| w.ends_with(s));
            if (is_cap(w) || ord) && !matches!(w, "THE" | "OF" | "AND" | "FOR" | "ON") {
                last_cap = j;
            } else if !matches!(lower(w).as_str(), "of" | "the" | "for" | "and" | "on") {
                break;
            }
            j += 1;
        }
        let run: Vec<(usize, usize)> = ws[i..=last_cap].to_vec();
        let heads: Vec<usize> = run
            .iter()
            .enumerate()
            .filter(|(_, &(a, b))| ORG_HEADS.contains(&lower(&t[a..b]).as_str()))
            .map(|(k, _)| k)
            .collect();
        if heads.is_empty() || run.len() < 2 && !ORG_HEADS_ALONE.contains(&lower(w).as_str()) {
            i = last_cap + 1;
            continue;
        }
        // `CC of the Korean Worker's Party`, `4th Department of the 8th Directorate …`: the
        // larger body after `of (the)` when the part before is a sub-unit.
        let mut s = 0;
        for k in 1..run.len() {
            let wk = lower(&t[run[k].0..run[k].1]);
            if wk == "of" {
                let before: Vec<String> = run[s..k]
                    .iter()
                    .map(|&(a, b)| lower(&t[a..b]))
                    .filter(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
                    .collect();
                let after_has_head = run[k + 1..]
                    .iter()
                    .any(|&(a, b)| ORG_HEADS.contains(&lower(&t[a..b]).as_str()));
                // A sub-unit (`CC of the …`), or a person or role without a head word of its
                // own (`Chairman Dorn of the Karsk Regional Committee`): the body after `of`.
                if after_has_head
                    && !before.is_empty()
                    && (before.iter().all(|w| SUBUNIT_HEADS.contains(&w.as_str()))
                        || !before.iter().any(|w| ORG_HEADS.contains(&w.as_str())))
                {
                    s = k + 1;
                }
            }
        }
        while s < run.len() && matches!(lower(&t[run[s].0..run[s].1]).as_str(), "of" | "the") {
            s += 1;
        }
        if s < run.len() {
            let (a, b) = (run[s].0, run[run.len() - 1].1);
            let first = lower(&t[run[s].0..run[s].1]);
            if run.len() - s != 1 || ORG_HEADS_ALONE.contains(&first.as_str()) {
                out.push(Span {
                    start: a,
                    end: b,
                    kind: EntityKind::Org,
                    key: t[a..b].to_string(),
                });
            }
        }
        i = last_cap + 1;
    }
}

/// Head words that name an organisation on their own (`the Politburo`, `the Embassy`).
const ORG_HEADS_ALONE: &[&str] = &[
    "politburo",
    "presidium",
    "secretariat",
    "comintern",
    "cominform",
];

fn is_patronymic(w: &str) -> bool {
    let l = lower(w);
    l.len() > 6
        && ["ovich", "evich", "ovna", "evna", "ichna", "ich"]
            .iter()
            .any(|s| l.ends_with(s))
        && !["which", "sandwich", "ostrich"].contains(&l.as_str())
}

fn surname_shape(w: &str) -> bool {
    let l = lower(w);
    l.chars().count() >= 5
        && [
            "ov", "ova", "ev", "eva", "in", "ina", "sky", "skii", "skiy", "ski", "skaya", "enko",
            "yan", "shvili", "dze", "kov", "kova", "yov", "yev", "yeva",
        ]
        .iter()
        .any(|s| l.ends_with(s))
        && !SUFFIX_STOP.contains(&l.as_str())
        && !gazetteer::is_place(&l)
        && !COUNTRY_ADJ_STOP.contains(&l.as_str())
}

/// People: titles + name words, capital runs (`KIM IL SUNG`), patronymics
/// (`Iosif Vissarionovich [STALIN]`), Russian surname endings (`Shcherbakova`).
fn person_spans(t: &str, titles: &[Vec<String>], out: &mut Vec<Span>) {
    let ws = words(t);
    let caps_text = mostly_caps(t);
    let w = |k: usize| &t[ws[k].0..ws[k].1];
    let gap = |k: usize| &t[ws[k - 1].1..ws[k].0];
    let name_word = |k: usize| -> bool {
        let x = w(k);
        (is_cap(x) || is_all_caps(x))
            && !NOT_NAMES.contains(&x)
            && !x.chars().any(|c| c.is_ascii_digit())
            && !ORG_HEADS.contains(&lower(x).as_str())
            && !gazetteer::is_place(&lower(x))
            && !TITLES.contains(&x)
            && title_at(t, &ws, k, titles) == 0
    };
    let mut i = 0;
    while i < ws.len() {
        // Title (`Cde.`, `Marshal`, `Prime Minister`) followed by up to four name words.
        let n = title_at(t, &ws, i, titles);
        if n > 0 {
            let first = i + n;
            let mut j = first;
            // `Cde. X`, `A. A. Gromyko`: a period only after the title or an initial.
            let dot_ok = |j: usize| {
                gap(j) == ". "
                    && if j == first {
                        titles
                            .iter()
                            .any(|t| t.last().and_then(|l| l.strip_suffix('.')) == Some(w(j - 1)))
                    } else {
                        w(j - 1).chars().count() == 1
                    }
            };
            while j < ws.len() && j < first + 4 && (gap(j) == " " || dot_ok(j)) && name_word(j) {
                j += 1;
            }
            if j > first {
                let key = words_text(t, &ws[first..j]);
                out.push(Span {
                    start: ws[i].0,
                    end: ws[j - 1].1,
                    kind: EntityKind::Person,
                    key,
                });
                i = j;
                continue;
            }
            // In apposition: `the Prime Minister, Fidel Castro, said`, `the Minister of
            // Agriculture, Teodor Brannik` (the name alone).
            let mut first = first;
            if first + 1 < ws.len() && gap(first) == " " && w(first) == "of" {
                let mut k = first + 1;
                if k < ws.len() && w(k) == "the" && gap(k) == " " {
                    k += 1;
                }
                let start = k;
                while k < ws.len() && k < start + 5 && gap(k) == " " && is_cap(w(k)) {
                    k += 1;
                }
                if k > start && k < ws.len() && gap(k) == ", " {
                    first = k;
                }
            }
            if first < ws.len() && gap(first) == ", " {
                let mut j = first;
                while j < ws.len()
                    && j < first + 4
                    && (j == first || gap(j) == " ")
                    && name_word(j)
                    && !COMMON_CAPS.contains(&w(j))
                {
                    j += 1;
                }
                let ends = j > first
                    && t[ws[j - 1].1..]
                        .chars()
                        .next()
                        .is_none_or(|c| matches!(c, ',' | '.' | ';' | ')' | ':'));
                if ends {
                    out.push(Span {
                        start: with_initials(t, ws[first].0),
                        end: ws[j - 1].1,
                        kind: EntityKind::Person,
                        key: words_text(t, &ws[first..j]),
                    });
                    i = j;
                    continue;
                }
            }
            i = first;
            continue;
        }
        // First name + patronymic (+ surname).
        if i + 1 < ws.len() && is_cap(w(i)) && gap(i + 1) == " " && is_patronymic(w(i + 1)) {
            let mut j = i + 2;
            if j < ws.len() && gap(j) == " " && name_word(j) {
                j += 1;
            }
            out.push(Span {
                start: ws[i].0,
                end: ws[j - 1].1,
                kind: EntityKind::Person,
                key: words_text(t, &ws[i..j]),
            });
            i = j;
            continue;
        }
        // A run of all-capital name words in mixed-case text.
        if !caps_text && is_all_caps(w(i)) && name_word(i) {
            let mut j = i + 1;
            while j < ws.len() && j < i + 4 && gap(j) == " " && is_all_caps(w(j)) && name_word(j) {
                j += 1;
            }
            let n = j - i;
            let long = w(i).chars().count() >= 4;
            let start = with_initials(t, ws[i].0);
            if n >= 2
                || start < ws[i].0
                || (long && (surname_shape(w(i)) || sentence_has_name_context(t, ws[i].0)))
            {
                out.push(Span {
                    start,
                    end: ws[j - 1].1,
                    kind: EntityKind::Person,
                    key: words_text(t, &ws[i..j]),
                });
                i = j;
                continue;
            }
        }
        // A capitalised word with a Russian surname ending, not at a sentence start.
        if is_cap(w(i))
            && !is_all_caps(w(i))
            && surname_shape(w(i))
            && name_word(i)
            && (!sentence_start(t, ws[i].0) || sentence_has_name_context(t, ws[i].0))
        {
            out.push(Span {
                start: with_initials(t, ws[i].0),
                end: ws[i].1,
                kind: EntityKind::Person,
                key: w(i).to_string(),
            });
        }
        i += 1;
    }
}

/// `by X`, `to X`, `from X`, `and X` right before: a person is likely.
fn sentence_has_name_context(t: &str, at: usize) -> bool {
    let before = t[..at].trim_end().to_lowercase();
    ["by", "to", "from", "and", "with", "dear", "signed"]
        .iter()
        .any(|w| before == *w || before.ends_with(&format!(" {w}")))
}

/// `F. CASTRO`, `A. A. Gromyko`: initials just before a name belong to it.
fn with_initials(t: &str, start: usize) -> usize {
    let mut s = start;
    loop {
        let b = &t.as_bytes()[..s];
        let n = b.len();
        if n >= 3
            && b[n - 1] == b' '
            && b[n - 2] == b'.'
            && b[n - 3].is_ascii_uppercase()
            && (n == 3 || !b[n - 4].is_ascii_alphanumeric())
        {
            s = n - 3;
        } else {
            return s;
        }
    }
}

/// How many words of a title start at word `i` (0: none); `titles` longest first. A title
/// word written with a period (`Cde.`) needs the period.
fn title_at(t: &str, ws: &[(usize, usize)], i: usize, titles: &[Vec<String>]) -> usize {
    'next: for title in titles {
        let n = title.len();
        if i + n > ws.len() {
            continue;
        }
        for (k, tw) in title.iter().enumerate() {
            let (a, b) = ws[i + k];
            if k > 0 && &t[ws[i + k - 1].1..a] != " " {
                continue 'next;
            }
            let ok = match tw.strip_suffix('.') {
                Some(base) => &t[a..b] == base && t[b..].starts_with('.'),
                None => &t[a..b] == tw,
            };
            if !ok {
                continue 'next;
            }
        }
        return n;
    }
    0
}

fn words_text(t: &str, ws: &[(usize, usize)]) -> String {
    ws.iter()
        .map(|&(a, b)| &t[a..b])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Places from the gazetteer (capitalised or all-capital forms only, longest first), and
/// capitalised words after `city of`, `region of`, `province of`, `town of`, `village of`.
fn place_spans(t: &str, out: &mut Vec<Span>) {
    let ws = words(t);
    let mut i = 0;
    while i < ws.len() {
        let mut best = None;
        for n in (1..=4).rev() {
            if i + n > ws.len() {
                continue;
            }
            let seg = &t[ws[i].0..ws[i + n - 1].1];
            if !seg_words_single_spaced(t, &ws[i..i + n]) {
                continue;
            }
            let l = lower(seg);
            let caps_ok = is_cap(&t[ws[i].0..ws[i].1])
                && ws[i..i + n].iter().all(|&(a, b)| {
                    let w = &t[a..b];
                    is_cap(w) || matches!(w, "of" | "the" | "de" | "del" | "am" | "an" | "on")
                });
            if !caps_ok {
                continue;
            }
            if let Some(form) = gazetteer::place(&l) {
                // Short forms that are also English words need capitals (`US`, not `us`).
                if form.caps_only && !is_all_caps(seg) {
                    continue;
                }
                best = Some(n);
                break;
            }
        }
        if let Some(n) = best {
            out.push(Span {
                start: ws[i].0,
                end: ws[i + n - 1].1,
                kind: EntityKind::Place,
                key: t[ws[i].0..ws[i + n - 1].1].to_string(),
            });
            i += n;
            continue;
        }
        // Context words: `the city of X`, `region of X`.
        if i >= 2 && is_cap(&t[ws[i].0..ws[i].1]) {
            let prev2 = lower(&t[ws[i - 2].0..ws[i - 1].1]);
            if [
                "city of",
                "region of",
                "province of",
                "town of",
                "village of",
                "port of",
                "area of",
                "district of",
                "island of",
            ]
            .contains(&prev2.as_str())
            {
                let mut j = i + 1;
                while j < ws.len()
                    && &t[ws[j - 1].1..ws[j].0] == " "
                    && is_cap(&t[ws[j].0..ws[j].1])
                {
                    j += 1;
                }
                out.push(Span {
                    start: ws[i].0,
                    end: ws[j - 1].1,
                    kind: EntityKind::Place,
                    key: t[ws[i].0..ws[j - 1].1].to_string(),
                });
                i = j;
                continue;
            }
        }
        i += 1;
    }
}

fn seg_words_single_spaced(t: &str, ws: &[(usize, usize)]) -> bool {
    ws.windows(2).all(|p| &t[p[0].1..p[1].0] == " ")
}

/// Bare capitalised surnames known from a fuller mention elsewhere in the document.
fn known_spans(t: &str, known: &[String]) -> Vec<Span> {
    let mut out = Vec::new();
    for &(a, b) in &words(t) {
        let w = &t[a..b];
        if (is_cap(w) || is_all_caps(w)) && known.contains(&lower(w)) {
            out.push(Span {
                start: a,
                end: b,
                kind: EntityKind::Person,
                key: w.to_string(),
            });
        }
    }
    out
}

/// Places tagged anywhere (by the gazetteer, a context word or a dateline), lower-cased,
/// longest first: `Karsk` in `from KARSK sent at …` is a place in running text too.
fn collect_places(divs: &[El]) -> Vec<String> {
    fn go(e: &El, out: &mut Vec<String>) {
        if e.name == "placeName" {
            let name = text_of(e).split_whitespace().collect::<Vec<_>>().join(" ");
            let l = lower(&name);
            if name.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && is_cap(&name)
                && !out.contains(&l)
            {
                out.push(l);
            }
            return;
        }
        for c in &e.children {
            if let Node::El(c) = c {
                go(c, out);
            }
        }
    }
    let mut out = Vec::new();
    for d in divs {
        go(d, &mut out);
    }
    out.sort_by_key(|p| std::cmp::Reverse(p.len()));
    out
}

/// Places by repetition: a capitalised word (not all capitals) that follows `in`, `at`, `to`,
/// `from`, `near` or `via` at least twice in the untagged text, never starts a sentence
/// there, and is no month, weekday, title, known person, clause word, country adjective or
/// organisation head (`our group in Sandvik` … `instructors to Sandvik`).
fn locative_names(divs: &[El], persons: &[String], titles: &[Vec<String>]) -> Vec<String> {
    fn texts(e: &El, out: &mut Vec<String>) {
        if SKIP.contains(&e.name) || e.name == "note" {
            return;
        }
        for c in &e.children {
            match c {
                Node::Text(t) => out.push(t.clone()),
                Node::El(c) => texts(c, out),
            }
        }
    }
    let mut all = Vec::new();
    for d in divs {
        texts(d, &mut all);
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for t in &all {
        let ws = words(t);
        for k in 1..ws.len() {
            let prev = &t[ws[k - 1].0..ws[k - 1].1];
            let w = &t[ws[k].0..ws[k].1];
            if !matches!(prev, "in" | "at" | "to" | "from" | "near" | "via")
                || &t[ws[k - 1].1..ws[k].0] != " "
                || !is_cap(w)
                || is_all_caps(w)
                || w.chars().count() < 3
                || !w.chars().all(char::is_alphabetic)
            {
                continue;
            }
            // The word must end a name: not followed by another capitalised word.
            if ws
                .get(k + 1)
                .is_some_and(|&(a, b)| &t[ws[k].1..a] == " " && is_cap(&t[a..b]))
            {
                continue;
            }
            let l = lower(w);
            let excluded = dates::month(w).is_some()
                || WEEKDAYS.contains(&l.as_str())
                || COMMON_CAPS.contains(&w)
                || NOT_NAMES.contains(&w)
                || TITLES.contains(&w)
                || titles.iter().any(|t| t.iter().any(|x| x == w))
                || persons.contains(&l)
                || COUNTRY_ADJ_STOP.contains(&l.as_str())
                || ORG_HEADS.contains(&l.as_str())
                // Languages and nationalities: `in English`, `in Russian`, `in Chinese`.
                || ["ish", "ese", "ian", "ic", "ch", "ek"]
                    .iter()
                    .any(|s| l.ends_with(s));
            if !excluded {
                *counts.entry(l).or_default() += 1;
            }
        }
    }
    let mut out: Vec<String> = counts
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(w, _)| w)
        .collect();
    out.sort();
    out
}

const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Known places written with a capital (`Karsk`, `KARSK`) at word boundaries.
fn known_place_spans(t: &str, known: &[String]) -> Vec<Span> {
    let tl = t.to_lowercase();
    if known.is_empty() || tl.len() != t.len() {
        return Vec::new();
    }
    let mut out: Vec<Span> = Vec::new();
    for k in known {
        let mut from = 0;
        while let Some(p) = tl[from..].find(k.as_str()) {
            let (a, b) = (from + p, from + p + k.len());
            from = b;
            if boundary(t, a, b)
                && is_cap(&t[a..b])
                && out.iter().all(|s| b <= s.start || a >= s.end)
            {
                out.push(Span {
                    start: a,
                    end: b,
                    kind: EntityKind::Place,
                    key: t[a..b].to_string(),
                });
            }
        }
    }
    out
}

/// Single names to look for again: the last word of every person's name (a surname, or a
/// single name such as `Mao`) and the first word of a two- or three-word name without a
/// patronymic (`Fidel Castro`, `Mao Zedong`): at least three letters, not a title or a common
/// capitalised word.
fn collect_surnames(divs: &[El], titles: &[Vec<String>]) -> Vec<String> {
    fn go(e: &El, titles: &[Vec<String>], out: &mut Vec<String>) {
        if e.name == "persName" {
            let name = strip_titles_with(&text_of(e), titles);
            let ws: Vec<&str> = name.split_whitespace().collect();
            let usable = |w: &str| {
                w.chars().filter(|c| c.is_alphabetic()).count() >= 3
                    && !is_patronymic(w)
                    && !COMMON_CAPS.contains(&w)
                    && !NOT_NAMES.contains(&w)
                    && !w.ends_with('.')
            };
            let mut add = |w: &str| {
                let l = lower(w);
                if usable(w) && !out.contains(&l) {
                    out.push(l);
                }
            };
            if let Some(last) = ws.last() {
                add(last);
            }
            if (2..=3).contains(&ws.len()) && !ws.iter().any(|w| is_patronymic(w)) {
                add(ws[0]);
            }
            return;
        }
        for c in &e.children {
            if let Node::El(c) = c {
                go(c, titles, out);
            }
        }
    }
    let mut out = Vec::new();
    for d in divs {
        go(d, titles, &mut out);
    }
    out
}

/// The `@when` of the first date with a day, month and year, in document order.
pub(crate) fn first_full_date(divs: &[El]) -> Option<String> {
    fn go(e: &El) -> Option<String> {
        if e.name == "date" {
            return e
                .attrs
                .iter()
                .find(|(k, v)| *k == "when" && v.len() >= 10 && !v.starts_with('-'))
                .map(|(_, v)| v.clone());
        }
        e.children.iter().find_map(|c| match c {
            Node::El(c) => go(c),
            Node::Text(_) => None,
        })
    }
    divs.iter().find_map(go)
}

pub(crate) fn text_of(e: &El) -> String {
    let mut s = String::new();
    for c in &e.children {
        match c {
            Node::Text(t) => s.push_str(t),
            Node::El(e) => s.push_str(&text_of(e)),
        }
    }
    s
}

/// `Cde. STALIN` → `STALIN`; `Comrade Li Fuchun` → `Li Fuchun`; `Prime Minister Nehru` →
/// `Nehru`.
pub(crate) fn strip_titles(name: &str) -> String {
    strip_titles_with(name, &[])
}

/// [`strip_titles`] with more titles (a profile's), as word sequences.
fn strip_titles_with(name: &str, extra: &[Vec<String>]) -> String {
    let ws: Vec<&str> = name.split_whitespace().collect();
    let is_title_word = |w: &str| {
        TITLES.contains(&w)
            || matches!(w, "Cde" | "Mr" | "Dr")
            || MULTI_TITLES
                .iter()
                .any(|t| t.split_whitespace().any(|x| x == w))
            || extra.iter().any(|t| t.iter().any(|x| x == w))
    };
    let skip = ws.iter().take_while(|w| is_title_word(w)).count();
    if skip >= ws.len() {
        return ws.join(" ");
    }
    ws[skip..].join(" ")
}

/// `PAK HEON-YEONG` → `Pak Heon-Yeong`; mixed case is kept.
pub(crate) fn display(s: &str) -> String {
    s.split_whitespace()
        .enumerate()
        .map(|(i, w)| {
            if !is_all_caps(w) {
                return w.to_string();
            }
            let l = w.to_lowercase();
            if i > 0 && matches!(l.as_str(), "of" | "the" | "and" | "for" | "on" | "in") {
                return l;
            }
            if w.chars().count() <= 4
                && !w.contains('-')
                && gazetteer::place(&l).is_none_or(|f| f.caps_only)
                && (i > 0 || s.split_whitespace().count() == 1)
            {
                return w.to_string();
            }
            let mut out = String::new();
            let mut first = true;
            for c in w.chars() {
                if first && c.is_alphabetic() {
                    out.extend(c.to_uppercase());
                    first = false;
                } else {
                    if !c.is_alphanumeric() {
                        first = true;
                    }
                    out.extend(c.to_lowercase());
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A deterministic NCName: lower-case ASCII letters and digits joined by `-`.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = fold(c.to_lowercase().next().unwrap_or(c));
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "n-");
    }
    out
}

fn fold(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ě' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'ī' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' | 'ő' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'ū' | 'ű' | 'ů' => 'u',
        'ý' | 'ÿ' => 'y',
        'ğ' => 'g',
        'ţ' | 'ț' => 't',
        'đ' => 'd',
        'ą' => 'a',
        'ę' => 'e',
        'ç' | 'č' | 'ć' => 'c',
        'š' | 'ś' | 'ş' | 'ș' => 's',
        'ž' | 'ź' | 'ż' => 'z',
        'ñ' | 'ń' => 'n',
        'ł' => 'l',
        'ř' => 'r',
        _ => c,
    }
}

/// One entity being linked.
struct Entity {
    id: String,
    display: String,
    full: String,
    surname: Option<String>,
    first_patr: Option<String>,
    uri: Option<String>,
}

/// Gives every `persName`/`placeName`/`orgName` a `@ref` and builds the entity lists.
fn link(divs: &mut [El], authority: &[Authority], titles: &[Vec<String>]) -> Entities {
    // Gather mentions in document order.
    let mut mentions: Vec<(EntityKind, String)> = Vec::new();
    for d in divs.iter() {
        gather(d, &mut mentions);
    }
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut people: Vec<Entity> = Vec::new();
    let mut places: Vec<Entity> = Vec::new();
    let mut orgs: Vec<Entity> = Vec::new();
    // Persons: longest mentions first so that `STALIN` finds `Iosif Vissarionovich STALIN`.
    let mut order: Vec<usize> = (0..mentions.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(mentions[k].1.split_whitespace().count()));
    let mut assigned: Vec<Option<(EntityKind, usize)>> = vec![None; mentions.len()];
    for &k in &order {
        let (kind, key) = &mentions[k];
        let list = match kind {
            EntityKind::Person => &mut people,
            EntityKind::Place => &mut places,
            EntityKind::Org => &mut orgs,
        };
        let idx = if let Some(id) = key.strip_prefix("auth:") {
            match list.iter().position(|e| e.id == id) {
                Some(p) => p,
                None => {
                    let a = authority.iter().find(|a| a.id == id);
                    used.insert(id.to_string(), 1);
                    list.push(Entity {
                        id: id.to_string(),
                        display: a.map(|a| a.name.clone()).unwrap_or_default(),
                        full: a.map(|a| lower(&a.name)).unwrap_or_default(),
                        surname: a.and_then(|a| a.name.split_whitespace().last().map(lower)),
                        first_patr: None,
                        uri: a.and_then(|a| a.uri.clone()),
                    });
                    list.len() - 1
                }
            }
        } else {
            let name = if *kind == EntityKind::Person {
                strip_titles_with(key, titles)
            } else {
                key.clone()
            };
            let full = lower(&name);
            let ws: Vec<&str> = name.split_whitespace().collect();
            let patr = ws.len() >= 2 && is_patronymic(ws[1]);
            let surname = if *kind != EntityKind::Person {
                None
            } else if patr {
                ws.get(2).map(|s| lower(s))
            } else {
                ws.last().map(|s| lower(s))
            };
            let first_patr = patr.then(|| lower(&format!("{} {}", ws[0], ws[1])));
            let found = list.iter().position(|e| {
                e.full == full
                    || *kind == EntityKind::Person
                        && ((ws.len() == 1 && e.surname.as_deref() == Some(full.as_str()))
                            || (first_patr.is_some() && e.first_patr == first_patr)
                            || (ws.len() == 1
                                && e.first_patr.is_none()
                                && e.full.split_whitespace().count() == 1
                                && e.full == full))
            });
            // `Mao` after `Mao Zedong`, `Fidel` after `Fidel Castro`: the first word of
            // exactly one longer name without a patronymic.
            let found = found.or_else(|| {
                if *kind != EntityKind::Person || ws.len() != 1 {
                    return None;
                }
                let hits: Vec<usize> = list
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| {
                        e.first_patr.is_none()
                            && e.full.split_whitespace().count() > 1
                            && e.full.split_whitespace().next() == Some(full.as_str())
                    })
                    .map(|(p, _)| p)
                    .collect();
                (hits.len() == 1).then(|| hits[0])
            });
            match found {
                Some(p) => p,
                None => {
                    let base = if *kind == EntityKind::Person && (patr || ws.len() == 1) {
                        surname.clone().unwrap_or_else(|| full.clone())
                    } else {
                        full.clone()
                    };
                    let mut id = slug(&base);
                    let n = used.entry(id.clone()).or_insert(0);
                    *n += 1;
                    if *n > 1 {
                        id = format!("{id}-{n}");
                    }
                    let disp = display(&name);
                    let disp = if *kind == EntityKind::Place {
                        disp.strip_prefix("the ").unwrap_or(&disp).to_string()
                    } else {
                        disp
                    };
                    list.push(Entity {
                        id,
                        display: disp,
                        full,
                        surname,
                        first_patr,
                        uri: None,
                    });
                    list.len() - 1
                }
            }
        };
        assigned[k] = Some((*kind, idx));
    }
    let mut refs: Vec<String> = Vec::new();
    for a in &assigned {
        let (kind, idx) = a.expect("every mention is assigned");
        let list = match kind {
            EntityKind::Person => &people,
            EntityKind::Place => &places,
            EntityKind::Org => &orgs,
        };
        refs.push(format!("#{}", list[idx].id));
    }
    let mut it = refs.into_iter();
    for d in divs.iter_mut() {
        set_refs(d, &mut it);
    }
    // Lists in order of first mention.
    let order_of = |kind: EntityKind, len: usize| -> Vec<usize> {
        let mut seen = Vec::new();
        for a in assigned.iter().flatten() {
            if a.0 == kind && !seen.contains(&a.1) {
                seen.push(a.1);
            }
        }
        debug_assert!(seen.len() <= len);
        seen
    };
    let out = |list: &Vec<Entity>, kind| {
        order_of(kind, list.len())
            .into_iter()
            .map(|i| {
                let e = &list[i];
                (e.id.clone(), e.display.clone(), e.uri.clone())
            })
            .collect()
    };
    Entities {
        persons: out(&people, EntityKind::Person),
        places: out(&places, EntityKind::Place),
        orgs: out(&orgs, EntityKind::Org),
    }
}

fn kind_of(name: &str) -> Option<EntityKind> {
    match name {
        "persName" => Some(EntityKind::Person),
        "placeName" => Some(EntityKind::Place),
        "orgName" => Some(EntityKind::Org),
        _ => None,
    }
}

fn gather(e: &El, out: &mut Vec<(EntityKind, String)>) {
    if let Some(kind) = kind_of(e.name) {
        let key = e
            .attrs
            .iter()
            .find(|(k, _)| *k == "key")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| text_of(e).split_whitespace().collect::<Vec<_>>().join(" "));
        out.push((kind, key));
        return;
    }
    for (k, c) in e.children.iter().enumerate() {
        if let Node::El(c) = c {
            gather(c, out);
            // `FILIPPOV [Stalin]`: the identification names the person meant.
            if c.name == "persName" {
                if let Some(id) = identified(&e.children[k + 1..]) {
                    if let Some(last) = out.last_mut() {
                        last.1 = id;
                    }
                }
            }
        }
    }
}

/// The name in an identification note right after a name (`[Stalin]`), if it is a name.
fn identified(rest: &[Node]) -> Option<String> {
    let mut it = rest.iter();
    let mut next = it.next()?;
    if let Node::Text(t) = next {
        if !t.trim().is_empty() {
            return None;
        }
        next = it.next()?;
    }
    let Node::El(note) = next else { return None };
    if !is_note_of(note, &["identification"]) {
        return None;
    }
    let text = text_of(note);
    let ws: Vec<&str> = text.split_whitespace().collect();
    let ok = !ws.is_empty()
        && ws.len() <= 4
        && ws.iter().all(|w| {
            (is_cap(w) || TITLES.contains(w))
                && !ORG_HEADS.contains(&lower(w).as_str())
                && !gazetteer::is_place(&lower(w))
        });
    ok.then(|| text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn set_refs(e: &mut El, refs: &mut impl Iterator<Item = String>) {
    if kind_of(e.name).is_some() {
        e.attrs.retain(|(k, _)| *k != "key");
        if let Some(r) = refs.next() {
            e.set("ref", r);
        }
        return;
    }
    for c in &mut e.children {
        if let Node::El(c) = c {
            set_refs(c, refs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(t: &str) -> Vec<(String, String)> {
        let mut ctx = Ctx {
            authority: &[],
            doc_year: Some(1950),
            doc_date: Some((1950, 9, 30)),
            known_surnames: Vec::new(),
            known_places: Vec::new(),
            titles: default_titles(),
            warnings: Vec::new(),
        };
        ctx.tag(t)
            .into_iter()
            .filter_map(|n| match n {
                Node::El(e) => Some((e.name.to_string(), text_of(&e))),
                Node::Text(_) => None,
            })
            .collect()
    }

    fn has(t: &str, name: &str, text: &str) -> bool {
        tags(t).iter().any(|(n, x)| n == name && x == text)
    }

    #[test]
    fn persons_by_shape() {
        assert!(has(
            "a letter from KIM IL SUNG and PAK HEON-YEONG to Cde. STALIN",
            "persName",
            "KIM IL SUNG"
        ));
        assert!(has(
            "a letter from KIM IL SUNG and PAK HEON-YEONG to Cde. STALIN",
            "persName",
            "PAK HEON-YEONG"
        ));
        assert!(has("to Cde. STALIN with", "persName", "Cde. STALIN"));
        assert!(has(
            "Therefore, dear Iosif Vissarionovich, we",
            "persName",
            "Iosif Vissarionovich"
        ));
        assert!(has(
            "we met Marshal Zhukov yesterday",
            "persName",
            "Marshal Zhukov"
        ));
        assert!(has(
            "the talks with Kuznetsov went well",
            "persName",
            "Kuznetsov"
        ));
        assert!(!has("Within the city we saw", "persName", "Within"));
    }

    #[test]
    fn places_and_orgs() {
        assert!(has(
            "landed in the region of Incheon (Chemulpo) today",
            "placeName",
            "Incheon"
        ));
        assert!(has(
            "landed in the region of Incheon (Chemulpo) today",
            "placeName",
            "Chemulpo"
        ));
        assert!(has("the authority of the US.", "placeName", "US"));
        assert!(!has("give us aid", "placeName", "us"));
        assert!(has(
            "the south of South Korea and",
            "placeName",
            "South Korea"
        ));
        assert!(has(
            "In the name of the Korean Worker's Party we",
            "orgName",
            "Korean Worker's Party"
        ));
        assert!(has(
            "Sincerely, the CC of the Korean Worker's Party",
            "orgName",
            "Korean Worker's Party"
        ));
        assert!(has(
            "chief of the 4th Department of the 8th Directorate of the Armed Forces General Staff",
            "orgName",
            "8th Directorate of the Armed Forces General Staff"
        ));
        assert!(has(
            "MINISTRY OF FOREIGN AFFAIRS",
            "orgName",
            "MINISTRY OF FOREIGN AFFAIRS"
        ));
        assert!(has(
            "units of our People's Army are",
            "orgName",
            "People's Army"
        ));
        assert!(has("the city of Wonsan fell", "placeName", "Wonsan"));
    }

    #[test]
    fn dates_in_prose() {
        assert!(has(
            "made an operation on 16 September 1950 and",
            "date",
            "16 September 1950"
        ));
        assert!(has("on 1 October the", "date", "1 October"));
    }

    #[test]
    fn identification_points_at_the_person() {
        let mut p = El::new("p");
        p.push(Node::Text("Cde. Stalin agreed. FILIPPOV ".into()));
        p.push(Node::El(
            El::new("note")
                .attr("type", "identification")
                .text("Stalin"),
        ));
        p.push(Node::Text(" wrote. Cde. Molotov too.".into()));
        let mut divs = vec![El::new("div").child(p)];
        let (ents, _) = annotate(
            &mut divs,
            &Context {
                authority: &[],
                doc_date: None,
                extra_titles: &[],
            },
        );
        let mut refs = Vec::new();
        fn go(e: &El, out: &mut Vec<(String, String)>) {
            if e.name == "persName" {
                let r = e.attrs.iter().find(|(k, _)| *k == "ref").unwrap().1.clone();
                out.push((text_of(e), r));
            }
            for c in &e.children {
                if let Node::El(c) = c {
                    go(c, out);
                }
            }
        }
        go(&divs[0], &mut refs);
        assert!(
            refs.contains(&("FILIPPOV".into(), "#stalin".into())),
            "{refs:?}"
        );
        assert!(
            refs.contains(&("Cde. Stalin".into(), "#stalin".into())),
            "{refs:?}"
        );
        assert!(
            refs.contains(&("Cde. Molotov".into(), "#molotov".into())),
            "{refs:?}"
        );
        assert_eq!(ents.persons.len(), 2);
    }

    /// `(element, text, @ref or @when/@from-@to)` of every entity after the whole pass.
    fn annotated(
        text: &str,
        doc_date: Option<(i32, u32, u32)>,
    ) -> (Vec<(String, String, String)>, Vec<DateWarning>) {
        let mut divs = vec![El::new("div").child(El::new("p").text(text))];
        let (_, warnings) = annotate(
            &mut divs,
            &Context {
                authority: &[],
                doc_date,
                extra_titles: &["Herr Doktor".to_string()],
            },
        );
        fn go(e: &El, out: &mut Vec<(String, String, String)>) {
            if matches!(e.name, "persName" | "placeName" | "orgName" | "date") {
                let a = |k: &str| {
                    e.attrs
                        .iter()
                        .find(|(n, _)| *n == k)
                        .map(|(_, v)| v.clone())
                };
                let v = a("ref")
                    .or_else(|| a("when"))
                    .or_else(|| Some(format!("{}/{}", a("from")?, a("to")?)))
                    .unwrap_or_default();
                out.push((e.name.to_string(), text_of(e), v));
            }
            for c in &e.children {
                if let Node::El(c) = c {
                    go(c, out);
                }
            }
        }
        let mut out = Vec::new();
        go(&divs[0], &mut out);
        (out, warnings)
    }

    fn triple(a: &str, b: &str, c: &str) -> (String, String, String) {
        (a.to_string(), b.to_string(), c.to_string())
    }

    #[test]
    fn titles_before_single_names() {
        let (got, _) = annotated(
            "Prime Minister Nehru met Chairman Mao and Comrade Tito. Later President Truman wrote. Then Herr Doktor Adenauer.",
            None,
        );
        for (t, id) in [
            ("Prime Minister Nehru", "#nehru"),
            ("Chairman Mao", "#mao"),
            ("Comrade Tito", "#tito"),
            ("President Truman", "#truman"),
            ("Herr Doktor Adenauer", "#adenauer"),
        ] {
            assert!(got.contains(&triple("persName", t, id)), "{t}: {got:?}");
        }
        // A title alone, or before an ordinary word, is no name.
        let (got, _) = annotated(
            "The Prime Minister said that Minister of Trade left. We saw the Chairman. Then we left.",
            None,
        );
        assert!(got.iter().all(|g| g.0 != "persName"), "{got:?}");
    }

    #[test]
    fn names_in_apposition() {
        let (got, _) = annotated(
            "We met the Prime Minister, Fidel Castro, at noon. The General, However, refused. The Minister of Agriculture, Teodor Brannik, came.",
            None,
        );
        assert!(
            got.contains(&triple("persName", "Fidel Castro", "#fidel-castro")),
            "{got:?}"
        );
        assert!(got.iter().all(|g| g.1 != "However"), "{got:?}");
        assert!(
            got.contains(&triple("persName", "Teodor Brannik", "#teodor-brannik")),
            "{got:?}"
        );
    }

    #[test]
    fn single_names_are_found_again() {
        let (got, _) = annotated(
            "Chairman Mao received us. Mao said little. Later the Prime Minister, Fidel Castro, came; Castro and Fidel spoke.",
            None,
        );
        let maos: Vec<_> = got.iter().filter(|g| g.1.contains("Mao")).collect();
        assert_eq!(maos.len(), 2, "{got:?}");
        assert!(maos.iter().all(|g| g.2 == maos[0].2), "{got:?}");
        assert!(
            got.contains(&triple("persName", "Castro", "#fidel-castro")),
            "{got:?}"
        );
        assert!(
            got.contains(&triple("persName", "Fidel", "#fidel-castro")),
            "{got:?}"
        );
        // A capitalised word at a sentence start is not a name because of its shape alone.
        assert!(got.iter().all(|g| g.1 != "Later"), "{got:?}");
    }

    #[test]
    fn places_by_repetition() {
        let (got, _) = annotated(
            "Our group stayed in Sandvik. Later we went to Sandvik and to Cde. Lund, and in March to Lund again. Sandvik is small. We spoke in English and in English.",
            None,
        );
        let sandvik: Vec<_> = got.iter().filter(|g| g.1 == "Sandvik").collect();
        assert_eq!(sandvik.len(), 3, "{got:?}");
        assert!(sandvik.iter().all(|g| g.0 == "placeName"), "{got:?}");
        assert!(
            got.iter().all(|g| g.1 != "March" && g.1 != "English"),
            "{got:?}"
        );
        assert!(
            got.iter().all(|g| g.1 != "Lund" || g.0 == "persName"),
            "{got:?}"
        );
        // Once is not enough.
        let (got, _) = annotated("We went to Kellby and back.", None);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn ranges_and_implausible_dates() {
        let doc = Some((1950, 9, 30));
        let (got, w) = annotated(
            "The talks lasted from 1 to 5 September 1950 and between 12 and 14 October.",
            doc,
        );
        assert!(
            got.contains(&triple(
                "date",
                "1 to 5 September 1950",
                "1950-09-01/1950-09-05"
            )),
            "{got:?}"
        );
        assert!(
            got.contains(&triple(
                "date",
                "12 and 14 October",
                "1950-10-12/1950-10-14"
            )),
            "{got:?}"
        );
        assert!(w.is_empty());
        // History and plans are plausible; a past event after the document's date, a time of
        // day far from it and a day that does not exist are not.
        let text = "The treaty of 14 February 1945 holds. The army will land on 20 October 1950. \
                    The army landed on 20 October 1950. Received at 0930 1 October 1940. It was 31 September 1950.";
        let (got, w) = annotated(text, doc);
        assert!(
            got.contains(&triple("date", "14 February 1945", "1945-02-14")),
            "{got:?}"
        );
        assert!(
            got.contains(&triple("date", "20 October 1950", "1950-10-20")),
            "{got:?}"
        );
        let bare: Vec<&str> = got
            .iter()
            .filter(|g| g.0 == "date" && g.2.is_empty())
            .map(|g| g.1.as_str())
            .collect();
        assert_eq!(
            bare,
            vec![
                "20 October 1950",
                "0930 1 October 1940",
                "31 September 1950"
            ]
        );
        let flagged: Vec<&str> = w.iter().map(|w| &w.node[w.start..w.end]).collect();
        assert_eq!(flagged, bare);
        // Without a document date only the time-of-day rule applies, against the usual year.
        let (_, w) = annotated(
            "Signed on 1 October 1950. Sent at 1200 2 October 1950.",
            None,
        );
        assert!(w.is_empty());
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Pak Heon-yeong"), "pak-heon-yeong");
        assert_eq!(slug("8th Directorate"), "n-8th-directorate");
        assert_eq!(slug("Łódź"), "lodz");
        assert_eq!(slug("Ernő Gerő"), "erno-gero");
    }
}
