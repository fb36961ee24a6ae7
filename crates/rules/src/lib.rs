//! Reference rules for TEI documents, beyond what a grammar can say.
//!
//! [`check`] looks at a parsed document whose root is in the TEI namespace and reports:
//!
//! - `tei/dangling-ref`: a same-document pointer (`#id` in `@ref`, `@target`, `@corresp`,
//!   `@who`, `@hand`, …) names no `xml:id` of the document;
//! - `tei/duplicate-id`: two elements carry the same `xml:id`;
//! - `tei/date-order`: `@from` after `@to`, `@notBefore` after `@notAfter`, or `@when` outside
//!   `[@notBefore, @notAfter]` on one element (partial dates are compared as intervals);
//! - `tei/hand-not-handnote`: `@hand` points to something other than a `handNote`.
//!
//! Every diagnostic has a byte span into the document text (the pointer token, the attribute
//! value, the attribute). Documents whose root is not in the TEI namespace get no diagnostics.
//!
//! ```
//! let text = r##"<TEI xmlns="http://www.tei-c.org/ns/1.0"><p xml:id="p1"/><ref target="#p2"/></TEI>"##;
//! let doc = teikit_xml::Document::parse(text).unwrap();
//! let found = teikit_rules::check(&doc);
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].code, "tei/dangling-ref");
//! assert_eq!(&text[found[0].primary_span().unwrap().offset..][..3], "#p2");
//! ```
#![warn(missing_docs)]

mod date;

use std::collections::HashMap;

use teikit_diagnostics::{CodeDoc, Diagnostic, Severity, Span};
use teikit_xml::tree::{Attribute, Document, Node};

/// The TEI namespace; only documents whose root element is in it are checked.
pub const TEI_NS: &str = "http://www.tei-c.org/ns/1.0";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Every code [`check`] emits.
pub static CODES: &[CodeDoc] = &[
    CodeDoc {
        code: "tei/dangling-ref",
        severity: Severity::Error,
        summary: "a same-document pointer (#id) names no xml:id of the document",
        example: "<persName ref=\"#AnnaM\"/> where the person is <person xml:id=\"AnnaMüller\">",
        fix: "correct the pointer to an existing xml:id (see the suggestion), or add the element it names",
    },
    CodeDoc {
        code: "tei/duplicate-id",
        severity: Severity::Error,
        summary: "two elements carry the same xml:id",
        example: "<person xml:id=\"p1\"/> … <place xml:id=\"p1\"/>",
        fix: "give each element its own xml:id and update the pointers that meant the second one",
    },
    CodeDoc {
        code: "tei/date-order",
        severity: Severity::Error,
        summary: "dates on one element are out of order (from after to, notBefore after notAfter, when outside them)",
        example: "<date from=\"1850-05-01\" to=\"1850-04-01\"/>",
        fix: "swap or correct the dates; a partial date (1850, 1850-05) counts as the whole year or month",
    },
    CodeDoc {
        code: "tei/hand-not-handnote",
        severity: Severity::Error,
        summary: "@hand points to an element that is not a handNote",
        example: "<add hand=\"#Anna\"/> where #Anna is a <person>",
        fix: "point @hand to a <handNote> in <handNotes> (profileDesc or msDesc/physDesc), adding one if needed",
    },
];

/// Attributes (in no namespace, on any TEI element) whose `#id` tokens must name an `xml:id`
/// of the document. All are TEI `teidata.pointer` attributes; attributes whose local pointers
/// commonly name things outside the document (`@rendition`, `@ana`, `@scheme`) are not
/// checked.
const POINTER_ATTRIBUTES: &[&str] = &[
    "ref", "target", "corresp", "who", "hand", "resp", "source", "facs", "sameAs", "copyOf",
    "next", "prev", "synch",
];

