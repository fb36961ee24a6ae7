//! Schemas by name and by path: the built-in `teikit-archive`, schemas found in the folders of
//! `TEIKIT_SCHEMA_PATH` and in the user cache, the on-disk compiled-schema cache
//! (`teikit-schema-cache`) and a per-process cache of compiled grammars.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use teikit_relaxng::{LoadOptions, Schema, SchemaErrors};
use teikit_schema_cache::{Cache, Outcome, PendingEntry, Source};
use teikit_validate::Grammar;

/// The name of the built-in schema.
pub const BUILTIN_NAME: &str = "teikit-archive";

/// The built-in schema's text, embedded at build time from `schemas/teikit-archive.rng` (a
/// self-contained grammar: no `include` or `externalRef`).
pub const BUILTIN_RNG: &str = include_str!("../../../schemas/teikit-archive.rng");

/// The schema name an official TEI schema URL stands for
/// (`https://tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng` → `tei_all`), with
/// or without `www.`, over http or https.
pub fn official_tei_name(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let file = rest.strip_prefix("tei-c.org/release/xml/tei/custom/schema/relaxng/")?;
    let stem = file
        .strip_suffix(".rng")
        .or_else(|| file.strip_suffix(".rnc"))?;
    (!stem.is_empty() && !stem.contains('/')).then_some(stem)
}

/// A schema, by where it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SchemaRef {
    /// The built-in `teikit-archive`.
    Builtin,
    /// A `.rng` or `.rnc` file.
    File(PathBuf),
}

/// A schema known by name.
#[derive(Clone, Debug)]
pub struct Named {
    pub name: String,
    pub schema: SchemaRef,
    /// Where it was found: `built-in`, `TEIKIT_SCHEMA_PATH` or `cache`.
    pub origin: &'static str,
}

/// The user cache folder for schemas: `$XDG_CACHE_HOME/teikit/schemas`, else
/// `~/.cache/teikit/schemas`.
pub fn cache_dir() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(x) if Path::new(&x).is_absolute() => PathBuf::from(x),
        _ => PathBuf::from(std::env::var_os("HOME").filter(|v| !v.is_empty())?).join(".cache"),
    };
    Some(base.join("teikit").join("schemas"))
}

/// The compiled-schema cache folder: `TEIKIT_CACHE_DIR` when set, else
/// `$XDG_CACHE_HOME/teikit/compiled`, else `~/.cache/teikit/compiled`.
pub fn compiled_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("TEIKIT_CACHE_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(d));
    }
    cache_dir().and_then(|d| d.parent().map(|p| p.join("compiled")))
}

/// `--no-cache` was given: every schema is loaded from source and no entry is written.
static CACHE_DISABLED: AtomicBool = AtomicBool::new(false);

/// Turns the compiled-schema cache off for this process (`--no-cache`).
pub fn disable_cache() {
    CACHE_DISABLED.store(true, Ordering::Relaxed);
}

/// What identifies this program's compiled schemas: its version (with the git commit) and
/// the size and modification time of the executable, so a rebuilt teikit never uses the
/// entries of the previous build even when its version string did not change.
fn stamp() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{} {mtime}", m.len())
        })
        .unwrap_or_default();
    format!("teikit {} {exe}", env!("TEIKIT_VERSION"))
}

/// The compiled-schema cache, unless disabled or there is no cache folder.
pub fn compiled_cache() -> Option<Cache> {
    if CACHE_DISABLED.load(Ordering::Relaxed) {
        return None;
    }
    compiled_dir().map(|d| Cache::new(d, stamp()))
}

/// `TEIKIT_TIMINGS=1`: phase timings on standard error (for profiling).
pub fn timings_enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("TEIKIT_TIMINGS").is_some_and(|v| v != "0"))
}

/// Prints one phase timing when `TEIKIT_TIMINGS` is set.
pub fn timing(what: &str, since: Instant) {
    if timings_enabled() {
        eprintln!(
            "teikit: timing: {what}: {:.2} ms",
            since.elapsed().as_secs_f64() * 1e3
        );
    }
}

/// The folders searched for named schemas, in order, with their origin.
fn search_dirs() -> Vec<(PathBuf, &'static str)> {
    let mut dirs = Vec::new();
    if let Some(path) = std::env::var_os("TEIKIT_SCHEMA_PATH") {
        for d in std::env::split_paths(&path) {
            if !d.as_os_str().is_empty() {
                dirs.push((d, "TEIKIT_SCHEMA_PATH"));
            }
        }
    }
    if let Some(d) = cache_dir() {
        dirs.push((d, "cache"));
    }
    dirs
}

