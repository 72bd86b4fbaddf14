//! The driver as CI runs it, on what needs no built policies (the rest runs
//! in `./run test` after the tests built them): the checked-in trust seeds
//! replay clean, and a bad command line is refused. Also makes `cargo test`
//! build the `kitei-fuzz` binary that `./run test` then runs.

use std::path::Path;
use std::process::Command;

fn driver() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kitei-fuzz"))
}

#[test]
fn trust_seeds_replay_clean_without_policies() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/trust");
    let mut files: Vec<_> = std::fs::read_dir(&corpus).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 5, "trust seeds are checked in");
    let out = driver().args(["trust", "--policies", "/nonexistent", "--replay"]).args(&files).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("dev-trust.toml: ok (accepted)"), "{stdout}");
    assert!(stdout.contains("window-reversed.toml: ok (refused)"), "{stdout}");
}

#[test]
fn an_unknown_target_is_refused() {
    let out = driver().arg("nothing").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown target `nothing`"));
}

#[test]
fn missing_policies_are_an_error_not_a_pass() {
    let out = driver().args(["module", "--policies", "/nonexistent", "--seconds", "0"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 passed, 1 failed"), "{}", String::from_utf8_lossy(&out.stdout));
}
