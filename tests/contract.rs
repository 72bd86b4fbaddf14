//! The previous contract keeps serving: the six variants as they were built
//! at `kitei:policy@0.3.0` (`tests/fixtures/contract-0.3/`, kept, never
//! rebuilt) load beside the current contract's modules through the 0.3
//! adapter, and answer every conformance scenario exactly as their 0.4
//! builds do: the same JSON, reason for reason, but for the module's sha256
//! and the contract version `describe` reports. A term 0.3 cannot carry is
//! refused before the module is asked, never asked as something else.

use kitei::component::Contract;
use kitei::{
    Account, DecisionErrorKind, Operation, Question, Registry, Target, TermRef,
    types::{AccountKind, Function},
};
use kitei_tools::conformance::{self, Subjects, Suite};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

const VARIANTS: [&str; 6] = ["akita-notice", "gunma-2019", "gunma-2023", "koza-renkei-2020", "rokin-2019", "toyama-2023"];

fn fixtures() -> PathBuf {
    kitei_tests::root().join("tests/fixtures/contract-0.3")
}

fn old() -> &'static Subjects {
    static S: OnceLock<Subjects> = OnceLock::new();
    S.get_or_init(|| {
        let runtime = kitei_tests::runtime();
        let registry = Registry::load_dir(&runtime, &fixtures()).expect("fixtures readable");
        Subjects::components(registry, runtime)
    })
}

fn new() -> &'static Subjects {
    static S: OnceLock<Subjects> = OnceLock::new();
    S.get_or_init(|| {
        let runtime = kitei_tests::runtime();
        Subjects::components(Registry::load_dir(&runtime, kitei_tests::policies()).expect("policies readable"), runtime)
    })
}

/// An answer with what is bound to differ between two builds taken out:
/// the module's sha256, and the contract version `describe` reports.
fn comparable(mut v: Value) -> Value {
    if let Some(policy) = v.get_mut("policy").and_then(Value::as_object_mut) {
        policy.remove("sha256");
    }
    if let Some(md) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        md.remove("contract");
    }
    v
}

fn main() {
    let args = Arguments::from_args();
    let suite = Arc::new(Suite::load(&[kitei_tests::root().join("tests/conformance")]).unwrap_or_else(|e| panic!("{e}")));
    let mut trials = vec![
        Trial::test("fixtures::are_six_modules_of_contract_0_3", fixtures_are_0_3),
        Trial::test("adapter::refuses_what_0_3_cannot_carry_and_leaves_out_what_it_would_not_read", adapter_limits),
    ];
    for (name, scenario) in &suite.scenarios {
        for variant in VARIANTS {
            let scenario = scenario.clone();
            let skipped = scenario.expect.get(variant).is_some_and(|e| e.skip.is_some());
            trials.push(
                Trial::test(format!("same_answer::{name}::{variant}"), move || {
                    let old_answer = conformance::response(old(), &scenario, variant).map_err(|e| format!("0.3: {e}"))?;
                    let new_answer = conformance::response(new(), &scenario, variant).map_err(|e| format!("0.4: {e}"))?;
                    if comparable(old_answer.clone()) != comparable(new_answer.clone()) {
                        return Err(format!("the 0.3 module answers otherwise:\n0.3: {old_answer}\n0.4: {new_answer}").into());
                    }
                    // and it passes the scenario itself, through the adapter
                    match conformance::check(old(), &scenario, variant) {
                        conformance::ScenarioResult::Fail(d) => Err(d.join("\n").into()),
                        _ => Ok(()),
                    }
                })
                .with_ignored_flag(skipped),
            );
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

fn fixtures_are_0_3() -> Result<(), Failed> {
    let registry = old().registry();
    if !registry.rejected().is_empty() {
        return Err(format!("refused: {:?}", registry.rejected()).into());
    }
    let mut loaded: Vec<(&str, Contract)> = registry.policies().iter().map(|p| (p.info().variant(), p.info().contract)).collect();
    loaded.sort_by_key(|(v, _)| *v);
    let want: Vec<(&str, Contract)> = VARIANTS.iter().map(|v| (*v, Contract::V03)).collect();
    if loaded != want {
        return Err(format!("expected the six variants at 0.3.0, got {loaded:?}").into());
    }
    let current = new().registry().policies().iter().all(|p| p.info().contract == Contract::V04);
    if !current {
        return Err("the bundled builds are not all 0.4".into());
    }
    Ok(())
}

fn adapter_limits() -> Result<(), Failed> {
    let at = kitei::time::parse_timestamp("2023-07-03T10:00:00+09:00").ok_or("time")?;
    let gunma = old().registry().variant("gunma-2019").ok_or("gunma-2019 fixture")?.clone();
    let ask = |op: Operation, account: Account| {
        Question::builder(Target::Variant("gunma-2019".into()), op).at(at).account(account).build().map_err(|e| e.to_string())
    };
    let balance = Operation::Authorize { function: Function::Balance.into() };
    // a function, an account kind or a channel its lists would answer for: refused, naming it
    let declared_function = Operation::Authorize { function: TermRef::Declared("debit_statement".into()) };
    for (what, question) in [
        ("a function", ask(declared_function, Account::new("A1", AccountKind::Ordinary))?),
        ("an account kind", ask(balance.clone(), Account::new("A1", TermRef::Declared("business_ordinary".into())))?),
    ] {
        match gunma.decide(&question) {
            Err(e) if e.kind() == DecisionErrorKind::BeyondContract => {
                let m = e.to_string();
                if !(m.contains("gunma-2019") && m.contains("0.3.0") && m.contains(what)) {
                    return Err(format!("the refusal does not name the module, its contract and {what}: {m}").into());
                }
                if e.code() != "beyond_contract" {
                    return Err(format!("code {}", e.code()).into());
                }
            }
            other => return Err(format!("{what} beyond 0.3 was not refused: {other:?}").into()),
        }
    }
    // a declared fact or account flag it would not read: the same answer as without it
    let plain = ask(balance.clone(), Account::new("A1", AccountKind::Ordinary))?;
    let with_terms = Question::builder(Target::Variant("gunma-2019".into()), balance)
        .at(at)
        .account(Account::new("A1", AccountKind::Ordinary).with_declared("sharing_permitted"))
        .fact("platform_id_registered")
        .build()
        .map_err(|e| e.to_string())?;
    let (a, b) = (gunma.decide(&plain).map_err(|e| e.to_string())?, gunma.decide(&with_terms).map_err(|e| e.to_string())?);
    if a.to_json() != b.to_json() {
        return Err(format!("a fact the module does not read changed its answer:\n{}\n{}", a.to_json(), b.to_json()).into());
    }
    // the 0.4 build, asked the same, answers from its text (its functions clause), no refusal
    let gunma_new = new().registry().variant("gunma-2019").ok_or("gunma-2019 build")?.clone();
    let q = ask(Operation::Authorize { function: TermRef::Declared("debit_statement".into()) }, Account::new("A1", AccountKind::Ordinary))?;
    let answer = gunma_new.decide(&q).map_err(|e| e.to_string())?;
    let unmet: Vec<(String, String)> = answer.reasons().iter().filter(|r| !r.met()).map(|r| (r.cite().to_string(), r.code().to_string())).collect();
    if !unmet.contains(&("第2条第1項".to_string(), "function_not_offered".to_string())) {
        return Err(format!("the 0.4 build does not deny citing its functions clause: {unmet:?}").into());
    }
    Ok(())
}
