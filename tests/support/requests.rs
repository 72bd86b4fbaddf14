//! Random api.md requests over every fact the contract carries, for
//! differential runs (each component against its variant compiled natively).
//!
//! `kitei diff`'s generator (`kitei_tools::diff::generate`) explores a
//! bounded grid: one account, one time (`at` fixed), the provider direct.
//! This one draws from everything a request can say, seeded so that a run is
//! repeatable: every operation with its own input (each function, loss event
//! and incident kind), 0–4 accounts of every kind with any flags and any
//! selection of them, every customer, provider, consent and service fact,
//! and times at the edges — the first and last instants of the years a
//! request may be written in (1678 to 2261, as written in its own offset),
//! one of the nanosecond range's ends beyond them, JST midnight written in
//! UTC and other offsets, the epoch and the nanosecond before it, leap days
//! — with consent times placed at each configured period ± 1 ns, 1 s and
//! 1 day, in the future, or absent. A drawn time may fall outside those
//! years; the host refuses those requests, and callers skip them.

use chrono::{DateTime, Duration, FixedOffset, SecondsFormat};
use kitei::types::{AccountKind, Function, IncidentKind, LossEvent};
use kitei::{OperationName, Wire};
use serde_json::{Map, Value, json};

/// xorshift64*: small, seeded, good enough to spread requests.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value; 0 is moved off the fixed point).
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15 | 1)
    }

    /// The next 64 random bits.
    pub fn bits(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.bits() % n as u64) as usize
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// A fair coin.
    pub fn coin(&mut self) -> bool {
        self.bits() & (1 << 40) != 0
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Periods (days) the differential runs configure, and so the distances
/// consent times are placed at.
pub const PERIODS: [i64; 4] = [1, 90, 365, 3650];

/// Times `at` is drawn around: the ends of the years a request may be
/// written in (in UTC and JST), one end of the nanosecond range beyond them,
/// JST midnight in several spellings, the epoch, leap days, a year's last
/// nanosecond.
const AT_ANCHORS: [&str; 15] = [
    "1678-01-01T00:00:00Z",
    "1678-01-01T00:00:00+09:00",
    "2261-12-31T23:59:59.999999999Z",
    "2261-12-31T23:59:59.999999999+09:00",
    "2262-04-11T23:47:16.854775807Z",
    "1969-12-31T23:59:59.999999999Z",
    "1970-01-01T00:00:00Z",
    "2023-06-05T14:59:59.999999999Z",
    "2023-06-05T15:00:00Z",
    "2023-06-06T00:00:00+09:00",
    "2023-07-03T10:00:00+09:00",
    "2024-02-29T23:59:59.999999999+09:00",
    "2023-12-31T15:00:00-12:00",
    "2024-04-01T00:00:00+14:00",
    "2000-02-29T12:34:56.5+05:45",
];

const OFFSETS: [i32; 6] = [9 * 3600, 0, -12 * 3600, 14 * 3600, 5 * 3600 + 45 * 60, -(3 * 3600 + 30 * 60)];

const PROVIDERS: [&str; 5] = ["moneyforward", "freee", "unlisted-provider", "", "zaim"];

fn offset(rng: &mut Rng) -> FixedOffset {
    FixedOffset::east_opt(rng.pick(&OFFSETS)).unwrap_or_else(|| unreachable!("offsets are within a day"))
}

fn write(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A small shift: none, ± 1 ns, 1 s, 1 day, or up to a few years.
fn jitter(rng: &mut Rng) -> Duration {
    let shift = match rng.below(6) {
        0 => Duration::zero(),
        1 => Duration::nanoseconds(1),
        2 => Duration::seconds(1),
        3 => Duration::days(1),
        4 => Duration::seconds(rng.below(86_400) as i64),
        _ => Duration::days(rng.below(3 * 365) as i64),
    };
    if rng.coin() { shift } else { -shift }
}

fn at(rng: &mut Rng) -> DateTime<FixedOffset> {
    let anchor = kitei::time::parse_timestamp(rng.pick(&AT_ANCHORS)).unwrap_or_else(|| unreachable!("anchors parse"));
    let t = if rng.one_in(3) { anchor } else { anchor + jitter(rng) };
    if rng.one_in(4) { t.with_timezone(&offset(rng)) } else { t }
}

/// A consent time relative to `at`: a period ± an edge, or in the future.
fn consent_time(rng: &mut Rng, at: DateTime<FixedOffset>) -> Option<String> {
    let t = match rng.below(6) {
        0 => return None,
        1 => at + jitter(rng),
        _ => {
            let edge = rng.pick(&[0, 1, -1]) * rng.pick(&[1, 1_000_000_000, 86_400_000_000_000]);
            let edge = Duration::nanoseconds(edge);
            at - Duration::days(rng.pick(&PERIODS)) + edge
        }
    };
    let t = if rng.one_in(3) { t.with_timezone(&offset(rng)) } else { t };
    Some(write(t))
}

fn put(o: &mut Map<String, Value>, key: &str, rng: &mut Rng) {
    if rng.coin() {
        o.insert(key.into(), true.into());
    } else if rng.one_in(4) {
        o.insert(key.into(), false.into());
    }
}

/// One random request for `variant`.
pub fn request(rng: &mut Rng, variant: &str) -> Value {
    let operation = rng.pick(&OperationName::deciding().collect::<Vec<_>>());
    let at = at(rng);
    let mut o = Map::new();
    o.insert("variant".into(), variant.into());
    o.insert("operation".into(), operation.wire().into());
    o.insert("at".into(), write(at).into());

    let mut customer = Map::new();
    if let Some(segment) = rng.pick(&[None, Some("individual"), Some("corporate")]) {
        customer.insert("segment".into(), segment.into());
    }
    put(&mut customer, "internet_banking_contract", rng);
    put(&mut customer, "direct_banking_registered", rng);
    let n = rng.pick(&[0, 1, 1, 1, 2, 3, 4]);
    let mut ids = Vec::new();
    let accounts: Vec<Value> = (0..n)
        .map(|i| {
            let id = format!("A{i}");
            ids.push(id.clone());
            let mut a = Map::new();
            a.insert("id".into(), id.into());
            a.insert("kind".into(), rng.pick(&AccountKind::ALL).wire().into());
            for flag in ["general_account", "cash_card", "loan_card", "pin_registered", "internet_banking_registered"] {
                put(&mut a, flag, rng);
            }
            Value::Object(a)
        })
        .collect();
    if !accounts.is_empty() || rng.coin() {
        customer.insert("accounts".into(), accounts.into());
    }
    if !customer.is_empty() {
        o.insert("customer".into(), customer.into());
    }
    if rng.one_in(3) {
        let selected: Vec<&String> = ids.iter().filter(|_| rng.coin()).collect();
        o.insert("account_ids".into(), json!(selected));
    }

    let mut provider = Map::new();
    if !rng.one_in(5) {
        provider.insert("id".into(), rng.pick(&PROVIDERS).into());
    }
    for flag in ["designated", "contract", "via_chained"] {
        put(&mut provider, flag, rng);
    }
    if let Some(channel) = rng.pick(&[None, Some("institution_api"), Some("anser_api")]) {
        provider.insert("channel".into(), channel.into());
    }
    if !provider.is_empty() {
        o.insert("provider".into(), provider.into());
    }

    let mut consent = Map::new();
    put(&mut consent, "agreed_to_terms", rng);
    put(&mut consent, "api_auth_completed", rng);
    for field in ["authenticated_at", "last_access_at", "registered_at"] {
        if let Some(t) = consent_time(rng, at) {
            consent.insert(field.into(), t.into());
        }
    }
    if !rng.one_in(3) {
        let functions: Vec<&str> = Function::ALL.iter().filter(|_| rng.coin()).map(|f| f.wire()).collect();
        consent.insert("authorized_functions".into(), json!(functions));
    }
    if !consent.is_empty() {
        o.insert("consent".into(), consent.into());
    }

    if rng.coin() {
        let mut service = Map::new();
        service.insert("internet_banking_open".into(), (!rng.one_in(3)).into());
        service.insert("api_open".into(), (!rng.one_in(3)).into());
        o.insert("service".into(), service.into());
    }

    // the operation's own input, and sometimes another operation's (ignored)
    let mut incident = Map::new();
    if operation == OperationName::Incident || rng.one_in(8) {
        incident.insert("kind".into(), rng.pick(&IncidentKind::ALL).wire().into());
    }
    if operation == OperationName::Liability || rng.one_in(8) {
        incident.insert("loss_event".into(), rng.pick(&LossEvent::ALL).wire().into());
    }
    put(&mut incident, "institution_at_fault", rng);
    if !incident.is_empty() {
        o.insert("incident".into(), incident.into());
    }
    if operation == OperationName::Authorize || rng.one_in(8) {
        o.insert("function".into(), rng.pick(&Function::ALL).wire().into());
    }
    Value::Object(o)
}
