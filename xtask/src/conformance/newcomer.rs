//! The `newcomer` suite: the README's "Getting started", run as a new user runs it, so that the
//! suite breaks when the README drifts from what teikit does.
//!
//! The steps are the README's fenced blocks whose info string is `sh newcomer`, taken from
//! README.md itself and run in order by one `bash -eu` script (a `cd` in one step holds for
//! the next). The script starts in a fresh copy of the repository's tracked files (working
//! tree versions, so an edited README is what is tested) named `teikit/`, in an otherwise empty
//! temporary folder, so `../my-edition` is inside it too. Only the environment differs from a
//! user's:
//!
//! * `CARGO_INSTALL_ROOT` is a temporary folder on `PATH`, so `cargo install --path crates/cli`
//!   does not touch ~/.cargo; `CARGO_TARGET_DIR` is shared (as in `precommit`), so the release
//!   build of the dependencies is reused;
//! * the hook's `repo:` URL (`https://example.invalid/teikit`, which a user replaces by the
//!   real one) becomes this repository's path and `rev:` its HEAD commit, as in the
//!   `precommit` suite, with the same temporary `PRE_COMMIT_HOME` (so the hooks that suite
//!   built for that commit are reused).
//!
//! Cases: `readme-has-steps` (at least the install, convert, validate and hook steps are
//! there), then `step-N` for each command line, which must succeed; the first failing step
//! stops the script and names its line. Then the user guide's recipes: the `sh tested` blocks
//! of each `docs/guide/NAME.md`, run the same way (from the copy, with the teikit the README
//! installed) as `NAME/step-N`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;

use super::precommit::{both, git, shared_target_dir, tool_exists, Env};
use super::SuiteResult;

/// The info string of the README blocks this suite runs.
const TAG: &str = "sh newcomer";
/// The info string of the guides' blocks (docs/guide/*.md) this suite runs.
const GUIDE_TAG: &str = "sh tested";
/// The placeholder URL of the hook repository in the README.
const REPO_URL: &str = "https://example.invalid/teikit";

