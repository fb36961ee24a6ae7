//! The `wellformed` suite: teikit-xml's well-formedness verdict on every XML file of the
//! shared data (corpora, libxml2's RELAX NG tests, the schemas) must equal that of
//! `xmllint --noout --nonet` (Debian package `libxml2-utils`), and for every well-formed
//! file the tree the scanner builds must equal roxmltree's, node for node.
//!
//! xmllint's verdict: not well-formed when it exits non-zero or prints a `parser error` or
//! `namespace error` (it exits 0 after recoverable errors such as an undeclared entity in a
//! document with an unread external DTD, and after namespace errors; teikit treats both as
//! errors, being namespace-aware and never reading external DTDs).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::SuiteResult;

const ROOTS: &[&str] = &["corpora", "rng-tests/libxml2", "schemas"];
const EXTENSIONS: &[&str] = &["xml", "tei", "rng", "odd"];

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    match Command::new("xmllint").arg("--version").output() {
        Ok(_) => {}
        Err(e) => anyhow::bail!(
            "xmllint is needed for the wellformed suite and could not be run ({e}); \
             install the Debian package libxml2-utils (apt-get install libxml2-utils)"
        ),
    }
    let mut files = Vec::new();
    for root in ROOTS {
        collect(&shared.join(root), &mut files)?;
    }
    files.sort();
    if files.is_empty() {
        anyhow::bail!("no XML files found under {}", shared.display());
    }
    let mut result = SuiteResult::new();
    // Small documents made here, mostly malformed, so the suite also compares rejections.
    let scratch = tempfile::tempdir()?;
    for (name, text) in SYNTHETIC {
        let path = scratch.path().join(format!("{name}.xml"));
        std::fs::write(&path, text)?;
        files.push(path);
    }
    let shared_or_scratch = |file: &Path| -> String {
        match file.strip_prefix(scratch.path()) {
            Ok(rel) => format!("synthetic/{}", rel.to_string_lossy()),
            Err(_) => file
                .strip_prefix(shared)
                .unwrap_or(file)
                .to_string_lossy()
                .replace('\\', "/"),
        }
    };
    for file in &files {
        let name = shared_or_scratch(file);
        let reference = xmllint_verdict(file)?;
        let ours = teikit_verdict(file)?;
        let outcome = match (&reference, &ours) {
            (Ok(()), Ok(())) | (Err(_), Err(_)) => Ok(()),
            (Ok(()), Err(why)) => Err(format!("xmllint accepts it; teikit rejects it: {why}")),
            (Err(why), Ok(())) => Err(format!("xmllint rejects it ({why}); teikit accepts it")),
        };
        result.record(name, outcome);
    }
    Ok(result)
}

