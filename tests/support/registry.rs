//! A real OCI registry on loopback for the distribution tests: Debian's
//! `docker-registry` (CNCF distribution 2.8), started with its own config
//! and a temporary storage directory, stopped by its pid when dropped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The binary `./run test` installs (`apt-get install docker-registry`).
pub const BINARY: &str = "/usr/bin/docker-registry";

/// A running registry; killed (by pid) and its storage removed on drop.
pub struct TestRegistry {
    child: Child,
    dir: PathBuf,
    /// `127.0.0.1:PORT`, as the registry's log line "listening on …" said
    pub addr: String,
}

impl TestRegistry {
    /// Starts a registry on `127.0.0.1`, port chosen by the kernel (`:0`),
    /// and waits (at most 10 s) for its "listening on" line.
    pub fn start(name: &str) -> TestRegistry {
        let dir = std::env::temp_dir().join(format!("kitei-registry-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("storage")).expect("registry temp dir");
        let config = dir.join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:0\n  secret: kitei-test\n",
                dir.join("storage").display()
            ),
        )
        .expect("registry config");
        let mut child = Command::new(BINARY)
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {BINARY} (./run test installs Debian's docker-registry): {e}"));
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        // keeps draining the log after the address is found, so the registry never blocks on a full pipe
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let addr: String = rest.chars().take_while(|c| !matches!(c, '"' | ' ')).collect();
                    let _ = tx.send(addr);
                }
            }
        });
        let mut registry = TestRegistry { child, dir, addr: String::new() };
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(addr) => registry.addr = addr,
            Err(_) => panic!("{BINARY} did not log \"listening on\" within 10 s"),
        }
        registry
    }

    /// `127.0.0.1:PORT/REPO:TAG`.
    pub fn reference(&self, repo_and_tag: &str) -> String {
        format!("{}/{repo_and_tag}", self.addr)
    }

    /// The registry's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
