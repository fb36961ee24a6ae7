//! The `compacttest` conformance suite: jing-trang's `compacttest.xml` pairs compact-syntax
//! schemas with their XML-syntax translation (or marks them incorrect), plus the TEI compact
//! schemas in `shared/schemas/tei`.
//!
//! Cases are named `compacttest/NNN` (position of the `testCase` in the file, from 1),
//! `tei/DIR-FILE` (e.g. `tei/p5-3.1.0-tei_all`) and `rnc/PATH` for the other compact
//! schemas in the shared data (jclark's, jing-trang's), which must parse.
//!
//! A correct compact schema must parse, and its tree must equal the tree of the XML version
//! after this normalisation, applied to both trees alike (the simplifications that the
//! compact-syntax spec's "strict equivalence" allows, spec 4.2–4.4 and 4.8–4.10, plus the
//! implicit combinators of the XML syntax):
//! - comments and processing instructions are dropped; adjacent text nodes are merged;
//!   whitespace-only text is dropped except in `value` and `param`; `name` content and the
//!   `name`, `type`, `combine` attributes are trimmed;
//! - a `name` attribute of `element`/`attribute` becomes a `name` child (with `ns=""` for an
//!   attribute without `ns`); QNames in `name` are resolved through the namespace map;
//!   `ns` is inherited down to `name`/`nsName` and removed elsewhere, `value` included
//!   (the parser gives a `value` the declared default namespace, as jing does, and the XML
//!   versions in the test file do not always agree; it only matters for QName values);
//! - `datatypeLibrary` is inherited down to `data`/`value` and removed elsewhere; a `value`
//!   without `type` gets `type="token"` and `datatypeLibrary=""`;
//! - a `group` without annotations that is the only pattern child of `element`, `define`,
//!   `oneOrMore`, `zeroOrMore`, `optional`, `list` or `mixed` is replaced by its children,
//!   and so is a `choice` without annotations that is the only child of an `except`
//!   (the XML syntax implies these combinators);
//! - `href` values are not compared (spec 6.2); the referenced resources are compared
//!   instead;
//! - attributes compare as sets; namespace declarations only through resolved names.
//!
//! An incorrect compact schema must be rejected: by `teikit_rnc::parse`, or, when the error
//! is a semantic one (e.g. `element * - * {…}`), by `teikit_relaxng::load` on a temporary
//! copy. The TEI cases must parse; where an `.rng` of the same schema sits beside the
//! `.rnc`, the trees must also be equal modulo annotations (foreign elements and
//! attributes are dropped on both sides).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use teikit_rnc::{Attribute, Element, Node, RNG_NS};

use super::SuiteResult;

/// A TEI schema taking longer than this to parse is a failure (the parser is linear; this
/// catches accidental quadratic behaviour with a generous margin for slow machines).
const TEI_PARSE_LIMIT: Duration = Duration::from_secs(5);

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    let mut result = SuiteResult::new();
    let path = shared.join("rng-tests/jing-trang/mod/rng-schema/test/compacttest.xml");
    let text =
        std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let doc = roxmltree::Document::parse(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let cases = doc
        .root_element()
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "testCase");
    for (index, case) in cases.enumerate() {
        let name = format!("compacttest/{:03}", index + 1);
        result.record(name, run_case(case));
    }
    for (dir, file, rng) in [
        ("p5-3.1.0", "tei_all.rnc", Some("tei_all.rng")),
        ("p5-2.7.0", "tei_all.rnc", Some("tei_all.rng")),
        ("p5-4.5.0a-lite", "tei_lite.rnc", Some("tei_lite.rng")),
        ("other", "tei_all.ja-roma-4.1.0.rnc", None),
    ] {
        let name = format!("tei/{dir}-{}", file.trim_end_matches(".rnc"));
        let base = shared.join("schemas/tei").join(dir);
        result.record(name, run_file(&base.join(file), rng.map(|r| base.join(r))));
    }
    // Other compact schemas in the shared data (none has an XML twin): they must parse.
    for rel in [
        "rng-tests/relaxng.org/jclark/compact/relaxng.rnc",
        "rng-tests/relaxng.org/jclark/compact/relaxng-for-xsd.rnc",
        "rng-tests/relaxng.org/jclark/xhtml/exclude/basic-table.rnc",
        "rng-tests/relaxng.org/jclark/xhtml/exclude/basic.rnc",
        "rng-tests/relaxng.org/jclark/xhtml/exclude/form.rnc",
        "rng-tests/jing-trang/test/regextest.rnc",
        "rng-tests/jing-trang/test/xsdtest.rnc",
        "rng-tests/jing-trang/trang/test/toxsdtest.rnc",
        "rng-tests/jing-trang/trang/test/compacttest.rnc",
    ] {
        let name = format!(
            "rnc/{}",
            rel.trim_start_matches("rng-tests/")
                .trim_end_matches(".rnc")
        );
        result.record(name, run_file(&shared.join(rel), None));
    }
    Ok(result)
}

