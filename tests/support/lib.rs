//! Shared test support: the bundled policies built once per test binary,
//! and synthetic components for the host's refusal paths.

pub mod browser;
pub mod hostile;
pub mod process;
pub mod registry;
pub mod requests;

use kitei::Registry;
use kitei::{Limits, Runtime};
use kitei_build::{Output, Toolchain, build_crate, build_crate_in, bundled_crates, policies_dir_in, target_dir_in};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Debian's chromium, headless, for the browser tests: no sandbox (tests run
/// as root), no GPU, and none of its background traffic (this machine's
/// closed network refuses it, many connections at a time). Each test adds
/// its own `--user-data-dir`.
pub const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Every bundled variant crate's policy, by variant id: the same rules the
/// built components run, for native runs beside them.
pub const NATIVE: [(&str, &kitei_sdk::Policy); 6] = [
    ("akita-notice", &kitei_policy_akita_notice::POLICY),
    ("gunma-2019", &kitei_policy_gunma_2019::POLICY),
    ("gunma-2023", &kitei_policy_gunma_2023::POLICY),
    ("koza-renkei-2020", &kitei_policy_koza_renkei_2020::POLICY),
    ("rokin-2019", &kitei_policy_rokin_2019::POLICY),
    ("toyama-2023", &kitei_policy_toyama_2023::POLICY),
];

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// A runtime with default limits.
pub fn runtime() -> Runtime {
    Runtime::new(Limits::default()).expect("wasmtime runtime")
}

/// Builds every bundled variant from its current source (once per test
/// binary) into the directory `kitei build` writes and `./run` reads
/// (`target/policies`, or `$CARGO_TARGET_DIR/policies`), and returns it.
pub fn policies() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let toolchain = Toolchain::detect().unwrap_or_else(|e| panic!("{e:#}"));
        let runtime = runtime();
        let dir = policies_dir_in(&root());
        for krate in bundled_crates(&root().join("policy")).expect("policy/ readable") {
            build_crate(&runtime, &toolchain, &krate, Output::Dir(&dir)).unwrap_or_else(|e| panic!("building {}: {e:#}", krate.display()));
        }
        dir
    })
}

/// The two crates of the fictional seventh institution
/// (`examples/policy/kamome/`), outside the workspace.
pub const KAMOME: [&str; 2] = ["kamome-hojin-2026", "kamome-kojin-2026"];

/// The one cargo target directory the crates outside the workspace are
/// compiled in by the tests (`target/kamome-wasm`): the wasm std and the SDK
/// are compiled once for all of them, so each crate after the first builds
/// in seconds.
pub fn outside_target_dir() -> PathBuf {
    target_dir_in(&root()).join("kamome-wasm")
}

/// kamome's two components, built once per test binary
/// ([`example_policies`]`("kamome")`).
pub fn kamome() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| example_policies("kamome"))
}

