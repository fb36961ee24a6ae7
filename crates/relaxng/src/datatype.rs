//! Datatypes as the validator sees them: the built-in library (`string`, `token`), the DTD
//! compatibility library (`ID`, `IDREF`, `IDREFS`) and the XSD library (through `teikit-xsd`).

use std::fmt;

use crate::ir::IdType;

/// The URI of the XSD datatype library.
pub const XSD_LIBRARY: &str = "http://www.w3.org/2001/XMLSchema-datatypes";
/// The URI of the DTD compatibility datatype library.
pub const DTD_COMPAT_LIBRARY: &str = "http://relaxng.org/ns/compatibility/datatypes/1.0";

/// In-scope namespaces where a value occurs (for `QName`-like datatypes).
pub trait NamespaceContext {
    /// The namespace URI bound to `prefix` (`""` for the default namespace), if any.
    fn resolve(&self, prefix: &str) -> Option<&str>;
}

impl NamespaceContext for [(String, String)] {
    fn resolve(&self, prefix: &str) -> Option<&str> {
        self.iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.as_str())
    }
}

/// Why a datatype could not be built from a schema's `data`/`value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatatypeError {
    /// Lower-case message, e.g. `unknown datatype "strng" in the XSD library`.
    pub message: String,
}

/// A compiled datatype with its parameters.
pub struct Datatype {
    library: String,
    name: String,
    /// The parameters as written, kept so the datatype can be rebuilt (the compiled-schema
    /// cache stores `(library, name, params)`, not compiled regular expressions).
    params: Vec<(String, String)>,
    kind: Kind,
}

enum Kind {
    String,
    Token,
    Dtd(IdType),
    Xsd(Box<teikit_xsd::Datatype>),
}

impl fmt::Debug for Datatype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Datatype({:?}, {:?})", self.library, self.name)
    }
}

impl Datatype {
    /// Builds datatype `name` of `library` (`""` is the built-in library) with `params`.
    pub fn new(
        library: &str,
        name: &str,
        params: &[(String, String)],
    ) -> Result<Datatype, DatatypeError> {
        Datatype::build(library, name, params, false)
    }

    /// [`Datatype::new`] for a datatype known to be correct (read back from a compiled-schema
    /// cache entry): XSD `pattern` facets are compiled on first use.
    pub fn new_deferred(
        library: &str,
        name: &str,
        params: &[(String, String)],
    ) -> Result<Datatype, DatatypeError> {
        Datatype::build(library, name, params, true)
    }

    fn build(
        library: &str,
        name: &str,
        params: &[(String, String)],
        deferred: bool,
    ) -> Result<Datatype, DatatypeError> {
        let kind = match library {
            "" => {
                if !params.is_empty() {
                    return Err(DatatypeError {
                        message: format!("the built-in datatype \"{name}\" takes no parameters"),
                    });
                }
                match name {
                    "string" => Kind::String,
                    "token" => Kind::Token,
                    _ => {
                        return Err(DatatypeError {
                            message: format!("unknown datatype \"{name}\" in the built-in library"),
                        });
                    }
                }
            }
            DTD_COMPAT_LIBRARY => {
                if !params.is_empty() {
                    return Err(DatatypeError {
                        message: format!(
                            "the DTD compatibility datatype \"{name}\" takes no parameters"
                        ),
                    });
                }
                match name {
                    "ID" => Kind::Dtd(IdType::Id),
                    "IDREF" => Kind::Dtd(IdType::Idref),
                    "IDREFS" => Kind::Dtd(IdType::Idrefs),
                    _ => {
                        return Err(DatatypeError {
                            message: format!(
                                "unknown datatype \"{name}\" in the DTD compatibility library"
                            ),
                        });
                    }
                }
            }
            XSD_LIBRARY => {
                let built = if deferred {
                    teikit_xsd::Datatype::new_deferred(name, params)
                } else {
                    teikit_xsd::Datatype::new(name, params)
                };
                Kind::Xsd(Box::new(built.map_err(|e| DatatypeError {
                    message: e.to_string(),
                })?))
            }
            other => {
                return Err(DatatypeError {
                    message: format!("unknown datatype library \"{other}\""),
                });
            }
        };
        Ok(Datatype {
            library: library.to_string(),
            name: name.to_string(),
            params: params.to_vec(),
            kind,
        })
    }

