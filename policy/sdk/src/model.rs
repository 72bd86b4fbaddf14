//! The request as rules see it, and its lowering to and from the flat form
//! that crosses the component boundary (`request` in `wit/policy.wit`).
//!
//! The WIT request packs every yes/no fact into one `facts` set, a
//! variant's declared facts into one `extension-facts` set, and carries
//! times as instants so that it lowers in registers; rules and the host work
//! on this richer model instead: a segment, a channel, the customer's,
//! provider's, consent and service flags, full timestamps, and the
//! operation's own question (function, incident kind, loss event), each a
//! core value, a declared term by position, or a term the variant does not
//! declare.

use crate::bindings::exports::kitei::policy::policy as wit;
pub use wit::{Account, Function, FunctionSet, IncidentKind, KindRef, LossEvent, Timestamp};

/// The customer segment (個人 / 法人).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Segment {
    Individual,
    Corporate,
}

/// How the provider connects (the core channels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Channel {
    InstitutionApi,
    AnserApi,
}

/// A term asked about: a core value, a term the variant declares (its
/// position among the variant's terms of that kind), or one another
/// module declares and this variant does not.
macro_rules! term_ref {
    ($(#[$doc:meta])* $name:ident($core:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            Core($core),
            Extension(u16),
            Undeclared,
        }

        impl From<$core> for $name {
            fn from(core: $core) -> Self {
                $name::Core(core)
            }
        }
    };
}

term_ref!(
    /// The function asked about.
    FunctionRef(Function)
);
term_ref!(
    /// The channel the provider connects through.
    ChannelRef(Channel)
);
term_ref!(
    /// The incident asked about.
    IncidentKindRef(IncidentKind)
);
term_ref!(
    /// The loss event asked about.
    LossEventRef(LossEvent)
);

wit_bindgen::rt::bitflags::bitflags! {
    /// The customer's contracts and registrations.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct CustomerFlags: u8 {
        const INTERNET_BANKING_CONTRACT = 1 << 0;
        const DIRECT_BANKING_REGISTERED = 1 << 1;
    }
    /// What is known of the provider (API連携事業者).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct ProviderFlags: u8 {
        const DESIGNATED = 1 << 0;
        const CONTRACT = 1 << 1;
        const VIA_CHAINED = 1 << 2;
    }
    /// The customer's consent.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct ConsentFlags: u8 {
        const AGREED_TO_TERMS = 1 << 0;
        const API_AUTH_COMPLETED = 1 << 1;
    }
    /// Which service windows are open at the request's time.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct ServiceFlags: u8 {
        const INTERNET_BANKING_OPEN = 1 << 0;
        const API_OPEN = 1 << 1;
    }
}

/// A core party compares equal to its reference (tests, tables).
impl PartialEq<wit::Party> for wit::PartyRef {
    fn eq(&self, other: &wit::Party) -> bool {
        *self == wit::PartyRef::Core(*other)
    }
}

/// A core ruling compares equal to its reference.
impl PartialEq<wit::LiabilityRuling> for wit::LiabilityRulingRef {
    fn eq(&self, other: &wit::LiabilityRuling) -> bool {
        *self == wit::LiabilityRulingRef::Core(*other)
    }
}

/// One question to a policy: the facts of the request and the operation's
/// own subject (the function to authorize, the incident kind, the loss event).
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub at: Timestamp,
    pub segment: Segment,
    pub customer: CustomerFlags,
    /// every account the customer holds (eligibility looks at all of them)
    pub accounts: Vec<Account>,
    /// indices into `accounts` the question is about
    pub selected: Vec<u32>,
    pub provider_id: String,
    pub provider_channel: ChannelRef,
    pub provider: ProviderFlags,
    pub consent: ConsentFlags,
    pub authenticated_at: Option<Timestamp>,
    pub last_access_at: Option<Timestamp>,
    /// 利用登録 (rules counting from registration fall back to `authenticated_at`)
    pub registered_at: Option<Timestamp>,
    pub authorized_functions: FunctionSet,
    pub service: ServiceFlags,
    /// the variant's declared facts that hold: bit n is its fact (or
    /// channel) at position n; the channel's bit is set from
    /// `provider_channel` on the wire, not here
    pub extension_facts: u64,
    /// the variant's declared functions the customer authorized, by position
    pub extension_authorized: u32,
    pub function: Option<FunctionRef>,
    pub incident_kind: Option<IncidentKindRef>,
    pub loss_event: Option<LossEventRef>,
    pub institution_at_fault: bool,
}

