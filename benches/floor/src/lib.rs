//! The least a policy can be: one rule (the gap), no conditions, no tables.
//!
//! Through the component, a decision of this policy still lowers the whole
//! request, enters the guest, lifts the request into the SDK's model, lowers
//! the (short) answer and lifts it back: what it costs is the boundary's
//! floor for a request of this shape, which the benchmarks set beside the
//! real variants (docs/performance.md).

use kitei_sdk::prelude::*;

kitei_sdk::rules! {
    GAP = Rule::gap();
}

const META: Meta = Meta {
    variant: "floor",
    institution: "floor",
    institution_name: "(benchmark)",
    title: "a policy with no rules",
    version: "2000-01-01",
    effective_from: "2000-01-01",
    effective_until: None,
};

pub static POLICY: Policy = Policy::empty(META, RULES, GAP);

kitei_sdk::export_policy!(POLICY);
