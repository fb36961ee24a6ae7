//! Streaming validation: quick-xml events from a [`BufRead`] straight into the [`Matcher`],
//! so memory is bounded by the nesting depth and the largest token (a text node or a start
//! tag), not by the size of the document.
//!
//! quick-xml cuts the input into tokens; every token's bytes are then checked here with the
//! rules of teikit-xml's well-formedness checker (names, attribute syntax and duplicates,
//! references, namespace declarations and prefixes, tag balance, characters, what may stand
//! outside the root element), and failures are reported with the same codes, messages and
//! spans, so a streamed document gets the diagnostics the tree path gives it. Namespaces are
//! resolved on a binding stack of our own (as the checker does) rather than with quick-xml's
//! `NsReader`, because the checker's rules (reserved prefixes, the span of an undeclared
//! prefix, duplicate expanded attribute names) need the declarations as written.
//!
//! What the stream does not judge itself it hands back as [`StreamOutcome::Fallback`], and
//! the caller reads the document with the tree path instead: a DOCTYPE (entity declarations
//! and unparsed entities need the internal subset), an encoding other than UTF-8, bytes that
//! are not UTF-8, an XML declaration that is not the plain `version`/`encoding`/`standalone`
//! form, markup left open at the end of the input (quick-xml stops there without the detail
//! the checker reports), and, when asked, an `xi:include` element.
//!
//! As in the tree path, a document that is not well-formed gets only its well-formedness
//! error: validation diagnostics found before it are dropped. The node-count limit
//! ([`Limits::max_nodes`]) is the tree's and is not applied: streamed memory does not grow
//! with the number of nodes.

// A failure is one Diagnostic, by design (one per document, not hot), as in teikit-xml.
#![allow(clippy::result_large_err)]

use std::fmt;
use std::io::{self, BufRead};

use quick_xml::events::Event;
use teikit_diagnostics::{Diagnostic, Span, Text};
use teikit_relaxng::datatype::NamespaceContext;
use teikit_xml::lex::{self, is_space, is_xml_char, unclosed_help, BadReference, XML_NS};
use teikit_xml::Limits;

use crate::{Grammar, Matcher, Name};

/// The XInclude namespace (an `include` element in it makes the stream fall back on request).
pub const XINCLUDE_NS: &str = "http://www.w3.org/2001/XInclude";

/// Options of [`validate_reader`].
#[derive(Clone, Debug, Default)]
pub struct StreamOptions {
    /// Depth limit (and entity limits, which the stream never needs: it falls back on a
    /// DOCTYPE). `max_nodes` is not applied.
    pub limits: Limits,
    /// Keep at most this many validation diagnostics (the earliest); memory for diagnostics
    /// then stays bounded on a document with millions of errors.
    pub max_diagnostics: Option<usize>,
    /// Fall back to the tree path when an `xi:include` element occurs (the caller expands
    /// XInclude on the whole text).
    pub fallback_on_xinclude: bool,
}

/// Why a document must be read with the tree path instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// A DOCTYPE declaration.
    Doctype,
    /// UTF-16, or a declared encoding other than UTF-8.
    Encoding,
    /// Bytes that are not UTF-8 (the tree path reports where).
    InvalidUtf8,
    /// An XML declaration other than the plain form.
    XmlDeclaration,
    /// Markup left open at the end of the input.
    UnclosedMarkup,
    /// An `xi:include` element, with [`StreamOptions::fallback_on_xinclude`].
    XInclude,
}

impl fmt::Display for Fallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fallback::Doctype => "the document has a DOCTYPE declaration",
            Fallback::Encoding => "the document is not encoded in UTF-8",
            Fallback::InvalidUtf8 => "the document has bytes that are not UTF-8",
            Fallback::XmlDeclaration => "the XML declaration is not in the plain form",
            Fallback::UnclosedMarkup => "markup is left open at the end of the document",
            Fallback::XInclude => "the document uses XInclude",
        })
    }
}

/// What streaming one document gave.
#[derive(Debug)]
pub enum StreamOutcome {
    /// The document was read to its end.
    Checked(StreamReport),
    /// The stream cannot judge this document the way the tree path does; read it with the
    /// tree path.
    Fallback(Fallback),
}

/// The result of a streamed document.
#[derive(Debug, Default)]
pub struct StreamReport {
    /// Every diagnostic, sorted by offset (only the well-formedness error when there is one).
    pub diagnostics: Vec<Diagnostic>,
    /// No well-formedness error.
    pub well_formed: bool,
    /// Namespace URI of the root element (`""` for none), when there is one.
    pub root_namespace: Option<String>,
    /// Bytes read.
    pub bytes: u64,
    /// Deepest element nesting seen.
    pub max_depth: usize,
    /// The largest token buffered (a text node, a start tag, a comment), in bytes.
    pub largest_token: usize,
}

