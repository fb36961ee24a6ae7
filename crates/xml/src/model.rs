//! `<?xml-model?>` processing instructions (ISO/IEC 19757-11), which name a document's schema.

use teikit_diagnostics::Span;

/// One `<?xml-model?>` processing instruction of the prolog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlModel {
    /// The `href` pseudo-attribute: the schema's location, relative to the document.
    pub href: String,
    /// The `schematypens` pseudo-attribute (`http://relaxng.org/ns/structure/1.0` for RELAX NG).
    pub schematypens: Option<String>,
    /// The `type` pseudo-attribute (a media type such as `application/xml`).
    pub r#type: Option<String>,
    /// The whole processing instruction in the document's text.
    pub span: Span,
}

impl XmlModel {
    /// Is this a RELAX NG schema (by namespace, media type or file extension)?
    pub fn is_relaxng(&self) -> bool {
        match self.schematypens.as_deref() {
            Some(ns) => ns == "http://relaxng.org/ns/structure/1.0",
            None => {
                matches!(
                    self.r#type.as_deref(),
                    Some("application/relax-ng-compact-syntax")
                ) || self.href.ends_with(".rng")
                    || self.href.ends_with(".rnc")
            }
        }
    }
}

/// The `<?xml-model?>` processing instructions before the root element, in document order.
/// Instructions without an `href` are skipped.
pub fn xml_model(doc: &crate::Document<'_>) -> Vec<XmlModel> {
    let mut out = Vec::new();
    for node in doc.root().children() {
        if node.is_element() {
            break;
        }
        let Some(pi) = node.pi() else { continue };
        if pi.target != "xml-model" {
            continue;
        }
        let attrs = pseudo_attributes(pi.value.unwrap_or(""));
        let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if let Some(href) = get("href") {
            let r = node.range();
            out.push(XmlModel {
                href,
                schematypens: get("schematypens"),
                r#type: get("type"),
                span: Span::from_range(r),
            });
        }
    }
    out
}

/// `name="value"` pairs, with the predefined entities and character references decoded.
fn pseudo_attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while let Some(eq) = rest.find('=') {
        let name = rest[..eq].trim().to_string();
        let after = rest[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            break;
        };
        let Some(end) = after[1..].find(q) else { break };
        out.push((name, unescape(&after[1..1 + end])));
        rest = after[end + 2..].trim_start();
    }
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(semi) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let name = &tail[1..semi];
        let c = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "apos" => Some('\''),
            "quot" => Some('"'),
            _ => name
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => out.push(c),
            None => out.push_str(&tail[..=semi]),
        }
        rest = &tail[semi + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn models(src: &str) -> Vec<XmlModel> {
        let doc = crate::Document::parse(src).unwrap();
        xml_model(&doc)
    }

    #[test]
    fn reads_href_type_and_namespace() {
        let m = models(
            "<?xml version='1.0'?>\n<?xml-model href=\"tei_all.rng\" type=\"application/xml\" \
             schematypens=\"http://relaxng.org/ns/structure/1.0\"?>\n<TEI/>",
        );
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].href, "tei_all.rng");
        assert_eq!(m[0].r#type.as_deref(), Some("application/xml"));
        assert!(m[0].is_relaxng());
        assert_eq!(m[0].span.offset, 22);
    }

    #[test]
    fn schematron_is_not_relaxng_and_order_is_kept() {
        let m = models(
            "<?xml-model href='a.rng'?><?xml-model href='b.sch' \
             schematypens='http://purl.oclc.org/dsdl/schematron'?><?other href='c'?><r/>",
        );
        assert_eq!(
            m.iter().map(|m| m.href.as_str()).collect::<Vec<_>>(),
            ["a.rng", "b.sch"]
        );
        assert!(m[0].is_relaxng());
        assert!(!m[1].is_relaxng());
    }

    #[test]
    fn entities_in_values_and_pis_after_root_ignored() {
        let m = models("<?xml-model href='a&amp;b&#x2E;rng'?><r/><?xml-model href='late.rng'?>");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].href, "a&b.rng");
    }
}
