//! Prometheus metrics, written in the text exposition format by hand: a few
//! counters, gauges and one latency histogram need no crate.

use super::source::CheckResult;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (seconds) of the decision latency histogram.
const BUCKETS: [f64; 12] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0];

/// Counters the service keeps; cheap to update from any thread.
#[derive(Default)]
pub struct Metrics {
    /// (variant, operation, decision) → count
    decisions: Mutex<BTreeMap<(String, String, String), u64>>,
    /// error code → count
    errors: Mutex<BTreeMap<String, u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_nanos: AtomicU64,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
    rejected: AtomicU64,
    loaded: AtomicU64,
    /// registry source checks, by [`CheckResult`]
    source_checks: [AtomicU64; CheckResult::ALL.len()],
    trust_reloads_ok: AtomicU64,
    trust_reloads_refused: AtomicU64,
}

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K) {
    *map.lock().unwrap_or_else(|e| e.into_inner()).entry(key).or_default() += 1;
}

/// Starts a metric family: its `# HELP` and `# TYPE` lines.
pub(crate) fn family(o: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(o, "# HELP {name} {help}");
    let _ = writeln!(o, "# TYPE {name} {kind}");
}

/// A label value escaped as the exposition format requires.
pub(crate) fn label(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

impl Metrics {
    /// Counts one decision.
    pub fn decision(&self, variant: &str, operation: &str, decision: &str) {
        bump(&self.decisions, (variant.to_string(), operation.to_string(), decision.to_string()));
    }

    /// Counts one error by its api.md code.
    pub fn error(&self, code: &str) {
        bump(&self.errors, code.to_string());
    }

    /// Records the time one decision request took.
    pub fn latency(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_nanos.fetch_add(d.as_nanos() as u64, Ordering::Relaxed);
    }

    /// Records a reload: whether the directory could be read, and the set now serving.
    pub fn reload(&self, ok: bool, loaded: usize, rejected: usize) {
        if ok {
            self.reloads_ok.fetch_add(1, Ordering::Relaxed);
            self.loaded.store(loaded as u64, Ordering::Relaxed);
            self.rejected.store(rejected as u64, Ordering::Relaxed);
        } else {
            self.reloads_failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts one check of a registry source.
    pub fn source_check(&self, result: CheckResult) {
        if let Some(i) = CheckResult::ALL.iter().position(|r| *r == result) {
            self.source_checks[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a change of the trust file: read and in force, or refused.
    pub fn trust_reload(&self, ok: bool) {
        let counter = if ok { &self.trust_reloads_ok } else { &self.trust_reloads_refused };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The text exposition format (`text/plain; version=0.0.4`), with the
    /// instances each policy of `registry` keeps idle.
    pub fn render(&self, registry: &kitei::Registry) -> String {
        let mut o = String::new();
        family(&mut o, "kitei_decisions_total", "counter", "Decisions answered, by variant, operation and decision.");
        for ((v, op, d), n) in self.decisions.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(o, "kitei_decisions_total{{variant=\"{}\",operation=\"{}\",decision=\"{}\"}} {n}", label(v), label(op), label(d));
        }
        family(&mut o, "kitei_decision_errors_total", "counter", "Requests answered with an error, by api.md error code.");
        for (code, n) in self.errors.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(o, "kitei_decision_errors_total{{code=\"{}\"}} {n}", label(code));
        }
        family(&mut o, "kitei_decision_duration_seconds", "histogram", "Time to answer one decision request (per element of a batch).");
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(o, "kitei_decision_duration_seconds_bucket{{le=\"{bound}\"}} {}", bucket.load(Ordering::Relaxed));
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(o, "kitei_decision_duration_seconds_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.latency_sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(o, "kitei_decision_duration_seconds_sum {sum}");
        let _ = writeln!(o, "kitei_decision_duration_seconds_count {count}");
        family(&mut o, "kitei_reloads_total", "counter", "Loads of the policy directory, by result.");
        let _ = writeln!(o, "kitei_reloads_total{{result=\"ok\"}} {}", self.reloads_ok.load(Ordering::Relaxed));
        let _ = writeln!(o, "kitei_reloads_total{{result=\"unreadable\"}} {}", self.reloads_failed.load(Ordering::Relaxed));
        family(&mut o, "kitei_policies_loaded", "gauge", "Variants serving now.");
        let _ = writeln!(o, "kitei_policies_loaded {}", self.loaded.load(Ordering::Relaxed));
        family(&mut o, "kitei_rejected_modules", "gauge", "Files of the policy directory refused at the last load.");
        let _ = writeln!(o, "kitei_rejected_modules {}", self.rejected.load(Ordering::Relaxed));
        family(&mut o, "kitei_source_checks_total", "counter", "Checks of the registry sources (--source), by result.");
        for (result, n) in CheckResult::ALL.iter().zip(&self.source_checks) {
            let _ = writeln!(o, "kitei_source_checks_total{{result=\"{}\"}} {}", result.name(), n.load(Ordering::Relaxed));
        }
        family(&mut o, "kitei_trust_reloads_total", "counter", "Changes of the trust file (--trust) read while serving, by result.");
        let _ = writeln!(o, "kitei_trust_reloads_total{{result=\"ok\"}} {}", self.trust_reloads_ok.load(Ordering::Relaxed));
        let _ = writeln!(o, "kitei_trust_reloads_total{{result=\"refused\"}} {}", self.trust_reloads_refused.load(Ordering::Relaxed));
        family(&mut o, "kitei_idle_instances", "gauge", "Instances a policy keeps for the next calls (bounded by --idle-instances).");
        for p in registry.policies() {
            let _ = writeln!(o, "kitei_idle_instances{{variant=\"{}\"}} {}", label(p.info().variant()), p.idle_instances());
        }
        o
    }
}
