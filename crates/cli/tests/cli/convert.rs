//! `convert` destinations, atomic writes, overwrite refusal, and `text`.

use crate::util::Scratch;

const LETTER: &str = "Letter to Anna\n\nDear Anna,\n\nthe weather is fine.\n";

#[test]
fn one_input_goes_to_stdout() {
    let s = Scratch::new();
    s.write("letter.txt", LETTER);
    let run = s.run(&["convert", "letter.txt"]);
    assert!(run.status == 0 || run.status == 1, "{run:?}");
    if run.status == 0 {
        assert!(run.stdout.contains("<TEI"), "{}", run.stdout);
        assert!(run.stdout.contains("the weather is fine"));
    }
}

#[test]
fn output_file_and_json_report() {
    let s = Scratch::new();
    s.write("letter.txt", LETTER);
    let run = s.run(&[
        "convert",
        "letter.txt",
        "-o",
        "out/letter.xml",
        "--format",
        "json",
    ]);
    run.status(0);
    let v = run.json();
    assert_eq!(v["files"][0]["path"], "letter.txt");
    assert_eq!(v["files"][0]["output"], "out/letter.xml");
    let tei = std::fs::read_to_string(s.path("out/letter.xml")).unwrap();
    assert!(tei.contains("<TEI"));
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(s.path("out")).unwrap().count(), 1);
}

#[test]
fn never_overwrites_an_input() {
    let s = Scratch::new();
    s.write("letter.txt", LETTER);
    let run = s.run(&["convert", "letter.txt", "-o", "letter.txt"]);
    run.status(2);
    assert!(
        run.stderr.contains("refusing to overwrite input"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(s.path("letter.txt")).unwrap(),
        LETTER
    );
    let run = s.run(&["convert", "letter.txt", "-o", "./../x/../", "-O", "d"]);
    run.status(2);
}

#[test]
fn output_file_takes_one_input() {
    let s = Scratch::new();
    s.write("a.txt", LETTER).write("b.txt", LETTER);
    let run = s.run(&["convert", "a.txt", "b.txt", "-o", "x.xml"]);
    run.status(2);
    assert!(
        run.stderr.contains("-o FILE takes exactly one input"),
        "{}",
        run.stderr
    );
}

#[test]
fn out_dir_mirrors_relative_paths() {
    let s = Scratch::new();
    s.write("letters/a.txt", LETTER)
        .write("letters/sub/b.txt", LETTER)
        .write("letters/ignored.md", "x");
    let run = s.run(&["convert", "letters", "-O", "tei", "--format", "json"]);
    run.status(0);
    let v = run.json();
    let outputs: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["output"].as_str().unwrap())
        .collect();
    assert_eq!(outputs, ["tei/a.xml", "tei/sub/b.xml"]);
    assert!(s.path("tei/sub/b.xml").is_file());
}

#[test]
fn several_inputs_are_written_beside_themselves() {
    let s = Scratch::new();
    s.write("a.txt", LETTER).write("b.txt", LETTER);
    s.run(&["convert", "a.txt", "b.txt"]).status(0);
    assert!(s.path("a.xml").is_file() && s.path("b.xml").is_file());
}

#[test]
fn text_round_trip() {
    let s = Scratch::new();
    s.write("letter.txt", LETTER);
    s.run(&["convert", "letter.txt", "-o", "letter.xml"])
        .status(0);
    let run = s.run(&["text", "letter.xml"]);
    run.status(0);
    assert!(run.stdout.contains("the weather is fine"), "{}", run.stdout);
    let run = s.run(&["text", "missing.xml"]);
    run.status(2);
}

#[test]
fn out_dir_from_the_current_folder_keeps_relative_paths() {
    let s = Scratch::new();
    s.write("sub/letter.txt", LETTER);
    s.run(&["convert", ".", "-O", "tei"]).status(0);
    assert!(s.path("tei/sub/letter.xml").is_file());
}

// ---- metadata, authority, teikit.toml [convert], the batch report ----

const CABLE: &str =
    "CABLE Nº 12\n\nfrom MOSCOW sent at 1200 1 May 1951\n\nWe met Filippov today.\n\nIVANOV\n";

