//! Helpers for variant unit tests: reading a verdict's reasons against the
//! rule sheet, and building the contract's values in one line.
//!
//! Not used by the engine; a variant's `#[cfg(test)] mod tests` calls them.
//! Functions that read rules take the variant's [`Policy`].

use crate::policy::Policy;
use crate::types::{
    Account, AccountFlags, AccountKind, LiabilityRuling, Party, PartyRuling, Reason, Settings, Timestamp,
};

/// The clause of each reason, in human form (`第2条第2項第1号`), in order.
pub fn cites(policy: &Policy, reasons: &[Reason]) -> Vec<String> {
    reasons.iter().map(|r| policy.rules[r.rule as usize].clause.cite()).collect()
}

/// The unmet reason code of each reason that is not met, in order.
pub fn unmet_codes(policy: &Policy, reasons: &[Reason]) -> Vec<&'static str> {
    reasons.iter().filter(|r| !r.met).map(|r| policy.rules[r.rule as usize].code(false)).collect()
}

/// The clause and unmet reason code of each reason that is not met, in order.
pub fn unmet(policy: &Policy, reasons: &[Reason]) -> Vec<(String, &'static str)> {
    reasons
        .iter()
        .filter(|r| !r.met)
        .map(|r| {
            let rule = &policy.rules[r.rule as usize];
            (rule.clause.cite(), rule.code(false))
        })
        .collect()
}

/// Settings with nothing set (the generated type has no `Default`).
pub fn no_settings() -> Settings {
    Settings::default()
}

/// The ruling for `party` among a liability answer's rulings.
///
/// # Panics
/// If the answer has no ruling for `party`.
pub fn ruling(rulings: &[PartyRuling], party: Party) -> LiabilityRuling {
    rulings.iter().find(|r| r.party == party).expect("no ruling for the party").ruling
}

/// The whole ruling (with its reasons) for `party`, out of a liability answer.
///
/// # Panics
/// If the answer has no ruling for `party`.
pub fn party_ruling(rulings: Vec<PartyRuling>, party: Party) -> PartyRuling {
    rulings.into_iter().find(|r| r.party == party).expect("no ruling for the party")
}

/// The instant `seconds` after the Unix epoch, in JST (+09:00).
pub fn jst(seconds: i64) -> Timestamp {
    Timestamp { seconds, nanos: 0, offset_seconds: 9 * 3600 }
}

/// An account of `kind` with `flags`.
pub fn account(kind: AccountKind, flags: AccountFlags) -> Account {
    Account { kind, flags }
}
