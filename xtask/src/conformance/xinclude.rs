//! The `xinclude` suite: documents that pull their header, lists or text from other files,
//! validated by teikit (XInclude expansion, then parse and validate the merged text) and by
//! jing as Debian runs it (Xerces' XInclude parser configuration), jing being the oracle.
//!
//! Every case is written here into a temporary folder: a main document `main.xml` and the
//! files it includes, validated against a small TEI-like RELAX NG schema (written here too)
//! or against tei_all 4.12 from the shared data. One case each, `xinclude/<name>`; a case
//! passes when both give the same verdict (valid, or invalid) and, when jing reports
//! errors only in included files, teikit reports an error in one of those files too (so
//! errors inside included files are located there, not in the merged text).
//!
//! teikit runs with `xml_id_pointers: false` here: Xerces only knows IDs declared in a DTD,
//! so for jing a shorthand pointer to an `xml:id` matches nothing. teikit's default follows
//! the xml:id Recommendation instead (such pointers match); the crate's tests cover that.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use teikit_diagnostics::Severity;

use super::SuiteResult;

const MAIN: &str = "main.xml";
const XI: &str = "xmlns:xi=\"http://www.w3.org/2001/XInclude\"";
const TEI: &str = "xmlns=\"http://www.tei-c.org/ns/1.0\"";

/// A small schema in the TEI namespace. `xml:base` is allowed on the elements that are
/// included (XInclude adds it there), `xml:lang` only on `TEI` and `p`, and `title` takes no
/// attribute at all, so the fix-up attributes are visible to the verdict.
const SCHEMA: &str = r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0" ns="http://www.tei-c.org/ns/1.0">
  <start>
    <element name="TEI">
      <optional><attribute name="xml:lang"/></optional>
      <ref name="teiHeader"/>
      <element name="text"><optional><ref name="base"/></optional>
        <element name="body"><optional><ref name="base"/></optional>
          <oneOrMore><choice><ref name="p"/><ref name="list"/></choice></oneOrMore>
        </element>
      </element>
    </element>
  </start>
  <define name="base"><attribute name="xml:base"/></define>
  <define name="teiHeader">
    <element name="teiHeader"><optional><ref name="base"/></optional>
      <element name="fileDesc"><optional><ref name="base"/></optional>
        <oneOrMore><element name="title"><text/></element></oneOrMore>
      </element>
    </element>
  </define>
  <define name="p">
    <element name="p"><optional><ref name="base"/></optional>
      <optional><attribute name="xml:lang"/></optional><text/></element>
  </define>
  <define name="list">
    <element name="list"><optional><ref name="base"/></optional>
      <optional><attribute name="xml:id"/></optional>
      <oneOrMore><element name="item"><optional><ref name="base"/></optional>
        <optional><attribute name="xml:id"/></optional><text/></element></oneOrMore>
    </element>
  </define>
</grammar>
"#;

/// Which schema a case uses.
#[derive(Clone, Copy)]
enum Schema {
    Small,
    TeiAll,
}