impl Request {
    /// Whether the customer authorized `function` (認可).
    pub fn authorized(&self, function: FunctionRef) -> bool {
        match function {
            FunctionRef::Core(f) => self.authorized_functions.contains(crate::request::function_flag(f)),
            FunctionRef::Extension(p) => p < 32 && self.extension_authorized & (1 << p) != 0,
            FunctionRef::Undeclared => false,
        }
    }

    /// Whether the variant's declared fact at `position` holds.
    pub fn extension_fact(&self, position: u16) -> bool {
        position < 64 && self.extension_facts & (1 << position) != 0
    }
}

/// What the host says of a time outside the instant range.
pub const OUT_OF_RANGE: &str = "is outside the years 1678–2261 a policy can compute with";

/// Nanoseconds since the epoch; `None` outside the years 1678–2261.
pub fn instant(t: &Timestamp) -> Option<i64> {
    t.seconds.checked_mul(1_000_000_000)?.checked_add(i64::from(t.nanos))
}

/// An instant as a UTC timestamp.
pub fn from_instant(ns: i64) -> Timestamp {
    Timestamp { seconds: ns.div_euclid(1_000_000_000), nanos: ns.rem_euclid(1_000_000_000) as u32, offset_seconds: 0 }
}

/// Where a bit of the wire's `facts` set lives in the model.
#[derive(Clone, Copy)]
enum Place {
    Corporate,
    Customer(CustomerFlags),
    Consent(ConsentFlags),
    Provider(ProviderFlags),
    Service(ServiceFlags),
    InstitutionAtFault,
}

impl Place {
    fn holds(self, r: &Request) -> bool {
        match self {
            Place::Corporate => r.segment == Segment::Corporate,
            Place::Customer(f) => r.customer.contains(f),
            Place::Consent(f) => r.consent.contains(f),
            Place::Provider(f) => r.provider.contains(f),
            Place::Service(f) => r.service.contains(f),
            Place::InstitutionAtFault => r.institution_at_fault,
        }
    }

    fn set(self, r: &mut Request) {
        match self {
            Place::Corporate => r.segment = Segment::Corporate,
            Place::Customer(f) => r.customer |= f,
            Place::Consent(f) => r.consent |= f,
            Place::Provider(f) => r.provider |= f,
            Place::Service(f) => r.service |= f,
            Place::InstitutionAtFault => r.institution_at_fault = true,
        }
    }
}

/// Every bit of `facts` but the channel's and the times' and its place in
/// the model: the one table both directions of the mapping read.
const FACTS: [(wit::Facts, Place); 11] = [
    (wit::Facts::CORPORATE, Place::Corporate),
    (wit::Facts::INTERNET_BANKING_CONTRACT, Place::Customer(CustomerFlags::INTERNET_BANKING_CONTRACT)),
    (wit::Facts::DIRECT_BANKING_REGISTERED, Place::Customer(CustomerFlags::DIRECT_BANKING_REGISTERED)),
    (wit::Facts::AGREED_TO_TERMS, Place::Consent(ConsentFlags::AGREED_TO_TERMS)),
    (wit::Facts::API_AUTH_COMPLETED, Place::Consent(ConsentFlags::API_AUTH_COMPLETED)),
    (wit::Facts::PROVIDER_DESIGNATED, Place::Provider(ProviderFlags::DESIGNATED)),
    (wit::Facts::PROVIDER_CONTRACT, Place::Provider(ProviderFlags::CONTRACT)),
    (wit::Facts::PROVIDER_VIA_CHAINED, Place::Provider(ProviderFlags::VIA_CHAINED)),
    (wit::Facts::INTERNET_BANKING_OPEN, Place::Service(ServiceFlags::INTERNET_BANKING_OPEN)),
    (wit::Facts::API_OPEN, Place::Service(ServiceFlags::API_OPEN)),
    (wit::Facts::INSTITUTION_AT_FAULT, Place::InstitutionAtFault),
];

