//! The XInclude processor: walks a parsed file, copies its text to the output and replaces
//! each `xi:include` by what it includes, recursively.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use roxmltree::{Document, Node};
use teikit_diagnostics::{Diagnostic, Span};
use teikit_xml::unqualified_attribute;

use crate::map::SourceMap;
use crate::{is_xi, Expanded, IncludedFile, Options, XINCLUDE_NS};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const BASE_NOTE: &str = "xml:base was added by XInclude processing (the included element comes from another file); the schema must allow xml:base where documents include others";
const LANG_NOTE: &str = "xml:lang was added by XInclude processing (the included element's language differs from where it is included)";
const NS_NOTE: &str = "a namespace declaration was added by XInclude processing";

/// The in-scope properties of the element that becomes the parent of included content.
#[derive(Clone, Debug)]
struct Scope {
    /// In-scope namespaces (prefix `None` = default), `xml` excluded.
    ns: Vec<(Option<String>, String)>,
    /// In-scope `xml:lang` (`None` or empty: none).
    lang: Option<String>,
}

impl Scope {
    fn of(node: Option<Node<'_, '_>>) -> Scope {
        let Some(node) = node.filter(|n| n.is_element()) else {
            return Scope {
                ns: Vec::new(),
                lang: None,
            };
        };
        Scope {
            ns: node
                .namespaces()
                .filter(|n| n.name() != Some("xml"))
                .map(|n| (n.name().map(String::from), n.uri().to_string()))
                .collect(),
            lang: lang_of(node),
        }
    }

    fn lookup(&self, prefix: Option<&str>) -> Option<&str> {
        self.ns
            .iter()
            .rev()
            .find(|(p, _)| p.as_deref() == prefix)
            .map(|(_, u)| u.as_str())
    }
}

fn lang_of(node: Node<'_, '_>) -> Option<String> {
    node.ancestors()
        .find_map(|a| a.attribute((XML_NS, "lang")))
        .map(String::from)
}

/// One include being processed: the file it is in and its range there.
struct Frame {
    file: usize,
    range: std::ops::Range<usize>,
}

/// A start tag, tokenised: enough to insert attributes and know which are declared.
struct StartTag {
    name_end: usize,
    end: usize,
    self_closing: bool,
    attrs: Vec<String>,
}

fn start_tag(text: &str, start: usize) -> StartTag {
    let b = text.as_bytes();
    let mut i = start + 1;
    while i < b.len() && !matches!(b[i], b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>') {
        i += 1;
    }
    let name_end = i;
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        if i >= b.len() {
            return StartTag {
                name_end,
                end: b.len(),
                self_closing: false,
                attrs,
            };
        }
        if b[i] == b'>' {
            return StartTag {
                name_end,
                end: i + 1,
                self_closing: false,
                attrs,
            };
        }
        if b[i] == b'/' {
            return StartTag {
                name_end,
                end: (i + 2).min(b.len()),
                self_closing: true,
                attrs,
            };
        }
        let n0 = i;
        while i < b.len() && !matches!(b[i], b'=' | b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        attrs.push(text[n0..i].to_string());
        while i < b.len() && b[i] != b'"' && b[i] != b'\'' {
            i += 1;
        }
        if i >= b.len() {
            return StartTag {
                name_end,
                end: b.len(),
                self_closing: false,
                attrs,
            };
        }
        let q = b[i];
        i += 1;
        while i < b.len() && b[i] != q {
            i += 1;
        }
        i += 1;
    }
}

type Loaded = (PathBuf, Rc<str>, Option<(usize, Span)>);

/// Where an href resolves to.
enum Target {
    Local(PathBuf),
    Remote(String),
}

struct Processor<'o> {
    options: &'o Options,
    /// Path, decoded text, and where first included.
    files: Vec<Loaded>,
    by_path: HashMap<PathBuf, usize>,
    out: String,
    map: SourceMap,
    diagnostics: Vec<(usize, Diagnostic)>,
    stack: Vec<Frame>,
    includes: usize,
    limit_reported: bool,
}