/// One `testCase`: `<compact>` (resources + correct|incorrect) and optionally `<xml>`.
fn run_case(case: roxmltree::Node<'_, '_>) -> Result<(), String> {
    let compact = child(case, "compact").ok_or("no <compact>")?;
    let resources = resources(compact);
    if let Some(incorrect) = child(compact, "incorrect") {
        let schema = text_of(incorrect);
        return match teikit_rnc::parse(&schema) {
            Err(_) => Ok(()),
            Ok(_) => rejected_by_loader(&schema, &resources),
        };
    }
    let correct = child(compact, "correct").ok_or("no <correct> or <incorrect> in <compact>")?;
    let schema = text_of(correct);
    let tree = teikit_rnc::parse(&schema)
        .map_err(|e| format!("rejected a correct schema: {}", first_error(&e)))?;
    check_spans(&schema, &tree)?;
    let Some(xml) = child(case, "xml") else {
        return Ok(());
    };
    let expected = child(xml, "correct")
        .and_then(|c| c.children().find(|n| n.is_element()))
        .ok_or("no <correct> element in <xml>")?;
    compare(&tree, &from_xml(expected), false)?;
    // Resources pair up in order (x.rnc ↔ x.rng).
    let xml_resources: Vec<_> = xml
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "resource")
        .collect();
    if !xml_resources.is_empty() && xml_resources.len() != resources.len() {
        return Err(format!(
            "{} compact resources but {} XML resources",
            resources.len(),
            xml_resources.len()
        ));
    }
    for ((rname, rtext), xres) in resources.iter().zip(xml_resources) {
        let rtree = teikit_rnc::parse(rtext)
            .map_err(|e| format!("resource {rname}: {}", first_error(&e)))?;
        let xroot = xres
            .children()
            .find(|n| n.is_element())
            .ok_or_else(|| format!("XML resource for {rname} has no element"))?;
        compare(&rtree, &from_xml(xroot), false).map_err(|e| format!("resource {rname}: {e}"))?;
    }
    Ok(())
}

/// Loads an incorrect schema that parsed with the full loader, which must reject it.
fn rejected_by_loader(schema: &str, resources: &[(String, String)]) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    for (name, text) in resources {
        std::fs::write(dir.path().join(name), text).map_err(|e| e.to_string())?;
    }
    let path = dir.path().join("schema.rnc");
    std::fs::write(&path, schema).map_err(|e| e.to_string())?;
    match teikit_relaxng::load(&path, &Default::default()) {
        Err(e) if !e.errors.is_empty() => Ok(()),
        Err(_) => Err("parsed an incorrect schema, and the loader gave no diagnostic".into()),
        Ok(_) => Err("accepted an incorrect schema (parser and loader)".into()),
    }
}