/// Every known schema: the built-in one first, then each folder's `*.rng`/`*.rnc` files in
/// file-name order. A name found twice is listed twice; the first one is used.
pub fn known() -> Vec<Named> {
    let mut out = vec![Named {
        name: BUILTIN_NAME.to_string(),
        schema: SchemaRef::Builtin,
        origin: "built-in",
    }];
    for (dir, origin) in search_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("rng" | "rnc"))
            })
            .collect();
        files.sort();
        for path in files {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                out.push(Named {
                    name: stem.to_string(),
                    schema: SchemaRef::File(path.clone()),
                    origin,
                });
            }
        }
    }
    out
}

/// Looks a schema name up (the first known schema of that name).
pub fn by_name(name: &str) -> Option<Named> {
    known().into_iter().find(|n| n.name == name)
}

/// Does `spec` look like a path rather than a name?
fn looks_like_path(spec: &str) -> bool {
    spec.ends_with(".rng")
        || spec.ends_with(".rnc")
        || spec.contains('/')
        || spec.contains(std::path::MAIN_SEPARATOR)
}

/// Resolves a schema given by name or path (`base` is the folder relative paths start from).
/// Paths win when the text looks like one (`.rng`/`.rnc`, or a separator); otherwise names
/// win, and an existing file of that exact name is the last resort.
pub fn resolve_spec(spec: &str, base: Option<&Path>) -> Result<SchemaRef, String> {
    let as_path = || {
        let p = Path::new(spec);
        match base {
            Some(b) if p.is_relative() => b.join(p),
            _ => p.to_path_buf(),
        }
    };
    if looks_like_path(spec) {
        return Ok(SchemaRef::File(as_path()));
    }
    if let Some(n) = by_name(spec) {
        return Ok(n.schema);
    }
    let p = as_path();
    if p.is_file() {
        return Ok(SchemaRef::File(p));
    }
    let names: Vec<String> = known().into_iter().map(|n| n.name).collect();
    Err(format!(
        "schema {spec:?} is neither a file nor a known name (known: {}); `teikit schema list` shows where names come from",
        names.join(", ")
    ))
}

/// The path the built-in schema has in messages.
pub fn builtin_path() -> PathBuf {
    PathBuf::from("<built-in>").join(format!("{BUILTIN_NAME}.rng"))
}