/// The channel as the wire carries it: its bit of `facts`, and of
/// `extension-facts` for a declared channel.
fn channel_bits(c: ChannelRef) -> (wit::Facts, u64) {
    match c {
        ChannelRef::Core(Channel::InstitutionApi) => (wit::Facts::empty(), 0),
        ChannelRef::Core(Channel::AnserApi) => (wit::Facts::ANSER_CHANNEL, 0),
        ChannelRef::Extension(p) => (wit::Facts::OTHER_CHANNEL, if p < 64 { 1 << p } else { 0 }),
        ChannelRef::Undeclared => (wit::Facts::OTHER_CHANNEL, 0),
    }
}

/// The optional times of a request, each with the fact saying it is given:
/// the one table both directions read.
/// A time's fact, and how to read and write it in the model.
type TimeSlot = (wit::Facts, fn(&Request) -> Option<&Timestamp>, fn(&mut Request) -> &mut Option<Timestamp>);

const TIMES: [TimeSlot; 3] = [
    (wit::Facts::HAS_AUTHENTICATED_AT, |r| r.authenticated_at.as_ref(), |r| &mut r.authenticated_at),
    (wit::Facts::HAS_LAST_ACCESS_AT, |r| r.last_access_at.as_ref(), |r| &mut r.last_access_at),
    (wit::Facts::HAS_REGISTERED_AT, |r| r.registered_at.as_ref(), |r| &mut r.registered_at),
];

/// The request's yes/no facts as the one set the boundary carries,
/// including the channel and which optional times are given.
pub fn facts(r: &Request) -> wit::Facts {
    let set = FACTS.iter().filter(|(_, place)| place.holds(r)).fold(channel_bits(r.provider_channel).0, |set, (bit, _)| set | *bit);
    TIMES.iter().filter(|(_, get, _)| get(r).is_some()).fold(set, |set, (bit, _, _)| set | *bit)
}

/// The declared facts as the boundary carries them, with the bit of a
/// declared channel in use.
pub fn extension_facts(r: &Request) -> u64 {
    r.extension_facts | channel_bits(r.provider_channel).1
}

/// The optional times as the boundary carries them, in `TIMES` order: an
/// instant each (0 when not given), or `None` when one is out of range.
pub fn optional_instants(r: &Request) -> Option<[i64; 3]> {
    let mut out = [0; 3];
    for (slot, (_, get, _)) in out.iter_mut().zip(&TIMES) {
        if let Some(t) = get(r) {
            *slot = instant(t)?;
        }
    }
    Some(out)
}

