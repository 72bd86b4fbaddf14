//! `kitei push`, `kitei copy` and `kitei pull` as a platform runs them,
//! against two registries with accounts and TLS (Debian's `docker-registry`
//! with htpasswd, a certificate from a CA the test makes): the module and
//! its signature are mirrored byte for byte (the same digest), a pull from
//! the mirror verifies as from the source, skopeo (Debian's) reads the
//! copied manifest with the same auth file and sees the CNCF wasm media
//! types, and a pull without credentials is refused naming the registry and
//! where credentials were looked for.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test: a failed unwrap is a failed test")]

use kitei_tests::registry::{TestCa, TestRegistry, auth_file};
use kitei_tests::{policies, sidecar, signing_key, trust_toml};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kitei-cli-copy-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `kitei ARGS…` with an environment that holds no credentials of its own
/// (`$HOME` and `$XDG_RUNTIME_DIR` empty directories of `dir`), plus `env`.
fn kitei(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let (home, run) = (dir.join("home"), dir.join("run"));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&run).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kitei"));
    cmd.args(args).env_remove("REGISTRY_AUTH_FILE").env("HOME", &home).env("XDG_RUNTIME_DIR", &run);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", kitei::component::sha256_hex(bytes))
}

/// `skopeo inspect --raw` of `reference`, with the auth file and the CA.
fn skopeo_raw(reference: &str, auth: &Path, cert_dir: &Path) -> Vec<u8> {
    let out = Command::new("skopeo")
        .args(["inspect", "--raw", "--authfile"])
        .arg(auth)
        .arg("--cert-dir")
        .arg(cert_dir)
        .arg(format!("docker://{reference}"))
        .output()
        .unwrap_or_else(|e| panic!("running skopeo (./run test installs Debian's skopeo): {e}"));
    assert!(out.status.success(), "skopeo inspect {reference}: {}", text(&out.stderr));
    out.stdout
}

