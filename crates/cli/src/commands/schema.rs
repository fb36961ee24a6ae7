//! `teikit schema check`, and the rendering of schema-loading errors shared with `validate`.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use teikit_diagnostics::{FileReport, Format, RenderOptions, Renderer};
use teikit_relaxng::{LoadOptions, SchemaErrors};

use crate::args::SchemaCheckArgs;
use crate::output::{OutputConfig, Printer, Stream};
use crate::{write_result, Failure, Status};

/// `teikit schema check SCHEMA`: 0 correct, 1 incorrect (diagnostics point into the schema
/// files), 2 unreadable.
pub fn check(args: SchemaCheckArgs) -> Result<Status, Failure> {
    let output = OutputConfig::resolve(&args.output, Stream::Stdout);
    if !args.schema.exists() {
        return Err(Failure::error(format!(
            "cannot read {}: No such file or directory",
            args.schema.display()
        )));
    }
    match teikit_relaxng::load(&args.schema, &LoadOptions::default()) {
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

/// Prints the diagnostics of a schema that cannot be used on standard error (human when it is
/// a terminal, else short; or the chosen format when that is human or short).
pub fn print_schema_errors(e: &SchemaErrors, output: &OutputConfig) {
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
    for report in load_error_reports(e) {
        let _ = renderer.push(&report, &mut err);
    }
    let _ = renderer.finish(&mut err);
    let _ = err.flush();
}
