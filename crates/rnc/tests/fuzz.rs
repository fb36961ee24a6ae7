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
    for c in &e.children {
        match c {
            Node::Element(c) => check_tree(text, c),
            Node::Text(_, span) => check_span(text, span),
        }
    }
}

fn check(text: &str) {
    match parse(text) {
        Ok(tree) => check_tree(text, &tree),
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

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
