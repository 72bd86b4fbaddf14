//! What the benchmarks share: the six variants as components and natively,
//! and the requests they are asked.

use kitei::types::{Request, Settings};
use kitei::{LoadedPolicy, NativePolicy, OperationName, PolicyInfo, Question};
use kitei::{Runtime, component::Checked};
use kitei_build::{Output, Toolchain, build_crate};
use std::path::Path;
use std::sync::Arc;

/// Every bundled variant crate's policy, by variant id.
pub use kitei_tests::NATIVE as VARIANTS;

/// The operations benchmarked per variant.
pub const OPERATIONS: [OperationName; 5] =
    [OperationName::Eligibility, OperationName::Accounts, OperationName::Authorize, OperationName::Liability, OperationName::Incident];

/// Settings that give every period a value, so token arithmetic runs.
pub fn settings_for(policy: &kitei_sdk::Policy) -> Settings {
    let mut s = Settings::default();
    for name in policy.settings {
        name.set_days(&mut s, Some(90));
    }
    s
}

/// api.md's example request (one account) with `n` accounts.
pub fn request(n: usize) -> Request {
    let mut v: serde_json::Value = serde_json::from_str(include_str!("../examples/01-toyama-authorize.json")).expect("example parses");
    let account = v["customer"]["accounts"][0].clone();
    let accounts: Vec<_> = (0..n)
        .map(|i| {
            let mut a = account.clone();
            a["id"] = format!("A{i}").into();
            a
        })
        .collect();
    v["customer"]["accounts"] = accounts.into();
    v.as_object_mut().expect("object").remove("account_ids");
    Question::from_value(&v).expect("example is valid").request().clone()
}

/// A variant as a component (built from source by the test support) and natively.
pub struct Pair {
    pub variant: &'static str,
    pub component: Arc<dyn LoadedPolicy>,
    pub native: Arc<dyn LoadedPolicy>,
    pub checked: Checked,
}

pub fn pairs(runtime: &Runtime) -> Vec<Pair> {
    let dir = kitei_tests::policies();
    VARIANTS.iter().map(|&(variant, policy)| pair(runtime, variant, policy, &dir.join(format!("{variant}.wasm")))).collect()
}

fn pair(runtime: &Runtime, variant: &'static str, policy: &'static kitei_sdk::Policy, file: &Path) -> Pair {
    let bytes = std::fs::read(file).expect("built policy");
    let checked = Checked::new(runtime, file, &bytes).expect("policy loads");
    let settings = settings_for(policy);
    let component = Arc::new(checked.clone().configure(&settings, None).expect("settings accepted"));
    let native = Arc::new(NativePolicy::new(policy, settings).expect("settings accepted"));
    Pair { variant, component, native, checked }
}

/// The floor policy (`benches/floor`: no rules to evaluate), built into
/// `target/bench-policies/`, as a component and natively.
pub fn floor(runtime: &Runtime) -> Pair {
    let toolchain = Toolchain::detect().unwrap_or_else(|e| panic!("{e:#}"));
    let out = kitei_tests::root().join("target/bench-policies/floor.wasm");
    build_crate(runtime, &toolchain, &kitei_tests::root().join("benches/floor"), Output::File(&out))
        .unwrap_or_else(|e| panic!("building benches/floor: {e:#}"));
    pair(runtime, "floor", &kitei_policy_floor::POLICY, &out)
}

/// A policy under another name: copies of one compiled component, each with
/// its own instances, to load hundreds of "institutions" for the scaling runs.
pub struct Renamed {
    pub inner: Arc<dyn LoadedPolicy>,
    pub info: PolicyInfo,
}

impl Renamed {
    pub fn new(inner: Arc<dyn LoadedPolicy>, name: &str) -> Self {
        let mut info = inner.info().clone();
        info.metadata.variant = name.to_string();
        info.metadata.institution = name.to_string();
        Renamed { inner, info }
    }
}

impl LoadedPolicy for Renamed {
    fn info(&self) -> &PolicyInfo {
        &self.info
    }
    fn call(&self, op: OperationName, r: &Request) -> Result<kitei::Outcome, kitei::DecisionError> {
        self.inner.call(op, r)
    }
}
