//! XSD regular expressions (XML Schema Part 2, appendix F) translated to the `regex` crate's
//! syntax and compiled by its engine, regex-automata (the `meta` regex, without lazy DFA).
//!
//! The translator parses the XSD syntax itself and computes every character class as an
//! explicit set of code point ranges (`\i`, `\c`, blocks, categories, subtraction), so the
//! `regex` crate only ever sees literals, ranges, groups, alternation and counted repetition.
//! The result is anchored at both ends (XSD patterns match the whole value).

use std::fmt::Write as _;
use std::sync::OnceLock;

use regex_automata::meta;

use crate::blocks::{BLOCKS, SURROGATE_BLOCKS};
use crate::xmlchars::{BASE_CHAR, COMBINING_CHAR, DIGIT, EXTENDER, IDEOGRAPHIC};
use crate::Error;

/// Upper bound on the compiled size of one pattern (bytes of the `regex` crate's program), so
/// that a hostile pattern such as `(\c{1000}){1000}` is an error instead of a hang.
const SIZE_LIMIT: usize = 8 << 20;
/// Upper bound on one `{n,m}` count.
const MAX_COUNT: u32 = 100_000;

/// A compiled XSD regular expression.
#[derive(Clone, Debug)]
pub struct XsdRegex {
    source: String,
    /// The `regex` crate's pattern, compiled by [`XsdRegex::new`] at once and by
    /// [`XsdRegex::deferred`] on the first match.
    translated: String,
    regex: OnceLock<Result<meta::Regex, Error>>,
}

impl XsdRegex {
    /// Compiles an XSD regular expression; `Err` explains (lower-case) what is wrong.
    pub fn new(pattern: &str) -> Result<XsdRegex, Error> {
        let r = XsdRegex::deferred(pattern)?;
        r.compiled().map_err(Clone::clone)?;
        Ok(r)
    }

    /// Checks the syntax of an XSD regular expression now and compiles it on the first
    /// match, for a pattern known to compile (one read back from a compiled-schema cache
    /// entry, which only [`XsdRegex::new`]'s success put there): compiling is most of the
    /// cost of building a datatype, and a document uses few of a schema's patterns. Should
    /// compiling fail after all (the only error left is the size limit), nothing matches.
    pub fn deferred(pattern: &str) -> Result<XsdRegex, Error> {
        Ok(XsdRegex {
            source: pattern.to_string(),
            translated: translate(pattern)?,
            regex: OnceLock::new(),
        })
    }

    fn compiled(&self) -> Result<&meta::Regex, &Error> {
        self.regex
            .get_or_init(|| {
                // No lazy DFA: it needs a reverse NFA, a second compilation of every Unicode
                // class, and is at its best on long texts; values are short, and a process
                // matches each pattern a few thousand times at most, where the one-pass DFA
                // and the bounded backtracker start at once.
                let config = meta::Config::new()
                    .nfa_size_limit(Some(SIZE_LIMIT))
                    .onepass_size_limit(Some(SIZE_LIMIT))
                    .hybrid(false)
                    .dfa(false);
                meta::Regex::builder()
                    .configure(config)
                    .build(&self.translated)
                    .map_err(|e| match e.size_limit() {
                        Some(_) => Error::new(format!(
                            "the pattern {:?} is too large to compile (more than {} MiB)",
                            self.source,
                            SIZE_LIMIT >> 20
                        )),
                        None => Error::new(format!(
                            "the pattern {:?} cannot be compiled: {e}",
                            self.source
                        )),
                    })
            })
            .as_ref()
    }

    /// Does the whole of `s` match?
    pub fn is_match(&self, s: &str) -> bool {
        self.compiled().is_ok_and(|r| r.is_match(s))
    }

    /// The XSD source of the pattern.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

/// Translates an XSD pattern into an anchored `regex` crate pattern.
pub fn translate(pattern: &str) -> Result<String, Error> {
    let mut p = Parser {
        chars: pattern.chars().collect(),
        pos: 0,
        source: pattern,
    };
    let body = p.regexp()?;
    if p.pos < p.chars.len() {
        return Err(p.err("')' without a matching '('"));
    }
    Ok(format!(r"\A(?:{body})\z"))
}

// ---------------------------------------------------------------------------------------------
// Character sets

/// A set of code points as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CharSet {
    ranges: Vec<(u32, u32)>,
}

