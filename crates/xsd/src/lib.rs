//! W3C XML Schema Part 2 datatypes for RELAX NG validation.
//!
//! A [`Datatype`] is built from a built-in type name and RELAX NG `param`s (facets); it checks
//! lexical values and compares values in the value space. XSD regular expressions (for the
//! `pattern` facet) are translated to the `regex` crate once, when the datatype is built.
//!
//! ```
//! use teikit_xsd::Datatype;
//! let no_ns = |_: &str| None;
//! let month = Datatype::new("date", &[]).unwrap();
//! assert_eq!(
//!     month.check("1950-16-09", &no_ns).unwrap_err(),
//!     "month 16 is out of range (01–12)"
//! );
//! let small = Datatype::new("integer", &[("maxInclusive".into(), "10".into())]).unwrap();
//! assert!(small.check("+010", &no_ns).is_ok());
//! assert!(small.equal("1", &no_ns, "001", &no_ns));
//! ```
#![warn(missing_docs)]

mod blocks;
mod value;
mod xmlchars;
mod xsd_regex;

use std::cmp::Ordering;
use std::fmt;

use crate::value::{DateKind, DateTime, Dec, Duration};
pub use crate::xsd_regex::XsdRegex;

/// Resolves a namespace prefix (`""` for the default namespace) to a URI.
pub type Resolver<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Tells whether a name is an unparsed entity declared in the document's DTD (for `ENTITY`
/// and `ENTITIES`).
pub type EntityCheck<'a> = &'a dyn Fn(&str) -> bool;

/// An error in a datatype's definition (unknown type, bad facet, invalid pattern).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
        }
    }

    /// The lower-case message.
    pub fn message(&self) -> &str {
        &self.message
    }
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

/// Whitespace processing before a value is checked (the `whiteSpace` facet of each type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhiteSpace {
    /// Kept as is (`string`).
    Preserve,
    /// Tab, newline and carriage return become spaces (`normalizedString`).
    Replace,
    /// Replaced, then leading/trailing spaces removed and runs of spaces joined (all others).
    Collapse,
}

impl WhiteSpace {
    /// Applies this whitespace processing to `s`.
    pub fn apply(self, s: &str) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match self {
            WhiteSpace::Preserve => Cow::Borrowed(s),
            WhiteSpace::Replace => {
                if s.contains(['\t', '\n', '\r']) {
                    Cow::Owned(s.replace(['\t', '\n', '\r'], " "))
                } else {
                    Cow::Borrowed(s)
                }
            }
            WhiteSpace::Collapse => {
                let mut parts = s.split([' ', '\t', '\n', '\r']).filter(|t| !t.is_empty());
                let collapsed_already = !s.starts_with(' ')
                    && !s.ends_with(' ')
                    && !s.contains("  ")
                    && !s.contains(['\t', '\n', '\r']);
                if collapsed_already {
                    return Cow::Borrowed(s);
                }
                let mut out = String::with_capacity(s.len());
                if let Some(first) = parts.next() {
                    out.push_str(first);
                }
                for p in parts {
                    out.push(' ');
                    out.push_str(p);
                }
                Cow::Owned(out)
            }
        }
    }
}

/// Every type name of the XSD datatype library that [`Datatype::new`] accepts.
pub const TYPE_NAMES: &[&str] = &[
    "anySimpleType",
    "anyAtomicType",
    "untypedAtomic",
    "string",
    "normalizedString",
    "token",
    "language",
    "Name",
    "NCName",
    "NMTOKEN",
    "NMTOKENS",
    "ID",
    "IDREF",
    "IDREFS",
    "ENTITY",
    "ENTITIES",
    "QName",
    "NOTATION",
    "anyURI",
    "boolean",
    "decimal",
    "integer",
    "nonPositiveInteger",
    "negativeInteger",
    "long",
    "int",
    "short",
    "byte",
    "nonNegativeInteger",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
    "positiveInteger",
    "float",
    "double",
    "duration",
    "dateTime",
    "date",
    "time",
    "gYear",
    "gYearMonth",
    "gMonth",
    "gMonthDay",
    "gDay",
    "hexBinary",
    "base64Binary",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    String,
    NormalizedString,
    Token,
    Language,
    Name,
    NcName,
    NmToken,
    NmTokens,
    Id,
    Idref,
    Idrefs,
    Entity,
    Entities,
    QName,
    Notation,
    AnyUri,
    Boolean,
    Decimal,
    Integer,
    Float,
    Double,
    Duration,
    Date(DateKind),
    HexBinary,
    Base64Binary,
}

impl Kind {
    fn whitespace(self) -> WhiteSpace {
        match self {
            Kind::String => WhiteSpace::Preserve,
            Kind::NormalizedString => WhiteSpace::Replace,
            _ => WhiteSpace::Collapse,
        }
    }

    /// The item type of a list type.
    fn item(self) -> Option<Kind> {
        match self {
            Kind::NmTokens => Some(Kind::NmToken),
            Kind::Idrefs => Some(Kind::Idref),
            Kind::Entities => Some(Kind::Entity),
            _ => None,
        }
    }

    fn has_length(self) -> bool {
        matches!(
            self,
            Kind::String
                | Kind::NormalizedString
                | Kind::Token
                | Kind::Language
                | Kind::Name
                | Kind::NcName
                | Kind::NmToken
                | Kind::NmTokens
                | Kind::Id
                | Kind::Idref
                | Kind::Idrefs
                | Kind::Entity
                | Kind::Entities
                | Kind::AnyUri
                | Kind::HexBinary
                | Kind::Base64Binary
        )
    }

    fn is_ordered(self) -> bool {
        matches!(
            self,
            Kind::Decimal
                | Kind::Integer
                | Kind::Float
                | Kind::Double
                | Kind::Duration
                | Kind::Date(_)
        )
    }

    fn length_unit(self) -> &'static str {
        match self {
            Kind::HexBinary | Kind::Base64Binary => "octet",
            Kind::NmTokens | Kind::Idrefs | Kind::Entities => "item",
            _ => "character",
        }
    }
}

/// A parsed value.
#[derive(Clone, Debug)]
enum Value {
    Str(String),
    Bool(bool),
    Dec(Dec),
    Float(f64),
    Duration(Duration),
    Date(DateTime),
    Bytes(Vec<u8>),
    QName(Option<String>, String),
    List(Vec<String>),
}

