//! `teikit validate` (and `teikit check`): well-formedness (teikit-xml, after XInclude),
//! then RELAX NG against the schema resolved for each document, in the contract's order:
//! `--schema`; the document's `<?xml-model href?>` (a local path, a URL an `--catalog`
//! maps, or an official TEI schema URL whose schema is known by name; any other URL is a
//! warning and the next source is tried); `teikit.toml`
//! (`[[validate.overrides]]`, then `[validate] schema`); the built-in `teikit-archive`.
//! After the grammar, TEI documents get the reference rules of `teikit-rules`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use teikit_diagnostics::{Diagnostic, FileReport, Span};
use teikit_relaxng::{IdCompat, LoadOptions};
use teikit_validate::Grammar;
use teikit_xml::Limits;

use super::schema::print_schema_errors;
use crate::args::{ValidateArgs, ValidateOptions};
use crate::catalog::Catalogs;
use crate::config;
use crate::inputs::{self, Input};
use crate::output::{OutputConfig, Printer, Stream};
use crate::schemas::{self, GrammarCache, SchemaRef};
use crate::{codes, write_result, Failure, Status};

/// The settled configuration of one `validate` run.
struct Config {
    inputs: Vec<Input>,
    /// `--schema`: one grammar for every document, and its name.
    fixed: Option<(Arc<Grammar>, String)>,
    project: Option<config::Config>,
    catalogs: Catalogs,
    load_options: LoadOptions,
    xinclude: bool,
    rules: bool,
    cache: GrammarCache,
    output: OutputConfig,
    max_errors: Option<usize>,
    jobs: Option<usize>,
}

/// What checking one document produced: its report, and those of included files with
/// diagnostics.
struct Outcome {
    reports: Vec<FileReport>,
    /// Unreadable input or unloadable schema: exit status 2.
    fatal: bool,
}

pub fn run(args: ValidateArgs) -> Result<Status, Failure> {
    run_with(&args.paths, args.schema.as_deref(), args.options)
}

/// `validate` with its paths, `--schema` and options (also what `check` runs).
pub fn run_with(
    paths: &[PathBuf],
    schema: Option<&str>,
    options: ValidateOptions,
) -> Result<Status, Failure> {
    let output = OutputConfig::resolve(&options.output, Stream::Stdout);
    let project = match config::discover() {
        Ok(c) => c,
        Err(report) => {
            super::schema::print_reports_stderr(vec![*report], &output);
            return Err(Failure::error(format!(
                "{} is incorrect: nothing was validated",
                config::FILE_NAME
            )));
        }
    };
    let mut catalog_files = options.catalogs.clone();
    if let Some(p) = &project {
        catalog_files.extend(p.catalogs.iter().cloned());
    }
    let catalogs = Catalogs::load(&catalog_files).map_err(Failure::error)?;
    let load_options = LoadOptions {
        url_map: catalogs.url_map(),
        id_compat: if options.no_id_check {
            IdCompat::Ignore
        } else {
            IdCompat::Error
        },
        ..LoadOptions::default()
    };
    let fixed = match schema {
        Some(s) => Some(load_fixed(s, &load_options, &output)?),
        None => None,
    };
    let xinclude = !options.no_xinclude && project.as_ref().is_none_or(|p| p.xinclude);
    let rules = !options.no_rules && project.as_ref().is_none_or(|p| p.rules);
    let config = Config {
        inputs: inputs::expand(paths, &["xml", "tei"])?,
        fixed,
        project,
        catalogs,
        load_options,
        xinclude,
        rules,
        cache: GrammarCache::default(),
        output,
        max_errors: options.max_errors,
        jobs: options.jobs,
    };
    execute(&config)
}

