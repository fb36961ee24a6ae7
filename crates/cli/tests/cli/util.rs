//! Running the binary in a scratch folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A RELAX NG schema accepting any well-formed document.
pub const ANY_SCHEMA: &str = r#"<grammar xmlns="http://relaxng.org/ns/structure/1.0">
  <start><ref name="any"/></start>
  <define name="any">
    <element><anyName/>
      <zeroOrMore><choice><attribute><anyName/></attribute><text/><ref name="any"/></choice></zeroOrMore>
    </element>
  </define>
</grammar>"#;

/// A scratch folder to run `teikit` in.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    /// A scratch folder whose teikit.toml names a schema accepting any element, for tests
    /// about inputs and formats rather than schemas.
    pub fn permissive() -> Scratch {
        let s = Scratch::new();
        s.write("any.rng", ANY_SCHEMA)
            .write("teikit.toml", "[validate]\nschema = \"any.rng\"\n");
        s
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `bytes` to `rel` (creating folders).
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> &Scratch {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(p, bytes).unwrap();
        self
    }

    /// Runs `teikit ARGS` in the folder, with no terminal and no colour from the environment.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None)
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: Option<&[u8]>) -> Run {
        run_in(self.dir.path(), args, stdin)
    }

    /// Runs `teikit ARGS` in the subfolder `rel` with extra environment variables.
    pub fn run_env(&self, rel: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
        run_in_env(&self.path(rel), args, None, env)
    }
}

pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    run_in_env(dir, args, stdin, &[])
}

/// Runs with no `TEIKIT_SCHEMA_PATH` and a user cache inside `dir` (`.cache`), so the
/// machine's own schemas never leak into a test, plus `env`.
pub fn run_in_env(dir: &Path, args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_teikit"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("TEIKIT_SCHEMA_PATH")
        .env("XDG_CACHE_HOME", dir.join(".cache"))
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run teikit");
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    let output: Output = child.wait_with_output().unwrap();
    Run {
        status: output.status.code().expect("exit status"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// What a run produced.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit status, showing the output when it differs.
    #[track_caller]
    pub fn status(&self, expected: i32) -> &Run {
        assert_eq!(
            self.status, expected,
            "exit status\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}
