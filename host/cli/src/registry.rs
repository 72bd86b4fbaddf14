//! The flags every command that reaches a registry shares: credentials,
//! a private certificate authority, plain HTTP.

use anyhow::{Context, Result};
use kitei_oci::{CaCertificates, Client, ClientOptions, Credentials, Pulled, Reference};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Clone, Debug)]
pub struct RegistryArgs {
    /// Registry credentials: a Docker/Podman auth file (`auths` entries with
    /// `auth`, or `username` and `password`), keyed by registry, so one file
    /// serves several. Default: $REGISTRY_AUTH_FILE, else
    /// $XDG_RUNTIME_DIR/containers/auth.json, then ~/.docker/config.json
    #[arg(long, value_name = "FILE")]
    registry_auth: Option<PathBuf>,
    /// Trust this certificate authority (PEM) for HTTPS registries, besides
    /// the system's; with it, loopback registries are spoken to over HTTPS too
    #[arg(long, value_name = "FILE", conflicts_with = "plain_http")]
    registry_ca: Option<PathBuf>,
    /// Speak plain HTTP to every registry (without it: only to loopback
    /// registries, and only when no --registry-ca is given)
    #[arg(long)]
    plain_http: bool,
}

impl RegistryArgs {
    /// The client options these flags and the environment say.
    pub fn options(&self) -> Result<ClientOptions> {
        let ca = match &self.registry_ca {
            Some(file) => CaCertificates::read(file)?,
            None => CaCertificates::default(),
        };
        Ok(ClientOptions { plain_http: self.plain_http, credentials: Credentials::discover(self.registry_auth.as_deref())?, ca })
    }

    /// A client with these options.
    pub fn client(&self) -> Result<Client> {
        Ok(Client::new(self.options()?)?)
    }

    /// A module argument that names a file or a registry reference
    /// (`serve --stage`, `replay --against`): a file (or directory) as
    /// given, whether or not it exists yet (the caller says so when it
    /// reads it); a reference pulled with its signature into `pulled`, a
    /// private directory made on first need, when `trusted` (a pulled
    /// module is loaded only under a trust policy).
    pub fn module_path(&self, flag: &str, given: &str, trusted: bool, pulled: &mut Option<crate::serve::PrivateDir>) -> Result<PathBuf> {
        let path = PathBuf::from(given);
        if path.exists() || !looks_like_reference(given) {
            return Ok(path);
        }
        let reference: Reference = given.parse().with_context(|| format!("{flag} `{given}`: neither a file nor a registry reference"))?;
        anyhow::ensure!(trusted, "{flag} `{given}`: a module from a registry is verified before it is used: --trust is required");
        let dir = match pulled {
            Some(d) => d,
            None => pulled.insert(crate::serve::PrivateDir::create_named("kitei-pulled", "modules pulled from a registry")?),
        };
        let (file, digest) = self.pull_into(&reference, dir.path()).with_context(|| format!("{flag} `{given}`: pulling"))?;
        eprintln!("kitei: {flag} {given}: pulled {digest} into {}", file.display());
        Ok(file)
    }

    /// Pulls `reference`'s module, and its signature when it has one, into
    /// `dir` as `<manifest digest>.wasm` and `.wasm.sig`: not verified here,
    /// it is loaded under a trust policy as a file is. Returns the file and
    /// the manifest digest.
    fn pull_into(&self, reference: &Reference, dir: &Path) -> Result<(PathBuf, String)> {
        let client = self.client()?;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting tokio")?;
        let got = rt.block_on(client.pull(reference))?;
        let file = dir.join(format!("{}.wasm", got.digest.trim_start_matches("sha256:")));
        write_pulled(&got, &file)?;
        Ok((file, got.digest))
    }
}

/// Writes a pulled module to `file` and its signature, when it has one,
/// beside it (`.wasm.sig`), as a module file and its sidecar are loaded.
pub fn write_pulled(got: &Pulled, file: &Path) -> Result<()> {
    std::fs::write(file, &got.module).with_context(|| format!("writing `{}`", file.display()))?;
    if let Some(sig) = &got.signature {
        std::fs::write(kitei::trust::sidecar_path(file), &sig.bytes).with_context(|| format!("writing the signature of `{}`", file.display()))?;
    }
    Ok(())
}

/// Whether an argument naming a module file or a registry reference names a
/// reference: it has a `/` and does not end in `.wasm` (an existing file is
/// a file whatever its name; callers check that first).
fn looks_like_reference(given: &str) -> bool {
    given.contains('/') && !given.ends_with(".wasm")
}
