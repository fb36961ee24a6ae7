//! OASIS XML catalogs (the subset jing's `-C` uses for schemas): `uri`, `system`,
//! `rewriteURI`, `rewriteSystem`, `uriSuffix`, `systemSuffix`, `group` and `nextCatalog`,
//! read with `teikit-xml` (no DTD, no external entity). They map schema URLs to local files.

use std::path::{Path, PathBuf};

use teikit_xml::Limits;

/// One mapping of a catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Entry {
    /// `uri`/`system`: this exact URL is that file.
    Exact(String, PathBuf),
    /// `rewriteURI`/`rewriteSystem`: URLs starting with the prefix continue in that folder.
    Rewrite(String, PathBuf),
    /// `uriSuffix`/`systemSuffix`: URLs ending so are that file.
    Suffix(String, PathBuf),
}

/// The catalogs given with `--catalog`, in order, with their `nextCatalog`s after them.
#[derive(Clone, Debug, Default)]
pub struct Catalogs {
    entries: Vec<Vec<Entry>>,
}

impl Catalogs {
    /// Reads the catalog files (and, depth first, the catalogs they chain to).
    pub fn load(files: &[PathBuf]) -> Result<Catalogs, String> {
        let mut c = Catalogs::default();
        let mut seen = Vec::new();
        for f in files {
            c.read(f, &mut seen, 0)?;
        }
        Ok(c)
    }

    fn read(&mut self, file: &Path, seen: &mut Vec<PathBuf>, depth: usize) -> Result<(), String> {
        let canon = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
        if seen.contains(&canon) || depth > 32 {
            return Ok(());
        }
        seen.push(canon);
        let bytes = std::fs::read(file)
            .map_err(|e| format!("cannot read catalog {}: {e}", file.display()))?;
        let text = teikit_xml::decode(&bytes)
            .map_err(|d| format!("catalog {}: {}", file.display(), d.message))?
            .into_owned();
        let doc = teikit_xml::parse(&text, &Limits::default())
            .map_err(|d| format!("catalog {}: {}", file.display(), d.message))?;
        let base = file.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut entries = Vec::new();
        let mut next = Vec::new();
        walk(doc.root_element(), &base, &mut entries, &mut next);
        self.entries.push(entries);
        for n in next {
            self.read(&n, seen, depth + 1)?;
        }
        Ok(())
    }

    /// The local file for `url`, if a catalog maps it: exact entries first, then the longest
    /// matching suffix, then the longest rewrite prefix, catalog by catalog.
    pub fn lookup(&self, url: &str) -> Option<PathBuf> {
        for entries in &self.entries {
            if let Some(p) = entries.iter().find_map(|e| match e {
                Entry::Exact(u, p) if u == url => Some(p.clone()),
                _ => None,
            }) {
                return Some(p);
            }
            let suffix = entries
                .iter()
                .filter_map(|e| match e {
                    Entry::Suffix(s, p) if url.ends_with(s.as_str()) => Some((s.len(), p)),
                    _ => None,
                })
                .max_by_key(|(n, _)| *n);
            if let Some((_, p)) = suffix {
                return Some(p.clone());
            }
            let rewrite = entries
                .iter()
                .filter_map(|e| match e {
                    Entry::Rewrite(s, p) if url.starts_with(s.as_str()) => Some((s, p)),
                    _ => None,
                })
                .max_by_key(|(s, _)| s.len());
            if let Some((s, p)) = rewrite {
                let rest = &url[s.len()..];
                return Some(p.join(rest.trim_start_matches('/')));
            }
        }
        None
    }

    /// The mappings as the schema loader's `url_map`: exact URLs, and rewrite prefixes as
    /// folder mappings (the loader maps keys ending in `/`). Suffix entries cannot be
    /// expressed there; hrefs inside schemas are resolved by the loader alone.
    pub fn url_map(&self) -> Vec<(String, PathBuf)> {
        let mut out = Vec::new();
        for entries in &self.entries {
            for e in entries {
                match e {
                    Entry::Exact(u, p) => out.push((u.clone(), p.clone())),
                    Entry::Rewrite(s, p) if s.ends_with('/') => out.push((s.clone(), p.clone())),
                    _ => {}
                }
            }
        }
        out
    }
}

