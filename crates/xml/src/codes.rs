//! The diagnostic codes this crate emits.

use teikit_diagnostics::{CodeDoc, Severity::Error};

macro_rules! code {
    ($code:literal, $summary:literal, $example:literal, $fix:literal) => {
        CodeDoc {
            code: $code,
            severity: Error,
            summary: $summary,
            example: $example,
            fix: $fix,
        }
    };
}

/// Every code emitted by `teikit-xml`, with what it means and how to fix it.
pub static CODES: &[CodeDoc] = &[
    code!("xml/invalid-utf8", "the bytes are not valid UTF-8 and no other encoding is declared", "<p>caf\\xE9</p> saved as Latin-1", "re-save the file as UTF-8, or declare encoding=\"ISO-8859-1\""),
    code!("xml/invalid-utf16", "a UTF-16 document has an unpaired surrogate or an odd number of bytes", "FF FE 3C 00 00 D8", "re-save the file (as UTF-8)"),
    code!("xml/unsupported-encoding", "the XML declaration names an encoding teikit does not read", "<?xml version=\"1.0\" encoding=\"windows-1252\"?>", "re-save the file as UTF-8"),
    code!("xml/invalid-char", "a character that XML 1.0 forbids (such as NUL or a control character), literally or as a character reference", "<p>a\\0b</p>, <p>&#1;</p>", "delete the character"),
    code!("xml/syntax", "malformed markup: something other than what XML's grammar allows at this place", "<p a=1>", "fix the markup as the message says (quote values, escape < and &)"),
    code!("xml/unclosed-tag", "an element is never closed: the file ends, or an enclosing element's end tag comes first", "<div><p>text</div>", "add the missing end tag"),
    code!("xml/mismatched-tag", "an end tag names another element than the one that is open", "<p>text</q>", "correct the end tag's name (names are case-sensitive)"),
    code!("xml/unexpected-end-tag", "an end tag where no element is open", "<a/></a>", "remove the end tag"),
    code!("xml/unclosed-markup", "a start tag, comment, CDATA section, processing instruction, attribute value or DOCTYPE is not closed", "<p class=\"x>text</p>", "add the missing `>`, `-->`, `]]>`, `?>` or quote"),
    code!("xml/duplicate-attribute", "the same attribute appears twice on one element", "<p n=\"1\" n=\"2\"/>", "remove one of them"),
    code!("xml/undeclared-prefix", "an element or attribute name uses a namespace prefix that no xmlns:prefix declaration binds", "<tei:p/>", "declare the prefix (xmlns:tei=\"http://www.tei-c.org/ns/1.0\") or remove it"),
    code!("xml/namespace", "a namespace rule is broken: reserved prefix or URI misused, empty prefixed declaration, malformed qualified name", "<a xmlns:p=\"\"/>", "fix the declaration or name"),
    code!("xml/lt-in-attribute", "`<` inside an attribute value (often a missing closing quote)", "<a href=\"x<y\"/>", "write &lt;, or add the missing quote"),
    code!("xml/bad-reference", "`&` that does not start a well-formed entity or character reference", "<p>Smith & Sons</p>", "write &amp;"),
    code!("xml/undeclared-entity", "a reference to an entity that is not declared (HTML entities such as &nbsp; do not exist in XML)", "<p>&nbsp;</p>", "use a character reference (&#xA0;) or the character itself"),
    code!("xml/external-entity", "a reference to an external general or parameter entity: teikit never reads files or URLs named by a document (XXE protection)", "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>", "put the text in the document itself, or use XInclude"),
    code!("xml/unparsed-entity", "a reference in text to an unparsed (NDATA) entity", "<!ENTITY img SYSTEM \"a.png\" NDATA png> … &img;", "refer to the file with an attribute instead"),
    code!("xml/unsupported-entity", "an internal entity whose value builds markup from character references (a known limitation of the tree builder, roxmltree)", "<!ENTITY e \"<&#x61;/>\"> … &e;", "write the characters themselves in the entity value"),
    code!("xml/unsupported-name", "an element with the prefix xml (bound to the XML namespace, so legal XML, but the tree builder, roxmltree, cannot read it)", "<xml:note/>", "rename the element: the prefix xml is for attributes such as xml:id"),
    code!("xml/unsupported-dtd", "a reference to an internal parameter entity (`%p;`), which the tree builder (roxmltree) cannot read; from `teikit_xml::parse` (no storage for a rewritten copy) also a `>` inside a quoted literal of an ATTLIST or NOTATION declaration, which `parse_with_storage` and the CLI read", "<!DOCTYPE a [<!ENTITY % p \"<!ENTITY x 'y'>\"> %p;]>", "declare what the parameter entity holds directly in the internal subset"),
    code!("xml/recursive-entity", "an entity's replacement text refers to the entity itself", "<!ENTITY a \"&b;\"><!ENTITY b \"&a;\">", "break the cycle"),
    code!("xml/entity-expansion-limit", "entity expansion exceeded a limit (nesting depth, number of references, or bytes): a \"billion laughs\" document", "<!ENTITY a \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"> …", "do not nest entities this deeply; expand the text by hand"),
    code!("xml/xml-declaration", "the XML declaration is malformed or not at the very start of the file", "\\n<?xml version=\"1.0\"?>", "move it to the first byte of the file; use version=\"1.0\""),
    code!("xml/doctype", "the DOCTYPE declaration is malformed, repeated or misplaced", "<a/><!DOCTYPE a>", "fix or remove the DOCTYPE"),
    code!("xml/missing-root", "the document has no element at all", "<?xml version=\"1.0\"?>", "add the root element"),
    code!("xml/text-before-root", "text before the root element", "hello <TEI/>", "remove it or move it into the root element"),
    code!("xml/text-after-root", "text after the root element", "<TEI/> trailing", "remove it or move it into the root element"),
    code!("xml/multiple-roots", "a second element after the root element closed", "<a/><b/>", "wrap both in one root element"),
    code!("xml/too-deep", "elements are nested more deeply than the limit allows", "100,000 nested <a>", "flatten the document"),
    code!("xml/too-many-nodes", "the document has more nodes than the limit allows", "a generated file with billions of elements", "split the document"),
    code!("xml/too-large", "the document is bigger than the 2 GiB a tree can index (only when it is not streamed)", "a 3 GB file validated with --no-stream", "validate it with --stream (the default for files of 64 MiB or more), or split it"),
    code!("xml/not-well-formed", "a well-formedness error found by the tree builder that the checker did not report first", "(should not happen)", "fix the markup at the position shown; please report the file"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_named_by_area() {
        let mut seen = std::collections::HashSet::new();
        for c in CODES {
            assert!(c.code.starts_with("xml/"), "{}", c.code);
            assert!(seen.insert(c.code), "duplicate {}", c.code);
        }
    }

    #[test]
    fn every_emitted_code_is_documented() {
        // Every `"xml/…"` literal in the sources must be in CODES.
        let sources = [
            include_str!("scan.rs"),
            include_str!("decode.rs"),
            include_str!("lib.rs"),
        ];
        for src in sources {
            for part in src.split("\"xml/").skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '-' || c.is_ascii_digit())
                    .collect();
                let code = format!("xml/{name}");
                assert!(
                    CODES.iter().any(|c| c.code == code),
                    "{code} is emitted but not documented in CODES"
                );
            }
        }
    }
}
