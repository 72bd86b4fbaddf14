//! The decision log checked end to end: a real `kitei serve` (this crate's
//! binary) with `--decision-log` and `--module-store` answers mixed requests
//! over HTTP (gunma-2019 card-loan requests among them); every answer's
//! `kitei-decision-id` is its log line's, every line validates against
//! docs/decision-log.schema.json, and `kitei replay` reproduces every line
//! from the kept modules alone (the policy directory gone), names an edited
//! line and a missing module, and with `--against` reports gunma-2023's
//! card-loan change under 第2条第2項.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test: a failed unwrap is a failed test")]

use kitei_tests::gunma_card_loan;
use kitei_tests::process::Served;
use serde_json::{Value, json};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

fn kitei() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kitei"))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kitei-replay-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `kitei replay ARGS…`: exit code and stdout (stderr shown on failure).
fn replay<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(args: I) -> (i32, String) {
    let out = kitei().arg("replay").args(args).output().expect("kitei replay runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let code = out.status.code().expect("exit code");
    assert!(code == 0 || code == 1, "kitei replay failed ({code}):\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    (code, stdout)
}

fn toyama(n: usize) -> Value {
    let mut v: Value = serde_json::from_str(include_str!("../../../examples/01-toyama-authorize.json")).unwrap();
    v["customer"]["accounts"][0]["id"] = format!("acct-secret-{n}").into();
    v["account_ids"] = json!([format!("acct-secret-{n}")]);
    v
}

/// Every line of `log` validated against the schema by Python's jsonschema
/// (target/venv's, `KITEI_PYTHON`, or python3's): panics naming what fails.
fn validate(log: &Path) {
    let root = kitei_tests::root();
    let schema = root.join("docs/decision-log.schema.json");
    let candidates: Vec<PathBuf> =
        std::env::var_os("KITEI_PYTHON").map(PathBuf::from).into_iter().chain([root.join("target/venv/bin/python"), PathBuf::from("python3")]).collect();
    let python = candidates
        .iter()
        .find(|p| Command::new(p).args(["-c", "import jsonschema"]).output().is_ok_and(|o| o.status.success()))
        .unwrap_or_else(|| panic!("no Python with jsonschema among {candidates:?}: `./run test` installs it into target/venv (or set KITEI_PYTHON)"));
    let script = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = 0
for n, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
    for e in v.iter_errors(json.loads(line)):
        bad += 1
        print(f"line {n}: {e.json_path}: {e.message}")
sys.exit(1 if bad else 0)
"#;
    let out = Command::new(python).args(["-c", script]).arg(&schema).arg(log).output().unwrap();
    assert!(
        out.status.success(),
        "{} does not validate against {}:\n{}{}",
        log.display(),
        schema.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn lines(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

async fn post(http: &reqwest::Client, url: String, body: String) -> (u16, String) {
    let r = http.post(url).header("content-type", "application/json").body(body).send().await.expect("POST");
    let id = r.headers().get("kitei-decision-id").map(|v| v.to_str().unwrap().to_string()).expect("every answer carries kitei-decision-id");
    (r.status().as_u16(), id)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_served_log_replays_line_for_line_and_against_the_next_version() {
    let built = kitei_tests::policies();
    let dir = kitei_tests::temp_policy_dir("replay", &["gunma-2019", "gunma-2023", "toyama-2023"]);
    // signed here (a clean checkout's target/policies has no signatures;
    // only `./run demo` signs them)
    let signature = kitei_tests::sidecar(&std::fs::read(built.join("gunma-2019.wasm")).unwrap(), &kitei_tests::signing_key("gunma"), 1);
    std::fs::write(dir.join("gunma-2019.wasm.sig"), &signature).unwrap();
    let work = temp("served");
    let (log, store) = (work.join("decisions.jsonl"), work.join("modules"));
    let served = Served::start(
        Path::new(env!("CARGO_BIN_EXE_kitei")),
        [
            OsStr::new("--allow-unsigned"),
            "--policies".as_ref(),
            dir.as_os_str(),
            "--decision-log".as_ref(),
            log.as_os_str(),
            "--module-store".as_ref(),
            store.as_os_str(),
        ],
    );
    served.ready().await;
    let http = reqwest::Client::new();
    let one = format!("{}/v1/decisions", served.base);
    // (request body, status, decision id)
    let mut sent: Vec<(String, u16, String)> = Vec::new();
    for n in 0..6 {
        for body in [gunma_card_loan(n), toyama(n)] {
            let body = serde_json::to_string_pretty(&body).unwrap();
            let (status, id) = post(&http, one.clone(), body.clone()).await;
            sent.push((body, status, id));
        }
    }
    for body in [json!({"institution": "nowhere", "operation": "authorize"}).to_string(), "{not json".to_string()] {
        let (status, id) = post(&http, one.clone(), body.clone()).await;
        sent.push((body, status, id));
    }
    let batch = json!([gunma_card_loan(7), toyama(7), gunma_card_loan(8)]).to_string();
    let (status, batch_id) = post(&http, format!("{}/v1/decisions/batch", served.base), batch).await;
    assert_eq!(status, 200);
    drop(served);

    // the headers and the log agree, line for line
    let logged = lines(&log);
    assert_eq!(logged.len(), sent.len() + 3, "one line per decision");
    for ((body, status, id), line) in sent.iter().zip(&logged) {
        assert_eq!(line["decision_id"], id.as_str(), "{line}");
        assert_eq!(line["request_sha256"], kitei::component::sha256_hex(body.as_bytes()), "{line}");
        if *status == 200 {
            let request: Value = serde_json::from_str(body).unwrap();
            assert_eq!(line["request"], request, "the request as received: {line}");
        }
    }
    for i in 0..3 {
        assert_eq!(logged[sent.len() + i]["decision_id"], format!("{batch_id}/{i}"));
    }
    assert_eq!(logged[sent.len() - 1]["request_text"], "{not json");
    assert_eq!(logged[0]["variant"], "gunma-2019", "card-loan traffic of 2021 is gunma-2019's");
    validate(&log);

    // every module served is kept by sha256, its signature with it
    let sha = |v: &str| kitei::component::sha256_hex(&std::fs::read(built.join(format!("{v}.wasm"))).unwrap());
    for v in ["gunma-2019", "gunma-2023", "toyama-2023"] {
        assert!(store.join(format!("{}.wasm", sha(v))).is_file(), "{v} kept");
    }
    assert_eq!(std::fs::read(store.join(format!("{}.wasm.sig", sha("gunma-2019")))).unwrap(), signature);

    // the policy directory gone: the store alone reproduces every answer
    std::fs::remove_dir_all(&dir).unwrap();
    let (code, out) = replay([log.as_os_str(), "--module-store".as_ref(), store.as_os_str()]);
    assert_eq!(code, 0, "{out}");
    let replayed = sent.len() + 3 - 2;
    assert!(out.contains(&format!("{replayed} decisions replayed, {replayed} equal, 0 differ")), "{out}");

    // a decision edited: named by file and line
    let edited = work.join("edited.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    let at = text.lines().position(|l| l.contains("\"operation\":\"authorize\"") && l.contains("\"decision\":\"permit\"")).expect("a permit line");
    let changed: Vec<String> =
        text.lines().enumerate().map(|(i, l)| if i == at { l.replace("\"decision\":\"permit\"", "\"decision\":\"deny\"") } else { l.to_string() }).collect();
    std::fs::write(&edited, changed.join("\n") + "\n").unwrap();
    let (code, out) = replay([edited.as_os_str(), "--module-store".as_ref(), store.as_os_str()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("edited.jsonl:{} ", at + 1)), "names the line: {out}");
    assert!(out.contains("1 differ"), "{out}");

    // a module missing: named by its sha256
    let partial = work.join("partial");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::copy(store.join(format!("{}.wasm", sha("gunma-2019"))), partial.join(format!("{}.wasm", sha("gunma-2019")))).unwrap();
    let (code, out) = replay([log.as_os_str(), "--module-store".as_ref(), partial.as_os_str()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("missing modules (1):\n  {}", sha("toyama-2023"))), "{out}");

    // gunma-2019's traffic against gunma-2023: the card loan becomes linkable under 第2条第2項
    let next = built.join("gunma-2023.wasm");
    let (code, out) = replay([log.as_os_str(), "--module-store".as_ref(), store.as_os_str(), "--against".as_ref(), next.as_os_str()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("kitei diff: gunma-2019 → gunma-2023"), "{out}");
    let group = out.split("[accounts 1]").nth(1).expect("an accounts group");
    let side = |label: &str| group.lines().find(|l| l.starts_with(&format!("  {label} "))).unwrap_or_else(|| panic!("no {label} line: {out}")).to_string();
    assert!(side("旧").starts_with("  旧 not linkable, not linkable: 第2条第2項 ✗"), "{out}");
    assert!(side("新").starts_with("  新 linkable, linkable: ") && side("新").contains("第2条第2項第3号"), "the card-loan item: {out}");
    assert!(out.contains(&format!("[accounts 1] {} requests", 6 + 2)), "every card-loan request: {out}");
    let first_gunma = &logged[0]["decision_id"];
    assert!(out.contains(first_gunma.as_str().unwrap()), "decision ids as examples: {out}");
    let (code, out) = replay([log.as_os_str(), "--module-store".as_ref(), store.as_os_str(), "--against".as_ref(), built.join("gunma-2019.wasm").as_os_str()]);
    assert_eq!(code, 0, "against itself nothing changes: {out}");
    assert!(out.contains("no differences"), "{out}");
    // the same report as JSON, through kitei diff's renderer
    let out = kitei().arg("replay").arg(&log).arg("--module-store").arg(&store).arg("--against").arg(&next).args(["--format", "json"]).output().unwrap();
    let reports: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports[0]["old"]["variant"], "gunma-2019");
    assert_eq!(reports[0]["groups"][0]["decisions"][0], *first_gunma);
    let _ = std::fs::remove_dir_all(&work);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_log_of_request_hashes_only_cannot_be_replayed_and_says_why() {
    let dir = kitei_tests::temp_policy_dir("replay-hash", &["toyama-2023"]);
    let work = temp("hash");
    let log = work.join("decisions.jsonl");
    let served = Served::start(
        Path::new(env!("CARGO_BIN_EXE_kitei")),
        [
            OsStr::new("--allow-unsigned"),
            "--policies".as_ref(),
            dir.as_os_str(),
            "--decision-log".as_ref(),
            log.as_os_str(),
            "--decision-log-request".as_ref(),
            "hash".as_ref(),
        ],
    );
    served.ready().await;
    let body = toyama(1).to_string();
    let (status, id) = post(&reqwest::Client::new(), format!("{}/v1/decisions", served.base), body.clone()).await;
    assert_eq!(status, 200);
    drop(served);
    let logged = lines(&log);
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["decision_id"], id.as_str());
    assert_eq!(logged[0]["request_sha256"], kitei::component::sha256_hex(body.as_bytes()));
    assert!(logged[0].get("request").is_none() && logged[0].get("request_text").is_none(), "no customer facts: {}", logged[0]);
    assert!(!std::fs::read_to_string(&log).unwrap().contains("acct-secret"), "the account id is not on disk");
    validate(&log);
    let (code, out) = replay([log.as_os_str(), "--policies".as_ref(), dir.as_os_str()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("decisions.jsonl:1 ({id}): the request was not kept (logged with --decision-log-request hash)")), "{out}");
    let _ = std::fs::remove_dir_all(&work);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_verifies_under_trust_and_answers_against_a_registry_module() {
    let built = kitei_tests::policies();
    let dir = kitei_tests::temp_policy_dir("replay-trust", &["gunma-2019"]);
    let work = temp("trust");
    let key = kitei_tests::signing_key("gunma");
    let sign = |file: &Path| std::fs::write(kitei::trust::sidecar_path(file), kitei_tests::sidecar(&std::fs::read(file).unwrap(), &key, 1)).unwrap();
    sign(&dir.join("gunma-2019.wasm"));
    let trust = work.join("trust.toml");
    std::fs::write(&trust, kitei_tests::trust_toml(&[("gunma", &key)])).unwrap();
    let (log, store) = (work.join("decisions.jsonl"), work.join("modules"));
    let served = Served::start(
        Path::new(env!("CARGO_BIN_EXE_kitei")),
        [
            OsStr::new("--trust"),
            trust.as_os_str(),
            "--policies".as_ref(),
            dir.as_os_str(),
            "--decision-log".as_ref(),
            log.as_os_str(),
            "--module-store".as_ref(),
            store.as_os_str(),
        ],
    );
    served.ready().await;
    let http = reqwest::Client::new();
    for n in 0..3 {
        let (status, _) = post(&http, format!("{}/v1/decisions", served.base), gunma_card_loan(n).to_string()).await;
        assert_eq!(status, 200);
    }
    drop(served);

    // the kept module verifies under the trust file, its signature beside it in the store
    let (code, out) = replay([log.as_os_str(), "--module-store".as_ref(), store.as_os_str(), "--trust".as_ref(), trust.as_os_str()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3 decisions replayed, 3 equal, 0 differ"), "{out}");
    // a signature that is not the module's: the module is refused, named, and nothing is replayed with it
    let sha = kitei::component::sha256_hex(&std::fs::read(built.join("gunma-2019.wasm")).unwrap());
    let sig = store.join(format!("{sha}.wasm.sig"));
    let kept = std::fs::read(&sig).unwrap();
    std::fs::write(&sig, kitei_tests::sidecar(&std::fs::read(built.join("gunma-2023.wasm")).unwrap(), &key, 1)).unwrap();
    let (code, out) = replay([log.as_os_str(), "--module-store".as_ref(), store.as_os_str(), "--trust".as_ref(), trust.as_os_str()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("0 decisions replayed") && out.contains(&format!("missing modules (1):\n  {sha}: 3 lines")), "{out}");
    std::fs::write(&sig, kept).unwrap();

    // --against a registry reference: pulled with its signature, verified under --trust
    let next = work.join("gunma-2023.wasm");
    std::fs::copy(built.join("gunma-2023.wasm"), &next).unwrap();
    sign(&next);
    let registry = kitei_tests::registry::TestRegistry::start("replay-against");
    let reference = registry.reference("kitei/gunma:next");
    let out = kitei().arg("push").arg(&next).arg(&reference).arg("--trust").arg(&trust).output().unwrap();
    assert!(out.status.success(), "push: {}", String::from_utf8_lossy(&out.stderr));
    let out = kitei().arg("replay").arg(&log).arg("--module-store").arg(&store).args(["--against", &reference]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code() == Some(2) && said.contains(&format!("--against `{reference}`")) && said.contains("--trust is required"), "{said}");
    let (code, out) = replay([
        log.as_os_str(),
        "--module-store".as_ref(),
        store.as_os_str(),
        "--trust".as_ref(),
        trust.as_os_str(),
        "--against".as_ref(),
        reference.as_ref(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("kitei diff: gunma-2019 → gunma-2023") && out.contains("[accounts 1] 3 requests"), "{out}");
    // --module-source: the logged module found by its sha256 among a repository's tags, pulled with its signature
    let out = kitei().arg("push").arg(dir.join("gunma-2019.wasm")).arg(registry.reference("kitei/gunma:2019")).arg("--trust").arg(&trust).output().unwrap();
    assert!(out.status.success(), "push: {}", String::from_utf8_lossy(&out.stderr));
    let repo = registry.reference("kitei/gunma");
    let (code, out) = replay([log.as_os_str(), "--module-source".as_ref(), repo.as_ref(), "--trust".as_ref(), trust.as_os_str()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3 decisions replayed, 3 equal, 0 differ"), "{out}");
    let (code, out) = replay([log.as_os_str(), "--module-source".as_ref(), registry.reference("kitei/toyama").as_ref()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("missing modules (1):\n  {sha}: 3 lines")) && out.contains("--module-source"), "{out}");

    // unsigned in the registry (other bytes: a signature belongs to a digest): refused under --trust
    let other = work.join("other.wasm");
    std::fs::write(&other, kitei_tests::with_custom_section(&std::fs::read(&next).unwrap(), "unsigned")).unwrap();
    let unsigned = registry.reference("kitei/gunma:unsigned");
    let out = kitei().arg("push").arg(&other).arg(&unsigned).output().unwrap();
    assert!(out.status.success(), "push: {}", String::from_utf8_lossy(&out.stderr));
    let out = kitei().arg("replay").arg(&log).arg("--module-store").arg(&store).arg("--trust").arg(&trust).args(["--against", &unsigned]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code() == Some(2) && said.contains("--against: loading") && said.contains("signature"), "{said}");
    let _ = std::fs::remove_dir_all(&work);
    let _ = std::fs::remove_dir_all(&dir);
}
