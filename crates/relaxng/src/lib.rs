//! RELAX NG schemas for teikit: loading (XML syntax and, through `teikit-rnc`, compact
//! syntax), simplification (spec section 4) and restriction checking (section 7), producing
//! a [`Schema`] in simplified form that the validator in `teikit-validate` compiles.
//!
//! ```no_run
//! let schema = teikit_relaxng::load(std::path::Path::new("tei_all.rng"), &Default::default());
//! ```
#![warn(missing_docs)]

pub mod datatype;
pub mod ir;

mod check;
mod load;
mod pattern;
mod simplify;
mod tree;

pub use crate::ir::{Define, DefineId, IdType, Loc, NameClass, Pattern, QName, Schema, SourceFile};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use teikit_diagnostics::{CodeDoc, Diagnostic, Severity};

use crate::load::code;
use crate::pattern::{Pat, K};

/// How schemas are found and read.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Local copies for remote schema URLs (`http://…/tei_all.rng` → a file), as an OASIS
    /// catalog would map them. Any other `http(s):` href is an error naming the URL.
    pub url_map: Vec<(String, PathBuf)>,
}

/// Why a schema could not be used.
#[derive(Clone, Debug)]
pub struct SchemaErrors {
    /// `true` when a file could not be read at all (exit 2), `false` when the schema was read
    /// but is incorrect (exit 1).
    pub unreadable: bool,
    /// Each diagnostic with the file it points into.
    pub errors: Vec<(Arc<SourceFile>, Diagnostic)>,
}

/// Every diagnostic code this crate emits.
pub static CODES: &[CodeDoc] = &[
    CodeDoc {
        code: code::UNREADABLE,
        severity: Severity::Error,
        summary: "the schema file could not be read",
        example: "teikit validate --schema missing.rng doc.xml",
        fix: "check the schema path and permissions",
    },
    CodeDoc {
        code: code::XML,
        severity: Severity::Error,
        summary: "a schema file is not well-formed XML (or not UTF-8)",
        example: "<grammar xmlns=\"http://relaxng.org/ns/structure/1.0\"><start>",
        fix: "fix the XML syntax at the reported position",
    },
    CodeDoc {
        code: code::COMPACT,
        severity: Severity::Error,
        summary: "a compact-syntax (.rnc) schema file has a syntax error",
        example: "element a { text ",
        fix: "fix the compact syntax at the reported position",
    },
    CodeDoc {
        code: code::SYNTAX,
        severity: Severity::Error,
        summary: "an element or attribute breaks the RELAX NG syntax (spec section 3)",
        example: "<element name=\"a\"><define name=\"x\"><text/></define></element>",
        fix: "use only the RELAX NG elements and attributes allowed at that place",
    },
    CodeDoc {
        code: code::INCLUDE,
        severity: Severity::Error,
        summary: "an include or externalRef cannot be resolved, loops, or overrides a missing component (sections 4.5-4.7)",
        example: "<include href=\"missing.rng\"/>",
        fix: "point href at an existing local schema (map remote URLs to files); only override defines that exist in the included grammar",
    },
    CodeDoc {
        code: code::NAME,
        severity: Severity::Error,
        summary: "a name or name class is incorrect: undeclared prefix, xmlns attribute, or a forbidden except (sections 4.10, 4.16)",
        example: "<element name=\"x:a\"><empty/></element> (prefix x undeclared)",
        fix: "declare the prefix, or correct the name class",
    },
    CodeDoc {
        code: code::DATATYPE,
        severity: Severity::Error,
        summary: "unknown datatype library or type, bad or repeated parameter, or a value not valid for its type (sections 4.16, 6.2.8)",
        example: "<data type=\"integr\" datatypeLibrary=\"http://www.w3.org/2001/XMLSchema-datatypes\"/>",
        fix: "use a datatype and parameters the library defines",
    },
    CodeDoc {
        code: code::COMBINE,
        severity: Severity::Error,
        summary: "a define or start is given more than once without a consistent combine attribute (section 4.17)",
        example: "<define name=\"a\"><text/></define><define name=\"a\"><empty/></define>",
        fix: "add combine=\"choice\" or combine=\"interleave\" to the extra definitions",
    },
    CodeDoc {
        code: code::UNDEFINED,
        severity: Severity::Error,
        summary: "a ref or parentRef names no define, or a grammar has no start (section 4.18)",
        example: "<start><ref name=\"nothere\"/></start>",
        fix: "define the pattern, fix the name, or add a start",
    },
    CodeDoc {
        code: code::RECURSION,
        severity: Severity::Error,
        summary: "a define refers to itself without an element in between (section 4.19)",
        example: "<define name=\"a\"><choice><ref name=\"a\"/><text/></choice></define>",
        fix: "put the recursive reference inside an element",
    },
    CodeDoc {
        code: code::RESTRICTION,
        severity: Severity::Error,
        summary: "a pattern occurs where section 7.1 prohibits it (e.g. an element inside an attribute or list, data inside start)",
        example: "<attribute name=\"a\"><element name=\"b\"><empty/></element></attribute>",
        fix: "move the pattern to a place where it is allowed",
    },
    CodeDoc {
        code: code::STRING_SEQUENCE,
        severity: Severity::Error,
        summary: "data, value or list is grouped with elements or text, or repeated outside a list (section 7.2)",
        example: "<element name=\"a\"><data type=\"int\"/><element name=\"b\"><empty/></element></element>",
        fix: "make the data an alternative (choice) to the elements, or use list",
    },
    CodeDoc {
        code: code::ATTRIBUTE,
        severity: Severity::Error,
        summary: "an attribute may occur twice, or an attribute with a wildcard name is not repeated (section 7.3)",
        example: "<group><attribute name=\"a\"/><attribute name=\"a\"/></group>",
        fix: "declare each attribute once per element; wrap wildcard attributes in zeroOrMore",
    },
    CodeDoc {
        code: code::INTERLEAVE,
        severity: Severity::Error,
        summary: "the same element name or text occurs in two branches of an interleave (section 7.4)",
        example: "<interleave><element name=\"a\"><empty/></element><element name=\"a\"><empty/></element></interleave>",
        fix: "let each element name (and text) occur in one branch only",
    },
    CodeDoc {
        code: code::ID,
        severity: Severity::Error,
        summary: "ID, IDREF or IDREFS attributes are not declared consistently (RELAX NG DTD compatibility, section 4)",
        example: "<attribute name=\"id\"><data type=\"ID\" .../></attribute> in one definition of element a and <attribute name=\"id\"/> in another",
        fix: "give an attribute the same ID type wherever its element can occur, with single element and attribute names",
    },
];

