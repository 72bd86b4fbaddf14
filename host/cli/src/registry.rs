//! The flags every command that reaches a registry shares: credentials,
//! a private certificate authority, plain HTTP.

use anyhow::Result;
use kitei_oci::{CaCertificates, Client, ClientOptions, Credentials};
use std::path::PathBuf;

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
}
