//! BENCHMARKS.md: the machine, the tools, the targets of issue #9 met or not, the summary of
//! ratios, the comparison with the previous BENCHMARKS.md, and one table per measurement.

use std::fmt::Write as _;
use std::fs;

use super::harness::Figures;
use super::measure::{Kind, Row, Section, TEIKIT_COLD, TEIKIT_WARM};
use super::Tools;

pub struct Machine {
    cpu: String,
    cores: usize,
    mem_total: String,
    kernel: String,
}

impl Machine {
    pub fn read() -> Machine {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
            .map_or("unknown".to_string(), |(_, v)| v.trim().to_string());
        let cores = cpuinfo
            .lines()
            .filter(|l| l.starts_with("processor"))
            .count();
        let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let mem_total = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or("unknown".to_string(), |kb| {
                format!("{:.1} GiB", kb / 1024.0 / 1024.0)
            });
        Machine {
            cpu,
            cores,
            mem_total,
            kernel: read_trimmed("/proc/sys/kernel/osrelease"),
        }
    }
}

pub fn read_trimmed(path: &str) -> String {
    fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".to_string())
}

/// The summary table of an earlier BENCHMARKS.md: teikit's figures per measurement.
#[derive(Debug, Default)]
pub struct Previous {
    /// When it was written (the `Written by … (DATE, …` line), if found.
    pub date: Option<String>,
    /// The load average when it started (the machine line `at start: `…``), if found.
    pub load: Option<String>,
    pub rows: Vec<(String, Figures)>,
}

impl Previous {
    /// Reads the first table after `## Summary` by its column names, so that added columns do
    /// not confuse it. `None` when there is no such table.
    pub fn parse(text: &str) -> Option<Previous> {
        let date = text
            .lines()
            .find(|l| l.starts_with("Written by "))
            .and_then(|l| l.split_once("` ("))
            .and_then(|(_, rest)| rest.split([',', ')']).next())
            .map(|d| d.trim().to_string());
        let load = text
            .split_once("at start: `")
            .and_then(|(_, rest)| rest.split('`').next())
            .map(str::to_string);
        let mut lines = text
            .lines()
            .skip_while(|l| !l.starts_with("## Summary"))
            .skip(1)
            .skip_while(|l| !l.starts_with('|'));
        let header = cells(lines.next()?);
        let col = |name: &str| header.iter().position(|h| h == name);
        let (label, wall, cpu, rss) = (
            col("measurement")?,
            col("teikit wall (s)"),
            col("teikit CPU (s)"),
            col("teikit peak RSS (MiB)"),
        );
        let num = |row: &[String], i: Option<usize>| -> Option<f64> {
            row.get(i?)?.trim().parse::<f64>().ok()
        };
        let rows = lines
            .skip(1) // |---|---|
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                let row = cells(l);
                let figures = Figures {
                    wall: num(&row, wall),
                    cpu: num(&row, cpu),
                    rss_kb: num(&row, rss).map(|mib| mib * 1024.0),
                };
                (row.get(label).cloned().unwrap_or_default(), figures)
            })
            .collect();
        Some(Previous { date, load, rows })
    }

    fn get(&self, label: &str) -> Option<&Figures> {
        self.rows.iter().find(|(l, _)| l == label).map(|(_, f)| f)
    }
}

/// The cells of a Markdown table row, unescaped (`\|` → `|`).
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                if let Some(s) = out.last_mut() {
                    s.push('|');
                }
            }
            '|' => out.push(String::new()),
            c => {
                if let Some(s) = out.last_mut() {
                    s.push(c);
                }
            }
        }
    }
    out.into_iter().map(|s| s.trim().to_string()).collect()
}

/// Notes explaining why a measurement got slower, from `xtask/bench-notes.md`: lines of the
/// form `- **measurement**: why`.
pub fn parse_notes(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("- **")?;
            let (label, why) = rest.split_once("**")?;
            let why = why.trim_start_matches(':').trim();
            Some((label.trim().to_string(), why.to_string()))
        })
        .collect()
}

/// A relative change in percent, when both sides are known and the absolute change is above
/// the measuring noise `floor` (time(1) has 10 ms resolution).
fn change(prev: Option<f64>, now: Option<f64>, floor: f64) -> Option<f64> {
    let (p, n) = (prev?, now?);
    if p <= 0.0 || (n - p).abs() < floor {
        return Some(0.0);
    }
    Some((n - p) / p * 100.0)
}