fn run_file(rnc: &Path, rng: Option<std::path::PathBuf>) -> Result<(), String> {
    let text = std::fs::read_to_string(rnc).map_err(|e| format!("{}: {e}", rnc.display()))?;
    let t = Instant::now();
    let tree = teikit_rnc::parse(&text).map_err(|e| {
        let err = &e[0];
        let line = text[..err.span.start.min(text.len())].matches('\n').count() + 1;
        format!("line {line}: {}", err.message)
    })?;
    let elapsed = t.elapsed();
    if elapsed > TEI_PARSE_LIMIT {
        return Err(format!("parsing took {elapsed:?}"));
    }
    check_spans(&text, &tree)?;
    let Some(rng) = rng.filter(|p| p.is_file()) else {
        return Ok(());
    };
    let xml = std::fs::read_to_string(&rng).map_err(|e| format!("{}: {e}", rng.display()))?;
    let doc = roxmltree::Document::parse(&xml).map_err(|e| format!("{}: {e}", rng.display()))?;
    compare(&tree, &from_xml(doc.root_element()), true).map_err(|e| {
        format!(
            "differs from {}: {e}",
            rng.file_name().unwrap_or_default().to_string_lossy()
        )
    })
}

/// Every span lies in the text, on character boundaries, and every RELAX NG element's span
/// contains its RELAX NG children's and its text's.
fn check_spans(text: &str, e: &Element) -> Result<(), String> {
    let ok = |r: &std::ops::Range<usize>| {
        r.start <= r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end)
    };
    if !ok(&e.span) {
        return Err(format!("bad span {:?} on <{}>", e.span, e.local));
    }
    for a in &e.attributes {
        if !ok(&a.span) {
            return Err(format!("bad span {:?} on attribute {}", a.span, a.local));
        }
    }
    for c in &e.children {
        let (span, foreign) = match c {
            Node::Element(c) => {
                check_spans(text, c)?;
                (&c.span, c.ns != RNG_NS)
            }
            Node::Text(_, span) => (span, false),
        };
        // Leading annotations are children outside their element's span (which starts at
        // the construct itself), and the implicit grammar's span is empty.
        let exempt = foreign || (e.span.is_empty() && e.local == "grammar");
        if !ok(span) || (!exempt && (span.start < e.span.start || span.end > e.span.end)) {
            return Err(format!(
                "span {span:?} of a child of <{}> is outside its span {:?}",
                e.local, e.span
            ));
        }
    }
    Ok(())
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text_of(n: roxmltree::Node<'_, '_>) -> String {
    n.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect()
}

fn resources(compact: roxmltree::Node<'_, '_>) -> Vec<(String, String)> {
    compact
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "resource")
        .map(|n| {
            (
                n.attribute("name").unwrap_or("resource.rnc").to_string(),
                text_of(n),
            )
        })
        .collect()
}

fn first_error(errors: &[teikit_rnc::ParseError]) -> String {
    errors.first().map_or_else(
        || "no error given".into(),
        |e| format!("{} at {:?}", e.message, e.span),
    )
}

/// Converts an XML-syntax element into the compact parser's tree type (full in-scope
/// namespace map on every element; comments and processing instructions dropped).
fn from_xml(n: roxmltree::Node<'_, '_>) -> Element {
    let ns_context = n
        .namespaces()
        .map(|ns| (ns.name().unwrap_or("").to_string(), ns.uri().to_string()))
        .collect();
    let attributes = n
        .attributes()
        .map(|a| Attribute {
            ns: a.namespace().unwrap_or("").to_string(),
            local: a.name().to_string(),
            value: a.value().to_string(),
            span: 0..0,
        })
        .collect();
    let children = n
        .children()
        .filter_map(|c| {
            if c.is_element() {
                Some(Node::Element(from_xml(c)))
            } else if c.is_text() {
                Some(Node::Text(c.text().unwrap_or("").to_string(), 0..0))
            } else {
                None
            }
        })
        .collect();
    Element {
        ns: n.tag_name().namespace().unwrap_or("").to_string(),
        local: n.tag_name().name().to_string(),
        attributes,
        children,
        ns_context,
        span: 0..0,
    }
}