impl Value {
    fn same(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Dec(a), Value::Dec(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => value::float_eq(*a, *b),
            (Value::Duration(a), Value::Duration(b)) => a == b,
            (Value::Date(a), Value::Date(b)) => a.same(b),
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::QName(ua, la), Value::QName(ub, lb)) => ua == ub && la == lb,
            (Value::List(a), Value::List(b)) => a == b,
            _ => false,
        }
    }

    fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Dec(a), Value::Dec(b)) => Some(a.cmp(b)),
            (Value::Float(a), Value::Float(b)) => a.partial_cmp(b),
            (Value::Duration(a), Value::Duration(b)) => a.compare(b),
            (Value::Date(a), Value::Date(b)) => a.compare(b),
            _ => None,
        }
    }
}

/// An inclusive or exclusive bound.
#[derive(Clone, Debug)]
struct Bound {
    value: Value,
    lexical: String,
    inclusive: bool,
}

#[derive(Clone, Debug, Default)]
struct Facets {
    length: Option<u64>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    patterns: Vec<XsdRegex>,
    min: Option<Bound>,
    max: Option<Bound>,
    total_digits: Option<u64>,
    fraction_digits: Option<u64>,
}

/// A built-in XSD datatype restricted by facets.
#[derive(Clone, Debug)]
pub struct Datatype {
    name: String,
    kind: Kind,
    /// The built-in range of an integer type (`byte`: -128..=127).
    int_min: Option<Dec>,
    int_max: Option<Dec>,
    facets: Facets,
}

fn integer_range(name: &str) -> Option<(Option<i128>, Option<i128>)> {
    Some(match name {
        "integer" => (None, None),
        "nonPositiveInteger" => (None, Some(0)),
        "negativeInteger" => (None, Some(-1)),
        "long" => (Some(i64::MIN as i128), Some(i64::MAX as i128)),
        "int" => (Some(i32::MIN as i128), Some(i32::MAX as i128)),
        "short" => (Some(i16::MIN as i128), Some(i16::MAX as i128)),
        "byte" => (Some(i8::MIN as i128), Some(i8::MAX as i128)),
        "nonNegativeInteger" => (Some(0), None),
        "unsignedLong" => (Some(0), Some(u64::MAX as i128)),
        "unsignedInt" => (Some(0), Some(u32::MAX as i128)),
        "unsignedShort" => (Some(0), Some(u16::MAX as i128)),
        "unsignedByte" => (Some(0), Some(u8::MAX as i128)),
        "positiveInteger" => (Some(1), None),
        _ => return None,
    })
}

fn kind_of(name: &str) -> Option<Kind> {
    Some(match name {
        "string" | "anySimpleType" | "anyAtomicType" | "untypedAtomic" => Kind::String,
        "normalizedString" => Kind::NormalizedString,
        "token" => Kind::Token,
        "language" => Kind::Language,
        "Name" => Kind::Name,
        "NCName" => Kind::NcName,
        "NMTOKEN" => Kind::NmToken,
        "NMTOKENS" => Kind::NmTokens,
        "ID" => Kind::Id,
        "IDREF" => Kind::Idref,
        "IDREFS" => Kind::Idrefs,
        "ENTITY" => Kind::Entity,
        "ENTITIES" => Kind::Entities,
        "QName" => Kind::QName,
        "NOTATION" => Kind::Notation,
        "anyURI" => Kind::AnyUri,
        "boolean" => Kind::Boolean,
        "decimal" => Kind::Decimal,
        "float" => Kind::Float,
        "double" => Kind::Double,
        "duration" => Kind::Duration,
        "dateTime" => Kind::Date(DateKind::DateTime),
        "date" => Kind::Date(DateKind::Date),
        "time" => Kind::Date(DateKind::Time),
        "gYear" => Kind::Date(DateKind::GYear),
        "gYearMonth" => Kind::Date(DateKind::GYearMonth),
        "gMonth" => Kind::Date(DateKind::GMonth),
        "gMonthDay" => Kind::Date(DateKind::GMonthDay),
        "gDay" => Kind::Date(DateKind::GDay),
        "hexBinary" => Kind::HexBinary,
        "base64Binary" => Kind::Base64Binary,
        _ if integer_range(name).is_some() => Kind::Integer,
        _ => return None,
    })
}

/// The closest known type name to an unknown one (case-insensitive match first).
fn suggest(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if let Some(t) = TYPE_NAMES.iter().find(|t| t.to_ascii_lowercase() == lower) {
        return Some(t);
    }
    TYPE_NAMES
        .iter()
        .map(|t| (edit_distance(&lower, &t.to_ascii_lowercase()), *t))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, t)| t)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn parse_count(name: &str, value: &str, positive: bool) -> Result<u64, Error> {
    let ok = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    let n = if ok { value.parse::<u64>().ok() } else { None };
    match n {
        Some(n) if !positive || n > 0 => Ok(n),
        _ => Err(Error::new(format!(
            "the \"{name}\" parameter must be a {} integer, not \"{value}\"",
            if positive { "positive" } else { "non-negative" }
        ))),
    }
}

impl Datatype {
    /// Builds type `name` (`date`, `NCName`, …) restricted by `params` (facet name, value).
    pub fn new(name: &str, params: &[(String, String)]) -> Result<Datatype, Error> {
        Datatype::build(name, params, false)
    }

    /// [`Datatype::new`] for parameters known to be correct, with `pattern` facets compiled
    /// on first use ([`XsdRegex::deferred`]): a datatype read back from a compiled-schema
    /// cache entry, which only a successful [`Datatype::new`] put there.
    pub fn new_deferred(name: &str, params: &[(String, String)]) -> Result<Datatype, Error> {
        Datatype::build(name, params, true)
    }

