//! RELAX NG schemas for teikit: loading (XML syntax and, through `teikit-rnc`, compact
//! syntax), simplification (spec section 4) and restriction checking (section 7), producing
//! a [`Schema`] in simplified form that the validator in `teikit-validate` compiles.
//!
//! ```no_run
//! use teikit_relaxng::{load, LoadOptions};
//!
//! match load(std::path::Path::new("tei_all.rng"), &LoadOptions::default()) {
//!     Ok(schema) => println!("{} element definitions", schema.defines.len()),
//!     // `unreadable`: the file itself could not be read (exit 2); otherwise the schema is
//!     // incorrect and each diagnostic points into the file it is paired with (exit 1).
//!     Err(e) => {
//!         for (file, d) in &e.errors {
//!             println!("{}: {}: {}", file.path.display(), d.code, d.message);
//!         }
//!     }
//! }
//! ```
//!
//! Every error is a [`teikit_diagnostics::Diagnostic`] whose code is listed in [`CODES`]
//! (well-formedness errors of schema files keep the `xml/…` codes of `teikit-xml`) and whose
//! message names the section of the RELAX NG specification it breaks. `DESIGN.md` describes
//! the pipeline.
#![warn(missing_docs)]

pub mod datatype;
pub mod ir;

mod check;
mod load;
mod pattern;
mod simplify;
mod tree;

pub use crate::ir::{
    DeferredContents, Define, DefineId, IdType, Loc, NameClass, Pattern, QName, Schema, SourceFile,
};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use teikit_diagnostics::{CodeDoc, Diagnostic, Severity};

use crate::load::code;
use crate::pattern::{Sk, Sp};

/// How schemas are found and read.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Local copies for remote schema URLs (`http://…/tei_all.rng` → a file), as an OASIS
    /// catalog would map them; a URL ending in `/` maps everything under it to the directory
    /// given (the longest such prefix wins). Any other `http(s):` href is an error naming
    /// the URL.
    pub url_map: Vec<(String, PathBuf)>,
    /// What to do with a schema that uses ID/IDREF/IDREFS datatypes but is not compatible
    /// with the DTD-compatibility feature (e.g. an `anyName` element whose wildcard
    /// attributes compete with a declared ID attribute).
    pub id_compat: IdCompat,
    /// Schema files given as text, by path: an `include` or `externalRef` whose resolved
    /// path is one of these (compared after removing `.` and `..` components, without
    /// consulting the disk) uses the text given instead of reading the file.
    pub sources: Vec<(PathBuf, String)>,
}

/// Handling of DTD-compatibility (ID/IDREF/IDREFS) incompatibility.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IdCompat {
    /// Reject the schema with `rng/schema-id-compat` errors (jing's default).
    #[default]
    Error,
    /// Load it anyway, without ID-type information ([`Schema::id_types`] is empty), so no
    /// ID/IDREF checking happens (jing's `-i`).
    Ignore,
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

/// Stack for the loading thread: the passes recurse over the schema's nesting.
pub(crate) const LOAD_STACK: usize = 256 << 20;

/// Loads, simplifies and checks the schema at `path` (`.rng`, or `.rnc` for compact syntax).
///
/// The file is read from disk unless `options.sources` gives its text; the rest is
/// [`load_source`]. A file that cannot be read gives [`SchemaErrors::unreadable`].
pub fn load(path: &Path, options: &LoadOptions) -> Result<Schema, SchemaErrors> {
    load_on_big_stack(path, None, options)
}

/// Loads, simplifies and checks a schema whose top file's text is given: `path` names it in
/// messages, decides its syntax (`.rnc` is compact syntax, anything else XML) and is the base
/// for its relative `href`s. Files it includes or references come from `options.sources`
/// when given there, else from disk, as with [`load`].
///
/// ```
/// use teikit_relaxng::{load_source, LoadOptions};
///
/// let text = r#"<element name="doc" xmlns="http://relaxng.org/ns/structure/1.0"><text/></element>"#;
/// let schema = load_source("builtin/doc.rng".as_ref(), text, &LoadOptions::default());
/// assert_eq!(schema.map(|s| s.defines.len()).ok(), Some(1));
/// ```
pub fn load_source(path: &Path, text: &str, options: &LoadOptions) -> Result<Schema, SchemaErrors> {
    load_on_big_stack(path, Some(text), options)
}

/// The work runs on a helper thread with a large stack (the passes are recursive), so deeply
/// nested or long-chained schemas give an error rather than a stack overflow.
fn load_on_big_stack(
    path: &Path,
    text: Option<&str>,
    options: &LoadOptions,
) -> Result<Schema, SchemaErrors> {
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("teikit-relaxng-load".into())
            .stack_size(LOAD_STACK)
            .spawn_scoped(scope, || load_here(path, text, options))
        {
            Ok(handle) => match handle.join() {
                Ok(r) => r,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(_) => load_here(path, text, options),
        }
    })
}

