//! Hostile modules (`tests/hostile-guest`, built to
//! `target/policies-hostile/<case>.wasm`) against the host: every call or
//! load of one ends within the deadline plus two epoch ticks, as an error and
//! never a permit; an instance that trapped or ran out of time is dropped;
//! the same registry, and the same server over HTTP, keep answering other
//! institutions. Measured times are printed (`--nocapture`) and recorded in
//! docs/security.md.

// `SPINNING` is held across awaits on purpose: it serializes whole tests,
// each on its own runtime.
#![allow(clippy::await_holding_lock)]

use kitei::component::{Checked, TICK};
use kitei::{DecisionError, DecisionErrorKind, LoadErrorKind, LoadedPolicy, Registry};
use kitei_serve::{self as serve, Config, ReloadConfig};
use kitei_tests::hostile::{self, temp_dir};
use kitei_tests::runtime;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Tests that run a looping module take this, so that two loops (each
/// holding a core for a second) do not make each other's times.
static SPINNING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn spinning() -> std::sync::MutexGuard<'static, ()> {
    SPINNING.lock().unwrap_or_else(|e| e.into_inner())
}

/// A call or load that runs away ends within this: the deadline, and two
/// epoch ticks for the tick that notices and the return — plus 20 ms for the
/// OS to schedule the threads on a shared CI machine (measured runs end
/// within deadline + 2 ticks: docs/security.md; the figures are printed).
fn bound() -> Duration {
    kitei::Limits::default().deadline + 2 * TICK + Duration::from_millis(20)
}

/// api.md's example request, for `variant`.
fn request_for(variant: &str) -> Value {
    let mut v: Value = serde_json::from_str(include_str!("../examples/01-toyama-authorize.json")).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("institution");
    o.insert("variant".into(), variant.into());
    v
}

fn toyama() -> Value {
    serde_json::from_str(include_str!("../examples/01-toyama-authorize.json")).unwrap()
}

fn with_operation(mut v: Value, operation: &str) -> Value {
    v["operation"] = operation.into();
    v
}

/// What the registry answers, and how long it took.
fn timed_decide(r: &Registry, request: &Value) -> (Result<Value, DecisionError>, Duration) {
    let started = Instant::now();
    let out = r.decide_json(request.to_string().as_bytes()).map(|a| a.to_json());
    (out, started.elapsed())
}

/// Toyama still answers api.md's example with a permit.
fn toyama_answers(r: &Registry) {
    let (v, _) = timed_decide(r, &toyama());
    let v = v.unwrap_or_else(|e| panic!("toyama failed beside a hostile module: {e}"));
    assert_eq!(v["decision"], "permit", "{v}");
}

fn registry_with(name: &str, case: &str) -> Registry {
    let dir = temp_dir(name, &["toyama-2023"], &[case]);
    Registry::load_dir(&runtime(), &dir).unwrap()
}

fn loaded<'a>(r: &'a Registry, case: &str) -> &'a Arc<dyn LoadedPolicy> {
    r.variant(case).unwrap_or_else(|| panic!("{case} did not load: {:?}", r.rejected()))
}

/// A decision the module fails: an error of the expected kind within the
/// bound, never an answer, and its instance dropped. Returns the message.
fn fails(r: &Registry, case: &str, request: &Value, timeout: bool) -> String {
    let policy = loaded(r, case);
    let idle = policy.idle_instances();
    assert_eq!(idle, 1, "{case}: the instance configured at load waits in the pool");
    let (out, took) = timed_decide(r, request);
    let e = match out {
        Ok(v) => panic!("{case} answered: {v}"),
        Err(e) => e,
    };
    eprintln!(
        "{case}: {} ended after {took:?} (bound {:?}): {}",
        request["operation"],
        bound(),
        e.to_string().lines().map(str::trim).rfind(|l| !l.is_empty()).unwrap_or_default()
    );
    match (e.kind(), timeout) {
        (DecisionErrorKind::Timeout, true) | (DecisionErrorKind::PolicyFailed, false) => {
            assert_eq!(e.variant(), Some(case));
        }
        _ => panic!("{case}: expected {}, got {e:?}", if timeout { "a timeout" } else { "a failure" }),
    }
    assert_eq!(kitei_serve::decision_status(&e), 503);
    assert!(took < bound(), "{case}: took {took:?}, more than {:?}", bound());
    assert_eq!(policy.idle_instances(), 0, "{case}: the instance that failed went back to the pool");
    e.to_string()
}

