//! Stage 3: units → items (joined where a page break, a salutation or an open bracket spans
//! them) → the document model: divs with head, opener, paragraphs, lists, closer, notes.
//!
//! Invariant: every item becomes exactly one *leaf* element, and leaves appear in the output
//! in input order. The separator before a leaf is recorded on it (`@rend="blank-N"`) when it
//! differs from the document's default, or by a `<space>` element for packed header lines.

use std::collections::{BTreeMap, HashSet};

use teikit_diagnostics::{Diagnostic, Severity, Span};

use crate::blocks::{Layout, Sep, Unit};
use crate::classify::{self, ends_sentence, starts_lower, word_count, Shape};
use crate::dates;
use crate::inline::{tokenize, Bracket, Tok};
use crate::tree::{El, Node};
use crate::Options;

/// A unit after joining, with its tokens and shape.
struct Item {
    start: usize,
    end: usize,
    sep: Sep,
    shape: Shape,
    toks: Vec<Tok>,
    /// A page break was guessed inside (prose join across a blank line).
    prose_join: bool,
}

/// Facts gathered for the header.
#[derive(Default)]
pub(crate) struct Facts {
    pub head: Option<String>,
    pub head_numbered: bool,
    pub kind: Option<String>,
    pub from_place: Option<String>,
    pub sent_when: Option<(String, String)>,
    pub received_when: Option<String>,
    pub addressee: Option<String>,
    pub addressee_person: Option<String>,
    pub signer: Option<String>,
    pub hands: Vec<String>,
    pub translator: bool,
    pub editor: bool,
    /// The first subject line or sub-head at the top (`On the situation in …`).
    pub subject: Option<String>,
    /// The document's first full date anywhere (`@when`), filled after tagging.
    pub first_date: Option<String>,
    /// A div was recognised as a letter by its shape (salutation, signature).
    pub letter: bool,
    /// The first date line at the top (`12 October 1962` under a record of conversation).
    pub top_date: Option<String>,
}

/// The result of building: the divs of the body and the header facts.
pub(crate) struct Built {
    pub divs: Vec<El>,
    pub facts: Facts,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Zone {
    Top,
    Body,
    Closer,
}

struct DivB {
    el: El,
    zone: Zone,
    has_head: bool,
    has_body: bool,
}

impl DivB {
    fn new(kind: &str) -> DivB {
        DivB {
            el: El::new("div").attr("type", kind),
            zone: Zone::Top,
            has_head: false,
            has_body: false,
        }
    }

    fn is_empty(&self) -> bool {
        self.el.children.is_empty()
    }

    fn last_is(&self, name: &str) -> bool {
        matches!(self.el.children.last(), Some(Node::El(e)) if e.name == name)
    }

    fn last_mut(&mut self) -> &mut El {
        match self.el.children.last_mut() {
            Some(Node::El(e)) => e,
            _ => unreachable!("checked by last_is"),
        }
    }

    /// Pushes a leaf (with its separator element, if any) into the div itself.
    fn push_div(&mut self, leaf: Leaf) {
        if let Some(sp) = leaf.space {
            self.el.push(sp);
        }
        self.el.push(leaf.el);
    }

    fn push_opener(&mut self, leaf: Leaf) {
        if !(self.zone == Zone::Top && self.last_is("opener")) {
            self.el.push(El::new("opener"));
        }
        self.zone = Zone::Top;
        let opener = self.last_mut();
        if leaf.el.name == "addrLine" {
            let need_new =
                !matches!(opener.children.last(), Some(Node::El(e)) if e.name == "address");
            if need_new {
                opener.push(El::new("address"));
            }
            let Some(Node::El(address)) = opener.children.last_mut() else {
                unreachable!()
            };
            if let Some(sp) = leaf.space {
                address.push(sp);
            }
            address.push(leaf.el);
        } else {
            if let Some(sp) = leaf.space {
                opener.push(sp);
            }
            opener.push(leaf.el);
        }
    }

    fn push_body(&mut self, leaf: Leaf) {
        self.zone = Zone::Body;
        self.has_body = true;
        if leaf.el.name == "item" {
            if !self.last_is("list") {
                self.el.push(El::new("list").attr("type", "distribution"));
            }
            let list = self.last_mut();
            if let Some(sp) = leaf.space {
                list.push(sp);
            }
            list.push(leaf.el);
        } else {
            self.push_div(leaf);
        }
    }

    fn push_closer(&mut self, leaf: Leaf) {
        if !self.has_body {
            // A closer needs text before it; salute, signed and dateline may open a div too.
            self.push_opener(leaf);
            return;
        }
        if !(self.zone == Zone::Closer && self.last_is("closer")) {
            self.el.push(El::new("closer"));
        }
        self.zone = Zone::Closer;
        let closer = self.last_mut();
        if let Some(sp) = leaf.space {
            closer.push(sp);
        }
        closer.push(leaf.el);
    }
}

/// A leaf element and the `<space>` that precedes it on the same line, if any.
struct Leaf {
    el: El,
    space: Option<El>,
}

/// How plain text inside a leaf is tagged.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    None,
    /// Running text: only `Cde. X` / `Comrade X` are tagged.
    Prose,
    Head,
    Dateline,
    Dates,
    Registration,
    Names,
    AddrLine,
    Copy,
    Transmission,
}

pub(crate) struct Builder<'a> {
    src: &'a str,
    opts: &'a Options,
    pub diags: Vec<Diagnostic>,
    line_mode: bool,
    facts: Facts,
    /// Full dates' (offset, year), in order.
    years: Vec<(usize, i32)>,
    doc_year: Option<i32>,
    footnotes: HashSet<String>,
    footnote_ids: HashSet<String>,
    /// Start of the first item: its leaf has no separator before it.
    first_start: usize,
    /// Built-in words plus the profile's.
    pub vocab: crate::profile::Vocab,
}

const HAND_KEYS: &[&str] = &[
    "handwritten",
    "hand-written",
    "handwriting",
    "in handwriting",
    "written by hand",
    "in the margin",
    "in the left margin",
    "in the right margin",
    "margin",
    "marginal note",
    "in pencil",
    "pencil",
    "in ink",
    "manuscript note",
    "resolution",
];

const EDITORIAL_KEYS: &[(&str, &str)] = &[
    ("translator's note", "translator"),
    ("translator’s note", "translator"),
    ("translators note", "translator"),
    ("translator note", "translator"),
    ("trans. note", "translator"),
    ("trans note", "translator"),
    ("tr. note", "translator"),
    ("tn:", "translator"),
    ("ed. note", "editor"),
    ("editor's note", "editor"),
    ("editor’s note", "editor"),
    ("editors note", "editor"),
    ("editorial note", "editor"),
    ("ed.:", "editor"),
    ("note", ""),
];

const DAMAGE: &[&str] = &[
    "cut off",
    "text missing",
    "missing",
    "torn",
    "damaged",
    "damage",
    "hole",
    "page missing",
    "text cut off",
    "rest missing",
    "faded",
    "burnt",
];

const ILLEGIBLE: &[&str] = &[
    "illegible",
    "unreadable",
    "indecipherable",
    "undecipherable",
];

const ORG_WORDS: &[&str] = &[
    "ministry",
    "directorate",
    "department",
    "committee",
    "party",
    "staff",
    "embassy",
    "consulate",
    "council",
    "bureau",
    "office",
    "army",
    "command",
    "headquarters",
    "administration",
    "commission",
    "section",
    "mission",
    "government",
    "politburo",
    "presidium",
    "secretariat",
];

const NAME_TITLES: &[&str] = &[
    "Cde.",
    "Cde",
    "Comrade",
    "Comrades",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Marshal",
    "General",
    "Ambassador",
    "Minister",
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
];

