//! XML 1.0's character classes and the well-formedness messages that the checker here and
//! teikit-validate's streaming reader both give, so the two say the same thing in the same
//! words (a test there holds their diagnostics equal on the same documents).

use teikit_diagnostics::{Diagnostic, Span};

/// The namespace the `xml` prefix is bound to.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of `xmlns` attributes, which nothing may declare.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// `Char` of XML 1.0: what may appear in a document at all.
pub fn is_xml_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// `NameStartChar` of XML 1.0 (fifth edition).
pub fn is_name_start(c: char) -> bool {
    matches!(c, ':' | 'A'..='Z' | '_' | 'a'..='z')
        || matches!(c as u32,
            0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x2FF | 0x370..=0x37D | 0x37F..=0x1FFF
            | 0x200C..=0x200D | 0x2070..=0x218F | 0x2C00..=0x2FEF | 0x3001..=0xD7FF
            | 0xF900..=0xFDCF | 0xFDF0..=0xFFFD | 0x10000..=0xEFFFF)
}

/// `NameChar` of XML 1.0 (fifth edition).
pub fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9')
        || matches!(c as u32, 0xB7 | 0x300..=0x36F | 0x203F..=0x2040)
}

/// `S` of XML 1.0.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The end of the XML `Name` that starts at byte `start` of `text`, or `None` when none
/// starts there.
pub fn name_end(text: &str, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut pos = start;
    // ASCII, the usual case, byte by byte; any other character decoded and classified.
    while let Some(&byte) = b.get(pos) {
        let first = pos == start;
        if byte.is_ascii() {
            let ok = byte.is_ascii_alphabetic()
                || matches!(byte, b'_' | b':')
                || (!first && (byte.is_ascii_digit() || matches!(byte, b'-' | b'.')));
            if !ok {
                break;
            }
            pos += 1;
        } else {
            let c = text[pos..].chars().next()?;
            if !(if first {
                is_name_start(c)
            } else {
                is_name_char(c)
            }) {
                break;
            }
            pos += c.len_utf8();
        }
    }
    (pos > start).then_some(pos)
}

/// Attribute `qname` with `value` as a namespace declaration: `None` when it is not one
/// (its name is not `xmlns` or `xmlns:…`), else the prefix it declares (empty for the
/// default namespace) or why Namespaces in XML forbids it.
pub fn namespace_declaration<'q>(qname: &'q str, value: &str) -> Option<Result<&'q str, String>> {
    let prefix = match qname.strip_prefix("xmlns")? {
        "" => "",
        rest => rest.strip_prefix(':')?,
    };
    let problem = if prefix == "xmlns" {
        "the prefix xmlns is reserved and must not be declared".to_string()
    } else if prefix == "xml" && value != XML_NS {
        format!("the prefix xml may only be bound to {XML_NS}")
    } else if prefix != "xml" && value == XML_NS {
        format!("only the prefix xml may be bound to {XML_NS}")
    } else if value == XMLNS_NS {
        format!("{XMLNS_NS} must not be declared as a namespace")
    } else if !prefix.is_empty() && value.is_empty() {
        format!("namespace prefix `{prefix}` is declared with an empty URI")
    } else if prefix.contains(':') || (qname.len() > 6 && prefix.is_empty()) {
        format!("`{qname}` is not a valid namespace declaration")
    } else {
        return Some(Ok(prefix));
    };
    Some(Err(problem))
}

/// `xml/invalid-char`: character `c` at byte `at` is not an XML character.
pub fn invalid_char(at: usize, c: char) -> Diagnostic {
    let what = if c == '\0' {
        "a NUL character".to_string()
    } else {
        format!("character U+{:04X}", c as u32)
    };
    Diagnostic::error(
        "xml/invalid-char",
        format!("{what} is not allowed in an XML document"),
    )
    .with_label(Span::new(at, c.len_utf8()), "not an XML character")
    .with_help(
        "XML 1.0 forbids control characters other than tab, line feed and carriage return \
         (even as &#...; references); delete it or replace it",
    )
}