    fn build(name: &str, params: &[(String, String)], deferred: bool) -> Result<Datatype, Error> {
        let Some(kind) = kind_of(name) else {
            return Err(Error::new(match suggest(name) {
                Some(s) => format!(
                    "unknown datatype \"{name}\" in the XSD library (did you mean \"{s}\"?)"
                ),
                None => format!("unknown datatype \"{name}\" in the XSD library"),
            }));
        };
        let (int_min, int_max) = match integer_range(name) {
            Some((lo, hi)) => (lo.map(Dec::from_i128), hi.map(Dec::from_i128)),
            None => (None, None),
        };
        let mut dt = Datatype {
            name: name.to_string(),
            kind,
            int_min,
            int_max,
            facets: Facets::default(),
        };
        let mut seen: Vec<&str> = Vec::new();
        for (pname, raw) in params {
            let pname = pname.as_str();
            if pname != "pattern" {
                if seen.contains(&pname) {
                    return Err(Error::new(format!(
                        "the \"{pname}\" parameter is given twice (only \"pattern\" may repeat)"
                    )));
                }
                seen.push(pname);
            }
            dt.add_param(pname, raw, deferred)?;
        }
        dt.check_facet_consistency()?;
        Ok(dt)
    }

    fn inapplicable(&self, pname: &str) -> Error {
        Error::new(format!(
            "the \"{pname}\" parameter does not apply to the datatype \"{}\"",
            self.name
        ))
    }

    fn add_param(&mut self, pname: &str, raw: &str, deferred: bool) -> Result<(), Error> {
        let value = WhiteSpace::Collapse.apply(raw);
        let value = value.as_ref();
        let kind = self.kind;
        match pname {
            "length" | "minLength" | "maxLength" => {
                if !kind.has_length() {
                    return Err(self.inapplicable(pname));
                }
                let n = Some(parse_count(pname, value, false)?);
                match pname {
                    "length" => self.facets.length = n,
                    "minLength" => self.facets.min_length = n,
                    _ => self.facets.max_length = n,
                }
            }
            "pattern" => {
                // The pattern's own whitespace is significant: it is not normalised.
                self.facets.patterns.push(if deferred {
                    XsdRegex::deferred(raw)?
                } else {
                    XsdRegex::new(raw)?
                });
            }
            "totalDigits" | "fractionDigits" => {
                if !matches!(kind, Kind::Decimal | Kind::Integer) {
                    return Err(self.inapplicable(pname));
                }
                if pname == "totalDigits" {
                    self.facets.total_digits = Some(parse_count(pname, value, true)?);
                } else {
                    let n = parse_count(pname, value, false)?;
                    if kind == Kind::Integer && n != 0 {
                        return Err(Error::new(format!(
                            "the \"fractionDigits\" parameter of the integer type \"{}\" can only be 0",
                            self.name
                        )));
                    }
                    self.facets.fraction_digits = Some(n);
                }
            }
            "minInclusive" | "minExclusive" | "maxInclusive" | "maxExclusive" => {
                if !kind.is_ordered() {
                    return Err(self.inapplicable(pname));
                }
                let parsed = self.parse(value, None, None).map_err(|why| {
                    Error::new(format!(
                        "the \"{pname}\" parameter \"{value}\" is not a valid {}: {why}",
                        self.name
                    ))
                })?;
                let bound = Bound {
                    value: parsed,
                    lexical: value.to_string(),
                    inclusive: pname.ends_with("Inclusive"),
                };
                let slot = if pname.starts_with("min") {
                    &mut self.facets.min
                } else {
                    &mut self.facets.max
                };
                if let Some(other) = slot {
                    let which = if pname.starts_with("min") { "min" } else { "max" };
                    let _ = other;
                    return Err(Error::new(format!(
                        "\"{which}Inclusive\" and \"{which}Exclusive\" cannot both be given"
                    )));
                }
                *slot = Some(bound);
            }
            "whiteSpace" => {
                return Err(Error::new(
                    "the \"whiteSpace\" facet cannot be a RELAX NG parameter; use the datatype with the wanted whitespace handling (string, normalizedString or token)",
                ))
            }
            "enumeration" => {
                return Err(Error::new(
                    "the \"enumeration\" facet cannot be a RELAX NG parameter; use a choice of <value> elements",
                ))
            }
            _ => {
                return Err(Error::new(format!(
                    "unknown parameter \"{pname}\" for the datatype \"{}\"",
                    self.name
                )))
            }
        }
        Ok(())
    }

    fn check_facet_consistency(&self) -> Result<(), Error> {
        let f = &self.facets;
        if let (Some(lo), Some(hi)) = (f.min_length, f.max_length) {
            if lo > hi {
                return Err(Error::new(format!(
                    "\"minLength\" {lo} is greater than \"maxLength\" {hi}"
                )));
            }
        }
        if let Some(len) = f.length {
            if f.min_length.is_some_and(|m| m > len) || f.max_length.is_some_and(|m| m < len) {
                return Err(Error::new(format!(
                    "\"length\" {len} contradicts \"minLength\"/\"maxLength\""
                )));
            }
        }
        if let (Some(t), Some(fr)) = (f.total_digits, f.fraction_digits) {
            if fr > t {
                return Err(Error::new(format!(
                    "\"fractionDigits\" {fr} is greater than \"totalDigits\" {t}"
                )));
            }
        }
        if let (Some(lo), Some(hi)) = (&f.min, &f.max) {
            let bad = match lo.value.compare(&hi.value) {
                Some(Ordering::Greater) => true,
                Some(Ordering::Equal) => !(lo.inclusive && hi.inclusive),
                _ => false,
            };
            if bad {
                return Err(Error::new(format!(
                    "the lower bound {} is not below the upper bound {}: no value would be allowed",
                    lo.lexical, hi.lexical
                )));
            }
        }
        Ok(())
    }

    /// The type's name (`date`, `NCName`, …).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How the type processes whitespace before checking.
    pub fn whitespace(&self) -> WhiteSpace {
        self.kind.whitespace()
    }

    /// Parses a whitespace-normalised lexical form of the base type (no facets).
    fn parse(
        &self,
        s: &str,
        resolve: Option<Resolver<'_>>,
        entities: Option<EntityCheck<'_>>,
    ) -> Result<Value, String> {
        if let Some(item) = self.kind.item() {
            if s.is_empty() {
                return Err(format!("a {} value needs at least one item", self.name));
            }
            let mut items = Vec::new();
            for tok in s.split(' ') {
                self.parse_atom(item, tok, resolve, entities)?;
                items.push(tok.to_string());
            }
            return Ok(Value::List(items));
        }
        self.parse_atom(self.kind, s, resolve, entities)
    }

