//! Shape rules: what a unit looks like, from its text alone (length, capitalisation,
//! punctuation and keyword classes), never from the words of one particular document.

use crate::profile::Vocab;

/// What a unit looks like on its own; position decides the rest (see `model`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A document type line (`CABLE Nº 600308/sh`): the div type, and the number's byte range
    /// relative to the unit text.
    Head {
        kind: String,
        number: Option<(usize, usize)>,
    },
    /// `from …`, `sent at …`, `received at …`, `arrived in … at …` with a date or time.
    Routing,
    /// A transmission/priority/classification line (`by wire`, `extremely urgent`, `SECRET`).
    Seg(&'static str),
    /// A salutation word alone (`DEAR`), continued by a name on the next line.
    SaluteWord,
    /// A salutation (`Dear Comrade Stalin!`).
    Salute,
    /// A complimentary close (`Sincerely,`, `With communist greetings,`).
    Close,
    /// A line of names in capitals (`SHTYKOV`, `KIM IL SUNG, PAK HEON-YEONG`).
    Names,
    /// A date alone.
    Date,
    /// `Copy Nº 1 to …`, with the copy number.
    Copy(String),
    /// Registration and clerical lines (`attachment on four sheets`, `Nº 1351`, `Typed by …`).
    Registration,
    /// `Sent by … at …` after the text.
    Transmission,
    /// `Copies: A (2), B, C` / `Distribution list - 9 copies: …`.
    InlineDistribution,
    /// `[1] …` at the start of a unit: a footnote's text.
    FootnoteText(String),
    /// Ordinary prose: long, or a full sentence.
    Prose,
    /// A short line that is none of the above.
    Short,
}

const DOC_TYPES: &[(&str, &str)] = &[
    ("ciphered telegram", "telegram"),
    ("cipher telegram", "telegram"),
    ("outgoing telegram", "telegram"),
    ("incoming telegram", "telegram"),
    ("telegram", "telegram"),
    ("cablegram", "cable"),
    ("cable", "cable"),
    ("radiogram", "telegram"),
    ("telephonogram", "telegram"),
    ("record of conversation", "conversation"),
    ("record of a conversation", "conversation"),
    ("memorandum of conversation", "conversation"),
    ("memorandum", "memorandum"),
    ("memo", "memorandum"),
    ("aide-memoire", "memorandum"),
    ("letter", "letter"),
    ("report", "report"),
    ("minutes", "minutes"),
    ("protocol", "minutes"),
    ("transcript", "minutes"),
    ("directive", "directive"),
    ("instructions", "directive"),
    ("instruction", "directive"),
    ("resolution", "resolution"),
    ("decision", "resolution"),
    ("decree", "resolution"),
    ("note", "note"),
    ("message", "message"),
    ("dispatch", "dispatch"),
    ("despatch", "dispatch"),
    ("journal", "journal"),
    ("diary", "journal"),
    ("information", "report"),
    ("summary", "report"),
    ("statement", "statement"),
    ("order", "order"),
];

const NUMBER_MARKS: &[&str] = &[
    "Nº", "№", "No.", "No", "NO.", "NO", "N", "#", "Number", "NUMBER", "nº", "no.",
];

const PRIORITY: &[&str] = &[
    "urgent",
    "extremely urgent",
    "very urgent",
    "most urgent",
    "urgently",
    "immediate",
    "most immediate",
    "priority",
    "top priority",
    "flash",
    "operational priority",
    "out of turn",
];

const CLASSIFICATION: &[&str] = &[
    "secret",
    "top secret",
    "strictly secret",
    "confidential",
    "strictly confidential",
    "restricted",
    "unclassified",
    "for official use only",
    "personal",
    "personal and confidential",
    "special file",
    "of special importance",
    "eyes only",
    "not for publication",
    "copying prohibited",
    "copying is prohibited",
    "not to be copied",
    "copying forbidden",
];

const TRANSMISSION: &[&str] = &[
    "by wire",
    "by telegraph",
    "by cable",
    "by courier",
    "by radio",
    "by post",
    "by mail",
    "by air mail",
    "by diplomatic pouch",
    "by pouch",
    "by hand",
    "by telephone",
    "by teletype",
    "by special courier",
    "via diplomatic pouch",
];

