//! The well-formedness checker: one iterative pass over the text that checks XML 1.0 and
//! Namespaces in XML 1.0, and stops at the first error with a precise [`Diagnostic`].
//!
//! It runs before roxmltree builds the tree, for three reasons: roxmltree reports positions
//! as line/column only and without the second place a good message needs (the start tag of
//! an unclosed element, the first of two duplicate attributes); nesting deeper than
//! [`Limits::max_depth`] must be refused before anything walks the tree; and the entity policy (no
//! external entity, bounded expansion) is ours to state with spans.
//!
//! With a [`Build`] (`check_and_build`, behind `teikit_xml::read`) it also builds teikit's own
//! tree as it goes: each start tag, text run, CDATA section, comment and processing
//! instruction becomes a node once it has been checked, so a document is read in one pass.
//! The builder is given only texts without entity declarations, whose references it expands
//! itself (character references and the five predefined entities).
//!
//! The element stack is explicit, so nesting depth costs heap, not stack. Entity replacement
//! text is checked by a nested scanner whose errors are re-pointed at the reference; entity
//! nesting is bounded by [`Limits::max_entity_depth`], which bounds that recursion.

use std::collections::HashMap;
use std::sync::Arc;

use teikit_diagnostics::{Diagnostic, Span, Text};

use crate::lex::{self, is_name_char, is_space, is_xml_char, unclosed_help, BadReference, XML_NS};
use crate::tree::{Builder, Document, NodeType, Str};
use crate::Limits;

/// A failure: where it was detected (to order it against a bad character found by the
/// character pre-pass) and the diagnostic.
pub(crate) struct Fail {
    at: usize,
    diag: Diagnostic,
}

/// Checks `text`; `Ok` means roxmltree may parse it once the returned rewrites (always
/// empty unless `rewrite`) are applied: each replaces a span of the internal subset by a
/// text of the same length.
pub(crate) fn check(
    text: &str,
    limits: &Limits,
    rewrite: bool,
) -> Result<Vec<(Span, String)>, Diagnostic> {
    check_building(text, limits, rewrite, None)
}

/// Checks `text` and builds its tree in the same pass. The builder expands character
/// references and the five predefined entities itself; a text that declares an entity is not
/// built (`Ok(None)`, whatever the check found): the caller reads it with roxmltree, whose
/// entity expansion it then shares.
pub(crate) fn check_and_build<'t>(
    text: &'t str,
    limits: &Limits,
) -> Result<Option<Document<'t>>, Diagnostic> {
    let mut build = Build::new(text);
    // The rewrites roxmltree would need (a `>` in a quoted DTD literal blanked) are not
    // needed: this builder skips the DTD itself.
    let checked = check_building(text, limits, true, Some(&mut build));
    if build.declares_entities {
        return Ok(None);
    }
    checked?;
    Ok(Some(build.finish()))
}

fn check_building<'t>(
    text: &'t str,
    limits: &Limits,
    rewrite: bool,
    build: Option<&mut Build<'t>>,
) -> Result<Vec<(Span, String)>, Diagnostic> {
    let bad = first_bad_char(text);
    let mut shared = Shared {
        limits: limits.clone(),
        entities: HashMap::new(),
        parameters: HashMap::new(),
        ns: Vec::new(),
        nodes: 0,
        expansions: 0,
        expanded_bytes: 0,
        refs_in_top: 0,
        entity_stack: Vec::new(),
        unread_decls: false,
        standalone: false,
        rewrite,
        rewrites: Vec::new(),
    };
    let mut s = Scanner {
        text,
        b: text.as_bytes(),
        pos: 0,
        sh: &mut shared,
        depth_base: 0,
        in_entity: false,
        build,
    };
    let result = s.document();
    match (result, bad) {
        (Err(f), Some((at, c))) if at <= f.at => Err(lex::invalid_char(at, c)),
        (Err(f), _) => Err(f.diag),
        (Ok(()), Some((at, c))) => Err(lex::invalid_char(at, c)),
        (Ok(()), None) => Ok(shared.rewrites),
    }
}

/// The offset of the first `<`, `&` or `]` in `b` (its length when there is none): where a
/// text run may end. memchr's vectorised search costs a fraction of an instruction per byte
/// of a long run.
fn text_end(b: &[u8]) -> usize {
    memchr::memchr3(b'<', b'&', b']', b).unwrap_or(b.len())
}

fn first_bad_char(text: &str) -> Option<(usize, char)> {
    // In UTF-8 the characters XML excludes are the C0 controls other than tab, line feed and
    // carriage return (one byte each) and U+FFFE/U+FFFF (lead byte 0xEF; a `str` holds no
    // surrogates). Blocks with neither kind of byte, nearly all of them, are skipped with one
    // vectorisable test; the others are decoded.
    const BLOCK: usize = 32;
    let suspect = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF;
    let b = text.as_bytes();
    let mut at = 0;
    while at < b.len() {
        let end = (at + BLOCK).min(b.len());
        if b[at..end].iter().fold(false, |any, &x| any | suspect(x)) {
            // Decode from the first character boundary at or after `at`: a character cut by
            // the block's start began in the previous block, which had nothing to report.
            let mut start = at;
            while !text.is_char_boundary(start) {
                start += 1;
            }
            // Up to the end of the block, and through a character it cuts.
            let mut stop = end;
            while !text.is_char_boundary(stop) {
                stop += 1;
            }
            if let Some((i, c)) = text[start..stop]
                .char_indices()
                .find(|&(_, c)| !is_xml_char(c))
            {
                return Some((start + i, c));
            }
            at = stop;
        } else {
            at = end;
        }
    }
    None
}

/// A general entity declared in the internal subset.
struct Entity {
    /// Replacement text (character references already expanded); `None` when external.
    value: Option<Arc<str>>,
    /// The system identifier of an external entity.
    system: Option<String>,
    /// Declared with `NDATA` (an unparsed entity).
    unparsed: bool,
    /// Character references in its value build markup (inside a tag, or a `<`/`&`): the
    /// tree builder reads entity values raw and cannot expand these.
    markup_char_refs: bool,
    /// The quoted literal of its value (quotes included).
    literal: Span,
    /// The entity's name in its declaration.
    decl: Span,
}

/// State shared by the document scanner and the nested scanners of entity text.
struct Shared {
    limits: Limits,
    entities: HashMap<String, Entity>,
    /// Parameter entities declared in the internal subset (never expanded).
    parameters: HashMap<String, Entity>,
    /// In-scope namespace bindings, innermost last: (prefix, `""` for the default; URI).
    ns: Vec<(String, String)>,
    nodes: u64,
    expansions: usize,
    expanded_bytes: usize,
    /// References expanded inside the current top-level reference (roxmltree allows 255).
    refs_in_top: usize,
    /// Names of the entities being expanded, outermost first.
    entity_stack: Vec<String>,
    /// An external DTD subset left declarations unread.
    unread_decls: bool,
    standalone: bool,
    /// May entity literals be rewritten for the tree builder?
    rewrite: bool,
    /// Literal spans and their same-length replacements.
    rewrites: Vec<(Span, String)>,
}

/// An open element.
struct Open<'t> {
    qname: &'t str,
    /// `<name` of its start tag.
    tag: Span,
    /// Namespace bindings it pushed.
    ns_pushed: usize,
}

/// An attribute of the start tag being read.
struct Attr<'t> {
    qname: &'t str,
    name: Span,
    /// The value as written, without its quotes.
    raw: Span,
    /// Expanded value, only computed for namespace declarations.
    value: Option<String>,
}

struct Scanner<'t, 's> {
    text: &'t str,
    b: &'t [u8],
    pos: usize,
    sh: &'s mut Shared,
    /// Depth of the element the entity reference being scanned sits in.
    depth_base: usize,
    in_entity: bool,
    /// The tree being built, when one is (never inside entity text).
    build: Option<&'s mut Build<'t>>,
}

type R<T> = Result<T, Fail>;

