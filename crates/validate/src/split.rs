//! Validation of one big document on two threads.
//!
//! Most of an element's validation does not depend on where it occurs: once its start tag
//! is in, the state is the content pattern of its definition, and only what it reports and
//! the IDs it declares go back to the document. So while one thread validates the document
//! from the start, another validates big-enough elements on their own, from the end of the
//! document backwards, each starting from the content of the definition that names it. When
//! the first thread reaches an element the other has done, the matcher takes that result if
//! it is exactly what validating the element in place would give (same content pattern,
//! no assumption about earlier errors broken, no ID declared twice across the boundary;
//! [`Matcher::open_element`]), and validates the element itself otherwise. The two meet
//! where their work meets; each element is claimed by one thread only.
//!
//! The diagnostics are the sequential ones, in the same order: the taken elements'
//! diagnostics are inserted where the element's own would have been.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::fx::hash_pair;
use crate::matcher::{push_step, sibling_index, Subtree};
use crate::store::NOT_ALLOWED;
use crate::{close, element_name, open_rest, Grammar, Matcher};

/// When a document is split, and how finely.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sizes {
    /// Documents shorter than this are validated by one thread: the work to share would not
    /// pay for the planning and the second matcher's cold memos.
    pub(crate) min_text: usize,
    /// An element is handed over whole when its text is at most this share of the document
    /// (`1/share`); bigger ones are split into their children.
    pub(crate) share: usize,
    /// Smaller elements are not handed over: taking one costs the thread going forwards about
    /// as much as validating it.
    pub(crate) min_element: usize,
    /// Split even without a second worker thread (tests: the thread going backwards then
    /// runs first, and everything it did is taken).
    pub(crate) always: bool,
}

impl Sizes {
    /// Measured on the DTA prints (1–3 MB) with two cores.
    pub(crate) const DEFAULT: Sizes = Sizes {
        min_text: 512 << 10,
        share: 48,
        min_element: 256,
        always: false,
    };
}

const FREE: u8 = 0;
/// Claimed by the thread going forwards, which validates it in place.
const FORWARD: u8 = 1;
/// Claimed by the thread going backwards, which is validating it.
const BACKWARD: u8 = 2;
/// Validated by the thread going backwards; the result is in the slot.
const DONE: u8 = 3;

/// One element that may be validated on its own.
struct Part<'a, 'input> {
    node: teikit_xml::tree::Node<'a, 'input>,
    /// The tree path of its parent, as the matcher writes it (`/TEI/text/body`).
    parent_path: Arc<str>,
    /// Elements of the same name before it among its siblings.
    preceding: u32,
    state: AtomicU8,
    result: Mutex<Option<Subtree>>,
}

/// An element being split into its children, while [`Plan::new`] goes through them.
struct Level<'a, 'input> {
    /// Its tree path.
    path: Arc<str>,
    /// The next child to look at.
    next: Option<teikit_xml::tree::Node<'a, 'input>>,
    /// Children seen so far, per name (its hash), as the matcher counts them for paths.
    counts: Vec<(u64, u32)>,
}

/// The elements to share out, in document order.
pub(crate) struct Plan<'a, 'input> {
    parts: Vec<Part<'a, 'input>>,
    /// The next part the forward walk will meet (only that walk uses it).
    cursor: AtomicUsize,
}