const ROUTING_STARTS: &[&str] = &[
    "from ",
    "from:",
    "sent:",
    "received:",
    "dispatched:",
    "date:",
    "dated ",
    "sent ",
    "received ",
    "arrived ",
    "dispatched ",
    "despatched ",
    "transmitted ",
    "delivered ",
    "deciphered ",
    "filed ",
];

const SALUTE_STARTS: &[&str] = &[
    "dear ",
    "my dear ",
    "esteemed ",
    "respected ",
    "honoured ",
    "honored ",
    "gentlemen",
    "sir,",
    "sir!",
    "sirs,",
    "madam,",
    "comrade ",
    "comrades",
];

const SALUTE_WORDS: &[&str] = &["dear", "my dear", "dear comrade", "esteemed", "respected"];

const CLOSE_STARTS: &[&str] = &[
    "sincerely",
    "yours sincerely",
    "yours faithfully",
    "yours truly",
    "yours respectfully",
    "very truly yours",
    "respectfully",
    "respectfully yours",
    "faithfully",
    "cordially",
    "with respect",
    "with deep respect",
    "with greetings",
    "with communist greetings",
    "with comradely greetings",
    "with fraternal greetings",
    "with best regards",
    "with best wishes",
    "with kind regards",
    "best regards",
    "kind regards",
    "regards",
    "with regards",
    "with warm greetings",
    "with sincere respect",
    "yours",
];

const REGISTRATION_WORDS: &[&str] = &[
    "attachment",
    "attachments",
    "enclosure",
    "enclosures",
    "appendix",
    "copies printed",
    "copies made",
    "copies typed",
    "copy printed",
    "printed in",
    "typed by",
    "typed in",
    "typed:",
    "printed by",
    "deciphered by",
    "decoded by",
    "decrypted by",
    "verified by",
    "checked by",
    "copied by",
    "sent in one copy",
    "to file",
    "to the file",
    "file nº",
    "file no",
    "on sheets",
    "sheets",
    "pages",
    "incoming nº",
    "incoming no",
    "outgoing nº",
    "outgoing no",
    "registration",
    "reg. nº",
    "reg. no",
];

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The text without a trailing period, colon or comma, lower-cased.
fn key(s: &str) -> String {
    s.trim()
        .trim_end_matches(['.', ':', ',', ';', '!'])
        .trim()
        .to_lowercase()
}

/// Letters of the text are mostly capitals (at least 80 % of at least two letters).
pub(crate) fn mostly_upper(s: &str) -> bool {
    let (mut up, mut low) = (0, 0);
    for c in s.chars() {
        if c.is_uppercase() {
            up += 1;
        } else if c.is_lowercase() {
            low += 1;
        }
    }
    up >= 2 && up * 5 >= (up + low) * 4
}

/// Ends a sentence: `.`, `!`, `?`, `:` , `;` or a closing quote/bracket after one.
pub(crate) fn ends_sentence(s: &str) -> bool {
    let t = s
        .trim_end()
        .trim_end_matches(['"', '”', '’', '»', '\'', ')', ']']);
    t.ends_with(['.', '!', '?', ':', ';', '…'])
}

/// Starts with a lower-case letter (after opening punctuation).
pub(crate) fn starts_lower(s: &str) -> bool {
    s.trim_start()
        .chars()
        .find(|c| c.is_alphanumeric())
        .is_some_and(|c| c.is_lowercase())
}

pub(crate) fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// A number marker (`Nº`, `No.`, `№` …) followed by a number: the number's byte range.
pub(crate) fn number_after_mark(s: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    let words: Vec<(usize, &str)> = s
        .split(' ')
        .map(|w| {
            let r = (offset, w);
            offset += w.len() + 1;
            r
        })
        .collect();
    for (i, &(at, w)) in words.iter().enumerate() {
        // `Nº600308` written together.
        for m in ["Nº", "№", "No."] {
            if let Some(rest) = w.strip_prefix(m) {
                if rest.starts_with(|c: char| c.is_ascii_digit()) {
                    return Some((at + m.len(), at + w.len()));
                }
            }
        }
        if NUMBER_MARKS.contains(&w) {
            if let Some(&(nat, nw)) = words.get(i + 1) {
                let nw = nw.trim_end_matches([',', ';', '.', ')', ':']);
                if nw.starts_with(|c: char| c.is_ascii_digit()) {
                    return Some((nat, nat + nw.len()));
                }
            }
        }
    }
    None
}

