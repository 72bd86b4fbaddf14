//! `kitei diff` against the built components: the gunma 新旧対比表 that the
//! seed publishes by hand, reproduced from the modules' answers (golden
//! file, blessed with `KITEI_BLESS=1`); every variant against itself; the
//! HTML report rendered by a real headless browser.

use kitei::{Runtime, component::ComponentPolicy};
use kitei_tests::{policies, root};
use kitei_tools::diff::{self, Format, Group, Report};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A runtime with the batch deadline (other builds share the machine).
fn runtime() -> Runtime {
    Runtime::new(diff::batch_limits()).expect("wasmtime runtime")
}

fn registry() -> kitei::Registry {
    kitei::Registry::load_dir(&runtime(), policies()).expect("policy dir readable")
}

fn load(variant: &str) -> ComponentPolicy {
    diff::load_module(&runtime(), variant, policies()).unwrap_or_else(|e| panic!("loading {variant}: {e}"))
}

fn at() -> chrono::DateTime<chrono::FixedOffset> {
    kitei::time::parse_timestamp(diff::DEFAULT_AT).expect("default --at parses")
}

/// gunma-2019 → gunma-2023, computed once per test binary.
fn gunma() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| diff::compare(&load("gunma-2019"), &load("gunma-2023"), at()).expect("compare"))
}

fn groups(op: &str) -> impl Iterator<Item = &'static Group> {
    let op = op.to_string();
    gunma().groups.iter().filter(move |g| kitei::Wire::wire(g.operation) == op)
}

fn cites(side: &diff::SideView) -> Vec<String> {
    side.clauses.iter().map(|c| if c.met { c.cite.clone() } else { format!("{} ✗", c.cite) }).collect()
}

fn has(side: &diff::SideView, cite: &str) -> bool {
    cites(side).iter().any(|c| c == cite)
}

/// The example request, re-parsed the way `kitei eval` reads it.
fn example(g: &Group) -> &serde_json::Value {
    kitei::Question::from_value(&g.example).unwrap_or_else(|e| panic!("example does not parse: {e}"));
    assert_eq!(g.example["variant"], "gunma-2019");
    &g.example
}

