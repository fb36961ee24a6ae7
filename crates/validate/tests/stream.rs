//! The streaming path against the tree path: for every document, the same verdict and the
//! same diagnostics (codes, messages, spans), or a fallback to the tree path.
//!
//! Documents: the converter's output for every transcription in `samples/` (valid against the
//! built-in schema), each under a set of mutations that break it in one place (grammar errors
//! and well-formedness errors), and crafted documents for each rule of teikit-xml's checker.

use std::io::BufReader;
use std::path::Path;

use teikit_diagnostics::{Diagnostic, Severity};
use teikit_validate::stream::{Fallback, StreamOptions, StreamOutcome};
use teikit_validate::Grammar;
use teikit_xml::Limits;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .parent()
        .unwrap()
}

fn archive() -> Grammar {
    let path = repo().join("schemas/teikit-archive.rng");
    match teikit_relaxng::load(&path, &Default::default()) {
        Ok(s) => Grammar::new(s),
        Err(e) => panic!("the built-in schema does not load: {:?}", e.errors),
    }
}

/// What the tree path (teikit-xml, then the validator) reports.
fn tree(g: &Grammar, text: &str) -> Vec<Diagnostic> {
    let mut storage = String::new();
    match teikit_xml::read_with_storage(text, &Limits::default(), &mut storage) {
        Ok(doc) => g.validate(&doc),
        Err(d) => vec![d],
    }
}

/// What the streaming path reports (through a small buffer, so tokens cross buffer
/// boundaries), or why it falls back.
fn stream(g: &Grammar, bytes: &[u8], options: &StreamOptions) -> Result<Vec<Diagnostic>, Fallback> {
    let reader = BufReader::with_capacity(16, bytes);
    match teikit_validate::validate_reader(g, reader, options).expect("reading memory") {
        StreamOutcome::Checked(r) => {
            let wf = !r.diagnostics.iter().any(|d| d.code.starts_with("xml/"));
            assert_eq!(r.well_formed, wf);
            Ok(r.diagnostics)
        }
        StreamOutcome::Fallback(f) => Err(f),
    }
}

/// Both paths agree on `text`; returns whether the stream read it itself.
fn same(g: &Grammar, text: &str) -> bool {
    let want = tree(g, text);
    let got = match stream(g, text.as_bytes(), &StreamOptions::default()) {
        Ok(d) => d,
        Err(f) => {
            eprintln!("falls back ({f}): {:?}", &text[..text.len().min(200)]);
            return false;
        }
    };
    assert_eq!(
        got.iter().any(|d| d.severity == Severity::Error),
        want.iter().any(|d| d.severity == Severity::Error),
        "verdicts differ on\n{text}\nstream: {got:#?}\ntree: {want:#?}"
    );
    assert_eq!(got, want, "diagnostics differ on\n{text}");
    true
}

fn converted() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(repo().join("samples"))
        .expect("samples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    for p in names {
        let input = std::fs::read(&p).expect("sample");
        let c = teikit_convert::convert(&input, &Default::default());
        if let Some(tei) = c.tei {
            out.push((p.display().to_string(), tei));
        }
    }
    assert!(out.len() >= 5, "the samples convert");
    out
}

/// One-place breakages of a valid document, each at several places.
fn mutations(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let starts: Vec<usize> = text
        .match_indices('<')
        .map(|(i, _)| i)
        .filter(|&i| text[i + 1..].starts_with(|c: char| c.is_ascii_alphabetic()))
        .collect();
    let ends: Vec<usize> = text.match_indices("</").map(|(i, _)| i).collect();
    let pick = |v: &[usize], k: usize| v.get(v.len() * k / 5).copied();
    for k in 1..5 {
        if let Some(i) = pick(&starts, k) {
            // rename the element (grammar error, or a mismatched end tag)
            out.push(format!("{}<zz{}", &text[..i], &text[i + 1..]));
            // a misspelled attribute, a duplicate attribute, a bad value, an undeclared prefix
            let name_end = i + 1 + text[i + 1..].find([' ', '>', '/']).unwrap();
            let (a, b) = text.split_at(name_end);
            out.push(format!("{a} rendd=\"x\"{b}"));
            out.push(format!("{a} n=\"1\" n=\"2\"{b}"));
            out.push(format!("{a} xml:id=\"  \"{b}"));
            out.push(format!("{a} q:x=\"1\"{b}"));
            out.push(format!("{a} a=\"x<y\"{b}"));
            out.push(format!("{a} a=\"&nbsp;\"{b}"));
            out.push(format!("{a}\u{1}{b}"));
            // text where only elements may be
            out.push(format!("{}stray &amp; text{}", &text[..i], &text[i..]));
        }
        if let Some(i) = pick(&ends, k) {
            // drop an end tag (unclosed or mismatched), or misspell it
            let e = i + text[i..].find('>').unwrap() + 1;
            out.push(format!("{}{}", &text[..i], &text[e..]));
            out.push(format!("{}</zz>{}", &text[..i], &text[e..]));
            out.push(format!("{}&bogus;{}", &text[..i], &text[i..]));
            out.push(format!("{}& {}", &text[..i], &text[i..]));
            out.push(format!("{}]]>{}", &text[..i], &text[i..]));
            out.push(format!("{}<!-- a -- b -->{}", &text[..i], &text[i..]));
            out.push(format!("{}<![CDATA[1 < 2]]>{}", &text[..i], &text[i..]));
            out.push(format!("{}&#0;{}", &text[..i], &text[i..]));
            out.push(format!("{}\r\n&#x41;&lt;\r{}", &text[..i], &text[i..]));
        }
    }
    out.push(format!("{text}<extra/>"));
    out.push(format!("{text}trailing"));
    out.push(format!("junk{text}"));
    out.push(text.replacen("</TEI>", "", 1));
    out.push(format!("{text}</TEI>"));
    out
}

