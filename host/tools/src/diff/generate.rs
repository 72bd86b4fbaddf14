//! The bounded input generator: for each operation, a fixed list of facts
//! that explores the inputs a 規定 can distinguish.
//!
//! Every request names one account at most (`A1`), so answers are about one
//! account kind at a time. What the generator varies, per operation:
//!
//! | operation | varied | requests |
//! |---|---|---|
//! | `eligibility` | account shape (none, or 6 kinds × 4 card states × IB registration) × segment × IB contract × direct banking × provider contract × provider designated × terms agreed × API auth completed | 49 × 2⁷ = 6272 |
//! | `accounts` | 6 kinds × 4 card states × IB registration × channel | 96 |
//! | `authorize` | (a) eligibility profile (all facts, or all but the IB contract) × account shape × channel × function × function authorized; (b) profile × service window (IB open × API open) × authentication date × last access | 2744 + 80 |
//! | `token` | authentication date × last access date | 25 |
//! | `liability` | loss event × institution at fault | 16 |
//! | `incident` | incident kind | 7 |
//!
//! The 4 card states are: none, cash card, cash card with PIN, loan card
//! with PIN. Dates are days before `at`: 1, [`PERIOD_DAYS`] − 1,
//! [`PERIOD_DAYS`], [`PERIOD_DAYS`] + 1, or absent.
//!
//! Fixed: `general_account` false; `via_chained` false; in `authorize` (a)
//! both service windows open and authentication one day old; in (b) a balance
//! inquiry on an ordinary account with cash card, PIN and IB registration.
//! The provider is `moneyforward` with `designated: true` when designated
//! and `unlisted-provider` with `designated: false` when not, so a variant
//! that reads a list of designated providers (akita) and one that reads the
//! flag agree on what "designated" means.

use chrono::{DateTime, Duration, FixedOffset};
use kitei::types::{AccountKind, Function, IncidentKind, LossEvent};
use kitei::{OperationName, Wire};
use serde_json::{Map, Value, json};

/// The validity period (days) both modules are configured with for every
/// period setting they read; token dates are placed around it.
pub const PERIOD_DAYS: i64 = 90;

/// The one account of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountCase {
    /// its kind
    pub kind: AccountKind,
    /// a cash card is issued
    pub cash_card: bool,
    /// a loan card is issued
    pub loan_card: bool,
    /// a PIN is registered
    pub pin_registered: bool,
    /// registered for internet banking
    pub internet_banking_registered: bool,
}

/// The facts of one generated request, before it becomes api.md JSON.
#[derive(Clone, Debug)]
pub struct Case {
    /// the operation asked
    pub operation: OperationName,
    /// the customer is a corporation (else an individual)
    pub corporate: bool,
    /// the customer has an internet banking contract
    pub internet_banking_contract: bool,
    /// registered for direct banking
    pub direct_banking_registered: bool,
    /// the account, for operations about one
    pub account: Option<AccountCase>,
    /// the provider connects over ANSER-API
    pub anser_api: bool,
    /// the provider has a contract with the institution
    pub provider_contract: bool,
    /// the provider is a designated one
    pub provider_designated: bool,
    /// the customer agreed to the provider's terms
    pub agreed_to_terms: bool,
    /// the customer completed the API authentication
    pub api_auth_completed: bool,
    /// days before `at`
    pub authenticated_days_ago: Option<i64>,
    /// days before `at`
    pub last_access_days_ago: Option<i64>,
    /// the function asked, for `authorize`
    pub function: Option<Function>,
    /// the customer authorized that function
    pub function_authorized: bool,
    /// internet banking is open at `at`
    pub internet_banking_open: bool,
    /// the API service is open at `at`
    pub api_open: bool,
    /// the incident, for `incident` and `liability`
    pub incident: Option<IncidentKind>,
    /// the loss event, for `liability`
    pub loss_event: Option<LossEvent>,
    /// the institution is at fault, for `liability`
    pub institution_at_fault: bool,
}

impl Case {
    /// Nothing true, both service windows open (api.md's defaults).
    pub fn blank(operation: OperationName) -> Self {
        Case {
            operation,
            corporate: false,
            internet_banking_contract: false,
            direct_banking_registered: false,
            account: None,
            anser_api: false,
            provider_contract: false,
            provider_designated: false,
            agreed_to_terms: false,
            api_auth_completed: false,
            authenticated_days_ago: None,
            last_access_days_ago: None,
            function: None,
            function_authorized: false,
            internet_banking_open: true,
            api_open: true,
            incident: None,
            loss_event: None,
            institution_at_fault: false,
        }
    }

