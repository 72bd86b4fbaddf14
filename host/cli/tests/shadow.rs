//! Shadow evaluation end to end: a real `kitei serve --shadow` (this
//! crate's binary) answers gunma card-loan requests dated 2021 with
//! gunma-2019, and answers them again, off the request path, with gunma-2023
//! (the next version, in force from 2023-06-06, or staged with `--stage`);
//! `GET /v1/shadow` and `/metrics` count the change under 第2条第2項 with
//! the real decision ids; a one-place queue under a burst drops and counts
//! instead of slowing answers; without `--shadow` nothing is shadowed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test: a failed unwrap is a failed test")]

use kitei_tests::gunma_card_loan;
use kitei_tests::process::Served;
use serde_json::{Value, json};
use std::ffi::OsStr;
use std::path::Path;
use std::time::{Duration, Instant};

fn serve<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(args: I) -> Served {
    Served::start(Path::new(env!("CARGO_BIN_EXE_kitei")), args)
}

/// POSTs `body` to `path`: status, decision id, answer.
async fn post(http: &reqwest::Client, served: &Served, path: &str, body: &Value) -> (u16, String, Value) {
    let r = http.post(format!("{}{path}", served.base)).header("content-type", "application/json").body(body.to_string()).send().await.expect("POST");
    let status = r.status().as_u16();
    let id = r.headers().get("kitei-decision-id").map(|v| v.to_str().unwrap().to_string()).expect("every answer carries kitei-decision-id");
    (status, id, r.json().await.expect("a JSON answer"))
}

async fn get_json(served: &Served, path: &str) -> Value {
    let r = reqwest::get(format!("{}{path}", served.base)).await.expect("GET");
    assert_eq!(r.status(), 200, "GET {path}");
    r.json().await.expect("JSON")
}

async fn metrics(served: &Served) -> String {
    reqwest::get(format!("{}/metrics", served.base)).await.expect("GET /metrics").text().await.unwrap()
}