#[test]
fn converter_outputs_and_their_mutations() {
    let g = archive();
    let mut streamed = 0;
    let mut total = 0;
    for (name, tei) in converted() {
        assert!(same(&g, &tei), "{name} falls back");
        assert!(
            tree(&g, &tei).is_empty(),
            "{name} is valid against the built-in schema"
        );
        for m in mutations(&tei) {
            total += 1;
            if same(&g, &m) {
                streamed += 1;
            }
        }
    }
    // Every mutation above stays within what the stream reads itself.
    assert_eq!(streamed, total);
}

const DOCS: &[&str] = &[
    // well-formed and namespaces
    "<a/>",
    "\u{feff}<a/>",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a/>\n",
    "<?xml version='1.0' standalone='yes'?><a/>",
    "<!-- c --><?pi x?><a><?t?><!--x--></a><!-- after -->\n",
    "<a xmlns='urn:x' xmlns:p='urn:p' p:b='1'><p:c xmlns=''/></a>",
    "<a xml:lang='en' xml:space='preserve'>\t</a>",
    "<a b=\"&lt;&#x3e;&amp;&apos;&quot;&#233;\r\n\tc\"/>",
    // not well-formed
    "",
    "  \n",
    "<?xml version=\"1.0\"?>",
    "<TEI>\n  <p>text\n",
    "<TEI>\n  <p>text\n</TEI>",
    "<a>\n<b>x</c>\n</a>",
    "<a><b><c></a>",
    "</a>",
    "<a/></a>",
    "<a/><b/>",
    "<a/>x",
    "x<a/>",
    "<a b='1' b='2'/>",
    "<a xmlns:p='urn:p' xmlns:q='urn:p' p:b='1' q:b='2'/>",
    "<p:a/>",
    "<a p:b='1'/>",
    "<a xmlns:p=''/>",
    "<a xmlns:xmlns='urn:x'/>",
    "<a xmlns:xml='urn:x'/>",
    "<a xmlns:x='http://www.w3.org/XML/1998/namespace'/>",
    "<xmlns:a/>",
    "<a:b:c xmlns:a='urn:a'/>",
    "<a>\n x\0</a>",
    "<a>&#0;</a>",
    "<a>&#xD800;</a>",
    "<a>\u{1}</a>",
    "<a><b></a>\0",
    "<a>&nbsp;</a>",
    "<a>&</a>",
    "<a>&#xZ;</a>",
    "<a>&a b;</a>",
    "<a>]]></a>",
    "<a><!-- a -- b --></a>",
    "<a><!-- a ---></a>",
    "<a><?xml version='1.0'?></a>",
    "<a><?p:q x?></a>",
    "<a><?p\u{1}?></a>",
    "<a b=c/>",
    "<a b/>",
    "<a b='1'c='2'/>",
    "<a b='x<y'/>",
    "<a b='&nbsp;'/>",
    "<a <b/>",
    "<a/ >",
    "< a/>",
    "<a></ a>",
    "<a></a b>",
    "<a></a >",
    "<![CDATA[x]]><a/>",
    "<a/><![CDATA[x]]>",
    "<a><![CDATA[ x ]]></a>",
    "<a>x</a><!-- ok -->\n  \n",
    "<a/>\n<?xml version='1.0'?>",
];

/// A schema with attributes, data, lists, namespaces and IDs, to check the grammar
/// diagnostics of crafted documents too.
const SCHEMA: &str = r#"
default namespace = ""
namespace x = "urn:x"
start = element a { attribute id { xsd:ID }?, attribute b { text }?, attribute x:n { xsd:integer }?,
  (element b { text }* & element c { xsd:integer }? & element r { attribute to { xsd:IDREF } }*),
  mixed { element d { empty }* } }
"#;