fn execute(config: &Config) -> Result<Status, Failure> {
    let mut printer = Printer::new(&config.output, config.inputs.len(), "validated")
        .max_errors(config.max_errors);
    let mut fatal = false;
    let mut closed = false;
    super::ordered_parallel(
        &config.inputs,
        config.jobs,
        |input| check(input, config),
        |outcome| {
            fatal |= outcome.fatal;
            for report in outcome.reports {
                if write_result(printer.push(report))?.is_none() {
                    closed = true;
                    return Ok(false);
                }
            }
            Ok(true)
        },
    )?;
    if closed {
        return Ok(Status::Success);
    }
    let Some(summary) = write_result(printer.finish())? else {
        return Ok(Status::Success);
    };
    Ok(if fatal {
        Status::Error
    } else if summary.all_valid() {
        Status::Success
    } else {
        Status::Failure
    })
}

/// The schema chosen for a document.
enum Choice {
    Grammar(Arc<Grammar>, String),
    /// It cannot be loaded: its name, why, and the `<?xml-model?>` naming it.
    /// `hint` is what to pass to `teikit schema check`.
    Unloadable {
        name: String,
        reason: String,
        span: Option<Span>,
        hint: Option<String>,
    },
}

/// Reads, decodes, expands XIncludes, parses and validates one document.
fn check(input: &Input, config: &Config) -> Outcome {
    let path = input.display();
    let bytes = match input.read() {
        Ok(b) => b,
        Err(e) => {
            let d = Diagnostic::error(
                codes::UNREADABLE,
                format!("cannot read {path}: {}", inputs::io_reason(&e)),
            );
            return Outcome {
                reports: vec![FileReport::new(path, None, vec![d])],
                fatal: true,
            };
        }
    };
    let text = match teikit_xml::decode(&bytes) {
        Ok(t) => t.into_owned(),
        Err(d) => {
            let d = apply_project(config, vec![d]);
            return done(FileReport::new(path, Some(bytes.into()), d), false);
        }
    };
    let file_path = match input {
        Input::File { path, .. } => path.clone(),
        Input::Stdin(_) => PathBuf::from("-"),
    };
    let expanded = config
        .xinclude
        .then(|| teikit_xinclude::expand(&file_path, &text, &teikit_xinclude::Options::default()))
        .filter(|e| !e.is_identity() || !e.diagnostics.is_empty());
    let merged = expanded.as_ref().map_or(text.as_str(), |e| e.text.as_str());
    let mut storage = String::new();
    let mut diags = Vec::new();
    let mut schema_name = None;
    let mut fatal = false;
    match teikit_xml::parse_with_storage(merged, &Limits::default(), &mut storage) {
        Err(d) => diags.push(d),
        Ok(doc) => match choose(&doc, input, config, &mut diags) {
            Choice::Grammar(grammar, name) => {
                diags.extend(grammar.validate(&doc));
                if config.rules {
                    diags.extend(teikit_rules::check(&doc));
                }
                schema_name = Some(name);
            }
            Choice::Unloadable {
                name,
                reason,
                span,
                hint,
            } => {
                let mut d = Diagnostic::error(
                    codes::SCHEMA_UNLOADABLE,
                    format!("schema {name} cannot be loaded: {reason}"),
                );
                if let Some(hint) = hint {
                    d = d.with_help(format!("check it with `teikit schema check {hint}`"));
                }
                if let Some(span) = span {
                    d = d.with_label(span, "schema named here");
                }
                diags.push(d);
                schema_name = Some(name);
                fatal = true;
            }
        },
    }
    let with_schema = |r: FileReport| match &schema_name {
        Some(n) => r.with_schema(n.clone()),
        None => r,
    };
    let Some(expanded) = expanded else {
        let diags = apply_project(config, diags);
        let source: Arc<[u8]> = Arc::from(text.as_bytes());
        return done(
            with_schema(FileReport::new(path, Some(source), diags)),
            fatal,
        );
    };
    // Diagnostics of the merged text go back to the file each one belongs to.
    let mut groups = expanded.remap_all(diags);
    if groups.first().is_none_or(|(f, _)| *f != 0) {
        groups.insert(0, (0, Vec::new()));
    }
    let reports = groups
        .into_iter()
        .map(|(f, diags)| {
            let file = &expanded.files[f];
            let shown = if f == 0 {
                path.clone()
            } else {
                file.path.display().to_string()
            };
            let source: Arc<[u8]> = Arc::from(file.text.as_bytes());
            with_schema(FileReport::new(
                shown,
                Some(source),
                apply_project(config, diags),
            ))
        })
        .collect();
    Outcome { reports, fatal }
}

