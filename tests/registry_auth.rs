//! Registries as they are run for real: accounts (htpasswd, HTTP Basic)
//! and TLS with a certificate from a private CA, on Debian's
//! `docker-registry` (CNCF distribution 2.8) started on loopback by each
//! test. Credentials come from a Docker/Podman auth file; a refusal names
//! the registry and where credentials were looked for; a pull verifies the
//! same as from an open registry; a server follows a tag behind both.

use kitei::trust::{TrustPolicy, install};
use kitei_oci::{CaCertificates, Client, ClientOptions, Credentials, OciError, Reference, SignatureSource, Step};
use kitei_tests::registry::{TestCa, TestRegistry, auth_file};
use kitei_tests::{policies, runtime, sidecar, signing_key, trust_toml};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kitei-registry-auth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn module(variant: &str) -> Vec<u8> {
    std::fs::read(policies().join(format!("{variant}.wasm"))).unwrap()
}

/// A client with these credentials, trusting `ca`.
fn client(credentials: Credentials, ca: &Path) -> Client {
    Client::new(ClientOptions { credentials, ca: CaCertificates::read(ca).unwrap(), ..ClientOptions::default() }).unwrap()
}

/// Credentials as found with no file given and this environment alone.
fn discovered(env: &[(&str, &Path)]) -> Credentials {
    let env: Vec<(String, OsString)> = env.iter().map(|(k, v)| (k.to_string(), v.as_os_str().to_owned())).collect();
    Credentials::discover_with(None, move |name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())).unwrap()
}

fn says(e: &OciError, parts: &[&str]) {
    let text = e.to_string();
    for p in parts {
        assert!(text.contains(p), "the error says `{p}`: {text}");
    }
}

