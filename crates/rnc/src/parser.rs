//! Recursive-descent parser over the token vector, building the XML-syntax tree as the
//! translation in the spec's appendix A.1 describes. Operators have no precedence: mixing
//! `|`, `,`, `&` (or name-class `|` and `-`) without parentheses is an error.

use std::ops::Range;

use crate::lex::{Tok, Token};
use crate::{
    Attribute, Element, Node, ParseError, ANNOTATIONS_NS, MAX_DEPTH, MAX_ERRORS, RNG_NS, XML_NS,
    XSD_DATATYPES,
};

const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns";

const KEYWORDS: &[&str] = &[
    "attribute",
    "default",
    "datatypes",
    "div",
    "element",
    "empty",
    "external",
    "grammar",
    "include",
    "inherit",
    "list",
    "mixed",
    "namespace",
    "notAllowed",
    "parent",
    "start",
    "string",
    "text",
    "token",
];

fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// A namespace binding: a URI, or `inherit` (the namespace of the referencing schema).
#[derive(Clone, Debug, PartialEq, Eq)]
enum NsVal {
    Uri(String),
    Inherit,
}

/// The declarations of the preamble.
struct Env {
    /// Namespace prefixes, with the span of their declaration (`None`: predeclared).
    ns: Vec<(String, NsVal, Option<Range<usize>>)>,
    default: Option<(NsVal, Range<usize>)>,
    datatypes: Vec<(String, String, Option<Range<usize>>)>,
}

impl Env {
    fn new() -> Env {
        Env {
            ns: vec![("xml".into(), NsVal::Uri(XML_NS.into()), None)],
            default: None,
            datatypes: vec![("xsd".into(), XSD_DATATYPES.into(), None)],
        }
    }

    fn lookup_ns(&self, prefix: &str) -> Option<&NsVal> {
        self.ns
            .iter()
            .rev()
            .find(|(p, ..)| p == prefix)
            .map(|(_, v, _)| v)
    }

    fn lookup_default(&self) -> NsVal {
        self.default
            .as_ref()
            .map_or(NsVal::Inherit, |(v, _)| v.clone())
    }

    fn lookup_datatypes(&self, prefix: &str) -> Option<&str> {
        self.datatypes
            .iter()
            .rev()
            .find(|(p, ..)| p == prefix)
            .map(|(_, u, _)| u.as_str())
    }

    /// The namespace map of the translated elements' context.
    fn context(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (p, v, declared) in &self.ns {
            if declared.is_none() {
                continue;
            }
            if let NsVal::Uri(u) = v {
                if !u.is_empty() && p != "xml" {
                    out.push((p.clone(), u.clone()));
                }
            }
        }
        if let Some((NsVal::Uri(u), _)) = &self.default {
            if !u.is_empty() {
                out.push((String::new(), u.clone()));
            }
        }
        out
    }
}

/// Where `prefix` was declared in the schema: `None` when it was not, or only predeclared
/// (`xml`, `xsd`), which a schema may declare again.
fn declared_at<T>(
    decls: &[(String, T, Option<Range<usize>>)],
    prefix: &str,
) -> Option<Range<usize>> {
    decls
        .iter()
        .find(|(p, _, d)| p == prefix && d.is_some())
        .and_then(|(.., d)| d.clone())
}

/// Parsing of the current construct was abandoned (an error has been recorded).
struct Stop;

type R<T> = Result<T, Stop>;

/// Annotations preceding a construct: `##` documentation and `[ … ]`.
#[derive(Default)]
struct Anno {
    attrs: Vec<Attribute>,
    elems: Vec<Element>,
}

impl Anno {
    fn is_empty(&self) -> bool {
        self.attrs.is_empty() && self.elems.is_empty()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An `annotatedPrimary`.
    Primary,
    /// `p*`, `p+`, `p?`.
    Repeated,
    /// `datatype - pattern`: allowed only alone (or in parentheses).
    DataExcept,
}

struct Particle {
    els: Vec<Element>,
    kind: Kind,
    span: Range<usize>,
}

/// What an annotation element's name may be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AnnoKind {
    /// Initial, following or grammar-level annotation: not in the RELAX NG namespace.
    Foreign,
    /// Nested inside another annotation element: any name.
    Nested,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NcKind {
    Name,
    NsName,
    AnyName,
}

pub(crate) fn parse_tokens(toks: Vec<Token>, len: usize) -> Result<Element, Vec<ParseError>> {
    let mut p = Parser {
        toks,
        i: 0,
        errors: Vec::new(),
        env: Env::new(),
        depth: 0,
        fatal: false,
        recoveries: 0,
    };
    let root = p.top();
    match root {
        Some(root) if p.errors.is_empty() => Ok(root),
        _ => {
            if p.errors.is_empty() {
                p.errors
                    .push(ParseError::new("the schema could not be parsed", 0..len));
            }
            Err(p.errors)
        }
    }
}

struct Parser {
    toks: Vec<Token>,
    i: usize,
    errors: Vec<ParseError>,
    env: Env,
    depth: usize,
    /// Stop everything (too many errors, or nesting too deep).
    fatal: bool,
    /// Recoveries after a failed grammar member so far.
    recoveries: usize,
}

fn rng(local: &str, span: Range<usize>) -> Element {
    Element {
        ns: RNG_NS.into(),
        local: local.into(),
        attributes: Vec::new(),
        children: Vec::new(),
        ns_context: Vec::new(),
        span,
    }
}

fn attr(local: &str, value: impl Into<String>, span: Range<usize>) -> Attribute {
    Attribute {
        ns: String::new(),
        local: local.into(),
        value: value.into(),
        span,
    }
}

fn elements(els: Vec<Element>) -> Vec<Node> {
    els.into_iter().map(Node::Element).collect()
}

/// `applyAnnotations`: attributes go on the element, annotation elements become its first
/// children, except for elements that cannot have element children (`value`, `param`,
/// `name`), after which they follow (spec section 5.1).
fn apply_annotations(anno: Anno, mut el: Element) -> Vec<Element> {
    if anno.is_empty() {
        return vec![el];
    }
    el.attributes.extend(anno.attrs);
    if el.ns == RNG_NS && matches!(el.local.as_str(), "value" | "param" | "name") {
        let mut out = vec![el];
        out.extend(anno.elems);
        return out;
    }
    let mut children = elements(anno.elems);
    children.append(&mut el.children);
    el.children = children;
    vec![el]
}

/// `applyAnnotationsGroup` / `applyAnnotationsChoice`.
fn apply_annotations_wrapped(
    anno: Anno,
    els: Vec<Element>,
    wrapper: &str,
    span: Range<usize>,
) -> Vec<Element> {
    if anno.is_empty() {
        return els;
    }
    let mut w = rng(wrapper, span);
    w.children = elements(els);
    apply_annotations(anno, w)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("\"{s}\""),
        Tok::QIdent(s) => format!("\"\\{s}\""),
        Tok::CName(p, l) => format!("\"{p}:{l}\""),
        Tok::NsName(p) => format!("\"{p}:*\""),
        Tok::Lit(s) => {
            let short: String = s.chars().take(30).collect();
            if short.len() < s.len() {
                format!("the literal \"{short}…\"")
            } else {
                format!("the literal \"{short}\"")
            }
        }
        Tok::Doc(_) => "a documentation comment (##)".into(),
        Tok::P(p) => format!("\"{p}\""),
        Tok::Eof => "the end of the schema".into(),
    }
}

