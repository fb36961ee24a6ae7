//! Hostile input (issue #10): every case runs the real binary in a scratch folder under a
//! wall-clock bound, and must end with exit 0, 1 or 2 and a diagnostic — never a panic
//! (101), a signal or a hang — without reading anything outside its inputs, touching the
//! network, or changing an input's bytes. SECURITY.md states the same bounds.
//!
//! Cases already covered elsewhere are not repeated here: `file:` external entities,
//! billion laughs, 100,000-deep nesting and UTF-16 with a BOM (wellformed.rs), `-o` naming
//! the input literally (convert.rs).
//!
//! Bounds: each child gets [`LIMIT`] (60 s) of wall time, or [`BIG_LIMIT`] (300 s) for the
//! 100 MB attribute (the test binary runs the debug build on a shared 2-core machine). Peak
//! memory is measured with `/usr/bin/time -f %M` when that program exists (otherwise the
//! memory assertion is skipped with a printed note).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Scratch, ANY_SCHEMA};

/// Wall-clock bound of one run.
const LIMIT: Duration = Duration::from_secs(60);
/// Wall-clock bound of the runs on 100 MB inputs.
const BIG_LIMIT: Duration = Duration::from_secs(300);
const MIB: u64 = 1024 * 1024;

const TIME: &str = "/usr/bin/time";

/// What a bounded run produced.
#[derive(Debug)]
struct Bounded {
    status: i32,
    stdout: String,
    stderr: String,
    /// Peak resident set of the child in bytes, when `/usr/bin/time` measured it.
    peak_rss: Option<u64>,
}

impl Bounded {
    /// Asserts a controlled exit: one of `allowed`, and a diagnostic on stdout or stderr
    /// unless the run succeeded.
    #[track_caller]
    fn exits(&self, allowed: &[i32]) -> &Bounded {
        assert!(
            allowed.contains(&self.status),
            "exit status {} not in {allowed:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            tail(&self.stdout),
            tail(&self.stderr)
        );
        if self.status != 0 {
            assert!(
                self.stdout.contains("error") || self.stderr.contains("error"),
                "a failing run names its error\n--- stdout\n{}\n--- stderr\n{}",
                tail(&self.stdout),
                tail(&self.stderr)
            );
        }
        self
    }

    /// Asserts that `needle` appears in stdout or stderr.
    #[track_caller]
    fn says(&self, needle: &str) -> &Bounded {
        assert!(
            self.stdout.contains(needle) || self.stderr.contains(needle),
            "{needle:?} in\n--- stdout\n{}\n--- stderr\n{}",
            tail(&self.stdout),
            tail(&self.stderr)
        );
        self
    }

    /// Asserts that nothing of /etc/passwd was printed.
    #[track_caller]
    fn leaks_nothing(&self) -> &Bounded {
        for out in [&self.stdout, &self.stderr] {
            assert!(!out.contains("root:"), "/etc/passwd leaked:\n{out}");
        }
        self
    }

    /// Asserts the peak resident set stayed below `bound` bytes, when it was measured.
    #[track_caller]
    fn memory_below(&self, bound: u64) -> &Bounded {
        match self.peak_rss {
            Some(peak) => assert!(
                peak < bound,
                "peak RSS {} MiB, bound {} MiB",
                peak / MIB,
                bound / MIB
            ),
            None => eprintln!("note: {TIME} not available, memory bound not checked"),
        }
        self
    }
}

