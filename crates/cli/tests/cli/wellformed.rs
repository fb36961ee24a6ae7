//! The must-show cases of issue #2: each malformed document exits 1 with exactly one
//! diagnostic at the right line and column, in every output format.

use crate::util::Scratch;

/// A malformed document: file name, bytes, code, line, column (1-based, in characters).
struct Case {
    file: &'static str,
    bytes: &'static [u8],
    code: &'static str,
    line: u64,
    column: u64,
}

const CASES: &[Case] = &[
    Case {
        file: "unclosed.xml",
        bytes: b"<TEI>\n  <p>text\n</TEI>\n",
        code: "xml/unclosed-tag",
        line: 2,
        column: 3,
    },
    Case {
        file: "duplicate.xml",
        bytes: b"<TEI>\n  <p n=\"1\" n=\"2\">text</p>\n</TEI>\n",
        code: "xml/duplicate-attribute",
        line: 2,
        column: 12,
    },
    Case {
        file: "prefix.xml",
        bytes: b"<TEI>\n  <tei:p>text</tei:p>\n</TEI>\n",
        code: "xml/undeclared-prefix",
        line: 2,
        column: 4,
    },
    Case {
        file: "latin1.xml",
        bytes: b"<TEI>\n  <p>caf\xE9</p>\n</TEI>\n",
        code: "xml/invalid-utf8",
        line: 2,
        column: 9,
    },
    Case {
        file: "xxe.xml",
        bytes: b"<?xml version=\"1.0\"?>\n<!DOCTYPE TEI [\n<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n<TEI>\n  <p>&xxe;</p>\n</TEI>\n",
        code: "xml/external-entity",
        line: 6,
        column: 6,
    },
];

fn scratch(case: &Case) -> Scratch {
    let s = Scratch::new();
    s.write(case.file, case.bytes);
    s
}

#[test]
fn short_one_line_at_the_position() {
    for case in CASES {
        let s = scratch(case);
        let run = s.run(&["validate", "--format", "short", case.file]);
        run.status(1);
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), 1, "{}: {}", case.file, run.stdout);
        let prefix = format!("{}:{}:{}: error: ", case.file, case.line, case.column);
        assert!(lines[0].starts_with(&prefix), "{}: {}", case.file, lines[0]);
        assert!(
            lines[0].ends_with(&format!("[{}]", case.code)),
            "{}",
            lines[0]
        );
        assert!(
            !run.stdout.contains("root:x:0:0"),
            "nothing read from /etc/passwd"
        );
    }
}

#[test]
fn short_is_the_default_when_piped() {
    let case = &CASES[0];
    let s = scratch(case);
    let run = s.run(&["validate", case.file]);
    run.status(1);
    assert!(
        run.stdout.starts_with("unclosed.xml:2:3: error: "),
        "{}",
        run.stdout
    );
}

#[test]
fn human_one_report_at_the_position() {
    for case in CASES {
        let s = scratch(case);
        let run = s.run(&[
            "validate", "--format", "human", "--color", "never", case.file,
        ]);
        run.status(1);
        assert_eq!(run.stdout.matches(case.code).count(), 1, "{}", run.stdout);
        let location = format!("{}:{}:{}", case.file, case.line, case.column);
        assert!(
            run.stdout.contains(&location),
            "{location} in\n{}",
            run.stdout
        );
        assert!(!run.stdout.contains('\u{1b}'), "no colour");
    }
}

#[test]
fn json_fields() {
    for case in CASES {
        let s = scratch(case);
        let run = s.run(&["validate", "--format", "json", case.file]);
        run.status(1);
        let v = run.json();
        assert_eq!(v["version"], 1);
        let file = &v["files"][0];
        assert_eq!(file["path"], case.file);
        assert_eq!(file["valid"], false);
        assert!(file["schema"].is_null(), "no schema was used");
        let diags = file["diagnostics"].as_array().unwrap();
        assert_eq!(diags.len(), 1, "{}", run.stdout);
        let d = &diags[0];
        assert_eq!(d["severity"], "error");
        assert_eq!(d["code"], case.code);
        assert_eq!(d["line"], case.line, "{}", case.file);
        assert_eq!(d["column"], case.column, "{}", case.file);
        assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(
            d["help"].as_str().is_some_and(|m| !m.is_empty()),
            "{}",
            case.file
        );
        let offset = d["offset"].as_u64().unwrap() as usize;
        let length = d["length"].as_u64().unwrap() as usize;
        assert!(offset + length <= case.bytes.len());
        let summary = &v["summary"];
        assert_eq!(summary["files"], 1);
        assert_eq!(summary["invalid"], 1);
        assert_eq!(summary["errors"], 1);
    }
}

