//! The `spectest` conformance suite: James Clark's RELAX NG test suite
//! (`rng-tests/jing-trang/mod/rng-validate/test/spectest.xml`).
//!
//! Each `testCase` is numbered in document order (`spectest/case-017`). Its `correct`
//! schema must load and its `incorrect` schema must be rejected; for a correct schema each
//! `valid`/`invalid` document (`spectest/case-017/valid-2`) must validate without / with an
//! error. `resource` and `dir` elements are written into a temporary directory next to the
//! schema so that include and externalRef find them.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use teikit_diagnostics::Severity;

use super::SuiteResult;

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    let path = shared.join("rng-tests/jing-trang/mod/rng-validate/test/spectest.xml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    // roxmltree cannot parse entity values that contain markup built from character
    // references (`<!ENTITY dii "<&#xE14;&#xE35;/>">`), so internal entities are expanded here.
    let text = expand_internal_entities(&text);
    let doc =
        roxmltree::Document::parse(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut result = SuiteResult::new();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testCase"))
        .collect();
    for (i, case) in cases.iter().enumerate() {
        run_case(&format!("spectest/case-{:03}", i + 1), *case, &mut result)?;
    }
    Ok(result)
}

fn run_case(
    name: &str,
    case: roxmltree::Node<'_, '_>,
    result: &mut SuiteResult,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    write_resources(case, dir.path())?;
    let Some(schema_holder) = case
        .children()
        .find(|c| c.has_tag_name("correct") || c.has_tag_name("incorrect"))
    else {
        result.record(
            name,
            Err("test case has no correct/incorrect schema".into()),
        );
        return Ok(());
    };
    let correct = schema_holder.has_tag_name("correct");
    let schema_path = dir.path().join("__schema__.rng");
    std::fs::write(&schema_path, element_content(schema_holder))?;
    let loaded = teikit_relaxng::load(&schema_path, &Default::default());
    let schema = match (correct, loaded) {
        (true, Ok(s)) => {
            result.record(name, Ok(()));
            s
        }
        (true, Err(e)) => {
            let why = e
                .errors
                .first()
                .map(|(_, d)| format!("{}: {}", d.code, d.message))
                .unwrap_or_else(|| "no diagnostic".into());
            result.record(name, Err(format!("correct schema rejected: {why}")));
            return Ok(());
        }
        (false, Ok(_)) => {
            result.record(name, Err("incorrect schema accepted".into()));
            return Ok(());
        }
        (false, Err(e)) => {
            if e.errors.is_empty() {
                result.record(
                    name,
                    Err("incorrect schema rejected without a diagnostic".into()),
                );
            } else {
                result.record(name, Ok(()));
            }
            return Ok(());
        }
    };
    let grammar = teikit_validate::Grammar::new(schema);
    let mut nvalid = 0;
    let mut ninvalid = 0;
    for child in case.children().filter(|c| c.is_element()) {
        let expect_valid = match child.tag_name().name() {
            "valid" => true,
            "invalid" => false,
            _ => continue,
        };
        let case_name = if expect_valid {
            nvalid += 1;
            format!("{name}/valid-{nvalid}")
        } else {
            ninvalid += 1;
            format!("{name}/invalid-{ninvalid}")
        };
        let text = element_content(child);
        let doc = match teikit_xml::read(&text, &Default::default()) {
            Ok(d) => d,
            Err(e) => {
                result.record(
                    case_name,
                    Err(format!("instance does not parse: {}", e.message)),
                );
                continue;
            }
        };
        let diags = grammar.validate(&doc);
        let first_error = diags.iter().find(|d| d.severity == Severity::Error);
        let outcome = match (expect_valid, first_error) {
            (true, None) | (false, Some(_)) => Ok(()),
            (true, Some(d)) => Err(format!(
                "valid document rejected: {}: {}",
                d.code, d.message
            )),
            (false, None) => Err("invalid document accepted".into()),
        };
        result.record(case_name, outcome);
    }
    Ok(())
}

/// Writes `resource` and `dir` children of `node` into `dir`.
fn write_resources(node: roxmltree::Node<'_, '_>, dir: &Path) -> anyhow::Result<()> {
    for c in node.children().filter(|c| c.is_element()) {
        match c.tag_name().name() {
            "resource" => {
                let name = c.attribute("name").context("resource without a name")?;
                std::fs::write(dir.join(name), element_content(c))?;
            }
            "dir" => {
                let name = c.attribute("name").context("dir without a name")?;
                let sub = dir.join(name);
                std::fs::create_dir_all(&sub)?;
                write_resources(c, &sub)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The content of a holder element as a document: its element child serialized with every
/// in-scope namespace declared, or its text when it has no element child.
pub(super) fn element_content(holder: roxmltree::Node<'_, '_>) -> String {
    match holder.children().find(|c| c.is_element()) {
        Some(e) => {
            let mut out = String::new();
            serialize(e, &mut out);
            out
        }
        None => holder.text().unwrap_or("").to_string(),
    }
}

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Serializes an element; namespace declarations are repeated on every element (with
/// `xmlns=""` where there is no default namespace), which is verbose but always correct.
fn serialize(node: roxmltree::Node<'_, '_>, out: &mut String) {
    let name = qualified(
        node,
        node.tag_name().namespace(),
        node.tag_name().name(),
        true,
    );
    out.push('<');
    out.push_str(&name);
    let mut has_default = false;
    for ns in node.namespaces() {
        match ns.name() {
            Some("xml") => {}
            Some(p) => {
                let _ = write!(out, " xmlns:{p}=\"{}\"", escape(ns.uri(), true));
            }
            None => {
                has_default = true;
                let _ = write!(out, " xmlns=\"{}\"", escape(ns.uri(), true));
            }
        }
    }
    if !has_default {
        out.push_str(" xmlns=\"\"");
    }
    for a in node.attributes() {
        let an = qualified(node, a.namespace(), a.name(), false);
        let _ = write!(out, " {an}=\"{}\"", escape(a.value(), true));
    }
    out.push('>');
    for c in node.children() {
        if c.is_element() {
            serialize(c, out);
        } else if c.is_text() {
            out.push_str(&escape(c.text().unwrap_or(""), false));
        }
    }
    let _ = write!(out, "</{name}>");
}

fn qualified(
    node: roxmltree::Node<'_, '_>,
    ns: Option<&str>,
    local: &str,
    element: bool,
) -> String {
    let Some(uri) = ns else {
        return local.to_string();
    };
    if uri == XML_NS {
        return format!("xml:{local}");
    }
    let mut prefixes = node.namespaces().filter(|n| n.uri() == uri);
    let prefix = if element {
        if prefixes.clone().any(|n| n.name().is_none()) {
            None
        } else {
            prefixes.find_map(|n| n.name())
        }
    } else {
        prefixes.find_map(|n| n.name())
    };
    match prefix {
        Some(p) => format!("{p}:{local}"),
        None => local.to_string(),
    }
}

fn escape(s: &str, attr: bool) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '&' => o.push_str("&amp;"),
            '>' => o.push_str("&gt;"),
            '"' if attr => o.push_str("&quot;"),
            '\r' => o.push_str("&#13;"),
            '\n' if attr => o.push_str("&#10;"),
            '\t' if attr => o.push_str("&#9;"),
            _ => o.push(c),
        }
    }
    o
}

/// Removes the internal DTD subset and expands the general entities it declares (their
/// values' character references resolved first). Only `<!ENTITY name "value">` is handled.
fn expand_internal_entities(text: &str) -> String {
    let Some(start) = text.find("<!DOCTYPE") else {
        return text.to_string();
    };
    let Some(end) = text[start..].find("]>").map(|e| start + e + 2) else {
        return text.to_string();
    };
    let dtd = &text[start..end];
    let mut entities = Vec::new();
    let mut rest = dtd;
    while let Some(i) = rest.find("<!ENTITY") {
        rest = &rest[i + 8..];
        let decl = rest.trim_start();
        let name_end = decl.find(char::is_whitespace).unwrap_or(decl.len());
        let name = &decl[..name_end];
        let after = decl[name_end..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(close) = after[1..].find(q) else {
            continue;
        };
        entities.push((format!("&{name};"), resolve_char_refs(&after[1..1 + close])));
    }
    let mut body = format!("{}{}", &text[..start], &text[end..]);
    for (r, v) in entities {
        body = body.replace(&r, &v);
    }
    body
}

fn resolve_char_refs(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let Some(semi) = tail.find(';') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let num = &tail[..semi];
        let c = match num.strip_prefix('x') {
            Some(h) => u32::from_str_radix(h, 16).ok(),
            None => num.parse().ok(),
        }
        .and_then(char::from_u32);
        match c {
            Some(c) => out.push(c),
            None => out.push_str(&rest[i..i + 3 + semi]),
        }
        rest = &tail[semi + 1..];
    }
    out.push_str(rest);
    out
}
