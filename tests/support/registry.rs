//! A real OCI registry on loopback for the distribution tests: Debian's
//! `docker-registry` (CNCF distribution 2.8), started with its own config
//! and a temporary storage directory, stopped by its pid when dropped.
//! [`TestRegistry::secured`] adds what a real one has: htpasswd accounts
//! (bcrypt, made with `htpasswd -B` of Debian's apache2-utils) and TLS with a
//! certificate for `127.0.0.1` issued by a [`TestCa`] the test makes (rcgen).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The binary `./run test` installs (`apt-get install docker-registry`).
pub const BINARY: &str = "/usr/bin/docker-registry";

/// A running registry; killed (by pid) and its storage removed on drop.
pub struct TestRegistry {
    child: Child,
    dir: PathBuf,
    /// `127.0.0.1:PORT`, as the registry's log line "listening on …" said
    pub addr: String,
}

/// A certificate authority made for one test, and the PEM of its certificate.
pub struct TestCa {
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
    /// the CA certificate (what `--registry-ca` is given)
    pub pem: String,
}

impl TestCa {
    /// A new CA ("kitei test CA"), valid from yesterday for a week.
    pub fn new() -> TestCa {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name.push(rcgen::DnType::CommonName, "kitei test CA");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
        let key = rcgen::KeyPair::generate().expect("CA key");
        let cert = params.self_signed(&key).expect("CA certificate");
        TestCa { pem: cert.pem(), issuer: rcgen::Issuer::new(params, key) }
    }

    /// A server certificate for `127.0.0.1` signed by this CA: (certificate, key) PEM.
    pub fn server_cert(&self) -> (String, String) {
        let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("server params");
        params.distinguished_name.push(rcgen::DnType::CommonName, "127.0.0.1");
        let key = rcgen::KeyPair::generate().expect("server key");
        let cert = params.signed_by(&key, &self.issuer).expect("server certificate");
        (cert.pem(), key.serialize_pem())
    }

    /// Writes the CA certificate to `file` (for `--registry-ca`) and returns it.
    pub fn write(&self, file: &Path) -> PathBuf {
        std::fs::write(file, &self.pem).expect("write CA");
        file.to_path_buf()
    }
}

impl Default for TestCa {
    fn default() -> Self {
        TestCa::new()
    }
}

/// An htpasswd line for `user`, bcrypt, by Debian's `htpasswd -Bbn`.
fn htpasswd(user: &str, password: &str) -> String {
    let out = Command::new("htpasswd")
        .args(["-Bbn", user, password])
        .output()
        .unwrap_or_else(|e| panic!("running htpasswd (./run test installs Debian's apache2-utils): {e}"));
    assert!(out.status.success(), "htpasswd failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("htpasswd prints text").trim().to_string() + "\n"
}

impl TestRegistry {
    /// Starts a registry on `127.0.0.1`, port chosen by the kernel (`:0`),
    /// plain HTTP, anonymous; waits (at most 10 s) for its "listening on" line.
    pub fn start(name: &str) -> TestRegistry {
        Self::start_with(name, "", |_| {})
    }

    /// A registry over TLS (a certificate for `127.0.0.1` from `ca`) that
    /// lets in only the `accounts` (user, password), with HTTP Basic.
    pub fn secured(name: &str, ca: &TestCa, accounts: &[(&str, &str)]) -> TestRegistry {
        let (cert, key) = ca.server_cert();
        let lines: String = accounts.iter().map(|(u, p)| htpasswd(u, p)).collect();
        Self::start_with(name, "", |dir| {
            std::fs::write(dir.join("cert.pem"), &cert).expect("write cert");
            std::fs::write(dir.join("key.pem"), &key).expect("write key");
            std::fs::write(dir.join("htpasswd"), &lines).expect("write htpasswd");
        })
    }

    /// A registry that answers every anonymous request with distribution's
    /// bearer challenge (`auth: silly`: `WWW-Authenticate: Bearer
    /// realm="REALM",service="kitei-test",scope=…`) and lets in any request
    /// that carries a token; plain HTTP.
    pub fn bearer(name: &str, realm: &str) -> TestRegistry {
        let auth = format!("auth:\n  silly:\n    realm: {realm}\n    service: kitei-test\n");
        Self::start_with(name, &auth, |_| {})
    }

    /// Starts a registry with `extra` appended to its config; `prepare`
    /// writes files into its directory first (`cert.pem` and `key.pem` turn
    /// TLS on, `htpasswd` the accounts).
    fn start_with(name: &str, extra: &str, prepare: impl FnOnce(&Path)) -> TestRegistry {
        let dir = std::env::temp_dir().join(format!("kitei-registry-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("storage")).expect("registry temp dir");
        prepare(&dir);
        let mut config = format!(
            "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:0\n  secret: kitei-test\n",
            dir.join("storage").display()
        );
        if dir.join("cert.pem").exists() {
            config.push_str(&format!("  tls:\n    certificate: {}\n    key: {}\n", dir.join("cert.pem").display(), dir.join("key.pem").display()));
        }
        if dir.join("htpasswd").exists() {
            config.push_str(&format!("auth:\n  htpasswd:\n    realm: kitei-test\n    path: {}\n", dir.join("htpasswd").display()));
        }
        config.push_str(extra);
        let file = dir.join("config.yml");
        std::fs::write(&file, config).expect("registry config");
        let mut child = Command::new(BINARY)
            .arg("serve")
            .arg(&file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {BINARY} (./run test installs Debian's docker-registry): {e}"));
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        // keeps draining the log after the address is found, so the registry never blocks on a full pipe
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // "listening on 127.0.0.1:PORT" (", tls" after it with TLS)
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let addr: String = rest.chars().take_while(|c| !matches!(c, '"' | ' ' | ',')).collect();
                    let _ = tx.send(addr);
                }
            }
        });
        let mut registry = TestRegistry { child, dir, addr: String::new() };
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(addr) => registry.addr = addr,
            Err(_) => panic!("{BINARY} did not log \"listening on\" within 10 s"),
        }
        registry
    }

    /// `127.0.0.1:PORT/REPO:TAG`.
    pub fn reference(&self, repo_and_tag: &str) -> String {
        format!("{}/{repo_and_tag}", self.addr)
    }

    /// The registry's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// A Docker/Podman auth file with one `auths` entry per (registry, user,
/// password), `auth` being base64 of `user:password` as `docker login` writes.
pub fn auth_file(file: &Path, entries: &[(&str, &str, &str)]) -> PathBuf {
    use base64::Engine as _;
    let auths: serde_json::Map<String, serde_json::Value> = entries
        .iter()
        .map(|(registry, user, password)| {
            let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            (registry.to_string(), serde_json::json!({ "auth": auth }))
        })
        .collect();
    let text = serde_json::to_string_pretty(&serde_json::json!({ "auths": auths })).expect("JSON");
    std::fs::write(file, text).expect("write auth file");
    file.to_path_buf()
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