struct Case {
    name: &'static str,
    schema: Schema,
    /// Files: (relative path, text); the first is the document validated.
    files: Vec<(&'static str, String)>,
}

fn main_doc(header: &str, body: &str) -> String {
    format!("<TEI {TEI} {XI}>\n{header}\n<text><body>\n{body}\n</body></text>\n</TEI>\n")
}

fn header_file(title: &str) -> String {
    format!("<?xml version=\"1.0\"?>\n<teiHeader {TEI}>\n  <fileDesc><title>{title}</title></fileDesc>\n</teiHeader>\n")
}

const INLINE_HEADER: &str = "<teiHeader><fileDesc><title>inline</title></fileDesc></teiHeader>";
const P: &str = "<p>text</p>";

fn cases() -> Vec<Case> {
    let inc = |href: &str| format!("<xi:include href=\"{href}\"/>");
    let people = format!(
        "<?xml version=\"1.0\"?>\n<lists {TEI}>\n  <list xml:id=\"places\"><item>Rome</item></list>\n  <list xml:id=\"people\"><item xml:id=\"p1\">Ann</item><item>Bob</item></list>\n</lists>\n"
    );
    let tei_all_main = |header: &str| {
        format!("<TEI {TEI} {XI}>\n{header}\n<text><body><p>A letter.</p></body></text>\n</TEI>\n")
    };
    let tei_all_header = format!(
        "<teiHeader {TEI}>\n <fileDesc>\n  <titleStmt><title>A letter</title></titleStmt>\n  <publicationStmt><p>Unpublished</p></publicationStmt>\n  <sourceDesc><p>Manuscript</p></sourceDesc>\n </fileDesc>\n</teiHeader>\n"
    );
    vec![
        Case {
            name: "header-from-file",
            schema: Schema::Small,
            files: vec![("main.xml", main_doc(&inc("header.xml"), P)), ("header.xml", header_file("t"))],
        },
        Case {
            name: "header-missing",
            schema: Schema::Small,
            files: vec![("main.xml", main_doc(&inc("nope.xml"), P))],
        },
        Case {
            name: "header-missing-with-fallback",
            schema: Schema::Small,
            files: vec![(
                "main.xml",
                main_doc(&format!("<xi:include href=\"nope.xml\"><xi:fallback>{INLINE_HEADER}</xi:fallback></xi:include>"), P),
            )],
        },
        Case {
            name: "fallback-includes-another-file",
            schema: Schema::Small,
            files: vec![
                (
                    "main.xml",
                    main_doc("<xi:include href=\"nope.xml\"><xi:fallback><xi:include href=\"header.xml\"/></xi:fallback></xi:include>", P),
                ),
                ("header.xml", header_file("from the fallback")),
            ],
        },
        Case {
            name: "fallback-content-invalid",
            schema: Schema::Small,
            files: vec![(
                "main.xml",
                main_doc("<xi:include href=\"nope.xml\"><xi:fallback><teiHeader/></xi:fallback></xi:include>", P),
            )],
        },
        Case {
            name: "loop-between-two-files",
            schema: Schema::Small,
            files: vec![
                ("main.xml", main_doc(&inc("a.xml"), P)),
                ("a.xml", format!("<teiHeader {TEI} {XI}><fileDesc><title>a</title><xi:include href=\"b.xml\"/></fileDesc></teiHeader>")),
                ("b.xml", format!("<title {TEI} {XI}><xi:include href=\"a.xml\"/></title>")),
            ],
        },
        Case {
            name: "document-includes-itself",
            schema: Schema::Small,
            files: vec![("main.xml", main_doc(&inc("main.xml"), P))],
        },
        Case {
            name: "list-by-element-pointer",
            schema: Schema::Small,
            files: vec![
                ("main.xml", main_doc(&inc("header.xml"), &format!("{P}<xi:include href=\"lists.xml\" xpointer=\"element(/1/2)\"/>"))),
                ("header.xml", header_file("t")),
                ("lists.xml", people.clone()),
            ],
        },
        Case {
            name: "list-by-shorthand-pointer",
            schema: Schema::Small,
            files: vec![
                ("main.xml", main_doc(&inc("header.xml"), "<xi:include href=\"lists.xml\" xpointer=\"places\"/>")),
                ("header.xml", header_file("t")),
                ("lists.xml", people.clone()),
            ],
        },
        Case {
            name: "pointer-selects-wrong-element",
            schema: Schema::Small,
            // An item where the body wants p or list.
            files: vec![
                ("main.xml", main_doc(&inc("header.xml"), "<xi:include href=\"lists.xml\" xpointer=\"element(/1/2/1)\"/>")),
                ("header.xml", header_file("t")),
                ("lists.xml", people.clone()),
            ],
        },
        Case {
            name: "pointer-no-match",
            schema: Schema::Small,
            files: vec![
                ("main.xml", main_doc(&inc("header.xml"), &format!("{P}<xi:include href=\"lists.xml\" xpointer=\"nobody\"/>"))),
                ("header.xml", header_file("t")),
                ("lists.xml", people.clone()),
            ],
        },
        Case {
            name: "pointer-no-match-with-fallback",
            schema: Schema::Small,
            files: vec![
                (
                    "main.xml",
                    main_doc(&inc("header.xml"), "<xi:include href=\"lists.xml\" xpointer=\"element(/1/7)\"><xi:fallback><p>no list</p></xi:fallback></xi:include>"),
                ),
                ("header.xml", header_file("t")),
                ("lists.xml", people.clone()),
            ],
        },
        Case {
            name: "text-into-paragraph",
            schema: Schema::Small,
            files: vec![
                ("main.xml", main_doc(&inc("header.xml"), "<p><xi:include href=\"note.txt\" parse=\"text\"/></p>")),
                ("header.xml", header_file("t")),
                ("note.txt", "Smith & Sons <ltd>\n".into()),
            ],
        },
        Case {
            name: "text-where-elements-belong",
            schema: Schema::Small,
            files: vec![
                ("main.xml", main_doc(&inc("header.xml"), &format!("{P}<xi:include href=\"note.txt\" parse=\"text\"/>"))),
                ("header.xml", header_file("t")),
                ("note.txt", "stray text".into()),
            ],
        },
        Case {
            name: "nested-includes-in-subfolders",
            schema: Schema::Small,
            files: vec![
                ("main.xml", main_doc(&inc("parts/header.xml"), P)),
                (
                    "parts/header.xml",
                    format!("<teiHeader {TEI} {XI}><xi:include href=\"sub/fileDesc.xml\"/></teiHeader>"),
                ),
                ("parts/sub/fileDesc.xml", format!("<fileDesc {TEI}><title>deep</title></fileDesc>")),
            ],
        },
        Case {
            name: "invalid-inside-included-file",
            schema: Schema::Small,
            files: vec![
                ("main.xml", main_doc(&inc("header.xml"), P)),
                ("header.xml", format!("<teiHeader {TEI}>\n  <fileDesc><titel>typo</titel></fileDesc>\n</teiHeader>\n")),
            ],
        },
        Case {
            name: "included-file-not-well-formed",
            schema: Schema::Small,
            files: vec![
                ("main.xml", main_doc(&inc("header.xml"), P)),
                ("header.xml", format!("<teiHeader {TEI}><fileDesc><title>t</fileDesc></teiHeader>")),
            ],
        },
        Case {
            name: "base-fixup-where-not-allowed",
            schema: Schema::Small,
            // title takes no attributes, and an included title gets xml:base.
            files: vec![
                ("main.xml", main_doc(&format!("<teiHeader><fileDesc>{}</fileDesc></teiHeader>", inc("title.xml")), P)),
                ("title.xml", format!("<title {TEI}>t</title>")),
            ],
        },
        Case {
            name: "lang-fixup-where-not-allowed",
            schema: Schema::Small,
            // The main document is German; the included header has no language, so it gets
            // xml:lang="", which teiHeader does not take.
            files: vec![
                ("main.xml", main_doc(&inc("header.xml"), P).replacen("<TEI ", "<TEI xml:lang=\"de\" ", 1)),
                ("header.xml", header_file("t")),
            ],
        },
        Case {
            name: "lang-fixup-where-allowed",
            schema: Schema::Small,
            files: vec![
                (
                    "main.xml",
                    main_doc(&inc("header.xml"), &inc("p.xml")).replacen("<TEI ", "<TEI xml:lang=\"de\" ", 1).replace(&inc("header.xml"), "<teiHeader xml:lang=\"de\"><fileDesc><title>x</title></fileDesc></teiHeader>"),
                ),
                ("p.xml", format!("<p {TEI} xml:lang=\"en\">English</p>")),
            ],
        },
        Case {
            name: "namespace-from-ancestor-of-pointer-target",
            schema: Schema::Small,
            // The list's prefix is declared on its parent in lists.xml only: the spliced
            // element needs that declaration (else the merged text is not even well-formed).
            files: vec![
                (
                    "main.xml",
                    main_doc(&inc("header.xml"), "<xi:include href=\"lists.xml\" xpointer=\"element(/1/1)\"/>"),
                ),
                ("header.xml", header_file("t")),
                (
                    "lists.xml",
                    "<t:lists xmlns:t=\"http://www.tei-c.org/ns/1.0\"><t:list><t:item>x</t:item></t:list></t:lists>".into(),
                ),
            ],
        },
        Case {
            name: "included-element-in-no-namespace",
            schema: Schema::Small,
            files: vec![
                ("main.xml", main_doc(&inc("header.xml"), P)),
                ("header.xml", "<teiHeader><fileDesc><title>t</title></fileDesc></teiHeader>".into()),
            ],
        },
        Case {
            name: "same-document-pointer-with-fallback",
            schema: Schema::Small,
            files: vec![(
                "main.xml",
                main_doc(INLINE_HEADER, "<p xml:id=\"a\">a</p><xi:include xpointer=\"a\"><xi:fallback><p>fb</p></xi:fallback></xi:include>"),
            )],
        },
        Case {
            name: "tei-all-header-from-file",
            schema: Schema::TeiAll,
            files: vec![("main.xml", tei_all_main(&inc("header.xml"))), ("header.xml", tei_all_header.clone())],
        },
        Case {
            name: "tei-all-header-missing",
            schema: Schema::TeiAll,
            files: vec![("main.xml", tei_all_main(&inc("nothere.xml")))],
        },
        Case {
            name: "tei-all-header-fallback",
            schema: Schema::TeiAll,
            files: vec![(
                "main.xml",
                tei_all_main(&format!("<xi:include href=\"nothere.xml\"><xi:fallback>{}</xi:fallback></xi:include>", tei_all_header.replace(&format!(" {TEI}"), ""))),
            )],
        },
    ]
}

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    let jing = std::env::var_os("JING")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/jing"));
    if !jing.is_file() {
        anyhow::bail!(
            "the xinclude suite needs jing as its oracle, but {} does not exist \
             (install it with `apt-get install jing`, or set JING)",
            jing.display()
        );
    }
    let scratch = tempfile::tempdir()?;
    let small = scratch.path().join("small.rng");
    std::fs::write(&small, SCHEMA)?;
    let tei_all = shared.join("schemas/tei/p5-4.12.0/tei_all.rng");
    if !tei_all.is_file() {
        anyhow::bail!("missing {}", tei_all.display());
    }
    let load = |p: &Path| -> anyhow::Result<teikit_validate::Grammar> {
        let schema = teikit_relaxng::load(p, &Default::default()).map_err(|e| {
            anyhow::anyhow!(
                "teikit cannot load {}: {:?}",
                p.display(),
                e.errors.first().map(|(_, d)| d.message.clone())
            )
        })?;
        Ok(teikit_validate::Grammar::new(schema))
    };
    let small_grammar = load(&small)?;
    let tei_grammar = load(&tei_all)?;
    let verbose = std::env::args().any(|a| a == "-v" || a == "--verbose");
    let mut result = SuiteResult::new();
    for case in cases() {
        let dir = scratch.path().join(case.name);
        for (rel, text) in &case.files {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().expect("a file in a folder"))?;
            std::fs::write(&p, text)?;
        }
        let main = dir.join(case.files[0].0);
        let (schema_path, grammar) = match case.schema {
            Schema::Small => (&small, &small_grammar),
            Schema::TeiAll => (&tei_all, &tei_grammar),
        };
        let ours = teikit_verdict(&main, grammar)?;
        let theirs = jing_verdict(&jing, schema_path, &main)?;
        if verbose {
            println!("  xinclude/{}: teikit {ours:?}; jing {theirs:?}", case.name);
        }
        let outcome = match (&ours, &theirs) {
            (None, None) => Ok(()),
            (Some(t), Some(j)) => {
                let only_included = !j.files.contains(MAIN);
                if only_included && t.files.is_disjoint(&j.files) {
                    Err(format!(
                        "both invalid, but teikit's errors are in {:?} and jing's in {:?} (teikit: {}; jing: {})",
                        t.files, j.files, t.first, j.first
                    ))
                } else {
                    Ok(())
                }
            }
            (None, Some(j)) => Err(format!("teikit: valid; jing: invalid: {}", j.first)),
            (Some(t), None) => Err(format!("teikit: invalid: {}; jing: valid", t.first)),
        };
        result.record(format!("xinclude/{}", case.name), outcome);
    }
    Ok(result)
}

