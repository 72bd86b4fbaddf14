//! Registry credentials where the container tools keep them: the Docker /
//! Podman auth file (`auth.json`, `~/.docker/config.json`).
//!
//! Which files are read ([`Credentials::discover`]):
//! 1. the file given (`kitei … --registry-auth FILE`), and only it;
//! 2. else `$REGISTRY_AUTH_FILE` (Podman, Skopeo, Buildah), and only it;
//! 3. else `$XDG_RUNTIME_DIR/containers/auth.json` (where `podman login`
//!    writes), then `$HOME/.docker/config.json` (where `docker login` writes):
//!    the first with an entry for the registry wins; an absent one is skipped.
//!
//! A file named by 1 or 2 must exist. In each file, `auths` is keyed by
//! registry (`HOST[:PORT]`; a URL key such as `https://HOST/v1/` counts for
//! its host; a key with a repository path is not matched). An entry carries
//! `auth` (base64 of `USER:PASSWORD`), or `username` and `password`, or
//! `registrytoken` (a bearer token sent as is). An `identitytoken` (an OAuth2
//! refresh token) and credential helpers (`credHelpers`, and `credsStore`
//! for an entry without credentials) are refused with an error naming the
//! registry: kitei runs no helper program.
//!
//! What was looked for is kept, so a registry's `401` or `403` can say where
//! credentials were searched ([`Credentials::describe`]).

use base64::Engine as _;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Why credentials could not be read or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// a file named explicitly does not exist
    #[error("the registry auth file `{file}` ({by}) does not exist")]
    Missing {
        /// the file
        file: PathBuf,
        /// what named it (`--registry-auth`, `$REGISTRY_AUTH_FILE`)
        by: String,
    },
    /// a file could not be read
    #[error("reading the registry auth file `{}`", file.display())]
    Unreadable {
        /// the file
        file: PathBuf,
        /// the I/O error
        source: std::io::Error,
    },
    /// a file is not an auth file, or one of its entries is malformed
    #[error("the registry auth file `{file}`: {message}")]
    Malformed {
        /// the file
        file: PathBuf,
        /// what is wrong, naming the entry
        message: String,
    },
    /// the registry's credentials are kept by a helper program
    #[error(
        "credentials for `{registry}` are kept by the credential helper `docker-credential-{helper}` (`{field}` in `{file}`), \
         which kitei does not run: give a file with an `auths` entry for `{registry}` (`auth` or `username`/`password`) with --registry-auth"
    )]
    Helper {
        /// the registry
        registry: String,
        /// the helper's name
        helper: String,
        /// `credHelpers` or `credsStore`
        field: &'static str,
        /// the file
        file: PathBuf,
    },
    /// the entry holds an OAuth2 refresh token
    #[error(
        "`auths.\"{key}\"` of `{file}` holds an `identitytoken` (an OAuth2 refresh token), which kitei does not exchange: \
         use `auth` or `username`/`password` for `{registry}`"
    )]
    IdentityToken {
        /// the registry
        registry: String,
        /// the key of its entry
        key: String,
        /// the file
        file: PathBuf,
    },
}

/// What an entry of an auth file gives.
#[derive(Clone, PartialEq, Eq)]
enum Secret {
    /// user and password: HTTP Basic, or exchanged for a bearer token
    Basic { username: String, password: String },
    /// `registrytoken`: a bearer token sent as is
    Bearer(String),
    /// an OAuth2 refresh token (refused when used)
    IdentityToken,
    /// an entry without credentials (a credential helper keeps them)
    Empty,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Basic { username, .. } => write!(f, "Basic({username:?}, <redacted>)"),
            Secret::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Secret::IdentityToken => f.write_str("IdentityToken"),
            Secret::Empty => f.write_str("Empty"),
        }
    }
}

/// One parsed auth file.
#[derive(Clone, Debug, Default)]
struct AuthFile {
    /// by registry (`HOST[:PORT]`), with the key as written
    auths: BTreeMap<String, (String, Secret)>,
    creds_store: Option<String>,
    cred_helpers: BTreeMap<String, String>,
}

/// A file looked at, and why.
#[derive(Clone, Debug)]
struct Searched {
    path: PathBuf,
    /// what named it: `--registry-auth`, `$REGISTRY_AUTH_FILE`, …
    by: String,
    /// `None`: absent
    file: Option<AuthFile>,
}