impl Parser {
    // ----- token access -------------------------------------------------------------------

    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, k: usize) -> &Tok {
        let j = (self.i + k).min(self.toks.len() - 1);
        &self.toks[j].tok
    }

    fn is_p(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::P(q) if *q == p)
    }

    fn is_p_at(&self, k: usize, p: &str) -> bool {
        matches!(self.peek_at(k), Tok::P(q) if *q == p)
    }

    fn span(&self) -> Range<usize> {
        self.toks[self.i.min(self.toks.len() - 1)].span.clone()
    }

    fn prev_end(&self) -> usize {
        if self.i == 0 {
            0
        } else {
            self.toks[self.i - 1].span.end
        }
    }

    fn bump(&mut self) -> Token {
        let t = self.toks[self.i.min(self.toks.len() - 1)].clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    // ----- errors ---------------------------------------------------------------------------

    /// Records an error that does not stop parsing.
    fn report(&mut self, e: ParseError) {
        if self
            .errors
            .iter()
            .any(|o| o.span == e.span && o.message == e.message)
        {
            return;
        }
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(e);
        }
        if self.errors.len() >= MAX_ERRORS {
            self.fatal = true;
        }
    }

    /// Records a syntax error and abandons the current construct.
    fn fail<T>(&mut self, e: ParseError) -> R<T> {
        self.report(e);
        Err(Stop)
    }

    fn unexpected<T>(&mut self, expected: &str) -> R<T> {
        let msg = format!("expected {expected}, found {}", describe(self.peek()));
        let span = self.span();
        self.fail(ParseError::new(msg, span))
    }

    fn expect(&mut self, p: &'static str, expected: &str) -> R<Range<usize>> {
        if self.is_p(p) {
            Ok(self.bump().span)
        } else {
            self.unexpected(expected)
        }
    }

    fn expect_close(&mut self, p: &'static str, open: Range<usize>, what: &str) -> R<Range<usize>> {
        if self.is_p(p) {
            return Ok(self.bump().span);
        }
        self.close_fail(p, open, what)
    }

    fn close_fail<T>(&mut self, p: &'static str, open: Range<usize>, what: &str) -> R<T> {
        let msg = format!(
            "expected \"{p}\" to close the {what} started here, found {}",
            describe(self.peek())
        );
        let span = self.span();
        let open_text = match p {
            "}" => "{",
            ")" => "(",
            _ => "[",
        };
        self.fail(
            ParseError::new(msg, span).with_note(open, format!("\"{open_text}\" opened here")),
        )
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.span();
            self.report(ParseError::new(
                format!("the schema is nested too deeply (more than {MAX_DEPTH} levels)"),
                span,
            ));
            self.fatal = true;
            self.depth -= 1;
            return Err(Stop);
        }
        Ok(())
    }

    // ----- top level --------------------------------------------------------------------------

    fn top(&mut self) -> Option<Element> {
        if self.preamble().is_err() {
            return None;
        }
        let ns_context = self.env.context();
        let mut root = if self.looks_like_grammar() {
            // The implicit grammar has no text of its own: an empty span where its body
            // starts (a whole-file span would make a useless multi-line label).
            let body = self.span().start;
            let children = self.grammar_body(false, true);
            let mut g = rng("grammar", body..body);
            g.children = elements(children);
            g
        } else {
            let start = self.span().start;
            let els = self.pattern().ok()?;
            if !matches!(self.peek(), Tok::Eof) {
                let msg = format!(
                    "unexpected {} after a complete pattern: combine patterns with \",\", \"&\" or \"|\"",
                    describe(self.peek())
                );
                let span = self.span();
                self.report(ParseError::new(msg, span));
                return None;
            }
            if els.len() != 1 {
                let end = self.prev_end();
                self.report(ParseError::new(
                    "a schema that is a single pattern must translate to a single element, but annotation elements follow it here (>> or annotations of a value); write it as `start = …` in a grammar",
                    start..end,
                ));
                return None;
            }
            els.into_iter().next()?
        };
        root.ns_context = ns_context;
        Some(root)
    }

    fn preamble(&mut self) -> R<()> {
        loop {
            match self.peek().clone() {
                Tok::Ident(k) if k == "namespace" => {
                    let kw = self.bump().span;
                    let (prefix, psp) = self.identifier_or_keyword("a namespace prefix")?;
                    self.expect("=", "\"=\" after the namespace prefix")?;
                    let (val, vsp) = self.namespace_uri_literal()?;
                    self.declare_ns(prefix, psp, val, vsp, kw);
                }
                Tok::Ident(k) if k == "default" => {
                    let kw = self.bump().span;
                    match self.peek() {
                        Tok::Ident(n) if n == "namespace" => {
                            self.bump();
                        }
                        _ => return self.unexpected("\"namespace\" after \"default\""),
                    }
                    let prefix = if self.is_p("=") {
                        None
                    } else {
                        Some(self.identifier_or_keyword("a namespace prefix or \"=\"")?)
                    };
                    self.expect("=", "\"=\" in the default namespace declaration")?;
                    let (val, vsp) = self.namespace_uri_literal()?;
                    let decl_span = kw.start..vsp.end;
                    if let Some((prefix, psp)) = prefix {
                        self.declare_ns(prefix, psp, val.clone(), vsp.clone(), kw.clone());
                    } else if val == NsVal::Uri(XML_NS.into()) {
                        self.report(ParseError::new(
                            "the XML namespace cannot be the default namespace",
                            vsp.clone(),
                        ));
                    }
                    if let Some((_, earlier)) = &self.env.default {
                        let earlier = earlier.clone();
                        self.report_declared_twice("the default namespace", decl_span, earlier);
                    } else {
                        self.env.default = Some((val, decl_span));
                    }
                }
                Tok::Ident(k) if k == "datatypes" => {
                    let kw = self.bump().span;
                    let (prefix, psp) = self.identifier_or_keyword("a datatypes prefix")?;
                    self.expect("=", "\"=\" after the datatypes prefix")?;
                    let (uri, usp) = self.literal()?;
                    if prefix == "xsd" && uri != XSD_DATATYPES {
                        self.report(ParseError::new(
                            format!("the prefix \"xsd\" is reserved for {XSD_DATATYPES}"),
                            usp.clone(),
                        ));
                    }
                    if let Some(why) = bad_datatype_library(&uri) {
                        self.report(ParseError::new(
                            format!("\"{uri}\" is not a valid datatype library URI: {why}"),
                            usp.clone(),
                        ));
                    }
                    if let Some(earlier) = declared_at(&self.env.datatypes, &prefix) {
                        let what = format!("the datatypes prefix \"{prefix}\"");
                        self.report_declared_twice(&what, psp, earlier);
                    } else {
                        self.env
                            .datatypes
                            .push((prefix, uri, Some(kw.start..usp.end)));
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Reports a second declaration of `what` at `span`, with a note at the first one.
    fn report_declared_twice(&mut self, what: &str, span: Range<usize>, earlier: Range<usize>) {
        self.report(
            ParseError::new(format!("{what} is declared twice"), span)
                .with_note(earlier, "first declared here"),
        );
    }

    fn declare_ns(
        &mut self,
        prefix: String,
        psp: Range<usize>,
        val: NsVal,
        vsp: Range<usize>,
        kw: Range<usize>,
    ) {
        if prefix == "xmlns" {
            self.report(ParseError::new(
                "the prefix \"xmlns\" cannot be declared",
                psp.clone(),
            ));
            return;
        }
        let is_xml_uri = val == NsVal::Uri(XML_NS.into());
        if prefix == "xml" && !is_xml_uri {
            self.report(ParseError::new(
                format!("the prefix \"xml\" can only be bound to {XML_NS}"),
                vsp.clone(),
            ));
        } else if prefix != "xml" && is_xml_uri {
            self.report(ParseError::new(
                format!("{XML_NS} can only be bound to the prefix \"xml\""),
                psp.clone(),
            ));
        }
        if let Some(earlier) = declared_at(&self.env.ns, &prefix) {
            let what = format!("the namespace prefix \"{prefix}\"");
            self.report_declared_twice(&what, psp, earlier);
            return;
        }
        self.env.ns.push((prefix, val, Some(kw.start..vsp.end)));
    }

    fn namespace_uri_literal(&mut self) -> R<(NsVal, Range<usize>)> {
        match self.peek() {
            Tok::Ident(k) if k == "inherit" => Ok((NsVal::Inherit, self.bump().span)),
            Tok::Lit(_) => {
                let (v, sp) = self.literal()?;
                Ok((NsVal::Uri(v), sp))
            }
            _ => self.unexpected("a namespace URI literal or \"inherit\""),
        }
    }

    /// Whether the body is a grammar (rather than a single pattern): looks past
    /// documentation and one bracketed annotation.
    fn looks_like_grammar(&self) -> bool {
        let mut j = self.i;
        let tok = |j: usize| &self.toks[j.min(self.toks.len() - 1)].tok;
        while matches!(tok(j), Tok::Doc(_)) {
            j += 1;
        }
        if matches!(tok(j), Tok::P("[")) {
            let mut level = 0usize;
            loop {
                match tok(j) {
                    Tok::P("[") => level += 1,
                    Tok::P("]") => {
                        level -= 1;
                        if level == 0 {
                            j += 1;
                            break;
                        }
                    }
                    Tok::Eof => break,
                    _ => {}
                }
                j += 1;
            }
        }
        let next_is = |ps: &[&str]| matches!(tok(j + 1), Tok::P(p) if ps.contains(p));
        match tok(j) {
            Tok::Eof => true,
            Tok::Ident(k) if k == "start" || k == "div" || k == "include" => true,
            Tok::Ident(_) | Tok::QIdent(_) => next_is(&["=", "|=", "&=", "["]),
            Tok::CName(..) => next_is(&["["]),
            _ => false,
        }
    }

    /// `grammarContent*` (or `includeContent*`), up to `}` or the end.
    fn grammar_body(&mut self, in_include: bool, top: bool) -> Vec<Element> {
        let mut out = Vec::new();
        loop {
            if self.fatal {
                break;
            }
            match self.peek() {
                Tok::Eof => break,
                Tok::P("}") if !top => break,
                Tok::P("}") => {
                    let span = self.span();
                    self.report(ParseError::new(
                        "unmatched \"}\": there is no \"{\" for it to close",
                        span,
                    ));
                    self.bump();
                    continue;
                }
                _ => {}
            }
            let start = self.i;
            match self.member(in_include) {
                Ok(els) => out.extend(els),
                Err(Stop) => {
                    if self.fatal {
                        break;
                    }
                    self.recover(start);
                }
            }
        }
        out
    }

    /// After an error in the grammar member that started at token `start`, skips to what
    /// looks like the beginning of the next member (or the `}` closing the grammar).
    fn recover(&mut self, start: usize) {
        // Each recovery scans ahead, and a member that fails again on an error already
        // reported adds no error: bound the number of recoveries to keep parsing linear.
        self.recoveries += 1;
        if self.recoveries > 4 * MAX_ERRORS {
            self.fatal = true;
            return;
        }
        let mut j = start + 1;
        let mut level = 0usize;
        let last = self.toks.len() - 1;
        while j < last {
            let t = &self.toks[j];
            let next = &self.toks[(j + 1).min(last)].tok;
            let assign = matches!(next, Tok::P("=" | "|=" | "&="));
            let member_start = match &t.tok {
                Tok::Ident(k) if k == "start" => assign,
                Tok::Ident(k) if k == "div" => matches!(next, Tok::P("{")),
                Tok::Ident(k) if k == "include" => matches!(next, Tok::Lit(_)),
                Tok::Ident(k) if is_keyword(k) => false,
                Tok::Ident(_) | Tok::QIdent(_) => assign || matches!(next, Tok::P("[")),
                Tok::CName(..) => matches!(next, Tok::P("[")),
                Tok::Doc(_) => true,
                _ => false,
            };
            if level == 0 && member_start {
                break;
            }
            if level > 0
                && t.line_start
                && member_start
                && !matches!(t.tok, Tok::Doc(_))
                && !matches!(self.toks[(j + 2).min(last)].tok, Tok::Lit(_))
            {
                break;
            }
            match &t.tok {
                Tok::P("{" | "(" | "[") => level += 1,
                Tok::P("}" | ")" | "]") => {
                    if level == 0 {
                        if matches!(t.tok, Tok::P("}")) {
                            break;
                        }
                    } else {
                        level -= 1;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        self.i = j.min(last);
    }

    fn member(&mut self, in_include: bool) -> R<Vec<Element>> {
        let named_bracket = self.is_p_at(1, "[");
        match self.peek() {
            Tok::Ident(k) if named_bracket && !is_keyword(k) => {
                return Ok(vec![self.annotation_element(AnnoKind::Foreign)?]);
            }
            Tok::QIdent(_) | Tok::CName(..) if named_bracket => {
                return Ok(vec![self.annotation_element(AnnoKind::Foreign)?]);
            }
            Tok::Ident(k) if named_bracket => {
                let msg = format!(
                    "the keyword \"{k}\" must be quoted as \\{k} to name an annotation element here"
                );
                let span = self.span();
                return self.fail(ParseError::new(msg, span));
            }
            _ => {}
        }
        let anno = self.annotations()?;
        let start = self.span();
        let el = match self.peek().clone() {
            Tok::Ident(k) if k == "start" => {
                self.bump();
                let combine = self.assign_op("start")?;
                let body = self.pattern()?;
                let mut el = rng("start", start.start..self.prev_end());
                el.attributes.extend(combine);
                el.children = elements(body);
                el
            }
            Tok::Ident(k) if k == "div" => {
                self.bump();
                let open = self.expect("{", "\"{\" after \"div\"")?;
                self.enter()?;
                let body = self.grammar_body(in_include, false);
                self.depth -= 1;
                if self.fatal {
                    return Err(Stop);
                }
                let close = self.expect_close("}", open, "div")?;
                let mut el = rng("div", start.start..close.end);
                el.children = elements(body);
                el
            }
            Tok::Ident(k) if k == "include" => {
                if in_include {
                    return self.fail(ParseError::new(
                        "an include cannot contain another include",
                        start,
                    ));
                }
                self.include()?
            }
            Tok::Ident(name) | Tok::QIdent(name)
                if !is_keyword(&name) || matches!(self.peek(), Tok::QIdent(_)) =>
            {
                self.bump();
                let combine = self.assign_op(&name)?;
                let body = self.pattern()?;
                let mut el = rng("define", start.start..self.prev_end());
                el.attributes.push(attr("name", name, start.clone()));
                el.attributes.extend(combine);
                el.children = elements(body);
                el
            }
            Tok::Ident(k) if matches!(self.peek_at(1), Tok::P("=" | "|=" | "&=")) => {
                let msg =
                    format!("the keyword \"{k}\" must be quoted as \\{k} to name a definition");
                return self.fail(ParseError::new(msg, start));
            }
            Tok::Doc(_) if !anno.is_empty() => {
                return self.fail(ParseError::new(
                    "documentation comments (##) must come before annotations in brackets",
                    start,
                ));
            }
            _ => {
                let what = if in_include {
                    "a definition (name = pattern), \"start\", \"div\" or an annotation element"
                } else {
                    "a definition (name = pattern), \"start\", \"div\", \"include\" or an annotation element"
                };
                return self.unexpected(what);
            }
        };
        Ok(apply_annotations(anno, el))
    }

    fn assign_op(&mut self, name: &str) -> R<Option<Attribute>> {
        let sp = self.span();
        match self.peek() {
            Tok::P("=") => {
                self.bump();
                Ok(None)
            }
            Tok::P("|=") => {
                self.bump();
                Ok(Some(attr("combine", "choice", sp)))
            }
            Tok::P("&=") => {
                self.bump();
                Ok(Some(attr("combine", "interleave", sp)))
            }
            _ => {
                let msg = format!(
                    "expected \"=\", \"|=\" or \"&=\" after \"{name}\", found {}",
                    describe(self.peek())
                );
                let mut e = ParseError::new(msg, sp);
                // `start = elment foo { … }`: the misspelt keyword ended the previous
                // definition as a reference, and `foo` looks like a new definition.
                let name_tok = self.i.checked_sub(1).map(|k| &self.toks[k]);
                let prev = self.i.checked_sub(2).map(|k| &self.toks[k]);
                if name_tok.is_some_and(|n| !n.line_start) {
                    let hint = match prev {
                        Some(Token {
                            tok: Tok::Ident(word),
                            span,
                            ..
                        }) => similar_keyword(word).map(|kw| (span.clone(), kw)),
                        _ => None,
                    };
                    if let Some((span, kw)) = hint {
                        e = e.with_note(span, format!("did you mean the keyword \"{kw}\"?"));
                    } else {
                        e.message.push_str(
                            " (the previous definition ended before it: is an operator such as \",\" or \"|\" missing?)",
                        );
                    }
                }
                self.fail(e)
            }
        }
    }

    fn include(&mut self) -> R<Element> {
        let kw = self.bump().span;
        let (href, hsp) = self.uri_literal()?;
        let mut el = rng("include", kw.start..hsp.end);
        el.attributes.push(attr("href", href, hsp));
        el.attributes.extend(self.opt_inherit(kw.clone())?);
        if self.is_p("{") {
            let open = self.bump().span;
            self.enter()?;
            let body = self.grammar_body(true, false);
            self.depth -= 1;
            if self.fatal {
                return Err(Stop);
            }
            let close = self.expect_close("}", open, "include")?;
            el.children = elements(body);
            el.span.end = close.end;
        } else {
            el.span.end = self.prev_end();
        }
        Ok(el)
    }

    fn uri_literal(&mut self) -> R<(String, Range<usize>)> {
        if !matches!(self.peek(), Tok::Lit(_)) {
            return self.unexpected("a URI literal");
        }
        let (href, sp) = self.literal()?;
        if href.contains('#') {
            self.report(ParseError::new(
                "the URI of an included or external schema cannot have a fragment identifier (#…)",
                sp.clone(),
            ));
        }
        Ok((href, sp))
    }

    /// `[inherit = prefix]` of `include` / `external`, as an `ns` attribute.
    fn opt_inherit(&mut self, kw: Range<usize>) -> R<Option<Attribute>> {
        let (val, span) = if matches!(self.peek(), Tok::Ident(k) if k == "inherit") {
            let ksp = self.bump().span;
            self.expect("=", "\"=\" after \"inherit\"")?;
            let (prefix, psp) = self.identifier_or_keyword("a namespace prefix")?;
            match self.env.lookup_ns(&prefix).cloned() {
                Some(v) => (v, ksp.start..psp.end),
                None => {
                    self.report(undeclared_ns(&prefix, psp));
                    return Ok(None);
                }
            }
        } else {
            (self.env.lookup_default(), kw)
        };
        Ok(match val {
            NsVal::Uri(u) => Some(attr("ns", u, span)),
            NsVal::Inherit => None,
        })
    }

    // ----- patterns ---------------------------------------------------------------------------

    fn pattern(&mut self) -> R<Vec<Element>> {
        self.inner_pattern(Anno::default())
    }

    fn inner_pattern(&mut self, anno: Anno) -> R<Vec<Element>> {
        self.enter()?;
        let r = self.inner_pattern_(anno);
        self.depth -= 1;
        r
    }

    fn inner_pattern_(&mut self, anno: Anno) -> R<Vec<Element>> {
        let first = self.particle()?;
        let op = match self.peek() {
            Tok::P(p @ ("|" | "," | "&")) => *p,
            _ => return Ok(annotate_particle(anno, first)),
        };
        if first.kind == Kind::DataExcept {
            return self.fail(except_needs_parens(first.span, op));
        }
        let start = first.span.start;
        let mut els = first.els;
        while self.is_p(op) {
            self.bump();
            let p = self.particle()?;
            if p.kind == Kind::DataExcept {
                return self.fail(except_needs_parens(p.span, op));
            }
            els.extend(p.els);
        }
        if let Tok::P(other @ ("|" | "," | "&")) = self.peek() {
            let msg = format!(
                "\"{op}\" and \"{other}\" cannot be mixed without parentheses: write (a {op} b) {other} c or a {op} (b {other} c)"
            );
            let span = self.span();
            return self.fail(ParseError::new(msg, span));
        }
        let local = match op {
            "|" => "choice",
            "," => "group",
            _ => "interleave",
        };
        let mut w = rng(local, start..self.prev_end());
        w.children = elements(els);
        Ok(apply_annotations(anno, w))
    }

    fn particle(&mut self) -> R<Particle> {
        let start = self.span().start;
        let (mut els, is_except) = self.lead_annotated_primary(true)?;
        els.extend(self.follow_annotations()?);
        if is_except {
            if let Tok::P(op @ ("*" | "+" | "?")) = self.peek() {
                let msg = format!(
                    "a pattern with an except (\"-\") cannot be repeated directly: write (p - q){op}"
                );
                let span = self.span();
                return self.fail(ParseError::new(msg, span));
            }
            return Ok(Particle {
                els,
                kind: Kind::DataExcept,
                span: start..self.prev_end(),
            });
        }
        let local = match self.peek() {
            Tok::P("*") => "zeroOrMore",
            Tok::P("+") => "oneOrMore",
            Tok::P("?") => "optional",
            _ => {
                return Ok(Particle {
                    els,
                    kind: Kind::Primary,
                    span: start..self.prev_end(),
                })
            }
        };
        self.bump();
        let mut w = rng(local, start..self.prev_end());
        w.children = elements(els);
        let mut out = vec![w];
        out.extend(self.follow_annotations()?);
        if let Tok::P(op @ ("*" | "+" | "?")) = self.peek() {
            let msg = format!(
                "a repeated pattern cannot be repeated again directly: add parentheses, as in (p?){op}"
            );
            let span = self.span();
            return self.fail(ParseError::new(msg, span));
        }
        Ok(Particle {
            els: out,
            kind: Kind::Repeated,
            span: start..self.prev_end(),
        })
    }

    /// `leadAnnotatedPrimary`, or `leadAnnotatedDataExcept` when `allow_except`; the flag
    /// says which was found.
    fn lead_annotated_primary(&mut self, allow_except: bool) -> R<(Vec<Element>, bool)> {
        let anno = self.annotations()?;
        if self.is_p("(") {
            let open = self.bump().span;
            let els = self.inner_pattern(anno)?;
            self.expect_close(")", open, "parenthesis")?;
            return Ok((els, false));
        }
        if matches!(self.peek(), Tok::Doc(_)) && !anno.is_empty() {
            let span = self.span();
            return self.fail(ParseError::new(
                "documentation comments (##) must come before annotations in brackets",
                span,
            ));
        }
        let (mut el, is_data) = self.primary()?;
        if is_data && allow_except && self.is_p("-") {
            let minus = self.bump().span;
            let (ex, _) = self.lead_annotated_primary(false)?;
            self.add_except(&mut el, minus, ex);
            return Ok((apply_annotations(anno, el), true));
        }
        Ok((apply_annotations(anno, el), false))
    }

    /// Gives `el` (a `data` pattern or a name class) the `except` child that follows the `-`
    /// at `minus`, made of `ex`; both end where the last token read ends.
    fn add_except(&self, el: &mut Element, minus: Range<usize>, ex: Vec<Element>) {
        let mut except = rng("except", minus.start..self.prev_end());
        except.children = elements(ex);
        el.children.push(Node::Element(except));
        el.span.end = self.prev_end();
    }

    /// A `primary`, and whether it is a `data` pattern (which may take an except).
    fn primary(&mut self) -> R<(Element, bool)> {
        let sp = self.span();
        match self.peek().clone() {
            Tok::Ident(k) if is_keyword(&k) => match k.as_str() {
                "element" | "attribute" => {
                    self.bump();
                    let nc = self.name_class(k == "element")?;
                    let open = self.expect(
                        "{",
                        &format!("\"{{\" after the name of the {k} (name classes combine with \"|\" and \"-\")"),
                    )?;
                    let body = self.pattern()?;
                    let close = self.expect_close("}", open, &k)?;
                    let mut el = rng(&k, sp.start..close.end);
                    el.children = elements(nc);
                    el.children.extend(elements(body));
                    Ok((el, false))
                }
                "mixed" | "list" => {
                    self.bump();
                    let open = self.expect("{", &format!("\"{{\" after \"{k}\""))?;
                    let body = self.pattern()?;
                    let close = self.expect_close("}", open, &k)?;
                    let mut el = rng(&k, sp.start..close.end);
                    el.children = elements(body);
                    Ok((el, false))
                }
                "empty" | "notAllowed" | "text" => {
                    self.bump();
                    Ok((rng(&k, sp), false))
                }
                "parent" => {
                    self.bump();
                    let (name, nsp) =
                        self.identifier("the name of a definition after \"parent\"")?;
                    let mut el = rng("parentRef", sp.start..nsp.end);
                    el.attributes.push(attr("name", name, nsp));
                    Ok((el, false))
                }
                "grammar" => {
                    self.bump();
                    let open = self.expect("{", "\"{\" after \"grammar\"")?;
                    let body = self.grammar_body(false, false);
                    if self.fatal {
                        return Err(Stop);
                    }
                    let close = self.expect_close("}", open, "grammar")?;
                    let mut el = rng("grammar", sp.start..close.end);
                    el.children = elements(body);
                    Ok((el, false))
                }
                "external" => {
                    self.bump();
                    let (href, hsp) = self.uri_literal()?;
                    let mut el = rng("externalRef", sp.start..hsp.end);
                    el.attributes.push(attr("href", href, hsp));
                    el.attributes.extend(self.opt_inherit(sp.clone())?);
                    el.span.end = self.prev_end();
                    Ok((el, false))
                }
                "string" | "token" => {
                    self.bump();
                    self.datatype(String::new(), k, sp)
                }
                _ => {
                    let msg = format!(
                        "the keyword \"{k}\" cannot start a pattern; write \\{k} to refer to a definition named {k}"
                    );
                    self.fail(ParseError::new(msg, sp))
                }
            },
            Tok::Ident(name) | Tok::QIdent(name) => {
                self.bump();
                let mut el = rng("ref", sp.clone());
                el.attributes.push(attr("name", name, sp));
                Ok((el, false))
            }
            Tok::CName(prefix, local) => {
                self.bump();
                let lib = match self.env.lookup_datatypes(&prefix) {
                    Some(u) => u.to_string(),
                    None => {
                        let mut e = ParseError::new(
                            format!(
                                "undeclared datatypes prefix \"{prefix}\": declare it with `datatypes {prefix} = \"…\"`"
                            ),
                            sp.clone(),
                        );
                        if self.env.lookup_ns(&prefix).is_some() {
                            e.message.push_str(
                                " (namespace prefixes name elements and attributes, not datatypes)",
                            );
                        }
                        self.report(e);
                        String::new()
                    }
                };
                self.datatype(lib, local, sp)
            }
            Tok::Lit(_) => {
                let (v, vsp) = self.literal()?;
                let mut el = rng("value", vsp.clone());
                el.attributes.extend(self.value_ns(&vsp));
                if !v.is_empty() {
                    el.children.push(Node::Text(v, vsp));
                }
                Ok((el, false))
            }
            Tok::NsName(_) | Tok::P("*") => self.fail(ParseError::new(
                "a name class can only follow \"element\" or \"attribute\"",
                sp,
            )),
            Tok::Doc(_) => self.fail(ParseError::new(
                "a documentation comment (##) is not allowed here; use # for an ordinary comment",
                sp,
            )),
            _ => self.unexpected("a pattern"),
        }
    }

    fn datatype(&mut self, lib: String, ty: String, sp: Range<usize>) -> R<(Element, bool)> {
        let attrs = vec![
            attr("datatypeLibrary", lib, sp.clone()),
            attr("type", ty, sp.clone()),
        ];
        if let Tok::Lit(_) = self.peek() {
            let (v, vsp) = self.literal()?;
            let mut el = rng("value", sp.start..vsp.end);
            el.attributes = attrs;
            el.attributes.extend(self.value_ns(&vsp));
            if !v.is_empty() {
                el.children.push(Node::Text(v, vsp));
            }
            return Ok((el, false));
        }
        let mut el = rng("data", sp.clone());
        el.attributes = attrs;
        if self.is_p("{") {
            let open = self.bump().span;
            loop {
                if self.is_p("}") {
                    break;
                }
                let anno = self.annotations()?;
                let (name, nsp) = match self.peek() {
                    Tok::Ident(_) | Tok::QIdent(_) => {
                        self.identifier_or_keyword("a parameter name")?
                    }
                    Tok::Eof | Tok::P(_) if anno.is_empty() => {
                        return self.close_fail("}", open, "parameter list")
                    }
                    _ => self.identifier_or_keyword("a parameter name")?,
                };
                self.expect("=", &format!("\"=\" after the parameter name \"{name}\""))?;
                let (v, vsp) = self.literal()?;
                let mut p = rng("param", nsp.start..vsp.end);
                p.attributes.push(attr("name", name, nsp));
                if !v.is_empty() {
                    p.children.push(Node::Text(v, vsp));
                }
                el.children.extend(elements(apply_annotations(anno, p)));
            }
            let close = self.bump().span;
            el.span.end = close.end;
        }
        Ok((el, true))
    }

    /// The `ns` of a `value`: the declared default namespace, as jing gives it, so that an
    /// unprefixed QName value resolves there (the spec's translation leaves the value's
    /// context to the loader; with `inherit` nothing is added and the including schema's
    /// namespace applies).
    fn value_ns(&self, span: &Range<usize>) -> Option<Attribute> {
        match self.env.lookup_default() {
            NsVal::Uri(u) => Some(attr("ns", u, span.clone())),
            NsVal::Inherit => None,
        }
    }

    // ----- name classes -------------------------------------------------------------------

    fn name_class(&mut self, is_elem: bool) -> R<Vec<Element>> {
        self.inner_name_class(is_elem, Anno::default())
    }

    fn inner_name_class(&mut self, is_elem: bool, anno: Anno) -> R<Vec<Element>> {
        self.enter()?;
        let r = self.inner_name_class_(is_elem, anno);
        self.depth -= 1;
        r
    }

    fn inner_name_class_(&mut self, is_elem: bool, anno: Anno) -> R<Vec<Element>> {
        let start = self.span().start;
        let (first, first_except) = self.annotated_name_class(is_elem, true)?;
        if !self.is_p("|") {
            return Ok(apply_annotations_wrapped(
                anno,
                first,
                "choice",
                start..self.prev_end(),
            ));
        }
        if first_except {
            let span = start..self.prev_end();
            return self.fail(ParseError::new(
                "a name class with an except (\"-\") must be in parentheses when combined with \"|\"",
                span,
            ));
        }
        let mut els = first;
        while self.is_p("|") {
            self.bump();
            let s = self.span().start;
            let (x, exc) = self.annotated_name_class(is_elem, true)?;
            if exc {
                let span = s..self.prev_end();
                return self.fail(ParseError::new(
                    "a name class with an except (\"-\") must be in parentheses when combined with \"|\"",
                    span,
                ));
            }
            els.extend(x);
        }
        let mut w = rng("choice", start..self.prev_end());
        w.children = elements(els);
        Ok(apply_annotations(anno, w))
    }

    /// `annotatedSimpleNameClass` or (when `allow_except`) `annotatedExceptNameClass`,
    /// follow annotations included; the flag says whether an except was found.
    fn annotated_name_class(
        &mut self,
        is_elem: bool,
        allow_except: bool,
    ) -> R<(Vec<Element>, bool)> {
        let (mut els, exc) = self.lead_annotated_name_class(is_elem, allow_except)?;
        els.extend(self.follow_annotations()?);
        Ok((els, exc))
    }

    fn lead_annotated_name_class(
        &mut self,
        is_elem: bool,
        allow_except: bool,
    ) -> R<(Vec<Element>, bool)> {
        let anno = self.annotations()?;
        if self.is_p("(") {
            let open = self.bump().span;
            let els = self.inner_name_class(is_elem, anno)?;
            self.expect_close(")", open, "parenthesis")?;
            return Ok((els, false));
        }
        let (mut el, kind) = self.simple_name_class(is_elem)?;
        if kind != NcKind::Name && allow_except && self.is_p("-") {
            let minus = self.bump().span;
            let (ex, _) = self.lead_annotated_name_class(is_elem, false)?;
            // RELAX NG 4.16 (checked here too, as jing's compact parser does, to point at
            // the offending name class): `* - …` may not contain `*`; `p:* - …` may
            // contain neither `*` nor `q:*`.
            let forbidden: &[&str] = if kind == NcKind::AnyName {
                &["anyName"]
            } else {
                &["anyName", "nsName"]
            };
            if let Some(bad) = ex.iter().find_map(|e| find_rng(e, forbidden)) {
                let what = if bad.local == "anyName" {
                    "\"*\""
                } else {
                    "\"prefix:*\""
                };
                let outer = if kind == NcKind::AnyName {
                    "\"*\""
                } else {
                    "\"prefix:*\""
                };
                self.report(
                    ParseError::new(
                        format!("{what} cannot be excepted from {outer} (RELAX NG section 4.16): it would leave nothing to match"),
                        bad.span.clone(),
                    )
                    .with_note(el.span.clone(), "the name class it is excepted from"),
                );
            }
            self.add_except(&mut el, minus, ex);
            return Ok((apply_annotations(anno, el), true));
        }
        Ok((apply_annotations(anno, el), false))
    }

    fn simple_name_class(&mut self, is_elem: bool) -> R<(Element, NcKind)> {
        let sp = self.span();
        match self.peek().clone() {
            Tok::Ident(local) | Tok::QIdent(local) => {
                self.bump();
                let ns = if is_elem {
                    self.env.lookup_default()
                } else {
                    NsVal::Uri(String::new())
                };
                let mut el = rng("name", sp.clone());
                if let NsVal::Uri(u) = ns {
                    el.attributes.push(attr("ns", u, sp.clone()));
                }
                el.children.push(Node::Text(local, sp));
                Ok((el, NcKind::Name))
            }
            Tok::CName(prefix, local) => {
                self.bump();
                let mut el = rng("name", sp.clone());
                match self.env.lookup_ns(&prefix).cloned() {
                    Some(NsVal::Uri(u)) => el.attributes.push(attr("ns", u, sp.clone())),
                    Some(NsVal::Inherit) => {}
                    None => self.report(undeclared_ns(&prefix, sp.clone())),
                }
                el.children.push(Node::Text(local, sp));
                Ok((el, NcKind::Name))
            }
            Tok::NsName(prefix) => {
                self.bump();
                let mut el = rng("nsName", sp.clone());
                match self.env.lookup_ns(&prefix).cloned() {
                    Some(NsVal::Uri(u)) => el.attributes.push(attr("ns", u, sp)),
                    Some(NsVal::Inherit) => {}
                    None => self.report(undeclared_ns(&prefix, sp)),
                }
                Ok((el, NcKind::NsName))
            }
            Tok::P("*") => {
                self.bump();
                Ok((rng("anyName", sp), NcKind::AnyName))
            }
            Tok::Doc(_) => self.fail(ParseError::new(
                "a documentation comment (##) is not allowed here; use # for an ordinary comment",
                sp,
            )),
            _ => self.unexpected("a name, \"prefix:*\", \"*\" or \"(\""),
        }
    }

    // ----- annotations ------------------------------------------------------------------------

    /// `annotations`: documentation comments, then an optional `[ … ]`.
    fn annotations(&mut self) -> R<Anno> {
        let mut anno = Anno::default();
        while let Tok::Doc(text) = self.peek().clone() {
            let sp = self.bump().span;
            let mut doc = Element {
                ns: ANNOTATIONS_NS.into(),
                local: "documentation".into(),
                attributes: Vec::new(),
                children: Vec::new(),
                ns_context: Vec::new(),
                span: sp.clone(),
            };
            if !text.is_empty() {
                doc.children.push(Node::Text(text, sp));
            }
            anno.elems.push(doc);
        }
        if !self.is_p("[") {
            return Ok(anno);
        }
        let open = self.bump().span;
        self.enter()?;
        let r = self.annotation_body(&mut anno, open);
        self.depth -= 1;
        r?;
        Ok(anno)
    }

    fn annotation_body(&mut self, anno: &mut Anno, open: Range<usize>) -> R<()> {
        while self.is_name() && self.is_p_at(1, "=") {
            let a = self.annotation_attribute(true)?;
            self.push_attr(&mut anno.attrs, a);
        }
        loop {
            if self.is_p("]") {
                break;
            }
            if self.is_name() && self.is_p_at(1, "[") {
                let el = self.annotation_element(AnnoKind::Foreign)?;
                anno.elems.push(el);
                continue;
            }
            if matches!(self.peek(), Tok::Eof) {
                return self.close_fail("]", open, "annotation");
            }
            if self.is_name() && self.is_p_at(1, "=") {
                let span = self.span();
                return self.fail(ParseError::new(
                    "annotation attributes must come before annotation elements",
                    span,
                ));
            }
            return self.unexpected(
                "an annotation attribute (prefix:name = \"value\"), an annotation element (name [ … ]) or \"]\"",
            );
        }
        self.bump();
        Ok(())
    }

    fn is_name(&self) -> bool {
        matches!(self.peek(), Tok::Ident(_) | Tok::QIdent(_) | Tok::CName(..))
    }

    fn push_attr(&mut self, attrs: &mut Vec<Attribute>, a: Attribute) {
        if let Some(earlier) = attrs.iter().find(|b| b.ns == a.ns && b.local == a.local) {
            let earlier = earlier.span.clone();
            self.report(
                ParseError::new(
                    format!("duplicate annotation attribute \"{}\"", a.local),
                    a.span,
                )
                .with_note(earlier, "first given here"),
            );
            return;
        }
        attrs.push(a);
    }

    /// `name = literal` inside brackets; `on_rng` for attributes that land on a RELAX NG
    /// element (these need a namespace other than RELAX NG's).
    fn annotation_attribute(&mut self, on_rng: bool) -> R<Attribute> {
        if !self.is_name() {
            return self.unexpected("an attribute name");
        }
        let t = self.bump();
        let (ns, local) = match t.tok {
            Tok::Ident(l) | Tok::QIdent(l) => {
                if on_rng {
                    self.report(ParseError::new(
                        format!("an annotation attribute on a RELAX NG element needs a namespace prefix (prefix:{l})"),
                        t.span.clone(),
                    ));
                } else if l == "xmlns" {
                    self.report(ParseError::new(
                        "an annotation attribute cannot be named \"xmlns\"",
                        t.span.clone(),
                    ));
                }
                (String::new(), l)
            }
            Tok::CName(prefix, l) => {
                let ns = self.resolve_annotation_prefix(&prefix, t.span.clone());
                if ns == XMLNS_NS {
                    self.report(ParseError::new(
                        "an annotation attribute cannot be in the xmlns namespace",
                        t.span.clone(),
                    ));
                } else if on_rng && ns.is_empty() && self.env.lookup_ns(&prefix).is_some() {
                    self.report(ParseError::new(
                        format!("the prefix \"{prefix}\" is bound to the empty namespace, but an annotation attribute on a RELAX NG element needs a namespace"),
                        t.span.clone(),
                    ));
                } else if on_rng && ns == RNG_NS {
                    self.report(ParseError::new(
                        "an annotation attribute on a RELAX NG element cannot be in the RELAX NG namespace",
                        t.span.clone(),
                    ));
                }
                (ns, l)
            }
            _ => (String::new(), String::new()),
        };
        self.expect("=", "\"=\" after the attribute name")?;
        let (value, vsp) = self.literal()?;
        Ok(Attribute {
            ns,
            local,
            value,
            span: t.span.start..vsp.end,
        })
    }

    fn resolve_annotation_prefix(&mut self, prefix: &str, span: Range<usize>) -> String {
        match self.env.lookup_ns(prefix).cloned() {
            Some(NsVal::Uri(u)) => u,
            Some(NsVal::Inherit) => {
                self.report(ParseError::new(
                    format!(
                        "the prefix \"{prefix}\" is bound to inherit, which annotations cannot use"
                    ),
                    span,
                ));
                String::new()
            }
            None => {
                self.report(undeclared_ns(prefix, span));
                String::new()
            }
        }
    }

    /// `name [ attributes content ]`.
    fn annotation_element(&mut self, kind: AnnoKind) -> R<Element> {
        self.enter()?;
        let r = self.annotation_element_(kind);
        self.depth -= 1;
        r
    }

    fn annotation_element_(&mut self, kind: AnnoKind) -> R<Element> {
        if !self.is_name() {
            return self.unexpected("the name of an annotation element");
        }
        let t = self.bump();
        let (ns, local) = match t.tok {
            Tok::Ident(l) | Tok::QIdent(l) => (String::new(), l),
            Tok::CName(prefix, l) => {
                let ns = self.resolve_annotation_prefix(&prefix, t.span.clone());
                if kind == AnnoKind::Foreign && ns == RNG_NS {
                    self.report(ParseError::new(
                        "an annotation element here cannot be in the RELAX NG namespace",
                        t.span.clone(),
                    ));
                }
                (ns, l)
            }
            _ => (String::new(), String::new()),
        };
        let open = self.expect("[", "\"[\" after the annotation element name")?;
        let mut el = Element {
            ns,
            local,
            attributes: Vec::new(),
            children: Vec::new(),
            ns_context: Vec::new(),
            span: t.span.clone(),
        };
        while self.is_name() && self.is_p_at(1, "=") {
            let a = self.annotation_attribute(false)?;
            let mut attrs = std::mem::take(&mut el.attributes);
            self.push_attr(&mut attrs, a);
            el.attributes = attrs;
        }
        loop {
            match self.peek() {
                Tok::P("]") => break,
                Tok::Lit(_) => {
                    let (v, vsp) = self.literal()?;
                    if v.is_empty() {
                        continue;
                    }
                    if let Some(Node::Text(prev, psp)) = el.children.last_mut() {
                        prev.push_str(&v);
                        psp.end = vsp.end;
                    } else {
                        el.children.push(Node::Text(v, vsp));
                    }
                }
                _ if self.is_name() && self.is_p_at(1, "[") => {
                    let child = self.annotation_element(AnnoKind::Nested)?;
                    el.children.push(Node::Element(child));
                }
                _ if self.is_name() && self.is_p_at(1, "=") => {
                    let span = self.span();
                    return self.fail(ParseError::new(
                        "annotation attributes must come before the content (elements and literals) of the annotation element",
                        span,
                    ));
                }
                Tok::Eof => {
                    return self.close_fail("]", open, "annotation element");
                }
                _ => {
                    return self.unexpected(
                        "an annotation element (name [ … ]), a literal or \"]\" in the annotation element",
                    )
                }
            }
        }
        let close = self.bump().span;
        el.span.end = close.end;
        Ok(el)
    }

    fn follow_annotations(&mut self) -> R<Vec<Element>> {
        let mut out = Vec::new();
        while self.is_p(">>") {
            self.bump();
            if !(self.is_name() && self.is_p_at(1, "[")) {
                return self.unexpected("an annotation element (name [ … ]) after \">>\"");
            }
            out.push(self.annotation_element(AnnoKind::Foreign)?);
        }
        Ok(out)
    }

    // ----- names and literals -------------------------------------------------------------

    fn identifier(&mut self, what: &str) -> R<(String, Range<usize>)> {
        match self.peek().clone() {
            Tok::Ident(k) if is_keyword(&k) => {
                let span = self.span();
                self.fail(ParseError::new(
                    format!("expected {what}, found the keyword \"{k}\" (write \\{k} to use it as a name)"),
                    span,
                ))
            }
            Tok::Ident(s) | Tok::QIdent(s) => Ok((s, self.bump().span)),
            _ => self.unexpected(what),
        }
    }

    fn identifier_or_keyword(&mut self, what: &str) -> R<(String, Range<usize>)> {
        match self.peek().clone() {
            Tok::Ident(s) | Tok::QIdent(s) => Ok((s, self.bump().span)),
            _ => self.unexpected(what),
        }
    }

    /// `literal`: segments joined by `~`.
    fn literal(&mut self) -> R<(String, Range<usize>)> {
        let (mut value, mut span) = match self.peek().clone() {
            Tok::Lit(s) => (s, self.bump().span),
            _ => return self.unexpected("a literal"),
        };
        while self.is_p("~") {
            self.bump();
            match self.peek().clone() {
                Tok::Lit(s) => {
                    value.push_str(&s);
                    span.end = self.bump().span.end;
                }
                _ => return self.unexpected("a literal after \"~\""),
            }
        }
        Ok((value, span))
    }
}

/// The first RELAX NG element named one of `locals` in `e` or below it.
fn find_rng<'e>(e: &'e Element, locals: &[&str]) -> Option<&'e Element> {
    if e.ns == RNG_NS && locals.contains(&e.local.as_str()) {
        return Some(e);
    }
    e.elements().find_map(|c| find_rng(c, locals))
}

/// `innerParticle(anno)`: a repeated primary takes the annotations itself; otherwise they go
/// on a `group` around the particle.
fn annotate_particle(anno: Anno, p: Particle) -> Vec<Element> {
    if anno.is_empty() {
        return p.els;
    }
    match p.kind {
        Kind::Repeated => {
            let mut it = p.els.into_iter();
            let mut out = match it.next() {
                Some(first) => apply_annotations(anno, first),
                None => Vec::new(),
            };
            out.extend(it);
            out
        }
        Kind::Primary | Kind::DataExcept => apply_annotations_wrapped(anno, p.els, "group", p.span),
    }
}

/// A keyword that `word` is probably a misspelling of (one edit or one transposition away).
fn similar_keyword(word: &str) -> Option<&'static str> {
    if word.len() < 4 || is_keyword(word) {
        return None;
    }
    KEYWORDS
        .iter()
        .copied()
        .find(|kw| kw.len() >= 4 && within_one_edit(word, kw))
}

fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    let suffix = ra
        .iter()
        .rev()
        .zip(rb.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (
        ra.len() - suffix.min(ra.len()),
        rb.len() - suffix.min(rb.len()),
    );
    match (ma, mb) {
        (0, 1) | (1, 0) | (1, 1) => true,
        (2, 2) => ra[0] == rb[1] && ra[1] == rb[0],
        _ => false,
    }
}

fn except_needs_parens(span: Range<usize>, op: &str) -> ParseError {
    ParseError::new(
        format!(
            "a pattern with an except (\"-\") must be in parentheses when combined with \"{op}\""
        ),
        span,
    )
}

fn undeclared_ns(prefix: &str, span: Range<usize>) -> ParseError {
    ParseError::new(
        format!("undeclared namespace prefix \"{prefix}\": declare it with `namespace {prefix} = \"…\"`"),
        span,
    )
}

/// Why `uri` cannot be a `datatypeLibrary` (RELAX NG section 3: empty, or an absolute URI
/// without a fragment identifier).
fn bad_datatype_library(uri: &str) -> Option<&'static str> {
    if uri.is_empty() {
        return None;
    }
    if uri.contains('#') {
        return Some("it has a fragment identifier");
    }
    let Some(scheme_end) = uri.find(':') else {
        return Some("it is not an absolute URI");
    };
    let scheme = &uri[..scheme_end];
    let ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !ok || uri.chars().any(|c| c.is_whitespace()) {
        return Some("it is not an absolute URI");
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::{parse, ParseError};

    /// Parses `rnc` and compares the XML serialisation with `expected` (whitespace at line
    /// starts ignored).
    fn check(rnc: &str, expected: &str) {
        let tree = parse(rnc).unwrap_or_else(|e| panic!("{rnc:?}: {e:?}"));
        let strip = |s: &str| s.lines().map(str::trim).collect::<Vec<_>>().join("\n");
        assert_eq!(strip(&tree.to_xml()), strip(expected), "for {rnc:?}");
    }

    fn errors(rnc: &str) -> Vec<ParseError> {
        match parse(rnc) {
            Ok(t) => panic!("{rnc:?} was accepted: {}", t.to_xml()),
            Err(e) => e,
        }
    }

    fn check_error(rnc: &str, message_part: &str, at: &str) {
        let e = errors(rnc);
        assert!(
            e[0].message.contains(message_part),
            "{rnc:?}: {:?} does not mention {message_part:?}",
            e[0].message
        );
        assert_eq!(&rnc[e[0].span.clone()], at, "{rnc:?}: {:?}", e[0]);
    }

    #[test]
    fn element_with_default_namespace() {
        check(
            "default namespace = \"urn:d\"\nelement foo { attribute bar { text }, empty }",
            r#"<element xmlns="http://relaxng.org/ns/structure/1.0">
            <name ns="urn:d">foo</name>
            <group>
            <attribute>
            <name ns="">bar</name>
            <text/>
            </attribute>
            <empty/>
            </group>
            </element>"#,
        );
    }

    #[test]
    fn inherited_namespace_has_no_ns_attribute() {
        check(
            "element foo { empty }",
            r#"<element xmlns="http://relaxng.org/ns/structure/1.0">
            <name>foo</name>
            <empty/>
            </element>"#,
        );
        check(
            "namespace x = inherit\nelement x:foo { empty }",
            r#"<element xmlns="http://relaxng.org/ns/structure/1.0">
            <name>foo</name>
            <empty/>
            </element>"#,
        );
    }

    #[test]
    fn grammar_with_combine_include_div_and_annotations() {
        check(
            r#"namespace eg = "urn:eg"
## doc
[ eg:a = "1" ] x |= element x { empty }
eg:note [ "n" ]
div { start &= x* >> eg:after [] }
include "other.rnc" inherit = eg { start = notAllowed }"#,
            r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0" xmlns:eg="urn:eg">
            <define name="x" combine="choice" eg:a="1">
            <ns1:documentation xmlns:ns1="http://relaxng.org/ns/compatibility/annotations/1.0">doc</ns1:documentation>
            <element>
            <name>x</name>
            <empty/>
            </element>
            </define>
            <eg:note>n</eg:note>
            <div>
            <start combine="interleave">
            <zeroOrMore>
            <ref name="x"/>
            </zeroOrMore>
            <eg:after/>
            </start>
            </div>
            <include href="other.rnc" ns="urn:eg">
            <start>
            <notAllowed/>
            </start>
            </include>
            </grammar>"#,
        );
    }

    #[test]
    fn datatypes_params_values_and_except() {
        check(
            r#"datatypes d = "urn:dt"
element v { d:int { minInclusive = "1" [ x [] ] maxInclusive = "9" } | xsd:token "a" ~ 'b' | "c" | (string - ("x" | "y")) }"#,
            r#"<element xmlns="http://relaxng.org/ns/structure/1.0">
            <name>v</name>
            <choice>
            <data datatypeLibrary="urn:dt" type="int">
            <param name="minInclusive">1</param>
            <param name="maxInclusive">9</param>
            <x xmlns=""/>
            </data>
            <value datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes" type="token">ab</value>
            <value>c</value>
            <data datatypeLibrary="" type="string">
            <except>
            <choice>
            <value>x</value>
            <value>y</value>
            </choice>
            </except>
            </data>
            </choice>
            </element>"#,
        );
    }

    #[test]
    fn values_take_the_default_namespace() {
        check(
            "default namespace = \"urn:d\"\nelement a { xsd:QName \"x\" | \"y\" }",
            r#"<element xmlns="http://relaxng.org/ns/structure/1.0">
            <name ns="urn:d">a</name>
            <choice>
            <value datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes" type="QName" ns="urn:d">x</value>
            <value ns="urn:d">y</value>
            </choice>
            </element>"#,
        );
    }

    #[test]
    fn annotation_on_param_follows_it() {
        let t = parse("xsd:int { [ x [] ] minInclusive = \"1\" }").unwrap();
        let kids: Vec<_> = t.elements().map(|e| e.local.as_str()).collect();
        assert_eq!(kids, ["param", "x"]);
    }

    #[test]
    fn name_classes() {
        check(
            "namespace a = \"urn:a\"\nelement (a:* - (a:x | a:y)) | (* - a:*) | b { empty }",
            r#"<element xmlns="http://relaxng.org/ns/structure/1.0" xmlns:a="urn:a">
            <choice>
            <nsName ns="urn:a">
            <except>
            <choice>
            <name ns="urn:a">x</name>
            <name ns="urn:a">y</name>
            </choice>
            </except>
            </nsName>
            <anyName>
            <except>
            <nsName ns="urn:a"/>
            </except>
            </anyName>
            <name>b</name>
            </choice>
            <empty/>
            </element>"#,
        );
        check_error(
            "element * - a | b { empty }",
            "must be in parentheses",
            "* - a",
        );
    }

    #[test]
    fn keywords_quoted_and_as_names() {
        check(
            "\\element = element element { attribute attribute { empty } }\nstart = \\element",
            r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0">
            <define name="element">
            <element>
            <name>element</name>
            <attribute>
            <name ns="">attribute</name>
            <empty/>
            </attribute>
            </element>
            </define>
            <start>
            <ref name="element"/>
            </start>
            </grammar>"#,
        );
    }

    #[test]
    fn repetition_annotations_and_groups() {
        check(
            "element foo { [a:b = \"c\"] (x, y)? , [a:b = \"d\"] (z*) }"
                .replace("element", "namespace a = \"urn:a\"\nelement")
                .as_str(),
            r#"<element xmlns="http://relaxng.org/ns/structure/1.0" xmlns:a="urn:a">
            <name>foo</name>
            <group>
            <optional>
            <group a:b="c">
            <ref name="x"/>
            <ref name="y"/>
            </group>
            </optional>
            <zeroOrMore a:b="d">
            <ref name="z"/>
            </zeroOrMore>
            </group>
            </element>"#,
        );
    }

    #[test]
    fn top_level_ns_context() {
        let t = parse("namespace a = \"urn:a\"\nnamespace e = \"\"\ndefault namespace d = \"urn:d\"\nnamespace i = inherit\nelement x { empty }").unwrap();
        assert_eq!(
            t.ns_context,
            [
                ("a".to_string(), "urn:a".to_string()),
                ("d".to_string(), "urn:d".to_string()),
                (String::new(), "urn:d".to_string())
            ]
        );
    }

    #[test]
    fn spans_point_into_the_text() {
        let src = "start = element foo { attribute bar { xsd:int } }";
        let t = parse(src).unwrap();
        let start = t.elements().next().unwrap();
        assert_eq!(&src[start.span.clone()], src);
        let el = start.elements().next().unwrap();
        assert_eq!(&src[el.span.clone()], &src[8..]);
        let name = el.elements().next().unwrap();
        assert_eq!(&src[name.span.clone()], "foo");
        let attr = el.elements().nth(1).unwrap();
        assert_eq!(&src[attr.span.clone()], "attribute bar { xsd:int }");
        let data = attr.elements().nth(1).unwrap();
        assert_eq!(&src[data.span.clone()], "xsd:int");
        assert_eq!(&src[data.attributes[1].span.clone()], "xsd:int");
    }

    #[test]
    fn syntax_errors_have_spans_and_notes() {
        let src = "element foo { empty";
        let e = errors(src);
        assert!(
            e[0].message.contains("expected \"}\" to close the element"),
            "{e:?}"
        );
        assert_eq!(&src[e[0].notes[0].0.clone()], "{");
        for (rnc, message, at) in [
            ("element foo { a | b, c }", "cannot be mixed", ","),
            ("element * - foo - bar { empty }", "expected \"{\"", "-"),
            ("string - \"foo\"*", "cannot be repeated", "*"),
            (
                "string - \"foo\" | string - \"bar\"",
                "parentheses",
                "string - \"foo\"",
            ),
            ("string - string - \"foo\"", "after a complete pattern", "-"),
            ("element foo { x:y }", "undeclared datatypes prefix", "x:y"),
            (
                "element x:foo { empty }",
                "undeclared namespace prefix",
                "x:foo",
            ),
            (
                "element foo { empty } >> x[]",
                "single element",
                "element foo { empty } >> x[]",
            ),
            ("[x[]]\n\"value\"", "single element", "[x[]]\n\"value\""),
            ("element foo { empty } }", "after a complete pattern", "}"),
            ("start = element foo { empty }}", "unmatched", "}"),
            ("element foo { \"x\ny\" }", "cannot span lines", "\"x"),
            ("element foo { p* * }", "repeated again", "*"),
            ("start = element", "expected a name", ""),
        ] {
            check_error(rnc, message, at);
        }
    }

    #[test]
    fn declaration_constraints() {
        for (rnc, message, at) in [
            (
                "namespace xmlns = \"urn:x\"\nelement foo { empty }",
                "xmlns",
                "xmlns",
            ),
            (
                "namespace xml = \"urn:x\"\nelement foo { empty }",
                "xml",
                "\"urn:x\"",
            ),
            (
                "namespace xm = \"http://www.w3.org/XML/1998/namespace\"\nelement foo { empty }",
                "only be bound",
                "xm",
            ),
            (
                "namespace a = \"urn:a\"\nnamespace a = \"urn:b\"\nelement foo { empty }",
                "declared twice",
                "a",
            ),
            (
                "datatypes xsd = \"urn:x\"\nelement foo { empty }",
                "reserved",
                "\"urn:x\"",
            ),
            (
                "datatypes d = \"relative\"\nelement foo { empty }",
                "not a valid datatype library",
                "\"relative\"",
            ),
            (
                "default namespace = \"a\"\ndefault namespace = \"b\"\nelement foo { empty }",
                "twice",
                "default namespace = \"b\"",
            ),
        ] {
            check_error(rnc, message, at);
        }
        assert!(parse(
            "namespace xml = \"http://www.w3.org/XML/1998/namespace\"\nelement foo { empty }"
        )
        .is_ok());
    }

    #[test]
    fn except_name_class_constraints() {
        for (rnc, message, at) in [
            ("element * - * { empty }", "cannot be excepted", "*"),
            ("element * - (a | *) { empty }", "cannot be excepted", "*"),
            (
                "namespace e = \"urn:e\"\nelement e:* - (e:x | e:*) { empty }",
                "cannot be excepted",
                "e:*",
            ),
            (
                "namespace e = \"urn:e\"\nelement e:* - * { empty }",
                "cannot be excepted",
                "*",
            ),
        ] {
            check_error(rnc, message, at);
        }
        assert!(parse("namespace e = \"urn:e\"\nelement * - (e:* - e:x) { empty }").is_ok());
    }

    #[test]
    fn annotation_constraints() {
        for (rnc, message, at) in [
            ("namespace eg = \"urn:eg\"\n[ eg:x = \"1\" eg:x = \"2\" ] element foo { empty }", "duplicate", "eg:x = \"2\""),
            ("[ x = \"1\" ] element foo { empty }", "needs a namespace prefix", "x"),
            ("namespace r = \"http://relaxng.org/ns/structure/1.0\"\n[ r:x = \"1\" ] element foo { empty }", "RELAX NG namespace", "r:x"),
            ("namespace r = \"http://relaxng.org/ns/structure/1.0\"\n[ r:x [] ] element foo { empty }", "RELAX NG namespace", "r:x"),
            ("namespace x = \"http://www.w3.org/2000/xmlns\"\n[ x:y = \"1\" ] element foo { empty }", "xmlns", "x:y"),
            ("foo [ xmlns = \"bar\" ]\nstart = element foo { empty }", "xmlns", "xmlns"),
            ("namespace i = inherit\n[ i:y = \"1\" ] element foo { empty }", "inherit", "i:y"),
            ("namespace a = \"urn:a\"\n[ a:y [ \"x\" ] ## doc\n] element foo { empty }", "expected an annotation", "## doc"),
        ] {
            check_error(rnc, message, at);
        }
        assert!(parse("namespace r = \"http://relaxng.org/ns/structure/1.0\"\n[ foo [ r:x = \"v\" r:y [ \"z\" ] ] ] element foo { empty }").is_ok());
    }

    #[test]
    fn annotation_attributes_come_first() {
        for (rnc, message, at) in [
            (
                "namespace a = \"urn:a\"\n[ a:x [] a:y = \"1\" ] element foo { empty }",
                "must come before",
                "a:y",
            ),
            (
                "namespace a = \"urn:a\"\n[ a:x [ \"t\" b = \"1\" ] ] element foo { empty }",
                "must come before",
                "b",
            ),
        ] {
            check_error(rnc, message, at);
        }
    }

    #[test]
    fn error_recovery_reports_several_definitions() {
        let src = "a = element a { b c }\nb = element b { empty \nc = element c { empty }\nd = (x | y, z)\n";
        let e = errors(src);
        assert_eq!(e.len(), 3, "{e:?}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for (open, close) in [
            ("(", ")"),
            ("element a { ", " }"),
            ("list { ", " }"),
            ("grammar { start = ", " }"),
        ] {
            let src = format!("{}empty{}", open.repeat(5000), close.repeat(5000));
            let e = errors(&src);
            assert!(
                e.iter().any(|e| e.message.contains("nested too deeply")),
                "{open}: {e:?}"
            );
        }
        let src = format!(
            "element {}a{} {{ empty }}",
            "(".repeat(5000),
            ")".repeat(5000)
        );
        let e = errors(&src);
        assert!(
            e.iter().any(|e| e.message.contains("nested too deeply")),
            "{e:?}"
        );
        let src = format!(
            "[ {}{} ] element x {{ empty }}",
            "a [ ".repeat(5000),
            "]".repeat(5000)
        );
        let e = errors(&src);
        assert!(
            e.iter().any(|e| e.message.contains("nested too deeply")),
            "{e:?}"
        );
        let ok = format!("{}empty{}", "(".repeat(50), ")".repeat(50));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn misspelt_keyword_is_suggested() {
        let e = errors("start = elment foo { text }");
        assert_eq!(e[0].notes[0].1, "did you mean the keyword \"element\"?");
        let e = errors("start = element foo { text } bar");
        assert!(e[0].message.contains("is an operator"), "{e:?}");
        assert!(super::within_one_edit("atribute", "attribute"));
        assert!(super::within_one_edit("elemnet", "element"));
        assert!(!super::within_one_edit("foo", "element"));
    }

    #[test]
    fn documentation_in_wrong_place() {
        for (rnc, message, at) in [
            (
                "element foo { empty ## x\n}",
                "to close the element",
                "## x",
            ),
            (
                "namespace a = \"urn:a\"\n[a:b=\"c\"] ## doc\nelement foo { empty }",
                "must come before",
                "## doc",
            ),
        ] {
            check_error(rnc, message, at);
        }
    }
}