/// Changes above this many percent are flagged.
const REGRESSION_PERCENT: f64 = 10.0;

/// One line of the comparison with the previous report.
struct Compared {
    label: String,
    prev: Figures,
    now: Figures,
    /// What got worse, e.g. "CPU +23%"; empty when nothing did.
    worse: Vec<String>,
    /// Wall time alone got worse (CPU steady): the machine's load, not flagged.
    wall_only: bool,
}

fn compare(label: &str, prev: &Figures, now: &Figures) -> Compared {
    let wall = change(prev.wall, now.wall, 0.02);
    let cpu = change(prev.cpu, now.cpu, 0.02);
    let rss = change(prev.rss_kb, now.rss_kb, 1024.0);
    let mut worse = Vec::new();
    if let Some(c) = cpu.filter(|c| *c > REGRESSION_PERCENT) {
        worse.push(format!("CPU +{c:.0}%"));
    }
    if let Some(r) = rss.filter(|r| *r > REGRESSION_PERCENT) {
        worse.push(format!("peak RSS +{r:.0}%"));
    }
    let wall_worse = wall.is_some_and(|w| w > REGRESSION_PERCENT);
    if wall_worse && cpu.is_none() {
        worse.push(format!("wall +{:.0}%", wall.unwrap_or(0.0)));
    }
    Compared {
        label: label.to_string(),
        prev: *prev,
        now: *now,
        wall_only: wall_worse && cpu.is_some() && worse.is_empty(),
        worse,
    }
}

pub struct Report<'a> {
    pub started: String,
    pub finished: String,
    pub load_start: String,
    pub load_end: String,
    pub args: String,
    /// Which source teikit was built from (commit, and whether the tree had other changes).
    pub build: String,
    pub machine: Machine,
    pub tools: &'a Tools,
    pub time_available: bool,
    pub sections: Vec<Section>,
    pub previous: Option<Previous>,
    pub notes: Vec<(String, String)>,
    /// The micro-benchmark section carried over from the previous report (see `--micro`).
    pub micro: Option<String>,
}

pub fn fmt_secs(s: Option<f64>) -> String {
    match s {
        Some(s) if s < 10.0 => format!("{s:.3}"),
        Some(s) => format!("{s:.1}"),
        None => "n/a".to_string(),
    }
}

fn fmt_mib(kb: Option<f64>) -> String {
    kb.map_or("n/a".to_string(), |kb| format!("{:.1}", kb / 1024.0))
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "n/a".to_string(),
    }
}

fn pct(c: Option<f64>) -> String {
    match c {
        Some(c) if c.abs() < 0.5 => "±0%".to_string(),
        Some(c) => format!("{c:+.0}%"),
        None => "n/a".to_string(),
    }
}

/// Escapes a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The summary's name for a teikit row: the section title for the plain (or cold-cache) run,
/// so that it matches earlier reports, with the variant after a dash otherwise.
pub fn summary_label(s: &Section, r: &Row) -> Option<String> {
    let variant = r.tool.strip_prefix("teikit")?;
    if r.tool == TEIKIT_COLD || variant.is_empty() {
        return Some(s.title.clone());
    }
    let variant = variant.trim().trim_start_matches('(').trim_end_matches(')');
    Some(format!("{} — {variant}", s.title))
}

/// A target of issue #9 and whether this run meets it (`None`: not measured).
pub struct Target {
    pub what: String,
    pub measured: String,
    pub met: Option<bool>,
}

/// How many times faster `row` is than `peer` (peer wall ÷ row wall), with the CPU figure.
fn speedup(row: &Row, peer: &Row) -> Option<(f64, Option<f64>)> {
    let (r, p) = (row.m.figures(), peer.m.figures());
    let wall = p.wall? / r.wall.filter(|w| *w > 0.0)?;
    let cpu = r.cpu.filter(|c| *c > 0.0).and_then(|c| Some(p.cpu? / c));
    Some((wall, cpu))
}

fn failed(r: &Row) -> bool {
    r.status.starts_with("FAILED") || r.status.contains("DIFFERS")
}

