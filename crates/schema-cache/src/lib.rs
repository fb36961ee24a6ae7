//! A compiled-schema cache: a simplified, checked `teikit_relaxng::Schema` stored on disk so
//! that the next process loads it in a few milliseconds instead of parsing, simplifying and
//! checking the schema again, plus [`fetch`], the downloader of official TEI schemas.
//!
//! One entry per (top schema file, load options, program stamp). An entry records every file
//! the schema read with a hash of its text; [`Cache::load`] re-reads and re-hashes them, so an
//! edited include is noticed, and decodes the entry without trusting it: a magic number, a
//! format number, the program stamp, a checksum of the body and the structural invariants
//! of the IR are all checked. Whatever fails, the schema is loaded from source and the entry
//! rewritten atomically (a temporary file in the same folder, then a rename), so two
//! processes writing the same entry leave one complete entry.
//!
//! ```no_run
//! use teikit_schema_cache::{Cache, Source};
//! use teikit_relaxng::LoadOptions;
//!
//! let cache = Cache::new("/tmp/teikit-cache", "teikit 0.1.0");
//! let loaded = cache.load(&Source::File("tei_all.rng".as_ref()), &LoadOptions::default());
//! let schema = loaded.schema.expect("a correct schema");
//! # let _ = schema;
//! ```

#![warn(missing_docs)]

pub mod fetch;
mod wire;

use std::fmt;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use teikit_relaxng::{LoadOptions, Schema, SchemaErrors, SourceFile};
use xxhash_rust::xxh3::xxh3_128;

/// Bumped whenever the entry layout or the IR changes shape.
pub const FORMAT: u32 = 2;

/// The first bytes of every entry.
const MAGIC: &[u8; 8] = b"TEIKITSC";

/// File name extension of entries.
pub const EXTENSION: &str = "tsc";

/// Stack for encoding, and for decoding deeply nested schemas: the IR is recursive, as deep
/// as the schema's nesting (the loader uses the same size).
const STACK: usize = 256 << 20;

/// Nesting up to which an entry is decoded on the calling thread (which may be a worker
/// with a 2 MiB stack; a level takes well under 1 KiB). Deeper ones get a big-stack thread:
/// not always, because a new thread allocates in a new malloc arena, which made decoding
/// tei_all several times slower.
const INLINE_DEPTH: u32 = 512;

/// Deepest nesting decoded at all (on the big stack).
const MAX_DEPTH: u32 = 200_000;

/// Where a schema's top file comes from.
#[derive(Clone, Copy, Debug)]
pub enum Source<'a> {
    /// A `.rng`/`.rnc` file on disk.
    File(&'a Path),
    /// A schema held in memory (the built-in one), named by `path` in messages; the files it
    /// includes, if any, are read from disk as usual.
    Text {
        /// The name it has in messages (and the base of its relative hrefs).
        path: &'a Path,
        /// Its text.
        text: &'a str,
    },
}

impl Source<'_> {
    fn path(&self) -> &Path {
        match self {
            Source::File(p) => p,
            Source::Text { path, .. } => path,
        }
    }

    /// Loads the schema from source, without the cache.
    pub fn load(&self, options: &LoadOptions) -> Result<Schema, SchemaErrors> {
        match self {
            Source::File(p) => teikit_relaxng::load(p, options),
            Source::Text { path, text } => teikit_relaxng::load_source(path, text, options),
        }
    }
}

/// Why an entry was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Miss {
    /// There is no entry yet (or it cannot be read).
    Absent,
    /// A file the schema read has changed, moved or vanished since the entry was written.
    Stale(String),
    /// The entry was written by another teikit (another stamp or format).
    OtherVersion(String),
    /// The entry is truncated, damaged or not an entry at all.
    Corrupt(String),
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Miss::Absent => f.write_str("no entry yet"),
            Miss::Stale(why) => write!(f, "stale: {why}"),
            Miss::OtherVersion(why) => write!(f, "written by another version: {why}"),
            Miss::Corrupt(why) => write!(f, "corrupt: {why}"),
        }
    }
}

/// What [`Cache::load`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The entry was valid and used.
    Hit,
    /// The schema was loaded from source.
    Miss {
        /// Why the entry was not used.
        why: Miss,
        /// `Some(Ok)`: a new entry was written; `Some(Err(reason))`: it could not be (a
        /// read-only folder, a full disk); `None`: the schema is incorrect, nothing to store.
        written: Option<Result<(), String>>,
    },
}

