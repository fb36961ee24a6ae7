//! XInclude processing on files in a temporary folder.

use std::path::{Path, PathBuf};

use teikit_diagnostics::{Diagnostic, Span};
use teikit_xinclude::{expand, Expanded, Options};

const XI: &str = "xmlns:xi=\"http://www.w3.org/2001/XInclude\"";

struct Dir(tempfile::TempDir);

impl Dir {
    fn new(files: &[(&str, &str)]) -> Dir {
        let d = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = d.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Dir(d)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    fn expand(&self, name: &str) -> Expanded {
        let p = self.path(name);
        let text = std::fs::read_to_string(&p).unwrap();
        let e = expand(&p, &text, &Options::default());
        // Whatever happened, the merged text is well-formed when the inputs are.
        if !e.has_errors() {
            teikit_xml::parse(&e.text, &Default::default())
                .unwrap_or_else(|d| panic!("{d:?} in {}", e.text));
        }
        check_map(&e);
        e
    }
}

/// Every element's start tag in the merged text maps to the same start tag in its file, and
/// its text content to the same text.
fn check_map(e: &Expanded) {
    let Ok(doc) = teikit_xml::parse(&e.text, &Default::default()) else {
        return;
    };
    for n in doc.descendants() {
        let r = n.range();
        let merged = &e.text[r.clone()];
        let (f, o) = e.map.locate(r.start);
        let origin = &e.files[f].text[o..];
        if n.is_element() {
            let name_len = 1 + n.tag_name().name().len();
            assert!(
                origin.starts_with(&merged[..name_len.min(merged.len())]),
                "{merged:?} maps to {:?}",
                &origin[..origin.len().min(40)]
            );
        } else if n.is_text() && !merged.contains('&') {
            assert!(
                origin.starts_with(merged),
                "{merged:?} maps to {:?}",
                &origin[..origin.len().min(40)]
            );
        }
    }
}

fn codes(e: &Expanded) -> Vec<&str> {
    e.diagnostics.iter().map(|(_, d)| d.code.as_str()).collect()
}

fn main_doc(body: &str) -> String {
    format!("<TEI xmlns=\"http://www.tei-c.org/ns/1.0\" {XI}>{body}</TEI>")
}

#[test]
fn without_the_namespace_the_text_is_returned_unchanged() {
    let text = "<TEI><teiHeader/></TEI>";
    let e = expand(Path::new("/nonexistent/a.xml"), text, &Options::default());
    assert!(e.is_identity());
    assert_eq!(e.text, text);
    let d = Diagnostic::error("x/y", "m").with_label(Span::new(5, 3), "");
    assert_eq!(e.remap(d.clone()), (0, d));
}

#[test]
fn header_is_pulled_from_another_file_with_base_fixup() {
    let main = main_doc("<xi:include href=\"header.xml\"/><text/>");
    let header = "<?xml version=\"1.0\"?>\n<teiHeader xmlns=\"http://www.tei-c.org/ns/1.0\"><fileDesc/></teiHeader>\n";
    let d = Dir::new(&[("main.xml", &main), ("header.xml", header)]);
    let e = d.expand("main.xml");
    assert!(e.diagnostics.is_empty(), "{:?}", e.diagnostics);
    assert_eq!(
        e.text,
        main_doc("<teiHeader xml:base=\"header.xml\" xmlns=\"http://www.tei-c.org/ns/1.0\"><fileDesc/></teiHeader><text/>")
    );
    assert_eq!(e.files.len(), 2);
    // <fileDesc/> in the merged text is in header.xml.
    let at = e.text.find("<fileDesc").unwrap();
    let (file, off) = e.map.locate(at);
    assert_eq!(file, 1);
    assert_eq!(&header[off..off + 9], "<fileDesc");
    // A diagnostic there is moved into header.xml.
    let diag =
        Diagnostic::error("rng/element-not-allowed", "bad").with_label(Span::new(at, 11), "here");
    let (f, moved) = e.remap(diag);
    assert_eq!(f, 1);
    assert_eq!(moved.labels[0].span, Span::new(off, 11));
    // A diagnostic on the added xml:base attribute points at the included element's name in
    // its file (as jing reports it), with a note.
    let base_at = e.text.find("xml:base").unwrap();
    let (f, moved) = e.remap(
        Diagnostic::error("rng/element-not-allowed", "attribute not allowed")
            .with_label(Span::new(base_at, 8), ""),
    );
    assert_eq!(f, 1);
    let s = moved.labels[0].span;
    assert_eq!(&header[s.offset..s.end()], "<teiHeader");
    assert!(moved.help.unwrap().contains("xml:base was added"));
    // The text after the include maps back to the main file.
    let text_at = e.text.find("<text/>").unwrap();
    assert_eq!(e.map.locate(text_at), (0, main.find("<text/>").unwrap()));
}

#[test]
fn labels_in_other_files_become_help_notes() {
    let main = main_doc("<xi:include href=\"h.xml\"/><after/>");
    let d = Dir::new(&[("main.xml", &main), ("h.xml", "<h>\n<inner/></h>")]);
    let e = d.expand("main.xml");
    let inner = e.text.find("<inner").unwrap();
    let after = e.text.find("<after").unwrap();
    let diag = Diagnostic::error("rng/element-not-allowed", "m")
        .with_label(Span::new(inner, 8), "primary")
        .with_secondary(Span::new(after, 8), "the other one");
    let (f, moved) = e.remap(diag);
    assert_eq!(f, 1);
    assert_eq!(moved.labels.len(), 1);
    assert!(moved.labels[0].primary);
    let help = moved.help.unwrap();
    assert!(
        help.contains("the other one: ") && help.ends_with("main.xml line 1"),
        "{help}"
    );
    // Grouped by file, with the expansion's own diagnostics.
    let groups = e.remap_all(vec![
        Diagnostic::error("rng/attribute-not-allowed", "n").with_label(Span::new(after, 2), "")
    ]);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].0, 0);
}