/// An invalid verdict: the files errors were reported in (names relative to the case
/// folder) and the first message.
#[derive(Debug)]
struct Invalid {
    files: BTreeSet<String>,
    first: String,
}

fn rel_name(path: &Path) -> String {
    // Case folders are `<scratch>/<case>/…`: keep what follows the case folder.
    let s = path.to_string_lossy().replace('\\', "/");
    let parts: Vec<&str> = s.split('/').collect();
    match parts.iter().position(|p| p.starts_with(".tmp")) {
        Some(i) if i + 2 < parts.len() => parts[i + 2..].join("/"),
        _ => s.clone(),
    }
}

/// teikit: expand, parse the merged text, validate; `None` when valid.
fn teikit_verdict(
    main: &Path,
    grammar: &teikit_validate::Grammar,
) -> anyhow::Result<Option<Invalid>> {
    let bytes = std::fs::read(main)?;
    let text = match teikit_xml::decode(&bytes) {
        Ok(t) => t.into_owned(),
        Err(d) => return Ok(Some(invalid([(rel_name(main), d.message.to_string())]))),
    };
    let options = teikit_xinclude::Options {
        xml_id_pointers: false,
        ..Default::default()
    };
    let expanded = teikit_xinclude::expand(main, &text, &options);
    let mut found: Vec<(usize, teikit_diagnostics::Diagnostic)> = expanded.diagnostics.clone();
    match teikit_xml::read(&expanded.text, &Default::default()) {
        Ok(doc) => {
            for d in grammar.validate(&doc) {
                found.push(expanded.remap(d));
            }
        }
        Err(d) => found.push(expanded.remap(d)),
    }
    let errors: Vec<(String, String)> = found
        .into_iter()
        .filter(|(_, d)| d.severity == Severity::Error)
        .map(|(f, d)| {
            (
                rel_name(&expanded.files[f].path),
                format!("{} [{}]", d.message, d.code),
            )
        })
        .collect();
    Ok(if errors.is_empty() {
        None
    } else {
        Some(invalid(errors))
    })
}

