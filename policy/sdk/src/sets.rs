//! Small constant sets over the contract's enums, usable in `static` tables.

use crate::types::{AccountKind, Channel, Function};

/// A set of account kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindSet(u8);

impl KindSet {
    pub const ALL: KindSet = KindSet(0b11_1111);

    /// The set of the given kinds.
    pub const fn of(kinds: &[AccountKind]) -> Self {
        let mut bits = 0u8;
        let mut i = 0;
        while i < kinds.len() {
            bits |= 1 << (kinds[i] as u8);
            i += 1;
        }
        KindSet(bits)
    }
    pub const fn contains(self, kind: AccountKind) -> bool {
        self.0 & (1 << (kind as u8)) != 0
    }
    /// The kinds in the set, in the contract's order.
    pub fn iter(self) -> impl Iterator<Item = AccountKind> {
        AccountKind::ALL.into_iter().filter(move |k| self.contains(*k))
    }
}

/// A set of channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelSet(u8);

impl ChannelSet {
    pub const ALL: ChannelSet = ChannelSet(0b11);

    pub const fn of(channels: &[Channel]) -> Self {
        let mut bits = 0u8;
        let mut i = 0;
        while i < channels.len() {
            bits |= 1 << (channels[i] as u8);
            i += 1;
        }
        ChannelSet(bits)
    }
    pub const fn contains(self, channel: Channel) -> bool {
        self.0 & (1 << (channel as u8)) != 0
    }
}

/// A list of functions, for tables that name several at once.
pub type FunctionList = &'static [Function];