/// A normalised element.
#[derive(Debug, PartialEq, Eq)]
struct N {
    ns: String,
    local: String,
    attrs: BTreeMap<(String, String), String>,
    children: Vec<C>,
}

#[derive(Debug, PartialEq, Eq)]
enum C {
    E(N),
    T(String),
}

fn compare(actual: &Element, expected: &Element, drop_annotations: bool) -> Result<(), String> {
    let norm = |e: &Element| {
        let mut ctx = Ctx {
            ns: None,
            datatype_library: None,
            prefixes: Vec::new(),
            drop_annotations,
        };
        normalize(e, &mut ctx)
    };
    let a = norm(actual);
    let b = norm(expected);
    diff(&a, &b, &mut String::new())
}

struct Ctx {
    ns: Option<String>,
    datatype_library: Option<String>,
    prefixes: Vec<(String, String)>,
    drop_annotations: bool,
}

fn is_ws(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

fn rng_attr<'e>(e: &'e Element, local: &str) -> Option<&'e str> {
    e.attributes
        .iter()
        .find(|a| a.ns.is_empty() && a.local == local)
        .map(|a| a.value.as_str())
}

fn normalize(e: &Element, ctx: &mut Ctx) -> N {
    let saved_prefixes = ctx.prefixes.len();
    for (p, u) in &e.ns_context {
        ctx.prefixes.push((p.clone(), u.clone()));
    }
    let saved_ns = ctx.ns.clone();
    let saved_dl = ctx.datatype_library.clone();
    let is_rng = e.ns == RNG_NS;
    let mut attrs = BTreeMap::new();
    let mut children = Vec::new();
    if is_rng {
        if let Some(ns) = rng_attr(e, "ns") {
            ctx.ns = Some(ns.to_string());
        }
        if let Some(dl) = rng_attr(e, "datatypeLibrary") {
            ctx.datatype_library = Some(dl.to_string());
        }
        for a in &e.attributes {
            if a.ns.is_empty() {
                match a.local.as_str() {
                    "ns" | "datatypeLibrary" => continue,
                    "name" if matches!(e.local.as_str(), "element" | "attribute") => continue,
                    "href" => {
                        attrs.insert((String::new(), "href".into()), String::new());
                        continue;
                    }
                    "name" | "type" | "combine" => {
                        attrs.insert((String::new(), a.local.clone()), a.value.trim().to_string());
                        continue;
                    }
                    _ => {}
                }
            } else if ctx.drop_annotations {
                continue;
            }
            attrs.insert((a.ns.clone(), a.local.clone()), a.value.clone());
        }
        match e.local.as_str() {
            "data" | "value" => {
                let mut dl = ctx.datatype_library.clone().unwrap_or_default();
                if e.local == "value" && rng_attr(e, "type").is_none() {
                    attrs.insert((String::new(), "type".into()), "token".into());
                    dl = String::new();
                }
                attrs.insert((String::new(), "datatypeLibrary".into()), dl);
            }
            "nsName" => {
                attrs.insert(
                    (String::new(), "ns".into()),
                    ctx.ns.clone().unwrap_or_default(),
                );
            }
            _ => {}
        }
        if matches!(e.local.as_str(), "element" | "attribute") {
            if let Some(name) = rng_attr(e, "name") {
                let ns = if e.local == "attribute" && rng_attr(e, "ns").is_none() {
                    Some(String::new())
                } else {
                    None
                };
                children.push(C::E(name_element(name.trim(), ns, ctx)));
            }
        }
    } else {
        for a in &e.attributes {
            attrs.insert((a.ns.clone(), a.local.clone()), a.value.clone());
        }
    }
    let keep_ws = is_rng && matches!(e.local.as_str(), "value" | "param");
    if is_rng && e.local == "name" {
        let explicit_ns = rng_attr(e, "ns").map(str::to_string);
        children.clear();
        let n = name_element(e.text().trim(), explicit_ns, ctx);
        restore(ctx, saved_prefixes, saved_ns, saved_dl);
        // `name_element` builds the whole normalised `name`; keep foreign attributes.
        let mut n = n;
        for (k, v) in attrs {
            if !k.0.is_empty() {
                n.attrs.insert(k, v);
            }
        }
        return n;
    }
    for c in &e.children {
        match c {
            Node::Element(ce) => {
                if ctx.drop_annotations && ce.ns != RNG_NS {
                    continue;
                }
                children.push(C::E(normalize(ce, ctx)));
            }
            Node::Text(t, _) => {
                if let Some(C::T(prev)) = children.last_mut() {
                    prev.push_str(t);
                } else {
                    children.push(C::T(t.clone()));
                }
            }
        }
    }
    if !keep_ws {
        children.retain(|c| !matches!(c, C::T(t) if is_ws(t)));
    }
    if is_rng {
        unwrap_implied(&e.local, &mut children);
        if matches!(e.local.as_str(), "element" | "attribute") {
            // The name class first (4.8 puts a `name` from the attribute first; the compact
            // translation puts leading annotations first).
            if let Some(pos) = children
                .iter()
                .position(|c| matches!(c, C::E(n) if n.ns == RNG_NS))
            {
                let nc = children.remove(pos);
                children.insert(0, nc);
            }
        }
        if e.local == "attribute"
            && children
                .iter()
                .filter(|c| matches!(c, C::E(n) if n.ns == RNG_NS))
                .count()
                == 1
        {
            children.push(C::E(N {
                ns: RNG_NS.into(),
                local: "text".into(),
                attrs: BTreeMap::new(),
                children: Vec::new(),
            }));
        }
        if ctx.drop_annotations {
            flatten_combinators(&mut children);
        }
    }
    children.retain(|c| !matches!(c, C::T(t) if t.is_empty()));
    restore(ctx, saved_prefixes, saved_ns, saved_dl);
    N {
        ns: e.ns.clone(),
        local: e.local.clone(),
        attrs,
        children,
    }
}

