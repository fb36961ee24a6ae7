//! Renderings of a fixed batch in every format (insta snapshots), and scale.

use std::sync::Arc;

use teikit_diagnostics::{
    render, CodeDoc, Diagnostic, FileReport, Format, RenderOptions, Severity, Span,
};

fn source(text: &[u8]) -> Option<Arc<[u8]>> {
    Some(text.into())
}

fn span_of(src: &[u8], needle: &str) -> Span {
    let at = src
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .expect("needle in source");
    Span::new(at, needle.len())
}

/// A batch covering the cases printers get wrong: a well-formedness error with help and a
/// secondary label, a validation error with expected names and a URL after multi-byte
/// characters, a warning, a diagnostic without span, a file that is not UTF-8, a valid file,
/// a conversion with an output, and a path that needs escaping.
fn batch() -> Vec<FileReport> {
    let wf = b"<TEI>\n  <p>unclosed\n</TEI>\n";
    let letter = "<TEI>\n  <p>Élise Müller — <persname>Jürgen</persname></p>\n</TEI>\n";
    let latin1 = b"<p>caf\xe9 & cr\xe8me</p>\n";
    let lb = letter.as_bytes();
    vec![
        FileReport::new(
            "letters/wf.xml",
            source(wf),
            vec![
                Diagnostic::error("xml/mismatched-tag", "expected </p>, found </TEI>")
                    .with_label(span_of(wf, "</TEI>"), "this end tag")
                    .with_secondary(span_of(wf, "<p>"), "opened here")
                    .with_help("close <p> before </TEI>"),
            ],
        ),
        FileReport::new(
            "letters/a, b.xml",
            source(lb),
            vec![
                Diagnostic::warning(
                    "tei/unknown-person",
                    "person \"Jürgen\" is not in the authority file",
                )
                .with_label(span_of(lb, "Jürgen"), ""),
                Diagnostic::error(
                    "rng/element-not-allowed",
                    "element <persname> is not allowed here",
                )
                .with_label(span_of(lb, "<persname>"), "not allowed here")
                .with_expected(vec!["persName".into(), "placeName".into(), "text".into()])
                .with_help("did you mean <persName>? TEI element names are case-sensitive")
                .with_url("https://tei-c.org/release/doc/tei-p5-doc/en/html/ref-persName.html")
                .with_context("/TEI/p"),
                Diagnostic::warning("tei/no-header", "the document has no <teiHeader>"),
            ],
        )
        .with_schema("tei_all"),
        FileReport::new(
            "latin1.xml",
            source(latin1),
            vec![
                Diagnostic::error("xml/invalid-utf8", "the file is not UTF-8")
                    .with_label(Span::new(6, 1), "byte 0xE9")
                    .with_help("save the file as UTF-8"),
                Diagnostic::error("xml/bare-ampersand", "`&` must be written `&amp;`")
                    .with_label(Span::new(8, 1), ""),
            ],
        )
        .with_schema("teikit-archive"),
        FileReport::new("ok.xml", source(b"<TEI/>\n"), vec![]).with_schema("teikit-archive"),
        FileReport::new(
            "notes.txt",
            source("[illegible] ☙ text\n".as_bytes()),
            vec![Diagnostic::new(
                Severity::Info,
                "convert/ornament",
                "ornament ☙ kept as text",
            )
            .with_label(Span::new(12, 3), "")],
        )
        .with_output("tei/notes.xml"),
    ]
}

fn options() -> RenderOptions {
    RenderOptions {
        color: false,
        width: Some(80),
        tool_version: "0.1.0".into(),
        codes: vec![CodeDoc {
            code: "rng/element-not-allowed",
            severity: Severity::Error,
            summary: "an element appears where the schema does not allow it",
            example: "<p><persname/></p>",
            fix: "use an element the schema allows here",
        }],
        summary: true,
    }
}

