//! Schema resolution: the built-in teikit-archive, `--schema` names, `<?xml-model?>` with
//! catalogs, teikit.toml, `schema list|fetch` and `check`.

use crate::util::Scratch;

const LETTER: &str = "Letter to Anna\n\nDear Anna,\n\nthe weather is fine.\n";

const SCHEMA_A: &str =
    r#"<element name="a" xmlns="http://relaxng.org/ns/structure/1.0"><empty/></element>"#;
const SCHEMA_B: &str =
    r#"<element name="b" xmlns="http://relaxng.org/ns/structure/1.0"><empty/></element>"#;

/// A TEI document as `teikit convert` writes it.
fn converted(s: &Scratch, name: &str) -> String {
    s.write("in/letter.txt", LETTER);
    s.run(&["convert", "in/letter.txt", "-o", name]).status(0);
    std::fs::read_to_string(s.path(name)).unwrap()
}

#[test]
fn builtin_schema_is_used_when_nothing_else_names_one() {
    let s = Scratch::new();
    let tei = converted(&s, "ok.xml");
    let run = s.run(&["validate", "--format", "json", "ok.xml"]);
    run.status(0);
    let v = run.json();
    assert_eq!(v["files"][0]["schema"], "teikit-archive");
    assert_eq!(v["files"][0]["valid"], true);

    // An element TEI has, but not where teikit-archive allows it.
    let bad = tei.replacen("<body>", "<body><persname>x</persname>", 1);
    assert_ne!(bad, tei, "the converter writes a <body>");
    s.write("bad.xml", bad);
    let run = s.run(&["validate", "--format", "json", "bad.xml"]);
    run.status(1);
    let v = run.json();
    assert_eq!(v["files"][0]["schema"], "teikit-archive");
    assert_eq!(v["files"][0]["valid"], false);
    let human = s.run(&[
        "validate", "--format", "human", "--color", "never", "bad.xml",
    ]);
    human.status(1);
    assert!(
        human
            .stdout
            .starts_with("bad.xml: validated against schema teikit-archive\n"),
        "{}",
        human.stdout
    );
    // By name, too.
    s.run(&["validate", "--schema", "teikit-archive", "ok.xml"])
        .status(0);
    s.run(&["schema", "check", "teikit-archive"]).status(0);
}

#[test]
fn resolution_order_schema_then_xml_model_then_toml_then_builtin() {
    let s = Scratch::new();
    s.write("p/a.rng", SCHEMA_A).write("p/b.rng", SCHEMA_B);
    s.write("p/doc-a.xml", "<?xml-model href=\"a.rng\"?>\n<a/>");
    s.write("p/plain-b.xml", "<b/>");
    s.write("p/teikit.toml", "[validate]\nschema = \"b.rng\"\n");
    // xml-model wins over teikit.toml; teikit.toml over the built-in.
    let run = s.run_env(
        "p",
        &["validate", "--format", "json", "doc-a.xml", "plain-b.xml"],
        &[],
    );
    run.status(0);
    let v = run.json();
    assert_eq!(v["files"][0]["schema"], "a.rng");
    assert_eq!(v["files"][1]["schema"], "b.rng");
    // --schema wins over everything.
    let run = s.run_env(
        "p",
        &[
            "validate",
            "--schema",
            "b.rng",
            "--format",
            "json",
            "doc-a.xml",
        ],
        &[],
    );
    run.status(1);
    assert_eq!(run.json()["files"][0]["schema"], "b.rng");
    // Overrides: first match wins, relative to the teikit.toml folder; found from a subfolder.
    s.write(
        "p/teikit.toml",
        "[validate]\nschema = \"b.rng\"\n\n[[validate.overrides]]\nfiles = [\"sub/**/*.xml\"]\nschema = \"a.rng\"\n\n[[validate.overrides]]\nfiles = [\"sub/**\"]\nschema = \"b.rng\"\n",
    );
    s.write("p/sub/deep/x.xml", "<a/>");
    let run = s.run_env(
        "p/sub",
        &["validate", "--format", "json", "deep/x.xml"],
        &[],
    );
    run.status(0);
    assert_eq!(run.json()["files"][0]["schema"], "a.rng");
    // Without teikit.toml, a document naming nothing gets the built-in schema.
    s.write("q/plain.xml", "<b/>");
    let run = s.run_env("q", &["validate", "--format", "json", "plain.xml"], &[]);
    run.status(1);
    assert_eq!(run.json()["files"][0]["schema"], "teikit-archive");
}