/// The registry auth files found, in search order, and what they hold.
/// [`Credentials::default`] reads none (anonymous access).
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    searched: Vec<Searched>,
    /// when no file could be searched, why (for messages)
    note: Option<String>,
}

/// What a registry is accessed with, and where that came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) auth: Access,
    /// the file the entry was in
    pub(crate) file: Option<PathBuf>,
}

/// How requests to a registry authenticate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    Anonymous,
    Basic { username: String, password: String },
    Bearer(String),
}

impl Access {
    pub(crate) fn to_client(&self) -> oci_client::secrets::RegistryAuth {
        use oci_client::secrets::RegistryAuth;
        match self {
            Access::Anonymous => RegistryAuth::Anonymous,
            Access::Basic { username, password } => RegistryAuth::Basic(username.clone(), password.clone()),
            Access::Bearer(token) => RegistryAuth::Bearer(token.clone()),
        }
    }
}

#[derive(Deserialize)]
struct FileJson {
    #[serde(default)]
    auths: BTreeMap<String, EntryJson>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct EntryJson {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
    #[serde(default)]
    registrytoken: Option<String>,
}

/// The registry a key of `auths` names: `HOST[:PORT]`; a URL counts for its
/// host; `None` for a key with a repository path (Podman's per-namespace
/// entries), which is not matched.
fn registry_of_key(key: &str) -> Option<String> {
    let (url, rest) = match key.split_once("://") {
        Some((_, rest)) => (true, rest),
        None => (false, key),
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    (url || path.is_empty()).then(|| host.to_ascii_lowercase())
}

fn parse_entry(file: &Path, key: &str, e: EntryJson) -> Result<Secret, CredentialsError> {
    let bad = |m: String| CredentialsError::Malformed { file: file.to_path_buf(), message: format!("`auths.\"{key}\"`: {m}") };
    if let Some(auth) = e.auth.filter(|a| !a.is_empty()) {
        let raw = base64::engine::general_purpose::STANDARD.decode(auth.trim()).map_err(|err| bad(format!("`auth` is not base64: {err}")))?;
        let text = String::from_utf8(raw).map_err(|_| bad("`auth` is not UTF-8 once decoded".into()))?;
        let (username, password) = text.split_once(':').ok_or_else(|| bad("`auth` is not base64 of `USER:PASSWORD`".into()))?;
        return Ok(Secret::Basic { username: username.to_string(), password: password.to_string() });
    }
    match (e.username.filter(|u| !u.is_empty()), e.password) {
        (Some(username), Some(password)) => return Ok(Secret::Basic { username, password }),
        (Some(_), None) => return Err(bad("`username` without `password`".into())),
        _ => {}
    }
    if let Some(token) = e.registrytoken.filter(|t| !t.is_empty()) {
        return Ok(Secret::Bearer(token));
    }
    if e.identitytoken.is_some_and(|t| !t.is_empty()) {
        return Ok(Secret::IdentityToken);
    }
    Ok(Secret::Empty)
}

fn read_file(path: &Path) -> Result<Option<AuthFile>, CredentialsError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(CredentialsError::Unreadable { file: path.to_path_buf(), source }),
    };
    let json: FileJson = serde_json::from_slice(&bytes)
        .map_err(|e| CredentialsError::Malformed { file: path.to_path_buf(), message: format!("not a Docker/Podman auth file: {e}") })?;
    let mut file = AuthFile { creds_store: json.creds_store.filter(|s| !s.is_empty()), ..AuthFile::default() };
    for (key, entry) in json.auths {
        let secret = parse_entry(path, &key, entry)?;
        if let Some(registry) = registry_of_key(&key) {
            // a plain `HOST` key wins over a URL key for the same host
            let plain = !key.contains("://");
            if plain || !file.auths.contains_key(&registry) {
                file.auths.insert(registry, (key, secret));
            }
        }
    }
    for (key, helper) in json.cred_helpers {
        if let Some(registry) = registry_of_key(&key) {
            file.cred_helpers.insert(registry, helper);
        }
    }
    Ok(Some(file))
}

