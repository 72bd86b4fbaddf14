//! Why a suite could not be loaded.

use std::path::PathBuf;

/// A scenario or coverage file that cannot be used, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum ConformanceError {
    /// the file cannot be read
    #[error("`{}`: cannot read", file.display())]
    Io {
        /// the scenario or coverage file
        file: PathBuf,
        /// the I/O error
        source: std::io::Error,
    },
    /// the file is not TOML of a scenario's shape
    #[error("`{file}`: {message}")]
    Parse {
        /// the file
        file: PathBuf,
        /// the parser's message, naming the line and field
        message: String,
    },
    /// the file parses but says something a scenario cannot (an unknown
    /// part, operation or variant)
    #[error("`{file}`: {message}")]
    Invalid {
        /// the file
        file: PathBuf,
        /// what is wrong, naming the field
        message: String,
    },
    /// the suite directory has no `*.toml` scenario
    #[error("no scenario files in {0}")]
    Empty(String),
}

/// Why a scenario could not be put to a variant: its request is not a
/// question or names a term no loaded module declares, the variant is not
/// loaded or rejects the scenario's settings, or the variant failed. The
/// message says which.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ScenarioError(String);

impl From<String> for ScenarioError {
    fn from(message: String) -> Self {
        ScenarioError(message)
    }
}
