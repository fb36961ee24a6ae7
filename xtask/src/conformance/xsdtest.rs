//! The `xsdtest` conformance suite: jing-trang's XSD datatype tests
//! (`mod/xsd-datatype/test/xsdtest.xml`).
//!
//! Format: `<xsdtest>` of `<datatype name="…">` elements holding `<valid>`/`<invalid>` lexical
//! values (with the namespace declarations and `internalSubset` they need), `<equiv>` groups
//! of `<class>`es (values are equal exactly within a class), `<lessThan>` and `<incomparable>`
//! pairs, and `<length value="n">` values of that length.
//!
//! Every test runs twice:
//! - `dt/…` cases check the verdict of `teikit_xsd::Datatype` directly;
//! - `rng/…` cases run the full pipeline: a schema using the datatype is written to a temporary
//!   directory, loaded with `teikit_relaxng::load` and used through
//!   `teikit_validate::Grammar` on a small document (`<value>` for equality, bound parameters
//!   for order, `length` for lengths). If the pipeline cannot validate a trivial control
//!   document, one `rng/pipeline` case fails with the reason and the other `rng/…` cases are
//!   not run, so a pipeline that is still being written does not bury the datatype verdicts.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use anyhow::Context;
use roxmltree::Node;
use teikit_diagnostics::Severity;
use teikit_xsd::Datatype;

use super::SuiteResult;

const XSD: &str = "http://www.w3.org/2001/XMLSchema-datatypes";

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    let path = shared.join("rng-tests/jing-trang/mod/xsd-datatype/test/xsdtest.xml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let doc =
        roxmltree::Document::parse(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut result = SuiteResult::new();
    let mut pipeline = Pipeline::new()?;
    let control = pipeline.control();
    let pipeline_ok = control.is_ok();
    result.record("rng/pipeline", control);

    for dt_el in doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("datatype"))
    {
        let name = dt_el.attribute("name").unwrap_or("");
        let dt = match Datatype::new(name, &[]) {
            Ok(dt) => Some(dt),
            Err(e) => {
                result.record(format!("dt/{name}/known"), Err(e.to_string()));
                None
            }
        };
        let mut counts = std::collections::HashMap::<&str, usize>::new();
        for test in dt_el.children().filter(|n| n.is_element()) {
            let tag = test.tag_name().name();
            let n = counts.entry(tag).or_default();
            *n += 1;
            let case = format!("{name}/{tag}{n}");
            let mut cases: Vec<(String, Result<(), String>)> = Vec::new();
            match tag {
                "valid" | "invalid" => {
                    let want = tag == "valid";
                    let value = test.text().unwrap_or("");
                    let entities =
                        unparsed_entities(test.attribute("internalSubset").unwrap_or(""));
                    if let Some(dt) = &dt {
                        let is_entity = |e: &str| entities.iter().any(|x| x == e);
                        let got = dt.check_with_entities(value, &resolver(test), Some(&is_entity));
                        cases.push((format!("dt/{case}"), verdict(want, value, got)));
                    }
                    if pipeline_ok {
                        let schema = data_schema(name, &[]);
                        let got = pipeline.validate(
                            &schema,
                            value,
                            test,
                            test.attribute("internalSubset"),
                        );
                        cases.push((format!("rng/{case}"), verdict(want, value, got)));
                    }
                }
                "equiv" => {
                    let classes: Vec<Vec<Node>> = test
                        .children()
                        .filter(|c| c.has_tag_name("class"))
                        .map(|c| c.children().filter(|v| v.has_tag_name("value")).collect())
                        .collect();
                    if let Some(dt) = &dt {
                        cases.push((format!("dt/{case}"), equiv_direct(dt, &classes)));
                    }
                    if pipeline_ok {
                        cases.push((
                            format!("rng/{case}"),
                            equiv_pipeline(&mut pipeline, name, &classes),
                        ));
                    }
                }
                "lessThan" | "incomparable" => {
                    let values: Vec<Node> = test
                        .children()
                        .filter(|v| v.has_tag_name("value"))
                        .collect();
                    let [a, b] = values[..] else {
                        cases.push((format!("dt/{case}"), Err("expected two values".into())));
                        continue;
                    };
                    let (a, b) = (a.text().unwrap_or(""), b.text().unwrap_or(""));
                    let less = tag == "lessThan";
                    if let Some(dt) = &dt {
                        cases.push((format!("dt/{case}"), order_direct(dt, a, b, less)));
                    }
                    if pipeline_ok {
                        cases.push((
                            format!("rng/{case}"),
                            order_pipeline(&mut pipeline, name, a, b, less, test),
                        ));
                    }
                }
                "length" => {
                    let value = test.text().unwrap_or("");
                    let len: u64 = test
                        .attribute("value")
                        .and_then(|v| v.parse().ok())
                        .context("a <length> without a numeric value")?;
                    if dt.is_some() {
                        cases.push((format!("dt/{case}"), length_direct(name, value, len)));
                    }
                    if pipeline_ok {
                        let mut outcome = Ok(());
                        for (l, want) in [(len, true), (len + 1, false)] {
                            let schema = data_schema(name, &[("length", &l.to_string())]);
                            let got = pipeline.validate(&schema, value, test, None);
                            if let Err(e) = verdict(want, value, got) {
                                outcome = Err(format!("with length {l}: {e}"));
                                break;
                            }
                        }
                        cases.push((format!("rng/{case}"), outcome));
                    }
                }
                _ => {}
            }
            for (n, outcome) in cases {
                result.record(n, outcome);
            }
        }
    }
    Ok(result)
}

