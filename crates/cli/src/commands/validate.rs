//! `teikit validate`: well-formedness (teikit-xml), then RELAX NG when a schema is known —
//! `--schema`, else the document's `<?xml-model?>` when it names a local file. Without a
//! schema only well-formedness is checked, and the command says so.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use teikit_diagnostics::{Diagnostic, FileReport, Span};
use teikit_relaxng::LoadOptions;
use teikit_validate::Grammar;
use teikit_xml::Limits;

use super::schema::{load_error_reports, print_schema_errors};
use crate::args::ValidateArgs;
use crate::codes;
use crate::inputs::{self, Input};
use crate::output::{OutputConfig, Printer, Stream};
use crate::{write_result, Failure, Status};

/// The settled configuration of one `validate` run.
struct Config {
    inputs: Vec<Input>,
    schema: SchemaSource,
    output: OutputConfig,
    max_errors: Option<usize>,
    jobs: Option<usize>,
}

/// Where documents get their schema from.
enum SchemaSource {
    /// `--schema`: one grammar for every document.
    Fixed { grammar: Arc<Grammar>, name: String },
    /// Each document's `<?xml-model?>`; grammars cached by path, loaded once.
    PerDocument(Mutex<HashMap<PathBuf, Arc<OnceLock<Loaded>>>>),
}

/// A schema loaded for documents that name it.
type Loaded = Result<Arc<Grammar>, String>;

/// What checking one document produced.
struct Outcome {
    report: FileReport,
    /// Unreadable input or unloadable schema: exit status 2.
    fatal: bool,
    /// Only well-formedness was checked.
    no_schema: bool,
}

pub fn run(args: ValidateArgs) -> Result<Status, Failure> {
    let output = OutputConfig::resolve(&args.output, Stream::Stdout);
    let schema = match &args.schema {
        Some(s) => {
            let (grammar, name) = load_fixed(s, &output)?;
            SchemaSource::Fixed { grammar, name }
        }
        None => SchemaSource::PerDocument(Mutex::new(HashMap::new())),
    };
    let config = Config {
        inputs: inputs::expand(&args.paths, &["xml", "tei"])?,
        schema,
        output,
        max_errors: args.max_errors,
        jobs: args.jobs,
    };
    execute(&config)
}

fn execute(config: &Config) -> Result<Status, Failure> {
    let mut printer = Printer::new(&config.output, config.inputs.len(), "validated")
        .max_errors(config.max_errors);
    let mut fatal = false;
    let mut no_schema = 0;
    let mut closed = false;
    super::ordered_parallel(
        &config.inputs,
        config.jobs,
        |input| check(input, &config.schema),
        |outcome| {
            fatal |= outcome.fatal;
            no_schema += usize::from(outcome.no_schema);
            match write_result(printer.push(outcome.report))? {
                Some(()) => Ok(true),
                None => {
                    closed = true;
                    Ok(false)
                }
            }
        },
    )?;
    if closed {
        return Ok(Status::Success);
    }
    let Some(summary) = write_result(printer.finish())? else {
        return Ok(Status::Success);
    };
    if no_schema > 0 && !config.output.quiet {
        let what = if no_schema == 1 {
            "1 document names".to_string()
        } else {
            format!("{no_schema} documents name")
        };
        eprintln!(
            "teikit: note: {what} no local RELAX NG schema (no --schema, no <?xml-model href?>): \
             only well-formedness was checked"
        );
    }
    Ok(if fatal {
        Status::Error
    } else if summary.all_valid() {
        Status::Success
    } else {
        Status::Failure
    })
}

