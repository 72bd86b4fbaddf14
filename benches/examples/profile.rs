//! Runs one operation of one policy component in a loop, for `perf`.
//!
//! ```sh
//! KITEI_PERF_MAP=1 perf record -g cargo run --release -p kitei-benches --example profile -- \
//!     target/policies/toyama-2023.wasm authorize 2000000
//! ```
//!
//! `KITEI_PERF_MAP=1` makes wasmtime write `/tmp/perf-<pid>.map`, so `perf
//! report` names the guest's functions (build the module unstripped to see
//! Rust names: `CARGO_PROFILE_POLICY_STRIP=false kitei build … -o …`).

use kitei::component::{Checked, Limits, Runtime};
use kitei::policy::Policy;
use kitei::vocab::{Operation, Wire};
use std::hint::black_box;
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: profile <component.wasm> <operation> [iterations]";
    let file = PathBuf::from(args.next().ok_or_else(|| anyhow::anyhow!(usage))?);
    let op_name = args.next().ok_or_else(|| anyhow::anyhow!(usage))?;
    let op = Operation::from_wire(&op_name).ok_or_else(|| anyhow::anyhow!("unknown operation `{op_name}`"))?;
    let n: u64 = args.next().map_or(Ok(1_000_000), |s| s.parse())?;
    let runtime = Runtime::new(Limits::default())?;
    let bytes = std::fs::read(&file)?;
    let checked = Checked::new(&runtime, &file, &bytes)?;
    let policy = kitei_benches::VARIANTS
        .iter()
        .find(|(v, _)| *v == checked.metadata.variant)
        .map(|(_, p)| *p)
        .ok_or_else(|| anyhow::anyhow!("`{}` is not a bundled variant", checked.metadata.variant))?;
    let component = checked.configure(&kitei_benches::settings_for(policy), None)?;
    let req = kitei_benches::request(1);
    let start = std::time::Instant::now();
    for _ in 0..n {
        black_box(component.decide(op, black_box(&req))?);
    }
    let per = start.elapsed().as_nanos() as f64 / n as f64;
    eprintln!("{} {}: {n} calls, {per:.0} ns per call", component.info().metadata.variant, op.wire());
    Ok(())
}
