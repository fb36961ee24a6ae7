//! The compiled-schema cache: hits give the schema a cold load gives, and every kind of
//! doubt (changed include, damaged entry, another version, unwritable folder) falls back to
//! loading from source.

use std::path::{Path, PathBuf};

use teikit_relaxng::{LoadOptions, Schema};
use teikit_schema_cache::{Cache, Miss, Outcome, Source};

const MAIN: &str = r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0"
    datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <include href="inc.rng"/>
  <start><ref name="doc"/></start>
  <define name="doc">
    <element name="doc">
      <attribute name="when"><data type="date"/></attribute>
      <optional><attribute name="id"><data type="ID"/></attribute></optional>
      <zeroOrMore><ref name="p"/></zeroOrMore>
      <optional><element name="code"><data type="token"><param name="pattern">[A-Z]{2}[0-9]+</param></data></element></optional>
      <optional><element name="kind"><choice><value>a</value><value type="integer">7</value></choice></element></optional>
    </element>
  </define>
</grammar>
"#;

const INC: &str = r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0">
  <define name="p"><element name="p"><text/></element></define>
</grammar>
"#;

const INC2: &str = r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0">
  <define name="p"><element name="para"><text/></element></define>
</grammar>
"#;

struct NoNs;

impl teikit_relaxng::datatype::NamespaceContext for NoNs {
    fn resolve(&self, _: &str) -> Option<&str> {
        None
    }
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.rng"), MAIN).unwrap();
        std::fs::write(dir.path().join("inc.rng"), INC).unwrap();
        Fixture { dir }
    }

    fn main(&self) -> PathBuf {
        self.dir.path().join("main.rng")
    }

    fn cache(&self, stamp: &str) -> Cache {
        Cache::new(self.dir.path().join("cache"), stamp)
    }
}

/// Everything the validator uses, as text (datatypes by library, name and parameters).
fn shape(s: &Schema) -> String {
    fn dts(p: &teikit_relaxng::Pattern, out: &mut String) {
        use teikit_relaxng::Pattern as P;
        match p {
            P::Choice(v) | P::Group(v) | P::Interleave(v) => v.iter().for_each(|q| dts(q, out)),
            P::OneOrMore(q) | P::List(q) => dts(q, out),
            P::Attribute { content, .. } => dts(content, out),
            P::Data {
                datatype, except, ..
            } => {
                out.push_str(&format!("{:?}{:?};", datatype, datatype.params()));
                if let Some(e) = except {
                    dts(e, out);
                }
            }
            P::Value { datatype, .. } => {
                out.push_str(&format!("{:?}{:?};", datatype, datatype.params()))
            }
            _ => {}
        }
    }
    // A hit defers element contents; compare what they decode to.
    let s = &s.clone().into_eager();
    let mut out = format!("{:?}\n{:?}\n{:?}\n", s.start, s.defines, s.id_types);
    for d in &s.defines {
        dts(&d.content, &mut out);
    }
    for f in &s.files {
        out.push_str(&format!("{}:{}\n", f.path.display(), f.text.len()));
    }
    out
}

fn load(cache: &Cache, path: &Path) -> (Schema, Outcome) {
    let l = cache.load(&Source::File(path), &LoadOptions::default());
    (l.schema.expect("a correct schema"), l.outcome)
}

#[test]
fn a_hit_gives_the_schema_of_a_cold_load() {
    let f = Fixture::new();
    let cold = teikit_relaxng::load(&f.main(), &LoadOptions::default()).unwrap();
    let cache = f.cache("v1");
    let (first, outcome) = load(&cache, &f.main());
    assert_eq!(
        outcome,
        Outcome::Miss {
            why: Miss::Absent,
            written: Some(Ok(()))
        }
    );
    let (hit, outcome) = load(&cache, &f.main());
    assert_eq!(outcome, Outcome::Hit);
    assert!(
        hit.deferred.is_some(),
        "a hit decodes element contents on demand"
    );
    assert!(first.deferred.is_none());
    assert_eq!(shape(&hit), shape(&cold));
    assert_eq!(shape(&first), shape(&cold));
    // Source texts are there for diagnostics, as the loader kept them.
    assert_eq!(hit.files.len(), 2);
    assert_eq!(hit.files[0].text, MAIN);
    // The rebuilt datatypes check values as the originals do.
    let when = find_data(&hit, "date").expect("a date datatype");
    assert!(when.check("2024-02-29", &NoNs).is_ok());
    assert!(when.check("2023-02-29", &NoNs).is_err());
    let code = find_data(&hit, "token").expect("a token datatype with a pattern");
    assert!(code.check("AB12", &NoNs).is_ok());
    assert!(code.check("ab12", &NoNs).is_err());
}

