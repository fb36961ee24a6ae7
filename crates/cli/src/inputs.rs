//! Expanding the paths given on the command line into the list of inputs: files as named,
//! folders walked recursively (honouring .gitignore) for the wanted extensions, `-` for
//! standard input. Errors here are usage errors (exit status 2).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

    /// The input's bytes, read straight into shared memory (a report keeps them for its
    /// printer): a `Vec` turned into an `Arc<[u8]>` afterwards is copied whole, which for a
    /// document of megabytes is a millisecond and as much fresh memory again.
    pub fn read_shared(&self) -> std::io::Result<Arc<[u8]>> {
        let Input::File { path, .. } = self else {
            return self.read().map(Arc::from);
        };
        let mut file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        // Only a regular file's length is known beforehand.
        let Some(len) = usize::try_from(meta.len()).ok().filter(|_| meta.is_file()) else {
            let mut v = Vec::new();
            file.read_to_end(&mut v)?;
            return Ok(v.into());
        };
        let mut bytes: Arc<[u8]> = std::iter::repeat_n(0, len).collect();
        let Some(buf) = Arc::get_mut(&mut bytes) else {
            return self.read().map(Arc::from);
        };
        let mut filled = 0;
        while filled < len {
            match file.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let mut extra = [0u8; 1];
        let more = loop {
            match file.read(&mut extra) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        if filled == len && more == 0 {
            return Ok(bytes);
        }
        // The file changed size while it was read: what was read, then the rest.
        let mut v = buf[..filled].to_vec();
        v.extend_from_slice(&extra[..more]);
        file.read_to_end(&mut v)?;
        Ok(v.into())
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

#[cfg(test)]
mod tests {
    use super::Input;

    #[test]
    fn shared_reading_gives_the_file_bytes() {
        let dir = tempfile::tempdir().unwrap();
        for len in [0usize, 1, 4095, 4096, 70_000] {
            let path = dir.path().join(format!("f{len}.xml"));
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &bytes).unwrap();
            let input = Input::File { path, base: None };
            assert_eq!(&*input.read_shared().unwrap(), &bytes[..], "{len} bytes");
        }
        let stdin = Input::Stdin(b"<a/>".to_vec());
        assert_eq!(&*stdin.read_shared().unwrap(), b"<a/>");
        let missing = Input::File {
            path: dir.path().join("missing.xml"),
            base: None,
        };
        assert!(missing.read_shared().is_err());
    }

    #[cfg(unix)]
    #[test]
    fn shared_reading_of_a_stream_reads_it_whole() {
        // A named pipe has no length: it is read to its end.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo");
        let ok = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return;
        }
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || std::fs::write(path, b"<doc>streamed</doc>").unwrap())
        };
        let input = Input::File { path, base: None };
        assert_eq!(&*input.read_shared().unwrap(), b"<doc>streamed</doc>");
        writer.join().unwrap();
    }
}