#[test]
fn loop_in_decision_is_stopped_at_the_deadline_and_its_instance_dropped() {
    let case = "loop-in-decision";
    let r = registry_with("h-loop-decision", case);
    let _one_at_a_time = spinning();
    let message = fails(&r, case, &request_for(case), true);
    assert!(message.contains("ran past its deadline of 1000 ms"), "{message}");
    toyama_answers(&r);
    // the next call makes a fresh instance (instantiated and configured
    // before its deadline starts), which loops too
    let (out, took) = timed_decide(&r, &with_operation(request_for(case), "eligibility"));
    eprintln!("{case}: a second call, making a fresh instance first, ended after {took:?}");
    assert!(matches!(&out, Err(e) if e.kind() == DecisionErrorKind::Timeout), "{out:?}");
    assert!(took < bound() + Duration::from_millis(100), "{took:?}");
    toyama_answers(&r);
}

/// A module that loops while loading: `describe` (read once at load) or
/// `configure` (at load, with the operator's settings). The load fails
/// within the bound and the module is refused; the others load.
fn refused_at_load(case: &str, dir_name: &str) {
    let runtime = runtime();
    let file = hostile::module(case);
    let bytes = std::fs::read(&file).unwrap();
    let _one_at_a_time = spinning();
    // the first load compiles (and keeps the compiled component), so that
    // what is timed below is the load's calls, not cranelift
    let (e, took) = match Checked::new(&runtime, &file, &bytes) {
        Ok(checked) => {
            assert_eq!(case, "loop-in-configure", "describe answered");
            let started = Instant::now();
            (checked.configure(&kitei::types::Settings::default(), None).err(), started.elapsed())
        }
        Err(_) => {
            assert_eq!(case, "loop-in-describe");
            let started = Instant::now();
            (Checked::new(&runtime, &file, &bytes).err(), started.elapsed())
        }
    };
    let e = e.unwrap_or_else(|| panic!("{case} loaded"));
    eprintln!("{case}: the load ended after {took:?} (bound {:?})", bound());
    assert_eq!(e.kind(), LoadErrorKind::Failed, "{e:?}");
    let message = e.to_string();
    assert!(message.contains("failed while loading") && message.contains("interrupt"), "{message}");
    assert!(took < bound(), "{case}: took {took:?}");

    let dir = temp_dir(dir_name, &["toyama-2023"], &[case]);
    let r = Registry::load_dir(&runtime, &dir).unwrap();
    assert!(r.variant(case).is_none());
    assert!(r.rejected().iter().any(|x| x.file().ends_with(format!("{case}.wasm"))), "{:?}", r.rejected());
    toyama_answers(&r);
    let (out, _) = timed_decide(&r, &request_for(case));
    assert_eq!(out.map_err(|e| e.code()).err(), Some("unknown_variant"));
}

#[test]
fn loop_in_describe_is_stopped_at_the_deadline_and_the_module_refused() {
    refused_at_load("loop-in-describe", "h-loop-describe");
}

#[test]
fn loop_in_configure_is_stopped_at_the_deadline_and_the_module_refused() {
    refused_at_load("loop-in-configure", "h-loop-configure");
}

/// The message is wasmtime's limiter refusing a growth past the runtime's
/// memory cap, naming a size over it.
fn grew_past_the_cap(message: &str) {
    let cap = kitei::Limits::default().memory_bytes;
    let asked = message.split("forcing trap when growing memory to ").nth(1).and_then(|rest| rest.split(' ').next()).and_then(|n| n.parse::<usize>().ok());
    assert!(asked.is_some_and(|n| n > cap), "not a growth past the {cap}-byte cap: {message}");
}