fn load_here(
    path: &Path,
    text: Option<&str>,
    options: &LoadOptions,
) -> Result<Schema, SchemaErrors> {
    let loader = load::Loader::new(options, text.map(|t| (path, t)));
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
    // The IR is built while the restrictions are checked (and thrown away if they fail): the
    // checks run on a helper thread (7.3/7.4 on one more), the conversion here, where the
    // memory freed by the earlier passes is reused; the checker then takes its share of the
    // defines still to convert. The chunks are put back in order, so the result does not
    // depend on who converted what.
    let next = AtomicUsize::new(0);
    let (checked, mut chunks) = std::thread::scope(|scope| {
        let check = || {
            let checked = check::check(&simplified, options.id_compat);
            let chunks = match checked {
                Ok(_) => ir_chunks(&simplified, &next),
                Err(_) => Vec::new(),
            };
            (checked, chunks)
        };
        let checker = std::thread::Builder::new()
            .name("teikit-relaxng-check".into())
            .stack_size(LOAD_STACK)
            .spawn_scoped(scope, check);
        let mut chunks = ir_chunks(&simplified, &next);
        let (checked, theirs) = match checker {
            Ok(h) => h
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: check here (the conversion is done by then).
            Err(_) => check(),
        };
        chunks.extend(theirs);
        (checked, chunks)
    });
    let id_types = match checked {
        Ok(ids) => ids,
        Err(e) => return Err(errors(&files, e, false, path)),
    };
    chunks.sort_unstable_by_key(|(first, _)| *first);
    let defines = chunks.into_iter().flat_map(|(_, d)| d).collect();
    Ok(Schema {
        start: to_ir(&simplified.start, &simplified.index),
        defines,
        files,
        id_types,
        deferred: None,
    })
}

/// Converts the reachable defines to the IR a chunk at a time, taking the next chunk's
/// position from `next` (shared by the threads converting); each chunk comes with the
/// position of its first define.
fn ir_chunks(s: &simplify::Simplified, next: &AtomicUsize) -> Vec<(usize, Vec<Define>)> {
    const CHUNK: usize = 16;
    let mut out = Vec::new();
    loop {
        let first = next.fetch_add(CHUNK, Ordering::Relaxed);
        if first >= s.order.len() {
            return out;
        }
        let end = (first + CHUNK).min(s.order.len());
        out.push((first, ir_defines(s, &s.order[first..end])));
    }
}

/// The IR of the defines `order` (internal numbers, in output order).
fn ir_defines(s: &simplify::Simplified, order: &[u32]) -> Vec<Define> {
    order
        .iter()
        .map(|&d| {
            let d = &s.defines[d as usize];
            Define {
                name: d.name.clone(),
                name_class: d.nc.clone(),
                content: to_ir(&d.content, &s.index),
                loc: d.loc,
            }
        })
        .collect()
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
            .map(|(f, mut d)| {
                if d.help.is_none() {
                    d.help = CODES
                        .iter()
                        .find(|c| c.code == d.code)
                        .map(|c| c.fix.into());
                }
                let file = files
                    .get(f as usize)
                    .cloned()
                    .unwrap_or_else(|| fallback.clone());
                (file, d)
            })
            .collect(),
    }
}

