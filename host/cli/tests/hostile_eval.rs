//! `kitei eval` (this crate's binary, as a user runs it) against each
//! hostile module of `target/policies-hostile/`: an error, within two
//! seconds, loading included. `kitei eval` reads a policy directory, so each
//! module is put alone in one:
//!
//! ```sh
//! mkdir -p /tmp/h && cp target/policies-hostile/loop-in-decision.wasm /tmp/h/
//! jq 'del(.institution) + {variant: "loop-in-decision"}' examples/01-toyama-authorize.json \
//!   | target/debug/kitei eval --policies /tmp/h -      # exit 1, {"error": {"code": "policy_timeout", …}}
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test: a failed unwrap is a failed test")]

use kitei_tests::hostile::{self, CASES};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(2);

#[test]
fn eval_against_each_hostile_module_is_an_error_within_two_seconds() {
    let root = std::env::temp_dir().join(format!("kitei-hostile-eval-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let mut example: Value = serde_json::from_str(include_str!("../../../examples/01-toyama-authorize.json")).unwrap();
    example.as_object_mut().unwrap().remove("institution");
    let mut slow = Vec::new();
    for case in CASES {
        let dir = root.join(case);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(hostile::module(case), dir.join(format!("{case}.wasm"))).unwrap();
        example["variant"] = case.into();
        // one eval is one call on a fresh instance, where `stateful` answers
        // a plain deny (its hostility needs a second call, tests/hostile.rs):
        // ask it the question it traps on
        example["function"] = if case == "stateful" { "transfer" } else { "balance" }.into();
        let request = dir.join("request.json");
        std::fs::write(&request, example.to_string()).unwrap();

        let started = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_kitei"))
            .args(["eval", "--policies"])
            .arg(&dir)
            .arg(&request)
            .stdin(Stdio::null())
            .output()
            .expect("run kitei eval");
        let took = started.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let answer: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{case}: {e}: {stdout}"));
        let code = answer["error"]["code"].as_str().unwrap_or_else(|| panic!("{case} answered: {answer}")).to_string();
        eprintln!("kitei eval {case}: exit {:?} after {took:?}: {code}", out.status.code());
        assert_eq!(out.status.code(), Some(1), "{case}: {answer}");
        assert_ne!(answer["decision"], "permit");
        if took >= LIMIT {
            slow.push(format!("{case}: {took:?}"));
        }
    }
    assert!(slow.is_empty(), "slower than {LIMIT:?}: {slow:?}");
    let _ = std::fs::remove_dir_all(&root);
}
