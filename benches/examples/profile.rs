//! Runs one operation of policy components in a loop: for `perf`, and for
//! A/B comparisons of two builds of a module inside one process (rounds
//! alternate between the modules, so drift and process layout hit both alike).
//!
//! ```sh
//! cargo build --release -p kitei-benches --example profile
//! target/release/examples/profile authorize target/policies/toyama-2023.wasm [other.wasm …]
//! KITEI_PERF_MAP=1 perf record -g target/release/examples/profile authorize toyama.wasm
//! ```
//!
//! `KITEI_PERF_MAP=1` makes wasmtime write `/tmp/perf-<pid>.map`, so `perf
//! report` names the guest's functions (build the module unstripped to see
//! Rust names: `CARGO_PROFILE_POLICY_STRIP=false kitei build … -o …`).
//! `KITEI_ROUNDS` (default 15) rounds of `KITEI_CALLS` (default 100000) calls.

use kitei::LoadedPolicy;
use kitei::{Limits, Runtime, component::Checked};
use kitei::{OperationName, Wire};
use std::hint::black_box;
use std::path::PathBuf;

fn env(name: &str, default: usize) -> anyhow::Result<usize> {
    std::env::var(name).map_or(Ok(default), |v| v.parse().map_err(|e| anyhow::anyhow!("{name}: {e}")))
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: profile <operation> <component.wasm>…";
    let op_name = args.next().ok_or_else(|| anyhow::anyhow!(usage))?;
    let op = OperationName::from_wire(&op_name).ok_or_else(|| anyhow::anyhow!("unknown operation `{op_name}`"))?;
    let files: Vec<PathBuf> = args.map(PathBuf::from).collect();
    anyhow::ensure!(!files.is_empty(), usage);
    let (rounds, calls) = (env("KITEI_ROUNDS", 15)?, env("KITEI_CALLS", 100_000)?);
    let runtime = Runtime::new(Limits::default())?;
    let req = kitei_benches::request(1);
    let mut policies = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file)?;
        let checked = Checked::new(&runtime, file, &bytes)?;
        let floor: (&str, &kitei_sdk::Policy) = ("floor", &kitei_policy_floor::POLICY);
        let policy = kitei_benches::VARIANTS
            .iter()
            .chain([&floor])
            .find(|(v, _)| *v == checked.metadata.variant)
            .map(|(_, p)| *p)
            .ok_or_else(|| anyhow::anyhow!("`{}` is not a bundled variant", checked.metadata.variant))?;
        policies.push(checked.configure(&kitei_benches::settings_for(policy), None)?);
    }
    let mut times = vec![Vec::new(); policies.len()];
    for _ in 0..rounds {
        for (policy, t) in policies.iter().zip(&mut times) {
            let start = std::time::Instant::now();
            for _ in 0..calls {
                black_box(policy.call(op, black_box(&req))?);
            }
            t.push(start.elapsed().as_nanos() as f64 / calls as f64);
        }
    }
    for (file, t) in files.iter().zip(&mut times) {
        t.sort_by(f64::total_cmp);
        let median = t[t.len() / 2];
        println!("{} {}: min {:.0} ns, median {:.0} ns per call ({rounds} rounds of {calls})", file.display(), op.wire(), t[0], median);
    }
    Ok(())
}
