//! Ship signed kitei policy modules through an OCI registry.
//!
//! A module is pushed in the CNCF Wasm OCI artifact layout: an image
//! manifest with config media type [`MODULE_CONFIG_MEDIA_TYPE`] and one
//! [`MODULE_LAYER_MEDIA_TYPE`] layer, the module's exact bytes. Its signature
//! (the `.wasm.sig` sidecar of `kitei::trust`, byte for byte) is a second
//! artifact of type [`SIGNATURE_ARTIFACT_TYPE`] whose manifest's `subject`
//! is the module's manifest, so the registry's referrers API lists it. For
//! registries without that API (CNCF distribution 2.x) the OCI referrers tag
//! schema is written too: an image index listing the signature under the tag
//! `sha256-<hex of the module manifest digest>` ([`fallback_tag`]).
//! [`Client::copy`] mirrors a module and its signatures to another registry
//! byte for byte, so its digest there is the same.
//!
//! This crate only moves bytes; it trusts nothing it pulls. Verification is
//! `kitei::trust`'s, on the bytes [`Client::pull`] returns, before anything
//! is written or compiled. docs/distribution.md describes the layout.
//!
//! Registries are spoken to over HTTPS (rustls with `ring`; the system's
//! roots and [`ClientOptions::ca`]), except over plain HTTP: those on
//! loopback (`127.0.0.1`, `localhost`, `[::1]`) when no CA is given, and
//! every one with [`ClientOptions::plain_http`]. Credentials come from the
//! Docker/Podman auth files ([`Credentials`]); a registry that answers `401`
//! or `403` gives an error naming it and where credentials were looked for.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use kitei_oci::{Client, ClientOptions, Credentials, Reference};
//! let options = ClientOptions { credentials: Credentials::discover(None)?, ..ClientOptions::default() };
//! let client = Client::new(options)?;
//! let r: Reference = "127.0.0.1:5000/policies/gunma-2023:latest".parse()?;
//! let module = std::fs::read("target/policies/gunma-2023.wasm")?;
//! let sig = std::fs::read("target/policies/gunma-2023.wasm.sig")?;
//! let digest = client.push(&r, &module, Some(&sig)).await?;
//! assert_eq!(client.resolve(&r).await?, digest);
//! let pulled = client.pull(&r.with_digest(&digest)).await?;
//! assert_eq!(pulled.module, module);
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

mod auth;
mod copy;
mod error;
mod reference;
mod referrers;
mod tls;

pub use auth::{Credentials, CredentialsError};
pub use copy::Copied;
pub use error::{OciError, Step};
pub use reference::Reference;
pub use tls::{CaCertificates, SetupError};

use auth::Access;
use futures_util::TryStreamExt;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::manifest::{OCI_IMAGE_MEDIA_TYPE, OciDescriptor, OciImageManifest};
use oci_client::secrets::RegistryAuth;
use sha2::Digest as _;
use std::time::Duration;

/// The module artifact's config media type (CNCF Wasm OCI artifact).
pub const MODULE_CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
/// The module layer's media type: the component's bytes, as built and signed.
pub const MODULE_LAYER_MEDIA_TYPE: &str = "application/wasm";
/// The signature artifact's `artifactType`, and its one layer's media type:
/// a kitei `.wasm.sig` file (JSON: the signed statement and its SSHSIG armour).
pub const SIGNATURE_ARTIFACT_TYPE: &str = "application/vnd.kitei.policy.signature.v1+json";
/// The OCI empty descriptor's media type (the signature artifact's config).
const EMPTY_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
const EMPTY_CONFIG: &[u8] = b"{}";

/// The largest module layer pulled (a policy component is well under 1 MiB).
pub const MAX_MODULE_BYTES: u64 = 32 << 20;

/// The most tags [`Client::find_module`] looks at in one repository.
pub const MAX_TAGS_SEARCHED: usize = 1000;
/// The largest signature layer pulled.
pub const MAX_SIGNATURE_BYTES: u64 = 64 << 10;
/// The largest config blob copied (a module's is under 200 bytes).
const MAX_CONFIG_BYTES: u64 = 64 << 10;
const MAX_MANIFEST_BYTES: usize = 1 << 20;

