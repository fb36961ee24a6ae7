//! `teikit.toml`: found in the working directory or the nearest parent; paths in it are
//! relative to its folder; unknown keys are errors pointing at the key.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobSet, GlobSetBuilder};
use serde::Deserialize;
use teikit_diagnostics::{Diagnostic, FileReport, Severity, Span};

use crate::codes;

/// The file name looked for.
pub const FILE_NAME: &str = "teikit.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    validate: RawValidate,
    #[serde(default)]
    diagnostics: RawDiagnostics,
    #[serde(default)]
    convert: RawConvert,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawValidate {
    schema: Option<String>,
    xinclude: Option<bool>,
    rules: Option<bool>,
    #[serde(default)]
    catalogs: Vec<String>,
    #[serde(default)]
    overrides: Vec<RawOverride>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    files: Vec<String>,
    schema: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDiagnostics {
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    warn: Vec<String>,
}

/// `[convert]`: what `teikit convert` uses when the command line does not say.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConvert {
    profile: Option<toml::Spanned<String>>,
    authority: Option<Vec<String>>,
    #[serde(rename = "out-dir")]
    out_dir: Option<String>,
    #[serde(rename = "original-lang")]
    original_lang: Option<String>,
    manifest: Option<String>,
}

/// The name of the converter's built-in profile (`[convert] profile = "archive"`).
pub const BUILT_IN_PROFILE: &str = "archive";

/// A settled `[convert]` section; paths are resolved against the configuration's folder.
#[derive(Debug, Default)]
pub struct ConvertConfig {
    /// `profile`: a profile TOML file; `None` for the built-in `archive` profile or none given.
    pub profile: Option<PathBuf>,
    /// `authority`: authority files (CSV/TSV).
    pub authority: Vec<PathBuf>,
    /// `out-dir`: the folder outputs are written to when neither `-o` nor `-O` is given.
    pub out_dir: Option<PathBuf>,
    /// `original-lang`: `xml:lang` of transliterated original-language words.
    pub original_lang: Option<String>,
    /// `manifest`: a CSV/JSON metadata manifest keyed by file name.
    pub manifest: Option<PathBuf>,
}

/// A settled `teikit.toml`.
#[derive(Debug)]
pub struct Config {
    /// Its folder: paths in the file are relative to it.
    pub dir: PathBuf,
    /// `[validate] schema`.
    pub schema: Option<String>,
    /// `[validate] xinclude` (default true).
    pub xinclude: bool,
    /// `[validate] rules`: the TEI reference rules (default true).
    pub rules: bool,
    /// `[validate] catalogs`, resolved.
    pub catalogs: Vec<PathBuf>,
    overrides: Vec<(GlobSet, String)>,
    ignore: Vec<String>,
    warn: Vec<String>,
    /// `[convert]`.
    pub convert: ConvertConfig,
}

/// Finds `teikit.toml` in `start` or its nearest parent.
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Reads the configuration for the working directory (none when there is no teikit.toml).
/// An incorrect file is a report with diagnostics pointing into it.
pub fn discover() -> Result<Option<Config>, Box<FileReport>> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match find(&cwd) {
        Some(p) => read(&p).map(Some),
        None => Ok(None),
    }
}

/// Reads and checks one configuration file.
pub fn read(path: &Path) -> Result<Config, Box<FileReport>> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Box::new(FileReport::new(
            shown.clone(),
            None,
            vec![Diagnostic::error(
                codes::CONFIG,
                format!("cannot read {shown}: {}", crate::inputs::io_reason(&e)),
            )],
        ))
    })?;
    let source: Arc<[u8]> = Arc::from(bytes.as_slice());
    let fail = |d: Diagnostic| {
        Box::new(FileReport::new(
            shown.clone(),
            Some(source.clone()),
            vec![d],
        ))
    };
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        fail(Diagnostic::error(
            codes::CONFIG,
            format!("{FILE_NAME} is not UTF-8: {e}"),
        ))
    })?;
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let mut d = Diagnostic::error(codes::CONFIG, e.message().trim().to_string());
        if let Some(r) = e.span() {
            let label = if e.message().starts_with("unknown field") {
                "unknown key"
            } else {
                "here"
            };
            d = d.with_label(Span::from_range(r), label);
        }
        fail(d.with_help(
            "keys: [validate] schema, xinclude, rules, catalogs, [[validate.overrides]] files, schema; [diagnostics] ignore, warn; [convert] profile, authority, out-dir, original-lang, manifest",
        ))
    })?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut overrides = Vec::new();
    for o in raw.validate.overrides {
        let mut b = GlobSetBuilder::new();
        for f in &o.files {
            let glob = globset::GlobBuilder::new(f)
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    let mut d =
                        Diagnostic::error(codes::CONFIG, format!("bad file pattern {f:?}: {e}"));
                    if let Some(off) = find_quoted(text, f) {
                        d = d.with_label(Span::from_range(off..off + f.len() + 2), "pattern");
                    }
                    fail(d)
                })?;
            b.add(glob);
        }
        let set = b
            .build()
            .map_err(|e| fail(Diagnostic::error(codes::CONFIG, e.to_string())))?;
        overrides.push((set, o.schema));
    }
    let convert = convert_section(raw.convert, &dir).map_err(|d| fail(*d))?;
    Ok(Config {
        convert,
        catalogs: raw.validate.catalogs.iter().map(|c| dir.join(c)).collect(),
        dir,
        schema: raw.validate.schema,
        xinclude: raw.validate.xinclude.unwrap_or(true),
        rules: raw.validate.rules.unwrap_or(true),
        overrides,
        ignore: raw.diagnostics.ignore,
        warn: raw.diagnostics.warn,
    })
}