#[test]
fn toml_and_json_sidecars_fill_the_header() {
    let s = Scratch::new();
    s.write("in/a.txt", CABLE)
        .write(
            "in/a.meta.toml",
            "title = \"Cable 12 from Moscow\"\narchive = \"AVP RF\"\nshelfmark = \"f. 059a\"\n",
        )
        .write("in/b.txt", CABLE)
        .write(
            "in/b.meta.json",
            r#"{"title": "Second cable", "archive": "RGASPI"}"#,
        )
        .write("in/c.txt", CABLE);
    let run = s.run(&["convert", "in", "-O", "out", "--report", "r.json"]);
    run.status(0);
    let a = std::fs::read_to_string(s.path("out/a.xml")).unwrap();
    assert!(a.contains("<title>Cable 12 from Moscow</title>"), "{a}");
    assert!(a.contains("<repository>AVP RF</repository>"), "{a}");
    let b = std::fs::read_to_string(s.path("out/b.xml")).unwrap();
    assert!(b.contains("<title>Second cable</title>"), "{b}");
    assert!(b.contains("<repository>RGASPI</repository>"), "{b}");
    let c = std::fs::read_to_string(s.path("out/c.xml")).unwrap();
    assert!(!c.contains("RGASPI") && !c.contains("AVP RF"), "{c}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("r.json")).unwrap()).unwrap();
    let from: Vec<&serde_json::Value> = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["metadata"])
        .collect();
    assert_eq!(from[0], "in/a.meta.toml");
    assert_eq!(from[1], "in/b.meta.json");
    assert!(from[2].is_null());
}

#[test]
fn two_sidecars_fail_that_input_only() {
    let s = Scratch::new();
    s.write("in/a.txt", CABLE)
        .write("in/a.meta.toml", "title = \"T\"\n")
        .write("in/a.meta.json", "{\"title\": \"T\"}")
        .write("in/b.txt", CABLE);
    let run = s.run(&["convert", "in", "-O", "out", "--format", "json"]);
    run.status(1);
    let v = run.json();
    let a = &v["files"][0];
    assert_eq!(a["path"], "in/a.txt");
    assert_eq!(a["valid"], false);
    let d = &a["diagnostics"][0];
    assert_eq!(d["code"], "config/ambiguous-sidecar");
    let msg = d["message"].as_str().unwrap();
    assert!(
        msg.contains("in/a.meta.toml") && msg.contains("in/a.meta.json"),
        "{msg}"
    );
    assert!(!s.path("out/a.xml").exists());
    assert!(s.path("out/b.xml").is_file());
    assert_eq!(v["files"][1]["output"], "out/b.xml");
}

#[test]
fn an_incorrect_sidecar_is_reported_where_it_is_wrong() {
    let s = Scratch::new();
    let sidecar = "title = \"T\"\ntitel = \"typo\"\n";
    s.write("a.txt", CABLE).write("a.meta.toml", sidecar);
    let run = s.run(&["convert", "a.txt", "-o", "a.xml", "--format", "json"]);
    run.status(1);
    let v = run.json();
    assert_eq!(
        v["files"][0]["diagnostics"][0]["code"],
        "config/bad-sidecar"
    );
    let side = &v["files"][1];
    assert_eq!(side["path"], "a.meta.toml");
    let d = &side["diagnostics"][0];
    assert_eq!(d["code"], "convert/metadata");
    assert_eq!(d["line"], 2, "{d}");
    assert_eq!(d["column"], 1, "{d}");
    assert!(!s.path("a.xml").exists());
}

const NAMES: &str = "name,type,id,uri\nFilippov,person,stalin,https://www.wikidata.org/wiki/Q855\n";