    fn parse_atom(
        &self,
        kind: Kind,
        s: &str,
        resolve: Option<Resolver<'_>>,
        entities: Option<EntityCheck<'_>>,
    ) -> Result<Value, String> {
        match kind {
            Kind::String | Kind::NormalizedString | Kind::Token => Ok(Value::Str(s.to_string())),
            Kind::Language => {
                check_language(s)?;
                Ok(Value::Str(s.to_string()))
            }
            Kind::Name => {
                if is_name(s) {
                    Ok(Value::Str(s.to_string()))
                } else {
                    Err(name_error(s, "an XML name"))
                }
            }
            Kind::NcName | Kind::Id | Kind::Idref | Kind::Entity => {
                if !is_ncname(s) {
                    return Err(name_error(s, "an XML name without a colon (NCName)"));
                }
                if kind == Kind::Entity {
                    if let Some(is_entity) = entities {
                        if !is_entity(s) {
                            return Err(format!(
                                "\"{s}\" is not an unparsed entity declared in the document's DTD"
                            ));
                        }
                    }
                }
                Ok(Value::Str(s.to_string()))
            }
            Kind::NmToken => {
                if !s.is_empty() && s.chars().all(is_name_char) {
                    Ok(Value::Str(s.to_string()))
                } else {
                    Err(name_error(s, "a name token (NMTOKEN)"))
                }
            }
            Kind::QName | Kind::Notation => {
                let (prefix, local) = match s.split_once(':') {
                    Some((p, l)) => (p, l),
                    None => ("", s),
                };
                if !is_ncname(local)
                    || (!prefix.is_empty() && !is_ncname(prefix))
                    || s.starts_with(':')
                {
                    return Err(name_error(s, "a qualified name (prefix:name or name)"));
                }
                let uri = match resolve {
                    None => None,
                    Some(resolve) => {
                        if prefix == "xml" {
                            Some("http://www.w3.org/XML/1998/namespace".to_string())
                        } else {
                            match resolve(prefix) {
                                Some(u) if !u.is_empty() => Some(u),
                                _ if prefix.is_empty() => None,
                                _ => {
                                    return Err(format!(
                                        "the prefix \"{prefix}\" of \"{s}\" is not declared"
                                    ))
                                }
                            }
                        }
                    }
                };
                Ok(Value::QName(uri, local.to_string()))
            }
            Kind::AnyUri => {
                check_uri(s)?;
                Ok(Value::Str(s.to_string()))
            }
            Kind::Boolean => match s {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => Err("expected true, false, 1 or 0".into()),
            },
            Kind::Decimal => value::parse_decimal(s, false).map(Value::Dec),
            Kind::Integer => {
                let d = value::parse_decimal(s, true)?;
                let below = self.int_min.as_ref().is_some_and(|m| d < *m);
                let above = self.int_max.as_ref().is_some_and(|m| d > *m);
                if below || above {
                    return Err(self.integer_range_error(&d));
                }
                Ok(Value::Dec(d))
            }
            Kind::Float | Kind::Double => {
                value::check_float_lexical(s)?;
                let v = match s {
                    "INF" => f64::INFINITY,
                    "-INF" => f64::NEG_INFINITY,
                    "NaN" => f64::NAN,
                    _ if kind == Kind::Float => s.parse::<f32>().map_err(|e| e.to_string())? as f64,
                    _ => s.parse::<f64>().map_err(|e| e.to_string())?,
                };
                Ok(Value::Float(v))
            }
            Kind::Duration => Duration::parse(s).map(Value::Duration),
            Kind::Date(k) => DateTime::parse(s, k).map(Value::Date),
            Kind::HexBinary => value::parse_hex(s).map(Value::Bytes),
            Kind::Base64Binary => value::parse_base64(s).map(Value::Bytes),
            Kind::NmTokens | Kind::Idrefs | Kind::Entities => unreachable!("lists are split above"),
        }
    }

    fn integer_range_error(&self, d: &Dec) -> String {
        let range = match (&self.int_min, &self.int_max) {
            (Some(lo), Some(hi)) => format!("{lo} to {hi}"),
            (Some(lo), None) => format!("{lo} or more"),
            (None, Some(hi)) => format!("{hi} or less"),
            (None, None) => String::new(),
        };
        format!("{d} is out of range for {} ({range})", self.name)
    }

    /// Checks a lexical value. `Err` is a lower-case reason.
    pub fn check(&self, value: &str, resolve: Resolver<'_>) -> Result<(), String> {
        self.check_with_entities(value, resolve, None)
    }

    /// Like [`Datatype::check`], and `ENTITY`/`ENTITIES` values must also be unparsed
    /// entities for which `entities` returns true (when given).
    pub fn check_with_entities(
        &self,
        value: &str,
        resolve: Resolver<'_>,
        entities: Option<EntityCheck<'_>>,
    ) -> Result<(), String> {
        let norm = self.kind.whitespace().apply(value);
        let norm = norm.as_ref();
        let parsed = self.parse(norm, Some(resolve), entities)?;
        self.check_facets(norm, &parsed)
    }