/// `/v1/shadow` once every queued job is answered (at most 60 s).
async fn settled(served: &Served) -> Value {
    let start = Instant::now();
    loop {
        let report = get_json(served, "/v1/shadow").await;
        if report["pending"] == 0 {
            return report;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "shadow jobs still pending after 60 s: {report}\n{}", served.log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The primary answer to a card-loan request of 2021: gunma-2019's, the
/// card loan refused under 第2条第2項.
fn assert_gunma_2019(answer: &Value) {
    assert_eq!(answer["policy"]["variant"], "gunma-2019", "{answer}");
    let loan = &answer["accounts"][0];
    assert_eq!(loan["linkable"], false, "gunma-2019 does not link a card loan: {answer}");
    let cites: Vec<&str> = loan["reasons"].as_array().expect("reasons").iter().filter_map(|r| r["cite"].as_str()).collect();
    assert!(cites.contains(&"第2条第2項"), "refused under 第2条第2項: {answer}");
}

/// gunma card loans of 2021 (singles and a batch) and a few others: the
/// decision ids of the gunma-2019 answers, in order.
async fn send_card_loans(served: &Served) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    for n in 0..6 {
        let (status, id, answer) = post(&http, served, "/v1/decisions", &gunma_card_loan(n)).await;
        assert_eq!(status, 200, "{answer}");
        assert_gunma_2019(&answer);
        ids.push(id);
    }
    // gunma-2023 in force (2024): no next version, nothing to shadow
    let mut now = gunma_card_loan(9);
    now["at"] = json!("2024-04-01T10:00:00+09:00");
    let (status, _, answer) = post(&http, served, "/v1/decisions", &now).await;
    assert_eq!((status, &answer["policy"]["variant"]), (200, &json!("gunma-2023")), "{answer}");
    // an error is not shadowed
    let (status, _, _) =
        post(&http, served, "/v1/decisions", &json!({"institution": "nowhere", "operation": "accounts", "at": "2021-04-01T10:00:00+09:00"})).await;
    assert_eq!(status, 404);
    let batch = json!([gunma_card_loan(7), {"operation": "eligibility"}, gunma_card_loan(8)]);
    let (status, batch_id, answers) = post(&http, served, "/v1/decisions/batch", &batch).await;
    assert_eq!(status, 200, "{answers}");
    assert_gunma_2019(&answers[0]);
    assert_gunma_2019(&answers[2]);
    ids.push(format!("{batch_id}/0"));
    ids.push(format!("{batch_id}/2"));
    ids
}

/// The report's one pair, gunma-2019 shadowed by gunma-2023 (`source`),
/// with every card loan changed under 第2条第2項, the examples real ids.
fn assert_counted(report: &Value, ids: &[String], source: &str) {
    assert_eq!(report["enabled"], true, "{report}");
    let pairs = report["pairs"].as_array().expect("pairs");
    assert_eq!(pairs.len(), 1, "gunma-2019 → gunma-2023 only (toyama has one version; gunma-2023 none after it): {report}");
    let pair = &pairs[0];
    assert_eq!(pair["institution"], "gunma");
    assert_eq!(pair["module"]["variant"], "gunma-2019");
    assert_eq!(pair["shadow"]["variant"], "gunma-2023");
    assert_eq!(pair["shadow"]["effective_from"], "2023-06-06");
    assert_eq!(pair["shadow"]["source"], source);
    let sha = kitei::component::sha256_hex(&std::fs::read(kitei_tests::policies().join("gunma-2023.wasm")).unwrap());
    assert_eq!(pair["shadow"]["sha256"], sha.as_str());
    assert_eq!(pair["compared"], ids.len(), "every gunma-2019 answer, none other: {report}");
    assert_eq!(pair["changed"], ids.len(), "every card loan of 2021 changes: {report}");
    assert_eq!(pair["failed"], 0);
    assert_eq!(report["dropped"], 0);
    let clauses = pair["clauses"].as_array().expect("clauses");
    let clause = clauses.iter().find(|c| c["clause"] == "第2条第2項").unwrap_or_else(|| panic!("counted under 第2条第2項: {report}"));
    assert_eq!(clause["count"], ids.len());
    let examples: Vec<&str> = clause["decisions"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    assert_eq!(examples, ids.iter().take(5).map(String::as_str).collect::<Vec<_>>(), "the first decisions, by their kitei-decision-id: {report}");
}

fn assert_metrics(text: &str, n: usize) {
    let line = |l: &str| assert!(text.lines().any(|x| x == l), "no `{l}` in /metrics:\n{text}");
    line(&format!("kitei_shadow_decisions_total{{module=\"gunma-2019\",shadow=\"gunma-2023\"}} {n}"));
    line(&format!("kitei_shadow_changed_total{{module=\"gunma-2019\",shadow=\"gunma-2023\"}} {n}"));
    line(&format!("kitei_shadow_divergences_total{{module=\"gunma-2019\",shadow=\"gunma-2023\",clause=\"第2条第2項\"}} {n}"));
    line("kitei_shadow_dropped_total 0");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_next_version_shadows_traffic_it_is_not_in_force_for() {
    let dir = kitei_tests::temp_policy_dir("shadow-next", &["gunma-2019", "gunma-2023", "toyama-2023"]);
    let served = serve([OsStr::new("--allow-unsigned"), "--shadow".as_ref(), "--policies".as_ref(), dir.as_os_str()]);
    served.ready().await;
    let ids = send_card_loans(&served).await;
    let report = settled(&served).await;
    assert_counted(&report, &ids, "next");
    assert_eq!(report["queue"], 1024, "the default bound");
    assert_metrics(&metrics(&served).await, ids.len());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_staged_module_shadows_its_institution_and_is_verified_as_served_ones_are() {
    let built = kitei_tests::policies();
    let dir = kitei_tests::temp_policy_dir("shadow-stage", &["gunma-2019", "toyama-2023"]);
    let key = kitei_tests::signing_key("gunma");
    let toyama = kitei_tests::signing_key("toyama");
    for (variant, key) in [("gunma-2019", &key), ("toyama-2023", &toyama)] {
        let bytes = std::fs::read(dir.join(format!("{variant}.wasm"))).unwrap();
        std::fs::write(dir.join(format!("{variant}.wasm.sig")), kitei_tests::sidecar(&bytes, key, 1)).unwrap();
    }
    let stage = std::env::temp_dir().join(format!("kitei-shadow-staged-{}", std::process::id()));
    let (signed, unsigned) = (stage.join("signed"), stage.join("unsigned"));
    for d in [&signed, &unsigned] {
        std::fs::create_dir_all(d).unwrap();
        std::fs::copy(built.join("gunma-2023.wasm"), d.join("gunma-2023.wasm")).unwrap();
    }
    let bytes = std::fs::read(built.join("gunma-2023.wasm")).unwrap();
    std::fs::write(signed.join("gunma-2023.wasm.sig"), kitei_tests::sidecar(&bytes, &key, 1)).unwrap();
    let trust = stage.join("trust.toml");
    std::fs::write(&trust, kitei_tests::trust_toml(&[("gunma", &key), ("toyama", &toyama)])).unwrap();
    let (good, bad) = (signed.join("gunma-2023.wasm"), unsigned.join("gunma-2023.wasm"));
    let served = serve([
        OsStr::new("--trust"),
        trust.as_os_str(),
        "--shadow".as_ref(),
        "--stage".as_ref(),
        good.as_os_str(),
        "--stage".as_ref(),
        bad.as_os_str(),
        "--policies".as_ref(),
        dir.as_os_str(),
    ]);
    served.ready().await;
    let policies = get_json(&served, "/v1/policies").await;
    let serving: Vec<&str> = policies["policies"].as_array().expect("policies").iter().filter_map(|p| p["variant"].as_str()).collect();
    assert!(!serving.contains(&"gunma-2023"), "a staged module never answers: {policies}");

    let mut ids = Vec::new();
    let http = reqwest::Client::new();
    for n in 0..6 {
        let (status, id, answer) = post(&http, &served, "/v1/decisions", &gunma_card_loan(n)).await;
        assert_eq!(status, 200, "{answer}");
        assert_gunma_2019(&answer);
        ids.push(id);
    }
    let (status, _, answer) =
        post(&http, &served, "/v1/decisions", &serde_json::from_str(include_str!("../../../examples/01-toyama-authorize.json")).unwrap()).await;
    assert_eq!((status, &answer["policy"]["variant"]), (200, &json!("toyama-2023")), "{answer}");
    let report = settled(&served).await;
    assert_counted(&report, &ids, "staged");
    assert_metrics(&metrics(&served).await, ids.len());
    let staged = report["staged"].as_array().expect("staged");
    assert_eq!(staged.len(), 1, "{report}");
    assert_eq!(staged[0]["file"], good.to_str().unwrap());
    let refused = report["refused"].as_array().expect("refused");
    assert_eq!(refused.len(), 1, "the unsigned copy is refused, and said: {report}");
    assert_eq!(refused[0]["file"], bad.to_str().unwrap());
    let why = refused[0]["error"].as_str().unwrap();
    assert!(why.contains("gunma-2023.wasm") && why.contains("sig"), "names the file and the missing signature: {why}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&stage);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_shadow_queue_drops_and_counts_and_every_answer_is_right() {
    let dir = kitei_tests::temp_policy_dir("shadow-burst", &["gunma-2019", "gunma-2023"]);
    let served = serve([OsStr::new("--allow-unsigned"), "--shadow".as_ref(), "--shadow-queue".as_ref(), "1".as_ref(), "--policies".as_ref(), dir.as_os_str()]);
    served.ready().await;
    let http = reqwest::Client::new();
    let (batch_size, singles) = (200, 40);
    let batch = Value::Array((0..batch_size).map(gunma_card_loan).collect());
    let served = std::sync::Arc::new(served);
    let mut tasks = Vec::new();
    for n in 0..singles {
        let (http, served) = (http.clone(), served.clone());
        tasks.push(tokio::spawn(async move {
            let (status, _, answer) = post(&http, &served, "/v1/decisions", &gunma_card_loan(n)).await;
            assert_eq!(status, 200, "{answer}");
            assert_gunma_2019(&answer);
        }));
    }
    let (status, _, answers) = post(&http, &served, "/v1/decisions/batch", &batch).await;
    assert_eq!(status, 200, "{answers}");
    let answers = answers.as_array().expect("an array");
    assert_eq!(answers.len(), batch_size);
    for (i, a) in answers.iter().enumerate() {
        assert_gunma_2019(a);
        assert_eq!(a["accounts"][0]["id"], format!("L{i}"), "in order");
    }
    for t in tasks {
        t.await.expect("a single decision");
    }
    let report = settled(&served).await;
    assert_eq!(report["queue"], 1);
    let dropped = report["dropped"].as_u64().unwrap();
    let compared = report["pairs"][0]["compared"].as_u64().unwrap();
    assert!(dropped > 0, "a one-place queue under a burst drops: {report}");
    assert_eq!(compared + dropped, (batch_size + singles) as u64, "every decision is compared or dropped: {report}");
    assert_eq!(report["pairs"][0]["changed"], compared);
    let text = metrics(&served).await;
    assert!(text.lines().any(|l| l == format!("kitei_shadow_dropped_total {dropped}")), "{text}");
    assert!(text.lines().any(|l| l == format!("kitei_shadow_decisions_total{{module=\"gunma-2019\",shadow=\"gunma-2023\"}} {compared}")), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_shadow_nothing_is_shadowed() {
    let dir = kitei_tests::temp_policy_dir("shadow-off", &["gunma-2019", "gunma-2023"]);
    let served = serve([OsStr::new("--allow-unsigned"), "--policies".as_ref(), dir.as_os_str()]);
    served.ready().await;
    let http = reqwest::Client::new();
    let (status, _, answer) = post(&http, &served, "/v1/decisions", &gunma_card_loan(1)).await;
    assert_eq!(status, 200);
    assert_gunma_2019(&answer);
    let report = get_json(&served, "/v1/shadow").await;
    assert_eq!(report["enabled"], false, "{report}");
    assert!(report["message"].as_str().is_some_and(|m| m.contains("--shadow")), "says how to turn it on: {report}");
    assert_eq!(report["pairs"], json!([]));
    let text = metrics(&served).await;
    assert!(text.contains("kitei_decisions_total") && !text.contains("kitei_shadow_"), "no shadow metrics:\n{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_module_staged_from_a_registry_is_pulled_verified_and_shadows() {
    let built = kitei_tests::policies();
    let work = std::env::temp_dir().join(format!("kitei-shadow-ref-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let dir = kitei_tests::temp_policy_dir("shadow-ref", &["gunma-2019"]);
    let key = kitei_tests::signing_key("gunma");
    let sign = |file: &Path| {
        let bytes = std::fs::read(file).unwrap();
        std::fs::write(kitei::trust::sidecar_path(file), kitei_tests::sidecar(&bytes, &key, 1)).unwrap();
    };
    sign(&dir.join("gunma-2019.wasm"));
    let module = work.join("gunma-2023.wasm");
    std::fs::copy(built.join("gunma-2023.wasm"), &module).unwrap();
    sign(&module);
    let trust = work.join("trust.toml");
    std::fs::write(&trust, kitei_tests::trust_toml(&[("gunma", &key)])).unwrap();
    let registry = kitei_tests::registry::TestRegistry::start("shadow-stage");
    let reference = registry.reference("kitei/gunma:next");
    let kitei = || std::process::Command::new(env!("CARGO_BIN_EXE_kitei"));
    let out = kitei().arg("push").arg(&module).arg(&reference).arg("--trust").arg(&trust).output().unwrap();
    assert!(out.status.success(), "push: {}", String::from_utf8_lossy(&out.stderr));

    // a registry module is verified before it is staged: --trust is required
    let out = kitei().args(["serve", "--addr", "127.0.0.1:0", "--allow-unsigned", "--shadow", "--stage", &reference, "--policies"]).arg(&dir).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains(&format!("--stage `{reference}`")) && said.contains("--trust is required"), "{said}");

    let served =
        serve([OsStr::new("--trust"), trust.as_os_str(), "--shadow".as_ref(), "--stage".as_ref(), reference.as_ref(), "--policies".as_ref(), dir.as_os_str()]);
    served.ready().await;
    let http = reqwest::Client::new();
    let (status, id, answer) = post(&http, &served, "/v1/decisions", &gunma_card_loan(1)).await;
    assert_eq!(status, 200, "{answer}");
    assert_gunma_2019(&answer);
    let report = settled(&served).await;
    assert_counted(&report, &[id], "staged");
    assert_eq!(report["refused"], json!([]), "{report}");
    let sha = kitei::component::sha256_hex(&std::fs::read(&module).unwrap());
    assert_eq!(report["staged"][0]["sha256"], sha.as_str(), "{report}");
    drop(served);
    let _ = std::fs::remove_dir_all(&work);
    let _ = std::fs::remove_dir_all(&dir);
}
