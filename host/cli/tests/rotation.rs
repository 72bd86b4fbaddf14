//! Key rotation under a running `kitei serve` (this crate's binary), with
//! clients asking all along: gunma's new key is added to the trust file,
//! a module it signed is taken; the old key is removed, and a module signed
//! only by it is withdrawn, another signed by it refused; a trust file that
//! does not parse leaves the last good one in force and says so in
//! `GET /v1/policies` and `/metrics`. No client request fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test: a failed unwrap is a failed test")]

use kitei_tests::process::Served;
use kitei_tests::{policies, root, sidecar, signing_key, with_custom_section};
use serde_json::{Value, json};
use ssh_key::PrivateKey;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(30);

fn sha256(bytes: &[u8]) -> String {
    kitei::component::sha256_hex(bytes)
}

fn line(key: &PrivateKey) -> String {
    key.public_key().to_openssh().unwrap()
}

/// A trust file: signatures required, each institution with its keys.
fn trust_text(entries: &[(&str, &[&PrivateKey])]) -> String {
    let mut out = String::from("require_signatures = true\n");
    for (institution, keys) in entries {
        let keys: Vec<String> = keys.iter().map(|k| format!("\"{}\"", line(k))).collect();
        out.push_str(&format!("[institutions.{institution}]\nkeys = [{}]\n", keys.join(", ")));
    }
    out
}

/// Writes `file` as an editor or a config management tool would: a
/// temporary file renamed over it.
fn replace(file: &Path, bytes: &[u8]) {
    let tmp = file.with_extension("partial");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, file).unwrap();
}

/// Puts a signed module into the policy directory, signature first (as
/// `kitei pull` does).
fn publish(dir: &Path, variant: &str, bytes: &[u8], key: &PrivateKey, sequence: u64) {
    replace(&dir.join(format!("{variant}.wasm.sig")), &sidecar(bytes, key, sequence));
    replace(&dir.join(format!("{variant}.wasm")), bytes);
}

async fn get(http: &reqwest::Client, url: String) -> String {
    http.get(url).send().await.unwrap().text().await.unwrap()
}

async fn policies_of(http: &reqwest::Client, s: &Served) -> Value {
    serde_json::from_str(&get(http, format!("{}/v1/policies", s.base)).await).unwrap()
}

fn serving(p: &Value, variant: &str) -> Option<String> {
    p["policies"].as_array()?.iter().find(|x| x["variant"] == variant).and_then(|x| x["sha256"].as_str()).map(str::to_string)
}

fn rejected(p: &Value, file: &str) -> Option<String> {
    p["rejected"].as_array()?.iter().find(|r| r["file"].as_str().is_some_and(|f| f.ends_with(file))).and_then(|r| r["error"].as_str()).map(str::to_string)
}

