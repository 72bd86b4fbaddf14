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
//!
//! This crate only moves bytes; it trusts nothing it pulls. Verification is
//! `kitei::trust`'s, on the bytes [`Client::pull`] returns, before anything
//! is written or compiled. docs/distribution.md describes the layout.
//!
//! Registries on loopback (`127.0.0.1`, `localhost`, `[::1]`) are spoken to
//! over plain HTTP, any other over HTTPS unless [`ClientOptions::plain_http`].
//! Access is anonymous.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kitei_oci::OciError> {
//! use kitei_oci::{Client, ClientOptions, Reference};
//! let client = Client::new(ClientOptions::default());
//! let r: Reference = "127.0.0.1:5000/policies/gunma-2023:latest".parse()?;
//! let module = std::fs::read("target/policies/gunma-2023.wasm").unwrap();
//! let sig = std::fs::read("target/policies/gunma-2023.wasm.sig").unwrap();
//! let digest = client.push(&r, &module, Some(&sig)).await?;
//! assert_eq!(client.resolve(&r).await?, digest);
//! let pulled = client.pull(&r.with_digest(&digest)).await?;
//! assert_eq!(pulled.module, module);
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

mod error;
mod reference;

pub use error::{OciError, Step};
pub use reference::Reference;

use futures_util::TryStreamExt;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::manifest::{ImageIndexEntry, OciDescriptor, OciImageIndex, OciImageManifest, OCI_IMAGE_INDEX_MEDIA_TYPE, OCI_IMAGE_MEDIA_TYPE};
use oci_client::secrets::RegistryAuth;
use sha2::Digest as _;
use std::collections::BTreeMap;
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
const TITLE: &str = "org.opencontainers.image.title";
const CREATED: &str = "org.opencontainers.image.created";

/// The largest module layer pulled (a policy component is well under 1 MiB).
pub const MAX_MODULE_BYTES: u64 = 32 << 20;
/// The largest signature layer pulled.
pub const MAX_SIGNATURE_BYTES: u64 = 64 << 10;
const MAX_MANIFEST_BYTES: usize = 1 << 20;

/// The referrers tag schema's tag for a subject: `sha256:<hex>` → `sha256-<hex>`.
pub fn fallback_tag(subject_digest: &str) -> String {
    subject_digest.replace(':', "-")
}

/// How a client connects.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// speak plain HTTP to every registry, not only to loopback ones
    pub plain_http: bool,
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

/// Pushes and pulls policy modules (anonymous access).
#[derive(Clone)]
pub struct Client {
    http: oci_client::Client,
    https: oci_client::Client,
    plain: reqwest::Client,
    tls: reqwest::Client,
    options: ClientOptions,
}

fn client(protocol: ClientProtocol) -> oci_client::Client {
    oci_client::Client::new(ClientConfig {
        protocol,
        connect_timeout: Some(Duration::from_secs(10)),
        read_timeout: Some(Duration::from_secs(30)),
        ..ClientConfig::default()
    })
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

fn manifest_bytes(value: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|e| unreachable!("manifests serialize: {e}"))
}

impl Client {
    /// A client; no connection is made until a call.
    pub fn new(options: ClientOptions) -> Self {
        let reqwest = || {
            reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap_or_default()
        };
        Client {
            http: client(ClientProtocol::Http),
            https: client(ClientProtocol::Https),
            plain: reqwest(),
            tls: reqwest(),
            options,
        }
    }

    /// Whether `reference`'s registry is spoken to over plain HTTP.
    pub fn plain_http(&self, reference: &Reference) -> bool {
        self.options.plain_http || reference.is_loopback()
    }

    fn oci(&self, r: &Reference) -> &oci_client::Client {
        if self.plain_http(r) { &self.http } else { &self.https }
    }

    async fn push_blob(&self, r: &Reference, step: Step, data: &[u8]) -> Result<OciDescriptor, OciError> {
        let digest = sha256(data);
        let oci = self.oci(r);
        let target = r.to_client();
        let exists = oci.blob_exists(&target, &digest).await.unwrap_or(false);
        if !exists {
            oci.push_blob(&target, data.to_vec(), &digest).await.map_err(|e| OciError::new(r, step, chain(&e)))?;
        }
        Ok(OciDescriptor { digest, size: data.len() as i64, ..OciDescriptor::default() })
    }