fn find_data(s: &Schema, name: &str) -> Option<std::sync::Arc<teikit_relaxng::datatype::Datatype>> {
    fn walk(
        p: &teikit_relaxng::Pattern,
        name: &str,
    ) -> Option<std::sync::Arc<teikit_relaxng::datatype::Datatype>> {
        use teikit_relaxng::Pattern as P;
        match p {
            P::Choice(v) | P::Group(v) | P::Interleave(v) => v.iter().find_map(|q| walk(q, name)),
            P::OneOrMore(q) | P::List(q) => walk(q, name),
            P::Attribute { content, .. } => walk(content, name),
            P::Data { datatype, .. } if datatype.name() == name => Some(datatype.clone()),
            _ => None,
        }
    }
    (0..s.defines.len()).find_map(|i| walk(&s.content(i), name))
}

#[test]
fn a_changed_include_invalidates_the_entry() {
    let f = Fixture::new();
    let cache = f.cache("v1");
    load(&cache, &f.main());
    std::fs::write(f.dir.path().join("inc.rng"), INC2).unwrap();
    let (schema, outcome) = load(&cache, &f.main());
    assert!(
        matches!(&outcome, Outcome::Miss { why: Miss::Stale(w), written: Some(Ok(())) } if w.contains("inc.rng")),
        "{outcome:?}"
    );
    let cold = teikit_relaxng::load(&f.main(), &LoadOptions::default()).unwrap();
    assert_eq!(shape(&schema), shape(&cold));
    assert!(format!("{:?}", schema.defines).contains("\"para\""));
    assert_eq!(load(&cache, &f.main()).1, Outcome::Hit);
    // A vanished include: from source, which reports it.
    std::fs::remove_file(f.dir.path().join("inc.rng")).unwrap();
    let l = cache.load(&Source::File(&f.main()), &LoadOptions::default());
    assert!(l.schema.is_err());
    assert!(matches!(
        l.outcome,
        Outcome::Miss {
            why: Miss::Stale(_),
            written: None
        }
    ));
}

#[test]
fn options_are_part_of_the_key() {
    let f = Fixture::new();
    let cache = f.cache("v1");
    load(&cache, &f.main());
    let ignore = LoadOptions {
        id_compat: teikit_relaxng::IdCompat::Ignore,
        ..LoadOptions::default()
    };
    let a = cache.entry_path(&Source::File(&f.main()), &LoadOptions::default());
    let b = cache.entry_path(&Source::File(&f.main()), &ignore);
    assert_ne!(a, b);
    let l = cache.load(&Source::File(&f.main()), &ignore);
    assert!(matches!(
        l.outcome,
        Outcome::Miss {
            why: Miss::Absent,
            ..
        }
    ));
}

/// Damaged entries of every kind: detected, rebuilt, and the schema is still right.
#[test]
fn corrupt_entries_are_rebuilt() {
    let f = Fixture::new();
    let cache = f.cache("v1");
    let reference = shape(&load(&cache, &f.main()).0);
    let entry = cache.entry_path(&Source::File(&f.main()), &LoadOptions::default());
    let good = std::fs::read(&entry).unwrap();
    let mut damaged: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        (
            "garbage".into(),
            b"not an entry at all, just some text".repeat(50),
        ),
        ("half".into(), good[..good.len() / 2].to_vec()),
        ("one byte short".into(), good[..good.len() - 1].to_vec()),
        ("one byte more".into(), [&good[..], &[0]].concat()),
    ];
    // Every byte flipped in turn (the header is not checksummed, but each of its fields is
    // checked, so a flip there is a miss or is harmless).
    for i in (0..good.len()).step_by(7) {
        let mut b = good.clone();
        b[i] ^= 0x5a;
        damaged.push((format!("byte {i} flipped"), b));
    }
    for (what, bytes) in damaged {
        std::fs::write(&entry, &bytes).unwrap();
        let l = cache.load(&Source::File(&f.main()), &LoadOptions::default());
        let schema = l
            .schema
            .unwrap_or_else(|e| panic!("{what}: {:?}", e.errors));
        assert_eq!(shape(&schema), reference, "{what}");
        if let Outcome::Miss { written, .. } = &l.outcome {
            assert_eq!(written, &Some(Ok(())), "{what}");
            let again = cache.load(&Source::File(&f.main()), &LoadOptions::default());
            assert_eq!(again.outcome, Outcome::Hit, "{what}: rewritten");
        }
    }
    std::fs::write(&entry, &good).unwrap();
    assert_eq!(load(&cache, &f.main()).1, Outcome::Hit);
}