/// Splits `qname` (written at `span`) into prefix and local part, checking Namespaces in
/// XML's syntax; a name without a colon has the empty prefix.
pub fn split_qname(qname: &str, span: Span) -> Result<(&str, &str), Diagnostic> {
    let Some((prefix, local)) = qname.split_once(':') else {
        return Ok(("", qname));
    };
    let ok = !prefix.is_empty()
        && !local.is_empty()
        && !local.contains(':')
        && local.chars().next().is_some_and(is_name_start);
    if !ok {
        return Err(Diagnostic::error(
            "xml/namespace",
            format!("`{qname}` is not a valid qualified name"),
        )
        .with_label(span, "")
        .with_help("a name may contain at most one colon, between a prefix and a local name"));
    }
    Ok((prefix, local))
}

/// `xml/undeclared-prefix`: the prefix of the `what` (element, attribute) name at `name` is
/// not bound.
pub fn undeclared_prefix(prefix: &str, name: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        "xml/undeclared-prefix",
        format!("namespace prefix `{prefix}` is not declared"),
    )
    .with_label(
        Span::new(name.offset, prefix.len()),
        format!("undeclared prefix of this {what} name"),
    )
    .with_help(format!(
        "declare it on this element or an ancestor, e.g. xmlns:{prefix}=\"…\", or remove the prefix"
    ))
}

/// `xml/too-deep`: the start tag at `tag` nests elements more than `max` deep.
pub fn too_deep(max: usize, tag: Span) -> Diagnostic {
    Diagnostic::error(
        "xml/too-deep",
        format!("elements are nested more than {max} deep"),
    )
    .with_label(tag, "limit reached here")
    .with_help(
        "the nesting limit protects the reader from running out of stack; \
         a real document this deep is almost certainly generated by mistake",
    )
}

/// The help of an unclosed element `inner`, with `others` unclosed elements around it and
/// the element whose end tag came first, if one did.
pub fn unclosed_help(inner: &str, others: usize, before: Option<&str>) -> String {
    let place = match before {
        Some(outer) => format!("before </{outer}>"),
        None => "where the element should end".to_string(),
    };
    match others {
        0 => format!("add </{inner}> {place}"),
        1 => format!("add </{inner}> {place} (1 enclosing element is not closed either)"),
        n => format!("add </{inner}> {place} ({n} enclosing elements are not closed either)"),
    }
}

/// Why `&…` at some offset is not a usable character reference; `end` is where reading
/// stopped (the span of the message is from the `&` to there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadReference {
    /// Not `&#digits;` or `&#xhex;`.
    Malformed {
        /// Where reading stopped.
        end: usize,
    },
    /// Well-formed, but the number is not an XML character.
    NotXmlChar {
        /// Just after the `;`.
        end: usize,
    },
}

/// Reads the character reference starting at byte `amp` of `text` (`&#` there): the character
/// and the offset after its `;`.
pub fn char_reference(text: &str, amp: usize) -> Result<(char, usize), BadReference> {
    let b = text.as_bytes();
    let mut pos = amp + 2;
    let hex = b.get(pos) == Some(&b'x');
    if hex {
        pos += 1;
    }
    let digits = pos;
    while b.get(pos).is_some_and(|b| {
        if hex {
            b.is_ascii_hexdigit()
        } else {
            b.is_ascii_digit()
        }
    }) {
        pos += 1;
    }
    if pos == digits || b.get(pos) != Some(&b';') {
        return Err(BadReference::Malformed { end: pos });
    }
    let n = u32::from_str_radix(&text[digits..pos], if hex { 16 } else { 10 }).ok();
    match n.and_then(char::from_u32).filter(|&c| is_xml_char(c)) {
        Some(c) => Ok((c, pos + 1)),
        None => Err(BadReference::NotXmlChar { end: pos + 1 }),
    }
}

/// `xml/bad-reference`: a `&` at `span` that starts no reference.
pub fn malformed_reference(span: Span) -> Diagnostic {
    Diagnostic::error("xml/bad-reference", "`&` does not start a valid reference")
        .with_label(span, "expected `&name;` or `&#number;`")
        .with_help("write a literal ampersand as &amp;")
}