    /// Every eligibility fact true (individual customer).
    pub fn eligible(operation: OperationName) -> Self {
        Case {
            internet_banking_contract: true,
            direct_banking_registered: true,
            provider_contract: true,
            provider_designated: true,
            agreed_to_terms: true,
            api_auth_completed: true,
            ..Case::blank(operation)
        }
    }

    /// How far the request is from api.md's defaults: the number of true
    /// flags (a closed service window counts as one), then of other
    /// non-default values. The smallest is the group's example.
    pub fn weight(&self) -> (usize, usize) {
        let account = self.account.map_or(0, |a| [a.cash_card, a.loan_card, a.pin_registered, a.internet_banking_registered].iter().filter(|b| **b).count());
        let flags = [
            self.internet_banking_contract,
            self.direct_banking_registered,
            self.provider_contract,
            self.provider_designated,
            self.agreed_to_terms,
            self.api_auth_completed,
            self.function_authorized,
            !self.internet_banking_open,
            !self.api_open,
            self.institution_at_fault,
        ];
        let others = [self.corporate, self.anser_api, self.account.is_some(), self.authenticated_days_ago.is_some(), self.last_access_days_ago.is_some()];
        (account + flags.iter().filter(|b| **b).count(), others.iter().filter(|b| **b).count())
    }

    /// The api.md request for these facts, for `variant` at `at`, with only
    /// the fields that differ from the defaults.
    pub fn to_json(&self, variant: &str, at: DateTime<FixedOffset>) -> Value {
        let ts = |days: i64| (at - Duration::days(days)).to_rfc3339();
        let mut o = Map::new();
        o.insert("variant".into(), variant.into());
        o.insert("operation".into(), self.operation.wire().into());
        o.insert("at".into(), at.to_rfc3339().into());

        let mut customer = Map::new();
        if self.corporate {
            customer.insert("segment".into(), "corporate".into());
        }
        put(&mut customer, "internet_banking_contract", self.internet_banking_contract);
        put(&mut customer, "direct_banking_registered", self.direct_banking_registered);
        if let Some(a) = self.account {
            let mut acct = Map::new();
            acct.insert("id".into(), "A1".into());
            acct.insert("kind".into(), a.kind.wire().into());
            put(&mut acct, "cash_card", a.cash_card);
            put(&mut acct, "loan_card", a.loan_card);
            put(&mut acct, "pin_registered", a.pin_registered);
            put(&mut acct, "internet_banking_registered", a.internet_banking_registered);
            customer.insert("accounts".into(), Value::Array(vec![Value::Object(acct)]));
        }
        insert_nonempty(&mut o, "customer", customer);

        let mut provider = Map::new();
        let id = if self.provider_designated { "moneyforward" } else { "unlisted-provider" };
        provider.insert("id".into(), id.into());
        put(&mut provider, "designated", self.provider_designated);
        put(&mut provider, "contract", self.provider_contract);
        if self.anser_api {
            provider.insert("channel".into(), "anser_api".into());
        }
        o.insert("provider".into(), Value::Object(provider));

        let mut consent = Map::new();
        put(&mut consent, "agreed_to_terms", self.agreed_to_terms);
        put(&mut consent, "api_auth_completed", self.api_auth_completed);
        if let Some(d) = self.authenticated_days_ago {
            consent.insert("authenticated_at".into(), ts(d).into());
        }
        if let Some(d) = self.last_access_days_ago {
            consent.insert("last_access_at".into(), ts(d).into());
        }
        if let (Some(f), true) = (self.function, self.function_authorized) {
            consent.insert("authorized_functions".into(), json!([f.wire()]));
        }
        insert_nonempty(&mut o, "consent", consent);

        let mut service = Map::new();
        if !self.internet_banking_open {
            service.insert("internet_banking_open".into(), false.into());
        }
        if !self.api_open {
            service.insert("api_open".into(), false.into());
        }
        insert_nonempty(&mut o, "service", service);

        if let Some(f) = self.function {
            o.insert("function".into(), f.wire().into());
        }
        let mut incident = Map::new();
        if let Some(k) = self.incident {
            incident.insert("kind".into(), k.wire().into());
        }
        if let Some(e) = self.loss_event {
            incident.insert("loss_event".into(), e.wire().into());
        }
        put(&mut incident, "institution_at_fault", self.institution_at_fault);
        insert_nonempty(&mut o, "incident", incident);
        sorted(Value::Object(o))
    }
}

/// `v` with every object's keys in sorted order, whichever map serde_json
/// was built with: a crate elsewhere in the build (cedar-policy) turns on
/// its `preserve_order`, which would otherwise change the reports' text.
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut entries: Vec<(String, Value)> = o.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        other => other,
    }
}

fn put(o: &mut Map<String, Value>, key: &str, on: bool) {
    if on {
        o.insert(key.into(), true.into());
    }
}

