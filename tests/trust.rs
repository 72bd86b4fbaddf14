//! Signed modules end to end on a real built component: a statement of what
//! the module says of itself, verified by the library, and by OpenSSH's own
//! `ssh-keygen -Y verify` from the allowed_signers file kitei exports.

use kitei::component::Checked;
use kitei::trust::{Sidecar, Statement, TrustError, TrustPolicy, NAMESPACE};
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
    let trust = TrustPolicy::from_toml(&format!(
        "require_signatures = true\n[institutions.toyama]\nkeys = [\"{}\"]\n",
        key.public_key().to_openssh().unwrap()
    ))
    .unwrap();
    let today = chrono::Utc::now().date_naive();
    let verified = trust.verify(&bytes, Some(&sidecar.to_bytes()), today).unwrap().unwrap();
    verified.check_module(&md.institution, &md.variant).unwrap();
    // a signature made for toyama does not verify gunma's module
    let other = std::fs::read(policies().join("gunma-2023.wasm")).unwrap();
    assert!(matches!(trust.verify(&other, Some(&sidecar.to_bytes()), today), Err(TrustError::Digest(_))));

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
