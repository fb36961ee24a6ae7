//! The `teiHeader`, from what the text says (type, number, places, dates) and the options.

use teikit_diagnostics::Diagnostic;

use crate::model::Facts;
use crate::ner::Entities;
use crate::tree::El;
use crate::Options;

/// Builds the header; warns when the title has to fall back to a default.
pub(crate) fn header(
    facts: &Facts,
    ents: &Entities,
    opts: &Options,
    line_mode: bool,
    diags: &mut Vec<Diagnostic>,
) -> El {
    let meta = opts.metadata.clone().unwrap_or_default();
    let title = match &meta.title {
        Some(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => title(facts, ents, opts, diags),
    };
    let mut title_stmt = El::new("titleStmt").child(El::new("title").text(title));
    if let Some(tr) = &meta.translator {
        title_stmt.push(
            El::new("respStmt")
                .child(El::new("resp").text("translation"))
                .child(El::new("persName").text(tr.clone())),
        );
    }
    if facts.translator {
        title_stmt.push(
            El::new("respStmt")
                .attr("xml:id", "translator")
                .child(El::new("resp").text("translation and translator's notes"))
                .child(El::new("name").text("the translator of the transcription")),
        );
    }
    if facts.editor {
        title_stmt.push(
            El::new("respStmt")
                .attr("xml:id", "editor")
                .child(El::new("resp").text("editorial notes"))
                .child(El::new("name").text("the editor of the transcription")),
        );
    }
    let file = opts
        .file_name
        .clone()
        .unwrap_or_else(|| "(standard input)".to_string());
    let publication =
        match &meta.licence {
            Some(l) => {
                let mut licence = El::new("licence");
                if l.starts_with("http://") || l.starts_with("https://") {
                    licence.set("target", l.clone());
                }
                El::new("publicationStmt")
                    .child(El::new("authority").text(
                        "Converted from a plain-text transcription by teikit; not published.",
                    ))
                    .child(El::new("availability").child(licence.text(l.clone())))
            }
            None => El::new("publicationStmt").child(
                El::new("p")
                    .text("Converted from a plain-text transcription by teikit; not published."),
            ),
        };
    let mut source = El::new("sourceDesc").child(
        El::new("bibl")
            .text("Plain-text transcription ")
            .child(El::new("idno").attr("type", "file").text(file)),
    );
    if meta.archive.is_some() || meta.shelfmark.is_some() || meta.collection.is_some() {
        let mut id = El::new("msIdentifier");
        if let Some(v) = &meta.settlement {
            id.push(El::new("settlement").text(v.clone()));
        }
        if let Some(v) = &meta.archive {
            id.push(El::new("repository").text(v.clone()));
        }
        if let Some(v) = &meta.collection {
            id.push(El::new("collection").text(v.clone()));
        }
        if let Some(v) = &meta.shelfmark {
            id.push(El::new("idno").attr("type", "shelfmark").text(v.clone()));
        }
        source.push(El::new("msDesc").child(id));
    }
    let file_desc = El::new("fileDesc")
        .child(title_stmt)
        .child(publication)
        .child(source);
    let encoding = El::new("encodingDesc")
        .child(
            El::new("appInfo").child(
                El::new("application")
                    .attr("ident", "teikit")
                    .attr("version", env!("CARGO_PKG_VERSION"))
                    .child(El::new("label").text("teikit convert")),
            ),
        )
        .child(
            El::new("editorialDecl")
                .child(El::new("p").text(
                    "Square brackets in the transcription mark editorial interventions: supplied words are encoded as supplied, \
                     illegible or damaged passages as gap with a desc, stamps as stamp, handwritten additions as add with a hand, \
                     editorial, identifying and original-language remarks as note. The transcription can be regenerated from this \
                     file with `teikit text`: @rend records the bracket form (double, unclosed, attached, bracketed, noted, tight) \
                     the blank lines before a block (blank-N) and an indented footnote line's indentation \
                     (indent-K); space records items sharing a line.",
                ))
                .child(
                    El::new("segmentation")
                        .attr("n", if line_mode { "line" } else { "blank-line" })
                        .child(El::new("p").text(if line_mode {
                            "Blocks of the transcription were separated by single line breaks."
                        } else {
                            "Blocks of the transcription were separated by blank lines."
                        })),
                ),
        );
    let mut tei_header = El::new("teiHeader").child(file_desc).child(encoding);
    let mut profile = El::new("profileDesc");
    if !facts.hands.is_empty() {
        let mut notes = El::new("handNotes");
        for (i, h) in facts.hands.iter().enumerate() {
            notes.push(
                El::new("handNote")
                    .attr("xml:id", format!("hand-{}", i + 1))
                    .text(h.clone()),
            );
        }
        profile.push(notes);
    }
    if facts.sent_when.is_some() || facts.from_place.is_some() {
        let mut corresp = El::new("correspDesc");
        let mut sent = El::new("correspAction").attr("type", "sent");
        if let Some(p) = &facts.signer {
            sent.push(with_ref(
                El::new("persName").text(display(p)),
                &ents.persons,
                p,
            ));
        }
        if let Some(p) = &facts.from_place {
            sent.push(with_ref(
                El::new("placeName").text(display(p)),
                &ents.places,
                p,
            ));
        }
        if let Some((when, _)) = &facts.sent_when {
            sent.push(El::new("date").attr("when", when.clone()));
        }
        corresp.push(sent);
        if facts.received_when.is_some()
            || facts.addressee.is_some()
            || facts.addressee_person.is_some()
        {
            let mut rec = El::new("correspAction").attr("type", "received");
            if let Some(p) = &facts.addressee_person {
                rec.push(with_ref(
                    El::new("persName").text(display(p)),
                    &ents.persons,
                    p,
                ));
            }
            if let Some(a) = &facts.addressee {
                let l = crate::ner::strip_titles(a).to_lowercase();
                if ents.places.iter().any(|(_, d, _)| d.to_lowercase() == l) {
                    rec.push(with_ref(
                        El::new("placeName").text(display(a)),
                        &ents.places,
                        a,
                    ));
                } else {
                    rec.push(El::new("name").text(display(a)));
                }
            }
            if let Some(w) = &facts.received_when {
                rec.push(El::new("date").attr("when", w.clone()));
            }
            corresp.push(rec);
        }
        profile.push(corresp);
    }
    if !ents.persons.is_empty() || !ents.orgs.is_empty() {
        let mut partic = El::new("particDesc");
        if !ents.persons.is_empty() {
            partic.push(list("listPerson", "person", "persName", &ents.persons));
        }
        if !ents.orgs.is_empty() {
            partic.push(list("listOrg", "org", "orgName", &ents.orgs));
        }
        profile.push(partic);
    }
    if !ents.places.is_empty() {
        profile.push(El::new("settingDesc").child(list(
            "listPlace",
            "place",
            "placeName",
            &ents.places,
        )));
    }
    if !profile.children.is_empty() {
        tei_header.push(profile);
    }
    tei_header
}

/// `listPerson`/`listOrg`/`listPlace` with one entry per entity.
fn list(
    list: &'static str,
    entry: &'static str,
    name: &'static str,
    items: &[(String, String, Option<String>)],
) -> El {
    let mut l = El::new(list);
    for (id, disp, uri) in items {
        let mut e = El::new(entry).attr("xml:id", id.clone());
        if let Some(u) = uri {
            e.set("sameAs", u.clone());
        }
        l.push(e.child(El::new(name).text(disp.clone())));
    }
    l
}

/// Points a header name at the list entry whose name ends with (or equals) its last word.
fn with_ref(mut el: El, items: &[(String, String, Option<String>)], name: &str) -> El {
    let stripped = crate::ner::strip_titles(name);
    let key = stripped
        .split_whitespace()
        .last()
        .unwrap_or("")
        .to_lowercase();
    if key.is_empty() {
        return el;
    }
    if let Some((id, _, _)) = items.iter().find(|(_, d, _)| {
        let d = d.to_lowercase();
        d == stripped.to_lowercase() || d.split_whitespace().any(|w| w == key)
    }) {
        el.set("ref", format!("#{id}"));
    }
    el
}

/// The title from the document's shape: its type (from the head line, or `Letter` for a
/// letter recognised by its salutation and signature) with its number, what the head or the
/// subject line says it is about, sender → recipient (persons from `correspDesc`, with their
/// places), and the date: `Cable Nº 600308/sh from Shtykov (Pyongyang) to Gromyko (Moscow),
/// 30 September 1950`.
fn title(facts: &Facts, ents: &Entities, opts: &Options, diags: &mut Vec<Diagnostic>) -> String {
    let vocab = crate::profile::Vocab::new(opts.profile.as_ref());
    let mut t;
    let mut described = false;
    if let Some(head) = &facts.head {
        // The type is looked for in the first line (a head may take a long continuation
        // line: `RECORD OF CONVERSATION` / `of the Ambassador … with …`).
        let first_line = head.lines().next().unwrap_or("");
        let first_line = first_line.split_whitespace().collect::<Vec<_>>().join(" ");
        let head = head.split_whitespace().collect::<Vec<_>>().join(" ");
        let found = crate::classify::type_phrase(&first_line, &vocab)
            .or_else(|| crate::classify::type_phrase(&head, &vocab));
        let (phrase, after) = match found {
            Some((a, b, _)) if b > a => (sentence_case(&head[a..b]), b),
            Some((_, _, kind)) => (sentence_case(&kind), head.len()),
            None => (display(&head), head.len()),
        };
        t = phrase;
        let mut rest = &head[after..];
        if let Some((na, nb)) = crate::classify::number_after_mark(&head) {
            if na >= after {
                let mark = head[after..na]
                    .split_whitespace()
                    .next_back()
                    .unwrap_or("Nº");
                t.push_str(&format!(" {mark} {}", &head[na..nb]));
                rest = &head[nb..];
            }
        }
        let rest = crate::classify::without_brackets(rest);
        let rest = rest.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | '.'));
        if rest.split_whitespace().count() >= 2 && rest.chars().any(char::is_lowercase) {
            t.push(' ');
            t.push_str(rest);
            described = true;
        }
    } else if facts.letter {
        t = "Letter".to_string();
    } else {
        let name = opts
            .file_name
            .clone()
            .unwrap_or_else(|| "standard input".into());
        diags.push(
            Diagnostic::warning(
                "convert/default-title",
                "no document type line found; the title is a default",
            )
            .with_help(
                "start the transcription with a line such as `CABLE Nº 123` or `MEMORANDUM`",
            ),
        );
        return format!("Transcription {name}");
    }
    if !described {
        if let Some(sub) = &facts.subject {
            let sub = crate::classify::without_brackets(sub);
            let sub = sub
                .trim_start_matches(|c: char| c.is_whitespace())
                .trim_end_matches(|c: char| c.is_whitespace() || c == '.');
            let lower = sub.to_lowercase();
            let body = ["subject:", "re:", "subject", "re"]
                .iter()
                .find_map(|p| lower.strip_prefix(p).map(|_| sub[p.len()..].trim()))
                .unwrap_or(sub);
            let first = body.split_whitespace().next().unwrap_or("").to_lowercase();
            if ["on", "about", "concerning", "regarding"].contains(&first.as_str()) {
                t.push(' ');
                t.push_str(&first);
                t.push_str(&body[first.len()..]);
            } else if !body.is_empty() {
                t.push_str(": ");
                t.push_str(body);
            }
            described = true;
        }
    }
    if !described {
        let is_place = |p: &str| {
            let l = p.to_lowercase();
            ents.places.iter().any(|(_, d, _)| d.to_lowercase() == l)
        };
        let with_place = |who: &str, place: Option<&String>| match place {
            Some(p) if is_place(p) && !p.eq_ignore_ascii_case(who) => {
                format!("{} ({})", display(who), display(p))
            }
            _ => display(who),
        };
        let sender = match (&facts.signer, &facts.from_place) {
            (Some(p), place) => Some(with_place(p, place.as_ref())),
            (None, Some(place)) => Some(display(place)),
            _ => None,
        };
        let addressee = facts.addressee.as_ref().filter(|a| a.chars().count() <= 40);
        let recipient = match (&facts.addressee_person, addressee) {
            (Some(p), place) => Some(with_place(p, place)),
            (None, Some(a)) => Some(crate::ner::display(a)),
            _ => None,
        };
        if let Some(s) = sender {
            t.push_str(" from ");
            t.push_str(&s);
        }
        if let Some(r) = recipient {
            t.push_str(" to ");
            t.push_str(&r);
        }
    }
    let when = facts
        .sent_when
        .as_ref()
        .map(|(w, _)| w.as_str())
        .or(facts.first_date.as_deref());
    if let Some(d) = when.and_then(spelled_date) {
        t.push_str(", ");
        t.push_str(&d);
    }
    t
}