#[test]
fn only_the_unprefixed_href_names_the_target() {
    // A namespaced attribute of the same local name, written first, is not XInclude's.
    let main = main_doc("<xi:include xmlns:x=\"urn:x\" x:href=\"wrong.xml\" href=\"right.xml\"/>");
    let d = Dir::new(&[
        ("main.xml", &main),
        (
            "right.xml",
            "<p xmlns=\"http://www.tei-c.org/ns/1.0\">right</p>",
        ),
        (
            "wrong.xml",
            "<p xmlns=\"http://www.tei-c.org/ns/1.0\">wrong</p>",
        ),
    ]);
    let e = d.expand("main.xml");
    assert!(e.diagnostics.is_empty(), "{:?}", e.diagnostics);
    assert!(e.text.contains(">right</p>"), "{}", e.text);
    assert!(!e.text.contains("wrong"), "{}", e.text);
}

#[test]
fn missing_target_without_fallback_is_an_error_on_the_include() {
    let main = main_doc("<xi:include href=\"nope.xml\"/>");
    let d = Dir::new(&[("main.xml", &main)]);
    let e = d.expand("main.xml");
    assert_eq!(codes(&e), ["xinclude/missing-resource"]);
    let (f, diag) = &e.diagnostics[0];
    assert_eq!(*f, 0);
    let span = diag.primary_span().unwrap();
    assert_eq!(
        &main[span.offset..span.end()],
        "<xi:include href=\"nope.xml\"/>"
    );
    assert!(diag.message.contains("nope.xml"));
    assert_eq!(e.text, main_doc(""));
}