/// Runs every rule over `doc`; returns nothing when the root element is not in the TEI
/// namespace. Diagnostics come in document order.
pub fn check(doc: &Document<'_>) -> Vec<Diagnostic> {
    let root = doc.root_element();
    if root.tag_name().namespace() != Some(TEI_NS) {
        return Vec::new();
    }
    let text = doc.input_text();
    let mut out = Vec::new();
    let (ids, has_facsimile) = collect_ids(doc, &mut out);
    let ctx = Context {
        text,
        ids: &ids,
        has_facsimile,
        suggestions_left: std::cell::Cell::new(SUGGESTION_BUDGET),
    };
    // Most elements have no attribute, and every rule here reads attributes.
    for node in doc.descendants().filter(|n| n.attributes().len() > 0) {
        check_pointers(&ctx, node, &mut out);
        check_dates(node, &mut out);
    }
    out.sort_by_key(|d| d.primary_span().map(|s| s.offset));
    out
}

/// Each `xml:id` of a document, to its element and the attribute.
type Ids<'a, 'input> = HashMap<&'a str, (Node<'a, 'input>, Attribute<'a, 'input>)>;

/// The ids of the document: every `xml:id`, to the element carrying it (the first, for
/// duplicates, which are reported); and whether it has a `<facsimile>` (without one,
/// `@facs="#f0001"` is a page-image name by convention, as in the DTA base format, not a
/// pointer into the document).
fn collect_ids<'a, 'input>(
    doc: &'a Document<'input>,
    out: &mut Vec<Diagnostic>,
) -> (Ids<'a, 'input>, bool) {
    let mut ids: Ids = HashMap::new();
    let mut has_facsimile = false;
    for node in doc.descendants().filter(Node::is_element) {
        if !has_facsimile && node.has_tag_name(TEI_NS, "facsimile") {
            has_facsimile = true;
        }
        let Some(attr) = node
            .attributes()
            .find(|a| a.namespace() == Some(XML_NS) && a.name() == "id")
        else {
            continue;
        };
        let id = attr.value().trim();
        match ids.get(id) {
            Some((first, first_attr)) => out.push(
                Diagnostic::error(
                    "tei/duplicate-id",
                    format!("xml:id \"{id}\" is already used"),
                )
                .with_label(Span::from_range(attr.range_value()), "second use")
                .with_secondary(
                    Span::from_range(first_attr.range_value()),
                    format!("first used on <{}> here", first.tag_name().name()),
                )
                .with_help("an xml:id must be unique within the document"),
            ),
            None => {
                ids.insert(id, (node, attr));
            }
        }
    }
    (ids, has_facsimile)
}

/// What the pointer rules need to know about the whole document.
struct Context<'c, 'a, 'input> {
    text: &'c str,
    ids: &'c Ids<'a, 'input>,
    has_facsimile: bool,
    /// How many more did-you-mean searches this document may run. Each search scans every
    /// xml:id, so without a budget a document with many ids and many dangling pointers would
    /// take quadratic time; the first dangling pointers get suggestions, the rest none.
    suggestions_left: std::cell::Cell<usize>,
}

/// Did-you-mean searches per document (see `Context::suggestions_left`).
const SUGGESTION_BUDGET: usize = 64;

impl Context<'_, '_, '_> {
    /// Is this attribute one whose local pointers are checked?
    fn is_pointer_attribute(&self, node: Node<'_, '_>, attr: &Attribute<'_, '_>) -> bool {
        if attr.namespace().is_some() {
            return false;
        }
        match attr.name() {
            "facs" => self.has_facsimile,
            "new" => node.tag_name().name() == "handShift",
            // A category of a taxonomy kept elsewhere (`<catRef scheme="#genre"
            // target="#letter"/>` with no local #genre): the target is relative to it.
            "target" if node.tag_name().name() == "catRef" => match node
                .attributes()
                .find(|a| a.namespace().is_none() && a.name() == "scheme")
                .map(|a| a.value())
            {
                Some(scheme) => scheme
                    .strip_prefix('#')
                    .is_some_and(|id| self.ids.contains_key(id.trim())),
                None => true,
            },
            name => POINTER_ATTRIBUTES.contains(&name),
        }
    }
}