/// `xml/invalid-char`: the character reference `reference` (its text, at `span`) names no
/// XML character.
pub fn illegal_char_reference(reference: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "xml/invalid-char",
        format!("character reference {reference} is not a legal XML character"),
    )
    .with_label(span, "not an XML character")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_characters() {
        assert!(is_name_start('é') && !is_name_start('-') && is_name_char('-'));
        assert!(is_name_char('\u{B7}') && !is_name_start('\u{B7}'));
        assert!(!is_xml_char('\u{1}') && is_xml_char('\t') && !is_xml_char('\u{FFFE}'));
        assert!(is_space(b'\r') && !is_space(0x0B));
    }

    #[test]
    fn name_ends() {
        assert_eq!(name_end("<tei:p n='1'>", 1), Some(6));
        assert_eq!(name_end("<é·x", 1), Some(6));
        assert_eq!(name_end("<-x", 1), None);
        assert_eq!(name_end("<x", 2), None);
        assert_eq!(name_end("<a-1.b_c:d9 ", 1), Some(11));
        assert_eq!(name_end("<1a", 1), None);
        assert_eq!(name_end("<a\u{2000}", 1), Some(2));
        // Every character below U+0300 agrees with the classes.
        for c in (0u32..0x300).filter_map(char::from_u32) {
            let t = format!("<{c}{c}>");
            let want = is_name_start(c).then(|| 1 + 2 * c.len_utf8());
            assert_eq!(name_end(&t, 1), want, "{c:?}");
        }
    }

    #[test]
    fn namespace_declarations() {
        assert_eq!(namespace_declaration("xmlnsx", "u"), None);
        assert_eq!(namespace_declaration("a", "u"), None);
        assert_eq!(namespace_declaration("xmlns", "u"), Some(Ok("")));
        assert_eq!(namespace_declaration("xmlns:t", "u"), Some(Ok("t")));
        assert_eq!(namespace_declaration("xmlns:xml", XML_NS), Some(Ok("xml")));
        for (q, v) in [
            ("xmlns:xmlns", "u"),
            ("xmlns:xml", "u"),
            ("xmlns:t", XML_NS),
            ("xmlns", XMLNS_NS),
            ("xmlns:t", ""),
            ("xmlns:a:b", "u"),
        ] {
            assert!(
                matches!(namespace_declaration(q, v), Some(Err(_))),
                "{q}={v}"
            );
        }
    }

    #[test]
    fn qualified_names() {
        let at = Span::new(3, 5);
        assert_eq!(split_qname("a:b", at).unwrap(), ("a", "b"));
        assert_eq!(split_qname("ab", at).unwrap(), ("", "ab"));
        for bad in [":b", "a:", "a:b:c", "a:1"] {
            let d = split_qname(bad, at).unwrap_err();
            assert_eq!(
                (d.code.as_ref(), d.primary_span()),
                ("xml/namespace", Some(at))
            );
        }
    }

    #[test]
    fn character_references() {
        let t = "a &#x41; &#65; &#0; &#x; &#12 &x;";
        assert_eq!(char_reference(t, 2), Ok(('A', 8)));
        assert_eq!(char_reference(t, 9), Ok(('A', 14)));
        assert_eq!(
            char_reference(t, 15),
            Err(BadReference::NotXmlChar { end: 19 })
        );
        assert_eq!(
            char_reference(t, 20),
            Err(BadReference::Malformed { end: 23 })
        );
        assert_eq!(
            char_reference(t, 25),
            Err(BadReference::Malformed { end: 29 })
        );
        assert_eq!(
            char_reference("&#1114112;", 0),
            Err(BadReference::NotXmlChar { end: 10 })
        );
    }

    #[test]
    fn messages() {
        let d = undeclared_prefix("tei", Span::new(10, 5), "element");
        assert_eq!(d.primary_span(), Some(Span::new(10, 3)));
        assert_eq!(
            invalid_char(4, '\0').message,
            "a NUL character is not allowed in an XML document"
        );
        assert_eq!(
            unclosed_help("p", 2, Some("div")),
            "add </p> before </div> (2 enclosing elements are not closed either)"
        );
    }
}