#[test]
fn missing_target_with_fallback_uses_the_fallback_and_its_includes() {
    let main = main_doc(
        "<xi:include href=\"nope.xml\"><xi:fallback><p>none</p><xi:include href=\"b.xml\"/></xi:fallback></xi:include>",
    );
    let d = Dir::new(&[
        ("main.xml", &main),
        ("b.xml", "<p xmlns=\"http://www.tei-c.org/ns/1.0\">b</p>"),
    ]);
    let e = d.expand("main.xml");
    assert!(e.diagnostics.is_empty(), "{:?}", e.diagnostics);
    assert_eq!(
        e.text,
        main_doc("<p>none</p><p xml:base=\"b.xml\" xmlns=\"http://www.tei-c.org/ns/1.0\">b</p>")
    );
    // An empty fallback yields nothing and no error.
    let main = main_doc("<xi:include href=\"nope.xml\"><xi:fallback/></xi:include>");
    let d = Dir::new(&[("main.xml", &main)]);
    let e = d.expand("main.xml");
    assert!(e.diagnostics.is_empty());
    assert_eq!(e.text, main_doc(""));
}

#[test]
fn loops_are_errors_not_hangs() {
    let a = format!("<a {XI}><xi:include href=\"b.xml\"/></a>");
    let b = format!("<b {XI}><xi:include href=\"a.xml\"/></b>");
    let d = Dir::new(&[("a.xml", &a), ("b.xml", &b)]);
    let e = d.expand("a.xml");
    assert_eq!(codes(&e), ["xinclude/loop"]);
    // Reported where the loop closes: in b.xml.
    assert_eq!(e.diagnostics[0].0, 1);
    // A file including itself.
    let s = format!("<a {XI}><xi:include href=\"s.xml\"/></a>");
    let d = Dir::new(&[("s.xml", &s)]);
    let e = d.expand("s.xml");
    assert_eq!(codes(&e), ["xinclude/loop"]);
    // Including the same file twice is no loop.
    let m = format!("<a {XI}><xi:include href=\"c.xml\"/><xi:include href=\"c.xml\"/></a>");
    let d = Dir::new(&[("m.xml", &m), ("c.xml", "<c/>")]);
    let e = d.expand("m.xml");
    assert!(e.diagnostics.is_empty());
    assert_eq!(e.files.len(), 2);
    assert_eq!(e.text.matches("<c xml:base").count(), 2);
}

#[test]
fn xpointer_element_scheme_and_shorthand() {
    let list = "<list xmlns=\"http://www.tei-c.org/ns/1.0\"><item xml:id=\"one\">1</item><item xml:id=\"two\"><hi>2</hi></item></list>";
    let main = main_doc(
        "<xi:include href=\"list.xml\" xpointer=\"element(/1/2)\"/>\
         <xi:include href=\"list.xml\" xpointer=\"one\"/>\
         <xi:include href=\"list.xml\" xpointer=\"element(two/1)\"/>\
         <xi:include href=\"list.xml\" xpointer=\"element(zzz) element(/1/1)\"/>",
    );
    let d = Dir::new(&[("main.xml", &main), ("list.xml", list)]);
    let e = d.expand("main.xml");
    assert!(e.diagnostics.is_empty(), "{:?}", e.diagnostics);
    // The selected elements inherit the TEI namespace in list.xml; here it is in scope already.
    assert_eq!(
        e.text,
        main_doc(
            "<item xml:base=\"list.xml\" xml:id=\"two\"><hi>2</hi></item>\
             <item xml:base=\"list.xml\" xml:id=\"one\">1</item>\
             <hi xml:base=\"list.xml\">2</hi>\
             <item xml:base=\"list.xml\" xml:id=\"one\">1</item>"
        )
    );
    // No match: a resource error (fallback or error); bad syntax: an error.
    let main = main_doc(
        "<xi:include href=\"list.xml\" xpointer=\"element(/1/9)\"/>\
         <xi:include href=\"list.xml\" xpointer=\"element(/x)\"/>\
         <xi:include href=\"list.xml\" xpointer=\"absent\"><xi:fallback>fb</xi:fallback></xi:include>",
    );
    let d = Dir::new(&[("main.xml", &main), ("list.xml", list)]);
    let e = d.expand("main.xml");
    assert_eq!(
        codes(&e),
        ["xinclude/missing-resource", "xinclude/bad-xpointer"]
    );
    assert_eq!(e.text, main_doc("fb"));
}

