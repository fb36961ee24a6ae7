//! Byte offset → line/column, built once per source.

/// The start offsets of every line of one source, for O(log n) offset → (line, column).
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `src` (any bytes; lines end at `\n`).
    pub fn new(src: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            src.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 1-based line and 1-based column (in characters, invalid UTF-8 bytes counting one each)
    /// of byte `offset` in `src`. Offsets past the end are clamped.
    pub fn line_col(&self, src: &[u8], offset: usize) -> (usize, usize) {
        let offset = offset.min(src.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let col = count_chars(&src[start..offset]) + 1;
        (line + 1, col)
    }

    /// The byte offset where 1-based `line` starts, if it exists.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line.checked_sub(1)?).copied()
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// Counts characters, counting each byte of an invalid sequence as one character.
fn count_chars(bytes: &[u8]) -> usize {
    // A UTF-8 character has exactly one byte that is not a continuation byte (10xxxxxx);
    // stray continuation bytes of invalid input are counted one each below.
    let mut n = 0;
    let mut chunks = bytes.utf8_chunks();
    for chunk in &mut chunks {
        n += chunk.valid().chars().count();
        n += chunk.invalid().len();
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(src: &str, offset: usize, expect: (usize, usize)) {
        let idx = LineIndex::new(src.as_bytes());
        assert_eq!(idx.line_col(src.as_bytes(), offset), expect);
    }

    #[test]
    fn first_line() {
        check("abc", 0, (1, 1));
        check("abc", 2, (1, 3));
    }

    #[test]
    fn later_lines_and_chars() {
        check("a\nbc\nd", 3, (2, 2));
        check("a\nbc\nd", 5, (3, 1));
        // "é" is two bytes, one column
        check("é<x", 2, (1, 2));
    }

    #[test]
    fn invalid_utf8_counts_bytes() {
        let src = b"a\xff\xfeb";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, 3), (1, 4));
    }

    #[test]
    fn clamps_past_end() {
        check("ab", 99, (1, 3));
    }
}
