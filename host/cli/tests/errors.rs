//! An error is printed with its cause once: the message, then each cause
//! after `: `, as `kitei` users read it on stderr. An error whose cause is
//! an error of its own gives it as `source()` and does not repeat it in its
//! message, so the I/O error below appears exactly once on the line.
//!
//! ```sh
//! target/debug/kitei test /nonexistent.toml
//! # error: `/nonexistent.toml`: cannot read: No such file or directory (os error 2)
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test: a failed unwrap is a failed test")]

use std::process::{Command, Stdio};

fn kitei(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kitei")).args(args).stdin(Stdio::null()).output().expect("run kitei");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `stderr` holds `line` as one of its lines, with the OS error once.
fn printed_once(case: &str, stderr: &str, line: &str) {
    let found = stderr.lines().find(|l| l.starts_with(line)).unwrap_or_else(|| panic!("{case}: no line starting `{line}` in:\n{stderr}"));
    assert_eq!(found.matches("(os error").count(), 1, "{case}: the cause is printed once: {found}");
}

#[test]
fn a_cause_is_printed_once() {
    let dir = std::env::temp_dir().join(format!("kitei-errors-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("missing");
    let missing = missing.to_str().unwrap();

    let suite = format!("{missing}.toml");
    let (code, stderr) = kitei(&["test", &suite]);
    assert_eq!(code, Some(2), "{stderr}");
    printed_once("kitei test", &stderr, &format!("error: `{suite}`: cannot read: No such file or directory"));

    let (code, stderr) = kitei(&["diff", "--policies", missing, "gunma-2019", "gunma-2023"]);
    assert_eq!(code, Some(2), "{stderr}");
    printed_once("kitei diff", &stderr, &format!("error: cannot read policy directory `{missing}`: No such file or directory"));

    // the service's start: the address taken
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, stderr) = kitei(&["serve", "--allow-unsigned", "--policies", dir.to_str().unwrap(), "--addr", &addr]);
    assert_eq!(code, Some(2), "{stderr}");
    printed_once("kitei serve", &stderr, &format!("error: cannot listen on `{addr}`: Address already in use"));
    let _ = std::fs::remove_dir_all(&dir);
}
