//! A `kitei serve` process, for the tests that run the real binary (the
//! fleet, the crash and the soak tests in `host/cli/tests`): started on the
//! caller's arguments, its stderr drained and kept (so it never blocks on a
//! full pipe, and a failure can show it), its address read from its
//! "listening on" line, and stopped by its pid when dropped — SIGTERM, then
//! SIGKILL after 10 s.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `kitei serve`.
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Served {
    /// Runs `binary serve --addr 127.0.0.1:0 ARGS…` and waits (at most 30 s)
    /// for the address it listens on.
    pub fn start<I, S>(binary: &Path, args: I) -> Served
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut child = Command::new(binary)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = line.split("listening on ").nth(1) {
                    let _ = tx.send(addr.trim().to_string());
                }
                lines.lock().unwrap_or_else(|e| e.into_inner()).push(line);
            }
        });
        let mut served = Served { child, base: String::new(), log };
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(base) => served.base = base,
            Err(_) => panic!("kitei serve did not listen within 30 s:\n{}", served.log()),
        }
        served
    }

    /// Waits (at most 60 s) until `/readyz` answers 200.
    pub async fn ready(&self) {
        let start = Instant::now();
        while reqwest::get(format!("{}/readyz", self.base)).await.map(|r| r.status() != 200).unwrap_or(true) {
            assert!(start.elapsed() < Duration::from_secs(60), "{} not ready within 60 s:\n{}", self.base, self.log());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What it wrote to stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).join("\n")
    }

    /// SIGKILL: no shutdown, no flush; waits for the process to end.
    pub fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    /// SIGTERM (a graceful stop), SIGKILL after 10 s.
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill_9();
    }
}
