//! `teikit schema check`, and the rendering of schema-loading errors shared with `validate`.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use std::time::Instant;
use teikit_diagnostics::{FileReport, Format, RenderOptions, Renderer};

use teikit_relaxng::{IdCompat, LoadOptions, SchemaErrors};
use teikit_schema_cache::{fetch, Outcome, Source};

use crate::args::{SchemaCheckArgs, SchemaCompileArgs, SchemaFetchArgs};
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
    // Always from source: `schema check` is the authority on whether a schema is correct.
    match schemas::load_uncached(&schema, &LoadOptions::default()) {
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
            // Not dropped: freeing a big schema pattern by pattern took about 10 ms for
            // tei_all, and the process ends here (as `validate` keeps its grammars).
            std::mem::forget(schema);
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
        _ => d.message.to_string(),
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
    if let Some(cache) = schemas::compiled_cache() {
        let entries = cache.entries();
        if !entries.is_empty() {
            let mut text = format!("\ncompiled schemas in {}:\n", cache.dir().display());
            for e in entries {
                text.push_str(&format!(
                    "  {} ({} file{}, {} KB){}\n",
                    e.top.display(),
                    e.files,
                    if e.files == 1 { "" } else { "s" },
                    e.size.div_ceil(1024),
                    if e.current {
                        ""
                    } else {
                        " [another teikit build: unused]"
                    }
                ));
            }
            write_result(out.write_all(text.as_bytes()))?;
        }
    }
    Ok(Status::Success)
}

/// `teikit schema fetch NAME`: downloads an official TEI schema into the user schema folder
/// (checked to load as a correct schema before it is kept), then compiles it. Without
/// network: exit 2, naming the URL and where to put a copy by hand.
pub fn fetch(args: SchemaFetchArgs) -> Result<Status, Failure> {
    let name = args.name.as_str();
    if !args.force {
        if let Some(n) = schemas::by_name(name) {
            let place = match &n.schema {
                SchemaRef::Builtin => "built into teikit".to_string(),
                SchemaRef::File(p) => format!("{} ({})", p.display(), n.origin),
            };
            println!("{name} is already available: {place} (--force downloads it again)");
            return Ok(Status::Success);
        }
    }
    if !fetch::TEI_SCHEMAS.contains(&name) {
        return Err(Failure::usage(format!(
            "{name:?} is not an official TEI schema name (known: {}); put any .rng/.rnc file into {} to use it by name",
            fetch::TEI_SCHEMAS.join(", "),
            schemas::cache_dir().map_or_else(
                || "a folder listed in TEIKIT_SCHEMA_PATH".to_string(),
                |d| format!("{} (or a folder listed in TEIKIT_SCHEMA_PATH)", d.display())
            )
        )));
    }
    let Some(dir) = schemas::cache_dir() else {
        return Err(Failure::error(
            "there is no user cache folder (neither XDG_CACHE_HOME nor HOME is set)",
        ));
    };
    let mut options = fetch::Options::default();
    if let Some(base) = std::env::var_os("TEIKIT_FETCH_BASE_URL").filter(|v| !v.is_empty()) {
        options.base_url = base.to_string_lossy().into_owned();
    }
    let url = fetch::url_of(&options.base_url, name);
    eprintln!("teikit: downloading {url}");
    let started = Instant::now();
    match fetch::fetch(name, &dir, &options) {
        Ok(got) => {
            println!(
                "{name}: {} ({} KB, {:.1} s) is a correct RELAX NG schema; saved as {}",
                got.url,
                got.bytes.div_ceil(1024),
                started.elapsed().as_secs_f64(),
                got.path.display()
            );
            // Compiled now, so the first `validate` with it is fast too.
            if let Some(cache) = schemas::compiled_cache() {
                let loaded = cache.load(&Source::File(&got.path), &LoadOptions::default());
                if let Outcome::Miss {
                    written: Some(Err(reason)),
                    ..
                } = loaded.outcome
                {
                    eprintln!("teikit: warning: {name} was not compiled: {reason}");
                }
            }
            Ok(Status::Success)
        }
        Err(fetch::Error::NotASchema { url, errors }) => {
            let output = OutputConfig::resolve(
                &crate::args::OutputArgs {
                    format: None,
                    color: crate::args::ColorArg::Auto,
                    quiet: false,
                },
                Stream::Stderr,
            );
            print_schema_errors(&errors, &output);
            Err(Failure::error(format!(
                "{url} did not load as a correct RELAX NG schema; nothing was saved"
            )))
        }
        Err(e @ (fetch::Error::Network { .. } | fetch::Error::Status { .. })) => {
            Err(Failure::error(format!(
                "{e}\n  without network access: download {url} on another machine and save it as {name}.rng in {} (or in a folder listed in TEIKIT_SCHEMA_PATH);\n  `teikit schema list` then shows it and `--schema {name}` uses it",
                dir.display()
            )))
        }
        Err(e) => Err(Failure::error(format!("{e}; nothing was saved"))),
    }
}

