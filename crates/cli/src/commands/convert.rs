//! `teikit convert`: transcriptions → TEI P5.
//!
//! Destinations: `-o FILE` (one input); `-O DIR` writes `DIR/<relative path>.xml` (the path
//! relative to the folder an input was found in, or its file name; `stdin.xml` for `-`);
//! without either, one input (or stdin) goes to standard output and several inputs are
//! written beside themselves as `NAME.xml`. Files are written atomically (temporary file in
//! the same folder, fsync, rename), an input is never overwritten, and one failing input
//! does not stop the batch. Diagnostics go to standard output, or to standard error when
//! the TEI itself goes to standard output.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use teikit_diagnostics::{Diagnostic, FileReport};

use crate::args::ConvertArgs;
use crate::codes;
use crate::inputs::{self, Input};
use crate::output::{OutputConfig, Printer, Stream};
use crate::{write_result, Failure, Status};

/// Where one input's TEI goes.
#[derive(Clone, Debug)]
enum Dest {
    Stdout,
    File(PathBuf),
}

/// The settled configuration of one `convert` run.
struct Config {
    jobs: Vec<(Input, Dest)>,
    options: teikit_convert::Options,
    output: OutputConfig,
    threads: Option<usize>,
}

struct Outcome {
    report: FileReport,
    /// TEI for standard output (written in input order by the main thread).
    stdout: Option<String>,
    fatal: bool,
}

pub fn run(args: ConvertArgs) -> Result<Status, Failure> {
    let inputs = inputs::expand(&args.inputs, &["txt"])?;
    let jobs = destinations(inputs, args.output_file.as_deref(), args.out_dir.as_deref())?;
    refuse_overwrites(&jobs)?;
    let to_stdout = jobs.iter().any(|(_, d)| matches!(d, Dest::Stdout));
    let stream = if to_stdout {
        Stream::Stderr
    } else {
        Stream::Stdout
    };
    let mut options = teikit_convert::Options::default();
    if let Some(lang) = args.original_lang {
        options.original_lang = lang;
    }
    let config = Config {
        jobs,
        options,
        output: OutputConfig::resolve(&args.output, stream),
        threads: args.jobs,
    };
    execute(&config)
}

fn destinations(
    inputs: Vec<Input>,
    file: Option<&Path>,
    dir: Option<&Path>,
) -> Result<Vec<(Input, Dest)>, Failure> {
    if let Some(file) = file {
        if inputs.len() != 1 {
            return Err(Failure::usage(format!(
                "-o FILE takes exactly one input, got {}; use -O DIR for several",
                inputs.len()
            )));
        }
        return Ok(inputs
            .into_iter()
            .map(|i| (i, Dest::File(file.to_path_buf())))
            .collect());
    }
    if let Some(dir) = dir {
        return Ok(inputs
            .into_iter()
            .map(|i| {
                let rel = i
                    .relative()
                    .unwrap_or_else(|| PathBuf::from("stdin"))
                    .with_extension("xml");
                let dest = Dest::File(dir.join(rel));
                (i, dest)
            })
            .collect());
    }
    if inputs.len() == 1 {
        return Ok(inputs.into_iter().map(|i| (i, Dest::Stdout)).collect());
    }
    inputs
        .into_iter()
        .map(|i| match &i {
            Input::File { path, .. } => {
                let out = path.with_extension("xml");
                Ok((i, Dest::File(out)))
            }
            Input::Stdin(_) => Err(Failure::usage(
                "standard input among several inputs needs -O DIR to name its output",
            )),
        })
        .collect()
}

/// Refuses (exit 2, before any work) outputs that are inputs or that two inputs share.
fn refuse_overwrites(jobs: &[(Input, Dest)]) -> Result<(), Failure> {
    let inputs: HashSet<PathBuf> = jobs
        .iter()
        .filter_map(|(i, _)| match i {
            Input::File { path, .. } => Some(normalize(path)),
            Input::Stdin(_) => None,
        })
        .collect();
    let mut seen = HashSet::new();
    for (input, dest) in jobs {
        let Dest::File(out) = dest else { continue };
        let n = normalize(out);
        if inputs.contains(&n) {
            return Err(Failure::usage(format!(
                "refusing to overwrite input {} with the TEI of {}",
                out.display(),
                input.display()
            )));
        }
        if !seen.insert(n) {
            return Err(Failure::usage(format!(
                "two inputs would be written to {}",
                out.display()
            )));
        }
    }
    Ok(())
}