fn rendered(format: Format) -> String {
    let mut out = Vec::new();
    let summary = render(format, &batch(), &options(), &mut out).unwrap();
    assert_eq!(summary.files, 5);
    assert_eq!((summary.errors, summary.warnings), (4, 2));
    String::from_utf8(out).expect("every format writes UTF-8")
}

#[test]
fn human() {
    insta::assert_snapshot!(rendered(Format::Human));
}

#[test]
fn short() {
    insta::assert_snapshot!(rendered(Format::Short));
}

#[test]
fn json() {
    insta::assert_snapshot!(rendered(Format::Json));
}

#[test]
fn github() {
    insta::assert_snapshot!(rendered(Format::Github));
}

#[test]
fn sarif() {
    insta::assert_snapshot!(rendered(Format::Sarif));
}

#[test]
fn junit() {
    insta::assert_snapshot!(rendered(Format::Junit));
}

#[test]
fn human_colours_only_when_asked() {
    let mut out = Vec::new();
    let options = RenderOptions {
        color: true,
        ..options()
    };
    render(Format::Human, &batch(), &options, &mut out).unwrap();
    assert!(out.contains(&0x1b));
    assert!(!rendered(Format::Human).contains('\u{1b}'));
}

/// 10,000 diagnostics on a 10 MB file, in every format. The file is one line (the worst case
/// for columns, as a minified document is) and every diagnostic has a secondary label far from
/// its primary one. Rendering is linear in the file plus the diagnostics: a printer that
/// rescanned the file or the line per diagnostic would do about 10^11 steps here and never
/// finish in a test run.
#[test]
fn ten_thousand_diagnostics_on_a_ten_megabyte_line() {
    let unit = "<w>é</w>"; // 9 bytes, 8 characters
    let src = unit.repeat(10 * 1024 * 1024 / unit.len());
    let n = 10_000;
    let step = src.len() / n / unit.len() * unit.len();
    let diagnostics = (0..n)
        .map(|i| {
            Diagnostic::error(
                "rng/element-not-allowed",
                format!("element {i} not allowed"),
            )
            .with_label(Span::new(i * step, 3), "")
            .with_secondary(Span::new(src.len() - 1 - i * step / 2, 1), "far away")
        })
        .collect();
    let report = FileReport::new("big.xml", source(src.as_bytes()), diagnostics);
    for format in Format::ALL {
        let mut out = Vec::new();
        let summary = render(format, std::slice::from_ref(&report), &options(), &mut out).unwrap();
        assert_eq!(summary.errors, n);
        let text = String::from_utf8(out).unwrap();
        if format == Format::Short {
            let last = text.lines().last().unwrap();
            let i = n - 1;
            let column = i * step / unit.len() * 8 + 1;
            assert_eq!(
                last,
                format!(
                    "big.xml:1:{column}: error: element {i} not allowed [rng/element-not-allowed]"
                )
            );
            assert_eq!(text.lines().count(), n);
        }
    }
}

/// JUnit output is well-formed XML whatever the paths and messages hold, and says what they
/// say (characters XML cannot carry become U+FFFD).
#[test]
fn junit_is_well_formed_xml_for_hostile_text() {
    let nasty = "a\"b'c<d>&e]]>\tf\ng\r\u{1}\u{fffe}";
    let report = FileReport::new(
        nasty,
        source(nasty.as_bytes()),
        vec![Diagnostic::error("x/\"<&>", nasty)
            .with_label(Span::new(2, 3), "")
            .with_help(nasty)],
    );
    let mut out = Vec::new();
    render(Format::Junit, &[report], &options(), &mut out).unwrap();
    let xml = String::from_utf8(out).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    let shown = "a\"b'c<d>&e]]>\tf\ng\r\u{fffd}\u{fffd}";
    assert_eq!(case.attribute("name"), Some(shown));
    let failure = case.first_element_child().unwrap();
    assert_eq!(failure.attribute("message"), Some(shown));
    assert_eq!(failure.attribute("type"), Some("x/\"<&>"));
    assert!(failure.text().unwrap().contains("b'c<d>&e]]>"));
}
