//! Soak: `kitei serve` (this crate's binary, with a trust file) answers
//! four concurrent clients for a minute (`KITEI_SOAK_SECS`, default 60)
//! while its policy directory is rewritten every 200 ms, good and bad
//! versions of toyama-2023 alternating: a new signed version, then one
//! whose bytes changed after signing, or an unsigned one. No request fails,
//! no bad version ever answers, and resident memory stays flat.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test: a failed unwrap is a failed test")]

use kitei_tests::process::Served;
use kitei_tests::{policies, signing_key, statement, trust_toml, with_custom_section};
use serde_json::Value;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const EXAMPLE: &str = include_str!("../../../examples/01-toyama-authorize.json");

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
}

/// Writes `module` and `sig` as toyama-2023, signature first, each by rename.
fn put(dir: &std::path::Path, module: &[u8], sig: Option<&[u8]>) {
    let (m, s) = (dir.join("toyama-2023.wasm"), dir.join("toyama-2023.wasm.sig"));
    match sig {
        Some(sig) => {
            std::fs::write(dir.join(".sig.tmp"), sig).unwrap();
            std::fs::rename(dir.join(".sig.tmp"), &s).unwrap();
        }
        None => {
            let _ = std::fs::remove_file(&s);
        }
    }
    std::fs::write(dir.join(".wasm.tmp"), module).unwrap();
    std::fs::rename(dir.join(".wasm.tmp"), &m).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minute_of_requests_while_the_directory_churns() {
    let secs: u64 = std::env::var("KITEI_SOAK_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let tmp = std::env::temp_dir().join(format!("kitei-soak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let dir = tmp.join("policies");
    std::fs::create_dir_all(&dir).unwrap();
    let key = signing_key("toyama");
    std::fs::write(tmp.join("trust.toml"), trust_toml(&[("toyama", &key)])).unwrap();
    let original = std::fs::read(policies().join("toyama-2023.wasm")).unwrap();
    // the module's own statement, read once; each version changes only its bytes
    let base_statement = statement(&original, 1);
    let sidecar = |bytes: &[u8], key: &ssh_key::PrivateKey, sequence: u64| {
        let s = kitei::trust::Statement { sequence, sha256: kitei::component::sha256_hex(bytes), size: bytes.len() as u64, ..base_statement.clone() };
        kitei::trust::Sidecar::sign(key, &s).unwrap().to_bytes()
    };
    let good = Arc::new(Mutex::new(BTreeSet::new()));
    good.lock().unwrap().insert(kitei::component::sha256_hex(&original));
    put(&dir, &original, Some(&sidecar(&original, &key, 1)));

    let trust = tmp.join("trust.toml");
    let server = Served::start(Path::new(env!("CARGO_BIN_EXE_kitei")), [OsStr::new("--trust"), trust.as_os_str(), OsStr::new("--policies"), dir.as_os_str()]);
    server.ready().await;
    let (pid, base) = (server.pid(), server.base.clone());

    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::new(Mutex::new(BTreeSet::<String>::new()));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (base, stop, sent, failed, seen) = (base.clone(), stop.clone(), sent.clone(), failed.clone(), seen.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
                while !stop.load(Ordering::Relaxed) {
                    sent.fetch_add(1, Ordering::Relaxed);
                    let r = http.post(format!("{base}/v1/decisions")).header("content-type", "application/json").body(EXAMPLE).send().await;
                    match r {
                        Ok(r) if r.status() == 200 => {
                            let v: Value = r.json().await.unwrap_or_default();
                            seen.lock().unwrap().insert(v["policy"]["sha256"].as_str().unwrap_or("?").to_string());
                        }
                        Ok(r) => {
                            let message = format!("{} {}", r.status(), r.text().await.unwrap_or_default());
                            failed.lock().unwrap().push(message);
                        }
                        Err(e) => failed.lock().unwrap().push(e.to_string()),
                    }
                }
            })
        })
        .collect();

    // the churn: every 200 ms a good version, then a bad one
    let mut rss = Vec::new();
    let mut sequence = 1;
    let mut writes = 0;
    let began = Instant::now();
    while began.elapsed() < Duration::from_secs(secs) {
        writes += 1;
        let module = with_custom_section(&original, &format!("soak-{writes}"));
        if writes % 2 == 1 {
            sequence += 1;
            good.lock().unwrap().insert(kitei::component::sha256_hex(&module));
            put(&dir, &module, Some(&sidecar(&module, &key, sequence)));
        } else if writes % 4 == 0 {
            // bytes changed after signing
            let signed = sidecar(&module, &key, sequence + 1);
            put(&dir, &with_custom_section(&module, "tampered"), Some(&signed));
        } else {
            put(&dir, &module, None);
        }
        if writes % 5 == 0 {
            rss.push((began.elapsed().as_secs(), rss_kib(pid)));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    drop(server);

    let sent = sent.load(Ordering::Relaxed);
    let failed = failed.lock().unwrap();
    let seen = seen.lock().unwrap();
    let good = good.lock().unwrap();
    let bad: Vec<_> = seen.difference(&good).collect();
    // memory after the first tenth of the run (warmed up) and at the end
    let warm = rss.iter().find(|(t, _)| *t >= secs / 10).or(rss.first()).map_or(0, |r| r.1);
    let last = rss.last().map_or(0, |r| r.1);
    let peak = rss.iter().map(|r| r.1).max().unwrap_or(0);
    eprintln!(
        "soak: {secs} s, {writes} directory writes, {sent} requests, {} failed, {} versions answered; RSS {} MiB after warm-up, {} MiB at the end, peak {} MiB",
        failed.len(),
        seen.len(),
        warm / 1024,
        last / 1024,
        peak / 1024
    );
    assert!(failed.is_empty(), "{} of {sent} failed: {:?}", failed.len(), &failed[..failed.len().min(5)]);
    assert!(bad.is_empty(), "a version that does not verify answered: {bad:?}");
    assert!(seen.len() > 2, "new versions were served during the run ({})", seen.len());
    assert!(last < warm * 3 / 2 + 16 * 1024, "resident memory grew from {warm} KiB to {last} KiB");
    let _ = std::fs::remove_dir_all(&tmp);
}