impl<'a, 'input> Plan<'a, 'input> {
    /// The plan for `doc`, or `None` when it is too small, or there is no second thread.
    pub(crate) fn new(
        doc: &'a teikit_xml::Document<'input>,
        sizes: &Sizes,
    ) -> Option<Plan<'a, 'input>> {
        let text = doc.input_text();
        if text.len() < sizes.min_text || (rayon::current_num_threads() < 2 && !sizes.always) {
            return None;
        }
        let big = text.len() / sizes.share.max(1);
        let root = doc.root_element();
        let (root_name, _) = element_name(text, root);
        let mut parts = Vec::new();
        // Depth-first over the elements bigger than `big`, children in order: the parts come
        // out in document order.
        let mut stack = vec![Level {
            path: format!("/{}", root_name.qname).into(),
            next: root.first_element_child(),
            counts: Vec::new(),
        }];
        while let Some(Level { path, next, counts }) = stack.last_mut() {
            let Some(node) = *next else {
                stack.pop();
                continue;
            };
            *next = node.next_sibling_element();
            let (name, _) = element_name(text, node);
            let index = sibling_index(counts, hash_pair(name.ns, name.local));
            let preceding = index - 1;
            let len = node.range().len();
            if len > big && node.first_element_child().is_some() {
                let mut child_path = path.to_string();
                push_step(&mut child_path, name.qname, index);
                stack.push(Level {
                    path: child_path.into(),
                    next: node.first_element_child(),
                    counts: Vec::new(),
                });
            } else if len >= sizes.min_element {
                parts.push(Part {
                    node,
                    parent_path: path.clone(),
                    preceding,
                    state: AtomicU8::new(FREE),
                    result: Mutex::new(None),
                });
            }
        }
        (!parts.is_empty()).then_some(Plan {
            parts,
            cursor: AtomicUsize::new(0),
        })
    }

    /// For the forward walk, at each element: the element validated on its own, when it is a
    /// part the backward walk has done. A part not yet claimed is claimed, so the backward
    /// walk stops there; one being validated is waited for.
    pub(crate) fn take(&self, node: teikit_xml::tree::Node<'a, 'input>) -> Option<Subtree> {
        let i = self.cursor.load(Ordering::Relaxed);
        let part = self.parts.get(i).filter(|p| p.node == node)?;
        self.cursor.store(i + 1, Ordering::Relaxed);
        if part
            .state
            .compare_exchange(FREE, FORWARD, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            return None;
        }
        while part.state.load(Ordering::Acquire) != DONE {
            std::thread::yield_now();
        }
        part.result.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// The backward walk: validates parts on their own from the last one, until it meets a
    /// part the forward walk has claimed.
    pub(crate) fn run_backwards(&self, g: &Grammar, text: &str, entities: Vec<String>) {
        let mut m = g.matcher();
        m.set_unparsed_entities(entities);
        for part in self.parts.iter().rev() {
            if part
                .state
                .compare_exchange(FREE, BACKWARD, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                break;
            }
            // Done even if validating it panics: the forward walk, waiting for it, then
            // validates it itself (and the panic reaches the caller through the join).
            let done = Done(part);
            let result = validate_part(g, &mut m, text, part);
            *part.result.lock().unwrap_or_else(|e| e.into_inner()) = result;
            drop(done);
        }
    }
}

/// Marks a part done when dropped.
struct Done<'p, 'a, 'input>(&'p Part<'a, 'input>);

impl Drop for Done<'_, '_, '_> {
    fn drop(&mut self) {
        self.0.state.store(DONE, Ordering::Release);
    }
}

/// Validates one part on its own, from the content of the definition(s) naming it; `None`
/// when no definition names it (the forward walk then validates it in place).
fn validate_part(
    g: &Grammar,
    m: &mut Matcher<'_>,
    text: &str,
    part: &Part<'_, '_>,
) -> Option<Subtree> {
    let node = part.node;
    let (name, span) = element_name(text, node);
    let key = g.cx.names.key(name.ns, name.local);
    let content = g.named_content(key);
    if content == NOT_ALLOWED {
        return None;
    }
    m.start_subtree(&part.parent_path, part.preceding, name, span, content);
    open_rest(m, text, node);
    g.walk(m, text, node, &mut |_| None);
    close(m, text, node);
    Some(m.take_subtree(content))
}

#[cfg(test)]
mod tests {
    use teikit_relaxng::IdType;

    use super::Sizes;
    use crate::testutil::*;
    use crate::Grammar;

