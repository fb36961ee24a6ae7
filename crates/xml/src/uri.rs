//! Small URI helpers shared by the readers of `href`s (schema includes, XInclude).

/// Decodes `%XX` escapes in a URI reference. Malformed escapes are kept as written; a result
/// that is not UTF-8 gives the input back unchanged.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn decodes_escapes_and_keeps_malformed_ones() {
        assert_eq!(percent_decode("a%20b.rng"), "a b.rng");
        assert_eq!(percent_decode("%C3%A9"), "é");
        assert_eq!(percent_decode("100%zz"), "100%zz");
        assert_eq!(percent_decode("%FF"), "%FF");
    }
}