/// The referrers tag schema's tag for a subject: `sha256:<hex>` → `sha256-<hex>`.
pub fn fallback_tag(subject_digest: &str) -> String {
    subject_digest.replace(':', "-")
}

/// How a client connects and authenticates.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// speak plain HTTP to every registry, not only to loopback ones
    pub plain_http: bool,
    /// registry credentials (default: none, anonymous)
    pub credentials: Credentials,
    /// private certificate authorities for HTTPS registries; given any,
    /// loopback registries are spoken to over HTTPS too
    pub ca: CaCertificates,
}

/// Where a pulled signature was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureSource {
    /// the registry's referrers API (`GET /v2/<repo>/referrers/<digest>`)
    ReferrersApi,
    /// the referrers tag schema: the index tagged `sha256-<hex>`
    FallbackTag,
}

/// A pulled signature: the `.wasm.sig` bytes, unverified.
#[derive(Clone, Debug)]
pub struct PulledSignature {
    /// the sidecar file's bytes
    pub bytes: Vec<u8>,
    /// the signature artifact's manifest digest
    pub digest: String,
    /// how it was found
    pub source: SignatureSource,
}

/// What [`Client::pull`] fetched. Nothing here is verified beyond the
/// registry's content digests: hand `module` and `signature` to
/// `kitei::trust::TrustPolicy::verify`.
#[derive(Clone, Debug)]
pub struct Pulled {
    /// the module manifest's digest (`sha256:<hex>`)
    pub digest: String,
    /// the module's bytes
    pub module: Vec<u8>,
    /// its signature, when one refers to the module
    pub signature: Option<PulledSignature>,
}

/// Pushes, pulls and copies policy modules.
#[derive(Clone)]
pub struct Client {
    http: oci_client::Client,
    https: oci_client::Client,
    plain: reqwest::Client,
    tls: reqwest::Client,
    options: ClientOptions,
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

/// The message of an error and its causes.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

fn is_not_found(e: &OciDistributionError) -> bool {
    match e {
        OciDistributionError::ImageManifestNotFoundError(_) => true,
        OciDistributionError::RegistryError { envelope, .. } => {
            envelope.errors.iter().any(|e| matches!(e.code, OciErrorCode::ManifestUnknown | OciErrorCode::NameUnknown))
        }
        OciDistributionError::ServerError { code, .. } => *code == 404,
        _ => false,
    }
}

/// The status (401 or 403) of a refusal to authenticate or authorize.
fn denied_status(e: &OciDistributionError) -> Option<u16> {
    match e {
        OciDistributionError::UnauthorizedError { .. } | OciDistributionError::AuthenticationFailure(_) => Some(401),
        OciDistributionError::ServerError { code: code @ (401 | 403), .. } => Some(*code),
        OciDistributionError::RegistryError { envelope, .. } => envelope.errors.iter().find_map(|e| match e.code {
            OciErrorCode::Unauthorized => Some(401),
            OciErrorCode::Denied => Some(403),
            _ => None,
        }),
        OciDistributionError::RequestError(r) => r.status().map(|s| s.as_u16()).filter(|s| matches!(s, 401 | 403)),
        _ => None,
    }
}

fn manifest_bytes(value: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|e| unreachable!("manifests serialize: {e}"))
}

