//! Stage 2: a unit's bytes → inline tokens (text, line breaks, editorial brackets).
//!
//! Brackets nest; `[[` opens a double bracket closed by `]]`. A bracket still open at the end
//! of its unit is closed there (and marked so the writer can reproduce the missing `]`), with
//! a warning pointing at the opening bracket. A stray `]` stays text, with a warning.
//! Trailing white space before a line break is dropped (the round trip normalises it).

use teikit_diagnostics::{Diagnostic, Span};

/// Deepest bracket nesting honoured; deeper `[` are kept as text.
pub(crate) const MAX_DEPTH: usize = 16;

/// One inline token.
#[derive(Clone, Debug)]
pub(crate) enum Tok {
    /// Text `start..end` (never contains a line break).
    Text(usize, usize),
    /// A run of line breaks: `newlines` line ends (so `newlines - 1` blank lines).
    Break(usize),
    /// An editorial bracket.
    Br(Bracket),
}

/// An editorial bracket and what it contains.
#[derive(Clone, Debug)]
pub(crate) struct Bracket {
    /// Offset of the opening `[`.
    pub open: usize,
    /// `[[ … ]]`.
    pub double: bool,
    /// False when the bracket was closed by force at the end of its unit.
    pub closed: bool,
    /// Offset just after the opening bracket(s).
    pub inner_start: usize,
    /// Offset of the closing bracket (or end of unit).
    pub inner_end: usize,
    /// Offset just after the closing bracket(s).
    pub end: usize,
    /// The content.
    pub toks: Vec<Tok>,
}

impl Bracket {
    /// The raw content, line breaks included.
    pub fn inner<'a>(&self, src: &'a str) -> &'a str {
        &src[self.inner_start..self.inner_end]
    }

    /// The content as plain text, if it holds no nested bracket and no line break.
    pub fn plain<'a>(&self, src: &'a str) -> Option<&'a str> {
        match self.toks.as_slice() {
            [] => Some(""),
            [Tok::Text(a, b)] => Some(&src[*a..*b]),
            _ => None,
        }
    }
}

