//! Archive transcriptions → TEI P5 XML, and back.
//!
//! [`convert`] reads a plain-text transcription in the conventions of the `archive` profile
//! (cables, letters, memoranda, records of conversation with editorial square brackets) and
//! writes a TEI P5 document valid against `tei_all`. [`to_text`] turns that TEI back into the
//! transcription: for every input, `to_text(convert(x))` equals `x` after normalising line
//! endings and trailing white space (see [`normalize`]).
//!
//! ```
//! use teikit_convert::{convert, normalize, to_text, Options};
//!
//! let input = "CABLE Nº 12\n\nfrom MOSCOW sent at 1200 1 May 1951\n\nWe agree with your [proposal].\n\nIVANOV\n";
//! let out = convert(input.as_bytes(), &Options::default());
//! let tei = out.tei.expect("converted");
//! assert!(tei.contains("<idno type=\"cable\">12</idno>"));
//! assert!(tei.contains("<supplied reason=\"omitted\">proposal</supplied>"));
//! assert_eq!(to_text(&tei).unwrap(), normalize(input));
//! ```
//!
//! Pipeline (one module per stage, every stage keeps byte spans into the input):
//! `input` (decode) → `blocks` (lines, blocks, units) → `inline` (brackets) → `classify`
//! (shape rules) → `model` (joins, divs, leaves) → `header` → `tree` (quick-xml writer).
#![warn(missing_docs)]

mod blocks;
mod classify;
mod dates;
mod gazetteer;
mod header;
mod inline;
mod input;
mod manifest;
mod model;
mod ner;
mod profile;
mod text;
mod tree;

use teikit_diagnostics::{CodeDoc, Diagnostic, Severity};

pub use crate::manifest::{parse_manifest, Manifest, ManifestFormat};
pub use crate::profile::{parse_profile, BracketMeaning, Profile};
pub use crate::text::to_text;

/// Conversion options.
#[derive(Clone, Debug)]
pub struct Options {
    /// The input file's name, recorded in `sourceDesc` (and used for a default title).
    pub file_name: Option<String>,
    /// `xml:lang` of transliterated original-language words (`[otpala]`), e.g. `ru-Latn`.
    pub original_lang: String,
    /// Names from a user authority file (see [`load_authority`]): recognised wherever they
    /// occur, their id used as `xml:id`, their URI as `@sameAs` of the list entry.
    pub authority: Vec<Authority>,
    /// Metadata from a sidecar file (see [`parse_metadata`]): title, archive, shelfmark …
    pub metadata: Option<Metadata>,
    /// An archive's own words (see [`parse_profile`]): bracket keywords, titles, closing
    /// formulas, salutations, routing words, document types.
    pub profile: Option<Profile>,
}

/// What an authority entry names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityKind {
    /// A person (`persName`, `person` in `listPerson`).
    Person,
    /// A place (`placeName`, `place` in `listPlace`).
    Place,
    /// An organisation (`orgName`, `org` in `listOrg`).
    Org,
}

impl EntityKind {
    pub(crate) fn element(self) -> &'static str {
        match self {
            EntityKind::Person => "persName",
            EntityKind::Place => "placeName",
            EntityKind::Org => "orgName",
        }
    }
}

/// One line of a user authority file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authority {
    /// The name as it is written in transcriptions (matched case-insensitively).
    pub name: String,
    /// Person, place or organisation.
    pub kind: EntityKind,
    /// The `xml:id` of the list entry (an NCName).
    pub id: String,
    /// An optional URI (Wikidata, VIAF, GeoNames …).
    pub uri: Option<String>,
}

