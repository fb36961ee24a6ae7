//! End to end: a schema loaded from RELAX NG XML syntax by `teikit-relaxng`, documents
//! validated through the tree API, the event API and from several threads at once.

use teikit_diagnostics::{Diagnostic, LineIndex, Severity, Span};
use teikit_validate::{Grammar, Name};

const SCHEMA: &str = r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0"
    datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes"
    ns="http://www.tei-c.org/ns/1.0">
  <start><ref name="TEI"/></start>
  <define name="TEI">
    <element name="TEI">
      <ref name="id"/>
      <element name="teiHeader"><element name="title"><text/></element></element>
      <element name="text">
        <oneOrMore><ref name="p"/></oneOrMore>
      </element>
    </element>
  </define>
  <define name="id">
    <optional>
      <attribute name="xml:id" ns="http://www.w3.org/XML/1998/namespace"><data type="ID"/></attribute>
    </optional>
  </define>
  <define name="p">
    <element name="p">
      <ref name="id"/>
      <optional><attribute name="n"><data type="positiveInteger"/></attribute></optional>
      <zeroOrMore>
        <choice>
          <text/>
          <ref name="persName"/>
          <element name="date">
            <ref name="id"/>
            <attribute name="when"><data type="date"/></attribute>
            <text/>
          </element>
          <element name="ptr">
            <attribute name="target"><data type="IDREF"/></attribute>
          </element>
          <element name="num"><data type="integer"/></element>
        </choice>
      </zeroOrMore>
    </element>
  </define>
  <define name="persName">
    <element name="persName"><ref name="id"/><text/></element>
  </define>
</grammar>
"#;

fn grammar() -> Grammar {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("mini.rng");
    std::fs::write(&path, SCHEMA).expect("write schema");
    let schema = match teikit_relaxng::load(&path, &Default::default()) {
        Ok(s) => s,
        Err(e) => panic!("schema does not load: {:?}", e.errors),
    };
    Grammar::new(schema)
}

fn doc(body: &str) -> String {
    format!(
        "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\">\n<teiHeader><title>t</title></teiHeader>\n<text>\n{body}\n</text>\n</TEI>\n"
    )
}

fn errors(g: &Grammar, text: &str) -> Vec<Diagnostic> {
    let d = teikit_xml::Document::parse(text).expect("well-formed");
    g.validate(&d)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

fn at(text: &str, s: Span) -> &str {
    &text[s.offset..s.end()]
}

#[test]
fn valid_document() {
    let g = grammar();
    let t = doc(
        r#"<p xml:id="p1" n="3">Anna <persName>Maria</persName> wrote on
<date when="1850-02-28">the last day</date>. <num> 12 </num><ptr target="p1"/></p>"#,
    );
    assert_eq!(errors(&g, &t), vec![]);
}

#[test]
fn errors_have_spans_context_and_expected() {
    let g = grammar();
    let t = doc(concat!(
        "<p n=\"0\"><persname>x</persname></p>\n",
        "<p><date when=\"1850-02-30\">x</date><num>twelve</num></p>\n",
        "<p xml:id=\"a\"/><p xml:id=\"a\"><ptr target=\"nowhere\"/></p>"
    ));
    let e = errors(&g, &t);
    let codes: Vec<&str> = e.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "rng/invalid-attribute-value",
            "rng/element-not-allowed",
            "rng/invalid-attribute-value",
            "rng/invalid-data",
            "rng/duplicate-id",
            "rng/dangling-idref",
        ]
    );
    let idx = LineIndex::new(t.as_bytes());
    let pos = |d: &Diagnostic| idx.line_col(t.as_bytes(), d.primary_span().unwrap().offset);
    assert_eq!(at(&t, e[0].primary_span().unwrap()), "0");
    assert_eq!(at(&t, e[1].primary_span().unwrap()), "persname");
    assert_eq!(pos(&e[1]), (4, 11));
    assert_eq!(e[1].context.as_deref(), Some("/TEI/text/p/persname"));
    assert_eq!(
        e[1].help.as_deref(),
        Some("did you mean <persName>? element names are case-sensitive")
    );
    assert!(e[1].expected.iter().any(|x| x == "persName"));
    assert!(e[1].expected.iter().any(|x| x == "text"));
    assert!(e[1].expected.iter().any(|x| x == "</p>"));
    assert_eq!(at(&t, e[2].primary_span().unwrap()), "1850-02-30");
    assert_eq!(e[2].context.as_deref(), Some("/TEI/text/p[2]/date"));
    assert_eq!(at(&t, e[3].primary_span().unwrap()), "twelve");
    assert_eq!(at(&t, e[4].primary_span().unwrap()), "a");
    assert_eq!(e[4].labels.len(), 2);
    assert_eq!(e[4].context.as_deref(), Some("/TEI/text/p[4]"));
    assert_eq!(at(&t, e[5].primary_span().unwrap()), "nowhere");
}