/// The whitespace-separated tokens of an attribute value, each with its span in the text.
/// When the written value contains references (`&amp;`…) token offsets cannot be mapped, and
/// every token gets the span of the whole value.
fn tokens<'v>(text: &str, attr: &Attribute<'v, '_>) -> Vec<(&'v str, Span)> {
    let range = attr.range_value();
    let value = attr.value();
    let raw = text.get(range.clone()).unwrap_or("");
    let exact = !raw.contains('&') && raw.len() == value.len();
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in value
        .char_indices()
        .chain(std::iter::once((value.len(), ' ')))
    {
        let ws = matches!(c, ' ' | '\t' | '\n' | '\r');
        match (ws, start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                let span = if exact {
                    Span::new(range.start + s, i - s)
                } else {
                    Span::from_range(range.clone())
                };
                out.push((&value[s..i], span));
                start = None;
            }
            _ => {}
        }
    }
    out
}

fn check_pointers(ctx: &Context<'_, '_, '_>, node: Node<'_, '_>, out: &mut Vec<Diagnostic>) {
    let (text, ids) = (ctx.text, ctx.ids);
    for attr in node.attributes() {
        if !ctx.is_pointer_attribute(node, &attr) {
            continue;
        }
        let hand_like = attr.name() == "hand" || attr.name() == "new";
        for (token, span) in tokens(text, &attr) {
            let Some(id) = token.strip_prefix('#') else {
                continue;
            };
            // `#xpointer(…)`, `#range(…)` and other fragment schemes are not plain IDs.
            if id.is_empty() || id.contains('(') {
                continue;
            }
            match ids.get(id) {
                None => {
                    let mut d = Diagnostic::error(
                        "tei/dangling-ref",
                        format!(
                            "@{} points to #{id}, but no element has xml:id=\"{id}\"",
                            attr.name()
                        ),
                    )
                    .with_label(span, "no such xml:id");
                    let budget = ctx.suggestions_left.get();
                    let best = if budget > 0 {
                        ctx.suggestions_left.set(budget - 1);
                        closest(id, ids.keys().copied())
                    } else {
                        None
                    };
                    if let Some(best) = best {
                        let (target, target_attr) = &ids[best];
                        d = d
                            .with_secondary(
                                Span::from_range(target_attr.range_value()),
                                format!("<{}> has a similar xml:id", target.tag_name().name()),
                            )
                            .with_help(format!("did you mean #{best}?"));
                    }
                    out.push(d);
                }
                Some((target, target_attr)) if hand_like => {
                    let is_hand_note = target.tag_name().name() == "handNote"
                        && target.tag_name().namespace() == Some(TEI_NS);
                    if !is_hand_note {
                        out.push(
                            Diagnostic::error(
                                "tei/hand-not-handnote",
                                format!(
                                    "@{} points to a <{}>, not to a <handNote>",
                                    attr.name(),
                                    target.tag_name().name()
                                ),
                            )
                            .with_label(span, "expected a handNote")
                            .with_secondary(
                                Span::from_range(target_attr.range_value()),
                                format!("this is a <{}>", target.tag_name().name()),
                            )
                            .with_help(
                                "@hand names the hand (scribe, writing) described by a <handNote>",
                            ),
                        );
                    }
                }
                Some(_) => {}
            }
        }
    }
}

/// The existing id closest to `wanted`: equal ignoring case, or within an edit distance of a
/// third of its length (at least 1, at most 3). Ties go to the smaller id, so the suggestion
/// does not depend on hash order.
fn closest<'a>(wanted: &str, ids: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wanted.chars().count() / 3).clamp(1, 3);
    let lower = wanted.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for id in ids {
        // A cheap length filter first: the distance is at least the length difference.
        if id.chars().count().abs_diff(wanted.chars().count()) > limit {
            continue;
        }
        let dist = if id.to_lowercase() == lower {
            0
        } else {
            levenshtein(wanted, id)
        };
        if dist > limit {
            continue;
        }
        let better = match best {
            None => true,
            Some((bd, bid)) => dist < bd || (dist == bd && id < bid),
        };
        if better {
            best = Some((dist, id));
        }
    }
    best.map(|(_, id)| id)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The date attributes of one family (plain or `-iso`) that parse as dates.