impl Credentials {
    /// Anonymous access: no file is read.
    pub fn anonymous() -> Self {
        Credentials { searched: Vec::new(), note: Some("no registry auth file was read".into()) }
    }

    /// Reads `file` alone (what `--registry-auth FILE` names).
    ///
    /// # Errors
    /// [`CredentialsError`]: the file is absent, unreadable or malformed.
    pub fn from_file(file: &Path) -> Result<Self, CredentialsError> {
        Self::explicit(file, "--registry-auth")
    }

    fn explicit(file: &Path, by: &str) -> Result<Self, CredentialsError> {
        match read_file(file)? {
            Some(parsed) => Ok(Credentials { searched: vec![Searched { path: file.to_path_buf(), by: by.into(), file: Some(parsed) }], note: None }),
            None => Err(CredentialsError::Missing { file: file.to_path_buf(), by: by.into() }),
        }
    }

    /// The auth files as Podman and Docker look for them (module docs):
    /// `given`, else `$REGISTRY_AUTH_FILE`, else
    /// `$XDG_RUNTIME_DIR/containers/auth.json` then `~/.docker/config.json`.
    ///
    /// # Errors
    /// [`CredentialsError`]: a file named by `given` or `$REGISTRY_AUTH_FILE`
    /// is absent, or a file found is unreadable or malformed.
    pub fn discover(given: Option<&Path>) -> Result<Self, CredentialsError> {
        Self::discover_with(given, |name| std::env::var_os(name))
    }