/// The model of a request that crossed the boundary (in the component).
/// Times arrive as instants and come back as UTC timestamps.
pub fn from_wire(
    w: wit::Request,
    channels: u64,
    function: Option<FunctionRef>,
    incident_kind: Option<IncidentKindRef>,
    loss_event: Option<LossEventRef>,
) -> Request {
    // a declared channel's bit is the channel, not a fact
    let channel = if w.facts.contains(wit::Facts::ANSER_CHANNEL) {
        ChannelRef::Core(Channel::AnserApi)
    } else if w.facts.contains(wit::Facts::OTHER_CHANNEL) {
        match w.extension_facts & channels {
            0 => ChannelRef::Undeclared,
            bits => ChannelRef::Extension(bits.trailing_zeros() as u16),
        }
    } else {
        ChannelRef::Core(Channel::InstitutionApi)
    };
    let mut r = Request {
        at: from_instant(w.at),
        segment: Segment::Individual,
        customer: CustomerFlags::empty(),
        accounts: w.accounts,
        selected: w.selected,
        provider_id: w.provider_id,
        provider_channel: channel,
        provider: ProviderFlags::empty(),
        consent: ConsentFlags::empty(),
        authenticated_at: None,
        last_access_at: None,
        registered_at: None,
        authorized_functions: w.authorized_functions,
        service: ServiceFlags::empty(),
        extension_facts: w.extension_facts & !channels,
        extension_authorized: w.extension_authorized,
        function,
        incident_kind,
        loss_event,
        institution_at_fault: false,
    };
    for (bit, place) in FACTS {
        if w.facts.contains(bit) {
            place.set(&mut r);
        }
    }
    for ((bit, _, slot), ns) in TIMES.iter().zip([w.authenticated_at, w.last_access_at, w.registered_at]) {
        if w.facts.contains(*bit) {
            *slot(&mut r) = Some(from_instant(ns));
        }
    }
    r
}

/// The flat form of a request (guest-side tests; the host has its own
/// wasmtime types and mirrors this). `None` when a time is outside the
/// instant range.
pub fn to_wire(r: &Request) -> Option<wit::Request> {
    let [authenticated_at, last_access_at, registered_at] = optional_instants(r)?;
    Some(wit::Request {
        at: instant(&r.at)?,
        facts: facts(r),
        accounts: r.accounts.clone(),
        selected: r.selected.clone(),
        provider_id: r.provider_id.clone(),
        authenticated_at,
        last_access_at,
        registered_at,
        authorized_functions: r.authorized_functions,
        extension_facts: extension_facts(r),
        extension_authorized: r.extension_authorized,
    })
}

/// The asked-for terms as the boundary carries them, and back.
macro_rules! asked {
    ($to:ident, $from:ident, $model:ident, $wire:ident) => {
        /// The operation's subject as the boundary carries it.
        pub fn $to(x: Option<$model>) -> wit::$wire {
            match x {
                None => wit::$wire::None,
                Some($model::Core(c)) => wit::$wire::Core(c),
                Some($model::Extension(p)) => wit::$wire::Extension(p),
                Some($model::Undeclared) => wit::$wire::Undeclared,
            }
        }
        /// The operation's subject as it crossed the boundary.
        pub fn $from(x: wit::$wire) -> Option<$model> {
            match x {
                wit::$wire::None => None,
                wit::$wire::Core(c) => Some($model::Core(c)),
                wit::$wire::Extension(p) => Some($model::Extension(p)),
                wit::$wire::Undeclared => Some($model::Undeclared),
            }
        }
    };
}