/// An absolute path with `.` and `..` resolved and its longest existing prefix canonicalized
/// (symlinks), so two spellings of one file compare equal.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut lexical = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other.as_os_str()),
        }
    }
    let mut rest = Vec::new();
    let mut prefix = lexical.as_path();
    loop {
        if let Ok(real) = prefix.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (prefix.file_name(), prefix.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                prefix = parent;
            }
            _ => return lexical,
        }
    }
}

fn execute(config: &Config) -> Result<Status, Failure> {
    let mut printer = Printer::new(&config.output, config.jobs.len(), "converted");
    let mut fatal = false;
    let mut closed = false;
    super::ordered_parallel(
        &config.jobs,
        config.threads,
        |(input, dest)| convert_one(input, dest, &config.options),
        |outcome| {
            fatal |= outcome.fatal;
            if let Some(tei) = &outcome.stdout {
                let mut out = std::io::stdout().lock();
                if write_result(out.write_all(tei.as_bytes()).and_then(|()| out.flush()))?.is_none()
                {
                    closed = true;
                    return Ok(false);
                }
            }
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
    Ok(if fatal {
        Status::Error
    } else if summary.all_valid() {
        Status::Success
    } else {
        Status::Failure
    })
}

fn convert_one(input: &Input, dest: &Dest, options: &teikit_convert::Options) -> Outcome {
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
                stdout: None,
                fatal: true,
            };
        }
    };
    let mut options = options.clone();
    if let Input::File { path, .. } = input {
        options.file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    }
    let conversion = teikit_convert::convert(&bytes, &options);
    let source = Some(bytes.into());
    let mut report = FileReport::new(path, source, conversion.diagnostics);
    let Some(tei) = conversion.tei else {
        report.valid = false;
        return Outcome {
            report,
            stdout: None,
            fatal: false,
        };
    };
    match dest {
        Dest::Stdout => Outcome {
            report,
            stdout: Some(tei),
            fatal: false,
        },
        Dest::File(out) => match write_atomic(out, tei.as_bytes()) {
            Ok(()) => Outcome {
                report: report.with_output(out.display().to_string()),
                stdout: None,
                fatal: false,
            },
            Err(e) => {
                report.diagnostics.push(Diagnostic::error(
                    codes::UNWRITABLE,
                    format!("cannot write {}: {}", out.display(), inputs::io_reason(&e)),
                ));
                report.valid = false;
                Outcome {
                    report,
                    stdout: None,
                    fatal: true,
                }
            }
        },
    }
}

/// Writes `data` to `path` through a temporary file in the same folder, synced, then renamed
/// over `path`: readers see the old file or the new one, never half of one.
fn write_atomic(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(data)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, base: Option<&str>) -> Input {
        Input::File {
            path: PathBuf::from(path),
            base: base.map(PathBuf::from),
        }
    }

    fn dests(inputs: Vec<Input>, o: Option<&str>, dir: Option<&str>) -> Vec<String> {
        destinations(inputs, o.map(Path::new), dir.map(Path::new))
            .unwrap()
            .into_iter()
            .map(|(_, d)| match d {
                Dest::Stdout => "-".to_string(),
                Dest::File(p) => p.display().to_string(),
            })
            .collect()
    }

    #[test]
    fn destinations_follow_the_rules() {
        assert_eq!(dests(vec![file("a.txt", None)], None, None), ["-"]);
        assert_eq!(
            dests(vec![Input::Stdin(Vec::new())], None, Some("out")),
            ["out/stdin.xml"]
        );
        assert_eq!(
            dests(
                vec![file("in/x/a.txt", Some("in")), file("b.txt", None)],
                None,
                Some("out")
            ),
            ["out/x/a.xml", "out/b.xml"]
        );
        assert_eq!(
            dests(vec![file("a.txt", None), file("d/b.txt", None)], None, None),
            ["a.xml", "d/b.xml"]
        );
        assert!(destinations(
            vec![file("a.txt", None), Input::Stdin(Vec::new())],
            None,
            None
        )
        .is_err());
    }

    #[test]
    fn overwrites_are_refused_even_through_dot_dot() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("a.txt");
        std::fs::write(&input, "x").unwrap();
        let sneaky = dir.path().join("sub/../a.txt");
        let jobs = vec![(
            Input::File {
                path: input,
                base: None,
            },
            Dest::File(sneaky),
        )];
        assert!(refuse_overwrites(&jobs).is_err());
    }
}