const MAX_CP: u32 = 0x10FFFF;

impl CharSet {
    fn from_ranges(mut ranges: Vec<(u32, u32)>) -> CharSet {
        ranges.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (a, b) in ranges {
            match out.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        CharSet { ranges: out }
    }

    fn single(c: char) -> CharSet {
        CharSet {
            ranges: vec![(c as u32, c as u32)],
        }
    }

    fn union(&self, other: &CharSet) -> CharSet {
        let mut r = self.ranges.clone();
        r.extend_from_slice(&other.ranges);
        CharSet::from_ranges(r)
    }

    fn complement(&self) -> CharSet {
        let mut out = Vec::new();
        let mut next = 0u32;
        for &(a, b) in &self.ranges {
            if a > next {
                out.push((next, a - 1));
            }
            next = b + 1;
        }
        if next <= MAX_CP {
            out.push((next, MAX_CP));
        }
        CharSet { ranges: out }
    }

    fn minus(&self, other: &CharSet) -> CharSet {
        // a - b = a ∩ ¬b = ¬(¬a ∪ b)
        self.complement().union(other).complement()
    }

    #[cfg(test)]
    fn contains(&self, c: char) -> bool {
        let c = c as u32;
        self.ranges.iter().any(|&(a, b)| a <= c && c <= b)
    }

    /// The set in `regex` class syntax; surrogate code points are skipped.
    fn to_regex(&self) -> String {
        let mut s = String::from("[");
        let mut any = false;
        for &(a, b) in &self.ranges {
            for (a, b) in [(a, b.min(0xD7FF)), (a.max(0xE000), b)] {
                if a > b {
                    continue;
                }
                any = true;
                class_char(&mut s, a);
                if a != b {
                    s.push('-');
                    class_char(&mut s, b);
                }
            }
        }
        if !any {
            // An empty class: matches nothing.
            return String::from(r"[a&&b]");
        }
        s.push(']');
        s
    }
}

/// Writes code point `c` (not a surrogate) into a `regex` class: letters, digits and other
/// visible non-ASCII characters as themselves, everything else as `\x{…}`. The classes of
/// `\i`, `\c` and the blocks hold hundreds of ranges, and `regex` reads a plain character
/// several times faster than an escape, which was most of the cost of compiling them.
fn class_char(s: &mut String, c: u32) {
    match char::from_u32(c) {
        Some(ch)
            if ch.is_ascii_alphanumeric()
                || (!ch.is_ascii() && !ch.is_whitespace() && !ch.is_control()) =>
        {
            s.push(ch);
        }
        _ => {
            let _ = write!(s, "\\x{{{c:X}}}");
        }
    }
}

fn table(ranges: &[&[(u32, u32)]]) -> CharSet {
    CharSet::from_ranges(ranges.iter().flat_map(|r| r.iter().copied()).collect())
}

/// `\i`: XML 1.0 (2nd edition) `Letter | '_' | ':'`.
fn initial_name_chars() -> CharSet {
    table(&[BASE_CHAR, IDEOGRAPHIC, &[(0x5F, 0x5F), (0x3A, 0x3A)]])
}

/// `\c`: XML 1.0 (2nd edition) `NameChar`.
fn name_chars() -> CharSet {
    table(&[
        BASE_CHAR,
        IDEOGRAPHIC,
        DIGIT,
        COMBINING_CHAR,
        EXTENDER,
        &[(0x2D, 0x2E), (0x3A, 0x3A), (0x5F, 0x5F)],
    ])
}

/// A Unicode general category (`L`, `Lu`, …) as the `regex` crate's tables know it.
fn category(name: &str) -> Option<CharSet> {
    const NAMES: &[&str] = &[
        "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc",
        "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Z", "Zs", "Zl", "Zp", "S", "Sm", "Sc", "Sk", "So",
        "C", "Cc", "Cf", "Co", "Cn",
    ];
    if !NAMES.contains(&name) {
        return None;
    }
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&format!(r"\p{{{name}}}"))
        .ok()?;
    match hir.kind() {
        regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(cls)) => {
            Some(CharSet::from_ranges(
                cls.ranges()
                    .iter()
                    .map(|r| (r.start() as u32, r.end() as u32))
                    .collect(),
            ))
        }
        // A one-character category (Zl, Zp) comes back as a literal.
        regex_syntax::hir::HirKind::Literal(lit) => {
            let c = std::str::from_utf8(&lit.0).ok()?.chars().next()?;
            Some(CharSet::single(c))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Parser

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    source: &'a str,
}

enum ClassItem {
    Char(char),
    Set(CharSet),
}

impl Parser<'_> {
    fn err(&self, what: &str) -> Error {
        Error::new(format!(
            "invalid pattern {:?}: {what} (at character {})",
            self.source,
            self.pos + 1
        ))
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.pos + n).copied()
    }

    fn regexp(&mut self) -> Result<String, Error> {
        let mut out = self.branch()?;
        while self.peek() == Some('|') {
            self.pos += 1;
            out.push('|');
            out.push_str(&self.branch()?);
        }
        Ok(out)
    }

    fn branch(&mut self) -> Result<String, Error> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            out.push_str(&self.piece()?);
        }
        Ok(out)
    }

    fn piece(&mut self) -> Result<String, Error> {
        let atom = self.atom()?;
        let quant = match self.peek() {
            Some(c @ ('?' | '*' | '+')) => {
                self.pos += 1;
                c.to_string()
            }
            Some('{') => {
                self.pos += 1;
                let min = self.number()?;
                let max = if self.peek() == Some(',') {
                    self.pos += 1;
                    if self.peek() == Some('}') {
                        None
                    } else {
                        let max = self.number()?;
                        if max < min {
                            return Err(self.err(&format!(
                                "the repetition {{{min},{max}}} has a maximum below its minimum"
                            )));
                        }
                        Some(max)
                    }
                } else {
                    Some(min)
                };
                if self.peek() != Some('}') {
                    return Err(self.err("expected '}' to close the repetition count"));
                }
                self.pos += 1;
                match max {
                    Some(m) if m == min => format!("{{{min}}}"),
                    Some(m) => format!("{{{min},{m}}}"),
                    None => format!("{{{min},}}"),
                }
            }
            _ => String::new(),
        };
        if quant.is_empty() {
            Ok(atom)
        } else {
            Ok(format!("(?:{atom}){quant}"))
        }
    }

    fn number(&mut self) -> Result<u32, Error> {
        let start = self.pos;
        while matches!(self.peek(), Some('0'..='9')) {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(self.err("expected a number in the repetition count"));
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        match digits.parse::<u32>() {
            Ok(n) if n <= MAX_COUNT => Ok(n),
            _ => Err(self.err(&format!(
                "the repetition count {digits} is too large (at most {MAX_COUNT})"
            ))),
        }
    }

    fn atom(&mut self) -> Result<String, Error> {
        let c = self.peek().ok_or_else(|| self.err("unexpected end"))?;
        match c {
            '(' => {
                self.pos += 1;
                let inner = self.regexp()?;
                if self.peek() != Some(')') {
                    return Err(self.err("'(' without a matching ')'"));
                }
                self.pos += 1;
                Ok(format!("(?:{inner})"))
            }
            '[' => {
                self.pos += 1;
                Ok(self.class_expr()?.to_regex())
            }
            '\\' => match self.escape()? {
                ClassItem::Char(c) => Ok(regex_syntax::escape(c.encode_utf8(&mut [0; 4]))),
                ClassItem::Set(s) => Ok(s.to_regex()),
            },
            '.' => {
                self.pos += 1;
                Ok(CharSet::from_ranges(vec![(0x0A, 0x0A), (0x0D, 0x0D)])
                    .complement()
                    .to_regex())
            }
            '?' | '*' | '+' => Err(self.err(&format!("'{c}' has nothing to repeat"))),
            '{' | '}' => Err(self.err(&format!("'{c}' must be escaped as '\\{c}'"))),
            ']' => Err(self.err("']' without a matching '['")),
            ')' => Err(self.err("')' without a matching '('")),
            _ => {
                self.pos += 1;
                Ok(regex_syntax::escape(c.encode_utf8(&mut [0; 4])))
            }
        }
    }

    /// After `\`: a single-character escape, a multi-character escape or a category.
    fn escape(&mut self) -> Result<ClassItem, Error> {
        self.pos += 1; // the backslash
        let c = self
            .peek()
            .ok_or_else(|| self.err("'\\' at the end of the pattern"))?;
        self.pos += 1;
        let set = |ranges: Vec<(u32, u32)>| Ok(ClassItem::Set(CharSet::from_ranges(ranges)));
        match c {
            'n' => Ok(ClassItem::Char('\n')),
            'r' => Ok(ClassItem::Char('\r')),
            't' => Ok(ClassItem::Char('\t')),
            '\\' | '|' | '.' | '?' | '*' | '+' | '(' | ')' | '{' | '}' | '-' | '[' | ']' | '^' => {
                Ok(ClassItem::Char(c))
            }
            's' => set(vec![(0x20, 0x20), (0x09, 0x0A), (0x0D, 0x0D)]),
            'S' => Ok(ClassItem::Set(
                CharSet::from_ranges(vec![(0x20, 0x20), (0x09, 0x0A), (0x0D, 0x0D)]).complement(),
            )),
            'i' => Ok(ClassItem::Set(initial_name_chars())),
            'I' => Ok(ClassItem::Set(initial_name_chars().complement())),
            'c' => Ok(ClassItem::Set(name_chars())),
            'C' => Ok(ClassItem::Set(name_chars().complement())),
            'd' => Ok(ClassItem::Set(category("Nd").unwrap_or_default())),
            'D' => Ok(ClassItem::Set(
                category("Nd").unwrap_or_default().complement(),
            )),
            'w' => Ok(ClassItem::Set(word_chars())),
            'W' => Ok(ClassItem::Set(word_chars().complement())),
            'p' | 'P' => {
                let s = self.property()?;
                Ok(ClassItem::Set(if c == 'P' { s.complement() } else { s }))
            }
            _ => {
                self.pos -= 1;
                Err(self.err(&format!("'\\{c}' is not an XSD escape")))
            }
        }
    }

    /// `{Name}` after `\p`/`\P`.
    fn property(&mut self) -> Result<CharSet, Error> {
        if self.peek() != Some('{') {
            return Err(self.err("'\\p' and '\\P' need a name in braces, e.g. \\p{Lu}"));
        }
        self.pos += 1;
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c == '}' {
                break;
            }
            self.pos += 1;
        }
        if self.peek() != Some('}') {
            return Err(self.err("'\\p{' without a closing '}'"));
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        self.pos += 1;
        if let Some(block) = name.strip_prefix("Is") {
            if SURROGATE_BLOCKS.contains(&block) {
                return Err(self.err(&format!(
                    "the block {name} holds only surrogate code points, which are not characters"
                )));
            }
            let ranges: Vec<(u32, u32)> = BLOCKS
                .iter()
                .filter(|(n, _, _)| *n == block)
                .map(|&(_, a, b)| (a, b))
                .collect();
            if ranges.is_empty() {
                return Err(self.err(&format!("unknown Unicode block {name:?}")));
            }
            return Ok(CharSet::from_ranges(ranges));
        }
        category(&name)
            .ok_or_else(|| self.err(&format!("unknown Unicode category or block {name:?}")))
    }

    /// After `[`: `posCharGroup`, `negCharGroup` or a subtraction, up to and including `]`.
    fn class_expr(&mut self) -> Result<CharSet, Error> {
        let negated = if self.peek() == Some('^') {
            self.pos += 1;
            true
        } else {
            false
        };
        let mut set = CharSet::default();
        let mut first = true;
        loop {
            let c = self
                .peek()
                .ok_or_else(|| self.err("'[' without a matching ']'"))?;
            match c {
                ']' => {
                    if first {
                        return Err(self.err("empty character class"));
                    }
                    self.pos += 1;
                    break;
                }
                '[' => return Err(self.err("'[' inside a character class must be escaped")),
                '-' if !first && self.peek_at(1) == Some('[') => {
                    self.pos += 2;
                    let sub = self.class_expr()?;
                    if self.peek() != Some(']') {
                        return Err(self.err(
                            "a subtraction '-[…]' must be the last part of a character class",
                        ));
                    }
                    self.pos += 1;
                    if negated {
                        set = set.complement();
                    }
                    return Ok(set.minus(&sub));
                }
                '-' => {
                    if first || self.peek_at(1) == Some(']') {
                        self.pos += 1;
                        set = set.union(&CharSet::single('-'));
                    } else {
                        return Err(self.err(
                            "'-' inside a character class must be escaped unless it is first or last",
                        ));
                    }
                }
                _ => {
                    let item = if c == '\\' {
                        self.escape()?
                    } else {
                        self.pos += 1;
                        ClassItem::Char(c)
                    };
                    match item {
                        ClassItem::Set(s) => set = set.union(&s),
                        ClassItem::Char(lo) => {
                            if self.peek() == Some('-')
                                && !matches!(self.peek_at(1), Some('[' | ']') | None)
                            {
                                self.pos += 1;
                                let hi =
                                    match self.peek() {
                                        Some('\\') => match self.escape()? {
                                            ClassItem::Char(h) => h,
                                            ClassItem::Set(_) => return Err(self.err(
                                                "a range cannot end with a multi-character escape",
                                            )),
                                        },
                                        Some('-') => {
                                            return Err(self.err("'-' cannot end a range unescaped"))
                                        }
                                        Some(h) => {
                                            self.pos += 1;
                                            h
                                        }
                                        None => return Err(self.err("'[' without a matching ']'")),
                                    };
                                if hi < lo {
                                    return Err(self.err(&format!(
                                        "the range {}-{} is backwards",
                                        lo.escape_debug(),
                                        hi.escape_debug()
                                    )));
                                }
                                set =
                                    set.union(&CharSet::from_ranges(vec![(lo as u32, hi as u32)]));
                            } else {
                                set = set.union(&CharSet::single(lo));
                            }
                        }
                    }
                }
            }
            first = false;
        }
        Ok(if negated { set.complement() } else { set })
    }
}