fn restore(ctx: &mut Ctx, prefixes: usize, ns: Option<String>, dl: Option<String>) {
    ctx.prefixes.truncate(prefixes);
    ctx.ns = ns;
    ctx.datatype_library = dl;
}

/// A normalised `name` element: QName resolved, `ns` explicit.
fn name_element(qname: &str, explicit_ns: Option<String>, ctx: &Ctx) -> N {
    let (ns, local) = match qname.split_once(':') {
        Some((prefix, local)) => {
            let uri = ctx
                .prefixes
                .iter()
                .rev()
                .find(|(p, _)| p == prefix)
                .map(|(_, u)| u.clone())
                .unwrap_or_else(|| {
                    if prefix == "xml" {
                        teikit_rnc::XML_NS.to_string()
                    } else {
                        format!("<undeclared prefix {prefix}>")
                    }
                });
            (uri, local.to_string())
        }
        None => (
            explicit_ns.unwrap_or_else(|| ctx.ns.clone().unwrap_or_default()),
            qname.to_string(),
        ),
    };
    let mut attrs = BTreeMap::new();
    attrs.insert((String::new(), "ns".into()), ns);
    N {
        ns: RNG_NS.into(),
        local: "name".into(),
        attrs,
        children: vec![C::T(local)],
    }
}

fn plain(n: &N) -> bool {
    n.attrs.keys().all(|(ns, _)| ns.is_empty())
        && n.children.iter().all(|c| match c {
            C::E(e) => e.ns == RNG_NS,
            C::T(_) => true,
        })
}

