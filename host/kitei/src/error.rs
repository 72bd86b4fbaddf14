//! Errors: a request that cannot be decided is an error, never a guess.

use std::path::{Path, PathBuf};

/// Why a decision could not be made (api.md "Errors"). An embedder answers
/// with [`DecisionError::code`] and the message, never with a permit; what
/// the error is about is read with [`DecisionError::kind`] and the
/// accessors, its fields being private.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct DecisionError(#[from] Decision);

/// What kind of [`DecisionError`]: one for each of api.md's error codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecisionErrorKind {
    /// the request is not JSON
    Malformed,
    /// the request is JSON of the wrong shape; the message names the field
    Invalid,
    /// no policy of this institution is loaded
    UnknownInstitution,
    /// no such variant is loaded
    UnknownVariant,
    /// the institution has no variant in force at the question's time
    NotInForce,
    /// the module trapped, or answered something that does not fit its sheet
    PolicyFailed,
    /// the module ran past the call deadline
    Timeout,
    /// the question names a term the module's contract cannot carry
    BeyondContract,
    /// two modules of the institution, of different scopes, both govern
    Ambiguous,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum Decision {
    #[error("malformed JSON: {0}")]
    Malformed(String),
    #[error("{0}")]
    Invalid(String),
    #[error("unknown institution `{0}`")]
    UnknownInstitution(String),
    #[error("unknown variant `{0}`")]
    UnknownVariant(String),
    #[error("no variant of `{institution}` is in force at {at}")]
    NotInForce { institution: String, at: String },
    #[error("policy `{variant}` failed: {message}")]
    PolicyFailed { variant: String, message: String },
    #[error("policy `{variant}` ran past its deadline of {millis} ms")]
    Timeout { variant: String, millis: u64 },
    /// a module built for 0.3.0 asked about a declared function, account
    /// kind or channel its lists would have to answer for
    #[error(
        "`{variant}` was built for kitei:policy@{contract}, which cannot be asked about {what} beyond its core vocabulary; its text is not asked rather than answered by guess"
    )]
    BeyondContract { variant: String, contract: &'static str, what: &'static str },
    #[error(
        "ambiguous: `{first}` and `{second}` both govern {institution}'s contract at {at}; give the customer's `segment` or the service's `scope` that selects one, or `variant`"
    )]
    Ambiguous { institution: String, at: String, first: String, second: String },
}

impl DecisionError {
    /// A request that is not JSON, with the parser's message.
    pub fn malformed(message: impl Into<String>) -> Self {
        Decision::Malformed(message.into()).into()
    }

    /// A request of the wrong shape; `message` names the field.
    pub fn invalid(message: impl Into<String>) -> Self {
        Decision::Invalid(message.into()).into()
    }

    /// A variant no loaded module is.
    pub fn unknown_variant(variant: impl Into<String>) -> Self {
        Decision::UnknownVariant(variant.into()).into()
    }

    /// The module of `variant` trapped or answered outside its sheet: for
    /// a [`crate::LoadedPolicy`] to report its own failure.
    pub fn policy_failed(variant: impl Into<String>, message: impl Into<String>) -> Self {
        Decision::PolicyFailed { variant: variant.into(), message: message.into() }.into()
    }

    /// The module of `variant` ran past its deadline of `millis`.
    pub fn timeout(variant: impl Into<String>, millis: u64) -> Self {
        Decision::Timeout { variant: variant.into(), millis }.into()
    }

    /// What kind of error this is.
    pub fn kind(&self) -> DecisionErrorKind {
        match &self.0 {
            Decision::Malformed(_) => DecisionErrorKind::Malformed,
            Decision::Invalid(_) => DecisionErrorKind::Invalid,
            Decision::UnknownInstitution(_) => DecisionErrorKind::UnknownInstitution,
            Decision::UnknownVariant(_) => DecisionErrorKind::UnknownVariant,
            Decision::NotInForce { .. } => DecisionErrorKind::NotInForce,
            Decision::PolicyFailed { .. } => DecisionErrorKind::PolicyFailed,
            Decision::Timeout { .. } => DecisionErrorKind::Timeout,
            Decision::BeyondContract { .. } => DecisionErrorKind::BeyondContract,
            Decision::Ambiguous { .. } => DecisionErrorKind::Ambiguous,
        }
    }