/// A schema and how it was obtained.
#[derive(Debug)]
pub struct Loaded {
    /// The schema, or why it cannot be used (exactly what `teikit_relaxng::load` says).
    pub schema: Result<Schema, SchemaErrors>,
    /// Hit or miss.
    pub outcome: Outcome,
    /// The entry file used or written.
    pub entry: PathBuf,
}

/// A folder of compiled schemas for one program stamp.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
    stamp: String,
}

/// One schema file an entry depends on.
#[derive(Serialize, Deserialize, Debug, Clone)]
struct FileRecord {
    /// The path as the loader recorded it (for messages).
    shown: PathBuf,
    /// Absolute path, read again to check the hash (unused for in-memory texts).
    abs: PathBuf,
    /// Given as text (the built-in schema, `LoadOptions::sources`), not read from disk.
    memory: bool,
    /// Length and XXH3-128 of the text the loader kept (decoded, byte-order mark removed).
    len: u64,
    hash: u128,
}

/// The part of an entry read before the body: cheap to check.
#[derive(Serialize, Deserialize, Debug)]
struct Header {
    stamp: String,
    key: u128,
    /// The top file's path as given when the entry was written.
    top: PathBuf,
    files: Vec<FileRecord>,
    /// Milliseconds the load from source took (shown by `teikit schema compile`).
    build_ms: u64,
    /// Deepest nesting in the body.
    max_depth: u32,
    body_len: u64,
}

/// A summary of one entry, for listings.
#[derive(Clone, Debug)]
pub struct EntryInfo {
    /// The entry file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// The schema's top file as given when it was written.
    pub top: PathBuf,
    /// How many files the schema read.
    pub files: usize,
    /// Written by this program (same stamp and format)?
    pub current: bool,
}

/// A cache entry to write for a schema just loaded from source ([`Cache::load_or_pending`]).
#[derive(Debug)]
pub struct PendingEntry {
    dir: PathBuf,
    entry: PathBuf,
    stamp: String,
    key: u128,
    top: PathBuf,
    files: Vec<FileRecord>,
    build_ms: u64,
}

impl PendingEntry {
    /// The entry file it will write.
    pub fn path(&self) -> &Path {
        &self.entry
    }

    /// Encodes `schema`, the schema it was returned with, and writes the entry atomically
    /// (a temporary file in the cache folder, then a rename). Encoding recurses as deep as
    /// the schema nests, so it runs on a thread with a large stack.
    pub fn write(self, schema: &Schema) -> Result<(), String> {
        on_big_stack(|| {
            let (body, max_depth) = wire::encode(schema);
            let header = Header {
                stamp: self.stamp,
                key: self.key,
                top: self.top,
                files: self.files,
                build_ms: self.build_ms,
                max_depth,
                body_len: body.len() as u64,
            };
            let header = postcard::to_stdvec(&header)
                .map_err(|e| format!("cannot encode the entry header: {e}"))?;
            let mut rest = Vec::with_capacity(4 + header.len() + body.len());
            rest.extend_from_slice(&(header.len() as u32).to_le_bytes());
            rest.extend_from_slice(&header);
            rest.extend_from_slice(&body);
            let mut bytes = Vec::with_capacity(PREFIX + rest.len());
            bytes.extend_from_slice(MAGIC);
            bytes.extend_from_slice(&FORMAT.to_le_bytes());
            bytes.extend_from_slice(&xxh3_128(&rest).to_le_bytes());
            bytes.extend_from_slice(&rest);
            write_atomically(&self.dir, &self.entry, &bytes)
        })
    }
}

impl Cache {
    /// A cache in `dir` (created when the first entry is written) for the program identified
    /// by `stamp` (its version; entries of another stamp are never used).
    pub fn new(dir: impl Into<PathBuf>, stamp: impl Into<String>) -> Cache {
        Cache {
            dir: dir.into(),
            stamp: stamp.into(),
        }
    }

    /// The cache folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of a schema: its absolute top path (or in-memory name and text), the load
    /// options, the format and the program stamp.
    fn key(&self, source: &Source<'_>, options: &LoadOptions) -> u128 {
        let mut buf = Vec::new();
        buf.extend_from_slice(&FORMAT.to_le_bytes());
        push_str(&mut buf, &self.stamp);
        match source {
            Source::File(p) => {
                buf.push(0);
                push_str(&mut buf, &absolute(p).to_string_lossy());
            }
            Source::Text { path, text } => {
                buf.push(1);
                push_str(&mut buf, &path.to_string_lossy());
                buf.extend_from_slice(&xxh3_128(text.as_bytes()).to_le_bytes());
            }
        }
        // Every option, through its Debug form, so an option added later is part of the key
        // without anyone remembering to add it here.
        push_str(&mut buf, &format!("{options:?}"));
        xxh3_128(&buf)
    }

