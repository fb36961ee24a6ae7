//! The body of an entry: a simplified schema in a compact binary form that decodes straight
//! into `teikit_relaxng` IR, with no intermediate tree.
//!
//! Layout (integers are LEB128 varints, as postcard writes them):
//!
//! ```text
//! strings:   n, then n × (len, UTF-8 bytes)     every name, URI, value and define name once
//! datatypes: n, then n × (library, name, params: n × (name, value))   as string indices
//! defines:   n (known before any `ref` is decoded)
//! start:     pattern
//! defines:   n × (name, name class, loc, content length in bytes, pattern)
//! id_types:  n, then n × (element qname, attribute qname, id type byte)
//! attrs:     n, then n × name class        every attribute pattern's name class, once each
//! ```
//!
//! The attribute name classes are listed apart so that a validator can key every name the
//! schema mentions without reading the contents, which are then decoded only when a
//! document reaches their element ([`Contents::Deferred`]).
//!
//! A pattern is a tag byte and its fields; a location is (file, offset, len). Each distinct
//! datatype is stored once, by (library, name, params), and rebuilt once through
//! `Datatype::new`, as the loader built it once for all the patterns that share it.
//!
//! Decoding never trusts the bytes: every index (string, datatype, define, file), span,
//! arity and tag is checked, nesting is bounded, and anything unexpected is an error rather
//! than a panic.

use ahash::{AHashMap, AHashSet};
use std::sync::Arc;

use teikit_diagnostics::Span;
use teikit_relaxng::datatype::Datatype;
use teikit_relaxng::ir::NsContext;
use teikit_relaxng::{DeferredContents, Define, IdType, Loc, NameClass, Pattern, QName, Schema};

/// Why bytes cannot be a schema body.
pub type Invalid = String;

const T_EMPTY: u8 = 0;
const T_NOT_ALLOWED: u8 = 1;
const T_TEXT: u8 = 2;
const T_CHOICE: u8 = 3;
const T_GROUP: u8 = 4;
const T_INTERLEAVE: u8 = 5;
const T_ONE_OR_MORE: u8 = 6;
const T_LIST: u8 = 7;
const T_DATA: u8 = 8;
const T_DATA_EXCEPT: u8 = 9;
const T_VALUE: u8 = 10;
const T_ATTRIBUTE: u8 = 11;
const T_REF: u8 = 12;

const N_NAME: u8 = 0;
const N_ANY: u8 = 1;
const N_ANY_EXCEPT: u8 = 2;
const N_NS: u8 = 3;
const N_NS_EXCEPT: u8 = 4;
const N_CHOICE: u8 = 5;