    /// The machine-readable code of the JSON error.
    pub fn code(&self) -> &'static str {
        match self.kind() {
            DecisionErrorKind::Malformed => "malformed_json",
            DecisionErrorKind::Invalid => "invalid_request",
            DecisionErrorKind::UnknownInstitution => "unknown_institution",
            DecisionErrorKind::UnknownVariant => "unknown_variant",
            DecisionErrorKind::NotInForce => "not_in_force",
            DecisionErrorKind::PolicyFailed => "policy_failed",
            DecisionErrorKind::Timeout => "policy_timeout",
            DecisionErrorKind::BeyondContract => "beyond_contract",
            DecisionErrorKind::Ambiguous => "ambiguous_selection",
        }
    }

    /// The variant at fault, for errors a module caused.
    pub fn variant(&self) -> Option<&str> {
        match &self.0 {
            Decision::PolicyFailed { variant, .. } | Decision::Timeout { variant, .. } => Some(variant),
            _ => None,
        }
    }

    /// The institution asked for, for errors of selection (unknown, not in
    /// force, ambiguous).
    pub fn institution(&self) -> Option<&str> {
        match &self.0 {
            Decision::UnknownInstitution(institution) | Decision::NotInForce { institution, .. } | Decision::Ambiguous { institution, .. } => Some(institution),
            _ => None,
        }
    }

    /// api.md's `{"error": {"code", "message"}}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "error": { "code": self.code(), "message": self.to_string() } })
    }
}

/// Why a policy file was refused: `` `FILE`: reason ``. The file is
/// [`LoadError::file`], the reason's kind [`LoadError::kind`]; a reason
/// with a cause of its own (an I/O error, a trust check, a module the
/// bytes are not) gives it as [`std::error::Error::source`], shown after
/// the message by [`Report`].
#[derive(Debug)]
pub struct LoadError {
    file: PathBuf,
    reason: Load,
}