/// Resolves `[convert]`: paths against `dir`; `profile` is a path when it has a folder
/// separator or ends in `.toml`, otherwise the name of a built-in profile.
fn convert_section(raw: RawConvert, dir: &Path) -> Result<ConvertConfig, Box<Diagnostic>> {
    let profile = match raw.profile {
        None => None,
        Some(p) if p.get_ref() == BUILT_IN_PROFILE => None,
        Some(p) if p.get_ref().contains(['/', '\\']) || p.get_ref().ends_with(".toml") => {
            Some(dir.join(p.get_ref()))
        }
        Some(p) => {
            return Err(Box::new(Diagnostic::error(
                codes::CONFIG,
                format!("unknown profile name {:?}", p.get_ref()),
            )
            .with_label(Span::from_range(p.span()), "not a built-in profile")
            .with_help(format!(
                "the built-in profile is \"{BUILT_IN_PROFILE}\"; a profile file is named by a path ending in .toml"
            ))));
        }
    };
    Ok(ConvertConfig {
        profile,
        authority: raw
            .authority
            .unwrap_or_default()
            .iter()
            .map(|a| dir.join(a))
            .collect(),
        out_dir: raw.out_dir.map(|d| dir.join(d)),
        original_lang: raw.original_lang,
        manifest: raw.manifest.map(|m| dir.join(m)),
    })
}

/// The offset of `"s"` (quoted) in the TOML text.
fn find_quoted(text: &str, s: &str) -> Option<usize> {
    text.find(&format!("\"{s}\""))
        .or_else(|| text.find(&format!("'{s}'")))
}

impl Config {
    /// The schema (name or path, as written) for a document: the first override whose
    /// patterns match its path relative to the configuration's folder, else `[validate]
    /// schema`.
    pub fn schema_for(&self, file: Option<&Path>) -> Option<&str> {
        if let Some(file) = file {
            let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
            let dir = std::path::absolute(&self.dir).unwrap_or_else(|_| self.dir.clone());
            if let Ok(rel) = abs.strip_prefix(&dir) {
                if let Some((_, s)) = self.overrides.iter().find(|(g, _)| g.is_match(rel)) {
                    return Some(s);
                }
            }
        }
        self.schema.as_deref()
    }

    /// Applies `[diagnostics] ignore` and `warn` to a document's diagnostics.
    pub fn apply(&self, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diags
            .into_iter()
            .filter(|d| !self.ignore.iter().any(|c| d.code == *c))
            .map(|mut d| {
                if d.severity == Severity::Error && self.warn.iter().any(|c| d.code == *c) {
                    d.severity = Severity::Warning;
                }
                d
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(FILE_NAME);
        std::fs::write(&p, text).unwrap();
        (d, p)
    }

    #[test]
    fn unknown_key_points_at_the_key() {
        let text = "[validate]\nschema = \"a.rng\"\nschemma = \"b\"\n";
        let (_d, p) = write(text);
        let r = read(&p).unwrap_err();
        let span = r.diagnostics[0].primary_span().unwrap();
        assert_eq!(&text[span.offset..span.end()], "schemma");
    }

    #[test]
    fn convert_section_paths_are_relative_to_the_file() {
        let (d, p) = write(
            "[convert]\nprofile = \"profiles/cables.toml\"\nauthority = [\"names.csv\", \"places.tsv\"]\nout-dir = \"tei\"\noriginal-lang = \"de-Latn\"\nmanifest = \"manifest.csv\"\n",
        );
        let c = read(&p).unwrap().convert;
        assert_eq!(c.profile, Some(d.path().join("profiles/cables.toml")));
        assert_eq!(
            c.authority,
            [d.path().join("names.csv"), d.path().join("places.tsv")]
        );
        assert_eq!(c.out_dir, Some(d.path().join("tei")));
        assert_eq!(c.original_lang.as_deref(), Some("de-Latn"));
        assert_eq!(c.manifest, Some(d.path().join("manifest.csv")));
        let (_d, p) = write("[convert]\nprofile = \"archive\"\n");
        assert_eq!(read(&p).unwrap().convert.profile, None);
    }

    #[test]
    fn convert_section_errors_point_at_the_key_or_value() {
        let text = "[convert]\nauthority = [\"a.csv\"]\nautority = [\"b.csv\"]\n";
        let (_d, p) = write(text);
        let r = read(&p).unwrap_err();
        let span = r.diagnostics[0].primary_span().unwrap();
        assert_eq!(&text[span.offset..span.end()], "autority");
        let text = "[convert]\nprofile = \"cables\"\n";
        let (_d, p) = write(text);
        let r = read(&p).unwrap_err();
        assert_eq!(r.diagnostics[0].code, codes::CONFIG);
        let span = r.diagnostics[0].primary_span().unwrap();
        assert_eq!(&text[span.offset..span.end()], "\"cables\"");
    }

    #[test]
    fn overrides_match_first() {
        let (d, p) = write(
            "[validate]\nschema = \"all.rng\"\n[[validate.overrides]]\nfiles = [\"letters/**/*.xml\"]\nschema = \"l.rng\"\n[diagnostics]\nignore = [\"x/y\"]\nwarn = [\"a/b\"]\n",
        );
        let c = read(&p).unwrap();
        assert_eq!(
            c.schema_for(Some(&d.path().join("letters/1/a.xml"))),
            Some("l.rng")
        );
        assert_eq!(
            c.schema_for(Some(&d.path().join("other/a.xml"))),
            Some("all.rng")
        );
        let out = c.apply(vec![
            Diagnostic::error("x/y", "gone"),
            Diagnostic::error("a/b", "softer"),
        ]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Severity::Warning);
    }
}
