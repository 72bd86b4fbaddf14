//! The decision log loses nothing acknowledged: `kitei serve` (this crate's
//! binary) answers concurrent clients with `--decision-log-sync batch` and a
//! small rotation size, is killed with SIGKILL mid-stream, restarts on the
//! same log, and answers more. Every request a client got an answer for is
//! in the log (its files and the rotated ones), and every line parses.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test: a failed unwrap is a failed test")]

use kitei_tests::process::Served;
use serde_json::Value;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const EXAMPLE: &str = include_str!("../../../examples/01-toyama-authorize.json");

fn server(policies: &Path, log: &Path) -> Served {
    let args: [&OsStr; 8] = [
        "--allow-unsigned".as_ref(),
        "--decision-log-sync".as_ref(),
        "batch".as_ref(),
        "--decision-log-max-bytes".as_ref(),
        "200000".as_ref(),
        "--policies".as_ref(),
        policies.as_os_str(),
        "--decision-log".as_ref(),
    ];
    Served::start(Path::new(env!("CARGO_BIN_EXE_kitei")), args.into_iter().chain([log.as_os_str()]))
}

/// A distinct request body: the example with its own account id.
fn body(tag: &str) -> String {
    let mut v: Value = serde_json::from_str(EXAMPLE).unwrap();
    v["customer"]["accounts"][0]["id"] = tag.into();
    v["account_ids"] = serde_json::json!([tag]);
    v.to_string()
}

/// Clients sending distinct requests until `stop`; the sha256 of every
/// body answered with 200.
fn clients(base: String, stop: Arc<AtomicBool>, acked: Arc<Mutex<BTreeSet<String>>>, round: &str) -> Vec<tokio::task::JoinHandle<()>> {
    (0..4)
        .map(|c| {
            let (base, stop, acked) = (base.clone(), stop.clone(), acked.clone());
            let prefix = format!("{round}-{c}");
            tokio::spawn(async move {
                let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let b = body(&format!("{prefix}-{n}"));
                    let sent = http.post(format!("{base}/v1/decisions")).header("content-type", "application/json").body(b.clone()).send().await;
                    let answered = match sent {
                        Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
                        Ok(r) => panic!("{base}: {}", r.status()),
                        Err(_) => false,
                    };
                    if answered {
                        acked.lock().unwrap().insert(kitei::component::sha256_hex(b.as_bytes()));
                    } else {
                        // the server was killed: this one was not acknowledged
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            })
        })
        .collect()
}

fn log_files(log: &Path) -> Vec<PathBuf> {
    let name = log.file_name().unwrap().to_string_lossy().into_owned();
    let mut files: Vec<PathBuf> = std::fs::read_dir(log.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&name)))
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_decision_survives_a_kill_9() {
    let policies = kitei_tests::temp_policy_dir("crash", &["toyama-2023"]);
    let dir = std::env::temp_dir().join(format!("kitei-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("decisions.jsonl");
    let acked = Arc::new(Mutex::new(BTreeSet::new()));

    let mut server = server(&policies, &log);
    server.ready().await;
    let stop = Arc::new(AtomicBool::new(false));
    let workers = clients(server.base.clone(), stop.clone(), acked.clone(), "before");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // SIGKILL mid-stream: no shutdown, no flush
    server.kill_9();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let before = acked.lock().unwrap().len();
    assert!(before > 100, "clients were answered before the kill ({before})");

    // restart on the same log; answer more
    let server = self::server(&policies, &log);
    server.ready().await;
    let stop = Arc::new(AtomicBool::new(false));
    let workers = clients(server.base.clone(), stop.clone(), acked.clone(), "after");
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    drop(server);

    let files = log_files(&log);
    assert!(files.len() >= 2, "the log rotated at 200 kB: {files:?}");
    let mut logged = BTreeSet::new();
    let mut lines = 0;
    for f in &files {
        for line in std::fs::read_to_string(f).unwrap().lines().filter(|l| !l.is_empty()) {
            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{}: a line that does not parse ({e}): {line}", f.display()));
            logged.insert(v["request_sha256"].as_str().unwrap().to_string());
            lines += 1;
        }
    }
    let acked = acked.lock().unwrap();
    let missing: Vec<_> = acked.difference(&logged).collect();
    eprintln!("crash: {} acknowledged ({before} before the kill), {lines} lines in {} files, {} missing", acked.len(), files.len(), missing.len());
    assert!(missing.is_empty(), "{} acknowledged decisions are not in the log, e.g. {:?}", missing.len(), &missing[..missing.len().min(3)]);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&policies);
}