#[test]
fn gunma_text_report_matches_the_golden_file() {
    let text = diff::render(gunma(), Format::Text).expect("render");
    let golden = root().join("tests/golden/gunma-2019-vs-gunma-2023.txt");
    if std::env::var_os("KITEI_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&golden, &text).expect("write golden");
        eprintln!("blessed {}", golden.display());
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_else(|e| panic!("{}: {e} (run with KITEI_BLESS=1 to create it)", golden.display()));
    if text != expected {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gunma-2019-vs-gunma-2023.actual.txt");
        std::fs::write(&out, &text).expect("write actual");
        panic!("the report differs from {}; actual in {} (KITEI_BLESS=1 to accept)", golden.display(), out.display());
    }
}

#[test]
fn a_cash_card_account_without_ib_becomes_eligible() {
    let g = groups("eligibility").find(|g| g.old.outcome == "deny" && g.new.outcome == "permit").expect("a group denied by 2019 and permitted by 2023");
    assert_eq!(cites(&g.old), ["第1条第2項第1号 ✗"]);
    assert_eq!(cites(&g.new), ["第1条第2項第1号"]);
    let ex = example(g);
    assert!(ex["customer"].get("internet_banking_contract").is_none(), "no IB contract: {ex}");
    assert_eq!(ex["customer"]["accounts"][0]["cash_card"], true, "{ex}");
    assert!(["ordinary", "savings"].contains(&ex["customer"]["accounts"][0]["kind"].as_str().unwrap_or_default()));
}

#[test]
fn card_loan_tax_reserve_and_time_deposit_become_linkable() {
    for (kind, item) in [("card_loan", "第2条第2項第3号"), ("tax_reserve", "第2条第2項第4号"), ("time_deposit", "第2条第2項第5号")] {
        let g = groups("accounts")
            .find(|g| g.example["customer"]["accounts"][0]["kind"] == kind && g.new.outcome == "linkable")
            .unwrap_or_else(|| panic!("no accounts group for {kind}"));
        assert_eq!(g.old.outcome, "not linkable", "{kind}");
        assert_eq!(cites(&g.old), ["第2条第2項 ✗"], "{kind}");
        assert!(has(&g.new, item), "{kind}: {:?}", cites(&g.new));
        example(g);
    }
}

#[test]
fn current_accounts_need_ib_registration_under_2_2_6() {
    let g = groups("accounts")
        .find(|g| g.example["customer"]["accounts"][0]["kind"] == "current" && g.new.outcome == "not linkable")
        .expect("a current-account group that 2023 refuses");
    assert!(has(&g.new, "第2条第2項第6号 ✗"), "{:?}", cites(&g.new));
    assert!(g.example["customer"]["accounts"][0].get("internet_banking_registered").is_none());
    let g = groups("accounts")
        .find(|g| g.example["customer"]["accounts"][0]["kind"] == "current" && g.new.outcome == "linkable")
        .expect("a current-account group that 2023 links");
    assert_eq!(g.example["customer"]["accounts"][0]["internet_banking_registered"], true);
    assert!(has(&g.new, "第2条第2項第6号"));
}

#[test]
fn the_service_window_is_ib_or_api_hours() {
    let closed = |c: &diff::ClauseView| c.cite == "第2条第1項" && !c.met && c.code == "outside_service_hours";
    let g = groups("authorize")
        .find(|g| g.old.clauses.iter().any(closed) && g.new.outcome.starts_with("permit"))
        .expect("a group outside 2019's IB hours that 2023 permits");
    assert!(g.old.outcome.starts_with("deny"));
    let ex = example(g);
    assert_eq!(ex["service"]["internet_banking_open"], false, "{ex}");
    assert!(ex["service"].get("api_open").is_none(), "API hours open: {ex}");
    assert!(has(&g.new, "第2条第1項"), "2023's window reason is met: {:?}", cites(&g.new));
    assert!(!g.new.clauses.iter().any(closed));
}

#[test]
fn ib_cancellation_alone_no_longer_ends_the_service() {
    let g = groups("authorize")
        .find(|g| has(&g.old, "第5条第2項 ✗") && g.new.outcome.starts_with("permit"))
        .expect("a group ended by 5.2 in 2019 and permitted in 2023");
    assert!(has(&g.old, "第1条第2項第1号 ✗"));
    let ex = example(g);
    assert!(ex["customer"].get("internet_banking_contract").is_none(), "{ex}");
    let change = gunma().texts.iter().find(|t| t.cite == "第5条第2項").expect("5.2 text changed");
    assert!(change.old.iter().any(|t| t.contains("インターネットバンキングの解約")));
    assert!(change.new.iter().all(|t| !t.contains("解約")));
}

#[test]
fn every_variant_compared_with_itself_reports_no_difference() {
    let registry = registry();
    assert!(registry.policies().len() >= 6, "bundled variants: {}", registry.policies().len());
    for p in registry.policies() {
        let v = p.info().variant();
        let m = load(v);
        let report = diff::compare(&m, &m, at()).expect("compare");
        assert!(!report.differs(), "{v} differs from itself: {} groups", report.groups.len());
        assert!(diff::render(&report, Format::Text).expect("render").contains("no differences"));
    }
}

#[test]
fn json_and_markdown_carry_every_group() {
    let r = gunma();
    let json: serde_json::Value = serde_json::from_str(&diff::render(r, Format::Json).expect("json")).expect("valid JSON");
    assert_eq!(json["groups"].as_array().map(Vec::len), Some(r.groups.len()));
    let md = diff::render(r, Format::Markdown).expect("md");
    assert!(md.contains("| # | 件数 | 旧 (gunma-2019) | 新 (gunma-2023) |"));
    assert!(md.contains("当組合のキャッシュカードが発行されている等"));
}

#[test]
fn matrix_has_a_column_per_variant_and_names_unspecified() {
    let registry = registry();
    let m = diff::matrix::matrix(registry.policies(), at()).expect("matrix");
    assert_eq!(m.variants.len(), registry.policies().len());
    for s in &m.sections {
        for row in &s.rows {
            assert_eq!(row.cells.len(), m.variants.len(), "{} / {}", s.title, row.label);
        }
    }
    let col = |v: &str| m.variants.iter().position(|x| x.variant == v).expect("variant present");
    let liability = m.sections.iter().find(|s| s.title == "liability").expect("liability section");
    let row = liability.rows.iter().find(|r| r.label == "credential_misuse").expect("row");
    assert!(row.cells[col("gunma-2019")].value.contains("institution unspecified"));
    assert!(row.cells[col("toyama-2023")].value.contains("institution not_liable"));
}

/// Runs a command, killing it after `limit`.
fn run_with_timeout(cmd: &mut Command, limit: Duration) -> std::process::Output {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn chromium");
    let stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let mut stdout = stdout;
        let _ = std::io::Read::read_to_end(&mut stdout, &mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = reader.join().unwrap_or_default();
    std::process::Output { status, stdout, stderr: Vec::new() }
}

fn chromium(profile: &Path, args: &[String]) -> Command {
    let mut c = Command::new("chromium");
    c.args(kitei_tests::CHROMIUM_FLAGS).arg(format!("--user-data-dir={}", profile.display())).args(args);
    c
}

#[test]
fn html_report_renders_one_row_per_group_in_a_browser() {
    if Command::new("chromium").arg("--version").output().is_err() {
        if std::env::var_os("KITEI_SKIP_BROWSER").is_some() {
            eprintln!("chromium not installed: skipped (KITEI_SKIP_BROWSER)");
            return;
        }
        panic!("chromium not installed (./run test installs it as root; KITEI_SKIP_BROWSER=1 to skip)");
    }
    let r = gunma();
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("diff-html");
    std::fs::create_dir_all(&out).expect("output dir");
    let page = out.join("gunma-2019-vs-gunma-2023.html");
    std::fs::write(&page, diff::render(r, Format::Html).expect("html")).expect("write html");
    let url = format!("file://{}", page.display());

    let profile = out.join(format!("profile-dom-{}", std::process::id()));
    let dom = run_with_timeout(&mut chromium(&profile, &["--dump-dom".into(), url.clone()]), Duration::from_secs(90));
    assert!(dom.status.success(), "chromium --dump-dom failed: {:?}", dom.status);
    let dom = String::from_utf8_lossy(&dom.stdout);
    let rows = dom.matches("<tr class=\"group\"").count();
    assert_eq!(rows, r.groups.len(), "one row per difference group");
    for op in ["eligibility", "accounts", "authorize", "liability"] {
        assert!(dom.contains(&format!("data-operation=\"{op}\"")), "{op} rows");
    }
    assert!(dom.contains("新旧対比表") && dom.contains("キャッシュカード"), "Japanese intact");

    let shot = out.join("gunma-2019-vs-gunma-2023.png");
    let _ = std::fs::remove_file(&shot);
    let profile = out.join(format!("profile-shot-{}", std::process::id()));
    let args = [format!("--screenshot={}", shot.display()), "--window-size=1400,1000".into(), url];
    let status = run_with_timeout(&mut chromium(&profile, &args), Duration::from_secs(90)).status;
    assert!(status.success(), "chromium --screenshot failed: {status:?}");
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 10_000, "screenshot {} is {size} bytes", shot.display());
    println!("screenshot: {}", shot.display());
    eprintln!("screenshot: {}", shot.display());
}