    /// Sections of paragraphs and lists, with IDs, references, numbers and an element that
    /// is never allowed; `item` is defined twice (so it is never handed over: which
    /// definition applies depends on where it is).
    fn grammar() -> Grammar {
        let id = || opt(att("id", data("dtd", "ID")));
        let p = || {
            el(
                "p",
                group(vec![
                    id(),
                    opt(att("n", data("xsd", "integer"))),
                    inter(vec![
                        text(),
                        star(el("hi", text())),
                        star(el("num", data("xsd", "integer"))),
                        star(el("ptr", att("target", data("dtd", "IDREF")))),
                        star(el("never", T::NotAllowed)),
                    ]),
                ]),
            )
        };
        let list = || {
            el(
                "list",
                group(vec![
                    el("head", text()),
                    more(choice(vec![
                        el("item", star(p())),
                        el("item", att("n", data("xsd", "integer"))),
                    ])),
                ]),
            )
        };
        let sec = || {
            el(
                "sec",
                group(vec![
                    id(),
                    el("head", text()),
                    star(choice(vec![p(), list()])),
                ]),
            )
        };
        Grammar::new(schema_ids(
            el(
                "doc",
                group(vec![
                    el("title", text()),
                    more(el("part", group(vec![id(), more(sec())]))),
                ]),
            ),
            &[
                ("sec", "id", IdType::Id),
                ("p", "id", IdType::Id),
                ("part", "id", IdType::Id),
                ("ptr", "target", IdType::Idref),
            ],
        ))
    }

    /// A document of the grammar's shape with mistakes: misspelled and unknown elements,
    /// bad numbers, missing heads, IDs used twice (also across parts), dangling references.
    fn document(r: &mut Rng) -> String {
        let mut d = String::from("<doc><title>t</title>");
        for _ in 0..=(r.next() % 3) {
            d.push_str(&format!("<part{}>", id_attr(r)));
            for _ in 0..=(r.next() % 4) {
                d.push_str(&format!("<sec{}>", id_attr(r)));
                if r.next() % 5 != 0 {
                    d.push_str("<head>h</head>");
                }
                for _ in 0..(r.next() % 5) {
                    match r.next() % 6 {
                        0 => d.push_str(r.pick(&[
                            "<list><head>l</head><item n='1'/><item><p>x</p></item></list>",
                            "<list><item/></list>",
                            "<lsit/>",
                            "<p><never/>x</p>",
                            "<p><never><hi>z</hi></never></p>",
                        ])),
                        1 => d.push_str(&format!(
                            "<p><ptr target='{}'/>r</p>",
                            r.pick(&["a", "b", "c", "zz"])
                        )),
                        _ => {
                            d.push_str(&format!(
                                "<p{}{}>",
                                id_attr(r),
                                r.pick(&["", " n='3'", " n='x'", " rend='y'"])
                            ));
                            for _ in 0..(r.next() % 4) {
                                d.push_str(r.pick(&[
                                    "text ",
                                    "<hi>h</hi>",
                                    "<num>7</num>",
                                    "<num>q</num>",
                                    "<hy/>",
                                    "<p/>",
                                ]));
                            }
                            d.push_str("</p>");
                        }
                    }
                }
                d.push_str("</sec>");
            }
            d.push_str("</part>");
        }
        d.push_str("</doc>");
        d
    }

    fn id_attr(r: &mut Rng) -> String {
        match r.next() % 3 {
            0 => String::new(),
            _ => format!(" id='{}'", r.pick(&["a", "b", "c", "d", "e", "f", "g"])),
        }
    }

    const NEVER: Sizes = Sizes {
        min_text: usize::MAX,
        share: 1,
        min_element: 0,
        always: false,
    };

