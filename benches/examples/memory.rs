//! Resident memory of a host with N loaded modules, and of one instance.
//!
//! ```sh
//! cargo build --release -p kitei-benches --example memory
//! for n in 6 60 600; do target/release/examples/memory $n; done
//! ```
//!
//! The N modules are the six bundled components in turn, each made distinct
//! (a custom section naming its copy), so each is compiled on its own as N
//! institutions' modules would be. Printed (VmRSS from /proc/self/status):
//! the runtime alone; after compiling and configuring the N modules (each
//! keeps the instance its settings were checked on); after one `authorize`
//! per module; and, for one module configured 200 more times (each a new
//! instance), the growth per instance.

use kitei::{Limits, Runtime, component::Checked};
use kitei::{LoadedPolicy, OperationName};
use std::path::Path;

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args().nth(1).map_or(Ok(6), |a| a.parse())?;
    let dir = kitei_tests::policies();
    // nothing kept beyond the loaded modules themselves
    let runtime = Runtime::new(Limits::default())?.keep_compiled(0);
    let req = kitei_benches::request(1);
    let base = rss_kib();
    let mut loaded = Vec::with_capacity(n);
    for i in 0..n {
        let (variant, policy) = kitei_benches::VARIANTS[i % kitei_benches::VARIANTS.len()];
        let bytes = std::fs::read(dir.join(format!("{variant}.wasm")))?;
        let bytes = kitei_tests::with_custom_section(&bytes, &format!("copy-{i}"));
        let checked = Checked::new(&runtime, Path::new(variant), &bytes)?;
        loaded.push(checked.configure(&kitei_benches::settings_for(policy), None)?);
    }
    let after_load = rss_kib();
    for p in &loaded {
        std::hint::black_box(p.call(OperationName::Authorize, &req)?);
    }
    let after_decide = rss_kib();

    // instances: one module configured 200 more times, one instance each
    let (variant, policy) = kitei_benches::VARIANTS[0];
    let bytes = std::fs::read(dir.join(format!("{variant}.wasm")))?;
    let checked = Checked::new(&runtime, Path::new(variant), &bytes)?;
    let before_instances = rss_kib();
    let extra: Vec<_> = (0..200).map(|_| checked.clone().configure(&kitei_benches::settings_for(policy), None)).collect::<Result<_, _>>()?;
    for p in &extra {
        std::hint::black_box(p.call(OperationName::Authorize, &req)?);
    }
    let per_instance = (rss_kib().saturating_sub(before_instances)) as f64 / extra.len() as f64;

    println!(
        "modules {n}: runtime {}, loaded {} (+{} per module), after one authorize each {}; per instance {per_instance:.0} KiB",
        mib(base),
        mib(after_load),
        format_args!("{:.0} KiB", after_load.saturating_sub(base) as f64 / n as f64),
        mib(after_decide),
    );
    drop(extra);
    drop(loaded);
    Ok(())
}