#[test]
fn memory_grown_past_the_cap_traps() {
    let case = "memory-grow";
    let r = registry_with("h-memory", case);
    let message = fails(&r, case, &request_for(case), false);
    grew_past_the_cap(&message);
    toyama_answers(&r);
}

#[test]
fn deep_recursion_traps() {
    let case = "stack-overflow";
    let r = registry_with("h-stack", case);
    let message = fails(&r, case, &request_for(case), false);
    // the guest's own stack lives in its linear memory and runs out first:
    // the fault is an access below its start, not wasmtime's stack limit
    assert!(message.contains("wasm trap: out of bounds memory access"), "{message}");
    toyama_answers(&r);
}

/// Millions of reasons do not fit under the memory cap: the module traps
/// while building its answer, and the host never lifts it.
#[test]
fn millions_of_reasons_trap_at_the_memory_cap() {
    let case = "million-reasons";
    let r = registry_with("h-reasons", case);
    let message = fails(&r, case, &request_for(case), false);
    grew_past_the_cap(&message);
    toyama_answers(&r);
}

/// A reason citing a rule past the end of the module's sheet is refused:
/// an error, not the permit it came with. The call itself did not trap, so
/// its instance goes back to the pool (each answer is checked on its own).
#[test]
fn a_rule_out_of_range_is_refused_not_permitted() {
    let case = "rule-out-of-range";
    let r = registry_with("h-range", case);
    for operation in ["authorize", "eligibility"] {
        let (out, took) = timed_decide(&r, &with_operation(request_for(case), operation));
        eprintln!("{case}: {operation} ended after {took:?}");
        let e = out.map(|v| v.to_string()).expect_err("a reason outside the sheet is not an answer");
        assert_eq!(e.kind(), DecisionErrorKind::PolicyFailed, "{e:?}");
        assert!(e.to_string().contains("reason cites rule 60000 but the sheet has 1"), "{e}");
    }
    assert_eq!(loaded(&r, case).idle_instances(), 1, "a call that returned keeps its instance");
    toyama_answers(&r);
}

/// A sheet far past the memory cap traps in `describe` at load: refused
/// quickly, the others load.
#[test]
fn a_huge_rule_sheet_is_refused_at_load() {
    let case = "huge-sheet";
    let runtime = runtime();
    let file = hostile::module(case);
    let bytes = std::fs::read(&file).unwrap();
    let started = Instant::now();
    let e = Checked::new(&runtime, &file, &bytes).err().expect("a huge sheet is refused");
    let took = started.elapsed();
    eprintln!("{case}: the load (compiling included) ended after {took:?}: {e}");
    assert_eq!(e.kind(), LoadErrorKind::Failed, "{e:?}");
    assert!(took < bound(), "{case}: took {took:?}");
    let dir = temp_dir("h-huge-sheet", &["toyama-2023"], &[case]);
    let r = Registry::load_dir(&runtime, &dir).unwrap();
    assert!(r.variant(case).is_none() && r.rejected().len() == 1, "{:?}", r.rejected());
    toyama_answers(&r);
}

/// What the host guarantees of state: instances are pooled and reused, so a
/// module *can* keep state from one call to the next and answer the same
/// question differently (the limit of the guarantee: calls to one module
/// are not independent). What it cannot do: keep state past a trap (the
/// instance is dropped, the next one starts from the module's initial
/// memory), or reach another module's instances.
#[test]
fn state_survives_between_calls_of_an_instance_but_not_a_trap() {
    let case = "stateful";
    let r = registry_with("h-stateful", case);
    let eligibility = with_operation(request_for(case), "eligibility");
    let decision = |r: &Registry| timed_decide(r, &eligibility).0.expect("stateful answers")["decision"].clone();
    assert_eq!(decision(&r), "deny", "first call of the instance");
    assert_eq!(decision(&r), "permit", "the second call sees the first one's state: the pool reuses instances");
    toyama_answers(&r);
    assert_eq!(decision(&r), "permit", "another module's calls do not touch this instance");

    let mut transfer = request_for(case);
    transfer["function"] = "transfer".into();
    let message = fails(&r, case, &transfer, false);
    assert!(message.contains("unreachable"), "{message}");
    assert_eq!(decision(&r), "deny", "after the trap a fresh instance starts from the module's initial state");
    assert_eq!(decision(&r), "permit");
}