fn invalid(errors: impl IntoIterator<Item = (String, String)>) -> Invalid {
    let mut files = BTreeSet::new();
    let mut first = None;
    for (f, m) in errors {
        if first.is_none() {
            first = Some(format!("{f}: {m}"));
        }
        files.insert(f);
    }
    Invalid {
        files,
        first: first.unwrap_or_default(),
    }
}

/// jing's verdict: `None` when it exits 0; otherwise the files its messages name.
fn jing_verdict(jing: &Path, schema: &Path, doc: &Path) -> anyhow::Result<Option<Invalid>> {
    let out = Command::new(jing).arg(schema).arg(doc).output()?;
    if out.status.success() {
        return Ok(None);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut errors = Vec::new();
    for line in stdout.lines() {
        // `/path/file.xml:LINE:COL: error: message` (or `fatal:`); warnings do not count.
        let Some((loc, msg)) = line.split_once(": ") else {
            continue;
        };
        if msg.starts_with("warning:") {
            continue;
        }
        let file = loc.split(':').next().unwrap_or(loc);
        errors.push((rel_name(Path::new(file)), msg.to_string()));
    }
    if errors.is_empty() {
        errors.push((
            rel_name(doc),
            format!(
                "exit status {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ),
        ));
    }
    Ok(Some(invalid(errors)))
}