/// What kind of [`LoadError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// the file cannot be read
    Io,
    /// the bytes are not a component wasmtime accepts
    Corrupt,
    /// a core module, not a component
    CoreModule,
    /// the module imports something (a policy must import nothing)
    Imports,
    /// the module does not export this host's policy interface
    WrongWorld,
    /// the module trapped or ran out of time while loading
    Failed,
    /// the module refused the operator's settings
    Settings,
    /// the settings file cannot be read as settings
    SettingsFile,
    /// a second module for a variant already loaded
    Duplicate,
    /// the module is not trusted (signature, key, digest, rollback, slot)
    Untrusted,
    /// the module exports a contract version this host does not serve
    UnsupportedContract,
    /// the module declares a term another loaded module declares as another kind
    TermConflict,
    /// the module's metadata is unusable
    Metadata,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum Load {
    #[error("cannot read")]
    Io(#[source] std::io::Error),
    #[error("not a valid WebAssembly component: {0}")]
    Corrupt(String),
    #[error("is a core WebAssembly module, not a component (build it with `kitei build`)")]
    CoreModule,
    #[error("imports {0}; a policy module must import nothing")]
    Imports(String),
    #[error("does not export `{expected}` (it exports {found})")]
    WrongWorld { expected: &'static str, found: String },
    #[error("failed while loading: {0}")]
    Failed(String),
    #[error("settings rejected by {variant}: {message}")]
    Settings { variant: String, message: String },
    /// shown in the message (`` `FILE`: what ``), so not a source
    #[error("{0}")]
    SettingsFile(SettingsError),
    #[error("variant `{variant}` is already loaded from `{}`", other.display())]
    Duplicate { variant: String, other: PathBuf },
    #[error("not trusted")]
    Untrusted(#[source] crate::signing::TrustError),
    #[error("exports `{found}`, a contract version this host does not serve (it serves {served})")]
    UnsupportedContract { found: String, served: String },
    /// shown in the message (`` variant `V` declares… ``), so not a source
    #[error("variant `{variant}` {error}")]
    TermConflict { variant: String, error: TermError },
    #[error("metadata: {0}")]
    Metadata(String),
}

impl LoadError {
    pub(crate) fn new(file: impl Into<PathBuf>, reason: Load) -> Self {
        LoadError { file: file.into(), reason }
    }

    /// The file refused.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// What kind of refusal this is.
    pub fn kind(&self) -> LoadErrorKind {
        match &self.reason {
            Load::Io(_) => LoadErrorKind::Io,
            Load::Corrupt(_) => LoadErrorKind::Corrupt,
            Load::CoreModule => LoadErrorKind::CoreModule,
            Load::Imports(_) => LoadErrorKind::Imports,
            Load::WrongWorld { .. } => LoadErrorKind::WrongWorld,
            Load::Failed(_) => LoadErrorKind::Failed,
            Load::Settings { .. } => LoadErrorKind::Settings,
            Load::SettingsFile(_) => LoadErrorKind::SettingsFile,
            Load::Duplicate { .. } => LoadErrorKind::Duplicate,
            Load::Untrusted(_) => LoadErrorKind::Untrusted,
            Load::UnsupportedContract { .. } => LoadErrorKind::UnsupportedContract,
            Load::TermConflict { .. } => LoadErrorKind::TermConflict,
            Load::Metadata(_) => LoadErrorKind::Metadata,
        }
    }

    /// The variant the refusal is about, when the module's metadata was
    /// read (settings refused, a duplicate, a term conflict).
    pub fn variant(&self) -> Option<&str> {
        match &self.reason {
            Load::Settings { variant, .. } | Load::Duplicate { variant, .. } | Load::TermConflict { variant, .. } => Some(variant),
            _ => None,
        }
    }

    /// The trust check that failed, for [`LoadErrorKind::Untrusted`].
    pub fn trust_error(&self) -> Option<&crate::signing::TrustError> {
        match &self.reason {
            Load::Untrusted(e) => Some(e),
            _ => None,
        }
    }

    /// The setting at fault, for [`LoadErrorKind::SettingsFile`].
    pub fn settings_error(&self) -> Option<&SettingsError> {
        match &self.reason {
            Load::SettingsFile(e) => Some(e),
            _ => None,
        }
    }

    /// The term at fault, for [`LoadErrorKind::TermConflict`].
    pub fn term_error(&self) -> Option<&TermError> {
        match &self.reason {
            Load::TermConflict { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`: {}", self.file.display(), self.reason)
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.reason)
    }
}

/// An error with its causes, as one line: its message, then each
/// [`std::error::Error::source`] after `: ` — what anyhow's `{:#}` prints,
/// for where an error is shown without anyhow (HTTP bodies, status JSON,
/// logs). kitei's errors show their cause either in their own message or
/// as their source, never both, so nothing is said twice.
pub struct Report<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(e) = cause {
            write!(f, ": {e}")?;
            cause = e.source();
        }
        Ok(())
    }
}

/// wasmtime cannot be set up on this machine.
#[derive(Debug, thiserror::Error)]
#[error("cannot start wasmtime: {0}")]
pub struct RuntimeError(pub(crate) String);

/// A term that cannot be used, naming it: a module's declaration (not
/// snake_case, a core name, declared twice, past its sheet, one too many,
/// or declared by another loaded module as another kind), or a name a
/// question asks that is neither a core value nor declared so.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TermError {
    term: String,
    message: String,
}

impl TermError {
    pub(crate) fn new(term: &str, message: String) -> Self {
        TermError { term: term.to_string(), message }
    }

    /// The wire name of the term at fault.
    pub fn term(&self) -> &str {
        &self.term
    }
}

/// A settings file that cannot be read as settings, or a setting a module
/// does not declare; the message names the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SettingsError {
    field: Option<String>,
    message: String,
}

impl SettingsError {
    pub(crate) fn new(field: Option<&str>, message: String) -> Self {
        SettingsError { field: field.map(str::to_string), message }
    }

    /// The setting at fault by its name, when one is (`None` when the file
    /// is not a JSON object at all).
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }
}

/// Why a variant crate cannot be linked natively ([`crate::NativePolicy::new`]):
/// the variant refused the settings (its own message), or its declared
/// terms cannot be used ([`NativeError::term_error`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct NativeError(#[from] Native);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Native {
    #[error("{0}")]
    Settings(String),
    #[error(transparent)]
    Terms(#[from] TermError),
}

impl NativeError {
    /// The term at fault, when the declared terms cannot be used (`None`
    /// when the variant refused the settings).
    pub fn term_error(&self) -> Option<&TermError> {
        match &self.0 {
            Native::Terms(e) => Some(e),
            Native::Settings(_) => None,
        }
    }
}

impl From<TermError> for NativeError {
    fn from(e: TermError) -> Self {
        Native::Terms(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    /// A cause is the source and not in the message, so the report says it
    /// once; the report is the message and each cause after `: `.
    #[test]
    fn a_cause_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e = LoadError::new("p.wasm", Load::Io(io));
        assert_eq!(e.to_string(), "`p.wasm`: cannot read");
        assert_eq!(e.source().map(ToString::to_string).as_deref(), Some("gone"));
        assert_eq!(Report(&e).to_string(), "`p.wasm`: cannot read: gone");
        assert_eq!(e.kind(), LoadErrorKind::Io);
        assert_eq!(e.file(), Path::new("p.wasm"));

        let trust = crate::signing::TrustError::from(crate::signing::TrustFault::Unsigned);
        let e = LoadError::new("p.wasm", Load::Untrusted(trust));
        assert_eq!(Report(&e).to_string(), "`p.wasm`: not trusted: no signature (`.wasm.sig`) and the trust policy requires one");
        assert_eq!(e.trust_error().map(crate::signing::TrustError::kind), Some(crate::signing::TrustErrorKind::Unsigned));
    }

    /// An error without causes reports as its message; a decision error's
    /// JSON carries the message and the code of its kind.
    #[test]
    fn a_decision_error_is_its_message() {
        let e = DecisionError::timeout("gunma-2023", 100);
        assert_eq!(Report(&e).to_string(), e.to_string());
        assert_eq!((e.kind(), e.code(), e.variant()), (DecisionErrorKind::Timeout, "policy_timeout", Some("gunma-2023")));
        assert_eq!(e.to_json()["error"]["message"], "policy `gunma-2023` ran past its deadline of 100 ms");
    }
}