#[test]
fn authority_files_link_names() {
    let s = Scratch::new();
    s.write("a.txt", CABLE).write("names.csv", NAMES);
    let run = s.run(&["convert", "a.txt", "--authority", "names.csv"]);
    run.status(0);
    assert!(
        run.stdout
            .contains(r##"<persName ref="#stalin">Filippov</persName>"##),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("https://www.wikidata.org/wiki/Q855"),
        "{}",
        run.stdout
    );
    // Without it, the name is not linked to that id.
    let run = s.run(&["convert", "a.txt"]);
    assert!(!run.stdout.contains("#stalin"), "{}", run.stdout);
}

#[test]
fn an_incorrect_authority_file_stops_before_any_output() {
    let s = Scratch::new();
    s.write("a.txt", CABLE)
        .write("names.csv", "name,type,id\nFilippov,human,stalin\n");
    let run = s.run(&["convert", "a.txt", "-O", "out", "--authority", "names.csv"]);
    run.status(2);
    assert!(
        run.stderr.contains("names.csv:2:1") && run.stderr.contains("convert/authority-line"),
        "{}",
        run.stderr
    );
    assert!(!s.path("out").exists());
    let run = s.run(&["convert", "a.txt", "--authority", "missing.csv"]);
    run.status(2);
    assert!(run.stderr.contains("missing.csv"), "{}", run.stderr);
}

#[test]
fn teikit_toml_convert_section_with_the_command_line_first() {
    let s = Scratch::new();
    s.write("project/data/names.csv", NAMES)
        .write(
            "project/teikit.toml",
            "[convert]\nauthority = [\"data/names.csv\"]\nout-dir = \"tei\"\noriginal-lang = \"de-Latn\"\n",
        )
        .write("project/letters/a.txt", "MEMO\n\nWe met Filippov, who said the unit had [otpala] fallen.\n")
        .write("project/other.csv", "name,type,id\nFilippov,person,filippov\n");
    // From a subfolder: teikit.toml is found upwards, its paths are relative to it.
    let run = s.run_env("project/letters", &["convert", "a.txt"], &[]);
    run.status(0);
    let tei = std::fs::read_to_string(s.path("project/tei/a.xml")).unwrap();
    assert!(tei.contains(r##"ref="#stalin""##), "{tei}");
    // The command line wins: another authority file, another output.
    let run = s.run_env(
        "project",
        &[
            "convert",
            "letters/a.txt",
            "--authority",
            "other.csv",
            "-o",
            "x.xml",
        ],
        &[],
    );
    run.status(0);
    let tei = std::fs::read_to_string(s.path("project/x.xml")).unwrap();
    assert!(tei.contains(r##"ref="#filippov""##), "{tei}");
    assert!(!tei.contains("#stalin"), "{tei}");
}

#[test]
fn teikit_toml_unknown_convert_key_is_an_error_at_the_key() {
    let s = Scratch::new();
    s.write("a.txt", CABLE).write(
        "teikit.toml",
        "[convert]\nout-dir = \"tei\"\nauthorities = [\"n.csv\"]\n",
    );
    let run = s.run(&["convert", "a.txt"]);
    run.status(2);
    assert!(
        run.stderr.contains("teikit.toml:3:1") && run.stderr.contains("config/invalid"),
        "{}",
        run.stderr
    );
    assert!(!s.path("tei").exists());
}

#[test]
fn report_and_summary_of_a_batch() {
    let s = Scratch::new();
    s.write("in/a.txt", CABLE)
        .write("in/b.txt", "Just prose without any heading at all.\n")
        .write("in/c.txt", "   \n");
    let run = s.run(&["convert", "in", "-O", "out", "--report", "reports/r.json"]);
    run.status(1);
    let line = run.stderr.lines().last().unwrap_or_default();
    assert!(
        line.starts_with("teikit: converted 2 (") && line.contains("failed 1, in "),
        "{}",
        run.stderr
    );
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("reports/r.json")).unwrap()).unwrap();
    assert_eq!(r["version"], 1);
    assert_eq!(r["interrupted"], false);
    let inputs = r["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 3);
    assert_eq!(inputs[0]["path"], "in/a.txt");
    assert_eq!(inputs[0]["output"], "out/a.xml");
    assert_eq!(inputs[0]["status"], "converted");
    assert_eq!(inputs[1]["status"], "converted");
    assert!(inputs[1]["warnings"].as_u64().unwrap() >= 1, "{r}");
    assert_eq!(inputs[2]["status"], "failed");
    assert!(inputs[2]["output"].is_null());
    assert_eq!(inputs[2]["errors"], 1);
    let t = &r["totals"];
    assert_eq!(t["inputs"], 3);
    assert_eq!(t["converted"], 2);
    assert_eq!(
        t["with_warnings"].as_u64().unwrap(),
        line_count_with_warnings(inputs)
    );
    assert_eq!(t["failed"], 1);
    assert_eq!(t["not_started"], 0);
    assert!(t["seconds"].as_f64().unwrap() >= 0.0);
    // Only the report itself in its folder: no temporary file left.
    assert_eq!(std::fs::read_dir(s.path("reports")).unwrap().count(), 1);
    // A report over an input is refused before anything is written.
    let run = s.run(&["convert", "in", "-O", "out2", "--report", "in/a.txt"]);
    run.status(2);
    assert!(!s.path("out2").exists());
}

fn line_count_with_warnings(inputs: &[serde_json::Value]) -> u64 {
    inputs
        .iter()
        .filter(|i| i["status"] == "converted" && i["warnings"].as_u64().unwrap() > 0)
        .count() as u64
}

#[test]
fn json_format_keeps_the_contract_shape_for_a_batch() {
    let s = Scratch::new();
    s.write("in/a.txt", CABLE).write("in/b.txt", "   \n");
    let run = s.run(&["convert", "in", "-O", "out", "--format", "json"]);
    run.status(1);
    let v = run.json();
    assert_eq!(v["version"], 1);
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
    assert_eq!(v["files"][0]["output"], "out/a.xml");
    assert_eq!(v["files"][1]["valid"], false);
    assert_eq!(v["summary"]["files"], 2);
    assert_eq!(v["summary"]["invalid"], 1);
}

const STAMPED: &str = "MEMORANDUM\n\nThe text was approved [cachet: Received 3 May 1951].\n";

#[test]
fn a_profile_adds_bracket_keywords() {
    let s = Scratch::new();
    s.write("m.txt", STAMPED)
        .write("cachets.toml", "[bracket_keywords]\ncachet = \"stamp\"\n");
    let run = s.run(&["convert", "m.txt", "--profile", "cachets.toml"]);
    run.status(0);
    assert!(run.stdout.contains("<stamp"), "{}", run.stdout);
    let run = s.run(&["convert", "m.txt"]);
    assert!(!run.stdout.contains("<stamp"), "{}", run.stdout);
    // From teikit.toml, relative to it.
    s.write(
        "teikit.toml",
        "[convert]\nprofile = \"profiles/cachets.toml\"\n",
    )
    .write(
        "profiles/cachets.toml",
        "[bracket_keywords]\ncachet = \"stamp\"\n",
    );
    let run = s.run(&["convert", "m.txt"]);
    run.status(0);
    assert!(run.stdout.contains("<stamp"), "{}", run.stdout);
    // An incorrect profile stops the run, reported where it is wrong.
    s.write("bad.toml", "[bracket_keywords]\ncachet = \"stomp\"\n");
    let run = s.run(&["convert", "m.txt", "--profile", "bad.toml", "-o", "m.xml"]);
    run.status(2);
    assert!(
        run.stderr.contains("bad.toml:2:") && run.stderr.contains("convert/profile"),
        "{}",
        run.stderr
    );
    assert!(!s.path("m.xml").exists());
}

#[test]
fn a_manifest_gives_metadata_and_a_sidecar_wins() {
    let s = Scratch::new();
    s.write("in/a.txt", CABLE)
        .write("in/sub/b.txt", CABLE)
        .write("in/c.txt", CABLE)
        .write("in/c.meta.toml", "title = \"From the sidecar\"\n")
        .write(
            "manifest.csv",
            "file,title,archive\na.txt,Cable A,AVP RF\nsub/b.txt,Cable B,RGASPI\nc.txt,Cable C,GARF\n",
        );
    let run = s.run(&[
        "convert",
        "in",
        "-O",
        "out",
        "--manifest",
        "manifest.csv",
        "--report",
        "r.json",
    ]);
    run.status(0);
    let a = std::fs::read_to_string(s.path("out/a.xml")).unwrap();
    assert!(
        a.contains("<title>Cable A</title>") && a.contains("AVP RF"),
        "{a}"
    );
    let b = std::fs::read_to_string(s.path("out/sub/b.xml")).unwrap();
    assert!(
        b.contains("<title>Cable B</title>") && b.contains("RGASPI"),
        "{b}"
    );
    let c = std::fs::read_to_string(s.path("out/c.xml")).unwrap();
    assert!(c.contains("<title>From the sidecar</title>"), "{c}");
    assert!(
        !c.contains("GARF"),
        "the sidecar replaces the manifest entry: {c}"
    );
    assert!(
        run.stderr.lines().count() == 1,
        "no warning: {}",
        run.stderr
    );
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("r.json")).unwrap()).unwrap();
    assert_eq!(r["inputs"][0]["metadata"], "manifest.csv");
    assert_eq!(r["inputs"][1]["metadata"], "in/c.meta.toml");

    // JSON manifests too; a row naming no input is a warning.
    s.write(
        "m.json",
        r#"{"a.txt": {"title": "Json A"}, "missing.txt": {"title": "?"}}"#,
    );
    let run = s.run(&["convert", "in/a.txt", "--manifest", "m.json"]);
    run.status(0);
    assert!(
        run.stdout.contains("<title>Json A</title>"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("config/manifest-unmatched") && run.stderr.contains("missing.txt"),
        "{}",
        run.stderr
    );

    // An incorrect manifest stops the run at the offending cell.
    s.write("bad.csv", "file,titel\na.txt,A\n");
    let run = s.run(&["convert", "in", "-O", "out2", "--manifest", "bad.csv"]);
    run.status(2);
    assert!(
        run.stderr.contains("bad.csv:1:") && run.stderr.contains("convert/manifest"),
        "{}",
        run.stderr
    );
    assert!(!s.path("out2").exists());
    let run = s.run(&["convert", "in", "-O", "out2", "--manifest", "names.txt"]);
    run.status(2);
}
