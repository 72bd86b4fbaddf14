//! HTTPS to registries: rustls with the `ring` provider, the system's root
//! certificates, and the private certificate authorities given
//! (`--registry-ca FILE`).

use crate::auth::CredentialsError;
use std::path::{Path, PathBuf};

/// Why a [`crate::Client`] could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// the registry auth files
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// a CA file that cannot be read or holds no certificate
    #[error("the registry CA file `{file}`: {message}")]
    CaFile {
        /// the file
        file: PathBuf,
        /// what is wrong
        message: String,
    },
    /// the HTTP client refused its configuration (a certificate it cannot use)
    #[error("setting up the registry client: {0}")]
    Http(String),
}

/// Certificate authorities trusted for HTTPS registries, besides the
/// system's roots. Given any, loopback registries are spoken to over HTTPS
/// too (a CA says the registry has a certificate).
#[derive(Clone, Debug, Default)]
pub struct CaCertificates {
    /// DER certificates
    ders: Vec<Vec<u8>>,
}

impl CaCertificates {
    /// Reads every certificate of a PEM file (one or more `CERTIFICATE` blocks).
    ///
    /// # Errors
    /// [`SetupError::CaFile`]: unreadable, not PEM, or no certificate in it.
    pub fn read(file: &Path) -> Result<Self, SetupError> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject as _;
        let fail = |message: String| SetupError::CaFile { file: file.to_path_buf(), message };
        let pem = std::fs::read(file).map_err(|e| fail(e.to_string()))?;
        let ders =
            CertificateDer::pem_slice_iter(&pem).map(|c| c.map(|c| c.to_vec())).collect::<Result<Vec<_>, _>>().map_err(|e| fail(format!("not PEM: {e}")))?;
        if ders.is_empty() {
            return Err(fail("no `-----BEGIN CERTIFICATE-----` block".into()));
        }
        Ok(CaCertificates { ders })
    }

    /// Whether none is given.
    pub fn is_empty(&self) -> bool {
        self.ders.is_empty()
    }

    pub(crate) fn for_oci(&self) -> Vec<oci_client::client::Certificate> {
        use oci_client::client::{Certificate, CertificateEncoding};
        self.ders.iter().map(|d| Certificate { encoding: CertificateEncoding::Der, data: d.clone() }).collect()
    }

    pub(crate) fn for_reqwest(&self) -> Result<Vec<reqwest::Certificate>, SetupError> {
        self.ders.iter().map(|d| reqwest::Certificate::from_der(d).map_err(|e| SetupError::Http(e.to_string()))).collect()
    }
}

/// Makes `ring` rustls' provider for this process, unless one is set: the
/// HTTP clients are built without a provider of their own (the default,
/// aws-lc-rs, is a long C build).
pub(crate) fn install_ring() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // another thread may have set one meanwhile: that one serves
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
