//! `teikit validate` (and `teikit check`): well-formedness (teikit-xml, after XInclude),
//! then RELAX NG against the schema resolved for each document, in the contract's order:
//! `--schema`; the document's `<?xml-model href?>` (a local path, a URL an `--catalog`
//! maps, or an official TEI schema URL whose schema is known by name; any other URL is a
//! warning and the next source is tried); `teikit.toml`
//! (`[[validate.overrides]]`, then `[validate] schema`); the built-in `teikit-archive`.
//! After the grammar, TEI documents get the reference rules of `teikit-rules`.
//!
//! Files of [`STREAM_THRESHOLD`] bytes or more (every file with `--stream`, none with
//! `--no-stream`) are streamed: quick-xml events go straight into the validator
//! (`teikit_validate::stream`), so memory is bounded by nesting depth and the largest text
//! node instead of growing with the file. The schema is chosen from the prolog alone. The
//! stream gives the tree path's diagnostics; what it cannot judge itself (a DOCTYPE, an
//! encoding other than UTF-8, XInclude, …) makes the file go through the tree path after
//! all. The reference rules need the tree and are reported as skipped (an info diagnostic).

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use teikit_diagnostics::{Diagnostic, FileReport, Severity, Span};
use teikit_relaxng::{IdCompat, LoadOptions};
use teikit_validate::stream::{StreamOptions, StreamOutcome};
use teikit_validate::Grammar;
use teikit_xml::Limits;

use super::schema::print_schema_errors;
use super::{Emit, Sent};
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
    /// `--stream` (`Some(true)`), `--no-stream` (`Some(false)`), or by size.
    stream: Option<bool>,
}

/// Files of this many bytes or more are streamed unless `--no-stream` is given: the tree of
/// a document takes about 8 times its size, so from here on the tree costs hundreds of MB.
pub const STREAM_THRESHOLD: u64 = 64 << 20;

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
        stream: match (options.stream, options.no_stream) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
    };
    execute(&config)
}

