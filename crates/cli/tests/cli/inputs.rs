//! Inputs: no path, missing files, folders honouring .gitignore, standard input, order,
//! commands that are not available yet.

use crate::util::Scratch;

#[test]
fn no_path_is_a_usage_error() {
    let s = Scratch::new();
    let run = s.run(&["validate"]);
    run.status(2);
    assert!(
        run.stderr.lines().next().unwrap().contains("required"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    s.run(&["convert"]).status(2);
}

#[test]
fn missing_file_is_exit_2_with_one_line() {
    let s = Scratch::new();
    let run = s.run(&["validate", "missing.xml"]);
    run.status(2);
    assert_eq!(
        run.stderr,
        "teikit: error: cannot read missing.xml: No such file or directory\n"
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn empty_folder_is_not_a_silent_success() {
    let s = Scratch::new();
    s.write("docs/readme.md", "nothing");
    let run = s.run(&["validate", "docs"]);
    run.status(2);
    assert!(
        run.stderr
            .contains("no *.xml or *.tei files found in folder docs"),
        "{}",
        run.stderr
    );
}

#[test]
fn folders_are_walked_in_order_honouring_gitignore() {
    let s = Scratch::permissive();
    s.write("corpus/.gitignore", "build/\nskip.xml\n")
        .write("corpus/b.xml", "<b/>")
        .write("corpus/a.tei", "<a/>")
        .write("corpus/sub/c.xml", "<c>")
        .write("corpus/skip.xml", "<bad")
        .write("corpus/build/d.xml", "<bad")
        .write("corpus/notes.txt", "not xml");
    let run = s.run(&["validate", "--format", "json", "-j", "2", "corpus"]);
    run.status(1);
    let v = run.json();
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["corpus/a.tei", "corpus/b.xml", "corpus/sub/c.xml"]);
    assert_eq!(v["summary"]["valid"], 2);
    assert_eq!(v["summary"]["invalid"], 1);
}

#[test]
fn results_keep_input_order_with_many_jobs() {
    let s = Scratch::new();
    let mut args = vec![
        "validate".to_string(),
        "--format".into(),
        "short".into(),
        "-j".into(),
        "4".into(),
    ];
    for i in 0..40 {
        let name = format!("f{i:02}.xml");
        // Bigger documents first so later ones tend to finish earlier.
        let body = "<p>x</p>".repeat((40 - i) * 500);
        s.write(&name, format!("<r>{body}"));
        args.push(name);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = s.run(&args);
    run.status(1);
    let names: Vec<&str> = run.stdout.lines().map(|l| &l[..7]).collect();
    let expected: Vec<String> = (0..40).map(|i| format!("f{i:02}.xml")).collect();
    assert_eq!(names, expected);
}

#[test]
fn stdin_is_dash() {
    let s = Scratch::permissive();
    let run = s.run_with_stdin(
        &["validate", "--format", "short", "-"],
        Some(b"<a>\n<b></a>"),
    );
    run.status(1);
    assert!(run.stdout.starts_with("-:2:1: error: "), "{}", run.stdout);
    let ok = s.run_with_stdin(&["validate", "-"], Some(b"<a/>"));
    ok.status(0);
}

#[test]
fn max_errors_and_quiet() {
    let s = Scratch::permissive();
    s.write("ok.xml", "<a/>").write("bad.xml", "<a>");
    let run = s.run(&[
        "validate", "--format", "human", "--color", "never", "-q", "ok.xml", "bad.xml",
    ]);
    run.status(1);
    assert!(!run.stdout.contains("ok.xml"), "{}", run.stdout);
    assert!(run.stdout.contains("bad.xml"));
    let run = s.run(&[
        "validate",
        "--max-errors",
        "0",
        "--format",
        "json",
        "bad.xml",
    ]);
    run.status(1);
    assert_eq!(
        run.json()["files"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn schema_compile_of_a_missing_file_fails_clearly() {
    let s = Scratch::new();
    let run = s.run(&["schema", "compile", "x.rng"]);
    run.status(2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("cannot read x.rng"), "{}", run.stderr);
}

#[test]
fn version() {
    let run = Scratch::new().run(&["--version"]);
    run.status(0);
    assert!(
        run.stdout
            .starts_with(&format!("teikit {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        run.stdout
    );
}

#[test]
fn color_always_colours_and_no_color_is_honoured_by_auto() {
    let s = Scratch::new();
    s.write("bad.xml", "<a>");
    let run = s.run(&[
        "validate", "--format", "human", "--color", "always", "bad.xml",
    ]);
    assert!(run.stdout.contains('\u{1b}'), "{}", run.stdout);
    let run = s.run(&["validate", "--format", "human", "bad.xml"]);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "piped output is not coloured"
    );
}

#[test]
fn closed_stdout_is_success() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let s = Scratch::new();
    for i in 0..2500 {
        s.write(&format!("d/f{i:04}.xml"), "<a>");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_teikit"))
        .args(["validate", "--format", "short", "-j", "2", "d"])
        .current_dir(s.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("d/f0000.xml:"), "{first}");
    // The reader is gone (as with `| head -1`).
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
