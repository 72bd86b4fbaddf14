//! `--decision-log`: one JSON line per decision, for audit.
//!
//! Each line is written and flushed before the response leaves, so a
//! decision a client saw is always in the log.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

/// An append-only JSON-lines file.
pub struct DecisionLog {
    file: Mutex<File>,
}

/// One line: what was decided, by which module, for which request bytes.
#[derive(serde::Serialize)]
pub struct Entry<'a> {
    pub time: String,
    pub variant: Option<&'a str>,
    pub module_sha256: Option<&'a str>,
    pub request_sha256: String,
    pub operation: Option<&'a str>,
    pub decision: Option<&'a str>,
    pub error: Option<&'a str>,
    pub cites: Vec<&'a str>,
}

impl DecisionLog {
    /// Opens `path` for appending, creating it.
    ///
    /// # Errors
    /// When the file cannot be opened.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(DecisionLog { file: Mutex::new(file) })
    }

    /// Appends one entry as a single write and flushes it.
    ///
    /// # Errors
    /// When the line cannot be written; the caller then answers with an
    /// error rather than an unlogged decision.
    pub fn write(&self, entry: &Entry<'_>) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(&line)?;
        file.flush()
    }
}
