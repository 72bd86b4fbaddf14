//! The explorer at `/` in a real browser: `kitei serve` in-process on a
//! loopback port, Debian's chromium driven through chromedriver (WebDriver).
//!
//! What a reviewer does, each step asserted on what the page shows: the
//! institutions' timeline (gunma's 2019 → 2023 revision), the diff of the two
//! gunma versions (the account kinds of 第2条第2項 changed), a decision tried in
//! the form (a card loan over ANSER at toyama: denied under 第2条第2項第3号,
//! the cite linking to its rule), deep links loaded fresh (a rule, a filled
//! form), an error answer shown as an error, a 390 px wide screen without
//! horizontal overflow, dark mode from the platform setting, and Japanese set
//! in a CJK font. Screenshots go to `<target>/explorer-screenshots/`.
//!
//! First, the unit cases of the explorer's modules (`tests/explorer/unit.js`:
//! the character diff, hash routes, formatting, the form's fill/read) run in
//! the page, each reported by name.
//!
//! chromium and chromedriver must be installed (`./run test` installs them);
//! without them the test fails, unless KITEI_SKIP_BROWSER is set.

use fantoccini::{Client, Locator};
use kitei_serve::{self as serve, Config, ServerHandle};
use kitei_tests::browser::{CHROMEDRIVER, CHROMIUM, Driver, cdp};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Any one wait for the page.
const WAIT: Duration = Duration::from_secs(20);
/// The whole browser part of the test.
const TOTAL: Duration = Duration::from_secs(110);

const CARD_LOAN_CITE: &str = "第2条第2項第3号";

// ---------------------------------------------------------------------------
// the page

struct Page<'a> {
    c: &'a Client,
    base: &'a str,
    shots: &'a Path,
}

impl Page<'_> {
    /// Loads `route` as a fresh document (never a same-document hash change).
    async fn open(&self, route: &str) {
        self.c.goto("about:blank").await.expect("about:blank");
        let url = format!("{}/{route}", self.base);
        self.c.goto(&url).await.unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        match self.c.execute(script, args).await {
            Ok(v) => v,
            Err(e) => self.fail(&format!("script failed: {e}\n{script}")).await,
        }
    }

    /// Waits (bounded) for an element.
    async fn element(&self, css: &str) -> fantoccini::elements::Element {
        match self.c.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => self.fail(&format!("no `{css}` within {WAIT:?} ({e})")).await,
        }
    }

    /// Waits (bounded) until `script` returns something truthy, and returns it.
    async fn until(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.js(script, vec![]).await;
            let truthy = !matches!(v, Value::Null | Value::Bool(false)) && v != json!("") && v != json!(0);
            if truthy {
                return v;
            }
            if Instant::now() > deadline {
                self.fail::<()>(&format!("timed out after {WAIT:?} waiting for {what}")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fails the test with what the page showed, and a screenshot of it.
    async fn fail<T>(&self, why: &str) -> T {
        let url = self.c.current_url().await.map(|u| u.to_string()).unwrap_or_default();
        let text = self
            .c
            .execute("return document.body ? document.body.innerText : ''", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let errors = self.c.execute("return window.__kiteiErrors || []", vec![]).await.unwrap_or_default();
        // when each request of the page started and ended (ms since the page's start), to tell a slow answer from a page that stopped
        let timings = self
            .c
            .execute(
                "return performance.getEntriesByType('resource').map(e => `${e.name.replace(location.origin, '')} ${Math.round(e.startTime)}–${Math.round(e.responseEnd)} ms`)",
                vec![],
            )
            .await
            .unwrap_or_default();
        let shot = self.shots.join("failure.png");
        if let Ok(png) = self.c.screenshot().await {
            let _ = std::fs::write(&shot, png);
        }
        let text: String = text.chars().take(4000).collect();
        panic!("{why}\n--- at {url}\n--- script errors: {errors}\n--- requests: {timings}\n--- screenshot: {}\n--- the page showed:\n{text}", shot.display());
    }

    fn check(&self, ok: bool, why: &str) -> impl std::future::Future<Output = ()> + '_ {
        let why = why.to_string();
        async move {
            if !ok {
                self.fail::<()>(&why).await;
            }
        }
    }

    /// No script error or CSP violation since the page loaded.
    async fn no_errors(&self, step: &str) {
        let errors = self.js("return window.__kiteiErrors || ['the error recorder is missing']", vec![]).await;
        self.check(errors == json!([]), &format!("{step}: script errors or CSP violations: {errors}")).await;
    }

    async fn screenshot(&self, name: &str) {
        // let transitions and the highlight settle
        tokio::time::sleep(Duration::from_millis(200)).await;
        let png = match self.c.screenshot().await {
            Ok(p) => p,
            Err(e) => self.fail(&format!("screenshot {name}: {e}")).await,
        };
        assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        eprintln!("explorer: screenshot {}", path.display());
    }

    /// Sizes the window so the page's viewport is `w`×`h` CSS pixels.
    async fn viewport(&self, w: u32, h: u32) {
        self.c.set_window_size(w, h).await.expect("set window size");
        let inner = self.js("return [innerWidth, innerHeight]", vec![]).await;
        let (iw, ih) = (inner[0].as_u64().unwrap_or(w as u64) as u32, inner[1].as_u64().unwrap_or(h as u64) as u32);
        if iw != w || ih != h {
            self.c.set_window_size(w + w.saturating_sub(iw), h + h.saturating_sub(ih)).await.expect("set window size");
        }
    }

    /// The document's horizontal overflow in CSS pixels (0 when none).
    async fn overflow(&self) -> i64 {
        let v = self
            .js(
                "const d = document.documentElement; \
                 return Math.max(d.scrollWidth, document.body.scrollWidth) - d.clientWidth",
                vec![],
            )
            .await;
        v.as_i64().unwrap_or(i64::MAX)
    }
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if Path::new(&d).is_absolute() => PathBuf::from(d),
        Some(d) => kitei_tests::root().join(d),
        None => kitei_tests::root().join("target"),
    }
}

/// Relative luminance of a CSS `rgb(...)`/`rgba(...)` colour.
fn luminance(css: &str) -> f64 {
    let nums: Vec<f64> = css.trim_start_matches(|c: char| !c.is_ascii_digit()).split([',', ')', ' ']).filter_map(|s| s.trim().parse().ok()).collect();
    assert!(nums.len() >= 3, "not an rgb colour: {css}");
    let lin = |c: f64| {
        let c = c / 255.0;
        if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(nums[0]) + 0.7152 * lin(nums[1]) + 0.0722 * lin(nums[2])
}

fn browser_present() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER].into_iter().filter(|p| !Path::new(p).exists()).collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var_os("KITEI_SKIP_BROWSER").is_some() {
        eprintln!("explorer: {} missing: SKIPPED because KITEI_SKIP_BROWSER is set", missing.join(", "));
        return false;
    }
    panic!(
        "{} missing: the explorer test needs Debian's chromium and chromium-driver (and fonts-noto-cjk); \
         run ./run test, which installs them (as root: apt-get install -y chromium chromium-driver fonts-noto-cjk)",
        missing.join(", ")
    );
}

// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explorer_in_a_real_browser() {
    if !browser_present() {
        return;
    }
    // built before the clock starts: the six, copied into a directory of
    // this test's (the last stage adds modules to it), and the example
    // institution whose modules declare terms
    let policies = served_copy(kitei_tests::policies());
    let kamome = kitei_tests::example_policies("kamome");
    let started = Instant::now();
    let shots = target_dir().join("explorer-screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    // shadowed: gunma's page shows what gunma-2023 would change
    let (addr, handle) = serve::spawn(Config {
        policies: policies.clone(),
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        shadow: Some(serve::ShadowConfig::default()),
        ..Config::default()
    })
    .await
    .expect("kitei serve starts");
    // the modules in a fresh directory are compiled at the first load, which
    // takes seconds on a loaded machine: the walk starts once it has ended
    let ready = Instant::now();
    while reqwest::get(format!("http://{addr}/readyz")).await.map(|r| r.status() != 200).unwrap_or(true) {
        assert!(ready.elapsed() < Duration::from_secs(60), "kitei serve not ready within 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // two card loans of 2021: gunma-2019 answers, gunma-2023 in its shadow
    let http = reqwest::Client::new();
    for n in 0..2 {
        let r = http.post(format!("http://{addr}/v1/decisions")).json(&kitei_tests::gunma_card_loan(n)).send().await.expect("a decision");
        assert_eq!(r.status(), 200);
    }
    while reqwest::get(format!("http://{addr}/v1/shadow")).await.expect("GET /v1/shadow").json::<Value>().await.expect("JSON")["pairs"][0]["compared"] != 2 {
        assert!(ready.elapsed() < Duration::from_secs(120), "the two decisions not shadowed within 120 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut driver = Driver::start(&shots).await;
    let result = tokio::time::timeout(TOTAL, walk_through(&mut driver, addr, &shots, &policies, &kamome)).await;
    handle.shutdown();
    drop(driver);
    stop(handle).await;
    let _ = std::fs::remove_dir_all(&policies);
    if result.is_err() {
        panic!("the explorer test did not finish within {TOTAL:?}");
    }
    eprintln!("explorer: every check passed in {:.1} s; screenshots in {}", started.elapsed().as_secs_f64(), shots.display());
}

async fn stop(handle: ServerHandle) {
    let _ = tokio::time::timeout(Duration::from_secs(10), handle.join()).await;
}

/// The modules of `built` (`*.wasm`) copied into a fresh directory.
fn served_copy(built: &Path) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kitei-explorer-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("served dir");
    for entry in std::fs::read_dir(built).expect("built policies") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "wasm") {
            std::fs::copy(&path, dir.join(path.file_name().expect("a name"))).expect("copy a module");
        }
    }
    dir
}

async fn walk_through(driver: &mut Driver, addr: SocketAddr, shots: &Path, served: &Path, kamome: &Path) {
    let base = &format!("http://{addr}");
    let c = driver.session(&[]).await;
    let page = Page { c: &c, base, shots };
    page.viewport(1280, 800).await;
    unit_cases(&page).await;
    let light = page_checks(&page).await;
    narrow(&page, &light).await;
    c.close().await.expect("close the light session");

    // the platform's dark setting, in a second browser
    let c = driver.session(&["--force-dark-mode"]).await;
    let page = Page { c: &c, base, shots };
    page.viewport(1280, 800).await;
    dark(&page, &light).await;
    c.close().await.expect("close the dark session");

    // a filled form's link as the first page of a new browser, over a fast
    // and over slow networks
    let c = driver.session(&[]).await;
    let page = Page { c: &c, base, shots };
    page.viewport(1280, 800).await;
    try_link_first(&page, addr, &light).await;
    c.close().await.expect("close the deep-link session");

    // a module declaring its own terms arrives while serving
    let c = driver.session(&[]).await;
    let page = Page { c: &c, base, shots };
    page.viewport(1280, 800).await;
    declared_terms(&page, served, kamome).await;
    c.close().await.expect("close the declared-terms session");
}

/// The legend of the form's section where a fact of `kind` is asked.
fn fact_section(kind: kitei::types::TermKind) -> &'static str {
    use kitei::types::TermKind;
    match kind {
        TermKind::CustomerFact => "Customer",
        TermKind::ProviderFact => "Provider (API連携事業者)",
        TermKind::ConsentFact => "Consent",
        TermKind::ServiceFact => "Service windows",
        other => panic!("{other:?} is not a fact"),
    }
}