    fn check_facets(&self, norm: &str, parsed: &Value) -> Result<(), String> {
        let f = &self.facets;
        if f.length.is_some() || f.min_length.is_some() || f.max_length.is_some() {
            let len = match parsed {
                Value::Bytes(b) => b.len() as u64,
                Value::List(items) => items.len() as u64,
                _ => norm.chars().count() as u64,
            };
            let unit = self.kind.length_unit();
            let plural = |n: u64| if n == 1 { "" } else { "s" };
            if let Some(n) = f.length {
                if len != n {
                    return Err(format!(
                        "the value has {len} {unit}{}, but exactly {n} {unit}{} are required (length)",
                        plural(len),
                        plural(n)
                    ));
                }
            }
            if let Some(n) = f.min_length {
                if len < n {
                    return Err(format!(
                        "the value has {len} {unit}{}, but at least {n} {unit}{} are required (minLength)",
                        plural(len),
                        plural(n)
                    ));
                }
            }
            if let Some(n) = f.max_length {
                if len > n {
                    return Err(format!(
                        "the value has {len} {unit}{}, but at most {n} {unit}{} are allowed (maxLength)",
                        plural(len),
                        plural(n)
                    ));
                }
            }
        }
        for p in &f.patterns {
            if !p.is_match(norm) {
                return Err(format!(
                    "the value does not match the pattern \"{}\"",
                    p.as_str()
                ));
            }
        }
        if let Some(min) = &f.min {
            let ok = match parsed.compare(&min.value) {
                Some(Ordering::Greater) => true,
                Some(Ordering::Equal) => min.inclusive,
                _ => false,
            };
            if !ok {
                return Err(bound_error(parsed, min, true));
            }
        }
        if let Some(max) = &f.max {
            let ok = match parsed.compare(&max.value) {
                Some(Ordering::Less) => true,
                Some(Ordering::Equal) => max.inclusive,
                _ => false,
            };
            if !ok {
                return Err(bound_error(parsed, max, false));
            }
        }
        if let Value::Dec(d) = parsed {
            if let Some(t) = f.total_digits {
                if d.total_digits() as u64 > t {
                    return Err(format!(
                        "the value has {} significant digits, but at most {t} are allowed (totalDigits)",
                        d.total_digits()
                    ));
                }
            }
            if let Some(n) = f.fraction_digits {
                if d.frac.len() as u64 > n {
                    return Err(format!(
                        "the value has {} digits after the decimal point, but at most {n} are allowed (fractionDigits)",
                        d.frac.len()
                    ));
                }
            }
        }
        Ok(())
    }

    /// Value-space equality of two lexical values (an invalid value equals nothing).
    pub fn equal(&self, a: &str, aresolve: Resolver<'_>, b: &str, bresolve: Resolver<'_>) -> bool {
        let ws = self.kind.whitespace();
        let pa = self.parse(ws.apply(a).as_ref(), Some(aresolve), None);
        let pb = self.parse(ws.apply(b).as_ref(), Some(bresolve), None);
        match (pa, pb) {
            (Ok(x), Ok(y)) => x.same(&y),
            _ => false,
        }
    }

    /// Orders two values of an ordered type (numbers, durations, dates and times): `None`
    /// when either is invalid, the type is unordered, or the values are incomparable (a date
    /// with a timezone near one without, `P1M` and `P30D`, NaN). As in XSD 1.0, durations
    /// are equal only component by component, so `PT60S` and `PT1M` are incomparable.
    pub fn compare(&self, a: &str, b: &str) -> Option<Ordering> {
        if !self.kind.is_ordered() {
            return None;
        }
        let ws = self.kind.whitespace();
        let pa = self.parse(ws.apply(a).as_ref(), None, None).ok()?;
        let pb = self.parse(ws.apply(b).as_ref(), None, None).ok()?;
        pa.compare(&pb)
    }

    /// The ID type (`ID`, `IDREF`, `IDREFS` and nothing else).
    pub fn id_type(&self) -> IdType {
        match self.kind {
            Kind::Id => IdType::Id,
            Kind::Idref => IdType::Idref,
            Kind::Idrefs => IdType::Idrefs,
            _ => IdType::None,
        }
    }

    /// Does checking need namespace context (`QName`, `NOTATION`)?
    pub fn is_context_dependent(&self) -> bool {
        matches!(self.kind, Kind::QName | Kind::Notation)
    }

    /// Does checking look at the document's unparsed entities (`ENTITY`, `ENTITIES`)?
    pub fn needs_entities(&self) -> bool {
        matches!(self.kind, Kind::Entity | Kind::Entities)
    }
}

fn bound_error(v: &Value, b: &Bound, is_min: bool) -> String {
    let relation = match (is_min, b.inclusive) {
        (true, true) => "at least",
        (true, false) => "greater than",
        (false, true) => "at most",
        (false, false) => "less than",
    };
    let facet = match (is_min, b.inclusive) {
        (true, true) => "minInclusive",
        (true, false) => "minExclusive",
        (false, true) => "maxInclusive",
        (false, false) => "maxExclusive",
    };
    if v.compare(&b.value).is_none() {
        let why = match (v, &b.value) {
            (Value::Date(x), Value::Date(y)) if x.tz.is_some() != y.tz.is_some() => {
                " (one has a timezone and the other does not, and they are less than 14 hours apart)"
            }
            (Value::Float(x), _) if x.is_nan() => " (NaN is not ordered)",
            (Value::Duration(_), _) => " (month lengths make the order undetermined)",
            _ => "",
        };
        return format!(
            "the value cannot be compared with the bound {} ({facet}){why}",
            b.lexical
        );
    }
    format!("the value must be {relation} {} ({facet})", b.lexical)
}

fn name_error(s: &str, what: &str) -> String {
    if s.is_empty() {
        return format!("expected {what}, not an empty value");
    }
    if s.contains(' ') {
        return format!(
            "\"{s}\" contains a space; expected a single {}",
            what.trim_start_matches("an ").trim_start_matches("a ")
        );
    }
    // Point at the first offending character when there is a simple explanation.
    let is_token = what.contains("NMTOKEN");
    let colon_ok = what == "an XML name";
    let mut chars = s.chars();
    let first = chars.next().unwrap_or(' ');
    let detail = if !is_token && !is_name_start(first) && is_name_char(first) {
        Some(format!("a name cannot start with '{first}'"))
    } else {
        let colon_bad = !colon_ok && !what.contains("qualified");
        s.chars()
            .find(|&c| !is_name_char(c) || (c == ':' && colon_bad))
            .map(|bad| {
                if bad == ':' {
                    "':' is not allowed here".to_string()
                } else {
                    format!("'{}' is not allowed in a name", bad.escape_debug())
                }
            })
    };
    match detail {
        Some(d) => format!("\"{s}\" is not {what}: {d}"),
        None => format!("\"{s}\" is not {what}"),
    }
}

/// `language`: `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`.
fn check_language(s: &str) -> Result<(), String> {
    const WHAT: &str = "expected a language tag such as en, de-CH or la-Latn";
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    if first.is_empty() || first.len() > 8 || !first.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(WHAT.into());
    }
    for p in parts {
        if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!(
                "{WHAT}; each part after a '-' has 1 to 8 letters or digits"
            ));
        }
    }
    Ok(())
}

