//! Tidy checks that run under `cargo test`: generated docs up to date, every emitted
//! diagnostic code documented, no debugging leftovers, a design note per crate.

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    use crate::project_root;

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    fn crate_sources() -> Vec<PathBuf> {
        let mut files = Vec::new();
        rust_files(&project_root().join("crates"), &mut files);
        files
    }

    #[test]
    fn diagnostics_doc_is_up_to_date() {
        let path = project_root().join("docs/diagnostics.md");
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == crate::codegen::diagnostics_doc(),
            "docs/diagnostics.md was not up-to-date; run `cargo xtask codegen`"
        );
    }

    #[test]
    fn every_emitted_code_is_documented() {
        let documented: BTreeSet<&str> = crate::codegen::registries()
            .iter()
            .flat_map(|(_, codes)| codes.iter().map(|c| c.code))
            .collect();
        let re_areas = [
            "xml/",
            "rng/",
            "convert/",
            "schema/",
            "io/",
            "xinclude/",
            "tei/",
        ];
        let mut missing = Vec::new();
        // teikit-diagnostics is the model and its printers: its examples use made-up codes.
        let model = project_root().join("crates/diagnostics");
        for file in crate_sources()
            .into_iter()
            .filter(|f| !f.starts_with(&model))
        {
            let text = std::fs::read_to_string(&file).unwrap();
            // string literals that look like a code: "area/name-with-dashes"
            for (i, _) in text.match_indices('"') {
                let rest = &text[i + 1..];
                let Some(end) = rest.find('"') else { continue };
                let lit = &rest[..end];
                if re_areas.iter().any(|a| lit.starts_with(a))
                    && lit.len() < 60
                    && lit.split_once('/').is_some_and(|(_, n)| {
                        !n.is_empty()
                            && n.chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    })
                    && !documented.contains(lit)
                {
                    missing.push(format!(
                        "{}: {lit}",
                        file.strip_prefix(project_root()).unwrap().display()
                    ));
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "diagnostic codes used but not in any CODES registry:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn no_debugging_leftovers() {
        let mut found = Vec::new();
        for file in crate_sources() {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                for bad in ["dbg!(", "todo!(", "unimplemented!("] {
                    if line.contains(bad) {
                        found.push(format!("{}:{}: {bad}", file.display(), n + 1));
                    }
                }
            }
        }
        assert!(found.is_empty(), "remove these:\n{}", found.join("\n"));
    }

    #[test]
    fn every_crate_has_a_design_note() {
        for entry in std::fs::read_dir(project_root().join("crates")).unwrap() {
            let dir = entry.unwrap().path();
            assert!(
                dir.join("DESIGN.md").is_file(),
                "{} has no DESIGN.md",
                dir.display()
            );
        }
    }
}
