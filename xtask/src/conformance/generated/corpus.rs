//! The transcription generator of the `generated` suite: deterministic, seeded documents in
//! the bracket conventions of `shared/design/conventions.md`, built by recombining the
//! *shapes* of the seed and of `samples/` (routing headers, datelines, salutations, prose,
//! lists, closings, signatures, registration and distribution blocks, every editorial bracket,
//! every date form) with names, places and organisations from this file's own invented lists
//! (so the converter must recognise them by shape, not from its gazetteer) and sentences
//! taken at run time from the samples and the seed.
//!
//! Layout is varied on purpose: line endings (`\n`, `\r\n`, `\r`, mixed), blank-line and
//! single-line conventions, extra blank lines, trailing and doubled spaces, tabs, indented
//! lines, a byte-order mark, missing final newlines, missing parts and unusual orders.
//! Every document records the features it used, so the suite can check that the corpus
//! covers every shape ([`FEATURES`]).

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context;

use super::super::archive::Prng;

/// Every feature the corpus must contain (checked by the suite's coverage case).
pub const FEATURES: &[&str] = &[
    "kind/cable",
    "kind/telegram",
    "kind/letter",
    "kind/memorandum",
    "kind/conversation",
    "kind/cable+letter",
    "kind/fragment",
    "header/handwritten-above",
    "header/routing-to",
    "header/classification-first",
    "header/packed-line",
    "header/from-sent",
    "header/received",
    "header/arrived",
    "header/transmission",
    "header/priority",
    "header/address-block",
    "header/address-lines-in-one-block",
    "header/subtitle",
    "letter/place-dateline",
    "letter/kremlin-dateline",
    "letter/dear-alone",
    "letter/dear-comrade",
    "letter/dear-sir",
    "letter/close",
    "letter/close-with-sender",
    "letter/postscript",
    "body/page-break",
    "body/hard-wrapped",
    "body/sample-fragment",
    "body/quoted-message",
    "body/numbered-list",
    "closer/signature",
    "closer/two-signatures",
    "closer/title-and-name",
    "closer/date-alone",
    "registration/attachment",
    "registration/number",
    "registration/copies-printed",
    "registration/copy-list",
    "registration/inline-copies",
    "registration/distribution-dash",
    "registration/typed-by",
    "registration/deciphered-by",
    "registration/verified-by",
    "registration/sent-by",
    "registration/to-file",
    "registration/copies-made",
    "bracket/supplied",
    "bracket/in-word",
    "bracket/unclear-after",
    "bracket/unclear-word",
    "bracket/sic",
    "bracket/sic-original",
    "bracket/illegible",
    "bracket/illegible-words",
    "bracket/double-illegible",
    "bracket/illegible-signature",
    "bracket/damage",
    "bracket/omitted",
    "bracket/translator-note",
    "bracket/trans-note",
    "bracket/ed-note",
    "bracket/identification",
    "bracket/original-word",
    "bracket/footnote",
    "bracket/handwritten",
    "bracket/margin",
    "bracket/nested",
    "bracket/stamp",
    "bracket/stamp-multiline",
    "bracket/page",
    "bracket/signature-seal",
    "bracket/other",
    "bracket/unclosed",
    "bracket/stray-close",
    "date/day-month-year",
    "date/month-day-year",
    "date/roman",
    "date/yearless",
    "date/with-time",
    "date/range-from-to",
    "date/range-from-to-months",
    "date/range-dash",
    "date/range-and",
    "date/far",
    "date/impossible",
    "layout/lf",
    "layout/crlf",
    "layout/cr",
    "layout/mixed-endings",
    "layout/single-lines",
    "layout/extra-blank-lines",
    "layout/trailing-space",
    "layout/double-space",
    "layout/tab",
    "layout/indent",
    "layout/bom",
    "layout/no-final-newline",
    "layout/many-final-newlines",
    "layout/leading-blank-lines",
    "layout/swapped-blocks",
    "layout/nbsp",
    "hostile/xml-specials",
    "hostile/cyrillic",
    "hostile/typographic",
    "hostile/empty-bracket",
    "hostile/separator-line",
    "hostile/unclosed-quote",
    "hostile/long-paragraph",
    "hostile/repeated-head",
    "hostile/header-mid-text",
    "hostile/date-with-count",
    "hostile/multiline-footnote",
];

/// Sentences from the samples and the seed, read at run time (the seed is never copied into
/// the repository).
pub struct Fragments {
    sentences: Vec<String>,
}

impl Fragments {
    /// Reads the prose sentences of every `*.txt` in the given folders.
    pub fn read(dirs: &[&Path]) -> anyhow::Result<Fragments> {
        let mut sentences = Vec::new();
        for dir in dirs {
            let mut files: Vec<_> = std::fs::read_dir(dir)
                .with_context(|| format!("reading {}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect();
            files.sort();
            for f in files {
                let text = std::fs::read_to_string(&f)
                    .with_context(|| format!("reading {}", f.display()))?;
                sentences.extend(prose_sentences(&text));
            }
        }
        if sentences.is_empty() {
            anyhow::bail!("no prose sentences found in the samples and seeds");
        }
        Ok(Fragments { sentences })
    }
}

/// Whole sentences of the prose paragraphs of a transcription: paragraphs of at least 60
/// characters, cut after `.`, `!` or `?` followed by a space and a capital.
fn prose_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let text = text.replace("\r\n", "\n");
    for para in text.split("\n\n") {
        let para = para.trim();
        if para.len() < 60 || para.contains('\n') || para.starts_with('[') {
            continue;
        }
        let mut start = 0;
        let chars: Vec<(usize, char)> = para.char_indices().collect();
        for (i, &(at, c)) in chars.iter().enumerate() {
            let next = chars.get(i + 1).map(|x| x.1);
            let after = chars.get(i + 2).map(|x| x.1);
            let end = matches!(c, '.' | '!' | '?')
                && (next.is_none() || (next == Some(' ') && after.is_some_and(char::is_uppercase)));
            if end {
                let s = para[start..at + c.len_utf8()].trim();
                if s.split_whitespace().count() >= 5 && balanced(s) {
                    out.push(s.to_string());
                }
                start = at + c.len_utf8();
            }
        }
    }
    out
}

fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0 && !s.contains(['“', '”'])
}

