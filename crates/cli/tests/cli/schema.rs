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

// The compiled-schema cache. Every test names its own cache folder with TEIKIT_CACHE_DIR,
// so nothing is read from or written to the real user cache.

const MAIN_RNG: &str = r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0"
    datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <include href="inc.rng"/>
  <start><ref name="doc"/></start>
  <define name="doc">
    <element name="doc">
      <attribute name="when"><data type="date"/></attribute>
      <zeroOrMore><ref name="p"/></zeroOrMore>
    </element>
  </define>
</grammar>
"#;

const INC_RNG: &str = r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0">
  <define name="p"><element name="p"><text/></element></define>
</grammar>
"#;

fn cache_fixture() -> Scratch {
    let s = Scratch::new();
    s.write("s/main.rng", MAIN_RNG)
        .write("s/inc.rng", INC_RNG)
        .write("ok.xml", "<doc when=\"2024-02-29\"><p>a</p></doc>")
        .write("bad-date.xml", "<doc when=\"2023-02-29\"><p>a</p></doc>")
        .write(
            "bad-child.xml",
            "<doc when=\"2024-01-01\">\n  <para>a</para>\n</doc>",
        )
        .write("para.xml", "<doc when=\"2024-01-01\"><para>a</para></doc>");
    s
}

const DOCS: &[&str] = &["ok.xml", "bad-date.xml", "bad-child.xml", "para.xml"];

/// `validate --format json` of the fixture documents with the cache in `cache`.
fn validate_json(s: &Scratch, cache: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["validate", "--format", "json", "--schema", "s/main.rng"];
    args.extend_from_slice(extra);
    args.extend_from_slice(DOCS);
    let dir = s.path(cache);
    let run = s.run_env(
        "",
        &args,
        &[
            ("TEIKIT_CACHE_DIR", dir.to_str().unwrap()),
            ("TEIKIT_TIMINGS", "1"),
        ],
    );
    (run.status, run.stdout, run.stderr)
}

fn entries(s: &Scratch, cache: &str) -> Vec<std::path::PathBuf> {
    let Ok(dir) = std::fs::read_dir(s.path(cache)) else {
        return Vec::new();
    };
    let mut v: Vec<_> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tsc"))
        .collect();
    v.sort();
    v
}

#[test]
fn cache_hit_gives_the_results_of_a_cold_load() {
    let s = cache_fixture();
    let (status, uncached, _) = validate_json(&s, "cache", &["--no-cache"]);
    assert_eq!(status, 1);
    assert!(entries(&s, "cache").is_empty(), "--no-cache writes nothing");
    let (_, first, stderr) = validate_json(&s, "cache", &[]);
    assert!(stderr.contains("cache miss: no entry yet"), "{stderr}");
    assert_eq!(entries(&s, "cache").len(), 1);
    let (status, hit, stderr) = validate_json(&s, "cache", &[]);
    assert!(stderr.contains("cache hit"), "{stderr}");
    assert_eq!(status, 1);
    assert_eq!(hit, uncached);
    assert_eq!(first, uncached);
    let v: serde_json::Value = serde_json::from_str(&hit).unwrap();
    let valid: Vec<bool> = (0..4)
        .map(|i| v["files"][i]["valid"].as_bool().unwrap())
        .collect();
    assert_eq!(valid, [true, false, false, false]);
}

