//! A direct transcription of James Clark's derivative algorithm (derivative.html), on plain
//! trees: no interning, no memo, no recovery. Tests compare the optimised matcher's verdicts
//! with it on generated documents.

use std::rc::Rc;
use std::sync::Arc;

use teikit_relaxng::datatype::{is_xml_space, Datatype, NamespaceContext};
use teikit_relaxng::{NameClass, Pattern, QName, Schema};

#[derive(Debug)]
enum P {
    Empty,
    NotAllowed,
    Text,
    Choice(Rc<P>, Rc<P>),
    Interleave(Rc<P>, Rc<P>),
    Group(Rc<P>, Rc<P>),
    OneOrMore(Rc<P>),
    List(Rc<P>),
    Data(Arc<Datatype>, Option<Rc<P>>),
    Value(Arc<Datatype>, String, Vec<(String, String)>),
    Attribute(NameClass, Rc<P>),
    Element(u32),
    After(Rc<P>, Rc<P>),
}

struct Bind<'a>(&'a [(String, String)]);

impl NamespaceContext for Bind<'_> {
    fn resolve(&self, prefix: &str) -> Option<&str> {
        self.0.resolve(prefix)
    }
}

struct NodeCx<'a, 'i>(teikit_xml::tree::Node<'a, 'i>);

impl NamespaceContext for NodeCx<'_, '_> {
    fn resolve(&self, prefix: &str) -> Option<&str> {
        self.0.lookup_namespace_uri(if prefix.is_empty() {
            None
        } else {
            Some(prefix)
        })
    }
}

pub(crate) struct Oracle<'s> {
    schema: &'s Schema,
    na: Rc<P>,
    empty: Rc<P>,
}

fn is_na(p: &Rc<P>) -> bool {
    matches!(**p, P::NotAllowed)
}

fn is_empty(p: &Rc<P>) -> bool {
    matches!(**p, P::Empty)
}

