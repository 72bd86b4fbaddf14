//! Errors: a request that cannot be decided is an error, never a guess.

use std::path::PathBuf;

/// Why a decision could not be made (api.md "Errors"). An embedder answers
/// with [`DecisionError::code`] and the message, never with a permit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecisionError {
    /// the request is not JSON
    #[error("malformed JSON: {0}")]
    Malformed(String),
    /// the request is JSON of the wrong shape; the message names the field
    #[error("{0}")]
    Invalid(String),
    /// no policy of this institution is loaded
    #[error("unknown institution `{0}`")]
    UnknownInstitution(String),
    /// no such variant is loaded
    #[error("unknown variant `{0}`")]
    UnknownVariant(String),
    /// the institution has no variant in force at the question's time
    #[error("no variant of `{institution}` is in force at {at}")]
    NotInForce {
        /// the institution asked for
        institution: String,
        /// the question's time
        at: String,
    },
    /// the module trapped, or answered something that does not fit its sheet
    #[error("policy `{variant}` failed: {message}")]
    PolicyFailed {
        /// the variant that failed
        variant: String,
        /// what went wrong
        message: String,
    },
    /// the module ran past the call deadline
    #[error("policy `{variant}` ran past its deadline of {millis} ms")]
    Timeout {
        /// the variant that was stopped
        variant: String,
        /// the deadline
        millis: u64,
    },
    /// the question names a term the module's contract cannot carry (a
    /// module built for 0.3.0 asked about a declared function, account
    /// kind or channel its lists would have to answer for)
    #[error(
        "`{variant}` was built for kitei:policy@{contract}, which cannot be asked about {what} beyond its core vocabulary; its text is not asked rather than answered by guess"
    )]
    BeyondContract {
        /// the variant asked
        variant: String,
        /// its contract version
        contract: &'static str,
        /// what the term is: `a function`, `an account kind`, `a channel`
        what: &'static str,
    },
    /// two modules of the institution, of different scopes, are in force
    /// and both govern the question's contract
    #[error(
        "ambiguous: `{first}` and `{second}` both govern {institution}'s contract at {at}; give the customer's `segment` or the service's `scope` that selects one, or `variant`"
    )]
    Ambiguous {
        /// the institution asked for
        institution: String,
        /// the question's time
        at: String,
        /// one variant
        first: String,
        /// the other
        second: String,
    },
}

impl DecisionError {
    /// The machine-readable code of the JSON error.
    pub fn code(&self) -> &'static str {
        match self {
            DecisionError::Malformed(_) => "malformed_json",
            DecisionError::Invalid(_) => "invalid_request",
            DecisionError::UnknownInstitution(_) => "unknown_institution",
            DecisionError::UnknownVariant(_) => "unknown_variant",
            DecisionError::NotInForce { .. } => "not_in_force",
            DecisionError::PolicyFailed { .. } => "policy_failed",
            DecisionError::Timeout { .. } => "policy_timeout",
            DecisionError::BeyondContract { .. } => "beyond_contract",
            DecisionError::Ambiguous { .. } => "ambiguous_selection",
        }
    }

    /// The variant at fault, for errors a module caused.
    pub fn variant(&self) -> Option<&str> {
        match self {
            DecisionError::PolicyFailed { variant, .. } | DecisionError::Timeout { variant, .. } => Some(variant),
            _ => None,
        }
    }

    /// api.md's `{"error": {"code", "message"}}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "error": { "code": self.code(), "message": self.to_string() } })
    }
}

/// Why a policy file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// the file cannot be read
    #[error("`{file}`: cannot read: {source}")]
    Io {
        /// the file
        file: PathBuf,
        /// the I/O error
        source: std::io::Error,
    },
    /// the bytes are not a component wasmtime accepts
    #[error("`{file}`: not a valid WebAssembly component: {message}")]
    Corrupt {
        /// the file
        file: PathBuf,
        /// wasmtime's reason
        message: String,
    },
    /// a core module, not a component
    #[error("`{file}`: is a core WebAssembly module, not a component (build it with `kitei build`)")]
    CoreModule {
        /// the file
        file: PathBuf,
    },
    /// the module imports something (a policy must import nothing)
    #[error("`{file}`: imports {imports}; a policy module must import nothing")]
    Imports {
        /// the file
        file: PathBuf,
        /// what it imports
        imports: String,
    },
    /// the module does not export this host's policy interface
    #[error("`{file}`: does not export `{expected}` (it exports {found})")]
    WrongWorld {
        /// the file
        file: PathBuf,
        /// the interface this host runs
        expected: &'static str,
        /// what the module exports
        found: String,
    },
    /// the module trapped or ran out of time while loading
    #[error("`{file}`: failed while loading: {message}")]
    Failed {
        /// the file
        file: PathBuf,
        /// what went wrong
        message: String,
    },
    /// the module refused the operator's settings
    #[error("`{file}`: settings rejected by {variant}: {message}")]
    Settings {
        /// the settings file (or the module, for defaults)
        file: PathBuf,
        /// the variant
        variant: String,
        /// the module's message
        message: String,
    },
    /// the settings file cannot be read as settings
    #[error("`{file}`: {error}")]
    SettingsFile {
        /// the settings file
        file: PathBuf,
        /// what is wrong, naming the field
        error: SettingsError,
    },
    /// a second module for a variant already loaded
    #[error("`{file}`: variant `{variant}` is already loaded from `{other}`")]
    Duplicate {
        /// the file refused
        file: PathBuf,
        /// the variant
        variant: String,
        /// the file loaded first
        other: PathBuf,
    },
    /// the module is not trusted (signature, key, digest, rollback, slot)
    #[error("`{file}`: not trusted: {reason}")]
    Untrusted {
        /// the file
        file: PathBuf,
        /// why, naming the check that failed
        reason: crate::signing::TrustError,
    },
    /// the module exports a contract version this host does not serve
    #[error("`{file}`: exports `{found}`, a contract version this host does not serve (it serves {served})")]
    UnsupportedContract {
        /// the file
        file: PathBuf,
        /// the interface the module exports
        found: String,
        /// the versions served
        served: String,
    },
    /// the module declares a term another loaded module declares as another kind
    #[error("`{file}`: variant `{variant}` {error}")]
    TermConflict {
        /// the file refused
        file: PathBuf,
        /// its variant
        variant: String,
        /// which term, and who declares it otherwise
        error: TermError,
    },
    /// the module's metadata is unusable
    #[error("`{file}`: metadata: {message}")]
    Metadata {
        /// the file
        file: PathBuf,
        /// what is wrong
        message: String,
    },
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

/// Why a variant crate cannot be linked natively ([`crate::NativePolicy::new`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NativeError {
    /// the variant refused the settings (its own message)
    #[error("{0}")]
    Settings(String),
    /// the variant's declared terms cannot be used
    #[error(transparent)]
    Terms(#[from] TermError),
}