/// Loads, simplifies and checks the schema at `path` (`.rng`, or `.rnc` for compact syntax).
pub fn load(path: &Path, options: &LoadOptions) -> Result<Schema, SchemaErrors> {
    let loader = load::Loader::new(options);
    let loaded = match loader.load(path) {
        Ok(l) => l,
        Err(l) => {
            let unreadable = l.unreadable;
            return Err(errors(&l.files, l.errors, unreadable, path));
        }
    };
    let files = loaded.files;
    let simplified = match simplify::simplify(loaded.start, loaded.slots) {
        Ok(s) => s,
        Err(e) => return Err(errors(&files, e, false, path)),
    };
    let id_types = match check::check(&simplified) {
        Ok(ids) => ids,
        Err(e) => return Err(errors(&files, e, false, path)),
    };
    let defines = simplified
        .defines
        .into_iter()
        .map(|d| Define {
            name: d.name,
            name_class: d.nc,
            content: to_ir(d.content),
            loc: d.loc,
        })
        .collect();
    Ok(Schema {
        start: to_ir(simplified.start),
        defines,
        files,
        id_types,
    })
}

fn errors(
    files: &[Arc<SourceFile>],
    errs: Vec<(u32, Diagnostic)>,
    unreadable: bool,
    path: &Path,
) -> SchemaErrors {
    let fallback = Arc::new(SourceFile {
        path: path.to_path_buf(),
        text: String::new(),
    });
    SchemaErrors {
        unreadable,
        errors: errs
            .into_iter()
            .map(|(f, d)| {
                let file = files.get(f as usize).cloned().unwrap_or_else(|| fallback.clone());
                (file, d)
            })
            .collect(),
    }
}

fn to_ir(p: Pat) -> Pattern {
    let loc = p.loc;
    match p.kind {
        K::Empty => Pattern::Empty,
        K::NotAllowed => Pattern::NotAllowed,
        K::Text => Pattern::Text,
        K::Choice(v) => Pattern::Choice(v.into_iter().map(to_ir).collect()),
        K::Group(v) => Pattern::Group(v.into_iter().map(to_ir).collect()),
        K::Interleave(v) => Pattern::Interleave(v.into_iter().map(to_ir).collect()),
        K::OneOrMore(q) => Pattern::OneOrMore(Box::new(to_ir(*q))),
        K::List(q) => Pattern::List(Box::new(to_ir(*q))),
        // Elements were all moved into defines by simplification.
        K::Element(..) => Pattern::NotAllowed,
        K::Attribute(name, q) => Pattern::Attribute {
            name,
            content: Box::new(to_ir(*q)),
            loc,
        },
        K::Data { dt, except } => Pattern::Data {
            datatype: dt,
            except: except.map(|e| Box::new(to_ir(*e))),
            loc,
        },
        K::Value { dt, value, ns_ctx } => Pattern::Value {
            datatype: dt,
            value,
            ns_context: ns_ctx,
            loc,
        },
        K::Ref(d) => Pattern::Ref(d),
    }
}
