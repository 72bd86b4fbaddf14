//! One vocabulary everywhere (issue 21, item 5): the terms modules declare
//! (contract 0.4) appear in the served `/openapi.json` exactly while a module
//! declaring them is loaded (the document follows hot reload and stays
//! valid OpenAPI 3.1), and in `kitei diff` and `kitei matrix`, where a
//! module that does not declare a term shows it as "not in that text".
//!
//! The declaring modules are the fictional institution's two texts,
//! `examples/policy/kamome/` (built from source once per test binary); what
//! each declares is read from the module's own metadata, so the test follows
//! the example as it is written.

use kitei::types::TermKind;
use kitei::{LoadedPolicy, Registry, Wire};
use kitei_serve::{AppState, Config, HttpLimits, ReloadConfig};
use kitei_tests::{example_policies, root, runtime, temp_policy_dir};
use kitei_tools::diff::{self, Format};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const KAMOME: [&str; 2] = ["kamome-kojin-2026", "kamome-hojin-2026"];

/// A declared term as a module's metadata has it.
#[derive(Clone, Debug)]
struct Declared {
    kind: TermKind,
    name: String,
}

/// Every term the kamome modules declare; fails unless they declare at
/// least a function, a fact, an account flag and a setting (else the checks
/// below would prove nothing).
fn kamome_terms() -> Vec<Declared> {
    let dir = example_policies("kamome");
    let registry = Registry::load_dir(&runtime(), &dir).expect("kamome dir readable");
    assert!(registry.rejected().is_empty(), "{:?}", registry.rejected());
    let mut terms = Vec::new();
    for variant in KAMOME {
        let p = registry.variant(variant).unwrap_or_else(|| panic!("{variant} built into {}", dir.display()));
        terms.extend(p.info().metadata.terms.iter().map(|t| Declared { kind: t.kind, name: t.name.clone() }));
    }
    for (kinds, what) in [
        (&[TermKind::Function][..], "a function"),
        (&kitei::FACT_KINDS[..], "a fact"),
        (&[TermKind::AccountFlag][..], "an account flag"),
        (&[TermKind::Setting][..], "a setting"),
    ] {
        assert!(terms.iter().any(|t| kinds.contains(&t.kind)), "kamome declares no {what}: {terms:?}");
    }
    terms
}

/// Where the served document lists a declared term of `kind`: the enum's
/// values, or the object's properties.
fn listed(doc: &Value, t: &Declared) -> bool {
    let schemas = &doc["components"]["schemas"];
    let in_enum = |schema: &str| schemas[schema]["enum"].as_array().is_some_and(|v| v.iter().any(|x| x == t.name.as_str()));
    let property = |schema: &str| {
        let p = &schemas[schema]["properties"][t.name.as_str()];
        p.is_object() && p["x-kitei-term"]["kind"] == t.kind.wire() && p["x-kitei-term"]["name"] == t.name.as_str()
    };
    match t.kind {
        TermKind::Function => in_enum("Function"),
        TermKind::AccountKind => in_enum("AccountKind"),
        TermKind::Channel => in_enum("Channel"),
        TermKind::IncidentKind => in_enum("IncidentKind"),
        TermKind::LossEvent => in_enum("LossEvent"),
        TermKind::Party => in_enum("Party"),
        TermKind::LiabilityRuling => in_enum("LiabilityRuling"),
        TermKind::AccountFlag => property("Account"),
        TermKind::Setting => property("Settings"),
        TermKind::CustomerFact | TermKind::ProviderFact | TermKind::ConsentFact | TermKind::ServiceFact => property("Facts"),
    }
}

/// The Python that has openapi-spec-validator (`./run test` installs it
/// into target/venv; or set `KITEI_PYTHON`).
fn python() -> PathBuf {
    let python = std::env::var_os("KITEI_PYTHON").map_or_else(|| root().join("target/venv/bin/python"), PathBuf::from);
    let ok = Command::new(&python).args(["-c", "import openapi_spec_validator"]).status().is_ok_and(|s| s.success());
    assert!(ok, "{} lacks openapi-spec-validator: `./run test` installs it into target/venv (or set KITEI_PYTHON)", python.display());
    python
}

/// openapi-spec-validator accepts `json` as an OpenAPI 3.1 document.
fn validates(json: &str, name: &str) {
    let file = std::env::temp_dir().join(format!("kitei-vocabulary-{name}-{}.json", std::process::id()));
    std::fs::write(&file, json).expect("write the document");
    let out = Command::new(python()).args(["-m", "openapi_spec_validator"]).arg(&file).output().expect("run the validator");
    let _ = std::fs::remove_file(&file);
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "openapi-spec-validator refused the {name} document:\n{said}");
}