impl<'a> Builder<'a> {
    pub(crate) fn new(src: &'a str, opts: &'a Options, line_mode: bool) -> Builder<'a> {
        Builder {
            src,
            opts,
            diags: Vec::new(),
            line_mode,
            facts: Facts::default(),
            years: Vec::new(),
            doc_year: None,
            footnotes: HashSet::new(),
            footnote_ids: HashSet::new(),
            first_start: 0,
            vocab: crate::profile::Vocab::new(opts.profile.as_ref()),
        }
    }

    fn text(&self, a: usize, b: usize) -> &'a str {
        &self.src[a..b]
    }

    /// Runs the whole stage.
    pub(crate) fn build(mut self, layout: &Layout) -> (Built, Vec<Diagnostic>) {
        let items = self.join(&layout.units);
        self.first_start = items.first().map_or(0, |i| i.start);
        self.scan_years(&items);
        for it in &items {
            if let Shape::FootnoteText(n) = &it.shape {
                self.footnotes.insert(n.clone());
            }
        }
        let divs = self.structure(&items, true);
        let built = Built {
            divs,
            facts: std::mem::take(&mut self.facts),
        };
        (built, self.diags)
    }

    fn default_blank(&self) -> usize {
        usize::from(!self.line_mode)
    }

    // ---------------------------------------------------------------- joining

    fn join(&mut self, units: &[Unit]) -> Vec<Item> {
        let src = self.src;
        let shapes: Vec<Shape> = units
            .iter()
            .map(|u| classify::shape(&src[u.start..u.end], &self.vocab))
            .collect();
        let mut items = Vec::with_capacity(units.len());
        let mut i = 0;
        while i < units.len() {
            let first = units[i];
            let mut end = first.end;
            let mut shape = shapes[i].clone();
            let mut prose_join = false;
            let mut spanned = false;
            let mut j = i + 1;
            // Kept up to date as units are absorbed, so a long chain of joins stays linear.
            let mut depth = open_depth(&src[first.start..first.end]);
            loop {
                let t = &src[first.start..end];
                let Some(next) = units.get(j) else { break };
                if matches!(next.sep, Sep::Spaces(_)) {
                    break;
                }
                let next_text = &src[next.start..next.end];
                let next_shape = &shapes[j];
                let structural = matches!(
                    next_shape,
                    Shape::Head { .. }
                        | Shape::Routing
                        | Shape::Copy(_)
                        | Shape::Seg(_)
                        | Shape::FootnoteText(_)
                );
                if depth > 0 {
                    // An open bracket: continue to a later unit that closes it (within three),
                    // else absorb following lower-case units.
                    let mut d = depth;
                    let mut closes_at = None;
                    for (k, u) in units.iter().enumerate().skip(j).take(3) {
                        if matches!(shapes[k], Shape::Head { .. })
                            || matches!(u.sep, Sep::Spaces(_))
                        {
                            break;
                        }
                        d = depth_through(&src[u.start..u.end], d);
                        if d == 0 {
                            closes_at = Some(k);
                            break;
                        }
                    }
                    if let Some(k) = closes_at {
                        end = units[k].end;
                        j = k + 1;
                        spanned = true;
                        depth = 0;
                        continue;
                    }
                    if starts_lower(next_text) && !structural {
                        depth = depth_through(next_text, depth);
                        end = next.end;
                        j += 1;
                        spanned = true;
                        continue;
                    }
                    break;
                }
                if matches!(shape, Shape::Head { .. })
                    && starts_lower(next_text)
                    && matches!(next_shape, Shape::Short | Shape::Prose | Shape::Names)
                    && next_text.chars().count() <= 120
                {
                    depth = depth_through(next_text, depth);
                    end = next.end;
                    j += 1;
                    continue;
                }
                if shape == Shape::SaluteWord
                    && matches!(next_shape, Shape::Names | Shape::Short)
                    && next_text.chars().count() <= 60
                {
                    end = next.end;
                    shape = Shape::Salute;
                    j += 1;
                    break;
                }
                let prose_like = matches!(shape, Shape::Prose | Shape::Short)
                    && t.chars().take(60).count() >= 60;
                let next_ok = matches!(
                    next_shape,
                    Shape::Prose | Shape::Short | Shape::Names | Shape::Registration
                ) && !next_text.trim_start().starts_with('[');
                let blank = match next.sep {
                    Sep::Blank(b) => b,
                    Sep::Spaces(_) => unreachable!(),
                };
                if prose_like
                    && !ends_sentence(t)
                    && next_ok
                    && (starts_lower(next_text)
                        || self.line_mode
                            && blank == 0
                            && matches!(next_shape, Shape::Prose)
                            && !t.ends_with(']'))
                {
                    let at = end;
                    depth = depth_through(next_text, depth);
                    end = next.end;
                    shape = Shape::Prose;
                    j += 1;
                    if blank == 0 {
                        self.diags.push(
                            Diagnostic::new(
                                Severity::Info,
                                "convert/line-joined",
                                "a line that does not end a sentence is joined with the next",
                            )
                            .with_label(Span::new(at, next.start - at), "line break kept as <lb/>"),
                        );
                    } else {
                        prose_join = true;
                        self.diags.push(
                            Diagnostic::warning(
                                "convert/page-break",
                                "a paragraph continues after a blank line: a likely page break",
                            )
                            .with_label(
                                Span::new(at, next.start - at),
                                "encoded as <pb/> inside one paragraph",
                            )
                            .with_help(
                                "if this is a new paragraph, end the previous one with punctuation",
                            ),
                        );
                    }
                    continue;
                }
                break;
            }
            if spanned {
                self.span_info(first.start, end);
            }
            let mut toks = tokenize(src, first.start, end, &mut self.diags);
            let sig_ok = toks.len() > 1
                || matches!(toks.as_slice(), [Tok::Br(b)] if word_count(b.inner(src)) <= 4 && !b.inner(src).contains(':'));
            if let (Some(sig), true) = (signature_bracket(src, &toks), sig_ok) {
                if !matches!(shape, Shape::Names | Shape::Salute | Shape::Close) && sig {
                    shape = Shape::Names;
                }
            }
            if toks.is_empty() {
                toks.push(Tok::Text(first.start, end));
            }
            items.push(Item {
                start: first.start,
                end,
                sep: first.sep,
                shape,
                toks,
                prose_join,
            });
            i = j;
        }
        items
    }

    fn span_info(&mut self, start: usize, end: usize) {
        self.diags.push(
            Diagnostic::new(
                Severity::Info,
                "convert/bracket-spans-blocks",
                "an open bracket continues over a blank line into the next block",
            )
            .with_label(
                Span::new(start, end - start),
                "read as one editorial insertion",
            )
            .with_help("if the bracket should end earlier, add the missing `]`"),
        );
    }

    fn scan_years(&mut self, items: &[Item]) {
        let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
        for it in items {
            let t = self.text(it.start, it.end);
            for d in dates::find(t) {
                if let Some(y) = d.year {
                    self.years.push((it.start + d.start, y));
                    *counts.entry(y).or_default() += 1;
                }
            }
        }
        self.doc_year = counts
            .iter()
            .max_by_key(|(y, c)| (**c, -**y))
            .map(|(y, _)| *y);
    }

    fn year_near(&self, offset: usize) -> Option<i32> {
        let i = self.years.partition_point(|(o, _)| *o < offset);
        if i > 0 {
            Some(self.years[i - 1].1)
        } else {
            self.years.get(i).map(|(_, y)| *y)
        }
    }

    // ---------------------------------------------------------------- structure

    fn structure(&mut self, items: &[Item], top_level: bool) -> Vec<El> {
        let letter_start = letter_starts(items);
        let mut divs: Vec<El> = Vec::new();
        let mut div = DivB::new(if top_level { "document" } else { "telegram" });
        let mut prev_shape: Option<&Shape> = None;
        let mut i = 0;
        while i < items.len() {
            let it = &items[i];
            let first_leaf = it.start == self.first_start;
            // Quoted message spanning several items → floatingText.
            let quote = if top_level || i > 0 {
                quote_end(self.src, items, i)
            } else {
                None
            };
            if let Some(end) = quote {
                let text_el = self.floating(&items[i..=end]);
                if div.zone == Zone::Closer {
                    start_div(&mut divs, &mut div, "section");
                }
                div.zone = Zone::Body;
                div.has_body = true;
                div.el.push(text_el);
                prev_shape = Some(&items[end].shape);
                i = end + 1;
                continue;
            }
            if letter_start.contains(&i) {
                if div.zone != Zone::Top || div.has_head {
                    start_div(&mut divs, &mut div, "letter");
                } else if div.el.attrs[0].1 == "document" {
                    // A transcription that opens with a letter's address lines.
                    div.el.set("type", "letter");
                }
            }
            let bracket_only = bracket_only(&it.toks);
            match (&it.shape, bracket_only) {
                (_, Some(b)) if !matches!(it.shape, Shape::Names | Shape::FootnoteText(_)) => {
                    let kind = self.bracket_kind(b, None, None);
                    let leaf_el = self.leaf_bracket(it, first_leaf);
                    match kind {
                        BKind::Stamp if div.zone == Zone::Top => div.push_opener(leaf_el),
                        BKind::Stamp | BKind::Gap(..) | BKind::Supplied => {
                            if div.zone == Zone::Closer {
                                start_div(&mut divs, &mut div, "registration");
                            }
                            let leaf = self.wrap_p(leaf_el);
                            div.push_body(leaf);
                        }
                        // A note anchor on a line of its own is phrase-level: TEI allows it
                        // in a closer (after a signature) or in a paragraph, not in a div.
                        BKind::FootnoteRef if div.zone == Zone::Closer => div.push_closer(leaf_el),
                        BKind::FootnoteRef => {
                            let leaf = self.wrap_p(leaf_el);
                            div.push_body(leaf);
                        }
                        _ => div.push_div(leaf_el),
                    }
                    // A note or page marker does not change what came before it.
                    i += 1;
                    continue;
                }
                (Shape::Head { kind, .. }, _) => {
                    if div.has_body || div.zone != Zone::Top {
                        start_div(&mut divs, &mut div, kind);
                    } else {
                        // A second heading line before any text (`COPY OF AN OUTGOING TELEGRAM`
                        // then `CIPHERED TELEGRAM Nº 12`) belongs to the same document.
                        div.el.set("type", kind.as_str());
                    }
                    let leaf = self.leaf("head", it, Tag::Head, first_leaf, kind);
                    let numbered = matches!(
                        it.shape,
                        Shape::Head {
                            number: Some(_),
                            ..
                        }
                    );
                    if top_level
                        && (self.facts.head.is_none()
                            || numbered && !self.facts.head_numbered
                            || self.facts.kind.as_deref() == Some("journal"))
                    {
                        self.facts.head_numbered = numbered;
                        self.facts.head = Some(self.text(it.start, it.end).trim().to_string());
                        self.facts.kind = Some(kind.clone());
                    }
                    div.has_head = true;
                    div.push_div(leaf);
                }
                (Shape::Short | Shape::Prose | Shape::Names, _)
                    if div.zone == Zone::Top && is_subject(self.text(it.start, it.end)) =>
                {
                    let mut leaf = self.leaf("head", it, Tag::None, first_leaf, "");
                    leaf.el.attrs.insert(0, ("type", "subject".to_string()));
                    if top_level && self.facts.subject.is_none() {
                        self.facts.subject = Some(self.text(it.start, it.end).to_string());
                    }
                    div.push_div(leaf);
                }
                (Shape::Short | Shape::Names, _)
                    if div.zone == Zone::Top
                        && matches!(prev_shape, Some(Shape::Head { .. }))
                        && word_count(self.text(it.start, it.end)) >= 6
                        && !self
                            .text(it.start, it.end)
                            .trim_start()
                            .to_lowercase()
                            .starts_with("to ") =>
                {
                    let mut leaf = self.leaf("head", it, Tag::None, first_leaf, "");
                    leaf.el.attrs.insert(0, ("type", "sub".to_string()));
                    if top_level && self.facts.subject.is_none() {
                        self.facts.subject = Some(self.text(it.start, it.end).to_string());
                    }
                    div.push_div(leaf);
                }
                (Shape::Routing, _) if div.zone == Zone::Top => {
                    let leaf = self.leaf("dateline", it, Tag::Dateline, first_leaf, "");
                    div.push_opener(leaf);
                }
                (Shape::Seg(kind), _) if div.zone == Zone::Top => {
                    let mut leaf = self.leaf("seg", it, Tag::None, first_leaf, "");
                    leaf.el.attrs.insert(0, ("type", (*kind).to_string()));
                    div.push_opener(leaf);
                }
                (Shape::Copy(_), _)
                    if div.zone == Zone::Top && !self.text(it.start, it.end).contains(" to ") =>
                {
                    let mut leaf = self.leaf("seg", it, Tag::Registration, first_leaf, "");
                    leaf.el.attrs.insert(0, ("type", "copy".to_string()));
                    div.push_opener(leaf);
                }
                (Shape::Copy(n), _) => {
                    if div.zone == Zone::Closer {
                        start_div(&mut divs, &mut div, "registration");
                    }
                    let mut leaf = self.leaf("item", it, Tag::Copy, first_leaf, "");
                    leaf.el.attrs.insert(0, ("n", n.clone()));
                    div.push_body(leaf);
                }
                (Shape::SaluteWord | Shape::Salute, _) => {
                    if div.zone != Zone::Top {
                        start_div(&mut divs, &mut div, "letter");
                    } else if !div.has_head && div.el.attrs[0].1 == "document" {
                        div.el.set("type", "letter");
                    }
                    let leaf = self.leaf("salute", it, Tag::Names, first_leaf, "");
                    div.push_opener(leaf);
                }
                (Shape::Close, _) => {
                    let leaf = self.leaf("salute", it, Tag::None, first_leaf, "");
                    div.push_closer(leaf);
                }
                (Shape::Names, _) if div.zone == Zone::Top && !self.ends_with_signature(it) => {
                    let leaf = self.leaf("addrLine", it, Tag::AddrLine, first_leaf, "");
                    div.push_opener(leaf);
                }
                (Shape::Names, _) => {
                    self.diags.push(
                        Diagnostic::new(
                            Severity::Info,
                            "convert/signature",
                            "a line of names after the text is read as a signature",
                        )
                        .with_label(
                            Span::new(it.start, it.end - it.start),
                            "encoded as <closer><signed>",
                        ),
                    );
                    let leaf = self.leaf("signed", it, Tag::Names, first_leaf, "");
                    div.push_closer(leaf);
                }
                (Shape::Date, _) => {
                    let leaf = self.leaf("dateline", it, Tag::Dates, first_leaf, "");
                    let correspondence = !matches!(
                        self.facts.kind.as_deref(),
                        Some("conversation" | "minutes" | "journal" | "memorandum" | "report")
                    );
                    if div.zone == Zone::Top && top_level && self.facts.top_date.is_none() {
                        self.facts.top_date = leaf.el.children.iter().find_map(|c| match c {
                            Node::El(e) if e.name == "date" => e
                                .attrs
                                .iter()
                                .find(|(k, _)| *k == "when")
                                .map(|(_, v)| v.clone()),
                            _ => None,
                        });
                    }
                    if div.zone == Zone::Top && top_level && correspondence {
                        // A letter's `Place, date` line: where and when it was written.
                        self.record_letter_dateline(&leaf.el);
                    }
                    if div.zone == Zone::Top {
                        div.push_opener(leaf);
                    } else {
                        div.push_closer(leaf);
                    }
                }
                (Shape::Registration | Shape::Routing | Shape::Seg(_), _)
                    if div.zone == Zone::Top && !div.has_body && div.has_head =>
                {
                    let mut leaf = self.leaf("seg", it, Tag::Registration, first_leaf, "");
                    leaf.el
                        .attrs
                        .insert(0, ("type", "registration".to_string()));
                    div.push_opener(leaf);
                }
                (Shape::Registration | Shape::Routing | Shape::Seg(_), _) => {
                    if div.zone == Zone::Closer
                        || (div.el.attrs[0].1 != "registration" && div.zone == Zone::Body)
                    {
                        start_div(&mut divs, &mut div, "registration");
                    }
                    let leaf = self.leaf("p", it, Tag::Registration, first_leaf, "");
                    div.push_body(leaf);
                }
                (Shape::Transmission, _) => {
                    if div.el.attrs[0].1 != "transmission" || div.zone == Zone::Closer {
                        start_div(&mut divs, &mut div, "transmission");
                    }
                    let leaf = self.leaf("p", it, Tag::Transmission, first_leaf, "");
                    div.push_body(leaf);
                }
                (Shape::InlineDistribution, _) => {
                    if div.zone == Zone::Closer {
                        start_div(&mut divs, &mut div, "registration");
                    }
                    let leaf = self.distribution(it, first_leaf);
                    div.push_body(leaf);
                }
                (Shape::FootnoteText(n), _) => {
                    let leaf = self.footnote(it, n, first_leaf);
                    div.push_div(leaf);
                }
                (Shape::Short, _)
                    if div.zone == Zone::Top
                        && (div.has_head || div.el.attrs[0].1 == "letter")
                        && !matches!(prev_shape, Some(Shape::Salute | Shape::SaluteWord)) =>
                {
                    let leaf = self.leaf("addrLine", it, Tag::AddrLine, first_leaf, "");
                    div.push_opener(leaf);
                }
                (Shape::Short, _)
                    if div.zone != Zone::Top
                        && (div.zone == Zone::Closer
                            || matches!(
                                prev_shape,
                                Some(Shape::Prose | Shape::Close | Shape::Names | Shape::Date)
                            ))
                        && looks_like_name(self.text(it.start, it.end))
                        && next_is_end(items, i) =>
                {
                    self.diags.push(
                        Diagnostic::new(
                            Severity::Info,
                            "convert/signature",
                            "a short name line after the text is read as a signature",
                        )
                        .with_label(
                            Span::new(it.start, it.end - it.start),
                            "encoded as <closer><signed>",
                        ),
                    );
                    let leaf = self.leaf("signed", it, Tag::Names, first_leaf, "");
                    div.push_closer(leaf);
                }
                (Shape::Short, _)
                    if div.zone == Zone::Body
                        && items.get(i + 1).is_some_and(|n| {
                            matches!(n.shape, Shape::Names)
                                || matches!(n.shape, Shape::Short)
                                    && looks_like_name(self.text(n.start, n.end))
                        })
                        && next_is_end(items, i + 1)
                        && !ends_sentence(self.text(it.start, it.end)) =>
                {
                    let leaf = self.leaf("signed", it, Tag::None, first_leaf, "");
                    div.push_closer(leaf);
                }
                (Shape::Short, _)
                    if div.zone == Zone::Closer && !ends_sentence(self.text(it.start, it.end)) =>
                {
                    let leaf = self.leaf("signed", it, Tag::None, first_leaf, "");
                    div.push_closer(leaf);
                }
                _ => {
                    let t = self.text(it.start, it.end);
                    if div.zone == Zone::Closer {
                        let trimmed = t.trim_start();
                        if trimmed.starts_with("P.S")
                            || trimmed.starts_with("PS")
                            || trimmed.starts_with("P. S")
                        {
                            let leaf = self.leaf("p", it, Tag::Prose, first_leaf, "");
                            let mut ps = El::new("postscript");
                            let Leaf { el, space } = leaf;
                            if let Some(sp) = space {
                                div.el.push(sp);
                            }
                            ps.push(el);
                            div.el.push(ps);
                            prev_shape = Some(&it.shape);
                            i += 1;
                            continue;
                        }
                        start_div(&mut divs, &mut div, "section");
                    }
                    let leaf = self.leaf("p", it, Tag::Prose, first_leaf, "");
                    div.push_body(leaf);
                }
            }
            prev_shape = Some(&it.shape);
            i += 1;
        }
        if !div.is_empty() {
            divs.push(div.el);
        }
        divs
    }

    fn ends_with_signature(&self, it: &Item) -> bool {
        signature_bracket(self.src, &it.toks).unwrap_or(false)
    }

    /// A quoted message over several items.
    fn floating(&mut self, items: &[Item]) -> El {
        let divs = self.structure_nested(items);
        let mut body = El::new("body");
        for d in divs {
            body.push(d);
        }
        El::new("floatingText").attr("type", "telegram").child(body)
    }

    fn structure_nested(&mut self, items: &[Item]) -> Vec<El> {
        self.structure(items, false)
    }

    // ---------------------------------------------------------------- leaves

    fn sep_attrs(&self, el: &mut El, sep: Sep, first_leaf: bool) -> Option<El> {
        match sep {
            Sep::Spaces(n) => Some(
                El::new("space")
                    .attr("quantity", n.to_string())
                    .attr("unit", "char"),
            ),
            Sep::Blank(b) => {
                let default = if first_leaf { 0 } else { self.default_blank() };
                if b != default {
                    el.rend(&format!("blank-{b}"));
                }
                None
            }
        }
    }

    fn leaf(
        &mut self,
        name: &'static str,
        it: &Item,
        tag: Tag,
        first_leaf: bool,
        kind: &str,
    ) -> Leaf {
        let mut el = El::new(name);
        let space = self.sep_attrs(&mut el, it.sep, first_leaf);
        let prose = name == "p" && it.prose_join;
        let nodes = self.inline(&it.toks, tag, prose, kind);
        el.extend(nodes);
        if name == "dateline" && tag == Tag::Dateline {
            self.record_routing(&el);
        }
        // The first person signing and the first person addressed, for correspDesc.
        let first_person = || {
            el.children.iter().find_map(|c| match c {
                Node::El(e) if e.name == "persName" => Some(strip_titles(&plain_text(e))),
                _ => None,
            })
        };
        if name == "signed" && self.facts.signer.is_none() {
            self.facts.signer = first_person();
        }
        if (name == "addrLine" || name == "salute") && self.facts.addressee_person.is_none() {
            self.facts.addressee_person = first_person();
        }
        if name == "addrLine" && self.facts.addressee.is_none() {
            let t = self.text(it.start, it.end).trim();
            if !t.to_lowercase().starts_with("to ") {
                self.facts.addressee = Some(t.to_string());
            }
        }
        Leaf { el, space }
    }

    /// A leaf that is one bracket (a note, a stamp …) standing alone.
    fn leaf_bracket(&mut self, it: &Item, first_leaf: bool) -> Leaf {
        let nodes = self.inline(&it.toks, Tag::None, false, "");
        let mut el = nodes
            .into_iter()
            .find_map(|n| match n {
                Node::El(e) => Some(e),
                Node::Text(_) => None,
            })
            .unwrap_or_else(|| El::new("note"));
        let space = self.sep_attrs(&mut el, it.sep, first_leaf);
        Leaf { el, space }
    }

    fn wrap_p(&self, leaf: Leaf) -> Leaf {
        let Leaf { mut el, space } = leaf;
        let mut p = El::new("p");
        // The separator belongs to the leaf, now the paragraph.
        if let Some(pos) = el.attrs.iter().position(|(k, _)| *k == "rend") {
            let rend = el.attrs[pos].1.clone();
            let (blank, rest): (Vec<&str>, Vec<&str>) =
                rend.split(' ').partition(|t| t.starts_with("blank-"));
            for b in blank {
                p.rend(b);
            }
            if rest.is_empty() {
                el.attrs.remove(pos);
            } else {
                el.attrs[pos].1 = rest.join(" ");
            }
        }
        p.push(el);
        Leaf { el: p, space }
    }

    fn footnote(&mut self, it: &Item, n: &str, first_leaf: bool) -> Leaf {
        let mut el = El::new("note").attr("type", "footnote");
        let id = format!("fn-{n}");
        if self.footnote_ids.insert(id.clone()) {
            el.set("xml:id", id);
        } else {
            self.diags.push(
                Diagnostic::warning(
                    "convert/duplicate-footnote",
                    format!("footnote {n} is given twice"),
                )
                .with_label(
                    Span::new(it.start, it.end - it.start),
                    "second note with this number",
                ),
            );
        }
        el.set("n", n);
        let space = self.sep_attrs(&mut el, it.sep, first_leaf);
        // An indented line (`  [1] …`): the indentation is a white-space text token before the
        // `[n]` bracket. It stays as the note's first text, and `rend="indent-K"` (K characters)
        // tells `to_text` to write the marker after it.
        let mark = it
            .toks
            .iter()
            .position(|t| !matches!(t, Tok::Text(a, b) if self.src[*a..*b].trim().is_empty()))
            .unwrap_or(0);
        let indent = &it.toks[..mark];
        let indent_chars: usize = indent
            .iter()
            .map(|t| match t {
                Tok::Text(a, b) => self.src[*a..*b].chars().count(),
                _ => 0,
            })
            .sum();
        if indent_chars > 0 {
            el.rend(&format!("indent-{indent_chars}"));
        }
        // Skip the `[n]` bracket and one following space.
        let mut rest: Vec<Tok> = it.toks.iter().skip(mark + 1).cloned().collect();
        match rest.first_mut() {
            Some(Tok::Text(a, b)) if self.src[*a..*b].starts_with(' ') => {
                *a += 1;
                if a == b {
                    rest.remove(0);
                }
            }
            _ => el.rend("tight"),
        }
        let mut nodes = self.inline(indent, Tag::None, false, "");
        push_all(&mut nodes, self.inline(&rest, Tag::None, false, ""));
        el.extend(nodes);
        Leaf { el, space }
    }

    /// `Copies: A (2), B, C` → a paragraph with a distribution list.
    fn distribution(&mut self, it: &Item, first_leaf: bool) -> Leaf {
        let mut p = El::new("p");
        let space = self.sep_attrs(&mut p, it.sep, first_leaf);
        let plain = matches!(it.toks.as_slice(), [Tok::Text(..)]);
        let t = self.text(it.start, it.end);
        let colon = t.find(':').or_else(|| t.find(" - "));
        match (plain, colon) {
            (true, Some(c)) => {
                let lead_end = c + if t[c..].starts_with(':') { 1 } else { 3 };
                let lead_end = lead_end + t[lead_end..].len() - t[lead_end..].trim_start().len();
                p.push(Node::Text(t[..lead_end].to_string()));
                let mut list = El::new("list").attr("type", "distribution");
                let rest = &t[lead_end..];
                let parts: Vec<&str> = rest.split_inclusive([',', ';']).collect();
                for (k, part) in parts.iter().enumerate() {
                    let lead = part.len() - part.trim_start().len();
                    if lead > 0 && k > 0 {
                        list.push(Node::Text(part[..lead].to_string()));
                    }
                    let body = if k > 0 { &part[lead..] } else { part };
                    let mut item = El::new("item");
                    if let Some(q) = quantity(body) {
                        item.set("n", q);
                    }
                    item.push(Node::Text(body.to_string()));
                    list.push(item);
                }
                p.push(list);
            }
            _ => {
                let nodes = self.inline(&it.toks, Tag::None, false, "");
                p.extend(nodes);
            }
        }
        Leaf { el: p, space }
    }

    fn record_letter_dateline(&mut self, el: &El) {
        for c in &el.children {
            if let Node::El(e) = c {
                if e.name == "placeName" && self.facts.from_place.is_none() {
                    self.facts.from_place = Some(plain_text(e));
                }
                if e.name == "date" && self.facts.sent_when.is_none() {
                    if let Some((_, w)) = e.attrs.iter().find(|(k, _)| *k == "when") {
                        self.facts.sent_when = Some((w.clone(), plain_text(e)));
                    }
                }
            }
        }
    }

    fn record_routing(&mut self, el: &El) {
        let mut place = None;
        let mut date = None;
        for c in &el.children {
            if let Node::El(e) = c {
                if e.name == "placeName" && place.is_none() {
                    place = Some(plain_text(e));
                }
                if e.name == "date" && date.is_none() {
                    let when = e
                        .attrs
                        .iter()
                        .find(|(k, _)| *k == "when")
                        .map(|(_, v)| v.clone());
                    date = when.map(|w| (w, plain_text(e)));
                }
            }
        }
        let first_word = el
            .children
            .first()
            .and_then(|n| match n {
                Node::Text(t) => t.split_whitespace().next().map(str::to_lowercase),
                _ => None,
            })
            .unwrap_or_default();
        if first_word == "received" {
            if self.facts.received_when.is_none() {
                self.facts.received_when = date.map(|d| d.0);
            }
            return;
        }
        if self.facts.from_place.is_none() && first_word == "from" {
            self.facts.from_place = place;
        }
        if self.facts.sent_when.is_none() {
            self.facts.sent_when = date;
        }
    }

    // ---------------------------------------------------------------- inline

    fn inline(&mut self, toks: &[Tok], tag: Tag, prose: bool, kind: &str) -> Vec<Node> {
        let mut out: Vec<Node> = Vec::new();
        for (k, t) in toks.iter().enumerate() {
            match t {
                Tok::Text(a, b) => {
                    let nodes = self.tag_text(*a, *b, tag, kind);
                    push_all(&mut out, nodes);
                }
                Tok::Break(n) => {
                    let el = if prose && *n >= 2 {
                        let mut pb = El::new("pb");
                        if *n != 2 {
                            pb.rend(&format!("blank-{}", n - 1));
                        }
                        pb
                    } else {
                        let mut lb = El::new("lb");
                        if *n > 1 {
                            lb.rend(&format!("blank-{}", n - 1));
                        }
                        lb
                    };
                    out.push(el.into());
                }
                Tok::Br(b) => {
                    let prev = self.src[self.unit_floor(b.open)..b.open]
                        .chars()
                        .next_back();
                    let prev = if k == 0 { None } else { prev };
                    let next = if k + 1 < toks.len() {
                        self.src[b.end..].chars().next()
                    } else {
                        None
                    };
                    self.bracket(b, prev, next, &mut out);
                }
            }
        }
        out
    }

    fn unit_floor(&self, at: usize) -> usize {
        let mut f = at.saturating_sub(4);
        while !self.src.is_char_boundary(f) {
            f -= 1;
        }
        f
    }

    fn bracket_kind(&self, b: &Bracket, prev: Option<char>, next: Option<char>) -> BKind {
        let src = self.src;
        let inner = b.inner(src);
        let head: String = inner
            .trim_start()
            .chars()
            .take(40)
            .collect::<String>()
            .to_lowercase();
        let boundary_after = |k: &str| {
            head[k.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
        };
        if let Some((k, meaning)) = self.vocab.bracket(&head) {
            use crate::profile::BracketMeaning as M;
            let colon = first_text_has(src, b, ':');
            let words = word_count(inner);
            match meaning {
                M::Handwritten if colon => return BKind::Hand,
                M::Stamp => return BKind::Stamp,
                M::TranslatorNote if colon => return BKind::Editorial("translator"),
                M::EditorNote if colon => return BKind::Editorial("editor"),
                M::Illegible if words <= 6 => return BKind::Gap("illegible", true),
                M::Damage if words <= 6 => return BKind::Gap("damage", true),
                _ => {}
            }
            let _ = k;
        }
        let strong = [
            "handwritten",
            "hand-written",
            "handwriting",
            "in handwriting",
            "written by hand",
        ];
        if HAND_KEYS
            .iter()
            .any(|k| head.starts_with(k) && boundary_after(k))
            && first_text_has(src, b, ':')
            || strong
                .iter()
                .any(|k| head.starts_with(k) && boundary_after(k))
        {
            return BKind::Hand;
        }
        if head.starts_with("stamp") && boundary_after("stamp") {
            return BKind::Stamp;
        }
        for (k, resp) in EDITORIAL_KEYS {
            if head.starts_with(k)
                && boundary_after(k)
                && first_text_has(src, b, ':')
                    | (head.len() > k.len()
                        && head[k.len()..].trim_start().starts_with(['-', '–', '—']))
            {
                return BKind::Editorial(resp);
            }
        }
        let in_word =
            prev.is_some_and(char::is_alphanumeric) || next.is_some_and(char::is_alphanumeric);
        let Some(plain) = b.plain(src) else {
            return if in_word || word_count(inner) <= 4 && !inner.contains(':') {
                BKind::Supplied
            } else {
                BKind::Note
            };
        };
        let p = plain.trim();
        let lower = p.to_lowercase();
        let words = word_count(p);
        if matches!(p, "…" | "..." | "...." | ". . .") {
            return BKind::Gap("omitted", false);
        }
        if plain == "?" {
            return BKind::PostUnclear;
        }
        if lower == "sic" || lower == "sic!" {
            return BKind::PostSic;
        }
        if (lower.ends_with(" sic") || lower.ends_with(" sic!")) && words >= 2 {
            return BKind::SicOriginal;
        }
        if is_page_marker(&lower) && !plain.contains(['\n', '\r']) {
            return BKind::Page;
        }
        if !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit()) {
            return BKind::FootnoteRef;
        }
        if words <= 6 && ILLEGIBLE.iter().any(|w| lower.contains(w)) {
            return BKind::Gap("illegible", true);
        }
        if words <= 6 && DAMAGE.iter().any(|w| lower.contains(w)) {
            return BKind::Gap("damage", true);
        }
        if words <= 4
            && (lower.contains("signature") || lower.contains("seal") || lower == "signed")
        {
            return BKind::Gap("omitted", true);
        }
        if in_word {
            return BKind::Supplied;
        }
        if plain.ends_with('?') && words <= 3 && plain.len() > 1 {
            return BKind::InUnclear;
        }
        if prev == Some(' ')
            && p.starts_with(char::is_uppercase)
            && words <= 5
            && !p.contains(':')
            && self.prev_word_capitalised(b.open)
        {
            return BKind::Identification;
        }
        if words == 1 && prev == Some(' ') && looks_transliterated(p) {
            return BKind::Original;
        }
        if words <= 4 && !p.contains(':') {
            return BKind::Supplied;
        }
        BKind::Note
    }

    fn prev_word_capitalised(&self, open: usize) -> bool {
        let mut from = open.saturating_sub(200);
        while !self.src.is_char_boundary(from) {
            from += 1;
        }
        self.src[from..open]
            .split_whitespace()
            .next_back()
            .is_some_and(|w| w.starts_with(char::is_uppercase))
    }

    fn bracket(
        &mut self,
        b: &Bracket,
        prev: Option<char>,
        next: Option<char>,
        out: &mut Vec<Node>,
    ) {
        let kind = self.bracket_kind(b, prev, next);
        let src = self.src;
        let mut el = match kind {
            BKind::Hand => self.hand_note(b),
            BKind::Stamp => {
                let head = b.plain_head(src);
                let lower_head = head.trim_start().to_lowercase();
                let keyword = match self.vocab.bracket(&lower_head) {
                    Some((k, crate::profile::BracketMeaning::Stamp)) => k.to_string(),
                    _ => "stamp".to_string(),
                };
                let (prefix, rest) = split_prefix(src, &b.toks, prefix_len(head, &keyword));
                let content = b.inner(src).to_lowercase();
                let mut st = El::new("stamp");
                if ["incoming", "received", "receipt", "registered", "entered"]
                    .iter()
                    .any(|w| content.contains(w))
                {
                    st.set("type", "received");
                } else if ["outgoing", "sent", "dispatched"]
                    .iter()
                    .any(|w| content.contains(w))
                {
                    st.set("type", "sent");
                }
                if prefix != "stamp: " {
                    st.set("n", prefix);
                }
                let nodes = self.inline(&rest, Tag::Dates, false, "");
                st.extend(nodes);
                st
            }
            BKind::Editorial(resp) => {
                let head = b.plain_head(src);
                let sep = head
                    .find(':')
                    .map(|i| i + 1)
                    .or_else(|| {
                        head.find(['-', '–', '—']).map(|i| {
                            let t = &head[i..];
                            i + t.len() - t.trim_start_matches(['-', '–', '—']).len()
                        })
                    })
                    .unwrap_or(0);
                let (label, rest) = split_prefix(src, &b.toks, sep);
                let mut note = El::new("note").attr("type", "editorial");
                match resp {
                    "translator" => {
                        note.set("resp", "#translator");
                        self.facts.translator = true;
                    }
                    "editor" => {
                        note.set("resp", "#editor");
                        self.facts.editor = true;
                    }
                    _ => {}
                }
                if !label.is_empty() {
                    note.push(El::new("label").text(label));
                }
                let nodes = self.inline(&rest, Tag::None, false, "");
                note.extend(nodes);
                note
            }
            BKind::Gap(reason, desc) => {
                let p = b.plain(src).unwrap_or_default();
                let mut gap = El::new("gap").attr("reason", reason);
                if reason == "illegible" {
                    let extent: Vec<&str> = p
                        .split_whitespace()
                        .filter(|w| !ILLEGIBLE.iter().any(|i| w.to_lowercase().contains(i)))
                        .collect();
                    if !extent.is_empty() {
                        gap.set("extent", extent.join(" "));
                    }
                }
                if desc || p != "…" {
                    gap.push(El::new("desc").text(p));
                }
                gap
            }
            BKind::PostUnclear | BKind::PostSic => {
                let name = if kind == BKind::PostUnclear {
                    "unclear"
                } else {
                    "sic"
                };
                let p = b.plain(src).unwrap_or_default();
                match take_word(out) {
                    Some((word, attached)) => {
                        let mut e = El::new(name);
                        if name == "unclear" {
                            e.set("cert", "low");
                        } else if p != "sic" {
                            e.set("n", p);
                        }
                        if attached {
                            e.rend("attached");
                        }
                        e.push(Node::Text(word));
                        e
                    }
                    None => {
                        self.diags.push(
                            Diagnostic::new(
                                Severity::Info,
                                "convert/bare-marker",
                                format!("`[{p}]` follows no word; kept as an editorial note"),
                            )
                            .with_label(Span::new(b.open, b.end - b.open), "this marker"),
                        );
                        El::new("note").attr("type", "editorial").text(p)
                    }
                }
            }
            BKind::SicOriginal => {
                // `observe [ponablyusti – SIC]`: the word is the sic, the bracket the original.
                // The space between them (none when attached: `observe[…]`) follows the sic.
                let spaced = matches!(out.last(), Some(Node::Text(t)) if t.ends_with(' '));
                if let Some((word, attached)) = take_word(out) {
                    let mut sic = El::new("sic").attr("rend", "noted");
                    if attached {
                        sic.rend("attached");
                    }
                    sic.push(Node::Text(word));
                    out.push(sic.into());
                    if spaced && !attached {
                        out.push(Node::Text(" ".into()));
                    }
                }
                let p = b.plain(src).unwrap_or_default();
                El::new("note").attr("type", "original").text(p)
            }
            BKind::Page => {
                let p = b.plain(src).unwrap_or_default();
                El::new("pb").attr("n", p).attr("rend", "bracketed")
            }
            BKind::FootnoteRef => {
                let p = b.plain(src).unwrap_or_default();
                let mut r = El::new("ref").attr("type", "noteAnchor");
                if self.footnotes.contains(p) {
                    r.set("target", format!("#fn-{p}"));
                } else {
                    self.diags.push(
                        Diagnostic::new(
                            Severity::Info,
                            "convert/footnote-unresolved",
                            format!(
                                "footnote marker [{p}] has no note `[{p}] …` in this transcription"
                            ),
                        )
                        .with_label(Span::new(b.open, b.end - b.open), "marker"),
                    );
                }
                r.text(p)
            }
            BKind::InUnclear => {
                let p = b.plain(src).unwrap_or_default();
                El::new("unclear")
                    .attr("cert", "low")
                    .attr("rend", "bracketed")
                    .text(&p[..p.len() - 1])
            }
            BKind::Identification => {
                let nodes = self.inline(&b.toks, Tag::None, false, "");
                let mut n = El::new("note").attr("type", "identification");
                n.extend(nodes);
                n
            }
            BKind::Original => {
                let p = b.plain(src).unwrap_or_default();
                self.diags.push(
                    Diagnostic::new(
                        Severity::Info,
                        "convert/original-language",
                        "a bracketed word after a word is read as its original-language form",
                    )
                    .with_label(
                        Span::new(b.open, b.end - b.open),
                        "encoded as <note type=\"original\">",
                    )
                    .with_help(
                        "if the editor supplied this word, it should read as part of the sentence",
                    ),
                );
                El::new("note").attr("type", "original").child(
                    El::new("foreign")
                        .attr("xml:lang", self.opts.original_lang.clone())
                        .text(p),
                )
            }
            BKind::Supplied => {
                let nodes = self.inline(&b.toks, Tag::None, false, "");
                let mut s = El::new("supplied").attr("reason", "omitted");
                s.extend(nodes);
                s
            }
            BKind::Note => {
                let nodes = self.inline(&b.toks, Tag::None, false, "");
                let mut n = El::new("note").attr("type", "editorial");
                n.extend(nodes);
                n
            }
        };
        if b.double {
            el.rend("double");
        }
        if !b.closed {
            el.rend("unclosed");
        }
        out.push(el.into());
    }

    fn hand_note(&mut self, b: &Bracket) -> El {
        let src = self.src;
        let head = b.plain_head(src);
        let Some(colon) = head.find(':').map(|i| i + 1) else {
            // `[handwritten signature]`: a description, not a transcribed addition.
            let nodes = self.inline(&b.toks, Tag::None, false, "");
            let mut note = El::new("note").attr("type", "handwritten");
            note.extend(nodes);
            return note;
        };
        let (label, rest) = split_prefix(src, &b.toks, colon);
        let label_key = label
            .trim_end_matches(':')
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let lower = label_key.to_lowercase();
        let place = if lower.contains("above") || lower.contains("top") {
            Some("top")
        } else if lower.contains("below") || lower.contains("bottom") || lower.contains("foot") {
            Some("bottom")
        } else if lower.contains("margin") {
            Some("margin")
        } else {
            None
        };
        let hand = match self.facts.hands.iter().position(|h| *h == label_key) {
            Some(i) => i + 1,
            None => {
                self.facts.hands.push(label_key.clone());
                self.facts.hands.len()
            }
        };
        let mut note = El::new("note").attr("type", "handwritten");
        if let Some(p) = place {
            note.set("place", p);
        }
        note.push(El::new("label").text(label));
        // White space and line breaks between the label and the addition stay outside it.
        let mut k = 0;
        let mut lead: Vec<Tok> = Vec::new();
        let mut rest = rest;
        while k < rest.len() {
            match &rest[k] {
                Tok::Break(_) => {
                    lead.push(rest[k].clone());
                    k += 1;
                }
                Tok::Text(a, bb) => {
                    let t = &src[*a..*bb];
                    let ws = t.len() - t.trim_start().len();
                    if ws > 0 {
                        lead.push(Tok::Text(*a, a + ws));
                    }
                    if ws < t.len() {
                        rest[k] = Tok::Text(a + ws, *bb);
                        break;
                    }
                    k += 1;
                }
                Tok::Br(_) => break,
            }
        }
        let lead_nodes = self.inline(&lead, Tag::None, false, "");
        note.extend(lead_nodes);
        if k < rest.len() {
            let mut add = El::new("add").attr("hand", format!("#hand-{hand}"));
            if let Some(p) = place {
                add.set("place", p);
            }
            let nodes = self.inline(&rest[k..], Tag::Names, false, "");
            add.extend(nodes);
            note.push(add);
        }
        note
    }

    // ---------------------------------------------------------------- text tagging

    fn tag_text(&mut self, a: usize, b: usize, tag: Tag, kind: &str) -> Vec<Node> {
        let t = &self.src[a..b];
        // Spans (start, end, element) relative to t, non-overlapping, in order.
        let mut spans: Vec<(usize, usize, El)> = Vec::new();
        match tag {
            Tag::None => {}
            Tag::Prose => comrade_spans(t, &mut spans),
            Tag::Head => {
                if let Some((s, e)) = classify::number_after_mark(t) {
                    spans.push((
                        s,
                        e,
                        El::new("idno")
                            .attr("type", if kind.is_empty() { "document" } else { kind }),
                    ));
                }
            }
            Tag::Registration => {
                if let Some((s, e)) = classify::number_after_mark(t) {
                    if !t.to_lowercase().starts_with("copy") {
                        spans.push((s, e, El::new("idno").attr("type", "registration")));
                    }
                }
                self.date_spans(a, t, &mut spans);
            }
            Tag::Dates => {
                self.date_spans(a, t, &mut spans);
                leading_place(t, &mut spans);
            }
            Tag::Dateline => {
                self.date_spans(a, t, &mut spans);
                place_spans(t, &mut spans);
            }
            Tag::Transmission => {
                self.date_spans(a, t, &mut spans);
                if let Some(p) = find_ci(t, " by ")
                    .or_else(|| t.to_ascii_lowercase().starts_with("by ").then_some(0))
                {
                    let s = if p == 0 { 3 } else { p + 4 };
                    let rest = &t[s..];
                    let e = [" at ", " on ", ",", " ("]
                        .iter()
                        .filter_map(|m| rest.find(m))
                        .min()
                        .unwrap_or(rest.len());
                    let name = rest[..e].trim_end();
                    if !name.is_empty() && looks_like_name(name) {
                        spans.push((s, s + name.len(), El::new("persName")));
                    }
                }
            }
            Tag::Names => {
                name_spans(t, &mut spans);
                if spans.is_empty() {
                    comrade_spans(t, &mut spans);
                }
            }
            Tag::AddrLine => {
                let lower = t.to_ascii_lowercase();
                if let Some(rest) = lower.strip_prefix("to ") {
                    let _ = rest;
                    let name = t[3..].trim_end().trim_end_matches(['.', ',', ':']);
                    if looks_like_name(name) {
                        spans.push((3, 3 + name.len(), El::new("persName")));
                    }
                } else if ORG_WORDS
                    .iter()
                    .any(|w| lower.split(|c: char| !c.is_alphabetic()).any(|x| x == *w))
                {
                    let s = t.len() - t.trim_start().len();
                    spans.push((s, t.trim_end().len(), El::new("orgName")));
                }
            }
            Tag::Copy => {
                if let Some(p) = find_ci(t, " to ") {
                    let name = t[p + 4..].trim_end().trim_end_matches(['.', ',', ';']);
                    if looks_like_name(name) {
                        spans.push((p + 4, p + 4 + name.len(), El::new("persName")));
                    }
                }
            }
        }
        if spans.is_empty() {
            return vec![Node::Text(t.to_string())];
        }
        spans.sort_by_key(|s| s.0);
        let mut out = Vec::new();
        let mut at = 0;
        for (s, e, mut el) in spans {
            if s < at || e <= s {
                continue;
            }
            if s > at {
                out.push(Node::Text(t[at..s].to_string()));
            }
            el.push(Node::Text(t[s..e].to_string()));
            out.push(el.into());
            at = e;
        }
        if at < t.len() {
            out.push(Node::Text(t[at..].to_string()));
        }
        out
    }

    fn date_spans(&mut self, base: usize, t: &str, spans: &mut Vec<(usize, usize, El)>) {
        for d in dates::find(t) {
            let year = d.year.or_else(|| self.year_near(base + d.start));
            if let (Some(y), Some(doc)) = (d.year, self.doc_year) {
                if (y - doc).abs() > 5 {
                    self.diags.push(
                        Diagnostic::warning(
                            "convert/date-far",
                            format!("the year {y} is far from the document's other dates ({doc})"),
                        )
                        .with_label(
                            Span::new(base + d.start, d.end - d.start),
                            "kept as written",
                        )
                        .with_help("check the transcription: this may be a typing error"),
                    );
                }
            }
            let when = dates::when(&d, year);
            spans.push((d.start, d.end, El::new("date").attr("when", when)));
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum BKind {
    Hand,
    Page,
    Stamp,
    Editorial(&'static str),
    Gap(&'static str, bool),
    PostUnclear,
    PostSic,
    SicOriginal,
    FootnoteRef,
    InUnclear,
    Identification,
    Original,
    Supplied,
    Note,
}

impl Bracket {
    /// The first text token of the bracket (where keywords and labels are).
    fn plain_head<'a>(&self, src: &'a str) -> &'a str {
        match self.toks.first() {
            Some(Tok::Text(a, b)) => &src[*a..*b],
            _ => "",
        }
    }
}

fn first_text_has(src: &str, b: &Bracket, c: char) -> bool {
    b.plain_head(src).contains(c)
}

/// Length of a keyword prefix: through the first `:` (within 40 bytes) and the spaces after,
/// else the keyword itself and the spaces after.
fn prefix_len(head: &str, keyword: &str) -> usize {
    let end = match head.find(':') {
        Some(i) if i < 40 => i + 1,
        _ => {
            let lead = head.len() - head.trim_start().len();
            (lead + keyword.len()).min(head.len())
        }
    };
    let end = if head.is_char_boundary(end) {
        end
    } else {
        head.len()
    };
    end + head[end..].len() - head[end..].trim_start_matches(' ').len()
}

/// Splits `len` bytes off the first text token: (prefix, remaining tokens).
fn split_prefix(src: &str, toks: &[Tok], len: usize) -> (String, Vec<Tok>) {
    match toks.first() {
        Some(Tok::Text(a, b)) if len > 0 && a + len <= *b => {
            let mut rest = Vec::with_capacity(toks.len());
            if a + len < *b {
                rest.push(Tok::Text(a + len, *b));
            }
            rest.extend(toks[1..].iter().cloned());
            (src[*a..a + len].to_string(), rest)
        }
        _ => (String::new(), toks.to_vec()),
    }
}

fn push_all(out: &mut Vec<Node>, nodes: Vec<Node>) {
    for n in nodes {
        if let (Node::Text(t), Some(Node::Text(prev))) = (&n, out.last_mut()) {
            prev.push_str(t);
            continue;
        }
        out.push(n);
    }
}

/// Takes the word before a postfix marker out of the trailing text: `… word ` → `word`.
/// Returns the word and whether it was attached (no space before the marker).
fn take_word(out: &mut Vec<Node>) -> Option<(String, bool)> {
    let Some(Node::Text(t)) = out.last_mut() else {
        return None;
    };
    let (body, attached) = match t.strip_suffix(' ') {
        Some(b) if !b.ends_with(char::is_whitespace) => (b.len(), false),
        Some(_) => return None,
        None if !t.ends_with(char::is_whitespace) => (t.len(), true),
        None => return None,
    };
    let stem = &t[..body];
    let start = stem
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace() || matches!(c, '(' | '“' | '"' | '«' | '‘'))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    if start == body {
        return None;
    }
    let word = stem[start..].to_string();
    t.truncate(start);
    if t.is_empty() {
        out.pop();
    }
    Some((word, attached))
}

fn plain_text(e: &El) -> String {
    let mut s = String::new();
    for c in &e.children {
        match c {
            Node::Text(t) => s.push_str(t),
            Node::El(e) => s.push_str(&plain_text(e)),
        }
    }
    s
}

fn find_ci(t: &str, needle: &str) -> Option<usize> {
    let lower = t.to_ascii_lowercase();
    lower.find(needle)
}

/// Capitalised words (titles allowed), no digits, at most six words.
pub(crate) fn looks_like_name(t: &str) -> bool {
    let t = t.trim();
    let words: Vec<&str> = t.split_whitespace().collect();
    const ROLES: &[&str] = &[
        "Sir",
        "Sirs",
        "Madam",
        "Gentlemen",
        "Friends",
        "Colleagues",
        "Deputy",
        "Secretary",
        "Director",
        "Chief",
        "Head",
        "Consul",
        "First",
        "Second",
        "Third",
        "Vice",
        "Acting",
        "Attaché",
        "Counsellor",
        "Counselor",
        "Chargé",
        "Affaires",
        "Officer",
        "Department",
        "Ministry",
        "Embassy",
        "Comrades",
        "The",
        "Central",
        "Committee",
        "State",
        "Foreign",
        "Affairs",
        "Defence",
        "Defense",
        "Soviet",
    ];
    let has_name = words.iter().any(|w| {
        !NAME_TITLES.contains(w) && !ROLES.contains(w) && !ROLES.contains(&capitalised(w).as_str())
    });
    has_name
        && words.len() <= 6
        && !t.chars().any(|c| c.is_ascii_digit())
        && words.iter().all(|w| {
            NAME_TITLES.contains(w)
                || w.starts_with(char::is_uppercase)
                || matches!(
                    *w,
                    "de" | "van" | "von" | "da" | "al" | "bin" | "ibn" | "le" | "la"
                )
        })
        && !ends_sentence(t)
}

/// `Cde. GROMYKO` → `GROMYKO`.
fn strip_titles(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let skip = words.iter().take_while(|w| NAME_TITLES.contains(w)).count();
    if skip == words.len() {
        return words.join(" ");
    }
    crate::ner::strip_titles(&words[skip..].join(" "))
}

fn capitalised(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f
            .to_uppercase()
            .chain(c.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

/// Names in a signature or salutation: comma/`and`-separated capitalised groups.
fn name_spans(t: &str, spans: &mut Vec<(usize, usize, El)>) {
    let base = t.as_ptr() as usize;
    for part in t.split([',', ';']) {
        for piece in part.split(" and ") {
            let mut name = piece.trim().trim_start_matches(['“', '"', '«']);
            for w in [
                "DEAR ",
                "Dear ",
                "dear ",
                "My dear ",
                "MY DEAR ",
                "Esteemed ",
                "Respected ",
            ] {
                if let Some(r) = name.strip_prefix(w) {
                    name = r.trim_start();
                    break;
                }
            }
            let name = name.trim_end_matches(['!', '.', ':', '”', '"', '»']).trim();
            let is_salute_word = ["dear", "my dear", "esteemed", "respected"]
                .contains(&name.to_lowercase().as_str());
            if !name.is_empty() && !is_salute_word && looks_like_name(name) {
                // `name` is a sub-slice of `t`: its offset is the pointer difference.
                let s = name.as_ptr() as usize - base;
                spans.push((s, s + name.len(), El::new("persName")));
            }
        }
    }
}

/// `Subject: …`, `Re: …`, `Concerning: …` at the top of a document.
fn is_subject(t: &str) -> bool {
    let l = t.trim_start().to_lowercase();
    t.chars().count() <= 200
        && [
            "subject:",
            "re:",
            "concerning:",
            "regarding:",
            "ref.:",
            "subject -",
            "on the subject of",
        ]
        .iter()
        .any(|k| l.starts_with(k))
}

/// `[page 2]`, `[p. 3]`, `[sheet 4]`, `[end of page 1]`: a page marker.
fn is_page_marker(lower: &str) -> bool {
    let l = lower.trim();
    let l = l.strip_prefix("end of ").unwrap_or(l);
    for w in [
        "page ", "p. ", "p.", "sheet ", "list ", "l. ", "folio ", "f. ",
    ] {
        if let Some(rest) = l.strip_prefix(w) {
            let rest = rest.trim();
            return !rest.is_empty()
                && rest.len() <= 8
                && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        }
    }
    matches!(l, "page break" | "new page")
}

/// `Cde. STALIN`, `Comrade Li Fuchun`: the title and up to four capitalised words after it.
fn comrade_spans(t: &str, spans: &mut Vec<(usize, usize, El)>) {
    for title in ["Cde. ", "Comrade "] {
        let mut from = 0;
        while let Some(p) = t[from..].find(title) {
            let start = from + p;
            let boundary = t[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let mut end = start + title.len();
            let mut words = 0;
            let mut last_end = None;
            while words < 4 {
                let rest = &t[end..];
                let w_len = rest.find(' ').unwrap_or(rest.len());
                let w = &rest[..w_len];
                let core = w.trim_end_matches([',', '.', '!', '?', ';', ':', ')', '”', '"', '\'']);
                if core.is_empty()
                    || !core.starts_with(char::is_uppercase)
                    || !core
                        .chars()
                        .all(|c| c.is_alphabetic() || c == '-' || c == '.')
                {
                    break;
                }
                words += 1;
                last_end = Some(end + core.len());
                if core.len() < w.len() || w_len == rest.len() {
                    break;
                }
                end += w_len + 1;
            }
            if let (true, Some(e)) = (boundary, last_end) {
                spans.push((start, e, El::new("persName")));
                from = e;
            } else {
                from = start + title.len();
            }
        }
    }
}

/// `from PYONGYANG sent at …`, `arrived in the X at …`: places and organisations.
fn place_spans(t: &str, spans: &mut Vec<(usize, usize, El)>) {
    // ASCII lower-casing keeps byte offsets valid for `t`.
    let lower = t.to_ascii_lowercase();
    for kw in [
        "from ",
        "arrived in the ",
        "arrived in ",
        "received in the ",
        "received in ",
        "in ",
    ] {
        let at = if lower.starts_with(kw) {
            Some(0)
        } else {
            lower.find(&format!(" {kw}")).map(|p| p + 1)
        };
        let Some(at) = at else { continue };
        let s = at + kw.len();
        let rest = &t[s..];
        let e = [" sent", " at ", " on ", ",", " received", " to "]
            .iter()
            .filter_map(|m| rest.find(m))
            .min()
            .unwrap_or(rest.len());
        let name = rest[..e].trim_end();
        if name.is_empty() || !name.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()) {
            continue;
        }
        let nl = name.to_lowercase();
        let is_org = ORG_WORDS
            .iter()
            .any(|w| nl.split(|c: char| !c.is_alphabetic()).any(|x| x == *w));
        if !is_org && (name.chars().any(|c| c.is_ascii_digit()) || word_count(name) > 4) {
            continue;
        }
        let el = El::new(if is_org { "orgName" } else { "placeName" });
        spans.push((s, s + name.len(), el));
        break;
    }
}

/// `Port Ellery, 3 October 1958`: one to three capitalised words before a comma that is
/// followed by a date are the place of writing.
fn leading_place(t: &str, spans: &mut Vec<(usize, usize, El)>) {
    let lead = t.len() - t.trim_start().len();
    let Some(comma) = t.find(',') else { return };
    let name = t[lead..comma].trim_end();
    let after = t[comma + 1..].trim_start();
    let words: Vec<&str> = name.split_whitespace().collect();
    let dated = after.starts_with(|c: char| c.is_ascii_digit())
        || crate::dates::find(after)
            .first()
            .is_some_and(|d| d.start == 0);
    let ok = (1..=3).contains(&words.len())
        && dated
        && words.iter().all(|w| {
            w.starts_with(char::is_uppercase) && w.chars().all(|c| c.is_alphabetic() || c == '-')
        })
        && crate::dates::find(name).is_empty()
        && spans.iter().all(|s| s.0 >= comma);
    if ok {
        spans.push((lead, lead + name.len(), El::new("placeName")));
    }
}

/// `(2)` or `- 2` at the end of a distribution entry.
fn quantity(s: &str) -> Option<String> {
    let t = s.trim().trim_end_matches([',', ';']);
    if let Some(inner) = t.strip_suffix(')') {
        let open = inner.rfind('(')?;
        let n = inner[open + 1..].trim();
        return (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then(|| n.to_string());
    }
    let (_, n) = t.rsplit_once(" - ")?;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then(|| n.trim().to_string())
}

/// Net depth of brackets still open at the end of `t`.
fn open_depth(t: &str) -> i64 {
    depth_through(t, 0)
}

fn depth_through(t: &str, mut d: i64) -> i64 {
    for b in t.bytes() {
        match b {
            b'[' => d += 1,
            b']' => d = (d - 1).max(0),
            _ => {}
        }
    }
    d
}

/// The single bracket that makes up a whole item, if it is one.
fn bracket_only(toks: &[Tok]) -> Option<&Bracket> {
    // Units end at their last non-blank character, so no white space can follow the bracket;
    // leading indentation is a text token, which makes the unit ordinary text.
    match toks {
        [Tok::Br(b)] => Some(b),
        _ => None,
    }
}

/// Some(true) when the item ends with a bracket describing a signature (`[illegible signature]`).
fn signature_bracket(src: &str, toks: &[Tok]) -> Option<bool> {
    let last = toks
        .iter()
        .rev()
        .find(|t| !matches!(t, Tok::Text(a, b) if src[*a..*b].trim().is_empty()))?;
    match last {
        Tok::Br(b) => Some(b.inner(src).to_lowercase().contains("signature")),
        _ => None,
    }
}

/// Items that start a letter: a salutation and the short address/date lines just before it.
fn letter_starts(items: &[Item]) -> HashSet<usize> {
    let mut out = HashSet::new();
    for (i, it) in items.iter().enumerate() {
        if !matches!(it.shape, Shape::Salute | Shape::SaluteWord) {
            continue;
        }
        let mut k = i;
        while k > 0 && i - k < 4 && matches!(items[k - 1].shape, Shape::Short | Shape::Date) {
            k -= 1;
        }
        // Directly under a document head the salutation belongs to that document's opener.
        if k > 0
            && matches!(
                items[k - 1].shape,
                Shape::Head { .. } | Shape::Routing | Shape::Seg(_)
            )
        {
            continue;
        }
        out.insert(k);
    }
    out
}

fn next_is_end(items: &[Item], i: usize) -> bool {
    match items.get(i + 1) {
        None => true,
        Some(n) => !matches!(n.shape, Shape::Prose),
    }
}

/// A Latin word that reads as a transliteration (Russian-style consonant clusters or endings).
fn looks_transliterated(w: &str) -> bool {
    if w.len() < 4
        || !w
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '\'' || c == '-')
    {
        return false;
    }
    let clusters = ["kh", "zh", "shch", "ts", "yu", "ya", "iy", "yy", "yi", "'"];
    let endings = [
        "ye", "sti", "tsya", "ogo", "ego", "aya", "oye", "iye", "ykh", "ikh", "ov", "ev", "ala",
        "ili", "yat", "ut", "it'", "at'",
    ];
    let common = [
        "about", "also", "that", "this", "with", "have", "they", "their", "them", "would",
        "should", "could", "your", "will", "into",
    ];
    !common.contains(&w)
        && (clusters.iter().any(|c| w.contains(c)) || endings.iter().any(|e| w.ends_with(e)))
}

/// For an item opening a quotation (`“…`) that does not close in it, the index of the item
/// that closes it.
fn quote_end(src: &str, items: &[Item], i: usize) -> Option<usize> {
    let t = src[items[i].start..items[i].end].trim();
    let open = t.starts_with('“') || t.starts_with('"') || t.starts_with('«');
    if !open || closes_quote(t, true) {
        return None;
    }
    for (k, it) in items.iter().enumerate().skip(i + 1).take(400) {
        let u = src[it.start..it.end].trim();
        if u.starts_with('“') || u.starts_with('«') {
            return None;
        }
        if closes_quote(u, false) {
            return Some(k);
        }
    }
    None
}

fn closes_quote(t: &str, same_item: bool) -> bool {
    let t = t.trim_end().trim_end_matches([']', ')', '.', ',']);
    let ends = t.ends_with('”')
        || t.ends_with('»')
        || (t.ends_with('"') && (!same_item || t.matches('"').count() >= 2));
    if same_item {
        ends && t.chars().count() > 1
    } else {
        ends
    }
}

fn start_div(divs: &mut Vec<El>, div: &mut DivB, kind: &str) {
    let old = std::mem::replace(div, DivB::new(kind));
    if !old.is_empty() {
        divs.push(old.el);
    }
}
