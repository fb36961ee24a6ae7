//! Stage 1: lines → blocks → units.
//!
//! A *unit* is the byte range of one future TEI leaf (a paragraph, a dateline, an address
//! line …). Units are found by layout only: blank lines separate blocks; in a transcription
//! without blank lines every line is a unit; a block of short lines is split into one unit per
//! line; a short line packing two items with a run of spaces is split in two.
//! All offsets are byte offsets into the whole input.

/// One line: `start..end` is its content without trailing white space.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line {
    pub start: usize,
    pub end: usize,
}

/// What separates a unit from the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sep {
    /// Line breaks with this many blank lines between.
    Blank(usize),
    /// The same line, after this many spaces.
    Spaces(usize),
}

/// A unit: a byte range (first content byte .. end of content) and its separator.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Unit {
    pub start: usize,
    pub end: usize,
    pub sep: Sep,
}

/// The units of a transcription.
pub(crate) struct Layout {
    pub units: Vec<Unit>,
    /// True when blocks are single lines (no blank lines between paragraphs).
    pub line_mode: bool,
}

/// Splits `text[start..]` into lines (any of `\n`, `\r\n`, `\r` ends a line).
pub(crate) fn lines(text: &str, start: usize) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = start;
    let mut line_start = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push(trimmed(text, line_start, i));
                i += 1;
                line_start = i;
            }
            b'\r' => {
                out.push(trimmed(text, line_start, i));
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                line_start = i;
            }
            _ => i += 1,
        }
    }
    if line_start < bytes.len() {
        out.push(trimmed(text, line_start, bytes.len()));
    }
    out
}

fn trimmed(text: &str, start: usize, end: usize) -> Line {
    let s = &text[start..end];
    Line {
        start,
        end: start + s.trim_end().len(),
    }
}

fn is_blank(l: &Line) -> bool {
    l.end == l.start
}

/// Longest line (in characters) that still counts as a short header-like line.
pub(crate) const SHORT_LINE: usize = 60;

/// Net bracket depth change over `s`, and whether it was positive at the end.
fn depth_after(s: &str, mut depth: i64) -> i64 {
    for b in s.bytes() {
        match b {
            b'[' => depth += 1,
            b']' => depth = (depth - 1).max(0),
            _ => {}
        }
    }
    depth
}

/// Lays out the transcription.
pub(crate) fn layout(text: &str, start: usize) -> Layout {
    let all = lines(text, start);
    // Blocks: runs of non-blank lines, with the number of blank lines before each.
    let mut blocks: Vec<(usize, Vec<Line>)> = Vec::new();
    let mut blank = 0;
    let mut current: Vec<Line> = Vec::new();
    for l in all {
        if is_blank(&l) {
            if !current.is_empty() {
                blocks.push((blank, std::mem::take(&mut current)));
                blank = 0;
            }
            blank += 1;
        } else {
            current.push(l);
        }
    }
    if !current.is_empty() {
        blocks.push((blank, current));
    }
    let content_lines: usize = blocks.iter().map(|b| b.1.len()).sum();
    // Line mode: blocks average three or more lines, and those lines read as separate blocks
    // (most end a sentence or are short) rather than as hard-wrapped prose.
    let (mut interior, mut separate) = (0usize, 0usize);
    for (_, block) in &blocks {
        for l in &block[..block.len() - 1] {
            let t = &text[l.start..l.end];
            interior += 1;
            if t.chars().count() < 50 || crate::classify::ends_sentence(t) {
                separate += 1;
            }
        }
    }
    let line_mode =
        content_lines >= 6 && blocks.len() * 3 <= content_lines && separate * 2 >= interior;
    let mut units = Vec::new();
    for (blank, block) in blocks {
        let all_short = block
            .iter()
            .all(|l| text[l.start..l.end].chars().count() <= SHORT_LINE);
        let mut depth = 0;
        let mut bracket_spans_lines = false;
        for l in &block[..block.len() - 1] {
            depth = depth_after(&text[l.start..l.end], depth);
            if depth > 0 {
                bracket_spans_lines = true;
            }
        }
        let split = line_mode || (block.len() > 1 && all_short && !bracket_spans_lines);
        if split {
            for (i, l) in block.iter().enumerate() {
                let sep = Sep::Blank(if i == 0 { blank } else { 0 });
                push_packed(text, *l, sep, &mut units);
            }
        } else {
            let first = block[0];
            let last = block[block.len() - 1];
            if block.len() == 1 {
                push_packed(text, first, Sep::Blank(blank), &mut units);
            } else {
                units.push(Unit {
                    start: first.start,
                    end: last.end,
                    sep: Sep::Blank(blank),
                });
            }
        }
    }
    Layout { units, line_mode }
}

