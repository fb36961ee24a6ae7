//! `cargo xtask dist [--out DIR]`: what a package of teikit ships beside the binary, generated
//! from the CLI's clap definition (`teikit_cli::command()`), so it never drifts from the
//! binary's real options:
//!
//! * `DIR/completions/`: `teikit.bash`, `_teikit` (zsh), `teikit.fish`, `teikit.elv`
//!   (elvish), `_teikit.ps1` (PowerShell), by clap_complete;
//! * `DIR/man/man1/`: `teikit.1` and one page per subcommand (`teikit-convert.1`,
//!   `teikit-schema-check.1`, ...), by clap_mangen.
//!
//! DIR defaults to `target/dist` in the repository.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap_complete::Shell;

/// The shells completions are generated for.
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Elvish,
    Shell::PowerShell,
];

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let mut out = crate::project_root().join("target/dist");
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--out" | "-o" => {
                out = PathBuf::from(rest.next().context("--out needs a folder")?);
            }
            other => {
                anyhow::bail!("unknown argument {other:?} (usage: cargo xtask dist [--out DIR])")
            }
        }
    }
    let files = generate(&out)?;
    for f in &files {
        println!("{}", f.display());
    }
    println!("dist: {} files in {}", files.len(), out.display());
    Ok(())
}

/// Writes the completions and man pages under `out`; returns the files written.
pub fn generate(out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let completions = out.join("completions");
    std::fs::create_dir_all(&completions)
        .with_context(|| format!("creating {}", completions.display()))?;
    let mut cmd = teikit_cli::command();
    for shell in SHELLS {
        let path = clap_complete::generate_to(shell, &mut cmd, "teikit", &completions)
            .with_context(|| format!("writing the {shell} completion"))?;
        files.push(path);
    }
    let man = out.join("man/man1");
    std::fs::create_dir_all(&man).with_context(|| format!("creating {}", man.display()))?;
    man_pages(teikit_cli::command(), &man, &mut files)?;
    Ok(files)
}

/// `teikit.1` and, recursively, `teikit-<sub>[-<subsub>].1` for every visible subcommand.
fn man_pages(cmd: clap::Command, dir: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    // build() settles display names (`teikit-schema-check`), propagated versions and the
    // generated help flags, as the binary sees them.
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    write_pages(&cmd, dir, files)
}

fn write_pages(cmd: &clap::Command, dir: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir, files)?;
    }
    let man = clap_mangen::Man::new(cmd.clone());
    let path = dir.join(man.get_filename());
    let mut buf = Vec::new();
    man.render(&mut buf)?;
    std::fs::write(&path, buf).with_context(|| format!("writing {}", path.display()))?;
    files.push(path);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (command path, long flag) of the CLI, e.g. (["schema", "check"], "format").
    fn walk(cmd: &clap::Command, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long() {
                out.push((path.clone(), long.to_string()));
            }
        }
        for sub in cmd.get_subcommands() {
            path.push(sub.get_name().to_string());
            out.push((path.clone(), String::new()));
            walk(sub, path, out);
            path.pop();
        }
    }

    fn every_flag() -> Vec<(Vec<String>, String)> {
        let mut cmd = teikit_cli::command().disable_help_subcommand(true);
        cmd.build();
        let mut out = Vec::new();
        walk(&cmd, &mut Vec::new(), &mut out);
        out
    }

    #[test]
    fn every_subcommand_and_flag_is_in_the_completions_and_man_pages() {
        let dir = tempfile::tempdir().unwrap();
        let files = generate(dir.path()).unwrap();
        let read =
            |p: PathBuf| std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p:?}: {e}"));
        let bash = read(dir.path().join("completions/teikit.bash"));
        let zsh = read(dir.path().join("completions/_teikit"));
        let fish = read(dir.path().join("completions/teikit.fish"));
        let flags = every_flag();
        // The CLI has these; if the walk found nothing, the test would prove nothing.
        assert!(flags.iter().any(|(p, f)| p == &["convert"] && f == "check"));
        assert!(flags
            .iter()
            .any(|(p, f)| p == &["schema", "check"] && f == "format"));
        for (path, flag) in &flags {
            let page = format!("teikit-{}.1", path.join("-"));
            if flag.is_empty() {
                // A subcommand: completed by name, and it has its own page.
                let name = path.last().unwrap();
                assert!(bash.contains(name.as_str()), "bash lacks {name}");
                assert!(zsh.contains(name.as_str()), "zsh lacks {name}");
                assert!(fish.contains(name.as_str()), "fish lacks {name}");
                assert!(
                    files.iter().any(|f| f.ends_with(&page)),
                    "no man page {page} among {files:?}"
                );
                continue;
            }
            let long = format!("--{flag}");
            assert!(
                bash.contains(&long),
                "bash completion lacks {long} ({path:?})"
            );
            // fish writes `-l check`.
            assert!(
                fish.contains(&format!("-l {flag}")),
                "fish lacks {long} ({path:?})"
            );
            let page = if path.is_empty() {
                "teikit.1".to_string()
            } else {
                page
            };
            let text = read(dir.path().join("man/man1").join(&page));
            // roff escapes the dashes.
            let roff = format!("\\-\\-{}", flag.replace('-', "\\-"));
            assert!(text.contains(&roff), "{page} lacks {long}");
        }
        // The top page lists the subcommands.
        let top = read(dir.path().join("man/man1/teikit.1"));
        for sub in teikit_cli::command().get_subcommands() {
            assert!(
                top.contains(sub.get_name()),
                "teikit.1 lacks {}",
                sub.get_name()
            );
        }
        // Five completions plus one page per command.
        let commands = flags.iter().filter(|(_, f)| f.is_empty()).count() + 1;
        assert_eq!(files.len(), SHELLS.len() + commands);
    }
}
