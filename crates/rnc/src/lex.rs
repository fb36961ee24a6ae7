//! Lexical stages of the compact syntax (spec appendix A.2): BOM stripping, newline
//! normalisation, `\x{…}` escape interpretation, then tokenisation. Every character and token
//! keeps the byte range it came from in the original text, so an escaped character's span is
//! the whole escape sequence.

use std::ops::Range;

use crate::chars::{is_name_char, is_name_start, is_xml_char};
use crate::ParseError;

/// Lexer errors stop being collected after this many.
const MAX_LEX_ERRORS: usize = 20;

/// One character after newline normalisation and escape interpretation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ch {
    /// The character; a newline marker is `'\n'` with `nl` set.
    pub c: char,
    /// A newline marker (a real line break in the text, not an escaped `\x{A}`).
    pub nl: bool,
    /// First byte in the original text.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

/// A token kind with its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// An unquoted `NCName` (keywords included; the parser decides).
    Ident(String),
    /// `\NCName`: never a keyword.
    QIdent(String),
    /// `prefix:local`.
    CName(String, String),
    /// `prefix:*`.
    NsName(String),
    /// One `literalSegment` (the parser joins segments on `~`).
    Lit(String),
    /// A documentation comment (`##`), adjacent lines merged.
    Doc(String),
    /// Punctuation: `{ } ( ) [ ] = |= &= | & , ? * + - ~ >>`.
    P(&'static str),
    /// End of input.
    Eof,
}

/// A token and the bytes of the original text it was made from.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Range<usize>,
    /// The token is the first on its line (used to resynchronise after an error).
    pub line_start: bool,
}

/// Decodes `text` into characters (spec A.2.2–A.2.4).
pub(crate) fn decode(text: &str, errors: &mut Vec<ParseError>) -> Vec<Ch> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    if text.starts_with('\u{FEFF}') {
        i = 3;
    }
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\r' {
            let end = if bytes.get(i + 1) == Some(&b'\n') {
                i + 2
            } else {
                i + 1
            };
            out.push(ch('\n', true, i, end));
            i = end;
            continue;
        }
        if b == b'\n' {
            out.push(ch('\n', true, i, i + 1));
            i += 1;
            continue;
        }
        if b == b'\\' {
            // `\` x+ `{` opens an escape sequence.
            let mut j = i + 1;
            while bytes.get(j) == Some(&b'x') {
                j += 1;
            }
            if j > i + 1 && bytes.get(j) == Some(&b'{') {
                let digits_start = j + 1;
                let mut k = digits_start;
                let mut value: u32 = 0;
                let mut overflow = false;
                while let Some(d) = bytes.get(k).and_then(|&b| (b as char).to_digit(16)) {
                    value = value.saturating_mul(16).saturating_add(d);
                    if value > 0x10FFFF {
                        overflow = true;
                    }
                    k += 1;
                }
                if k == digits_start || bytes.get(k) != Some(&b'}') {
                    let bad_end = if k < bytes.len() {
                        next_char_end(text, k)
                    } else {
                        k
                    };
                    push_err(
                        errors,
                        if k == digits_start {
                            "an escape sequence needs hexadecimal digits: write \\x{41} for \"A\""
                        } else {
                            "unterminated escape sequence: expected hexadecimal digits and a closing \"}\""
                        },
                        i..bad_end,
                    );
                    i = k;
                    continue;
                }
                let end = k + 1;
                match char::from_u32(value).filter(|&c| !overflow && is_xml_char(c)) {
                    Some(c) => out.push(ch(c, false, i, end)),
                    None => push_err(
                        errors,
                        &format!(
                            "the escape sequence {} does not denote an XML character",
                            &text[i..end]
                        ),
                        i..end,
                    ),
                }
                i = end;
                continue;
            }
        }
        let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
        let end = i + c.len_utf8();
        if is_xml_char(c) {
            out.push(ch(c, false, i, end));
        } else {
            push_err(
                errors,
                &format!("character U+{:04X} is not allowed in a schema", c as u32),
                i..end,
            );
        }
        i = end;
    }
    out
}