    /// The entry file for `source` loaded with `options`.
    pub fn entry_path(&self, source: &Source<'_>, options: &LoadOptions) -> PathBuf {
        let key = self.key(source, options);
        let stem: String = source
            .path()
            .file_stem()
            .map(|s| s.to_string_lossy())
            .unwrap_or_default()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .take(48)
            .collect();
        self.dir.join(format!("{stem}-{key:032x}.{EXTENSION}"))
    }

    /// The schema of `source`: from its entry when that is valid, else loaded from source
    /// (and the entry written when the schema is correct).
    pub fn load(&self, source: &Source<'_>, options: &LoadOptions) -> Loaded {
        let key = self.key(source, options);
        let entry = self.entry_path(source, options);
        let why = match self.read_entry(&entry, key, source, options) {
            Ok(schema) => {
                return Loaded {
                    schema: Ok(schema),
                    outcome: Outcome::Hit,
                    entry,
                }
            }
            Err(why) => why,
        };
        let (loaded, written) = self.build(source, options, key, &entry);
        Loaded {
            schema: loaded,
            outcome: Outcome::Miss { why, written },
            entry,
        }
    }

    /// Loads from source and writes the entry (replacing any), whatever is there now.
    pub fn rebuild(&self, source: &Source<'_>, options: &LoadOptions) -> Loaded {
        let key = self.key(source, options);
        let entry = self.entry_path(source, options);
        let (loaded, written) = self.build(source, options, key, &entry);
        Loaded {
            schema: loaded,
            outcome: Outcome::Miss {
                why: Miss::Absent,
                written,
            },
            entry,
        }
    }

    /// Like [`Cache::load`], but on a miss the new entry is not written: it is returned, to
    /// be written with [`PendingEntry::write`] when it suits the caller (`teikit validate`
    /// writes it on another thread while it validates). `Outcome::Miss::written` is then
    /// `None`.
    pub fn load_or_pending(
        &self,
        source: &Source<'_>,
        options: &LoadOptions,
    ) -> (Loaded, Option<PendingEntry>) {
        let key = self.key(source, options);
        let entry = self.entry_path(source, options);
        let why = match self.read_entry(&entry, key, source, options) {
            Ok(schema) => {
                let loaded = Loaded {
                    schema: Ok(schema),
                    outcome: Outcome::Hit,
                    entry,
                };
                return (loaded, None);
            }
            Err(why) => why,
        };
        let started = std::time::Instant::now();
        let loaded = source.load(options);
        let build_ms = started.elapsed().as_millis() as u64;
        let pending = match &loaded {
            Ok(schema) => Some(self.pending(&entry, key, source, options, schema, build_ms)),
            Err(_) => None,
        };
        let loaded = Loaded {
            schema: loaded,
            outcome: Outcome::Miss { why, written: None },
            entry,
        };
        (loaded, pending)
    }

    fn build(
        &self,
        source: &Source<'_>,
        options: &LoadOptions,
        key: u128,
        entry: &Path,
    ) -> (Result<Schema, SchemaErrors>, Option<Result<(), String>>) {
        let started = std::time::Instant::now();
        let loaded = source.load(options);
        let build_ms = started.elapsed().as_millis() as u64;
        let written = match &loaded {
            Ok(schema) => Some(
                self.pending(entry, key, source, options, schema, build_ms)
                    .write(schema),
            ),
            Err(_) => None,
        };
        (loaded, written)
    }

    /// What an entry for `schema` records besides its body.
    fn pending(
        &self,
        entry: &Path,
        key: u128,
        source: &Source<'_>,
        options: &LoadOptions,
        schema: &Schema,
        build_ms: u64,
    ) -> PendingEntry {
        let files = schema
            .files
            .iter()
            .map(|f| {
                let memory = is_in_memory(&f.path, source, options);
                FileRecord {
                    shown: f.path.clone(),
                    abs: if memory {
                        f.path.clone()
                    } else {
                        absolute(&f.path)
                    },
                    memory,
                    len: f.text.len() as u64,
                    hash: xxh3_128(f.text.as_bytes()),
                }
            })
            .collect();
        PendingEntry {
            dir: self.dir.clone(),
            entry: entry.to_path_buf(),
            stamp: self.stamp.clone(),
            key,
            top: source.path().to_path_buf(),
            files,
            build_ms,
        }
    }

