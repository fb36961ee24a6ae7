//! Running a command several times under `/usr/bin/time` and `timeout`, and reading what it
//! did: wall time, CPU time, peak RSS, exit code and verdict.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Result;

/// One command to measure: what to run, in which environment, for how long at most.
#[derive(Clone, Debug)]
pub struct Cmd {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// Extra environment variables (e.g. `TEIKIT_CACHE_DIR`).
    pub env: Vec<(&'static str, OsString)>,
    pub timeout: Duration,
}

impl Cmd {
    pub fn new(program: &Path, args: Vec<OsString>, timeout: Duration) -> Cmd {
        Cmd {
            program: program.to_path_buf(),
            args,
            env: Vec::new(),
            timeout,
        }
    }

    pub fn env(mut self, key: &'static str, value: impl Into<OsString>) -> Cmd {
        self.env.push((key, value.into()));
        self
    }

    /// Runs the command once, untimed, and returns (success, stdout + stderr).
    pub fn run_once(&self) -> (bool, String) {
        let out = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .output();
        match out {
            Ok(out) => {
                let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
                s.push_str(&String::from_utf8_lossy(&out.stderr));
                (out.status.success(), s)
            }
            Err(e) => (false, e.to_string()),
        }
    }
}

/// Runs commands under `/usr/bin/time` (when present) and `timeout`, with output in a scratch
/// directory.
pub struct Harness {
    pub time: Option<PathBuf>,
    pub scratch: tempfile::TempDir,
    /// Measurements so far: each one's output files are named by its number.
    outputs: std::cell::Cell<usize>,
}

/// One run of one command.
pub struct Sample {
    pub secs: f64,
    pub rss_kb: Option<u64>,
    /// User + system CPU time of the command and its waited-for descendants.
    pub cpu_secs: Option<f64>,
    /// The exit code; `None` when killed by a signal.
    pub code: Option<i32>,
}

/// Several runs of one command, and where the last run's output went (files of its own).
pub struct Measurement {
    pub samples: Vec<Sample>,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
    pub timeout: Duration,
}

impl Harness {
    pub fn new() -> Result<Harness> {
        let mut time = Some(PathBuf::from("/usr/bin/time")).filter(|p| p.is_file());
        if time.is_none() {
            eprintln!("bench: /usr/bin/time is missing; trying `apt-get install -y time`");
            let ok = Command::new("apt-get")
                .args(["install", "-y", "-q", "time"])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            time = Some(PathBuf::from("/usr/bin/time")).filter(|p| ok && p.is_file());
            if time.is_none() {
                eprintln!("bench: no /usr/bin/time: peak RSS will be reported as n/a");
            }
        }
        Ok(Harness {
            time,
            scratch: tempfile::Builder::new().prefix("teikit-bench-").tempdir()?,
            outputs: std::cell::Cell::new(0),
        })
    }

    /// Runs `cmd` `runs` times; `before` runs (untimed) before each run.
    pub fn measure(&self, cmd: &Cmd, runs: usize, before: &dyn Fn()) -> Measurement {
        let name = cmd
            .program
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let job = Job {
            name: &name,
            cmd,
            before,
        };
        self.measure_interleaved(&[job], runs)
            .pop()
            .expect("one measurement per job")
    }

