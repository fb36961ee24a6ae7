//! Byte offset → line/column, built once per source.
//!
//! Lines are found by a binary search over line starts. Columns are counted in characters, and
//! to keep that cheap on very long lines (a minified 10 MB document is one line) the index also
//! keeps a checkpoint every [`CHECKPOINT_STRIDE`] bytes: the number of characters before it,
//! built on the first query that needs one. A column query then decodes at most one stride of
//! bytes, so `k` queries on an `n`-byte source cost `O(n + k·(log n + stride))` instead of
//! `O(k·n)`; a source whose lines are all shorter than a stride is read once, for its lines.

use std::sync::OnceLock;

/// Bytes between two character-count checkpoints.
const CHECKPOINT_STRIDE: usize = 1024;

/// The start offsets of every line of one source, for O(log n) offset → (line, column).
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// `(byte offset, characters before it)`, increasing, starting with `(0, 0)`. Each offset is
    /// a point where UTF-8 decoding starts afresh (no sequence crosses it), so character counts
    /// add up across it. Built on the first column query on a line longer than a stride: most
    /// sources have none, and building them reads the whole source again.
    checkpoints: OnceLock<Vec<(usize, usize)>>,
    /// Bytes between two checkpoints (at least).
    stride: usize,
}

impl LineIndex {
    /// Indexes `src` (any bytes; lines end at `\n`).
    pub fn new(src: &[u8]) -> LineIndex {
        LineIndex::with_stride(src, CHECKPOINT_STRIDE)
    }

    fn with_stride(src: &[u8], stride: usize) -> LineIndex {
        #[cfg(test)]
        tests::BUILDS.with(|b| b.set(b.get() + 1));
        LineIndex {
            starts: line_starts(src),
            checkpoints: OnceLock::new(),
            stride,
        }
    }

    /// 1-based line and 1-based column (in characters, invalid UTF-8 bytes counting one each)
    /// of byte `offset` in `src`. Offsets past the end are clamped.
    ///
    /// `src` must be the bytes the index was built from.
    pub fn line_col(&self, src: &[u8], offset: usize) -> (usize, usize) {
        let offset = offset.min(src.len());
        let line = self.line_of(offset);
        let start = self.starts[line];
        // A line start follows a line feed, where decoding starts afresh, so the characters
        // of a short line prefix can be counted directly; long ones go through checkpoints.
        let col = if offset - start <= self.stride {
            count_chars(&src[start..offset]) + 1
        } else {
            self.chars_before(src, offset) - self.chars_before(src, start) + 1
        };
        (line + 1, col)
    }

    /// 1-based line of byte `offset` (offsets past the end are on the last line).
    pub fn line(&self, offset: usize) -> usize {
        self.line_of(offset) + 1
    }

    /// 0-based line containing byte `offset` (which must be clamped to the source).
    fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Characters in `src[..offset]`, from the nearest checkpoint.
    fn chars_before(&self, src: &[u8], offset: usize) -> usize {
        let checkpoints = self
            .checkpoints
            .get_or_init(|| checkpoints(src, self.stride));
        let i = match checkpoints.binary_search_by_key(&offset, |c| c.0) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let (at, before) = checkpoints[i];
        before + count_chars(&src[at..offset])
    }

