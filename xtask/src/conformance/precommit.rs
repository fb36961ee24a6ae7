//! The `precommit` suite: teikit's `.pre-commit-hooks.yaml` driven by a real `pre-commit`
//! (from PyPI; `.ci/run` installs it), as a project that adopts the hooks uses them.
//!
//! A temporary git repository gets a `.pre-commit-config.yaml` whose `repo:` is this
//! repository's path and whose `rev:` is `git rev-parse HEAD`: pre-commit clones that commit
//! and builds it with `cargo install --bins --path .` (the root package `teikit-hook`), so
//! only the COMMITTED state is tested. Then real `git commit`s go through the installed git
//! hook: a valid TEI file and a transcription that converts are accepted; an invalid TEI file
//! and a transcription that is not UTF-8 are refused, with teikit's diagnostic in the output.
//!
//! `PRE_COMMIT_HOME` is a temporary folder (nothing is left in ~/.cache), shared with the
//! `newcomer` suite of the same run. The `cargo install`
//! inside pre-commit shares `CARGO_TARGET_DIR` (inherited, or this repository's `target/`), so
//! the release build of the dependencies made for the README's first command is reused; the
//! install time is printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Context as _;

use super::SuiteResult;

pub fn run(_shared: &Path) -> anyhow::Result<SuiteResult> {
    let root = crate::project_root();
    if !tool_exists("pre-commit") {
        anyhow::bail!(
            "pre-commit is not installed: `pip install pre-commit` (.ci/run installs it)"
        );
    }
    let rev = git_stdout(&root, &["rev-parse", "HEAD"])?;
    let dirty = git_stdout(
        &root,
        &[
            "status",
            "--porcelain",
            "--",
            ".pre-commit-hooks.yaml",
            "Cargo.toml",
            "crates",
        ],
    )?;
    if !dirty.is_empty() {
        println!("precommit: note: pre-commit builds the committed {rev}; uncommitted changes are not tested");
    }
    let tmp = tempfile::tempdir()?;
    let project = tmp.path().join("project");
    std::fs::create_dir_all(&project)?;
    let env = Env::new(&root)?;
    let mut result = SuiteResult::new();

    git(&project, &["init", "-q"])?;
    std::fs::write(project.join(".pre-commit-config.yaml"), config(&root, &rev))?;
    git(&project, &["add", ".pre-commit-config.yaml"])?;
    git(&project, &["commit", "-q", "-m", "hooks"])?;

    let started = Instant::now();
    let install = env.run(&project, "pre-commit", &["install-hooks"])?;
    println!(
        "precommit: pre-commit install-hooks (cargo install of {}) took {:.0} s",
        &rev[..rev.len().min(10)],
        started.elapsed().as_secs_f64()
    );
    if !install.status.success() {
        result.record("install-hooks", Err(format!("failed:\n{}", both(&install))));
        return Ok(result);
    }
    result.record("install-hooks", Ok(()));
    let hook = env.run(&project, "pre-commit", &["install"])?;
    result.record(
        "install",
        if hook.status.success() {
            Ok(())
        } else {
            Err(both(&hook))
        },
    );

    // A valid TEI document: what the hook's own teikit makes of a bundled sample.
    let teikit = env.installed_teikit()?;
    let sample = root.join("samples/letter-1953-beijing.txt");
    let tei = Command::new(&teikit)
        .arg("convert")
        .arg(&sample)
        .output()
        .with_context(|| format!("running {}", teikit.display()))?;
    anyhow::ensure!(
        tei.status.success(),
        "teikit convert {} failed:\n{}",
        sample.display(),
        both(&tei)
    );
    let valid = tei.stdout;
    // The same document with an element the schema does not allow in the body.
    let text = String::from_utf8(valid.clone())?;
    let invalid = text.replacen("<body>", "<body><bogus>not TEI</bogus>", 1);
    anyhow::ensure!(invalid != text, "the converted sample has no <body>");

    let cases: [(&str, &str, Vec<u8>, Expect); 4] = [
        ("valid-tei-accepted", "letter.xml", valid, Expect::Accepted),
        (
            "invalid-tei-refused",
            "broken.xml",
            invalid.into_bytes(),
            Expect::Refused(&["broken.xml", "bogus", "[rng/"]),
        ),
        (
            "transcription-accepted",
            "cable.txt",
            std::fs::read(root.join("samples/cable-1951-moscow.txt"))?,
            Expect::Accepted,
        ),
        (
            // Latin-1, as a transcription saved by an old editor: not UTF-8.
            "latin1-transcription-refused",
            "latin1.txt",
            b"Budapest, 12 November 1956\n\nThe caf\xe9 on V\xe1ci utca was closed.\n".to_vec(),
            Expect::Refused(&["latin1.txt", "[convert/invalid-utf8]"]),
        ),
    ];
    for (name, file, bytes, expect) in cases {
        result.record(name, commit_one(&env, &project, file, &bytes, expect));
    }
    Ok(result)
}

#[derive(Clone, Copy)]
enum Expect {
    Accepted,
    /// Refused, and the output contains each of these.
    Refused(&'static [&'static str]),
}