fn next_char_end(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

fn ch(c: char, nl: bool, start: usize, end: usize) -> Ch {
    Ch {
        c,
        nl,
        start: start as u32,
        end: end as u32,
    }
}

fn push_err(errors: &mut Vec<ParseError>, message: &str, span: Range<usize>) {
    if errors.len() < MAX_LEX_ERRORS {
        errors.push(ParseError::new(message, span));
    }
}

/// Splits decoded characters into tokens (spec A.2.5). The last token is always `Eof`.
pub(crate) fn tokenize(chs: &[Ch], text_len: usize, errors: &mut Vec<ParseError>) -> Vec<Token> {
    let mut lx = Lexer {
        chs,
        i: 0,
        errors,
        out: Vec::new(),
        saw_newline: true,
    };
    lx.run();
    let eof = chs
        .last()
        .map_or(text_len, |c| c.end as usize)
        .max(text_len);
    lx.out.push(Token {
        tok: Tok::Eof,
        span: eof..eof,
        line_start: true,
    });
    lx.out
}

struct Lexer<'a> {
    chs: &'a [Ch],
    i: usize,
    errors: &'a mut Vec<ParseError>,
    out: Vec<Token>,
    saw_newline: bool,
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> Option<char> {
        self.chs.get(self.i + k).map(|c| c.c)
    }

    fn span(&self, from: usize, to: usize) -> Range<usize> {
        let start = self.chs[from].start as usize;
        let end = if to > from {
            self.chs[to - 1].end as usize
        } else {
            start
        };
        start..end
    }

    fn push(&mut self, tok: Tok, from: usize) {
        let span = self.span(from, self.i);
        let line_start = std::mem::replace(&mut self.saw_newline, false);
        self.out.push(Token {
            tok,
            span,
            line_start,
        });
    }

    fn error(&mut self, message: &str, from: usize, to: usize) {
        let span = self.span(from, to.max(from + 1).min(self.chs.len()));
        push_err(self.errors, message, span);
    }

    fn run(&mut self) {
        while self.i < self.chs.len() {
            if self.errors.len() >= MAX_LEX_ERRORS {
                return;
            }
            let start = self.i;
            let c = self.chs[self.i].c;
            match c {
                ' ' | '\t' => self.i += 1,
                '\n' => {
                    self.saw_newline = true;
                    self.i += 1;
                }
                '#' => {
                    if self.peek(1) == Some('#') {
                        self.documentation();
                    } else {
                        while self.i < self.chs.len() && self.chs[self.i].c != '\n' {
                            self.i += 1;
                        }
                    }
                }
                '"' | '\'' => self.literal(c),
                '\\' => {
                    self.i += 1;
                    match self.peek(0) {
                        Some(c) if is_name_start(c) => {
                            let name = self.ncname();
                            self.push(Tok::QIdent(name), start);
                        }
                        _ => self.error(
                            "a backslash must be followed by a name (\\element quotes a keyword) or start an escape sequence \\x{…}",
                            start,
                            start + 1,
                        ),
                    }
                }
                c if is_name_start(c) => {
                    let name = self.ncname();
                    if self.peek(0) == Some(':') {
                        match self.peek(1) {
                            Some('*') => {
                                self.i += 2;
                                self.push(Tok::NsName(name), start);
                                continue;
                            }
                            Some(c) if is_name_start(c) => {
                                self.i += 1;
                                let local = self.ncname();
                                self.push(Tok::CName(name, local), start);
                                continue;
                            }
                            _ => {}
                        }
                    }
                    self.push(Tok::Ident(name), start);
                }
                _ => {
                    let two = (c, self.peek(1));
                    let p: Option<(&'static str, usize)> = match two {
                        ('|', Some('=')) => Some(("|=", 2)),
                        ('&', Some('=')) => Some(("&=", 2)),
                        ('>', Some('>')) => Some((">>", 2)),
                        ('{', _) => Some(("{", 1)),
                        ('}', _) => Some(("}", 1)),
                        ('(', _) => Some(("(", 1)),
                        (')', _) => Some((")", 1)),
                        ('[', _) => Some(("[", 1)),
                        (']', _) => Some(("]", 1)),
                        ('=', _) => Some(("=", 1)),
                        ('|', _) => Some(("|", 1)),
                        ('&', _) => Some(("&", 1)),
                        (',', _) => Some((",", 1)),
                        ('?', _) => Some(("?", 1)),
                        ('*', _) => Some(("*", 1)),
                        ('+', _) => Some(("+", 1)),
                        ('-', _) => Some(("-", 1)),
                        ('~', _) => Some(("~", 1)),
                        _ => None,
                    };
                    match p {
                        Some((p, n)) => {
                            self.i += n;
                            self.push(Tok::P(p), start);
                        }
                        None => {
                            let message = match c {
                                '\r' => "a carriage return written as \\x{D} is not whitespace in the compact syntax".to_string(),
                                ':' => "unexpected \":\": a prefixed name is written prefix:local, with no spaces".to_string(),
                                '0'..='9' => format!("unexpected character '{c}': values and parameters are literals in quotes, as in \"{c}\""),
                                _ => format!("unexpected character {}", describe_char(c)),
                            };
                            self.error(&message, start, start + 1);
                            self.i += 1;
                        }
                    }
                }
            }
        }
    }

    fn ncname(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek(0) {
            if !is_name_char(c) {
                break;
            }
            s.push(c);
            self.i += 1;
        }
        s
    }

    /// `##` lines; adjacent lines (separated only by a newline and indentation) merge.
    fn documentation(&mut self) {
        let start = self.i;
        let mut text = String::new();
        loop {
            // At "##": skip every leading '#', then one space.
            while self.peek(0) == Some('#') {
                self.i += 1;
            }
            if self.peek(0) == Some(' ') {
                self.i += 1;
            }
            while let Some(c) = self.peek(0) {
                if c == '\n' {
                    break;
                }
                text.push(c);
                self.i += 1;
            }
            // A continuation: newline, indentation, "##".
            let mut j = self.i;
            if self.chs.get(j).map(|c| c.c) != Some('\n') {
                break;
            }
            j += 1;
            while matches!(self.chs.get(j).map(|c| c.c), Some(' ' | '\t')) {
                j += 1;
            }
            if self.chs.get(j).map(|c| c.c) == Some('#')
                && self.chs.get(j + 1).map(|c| c.c) == Some('#')
            {
                text.push('\n');
                self.i = j;
            } else {
                break;
            }
        }
        self.push(Tok::Doc(text), start);
    }

    fn literal(&mut self, q: char) {
        let start = self.i;
        let triple = self.peek(1) == Some(q) && self.peek(2) == Some(q);
        let mut value = String::new();
        if triple {
            self.i += 3;
            loop {
                match self.peek(0) {
                    None => {
                        self.error(
                            &format!("unterminated literal: expected {q}{q}{q} to close the literal started here"),
                            start,
                            start + 3,
                        );
                        return;
                    }
                    Some(c) if c == q && self.peek(1) == Some(q) && self.peek(2) == Some(q) => {
                        self.i += 3;
                        break;
                    }
                    Some(c) => {
                        value.push(c);
                        self.i += 1;
                    }
                }
            }
        } else {
            self.i += 1;
            loop {
                match self.chs.get(self.i) {
                    None => {
                        self.error(
                            &format!("unterminated literal: expected {q} to close the literal started here"),
                            start,
                            start + 1,
                        );
                        return;
                    }
                    Some(c) if c.nl => {
                        self.error(
                            &format!("unterminated literal: a literal in {q} cannot span lines (use {q}{q}{q} for multi-line literals, or \\x{{A}})"),
                            start,
                            self.i,
                        );
                        return;
                    }
                    Some(c) if c.c == q => {
                        self.i += 1;
                        break;
                    }
                    Some(c) => {
                        value.push(c.c);
                        self.i += 1;
                    }
                }
            }
        }
        self.push(Tok::Lit(value), start);
    }
}

fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("{c:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        let mut errors = Vec::new();
        let chs = decode(s, &mut errors);
        let t = tokenize(&chs, s.len(), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        t.into_iter().map(|t| t.tok).collect()
    }

    fn errs(s: &str) -> Vec<ParseError> {
        let mut errors = Vec::new();
        let chs = decode(s, &mut errors);
        tokenize(&chs, s.len(), &mut errors);
        errors
    }

    #[test]
    fn escapes_are_interpreted_before_tokens() {
        assert_eq!(
            toks("\\x{65}l\\xxx{00065}ment\\x{20}a:b"),
            vec![
                Tok::Ident("element".into()),
                Tok::CName("a".into(), "b".into()),
                Tok::Eof
            ]
        );
        // `\x{5C}x{5C}` is `\x{5C}` after interpretation, i.e. a quoted identifier `x`, …
        assert_eq!(toks("\\x{5C}x")[0], Tok::QIdent("x".into()));
        assert!(!errs("\\x{}").is_empty());
        assert!(!errs("\\x{7d").is_empty());
        assert!(!errs("\"\\x{D800}\"").is_empty());
        assert!(!errs("\"\\x{110000}\"").is_empty());
        assert!(!errs("\\x{FFFFFFFFFFFFFFFFFFFF}").is_empty());
    }

    #[test]
    fn escaped_newline_is_whitespace_but_escaped_cr_is_not() {
        assert_eq!(toks("a\\x{A}b").len(), 3);
        assert!(!errs("\\x{D}foo").is_empty());
    }

    #[test]
    fn literals() {
        assert_eq!(toks("'\"'")[0], Tok::Lit("\"".into()));
        assert_eq!(toks("\"\"\"\"'\"\"\"")[0], Tok::Lit("\"'".into()));
        assert_eq!(toks("'''x''\"\"y'''")[0], Tok::Lit("x''\"\"y".into()));
        assert_eq!(toks("\"\"\"a\nb\"\"\"")[0], Tok::Lit("a\nb".into()));
        assert_eq!(toks("\"z\\x{A}\"")[0], Tok::Lit("z\n".into()));
        assert!(!errs("\"x\ny\"").is_empty());
        assert!(!errs("'''x").is_empty());
    }

    #[test]
    fn documentation_lines_merge() {
        assert_eq!(
            toks("## a\n  ### b\n\n## c\n# d\n##e")
                .into_iter()
                .filter(|t| matches!(t, Tok::Doc(_)))
                .collect::<Vec<_>>(),
            vec![
                Tok::Doc("a\nb".into()),
                Tok::Doc("c".into()),
                Tok::Doc("e".into())
            ]
        );
    }

    #[test]
    fn names_and_punctuation() {
        assert_eq!(
            toks("x:* a-b.c |= &= >> - \\element"),
            vec![
                Tok::NsName("x".into()),
                Tok::Ident("a-b.c".into()),
                Tok::P("|="),
                Tok::P("&="),
                Tok::P(">>"),
                Tok::P("-"),
                Tok::QIdent("element".into()),
                Tok::Eof
            ]
        );
        assert!(!errs("a > b").is_empty());
        assert!(!errs("\u{1}").is_empty());
    }

    #[test]
    fn spans_cover_escapes_and_crlf() {
        let s = "\r\n\\x{61}b";
        let mut errors = Vec::new();
        let chs = decode(s, &mut errors);
        let t = tokenize(&chs, s.len(), &mut errors);
        assert_eq!(t[0].span, 2..s.len());
    }
}