/// One generated transcription.
pub struct Generated {
    /// `NNNNN-kind`, the case name and the file stem.
    pub name: String,
    /// The transcription's bytes.
    pub bytes: Vec<u8>,
    /// The features it uses.
    pub features: BTreeSet<&'static str>,
}

// ---------------------------------------------------------------------------------------------
// Invented vocabulary (none of it from the converter's gazetteer or name lists).

const SURNAMES: &[&str] = &[
    "Varlamov",
    "Zhuravsky",
    "Pestrikov",
    "Ostapenko",
    "Tselikov",
    "Grabovsky",
    "Melkonyan",
    "Kvirikashvili",
    "Dzhaparidze",
    "Sorokovin",
    "Lapshin",
    "Ternovsky",
    "Kudryashev",
    "Rybakin",
    "Polunin",
    "Shelepnev",
    "Vranek",
    "Holubec",
    "Szabados",
    "Kowalczyk",
    "Dimitrescu",
    "Petrakis",
    "Ardashev",
    "Kolobanov",
    "Yantsevich",
];

const FEMALE_SURNAMES: &[&str] = &[
    "Bezrukova",
    "Chistyakova",
    "Lyudvinskaya",
    "Orekhova",
    "Zimnyakova",
    "Pestova",
];

const EAST_ASIAN_NAMES: &[&str] = &[
    "PAK CHON IL",
    "HAN SOK CHU",
    "LI WENHAO",
    "NGUYEN VAN THANH",
    "CHOE MYONG SU",
];

const FIRST_PATRONYMICS: &[&str] = &[
    "Arkady Semyonovich",
    "Grigory Ilyich",
    "Nina Pavlovna",
    "Vera Timofeevna",
    "Pyotr Lukich",
    "Stepan Andreevich",
];

const INITIALS: &[&str] = &["A.", "V.", "I. N.", "G. P.", "S.", "M. K."];

const TITLES: &[&str] = &[
    "Cde.",
    "Comrade",
    "Mr.",
    "Marshal",
    "General",
    "Ambassador",
    "Colonel",
    "Prime Minister",
    "Foreign Minister",
];

const PLACES: &[&str] = &[
    "Korvansk",
    "Velikograd",
    "Port Ardal",
    "Tarnovice",
    "Samarkhan",
    "Novo-Lipetsk",
    "Dalnegorye",
    "Karagach",
    "Zelenomorsk",
    "Vyshny Bor",
    "Ust-Kolva",
    "Brenzau",
    "Hanjin",
    "Santa Ilvera",
];

const PLACE_WITH_ALT: &[&str] = &[
    "Port Ardal (Ardalhafen)",
    "Hanjin (Hanchin)",
    "Brenzau (Brenzow)",
];