/// Validates the document `reader` yields against `grammar`, event by event. Spans are byte
/// offsets from the start of the input (a UTF-8 byte-order mark included). The derivative
/// memo is `grammar`'s, shared with every other document and thread using it.
pub fn validate_reader<R: BufRead>(
    grammar: &Grammar,
    mut reader: R,
    options: &StreamOptions,
) -> io::Result<StreamOutcome> {
    // Encoding: UTF-8 with or without its byte-order mark is streamed.
    let head = reader.fill_buf()?;
    let mut base = 0;
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        reader.consume(3);
        base = 3;
    } else if head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF])
        || head.starts_with(&[0x3C, 0x00])
        || head.starts_with(&[0x00, 0x3C])
    {
        return Ok(StreamOutcome::Fallback(Fallback::Encoding));
    }
    let mut xml = quick_xml::Reader::from_reader(reader);
    {
        let c = xml.config_mut();
        c.check_end_names = false;
        c.allow_unmatched_ends = true;
        c.check_comments = false;
        c.expand_empty_elements = false;
        c.trim_markup_names_in_closing_tags = false;
        c.trim_text(false);
    }
    let mut d = Driver::new(grammar, options, base);
    let mut buf = Vec::new();
    loop {
        let at = base + xml.buffer_position() as usize;
        buf.clear();
        let (tok, r) = match xml.read_event_into(&mut buf) {
            Ok(e) => Tok::of(&e),
            Err(quick_xml::Error::Io(e)) => {
                return Err(io::Error::new(e.kind(), e.to_string()));
            }
            Err(_) => return Ok(StreamOutcome::Fallback(Fallback::UnclosedMarkup)),
        };
        d.largest = d.largest.max(buf.len());
        // The event's own bytes (quick-xml keeps delimiters such as the `?` of a PI in the
        // buffer), found by their place in it.
        let start = r.0.saturating_sub(buf.as_ptr() as usize).min(buf.len());
        let body = &buf[start..(start + r.1).min(buf.len())];
        let step = match tok {
            Tok::Eof => {
                let end = base + xml.buffer_position() as usize;
                return Ok(match d.eof(end) {
                    Err(Stop::Fallback(f)) => StreamOutcome::Fallback(f),
                    Err(Stop::Fail(f)) => StreamOutcome::Checked(d.failed(f, end as u64)),
                    Ok(()) => StreamOutcome::Checked(d.finish(end as u64)),
                });
            }
            Tok::Start => d.start_tag(body, at, false),
            Tok::Empty => d.start_tag(body, at, true),
            Tok::End => d.end_tag(body, at),
            Tok::Text => d.text(body, at),
            Tok::CData => d.cdata(body, at),
            Tok::Comment => d.comment(body, at),
            Tok::PI => d.pi(body, at),
            Tok::Decl => d.decl(body, at),
            Tok::DocType => Err(Stop::Fallback(Fallback::Doctype)),
        };
        match step {
            Ok(()) => {}
            Err(Stop::Fallback(f)) => return Ok(StreamOutcome::Fallback(f)),
            Err(Stop::Fail(f)) => {
                // The tree path decodes the whole input before it checks anything: bytes
                // that are not UTF-8 anywhere take precedence over this error.
                let mut bytes = base as u64 + xml.buffer_position();
                let mut inner = xml.into_inner();
                if !rest_is_utf8(&mut inner, &mut bytes)? {
                    return Ok(StreamOutcome::Fallback(Fallback::InvalidUtf8));
                }
                return Ok(StreamOutcome::Checked(d.failed(f, bytes)));
            }
        }
    }
}

/// The kind of a quick-xml event (its bytes stay in the read buffer).
#[derive(Clone, Copy)]
enum Tok {
    Start,
    Empty,
    End,
    Text,
    CData,
    Comment,
    PI,
    Decl,
    DocType,
    Eof,
}

impl Tok {
    /// The kind, and the address and length of the event's content (between its
    /// delimiters), to find it in the read buffer once the event is gone.
    fn of(e: &Event<'_>) -> (Tok, (usize, usize)) {
        let (t, b): (Tok, &[u8]) = match e {
            Event::Start(x) => (Tok::Start, x),
            Event::Empty(x) => (Tok::Empty, x),
            Event::End(x) => (Tok::End, x),
            Event::Text(x) => (Tok::Text, x),
            Event::CData(x) => (Tok::CData, x),
            Event::Comment(x) => (Tok::Comment, x),
            Event::PI(x) => (Tok::PI, x),
            Event::Decl(x) => (Tok::Decl, x),
            Event::DocType(x) => (Tok::DocType, x),
            Event::Eof => (Tok::Eof, &[]),
        };
        (t, (b.as_ptr() as usize, b.len()))
    }
}

/// Reads `r` to its end; is it all UTF-8? `read` counts the bytes.
fn rest_is_utf8<R: BufRead>(r: &mut R, read: &mut u64) -> io::Result<bool> {
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok(carry.is_empty());
        }
        let n = chunk.len();
        let data: Vec<u8>;
        let bytes: &[u8] = if carry.is_empty() {
            chunk
        } else {
            carry.extend_from_slice(chunk);
            data = std::mem::take(&mut carry);
            &data
        };
        match std::str::from_utf8(bytes) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => carry = bytes[e.valid_up_to()..].to_vec(),
            Err(_) => return Ok(false),
        }
        r.consume(n);
        *read += n as u64;
    }
}

/// Why a step stopped the stream.
enum Stop {
    Fail(Fail),
    Fallback(Fallback),
}

/// A well-formedness failure: where it was detected (to order it against a bad character
/// earlier in the same token, as the checker does) and the diagnostic.
struct Fail {
    at: usize,
    diag: Diagnostic,
}

