//! Runs the built `fkn` binary against virtual tokens in a scratch directory.

#![allow(dead_code)] // each test file uses a different part

use std::path::PathBuf;
use std::process::Command;

pub const USER_PIN: &str = "1234";
pub const ADMIN_PIN: &str = "87654321";

/// What one run of `fkn` did.
pub struct Out {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// A scratch directory with one virtual token file, `t.fkn`.
pub struct Lab {
    pub dir: tempfile::TempDir,
}

impl Lab {
    /// A directory with no token yet.
    pub fn empty() -> Self {
        Lab {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A directory with a token made by `fkn token init`.
    pub fn new() -> Self {
        let lab = Self::empty();
        let t = lab.token();
        lab.ok(&[
            "token",
            "init",
            "--token",
            &t,
            "--user-pin",
            USER_PIN,
            "--admin-pin",
            ADMIN_PIN,
            "--label",
            "cli test",
        ]);
        lab
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `--token` value of the lab's token.
    pub fn token(&self) -> String {
        format!("virtual:{}", self.path("t.fkn").display())
    }

    pub fn run(&self, args: &[&str]) -> Out {
        let out = Command::new(env!("CARGO_BIN_EXE_fkn"))
            .args(args)
            .current_dir(self.dir.path())
            // The tests pass PINs explicitly; none may leak in from outside.
            .env_remove("FKN_PIN")
            .env_remove("FKN_ADMIN_PIN")
            .env_remove("FKN_USER_PIN")
            .env_remove("RUST_LOG")
            .output()
            .expect("run fkn");
        Out {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.code,
            Some(0),
            "fkn {args:?} failed: {}{}",
            out.stdout,
            out.stderr
        );
        out.stdout
    }

    /// Runs and expects exit status `code` with exactly one line on stderr,
    /// which is returned.
    pub fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.code,
            Some(code),
            "fkn {args:?}: expected exit {code}; stdout {:?} stderr {:?}",
            out.stdout,
            out.stderr
        );
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "one line on stderr expected: {:?}",
            out.stderr
        );
        assert!(lines[0].starts_with("fkn: "), "{}", lines[0]);
        lines[0].to_owned()
    }

    /// `fkn <verb> --token T --pin PIN rest...` with the user PIN.
    pub fn user(&self, verb: &[&str], rest: &[&str]) -> String {
        let t = self.token();
        let mut args: Vec<&str> = verb.to_vec();
        args.extend(["--token", &t, "--pin", USER_PIN]);
        args.extend(rest);
        self.ok(&args)
    }

    /// Makes key `id` on `curve`; returns its public key bytes.
    pub fn keygen(&self, id: &str, curve: &str, label: &str) -> Vec<u8> {
        let out = self.user(
            &["keygen"],
            &["--id", id, "--curve", curve, "--label", label],
        );
        hex::decode(out.trim()).expect("keygen prints hex")
    }
}
