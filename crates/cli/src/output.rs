//! Where and how reports are printed: the settled output configuration (format, colour,
//! quiet), the merged code registry, the ordered streaming of reports and the progress bar.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use teikit_diagnostics::{CodeDoc, FileReport, Format, RenderOptions, Renderer, Severity, Summary};

use crate::args::{ColorArg, FormatArg, OutputArgs};

/// Which stream the diagnostics go to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Output settings resolved from flags, environment and terminal.
#[derive(Clone, Debug)]
pub struct OutputConfig {
    pub format: Format,
    pub quiet: bool,
    pub stream: Stream,
    pub render: RenderOptions,
}

impl OutputConfig {
    /// Resolves `args` for output written to `stream`.
    pub fn resolve(args: &OutputArgs, stream: Stream) -> OutputConfig {
        let terminal = match stream {
            Stream::Stdout => io::stdout().is_terminal(),
            Stream::Stderr => io::stderr().is_terminal(),
        };
        let format = match args.format {
            Some(f) => format_of(f),
            None if terminal => Format::Human,
            None => Format::Short,
        };
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match args.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => terminal && !no_color,
        };
        OutputConfig {
            format,
            quiet: args.quiet,
            stream,
            render: RenderOptions {
                color,
                tool_version: env!("CARGO_PKG_VERSION").to_string(),
                codes: all_codes(),
                summary: !args.quiet,
                ..RenderOptions::default()
            },
        }
    }

    /// A writer for the configured stream.
    pub fn writer(&self) -> Box<dyn Write> {
        match self.stream {
            Stream::Stdout => Box::new(io::BufWriter::new(io::stdout().lock())),
            Stream::Stderr => Box::new(io::stderr().lock()),
        }
    }
}

fn format_of(f: FormatArg) -> Format {
    match f {
        FormatArg::Human => Format::Human,
        FormatArg::Short => Format::Short,
        FormatArg::Json => Format::Json,
        FormatArg::Github => Format::Github,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Junit => Format::Junit,
    }
}

/// Every diagnostic code of every crate, for SARIF rule descriptions.
pub fn all_codes() -> Vec<CodeDoc> {
    [
        teikit_xml::CODES,
        teikit_relaxng::CODES,
        teikit_validate::CODES,
        teikit_convert::CODES,
        teikit_xinclude::CODES,
        teikit_rules::CODES,
        crate::codes::CODES,
    ]
    .concat()
}

/// Prints reports in input order as they arrive (they may be produced out of order), with a
/// progress bar on standard error when it is a terminal and the batch is slow.
pub struct Printer<'o> {
    config: &'o OutputConfig,
    renderer: Renderer<'o>,
    out: Box<dyn Write>,
    progress: Progress,
    max_errors: Option<usize>,
}

impl<'o> Printer<'o> {
    pub fn new(config: &'o OutputConfig, total: usize, verb: &'static str) -> Printer<'o> {
        Printer {
            config,
            renderer: Renderer::new(config.format, &config.render),
            out: config.writer(),
            progress: Progress::new(total, verb),
            max_errors: None,
        }
    }

    /// Keeps at most `n` diagnostics per file (most severe and earliest first).
    pub fn max_errors(mut self, n: Option<usize>) -> Printer<'o> {
        self.max_errors = n;
        self
    }

    /// Prints one report.
    pub fn push(&mut self, mut report: FileReport) -> io::Result<()> {
        if let Some(n) = self.max_errors {
            report.diagnostics.sort_by(|a, b| {
                let key = |d: &teikit_diagnostics::Diagnostic| {
                    (
                        d.severity != Severity::Error,
                        d.primary_span().map(|s| s.offset),
                    )
                };
                key(a).cmp(&key(b))
            });
            report.diagnostics.truncate(n);
        }
        self.progress.clear();
        let skip = self.config.quiet
            && self.config.format.is_human_readable()
            && report.valid
            && report
                .diagnostics
                .iter()
                .all(|d| d.severity == Severity::Info);
        if skip {
            self.renderer.push(
                &FileReport {
                    diagnostics: Vec::new(),
                    ..report
                },
                &mut io::sink(),
            )?;
        } else {
            // The machine formats carry the schema as a field; the graphical report names it
            // before the diagnostics it explains.
            if self.config.format == Format::Human && !report.diagnostics.is_empty() {
                if let Some(schema) = &report.schema {
                    writeln!(
                        self.out,
                        "{}: validated against schema {schema}",
                        report.path
                    )?;
                }
            }
            self.renderer.push(&report, &mut self.out)?;
            self.out.flush()?;
        }
        self.progress.tick();
        Ok(())
    }

    /// Ends the output; returns the counts.
    pub fn finish(mut self) -> io::Result<Summary> {
        self.progress.clear();
        self.renderer.finish(&mut self.out)
    }
}

/// A one-line progress indicator on standard error, drawn only when it is a terminal and
/// the batch has run for more than a second.
struct Progress {
    enabled: bool,
    total: usize,
    done: usize,
    start: Instant,
    drawn: bool,
    verb: &'static str,
}

impl Progress {
    fn new(total: usize, verb: &'static str) -> Progress {
        Progress {
            enabled: total > 1 && io::stderr().is_terminal(),
            total,
            done: 0,
            start: Instant::now(),
            drawn: false,
            verb,
        }
    }

    fn tick(&mut self) {
        self.done += 1;
        if !self.enabled || self.start.elapsed() < Duration::from_secs(1) || self.done >= self.total
        {
            return;
        }
        let width = 30;
        let filled = width * self.done / self.total.max(1);
        let mut err = io::stderr().lock();
        let _ = write!(
            err,
            "\r[{}{}] {}/{} {}",
            "#".repeat(filled),
            " ".repeat(width - filled),
            self.done,
            self.total,
            self.verb
        );
        let _ = err.flush();
        self.drawn = true;
    }

    fn clear(&mut self) {
        if self.drawn {
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}