/// Encodes `schema` (without its files); also returns the deepest nesting of patterns and
/// name classes, which tells the decoder how much stack it needs.
pub fn encode(schema: &Schema) -> (Vec<u8>, u32) {
    let mut e = Encoder::default();
    let mut body = Vec::new();
    varint(&mut body, schema.defines.len() as u64);
    e.pattern(&mut body, &schema.start);
    for (i, d) in schema.defines.iter().enumerate() {
        let s = e.string(&d.name);
        varint(&mut body, s);
        e.name_class(&mut body, &d.name_class);
        loc(&mut body, d.loc);
        let mut content = Vec::new();
        e.pattern(&mut content, &schema.content(i));
        varint(&mut body, content.len() as u64);
        body.extend_from_slice(&content);
    }
    varint(&mut body, schema.id_types.len() as u64);
    for (el, at, t) in &schema.id_types {
        e.qname(&mut body, el);
        e.qname(&mut body, at);
        body.push(match t {
            IdType::Null => 0,
            IdType::Id => 1,
            IdType::Idref => 2,
            IdType::Idrefs => 3,
        });
    }
    let names = std::mem::take(&mut e.attribute_names);
    varint(&mut body, names.len() as u64);
    for nc in &names {
        e.name_class(&mut body, nc);
    }
    let mut out = Vec::with_capacity(body.len() + 64 * e.strings.len());
    varint(&mut out, e.strings.len() as u64);
    for s in &e.strings {
        varint(&mut out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }
    varint(&mut out, e.datatypes.len() as u64);
    out.extend_from_slice(&e.datatype_bytes);
    out.extend_from_slice(&body);
    (out, e.max_depth)
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn loc(out: &mut Vec<u8>, l: Loc) {
    varint(out, u64::from(l.file));
    varint(out, l.span.offset as u64);
    varint(out, l.span.len as u64);
}

#[derive(Default)]
struct Encoder {
    strings: Vec<String>,
    // ahash rather than the standard SipHash: the encoder looks up a string for every name,
    // namespace and binding of the schema (over 100,000 for tei_all).
    string_ids: AHashMap<String, u64>,
    datatypes: Vec<*const Datatype>,
    datatype_ids: AHashMap<*const Datatype, u64>,
    datatype_bytes: Vec<u8>,
    /// Every distinct name class of an attribute pattern, in first-seen order.
    attribute_names: Vec<NameClass>,
    seen_attribute_names: AHashSet<NameClass>,
    /// The last (string, string) list encoded and its bytes: value patterns repeat the same
    /// namespace bindings, thousands of times in a big schema.
    last_pairs: (Vec<(String, String)>, Vec<u8>),
    depth: u32,
    max_depth: u32,
}

impl Encoder {
    fn enter(&mut self) {
        self.depth += 1;
        self.max_depth = self.max_depth.max(self.depth);
    }

    fn string(&mut self, s: &str) -> u64 {
        if let Some(&i) = self.string_ids.get(s) {
            return i;
        }
        let i = self.strings.len() as u64;
        self.strings.push(s.to_string());
        self.string_ids.insert(s.to_string(), i);
        i
    }

    fn str_field(&mut self, out: &mut Vec<u8>, s: &str) {
        let i = self.string(s);
        varint(out, i);
    }

    /// A count, then each (string, string) pair (read back by `Decoder::string_pairs`).
    fn string_pairs(&mut self, out: &mut Vec<u8>, pairs: &[(String, String)]) {
        if self.last_pairs.0 != pairs || self.last_pairs.1.is_empty() {
            let mut bytes = Vec::new();
            varint(&mut bytes, pairs.len() as u64);
            for (a, b) in pairs {
                self.str_field(&mut bytes, a);
                self.str_field(&mut bytes, b);
            }
            self.last_pairs = (pairs.to_vec(), bytes);
        }
        out.extend_from_slice(&self.last_pairs.1);
    }

    fn qname(&mut self, out: &mut Vec<u8>, q: &QName) {
        self.str_field(out, &q.ns);
        self.str_field(out, &q.local);
    }

    /// The index of a datatype; the schema being encoded keeps the `Arc`s (and so the
    /// addresses used as keys) alive.
    fn datatype(&mut self, dt: &Arc<Datatype>) -> u64 {
        let key = Arc::as_ptr(dt);
        if let Some(&i) = self.datatype_ids.get(&key) {
            return i;
        }
        let i = self.datatypes.len() as u64;
        let mut b = Vec::new();
        self.str_field(&mut b, dt.library());
        self.str_field(&mut b, dt.name());
        self.string_pairs(&mut b, dt.params());
        self.datatype_bytes.extend_from_slice(&b);
        self.datatypes.push(key);
        self.datatype_ids.insert(key, i);
        i
    }

    fn name_class(&mut self, out: &mut Vec<u8>, nc: &NameClass) {
        self.enter();
        self.name_class_inner(out, nc);
        self.depth -= 1;
    }

    fn name_class_inner(&mut self, out: &mut Vec<u8>, nc: &NameClass) {
        match nc {
            NameClass::Name(q) => {
                out.push(N_NAME);
                self.qname(out, q);
            }
            NameClass::AnyName(None) => out.push(N_ANY),
            NameClass::AnyName(Some(e)) => {
                out.push(N_ANY_EXCEPT);
                self.name_class(out, e);
            }
            NameClass::NsName(ns, None) => {
                out.push(N_NS);
                self.str_field(out, ns);
            }
            NameClass::NsName(ns, Some(e)) => {
                out.push(N_NS_EXCEPT);
                self.str_field(out, ns);
                self.name_class(out, e);
            }
            NameClass::Choice(a, b) => {
                out.push(N_CHOICE);
                self.name_class(out, a);
                self.name_class(out, b);
            }
        }
    }

    fn pattern(&mut self, out: &mut Vec<u8>, p: &Pattern) {
        self.enter();
        self.pattern_inner(out, p);
        self.depth -= 1;
    }

    fn pattern_inner(&mut self, out: &mut Vec<u8>, p: &Pattern) {
        match p {
            Pattern::Empty => out.push(T_EMPTY),
            Pattern::NotAllowed => out.push(T_NOT_ALLOWED),
            Pattern::Text => out.push(T_TEXT),
            Pattern::Choice(v) | Pattern::Group(v) | Pattern::Interleave(v) => {
                out.push(match p {
                    Pattern::Choice(_) => T_CHOICE,
                    Pattern::Group(_) => T_GROUP,
                    _ => T_INTERLEAVE,
                });
                varint(out, v.len() as u64);
                for q in v {
                    self.pattern(out, q);
                }
            }
            Pattern::OneOrMore(q) => {
                out.push(T_ONE_OR_MORE);
                self.pattern(out, q);
            }
            Pattern::List(q) => {
                out.push(T_LIST);
                self.pattern(out, q);
            }
            Pattern::Data {
                datatype,
                except,
                loc: l,
            } => {
                out.push(if except.is_some() {
                    T_DATA_EXCEPT
                } else {
                    T_DATA
                });
                let d = self.datatype(datatype);
                varint(out, d);
                loc(out, *l);
                if let Some(e) = except {
                    self.pattern(out, e);
                }
            }
            Pattern::Value {
                datatype,
                value,
                ns_context,
                loc: l,
            } => {
                out.push(T_VALUE);
                let d = self.datatype(datatype);
                varint(out, d);
                self.str_field(out, value);
                self.string_pairs(out, ns_context);
                loc(out, *l);
            }
            Pattern::Attribute {
                name,
                content,
                loc: l,
            } => {
                out.push(T_ATTRIBUTE);
                if !self.seen_attribute_names.contains(name) {
                    self.seen_attribute_names.insert(name.clone());
                    self.attribute_names.push(name.clone());
                }
                self.name_class(out, name);
                loc(out, *l);
                self.pattern(out, content);
            }
            Pattern::Ref(d) => {
                out.push(T_REF);
                varint(out, u64::from(*d));
            }
        }
    }
}

/// How [`decode`] builds element contents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contents {
    /// Every content is built now.
    Eager,
    /// Every content is checked now and built when a validator first asks for it (see
    /// [`Deferred`]).
    Deferred,
}

/// Decodes a body; `file_lens` are the lengths of the schema's files (in [`Schema::files`]
/// order), against which every location is checked; nesting deeper than `max_depth` is an
/// error (the caller's stack is sized for it). The schema returned has no files: the
/// caller attaches them.
///
/// Deferred contents are skipped by their recorded length and checked when they are built
/// (see [`Deferred`]); everything else is checked now.
pub fn decode(
    bytes: &[u8],
    file_lens: &[usize],
    max_depth: u32,
    contents: Contents,
) -> Result<Schema, Invalid> {
    decode_from(bytes, file_lens, max_depth, contents, |b| b.to_vec())
}

/// [`decode`] of a body the caller hands over: deferred contents are later decoded from it
/// in place, without a copy.
pub fn decode_owned(
    body: Vec<u8>,
    file_lens: &[usize],
    max_depth: u32,
    contents: Contents,
) -> Result<Schema, Invalid> {
    decode_from(body, file_lens, max_depth, contents, |b| b)
}

/// Decodes `body`; `keep` turns it into the bytes deferred contents are decoded from (only
/// called for [`Contents::Deferred`]: an eager decode keeps nothing).
fn decode_from<B: AsRef<[u8]>>(
    body: B,
    file_lens: &[usize],
    max_depth: u32,
    contents: Contents,
    keep: impl FnOnce(B) -> Vec<u8>,
) -> Result<Schema, Invalid> {
    let bytes: &[u8] = body.as_ref();
    // The string table first, with a decoder that has no table yet.
    let empty = Table::default();
    let mut r = Decoder::at(bytes, 0, &empty, max_depth);
    let n = r.count()?;
    let mut strings = Vec::with_capacity(n);
    for _ in 0..n {
        let len = r.count()?;
        let raw = r.take(len)?;
        let s = std::str::from_utf8(raw).map_err(|_| "a string is not UTF-8".to_string())?;
        strings.push(Box::<str>::from(s));
    }
    let mut table = Table {
        strings,
        datatypes: Vec::new(),
        defines: 0,
        file_lens: file_lens.to_vec(),
    };
    // Datatypes and the number of defines are read with the strings alone; the table is
    // completed before any pattern is read.
    let (specs, n, pos) = {
        let mut d = Decoder::at(bytes, r.pos, &table, max_depth);
        let n = d.count()?;
        let mut specs = Vec::with_capacity(n);
        for _ in 0..n {
            let library = d.str()?.to_string();
            let name = d.str()?.to_string();
            let params = d.string_pairs()?;
            specs.push((library, name, params));
        }
        (specs, d.count()?, d.pos)
    };
    for (library, name, params) in specs {
        // The entry was written from a loaded schema, so its datatypes are correct: their
        // patterns are compiled when a document first needs them.
        let dt = Datatype::new_deferred(&library, &name, &params)
            .map_err(|e| format!("datatype {name:?}: {}", e.message))?;
        table.datatypes.push(Arc::new(dt));
    }
    table.defines = n;
    let mut d = Decoder::at(bytes, pos, &table, max_depth);
    let start = d.pattern()?;
    let mut defines = Vec::with_capacity(n);
    let mut offsets = Vec::with_capacity(n);
    for _ in 0..n {
        let name = d.str()?.to_string();
        let name_class = d.name_class()?;
        let loc = d.loc()?;
        let len = d.count()?;
        let end = d.pos + len;
        offsets.push(d.pos);
        let content = match contents {
            Contents::Eager => {
                let p = d.pattern()?;
                if d.pos != end {
                    return Err(format!(
                        "a content of {} bytes, {len} recorded",
                        d.pos + len - end
                    ));
                }
                p
            }
            Contents::Deferred => {
                // Skipped unread: the placeholder `Schema::defines` documents.
                d.pos = end;
                Pattern::NotAllowed
            }
        };
        defines.push(Define {
            name,
            name_class,
            content,
            loc,
        });
    }
    let n = d.count()?;
    let mut id_types = Vec::with_capacity(n);
    for _ in 0..n {
        let e = d.qname()?;
        let a = d.qname()?;
        let t = match d.byte()? {
            0 => IdType::Null,
            1 => IdType::Id,
            2 => IdType::Idref,
            3 => IdType::Idrefs,
            b => return Err(format!("ID type {b}")),
        };
        id_types.push((e, a, t));
    }
    let n = d.count()?;
    let mut attribute_names = Vec::with_capacity(n);
    for _ in 0..n {
        attribute_names.push(d.name_class()?);
    }
    if d.pos != bytes.len() {
        return Err(format!("{} bytes after the schema", bytes.len() - d.pos));
    }
    let deferred = match contents {
        Contents::Eager => None,
        Contents::Deferred => Some(Arc::new(Deferred {
            body: keep(body),
            table,
            offsets,
            max_depth,
            attribute_names,
        }) as Arc<dyn DeferredContents>),
    };
    Ok(Schema {
        start,
        defines,
        files: Vec::new(),
        id_types,
        deferred,
    })
}

/// What every part of a body refers to by index.
#[derive(Default)]
struct Table {
    strings: Vec<Box<str>>,
    datatypes: Vec<Arc<Datatype>>,
    defines: usize,
    file_lens: Vec<usize>,
}

/// The element contents of a decoded body, each built when first asked for. Everything
/// else in the body was checked when it was decoded, and the entry's checksum covers the
/// contents, so a content that does not decode means bytes written on purpose to fool the
/// checksum; it is checked all the same as it is built, and one that fails becomes
/// `notAllowed`: documents are then invalid, never wrongly valid, and nothing panics.
struct Deferred {
    body: Vec<u8>,
    table: Table,
    /// Where each define's content starts in `body`.
    offsets: Vec<usize>,
    max_depth: u32,
    attribute_names: Vec<NameClass>,
}

impl std::fmt::Debug for Deferred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deferred")
            .field("body_bytes", &self.body.len())
            .field("defines", &self.offsets.len())
            .field("attribute_names", &self.attribute_names.len())
            .finish()
    }
}