#[derive(Default)]
struct Dates<'a, 'input> {
    when: Option<(Attribute<'a, 'input>, date::Interval)>,
    from: Option<(Attribute<'a, 'input>, date::Interval)>,
    to: Option<(Attribute<'a, 'input>, date::Interval)>,
    not_before: Option<(Attribute<'a, 'input>, date::Interval)>,
    not_after: Option<(Attribute<'a, 'input>, date::Interval)>,
}

fn check_dates(node: Node<'_, '_>, out: &mut Vec<Diagnostic>) {
    // One pass over the attributes (this runs on every element): index 0 holds the plain
    // attributes, index 1 the `-iso` ones. Attribute names are unique on an element, so the
    // one found is the only one.
    let mut sets: [Dates<'_, '_>; 2] = Default::default();
    for a in node.attributes() {
        if a.namespace().is_some() {
            continue;
        }
        let (base, i) = match a.name().strip_suffix("-iso") {
            Some(base) => (base, 1),
            None => (a.name(), 0),
        };
        let d = &mut sets[i];
        let slot = match base {
            "when" => &mut d.when,
            "from" => &mut d.from,
            "to" => &mut d.to,
            "notBefore" => &mut d.not_before,
            "notAfter" => &mut d.not_after,
            _ => continue,
        };
        *slot = date::parse(a.value()).map(|interval| (a, interval));
    }
    let element = node.tag_name().name();
    for d in &sets {
        if let (Some((fa, fi)), Some((ta, ti))) = (&d.from, &d.to) {
            if fi.wholly_after(ti) {
                out.push(order(element, ta, fa, "ends before it starts"));
            }
        }
        if let (Some((ba, bi)), Some((aa, ai))) = (&d.not_before, &d.not_after) {
            if bi.wholly_after(ai) {
                out.push(order(element, aa, ba, "has no possible date"));
            }
        }
        if let Some((wa, wi)) = &d.when {
            if let Some((ba, bi)) = &d.not_before {
                if bi.wholly_after(wi) {
                    out.push(order(element, wa, ba, "is dated before its earliest date"));
                }
            }
            if let Some((aa, ai)) = &d.not_after {
                if wi.wholly_after(ai) {
                    out.push(order(element, wa, aa, "is dated after its latest date"));
                }
            }
        }
    }
}

