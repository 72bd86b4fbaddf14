//! Extension terms: the words of a variant's own text that the core
//! vocabulary lacks (a function, an account kind or flag, a fact, a channel,
//! an incident kind, a loss event, a party, a ruling, a setting).
//!
//! A variant declares them once, with [`terms!`](crate::terms), beside its
//! rule sheet: each with its wire name, the text's own word, one line of
//! English and the rule that introduces it. Tables name them by the
//! [`TermId`] constants the macro makes; requests carry them by wire name,
//! and the host passes each as its position among the variant's terms of
//! that kind. [`export_policy!`](crate::export_policy) checks at compile
//! time that no name clashes with the core, that every name is snake_case
//! and declared once, and that every term is used by a table.
//!
//! ```
//! use kitei_sdk::prelude::*;
//!
//! kitei_sdk::rules! {
//!     R_2_1_4 = Rule::verbatim(Clause::item(2, 1, 4), "デビットカードの利用明細照会")
//!         .codes("function_offered", "function_not_offered");
//!     GAP = Rule::gap();
//! }
//! kitei_sdk::terms! {
//!     DEBIT_STATEMENT = Term::function("debit_statement", "デビット利用明細照会", "debit card statement inquiry", R_2_1_4);
//! }
//! assert_eq!(TERMS[0].name, "debit_statement");
//! assert_eq!((DEBIT_STATEMENT.kind, DEBIT_STATEMENT.position), (TermKind::Function, 0));
//! ```

use crate::rule::RuleId;
pub use crate::types::TermKind;

/// One extension term of a variant.
#[derive(Clone, Copy, Debug)]
pub struct Term {
    pub kind: TermKind,
    /// the wire name: snake_case, never a core name
    pub name: &'static str,
    /// the text's own word for it
    pub ja: &'static str,
    /// one line of English
    pub summary: &'static str,
    /// the rule of the sheet that introduces it
    pub rule: RuleId,
}

/// A declared term as tables name it: its kind and its position among the
/// variant's terms of that kind (facts of every scope and channels share one
/// numbering, the bits of the request's `extension-facts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TermId {
    pub kind: TermKind,
    pub position: u16,
}

macro_rules! constructors {
    ($($fn:ident => $kind:ident, $what:literal;)+) => {
        impl Term {
            $(
                #[doc = concat!("A declared ", $what, ".")]
                pub const fn $fn(name: &'static str, ja: &'static str, summary: &'static str, rule: RuleId) -> Self {
                    Term { kind: TermKind::$kind, name, ja, summary, rule }
                }
            )+
        }
    };
}

constructors! {
    function => Function, "function (機能)";
    account_kind => AccountKind, "account kind (口座種類)";
    account_flag => AccountFlag, "fact about an account";
    customer_fact => CustomerFact, "fact about the customer";
    provider_fact => ProviderFact, "fact about the provider";
    consent_fact => ConsentFact, "fact about the customer's consent";
    service_fact => ServiceFact, "fact about the service at the request's time";
    channel => Channel, "channel the provider connects through";
    incident_kind => IncidentKind, "incident kind";
    loss_event => LossEvent, "loss event";
    party => Party, "party of a liability answer";
    liability_ruling => LiabilityRuling, "liability ruling";
    setting => Setting, "setting (所定) the operator supplies";
}

/// The numbering a kind's positions are counted in: the fact kinds and
/// channels share one (the bits of `extension-facts`).
pub const fn space(kind: TermKind) -> u8 {
    match kind {
        TermKind::CustomerFact | TermKind::ProviderFact | TermKind::ConsentFact | TermKind::ServiceFact | TermKind::Channel => TermKind::CustomerFact as u8,
        other => other as u8,
    }
}

/// How many positions a kind's numbering has on the wire: bit sets for
/// facts and channels (64), account flags (32) and functions (the
/// customer's authorizations, 32); a `u16` for the others.
pub const fn capacity(kind: TermKind) -> usize {
    match kind {
        TermKind::CustomerFact | TermKind::ProviderFact | TermKind::ConsentFact | TermKind::ServiceFact | TermKind::Channel => 64,
        TermKind::AccountFlag | TermKind::Function => 32,
        _ => u16::MAX as usize,
    }
}

/// The id of `terms[index]`: its kind and its position among the earlier
/// terms of the same numbering. Called by [`terms!`](crate::terms), at
/// compile time.
pub const fn id(terms: &[Term], index: usize) -> TermId {
    let kind = terms[index].kind;
    let mut position = 0u16;
    let mut i = 0;
    while i < index {
        if space(terms[i].kind) == space(kind) {
            position += 1;
        }
        i += 1;
    }
    TermId { kind, position }
}

/// Declares a variant's extension terms: one `NAME = term;` per term
/// ([`Term::function`], [`Term::customer_fact`], …). Each `NAME` becomes a
/// [`TermId`] constant and `TERMS` the list, in declaration order.
#[macro_export]
macro_rules! terms {
    ($( $(#[$meta:meta])* $name:ident = $term:expr ; )+) => {
        #[allow(non_camel_case_types, dead_code, clippy::upper_case_acronyms)]
        #[repr(u16)]
        enum __TermIndex { $( $name ),+ }
        const __TERMS: [$crate::term::Term; [$(__TermIndex::$name),+].len()] = [ $( $term ),+ ];
        $(
            $(#[$meta])*
            #[allow(non_upper_case_globals, dead_code)]
            pub const $name: $crate::term::TermId = $crate::term::id(&__TERMS, __TermIndex::$name as usize);
        )+
        /// The extension terms this text declares, in declaration order.
        pub static TERMS: &[$crate::term::Term] = &__TERMS;
    };
}

/// Whether `name` is snake_case: lowercase ASCII letters, digits and single
/// underscores, starting with a letter and not ending with an underscore.
pub const fn is_snake_case(name: &str) -> bool {
    let b = name.as_bytes();
    if b.is_empty() || !b[0].is_ascii_lowercase() || b[b.len() - 1] == b'_' {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let ok = c.is_ascii_lowercase() || c.is_ascii_digit() || (c == b'_' && b[i - 1] != b'_');
        if !ok {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: RuleId = RuleId(0);

    #[test]
    fn positions_count_within_a_numbering() {
        const TERMS: [Term; 5] = [
            Term::function("a", "", "", R),
            Term::customer_fact("b", "", "", R),
            Term::channel("c", "", "", R),
            Term::function("d", "", "", R),
            Term::provider_fact("e", "", "", R),
        ];
        let positions: Vec<u16> = (0..TERMS.len()).map(|i| id(&TERMS, i).position).collect();
        assert_eq!(positions, [0, 0, 1, 1, 2]);
    }

    #[test]
    fn snake_case_names() {
        for ok in ["debit_statement", "a", "x2", "own_account_transfer"] {
            assert!(is_snake_case(ok), "{ok}");
        }
        for bad in ["", "Debit", "debit-statement", "_a", "a_", "a__b", "2fa", "débit"] {
            assert!(!is_snake_case(bad), "{bad}");
        }
    }
}
