//! Conversion profiles: an archive's own words for bracket keywords, personal titles,
//! closing formulas, salutations, routing lines and document types, read from TOML, so that
//! a collection with other habits needs no code change. A profile only *adds* words; a
//! bracket keyword it names takes precedence over the built-in meaning of the same keyword
//! (which is how a keyword is renamed or re-purposed).

use std::collections::BTreeMap;

use teikit_diagnostics::{Diagnostic, Span};

/// A conversion profile (see `samples/profile-example.toml`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Profile {
    /// A name for the profile (informative).
    pub name: Option<String>,
    /// Bracket keywords and what they mean: `"hw" = "handwritten"`, `"cachet" = "stamp"`.
    /// Matched case-insensitively at the start of a bracket. `handwritten`, `translator-note`
    /// and `editor-note` keywords need a `:` after them (`[hw: approved]`); `illegible` and
    /// `damage` keywords anywhere in a bracket of at most six words.
    pub bracket_keywords: BTreeMap<String, BracketMeaning>,
    /// Personal titles that go inside `persName` before a name (`Prime Minister`, `Herr`).
    /// Case-sensitive; a final `.` must be written (`Mme.`).
    pub titles: Vec<String>,
    /// Complimentary closes (`Mit sozialistischem Gruß`): a line starting with one is a
    /// `closer/salute`.
    pub closing_formulas: Vec<String>,
    /// Salutations (`Werter Genosse`): a short line starting with one opens a letter.
    pub salutations: Vec<String>,
    /// Words that start routing lines (`expédié`, `abgesandt`): a short line starting with one
    /// and holding a date or time is a `dateline`.
    pub routing_words: Vec<String>,
    /// Document type words and the `div/@type` they give (`"Fernschreiben" = "telegram"`).
    pub document_types: BTreeMap<String, String>,
}

/// What a profile's bracket keyword means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BracketMeaning {
    /// A handwritten addition: `note type="handwritten"` with `add`.
    Handwritten,
    /// A stamp: `stamp`.
    Stamp,
    /// A translator's note: `note type="editorial" resp="#translator"`.
    TranslatorNote,
    /// An editor's note: `note type="editorial" resp="#editor"`.
    EditorNote,
    /// Illegible text: `gap reason="illegible"`.
    Illegible,
    /// Damaged text: `gap reason="damage"`.
    Damage,
}

/// Reads a profile from TOML. Syntax errors, unknown keys, unknown bracket meanings and
/// document types that are not a single word are `convert/profile` errors with the span of
/// the offending text in the TOML. The error is a one-element list, like
/// [`crate::parse_metadata`]'s.
pub fn parse_profile(text: &str) -> Result<Profile, Vec<Diagnostic>> {
    check_profile(text).map_err(|d| vec![*d])
}

fn check_profile(text: &str) -> Result<Profile, Box<Diagnostic>> {
    let p: Profile = toml::from_str(text).map_err(|e| {
        let mut d = Diagnostic::error("convert/profile", format!("profile: {}", e.message()))
            .with_help(
                "keys: name, bracket_keywords, titles, closing_formulas, salutations, routing_words, document_types",
            );
        if let Some(r) = e.span() {
            d = d.with_label(Span::new(r.start, r.end - r.start), "here");
        }
        Box::new(d)
    })?;
    for (word, kind) in &p.document_types {
        let ok = !kind.is_empty()
            && kind.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && kind
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok || word.trim().is_empty() {
            let at = text
                .find(&format!("\"{kind}\""))
                .or_else(|| text.find(word.as_str()))
                .unwrap_or(0);
            return Err(Box::new(Diagnostic::error(
                "convert/profile",
                format!("profile: document type `{word}` = `{kind}`: the div type must be one lower-case word (a-z, 0-9, -)"),
            )
            .with_label(Span::new(at, kind.len() + 2), "not a div type")
            .with_help("write e.g. \"Fernschreiben\" = \"telegram\"")));
        }
    }
    for (list, key) in [
        (&p.titles, "titles"),
        (&p.closing_formulas, "closing_formulas"),
        (&p.salutations, "salutations"),
        (&p.routing_words, "routing_words"),
    ] {
        if list.iter().any(|w| w.trim().is_empty()) {
            let at = text.find(key).unwrap_or(0);
            return Err(Box::new(
                Diagnostic::error(
                    "convert/profile",
                    format!("profile: `{key}` holds an empty word"),
                )
                .with_label(Span::new(at, key.len()), "here")
                .with_help("remove the empty string"),
            ));
        }
    }
    Ok(p)
}

