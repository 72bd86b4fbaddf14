//! chromedriver and headless chromium for the browser tests (the
//! explorer's, and the built-once test's look at the explorer's form):
//! Debian's `/usr/bin/chromedriver` started on a free loopback port in its
//! own process group, killed with its browsers when dropped.

pub use fantoccini;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's chromedriver.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Any one wait for chromedriver or a session.
const WAIT: Duration = Duration::from_secs(20);

/// chromedriver in its own process group, with its chromium children; the
/// group is killed when this is dropped, whatever happened.
pub struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
    profiles: Vec<PathBuf>,
}

impl Driver {
    pub async fn start(scratch: &Path) -> Driver {
        use std::os::unix::process::CommandExt;
        let port = free_port();
        let log = scratch.join("chromedriver.log");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {CHROMEDRIVER}: {e}"));
        let driver = Driver { child, port, log, profiles: Vec::new() };
        // bounded wait for it to answer /status with ready: true
        let http = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().expect("http client");
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(r) = http.get(format!("{}/status", driver.url())).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == json!(true)
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not answer on port {port} within {WAIT:?}; its log:\n{}", driver.log_tail());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        driver
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    /// A browser session: headless chromium with a fresh profile and no
    /// background traffic (this machine's network refuses it), plus `extra` args.
    #[allow(clippy::result_large_err, reason = "fantoccini's session error, unwrapped where it is met")]
    pub async fn session(&mut self, extra: &[&str]) -> Client {
        let profile = std::env::temp_dir().join(format!("kitei-explorer-profile-{}-{}", std::process::id(), self.profiles.len()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).expect("profile dir");
        let mut args: Vec<String> = crate::CHROMIUM_FLAGS.iter().chain(&["--disable-dev-shm-usage", "--hide-scrollbars"]).map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend(extra.iter().map(|s| s.to_string()));
        self.profiles.push(profile);
        let mut caps = Capabilities::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), json!({ "binary": CHROMIUM, "args": args }));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = tokio::time::timeout(WAIT, ClientBuilder::new(connector).capabilities(caps).connect(&self.url()))
            .await
            .unwrap_or_else(|_| panic!("no browser session within {WAIT:?}; chromedriver's log:\n{}", self.log_tail()))
            .unwrap_or_else(|e| panic!("browser session: {e}; chromedriver's log:\n{}", self.log_tail()));
        // record script errors and CSP violations from the first moment of every page
        cdp(&client, "Page.enable", json!({})).await;
        cdp(
            &client,
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": "window.__kiteiErrors = [];\
                addEventListener('error', e => window.__kiteiErrors.push('error: ' + e.message));\
                addEventListener('unhandledrejection', e => window.__kiteiErrors.push('rejection: ' + e.reason));\
                document.addEventListener('securitypolicyviolation', e => window.__kiteiErrors.push('CSP: ' + e.violatedDirective + ' ' + e.blockedURI));" }),
        )
        .await;
        client
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // the whole group this test made for chromedriver: it and the browsers it started
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals only that process group, ours
        if pgid > 1 && pgid != unsafe { libc::getpgrp() } {
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        for p in &self.profiles {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind a free port").local_addr().expect("local addr").port()
}

/// A Chrome DevTools command through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()))
    }
}

pub async fn cdp(c: &Client, cmd: &'static str, params: Value) -> Value {
    c.issue_cmd(Cdp { cmd, params }).await.unwrap_or_else(|e| panic!("CDP {cmd}: {e}"))
}