/// Waits until `ok` holds of `GET /v1/policies`; returns it.
async fn wait(http: &reqwest::Client, s: &Served, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let p = policies_of(http, s).await;
        if ok(&p) {
            eprintln!("rotation: {what} after {:?}", start.elapsed());
            return p;
        }
        assert!(start.elapsed() < DEADLINE, "{what}: not within {DEADLINE:?}: {p}\n{}", s.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn metric(text: &str, name: &str) -> String {
    text.lines().find(|l| l.starts_with(name)).unwrap_or_default().rsplit(' ').next().unwrap_or_default().to_string()
}

#[derive(Default)]
struct Traffic {
    sent: AtomicU64,
    failed: Mutex<Vec<String>>,
}

/// Four clients asking gunma (2023-07-03: gunma-2023) and toyama in turn until `stop`.
fn clients(base: String, traffic: Arc<Traffic>, stop: Arc<AtomicBool>) -> Vec<tokio::task::JoinHandle<()>> {
    let toyama: Value = serde_json::from_slice(&std::fs::read(root().join("examples/01-toyama-authorize.json")).unwrap()).unwrap();
    let gunma = json!({
        "institution": "gunma", "operation": "accounts", "at": "2023-07-03T10:00:00+09:00",
        "customer": { "accounts": [ { "id": "O1", "kind": "ordinary" } ] },
        "provider": { "channel": "anser_api" }
    });
    (0..4)
        .map(|c| {
            let (base, traffic, stop, bodies) = (base.clone(), traffic.clone(), stop.clone(), [gunma.clone(), toyama.clone()]);
            tokio::spawn(async move {
                let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
                let mut i = c;
                while !stop.load(Ordering::Relaxed) {
                    let body = &bodies[i % 2];
                    i += 1;
                    traffic.sent.fetch_add(1, Ordering::Relaxed);
                    match http.post(format!("{base}/v1/decisions")).json(body).send().await {
                        Ok(r) if r.status() == 200 => {}
                        Ok(r) => {
                            let status = r.status();
                            let text = r.text().await.unwrap_or_default();
                            traffic.failed.lock().unwrap().push(format!("{status} {text}"));
                        }
                        Err(e) => traffic.failed.lock().unwrap().push(e.to_string()),
                    }
                }
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_under_a_running_server_without_a_failed_request() {
    let tmp: PathBuf = std::env::temp_dir().join(format!("kitei-rotation-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let dir = tmp.join("policies");
    std::fs::create_dir_all(&dir).unwrap();
    let (old, new, toyama) = (signing_key("gunma-2025"), signing_key("gunma-2026"), signing_key("toyama"));
    let module = |v: &str| std::fs::read(policies().join(format!("{v}.wasm"))).unwrap();
    let (g2019, g2023, t2023) = (module("gunma-2019"), module("gunma-2023"), module("toyama-2023"));
    publish(&dir, "gunma-2019", &g2019, &old, 1);
    publish(&dir, "gunma-2023", &g2023, &old, 1);
    publish(&dir, "toyama-2023", &t2023, &toyama, 1);
    let trust = tmp.join("trust.toml");
    std::fs::write(&trust, trust_text(&[("gunma", &[&old]), ("toyama", &[&toyama])])).unwrap();

    let server = Served::start(Path::new(env!("CARGO_BIN_EXE_kitei")), ["--trust".as_ref(), trust.as_os_str(), "--policies".as_ref(), dir.as_os_str()]);
    server.ready().await;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let p = policies_of(&http, &server).await;
    assert_eq!(p["trust"]["file"], trust.to_str().unwrap(), "{p}");
    assert_eq!(p["trust"]["error"], Value::Null);
    let traffic = Arc::new(Traffic::default());
    let stop = Arc::new(AtomicBool::new(false));
    let workers = clients(server.base.clone(), traffic.clone(), stop.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;

    // a version signed by the new key, before the trust file knows it: refused, the old one serves
    let v2 = with_custom_section(&g2023, "rotation-v2");
    publish(&dir, "gunma-2023", &v2, &new, 2);
    let p = wait(&http, &server, "the new key's module refused", |p| rejected(p, "gunma-2023.wasm").is_some_and(|e| e.contains("unknown key"))).await;
    assert_eq!(serving(&p, "gunma-2023"), Some(sha256(&g2023)), "the last good version serves: {p}");

    // the new key added: the same files now verify
    replace(&trust, trust_text(&[("gunma", &[&old, &new]), ("toyama", &[&toyama])]).as_bytes());
    let p = wait(&http, &server, "the new key's module taken", |p| serving(p, "gunma-2023") == Some(sha256(&v2))).await;
    assert_eq!(p["trust"]["keys"]["gunma"].as_array().map(Vec::len), Some(2), "{p}");
    assert_eq!(serving(&p, "gunma-2019"), Some(sha256(&g2019)), "the old key still signs gunma-2019");

    // the old key removed: what only it signed is withdrawn (fail closed), the rest serves
    replace(&trust, trust_text(&[("gunma", &[&new]), ("toyama", &[&toyama])]).as_bytes());
    let p = wait(&http, &server, "the old key's module withdrawn", |p| serving(p, "gunma-2019").is_none()).await;
    let why = rejected(&p, "gunma-2019.wasm").unwrap_or_default();
    assert!(why.contains("unknown key") && !why.contains("keeps serving"), "withdrawn, not kept as a last good version: {why}");
    assert_eq!((serving(&p, "gunma-2023"), serving(&p, "toyama-2023")), (Some(sha256(&v2)), Some(sha256(&t2023))));
    // and a new module signed by the removed key is refused
    let v3 = with_custom_section(&g2023, "rotation-v3");
    publish(&dir, "gunma-2023", &v3, &old, 3);
    let p = wait(&http, &server, "a module of the removed key refused", |p| {
        rejected(p, "gunma-2023.wasm").is_some_and(|e| e.contains("unknown key") && e.contains("keeps serving"))
    })
    .await;
    assert_eq!(serving(&p, "gunma-2023"), Some(sha256(&v2)), "{p}");

    // a trust file that does not parse: the last good one stays in force, and says so
    let good_sha = p["trust"]["sha256"].as_str().unwrap().to_string();
    replace(&trust, b"require_signatures = true\n[institutions.gunma\nkeys = [\"half an edit");
    let p = wait(&http, &server, "the broken trust file refused", |p| p["trust"]["error"].is_string()).await;
    assert!(p["trust"]["error"].as_str().unwrap().contains("stays in force"), "{p}");
    assert_eq!(p["trust"]["sha256"], good_sha.as_str(), "the last good file is in force");
    assert_eq!((serving(&p, "gunma-2023"), serving(&p, "toyama-2023")), (Some(sha256(&v2)), Some(sha256(&t2023))));
    let metrics = get(&http, format!("{}/metrics", server.base)).await;
    assert_eq!(metric(&metrics, "kitei_trust_reloads_total{result=\"refused\"}"), "1", "{metrics}");
    assert_eq!(metric(&metrics, "kitei_trust_reloads_total{result=\"ok\"}"), "2", "{metrics}");
    assert!(server.log().contains("trust file refused"), "logged:\n{}", server.log());
    // fixed again
    replace(&trust, format!("# fixed\n{}", trust_text(&[("gunma", &[&new]), ("toyama", &[&toyama])])).as_bytes());
    wait(&http, &server, "the fixed trust file in force", |p| p["trust"]["error"].is_null() && p["trust"]["sha256"] != good_sha.as_str()).await;

    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let failed = traffic.failed.lock().unwrap().clone();
    let sent = traffic.sent.load(Ordering::Relaxed);
    eprintln!("rotation: {sent} requests, {} failed", failed.len());
    assert!(failed.is_empty(), "{} of {sent} requests failed: {:?}", failed.len(), &failed[..failed.len().min(5)]);
    assert!(sent > 100, "the clients kept asking ({sent} requests)");
    drop(server);
    let _ = std::fs::remove_dir_all(&tmp);
}
