//! Expanding the paths given on the command line into the list of inputs: files as named,
//! folders walked recursively (honouring .gitignore) for the wanted extensions, `-` for
//! standard input. Errors here are usage errors (exit status 2).

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::Failure;

/// One input document.
#[derive(Clone, Debug)]
pub enum Input {
    /// A file; `base` is the folder it was found in by a walk (for `-O DIR` relative paths).
    File {
        path: PathBuf,
        base: Option<PathBuf>,
    },
    /// Standard input, already read.
    Stdin(Vec<u8>),
}

impl Input {
    /// The name used in reports.
    pub fn display(&self) -> String {
        match self {
            Input::File { path, .. } => path.display().to_string(),
            Input::Stdin(_) => "-".to_string(),
        }
    }

    /// The input's bytes.
    pub fn read(&self) -> std::io::Result<Vec<u8>> {
        match self {
            Input::File { path, .. } => std::fs::read(path),
            Input::Stdin(bytes) => Ok(bytes.clone()),
        }
    }

    /// The path relative to the folder it was found in, or its file name.
    pub fn relative(&self) -> Option<PathBuf> {
        match self {
            Input::File {
                path,
                base: Some(base),
            } => path
                .strip_prefix(base)
                .ok()
                .or_else(|| (base == Path::new(".")).then_some(path.as_path()))
                .map(Path::to_path_buf),
            Input::File { path, base: None } => path.file_name().map(PathBuf::from),
            Input::Stdin(_) => None,
        }
    }
}

/// Expands `paths`; folders yield the files whose extension is in `extensions`, sorted.
pub fn expand(paths: &[PathBuf], extensions: &[&str]) -> Result<Vec<Input>, Failure> {
    let mut inputs = Vec::new();
    let mut stdin_seen = false;
    for path in paths {
        if path.as_os_str() == "-" {
            if stdin_seen {
                return Err(Failure::usage(
                    "`-` (standard input) can be given only once",
                ));
            }
            stdin_seen = true;
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| Failure::error(format!("cannot read standard input: {e}")))?;
            inputs.push(Input::Stdin(bytes));
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|e| {
            Failure::error(format!("cannot read {}: {}", path.display(), io_reason(&e)))
        })?;
        if meta.is_dir() {
            let before = inputs.len();
            walk(path, extensions, &mut inputs)?;
            if inputs.len() == before {
                return Err(Failure::usage(format!(
                    "no {} files found in folder {}",
                    extensions
                        .iter()
                        .map(|e| format!("*.{e}"))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    path.display()
                )));
            }
        } else {
            inputs.push(Input::File {
                path: path.clone(),
                base: None,
            });
        }
    }
    if inputs.is_empty() {
        return Err(Failure::usage("no input given"));
    }
    Ok(inputs)
}

fn walk(dir: &Path, extensions: &[&str], out: &mut Vec<Input>) -> Result<(), Failure> {
    let walker = ignore::WalkBuilder::new(dir)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        let entry =
            entry.map_err(|e| Failure::error(format!("cannot walk {}: {e}", dir.display())))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let wanted = entry
            .path()
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)));
        if wanted {
            // `teikit validate .` (and `teikit check`) report `a.xml`, not `./a.xml`.
            let path = match entry.path().strip_prefix(".") {
                Ok(rel) if dir == Path::new(".") => rel.to_path_buf(),
                _ => entry.path().to_path_buf(),
            };
            out.push(Input::File {
                path,
                base: Some(dir.to_path_buf()),
            });
        }
    }
    Ok(())
}

/// The OS error without Rust's "(os error 2)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