impl From<Fail> for Stop {
    fn from(f: Fail) -> Stop {
        Stop::Fail(f)
    }
}

type Step = Result<(), Stop>;

/// An open element.
struct Open {
    qname: String,
    /// `<name` of its start tag.
    tag: Span,
    /// Namespace bindings it pushed.
    ns_pushed: usize,
}

/// In-scope namespace bindings (prefix, `""` for the default; URI), innermost last.
struct Scope<'a>(&'a [(String, String)]);

impl Scope<'_> {
    fn lookup(&self, prefix: &str) -> Option<&str> {
        lookup(self.0, prefix)
    }
}

/// The URI bound to `prefix` in `ns` (innermost first); an empty binding undeclares.
fn lookup<'a>(ns: &'a [(String, String)], prefix: &str) -> Option<&'a str> {
    ns.iter()
        .rev()
        .find(|(p, _)| p == prefix)
        .map(|(_, u)| u.as_str())
        .filter(|u| !u.is_empty())
}

impl NamespaceContext for Scope<'_> {
    fn resolve(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        self.lookup(prefix)
    }
}

/// An attribute as read from its start tag (offsets relative to the tag's `<`).
struct Attr {
    qname: std::ops::Range<usize>,
    value: String,
    value_span: std::ops::Range<usize>,
}

struct Driver<'g, 'o> {
    m: Matcher<'g>,
    options: &'o StreamOptions,
    ns: Vec<(String, String)>,
    stack: Vec<Open>,
    root_seen: bool,
    root_closed: bool,
    root_namespace: Option<String>,
    /// Where the document starts (after a byte-order mark).
    start: usize,
    max_depth: usize,
    largest: usize,
    /// Scratch: the token being read, with its `<`…`>` around it.
    tag: String,
    attrs: Vec<Attr>,
    /// The text node being read: text runs, references and CDATA sections up to the next
    /// tag, comment or PI make one node (as in the tree, whose node span is its first run).
    text: String,
    text_span: Option<Span>,
}

/// A cursor over one token; spans are absolute (`base` is the token's offset).
struct Cur<'t> {
    t: &'t str,
    b: &'t [u8],
    pos: usize,
    base: usize,
}

