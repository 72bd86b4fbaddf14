//! Small constant sets over the contract's vocabulary, usable in `static`
//! tables: core values as bits, and a variant's declared terms
//! ([`TermId`](crate::term::TermId)) as bits by their position.

use crate::model::{ChannelRef, FunctionRef, IncidentKindRef};
use crate::term::{TermId, TermKind};
use crate::types::{AccountKind, Channel, Function, IncidentKind, KindRef};

/// The bits of `terms` (all of kind `kind`), by position; a term of another
/// kind is a compile error where the set is built in a `const`.
#[allow(clippy::panic, reason = "const evaluation: the panic is a compile error in the variant crate, naming the fault")]
const fn term_bits(terms: &[TermId], kind: TermKind) -> u64 {
    let mut bits = 0u64;
    let mut i = 0;
    while i < terms.len() {
        if terms[i].kind as u8 != kind as u8 {
            panic!("a set of terms names a term of another kind");
        }
        bits |= 1 << terms[i].position;
        i += 1;
    }
    bits
}

/// A set of account kinds: core kinds, and declared ones by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindSet {
    core: u8,
    extension: u32,
}

impl KindSet {
    /// Every core kind (a declared kind is named where it is meant).
    pub const ALL: KindSet = KindSet { core: 0b11_1111, extension: 0 };

    /// The set of the given core kinds.
    pub const fn of(kinds: &[AccountKind]) -> Self {
        let mut core = 0u8;
        let mut i = 0;
        while i < kinds.len() {
            core |= 1 << (kinds[i] as u8);
            i += 1;
        }
        KindSet { core, extension: 0 }
    }

    /// ... and the given declared kinds ([`Term::account_kind`](crate::term::Term::account_kind)).
    pub const fn and(self, kinds: &[TermId]) -> Self {
        KindSet { extension: self.extension | term_bits(kinds, TermKind::AccountKind) as u32, ..self }
    }

    /// Whether a core kind is in the set.
    pub const fn contains(self, kind: AccountKind) -> bool {
        self.core & (1 << (kind as u8)) != 0
    }

    /// Whether an account's kind is in the set (a kind the variant does not
    /// declare never is).
    pub const fn holds(self, kind: KindRef) -> bool {
        match kind {
            KindRef::Core(k) => self.contains(k),
            KindRef::Extension(p) => p < 32 && self.extension & (1 << p) != 0,
            KindRef::Undeclared => false,
        }
    }

    /// The positions of the declared kinds in the set, as bits.
    pub const fn declared_bits(self) -> u64 {
        self.extension as u64
    }

    /// Whether the two sets share a kind.
    pub const fn intersects(self, other: KindSet) -> bool {
        self.core & other.core != 0 || self.extension & other.extension != 0
    }

    /// The core kinds in the set, in the contract's order.
    pub fn iter(self) -> impl Iterator<Item = AccountKind> {
        AccountKind::ALL.into_iter().filter(move |k| self.contains(*k))
    }
}

/// A set of channels: the core channels, and declared ones by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelSet {
    core: u8,
    extension: u64,
}

impl ChannelSet {
    /// Both core channels (a declared channel is named where it is meant).
    pub const ALL: ChannelSet = ChannelSet { core: 0b11, extension: 0 };

    /// The set of the given core channels.
    pub const fn of(channels: &[Channel]) -> Self {
        let mut core = 0u8;
        let mut i = 0;
        while i < channels.len() {
            core |= 1 << (channels[i] as u8);
            i += 1;
        }
        ChannelSet { core, extension: 0 }
    }

    /// ... and the given declared channels ([`Term::channel`](crate::term::Term::channel)).
    pub const fn and(self, channels: &[TermId]) -> Self {
        ChannelSet { extension: self.extension | term_bits(channels, TermKind::Channel), ..self }
    }

    /// Whether a core channel is in the set.
    pub const fn contains(self, channel: Channel) -> bool {
        self.core & (1 << (channel as u8)) != 0
    }

    /// The positions of the declared channels in the set, as bits.
    pub const fn declared_bits(self) -> u64 {
        self.extension
    }

    /// Whether the request's channel is in the set (a channel the variant
    /// does not declare never is).
    pub const fn holds(self, channel: ChannelRef) -> bool {
        match channel {
            ChannelRef::Core(c) => self.contains(c),
            ChannelRef::Extension(p) => p < 64 && self.extension & (1 << p) != 0,
            ChannelRef::Undeclared => false,
        }
    }
}

/// A set of functions: core functions, and declared ones by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunctionList {
    core: u8,
    extension: u32,
}

impl FunctionList {
    /// The given core functions.
    pub const fn of(functions: &[Function]) -> Self {
        let mut core = 0u8;
        let mut i = 0;
        while i < functions.len() {
            core |= 1 << (functions[i] as u8);
            i += 1;
        }
        FunctionList { core, extension: 0 }
    }

    /// The given declared functions ([`Term::function`](crate::term::Term::function)).
    pub const fn declared(functions: &[TermId]) -> Self {
        FunctionList { core: 0, extension: term_bits(functions, TermKind::Function) as u32 }
    }

    /// Whether a function is in the list.
    pub const fn holds(self, function: FunctionRef) -> bool {
        match function {
            FunctionRef::Core(f) => self.core & (1 << (f as u8)) != 0,
            FunctionRef::Extension(p) => p < 32 && self.extension & (1 << p) != 0,
            FunctionRef::Undeclared => false,
        }
    }

    /// The positions of the declared functions in the list, as bits.
    pub const fn declared_bits(self) -> u64 {
        self.extension as u64
    }

    /// The core functions in the list, as bits (`1 << Function as u8`).
    pub const fn core_bits(self) -> u8 {
        self.core
    }

    /// Whether the two lists share a function.
    pub const fn intersects(self, other: FunctionList) -> bool {
        self.core & other.core != 0 || self.extension & other.extension != 0
    }

    /// Each function of the list, one at a time.
    pub fn each(self) -> impl Iterator<Item = FunctionRef> {
        let core = Function::ALL.into_iter().filter(move |f| self.core & (1 << (*f as u8)) != 0).map(FunctionRef::Core);
        let extension = (0..32u16).filter(move |p| self.extension & (1 << p) != 0).map(FunctionRef::Extension);
        core.chain(extension)
    }
}

/// A set of incident kinds: core kinds, and declared ones by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IncidentSet {
    core: u8,
    extension: u64,
}

impl IncidentSet {
    /// The given core kinds.
    pub const fn of(kinds: &[IncidentKind]) -> Self {
        let mut core = 0u8;
        let mut i = 0;
        while i < kinds.len() {
            core |= 1 << (kinds[i] as u8);
            i += 1;
        }
        IncidentSet { core, extension: 0 }
    }

    /// ... and the given declared kinds ([`Term::incident_kind`](crate::term::Term::incident_kind)).
    pub const fn and(self, kinds: &[TermId]) -> Self {
        IncidentSet { extension: self.extension | term_bits(kinds, TermKind::IncidentKind), ..self }
    }

    /// The positions of the declared kinds in the set, as bits.
    pub const fn declared_bits(self) -> u64 {
        self.extension
    }

    /// Whether the incident asked about is in the set.
    pub const fn holds(self, kind: IncidentKindRef) -> bool {
        match kind {
            IncidentKindRef::Core(k) => self.core & (1 << (k as u8)) != 0,
            IncidentKindRef::Extension(p) => p < 64 && self.extension & (1 << p) != 0,
            IncidentKindRef::Undeclared => false,
        }
    }
}