fn tail(s: &str) -> &str {
    let mut start = s.len().saturating_sub(2000);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// Runs `teikit ARGS` in `dir` like `util::run_in` (no schema path, private cache), killing
/// it and failing the test if it runs longer than `limit`. Output goes to files so a large
/// report cannot block the child on a full pipe.
fn run_bounded(dir: &Path, args: &[&str], limit: Duration) -> Bounded {
    use std::os::unix::process::CommandExt;
    let out = tempfile::tempdir().expect("temporary folder");
    let stdout_path = out.path().join("stdout");
    let stderr_path = out.path().join("stderr");
    let rss_path = out.path().join("rss");
    let measure = Path::new(TIME).is_file();
    let mut cmd = if measure {
        let mut c = Command::new(TIME);
        c.arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&rss_path)
            .arg(env!("CARGO_BIN_EXE_teikit"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_teikit"))
    };
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("TEIKIT_SCHEMA_PATH")
        .env("XDG_CACHE_HOME", dir.join(".cache"))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        // Own process group, so a timeout kills teikit and not only /usr/bin/time.
        .process_group(0);
    let mut child = cmd.spawn().expect("run teikit");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            panic!("teikit {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &PathBuf| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    let mut stderr = read(&stderr_path);
    // GNU time reports a killed child on its output file, and exits 128 + signal.
    let code = status.code().expect("exit status, not a signal");
    let peak_rss = if measure {
        let report = read(&rss_path);
        if report.contains("signal") {
            stderr.push_str(&report);
        }
        report
            .lines()
            .last()
            .and_then(|l| l.trim().parse::<u64>().ok())
            .map(|kib| kib * 1024)
    } else {
        None
    };
    Bounded {
        status: code,
        stdout: read(&stdout_path),
        stderr,
        peak_rss,
    }
}

/// Content fingerprints of files, to check that no command changed its inputs.
struct Unchanged {
    files: Vec<(PathBuf, u64, u64)>,
}

impl Unchanged {
    fn of(s: &Scratch, rels: &[&str]) -> Unchanged {
        Unchanged {
            files: rels
                .iter()
                .map(|r| {
                    let p = s.path(r);
                    let (len, hash) = fingerprint(&p);
                    (p, len, hash)
                })
                .collect(),
        }
    }

    #[track_caller]
    fn check(&self) {
        for (p, len, hash) in &self.files {
            assert_eq!(fingerprint(p), (*len, *hash), "{} changed", p.display());
        }
    }
}

fn fingerprint(p: &Path) -> (u64, u64) {
    let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    (bytes.len() as u64, h.finish())
}

/// Writes `files` into a scratch folder holding the permissive schema `any.rng`, runs
/// `teikit ARGS` there under `limit`, and checks the files are unchanged afterwards.
fn case(files: &[(&str, &[u8])], args: &[&str], limit: Duration) -> Bounded {
    let s = Scratch::new();
    s.write("any.rng", ANY_SCHEMA);
    for (rel, bytes) in files {
        s.write(rel, bytes);
    }
    let mut rels: Vec<&str> = files.iter().map(|(r, _)| *r).collect();
    rels.push("any.rng");
    let inputs = Unchanged::of(&s, &rels);
    let run = run_bounded(s.dir.path(), args, limit);
    inputs.check();
    run
}

fn validate(file: &str, bytes: &[u8]) -> Bounded {
    case(
        &[(file, bytes)],
        &["validate", "--schema", "any.rng", "--format", "short", file],
        LIMIT,
    )
}

// --- Documents -----------------------------------------------------------------------------

#[test]
fn http_external_entity_is_not_fetched() {
    let doc = b"<!DOCTYPE a [<!ENTITY x SYSTEM \"http://127.0.0.1:9/x\">]>\n<a>&x;</a>\n";
    validate("http.xml", doc)
        .exits(&[1])
        .says("http.xml:2:4: error:")
        .says("[xml/external-entity]");
}

#[test]
fn external_parameter_entity_is_not_read() {
    let doc = b"<!DOCTYPE a [\n<!ENTITY % p SYSTEM \"file:///etc/passwd\">\n%p;\n]>\n<a/>\n";
    // Reported as what it is, at the reference (line 3), not as a generic syntax error.
    validate("pe.xml", doc)
        .exits(&[1])
        .says("pe.xml:3:1: error:")
        .says("[xml/external-entity]")
        .leaks_nothing();
}

#[test]
fn quadratic_blowup_hits_the_entity_limit() {
    // One 100 KB entity referenced 10,000 times would expand to 1 GB.
    let mut doc = format!("<!DOCTYPE a [<!ENTITY e \"{}\">]><a>", "x".repeat(100_000));
    doc.push_str(&"&e;".repeat(10_000));
    doc.push_str("</a>");
    validate("quad.xml", doc.as_bytes())
        .exits(&[1])
        .says("[xml/entity-expansion-limit]")
        .memory_below(256 * MIB);
}

#[test]
fn hundred_megabyte_attribute_finishes_in_bounded_memory() {
    let mut doc = Vec::with_capacity(100 * 1024 * 1024 + 16);
    doc.extend_from_slice(b"<a b=\"");
    doc.resize(doc.len() + 100 * 1024 * 1024, b'y');
    doc.extend_from_slice(b"\"/>\n");
    case(
        &[("big.xml", &doc)],
        &[
            "validate", "--schema", "any.rng", "--format", "short", "big.xml",
        ],
        BIG_LIMIT,
    )
    .exits(&[0, 1])
    .memory_below(1024 * MIB);
}

#[test]
fn ten_megabyte_text_node_finishes_in_bounded_memory() {
    let mut doc = Vec::with_capacity(10 * 1024 * 1024 + 16);
    doc.extend_from_slice(b"<a>");
    doc.resize(doc.len() + 10 * 1024 * 1024, b't');
    doc.extend_from_slice(b"</a>\n");
    validate("text.xml", &doc)
        .exits(&[0, 1])
        .memory_below(256 * MIB);
}

#[test]
fn invalid_utf8_in_the_middle() {
    validate("bad.xml", b"<a>\n  <b>ok\xFF\xFEok</b>\n</a>\n")
        .exits(&[1])
        .says("bad.xml:2:8: error:")
        .says("[xml/invalid-utf8]");
}

#[test]
fn utf16_without_bom() {
    let bytes: Vec<u8> = "<a>hi</a>"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    validate("utf16.xml", &bytes)
        .exits(&[1])
        .says("utf16.xml:1:");
    let bytes: Vec<u8> = "<a>hi</a>"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    validate("utf16be.xml", &bytes)
        .exits(&[1])
        .says("utf16be.xml:1:");
}

#[test]
fn nul_byte() {
    validate("nul.xml", b"<a>x\0y</a>")
        .exits(&[1])
        .says("nul.xml:1:5: error:")
        .says("[xml/invalid-char]");
}

#[test]
fn empty_file() {
    validate("empty.xml", b"")
        .exits(&[1])
        .says("empty.xml:1:1: error:")
        .says("[xml/missing-root]");
}

#[test]
fn folder_named_like_a_document() {
    let s = Scratch::permissive();
    std::fs::create_dir(s.path("x.xml")).unwrap();
    run_bounded(s.dir.path(), &["validate", "x.xml"], LIMIT)
        .exits(&[2])
        .says("x.xml");
}

#[test]
fn symlink_loop_in_a_folder_walk_terminates() {
    use std::os::unix::fs::symlink;
    let s = Scratch::permissive();
    s.write("corpus/a.xml", "<a/>");
    symlink("..", s.path("corpus/up")).unwrap();
    symlink(".", s.path("corpus/here")).unwrap();
    symlink("loop2", s.path("corpus/loop1")).unwrap();
    symlink("loop1", s.path("corpus/loop2")).unwrap();
    let inputs = Unchanged::of(&s, &["corpus/a.xml"]);
    let run = run_bounded(
        s.dir.path(),
        &["validate", "--format", "json", "corpus"],
        LIMIT,
    );
    inputs.check();
    run.exits(&[0, 1, 2]).says("corpus/a.xml");
}

// --- Schemas -------------------------------------------------------------------------------

fn with_schema(schema: &str, format: &str) -> Bounded {
    case(
        &[("s.rng", schema.as_bytes()), ("doc.xml", b"<a/>")],
        &[
            "validate", "--schema", "s.rng", "--format", format, "doc.xml",
        ],
        LIMIT,
    )
}

#[test]
fn schema_including_itself() {
    let schema = r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0">
  <include href="s.rng"/>
  <start><element name="a"><empty/></element></start>
</grammar>"#;
    with_schema(schema, "short")
        .exits(&[2])
        .says("[rng/schema-include]")
        .says("s.rng");
}

const PASSWD_REF: &str = r#"<element name="a" xmlns="http://relaxng.org/ns/structure/1.0">
  <externalRef href="/etc/passwd"/>
</element>"#;

#[test]
fn external_ref_to_etc_passwd_is_an_error_without_its_contents() {
    if !Path::new("/etc/passwd").is_file() {
        eprintln!("note: no /etc/passwd, case skipped");
        return;
    }
    for format in ["short", "json", "github", "sarif", "junit"] {
        with_schema(PASSWD_REF, format).exits(&[2]).leaks_nothing();
    }
    let file_url = PASSWD_REF.replace("/etc/passwd", "file:///etc/passwd");
    with_schema(&file_url, "short").exits(&[2]).leaks_nothing();
}

#[test]
fn external_ref_to_etc_passwd_human_report_does_not_quote_it() {
    with_schema(PASSWD_REF, "human").exits(&[2]).leaks_nothing();
    let s = Scratch::new();
    s.write("s.rng", PASSWD_REF);
    run_bounded(
        s.dir.path(),
        &["schema", "check", "--format", "human", "s.rng"],
        LIMIT,
    )
    .exits(&[1, 2])
    .leaks_nothing();
}

#[test]
fn http_include_names_the_url_and_is_not_fetched() {
    let schema = r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0">
  <include href="http://127.0.0.1:9/evil.rng"/>
  <start><element name="a"><empty/></element></start>
</grammar>"#;
    with_schema(schema, "short")
        .exits(&[2])
        .says("http://127.0.0.1:9/evil.rng")
        .says("no network");
}

#[test]
fn catastrophic_backtracking_pattern_finishes() {
    let schema = r#"<element name="a" xmlns="http://relaxng.org/ns/structure/1.0"
    datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <data type="string"><param name="pattern">(a*)*b</param></data>
</element>"#;
    let doc = format!("<a>{}</a>", "a".repeat(30));
    case(
        &[("s.rng", schema.as_bytes()), ("doc.xml", doc.as_bytes())],
        &[
            "validate", "--schema", "s.rng", "--format", "short", "doc.xml",
        ],
        LIMIT,
    )
    .exits(&[1])
    .says("[rng/invalid-data]");
}

// --- convert -------------------------------------------------------------------------------

#[test]
fn convert_binary_file() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let s = Scratch::new();
    s.write("blob.txt", &bytes);
    let inputs = Unchanged::of(&s, &["blob.txt"]);
    run_bounded(
        s.dir.path(),
        &["convert", "blob.txt", "-o", "blob.xml"],
        LIMIT,
    )
    .exits(&[1, 2])
    .says("blob.txt");
    inputs.check();
    assert!(!s.path("blob.xml").exists(), "no output for a failed input");
}

#[test]
fn convert_empty_file() {
    let s = Scratch::new();
    s.write("empty.txt", "");
    let inputs = Unchanged::of(&s, &["empty.txt"]);
    run_bounded(
        s.dir.path(),
        &["convert", "empty.txt", "-o", "empty.xml"],
        LIMIT,
    )
    .exits(&[1, 2])
    .says("empty.txt");
    inputs.check();
    assert!(
        !s.path("empty.xml").exists(),
        "no output for a failed input"
    );
}

#[test]
fn convert_never_overwrites_its_input_under_another_name() {
    use std::os::unix::fs::symlink;
    let s = Scratch::new();
    let letter = "Letter\n\nDear Anna,\n\nfine.\n";
    s.write("l.txt", letter)
        .write("a.xml", letter)
        .write("b.xml", letter);
    std::fs::create_dir(s.path("sub")).unwrap();
    symlink("l.txt", s.path("link.txt")).unwrap();
    let inputs = Unchanged::of(&s, &["l.txt", "a.xml", "b.xml"]);
    for out in ["./l.txt", "sub/../l.txt", "link.txt"] {
        run_bounded(s.dir.path(), &["convert", "l.txt", "-o", out], LIMIT)
            .exits(&[2])
            .says("refusing to overwrite input");
        inputs.check();
    }
    // Inputs already named *.xml are not replaced by their own TEI, beside themselves
    // (several inputs) or in -O. (One input without -o goes to stdout.)
    for args in [
        &["convert", "a.xml", "b.xml"][..],
        &["convert", "a.xml", "-O", "."],
    ] {
        run_bounded(s.dir.path(), args, LIMIT)
            .exits(&[2])
            .says("refusing to overwrite input");
        inputs.check();
    }
}
