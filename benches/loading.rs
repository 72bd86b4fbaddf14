//! Loading cost: compiling a component from its `.wasm` bytes against
//! loading the precompiled artifact (cached by sha256 and engine hash), and
//! what a hot swap of one module costs before its first decision.
//!
//! `cargo bench -p kitei-benches --bench loading`

use criterion::{Criterion, criterion_group, criterion_main};
use kitei::LoadedPolicy;
use kitei::{Limits, Runtime, component::Checked};

use kitei::OperationName;
use kitei_benches::request;
use std::hint::black_box;
use std::time::Duration;

fn load(c: &mut Criterion) {
    let file = kitei_tests::policies().join("toyama-2023.wasm");
    let bytes = std::fs::read(&file).expect("built policy");
    let cache = std::env::temp_dir().join(format!("kitei-bench-cache-{}", std::process::id()));
    // nothing kept in memory: each iteration compiles, or reads the artifact
    let plain = Runtime::new(Limits::default()).expect("runtime").keep_compiled(0);
    let cached = Runtime::new(Limits::default()).expect("runtime").keep_compiled(0).with_cache(&cache).expect("cache dir");
    Checked::new(&cached, &file, &bytes).expect("warms the cache");
    let req = request(1);

    let mut g = c.benchmark_group("load/toyama-2023");
    g.sample_size(10);
    g.bench_function("compile_from_wasm", |b| b.iter(|| black_box(Checked::new(&plain, &file, &bytes).expect("loads"))));
    g.bench_function("from_precompiled", |b| b.iter(|| black_box(Checked::new(&cached, &file, &bytes).expect("loads"))));
    // What a reload does for one changed module, up to its first answer.
    g.bench_function("swap_to_first_decision_precompiled", |b| {
        b.iter(|| {
            let policy = Checked::new(&cached, &file, &bytes).expect("loads").configure(&kitei::types::Settings::default(), None).expect("configures");
            black_box(policy.call(OperationName::Authorize, &req).expect("decides"))
        })
    });
    g.bench_function("swap_to_first_decision_compiled", |b| {
        b.iter(|| {
            let policy = Checked::new(&plain, &file, &bytes).expect("loads").configure(&kitei::types::Settings::default(), None).expect("configures");
            black_box(policy.call(OperationName::Authorize, &req).expect("decides"))
        })
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&cache);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(5));
    targets = load
}
criterion_main!(benches);