/// Collects the entries of `e` and its `group`s; `base` follows `xml:base`.
fn walk(
    e: roxmltree::Node<'_, '_>,
    base: &Path,
    entries: &mut Vec<Entry>,
    next: &mut Vec<PathBuf>,
) {
    let base = match e.attribute(("http://www.w3.org/XML/1998/namespace", "base")) {
        Some(b) => local(base, b),
        None => base.to_path_buf(),
    };
    for c in e.children().filter(|c| c.is_element()) {
        let a = |n: &str| teikit_xml::unqualified_attribute(c, n);
        let name = c.tag_name().name();
        let entry = match name {
            "uri" => a("name")
                .zip(a("uri"))
                .map(|(n, u)| Entry::Exact(n.into(), local(&base, u))),
            "system" => a("systemId")
                .zip(a("uri"))
                .map(|(n, u)| Entry::Exact(n.into(), local(&base, u))),
            "rewriteURI" => a("uriStartString")
                .zip(a("rewritePrefix"))
                .map(|(n, u)| Entry::Rewrite(n.into(), local(&base, u))),
            "rewriteSystem" => a("systemIdStartString")
                .zip(a("rewritePrefix"))
                .map(|(n, u)| Entry::Rewrite(n.into(), local(&base, u))),
            "uriSuffix" => a("uriSuffix")
                .zip(a("uri"))
                .map(|(n, u)| Entry::Suffix(n.into(), local(&base, u))),
            "systemSuffix" => a("systemSuffix")
                .zip(a("uri"))
                .map(|(n, u)| Entry::Suffix(n.into(), local(&base, u))),
            "nextCatalog" => {
                if let Some(c) = a("catalog") {
                    next.push(local(&base, c));
                }
                None
            }
            "group" => {
                walk(c, &base, entries, next);
                None
            }
            _ => None,
        };
        entries.extend(entry);
    }
}

/// A catalog's `uri` as a local path (relative ones against `base`; `file:` URLs accepted).
fn local(base: &Path, uri: &str) -> PathBuf {
    let u = uri.strip_prefix("file://").unwrap_or(uri);
    let p = Path::new(u);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_map_urls() {
        let dir = tempfile::tempdir().unwrap();
        let cat = dir.path().join("catalog.xml");
        std::fs::write(
            &cat,
            r#"<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <uri name="http://x.org/a.rng" uri="local/a.rng"/>
  <group xml:base="sub/">
    <rewriteURI uriStartString="http://y.org/s/" rewritePrefix="y/"/>
  </group>
  <uriSuffix uriSuffix="/tei_all.rng" uri="tei_all.rng"/>
  <nextCatalog catalog="more.xml"/>
</catalog>"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("more.xml"),
            r#"<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog"><system systemId="http://z/b.rng" uri="/abs/b.rng"/></catalog>"#,
        )
        .unwrap();
        let c = Catalogs::load(&[cat]).unwrap();
        let d = dir.path();
        assert_eq!(c.lookup("http://x.org/a.rng"), Some(d.join("local/a.rng")));
        assert_eq!(
            c.lookup("http://y.org/s/t/u.rng"),
            Some(d.join("sub/y/t/u.rng"))
        );
        assert_eq!(
            c.lookup("https://tei-c.org/x/tei_all.rng"),
            Some(d.join("tei_all.rng"))
        );
        assert_eq!(
            c.lookup("http://z/b.rng"),
            Some(PathBuf::from("/abs/b.rng"))
        );
        assert_eq!(c.lookup("http://nowhere/c.rng"), None);
        assert_eq!(c.url_map().len(), 3);
    }

    #[test]
    fn unreadable_catalog_is_an_error() {
        assert!(Catalogs::load(&[PathBuf::from("/no/such/catalog.xml")]).is_err());
    }
}