    async fn put_manifest(&self, r: &Reference, step: Step, body: Vec<u8>, media_type: &str) -> Result<String, OciError> {
        let digest = sha256(&body);
        let content_type = reqwest::header::HeaderValue::from_str(media_type).map_err(|e| OciError::new(r, step, e))?;
        self.oci(r)
            .push_manifest_raw(&r.to_client(), body, content_type)
            .await
            .map_err(|e| OciError::new(r, step, chain(&e)))?;
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
        if let Some(pinned) = r.digest() {
            if pinned != digest {
                return Err(OciError::new(r, Step::PushModule, format!("this module's manifest is `{digest}`, not the digest named")));
            }
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

    async fn push_signature(&self, r: &Reference, subject: &str, subject_size: i64, signature: &[u8]) -> Result<(), OciError> {
        let mut layer = self.push_blob(r, Step::PushSignature, signature).await?;
        layer.media_type = SIGNATURE_ARTIFACT_TYPE.to_string();
        layer.annotations = Some(BTreeMap::from([(TITLE.to_string(), "module.wasm.sig".to_string())]));
        let mut config = self.push_blob(r, Step::PushSignature, EMPTY_CONFIG).await?;
        config.media_type = EMPTY_MEDIA_TYPE.to_string();
        let created = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        // nanoseconds since 1970, zero-padded: orders as a string
        let annotations = BTreeMap::from([(CREATED.to_string(), format!("{created:030}"))]);
        let manifest = OciImageManifest {
            schema_version: 2,
            media_type: Some(OCI_IMAGE_MEDIA_TYPE.to_string()),
            config,
            layers: vec![layer],
            subject: Some(OciDescriptor {
                media_type: OCI_IMAGE_MEDIA_TYPE.to_string(),
                digest: subject.to_string(),
                size: subject_size,
                ..OciDescriptor::default()
            }),
            artifact_type: Some(SIGNATURE_ARTIFACT_TYPE.to_string()),
            annotations: Some(annotations.clone()),
        };
        let body = manifest_bytes(&manifest);
        let entry = ImageIndexEntry {
            media_type: OCI_IMAGE_MEDIA_TYPE.to_string(),
            digest: sha256(&body),
            size: body.len() as i64,
            platform: None,
            annotations: Some(annotations),
            artifact_type: Some(SIGNATURE_ARTIFACT_TYPE.to_string()),
        };
        let sig_ref = r.with_digest(&entry.digest);
        self.put_manifest(&sig_ref, Step::PushSignature, body, OCI_IMAGE_MEDIA_TYPE).await?;

        // the referrers tag schema, for registries without the referrers API
        let tag_ref = r.with_tag(&fallback_tag(subject));
        let mut index = match self.oci(r).pull_manifest_raw(&tag_ref.to_client(), &RegistryAuth::Anonymous, &[OCI_IMAGE_INDEX_MEDIA_TYPE]).await {
            Ok((bytes, _)) => serde_json::from_slice::<OciImageIndex>(&bytes)
                .map_err(|e| OciError::new(&tag_ref, Step::PushReferrersIndex, format!("not an image index: {e}")))?,
            Err(e) if is_not_found(&e) => OciImageIndex {
                schema_version: 2,
                media_type: Some(OCI_IMAGE_INDEX_MEDIA_TYPE.to_string()),
                manifests: vec![],
                artifact_type: None,
                annotations: None,
            },
            Err(e) => return Err(OciError::new(&tag_ref, Step::PushReferrersIndex, chain(&e))),
        };
        index.manifests.retain(|m| m.digest != entry.digest);
        index.manifests.push(entry);
        self.put_manifest(&tag_ref, Step::PushReferrersIndex, manifest_bytes(&index), OCI_IMAGE_INDEX_MEDIA_TYPE).await?;
        Ok(())
    }

    /// The digest `reference` names now (a HEAD request): what a poller
    /// compares with what it has. A reference pinned by digest resolves to
    /// its own digest once the registry confirms it.
    ///
    /// # Errors
    /// [`OciError`] at [`Step::Resolve`].
    pub async fn resolve(&self, reference: &Reference) -> Result<String, OciError> {
        self.oci(reference)
            .fetch_manifest_digest(&reference.to_client(), &RegistryAuth::Anonymous)
            .await
            .map_err(|e| OciError::new(reference, Step::Resolve, chain(&e)))
    }

    async fn get_manifest(&self, r: &Reference, step: Step, media_type: &str) -> Result<(Vec<u8>, String), OciError> {
        let (bytes, digest) = self
            .oci(r)
            .pull_manifest_raw(&r.to_client(), &RegistryAuth::Anonymous, &[media_type])
            .await
            .map_err(|e| OciError::new(r, step, chain(&e)))?;
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
        let mut stream = self.oci(r).pull_blob_stream(&r.to_client(), descriptor).await.map_err(|e| fail(chain(&e)))?.stream;
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

    /// Pulls the module `reference` names (by tag or by digest) and the
    /// newest signature that refers to it: through the registry's referrers
    /// API when it has one, else through the [`fallback_tag`] index.
    ///
    /// # Errors
    /// [`OciError`] naming the step: the manifest is not a kitei module
    /// artifact, a digest does not match, the registry fails.
    pub async fn pull(&self, reference: &Reference) -> Result<Pulled, OciError> {
        let r = reference;
        let (bytes, digest) = self.get_manifest(r, Step::PullManifest, OCI_IMAGE_MEDIA_TYPE).await?;
        let manifest: OciImageManifest =
            serde_json::from_slice(&bytes).map_err(|e| OciError::new(r, Step::PullManifest, format!("not an image manifest: {e}")))?;
        if manifest.config.media_type != MODULE_CONFIG_MEDIA_TYPE {
            return Err(OciError::new(
                r,
                Step::PullManifest,
                format!("config media type `{}`, not `{MODULE_CONFIG_MEDIA_TYPE}`", manifest.config.media_type),
            ));
        }
        let [layer] = manifest.layers.as_slice() else {
            return Err(OciError::new(r, Step::PullManifest, format!("{} layers, not one", manifest.layers.len())));
        };
        if layer.media_type != MODULE_LAYER_MEDIA_TYPE {
            return Err(OciError::new(r, Step::PullManifest, format!("layer media type `{}`, not `{MODULE_LAYER_MEDIA_TYPE}`", layer.media_type)));
        }
        let pinned = r.with_digest(&digest);
        let module = self.get_blob(&pinned, Step::PullModule, layer, MAX_MODULE_BYTES).await?;
        let signature = self.pull_signature(&pinned).await?;
        Ok(Pulled { digest, module, signature })
    }

    /// The referrers of `subject` (a reference pinned by digest) of the
    /// signature type, and how they were found.
    async fn referrers(&self, subject: &Reference) -> Result<(Vec<ImageIndexEntry>, SignatureSource), OciError> {
        let digest = subject.digest().unwrap_or_default();
        let fail = |m: String| OciError::new(subject, Step::FindSignature, m);
        let scheme = if self.plain_http(subject) { "http" } else { "https" };
        let url = format!(
            "{scheme}://{}/v2/{}/referrers/{digest}?artifactType={}",
            subject.registry(),
            subject.repository(),
            SIGNATURE_ARTIFACT_TYPE.replace('/', "%2F").replace('+', "%2B")
        );
        let http = if self.plain_http(subject) { &self.plain } else { &self.tls };
        let response = http
            .get(&url)
            .header(reqwest::header::ACCEPT, OCI_IMAGE_INDEX_MEDIA_TYPE)
            .send()
            .await
            .map_err(|e| fail(chain(&e)))?;
        let (index, source) = if response.status() == reqwest::StatusCode::NOT_FOUND {
            // no referrers API (the spec's signal): the referrers tag schema
            let tag_ref = subject.with_tag(&fallback_tag(digest));
            match self.oci(subject).pull_manifest_raw(&tag_ref.to_client(), &RegistryAuth::Anonymous, &[OCI_IMAGE_INDEX_MEDIA_TYPE]).await {
                Ok((bytes, _)) => (bytes.to_vec(), SignatureSource::FallbackTag),
                Err(e) if is_not_found(&e) => return Ok((vec![], SignatureSource::FallbackTag)),
                Err(e) => return Err(OciError::new(&tag_ref, Step::FindSignature, chain(&e))),
            }
        } else if response.status().is_success() {
            let bytes = response.bytes().await.map_err(|e| fail(chain(&e)))?;
            (bytes.to_vec(), SignatureSource::ReferrersApi)
        } else {
            return Err(fail(format!("`{url}` answered {}", response.status())));
        };
        let index: OciImageIndex = serde_json::from_slice(&index).map_err(|e| fail(format!("referrers: not an image index: {e}")))?;
        // a registry may ignore the filter; the tag schema has none
        let entries = index
            .manifests
            .into_iter()
            .filter(|m| m.artifact_type.as_deref() == Some(SIGNATURE_ARTIFACT_TYPE))
            .collect();
        Ok((entries, source))
    }

    async fn pull_signature(&self, subject: &Reference) -> Result<Option<PulledSignature>, OciError> {
        let (entries, source) = self.referrers(subject).await?;
        // the newest: highest `created`, then the last listed (pushes append)
        let created = |m: &ImageIndexEntry| m.annotations.as_ref().and_then(|a| a.get(CREATED).cloned()).unwrap_or_default();
        let Some(newest) = entries.iter().enumerate().max_by_key(|(i, m)| (created(m), *i)).map(|(_, m)| m) else {
            return Ok(None);
        };
        let sig_ref = subject.with_digest(&newest.digest);
        let (bytes, digest) = self.get_manifest(&sig_ref, Step::PullSignature, OCI_IMAGE_MEDIA_TYPE).await?;
        let manifest: OciImageManifest =
            serde_json::from_slice(&bytes).map_err(|e| OciError::new(&sig_ref, Step::PullSignature, format!("not an image manifest: {e}")))?;
        if manifest.subject.as_ref().map(|s| s.digest.as_str()) != subject.digest() {
            return Err(OciError::new(&sig_ref, Step::PullSignature, "its `subject` is not the module's manifest"));
        }
        let [layer] = manifest.layers.as_slice() else {
            return Err(OciError::new(&sig_ref, Step::PullSignature, format!("{} layers, not one", manifest.layers.len())));
        };
        if layer.media_type != SIGNATURE_ARTIFACT_TYPE {
            return Err(OciError::new(&sig_ref, Step::PullSignature, format!("layer media type `{}`", layer.media_type)));
        }
        let bytes = self.get_blob(&sig_ref, Step::PullSignature, layer, MAX_SIGNATURE_BYTES).await?;
        Ok(Some(PulledSignature { bytes, digest, source }))
    }
}
