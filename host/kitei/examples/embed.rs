//! Embedding kitei: load a policy directory, ask one `authorize` question
//! with the builder, print the decision and every clause it rests on.
//!
//! ```text
//! cargo run -p kitei-cli -- build            # the bundled policies, once
//! cargo run -p kitei --example embed [DIR]   # DIR defaults to target/policies
//! ```

use kitei::{
    Account, Consent, Limits, Operation, Provider, Question, Registry, Runtime, Target, Wire,
    types::{AccountFlags, AccountKind, ConsentFlags, CustomerFlags, Function, ProviderFlags},
};
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", kitei::Report(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "target/policies".into());
    let runtime = Runtime::new(Limits::default())?;
    let registry = Registry::load_dir(&runtime, dir.as_ref())?;
    for refused in registry.rejected() {
        eprintln!("refused: {refused}");
    }
    if registry.policies().is_empty() {
        return Err(format!("no policies in `{dir}`: build them first with `cargo run -p kitei-cli -- build`").into());
    }

    // Toyama, 3 July 2023: may Money Forward read the balance of an ordinary
    // account with a cash card and a PIN, and of a card loan over ANSER?
    let time = |s: &str| kitei::time::parse_timestamp(s).ok_or(format!("bad time `{s}`"));
    let question = Question::builder(Target::Institution("toyama".into()), Operation::Authorize { function: Function::Balance.into() })
        .at(time("2023-07-03T10:00:00+09:00")?)
        .customer(CustomerFlags::INTERNET_BANKING_CONTRACT)
        .account(
            Account::new("A1", AccountKind::Ordinary).with(AccountFlags::CASH_CARD | AccountFlags::PIN_REGISTERED | AccountFlags::INTERNET_BANKING_REGISTERED),
        )
        .account(Account::new("L1", AccountKind::CardLoan).with(AccountFlags::LOAN_CARD))
        .provider(Provider::new("moneyforward").channel(kitei::types::Channel::AnserApi).with(ProviderFlags::DESIGNATED | ProviderFlags::CONTRACT))
        .consent(
            Consent::new()
                .with(ConsentFlags::AGREED_TO_TERMS | ConsentFlags::API_AUTH_COMPLETED)
                .authenticated_at(time("2023-06-01T09:00:00+09:00")?)
                .authorize(Function::Balance),
        )
        .build()?;

    let answer = registry.decide(&question)?;
    let policy = answer.policy();
    let decision = answer.decision().map_or("(none)", Wire::wire);
    println!("{decision} — {} {} (sha256 {})", policy.variant, policy.version, &policy.sha256[..12.min(policy.sha256.len())]);
    for reason in answer.reasons() {
        let mark = if reason.met() { "✓" } else { "✗" };
        let rule = reason.rule();
        println!("  {mark} {} {} ({}): {}", reason.cite(), reason.code(), rule.provenance.wire(), rule.text);
    }
    Ok(())
}
