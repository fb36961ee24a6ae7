//! Reading schema files and turning the full syntax (section 3) into the loader's pattern
//! tree: includes and externalRefs (4.5–4.7), `ns`/`datatypeLibrary` inheritance (4.3, 4.9),
//! QNames (4.10), `div` (4.11), child counts and the `mixed`/`optional`/`zeroOrMore` sugar
//! (4.12–4.15), the constraints of 4.16, `combine` (4.17) and grammar scoping (4.18: every
//! define of every grammar becomes one global slot, `ref`/`parentRef` resolved to slots).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use teikit_diagnostics::{Diagnostic, Span};

use crate::datatype::{Datatype, DatatypeError};
use crate::ir::{Loc, NameClass, QName, SourceFile};
use crate::pattern::{self, Pat, K};
use crate::tree::{self, is_ws, Top, XElem};
use crate::LoadOptions;

const XMLNS_URI: &str = "http://www.w3.org/2000/xmlns";

/// Diagnostic codes used here.
pub(crate) mod code {
    pub const UNREADABLE: &str = "rng/schema-unreadable";
    pub const COMPACT: &str = "rng/schema-compact-syntax";
    pub const SYNTAX: &str = "rng/schema-syntax";
    pub const INCLUDE: &str = "rng/schema-include";
    pub const NAME: &str = "rng/schema-name";
    pub const DATATYPE: &str = "rng/schema-datatype";
    pub const COMBINE: &str = "rng/schema-combine";
    pub const UNDEFINED: &str = "rng/schema-undefined-ref";
    pub const RECURSION: &str = "rng/schema-recursion";
    pub const RESTRICTION: &str = "rng/schema-restriction";
    pub const STRING_SEQUENCE: &str = "rng/schema-string-sequence";
    pub const ATTRIBUTE: &str = "rng/schema-attribute";
    pub const INTERLEAVE: &str = "rng/schema-interleave";
    pub const ID: &str = "rng/schema-id-compat";
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Combine {
    Choice,
    Interleave,
}

/// One definition slot: a named define of one grammar (or its start, with an empty name).
pub(crate) struct Slot {
    pub name: String,
    /// The grammar scope the slot belongs to.
    scope: u32,
    parts: Vec<(Option<Combine>, Pat, Loc)>,
    /// The combined body, once the whole schema is read.
    pub body: Option<Pat>,
    pub loc: Loc,
}

/// A grammar component before combination.
struct Comp {
    key: String,
    combine: Option<Combine>,
    pat: Pat,
    loc: Loc,
}

/// (library, type, params) of a datatype.
type DatatypeKey = (String, String, Vec<(String, String)>);

/// A datatype built once by whichever thread gets to it first (see [`TypeBuilder`]).
type DatatypeCell = Arc<OnceLock<Result<Arc<Datatype>, DatatypeError>>>;

/// Builds the `pattern`-restricted datatypes of a big schema on a helper thread while the
/// loader works through the patterns: each compiles a regular expression (about half the
/// time of turning tei_all's elements into patterns). The keys are found by a quick scan of
/// the file's tree ([`datatype_keys`]); the helper builds them from the last, the loader
/// takes them from the first (building one itself if the helper has not started it, waiting
/// if the helper is building it), so the result is the same whoever builds what.
struct TypeBuilder {
    cells: HashMap<DatatypeKey, DatatypeCell>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TypeBuilder {
    /// Below this many distinct keys a helper thread is not worth starting.
    const MIN_KEYS: usize = 8;

    fn start(keys: Vec<DatatypeKey>) -> TypeBuilder {
        let jobs: Vec<(DatatypeKey, DatatypeCell)> = keys
            .into_iter()
            .map(|k| (k, Arc::new(OnceLock::new())))
            .collect();
        let cells = jobs.iter().map(|(k, c)| (k.clone(), c.clone())).collect();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("teikit-relaxng-types".into())
            // Regular expressions are parsed recursively: the loader's stack.
            .stack_size(crate::LOAD_STACK)
            .spawn(move || {
                for (key, cell) in jobs.iter().rev() {
                    if flag.load(Ordering::Relaxed) {
                        return;
                    }
                    cell.get_or_init(|| build_datatype(key));
                }
            })
            .ok();
        TypeBuilder {
            cells,
            stop,
            thread,
        }
    }
}

impl Drop for TypeBuilder {
    /// Stops the helper (after the datatype it is building) and waits for it.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn build_datatype(key: &DatatypeKey) -> Result<Arc<Datatype>, DatatypeError> {
    Datatype::new(&key.0, &key.1, &key.2).map(Arc::new)
}

/// The (library, type, params) of each `data` element with parameters in a file's tree,
/// distinct, in document order, as the loader will ask for them (a key it does not ask for
/// is only built in vain: `datatypeLibrary` as inherited within the file, the type and
/// parameter names trimmed, the parameter values as written).
fn datatype_keys(root: &XElem) -> Vec<DatatypeKey> {
    fn walk<'t>(e: &'t XElem, lib: &'t str, out: &mut Vec<DatatypeKey>) {
        let lib = e.attr("datatypeLibrary").map_or(lib, |a| a.value.as_str());
        if e.local == "data" {
            let params: Vec<(String, String)> = e
                .children
                .iter()
                .take_while(|c| c.local == "param")
                .filter_map(|c| {
                    let name = c.attr("name")?.value.trim_matches(is_ws);
                    Some((name.to_string(), c.text.clone()))
                })
                .collect();
            if let (Some(ty), false) = (e.attr("type"), params.is_empty()) {
                let key = (
                    lib.to_string(),
                    ty.value.trim_matches(is_ws).to_string(),
                    params,
                );
                out.push(key);
            }
        }
        for c in &e.children {
            walk(c, lib, out);
        }
    }
    let mut all = Vec::new();
    walk(root, "", &mut all);
    let mut seen = std::collections::HashSet::new();
    all.into_iter().filter(|k| seen.insert(k.clone())).collect()
}

/// What inherits down the tree.
#[derive(Clone)]
struct Ctx {
    // Shared: a context is copied for every element of the schema.
    ns: Rc<str>,
    dtlib: Rc<str>,
    /// The in-scope grammar (index into `scopes`).
    scope: Option<u32>,
}

struct Scope {
    parent: Option<u32>,
    /// The grammar's slots by define name (`""` for its start).
    slots: HashMap<String, u32>,
}

/// The result of reading a schema: its top pattern and define slots.
pub(crate) struct Loaded {
    pub start: Pat,
    pub slots: Vec<Slot>,
    pub files: Vec<Arc<SourceFile>>,
}

pub(crate) struct Loader<'o> {
    options: &'o LoadOptions,
    /// Files given as text (the top file of `load_source` first, then
    /// `LoadOptions::sources`), by lexically normalised path; read before the disk.
    memory: Vec<(PathBuf, &'o str)>,
    pub files: Vec<Arc<SourceFile>>,
    pub errors: Vec<(u32, Diagnostic)>,
    pub unreadable: bool,
    stack: Vec<PathBuf>,
    slots: Vec<Slot>,
    scopes: Vec<Scope>,
    /// Datatypes already built, by (library, type, params): TEI repeats the same few
    /// `pattern`-restricted types hundreds of times and each needs a regex compiled.
    datatypes: HashMap<DatatypeKey, Arc<Datatype>>,
    /// The helper building the first big file's restricted datatypes, if there is one.
    types: Option<TypeBuilder>,
    /// Trees of files already read, by canonical path (shared, not copied: tei_all is one
    /// 1.1 MB file read once, and copying its tree was 5% of loading it).
    trees: HashMap<PathBuf, Rc<XElem>>,
}

impl<'o> Loader<'o> {
    /// A loader; `top` is the text of the top file when it is given in memory.
    pub fn new(options: &'o LoadOptions, top: Option<(&Path, &'o str)>) -> Loader<'o> {
        let memory = top
            .into_iter()
            .map(|(p, t)| (normalize(p), t))
            .chain(
                options
                    .sources
                    .iter()
                    .map(|(p, t)| (normalize(p), t.as_str())),
            )
            .collect();
        Loader {
            options,
            memory,
            files: Vec::new(),
            errors: Vec::new(),
            unreadable: false,
            stack: Vec::new(),
            slots: Vec::new(),
            scopes: Vec::new(),
            datatypes: HashMap::new(),
            types: None,
            trees: HashMap::new(),
        }
    }

    fn err(&mut self, loc: Loc, code: &str, message: impl Into<teikit_diagnostics::Text>) {
        let d = Diagnostic::error(code, message).with_label(loc.span, "");
        self.errors.push((loc.file, d));
    }

    /// Loads the schema whose top file is `path`.
    pub fn load(mut self, path: &Path) -> Result<Loaded, Box<Self>> {
        let ctx = Ctx {
            ns: Rc::from(""),
            dtlib: Rc::from(""),
            scope: None,
        };
        let start = self.load_pattern_file(path, None, &ctx);
        // Every datatype is built by now: stop the helper.
        self.types = None;
        if !self.errors.is_empty() {
            return Err(Box::new(self));
        }
        let Some(start) = start else {
            return Err(Box::new(self));
        };
        self.combine_slots();
        self.check_refs(&start);
        if !self.errors.is_empty() {
            return Err(Box::new(self));
        }
        Ok(Loaded {
            start,
            slots: self.slots,
            files: self.files,
        })
    }

    // ----- files -------------------------------------------------------------------------

    /// Resolves an `href` against the element's base directory.
    fn resolve_href(&mut self, e: &XElem) -> Option<PathBuf> {
        let a = e.attr("href")?;
        let href = a.value.trim();
        let loc = e.attr_loc("href");
        if href.contains('#') {
            self.err(
                loc,
                code::SYNTAX,
                format!("section 4.5: href \"{href}\" must not have a fragment identifier"),
            );
            return None;
        }
        let lower = href.to_ascii_lowercase();
        if lower.starts_with("http:") || lower.starts_with("https:") {
            if let Some((_, p)) = self.options.url_map.iter().find(|(u, _)| u == href) {
                return Some(p.clone());
            }
            // A key ending in '/' maps every URL under it (like a catalog's rewriteURI).
            let prefix = self
                .options
                .url_map
                .iter()
                .filter(|(u, _)| u.ends_with('/') && href.starts_with(u.as_str()))
                .max_by_key(|(u, _)| u.len());
            if let Some((u, dir)) = prefix {
                return Some(dir.join(teikit_xml::uri::percent_decode(&href[u.len()..])));
            }
            self.err(
                loc,
                code::INCLUDE,
                format!(
                    "section 4.5: cannot retrieve remote schema \"{href}\" (no network access)"
                ),
            );
            return None;
        }
        let local = if let Some(rest) = href.strip_prefix("file://") {
            rest.to_string()
        } else if let Some(rest) = href.strip_prefix("file:") {
            rest.to_string()
        } else if has_scheme(href) {
            self.err(
                loc,
                code::INCLUDE,
                format!("section 4.5: cannot retrieve \"{href}\": unsupported URI scheme"),
            );
            return None;
        } else {
            href.to_string()
        };
        let local = teikit_xml::uri::percent_decode(&local);
        let p = Path::new(&local);
        Some(if p.is_absolute() {
            p.to_path_buf()
        } else {
            e.base.join(p)
        })
    }

    /// The text of `path` when it is given in memory.
    fn in_memory(&self, path: &Path) -> Option<&'o str> {
        let key = normalize(path);
        self.memory.iter().find(|(p, _)| *p == key).map(|(_, t)| *t)
    }

    /// The identity of a file for reuse and loop detection: its normalised path when it is
    /// given in memory, else its canonical path on disk.
    fn file_key(&self, path: &Path) -> Option<PathBuf> {
        if self.in_memory(path).is_some() {
            Some(normalize(path))
        } else {
            std::fs::canonicalize(path).ok()
        }
    }

    /// Reads and parses one file; `from` is the include/externalRef that names it.
    fn read_tree(&mut self, path: &Path, from: Option<Loc>) -> Option<Rc<XElem>> {
        let key = self.file_key(path);
        if let Some(e) = key.as_ref().and_then(|k| self.trees.get(k)) {
            // Included or referenced again (not recursively): reuse the file and its tree.
            return Some(e.clone());
        }
        let e = Rc::new(self.read_tree_uncached(path, from)?);
        if self.types.is_none() {
            let keys = datatype_keys(&e);
            if keys.len() >= TypeBuilder::MIN_KEYS {
                self.types = Some(TypeBuilder::start(keys));
            }
        }
        if let Some(k) = key {
            self.trees.insert(k, e.clone());
        }
        Some(e)
    }

    fn read_tree_uncached(&mut self, path: &Path, from: Option<Loc>) -> Option<XElem> {
        let text = match self.in_memory(path) {
            Some(t) => t.to_string(),
            None => self.read_file(path, from)?,
        };
        // A file named by include/externalRef that is not XML at all (`/etc/passwd`, a
        // binary) is reported at the href, and its text is never kept: diagnostics must not
        // quote a file that turned out not to be a schema.
        if let Some(loc) = from {
            let is_rnc = path
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("rnc"));
            let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
            if !is_rnc && !start.starts_with('<') {
                self.err(
                    loc,
                    code::INCLUDE,
                    format!(
                        "{} is not an XML document, so it cannot be a RELAX NG schema",
                        path.display()
                    ),
                );
                return None;
            }
        }
        warm_heap(text.len());
        self.parse_tree(path, text)
    }

    /// Reads and decodes a file from disk, reporting why it cannot be.
    fn read_file(&mut self, path: &Path, from: Option<Loc>) -> Option<String> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                match from {
                    None => {
                        self.unreadable = true;
                        self.errors.push((
                            u32::MAX,
                            Diagnostic::error(
                                code::UNREADABLE,
                                format!("cannot read schema {}: {e}", path.display()),
                            ),
                        ));
                    }
                    Some(loc) => self.err(
                        loc,
                        code::INCLUDE,
                        format!(
                            "cannot read {}: {}",
                            path.display(),
                            e.to_string().to_lowercase()
                        ),
                    ),
                }
                return None;
            }
        };
        match teikit_xml::decode_owned(bytes) {
            Ok(t) => Some(t),
            Err((d, _)) if from.is_some() => {
                // Not text: reported at the href, without keeping (or quoting) the bytes.
                let loc = from.expect("checked");
                self.err(
                    loc,
                    code::INCLUDE,
                    format!("cannot read {} as a schema: {}", path.display(), d.message),
                );
                None
            }
            Err((d, bytes)) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let file = self.add_file(path, text);
                self.errors.push((file, d));
                None
            }
        }
    }

    /// Parses a file's text (`.rnc` as compact syntax, anything else as XML) into a tree.
    fn parse_tree(&mut self, path: &Path, text: String) -> Option<XElem> {
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text);
        let file = self.add_file(path, text);
        let src = self.files[file as usize].clone();
        let is_rnc = path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("rnc"));
        let top = if is_rnc {
            match teikit_rnc::parse(&src.text) {
                Ok(el) => tree::from_rnc(&el, file, path),
                Err(errs) => {
                    for e in errs {
                        self.err(
                            Loc {
                                file,
                                span: Span::from_range(e.span),
                            },
                            code::COMPACT,
                            e.message,
                        );
                    }
                    return None;
                }
            }
        } else {
            match teikit_xml::read(&src.text, &teikit_xml::Limits::default()) {
                Ok(doc) => tree::from_xml(&doc, file, path),
                Err(d) => {
                    // Well-formedness errors keep teikit-xml's precise codes (`xml/…`).
                    self.errors.push((file, d));
                    return None;
                }
            }
        };
        match top {
            Top::Rng(e) => Some(e),
            Top::Foreign { name, span } => {
                self.err(
                    Loc { file, span },
                    code::SYNTAX,
                    format!(
                        "section 3: the document element <{name}> is not a RELAX NG pattern (namespace {})",
                        tree::RNG_NS
                    ),
                );
                None
            }
        }
    }

    fn add_file(&mut self, path: &Path, text: String) -> u32 {
        self.files.push(Arc::new(SourceFile {
            path: path.to_path_buf(),
            text,
        }));
        (self.files.len() - 1) as u32
    }

    /// Enters a file for include/externalRef loop detection.
    fn enter(&mut self, path: &Path, from: Option<Loc>) -> Option<PathBuf> {
        let canon = self.file_key(path).unwrap_or_else(|| path.to_path_buf());
        if self.stack.contains(&canon) {
            if let Some(loc) = from {
                self.err(
                    loc,
                    code::INCLUDE,
                    format!(
                        "sections 4.6/4.7: {} includes or references itself (loop)",
                        path.display()
                    ),
                );
            }
            return None;
        }
        self.stack.push(canon.clone());
        Some(canon)
    }

    /// Loads a file whose document element is a pattern (top file, externalRef).
    fn load_pattern_file(&mut self, path: &Path, from: Option<Loc>, ctx: &Ctx) -> Option<Pat> {
        self.enter(path, from)?;
        let result = self.read_tree(path, from).map(|e| {
            let ctx = Ctx {
                ns: ctx.ns.clone(),
                dtlib: Rc::from(""),
                scope: ctx.scope,
            };
            self.pattern(&e, &ctx)
        });
        self.stack.pop();
        result
    }

    // ----- grammars ------------------------------------------------------------------------

    fn slot(&mut self, scope: u32, name: &str, loc: Loc) -> u32 {
        if let Some(&i) = self.scopes[scope as usize].slots.get(name) {
            return i;
        }
        let i = self.slots.len() as u32;
        self.slots.push(Slot {
            name: name.to_string(),
            scope,
            parts: Vec::new(),
            body: None,
            loc,
        });
        self.scopes[scope as usize]
            .slots
            .insert(name.to_string(), i);
        i
    }

    /// A `grammar` pattern: a new scope whose start becomes the pattern.
    fn grammar(&mut self, e: &XElem, ctx: &Ctx) -> Pat {
        let scope = self.scopes.len() as u32;
        self.scopes.push(Scope {
            parent: ctx.scope,
            slots: HashMap::new(),
        });
        let inner = Ctx {
            ns: ctx.ns.clone(),
            dtlib: ctx.dtlib.clone(),
            scope: Some(scope),
        };
        let mut comps = Vec::new();
        self.grammar_content(e, &inner, &mut comps, false);
        let mut has_start = false;
        for c in comps {
            has_start |= c.key.is_empty();
            let s = self.slot(scope, &c.key, c.loc);
            let slot = &mut self.slots[s as usize];
            if slot.parts.is_empty() {
                slot.loc = c.loc;
            }
            slot.parts.push((c.combine, c.pat, c.loc));
        }
        if !has_start {
            self.err(
                e.loc(),
                code::UNDEFINED,
                "section 4.18: a grammar must have a start",
            );
        }
        let s = self.slot(scope, "", e.loc());
        Pat::new(K::Ref(s), e.loc())
    }

    /// Collects the components of a grammar (or include, or div) into `comps`.
    fn grammar_content(&mut self, e: &XElem, ctx: &Ctx, comps: &mut Vec<Comp>, in_include: bool) {
        for c in &e.children {
            let ctx = self.inherit(c, ctx);
            match c.local.as_ref() {
                "start" => {
                    self.check_attrs(c, &["combine"]);
                    self.no_text(c);
                    let combine = self.combine_attr(c);
                    let pats = self.pattern_children(c, &ctx);
                    if pats.len() != 1 {
                        self.err(
                            c.loc(),
                            code::SYNTAX,
                            format!(
                                "section 3: start must contain exactly one pattern, found {}",
                                pats.len()
                            ),
                        );
                    }
                    let pat = pats
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| Pat::new(K::NotAllowed, c.loc()));
                    comps.push(Comp {
                        key: String::new(),
                        combine,
                        pat,
                        loc: c.loc(),
                    });
                }
                "define" => {
                    self.check_attrs(c, &["name", "combine"]);
                    self.no_text(c);
                    let Some(name) = self.ncname_attr(c, "name", true) else {
                        continue;
                    };
                    let combine = self.combine_attr(c);
                    let pats = self.pattern_children(c, &ctx);
                    if pats.is_empty() {
                        self.err(
                            c.loc(),
                            code::SYNTAX,
                            format!("section 3: define \"{name}\" must contain a pattern"),
                        );
                    }
                    let pat = pattern::group(pats, c.loc());
                    comps.push(Comp {
                        key: name,
                        combine,
                        pat,
                        loc: c.loc(),
                    });
                }
                "div" => {
                    self.check_attrs(c, &[]);
                    self.no_text(c);
                    self.grammar_content(c, &ctx, comps, in_include);
                }
                "include" if !in_include => {
                    self.check_attrs(c, &["href"]);
                    self.no_text(c);
                    self.include(c, &ctx, comps);
                }
                other => {
                    let what = if in_include {
                        "an include"
                    } else {
                        "a grammar"
                    };
                    self.err(
                        c.loc(),
                        code::SYNTAX,
                        format!("section 3: <{other}> is not allowed in {what}; expected start, define, div{}", if in_include { "" } else { " or include" }),
                    );
                }
            }
        }
    }

    fn include(&mut self, e: &XElem, ctx: &Ctx, comps: &mut Vec<Comp>) {
        let mut own = Vec::new();
        self.grammar_content(e, ctx, &mut own, true);
        if e.attr("href").is_none() {
            self.err(
                e.loc(),
                code::SYNTAX,
                "section 3: include needs an href attribute",
            );
            return;
        }
        let Some(path) = self.resolve_href(e) else {
            return;
        };
        let from = Some(e.attr_loc("href"));
        if self.enter(&path, from).is_none() {
            return;
        }
        let tree = self.read_tree(&path, from);
        let mut included = Vec::new();
        if let Some(t) = tree {
            if t.local != "grammar" {
                self.err(
                    e.attr_loc("href"),
                    code::INCLUDE,
                    format!(
                        "section 4.7: included file {} must be a grammar, not <{}>",
                        path.display(),
                        t.local
                    ),
                );
            } else {
                let tctx = Ctx {
                    ns: ctx.ns.clone(),
                    dtlib: Rc::from(""),
                    scope: ctx.scope,
                };
                let tctx = self.inherit(&t, &tctx);
                self.check_attrs(&t, &[]);
                self.no_text(&t);
                self.grammar_content(&t, &tctx, &mut included, false);
            }
        }
        self.stack.pop();
        // Overrides (4.7).
        let mut overridden: Vec<&str> = Vec::new();
        for c in &own {
            if !overridden.contains(&c.key.as_str()) {
                overridden.push(&c.key);
            }
        }
        for key in &overridden {
            if !included.iter().any(|c| c.key == *key) {
                let loc = own
                    .iter()
                    .find(|c| c.key == *key)
                    .map_or(e.loc(), |c| c.loc);
                let what = if key.is_empty() {
                    "a start".to_string()
                } else {
                    format!("a define \"{key}\"")
                };
                self.err(
                    loc,
                    code::INCLUDE,
                    format!(
                        "section 4.7: this overrides {what}, but the included grammar {} has none",
                        path.display()
                    ),
                );
            }
        }
        let overridden: Vec<String> = overridden.into_iter().map(String::from).collect();
        comps.extend(
            included
                .into_iter()
                .filter(|c| !overridden.contains(&c.key)),
        );
        comps.extend(own);
    }

    fn combine_attr(&mut self, e: &XElem) -> Option<Combine> {
        let a = e.attr("combine")?;
        match a.value.trim_matches(is_ws) {
            "choice" => Some(Combine::Choice),
            "interleave" => Some(Combine::Interleave),
            other => {
                self.err(
                    e.attr_loc("combine"),
                    code::SYNTAX,
                    format!(
                        "section 3: combine must be \"choice\" or \"interleave\", not \"{other}\""
                    ),
                );
                None
            }
        }
    }

    /// 4.17: combines the parts of each slot.
    fn combine_slots(&mut self) {
        let mut errors = Vec::new();
        for slot in &mut self.slots {
            let parts = std::mem::take(&mut slot.parts);
            if parts.is_empty() {
                continue;
            }
            let what = if slot.name.is_empty() {
                "start".to_string()
            } else {
                format!("define \"{}\"", slot.name)
            };
            let mut method: Option<(Combine, Loc)> = None;
            let mut plain: Option<Loc> = None;
            for (c, _, loc) in &parts {
                match c {
                    None => {
                        if let Some(first) = plain {
                            errors.push((
                                *loc,
                                code::COMBINE,
                                format!("section 4.17: {what} is defined more than once without a combine attribute"),
                                Some(first),
                            ));
                        } else {
                            plain = Some(*loc);
                        }
                    }
                    Some(m) => match method {
                        Some((m0, first)) if m0 != *m => errors.push((
                            *loc,
                            code::COMBINE,
                            format!(
                                "section 4.17: {what} is combined both by choice and by interleave"
                            ),
                            Some(first),
                        )),
                        Some(_) => {}
                        None => method = Some((*m, *loc)),
                    },
                }
            }
            let loc = parts[0].2;
            let pats: Vec<Pat> = parts.into_iter().map(|(_, p, _)| p).collect();
            slot.body = Some(if pats.len() == 1 {
                pats.into_iter()
                    .next()
                    .unwrap_or(Pat::new(K::NotAllowed, loc))
            } else {
                match method {
                    Some((Combine::Interleave, _)) => Pat::new(K::Interleave(pats), loc),
                    _ => Pat::new(K::Choice(pats), loc),
                }
            });
        }
        for (loc, code, msg, other) in errors {
            let mut d = Diagnostic::error(code, msg).with_label(loc.span, "");
            if let Some(o) = other {
                if o.file == loc.file {
                    d = d.with_secondary(o.span, "first definition");
                }
            }
            self.errors.push((loc.file, d));
        }
    }

    /// 4.18: every ref must name a define (only refs in surviving components count).
    fn check_refs(&mut self, start: &Pat) {
        let mut bad = Vec::new();
        let mut stack: Vec<&Pat> = vec![start];
        for s in &self.slots {
            if let Some(b) = &s.body {
                stack.push(b);
            }
        }
        while let Some(p) = stack.pop() {
            match &p.kind {
                K::Ref(s) => {
                    let slot = &self.slots[*s as usize];
                    if slot.body.is_none() && !slot.name.is_empty() {
                        bad.push((p.loc, *s));
                    }
                }
                K::Choice(v) | K::Group(v) | K::Interleave(v) => stack.extend(v.iter()),
                K::OneOrMore(q) | K::List(q) | K::Element(_, q) | K::Attribute(_, q) => {
                    stack.push(q)
                }
                K::Data {
                    except: Some(q), ..
                } => stack.push(q),
                _ => {}
            }
        }
        bad.sort_by_key(|(l, _)| (l.file, l.span.offset));
        for (loc, s) in bad {
            let slot = &self.slots[s as usize];
            let name = slot.name.clone();
            let suggestion = self
                .slots
                .iter()
                .filter(|o| o.scope == slot.scope && o.body.is_some() && !o.name.is_empty())
                .map(|o| (edit_distance(&o.name, &name), &o.name))
                .filter(|(d, o)| *d <= (name.len().max(o.len()) / 3).max(1))
                .min()
                .map(|(_, o)| o.clone());
            let mut d = Diagnostic::error(
                code::UNDEFINED,
                format!("section 4.18: reference to undefined pattern \"{name}\""),
            )
            .with_label(loc.span, "no define of this name in this grammar");
            if let Some(o) = suggestion {
                d = d.with_help(format!("did you mean \"{o}\"?"));
            }
            self.errors.push((loc.file, d));
        }
    }

    // ----- patterns ------------------------------------------------------------------------

    /// Applies the element's own `ns`/`datatypeLibrary` attributes.
    fn inherit(&mut self, e: &XElem, ctx: &Ctx) -> Ctx {
        let mut c = ctx.clone();
        if let Some(a) = e.attr("ns") {
            if *c.ns != *a.value {
                c.ns = Rc::from(a.value.as_str());
            }
        }
        if let Some(a) = e.attr("datatypeLibrary") {
            let v = a.value.as_str();
            if !v.is_empty() && !is_absolute_uri(v) {
                self.err(
                    e.attr_loc("datatypeLibrary"),
                    code::SYNTAX,
                    format!("section 3: datatypeLibrary \"{v}\" must be an absolute URI without a fragment, or empty"),
                );
            }
            if *c.dtlib != *v {
                c.dtlib = Rc::from(v);
            }
        }
        c
    }

    fn check_attrs(&mut self, e: &XElem, allowed: &[&str]) {
        if let Some((name, span)) = &e.bad_attr {
            self.err(
                Loc {
                    file: e.loc.file,
                    span: *span,
                },
                code::SYNTAX,
                format!("section 3: attribute \"{name}\" in the RELAX NG namespace is not allowed"),
            );
        }
        for a in &e.attrs {
            if a.name != "ns" && a.name != "datatypeLibrary" && !allowed.contains(&&*a.name) {
                self.err(
                    Loc {
                        file: e.loc.file,
                        span: a.span,
                    },
                    code::SYNTAX,
                    format!(
                        "section 3: attribute \"{}\" is not allowed on <{}>",
                        a.name, e.local
                    ),
                );
            }
        }
    }

    fn no_text(&mut self, e: &XElem) {
        if let Some(span) = e.text_span {
            self.err(
                Loc {
                    file: e.loc.file,
                    span,
                },
                code::SYNTAX,
                format!("section 3: text is not allowed in <{}>", e.local),
            );
        }
    }

    fn no_children(&mut self, e: &XElem) {
        if let Some(c) = e.children.first() {
            self.err(
                c.loc(),
                code::SYNTAX,
                format!(
                    "section 3: <{}> must be empty, found <{}>",
                    e.local, c.local
                ),
            );
        }
    }

    /// A required or optional NCName attribute (trimmed).
    fn ncname_attr(&mut self, e: &XElem, name: &str, required: bool) -> Option<String> {
        match e.attr(name) {
            None => {
                if required {
                    self.err(
                        e.loc(),
                        code::SYNTAX,
                        format!("section 3: <{}> needs a {name} attribute", e.local),
                    );
                }
                None
            }
            Some(a) => {
                let v = a.value.trim_matches(is_ws).to_string();
                if !is_ncname(&v) {
                    self.err(
                        e.attr_loc(name),
                        code::SYNTAX,
                        format!("section 3: {name} \"{v}\" is not an NCName"),
                    );
                    return None;
                }
                Some(v)
            }
        }
    }

    fn pattern_children(&mut self, e: &XElem, ctx: &Ctx) -> Vec<Pat> {
        e.children.iter().map(|c| self.pattern(c, ctx)).collect()
    }

    /// Requires at least one pattern child; returns them grouped.
    fn grouped_children(&mut self, e: &XElem, ctx: &Ctx, from: usize) -> Pat {
        let pats: Vec<Pat> = e.children[from.min(e.children.len())..]
            .iter()
            .map(|c| self.pattern(c, ctx))
            .collect();
        if pats.is_empty() {
            self.err(
                e.loc(),
                code::SYNTAX,
                format!("section 3: <{}> must contain at least one pattern", e.local),
            );
            return Pat::new(K::NotAllowed, e.loc());
        }
        if pats.len() == 1 {
            return pats
                .into_iter()
                .next()
                .unwrap_or(Pat::new(K::NotAllowed, e.loc()));
        }
        Pat::new(K::Group(pats), e.loc())
    }

    fn pattern(&mut self, e: &XElem, ctx: &Ctx) -> Pat {
        let ctx = &self.inherit(e, ctx);
        let loc = e.loc();
        let na = Pat::new(K::NotAllowed, loc);
        match e.local.as_ref() {
            "element" => {
                self.check_attrs(e, &["name"]);
                self.no_text(e);
                let (nc, from) = match self.name_attr(e, ctx, false) {
                    Some(r) => (r, 0),
                    None if e.attr("name").is_some() => return na,
                    None => match e.children.first() {
                        Some(c) => (self.name_class(c, ctx, false, None), 1),
                        None => {
                            self.err(loc, code::SYNTAX, "section 3: element needs a name");
                            return na;
                        }
                    },
                };
                let content = self.grouped_children(e, ctx, from);
                Pat::new(K::Element(nc, Box::new(content)), loc)
            }
            "attribute" => {
                self.check_attrs(e, &["name"]);
                self.no_text(e);
                let (nc, from) = match self.name_attr(e, ctx, true) {
                    Some(r) => (r, 0),
                    None if e.attr("name").is_some() => return na,
                    None => match e.children.first() {
                        Some(c) => (self.name_class(c, ctx, true, None), 1),
                        None => {
                            self.err(loc, code::SYNTAX, "section 3: attribute needs a name");
                            return na;
                        }
                    },
                };
                let rest = &e.children[from.min(e.children.len())..];
                let content = match rest.len() {
                    0 => Pat::new(K::Text, loc),
                    1 => self.pattern(&rest[0], ctx),
                    _ => {
                        self.err(
                            rest[1].loc(),
                            code::SYNTAX,
                            "section 3: attribute may contain at most one pattern",
                        );
                        return na;
                    }
                };
                Pat::new(K::Attribute(nc, Box::new(content)), loc)
            }
            "group" | "interleave" | "choice" => {
                self.check_attrs(e, &[]);
                self.no_text(e);
                let pats = self.pattern_children(e, ctx);
                if pats.is_empty() {
                    self.err(
                        loc,
                        code::SYNTAX,
                        format!("section 3: <{}> must contain at least one pattern", e.local),
                    );
                    return na;
                }
                if pats.len() == 1 {
                    return pats.into_iter().next().unwrap_or(na);
                }
                Pat::new(
                    match e.local.as_ref() {
                        "group" => K::Group(pats),
                        "interleave" => K::Interleave(pats),
                        _ => K::Choice(pats),
                    },
                    loc,
                )
            }
            "optional" | "zeroOrMore" | "oneOrMore" | "list" | "mixed" => {
                self.check_attrs(e, &[]);
                self.no_text(e);
                let p = self.grouped_children(e, ctx, 0);
                let empty = Pat::new(K::Empty, loc);
                match e.local.as_ref() {
                    "optional" => Pat::new(K::Choice(vec![p, empty]), loc),
                    "zeroOrMore" => Pat::new(
                        K::Choice(vec![Pat::new(K::OneOrMore(Box::new(p)), loc), empty]),
                        loc,
                    ),
                    "oneOrMore" => Pat::new(K::OneOrMore(Box::new(p)), loc),
                    "list" => Pat::new(K::List(Box::new(p)), loc),
                    _ => Pat::new(K::Interleave(vec![p, Pat::new(K::Text, loc)]), loc),
                }
            }
            "ref" | "parentRef" => {
                self.check_attrs(e, &["name"]);
                self.no_text(e);
                self.no_children(e);
                let Some(name) = self.ncname_attr(e, "name", true) else {
                    return na;
                };
                let scope = if e.local == "ref" {
                    ctx.scope
                } else {
                    ctx.scope.and_then(|s| self.scopes[s as usize].parent)
                };
                let Some(scope) = scope else {
                    self.err(
                        loc,
                        code::UNDEFINED,
                        format!(
                            "section 4.18: <{}> \"{name}\" is not inside a{} grammar",
                            e.local,
                            if e.local == "ref" { "" } else { " nested" }
                        ),
                    );
                    return na;
                };
                let s = self.slot(scope, &name, loc);
                Pat::new(K::Ref(s), loc)
            }
            "empty" | "text" | "notAllowed" => {
                self.check_attrs(e, &[]);
                self.no_text(e);
                self.no_children(e);
                Pat::new(
                    match e.local.as_ref() {
                        "empty" => K::Empty,
                        "text" => K::Text,
                        _ => K::NotAllowed,
                    },
                    loc,
                )
            }
            "value" => self.value(e, ctx),
            "data" => self.data(e, ctx),
            "externalRef" => {
                self.check_attrs(e, &["href"]);
                self.no_text(e);
                self.no_children(e);
                if e.attr("href").is_none() {
                    self.err(
                        loc,
                        code::SYNTAX,
                        "section 3: externalRef needs an href attribute",
                    );
                    return na;
                }
                let Some(path) = self.resolve_href(e) else {
                    return na;
                };
                self.load_pattern_file(&path, Some(e.attr_loc("href")), ctx)
                    .unwrap_or(na)
            }
            "grammar" => {
                self.check_attrs(e, &[]);
                self.no_text(e);
                self.grammar(e, ctx)
            }
            other => {
                self.err(
                    loc,
                    code::SYNTAX,
                    format!("section 3: <{other}> is not a pattern here"),
                );
                na
            }
        }
    }

    fn value(&mut self, e: &XElem, ctx: &Ctx) -> Pat {
        let loc = e.loc();
        let na = Pat::new(K::NotAllowed, loc);
        self.check_attrs(e, &["type"]);
        self.only_text(e);
        let (lib, ty) = match e.attr("type") {
            None => (String::new(), "token".to_string()),
            Some(_) => match self.ncname_attr(e, "type", true) {
                Some(t) => (ctx.dtlib.to_string(), t),
                None => return na,
            },
        };
        let dt = match self.datatype(&lib, &ty, Vec::new()) {
            Ok(d) => d,
            Err(err) => {
                self.err(
                    e.attr_loc("type"),
                    code::DATATYPE,
                    format!("section 4.16: {}", err.message),
                );
                return na;
            }
        };
        let mut ns_ctx: Vec<(String, String)> = e
            .ns_ctx
            .iter()
            .filter(|(p, _)| !p.is_empty())
            .cloned()
            .collect();
        ns_ctx.push((String::new(), ctx.ns.to_string()));
        let value = e.text.clone();
        if let Err(why) = dt.check(&value, &NsList(&ns_ctx)) {
            self.err(
                loc,
                code::DATATYPE,
                format!("section 6.2.8: \"{value}\" is not a valid {ty}: {why}"),
            );
            return na;
        }
        let ns_ctx = ns_ctx.into();
        Pat::new(K::Value { dt, value, ns_ctx }, loc)
    }

    fn only_text(&mut self, e: &XElem) {
        if let Some(c) = e.children.first() {
            self.err(
                c.loc(),
                code::SYNTAX,
                format!(
                    "section 3: <{}> may contain only text, found <{}>",
                    e.local, c.local
                ),
            );
        } else if let Some(span) = e.foreign_child {
            self.err(
                Loc {
                    file: e.loc.file,
                    span,
                },
                code::SYNTAX,
                format!(
                    "section 3: <{}> may contain only text, not foreign elements",
                    e.local
                ),
            );
        }
    }

    fn data(&mut self, e: &XElem, ctx: &Ctx) -> Pat {
        let loc = e.loc();
        let na = Pat::new(K::NotAllowed, loc);
        self.check_attrs(e, &["type"]);
        self.no_text(e);
        let Some(ty) = self.ncname_attr(e, "type", true) else {
            return na;
        };
        let mut params: Vec<(String, String)> = Vec::new();
        let mut except = None;
        let mut ok = true;
        for (i, c) in e.children.iter().enumerate() {
            match c.local.as_ref() {
                "param" if except.is_none() => {
                    self.check_attrs(c, &["name"]);
                    self.only_text(c);
                    let Some(name) = self.ncname_attr(c, "name", true) else {
                        ok = false;
                        continue;
                    };
                    if name != "pattern" && params.iter().any(|(n, _)| *n == name) {
                        self.err(
                            c.loc(),
                            code::DATATYPE,
                            format!("section 6.2.8: parameter \"{name}\" is given more than once"),
                        );
                        ok = false;
                    }
                    params.push((name, c.text.clone()));
                }
                "except" if i + 1 == e.children.len() => {
                    let cctx = self.inherit(c, ctx);
                    self.check_attrs(c, &[]);
                    self.no_text(c);
                    let pats = self.pattern_children(c, &cctx);
                    if pats.is_empty() {
                        self.err(
                            c.loc(),
                            code::SYNTAX,
                            "section 3: except must contain at least one pattern",
                        );
                        ok = false;
                    }
                    except = Some(Box::new(Pat::new(K::Choice(pats), c.loc())));
                }
                other => {
                    self.err(
                        c.loc(),
                        code::SYNTAX,
                        format!("section 3: <{other}> is not allowed here in <data>; expected param elements then at most one except"),
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return na;
        }
        match self.datatype(&ctx.dtlib, &ty, params) {
            Ok(dt) => Pat::new(K::Data { dt, except }, loc),
            Err(err) => {
                self.err(
                    e.attr_loc("type"),
                    code::DATATYPE,
                    format!("section 4.16: {}", err.message),
                );
                na
            }
        }
    }

    fn datatype(
        &mut self,
        lib: &str,
        ty: &str,
        params: Vec<(String, String)>,
    ) -> Result<Arc<Datatype>, crate::datatype::DatatypeError> {
        let key = (lib.to_string(), ty.to_string(), params);
        if let Some(d) = self.datatypes.get(&key) {
            return Ok(d.clone());
        }
        let d = match self.types.as_ref().and_then(|t| t.cells.get(&key)) {
            Some(cell) => cell.get_or_init(|| build_datatype(&key)).clone()?,
            None => build_datatype(&key)?,
        };
        self.datatypes.insert(key, d.clone());
        Ok(d)
    }

    // ----- names -------------------------------------------------------------------------

    /// The `name` attribute of `element`/`attribute` as a name class (4.8, 4.10).
    fn name_attr(&mut self, e: &XElem, ctx: &Ctx, is_attr: bool) -> Option<NameClass> {
        let a = e.attr("name")?;
        let v = a.value.trim_matches(is_ws);
        let loc = e.attr_loc("name");
        let default_ns = if is_attr {
            e.attr("ns").map_or("", |a| a.value.as_str())
        } else {
            &ctx.ns
        };
        let q = self.qname(e, v, default_ns, loc)?;
        if is_attr {
            self.check_attr_name(&q, loc);
        }
        Some(NameClass::Name(q))
    }

    fn qname(&mut self, e: &XElem, v: &str, default_ns: &str, loc: Loc) -> Option<QName> {
        match v.split_once(':') {
            None => {
                if !is_ncname(v) {
                    self.err(
                        loc,
                        code::SYNTAX,
                        format!("section 3: \"{v}\" is not a QName"),
                    );
                    return None;
                }
                Some(QName::new(default_ns, v))
            }
            Some((p, l)) => {
                if !is_ncname(p) || !is_ncname(l) {
                    self.err(
                        loc,
                        code::SYNTAX,
                        format!("section 3: \"{v}\" is not a QName"),
                    );
                    return None;
                }
                match e.resolve_prefix(p) {
                    Some(uri) if !(p != "xml" && uri.is_empty()) => Some(QName::new(uri, l)),
                    _ => {
                        self.err(
                            loc,
                            code::NAME,
                            format!("section 4.10: namespace prefix \"{p}\" is not declared"),
                        );
                        None
                    }
                }
            }
        }
    }

    fn check_attr_name(&mut self, q: &QName, loc: Loc) {
        if q.ns.is_empty() && q.local == "xmlns" {
            self.err(
                loc,
                code::NAME,
                "section 4.16: an attribute cannot be named xmlns",
            );
        } else if is_xmlns_uri(&q.ns) {
            self.err(
                loc,
                code::NAME,
                format!(
                    "section 4.16: attributes cannot be in the namespace {}",
                    q.ns
                ),
            );
        }
    }

    /// A name class element. `except_of` is `Some("anyName"|"nsName")` inside an except.
    fn name_class(
        &mut self,
        e: &XElem,
        ctx: &Ctx,
        for_attr: bool,
        except_of: Option<&'static str>,
    ) -> NameClass {
        let ctx = &self.inherit(e, ctx);
        let loc = e.loc();
        let dummy = NameClass::Name(QName::new("", ""));
        match e.local.as_ref() {
            "name" => {
                self.check_attrs(e, &[]);
                self.only_text(e);
                let v = e.text.trim_matches(is_ws).to_string();
                let Some(q) = self.qname(e, &v, &ctx.ns, loc) else {
                    return dummy;
                };
                if for_attr {
                    self.check_attr_name(&q, loc);
                }
                NameClass::Name(q)
            }
            "anyName" | "nsName" => {
                self.check_attrs(e, &[]);
                self.no_text(e);
                let is_any = e.local == "anyName";
                if let Some(outer) = except_of {
                    if is_any || outer == "nsName" {
                        self.err(
                            loc,
                            code::NAME,
                            format!(
                                "section 4.16: <{}> is not allowed inside the except of <{outer}>",
                                e.local
                            ),
                        );
                    }
                }
                if !is_any && for_attr && is_xmlns_uri(&ctx.ns) {
                    self.err(
                        loc,
                        code::NAME,
                        format!(
                            "section 4.16: attributes cannot be in the namespace {}",
                            ctx.ns
                        ),
                    );
                }
                let mut except = None;
                for (i, c) in e.children.iter().enumerate() {
                    if c.local == "except" && i == 0 {
                        let cctx = self.inherit(c, ctx);
                        self.check_attrs(c, &[]);
                        self.no_text(c);
                        let outer = except_of.unwrap_or(if is_any { "anyName" } else { "nsName" });
                        let ncs: Vec<NameClass> = c
                            .children
                            .iter()
                            .map(|n| self.name_class(n, &cctx, for_attr, Some(outer)))
                            .collect();
                        if ncs.is_empty() {
                            self.err(
                                c.loc(),
                                code::SYNTAX,
                                "section 3: except must contain at least one name class",
                            );
                        }
                        except = choice_nc(ncs).map(Box::new);
                    } else {
                        self.err(
                            c.loc(),
                            code::SYNTAX,
                            format!("section 3: <{}> is not allowed in <{}>", c.local, e.local),
                        );
                    }
                }
                if is_any {
                    NameClass::AnyName(except)
                } else {
                    NameClass::NsName(ctx.ns.to_string(), except)
                }
            }
            "choice" => {
                self.check_attrs(e, &[]);
                self.no_text(e);
                let ncs: Vec<NameClass> = e
                    .children
                    .iter()
                    .map(|n| self.name_class(n, ctx, for_attr, except_of))
                    .collect();
                match choice_nc(ncs) {
                    Some(nc) => nc,
                    None => {
                        self.err(
                            loc,
                            code::SYNTAX,
                            "section 3: choice must contain at least one name class",
                        );
                        dummy
                    }
                }
            }
            other => {
                self.err(
                    loc,
                    code::SYNTAX,
                    format!("section 3: <{other}> is not a name class; expected name, anyName, nsName or choice"),
                );
                dummy
            }
        }
    }
}

/// Readies the thread's heap for loading a schema file of `len` bytes.
///
/// glibc gives each thread its own heap and grows it with one `mprotect` call per page as
/// allocations reach its end: about 3,500 calls, a tenth of the time, for tei_all (loaded on
/// a thread of its own). A heap trimmed after a large free keeps its pages accessible, so
/// allocating about as much as loading will need, in blocks below the mmap threshold, and
/// freeing it at once grows the heap in a few hundred steps instead. The blocks are never
/// written (resident memory does not grow); with another allocator this is only a few
/// hundred allocations. Small files are left alone.
fn warm_heap(len: usize) {
    // Loading tei_all peaks at about 24 bytes of heap per byte of schema.
    const PER_BYTE: usize = 24;
    const BLOCK: usize = 96 << 10;
    const MAX: usize = 64 << 20;
    if len < 256 << 10 {
        return;
    }
    let n = len.saturating_mul(PER_BYTE).min(MAX) / BLOCK;
    let blocks: Vec<Vec<u8>> = (0..n).map(|_| Vec::with_capacity(BLOCK)).collect();
    drop(std::hint::black_box(blocks));
}

/// `path` with `.` components dropped and `..` applied lexically (in-memory files do not
/// exist on disk, so they cannot be canonicalised).
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn choice_nc(ncs: Vec<NameClass>) -> Option<NameClass> {
    let mut it = ncs.into_iter();
    let first = it.next()?;
    Some(it.fold(first, |a, b| NameClass::Choice(Box::new(a), Box::new(b))))
}

fn is_xmlns_uri(ns: &str) -> bool {
    ns == XMLNS_URI || ns == "http://www.w3.org/2000/xmlns/"
}

/// Does `s` start with a URI scheme (`letter (letter|digit|+|-|.)* ':'`)?
fn has_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut cs = scheme.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic())
        && cs.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// A namespace list as a [`crate::datatype::NamespaceContext`].
struct NsList<'a>(&'a [(String, String)]);