asked!(function_to_wire, function_from_wire, FunctionRef, AskedFunction);
asked!(incident_kind_to_wire, incident_kind_from_wire, IncidentKindRef, AskedIncidentKind);
asked!(loss_event_to_wire, loss_event_from_wire, LossEventRef, AskedLossEvent);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::AccountFlags;
    use crate::types::AccountKind;

    /// Every fact survives the trip through the flat form, one at a time and
    /// all together; times come back as the same instants in UTC.
    #[test]
    fn the_flat_form_loses_nothing() {
        let mut base = crate::request::blank();
        base.at = Timestamp { seconds: 1_688_346_000, nanos: 123, offset_seconds: 9 * 3600 };
        base.authenticated_at = Some(Timestamp { seconds: 1_680_000_000, nanos: 5, offset_seconds: 0 });
        base.accounts = vec![Account { kind: KindRef::Core(AccountKind::Savings), flags: AccountFlags::CASH_CARD, extension_flags: 0b101 }];
        base.selected = vec![0, 0];
        base.provider_id = "mf".into();
        base.service = ServiceFlags::empty();
        let mut variants = vec![base.clone()];
        let mut every = base.clone();
        let mut with = |f: &dyn Fn(&mut Request)| {
            let mut r = base.clone();
            f(&mut r);
            f(&mut every);
            variants.push(r);
        };
        with(&|r| r.segment = Segment::Corporate);
        with(&|r| r.provider_channel = ChannelRef::Core(Channel::AnserApi));
        with(&|r| r.extension_facts |= 0b1001);
        with(&|r| r.extension_authorized |= 0b10);
        with(&|r| r.customer |= CustomerFlags::INTERNET_BANKING_CONTRACT);
        with(&|r| r.customer |= CustomerFlags::DIRECT_BANKING_REGISTERED);
        with(&|r| r.consent |= ConsentFlags::AGREED_TO_TERMS);
        with(&|r| r.consent |= ConsentFlags::API_AUTH_COMPLETED);
        with(&|r| r.provider |= ProviderFlags::DESIGNATED);
        with(&|r| r.provider |= ProviderFlags::CONTRACT);
        with(&|r| r.provider |= ProviderFlags::VIA_CHAINED);
        with(&|r| r.service |= ServiceFlags::INTERNET_BANKING_OPEN);
        with(&|r| r.service |= ServiceFlags::API_OPEN);
        with(&|r| r.institution_at_fault = true);
        with(&|r| r.last_access_at = Some(Timestamp { seconds: -5, nanos: 999_999_999, offset_seconds: 3600 }));
        with(&|r| r.registered_at = Some(Timestamp { seconds: 0, nanos: 0, offset_seconds: 0 }));
        variants.push(every);
        for r in variants {
            let back = from_wire(to_wire(&r).unwrap(), CHANNELS, r.function, r.incident_kind, r.loss_event);
            let utc = |t: &Timestamp| (instant(t), 0);
            assert_eq!(utc(&back.at), (instant(&r.at), back.at.offset_seconds));
            assert_eq!(back.last_access_at.as_ref().map(instant), r.last_access_at.as_ref().map(instant));
            let strip = |mut x: Request| {
                x.at = Timestamp { offset_seconds: 0, ..from_instant(instant(&x.at).unwrap()) };
                x.authenticated_at = x.authenticated_at.map(|t| from_instant(instant(&t).unwrap()));
                x.last_access_at = x.last_access_at.map(|t| from_instant(instant(&t).unwrap()));
                x.registered_at = x.registered_at.map(|t| from_instant(instant(&t).unwrap()));
                x
            };
            assert_eq!(back, strip(r));
        }
        let far = Timestamp { seconds: 10_000_000_000_000, nanos: 0, offset_seconds: 0 };
        assert_eq!(instant(&far), None);
    }

    /// Positions 1 and 2 of the facts numbering are channels here.
    const CHANNELS: u64 = 0b110;

    /// A declared channel travels as `other-channel` and its bit; one the
    /// variant does not declare as `other-channel` alone; neither becomes a
    /// fact.
    #[test]
    fn channels_cross_as_facts_and_come_back_as_channels() {
        for channel in [ChannelRef::Extension(2), ChannelRef::Undeclared, ChannelRef::Core(Channel::InstitutionApi)] {
            let mut r = crate::request::blank();
            r.extension_facts = 0b1;
            r.provider_channel = channel;
            let w = to_wire(&r).unwrap();
            assert_eq!(w.facts.contains(wit::Facts::OTHER_CHANNEL), !matches!(channel, ChannelRef::Core(_)));
            let back = from_wire(w, CHANNELS, None, None, None);
            assert_eq!((back.provider_channel, back.extension_facts), (channel, 0b1));
        }
    }

    #[test]
    fn asked_terms_cross_and_come_back() {
        for f in [None, Some(FunctionRef::Core(Function::Balance)), Some(FunctionRef::Extension(3)), Some(FunctionRef::Undeclared)] {
            assert_eq!(function_from_wire(function_to_wire(f)), f);
        }
    }
}
