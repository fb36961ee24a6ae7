//! Batch manifests: per-file metadata for many transcriptions in one CSV/TSV or JSON file,
//! with the same fields as a sidecar ([`crate::Metadata`]).

use std::collections::BTreeMap;

use teikit_diagnostics::{Diagnostic, Span};

use crate::Metadata;

/// The syntax of a manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManifestFormat {
    /// Comma-separated values with a header row (`file,title,archive,…`); fields may be
    /// quoted with `"` (a quoted field does not span lines).
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// A JSON object keyed by file name, each value an object with the sidecar's keys.
    Json,
}

impl ManifestFormat {
    /// The format a file name's extension names (`.csv`, `.tsv`, `.json`), if any.
    pub fn from_path(path: &str) -> Option<ManifestFormat> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(ManifestFormat::Csv),
            "tsv" | "tab" => Some(ManifestFormat::Tsv),
            "json" => Some(ManifestFormat::Json),
            _ => None,
        }
    }
}

/// Per-file metadata of a batch, keyed by file name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    entries: BTreeMap<String, Metadata>,
}

impl Manifest {
    /// The metadata of a file: looked up by the name as given, then by its last path
    /// component (`in/cable-12.txt` finds the row `cable-12.txt`).
    pub fn get(&self, file_name: &str) -> Option<&Metadata> {
        self.entries.get(file_name).or_else(|| {
            let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
            self.entries.get(base)
        })
    }

    /// How many files the manifest describes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the manifest describes no file.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// File names and their metadata, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Metadata)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

const COLUMNS: &[&str] = &[
    "file",
    "title",
    "archive",
    "settlement",
    "collection",
    "shelfmark",
    "language",
    "translator",
    "licence",
];

/// Reads a manifest. Errors (`convert/manifest`) carry the span of the offending cell, key
/// or JSON position: an unknown column or key, a missing `file` column, a row with more cells
/// than the header, an empty or repeated file name, invalid JSON.
///
/// The error is a one-element list, like [`crate::parse_metadata`]'s.
pub fn parse_manifest(text: &str, format: ManifestFormat) -> Result<Manifest, Vec<Diagnostic>> {
    match format {
        ManifestFormat::Json => parse_json(text),
        ManifestFormat::Csv => parse_table(text, ','),
        ManifestFormat::Tsv => parse_table(text, '\t'),
    }
    .map_err(|d| vec![*d])
}

fn error(msg: String, at: usize, len: usize, label: &str) -> Box<Diagnostic> {
    Box::new(Diagnostic::error("convert/manifest", msg)
        .with_label(Span::new(at, len), label.to_string())
        .with_help(
            "a CSV/TSV with a header row `file,title,archive,settlement,collection,shelfmark,language,translator,licence` (any subset, `file` required), or a JSON object keyed by file name",
        ))
}

fn parse_json(text: &str) -> Result<Manifest, Box<Diagnostic>> {
    let map: BTreeMap<String, Metadata> = serde_json::from_str(text).map_err(|e| {
        let at = crate::line_col_offset(text, e.line(), e.column());
        error(format!("manifest: {e}"), at, 0, "here")
    })?;
    if let Some(k) = map.keys().find(|k| k.trim().is_empty()) {
        let at = text.find(&format!("\"{k}\"")).unwrap_or(0);
        return Err(error(
            "manifest: an empty file name".into(),
            at,
            k.len() + 2,
            "here",
        ));
    }
    Ok(Manifest { entries: map })
}

/// Cells of one line with their byte ranges (relative to the line), unquoted.
fn cells(line: &str, sep: char) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    let mut quoted = false;
    let mut it = line.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match c {
            '"' if quoted && it.peek().map(|p| p.1) == Some('"') => {
                cur.push('"');
                it.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                out.push((start, i, std::mem::take(&mut cur).trim().to_string()));
                start = i + c.len_utf8();
            }
            c => cur.push(c),
        }
    }
    out.push((start, line.len(), cur.trim().to_string()));
    out
}

