//! Per-file results handed to the printers, and the counts over a batch.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::{Diagnostic, Severity};

/// The diagnostics of one input file, with the bytes their spans point into.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// The path as the user gave it (or as found in a folder walk), `-` for standard input.
    pub path: String,
    /// The file's bytes, when they could be read; spans of `diagnostics` index into them.
    pub source: Option<Arc<[u8]>>,
    /// The schema used, by name or path (validation only).
    pub schema: Option<String>,
    /// Valid / converted cleanly (no error-severity diagnostic and nothing fatal).
    pub valid: bool,
    /// The file written (conversion only).
    pub output: Option<String>,
    /// What was found, sorted by offset.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// A report on `path` whose spans index into `source`; it is valid when no diagnostic is an
    /// error. `schema` and `output` are unset.
    pub fn new(
        path: impl Into<String>,
        source: Option<Arc<[u8]>>,
        diagnostics: Vec<Diagnostic>,
    ) -> FileReport {
        FileReport {
            path: path.into(),
            source,
            schema: None,
            valid: !diagnostics.iter().any(Diagnostic::is_error),
            output: None,
            diagnostics,
        }
    }

    /// Sets the schema name or path.
    pub fn with_schema(mut self, schema: impl Into<String>) -> FileReport {
        self.schema = Some(schema.into());
        self
    }

    /// Sets the output file written.
    pub fn with_output(mut self, output: impl Into<String>) -> FileReport {
        self.output = Some(output.into());
        self
    }

    /// Number of diagnostics of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Counts over a batch of [`FileReport`]s, as in the `summary` of `--format json`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Files reported.
    pub files: usize,
    /// Files whose report is valid.
    pub valid: usize,
    /// Files whose report is not valid.
    pub invalid: usize,
    /// Error diagnostics, over all files.
    pub errors: usize,
    /// Warning diagnostics, over all files.
    pub warnings: usize,
}

impl Summary {
    /// The counts over `reports`.
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut s = Summary::default();
        for r in reports {
            s.add(r);
        }
        s
    }

    /// Counts one more report.
    pub fn add(&mut self, report: &FileReport) {
        self.files += 1;
        if report.valid {
            self.valid += 1;
        } else {
            self.invalid += 1;
        }
        self.errors += report.count(Severity::Error);
        self.warnings += report.count(Severity::Warning);
    }

    /// True when every file is valid (exit status 0 of the CLI contract).
    pub fn all_valid(&self) -> bool {
        self.invalid == 0
    }
}

/// `3 files: 2 valid, 1 invalid; 4 errors, 1 warning`.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn plural(n: usize, one: &str) -> String {
            if n == 1 {
                format!("{n} {one}")
            } else {
                format!("{n} {one}s")
            }
        }
        write!(
            f,
            "{}: {} valid, {} invalid; {}, {}",
            plural(self.files, "file"),
            self.valid,
            self.invalid,
            plural(self.errors, "error"),
            plural(self.warnings, "warning")
        )
    }
}

/// The output formats of `--format` (see the CLI contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// miette's graphical report.
    Human,
    /// One `path:line:column: severity: message [code]` line per diagnostic.
    Short,
    /// One JSON document (version 1).
    Json,
    /// GitHub Actions workflow commands.
    Github,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
}

impl Format {
    /// Every format, in the order of the CLI contract.
    pub const ALL: [Format; 6] = [
        Format::Human,
        Format::Short,
        Format::Json,
        Format::Github,
        Format::Sarif,
        Format::Junit,
    ];

    /// The name used by `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Short => "short",
            Format::Json => "json",
            Format::Github => "github",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
        }
    }

    /// The contract's default: `human` when standard output is a terminal, `short` when piped.
    pub fn default_for(stdout_is_terminal: bool) -> Format {
        if stdout_is_terminal {
            Format::Human
        } else {
            Format::Short
        }
    }

    /// True for formats written file by file as reports arrive (`human`, `short`, `github`,
    /// and `json`, whose document is written incrementally); `sarif` and `junit` need every
    /// report before they can write anything.
    pub fn is_streaming(self) -> bool {
        !matches!(self, Format::Sarif | Format::Junit)
    }

    /// True for the formats meant for people rather than programs.
    pub fn is_human_readable(self) -> bool {
        matches!(self, Format::Human | Format::Short)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing an unknown format name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown format {:?} (expected one of: human, short, json, github, sarif, junit)",
            self.0
        )
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        assert!("xml".parse::<Format>().is_err());
    }

    #[test]
    fn summary_counts() {
        let a = FileReport::new(
            "a.xml",
            None,
            vec![
                Diagnostic::error("x/a", "e").with_label(Span::new(0, 1), ""),
                Diagnostic::warning("x/b", "w"),
                Diagnostic::error("x/c", "e"),
            ],
        );
        let b = FileReport::new("b.xml", None, vec![Diagnostic::warning("x/b", "w")]);
        let s = Summary::of(&[a, b]);
        assert_eq!(
            s,
            Summary {
                files: 2,
                valid: 1,
                invalid: 1,
                errors: 2,
                warnings: 2
            }
        );
        assert!(!s.all_valid());
        assert_eq!(
            s.to_string(),
            "2 files: 1 valid, 1 invalid; 2 errors, 2 warnings"
        );
    }
}