#[test]
fn toml_unknown_key_is_exit_2_pointing_at_the_key() {
    let s = Scratch::new();
    s.write(
        "teikit.toml",
        "[validate]\nschema = \"x.rng\"\nschemma = \"y\"\n",
    );
    s.write("a.xml", "<a/>");
    let run = s.run(&["validate", "--format", "short", "a.xml"]);
    run.status(2);
    assert!(
        run.stderr.contains("teikit.toml:3:1: error:") && run.stderr.contains("[config/invalid]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("schemma"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn toml_diagnostics_ignore_and_warn() {
    let s = Scratch::new();
    s.write("a.rng", SCHEMA_A);
    s.write("x.xml", "<a><q/></a>");
    s.write("teikit.toml", "[validate]\nschema = \"a.rng\"\n");
    let run = s.run(&["validate", "--format", "json", "x.xml"]);
    run.status(1);
    let code = run.json()["files"][0]["diagnostics"][0]["code"]
        .as_str()
        .unwrap()
        .to_string();
    s.write(
        "teikit.toml",
        format!("[validate]\nschema = \"a.rng\"\n[diagnostics]\nwarn = [\"{code}\"]\n"),
    );
    let run = s.run(&["validate", "--format", "json", "x.xml"]);
    run.status(0);
    assert_eq!(
        run.json()["files"][0]["diagnostics"][0]["severity"],
        "warning"
    );
    s.write(
        "teikit.toml",
        format!("[validate]\nschema = \"a.rng\"\n[diagnostics]\nignore = [\"{code}\"]\n"),
    );
    let run = s.run(&["validate", "--format", "json", "x.xml"]);
    run.status(0);
    assert_eq!(
        run.json()["files"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn catalog_maps_a_remote_xml_model_to_a_local_schema() {
    let s = Scratch::new();
    s.write("schemas/a.rng", SCHEMA_A);
    s.write(
        "catalog.xml",
        r#"<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <uri name="http://example.org/schemas/a.rng" uri="schemas/a.rng"/>
</catalog>"#,
    );
    s.write(
        "doc.xml",
        "<?xml-model href=\"http://example.org/schemas/a.rng\" schematypens=\"http://relaxng.org/ns/structure/1.0\"?>\n<a/>",
    );
    s.write(
        "bad.xml",
        "<?xml-model href=\"http://example.org/schemas/a.rng\"?>\n<a><z/></a>",
    );
    let run = s.run(&[
        "validate",
        "--catalog",
        "catalog.xml",
        "--format",
        "json",
        "doc.xml",
        "bad.xml",
    ]);
    run.status(1);
    let v = run.json();
    assert_eq!(v["files"][0]["valid"], true);
    assert_eq!(v["files"][0]["schema"], "http://example.org/schemas/a.rng");
    assert_eq!(v["files"][1]["valid"], false);
    // Without the catalog the URL is not loaded: a warning, then the built-in schema.
    let run = s.run(&["validate", "--format", "json", "doc.xml"]);
    run.status(1);
    let v = run.json();
    assert_eq!(v["files"][0]["schema"], "teikit-archive");
    assert_eq!(
        v["files"][0]["diagnostics"][0]["code"],
        "schema/remote-not-loaded"
    );
}

#[test]
fn schema_list_and_names_from_teikit_schema_path() {
    let s = Scratch::new();
    s.write("lib1/mine.rng", SCHEMA_A)
        .write("lib2/other.rnc", "element b { empty }\n");
    s.write("lib2/notes.txt", "not a schema");
    s.write(".cache/teikit/schemas/cached.rng", SCHEMA_B);
    let path = format!("{}:{}", s.path("lib1").display(), s.path("lib2").display());
    let env = [("TEIKIT_SCHEMA_PATH", path.as_str())];
    let run = s.run_env("", &["schema", "list"], &env);
    run.status(0);
    let names: Vec<&str> = run
        .stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        names,
        ["teikit-archive", "mine", "other", "cached"],
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("TEIKIT_SCHEMA_PATH"));
    assert!(run.stdout.contains("built-in"));
    s.write("a.xml", "<a/>").write("b.xml", "<b/>");
    let run = s.run_env(
        "",
        &["validate", "--schema", "mine", "--format", "json", "a.xml"],
        &env,
    );
    run.status(0);
    assert_eq!(run.json()["files"][0]["schema"], "mine");
    s.run_env("", &["validate", "--schema", "other", "b.xml"], &env)
        .status(0);
    s.run_env("", &["validate", "--schema", "cached", "b.xml"], &env)
        .status(0);
    let run = s.run_env("", &["validate", "--schema", "nosuch", "a.xml"], &env);
    run.status(2);
    assert!(
        run.stderr.contains("known: teikit-archive, mine"),
        "{}",
        run.stderr
    );
}

#[test]
fn fetch_without_network_says_what_to_do() {
    let s = Scratch::new();
    // Nothing listens on port 1: the test never uses the network.
    let offline = [("TEIKIT_FETCH_BASE_URL", "http://127.0.0.1:1/relaxng/")];
    let run = s.run_env("", &["schema", "fetch", "tei_all"], &offline);
    run.status(2);
    assert!(
        run.stderr
            .contains("http://127.0.0.1:1/relaxng/tei_all.rng"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("teikit/schemas"), "{}", run.stderr);
    s.write(".cache/teikit/schemas/tei_all.rng", SCHEMA_A);
    let run = s.run_env("", &["schema", "fetch", "tei_all"], &offline);
    run.status(0);
    assert!(run.stdout.contains("already available"), "{}", run.stdout);
    s.run_env("", &["schema", "fetch", "not_a_tei_schema"], &offline)
        .status(2);
}

#[test]
fn check_validates_the_working_directory_with_teikit_toml() {
    let s = Scratch::new();
    s.write("proj/a.rng", SCHEMA_A);
    s.write("proj/teikit.toml", "[validate]\nschema = \"a.rng\"\n");
    s.write("proj/docs/one.xml", "<a/>")
        .write("proj/docs/two.xml", "<a/>");
    let run = s.run_env("proj", &["check", "--format", "json"], &[]);
    run.status(0);
    let v = run.json();
    assert_eq!(v["summary"]["files"], 2);
    assert_eq!(v["files"][0]["path"], "docs/one.xml");
    assert_eq!(v["files"][0]["schema"], "a.rng");
    s.write("proj/docs/three.xml", "<b/>");
    s.run_env("proj", &["check"], &[]).status(1);
    s.run_env("proj", &["check", "docs/one.xml"], &[]).status(0);
}

#[test]
fn xinclude_is_expanded_and_diagnostics_land_in_the_included_file() {
    let s = Scratch::new();
    s.write(
        "a.rng",
        r#"<element name="a" xmlns="http://relaxng.org/ns/structure/1.0"><oneOrMore><element name="b"><optional><attribute name="xml:base"/></optional><empty/></element></oneOrMore></element>"#,
    );
    s.write(
        "main.xml",
        "<a xmlns:xi=\"http://www.w3.org/2001/XInclude\"><b/><xi:include href=\"part.xml\"/></a>",
    );
    s.write("part.xml", "<b/>");
    s.write("badpart.xml", "<c/>");
    s.write(
        "bad.xml",
        "<a xmlns:xi=\"http://www.w3.org/2001/XInclude\"><b/><xi:include href=\"badpart.xml\"/></a>",
    );
    s.run(&["validate", "--schema", "a.rng", "main.xml"])
        .status(0);
    // Without XInclude processing, xi:include is an element the schema does not allow.
    s.run(&["validate", "--no-xinclude", "--schema", "a.rng", "main.xml"])
        .status(1);
    let run = s.run(&[
        "validate", "--schema", "a.rng", "--format", "short", "bad.xml",
    ]);
    run.status(1);
    assert!(
        run.stdout.contains("badpart.xml:1:2: error: element <c>"),
        "{}",
        run.stdout
    );
    // teikit.toml can turn it off.
    s.write("teikit.toml", "[validate]\nxinclude = false\n");
    s.run(&["validate", "--schema", "a.rng", "main.xml"])
        .status(1);
}

#[test]
fn reference_rules_run_after_the_grammar_on_tei_documents() {
    let s = Scratch::permissive();
    s.write(
        "tei.xml",
        "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><p xml:id=\"p1\"/><ref target=\"#p2\"/></TEI>",
    );
    s.write("other.xml", "<doc><ref target=\"#p2\"/></doc>");
    let run = s.run(&["validate", "--format", "json", "tei.xml", "other.xml"]);
    run.status(1);
    let v = run.json();
    assert_eq!(v["files"][0]["diagnostics"][0]["code"], "tei/dangling-ref");
    assert_eq!(v["files"][1]["valid"], true, "not TEI: no rules");
    s.run(&["validate", "--no-rules", "tei.xml"]).status(0);
    s.write(
        "teikit.toml",
        "[validate]\nschema = \"any.rng\"\nrules = false\n",
    );
    s.run(&["validate", "tei.xml"]).status(0);
}

#[test]
fn toml_schema_that_cannot_be_found_is_exit_2() {
    let s = Scratch::new();
    s.write("teikit.toml", "[validate]\nschema = \"no_such_name\"\n");
    s.write("a.xml", "<a/>");
    let run = s.run(&["check", "--format", "json"]);
    run.status(2);
    let v = run.json();
    assert_eq!(v["files"][0]["schema"], "no_such_name");
    assert_eq!(v["files"][0]["diagnostics"][0]["code"], "schema/unloadable");
}

#[test]
fn official_tei_url_uses_the_schema_of_that_name_when_available() {
    let s = Scratch::new();
    s.write(
        "doc.xml",
        "<?xml-model href=\"https://tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng\" schematypens=\"http://relaxng.org/ns/structure/1.0\"?>\n<a/>",
    );
    // Not available: warning, built-in schema.
    let run = s.run(&["validate", "--format", "json", "doc.xml"]);
    assert_eq!(run.json()["files"][0]["schema"], "teikit-archive");
    // A stand-in `tei_all` in the user cache is used by name.
    s.write(".cache/teikit/schemas/tei_all.rng", SCHEMA_A);
    let run = s.run(&["validate", "--format", "json", "doc.xml"]);
    run.status(0);
    let v = run.json();
    assert_eq!(v["files"][0]["schema"], "tei_all");
    assert_eq!(v["files"][0]["diagnostics"].as_array().unwrap().len(), 0);
}