const ORGS: &[&str] = &[
    "MINISTRY OF STATE CONTROL",
    "MINISTRY OF FOREIGN TRADE",
    "EMBASSY OF THE USSR",
    "Committee for Cultural Ties",
    "3rd Directorate of the General Staff",
    "Central Committee of the United Workers' Party",
    "People's Commissariat of Railways",
    "Trade Mission",
    "Council of Ministers",
    "Political Bureau",
    "Peasant Union",
    "Naval Staff of the Northern Fleet",
    "State Planning Commission",
    "Union of Cooperatives",
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const ROMAN: &[&str] = &[
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];

const NUMBER_WORDS: &[&str] = &["two", "three", "four", "five", "six", "eleven"];

const ORIGINAL_WORDS: &[&str] = &[
    "soglasovano",
    "podderzhka",
    "vrediteli",
    "nastroenie",
    "razvedka",
    "otpala",
];

/// Sentence templates: `{P}` a person with a title, `{S}` a surname in capitals, `{N}` a
/// bare surname, `{PL}` a place, `{O}` an organisation, `{D}` a full date, `{Y}` a yearless
/// date, `{R}` a date range, `{T}` a date with a time, `{K}` a number.
const TEMPLATES: &[&str] = &[
    "The delegation of the {O} will arrive in {PL} on {D}.",
    "{P} informed us that the negotiations with the {O} were postponed until {Y}.",
    "According to {P}, the shipment left {PL} on {D} and is expected in {PL} {R}.",
    "We request your instructions on the proposal of {P} concerning the {O}.",
    "The talks were held {R} in {PL}; {P} and {P} took part.",
    "On {D} the {O} adopted a resolution on the supply of grain to {PL}.",
    "{P} asked me to pass to you his gratitude for the assistance rendered.",
    "I met with {P} at the {O} on {T} at his request.",
    "The {O} considers it necessary to send {K} specialists to {PL} before {Y}.",
    "The first secretary reported that the harvest in the region of {PL} was poor and that the plan for {D} will not be met.",
    "Our people are ready to fulfil the tasks set by the {O}.",
    "In this connection we ask you to receive {P} in {PL} {R}.",
    "{S} said that the {O} had not yet answered the letter of {Y}.",
    "The train with the equipment will leave {PL} at {T} and cross the border near {PL}.",
    "Please inform {P} and {N} of the decision before the session of the {O}.",
    "It is reported from {PL} that the {O} intends to hold a conference {R}.",
    "The position of the {O} remains unchanged, and {S} insists on the earlier terms.",
    "We have received your telegram of {Y} and agree with the proposals set out in it.",
    "The exhibition will be open {R}, and the {O} will send {K} delegates.",
    "I consider it advisable to postpone the visit of {P} until the end of {M}.",
];

/// Lower-case continuations for a paragraph split by a page break.
const CONTINUATIONS: &[&str] = &[
    "the city of {PL} and its surroundings.",
    "the representatives of both sides at the border.",
    "the end of the month, as was agreed with {P}.",
    "all the units of the {O} without exception.",
];

// ---------------------------------------------------------------------------------------------
// The generator

/// Generates document number `index` of a corpus seeded by `seed`: the same pair always
/// gives the same bytes.
pub fn generate(index: usize, seed: u64, fragments: &Fragments) -> Generated {
    let mut g = Gen {
        rng: Prng::new(seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        features: BTreeSet::new(),
        fragments,
        year: 0,
        footnotes: Vec::new(),
    };
    g.year = 1945 + g.rng.below(40) as u32;
    let (kind, blocks) = g.document();
    let bytes = g.layout(blocks);
    Generated {
        name: format!("{index:05}-{kind}"),
        bytes,
        features: g.features,
    }
}

/// A block: lines that stand together (separated from the next block by a blank line in
/// the blank-line convention).
type Block = Vec<String>;

struct Gen<'f> {
    rng: Prng,
    features: BTreeSet<&'static str>,
    fragments: &'f Fragments,
    /// The document's year.
    year: u32,
    /// Footnote texts whose markers were placed, in order.
    footnotes: Vec<String>,
}

impl Gen<'_> {
    fn feature(&mut self, f: &'static str) {
        debug_assert!(FEATURES.contains(&f), "unlisted feature {f}");
        self.features.insert(f);
    }

    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items[self.rng.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.rng.chance(percent)
    }

    /// `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.rng.below(hi - lo + 1)
    }

    fn document(&mut self) -> (&'static str, Vec<Block>) {
        let roll = self.rng.below(100);
        let (kind, mut blocks) = match roll {
            0..=29 => ("cable", self.cable("cable")),
            30..=44 => ("telegram", self.cable("telegram")),
            45..=64 => ("letter", self.letter(true)),
            65..=76 => ("memorandum", self.memorandum()),
            77..=86 => ("conversation", self.conversation()),
            87..=95 => ("cable+letter", self.cable_with_letter()),
            _ => ("fragment", self.fragment()),
        };
        self.feature(match kind {
            "cable" => "kind/cable",
            "telegram" => "kind/telegram",
            "letter" => "kind/letter",
            "memorandum" => "kind/memorandum",
            "conversation" => "kind/conversation",
            "cable+letter" => "kind/cable+letter",
            _ => "kind/fragment",
        });
        if !self.footnotes.is_empty() {
            let notes = std::mem::take(&mut self.footnotes);
            for (i, note) in notes.into_iter().enumerate() {
                let mut block = vec![format!("[{}] {note}", i + 1)];
                if self.chance(5) {
                    self.feature("hostile/multiline-footnote");
                    block.push("See also the file of the previous year.".into());
                }
                blocks.push(block);
            }
        }
        // Unusual orders: two neighbouring blocks swapped.
        if blocks.len() > 3 && self.chance(6) {
            let i = self.rng.below(blocks.len() - 1);
            blocks.swap(i, i + 1);
            self.feature("layout/swapped-blocks");
        }
        (kind, blocks)
    }

    // -----------------------------------------------------------------------------------------
    // names, places, dates

    fn surname_caps(&mut self) -> String {
        if self.chance(15) {
            return self.pick(EAST_ASIAN_NAMES).to_string();
        }
        let s = if self.chance(20) {
            self.pick(FEMALE_SURNAMES)
        } else {
            self.pick(SURNAMES)
        };
        s.to_uppercase()
    }

    fn surname(&mut self) -> String {
        if self.chance(20) {
            self.pick(FEMALE_SURNAMES).to_string()
        } else {
            self.pick(SURNAMES).to_string()
        }
    }

    /// A person as running text names one: title + name, initials + name, first name and
    /// patronymic (+ surname).
    fn person(&mut self) -> String {
        match self.rng.below(7) {
            0 | 1 => format!("Cde. {}", self.surname_caps()),
            2 => {
                let t = self.pick(TITLES);
                let s = self.surname();
                format!("{t} {s}")
            }
            3 => {
                let i = self.pick(INITIALS);
                let s = self.surname_caps();
                format!("{i} {s}")
            }
            4 => {
                let fp = self.pick(FIRST_PATRONYMICS);
                if self.chance(50) {
                    let s = self.surname_caps();
                    format!("{fp} {s}")
                } else {
                    fp.to_string()
                }
            }
            5 => format!("Comrade {}", self.surname()),
            _ => self.surname_caps(),
        }
    }

    fn place(&mut self) -> String {
        if self.chance(8) {
            return self.pick(PLACE_WITH_ALT).to_string();
        }
        self.pick(PLACES).to_string()
    }

    fn month(&mut self) -> (usize, &'static str) {
        let m = self.rng.below(12);
        (m, MONTHS[m])
    }

    fn day(&mut self) -> usize {
        self.between(1, 28)
    }

    fn year_near(&mut self) -> u32 {
        if self.chance(3) {
            self.feature("date/far");
            return self.year - 10;
        }
        if self.chance(20) {
            self.year + 1
        } else {
            self.year
        }
    }

    /// A full date in one of the accepted forms.
    fn date(&mut self) -> String {
        let (m, month) = self.month();
        let d = self.day();
        let y = self.year_near();
        match self.rng.below(10) {
            0..=5 => {
                self.feature("date/day-month-year");
                format!("{d} {month} {y}")
            }
            6 | 7 => {
                self.feature("date/month-day-year");
                format!("{month} {d}, {y}")
            }
            8 => {
                self.feature("date/roman");
                format!("{d}.{}.{y}", ROMAN[m])
            }
            _ if self.chance(30) => {
                // An impossible day: kept as written (no @when), never a crash.
                self.feature("date/impossible");
                let (day, month) = if m == 1 {
                    (30, "February")
                } else {
                    (31, "September")
                };
                format!("{day} {month} {y}")
            }
            _ => {
                self.feature("date/day-month-year");
                format!("{d} {month} {y}")
            }
        }
    }

    fn yearless(&mut self) -> String {
        self.feature("date/yearless");
        let (_, month) = self.month();
        let d = self.day();
        format!("{d} {month}")
    }

    fn time(&mut self) -> String {
        format!("{:02}{:02}", self.rng.below(24), self.rng.below(60))
    }

    fn dated_time(&mut self, year: bool) -> String {
        self.feature("date/with-time");
        let t = self.time();
        let d = if year { self.date() } else { self.yearless() };
        format!("{t} {d}")
    }

    fn range(&mut self) -> String {
        let (_, month) = self.month();
        let a = self.between(1, 14);
        let b = self.between(15, 28);
        let y = self.year;
        match self.rng.below(5) {
            0 | 1 => {
                self.feature("date/range-from-to");
                format!("from {a} to {b} {month} {y}")
            }
            2 => {
                self.feature("date/range-from-to-months");
                let (_, m2) = self.month();
                format!("from {a} {month} to {b} {m2} {y}")
            }
            3 => {
                self.feature("date/range-dash");
                format!("on {a}-{b} {month} {y}")
            }
            _ => {
                self.feature("date/range-and");
                format!("on {a} and {} {month}", a + 1)
            }
        }
    }

    fn number(&mut self) -> String {
        let n = self.between(10, 99_999);
        if self.chance(40) {
            let suffix = self.pick(&["sh", "k", "shs", "ss"]);
            format!("{n}/{suffix}")
        } else {
            n.to_string()
        }
    }

    fn no_sign(&mut self) -> &'static str {
        self.pick(&["Nº", "No.", "No", "№"])
    }

    // -----------------------------------------------------------------------------------------
    // prose

    /// One sentence: a template filled in, or a fragment of the samples/seed.
    fn sentence(&mut self) -> String {
        if self.chance(30) {
            self.feature("body/sample-fragment");
            let i = self.rng.below(self.fragments.sentences.len());
            return self.fragments.sentences[i].clone();
        }
        let t = self.pick(TEMPLATES);
        self.fill(t)
    }

    fn fill(&mut self, template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = open + rest[open..].find('}').expect("closed slot");
            let slot = &rest[open + 1..close];
            let value = match slot {
                "P" => self.person(),
                "S" => format!("Cde. {}", self.surname_caps()),
                "N" => self.surname(),
                "PL" => self.place(),
                "O" => self.pick(ORGS).to_string(),
                "D" => self.date(),
                "Y" => self.yearless(),
                "R" => self.range(),
                "T" => self.dated_time(true),
                "K" => self.between(2, 40).to_string(),
                "M" => self.month().1.to_string(),
                other => unreachable!("unknown slot {other}"),
            };
            out.push_str(&value);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A paragraph of 1–5 sentences, with editorial brackets now and then.
    fn paragraph(&mut self) -> String {
        let n = self.between(1, 5);
        let mut sentences: Vec<String> = (0..n).map(|_| self.sentence()).collect();
        for s in sentences.iter_mut() {
            if self.chance(35) {
                *s = self.decorate(s);
            }
        }
        let mut p = sentences.join(" ");
        if self.chance(3) {
            self.feature("layout/double-space");
            p = p.replacen(". ", ".  ", 1);
        }
        if self.chance(1) {
            self.feature("layout/nbsp");
            p = p.replacen(' ', "\u{a0}", 1);
        }
        if self.chance(1) {
            self.feature("layout/tab");
            p = p.replacen(' ', "\t", 1);
        }
        if self.chance(2) {
            self.feature("hostile/xml-specials");
            let s = self.pick(&[
                " The costs of R&D were shared & agreed.",
                " The ratio was <1:3> as before.",
                " Figures: a < b > c, \"quoted\" & 'single' ]]> kept.",
            ]);
            p.push_str(s);
        }
        if self.chance(2) {
            self.feature("hostile/cyrillic");
            let s = self.pick(&[
                " The word [отпала] is in the original.",
                " He used the term «самокритика» twice.",
                " Signed: Ю. Андропов.",
            ]);
            p.push_str(s);
        }
        if self.chance(3) {
            self.feature("hostile/typographic");
            let s = self.pick(&[
                " The Party’s line — as ‘agreed’ — stands…",
                " Dorticós and Gerő were present; Ulbricht’s note followed.",
                " Its cost was ½ of the plan (§ 4).",
            ]);
            p.push_str(s);
        }
        if self.chance(1) {
            self.feature("hostile/empty-bracket");
            let s = self.pick(&[
                " The text [] is empty.",
                " The text [ ] is blank.",
                " A [[]] mark.",
            ]);
            p.push_str(s);
        }
        if self.chance(1) {
            self.feature("hostile/long-paragraph");
            for _ in 0..self.between(30, 60) {
                let s = self.sentence();
                p.push(' ');
                p.push_str(&s);
            }
        }
        p
    }

    /// Inserts one editorial bracket into a sentence (by word position).
    fn decorate(&mut self, sentence: &str) -> String {
        let mut words: Vec<String> = sentence.split(' ').map(String::from).collect();
        if words.len() < 3 {
            return sentence.to_string();
        }
        // A word position that is not the last (which carries the full stop) and whose word
        // is plain letters.
        let at = 1 + self.rng.below(words.len() - 2);
        let plain = words[at].chars().all(char::is_alphabetic);
        let capital = words[at].chars().next().is_some_and(|c| c.is_uppercase()) && plain;
        match self.rng.below(26) {
            0 => {
                self.feature("bracket/supplied");
                let w = self.pick(&["[our]", "[will]", "[the]", "[us]", "[not]"]);
                words.insert(at, w.to_string());
            }
            1 if plain && words[at].len() >= 5 => {
                self.feature("bracket/in-word");
                let w = &words[at];
                let cut = w.char_indices().nth(3).map(|x| x.0).unwrap_or(1);
                words[at] = format!("{}[{}]", &w[..cut], &w[cut..]);
            }
            2 => {
                self.feature("bracket/unclear-after");
                words[at].push_str(" [?]");
            }
            3 if plain => {
                self.feature("bracket/unclear-word");
                words[at] = format!("[{}?]", words[at]);
            }
            4 => {
                self.feature("bracket/sic");
                let s = self.pick(&[" [sic]", " [SIC]", " [Sic]"]);
                words[at].push_str(s);
            }
            5 => {
                self.feature("bracket/sic-original");
                let w = self.pick(ORIGINAL_WORDS);
                let dash = self.pick(&["–", "-", "—"]);
                words[at].push_str(&format!(" [{w} {dash} SIC]"));
            }
            6 => {
                self.feature("bracket/illegible");
                words.insert(at, "[illegible]".into());
            }
            7 => {
                self.feature("bracket/illegible-words");
                let n = self.pick(NUMBER_WORDS);
                words.insert(at, format!("[{n} illegible words]"));
            }
            8 => {
                self.feature("bracket/double-illegible");
                words.insert(at, "[[several illegible words]]".into());
            }
            9 => {
                self.feature("bracket/damage");
                let w = self.pick(&["[cut off]", "[text missing]", "[torn]", "[damaged]"]);
                words.insert(at, w.into());
            }
            10 => {
                self.feature("bracket/omitted");
                let w = self.pick(&["[…]", "[...]"]);
                words.insert(at, w.into());
            }
            11 => {
                self.feature("bracket/translator-note");
                let w = self.pick(ORIGINAL_WORDS);
                words[at].push_str(&format!(" [Translator's note: the original has \"{w}\"]"));
            }
            12 => {
                self.feature("bracket/trans-note");
                let o = self.pick(ORGS);
                words[at].push_str(&format!(" [trans. note-- the {o}]"));
            }
            13 => {
                self.feature("bracket/ed-note");
                let d = self.date();
                words[at].push_str(&format!(" [Ed. note: this was agreed on {d}]"));
            }
            14 if capital => {
                self.feature("bracket/identification");
                let who = self.pick(&[
                    "Foreign Minister",
                    "President of the Republic",
                    "Deputy Chairman",
                ]);
                let s = self.surname();
                let id = if self.chance(50) { s } else { who.to_string() };
                words[at].push_str(&format!(" [{id}]"));
            }
            15 => {
                self.feature("bracket/original-word");
                let w = self.pick(ORIGINAL_WORDS);
                words[at].push_str(&format!(" [{w}]"));
            }
            16 if self.footnotes.len() < 4 => {
                self.feature("bracket/footnote");
                let n = self.footnotes.len() + 1;
                let note = format!(
                    "The document was read by {} on {}.",
                    self.person(),
                    self.date()
                );
                self.footnotes.push(note);
                words[at].push_str(&format!(" [{n}]"));
            }
            17 => {
                self.feature("bracket/handwritten");
                let s = self.surname();
                let w = self.pick(&["agreed", "seen", "to the file", "report"]);
                words.insert(at, format!("[handwritten: {w}. {s}]"));
            }
            18 => {
                self.feature("bracket/margin");
                let w = self.pick(&[
                    "in the margin",
                    "in the left margin",
                    "handwritten in the margin",
                ]);
                words.insert(at, format!("[{w}: NB]"));
            }
            19 => {
                self.feature("bracket/stamp");
                let d = self.date();
                let n = self.number();
                words.insert(at, format!("[stamp: Incoming No {n} of {d}]"));
            }
            20 => {
                self.feature("bracket/page");
                let n = self.between(2, 9);
                let w = if self.chance(50) {
                    format!("[page {n}]")
                } else {
                    format!("[p. {n}]")
                };
                words.insert(at, w);
            }
            21 => {
                self.feature("bracket/other");
                words.insert(at, "[the rest of the line is crossed out]".into());
            }
            22 => {
                self.feature("bracket/nested");
                let p = self.person();
                words.insert(at, format!("[handwritten: To {p}. [illegible signature]]"));
            }
            23 if self.chance(25) => {
                // Broken input: a bracket never closed, or a stray closing bracket.
                if self.chance(50) {
                    self.feature("bracket/unclosed");
                    words.insert(at, "[note: the text continues".into());
                } else {
                    self.feature("bracket/stray-close");
                    words.insert(at, "]".into());
                }
            }
            _ => {
                self.feature("bracket/supplied");
                words.insert(at, "[also]".into());
            }
        }
        words.join(" ")
    }

    /// 1–n body paragraphs, with a page break, hard wrapping, a numbered list or a quoted
    /// message now and then.
    fn body(&mut self, max: usize) -> Vec<Block> {
        let n = self.between(1, max);
        let mut blocks = Vec::new();
        for _ in 0..n {
            let p = self.paragraph();
            if self.chance(7) {
                // A page break in mid-sentence: the next block starts in lower case.
                self.feature("body/page-break");
                let c = self.pick(CONTINUATIONS);
                let cont = self.fill(c);
                let p = format!(
                    "{} The first trains will leave within ten days after the dates of loading are settled by",
                    p
                );
                blocks.push(vec![p]);
                blocks.push(vec![cont]);
            } else if p.len() > 140 && self.chance(8) {
                self.feature("body/hard-wrapped");
                blocks.push(wrap(&p, 70));
            } else {
                blocks.push(vec![p]);
            }
        }
        if self.chance(6) {
            self.feature("body/numbered-list");
            blocks.push(vec![self.fill("The {O} proposes the following:")]);
            let k = self.between(2, 4);
            for i in 1..=k {
                let s = self.sentence();
                blocks.push(vec![format!("{i}. {s}")]);
            }
        }
        if self.chance(8) {
            blocks.extend(self.quoted_message());
        }
        if self.chance(2) {
            self.feature("hostile/separator-line");
            let s = self.pick(&["* * *", "---", "***", "=========="]);
            let at = self.rng.below(blocks.len() + 1);
            blocks.insert(at, vec![s.into()]);
        }
        if self.chance(1) {
            self.feature("hostile/unclosed-quote");
            let p = self.paragraph();
            blocks.push(vec![format!("“{p}")]);
        }
        if self.chance(2) {
            self.feature("hostile/header-mid-text");
            let s = self.pick(&["SECRET", "by wire", "MEMORANDUM", "urgent", "TOP SECRET"]);
            let at = self.rng.below(blocks.len() + 1);
            blocks.insert(at, vec![s.into()]);
        }
        blocks
    }

    /// `Pass the following to …:` and a message in quotation marks with its own salutation
    /// or address, paragraphs and signature.
    fn quoted_message(&mut self) -> Vec<Block> {
        self.feature("body/quoted-message");
        let to = format!("Cde. {}", self.surname_caps());
        let mut blocks = vec![vec![format!("Pass the following to {to}:")]];
        let opening = if self.chance(50) {
            format!("“To Cde. {}.", self.surname_caps())
        } else {
            format!("“Dear Comrade {}!", self.surname())
        };
        blocks.push(vec![opening]);
        for _ in 0..self.between(1, 2) {
            let p = self.paragraph();
            blocks.push(vec![p]);
        }
        if self.chance(50) {
            blocks.push(vec!["With fraternal greetings,".into()]);
        }
        blocks.push(vec![format!("{}”", self.surname_caps())]);
        blocks
    }

    // -----------------------------------------------------------------------------------------
    // header, closer, registration

    fn head(&mut self, kind: &str) -> Block {
        let no = self.no_sign();
        let n = self.number();
        let line = match (kind, self.rng.below(4)) {
            ("cable", 0..=2) => format!("CABLE {no} {n}"),
            ("cable", _) => format!("Cable {no} {n}"),
            (_, 0) => format!("CIPHERED TELEGRAM {no} {n}"),
            (_, 1) => format!("TELEGRAM {no} {n}"),
            (_, 2) => format!("INCOMING CIPHERED TELEGRAM {no} {n}"),
            _ => format!("Telegram {no} {n}"),
        };
        if self.chance(10) {
            self.feature("header/packed-line");
            let class = self.pick(&["TOP SECRET", "SECRET", "STRICTLY SECRET"]);
            let gap = " ".repeat(self.between(3, 8));
            if self.chance(50) {
                return vec![format!("COPY OF AN OUTGOING TELEGRAM{gap}{class}"), line];
            }
            return vec![format!("{line}{gap}{class}")];
        }
        vec![line]
    }

    /// Routing, transmission, priority and address lines of a cable.
    fn routing(&mut self) -> Vec<Block> {
        let mut blocks = Vec::new();
        let from = self.place().to_uppercase();
        self.feature("header/from-sent");
        let sent = self.dated_time(true);
        blocks.push(vec![format!("from {from} sent at {sent}")]);
        if self.chance(70) {
            self.feature("header/received");
            let with_year = self.chance(30);
            let r = self.dated_time(with_year);
            blocks.push(vec![format!("received at {r}")]);
        }
        if self.chance(30) {
            self.feature("header/arrived");
            let o = self.pick(ORGS);
            let a = self.dated_time(true);
            blocks.push(vec![format!("arrived in the {o} at {a}")]);
        }
        if self.chance(50) {
            self.feature("header/transmission");
            let t = self.pick(&["by wire", "by courier", "by telephone"]);
            blocks.push(vec![t.into()]);
        }
        if self.chance(60) {
            self.feature("header/priority");
            let p = self.pick(&["extremely urgent", "urgent", "URGENT", "immediate"]);
            blocks.push(vec![p.into()]);
        }
        if self.chance(75) {
            self.feature("header/address-block");
            let to = self.surname_caps();
            let mut lines = vec![self.place()];
            if self.chance(70) {
                lines.push(self.pick(ORGS).to_uppercase());
            }
            lines.push(format!("to Cde. {to}"));
            if self.chance(30) {
                self.feature("header/address-lines-in-one-block");
                blocks.push(lines);
            } else {
                blocks.extend(lines.into_iter().map(|l| vec![l]));
            }
        }
        blocks
    }

    fn signature(&mut self) -> Vec<Block> {
        match self.rng.below(6) {
            0 => {
                self.feature("closer/two-signatures");
                vec![vec![format!(
                    "{}, {}",
                    self.surname_caps(),
                    self.surname_caps()
                )]]
            }
            1 => {
                self.feature("closer/title-and-name");
                let title = self.pick(&[
                    "Ambassador of the USSR in Velikograd",
                    "Chargé d'affaires",
                    "Head of the Trade Mission",
                ]);
                let i = self.pick(INITIALS);
                let s = self.surname_caps();
                vec![vec![title.into()], vec![format!("{i} {s}")]]
            }
            2 if self.chance(30) => {
                self.feature("bracket/signature-seal");
                let w = self.pick(&["[Signature]", "[seal]", "[signature]"]);
                vec![vec![w.into()]]
            }
            3 if self.chance(40) => {
                self.feature("bracket/illegible-signature");
                let o = self.pick(ORGS);
                vec![vec![format!("chief of the {o} [illegible signature]")]]
            }
            _ => {
                self.feature("closer/signature");
                vec![vec![self.surname_caps()]]
            }
        }
    }

    fn registration(&mut self) -> Vec<Block> {
        let mut blocks = Vec::new();
        if self.chance(50) {
            self.feature("registration/attachment");
            let n = self.pick(&["one sheet", "two sheets", "four sheets", "11 sheets"]);
            blocks.push(vec![format!("attachment on {n}")]);
        }
        if self.chance(50) {
            self.feature("registration/number");
            let no = self.no_sign();
            let n = self.between(10, 9999);
            blocks.push(vec![format!("{no} {n}")]);
        }
        if self.chance(50) {
            let n = self.number();
            let d = self.date();
            let w = self.pick(&["stamp", "Stamp", "STAMP"]);
            if self.chance(25) {
                self.feature("bracket/stamp-multiline");
                let o = self.pick(ORGS);
                blocks.push(vec![
                    format!("[{w}: Subject to return to the"),
                    format!("{o} within 48 hours {d}]"),
                ]);
            } else {
                self.feature("bracket/stamp");
                let dir = self.pick(&["Incoming", "Outgoing"]);
                blocks.push(vec![format!("[{w}: {dir} No {n} of {d}]")]);
            }
        }
        if self.chance(40) {
            self.feature("registration/copies-printed");
            let n = self.between(2, 20);
            blocks.push(vec![format!("{n} copies printed")]);
        }
        match self.rng.below(4) {
            0 | 1 => {
                self.feature("registration/copy-list");
                for i in 1..=self.between(2, 9) {
                    let no = self.no_sign();
                    let to = if self.chance(10) {
                        "file".to_string()
                    } else {
                        format!("Cde. {}", self.surname())
                    };
                    blocks.push(vec![format!("Copy {no} {i} to {to}")]);
                }
            }
            2 => {
                self.feature("registration/inline-copies");
                let names: Vec<String> = (0..self.between(2, 5))
                    .map(|i| {
                        let s = self.surname();
                        if i == 0 {
                            format!("{s} (2)")
                        } else {
                            s
                        }
                    })
                    .collect();
                blocks.push(vec![format!("Copies: {}", names.join(", "))]);
            }
            _ => {
                self.feature("registration/distribution-dash");
                let k = self.between(2, 5);
                let names: Vec<String> = (0..k)
                    .map(|_| {
                        let s = self.surname();
                        let n = self.between(1, 3);
                        format!("{s} - {n}")
                    })
                    .collect();
                blocks.push(vec![format!(
                    "Distribution list - {} copies: {}",
                    k + 2,
                    names.join(", ")
                )]);
            }
        }
        if self.chance(30) {
            self.feature("registration/typed-by");
            let n = self.between(2, 6);
            blocks.push(vec![format!("Typed by {} in {n} copies", self.surname())]);
        }
        if self.chance(30) {
            self.feature("registration/deciphered-by");
            let s = self.surname();
            let t = self.dated_time(true);
            blocks.push(vec![format!("Deciphered by {s} at {t}")]);
        }
        if self.chance(15) {
            self.feature("registration/verified-by");
            blocks.push(vec![format!("Verified by {}", self.surname())]);
        }
        if self.chance(15) {
            self.feature("registration/copies-made");
            let n = self.pick(&["Three", "Two", "Four"]);
            blocks.push(vec![format!("{n} copies made")]);
        }
        if self.chance(15) {
            self.feature("registration/to-file");
            let no = self.no_sign();
            blocks.push(vec![format!("{no} 2 to file")]);
        }
        if self.chance(30) {
            self.feature("registration/sent-by");
            let s = self.surname();
            let t = self.dated_time(true);
            let count = if self.chance(10) {
                self.feature("hostile/date-with-count");
                format!(" ({})", self.between(2, 40))
            } else {
                String::new()
            };
            blocks.push(vec![format!("Sent by {s} at {t}{count}")]);
        }
        blocks
    }

    fn classification(&mut self) -> String {
        self.pick(&["TOP SECRET", "SECRET", "STRICTLY SECRET", "Top Secret"])
            .to_string()
    }

    // -----------------------------------------------------------------------------------------
    // document kinds

    fn cable(&mut self, kind: &str) -> Vec<Block> {
        let mut blocks = Vec::new();
        if self.chance(10) {
            self.feature("header/handwritten-above");
            let to = self.surname();
            let mut note = vec![
                "[handwritten above the form:".to_string(),
                format!("sent to Cde. {to} via [[several illegible words]]"),
            ];
            // As in archives: the outer bracket is sometimes never closed.
            if self.chance(50) {
                note[1].push(']');
            } else {
                self.feature("bracket/unclosed");
            }
            blocks.push(note);
        }
        if self.chance(10) {
            self.feature("header/routing-to");
            blocks.push(vec![format!("to Cde. {}", self.surname())]);
        }
        if self.chance(15) {
            self.feature("header/classification-first");
            blocks.push(vec![self.classification()]);
        }
        let head = self.head(kind);
        blocks.push(head.clone());
        if self.chance(2) {
            // A form printed twice, as scans of carbon copies sometimes are.
            self.feature("hostile/repeated-head");
            blocks.push(head);
        }
        blocks.extend(self.routing());
        blocks.extend(self.body(6));
        blocks.extend(self.signature());
        if self.chance(70) {
            blocks.extend(self.registration());
        }
        blocks
    }

    fn letter(&mut self, dateline: bool) -> Vec<Block> {
        let mut blocks = Vec::new();
        if dateline && self.chance(70) {
            if self.chance(20) {
                self.feature("letter/kremlin-dateline");
                blocks.push(vec![format!("{} - the Kremlin", self.place())]);
            } else {
                self.feature("letter/place-dateline");
                let p = self.place();
                let d = self.date();
                blocks.push(vec![format!("{p}, {d}")]);
            }
        }
        match self.rng.below(4) {
            0 => {
                self.feature("letter/dear-alone");
                let dear = self.pick(&["DEAR", "Dear"]);
                blocks.push(vec![dear.into()]);
                let fp = self.pick(FIRST_PATRONYMICS);
                let s = self.surname_caps();
                blocks.push(vec![format!("{fp} {s}")]);
            }
            1 | 2 => {
                self.feature("letter/dear-comrade");
                let t = self.pick(&["Comrade", "Cde.", "Comrade Ambassador"]);
                let s = self.surname();
                let end = self.pick(&["!", ",", "!"]);
                blocks.push(vec![format!("Dear {t} {s}{end}")]);
            }
            _ => {
                self.feature("letter/dear-sir");
                blocks.push(vec!["Dear Sir,".into()]);
            }
        }
        blocks.extend(self.body(7));
        if self.chance(85) {
            let close = self.pick(&[
                "Sincerely,",
                "Respectfully,",
                "With communist greetings,",
                "With fraternal greetings,",
                "Yours sincerely,",
            ]);
            if self.chance(20) {
                self.feature("letter/close-with-sender");
                let o = self.pick(ORGS);
                let close = close.trim_end_matches(',');
                blocks.push(vec![format!("{close}, the {o}")]);
            } else {
                self.feature("letter/close");
                blocks.push(vec![close.into()]);
            }
        }
        blocks.extend(self.signature());
        if self.chance(50) {
            self.feature("closer/date-alone");
            blocks.push(vec![self.date()]);
        }
        if self.chance(25) {
            self.feature("letter/postscript");
            let s = self.sentence();
            blocks.push(vec![format!("P.S. {s}")]);
        }
        blocks
    }

    fn memorandum(&mut self) -> Vec<Block> {
        let mut blocks = Vec::new();
        if self.chance(60) {
            blocks.push(vec![self.classification()]);
        }
        let head = self.pick(&["MEMORANDUM", "Memorandum", "MEMORANDUM OF CONVERSATION"]);
        blocks.push(vec![head.into()]);
        if self.chance(60) {
            self.feature("header/subtitle");
            let s = self.fill("On the situation in the {O} after the plenum of {Y}");
            blocks.push(vec![s]);
        }
        blocks.extend(self.body(6));
        if self.chance(50) {
            blocks.extend(self.signature());
        }
        if self.chance(60) {
            blocks.extend(self.registration());
        }
        blocks
    }

    fn conversation(&mut self) -> Vec<Block> {
        let mut blocks = vec![vec!["RECORD OF CONVERSATION".to_string()]];
        self.feature("header/subtitle");
        let p = self.person();
        blocks.push(vec![format!("of the Ambassador of the USSR with {p}")]);
        if self.chance(80) {
            blocks.push(vec![self.date()]);
        }
        if self.chance(50) {
            blocks.push(vec![self.classification()]);
        }
        blocks.extend(self.body(6));
        if !blocks.iter().flatten().any(|l| l.contains('“')) && self.chance(30) {
            blocks.extend(self.quoted_message());
        }
        blocks.extend(self.signature());
        blocks
    }

    /// A cable that carries a letter, as the seed does.
    fn cable_with_letter(&mut self) -> Vec<Block> {
        let mut blocks = self.cable("cable");
        blocks.extend(self.letter(true));
        if self.chance(40) {
            self.feature("registration/sent-by");
            let s = self.surname();
            let t = self.dated_time(true);
            blocks.push(vec![format!("Sent by {s} at {t}")]);
        }
        blocks
    }

    /// Odd short documents: a lone paragraph, a lone header, a registration block, brackets.
    fn fragment(&mut self) -> Vec<Block> {
        match self.rng.below(4) {
            0 => vec![vec![self.paragraph()]],
            1 => {
                let mut b = vec![self.head("telegram")];
                b.extend(self.routing());
                b
            }
            2 => self.registration(),
            _ => {
                let mut b = self.body(2);
                b.extend(self.signature());
                b
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // layout

    /// Lays the blocks out as bytes with one of the layout conventions.
    fn layout(&mut self, blocks: Vec<Block>) -> Vec<u8> {
        let single = self.chance(15);
        if single {
            self.feature("layout/single-lines");
        }
        let mut lines: Vec<String> = Vec::new();
        if self.chance(3) {
            self.feature("layout/leading-blank-lines");
            lines.push(String::new());
        }
        for (i, block) in blocks.into_iter().enumerate() {
            if i > 0 && !single {
                lines.push(String::new());
                if self.chance(4) {
                    self.feature("layout/extra-blank-lines");
                    for _ in 0..self.between(1, 3) {
                        lines.push(String::new());
                    }
                }
            }
            for mut line in block {
                if self.chance(4) {
                    self.feature("layout/trailing-space");
                    let t = self.pick(&[" ", "  ", "\t", " \t "]);
                    line.push_str(t);
                }
                if self.chance(2) && !line.is_empty() {
                    self.feature("layout/indent");
                    let t = self.pick(&["  ", "    ", "\t"]);
                    line.insert_str(0, t);
                }
                lines.push(line);
            }
        }
        let ending = match self.rng.below(100) {
            0..=69 => {
                self.feature("layout/lf");
                "\n"
            }
            70..=91 => {
                self.feature("layout/crlf");
                "\r\n"
            }
            92..=94 => {
                self.feature("layout/cr");
                "\r"
            }
            _ => {
                self.feature("layout/mixed-endings");
                ""
            }
        };
        let mut out = String::new();
        if self.chance(3) {
            self.feature("layout/bom");
            out.push('\u{feff}');
        }
        let last = lines.len().saturating_sub(1);
        for (i, line) in lines.iter().enumerate() {
            out.push_str(line);
            if i == last {
                break;
            }
            if ending.is_empty() {
                out.push_str(self.pick(&["\n", "\r\n", "\n", "\r"]));
            } else {
                out.push_str(ending);
            }
        }
        let end = if ending.is_empty() { "\n" } else { ending };
        match self.rng.below(100) {
            0..=14 => self.feature("layout/no-final-newline"),
            15..=21 => {
                self.feature("layout/many-final-newlines");
                for _ in 0..self.between(2, 4) {
                    out.push_str(end);
                }
            }
            _ => out.push_str(end),
        }
        out.into_bytes()
    }
}

/// Hard-wraps a paragraph at about `width` characters (never inside a bracket).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut depth = 0i32;
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + word.chars().count() > width && depth == 0 {
            lines.push(std::mem::take(&mut line));
        } else if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        depth += word.matches('[').count() as i32 - word.matches(']').count() as i32;
        depth = depth.max(0);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fragments() -> Fragments {
        Fragments {
            sentences: prose_sentences(
                "CABLE Nº 1\n\nThe first trains will leave within ten days. The [Soviet] Government agrees to ship fuel by rail.\n",
            ),
        }
    }

    #[test]
    fn sentences_are_cut_and_filtered() {
        let s = fragments().sentences;
        assert_eq!(
            s,
            [
                "The first trains will leave within ten days.",
                "The [Soviet] Government agrees to ship fuel by rail."
            ]
        );
    }

    #[test]
    fn generation_is_deterministic_and_varied() {
        let f = fragments();
        let a = generate(7, 1, &f);
        let b = generate(7, 1, &f);
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(a.name, b.name);
        let c = generate(8, 1, &f);
        assert_ne!(a.bytes, c.bytes);
        assert!(a.name.starts_with("00007-"));
    }

    #[test]
    fn every_document_is_nonempty_text_and_features_are_listed() {
        let f = fragments();
        let mut seen = BTreeSet::new();
        for i in 0..3000 {
            let g = generate(i, 42, &f);
            let text = String::from_utf8(g.bytes).expect("UTF-8");
            assert!(!text.trim().is_empty(), "document {i} is empty");
            assert!(!text.contains('\0'));
            for feature in &g.features {
                assert!(FEATURES.contains(feature), "{feature} is not in FEATURES");
            }
            seen.extend(g.features);
        }
        let missing: Vec<_> = FEATURES.iter().filter(|f| !seen.contains(*f)).collect();
        assert!(missing.is_empty(), "never generated: {missing:?}");
    }

    #[test]
    fn wrapping_keeps_brackets_on_one_line() {
        let lines = wrap("one two [three four five] six", 9);
        assert_eq!(lines.concat().replace(' ', ""), "onetwo[threefourfive]six");
        assert!(lines
            .iter()
            .all(|l| l.matches('[').count() == l.matches(']').count()));
    }
}
