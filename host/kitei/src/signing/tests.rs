//! Every way a module can be untrustworthy is refused by name.

use super::*;
use ssh_key::rand_core::OsRng;
use ssh_key::{Algorithm, PrivateKey};

fn key(comment: &str) -> PrivateKey {
    let mut k = PrivateKey::random(&mut OsRng, Algorithm::Ed25519).unwrap();
    k.set_comment(comment);
    k
}

fn line(k: &PrivateKey) -> String {
    k.public_key().to_openssh().unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const MODULE: &[u8] = b"\0asm module bytes of gunma-2023";

fn statement(module: &[u8]) -> Statement {
    Statement {
        institution: "gunma".into(),
        variant: "gunma-2023".into(),
        version: "2023-06-06".into(),
        sequence: 7,
        sha256: sha256_hex(module),
        size: module.len() as u64,
        signed_at: "2026-11-22T00:00:00Z".into(),
    }
}

struct Fixture {
    gunma: PrivateKey,
    toyama: PrivateKey,
    policy: TrustPolicy,
}

fn fixture() -> Fixture {
    let (gunma, toyama) = (key("gunma-2026"), key("toyama-2026"));
    let policy = TrustPolicy::from_toml(&format!(
        "require_signatures = true\n[institutions.gunma]\nkeys = [\"{}\"]\n[institutions.toyama]\nkeys = [{{ key = \"{}\", not_before = \"2026-01-01\", not_after = \"2026-12-31\" }}]\n",
        line(&gunma),
        line(&toyama)
    ))
    .unwrap();
    Fixture { gunma, toyama, policy }
}

fn signed(k: &PrivateKey, s: &Statement) -> Vec<u8> {
    Sidecar::sign(k, s).unwrap().to_bytes()
}

const TODAY: &str = "2026-11-22";

#[test]
fn a_module_signed_by_its_institution_verifies() {
    let f = fixture();
    let v = f.policy.verify(MODULE, Some(&signed(&f.gunma, &statement(MODULE))), day(TODAY)).unwrap().unwrap();
    assert_eq!(v.statement, statement(MODULE));
    assert_eq!(v.key, f.gunma.public_key().fingerprint(ssh_key::HashAlg::Sha256).to_string());
    v.check_module("gunma", "gunma-2023").unwrap();
}

#[test]
fn no_signature_is_refused_only_when_required() {
    let f = fixture();
    assert!(matches!(f.policy.verify(MODULE, None, day(TODAY)).map_err(|e| e.0), Err(TrustFault::Unsigned)));
    let open = TrustPolicy::from_toml("require_signatures = false").unwrap();
    assert_eq!(open.verify(MODULE, None, day(TODAY)).unwrap(), None);
    // a signature that is there is checked even when none is required
    let other = key("stranger");
    assert!(matches!(
        open.verify(MODULE, Some(&signed(&other, &statement(MODULE))), day(TODAY)).map_err(|e| e.0),
        Err(TrustFault::UnknownInstitution(i)) if i == "gunma"
    ));
}

#[test]
fn an_unknown_key_is_refused() {
    let f = fixture();
    let e = f.policy.verify(MODULE, Some(&signed(&key("mallory"), &statement(MODULE))), day(TODAY)).unwrap_err();
    assert!(matches!(e.0, TrustFault::UnknownKey { ref institution, .. } if institution == "gunma"), "{e}");
}

#[test]
fn another_institutions_key_cannot_sign_for_gunma() {
    let f = fixture();
    let e = f.policy.verify(MODULE, Some(&signed(&f.toyama, &statement(MODULE))), day(TODAY)).unwrap_err();
    assert!(matches!(e.0, TrustFault::OtherInstitution { ref institution, ref signer } if institution == "gunma" && signer == "toyama"), "{e}");
}

#[test]
fn a_statement_for_another_module_slot_is_refused() {
    let f = fixture();
    let mut s = statement(MODULE);
    s.variant = "gunma-2019".into();
    let v = f.policy.verify(MODULE, Some(&signed(&f.gunma, &s)), day(TODAY)).unwrap().unwrap();
    let e = v.check_module("gunma", "gunma-2023").unwrap_err();
    assert!(matches!(e.0, TrustFault::Mismatch { field: "variant", .. }), "{e}");
    let e = v.check_module("toyama", "gunma-2019").unwrap_err();
    assert!(matches!(e.0, TrustFault::Mismatch { field: "institution", .. }), "{e}");
}

#[test]
fn bytes_changed_after_signing_are_refused() {
    let f = fixture();
    let sig = signed(&f.gunma, &statement(MODULE));
    let mut changed = MODULE.to_vec();
    changed[5] ^= 1;
    assert!(matches!(f.policy.verify(&changed, Some(&sig), day(TODAY)).map_err(|e| e.0), Err(TrustFault::Digest(_))));
    changed = MODULE.to_vec();
    changed.push(0);
    assert!(matches!(f.policy.verify(&changed, Some(&sig), day(TODAY)).map_err(|e| e.0), Err(TrustFault::Digest(_))));
}

#[test]
fn a_statement_edited_after_signing_does_not_verify() {
    let f = fixture();
    let mut side = Sidecar::sign(&f.gunma, &statement(MODULE)).unwrap();
    side.statement = side.statement.replace("\"sequence\":7", "\"sequence\":9");
    let e = f.policy.verify(MODULE, Some(&side.to_bytes()), day(TODAY)).unwrap_err();
    assert!(matches!(e.0, TrustFault::BadSignature(_)), "{e}");
}

#[test]
fn a_key_outside_its_validity_is_refused() {
    let f = fixture();
    let mut s = statement(MODULE);
    s.institution = "toyama".into();
    let sig = signed(&f.toyama, &s);
    assert!(f.policy.verify(MODULE, Some(&sig), day("2026-12-31")).is_ok());
    let e = f.policy.verify(MODULE, Some(&sig), day("2027-01-01")).unwrap_err();
    assert!(matches!(e.0, TrustFault::KeyNotValid { .. }), "{e}");
    assert!(matches!(f.policy.verify(MODULE, Some(&sig), day("2025-12-31")).map_err(|e| e.0), Err(TrustFault::KeyNotValid { .. })));
}

#[test]
fn a_lower_sequence_is_a_rollback_even_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("kitei-floor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("floor.json");
    let _ = std::fs::remove_file(&file);
    let mut floor = SequenceFloor::open(&file).unwrap();
    let s7 = statement(MODULE);
    floor.accept(&s7).unwrap();
    let s6 = Statement { sequence: 6, ..s7.clone() };
    assert!(matches!(floor.check(&s6).map_err(|e| e.0), Err(TrustFault::Rollback { floor: 7, .. })));
    floor.accept(&s7).unwrap(); // the same module again is not a rollback
    let reopened = SequenceFloor::open(&file).unwrap();
    assert_eq!(reopened.get("gunma-2023"), Some(7));
    assert!(matches!(reopened.check(&s6).map_err(|e| e.0), Err(TrustFault::Rollback { .. })));
    assert!(reopened.check(&Statement { sequence: 8, ..s7 }).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_corrupt_or_truncated_signature_file_is_refused() {
    let f = fixture();
    let sig = signed(&f.gunma, &statement(MODULE));
    for bad in [&sig[..sig.len() / 2], b"not json".as_slice(), b"{}".as_slice()] {
        assert!(matches!(f.policy.verify(MODULE, Some(bad), day(TODAY)).map_err(|e| e.0), Err(TrustFault::Malformed(_))));
    }
    let mut side = Sidecar::parse(&sig).unwrap();
    side.signature = side.signature.replace("-----END SSH SIGNATURE-----", "");
    assert!(matches!(f.policy.verify(MODULE, Some(&side.to_bytes()), day(TODAY)).map_err(|e| e.0), Err(TrustFault::Malformed(_))));
}

#[test]
fn a_signature_in_another_namespace_is_refused() {
    let f = fixture();
    let text = serde_json::to_string(&statement(MODULE)).unwrap();
    let sig = f.gunma.sign("git", ssh_key::HashAlg::Sha512, text.as_bytes()).unwrap();
    let side = Sidecar { statement: text, signature: sig.to_pem(ssh_key::LineEnding::LF).unwrap() };
    let e = f.policy.verify(MODULE, Some(&side.to_bytes()), day(TODAY)).unwrap_err();
    assert!(matches!(e.0, TrustFault::Namespace(ref n) if n == "git"), "{e}");
}

#[test]
fn trust_files_are_read_strictly() {
    for (text, needle) in [
        ("require_signatures = true", "no institution has keys"),
        ("require_signatures = true\n[institutions.gunma]\nkeys = [\"ssh-ed25519 nonsense\"]", "institutions.gunma.keys[0]"),
        ("require_signatures = true\n[institutions.gunma]\nkeys = []", "keys` is empty"),
        ("require_signatures = true\nextra = 1", "extra"),
        ("[institutions.gunma]\nkeys = []", "require_signatures"),
    ] {
        let e = TrustPolicy::from_toml(text).unwrap_err().to_string();
        assert!(e.contains(needle), "{text:?}: {e}");
    }
}

#[test]
fn allowed_signers_names_each_institution_with_the_namespace_and_window() {
    let f = fixture();
    let text = f.policy.allowed_signers();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("gunma namespaces=\"kitei-policy@v1\" ssh-ed25519 "), "{}", lines[0]);
    assert!(lines[1].starts_with("toyama namespaces=\"kitei-policy@v1\",valid-after=\"20260101\",valid-before=\"20270101\" ssh-ed25519 "), "{}", lines[1]);
}

#[test]
fn a_rotated_policy_rechecks_what_was_verified_and_keeps_the_floor() {
    let f = fixture();
    let v = f.policy.verify(MODULE, Some(&signed(&f.gunma, &statement(MODULE))), day(TODAY)).unwrap().unwrap();
    f.policy.recheck(Some(&v), day(TODAY)).unwrap();
    assert!(matches!(f.policy.recheck(None, day(TODAY)).map_err(|e| e.0), Err(TrustFault::Unsigned)));
    // gunma's key replaced by a new one: what it signed is no longer trusted
    let rotated = TrustPolicy::from_toml(&format!("require_signatures = true\n[institutions.gunma]\nkeys = [\"{}\"]\n", line(&key("gunma-2027")))).unwrap();
    let e = rotated.recheck(Some(&v), day(TODAY)).unwrap_err();
    assert!(matches!(e.0, TrustFault::UnknownKey { .. }), "{e}");
    assert!(e.to_string().contains(&v.key), "{e}");
    let gone = TrustPolicy::from_toml("require_signatures = false\n").unwrap();
    assert!(matches!(gone.recheck(Some(&v), day(TODAY)).map_err(|e| e.0), Err(TrustFault::UnknownInstitution(_))));
    gone.recheck(None, day(TODAY)).unwrap();
    // the key kept, with a window that has ended
    let ended = TrustPolicy::from_toml(&format!(
        "require_signatures = true\n[institutions.gunma]\nkeys = [{{ key = \"{}\", not_after = \"2026-01-31\" }}]\n",
        line(&f.gunma)
    ))
    .unwrap();
    assert!(matches!(ended.recheck(Some(&v), day(TODAY)).map_err(|e| e.0), Err(TrustFault::KeyNotValid { .. })));

    // the floor outlives the rotation
    let trust = Trust::new(f.policy.clone(), SequenceFloor::in_memory());
    trust.accept(&v).unwrap();
    let next = trust.with_policy(rotated);
    let old = Verified { statement: Statement { sequence: 6, ..v.statement.clone() }, key: v.key.clone() };
    assert!(matches!(next.check_floor(&old).map_err(|e| e.0), Err(TrustFault::Rollback { floor: 7, .. })));
}