#[tokio::test]
async fn push_and_pull_over_tls_with_an_auth_file_and_the_signature_verifies() {
    let ca = TestCa::new();
    let registry = TestRegistry::secured("tls-ok", &ca, &[("alice", "s3cret:with-colon")]);
    let dir = temp("tls-ok");
    let auth = auth_file(&dir.join("auth.json"), &[(&registry.addr, "alice", "s3cret:with-colon")]);
    let ca_file = ca.write(&dir.join("ca.pem"));
    let client = client(Credentials::from_file(&auth).unwrap(), &ca_file);
    let r: Reference = registry.reference("kitei/gunma-2023:2023").parse().unwrap();
    assert!(!client.plain_http(&r), "with a CA, a loopback registry is spoken to over HTTPS");

    let key = signing_key("gunma-2026");
    let bytes = module("gunma-2023");
    let sig = sidecar(&bytes, &key, 3);
    let digest = client.push(&r, &bytes, Some(&sig)).await.unwrap();
    assert_eq!(client.resolve(&r).await.unwrap(), digest);
    let pulled = client.pull(&r).await.unwrap();
    assert_eq!(pulled.digest, digest);
    assert!(pulled.module == bytes, "the module's bytes");
    let signature = pulled.signature.expect("the signature is found behind the login too");
    assert_eq!((signature.bytes.as_slice(), signature.source), (sig.as_slice(), SignatureSource::FallbackTag));

    let out = dir.join("policies");
    std::fs::create_dir_all(&out).unwrap();
    let trust = TrustPolicy::from_toml(&trust_toml(&[("gunma", &key)])).unwrap();
    let installed = install(&runtime(), &trust, chrono::Utc::now().date_naive(), &out, &r.to_string(), &pulled.module, Some(&signature.bytes)).unwrap();
    assert_eq!(installed.verified.unwrap().statement.sequence, 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_refusal_names_the_registry_and_where_credentials_were_looked_for() {
    let ca = TestCa::new();
    let registry = TestRegistry::secured("refusals", &ca, &[("alice", "s3cret")]);
    let dir = temp("refusals");
    let ca_file = ca.write(&dir.join("ca.pem"));
    let r: Reference = registry.reference("kitei/gunma:stable").parse().unwrap();
    let bytes = module("gunma-2023");
    let addr = registry.addr.as_str();

    // no file anywhere: $XDG_RUNTIME_DIR and $HOME point at empty directories
    let (xdg, home) = (dir.join("run"), dir.join("home"));
    std::fs::create_dir_all(&xdg).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let nobody = client(discovered(&[("XDG_RUNTIME_DIR", &xdg), ("HOME", &home)]), &ca_file);
    let e = nobody.pull(&r).await.unwrap_err();
    assert_eq!(e.step(), Step::PullManifest);
    says(
        &e,
        &[
            &format!("the registry `{addr}` refused anonymous access (401); no credentials for `{addr}`"),
            "containers/auth.json` ($XDG_RUNTIME_DIR/containers/auth.json: absent)",
            ".docker/config.json` (~/.docker/config.json: absent)",
        ],
    );
    let e = nobody.push(&r, &bytes, None).await.unwrap_err();
    assert_eq!(e.step(), Step::PushModule);
    says(&e, &[&format!("the registry `{addr}` refused anonymous access (401)")]);
    says(&nobody.resolve(&r).await.unwrap_err(), &[&format!("`{addr}` refused anonymous access (401)")]);

    // a file, found by $REGISTRY_AUTH_FILE, with an entry for another registry only
    let other = auth_file(&dir.join("other.json"), &[("registry.example.jp", "alice", "s3cret")]);
    let e = client(discovered(&[("REGISTRY_AUTH_FILE", &other)]), &ca_file).pull(&r).await.unwrap_err();
    says(&e, &["refused anonymous access (401)", &format!("other.json` ($REGISTRY_AUTH_FILE: no entry for `{addr}`)")]);

    // the right user, a wrong password: refused too, naming the user and the file (never the password)
    let wrong = auth_file(&dir.join("wrong.json"), &[(addr, "alice", "not-the-password")]);
    let wrong_client = client(Credentials::from_file(&wrong).unwrap(), &ca_file);
    let e = wrong_client.pull(&r).await.unwrap_err();
    says(&e, &[&format!("the registry `{addr}` refused user `alice` from `{}` (401)", wrong.display()), "--registry-auth: entry"]);
    assert!(!e.to_string().contains("not-the-password"), "{e}");
    says(&wrong_client.push(&r, &bytes, None).await.unwrap_err(), &["refused user `alice`"]);

    // a CA that did not issue the registry's certificate: the TLS handshake fails
    let stranger = TestCa::new().write(&dir.join("stranger.pem"));
    let good = auth_file(&dir.join("good.json"), &[(addr, "alice", "s3cret")]);
    let e = client(Credentials::from_file(&good).unwrap(), &stranger).pull(&r).await.unwrap_err();
    assert!(e.to_string().to_lowercase().contains("certificate"), "a certificate error: {e}");
    // and the control: the right file and CA
    client(Credentials::from_file(&good).unwrap(), &ca_file).push(&r, &bytes, None).await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_follows_a_tag_behind_a_login_and_tls() {
    let ca = TestCa::new();
    let registry = TestRegistry::secured("serve", &ca, &[("replica", "pw")]);
    let dir = temp("serve");
    let ca_file = ca.write(&dir.join("ca.pem"));
    let auth = auth_file(&dir.join("auth.json"), &[(&registry.addr, "replica", "pw")]);
    let key = signing_key("gunma");
    let bytes = module("gunma-2023");
    let tag: Reference = registry.reference("kitei/gunma:stable").parse().unwrap();
    client(Credentials::from_file(&auth).unwrap(), &ca_file).push(&tag, &bytes, Some(&sidecar(&bytes, &key, 1))).await.unwrap();

    let trust = kitei::trust::Trust::new(TrustPolicy::from_toml(&trust_toml(&[("gunma", &key)])).unwrap(), kitei::trust::SequenceFloor::in_memory());
    let registry_options =
        ClientOptions { credentials: Credentials::from_file(&auth).unwrap(), ca: CaCertificates::read(&ca_file).unwrap(), ..ClientOptions::default() };
    let config = kitei_serve::Config {
        policies: dir.join("policies"),
        addr: "127.0.0.1:0".parse().unwrap(),
        trust: Some(std::sync::Arc::new(trust)),
        sources: kitei_serve::SourceConfig { references: vec![tag], interval: std::time::Duration::from_millis(200), registry: registry_options },
        ..Default::default()
    };
    let (addr, handle) = kitei_serve::spawn(config).await.expect("server starts");
    let base = format!("http://{addr}");
    let start = std::time::Instant::now();
    let policies = loop {
        let p: serde_json::Value = reqwest::get(format!("{base}/v1/policies")).await.unwrap().json().await.unwrap();
        if p["policies"].as_array().is_some_and(|a| !a.is_empty()) {
            break p;
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "never served: {p}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(policies["policies"][0]["sha256"], kitei::component::sha256_hex(&bytes), "{policies}");
    assert_eq!(policies["sources"][0]["result"], "installed", "{policies}");
    handle.shutdown();
    handle.join().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
