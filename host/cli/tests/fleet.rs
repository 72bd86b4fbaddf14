//! A fleet: three `kitei serve` replicas (this crate's binary, as a
//! platform runs it) follow one tag of a real OCI registry on loopback
//! (Debian's `docker-registry`). A new signed gunma version is pushed: every
//! replica answers with it within the poll interval + 2 s, while clients
//! keep asking all three and no request fails. Then bad versions are pushed
//! (bytes changed after signing; a rollback to a lower sequence): no replica
//! takes either, each says why in `GET /v1/policies`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test: a failed unwrap is a failed test")]

use kitei_oci::{Client, ClientOptions, Reference};
use kitei_tests::process::Served;
use kitei_tests::registry::TestRegistry;
use kitei_tests::{policies, sidecar, signing_key, trust_toml, with_custom_section};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_secs(1);
const DEADLINE: Duration = Duration::from_secs(90);

fn sha256(bytes: &[u8]) -> String {
    kitei::component::sha256_hex(bytes)
}

fn request() -> Value {
    json!({
        "institution": "gunma", "operation": "accounts", "at": "2023-07-03T10:00:00+09:00",
        "customer": { "accounts": [ { "id": "L1", "kind": "card_loan" }, { "id": "O1", "kind": "ordinary" } ] },
        "provider": { "channel": "anser_api" }
    })
}

/// One replica: a `kitei serve` following `source`, keeping its modules in
/// `dir/policies`, or with `private`, in the directory it makes when given
/// only sources.
fn replica(dir: &Path, trust: &Path, source: &str, private: bool) -> Served {
    std::fs::create_dir_all(dir).unwrap();
    let mut args: Vec<std::ffi::OsString> = vec!["--poll-interval".into(), POLL.as_secs_f64().to_string().into()];
    if !private {
        args.extend(["--policies".into(), dir.join("policies").into_os_string()]);
    }
    args.extend(["--trust".into(), trust.as_os_str().to_owned(), "--sequence-floor".into(), dir.join("floor.json").into_os_string()]);
    args.extend(["--source".into(), source.into()]);
    Served::start(Path::new(env!("CARGO_BIN_EXE_kitei")), args)
}

async fn policies_of(http: &reqwest::Client, r: &Served) -> Value {
    http.get(format!("{}/v1/policies", r.base)).send().await.unwrap().json().await.unwrap()
}

fn serving(policies: &Value, variant: &str) -> Option<String> {
    policies["policies"].as_array()?.iter().find(|p| p["variant"] == variant).and_then(|p| p["sha256"].as_str()).map(str::to_string)
}

