//! Mirroring a module and its signatures to another registry, byte for byte.

use super::{Client, MAX_CONFIG_BYTES, MAX_MODULE_BYTES, OCI_IMAGE_MEDIA_TYPE, OciError, Reference, Step};

/// What [`Client::copy`] mirrored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copied {
    /// the module manifest's digest: the same in both registries
    pub digest: String,
    /// the manifest digests of the signature artifacts copied with it
    pub signatures: Vec<String>,
}

impl Client {
    /// Copies the module `source` names, and every signature artifact that
    /// refers to it, to `destination` (`HOST/REPO:TAG`, or pinned by the
    /// source's digest). Nothing is rebuilt: the same manifest bytes (so the
    /// same digest), the same blobs, the signature manifests with their
    /// `subject` and annotations, each listed in the destination's
    /// [`crate::fallback_tag`] index as [`Client::push`] writes it. A pull
    /// from the destination then finds and verifies exactly what a pull from
    /// the source does. The destination's tag moves last, once the module's
    /// signatures are there. Both registries' credentials come from the
    /// client's [`crate::Credentials`] (one auth file, keyed by registry).
    ///
    /// Nothing is verified here but content digests: the mirror is a
    /// transport, and whoever pulls from it verifies with their trust file.
    ///
    /// # Errors
    /// [`OciError`] naming the reference and step: the source is not a
    /// kitei module, a digest does not match (including a destination pinned
    /// to another digest), a registry fails or refuses access.
    pub async fn copy(&self, source: &Reference, destination: &Reference) -> Result<Copied, OciError> {
        let (manifest_bytes, digest, manifest) = self.module_manifest(source, Step::PullManifest).await?;
        if let Some(pinned) = destination.digest()
            && pinned != digest
        {
            return Err(OciError::new(destination, Step::PushModule, format!("the source's manifest is `{digest}`, not the digest named")));
        }
        let (src, dst) = (source.with_digest(&digest), destination.with_digest(&digest));
        self.authorize(&dst, Step::PushModule).await?;
        let [layer] = manifest.layers.as_slice() else {
            return Err(OciError::new(&src, Step::PullManifest, format!("{} layers, not one", manifest.layers.len())));
        };
        let module = self.get_blob(&src, Step::PullModule, layer, MAX_MODULE_BYTES).await?;
        self.push_blob(&dst, Step::PushModule, &module).await?;
        let config = self.get_blob(&src, Step::PullModule, &manifest.config, MAX_CONFIG_BYTES).await?;
        self.push_blob(&dst, Step::PushModule, &config).await?;
        self.put_manifest(&dst, Step::PushModule, manifest_bytes.clone(), OCI_IMAGE_MEDIA_TYPE).await?;

        let (entries, _) = self.referrers(&src).await?;
        let mut copied = Vec::with_capacity(entries.len());
        for entry in entries {
            let artifact = self.signature_artifact(&src, entry).await?;
            let sig_src = src.with_digest(&artifact.entry.digest);
            let sig_config = self.get_blob(&sig_src, Step::PullSignature, &artifact.parsed.config, MAX_CONFIG_BYTES).await?;
            self.push_blob(&dst, Step::PushSignature, &sig_config).await?;
            self.push_blob(&dst, Step::PushSignature, &artifact.bytes).await?;
            let sig_dst = dst.with_digest(&artifact.entry.digest);
            self.put_manifest(&sig_dst, Step::PushSignature, artifact.manifest, OCI_IMAGE_MEDIA_TYPE).await?;
            copied.push(artifact.entry);
        }
        let signatures = copied.iter().map(|e| e.digest.clone()).collect();
        if !copied.is_empty() {
            self.add_to_fallback_index(&dst, &digest, copied).await?;
        }
        if destination.tag().is_some() {
            self.put_manifest(destination, Step::PushModule, manifest_bytes, OCI_IMAGE_MEDIA_TYPE).await?;
        }
        Ok(Copied { digest, signatures })
    }
}
