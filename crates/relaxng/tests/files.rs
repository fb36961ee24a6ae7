//! Loading a multi-file schema from disk: include with overrides, externalRef into a
//! subdirectory, a compact-syntax include, and diagnostics that point into the right file.

use std::path::Path;

use teikit_relaxng::{load, LoadOptions, NameClass, Pattern, QName};

const RNG: &str = "http://relaxng.org/ns/structure/1.0";

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn element_names(s: &teikit_relaxng::Schema) -> Vec<String> {
    let mut v: Vec<String> = s
        .defines
        .iter()
        .map(|d| match &d.name_class {
            NameClass::Name(q) => format!("{{{}}}{}", q.ns, q.local),
            other => format!("{other:?}"),
        })
        .collect();
    v.sort();
    v
}

#[test]
fn multi_file_schema_loads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "main.rng",
        &format!(
            r#"<grammar xmlns="{RNG}" ns="urn:doc">
  <include href="lib/base.rng">
    <define name="para"><element name="p"><text/></element></define>
  </include>
  <define name="block" combine="choice"><externalRef href="parts/note.rng"/></define>
  <define name="block" combine="choice"><ref name="item"/></define>
  <include href="lib/item.rnc"/>
</grammar>"#
        ),
    );
    write(
        d,
        "lib/base.rng",
        &format!(
            r#"<grammar xmlns="{RNG}">
  <start><element name="doc"><zeroOrMore><ref name="block"/></zeroOrMore></element></start>
  <define name="block"><ref name="para"/></define>
  <define name="para"><element name="oldPara"><empty/></element></define>
</grammar>"#
        ),
    );
    write(
        d,
        "parts/note.rng",
        &format!(r#"<element xmlns="{RNG}" name="note"><attribute name="n"/><text/></element>"#),
    );
    write(d, "lib/item.rnc", "item = element item { text }\n");
    let s = match load(&d.join("main.rng"), &LoadOptions::default()) {
        Ok(s) => s,
        Err(e) => panic!("{:?}", e.errors),
    };
    // ns is inherited into included and externally referenced files; oldPara is overridden.
    assert_eq!(
        element_names(&s),
        [
            "{urn:doc}doc",
            "{urn:doc}item",
            "{urn:doc}note",
            "{urn:doc}p"
        ]
    );
    assert!(matches!(s.start, Pattern::Ref(_)));
    assert_eq!(s.files.len(), 4);
    let note = s
        .defines
        .iter()
        .find(|d| d.name_class == NameClass::Name(QName::new("urn:doc", "note")))
        .expect("note");
    let file = &s.files[note.loc.file as usize];
    assert!(file.path.ends_with("parts/note.rng"));
    assert_eq!(
        &file.text[note.loc.span.offset..note.loc.span.end()],
        "<element"
    );
}

#[test]
fn error_in_included_file_points_into_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "main.rng",
        &format!(r#"<grammar xmlns="{RNG}"><include href="inc.rng"/></grammar>"#),
    );
    write(
        d,
        "inc.rng",
        &format!(
            r#"<grammar xmlns="{RNG}">
  <start><element name="a"><ref name="missing"/></element></start>
</grammar>"#
        ),
    );
    let e = load(&d.join("main.rng"), &LoadOptions::default()).expect_err("incorrect");
    assert!(!e.unreadable);
    let (file, diag) = &e.errors[0];
    assert!(file.path.ends_with("inc.rng"));
    assert_eq!(diag.code, "rng/schema-undefined-ref");
    let span = diag.primary_span().expect("span");
    assert_eq!(&file.text[span.offset..span.end()], "<ref");
}
