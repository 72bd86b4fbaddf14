//! Hostile requests over real HTTP: each is answered with the right 4xx or
//! its connection closed, within the limits of `HttpLimits`, and the
//! service keeps answering everyone else.

use kitei_serve::{self as serve, Config, HttpLimits, ReloadConfig, ServerHandle};
use kitei_tests::temp_policy_dir;
use serde_json::Value;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const EXAMPLE: &str = include_str!("../examples/01-toyama-authorize.json");

/// Tight limits so the test is quick: 500 ms for headers and bodies, 4
/// connections, batches of 10.
fn limits() -> HttpLimits {
    HttpLimits {
        body_bytes: 16 << 10,
        batch_body_bytes: 64 << 10,
        batch_requests: 10,
        header_timeout: Duration::from_millis(500),
        body_timeout: Duration::from_millis(500),
        connections: 4,
    }
}

async fn start(name: &str) -> (SocketAddr, ServerHandle) {
    let dir = temp_policy_dir(name, &["toyama-2023"]);
    let config = Config { policies: dir, addr: SocketAddr::from(([127, 0, 0, 1], 0)), reload: ReloadConfig::default(), http: limits(), ..Config::default() };
    let (addr, handle) = serve::spawn(config).await.expect("server starts");
    let start = Instant::now();
    while !handle.state().is_ready() {
        assert!(start.elapsed() < Duration::from_secs(60), "ready in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (addr, handle)
}

/// Sends raw bytes on a fresh connection and reads until the server closes
/// or answers (`Connection: close` asked); returns the status line's code,
/// or `None` when closed without an answer.
async fn raw(addr: SocketAddr, bytes: &[u8]) -> (Option<u16>, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await.expect("the server answers or closes");
    let text = String::from_utf8_lossy(&out).into_owned();
    let code = text.strip_prefix("HTTP/1.1 ").and_then(|r| r.get(..3)).and_then(|c| c.parse().ok());
    (code, text)
}

fn post(path: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!("POST {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn error_code(text: &str) -> String {
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str::<Value>(body).ok().and_then(|v| v["error"]["code"].as_str().map(str::to_string)).unwrap_or_default()
}

/// A good decision answers 200.
async fn still_answers(addr: SocketAddr) {
    let (code, text) = raw(addr, &post("/v1/decisions", "application/json", EXAMPLE)).await;
    assert_eq!(code, Some(200), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_get_the_right_4xx() {
    let (addr, handle) = start("abuse-bodies").await;
    // nesting far past serde_json's recursion limit (128), within the body
    // limit: no stack overflow, a 4xx
    let deep = format!("{}{}", "[".repeat(8000), "]".repeat(8000));
    let deep_object = format!("{{\"institution\":{}1{}}}", "{\"a\":".repeat(2500), "}".repeat(2500));
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(20 << 10));
    let batch = |n: usize| format!("[{}]", vec![EXAMPLE; n].join(","));
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("malformed JSON", post("/v1/decisions", "application/json", "{\"institution\": "), 400, "malformed_json"),
        // the shape is wrong at the first bracket: refused before any recursion
        ("deeply nested array", post("/v1/decisions", "application/json", &deep), 422, "invalid_request"),
        ("deeply nested object", post("/v1/decisions", "application/json", &deep_object), 422, "invalid_request"),
        ("oversized body", post("/v1/decisions", "application/json", &big), 413, "too_large"),
        ("wrong content type", post("/v1/decisions", "text/plain", EXAMPLE), 415, "not_json"),
        (
            "no content type",
            format!("POST /v1/decisions HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{EXAMPLE}", EXAMPLE.len()).into_bytes(),
            415,
            "not_json",
        ),
        ("a batch over the limit", post("/v1/decisions/batch", "application/json", &batch(11)), 413, "too_large"),
        ("a batch that is not an array", post("/v1/decisions/batch", "application/json", EXAMPLE), 422, "invalid_request"),
        ("not HTTP at all", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n".to_vec(), 400, ""),
    ];
    for (what, bytes, status, code) in cases {
        let (got, text) = raw(addr, &bytes).await;
        assert_eq!(got, Some(status), "{what}: {}", &text[..text.len().min(300)]);
        if !code.is_empty() {
            assert_eq!(error_code(&text), code, "{what}: {}", &text[..text.len().min(300)]);
        }
        still_answers(addr).await;
    }
    // a batch of one deeply nested element: that element's own error
    let (got, text) = raw(addr, &post("/v1/decisions/batch", "application/json", &deep)).await;
    assert_eq!(got, Some(200), "{}", &text[..text.len().min(300)]);
    let answers: Value = serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap_or_default()).unwrap();
    assert_eq!(answers[0]["error"]["code"], "invalid_request", "{answers}");
    // the batch at the limit is answered
    let (got, text) = raw(addr, &post("/v1/decisions/batch", "application/json", &batch(10))).await;
    assert_eq!(got, Some(200), "{}", &text[..text.len().min(300)]);
    handle.shutdown();
    handle.join().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_clients_are_cut_off_and_everyone_else_is_served() {
    let (addr, handle) = start("abuse-slow").await;

    // headers that never finish: closed after the header timeout, unanswered
    let started = Instant::now();
    let (code, _) = raw(addr, b"POST /v1/decisions HTTP/1.1\r\nHost: t\r\nContent-Type: appl").await;
    let took = started.elapsed();
    assert!(code.is_none() || code == Some(408), "no decision for half a request: {code:?}");
    assert!(took >= Duration::from_millis(450) && took < Duration::from_secs(5), "closed after the header timeout: {took:?}");

    // a body that never finishes: 408 after the body timeout
    let started = Instant::now();
    let head =
        format!("POST /v1/decisions HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", EXAMPLE.len());
    let (code, text) = raw(addr, format!("{head}{}", &EXAMPLE[..20]).as_bytes()).await;
    assert_eq!(code, Some(408), "{text}");
    assert_eq!(error_code(&text), "request_timeout");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());

    // as many silent connections as the server serves at once, and more:
    // each is closed after the header timeout, so a real client gets through
    let mut idle = Vec::new();
    for _ in 0..(limits().connections * 2) {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    let started = Instant::now();
    still_answers(addr).await;
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(5), "served within a few header timeouts: {waited:?}");
    eprintln!("abuse: a client behind {} silent connections was answered after {waited:?}", idle.len());
    // the silent ones were closed by the server
    for mut s in idle {
        let mut buf = [0u8; 1];
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await.expect("closed in time").unwrap_or(0);
        assert_eq!(n, 0, "closed without an answer");
    }

    // a kept-alive connection that goes quiet is closed too
    let mut s = TcpStream::connect(addr).await.unwrap();
    let keep = format!("POST /v1/decisions HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{EXAMPLE}", EXAMPLE.len());
    s.write_all(keep.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    assert!(closed.is_ok(), "an idle kept-alive connection is closed after the header timeout");
    assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 200"), "after its answer");
    handle.shutdown();
    handle.join().await.unwrap();
}
