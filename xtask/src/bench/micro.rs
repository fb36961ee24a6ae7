//! `cargo xtask bench --micro`: runs the divan micro-benchmarks of the hot paths and writes
//! their medians into the "Micro-benchmarks" section of BENCHMARKS.md (the rest of the file is
//! kept; a full `cargo xtask bench` carries the section over).

use std::fmt::Write as _;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

/// The heading that starts the section; everything up to the next `## ` heading belongs to it.
pub const HEADING: &str = "## Micro-benchmarks (divan)";

/// (package, bench target, what it measures).
const BENCHES: &[(&str, &str, &str)] = &[
    (
        "teikit-xml",
        "parse",
        "decoding and well-formedness + tree on ~1 MB of generated TEI",
    ),
    (
        "teikit-xsd",
        "datatypes",
        "XSD datatype checks, 1,000 mixed values per iteration",
    ),
    (
        "teikit-validate",
        "derivatives",
        "schema compile; validation with cold and warm derivative memo, 256 KB document",
    ),
    (
        "teikit-rnc",
        "compact",
        "compact-syntax parsing: teikit-archive.rnc and generated grammars",
    ),
];

/// One benchmark's line of divan's table.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// `bench` or `bench/arg`.
    pub name: String,
    pub fastest: String,
    pub median: String,
    pub samples: String,
    /// Median throughput (`15.04 MB/s`, `11.09 Mitem/s`) when the bench counts something.
    pub throughput: Option<String>,
}

/// Reads divan's tree-shaped table: a name line per bench (`├─ name  fastest │ slowest │
/// median │ mean │ samples │ iters`), optionally followed by a counter line with the same
/// columns; benches with arguments are a parent line with empty cells and one child per value.
pub fn parse_divan(out: &str) -> Vec<Line> {
    let mut stack: Vec<String> = Vec::new();
    let mut lines: Vec<Line> = Vec::new();
    for raw in out.lines() {
        let branch = raw.find("├─").or_else(|| raw.find("╰─"));
        let Some(at) = branch else {
            // A counter line belongs to the bench line just above it.
            if let Some(last) = lines.last_mut() {
                let cols: Vec<&str> = raw.split('│').map(str::trim).collect();
                // Leading tree bars give empty columns; the values are the last six at most.
                let values: Vec<&str> = cols.iter().copied().skip_while(|c| c.is_empty()).collect();
                if last.throughput.is_none() && values.len() >= 3 && values[0].contains("/s") {
                    last.throughput = Some(values[2].to_string());
                }
            }
            continue;
        };
        // Depth: divan indents each level by three columns ("│  ").
        let depth = raw[..at].chars().count() / 3;
        let rest = raw[at..].trim_start_matches(['├', '╰', '─']).trim_start();
        let cols: Vec<&str> = rest.split('│').map(str::trim).collect();
        let (name, fastest) = split_name(cols[0]);
        stack.truncate(depth);
        stack.push(name.to_string());
        if fastest.is_empty() {
            continue; // a parent of argument benches
        }
        lines.push(Line {
            name: stack.join("/"),
            fastest: fastest.to_string(),
            median: cols.get(2).copied().unwrap_or("").to_string(),
            samples: cols.get(4).copied().unwrap_or("").to_string(),
            throughput: None,
        });
    }
    lines
}

/// "parse_1mb_tei           48.7 ms" → ("parse_1mb_tei", "48.7 ms"); a bare name has no time.
fn split_name(first: &str) -> (&str, &str) {
    let words: Vec<&str> = first.split_whitespace().collect();
    let is_time = words.len() >= 3
        && words[words.len() - 2].parse::<f64>().is_ok()
        && ["ns", "µs", "ms", "s"].contains(&words[words.len() - 1]);
    if !is_time {
        return (first.trim(), "");
    }
    // The name ends where the run of spaces before the number starts.
    let number = words[words.len() - 2];
    let cut = first.rfind(number).unwrap_or(first.len());
    (first[..cut].trim(), first[cut..].trim())
}

