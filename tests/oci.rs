//! Distribution through a real OCI registry (Debian's `docker-registry`,
//! CNCF distribution 2.8, started on loopback by each test): push, pull by
//! tag and by digest, the signature found through the referrers tag schema
//! (distribution 2.8 has no referrers API), and every pull that must not
//! reach the policy directory.

use kitei::Report;
use kitei::trust::{InstallErrorKind, TrustError, TrustErrorKind, TrustPolicy, install};
use kitei_oci::{Client, ClientOptions, Reference, SignatureSource, fallback_tag};
use kitei_tests::registry::TestRegistry;
use kitei_tests::{policies, runtime, sidecar, signing_key, trust_toml, with_custom_section};
use std::path::{Path, PathBuf};

fn module(variant: &str) -> Vec<u8> {
    std::fs::read(policies().join(format!("{variant}.wasm"))).unwrap()
}

fn empty_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kitei-oci-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

#[tokio::test]
async fn push_then_pull_by_tag_and_by_digest_with_the_signature_from_the_fallback_tag() {
    let registry = TestRegistry::start("roundtrip");
    let client = Client::new(ClientOptions::default()).unwrap();
    let gunma = signing_key("gunma-2026");
    let bytes = module("gunma-2023");
    let sig = sidecar(&bytes, &gunma, 7);
    let tagged: Reference = format!("oci://{}", registry.reference("kitei/gunma-2023:2023")).parse().unwrap();
    assert!(client.plain_http(&tagged), "loopback is plain HTTP");

    let digest = client.push(&tagged, &bytes, Some(&sig)).await.unwrap();
    assert_eq!(client.resolve(&tagged).await.unwrap(), digest);
    // pushing the same bytes again is the same manifest
    assert_eq!(client.push(&tagged, &bytes, Some(&sig)).await.unwrap(), digest);

    for reference in [tagged.clone(), tagged.with_digest(&digest)] {
        let pulled = client.pull(&reference).await.unwrap();
        assert_eq!(pulled.digest, digest, "{reference}");
        assert!(pulled.module == bytes, "{reference}: module bytes differ");
        let signature = pulled.signature.expect("the signature refers to the module");
        assert_eq!(signature.bytes, sig, "{reference}");
        // distribution 2.8 answers 404 to the referrers API: the tag schema is what found it
        assert_eq!(signature.source, SignatureSource::FallbackTag, "{reference}");
    }
    // the tag schema's index is a real tag of the repository
    let index = tagged.with_digest(&digest).to_string().replace(&format!("@{digest}"), &format!(":{}", fallback_tag(&digest)));
    client.resolve(&index.parse().unwrap()).await.unwrap();

    // pulled, verified and written: the pair a server loads
    let dir = empty_dir("roundtrip");
    let trust = TrustPolicy::from_toml(&trust_toml(&[("gunma", &gunma)])).unwrap();
    let pulled = client.pull(&tagged.with_digest(&digest)).await.unwrap();
    let sig_bytes = pulled.signature.as_ref().map(|s| s.bytes.as_slice());
    let installed = install(&runtime(), &trust, today(), &dir, &tagged.to_string(), &pulled.module, sig_bytes).unwrap();
    assert_eq!(installed.verified.unwrap().statement.sequence, 7);
    assert_eq!(entries(&dir), ["gunma-2023.wasm", "gunma-2023.wasm.sig"]);
    assert!(std::fs::read(dir.join("gunma-2023.wasm")).unwrap() == bytes);
    assert_eq!(std::fs::read(dir.join("gunma-2023.wasm.sig")).unwrap(), sig);
    let registry_dir = kitei::Registry::load_dir_trusted(
        &runtime(),
        &dir,
        &kitei::Registry::default(),
        Some(&kitei::trust::Trust::new(trust, kitei::trust::SequenceFloor::in_memory())),
    )
    .unwrap();
    assert!(registry_dir.variant("gunma-2023").is_some(), "{:?}", registry_dir.rejected());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn pull_refuses_what_does_not_verify_and_writes_nothing() {
    let registry = TestRegistry::start("refusals");
    let client = Client::new(ClientOptions::default()).unwrap();
    let (gunma, toyama) = (signing_key("gunma"), signing_key("toyama"));
    let trust = TrustPolicy::from_toml(&trust_toml(&[("gunma", &gunma), ("toyama", &toyama)])).unwrap();
    let bytes = module("gunma-2023");
    let good_sig = sidecar(&bytes, &gunma, 1);
    let other = module("gunma-2019");
    let dir = empty_dir("refusals");

    // what, the module's bytes, its signature, what the refusal names
    type Case<'a> = (&'a str, &'a [u8], Option<Vec<u8>>, &'a str);
    let cases: [Case; 3] = [
        ("unsigned", &bytes, None, "no signature"),
        // gunma's module, statement in gunma's name, signed by toyama's key
        ("other-institution", &bytes, Some(sidecar(&bytes, &toyama, 1)), "signed by a key of `toyama`, but the statement is for `gunma`"),
        // the layer replaced after signing: other bytes pushed with the old signature
        ("replaced-bytes", &other, Some(good_sig.clone()), "module bytes differ from the signed statement"),
    ];
    for (name, module, sig, reason) in cases {
        let r: Reference = registry.reference(&format!("kitei/{name}:1")).parse().unwrap();
        let digest = client.push(&r, module, sig.as_deref()).await.unwrap();
        let pulled = client.pull(&r).await.unwrap();
        assert_eq!(pulled.digest, digest);
        assert_eq!(pulled.signature.as_ref().map(|s| s.bytes.clone()), sig, "{name}: the signature pulled is the one pushed");
        let e = install(&runtime(), &trust, today(), &dir, &r.to_string(), &pulled.module, pulled.signature.as_ref().map(|s| s.bytes.as_slice())).unwrap_err();
        let shown = Report(&e).to_string();
        assert_eq!(e.kind(), InstallErrorKind::Refused, "{name}: {shown}");
        assert!(shown.contains(reason), "{name}: {shown}");
        assert!(shown.contains(&r.to_string()), "{name}: the reference is named: {shown}");
        assert_eq!(entries(&dir), Vec::<String>::new(), "{name}: nothing written");
    }
    let e = install(&runtime(), &trust, today(), &dir, "x", &bytes, None).unwrap_err();
    assert_eq!(e.trust_error().map(TrustError::kind), Some(TrustErrorKind::Unsigned), "unsigned is TrustErrorKind::Unsigned: {}", Report(&e));
    // the control: the good pair installs into the same directory
    install(&runtime(), &trust, today(), &dir, "good", &bytes, Some(&good_sig)).unwrap();
    assert_eq!(entries(&dir), ["gunma-2023.wasm", "gunma-2023.wasm.sig"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn resolve_follows_a_re_push_and_a_digest_stays_pinned() {
    let registry = TestRegistry::start("resolve");
    let client = Client::new(ClientOptions::default()).unwrap();
    let key = signing_key("gunma");
    let r: Reference = registry.reference("kitei/gunma:stable").parse().unwrap();
    let (v1, v2) = (module("gunma-2019"), module("gunma-2023"));
    let d1 = client.push(&r, &v1, Some(&sidecar(&v1, &key, 1))).await.unwrap();
    assert_eq!(client.resolve(&r).await.unwrap(), d1);
    let d2 = client.push(&r, &v2, Some(&sidecar(&v2, &key, 2))).await.unwrap();
    assert_ne!(d1, d2);
    assert_eq!(client.resolve(&r).await.unwrap(), d2, "the tag moved");
    assert!(client.pull(&r).await.unwrap().module == v2);
    let pinned = client.pull(&r.with_digest(&d1)).await.unwrap();
    assert!(pinned.module == v1, "a digest names the old module still");
    // ed25519 signs deterministically: the same statement and key give the pushed bytes
    assert_eq!(pinned.signature.unwrap().bytes, sidecar(&v1, &key, 1), "the old module's own signature");
    // a digest the repository does not have
    let missing = r.with_digest("sha256:0000000000000000000000000000000000000000000000000000000000000000");
    let e = client.resolve(&missing).await.unwrap_err();
    assert_eq!(e.step(), kitei_oci::Step::Resolve);
    assert!(e.to_string().starts_with(&format!("`{missing}`: resolving the digest: ")), "{e}");
}

/// A server with `sources`, an empty (or given) policy directory, trust for
/// gunma's `key`, polling every 200 ms.
async fn serve_from(dir: &Path, key: &ssh_key::PrivateKey, references: Vec<Reference>) -> (String, kitei_serve::ServerHandle) {
    let policy = TrustPolicy::from_toml(&trust_toml(&[("gunma", key)])).unwrap();
    let trust = kitei::trust::Trust::new(policy, kitei::trust::SequenceFloor::in_memory());
    let config = kitei_serve::Config {
        policies: dir.to_path_buf(),
        addr: "127.0.0.1:0".parse().unwrap(),
        trust: Some(std::sync::Arc::new(trust)),
        sources: kitei_serve::SourceConfig { references, interval: std::time::Duration::from_millis(200), registry: ClientOptions::default() },
        ..Default::default()
    };
    let (addr, handle) = kitei_serve::spawn(config).await.expect("server starts");
    (format!("http://{addr}"), handle)
}

async fn ready_policies(base: &str) -> serde_json::Value {
    let http = reqwest::Client::new();
    let start = std::time::Instant::now();
    while http.get(format!("{base}/readyz")).send().await.map(|r| r.status() != 200).unwrap_or(true) {
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "{base} never became ready");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    http.get(format!("{base}/v1/policies")).send().await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_pinned_by_digest_is_fetched_once_and_never_polled() {
    let registry = TestRegistry::start("pinned");
    let client = Client::new(ClientOptions::default()).unwrap();
    let key = signing_key("gunma");
    let bytes = module("gunma-2023");
    let tag: Reference = registry.reference("kitei/gunma:stable").parse().unwrap();
    let digest = client.push(&tag, &bytes, Some(&sidecar(&bytes, &key, 1))).await.unwrap();
    let dir = empty_dir("pinned");
    let (base, handle) = serve_from(&dir, &key, vec![tag.with_digest(&digest)]).await;
    // ready only after the first check of every source: it serves at once
    let p = ready_policies(&base).await;
    assert_eq!(p["policies"][0]["sha256"], kitei::component::sha256_hex(&bytes), "{p}");
    let source = &p["sources"][0];
    assert_eq!((source["pinned"].clone(), source["installed"].clone(), source["checks"].clone()), (true.into(), digest.clone().into(), 1.into()), "{source}");
    assert_eq!(source["sequence"], 1);
    // the tag moves; the pinned source does not look
    let other = with_custom_section(&bytes, "v2");
    client.push(&tag, &other, Some(&sidecar(&other, &key, 2))).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let p: serde_json::Value = reqwest::get(format!("{base}/v1/policies")).await.unwrap().json().await.unwrap();
    assert_eq!(p["sources"][0]["checks"], 1, "never polled: {p}");
    assert_eq!(p["policies"][0]["sha256"], kitei::component::sha256_hex(&bytes));
    handle.shutdown();
    handle.join().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_registry_leaves_the_last_good_modules_serving() {
    let key = signing_key("gunma");
    let bytes = module("gunma-2023");
    let dir = empty_dir("unreachable");
    let trust = TrustPolicy::from_toml(&trust_toml(&[("gunma", &key)])).unwrap();
    install(&runtime(), &trust, today(), &dir, "earlier pull", &bytes, Some(&sidecar(&bytes, &key, 1))).unwrap();
    // a port nothing listens on: bind, read the port, close
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let gone: Reference = format!("127.0.0.1:{port}/kitei/gunma:stable").parse().unwrap();
    let (base, handle) = serve_from(&dir, &key, vec![gone]).await;
    let p = ready_policies(&base).await;
    assert_eq!(p["policies"][0]["sha256"], kitei::component::sha256_hex(&bytes), "the directory's module serves: {p}");
    let source = &p["sources"][0];
    assert_eq!(source["result"], "failed", "{source}");
    assert!(source["error"].as_str().unwrap().contains("resolving the digest"), "{source}");
    assert_eq!(source["installed"], serde_json::Value::Null);
    handle.shutdown();
    handle.join().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sources_without_a_trust_policy_do_not_start() {
    let config = kitei_serve::Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        sources: kitei_serve::SourceConfig { references: vec!["127.0.0.1:5000/kitei/gunma:1".parse().unwrap()], ..Default::default() },
        ..Default::default()
    };
    let Err(e) = kitei_serve::spawn(config).await else { panic!("started without --trust") };
    assert!(matches!(e, kitei_serve::StartError::SourcesNeedTrust), "{e}");
}