/// Expands the simplified DAG into the IR's trees, numbering defines by `index`.
fn to_ir(p: &Sp, index: &[u32]) -> Pattern {
    let loc = p.loc;
    let all = |v: &[Sp]| v.iter().map(|q| to_ir(q, index)).collect();
    match &p.kind {
        Sk::Empty => Pattern::Empty,
        Sk::NotAllowed => Pattern::NotAllowed,
        Sk::Text => Pattern::Text,
        Sk::Choice(v) => Pattern::Choice(all(v)),
        Sk::Group(v) => Pattern::Group(all(v)),
        Sk::Interleave(v) => Pattern::Interleave(all(v)),
        Sk::OneOrMore(q) => Pattern::OneOrMore(Box::new(to_ir(q, index))),
        Sk::List(q) => Pattern::List(Box::new(to_ir(q, index))),
        Sk::Attribute(name, q) => Pattern::Attribute {
            name: NameClass::clone(name),
            content: Box::new(to_ir(q, index)),
            loc,
        },
        Sk::Data { dt, except } => Pattern::Data {
            datatype: dt.clone(),
            except: except.as_ref().map(|e| Box::new(to_ir(e, index))),
            loc,
        },
        Sk::Value(v) => Pattern::Value {
            datatype: v.dt.clone(),
            value: v.value.clone(),
            ns_context: v.ns_ctx.clone(),
            loc,
        },
        Sk::Ref(d) => Pattern::Ref(index[*d as usize]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RNG: &str = "http://relaxng.org/ns/structure/1.0";

    /// Writes `files` (name, text) into a temporary directory and loads the first one.
    fn load_files(files: &[(&str, &str)]) -> (tempfile::TempDir, Result<Schema, SchemaErrors>) {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in files {
            let p = dir.path().join(name);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(p, text).expect("write");
        }
        let r = load(&dir.path().join(files[0].0), &LoadOptions::default());
        (dir, r)
    }

    fn ok(text: &str) -> Schema {
        let (_d, r) = load_files(&[("s.rng", text)]);
        match r {
            Ok(s) => s,
            Err(e) => panic!("schema rejected: {:?}", e.errors),
        }
    }

    /// The first error's code, and the text its primary span covers.
    fn first_error(files: &[(&str, &str)]) -> (String, String, String) {
        let (_d, r) = load_files(files);
        let e = r.expect_err("schema accepted");
        let (file, d) = &e.errors[0];
        let span = d.primary_span().expect("a span");
        let covered = file.text[span.offset..span.end()].to_string();
        (d.code.to_string(), d.message.to_string(), covered)
    }

    fn err(text: &str) -> (String, String, String) {
        first_error(&[("s.rng", text)])
    }

    fn g(body: &str) -> String {
        format!("<grammar xmlns='{RNG}'>{body}</grammar>")
    }

    #[test]
    fn a_clash_of_several_names_at_one_place_names_the_least() {
        // Both names of the last attribute's class clash with earlier attributes, at the
        // same place: the message must not depend on hash-map order.
        for _ in 0..8 {
            let (code, msg, covered) = err(&format!(
                "<element name='e' xmlns='{RNG}'><attribute name='b'/><attribute name='a'/><attribute><choice><name>b</name><name>a</name></choice></attribute></element>"
            ));
            assert_eq!(code, "rng/schema-attribute");
            assert_eq!(msg, "section 7.3: attribute a may occur twice");
            assert_eq!(covered, "<attribute");
        }
    }

    #[test]
    fn element_becomes_a_define() {
        let s = ok(&format!(
            "<element name='doc' xmlns='{RNG}' ns='urn:d'><attribute name='id'/><text/></element>"
        ));
        assert!(matches!(s.start, Pattern::Ref(0)));
        assert_eq!(s.defines.len(), 1);
        assert_eq!(
            s.defines[0].name_class,
            NameClass::Name(QName::new("urn:d", "doc"))
        );
        match &s.defines[0].content {
            Pattern::Group(v) => match &v[0] {
                // attribute names do not inherit ns (4.8)
                Pattern::Attribute { name, content, .. } => {
                    assert_eq!(*name, NameClass::Name(QName::new("", "id")));
                    assert!(matches!(**content, Pattern::Text));
                }
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn combine_and_expansion() {
        let s = ok(&g(
            "<start><ref name='a'/></start>
            <define name='a'><element name='a'><ref name='c'/></element></define>
            <define name='c'><empty/></define>
            <define name='c' combine='choice'><ref name='b'/></define>
            <define name='b'><element name='b'><empty/></element></define>
            <define name='unused'><element name='zzz'><empty/></element></define>",
        ));
        assert_eq!(s.defines.len(), 2, "unreachable define removed");
        // c = choice(empty, ref b), expanded inline into a's content.
        match &s.defines[0].content {
            Pattern::Choice(v) => {
                assert!(matches!(v[0], Pattern::Empty));
                assert!(matches!(v[1], Pattern::Ref(1)));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn not_allowed_propagates_and_prunes() {
        let s = ok(&g("<start><element name='a'><choice>
              <group><element name='gone'><empty/></element><notAllowed/></group>
              <text/></choice></element></start>"));
        assert_eq!(s.defines.len(), 1);
        assert!(matches!(s.defines[0].content, Pattern::Text));
    }

    #[test]
    fn parent_ref_and_nested_grammar() {
        let s = ok(&g(
            "<start><element name='a'><grammar>
               <start><parentRef name='x'/></start>
               <define name='x'><element name='inner'><empty/></element></define>
             </grammar></element></start>
             <define name='x'><element name='outer'><empty/></element></define>",
        ));
        let names: Vec<_> = s
            .defines
            .iter()
            .map(|d| match &d.name_class {
                NameClass::Name(q) => q.local.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(names, ["a", "outer"]);
    }

    #[test]
    fn recursion_through_element_is_fine_without_is_an_error() {
        ok(&g("<start><ref name='x'/></start>
               <define name='x'><element name='x'><zeroOrMore><ref name='x'/></zeroOrMore></element></define>"));
        let (code, msg, covered) = err(&g(
            "<start><element name='a'><ref name='x'/></element></start>
               <define name='x'><choice><text/><ref name='x'/></choice></define>",
        ));
        assert_eq!(code, "rng/schema-recursion");
        assert!(msg.contains("4.19"), "{msg}");
        assert_eq!(covered, "<ref");
    }

    #[test]
    fn syntax_errors_point_at_the_culprit() {
        let (code, msg, covered) = err(&format!(
            "<element name='a' xmlns='{RNG}' bogus='1'><empty/></element>"
        ));
        assert_eq!(code, "rng/schema-syntax");
        assert!(msg.contains("\"bogus\""), "{msg}");
        assert_eq!(covered, "1");
        let (code, _, covered) = err(&g("<start><ref name='nothere'/></start>"));
        assert_eq!(code, "rng/schema-undefined-ref");
        assert_eq!(covered, "<ref");
        let (_d, r) = load_files(&[(
            "s.rng",
            &g("<start><ref name='para'/></start><define name='paras'><element name='p'><text/></element></define>"),
        )]);
        let e = r.expect_err("undefined");
        assert_eq!(
            e.errors[0].1.help.as_deref(),
            Some("did you mean \"paras\"?")
        );
        let (code, _, _) = err(&format!(
            "<element name='x:a' xmlns='{RNG}'><empty/></element>"
        ));
        assert_eq!(code, "rng/schema-name");
        let (code, _, _) = err("<notRng/>");
        assert_eq!(code, "rng/schema-syntax");
        let (code, _, _) = err("<element");
        assert!(code.starts_with("xml/"), "{code}");
    }

    #[test]
    fn combine_errors() {
        let (code, msg, _) = err(&g("<start><ref name='a'/></start>
            <define name='a'><element name='a'><empty/></element></define>
            <define name='a'><element name='b'><empty/></element></define>"));
        assert_eq!(code, "rng/schema-combine");
        assert!(msg.contains("section 4.17"), "{msg}");
    }

    #[test]
    fn section_7_restrictions() {
        let cases = [
            (
                "<start><element name='a'><attribute name='b'><element name='c'><empty/></element></attribute></element></start>",
                "rng/schema-restriction",
                "7.1.1",
            ),
            (
                "<start><element name='a'><oneOrMore><group><attribute name='b'/><element name='c'><empty/></element></group></oneOrMore></element></start>",
                "rng/schema-restriction",
                "7.1.2",
            ),
            ("<start><text/></start>", "rng/schema-restriction", "7.1.5"),
            (
                "<start><element name='a'><data type='token'/><element name='b'><empty/></element></element></start>",
                "rng/schema-string-sequence",
                "7.2",
            ),
            (
                "<start><element name='a'><attribute name='b'/><attribute name='b'/></element></start>",
                "rng/schema-attribute",
                "7.3",
            ),
            (
                "<start><element name='a'><attribute><anyName/></attribute></element></start>",
                "rng/schema-attribute",
                "7.3",
            ),
            (
                "<start><element name='a'><interleave><element name='b'><empty/></element><element name='b'><text/></element></interleave></element></start>",
                "rng/schema-interleave",
                "7.4",
            ),
            (
                "<start><element name='a'><mixed><text/></mixed></element></start>",
                "rng/schema-interleave",
                "7.4",
            ),
        ];
        for (body, code, section) in cases {
            let (c, msg, _) = err(&g(body));
            assert_eq!(c, code, "{body}");
            assert!(msg.contains(section), "{body}: {msg}");
        }
        // The duplicate is labelled, with the first occurrence as a secondary label.
        let text = g(
            "<start><element name='a'><attribute name='b'/><attribute name='b'/></element></start>",
        );
        let (_d, r) = load_files(&[("s.rng", &text)]);
        let e = r.expect_err("duplicate");
        let d = &e.errors[0].1;
        assert_eq!(d.labels.len(), 2);
        assert!(d.labels[0].span.offset > d.labels[1].span.offset);
    }

    #[test]
    fn restrictions_apply_after_simplification() {
        // The group disappears (empty is its unit), so no oneOrMore//group//attribute.
        ok(&g("<start><element name='a'><oneOrMore><group><attribute name='b'/><empty/></group></oneOrMore></element></start>"));
        // An unreachable define is not checked.
        ok(&g("<start><element name='a'><empty/></element></start>
               <define name='bad'><attribute name='x'><element name='y'><empty/></element></attribute></define>"));
    }

    #[test]
    fn datatypes() {
        let xsd = "datatypeLibrary='http://www.w3.org/2001/XMLSchema-datatypes'";
        let (code, _, _) = err(&g(&format!(
            "<start><element name='a' {xsd}><data type='nosuchtype'/></element></start>"
        )));
        assert_eq!(code, "rng/schema-datatype");
        let (code, msg, covered) = err(&g(&format!(
            "<start><element name='a' {xsd}><data type='string'><param name='maxLength'>1</param><param name='maxLength'>2</param></data></element></start>"
        )));
        assert_eq!(code, "rng/schema-datatype");
        assert!(msg.contains("more than once"), "{msg}");
        assert_eq!(covered, "<param");
        let (code, _, _) = err(&g(
            "<start><element name='a'><data type='string' datatypeLibrary='urn:unknown'/></element></start>",
        ));
        assert_eq!(code, "rng/schema-datatype");
    }

    #[test]
    fn many_restricted_datatypes_are_built_alike_by_the_helper() {
        // Enough distinct pattern-restricted types for the loader to build them on a helper
        // thread too: the schema, and the errors of a bad one, are those of a lone loader.
        let xsd = "datatypeLibrary='http://www.w3.org/2001/XMLSchema-datatypes'";
        let attrs = |bad: bool| -> String {
            (0..20)
                .map(|i| {
                    let pattern = if bad && i == 13 { "[a-".to_string() } else { format!("x{i}[0-9]+") };
                    format!("<attribute name='a{i}'><data type='token'><param name='pattern'>{pattern}</param></data></attribute>")
                })
                .collect()
        };
        let s = ok(&g(&format!(
            "<start><element name='e' {xsd}>{}</element></start>",
            attrs(false)
        )));
        let Pattern::Group(v) = &s.defines[0].content else {
            panic!("a group of attributes");
        };
        assert_eq!(v.len(), 20);
        for (i, p) in v.iter().enumerate() {
            let Pattern::Attribute { content, .. } = p else {
                panic!("an attribute");
            };
            let Pattern::Data { datatype, .. } = content.as_ref() else {
                panic!("data");
            };
            assert_eq!(datatype.params()[0].1, format!("x{i}[0-9]+"));
        }
        let text = g(&format!(
            "<start><element name='e' {xsd}>{}</element></start>",
            attrs(true)
        ));
        let (_d, r) = load_files(&[("s.rng", &text)]);
        let e = r.expect_err("a bad pattern");
        assert_eq!(e.errors.len(), 1);
        let (file, d) = &e.errors[0];
        assert_eq!(d.code, "rng/schema-datatype");
        let span = d.primary_span().expect("a span");
        let at = text.find("[a-").expect("bad pattern");
        let type_attr = text[..at].rfind("token").expect("its type");
        assert_eq!(span.offset, type_attr, "{}", file.text);
    }

    #[test]
    fn id_compatibility() {
        let dtd = "datatypeLibrary='http://relaxng.org/ns/compatibility/datatypes/1.0'";
        let s = ok(&g(&format!(
            "<start><element name='a' {dtd}><attribute name='id'><data type='ID'/></attribute>
               <zeroOrMore><element name='b'><attribute name='ref'><data type='IDREF'/></attribute></element></zeroOrMore></element></start>"
        )));
        assert_eq!(s.id_types.len(), 2);
        assert!(s
            .id_types
            .contains(&(QName::new("", "a"), QName::new("", "id"), IdType::Id)));
        let (code, _, _) = err(&g(&format!(
            "<start><element name='a' {dtd}><attribute name='id'><data type='ID'/></attribute>
               <element name='a'><attribute name='id'/></element></element></start>"
        )));
        assert_eq!(code, "rng/schema-id-compat");

        // With IdCompat::Ignore the same schema loads, without ID types.
        let conflicting = g(&format!(
            "<start><element name='a' {dtd}><attribute name='id'><data type='ID'/></attribute>
               <zeroOrMore><element><anyName/><zeroOrMore><attribute><anyName/></attribute></zeroOrMore></element></zeroOrMore></element></start>"
        ));
        let (dir, r) = load_files(&[("s.rng", &conflicting)]);
        assert_eq!(
            r.expect_err("incompatible").errors[0].1.code,
            "rng/schema-id-compat"
        );
        let options = LoadOptions {
            id_compat: IdCompat::Ignore,
            ..LoadOptions::default()
        };
        let s = load(&dir.path().join("s.rng"), &options).expect("ignored");
        assert!(s.id_types.is_empty());
    }

    #[test]
    fn id_compat_errors_point_at_the_id_attribute_too() {
        let dtd = "datatypeLibrary='http://relaxng.org/ns/compatibility/datatypes/1.0'";
        // (text of the primary label, texts from the secondary labels' offsets)
        let labels = |text: &str| {
            let e = load_source(&nowhere().join("s.rng"), text, &LoadOptions::default())
                .expect_err("incompatible");
            let (file, d) = &e.errors[0];
            assert_eq!(d.code, "rng/schema-id-compat");
            let at = |sp: teikit_diagnostics::Span| file.text[sp.offset..].to_string();
            let primary = d.primary_span().map(at).expect("a primary label");
            let secondary: Vec<(String, Option<String>)> = d
                .labels
                .iter()
                .filter(|l| !l.primary)
                .map(|l| (at(l.span), l.message.as_deref().map(str::to_string)))
                .collect();
            (primary, secondary)
        };
        // A competing attribute without the ID type: primary there, secondary at the ID one.
        let (primary, secondary) = labels(&g(&format!(
            "<start><element name='a' {dtd}><attribute name='id'><data type='ID'/></attribute>
               <element name='a'><attribute name='id'/></element></element></start>"
        )));
        assert!(primary.starts_with("<attribute name='id'/>"), "{primary}");
        assert_eq!(secondary.len(), 1, "{secondary:?}");
        assert!(secondary[0].0.starts_with("<attribute name='id'><data"));
        assert_eq!(secondary[0].1.as_deref(), Some("declared ID here"));

        // An ID datatype that is not an attribute's whole content: secondary at the attribute.
        let (primary, secondary) = labels(&g(&format!(
            "<start><element name='a' {dtd}><attribute name='id'><choice><data type='ID'/><value>x</value></choice></attribute></element></start>"
        )));
        assert!(primary.starts_with("<data type='ID'"), "{primary}");
        assert_eq!(secondary.len(), 1, "{secondary:?}");
        assert!(secondary[0].0.starts_with("<attribute name='id'><choice>"));
    }

    #[test]
    fn includes_override_and_report_missing_components() {
        let inc = g("<start><ref name='a'/></start><define name='a'><element name='old'><empty/></element></define>");
        let main = g("<include href='inc.rng'><define name='a'><element name='new'><empty/></element></define></include>");
        let (_d, r) = load_files(&[("main.rng", &main), ("inc.rng", &inc)]);
        let s = r.expect("loads");
        assert_eq!(s.defines.len(), 1);
        assert_eq!(
            s.defines[0].name_class,
            NameClass::Name(QName::new("", "new"))
        );
        assert_eq!(s.files.len(), 2);

        let main = g("<include href='inc.rng'><define name='zzz'><element name='new'><empty/></element></define></include>");
        let (code, msg, covered) = first_error(&[("main.rng", &main), ("inc.rng", &inc)]);
        assert_eq!(code, "rng/schema-include");
        assert!(msg.contains("zzz"), "{msg}");
        assert_eq!(covered, "<define");
    }

    #[test]
    fn missing_files_and_loops() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = load(&dir.path().join("nope.rng"), &LoadOptions::default()).expect_err("missing");
        assert!(e.unreadable);

        let (code, _, covered) = err(&g("<include href='missing.rng'/>"));
        assert_eq!(code, "rng/schema-include");
        assert_eq!(covered, "missing.rng");

        let a = g("<include href='b.rng'/><start><ref name='x'/></start>");
        let b = g(
            "<include href='a.rng'/><define name='x'><element name='x'><empty/></element></define>",
        );
        let (code, msg, _) = first_error(&[("a.rng", &a), ("b.rng", &b)]);
        assert_eq!(code, "rng/schema-include");
        assert!(msg.contains("loop"), "{msg}");

        let self_ref = format!("<externalRef xmlns='{RNG}' href='s.rng'/>");
        let (code, _, _) = err(&self_ref);
        assert_eq!(code, "rng/schema-include");
    }

    #[test]
    fn remote_hrefs_need_a_mapping() {
        let url = "http://example.com/lib.rng";
        let main = format!("<externalRef xmlns='{RNG}' href='{url}'/>");
        let (code, msg, _) = err(&main);
        assert_eq!(code, "rng/schema-include");
        assert!(msg.contains(url), "{msg}");

        let (dir, _) = load_files(&[
            ("main.rng", &main),
            (
                "local.rng",
                &format!("<element xmlns='{RNG}' name='x'><empty/></element>"),
            ),
        ]);
        let options = LoadOptions {
            url_map: vec![(url.to_string(), dir.path().join("local.rng"))],
            ..LoadOptions::default()
        };
        let s = load(&dir.path().join("main.rng"), &options).expect("mapped");
        assert_eq!(s.defines.len(), 1);

        let options = LoadOptions {
            url_map: vec![("http://example.com/".to_string(), dir.path().join("mirror"))],
            ..LoadOptions::default()
        };
        std::fs::create_dir_all(dir.path().join("mirror")).expect("mkdir");
        std::fs::write(
            dir.path().join("mirror/lib.rng"),
            format!("<element xmlns='{RNG}' name='y'><empty/></element>"),
        )
        .expect("write");
        let s = load(&dir.path().join("main.rng"), &options).expect("prefix-mapped");
        assert_eq!(
            s.defines[0].name_class,
            NameClass::Name(QName::new("", "y"))
        );
    }

    /// A folder that does not exist, so in-memory files cannot be found on disk by accident.
    fn nowhere() -> PathBuf {
        std::env::temp_dir().join("teikit-relaxng-no-such-dir-7f3a")
    }

    #[test]
    fn load_source_reads_nothing_from_disk() {
        let top = nowhere().join("doc.rng");
        let text = format!("<element xmlns='{RNG}' name='doc'><attribute name='n'/></element>");
        let s = load_source(&top, &text, &LoadOptions::default()).expect("loads");
        assert_eq!(s.defines.len(), 1);
        assert_eq!(s.files.len(), 1);
        assert_eq!(s.files[0].path, top);
        assert_eq!(s.files[0].text, text);

        // Errors point into the text given, under the path given.
        let bad = format!("<element xmlns='{RNG}' name='doc'><ref name='nothere'/></element>");
        let e = load_source(&top, &bad, &LoadOptions::default()).expect_err("undefined ref");
        assert!(!e.unreadable);
        let (file, d) = &e.errors[0];
        assert_eq!(file.path, top);
        let span = d.primary_span().expect("a span");
        let covered = &file.text[span.offset..span.end()];
        assert_eq!(covered, "<ref", "{d:?}");

        // Compact syntax is chosen by the path's extension.
        let rnc = load_source(
            &nowhere().join("doc.rnc"),
            "element doc { text }",
            &LoadOptions::default(),
        )
        .expect("compact syntax");
        assert_eq!(rnc.defines.len(), 1);
    }

    #[test]
    fn load_source_includes_from_memory_then_disk() {
        let top = nowhere().join("main.rng");
        let inc = g("<start><ref name='a'/></start><define name='a'><element name='old'><empty/></element></define>");
        let main = g("<include href='sub/../inc.rng'><define name='a'><element name='new'><empty/></element></define></include>");
        let options = LoadOptions {
            sources: vec![(nowhere().join("inc.rng"), inc)],
            ..LoadOptions::default()
        };
        let s = load_source(&top, &main, &options).expect("include from memory");
        assert_eq!(s.defines.len(), 1);
        assert_eq!(
            s.defines[0].name_class,
            NameClass::Name(QName::new("", "new"))
        );
        // `load` takes the top file from `sources` too.
        let options = LoadOptions {
            sources: vec![(top.clone(), main.clone()), options.sources[0].clone()],
            ..LoadOptions::default()
        };
        assert!(load(&top, &options).is_ok());

        // Without the in-memory copy the include is read from disk: here it is missing.
        let e = load_source(&top, &main, &LoadOptions::default()).expect_err("missing include");
        assert!(!e.unreadable);
        let (file, d) = &e.errors[0];
        assert_eq!(d.code, "rng/schema-include");
        let span = d.primary_span().expect("a span");
        assert_eq!(&file.text[span.offset..span.end()], "sub/../inc.rng");

        // An include loop between in-memory files is still detected.
        let a = g("<include href='b.rng'/><start><empty/></start>");
        let b = g("<include href='a.rng'/>");
        let options = LoadOptions {
            sources: vec![(nowhere().join("b.rng"), b)],
            ..LoadOptions::default()
        };
        let e = load_source(&nowhere().join("a.rng"), &a, &options).expect_err("loop");
        assert!(
            e.errors.iter().any(|(_, d)| d.message.contains("loop")),
            "{:?}",
            e.errors
        );
    }

    #[test]
    fn external_ref_inherits_ns() {
        let main = format!(
            "<element xmlns='{RNG}' name='a' ns='urn:a'><externalRef href='sub/x.rng'/></element>"
        );
        let x = format!("<element xmlns='{RNG}' name='b'><empty/></element>");
        let (_d, r) = load_files(&[("main.rng", &main), ("sub/x.rng", &x)]);
        let s = r.expect("loads");
        assert_eq!(
            s.defines[1].name_class,
            NameClass::Name(QName::new("urn:a", "b"))
        );
    }

    #[test]
    fn every_code_is_documented() {
        for c in [
            code::UNREADABLE,
            code::COMPACT,
            code::SYNTAX,
            code::INCLUDE,
            code::NAME,
            code::DATATYPE,
            code::COMBINE,
            code::UNDEFINED,
            code::RECURSION,
            code::RESTRICTION,
            code::STRING_SEQUENCE,
            code::ATTRIBUTE,
            code::INTERLEAVE,
            code::ID,
        ] {
            assert!(CODES.iter().any(|d| d.code == c), "{c} undocumented");
        }
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    const RNG: &str = "http://relaxng.org/ns/structure/1.0";

    fn load_text(files: &[(&str, &str)]) -> Result<Schema, SchemaErrors> {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        load(&dir.path().join(files[0].0), &LoadOptions::default())
    }

    #[test]
    fn very_long_reference_chains_are_an_error_not_a_crash() {
        let n = 12_000;
        let mut text = format!("<grammar xmlns='{RNG}'><start><ref name='d0'/></start>");
        for i in 0..n {
            text.push_str(&format!(
                "<define name='d{i}'><ref name='d{}'/></define>",
                i + 1
            ));
        }
        text.push_str(&format!(
            "<define name='d{n}'><element name='x'><empty/></element></define></grammar>"
        ));
        let e = load_text(&[("s.rng", &text)]).expect_err("too deep");
        assert_eq!(e.errors[0].1.code, "rng/schema-recursion");
    }

    #[test]
    fn a_file_included_twice_is_read_once() {
        let lib = format!("<grammar xmlns='{RNG}'><define name='x'><element name='x'><empty/></element></define></grammar>");
        let main = format!(
            "<grammar xmlns='{RNG}'><start><element name='a'><ref name='x'/><grammar><include href='lib.rng'/><start><ref name='x'/></start></grammar></element></start><include href='lib.rng'/></grammar>"
        );
        let s = load_text(&[("main.rng", &main), ("lib.rng", &lib)]).expect("loads");
        assert_eq!(s.files.len(), 2);
        assert_eq!(s.defines.len(), 3);
    }

    #[test]
    fn xml_base_changes_href_resolution() {
        let main = format!(
            "<element xmlns='{RNG}' name='a'><externalRef xml:base='sub/whatever' href='x.rng'/></element>"
        );
        let x = format!("<element xmlns='{RNG}' name='inner'><empty/></element>");
        let s = load_text(&[("main.rng", &main), ("sub/x.rng", &x)]).expect("loads");
        assert_eq!(s.defines.len(), 2);
    }

    #[test]
    fn sugar_is_desugared() {
        let s = load_text(&[(
            "s.rng",
            &format!(
                "<element xmlns='{RNG}' name='a'><optional><element name='b'><empty/></element></optional>
                 <zeroOrMore><element name='c'><empty/></element></zeroOrMore>
                 <mixed><element name='d'><empty/></element></mixed></element>"
            ),
        )])
        .expect("loads");
        let Pattern::Group(parts) = &s.defines[0].content else {
            panic!("{:?}", s.defines[0].content);
        };
        assert!(matches!(&parts[0], Pattern::Choice(v) if matches!(v[0], Pattern::Empty)));
        assert!(matches!(&parts[1], Pattern::Choice(v) if matches!(v[1], Pattern::OneOrMore(_))));
        assert!(matches!(&parts[2], Pattern::Interleave(v) if matches!(v[1], Pattern::Text)));
    }

    #[test]
    fn value_keeps_its_namespace_context() {
        let s = load_text(&[(
            "s.rng",
            &format!(
                "<element xmlns='{RNG}' xmlns:p='urn:p' ns='urn:default' name='a'><value>x</value></element>"
            ),
        )])
        .expect("loads");
        let Pattern::Value {
            ns_context, value, ..
        } = &s.defines[0].content
        else {
            panic!("{:?}", s.defines[0].content);
        };
        assert_eq!(value, "x");
        assert!(ns_context.contains(&("p".to_string(), "urn:p".to_string())));
        assert!(ns_context.contains(&(String::new(), "urn:default".to_string())));
    }

    #[test]
    fn name_class_constraints() {
        for nc in [
            "<anyName><except><anyName/></except></anyName>",
            "<nsName><except><nsName/></except></nsName>",
            "<anyName><except><choice><name>x</name><nsName><except><anyName/></except></nsName></choice></except></anyName>",
        ] {
            let text = format!(
                "<element xmlns='{RNG}' name='a'><zeroOrMore><attribute>{nc}</attribute></zeroOrMore></element>"
            );
            let e = load_text(&[("s.rng", &text)]).expect_err(nc);
            assert_eq!(e.errors[0].1.code, "rng/schema-name", "{nc}");
        }
        let ok = format!(
            "<element xmlns='{RNG}' name='a'><zeroOrMore><attribute><anyName><except><nsName ns='urn:x'/></except></anyName></attribute></zeroOrMore></element>"
        );
        load_text(&[("s.rng", &ok)]).expect("nsName inside anyName's except is fine");
    }

    #[test]
    fn include_must_name_a_grammar_and_start_override_needs_a_start() {
        let pattern_file = format!("<element xmlns='{RNG}' name='x'><empty/></element>");
        let main = format!("<grammar xmlns='{RNG}'><include href='p.rng'/><start><ref name='q'/></start></grammar>");
        let e =
            load_text(&[("main.rng", &main), ("p.rng", &pattern_file)]).expect_err("not a grammar");
        assert_eq!(e.errors[0].1.code, "rng/schema-include");

        let no_start = format!("<grammar xmlns='{RNG}'><define name='q'><element name='q'><empty/></element></define></grammar>");
        let main = format!(
            "<grammar xmlns='{RNG}'><include href='g.rng'><start><ref name='q'/></start></include></grammar>"
        );
        let e = load_text(&[("main.rng", &main), ("g.rng", &no_start)])
            .expect_err("no start to override");
        assert_eq!(e.errors[0].1.code, "rng/schema-include");
        assert!(e.errors[0].1.message.contains("a start"));
    }

    #[test]
    fn converting_on_two_threads_gives_the_sequential_result() {
        // More defines than a few conversion chunks, with a shared attribute define.
        let mut body = String::from(
            "<start><ref name='e0'/></start><define name='atts'><optional><attribute name='n'><data type='token' datatypeLibrary='http://www.w3.org/2001/XMLSchema-datatypes'/></attribute></optional></define>",
        );
        for i in 0..100 {
            body.push_str(&format!(
                "<define name='e{i}'><element name='e{i}'><ref name='atts'/><zeroOrMore><choice><text/><ref name='e{}'/><ref name='e{}'/></choice></zeroOrMore></element></define>",
                (i + 1) % 100,
                (i * 7) % 100
            ));
        }
        let text = format!("<grammar xmlns='{RNG}'>{body}</grammar>");
        let path = Path::new("mem/many.rng");
        let options = LoadOptions::default();
        let schema = load_source(path, &text, &options).expect("loads");
        let loaded = match load::Loader::new(&options, Some((path, &text))).load(path) {
            Ok(l) => l,
            Err(_) => panic!("loads"),
        };
        let s = simplify::simplify(loaded.start, loaded.slots).expect("simplifies");
        let sequential = ir_defines(&s, &s.order);
        assert_eq!(schema.defines.len(), 100);
        assert_eq!(format!("{:?}", schema.defines), format!("{sequential:?}"));
        assert_eq!(
            format!("{:?}", schema.start),
            format!("{:?}", to_ir(&s.start, &s.index))
        );
    }
}