impl DeferredContents for Deferred {
    fn content(&self, define: usize) -> Pattern {
        let Some(&pos) = self.offsets.get(define) else {
            return Pattern::NotAllowed;
        };
        Decoder::at(&self.body, pos, &self.table, self.max_depth)
            .pattern()
            .unwrap_or(Pattern::NotAllowed)
    }

    fn attribute_names(&self) -> &[NameClass] {
        &self.attribute_names
    }
}

struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
    table: &'a Table,
    depth: u32,
    max_depth: u32,
    /// The last namespace context read, and its bytes: the values of one element are
    /// written under the same bindings, which are then decoded once and shared.
    last_ns: Option<(&'a [u8], NsContext)>,
}

impl<'a> Decoder<'a> {
    fn at(bytes: &'a [u8], pos: usize, table: &'a Table, max_depth: u32) -> Self {
        Decoder {
            bytes,
            pos,
            table,
            depth: 0,
            max_depth,
            last_ns: None,
        }
    }

    fn byte(&mut self) -> Result<u8, Invalid> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or_else(|| "unexpected end of the body".to_string())?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, Invalid> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("an integer is too long".into())
    }

    /// A count of items that each take at least one byte (so no count can exceed what is
    /// left, and no huge allocation is made on damaged input).
    fn count(&mut self) -> Result<usize, Invalid> {
        let n = self.varint()?;
        match usize::try_from(n) {
            Ok(n) if n <= self.bytes.len() - self.pos => Ok(n),
            _ => Err(format!(
                "a count of {n} with {} bytes left",
                self.bytes.len() - self.pos
            )),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Invalid> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| "unexpected end of the body".to_string())?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn str(&mut self) -> Result<&'a str, Invalid> {
        let i = self.varint()?;
        self.table
            .strings
            .get(i as usize)
            .map(|s| &**s)
            .ok_or_else(|| format!("string #{i} of {}", self.table.strings.len()))
    }

    /// A count, then that many (string, string) pairs: datatype parameters, namespace
    /// bindings.
    fn string_pairs(&mut self) -> Result<Vec<(String, String)>, Invalid> {
        let n = self.count()?;
        let mut pairs = Vec::with_capacity(n);
        for _ in 0..n {
            pairs.push((self.str()?.to_string(), self.str()?.to_string()));
        }
        Ok(pairs)
    }

    /// A value's namespace bindings (written as `string_pairs`), shared with the previous
    /// value's when the bytes are the same.
    fn ns_context(&mut self) -> Result<NsContext, Invalid> {
        let start = self.pos;
        let n = self.count()?;
        for _ in 0..n {
            self.str()?;
            self.str()?;
        }
        let raw = &self.bytes[start..self.pos];
        if let Some((last, shared)) = &self.last_ns {
            if *last == raw {
                return Ok(shared.clone());
            }
        }
        let end = self.pos;
        self.pos = start;
        let ctx: NsContext = self.string_pairs()?.into();
        debug_assert_eq!(self.pos, end);
        self.last_ns = Some((raw, ctx.clone()));
        Ok(ctx)
    }

    fn qname(&mut self) -> Result<QName, Invalid> {
        Ok(QName::new(self.str()?, self.str()?))
    }

    fn loc(&mut self) -> Result<Loc, Invalid> {
        let file = self.varint()?;
        let offset = self.varint()?;
        let len = self.varint()?;
        let flen = usize::try_from(file)
            .ok()
            .and_then(|f| self.table.file_lens.get(f))
            .ok_or_else(|| format!("location in file #{file} of {}", self.table.file_lens.len()))?;
        match offset.checked_add(len) {
            Some(end) if end <= *flen as u64 => Ok(Loc {
                file: file as u32,
                span: Span::new(offset as usize, len as usize),
            }),
            _ => Err(format!(
                "span {offset}+{len} outside file #{file} ({flen} bytes)"
            )),
        }
    }

    fn datatype(&mut self) -> Result<&'a Arc<Datatype>, Invalid> {
        let i = self.varint()?;
        self.table
            .datatypes
            .get(i as usize)
            .ok_or_else(|| format!("datatype #{i} of {}", self.table.datatypes.len()))
    }

    fn enter(&mut self) -> Result<(), Invalid> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err("nesting too deep".into());
        }
        Ok(())
    }

    fn name_class(&mut self) -> Result<NameClass, Invalid> {
        self.enter()?;
        let nc = match self.byte()? {
            N_NAME => NameClass::Name(self.qname()?),
            N_ANY => NameClass::AnyName(None),
            N_ANY_EXCEPT => NameClass::AnyName(Some(Box::new(self.name_class()?))),
            N_NS => NameClass::NsName(self.str()?.to_string(), None),
            N_NS_EXCEPT => {
                let ns = self.str()?.to_string();
                NameClass::NsName(ns, Some(Box::new(self.name_class()?)))
            }
            N_CHOICE => {
                let a = self.name_class()?;
                NameClass::Choice(Box::new(a), Box::new(self.name_class()?))
            }
            t => return Err(format!("name class tag {t}")),
        };
        self.depth -= 1;
        Ok(nc)
    }

    fn children(&mut self) -> Result<Vec<Pattern>, Invalid> {
        let n = self.count()?;
        if n < 2 {
            return Err(format!("a choice, group or interleave of {n}"));
        }
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.pattern()?);
        }
        Ok(v)
    }

    fn pattern(&mut self) -> Result<Pattern, Invalid> {
        self.enter()?;
        let p = match self.byte()? {
            T_EMPTY => Pattern::Empty,
            T_NOT_ALLOWED => Pattern::NotAllowed,
            T_TEXT => Pattern::Text,
            T_CHOICE => Pattern::Choice(self.children()?),
            T_GROUP => Pattern::Group(self.children()?),
            T_INTERLEAVE => Pattern::Interleave(self.children()?),
            T_ONE_OR_MORE => Pattern::OneOrMore(Box::new(self.pattern()?)),
            T_LIST => Pattern::List(Box::new(self.pattern()?)),
            t @ (T_DATA | T_DATA_EXCEPT) => {
                let datatype = self.datatype()?.clone();
                let loc = self.loc()?;
                let except = if t == T_DATA_EXCEPT {
                    Some(Box::new(self.pattern()?))
                } else {
                    None
                };
                Pattern::Data {
                    datatype,
                    except,
                    loc,
                }
            }
            T_VALUE => {
                let datatype = self.datatype()?.clone();
                let value = self.str()?.to_string();
                let ns_context = self.ns_context()?;
                let loc = self.loc()?;
                Pattern::Value {
                    datatype,
                    value,
                    ns_context,
                    loc,
                }
            }
            T_ATTRIBUTE => {
                let name = self.name_class()?;
                let loc = self.loc()?;
                Pattern::Attribute {
                    name,
                    content: Box::new(self.pattern()?),
                    loc,
                }
            }
            T_REF => {
                let d = self.varint()?;
                if d >= self.table.defines as u64 {
                    return Err(format!(
                        "reference to define #{d} of {}",
                        self.table.defines
                    ));
                }
                Pattern::Ref(d as u32)
            }
            t => return Err(format!("pattern tag {t}")),
        };
        self.depth -= 1;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        let text = r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0"
            datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes" xmlns:x="urn:x">
          <start><element name="a"><ref name="b"/><zeroOrMore><attribute><anyName><except><nsName ns=""/></except></anyName></attribute></zeroOrMore>
            <attribute name="n"><list><oneOrMore><data type="integer"><param name="maxInclusive">9</param></data></oneOrMore></list></attribute></element></start>
          <define name="b"><element name="x:b"><choice><value type="QName">x:q</value>
            <data type="string"><except><value>no</value></except></data></choice></element></define>
        </grammar>"#;
        teikit_relaxng::load_source("t.rng".as_ref(), text, &Default::default()).unwrap()
    }

    #[test]
    fn round_trip() {
        let s = schema();
        let (bytes, depth) = encode(&s);
        assert!(depth >= 3);
        let lens = [s.files[0].text.len()];
        for contents in [Contents::Eager, Contents::Deferred] {
            let back = decode(&bytes, &lens, depth, contents).unwrap();
            assert_eq!(back.deferred.is_some(), contents == Contents::Deferred);
            let back = back.into_eager();
            assert_eq!(format!("{:?}", back.start), format!("{:?}", s.start));
            assert_eq!(format!("{:?}", back.defines), format!("{:?}", s.defines));
            assert_eq!(back.id_types, s.id_types);
            // A file shorter than the spans: refused (the defines' own locations are read
            // at once).
            assert!(decode(&bytes, &[10], depth, contents).is_err());
            assert!(decode(&bytes, &[], depth, contents).is_err());
        }
        // Too little depth allowed: refused at once, or, for a deferred content, built as
        // `notAllowed` (documents invalid, never wrongly valid).
        assert!(decode(&bytes, &lens, depth - 1, Contents::Eager).is_err());
        match decode(&bytes, &lens, depth - 1, Contents::Deferred) {
            Err(_) => {}
            Ok(lazy) => assert!(
                (0..s.defines.len()).any(|i| matches!(*lazy.content(i), Pattern::NotAllowed))
            ),
        }
    }

    /// A deferred schema lists every attribute's name class, each once, and builds each
    /// content as the eager decoding does, however often it is asked.
    #[test]
    fn deferred_contents_and_attribute_names() {
        let s = schema();
        let (bytes, depth) = encode(&s);
        let lens = [s.files[0].text.len()];
        let lazy = decode(&bytes, &lens, depth, Contents::Deferred).unwrap();
        let d = lazy.deferred.as_ref().unwrap();
        let names: Vec<String> = d
            .attribute_names()
            .iter()
            .map(|n| format!("{n:?}"))
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names[0].contains("AnyName"), "{names:?}");
        assert!(names[1].contains("\"n\""), "{names:?}");
        assert!(lazy
            .defines
            .iter()
            .all(|d| matches!(d.content, Pattern::NotAllowed)));
        for i in 0..s.defines.len() {
            for _ in 0..2 {
                assert_eq!(
                    format!("{:?}", lazy.content(i)),
                    format!("{:?}", s.defines[i].content)
                );
            }
        }
        assert!(matches!(d.content(s.defines.len()), Pattern::NotAllowed));
    }

    /// Whatever the bytes, decoding returns (a schema or an error) without panicking, and a
    /// deferred schema that decodes builds every content without panicking either.
    #[test]
    fn damaged_bodies_never_panic() {
        let s = schema();
        let len = s.files[0].text.len();
        let (bytes, depth) = encode(&s);
        for i in 0..bytes.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= flip;
                let _ = decode(&b, &[len], depth, Contents::Eager);
                if let Ok(lazy) = decode(&b, &[len], depth, Contents::Deferred) {
                    let _ = lazy.into_eager();
                }
            }
            let _ = decode(&bytes[..i], &[len], depth, Contents::Eager);
            let _ = decode(&bytes[..i], &[len], depth, Contents::Deferred);
        }
    }
}