impl<'t> Cur<'t> {
    fn new(t: &'t str, base: usize) -> Cur<'t> {
        Cur {
            t,
            b: t.as_bytes(),
            pos: 0,
            base,
        }
    }

    fn span(&self, r: std::ops::Range<usize>) -> Span {
        Span::from_range(self.base + r.start..self.base + r.end)
    }

    fn fail(&self, code: &str, msg: impl Into<Text>, span: Span, label: &str) -> Fail {
        Fail {
            at: self.base + self.pos,
            diag: Diagnostic::error(code, msg).with_label(span, label),
        }
    }

    fn here(&self) -> Span {
        let len = self.t[self.pos..].chars().next().map_or(0, char::len_utf8);
        Span::new(self.base + self.pos, len)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn starts(&self, s: &str) -> bool {
        self.b[self.pos..].starts_with(s.as_bytes())
    }

    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn found(&self) -> String {
        match self.t[self.pos..].chars().next() {
            None => "end of file".into(),
            Some(c) if c.is_whitespace() => "whitespace".into(),
            Some(c) => format!("`{c}`"),
        }
    }

    fn expected(&self, what: &str) -> Fail {
        self.fail(
            "xml/syntax",
            format!("expected {what}, found {}", self.found()),
            self.here(),
            &format!("expected {what}"),
        )
    }

    /// A Name at the cursor (moved past it), or `None`.
    fn name(&mut self) -> Option<std::ops::Range<usize>> {
        let start = self.pos;
        self.pos = lex::name_end(self.t, start)?;
        Some(start..self.pos)
    }

    /// A reference at the cursor (`&`), as the checker reads it; pushes its character(s).
    fn reference(&mut self, out: &mut String) -> Result<(), Fail> {
        let start = self.pos;
        self.pos += 1;
        let malformed = |s: &Self| Fail {
            at: s.base + start,
            diag: lex::malformed_reference(s.span(start..s.pos.max(start + 1))),
        };
        if self.peek() == Some(b'#') {
            return match lex::char_reference(self.t, start) {
                Ok((c, end)) => {
                    self.pos = end;
                    out.push(c);
                    Ok(())
                }
                Err(BadReference::Malformed { end }) => {
                    self.pos = end;
                    Err(malformed(self))
                }
                Err(BadReference::NotXmlChar { end }) => {
                    self.pos = end;
                    Err(Fail {
                        at: self.base + start,
                        diag: lex::illegal_char_reference(
                            &self.t[start..end],
                            self.span(start..end),
                        ),
                    })
                }
            };
        }
        let Some(name) = self.name().filter(|_| self.peek() == Some(b';')) else {
            return Err(malformed(self));
        };
        self.pos += 1;
        let n = &self.t[name.clone()];
        let c = match n {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "apos" => '\'',
            "quot" => '"',
            _ => {
                // No DOCTYPE (the stream falls back on one): nothing else is declared.
                return Err(self
                    .fail(
                        "xml/undeclared-entity",
                        format!("entity &{n}; is not declared"),
                        self.span(name.start - 1..name.end + 1),
                        "undeclared entity",
                    )
                    .help(
                        "XML predefines only &lt; &gt; &amp; &apos; &quot;; use a character \
                         reference such as &#x2014; or declare the entity",
                    ));
            }
        };
        out.push(c);
        Ok(())
    }
}

impl Fail {
    fn help(mut self, help: &str) -> Fail {
        self.diag = self.diag.with_help(help);
        self
    }

    fn secondary(mut self, span: Span, msg: &str) -> Fail {
        self.diag = self.diag.with_secondary(span, msg);
        self
    }
}

/// The token's bytes as text, or a fallback (the tree path reports bytes that are not UTF-8).
fn utf8(bytes: &[u8]) -> Result<&str, Stop> {
    std::str::from_utf8(bytes).map_err(|_| Stop::Fallback(Fallback::InvalidUtf8))
}

impl<'g, 'o> Driver<'g, 'o> {
    fn new(g: &'g Grammar, options: &'o StreamOptions, start: usize) -> Driver<'g, 'o> {
        let mut m = g.matcher();
        if let Some(n) = options.max_diagnostics {
            m.limit_diagnostics(n);
        }
        Driver {
            m,
            options,
            ns: Vec::new(),
            stack: Vec::new(),
            root_seen: false,
            root_closed: false,
            root_namespace: None,
            start,
            max_depth: 0,
            largest: 0,
            tag: String::new(),
            attrs: Vec::new(),
            text: String::new(),
            text_span: None,
        }
    }

    /// Fills `self.tag` with `open` + the token + `close`, checking its characters; returns
    /// the first character that XML forbids (absolute offset), if any.
    fn load(
        &mut self,
        open: &str,
        bytes: &[u8],
        close: &str,
        at: usize,
    ) -> Result<Option<Fail>, Stop> {
        let body = utf8(bytes)?;
        self.tag.clear();
        self.tag.push_str(open);
        self.tag.push_str(body);
        self.tag.push_str(close);
        Ok(body
            .char_indices()
            .find(|&(_, c)| !is_xml_char(c))
            .map(|(i, c)| bad_char(at + open.len() + i, c)))
    }

    /// Orders a failure against a bad character found earlier in the same token.
    fn first(bad: Option<Fail>, r: Result<(), Fail>) -> Step {
        match (r, bad) {
            (Err(f), Some(b)) if b.at <= f.at => Err(Stop::Fail(b)),
            (Err(f), _) => Err(Stop::Fail(f)),
            (Ok(()), Some(b)) => Err(Stop::Fail(b)),
            (Ok(()), None) => Ok(()),
        }
    }

    /// Hands the text node read so far to the matcher.
    fn flush_text(&mut self) {
        if let Some(span) = self.text_span.take() {
            self.m.text(&self.text, span);
            self.text.clear();
        }
    }

    /// The text node grows by a run whose span is `span`.
    fn text_run(&mut self, span: Span) {
        if self.text_span.is_none() {
            self.text.clear();
            self.text_span = Some(span);
        }
    }

    // ----- tokens ------------------------------------------------------------------------

    fn start_tag(&mut self, bytes: &[u8], at: usize, empty: bool) -> Step {
        self.flush_text();
        let bad = self.load("<", bytes, if empty { "/>" } else { ">" }, at)?;
        if self.root_closed {
            // A second root element.
            let tag = std::mem::take(&mut self.tag);
            let mut c = Cur::new(&tag, at);
            c.pos = 1;
            let end = c.name().map_or(1, |r| r.end);
            let f = Fail {
                at,
                diag: Diagnostic::error(
                    "xml/multiple-roots",
                    "a second root element: a document has exactly one root element",
                )
                .with_label(Span::from_range(at..at + end), "second root element")
                .with_help("wrap all top-level elements in a single root element"),
            };
            return Self::first(bad.filter(|b| b.at < at), Err(f));
        }
        let r = self.read_start_tag(at, empty);
        match r {
            Err(Stop::Fail(f)) => Self::first(bad, Err(f)),
            Err(stop) => Err(stop),
            Ok(()) => Self::first(bad, Ok(())),
        }
    }

    fn read_start_tag(&mut self, at: usize, empty: bool) -> Step {
        let tag = std::mem::take(&mut self.tag);
        let r = self.read_start_tag_in(&tag, at, empty);
        self.tag = tag;
        r
    }

    fn read_start_tag_in(&mut self, t: &str, at: usize, empty: bool) -> Step {
        let mut c = Cur::new(t, at);
        c.pos = 1;
        let Some(name) = c.name() else {
            return Err(c
                .expected("an element name after `<` (write a literal `<` as &lt;)")
                .into());
        };
        let qname = &t[name.clone()];
        let tag_span = c.span(0..name.end);
        let depth = self.stack.len() + 1;
        if depth > self.options.limits.max_depth {
            return Err(Fail {
                at: c.base + c.pos,
                diag: lex::too_deep(self.options.limits.max_depth, tag_span),
            }
            .into());
        }
        self.max_depth = self.max_depth.max(depth);
        self.attrs.clear();
        loop {
            let had_space = c.skip_ws();
            match c.peek() {
                Some(b'>') => {
                    c.pos += 1;
                    break;
                }
                Some(b'/') => {
                    if !c.starts("/>") {
                        return Err(c.expected("`/>`").into());
                    }
                    c.pos += 2;
                    break;
                }
                Some(b'<') | None => {
                    return Err(c
                        .fail(
                            "xml/unclosed-markup",
                            format!("start tag <{qname}> is not closed"),
                            tag_span,
                            "start tag opened here",
                        )
                        .secondary(c.here(), "next tag starts before `>`")
                        .into());
                }
                _ => {}
            }
            if !had_space {
                return Err(c.expected("whitespace, `>` or `/>`").into());
            }
            let Some(aname) = c.name() else {
                return Err(c.expected("an attribute name, `>` or `/>`").into());
            };
            c.skip_ws();
            if c.peek() != Some(b'=') {
                return Err(c
                    .expected("`=` after the attribute name")
                    .help("every attribute needs a value: name=\"value\"")
                    .into());
            }
            c.pos += 1;
            c.skip_ws();
            let q = match c.peek() {
                Some(q @ (b'"' | b'\'')) => q,
                _ => {
                    return Err(c
                        .expected("a quoted attribute value")
                        .help("attribute values must be in quotes: name=\"value\"")
                        .into())
                }
            };
            let (value, value_span) = attr_value(&mut c, q)?;
            let aq = &t[aname.clone()];
            if let Some(first) = self.attrs.iter().find(|a| &t[a.qname.clone()] == aq) {
                return Err(Fail {
                    at: at + aname.start,
                    diag: Diagnostic::error(
                        "xml/duplicate-attribute",
                        format!("duplicate attribute `{aq}` on <{qname}>"),
                    )
                    .with_label(c.span(aname), "second occurrence")
                    .with_secondary(c.span(first.qname.clone()), "first defined here")
                    .with_help(
                        "an attribute may appear only once on an element: remove one of them",
                    ),
                }
                .into());
            }
            self.attrs.push(Attr {
                qname: aname,
                value,
                value_span,
            });
        }
        let pushed = self.namespaces(&c, t, name.clone())?;
        let (prefix, local) = split(qname);
        let _ = prefix;
        let parent_len = self.ns.len() - pushed;
        let scope = Scope(&self.ns);
        let ns = if prefix.is_empty() {
            scope.lookup("").unwrap_or("")
        } else if prefix == "xml" {
            XML_NS
        } else {
            scope.lookup(prefix).unwrap_or("")
        };
        if self.options.fallback_on_xinclude && ns == XINCLUDE_NS && local == "include" {
            return Err(Stop::Fallback(Fallback::XInclude));
        }
        if !self.root_seen {
            self.root_seen = true;
            self.root_namespace = Some(ns.to_string());
        }
        // The matcher: start tag, attributes, end of the start tag.
        self.m.start_tag_open(
            Name { ns, local, qname },
            Span::new(at + 1, qname.len()),
            &Scope(&self.ns[..parent_len]),
        );
        let scope = Scope(&self.ns);
        for a in &self.attrs {
            let aq = &t[a.qname.clone()];
            if aq == "xmlns" || aq.starts_with("xmlns:") {
                continue;
            }
            let (p, l) = split(aq);
            let ans = match p {
                "" => "",
                "xml" => XML_NS,
                p => scope.lookup(p).unwrap_or(""),
            };
            self.m.attribute(
                Name {
                    ns: ans,
                    local: l,
                    qname: aq,
                },
                &a.value,
                &scope,
                c.span(a.qname.clone()),
                c.span(a.value_span.clone()),
            );
        }
        let whole = Span::new(at, t.len());
        self.m.start_tag_close(whole);
        if empty {
            self.m.end_tag(whole, &scope);
            self.ns.truncate(parent_len);
            if self.stack.is_empty() {
                self.root_closed = true;
            }
        } else {
            self.stack.push(Open {
                qname: qname.to_string(),
                tag: tag_span,
                ns_pushed: pushed,
            });
        }
        Ok(())
    }

    /// The checker's namespace rules for one start tag; pushes the declarations and returns
    /// how many.
    fn namespaces(
        &mut self,
        c: &Cur<'_>,
        t: &str,
        name: std::ops::Range<usize>,
    ) -> Result<usize, Fail> {
        let fail_at = |span: Span, code: &str, msg: String| Fail {
            at: c.base + c.pos,
            diag: Diagnostic::error(code, msg).with_label(span, ""),
        };
        for a in &self.attrs {
            split_qname(c, t, a.qname.clone())?;
        }
        let mut pushed = 0;
        for a in &self.attrs {
            let v = a.value.as_str();
            let prefix = match lex::namespace_declaration(&t[a.qname.clone()], v) {
                None => continue,
                Some(Ok(prefix)) => prefix,
                Some(Err(msg)) => {
                    self.ns.truncate(self.ns.len() - pushed);
                    return Err(fail_at(c.span(a.qname.clone()), "xml/namespace", msg));
                }
            };
            if prefix != "xml" {
                self.ns.push((prefix.to_string(), v.to_string()));
                pushed += 1;
            }
        }
        let undo = |d: &mut Self, f: Fail| {
            d.ns.truncate(d.ns.len() - pushed);
            f
        };
        let name_span = c.span(name.clone());
        let qname = &t[name.clone()];
        let (prefix, _) = split_qname(c, t, name).map_err(|f| undo(self, f))?;
        if prefix == "xmlns" {
            let f = fail_at(
                name_span,
                "xml/namespace",
                "element names must not use the prefix xmlns".into(),
            );
            return Err(undo(self, f));
        }
        if !prefix.is_empty() && prefix != "xml" && lookup(&self.ns, prefix).is_none() {
            let f = undeclared(prefix, name_span, "element");
            return Err(undo(self, f));
        }
        let mut expanded: Vec<(&str, &str, Span)> = Vec::new();
        for a in &self.attrs {
            let aq = &t[a.qname.clone()];
            if aq == "xmlns" || aq.starts_with("xmlns:") {
                continue;
            }
            let (prefix, local) = split(aq);
            if prefix.is_empty() {
                continue;
            }
            let span = c.span(a.qname.clone());
            let uri = if prefix == "xml" {
                XML_NS
            } else {
                match lookup(&self.ns, prefix) {
                    Some(u) => u,
                    None => {
                        let f = undeclared(prefix, span, "attribute");
                        self.ns.truncate(self.ns.len() - pushed);
                        return Err(f);
                    }
                }
            };
            if let Some((_, _, first)) = expanded.iter().find(|(u, l, _)| *u == uri && *l == local)
            {
                let f = Fail {
                    at: span.offset,
                    diag: Diagnostic::error(
                        "xml/duplicate-attribute",
                        format!(
                            "duplicate attribute {{{uri}}}{local} on <{qname}> (two prefixes for one namespace)"
                        ),
                    )
                    .with_label(span, "second occurrence")
                    .with_secondary(*first, "first defined here"),
                };
                self.ns.truncate(self.ns.len() - pushed);
                return Err(f);
            }
            expanded.push((uri, local, span));
        }
        Ok(pushed)
    }

    fn end_tag(&mut self, bytes: &[u8], at: usize) -> Step {
        self.flush_text();
        let bad = self.load("</", bytes, ">", at)?;
        let tag = std::mem::take(&mut self.tag);
        let r = self.read_end_tag(&tag, at);
        self.tag = tag;
        Self::first(bad, r)
    }

    fn read_end_tag(&mut self, t: &str, at: usize) -> Result<(), Fail> {
        let mut c = Cur::new(t, at);
        let span = Span::new(at, t.len());
        if self.stack.is_empty() {
            let msg = if self.root_closed {
                "end tag after the root element was closed"
            } else {
                "end tag before any start tag"
            };
            return Err(c.fail("xml/unexpected-end-tag", msg, span, "no element is open"));
        }
        c.pos = 2;
        let Some(name) = c.name() else {
            return Err(c.expected("an element name after `</`"));
        };
        c.skip_ws();
        if c.peek() != Some(b'>') {
            return Err(c.expected("`>` to end the end tag"));
        }
        let n = &t[name];
        let top = self.stack.last().expect("not empty");
        if top.qname == n {
            let scope = Scope(&self.ns);
            self.m.end_tag(span, &scope);
            let open = self.stack.pop().expect("not empty");
            self.ns.truncate(self.ns.len() - open.ns_pushed);
            if self.stack.is_empty() {
                self.root_closed = true;
            }
            return Ok(());
        }
        let top_name = top.qname.clone();
        if let Some(i) = self.stack.iter().rposition(|o| o.qname == n) {
            let unclosed = self.stack.len() - i - 1;
            return Err(Fail {
                at,
                diag: Diagnostic::error(
                    "xml/unclosed-tag",
                    format!("element <{top_name}> is never closed"),
                )
                .with_label(top.tag, format!("<{top_name}> opened here"))
                .with_secondary(span, format!("</{n}> closes an outer element first"))
                .with_help(unclosed_help(&top_name, unclosed - 1, Some(n))),
            });
        }
        Err(Fail {
            at,
            diag: Diagnostic::error(
                "xml/mismatched-tag",
                format!("end tag </{n}> does not match start tag <{top_name}>"),
            )
            .with_label(span, format!("expected </{top_name}>"))
            .with_secondary(top.tag, format!("<{top_name}> opened here"))
            .with_help(format!(
                "write </{top_name}> here, or check the spelling and case of both names"
            )),
        })
    }

    fn text(&mut self, bytes: &[u8], at: usize) -> Step {
        let bad = self.load("", bytes, "", at)?;
        let tag = std::mem::take(&mut self.tag);
        let r = if self.stack.is_empty() {
            self.outside(&tag, at)
        } else {
            self.read_text(&tag, at)
        };
        self.tag = tag;
        Self::first(bad, r)
    }

    /// Text outside the root element: whitespace only.
    fn outside(&mut self, t: &str, at: usize) -> Result<(), Fail> {
        let Some(i) = t.bytes().position(|b| !is_space(b)) else {
            return Ok(());
        };
        Err(self.extra(&t[i..], at + i))
    }

    /// The checker's report of something other than markup outside the root element.
    fn extra(&self, rest: &str, start: usize) -> Fail {
        let (code, where_) = if self.root_seen {
            ("xml/text-after-root", "after the root element")
        } else {
            ("xml/text-before-root", "before the root element")
        };
        let line_end = rest.find(['\n', '<']).unwrap_or(rest.len()).max(1);
        let line_end = rest[..line_end.min(rest.len())]
            .trim_end()
            .len()
            .max(rest.chars().next().map_or(0, char::len_utf8));
        Fail {
            at: start,
            diag: Diagnostic::error(code, format!("text is not allowed {where_}"))
                .with_label(Span::new(start, line_end), "outside the root element")
                .with_help("everything except comments and processing instructions must be inside the one root element"),
        }
    }

    fn read_text(&mut self, t: &str, at: usize) -> Result<(), Fail> {
        let mut c = Cur::new(t, at);
        self.text_run(Span::new(at, t.len()));
        let mut out = std::mem::take(&mut self.text);
        let mut run = 0;
        while let Some(b) = c.peek() {
            match b {
                b'&' => {
                    push_text(&mut out, &t[run..c.pos]);
                    c.reference(&mut out)?;
                    run = c.pos;
                }
                b']' if c.starts("]]>") => {
                    return Err(c
                        .fail(
                            "xml/syntax",
                            "`]]>` is not allowed in text",
                            Span::new(at + c.pos, 3),
                            "only ends a CDATA section",
                        )
                        .help("write it as ]]&gt;"));
                }
                _ => c.pos += 1,
            }
        }
        push_text(&mut out, &t[run..]);
        self.text = out;
        Ok(())
    }

    fn cdata(&mut self, bytes: &[u8], at: usize) -> Step {
        let bad = self.load("<![CDATA[", bytes, "]]>", at)?;
        let r = if self.stack.is_empty() {
            Err(self.extra("<", at))
        } else {
            self.text_run(Span::new(at, self.tag.len()));
            let body = &self.tag[9..self.tag.len() - 3];
            push_text(&mut self.text, body);
            Ok(())
        };
        Self::first(bad, r)
    }

    fn comment(&mut self, bytes: &[u8], at: usize) -> Step {
        self.flush_text();
        let bad = self.load("<!--", bytes, "-->", at)?;
        // The first `--` must be the one that ends the comment.
        let i = self.tag[4..].find("--").map_or(0, |i| i + 4);
        let r = if i + 3 == self.tag.len() {
            Ok(())
        } else {
            Err(Fail {
                at: at + i,
                diag: Diagnostic::error("xml/syntax", "`--` is not allowed inside a comment")
                    .with_label(Span::new(at + i, 2), "ends the comment without `>`")
                    .with_secondary(Span::new(at, 4), "comment starts here"),
            })
        };
        Self::first(bad, r)
    }

    fn pi(&mut self, bytes: &[u8], at: usize) -> Step {
        self.flush_text();
        let bad = self.load("<?", bytes, "?>", at)?;
        let t = std::mem::take(&mut self.tag);
        let r = pi_target(&t, at);
        self.tag = t;
        Self::first(bad, r)
    }

    fn decl(&mut self, bytes: &[u8], at: usize) -> Step {
        let bad = self.load("<?", bytes, "?>", at)?;
        if at != self.start {
            let t = std::mem::take(&mut self.tag);
            let r = pi_target(&t, at);
            self.tag = t;
            return Self::first(bad, r);
        }
        if bad.is_some() || !plain_declaration(&self.tag) {
            return Err(Stop::Fallback(Fallback::XmlDeclaration));
        }
        Ok(())
    }

    fn eof(&mut self, end: usize) -> Result<(), Stop> {
        if let Some(open) = self.stack.last() {
            let inner = open.qname.clone();
            return Err(Fail {
                at: end,
                diag: Diagnostic::error(
                    "xml/unclosed-tag",
                    format!("element <{inner}> is never closed"),
                )
                .with_label(open.tag, format!("<{inner}> opened here"))
                .with_secondary(
                    Span::new(end, 0),
                    format!("end of file reached; expected </{inner}>"),
                )
                .with_help(unclosed_help(&inner, self.stack.len() - 1, None)),
            }
            .into());
        }
        if !self.root_seen {
            return Err(Fail {
                at: end,
                diag: Diagnostic::error("xml/missing-root", "the document has no root element")
                    .with_label(Span::new(end, 0), "end of file reached without an element")
                    .with_help(
                        "an XML document must contain exactly one root element, e.g. <TEI>…</TEI>",
                    ),
            }
            .into());
        }
        Ok(())
    }

    fn finish(self, bytes: u64) -> StreamReport {
        StreamReport {
            diagnostics: self.m.finish(),
            well_formed: true,
            root_namespace: self.root_namespace,
            bytes,
            max_depth: self.max_depth,
            largest_token: self.largest,
        }
    }

    fn failed(self, f: Fail, bytes: u64) -> StreamReport {
        StreamReport {
            diagnostics: vec![f.diag],
            well_formed: false,
            root_namespace: self.root_namespace,
            bytes,
            max_depth: self.max_depth,
            largest_token: self.largest,
        }
    }
}

/// An attribute value from its opening quote at the cursor: the value as the tree reads it
/// (references expanded, white space normalised) and its span inside the quotes.
fn attr_value(c: &mut Cur<'_>, q: u8) -> Result<(String, std::ops::Range<usize>), Fail> {
    let open = c.pos;
    c.pos += 1;
    let mut out = String::new();
    let mut run = c.pos;
    loop {
        match c.peek() {
            // The token ends outside quotes (quick-xml reads quoted `>` as value): a value
            // cannot end here, but stay total.
            None => {
                return Err(c
                    .fail(
                        "xml/unclosed-markup",
                        "attribute value is not closed",
                        c.span(open..open + 1),
                        "value starts here",
                    )
                    .secondary(c.here(), "end of file reached"));
            }
            Some(b) if b == q => {
                push_attr(&mut out, &c.t[run..c.pos]);
                let r = open + 1..c.pos;
                c.pos += 1;
                return Ok((out, r));
            }
            Some(b'<') => {
                return Err(c
                    .fail(
                        "xml/lt-in-attribute",
                        "`<` is not allowed in an attribute value",
                        c.here(),
                        "write &lt;",
                    )
                    .secondary(c.span(open..open + 1), "value starts here")
                    .help(
                        "escape it as &lt;; if this `<` starts a tag, a closing quote is missing",
                    ));
            }
            Some(b'&') => {
                push_attr(&mut out, &c.t[run..c.pos]);
                c.reference(&mut out)?;
                run = c.pos;
            }
            Some(_) => c.pos += 1,
        }
    }
}

/// Literal attribute text, normalised as XML requires: each line end and white-space
/// character becomes a space.
fn push_attr(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = rest.find(['\r', '\n', '\t']) {
        out.push_str(&rest[..i]);
        out.push(' ');
        rest = if rest[i..].starts_with("\r\n") {
            &rest[i + 2..]
        } else {
            &rest[i + 1..]
        };
    }
    out.push_str(rest);
}

/// Literal text with line ends normalised to `\n`.
fn push_text(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = if rest[i..].starts_with("\r\n") {
            &rest[i + 2..]
        } else {
            &rest[i + 1..]
        };
    }
    out.push_str(rest);
}

/// A processing instruction's target, as the checker reads it.
fn pi_target(t: &str, at: usize) -> Result<(), Fail> {
    let mut c = Cur::new(t, at);
    c.pos = 2;
    let Some(target) = c.name() else {
        return Err(c.expected("a processing-instruction target name after `<?`"));
    };
    let name = &t[target.clone()];
    if name.eq_ignore_ascii_case("xml") {
        return Err(c
            .fail(
                "xml/xml-declaration",
                "the XML declaration is only allowed at the very start of the document",
                c.span(0..target.end),
                "not at the start",
            )
            .help("remove it, or move it to the first line with nothing (not even a blank line) before it"));
    }
    if name.contains(':') {
        return Err(c.fail(
            "xml/namespace",
            format!("processing-instruction target `{name}` contains a colon"),
            c.span(target),
            "",
        ));
    }
    if !c.starts("?>") && !c.skip_ws() {
        return Err(c.expected("whitespace or `?>` after the target"));
    }
    Ok(())
}

/// `<?xml version="1.0" [encoding="UTF-8"] [standalone="yes|no"] ?>` (UTF-8 spelled in any
/// case, either quote): the declarations the stream reads itself.
fn plain_declaration(t: &str) -> bool {
    let Some(body) = t.strip_prefix("<?xml").and_then(|s| s.strip_suffix("?>")) else {
        return false;
    };
    let mut rest = body;
    let mut seen = Vec::new();
    loop {
        let trimmed = rest.trim_start_matches([' ', '\t', '\n', '\r']);
        let had_space = trimmed.len() < rest.len();
        rest = trimmed;
        if rest.is_empty() {
            break;
        }
        if !had_space {
            return false;
        }
        let Some(eq) = rest.find('=') else {
            return false;
        };
        let key = rest[..eq].trim_end();
        let after = rest[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|&c| c == '"' || c == '\'') else {
            return false;
        };
        let Some(close) = after[1..].find(q) else {
            return false;
        };
        let value = &after[1..1 + close];
        let ok = match key {
            "version" => seen.is_empty() && value == "1.0",
            "encoding" => seen == ["version"] && value.eq_ignore_ascii_case("utf-8"),
            "standalone" => {
                seen.first() == Some(&"version")
                    && !seen.contains(&"standalone")
                    && matches!(value, "yes" | "no")
            }
            _ => false,
        };
        if !ok {
            return false;
        }
        seen.push(key);
        rest = &after[1 + close + 1..];
    }
    seen.first() == Some(&"version")
}

fn split(qname: &str) -> (&str, &str) {
    qname.split_once(':').unwrap_or(("", qname))
}

/// Splits a QName, checking Namespaces in XML's syntax as the checker does.
fn split_qname<'t>(
    c: &Cur<'_>,
    t: &'t str,
    r: std::ops::Range<usize>,
) -> Result<(&'t str, &'t str), Fail> {
    let span = c.span(r.clone());
    lex::split_qname(&t[r], span).map_err(|diag| Fail {
        at: span.offset,
        diag,
    })
}

fn undeclared(prefix: &str, name: Span, what: &str) -> Fail {
    Fail {
        at: name.offset,
        diag: lex::undeclared_prefix(prefix, name, what),
    }
}

fn bad_char(at: usize, c: char) -> Fail {
    Fail {
        at,
        diag: lex::invalid_char(at, c),
    }
}
