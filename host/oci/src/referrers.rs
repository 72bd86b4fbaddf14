//! The signature artifact: pushed with `subject` = the module's manifest,
//! listed by the referrers API or the referrers tag schema's index
//! ([`fallback_tag`]), found again on pull.

use super::{
    Client, EMPTY_CONFIG, EMPTY_MEDIA_TYPE, MAX_SIGNATURE_BYTES, OciError, PulledSignature, Reference, SIGNATURE_ARTIFACT_TYPE, SignatureSource, Step, chain,
    fallback_tag, is_not_found, manifest_bytes, sha256,
};
use oci_client::RegistryOperation;
use oci_client::manifest::{ImageIndexEntry, OCI_IMAGE_INDEX_MEDIA_TYPE, OCI_IMAGE_MEDIA_TYPE, OciDescriptor, OciImageIndex, OciImageManifest};
use oci_client::secrets::RegistryAuth;
use std::collections::BTreeMap;

const TITLE: &str = "org.opencontainers.image.title";
pub(crate) const CREATED: &str = "org.opencontainers.image.created";

/// A signature artifact read from a registry: its manifest and layer.
pub(crate) struct SignatureArtifact {
    /// its entry in a referrers index
    pub(crate) entry: ImageIndexEntry,
    /// the manifest's bytes
    pub(crate) manifest: Vec<u8>,
    pub(crate) parsed: OciImageManifest,
    /// the `.wasm.sig` bytes
    pub(crate) bytes: Vec<u8>,
}

impl Client {
    /// Pushes the signature artifact for the module manifest `subject` and
    /// lists it in the fallback index.
    pub(crate) async fn push_signature(&self, r: &Reference, subject: &str, subject_size: i64, signature: &[u8]) -> Result<(), OciError> {
        let mut layer = self.push_blob(r, Step::PushSignature, signature).await?;
        layer.media_type = SIGNATURE_ARTIFACT_TYPE.to_string();
        layer.annotations = Some(BTreeMap::from([(TITLE.to_string(), "module.wasm.sig".to_string())]));
        let mut config = self.push_blob(r, Step::PushSignature, EMPTY_CONFIG).await?;
        config.media_type = EMPTY_MEDIA_TYPE.to_string();
        let created = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
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
        self.put_manifest(&r.with_digest(&entry.digest), Step::PushSignature, body, OCI_IMAGE_MEDIA_TYPE).await?;
        self.add_to_fallback_index(r, subject, vec![entry]).await
    }

    /// The referrers tag schema, for registries without the referrers API:
    /// reads the index tagged [`fallback_tag`] of `subject`, adds `entries`
    /// (replacing any with the same digest) and writes it back.
    pub(crate) async fn add_to_fallback_index(&self, r: &Reference, subject: &str, entries: Vec<ImageIndexEntry>) -> Result<(), OciError> {
        let tag_ref = r.with_tag(&fallback_tag(subject));
        let auth = self.authorize(&tag_ref, Step::PushReferrersIndex).await?;
        let mut index = match self.oci(r).pull_manifest_raw(&tag_ref.to_client(), &auth, &[OCI_IMAGE_INDEX_MEDIA_TYPE]).await {
            Ok((bytes, _)) => serde_json::from_slice::<OciImageIndex>(&bytes)
                .map_err(|e| OciError::new(&tag_ref, Step::PushReferrersIndex, format!("not an image index: {e}")))?,
            Err(e) if is_not_found(&e) => OciImageIndex {
                schema_version: 2,
                media_type: Some(OCI_IMAGE_INDEX_MEDIA_TYPE.to_string()),
                manifests: vec![],
                artifact_type: None,
                annotations: None,
            },
            Err(e) => return Err(self.error(&tag_ref, Step::PushReferrersIndex, &e)),
        };
        for entry in entries {
            index.manifests.retain(|m| m.digest != entry.digest);
            index.manifests.push(entry);
        }
        self.put_manifest(&tag_ref, Step::PushReferrersIndex, manifest_bytes(&index), OCI_IMAGE_INDEX_MEDIA_TYPE).await?;
        Ok(())
    }

    /// Adds `r`'s credentials to a request of our own (the referrers API,
    /// which the registry client does not expose with its `404`): a bearer
    /// token when the registry asks for one (fetched with the credentials),
    /// else HTTP Basic with them.
    async fn with_auth(&self, r: &Reference, step: Step, request: reqwest::RequestBuilder) -> Result<reqwest::RequestBuilder, OciError> {
        let auth = self.authorize(r, step).await?;
        if let RegistryAuth::Bearer(token) = &auth {
            return Ok(request.bearer_auth(token));
        }
        let token = self.oci(r).auth(&r.to_client(), &auth, RegistryOperation::Pull).await.map_err(|e| self.error(r, step, &e))?;
        Ok(match (token, auth) {
            (Some(token), _) => request.bearer_auth(token),
            (None, RegistryAuth::Basic(user, password)) => request.basic_auth(user, Some(password)),
            (None, _) => request,
        })
    }