/// The text with bracketed insertions removed (`FYN-SI [Stalin]` → `FYN-SI`), for shape tests.
pub(crate) fn without_brackets(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut depth = 0usize;
    for c in t.chars() {
        match c {
            '[' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_names_line(t: &str) -> bool {
    if t.is_empty() || t.chars().count() > 70 || t.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    if !mostly_upper(t) || ends_sentence(t) && !t.ends_with('.') {
        return false;
    }
    let n = word_count(t);
    (1..=10).contains(&n)
        && t.chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | ',' | '-' | '.' | '\'' | '’'))
}

/// Classifies one unit's text (already trimmed; brackets included).
pub(crate) fn shape(t: &str, v: &Vocab) -> Shape {
    let t = t
        .trim()
        .trim_start_matches(['“', '"', '«', '„'])
        .trim_end_matches(['”', '"', '»', '“']);
    let k = key(t);
    let len = t.chars().count();
    let words = word_count(t);
    // Footnote text: `[1] …`
    if let Some(rest) = t.strip_prefix('[') {
        if let Some(close) = rest.find(']') {
            let n = &rest[..close];
            if !n.is_empty()
                && n.len() <= 3
                && n.bytes().all(|b| b.is_ascii_digit())
                && rest.len() > close + 1
            {
                return Shape::FootnoteText(n.to_string());
            }
        }
    }
    if len <= 80 && (!t.ends_with('.') || number_after_mark(t).is_some()) {
        if let Some(kind) = head_kind(t, v) {
            return Shape::Head {
                kind,
                number: number_after_mark(t),
            };
        }
    }
    if len <= SHORT_KEYWORD {
        if PRIORITY.contains(&k.as_str()) {
            return Shape::Seg("priority");
        }
        if CLASSIFICATION.contains(&k.as_str()) {
            return Shape::Seg("classification");
        }
        if TRANSMISSION.contains(&k.as_str()) {
            return Shape::Seg("transmission");
        }
    }
    if let Some(n) = copy_number(t) {
        return Shape::Copy(n);
    }
    let profile_routing = v.routing.iter().any(|w| {
        starts_with_ci(t, w)
            && t[w.len()..]
                .chars()
                .next()
                .is_some_and(|c| c == ' ' || c == ':')
    });
    if len <= 160 && (ROUTING_STARTS.iter().any(|p| starts_with_ci(t, p)) || profile_routing) {
        let has_when = t.chars().any(|c| c.is_ascii_digit());
        if starts_with_ci(t, "sent by ")
            || starts_with_ci(t, "transmitted by ")
            || starts_with_ci(t, "dispatched by ")
        {
            if has_when {
                return Shape::Transmission;
            }
        } else if has_when && !ends_sentence(t)
            || has_when && t.ends_with('.') && words <= 14
            || starts_with_ci(t, "from") && words <= 5 && !ends_sentence(t)
        {
            return Shape::Routing;
        }
    }
    if len <= 40 && SALUTE_WORDS.contains(&k.as_str()) {
        return Shape::SaluteWord;
    }
    if len <= 60
        && words <= 9
        && (SALUTE_STARTS.iter().any(|p| starts_with_ci(t, p))
            || v.salutations.iter().any(|p| starts_with_ci(t, p)))
        && (t.ends_with([',', '!', ':']) || !ends_sentence(t))
        && !t.contains(". ")
        && (!starts_with_ci(t, "comrade") || t.ends_with([',', '!', ':']))
    {
        return Shape::Salute;
    }
    if len <= 100
        && CLOSE_STARTS
            .iter()
            .copied()
            .chain(v.closings.iter().map(String::as_str))
            .any(|p| {
                starts_with_ci(t, p)
                    && t[p.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_alphanumeric())
            })
    {
        return Shape::Close;
    }
    if len <= 40 {
        let ds = crate::dates::find(t);
        if let [d] = ds.as_slice() {
            let rest = format!("{}{}", &t[..d.start], &t[d.end..]);
            let rest = rest.trim_matches(|c: char| {
                c.is_whitespace() || matches!(c, ',' | '.' | '-' | '—' | '(' | ')')
            });
            if rest.is_empty() || (word_count(rest) <= 2 && !ends_sentence(t)) {
                return Shape::Date;
            }
        }
    }
    if len <= 120
        && (starts_with_ci(t, "copies:")
            || starts_with_ci(t, "copies -")
            || starts_with_ci(t, "cc:")
            || starts_with_ci(t, "copy to:")
            || starts_with_ci(t, "copies to:")
            || starts_with_ci(t, "distribution"))
        && t.contains([',', ':'])
    {
        return Shape::InlineDistribution;
    }
    if len <= 100 && (!t.ends_with('.') || words <= 6) {
        let lower = t.to_lowercase();
        let is_reg = REGISTRATION_WORDS
            .iter()
            .any(|w| lower.starts_with(w) || lower.contains(&format!(" {w}")))
            || (number_after_mark(t).is_some()
                && words <= 4
                && NUMBER_MARKS.iter().any(|m| t.starts_with(m)))
            || lower
                .split_whitespace()
                .next()
                .is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()))
                && (lower.contains(" copies") || lower.contains(" copy"));
        if is_reg {
            return Shape::Registration;
        }
    }
    if is_names_line(&without_brackets(t)) && head_kind(t, v).is_none() {
        return Shape::Names;
    }
    if len > SHORT_PROSE || (ends_sentence(t) && words >= 4 && !t.ends_with(':')) {
        return Shape::Prose;
    }
    Shape::Short
}

