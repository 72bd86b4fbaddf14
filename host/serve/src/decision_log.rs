//! `--decision-log`: one JSON line per decision, for audit.
//!
//! Each line is written (one `write` of the whole line) before the response
//! leaves, so a decision a client saw is in the log even if the process is
//! killed the next moment. How far it is on disk is [`Sync`]:
//! - [`Sync::None`]: in the kernel's page cache; survives the process, not
//!   a crash of the machine;
//! - [`Sync::Batch`]: group commit — the response waits until its line is
//!   `fdatasync`ed, and one sync covers every line written meanwhile, so
//!   under load a sync serves many requests;
//! - [`Sync::Always`]: one `fdatasync` per line, before the next is written.
//!
//! With `max_bytes`, a file that would grow past it is synced, closed and
//! renamed to `FILE.<unix milliseconds>` between two lines, and a new FILE
//! begun: no line is split or lost, and keeping or shipping the rotated
//! files is the log pipeline's business. A file that does not end with a
//! newline when opened (a line torn by a crash of the machine) gets one, so
//! the next line starts clean and a reader skips at most that torn line.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

/// How far a line is on disk before its response leaves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sync {
    /// written to the kernel; not synced
    #[default]
    None,
    /// synced in groups: each response waits for a sync covering its line
    Batch,
    /// synced line by line
    Always,
}

impl std::str::FromStr for Sync {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(Sync::None),
            "batch" => Ok(Sync::Batch),
            "always" => Ok(Sync::Always),
            _ => Err(format!("`{s}`: expected always, batch or none")),
        }
    }
}

/// An append-only JSON-lines file.
pub struct DecisionLog {
    path: PathBuf,
    request: RequestMode,
    sync: Sync,
    max_bytes: Option<u64>,
    state: Mutex<State>,
    synced: Condvar,
}

struct State {
    file: File,
    /// bytes in the current file
    len: u64,
    /// lines written so far (all files), and how many of them are synced
    written: u64,
    synced: u64,
    /// a thread is syncing (batch mode): others wait for it
    syncing: bool,
    /// a sync failed: the lines it should have covered (up to this count) fail too
    failed: Option<(u64, String)>,
}

/// What a line keeps of the request (`--decision-log-request`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RequestMode {
    /// the request as received (`request`, or `request_text` when it is not JSON) and its sha256
    #[default]
    Full,
    /// only the request's sha256: no customer facts on disk, and no replay
    Hash,
}

impl std::str::FromStr for RequestMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "full" => Ok(RequestMode::Full),
            "hash" => Ok(RequestMode::Hash),
            _ => Err(format!("`{s}`: expected full or hash")),
        }
    }
}

/// The line format's version (`v`), docs/decision-log.md.
pub const FORMAT: u32 = 2;

/// One line (docs/decision-log.md, docs/decision-log.schema.json): which
/// decision, for which request, by which module, with what answer.
#[derive(serde::Serialize)]
pub struct Entry<'a> {
    pub v: u32,
    pub time: String,
    /// the `kitei-decision-id` the client saw (`<id>/<index>` in a batch)
    pub decision_id: &'a str,
    /// the request as received, whitespace outside strings removed
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Box<serde_json::value::RawValue>>,
    /// the request as received when it was not JSON (lossy UTF-8)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_text: Option<String>,
    /// sha256 of the request's bytes as received
    pub request_sha256: String,
    pub institution: Option<&'a str>,
    pub variant: Option<&'a str>,
    pub version: Option<&'a str>,
    pub module_sha256: Option<&'a str>,
    pub operation: Option<&'a str>,
    pub decision: Option<&'a str>,
    pub error: Option<&'a str>,
    pub cites: Vec<&'a str>,
    /// sha256 of the answer's JSON as the client got it (the whole answer:
    /// each account's `linkable`, each reason's `met`); null for an error
    pub answer_sha256: Option<String>,
}