    /// Reads, checks and decodes an entry; any doubt is a [`Miss`].
    fn read_entry(
        &self,
        entry: &Path,
        key: u128,
        source: &Source<'_>,
        options: &LoadOptions,
    ) -> Result<Schema, Miss> {
        let mut bytes = std::fs::read(entry).map_err(|_| Miss::Absent)?;
        let (header, body) = split_entry(&bytes)?;
        if header.stamp != self.stamp {
            return Err(Miss::OtherVersion(format!(
                "written by {:?}, this is {:?}",
                header.stamp, self.stamp
            )));
        }
        if header.key != key {
            return Err(Miss::Corrupt(
                "the entry is for another schema or options".into(),
            ));
        }
        // The files first: a stale entry need not have its body decoded.
        let files = check_files(&header, source, options)?;
        if body.len() as u64 != header.body_len {
            return Err(Miss::Corrupt(format!(
                "body of {} bytes, {} expected (truncated?)",
                body.len(),
                header.body_len
            )));
        }
        let lens: Vec<usize> = files.iter().map(|f| f.text.len()).collect();
        let decoded = if header.max_depth <= INLINE_DEPTH {
            // The body moves to the front of the buffer read, which the schema then keeps
            // to decode contents from (a move within pages already touched, not a copy).
            let body_start = bytes.len() - body.len();
            bytes.drain(..body_start);
            wire::decode_owned(bytes, &lens, INLINE_DEPTH, wire::Contents::Deferred)
        } else {
            // Deep schemas are decoded whole on the big stack: a deferred content would be
            // decoded later on whatever stack the validator runs.
            on_big_stack(|| {
                wire::decode(
                    body,
                    &lens,
                    header.max_depth.min(MAX_DEPTH),
                    wire::Contents::Eager,
                )
            })
        };
        let mut schema = decoded.map_err(Miss::Corrupt)?;
        schema.files = files;
        Ok(schema)
    }

