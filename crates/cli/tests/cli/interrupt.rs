//! An interrupted batch (#10): `teikit convert -O out in` over thousands of inputs receives
//! SIGINT (or SIGTERM) after its first output appears. It must stop starting conversions,
//! leave only complete TEI documents in `out/` (no temporary or partial file), write a report
//! listing exactly the files present with `"interrupted": true`, exit with status 130, and
//! leave the inputs as they were.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn transcription(i: usize) -> String {
    format!(
        "CABLE Nº {i}\n\nfrom MOSCOW sent at 1200 {} May 1951\n\nWe agree with your [proposal] number {i}. \
         The delegation of the city of Beijing arrives on Tuesday.\n\nIVANOV\n",
        i % 28 + 1
    )
}

fn interrupted_batch(signal: &str, count: usize) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("in")).unwrap();
    for i in 0..count {
        std::fs::write(root.join(format!("in/t{i:05}.txt")), transcription(i)).unwrap();
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_teikit"))
        .args([
            "convert",
            "-O",
            "out",
            "in",
            "--report",
            "report.json",
            "-q",
        ])
        .current_dir(root)
        .env_remove("TEIKIT_SCHEMA_PATH")
        .env("XDG_CACHE_HOME", root.join(".cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run teikit");

    // Wait for the first complete output, then interrupt.
    let start = Instant::now();
    loop {
        let written = std::fs::read_dir(root.join("out"))
            .map(|d| {
                d.filter_map(Result::ok)
                    .any(|e| e.file_name().to_string_lossy().ends_with(".xml"))
            })
            .unwrap_or(false);
        if written {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "teikit ended before any output appeared"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no output after 120 s"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args([signal, &pid])
        .status()
        .expect("run kill");
    assert!(killed.success());

    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "teikit did not stop after {signal}"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "{signal}: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");

    // Only complete TEI documents in out/.
    let mut present = BTreeSet::new();
    for entry in std::fs::read_dir(root.join("out")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            name.ends_with(".xml") && !name.starts_with('.'),
            "unexpected file {name} in out/"
        );
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let doc = roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("{name} is not complete XML: {e}"));
        let root_el = doc.root_element();
        assert_eq!(root_el.tag_name().name(), "TEI", "{name}");
        assert_eq!(
            root_el.tag_name().namespace(),
            Some("http://www.tei-c.org/ns/1.0")
        );
        assert!(
            root_el.children().any(|c| c.has_tag_name("text")),
            "{name} has no <text>"
        );
        present.insert(format!("out/{name}"));
    }
    assert!(!present.is_empty());

    // The report lists exactly those files, and says the batch was interrupted.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["interrupted"], true);
    let inputs = report["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), count, "every input has an entry");
    let listed: BTreeSet<String> = inputs
        .iter()
        .filter_map(|i| i["output"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        listed, present,
        "the report lists exactly the files in out/"
    );
    for i in inputs {
        let has_output = i["output"].is_string();
        match i["status"].as_str().unwrap() {
            "converted" => assert!(has_output, "{i}"),
            "not-started" | "failed" => assert!(!has_output, "{i}"),
            other => panic!("unknown status {other}"),
        }
    }
    let totals = &report["totals"];
    let not_started = totals["not_started"].as_u64().unwrap() as usize;
    assert!(
        not_started > 0,
        "the interrupt came after the whole batch: {totals}"
    );
    assert_eq!(
        totals["converted"].as_u64().unwrap() as usize,
        present.len(),
        "{totals}"
    );
    assert_eq!(
        totals["converted"].as_u64().unwrap() as usize
            + totals["failed"].as_u64().unwrap() as usize
            + not_started,
        count
    );

    // Inputs unchanged, and nothing added beside them.
    let names: Vec<_> = std::fs::read_dir(root.join("in"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(names.len(), count);
    for i in 0..count {
        let p = root.join(format!("in/t{i:05}.txt"));
        assert_eq!(read(&p), transcription(i));
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn sigint_leaves_only_complete_files_and_a_report() {
    interrupted_batch("-INT", 3000);
}

#[test]
fn sigterm_is_handled_like_sigint() {
    interrupted_batch("-TERM", 1500);
}