#[test]
fn json_offsets_point_at_the_right_bytes() {
    let expect: [&[u8]; 5] = [b"<p", b"n", b"tei", b"\xE9", b"&xxe;"];
    for (case, want) in CASES.iter().zip(expect) {
        let s = scratch(case);
        let v = s.run(&["validate", "--format", "json", case.file]).json();
        let d = &v["files"][0]["diagnostics"][0];
        let offset = d["offset"].as_u64().unwrap() as usize;
        let length = d["length"].as_u64().unwrap() as usize;
        assert_eq!(&case.bytes[offset..offset + length], want, "{}", case.file);
    }
}

#[test]
fn github_one_command() {
    for case in CASES {
        let s = scratch(case);
        let run = s.run(&["validate", "--format", "github", case.file]);
        run.status(1);
        let lines: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
        assert_eq!(lines.len(), 1, "{}", run.stdout);
        let props = format!(
            "::error file={},line={},col={},",
            case.file, case.line, case.column
        );
        assert!(lines[0].starts_with(&props), "{}", lines[0]);
        assert!(lines[0].contains(&format!("title={}", case.code)));
    }
}

#[test]
fn sarif_one_result() {
    for case in CASES {
        let s = scratch(case);
        let run = s.run(&["validate", "--format", "sarif", case.file]);
        run.status(1);
        let v = run.json();
        assert_eq!(v["version"], "2.1.0");
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 1, "{}", run.stdout);
        assert_eq!(results[0]["ruleId"], case.code);
        let region = &results[0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], case.line, "{}", case.file);
        assert_eq!(region["startColumn"], case.column, "{}", case.file);
    }
}

#[test]
fn junit_one_failure() {
    for case in CASES {
        let s = scratch(case);
        let run = s.run(&["validate", "--format", "junit", case.file]);
        run.status(1);
        let doc = roxmltree::Document::parse(&run.stdout).expect("JUnit is XML");
        let failures: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .collect();
        assert_eq!(failures.len(), 1, "{}", run.stdout);
        assert_eq!(failures[0].attribute("type"), Some(case.code));
        let body = failures[0].text().unwrap_or("");
        let at = format!("{}:{}:{}:", case.file, case.line, case.column);
        assert!(body.contains(&at), "{at} in {body}");
        assert_eq!(body.matches(case.code).count(), 1, "{body}");
    }
}

#[test]
fn snapshots_short_and_human() {
    let mut short = String::new();
    let mut human = String::new();
    for case in CASES {
        let s = scratch(case);
        short.push_str(&s.run(&["validate", "--format", "short", case.file]).stdout);
        let run = s.run(&[
            "validate", "--format", "human", "--color", "never", case.file,
        ]);
        human.push_str(&run.stdout);
    }
    insta::assert_snapshot!("short", short);
    insta::assert_snapshot!("human", human);
}

#[test]
fn well_formed_without_schema_gets_the_builtin_schema() {
    let s = Scratch::new();
    s.write(
        "tei.xml",
        "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><p>fine</p></TEI>",
    );
    // Well-formed, but not a teikit-archive document; the report names the schema used.
    let run = s.run(&["validate", "--format", "json", "tei.xml"]);
    run.status(1);
    let v = run.json();
    assert_eq!(v["files"][0]["schema"], "teikit-archive");
    assert!(v["files"][0]["diagnostics"][0]["code"]
        .as_str()
        .unwrap()
        .starts_with("rng/"));
    let quiet = s.run(&["validate", "-q", "tei.xml"]);
    quiet.status(1);
    assert_eq!(quiet.stderr, "");
}

#[test]
fn deep_nesting_and_billion_laughs_are_diagnostics() {
    let s = Scratch::new();
    let n = 100_000;
    s.write(
        "deep.xml",
        format!("{}{}", "<a>".repeat(n), "</a>".repeat(n)),
    );
    let mut lol = String::from("<!DOCTYPE l [<!ENTITY l0 \"lol\">");
    for i in 1..10 {
        lol.push_str(&format!(
            "<!ENTITY l{i} \"{}\">",
            format!("&l{};", i - 1).repeat(10)
        ));
    }
    lol.push_str("]><l>&l9;</l>");
    s.write("lol.xml", lol);
    let run = s.run(&["validate", "--format", "short", "deep.xml", "lol.xml"]);
    run.status(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines[0].starts_with("deep.xml:1:3073: error:") && lines[0].ends_with("[xml/too-deep]"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].ends_with("[xml/entity-expansion-limit]"),
        "{}",
        lines[1]
    );
}

#[test]
fn utf16_documents_are_read_and_positions_are_in_characters() {
    let s = Scratch::new();
    let text = "<TEI>\n  <p>Grüße</q>\n</TEI>\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    s.write("utf16.xml", bytes);
    let run = s.run(&["validate", "--format", "short", "utf16.xml"]);
    run.status(1);
    assert!(
        run.stdout
            .starts_with("utf16.xml:2:11: error: end tag </q> does not match"),
        "{}",
        run.stdout
    );
}