/// A date-order diagnostic: `bad` is the attribute reported, `other` the one it contradicts.
fn order(
    element: &str,
    bad: &Attribute<'_, '_>,
    other: &Attribute<'_, '_>,
    what: &str,
) -> Diagnostic {
    Diagnostic::error(
        "tei/date-order",
        format!(
            "<{element}> {what}: @{}=\"{}\" against @{}=\"{}\"",
            bad.name(),
            bad.value(),
            other.name(),
            other.value()
        ),
    )
    .with_label(Span::from_range(bad.range()), "out of order")
    .with_secondary(Span::from_range(other.range()), "compared with this")
    .with_help("partial dates cover their whole year or month; swap or correct the dates")
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<TEI xmlns="http://www.tei-c.org/ns/1.0">"#;

    fn run(body: &str) -> (String, Vec<Diagnostic>) {
        let text = format!("{HEAD}{body}</TEI>");
        let doc = Document::parse(&text).unwrap();
        let found = check(&doc);
        (text, found)
    }

    /// The text of the primary span.
    fn primary<'t>(text: &'t str, d: &Diagnostic) -> &'t str {
        let s = d.primary_span().unwrap();
        &text[s.offset..s.end()]
    }

    fn secondary<'t>(text: &'t str, d: &Diagnostic) -> &'t str {
        let l = d.labels.iter().find(|l| !l.primary).unwrap();
        &text[l.span.offset..l.span.end()]
    }

    #[test]
    fn codes_are_documented() {
        for code in [
            "tei/dangling-ref",
            "tei/duplicate-id",
            "tei/date-order",
            "tei/hand-not-handnote",
        ] {
            assert!(CODES.iter().any(|c| c.code == code), "{code}");
        }
    }

    #[test]
    fn dangling_ref_points_at_the_token() {
        let (text, found) = run(
            r##"<person xml:id="AnnaMueller"/><persName ref="#AnnaMueller   #annamueller #Nobody"/>"##,
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        let d = &found[0];
        assert_eq!(d.code, "tei/dangling-ref");
        let at = text.find("#annamueller").unwrap();
        assert_eq!(d.primary_span().unwrap(), Span::new(at, 12));
        assert_eq!(d.help.as_deref(), Some("did you mean #AnnaMueller?"));
        assert_eq!(secondary(&text, d), "AnnaMueller");
        assert_eq!(primary(&text, &found[1]), "#Nobody");
        assert_eq!(found[1].help, None, "nothing close to Nobody");
    }

    #[test]
    fn did_you_mean_by_edit_distance() {
        let (_, found) = run(r##"<p xml:id="letter12"/><ptr target="#leter12"/>"##);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].help.as_deref(), Some("did you mean #letter12?"));
    }

    #[test]
    fn pointer_attributes_checked_and_others_ignored() {
        for attr in [
            "ref", "target", "corresp", "who", "resp", "source", "facs", "hand",
        ] {
            let (_, found) = run(&format!(r##"<facsimile/><p {attr}="#x"/>"##));
            assert_eq!(found.len(), 1, "{attr}");
            assert_eq!(found[0].code, "tei/dangling-ref");
        }
        // URLs, prefixed pointers, other attributes, fragment schemes, other namespaces.
        let (_, found) = run(
            r##"<p ref="wd:Q123 http://example.org/#x ../a.xml#b #" rendition="#b" ana="#c"
                 target="#xpointer(id('x'))" xmlns:o="urn:o" o:ref="#z"/>"##,
        );
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn facs_only_with_a_facsimile() {
        let (_, found) = run(r##"<pb facs="#f0001"/>"##);
        assert!(found.is_empty());
        let (text, found) = run(
            r##"<facsimile><surface xml:id="f1"/></facsimile><pb facs="#f1"/><pb facs="#f2"/>"##,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(primary(&text, &found[0]), "#f2");
    }

    #[test]
    fn cat_ref_target_relative_to_its_scheme() {
        // The taxonomy is elsewhere: the category cannot be checked.
        let (_, found) = run(r##"<catRef scheme="#genre" target="#letter"/>"##);
        assert!(found.is_empty());
        let (text, found) = run(
            r##"<taxonomy xml:id="genre"><category xml:id="letter"/></taxonomy>
                <catRef scheme="#genre" target="#letter"/><catRef scheme="#genre" target="#leter"/>"##,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(primary(&text, &found[0]), "#leter");
        let (_, found) = run(r##"<catRef target="#letter"/>"##);
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn resolved_pointers_are_silent() {
        let (_, found) = run(
            r##"<listPerson><person xml:id="a"/><person xml:id="b"/></listPerson>
                <p who="#a" corresp="#a #b"><name ref="
                  #b"/></p>"##,
        );
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn entity_in_value_spans_whole_value() {
        let (text, found) = run(r##"<p ref="#a &amp; #b"/>"##);
        assert_eq!(found.len(), 2);
        assert_eq!(primary(&text, &found[0]), "#a &amp; #b");
    }

    #[test]
    fn duplicate_id_points_at_the_second() {
        let (text, found) = run(r#"<p xml:id="x"/><div><ab xml:id="x"/></div><p xml:id="y"/>"#);
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(d.code, "tei/duplicate-id");
        let second = text.rfind(r#""x""#).unwrap() + 1;
        let first = text.find(r#""x""#).unwrap() + 1;
        assert_eq!(d.primary_span().unwrap(), Span::new(second, 1));
        let l = d.labels.iter().find(|l| !l.primary).unwrap();
        assert_eq!(l.span, Span::new(first, 1));
        assert!(l.message.as_deref().unwrap().contains("<p>"));
    }

    #[test]
    fn hand_must_be_a_hand_note() {
        let (text, found) = run(
            r##"<handNotes><handNote xml:id="h1"/></handNotes><person xml:id="anna"/>
                <add hand="#h1"/><del hand="#anna"/><handShift new="#anna"/><handShift new="#h1"/>"##,
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().all(|d| d.code == "tei/hand-not-handnote"));
        let first_bad = text.find(r##"hand="#anna""##).unwrap() + 6;
        assert_eq!(found[0].primary_span().unwrap(), Span::new(first_bad, 5));
        assert_eq!(secondary(&text, &found[0]), "anna");
        assert_eq!(primary(&text, &found[1]), "#anna");
    }

    #[test]
    fn date_order_fires() {
        let (text, found) = run(r#"<date from="1850-05-01" to="1850-04-01"/>"#);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "tei/date-order");
        assert_eq!(primary(&text, &found[0]), r#"to="1850-04-01""#);
        assert_eq!(secondary(&text, &found[0]), r#"from="1850-05-01""#);

        let (text, found) = run(r#"<date notBefore="1851" notAfter="1850-12"/>"#);
        assert_eq!(found.len(), 1);
        assert_eq!(primary(&text, &found[0]), r#"notAfter="1850-12""#);

        let (text, found) = run(r#"<date when="1849-12-01" notBefore="1850" notAfter="1852"/>"#);
        assert_eq!(found.len(), 1);
        assert_eq!(primary(&text, &found[0]), r#"when="1849-12-01""#);

        let (_, found) = run(r#"<date when="1853" notBefore="1850" notAfter="1852"/>"#);
        assert_eq!(found.len(), 1);

        let (text, found) = run(r#"<date from-iso="1850-05" to-iso="1850-04"/>"#);
        assert_eq!(found.len(), 1);
        assert_eq!(primary(&text, &found[0]), r#"to-iso="1850-04""#);
    }

    #[test]
    fn date_order_silent_on_valid_and_overlapping() {
        for attrs in [
            r#"from="1850" to="1850-06-01""#,
            r#"from="1850-06-01" to="1850""#,
            r#"from="1850-04-01" to="1850-04-01""#,
            r#"notBefore="1850-03" notAfter="1850-03-31""#,
            r#"when="1850" notBefore="1850-06" notAfter="1850-07""#,
            r#"when="1850-03-12T23:30:00" notAfter="1850-03-12""#,
            r#"from="ca. 1860" to="1850""#,
            r#"from="1860" to-iso="1850""#,
        ] {
            let (_, found) = run(&format!("<date {attrs}/>"));
            assert!(found.is_empty(), "{attrs}: {found:#?}");
        }
    }

    #[test]
    fn non_tei_roots_are_ignored() {
        let doc = Document::parse(r##"<x><p xml:id="a"/><p xml:id="a" ref="#b"/></x>"##).unwrap();
        assert!(check(&doc).is_empty());
        let doc =
            Document::parse(r##"<TEI xmlns="http://www.tei-c.org/ns/2.0"><p ref="#b"/></TEI>"##)
                .unwrap();
        assert!(check(&doc).is_empty());
    }

    #[test]
    fn diagnostics_are_in_document_order() {
        let (_, found) =
            run(r##"<date from="1851" to="1850" ref="#zz"/><p xml:id="q"/><p xml:id="q"/>"##);
        let offsets: Vec<usize> = found
            .iter()
            .map(|d| d.primary_span().unwrap().offset)
            .collect();
        let mut sorted = offsets.clone();
        sorted.sort();
        assert_eq!(offsets, sorted);
        assert_eq!(found.len(), 3);
    }
}

#[cfg(test)]
mod budget_tests {
    use super::*;

    /// Many ids and many dangling pointers: only the first `SUGGESTION_BUDGET` dangling
    /// pointers get a did-you-mean, so the work stays linear in the document.
    #[test]
    fn suggestions_are_budgeted() {
        let mut xml = String::from(r#"<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body>"#);
        for i in 0..500 {
            xml.push_str(&format!(r##"<p xml:id="p{i}"/><ref target="#q{i}"/>"##));
        }
        xml.push_str("</body></text></TEI>");
        let doc = teikit_xml::Document::parse(&xml).unwrap();
        let diags = check(&doc);
        assert_eq!(
            diags
                .iter()
                .filter(|d| d.code == "tei/dangling-ref")
                .count(),
            500
        );
        let with_help = diags.iter().filter(|d| d.help.is_some()).count();
        assert_eq!(with_help, SUGGESTION_BUDGET);
    }
}