    /// Runs every job `runs` times, taking turns (the first job's first run, the second job's
    /// first run, …, then every job's second run): a change in the machine's load while the
    /// group runs (another process, the CPU's clock) then falls on every job alike instead of
    /// on whichever job ran at the time. A job whose run times out is not run again.
    pub fn measure_interleaved(&self, jobs: &[Job<'_>], runs: usize) -> Vec<Measurement> {
        let mut out: Vec<Measurement> = jobs
            .iter()
            .map(|job| {
                let k = self.outputs.get();
                self.outputs.set(k + 1);
                Measurement {
                    samples: Vec::new(),
                    stdout: self.scratch.path().join(format!("stdout-{k}")),
                    stderr: self.scratch.path().join(format!("stderr-{k}")),
                    timeout: job.cmd.timeout,
                }
            })
            .collect();
        for i in 0..runs {
            for (job, m) in jobs.iter().zip(&mut out) {
                if m.samples.last().is_some_and(|s| s.code == Some(124)) {
                    continue; // a timeout will time out again: do not spend the time
                }
                (job.before)();
                let Some(sample) = self.run(job.cmd, &m.stdout, &m.stderr) else {
                    continue;
                };
                eprintln!(
                    "bench:   {} run {}/{runs}: {:.3} s, {} KB, exit {}",
                    job.name,
                    i + 1,
                    sample.secs,
                    sample
                        .rss_kb
                        .map_or("?".to_string(), |k: u64| k.to_string()),
                    sample.code.map_or("signal".to_string(), |c| c.to_string())
                );
                m.samples.push(sample);
            }
        }
        out
    }

    /// One timed run of `cmd` with its output in `stdout` and `stderr`; `None` when the output
    /// files cannot be created.
    fn run(&self, cmd: &Cmd, stdout: &Path, stderr: &Path) -> Option<Sample> {
        let rss_file = self.scratch.path().join("rss");
        let mut c = match &self.time {
            Some(time) => {
                let mut c = Command::new(time);
                c.arg("-f").arg("%M %U %S").arg("-o").arg(&rss_file);
                c.arg("timeout");
                c
            }
            None => Command::new("timeout"),
        };
        c.args(["-k", "5"])
            .arg(cmd.timeout.as_secs().to_string())
            .arg(&cmd.program)
            .args(&cmd.args)
            .envs(cmd.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        let _ = fs::remove_file(&rss_file);
        let (Ok(out), Ok(err)) = (fs::File::create(stdout), fs::File::create(stderr)) else {
            return None;
        };
        c.stdout(out).stderr(err);
        let t0 = Instant::now();
        let status = c.status();
        let secs = t0.elapsed().as_secs_f64();
        let code = match status {
            Ok(s) => s.code(),
            Err(_) => None,
        };
        // time(1) writes "Command exited with non-zero status N" before the format's line.
        let (rss_kb, cpu_secs) = fs::read_to_string(&rss_file)
            .ok()
            .and_then(|t| t.lines().last().map(parse_time_line))
            .unwrap_or((None, None));
        Some(Sample {
            secs,
            rss_kb,
            cpu_secs,
            code,
        })
    }
}

/// One command of a group measured together, and what runs (untimed) before each of its runs.
pub struct Job<'a> {
    /// What the progress lines call it.
    pub name: &'a str,
    pub cmd: &'a Cmd,
    pub before: &'a dyn Fn(),
}

/// Median wall time, CPU time and peak RSS (KB) of a measurement.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Figures {
    pub wall: Option<f64>,
    pub cpu: Option<f64>,
    pub rss_kb: Option<f64>,
}

impl Measurement {
    pub fn figures(&self) -> Figures {
        Figures {
            wall: median(self.samples.iter().map(|s| s.secs).collect()),
            cpu: median(self.samples.iter().filter_map(|s| s.cpu_secs).collect()),
            rss_kb: median(
                self.samples
                    .iter()
                    .filter_map(|s| s.rss_kb.map(|k| k as f64))
                    .collect(),
            ),
        }
    }

    pub fn min_max_secs(&self) -> Option<(f64, f64)> {
        let mut v: Vec<f64> = self.samples.iter().map(|s| s.secs).collect();
        v.sort_by(f64::total_cmp);
        Some((*v.first()?, *v.last()?))
    }

    /// The exit code every run had, or `None` when runs disagreed or none ran.
    fn code(&self) -> Result<Option<i32>, String> {
        let first = self.samples.first().ok_or("did not run")?.code;
        if self.samples.iter().any(|s| s.code != first) {
            let codes: Vec<String> = self
                .samples
                .iter()
                .map(|s| s.code.map_or("signal".into(), |c| c.to_string()))
                .collect();
            return Err(format!(
                "exit codes differ between runs: {}",
                codes.join(", ")
            ));
        }
        Ok(first)
    }

