//! Property tests: `parse` never panics, and every span it returns lies within the text on
//! character boundaries, whatever the input.

use proptest::prelude::*;
use teikit_rnc::{parse, Element, Node};

fn check_span(text: &str, span: &std::ops::Range<usize>) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{span:?} in {}",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{span:?}"
    );
}

fn check_tree(text: &str, e: &Element) {
    check_span(text, &e.span);
    for a in &e.attributes {
        check_span(text, &a.span);
    }
    let implicit_grammar = e.span.is_empty() && e.local == "grammar";
    for c in &e.children {
        let span = match c {
            Node::Element(c) => {
                check_tree(text, c);
                if c.ns != teikit_rnc::RNG_NS {
                    continue; // leading annotations precede their element's span
                }
                &c.span
            }
            Node::Text(_, span) => {
                check_span(text, span);
                span
            }
        };
        if e.ns == teikit_rnc::RNG_NS && !implicit_grammar {
            assert!(
                e.span.start <= span.start && span.end <= e.span.end,
                "child span {span:?} outside <{}> {:?} in {text:?}",
                e.local,
                e.span
            );
        }
    }
}

fn check(text: &str) {
    match parse(text) {
        Ok(tree) => {
            check_tree(text, &tree);
            let xml = tree.to_xml();
            if let Err(e) = roxmltree::Document::parse(&xml) {
                panic!("to_xml of {text:?} is not well-formed: {e}\n{xml}");
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            assert!(errors.len() <= teikit_rnc::MAX_ERRORS);
            for e in &errors {
                check_span(text, &e.span);
                assert!(!e.message.is_empty());
                for (span, _) in &e.notes {
                    check_span(text, span);
                }
            }
        }
    }
}

/// Fragments that make up compact schemas, so that random sequences get deep into the parser.
const VOCAB: &[&str] = &[
    "element",
    "attribute",
    "namespace",
    "default",
    "datatypes",
    "start",
    "div",
    "include",
    "external",
    "grammar",
    "parent",
    "list",
    "mixed",
    "empty",
    "text",
    "notAllowed",
    "string",
    "token",
    "inherit",
    "foo",
    "bar",
    "x:y",
    "x:*",
    "xsd:int",
    "*",
    "\\element",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "=",
    "|=",
    "&=",
    "|",
    "&",
    ",",
    "?",
    "+",
    "-",
    "~",
    ">>",
    "\"lit\"",
    "'l'",
    "\"\"\"a\nb\"\"\"",
    "## doc\n",
    "# c\n",
    "\n",
    "\\x{41}",
    "\\x{",
    "\"",
    "x",
    "a:b [",
    "] ",
    "namespace x = \"urn:x\"\n",
    "default namespace = \"urn:d\"\n",
];

/// Valid compact patterns (each combination parenthesised, so operators never mix).
fn pattern() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("empty".to_string()),
        Just("text".to_string()),
        Just("notAllowed".to_string()),
        Just("foo".to_string()),
        Just("\\element".to_string()),
        Just("\"v\" ~ 'w'".to_string()),
        Just("xsd:int { minInclusive = \"1\" }".to_string()),
        Just("token \"t\"".to_string()),
        Just("(string - (\"a\" | \"b\"))".to_string()),
        Just("parent foo".to_string()),
        Just("external \"x.rnc\"".to_string()),
    ];
    leaf.prop_recursive(6, 64, 4, |inner| {
        prop_oneof![
            (name_class(), inner.clone()).prop_map(|(n, p)| format!("element {n} {{ {p} }}")),
            (name_class(), inner.clone()).prop_map(|(n, p)| format!("attribute {n} {{ {p} }}")),
            proptest::collection::vec(inner.clone(), 2..4).prop_flat_map(|ps| {
                prop_oneof![Just(" | "), Just(", "), Just(" & ")]
                    .prop_map(move |op| format!("({})", ps.join(op)))
            }),
            (inner.clone(), prop_oneof![Just("*"), Just("+"), Just("?")])
                .prop_map(|(p, r)| format!("({p}){r}")),
            inner.clone().prop_map(|p| format!("list {{ {p} }}")),
            inner.clone().prop_map(|p| format!("mixed {{ {p} }}")),
            inner
                .clone()
                .prop_map(|p| format!("[ eg:a = \"1\" eg:b [ \"x\" ] ] ({p})")),
            inner
                .clone()
                .prop_map(|p| format!("({p}) >> eg:after [ x = \"1\" ]")),
            inner.clone().prop_map(|p| format!("\n## doc\n({p})")),
            inner.prop_map(|p| format!("grammar {{ start = {p} foo = empty }}")),
        ]
    })
}