/// Tokenizes `src[start..end]`.
pub(crate) fn tokenize(
    src: &str,
    start: usize,
    end: usize,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Tok> {
    let bytes = src.as_bytes();
    // Stack of open brackets with the tokens gathered inside each.
    let mut stack: Vec<(Bracket, Vec<Tok>)> = Vec::new();
    let mut out: Vec<Tok> = Vec::new();
    let mut text_start = start;
    let mut i = start;

    fn push(stack: &mut [(Bracket, Vec<Tok>)], out: &mut Vec<Tok>, t: Tok) {
        match stack.last_mut() {
            Some((_, toks)) => toks.push(t),
            None => out.push(t),
        }
    }
    fn flush(stack: &mut [(Bracket, Vec<Tok>)], out: &mut Vec<Tok>, a: usize, b: usize) {
        if a < b {
            push(stack, out, Tok::Text(a, b));
        }
    }

    while i < end {
        match bytes[i] {
            b'\n' | b'\r' => {
                // Text up to the trimmed end of this line.
                let line_end = text_start + src[text_start..i].trim_end().len();
                flush(&mut stack, &mut out, text_start, line_end);
                let mut newlines = 0;
                let mut j = i;
                // Consume this line end and any following blank lines.
                loop {
                    if bytes[j] == b'\r' && j + 1 < end && bytes[j + 1] == b'\n' {
                        j += 2;
                    } else {
                        j += 1;
                    }
                    newlines += 1;
                    let rest = &src[j..end];
                    let line_len = rest.find(['\n', '\r']).unwrap_or(rest.len());
                    if j + line_len < end && rest[..line_len].trim().is_empty() {
                        j += line_len;
                        continue;
                    }
                    break;
                }
                push(&mut stack, &mut out, Tok::Break(newlines));
                i = j;
                text_start = j;
            }
            b'[' if stack.len() < MAX_DEPTH => {
                flush(&mut stack, &mut out, text_start, i);
                let double = i + 1 < end && bytes[i + 1] == b'[';
                let w = if double { 2 } else { 1 };
                stack.push((
                    Bracket {
                        open: i,
                        double,
                        closed: true,
                        inner_start: i + w,
                        inner_end: i + w,
                        end: i + w,
                        toks: Vec::new(),
                    },
                    Vec::new(),
                ));
                i += w;
                text_start = i;
            }
            b']' => {
                let closes = match stack.last() {
                    None => None,
                    Some((b, _)) if b.double => {
                        if i + 1 < end && bytes[i + 1] == b']' {
                            Some(2)
                        } else {
                            None
                        }
                    }
                    Some(_) => Some(1),
                };
                match closes {
                    Some(w) => {
                        flush(&mut stack, &mut out, text_start, i);
                        let (mut b, toks) = stack.pop().expect("checked above");
                        b.inner_end = i;
                        b.end = i + w;
                        b.toks = toks;
                        push(&mut stack, &mut out, Tok::Br(b));
                        i += w;
                        text_start = i;
                    }
                    None => {
                        diags.push(
                            Diagnostic::warning(
                                "convert/unmatched-close-bracket",
                                "a closing bracket without an opening one is kept as text",
                            )
                            .with_label(Span::new(i, 1), "no `[` opens this"),
                        );
                        i += 1;
                    }
                }
            }
            _ => i += 1,
        }
    }
    let tail_end = text_start + src[text_start..end].trim_end().len();
    flush(&mut stack, &mut out, text_start, tail_end);
    while let Some((mut b, toks)) = stack.pop() {
        b.closed = false;
        b.inner_end = tail_end.max(b.inner_start);
        b.end = b.inner_end;
        b.toks = toks;
        diags.push(
            Diagnostic::warning(
                "convert/unclosed-bracket",
                "a bracket left open is closed at the end of its block",
            )
            .with_label(
                Span::new(b.open, if b.double { 2 } else { 1 }),
                "opened here",
            )
            .with_secondary(Span::new(tail_end, 0), "closed here by the converter")
            .with_help("add the missing `]` where the editorial insertion ends"),
        );
        push(&mut stack, &mut out, Tok::Br(b));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(src: &str, toks: &[Tok]) -> String {
        let mut s = String::new();
        for t in toks {
            match t {
                Tok::Text(a, b) => s.push_str(&src[*a..*b]),
                Tok::Break(n) => s.push_str(&format!("<br{n}>")),
                Tok::Br(b) => {
                    s.push_str(if b.double { "{{" } else { "{" });
                    s.push_str(&show(src, &b.toks));
                    s.push_str(match (b.closed, b.double) {
                        (false, _) => "!",
                        (true, true) => "}}",
                        (true, false) => "}",
                    });
                }
            }
        }
        s
    }

    fn check(src: &str, expect: &str, warnings: usize) {
        let mut d = Vec::new();
        let t = tokenize(src, 0, src.len(), &mut d);
        assert_eq!(show(src, &t), expect);
        assert_eq!(d.len(), warnings, "{d:?}");
    }

    #[test]
    fn brackets() {
        check("a [b] c", "a {b} c", 0);
        check("x [[two words]] y", "x {{two words}} y", 0);
        check("[stamp: a [illegible]]", "{stamp: a {illegible}}", 0);
        check("Com[rade]", "Com{rade}", 0);
    }

    #[test]
    fn breaks_and_trailing_space() {
        check("a \t\nb\n \n\nc", "a<br1>b<br3>c", 0);
        check("[x\r\ny]", "{x<br1>y}", 0);
    }

    #[test]
    fn broken_brackets() {
        check("a [b c", "a {b c!", 1);
        check("a ] b", "a ] b", 1);
        check("[[a] b", "{{a] b!", 2);
    }
}
