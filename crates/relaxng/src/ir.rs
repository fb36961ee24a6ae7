//! The simplified schema (spec section 4.20 form) handed to the validator.
//!
//! After simplification a schema is one `grammar` whose `start` is a pattern and whose
//! `define`s each hold exactly one `element`; every `ref` names such a define, and elements
//! occur nowhere else. Patterns here are trees with n-ary `Choice`/`Group`/`Interleave`;
//! the validator interns them into its own hash-consed form.

use std::path::PathBuf;
use std::sync::Arc;

use teikit_diagnostics::Span;

use crate::datatype::Datatype;

/// A schema file that was read, kept so diagnostics can point into it.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// A place in one of the schema's files: index into [`Schema::files`] and a byte span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Loc {
    /// Index into [`Schema::files`].
    pub file: u32,
    /// Bytes in that file.
    pub span: Span,
}

/// An expanded name: namespace URI (empty for none) and local name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QName {
    /// Namespace URI, `""` for no namespace.
    pub ns: String,
    /// Local name.
    pub local: String,
}

impl QName {
    /// Builds a name.
    pub fn new(ns: impl Into<String>, local: impl Into<String>) -> QName {
        QName {
            ns: ns.into(),
            local: local.into(),
        }
    }
}

/// A name class (spec 4.20: `name`, `anyName`, `nsName`, `choice`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NameClass {
    /// Exactly one name.
    Name(QName),
    /// Any name, minus an optional exception.
    AnyName(Option<Box<NameClass>>),
    /// Any name in the namespace, minus an optional exception.
    NsName(String, Option<Box<NameClass>>),
    /// Either.
    Choice(Box<NameClass>, Box<NameClass>),
}

impl NameClass {
    /// Does this class contain `name`?
    pub fn contains(&self, name: &QName) -> bool {
        match self {
            NameClass::Name(n) => n == name,
            NameClass::AnyName(except) => !except.as_ref().is_some_and(|e| e.contains(name)),
            NameClass::NsName(ns, except) => {
                *ns == name.ns && !except.as_ref().is_some_and(|e| e.contains(name))
            }
            NameClass::Choice(a, b) => a.contains(name) || b.contains(name),
        }
    }
}

/// Index of a [`Define`] in [`Schema::defines`].
pub type DefineId = u32;

/// A simplified pattern.
#[derive(Clone, Debug)]
pub enum Pattern {
    /// Matches nothing (the empty sequence).
    Empty,
    /// Matches no input at all.
    NotAllowed,
    /// Any text, including none.
    Text,
    /// One of several (n ≥ 2).
    Choice(Vec<Pattern>),
    /// In order (n ≥ 2).
    Group(Vec<Pattern>),
    /// In any interleaving (n ≥ 2).
    Interleave(Vec<Pattern>),
    /// One or more repetitions.
    OneOrMore(Box<Pattern>),
    /// Whitespace-separated tokens matched against the inner pattern.
    List(Box<Pattern>),
    /// A datatype, optionally minus the values matching `except`.
    Data {
        /// The compiled datatype (with its parameters).
        datatype: Arc<Datatype>,
        /// Values excluded (`Value`/`Data`/`Choice` of those only).
        except: Option<Box<Pattern>>,
        /// Where in the schema.
        loc: Loc,
    },
    /// One value of a datatype, compared in the datatype's value space.
    Value {
        /// The datatype.
        datatype: Arc<Datatype>,
        /// The lexical value as written in the schema.
        value: String,
        /// In-scope namespace bindings where the value was written (prefix → URI; `""`
        /// is the default namespace), needed for QName values.
        ns_context: Vec<(String, String)>,
        /// Where in the schema.
        loc: Loc,
    },
    /// An attribute.
    Attribute {
        /// Its allowed names.
        name: NameClass,
        /// Its value's pattern.
        content: Box<Pattern>,
        /// Where in the schema.
        loc: Loc,
    },
    /// A reference to an element definition.
    Ref(DefineId),
}

/// One element definition (each define of a simplified grammar holds one element).
#[derive(Clone, Debug)]
pub struct Define {
    /// The define's name as written (after renaming for uniqueness); for messages only.
    pub name: String,
    /// The element's name class.
    pub name_class: NameClass,
    /// The element's content (attributes and children).
    pub content: Pattern,
    /// Where the `element` pattern is in the schema.
    pub loc: Loc,
}

/// The DTD-compatibility ID type of an attribute (compatibility spec, section 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdType {
    /// Not an ID-type attribute.
    Null,
    /// `ID`.
    Id,
    /// `IDREF`.
    Idref,
    /// `IDREFS`.
    Idrefs,
}

/// A loaded, simplified and checked schema.
#[derive(Clone, Debug)]
pub struct Schema {
    /// The start pattern.
    pub start: Pattern,
    /// Element definitions, referenced by [`Pattern::Ref`].
    pub defines: Vec<Define>,
    /// Every file read, for diagnostics.
    pub files: Vec<Arc<SourceFile>>,
    /// ID-typed attributes, per (element name, attribute name), when the schema uses the DTD
    /// compatibility datatypes (or XSD `ID`/`IDREF`/`IDREFS`) and is compatible.
    pub id_types: Vec<(QName, QName, IdType)>,
}
