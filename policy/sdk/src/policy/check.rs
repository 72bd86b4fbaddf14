//! The consistency check of a variant's tables, evaluable at compile time.
//!
//! Types cannot say that a table cites a rule of its own sheet, or that an
//! account kind is listed once. [`Policy::consistency`] checks that, as a
//! `const fn`, and [`export_policy!`](crate::export_policy) asserts it in a
//! `const` item: a variant whose tables contradict themselves does not build,
//! natively or for wasm32.

use core::fmt;

use crate::model::LossEventRef;
use crate::policy::{AccountNeeds, Fact, PeriodSetting, Policy, RulingRef, Scope};
use crate::rule::RuleId;
use crate::settings::SettingName;
use crate::term::{self, TermId, TermKind};
use crate::types::{AccountFlags, AccountKind, Channel, Function, IncidentKind, LiabilityRuling, LossEvent, Party, Segment};

/// A mistake in a variant's tables that the types cannot catch. Entries are
/// named by their index in their table, as they appear in the variant's file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TableError {
    /// A table cites a rule id past the end of the sheet.
    RuleOutOfRange { rule: RuleId, rules: usize },
    /// `accounts.entries[second]` lists an account kind `accounts.entries[first]` already lists.
    KindListedTwice { first: usize, second: usize },
    /// `liability[entry]` names a party `parties` does not list.
    PartyNotListed { entry: usize },
    /// `liability[entry]` names no party.
    NoParty { entry: usize },
    /// `liability[second]` rules for an event and party `liability[first]` already rules for.
    PartyRuledTwice { first: usize, second: usize },
    /// `liability[entry]` cites no rule.
    NoRuleCited { entry: usize },
    /// `token[period]` reads a setting `settings` does not list.
    SettingNotListed { period: usize, setting: SettingName },
    /// `functions.entries[entry]` is the first to offer a function on
    /// accounts only, and names no rule for a request with no account.
    NoAccountRuleMissing { entry: usize },
    /// `functions.entries[entry]`'s `no_account` rule does not answer with
    /// the code `no_account_selected`.
    NoAccountCode { entry: usize },
    /// A declared term's wire name is not snake_case.
    TermNotSnakeCase { name: &'static str },
    /// A declared term's wire name is a core term's (or a request field's).
    TermClashesWithCore { name: &'static str },
    /// Two declared terms share a wire name.
    TermDeclaredTwice { name: &'static str },
    /// A declared term no table uses.
    TermUnused { name: &'static str },
    /// A table names a term of another kind where it wants one kind (a
    /// channel where a fact goes, …), or one past the declared terms.
    TermMisplaced { position: u16 },
    /// More terms of one kind than the wire carries.
    TooManyTerms { name: &'static str },
}

impl TableError {
    /// Writes the message (lowercase, no final period) into `m`.
    const fn write(&self, m: &mut Message) {
        match *self {
            TableError::RuleOutOfRange { rule, rules } => {
                m.push("a table cites rule id ");
                m.push_num(rule.0 as usize);
                m.push(", past the end of the sheet (");
                m.push_num(rules);
                m.push(" rules)");
            }
            TableError::KindListedTwice { first, second } => {
                m.push("`accounts.entries[");
                m.push_num(second);
                m.push("]` lists an account kind `accounts.entries[");
                m.push_num(first);
                m.push("]` already lists");
            }
            TableError::PartyNotListed { entry } => {
                m.push("`liability[");
                m.push_num(entry);
                m.push("]` names a party `parties` does not list");
            }
            TableError::NoParty { entry } => {
                m.push("`liability[");
                m.push_num(entry);
                m.push("]` names no party");
            }
            TableError::PartyRuledTwice { first, second } => {
                m.push("`liability[");
                m.push_num(second);
                m.push("]` rules for an event and party `liability[");
                m.push_num(first);
                m.push("]` already rules for");
            }
            TableError::NoRuleCited { entry } => {
                m.push("`liability[");
                m.push_num(entry);
                m.push("]` cites no rule");
            }
            TableError::SettingNotListed { period, setting } => {
                m.push("`token[");
                m.push_num(period);
                m.push("]` reads setting `");
                m.push(setting.name());
                m.push("`, which `settings` does not list");
            }
            TableError::NoAccountRuleMissing { entry } => {
                m.push("`functions.entries[");
                m.push_num(entry);
                m.push("]` offers a function on accounts and names no rule for a request with no account (`.no_account(rule)`)");
            }
            TableError::NoAccountCode { entry } => {
                m.push("`functions.entries[");
                m.push_num(entry);
                m.push("]`'s `no_account` rule must answer with the code `no_account_selected` when not met");
            }
            TableError::TermNotSnakeCase { name } => {
                m.push("declared term `");
                m.push(name);
                m.push("` is not snake_case (lowercase letters, digits, single underscores)");
            }
            TableError::TermClashesWithCore { name } => {
                m.push("declared term `");
                m.push(name);
                m.push("` is a core term's name: use the core term, or name it apart");
            }
            TableError::TermDeclaredTwice { name } => {
                m.push("term `");
                m.push(name);
                m.push("` is declared twice");
            }
            TableError::TermUnused { name } => {
                m.push("declared term `");
                m.push(name);
                m.push("` is used by no table: use it, or remove it");
            }
            TableError::TermMisplaced { position } => {
                m.push("a table names the term at position ");
                m.push_num(position as usize);
                m.push(" where a term of another kind belongs, or one not declared");
            }
            TableError::TooManyTerms { name } => {
                m.push("too many terms of the kind of `");
                m.push(name);
                m.push("`: facts and channels share 64 positions, account flags and functions 32 each, others 64");
            }
        }
    }
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = Message::new();
        self.write(&mut m);
        f.write_str(m.as_str())
    }
}

impl std::error::Error for TableError {}

/// Panics, with a message naming the variant and the entry at fault, when
/// `policy`'s tables are inconsistent. [`export_policy!`](crate::export_policy)
/// calls it in a `const` item, which turns the panic into a compile error.
pub const fn assert_consistent(policy: &Policy) {
    assert_consistent_at(policy, "", 0);
}

/// [`assert_consistent`], the message starting with where the policy is
/// exported (`src/lib.rs:120: `): [`export_policy!`](crate::export_policy)
/// passes its own `file!()` and `line!()`, so the message that reaches the
/// author names the crate's file beside the entry or term at fault, however
/// the compiler's output is relayed. An empty `file` leaves the place out.
#[allow(clippy::panic, reason = "const evaluation: the panic is a compile error in the variant crate, naming the fault")]
pub const fn assert_consistent_at(policy: &Policy, file: &str, line: u32) {
    if let Err(e) = policy.consistency() {
        let mut m = Message::new();
        if !file.is_empty() {
            m.push(file);
            m.push(":");
            m.push_num(line as usize);
            m.push(": ");
        }
        m.push("inconsistent policy `");
        m.push(policy.meta.variant);
        m.push("`: ");
        e.write(&mut m);
        panic!("{}", m.as_str());
    }
}

impl Policy {
    /// The `k`th rule id the tables cite, counting repeats, in the order of
    /// the fields of [`Policy`]; `None` past the last. The one walk over the
    /// tables, shared by [`consistency`](Self::consistency) and
    /// [`referenced`](Self::referenced).
    // the last `id!` counts one past the end
    #[allow(unused_assignments)]
    pub const fn cited(&self, k: usize) -> Option<RuleId> {
        let mut seen = 0;
        // yields `$id` if it is the `k`th
        macro_rules! id {
            ($id:expr) => {{
                if seen == k {
                    return Some($id);
                }
                seen += 1;
            }};
        }
        macro_rules! opt {
            ($id:expr) => {
                if let Some(id) = $id {
                    id!(id)
                }
            };
        }
        macro_rules! each {
            ($slice:expr, |$x:ident| $body:block) => {{
                let slice = $slice;
                let mut i = 0;
                while i < slice.len() {
                    let $x = &slice[i];
                    $body
                    i += 1;
                }
            }};
        }
        id!(self.gap);
        each!(self.terms, |t| { id!(t.rule) });
        each!(self.eligibility, |c| { id!(c.rule) });
        opt!(self.lapse);
        id!(self.accounts.unlisted);
        each!(self.accounts.notes, |r| { id!(*r) });
        each!(self.accounts.entries, |e| {
            id!(e.rule);
            opt!(e.needs_rule);
        });
        id!(self.functions.unlisted);
        opt!(self.functions.uncovered);
        each!(self.functions.entries, |e| {
            id!(e.rule);
            opt!(e.consent);
            opt!(e.no_account);
        });
        if let Some(w) = &self.window {
            id!(w.rule);
        }
        each!(self.token, |p| {
            id!(p.rule);
            id!(p.length_rule);
            opt!(p.override_rule);
        });
        each!(self.liability, |e| {
            each!(e.rules, |r| { id!(*r) });
            opt!(e.in_some_cases);
            each!(e.at_fault_reading, |r| { id!(*r) });
        });
        each!(self.disclosure.entries, |e| {
            id!(e.rule);
            opt!(e.also);
        });
        id!(self.disclosure.otherwise_rule);
        each!(self.disclosure.otherwise_also, |r| { id!(*r) });
        opt!(self.chained);
        each!(self.chained_provision, |r| { id!(*r) });
        each!(self.provider_rows, |row| { id!(row.rule) });
        opt!(self.provider_setting);
        each!(self.suspension.entries, |e| {
            id!(e.rule);
            opt!(e.also);
        });
        id!(self.suspension.otherwise_rule);
        each!(self.suspension.otherwise_also, |r| { id!(*r) });
        None
    }

    /// Every rule id the tables reference, sorted, once each (for checks
    /// that the sheet is complete).
    pub fn referenced(&self) -> Vec<RuleId> {
        let mut ids: Vec<RuleId> = (0..).map_while(|k| self.cited(k)).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Checks the tables for mistakes a compiler cannot see: a rule id out
    /// of range, two entries for one account kind, a liability entry for no
    /// party, for a party not listed or already ruled for on its event, or
    /// citing no rule, a token period reading a setting not listed. A `const fn`: [`export_policy!`](crate::export_policy)
    /// runs it at compile time.
    ///
    /// # Errors
    /// The first problem found.
    pub const fn consistency(&self) -> Result<(), TableError> {
        let rules = self.rules.len();
        let mut k = 0;
        while let Some(rule) = self.cited(k) {
            if rule.0 as usize >= rules {
                return Err(TableError::RuleOutOfRange { rule, rules });
            }
            k += 1;
        }
        let entries = self.accounts.entries;
        let mut second = 0;
        while second < entries.len() {
            let mut first = 0;
            while first < second {
                if entries[first].kinds.intersects(entries[second].kinds) {
                    return Err(TableError::KindListedTwice { first, second });
                }
                first += 1;
            }
            second += 1;
        }
        let liability = self.liability;
        let mut entry = 0;
        while entry < liability.len() {
            let e = &liability[entry];
            if e.parties.is_empty() {
                return Err(TableError::NoParty { entry });
            }
            let mut p = 0;
            while p < e.parties.len() {
                if !lists_party(self.parties, e.parties[p]) {
                    return Err(TableError::PartyNotListed { entry });
                }
                let mut first = 0;
                while first < entry {
                    let earlier = &liability[first];
                    if same_event(earlier.event, e.event) && lists_party(earlier.parties, e.parties[p]) {
                        return Err(TableError::PartyRuledTwice { first, second: entry });
                    }
                    first += 1;
                }
                p += 1;
            }
            if e.rules.is_empty() {
                return Err(TableError::NoRuleCited { entry });
            }
            entry += 1;
        }
        let mut period = 0;
        while period < self.token.len() {
            if let PeriodSetting::Core(setting) = self.token[period].setting
                && !lists_setting(self.settings, setting)
            {
                return Err(TableError::SettingNotListed { period, setting });
            }
            period += 1;
        }
        if let Err(e) = self.no_account_rules() {
            return Err(e);
        }
        self.terms_check()
    }

    /// Every function offered on accounts only names, on its first entry,
    /// the rule that denies it with no account selected (code
    /// `no_account_selected`).
    const fn no_account_rules(&self) -> Result<(), TableError> {
        let entries = self.functions.entries;
        let mut entry = 0;
        while entry < entries.len() {
            let e = &entries[entry];
            // each function of the entry, one bit at a time: core ones in
            // the low byte, declared ones above it
            let mut f = 0;
            while f < 8 + 32 {
                if !function_bit(e.functions, f) {
                    f += 1;
                    continue;
                }
                let (mut first, mut customer, mut i) = (None, false, 0);
                while i < entries.len() {
                    if function_bit(entries[i].functions, f) {
                        if first.is_none() {
                            first = Some(i);
                        }
                        customer |= matches!(entries[i].scope, Scope::Customer);
                    }
                    i += 1;
                }
                if !customer && matches!(first, Some(first) if first == entry) {
                    match e.no_account {
                        None => return Err(TableError::NoAccountRuleMissing { entry }),
                        Some(rule) if (rule.0 as usize) < self.rules.len() => {
                            if !same_str(self.rules[rule.0 as usize].code_unmet, "no_account_selected") {
                                return Err(TableError::NoAccountCode { entry });
                            }
                        }
                        Some(_) => {} // out of range: reported above
                    }
                }
                f += 1;
            }
            entry += 1;
        }
        Ok(())
    }

    /// The declared terms: snake_case names, none a core name, none twice,
    /// each used by a table, each kind within what the wire carries, and
    /// every table naming a term of the kind it wants.
    const fn terms_check(&self) -> Result<(), TableError> {
        let terms = self.terms;
        let mut i = 0;
        while i < terms.len() {
            let t = &terms[i];
            if !term::is_snake_case(t.name) {
                return Err(TableError::TermNotSnakeCase { name: t.name });
            }
            if is_core_name(t.name) {
                return Err(TableError::TermClashesWithCore { name: t.name });
            }
            let mut j = 0;
            while j < i {
                if same_str(terms[j].name, t.name) {
                    return Err(TableError::TermDeclaredTwice { name: t.name });
                }
                j += 1;
            }
            let id = term::id(terms, i);
            if id.position as usize >= term::capacity(t.kind) || id.position >= 64 {
                return Err(TableError::TooManyTerms { name: t.name });
            }
            i += 1;
        }
        // what the tables name, per kind: a bit per position
        let mut used = [0u64; 13];
        let mut k = 0;
        while let Some(id) = self.term_used(k) {
            let known = (id.position as usize) < count(terms, id.kind);
            if !known {
                return Err(TableError::TermMisplaced { position: id.position });
            }
            used[id.kind as usize] |= 1 << id.position;
            k += 1;
        }
        let mut i = 0;
        while i < terms.len() {
            let id = term::id(terms, i);
            if used[id.kind as usize] & (1 << id.position) == 0 {
                return Err(TableError::TermUnused { name: terms[i].name });
            }
            i += 1;
        }
        Ok(())
    }

    /// The `k`th declared term the tables name, counting repeats; `None`
    /// past the last. Sets carry positions only: each is named with the
    /// kind the set is of.
    #[allow(unused_assignments)]
    const fn term_used(&self, k: usize) -> Option<TermId> {
        let mut seen = 0;
        macro_rules! term {
            ($id:expr) => {{
                if seen == k {
                    return Some($id);
                }
                seen += 1;
            }};
        }
        macro_rules! bits {
            ($bits:expr, $kind:expr) => {{
                let bits: u64 = $bits;
                let mut p = 0;
                while p < 64 {
                    if bits & (1 << p) != 0 {
                        term!(TermId { kind: $kind, position: p as u16 });
                    }
                    p += 1;
                }
            }};
        }
        macro_rules! each {
            ($slice:expr, |$x:ident| $body:block) => {{
                let slice = $slice;
                let mut i = 0;
                while i < slice.len() {
                    let $x = &slice[i];
                    $body
                    i += 1;
                }
            }};
        }
        // facts, possibly nested in All / Any (two levels, as tables write them)
        each!(self.eligibility, |c| {
            match c.fact {
                Fact::Declared(t) => term!(t),
                Fact::All(fs) | Fact::Any(fs) => each!(fs, |f| {
                    match f {
                        Fact::Declared(t) => term!(*t),
                        Fact::All(gs) | Fact::Any(gs) => each!(*gs, |g| {
                            if let Fact::Declared(t) = g {
                                term!(*t)
                            }
                        }),
                        Fact::HoldsAccount { kinds, needs } => {
                            bits!(kinds.declared_bits(), TermKind::AccountKind);
                            if let AccountNeeds::Declared(t) = needs {
                                term!(*t)
                            }
                        }
                        _ => {}
                    }
                }),
                Fact::HoldsAccount { kinds, needs } => {
                    bits!(kinds.declared_bits(), TermKind::AccountKind);
                    if let AccountNeeds::Declared(t) = needs {
                        term!(t)
                    }
                }
                _ => {}
            }
        });
        each!(self.accounts.entries, |e| {
            bits!(e.kinds.declared_bits(), TermKind::AccountKind);
            bits!(e.channels.declared_bits(), TermKind::Channel);
            if let AccountNeeds::Declared(t) = e.needs {
                term!(t)
            }
        });
        each!(self.functions.entries, |e| {
            bits!(e.functions.declared_bits(), TermKind::Function);
            if let Scope::Accounts(kinds) = e.scope {
                bits!(kinds.declared_bits(), TermKind::AccountKind);
            }
        });
        each!(self.token, |p| {
            if let PeriodSetting::Declared(t) = p.setting {
                term!(t)
            }
        });
        each!(self.defaults.declared, |d| { term!(d.0) });
        each!(self.declared_parties, |t| { term!(*t) });
        each!(self.liability, |e| {
            if let LossEventRef::Extension(position) = e.event {
                term!(TermId { kind: TermKind::LossEvent, position })
            }
            each!(e.declared_parties, |t| { term!(*t) });
            if let RulingRef::Declared(t) = e.ruling {
                term!(t)
            }
            if let Some(RulingRef::Declared(t)) = e.at_fault_ruling {
                term!(t)
            }
        });
        each!(self.disclosure.entries, |e| { bits!(e.kinds.declared_bits(), TermKind::IncidentKind) });
        each!(self.suspension.entries, |e| { bits!(e.kinds.declared_bits(), TermKind::IncidentKind) });
        None
    }

    /// [`consistency`](Self::consistency) as a message naming the variant.
    /// Variant crates need not call it: [`export_policy!`](crate::export_policy)
    /// already asserts the check when the crate builds.
    ///
    /// # Errors
    /// A message naming the variant and the first problem found.
    pub fn check(&self) -> Result<(), String> {
        self.consistency().map_err(|e| format!("inconsistent policy `{}`: {e}", self.meta.variant))
    }
}

/// `parties` lists `party` (`PartialEq` is not `const`).
const fn lists_party(parties: &[Party], party: Party) -> bool {
    let mut i = 0;
    while i < parties.len() {
        if parties[i] as u8 == party as u8 {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether bit `f` of a function list is set: core functions are bits 0–7,
/// declared ones 8 onwards.
const fn function_bit(list: crate::sets::FunctionList, f: usize) -> bool {
    if f < 8 { list.core_bits() as u64 & (1 << f) != 0 } else { list.declared_bits() & (1 << (f - 8)) != 0 }
}

/// How many terms of `kind` (in its numbering) are declared.
const fn count(terms: &[crate::term::Term], kind: TermKind) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < terms.len() {
        if term::space(terms[i].kind) == term::space(kind) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The positions of the declared channels among the declared facts, as
/// bits: which bits of a request's `extension-facts` name its channel.
pub const fn channel_positions(policy: &Policy) -> u64 {
    let mut bits = 0u64;
    let mut i = 0;
    while i < policy.terms.len() {
        if policy.terms[i].kind as u8 == TermKind::Channel as u8 {
            let id = term::id(policy.terms, i);
            if id.position < 64 {
                bits |= 1 << id.position;
            }
        }
        i += 1;
    }
    bits
}

const fn same_event(a: LossEventRef, b: LossEventRef) -> bool {
    match (a, b) {
        (LossEventRef::Core(x), LossEventRef::Core(y)) => x as u8 == y as u8,
        (LossEventRef::Extension(x), LossEventRef::Extension(y)) => x == y,
        (LossEventRef::Undeclared, LossEventRef::Undeclared) => true,
        _ => false,
    }
}

/// The wire names a declared term may not take: every core value and flag,
/// every setting, and the fields of an account object (declared account
/// flags are written beside them).
const fn is_core_name(name: &str) -> bool {
    const CAMEL: &[&[&str]] = &[
        &AccountKind::NAMES,
        &Function::NAMES,
        &IncidentKind::NAMES,
        &LossEvent::NAMES,
        &Party::NAMES,
        &LiabilityRuling::NAMES,
        &Segment::NAMES,
        &Channel::NAMES,
    ];
    const SCREAMING: &[&[&str]] = &[&AccountFlags::NAMES, &["ID", "KIND", "FACTS"]];
    let mut i = 0;
    while i < CAMEL.len() {
        let mut j = 0;
        while j < CAMEL[i].len() {
            if camel_is(CAMEL[i][j], name) {
                return true;
            }
            j += 1;
        }
        i += 1;
    }
    let mut i = 0;
    while i < SCREAMING.len() {
        let mut j = 0;
        while j < SCREAMING[i].len() {
            if screaming_is(SCREAMING[i][j], name) {
                return true;
            }
            j += 1;
        }
        i += 1;
    }
    let mut i = 0;
    while i < SettingName::ALL.len() {
        if same_str(SettingName::ALL[i].name(), name) {
            return true;
        }
        i += 1;
    }
    false
}

/// `CardLoan` is `card_loan`.
const fn camel_is(camel: &str, snake: &str) -> bool {
    let (c, s) = (camel.as_bytes(), snake.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < c.len() {
        if c[i].is_ascii_uppercase() && i > 0 {
            if j >= s.len() || s[j] != b'_' {
                return false;
            }
            j += 1;
        }
        if j >= s.len() || s[j] != c[i].to_ascii_lowercase() {
            return false;
        }
        i += 1;
        j += 1;
    }
    j == s.len()
}

/// `CASH_CARD` is `cash_card`.
const fn screaming_is(screaming: &str, snake: &str) -> bool {
    let (c, s) = (screaming.as_bytes(), snake.as_bytes());
    if c.len() != s.len() {
        return false;
    }
    let mut i = 0;
    while i < c.len() {
        if c[i].to_ascii_lowercase() != s[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `a == b` for `&str` (`PartialEq` is not `const`).
const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `settings` lists `setting` (`PartialEq` is not `const`).
const fn lists_setting(settings: &[SettingName], setting: SettingName) -> bool {
    let mut i = 0;
    while i < settings.len() {
        if settings[i] as u8 == setting as u8 {
            return true;
        }
        i += 1;
    }
    false
}

/// A message built in a `const fn`: a const panic takes one `&str`, so the
/// numbers are written into a buffer first. What does not fit is dropped.
struct Message {
    buf: [u8; 512],
    len: usize,
}

impl Message {
    const fn new() -> Self {
        Message { buf: [0; 512], len: 0 }
    }

    const fn push(&mut self, s: &str) {
        let bytes = s.as_bytes();
        if self.len + bytes.len() > self.buf.len() {
            return;
        }
        let mut i = 0;
        while i < bytes.len() {
            self.buf[self.len + i] = bytes[i];
            i += 1;
        }
        self.len += bytes.len();
    }

    const fn push_num(&mut self, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if let Ok(s) = core::str::from_utf8(digits.split_at(start).1) {
            self.push(s);
        }
    }

    const fn as_str(&self) -> &str {
        // only whole `&str`s are pushed, so the prefix is valid UTF-8
        match core::str::from_utf8(self.buf.split_at(self.len).0) {
            Ok(s) => s,
            Err(_) => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    crate::rules! {
        R_1 = Rule::verbatim(Clause::article(1), "第一条の文");
        GAP = Rule::gap();
    }

    const META: Meta = crate::testing::TEST_META;

    const GOOD: Policy = Policy {
        settings: &[SettingName::ReauthAfterDays],
        accounts: Accounts { entries: &[AccountEntry::kind(AccountKind::Ordinary, ChannelSet::ALL, R_1)], unlisted: R_1, notes: &[] },
        token: &[Period::new(SettingName::ReauthAfterDays, Clock::SinceAuthentication, R_1, GAP)],
        liability: &[LiabilityEntry::institution(LossEvent::TermsChange, LiabilityRuling::NotLiable, &[R_1])],
        ..Policy::empty(META, RULES, GAP)
    };

    // the check runs at compile time: a consistent policy passes here
    const _: () = assert_consistent(&GOOD);

    /// (That `GOOD` is consistent is the `const _` above: it would not compile otherwise.)
    #[test]
    fn referenced_lists_each_rule_a_table_cites() {
        assert_eq!(GOOD.referenced(), [R_1, GAP]);
    }

    #[test]
    fn each_inconsistency_is_caught_in_a_const_context() {
        const OUT_OF_RANGE: Policy = Policy { lapse: Some(RuleId(7)), ..GOOD };
        const KIND_TWICE: Policy = Policy {
            accounts: Accounts {
                entries: &[
                    AccountEntry::kinds(kinds(&[AccountKind::Savings, AccountKind::Ordinary]), ChannelSet::ALL, R_1),
                    AccountEntry::kind(AccountKind::Current, ChannelSet::ALL, R_1),
                    AccountEntry::kind(AccountKind::Ordinary, ChannelSet::ALL, R_1),
                ],
                ..GOOD.accounts
            },
            ..GOOD
        };
        const PARTY: Policy = Policy { parties: &[Party::Provider], ..GOOD };
        const NO_RULE: Policy = Policy { liability: &[LiabilityEntry::institution(LossEvent::TermsChange, LiabilityRuling::NotLiable, &[])], ..GOOD };
        const SETTING: Policy = Policy { settings: &[SettingName::InactivityDays], ..GOOD };
        const NO_PARTY: Policy = Policy { liability: &[LiabilityEntry::new(LossEvent::TermsChange, &[], LiabilityRuling::NotLiable, &[R_1])], ..GOOD };
        const TWICE: Policy = Policy {
            liability: &[
                LiabilityEntry::new(LossEvent::TermsChange, &[Party::Provider], LiabilityRuling::Liable, &[R_1]),
                LiabilityEntry::new(LossEvent::ServiceSuspension, &[Party::Institution, Party::Provider], LiabilityRuling::NotLiable, &[R_1]),
                LiabilityEntry::new(LossEvent::TermsChange, &[Party::Institution, Party::Provider], LiabilityRuling::NotLiable, &[R_1]),
            ],
            ..GOOD
        };
        const RESULTS: [Result<(), TableError>; 7] = [
            OUT_OF_RANGE.consistency(),
            KIND_TWICE.consistency(),
            PARTY.consistency(),
            NO_RULE.consistency(),
            SETTING.consistency(),
            NO_PARTY.consistency(),
            TWICE.consistency(),
        ];
        assert_eq!(
            RESULTS,
            [
                Err(TableError::RuleOutOfRange { rule: RuleId(7), rules: 2 }),
                Err(TableError::KindListedTwice { first: 0, second: 2 }),
                Err(TableError::PartyNotListed { entry: 0 }),
                Err(TableError::NoRuleCited { entry: 0 }),
                Err(TableError::SettingNotListed { period: 0, setting: SettingName::ReauthAfterDays }),
                Err(TableError::NoParty { entry: 0 }),
                Err(TableError::PartyRuledTwice { first: 0, second: 2 }),
            ]
        );
    }

    #[test]
    fn messages_name_the_variant_and_the_entry() {
        let policy = Policy { lapse: Some(RuleId(12345)), ..GOOD };
        assert_eq!(policy.check().unwrap_err(), "inconsistent policy `test-2024`: a table cites rule id 12345, past the end of the sheet (2 rules)");
        let policy = Policy { settings: &[], ..GOOD };
        assert_eq!(
            policy.check().unwrap_err(),
            "inconsistent policy `test-2024`: `token[0]` reads setting `reauth_after_days`, which `settings` does not list"
        );
    }

    #[test]
    #[should_panic(expected = "inconsistent policy `test-2024`: `liability[0]` names a party `parties` does not list")]
    fn the_assertion_panics_with_the_message() {
        assert_consistent(&Policy { parties: &[], ..GOOD });
    }

    #[test]
    #[should_panic(expected = "src/lib.rs:42: inconsistent policy `test-2024`: `liability[0]` names a party `parties` does not list")]
    fn the_assertion_names_where_the_policy_is_exported() {
        assert_consistent_at(&Policy { parties: &[], ..GOOD }, "src/lib.rs", 42);
    }
}