    /// The referrers of `subject` (a reference pinned by digest) of the
    /// signature type, and how they were found.
    pub(crate) async fn referrers(&self, subject: &Reference) -> Result<(Vec<ImageIndexEntry>, SignatureSource), OciError> {
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
        let request = http.get(&url).header(reqwest::header::ACCEPT, OCI_IMAGE_INDEX_MEDIA_TYPE);
        let response = self.with_auth(subject, Step::FindSignature, request).await?.send().await.map_err(|e| fail(chain(&e)))?;
        let status = response.status();
        let (index, source) = if status == reqwest::StatusCode::NOT_FOUND {
            // no referrers API (the spec's signal): the referrers tag schema
            let tag_ref = subject.with_tag(&fallback_tag(digest));
            let auth = self.authorize(&tag_ref, Step::FindSignature).await?;
            match self.oci(subject).pull_manifest_raw(&tag_ref.to_client(), &auth, &[OCI_IMAGE_INDEX_MEDIA_TYPE]).await {
                Ok((bytes, _)) => (bytes.to_vec(), SignatureSource::FallbackTag),
                Err(e) if is_not_found(&e) => return Ok((vec![], SignatureSource::FallbackTag)),
                Err(e) => return Err(self.error(&tag_ref, Step::FindSignature, &e)),
            }
        } else if status.is_success() {
            let bytes = response.bytes().await.map_err(|e| fail(chain(&e)))?;
            (bytes.to_vec(), SignatureSource::ReferrersApi)
        } else if matches!(status.as_u16(), 401 | 403) {
            return Err(fail(self.refusal(subject, status.as_u16(), &format!("`{url}`"))));
        } else {
            return Err(fail(format!("`{url}` answered {status}")));
        };
        let index: OciImageIndex = serde_json::from_slice(&index).map_err(|e| fail(format!("referrers: not an image index: {e}")))?;
        // a registry may ignore the filter; the tag schema has none
        let entries = index.manifests.into_iter().filter(|m| m.artifact_type.as_deref() == Some(SIGNATURE_ARTIFACT_TYPE)).collect();
        Ok((entries, source))
    }

    /// Fetches the signature artifact `entry` lists for `subject`, checking
    /// that it refers to `subject` and holds one signature layer.
    pub(crate) async fn signature_artifact(&self, subject: &Reference, entry: ImageIndexEntry) -> Result<SignatureArtifact, OciError> {
        let sig_ref = subject.with_digest(&entry.digest);
        let (manifest, _) = self.get_manifest(&sig_ref, Step::PullSignature, OCI_IMAGE_MEDIA_TYPE).await?;
        let parsed: OciImageManifest =
            serde_json::from_slice(&manifest).map_err(|e| OciError::new(&sig_ref, Step::PullSignature, format!("not an image manifest: {e}")))?;
        if parsed.subject.as_ref().map(|s| s.digest.as_str()) != subject.digest() {
            return Err(OciError::new(&sig_ref, Step::PullSignature, "its `subject` is not the module's manifest"));
        }
        let [layer] = parsed.layers.as_slice() else {
            return Err(OciError::new(&sig_ref, Step::PullSignature, format!("{} layers, not one", parsed.layers.len())));
        };
        if layer.media_type != SIGNATURE_ARTIFACT_TYPE {
            return Err(OciError::new(&sig_ref, Step::PullSignature, format!("layer media type `{}`", layer.media_type)));
        }
        let bytes = self.get_blob(&sig_ref, Step::PullSignature, layer, MAX_SIGNATURE_BYTES).await?;
        Ok(SignatureArtifact { entry, manifest, parsed, bytes })
    }

    /// The newest signature referring to `subject` (highest `created`, then
    /// the last listed: pushes append).
    pub(crate) async fn pull_signature(&self, subject: &Reference) -> Result<Option<PulledSignature>, OciError> {
        let (entries, source) = self.referrers(subject).await?;
        let created = |m: &ImageIndexEntry| m.annotations.as_ref().and_then(|a| a.get(CREATED).cloned()).unwrap_or_default();
        let Some(newest) = entries.into_iter().enumerate().max_by_key(|(i, m)| (created(m), *i)).map(|(_, m)| m) else {
            return Ok(None);
        };
        let artifact = self.signature_artifact(subject, newest).await?;
        Ok(Some(PulledSignature { bytes: artifact.bytes, digest: artifact.entry.digest, source }))
    }
}