    /// The byte range of 1-based `line`, without its line break, if it exists. `src` must be
    /// the bytes the index was built from.
    pub fn line_range(&self, src: &[u8], line: usize) -> Option<std::ops::Range<usize>> {
        let start = self.line_start(line)?;
        let end = match self.starts.get(line) {
            Some(next) => next - 1,
            None => src.len(),
        };
        Some(start..end.max(start))
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

/// The character-count checkpoints of `src`, at least `stride` bytes apart (see
/// [`LineIndex`]'s field).
fn checkpoints(src: &[u8], stride: usize) -> Vec<(usize, usize)> {
    let mut checkpoints = vec![(0, 0)];
    if std::str::from_utf8(src).is_ok() {
        // The common case, without decoding: a checkpoint at the first character
        // boundary at least `stride` bytes after the previous one.
        let (mut pos, mut chars) = (0, 0);
        loop {
            let mut next = pos + stride;
            while next < src.len() && src[next] & 0xC0 == 0x80 {
                next += 1;
            }
            if next >= src.len() {
                break;
            }
            chars += count_valid(&src[pos..next]);
            checkpoints.push((next, chars));
            pos = next;
        }
        return checkpoints;
    }
    let mut next = stride;
    let mut pos = 0;
    let mut chars = 0;
    // Checkpoints go at character boundaries and after invalid sequences, the points where
    // a decoder is in its initial state.
    for chunk in src.utf8_chunks() {
        if pos + chunk.valid().len() >= next {
            for (i, _) in chunk.valid().char_indices() {
                if pos + i >= next {
                    checkpoints.push((pos + i, chars));
                    next = pos + i + stride;
                }
                chars += 1;
            }
        } else {
            chars += chunk.valid().chars().count();
        }
        pos += chunk.valid().len();
        // Each byte of an invalid sequence counts as one character.
        chars += chunk.invalid().len();
        pos += chunk.invalid().len();
        if pos >= next && pos < src.len() {
            checkpoints.push((pos, chars));
            next = pos + stride;
        }
    }
    checkpoints
}

/// Counts characters, counting each byte of an invalid sequence as one character.
fn count_chars(bytes: &[u8]) -> usize {
    if bytes.is_ascii() {
        return bytes.len();
    }
    if simdutf8::basic::from_utf8(bytes).is_ok() {
        return count_valid(bytes);
    }
    let mut n = 0;
    for chunk in bytes.utf8_chunks() {
        n += chunk.valid().chars().count();
        n += chunk.invalid().len();
    }
    n
}

/// Counts the characters of valid UTF-8: the bytes that do not continue a sequence
/// (`0b10xx_xxxx`, which are the bytes below -64 as `i8`).
fn count_valid(bytes: &[u8]) -> usize {
    // Byte-wide sums over blocks of at most 255 bytes vectorise well.
    bytes
        .chunks(255)
        .map(|block| {
            let n = block
                .iter()
                .fold(0u8, |n, &b| n.wrapping_add(u8::from((b as i8) >= -64)));
            usize::from(n)
        })
        .sum()
}

/// 0, then the offset after every line feed (memchr finds them with SIMD where the CPU
/// has it: a few megabytes in well under a millisecond).
fn line_starts(src: &[u8]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(src.len() / 64 + 1);
    starts.push(0);
    starts.extend(memchr::memchr_iter(b'\n', src).map(|i| i + 1));
    starts
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// How many indexes this thread has built, so renderers can be tested to build one per file.
        pub(crate) static BUILDS: Cell<usize> = const { Cell::new(0) };
    }

    fn check(src: &str, offset: usize, expect: (usize, usize)) {
        let idx = LineIndex::new(src.as_bytes());
        assert_eq!(idx.line_col(src.as_bytes(), offset), expect);
    }

    /// The definition: count the characters of the line prefix.
    fn naive(src: &[u8], offset: usize) -> (usize, usize) {
        let offset = offset.min(src.len());
        let line_start = src[..offset]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let line = src[..offset].iter().filter(|b| **b == b'\n').count() + 1;
        let mut column = 1;
        for chunk in src[line_start..offset].utf8_chunks() {
            column += chunk.valid().chars().count() + chunk.invalid().len();
        }
        (line, column)
    }

    #[test]
    fn line_starts_at_every_block_position() {
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 100] {
            for nl in 0..len {
                let mut src = vec![b'x'; len];
                src[nl] = b'\n';
                src[len - 1] = b'\n';
                let naive: Vec<usize> = std::iter::once(0)
                    .chain((0..len).filter(|&i| src[i] == b'\n').map(|i| i + 1))
                    .collect();
                assert_eq!(line_starts(&src), naive, "{len} {nl}");
            }
        }
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

    #[test]
    fn line_ranges() {
        let src = b"ab\ncd\n";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_range(src, 1), Some(0..2));
        assert_eq!(idx.line_range(src, 2), Some(3..5));
        assert_eq!(idx.line_range(src, 3), Some(6..6));
        assert_eq!(idx.line_range(src, 4), None);
        assert_eq!(idx.line_range(src, 0), None);
    }

    /// Checkpoints must not change any answer: compare with the definition on inputs mixing
    /// ASCII, multi-byte characters, invalid and truncated sequences, at every offset, with
    /// strides small enough to put checkpoints everywhere.
    #[test]
    fn checkpoints_agree_with_definition() {
        let pieces: &[&[u8]] = &[
            b"a",
            b"\n",
            "é".as_bytes(),
            "€".as_bytes(),
            "𝄞".as_bytes(),
            b"\xff",
            b"\x80",
            b"\xe2\x82",
            b"\xf0\x9d",
            b"\r\n",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..300 {
            let mut src = Vec::new();
            for _ in 0..(seed % 23) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                src.extend_from_slice(pieces[(seed % pieces.len() as u64) as usize]);
            }
            for stride in [1, 2, 3, 5, 1024] {
                let idx = LineIndex::with_stride(&src, stride);
                for offset in 0..=src.len() + 1 {
                    assert_eq!(
                        idx.line_col(&src, offset),
                        naive(&src, offset),
                        "src {src:?}, stride {stride}, offset {offset}"
                    );
                }
            }
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
    }

    /// On a single 4 MB line, columns far to the right come from a checkpoint, not a rescan.
    #[test]
    fn long_line_columns() {
        let src = "é".repeat(2 << 20);
        let idx = LineIndex::new(src.as_bytes());
        for k in 0..20_000 {
            let offset = (k * 209) * 2 % src.len();
            assert_eq!(idx.line_col(src.as_bytes(), offset), (1, offset / 2 + 1));
        }
        assert!(idx.checkpoints.get().is_some_and(|c| c.len() > 4000));
    }

    /// Short lines need no checkpoint, so none are built.
    #[test]
    fn short_lines_build_no_checkpoints() {
        let src = "é<x/>\n".repeat(100_000);
        let idx = LineIndex::new(src.as_bytes());
        assert_eq!(idx.line_col(src.as_bytes(), src.len() - 3), (100_000, 4));
        assert!(idx.checkpoints.get().is_none());
    }
}
