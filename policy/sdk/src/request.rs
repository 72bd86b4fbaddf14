//! Helpers over the contract's request type.

use crate::model::ChannelRef;
use crate::types::{Account, Channel, ConsentFlags, CustomerFlags, Function, FunctionSet, ProviderFlags, Request, Segment, ServiceFlags, Timestamp};

/// The flag of a function in a [`FunctionSet`].
pub fn function_flag(f: Function) -> FunctionSet {
    // the WIT lists `function` and `function-set` in the same order (tested in `vocab`)
    FunctionSet::from_bits_retain(1 << (f as u8))
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
        provider_channel: ChannelRef::Core(Channel::InstitutionApi),
        provider: ProviderFlags::empty(),
        consent: ConsentFlags::empty(),
        authenticated_at: None,
        last_access_at: None,
        registered_at: None,
        authorized_functions: FunctionSet::empty(),
        service: ServiceFlags::all(),
        extension_facts: 0,
        extension_authorized: 0,
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