/// Builds the crates of an example institution (`examples/policy/<institution>/`,
/// each crate a directory) from their current source, once per test binary,
/// into a directory of their own (`target/examples/<institution>`, never the
/// bundled six's directory, which other tests count), and returns it. They
/// compile in [`outside_target_dir`] (as `kitei build` does with
/// `CARGO_TARGET_DIR` set to it).
pub fn example_policies(institution: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, dir)) = built.iter().find(|(i, _)| i == institution) {
        return dir.clone();
    }
    let toolchain = Toolchain::detect().unwrap_or_else(|e| panic!("{e:#}"));
    let runtime = runtime();
    let source = root().join("examples/policy").join(institution);
    let dir = policies_dir_in(&root()).with_file_name("examples").join(institution);
    std::fs::create_dir_all(&dir).expect("examples dir");
    let mut crates: Vec<PathBuf> = std::fs::read_dir(&source)
        .unwrap_or_else(|e| panic!("{}: {e}", source.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    crates.sort();
    assert!(!crates.is_empty(), "{} holds no crate", source.display());
    for krate in crates {
        build_crate_in(&runtime, &toolchain, &krate, Output::Dir(&dir), Some(&outside_target_dir()))
            .unwrap_or_else(|e| panic!("building {}: {e:#}", krate.display()));
    }
    built.push((institution.to_string(), dir.clone()));
    dir
}

/// The registry of the bundled policies.
pub fn registry() -> Registry {
    Registry::load_dir(&runtime(), policies()).expect("policy dir readable")
}

/// Copies the named built policies into a fresh temporary directory.
pub fn temp_policy_dir(name: &str, variants: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kitei-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for v in variants {
        let file = format!("{v}.wasm");
        std::fs::copy(policies().join(&file), dir.join(&file)).expect("copy policy");
    }
    dir
}

/// gunma's accounts question for a card loan (and an ordinary account) in
/// gunma-2019's time (April 2021): gunma-2019 refuses the card loan under
/// 第2条第2項, gunma-2023 (in force from 2023-06-06) links it. `kitei
/// replay --against` and `kitei serve --shadow` are tested on it.
pub fn gunma_card_loan(n: usize) -> serde_json::Value {
    serde_json::json!({
        "institution": "gunma", "operation": "accounts", "at": format!("2021-04-0{}T10:00:00+09:00", 1 + n % 9),
        "customer": { "internet_banking_contract": true,
            "accounts": [ { "id": format!("L{n}"), "kind": "card_loan" }, { "id": format!("O{n}"), "kind": "ordinary", "cash_card": true } ] },
        "provider": { "id": "moneyforward", "contract": true, "channel": "anser_api" }
    })
}

/// A component for `world` of `wit` whose functions all trap: enough to
/// test what the host accepts and refuses.
pub fn dummy_component(wit: &str, world: &str) -> Vec<u8> {
    use wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve};
    let mut resolve = Resolve::default();
    let pkg = resolve.push_str("fixture.wit", wit).expect("fixture WIT parses");
    let world = resolve.select_world(&[pkg], Some(world)).expect("fixture world");
    let mut module = wit_component::dummy_module(&resolve, world, ManglingAndAbi::Legacy(LiftLowerAbi::Sync));
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8, false).expect("embed metadata");
    kitei_build::componentize(&module).expect("componentize fixture")
}

/// The contract's WIT text.
pub fn policy_wit() -> String {
    std::fs::read_to_string(root().join("wit/policy.wit")).expect("wit/policy.wit")
}

/// An ed25519 key with `comment`, made now.
pub fn signing_key(comment: &str) -> ssh_key::PrivateKey {
    let mut key = ssh_key::PrivateKey::random(&mut ssh_key::rand_core::OsRng, ssh_key::Algorithm::Ed25519).expect("ed25519 key");
    key.set_comment(comment);
    key
}

/// The statement a module's bytes make of themselves (institution, variant
/// and version from its metadata, its sha256 and size) at `sequence`.
pub fn statement(bytes: &[u8], sequence: u64) -> kitei::trust::Statement {
    let md = kitei::component::Checked::new(&runtime(), Path::new("module.wasm"), bytes).expect("a policy component").metadata;
    kitei::trust::Statement {
        institution: md.institution,
        variant: md.variant,
        version: md.version,
        sequence,
        sha256: kitei::component::sha256_hex(bytes),
        size: bytes.len() as u64,
        signed_at: "2026-11-22T00:00:00Z".into(),
    }
}

/// A `.wasm.sig` file for `bytes`, signed by `key` at `sequence`.
pub fn sidecar(bytes: &[u8], key: &ssh_key::PrivateKey, sequence: u64) -> Vec<u8> {
    kitei::trust::Sidecar::sign(key, &statement(bytes, sequence)).expect("sign").to_bytes()
}

/// A trust file requiring signatures, each institution with its key.
pub fn trust_toml(keys: &[(&str, &ssh_key::PrivateKey)]) -> String {
    let mut out = String::from("require_signatures = true\n");
    for (institution, key) in keys {
        out.push_str(&format!("[institutions.{institution}]\nkeys = [\"{}\"]\n", key.public_key().to_openssh().expect("openssh")));
    }
    out
}

/// The same component with a custom section appended: other bytes (and
/// sha256), the same behaviour.
pub fn with_custom_section(component: &[u8], tag: &str) -> Vec<u8> {
    fn leb(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    let name = b"kitei-test";
    let mut payload = Vec::new();
    leb(name.len(), &mut payload);
    payload.extend_from_slice(name);
    payload.extend_from_slice(tag.as_bytes());
    let mut out = component.to_vec();
    out.push(0); // custom section id
    leb(payload.len(), &mut out);
    out.extend_from_slice(&payload);
    out
}
