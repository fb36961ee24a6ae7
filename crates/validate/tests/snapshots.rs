//! Snapshots of the human rendering (no colours, 100 columns) of every `rng/` diagnostic code,
//! so that a change in wording, spans, help, `expected` or links shows up in review.

use teikit_diagnostics::{FileReport, Format, RenderOptions};
use teikit_validate::Grammar;

const SCHEMA: &str = r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0"
    datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes"
    ns="http://www.tei-c.org/ns/1.0">
  <start><ref name="TEI"/></start>
  <define name="TEI">
    <element name="TEI">
      <element name="teiHeader">
        <element name="titleStmt">
          <element name="title"><text/></element>
          <zeroOrMore><element name="author"><text/></element></zeroOrMore>
        </element>
      </element>
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
    <element name="persName">
      <ref name="id"/>
      <optional>
        <attribute name="cert">
          <choice><value>high</value><value>medium</value><value>low</value></choice>
        </attribute>
      </optional>
      <text/>
    </element>
  </define>
</grammar>
"#;

fn grammar() -> Grammar {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("snap.rng");
    std::fs::write(&path, SCHEMA).expect("write schema");
    match teikit_relaxng::load(&path, &Default::default()) {
        Ok(s) => Grammar::new(s),
        Err(e) => panic!("schema does not load: {:?}", e.errors),
    }
}

/// The header of a valid document; `body` goes inside `<text>`.
fn doc(body: &str) -> String {
    format!(
        "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\">\n<teiHeader><titleStmt><title>T</title></titleStmt></teiHeader>\n<text>\n{body}\n</text>\n</TEI>\n"
    )
}

/// Validates and renders; asserts which codes were reported.
fn render(text: &str, codes: &[&str]) -> String {
    let parsed = teikit_xml::Document::parse(text).expect("well-formed");
    let diags = grammar().validate(&parsed);
    let got: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(got, codes, "{text}");
    let report = FileReport::new("doc.xml", Some(text.as_bytes().to_vec().into()), diags);
    let options = RenderOptions {
        color: false,
        width: Some(100),
        summary: false,
        ..RenderOptions::default()
    };
    let mut out = Vec::new();
    teikit_diagnostics::render_file(Format::Human, &report, &options, &mut out).expect("render");
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn element_not_allowed_misspelled() {
    let t = doc("<p>Letter from <persname>Anna</persname>.</p>");
    insta::assert_snapshot!(render(&t, &["rng/element-not-allowed"]));
}

#[test]
fn element_not_allowed_misplaced() {
    let t = doc("<p><titleStmt><title>x</title></titleStmt></p>");
    insta::assert_snapshot!(render(&t, &["rng/element-not-allowed"]));
}

#[test]
fn element_not_allowed_yet() {
    let t = "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\">\n<teiHeader><titleStmt><author>A</author></titleStmt></teiHeader>\n<text><p/></text>\n</TEI>\n";
    insta::assert_snapshot!(render(t, &["rng/element-not-allowed"]));
}

#[test]
fn attribute_not_allowed() {
    let t = doc("<p nn=\"1\">text</p>");
    insta::assert_snapshot!(render(&t, &["rng/attribute-not-allowed"]));
}

#[test]
fn missing_attribute() {
    let t = doc("<p><date>16 September 1950</date></p>");
    insta::assert_snapshot!(render(&t, &["rng/missing-attribute"]));
}

#[test]
fn invalid_attribute_value_enumerated() {
    let t = doc("<p><persName cert=\"hihg\">Anna</persName></p>");
    insta::assert_snapshot!(render(&t, &["rng/invalid-attribute-value"]));
}

#[test]
fn invalid_attribute_value_date() {
    let t = doc("<p><date when=\"1950-16-09\">16 September 1950</date></p>");
    insta::assert_snapshot!(render(&t, &["rng/invalid-attribute-value"]));
}

#[test]
fn text_not_allowed() {
    let t = "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\">\n<teiHeader><titleStmt><title>T</title></titleStmt></teiHeader>\n<text>\nstray words\n<p/></text>\n</TEI>\n";
    insta::assert_snapshot!(render(t, &["rng/text-not-allowed"]));
}

#[test]
fn incomplete_content() {
    let t = "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\">\n<teiHeader><titleStmt>\n</titleStmt></teiHeader>\n<text><p/></text>\n</TEI>\n";
    insta::assert_snapshot!(render(t, &["rng/incomplete-content"]));
}

#[test]
fn invalid_data() {
    let t = doc("<p><num>twelve</num></p>");
    insta::assert_snapshot!(render(&t, &["rng/invalid-data"]));
}

#[test]
fn duplicate_id() {
    let t = doc("<p xml:id=\"p1\">a</p>\n<p xml:id=\"p1\">b</p>");
    insta::assert_snapshot!(render(&t, &["rng/duplicate-id"]));
}

#[test]
fn dangling_idref() {
    let t = doc("<p xml:id=\"intro\">a</p>\n<p><ptr target=\"intor\"/></p>");
    insta::assert_snapshot!(render(&t, &["rng/dangling-idref"]));
}

/// A date-shaped value with a multi-byte character in its first ten bytes once cut a
/// character in two while the day/month-swap suggestion was built (a panic found by the
/// `validate_tei_all` fuzz target). It must be an ordinary invalid value.
#[test]
fn invalid_date_with_non_ascii_is_reported_not_panicked() {
    let g = grammar();
    for value in ["1950-01-1é", "1950-0é-01", "1950-01-é1x"] {
        let t = doc(&format!("<p><date when=\"{value}\">x</date></p>"));
        let d = teikit_xml::Document::parse(&t).expect("well-formed");
        let diags = g.validate(&d);
        let codes: Vec<&str> = diags.iter().map(|d| d.code.as_ref()).collect();
        assert_eq!(codes, ["rng/invalid-attribute-value"], "{value}");
    }
}