#[test]
fn copy_mirrors_module_and_signature_and_pull_verifies_from_the_mirror() {
    let ca = TestCa::new();
    let source = TestRegistry::secured("copy-src", &ca, &[("publisher", "pub-pw")]);
    let mirror = TestRegistry::secured("copy-dst", &ca, &[("mirror", "mirror-pw")]);
    let dir = temp("mirror");
    let ca_file = ca.write(&dir.join("ca.pem"));
    // one auth file, two registries, two identities
    let auth = auth_file(&dir.join("auth.json"), &[(&source.addr, "publisher", "pub-pw"), (&mirror.addr, "mirror", "mirror-pw")]);
    let (ca_arg, auth_arg) = (ca_file.to_str().unwrap(), auth.to_str().unwrap());

    let key = signing_key("gunma-2026");
    let trust = dir.join("trust.toml");
    std::fs::write(&trust, trust_toml(&[("gunma", &key)])).unwrap();
    let bytes = std::fs::read(policies().join("gunma-2023.wasm")).unwrap();
    let module = dir.join("gunma-2023.wasm");
    std::fs::write(&module, &bytes).unwrap();
    std::fs::write(dir.join("gunma-2023.wasm.sig"), sidecar(&bytes, &key, 4)).unwrap();

    let src_ref = source.reference("kitei/gunma-2023:2023");
    let out = kitei(
        &dir,
        &["push", module.to_str().unwrap(), &src_ref, "--trust", trust.to_str().unwrap(), "--registry-auth", auth_arg, "--registry-ca", ca_arg],
        &[],
    );
    assert!(out.status.success(), "push: {}", text(&out.stderr));
    let pushed = text(&out.stdout).trim().to_string();
    let digest = pushed.split('@').nth(1).expect("push prints the pinned reference").to_string();

    let dst_ref = mirror.reference("mirror/gunma-2023:2023");
    let out = kitei(&dir, &["copy", &src_ref, &dst_ref, "--registry-auth", auth_arg, "--registry-ca", ca_arg], &[]);
    assert!(out.status.success(), "copy: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), format!("{}/mirror/gunma-2023@{digest}", mirror.addr), "the same digest in the mirror");
    assert!(text(&out.stderr).contains("with its signature"), "{}", text(&out.stderr));

    // the mirror's manifest, read by skopeo with the same auth file: the same bytes, the wasm media types
    let cert_dir = dir.join("certs");
    std::fs::create_dir_all(&cert_dir).unwrap();
    std::fs::copy(&ca_file, cert_dir.join("ca.crt")).unwrap();
    let raw = skopeo_raw(&dst_ref, &auth, &cert_dir);
    assert_eq!(sha256(&raw), digest, "skopeo's manifest hashes to the source's digest");
    assert_eq!(raw, skopeo_raw(&src_ref, &auth, &cert_dir), "byte for byte the source's manifest");
    let manifest: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(manifest["mediaType"], "application/vnd.oci.image.manifest.v1+json", "{manifest}");
    assert_eq!(manifest["config"]["mediaType"], "application/vnd.wasm.config.v0+json", "{manifest}");
    assert_eq!(manifest["layers"][0]["mediaType"], "application/wasm", "{manifest}");
    assert_eq!(manifest["layers"][0]["digest"], sha256(&bytes), "the layer is the module's bytes");
    // the referrers tag schema's index in the mirror lists the signature
    let index: Value =
        serde_json::from_slice(&skopeo_raw(&mirror.reference(&format!("mirror/gunma-2023:{}", digest.replace(':', "-"))), &auth, &cert_dir)).unwrap();
    assert_eq!(index["manifests"][0]["artifactType"], "application/vnd.kitei.policy.signature.v1+json", "{index}");

    // a pull from the mirror verifies exactly as from the source
    for (what, reference) in [("source", &src_ref), ("mirror", &dst_ref)] {
        let out_dir = dir.join(format!("out-{what}"));
        let out = kitei(
            &dir,
            &["pull", reference, "--trust", trust.to_str().unwrap(), "-o", out_dir.to_str().unwrap(), "--registry-ca", ca_arg],
            &[("REGISTRY_AUTH_FILE", &auth)],
        );
        assert!(out.status.success(), "pull from the {what}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("gunma-2023") && text(&out.stderr).contains("sequence 4 signed by"), "{what}: {}", text(&out.stderr));
        assert!(std::fs::read(out_dir.join("gunma-2023.wasm")).unwrap() == bytes, "{what}: the module's bytes");
        assert_eq!(std::fs::read(out_dir.join("gunma-2023.wasm.sig")).unwrap(), std::fs::read(dir.join("gunma-2023.wasm.sig")).unwrap(), "{what}");
    }

    // without credentials: refused, naming the registry and where they were looked for; nothing written
    let out_dir = dir.join("out-anonymous");
    let out = kitei(&dir, &["pull", &dst_ref, "--trust", trust.to_str().unwrap(), "-o", out_dir.to_str().unwrap(), "--registry-ca", ca_arg], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    for part in [
        format!("the registry `{}` refused anonymous access (401)", mirror.addr),
        "$XDG_RUNTIME_DIR/containers/auth.json: absent".to_string(),
        "~/.docker/config.json: absent".to_string(),
    ] {
        assert!(said.contains(&part), "the refusal says `{part}`: {said}");
    }
    assert!(!out_dir.join("gunma-2023.wasm").exists(), "nothing written");
    // a --registry-auth file that is not there is an error naming it
    let out =
        kitei(&dir, &["pull", &dst_ref, "--trust", trust.to_str().unwrap(), "-o", out_dir.to_str().unwrap(), "--registry-auth", "/nonexistent/auth.json"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`/nonexistent/auth.json` (--registry-auth) does not exist"), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn credentials_from_the_podman_and_docker_files_by_default() {
    let ca = TestCa::new();
    let registry = TestRegistry::secured("copy-default", &ca, &[("alice", "pw")]);
    let dir = temp("default");
    let ca_arg = ca.write(&dir.join("ca.pem"));
    let trust = dir.join("trust.toml");
    let key = signing_key("gunma");
    std::fs::write(&trust, trust_toml(&[("gunma", &key)])).unwrap();
    let bytes = std::fs::read(policies().join("gunma-2023.wasm")).unwrap();
    let module = dir.join("gunma-2023.wasm");
    std::fs::write(&module, &bytes).unwrap();
    std::fs::write(dir.join("gunma-2023.wasm.sig"), sidecar(&bytes, &key, 1)).unwrap();
    let r = registry.reference("kitei/gunma:1");
    // ~/.docker/config.json (kitei() makes $HOME under dir)
    std::fs::create_dir_all(dir.join("home/.docker")).unwrap();
    auth_file(&dir.join("home/.docker/config.json"), &[(&registry.addr, "alice", "pw")]);
    let out = kitei(&dir, &["push", module.to_str().unwrap(), &r, "--registry-ca", ca_arg.to_str().unwrap()], &[]);
    assert!(out.status.success(), "push with ~/.docker/config.json: {}", text(&out.stderr));
    // $XDG_RUNTIME_DIR/containers/auth.json comes first: a wrong password there is what is used
    std::fs::create_dir_all(dir.join("run/containers")).unwrap();
    auth_file(&dir.join("run/containers/auth.json"), &[(&registry.addr, "alice", "wrong")]);
    let out_dir = dir.join("out");
    let out = kitei(&dir, &["pull", &r, "--trust", trust.to_str().unwrap(), "-o", out_dir.to_str().unwrap(), "--registry-ca", ca_arg.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    let said = text(&out.stderr);
    assert!(said.contains("refused user `alice` from `") && said.contains("containers/auth.json` (401)"), "{said}");
    std::fs::remove_file(dir.join("run/containers/auth.json")).unwrap();
    let out = kitei(&dir, &["pull", &r, "--trust", trust.to_str().unwrap(), "-o", out_dir.to_str().unwrap(), "--registry-ca", ca_arg.to_str().unwrap()], &[]);
    assert!(out.status.success(), "pull with ~/.docker/config.json: {}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}
