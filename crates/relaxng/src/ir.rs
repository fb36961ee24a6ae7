//! The simplified schema (spec section 4.20 form) handed to the validator.
//!
//! After simplification a schema is one `grammar` whose `start` is a pattern and whose
//! `define`s each hold exactly one `element`; every `ref` names such a define, and elements
//! occur nowhere else. Patterns here are trees with n-ary `Choice`/`Group`/`Interleave`;
//! the validator interns them into its own hash-consed form.

use std::path::PathBuf;
use std::sync::Arc;

use teikit_diagnostics::Span;

/// Namespace bindings (prefix → URI; `""` is the default namespace), shared between the
/// patterns written under them.
pub type NsContext = Arc<[(String, String)]>;

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
        /// is the default namespace), needed for QName values. Shared: the values of one
        /// element are written under the same bindings.
        ns_context: NsContext,
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
    /// Element definitions, referenced by [`Pattern::Ref`]. When [`Schema::deferred`] is set,
    /// their `content` fields are `NotAllowed` placeholders: read contents through
    /// [`Schema::content`].
    pub defines: Vec<Define>,
    /// Every file read, for diagnostics.
    pub files: Vec<Arc<SourceFile>>,
    /// ID-typed attributes, per (element name, attribute name), when the schema uses the DTD
    /// compatibility datatypes (or XSD `ID`/`IDREF`/`IDREFS`) and is compatible.
    pub id_types: Vec<(QName, QName, IdType)>,
    /// Element contents supplied on demand instead of held in `defines` (a compiled-schema
    /// cache decodes each one when a document first reaches it); `None` for a schema loaded
    /// from source.
    pub deferred: Option<Arc<dyn DeferredContents>>,
}

/// Element contents produced on demand. A validator reaches the contents of the elements a
/// document uses, often a small part of a large schema such as tei_all, so a source that can
/// produce each content separately spares building the rest.
pub trait DeferredContents: Send + Sync + std::fmt::Debug {
    /// The content of define `define` (an index into [`Schema::defines`]), exactly the
    /// pattern an eager schema would hold there.
    fn content(&self, define: usize) -> Pattern;

    /// The name class of every attribute pattern anywhere in the start pattern or in a
    /// content, each distinct class once (a validator keys names by the classes that mention
    /// them, and must know them all before it reads any content).
    fn attribute_names(&self) -> &[NameClass];
}

impl Schema {
    /// The content of define `define`: the one held in [`Schema::defines`], or the one
    /// [`Schema::deferred`] produces.
    pub fn content(&self, define: usize) -> std::borrow::Cow<'_, Pattern> {
        match &self.deferred {
            Some(d) => std::borrow::Cow::Owned(d.content(define)),
            None => std::borrow::Cow::Borrowed(&self.defines[define].content),
        }
    }

    /// Moves every deferred content into [`Schema::defines`], so that the schema is
    /// self-contained (for code that walks the contents directly).
    pub fn into_eager(mut self) -> Schema {
        if let Some(d) = self.deferred.take() {
            for (i, def) in self.defines.iter_mut().enumerate() {
                def.content = d.content(i);
            }
        }
        self
    }
}
