//! Registry references: `HOST[:PORT]/REPO:TAG` or `HOST[:PORT]/REPO@sha256:<hex>`,
//! with or without `oci://`.

use crate::error::{OciError, Step};
use std::fmt;
use std::net::IpAddr;

/// Where a module lives in a registry: always with its host (no implicit
/// Docker Hub), and either a tag (which moves) or a digest (which does not).
///
/// ```
/// use kitei_oci::Reference;
/// let r: Reference = "oci://127.0.0.1:5000/policies/gunma:2023".parse()?;
/// assert_eq!(r.registry(), "127.0.0.1:5000");
/// assert_eq!(r.repository(), "policies/gunma");
/// assert_eq!(r.tag(), Some("2023"));
/// assert!(r.is_loopback());
/// let pinned = r.with_digest("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
/// assert_eq!(pinned.to_string(), "127.0.0.1:5000/policies/gunma@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
/// # Ok::<(), kitei_oci::OciError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    registry: String,
    repository: String,
    target: Target,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Target {
    Tag(String),
    Digest(String),
}

impl Reference {
    /// `HOST[:PORT]`, as written.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path (`policies/gunma`).
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, unless the reference is pinned by digest.
    pub fn tag(&self) -> Option<&str> {
        match &self.target {
            Target::Tag(t) => Some(t),
            Target::Digest(_) => None,
        }
    }

    /// The digest (`sha256:<hex>`) a pinned reference names.
    pub fn digest(&self) -> Option<&str> {
        match &self.target {
            Target::Digest(d) => Some(d),
            Target::Tag(_) => None,
        }
    }

    /// The same repository pinned to `digest` (`sha256:<hex>`).
    pub fn with_digest(&self, digest: &str) -> Reference {
        Reference { target: Target::Digest(digest.to_string()), ..self.clone() }
    }

    /// The same repository at `tag`.
    pub(crate) fn with_tag(&self, tag: &str) -> Reference {
        Reference { target: Target::Tag(tag.to_string()), ..self.clone() }
    }

    /// Whether the host is a loopback address (`127.0.0.0/8`, `localhost`,
    /// `[::1]`): such registries are spoken to over plain HTTP.
    pub fn is_loopback(&self) -> bool {
        let host = match self.registry.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or_default(),
            None => self.registry.split(':').next().unwrap_or_default(),
        };
        host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    pub(crate) fn to_client(&self) -> oci_client::Reference {
        match &self.target {
            Target::Tag(t) => oci_client::Reference::with_tag(self.registry.clone(), self.repository.clone(), t.clone()),
            Target::Digest(d) => oci_client::Reference::with_digest(self.registry.clone(), self.repository.clone(), d.clone()),
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Target::Tag(t) => write!(f, "{}/{}:{t}", self.registry, self.repository),
            Target::Digest(d) => write!(f, "{}/{}@{d}", self.registry, self.repository),
        }
    }
}

/// Whether `s` is `sha256:` and 64 lowercase hex digits.
pub(crate) fn is_sha256_digest(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

impl std::str::FromStr for Reference {
    type Err = OciError;

    /// # Errors
    /// [`OciError`] at [`Step::Reference`] naming what is wrong.
    fn from_str(input: &str) -> Result<Self, OciError> {
        let bad = |why: &str| OciError::new(input, Step::Reference, why.to_string());
        let s = input.strip_prefix("oci://").unwrap_or(input);
        let (registry, rest) = s.split_once('/').ok_or_else(|| bad("expected HOST[:PORT]/REPO:TAG or HOST[:PORT]/REPO@sha256:<hex>"))?;
        let host_ok = !registry.is_empty() && registry.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
        if !host_ok {
            return Err(bad("the registry host is missing or not a host name"));
        }
        let (name, target) = if let Some((name, digest)) = rest.split_once('@') {
            if !is_sha256_digest(digest) {
                return Err(bad("a digest is `sha256:` and 64 lowercase hex digits"));
            }
            // `REPO:TAG@sha256:…`: the digest pins it; the tag is only a label
            let name = match name.rsplit_once(':') {
                Some((n, _tag)) => n,
                None => name,
            };
            (name, Target::Digest(digest.to_string()))
        } else {
            let (name, tag) = rest.rsplit_once(':').ok_or_else(|| bad("a tag (`:TAG`) or digest (`@sha256:…`) is required"))?;
            let tag_ok = !tag.is_empty()
                && tag.len() <= 128
                && !tag.starts_with(['.', '-'])
                && tag.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
            if !tag_ok {
                return Err(bad("a tag is up to 128 of A-Z a-z 0-9 _ . - and does not start with . or -"));
            }
            (name, Target::Tag(tag.to_string()))
        };
        let name_ok = !name.is_empty()
            && name
                .split('/')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')));
        if !name_ok {
            return Err(bad("a repository is lowercase path components of a-z 0-9 . _ -"));
        }
        Ok(Reference { registry: registry.to_string(), repository: name.to_string(), target })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn tags_digests_and_schemes() {
        let r: Reference = "registry.example.jp/kitei/gunma:2023-1".parse().unwrap();
        assert_eq!((r.registry(), r.repository(), r.tag(), r.digest()), ("registry.example.jp", "kitei/gunma", Some("2023-1"), None));
        assert!(!r.is_loopback());
        let r: Reference = format!("oci://localhost:5000/gunma@{D}").parse().unwrap();
        assert_eq!((r.registry(), r.digest()), ("localhost:5000", Some(D)));
        assert!(r.is_loopback());
        let r: Reference = format!("[::1]:5000/gunma:v1@{D}").parse().unwrap();
        assert_eq!((r.registry(), r.repository(), r.tag(), r.digest()), ("[::1]:5000", "gunma", None, Some(D)));
        assert!(r.is_loopback());
        assert!("127.0.0.1:5000/g:t".parse::<Reference>().unwrap().is_loopback());
        assert!(!"[2001:db8::1]:5000/g:t".parse::<Reference>().unwrap().is_loopback());
        assert_eq!("oci://h:1/a/b:t".parse::<Reference>().unwrap().to_string(), "h:1/a/b:t");
    }

    #[test]
    fn refuses_what_is_not_a_reference() {
        for bad in ["gunma:2023", "host/gunma", "host/Gunma:1", "host/gunma@sha256:abc", "host//g:1", "host/g:-x", "/g:1", "ho st/g:1"] {
            let e = bad.parse::<Reference>().unwrap_err();
            assert_eq!(e.step(), Step::Reference, "{bad}");
            assert!(e.to_string().starts_with(&format!("`{bad}`: ")), "{e}");
        }
    }
}