/// `teikit schema compile SCHEMA`: loads the schema from source, writes its compiled-schema
/// cache entry, loads it back from the entry, and reports both times. The load options
/// (catalogs, `-i`) are part of an entry's key, as `validate` will use them.
pub fn compile(args: SchemaCompileArgs) -> Result<Status, Failure> {
    let schema = match schemas::resolve_spec(&args.schema, None) {
        Ok(SchemaRef::File(p)) if !p.exists() => {
            return Err(Failure::error(format!(
                "cannot read {}: No such file or directory",
                p.display()
            )))
        }
        Ok(r) => r,
        Err(reason) => return Err(Failure::error(reason)),
    };
    let mut catalog_files = args.catalogs.clone();
    if let Ok(Some(project)) = crate::config::discover() {
        catalog_files.extend(project.catalogs.iter().cloned());
    }
    let catalogs = crate::catalog::Catalogs::load(&catalog_files).map_err(Failure::error)?;
    let options = LoadOptions {
        url_map: catalogs.url_map(),
        id_compat: if args.no_id_check {
            IdCompat::Ignore
        } else {
            IdCompat::Error
        },
        ..LoadOptions::default()
    };
    let Some(cache) = schemas::compiled_cache() else {
        return Err(Failure::error(
            "there is no cache folder: set TEIKIT_CACHE_DIR (or XDG_CACHE_HOME or HOME)",
        ));
    };
    let builtin_path = schemas::builtin_path();
    let source = match &schema {
        SchemaRef::File(p) => Source::File(p),
        SchemaRef::Builtin => Source::Text {
            path: &builtin_path,
            text: schemas::BUILTIN_RNG,
        },
    };
    let started = Instant::now();
    let cold = cache.rebuild(&source, &options);
    let cold_ms = started.elapsed().as_secs_f64() * 1e3;
    match (&cold.schema, &cold.outcome) {
        (Err(e), _) => {
            let output = OutputConfig::resolve(
                &crate::args::OutputArgs {
                    format: None,
                    color: crate::args::ColorArg::Auto,
                    quiet: false,
                },
                Stream::Stderr,
            );
            print_schema_errors(e, &output);
            return Ok(if e.unreadable {
                Status::Error
            } else {
                Status::Failure
            });
        }
        (
            Ok(_),
            Outcome::Miss {
                written: Some(Err(reason)),
                ..
            },
        ) => return Err(Failure::error(format!("cannot write the entry: {reason}"))),
        _ => {}
    }
    let started = Instant::now();
    let warm = cache.load(&source, &options);
    let warm_ms = started.elapsed().as_secs_f64() * 1e3;
    if let Outcome::Miss { why, .. } = &warm.outcome {
        return Err(Failure::error(format!(
            "the entry just written was not usable ({why}): please report this"
        )));
    }
    let pruned = cache.prune();
    let size = std::fs::metadata(&warm.entry).map_or(0, |m| m.len());
    let mut out = std::io::stdout().lock();
    let text = format!(
        "{}: compiled into {} ({} KB)\n  load from source: {cold_ms:.1} ms\n  load from cache:  {warm_ms:.1} ms{}\n",
        args.schema,
        warm.entry.display(),
        size.div_ceil(1024),
        if pruned > 0 {
            format!("\n  removed {pruned} entr{} of other teikit builds", if pruned == 1 { "y" } else { "ies" })
        } else {
            String::new()
        }
    );
    write_result(out.write_all(text.as_bytes()))?;
    Ok(Status::Success)
}