#[test]
fn xml_ids_can_be_ignored_as_xerces_does() {
    let main = main_doc(
        "<xi:include href=\"l.xml\" xpointer=\"one\"><xi:fallback>a</xi:fallback></xi:include>\
         <xi:include href=\"l.xml\" xpointer=\"element(one/1)\"><xi:fallback>b</xi:fallback></xi:include>\
         <xi:include href=\"l.xml\" xpointer=\"element(/1/1)\"/>",
    );
    let d = Dir::new(&[
        ("main.xml", &main),
        ("l.xml", "<l><i xml:id=\"one\"><x/></i></l>"),
    ]);
    let p = d.path("main.xml");
    let options = Options {
        xml_id_pointers: false,
        ..Options::default()
    };
    let e = expand(&p, &main, &options);
    assert!(e.diagnostics.is_empty(), "{:?}", e.diagnostics);
    assert_eq!(
        e.text,
        main_doc("ab<i xmlns=\"\" xml:base=\"l.xml\" xml:id=\"one\"><x/></i>")
    );
    let e = expand(&p, &main, &Options::default());
    assert_eq!(
        e.text,
        main_doc("<i xmlns=\"\" xml:base=\"l.xml\" xml:id=\"one\"><x/></i><x xmlns=\"\" xml:base=\"l.xml\"/><i xmlns=\"\" xml:base=\"l.xml\" xml:id=\"one\"><x/></i>")
    );
}

#[test]
fn parse_text_is_escaped_and_decoded() {
    let main = main_doc("<p><xi:include href=\"a.txt\" parse=\"text\"/>|<xi:include href=\"l.txt\" parse=\"text\" encoding=\"ISO-8859-1\"/>|<xi:include href=\"u.txt\" parse=\"text\" encoding=\"UTF-16\"/></p>");
    let d = Dir::new(&[("main.xml", &main), ("a.txt", "a < b & c > d")]);
    std::fs::write(d.path("l.txt"), b"caf\xE9").unwrap();
    let mut u16 = vec![0xFF, 0xFE];
    for c in "\u{263A}x".encode_utf16() {
        u16.extend(c.to_le_bytes());
    }
    std::fs::write(d.path("u.txt"), u16).unwrap();
    let e = d.expand("main.xml");
    assert!(e.diagnostics.is_empty(), "{:?}", e.diagnostics);
    assert_eq!(
        e.text,
        main_doc("<p>a &lt; b &amp; c &gt; d|caf\u{E9}|\u{263A}x</p>")
    );
    // An offset after an escape maps back correctly.
    let at = e.text.find(" c ").unwrap();
    assert_eq!(e.map.locate(at), (1, 7));
    // Invalid UTF-8 without encoding: an error.
    let main = main_doc("<p><xi:include href=\"l.txt\" parse=\"text\"/></p>");
    let d = Dir::new(&[("main.xml", &main)]);
    std::fs::write(d.path("l.txt"), b"caf\xE9").unwrap();
    assert_eq!(codes(&d.expand("main.xml")), ["xinclude/text-encoding"]);
}

#[test]
fn nested_includes_in_subfolders_resolve_relative_to_their_file() {
    let main = main_doc("<xi:include href=\"parts/a.xml\"/>");
    let a = format!(
        "<div xmlns=\"http://www.tei-c.org/ns/1.0\" {XI}><xi:include href=\"sub/b.xml\"/></div>"
    );
    let b = "<p xmlns=\"http://www.tei-c.org/ns/1.0\">deep<bad/></p>";
    let d = Dir::new(&[
        ("main.xml", &main),
        ("parts/a.xml", &a),
        ("parts/sub/b.xml", b),
    ]);
    let e = d.expand("main.xml");
    assert!(e.diagnostics.is_empty(), "{:?}", e.diagnostics);
    assert_eq!(e.files.len(), 3);
    assert!(
        e.text.contains(
            "<p xml:base=\"sub/b.xml\" xmlns=\"http://www.tei-c.org/ns/1.0\">deep<bad/></p>"
        ),
        "{}",
        e.text
    );
    let at = e.text.find("<bad/>").unwrap();
    let (f, diag) = e.remap(
        Diagnostic::error("rng/element-not-allowed", "not allowed")
            .with_label(Span::new(at, 6), ""),
    );
    assert_eq!(f, 2);
    assert_eq!(
        &b[diag.labels[0].span.offset..diag.labels[0].span.end()],
        "<bad/>"
    );
    assert_eq!(e.files[2].included_at.map(|(f, _)| f), Some(1));
}