    /// [`Credentials::discover`] with the environment read through `env`.
    ///
    /// # Errors
    /// As [`Credentials::discover`].
    pub fn discover_with(given: Option<&Path>, env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Result<Self, CredentialsError> {
        if let Some(file) = given {
            return Self::explicit(file, "--registry-auth");
        }
        let var = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        if let Some(file) = var("REGISTRY_AUTH_FILE") {
            return Self::explicit(&file, "$REGISTRY_AUTH_FILE");
        }
        let mut candidates = Vec::new();
        let mut unset = Vec::new();
        match var("XDG_RUNTIME_DIR") {
            Some(dir) => candidates.push((dir.join("containers/auth.json"), "$XDG_RUNTIME_DIR/containers/auth.json")),
            None => unset.push("$XDG_RUNTIME_DIR"),
        }
        match var("HOME") {
            Some(home) => candidates.push((home.join(".docker/config.json"), "~/.docker/config.json")),
            None => unset.push("$HOME"),
        }
        let mut searched = Vec::new();
        for (path, by) in candidates {
            let file = read_file(&path)?;
            searched.push(Searched { path, by: by.into(), file });
        }
        let note = (!unset.is_empty()).then(|| format!("{} unset", unset.join(" and ")));
        Ok(Credentials { searched, note })
    }

    /// The credentials for `registry` (`HOST[:PORT]`): the first file with
    /// an entry for it; anonymous when none has one.
    pub(crate) fn lookup(&self, registry: &str) -> Result<Found, CredentialsError> {
        let registry = registry.to_ascii_lowercase();
        for s in &self.searched {
            let Some(file) = &s.file else { continue };
            let helper = |helper: &str, field| CredentialsError::Helper { registry: registry.clone(), helper: helper.to_string(), field, file: s.path.clone() };
            if let Some(helper_name) = file.cred_helpers.get(&registry) {
                // a helper named for the registry is what Docker asks first
                if !matches!(file.auths.get(&registry), Some((_, Secret::Basic { .. } | Secret::Bearer(_)))) {
                    return Err(helper(helper_name, "credHelpers"));
                }
            }
            let found = |auth| Ok(Found { auth, file: Some(s.path.clone()) });
            match file.auths.get(&registry) {
                Some((_, Secret::Basic { username, password })) => {
                    return found(Access::Basic { username: username.clone(), password: password.clone() });
                }
                Some((_, Secret::Bearer(token))) => return found(Access::Bearer(token.clone())),
                Some((key, Secret::IdentityToken)) => {
                    return Err(CredentialsError::IdentityToken { registry: registry.clone(), key: key.clone(), file: s.path.clone() });
                }
                Some((_, Secret::Empty)) => match &file.creds_store {
                    Some(store) => return Err(helper(store, "credsStore")),
                    None => continue,
                },
                None => continue,
            }
        }
        Ok(Found { auth: Access::Anonymous, file: None })
    }

    /// Where credentials for `registry` were looked for and what was found,
    /// for a message: the files in order, whether each existed and had an
    /// entry for the registry.
    pub fn describe(&self, registry: &str) -> String {
        let registry = registry.to_ascii_lowercase();
        let mut parts = Vec::new();
        for s in &self.searched {
            let what = match &s.file {
                None => "absent".to_string(),
                Some(f) => match f.auths.get(&registry) {
                    Some((key, Secret::Basic { username, .. })) => format!("entry `{key}`, user `{username}`"),
                    Some((key, Secret::Bearer(_))) => format!("entry `{key}`, a registry token"),
                    Some((key, Secret::IdentityToken)) => format!("entry `{key}`, an identity token"),
                    Some((key, Secret::Empty)) => format!("entry `{key}` without credentials"),
                    None => {
                        let mut t = format!("no entry for `{registry}`");
                        if let Some(store) = &f.creds_store {
                            t.push_str(&format!("; credsStore `{store}` not consulted"));
                        }
                        t
                    }
                },
            };
            parts.push(format!("`{}` ({}: {what})", s.path.display(), s.by));
        }
        let mut out = if parts.is_empty() { "no registry auth file".to_string() } else { format!("looked in {}", parts.join(", ")) };
        if let Some(note) = &self.note {
            out.push_str(&format!(" ({note})"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kitei-oci-auth-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn env(vars: &[(&str, &Path)]) -> impl Fn(&str) -> Option<OsString> {
        let vars: Vec<(String, OsString)> = vars.iter().map(|(k, v)| (k.to_string(), v.as_os_str().to_owned())).collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn basic(u: &str, p: &str) -> Access {
        Access::Basic { username: u.into(), password: p.into() }
    }

    #[test]
    fn reads_auth_and_username_password_and_url_keys() {
        let d = dir("forms");
        let file = d.join("auth.json");
        let b64 = base64::engine::general_purpose::STANDARD.encode("alice:s3cr:et");
        std::fs::write(
            &file,
            format!(
                r#"{{"auths": {{
                    "127.0.0.1:5000": {{"auth": "{b64}"}},
                    "registry.example.jp": {{"username": "bob", "password": "pw"}},
                    "https://index.docker.io/v1/": {{"auth": "{b64}"}},
                    "ghcr.io/kitei": {{"username": "x", "password": "y"}},
                    "tokens.example.jp": {{"registrytoken": "tok"}}
                }}, "HttpHeaders": {{"User-Agent": "x"}}}}"#
            ),
        )
        .unwrap();
        let c = Credentials::from_file(&file).unwrap();
        assert_eq!(c.lookup("127.0.0.1:5000").unwrap().auth, basic("alice", "s3cr:et"), "the password may hold a colon");
        assert_eq!(c.lookup("Registry.Example.JP").unwrap().auth, basic("bob", "pw"));
        assert_eq!(c.lookup("index.docker.io").unwrap().auth, basic("alice", "s3cr:et"));
        assert_eq!(c.lookup("tokens.example.jp").unwrap().auth, Access::Bearer("tok".into()));
        assert_eq!(c.lookup("ghcr.io").unwrap().auth, Access::Anonymous, "a per-repository key is not matched");
        assert_eq!(c.lookup("127.0.0.1:5000").unwrap().file.as_deref(), Some(file.as_path()));
        assert!(c.describe("127.0.0.1:5000").contains("user `alice`"), "{}", c.describe("127.0.0.1:5000"));
        assert!(!c.describe("127.0.0.1:5000").contains("s3cr"), "no password in messages");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn the_search_order_and_what_it_says() {
        let d = dir("order");
        let (xdg, home) = (d.join("run"), d.join("home"));
        std::fs::create_dir_all(xdg.join("containers")).unwrap();
        std::fs::create_dir_all(home.join(".docker")).unwrap();
        std::fs::write(home.join(".docker/config.json"), r#"{"auths": {"h:1": {"username": "docker", "password": "p"}}}"#).unwrap();
        // only ~/.docker/config.json exists
        let c = Credentials::discover_with(None, env(&[("XDG_RUNTIME_DIR", &xdg), ("HOME", &home)])).unwrap();
        assert_eq!(c.lookup("h:1").unwrap().auth, basic("docker", "p"));
        let said = c.describe("other:2");
        assert!(said.contains("containers/auth.json` ($XDG_RUNTIME_DIR/containers/auth.json: absent)"), "{said}");
        assert!(said.contains(".docker/config.json` (~/.docker/config.json: no entry for `other:2`)"), "{said}");
        // podman's file comes first; a registry it lacks falls through to docker's
        std::fs::write(xdg.join("containers/auth.json"), r#"{"auths": {"h:1": {"username": "podman", "password": "p"}}}"#).unwrap();
        let c = Credentials::discover_with(None, env(&[("XDG_RUNTIME_DIR", &xdg), ("HOME", &home)])).unwrap();
        assert_eq!(c.lookup("h:1").unwrap().auth, basic("podman", "p"));
        // $REGISTRY_AUTH_FILE alone, then the file given alone
        let only = d.join("only.json");
        std::fs::write(&only, r#"{"auths": {}}"#).unwrap();
        let c = Credentials::discover_with(None, env(&[("REGISTRY_AUTH_FILE", &only), ("XDG_RUNTIME_DIR", &xdg), ("HOME", &home)])).unwrap();
        assert_eq!(c.lookup("h:1").unwrap().auth, Access::Anonymous);
        assert!(c.describe("h:1").contains("($REGISTRY_AUTH_FILE: no entry for `h:1`)"), "{}", c.describe("h:1"));
        let e = Credentials::discover_with(Some(&d.join("nope.json")), env(&[])).unwrap_err();
        assert!(e.to_string().contains("nope.json` (--registry-auth) does not exist"), "{e}");
        let e = Credentials::discover_with(None, env(&[("REGISTRY_AUTH_FILE", &d.join("gone.json"))])).unwrap_err();
        assert!(e.to_string().contains("gone.json` ($REGISTRY_AUTH_FILE) does not exist"), "{e}");
        // nothing set at all
        let c = Credentials::discover_with(None, env(&[])).unwrap();
        assert_eq!(c.describe("h:1"), "no registry auth file ($XDG_RUNTIME_DIR and $HOME unset)");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn helpers_identity_tokens_and_malformed_files_are_refused_by_name() {
        let d = dir("refused");
        let file = d.join("config.json");
        std::fs::write(
            &file,
            r#"{"auths": {"stored:1": {}, "idt:1": {"identitytoken": "r"}, "plain:1": {}},
                "credsStore": "desktop", "credHelpers": {"helped:1": "ecr-login"}}"#,
        )
        .unwrap();
        let c = Credentials::from_file(&file).unwrap();
        let e = c.lookup("helped:1").unwrap_err().to_string();
        assert!(e.contains("`helped:1`") && e.contains("`docker-credential-ecr-login` (`credHelpers`"), "{e}");
        let e = c.lookup("stored:1").unwrap_err().to_string();
        assert!(e.contains("`stored:1`") && e.contains("`docker-credential-desktop` (`credsStore`"), "{e}");
        let e = c.lookup("idt:1").unwrap_err().to_string();
        assert!(e.contains("`auths.\"idt:1\"`") && e.contains("identitytoken"), "{e}");
        // no entry at all: anonymous, and the message says the store was not asked
        assert_eq!(c.lookup("elsewhere:1").unwrap().auth, Access::Anonymous);
        assert!(c.describe("elsewhere:1").contains("credsStore `desktop` not consulted"), "{}", c.describe("elsewhere:1"));
        for (text, says) in [
            ("not json", "not a Docker/Podman auth file"),
            (r#"{"auths": {"h": {"auth": "%%%"}}}"#, "`auths.\"h\"`: `auth` is not base64"),
            (r#"{"auths": {"h": {"auth": "bm9jb2xvbg=="}}}"#, "not base64 of `USER:PASSWORD`"),
            (r#"{"auths": {"h": {"username": "u"}}}"#, "`username` without `password`"),
        ] {
            std::fs::write(&file, text).unwrap();
            let e = Credentials::from_file(&file).unwrap_err().to_string();
            assert!(e.contains(says) && e.contains("config.json`"), "{text}: {e}");
        }
        let _ = std::fs::remove_dir_all(&d);
    }
}