/// Splices in a combinator that the parent implies for several children.
fn unwrap_implied(parent: &str, children: &mut Vec<C>) {
    let implied = match parent {
        "element" | "define" | "oneOrMore" | "zeroOrMore" | "optional" | "list" | "mixed" => {
            "group"
        }
        "except" => "choice",
        _ => return,
    };
    let is_pattern_or_nc = |c: &C| matches!(c, C::E(e) if e.ns == RNG_NS);
    let count = children.iter().filter(|c| is_pattern_or_nc(c)).count();
    let skip = usize::from(parent == "element"); // the name class
    if count != skip + 1 {
        return;
    }
    let Some(pos) = children
        .iter()
        .enumerate()
        .filter(|(_, c)| is_pattern_or_nc(c))
        .nth(skip)
        .map(|(i, _)| i)
    else {
        return;
    };
    let C::E(w) = &children[pos] else { return };
    if w.local != implied || !plain(w) {
        return;
    }
    let C::E(w) = children.remove(pos) else {
        return;
    };
    for (k, c) in w.children.into_iter().enumerate() {
        children.insert(pos + k, c);
    }
}

/// Modulo annotations only: a `choice`/`group`/`interleave` with one child is that child,
/// and one nested directly in the same combinator is spliced into it.
fn flatten_combinators(children: &mut [C]) {
    let mut i = 0;
    while i < children.len() {
        if let C::E(n) = &mut children[i] {
            if matches!(n.local.as_str(), "choice" | "group" | "interleave") && n.ns == RNG_NS {
                let local = n.local.clone();
                let mut inner = std::mem::take(&mut n.children);
                let mut j = 0;
                while j < inner.len() {
                    let same = matches!(&inner[j], C::E(m) if m.ns == RNG_NS && m.local == local);
                    if same {
                        let C::E(m) = inner.remove(j) else {
                            unreachable!()
                        };
                        let k = m.children.len();
                        for (o, c) in m.children.into_iter().enumerate() {
                            inner.insert(j + o, c);
                        }
                        j += k;
                    } else {
                        j += 1;
                    }
                }
                if inner.len() == 1 {
                    children[i] = inner.pop().expect("one child");
                    continue;
                }
                if let C::E(n) = &mut children[i] {
                    n.children = inner;
                }
            }
        }
        i += 1;
    }
}

fn describe(n: &N) -> String {
    let mut s = format!(
        "<{}",
        if n.ns == RNG_NS {
            n.local.clone()
        } else {
            format!("{{{}}}{}", n.ns, n.local)
        }
    );
    for ((ns, l), v) in &n.attrs {
        if ns.is_empty() {
            s.push_str(&format!(" {l}=\"{v}\""));
        } else {
            s.push_str(&format!(" {{{ns}}}{l}=\"{v}\""));
        }
    }
    s.push('>');
    s
}

fn diff(a: &N, b: &N, path: &mut String) -> Result<(), String> {
    let here = format!("{path}/{}", describe(b));
    if a.ns != b.ns || a.local != b.local || a.attrs != b.attrs {
        return Err(format!(
            "at {path}: got {}, expected {}",
            describe(a),
            describe(b)
        ));
    }
    let mut i = 0;
    while i < a.children.len().max(b.children.len()) {
        match (a.children.get(i), b.children.get(i)) {
            (Some(C::E(x)), Some(C::E(y))) => {
                let mut p = here.clone();
                diff(x, y, &mut p)?;
            }
            (Some(C::T(x)), Some(C::T(y))) if x == y => {}
            (x, y) => {
                let show = |c: Option<&C>| match c {
                    None => "nothing".to_string(),
                    Some(C::T(t)) => format!("text {t:?}"),
                    Some(C::E(e)) => describe(e),
                };
                return Err(format!(
                    "at {here}, child {}: got {}, expected {}",
                    i + 1,
                    show(x),
                    show(y)
                ));
            }
        }
        i += 1;
    }
    Ok(())
}