/// Stages `file` alone and commits it through the installed git hook.
fn commit_one(
    env: &Env,
    project: &Path,
    file: &str,
    bytes: &[u8],
    expect: Expect,
) -> Result<(), String> {
    std::fs::write(project.join(file), bytes).map_err(|e| e.to_string())?;
    git(project, &["add", "--", file]).map_err(|e| e.to_string())?;
    let out = env
        .run(project, "git", &["commit", "-m", &format!("add {file}")])
        .map_err(|e| e.to_string())?;
    let text = both(&out);
    let outcome = match expect {
        Expect::Accepted if out.status.success() => Ok(()),
        Expect::Accepted => Err(format!("the commit was refused:\n{text}")),
        Expect::Refused(_) if out.status.success() => {
            Err(format!("the commit was accepted:\n{text}"))
        }
        Expect::Refused(needles) => match needles.iter().find(|n| !text.contains(*n)) {
            Some(missing) => Err(format!(
                "refused, but the output lacks {missing:?}:\n{text}"
            )),
            None => Ok(()),
        },
    };
    if !out.status.success() {
        // Leave the index clean for the next case.
        let _ = git(project, &["rm", "-q", "--cached", "--", file]);
    }
    outcome
}

/// The `.pre-commit-config.yaml` a project writes (docs/guide/pre-commit.md), with this
/// repository's path instead of its URL.
fn config(root: &Path, rev: &str) -> String {
    format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: teikit-validate\n      - id: teikit-convert-check\n",
        root.display()
    )
}

/// One temporary PRE_COMMIT_HOME for the whole `cargo xtask conformance` run: the
/// `newcomer` suite then finds the hooks already built for the same commit, as pre-commit
/// reuses an environment for a (repo, rev) it has installed. Removed by [`cleanup`].
static PRE_COMMIT_HOME: Mutex<Option<tempfile::TempDir>> = Mutex::new(None);

fn pre_commit_home() -> anyhow::Result<PathBuf> {
    let mut home = PRE_COMMIT_HOME.lock().unwrap_or_else(|e| e.into_inner());
    if home.is_none() {
        *home = Some(
            tempfile::Builder::new()
                .prefix("teikit-pre-commit-")
                .tempdir()?,
        );
    }
    Ok(home
        .as_ref()
        .map(|t| t.path().to_path_buf())
        .unwrap_or_default())
}

/// Removes the shared PRE_COMMIT_HOME (after all suites ran).
pub fn cleanup() {
    let mut home = PRE_COMMIT_HOME.lock().unwrap_or_else(|e| e.into_inner());
    home.take();
}

/// The environment the suite runs pre-commit and git in.
pub(super) struct Env {
    pre_commit_home: PathBuf,
    target_dir: PathBuf,
}

impl Env {
    pub(super) fn new(root: &Path) -> anyhow::Result<Env> {
        Ok(Env {
            pre_commit_home: pre_commit_home()?,
            target_dir: shared_target_dir(root),
        })
    }

    pub(super) fn pre_commit_home(&self) -> &Path {
        &self.pre_commit_home
    }

    pub(super) fn run(&self, dir: &Path, program: &str, args: &[&str]) -> anyhow::Result<Output> {
        Command::new(program)
            .args(args)
            .current_dir(dir)
            .env("PRE_COMMIT_HOME", &self.pre_commit_home)
            .env("CARGO_TARGET_DIR", &self.target_dir)
            .env("CARGO_TERM_COLOR", "never")
            .env("NO_COLOR", "1")
            .envs(GIT_IDENTITY)
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .with_context(|| format!("running {program} {}", args.join(" ")))
    }

    /// The `teikit` pre-commit installed (PRE_COMMIT_HOME/repo*/rustenv-*/bin/teikit).
    fn installed_teikit(&self) -> anyhow::Result<PathBuf> {
        for repo in std::fs::read_dir(&self.pre_commit_home)? {
            let repo = repo?.path();
            let Ok(envs) = std::fs::read_dir(&repo) else {
                continue;
            };
            for env in envs.flatten() {
                let name = env.file_name();
                let bin = env.path().join("bin/teikit");
                if name.to_string_lossy().starts_with("rustenv") && bin.is_file() {
                    return Ok(bin);
                }
            }
        }
        anyhow::bail!(
            "no teikit binary under {} after install-hooks",
            self.pre_commit_home.display()
        )
    }
}

/// `CARGO_TARGET_DIR` if set, else this repository's `target/`: where `cargo install` builds,
/// so dependencies already built in release mode are not built again.
pub(super) fn shared_target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => root.join(d),
        None => root.join("target"),
    }
}

pub(super) fn tool_exists(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The author and committer of the test commits.
pub(super) const GIT_IDENTITY: [(&str, &str); 4] = [
    ("GIT_AUTHOR_NAME", "teikit test"),
    ("GIT_AUTHOR_EMAIL", "test@example.invalid"),
    ("GIT_COMMITTER_NAME", "teikit test"),
    ("GIT_COMMITTER_EMAIL", "test@example.invalid"),
];

/// Runs git with a fixed identity and without commit signing.
pub(super) fn git(dir: &Path, args: &[&str]) -> anyhow::Result<Output> {
    let out = git_command(dir, args)
        .output()
        .with_context(|| format!("running git {}", args.join(" ")))?;
    anyhow::ensure!(
        out.status.success(),
        "git {} failed:\n{}",
        args.join(" "),
        both(&out)
    );
    Ok(out)
}

fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.args([
        "-c",
        "commit.gpgsign=false",
        "-c",
        "init.defaultBranch=main",
    ])
    .args(args)
    .current_dir(dir)
    .envs(GIT_IDENTITY)
    .env_remove("GIT_DIR")
    .env_remove("GIT_INDEX_FILE");
    cmd
}

fn git_stdout(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = git(dir, args)?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Standard output and standard error together, as a user sees them.
pub(super) fn both(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
