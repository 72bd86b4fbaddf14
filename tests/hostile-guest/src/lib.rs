//! Hostile policy modules: each cargo feature of this crate is one way a
//! module can misbehave, built to a component that exports the real world
//! (`kitei:policy/institution-policy@0.3.0`) so it loads like a policy.
//!
//! The module is otherwise the least a policy can be (one rule, the gap,
//! answered by the SDK's engine); the case changes only what it names. Its
//! variant and institution ids are the case's name, so several load side by
//! side. `tests/hostile.rs` says what the host must do with each.
//!
//! | feature | what the module does |
//! |---|---|
//! | `loop-in-decision` | every decision loops forever |
//! | `loop-in-describe` | `describe` (called at load) loops forever |
//! | `loop-in-configure` | `configure` (called at load and for each new instance) loops forever |
//! | `memory-grow` | every decision grows linear memory a page at a time, past any cap |
//! | `stack-overflow` | every decision recurses without end |
//! | `million-reasons` | `eligibility` and `authorize` answer permit with [`MILLIONS`] reasons |
//! | `rule-out-of-range` | `eligibility` and `authorize` answer permit citing a rule past the end of the sheet |
//! | `huge-sheet` | `describe` answers a sheet of [`HUGE_SHEET`] rules |
//! | `stateful` | counts its calls: the first decision of an instance denies, later ones permit; `authorize` of `transfer` traps |

use kitei_sdk::prelude::*;
use kitei_sdk::types::{self as t, Guest};

/// The case this build is, from its feature (the first one set).
pub const CASE: &str = if cfg!(feature = "loop-in-decision") {
    "loop-in-decision"
} else if cfg!(feature = "loop-in-describe") {
    "loop-in-describe"
} else if cfg!(feature = "loop-in-configure") {
    "loop-in-configure"
} else if cfg!(feature = "memory-grow") {
    "memory-grow"
} else if cfg!(feature = "stack-overflow") {
    "stack-overflow"
} else if cfg!(feature = "million-reasons") {
    "million-reasons"
} else if cfg!(feature = "rule-out-of-range") {
    "rule-out-of-range"
} else if cfg!(feature = "huge-sheet") {
    "huge-sheet"
} else if cfg!(feature = "stateful") {
    "stateful"
} else {
    "benign"
};

/// Reasons in `million-reasons`' answers: 3 × 10⁶ reasons are 12 MiB in
/// the guest's `Vec` alone, more than the host's 16 MiB cap leaves once the
/// canonical ABI's copy is counted.
pub const MILLIONS: usize = 3_000_000;

/// Rules in `huge-sheet`'s sheet, each with a 1 KiB text: far past the cap.
pub const HUGE_SHEET: usize = 1_000_000;

/// The rule index `rule-out-of-range` cites; the sheet has one rule.
pub const OUT_OF_RANGE: u16 = 60_000;

kitei_sdk::rules! {
    GAP = Rule::gap();
}

const META: Meta = Meta {
    variant: CASE,
    institution: CASE,
    institution_name: "(hostile test module)",
    title: "a hostile module",
    version: "2000-01-01",
    effective_from: "2000-01-01",
    effective_until: None,
};

pub static POLICY: Policy = Policy::empty(META, RULES, GAP);

/// What a case does before (or instead of) answering a decision.
fn misbehave() {
    if cfg!(feature = "loop-in-decision") {
        spin();
    }
    if cfg!(feature = "memory-grow") {
        grow();
    }
    if cfg!(feature = "stack-overflow") {
        core::hint::black_box(recurse(0));
    }
}

fn spin() -> ! {
    let mut n = 0u64;
    loop {
        n = core::hint::black_box(n.wrapping_add(1));
    }
}

/// Grows linear memory one 64 KiB page at a time until the host stops it;
/// should a grow ever fail quietly, traps.
fn grow() {
    #[cfg(target_arch = "wasm32")]
    loop {
        if core::arch::wasm32::memory_grow(0, 1) == usize::MAX {
            core::arch::wasm32::unreachable();
        }
    }
}