/// Runs `f` with the cache source of `schema`: a file, or the embedded text loaded in memory
/// under a path that names it in messages (`<built-in>/teikit-archive.rng`).
fn with_source<T>(schema: &SchemaRef, f: impl FnOnce(&Source<'_>) -> T) -> T {
    match schema {
        SchemaRef::File(p) => f(&Source::File(p)),
        SchemaRef::Builtin => {
            let path = builtin_path();
            f(&Source::Text {
                path: &path,
                text: BUILTIN_RNG,
            })
        }
    }
}

/// Loads a schema from source, without the compiled-schema cache (`schema check`).
pub fn load_uncached(schema: &SchemaRef, options: &LoadOptions) -> Result<Schema, SchemaErrors> {
    with_source(schema, |src| src.load(options))
}

/// Loads a schema through the compiled-schema cache (unless `--no-cache`) and compiles it: a
/// valid entry is used, anything else loads from source, and the entry is rewritten on
/// another thread while documents are validated (on a cold run of tei_all the write took
/// about 10 ms that validation no longer waits for). A cache that cannot be written is
/// reported once per process on standard error, and changes nothing else.
pub fn load(schema: &SchemaRef, options: &LoadOptions) -> Result<Arc<Grammar>, SchemaErrors> {
    let (loaded, pending) = load_or_pending(schema, options);
    let schema = Arc::new(loaded?);
    // Encoding the entry starts before the grammar is compiled: both only read the schema.
    if let Some(entry) = pending {
        write_in_background(entry, schema.clone());
    }
    Ok(compile(schema))
}

/// [`load`], except that a new cache entry is returned instead of written.
fn load_or_pending(
    schema: &SchemaRef,
    options: &LoadOptions,
) -> (Result<Schema, SchemaErrors>, Option<PendingEntry>) {
    let started = Instant::now();
    let Some(cache) = compiled_cache() else {
        let r = load_uncached(schema, options);
        timing("schema load (no cache)", started);
        return (r, None);
    };
    let (loaded, pending) = with_source(schema, |src| cache.load_or_pending(src, options));
    if timings_enabled() {
        let what = match &loaded.outcome {
            Outcome::Hit => "schema load (cache hit)".to_string(),
            Outcome::Miss { why, .. } => format!("schema load (cache miss: {why})"),
        };
        timing(&what, started);
    }
    (loaded.schema, pending)
}

/// Says once per process that the cache could not be written.
fn report_write(written: Result<(), String>) {
    if let Err(reason) = written {
        static WARNED: AtomicBool = AtomicBool::new(false);
        if !WARNED.swap(true, Ordering::Relaxed) {
            eprintln!(
                "teikit: warning: the compiled-schema cache is not used ({reason}); set TEIKIT_CACHE_DIR to a writable folder, or pass --no-cache"
            );
        }
    }
}

/// Cache entries being written while documents are validated.
static WRITES: Mutex<Vec<std::thread::JoinHandle<()>>> = Mutex::new(Vec::new());

/// Writes `entry` for `schema` on a thread of its own, so that a cold run encodes and
/// stores the schema on one core while it compiles and validates on the other;
/// [`finish_writes`] waits for it before the process exits.
fn write_in_background(entry: PendingEntry, schema: Arc<Schema>) {
    let spawned = std::thread::Builder::new()
        .name("teikit-cache-write".into())
        .spawn(move || {
            let started = Instant::now();
            report_write(entry.write(&schema));
            timing("cache entry written (in the background)", started);
        });
    match spawned {
        Ok(h) => WRITES.lock().unwrap_or_else(|p| p.into_inner()).push(h),
        // No thread to be had: the entry is not written this time, nothing else changes.
        Err(e) => report_write(Err(format!("cannot start a thread to write it: {e}"))),
    }
}

/// Waits for the cache entries still being written (called before the process exits, so
/// that no entry is left half written in a temporary file).
pub fn finish_writes() {
    let handles = std::mem::take(&mut *WRITES.lock().unwrap_or_else(|p| p.into_inner()));
    for h in handles {
        let _ = h.join();
    }
}

/// `Grammar::new`, timed under `TEIKIT_TIMINGS`. The grammar is also kept in a static
/// until the process exits, so it is never dropped: freeing tei_all's hundreds of thousands
/// of pattern nodes one by one took a quarter of a warm-cache run, and the operating
/// system reclaims the memory at exit anyway.
pub fn compile(schema: Arc<Schema>) -> Arc<Grammar> {
    static KEEP: Mutex<Vec<Arc<Grammar>>> = Mutex::new(Vec::new());
    let started = Instant::now();
    let g = Arc::new(Grammar::shared(schema));
    timing("grammar", started);
    KEEP.lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(g.clone());
    g
}

/// A compiled grammar, or the first line of why it cannot be loaded.
pub type Loaded = Result<Arc<Grammar>, String>;

/// Grammars compiled once per process and shared between threads.
#[derive(Default)]
pub struct GrammarCache {
    cells: Mutex<HashMap<SchemaRef, Arc<OnceLock<Loaded>>>>,
}

impl GrammarCache {
    /// The grammar for `schema`, compiled on first use.
    pub fn get(&self, schema: &SchemaRef, options: &LoadOptions) -> Loaded {
        let key = match schema {
            SchemaRef::File(p) => SchemaRef::File(p.canonicalize().unwrap_or_else(|_| p.clone())),
            SchemaRef::Builtin => SchemaRef::Builtin,
        };
        let cell = {
            let mut map = self.cells.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(key).or_default().clone()
        };
        cell.get_or_init(|| {
            load(schema, options).map_err(|e| super::commands::first_error_line(&e))
        })
        .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_schema_loads() {
        let schema = load(&SchemaRef::Builtin, &LoadOptions::default());
        assert!(schema.is_ok(), "{:?}", schema.err().map(|e| e.errors));
    }

    #[test]
    fn official_tei_urls_name_schemas() {
        assert_eq!(
            official_tei_name(
                "http://www.tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng"
            ),
            Some("tei_all")
        );
        assert_eq!(
            official_tei_name(&format!(
                "{}tei_lite.rnc",
                teikit_schema_cache::fetch::DEFAULT_BASE_URL
            )),
            Some("tei_lite")
        );
        assert_eq!(official_tei_name("https://example.org/tei_all.rng"), None);
    }

    #[test]
    fn paths_and_names_are_told_apart() {
        assert!(looks_like_path("a.rng"));
        assert!(looks_like_path("schemas/x"));
        assert!(!looks_like_path("tei_all"));
        assert_eq!(
            resolve_spec(BUILTIN_NAME, None).unwrap(),
            SchemaRef::Builtin
        );
        assert_eq!(
            resolve_spec("s.rnc", Some(Path::new("/p"))).unwrap(),
            SchemaRef::File(PathBuf::from("/p/s.rnc"))
        );
    }
}