fn apply_project(config: &Config, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    match &config.project {
        Some(p) => p.apply(diags),
        None => diags,
    }
}

/// Resolves the schema of one document in the contract's order; warnings about sources
/// skipped go to `diags`.
fn choose(
    doc: &roxmltree::Document<'_>,
    input: &Input,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) -> Choice {
    if let Some((grammar, name)) = &config.fixed {
        return Choice::Grammar(grammar.clone(), name.clone());
    }
    let get = |schema: &SchemaRef, name: String, span: Option<Span>| match config
        .cache
        .get(schema, &config.load_options)
    {
        Ok(g) => Choice::Grammar(g, name),
        Err(reason) => Choice::Unloadable {
            name,
            reason,
            span,
            hint: Some(match schema {
                SchemaRef::File(p) => p.display().to_string(),
                SchemaRef::Builtin => schemas::BUILTIN_NAME.to_string(),
            }),
        },
    };
    if let Some(model) = teikit_xml::xml_model(doc)
        .into_iter()
        .find(|m| m.is_relaxng())
    {
        let href = model.href.clone();
        if href.starts_with("http://") || href.starts_with("https://") {
            if let Some(local) = config.catalogs.lookup(&href) {
                return get(&SchemaRef::File(local), href, Some(model.span));
            }
            // An official TEI schema URL, when that schema is known by name (a copy in
            // TEIKIT_SCHEMA_PATH or the user cache, as `teikit schema fetch` explains).
            let named = schemas::official_tei_name(&href).and_then(schemas::by_name);
            if let Some(n) = named.filter(|n| n.schema != SchemaRef::Builtin) {
                return get(&n.schema, n.name, Some(model.span));
            }
            let next = if config
                .project
                .as_ref()
                .is_some_and(|p| p.schema_for(input_path(input)).is_some())
            {
                "the schema of teikit.toml".to_string()
            } else {
                format!("the built-in {}", schemas::BUILTIN_NAME)
            };
            diags.push(
                Diagnostic::warning(
                    codes::REMOTE_SCHEMA,
                    format!("schema {href} is not loaded: teikit never uses the network; {next} is used instead"),
                )
                .with_label(model.span, "remote schema")
                .with_help("map the URL to a local copy with --catalog FILE, pass --schema, or point href at a local file"),
            );
        } else {
            return get(
                &SchemaRef::File(resolve_href(input, &href)),
                href,
                Some(model.span),
            );
        }
    }
    if let Some(project) = &config.project {
        if let Some(spec) = project.schema_for(input_path(input)) {
            return match schemas::resolve_spec(spec, Some(&project.dir)) {
                Ok(r) => get(&r, spec.to_string(), None),
                Err(reason) => Choice::Unloadable {
                    name: spec.to_string(),
                    reason,
                    span: None,
                    hint: None,
                },
            };
        }
    }
    get(&SchemaRef::Builtin, schemas::BUILTIN_NAME.to_string(), None)
}

fn input_path(input: &Input) -> Option<&Path> {
    match input {
        Input::File { path, .. } => Some(path),
        Input::Stdin(_) => None,
    }
}

fn done(report: FileReport, fatal: bool) -> Outcome {
    Outcome {
        reports: vec![report],
        fatal,
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

/// Loads `--schema` (a path or a known name); failure is exit status 2 with the schema's
/// diagnostics on stderr.
fn load_fixed(
    spec: &str,
    options: &LoadOptions,
    output: &OutputConfig,
) -> Result<(Arc<Grammar>, String), Failure> {
    let schema = schemas::resolve_spec(spec, None).map_err(Failure::error)?;
    match schemas::load(&schema, options) {
        Ok(s) => Ok((schemas::compile(s), spec.to_string())),
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