/// `1950-09-30T20:35:00` → `30 September 1950`.
fn spelled_date(when: &str) -> Option<String> {
    let y: i32 = when.get(..4)?.parse().ok()?;
    let m: usize = when.get(5..7)?.parse().ok()?;
    let d: u32 = when.get(8..10)?.parse().ok()?;
    let name = crate::dates::month_name(m)?;
    Some(format!("{d} {name} {y}"))
}

/// `CIPHERED TELEGRAM` → `Ciphered telegram`; mixed case is kept, the first letter raised.
fn sentence_case(s: &str) -> String {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    let s = if letters >= 2 && !s.chars().any(char::is_lowercase) {
        s.to_lowercase()
    } else {
        s.to_string()
    };
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

/// `PYONGYANG` → `Pyongyang`, `CABLE Nº 600308/sh` → `Cable Nº 600308/sh`; mixed case is kept.
fn display(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            let all_upper = letters >= 2 && w.chars().all(|c| !c.is_lowercase());
            if !all_upper || w.chars().any(|c| c.is_ascii_digit()) {
                return w.to_string();
            }
            let mut out = String::new();
            let mut first = true;
            for c in w.chars() {
                if first && c.is_alphabetic() {
                    out.extend(c.to_uppercase());
                    first = false;
                } else if c == '-' {
                    out.push(c);
                    first = true;
                } else {
                    out.extend(c.to_lowercase());
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelled_dates_and_case() {
        assert_eq!(
            spelled_date("1950-09-30T20:35:00").as_deref(),
            Some("30 September 1950")
        );
        assert_eq!(spelled_date("--10-01"), None);
        assert_eq!(sentence_case("CIPHERED TELEGRAM"), "Ciphered telegram");
        assert_eq!(
            sentence_case("Record of Conversation"),
            "Record of Conversation"
        );
    }

    #[test]
    fn display_case() {
        assert_eq!(display("CABLE Nº 600308/sh"), "Cable Nº 600308/sh");
        assert_eq!(display("PAK HEON-YEONG"), "Pak Heon-Yeong");
        assert_eq!(display("Moscow"), "Moscow");
    }
}