/// Recursion the optimizer cannot turn into a loop.
#[inline(never)]
#[allow(unconditional_recursion)]
fn recurse(depth: u64) -> u64 {
    let frame = core::hint::black_box([depth; 16]);
    recurse(core::hint::black_box(depth + 1)).wrapping_add(frame[depth as usize % 16])
}

/// Calls this instance has answered (the `stateful` case).
static CALLS: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);

/// The reasons a case puts in a verdict in place of the engine's, if any.
fn forged(normal: Vec<t::Reason>) -> (Option<t::Decision>, Vec<t::Reason>) {
    if cfg!(feature = "million-reasons") {
        return (Some(t::Decision::Permit), vec![t::Reason { rule: 0, met: true }; MILLIONS]);
    }
    if cfg!(feature = "rule-out-of-range") {
        return (Some(t::Decision::Permit), vec![t::Reason { rule: OUT_OF_RANGE, met: true }]);
    }
    if cfg!(feature = "stateful") {
        let first = CALLS.fetch_add(1, core::sync::atomic::Ordering::Relaxed) == 0;
        let decision = if first { t::Decision::Deny } else { t::Decision::Permit };
        return (Some(decision), vec![t::Reason { rule: 0, met: !first }]);
    }
    (None, normal)
}

fn engine() -> Engine {
    Engine::with_defaults(&POLICY)
}

fn request(
    req: kitei_sdk::wire::Request,
    function: Option<t::FunctionRef>,
    kind: Option<t::IncidentKindRef>,
    event: Option<t::LossEventRef>,
) -> kitei_sdk::model::Request {
    // this case declares no terms: no channel among its facts
    kitei_sdk::model::from_wire(req, 0, function, kind, event)
}

/// This case as the component's export.
pub struct Component;

impl Guest for Component {
    fn describe() -> t::Metadata {
        if cfg!(feature = "loop-in-describe") {
            spin();
        }
        let mut md = kitei_sdk::engine::describe(&POLICY);
        if cfg!(feature = "huge-sheet") {
            let mut rule = md.rules[0].clone();
            rule.text = "規".repeat(1024 / 3);
            md.rules = vec![rule; HUGE_SHEET];
        }
        md
    }

    fn configure(settings: t::Settings) -> Result<t::Settings, String> {
        if cfg!(feature = "loop-in-configure") {
            spin();
        }
        Engine::new(&POLICY, settings).map(|e| e.settings().clone())
    }

    fn eligibility(req: kitei_sdk::wire::Request) -> t::Verdict {
        misbehave();
        let v = engine().eligibility(&request(req, None, None, None));
        let (decision, reasons) = forged(v.reasons);
        t::Verdict { decision: decision.unwrap_or(v.decision), reasons }
    }

    fn accounts(req: kitei_sdk::wire::Request) -> Vec<t::AccountVerdict> {
        misbehave();
        engine().accounts(&request(req, None, None, None))
    }

    fn authorize(req: kitei_sdk::wire::Request, function: t::AskedFunction) -> t::Authorization {
        misbehave();
        let function = kitei_sdk::model::function_from_wire(function);
        if cfg!(feature = "stateful") && function == Some(t::FunctionRef::Core(t::Function::Transfer)) {
            // a trap: the host must drop this instance, and its count with it
            panic!("stateful: transfer traps");
        }
        let a = engine().authorize(&request(req, function, None, None));
        let (decision, reasons) = forged(a.reasons);
        t::Authorization { decision: decision.unwrap_or(a.decision), reasons, token: a.token }
    }

    fn token(req: kitei_sdk::wire::Request) -> t::TokenVerdict {
        misbehave();
        engine().token(&request(req, None, None, None))
    }

    fn liability(req: kitei_sdk::wire::Request, event: t::AskedLossEvent) -> Vec<t::PartyRuling> {
        misbehave();
        engine().liability(&request(req, None, None, kitei_sdk::model::loss_event_from_wire(event)))
    }

    fn incident(req: kitei_sdk::wire::Request, kind: t::AskedIncidentKind) -> t::IncidentVerdict {
        misbehave();
        engine().incident(&request(req, None, kitei_sdk::model::incident_kind_from_wire(kind), None))
    }
}

#[cfg(target_arch = "wasm32")]
kitei_sdk::bindings::export_institution_policy!(Component);
