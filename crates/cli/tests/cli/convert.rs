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
