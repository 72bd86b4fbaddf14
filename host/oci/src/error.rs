//! One error type for an operation on a registry: the reference, the step,
//! and what went wrong.

use std::fmt;

/// What a push, resolve or pull was doing when it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// reading the reference
    Reference,
    /// finding the registry's credentials in the auth files
    Credentials,
    /// uploading the module's config, layer and manifest
    PushModule,
    /// uploading the signature artifact
    PushSignature,
    /// updating the `sha256-<hex>` referrers index tag
    PushReferrersIndex,
    /// asking the registry which digest a reference names
    Resolve,
    /// fetching and checking the module's manifest
    PullManifest,
    /// fetching the module's layer
    PullModule,
    /// listing the module's referrers (API or fallback tag)
    FindSignature,
    /// fetching the signature artifact
    PullSignature,
    /// listing the repository's tags, to find a module by its sha256
    ListTags,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Reference => "not a registry reference",
            Step::Credentials => "finding registry credentials",
            Step::PushModule => "pushing the module",
            Step::PushSignature => "pushing the signature",
            Step::PushReferrersIndex => "updating the referrers tag",
            Step::Resolve => "resolving the digest",
            Step::PullManifest => "pulling the module manifest",
            Step::PullModule => "pulling the module layer",
            Step::FindSignature => "finding the signature",
            Step::PullSignature => "pulling the signature",
            Step::ListTags => "listing the tags",
        })
    }
}

/// A push, resolve or pull that failed: `` `REF`: STEP: reason ``.
#[derive(Debug, thiserror::Error)]
#[error("`{reference}`: {step}: {message}")]
pub struct OciError {
    reference: String,
    step: Step,
    message: String,
}

impl OciError {
    pub(crate) fn new(reference: impl fmt::Display, step: Step, message: impl fmt::Display) -> Self {
        OciError { reference: reference.to_string(), step, message: message.to_string() }
    }

    /// The reference as given (or as resolved, for a referrer).
    pub fn reference(&self) -> &str {
        &self.reference
    }

    /// What was being done.
    pub fn step(&self) -> Step {
        self.step
    }
}