/// `teikit ≥ factor × faster than peer` on wall time.
fn speed_target(what: String, s: Option<&Section>, tool: &str, peer: &str, factor: f64) -> Target {
    let rows = s.map(|s| (s.find(tool), s.find(peer)));
    let (measured, met) = match rows {
        None => ("not measured".to_string(), None),
        Some((None, _)) => (format!("not measured ({tool} did not run)"), None),
        Some((_, None)) => (format!("not measured ({peer} did not run)"), None),
        Some((Some(r), Some(_))) if failed(r) => (format!("{tool}: {}", r.status), Some(false)),
        Some((Some(r), Some(p))) => match speedup(r, p) {
            Some((wall, cpu)) => (
                format!(
                    "{wall:.2}× ({} s vs {} s wall){}",
                    fmt_secs(r.m.figures().wall),
                    fmt_secs(p.m.figures().wall),
                    cpu.map(|c| format!("; CPU {c:.2}×")).unwrap_or_default()
                ),
                Some(wall >= factor),
            ),
            None => ("n/a".to_string(), None),
        },
    };
    Target {
        what,
        measured,
        met,
    }
}

impl Report<'_> {
    fn section(&self, kind: Kind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind)
    }

    /// Every summary line: (label, section, teikit row).
    fn summary_rows(&self) -> Vec<(String, &Section, &Row)> {
        self.sections
            .iter()
            .flat_map(|s| {
                s.rows
                    .iter()
                    .filter_map(move |r| Some((summary_label(s, r)?, s, r)))
            })
            .collect()
    }

    fn comparisons(&self) -> Vec<Compared> {
        let Some(prev) = &self.previous else {
            return Vec::new();
        };
        self.summary_rows()
            .into_iter()
            .filter_map(|(label, _, r)| Some(compare(&label, prev.get(&label)?, &r.m.figures())))
            .collect()
    }

    fn note_for(&self, label: &str) -> Option<&str> {
        self.notes
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, why)| why.as_str())
    }

    /// Regressions with no note in `xtask/bench-notes.md`.
    pub fn unexplained_regressions(&self) -> Vec<String> {
        self.comparisons()
            .into_iter()
            .filter(|c| !c.worse.is_empty() && self.note_for(&c.label).is_none())
            .map(|c| format!("{}: {}", c.label, c.worse.join(", ")))
            .collect()
    }

    pub fn targets(&self) -> Vec<Target> {
        let single = self.section(Kind::Single);
        let mut out = vec![
            speed_target(
                "Single document vs tei_all, warm cache: ≥ 30× faster than jing (wall)".into(),
                single,
                TEIKIT_WARM,
                "jing",
                30.0,
            ),
            speed_target(
                "Single document vs tei_all, warm cache: ≥ 5× faster than teixml (wall)".into(),
                single,
                TEIKIT_WARM,
                "teixml",
                5.0,
            ),
            speed_target(
                "Single document vs tei_all, cold cache: faster than teixml (wall)".into(),
                single,
                TEIKIT_COLD,
                "teixml",
                1.0,
            ),
        ];
        let dta: Vec<&Section> = self
            .sections
            .iter()
            .filter(|s| s.kind == Kind::Dta)
            .collect();
        if dta.is_empty() {
            out.push(speed_target(
                "DTA batch: ≥ 2× teixml's throughput".into(),
                None,
                "teikit",
                "teixml",
                2.0,
            ));
        }
        for s in dta {
            for (peer, factor) in [("teixml", 2.0), ("jing", 5.0)] {
                out.push(speed_target(
                    format!("{}: ≥ {factor}× {peer}'s throughput", s.title),
                    Some(s),
                    "teikit",
                    peer,
                    factor,
                ));
            }
        }
        let gb = self
            .sections
            .iter()
            .find(|s| matches!(s.kind, Kind::Large { bytes } if bytes >= 1 << 30));
        let (measured, met) = match gb.and_then(|s| s.find("teikit")) {
            None => ("not measured (no 1 GB run)".to_string(), None),
            Some(r) if failed(r) => (r.status.clone(), Some(false)),
            Some(r) => match r.m.figures().rss_kb {
                Some(kb) => {
                    let mb = kb * 1024.0 / 1e6;
                    (format!("{mb:.1} MB ({})", r.status), Some(mb < 100.0))
                }
                None => ("peak RSS not measured".to_string(), None),
            },
        };
        out.push(Target {
            what: "A 1 GB document validates with peak RSS under 100 MB".into(),
            measured,
            met,
        });
        let (measured, met) = match &self.previous {
            None => (
                "no previous BENCHMARKS.md to compare with".to_string(),
                None,
            ),
            Some(_) => {
                let bad = self.unexplained_regressions();
                if bad.is_empty() {
                    (
                        "no unexplained regression over 10% (CPU time, peak RSS)".to_string(),
                        Some(true),
                    )
                } else {
                    (bad.join("; "), Some(false))
                }
            }
        };
        out.push(Target {
            what: "Nothing slower than the previous BENCHMARKS.md without a note saying why".into(),
            measured,
            met,
        });
        out
    }

    pub fn render(&self) -> String {
        let mut o = String::new();
        self.render_header(&mut o);
        self.render_targets(&mut o);
        self.render_summary(&mut o);
        self.render_comparison(&mut o);
        for (n, s) in self.sections.iter().enumerate() {
            render_section(&mut o, n + 1, s);
        }
        if let Some(micro) = &self.micro {
            let _ = writeln!(o, "{}", micro.trim_end());
        }
        o
    }

    fn render_header(&self, o: &mut String) {
        let _ = writeln!(o, "# Benchmarks\n");
        let _ = writeln!(
            o,
            "Written by `cargo xtask bench{}{}` ({}, finished {}). Every number below comes \
             from that one run on the machine described here; re-run the task to refresh them. \
             Within a table the tools take turns (one run of each, then the next round; xmllint \
             runs after the others), so a change in the machine's load falls on all of them. \
             Wall times are medians over the runs (min–max in brackets), peak RSS and CPU time \
             (user + system, all threads and child processes) are medians of `/usr/bin/time -f \
             \"%M %U %S\"`. On a busy machine CPU time is the steadier figure, as wall time \
             includes waiting for a core; jing's CPU time includes the JVM's JIT and garbage \
             collector threads, and teikit validates a batch on all cores. Ratios are teikit ÷ \
             peer: below 1× teikit is faster or smaller.\n",
            if self.args.is_empty() { "" } else { " " },
            self.args,
            self.started,
            self.finished
        );
        let _ = writeln!(o, "## Machine\n");
        let _ = writeln!(
            o,
            "- CPU: {} ({} logical cores)\n- Memory: {}\n- Linux {}\n- Load average \
             (1/5/15 min, running/total, last pid) at start: `{}`; at end: `{}`. The machine is \
             shared with other builds and engineers, so absolute times are noisy (a load \
             average above the core count means runs waited for a core); compare tools within \
             a table, whose tools took turns run by run, and prefer the CPU columns.\n",
            self.machine.cpu,
            self.machine.cores,
            self.machine.mem_total,
            self.machine.kernel,
            self.load_start,
            self.load_end
        );
        if !self.time_available {
            let _ = writeln!(o, "`/usr/bin/time` was not available: peak RSS is n/a.\n");
        }
        let _ = writeln!(o, "## Tools\n");
        let _ = writeln!(o, "| tool | version | binary |\n|---|---|---|");
        let t = self.tools;
        for tool in std::iter::once(&t.teikit).chain(
            [&t.jing, &t.teixml, &t.xmllint]
                .into_iter()
                .filter_map(Option::as_ref),
        ) {
            let _ = writeln!(
                o,
                "| {} | {} | `{}` |",
                tool.name,
                cell(&tool.version),
                tool.program.display()
            );
        }
        let _ = writeln!(o, "\nteikit was built (release) from {}.", self.build);
        for m in &t.missing {
            let _ = writeln!(o, "\nNot benchmarked: {m}.");
        }
        let _ = writeln!(o);
    }

    fn render_targets(&self, o: &mut String) {
        let _ = writeln!(o, "## Targets (issue #9)\n");
        let _ = writeln!(
            o,
            "| target | measured (teikit vs peer) | met? |\n|---|---|---|"
        );
        for t in self.targets() {
            let _ = writeln!(
                o,
                "| {} | {} | {} |",
                cell(&t.what),
                cell(&t.measured),
                match t.met {
                    Some(true) => "met",
                    Some(false) => "**not met**",
                    None => "not measured",
                }
            );
        }
        let _ = writeln!(o);
    }

    fn render_summary(&self, o: &mut String) {
        let _ = writeln!(o, "## Summary: teikit ÷ peer\n");
        let _ = writeln!(
            o,
            "| measurement | teikit wall (s) | ÷ jing | ÷ teixml | teikit CPU (s) | ÷ jing | ÷ teixml | teikit peak RSS (MiB) | ÷ jing | ÷ teixml |\n|---|---|---|---|---|---|---|---|---|---|"
        );
        for (label, s, r) in self.summary_rows() {
            let tk = r.m.figures();
            let peer = |name: &str| s.find(name).map(|r| r.m.figures()).unwrap_or_default();
            let (j, x) = (peer("jing"), peer("teixml"));
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                cell(&label),
                fmt_secs(tk.wall),
                ratio(tk.wall, j.wall),
                ratio(tk.wall, x.wall),
                fmt_secs(tk.cpu),
                ratio(tk.cpu, j.cpu),
                ratio(tk.cpu, x.cpu),
                fmt_mib(tk.rss_kb),
                ratio(tk.rss_kb, j.rss_kb),
                ratio(tk.rss_kb, x.rss_kb)
            );
        }
        let _ = writeln!(o);
    }

    fn render_comparison(&self, o: &mut String) {
        let Some(prev) = &self.previous else {
            let _ = writeln!(
                o,
                "## Compared with the previous BENCHMARKS.md\n\nNo previous report was found.\n"
            );
            return;
        };
        let _ = writeln!(
            o,
            "## Compared with the previous BENCHMARKS.md\n\nteikit's medians now against the \
             summary of the report this one replaced ({}, load average `{}` at its start; \
             this run's is above). A change over {REGRESSION_PERCENT}% \
             in CPU time or peak RSS is flagged (changes under 20 ms or 1 MiB are measuring \
             noise); wall time alone is not flagged when CPU time held, as on this shared \
             machine it follows the load. A flagged row needs a note in `xtask/bench-notes.md` \
             (`- **measurement**: why`).\n",
            prev.date.as_deref().unwrap_or("date unknown"),
            prev.load.as_deref().unwrap_or("unknown")
        );
        let _ = writeln!(
            o,
            "| measurement | wall (s) before → now | Δ | CPU (s) before → now | Δ | peak RSS (MiB) before → now | Δ | verdict |\n|---|---|---|---|---|---|---|---|"
        );
        let compared = self.comparisons();
        for c in &compared {
            let verdict = if !c.worse.is_empty() {
                match self.note_for(&c.label) {
                    Some(why) => format!("slower ({}), explained: {why}", c.worse.join(", ")),
                    None => format!("**REGRESSION** ({}), no note", c.worse.join(", ")),
                }
            } else if c.wall_only {
                "wall time only (CPU held: machine load)".to_string()
            } else {
                "ok".to_string()
            };
            let _ = writeln!(
                o,
                "| {} | {} → {} | {} | {} → {} | {} | {} → {} | {} | {} |",
                cell(&c.label),
                fmt_secs(c.prev.wall),
                fmt_secs(c.now.wall),
                pct(change(c.prev.wall, c.now.wall, 0.0)),
                fmt_secs(c.prev.cpu),
                fmt_secs(c.now.cpu),
                pct(change(c.prev.cpu, c.now.cpu, 0.0)),
                fmt_mib(c.prev.rss_kb),
                fmt_mib(c.now.rss_kb),
                pct(change(c.prev.rss_kb, c.now.rss_kb, 0.0)),
                cell(&verdict)
            );
        }
        let new: Vec<String> = self
            .summary_rows()
            .into_iter()
            .map(|(l, _, _)| l)
            .filter(|l| prev.get(l).is_none())
            .collect();
        if !new.is_empty() {
            let _ = writeln!(o, "\nNew since the previous report: {}.", new.join("; "));
        }
        let _ = writeln!(o);
    }
}