/// Reads an authority file: CSV or TSV (the separator is a tab when the first line has one),
/// columns `name, type (person|place|org), id[, URI]`; a first line `name,type,…` is a
/// header; blank lines and lines starting with `#` are skipped. Several names may share an
/// id (spelling variants). `path` names the file in diagnostics.
pub fn load_authority(text: &str, path: &str) -> Result<Vec<Authority>, Vec<Diagnostic>> {
    let tab = text.lines().next().is_some_and(|l| l.contains('\t'));
    let mut out = Vec::new();
    let mut errs = Vec::new();
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let l = line.trim_end_matches(['\n', '\r']);
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        let cols: Vec<String> = if tab {
            l.split('\t').map(|c| c.trim().to_string()).collect()
        } else {
            csv_fields(l)
        };
        if n == 0 && cols.first().is_some_and(|c| c.eq_ignore_ascii_case("name")) {
            continue;
        }
        let bad = |msg: String| {
            Diagnostic::error("convert/authority-line", msg)
                .with_label(
                    teikit_diagnostics::Span::new(start, l.len()),
                    path.to_string(),
                )
                .with_help("write `name,type,id[,uri]` with type person, place or org")
        };
        if cols.len() < 3 || cols[0].is_empty() {
            errs.push(bad(format!(
                "line {} needs at least name, type and id",
                n + 1
            )));
            continue;
        }
        let kind = match cols[1].to_ascii_lowercase().as_str() {
            "person" | "persname" | "people" => EntityKind::Person,
            "place" | "placename" => EntityKind::Place,
            "org" | "organisation" | "organization" | "orgname" => EntityKind::Org,
            other => {
                errs.push(bad(format!("line {}: unknown type `{other}`", n + 1)));
                continue;
            }
        };
        let id = &cols[2];
        let ncname = id
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && id
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !ncname {
            errs.push(bad(format!("line {}: `{id}` is not a valid xml:id", n + 1)));
            continue;
        }
        out.push(Authority {
            name: cols[0].clone(),
            kind,
            id: id.clone(),
            uri: cols.get(3).filter(|u| !u.is_empty()).cloned(),
        });
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(errs)
    }
}

fn csv_fields(l: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = l.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    out
}

/// Document metadata from a sidecar (`NAME.meta.toml` or `NAME.meta.json`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// The title (replaces the one derived from the text).
    pub title: Option<String>,
    /// The holding archive (`msIdentifier/repository`).
    pub archive: Option<String>,
    /// The archive's settlement (`msIdentifier/settlement`).
    pub settlement: Option<String>,
    /// The collection or fond (`msIdentifier/collection`).
    pub collection: Option<String>,
    /// The shelfmark (`msIdentifier/idno`).
    pub shelfmark: Option<String>,
    /// The language of the transcription (`xml:lang` of `TEI`, a BCP 47 tag).
    pub language: Option<String>,
    /// The translator (a `respStmt` in `titleStmt`).
    pub translator: Option<String>,
    /// The licence text or URL (`availability/licence`).
    pub licence: Option<String>,
}

/// Parses a metadata sidecar: TOML when `is_toml`, else JSON. Unknown keys are errors.
pub fn parse_metadata(text: &str, is_toml: bool) -> Result<Metadata, Vec<Diagnostic>> {
    let res: Result<Metadata, (String, Option<std::ops::Range<usize>>)> = if is_toml {
        toml::from_str(text).map_err(|e| (e.message().to_string(), e.span()))
    } else {
        serde_json::from_str(text).map_err(|e| {
            let at = line_col_offset(text, e.line(), e.column());
            (e.to_string(), Some(at..at))
        })
    };
    res.map_err(|(msg, span)| {
        let mut d = Diagnostic::error("convert/metadata", format!("metadata sidecar: {msg}"))
            .with_help("keys: title, archive, settlement, collection, shelfmark, language, translator, licence");
        if let Some(r) = span {
            d = d.with_label(teikit_diagnostics::Span::new(r.start, r.end - r.start), "here");
        }
        vec![d]
    })
}

pub(crate) fn line_col_offset(text: &str, line: usize, col: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return (off + col.saturating_sub(1)).min(text.len());
        }
        off += l.len();
    }
    text.len()
}

impl Default for Options {
    fn default() -> Options {
        Options {
            file_name: None,
            original_lang: "ru-Latn".to_string(),
            authority: Vec::new(),
            metadata: None,
            profile: None,
        }
    }
}

/// The result of [`convert`].
#[derive(Clone, Debug)]
pub struct Conversion {
    /// The TEI document; `None` when the input cannot be converted (binary, empty).
    pub tei: Option<String>,
    /// What the converter decided or could not do; spans are byte offsets into the input.
    pub diagnostics: Vec<Diagnostic>,
}