/// Runs every micro-benchmark and returns the section's Markdown.
pub fn run(date: &str, load: &str) -> Result<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{HEADING}\n\nWritten by `cargo xtask bench --micro` ({date}; load average `{load}`): \
         `cargo bench -p CRATE --bench NAME` for each hot path, divan's median and fastest \
         sample per benchmark. The fastest sample is the least disturbed by other work on a \
         shared machine. Run one crate's benches with `cargo bench -p teikit-xml` (add a \
         filter such as `-- parse_1mb` for one).\n"
    );
    for (package, bench, what) in BENCHES {
        eprintln!("bench: cargo bench -p {package} --bench {bench}");
        let out = Command::new(&cargo)
            .args(["bench", "-p", package, "--bench", bench])
            .current_dir(crate::project_root())
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .context("running cargo bench")?;
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            bail!(
                "`cargo bench -p {package} --bench {bench}` failed ({})",
                out.status
            );
        }
        let lines = parse_divan(&text);
        if lines.is_empty() {
            bail!("no divan results in the output of `cargo bench -p {package} --bench {bench}`");
        }
        let _ = writeln!(
            o,
            "### {package} (`{bench}`): {what}\n\n| benchmark | median | fastest | median throughput | samples |\n|---|---|---|---|---|"
        );
        for l in lines {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                l.name.replace('|', "\\|"),
                l.median,
                l.fastest,
                l.throughput.as_deref().unwrap_or("—"),
                l.samples
            );
        }
        let _ = writeln!(o);
    }
    Ok(o)
}

/// The micro-benchmark section of a report, if it has one.
pub fn extract(report: &str) -> Option<String> {
    let start = report.find(HEADING)?;
    let rest = &report[start..];
    let end = rest[HEADING.len()..]
        .find("\n## ")
        .map_or(rest.len(), |i| i + HEADING.len() + 1);
    Some(rest[..end].to_string())
}

/// `report` with its micro-benchmark section replaced by `section` (appended when absent).
pub fn splice(report: &str, section: &str) -> String {
    match (report.find(HEADING), extract(report)) {
        (Some(start), Some(old)) => {
            let mut s = String::with_capacity(report.len() + section.len());
            s.push_str(&report[..start]);
            s.push_str(section.trim_end());
            s.push('\n');
            let after = &report[start + old.len()..];
            if !after.is_empty() {
                s.push('\n');
                s.push_str(after);
            }
            s
        }
        _ => format!("{}\n\n{}\n", report.trim_end(), section.trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIVAN: &str = "Timer precision: 20 ns
parse                      fastest       │ slowest       │ median        │ mean          │ samples │ iters
├─ decode_utf8_1mb         35.67 µs      │ 16.11 ms      │ 35.68 µs      │ 197.3 µs      │ 100     │ 100
│                          29.41 GB/s    │ 65.1 MB/s     │ 29.4 GB/s     │ 5.317 GB/s    │         │
╰─ regex_compile                         │               │               │               │         │
   ├─ [\\i-[:]][\\c-[:]]*                  343.4 µs      │ 20.71 ms      │ 512.7 µs      │ 2.026 ms      │ 100     │ 100
   ╰─ \\d+[a-z]*                          303.9 µs      │ 20.55 ms      │ 326.5 µs      │ 1.457 ms      │ 100     │ 100
";

    #[test]
    fn divan_tables_are_read() {
        let lines = parse_divan(DIVAN);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].name, "decode_utf8_1mb");
        assert_eq!(lines[0].fastest, "35.67 µs");
        assert_eq!(lines[0].median, "35.68 µs");
        assert_eq!(lines[0].samples, "100");
        assert_eq!(lines[0].throughput.as_deref(), Some("29.4 GB/s"));
        assert_eq!(lines[1].name, "regex_compile/[\\i-[:]][\\c-[:]]*");
        assert_eq!(lines[1].median, "512.7 µs");
        assert_eq!(lines[1].throughput, None);
        assert_eq!(lines[2].name, "regex_compile/\\d+[a-z]*");
    }

    #[test]
    fn the_section_is_replaced_or_appended() {
        let report = "# B\n\n## 1. A\n\ntext\n";
        let section = format!("{HEADING}\n\nnew\n");
        let once = splice(report, &section);
        assert!(once.ends_with("new\n") && once.starts_with("# B\n\n## 1. A"));
        let again = splice(&once, &format!("{HEADING}\n\nnewer\n"));
        assert!(again.contains("newer") && !again.contains("\nnew\n"));
        let middle = format!("# B\n\n{HEADING}\n\nold\n\n## 2. C\n\nc\n");
        let replaced = splice(&middle, &section);
        assert_eq!(
            replaced,
            format!("# B\n\n{HEADING}\n\nnew\n\n## 2. C\n\nc\n")
        );
        assert_eq!(
            extract(&middle).as_deref(),
            Some(format!("{HEADING}\n\nold\n\n").as_str())
        );
    }
}