pub(crate) fn run(path: &Path, text: &str, doc: &Document<'_>, options: &Options) -> Expanded {
    let mut p = Processor {
        options,
        files: vec![(path.to_path_buf(), Rc::from(text), None)],
        by_path: HashMap::new(),
        out: String::with_capacity(text.len()),
        map: SourceMap::new(),
        diagnostics: Vec::new(),
        stack: Vec::new(),
        includes: 0,
        limit_reported: false,
    };
    if let Ok(c) = std::fs::canonicalize(path) {
        p.by_path.insert(c, 0);
    }
    let root = doc.root();
    if let Some(top) = root.children().find(|n| n.is_element()) {
        if is_xi(top, "include") {
            // The document element itself is an include: it must yield exactly one element.
            p.copy(0, text, 0..top.range().start);
            let before = p.out.len();
            p.include(0, text, top, &Scope::of(None));
            let produced = &p.out[before..];
            let trimmed = produced.trim();
            if !trimmed.starts_with('<') {
                let span = tag_span(text, top);
                p.diagnostics.push((
                    0,
                    Diagnostic::error(
                        "xinclude/not-element",
                        "the document element is an xi:include that does not yield an element",
                    )
                    .with_label(span, "this include"),
                ));
            }
            p.walk(0, text, root, top.range().end..text.len(), top.range().end);
        } else {
            p.walk(0, text, root, 0..text.len(), 0);
        }
    } else {
        p.copy(0, text, 0..text.len());
    }
    Expanded {
        text: p.out,
        files: p
            .files
            .into_iter()
            .map(|(path, text, included_at)| IncludedFile {
                path,
                text: text.to_string(),
                included_at,
            })
            .collect(),
        map: p.map,
        diagnostics: p.diagnostics,
    }
}

fn tag_span(text: &str, node: Node<'_, '_>) -> Span {
    let r = node.range();
    let st = start_tag(text, r.start);
    Span::new(r.start, st.end.min(r.end) - r.start)
}

fn escape_attr(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '"' => s.push_str("&quot;"),
            '\t' => s.push_str("&#9;"),
            '\n' => s.push_str("&#10;"),
            '\r' => s.push_str("&#13;"),
            c => s.push(c),
        }
    }
    s
}

