//! The hostile modules (`tests/hostile-guest`, one cargo feature per case),
//! built once per test binary with `kitei build`'s own toolchain path and
//! written, unchecked, to `target/policies-hostile/<case>.wasm`: the host's
//! checks are what the tests put them through.

use kitei_build::{Toolchain, compile_crate};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Every case, by name: the feature of `tests/hostile-guest` and the
/// module's variant and institution id.
pub const CASES: [&str; 9] = [
    "loop-in-decision",
    "loop-in-describe",
    "loop-in-configure",
    "memory-grow",
    "stack-overflow",
    "million-reasons",
    "rule-out-of-range",
    "huge-sheet",
    "stateful",
];

/// Builds every case (once per test binary) and returns the directory,
/// `target/policies-hostile`.
pub fn dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let toolchain = Toolchain::detect().unwrap_or_else(|e| panic!("{e:#}"));
        let krate = crate::root().join("tests/hostile-guest");
        let mut dir = None;
        for case in CASES {
            let built = compile_crate(&toolchain, &krate, &[case]).unwrap_or_else(|e| panic!("building hostile case {case}: {e:#}"));
            // every case is uplifted to the same core file: make sure it is this one
            assert!(built.component.windows(case.len()).any(|w| w == case.as_bytes()), "{} is not the build of case {case}", built.core_path.display());
            let out = built.target_dir.join("policies-hostile");
            std::fs::create_dir_all(&out).expect("create target/policies-hostile");
            std::fs::write(out.join(format!("{case}.wasm")), &built.component).expect("write hostile module");
            dir = Some(out);
        }
        dir.expect("at least one case")
    })
}

/// The built module of `case`.
pub fn module(case: &str) -> PathBuf {
    assert!(CASES.contains(&case), "no hostile case `{case}`");
    dir().join(format!("{case}.wasm"))
}

/// A fresh temporary directory with the named bundled policies and
/// hostile cases.
pub fn temp_dir(name: &str, variants: &[&str], cases: &[&str]) -> PathBuf {
    let dir = crate::temp_policy_dir(name, variants);
    for case in cases {
        std::fs::copy(module(case), dir.join(format!("{case}.wasm"))).expect("copy hostile module");
    }
    dir
}