/// The words the shape rules use, built-in lists plus a profile's additions (lower-cased
/// where matching is case-insensitive).
#[derive(Clone, Debug, Default)]
pub(crate) struct Vocab {
    pub doc_types: Vec<(String, String)>,
    pub routing: Vec<String>,
    pub closings: Vec<String>,
    pub salutations: Vec<String>,
    pub brackets: Vec<(String, BracketMeaning)>,
}

impl Vocab {
    pub(crate) fn new(p: Option<&Profile>) -> Vocab {
        let Some(p) = p else {
            return Vocab::default();
        };
        let low =
            |v: &[String]| -> Vec<String> { v.iter().map(|s| s.trim().to_lowercase()).collect() };
        let mut brackets: Vec<(String, BracketMeaning)> = p
            .bracket_keywords
            .iter()
            .map(|(k, v)| (k.trim().to_lowercase(), *v))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        brackets.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        let mut doc_types: Vec<(String, String)> = p
            .document_types
            .iter()
            .map(|(k, v)| (k.trim().to_lowercase(), v.clone()))
            .collect();
        doc_types.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        Vocab {
            doc_types,
            routing: low(&p.routing_words),
            closings: low(&p.closing_formulas),
            salutations: low(&p.salutations),
            brackets,
        }
    }

    /// The profile meaning of a bracket whose lower-cased start is `head`, and the keyword.
    pub(crate) fn bracket(&self, head: &str) -> Option<(&str, BracketMeaning)> {
        self.brackets
            .iter()
            .find(|(k, _)| {
                head.starts_with(k.as_str())
                    && head[k.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_alphanumeric())
            })
            .map(|(k, m)| (k.as_str(), *m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let p = parse_profile(
            "name = \"GDR\"\ntitles = [\"Genosse\"]\n[bracket_keywords]\nhw = \"handwritten\"\nCachet = \"stamp\"\n[document_types]\nFernschreiben = \"telegram\"\n",
        )
        .unwrap();
        assert_eq!(p.titles, vec!["Genosse"]);
        assert_eq!(p.bracket_keywords["hw"], BracketMeaning::Handwritten);
        let v = Vocab::new(Some(&p));
        assert_eq!(
            v.bracket("cachet: x"),
            Some(("cachet", BracketMeaning::Stamp))
        );
        assert_eq!(v.bracket("cachets x"), None);
        assert_eq!(
            v.doc_types,
            vec![("fernschreiben".into(), "telegram".into())]
        );

        let text = "titles = [\"Herr\"]\nclosings = [\"x\"]\n";
        let e = parse_profile(text).unwrap_err().remove(0);
        assert_eq!(e.code, "convert/profile");
        let s = e.primary_span().unwrap();
        assert_eq!(&text[s.offset..s.offset + s.len], "closings");

        let text = "[bracket_keywords]\nhw = \"scribble\"\n";
        let e = parse_profile(text).unwrap_err().remove(0);
        assert!(e.primary_span().unwrap().offset >= text.find("\"scribble\"").unwrap());

        let text = "[document_types]\nFernschreiben = \"Tele gram\"\n";
        let e = parse_profile(text).unwrap_err().remove(0);
        let s = e.primary_span().unwrap();
        assert_eq!(&text[s.offset..s.offset + s.len], "\"Tele gram\"");
        assert!(parse_profile("titles = [\"\"]").is_err());
        assert!(parse_profile("titles = [").is_err());
    }
}
