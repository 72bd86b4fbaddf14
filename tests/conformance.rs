//! The conformance suite (`tests/conformance/*.json`): one trial per
//! scenario × variant against the built components, the same again with the
//! variant crates linked natively, and a trial that every clause
//! `spec/domain.md` cites for a variant is expected by some scenario.

use kitei_tools::conformance::{self, Coverage, ScenarioResult, Subjects, Suite, COVERAGE_FILE};
use kitei::{LoadedPolicy, NativePolicy};
use kitei::Registry;
use kitei::Settings;
use libtest_mimic::{Arguments, Failed, Trial};
use kitei_tests::NATIVE;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn suite_dir() -> PathBuf {
    kitei_tests::root().join("tests/conformance")
}

fn native(variant: &str, settings: Settings) -> Result<Arc<dyn LoadedPolicy>, String> {
    let (_, policy) = NATIVE.iter().find(|(v, _)| *v == variant).ok_or_else(|| format!("no crate for `{variant}`"))?;
    Ok(Arc::new(NativePolicy::new(policy, settings)?))
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
                let trial = Trial::test(format!("{kind}::{name}::{variant}"), move || {
                    verdict(conformance::check(subjects(), &scenario, variant))
                });
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
    libtest_mimic::run(&args, trials).exit();
}

/// A scenario file that cannot be used is an error naming file and field.
fn bad_scenarios() -> Result<(), Failed> {
    let dir = std::env::temp_dir().join(format!("kitei-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let cases = [
        (r#"{"description":"d","request":{"operation":"eligibility"},"expect":{"toyama-2023":{"decision":"permit"}},"extra":1}"#, "unknown field `extra`"),
        (r#"{"description":"d","request":{"operation":"eligibility","institution":"toyama"},"expect":{"toyama-2023":{"decision":"permit"}}}"#, "`request.institution`"),
        (r#"{"description":"d","request":{"operation":"eligibility"},"expect":{"toyama-2023":{"decision":"maybe"}}}"#, "`expect.toyama-2023.decision`"),
        (r#"{"description":"d","request":{"operation":"eligibility"},"expect":{"toyama-2023":{}}}"#, "`expect.toyama-2023`"),
        (r#"{"description":"d","request":{"operation":"eligibility"},"expect":{"toyama-2023":{"skip":"x","token":"valid"}}}"#, "`expect.toyama-2023.skip`"),
        (r#"{"description":"d","request":{"operation":"liability"},"expect":{"toyama-2023":{"rulings":{"liability.bank":"liable"}}}}"#, "`expect.toyama-2023.rulings.liability.bank`"),
    ];
    for (i, (text, needle)) in cases.iter().enumerate() {
        let file = dir.join(format!("bad-{i}.json"));
        std::fs::write(&file, text).map_err(|e| e.to_string())?;
        match Suite::load(&[file.clone()]) {
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