impl Client {
    /// A client; no connection is made until a call.
    ///
    /// # Errors
    /// [`SetupError::Http`] when the HTTP client refuses a CA certificate.
    pub fn new(options: ClientOptions) -> Result<Self, SetupError> {
        tls::install_ring();
        let oci = |protocol| {
            oci_client::Client::try_from(ClientConfig {
                protocol,
                connect_timeout: Some(Duration::from_secs(10)),
                read_timeout: Some(Duration::from_secs(30)),
                extra_root_certificates: options.ca.for_oci(),
                ..ClientConfig::default()
            })
            .map_err(|e| SetupError::Http(chain(&e)))
        };
        let reqwest = |roots: Vec<reqwest::Certificate>| {
            reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(30))
                .tls_certs_merge(roots)
                .build()
                .map_err(|e| SetupError::Http(chain(&e)))
        };
        Ok(Client {
            http: oci(ClientProtocol::Http)?,
            https: oci(ClientProtocol::Https)?,
            plain: reqwest(Vec::new())?,
            tls: reqwest(options.ca.for_reqwest()?)?,
            options,
        })
    }

    /// Whether `reference`'s registry is spoken to over plain HTTP: with
    /// [`ClientOptions::plain_http`], or on loopback when no CA is given.
    pub fn plain_http(&self, reference: &Reference) -> bool {
        self.options.plain_http || (reference.is_loopback() && self.options.ca.is_empty())
    }

    fn oci(&self, r: &Reference) -> &oci_client::Client {
        if self.plain_http(r) { &self.http } else { &self.https }
    }

    /// The credentials for `r`'s registry, made the ones the client uses
    /// for it from now on.
    async fn authorize(&self, r: &Reference, step: Step) -> Result<RegistryAuth, OciError> {
        let found = self.options.credentials.lookup(r.registry()).map_err(|e| OciError::new(r, step, e))?;
        let auth = found.auth.to_client();
        self.oci(r).store_auth_if_needed(r.to_client().resolve_registry(), &auth).await;
        Ok(auth)
    }

    /// An error of the registry client; a `401`/`403` says which registry
    /// refused, with which credentials, and where they were looked for.
    fn error(&self, r: &Reference, step: Step, e: &OciDistributionError) -> OciError {
        match denied_status(e) {
            Some(status) => OciError::new(r, step, self.refusal(r, status, &chain(e))),
            None => OciError::new(r, step, chain(e)),
        }
    }

    fn refusal(&self, r: &Reference, status: u16, detail: &str) -> String {
        let registry = r.registry();
        let searched = self.options.credentials.describe(registry);
        match self.options.credentials.lookup(registry) {
            Ok(found) => {
                let who = match (&found.auth, &found.file) {
                    (Access::Anonymous, _) => "anonymous access".to_string(),
                    (Access::Basic { username, .. }, Some(f)) => format!("user `{username}` from `{}`", f.display()),
                    (Access::Bearer(_), Some(f)) => format!("the registry token from `{}`", f.display()),
                    (_, None) => "the credentials given".to_string(),
                };
                let none = if found.auth == Access::Anonymous { format!("; no credentials for `{registry}`") } else { String::new() };
                format!("the registry `{registry}` refused {who} ({status}){none}: {searched} [{detail}]")
            }
            Err(e) => format!("the registry `{registry}` refused access ({status}): {e}"),
        }
    }

    async fn push_blob(&self, r: &Reference, step: Step, data: &[u8]) -> Result<OciDescriptor, OciError> {
        let digest = sha256(data);
        let oci = self.oci(r);
        let target = r.to_client();
        let exists = match oci.blob_exists(&target, &digest).await {
            Ok(exists) => exists,
            Err(e) if denied_status(&e).is_some() => return Err(self.error(r, step, &e)),
            Err(_) => false,
        };
        if !exists {
            oci.push_blob(&target, data.to_vec(), &digest).await.map_err(|e| self.error(r, step, &e))?;
        }
        Ok(OciDescriptor { digest, size: data.len() as i64, ..OciDescriptor::default() })
    }

    async fn put_manifest(&self, r: &Reference, step: Step, body: Vec<u8>, media_type: &str) -> Result<String, OciError> {
        let digest = sha256(&body);
        let content_type = reqwest::header::HeaderValue::from_str(media_type).map_err(|e| OciError::new(r, step, e))?;
        self.oci(r).push_manifest_raw(&r.to_client(), body, content_type).await.map_err(|e| self.error(r, step, &e))?;
        Ok(digest)
    }

    /// Pushes a module, and its signature when given, to `reference`
    /// (a tag, or the digest the module's manifest will have). Returns the
    /// module manifest's digest. The tag moves last, once the module and its
    /// signature are in the registry, so whoever follows the tag never sees
    /// the new module before its signature. Pushing the same bytes again gives the same
    /// digest (the config carries no time).
    ///
    /// The signature artifact is pushed by digest with `subject` = the module
    /// manifest, and added to the index tagged [`fallback_tag`] (read, then
    /// rewritten: two pushers signing the same module at once may lose one
    /// entry; the other's signature still verifies the same bytes).
    ///
    /// # Errors
    /// [`OciError`] naming the step that failed.
    pub async fn push(&self, reference: &Reference, module: &[u8], signature: Option<&[u8]>) -> Result<String, OciError> {
        let r = reference;
        self.authorize(r, Step::PushModule).await?;
        let mut layer = self.push_blob(r, Step::PushModule, module).await?;
        layer.media_type = MODULE_LAYER_MEDIA_TYPE.to_string();
        let config = serde_json::json!({
            "architecture": "wasm",
            "os": "wasip2",
            "layerDigests": [layer.digest],
        });
        let mut config = self.push_blob(r, Step::PushModule, &manifest_bytes(&config)).await?;
        config.media_type = MODULE_CONFIG_MEDIA_TYPE.to_string();
        let manifest = OciImageManifest {
            schema_version: 2,
            media_type: Some(OCI_IMAGE_MEDIA_TYPE.to_string()),
            config,
            layers: vec![layer],
            subject: None,
            artifact_type: None,
            annotations: None,
        };
        let body = manifest_bytes(&manifest);
        let size = body.len() as i64;
        let digest = sha256(&body);
        if let Some(pinned) = r.digest()
            && pinned != digest
        {
            return Err(OciError::new(r, Step::PushModule, format!("this module's manifest is `{digest}`, not the digest named")));
        }
        // by digest first, then the signature, and only then the tag: a
        // poller that sees the tag move finds the signature already there
        self.put_manifest(&r.with_digest(&digest), Step::PushModule, body.clone(), OCI_IMAGE_MEDIA_TYPE).await?;
        if let Some(signature) = signature {
            self.push_signature(r, &digest, size, signature).await?;
        }
        if r.tag().is_some() {
            self.put_manifest(r, Step::PushModule, body, OCI_IMAGE_MEDIA_TYPE).await?;
        }
        Ok(digest)
    }

    /// The digest `reference` names now (a HEAD request): what a poller
    /// compares with what it has. A reference pinned by digest resolves to
    /// its own digest once the registry confirms it.
    ///
    /// # Errors
    /// [`OciError`] at [`Step::Resolve`].
    pub async fn resolve(&self, reference: &Reference) -> Result<String, OciError> {
        let auth = self.authorize(reference, Step::Resolve).await?;
        self.oci(reference).fetch_manifest_digest(&reference.to_client(), &auth).await.map_err(|e| self.error(reference, Step::Resolve, &e))
    }

    /// The manifest `r` names, its bytes checked against their digest.
    async fn get_manifest(&self, r: &Reference, step: Step, media_type: &str) -> Result<(Vec<u8>, String), OciError> {
        let auth = self.authorize(r, step).await?;
        let (bytes, digest) = self.oci(r).pull_manifest_raw(&r.to_client(), &auth, &[media_type]).await.map_err(|e| self.error(r, step, &e))?;
        if bytes.len() > MAX_MANIFEST_BYTES {
            return Err(OciError::new(r, step, format!("manifest of {} bytes", bytes.len())));
        }
        // the registry's digest header is not taken on trust
        let actual = sha256(&bytes);
        if actual != digest || r.digest().is_some_and(|d| d != actual) {
            return Err(OciError::new(r, step, format!("manifest bytes hash to `{actual}`, not `{}`", r.digest().unwrap_or(&digest))));
        }
        Ok((bytes.to_vec(), actual))
    }

    async fn get_blob(&self, r: &Reference, step: Step, descriptor: &OciDescriptor, cap: u64) -> Result<Vec<u8>, OciError> {
        let fail = |m: String| OciError::new(r, step, m);
        if descriptor.size < 0 || descriptor.size as u64 > cap {
            return Err(fail(format!("layer of {} bytes (at most {cap})", descriptor.size)));
        }
        let mut stream = self.oci(r).pull_blob_stream(&r.to_client(), descriptor).await.map_err(|e| self.error(r, step, &e))?.stream;
        let mut out = Vec::with_capacity(descriptor.size as usize);
        while let Some(chunk) = stream.try_next().await.map_err(|e| fail(chain(&e)))? {
            out.extend_from_slice(&chunk);
            if out.len() as u64 > cap {
                return Err(fail(format!("layer larger than {cap} bytes")));
            }
        }
        let actual = sha256(&out);
        if actual != descriptor.digest || out.len() as i64 != descriptor.size {
            return Err(fail(format!("layer bytes hash to `{actual}` ({} bytes), the manifest says `{}`", out.len(), descriptor.digest)));
        }
        Ok(out)
    }

    /// The module manifest `r` names: its bytes, digest and parsed form,
    /// refused unless it is the module artifact (config and one layer of
    /// the module media types).
    async fn module_manifest(&self, r: &Reference, step: Step) -> Result<(Vec<u8>, String, OciImageManifest), OciError> {
        let (bytes, digest) = self.get_manifest(r, step, OCI_IMAGE_MEDIA_TYPE).await?;
        let manifest: OciImageManifest = serde_json::from_slice(&bytes).map_err(|e| OciError::new(r, step, format!("not an image manifest: {e}")))?;
        if manifest.config.media_type != MODULE_CONFIG_MEDIA_TYPE {
            return Err(OciError::new(r, step, format!("config media type `{}`, not `{MODULE_CONFIG_MEDIA_TYPE}`", manifest.config.media_type)));
        }
        let [layer] = manifest.layers.as_slice() else {
            return Err(OciError::new(r, step, format!("{} layers, not one", manifest.layers.len())));
        };
        if layer.media_type != MODULE_LAYER_MEDIA_TYPE {
            return Err(OciError::new(r, step, format!("layer media type `{}`, not `{MODULE_LAYER_MEDIA_TYPE}`", layer.media_type)));
        }
        Ok((bytes, digest, manifest))
    }

    /// Finds the module whose bytes hash to `sha256` (hex, as a decision log
    /// names a module) among the tags of `repository` (its own tag or digest
    /// is ignored; at most [`MAX_TAGS_SEARCHED`] tags) and pulls it as
    /// [`Client::pull`] does, with its signature. `None` when no tag holds
    /// it. A tag that is not a module (a signature's fallback tag) is
    /// passed over.
    ///
    /// # Errors
    /// [`OciError`] when the tags cannot be listed, or the module found
    /// cannot be pulled.
    pub async fn find_module(&self, repository: &Reference, sha256: &str) -> Result<Option<Pulled>, OciError> {
        let r = repository;
        let auth = self.authorize(r, Step::ListTags).await?;
        let listed = self.oci(r).list_tags(&r.to_client(), &auth, Some(MAX_TAGS_SEARCHED), None).await.map_err(|e| self.error(r, Step::ListTags, &e))?;
        let layer_digest = format!("sha256:{sha256}");
        for tag in listed.tags.iter().take(MAX_TAGS_SEARCHED) {
            let Ok((_, digest, manifest)) = self.module_manifest(&r.with_tag(tag), Step::PullManifest).await else { continue };
            if manifest.layers.iter().any(|l| l.digest == layer_digest) {
                return self.pull(&r.with_digest(&digest)).await.map(Some);
            }
        }
        Ok(None)
    }

    /// Pulls the module `reference` names (by tag or by digest) and the
    /// newest signature that refers to it: through the registry's referrers
    /// API when it has one, else through the [`fallback_tag`] index.
    ///
    /// # Errors
    /// [`OciError`] naming the step: the manifest is not a kitei module
    /// artifact, a digest does not match, the registry fails or refuses
    /// access (`401`/`403`: the message names the registry and where
    /// credentials were looked for).
    pub async fn pull(&self, reference: &Reference) -> Result<Pulled, OciError> {
        let r = reference;
        let (_, digest, manifest) = self.module_manifest(r, Step::PullManifest).await?;
        let pinned = r.with_digest(&digest);
        let [layer] = manifest.layers.as_slice() else {
            return Err(OciError::new(r, Step::PullManifest, format!("{} layers, not one", manifest.layers.len())));
        };
        let module = self.get_blob(&pinned, Step::PullModule, layer, MAX_MODULE_BYTES).await?;
        let signature = self.pull_signature(&pinned).await?;
        Ok(Pulled { digest, module, signature })
    }
}