#[test]
fn crafted_documents() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("s.rnc");
    std::fs::write(&path, SCHEMA).expect("write schema");
    let g = match teikit_relaxng::load(&path, &Default::default()) {
        Ok(s) => Grammar::new(s),
        Err(e) => panic!("schema does not load: {:?}", e.errors),
    };
    let mut docs: Vec<String> = DOCS.iter().map(|s| s.to_string()).collect();
    docs.extend(
        [
            "<a id='i1' b='x' xmlns:x='urn:x' x:n='12'><b>t</b><c> 7 </c><r to='i1'/></a>",
            "<a><c>seven</c></a>",
            "<a><c/></a>",
            "<a><c>1<!-- c -->2</c></a>",
            "<a><c><![CDATA[ 1]]>2</c></a>",
            "<a x:n='z' xmlns:x='urn:x'/>",
            "<a id='i1'><r to='i2'/><r to='i1'/></a>",
            "<a id='i1'><b id='i1'/></a>",
            "<a><e/><b>t<d/></b></a>",
            "<a>text &amp; <d/> more</a>",
            "<a><b>one</b><b>two</b><zz><b/></zz></a>",
            "<q/>",
            "<a c='1' B='2'/>",
        ]
        .map(String::from),
    );
    for d in &docs {
        assert!(same(&g, d), "falls back: {d:?}");
    }
}

#[test]
fn fallbacks() {
    let g = archive();
    let fb = |text: &[u8]| {
        let reader = BufReader::new(text);
        match teikit_validate::validate_reader(&g, reader, &StreamOptions::default()).unwrap() {
            StreamOutcome::Fallback(f) => Some(f),
            StreamOutcome::Checked(_) => None,
        }
    };
    assert_eq!(
        fb(b"<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>"),
        Some(Fallback::Doctype)
    );
    assert_eq!(
        fb(b"<!DOCTYPE a SYSTEM 'a.dtd'><a/>"),
        Some(Fallback::Doctype)
    );
    assert_eq!(fb(b"\xff\xfe<\0a\0/\0>\0"), Some(Fallback::Encoding));
    assert_eq!(
        fb(b"<?xml version='1.0' encoding='ISO-8859-1'?><a/>"),
        Some(Fallback::XmlDeclaration)
    );
    assert_eq!(fb(b"<a>caf\xe9</a>"), Some(Fallback::InvalidUtf8));
    // an error early, bytes that are not UTF-8 later: the tree path reports the bytes
    assert_eq!(fb(b"<a></b>\xe9"), Some(Fallback::InvalidUtf8));
    assert_eq!(fb(b"<a b='1"), Some(Fallback::UnclosedMarkup));
    assert_eq!(fb(b"<a><!-- x"), Some(Fallback::UnclosedMarkup));
    assert_eq!(fb(b"<a><?</a>"), Some(Fallback::UnclosedMarkup));
    let xi = b"<a xmlns:xi='http://www.w3.org/2001/XInclude'><xi:include href='b.xml'/></a>";
    assert_eq!(fb(xi), None);
    let options = StreamOptions {
        fallback_on_xinclude: true,
        ..StreamOptions::default()
    };
    let out = teikit_validate::validate_reader(&g, BufReader::new(&xi[..]), &options).unwrap();
    assert!(matches!(out, StreamOutcome::Fallback(Fallback::XInclude)));
}

#[test]
fn depth_limit_and_diagnostic_limit() {
    let g = archive();
    let deep = format!("{}{}", "<a>".repeat(1100), "</a>".repeat(1100));
    assert!(same(&g, &deep));
    // Many errors, a limit of 3: the first three of the full list.
    let tei = &converted()[0].1;
    let i = tei
        .find("<p>")
        .or_else(|| tei.find("<p "))
        .expect("a paragraph");
    let bad = format!("{}{}{}", &tei[..i], "<zz/>".repeat(50), &tei[i..]);
    let all = stream(&g, bad.as_bytes(), &StreamOptions::default()).unwrap();
    assert!(all.len() >= 50, "{}", all.len());
    let options = StreamOptions {
        max_diagnostics: Some(3),
        ..StreamOptions::default()
    };
    let first = stream(&g, bad.as_bytes(), &options).unwrap();
    assert_eq!(first, all[..3]);
}

#[test]
fn memo_is_shared_with_the_tree_path() {
    let g = archive();
    let (_, tei) = &converted()[0];
    assert!(same(&g, tei));
    let after_first = g.pattern_count();
    // The same document again, streamed and as a tree, from two threads: nothing new.
    std::thread::scope(|s| {
        s.spawn(|| {
            assert!(stream(&g, tei.as_bytes(), &StreamOptions::default())
                .unwrap()
                .is_empty())
        });
        s.spawn(|| assert!(tree(&g, tei).is_empty()));
    });
    assert_eq!(g.pattern_count(), after_first);
}