    /// The parameters it was built with (name, value), in schema order:
    /// `Datatype::new(dt.library(), dt.name(), dt.params())` builds the same type again.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// The library URI.
    pub fn library(&self) -> &str {
        &self.library
    }

    /// The type's local name (`token`, `date`, …).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks a value; `Err` carries a lower-case reason (`month 16 is out of range`).
    pub fn check(&self, value: &str, ctx: &dyn NamespaceContext) -> Result<(), String> {
        match &self.kind {
            Kind::String | Kind::Token => Ok(()),
            Kind::Dtd(IdType::Idrefs) => {
                if value.split(is_xml_space).any(|t| !t.is_empty()) {
                    check_ncnames(value, true)
                } else {
                    Err("an IDREFS value needs at least one name".into())
                }
            }
            Kind::Dtd(_) => check_ncnames(value, false),
            Kind::Xsd(x) => x.check(value, &|p: &str| ctx.resolve(p).map(str::to_string)),
        }
    }

    /// Like [`Datatype::check`], and `ENTITY`/`ENTITIES` values must also name unparsed
    /// entities declared in the document (`entities` tells whether a name is one).
    pub fn check_with_entities(
        &self,
        value: &str,
        ctx: &dyn NamespaceContext,
        entities: &dyn Fn(&str) -> bool,
    ) -> Result<(), String> {
        match &self.kind {
            Kind::Xsd(x) => x.check_with_entities(
                value,
                &|p: &str| ctx.resolve(p).map(str::to_string),
                Some(entities),
            ),
            _ => self.check(value, ctx),
        }
    }

    /// Are `a` (in `actx`) and `b` (in `bctx`) the same value of this type? Both are assumed
    /// to be valid lexical forms; an invalid one compares unequal.
    pub fn equal(
        &self,
        a: &str,
        actx: &dyn NamespaceContext,
        b: &str,
        bctx: &dyn NamespaceContext,
    ) -> bool {
        match &self.kind {
            Kind::String => a == b,
            // Token by token: the same as comparing the normalised strings, without building
            // them (this runs for every value of every attribute checked against a choice of
            // values).
            Kind::Token | Kind::Dtd(_) => tokens(a).eq(tokens(b)),
            Kind::Xsd(x) => x.equal(
                a,
                &|p: &str| actx.resolve(p).map(str::to_string),
                b,
                &|p: &str| bctx.resolve(p).map(str::to_string),
            ),
        }
    }

    /// The DTD-compatibility ID type (XSD `ID`/`IDREF`/`IDREFS` count too).
    pub fn id_type(&self) -> IdType {
        match &self.kind {
            Kind::Dtd(t) => *t,
            Kind::Xsd(x) => match x.id_type() {
                teikit_xsd::IdType::Id => IdType::Id,
                teikit_xsd::IdType::Idref => IdType::Idref,
                teikit_xsd::IdType::Idrefs => IdType::Idrefs,
                teikit_xsd::IdType::None => IdType::Null,
            },
            _ => IdType::Null,
        }
    }

    /// Does a value need its namespace context (QName, NOTATION)?
    pub fn is_context_dependent(&self) -> bool {
        matches!(&self.kind, Kind::Xsd(x) if x.is_context_dependent())
    }

    /// Can the verdict on a value depend on the document it occurs in: its namespace context
    /// (QName, NOTATION) or its unparsed entities (ENTITY, ENTITIES)? When not, the same value
    /// always gets the same verdict and a caller may remember it.
    pub fn depends_on_document(&self) -> bool {
        matches!(&self.kind, Kind::Xsd(x) if x.is_context_dependent() || x.needs_entities())
    }
}

/// The whitespace-separated tokens of `s`.
fn tokens(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_xml_space).filter(|t| !t.is_empty())
}

/// XML whitespace.
pub fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Collapses XML whitespace: trims and joins tokens with one space.
pub fn normalize(s: &str) -> String {
    s.split(is_xml_space)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn check_ncnames(value: &str, many: bool) -> Result<(), String> {
    let toks: Vec<&str> = value
        .split(is_xml_space)
        .filter(|t| !t.is_empty())
        .collect();
    if toks.is_empty() || (!many && toks.len() != 1) {
        return Err(format!(
            "\"{}\" is not a single XML name without a colon",
            value.trim()
        ));
    }
    for t in toks {
        if !teikit_xsd::is_ncname(t) {
            return Err(format!(
                "\"{t}\" is not an XML name without a colon (NCName)"
            ));
        }
    }
    Ok(())
}