/// Pushes one line as a unit, split where it packs several short items.
fn push_packed(text: &str, line: Line, sep: Sep, units: &mut Vec<Unit>) {
    let s = &text[line.start..line.end];
    let lead = s.len() - s.trim_start().len();
    let body = &s[lead..];
    let pieces = packed_pieces(body);
    if pieces.len() < 2 {
        units.push(Unit {
            start: line.start,
            end: line.end,
            sep,
        });
        return;
    }
    let base = line.start + lead;
    for (i, (a, b)) in pieces.iter().enumerate() {
        let (start, sep) = if i == 0 {
            (line.start, sep)
        } else {
            (base + a, Sep::Spaces(a - pieces[i - 1].1))
        };
        units.push(Unit {
            start,
            end: base + b,
            sep,
        });
    }
}

/// Pieces of a line separated by runs of three or more spaces, when every piece is short and
/// no bracket is open across a run. Returns byte ranges relative to `s` (one piece = no split).
fn packed_pieces(s: &str) -> Vec<(usize, usize)> {
    if s.chars().count() > 2 * SHORT_LINE + 20 {
        return vec![(0, s.len())];
    }
    let bytes = s.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut depth = 0i64;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' => depth += 1,
            b']' => depth = (depth - 1).max(0),
            b' ' if depth == 0 => {
                let run_end = i + bytes[i..].iter().take_while(|&&b| b == b' ').count();
                // A tab before the run would be lost as trailing white space of the piece.
                let tab_before = i > 0 && bytes[i - 1] == b'\t';
                if run_end - i >= 3 && run_end < bytes.len() && !tab_before {
                    pieces.push((start, i));
                    start = run_end;
                }
                i = run_end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    pieces.push((start, bytes.len()));
    let ok = pieces.len() > 1
        && pieces.iter().all(|&(a, b)| {
            let p = &s[a..b];
            p.chars().count() <= 45
                && p.split_whitespace().count() <= 6
                && !p.ends_with([',', '.', ';', ':'])
                && !p.contains(". ")
                && !p.starts_with(char::is_lowercase)
        });
    if ok {
        pieces
    } else {
        vec![(0, s.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> (Vec<(String, Sep)>, bool) {
        let l = layout(text, 0);
        (
            l.units
                .iter()
                .map(|u| (text[u.start..u.end].to_string(), u.sep))
                .collect(),
            l.line_mode,
        )
    }

    #[test]
    fn blank_line_blocks() {
        let (u, lm) = check("A\n\n\nB b b\r\n  \r\nC\t\n");
        assert!(!lm);
        assert_eq!(
            u,
            vec![
                ("A".into(), Sep::Blank(0)),
                ("B b b".into(), Sep::Blank(2)),
                ("C".into(), Sep::Blank(1)),
            ]
        );
    }

    #[test]
    fn short_lines_split_long_lines_kept() {
        let (u, _) = check("Moscow\nMINISTRY\n\nThis is a long line of prose that goes on and on and on past the limit\nand more");
        assert_eq!(u.len(), 3);
        assert_eq!(u[1], ("MINISTRY".into(), Sep::Blank(0)));
        assert!(u[2].0.contains("\nand more"));
    }

    #[test]
    fn packed_header_line() {
        let (u, _) = check("COPY OF AN OUTGOING TELEGRAM      TOP SECRET");
        assert_eq!(
            u,
            vec![
                ("COPY OF AN OUTGOING TELEGRAM".into(), Sep::Blank(0)),
                ("TOP SECRET".into(), Sep::Spaces(6)),
            ]
        );
    }

    #[test]
    fn bracket_across_lines_keeps_block() {
        let (u, _) = check("[Stamp: Subject to return\nin 2 days]");
        assert_eq!(u.len(), 1);
    }

    #[test]
    fn hard_wrapped_prose_is_not_line_mode() {
        let para = "This paragraph is wrapped by the transcriber at about seventy\ncharacters so that every line of it runs on into the next one\nwithout any punctuation at the end of the line until the end.\n";
        let text = format!("{para}\n{para}\n{para}");
        let (u, lm) = check(&text);
        assert!(!lm);
        assert_eq!(u.len(), 3);
    }

    #[test]
    fn line_mode_when_no_blank_lines() {
        let (u, lm) = check("a\nb\nc\nd\ne\nf\ng");
        assert!(lm);
        assert_eq!(u.len(), 7);
    }
}
