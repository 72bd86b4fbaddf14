//! Built once, extended later: the promise that an institution ships its
//! own rules, in its own terms, without the platform redeploying.
//!
//! A platform runs this crate's `kitei` binary with `serve --source`
//! against a real registry (Debian's `docker-registry` on loopback) holding
//! the six bundled variants, each signed by its institution's key, and
//! follows two more tags of a seventh institution (the fictional かもめ信用金庫,
//! `examples/policy/kamome/`) that do not exist yet. Then the institution
//! builds its two modules — whose texts need a function, a fact, an account
//! flag and a setting the core vocabulary lacks — with that same binary,
//! signs them with its own key and pushes them. The running server must
//! serve them within the poll interval + 2 s; answer a request written in
//! kamome's terms over HTTP with kamome's clauses, selecting the individual
//! or the corporate text by the customer's segment; list the new terms in
//! `/openapi.json`; and offer them in the explorer's form (a real browser).
//! The server's process and the binary are the same throughout.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test: a failed unwrap is a failed test")]

use kitei_tests::browser::{Driver, fantoccini};
use kitei_tests::process::Served;
use kitei_tests::registry::TestRegistry;
use kitei_tests::{policies, root, sidecar, signing_key};
use serde_json::Value;
use ssh_key::PrivateKey;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SIX: [&str; 6] = ["akita-notice", "gunma-2019", "gunma-2023", "koza-renkei-2020", "rokin-2019", "toyama-2023"];
const KAMOME: [&str; 2] = ["kamome-kojin-2026", "kamome-hojin-2026"];
/// What the issue allows between the push and the first answer: the poll
/// interval, plus two seconds to pull, verify, compile and swap in.
const POLL: Duration = Duration::from_secs(2);
const GRACE: Duration = Duration::from_secs(2);