const SHORT_KEYWORD: usize = 40;
const SHORT_PROSE: usize = 80;

fn head_kind(t: &str, v: &Vocab) -> Option<String> {
    type_phrase(t, v).map(|(_, _, kind)| kind)
}

/// The document type phrase of a head line (`CIPHERED TELEGRAM`, `Record of Conversation`):
/// its byte range in `t` and the div type it gives. Profile types are tried first.
pub(crate) fn type_phrase(t: &str, v: &Vocab) -> Option<(usize, usize, String)> {
    let lower = t.to_lowercase();
    // Byte offsets of the lower-cased text are those of `t` only when lengths agree; else
    // the phrase range is empty.
    let same = lower.len() == t.len();
    let words = word_count(t);
    if words > 12 {
        return None;
    }
    let upper = mostly_upper(t);
    let numbered = number_after_mark(t).is_some();
    let builtin = DOC_TYPES.iter().map(|(w, k)| (*w, *k));
    let profile = v.doc_types.iter().map(|(w, k)| (w.as_str(), k.as_str()));
    for (w, kind) in profile.chain(builtin) {
        let Some(pos) = find_word(&lower, w) else {
            continue;
        };
        let first_words = word_count(&lower[..pos]);
        // `From the Journal of Ambassador …`
        if (lower.starts_with("from the journal") || lower.starts_with("from the diary"))
            && words <= 12
        {
            let at = lower
                .find("journal")
                .or_else(|| lower.find("diary"))
                .unwrap_or(0);
            let len = if lower[at..].starts_with("journal") {
                7
            } else {
                5
            };
            return Some(if same {
                (at, at + len, "journal".to_string())
            } else {
                (0, 0, "journal".to_string())
            });
        }
        let ok = if upper {
            // `COPY OF AN OUTGOING TELEGRAM`, `MEMORANDUM`, `RECORD OF CONVERSATION …`
            first_words <= 5
        } else {
            // `Cable Nº 12`, `Record of Conversation with …`
            pos == 0
                && t.starts_with(char::is_uppercase)
                && (numbered || title_case(t) || words <= 3)
        };
        if ok {
            return Some(if same {
                (pos, pos + w.len(), kind.to_string())
            } else {
                (0, 0, kind.to_string())
            });
        }
    }
    None
}

fn title_case(t: &str) -> bool {
    let small = [
        "of", "the", "a", "an", "with", "and", "to", "in", "on", "between", "from", "at", "by",
        "for",
    ];
    t.split_whitespace().all(|w| {
        small.contains(&w) || w.starts_with(|c: char| c.is_uppercase() || !c.is_alphabetic())
    })
}