fn parse_table(text: &str, sep: char) -> Result<Manifest, Box<Diagnostic>> {
    let text_start = usize::from(text.starts_with('\u{feff}')) * 3;
    let mut lines = text[text_start..]
        .split_inclusive('\n')
        .scan(text_start, |off, l| {
            let at = *off;
            *off += l.len();
            Some((at, l.trim_end_matches(['\n', '\r'])))
        })
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let Some((hstart, header)) = lines.next() else {
        return Ok(Manifest::default());
    };
    let mut columns = Vec::new();
    for (a, b, name) in cells(header, sep) {
        let key = name.to_ascii_lowercase();
        let key = if key == "license" {
            "licence".to_string()
        } else {
            key
        };
        if !COLUMNS.contains(&key.as_str()) {
            return Err(error(
                format!("manifest: unknown column `{name}`"),
                hstart + a,
                b - a,
                "not a metadata field",
            ));
        }
        if columns.contains(&key) {
            return Err(error(
                format!("manifest: column `{name}` twice"),
                hstart + a,
                b - a,
                "repeated",
            ));
        }
        columns.push(key);
    }
    let Some(file_col) = columns.iter().position(|c| c == "file") else {
        return Err(error(
            "manifest: the header has no `file` column".into(),
            hstart,
            header.len(),
            "header row",
        ));
    };
    let mut entries: BTreeMap<String, Metadata> = BTreeMap::new();
    for (lstart, line) in lines {
        let cs = cells(line, sep);
        if cs.len() > columns.len() {
            let (a, b, _) = &cs[columns.len()];
            return Err(error(
                format!(
                    "manifest: this row has {} cells, the header {}",
                    cs.len(),
                    columns.len()
                ),
                lstart + a,
                b - a,
                "no column for this cell",
            ));
        }
        let Some((fa, fb, file)) = cs.get(file_col).cloned() else {
            return Err(error(
                "manifest: a row without a file name".into(),
                lstart,
                line.len(),
                "row",
            ));
        };
        if file.is_empty() {
            return Err(error(
                "manifest: a row without a file name".into(),
                lstart + fa,
                fb - fa,
                "empty",
            ));
        }
        if entries.contains_key(&file) {
            return Err(error(
                format!("manifest: `{file}` is described twice"),
                lstart + fa,
                fb - fa,
                "repeated file name",
            ));
        }
        let mut m = Metadata::default();
        for ((_, _, v), col) in cs.iter().zip(&columns) {
            if v.is_empty() {
                continue;
            }
            let v = Some(v.clone());
            match col.as_str() {
                "title" => m.title = v,
                "archive" => m.archive = v,
                "settlement" => m.settlement = v,
                "collection" => m.collection = v,
                "shelfmark" => m.shelfmark = v,
                "language" => m.language = v,
                "translator" => m.translator = v,
                "licence" => m.licence = v,
                _ => {}
            }
        }
        entries.insert(file, m);
    }
    Ok(Manifest { entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_json() {
        let csv = "file,title,archive,shelfmark,language,translator,licence\n\
                   cable-12.txt,Cable 12,AVP RF,\"f. 059a, op. 5\",en,G. Ivanova,CC-BY-4.0\n\
                   # a comment\n\
                   letter.txt,,RGASPI,,,,\n";
        let m = parse_manifest(csv, ManifestFormat::Csv).unwrap();
        assert_eq!(m.len(), 2);
        let c = m.get("in/cable-12.txt").unwrap();
        assert_eq!(c.title.as_deref(), Some("Cable 12"));
        assert_eq!(c.shelfmark.as_deref(), Some("f. 059a, op. 5"));
        assert_eq!(c.licence.as_deref(), Some("CC-BY-4.0"));
        assert_eq!(m.get("letter.txt").unwrap().title, None);
        assert!(m.get("other.txt").is_none());

        let tsv = "file\tarchive\na.txt\tX\n";
        let m = parse_manifest(tsv, ManifestFormat::Tsv).unwrap();
        assert_eq!(m.get("a.txt").unwrap().archive.as_deref(), Some("X"));

        let json = r#"{"a.txt": {"title": "A", "archive": "B"}, "b.txt": {}}"#;
        let m = parse_manifest(json, ManifestFormat::Json).unwrap();
        assert_eq!(m.get("a.txt").unwrap().archive.as_deref(), Some("B"));
        assert_eq!(m.iter().count(), 2);
        assert_eq!(
            ManifestFormat::from_path("x/m.JSON"),
            Some(ManifestFormat::Json)
        );
        assert_eq!(ManifestFormat::from_path("m.txt"), None);
    }

    #[test]
    fn errors_have_spans() {
        let at = |text: &str, f| {
            let e = parse_manifest(text, f).unwrap_err().remove(0);
            assert_eq!(e.code, "convert/manifest");
            let s = e.primary_span().unwrap();
            text[s.offset..s.offset + s.len].to_string()
        };
        assert_eq!(at("file,titel\na,b\n", ManifestFormat::Csv), "titel");
        assert_eq!(at("title\nT\n", ManifestFormat::Csv), "title");
        assert_eq!(
            at("file,title\na.txt,T\na.txt,U\n", ManifestFormat::Csv),
            "a.txt"
        );
        assert_eq!(
            at("file,title\na.txt,T,extra\n", ManifestFormat::Csv),
            "extra"
        );
        assert_eq!(at("file,title\n,T\n", ManifestFormat::Csv), "");
        let e = parse_manifest("{\"a\": {\"titel\": 1}}", ManifestFormat::Json).unwrap_err();
        assert!(e[0].primary_span().is_some());
        assert!(parse_manifest("[1]", ManifestFormat::Json).is_err());
        assert!(parse_manifest("", ManifestFormat::Csv).unwrap().is_empty());
    }
}