fn sha256(bytes: &[u8]) -> String {
    kitei::component::sha256_hex(bytes)
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kitei-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `kitei ARGS…`, this crate's binary, with no credentials from the
/// environment; panics with its output unless it succeeds.
fn kitei(scratch: &Path, args: &[&std::ffi::OsStr], env: &[(&str, &Path)]) -> String {
    let home = scratch.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kitei"));
    cmd.args(args).env_remove("REGISTRY_AUTH_FILE").env("HOME", &home).env("XDG_RUNTIME_DIR", &home);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("running kitei: {e}"));
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert!(out.status.success(), "kitei {args:?}: {}\n{}{}", out.status, text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

/// The institution a module names in its metadata.
fn institution_of(file: &Path) -> String {
    let bytes = std::fs::read(file).unwrap();
    kitei::component::Checked::new(&kitei_tests::runtime(), file, &bytes).expect("a policy component").metadata.institution
}

async fn get(http: &reqwest::Client, url: String) -> Value {
    let r = http.get(&url).send().await.unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert_eq!(r.status(), 200, "GET {url}");
    r.json().await.unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

fn served_variants(p: &Value) -> Vec<String> {
    p["policies"].as_array().map(|a| a.iter().filter_map(|x| x["variant"].as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// Every string anywhere in `v`.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out)
        }),
        _ => {}
    }
}

fn mentions(v: &Value, term: &str) -> bool {
    let mut all = Vec::new();
    strings(v, &mut all);
    all.iter().any(|s| s == term)
}

/// The cites of an answer's reasons, as `kitei eval` and the service write them.
fn cites(answer: &Value) -> Vec<String> {
    answer["reasons"].as_array().map(|a| a.iter().filter_map(|r| r["cite"].as_str().map(str::to_string)).collect()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seventh_institution_ships_its_own_terms_to_a_running_server() {
    let scratch = temp("extended");
    let binary = Path::new(env!("CARGO_BIN_EXE_kitei"));
    let binary_sha = sha256(&std::fs::read(binary).unwrap());
    let registry = TestRegistry::start("extended");

    // the six, each signed by its institution's key and pushed
    let six_dir = scratch.join("six");
    std::fs::create_dir_all(&six_dir).unwrap();
    let mut trust = String::from("require_signatures = true\n");
    let mut sources = Vec::new();
    let mut keys: Vec<(String, PrivateKey)> = Vec::new();
    for variant in SIX {
        let file = six_dir.join(format!("{variant}.wasm"));
        std::fs::copy(policies().join(format!("{variant}.wasm")), &file).unwrap();
        let institution = institution_of(&file);
        if !keys.iter().any(|(i, _)| *i == institution) {
            keys.push((institution.clone(), signing_key(&institution)));
        }
        let key = &keys.iter().find(|(i, _)| *i == institution).unwrap().1;
        std::fs::write(six_dir.join(format!("{variant}.wasm.sig")), sidecar(&std::fs::read(&file).unwrap(), key, 1)).unwrap();
        let reference = registry.reference(&format!("policies/{variant}:current"));
        kitei(&scratch, &[os("push"), file.as_os_str(), os(&reference)], &[]);
        sources.push(reference);
    }
    // kamome's key: the platform trusts it when it agrees to follow
    // kamome's tags, before any module of kamome exists
    let kamome_key = signing_key("kamome");
    let key_file = scratch.join("kamome-key");
    kamome_key.write_openssh_file(&key_file, ssh_key::LineEnding::LF).unwrap();
    keys.push(("kamome".into(), kamome_key));
    for (institution, key) in &keys {
        trust.push_str(&format!("[institutions.{institution}]\nkeys = [\"{}\"]\n", key.public_key().to_openssh().unwrap()));
    }
    let trust_file = scratch.join("trust.toml");
    std::fs::write(&trust_file, trust).unwrap();
    for variant in KAMOME {
        sources.push(registry.reference(&format!("kamome/{variant}:current")));
    }

    let mut args =
        vec![os("--trust").to_owned(), trust_file.clone().into_os_string(), os("--poll-interval").to_owned(), os(&POLL.as_secs().to_string()).to_owned()];
    for s in &sources {
        args.push(os("--source").to_owned());
        args.push(os(s).to_owned());
    }
    let server = Served::start(binary, &args);
    server.ready().await;
    let pid = server.pid();
    let http = reqwest::Client::new();
    let before = get(&http, format!("{}/v1/policies", server.base)).await;
    let mut six_served = served_variants(&before);
    six_served.sort();
    assert_eq!(six_served, SIX, "the six from the registry:\n{before}\n{}", server.log());
    let openapi_before = get(&http, format!("{}/openapi.json", server.base)).await;
    assert!(!mentions(&openapi_before, "debit_statement"), "no loaded module declares debit_statement yet");
    let refused = http
        .post(format!("{}/v1/decisions", server.base))
        .json(&serde_json::from_str::<Value>(&std::fs::read_to_string(kamome_request(KAMOME[0])).unwrap()).unwrap())
        .send()
        .await
        .unwrap();
    let status = refused.status();
    let body = refused.text().await.unwrap();
    assert!(status.is_client_error(), "a request for kamome before kamome ships: {status} {body}");
    assert!(
        body.contains("no loaded module declares") && ["platform_id_registered", "debit_statement"].iter().any(|t| body.contains(t)),
        "the refusal names the term no loaded module declares: {body}"
    );

    // kamome builds its modules with the same binary, signs them with its
    // key, and pushes them to the tags the server follows
    let built = scratch.join("kamome");
    // in the cargo target directory the other tests build kamome in, so
    // the standard library for wasm is compiled once for all of them
    let wasm_target = kitei_tests::outside_target_dir();
    for variant in KAMOME {
        let file = built.join(format!("{variant}.wasm"));
        let krate = root().join("examples/policy/kamome").join(variant);
        kitei(
            &scratch,
            &[os("build"), os("--key"), key_file.as_os_str(), krate.as_os_str(), os("-o"), file.as_os_str()],
            &[("CARGO_TARGET_DIR", &wasm_target)],
        );
        assert!(built.join(format!("{variant}.wasm.sig")).is_file(), "kitei build --key signs {variant}");
    }
    let mut pushed = Instant::now();
    for (i, variant) in KAMOME.iter().enumerate() {
        let file = built.join(format!("{variant}.wasm"));
        kitei(&scratch, &[os("push"), file.as_os_str(), os(&sources[SIX.len() + i])], &[]);
        pushed = Instant::now();
    }

    // served within the poll interval + 2 s, by the same process
    let deadline = POLL + GRACE;
    let served_after = loop {
        let p = get(&http, format!("{}/v1/policies", server.base)).await;
        let variants = served_variants(&p);
        if KAMOME.iter().all(|k| variants.iter().any(|v| v == k)) {
            break pushed.elapsed();
        }
        assert!(pushed.elapsed() < deadline, "kamome not served {deadline:?} after its push:\n{p}\n{}", server.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    eprintln!("extended: kamome served {served_after:?} after its push (poll interval {POLL:?})");
    assert_eq!(server.pid(), pid);

    // a request in kamome's own terms, answered with kamome's clauses
    for (variant, segment) in [(KAMOME[0], "individual"), (KAMOME[1], "corporate")] {
        let request: Value = serde_json::from_str(&std::fs::read_to_string(kamome_request(variant)).unwrap()).unwrap();
        assert_eq!(request["customer"]["segment"], segment, "{variant}'s request.json");
        let r = http.post(format!("{}/v1/decisions", server.base)).json(&request).send().await.unwrap();
        assert_eq!(r.status(), 200, "{variant}: {}", r.text().await.unwrap());
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer["policy"]["variant"], variant, "the {segment} text is selected: {answer}");
        let cites = cites(&answer);
        assert!(!cites.is_empty() && cites.iter().all(|c| c.starts_with('第')), "{variant} answers with its clauses: {answer}");
        // the same answer as the module gives on its own, through kitei eval
        let one = scratch.join(format!("one-{variant}"));
        std::fs::create_dir_all(&one).unwrap();
        std::fs::copy(built.join(format!("{variant}.wasm")), one.join(format!("{variant}.wasm"))).unwrap();
        let eval: Value =
            serde_json::from_str(&kitei(&scratch, &[os("eval"), os("--policies"), one.as_os_str(), kamome_request(variant).as_os_str()], &[])).unwrap();
        assert_eq!(eval["decision"], answer["decision"], "{variant}: kitei eval and the service agree");
    }

    // the served document lists the new terms
    let openapi = get(&http, format!("{}/openapi.json", server.base)).await;
    for term in ["debit_statement", "transfer_between_own_accounts", "platform_id_registered", "sharing_permitted", "platform_id_auth_days"] {
        assert!(mentions(&openapi, term), "/openapi.json lists {term} once kamome is served");
    }

    // and the explorer's form offers them, in a real browser
    let mut driver = Driver::start(&scratch).await;
    let c = driver.session(&[]).await;
    c.goto(&format!("{}/#/try", server.base)).await.unwrap();
    let offered = c.wait().at_most(Duration::from_secs(20)).for_element(fantoccini::Locator::Css("#f-function option[value='debit_statement']")).await;
    assert!(offered.is_ok(), "the explorer's function list offers debit_statement");
    let fact = c.wait().at_most(Duration::from_secs(20)).for_element(fantoccini::Locator::Css("input.decl-fact[data-fact='platform_id_registered']")).await;
    assert!(fact.is_ok(), "the explorer's form offers the declared fact platform_id_registered");
    let _ = c.close().await;

    // nothing was redeployed
    assert_eq!(server.pid(), pid, "the same server process throughout");
    assert_eq!(sha256(&std::fs::read(binary).unwrap()), binary_sha, "the same binary throughout");
    assert!(server.log().contains("kamome"), "the server's log says what it installed:\n{}", server.log());
    drop(server);
    drop(registry);
    let _ = std::fs::remove_dir_all(&scratch);
}

fn kamome_request(variant: &str) -> PathBuf {
    root().join("examples/policy/kamome").join(variant).join("request.json")
}
