//! The reader's limits hold on hostile input: deep nesting, entity bombs, external entities.

use teikit_xml::{parse, Limits};

fn nested(n: usize) -> String {
    format!("{}{}", "<a>".repeat(n), "</a>".repeat(n))
}

/// The default depth limit must be parseable by roxmltree (which recurses per level) on a
/// thread with a small stack: the default limits are safe for rayon's and the test
/// harness's 2 MiB threads.
#[test]
fn default_depth_limit_fits_in_a_small_stack() {
    let max = Limits::default().max_depth;
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let src = nested(max);
            let doc = parse(&src, &Limits::default()).expect("at the limit is accepted");
            doc.descendants().count()
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), max + 1);
}

#[test]
fn hundred_thousand_deep_is_a_diagnostic_not_a_crash() {
    let src = nested(100_000);
    let e = parse(&src, &Limits::default()).unwrap_err();
    assert_eq!(e.code, "xml/too-deep");
    assert_eq!(
        e.primary_span().unwrap().offset,
        3 * Limits::default().max_depth
    );
}

#[test]
fn billion_laughs_is_refused_quickly() {
    let mut src =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    let mut prev = "lol".to_string();
    for i in 1..=9 {
        let name = format!("lol{i}");
        src.push_str(&format!(
            " <!ENTITY {name} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
        prev = name;
    }
    src.push_str("]>\n<lolz>&lol9;</lolz>\n");
    let t = std::time::Instant::now();
    let e = parse(&src, &Limits::default()).unwrap_err();
    assert_eq!(e.code, "xml/entity-expansion-limit");
    assert!(t.elapsed().as_millis() < 1000);
}

#[test]
fn many_small_expansions_hit_the_byte_budget() {
    let big = "x".repeat(1000);
    let refs = "&e;".repeat(20_000);
    let src = format!("<!DOCTYPE a [<!ENTITY e \"{big}\">]><a>{refs}</a>");
    let e = parse(&src, &Limits::default()).unwrap_err();
    assert_eq!(e.code, "xml/entity-expansion-limit");
}

#[test]
fn xxe_is_never_resolved() {
    let src = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n<r>&xxe;</r>\n";
    let e = parse(src, &Limits::default()).unwrap_err();
    assert_eq!(e.code, "xml/external-entity");
    assert_eq!(e.primary_span().unwrap().offset, src.find("&xxe;").unwrap());
    assert!(!e.message.contains("root:"), "nothing read from the file");
}

#[test]
fn external_parameter_entity_is_never_resolved() {
    // The classic out-of-band XXE: a parameter entity that would pull in a DTD from outside.
    let src = "<!DOCTYPE d [\n  <!ENTITY % e SYSTEM \"file:///etc/passwd\">\n  %e;\n]>\n<d/>\n";
    for result in [
        parse(src, &Limits::default()).map(|_| ()),
        teikit_xml::parse_with_storage(src, &Limits::default(), &mut String::new()).map(|_| ()),
    ] {
        let e = result.unwrap_err();
        assert_eq!(e.code, "xml/external-entity", "{}", e.message);
        let at = e.primary_span().unwrap();
        assert_eq!(&src[at.offset..at.end()], "%e;");
        let decl = e.labels.iter().find(|l| !l.primary).unwrap().span;
        assert_eq!(
            decl.offset,
            src.find("% e").unwrap() + 2,
            "the declaration's name"
        );
        assert!(!e.message.contains("root:"), "nothing read from the file");
    }
}

#[test]
fn internal_entities_are_expanded_into_the_tree() {
    let src = "<!DOCTYPE a [<!ENTITY who \"World\">]><a>Hello &who;</a>";
    let doc = parse(src, &Limits::default()).unwrap();
    assert_eq!(doc.root_element().text(), Some("Hello World"));
}

#[test]
fn markup_from_character_references_is_read_with_storage() {
    let src = "<!DOCTYPE a [<!ENTITY e \"<&#x61;/>\">]>\n<a>&e;<b/></a>";
    assert_eq!(
        parse(src, &Limits::default()).unwrap_err().code,
        "xml/unsupported-entity"
    );
    let mut storage = String::new();
    let doc = teikit_xml::parse_with_storage(src, &Limits::default(), &mut storage).unwrap();
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    assert_eq!(names, ["a", "a", "b"]);
    // Spans still index the original text.
    let b = doc.descendants().find(|n| n.has_tag_name("b")).unwrap();
    assert_eq!(&src[b.range()], "<b/>");
    assert_eq!(doc.input_text().len(), src.len());
}

#[test]
fn storage_is_not_used_when_not_needed() {
    let mut storage = String::new();
    let doc = teikit_xml::parse_with_storage("<a/>", &Limits::default(), &mut storage).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "a");
    assert!(storage.is_empty());
}

/// roxmltree skips ATTLIST and NOTATION declarations up to their first `>`, so a `>` inside
/// one of their quoted literals is blanked for it (same length); `parse`, which keeps no
/// storage, still reports it.
#[test]
fn gt_in_a_quoted_dtd_literal_is_read_with_storage() {
    for src in [
        "<!DOCTYPE a [<!ATTLIST a x CDATA \"a>b\" y CDATA '>>'>]>\n<a><b/></a>",
        "<!DOCTYPE a [<!NOTATION n PUBLIC \"p>q\" 's>'>]>\n<a><b/></a>",
    ] {
        assert_eq!(
            parse(src, &Limits::default()).unwrap_err().code,
            "xml/unsupported-dtd",
            "{src}"
        );
        let mut storage = String::new();
        let doc = teikit_xml::parse_with_storage(src, &Limits::default(), &mut storage)
            .unwrap_or_else(|d| panic!("{src}: {d:?}"));
        let b = doc.descendants().find(|n| n.has_tag_name("b")).unwrap();
        assert_eq!(&src[b.range()], "<b/>");
        assert_eq!(doc.input_text().len(), src.len());
    }
    // Outside a literal, `>` still ends the declaration: an unquoted one is an error as before.
    let mut storage = String::new();
    assert!(teikit_xml::parse_with_storage(
        "<!DOCTYPE a [<!ATTLIST a x CDATA a>b>]><a/>",
        &Limits::default(),
        &mut storage
    )
    .is_err());
}
