//! toyama-2023's `authorize` through kitei's component, the variant crate
//! natively, Cedar, and Rego (regorus' interpreter and its RVM), on the same
//! requests in one run: api.md's example with 1 and 100 accounts.
//!
//! `cargo bench -p kitei-peers --bench peers`; `benches/report.py` prints
//! the peers table first. `tests/agreement.rs` checks beforehand that all of
//! them decide alike; here each request is checked once more before it is
//! timed.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use kitei::OperationName;
use kitei::Outcome;
use kitei::types::Decision;
use kitei::{Limits, Runtime};
use kitei_benches::{pairs, request};
use kitei_peers::Peer;
use std::hint::black_box;
use std::time::Duration;

fn peers(c: &mut Criterion) {
    let runtime = Runtime::new(Limits::default()).expect("runtime");
    let pairs = pairs(&runtime);
    let toyama = pairs.iter().find(|p| p.variant == "toyama-2023").expect("toyama");
    // the settings in force in the component (every period set: token arithmetic runs)
    let settings = toyama.component.info().settings.clone();
    let peers: Vec<Peer> =
        [Peer::cedar(&settings), Peer::rego(&settings), Peer::rego_vm(&settings)].into_iter().map(|p| p.unwrap_or_else(|e| panic!("{e}"))).collect();
    let mut g = c.benchmark_group("peers/authorize");
    for n in [1usize, 100] {
        let req = request(n);
        // the same answer from all of them before timing any
        let permit = |o: Outcome| matches!(o, Outcome::Authorize(a) if a.decision == Decision::Permit);
        for policy in [&toyama.component, &toyama.native] {
            assert!(permit(policy.call(OperationName::Authorize, &req).expect("decides")), "kitei denies the example");
        }
        for peer in &peers {
            let v = peer.authorize(&req).unwrap_or_else(|e| panic!("{}: {e}", peer.name()));
            assert!(v.permit, "{} denies the example: {:?}", peer.name(), v.denied_by);
        }
        for (how, policy) in [("component", &toyama.component), ("native", &toyama.native)] {
            g.bench_with_input(BenchmarkId::new(how, n), &req, |b, req| {
                b.iter(|| black_box(policy.call(OperationName::Authorize, black_box(req)).expect("decides")))
            });
        }
        for peer in &peers {
            g.bench_with_input(BenchmarkId::new(peer.name(), n), &req, |b, req| b.iter(|| black_box(peer.authorize(black_box(req)).expect("decides"))));
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    targets = peers
}
criterion_main!(benches);