fn insert_nonempty(o: &mut Map<String, Value>, key: &str, inner: Map<String, Value>) {
    if !inner.is_empty() {
        o.insert(key.into(), Value::Object(inner));
    }
}

/// Token dates: days before `at`, or none.
fn dates() -> [Option<i64>; 5] {
    [None, Some(1), Some(PERIOD_DAYS - 1), Some(PERIOD_DAYS), Some(PERIOD_DAYS + 1)]
}

/// One account of each kind in each card state, with and without IB
/// registration: 6 × 4 × 2.
fn accounts() -> Vec<AccountCase> {
    let cards = [(false, false, false), (true, false, false), (true, false, true), (false, true, true)];
    let mut out = Vec::new();
    for kind in AccountKind::ALL {
        for (cash_card, loan_card, pin_registered) in cards {
            for internet_banking_registered in [false, true] {
                out.push(AccountCase { kind, cash_card, loan_card, pin_registered, internet_banking_registered });
            }
        }
    }
    out
}

/// No account, then every account shape.
fn account_shapes() -> Vec<Option<AccountCase>> {
    std::iter::once(None).chain(accounts().into_iter().map(Some)).collect()
}

fn bools() -> [bool; 2] {
    [false, true]
}

/// The requests for one operation, in a fixed order.
pub fn generate(operation: OperationName) -> Vec<Case> {
    let mut out = Vec::new();
    match operation {
        OperationName::Describe => {}
        OperationName::Eligibility => {
            for account in account_shapes() {
                for bits in 0u8..128 {
                    let bit = |i: u8| bits & (1 << i) != 0;
                    out.push(Case {
                        account,
                        corporate: bit(6),
                        internet_banking_contract: bit(5),
                        direct_banking_registered: bit(4),
                        provider_contract: bit(3),
                        provider_designated: bit(2),
                        agreed_to_terms: bit(1),
                        api_auth_completed: bit(0),
                        ..Case::blank(operation)
                    });
                }
            }
        }
        OperationName::Accounts => {
            for account in accounts() {
                for anser_api in bools() {
                    out.push(Case { account: Some(account), anser_api, ..Case::blank(operation) });
                }
            }
        }
        OperationName::Authorize => {
            let profiles = [false, true].map(|ib| Case { internet_banking_contract: ib, ..Case::eligible(operation) });
            for profile in &profiles {
                for account in account_shapes() {
                    for anser_api in bools() {
                        for function in Function::ALL {
                            for function_authorized in bools() {
                                out.push(Case {
                                    account,
                                    anser_api,
                                    function: Some(function),
                                    function_authorized,
                                    authenticated_days_ago: Some(1),
                                    ..profile.clone()
                                });
                            }
                        }
                    }
                }
            }
            let ordinary =
                AccountCase { kind: AccountKind::Ordinary, cash_card: true, loan_card: false, pin_registered: true, internet_banking_registered: true };
            for profile in &profiles {
                for internet_banking_open in bools() {
                    for api_open in bools() {
                        for authenticated_days_ago in dates() {
                            for last_access_days_ago in [None, Some(1)] {
                                out.push(Case {
                                    account: Some(ordinary),
                                    function: Some(Function::Balance),
                                    function_authorized: true,
                                    internet_banking_open,
                                    api_open,
                                    authenticated_days_ago,
                                    last_access_days_ago,
                                    ..profile.clone()
                                });
                            }
                        }
                    }
                }
            }
        }
        OperationName::Token => {
            for authenticated_days_ago in dates() {
                for last_access_days_ago in dates() {
                    out.push(Case { authenticated_days_ago, last_access_days_ago, ..Case::blank(operation) });
                }
            }
        }
        OperationName::Liability => {
            for event in LossEvent::ALL {
                for institution_at_fault in bools() {
                    out.push(Case { loss_event: Some(event), institution_at_fault, ..Case::blank(operation) });
                }
            }
        }
        OperationName::Incident => {
            for kind in IncidentKind::ALL {
                out.push(Case { incident: Some(kind), ..Case::blank(operation) });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_the_documented_bounds() {
        let n: Vec<usize> = OperationName::deciding().map(generate).map(|g| g.len()).collect();
        assert_eq!(n, [6272, 96, 2744 + 80, 25, 16, 7]);
    }

    #[test]
    fn every_request_parses() {
        let at = kitei::time::parse_timestamp("2023-07-03T10:00:00+09:00").unwrap();
        for op in OperationName::deciding() {
            for f in generate(op).iter().step_by(7) {
                let v = f.to_json("gunma-2019", at);
                kitei::Question::from_value(&v).unwrap_or_else(|e| panic!("{v}: {e}"));
            }
        }
    }
}
