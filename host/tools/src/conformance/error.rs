//! Why a suite could not be loaded.

use std::path::PathBuf;

/// A scenario or coverage file that cannot be used, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum ConformanceError {
    #[error("`{file}`: cannot read: {source}")]
    Io { file: PathBuf, source: std::io::Error },
    #[error("`{file}`: {message}")]
    Parse { file: PathBuf, message: String },
    #[error("`{file}`: {message}")]
    Invalid { file: PathBuf, message: String },
    #[error("no scenario files in {0}")]
    Empty(String),
}