impl Processor<'_> {
    fn copy(&mut self, file: usize, text: &str, range: std::ops::Range<usize>) {
        if range.start >= range.end {
            return;
        }
        self.out.push_str(&text[range.clone()]);
        self.map
            .push_copy(file, range.start, range.end - range.start);
    }

    fn generate(&mut self, s: &str, file: usize, span: Span, note: Option<&'static str>) {
        self.out.push_str(s);
        self.map.push_generated(s.len(), file, span, note);
    }

    fn error(
        &self,
        _file: usize,
        code: &str,
        message: String,
        span: Span,
        label: &str,
    ) -> Diagnostic {
        Diagnostic::error(code.to_string(), message).with_label(span, label)
    }

    fn push(&mut self, file: usize, d: Diagnostic) {
        self.diagnostics.push((file, d));
    }

    /// Copies `range` of `file` (inside `node`), replacing the `xi:include` elements among
    /// the descendants of `node` that start at or after `from`.
    fn walk(
        &mut self,
        file: usize,
        text: &str,
        node: Node<'_, '_>,
        range: std::ops::Range<usize>,
        from: usize,
    ) {
        let mut cursor = range.start;
        let mut skip_until = from;
        for d in node.descendants() {
            if !d.is_element() || d == node {
                continue;
            }
            let r = d.range();
            if r.start < skip_until || r.start < range.start || r.end > range.end {
                continue;
            }
            if is_xi(d, "include") {
                self.copy(file, text, cursor..r.start);
                let scope = Scope::of(d.parent());
                self.include(file, text, d, &scope);
                cursor = r.end;
                skip_until = r.end;
            } else if is_xi(d, "fallback") {
                let span = tag_span(text, d);
                let e = self.error(
                    file,
                    "xinclude/bad-fallback",
                    "xi:fallback outside an xi:include".into(),
                    span,
                    "this fallback",
                );
                self.push(
                    file,
                    e.with_help("xi:fallback must be a child of xi:include"),
                );
            }
        }
        self.copy(file, text, cursor..range.end);
    }

    fn limit(&mut self, file: usize, span: Span, what: String) {
        if !self.limit_reported {
            self.limit_reported = true;
            let e = self.error(file, "xinclude/limit", what, span, "this include");
            self.push(file, e);
        }
    }

    /// Processes one `xi:include` element `inc` of `file` whose output parent has `scope`.
    fn include(&mut self, file: usize, text: &str, inc: Node<'_, '_>, scope: &Scope) {
        let span = tag_span(text, inc);
        self.includes += 1;
        if self.includes > self.options.max_includes {
            self.limit(
                file,
                span,
                format!(
                    "more than {} xi:include elements",
                    self.options.max_includes
                ),
            );
            return;
        }
        if self.stack.len() >= self.options.max_depth {
            self.limit(
                file,
                span,
                format!("includes nested more than {} deep", self.options.max_depth),
            );
            return;
        }
        // Children: at most one xi:fallback, no other XInclude element.
        let mut fallback = None;
        for c in inc.children().filter(|c| c.is_element()) {
            if c.tag_name().namespace() != Some(XINCLUDE_NS) {
                continue;
            }
            if c.tag_name().name() == "fallback" && fallback.is_none() {
                fallback = Some(c);
            } else {
                let what = if c.tag_name().name() == "fallback" {
                    "a second xi:fallback in one xi:include".to_string()
                } else {
                    format!("xi:{} inside xi:include", c.tag_name().name())
                };
                let e = self.error(
                    file,
                    "xinclude/bad-fallback",
                    what,
                    tag_span(text, c),
                    "here",
                );
                self.push(
                    file,
                    e.with_help(
                        "an xi:include may contain one xi:fallback; put nested includes inside it",
                    ),
                );
                return;
            }
        }
        let href = unqualified_attribute(inc, "href").unwrap_or("");
        let parse = unqualified_attribute(inc, "parse").unwrap_or("xml");
        let xpointer = unqualified_attribute(inc, "xpointer");
        let bad = |p: &mut Self, msg: String| {
            let e = p.error(file, "xinclude/bad-attribute", msg, span, "this include");
            p.push(file, e);
        };
        if parse != "xml" && parse != "text" {
            bad(
                self,
                format!("parse=\"{parse}\": the value must be \"xml\" or \"text\""),
            );
            return;
        }
        if href.contains('#') {
            bad(self, format!("href=\"{href}\" has a fragment identifier, which XInclude forbids (use xpointer)"));
            return;
        }
        if href.is_empty() && xpointer.is_none() {
            bad(self, "xi:include has neither href nor xpointer".into());
            return;
        }
        if parse == "text" && xpointer.is_some() {
            bad(self, "xpointer cannot be used with parse=\"text\"".into());
            return;
        }
        if parse == "text" && href.is_empty() {
            bad(self, "parse=\"text\" needs an href".into());
            return;
        }
        let target = if href.is_empty() {
            None
        } else {
            Some(resolve(&base_of(&self.files[file].0, inc), href))
        };
        let target_path = match target {
            Some(Target::Remote(url)) => {
                let e = self.error(
                    file,
                    "xinclude/remote",
                    format!("{url} is not included: teikit never uses the network"),
                    span,
                    "remote include",
                );
                self.push(
                    file,
                    e.with_help("download the file and point href at the local copy"),
                );
                return;
            }
            Some(Target::Local(p)) => Some(p),
            None => None,
        };
        self.stack.push(Frame {
            file,
            range: inc.range(),
        });
        let ok = match (&target_path, parse) {
            (Some(p), "text") => {
                self.include_text(file, span, p, unqualified_attribute(inc, "encoding"))
            }
            (Some(p), _) => self.include_xml_file(file, span, p, href, inc, xpointer, scope),
            // Same-document references: Xerces (so jing and oXygen) processes documents in
            // one streaming pass and treats them as a resource error; so does teikit, so that
            // verdicts agree.
            (None, _) => Err(
                "an include of the same document (no href, only xpointer) is not \
                 supported (as in jing and oXygen, whose XInclude processor streams)"
                    .to_string(),
            ),
        };
        self.stack.pop();
        if let Err(reason) = ok {
            match fallback {
                Some(fb) => self.fallback(file, text, fb, scope),
                None => {
                    let e = self.error(
                        file,
                        "xinclude/missing-resource",
                        reason,
                        span,
                        "this include",
                    );
                    self.push(
                        file,
                        e.with_help(
                            "correct href (relative to the including file) or add an <xi:fallback>",
                        ),
                    );
                }
            }
        }
    }

    /// The children of an `xi:fallback`, in place of its include.
    fn fallback(&mut self, file: usize, text: &str, fb: Node<'_, '_>, scope: &Scope) {
        let st = start_tag(text, fb.range().start);
        if st.self_closing {
            return;
        }
        let end = text[..fb.range().end].rfind("</").unwrap_or(fb.range().end);
        let mut cursor = st.end;
        for c in fb.children().filter(|c| c.is_element()) {
            let r = c.range();
            self.copy(file, text, cursor..r.start);
            if is_xi(c, "include") {
                self.include(file, text, c, scope);
            } else if c.tag_name().namespace() == Some(XINCLUDE_NS) {
                let e = self.error(
                    file,
                    "xinclude/bad-fallback",
                    format!("xi:{} inside xi:fallback", c.tag_name().name()),
                    tag_span(text, c),
                    "here",
                );
                self.push(file, e);
            } else {
                self.element(file, text, c, scope, None);
            }
            cursor = r.end;
        }
        self.copy(file, text, cursor..end);
    }

    /// Reads, parses and includes (part of) the XML file `path`.
    #[allow(clippy::too_many_arguments)]
    fn include_xml_file(
        &mut self,
        file: usize,
        span: Span,
        path: &Path,
        href: &str,
        inc: Node<'_, '_>,
        xpointer: Option<&str>,
        scope: &Scope,
    ) -> Result<(), String> {
        let (g, gtext) = self.read(file, span, path)?;
        let gtext: Rc<str> = match gtext {
            Some(t) => t,
            None => return Ok(()), // not decodable: reported
        };
        let base_attr = if inc.attribute((XML_NS, "base")).is_none() {
            href.to_string()
        } else {
            file_uri(path)
        };
        self.include_element(
            file,
            span,
            g,
            &gtext,
            xpointer.unwrap_or(""),
            scope,
            Some(base_attr),
        )
    }

    /// Registers and reads file `path`: its index and text (`None` when it could not be
    /// decoded, which is reported).
    fn read(
        &mut self,
        file: usize,
        span: Span,
        path: &Path,
    ) -> Result<(usize, Option<Rc<str>>), String> {
        let canonical = std::fs::canonicalize(path)
            .map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?;
        if let Some(&g) = self.by_path.get(&canonical) {
            return Ok((g, Some(self.files[g].1.clone())));
        }
        let bytes = std::fs::read(&canonical)
            .map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?;
        let g = self.files.len();
        self.by_path.insert(canonical, g);
        match teikit_xml::decode(&bytes) {
            Ok(t) => {
                let t: Rc<str> = Rc::from(t.as_ref());
                self.files
                    .push((path.to_path_buf(), t.clone(), Some((file, span))));
                Ok((g, Some(t)))
            }
            Err(d) => {
                self.files.push((
                    path.to_path_buf(),
                    Rc::from(String::from_utf8_lossy(&bytes).as_ref()),
                    Some((file, span)),
                ));
                self.push(g, d);
                Ok((g, None))
            }
        }
    }

    /// Includes the element of file `g` selected by `xpointer` (empty: the root element).
    #[allow(clippy::too_many_arguments)]
    fn include_element(
        &mut self,
        file: usize,
        span: Span,
        g: usize,
        gtext: &str,
        xpointer: &str,
        scope: &Scope,
        base_attr: Option<String>,
    ) -> Result<(), String> {
        let doc = match teikit_xml::parse(gtext, &self.options.limits) {
            Ok(d) => d,
            Err(d) => {
                // A malformed included document is a fatal error, not a missing resource.
                let already = self
                    .diagnostics
                    .iter()
                    .any(|(f, x)| *f == g && x.code == d.code && x.labels == d.labels);
                if !already {
                    self.push(g, d);
                }
                return Ok(());
            }
        };
        let selected = if xpointer.is_empty() {
            Some(doc.root_element())
        } else {
            match select(&doc, xpointer, self.options.xml_id_pointers) {
                Ok(s) => s,
                Err(msg) => {
                    let e = self.error(file, "xinclude/bad-xpointer", msg, span, "this include");
                    self.push(file, e.with_help("teikit reads shorthand pointers (an xml:id) and element(/1/2), element(id/1)"));
                    return Ok(());
                }
            }
        };
        let Some(e) = selected else {
            return Err(format!(
                "xpointer \"{xpointer}\" selects no element of {}",
                self.files[g].0.display()
            ));
        };
        let r = e.range();
        if let Some(f) = self
            .stack
            .iter()
            .find(|f| f.file == g && r.start <= f.range.start && f.range.end <= r.end)
        {
            let (lf, lr) = (f.file, f.range.clone());
            let chain: Vec<String> = self
                .stack
                .iter()
                .map(|f| self.files[f.file].0.display().to_string())
                .collect();
            let e = self.error(
                file,
                "xinclude/loop",
                format!(
                    "inclusion loop: {} includes what includes it",
                    chain.join(" → ")
                ),
                span,
                "this include",
            );
            let e = if lf == file {
                e.with_secondary(Span::new(lr.start, 0), "the include it loops back to")
            } else {
                e
            };
            self.push(
                file,
                e.with_help("an included element must not contain the include that includes it"),
            );
            return Ok(());
        }
        if self.out.len() + (r.end - r.start) > self.options.max_total_bytes {
            self.limit(
                file,
                span,
                format!(
                    "the merged document would exceed {} bytes",
                    self.options.max_total_bytes
                ),
            );
            return Ok(());
        }
        if is_xi(e, "include") {
            let inner_scope = scope.clone();
            self.include(g, gtext, e, &inner_scope);
            return Ok(());
        }
        let base = base_attr.filter(|_| g != file);
        self.element(g, gtext, e, scope, base);
        Ok(())
    }

    /// Copies element `e` of file `g` with the fix-up attributes it needs under `scope`,
    /// processing the includes inside it. The attributes added map to the element's name in
    /// its file (where jing reports errors on them), with a note saying where they come from.
    #[allow(clippy::too_many_arguments)]
    fn element(
        &mut self,
        g: usize,
        gtext: &str,
        e: Node<'_, '_>,
        scope: &Scope,
        base: Option<String>,
    ) {
        let r = e.range();
        let st = start_tag(gtext, r.start);
        let declared = |name: &str| st.attrs.iter().any(|a| a == name);
        let parent = e.parent().filter(|p| p.is_element());
        let mut fix = String::new();
        let mut notes = Vec::new();
        // Namespaces the element inherits in its own file but would not inherit here.
        let inherited = Scope::of(parent);
        for (prefix, uri) in &inherited.ns {
            let attr = match prefix {
                Some(p) => format!("xmlns:{p}"),
                None => "xmlns".to_string(),
            };
            if declared(&attr) || scope.lookup(prefix.as_deref()) == Some(uri.as_str()) {
                continue;
            }
            fix.push_str(&format!(" {attr}=\"{}\"", escape_attr(uri)));
            notes.push(NS_NOTE);
        }
        if inherited.lookup(None).is_none()
            && scope.lookup(None).is_some_and(|u| !u.is_empty())
            && !declared("xmlns")
        {
            fix.push_str(" xmlns=\"\"");
            notes.push(NS_NOTE);
        }
        if let Some(b) = base {
            if !declared("xml:base") {
                fix.push_str(&format!(" xml:base=\"{}\"", escape_attr(&b)));
                notes.push(BASE_NOTE);
            }
        }
        let lang = parent.and_then(lang_of).unwrap_or_default();
        if !declared("xml:lang") && lang != scope.lang.clone().unwrap_or_default() {
            fix.push_str(&format!(" xml:lang=\"{}\"", escape_attr(&lang)));
            notes.push(LANG_NOTE);
        }
        if gtext.contains("<!ENTITY") {
            self.check_entities(g, gtext, r.clone());
        }
        self.copy(g, gtext, r.start..st.name_end);
        // One note is enough: the most specific (xml:base, xml:lang) wins.
        let note = notes.iter().rev().copied().next();
        let name = Span::new(r.start, st.name_end - r.start);
        self.generate(&fix, g, name, note);
        self.walk(g, gtext, e, st.name_end..r.end, st.name_end);
    }

    /// References to entities declared in the included file's DTD cannot be carried over.
    fn check_entities(&mut self, g: usize, gtext: &str, range: std::ops::Range<usize>) {
        let b = gtext.as_bytes();
        let mut i = range.start;
        while let Some(k) = gtext[i..range.end].find('&') {
            let at = i + k;
            let rest = &gtext[at + 1..range.end];
            let name_len = rest.find(';').unwrap_or(0);
            let name = &rest[..name_len];
            let ok = name.starts_with('#')
                || matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name_len == 0;
            if !ok && b.get(at + 1 + name_len) == Some(&b';') {
                let e = Diagnostic::error("xinclude/unsupported-entity", format!("&{name}; refers to an entity of the included file's DTD, which does not exist where it is included"))
                    .with_label(Span::new(at, name_len + 2), "this reference")
                    .with_help("write the entity's text instead of the reference");
                self.push(g, e);
                return;
            }
            i = at + 1;
        }
    }

    /// Includes the text file `path`, escaped.
    fn include_text(
        &mut self,
        file: usize,
        span: Span,
        path: &Path,
        encoding: Option<&str>,
    ) -> Result<(), String> {
        let canonical = std::fs::canonicalize(path)
            .map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?;
        let bytes = std::fs::read(&canonical)
            .map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?;
        let decoded = match decode_text(&bytes, encoding) {
            Ok(t) => t,
            Err(msg) => {
                let e = self.error(file, "xinclude/text-encoding", msg, span, "this include");
                self.push(file, e);
                return Ok(());
            }
        };
        if self.out.len() + decoded.len() > self.options.max_total_bytes {
            self.limit(
                file,
                span,
                format!(
                    "the merged document would exceed {} bytes",
                    self.options.max_total_bytes
                ),
            );
            return Ok(());
        }
        let g = match self.by_path.get(&canonical) {
            Some(&g) => g,
            None => {
                let g = self.files.len();
                self.by_path.insert(canonical, g);
                self.files.push((
                    path.to_path_buf(),
                    Rc::from(decoded.as_str()),
                    Some((file, span)),
                ));
                g
            }
        };
        let mut cursor = 0;
        for (i, c) in decoded.char_indices() {
            let esc = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                _ => continue,
            };
            self.copy(g, &decoded, cursor..i);
            self.generate(esc, g, Span::new(i, 1), None);
            cursor = i + 1;
        }
        self.copy(g, &decoded, cursor..decoded.len());
        Ok(())
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Decodes a `parse="text"` resource.
fn decode_text(bytes: &[u8], encoding: Option<&str>) -> Result<String, String> {
    let enc = encoding.unwrap_or("UTF-8").to_ascii_lowercase();
    let utf16 = |b: &[u8], le: bool| -> Result<String, String> {
        if b.len() % 2 != 0 {
            return Err("the UTF-16 text has an odd number of bytes".into());
        }
        let units = b.chunks(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| "the UTF-16 text has an unpaired surrogate".to_string())
    };
    match enc.as_str() {
        "utf-8" | "utf8" | "us-ascii" | "ascii" => {
            let b = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            String::from_utf8(b.to_vec()).map_err(|e| format!("the text is not UTF-8 (bad byte at offset {}); name its encoding with the encoding attribute", e.utf8_error().valid_up_to()))
        }
        "utf-16" => match bytes {
            [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
            [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
            _ => utf16(bytes, false),
        },
        "utf-16le" => utf16(bytes.strip_prefix(&[0xFF, 0xFE]).unwrap_or(bytes), true),
        "utf-16be" => utf16(bytes.strip_prefix(&[0xFE, 0xFF]).unwrap_or(bytes), false),
        "iso-8859-1" | "latin1" | "latin-1" | "iso_8859-1" | "l1" => {
            Ok(bytes.iter().map(|&b| b as char).collect())
        }
        _ => Err(format!(
            "encoding \"{}\" is not supported (UTF-8, UTF-16, ISO-8859-1 are)",
            encoding.unwrap_or("")
        )),
    }
}

/// The base URI of `node` in the file at `path`: the file, changed by `xml:base` attributes
/// of its ancestors-or-self (outermost first).
fn base_of(path: &Path, node: Node<'_, '_>) -> Target {
    let mut bases: Vec<&str> = node
        .ancestors()
        .filter_map(|a| a.attribute((XML_NS, "base")))
        .collect();
    bases.reverse();
    let mut base = Target::Local(path.to_path_buf());
    for b in bases {
        base = resolve_base(&base, b);
    }
    base
}

/// Resolves an `xml:base` value: like an href, but a value ending in `/` names a folder.
fn resolve_base(base: &Target, value: &str) -> Target {
    match resolve(base, value) {
        Target::Local(p) if value.ends_with('/') || value.is_empty() => {
            if value.is_empty() {
                match base {
                    Target::Local(b) => Target::Local(b.clone()),
                    Target::Remote(u) => Target::Remote(u.clone()),
                }
            } else {
                Target::Local(p.join("_"))
            }
        }
        t => t,
    }
}

/// Resolves `href` against `base`.
fn resolve(base: &Target, href: &str) -> Target {
    let lower = href.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("file:") {
        let rest = &href[href.len() - rest.len()..];
        let path = rest
            .strip_prefix("//localhost")
            .or_else(|| rest.strip_prefix("//"))
            .unwrap_or(rest);
        return Target::Local(PathBuf::from(teikit_xml::uri::percent_decode(path)));
    }
    let has_scheme = href.find(':').is_some_and(|i| {
        i > 1
            && href[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if has_scheme {
        return Target::Remote(href.to_string());
    }
    match base {
        Target::Remote(u) => {
            let dir = u.rfind('/').map_or(u.as_str(), |i| &u[..=i]);
            Target::Remote(format!("{dir}{href}"))
        }
        Target::Local(b) => {
            let decoded = teikit_xml::uri::percent_decode(href);
            let rel = Path::new(&decoded);
            let joined = if rel.is_absolute() {
                rel.to_path_buf()
            } else {
                b.parent().unwrap_or(Path::new("")).join(rel)
            };
            Target::Local(normalize(&joined))
        }
    }
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn file_uri(path: &Path) -> String {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    format!("file://{}", normalize(&abs).display())
}

/// Evaluates an XPointer: shorthand (an `xml:id`) or `element()` parts, tried in turn;
/// other schemes are skipped. `Err` for a syntax error.
fn select<'a, 'i>(
    doc: &'a Document<'i>,
    xpointer: &str,
    xml_ids: bool,
) -> Result<Option<Node<'a, 'i>>, String> {
    let xp = xpointer.trim();
    if !xp.contains('(') {
        if !is_ncname(xp) {
            return Err(format!("xpointer \"{xpointer}\" is not a shorthand pointer (an NCName) nor a scheme-based pointer"));
        }
        return Ok(by_id(doc, xp, xml_ids));
    }
    let mut rest = xp;
    let mut known = false;
    while !rest.is_empty() {
        let open = rest
            .find('(')
            .ok_or_else(|| format!("xpointer \"{xpointer}\": expected scheme(...)"))?;
        let scheme = rest[..open].trim();
        // Find the matching parenthesis (escaped ^( ^) aside).
        let mut depth = 0usize;
        let mut close = None;
        let bytes = rest.as_bytes();
        let mut i = open;
        while i < bytes.len() {
            match bytes[i] {
                b'^' => i += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        let close =
            close.ok_or_else(|| format!("xpointer \"{xpointer}\": unbalanced parentheses"))?;
        let data = &rest[open + 1..close];
        if scheme == "element" {
            known = true;
            if let Some(n) = element_scheme(doc, data, xml_ids)
                .map_err(|m| format!("xpointer \"{xpointer}\": {m}"))?
            {
                return Ok(Some(n));
            }
        }
        rest = rest[close + 1..].trim_start();
    }
    if !known {
        return Err(format!("xpointer \"{xpointer}\" uses no scheme teikit reads (only element() and shorthand pointers)"));
    }
    Ok(None)
}

fn element_scheme<'a, 'i>(
    doc: &'a Document<'i>,
    data: &str,
    xml_ids: bool,
) -> Result<Option<Node<'a, 'i>>, String> {
    let mut steps = data.split('/');
    let first = steps.next().unwrap_or("");
    let mut node = if first.is_empty() {
        doc.root()
    } else if is_ncname(first) {
        match by_id(doc, first, xml_ids) {
            Some(n) => n,
            None => return Ok(None),
        }
    } else {
        return Err(format!("element({data}): {first:?} is not an NCName"));
    };
    let mut any = !first.is_empty();
    for s in steps {
        any = true;
        let k: usize = s
            .parse()
            .ok()
            .filter(|&k| k > 0)
            .ok_or_else(|| format!("element({data}): {s:?} is not a positive integer"))?;
        match node.children().filter(|c| c.is_element()).nth(k - 1) {
            Some(c) => node = c,
            None => return Ok(None),
        }
    }
    if !any {
        return Err("element() is empty".into());
    }
    Ok(Some(node).filter(|n| n.is_element()))
}

fn by_id<'a, 'i>(doc: &'a Document<'i>, id: &str, xml_ids: bool) -> Option<Node<'a, 'i>> {
    if !xml_ids {
        return None;
    }
    doc.descendants()
        .find(|n| n.is_element() && n.attribute((XML_NS, "id")) == Some(id))
}

fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{B7}'))
}
