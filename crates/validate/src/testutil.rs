//! Building schemas by hand for the unit tests, and the `check` helper.

use std::sync::Arc;

use teikit_diagnostics::{Diagnostic, Severity};
use teikit_relaxng::datatype::Datatype;
use teikit_relaxng::{Define, IdType, NameClass, Pattern, QName, Schema};

use crate::Grammar;

/// A tiny deterministic generator (xorshift), so the randomised tests need no dependency.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// A pattern with elements written inline (turned into defines by [`schema`]).
pub(crate) enum T {
    El(NameClass, Box<T>),
    Att(NameClass, Box<T>),
    Text,
    Empty,
    NotAllowed,
    Choice(Vec<T>),
    Group(Vec<T>),
    Inter(Vec<T>),
    More(Box<T>),
    List(Box<T>),
    Data(
        &'static str,
        &'static str,
        Vec<(String, String)>,
        Option<Box<T>>,
    ),
    Value(&'static str, &'static str, &'static str),
}

pub(crate) fn n(local: &str) -> NameClass {
    NameClass::Name(QName::new("", local))
}

pub(crate) fn el(name: &str, content: T) -> T {
    T::El(n(name), Box::new(content))
}

pub(crate) fn att(name: &str, content: T) -> T {
    T::Att(n(name), Box::new(content))
}

pub(crate) fn text() -> T {
    T::Text
}

pub(crate) fn empty() -> T {
    T::Empty
}

pub(crate) fn choice(v: Vec<T>) -> T {
    T::Choice(v)
}

pub(crate) fn group(v: Vec<T>) -> T {
    T::Group(v)
}

pub(crate) fn inter(v: Vec<T>) -> T {
    T::Inter(v)
}

pub(crate) fn more(t: T) -> T {
    T::More(Box::new(t))
}

pub(crate) fn star(t: T) -> T {
    choice(vec![more(t), empty()])
}

pub(crate) fn opt(t: T) -> T {
    choice(vec![t, empty()])
}

pub(crate) fn list(t: T) -> T {
    T::List(Box::new(t))
}

/// `data` of the built-in (`""`), DTD (`"dtd"`) or XSD (`"xsd"`) library.
pub(crate) fn data(lib: &'static str, name: &'static str) -> T {
    T::Data(lib, name, Vec::new(), None)
}

pub(crate) fn value(lib: &'static str, name: &'static str, v: &'static str) -> T {
    T::Value(lib, name, v)
}

fn library(lib: &str) -> &'static str {
    match lib {
        "" => "",
        "dtd" => teikit_relaxng::datatype::DTD_COMPAT_LIBRARY,
        "xsd" => teikit_relaxng::datatype::XSD_LIBRARY,
        other => panic!("unknown test library {other}"),
    }
}

fn conv(t: T, defines: &mut Vec<Define>) -> Pattern {
    match t {
        T::El(nc, c) => {
            let i = defines.len();
            defines.push(Define {
                name: format!("e{i}"),
                name_class: nc,
                content: Pattern::Empty,
                loc: Default::default(),
            });
            defines[i].content = conv(*c, defines);
            Pattern::Ref(i as u32)
        }
        T::Att(nc, c) => Pattern::Attribute {
            name: nc,
            content: Box::new(conv(*c, defines)),
            loc: Default::default(),
        },
        T::Text => Pattern::Text,
        T::Empty => Pattern::Empty,
        T::NotAllowed => Pattern::NotAllowed,
        T::Choice(v) => Pattern::Choice(v.into_iter().map(|t| conv(t, defines)).collect()),
        T::Group(v) => Pattern::Group(v.into_iter().map(|t| conv(t, defines)).collect()),
        T::Inter(v) => Pattern::Interleave(v.into_iter().map(|t| conv(t, defines)).collect()),
        T::More(t) => Pattern::OneOrMore(Box::new(conv(*t, defines))),
        T::List(t) => Pattern::List(Box::new(conv(*t, defines))),
        T::Data(lib, name, params, except) => Pattern::Data {
            datatype: Arc::new(Datatype::new(library(lib), name, &params).expect("datatype")),
            except: except.map(|e| Box::new(conv(*e, defines))),
            loc: Default::default(),
        },
        T::Value(lib, name, v) => Pattern::Value {
            datatype: Arc::new(Datatype::new(library(lib), name, &[]).expect("datatype")),
            value: v.to_string(),
            ns_context: Vec::new().into(),
            loc: Default::default(),
        },
    }
}

/// A schema whose start pattern is `start`.
pub(crate) fn schema(start: T) -> Schema {
    let mut defines = Vec::new();
    let start = conv(start, &mut defines);
    Schema {
        start,
        defines,
        files: Vec::new(),
        id_types: Vec::new(),
        deferred: None,
    }
}

/// A schema with ID-typed attributes.
pub(crate) fn schema_ids(start: T, ids: &[(&str, &str, IdType)]) -> Schema {
    let mut s = schema(start);
    s.id_types = ids
        .iter()
        .map(|(e, a, t)| (QName::new("", *e), QName::new("", *a), *t))
        .collect();
    s
}

/// Validates `doc` and returns the diagnostics.
pub(crate) fn run(s: Schema, doc: &str) -> Vec<Diagnostic> {
    let g = Grammar::new(s);
    let d = teikit_xml::Document::parse(doc).expect("well-formed test document");
    g.validate(&d)
}

/// Validates `doc` against `s` and compares the error codes, in document order.
pub(crate) fn check(s: Schema, doc: &str, expect: &[&str]) -> Vec<Diagnostic> {
    let diags = run(s, doc);
    let codes: Vec<&str> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, expect, "document {doc}: {diags:#?}");
    diags
}

/// The text a diagnostic's primary span covers.
pub(crate) fn spanned<'a>(doc: &'a str, d: &Diagnostic) -> &'a str {
    let s = d.primary_span().expect("a span");
    &doc[s.offset..s.end()]
}