#[test]
fn an_entry_of_another_version_is_not_used() {
    let f = Fixture::new();
    let old = f.cache("teikit 0.0.9");
    load(&old, &f.main());
    let new = f.cache("teikit 0.1.0");
    let old_entry = old.entry_path(&Source::File(&f.main()), &LoadOptions::default());
    let new_entry = new.entry_path(&Source::File(&f.main()), &LoadOptions::default());
    assert_ne!(old_entry, new_entry, "the stamp is part of the key");
    // Even under the new entry's name, the old entry is refused.
    std::fs::copy(&old_entry, &new_entry).unwrap();
    let (_, outcome) = load(&new, &f.main());
    assert!(
        matches!(
            &outcome,
            Outcome::Miss {
                why: Miss::OtherVersion(_),
                written: Some(Ok(()))
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(load(&new, &f.main()).1, Outcome::Hit);
    let infos = new.entries();
    assert_eq!(infos.len(), 2);
    assert_eq!(infos.iter().filter(|e| e.current).count(), 1);
    assert_eq!(new.prune(), 1);
    assert_eq!(new.entries().len(), 1);
}

#[test]
fn an_unwritable_cache_folder_falls_back_to_source() {
    let f = Fixture::new();
    // A folder under a file cannot be created, even by root.
    std::fs::write(f.dir.path().join("file"), "x").unwrap();
    let cache = Cache::new(f.dir.path().join("file/cache"), "v1");
    for _ in 0..2 {
        let l = cache.load(&Source::File(&f.main()), &LoadOptions::default());
        assert!(l.schema.is_ok());
        assert!(
            matches!(&l.outcome, Outcome::Miss { why: Miss::Absent, written: Some(Err(e)) } if e.contains("cannot")),
            "{:?}",
            l.outcome
        );
    }
    assert!(cache.entries().is_empty());
}

#[test]
fn an_incorrect_schema_is_not_cached() {
    let f = Fixture::new();
    std::fs::write(
        f.main(),
        "<element xmlns=\"http://relaxng.org/ns/structure/1.0\"/>",
    )
    .unwrap();
    let cache = f.cache("v1");
    for _ in 0..2 {
        let l = cache.load(&Source::File(&f.main()), &LoadOptions::default());
        assert!(l.schema.is_err());
        assert!(matches!(l.outcome, Outcome::Miss { written: None, .. }));
    }
    assert!(cache.entries().is_empty());
}

#[test]
fn in_memory_schemas_are_keyed_by_their_text() {
    let f = Fixture::new();
    let cache = f.cache("v1");
    let name = Path::new("<built-in>/doc.rng");
    let text =
        "<element name=\"doc\" xmlns=\"http://relaxng.org/ns/structure/1.0\"><text/></element>";
    let src = Source::Text { path: name, text };
    assert!(matches!(
        cache.load(&src, &LoadOptions::default()).outcome,
        Outcome::Miss { .. }
    ));
    let l = cache.load(&src, &LoadOptions::default());
    assert_eq!(l.outcome, Outcome::Hit);
    assert_eq!(l.schema.unwrap().files[0].text, text);
    let other = text.replace("doc", "dok");
    let src2 = Source::Text {
        path: name,
        text: &other,
    };
    let l = cache.load(&src2, &LoadOptions::default());
    assert!(matches!(
        l.outcome,
        Outcome::Miss {
            why: Miss::Absent,
            ..
        }
    ));
    assert!(format!("{:?}", l.schema.unwrap().defines).contains("dok"));
}

/// Two processes (here threads) writing the same entry at once leave one good entry.
#[test]
fn concurrent_writers_leave_a_complete_entry() {
    let f = Fixture::new();
    let cache = f.cache("v1");
    let main = f.main();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..5 {
                    let l = cache.rebuild(&Source::File(&main), &LoadOptions::default());
                    assert!(l.schema.is_ok());
                    let l = cache.load(&Source::File(&main), &LoadOptions::default());
                    assert!(l.schema.is_ok());
                }
            });
        }
    });
    assert_eq!(load(&cache, &main).1, Outcome::Hit);
    let leftovers: Vec<_> = std::fs::read_dir(cache.dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The same schema named from another folder: one entry, paths as now spelled.
#[test]
fn paths_follow_the_current_spelling() {
    let f = Fixture::new();
    let cache = f.cache("v1");
    load(&cache, &f.main());
    let cwd = std::env::current_dir().unwrap();
    let rel = pathdiff(&f.main(), &cwd);
    let (schema, outcome) = load(&cache, &rel);
    assert_eq!(outcome, Outcome::Hit);
    assert_eq!(schema.files[0].path, rel);
    assert_eq!(
        schema.files[1].path,
        rel.parent().unwrap().join("inc.rng"),
        "the include moves with its top file"
    );
}

/// `path` relative to `base` (both absolute), with `..` as needed.
fn pathdiff(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    out
}

#[test]
fn a_pending_entry_is_written_when_the_caller_says() {
    let f = Fixture::new();
    let cache = f.cache("v1");
    let src = Source::File(&f.main());
    let (loaded, pending) = cache.load_or_pending(&src, &LoadOptions::default());
    let schema = loaded.schema.expect("a correct schema");
    assert_eq!(
        loaded.outcome,
        Outcome::Miss {
            why: Miss::Absent,
            written: None
        }
    );
    let pending = pending.expect("an entry to write");
    assert!(!pending.path().exists(), "nothing written yet");
    assert_eq!(pending.path(), loaded.entry);
    pending.write(&schema).expect("written");
    let (hit, outcome) = load(&cache, &f.main());
    assert_eq!(outcome, Outcome::Hit);
    let cold = teikit_relaxng::load(&f.main(), &LoadOptions::default()).unwrap();
    assert_eq!(shape(&hit), shape(&cold));
    // A hit has nothing to write.
    let (again, pending) = cache.load_or_pending(&src, &LoadOptions::default());
    assert_eq!(again.outcome, Outcome::Hit);
    assert!(pending.is_none());
}
