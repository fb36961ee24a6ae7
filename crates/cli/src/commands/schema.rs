//! `teikit schema check`, and the rendering of schema-loading errors shared with `validate`.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use teikit_diagnostics::{FileReport, Format, RenderOptions, Renderer};
use teikit_relaxng::{LoadOptions, SchemaErrors};

use crate::args::SchemaCheckArgs;
use crate::output::{OutputConfig, Printer, Stream};
use crate::schemas::{self, SchemaRef};
use crate::{write_result, Failure, Status};

/// `teikit schema check SCHEMA`: 0 correct, 1 incorrect (diagnostics point into the schema
/// files), 2 unreadable.
pub fn check(args: SchemaCheckArgs) -> Result<Status, Failure> {
    let output = OutputConfig::resolve(&args.output, Stream::Stdout);
    // A name from `teikit schema list` (e.g. the built-in teikit-archive) or a path.
    let spec = args.schema.to_string_lossy();
    let schema = match schemas::resolve_spec(&spec, None) {
        Ok(SchemaRef::File(p)) if !p.exists() => {
            return Err(Failure::error(format!(
                "cannot read {}: No such file or directory",
                p.display()
            )))
        }
        Ok(r) => r,
        Err(reason) => return Err(Failure::error(reason)),
    };
    match schemas::load(&schema, &LoadOptions::default()) {
        Ok(schema) => {
            let report = FileReport::new(args.schema.display().to_string(), None, Vec::new());
            let mut printer = Printer::new(&output, 1, "checked");
            if write_result(printer.push(report))?.is_none() {
                return Ok(Status::Success);
            }
            if write_result(printer.finish())?.is_none() {
                return Ok(Status::Success);
            }
            if !output.quiet && output.format.is_human_readable() {
                let files = schema.files.len();
                eprintln!(
                    "teikit: {} is a correct RELAX NG schema ({files} file{})",
                    args.schema.display(),
                    if files == 1 { "" } else { "s" }
                );
            }
            Ok(Status::Success)
        }
        Err(e) if e.unreadable => {
            print_schema_errors(&e, &output);
            Err(Failure::error(format!(
                "schema {} cannot be read",
                args.schema.display()
            )))
        }
        Err(e) => {
            let mut printer = Printer::new(&output, 1, "checked");
            for report in load_error_reports(&e) {
                if write_result(printer.push(report))?.is_none() {
                    return Ok(Status::Failure);
                }
            }
            write_result(printer.finish())?;
            Ok(Status::Failure)
        }
    }
}

/// One report per schema file that has diagnostics, in the order the files were read.
pub fn load_error_reports(e: &SchemaErrors) -> Vec<FileReport> {
    let mut reports: Vec<(String, FileReport)> = Vec::new();
    for (file, diag) in &e.errors {
        let path = file.path.display().to_string();
        match reports.iter_mut().find(|(p, _)| *p == path) {
            Some((_, r)) => {
                r.diagnostics.push(diag.clone());
                r.valid = false;
            }
            None => {
                let source: Arc<[u8]> = Arc::from(file.text.as_bytes());
                reports.push((
                    path.clone(),
                    FileReport::new(path, Some(source), vec![diag.clone()]),
                ));
            }
        }
    }
    reports.into_iter().map(|(_, r)| r).collect()
}

/// Prints the diagnostics of a schema that cannot be used on standard error.
pub fn print_schema_errors(e: &SchemaErrors, output: &OutputConfig) {
    print_reports_stderr(load_error_reports(e), output);
}

/// Prints reports on standard error (human when it is a terminal, else short; or the chosen
/// format when that is human or short).
pub fn print_reports_stderr(reports: Vec<FileReport>, output: &OutputConfig) {
    let format = if output.format.is_human_readable() {
        output.format
    } else if std::io::stderr().is_terminal() {
        Format::Human
    } else {
        Format::Short
    };
    let options = RenderOptions {
        summary: false,
        color: output.render.color && std::io::stderr().is_terminal(),
        ..output.render.clone()
    };
    let mut err = std::io::stderr().lock();
    let mut renderer = Renderer::new(format, &options);
    for report in reports {
        let _ = renderer.push(&report, &mut err);
    }
    let _ = renderer.finish(&mut err);
    let _ = err.flush();
}

/// `file:line:col: message` of the first error of a schema that cannot be loaded.
pub fn first_error_line(e: &SchemaErrors) -> String {
    let Some((file, d)) = e.errors.first() else {
        return "unreadable".to_string();
    };
    match d.primary_span() {
        Some(span) if !file.text.is_empty() => {
            let src = file.text.as_bytes();
            let (l, c) = teikit_diagnostics::LineIndex::new(src).line_col(src, span.offset);
            format!("{}:{l}:{c}: {}", file.path.display(), d.message)
        }
        // Unreadable: the loader's message names the file already.
        _ => d.message.clone(),
    }
}

/// `teikit schema list`: every schema known by name, where it comes from; the first of a
/// name is the one used.
pub fn list() -> Result<Status, Failure> {
    let known = schemas::known();
    let width = known.iter().map(|n| n.name.len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    let mut seen = std::collections::HashSet::new();
    for n in &known {
        let place = match &n.schema {
            SchemaRef::Builtin => "built-in (embedded in teikit)".to_string(),
            SchemaRef::File(p) => format!("{} ({})", p.display(), n.origin),
        };
        let shadowed = if seen.insert(n.name.clone()) {
            ""
        } else {
            " [shadowed by the first of that name]"
        };
        let line = format!("{:width$}  {place}{shadowed}", n.name);
        if write_result(writeln!(out, "{line}"))?.is_none() {
            return Ok(Status::Success);
        }
    }
    Ok(Status::Success)
}

/// The official TEI schemas `fetch` knows by name.
const TEI_SCHEMAS: &[&str] = &[
    "tei_all",
    "tei_lite",
    "tei_bare",
    "tei_minimal",
    "tei_simplePrint",
    "tei_corpus",
    "tei_speech",
    "tei_ms",
    "tei_drama",
    "tei_jtei",
    "tei_tite",
    "tei_dictionaries",
    "tei_math",
    "tei_svg",
    "tei_xinclude",
];

/// `teikit schema fetch NAME`: teikit never uses the network, so this only reports where the
/// schema already is (exit 0), or where to download it from and where to put it (exit 2).
pub fn fetch(name: &str) -> Result<Status, Failure> {
    if let Some(n) = schemas::by_name(name) {
        let place = match &n.schema {
            SchemaRef::Builtin => "built into teikit".to_string(),
            SchemaRef::File(p) => format!("{} ({})", p.display(), n.origin),
        };
        println!("{name} is already available: {place}");
        return Ok(Status::Success);
    }
    let dest = schemas::cache_dir().map_or_else(
        || "a folder listed in TEIKIT_SCHEMA_PATH".to_string(),
        |d| format!("{} (or a folder listed in TEIKIT_SCHEMA_PATH)", d.display()),
    );
    if !TEI_SCHEMAS.contains(&name) {
        return Err(Failure::usage(format!(
            "{name:?} is not an official TEI schema name (known: {}); put any .rng/.rnc file into {dest} to use it by name",
            TEI_SCHEMAS.join(", ")
        )));
    }
    Err(Failure::error(format!(
        "teikit does not download anything (it never uses the network), and {name} is not available locally.\n  \
         download {}{name}.rng by hand and save it as {name}.rng in {dest};\n  \
         `teikit schema list` then shows it and `--schema {name}` uses it",
        schemas::TEI_SCHEMA_BASE
    )))
}