    /// Every entry in the folder, in file-name order (unreadable ones are left out).
    pub fn entries(&self) -> Vec<EntryInfo> {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == EXTENSION))
            .collect();
        paths.sort();
        paths
            .into_iter()
            .filter_map(|path| {
                let bytes = std::fs::read(&path).ok()?;
                let (header, _) = split_entry(&bytes).ok()?;
                Some(EntryInfo {
                    size: bytes.len() as u64,
                    top: header.top.clone(),
                    files: header.files.len(),
                    current: header.stamp == self.stamp,
                    path,
                })
            })
            .collect()
    }

    /// Removes the entries written by other program stamps or formats (and unreadable
    /// ones); returns how many were removed.
    pub fn prune(&self) -> usize {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let mut removed = 0;
        for path in dir.filter_map(|e| e.ok().map(|e| e.path())) {
            if path.extension().is_none_or(|x| x != EXTENSION) {
                continue;
            }
            let keep = std::fs::read(&path)
                .ok()
                .is_some_and(|b| split_entry(&b).is_ok_and(|(h, _)| h.stamp == self.stamp));
            if !keep && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

/// Milliseconds the schema of an entry took to load from source, as recorded in it.
pub fn recorded_build_ms(entry: &Path) -> Option<u64> {
    let bytes = std::fs::read(entry).ok()?;
    split_entry(&bytes).ok().map(|(h, _)| h.build_ms)
}

/// Magic, format and checksum.
const PREFIX: usize = 8 + 4 + 16;

/// Checks the magic number, the format and the checksum of everything after them, then
/// decodes the header; returns it with the body.
fn split_entry(bytes: &[u8]) -> Result<(Header, &[u8]), Miss> {
    if bytes.len() < PREFIX + 4 || &bytes[..8] != MAGIC {
        return Err(Miss::Corrupt("not a teikit compiled-schema entry".into()));
    }
    let format = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if format != FORMAT {
        return Err(Miss::OtherVersion(format!(
            "entry format {format}, this is {FORMAT}"
        )));
    }
    let sum = u128::from_le_bytes(bytes[12..PREFIX].try_into().expect("16 bytes"));
    let rest = &bytes[PREFIX..];
    if xxh3_128(rest) != sum {
        return Err(Miss::Corrupt(
            "checksum mismatch (truncated or damaged)".into(),
        ));
    }
    let header_len = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
    let rest = &rest[4..];
    if header_len > rest.len() {
        return Err(Miss::Corrupt("truncated header".into()));
    }
    let header: Header = postcard::from_bytes(&rest[..header_len])
        .map_err(|e| Miss::Corrupt(format!("cannot decode the header: {e}")))?;
    Ok((header, &rest[header_len..]))
}

/// Re-reads every file of the entry and compares it with its record; returns the files
/// (with the paths they have for the current spelling of the top path).
fn check_files(
    header: &Header,
    source: &Source<'_>,
    options: &LoadOptions,
) -> Result<Vec<Arc<SourceFile>>, Miss> {
    let top_now = source.path();
    header
        .files
        .iter()
        .map(|rec| {
            let text = if rec.memory {
                in_memory_text(&rec.shown, source, options)
                    .map(|t| t.strip_prefix('\u{feff}').unwrap_or(t).to_string())
                    .ok_or_else(|| {
                        Miss::Stale(format!("{} is no longer given", rec.shown.display()))
                    })?
            } else {
                let bytes = std::fs::read(&rec.abs)
                    .map_err(|e| Miss::Stale(format!("cannot read {}: {e}", rec.abs.display())))?;
                let mut text = teikit_xml::decode_owned(bytes)
                    .map_err(|_| Miss::Stale(format!("{} has changed", rec.abs.display())))?;
                if text.starts_with('\u{feff}') {
                    text.drain(..'\u{feff}'.len_utf8());
                }
                text
            };
            if text.len() as u64 != rec.len || xxh3_128(text.as_bytes()) != rec.hash {
                return Err(Miss::Stale(format!("{} has changed", rec.shown.display())));
            }
            Ok(Arc::new(SourceFile {
                path: rebase(&rec.shown, &header.top, top_now),
                text,
            }))
        })
        .collect()
}

/// The path a file recorded under the top path `old` has when the same schema is named
/// `new` (`../s/tei_all.rng` from another folder): the loader joins hrefs to the including
/// file's folder, so files under the old top's folder move with it.
fn rebase(shown: &Path, old: &Path, new: &Path) -> PathBuf {
    if old == new {
        return shown.to_path_buf();
    }
    if shown == old {
        return new.to_path_buf();
    }
    match (old.parent(), new.parent()) {
        (Some(op), Some(np)) => match shown.strip_prefix(op) {
            Ok(rest) => np.join(rest),
            Err(_) => shown.to_path_buf(),
        },
        _ => shown.to_path_buf(),
    }
}

fn is_in_memory(path: &Path, source: &Source<'_>, options: &LoadOptions) -> bool {
    in_memory_text(path, source, options).is_some()
}

/// The text given in memory for `path`: the top text of [`Source::Text`], or one of
/// `options.sources` (compared as the loader compares them, after removing `.` and `..`).
fn in_memory_text<'a>(
    path: &Path,
    source: &Source<'a>,
    options: &'a LoadOptions,
) -> Option<&'a str> {
    if let Source::Text { path: p, text } = source {
        if *p == path {
            return Some(text);
        }
    }
    let want = normalize(path);
    options
        .sources
        .iter()
        .find(|(p, _)| normalize(p) == want)
        .map(|(_, t)| t.as_str())
}

/// Removes `.` components and resolves `..` lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The absolute, lexically normalised form of `path` (no file system access beyond the
/// working directory).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path)
        .map(|p| normalize(&p))
        .unwrap_or_else(|_| path.to_path_buf())
}

fn push_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u64).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

/// Writes `bytes` to `dest` through a temporary file in `dir` and a rename: a reader sees
/// the old entry or the new one, never half of one.
fn write_atomically(dir: &Path, dest: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".entry-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.flush())
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    tmp.persist(dest)
        .map_err(|e| format!("cannot write {}: {}", dest.display(), e.error))?;
    Ok(())
}

/// Runs `f` on a thread with a large stack (the IR is as deep as the schema's nesting); on
/// the current thread if no thread can be started.
fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let cell = std::sync::Mutex::new(Some(f));
    let take = || {
        cell.lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .expect("run once")
    };
    let spawned = std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("teikit-schema-cache".into())
            .stack_size(STACK)
            .spawn_scoped(scope, || take()())
            .ok()?;
        Some(match handle.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        })
    });
    match spawned {
        Some(r) => r,
        None => take()(),
    }
}