/// Waits until every replica serves `sha` for gunma-2023; returns how long each took.
async fn all_serve(http: &reqwest::Client, fleet: &[Served], sha: &str, since: Instant) -> Vec<Duration> {
    let mut took = Vec::new();
    for r in fleet {
        loop {
            if serving(&policies_of(http, r).await, "gunma-2023").as_deref() == Some(sha) {
                took.push(since.elapsed());
                break;
            }
            assert!(since.elapsed() < DEADLINE, "{} never served {sha}:\n{}", r.base, r.log());
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    took
}

#[derive(Default)]
struct Traffic {
    sent: AtomicU64,
    failed: Mutex<Vec<String>>,
    /// every sha256 an answer came from
    seen: Mutex<std::collections::BTreeSet<String>>,
}

/// Four clients asking the replicas in turn until `stop`.
fn clients(bases: Vec<String>, traffic: Arc<Traffic>, stop: Arc<AtomicBool>) -> Vec<tokio::task::JoinHandle<()>> {
    (0..4)
        .map(|c| {
            let (bases, traffic, stop) = (bases.clone(), traffic.clone(), stop.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
                let mut i = c;
                while !stop.load(Ordering::Relaxed) {
                    let base = &bases[i % bases.len()];
                    i += 1;
                    traffic.sent.fetch_add(1, Ordering::Relaxed);
                    match http.post(format!("{base}/v1/decisions")).json(&request()).send().await {
                        Ok(r) if r.status() == 200 => {
                            let v: Value = r.json().await.unwrap_or_default();
                            match v["policy"]["sha256"].as_str() {
                                Some(sha) => {
                                    traffic.seen.lock().unwrap().insert(sha.to_string());
                                }
                                None => traffic.failed.lock().unwrap().push(format!("{base}: no policy in {v}")),
                            }
                        }
                        Ok(r) => {
                            let status = r.status();
                            let body = r.text().await.unwrap_or_default();
                            traffic.failed.lock().unwrap().push(format!("{base}: {status} {body}"));
                        }
                        Err(e) => traffic.failed.lock().unwrap().push(format!("{base}: {e}")),
                    }
                }
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_follow_one_tag_take_a_new_version_and_refuse_bad_ones() {
    let registry = TestRegistry::start("fleet");
    let tmp = std::env::temp_dir().join(format!("kitei-fleet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let gunma = signing_key("gunma-2026");
    let trust = tmp.join("trust.toml");
    std::fs::write(&trust, trust_toml(&[("gunma", &gunma)])).unwrap();

    let oci = Client::new(ClientOptions::default()).unwrap();
    let tag: Reference = format!("oci://{}", registry.reference("kitei/gunma:stable")).parse().unwrap();
    let v1 = std::fs::read(policies().join("gunma-2023.wasm")).unwrap();
    let sig1 = sidecar(&v1, &gunma, 1);
    oci.push(&tag, &v1, Some(&sig1)).await.unwrap();

    let fleet: Vec<Served> = (0..3)
        .map(|i| {
            let dir: PathBuf = tmp.join(format!("replica-{i}"));
            // the third keeps no directory of its own (--source alone)
            replica(&dir, &trust, &tag.to_string(), i == 2)
        })
        .collect();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    // each replica starts empty and fills its directory from the registry
    all_serve(&http, &fleet, &sha256(&v1), Instant::now()).await;

    let traffic = Arc::new(Traffic::default());
    let stop = Arc::new(AtomicBool::new(false));
    let workers = clients(fleet.iter().map(|r| r.base.clone()).collect(), traffic.clone(), stop.clone());
    tokio::time::sleep(Duration::from_millis(500)).await;

    // a new signed version: other bytes, a higher sequence
    let v2 = with_custom_section(&v1, "fleet-v2");
    let pushed = Instant::now();
    let v2_digest = oci.push(&tag, &v2, Some(&sidecar(&v2, &gunma, 2))).await.unwrap();
    let took = all_serve(&http, &fleet, &sha256(&v2), pushed).await;
    eprintln!("fleet: v2 serving on each replica after {took:?} (poll interval {POLL:?})");
    for (r, t) in fleet.iter().zip(&took) {
        assert!(*t <= POLL + Duration::from_secs(2), "{} took {t:?} to serve the new version", r.base);
    }

    // bad versions next: neither may serve anywhere
    let v3 = with_custom_section(&v1, "fleet-v3");
    let changed_after_signing = with_custom_section(&v3, "tampered");
    let bad: [(&str, Vec<u8>, Vec<u8>, &str); 2] = [
        ("bytes changed after signing", changed_after_signing.clone(), sidecar(&v3, &gunma, 3), "differ from the signed statement"),
        ("rollback to sequence 1", v1.clone(), sig1.clone(), "rollback refused"),
    ];
    for (what, module, sig, reason) in bad {
        let digest = oci.push(&tag, &module, Some(&sig)).await.unwrap();
        // two full poll intervals: every replica has checked at least once
        tokio::time::sleep(POLL * 2 + Duration::from_millis(500)).await;
        for r in &fleet {
            let p = policies_of(&http, r).await;
            assert_eq!(serving(&p, "gunma-2023").as_deref(), Some(sha256(&v2).as_str()), "{what}: {} changed what it serves", r.base);
            let source = &p["sources"][0];
            assert_eq!(source["refused"], digest.as_str(), "{what}: {}: {source}", r.base);
            assert_eq!(source["installed"], v2_digest.as_str(), "{what}: {}: {source}", r.base);
            let error = source["error"].as_str().unwrap_or_default();
            assert!(error.contains(reason), "{what}: {}: the refusal names `{reason}`: {error}", r.base);
        }
    }

    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let failed = traffic.failed.lock().unwrap().clone();
    let sent = traffic.sent.load(Ordering::Relaxed);
    eprintln!("fleet: {sent} requests, {} failed", failed.len());
    assert!(failed.is_empty(), "{} of {sent} requests failed: {:?}", failed.len(), &failed[..failed.len().min(5)]);
    assert!(sent > 100, "the clients kept asking ({sent} requests)");
    let seen = traffic.seen.lock().unwrap().clone();
    let allowed = [sha256(&v1), sha256(&v2)];
    assert!(seen.iter().all(|s| allowed.contains(s)), "answers came only from v1 and v2: {seen:?}");
    assert!(seen.contains(&sha256(&v2)), "clients were answered by v2");

    // the metrics count the refusals
    let metrics = http.get(format!("{}/metrics", fleet[0].base)).send().await.unwrap().text().await.unwrap();
    let refused = metrics.lines().find(|l| l.starts_with("kitei_source_checks_total{result=\"refused\"}")).unwrap_or_default();
    assert!(refused.ends_with(" 2"), "two refused checks on replica 0: {refused}");
    let private = fleet[2].log().lines().find_map(|l| l.split("kept in ").nth(1)?.split(" (removed").next().map(PathBuf::from));
    let private = private.unwrap_or_else(|| panic!("the third replica names its private directory:\n{}", fleet[2].log()));
    assert!(private.join("gunma-2023.wasm").is_file() && private.join("gunma-2023.wasm.sig").is_file(), "{}", private.display());
    drop(fleet);
    assert!(!private.exists(), "{} removed when the replica stopped", private.display());
    let _ = std::fs::remove_dir_all(&tmp);
}
