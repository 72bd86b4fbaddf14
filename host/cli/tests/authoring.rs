//! The rule author's path with this binary (docs/authoring.md): `kitei new`
//! scaffolds a crate outside the workspace that `kitei build --no-sign DIR
//! -o FILE` builds and `kitei eval` / `kitei test` answer; a declared term
//! that is unused or clashes with the core fails the build with a message
//! naming the term and the crate's file.
//!
//! The crates are compiled in one cargo target directory shared with the
//! kamome tests (`target/kamome-wasm`, `CARGO_TARGET_DIR` for the child), so
//! the wasm std and the SDK are compiled once and each build here takes
//! seconds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test: a failed unwrap is a failed test")]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kitei() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kitei"));
    cmd.env("CARGO_TARGET_DIR", kitei_tests::outside_target_dir());
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("kitei runs")
}

fn text(out: &Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// A fresh, missing directory under the system temp dir.
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kitei-authoring-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn scaffold(dir: &Path, variant: &str) {
    let out = run(kitei().arg("new").arg(dir).args(["--institution", "umineko", "--variant", variant, "--name", "うみねこ銀行"]));
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_new_crate_builds_outside_the_workspace_and_answers_its_scenarios() {
    let base = temp("new");
    let dir = base.join("umineko-2026");
    scaffold(&dir, "umineko-2026");
    for file in ["Cargo.toml", "Cargo.lock", "source.txt", "src/lib.rs", "request.json"] {
        assert!(dir.join(file).is_file(), "{file} written");
    }
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("\n[workspace]\n") && manifest.contains("[profile.policy]"), "{manifest}");
    let sdk = kitei_tests::root().join("policy/sdk").canonicalize().unwrap();
    assert!(manifest.contains(&format!("kitei-sdk = {{ path = \"{}\" }}", sdk.display())), "{manifest}");
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains("// kitei_sdk::terms! {") && lib.contains("fn quoted_texts_are_in_the_source"), "{lib}");

    let module = base.join("out/umineko-2026.wasm");
    let out = run(kitei().arg("build").arg("--no-sign").arg(&dir).arg("-o").arg(&module));
    assert!(out.status.success(), "{}", text(&out));
    assert!(module.is_file());

    let out = run(kitei().arg("test").arg("--policies").arg(base.join("out")).arg(dir.join("conformance")));
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 passed, 0 failed"), "{}", text(&out));

    let out = run(kitei().arg("eval").arg("--policies").arg(base.join("out")).arg(dir.join("request.json")));
    assert!(out.status.success(), "{}", text(&out));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["policy"]["variant"], "umineko-2026");
    assert_eq!(answer["decision"], "permit", "{answer}");
    assert_eq!(answer["reasons"][0]["cite"], "第1条第1項", "{answer}");
    let source = std::fs::read_to_string(dir.join("source.txt")).unwrap();
    assert!(source.contains("----- 本文（受領したまま） -----"));
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn new_refuses_a_non_empty_directory_and_bad_ids_by_name() {
    let dir = temp("refuse");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let out = run(kitei().arg("new").arg(&dir).args(["--institution", "umineko", "--variant", "umineko-2026"]));
    assert!(!out.status.success());
    assert!(text(&out).contains("is not empty (it has `notes.txt`)"), "{}", text(&out));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "nothing written");
    let fresh = dir.join("fresh");
    for (institution, variant, named) in [("Umineko", "umineko-2026", "institution id `Umineko`"), ("umineko", "umineko_2026", "variant id `umineko_2026`")] {
        let out = run(kitei().arg("new").arg(&fresh).args(["--institution", institution, "--variant", variant]));
        assert!(!out.status.success());
        assert!(text(&out).contains(named), "{}", text(&out));
        assert!(!fresh.exists(), "nothing written");
    }
    let out = run(kitei().arg("new").arg(&fresh).args(["--institution", "umineko", "--variant", "umineko-2026", "--sdk"]).arg(&dir));
    assert!(!out.status.success());
    assert!(text(&out).contains("no kitei-sdk crate at"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Builds the scaffold with `terms` declared and `terms: TERMS` in the
/// policy, and returns the failed build's output.
fn build_with_terms(name: &str, terms: &str) -> String {
    let base = temp(name);
    let dir = base.join("crate");
    scaffold(&dir, &format!("umineko-{name}"));
    let lib_path = dir.join("src/lib.rs");
    let lib = std::fs::read_to_string(&lib_path).unwrap();
    let lib = lib
        .replace("/// The text: who publishes it", &format!("kitei_sdk::terms! {{\n{terms}\n}}\n\n/// The text: who publishes it"))
        .replace("    scope: ContractScope::EveryCustomer,", "    scope: ContractScope::EveryCustomer,\n    terms: TERMS,");
    std::fs::write(&lib_path, lib).unwrap();
    let out = run(kitei().arg("build").arg("--no-sign").arg(&dir).arg("-o").arg(base.join("x.wasm")));
    assert!(!out.status.success(), "the build must fail: {}", text(&out));
    assert!(!base.join("x.wasm").exists());
    let _ = std::fs::remove_dir_all(&base);
    text(&out)
}

#[test]
fn an_unused_or_clashing_term_fails_the_build_naming_the_term_and_the_file() {
    let out = build_with_terms("unused", r#"    DEBIT = Term::function("debit_statement", "デビット利用明細照会", "the debit card statement", R_1_1);"#);
    assert!(out.contains("src/lib.rs:") && out.contains("declared term `debit_statement` is used by no table"), "{out}");
    let out = build_with_terms("clash", r#"    BALANCE = Term::function("balance", "残高照会", "the balance", R_1_1);"#);
    assert!(out.contains("src/lib.rs:") && out.contains("declared term `balance` is a core term's name"), "{out}");
}