#[test]
fn xml_base_changes_where_hrefs_resolve() {
    let main =
        format!("<doc {XI}><div xml:base=\"parts/\"><xi:include href=\"a.xml\"/></div></doc>");
    let d = Dir::new(&[("main.xml", &main), ("parts/a.xml", "<a/>")]);
    let e = d.expand("main.xml");
    assert!(e.diagnostics.is_empty(), "{:?}", e.diagnostics);
    assert!(e.text.contains("<a xml:base=\"a.xml\"/>"), "{}", e.text);
}

#[test]
fn namespaces_the_included_element_needs_are_declared() {
    // In-scope declarations of the included file's ancestors are carried, a default
    // namespace of the including context is undeclared, and conflicts are resolved.
    let main = format!("<TEI xmlns=\"http://www.tei-c.org/ns/1.0\" xmlns:x=\"urn:other\" {XI}><xi:include href=\"n.xml\" xpointer=\"element(/1/1)\"/><xi:include href=\"plain.xml\"/></TEI>");
    let n = "<wrap xmlns=\"urn:wrap\" xmlns:x=\"urn:x\"><x:item/></wrap>";
    let d = Dir::new(&[("main.xml", &main), ("n.xml", n), ("plain.xml", "<plain/>")]);
    let e = d.expand("main.xml");
    assert!(e.diagnostics.is_empty(), "{:?}", e.diagnostics);
    let doc = teikit_xml::parse(&e.text, &Default::default()).unwrap();
    let kids: Vec<_> = doc
        .root_element()
        .children()
        .filter(|c| c.is_element())
        .collect();
    assert_eq!(kids[0].tag_name().namespace(), Some("urn:x"));
    assert_eq!(kids[0].lookup_namespace_uri(None), Some("urn:wrap"));
    assert_eq!(kids[0].lookup_namespace_uri(Some("x")), Some("urn:x"));
    assert_eq!(kids[1].tag_name().namespace().unwrap_or(""), "");
    assert_eq!(kids[1].lookup_namespace_uri(None).unwrap_or(""), "");
    assert_eq!(kids[1].tag_name().name(), "plain");
}

#[test]
fn language_fixup_follows_the_included_files_language() {
    let main = format!("<doc xml:lang=\"de\" {XI}><xi:include href=\"a.xml\"/><xi:include href=\"b.xml\" xpointer=\"element(/1/1)\"/></doc>");
    let d = Dir::new(&[
        ("main.xml", &main),
        ("a.xml", "<a/>"),
        ("b.xml", "<b xml:lang=\"de\"><c/></b>"),
    ]);
    let e = d.expand("main.xml");
    assert!(
        e.text.contains("<a xml:base=\"a.xml\" xml:lang=\"\"/>"),
        "{}",
        e.text
    );
    assert!(e.text.contains("<c xml:base=\"b.xml\"/>"), "{}", e.text);
}

#[test]
fn malformed_included_file_is_reported_in_that_file() {
    let main = main_doc("<xi:include href=\"bad.xml\"/>");
    let d = Dir::new(&[("main.xml", &main), ("bad.xml", "<a><b></a>")]);
    let e = d.expand("main.xml");
    assert_eq!(e.diagnostics.len(), 1);
    assert_eq!(e.diagnostics[0].0, 1);
    assert!(e.diagnostics[0].1.code.starts_with("xml/"));
}

#[test]
fn remote_hrefs_are_never_fetched() {
    let main = main_doc("<xi:include href=\"https://example.org/h.xml\"/>");
    let d = Dir::new(&[("main.xml", &main)]);
    let e = d.expand("main.xml");
    assert_eq!(codes(&e), ["xinclude/remote"]);
    assert!(e.diagnostics[0]
        .1
        .message
        .contains("https://example.org/h.xml"));
}

