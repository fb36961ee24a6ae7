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

/// Every code emitted by `teikit-xinclude`, with what it means and how to fix it.
pub static CODES: &[CodeDoc] = &[
    code!("xinclude/missing-resource", "the file an xi:include names cannot be read (or its xpointer selects nothing) and there is no xi:fallback", "<xi:include href=\"header.xml\"/> with no header.xml beside the document", "correct the href (it is relative to the including document), create the file, or add <xi:fallback>"),
    code!("xinclude/remote", "an xi:include names a URL: teikit never uses the network", "<xi:include href=\"https://example.org/header.xml\"/>", "download the file and point href at the local copy"),
    code!("xinclude/loop", "an xi:include includes itself, directly or through other included files", "a.xml includes b.xml, which includes a.xml", "break the cycle"),
    code!("xinclude/bad-attribute", "an xi:include has an invalid attribute: parse other than xml or text, no href and no xpointer, a fragment identifier in href, xpointer with parse=\"text\"", "<xi:include href=\"a.xml#id\"/>", "use xpointer=\"id\" instead of #id; parse is \"xml\" or \"text\""),
    code!("xinclude/bad-xpointer", "the xpointer attribute is not a shorthand (an xml:id) or element() pointer that teikit can read", "<xi:include href=\"a.xml\" xpointer=\"element(/x)\"/>", "write a shorthand pointer (the xml:id) or element(/1/2) / element(id/1)"),
    code!("xinclude/bad-fallback", "xi:fallback is not a child of xi:include, an xi:include has more than one, or xi:include has another XInclude child", "<xi:include href=\"a.xml\"><xi:include href=\"b.xml\"/></xi:include>", "put other includes inside an xi:fallback; give each xi:include at most one xi:fallback"),
    code!("xinclude/text-encoding", "a parse=\"text\" resource cannot be decoded with the encoding given (or UTF-8), or the encoding is not supported", "<xi:include parse=\"text\" href=\"a.txt\" encoding=\"windows-1252\"/>", "re-save the file as UTF-8, or name its encoding (UTF-8, UTF-16, ISO-8859-1)"),
    code!("xinclude/unsupported-entity", "the included element refers to an entity declared in the included file's DTD, which cannot be carried into the including document", "<!DOCTYPE h [<!ENTITY c \"Corpus\">]><teiHeader>&c;</teiHeader>", "write the text instead of the entity reference in the included file"),
    code!("xinclude/limit", "XInclude processing exceeded a limit: nesting depth of includes, number of includes, or total size of the merged document", "a chain of 100 files each including the next", "flatten the inclusion structure, or include smaller parts"),
    code!("xinclude/not-element", "the result of an include at the top level of a document is not exactly one element", "<xi:include parse=\"text\" href=\"a.txt\"/> as the root element", "include an XML document (parse=\"xml\") as the root"),
];