impl<'t> Scanner<'t, '_> {
    // ----- helpers -------------------------------------------------------------------------

    fn fail(&self, code: &str, msg: impl Into<Text>, span: Span, label: &str) -> Fail {
        Fail {
            at: self.pos,
            diag: Diagnostic::error(code, msg).with_label(span, label),
        }
    }

    fn here(&self) -> Span {
        let len = self.text[self.pos..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        Span::new(self.pos, len)
    }

    fn eof_span(&self) -> Span {
        Span::new(self.b.len(), 0)
    }

    fn eof(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn starts(&self, s: &str) -> bool {
        self.b[self.pos..].starts_with(s.as_bytes())
    }

    fn cur_char(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// Describes what is at the current position, for "expected X, found Y".
    fn found(&self) -> String {
        match self.cur_char() {
            None => "end of file".into(),
            Some(c) if c.is_whitespace() => "whitespace".into(),
            Some(c) => format!("`{c}`"),
        }
    }

    fn expected(&self, what: &str) -> Fail {
        let span = if self.eof() {
            self.eof_span()
        } else {
            self.here()
        };
        self.fail(
            "xml/syntax",
            format!("expected {what}, found {}", self.found()),
            span,
            &format!("expected {what}"),
        )
    }

    /// `xml/unclosed-markup` for a construct opened at `opened` and not closed when the text
    /// ends: the error is found at the end of the text (the position moves there).
    fn unclosed_at_eof(&mut self, msg: &str, opened: Span, label: &str) -> Fail {
        self.pos = self.b.len();
        self.fail("xml/unclosed-markup", msg, opened, label)
    }

    fn expect(&mut self, s: &str, what: &str) -> R<()> {
        if self.starts(s) {
            self.pos += s.len();
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    /// A Name at the current position, or `None` (position unchanged).
    fn name(&mut self) -> Option<Span> {
        let start = self.pos;
        self.pos = lex::name_end(self.text, start)?;
        Some(Span::from_range(start..self.pos))
    }

    fn str(&self, span: Span) -> &'t str {
        &self.text[span.offset..span.end()]
    }

    fn count_node(&mut self, at: Span) -> R<()> {
        self.sh.nodes += 1;
        if self.sh.nodes > u64::from(self.sh.limits.max_nodes) {
            return Err(self.fail(
                "xml/too-many-nodes",
                format!(
                    "the document has more than {} nodes",
                    self.sh.limits.max_nodes
                ),
                at,
                "limit reached here",
            ));
        }
        Ok(())
    }

    // ----- document ------------------------------------------------------------------------

    fn document(&mut self) -> R<()> {
        if self.text.starts_with('\u{FEFF}') {
            self.pos = 3;
        }
        if self.starts("<?xml") && self.b.get(self.pos + 5).is_some_and(|&b| is_space(b)) {
            self.xml_decl()?;
        }
        let mut seen_doctype = false;
        loop {
            self.misc()?;
            if self.starts("<!DOCTYPE") {
                if seen_doctype {
                    return Err(self.fail(
                        "xml/doctype",
                        "a document can have only one DOCTYPE declaration",
                        Span::new(self.pos, 9),
                        "second DOCTYPE",
                    ));
                }
                seen_doctype = true;
                self.doctype()?;
                continue;
            }
            break;
        }
        match self.peek() {
            None => {
                return Err(Fail {
                    at: self.pos,
                    diag: Diagnostic::error("xml/missing-root", "the document has no root element")
                        .with_label(self.eof_span(), "end of file reached without an element")
                        .with_help("an XML document must contain exactly one root element, e.g. <TEI>…</TEI>"),
                });
            }
            Some(b'<')
                if self
                    .b
                    .get(self.pos + 1)
                    .is_some_and(|&b| b != b'!' && b != b'?' && b != b'/') =>
            {
                self.content()?;
            }
            Some(b'<') if self.starts("</") => {
                return Err(self.fail(
                    "xml/unexpected-end-tag",
                    "end tag before any start tag",
                    self.end_tag_span(),
                    "no element is open",
                ));
            }
            Some(_) => {
                return Err(self.extra("xml/text-before-root", "before the root element"));
            }
        }
        // Misc after the root.
        {
            self.misc()?;
            if self.eof() {
                return Ok(());
            }
            if self.starts("<!DOCTYPE") {
                return Err(self.fail(
                    "xml/doctype",
                    "the DOCTYPE declaration must come before the root element",
                    Span::new(self.pos, 9),
                    "after the root element",
                ));
            }
            if self.starts("</") {
                return Err(self.fail(
                    "xml/unexpected-end-tag",
                    "end tag after the root element was closed",
                    self.end_tag_span(),
                    "no element is open",
                ));
            }
            if self.peek() == Some(b'<')
                && self
                    .b
                    .get(self.pos + 1)
                    .is_some_and(|&b| b != b'!' && b != b'?')
            {
                let start = self.pos;
                self.pos += 1;
                let name = self.name().unwrap_or(Span::new(start + 1, 0));
                return Err(Fail {
                    at: start,
                    diag: Diagnostic::error(
                        "xml/multiple-roots",
                        "a second root element: a document has exactly one root element",
                    )
                    .with_label(Span::from_range(start..name.end()), "second root element")
                    .with_help("wrap all top-level elements in a single root element"),
                });
            }
            Err(self.extra("xml/text-after-root", "after the root element"))
        }
    }

    fn end_tag_span(&self) -> Span {
        let rest = &self.b[self.pos..];
        let len = rest.iter().position(|&b| b == b'>').map_or(2, |i| i + 1);
        Span::new(self.pos, len)
    }

    /// Text or other content outside the root element.
    fn extra(&self, code: &str, where_: &str) -> Fail {
        let start = self.pos;
        let rest = &self.text[start..];
        let line_end = rest.find(['\n', '<']).unwrap_or(rest.len()).max(1);
        let line_end = rest[..line_end]
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

    /// Comments, processing instructions and whitespace.
    fn misc(&mut self) -> R<()> {
        loop {
            self.skip_ws();
            if self.starts("<!--") {
                self.comment_node()?;
            } else if self.starts("<?") {
                self.pi_node()?;
            } else {
                return Ok(());
            }
        }
    }

    /// A comment in content or around the root element: checked, and a node of the tree.
    fn comment_node(&mut self) -> R<()> {
        let start = self.pos;
        self.comment()?;
        if let Some(b) = self.build.as_deref_mut() {
            let text = Str::input(start + 4..self.pos - 3);
            b.leaf(NodeType::Comment, start..self.pos, text, Str::NONE);
        }
        Ok(())
    }

    /// A processing instruction in content or around the root element: checked, and a node
    /// of the tree.
    fn pi_node(&mut self) -> R<()> {
        let start = self.pos;
        let (target, value_start) = self.pi()?;
        if let Some(b) = self.build.as_deref_mut() {
            let value_end = self.pos - 2;
            let value = if value_start < value_end {
                Str::input(value_start..value_end)
            } else {
                Str::NONE
            };
            let target = Str::input(target.offset..target.end());
            b.leaf(NodeType::PI, start..self.pos, target, value);
        }
        Ok(())
    }

    fn xml_decl(&mut self) -> R<()> {
        let start = self.pos;
        self.pos += 5;
        let mut seen_version = false;
        let mut order = 0;
        loop {
            let had_space = self.skip_ws();
            if self.starts("?>") {
                self.pos += 2;
                break;
            }
            if self.eof() {
                return Err(self.unclosed_at_eof(
                    "the XML declaration is not closed",
                    Span::new(start, 5),
                    "opened here, `?>` never follows",
                ));
            }
            let (name, q) = self.attribute_head(had_space, &PSEUDO_ATTRIBUTE)?;
            let key = self.str(name).to_string();
            self.pos += 1;
            let vstart = self.pos;
            while self.peek().is_some_and(|b| b != q && b != b'>') {
                self.pos += 1;
            }
            if self.peek() != Some(q) {
                return Err(self.expected("the closing quote"));
            }
            let vspan = Span::from_range(vstart..self.pos);
            let value = self.str(vspan).to_string();
            self.pos += 1;
            let bad = |s: &Self, msg: String| {
                Err(Fail {
                    at: s.pos,
                    diag: Diagnostic::error("xml/xml-declaration", msg)
                        .with_label(vspan, "")
                        .with_help(
                            "the declaration reads <?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                        ),
                })
            };
            let rank = match key.as_str() {
                "version" => {
                    let ok = value
                        .strip_prefix("1.")
                        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
                    if !ok {
                        return bad(self, format!("unsupported XML version {value:?}"));
                    }
                    seen_version = true;
                    1
                }
                "encoding" => {
                    let ok = value
                        .bytes()
                        .next()
                        .is_some_and(|b| b.is_ascii_alphabetic())
                        && value
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
                    if !ok {
                        return bad(self, format!("invalid encoding name {value:?}"));
                    }
                    2
                }
                "standalone" => {
                    if value != "yes" && value != "no" {
                        return bad(
                            self,
                            format!("standalone must be \"yes\" or \"no\", not {value:?}"),
                        );
                    }
                    self.sh.standalone = value == "yes";
                    3
                }
                _ => {
                    return Err(self.fail(
                        "xml/xml-declaration",
                        format!("unknown pseudo-attribute `{key}` in the XML declaration"),
                        name,
                        "only version, encoding and standalone are allowed",
                    ))
                }
            };
            if rank <= order || (rank > 1 && !seen_version) {
                return Err(self.fail(
                    "xml/xml-declaration",
                    "the XML declaration must list version, encoding, standalone in this order, version first",
                    name,
                    "out of order",
                ));
            }
            order = rank;
        }
        if !seen_version {
            return Err(self.fail(
                "xml/xml-declaration",
                "the XML declaration has no version",
                Span::new(start, 5),
                "version=\"1.0\" missing",
            ));
        }
        Ok(())
    }

    fn comment(&mut self) -> R<()> {
        let start = self.pos;
        self.pos += 4;
        let Some(i) = self.text[self.pos..].find("--") else {
            return Err(self.unclosed_at_eof(
                "comment is not closed",
                Span::new(start, 4),
                "opened here, `-->` never follows",
            ));
        };
        self.pos += i;
        if self.b.get(self.pos + 2) != Some(&b'>') {
            return Err(self
                .fail(
                    "xml/syntax",
                    "`--` is not allowed inside a comment",
                    Span::new(self.pos, 2),
                    "ends the comment without `>`",
                )
                .with_secondary(Span::new(start, 4), "comment starts here"));
        }
        self.pos += 3;
        self.count_node(Span::from_range(start..self.pos))
    }

    /// A processing instruction; returns its target and where its value starts.
    fn pi(&mut self) -> R<(Span, usize)> {
        let start = self.pos;
        self.pos += 2;
        let Some(target) = self.name() else {
            return Err(self.expected("a processing-instruction target name after `<?`"));
        };
        let t = self.str(target);
        if t.eq_ignore_ascii_case("xml") {
            return Err(self.fail(
                "xml/xml-declaration",
                "the XML declaration is only allowed at the very start of the document",
                Span::from_range(start..target.end()),
                "not at the start",
            )
            .with_help_fail("remove it, or move it to the first line with nothing (not even a blank line) before it"));
        }
        if t.contains(':') {
            return Err(self.fail(
                "xml/namespace",
                format!("processing-instruction target `{t}` contains a colon"),
                target,
                "",
            ));
        }
        if !self.starts("?>") && !self.skip_ws() {
            return Err(self.expected("whitespace or `?>` after the target"));
        }
        let value_start = self.pos;
        match self.text[self.pos..].find("?>") {
            Some(i) => self.pos += i + 2,
            None => {
                return Err(self.unclosed_at_eof(
                    "processing instruction is not closed",
                    Span::from_range(start..target.end()),
                    "opened here, `?>` never follows",
                ));
            }
        }
        self.count_node(Span::from_range(start..self.pos))?;
        Ok((target, value_start))
    }

    // ----- DTD -----------------------------------------------------------------------------

    fn doctype(&mut self) -> R<()> {
        let start = self.pos;
        self.pos += 9;
        if !self.skip_ws() {
            return Err(self.expected("whitespace after <!DOCTYPE"));
        }
        if self.name().is_none() {
            return Err(self.expected("the root element name"));
        }
        let had_space = self.skip_ws();
        if had_space && (self.starts("SYSTEM") || self.starts("PUBLIC")) {
            self.external_id()?;
            // An external subset is never read.
            self.sh.unread_decls = true;
            self.skip_ws();
        }
        if self.peek() == Some(b'[') {
            self.pos += 1;
            self.internal_subset(start)?;
            self.skip_ws();
        }
        if self.peek() == Some(b'>') {
            self.pos += 1;
            Ok(())
        } else if self.eof() {
            Err(self.unclosed_at_eof(
                "DOCTYPE declaration is not closed",
                Span::new(start, 9),
                "opened here",
            ))
        } else {
            Err(self.expected("`[` or `>` in the DOCTYPE declaration"))
        }
    }

    /// `SYSTEM "…"` or `PUBLIC "…" "…"`; returns the system literal.
    fn external_id(&mut self) -> R<String> {
        let public = self.starts("PUBLIC");
        self.pos += 6;
        if !self.skip_ws() {
            return Err(self.expected("whitespace"));
        }
        if public {
            self.literal()?;
            if !self.skip_ws() {
                return Err(self.expected("whitespace and the system identifier"));
            }
        }
        let span = self.literal()?;
        Ok(self.str(span).to_string())
    }

    /// A quoted literal; returns the span of its content.
    fn literal(&mut self) -> R<Span> {
        let q = match self.peek() {
            Some(q @ (b'"' | b'\'')) => q,
            _ => return Err(self.expected("a quoted literal")),
        };
        let open = self.pos;
        self.pos += 1;
        match self.b[self.pos..].iter().position(|&b| b == q) {
            Some(i) => {
                let span = Span::new(self.pos, i);
                self.pos += i + 1;
                Ok(span)
            }
            None => Err(self.unclosed_at_eof(
                "quoted literal is not closed",
                Span::new(open, 1),
                "opening quote",
            )),
        }
    }

    fn internal_subset(&mut self, doctype: usize) -> R<()> {
        loop {
            self.skip_ws();
            if self.peek() == Some(b']') {
                self.pos += 1;
                return Ok(());
            }
            if self.eof() {
                return Err(self.unclosed_at_eof(
                    "the DOCTYPE's internal subset is not closed with `]>`",
                    Span::new(doctype, 9),
                    "opened here",
                ));
            }
            if self.starts("<!ENTITY") {
                self.entity_decl()?;
            } else if self.starts("<!ELEMENT")
                || self.starts("<!ATTLIST")
                || self.starts("<!NOTATION")
            {
                self.markup_decl()?;
            } else if self.starts("<!--") {
                // Not counted against the node limit, but children of the document node in
                // the tree, as in roxmltree.
                self.comment_node()?;
                self.sh.nodes -= 1;
            } else if self.starts("<?") {
                self.pi_node()?;
                self.sh.nodes -= 1;
            } else if self.peek() == Some(b'%') {
                let start = self.pos;
                self.pos += 1;
                let name = match self.name() {
                    Some(name) if self.peek() == Some(b';') => name,
                    _ => return Err(self.expected("a parameter-entity reference `%name;`")),
                };
                self.pos += 1;
                return Err(self.parameter_reference(Span::new(start, self.pos - start), name));
            } else {
                return Err(self.fail(
                    "xml/doctype",
                    format!(
                        "unexpected {} in the DOCTYPE's internal subset",
                        self.found()
                    ),
                    self.here(),
                    "expected a markup declaration or `]`",
                ));
            }
        }
    }

    /// `<!ELEMENT`, `<!ATTLIST` or `<!NOTATION`, checked against their grammar (XML 1.0
    /// sections 3.2, 3.3, 4.7) but otherwise ignored: teikit does not validate against DTDs.
    fn markup_decl(&mut self) -> R<()> {
        if self.starts("<!ELEMENT") {
            self.pos += 9;
            self.require_ws("<!ELEMENT")?;
            self.need_name("the element name")?;
            self.require_ws("the element name")?;
            self.content_spec()?;
        } else if self.starts("<!ATTLIST") {
            self.pos += 9;
            self.require_ws("<!ATTLIST")?;
            self.need_name("the element name")?;
            loop {
                let ws = self.skip_ws();
                if self.peek() == Some(b'>') {
                    break;
                }
                if !ws {
                    return Err(self.expected("whitespace or `>`"));
                }
                self.need_name("an attribute name or `>`")?;
                self.require_ws("the attribute name")?;
                self.att_type()?;
                self.require_ws("the attribute type")?;
                self.default_decl()?;
            }
        } else {
            self.pos += 10;
            self.require_ws("<!NOTATION")?;
            self.need_name("the notation name")?;
            self.require_ws("the notation name")?;
            let public = self.starts("PUBLIC");
            if !public && !self.starts("SYSTEM") {
                return Err(self.expected("SYSTEM or PUBLIC"));
            }
            self.pos += 6;
            self.require_ws("SYSTEM or PUBLIC")?;
            let mut lits = vec![self.literal()?];
            if public && self.skip_ws() && matches!(self.peek(), Some(b'"' | b'\'')) {
                lits.push(self.literal()?);
            }
            for lit in lits {
                if let Some(i) = self.str(lit).find('>') {
                    if self.blank_for_tree_builder(lit) {
                        continue;
                    }
                    return Err(self
                        .fail(
                            "xml/unsupported-dtd",
                            "`>` inside a quoted value of a DTD declaration is not supported",
                            Span::new(lit.offset + i, 1),
                            "",
                        )
                        .with_help_fail("the tree builder (roxmltree) ends the declaration here"));
                }
            }
        }
        self.skip_ws();
        self.expect(">", "`>` to end the declaration")
    }

    /// In rewrite mode, blanks every `>` of `span` (inside a quoted literal of an ATTLIST or
    /// NOTATION declaration) for the tree builder, which skips those declarations up to the
    /// first `>` and uses nothing in them; same length, so spans still index the text.
    /// `false` (and nothing recorded) when rewriting is off.
    fn blank_for_tree_builder(&mut self, span: Span) -> bool {
        if !self.sh.rewrite {
            return false;
        }
        let text = self.str(span);
        for (i, _) in text.match_indices('>') {
            let at = Span::new(span.offset + i, 1);
            if !self.sh.rewrites.iter().any(|(s, _)| *s == at) {
                self.sh.rewrites.push((at, " ".to_string()));
            }
        }
        true
    }

    fn require_ws(&mut self, after: &str) -> R<()> {
        if self.skip_ws() {
            Ok(())
        } else {
            Err(self.expected(&format!("whitespace after {after}")))
        }
    }

    fn need_name(&mut self, what: &str) -> R<Span> {
        self.name().ok_or_else(|| self.expected(what))
    }

    /// `EMPTY`, `ANY`, mixed content or an element content model, without recursion.
    fn content_spec(&mut self) -> R<()> {
        for kw in ["EMPTY", "ANY"] {
            if self.starts(kw) {
                self.pos += kw.len();
                return Ok(());
            }
        }
        self.expect("(", "EMPTY, ANY or `(`")?;
        self.skip_ws();
        if self.starts("#PCDATA") {
            self.pos += 7;
            let mut names = false;
            loop {
                self.skip_ws();
                if self.peek() != Some(b'|') {
                    break;
                }
                self.pos += 1;
                self.skip_ws();
                self.need_name("an element name")?;
                names = true;
            }
            self.expect(")", "`|` or `)`")?;
            if names {
                self.expect("*", "`*` after mixed content with element names")?;
            } else if self.peek() == Some(b'*') {
                self.pos += 1;
            }
            return Ok(());
        }
        // One separator per open group: `|` or `,`, fixed by the first one used.
        let mut groups: Vec<Option<u8>> = vec![None];
        loop {
            self.skip_ws();
            if self.peek() == Some(b'(') {
                if groups.len() >= self.sh.limits.max_depth {
                    return Err(self.expected("fewer nested groups"));
                }
                self.pos += 1;
                groups.push(None);
                continue;
            }
            self.need_name("an element name or `(`")?;
            self.occurrence();
            loop {
                self.skip_ws();
                match self.peek() {
                    Some(c @ (b'|' | b',')) => {
                        match groups.last_mut() {
                            Some(sep @ None) => *sep = Some(c),
                            Some(Some(sep)) if *sep != c => {
                                return Err(self.expected(&format!("`{}`", *sep as char)));
                            }
                            _ => {}
                        }
                        self.pos += 1;
                        break;
                    }
                    Some(b')') => {
                        self.pos += 1;
                        groups.pop();
                        self.occurrence();
                        if groups.is_empty() {
                            return Ok(());
                        }
                    }
                    _ => return Err(self.expected("`|`, `,` or `)`")),
                }
            }
        }
    }

    fn occurrence(&mut self) {
        if matches!(self.peek(), Some(b'?' | b'*' | b'+')) {
            self.pos += 1;
        }
    }

    fn att_type(&mut self) -> R<()> {
        for kw in [
            "CDATA", "IDREFS", "IDREF", "ID", "ENTITIES", "ENTITY", "NMTOKENS", "NMTOKEN",
        ] {
            if self.starts(kw) {
                self.pos += kw.len();
                return Ok(());
            }
        }
        let notation = self.starts("NOTATION");
        if notation {
            self.pos += 8;
            self.require_ws("NOTATION")?;
        }
        self.expect("(", "an attribute type")?;
        loop {
            self.skip_ws();
            let ok = if notation {
                self.name().is_some()
            } else {
                self.nmtoken()
            };
            if !ok {
                return Err(self.expected(if notation {
                    "a notation name"
                } else {
                    "a name token"
                }));
            }
            self.skip_ws();
            match self.peek() {
                Some(b'|') => self.pos += 1,
                Some(b')') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.expected("`|` or `)`")),
            }
        }
    }

    fn nmtoken(&mut self) -> bool {
        let start = self.pos;
        while let Some(c) = self.cur_char().filter(|&c| is_name_char(c)) {
            self.pos += c.len_utf8();
        }
        self.pos > start
    }

    fn default_decl(&mut self) -> R<()> {
        for kw in ["#REQUIRED", "#IMPLIED"] {
            if self.starts(kw) {
                self.pos += kw.len();
                return Ok(());
            }
        }
        if self.starts("#FIXED") {
            self.pos += 6;
            self.require_ws("#FIXED")?;
        }
        let q = match self.peek() {
            Some(q @ (b'"' | b'\'')) => q,
            _ => return Err(self.expected("#REQUIRED, #IMPLIED, #FIXED or a quoted default value")),
        };
        let open = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                None => {
                    return Err(self.unclosed_at_eof("default value is not closed", Span::new(open, 1), "value starts here"))
                }
                Some(b) if b == q => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'<') => {
                    return Err(self.fail(
                        "xml/lt-in-attribute",
                        "`<` is not allowed in an attribute value",
                        self.here(),
                        "write &lt;",
                    ))
                }
                Some(b'>') if self.blank_for_tree_builder(self.here()) => self.pos += 1,
                Some(b'>') => {
                    return Err(self
                        .fail(
                            "xml/unsupported-dtd",
                            "`>` inside a quoted value of a DTD declaration is not supported",
                            self.here(),
                            "",
                        )
                        .with_help_fail(
                            "the tree builder (roxmltree) ends the declaration here; write &#62; instead",
                        ))
                }
                Some(b'&') => {
                    self.reference()?;
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn entity_decl(&mut self) -> R<()> {
        // The tree builder does not expand entities: the text is built another way.
        if let Some(b) = self.build.take() {
            b.declares_entities = true;
        }
        self.pos += 8;
        if !self.skip_ws() {
            return Err(self.expected("whitespace after <!ENTITY"));
        }
        let parameter = self.peek() == Some(b'%');
        if parameter {
            self.pos += 1;
            if !self.skip_ws() {
                return Err(self.expected("whitespace after `%`"));
            }
        }
        let Some(name) = self.name() else {
            return Err(self.expected("the entity name"));
        };
        if !self.skip_ws() {
            return Err(self.expected("whitespace after the entity name"));
        }
        let mut entity = Entity {
            value: None,
            system: None,
            unparsed: false,
            markup_char_refs: false,
            literal: Span::default(),
            decl: name,
        };
        if self.starts("SYSTEM") || self.starts("PUBLIC") {
            entity.system = Some(self.external_id()?);
            let had_space = self.skip_ws();
            if self.starts("NDATA") {
                if !had_space || parameter {
                    return Err(self.expected("`>`"));
                }
                self.pos += 5;
                if !self.skip_ws() || self.name().is_none() {
                    return Err(self.expected("a notation name after NDATA"));
                }
                entity.unparsed = true;
            }
        } else {
            let lit = self.literal()?;
            let (value, markup_char_refs) = self.entity_value(lit)?;
            entity.value = Some(value.into());
            entity.markup_char_refs = markup_char_refs;
            entity.literal = Span::new(lit.offset - 1, lit.len + 2);
        }
        self.skip_ws();
        self.expect(">", "`>` to end the entity declaration")?;
        let key = self.str(name).to_string();
        if parameter {
            self.sh.parameters.entry(key).or_insert(entity);
            return Ok(());
        }
        // The first declaration binds (XML 1.0 section 4.2).
        self.sh.entities.entry(key).or_insert(entity);
        Ok(())
    }

    /// A parameter-entity reference `%name;` in the internal subset (`reference`): always an
    /// error. An external one is never read (`xml/external-entity`, like a general entity);
    /// an internal one is not expanded, because the tree builder (roxmltree) cannot read
    /// parameter-entity references at all (`xml/unsupported-dtd`).
    fn parameter_reference(&self, reference: Span, name: Span) -> Fail {
        let n = self.str(name);
        let diag = match self.sh.parameters.get(n) {
            Some(entity) if entity.value.is_none() => {
                let system = entity.system.clone().unwrap_or_default();
                Diagnostic::error(
                    "xml/external-entity",
                    format!("reference to external parameter entity %{n};: external entities are never loaded"),
                )
                .with_label(reference, "external parameter entity reference")
                .with_secondary(entity.decl, format!("declared here as external (SYSTEM {system:?})"))
                .with_help("teikit never reads files or URLs named by a document (this blocks XXE attacks); write the declarations in the internal subset itself")
            }
            Some(entity) => Diagnostic::error(
                "xml/unsupported-dtd",
                format!("parameter entity %{n}; cannot be expanded: teikit does not read parameter-entity references"),
            )
            .with_label(reference, "parameter entity reference")
            .with_secondary(entity.decl, "declared here")
            .with_help("write the declarations of the entity's value in the internal subset in place of the reference"),
            None => Diagnostic::error(
                "xml/undeclared-entity",
                format!("parameter entity %{n}; is not declared"),
            )
            .with_label(reference, "undeclared parameter entity")
            .with_help(if self.sh.unread_decls {
                "it may be declared in the external DTD, which teikit never reads; write the declarations it stands for in the internal subset instead"
            } else {
                "declare it before the reference, or remove the reference"
            }),
        };
        Fail {
            at: reference.offset,
            diag,
        }
    }

    /// The replacement text of an entity value literal: character references expanded,
    /// entity references checked and kept. Also says whether a character reference builds
    /// markup.
    fn entity_value(&mut self, lit: Span) -> R<(String, bool)> {
        let mut out = String::with_capacity(lit.len);
        let mut in_tag = false;
        let mut markup_char_refs = false;
        let end = lit.end();
        self.pos = lit.offset;
        while self.pos < end {
            match self.b[self.pos] {
                b'%' => {
                    return Err(self.fail(
                        "xml/doctype",
                        "parameter-entity references are not allowed inside declarations in the internal subset",
                        self.here(),
                        "",
                    ));
                }
                b'&' => {
                    let start = self.pos;
                    match self.reference()? {
                        Ref::Char(c) => {
                            markup_char_refs |= in_tag || c == '<' || c == '&';
                            out.push(c);
                        }
                        Ref::Entity(_) => out.push_str(&self.text[start..self.pos]),
                    }
                }
                _ => {
                    let c = self.cur_char().unwrap_or('\0');
                    match c {
                        '<' => in_tag = true,
                        '>' => in_tag = false,
                        _ => {}
                    }
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        self.pos = end + 1;
        Ok((out, markup_char_refs))
    }

    // ----- references ----------------------------------------------------------------------

    /// At `&`: a character or entity reference.
    fn reference(&mut self) -> R<Ref> {
        let start = self.pos;
        self.pos += 1;
        let malformed = |s: &mut Self| {
            let end = s.pos.max(start + 1);
            Err(Fail {
                at: start,
                diag: lex::malformed_reference(Span::from_range(start..end)),
            })
        };
        if self.peek() == Some(b'#') {
            return match lex::char_reference(self.text, start) {
                Ok((c, end)) => {
                    self.pos = end;
                    Ok(Ref::Char(c))
                }
                Err(BadReference::Malformed { end }) => {
                    self.pos = end;
                    malformed(self)
                }
                Err(BadReference::NotXmlChar { end }) => {
                    self.pos = end;
                    Err(Fail {
                        at: start,
                        diag: lex::illegal_char_reference(
                            &self.text[start..end],
                            Span::from_range(start..end),
                        ),
                    })
                }
            };
        }
        match self.name() {
            Some(name) if self.peek() == Some(b';') => {
                self.pos += 1;
                Ok(Ref::Entity(name))
            }
            _ => malformed(self),
        }
    }

    /// Checks an entity reference in content or an attribute value; returns the
    /// replacement text to scan (`None` for the predefined entities).
    fn resolve_entity(&mut self, name: Span, in_attr: bool) -> R<Option<Arc<str>>> {
        let n = self.str(name);
        if matches!(n, "lt" | "gt" | "amp" | "apos" | "quot") {
            return Ok(None);
        }
        let reference = Span::from_range(name.offset - 1..name.end() + 1);
        let Some(entity) = self.sh.entities.get(n) else {
            let mut d = Diagnostic::error(
                "xml/undeclared-entity",
                format!("entity &{n}; is not declared"),
            )
            .with_label(reference, "undeclared entity");
            d = if self.sh.unread_decls && !self.sh.standalone {
                d.with_help("it may be declared in the external DTD, which teikit never reads; replace it by its text or a character reference (&#...;)")
            } else {
                d.with_help("XML predefines only &lt; &gt; &amp; &apos; &quot;; use a character reference such as &#x2014; or declare the entity")
            };
            return Err(Fail {
                at: name.offset,
                diag: d,
            });
        };
        if entity.unparsed {
            return Err(Fail {
                at: name.offset,
                diag: Diagnostic::error(
                    "xml/unparsed-entity",
                    format!("unparsed entity &{n}; cannot be referenced in text"),
                )
                .with_label(reference, "reference to an NDATA entity")
                .with_secondary(entity.decl, "declared here"),
            });
        }
        if entity.markup_char_refs && !in_attr {
            if let Some(new) = self.sh.rewrite.then(|| rewritten(entity)).flatten() {
                let span = entity.literal;
                if !self.sh.rewrites.iter().any(|(s, _)| *s == span) {
                    self.sh.rewrites.push((span, new));
                }
            } else {
                return Err(Fail {
                at: name.offset,
                diag: Diagnostic::error(
                    "xml/unsupported-entity",
                    format!("entity &{n}; builds markup from character references, which teikit cannot expand"),
                )
                .with_label(reference, "entity used here")
                .with_secondary(entity.decl, "declared here")
                .with_help("write the characters themselves in the entity's value instead of &#...; references, or avoid the entity"),
                });
            }
        }
        let Some(value) = entity.value.clone() else {
            let system = entity.system.clone().unwrap_or_default();
            let place = if in_attr {
                " in an attribute value"
            } else {
                ""
            };
            return Err(Fail {
                at: name.offset,
                diag: Diagnostic::error(
                    "xml/external-entity",
                    format!("reference to external entity &{n};{place}: external entities are never loaded"),
                )
                .with_label(reference, "external entity reference")
                .with_secondary(entity.decl, format!("declared here as external (SYSTEM {system:?})"))
                .with_help("teikit never reads files or URLs named by a document (this blocks XXE attacks); put the text itself in the document, or use XInclude"),
            });
        };
        if self.sh.entity_stack.iter().any(|e| e == n) {
            return Err(Fail {
                at: name.offset,
                diag: Diagnostic::error("xml/recursive-entity", {
                    let from = self
                        .sh
                        .entity_stack
                        .iter()
                        .position(|e| e == n)
                        .unwrap_or(0);
                    let via: Vec<String> = self.sh.entity_stack[from + 1..]
                        .iter()
                        .map(|e| format!("&{e};"))
                        .collect();
                    if via.is_empty() {
                        format!("entity &{n}; refers to itself")
                    } else {
                        format!("entity &{n}; refers to itself through {}", via.join(", "))
                    }
                })
                .with_label(reference, "recursive reference")
                .with_secondary(entity.decl, "declared here"),
            });
        }
        let limits = &self.sh.limits;
        self.sh.expansions += 1;
        self.sh.expanded_bytes += value.len();
        if self.sh.entity_stack.is_empty() {
            self.sh.refs_in_top = 0;
        } else {
            self.sh.refs_in_top += 1;
        }
        if self.sh.entity_stack.len() >= limits.max_entity_depth
            || self.sh.expansions > limits.max_entity_expansions
            || self.sh.expanded_bytes > limits.max_entity_bytes
            || self.sh.refs_in_top > 255
        {
            return Err(Fail {
                at: name.offset,
                diag: Diagnostic::error(
                    "xml/entity-expansion-limit",
                    format!("entity expansion limit reached while expanding &{n};"),
                )
                .with_label(reference, "expansion stopped here")
                .with_help(format!(
                    "entities may nest {} deep, and a document may expand at most {} references or {} bytes; \
                     a document that needs more is likely an entity-expansion (\"billion laughs\") attack",
                    limits.max_entity_depth, limits.max_entity_expansions, limits.max_entity_bytes
                )),
            });
        }
        Ok(Some(value))
    }

    /// Scans entity replacement text in a nested scanner; errors are re-pointed at the
    /// reference. `depth` is the element depth of the reference.
    fn expand(&mut self, name: Span, value: Arc<str>, in_attr: bool, depth: usize) -> R<()> {
        let n = self.str(name).to_string();
        let reference = Span::from_range(name.offset - 1..name.end() + 1);
        let decl = self.sh.entities.get(&n).map(|e| e.decl);
        self.sh.entity_stack.push(n.clone());
        let result = {
            let mut sub = Scanner {
                text: &value,
                b: value.as_bytes(),
                pos: 0,
                sh: &mut *self.sh,
                depth_base: depth,
                in_entity: true,
                build: None,
            };
            if in_attr {
                sub.attr_text()
            } else {
                sub.content()
            }
        };
        self.sh.entity_stack.pop();
        result.map_err(|f| {
            let mut diag = f.diag;
            if self.in_entity {
                // The outer level re-points it again; keep the innermost message.
                return Fail {
                    at: name.offset,
                    diag,
                };
            }
            // Spans inside replacement text mean nothing to the reader: point at the
            // reference in the document, and at the declaration.
            diag.labels.clear();
            diag = diag.with_label(reference, "in the replacement text of this entity");
            if let Some(decl) = decl {
                diag = diag.with_secondary(decl, "declared here");
            }
            diag.message = format!("{} (in the replacement text of &{n};)", diag.message).into();
            Fail {
                at: name.offset,
                diag,
            }
        })
    }

    // ----- elements ------------------------------------------------------------------------

    /// In a document: the root element, from its `<` to its end tag. In entity replacement
    /// text (`in_entity`): content up to the end of the text, which must be balanced.
    fn content(&mut self) -> R<()> {
        let mut stack: Vec<Open<'t>> = Vec::new();
        // One buffer for the attributes of every start tag.
        let mut attrs: Vec<Attr<'t>> = Vec::new();
        while let Some(b) = self.peek() {
            match b {
                b'<' => {
                    if let Some(b) = self.build.as_deref_mut() {
                        b.end_text(self.pos);
                    }
                    if self.starts("</") {
                        self.end_tag(&mut stack)?;
                        if !self.in_entity && stack.is_empty() {
                            return Ok(());
                        }
                    } else if self.starts("<!--") {
                        self.comment_node()?;
                    } else if self.starts("<![CDATA[") {
                        let start = self.pos;
                        self.cdata()?;
                        if let Some(b) = self.build.as_deref_mut() {
                            b.cdata(Span::from_range(start + 9..self.pos - 3), start..self.pos);
                        }
                    } else if self.starts("<?") {
                        self.pi_node()?;
                    } else if self.starts("<!") {
                        let what = if self.starts("<!DOCTYPE") {
                            "a DOCTYPE declaration"
                        } else {
                            "`<!`"
                        };
                        return Err(self.fail(
                            "xml/syntax",
                            format!("{what} is not allowed inside an element"),
                            Span::new(self.pos, 2),
                            "expected a comment `<!--` or a CDATA section `<![CDATA[`",
                        ));
                    } else {
                        let empty = self.start_tag(&mut stack, &mut attrs)?;
                        if empty && !self.in_entity && stack.is_empty() {
                            return Ok(());
                        }
                    }
                }
                b'&' => {
                    if let Some(b) = self.build.as_deref_mut() {
                        b.text_at(self.pos);
                    }
                    if let Ref::Entity(name) = self.reference()? {
                        if let Some(value) = self.resolve_entity(name, false)? {
                            let depth = self.depth_base + stack.len();
                            self.expand(name, value, false, depth)?;
                        }
                    }
                }
                _ => {
                    if let Some(b) = self.build.as_deref_mut() {
                        b.text_at(self.pos);
                    }
                    self.text_run()?;
                }
            }
        }
        let Some(open) = stack.last() else {
            return Ok(());
        };
        let inner = open.qname;
        let mut diag = Diagnostic::error(
            "xml/unclosed-tag",
            format!("element <{inner}> is never closed"),
        )
        .with_label(open.tag, format!("<{inner}> opened here"));
        if self.in_entity {
            diag.message = format!("element <{inner}> is not closed inside the entity").into();
        } else {
            diag = diag.with_secondary(
                self.eof_span(),
                format!("end of file reached; expected </{inner}>"),
            );
        }
        diag = diag.with_help(unclosed_help(inner, stack.len() - 1, None));
        Err(Fail { at: self.pos, diag })
    }

    fn text_run(&mut self) -> R<()> {
        let start = self.pos;
        loop {
            // Straight to the next byte that matters.
            self.pos += text_end(&self.b[self.pos..]);
            let Some(b) = self.peek() else {
                break;
            };
            match b {
                b'<' | b'&' => break,
                b']' if self.starts("]]>") => {
                    return Err(self
                        .fail(
                            "xml/syntax",
                            "`]]>` is not allowed in text",
                            Span::new(self.pos, 3),
                            "only ends a CDATA section",
                        )
                        .with_help_fail("write it as ]]&gt;"));
                }
                _ => self.pos += 1,
            }
        }
        self.count_node(Span::from_range(start..self.pos))
    }

    fn cdata(&mut self) -> R<()> {
        let start = self.pos;
        match self.text[start + 9..].find("]]>") {
            Some(i) => {
                self.pos = start + 9 + i + 3;
                self.count_node(Span::from_range(start..self.pos))
            }
            None => Err(self.unclosed_at_eof(
                "CDATA section is not closed",
                Span::new(start, 9),
                "opened here, `]]>` never follows",
            )),
        }
    }

    /// A start tag; returns whether it was an empty-element tag.
    /// `attrs` is scratch space (cleared here).
    fn start_tag(&mut self, stack: &mut Vec<Open<'t>>, attrs: &mut Vec<Attr<'t>>) -> R<bool> {
        let start = self.pos;
        self.pos += 1;
        let Some(name) = self.name() else {
            return Err(self.expected("an element name after `<` (write a literal `<` as &lt;)"));
        };
        let tag = Span::from_range(start..name.end());
        let qname = self.str(name);
        let depth = self.depth_base + stack.len() + 1;
        if depth > self.sh.limits.max_depth {
            return Err(Fail {
                at: self.pos,
                diag: lex::too_deep(self.sh.limits.max_depth, tag),
            });
        }
        self.count_node(tag)?;
        attrs.clear();
        let empty = loop {
            let had_space = self.skip_ws();
            match self.peek() {
                Some(b'>') => {
                    self.pos += 1;
                    break false;
                }
                Some(b'/') => {
                    self.expect("/>", "`/>`")?;
                    break true;
                }
                None => {
                    return Err(self
                        .fail(
                            "xml/unclosed-markup",
                            format!("start tag <{qname}> is not closed"),
                            tag,
                            "start tag opened here",
                        )
                        .with_secondary(self.eof_span(), "end of file reached; expected `>`"));
                }
                Some(b'<') => {
                    return Err(self
                        .fail(
                            "xml/unclosed-markup",
                            format!("start tag <{qname}> is not closed"),
                            tag,
                            "start tag opened here",
                        )
                        .with_secondary(self.here(), "next tag starts before `>`"));
                }
                _ => {}
            }
            let (aname, q) = self.attribute_head(had_space, &ATTRIBUTE)?;
            let aq = self.str(aname);
            let is_ns = declared_prefix(aq).is_some();
            let value_start = self.pos + 1;
            let value = self.attr_value(q, is_ns, depth)?;
            let raw = Span::from_range(value_start..self.pos - 1);
            if let Some(first) = attrs.iter().find(|a| a.qname == aq) {
                return Err(Fail {
                    at: aname.offset,
                    diag: Diagnostic::error(
                        "xml/duplicate-attribute",
                        format!("duplicate attribute `{aq}` on <{qname}>"),
                    )
                    .with_label(aname, "second occurrence")
                    .with_secondary(first.name, "first defined here")
                    .with_help(
                        "an attribute may appear only once on an element: remove one of them",
                    ),
                });
            }
            attrs.push(Attr {
                qname: aq,
                name: aname,
                raw,
                value,
            });
        };
        let ns_pushed = self.namespaces(qname, name, attrs)?;
        if let Some(b) = self.build.as_deref_mut() {
            let empty_end = empty.then_some(self.pos);
            b.start_tag(&self.sh.ns, ns_pushed, start, name, attrs, empty_end);
        }
        if empty {
            let keep = self.sh.ns.len() - ns_pushed;
            self.sh.ns.truncate(keep);
        } else {
            stack.push(Open {
                qname,
                tag,
                ns_pushed,
            });
        }
        Ok(empty)
    }

    /// `name = "`: the start of an attribute or of a pseudo-attribute of the XML declaration,
    /// after the white space before it (`had_space`: was there any?). Returns the name and
    /// the quote, leaving the position on the opening quote.
    fn attribute_head(&mut self, had_space: bool, words: &AttributeWords) -> R<(Span, u8)> {
        if !had_space {
            return Err(self.expected(words.space));
        }
        let Some(name) = self.name() else {
            return Err(self.expected(words.name));
        };
        self.skip_ws();
        if self.peek() != Some(b'=') {
            return Err(with_help(self.expected(words.equals), words.equals_help));
        }
        self.pos += 1;
        self.skip_ws();
        match self.peek() {
            Some(q @ (b'"' | b'\'')) => Ok((name, q)),
            _ => Err(with_help(self.expected(words.quote), words.quote_help)),
        }
    }

    /// An attribute value from its opening quote; returns the expanded value if `build`.
    fn attr_value(&mut self, q: u8, build: bool, depth: usize) -> R<Option<String>> {
        let open = self.pos;
        self.pos += 1;
        let mut out = build.then(String::new);
        loop {
            match self.peek() {
                None => {
                    return Err(self
                        .fail(
                            "xml/unclosed-markup",
                            "attribute value is not closed",
                            Span::new(open, 1),
                            "value starts here",
                        )
                        .with_secondary(self.eof_span(), "end of file reached"));
                }
                Some(b) if b == q => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'<') => {
                    return Err(self
                        .fail(
                            "xml/lt-in-attribute",
                            "`<` is not allowed in an attribute value",
                            self.here(),
                            "write &lt;",
                        )
                        .with_secondary(Span::new(open, 1), "value starts here")
                        .with_help_fail(
                            "escape it as &lt;; if this `<` starts a tag, a closing quote is missing",
                        ));
                }
                Some(b'&') => match self.reference()? {
                    Ref::Char(c) => {
                        if let Some(o) = out.as_mut() {
                            o.push(c);
                        }
                    }
                    Ref::Entity(name) => match self.resolve_entity(name, true)? {
                        Some(value) => {
                            if let Some(o) = out.as_mut() {
                                o.push_str(&value);
                            }
                            self.expand(name, value, true, depth)?;
                        }
                        None => {
                            if let Some(o) = out.as_mut() {
                                o.push(predefined(self.str(name)));
                            }
                        }
                    },
                },
                Some(_) => {
                    let c = self.cur_char().unwrap_or('\0');
                    if let Some(o) = out.as_mut() {
                        o.push(c);
                    }
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// Entity replacement text referenced from an attribute value.
    fn attr_text(&mut self) -> R<()> {
        while let Some(b) = self.peek() {
            match b {
                b'<' => {
                    return Err(self.fail(
                        "xml/lt-in-attribute",
                        "`<` is not allowed in an attribute value",
                        self.here(),
                        "",
                    ));
                }
                b'&' => {
                    if let Ref::Entity(name) = self.reference()? {
                        if let Some(value) = self.resolve_entity(name, true)? {
                            self.expand(name, value, true, self.depth_base)?;
                        }
                    }
                }
                _ => self.pos += 1,
            }
        }
        Ok(())
    }

    fn end_tag(&mut self, stack: &mut Vec<Open<'t>>) -> R<()> {
        let start = self.pos;
        self.pos += 2;
        let Some(name) = self.name() else {
            return Err(self.expected("an element name after `</`"));
        };
        self.skip_ws();
        if self.peek() != Some(b'>') {
            return Err(self.expected("`>` to end the end tag"));
        }
        self.pos += 1;
        let span = Span::from_range(start..self.pos);
        let n = self.str(name);
        let Some(top) = stack.last() else {
            return Err(self.fail(
                "xml/unexpected-end-tag",
                format!("end tag </{n}> has no start tag in the entity's text"),
                span,
                "",
            ));
        };
        if top.qname == n {
            let keep = self.sh.ns.len() - top.ns_pushed;
            self.sh.ns.truncate(keep);
            stack.pop();
            if let Some(b) = self.build.as_deref_mut() {
                b.end_tag(self.pos);
            }
            return Ok(());
        }
        let top_name = top.qname;
        if let Some(i) = stack.iter().rposition(|o| o.qname == n) {
            let unclosed = stack.len() - i - 1;
            return Err(Fail {
                at: start,
                diag: Diagnostic::error(
                    "xml/unclosed-tag",
                    format!("element <{top_name}> is never closed"),
                )
                .with_label(top.tag, format!("<{top_name}> opened here"))
                .with_secondary(span, format!("</{n}> closes an outer element first"))
                .with_help(unclosed_help(top_name, unclosed - 1, Some(n))),
            });
        }
        Err(Fail {
            at: start,
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

    /// Namespace declarations and prefixes of one start tag; returns how many bindings
    /// were pushed.
    fn namespaces(&mut self, qname: &str, name: Span, attrs: &[Attr<'_>]) -> R<usize> {
        let mut pushed = 0;
        for a in attrs {
            self.split_qname(a.qname, a.name)?;
        }
        for a in attrs {
            let v = a.value.as_deref().unwrap_or("");
            let prefix = match lex::namespace_declaration(a.qname, v) {
                None => continue,
                Some(Ok(prefix)) => prefix,
                Some(Err(msg)) => return Err(self.fail("xml/namespace", msg, a.name, "")),
            };
            if prefix != "xml" {
                self.sh.ns.push((prefix.to_string(), v.to_string()));
                pushed += 1;
            }
        }
        let (prefix, _) = self.split_qname(qname, name)?;
        if prefix == "xmlns" {
            return Err(self.fail(
                "xml/namespace",
                "element names must not use the prefix xmlns",
                name,
                "",
            ));
        }
        if prefix == "xml" {
            // Legal XML (the prefix is bound to the XML namespace), but the tree builder
            // (roxmltree) binds it for attributes only and refuses such an element.
            return Err(self
                .fail(
                    "xml/unsupported-name",
                    format!("element <{qname}> is in the XML namespace (prefix xml), which teikit cannot read"),
                    Span::new(name.offset, 3),
                    "prefix xml on an element",
                )
                .with_help_fail("the prefix xml is meant for attributes such as xml:id and xml:lang; rename the element"));
        }
        if !prefix.is_empty() && self.lookup(prefix).is_none() {
            return Err(self.undeclared(prefix, name, "element"));
        }
        let mut expanded: Vec<(&str, &str, Span)> = Vec::new();
        for a in attrs {
            if declared_prefix(a.qname).is_some() {
                continue;
            }
            let (prefix, local) = self.split_qname(a.qname, a.name)?;
            if prefix.is_empty() {
                continue;
            }
            let uri = if prefix == "xml" {
                XML_NS
            } else {
                match self.lookup(prefix) {
                    Some(u) => u,
                    None => return Err(self.undeclared(prefix, a.name, "attribute")),
                }
            };
            if let Some((_, _, first)) = expanded.iter().find(|(u, l, _)| *u == uri && *l == local)
            {
                return Err(Fail {
                    at: a.name.offset,
                    diag: Diagnostic::error(
                        "xml/duplicate-attribute",
                        format!("duplicate attribute {{{uri}}}{local} on <{qname}> (two prefixes for one namespace)"),
                    )
                    .with_label(a.name, "second occurrence")
                    .with_secondary(*first, "first defined here"),
                });
            }
            expanded.push((uri, local, a.name));
        }
        Ok(pushed)
    }

    fn lookup(&self, prefix: &str) -> Option<&str> {
        self.sh
            .ns
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.as_str())
            .filter(|u| !u.is_empty())
    }

    /// Splits a QName into prefix and local part, checking Namespaces in XML's syntax.
    fn split_qname<'q>(&self, qname: &'q str, span: Span) -> R<(&'q str, &'q str)> {
        lex::split_qname(qname, span).map_err(|diag| Fail {
            at: span.offset,
            diag,
        })
    }

    fn undeclared(&self, prefix: &str, name: Span, what: &str) -> Fail {
        Fail {
            at: name.offset,
            diag: lex::undeclared_prefix(prefix, name, what),
        }
    }
}

/// The entity's literal with character references expanded, quoted and padded with spaces
/// after the closing quote to the original length; `None` when that text would not mean the
/// same (it contains `&` or `%`, or both quote characters).
fn rewritten(entity: &Entity) -> Option<String> {
    let value = entity.value.as_deref()?;
    if value.contains(['&', '%']) {
        return None;
    }
    let quote = ['"', '\''].into_iter().find(|q| !value.contains(*q))?;
    let len = value.len() + 2;
    if len > entity.literal.len {
        return None;
    }
    let mut out = String::with_capacity(entity.literal.len);
    out.push(quote);
    out.push_str(value);
    out.push(quote);
    out.extend(std::iter::repeat_n(' ', entity.literal.len - len));
    Some(out)
}

fn predefined(name: &str) -> char {
    match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        _ => '"',
    }
}

/// What [`Scanner::attribute_head`] says it expected, for attributes and pseudo-attributes.
struct AttributeWords {
    space: &'static str,
    name: &'static str,
    equals: &'static str,
    equals_help: Option<&'static str>,
    quote: &'static str,
    quote_help: Option<&'static str>,
}

const ATTRIBUTE: AttributeWords = AttributeWords {
    space: "whitespace, `>` or `/>`",
    name: "an attribute name, `>` or `/>`",
    equals: "`=` after the attribute name",
    equals_help: Some("every attribute needs a value: name=\"value\""),
    quote: "a quoted attribute value",
    quote_help: Some("attribute values must be in quotes: name=\"value\""),
};

const PSEUDO_ATTRIBUTE: AttributeWords = AttributeWords {
    space: "whitespace or `?>` in the XML declaration",
    name: "`version`, `encoding`, `standalone` or `?>`",
    equals: "`=`",
    equals_help: None,
    quote: "a quoted value",
    quote_help: None,
};

fn with_help(fail: Fail, help: Option<&str>) -> Fail {
    match help {
        Some(h) => fail.with_help_fail(h),
        None => fail,
    }
}

enum Ref {
    Char(char),
    Entity(Span),
}

trait FailExt {
    fn with_help_fail(self, help: &str) -> Fail;
    fn with_secondary(self, span: Span, msg: &str) -> Fail;
}

impl FailExt for Fail {
    fn with_help_fail(mut self, help: &str) -> Fail {
        self.diag = self.diag.with_help(help);
        self
    }
    fn with_secondary(mut self, span: Span, msg: &str) -> Fail {
        self.diag = self.diag.with_secondary(span, msg);
        self
    }
}

// ----- tree building -----------------------------------------------------------------------

/// The tree being built by the scanner: nodes are appended as their markup is read.
pub(crate) struct Build<'t> {
    b: Builder<'t>,
    /// Open elements, innermost last; the document node (0) at the bottom.
    open: Vec<u32>,
    /// Where the text run being read in content began (`usize::MAX`: none). A run is
    /// everything up to the next `<`, references included.
    text_from: usize,
    /// The text node further text merges into: the last node made, when it is text.
    merge: u32,
    /// The URIs of the scanner's namespace bindings (`Shared::ns`), index for index.
    uris: Vec<Str>,
    xml_ns: Str,
    scratch: String,
    /// The text declares an entity, so the scanner stopped building.
    declares_entities: bool,
}

impl<'t> Build<'t> {
    fn new(text: &'t str) -> Build<'t> {
        // A guess that is cheap to be wrong about: a big vector grows by remapping.
        let mut b = Builder::new(text, text.len() / 24);
        let xml_ns = b.own(XML_NS);
        Build {
            b,
            open: vec![0],
            text_from: usize::MAX,
            merge: u32::MAX,
            uris: Vec::new(),
            xml_ns,
            scratch: String::new(),
            declares_entities: false,
        }
    }

    fn finish(self) -> Document<'t> {
        self.b.finish()
    }

    fn parent(&self) -> u32 {
        *self.open.last().expect("the document node stays open")
    }

    /// A text run starts at `pos` unless one is already being read.
    fn text_at(&mut self, pos: usize) {
        if self.text_from == usize::MAX {
            self.text_from = pos;
        }
    }

    /// Ends the text run being read (at `pos`, a `<` or the end) and adds it.
    fn end_text(&mut self, pos: usize) {
        let from = std::mem::replace(&mut self.text_from, usize::MAX);
        if from == usize::MAX {
            return;
        }
        let raw = &self.b.text()[from..pos];
        if memchr::memchr2(b'&', b'\r', raw.as_bytes()).is_none() {
            self.add_text(Str::input(from..pos), from..pos);
        } else {
            let mut s = std::mem::take(&mut self.scratch);
            s.clear();
            text_value(raw, &mut s);
            self.add_owned_text(&s, from..pos);
            self.scratch = s;
        }
    }

    /// A CDATA section: `inner` is its content, `range` the whole section.
    fn cdata(&mut self, inner: Span, range: std::ops::Range<usize>) {
        let raw = &self.b.text()[inner.offset..inner.end()];
        if memchr::memchr(b'\r', raw.as_bytes()).is_none() {
            self.add_text(Str::input(inner.offset..inner.end()), range);
        } else {
            let mut s = std::mem::take(&mut self.scratch);
            s.clear();
            let mut rest = raw;
            while let Some(i) = rest.find('\r') {
                s.push_str(&rest[..i]);
                s.push('\n');
                rest = rest[i + 1..].strip_prefix('\n').unwrap_or(&rest[i + 1..]);
            }
            s.push_str(rest);
            self.add_owned_text(&s, range);
            self.scratch = s;
        }
    }

    fn add_owned_text(&mut self, s: &str, range: std::ops::Range<usize>) {
        if self.merge == u32::MAX {
            let owned = self.b.own(s);
            self.add_text(owned, range);
        } else {
            self.merge_text(s);
        }
    }

    /// A piece of text: a new text node, or more of the one before it.
    fn add_text(&mut self, s: Str, range: std::ops::Range<usize>) {
        if self.merge == u32::MAX {
            let parent = self.parent();
            self.merge =
                self.b
                    .push_node(parent, NodeType::Text, range.start, range.end, s, Str::NONE);
        } else {
            let piece = self.b.str(s).to_owned();
            self.merge_text(&piece);
        }
    }

    /// Appends `more` to the text node being merged into, moving its text to the arena first
    /// if it is a slice of the input.
    fn merge_text(&mut self, more: &str) {
        let id = self.merge;
        let cur = self
            .b
            .node_mut(id)
            .text_str()
            .expect("merging into a text node");
        let owned = if cur.is_owned() {
            cur
        } else {
            let copy = self.b.str(cur).to_owned();
            self.b.own(&copy)
        };
        let merged = self.b.extend_owned(owned, more);
        self.b.node_mut(id).set_text_str(merged);
    }

    /// A comment or processing instruction in content or around the root element.
    fn leaf(&mut self, kind: NodeType, range: std::ops::Range<usize>, a: Str, b: Str) {
        self.merge = u32::MAX;
        let parent = self.parent();
        self.b.push_node(parent, kind, range.start, range.end, a, b);
    }

    /// The URI of the innermost binding of `prefix` in `ns` (the scanner's bindings).
    fn uri(&self, ns: &[(String, String)], prefix: &str) -> Option<Str> {
        ns.iter()
            .rposition(|(p, _)| p == prefix)
            .map(|i| self.uris[i])
    }

    /// A start tag read and checked: its element, attributes and namespace declarations.
    /// `pushed` bindings at the end of `ns` are the tag's own.
    fn start_tag(
        &mut self,
        ns: &[(String, String)],
        pushed: usize,
        start: usize,
        name: Span,
        attrs: &[Attr<'_>],
        empty_end: Option<usize>,
    ) {
        self.merge = u32::MAX;
        // The URIs of the new bindings, in the order the scanner pushed them: the
        // declarations' values, normalised (`xmlns:xml` binds nothing new).
        let first_new = ns.len() - pushed;
        self.uris.truncate(first_new);
        for a in attrs {
            if declared_prefix(a.qname).is_some_and(|p| p != "xml") {
                let uri = self.attribute_value(a.raw);
                self.uris.push(uri);
            }
        }
        debug_assert_eq!(self.uris.len(), ns.len());
        let (prefix, local) = split_local(self.b.text(), name);
        let ens = self.uri(ns, prefix).unwrap_or(Str::NONE);
        let parent = self.parent();
        let end = empty_end.unwrap_or(start);
        let id = self.b.push_node(
            parent,
            NodeType::Element,
            start,
            end,
            Str::input(local),
            ens,
        );
        let attr_start = self.b.attrs_len();
        let mut new_binding = first_new;
        for a in attrs {
            let (aprefix, alocal) = split_local(self.b.text(), a.name);
            match declared_prefix(a.qname) {
                Some("xml") => {}
                Some(p) => {
                    let prefix = if p.is_empty() {
                        Str::NONE
                    } else {
                        Str::input(alocal)
                    };
                    self.b.push_ns_decl(id, prefix, self.uris[new_binding]);
                    new_binding += 1;
                }
                None => {
                    let ans = match aprefix {
                        "" => Str::NONE,
                        "xml" => self.xml_ns,
                        p => self.uri(ns, p).unwrap_or(Str::NONE),
                    };
                    let value = self.attribute_value(a.raw);
                    let raw = a.raw.offset..a.raw.end();
                    let local = Str::input(alocal);
                    self.b
                        .push_attr(a.name.offset, a.name.len, raw, ans, local, value);
                }
            }
        }
        let attr_end = self.b.attrs_len();
        self.b.node_mut(id).set_attrs(attr_start, attr_end);
        if empty_end.is_none() {
            self.open.push(id);
        }
    }

    /// The end tag of the innermost open element, ending at `end`.
    fn end_tag(&mut self, end: usize) {
        self.merge = u32::MAX;
        if let Some(id) = self.open.pop() {
            self.b.node_mut(id).set_end(end);
        }
    }

    /// An attribute value as the application sees it: references replaced, each white space
    /// character a space (`\r\n` one space).
    fn attribute_value(&mut self, raw: Span) -> Str {
        let v = &self.b.text()[raw.offset..raw.end()];
        let b = v.as_bytes();
        if memchr::memchr3(b'&', b'\t', b'\n', b).is_none() && memchr::memchr(b'\r', b).is_none() {
            return Str::input(raw.offset..raw.end());
        }
        let at = self.b.arena_mut().len();
        let out = self.b.arena_mut();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'&' => {
                    let (c, end) = reference_char(v, i);
                    out.push(c);
                    i = end;
                }
                b'\r' if b.get(i + 1) == Some(&b'\n') => i += 1,
                b'\r' | b'\n' | b'\t' => {
                    out.push(' ');
                    i += 1;
                }
                _ => {
                    // Up to the next byte that needs more than copying (all ASCII, so the
                    // run ends on a character boundary).
                    let run = b[i..]
                        .iter()
                        .position(|c| matches!(c, b'&' | b'\r' | b'\n' | b'\t'))
                        .map_or(b.len(), |n| i + n);
                    out.push_str(&v[i..run]);
                    i = run;
                }
            }
        }
        self.b.owned_from(at)
    }
}

/// The prefix a namespace-declaration attribute binds (`""` for `xmlns`); `None` for other
/// attributes.
fn declared_prefix(qname: &str) -> Option<&str> {
    if qname == "xmlns" {
        Some("")
    } else {
        qname.strip_prefix("xmlns:")
    }
}

/// The prefix of the checked QName at `name` in `text` (`""` for none), and where its local
/// part is.
fn split_local(text: &str, name: Span) -> (&str, std::ops::Range<usize>) {
    let qname = &text[name.offset..name.end()];
    match qname.find(':') {
        Some(i) => (&qname[..i], name.offset + i + 1..name.end()),
        None => ("", name.offset..name.end()),
    }
}

/// The character a reference the scanner has checked (`&#…;` or a predefined entity) at `i`
/// of `s` stands for, and where the reference ends.
fn reference_char(s: &str, i: usize) -> (char, usize) {
    if s.as_bytes().get(i + 1) == Some(&b'#') {
        return match lex::char_reference(s, i) {
            Ok((c, end)) => (c, end),
            Err(_) => unreachable!("checked by the scanner"),
        };
    }
    let end = i + s[i..].find(';').expect("checked by the scanner");
    (predefined(&s[i + 1..end]), end + 1)
}

/// A text run's value: references replaced and line ends normalised, the way roxmltree
/// does it, so that both trees agree (a character produced by a reference, and the byte
/// right after it, are taken as they are).
fn text_value(raw: &str, out: &mut String) {
    let b = raw.as_bytes();
    let mut buf: Vec<u8> = std::mem::take(out).into_bytes();
    let mut as_is = false;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'&' {
            let (c, end) = reference_char(raw, i);
            let mut enc = [0u8; 4];
            buf.extend_from_slice(c.encode_utf8(&mut enc).as_bytes());
            as_is = true;
            i = end;
            continue;
        }
        let c = b[i];
        i += 1;
        if as_is {
            buf.push(c);
            as_is = false;
            continue;
        }
        let at_end = i == b.len();
        match buf.last_mut() {
            Some(last) if *last == b'\r' => {
                *last = b'\n';
                if at_end && c == b'\r' {
                    buf.push(b'\n');
                } else if c != b'\n' {
                    buf.push(c);
                }
            }
            _ if at_end && c == b'\r' => buf.push(b'\n'),
            _ => buf.push(c),
        }
    }
    // Only whole characters were copied or replaced, and `\r`/`\n` are ASCII.
    *out = String::from_utf8(buf).expect("UTF-8 in, UTF-8 out");
}

#[cfg(test)]
mod tests {
    use super::*;
    use teikit_diagnostics::LineIndex;

    /// Checks that `src` fails with `code` whose primary label starts at `line:col` and
    /// covers `text`.
    fn check(src: &str, code: &str, at: (usize, usize), text: &str) -> Diagnostic {
        let d = match check_doc(src) {
            Ok(()) => panic!("accepted: {src:?}"),
            Err(d) => d,
        };
        assert_eq!(d.code, code, "{src:?}: {}", d.message);
        let span = d.primary_span().expect("a span");
        let idx = LineIndex::new(src.as_bytes());
        assert_eq!(
            idx.line_col(src.as_bytes(), span.offset),
            at,
            "{src:?}: {}",
            d.message
        );
        assert_eq!(&src[span.offset..span.end()], text, "{}", d.message);
        d
    }

    fn check_doc(src: &str) -> Result<(), Diagnostic> {
        super::check(src, &Limits::default(), false).map(|_| ())
    }

    fn ok(src: &str) {
        if let Err(d) = check_doc(src) {
            panic!("rejected {src:?}: {} [{}]", d.message, d.code);
        }
    }

    /// Documents that fail: the code, the document, where the primary label starts
    /// (line, column) and the text it covers.
    #[rustfmt::skip]
    const FAILS: &[(&str, &str, (usize, usize), &str)] = &[
        // names and namespaces
        ("xml/undeclared-prefix", "<a>\n  <tei:p/>\n</a>", (2, 4), "tei"),
        ("xml/undeclared-prefix", "<a xlink:href='x'/>", (1, 4), "xlink"),
        ("xml/undeclared-prefix", "<a><b xmlns:p='u'/><p:c/></a>", (1, 21), "p"), // declared on a sibling only
        ("xml/namespace", "<a xmlns:p=''/>", (1, 4), "xmlns:p"),
        ("xml/namespace", "<a:b:c xmlns:a='u'/>", (1, 2), "a:b:c"),
        // characters
        ("xml/invalid-char", "<a>\n x\0</a>", (2, 3), "\0"),
        ("xml/invalid-char", "<a>&#0;</a>", (1, 4), "&#0;"),
        ("xml/invalid-char", "<a>\u{1}</a>", (1, 4), "\u{1}"),
        ("xml/unclosed-tag", "<a><b></a>\0", (1, 4), "<b"), // the earlier error wins
        // references and entities
        ("xml/undeclared-entity", "<a>&nbsp;</a>", (1, 4), "&nbsp;"),
        ("xml/bad-reference", "<a>Smith & Sons</a>", (1, 10), "&"),
        ("xml/unclosed-tag", "<!DOCTYPE a [<!ENTITY e '<b>'>]><a>&e;</a>", (1, 36), "&e;"),
        ("xml/lt-in-attribute", "<!DOCTYPE a [<!ENTITY e 'x<y'>]><a b='&e;'/>", (1, 39), "&e;"),
        // DTD declarations
        ("xml/syntax", "<!DOCTYPE a [<!ELEMENT a>]><a/>", (1, 25), ">"),
        ("xml/syntax", "<!DOCTYPE a [<!ELEMENT a (b|c,d)>]><a/>", (1, 30), ","),
        ("xml/syntax", "<!DOCTYPE a [<!ELEMENT a (#PCDATA|b)>]><a/>", (1, 37), ">"),
        ("xml/syntax", "<!DOCTYPE a [<!ATTLIST a x BOGUS #IMPLIED>]><a/>", (1, 28), "B"),
        ("xml/syntax", "<!DOCTYPE a [<!ATTLIST a x CDATA>]><a/>", (1, 33), ">"),
        ("xml/syntax", "<!DOCTYPE a [<!NOTATION n>]><a/>", (1, 26), ">"),
        ("xml/unsupported-dtd", "<!DOCTYPE a [<!ATTLIST a x CDATA \"a>b\">]><a/>", (1, 36), ">"),
        // prolog and epilog
        ("xml/missing-root", "", (1, 1), ""),
        ("xml/missing-root", "<!-- only -->", (1, 14), ""),
        ("xml/text-before-root", "hello <a/>", (1, 1), "hello"),
        ("xml/text-after-root", "<a/>\ntrailing", (2, 1), "trailing"),
        ("xml/multiple-roots", "<a/><b/>", (1, 5), "<b"),
        ("xml/unexpected-end-tag", "<a/></a>", (1, 5), "</a>"),
        ("xml/xml-declaration", "\n<?xml version='1.0'?><a/>", (2, 1), "<?xml"),
        ("xml/xml-declaration", "<?xml version='2.0'?><a/>", (1, 16), "2.0"),
        ("xml/doctype", "<a/><!DOCTYPE a>", (1, 5), "<!DOCTYPE"),
        // markup
        ("xml/syntax", "<a b=1/>", (1, 6), "1"),
        ("xml/syntax", "<a b='1'c='2'/>", (1, 9), "c"),
        ("xml/syntax", "<a><!-- x -- y --></a>", (1, 11), "--"),
        ("xml/syntax", "<a>]]></a>", (1, 4), "]]>"),
        ("xml/syntax", "<a>< b/></a>", (1, 5), " "),
        ("xml/lt-in-attribute", "<a b='x<y'/>", (1, 8), "<"),
        ("xml/unclosed-markup", "<a><![CDATA[x</a>", (1, 4), "<![CDATA["),
        ("xml/unclosed-markup", "<a\n<b/>", (1, 1), "<a"),
        ("xml/unclosed-markup", "<a><b c='1'", (1, 4), "<b"),
        ("xml/unsupported-name", "<a><xml:spacebaz/></a>", (1, 5), "xml"), // found by fuzzing
        // parameter entities
        ("xml/undeclared-entity", "<!DOCTYPE d [%e;]><d/>", (1, 14), "%e;"),
        ("xml/undeclared-entity", "<!DOCTYPE d SYSTEM 'd.dtd' [%e;]><d/>", (1, 29), "%e;"),
        ("xml/syntax", "<!DOCTYPE d [%e]><d/>", (1, 16), "]"),
    ];

    #[test]
    fn each_failure_is_reported_where_it_is() {
        for &(code, src, at, text) in FAILS {
            check(src, code, at, text);
        }
    }

    #[test]
    fn dtd_declarations_are_checked() {
        ok(
            "<!DOCTYPE a [<!ELEMENT a (#PCDATA|b)*><!ELEMENT b ((c|d)+,e?)><!ELEMENT c EMPTY>\
            <!ATTLIST a x CDATA #IMPLIED y (p|q) 'p' z NOTATION (n) #FIXED \"n\">\
            <!NOTATION n PUBLIC 'p'><!NOTATION m SYSTEM 's'>]><a/>",
        );
    }

    #[test]
    fn accepts_ordinary_documents() {
        ok("<a/>");
        ok("\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\" standalone='yes'?>\n<!-- c -->\n<a x='1' y=\"&lt;&#x41;&#65;\">t<![CDATA[<x>]]><?pi data?><b/></a>\n<!-- end -->\n");
        ok("<t:a xmlns:t='u' xmlns='v' t:x='1' x='2'><b xml:lang='de'/></t:a>");
        ok("<!DOCTYPE a [<!ELEMENT a (#PCDATA)><!ATTLIST a x CDATA 'a&#62;b'><!ENTITY e \"<b>&#169;</b>\">]><a>&e;</a>");
        ok("<!DOCTYPE a SYSTEM \"a.dtd\"><a/>");
        ok("<a xmlns:p='u'><p:b/></a>");
        ok("<?xml-model href='x.rng'?><a/>");
    }

    #[test]
    fn unclosed_at_end_of_file_points_at_start_tag() {
        let d = check("<TEI>\n  <p>text\n", "xml/unclosed-tag", (2, 3), "<p");
        assert_eq!(d.labels[1].span.offset, 16, "secondary at end of file");
    }

    #[test]
    fn unclosed_before_outer_end_tag() {
        let d = check("<TEI>\n  <p>text\n</TEI>", "xml/unclosed-tag", (2, 3), "<p");
        assert_eq!(d.labels[1].span, Span::new(16, 6));
    }

    #[test]
    fn mismatched_end_tag() {
        let d = check("<a>\n<b>x</c>\n</a>", "xml/mismatched-tag", (2, 5), "</c>");
        assert_eq!(d.labels[1].span, Span::new(4, 2));
        assert!(d.message.contains("</c>") && d.message.contains("<b>"));
    }

    #[test]
    fn duplicate_attribute_points_at_second() {
        let d = check(
            "<a n='1'\n   n='2'/>",
            "xml/duplicate-attribute",
            (2, 4),
            "n",
        );
        assert_eq!(d.labels[1].span, Span::new(3, 1));
        let src = "<a xmlns:p='u' xmlns:q='u' p:b='1' q:b='2'/>";
        check(src, "xml/duplicate-attribute", (1, 36), "q:b");
    }

    #[test]
    fn external_entities_are_refused_at_the_reference() {
        // The document, where the reference is, the reference, the declared name.
        #[rustfmt::skip]
        let cases = [
            ("<!DOCTYPE a [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<a>&xxe;</a>", (2, 4), "&xxe;", "xxe"),
            ("<!DOCTYPE a [<!ENTITY e PUBLIC 'p' 'u'>]><a x='&e;'/>", (1, 48), "&e;", "e"),
            // parameter entities
            ("<!DOCTYPE d [<!ENTITY % e SYSTEM \"file:///etc/passwd\"> %e;]><d/>", (1, 56), "%e;", "e"),
            ("<!DOCTYPE d [<!ENTITY % e PUBLIC 'p' 'u'>\n%e;]><d/>", (2, 1), "%e;", "e"),
            // the first declaration binds: an internal one after it changes nothing
            ("<!DOCTYPE d [<!ENTITY % e SYSTEM 'x'><!ENTITY % e 'y'>%e;]><d/>", (1, 55), "%e;", "e"),
        ];
        for (src, at, reference, name) in cases {
            let d = check(src, "xml/external-entity", at, reference);
            let decl = &d.labels[1];
            assert_eq!(&src[decl.span.offset..decl.span.end()], name);
            assert!(d.message.contains(reference), "{}", d.message);
            let label = decl.message.as_deref().unwrap_or("");
            assert!(label.starts_with("declared here as external"), "{label}");
        }
        // Declaring one is allowed; only a reference is refused.
        ok("<!DOCTYPE d [<!ENTITY % e SYSTEM \"file:///etc/passwd\">]><d/>");
        ok("<!DOCTYPE d [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><d/>");
    }

    #[test]
    fn internal_parameter_entity_references_are_refused_clearly() {
        // The tree builder reads no parameter-entity reference; the scanner says why.
        let src = "<!DOCTYPE d [<!ENTITY % e \"<!ENTITY x 'y'>\"> %e;]><d/>";
        let d = check(src, "xml/unsupported-dtd", (1, 46), "%e;");
        assert_eq!(d.labels[1].span, Span::new(24, 1));
    }

    #[test]
    fn entity_limits() {
        let mut src = String::from("<!DOCTYPE l [<!ENTITY l0 \"lol\">");
        for i in 1..10 {
            let p = i - 1;
            src.push_str(&format!(
                "<!ENTITY l{i} \"{}\">",
                format!("&l{p};").repeat(10)
            ));
        }
        src.push_str("]><l>&l9;</l>");
        let t = std::time::Instant::now();
        check(
            &src,
            "xml/entity-expansion-limit",
            (1, src.find("&l9;").unwrap() + 1),
            "&l9;",
        );
        assert!(t.elapsed().as_secs() < 2);
        let src = "<!DOCTYPE a [<!ENTITY a '&b;'><!ENTITY b '&a;'>]><a>&a;</a>";
        check(src, "xml/recursive-entity", (1, 53), "&a;");
    }

    #[test]
    fn markup_built_from_character_references_is_refused_clearly() {
        let src = "<!DOCTYPE a [<!ENTITY e \"<&#x61;/>\">]><a>&e;</a>";
        check(src, "xml/unsupported-entity", (1, 42), "&e;");
        // Character references in the text of an entity are fine.
        ok("<!DOCTYPE a [<!ENTITY e \"<b>caf&#233;</b>\">]><a>&e;</a>");
        let doc = crate::parse(
            "<!DOCTYPE a [<!ENTITY e \"<b>caf&#233;</b>\">]><a>&e;</a>",
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(doc.descendants().filter(|n| n.has_tag_name("b")).count(), 1);
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let n = 100_000;
        let src = format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        let d = check_doc(&src).unwrap_err();
        assert_eq!(d.code, "xml/too-deep");
        let limits = Limits {
            max_depth: n + 1,
            ..Limits::default()
        };
        assert!(super::check(&src, &limits, false).is_ok());
    }

    #[test]
    fn node_limit() {
        let limits = Limits {
            max_nodes: 3,
            ..Limits::default()
        };
        let d = super::check("<a><b/><c/><d/></a>", &limits, false).unwrap_err();
        assert_eq!(d.code, "xml/too-many-nodes");
    }

    #[test]
    fn text_end_finds_the_first_special_byte() {
        for n in [0, 1, 15, 16, 17, 40] {
            let plain = "é".repeat(n);
            assert_eq!(text_end(plain.as_bytes()), plain.len());
            for special in ["<", "&", "]"] {
                let t = format!("{plain}{special}x<");
                assert_eq!(text_end(t.as_bytes()), plain.len(), "{t:?}");
            }
        }
    }

    /// The block-skipping search finds the same first excluded character as decoding every
    /// character, wherever blocks cut the text.
    #[test]
    fn first_bad_char_agrees_with_decoding() {
        let pieces = [
            "a", "\n", "\t", "é", "€", "\u{F000}", "\u{FFFD}", "\u{FFFE}", "\u{FFFF}", "𝄞",
            "\u{1}", "\u{1F}", "\u{7F}", " ",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(seed % 90) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Excluded characters rarely, so that many texts have one late or none.
                let i = (seed % 400) as usize;
                text.push_str(match i {
                    0..=5 => pieces[7 + i % 2],
                    6..=8 => pieces[10 + i % 2],
                    _ => pieces[[0, 1, 2, 3, 4, 5, 6, 9, 12, 13][i % 10]],
                });
            }
            let naive = text.char_indices().find(|&(_, c)| !is_xml_char(c));
            assert_eq!(first_bad_char(&text), naive, "{text:?}");
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
    }
}
