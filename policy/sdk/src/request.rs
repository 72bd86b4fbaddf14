//! Helpers over the contract's request type.

use crate::types::{
    Account, AccountKind, Channel, ConsentFlags, CustomerFlags, FunctionSet, Function, IncidentKind,
    LossEvent, ProviderFlags, Request, Segment, ServiceFlags, Timestamp,
};

/// Every account kind, in the contract's order.
pub const ACCOUNT_KINDS: [AccountKind; 6] = [
    AccountKind::Ordinary,
    AccountKind::Savings,
    AccountKind::Current,
    AccountKind::TimeDeposit,
    AccountKind::CardLoan,
    AccountKind::TaxReserve,
];

/// Every function, in the contract's order.
pub const FUNCTIONS: [Function; 7] = [
    Function::AccountInfo,
    Function::Balance,
    Function::Transactions,
    Function::RegisteredPayees,
    Function::Transfer,
    Function::DirectDebitApplication,
    Function::DirectDebitTransfer,
];

/// Every loss event, in the contract's order.
pub const LOSS_EVENTS: [LossEvent; 8] = [
    LossEvent::CredentialMisuse,
    LossEvent::DisclosedInfoMishandled,
    LossEvent::ProviderService,
    LossEvent::StaleInformation,
    LossEvent::ServiceSuspension,
    LossEvent::ServiceTermination,
    LossEvent::TermsChange,
    LossEvent::PendingCancellation,
];

/// Every incident kind, in the contract's order.
pub const INCIDENT_KINDS: [IncidentKind; 7] = [
    IncidentKind::Leak,
    IncidentKind::UnauthorizedAccess,
    IncidentKind::Fraud,
    IncidentKind::SystemFailure,
    IncidentKind::Maintenance,
    IncidentKind::ProviderContractTerminated,
    IncidentKind::Unavoidable,
];

/// The flag of a function in a [`FunctionSet`].
pub fn function_flag(f: Function) -> FunctionSet {
    match f {
        Function::AccountInfo => FunctionSet::ACCOUNT_INFO,
        Function::Balance => FunctionSet::BALANCE,
        Function::Transactions => FunctionSet::TRANSACTIONS,
        Function::RegisteredPayees => FunctionSet::REGISTERED_PAYEES,
        Function::Transfer => FunctionSet::TRANSFER,
        Function::DirectDebitApplication => FunctionSet::DIRECT_DEBIT_APPLICATION,
        Function::DirectDebitTransfer => FunctionSet::DIRECT_DEBIT_TRANSFER,
    }
}

/// A request with api.md's defaults: no facts, both services open, the
/// institution API channel, at the Unix epoch in JST.
pub fn blank() -> Request {
    Request {
        at: Timestamp { seconds: 0, nanos: 0, offset_seconds: 9 * 3600 },
        segment: Segment::Individual,
        customer: CustomerFlags::empty(),
        accounts: Vec::new(),
        selected: Vec::new(),
        provider_id: String::new(),
        provider_channel: Channel::InstitutionApi,
        provider: ProviderFlags::empty(),
        consent: ConsentFlags::empty(),
        authenticated_at: None,
        last_access_at: None,
        authorized_functions: FunctionSet::empty(),
        service: ServiceFlags::all(),
        function: None,
        incident_kind: None,
        loss_event: None,
        institution_at_fault: false,
    }
}

/// The selected accounts with their indices; out-of-range indices are skipped
/// (the host never sends them).
pub fn selected(req: &Request) -> impl Iterator<Item = (u32, &Account)> {
    req.selected.iter().filter_map(|&i| req.accounts.get(i as usize).map(|a| (i, a)))
}