#[test]
fn bad_attributes_and_misplaced_fallbacks() {
    let main = main_doc(
        "<xi:include href=\"a.xml#x\"/><xi:include href=\"a.xml\" parse=\"html\"/><xi:include/>\
         <xi:fallback/><xi:include href=\"a.xml\"><xi:include href=\"a.xml\"/></xi:include>",
    );
    let d = Dir::new(&[("main.xml", &main), ("a.xml", "<a/>")]);
    let e = d.expand("main.xml");
    assert_eq!(
        codes(&e),
        [
            "xinclude/bad-attribute",
            "xinclude/bad-attribute",
            "xinclude/bad-attribute",
            "xinclude/bad-fallback",
            "xinclude/bad-fallback"
        ]
    );
}

#[test]
fn same_document_references_are_resource_errors_as_in_xerces() {
    let main = main_doc(
        "<xi:include xpointer=\"element(/1/2)\"><xi:fallback>fb</xi:fallback></xi:include><p/>",
    );
    let d = Dir::new(&[("main.xml", &main)]);
    let e = d.expand("main.xml");
    assert!(e.diagnostics.is_empty());
    assert_eq!(e.text, main_doc("fb<p/>"));
}

#[test]
fn depth_and_size_are_bounded() {
    // A chain of 60 files, each including the next: stopped at the depth limit.
    let mut files = Vec::new();
    for i in 0..60 {
        files.push((
            format!("f{i}.xml"),
            format!("<f{i} {XI}><xi:include href=\"f{}.xml\"/></f{i}>", i + 1),
        ));
    }
    files.push(("f60.xml".into(), "<end/>".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let d = Dir::new(&refs);
    let e = d.expand("f0.xml");
    assert_eq!(codes(&e), ["xinclude/limit"]);
    // Size: a file included many times beyond the byte budget.
    let big = format!("<big>{}</big>", "x".repeat(1000));
    let main = format!(
        "<a {XI}>{}</a>",
        "<xi:include href=\"big.xml\"/>".repeat(20)
    );
    let d = Dir::new(&[("main.xml", &main), ("big.xml", &big)]);
    let p = d.path("main.xml");
    let e = expand(
        &p,
        &main,
        &Options {
            max_total_bytes: 5000,
            ..Options::default()
        },
    );
    assert_eq!(codes(&e), ["xinclude/limit"]);
    assert!(e.text.len() <= 5000);
}

#[test]
fn dtd_entities_of_included_files_are_reported() {
    let main = main_doc("<xi:include href=\"e.xml\"/>");
    let d = Dir::new(&[
        ("main.xml", &main),
        (
            "e.xml",
            "<!DOCTYPE a [<!ENTITY c \"Corpus\">]><a>&c;&amp;</a>",
        ),
    ]);
    let e = d.expand("main.xml");
    assert_eq!(codes(&e), ["xinclude/unsupported-entity"]);
    assert_eq!(e.diagnostics[0].0, 1);
}

#[test]
fn every_code_emitted_is_documented() {
    let documented: Vec<&str> = teikit_xinclude::CODES.iter().map(|c| c.code).collect();
    for c in [
        "xinclude/missing-resource",
        "xinclude/remote",
        "xinclude/loop",
        "xinclude/bad-attribute",
        "xinclude/bad-xpointer",
        "xinclude/bad-fallback",
        "xinclude/text-encoding",
        "xinclude/unsupported-entity",
        "xinclude/limit",
        "xinclude/not-element",
    ] {
        assert!(documented.contains(&c), "{c}");
    }
    let src = include_str!("../src/expand.rs");
    let mut rest = src;
    while let Some(i) = rest.find("\"xinclude/") {
        let tail = &rest[i + 1..];
        let code = &tail[..tail.find('"').unwrap()];
        assert!(documented.contains(&code), "{code} is not in CODES");
        rest = &tail[code.len()..];
    }
}
