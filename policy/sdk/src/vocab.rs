//! The contract's vocabulary, listed once.
//!
//! The WIT (`wit/policy.wit`) names every enum case and flag; wit-bindgen
//! turns `card-loan` into `AccountKind::CardLoan`, and the wire name used in
//! JSON and settings files is the WIT name with `_` for `-` (`card_loan`).
//! What Rust cannot derive from the WIT by itself — the list of an enum's
//! values, what a value is called in an error message, the flags of a set —
//! is written here and nowhere else: [`for_each_enum!`] and
//! [`for_each_flags!`] hand these lists to a macro of the caller's, so the
//! SDK (below) and the host's conversions to wasmtime's types are generated
//! from the same lines. Adding a case means: the WIT, and one line here.
//!
//! ```
//! use kitei_sdk::types::AccountKind;
//! assert_eq!(AccountKind::ALL.len(), 6);
//! assert_eq!(AccountKind::ALL[4], AccountKind::CardLoan);
//! ```

/// Calls `$m!(Type "what it is called" { Case, … })` for every enum of the
/// contract, cases in WIT order. `Segment` and `Channel` are the SDK model's
/// (the WIT carries them as facts).
#[macro_export]
macro_rules! for_each_enum {
    ($m:path) => {
        $m!(AccountKind "account kind" { Ordinary, Savings, Current, TimeDeposit, CardLoan, TaxReserve });
        $m!(Function "function" {
            AccountInfo, Balance, Transactions, RegisteredPayees, Transfer, DirectDebitApplication,
            DirectDebitTransfer,
        });
        $m!(IncidentKind "incident kind" {
            Leak, UnauthorizedAccess, Fraud, SystemFailure, Maintenance, ProviderContractTerminated,
            Unavoidable,
        });
        $m!(LossEvent "loss event" {
            CredentialMisuse, DisclosedInfoMishandled, ProviderService, StaleInformation,
            ServiceSuspension, ServiceTermination, TermsChange, PendingCancellation,
        });
        $m!(Party "party" { Institution, Federation, Provider, ChainedProvider });
        $m!(LiabilityRuling "liability ruling" { Liable, NotLiable, NotExempt, PerContract, Unspecified });
        $m!(PermissionRuling "permission ruling" { Permitted, NotPermitted, Unspecified });
        $m!(Provenance "provenance" { Verbatim, Interpreted, Omitted, Setting });
        $m!(Decision "decision" { Permit, Deny });
        $m!(TokenStatus "token status" { Valid, Expired, Unspecified });
        $m!(Segment "segment" { Individual, Corporate });
        $m!(Channel "channel" { InstitutionApi, AnserApi });
    };
}

/// Calls `$m!(Type { FLAG, … })` for every flags set of the WIT.
#[macro_export]
macro_rules! for_each_flags {
    ($m:path) => {
        $m!(AccountFlags { GENERAL_ACCOUNT, CASH_CARD, LOAN_CARD, PIN_REGISTERED, INTERNET_BANKING_REGISTERED });
        $m!(Facts {
            CORPORATE,
            INTERNET_BANKING_CONTRACT,
            DIRECT_BANKING_REGISTERED,
            AGREED_TO_TERMS,
            API_AUTH_COMPLETED,
            PROVIDER_DESIGNATED,
            PROVIDER_CONTRACT,
            PROVIDER_VIA_CHAINED,
            ANSER_CHANNEL,
            OTHER_CHANNEL,
            INTERNET_BANKING_OPEN,
            API_OPEN,
            INSTITUTION_AT_FAULT,
            HAS_AUTHENTICATED_AT,
            HAS_LAST_ACCESS_AT,
            HAS_REGISTERED_AT,
        });
        $m!(FunctionSet { ACCOUNT_INFO, BALANCE, TRANSACTIONS, REGISTERED_PAYEES, TRANSFER, DIRECT_DEBIT_APPLICATION, DIRECT_DEBIT_TRANSFER });
    };
}

/// `Type::ALL` and `Type::WHAT` for each enum.
macro_rules! enum_consts {
    ($ty:ident $what:literal { $($case:ident),+ $(,)? }) => {
        impl crate::types::$ty {
            /// Every value, in the contract's (WIT) order.
            pub const ALL: [Self; [$(stringify!($case)),+].len()] = [$(Self::$case),+];
            /// What an error message calls a value of this type.
            pub const WHAT: &'static str = $what;
            /// The Rust names of the cases, in the contract's order (the
            /// wire name is each in snake_case).
            pub const NAMES: [&'static str; [$(stringify!($case)),+].len()] = [$(stringify!($case)),+];
        }
    };
}

for_each_enum!(enum_consts);

/// `Type::NAMES` for each flags set: the flags' names (the wire name is
/// each in lowercase).
macro_rules! flags_consts {
    ($ty:ident { $($f:ident),+ $(,)? }) => {
        impl crate::types::$ty {
            /// The flags' names, in the contract's order.
            pub const NAMES: [&'static str; [$(stringify!($f)),+].len()] = [$(stringify!($f)),+];
        }
    };
}

for_each_flags!(flags_consts);

/// The wire name of a case from its Rust name: `CardLoan` → `card_loan`
/// (the WIT's `card-loan` with `_` for `-`).
pub fn snake_case(rust_name: &str) -> String {
    let mut out = String::with_capacity(rust_name.len() + 4);
    for (i, c) in rust_name.char_indices() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::snake_case;
    use crate::types::{Function, FunctionSet};

    #[test]
    fn snake_case_of_rust_names() {
        assert_eq!(snake_case("CardLoan"), "card_loan");
        assert_eq!(snake_case("Ordinary"), "ordinary");
        assert_eq!(snake_case("DirectDebitApplication"), "direct_debit_application");
    }

    #[test]
    fn functions_and_function_set_share_their_order() {
        for (i, f) in Function::ALL.into_iter().enumerate() {
            assert_eq!(crate::request::function_flag(f).bits(), 1 << i, "{f:?}");
        }
        assert_eq!(FunctionSet::all().bits().count_ones() as usize, Function::ALL.len());
    }
}