/// A mistake repeated on many elements is reported each time with its own span and context,
/// and a different element or attribute gets its own words.
#[test]
fn repeated_attribute_errors() {
    let g = grammar();
    let t = doc(concat!(
        "<p rend=\"a\">x</p><p rend=\"b\">y</p>\n",
        "<p><persName rend=\"c\">z</persName></p><p type=\"d\"/>",
    ));
    let e = errors(&g, &t);
    let summary: Vec<(&str, &str, Option<&str>, Option<&str>)> = e
        .iter()
        .map(|d| {
            (
                at(&t, d.primary_span().unwrap()),
                d.message.as_str(),
                d.context.as_deref(),
                d.url.as_deref(),
            )
        })
        .collect();
    let url_p = Some("https://tei-c.org/release/doc/tei-p5-doc/en/html/ref-p.html");
    let url_pers = Some("https://tei-c.org/release/doc/tei-p5-doc/en/html/ref-persName.html");
    assert_eq!(
        summary[..4],
        [
            (
                "rend",
                "attribute @rend is not allowed on <p>",
                Some("/TEI/text/p"),
                url_p
            ),
            (
                "rend",
                "attribute @rend is not allowed on <p>",
                Some("/TEI/text/p[2]"),
                url_p
            ),
            (
                "rend",
                "attribute @rend is not allowed on <persName>",
                Some("/TEI/text/p[3]/persName"),
                url_pers
            ),
            (
                "type",
                "attribute @type is not allowed on <p>",
                Some("/TEI/text/p[4]"),
                url_p
            ),
        ]
    );
    assert_eq!(e.len(), 4);
    assert_eq!(e[0].expected, e[1].expected);
}

#[test]
fn incomplete_and_missing() {
    let g = grammar();
    let t = doc("<p><date>x</date></p>");
    let e = errors(&g, &t);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].code, "rng/missing-attribute");
    assert_eq!(
        e[0].message,
        "element <date> is missing required attribute @when"
    );
    let t = "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><teiHeader><title/></teiHeader><text></text></TEI>";
    let e = errors(&g, t);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].code, "rng/incomplete-content");
    assert_eq!(at(t, e[0].primary_span().unwrap()), "</text>");
    assert_eq!(
        e[0].message,
        "element <text> is incomplete: missing required <p>"
    );
}

#[test]
fn shared_across_threads() {
    let g = grammar();
    let good = doc("<p>a <persName>b</persName></p>");
    let bad = doc("<p><q/></p>");
    let expect_good = errors(&g, &good).len();
    let expect_bad = errors(&g, &bad).len();
    assert_eq!((expect_good, expect_bad), (0, 1));
    std::thread::scope(|s| {
        for i in 0..4 {
            let (g, good, bad) = (&g, &good, &bad);
            s.spawn(move || {
                for _ in 0..50 {
                    let t = if i % 2 == 0 { good } else { bad };
                    let n = errors(g, t).len();
                    assert_eq!(n, if i % 2 == 0 { 0 } else { 1 });
                }
            });
        }
    });
}

#[test]
fn event_api_matches_tree_api() {
    struct NoNs;
    impl teikit_relaxng::datatype::NamespaceContext for NoNs {
        fn resolve(&self, _: &str) -> Option<&str> {
            None
        }
    }
    const TEI: &str = "http://www.tei-c.org/ns/1.0";
    let g = grammar();
    let mut m = g.matcher();
    let name = |local| Name {
        ns: TEI,
        local,
        qname: local,
    };
    let sp = Span::new(0, 1);
    m.start_tag_open(name("TEI"), sp, &NoNs);
    m.start_tag_close(sp);
    m.start_tag_open(name("teiHeader"), sp, &NoNs);
    m.start_tag_close(sp);
    m.start_tag_open(name("title"), sp, &NoNs);
    m.start_tag_close(sp);
    m.end_tag(sp, &NoNs);
    m.end_tag(sp, &NoNs);
    m.start_tag_open(name("text"), sp, &NoNs);
    m.start_tag_close(sp);
    m.start_tag_open(name("p"), sp, &NoNs);
    m.attribute(
        Name {
            ns: "",
            local: "n",
            qname: "n",
        },
        "7",
        &NoNs,
        sp,
        sp,
    );
    m.start_tag_close(sp);
    m.text("some ", Span::new(10, 5));
    m.text("text", Span::new(20, 4));
    m.start_tag_open(name("num"), sp, &NoNs);
    m.start_tag_close(sp);
    m.text("4", Span::new(30, 1));
    m.text("2", Span::new(35, 1));
    m.end_tag(sp, &NoNs);
    m.end_tag(sp, &NoNs);
    m.end_tag(sp, &NoNs);
    m.end_tag(sp, &NoNs);
    assert_eq!(m.finish(), vec![]);
}
