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

/// Several runs of one command, and where the last run's output went.
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
        })
    }

    /// Runs `cmd` `runs` times; `before` runs (untimed) before each run.
    pub fn measure(&self, cmd: &Cmd, runs: usize, before: &dyn Fn()) -> Measurement {
        let stdout = self.scratch.path().join("stdout");
        let stderr = self.scratch.path().join("stderr");
        let rss_file = self.scratch.path().join("rss");
        let mut samples = Vec::new();
        for i in 0..runs {
            before();
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
            let (Ok(out), Ok(err)) = (fs::File::create(&stdout), fs::File::create(&stderr)) else {
                break;
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
            eprintln!(
                "bench:   run {}/{runs}: {secs:.3} s, {} KB, exit {}",
                i + 1,
                rss_kb.map_or("?".to_string(), |k: u64| k.to_string()),
                code.map_or("signal".to_string(), |c| c.to_string())
            );
            samples.push(Sample {
                secs,
                rss_kb,
                cpu_secs,
                code,
            });
            if code == Some(124) {
                break; // a timeout will time out again: do not spend the time
            }
        }
        Measurement {
            samples,
            stdout,
            stderr,
            timeout: cmd.timeout,
        }
    }
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
}