/// Converts a transcription to TEI P5.
pub fn convert(input: &[u8], options: &Options) -> Conversion {
    let mut diagnostics = Vec::new();
    let Ok(decoded) = input::decode(input, &mut diagnostics) else {
        return Conversion {
            tei: None,
            diagnostics,
        };
    };
    let text = decoded.text;
    if text[decoded.start..].trim().is_empty() {
        diagnostics.push(
            Diagnostic::error("convert/empty-input", "the transcription is empty")
                .with_label(
                    teikit_diagnostics::Span::new(0, input.len()),
                    "nothing but white space",
                )
                .with_help("convert a file that contains the transcribed text"),
        );
        return Conversion {
            tei: None,
            diagnostics,
        };
    }
    let layout = blocks::layout(text, decoded.start);
    let builder = model::Builder::new(text, options, layout.line_mode);
    let (mut built, diags) = builder.build(&layout);
    diagnostics.extend(diags);
    // The document's own date: its routing/dateline date, else a date line at the top. A
    // journal covers many days: its entries are not measured against its first date.
    let journal = built.facts.kind.as_deref() == Some("journal");
    let doc_date = built
        .facts
        .sent_when
        .as_ref()
        .map(|(when, _)| when.as_str())
        .or(built.facts.top_date.as_deref())
        .and_then(parse_ymd)
        .filter(|_| !journal);
    let (entities, date_warnings) = ner::annotate(
        &mut built.divs,
        &ner::Context {
            authority: &options.authority,
            doc_date,
            extra_titles: options
                .profile
                .as_ref()
                .map_or(&[][..], |p| p.titles.as_slice()),
        },
    );
    implausible_dates(text, decoded.start, &date_warnings, &mut diagnostics);
    built.facts.first_date = ner::first_full_date(&built.divs);
    built.facts.letter = built
        .divs
        .iter()
        .any(|d| d.attrs.iter().any(|(k, v)| *k == "type" && v == "letter"));
    let header = header::header(
        &built.facts,
        &entities,
        options,
        layout.line_mode,
        &mut diagnostics,
    );
    let mut body = tree::El::new("body");
    for d in built.divs {
        body.push(d);
    }
    let tei = tree::El::new("TEI")
        .attr("xmlns", "http://www.tei-c.org/ns/1.0")
        .attr(
            "xml:lang",
            options
                .metadata
                .as_ref()
                .and_then(|m| m.language.clone())
                .unwrap_or_else(|| "en".to_string()),
        )
        .child(header)
        .child(tree::El::new("text").child(body));
    diagnostics.sort_by_key(|d| d.primary_span().map(|s| s.offset).unwrap_or(usize::MAX));
    Conversion {
        tei: Some(tree::write_document(&tei)),
        diagnostics,
    }
}

/// `1950-09-30` or `1950-09-30T20:35:00` → (1950, 9, 30).
fn parse_ymd(when: &str) -> Option<(i32, u32, u32)> {
    let y = when.get(..4)?.parse().ok()?;
    let m = when.get(5..7)?.parse().ok()?;
    let d = when.get(8..10)?.parse().ok()?;
    (when.as_bytes().get(4) == Some(&b'-')).then_some((y, m, d))
}

/// Turns the converter's implausible-date findings into warnings with spans in the input: the
/// text nodes are visited in input order, so each is looked for after the previous one.
fn implausible_dates(
    text: &str,
    start: usize,
    found: &[ner::DateWarning],
    diags: &mut Vec<Diagnostic>,
) {
    let mut cursor = start;
    for w in found {
        let date = &w.node[w.start..w.end];
        let at = text[cursor..]
            .find(w.node.as_str())
            .map(|p| cursor + p + w.start)
            .or_else(|| text[cursor..].find(date).map(|p| cursor + p));
        let mut d = Diagnostic::warning(
            "convert/implausible-date",
            format!("the date `{date}` is implausible here: {}", w.why),
        )
        .with_help(
            "the date is tagged as written, without a normalised value; check it against the original",
        );
        if let Some(at) = at {
            d = d.with_label(
                teikit_diagnostics::Span::new(at, date.len()),
                "kept as written, no @when",
            );
            cursor = at;
        }
        diags.push(d);
    }
}