fn name_class() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("foo".to_string()),
        Just("eg:foo".to_string()),
        Just("*".to_string()),
        Just("(eg:* - eg:bar)".to_string()),
        Just("(* - (eg:* | foo))".to_string()),
        Just("(a | eg:b | element)".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_schemas_parse(p in pattern()) {
        let text = format!("namespace eg = \"urn:eg\"\nstart = {p}\nfoo = empty\n");
        if let Err(e) = parse(&text) {
            panic!("{text}\n{e:?}");
        }
        check(&text);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        check(&s);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn token_soup_never_panics(picks in proptest::collection::vec(0..VOCAB.len(), 0..60)) {
        let text: Vec<&str> = picks.iter().map(|&i| VOCAB[i]).collect();
        check(&text.join(" "));
    }
}

#[test]
fn to_xml_is_well_formed_and_namespace_correct() {
    let src = r#"namespace eg = "urn:eg"
namespace r = "http://relaxng.org/ns/structure/1.0"
## doc
[ eg:a = '1&<"' xml:lang = "en" ] start = element eg:x { text } >> other [ eg:w = "2" r:y [ "z" ] ]
"#;
    let tree = parse(src).unwrap();
    let xml = tree.to_xml();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let start = doc.root_element().first_element_child().unwrap();
    assert_eq!(start.attribute(("urn:eg", "a")), Some("1&<\""));
    assert_eq!(
        start.attribute(("http://www.w3.org/XML/1998/namespace", "lang")),
        Some("en")
    );
    let other = start.last_element_child().unwrap();
    assert_eq!(other.tag_name().namespace().unwrap_or(""), "");
    assert_eq!(other.attribute(("urn:eg", "w")), Some("2"));
    let y = other.first_element_child().unwrap();
    assert_eq!(
        y.tag_name().namespace(),
        Some("http://relaxng.org/ns/structure/1.0")
    );
    let doc_el = start.first_element_child().unwrap();
    assert_eq!(
        doc_el.tag_name().namespace(),
        Some(teikit_rnc::ANNOTATIONS_NS)
    );
}

#[test]
fn to_xml_generated_prefixes_do_not_clash() {
    let tree = parse("namespace ns1 = \"urn:one\"\n## doc\nelement ns1:x { empty }").unwrap();
    let xml = tree.to_xml();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let doc_el = doc
        .root_element()
        .children()
        .find(|n| n.is_element())
        .unwrap();
    assert_eq!(
        doc_el.tag_name().namespace(),
        Some(teikit_rnc::ANNOTATIONS_NS),
        "{xml}"
    );
}

#[test]
fn long_flat_schemas_parse_quickly() {
    let mut s = String::from("start = a0\n");
    for i in 0..20_000 {
        s.push_str(&format!(
            "a{i} = element e{i} {{ attribute x {{ text }}?, (a{} | text)* }}\n",
            i + 1
        ));
    }
    s.push_str("a20000 = empty\n");
    let t = std::time::Instant::now();
    let tree = parse(&s).expect("parses");
    assert_eq!(tree.children.len(), 20_002);
    // Generous: linear parsing takes well under a second even unoptimised.
    assert!(
        t.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn many_errors_stop_early() {
    let s = "a = element a { x y\nb = (c | d, e)\n[ q ] r\n".repeat(30_000);
    let t = std::time::Instant::now();
    let errors = parse(&s).expect_err("broken");
    assert!(errors.len() <= teikit_rnc::MAX_ERRORS);
    assert!(
        t.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        t.elapsed()
    );
}
