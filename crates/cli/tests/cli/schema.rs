//! `--schema`, `<?xml-model?>` and `schema check`.

use crate::util::Scratch;

const SCHEMA: &str = r#"<element name="doc" xmlns="http://relaxng.org/ns/structure/1.0">
  <zeroOrMore><element name="p"><text/></element></zeroOrMore>
</element>
"#;

#[test]
fn schema_check_exit_statuses() {
    let s = Scratch::new();
    s.write("good.rng", SCHEMA).write(
        "bad.rng",
        "<element xmlns=\"http://relaxng.org/ns/structure/1.0\"><text/></element>\n",
    );
    s.run(&["schema", "check", "good.rng"]).status(0);
    let run = s.run(&["schema", "check", "--format", "short", "bad.rng"]);
    run.status(1);
    assert!(
        run.stdout.starts_with("bad.rng:1:"),
        "diagnostics point into the schema: {}",
        run.stdout
    );
    let run = s.run(&["schema", "check", "missing.rng"]);
    run.status(2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn validate_with_schema() {
    let s = Scratch::new();
    s.write("s.rng", SCHEMA)
        .write("ok.xml", "<doc><p>a</p></doc>")
        .write("bad.xml", "<doc>\n<q/></doc>");
    let run = s.run(&[
        "validate", "--schema", "s.rng", "--format", "json", "ok.xml", "bad.xml",
    ]);
    run.status(1);
    let v = run.json();
    assert_eq!(v["files"][0]["valid"], true);
    assert_eq!(v["files"][0]["schema"], "s.rng");
    assert_eq!(v["files"][1]["valid"], false);
    let d = &v["files"][1]["diagnostics"][0];
    assert!(d["code"].as_str().unwrap().starts_with("rng/"), "{d}");
    assert_eq!(d["line"], 2);
    s.run(&["validate", "--schema", "s.rng", "ok.xml"])
        .status(0);
}

#[test]
fn unloadable_schema_is_exit_2() {
    let s = Scratch::new();
    s.write("ok.xml", "<doc/>").write("broken.rng", "<element");
    let run = s.run(&["validate", "--schema", "broken.rng", "ok.xml"]);
    run.status(2);
    assert!(run.stderr.contains("broken.rng"), "{}", run.stderr);
    let run = s.run(&["validate", "--schema", "missing.rng", "ok.xml"]);
    run.status(2);
    let run = s.run(&["validate", "--schema", "tei_all", "ok.xml"]);
    run.status(2);
    assert!(
        run.stderr.contains("not available yet") || run.stderr.contains("neither a file"),
        "{}",
        run.stderr
    );
}

#[test]
fn xml_model_names_the_schema() {
    let s = Scratch::new();
    s.write("schemas/s.rng", SCHEMA)
        .write(
            "docs/ok.xml",
            "<?xml-model href=\"../schemas/s.rng\"?>\n<doc><p>a</p></doc>",
        )
        .write(
            "docs/bad.xml",
            "<?xml-model href=\"../schemas/s.rng\"?>\n<doc><q/></doc>",
        );
    let run = s.run(&["validate", "--format", "json", "docs"]);
    run.status(1);
    let v = run.json();
    assert_eq!(v["files"][0]["path"], "docs/bad.xml");
    assert_eq!(v["files"][0]["valid"], false);
    assert_eq!(v["files"][0]["schema"], "../schemas/s.rng");
    assert_eq!(v["files"][1]["valid"], true);
}

#[test]
fn remote_xml_model_is_not_fetched() {
    let s = Scratch::new();
    s.write(
        "tei.xml",
        "<?xml-model href=\"https://tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng\" schematypens=\"http://relaxng.org/ns/structure/1.0\"?>\n<TEI/>",
    );
    // The URL is not loaded (a warning), and the built-in schema is used instead.
    let run = s.run(&["validate", "--format", "short", "tei.xml"]);
    run.status(1);
    assert!(
        run.stdout.starts_with("tei.xml:1:1: warning: "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("[schema/remote-not-loaded]"));
}

#[test]
fn missing_xml_model_schema_is_exit_2() {
    let s = Scratch::new();
    s.write("a.xml", "<?xml-model href=\"nowhere.rng\"?>\n<doc/>");
    let run = s.run(&["validate", "--format", "short", "a.xml"]);
    run.status(2);
    assert!(run.stdout.contains("[schema/unloadable]"), "{}", run.stdout);
    let run = s.run(&["validate", "--format", "json", "a.xml"]);
    let d = &run.json()["files"][0]["diagnostics"][0];
    assert_eq!(
        d["help"], "check it with `teikit schema check nowhere.rng`",
        "{d}"
    );
}

/// A schema whose ID attribute competes with a wildcard attribute is not ID-compatible: it
/// cannot be loaded by default (as in jing), and loads with `-i` (as `jing -i`), without
/// ID checks.
#[test]
fn no_id_check_loads_a_schema_that_is_not_id_compatible() {
    let s = Scratch::new();
    s.write(
        "s.rng",
        r#"<element name="doc" xmlns="http://relaxng.org/ns/structure/1.0"
    datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <zeroOrMore>
    <choice>
      <element name="p"><attribute name="id"><data type="ID"/></attribute><text/></element>
      <element><anyName/><zeroOrMore><attribute><anyName/></attribute></zeroOrMore><text/></element>
    </choice>
  </zeroOrMore>
</element>
"#,
    )
    .write(
        "ok.xml",
        "<doc><p id=\"a\">x</p><p id=\"a\">y</p><other k=\"v\"/></doc>",
    );
    let run = s.run(&[
        "validate", "--schema", "s.rng", "--format", "short", "ok.xml",
    ]);
    run.status(2);
    assert!(
        run.stderr.contains("rng/schema-id-compat") || run.stdout.contains("rng/schema-id-compat"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    let run = s.run(&[
        "validate", "-i", "--schema", "s.rng", "--format", "short", "ok.xml",
    ]);
    run.status(0);
}