/// What a line keeps of `body` under `mode`: `(request, request_text)`.
pub fn kept_request(body: &[u8], mode: RequestMode) -> (Option<Box<serde_json::value::RawValue>>, Option<String>) {
    if mode == RequestMode::Hash {
        return (None, None);
    }
    match serde_json::from_slice::<&serde_json::value::RawValue>(body) {
        Ok(raw) => match serde_json::value::RawValue::from_string(compact(raw.get())) {
            Ok(raw) => (Some(raw), None),
            Err(_) => (None, Some(String::from_utf8_lossy(body).into_owned())),
        },
        Err(_) => (None, Some(String::from_utf8_lossy(body).into_owned())),
    }
}

/// Valid JSON without the whitespace outside its strings: one line, and
/// every number and string exactly as sent.
fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            if c == '"' {
                in_string = true;
            }
            out.push(c);
        }
    }
    out
}

fn open_file(path: &Path) -> std::io::Result<(File, u64)> {
    let mut file = OpenOptions::new().create(true).read(true).append(true).open(path)?;
    let len = file.metadata()?.len();
    if len > 0 {
        let mut last = [0u8; 1];
        file.seek(SeekFrom::Start(len - 1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            // a torn last line: end it, so the next line starts clean
            file.write_all(b"\n")?;
            return Ok((file, len + 1));
        }
    }
    Ok((file, len))
}

impl DecisionLog {
    /// Opens `path` for appending, creating it; lines are written as
    /// [`DecisionLog::open_with`] with [`Sync::None`] and no rotation.
    ///
    /// # Errors
    /// When the file cannot be opened.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        Self::open_with(path, Sync::None, None)
    }

    /// Opens `path` for appending, creating it, with a sync policy and an
    /// optional size at which the file is rotated.
    ///
    /// # Errors
    /// When the file cannot be opened.
    pub fn open_with(path: &Path, sync: Sync, max_bytes: Option<u64>) -> std::io::Result<Self> {
        let (file, len) = open_file(path)?;
        let state = State { file, len, written: 0, synced: 0, syncing: false, failed: None };
        Ok(DecisionLog { path: path.to_path_buf(), request: RequestMode::Full, sync, max_bytes, state: Mutex::new(state), synced: Condvar::new() })
    }

    /// Lines keep the request as `mode` says (default [`RequestMode::Full`]).
    #[must_use]
    pub fn keeping(mut self, mode: RequestMode) -> Self {
        self.request = mode;
        self
    }

    /// What lines keep of the request.
    pub fn request_mode(&self) -> RequestMode {
        self.request
    }

    /// The sync policy.
    pub fn sync(&self) -> Sync {
        self.sync
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends one entry as a single write, then syncs as the policy says;
    /// returns once the line is as durable as the policy promises.
    ///
    /// # Errors
    /// When the line cannot be written or synced; the caller then answers
    /// with an error rather than an unlogged decision.
    pub fn write(&self, entry: &Entry<'_>) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut st = self.lock();
        if self.max_bytes.is_some_and(|max| st.len > 0 && st.len + line.len() as u64 > max) {
            self.rotate(&mut st)?;
        }
        st.file.write_all(&line)?;
        st.len += line.len() as u64;
        st.written += 1;
        let mine = st.written;
        match self.sync {
            Sync::None => Ok(()),
            Sync::Always => {
                st.file.sync_data()?;
                st.synced = mine;
                Ok(())
            }
            Sync::Batch => self.group_commit(st, mine),
        }
    }

    /// Waits until line `mine` is synced, syncing itself when no one is.
    fn group_commit<'a>(&'a self, mut st: std::sync::MutexGuard<'a, State>, mine: u64) -> std::io::Result<()> {
        loop {
            if st.synced >= mine {
                return Ok(());
            }
            if let Some((upto, e)) = &st.failed
                && mine <= *upto
            {
                return Err(std::io::Error::other(format!("syncing the decision log: {e}")));
            }
            if st.syncing {
                st = self.synced.wait(st).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            // this thread syncs every line written so far; others append meanwhile
            st.syncing = true;
            let upto = st.written;
            let file = st.file.try_clone();
            drop(st);
            let result = file.and_then(|f| f.sync_data());
            st = self.lock();
            st.syncing = false;
            match result {
                Ok(()) => st.synced = st.synced.max(upto),
                Err(e) => st.failed = Some((upto, e.to_string())),
            }
            self.synced.notify_all();
        }
    }

    /// Syncs and renames the current file, and begins a new one.
    fn rotate(&self, st: &mut State) -> std::io::Result<()> {
        st.file.sync_data()?;
        st.synced = st.written;
        let mut millis = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default();
        // two rotations in one millisecond must not rename over the first
        // (rename replaces): the next millisecond no file has yet
        let rotated = loop {
            let mut name = self.path.as_os_str().to_owned();
            name.push(format!(".{millis}"));
            let name = PathBuf::from(name);
            if !name.exists() {
                break name;
            }
            millis += 1;
        };
        std::fs::rename(&self.path, rotated)?;
        let (file, len) = open_file(&self.path)?;
        st.file = file;
        st.len = len;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{DecisionLog, Entry, FORMAT, RequestMode, Sync, kept_request};

    #[test]
    fn a_request_is_kept_on_one_line_exactly_as_sent() {
        let body = b"{\n  \"a\" : \"x y\\\" \\n\",\n  \"n\": 1.50e3, \"b\": [1, 2]\n}\n";
        let (raw, text) = kept_request(body, RequestMode::Full);
        assert_eq!(raw.unwrap().get(), "{\"a\":\"x y\\\" \\n\",\"n\":1.50e3,\"b\":[1,2]}");
        assert!(text.is_none());
        let (raw, text) = kept_request(b"{not json", RequestMode::Full);
        assert!(raw.is_none());
        assert_eq!(text.as_deref(), Some("{not json"));
        assert!(matches!(kept_request(body, RequestMode::Hash), (None, None)));
    }

    fn entry(n: usize) -> Entry<'static> {
        Entry {
            v: FORMAT,
            time: "2026-11-22T00:00:00.000Z".into(),
            decision_id: "0193a1f0-0000-7000-8000-000000000000",
            request: None,
            request_text: None,
            institution: Some("toyama"),
            variant: Some("toyama-2023"),
            version: Some("2023"),
            module_sha256: None,
            request_sha256: format!("{n:064}"),
            operation: Some("authorize"),
            decision: Some("permit"),
            error: None,
            cites: vec!["第2条第1項"],
            answer_sha256: None,
        }
    }

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("kitei-log-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn lines(dir: &std::path::Path) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        files.iter().flat_map(|f| std::fs::read_to_string(f).unwrap().lines().map(str::to_string).collect::<Vec<_>>()).collect()
    }

    #[test]
    fn every_policy_writes_every_line_from_many_threads() {
        for sync in [Sync::None, Sync::Batch, Sync::Always] {
            let dir = temp(&format!("{sync:?}"));
            let log = DecisionLog::open_with(&dir.join("d.jsonl"), sync, None).unwrap();
            std::thread::scope(|s| {
                for t in 0..4 {
                    let log = &log;
                    s.spawn(move || (0..50).for_each(|i| log.write(&entry(t * 100 + i)).unwrap()));
                }
            });
            let lines = lines(&dir);
            assert_eq!(lines.len(), 200, "{sync:?}");
            assert!(lines.iter().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()), "{sync:?}");
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    #[test]
    fn a_torn_last_line_is_ended_so_the_next_line_parses() {
        let dir = temp("torn");
        let file = dir.join("d.jsonl");
        std::fs::write(&file, "{\"time\":\"2026-11-22T00:00:00.000Z\",\"varia").unwrap();
        DecisionLog::open(&file).unwrap().write(&entry(1)).unwrap();
        let lines = lines(&dir);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(serde_json::from_str::<serde_json::Value>(&lines[1]).is_ok(), "{lines:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn rotation_keeps_every_line_and_never_splits_one() {
        let dir = temp("rotate");
        let log = DecisionLog::open_with(&dir.join("d.jsonl"), Sync::Batch, Some(1000)).unwrap();
        for i in 0..40 {
            log.write(&entry(i)).unwrap();
        }
        let files = std::fs::read_dir(&dir).unwrap().count();
        assert!(files > 5, "rotated into several files: {files}");
        let lines = lines(&dir);
        assert_eq!(lines.len(), 40);
        assert!(lines.iter().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
        for f in std::fs::read_dir(&dir).unwrap() {
            assert!(std::fs::metadata(f.unwrap().path()).unwrap().len() <= 1000);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