    pub fn stdout_text(&self) -> String {
        fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    pub fn stderr_text(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

/// `%M %U %S` from time(1): peak RSS in KB, user and system seconds.
pub fn parse_time_line(line: &str) -> (Option<u64>, Option<f64>) {
    let mut parts = line.split_whitespace();
    let rss = parts.next().and_then(|p| p.parse().ok());
    let user: Option<f64> = parts.next().and_then(|p| p.parse().ok());
    let sys: Option<f64> = parts.next().and_then(|p| p.parse().ok());
    (rss, user.zip(sys).map(|(u, s)| u + s))
}

pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// What a validator said about its input, from its exit code.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Verdict {
    Valid,
    Invalid,
    Failed(String),
}

impl Verdict {
    pub fn label(&self) -> String {
        match self {
            Verdict::Valid => "valid".to_string(),
            Verdict::Invalid => "invalid".to_string(),
            Verdict::Failed(why) => format!("FAILED: {why}"),
        }
    }

    pub fn failed(&self) -> bool {
        matches!(self, Verdict::Failed(_))
    }
}

/// Reads a measurement's verdict: `invalid` is the tool's exit code for "some document is
/// invalid" (1 for teikit and jing, 3 for xmllint).
pub fn verdict(m: &Measurement, invalid: i32) -> Verdict {
    match m.code() {
        Err(why) => Verdict::Failed(why),
        Ok(Some(0)) => Verdict::Valid,
        Ok(Some(c)) if c == invalid => Verdict::Invalid,
        Ok(Some(124)) => Verdict::Failed(format!("timed out after {} s", m.timeout.as_secs())),
        Ok(Some(c)) => {
            let why = first_meaningful_line(&m.stderr_text())
                .or_else(|| first_meaningful_line(&m.stdout_text()))
                .unwrap_or_default();
            Verdict::Failed(format!("exit {c}: {why}"))
        }
        Ok(None) => Verdict::Failed("killed by a signal".to_string()),
    }
}

/// The first line of a tool's output that is not one of the Debian jing wrapper's warnings.
pub fn first_meaningful_line(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("[warning]"))
        .map(|l| truncate(l, 160))
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let t: String = s.chars().take(max).collect();
        format!("{t}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_line_parses() {
        assert_eq!(parse_time_line("1234 0.50 0.25"), (Some(1234), Some(0.75)));
        assert_eq!(parse_time_line("garbage"), (None, None));
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }

    #[test]
    fn commands_run_with_their_environment() {
        let h = Harness::new().unwrap();
        let cmd = Cmd::new(
            Path::new("/bin/sh"),
            vec!["-c".into(), "test \"$TEIKIT_BENCH_X\" = yes".into()],
            Duration::from_secs(10),
        );
        let m = h.measure(&cmd.clone().env("TEIKIT_BENCH_X", "yes"), 2, &|| {});
        assert_eq!(verdict(&m, 1), Verdict::Valid);
        assert_eq!(m.samples.len(), 2);
        let m = h.measure(&cmd, 1, &|| {});
        assert_eq!(verdict(&m, 1), Verdict::Invalid);
    }

    /// A group's commands take turns, each `before` runs right before its own command, and
    /// each command's output stays its own.
    #[test]
    fn interleaved_commands_take_turns() {
        let h = Harness::new().unwrap();
        let log = h.scratch.path().join("log");
        let shell = |word: &str| {
            let script = format!("echo {word} >> '{}'; echo {word}", log.display());
            Cmd::new(
                Path::new("/bin/sh"),
                vec!["-c".into(), script.into()],
                Duration::from_secs(10),
            )
        };
        let (a, b) = (shell("a"), shell("b"));
        let before_b = || {
            let mut f = fs::OpenOptions::new().append(true).open(&log).unwrap();
            std::io::Write::write_all(&mut f, b"before-b\n").unwrap();
        };
        let jobs = [
            Job {
                name: "a",
                cmd: &a,
                before: &|| {},
            },
            Job {
                name: "b",
                cmd: &b,
                before: &before_b,
            },
        ];
        let ms = h.measure_interleaved(&jobs, 3);
        let runs: Vec<String> = fs::read_to_string(&log)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(runs, ["a", "before-b", "b"].repeat(3));
        assert_eq!(ms.len(), 2);
        assert!(ms.iter().all(|m| m.samples.len() == 3));
        assert_eq!(ms[0].stdout_text(), "a\n");
        assert_eq!(ms[1].stdout_text(), "b\n");
    }
}