/// The example institution's modules are added to the served directory: once
/// they serve, a fresh page's form offers the terms they declare (a declared
/// function in the function list, a declared fact as a checkbox in its
/// section, a declared account flag on each account) and sends them, and the
/// rule sheet of a module lists its terms.
async fn declared_terms(page: &Page<'_>, served: &Path, kamome: &Path) {
    use kitei::Wire;
    use kitei::types::TermKind;
    let registry = kitei::Registry::load_dir(&kitei_tests::runtime(), kamome).expect("kamome modules");
    let kojin = registry.variant("kamome-kojin-2026").expect("kamome-kojin-2026 built").info().metadata.clone();
    let all: Vec<kitei::types::Term> = registry.policies().iter().flat_map(|p| p.info().metadata.terms.clone()).collect();
    let function = kojin.terms.iter().find(|t| t.kind == TermKind::Function).expect("kojin declares a function").name.clone();
    let fact = kojin.terms.iter().find(|t| kitei::is_fact(t.kind)).expect("kojin declares a fact").clone();
    let flags: Vec<&str> = all.iter().filter(|t| t.kind == TermKind::AccountFlag).map(|t| t.name.as_str()).collect();
    page.check(!flags.is_empty(), "kamome declares an account flag").await;
    for v in ["kamome-kojin-2026", "kamome-hojin-2026"] {
        std::fs::copy(kamome.join(format!("{v}.wasm")), served.join(format!("{v}.wasm"))).expect("add a kamome module");
    }
    let start = Instant::now();
    loop {
        let list: Value = reqwest::get(format!("{}/v1/policies", page.base)).await.expect("GET /v1/policies").json().await.expect("JSON");
        let serving = |v: &str| list["policies"].as_array().is_some_and(|a| a.iter().any(|p| p["variant"] == v));
        if serving("kamome-kojin-2026") && serving("kamome-hojin-2026") {
            break;
        }
        page.check(start.elapsed() < WAIT, &format!("kamome served within {WAIT:?}: {list}")).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    page.open("#/try").await;
    page.element("form#decide-form .account-row").await;
    let offered = page
        .js(
            "return { functions: [...document.getElementById('f-function').options].map(o => o.value),               authorized: [...document.querySelectorAll('input.auth-fn')].map(b => b.value),               facts: [...document.querySelectorAll('input.decl-fact')].map(b => [b.dataset.fact, b.closest('fieldset').querySelector('legend').textContent]),               flags: [...document.querySelectorAll('.account-row input.acc-flag')].map(b => b.dataset.flag) }",
            vec![],
        )
        .await;
    let has = |list: &Value, v: &str| list.as_array().is_some_and(|a| a.iter().any(|x| x == v));
    page.check(
        has(&offered["functions"], &function) && has(&offered["authorized"], &function),
        &format!("the form offers the declared function {function}: {offered}"),
    )
    .await;
    for t in all.iter().filter(|t| kitei::is_fact(t.kind)) {
        page.check(
            offered["facts"].as_array().is_some_and(|a| a.iter().any(|f| f[0] == t.name.as_str() && f[1] == fact_section(t.kind))),
            &format!("the form offers the declared {} {} in its section {}: {offered}", t.kind.wire(), t.name, fact_section(t.kind)),
        )
        .await;
    }
    for flag in &flags {
        page.check(has(&offered["flags"], flag), &format!("each account offers the declared flag {flag}: {offered}")).await;
    }
    page.no_errors("declared terms in the form").await;

    // asked and sent in their own words
    let form = page.element("form#decide-form").await;
    form.find(Locator::Css("#f-institution")).await.expect("institution").select_by_value("kamome").await.expect("kamome");
    form.find(Locator::Css("#f-variant")).await.expect("variant").select_by_value("kamome-kojin-2026").await.expect("kamome-kojin-2026");
    form.find(Locator::Css("#f-operation")).await.expect("operation").select_by_value("authorize").await.expect("authorize");
    let at = form.find(Locator::Css("#f-at")).await.expect("at");
    at.clear().await.expect("clear at");
    at.send_keys("2026-05-01T10:00:00+09:00").await.expect("type at");
    form.find(Locator::Css("#f-function")).await.expect("function").select_by_value(&function).await.expect("the declared function");
    form.find(Locator::Css(&format!("input.decl-fact[data-fact='{}']", fact.name))).await.expect("the declared fact").click().await.expect("check it");
    form.find(Locator::Css("#decide")).await.expect("decide").click().await.expect("click decide");
    page.element("#answer-body .answer, #answer-body .error-box").await;
    let answer = answer_of(page).await;
    page.check(answer["error"].is_null(), &format!("kamome answers its own terms: {answer}")).await;
    page.check(
        answer["sent"]["function"] == function.as_str() && answer["sent"]["facts"][fact.name.as_str()] == true,
        &format!("the JSON sent names the declared function and fact: {answer}"),
    )
    .await;
    page.check(answer["got"]["policy"]["variant"] == "kamome-kojin-2026", &format!("kamome-kojin-2026 answered: {answer}")).await;
    page.no_errors("a decision in declared terms").await;
    page.screenshot("try-declared-terms").await;

    // the rule sheet lists the module's terms, each linked to the rule introducing it
    page.open("#/variant/kamome-kojin-2026").await;
    page.element("#terms tr.term").await;
    let rows = page
        .js("return [...document.querySelectorAll('#terms tr.term')].map(r => [r.dataset.term, r.dataset.kind, r.querySelector('a') && r.querySelector('a').textContent])", vec![])
        .await;
    let want: Vec<Value> = kojin.terms.iter().map(|t| json!([t.name, t.kind.wire(), kitei::cite(&kojin.rules[t.rule as usize].clause)])).collect();
    page.check(rows == json!(want), &format!("the rule sheet's Terms list {want:?}: {rows}")).await;
    page.no_errors("terms on the rule sheet").await;
    page.screenshot("rule-sheet-terms").await;
}

/// The `#/try?q=` link decides again however its page's requests are timed:
/// loaded first thing in a new browser session (nothing cached), then
/// through a proxy that holds back `/openapi.json` (the form's lists come
/// after the route has started), then one that holds back the decision (the
/// form is on the page well before its answer).
async fn try_link_first(page: &Page<'_>, addr: SocketAddr, light: &Light) {
    let route = light.try_link.split_once('#').map_or("", |(_, r)| r);
    let cases: [(&str, Option<(&'static str, Duration)>); 3] = [
        ("first page of a new browser", None),
        ("slow /openapi.json", Some(("/openapi.json", Duration::from_millis(1500)))),
        ("slow POST /v1/decisions", Some(("/v1/decisions", Duration::from_millis(800)))),
    ];
    for (what, delay) in cases {
        let proxy = match delay {
            Some((path, by)) => Some(SlowProxy::start(addr, path, by).await),
            None => None,
        };
        let origin = proxy.as_ref().map_or(addr, |p| p.addr);
        let url = format!("http://{origin}/#{route}");
        // the first document of this session is the link itself
        page.c.goto(&url).await.unwrap_or_else(|e| panic!("goto {url}: {e}"));
        page.element("#answer-body .answer, #answer-body .error-box").await;
        let again = answer_of(page).await;
        page.check(
            again["got"] == light.answer["got"] && again["sent"] == light.answer["sent"],
            &format!("{what}: the try link gives the same answer:\nfirst {}\nagain {again}", light.answer),
        )
        .await;
        if let Some(p) = &proxy {
            page.check(p.held() > 0, &format!("{what}: the proxy held back no request for {}", p.path)).await;
        }
        page.no_errors(what).await;
        page.c.goto("about:blank").await.expect("about:blank");
    }
}

/// A reverse proxy on loopback in front of the service that holds back every
/// answer to one path for a while: a slow network for the page, on demand.
struct SlowProxy {
    addr: SocketAddr,
    path: &'static str,
    held: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl SlowProxy {
    async fn start(upstream: SocketAddr, path: &'static str, by: Duration) -> SlowProxy {
        use http_body_util::{BodyExt, Full};
        use hyper::body::{Bytes, Incoming};
        use hyper_util::client::legacy::Client;
        use hyper_util::rt::{TokioExecutor, TokioIo};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let held = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let counter = held.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (client, counter) = (client.clone(), counter.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                        let (client, counter) = (client.clone(), counter.clone());
                        async move {
                            let (mut parts, body) = req.into_parts();
                            let body = body.collect().await?.to_bytes();
                            let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                            parts.uri = format!("http://{upstream}{target}").parse().expect("upstream uri");
                            if parts.uri.path() == path {
                                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                                tokio::time::sleep(by).await;
                            }
                            let answer = match client.request(hyper::Request::from_parts(parts, Full::new(body))).await {
                                Ok(answer) => answer,
                                Err(e) => {
                                    let mut bad = hyper::Response::new(Full::new(Bytes::from(format!("the proxy's upstream: {e}"))));
                                    *bad.status_mut() = hyper::StatusCode::BAD_GATEWAY;
                                    return Ok(bad);
                                }
                            };
                            let (parts, body) = answer.into_parts();
                            let body = body.collect().await?.to_bytes();
                            Ok::<_, hyper::Error>(hyper::Response::from_parts(parts, Full::new(body)))
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        SlowProxy { addr, path, held, task }
    }

    /// How many requests were held back.
    fn held(&self) -> usize {
        self.held.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for SlowProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The unit cases of the explorer's modules (`tests/explorer/unit.js`), run
/// in the page as an execute-async script that imports the modules the page
/// runs: each case reported by name; any failing case fails the test with its
/// name and values.
async fn unit_cases(page: &Page<'_>) {
    page.open("").await;
    page.element(".tl-lane").await;
    let results = match page.c.execute_async(include_str!("explorer/unit.js"), vec![]).await {
        Ok(v) => v,
        Err(e) => page.fail(&format!("tests/explorer/unit.js did not run: {e}")).await,
    };
    let cases = results.as_array().cloned().unwrap_or_default();
    page.check(!cases.is_empty(), &format!("tests/explorer/unit.js answered no cases: {results}")).await;
    let mut failed = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("(a case without a name)");
        let ok = case["ok"] == true;
        eprintln!("explorer unit: {} {name}", if ok { "ok  " } else { "FAIL" });
        if !ok {
            let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
            failed.push(format!("{name}\n    got:  {}\n    want: {}", text(&case["got"]), text(&case["want"])));
        }
    }
    page.check(failed.is_empty(), &format!("{} of {} unit cases of tests/explorer/unit.js failed:\n{}", failed.len(), cases.len(), failed.join("\n"))).await;
    page.no_errors("unit cases").await;
    eprintln!("explorer unit: {} cases passed", cases.len());
}

/// What the light session learned, for the later sessions to compare.
struct Light {
    body_bg: String,
    try_link: String,
    answer: Value,
}

/// Every view in turn, as a reviewer walks through them; each view's checks
/// are one function. What later sessions compare against is returned.
async fn page_checks(page: &Page<'_>) -> Light {
    let body_bg = overview(page).await;
    institution(page).await;
    diff(page).await;
    matrix(page).await;
    let (try_link, answer) = try_decision(page).await;
    rule_deep_link(page).await;
    try_deep_link(page, &try_link, &answer).await;
    error_answer(page).await;
    japanese_font(page).await;
    Light { body_bg, try_link, answer }
}

/// The overview: every institution on a timeline, gunma's two versions in
/// order, light mode's background (returned).
async fn overview(page: &Page<'_>) -> String {
    page.open("").await;
    page.element(".tl-lane[data-institution='gunma']").await;
    let gunma = page
        .js(
            "const lane = document.querySelector(\".tl-lane[data-institution='gunma']\");\
             return [...lane.querySelectorAll('a.tl-bar')].map(a => { const r = a.getBoundingClientRect();\
               return { variant: a.dataset.variant, from: a.dataset.from, until: a.dataset.until, left: r.left, right: r.right, href: a.getAttribute('href') }; })",
            vec![],
        )
        .await;
    let bars = gunma.as_array().cloned().unwrap_or_default();
    page.check(
        bars.len() == 2 && bars[0]["variant"] == "gunma-2019" && bars[1]["variant"] == "gunma-2023",
        &format!("gunma's lane shows gunma-2019 then gunma-2023: {gunma}"),
    )
    .await;
    page.check(
        bars[0]["from"] == "2019-11-26" && bars[0]["until"] == "2023-06-05" && bars[1]["from"] == "2023-06-06" && bars[1]["until"] == "",
        &format!("gunma's effective dates on the timeline: {gunma}"),
    )
    .await;
    let (l0, r0, l1) = (bars[0]["left"].as_f64().unwrap_or(0.0), bars[0]["right"].as_f64().unwrap_or(0.0), bars[1]["left"].as_f64().unwrap_or(0.0));
    page.check(l0 < l1 && r0 <= l1 + 1.0 && r0 - l0 > 50.0, &format!("the 2019 bar ends where the 2023 bar starts, in date order: {gunma}")).await;
    let lanes = page.js("return [...document.querySelectorAll('.tl-lane')].map(l => l.dataset.institution)", vec![]).await;
    page.check(lanes == json!(["akita", "gunma", "koza-renkei", "rokin", "toyama"]), &format!("one lane per institution: {lanes}")).await;
    let body_bg = page.js("return getComputedStyle(document.body).backgroundColor", vec![]).await.as_str().unwrap_or_default().to_string();
    page.check(luminance(&body_bg) > 0.8, &format!("light mode has a light background: {body_bg}")).await;
    page.no_errors("overview").await;
    page.screenshot("overview").await;

    body_bg
}

/// Gunma's page (from its lane on the overview): its versions, and the link
/// comparing them, followed.
async fn institution(page: &Page<'_>) {
    page.element(".tl-lane[data-institution='gunma'] .tl-label a").await.click().await.expect("click gunma");
    page.element("article.version[data-variant='gunma-2023']").await;
    let versions = page.js("return [...document.querySelectorAll('article.version')].map(a => a.dataset.variant)", vec![]).await;
    page.check(versions == json!(["gunma-2019", "gunma-2023"]), &format!("gunma's page lists both versions: {versions}")).await;
    // and what gunma-2023 would change of the traffic gunma-2019 answers (GET /v1/shadow)
    let line = page.element(".shadow-line[data-module='gunma-2019'][data-shadow='gunma-2023']").await.text().await.expect("the shadow line");
    page.check(
        line.starts_with("from 2023-06-06 gunma-2023 (next version): 2 of 2 decisions of gunma-2019 since ")
            && line.contains("would change, under 第2条第2項 (2)"),
        &format!("the shadow line: {line}"),
    )
    .await;
    page.element("a[data-old='gunma-2019'][data-new='gunma-2023']").await.click().await.expect("click compare");
}

/// The diff (opened from gunma's page): 第2条第2項's account kinds changed.
async fn diff(page: &Page<'_>) {
    page.element("section.op[data-operation='accounts'] article.group").await;
    let hash = page.js("return decodeURIComponent(location.hash)", vec![]).await;
    page.check(hash == "#/diff/gunma-2019/gunma-2023", &format!("the diff's deep link: {hash}")).await;
    let change = page
        .js(
            &format!(
                "const groups = [...document.querySelectorAll(\"section.op[data-operation='accounts'] article.group\")];\
                 const g = groups.find(g => g.querySelector(\"[data-side='old'] li[data-cite='第2条第2項'][data-met='false'][data-code='account_kind_not_linkable']\")\
                   && g.querySelector(\"[data-side='new'] li[data-cite='{CARD_LOAN_CITE}'][data-met='true']\"));\
                 if (!g) return null;\
                 return {{ old: g.querySelector(\"[data-side='old'] .outcome\").textContent, new: g.querySelector(\"[data-side='new'] .outcome\").textContent,\
                   link: g.querySelector(\"[data-side='new'] li[data-cite='{CARD_LOAN_CITE}'] a.cite-link\").getAttribute('href'),\
                   text: g.querySelector(\"[data-side='new'] li[data-cite='{CARD_LOAN_CITE}']\").textContent, groups: groups.length }}"
            ),
            vec![],
        )
        .await;
    page.check(
        change != Value::Null,
        "the accounts differences include a card loan: not linkable under 第2条第2項 (2019), linkable under 第2条第2項第3号 (2023)",
    )
    .await;
    page.check(change["old"] == "not linkable" && change["new"] == "linkable", &format!("outcomes of the card-loan change: {change}")).await;
    page.check(change["text"].as_str().unwrap_or_default().contains("カードローン"), &format!("the 2023 clause's text: {change}")).await;
    let link = change["link"].as_str().unwrap_or_default();
    page.check(percent_decode(link) == format!("#/variant/gunma-2023/rule/{CARD_LOAN_CITE}"), &format!("the new clause links to its rule: {link}")).await;
    // and the 新旧対比表 puts the old and new text side by side
    let row = page
        .js(
            &format!(
                "const tr = document.querySelector(\"table.taiso tr[data-cite='{CARD_LOAN_CITE}']\");\
                 return tr && [tr.querySelector('td.old').textContent, tr.querySelector('td.new').textContent]"
            ),
            vec![],
        )
        .await;
    page.check(row == json!(["貯蓄預金", "カードローン"]), &format!("新旧対比表 row {CARD_LOAN_CITE}: {row}")).await;
    page.no_errors("diff").await;
    page.js("document.querySelector(\"section.op[data-operation='accounts']\").scrollIntoView()", vec![]).await;
    page.screenshot("diff").await;
}

/// The matrix: one column per variant, toyama's card loan over ANSER not
/// linkable.
async fn matrix(page: &Page<'_>) {
    page.open("#/matrix").await;
    page.element("table.matrix tbody tr").await;
    let columns = page.js("return [...document.querySelectorAll('table.matrix thead th[data-variant]')].map(th => th.dataset.variant)", vec![]).await;
    page.check(
        columns == json!(["akita-notice", "gunma-2019", "gunma-2023", "koza-renkei-2020", "rokin-2019", "toyama-2023"]),
        &format!("matrix columns: {columns}"),
    )
    .await;
    let cell = page
        .js(
            "const tr = document.querySelector(\"table.matrix tr[data-label='card_loan @ anser_api']\");\
             if (!tr) return null; const td = tr.querySelectorAll('td')[5];\
             return { value: td.querySelector('.outcome').textContent, unmet: [...td.querySelectorAll('.unmet')].map(u => u.dataset.cite), differs: tr.classList.contains('differs') }",
            vec![],
        )
        .await;
    page.check(
        cell["value"] == "not linkable" && cell["unmet"] == json!([CARD_LOAN_CITE]) && cell["differs"] == true,
        &format!("matrix: toyama's card loan over anser_api: {cell}"),
    )
    .await;
    page.no_errors("matrix").await;
    page.screenshot("matrix").await;
}

/// Try a decision: a card loan over ANSER at toyama, denied, its cite
/// followed to the rule. Returns the filled form's link and the answer.
async fn try_decision(page: &Page<'_>) -> (String, Value) {
    page.open("#/try").await;
    let form = page.element("form#decide-form").await;
    // every list of values is a <select> filled from /openapi.json's enums
    let lists = page
        .js(
            "const ids = ['f-operation', 'f-function', 'f-segment', 'f-channel', 'f-incident-kind', 'f-loss-event'];             const out = {}; for (const id of ids) { const e = document.getElementById(id);               out[id] = e.tagName === 'SELECT' ? [...e.options].map(o => o.value).filter(Boolean) : null; }             out.kind = [...document.querySelector('.acc-kind').options].map(o => o.value);             out.authorized = [...document.querySelectorAll('input.auth-fn')].map(b => b.value); return out",
            vec![],
        )
        .await;
    let openapi: Value = reqwest::get(format!("{}/openapi.json", page.base)).await.expect("GET /openapi.json").json().await.expect("openapi JSON");
    for (id, schema) in [
        ("f-operation", "Operation"),
        ("f-function", "Function"),
        ("f-segment", "Segment"),
        ("f-channel", "Channel"),
        ("f-incident-kind", "IncidentKind"),
        ("f-loss-event", "LossEvent"),
        ("kind", "AccountKind"),
        ("authorized", "Function"),
    ] {
        let values = &openapi["components"]["schemas"][schema]["enum"];
        page.check(values.is_array() && lists[id] == *values, &format!("the form's {id} lists /openapi.json's {schema} {values}: {}", lists[id])).await;
    }
    form.find(Locator::Css("#f-institution")).await.expect("institution").select_by_value("toyama").await.expect("toyama");
    form.find(Locator::Css("#f-operation")).await.expect("operation").select_by_value("authorize").await.expect("authorize");
    let at = form.find(Locator::Css("#f-at")).await.expect("at");
    at.clear().await.expect("clear at");
    at.send_keys("2023-07-03T10:00:00+09:00").await.expect("type at");
    form.find(Locator::Css(".account-row .acc-kind")).await.expect("kind").select_by_value("card_loan").await.expect("card_loan");
    form.find(Locator::Css("#f-channel")).await.expect("channel").select_by_value("anser_api").await.expect("anser_api");
    form.find(Locator::Css("#f-function")).await.expect("function").select_by_value("balance").await.expect("balance");
    form.find(Locator::Css("#decide")).await.expect("decide").click().await.expect("click decide");
    page.element("#answer-body .answer, #answer-body .error-box").await;
    let answer = answer_of(page).await;
    page.check(answer["decision"] == "deny", &format!("a card loan over ANSER at toyama is denied: {answer}")).await;
    page.check(
        answer["sent"]["provider"]["channel"] == "anser_api" && answer["sent"]["customer"]["accounts"][0]["kind"] == "card_loan",
        &format!("the JSON sent: {answer}"),
    )
    .await;
    page.check(answer["got"]["decision"] == "deny" && answer["got"]["policy"]["variant"] == "toyama-2023", &format!("the JSON got: {answer}")).await;
    let reason = page
        .js(
            &format!(
                "const li = document.querySelector(\"#answer-body li.reason[data-cite='{CARD_LOAN_CITE}'][data-code='account_kind_not_linkable']\");\
                 return li && {{ met: li.dataset.met, href: li.querySelector('a.cite-link').getAttribute('href') }}"
            ),
            vec![],
        )
        .await;
    page.check(reason["met"] == "false", &format!("{CARD_LOAN_CITE} cited as not met: {reason}")).await;
    let href = reason["href"].as_str().unwrap_or_default().to_string();
    page.check(percent_decode(&href) == format!("#/variant/toyama-2023/rule/{CARD_LOAN_CITE}"), &format!("the cite links to its rule: {href}")).await;
    let try_link = page.js("return location.href", vec![]).await.as_str().unwrap_or_default().to_string();
    page.check(try_link.contains("#/try?q="), &format!("the address bar holds the filled form: {try_link}")).await;
    page.no_errors("try").await;
    page.js("window.scrollTo(0, 0)", vec![]).await;
    page.screenshot("try-answer").await;

    // the cite is a link to the rule sheet, scrolled to and highlighting the rule
    page.element(&format!("#answer-body li.reason[data-cite='{CARD_LOAN_CITE}'] a.cite-link")).await.click().await.expect("click the cite");
    rule_highlighted(page, "toyama-2023").await;

    (try_link, answer)
}

/// A rule's deep link, loaded fresh.
async fn rule_deep_link(page: &Page<'_>) {
    page.open(&format!("#/variant/toyama-2023/rule/{}", percent_encode(CARD_LOAN_CITE))).await;
    rule_highlighted(page, "toyama-2023").await;
    page.no_errors("rule deep link").await;
    page.screenshot("rule-sheet").await;
}

/// A filled form's deep link, loaded fresh: it decides again with the same
/// answer.
async fn try_deep_link(page: &Page<'_>, try_link: &str, answer: &Value) {
    c_goto_fresh(page, try_link).await;
    page.element("#answer-body .answer, #answer-body .error-box").await;
    let again = answer_of(page).await;
    page.check(
        again["got"] == answer["got"] && again["sent"] == answer["sent"],
        &format!("the try link gives the same answer:\nfirst {answer}\nagain {again}"),
    )
    .await;
    let filled = page
        .js(
            "return [document.getElementById('f-institution').value, document.querySelector('.acc-kind').value, document.getElementById('f-channel').value]",
            vec![],
        )
        .await;
    page.check(filled == json!(["toyama", "card_loan", "anser_api"]), &format!("the try link fills the form: {filled}")).await;
}

/// An error answer is shown as the error it is, never as a decision.
async fn error_answer(page: &Page<'_>) {
    let bad = json!({ "institution": "toyama", "operation": "authorize", "at": "not a time", "function": "balance", "bogus": 1 });
    page.open(&format!("#/try?q={}", percent_encode(&bad.to_string()))).await;
    page.element("#answer-body .error-box, #answer-body .answer").await;
    let shown = page
        .js(
            "const b = document.getElementById('answer-body'); const e = b.querySelector('.error-box');\
             return { code: e && e.dataset.errorCode, message: e && e.textContent, decision: !!b.querySelector('[data-decision], .outcome'),\
               notice: document.getElementById('form-notice').hidden ? '' : document.getElementById('form-notice').textContent }",
            vec![],
        )
        .await;
    page.check(
        shown["code"] == "invalid_request" && !shown["decision"].as_bool().unwrap_or(true),
        &format!("an invalid request shows the API's error and no decision: {shown}"),
    )
    .await;
    page.check(shown["message"].as_str().unwrap_or_default().contains("`at`"), &format!("the error names the field: {shown}")).await;
    page.check(shown["notice"].as_str().unwrap_or_default().contains("bogus"), &format!("the form says which fields it could not hold: {shown}")).await;
    page.no_errors("error answer").await;
}

/// Japanese is set in a CJK font.
async fn japanese_font(page: &Page<'_>) {
    let fc = Command::new("fc-list").arg(":lang=ja").arg("family").output().expect("fc-list (fontconfig)");
    let families = String::from_utf8_lossy(&fc.stdout).to_string();
    assert!(!families.trim().is_empty(), "no font for Japanese installed (fc-list :lang=ja is empty): install fonts-noto-cjk (./run test does)");
    page.open("#/variant/toyama-2023").await;
    page.element("li.rule .text").await;
    cdp(page.c, "DOM.enable", json!({})).await;
    cdp(page.c, "CSS.enable", json!({})).await;
    let root = cdp(page.c, "DOM.getDocument", json!({ "depth": 0 })).await["root"]["nodeId"].clone();
    let node = cdp(page.c, "DOM.querySelector", json!({ "nodeId": root, "selector": "li.rule .text" })).await["nodeId"].clone();
    let fonts = cdp(page.c, "CSS.getPlatformFontsForNode", json!({ "nodeId": node })).await;
    let used: Vec<String> = fonts["fonts"].as_array().into_iter().flatten().filter_map(|f| f["familyName"].as_str().map(str::to_string)).collect();
    assert!(
        !used.is_empty() && used.iter().all(|f| families.contains(f.as_str()) && (f.contains("CJK") || f.contains("JP"))),
        "a rule's Japanese text is rendered in {used:?}, not only in CJK fonts for Japanese (installed: {families})"
    );
    let stack = page.js("return getComputedStyle(document.querySelector('li.rule .text')).fontFamily", vec![]).await;
    page.check(stack.as_str().unwrap_or_default().starts_with("\"Noto Sans CJK JP\""), &format!("the Japanese font stack: {stack}")).await;
}

async fn body_bg_of(page: &Page<'_>) -> String {
    page.js("return getComputedStyle(document.body).backgroundColor", vec![]).await.as_str().unwrap_or_default().to_string()
}

async fn c_goto_fresh(page: &Page<'_>, url: &str) {
    page.c.goto("about:blank").await.expect("about:blank");
    page.c.goto(url).await.unwrap_or_else(|e| panic!("goto {url}: {e}"));
}

/// The answer shown: its decision, and the JSON sent and got from the page's blocks.
async fn answer_of(page: &Page<'_>) -> Value {
    let v = page
        .js(
            "const b = document.getElementById('answer-body'); const d = b.querySelector('[data-decision]');\
             const pre = [...b.querySelectorAll('pre.json')].map(p => p.textContent);\
             const err = b.querySelector('.error-box');\
             return { decision: d && d.dataset.decision, pre, error: err && err.textContent }",
            vec![],
        )
        .await;
    let pre = v["pre"].as_array().cloned().unwrap_or_default();
    if pre.len() != 2 {
        page.fail::<()>(&format!("the answer shows the JSON sent and got: {v}")).await;
    }
    let parse = |p: &Value| serde_json::from_str::<Value>(p.as_str().unwrap_or_default()).unwrap_or(Value::Null);
    json!({ "decision": v["decision"], "error": v["error"], "sent": parse(&pre[0]), "got": parse(&pre[1]) })
}

/// The rule sheet shows the card-loan rule highlighted, in view, focused.
async fn rule_highlighted(page: &Page<'_>, variant: &str) {
    page.element(&format!("li.rule.highlight[data-cite='{CARD_LOAN_CITE}']")).await;
    let state = page
        .until(
            "the highlighted rule scrolled into view",
            "const hs = [...document.querySelectorAll('li.rule.highlight')];\
             const r = hs[0].getBoundingClientRect();\
             const inView = r.top >= 0 && r.bottom <= innerHeight;\
             return inView && { cites: hs.map(h => h.dataset.cite), focused: document.activeElement === hs[0],\
               text: hs[0].querySelector('.text').textContent, hash: decodeURIComponent(location.hash),\
               sheet: document.querySelector('.sheet').dataset.variant }",
        )
        .await;
    page.check(state["cites"] == json!([CARD_LOAN_CITE]), &format!("only {CARD_LOAN_CITE} is highlighted: {state}")).await;
    page.check(state["sheet"] == variant && state["hash"] == format!("#/variant/{variant}/rule/{CARD_LOAN_CITE}"), &format!("the rule's deep link: {state}"))
        .await;
    page.check(state["focused"] == true, &format!("the highlighted rule has the focus: {state}")).await;
    page.check(state["text"].as_str().unwrap_or_default().contains("カードローン"), &format!("the rule's Japanese text: {state}")).await;
}

async fn narrow(page: &Page<'_>, light: &Light) {
    page.viewport(390, 844).await;
    let views: [(&str, &str); 6] = [
        ("", ".tl-lane"),
        ("#/institution/gunma", "article.version"),
        ("#/variant/gunma-2023", "li.rule"),
        ("#/matrix", "table.matrix tbody tr"),
        ("#/diff/gunma-2019/gunma-2023", "section.op"),
        (&light.try_link, "#answer-body .answer"),
    ];
    for (route, ready) in views {
        if route.starts_with("http") {
            c_goto_fresh(page, route).await;
        } else {
            page.open(route).await;
        }
        page.element(ready).await;
        let over = page.overflow().await;
        page.check(over <= 0, &format!("at 390 px, {route:?} overflows the document horizontally by {over} px")).await;
    }
    // the wide matrix scrolls inside its own container instead
    page.open("#/matrix").await;
    page.element("table.matrix tbody tr").await;
    let scrolls =
        page.js("const s = document.querySelector('.table-scroll'); return s.scrollWidth > s.clientWidth && getComputedStyle(s).overflowX", vec![]).await;
    page.check(scrolls == "auto", &format!("the matrix scrolls in its container: {scrolls}")).await;
    page.open(&format!("#/variant/toyama-2023/rule/{}", percent_encode(CARD_LOAN_CITE))).await;
    rule_highlighted(page, "toyama-2023").await;
    let over = page.overflow().await;
    page.check(over <= 0, &format!("the rule sheet at 390 px overflows by {over} px")).await;
    page.no_errors("narrow").await;
    page.screenshot("narrow").await;
}

async fn dark(page: &Page<'_>, light: &Light) {
    page.open(&format!("#/variant/toyama-2023/rule/{}", percent_encode(CARD_LOAN_CITE))).await;
    rule_highlighted(page, "toyama-2023").await;
    let prefers = page.js("return matchMedia('(prefers-color-scheme: dark)').matches", vec![]).await;
    page.check(prefers == true, "chromium --force-dark-mode makes the page see prefers-color-scheme: dark").await;
    let bg = body_bg_of(page).await;
    let fg = page.js("return getComputedStyle(document.body).color", vec![]).await.as_str().unwrap_or_default().to_string();
    page.check(luminance(&bg) < 0.05 && luminance(&fg) > 0.6, &format!("dark mode: background {bg}, text {fg} (light mode's background: {})", light.body_bg))
        .await;
    page.no_errors("dark").await;
    page.screenshot("dark").await;
    // the same answer in the dark, for the screenshot of a decision
    c_goto_fresh(page, &light.try_link).await;
    page.element("#answer-body .answer").await;
    let again = answer_of(page).await;
    page.check(again["got"] == light.answer["got"], &format!("the try link in a second browser: {again}")).await;
    page.screenshot("dark-try-answer").await;
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
