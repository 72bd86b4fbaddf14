//! The conformance suite (`tests/conformance/*.json`): one trial per
//! scenario × variant against the built components, the same again with the
//! variant crates linked natively, and a trial that every clause
//! docs/readings.md cites for a variant is expected by some scenario.

use kitei::Registry;
use kitei::types::Settings;
use kitei::{LoadedPolicy, NativePolicy};
use kitei_tests::NATIVE;
use kitei_tools::conformance::{self, COVERAGE_FILE, Coverage, ScenarioResult, Subjects, Suite};
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn suite_dir() -> PathBuf {
    kitei_tests::root().join("tests/conformance")
}

fn native(variant: &str, settings: Settings) -> Result<Arc<dyn LoadedPolicy>, String> {
    let (_, policy) = NATIVE.iter().find(|(v, _)| *v == variant).ok_or_else(|| format!("no crate for `{variant}`"))?;
    Ok(Arc::new(NativePolicy::new(policy, settings).map_err(|e| e.to_string())?))
}

fn natives() -> &'static Subjects {
    static S: OnceLock<Subjects> = OnceLock::new();
    S.get_or_init(|| {
        let mut registry = Registry::default();
        for (variant, _) in NATIVE {
            registry.add(native(variant, Settings::default()).unwrap_or_else(|e| panic!("{variant}: {e}")));
        }
        Subjects::new(registry, Arc::new(|p: &Arc<dyn LoadedPolicy>, s: &Settings| native(p.info().variant(), s.clone())))
    })
}

/// The components, built from the current sources on first use.
fn components() -> &'static Subjects {
    static S: OnceLock<Subjects> = OnceLock::new();
    S.get_or_init(|| Subjects::components(kitei_tests::registry(), kitei_tests::runtime()))
}

fn verdict(v: ScenarioResult) -> Result<(), Failed> {
    match v {
        ScenarioResult::Pass | ScenarioResult::Skip(_) => Ok(()),
        ScenarioResult::Fail(diffs) => Err(diffs.join("\n").into()),
    }
}

