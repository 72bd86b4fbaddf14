//! An outside tester of the API: schemathesis (PyPI, installed by `./run
//! test` into `target/venv`) generates requests from the service's own
//! `/openapi.json` and runs its default checks against a real `kitei serve`
//! on loopback: no 5xx, statuses and bodies as the document says, schema-
//! valid requests accepted, schema-violating ones refused. Bounded in time;
//! a finding fails the test with schemathesis' report. Findings that stand
//! are listed in docs/serving.md with their reason.

use kitei_serve::{self as serve, Config};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The whole run, generation included.
const BOUND: Duration = Duration::from_secs(300);
/// Cases per operation and phase.
const EXAMPLES: &str = "100";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_the_document_and_the_server_disagree_on() {
    let st = kitei_tests::root().join("target/venv/bin/schemathesis");
    if !st.exists() {
        if std::env::var_os("KITEI_SKIP_SCHEMATHESIS").is_some() {
            eprintln!("schemathesis: {} missing: SKIPPED because KITEI_SKIP_SCHEMATHESIS is set", st.display());
            return;
        }
        panic!("{} missing: ./run test installs it (target/venv, schemathesis==4.32.5 from PyPI)", st.display());
    }
    // the built modules, without signatures left by `kitei build` (no trust policy here)
    let policies = kitei_tests::temp_policy_dir("schemathesis", &["akita-notice", "gunma-2019", "gunma-2023", "koza-renkei-2020", "rokin-2019", "toyama-2023"]);
    let (addr, handle) = serve::spawn(Config { policies: policies.clone(), addr: SocketAddr::from(([127, 0, 0, 1], 0)), ..Config::default() })
        .await
        .expect("kitei serve starts");
    let url = format!("http://{addr}/openapi.json");
    let mut cmd = Command::new(&st);
    // a timestamp is a date-time with a pattern on its years: hypothesis filters the
    // date-times outside them, which its health check would count as an error
    cmd.args(["run", &url, "--max-examples", EXAMPLES, "--no-color", "--continue-on-failure", "--suppress-health-check", "filter_too_much"]);
    // CI replays one seed (.ci/run sets it), so a CI result can be reproduced
    if let Some(seed) = std::env::var_os("KITEI_FUZZ_SEED") {
        cmd.arg("--seed").arg(seed);
    }
    let started = Instant::now();
    let child = cmd.current_dir(std::env::temp_dir()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("schemathesis starts");
    let pid = child.id();
    let output = tokio::time::timeout(BOUND, tokio::task::spawn_blocking(move || child.wait_with_output())).await;
    handle.shutdown();
    let _ = tokio::time::timeout(Duration::from_secs(10), handle.join()).await;
    let _ = std::fs::remove_dir_all(&policies);
    let output = match output {
        Ok(Ok(Ok(out))) => out,
        Ok(Ok(Err(e))) => panic!("schemathesis: {e}"),
        Ok(Err(e)) => panic!("schemathesis: {e}"),
        Err(_) => {
            // SAFETY: kill(2) on the child this test started, by its pid
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("schemathesis did not finish within {BOUND:?}");
        }
    };
    let report = String::from_utf8_lossy(&output.stdout);
    let summary: String = report.lines().skip_while(|l| !l.contains("SUMMARY")).collect::<Vec<_>>().join("\n");
    eprintln!("schemathesis in {:.0} s:\n{summary}", started.elapsed().as_secs_f64());
    if !output.status.success() {
        let unexplained = unexplained(&report);
        assert!(
            unexplained.is_empty(),
            "schemathesis found the document and the server disagreeing ({} finding(s) not among those docs/serving.md explains: {unexplained:?}):\n{report}\n{}",
            unexplained.len(),
            String::from_utf8_lossy(&output.stderr)
        );
        eprintln!("schemathesis: only the findings docs/serving.md explains (cross-field rules JSON Schema cannot state)");
    }
    assert!(report.contains("generated"), "schemathesis ran no case:\n{report}");
}

/// The findings that stand, with their reason in docs/serving.md: rules
/// between fields of one request that JSON Schema cannot state, which the
/// server enforces (a selected account must be one of the customer's; an
/// account id is used once). Schemathesis generates both from the schema
/// alone, and the server refuses them, naming the field: that is right.
const STANDING: [(&str, &str); 2] = [("field `account_ids[", "` in `customer.accounts`"), ("field `customer.accounts[", "` is used twice")];

/// Every finding of a report that is not a schema-valid request refused for
/// one of the [`STANDING`] reasons: its check and, when the server answered
/// an error, its message.
fn unexplained(report: &str) -> Vec<String> {
    let failures = report.split("= FAILURES =").nth(1).unwrap_or(report);
    let failures = failures.split("= SUMMARY =").next().unwrap_or(failures);
    let mut out = Vec::new();
    for block in failures.split("\n- ST").skip(1) {
        let code = block.get(..3).unwrap_or(block);
        let message = block.split("\"message\":\"").nth(1).and_then(|m| m.split('"').next()).unwrap_or("");
        let standing = code == "202" && STANDING.iter().any(|(start, end)| message.starts_with(start) && message.contains(end));
        if !standing {
            out.push(format!("ST{code}: {}", if message.is_empty() { block.lines().next().unwrap_or("") } else { message }));
        }
    }
    if out.is_empty() && !failures.contains("\n- ST") {
        out.push("a failure without a check (see the report)".into());
    }
    out
}

#[test]
fn a_finding_other_than_the_standing_ones_is_reported() {
    let standing = "= FAILURES =\n__ POST /v1/decisions __\n1. Test Case ID: x\n\n- ST202 Schema-valid request rejected\n\n[422]\n\n    `{\"error\":{\"code\":\"invalid_request\",\"message\":\"field `account_ids[0]`: no account `q` in `customer.accounts`\"}}`\n= SUMMARY =";
    assert!(unexplained(standing).is_empty());
    let other = standing.replace("field `account_ids[0]`: no account `q` in `customer.accounts`", "one of `institution` or `variant` is required");
    assert_eq!(unexplained(&other), ["ST202: one of `institution` or `variant` is required"]);
    let server_error = "= FAILURES =\n- ST100 Server error\n[500]\n= SUMMARY =";
    assert_eq!(unexplained(server_error).len(), 1);
}
