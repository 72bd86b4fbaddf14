//! Signed modules end to end on a real built component: a statement of what
//! the module says of itself, verified by the library, and by OpenSSH's own
//! `ssh-keygen -Y verify` from the allowed_signers file kitei exports.

use kitei::component::Checked;
use kitei::trust::{NAMESPACE, Sidecar, Statement, TrustErrorKind, TrustPolicy};
use kitei_tests::{policies, runtime};
use ssh_key::rand_core::OsRng;
use ssh_key::{Algorithm, PrivateKey};
use std::process::{Command, Stdio};

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kitei-trust-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_signed_component_verifies_in_kitei_and_in_openssh() {
    let file = policies().join("toyama-2023.wasm");
    let bytes = std::fs::read(&file).unwrap();
    let checked = Checked::new(&runtime(), &file, &bytes).unwrap();
    let md = &checked.metadata;
    let mut key = PrivateKey::random(&mut OsRng, Algorithm::Ed25519).unwrap();
    key.set_comment("toyama-2026");
    let statement = Statement {
        institution: md.institution.clone(),
        variant: md.variant.clone(),
        version: md.version.clone(),
        sequence: 1,
        sha256: checked.sha256.clone(),
        size: bytes.len() as u64,
        signed_at: "2026-11-22T00:00:00Z".into(),
    };
    let sidecar = Sidecar::sign(&key, &statement).unwrap();
    let trust = TrustPolicy::from_toml(&format!("require_signatures = true\n[institutions.toyama]\nkeys = [\"{}\"]\n", key.public_key().to_openssh().unwrap()))
        .unwrap();
    let today = chrono::Utc::now().date_naive();
    let verified = trust.verify(&bytes, Some(&sidecar.to_bytes()), today).unwrap().unwrap();
    verified.check_module(&md.institution, &md.variant).unwrap();
    // a signature made for toyama does not verify gunma's module
    let other = std::fs::read(policies().join("gunma-2023.wasm")).unwrap();
    assert_eq!(trust.verify(&other, Some(&sidecar.to_bytes()), today).map_err(|e| e.kind()).err(), Some(TrustErrorKind::Digest));

    // the auditor's path: OpenSSH alone, with the exported allowed_signers
    let dir = temp("openssh");
    std::fs::write(dir.join("allowed_signers"), trust.allowed_signers()).unwrap();
    std::fs::write(dir.join("statement"), &sidecar.statement).unwrap();
    std::fs::write(dir.join("statement.sig"), &sidecar.signature).unwrap();
    let verify = |principal: &str, message: &[u8]| {
        let mut child = Command::new("ssh-keygen")
            .args(["-Y", "verify", "-f"])
            .arg(dir.join("allowed_signers"))
            .args(["-I", principal, "-n", NAMESPACE, "-s"])
            .arg(dir.join("statement.sig"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ssh-keygen (Debian openssh-client) is installed");
        use std::io::Write;
        child.stdin.take().unwrap().write_all(message).unwrap();
        child.wait_with_output().unwrap()
    };
    let ok = verify("toyama", sidecar.statement.as_bytes());
    assert!(ok.status.success(), "{}{}", String::from_utf8_lossy(&ok.stdout), String::from_utf8_lossy(&ok.stderr));
    assert!(!verify("gunma", sidecar.statement.as_bytes()).status.success(), "another principal must not verify");
    let edited = sidecar.statement.replace("\"sequence\":1", "\"sequence\":2");
    assert!(!verify("toyama", edited.as_bytes()).status.success(), "an edited statement must not verify");
    let _ = std::fs::remove_dir_all(&dir);
}

use kitei_tests::signing_key as key;

/// Signs `file` as its metadata says, or as `edit` rewrites the statement.
fn sign(file: &std::path::Path, key: &PrivateKey, sequence: u64, edit: impl FnOnce(&mut Statement)) {
    let bytes = std::fs::read(file).unwrap();
    let md = Checked::new(&runtime(), file, &bytes).unwrap().metadata;
    let mut s = Statement {
        institution: md.institution,
        variant: md.variant,
        version: md.version,
        sequence,
        sha256: kitei::component::sha256_hex(&bytes),
        size: bytes.len() as u64,
        signed_at: "2026-11-22T00:00:00Z".into(),
    };
    edit(&mut s);
    std::fs::write(kitei::trust::sidecar_path(file), Sidecar::sign(key, &s).unwrap().to_bytes()).unwrap();
}

/// Under a trust policy, each untrusted module is refused by name before it
/// runs, the trusted ones serve, and a refused update leaves the last good
/// version serving.
#[test]
fn loading_under_trust_refuses_untrusted_modules_and_keeps_the_last_good() {
    use kitei::Registry;
    use kitei::trust::{SequenceFloor, Trust};
    let dir = kitei_tests::temp_policy_dir("trusted", &["toyama-2023", "gunma-2023", "koza-renkei-2020", "rokin-2019"]);
    let (toyama, gunma, koza) = (key("toyama"), key("gunma"), key("koza"));
    let trust_toml = format!(
        "require_signatures = true\n[institutions.toyama]\nkeys = [\"{}\"]\n[institutions.gunma]\nkeys = [\"{}\"]\n[institutions.koza-renkei]\nkeys = [\"{}\"]\n",
        toyama.public_key().to_openssh().unwrap(),
        gunma.public_key().to_openssh().unwrap(),
        koza.public_key().to_openssh().unwrap()
    );
    let floor_file = dir.join("../kitei-trusted-floor.json");
    let _ = std::fs::remove_file(&floor_file);
    let trust = Trust::new(TrustPolicy::from_toml(&trust_toml).unwrap(), SequenceFloor::open(&floor_file).unwrap());
    sign(&dir.join("toyama-2023.wasm"), &toyama, 5, |_| {});
    // gunma-2023: no signature. koza: a statement moving it into gunma-2019's slot, by koza's key.
    sign(&dir.join("koza-renkei-2020.wasm"), &koza, 1, |s| s.variant = "gunma-2019".into());
    // rokin: signed by toyama's key, in rokin's name
    sign(&dir.join("rokin-2019.wasm"), &toyama, 1, |_| {});

    let rt = runtime();
    let r = Registry::load_dir_trusted(&rt, &dir, &Registry::default(), Some(&trust)).unwrap();
    let variants: Vec<&str> = r.policies().iter().map(|p| p.info().variant()).collect();
    assert_eq!(variants, ["toyama-2023"], "{:?}", r.rejected());
    let signature = r.variant("toyama-2023").unwrap().info().signature.clone().unwrap();
    assert_eq!(signature.statement.sequence, 5);
    let reason = |r: &Registry, file: &str| r.rejected().iter().find(|x| x.file().ends_with(file)).map(|x| x.to_string()).unwrap_or_default();
    assert!(reason(&r, "gunma-2023.wasm").contains("no signature"), "{}", reason(&r, "gunma-2023.wasm"));
    assert!(reason(&r, "koza-renkei-2020.wasm").contains("statement says variant `gunma-2019`"), "{}", reason(&r, "koza-renkei-2020.wasm"));
    assert!(reason(&r, "rokin-2019.wasm").contains("no trusted keys for institution `rokin`"), "{}", reason(&r, "rokin-2019.wasm"));
    assert_eq!(SequenceFloor::open(&floor_file).unwrap().get("toyama-2023"), Some(5), "the floor is persisted");

    // a rollback: the same module re-signed with a lower sequence is refused; the last good keeps serving
    sign(&dir.join("toyama-2023.wasm"), &toyama, 4, |_| {});
    let r2 = Registry::load_dir_trusted(&rt, &dir, &r, Some(&trust)).unwrap();
    assert!(reason(&r2, "toyama-2023.wasm").contains("rollback refused") && reason(&r2, "toyama-2023.wasm").contains("keeps serving"));
    assert_eq!(r2.variant("toyama-2023").unwrap().info().signature.as_ref().unwrap().statement.sequence, 5);

    // bytes changed under a valid signature: refused, last good serving
    sign(&dir.join("toyama-2023.wasm"), &toyama, 6, |_| {});
    std::fs::copy(dir.join("gunma-2023.wasm"), dir.join("toyama-2023.wasm")).unwrap();
    let r3 = Registry::load_dir_trusted(&rt, &dir, &r2, Some(&trust)).unwrap();
    assert!(reason(&r3, "toyama-2023.wasm").contains("module bytes differ"), "{}", reason(&r3, "toyama-2023.wasm"));
    assert!(r3.variant("toyama-2023").is_some());
    let _ = std::fs::remove_file(&floor_file);
}
