//! Errors: a request that cannot be decided is an error, never a guess.

use std::path::PathBuf;

/// Why a decision could not be made (api.md "Errors").
#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
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
        }
    }

    /// The HTTP status api.md assigns.
    pub fn http_status(&self) -> u16 {
        match self {
            DecisionError::Malformed(_) => 400,
            DecisionError::Invalid(_) => 422,
            DecisionError::UnknownInstitution(_)
            | DecisionError::UnknownVariant(_)
            | DecisionError::NotInForce { .. } => 404,
            DecisionError::PolicyFailed { .. } | DecisionError::Timeout { .. } => 503,
        }
    }

    /// `{"error": {"code", "message"}}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "error": { "code": self.code(), "message": self.to_string() } })
    }
}

/// Why a policy file was refused.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("`{file}`: cannot read: {source}")]
    Io { file: PathBuf, source: std::io::Error },
    #[error("`{file}`: not a valid WebAssembly component: {message}")]
    Corrupt { file: PathBuf, message: String },
    #[error("`{file}`: is a core WebAssembly module, not a component (build it with `kitei build`)")]
    CoreModule { file: PathBuf },
    #[error("`{file}`: imports {imports}; a policy module must import nothing")]
    Imports { file: PathBuf, imports: String },
    #[error("`{file}`: does not export `{expected}` (it exports {found})")]
    WrongWorld { file: PathBuf, expected: &'static str, found: String },
    #[error("`{file}`: failed while loading: {message}")]
    Failed { file: PathBuf, message: String },
    #[error("`{file}`: settings rejected by {variant}: {message}")]
    Settings { file: PathBuf, variant: String, message: String },
    #[error("`{file}`: {message}")]
    SettingsFile { file: PathBuf, message: String },
    #[error("`{file}`: variant `{variant}` is already loaded from `{other}`")]
    Duplicate { file: PathBuf, variant: String, other: PathBuf },
    #[error("`{file}`: metadata: {message}")]
    Metadata { file: PathBuf, message: String },
}