/// The normal form the round trip is exact for: line endings as `\n`, no white space at the
/// end of a line, no blank lines at the end, one final newline (none for empty text), and no
/// byte-order mark.
pub fn normalize(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = String::with_capacity(text.len() + 1);
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    for line in unified.split('\n') {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let trimmed = out.trim_end_matches('\n').len();
    out.truncate(trimmed);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Every diagnostic code this crate emits.
pub static CODES: &[CodeDoc] = &[
    CodeDoc {
        code: "convert/binary-input",
        severity: Severity::Error,
        summary: "the input contains NUL bytes: it is not a text transcription",
        example: "a PDF or Word file given to `teikit convert`",
        fix: "export the transcription as plain UTF-8 text",
    },
    CodeDoc {
        code: "convert/invalid-utf8",
        severity: Severity::Error,
        summary: "the input is not valid UTF-8",
        example: "a Latin-1 file with `Nº` written as byte 0xBA",
        fix: "re-save the transcription as UTF-8",
    },
    CodeDoc {
        code: "convert/control-character",
        severity: Severity::Error,
        summary: "the input contains a control character that XML 1.0 cannot represent",
        example: "a form feed (U+000C) between pages",
        fix: "remove the character or replace it by a blank line",
    },
    CodeDoc {
        code: "convert/byte-order-mark",
        severity: Severity::Info,
        summary: "a UTF-8 byte-order mark at the start is dropped",
        example: "a file saved by Notepad",
        fix: "nothing to do",
    },
    CodeDoc {
        code: "convert/empty-input",
        severity: Severity::Error,
        summary: "the transcription is empty or only white space; no TEI is written",
        example: "an empty file",
        fix: "convert a file that contains text",
    },
    CodeDoc {
        code: "convert/unclosed-bracket",
        severity: Severity::Warning,
        summary: "an editorial bracket is never closed; it is closed at the end of its block",
        example: "[handwritten: approved",
        fix: "add the missing `]`",
    },
    CodeDoc {
        code: "convert/bracket-spans-blocks",
        severity: Severity::Info,
        summary: "an open bracket continues over a blank line: the following block is read as part of it",
        example: "[handwritten above the form: sent to\n\nto Cde. Stalin",
        fix: "close the bracket where the insertion ends",
    },
    CodeDoc {
        code: "convert/unmatched-close-bracket",
        severity: Severity::Warning,
        summary: "a `]` closes no bracket; it is kept as text",
        example: "the troops] advanced",
        fix: "add the missing `[` or remove the `]`",
    },
    CodeDoc {
        code: "convert/page-break",
        severity: Severity::Warning,
        summary: "a paragraph ends mid-sentence and the next block continues it: encoded as one paragraph with <pb/>",
        example: "…waging street battles right in\n\nthe city of Seoul.",
        fix: "if these are two paragraphs, end the first with punctuation",
    },
    CodeDoc {
        code: "convert/line-joined",
        severity: Severity::Info,
        summary: "in a transcription without blank lines, a line that does not end a sentence is joined with the next (<lb/>)",
        example: "We request your\ninstructions.",
        fix: "nothing to do if the lines belong together",
    },
    CodeDoc {
        code: "convert/signature",
        severity: Severity::Info,
        summary: "a line after the text is read as a signature (<closer><signed>)",
        example: "SHTYKOV",
        fix: "nothing to do if it is a signature",
    },
    CodeDoc {
        code: "convert/date-far",
        severity: Severity::Warning,
        summary: "a date's year is far from the document's other dates; it is kept as written",
        example: "Sent at 0145 1 October 1940 (in a 1950 cable)",
        fix: "check the transcription against the original",
    },
    CodeDoc {
        code: "convert/implausible-date",
        severity: Severity::Warning,
        summary: "a date in running text is impossible (31 September) or implausible for this document (a date with a time of day more than a month from the document's date, or an event told in the past tense more than a week after it); it is tagged as written, without @when/@from/@to",
        example: "Received at 0930 1 October 1940. (in a cable dated 30 September 1950)",
        fix: "check the transcription against the original and correct the typing error",
    },
    CodeDoc {
        code: "convert/bare-marker",
        severity: Severity::Info,
        summary: "a `[?]` or `[sic]` marker follows no word; it is kept as an editorial note",
        example: "[sic] at the start of a line",
        fix: "put the marker right after the word it qualifies",
    },
    CodeDoc {
        code: "convert/original-language",
        severity: Severity::Info,
        summary: "a single bracketed word that looks transliterated is read as the original-language form of the word before it",
        example: "the unit has fallen [otpala] away",
        fix: "nothing to do if it is the original word; otherwise rephrase the bracket",
    },
    CodeDoc {
        code: "convert/footnote-unresolved",
        severity: Severity::Info,
        summary: "a footnote marker `[n]` has no footnote text `[n] …`",
        example: "as agreed [3].",
        fix: "add the note text at the end, starting with `[3] `",
    },
    CodeDoc {
        code: "convert/duplicate-footnote",
        severity: Severity::Warning,
        summary: "two footnote texts have the same number",
        example: "[1] First.\n\n[1] Second.",
        fix: "renumber the notes",
    },
    CodeDoc {
        code: "convert/default-title",
        severity: Severity::Warning,
        summary: "no document type line was found; the header title is a default",
        example: "a transcription that starts with prose",
        fix: "add a line such as `MEMORANDUM` or `CABLE Nº 12`, or a metadata sidecar",
    },
    CodeDoc {
        code: "convert/authority-line",
        severity: Severity::Error,
        summary: "a line of an authority file is not `name,type,id[,uri]` with a known type and an NCName id",
        example: "Stalin,human,stalin",
        fix: "use the type person, place or org and an id that starts with a letter",
    },
    CodeDoc {
        code: "convert/metadata",
        severity: Severity::Error,
        summary: "a metadata sidecar is not valid TOML/JSON or has an unknown key",
        example: "titel = \"Cable 12\"",
        fix: "use the keys title, archive, settlement, collection, shelfmark, language, translator, licence",
    },
    CodeDoc {
        code: "convert/manifest",
        severity: Severity::Error,
        summary: "a batch manifest (CSV/TSV with a header row, or JSON keyed by file name) has an unknown column or key, no file column, a repeated or empty file name, or a syntax error",
        example: "file,titel\ncable-12.txt,Cable 12",
        fix: "use the columns file, title, archive, settlement, collection, shelfmark, language, translator, licence",
    },
    CodeDoc {
        code: "convert/profile",
        severity: Severity::Error,
        summary: "a conversion profile is not valid TOML, has an unknown key or bracket meaning, or a document type that is not one lower-case word",
        example: "closings = [\"Mit Gruß\"]  (the key is closing_formulas)",
        fix: "use the keys name, bracket_keywords, titles, closing_formulas, salutations, routing_words, document_types (see samples/profile-example.toml)",
    },
    CodeDoc {
        code: "convert/not-xml",
        severity: Severity::Error,
        summary: "`teikit text` was given a file that is not well-formed XML",
        example: "<TEI><text>",
        fix: "give it a file written by `teikit convert`",
    },
    CodeDoc {
        code: "convert/too-deep",
        severity: Severity::Error,
        summary: "`teikit text` was given XML nested deeper than any file `teikit convert` writes",
        example: "<TEI><text><body><p><hi><hi><hi>… (thousands deep)",
        fix: "give it a file written by `teikit convert`",
    },
    CodeDoc {
        code: "convert/not-teikit-tei",
        severity: Severity::Error,
        summary: "`teikit text` was given XML without a TEI <text><body>",
        example: "<html/>",
        fix: "give it a file written by `teikit convert`",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_rules() {
        assert_eq!(normalize("a \r\nb\t\r\n\n\n"), "a\nb\n");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("\u{feff}x"), "x\n");
    }

    #[test]
    fn authority_files() {
        let a = load_authority(
            "name,type,id,uri\n# comment\nFilippov,person,stalin,https://www.wikidata.org/wiki/Q855\n\"Otpor, station\",place,otpor\n",
            "names.csv",
        )
        .unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].kind, EntityKind::Person);
        assert_eq!(a[1].name, "Otpor, station");
        let t = load_authority("Zabaikalsk\tplace\tzab\n", "x.tsv").unwrap();
        assert_eq!(t[0].id, "zab");
        let e = load_authority("ok,person,ok\nbad,thing,x\nx,person,1d\n", "f.csv").unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].code, "convert/authority-line");
        assert_eq!(e[0].primary_span().unwrap().offset, 13);

        let input = "MEMO\n\nWe met Filippov and the chief of Otpor, station today.\n";
        let out = convert(
            input.as_bytes(),
            &Options {
                authority: a,
                ..Options::default()
            },
        );
        let tei = out.tei.unwrap();
        assert!(
            tei.contains(r##"<persName ref="#stalin">Filippov</persName>"##),
            "{tei}"
        );
        assert!(
            tei.contains(r##"<placeName ref="#otpor">Otpor, station</placeName>"##),
            "{tei}"
        );
        assert!(
            tei.contains(r#"<person xml:id="stalin" sameAs="https://www.wikidata.org/wiki/Q855">"#),
            "{tei}"
        );
        assert_eq!(to_text(&tei).unwrap(), normalize(input));
    }

    #[test]
    fn implausible_dates_are_warned_with_their_span() {
        let input = "CABLE Nº 5\n\nfrom SOFIA sent at 1200 3 May 1950\n\nThe troops crossed the river on 20 May 1950. Received at 0930 1 May 1940. It was 31 April.\n\nBODROV\n";
        let out = convert(input.as_bytes(), &Options::default());
        let spans: Vec<&str> = out
            .diagnostics
            .iter()
            .filter(|d| d.code == "convert/implausible-date")
            .map(|d| {
                let s = d.primary_span().unwrap();
                &input[s.offset..s.offset + s.len]
            })
            .collect();
        assert_eq!(spans, vec!["20 May 1950", "0930 1 May 1940", "31 April"]);
        let tei = out.tei.unwrap();
        assert!(tei.contains("<date>20 May 1950</date>"), "{tei}");
        assert_eq!(to_text(&tei).unwrap(), normalize(input));
        // A journal is not measured against its first date.
        let journal = "FROM THE JOURNAL OF AMBASSADOR IVANOV\n\n1 May 1950\n\nWe met the minister on 20 May 1950.\n";
        let out = convert(journal.as_bytes(), &Options::default());
        assert!(
            out.diagnostics
                .iter()
                .all(|d| d.code != "convert/implausible-date"),
            "{:?}",
            out.diagnostics
        );
    }

    #[test]
    fn metadata_sidecars() {
        let m = parse_metadata(
            "title = \"Cable 12\"\narchive = \"AVP RF\"\nshelfmark = \"f. 059a, op. 5\"\nlanguage = \"en\"\nlicence = \"https://creativecommons.org/licenses/by/4.0/\"\ntranslator = \"G. Ivanova\"\n",
            true,
        )
        .unwrap();
        assert_eq!(m.title.as_deref(), Some("Cable 12"));
        let j = parse_metadata(r#"{"title": "T", "archive": "RGASPI"}"#, false).unwrap();
        assert_eq!(j.archive.as_deref(), Some("RGASPI"));
        let bad = parse_metadata("titel = \"x\"\n", true).unwrap_err();
        assert_eq!(bad[0].code, "convert/metadata");
        assert!(bad[0].primary_span().is_some());
        assert!(parse_metadata("{\"title\": 3}", false).is_err());
        let out = convert(
            b"CABLE 1\n\nText of it.\n",
            &Options {
                metadata: Some(m),
                ..Options::default()
            },
        );
        let tei = out.tei.unwrap();
        assert!(tei.contains("<title>Cable 12</title>"), "{tei}");
        assert!(tei.contains("<repository>AVP RF</repository>"), "{tei}");
        assert!(
            tei.contains(r#"<idno type="shelfmark">f. 059a, op. 5</idno>"#),
            "{tei}"
        );
        assert!(
            tei.contains("<licence target=\"https://creativecommons.org/licenses/by/4.0/\">"),
            "{tei}"
        );
    }

    #[test]
    fn every_code_is_documented_once() {
        let mut seen = std::collections::HashSet::new();
        for c in CODES {
            assert!(c.code.starts_with("convert/"));
            assert!(seen.insert(c.code), "{} twice", c.code);
        }
        for file in [
            include_str!("input.rs"),
            include_str!("inline.rs"),
            include_str!("model.rs"),
            include_str!("header.rs"),
            include_str!("text.rs"),
            include_str!("lib.rs"),
            include_str!("profile.rs"),
            include_str!("manifest.rs"),
        ] {
            for (i, _) in file.match_indices("\"convert/") {
                let code: String = file[i + 1..].chars().take_while(|c| *c != '"').collect();
                if code.len() > "convert/".len() {
                    assert!(seen.contains(code.as_str()), "{code} is not in CODES");
                }
            }
        }
    }
}