    #[test]
    fn split_validation_reports_what_one_thread_reports() {
        let g = grammar();
        let mut r = Rng(0x2545_f491_4f6c_dd1d);
        let mut taken = 0;
        let mut with_errors = 0;
        for _ in 0..300 {
            let doc = document(&mut r);
            let d = teikit_xml::Document::parse(&doc).expect("well-formed");
            let (one, none_taken) = g.validate_sized(&d, &NEVER);
            assert_eq!(none_taken, 0);
            with_errors += usize::from(!one.is_empty());
            for share in [1, 2, 3, 8, 64] {
                for always in [true, false] {
                    let sizes = Sizes {
                        min_text: 0,
                        share,
                        min_element: 0,
                        always,
                    };
                    let (split, n) = g.validate_sized(&d, &sizes);
                    assert_eq!(split, one, "{doc} split {sizes:?}");
                    if always {
                        taken += n;
                    }
                }
            }
            // A cold grammar (every derivative computed by whichever thread needs it first).
            let cold = grammar().validate_sized(
                &d,
                &Sizes {
                    min_text: 0,
                    share: 4,
                    min_element: 0,
                    always: false,
                },
            );
            assert_eq!(cold.0, one, "{doc} cold");
        }
        // The comparison means something: elements were taken, and documents had errors.
        assert!(taken > 1000, "{taken} elements taken");
        assert!(with_errors > 100, "{with_errors} documents with errors");
    }

    #[test]
    fn an_id_declared_on_both_sides_is_reported_once_at_its_second_use() {
        let g = grammar();
        let doc = "<doc><title>t</title><part><sec id='a'><head>h</head></sec>\
                   <sec><head>h</head><p id='a'>x</p><p id='a'>y</p></sec></part></doc>";
        let d = teikit_xml::Document::parse(doc).expect("well-formed");
        let (one, _) = g.validate_sized(&d, &NEVER);
        let always = Sizes {
            min_text: 0,
            share: 1,
            min_element: 0,
            always: true,
        };
        let (split, _) = g.validate_sized(&d, &always);
        assert_eq!(split, one);
        let dups: Vec<_> = one
            .iter()
            .filter(|d| d.code == "rng/duplicate-id")
            .collect();
        assert_eq!(dups.len(), 2, "{one:#?}");
        // both point back at the first use, in the first section
        for dup in dups {
            assert_eq!(dup.labels[1].span.offset, doc.find("'a'").expect("id") + 1);
        }
    }

    #[test]
    fn a_result_that_assumed_no_earlier_error_is_not_taken_after_one() {
        use teikit_diagnostics::Span;

        use crate::store::NOT_ALLOWED;
        use crate::Name;

        let g = grammar();
        struct NoNs;
        impl teikit_relaxng::datatype::NamespaceContext for NoNs {
            fn resolve(&self, _: &str) -> Option<&str> {
                None
            }
        }
        let none = &NoNs;
        let name = |local: &'static str| Name {
            ns: "",
            local,
            qname: local,
        };
        let at = |o: usize| Span::new(o, 1);
        // Validated on its own from notAllowed, nothing reported before: the child is.
        let mut m = g.matcher();
        m.start_subtree("/doc/x", 0, name("sec"), at(10), NOT_ALLOWED);
        m.start_tag_close(at(10));
        m.start_tag_open(name("p"), at(20), none);
        m.start_tag_close(at(20));
        m.end_tag(at(30), none);
        m.end_tag(at(40), none);
        let sub = m.take_subtree(NOT_ALLOWED);
        // In place, inside an element reported as unknown, the state is notAllowed too, but
        // the child is a consequence of that report and stays silent.
        let mut f = g.matcher();
        f.start_tag_open(name("doc"), at(0), none);
        f.start_tag_close(at(0));
        f.start_tag_open(name("x"), at(5), none);
        f.start_tag_close(at(5));
        assert!(!f.open_element(name("sec"), at(10), none, Some(sub)));
        f.start_tag_close(at(10));
        f.start_tag_open(name("p"), at(20), none);
        f.start_tag_close(at(20));
        f.end_tag(at(30), none);
        f.end_tag(at(40), none);
        f.end_tag(at(50), none);
        f.end_tag(at(60), none);
        let codes: Vec<_> = f.finish().into_iter().map(|d| d.code).collect();
        assert_eq!(codes, ["rng/element-not-allowed", "rng/incomplete-content"]);
    }
}