// ---- over HTTP ----

const HTTP_DEADLINE: Duration = Duration::from_secs(60);

fn config(dir: &Path) -> Config {
    Config {
        policies: dir.to_path_buf(),
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        reload: ReloadConfig { debounce: Duration::from_millis(100), rescan: Duration::from_secs(3600) },
        ..Config::default()
    }
}

struct Server {
    base: String,
    client: reqwest::Client,
    handle: serve::ServerHandle,
}

impl Server {
    async fn start(dir: &Path) -> Server {
        let (addr, handle) = serve::spawn(config(dir)).await.expect("server starts");
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        let s = Server { base: format!("http://{addr}"), client, handle };
        let started = Instant::now();
        while s.client.get(format!("{}/readyz", s.base)).send().await.map(|r| r.status().as_u16()).ok() != Some(200) {
            assert!(started.elapsed() < HTTP_DEADLINE, "not ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        s
    }

    async fn post(&self, body: &Value) -> (u16, Value) {
        let r = self.client.post(format!("{}/v1/decisions", self.base)).json(body).send().await.expect("POST");
        let status = r.status().as_u16();
        (status, r.json().await.expect("JSON body"))
    }

    async fn rejected(&self) -> Vec<String> {
        let v: Value = self.client.get(format!("{}/v1/policies", self.base)).send().await.unwrap().json().await.unwrap();
        v["rejected"].as_array().unwrap().iter().map(|r| r["file"].as_str().unwrap_or_default().to_string()).collect()
    }

    async fn stop(self) {
        self.handle.shutdown();
        tokio::time::timeout(HTTP_DEADLINE, self.handle.join()).await.expect("shutdown in time").expect("server ran");
    }
}

/// Every hostile module in one directory beside toyama: those that fail
/// while deciding answer 503 with the module's error code, those refused at
/// load are listed as rejected and their variant is unknown (404); toyama
/// answers 200 after each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_modules_answer_503_over_http_and_toyama_200() {
    let deciding = ["loop-in-decision", "memory-grow", "stack-overflow", "million-reasons", "rule-out-of-range"];
    let at_load = ["loop-in-describe", "loop-in-configure", "huge-sheet"];
    let all: Vec<&str> = deciding.iter().chain(&at_load).copied().collect();
    let dir = temp_dir("h-http", &["toyama-2023"], &all);
    let _one_at_a_time = spinning();
    let s = Server::start(&dir).await;
    let rejected = s.rejected().await;
    for case in at_load {
        assert!(rejected.iter().any(|f| f.ends_with(&format!("{case}.wasm"))), "{case} not rejected: {rejected:?}");
        let (status, v) = s.post(&request_for(case)).await;
        assert_eq!((status, v["error"]["code"].as_str()), (404, Some("unknown_variant")), "{case}: {v}");
    }
    assert_eq!(rejected.len(), at_load.len(), "{rejected:?}");
    for case in deciding {
        let started = Instant::now();
        let (status, v) = s.post(&request_for(case)).await;
        let took = started.elapsed();
        eprintln!("{case}: HTTP {status} after {took:?}: {}", v["error"]["code"]);
        assert_eq!(status, 503, "{case}: {v}");
        let expected = if case == "loop-in-decision" { "policy_timeout" } else { "policy_failed" };
        assert_eq!(v["error"]["code"], expected, "{case}: {v}");
        let (status, v) = s.post(&toyama()).await;
        assert_eq!((status, v["decision"].as_str()), (200, Some("permit")), "toyama after {case}: {v}");
    }
    s.stop().await;
}

/// Latencies of sequential toyama and gunma requests while `attackers`
/// clients keep sending requests to the looping module, for at least
/// `window` and `requests` answers. Returns the latencies and how many
/// attack requests ended (all 503).
async fn toyama_under_attack(s: &Arc<Server>, attackers: usize, requests: usize, window: Duration) -> (Vec<Duration>, usize) {
    let stop = Arc::new(AtomicBool::new(false));
    let attacks = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..attackers {
        let (s, stop, attacks) = (s.clone(), stop.clone(), attacks.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let (status, v) = s.post(&request_for("loop-in-decision")).await;
                assert_eq!(status, 503, "the looping module: {v}");
                attacks.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    if attackers > 0 {
        // let the attack start before measuring
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut latencies = Vec::with_capacity(requests);
    let measuring = Instant::now();
    let gunma = json!({
        "institution": "gunma", "operation": "accounts", "at": "2023-07-03T10:00:00+09:00",
        "customer": { "accounts": [ { "id": "L1", "kind": "card_loan" } ] }, "provider": { "channel": "anser_api" }
    });
    let mut i = 0;
    while i < requests || measuring.elapsed() < window {
        i += 1;
        let body = if i % 2 == 0 { toyama() } else { gunma.clone() };
        let started = Instant::now();
        let (status, v) = s.post(&body).await;
        latencies.push(started.elapsed());
        assert_eq!(status, 200, "another institution failed during the attack: {v}");
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.expect("attacker");
    }
    (latencies, attacks.load(Ordering::Relaxed))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn summary(mut latencies: Vec<Duration>) -> String {
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    format!(
        "n {} p50 {:.2} ms p99 {:.2} ms max {:.2} ms",
        latencies.len(),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap())
    )
}

/// While a looping module is hit continuously by several clients, toyama
/// and gunma keep answering 200 on the same server (no latency asserted:
/// `isolation_latency_report` measures it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_institutions_keep_answering_while_a_looping_module_is_hit() {
    let dir = temp_dir("h-isolation", &["toyama-2023", "gunma-2023"], &["loop-in-decision"]);
    let _one_at_a_time = spinning();
    let s = Arc::new(Server::start(&dir).await);
    let started = Instant::now();
    // three seconds: the first calls run inline on the async workers until
    // the module is marked slow, later ones on the blocking pool
    let (latencies, attacks) = toyama_under_attack(&s, 4, 400, Duration::from_secs(3)).await;
    eprintln!("under attack by 4 clients for {:?}: {attacks} attack requests (503), others {}", started.elapsed(), summary(latencies));
    assert!(attacks >= 4, "the attack ran");
    Arc::try_unwrap(s).ok().expect("no other owner").stop().await;
}

/// Part 2 of issue 13, for docs/security.md: other institutions' p50/p99
/// over HTTP without and with a looping module being hit by 1 and by 4
/// clients, same server, same run, each phase `KITEI_ISOLATION_SECONDS`
/// long (5 by default). Not an assertion on time.
///
/// `cargo test -p kitei-tests --test hostile -- --ignored --nocapture isolation_latency_report`
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement for docs/security.md"]
async fn isolation_latency_report() {
    let seconds: u64 = std::env::var("KITEI_ISOLATION_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let window = Duration::from_secs(seconds);
    let dir = temp_dir("h-isolation-report", &["toyama-2023", "gunma-2023"], &["loop-in-decision"]);
    let _one_at_a_time = spinning();
    let s = Arc::new(Server::start(&dir).await);
    // warm up: connections, instances
    toyama_under_attack(&s, 0, 200, Duration::ZERO).await;
    let (quiet, _) = toyama_under_attack(&s, 0, 0, window).await;
    eprintln!("without attack: {}", summary(quiet));
    for attackers in [1, 4] {
        let started = Instant::now();
        let (loud, attacks) = toyama_under_attack(&s, attackers, 0, window).await;
        eprintln!("with {attackers} looping client(s): {} ({attacks} attack requests answered 503 in {:.1} s)", summary(loud), started.elapsed().as_secs_f64());
    }
    let (after, _) = toyama_under_attack(&s, 0, 0, window).await;
    eprintln!("after the attack: {}", summary(after));
    Arc::try_unwrap(s).ok().expect("no other owner").stop().await;
}
