//! What the benchmarks share: the six variants as components and natively,
//! and the requests they are asked.

use kitei::build::{build_crate, Toolchain};
use kitei::component::{Checked, Runtime};
use kitei::policy::{NativePolicy, Policy, PolicyInfo};
use kitei::registry::no_settings;
use kitei::request::parse_value;
use kitei::vocab::Operation;
use kitei_sdk::types::{Request, Settings};
use std::path::Path;
use std::sync::Arc;

/// Every bundled variant crate's policy, by variant id.
pub use kitei_tests::NATIVE as VARIANTS;

/// The operations benchmarked per variant.
pub const OPERATIONS: [Operation; 5] =
    [Operation::Eligibility, Operation::Accounts, Operation::Authorize, Operation::Liability, Operation::Incident];

/// Settings that give every period a value, so token arithmetic runs.
pub fn settings_for(policy: &kitei_sdk::Policy) -> Settings {
    let mut s = no_settings();
    for name in policy.settings {
        match name.name() {
            "reauth_after_days" => s.reauth_after_days = Some(90),
            "registration_valid_days" => s.registration_valid_days = Some(365),
            "permission_valid_days" => s.permission_valid_days = Some(90),
            "inactivity_days" => s.inactivity_days = Some(180),
            _ => {}
        }
    }
    s
}

/// api.md's example request (one account) with `n` accounts.
pub fn request(n: usize) -> Request {
    let mut v: serde_json::Value =
        serde_json::from_str(include_str!("../examples/01-toyama-authorize.json")).expect("example parses");
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
    parse_value(&v).expect("example is valid").request
}

/// A variant as a component (built from source by the test support) and natively.
pub struct Pair {
    pub variant: &'static str,
    pub component: Arc<dyn Policy>,
    pub native: Arc<dyn Policy>,
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
    build_crate(runtime, &toolchain, &kitei_tests::root().join("benches/floor"), Some(&out))
        .unwrap_or_else(|e| panic!("building benches/floor: {e:#}"));
    pair(runtime, "floor", &kitei_policy_floor::POLICY, &out)
}

/// A policy under another name: copies of one compiled component, each with
/// its own instances, to load hundreds of "institutions" for the scaling runs.
pub struct Renamed {
    pub inner: Arc<dyn Policy>,
    pub info: PolicyInfo,
}

impl Renamed {
    pub fn new(inner: Arc<dyn Policy>, name: &str) -> Self {
        let mut info = inner.info().clone();
        info.metadata.variant = name.to_string();
        info.metadata.institution = name.to_string();
        Renamed { inner, info }
    }
}

impl Policy for Renamed {
    fn info(&self) -> &PolicyInfo {
        &self.info
    }
    fn decide(&self, op: Operation, r: &Request) -> Result<kitei::policy::Outcome, kitei::DecisionError> {
        self.inner.decide(op, r)
    }
}