fn execute(config: &Config) -> Result<Status, Failure> {
    let mut printer = Printer::new(&config.output, config.inputs.len(), "validated")
        .max_errors(config.max_errors);
    let mut fatal = false;
    let mut closed = false;
    let size = |input: &Input| match input {
        Input::File { path, .. } => std::fs::metadata(path).map_or(0, |m| m.len()),
        Input::Stdin(bytes) => bytes.len() as u64,
    };
    super::ordered_parallel(
        &config.inputs,
        config.jobs,
        (config.inputs.len() > 1).then_some(&size as &(dyn Fn(&Input) -> u64 + Sync)),
        |input, emit| check(input, config, emit),
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

/// Reads, decodes, expands XIncludes, parses and validates one document, and sends what it
/// found before it frees the document's tree.
fn check(input: &Input, config: &Config, emit: Emit<'_, Outcome>) -> Sent {
    if let Some(outcome) = try_stream(input, config) {
        return emit.send(outcome);
    }
    let path = input.display();
    let raw = match input.read_shared() {
        Ok(b) => b,
        Err(e) => {
            let d = Diagnostic::error(
                codes::UNREADABLE,
                format!("cannot read {path}: {}", inputs::io_reason(&e)),
            );
            return emit.send(Outcome {
                reports: vec![FileReport::new(path, None, vec![d])],
                fatal: true,
            });
        }
    };
    let text = match teikit_xml::decode(&raw) {
        Ok(t) => t,
        Err(d) => {
            let d = apply_project(config, vec![d]);
            return emit.send(done(FileReport::new(path, Some(raw), d), false));
        }
    };
    // The report shows the decoded text; when that is the file's bytes as they are (UTF-8
    // without a byte order mark, the usual case) it shares them instead of a copy.
    let same_bytes = matches!(
        &text,
        std::borrow::Cow::Borrowed(t) if t.as_ptr() == raw.as_ptr() && t.len() == raw.len()
    );
    let file_path = match input {
        Input::File { path, .. } => path.clone(),
        Input::Stdin(_) => PathBuf::from("-"),
    };
    // `expand` returns the text unchanged when the XInclude namespace does not occur in it;
    // the test here saves it copying a document that the filter below would drop.
    let expanded = (config.xinclude && text.contains(teikit_xinclude::XINCLUDE_NS))
        .then(|| teikit_xinclude::expand(&file_path, &text, &teikit_xinclude::Options::default()))
        .filter(|e| !e.is_identity() || !e.diagnostics.is_empty());
    let merged = expanded.as_ref().map_or(&*text, |e| e.text.as_str());
    let mut storage = String::new();
    let mut diags = Vec::new();
    let mut schema_name = None;
    let mut fatal = false;
    // The tree lives to the end of the function, after the outcome is sent.
    let doc = match teikit_xml::read_with_storage(merged, &Limits::default(), &mut storage) {
        Err(d) => {
            diags.push(d);
            None
        }
        Ok(doc) => Some(doc),
    };
    if let Some(doc) = &doc {
        match choose(doc, input, config, &mut diags) {
            Choice::Grammar(grammar, name) => {
                // Both only read the tree: the rules run beside the grammar when a worker
                // thread is free (the last big file of a batch), one after the other if not.
                // The rules go first on this thread and the grammar is what a free thread
                // takes: a big document's validation can use a second thread itself, and a
                // thread done with the short rules joins in.
                let (rules, found) = rayon::join(
                    || config.rules.then(|| teikit_rules::check(doc)),
                    || grammar.validate(doc),
                );
                // Thousands of diagnostics are not copied into an empty list.
                if diags.is_empty() {
                    diags = found;
                } else {
                    diags.extend(found);
                }
                diags.extend(rules.into_iter().flatten());
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
        }
    }
    let with_schema = |r: FileReport| match &schema_name {
        Some(n) => r.with_schema(n.clone()),
        None => r,
    };
    let Some(expanded) = expanded else {
        let diags = apply_project(config, diags);
        let source: Arc<[u8]> = if same_bytes {
            raw.clone()
        } else {
            Arc::from(text.as_bytes())
        };
        return emit.send(done(
            with_schema(FileReport::new(path, Some(source), diags)),
            fatal,
        ));
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
    emit.send(Outcome { reports, fatal })
}

/// Streams a file when its size or `--stream` says so; `None` when the tree path must read
/// it (not streamed, or the stream falls back).
fn try_stream(input: &Input, config: &Config) -> Option<Outcome> {
    let Input::File { path: file, .. } = input else {
        return None;
    };
    let stream = match config.stream {
        Some(s) => s,
        None => std::fs::metadata(file).ok()?.len() >= STREAM_THRESHOLD,
    };
    if !stream {
        return None;
    }
    let path = input.display();
    let unreadable = |e: std::io::Error| {
        let d = Diagnostic::error(
            codes::UNREADABLE,
            format!("cannot read {path}: {}", inputs::io_reason(&e)),
        );
        Outcome {
            reports: vec![FileReport::new(path.clone(), None, vec![d])],
            fatal: true,
        }
    };
    // The schema, from the prolog (`<?xml-model?>`) or the configuration.
    let mut diags = Vec::new();
    let (grammar, name) = match &config.fixed {
        Some((g, n)) => (g.clone(), n.clone()),
        None => {
            let prolog = match read_prolog(file) {
                Ok(p) => p?,
                Err(e) => return Some(unreadable(e)),
            };
            let doc = teikit_xml::read(&prolog, &Limits::default()).ok()?;
            match choose(&doc, input, config, &mut diags) {
                Choice::Grammar(g, n) => (g, n),
                // The tree path reports it.
                Choice::Unloadable { .. } => return None,
            }
        }
    };
    let options = StreamOptions {
        limits: Limits::default(),
        max_diagnostics: config.max_errors,
        fallback_on_xinclude: config.xinclude,
    };
    let reader = match std::fs::File::open(file) {
        Ok(f) => BufReader::with_capacity(1 << 16, f),
        Err(e) => return Some(unreadable(e)),
    };
    let report = match teikit_validate::validate_reader(&grammar, reader, &options) {
        Ok(StreamOutcome::Checked(r)) => r,
        Ok(StreamOutcome::Fallback(_)) => return None,
        Err(e) => return Some(unreadable(e)),
    };
    let well_formed = report.well_formed;
    if well_formed {
        diags.extend(report.diagnostics);
        if config.rules && report.root_namespace.as_deref() == Some(teikit_rules::TEI_NS) {
            diags.push(
                Diagnostic::new(
                    Severity::Info,
                    codes::RULES_SKIPPED,
                    "the TEI reference rules did not run: the document was streamed",
                )
                .with_help("pass --no-stream to run them (the whole tree is then built)"),
            );
        }
    } else {
        // As in the tree path: a document that is not well-formed gets only that error.
        diags = report.diagnostics;
    }
    let diags = apply_project(config, diags);
    // The printers need the bytes the spans point into: read back only up to the end of
    // the line of the last label (nothing for a clean file).
    let last = diags
        .iter()
        .flat_map(|d| d.labels.iter())
        .map(|l| l.span.end())
        .max();
    let source = match last {
        None => None,
        Some(end) => match read_through_line(file, end) {
            Ok(b) => Some(Arc::from(b)),
            Err(e) => return Some(unreadable(e)),
        },
    };
    let mut r = FileReport::new(path.clone(), source, diags);
    if well_formed {
        r = r.with_schema(name);
    }
    Some(done(r, false))
}

/// The document's prolog with an empty root element after it, to choose the schema from its
/// `<?xml-model?>` instructions; `Ok(None)` when there is no plain prolog in the first MiB
/// (a DOCTYPE, no root element yet): the tree path then reads the file.
fn read_prolog(file: &Path) -> std::io::Result<Option<String>> {
    let mut head = Vec::new();
    std::fs::File::open(file)?
        .take(1 << 20)
        .read_to_end(&mut head)?;
    let mut r = quick_xml::Reader::from_reader(&head[..]);
    loop {
        let at = r.buffer_position() as usize;
        match r.read_event() {
            Ok(quick_xml::events::Event::Start(_) | quick_xml::events::Event::Empty(_)) => {
                let Ok(prolog) = std::str::from_utf8(&head[..at]) else {
                    return Ok(None);
                };
                return Ok(Some(format!("{prolog}<r/>")));
            }
            Ok(quick_xml::events::Event::DocType(_) | quick_xml::events::Event::Eof) | Err(_) => {
                return Ok(None)
            }
            Ok(_) => {}
        }
    }
}

/// The file's bytes from its start through the end of the line holding offset `end`.
fn read_through_line(file: &Path, end: usize) -> std::io::Result<Vec<u8>> {
    let mut f = BufReader::new(std::fs::File::open(file)?);
    let mut out = Vec::new();
    (&mut f).take(end as u64).read_to_end(&mut out)?;
    let mut rest = Vec::new();
    std::io::BufRead::read_until(&mut f, b'\n', &mut rest)?;
    out.extend_from_slice(&rest);
    Ok(out)
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
    doc: &teikit_xml::Document<'_>,
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
        Ok(g) => Ok((g, spec.to_string())),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prolog_for_choosing_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.xml");
        let write = |s: &str| std::fs::write(&file, s).unwrap();
        write("<?xml version=\"1.0\"?>\n<?xml-model href=\"s.rng\"?>\n<TEI><p/></TEI>");
        let p = read_prolog(&file).unwrap().unwrap();
        assert_eq!(
            p,
            "<?xml version=\"1.0\"?>\n<?xml-model href=\"s.rng\"?>\n<r/>"
        );
        let doc = teikit_xml::read(&p, &Limits::default()).unwrap();
        assert_eq!(teikit_xml::xml_model(&doc)[0].href, "s.rng");
        write("<!DOCTYPE TEI SYSTEM \"tei.dtd\"><TEI/>");
        assert_eq!(read_prolog(&file).unwrap(), None);
        write("<!-- no element -->");
        assert_eq!(read_prolog(&file).unwrap(), None);
    }

    #[test]
    fn source_read_back_through_the_last_labelled_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.xml");
        std::fs::write(&file, "<a>\n<b/>\n<c/>\n</a>\n").unwrap();
        assert_eq!(read_through_line(&file, 5).unwrap(), b"<a>\n<b/>\n");
        assert_eq!(read_through_line(&file, 0).unwrap(), b"<a>\n");
        assert_eq!(
            read_through_line(&file, 99).unwrap(),
            b"<a>\n<b/>\n<c/>\n</a>\n"
        );
    }
}