/// `anyURI`: an RFC 3986 URI reference once characters that URIs do not allow (spaces,
/// non-ASCII, `<>"{}|\^` and backquote) are taken as percent-escaped, as XLink prescribes.
fn check_uri(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let ok =
                b.len() > i + 2 && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit();
            if !ok {
                return Err(format!(
                    "\"{s}\" is not a URI: '%' must be followed by two hex digits"
                ));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    if s.matches('#').count() > 1 {
        return Err(format!("\"{s}\" is not a URI: it has more than one '#'"));
    }
    // A ':' before any '/', '?' or '#' ends a scheme, which must be well formed.
    let first_delim = s.find(['/', '?', '#']).unwrap_or(s.len());
    if let Some(colon) = s[..first_delim].find(':') {
        let scheme = &s[..colon];
        let ok = scheme
            .bytes()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'));
        if !ok {
            return Err(format!(
                "\"{s}\" is not a URI: \"{scheme}\" before ':' is not a valid scheme name"
            ));
        }
    }
    Ok(())
}

/// Is `s` an XML `Name` (fifth edition)?
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_name_start(c) => chars.all(is_name_char),
        _ => false,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn no_ns(_: &str) -> Option<String> {
        None
    }

    fn dt(name: &str, params: &[(&str, &str)]) -> Datatype {
        try_dt(name, params).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn try_dt(name: &str, params: &[(&str, &str)]) -> Result<Datatype, Error> {
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        Datatype::new(name, &params)
    }

    fn ok(d: &Datatype, v: &str) -> bool {
        d.check(v, &no_ns).is_ok()
    }

    fn why(d: &Datatype, v: &str) -> String {
        d.check(v, &no_ns).unwrap_err()
    }

    #[test]
    fn every_type_name_builds_and_has_a_valid_and_an_invalid_value() {
        let samples: &[(&str, &str, Option<&str>)] = &[
            ("string", " any\tthing ", None),
            ("normalizedString", "a b", None),
            ("token", " a  b ", None),
            ("language", "en-GB", Some("en_GB")),
            ("Name", "a:b", Some("1a")),
            ("NCName", "a-b", Some("a:b")),
            ("NMTOKEN", "1.a", Some("a b")),
            ("NMTOKENS", " a  1 ", Some("")),
            ("ID", "x1", Some("1x")),
            ("IDREF", "x1", Some("x y")),
            ("IDREFS", "x1 x2", Some("")),
            ("ENTITY", "pic", Some("a:b")),
            ("ENTITIES", "pic pic2", Some("")),
            ("QName", "local", Some("a::b")),
            ("NOTATION", "local", Some(":b")),
            ("anyURI", "http://example.com/a%20b#frag", Some("f%oo")),
            ("boolean", "true", Some("yes")),
            ("decimal", "-1.50", Some("1,5")),
            ("integer", "-0042", Some("4.0")),
            ("float", "-1.5E3", Some("1.5e")),
            ("double", "NaN", Some("nan")),
            ("duration", "P1Y2M3DT4H5M6.7S", Some("P1S")),
            (
                "dateTime",
                "2024-02-29T23:59:59.5+01:00",
                Some("2023-02-29T00:00:00"),
            ),
            ("date", "-0044-03-15", Some("2024-3-15")),
            ("time", "24:00:00", Some("24:00:01")),
            ("gYear", "12345", Some("0000")),
            ("gYearMonth", "2024-12", Some("2024-13")),
            ("gMonth", "--02", Some("--02--x")),
            ("gMonthDay", "--02-29", Some("--02-30")),
            ("gDay", "---31", Some("---32")),
            ("hexBinary", "0aFF", Some("0aF")),
            ("base64Binary", "SGVsbG8=", Some("SGVsbG8")),
            ("anySimpleType", "x", None),
            ("anyAtomicType", "x", None),
            ("untypedAtomic", "x", None),
        ];
        for name in TYPE_NAMES {
            if integer_range(name).is_some() {
                continue;
            }
            assert!(samples.iter().any(|s| s.0 == *name), "no sample for {name}");
        }
        for (name, good, bad) in samples {
            let d = dt(name, &[]);
            assert!(ok(&d, good), "{name} rejects {good:?}: {}", why(&d, good));
            if let Some(bad) = bad {
                assert!(!ok(&d, bad), "{name} accepts {bad:?}");
            }
        }
    }

    #[test]
    fn integer_family_ranges() {
        let cases: &[(&str, &str, &str)] = &[
            // (type, largest/smallest valid, first invalid)
            ("byte", "127", "128"),
            ("byte", "-128", "-129"),
            ("short", "32767", "32768"),
            ("int", "-2147483648", "-2147483649"),
            ("long", "9223372036854775807", "9223372036854775808"),
            ("unsignedByte", "255", "256"),
            ("unsignedShort", "65535", "65536"),
            ("unsignedInt", "4294967295", "4294967296"),
            (
                "unsignedLong",
                "18446744073709551615",
                "18446744073709551616",
            ),
            ("unsignedLong", "0", "-1"),
            ("positiveInteger", "1", "0"),
            ("positiveInteger", "+0001", "-1"),
            ("negativeInteger", "-1", "0"),
            ("nonNegativeInteger", "-0", "-1"),
            ("nonPositiveInteger", "+0", "1"),
        ];
        for (name, good, bad) in cases {
            let d = dt(name, &[]);
            assert!(ok(&d, good), "{name} rejects {good}");
            assert!(!ok(&d, bad), "{name} accepts {bad}");
        }
        assert_eq!(
            why(&dt("positiveInteger", &[]), "0"),
            "0 is out of range for positiveInteger (1 or more)"
        );
        assert_eq!(
            why(&dt("byte", &[]), "+0200"),
            "200 is out of range for byte (-128 to 127)"
        );
        assert!(ok(
            &dt("integer", &[]),
            "99999999999999999999999999999999999"
        ));
        assert!(why(&dt("integer", &[]), "1.0").contains("no decimal point"));
    }

    #[test]
    fn whitespace_is_processed_before_checking() {
        let no_space = dt("string", &[("pattern", "[^ ]*")]);
        assert!(!ok(&no_space, " a"));
        let ns = dt("normalizedString", &[("pattern", "a b")]);
        assert!(ok(&ns, "a\tb"));
        assert!(!ok(&ns, "a  b"));
        let tok = dt("token", &[("pattern", "a b"), ("length", "3")]);
        assert!(ok(&tok, "\n a \t b "));
        assert!(ok(&dt("int", &[]), " \n42\t"));
        assert!(ok(&dt("date", &[]), " 2024-01-01 "));
        assert_eq!(WhiteSpace::Collapse.apply("  a \n b "), "a b");
        assert_eq!(WhiteSpace::Replace.apply("a\r\nb"), "a  b");
        assert_eq!(dt("string", &[]).whitespace(), WhiteSpace::Preserve);
    }

    #[test]
    fn length_facets_count_the_types_units() {
        let s = dt("string", &[("minLength", "2"), ("maxLength", "3")]);
        assert!(ok(&s, "ab") && ok(&s, "abc") && ok(&s, "αβγ"));
        assert!(!ok(&s, "a") && !ok(&s, "abcd"));
        assert_eq!(
            why(&s, "abcd"),
            "the value has 4 characters, but at most 3 characters are allowed (maxLength)"
        );
        let hex = dt("hexBinary", &[("length", "2")]);
        assert!(ok(&hex, "ABCD"));
        assert!(why(&hex, "AB").contains("1 octet,"));
        let b64 = dt("base64Binary", &[("length", "3")]);
        assert!(ok(&b64, "AAAA") && !ok(&b64, "AAAAAA=="));
        let list = dt("NMTOKENS", &[("length", "3")]);
        assert!(ok(&list, " a b  c "));
        assert!(why(&list, "a b").contains("2 items"));
        assert!(ok(&dt("token", &[("length", "0")]), "   "));
    }

    #[test]
    fn patterns_and_together_and_are_anchored() {
        let d = dt("token", &[("pattern", "[a-z]+"), ("pattern", ".{2,3}")]);
        assert!(ok(&d, "abc"));
        assert!(!ok(&d, "a"));
        assert!(!ok(&d, "abcd"));
        assert!(!ok(&d, "AB"));
        assert_eq!(
            why(&d, "abcd"),
            "the value does not match the pattern \".{2,3}\""
        );
        let digits = dt("string", &[("pattern", r"\d{4}")]);
        assert!(!ok(&digits, "x1234y"));
        let e = try_dt("string", &[("pattern", "[a-")]).unwrap_err();
        assert!(e.message().starts_with("invalid pattern"), "{e}");
    }

    #[test]
    fn bounds_compare_in_the_value_space() {
        let d = dt("decimal", &[("minExclusive", "0"), ("maxInclusive", "1.5")]);
        assert!(ok(&d, "1.50") && ok(&d, "0.0001") && ok(&d, "+1.5"));
        assert!(!ok(&d, "0.00") && !ok(&d, "1.51"));
        assert_eq!(
            why(&d, "-0"),
            "the value must be greater than 0 (minExclusive)"
        );
        let f = dt("double", &[("maxExclusive", "INF")]);
        assert!(ok(&f, "1e308") && !ok(&f, "INF") && !ok(&f, "NaN"));
        let date = dt("date", &[("minInclusive", "2000-01-01Z")]);
        assert!(ok(&date, "2000-01-01Z") && ok(&date, "2000-01-01-01:00"));
        assert!(!ok(&date, "2000-01-01+01:00"));
        assert!(ok(&date, "2000-01-03"));
        assert!(why(&date, "2000-01-01").contains("timezone"));
        let dur = dt("duration", &[("maxInclusive", "P1M")]);
        assert!(ok(&dur, "P27D") && !ok(&dur, "P32D") && !ok(&dur, "P30D"));
        let y = dt("gYear", &[("maxExclusive", "-0100")]);
        assert!(ok(&y, "-0101") && !ok(&y, "0001"));
        let t = dt(
            "time",
            &[("minInclusive", "09:00:00"), ("maxInclusive", "17:00:00")],
        );
        assert!(ok(&t, "12:00:00") && !ok(&t, "08:59:59.999"));
    }

    #[test]
    fn digit_facets() {
        let d = dt("decimal", &[("totalDigits", "4"), ("fractionDigits", "2")]);
        assert!(ok(&d, "12.34") && ok(&d, "0012.3400") && ok(&d, "-99.99"));
        assert!(!ok(&d, "123.45") && !ok(&d, "1.234"));
        assert!(why(&d, "1.234").contains("fractionDigits"));
        assert!(ok(&dt("integer", &[("fractionDigits", "0")]), "5"));
        assert!(try_dt("integer", &[("fractionDigits", "1")]).is_err());
        assert!(try_dt("decimal", &[("totalDigits", "0")]).is_err());
    }

    #[test]
    fn bad_parameters_are_schema_errors() {
        let err = |name: &str, params: &[(&str, &str)]| try_dt(name, params).unwrap_err().message;
        assert!(err("string", &[("foo", "1")]).contains("unknown parameter \"foo\""));
        assert!(err("string", &[("whiteSpace", "collapse")]).contains("whiteSpace"));
        assert!(err("string", &[("enumeration", "a")]).contains("<value>"));
        assert!(err("string", &[("minLength", "1"), ("minLength", "2")]).contains("twice"));
        assert!(err("string", &[("minLength", "-1")]).contains("non-negative"));
        assert!(err("string", &[("minLength", "3"), ("maxLength", "2")]).contains("greater"));
        assert!(err("string", &[("length", "3"), ("maxLength", "2")]).contains("contradicts"));
        assert!(err("integer", &[("length", "3")]).contains("does not apply"));
        assert!(err("string", &[("maxInclusive", "3")]).contains("does not apply"));
        assert!(err("boolean", &[("totalDigits", "3")]).contains("does not apply"));
        assert!(err("QName", &[("maxLength", "3")]).contains("does not apply"));
        assert!(err("byte", &[("maxInclusive", "200")]).contains("out of range"));
        assert!(err("date", &[("minInclusive", "2001-13-01")]).contains("month 13"));
        assert!(err("int", &[("minInclusive", "1"), ("minExclusive", "0")]).contains("both"));
        assert!(err("int", &[("minInclusive", "5"), ("maxInclusive", "4")]).contains("bound"));
        assert!(err("int", &[("minExclusive", "5"), ("maxExclusive", "5")]).contains("bound"));
        assert!(err("strnig", &[]).contains("did you mean \"string\""));
        assert!(err("datetime", &[]).contains("did you mean \"dateTime\""));
        // pattern may repeat; parameter values other than pattern are whitespace-normalised.
        assert!(try_dt("string", &[("pattern", "a"), ("pattern", "a")]).is_ok());
        assert!(ok(&dt("string", &[("maxLength", " 2 ")]), "ab"));
    }

    #[test]
    fn value_space_equality() {
        let eq = |name: &str, a: &str, b: &str| dt(name, &[]).equal(a, &no_ns, b, &no_ns);
        assert!(eq("decimal", "1.0", "1"));
        assert!(eq("decimal", "-0.0", "0"));
        assert!(!eq("decimal", "1.01", "1.1"));
        assert!(eq("integer", "+1", "01"));
        assert!(eq("float", "1E0", "0.1E1"));
        assert!(eq("float", "-0", "0"));
        assert!(eq("double", "NaN", " NaN "));
        assert!(!eq("double", "INF", "-INF"));
        assert!(eq("float", "0.1", "0.100000001"));
        assert!(!eq("double", "0.1", "0.100000001"));
        assert!(eq(
            "dateTime",
            "2001-12-01T19:45:00Z",
            "2001-12-01T20:45:00+01:00"
        ));
        assert!(!eq(
            "dateTime",
            "2001-12-01T19:45:00Z",
            "2001-12-01T19:45:00"
        ));
        assert!(eq("token", " a \n b ", "a b"));
        assert!(!eq("string", " a", "a"));
        assert!(eq("base64Binary", "SGVs bG8=", "SGVsbG8="));
        assert!(eq("hexBinary", "0a", "0A"));
        assert!(eq("boolean", "1", "true"));
        assert!(!eq("duration", "P1Y", "P12M"));
        assert!(eq("NMTOKENS", " a  b", "a b "));
        assert!(!eq("integer", "1", "x"));
    }

    #[test]
    fn qnames_resolve_through_the_context() {
        let q = dt("QName", &[]);
        let ctx1 = |p: &str| match p {
            "x" | "z" => Some("urn:a".to_string()),
            "" => Some("urn:default".to_string()),
            _ => None,
        };
        let ctx2 = |p: &str| (p == "y").then(|| "urn:a".to_string());
        assert!(q.equal("x:foo", &ctx1, "y:foo", &ctx2));
        assert!(q.equal("z:foo", &ctx1, " x:foo ", &ctx1));
        assert!(!q.equal("x:foo", &ctx1, "x:bar", &ctx1));
        assert!(!q.equal("foo", &ctx1, "foo", &no_ns));
        assert!(q.equal("xml:lang", &no_ns, "xml:lang", &ctx1));
        assert_eq!(
            q.check("w:foo", &ctx1).unwrap_err(),
            "the prefix \"w\" of \"w:foo\" is not declared"
        );
        assert!(q.is_context_dependent());
        assert!(dt("NOTATION", &[]).is_context_dependent());
        assert!(!dt("NCName", &[]).is_context_dependent());
    }

    #[test]
    fn entities_are_checked_when_the_caller_knows_them() {
        let d = dt("ENTITIES", &[]);
        let known = |e: &str| e == "pic";
        assert!(d.check_with_entities("pic", &no_ns, Some(&known)).is_ok());
        assert!(d
            .check_with_entities("pic other", &no_ns, Some(&known))
            .unwrap_err()
            .contains("\"other\" is not an unparsed entity"));
        assert!(d.check("other", &no_ns).is_ok());
    }

    #[test]
    fn datatypes_are_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Datatype>();
        assert_send_sync::<XsdRegex>();
    }

    #[test]
    fn id_types() {
        assert_eq!(dt("ID", &[]).id_type(), IdType::Id);
        assert_eq!(dt("IDREF", &[]).id_type(), IdType::Idref);
        assert_eq!(dt("IDREFS", &[]).id_type(), IdType::Idrefs);
        assert_eq!(dt("NCName", &[]).id_type(), IdType::None);
    }

    #[test]
    fn messages_are_specific() {
        let d = dt("date", &[]);
        assert_eq!(why(&d, "1950-16-09"), "month 16 is out of range (01–12)");
        assert_eq!(
            why(&d, "2023-02-29"),
            "day 29 is out of range for February 2023 (it has 28 days)"
        );
        assert!(why(&d, "15.03.2024").starts_with("expected a date like 2024-03-15"));
        assert!(why(&dt("NCName", &[]), "a b").contains("contains a space"));
        assert_eq!(
            why(&dt("NCName", &[]), "1abc"),
            "\"1abc\" is not an XML name without a colon (NCName): a name cannot start with '1'"
        );
        assert!(why(&dt("NCName", &[]), "a:b").ends_with("':' is not allowed here"));
        assert!(why(&dt("Name", &[]), "a$b").ends_with("'$' is not allowed in a name"));
        assert!(why(&dt("NMTOKEN", &[]), "a/b").ends_with("'/' is not allowed in a name"));
        assert!(why(&dt("boolean", &[]), "yes").contains("true, false, 1 or 0"));
        assert!(why(&dt("float", &[]), "+INF").contains("without a sign"));
        assert!(why(&dt("anyURI", &[]), "foo$bar:stuff").contains("scheme"));
        assert!(why(&dt("hexBinary", &[]), "0g").contains("'g'"));
        assert!(why(&dt("IDREFS", &[]), " ").contains("at least one item"));
    }

    #[test]
    fn compare_api() {
        let d = dt("duration", &[]);
        assert_eq!(d.compare("PT59S", "PT1M"), Some(Ordering::Less));
        assert_eq!(d.compare("P1M", "P30D"), None);
        assert_eq!(dt("int", &[]).compare("+2", "10"), Some(Ordering::Less));
        assert_eq!(dt("string", &[]).compare("a", "b"), None);
        assert_eq!(dt("int", &[]).compare("x", "1"), None);
    }

    #[test]
    fn names() {
        assert!(is_ncname("a-b.c") && !is_ncname("a:b") && !is_ncname("-a") && !is_ncname(""));
        assert!(is_name(":a") && is_name("a:b") && !is_name("1"));
        assert!(is_ncname("\u{10000}x"));
    }
}