impl crate::datatype::NamespaceContext for NsList<'_> {
    fn resolve(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some("http://www.w3.org/XML/1998/namespace");
        }
        self.0.resolve(prefix)
    }
}

/// Is `s` an NCName by the character classes of XML 1.0 second edition (appendix B), which
/// the RELAX NG specification refers to (jing's test suite rejects e.g. a name starting with
/// a combining mark, which XML 1.0 fifth edition would allow)?
///
/// Both editions class the ASCII characters alike, so an ASCII name needs only the fast
/// check: tei_all's 7,700 names took 18 M instructions through the regex, and compiling the
/// regex's Unicode classes 12 M more, on the path of every cold load.
fn is_ncname(s: &str) -> bool {
    if s.is_ascii() {
        return teikit_xsd::is_ncname(s);
    }
    static RE: std::sync::OnceLock<Option<teikit_xsd::XsdRegex>> = std::sync::OnceLock::new();
    let strict = RE.get_or_init(|| teikit_xsd::XsdRegex::new(r"[\i-[:]][\c-[:]]*").ok());
    match strict {
        Some(re) => teikit_xsd::is_ncname(s) && re.is_match(s),
        None => teikit_xsd::is_ncname(s),
    }
}

/// An absolute URI (RFC 2396) without a fragment: a scheme, a non-empty rest, and every `%`
/// followed by two hex digits.
fn is_absolute_uri(s: &str) -> bool {
    if !has_scheme(s) || s.contains('#') {
        return false;
    }
    let rest = s.split_once(':').map_or("", |(_, r)| r);
    if rest.is_empty() {
        return false;
    }
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 >= b.len() {
                return false;
            }
            if !(b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// Levenshtein distance (for "did you mean" suggestions).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII shortcut of `is_ncname` gives the second edition's verdict (the regex's) on
    /// every one- and two-character ASCII name, and non-ASCII names still go through it.
    #[test]
    fn ascii_names_need_no_regex() {
        let re = teikit_xsd::XsdRegex::new(r"[\i-[:]][\c-[:]]*").expect("compiles");
        let strict = |s: &str| teikit_xsd::is_ncname(s) && re.is_match(s);
        for a in 0u8..128 {
            for b in std::iter::once(None).chain((0u8..128).map(Some)) {
                let mut s = String::from(a as char);
                s.extend(b.map(char::from));
                assert_eq!(is_ncname(&s), strict(&s), "{s:?}");
            }
        }
        // A combining mark may not start a name in the second edition (the fifth allows it).
        assert!(!is_ncname("\u{0301}a"));
        assert!(is_ncname("é\u{0301}"));
    }
}