#[test]
fn a_modified_include_invalidates_the_entry() {
    let s = cache_fixture();
    validate_json(&s, "cache", &[]);
    s.write(
        "s/inc.rng",
        INC_RNG.replace("\"p\"><text", "\"para\"><text"),
    );
    let (_, out, stderr) = validate_json(&s, "cache", &[]);
    assert!(
        stderr.contains("stale") && stderr.contains("inc.rng"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files"][0]["valid"], false, "<p> is no longer allowed");
    assert_eq!(v["files"][3]["valid"], true, "<para> now is");
    let (_, again, stderr) = validate_json(&s, "cache", &[]);
    assert!(stderr.contains("cache hit"), "{stderr}");
    assert_eq!(again, out);
}

#[test]
fn a_corrupt_entry_is_rebuilt() {
    let s = cache_fixture();
    let (_, reference, _) = validate_json(&s, "cache", &["--no-cache"]);
    validate_json(&s, "cache", &[]);
    let entry = entries(&s, "cache").pop().expect("an entry");
    let good = std::fs::read(&entry).unwrap();
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0xff;
    let damaged: [(&str, Vec<u8>); 4] = [
        ("truncated", good[..good.len() / 3].to_vec()),
        ("flipped", flipped),
        ("garbage", b"\x00\x01garbage".repeat(100)),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in damaged {
        std::fs::write(&entry, bytes).unwrap();
        let (status, out, stderr) = validate_json(&s, "cache", &[]);
        assert_eq!(status, 1, "{what}: {stderr}");
        assert!(stderr.contains("cache miss: corrupt"), "{what}: {stderr}");
        assert_eq!(out, reference, "{what}");
        let (_, out, stderr) = validate_json(&s, "cache", &[]);
        assert!(stderr.contains("cache hit"), "{what}: rebuilt: {stderr}");
        assert_eq!(out, reference, "{what}");
    }
}

#[test]
fn an_entry_of_another_teikit_is_not_used() {
    let s = cache_fixture();
    validate_json(&s, "cache", &[]);
    let entry = entries(&s, "cache").pop().expect("an entry");
    // The stamp ("teikit <version> …") is in the header: another version in place is
    // refused (the crate's own tests show a well-formed entry of another stamp is refused
    // as such; here the checksum catches the edit first).
    let mut bytes = std::fs::read(&entry).unwrap();
    let at = bytes
        .windows(7)
        .position(|w| w == b"teikit ")
        .expect("stamp in the entry")
        + 7;
    bytes[at] = if bytes[at] == b'9' { b'8' } else { b'9' };
    std::fs::write(&entry, bytes).unwrap();
    let (_, _, stderr) = validate_json(&s, "cache", &[]);
    assert!(stderr.contains("cache miss"), "{stderr}");
    let (_, _, stderr) = validate_json(&s, "cache", &[]);
    assert!(stderr.contains("cache hit"), "{stderr}");
}

#[test]
fn an_unwritable_cache_folder_still_validates() {
    let s = cache_fixture();
    let (_, reference, _) = validate_json(&s, "cache", &["--no-cache"]);
    // A folder under a regular file cannot be created, even by root.
    s.write("blocker", "x");
    let (status, out, stderr) = validate_json(&s, "blocker/cache", &[]);
    assert_eq!(status, 1);
    assert_eq!(out, reference);
    assert_eq!(
        stderr.matches("warning: the compiled-schema cache").count(),
        1,
        "warned once: {stderr}"
    );
}

#[test]
fn schema_compile_warms_the_cache() {
    let s = cache_fixture();
    let dir = s.path("cache");
    let env = [("TEIKIT_CACHE_DIR", dir.to_str().unwrap())];
    let run = s.run_env("", &["schema", "compile", "s/main.rng"], &env);
    run.status(0);
    assert!(run.stdout.contains("compiled into"), "{}", run.stdout);
    assert!(run.stdout.contains("load from source:"), "{}", run.stdout);
    assert!(run.stdout.contains("load from cache:"), "{}", run.stdout);
    assert_eq!(entries(&s, "cache").len(), 1);
    let mut env2 = env.to_vec();
    env2.push(("TEIKIT_TIMINGS", "1"));
    let run = s.run_env("", &["validate", "--schema", "s/main.rng", "ok.xml"], &env2);
    run.status(0);
    assert!(run.stderr.contains("cache hit"), "{}", run.stderr);
    let run = s.run_env("", &["schema", "list"], &env);
    run.status(0);
    assert!(run.stdout.contains("compiled schemas in"), "{}", run.stdout);
    assert!(run.stdout.contains("main.rng (2 files"), "{}", run.stdout);
    // An incorrect schema: exit 1, nothing written.
    s.write(
        "bad.rng",
        "<element xmlns=\"http://relaxng.org/ns/structure/1.0\"><text/></element>",
    );
    s.run_env("", &["schema", "compile", "bad.rng"], &env)
        .status(1);
    assert_eq!(entries(&s, "cache").len(), 1);
}

#[test]
fn the_builtin_schema_is_cached_too() {
    let s = Scratch::new();
    s.write("a.xml", "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"/>");
    let dir = s.path("cache");
    let env = [
        ("TEIKIT_CACHE_DIR", dir.to_str().unwrap()),
        ("TEIKIT_TIMINGS", "1"),
    ];
    let first = s.run_env("", &["validate", "--format", "json", "a.xml"], &env);
    let second = s.run_env("", &["validate", "--format", "json", "a.xml"], &env);
    assert!(second.stderr.contains("cache hit"), "{}", second.stderr);
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(first.status, second.status);
}

#[test]
fn schema_fetch_offline_is_exit_2_with_where_to_put_a_copy() {
    let s = Scratch::new();
    // Port 1 on localhost: nothing listens, the connection is refused at once.
    let run = s.run_env(
        "",
        &["schema", "fetch", "tei_lite"],
        &[("TEIKIT_FETCH_BASE_URL", "http://127.0.0.1:1/relaxng/")],
    );
    run.status(2);
    assert!(
        run.stderr
            .contains("http://127.0.0.1:1/relaxng/tei_lite.rng"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("save it as tei_lite.rng in"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(".cache/teikit/schemas"),
        "{}",
        run.stderr
    );
    assert!(!s.path(".cache/teikit/schemas/tei_lite.rng").exists());
    // Not an official name: a usage error, nothing fetched.
    let run = s.run_env(
        "",
        &["schema", "fetch", "tei_nonsense"],
        &[("TEIKIT_FETCH_BASE_URL", "http://127.0.0.1:1/")],
    );
    run.status(2);
    assert!(
        run.stderr.contains("not an official TEI schema name"),
        "{}",
        run.stderr
    );
}

/// Serves `responses` (status line and body), one per connection, on a local port.
fn serve(responses: Vec<(&'static str, Vec<u8>)>) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/relaxng/", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        for (status, body) in responses {
            let (mut conn, _) = listener.accept().unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = conn.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                req.extend_from_slice(&buf[..n]);
            }
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            conn.write_all(head.as_bytes()).unwrap();
            conn.write_all(&body).unwrap();
        }
    });
    (base, handle)
}

#[test]
fn schema_fetch_downloads_checks_and_installs() {
    let s = Scratch::new();
    let (base, server) = serve(vec![
        ("404 Not Found", b"no".to_vec()),
        ("200 OK", b"<html>captive portal</html>".to_vec()),
        ("200 OK", SCHEMA.as_bytes().to_vec()),
    ]);
    let dir = s.path("compiled");
    let env = [
        ("TEIKIT_FETCH_BASE_URL", base.as_str()),
        ("TEIKIT_CACHE_DIR", dir.to_str().unwrap()),
    ];
    let installed = s.path(".cache/teikit/schemas/tei_bare.rng");
    let run = s.run_env("", &["schema", "fetch", "tei_bare"], &env);
    run.status(2);
    assert!(run.stderr.contains("404"), "{}", run.stderr);
    let run = s.run_env("", &["schema", "fetch", "tei_bare"], &env);
    run.status(2);
    assert!(run.stderr.contains("nothing was saved"), "{}", run.stderr);
    assert!(!installed.exists());
    let run = s.run_env("", &["schema", "fetch", "tei_bare"], &env);
    run.status(0);
    server.join().unwrap();
    assert_eq!(std::fs::read_to_string(&installed).unwrap(), SCHEMA);
    assert!(
        run.stdout.contains("is a correct RELAX NG schema"),
        "{}",
        run.stdout
    );
    // Known by name now, compiled already, and not downloaded again.
    s.write("d.xml", "<doc><p>x</p></doc>");
    let mut env2 = env.to_vec();
    env2.push(("TEIKIT_TIMINGS", "1"));
    let run = s.run_env("", &["validate", "--schema", "tei_bare", "d.xml"], &env2);
    run.status(0);
    assert!(run.stderr.contains("cache hit"), "{}", run.stderr);
    let run = s.run_env("", &["schema", "fetch", "tei_bare"], &env);
    run.status(0);
    assert!(run.stdout.contains("already available"), "{}", run.stdout);
}