/// Name and bytes of each synthetic case.
const SYNTHETIC: &[(&str, &[u8])] = &[
    ("ok-minimal", b"<a/>"),
    ("ok-prolog", b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<!-- c --><?pi x?>\n<a/>\n"),
    ("ok-entities", b"<!DOCTYPE a [<!ENTITY e \"<b>x</b>\">]><a>&e;&#x41;&lt;</a>"),
    ("ok-namespaces", b"<p:a xmlns:p=\"u\" xmlns=\"v\" p:x=\"1\" x=\"2\"><b xml:lang=\"de\"/></p:a>"),
    ("ok-cdata", b"<a><![CDATA[<not markup> & ]]></a>"),
    ("ok-utf8-bom", b"\xEF\xBB\xBF<a>caf\xC3\xA9</a>"),
    ("ok-latin1", b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xE9</a>"),
    ("ok-utf16le", b"\xFF\xFE<\x00a\x00/\x00>\x00"),
    ("ok-attlist-gt", b"<!DOCTYPE a [<!ATTLIST a x CDATA \"a>b\">]><a/>"),
    ("bad-unclosed", b"<a><b></a>"),
    ("bad-unclosed-eof", b"<a><b>"),
    ("bad-mismatch", b"<a></b>"),
    ("bad-duplicate-attribute", b"<a x=\"1\" x=\"2\"/>"),
    ("bad-duplicate-expanded", b"<a xmlns:p=\"u\" xmlns:q=\"u\" p:x=\"1\" q:x=\"2\"/>"),
    ("bad-undeclared-prefix", b"<a><p:b/></a>"),
    ("bad-undeclared-attribute-prefix", b"<a p:x=\"1\"/>"),
    ("bad-empty-prefix-decl", b"<a xmlns:p=\"\"/>"),
    ("bad-xmlns-prefix", b"<a xmlns:xmlns=\"u\"/>"),
    ("bad-xml-prefix-rebound", b"<a xmlns:xml=\"u\"/>"),
    ("bad-invalid-utf8", b"<a>\xFF</a>"),
    ("bad-nul", b"<a>\x00</a>"),
    ("bad-control-char", b"<a>\x01</a>"),
    ("bad-char-ref", b"<a>&#0;</a>"),
    ("bad-undeclared-entity", b"<a>&nbsp;</a>"),
    ("bad-bare-ampersand", b"<a>Smith & Sons</a>"),
    ("bad-lt-in-attribute", b"<a x=\"<\"/>"),
    ("bad-unquoted-attribute", b"<a x=1/>"),
    ("bad-attribute-without-space", b"<a x=\"1\"y=\"2\"/>"),
    ("bad-text-before-root", b"text<a/>"),
    ("bad-text-after-root", b"<a/>text"),
    ("bad-two-roots", b"<a/><b/>"),
    ("bad-no-root", b"<!-- nothing -->"),
    ("bad-empty", b""),
    ("bad-late-declaration", b"\n<?xml version=\"1.0\"?><a/>"),
    ("bad-version", b"<?xml version=\"2.0\"?><a/>"),
    ("bad-double-hyphen", b"<a><!-- a -- b --></a>"),
    ("bad-cdata-end", b"<a>]]></a>"),
    ("bad-unclosed-comment", b"<a><!-- x</a>"),
    ("bad-unclosed-cdata", b"<a><![CDATA[x</a>"),
    ("bad-unclosed-start-tag", b"<a><b</a>"),
    ("bad-doctype-after-root", b"<a/><!DOCTYPE a>"),
    ("bad-recursive-entity", b"<!DOCTYPE a [<!ENTITY x \"&y;\"><!ENTITY y \"&x;\">]><a>&x;</a>"),
    ("bad-entity-unbalanced", b"<!DOCTYPE a [<!ENTITY e \"<b>\">]><a>&e;</a>"),
    ("bad-entity-lt-in-attribute", b"<!DOCTYPE a [<!ENTITY e \"<\">]><a x=\"&e;\"/>"),
    ("bad-unparsed-entity", b"<!DOCTYPE a [<!NOTATION n SYSTEM \"n\"><!ENTITY e SYSTEM \"f\" NDATA n>]><a>&e;</a>"),
    ("bad-qname-two-colons", b"<a:b:c xmlns:a=\"u\"/>"),
    ("bad-pi-xml-target", b"<a><?xml x?></a>"),
    ("bad-end-tag-after-root", b"<a/></a>"),
    ("bad-element-decl", b"<!DOCTYPE a [<!ELEMENT a>]><a/>"),
    ("bad-element-decl-mixed-separators", b"<!DOCTYPE a [<!ELEMENT a (b|c,d)>]><a/>"),
    ("bad-attlist-type", b"<!DOCTYPE a [<!ATTLIST a x BOGUS #IMPLIED>]><a/>"),
    ("bad-attlist-default", b"<!DOCTYPE a [<!ATTLIST a x CDATA>]><a/>"),
    ("ok-dtd-declarations", b"<!DOCTYPE a [<!ELEMENT a (#PCDATA|b)*><!ELEMENT b ((c|d)+,e?)><!ATTLIST a x CDATA #IMPLIED y (p|q) 'p'><!NOTATION n PUBLIC 'p'>]><a/>"),
];

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if !dir.is_dir() {
        anyhow::bail!("missing shared folder {}", dir.display());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e))
        {
            out.push(path);
        }
    }
    Ok(())
}

fn xmllint_verdict(file: &Path) -> anyhow::Result<Result<(), String>> {
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet"])
        .arg(file)
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let error = stderr
        .lines()
        .find(|l| l.contains(": parser error :") || l.contains(": namespace error :"));
    Ok(match (out.status.success(), error) {
        (true, None) => Ok(()),
        (_, Some(line)) => Err(line.trim().to_string()),
        (false, None) => Err(format!("exit status {}", out.status)),
    })
}

fn teikit_verdict(file: &Path) -> anyhow::Result<Result<(), String>> {
    let bytes = std::fs::read(file)?;
    let text = match teikit_xml::decode(&bytes) {
        Ok(t) => t,
        Err(d) => return Ok(Err(describe(&bytes, &d))),
    };
    Ok(
        match teikit_xml::read_with_storage(
            &text,
            &teikit_xml::Limits::default(),
            &mut String::new(),
        ) {
            // The tree the scanner builds must be roxmltree's (texts with entity
            // declarations are built by roxmltree in the first place).
            Ok(_) => teikit_xml::tree::compare_builders(&text)
                .map_err(|e| format!("the scanner's tree differs from roxmltree's: {e}")),
            Err(d) => Err(describe(text.as_bytes(), &d)),
        },
    )
}

fn describe(src: &[u8], d: &teikit_diagnostics::Diagnostic) -> String {
    let (line, col) = d.primary_span().map_or((0, 0), |s| {
        teikit_diagnostics::LineIndex::new(src).line_col(src, s.offset)
    });
    format!("{line}:{col}: {} [{}]", d.message, d.code)
}
