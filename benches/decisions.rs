//! Decision cost: each operation of each variant through the component and
//! the same variant crate called natively, in one run; how cost grows with
//! accounts per request and with the number of loaded policies.
//!
//! `cargo bench -p kitei-benches --bench decisions`; `benches/report.py`
//! turns criterion's estimates into the tables of docs/performance.md.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use kitei::LoadedPolicy;
use kitei::Question;
use kitei::Registry;
use kitei::{Limits, Runtime};
use kitei::{OperationName, Wire};
use kitei_benches::{Renamed, pairs, request};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

fn runtime() -> Runtime {
    Runtime::new(Limits::default()).expect("runtime")
}

fn per_operation(c: &mut Criterion) {
    let rt = runtime();
    let pairs = pairs(&rt);
    let req = request(1);
    for op in kitei_benches::OPERATIONS {
        let mut g = c.benchmark_group(format!("decide/{}", op.wire()));
        for p in &pairs {
            for (how, policy) in [("component", &p.component), ("native", &p.native)] {
                g.bench_with_input(BenchmarkId::new(how, p.variant), &req, |b, req| b.iter(|| black_box(policy.call(op, black_box(req)).expect("decides"))));
            }
        }
        g.finish();
    }
}

/// The floor policy beside toyama: what the boundary costs when there are
/// no rules to run.
fn floor(c: &mut Criterion) {
    let rt = runtime();
    let floor = kitei_benches::floor(&rt);
    let req = request(1);
    for op in [OperationName::Eligibility, OperationName::Authorize] {
        let mut g = c.benchmark_group(format!("floor/{}", op.wire()));
        for (how, policy) in [("component", &floor.component), ("native", &floor.native)] {
            g.bench_with_input(BenchmarkId::new(how, floor.variant), &req, |b, req| b.iter(|| black_box(policy.call(op, black_box(req)).expect("decides"))));
        }
        g.finish();
    }
}

/// toyama's `authorize` as built now (contract 0.4) beside the same
/// variant built at 0.3.0 (`tests/fixtures/contract-0.3/`, served through
/// the adapter), with one and with 100 accounts, in one run: what the
/// declared-terms contract costs a variant that declares none.
fn contract_versions(c: &mut Criterion) {
    let rt = runtime();
    let pairs = pairs(&rt);
    let toyama = pairs.iter().find(|p| p.variant == "toyama-2023").expect("toyama");
    let file = kitei_tests::root().join("tests/fixtures/contract-0.3/toyama-2023.wasm");
    let bytes = std::fs::read(&file).expect("the 0.3 fixture");
    let old = kitei::component::Checked::new(&rt, &file, &bytes)
        .expect("the 0.3 fixture loads")
        .configure(&toyama.component.info().settings, None)
        .expect("settings accepted");
    let mut g = c.benchmark_group("contract/authorize");
    for n in [1usize, 100] {
        let req = request(n);
        for (version, policy) in [("0.4", &*toyama.component), ("0.3", &old as &dyn LoadedPolicy)] {
            g.bench_with_input(BenchmarkId::new(version, n), &req, |b, req| {
                b.iter(|| black_box(policy.call(OperationName::Authorize, black_box(req)).expect("decides")))
            });
        }
    }
    g.finish();
}

fn accounts_scaling(c: &mut Criterion) {
    let rt = runtime();
    let pairs = pairs(&rt);
    let toyama = pairs.iter().find(|p| p.variant == "toyama-2023").expect("toyama");
    let mut g = c.benchmark_group("authorize_by_accounts");
    for n in [1usize, 10, 100, 1000] {
        let req = request(n);
        for (how, policy) in [("component", &toyama.component), ("native", &toyama.native)] {
            g.bench_with_input(BenchmarkId::new(how, n), &req, |b, req| {
                b.iter(|| black_box(policy.call(OperationName::Authorize, black_box(req)).expect("decides")))
            });
        }
    }
    g.finish();
}

fn loaded_policies(c: &mut Criterion) {
    let rt = runtime();
    let pairs = pairs(&rt);
    let mut g = c.benchmark_group("authorize_by_loaded_policies");
    g.sample_size(30);
    // 6, 60 and 600 loaded policies: copies of the six variants under other names
    for copies in [1usize, 10, 100] {
        let mut registry = Registry::default();
        for i in 0..copies {
            for p in &pairs {
                let policy: Arc<dyn LoadedPolicy> = Arc::new(p.checked.clone().configure(&p.component.info().settings, None).expect("configures"));
                registry.add(Arc::new(Renamed::new(policy, &format!("{}-{i}", p.variant))));
            }
        }
        let n = registry.policies().len();
        // ask the last-loaded copy of toyama, through selection by institution
        let mut example: serde_json::Value = serde_json::from_str(include_str!("../examples/01-toyama-authorize.json")).expect("example parses");
        example["institution"] = format!("toyama-2023-{}", copies - 1).into();
        let question = Question::from_value(&example).expect("example is valid");
        g.bench_with_input(BenchmarkId::new("component", n), &question, |b, q| {
            b.iter(|| {
                let policy = registry.select(q.target(), q.at()).expect("selects");
                black_box(policy.call(q.operation().name(), q.request()).expect("decides"))
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = per_operation, floor, contract_versions, accounts_scaling, loaded_policies
}
criterion_main!(benches);