pub fn run(_shared: &Path) -> anyhow::Result<SuiteResult> {
    let root = crate::project_root();
    let readme = std::fs::read_to_string(root.join("README.md"))?;
    let steps = tested_steps(&readme, TAG);
    let mut result = SuiteResult::new();
    let joined = steps.join("\n");
    let missing: Vec<&str> = [
        "cargo install --path crates/cli",
        "teikit convert",
        "teikit validate",
        "pre-commit install",
        "git commit",
    ]
    .into_iter()
    .filter(|s| !joined.contains(s))
    .collect();
    result.record(
        "readme-has-steps",
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("README.md's `{TAG}` blocks lack {missing:?}"))
        },
    );
    if !tool_exists("pre-commit") {
        anyhow::bail!(
            "pre-commit is not installed: `pip install pre-commit` (.ci/run installs it)"
        );
    }
    let tmp = tempfile::tempdir()?;
    let clone = tmp.path().join("teikit");
    copy_tracked(&root, &clone)?;
    let rev = String::from_utf8(git(&root, &["rev-parse", "HEAD"])?.stdout)?
        .trim()
        .to_string();
    let runner = Runner {
        clone,
        bin_root: tmp.path().join("cargo-root"),
        target_dir: shared_target_dir(&root),
        pre_commit_home: Env::new(&root)?.pre_commit_home().to_path_buf(),
        repo: root.display().to_string(),
        rev,
    };
    let started = std::time::Instant::now();
    runner.run("", &steps, &mut result)?;
    println!(
        "newcomer: the README's {} steps took {:.0} s",
        steps.len(),
        started.elapsed().as_secs_f64()
    );

    // Then each guide's `sh tested` blocks, with the teikit the README installed.
    let mut guides: Vec<_> = std::fs::read_dir(root.join("docs/guide"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    guides.sort();
    for guide in guides {
        let name = guide
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let steps = tested_steps(&std::fs::read_to_string(&guide)?, GUIDE_TAG);
        if !steps.is_empty() {
            runner.run(&format!("{name}/"), &steps, &mut result)?;
        }
    }
    Ok(result)
}

/// Runs steps as one script and records `PREFIXstep-N` for each.
struct Runner {
    clone: PathBuf,
    bin_root: PathBuf,
    target_dir: PathBuf,
    pre_commit_home: PathBuf,
    repo: String,
    rev: String,
}

impl Runner {
    fn run(&self, prefix: &str, steps: &[String], result: &mut SuiteResult) -> anyhow::Result<()> {
        // One script; each step echoes a marker first so a failure names its step.
        let mut script = String::from("set -eu\n");
        for (i, step) in steps.iter().enumerate() {
            let step = step
                .replace(REPO_URL, &self.repo)
                .replace("rev: main", &format!("rev: {}", self.rev));
            script.push_str(&format!("echo '>>> step-{}'\n{step}\n", i + 1));
        }
        script.push_str("echo '>>> done'\n");
        let path = format!(
            "{}:{}",
            self.bin_root.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(&self.clone)
            .env("PATH", path)
            .env("CARGO_INSTALL_ROOT", &self.bin_root)
            .env("CARGO_TARGET_DIR", &self.target_dir)
            .env("PRE_COMMIT_HOME", &self.pre_commit_home)
            .env("CARGO_TERM_COLOR", "never")
            .envs(super::precommit::GIT_IDENTITY)
            .output()
            .context("running bash")?;
        let text = both(&out);
        let reached = text
            .lines()
            .filter_map(|l| l.strip_prefix(">>> step-"))
            .filter_map(|n| n.trim().parse::<usize>().ok())
            .max()
            .unwrap_or(0);
        let finished = out.status.success() && text.contains(">>> done");
        for (i, step) in steps.iter().enumerate() {
            let n = i + 1;
            let outcome = if finished || n < reached {
                Ok(())
            } else if n == reached {
                Err(format!("`{step}` failed:\n{text}"))
            } else {
                Err("not reached".to_string())
            };
            result.record(format!("{prefix}step-{n}"), outcome);
        }
        Ok(())
    }
}

/// The command lines of the fenced blocks whose info string is `tag`, in order; comments and
/// blank lines dropped, a here-document kept whole as one step.
pub fn tested_steps(readme: &str, tag: &str) -> Vec<String> {
    let mut steps = Vec::new();
    let mut in_block = false;
    let mut heredoc: Option<(String, String)> = None; // (terminator, text so far)
    for line in readme.lines() {
        let trimmed = line.trim();
        if !in_block {
            if let Some(info) = trimmed.strip_prefix("```") {
                in_block = info.trim() == tag;
            }
            continue;
        }
        if let Some((end, mut text)) = heredoc.take() {
            text.push('\n');
            text.push_str(line);
            if trimmed == end {
                steps.push(text);
            } else {
                heredoc = Some((end, text));
            }
            continue;
        }
        if trimmed.starts_with("```") {
            in_block = false;
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(at) = line.find("<<'") {
            let end: String = line[at + 3..].chars().take_while(|&c| c != '\'').collect();
            heredoc = Some((end, line.to_string()));
            continue;
        }
        steps.push(line.to_string());
    }
    steps
}

/// Copies the tracked files of `root` (working-tree versions) to `to`, as a fresh clone.
fn copy_tracked(root: &Path, to: &Path) -> anyhow::Result<()> {
    let listed = git(root, &["ls-files", "-z"])?.stdout;
    for name in listed.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = std::str::from_utf8(name)?;
        let from = root.join(name);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let dest = to.join(name);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&from, &dest).with_context(|| format!("copying {name}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_come_from_tagged_blocks_only() {
        let readme = "intro\n```sh\nnot this\n```\n```sh newcomer\n# a comment\ncargo install --path crates/cli   # puts it on PATH\n\ncd ../x\ncat > a.yaml <<'EOF'\nrepos: []\nEOF\nteikit validate a.xml\n```\n```sh newcomer\ngit commit -m x\n```\n";
        assert_eq!(
            tested_steps(readme, TAG),
            [
                "cargo install --path crates/cli   # puts it on PATH",
                "cd ../x",
                "cat > a.yaml <<'EOF'\nrepos: []\nEOF",
                "teikit validate a.xml",
                "git commit -m x",
            ]
        );
    }

    #[test]
    fn the_readme_has_a_newcomer_path() {
        let readme = std::fs::read_to_string(crate::project_root().join("README.md")).unwrap();
        let steps = tested_steps(&readme, TAG);
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with("cargo install --path crates/cli")),
            "{steps:?}"
        );
        assert!(steps.iter().any(|s| s.contains(REPO_URL)), "{steps:?}");
    }
}