fn main() {
    let args = Arguments::from_args();
    let suite = Arc::new(Suite::load(&[suite_dir()]).unwrap_or_else(|e| panic!("{e}")));
    let mut trials = Vec::new();
    for (name, scenario) in &suite.scenarios {
        for (variant, _) in NATIVE {
            let skipped = scenario.expect.get(variant).is_some_and(|e| e.skip.is_some());
            for (kind, subjects) in [("component", components as fn() -> &'static Subjects), ("native", natives)] {
                let scenario = scenario.clone();
                let trial = Trial::test(format!("{kind}::{name}::{variant}"), move || verdict(conformance::check(subjects(), &scenario, variant)));
                trials.push(trial.with_ignored_flag(skipped));
            }
        }
    }
    let covered = suite.clone();
    trials.push(Trial::test("coverage::every_domain_citation_is_expected", move || {
        let coverage = Coverage::load(&suite_dir().join(COVERAGE_FILE)).map_err(|e| e.to_string())?;
        for variant in coverage.required.keys() {
            if !NATIVE.iter().any(|(v, _)| v == variant) {
                return Err(format!("{COVERAGE_FILE} names unknown variant `{variant}`").into());
            }
        }
        let missing = conformance::uncovered(&covered, &coverage);
        if missing.is_empty() {
            return Ok(());
        }
        let lines: Vec<String> = missing.iter().map(|(v, c)| format!("{v}: {c}")).collect();
        Err(format!("no scenario expects:\n{}", lines.join("\n")).into())
    }));
    trials.push(Trial::test("suite::bad_scenarios_are_errors_naming_the_field", bad_scenarios));
    trials.push(Trial::test("suite::a_missing_reason_and_a_forbidden_citation_fail", reasons_can_fail));
    libtest_mimic::run(&args, trials).exit();
}

/// A scenario file that cannot be used is an error naming file and field.
fn bad_scenarios() -> Result<(), Failed> {
    let dir = std::env::temp_dir().join(format!("kitei-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let cases = [
        (r#"{"description":"d","request":{"operation":"eligibility"},"expect":{"toyama-2023":{"decision":"permit"}},"extra":1}"#, "unknown field `extra`"),
        (
            r#"{"description":"d","request":{"operation":"eligibility","institution":"toyama"},"expect":{"toyama-2023":{"decision":"permit"}}}"#,
            "`request.institution`",
        ),
        (r#"{"description":"d","request":{"operation":"eligibility"},"expect":{"toyama-2023":{"decision":"maybe"}}}"#, "`expect.toyama-2023.decision`"),
        (r#"{"description":"d","request":{"operation":"eligibility"},"expect":{"toyama-2023":{}}}"#, "`expect.toyama-2023`"),
        (r#"{"description":"d","request":{"operation":"eligibility"},"expect":{"toyama-2023":{"skip":"x","token":"valid"}}}"#, "`expect.toyama-2023.skip`"),
        (
            r#"{"description":"d","request":{"operation":"liability"},"expect":{"toyama-2023":{"rulings":{"liability.bank":"liable"}}}}"#,
            "`expect.toyama-2023.rulings.liability.bank`",
        ),
        (
            r#"{"description":"d","request":{"operation":"liability"},"expect":{"toyama-2023":{"reasons":[{"in":"liability.bank","cite":"第1条","code":"x"}]}}}"#,
            "`expect.toyama-2023.reasons[0].in`",
        ),
        (
            r#"{"description":"d","request":{"operation":"liability"},"expect":{"toyama-2023":{"reasons":[{"cite":"第1条","provenance":"guessed"}]}}}"#,
            "`expect.toyama-2023.reasons[0].provenance`",
        ),
        (
            r#"{"description":"d","request":{"operation":"liability"},"expect":{"toyama-2023":{"reasons":[{"cite":"第1条"}]}}}"#,
            "`expect.toyama-2023.reasons[0]`",
        ),
        (
            r#"{"description":"d","request":{"operation":"incident"},"expect":{"toyama-2023":{"not_cites":[{"in":"chain","cite":"第8条"}]}}}"#,
            "`expect.toyama-2023.not_cites[0].in`",
        ),
    ];
    for (i, (text, needle)) in cases.iter().enumerate() {
        let file = dir.join(format!("bad-{i}.json"));
        std::fs::write(&file, text).map_err(|e| e.to_string())?;
        match Suite::load(std::slice::from_ref(&file)) {
            Ok(_) => return Err(format!("case {i}: accepted").into()),
            Err(e) => {
                let msg = e.to_string();
                if !msg.contains(needle) || !msg.contains(&format!("bad-{i}.json")) {
                    return Err(format!("case {i}: `{msg}` does not name {needle} and the file").into());
                }
            }
        }
    }
    let missing = Suite::load(&[dir.join("absent.json")]).err().map(|e| e.to_string()).unwrap_or_default();
    if !missing.contains("absent.json") {
        return Err(format!("a missing file: `{missing}`").into());
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// `reasons` and `not_cites` fail when the answer does not match: rokin's
/// disclosure of a leak cites 第8条 (so forbidding it there fails) and its
/// chained disclosure does not (so requiring it there fails).
fn reasons_can_fail() -> Result<(), Failed> {
    let text = r#"{"description":"d","request":{"operation":"incident","at":"2023-07-03T10:00:00+09:00","incident":{"kind":"leak"}},
        "expect":{"rokin-2019":{
            "reasons":[{"in":"chained","cite":"第8条第1項","provenance":"verbatim"},{"in":"disclosure","cite":"第4条第6項第1号","provenance":"interpreted"}],
            "not_cites":[{"in":"disclosure","cite":"第8条第1項"}]}}}"#;
    let dir = std::env::temp_dir().join(format!("kitei-conformance-fail-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join("fails.json");
    std::fs::write(&file, text).map_err(|e| e.to_string())?;
    let suite = Suite::load(&[file]).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    let (_, scenario) = &suite.scenarios[0];
    match conformance::check(natives(), scenario, "rokin-2019") {
        ScenarioResult::Fail(diffs) if diffs.len() == 3 => Ok(()),
        other => Err(format!("expected three differences (two reasons, one citation), got {other:?}").into()),
    }
}