async fn get_json(client: &reqwest::Client, url: String) -> Value {
    let r = client.get(&url).send().await.unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert_eq!(r.status(), 200, "GET {url}");
    r.json().await.unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

async fn wait_until(what: &str, mut ok: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !ok().await {
        assert!(start.elapsed() < Duration::from_secs(60), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn copy_kamome(to: &Path) {
    let from = example_policies("kamome");
    for v in KAMOME {
        std::fs::copy(from.join(format!("{v}.wasm")), to.join(format!("{v}.wasm"))).expect("copy a kamome module");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_openapi_lists_declared_terms_while_their_module_is_loaded() {
    let terms = kamome_terms(); // built before the server starts
    let dir = temp_policy_dir("vocabulary-serve", &["gunma-2023", "toyama-2023"]);
    let (addr, handle) = kitei_serve::spawn(Config {
        policies: dir.clone(),
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        reload: ReloadConfig { debounce: Duration::from_millis(100), rescan: Duration::from_millis(300) },
        ..Config::default()
    })
    .await
    .expect("server starts");
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    wait_until("readiness", async || client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200)).await;
    let serving = async |variant: &str| {
        let v = get_json(&client, format!("{base}/v1/policies")).await;
        v["policies"].as_array().is_some_and(|a| a.iter().any(|p| p["variant"] == variant))
    };

    // the six's terms only: none of kamome's, and the core enums unchanged
    let before = get_json(&client, format!("{base}/openapi.json")).await;
    for t in &terms {
        assert!(!listed(&before, t), "{} {} listed before any module declares it", t.kind.wire(), t.name);
    }
    let functions = &before["components"]["schemas"]["Function"]["enum"];
    assert_eq!(functions, &serde_json::json!(kitei::types::Function::names()), "the core functions");
    assert_eq!(before, serde_json::from_str::<Value>(kitei_serve::openapi_json()).expect("JSON"), "without declared terms, the static document");

    // kamome dropped in: the next document lists every term it declares
    copy_kamome(&dir);
    wait_until("kamome to serve", async || serving(KAMOME[0]).await && serving(KAMOME[1]).await).await;
    let text = client.get(format!("{base}/openapi.json")).send().await.expect("GET").text().await.expect("body");
    let after: Value = serde_json::from_str(&text).expect("JSON");
    for t in &terms {
        assert!(listed(&after, t), "{} {} not listed once kamome serves", t.kind.wire(), t.name);
    }
    let facts = &after["components"]["schemas"]["Facts"]["properties"];
    for t in terms.iter().filter(|t| kitei::is_fact(t.kind)) {
        let term = &facts[t.name.as_str()]["x-kitei-term"];
        assert_eq!(term["variants"], serde_json::json!(["kamome-kojin-2026"]), "{}: {term}", t.name);
        assert!(term["ja"].as_str().is_some_and(|s| !s.is_empty()), "{}: {term}", t.name);
    }
    validates(&text, "served-with-kamome");
    // the document a second time is the same document
    assert_eq!(get_json(&client, format!("{base}/openapi.json")).await, after);

    // and a declared function, fact and account flag are requests' words
    let declared = |kind: TermKind| terms.iter().find(|t| t.kind == kind).map(|t| t.name.clone());
    let function = declared(TermKind::Function).expect("a declared function");
    let request = serde_json::json!({
        "variant": "kamome-kojin-2026", "operation": "authorize", "at": "2026-05-01T10:00:00+09:00",
        "function": function,
    });
    let r = client.post(format!("{base}/v1/decisions")).json(&request).send().await.expect("POST");
    assert_eq!(r.status(), 200, "{function} asked of kamome: {}", r.text().await.unwrap_or_default());

    // kamome withdrawn: its terms leave the document
    for v in KAMOME {
        std::fs::remove_file(dir.join(format!("{v}.wasm"))).expect("remove");
    }
    wait_until("kamome withdrawn", async || !serving(KAMOME[0]).await && !serving(KAMOME[1]).await).await;
    let gone = get_json(&client, format!("{base}/openapi.json")).await;
    for t in &terms {
        assert!(!listed(&gone, t), "{} {} still listed after kamome left", t.kind.wire(), t.name);
    }
    assert_eq!(gone, before);
    handle.shutdown();
    let _ = tokio::time::timeout(Duration::from_secs(10), handle.join()).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_document_is_made_once_per_installed_registry() {
    let rt = runtime();
    let six = temp_policy_dir("vocabulary-cache", &["gunma-2023"]);
    let state = AppState::new(rt.clone(), six.clone(), HttpLimits::default(), None);
    state.install(Registry::load_dir(&rt, &six).expect("dir"));
    let (a, b) = (state.openapi_json(), state.openapi_json());
    assert_eq!(a.as_ptr(), b.as_ptr(), "two requests, one registry: the same bytes, not made again");
    copy_kamome(&six);
    state.install(Registry::load_dir(&rt, &six).expect("dir"));
    let c = state.openapi_json();
    assert_ne!(a, c, "another registry, with declared terms: another document");
    assert_eq!(c.as_ptr(), state.openapi_json().as_ptr());
    let text = std::str::from_utf8(&c).expect("UTF-8");
    assert_eq!(text, kitei_serve::openapi_json_for(state.registry().vocabulary()));
    let _ = std::fs::remove_dir_all(&six);
}

#[test]
fn diff_and_matrix_show_a_term_one_text_does_not_have() {
    let terms = kamome_terms();
    let rt = kitei::Runtime::new(diff::batch_limits()).expect("runtime");
    let kamome = example_policies("kamome");
    let at = kitei::time::parse_timestamp("2026-05-01T10:00:00+09:00").expect("at");
    let toyama = diff::load_module(&rt, "toyama-2023", kitei_tests::policies()).expect("toyama");
    let kojin = diff::load_module(&rt, "kamome-kojin-2026", &kamome).expect("kojin");
    let hojin = diff::load_module(&rt, "kamome-hojin-2026", &kamome).expect("hojin");
    let kojin_terms: Vec<Declared> = kojin.info().metadata.terms.iter().map(|t| Declared { kind: t.kind, name: t.name.clone() }).collect();
    assert!(!kojin_terms.is_empty(), "kamome-kojin declares terms");

    // toyama → kamome-kojin: every term kojin declares, absent on the old side
    let report = diff::compare(&toyama, &kojin, at).expect("compare");
    let names: Vec<&str> = report.terms.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names.len(), kojin_terms.len(), "{names:?}");
    for t in &kojin_terms {
        let row = report.terms.iter().find(|r| r.name == t.name).unwrap_or_else(|| panic!("{} in the diff: {names:?}", t.name));
        assert!(row.old.is_none() && row.new.is_some() && row.kind == t.kind && row.changed(), "{row:?}");
        assert!(row.new.as_ref().is_some_and(|s| s.cite.starts_with('第')), "{row:?}");
    }
    assert!(report.differs());
    let text = diff::render(&report, Format::Text).expect("text");
    let md = diff::render(&report, Format::Markdown).expect("md");
    let html = diff::render(&report, Format::Html).expect("html");
    let json: Value = serde_json::from_str(&diff::render(&report, Format::Json).expect("json")).expect("JSON");
    for t in &kojin_terms {
        assert!(text.contains(&format!("{} {}\n  旧 not in that text\n  新 ", t.kind.wire(), t.name)), "text: {}\n{text}", t.name);
        assert!(md.contains(&format!("| `{}` ({}) | *not in that text* |", t.name, t.kind.wire())), "md: {}\n{md}", t.name);
        assert!(html.contains(&format!("data-term=\"{}\"", t.name)), "html: {}", t.name);
        let row = json["terms"].as_array().and_then(|a| a.iter().find(|r| r["name"] == t.name.as_str())).unwrap_or_else(|| panic!("json: {}", t.name));
        assert!(row["old"].is_null() && row["new"]["ja"].is_string() && row["kind"] == t.kind.wire(), "{row}");
    }
    assert!(html.contains("not in that text"));

    // a text compared with itself: its terms are listed the same, no difference
    let same = diff::compare(&kojin, &kojin, at).expect("compare");
    assert_eq!(same.terms.len(), kojin_terms.len());
    assert!(same.terms.iter().all(|t| !t.changed()), "{:?}", same.terms);
    assert!(!same.differs());

    // the matrix: a row per declared term, "not in that text" where a module lacks it
    let policies: Vec<Arc<dyn LoadedPolicy>> = vec![Arc::new(toyama), Arc::new(kojin), Arc::new(hojin)];
    let m = diff::matrix::matrix(&policies, at).expect("matrix");
    let section = m.sections.iter().find(|s| s.title == "declared terms").expect("a declared terms section");
    let distinct: std::collections::BTreeSet<(&str, &str)> = terms.iter().map(|t| (t.kind.wire(), t.name.as_str())).collect();
    assert_eq!(section.rows.len(), distinct.len(), "{:?}", section.rows);
    for t in &terms {
        let row = section.rows.iter().find(|r| r.label == format!("{} {}", t.kind.wire(), t.name)).unwrap_or_else(|| panic!("row {}", t.name));
        assert_eq!(row.cells[0].value, "not in that text", "toyama lacks {}", t.name);
        let declaring: Vec<bool> = policies.iter().map(|p| p.info().metadata.terms.iter().any(|d| d.name == t.name)).collect();
        for (cell, declares) in row.cells.iter().zip(&declaring) {
            assert_eq!(cell.value != "not in that text", *declares, "{}: {cell:?}", t.name);
            assert_eq!(!cell.cites.is_empty(), *declares, "{}: {cell:?}", t.name);
        }
    }
    let text = diff::render_matrix(&m, Format::Text).expect("matrix text");
    assert!(text.contains("== declared terms =="), "{text}");

    // modules that declare nothing: no such section, as before
    let six: Vec<Arc<dyn LoadedPolicy>> = ["gunma-2019", "gunma-2023"]
        .iter()
        .map(|v| Arc::new(diff::load_module(&rt, v, kitei_tests::policies()).expect("load")) as Arc<dyn LoadedPolicy>)
        .collect();
    let m = diff::matrix::matrix(&six, at).expect("matrix");
    assert!(m.sections.iter().all(|s| s.title != "declared terms"));
}
