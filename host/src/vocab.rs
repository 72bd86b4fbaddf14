//! Wire names (spec/domain.md) of the contract's enums, for JSON in and out.

use kitei_sdk::types::{
    AccountKind, Channel, Decision, Function, IncidentKind, LiabilityRuling, LossEvent, Party,
    PermissionRuling, Provenance, Segment, TokenStatus,
};

/// An enum of the contract with its snake_case wire names.
pub trait Wire: Sized + Copy + PartialEq + 'static {
    /// What the JSON calls this type, for error messages.
    const WHAT: &'static str;
    const ALL: &'static [(Self, &'static str)];

    fn wire(self) -> &'static str {
        Self::ALL.iter().find(|(v, _)| *v == self).map_or("?", |(_, n)| n)
    }

    fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(v, _)| *v)
    }

    /// `a, b, c`: the accepted names, for error messages.
    fn expected() -> String {
        Self::ALL.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", ")
    }
}

macro_rules! wire {
    ($ty:ident, $what:literal { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl Wire for $ty {
            const WHAT: &'static str = $what;
            const ALL: &'static [(Self, &'static str)] = &[$(($ty::$variant, $name)),+];
        }
    };
}

wire!(AccountKind, "account kind" {
    Ordinary = "ordinary", Savings = "savings", Current = "current",
    TimeDeposit = "time_deposit", CardLoan = "card_loan", TaxReserve = "tax_reserve",
});
wire!(Channel, "channel" { InstitutionApi = "institution_api", AnserApi = "anser_api" });
wire!(Function, "function" {
    AccountInfo = "account_info", Balance = "balance", Transactions = "transactions",
    RegisteredPayees = "registered_payees", Transfer = "transfer",
    DirectDebitApplication = "direct_debit_application", DirectDebitTransfer = "direct_debit_transfer",
});
wire!(IncidentKind, "incident kind" {
    Leak = "leak", UnauthorizedAccess = "unauthorized_access", Fraud = "fraud",
    SystemFailure = "system_failure", Maintenance = "maintenance",
    ProviderContractTerminated = "provider_contract_terminated", Unavoidable = "unavoidable",
});
wire!(LossEvent, "loss event" {
    CredentialMisuse = "credential_misuse", DisclosedInfoMishandled = "disclosed_info_mishandled",
    ProviderService = "provider_service", StaleInformation = "stale_information",
    ServiceSuspension = "service_suspension", ServiceTermination = "service_termination",
    TermsChange = "terms_change", PendingCancellation = "pending_cancellation",
});
wire!(Party, "party" {
    Institution = "institution", Federation = "federation", Provider = "provider",
    ChainedProvider = "chained_provider",
});
wire!(LiabilityRuling, "liability ruling" {
    Liable = "liable", NotLiable = "not_liable", PerContract = "per_contract", Unspecified = "unspecified",
});
wire!(PermissionRuling, "permission ruling" {
    Permitted = "permitted", NotPermitted = "not_permitted", Unspecified = "unspecified",
});
wire!(Provenance, "provenance" {
    Verbatim = "verbatim", Interpreted = "interpreted", Omitted = "omitted", Setting = "setting",
});
wire!(Segment, "segment" { Individual = "individual", Corporate = "corporate" });
wire!(Decision, "decision" { Permit = "permit", Deny = "deny" });
wire!(TokenStatus, "token status" { Valid = "valid", Expired = "expired", Unspecified = "unspecified" });

/// The operations of api.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    Describe,
    Eligibility,
    Accounts,
    Authorize,
    Token,
    Liability,
    Incident,
}

wire!(Operation, "operation" {
    Describe = "describe", Eligibility = "eligibility", Accounts = "accounts",
    Authorize = "authorize", Token = "token", Liability = "liability", Incident = "incident",
});