fn verdict(want_valid: bool, value: &str, got: Result<(), String>) -> Result<(), String> {
    match (want_valid, got) {
        (true, Ok(())) | (false, Err(_)) => Ok(()),
        (true, Err(e)) => Err(format!("{value:?} rejected: {e}")),
        (false, Ok(())) => Err(format!("{value:?} accepted")),
    }
}

/// The namespace context of a test element, as the datatype library wants it.
fn resolver<'a>(node: Node<'a, 'a>) -> impl Fn(&str) -> Option<String> + 'a {
    move |prefix: &str| {
        let p = if prefix.is_empty() {
            None
        } else {
            Some(prefix)
        };
        node.lookup_namespace_uri(p).map(str::to_string)
    }
}

/// Names of the unparsed entities (`<!ENTITY name … NDATA …>`) in an internal subset.
fn unparsed_entities(subset: &str) -> Vec<String> {
    subset
        .split("<!ENTITY")
        .skip(1)
        .filter_map(|decl| {
            let decl = decl.split('>').next().unwrap_or("");
            let name = decl.split_whitespace().next()?;
            decl.split_whitespace()
                .any(|w| w == "NDATA")
                .then(|| name.to_string())
        })
        .collect()
}

fn equiv_direct(dt: &Datatype, classes: &[Vec<Node>]) -> Result<(), String> {
    for (i, ci) in classes.iter().enumerate() {
        for (j, cj) in classes.iter().enumerate() {
            for a in ci {
                for b in cj {
                    let (ta, tb) = (a.text().unwrap_or(""), b.text().unwrap_or(""));
                    let same = dt.equal(ta, &resolver(*a), tb, &resolver(*b));
                    if same != (i == j) {
                        return Err(format!(
                            "{ta:?} and {tb:?} should be {}",
                            if i == j { "equal" } else { "different" }
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

fn order_direct(dt: &Datatype, a: &str, b: &str, less: bool) -> Result<(), String> {
    let ab = dt.compare(a, b);
    let ba = dt.compare(b, a);
    let no_ns = |_: &str| None;
    if less {
        if ab != Some(Ordering::Less) || ba != Some(Ordering::Greater) {
            return Err(format!("{a:?} < {b:?} expected, got {ab:?} / {ba:?}"));
        }
    } else if matches!(ab, Some(Ordering::Less | Ordering::Greater))
        || matches!(ba, Some(Ordering::Less | Ordering::Greater))
    {
        return Err(format!(
            "{a:?} and {b:?} should be incomparable, got {ab:?}"
        ));
    }
    if dt.equal(a, &no_ns, b, &no_ns) {
        return Err(format!("{a:?} and {b:?} compare equal"));
    }
    // The bound facets must agree with the order.
    let bound = |facet: &str, limit: &str, v: &str| -> Result<bool, String> {
        let d = Datatype::new(dt.name(), &[(facet.to_string(), limit.to_string())])
            .map_err(|e| e.to_string())?;
        Ok(d.check(v, &no_ns).is_ok())
    };
    let checks = [
        ("maxExclusive", b, a, less),
        ("minExclusive", a, b, less),
        ("maxInclusive", a, b, false),
        ("minInclusive", b, a, false),
    ];
    for (facet, limit, v, want) in checks {
        if bound(facet, limit, v)? != want {
            return Err(format!(
                "{facet} {limit:?} {} {v:?}",
                if want { "rejects" } else { "accepts" }
            ));
        }
    }
    Ok(())
}

fn length_direct(name: &str, value: &str, len: u64) -> Result<(), String> {
    let no_ns = |_: &str| None;
    let with = |facet: &str, n: u64| {
        Datatype::new(name, &[(facet.to_string(), n.to_string())])
            .map_err(|e| e.to_string())
            .map(|d| d.check(value, &no_ns).is_ok())
    };
    if !with("length", len)? {
        return Err(format!("{value:?} should have length {len}"));
    }
    if with("length", len + 1)? || with("minLength", len + 1)? {
        return Err(format!("{value:?} is accepted with length {}", len + 1));
    }
    if len > 0 && with("maxLength", len - 1)? {
        return Err(format!("{value:?} is accepted with maxLength {}", len - 1));
    }
    Ok(())
}

fn equiv_pipeline(p: &mut Pipeline, name: &str, classes: &[Vec<Node>]) -> Result<(), String> {
    for (i, ci) in classes.iter().enumerate() {
        let Some(rep) = ci.first() else { continue };
        let schema = value_schema(name, *rep);
        for (j, cj) in classes.iter().enumerate() {
            for b in cj {
                let v = b.text().unwrap_or("");
                let got = p.validate(&schema, v, *b, None);
                if got.is_ok() != (i == j) {
                    return Err(format!(
                        "<value>{:?}</value> {} {v:?}{}",
                        rep.text().unwrap_or(""),
                        if i == j { "rejects" } else { "accepts" },
                        got.err().map(|e| format!(": {e}")).unwrap_or_default()
                    ));
                }
            }
        }
    }
    Ok(())
}

fn order_pipeline(
    p: &mut Pipeline,
    name: &str,
    a: &str,
    b: &str,
    less: bool,
    ctx: Node,
) -> Result<(), String> {
    for (facet, limit, v) in [("maxExclusive", b, a), ("minExclusive", a, b)] {
        let schema = data_schema(name, &[(facet, limit)]);
        let got = p.validate(&schema, v, ctx, None);
        if got.is_ok() != less {
            return Err(format!(
                "{facet} {limit:?} {} {v:?}{}",
                if less { "rejects" } else { "accepts" },
                got.err().map(|e| format!(": {e}")).unwrap_or_default()
            ));
        }
    }
    Ok(())
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\n' => out.push_str("&#xA;"),
            '\t' => out.push_str("&#x9;"),
            c => out.push(c),
        }
    }
    out
}

/// `xmlns:p="…"` declarations for the namespaces in scope at `node` (except `xml`).
fn ns_decls(node: Node) -> String {
    let mut out = String::new();
    for ns in node.namespaces() {
        match ns.name() {
            Some("xml") => {}
            Some(p) => out.push_str(&format!(" xmlns:{p}=\"{}\"", escape(ns.uri()))),
            None => out.push_str(&format!(" xmlns=\"{}\"", escape(ns.uri()))),
        }
    }
    out
}

fn data_schema(name: &str, params: &[(&str, &str)]) -> String {
    let params: String = params
        .iter()
        .map(|(n, v)| format!("<param name=\"{n}\">{}</param>", escape(v)))
        .collect();
    let data = format!("<data type=\"{name}\">{params}</data>");
    // DTD compatibility lets ID types occur only as the whole content of an attribute.
    let content = if matches!(name, "ID" | "IDREF" | "IDREFS") {
        format!("<attribute name=\"a\">{data}</attribute>")
    } else {
        data
    };
    format!(
        "<element name=\"doc\" xmlns=\"http://relaxng.org/ns/structure/1.0\" \
         datatypeLibrary=\"{XSD}\">{content}</element>"
    )
}

fn value_schema(name: &str, value: Node) -> String {
    // The value's namespace declarations go on <value> itself (for QName values); the RELAX NG
    // namespace is bound to a prefix so that it cannot capture an unprefixed QName.
    let mut decls = String::new();
    for ns in value.namespaces() {
        match ns.name() {
            Some("xml") | Some("rng") => {}
            Some(p) => decls.push_str(&format!(" xmlns:{p}=\"{}\"", escape(ns.uri()))),
            None => decls.push_str(&format!(" xmlns=\"{}\"", escape(ns.uri()))),
        }
    }
    if !decls.contains(" xmlns=") {
        decls.push_str(" xmlns=\"\"");
    }
    format!(
        "<rng:element name=\"doc\" ns=\"\" xmlns:rng=\"http://relaxng.org/ns/structure/1.0\" \
         datatypeLibrary=\"{XSD}\"><rng:value type=\"{name}\"{decls}>{}</rng:value></rng:element>",
        escape(value.text().unwrap_or(""))
    )
}

/// Writes schemas and documents to a temporary directory and runs the real pipeline.
struct Pipeline {
    dir: tempfile::TempDir,
    counter: usize,
}

impl Pipeline {
    fn new() -> anyhow::Result<Pipeline> {
        Ok(Pipeline {
            dir: tempfile::tempdir().context("creating a temporary directory")?,
            counter: 0,
        })
    }

    fn schema_path(&mut self, schema: &str) -> Result<PathBuf, String> {
        self.counter += 1;
        let path = self.dir.path().join(format!("s{}.rng", self.counter));
        std::fs::write(&path, schema).map_err(|e| format!("writing the schema: {e}"))?;
        Ok(path)
    }

    /// A trivial schema and document: does loading and validating work at all?
    fn control(&mut self) -> Result<(), String> {
        let schema = format!(
            "<element name=\"doc\" xmlns=\"http://relaxng.org/ns/structure/1.0\" \
             datatypeLibrary=\"{XSD}\"><data type=\"integer\"/></element>"
        );
        let path = self.schema_path(&schema)?;
        let grammar = load(&path)?;
        let good =
            teikit_xml::Document::parse("<doc>42</doc>").map_err(|e| e.message.to_string())?;
        let bad = teikit_xml::Document::parse("<doc>x</doc>").map_err(|e| e.message.to_string())?;
        errors(&grammar.validate(&good)).map_err(|e| format!("a valid control document: {e}"))?;
        if errors(&grammar.validate(&bad)).is_ok() {
            return Err("an invalid control document was accepted".into());
        }
        Ok(())
    }

    /// Validates `<doc>value</doc>` (with the namespaces in scope at `ctx`) against `schema`;
    /// `Err` says why it is invalid, or that loading failed (prefixed `schema:`).
    fn validate(
        &mut self,
        schema: &str,
        value: &str,
        ctx: Node,
        internal_subset: Option<&str>,
    ) -> Result<(), String> {
        let path = self.schema_path(schema)?;
        let grammar = load(&path).map_err(|e| format!("schema: {e}"))?;
        let doctype = internal_subset
            .map(|s| format!("<!DOCTYPE doc [{s}]>"))
            .unwrap_or_default();
        let text = if schema.contains("<attribute") {
            format!("{doctype}<doc{} a=\"{}\"/>", ns_decls(ctx), escape(value))
        } else {
            format!("{doctype}<doc{}>{}</doc>", ns_decls(ctx), escape(value))
        };
        let doc =
            teikit_xml::Document::parse(&text).map_err(|e| format!("instance: {}", e.message))?;
        errors(&grammar.validate(&doc))
    }
}

fn load(path: &Path) -> Result<teikit_validate::Grammar, String> {
    match teikit_relaxng::load(path, &Default::default()) {
        Ok(schema) => Ok(teikit_validate::Grammar::new(schema)),
        Err(e) => Err(format!(
            "the schema did not load{}",
            e.errors
                .first()
                .map(|(_, d)| format!(": {}", d.message))
                .unwrap_or_default()
        )),
    }
}

fn errors(diags: &[teikit_diagnostics::Diagnostic]) -> Result<(), String> {
    match diags.iter().find(|d| d.severity == Severity::Error) {
        Some(d) => Err(format!("{}: {}", d.code, d.message)),
        None => Ok(()),
    }
}