fn render_section(o: &mut String, n: usize, s: &Section) {
    let _ = writeln!(o, "## {n}. {}\n\n{}\n", s.title, s.about);
    if !s.rows.is_empty() {
        let tp = s
            .throughput
            .map(|(unit, _)| format!(" {unit} |"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "| tool | median wall (s) | CPU user+sys (s) | peak RSS (MiB) |{tp} teikit ÷ this (wall) | teikit ÷ this (CPU) | teikit ÷ this (RSS) | runs | status |"
        );
        let _ = writeln!(
            o,
            "|---|---|---|---|{}---|---|---|---|---|",
            if tp.is_empty() { "" } else { "---|" }
        );
        let base = s.rows.first().map(|r| r.m.figures()).unwrap_or_default();
        for r in &s.rows {
            let f = r.m.figures();
            let range =
                r.m.min_max_secs()
                    .map(|(a, b)| format!(" ({}–{})", fmt_secs(Some(a)), fmt_secs(Some(b))))
                    .unwrap_or_default();
            let tpv = s
                .throughput
                .map(|(_, units)| match f.wall {
                    Some(w) if w > 0.0 => format!(" {:.1} |", units / w),
                    _ => " n/a |".to_string(),
                })
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "| {} | {}{} | {} | {} |{} {} | {} | {} | {} | {} |",
                r.tool,
                fmt_secs(f.wall),
                range,
                fmt_secs(f.cpu),
                fmt_mib(f.rss_kb),
                tpv,
                ratio(base.wall, f.wall),
                ratio(base.cpu, f.cpu),
                ratio(base.rss_kb, f.rss_kb),
                r.m.samples.len(),
                cell(&r.status)
            );
        }
        let _ = writeln!(o, "\nCommands:\n");
        for r in &s.rows {
            let _ = writeln!(o, "- {}: `{}`", r.tool, r.command);
        }
        let _ = writeln!(o);
    }
    for note in &s.notes {
        let _ = writeln!(o, "{note}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "# Benchmarks\n\nWritten by `cargo xtask bench --runs 3` (2026-11-27 09:38 UTC, \
finished 2026-11-27 09:44 UTC). More.\n\n- Load average (1/5/15 min) at start: \
`12.96 13.78 13.78 13/187 3843`; at end: `4.65`.\n\n## Summary: teikit ÷ peer\n\n\
| measurement | teikit wall (s) | ÷ jing | ÷ teixml | teikit CPU (s) | ÷ jing | ÷ teixml | teikit peak RSS (MiB) | ÷ jing | ÷ teixml |\n\
|---|---|---|---|---|---|---|---|---|---|\n\
| Schema load only: tei_all 4.12 | 0.172 | 0.14× | n/a | 0.110 | 0.13× | n/a | 28.9 | 0.41× | n/a |\n\
| Generated 200 MB TEI document vs tei_all 4.12 | 17.1 | 0.81× | 2.23× | 12.3 | 0.54× | 2.15× | 1624.3 | 1.56× | 1.15× |\n\
| A \\| B | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |\n\n## 1. Schema load\n\n| tool | x |\n|---|---|\n| teikit | 1 |\n";

    #[test]
    fn previous_summary_is_read_by_column_name() {
        let p = Previous::parse(OLD).unwrap();
        assert_eq!(p.date.as_deref(), Some("2026-11-27 09:38 UTC"));
        assert_eq!(p.load.as_deref(), Some("12.96 13.78 13.78 13/187 3843"));
        assert_eq!(p.rows.len(), 3);
        let f = p
            .get("Generated 200 MB TEI document vs tei_all 4.12")
            .unwrap();
        assert_eq!(f.wall, Some(17.1));
        assert_eq!(f.cpu, Some(12.3));
        assert!((f.rss_kb.unwrap() - 1624.3 * 1024.0).abs() < 1e-6);
        assert_eq!(p.get("A | B").unwrap().wall, None);
        assert!(Previous::parse("# Benchmarks\n\nno table\n").is_none());
    }

    #[test]
    fn regressions_are_flagged_on_cpu_and_rss_not_on_wall_alone() {
        let prev = Figures {
            wall: Some(1.0),
            cpu: Some(1.0),
            rss_kb: Some(100_000.0),
        };
        let same = compare("x", &prev, &prev);
        assert!(same.worse.is_empty() && !same.wall_only);
        let slower = Figures {
            cpu: Some(1.2),
            ..prev
        };
        assert_eq!(compare("x", &prev, &slower).worse, vec!["CPU +20%"]);
        let bigger = Figures {
            rss_kb: Some(150_000.0),
            ..prev
        };
        assert_eq!(compare("x", &prev, &bigger).worse, vec!["peak RSS +50%"]);
        let loaded = Figures {
            wall: Some(2.0),
            ..prev
        };
        let c = compare("x", &prev, &loaded);
        assert!(c.worse.is_empty() && c.wall_only);
        // Under the noise floor: 10 ms more on 50 ms is not a regression.
        let tiny = Figures {
            wall: Some(0.05),
            cpu: Some(0.05),
            rss_kb: None,
        };
        let tiny2 = Figures {
            cpu: Some(0.06),
            ..tiny
        };
        assert!(compare("x", &tiny, &tiny2).worse.is_empty());
    }

    #[test]
    fn notes_name_their_measurement() {
        let notes = parse_notes(
            "# Notes\n\n- **Schema load only: tei_all 4.12**: the cache write costs 5 ms.\nother\n",
        );
        assert_eq!(
            notes,
            vec![(
                "Schema load only: tei_all 4.12".to_string(),
                "the cache write costs 5 ms.".to_string()
            )]
        );
    }

    #[test]
    fn table_cells_unescape_pipes() {
        assert_eq!(cells("| a | b \\| c |"), vec!["a", "b | c"]);
    }
}