/// Position of `w` in `s` as whole words.
fn find_word(s: &str, w: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = s[from..].find(w) {
        let at = from + p;
        let before = s[..at].chars().next_back();
        let after = s[at + w.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if boundary(before) && boundary(after) {
            return Some(at);
        }
        from = at + w.len();
    }
    None
}

/// `Copy Nº 3 to …` → `3`.
fn copy_number(t: &str) -> Option<String> {
    let rest = ["Copy ", "COPY ", "copy "]
        .iter()
        .find_map(|p| t.strip_prefix(p))?;
    let (start, end) = number_after_mark(rest)?;
    let before = rest[..start].trim();
    if !before.is_empty() && !NUMBER_MARKS.contains(&before) {
        return None;
    }
    let n = &rest[start..end];
    n.bytes().all(|b| b.is_ascii_digit()).then(|| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(t: &str) -> String {
        match shape(t, &Vocab::default()) {
            Shape::Head { kind, number } => format!(
                "head {kind} {}",
                number.map(|(a, b)| &t[a..b]).unwrap_or("-")
            ),
            Shape::Seg(s) => format!("seg {s}"),
            Shape::Copy(n) => format!("copy {n}"),
            Shape::FootnoteText(n) => format!("footnote {n}"),
            other => format!("{other:?}").to_lowercase(),
        }
    }

    #[test]
    fn header_lines() {
        assert_eq!(check("CABLE Nº 600308/sh"), "head cable 600308/sh");
        assert_eq!(check("CIPHERED TELEGRAM No. 12"), "head telegram 12");
        assert_eq!(check("MEMORANDUM"), "head memorandum -");
        assert_eq!(check("RECORD OF CONVERSATION"), "head conversation -");
        assert_eq!(
            check("Record of Conversation with Ambassador Li"),
            "head conversation -"
        );
        assert_eq!(check("COPY OF AN OUTGOING TELEGRAM"), "head telegram -");
        assert_eq!(
            check("from PYONGYANG sent at 2035 30 September 1950"),
            "routing"
        );
        assert_eq!(check("received at 2332 30 September"), "routing");
        assert_eq!(check("by wire"), "seg transmission");
        assert_eq!(check("Extremely Urgent"), "seg priority");
        assert_eq!(check("TOP SECRET"), "seg classification");
    }

    #[test]
    fn letter_lines() {
        assert_eq!(check("DEAR"), "saluteword");
        assert_eq!(check("Dear Comrade Stalin!"), "salute");
        assert_eq!(check("Dear Sir,"), "salute");
        assert_eq!(check("Sincerely, the CC of the Party"), "close");
        assert_eq!(check("With communist greetings,"), "close");
        assert_eq!(check("SHTYKOV"), "names");
        assert_eq!(check("KIM IL SUNG, PAK HEON-YEONG"), "names");
        assert_eq!(check("29 September 1950"), "date");
        assert_eq!(
            check("Dear Cde. STALIN! We are fully determined to overcome all the difficulties."),
            "prose"
        );
    }

    #[test]
    fn registration_lines() {
        assert_eq!(check("Copy Nº 1 to Cde. Stalin"), "copy 1");
        assert_eq!(check("Copy No 6 to Cde. Mikoyan"), "copy 6");
        assert_eq!(check("Copy № 9 to Cde. Gromyko"), "copy 9");
        assert_eq!(check("attachment on four sheets"), "registration");
        assert_eq!(check("Nº 1351"), "registration");
        assert_eq!(check("12 copies printed"), "registration");
        assert_eq!(check("Typed by Ivanova"), "registration");
        assert_eq!(
            check("Sent by Shcherbakova at 0145 1 October 1940 (26)"),
            "transmission"
        );
        assert_eq!(
            check("Copies: Stalin (2), Molotov, Malenkov"),
            "inlinedistribution"
        );
        assert_eq!(check("[1] See the cable of 2 May."), "footnote 1");
        assert_eq!(check("Moscow"), "short");
        assert_eq!(check("MINISTRY OF FOREIGN AFFAIRS"), "names");
        assert_eq!(check("FYN-SI [Stalin]"), "names");
    }
}