impl<'s> Oracle<'s> {
    pub(crate) fn new(schema: &'s Schema) -> Oracle<'s> {
        Oracle {
            schema,
            na: Rc::new(P::NotAllowed),
            empty: Rc::new(P::Empty),
        }
    }

    fn conv(&self, p: &Pattern) -> Rc<P> {
        match p {
            Pattern::Empty => self.empty.clone(),
            Pattern::NotAllowed => self.na.clone(),
            Pattern::Text => Rc::new(P::Text),
            Pattern::Choice(ps) => self.fold(ps, |a, b| Rc::new(P::Choice(a, b))),
            Pattern::Group(ps) => self.fold(ps, |a, b| Rc::new(P::Group(a, b))),
            Pattern::Interleave(ps) => self.fold(ps, |a, b| Rc::new(P::Interleave(a, b))),
            Pattern::OneOrMore(p) => Rc::new(P::OneOrMore(self.conv(p))),
            Pattern::List(p) => Rc::new(P::List(self.conv(p))),
            Pattern::Data {
                datatype, except, ..
            } => Rc::new(P::Data(
                datatype.clone(),
                except.as_ref().map(|e| self.conv(e)),
            )),
            Pattern::Value {
                datatype,
                value,
                ns_context,
                ..
            } => Rc::new(P::Value(
                datatype.clone(),
                value.clone(),
                ns_context.to_vec(),
            )),
            Pattern::Attribute { name, content, .. } => {
                Rc::new(P::Attribute(name.clone(), self.conv(content)))
            }
            Pattern::Ref(d) => Rc::new(P::Element(*d)),
        }
    }

    fn fold(&self, ps: &[Pattern], f: impl Fn(Rc<P>, Rc<P>) -> Rc<P>) -> Rc<P> {
        let mut it = ps.iter().map(|p| self.conv(p));
        let first = it.next().unwrap_or_else(|| self.empty.clone());
        it.fold(first, f)
    }

    fn nullable(&self, p: &P) -> bool {
        match p {
            P::Empty | P::Text => true,
            P::Choice(a, b) => self.nullable(a) || self.nullable(b),
            P::Group(a, b) | P::Interleave(a, b) => self.nullable(a) && self.nullable(b),
            P::OneOrMore(a) => self.nullable(a),
            _ => false,
        }
    }

    fn choice(&self, a: Rc<P>, b: Rc<P>) -> Rc<P> {
        if is_na(&a) {
            b
        } else if is_na(&b) {
            a
        } else {
            Rc::new(P::Choice(a, b))
        }
    }

    fn group(&self, a: Rc<P>, b: Rc<P>) -> Rc<P> {
        if is_na(&a) || is_na(&b) {
            self.na.clone()
        } else if is_empty(&a) {
            b
        } else if is_empty(&b) {
            a
        } else {
            Rc::new(P::Group(a, b))
        }
    }

    fn interleave(&self, a: Rc<P>, b: Rc<P>) -> Rc<P> {
        if is_na(&a) || is_na(&b) {
            self.na.clone()
        } else if is_empty(&a) {
            b
        } else if is_empty(&b) {
            a
        } else {
            Rc::new(P::Interleave(a, b))
        }
    }

    fn after(&self, a: Rc<P>, b: Rc<P>) -> Rc<P> {
        if is_na(&a) || is_na(&b) {
            self.na.clone()
        } else {
            Rc::new(P::After(a, b))
        }
    }

    fn one_or_more(&self, a: Rc<P>) -> Rc<P> {
        if is_na(&a) {
            a
        } else {
            Rc::new(P::OneOrMore(a))
        }
    }

    fn text_deriv(&self, cx: &dyn NamespaceContext, p: &Rc<P>, s: &str) -> Rc<P> {
        match &**p {
            P::Choice(a, b) => self.choice(self.text_deriv(cx, a, s), self.text_deriv(cx, b, s)),
            P::Interleave(a, b) => self.choice(
                self.interleave(self.text_deriv(cx, a, s), b.clone()),
                self.interleave(a.clone(), self.text_deriv(cx, b, s)),
            ),
            P::Group(a, b) => {
                let x = self.group(self.text_deriv(cx, a, s), b.clone());
                if self.nullable(a) {
                    self.choice(x, self.text_deriv(cx, b, s))
                } else {
                    x
                }
            }
            P::After(a, b) => self.after(self.text_deriv(cx, a, s), b.clone()),
            P::OneOrMore(a) => self.group(
                self.text_deriv(cx, a, s),
                self.choice(p.clone(), self.empty.clone()),
            ),
            P::Text => p.clone(),
            P::Value(dt, v, vcx) => {
                if dt.equal(v, &Bind(vcx), s, cx) {
                    self.empty.clone()
                } else {
                    self.na.clone()
                }
            }
            P::Data(dt, except) => {
                let ok = dt.check(s, cx).is_ok()
                    && !except
                        .as_ref()
                        .is_some_and(|e| self.nullable(&self.text_deriv(cx, e, s)));
                if ok {
                    self.empty.clone()
                } else {
                    self.na.clone()
                }
            }
            P::List(c) => {
                let mut q = c.clone();
                for w in s.split(is_xml_space).filter(|w| !w.is_empty()) {
                    q = self.text_deriv(cx, &q, w);
                }
                if self.nullable(&q) {
                    self.empty.clone()
                } else {
                    self.na.clone()
                }
            }
            _ => self.na.clone(),
        }
    }

    fn apply_after(&self, p: &Rc<P>, f: &dyn Fn(Rc<P>) -> Rc<P>) -> Rc<P> {
        match &**p {
            P::After(a, b) => self.after(a.clone(), f(b.clone())),
            P::Choice(a, b) => self.choice(self.apply_after(a, f), self.apply_after(b, f)),
            _ => self.na.clone(),
        }
    }

    fn sto(&self, p: &Rc<P>, q: &QName) -> Rc<P> {
        match &**p {
            P::Choice(a, b) => self.choice(self.sto(a, q), self.sto(b, q)),
            P::Element(d) => {
                let def = &self.schema.defines[*d as usize];
                if def.name_class.contains(q) {
                    self.after(
                        self.conv(&self.schema.content(*d as usize)),
                        self.empty.clone(),
                    )
                } else {
                    self.na.clone()
                }
            }
            P::Interleave(a, b) => self.choice(
                self.apply_after(&self.sto(a, q), &|x| self.interleave(x, b.clone())),
                self.apply_after(&self.sto(b, q), &|x| self.interleave(a.clone(), x)),
            ),
            P::OneOrMore(a) => self.apply_after(&self.sto(a, q), &|x| {
                self.group(x, self.choice(p.clone(), self.empty.clone()))
            }),
            P::Group(a, b) => {
                let x = self.apply_after(&self.sto(a, q), &|x| self.group(x, b.clone()));
                if self.nullable(a) {
                    self.choice(x, self.sto(b, q))
                } else {
                    x
                }
            }
            P::After(a, b) => self.apply_after(&self.sto(a, q), &|x| self.after(x, b.clone())),
            _ => self.na.clone(),
        }
    }

    fn att_deriv(&self, cx: &dyn NamespaceContext, p: &Rc<P>, q: &QName, v: &str) -> Rc<P> {
        match &**p {
            P::After(a, b) => self.after(self.att_deriv(cx, a, q, v), b.clone()),
            P::Choice(a, b) => {
                self.choice(self.att_deriv(cx, a, q, v), self.att_deriv(cx, b, q, v))
            }
            P::Group(a, b) => self.choice(
                self.group(self.att_deriv(cx, a, q, v), b.clone()),
                self.group(a.clone(), self.att_deriv(cx, b, q, v)),
            ),
            P::Interleave(a, b) => self.choice(
                self.interleave(self.att_deriv(cx, a, q, v), b.clone()),
                self.interleave(a.clone(), self.att_deriv(cx, b, q, v)),
            ),
            P::OneOrMore(a) => self.group(
                self.att_deriv(cx, a, q, v),
                self.choice(p.clone(), self.empty.clone()),
            ),
            P::Attribute(nc, c) => {
                let ok = nc.contains(q)
                    && ((self.nullable(c) && v.chars().all(is_xml_space))
                        || self.nullable(&self.text_deriv(cx, c, v)));
                if ok {
                    self.empty.clone()
                } else {
                    self.na.clone()
                }
            }
            _ => self.na.clone(),
        }
    }

    fn close(&self, p: &Rc<P>) -> Rc<P> {
        match &**p {
            P::After(a, b) => self.after(self.close(a), b.clone()),
            P::Choice(a, b) => self.choice(self.close(a), self.close(b)),
            P::Group(a, b) => self.group(self.close(a), self.close(b)),
            P::Interleave(a, b) => self.interleave(self.close(a), self.close(b)),
            P::OneOrMore(a) => self.one_or_more(self.close(a)),
            P::Attribute(..) => self.na.clone(),
            _ => p.clone(),
        }
    }

    fn end_tag(&self, p: &Rc<P>) -> Rc<P> {
        match &**p {
            P::Choice(a, b) => self.choice(self.end_tag(a), self.end_tag(b)),
            P::After(a, b) => {
                if self.nullable(a) {
                    b.clone()
                } else {
                    self.na.clone()
                }
            }
            _ => self.na.clone(),
        }
    }

    fn element(&self, p: &Rc<P>, e: teikit_xml::tree::Node<'_, '_>) -> Rc<P> {
        let q = QName::new(e.tag_name().namespace().unwrap_or(""), e.tag_name().name());
        let cx = NodeCx(e);
        let mut p = self.sto(p, &q);
        for a in e.attributes() {
            let aq = QName::new(a.namespace().unwrap_or(""), a.name());
            p = self.att_deriv(&cx, &p, &aq, a.value());
        }
        p = self.close(&p);
        // children: elements and merged text (comments and PIs dropped)
        enum Child<'a, 'i> {
            Text(String),
            Elem(teikit_xml::tree::Node<'a, 'i>),
        }
        let mut kids: Vec<Child> = Vec::new();
        for c in e.children() {
            if c.is_element() {
                kids.push(Child::Elem(c));
            } else if c.is_text() {
                let t = c.text().unwrap_or("");
                match kids.last_mut() {
                    Some(Child::Text(s)) => s.push_str(t),
                    _ => kids.push(Child::Text(t.to_string())),
                }
            }
        }
        if kids.is_empty() {
            kids.push(Child::Text(String::new()));
        }
        p = if let [Child::Text(s)] = kids.as_slice() {
            let p1 = self.text_deriv(&cx, &p, s);
            if s.chars().all(is_xml_space) {
                self.choice(p, p1)
            } else {
                p1
            }
        } else {
            for k in &kids {
                p = match k {
                    Child::Text(s) if s.chars().all(is_xml_space) => p,
                    Child::Text(s) => self.text_deriv(&cx, &p, s),
                    Child::Elem(c) => self.element(&p, *c),
                };
            }
            p
        };
        self.end_tag(&p)
    }

    /// Is the document valid?
    pub(crate) fn valid(&self, doc: &teikit_xml::Document<'_>) -> bool {
        let start = self.conv(&self.schema.start);
        let p = self.element(&start, doc.root_element());
        self.nullable(&p)
    }
}
