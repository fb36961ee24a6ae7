//! The `teiHeader`, from what the text says (type, number, places, dates) and the options.

use teikit_diagnostics::Diagnostic;

use crate::model::Facts;
use crate::tree::El;
use crate::Options;

/// Builds the header; warns when the title has to fall back to a default.
pub(crate) fn header(
    facts: &Facts,
    opts: &Options,
    line_mode: bool,
    diags: &mut Vec<Diagnostic>,
) -> El {
    let title = title(facts, opts, diags);
    let mut title_stmt = El::new("titleStmt").child(El::new("title").text(title));
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
    let file_desc = El::new("fileDesc")
        .child(title_stmt)
        .child(
            El::new("publicationStmt").child(
                El::new("p")
                    .text("Converted from a plain-text transcription by teikit; not published."),
            ),
        )
        .child(
            El::new("sourceDesc").child(
                El::new("bibl")
                    .text("Plain-text transcription ")
                    .child(El::new("idno").attr("type", "file").text(file)),
            ),
        );
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
                     and the blank lines before a block (blank-N); space records items sharing a line.",
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
            sent.push(El::new("persName").text(display(p)));
        }
        if let Some(p) = &facts.from_place {
            sent.push(El::new("placeName").text(display(p)));
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
                rec.push(El::new("persName").text(display(p)));
            }
            if let Some(a) = &facts.addressee {
                rec.push(El::new("name").text(display(a)));
            }
            if let Some(w) = &facts.received_when {
                rec.push(El::new("date").attr("when", w.clone()));
            }
            corresp.push(rec);
        }
        profile.push(corresp);
    }
    if !profile.children.is_empty() {
        tei_header.push(profile);
    }
    tei_header
}

fn title(facts: &Facts, opts: &Options, diags: &mut Vec<Diagnostic>) -> String {
    let Some(head) = &facts.head else {
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
    };
    let mut t = display(head);
    if let Some(p) = &facts.from_place {
        t.push_str(" from ");
        t.push_str(&display(p));
    }
    if let Some(a) = &facts.addressee {
        if a.chars().count() <= 40 {
            t.push_str(" to ");
            t.push_str(&display(a));
        }
    }
    if let Some((_, text)) = &facts.sent_when {
        // `2035 30 September 1950` → `30 September 1950`
        let words: Vec<&str> = text.split_whitespace().collect();
        let skip = usize::from(
            words.len() > 2 && words[0].len() == 4 && words[0].bytes().all(|b| b.is_ascii_digit()),
        );
        t.push_str(", ");
        t.push_str(&words[skip..].join(" "));
    }
    t
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
    fn display_case() {
        assert_eq!(display("CABLE Nº 600308/sh"), "Cable Nº 600308/sh");
        assert_eq!(display("PAK HEON-YEONG"), "Pak Heon-Yeong");
        assert_eq!(display("Moscow"), "Moscow");
    }
}