/// Reads, decodes, parses and validates one document.
fn check(input: &Input, schema: &SchemaSource) -> Outcome {
    let path = input.display();
    let bytes = match input.read() {
        Ok(b) => b,
        Err(e) => {
            let d = Diagnostic::error(
                codes::UNREADABLE,
                format!("cannot read {path}: {}", inputs::io_reason(&e)),
            );
            return Outcome {
                report: FileReport::new(path, None, vec![d]),
                fatal: true,
                no_schema: false,
            };
        }
    };
    let text = match teikit_xml::decode(&bytes) {
        Ok(t) => t.into_owned(),
        Err(d) => return done(FileReport::new(path, Some(bytes.into()), vec![d]), false),
    };
    let source: Arc<[u8]> = Arc::from(text.as_bytes());
    let mut storage = String::new();
    let doc = match teikit_xml::parse_with_storage(&text, &Limits::default(), &mut storage) {
        Ok(doc) => doc,
        Err(d) => return done(FileReport::new(path, Some(source), vec![d]), false),
    };
    match schema {
        SchemaSource::Fixed { grammar, name } => {
            let diags = grammar.validate(&doc);
            done(
                FileReport::new(path, Some(source), diags).with_schema(name.clone()),
                false,
            )
        }
        SchemaSource::PerDocument(cache) => {
            let Some(model) = teikit_xml::xml_model(&doc)
                .into_iter()
                .find(|m| m.is_relaxng())
            else {
                return Outcome {
                    report: FileReport::new(path, Some(source), Vec::new()),
                    fatal: false,
                    no_schema: true,
                };
            };
            let href = model.href.clone();
            if href.starts_with("http://") || href.starts_with("https://") {
                let d = Diagnostic::warning(
                    codes::REMOTE_SCHEMA,
                    format!("schema {href} is not loaded: teikit never uses the network; only well-formedness was checked"),
                )
                .with_label(model.span, "remote schema")
                .with_help("download the schema and pass it with --schema FILE, or point href at a local copy");
                return Outcome {
                    report: FileReport::new(path, Some(source), vec![d]),
                    fatal: false,
                    no_schema: false,
                };
            }
            let schema_path = resolve_href(input, &href);
            match load_cached(cache, &schema_path) {
                Ok(grammar) => {
                    let diags = grammar.validate(&doc);
                    done(
                        FileReport::new(path, Some(source), diags).with_schema(href),
                        false,
                    )
                }
                Err(reason) => {
                    let d = Diagnostic::error(
                        codes::SCHEMA_UNLOADABLE,
                        format!("schema {href} cannot be loaded: {reason}"),
                    )
                    .with_label(model.span, "schema named here")
                    .with_help(format!(
                        "check it with `teikit schema check {}`",
                        schema_path.display()
                    ));
                    done(
                        FileReport::new(path, Some(source), vec![d]).with_schema(href),
                        true,
                    )
                }
            }
        }
    }
}

fn done(report: FileReport, fatal: bool) -> Outcome {
    Outcome {
        report,
        fatal,
        no_schema: false,
    }
}

/// An `href` relative to the document's folder (the working directory for stdin).
fn resolve_href(input: &Input, href: &str) -> PathBuf {
    let href = href.strip_prefix("file://").unwrap_or(href);
    let href = Path::new(href);
    if href.is_absolute() {
        return href.to_path_buf();
    }
    match input {
        Input::File { path, .. } => path
            .parent()
            .map_or_else(|| href.to_path_buf(), |dir| dir.join(href)),
        Input::Stdin(_) => href.to_path_buf(),
    }
}

fn load_cached(cache: &Mutex<HashMap<PathBuf, Arc<OnceLock<Loaded>>>>, path: &Path) -> Loaded {
    let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let cell = {
        let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key).or_default().clone()
    };
    cell.get_or_init(
        || match teikit_relaxng::load(path, &LoadOptions::default()) {
            Ok(schema) => Ok(Arc::new(Grammar::new(schema))),
            Err(e) => Err(match load_error_reports(&e).first() {
                Some(first) => first_error_line(first),
                None => "unreadable".to_string(),
            }),
        },
    )
    .clone()
}

/// `file:line:col: message` of the first diagnostic of a schema's report.
fn first_error_line(report: &FileReport) -> String {
    let Some(d) = report.diagnostics.first() else {
        return report.path.clone();
    };
    match (d.primary_span(), &report.source) {
        (Some(Span { offset, .. }), Some(src)) => {
            let (l, c) = teikit_diagnostics::LineIndex::new(src).line_col(src, offset);
            format!("{}:{l}:{c}: {}", report.path, d.message)
        }
        // Unreadable: the loader's message names the file already.
        _ => d.message.clone(),
    }
}

/// Loads `--schema`; failure is exit status 2 with the schema's diagnostics on stderr.
fn load_fixed(spec: &str, output: &OutputConfig) -> Result<(Arc<Grammar>, String), Failure> {
    let path = Path::new(spec);
    let is_file_like = spec.ends_with(".rng") || spec.ends_with(".rnc") || spec.contains('/');
    if !path.exists() && !is_file_like {
        return Err(Failure::error(format!(
            "schema {spec:?} is neither a file nor a known name (schema names such as tei_all come with `teikit schema list`, not available yet); pass a path to a .rng or .rnc file"
        )));
    }
    match teikit_relaxng::load(path, &LoadOptions::default()) {
        Ok(schema) => Ok((Arc::new(Grammar::new(schema)), spec.to_string())),
        Err(e) => {
            let count = e.errors.len();
            print_schema_errors(&e, output);
            let what = if e.unreadable {
                "cannot be read"
            } else {
                "is incorrect"
            };
            Err(Failure::error(format!(
                "schema {spec} {what} ({count} error{}): no document was validated",
                if count == 1 { "" } else { "s" }
            )))
        }
    }
}