/// `\w`: all characters except punctuation, separators and "other" characters.
fn word_chars() -> CharSet {
    let mut excluded = CharSet::default();
    for cat in ["P", "Z", "C"] {
        excluded = excluded.union(&category(cat).unwrap_or_default());
    }
    excluded.complement()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        XsdRegex::new(p).unwrap().is_match(s)
    }

    /// A class written with plain characters and escapes mixed matches exactly its code
    /// points, with every character `regex` treats specially in a class at either end of a
    /// range or alone.
    #[test]
    fn classes_match_exactly_their_code_points() {
        let special: Vec<u32> = "[]\\-^&~ #\t\n|.*+?(){}$"
            .chars()
            .map(u32::from)
            .chain([0xA0, 0x300, 0x2028, 0xE9, 0xFFFD, 0x1F600])
            .collect();
        let mut ranges: Vec<(u32, u32)> = special.iter().map(|&c| (c, c)).collect();
        ranges.extend([
            (0x41, 0x43),
            (0x5B, 0x5E),
            (0x2D, 0x30),
            (0xD7F0, 0xE010),
            (0x2000, 0x200B),
        ]);
        let set = CharSet::from_ranges(ranges);
        let re = meta::Regex::new(&format!(r"\A{}\z", set.to_regex())).unwrap();
        let probes = (0..0x3100)
            .chain(0xD700..0xE100)
            .chain(special.iter().copied());
        for c in probes.filter_map(char::from_u32) {
            let mut buf = [0; 4];
            assert_eq!(
                re.is_match(c.encode_utf8(&mut buf) as &str),
                set.contains(c),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn anchored_and_literal() {
        assert!(m("abc", "abc"));
        assert!(!m("abc", "xabc"));
        assert!(!m("abc", "abcx"));
        assert!(m("^a$", "^a$"));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("a|", ""));
    }

    #[test]
    fn dot_excludes_newlines() {
        assert!(m(".", "x"));
        assert!(m(".", "\u{10330}"));
        assert!(!m(".", "\n"));
        assert!(!m(".", "\r"));
    }

    #[test]
    fn escapes() {
        assert!(m(r"\d+", "0123\u{0661}"));
        assert!(!m(r"\d", "a"));
        assert!(m(r"\s", "\t"));
        assert!(!m(r"\s", "\u{A0}"));
        assert!(m(r"\w", "a"));
        assert!(!m(r"\w", "."));
        assert!(!m(r"\w", " "));
        assert!(m(r"\i\c*", "_a-b.c:d"));
        assert!(!m(r"\i", "1"));
        assert!(m(r"\i", "\u{212E}"));
        assert!(!m(r"\i", "\u{10000}"));
        assert!(m(r"\C", " "));
        assert!(m(r"\-\^\\", "-^\\"));
        assert!(XsdRegex::new(r"\$").is_err());
        assert!(XsdRegex::new(r"\x").is_err());
    }

    #[test]
    fn categories_and_blocks() {
        assert!(m(r"\p{Lu}", "A"));
        assert!(!m(r"\p{Lu}", "a"));
        assert!(m(r"\P{L}", "1"));
        assert!(m(r"\p{IsGreek}", "α"));
        assert!(m(r"\p{IsGreekandCoptic}", "α"));
        assert!(m(r"\p{IsBasicLatin}+", "abc"));
        assert!(m(r"\p{IsLatin-1Supplement}", "é"));
        assert!(!m(r"\p{IsGothic}", "X"));
        for cat in [
            "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P",
            "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Z", "Zs", "Zl", "Zp", "S", "Sm", "Sc", "Sk",
            "So", "C", "Cc", "Cf", "Co", "Cn",
        ] {
            let set = category(cat).unwrap_or_else(|| panic!("{cat}"));
            assert!(!set.ranges.is_empty(), "{cat}");
        }
        assert!(m(r"\p{Cn}", "\u{0378}"));
        assert!(m(r"\p{Co}", "\u{E000}"));
        assert!(XsdRegex::new(r"\p{Cs}").is_err());
        assert!(XsdRegex::new(r"\p{Latin}").is_err());
        assert!(XsdRegex::new(r"\pL").is_err());
        assert!(XsdRegex::new(r"\p{Foo}").is_err());
        assert!(XsdRegex::new(r"\p{IsNoSuchBlock}").is_err());
        assert!(XsdRegex::new(r"\p{IsHighSurrogates}").is_err());
    }

    #[test]
    fn classes() {
        assert!(m("[a-z-[aeiou]]", "b"));
        assert!(!m("[a-z-[aeiou]]", "e"));
        assert!(m("[^a-c]", "d"));
        assert!(!m("[^a-c]", "b"));
        assert!(m("[-a]", "-"));
        assert!(m("[a-]", "-"));
        assert!(m("[^-a]", "b"));
        assert!(m("[^abc-[b]]", "x"));
        assert!(!m("[^abc-[x]]", "x"));
        assert!(m("[f&&g]", "&"));
        assert!(!m("[a-[a]]", "a"));
        for bad in [
            "[]",
            "[^]",
            "[]]",
            "[[]",
            r"[\]",
            "[a-[a]-[a]]",
            "[z-a]",
            "[a-b-c]",
            "[",
        ] {
            assert!(XsdRegex::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quantifiers() {
        assert!(m("x{2,3}", "xxx"));
        assert!(!m("x{2,3}", "x"));
        assert!(m("x{2,}", "xxxxx"));
        assert!(m("(ab)*", "abab"));
        for bad in [
            "a??", "a*?", "x{2,1}", "x{1, 2}", "x{ 2}", "x{+2}", "{", "}", "*", "(", ")",
        ] {
            assert!(XsdRegex::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hostile_pattern_is_an_error() {
        let e = XsdRegex::new(r"((\c{1000}){1000}){1000}").unwrap_err();
        assert!(e.to_string().contains("too large"), "{e}");
    }

    #[test]
    fn deferred_patterns_match_as_compiled_ones() {
        for (p, yes, no) in [
            ("[A-Z]{2}\\d", "AB7", "ab7"),
            ("[^\\p{C}\\p{Z}]+", "a.b", "a b"),
        ] {
            let (now, later) = (XsdRegex::new(p).unwrap(), XsdRegex::deferred(p).unwrap());
            assert!(later.regex.get().is_none(), "not compiled before use");
            assert_eq!((now.is_match(yes), now.is_match(no)), (true, false));
            assert_eq!((later.is_match(yes), later.is_match(no)), (true, false));
            assert_eq!(later.as_str(), p);
        }
        // Syntax is still checked at once; only compiling waits.
        assert!(XsdRegex::deferred("[a-").is_err());
        // A pattern too large to compile matches nothing rather than failing later.
        let big = XsdRegex::deferred(r"((\c{1000}){1000}){1000}").unwrap();
        assert!(!big.is_match("a"));
    }

    #[test]
    fn charset_algebra() {
        let s = CharSet::from_ranges(vec![(5, 10), (1, 3), (4, 4)]);
        assert_eq!(s.ranges, vec![(1, 10)]);
        let t = s.minus(&CharSet::from_ranges(vec![(3, 5)]));
        assert_eq!(t.ranges, vec![(1, 2), (6, 10)]);
        assert!(t.complement().contains('\0'));
        assert_eq!(CharSet::default().complement().ranges, vec![(0, MAX_CP)]);
    }
}
